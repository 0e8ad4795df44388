// `cases package`: a folder a lawyer, an export-control officer or a partner analyst can read and
// check without the software's store: the STIX report bundle, the attached audits and analyses, an
// analysis snapshot, the case's log entries with inclusion proofs and the signed checkpoint, the
// report in HTML and PDF, verify.txt, and SHA256SUMS. No raw prompt or personal data unless an
// admin asks for it (--include-raw).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DistillGuardError } from '../../core/index.js';
import { exportIntel, type IntelConfig, type TlpLevel } from '../../intel/index.js';
import { requireCase, type CaseDesk } from '../cases.js';
import { proveEntry, type InclusionProofDocument } from '../log-proofs.js';
import { requireAction, type Actor } from '../roles.js';
import { gatherPackageFacts } from './package-facts.js';
import { pdfUnavailable, printPdf } from './print-pdf.js';
import { verifyText } from './verify-text.js';

/** What `distillguard audit` writes (audit/run-audit.ts): the only audit attachments a package carries. */
const auditEvidenceFormat = 'distillguard.audit-evidence/v1';

export interface PackageRequest {
  caseId: string;
  outDir: string;
  includeRaw: boolean;
  tlp: TlpLevel;
  config: IntelConfig;
  /** Print the PDF ('auto': when Chromium is there). */
  pdf: 'auto' | 'skip';
}

export interface PackageResult {
  files: string[];
  /** Why there is no PDF, or null when report.pdf was printed. */
  pdfMissing: string | null;
  logEntries: number;
  checkpointSize: number;
}

/** States before the two-person review has approved sharing. */
const draftStates = ['opened', 'evidence', 'internal-review'];

/** Whether an attachment is an audit's evidence JSON or a STIX bundle of sightings (else it stays home). */
export function isSharedFormat(kind: string, content: Buffer): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content.toString('utf8'));
  } catch {
    return false;
  }
  const record = (parsed ?? {}) as Record<string, unknown>;
  if (kind === 'audit') return record.format === auditEvidenceFormat;
  if (kind === 'sighting')
    return (
      record.type === 'bundle' &&
      Array.isArray(record.objects) &&
      (record.objects as { type?: unknown }[]).every((object) =>
        ['sighting', 'identity', 'marking-definition', 'extension-definition'].includes(
          String(object?.type),
        ),
      )
    );
  return false;
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const safeName = (name: string) => name.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100) || 'file';

/** The case an entry names; an entry that does not parse (log verify reports it) names none. */
function caseOf(entry: Buffer): string | undefined {
  try {
    return (JSON.parse(entry.toString('utf8')) as { case?: string }).case;
  } catch {
    return undefined;
  }
}

function prepareFolder(outDir: string): void {
  try {
    mkdirSync(outDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new DistillGuardError(
      'output_unwritable',
      `cannot create '${outDir}': ${(error as Error).message}`,
    );
  }
  if (readdirSync(outDir).length > 0)
    throw new DistillGuardError(
      'output_unwritable',
      `'${outDir}' is not empty: write each package to a new folder.`,
    );
}

function listFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(folder, join(entry.parentPath, entry.name)))
    .sort();
}

