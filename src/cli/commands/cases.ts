// `distillguard cases open|list|show|approve|transition|attach|package`: the designation workflow
// from a campaign finding to designation, appeal and revocation, each step attributed and logged.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { DistillGuardError, describeFileError } from '../../core/index.js';
import {
  approveCase,
  attachToCase,
  attachmentKinds,
  caseStates,
  nextSteps,
  openCase,
  requireAction,
  requireCase,
  transitionCase,
  writeEvidencePackage,
} from '../../designate/index.js';
import { intelConfig, parseTlp } from './intel-shared.js';
import { actingUser, deskOptions, withDesk, type DeskOptions } from '../acting-user.js';

function readText(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error));
  }
}

export function registerCases(program: Command): void {
  const cases = program
    .command('cases')
    .description(
      'designation cases: from a campaign finding to designation, appeal and revocation',
    );

  deskOptions(
    cases
      .command('open')
      .description('open a case on a campaign that analyze --db stored')
      .requiredOption('--campaign <id>', 'the campaign id (analyze prints them)')
      .option('--reason <text>', 'why the case is opened'),
  ).action(async (options: DeskOptions & { campaign: string; reason?: string }) => {
    const row = await withDesk(options, async ({ store, desk, keyHashSecret }) =>
      openCase(
        desk,
        await actingUser(store, keyHashSecret, options),
        options.campaign,
        options.reason ?? null,
      ),
    );
    process.stdout.write(`opened ${row.caseId} on campaign ${row.campaignId}\n`);
  });

  deskOptions(cases.command('list').description('cases, their states and expiry dates')).action(
    async (options: DeskOptions) => {
      const rows = await withDesk(options, async ({ store, keyHashSecret }) => {
        requireAction(await actingUser(store, keyHashSecret, options), 'read');
        return store.designation.listCases();
      });
      if (rows.length === 0) process.stdout.write('no cases yet\n');
      for (const row of rows)
        process.stdout.write(
          `${row.caseId}\t${row.state}\tcampaign ${row.campaignId}\topened ${row.openedAt} by ${row.openedBy}${row.expiresAt ? `\texpires ${row.expiresAt}` : ''}\n`,
        );
    },
  );

  deskOptions(
    cases
      .command('show <id>')
      .description('a case: its state, history, attachments and next steps')
      .option('--json', 'as JSON'),
  ).action(async (caseId: string, options: DeskOptions & { json?: boolean }) => {
    const shown = await withDesk(options, async ({ store, desk, keyHashSecret }) => {
      requireAction(await actingUser(store, keyHashSecret, options), 'read');
      const row = await requireCase(desk, caseId);
      return {
        row,
        events: await store.designation.readCaseEvents(caseId),
        attachments: (await store.designation.readAttachments(caseId)).map(
          ({ content, ...rest }) => ({ ...rest, bytes: content.length }),
        ),
      };
    });
    if (options.json) {
      process.stdout.write(
        `${JSON.stringify({ case: { ...shown.row, snapshot: JSON.parse(shown.row.snapshot) as unknown }, events: shown.events, attachments: shown.attachments }, null, 2)}\n`,
      );
      return;
    }
    const { row } = shown;
    const lines = [
      `${row.caseId}: ${row.state}${row.expiresAt ? ` (expires ${row.expiresAt})` : ''}`,
      `campaign ${row.campaignId}, opened ${row.openedAt} by ${row.openedBy}`,
      'history:',
      ...shown.events.map(
        (event) =>
          `  ${event.at} ${event.actor} (${event.role}) ${event.kind === 'opened' ? 'opened the case' : `${event.kind}${event.toState ? ` ${event.fromState ?? '-'} -> ${event.toState}` : ''}`}${event.reason ? `: ${event.reason}` : ''}${event.logIndex !== null ? ` [log ${event.logIndex}]` : ''}`,
      ),
      `attachments: ${shown.attachments.length === 0 ? 'none' : ''}`,
      ...shown.attachments.map(
        (file) =>
          `  ${file.kind} ${file.name} sha256:${file.sha256} (${file.bytes} bytes, by ${file.addedBy})`,
      ),
      `next: ${
        nextSteps(row.state)
          .map((step) => `${step.to} (${step.meaning})`)
          .join('; ') || 'none (final)'
      }`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  deskOptions(
    cases
      .command('approve <id>')
      .description(
        'approve the next step (shared or nominated); two different reviewers must approve',
      )
      .requiredOption('--to <state>', 'shared or nominated')
      .requiredOption('--reason <text>', 'why'),
  ).action(async (caseId: string, options: DeskOptions & { to: string; reason: string }) => {
    const approvals = await withDesk(options, async ({ store, desk, keyHashSecret }) =>
      approveCase(
        desk,
        await actingUser(store, keyHashSecret, options),
        caseId,
        options.to,
        options.reason,
      ),
    );
    process.stdout.write(
      `${caseId}: ${approvals.length} of 2 approvals for ${options.to} (${approvals.map((event) => event.actor).join(', ')})\n`,
    );
  });

  deskOptions(
    cases
      .command('transition <id>')
      .description(`move a case along an allowed step (states: ${caseStates.join(', ')})`)
      .requiredOption('--to <state>', 'the next state')
      .requiredOption('--reason <text>', 'why (decisions on appeals give their reasons here)')
      .option('--expires <date>', 'a designation: when it lapses (YYYY-MM-DD)')
      .option('--statement <text>', "an appeal: the appellant's statement")
      .option('--statement-file <file>', "an appeal: the appellant's statement, from a file"),
  ).action(
    async (
      caseId: string,
      options: DeskOptions & {
        to: string;
        reason: string;
        expires?: string;
        statement?: string;
        statementFile?: string;
      },
    ) => {
      const statement = options.statementFile
        ? readText(options.statementFile).toString('utf8')
        : options.statement;
      const row = await withDesk(options, async ({ store, desk, keyHashSecret }) =>
        transitionCase(desk, await actingUser(store, keyHashSecret, options), caseId, {
          to: options.to,
          reason: options.reason,
          expiresAt: options.expires,
          statement,
        }),
      );
      process.stdout.write(
        `${row.caseId}: ${row.state}${row.expiresAt && row.state === 'designated' ? ` until ${row.expiresAt}` : ''}\n`,
      );
    },
  );

  deskOptions(
    cases
      .command('attach <id>')
      .description('add evidence to a case (kept whole; the log records its SHA-256)')
      .requiredOption('--file <file>', 'the file')
      .requiredOption('--kind <kind>', attachmentKinds.join(', ')),
  ).action(async (caseId: string, options: DeskOptions & { file: string; kind: string }) => {
    const content = readText(options.file);
    const result = await withDesk(options, async ({ store, desk, keyHashSecret }) =>
      attachToCase(desk, await actingUser(store, keyHashSecret, options), caseId, {
        kind: options.kind,
        name: basename(options.file),
        content,
      }),
    );
    process.stdout.write(
      result.added
        ? `${caseId}: attached ${basename(options.file)} sha256:${result.sha256} [log ${result.logIndex}]\n`
        : `${caseId}: ${basename(options.file)} (sha256:${result.sha256}) was already attached\n`,
    );
  });

  deskOptions(
    cases
      .command('package <id>')
      .description(
        'write the evidence package: STIX bundle, audits, analysis snapshot, log entries with proofs, signed checkpoint, report (HTML and PDF), verify.txt',
      )
      .requiredOption('--out <dir>', 'a new or empty folder')
      .option(
        '--tlp <level>',
        'marking of the package and its STIX bundle (default: the config, amber)',
      )
      .option(
        '--config <file>',
        'gateway config whose `intel` block names the organisation and whose `storage` block names the store (default: the SQLite file of --db)',
      )
      .option('--org <name>', 'the organisation named as producer')
      .option('--include-raw', 'admins only: add raw exchanges and account records, and real names')
      .option('--no-pdf', 'do not print report.pdf'),
  ).action(
    async (
      caseId: string,
      options: DeskOptions & {
        out: string;
        tlp?: string;
        config?: string;
        org?: string;
        includeRaw?: boolean;
        pdf: boolean;
      },
    ) => {
      const config = intelConfig(options);
      const tlp = options.tlp ? parseTlp(options.tlp) : config.default_tlp;
      const result = await withDesk(options, async ({ store, desk, keyHashSecret }) =>
        writeEvidencePackage(desk, await actingUser(store, keyHashSecret, options), {
          caseId,
          outDir: options.out,
          includeRaw: options.includeRaw ?? false,
          tlp,
          config,
          pdf: options.pdf ? 'auto' : 'skip',
        }),
      );
      process.stdout.write(
        `wrote the evidence package of ${caseId} to ${options.out}: ${result.files.length} files, ${result.logEntries} log entries proved against the checkpoint of ${result.checkpointSize}\n` +
          (result.pdfMissing ? `no report.pdf: ${result.pdfMissing}\n` : '') +
          `open ${options.out}/report.html; ${options.out}/verify.txt says how to check it\n`,
      );
    },
  );
}
