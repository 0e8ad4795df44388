// verify.txt: how anyone holding the package checks it with the project's own commands and
// standard tools, step by step, and what each check proves.
import type { PackageFacts } from './package-facts.js';
import type { ReportContext } from './report-html.js';

export function verifyText(input: {
  facts: PackageFacts;
  context: ReportContext;
  pdfMissing: string | null;
  includeRaw: boolean;
}): string {
  const { facts, context } = input;
  return `How to check this evidence package
===================================

Case ${facts.caseRow.caseId}, campaign ${facts.campaignLabel}, made ${facts.generatedAt}
by ${context.organization}. Marking: TLP:${context.tlp.toUpperCase()}.

What is here
  report.html            the readable report${input.pdfMissing ? ` (report.pdf was not made: ${input.pdfMissing})` : '; report.pdf is the same, printed'}
  stix-bundle.json       the campaign and its keyed indicators in STIX 2.1
  analysis-snapshot.json the campaign as the detector found it, with its traffic over time
  attachments/           the evidence attached to the case: ${input.includeRaw ? 'all of it' : 'audits and sightings (analyses and notes stay with the provider: their SHA-256 are in the log entries)'}
  log/entries.json       the ${context.logEntries} log entries of this case, each with its inclusion proof
  log/checkpoint.txt     the signed checkpoint (C2SP tlog-checkpoint) the proofs lead to
  log/verifier-key.txt   the log's verifier key, as the package states it
  SHA256SUMS             the SHA-256 of every other file${input.includeRaw ? '\n  raw/                   raw accounts and exchanges (an admin asked for --include-raw)' : ''}

1. Get the log's verifier key from ${context.organization} over a channel you trust (not from this
   package alone) and compare it with log/verifier-key.txt:
     ${context.verifierKey}

2. Check that every entry of the case is in the signed log (install with: npm install distillguard,
   or use a checkout of the project):
     npx distillguard log verify-proof log/entries.json --key '${context.verifierKey}'
   It checks the checkpoint's Ed25519 signature (C2SP signed note), each entry's RFC 6962 leaf
   hash, and the path from each leaf to the checkpoint's root. Any C2SP signed-note verifier
   (e.g. golang.org/x/mod/sumdb/note) accepts log/checkpoint.txt with the key above.

3. Check the files:
     sha256sum -c SHA256SUMS
   Each attachment's SHA-256 is also in its log entry (kind "case.attachment"), and the STIX
   bundle's in the entry of kind "intel.export": the files are the ones the log recorded.

4. Check the STIX bundle against the official STIX 2.1 schemas:
     npx distillguard intel validate stix-bundle.json

5. Later: keep log/checkpoint.txt. Whenever the provider shows you a newer checkpoint, ask it for
   a consistency proof from yours (distillguard log prove-consistency --checkpoint checkpoint.txt)
   and check it with the key alone:
     npx distillguard log verify-proof consistency.json --key '${context.verifierKey}' --checkpoint log/checkpoint.txt
   It fails if any entry up to this checkpoint was changed or removed since. You can cosign the
   checkpoint (distillguard log keygen --cosigner, then log cosign) so that others can rely on your
   having seen it.
`;
}
