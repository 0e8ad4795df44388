// `distillguard config check FILE`: what `serve --config FILE` would say about the file, without
// starting anything: every unknown or misspelt field with the nearest known name, or a summary
// (upstreams, policy, watermarks, counters, bus, and where the store is).
import type { Command } from 'commander';
import { DistillGuardError } from '../../core/index.js';
import { configSummary, readGatewayConfig } from '../../gateway/index.js';
import { defaultDatabasePath } from '../options.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check a gateway config file');
  config
    .command('check')
    .description(
      'validate a gateway config (JSON) as serve --config would; exit 0 and a summary when valid',
    )
    .argument('[file]', 'the config file (or --config FILE, as the store commands take it)')
    .option('--config <file>', 'the config file')
    .option(
      '--db <file>',
      'the SQLite store the summary names when the config leaves storage on SQLite (as serve --db)',
      defaultDatabasePath,
    )
    .action((argument: string | undefined, options: { config?: string; db: string }) => {
      if (argument !== undefined && options.config !== undefined && argument !== options.config)
        throw new DistillGuardError(
          'usage',
          `two config files: '${argument}' and --config '${options.config}'; check one at a time.`,
        );
      const file = argument ?? options.config;
      if (file === undefined)
        throw new DistillGuardError(
          'usage',
          'no config file: pass it as `config check FILE` or `config check --config FILE`.',
        );
      const parsed = readGatewayConfig(file);
      process.stdout.write(`${file}: valid: ${configSummary(parsed, options.db)}\n`);
    });
}
