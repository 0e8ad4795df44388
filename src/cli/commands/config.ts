// `distillguard config check FILE`: what `serve --config FILE` would say about the file, without
// starting anything: every unknown or misspelt field with the nearest known name, or a summary.
import type { Command } from 'commander';
import { configSummary, readGatewayConfig } from '../../gateway/index.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('check a gateway config file');
  config
    .command('check')
    .description(
      'validate a gateway config (JSON) as serve --config would; exit 0 and a summary when valid',
    )
    .argument('<file>', 'the config file')
    .action((file: string) => {
      const parsed = readGatewayConfig(file);
      process.stdout.write(`${file}: valid: ${configSummary(parsed)}\n`);
    });
}
