// `distillguard audit`: the radioactivity audit of a suspect model through its OpenAI-compatible
// API; writes evidence.json (and an HTML report) and the resumable answers file beside it.
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { DistillGuardError, suspectApiKeyVariable } from '../../core/index.js';
import {
  defaultAuditAlpha,
  defaultMinTuples,
  defaultNullKeys,
  readAuditPrompts,
  readServedWindows,
  renderEvidenceHtml,
  runAudit,
  type PromptFilter,
} from '../../audit/index.js';
import { readWatermarkKey } from '../../watermark/index.js';
import { parsePositiveInteger, parsePositiveNumber } from '../options.js';
import { readCohortKeys } from './watermark.js';

interface AuditCommandOptions {
  suspect: string;
  model: string;
  prompts: string;
  key: string;
  served?: string;
  out: string;
  html?: string;
  concurrency: number;
  rate: number;
  maxTokens?: number;
  samplesPerPrompt: number;
  resume?: boolean;
  nullKeys: number;
  nullSeed?: string;
  cohortKeys?: string[];
  promptFilter: PromptFilter;
  alpha: number;
  minTuples: number;
}

function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new InvalidArgumentError('expected an http(s) URL such as http://host:8000/v1.');
  }
  return value;
}

function parsePromptFilter(value: string): PromptFilter {
  if (value !== 'tuple' && value !== 'window')
    throw new InvalidArgumentError("expected 'tuple' or 'window'.");
  return value;
}

function parseAlpha(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0 && parsed < 1))
    throw new InvalidArgumentError('expected a number between 0 and 1.');
  return parsed;
}

function write(path: string, text: string): void {
  try {
    writeFileSync(path, text);
  } catch (error) {
    throw new DistillGuardError(
      'output_unwritable',
      `cannot write '${path}': ${(error as Error).message}`,
      { cause: error },
    );
  }
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .description(
      'radioactivity audit: ask a suspect model our prompts and test its answers for our watermark (Sander et al. 2024); see docs/provenance.md',
    )
    .requiredOption(
      '--suspect <url>',
      'the suspect API base, as an OpenAI client baseURL (http://host:port/v1)',
      parseUrl,
    )
    .requiredOption('--model <m>', 'model name to ask for')
    .requiredOption(
      '--prompts <file>',
      'JSON Lines: one {"messages": [...]} chat body or {"prompt": "..."} per line (.gz detected)',
    )
    .requiredOption('--key <file>', 'the watermark key the harvested outputs were served under')
    .requiredOption('--out <file>', 'evidence JSON to write; answers go to <file>.answers.jsonl')
    .option(
      '--served <file>',
      'keep only windows seen in what was served to the cohort (JSON Lines with "text", or an interaction log)',
    )
    .option('--html <file>', 'also write a readable evidence report (self-contained HTML)')
    .option(
      '--cohort-keys <paths...>',
      'cohort keys (files or a directory of *.json): name the leaking cohort, Holm-corrected',
    )
    .option('--concurrency <c>', 'requests in flight', parsePositiveInteger, 4)
    .option('--rate <r>', 'requests started per second', parsePositiveNumber, 5)
    .option('--max-tokens <n>', 'max_tokens of every request', parsePositiveInteger)
    .option('--samples-per-prompt <k>', 'answers asked per prompt', parsePositiveInteger, 1)
    .option('--resume', 'reuse the answers already in <out>.answers.jsonl; ask only the rest')
    .option(
      '--null-keys <n>',
      'wrong keys scored for the null distribution',
      parsePositiveInteger,
      defaultNullKeys,
    )
    .option(
      '--null-seed <s>',
      'derive the wrong keys from this seed (repeatable runs) instead of at random',
    )
    .option(
      '--prompt-filter <f>',
      "drop tuples found in prompts ('tuple') or tuples whose window is found in prompts ('window')",
      parsePromptFilter,
      'tuple',
    )
    .option('--alpha <a>', 'significance level of the verdict', parseAlpha, defaultAuditAlpha)
    .option(
      '--min-tuples <n>',
      'fewest scored tuples for a verdict',
      parsePositiveInteger,
      defaultMinTuples,
    )
    .action(async (options: AuditCommandOptions) => {
      const key = readWatermarkKey(options.key);
      const cohortKeys = options.cohortKeys ? readCohortKeys(options.cohortKeys) : undefined;
      const { prompts, rejected } = await readAuditPrompts(options.prompts);
      for (const line of rejected)
        process.stderr.write(`distillguard: ${line.file}:${line.line}: ${line.reason}; skipped.\n`);
      const served = options.served
        ? await readServedWindows(options.served, key.parameters.window)
        : undefined;
      for (const line of served?.rejected ?? [])
        process.stderr.write(`distillguard: ${line.file}:${line.line}: ${line.reason}; skipped.\n`);
      const evidence = await runAudit({
        key,
        cohortKeys,
        prompts,
        rejectedLines: [...rejected, ...(served?.rejected ?? [])],
        served,
        baseUrl: options.suspect,
        model: options.model,
        concurrency: options.concurrency,
        rate: options.rate,
        maxTokens: options.maxTokens,
        samplesPerPrompt: options.samplesPerPrompt,
        apiKey: process.env[suspectApiKeyVariable],
        nullKeyCount: options.nullKeys,
        nullSeed: options.nullSeed,
        promptFilter: options.promptFilter,
        alpha: options.alpha,
        minTuples: options.minTuples,
        answersPath: `${options.out}.answers.jsonl`,
        resume: options.resume ?? false,
        onProgress: (message) => process.stderr.write(`distillguard: ${message}\n`),
      });
      write(options.out, `${JSON.stringify(evidence, null, 2)}\n`);
      if (options.html) write(options.html, renderEvidenceHtml(evidence));
      const cohort = evidence.cohorts
        ? `; cohort named: ${evidence.cohorts.named_cohort ?? 'none'}`
        : '';
      process.stdout.write(
        `${evidence.verdict}: ${evidence.scored_tuples} tuples, p = 10^${evidence.log10_p_value.toFixed(2)}, wrong keys at or below: ${evidence.null.at_or_below_real} of ${evidence.null.keys}${cohort}; wrote ${options.out}\n`,
      );
      if (rejected.length > 0)
        throw new DistillGuardError(
          'input_invalid',
          `${rejected.length} prompt lines were skipped (see the messages above); the evidence was written.`,
        );
    });
}
