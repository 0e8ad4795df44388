// What the provider knows about an account (from the accounts log), as detection reads it.

export interface AccountFacts {
  createdAtMs: number | null;
  verification: string | null;
  orgId: string | null;
  emailDomain: string | null;
  paymentFingerprint: string | null;
  country: string | null;
  signupIp: string | null;
}

export const unknownAccount: AccountFacts = {
  createdAtMs: null, verification: null, orgId: null, emailDomain: null, paymentFingerprint: null, country: null, signupIp: null,
};
