// `distillguard eval`: score an analysis report against simulated ground truth.
import type { Command } from 'commander';
import { evaluate, formatEvaluationTable, readEvaluationInputs } from '../../eval/index.js';

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description(
      'score an analysis report against ground-truth labels: precision, recall, false positives, grouping',
    )
    .requiredOption('--labels <file>', 'labels.json written by `distillguard simulate`')
    .requiredOption('--report <file>', 'report written by `distillguard analyze --out`')
    .option('--json', 'print the result as JSON for machines')
    .action(async (options: { labels: string; report: string; json?: boolean }) => {
      const { labels, report } = await readEvaluationInputs(options.labels, options.report);
      const result = evaluate(labels, report);
      process.stdout.write(
        options.json ? `${JSON.stringify(result, null, 2)}\n` : formatEvaluationTable(result),
      );
    });
}
