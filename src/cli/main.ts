#!/usr/bin/env node
// The `distillguard` command: wires each subcommand and maps every error to one message and exit code.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
// only errors.js of core/: core/index.js loads every domain module (about 0.4 MB more while
// loading), and `serve` tunes its heap (src/runtime/) before anything that large loads
import { DistillGuardError } from '../core/errors.js';

type Register = (program: Command) => void;

/** The version written in package.json (dist/src/cli/main.js is three folders below it). */
function packageVersion(): string {
  const manifest: unknown = JSON.parse(
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
  );
  return typeof manifest === 'object' &&
    manifest !== null &&
    'version' in manifest &&
    typeof manifest.version === 'string'
    ? manifest.version
    : 'unknown';
}
/**
 * Each subcommand's module, loaded only when that subcommand runs (all of them for help), so that a
 * long-running `serve` does not hold the simulator, the tokenizer or the audit in memory.
 */
const commands: [name: string, load: () => Promise<Register>][] = [
  ['simulate', async () => (await import('./commands/simulate.js')).registerSimulate],
  ['ingest', async () => (await import('./commands/ingest.js')).registerIngest],
  ['analyze', async () => (await import('./commands/analyze.js')).registerAnalyze],
  ['eval', async () => (await import('./commands/eval.js')).registerEval],
  ['benchmarks', async () => (await import('./commands/benchmarks.js')).registerBenchmarks],
  ['serve', async () => (await import('./commands/serve.js')).registerServe],
  ['config', async () => (await import('./commands/config.js')).registerConfig],
  ['keys', async () => (await import('./commands/keys.js')).registerKeys],
  ['tokens', async () => (await import('./commands/tokens.js')).registerTokens],
  ['accounts', async () => (await import('./commands/accounts.js')).registerAccounts],
  ['export', async () => (await import('./commands/export.js')).registerExport],
  ['prune', async () => (await import('./commands/prune.js')).registerPrune],
  ['replay', async () => (await import('./commands/replay.js')).registerReplay],
  ['refmodel', async () => (await import('./commands/refmodel.js')).registerRefmodel],
  ['demo', async () => (await import('./commands/demo.js')).registerDemo],
  ['watermark', async () => (await import('./commands/watermark.js')).registerWatermark],
  ['audit', async () => (await import('./commands/audit.js')).registerAudit],
  ['intel', async () => (await import('./commands/intel.js')).registerIntel],
  ['hub', async () => (await import('./commands/hub.js')).registerHub],
  ['users', async () => (await import('./commands/users.js')).registerUsers],
  ['cases', async () => (await import('./commands/cases.js')).registerCases],
  ['log', async () => (await import('./commands/log.js')).registerLog],
  ['worker', async () => (await import('./commands/worker.js')).registerWorker],
];

/** The program with every subcommand, or with only `only` when it names one. */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('distillguard')
    .description('Detect, answer, prove and share adversarial distillation of model APIs.')
    .version(packageVersion())
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const chosen = commands.filter(([name]) => name === only);
  for (const [, load] of chosen.length > 0 ? chosen : commands) (await load())(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv[2])).parseAsync(argv);
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // commander has already printed its message (or the help text).
      return error.exitCode === 0 ? 0 : 64;
    }
    if (error instanceof DistillGuardError) {
      process.stderr.write(`distillguard: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(
      `distillguard: unexpected error: ${(error as Error).stack ?? String(error)}\n`,
    );
    return 70;
  }
}

// output piped into a reader that stops early (`| head`): the rest is not wanted, and that is no error
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.exitCode = await main(process.argv);
