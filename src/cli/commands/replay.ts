// `distillguard replay`: send a logged traffic folder through a running gateway, each account with
// its own key, at the log's pace (or faster), and summarise what the gateway answered.
import type { Command } from 'commander';
import { adminTokenVariable, DistillGuardError } from '../../core/index.js';
import { refusedAccounts, replay, type ReplaySummary } from '../../replay/index.js';
import { parsePositiveInteger, parsePositiveNumber } from '../options.js';
import { createProgressBar } from '../progress.js';
import { checkOutputPath, writeOutputFile } from '../write-output.js';

interface ReplayCommandOptions {
  traffic: string;
  gateway: string;
  speed: number;
  adminToken?: string;
  concurrency: number;
  maxTokens?: number;
  limit?: number;
  out?: string;
}

const printedAccountRejections = 20;
const printedRefusedAccounts = 20;

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description(
      'replay a traffic folder (as written by simulate) through a running gateway started with --accept-replay-time',
    )
    .requiredOption(
      '--traffic <dir>',
      'folder with interactions.jsonl(.gz) and optionally accounts.jsonl(.gz)',
    )
    .requiredOption('--gateway <url>', 'base URL of the gateway, e.g. http://127.0.0.1:8080')
    .option(
      '--speed <n>',
      "divide the log's gaps by N (1e9: as fast as --concurrency allows)",
      parsePositiveNumber,
      1,
    )
    .option(
      '--admin-token <token>',
      `admin token of the gateway (default: env ${adminTokenVariable})`,
    )
    .option('--concurrency <n>', 'requests in flight at most', parsePositiveInteger, 16)
    .option(
      '--max-tokens <n>',
      'cap max_tokens / max_completion_tokens in every request (for fast demos)',
      parsePositiveInteger,
    )
    .option('--limit <n>', 'stop after sending N requests', parsePositiveInteger)
    .option('--out <file>', 'write the summary, with per-account status counts, as JSON')
    .action(async (options: ReplayCommandOptions) => {
      const adminToken = options.adminToken ?? process.env[adminTokenVariable];
      if (!adminToken) {
        throw new DistillGuardError(
          'usage',
          `no admin token: pass --admin-token TOKEN or set ${adminTokenVariable} to the token the gateway was started with.`,
        );
      }
      if (options.out) await checkOutputPath(options.out, '--out');
      const bar = createProgressBar('replay');
      let summary: ReplaySummary;
      try {
        summary = await replay({
          ...options,
          adminToken,
          onAccountsPosted: (posted) => {
            bar.finish();
            process.stderr.write(
              `accounts: ${posted.accepted.toLocaleString('en-US')} accepted, ${posted.rejected.length} rejected\n`,
            );
            for (const rejection of posted.rejected.slice(0, printedAccountRejections)) {
              process.stderr.write(
                `rejected accounts line ${rejection.line}: field '${rejection.field}' ${rejection.reason}\n`,
              );
            }
          },
          onProgress: (progress) =>
            bar.update(
              progress.bytesConsumed,
              progress.totalBytes,
              `${progress.sent.toLocaleString('en-US')} sent`,
            ),
        });
      } finally {
        bar.finish();
      }
      process.stdout.write(`${formatSummary(summary).join('\n')}\n`);
      if (options.out) await writeOutputFile(options.out, `${JSON.stringify(summary, null, 2)}\n`);
    });
}

function formatSummary(summary: ReplaySummary): string[] {
  const count = (value: number) => value.toLocaleString('en-US');
  const byCount = (counts: Record<string, number>) =>
    Object.entries(counts)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, value]) => `${key}: ${count(value)}`)
      .join(', ');
  const lines = [
    `replayed ${count(summary.sent)} requests to ${summary.gateway} in ${summary.elapsed_s.toFixed(1)} s (speed ${summary.speed}, furthest behind schedule ${count(summary.max_lag_ms)} ms), ${count(summary.keys_created)} keys created`,
    `  skipped ${count(summary.skipped.total)}${summary.skipped.total ? ` (${byCount(summary.skipped.by_reason)})` : ''}`,
    `  by HTTP status: ${byCount(summary.statuses) || 'none'}`,
    `  network errors: ${count(summary.network_errors.total)}${summary.network_errors.total ? ` (${byCount(summary.network_errors.by_code)})` : ''}`,
  ];
  const refused = refusedAccounts(summary);
  lines.push(`  accounts answered 429 or 403: ${count(refused.length)}`);
  for (const row of refused.slice(0, printedRefusedAccounts))
    lines.push(
      `    ${row.account_id.padEnd(24)} 429: ${count(row.status_429).padStart(6)}  403: ${count(row.status_403).padStart(6)}`,
    );
  if (refused.length > printedRefusedAccounts)
    lines.push(`    ... ${count(refused.length - printedRefusedAccounts)} more (see --out)`);
  return lines;
}
