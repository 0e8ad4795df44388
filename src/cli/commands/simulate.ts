// `distillguard simulate`: write a labelled week of API traffic (interactions, accounts, labels).
import type { Command } from 'commander';
import { simulate, simulationDefaults } from '../../sim/index.js';
import { parseNonNegativeInteger, parsePositiveInteger, parsePositiveNumber } from '../options.js';
import { createProgressBar } from '../progress.js';

interface SimulateCommandOptions {
  out: string;
  seed: number;
  scale: number;
  days: number;
  start: string;
  hydraAccounts?: number;
}

export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'generate labelled API traffic: benign users, benchmark labs and distillation campaigns',
    )
    .requiredOption('--out <dir>', 'folder for interactions.jsonl, accounts.jsonl and labels.json')
    .option(
      '--seed <n>',
      'random seed (same seed, same output)',
      parseNonNegativeInteger,
      simulationDefaults.seed,
    )
    .option(
      '--scale <x>',
      'size: 1 is about a million interactions, 0.05 runs in seconds',
      parsePositiveNumber,
      simulationDefaults.scale,
    )
    .option(
      '--days <d>',
      'length of the simulated window in days',
      parseNonNegativeInteger,
      simulationDefaults.days,
    )
    .option('--start <time>', 'start of the window (RFC 3339)', simulationDefaults.start)
    .option(
      '--hydra-accounts <n>',
      'accounts of the largest campaign (hydra), whatever the scale: for load tests such as the dashboard benchmark',
      parsePositiveInteger,
    )
    .action(async (options: SimulateCommandOptions) => {
      const bar = createProgressBar('simulate');
      bar.update(0, null, 'building populations');
      const summary = await simulate({
        ...options,
        onProgress: (written, total) =>
          bar.update(written, total, `${written.toLocaleString('en-US')} interactions`),
      });
      bar.finish();
      const lines = [
        `simulated ${summary.interactions.toLocaleString('en-US')} interactions of ${summary.accounts.toLocaleString('en-US')} accounts, ${summary.window.from} to ${summary.window.to} (new model released ${summary.window.release})`,
        ...summary.populations.map(
          (population) =>
            `  ${population.class.padEnd(9)} ${population.persona.padEnd(20)} ${String(population.accounts).padStart(7)} accounts ${population.interactions.toLocaleString('en-US').padStart(11)} interactions`,
        ),
        `wrote ${summary.files.interactions}, ${summary.files.accounts}, ${summary.files.labels}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