export async function writeEvidencePackage(
  desk: CaseDesk,
  actor: Actor,
  request: PackageRequest,
): Promise<PackageResult> {
  requireAction(actor, 'read');
  if (request.includeRaw) requireAction(actor, 'include-raw');
  const caseRow = await requireCase(desk, request.caseId);
  const store = desk.store;
  const write = (name: string, content: string | Buffer) => {
    const path = join(request.outDir, name);
    mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
    writeFileSync(path, content, { mode: 0o600 });
  };

  // a case not yet through its two-person review may be packaged for the reviewers, not for sharing
  if (draftStates.includes(caseRow.state) && ['clear', 'green'].includes(request.tlp))
    throw new DistillGuardError(
      'refused',
      `${caseRow.caseId} is ${caseRow.state}: it has not passed review, so its package cannot be marked TLP:${request.tlp.toUpperCase()}. Use amber or stricter, or take it through review first.`,
    );
  prepareFolder(request.outDir);
  const facts = await gatherPackageFacts(store, caseRow, { includeRaw: request.includeRaw });
  const exported = await exportIntel(store, {
    campaignId: caseRow.campaignId,
    tlp: request.tlp,
    // client addresses in clear only in a raw package
    config:
      request.config.network_indicators === 'clear' && !request.includeRaw
        ? { ...request.config, network_indicators: 'keyed' }
        : request.config,
  });
  const bundleText = `${JSON.stringify(exported.bundle, null, 2)}\n`;
  write('stix-bundle.json', bundleText);
  // audits and sightings in our own formats carry no user data; an analysis or a note is the
  // analyst's file, which may quote accounts or prompts: it goes only into a raw package
  for (const attachment of facts.attachments.filter(
    (row) => request.includeRaw || isSharedFormat(row.kind, row.content),
  ))
    write(
      `attachments/${attachment.kind}/${attachment.sha256.slice(0, 12)}-${safeName(attachment.name)}`,
      attachment.content,
    );
  write(
    'analysis-snapshot.json',
    `${JSON.stringify(
      {
        format: 'distillguard-analysis-snapshot/v1',
        case: caseRow.caseId,
        campaign: facts.campaign,
        shared_infrastructure: facts.infrastructure,
        shared_templates: facts.sharedTemplates,
        traffic: { bucket_ms: facts.bucketMs, buckets: facts.traffic },
        release: facts.release,
        pseudonymised: !request.includeRaw,
      },
      null,
      2,
    )}\n`,
  );

  const at = new Date().toISOString();
  await desk.log.append({
    kind: 'intel.export',
    at,
    actor: actor.name,
    role: actor.role,
    case: caseRow.caseId,
    tlp: request.tlp,
    sha256: sha256(bundleText),
    objects: (exported.bundle.objects as unknown[]).length,
    campaigns: exported.campaigns.map((campaign) => campaign.label),
  });
  await desk.log.append({
    kind: 'case.package',
    at,
    actor: actor.name,
    role: actor.role,
    case: caseRow.caseId,
    include_raw: request.includeRaw,
  });
  const checkpoint = await desk.log.checkpoint();
  // the case's entries: every one naming it (its steps, attachments, this export and package)
  const entries: InclusionProofDocument[] = [];
  for (const row of await store.designation.readLogEntries(0, checkpoint.treeSize))
    if (caseOf(row.entry) === caseRow.caseId)
      entries.push(await proveEntry(desk.log, row.index, checkpoint));
  write('log/entries.json', `${JSON.stringify(entries, null, 2)}\n`);
  write('log/checkpoint.txt', checkpoint.note);
  write('log/verifier-key.txt', `${desk.log.signer.verifierKey}\n`);

  const context = {
    organization: request.config.organization?.name ?? 'the provider',
    tlp: request.tlp,
    logEntries: entries.length,
    checkpointSize: checkpoint.treeSize,
    verifierKey: desk.log.signer.verifierKey,
  };
  // ECharts and its layout load only when a package is written, not with every command
  const { reportHtml } = await import('./report-html.js');
  write('report.html', reportHtml(facts, context));
  let pdfMissing = request.pdf === 'skip' ? 'not asked for (--no-pdf)' : pdfUnavailable();
  if (pdfMissing === null) {
    try {
      await printPdf(join(request.outDir, 'report.html'), join(request.outDir, 'report.pdf'));
    } catch (error) {
      pdfMissing = `Chromium failed to print it: ${(error as Error).message.split('\n')[0]}`;
    }
  }

  if (request.includeRaw) {
    const members = new Set(facts.accounts.map((account) => account.accountId));
    write(
      'raw/accounts.jsonl',
      (await store.readAccounts())
        .filter((row) => members.has(row.accountId))
        .map((row) => `${row.record}\n`)
        .join(''),
    );
    const lines: string[] = [];
    for (const { id } of await store.designation.interactionIdsOf([...members] as string[], 5)) {
      const raw = await store.readRawInteraction(id);
      if (raw !== null) lines.push(raw);
    }
    write('raw/exchanges.jsonl', lines.map((line) => `${line}\n`).join(''));
  }
  write('verify.txt', verifyText({ facts, context, pdfMissing, includeRaw: request.includeRaw }));
  const files = listFiles(request.outDir);
  write(
    'SHA256SUMS',
    files.map((file) => `${sha256(readFileSync(join(request.outDir, file)))}  ${file}\n`).join(''),
  );
  return {
    files: [...files, 'SHA256SUMS'].sort(),
    pdfMissing,
    logEntries: entries.length,
    checkpointSize: checkpoint.treeSize,
  };
}
