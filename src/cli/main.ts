#!/usr/bin/env node
// The `distillguard` command: wires each subcommand and maps every error to one message and exit code.
import { Command, CommanderError } from 'commander';
import { DistillGuardError } from '../core/index.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerIngest } from './commands/ingest.js';
import { registerSimulate } from './commands/simulate.js';
import { registerEval } from './commands/eval.js';
import { registerBenchmarks } from './commands/benchmarks.js';
import { registerServe } from './commands/serve.js';
import { registerKeys } from './commands/keys.js';
import { registerAccounts } from './commands/accounts.js';
import { registerExport } from './commands/export.js';
import { registerReplay } from './commands/replay.js';
import { registerRefmodel } from './commands/refmodel.js';
import { registerDemo } from './commands/demo.js';
import { registerWatermark } from './commands/watermark.js';
import { registerAudit } from './commands/audit.js';

export function buildProgram(): Command {
  const program = new Command('distillguard')
    .description('Detect, answer, prove and share adversarial distillation of model APIs.')
    .version('0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerSimulate(program);
  registerIngest(program);
  registerAnalyze(program);
  registerEval(program);
  registerBenchmarks(program);
  registerServe(program);
  registerKeys(program);
  registerAccounts(program);
  registerExport(program);
  registerReplay(program);
  registerRefmodel(program);
  registerDemo(program);
  registerWatermark(program);
  registerAudit(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
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
    process.stderr.write(`distillguard: unexpected error: ${(error as Error).stack ?? String(error)}\n`);
    return 70;
  }
}

process.exitCode = await main(process.argv);
