// What the provider knows about an account (from the accounts log), as detection reads it: the
// store's account row without its id and raw record.
import type { AccountRow } from '../store/index.js';

export type AccountFacts = Omit<AccountRow, 'accountId' | 'record'>;

export const unknownAccount: AccountFacts = {
  createdAtMs: null,
  verification: null,
  orgId: null,
  emailDomain: null,
  paymentFingerprint: null,
  country: null,
  signupIp: null,
};
