// The check before a nomination: does the case name anyone on the benchmark and research warning
// list (an account, its organisation, its email domain or its card)? Each hit is a sentence.
import type { Store } from '../store/index.js';

/** The hits, one sentence each (empty when none). */
export async function warningListHits(
  store: Store,
  campaign: { accounts: string[] },
): Promise<string[]> {
  const listed = new Map<string, Map<string, string | null>>();
  for (const row of await store.intel.listWarnings()) {
    const values = listed.get(row.kind) ?? new Map<string, string | null>();
    values.set(row.kind === 'email_domain' ? row.value.toLowerCase() : row.value, row.note);
    listed.set(row.kind, values);
  }
  if (listed.size === 0) return [];
  const facts = new Map((await store.readAccounts()).map((row) => [row.accountId, row]));
  const hits: string[] = [];
  const why = (note: string | null | undefined) => (note ? ` (${note})` : '');
  for (const accountId of campaign.accounts) {
    const account = facts.get(accountId);
    const checks: [string, string | null | undefined, string][] = [
      ['account', accountId, `account ${accountId} is listed`],
      [
        'organization',
        account?.orgId,
        `account ${accountId} belongs to listed organisation ${account?.orgId}`,
      ],
      [
        'email_domain',
        account?.emailDomain?.toLowerCase(),
        `account ${accountId} uses listed email domain ${account?.emailDomain}`,
      ],
      ['payment', account?.paymentFingerprint, `account ${accountId} pays with a listed card`],
    ];
    for (const [kind, value, sentence] of checks) {
      if (value == null) continue;
      const values = listed.get(kind);
      if (values?.has(value)) hits.push(`${sentence}${why(values.get(value))}`);
    }
  }
  return hits;
}
