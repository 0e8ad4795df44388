// `distillguard watermark`: make keys and detect watermarks in text (one text, JSON Lines batches,
// or against the keys of several tracer cohorts). Secrets are never printed.
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { DistillGuardError, describeFileError } from '../../core/index.js';
import {
  CohortDetector,
  WatermarkDetector,
  deriveCohortKey,
  defaultAlpha,
  defaultMinScoredTokens,
  generateWatermarkKey,
  readWatermarkKey,
  watermarkSchemes,
  writeWatermarkKey,
  type CohortDetection,
  type DetectionResult,
  type WatermarkKey,
  type WatermarkScheme,
} from '../../watermark/index.js';
import { parseNonNegativeInteger, parsePositiveInteger } from '../options.js';

interface KeygenOptions {
  scheme: WatermarkScheme;
  out: string;
  gamma?: number;
  delta?: number;
  window?: number;
  reference?: boolean;
}
interface DetectOptions {
  key?: string;
  cohortKeys?: string[];
  json?: boolean;
  jsonl?: boolean;
  alpha: number;
  minTokens: number;
}

function parseScheme(value: string): WatermarkScheme {
  if (!(watermarkSchemes as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${watermarkSchemes.join(', ')}.`);
  return value as WatermarkScheme;
}

function parseFraction(value: string): number {
  const parsed = Number(value);
  if (!(parsed > 0 && parsed < 1))
    throw new InvalidArgumentError('expected a number between 0 and 1.');
  return parsed;
}

function parseNonNegative(value: string): number {
  const parsed = Number(value);
  if (!(parsed >= 0) || !Number.isFinite(parsed))
    throw new InvalidArgumentError('expected a number >= 0.');
  return parsed;
}

/** Key files named on the command line; a directory stands for its *.json files. */
export function readCohortKeys(paths: readonly string[]): WatermarkKey[] {
  const files = paths.flatMap((path) => {
    let isDirectory = false;
    try {
      isDirectory = statSync(path).isDirectory();
    } catch (error) {
      throw new DistillGuardError('input_unreadable', describeFileError(path, error), {
        cause: error,
      });
    }
    return isDirectory
      ? readdirSync(path)
          .filter((name) => name.endsWith('.json'))
          .sort()
          .map((name) => join(path, name))
      : [path];
  });
  if (files.length === 0)
    throw new DistillGuardError(
      'usage',
      'no cohort key files found; pass key files or a directory of *.json keys.',
    );
  return files.map(readWatermarkKey);
}

function readAllText(source: string): string {
  try {
    return source === '-' ? readFileSync(0, 'utf8') : readFileSync(source, 'utf8');
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(source, error), {
      cause: error,
    });
  }
}

function describe(result: DetectionResult | CohortDetection): string {
  if ('keys' in result) {
    const best = result.keys.reduce(
      (a, b) => (b.adjusted_log10_p_value < a.adjusted_log10_p_value ? b : a),
      result.keys[0],
    );
    return `${result.verdict}${result.cohort ? ` (cohort ${result.cohort})` : ''}: ${best.scored_tokens} scored tokens, Holm-adjusted p = 10^${result.log10_p_value.toFixed(2)} over ${result.keys.length} keys`;
  }
  return `${result.verdict}: ${result.scored_tokens} scored tokens, statistic ${Number(result.statistic.toFixed(4))}, p = 10^${result.log10_p_value.toFixed(2)} (${result.scheme}, key ${result.key_id})`;
}

export function registerWatermark(program: Command): void {
  const watermark = program
    .command('watermark')
    .description(
      'watermark keys and detection (KGW, SelfHash, Gumbel/EXP, Unigram); see docs/provenance.md',
    );
  watermark
    .command('keygen')
    .description('write a new random watermark key (JSON, mode 0600); the secret is never printed')
    .requiredOption('--scheme <s>', `one of ${watermarkSchemes.join(', ')}`, parseScheme)
    .requiredOption('--out <file>', 'key file to write')
    .option('--gamma <g>', 'green share of the vocabulary (green-list schemes)', parseFraction)
    .option('--delta <d>', 'logit bonus of green tokens (green-list schemes)', parseNonNegative)
    .option(
      '--window <h>',
      'preceding tokens that seed the green list or the Gumbel draw',
      parsePositiveInteger,
    )
    .option(
      '--reference',
      'kgw only: lm-watermarking-compatible seeding (fixed public hash key; for interop, not secret)',
    )
    .action((options: KeygenOptions) => {
      const key = generateWatermarkKey(options.scheme, {
        ...(options.gamma !== undefined ? { gamma: options.gamma } : {}),
        ...(options.delta !== undefined ? { delta: options.delta } : {}),
        ...(options.window !== undefined ? { window: options.window } : {}),
        ...(options.reference ? { seeding: 'reference' as const } : {}),
      });
      writeWatermarkKey(options.out, key);
      process.stdout.write(`wrote ${key.scheme} key ${key.key_id} to ${options.out} (mode 0600)\n`);
    });
  watermark
    .command('cohort-keys')
    .description(
      "derive the cohort keys a gateway's master key serves tracer cohorts under (files cohort-<id>.json, mode 0600), for detect --cohort-keys and audit --cohort-keys",
    )
    .requiredOption(
      '--master <file>',
      'the master key of the gateway (config watermark.master_key_file)',
    )
    .requiredOption('--out <folder>', 'folder to write the cohort keys into (must exist)')
    .option(
      '--cohorts <n>',
      'how many cohorts, ids 0 to n-1 (the policy tracer.cohorts; default 16)',
      parsePositiveInteger,
      16,
    )
    .option(
      '--generation <g>',
      'key generation (rotation); 0 unless the cohorts were rotated',
      parseNonNegativeInteger,
      0,
    )
    .action((options: { master: string; out: string; cohorts: number; generation: number }) => {
      const master = readWatermarkKey(options.master);
      if (!existsSync(options.out))
        throw new DistillGuardError(
          'usage',
          `--out folder '${options.out}' does not exist; create it first.`,
        );
      for (let cohort = 0; cohort < options.cohorts; cohort += 1) {
        writeWatermarkKey(
          join(options.out, `cohort-${cohort}.json`),
          deriveCohortKey(master, String(cohort), options.generation),
        );
      }
      process.stdout.write(
        `wrote ${options.cohorts} cohort keys of master ${master.key_id} (generation ${options.generation}) to ${options.out}\n`,
      );
    });
  watermark
    .command('detect')
    .description(
      'test text for a watermark: exact p-value, verdict at --alpha, no verdict below --min-tokens scored tokens',
    )
    .argument('[file]', "text file, or '-' for standard input", '-')
    .option('--key <file>', 'watermark key')
    .option(
      '--cohort-keys <paths...>',
      'test against several cohort keys (files or a directory of *.json) with Holm correction',
    )
    .option('--json', 'print the result as JSON')
    .option('--jsonl', 'read JSON Lines with a "text" field; write one JSON result per line')
    .option('--alpha <a>', 'significance level of the verdict', parseFraction, defaultAlpha)
    .option(
      '--min-tokens <n>',
      'fewest scored tokens for a verdict',
      parsePositiveInteger,
      defaultMinScoredTokens,
    )
    .action(async (file: string, options: DetectOptions) => {
      if (!options.key === !options.cohortKeys)
        throw new DistillGuardError('usage', 'pass either --key FILE or --cohort-keys FILES|DIR.');
      const detectionOptions = { alpha: options.alpha, minScoredTokens: options.minTokens };
      const detect: (text: string) => DetectionResult | CohortDetection = options.key
        ? (
            (detector) => (text: string) =>
              detector.detectText(text)
          )(new WatermarkDetector(readWatermarkKey(options.key), detectionOptions))
        : (
            (detector) => (text: string) =>
              detector.detectText(text)
          )(new CohortDetector(readCohortKeys(options.cohortKeys ?? []), detectionOptions));
      if (!options.jsonl) {
        const result = detect(readAllText(file));
        process.stdout.write(
          options.json ? `${JSON.stringify(result)}\n` : `${describe(result)}\n`,
        );
        return;
      }
      await detectLines(file, detect);
    });
}

/** Streams JSON Lines: one result per good line; a bad line is reported on stderr by number and skipped. */
async function detectLines(
  file: string,
  detect: (text: string) => DetectionResult | CohortDetection,
): Promise<void> {
  const input = file === '-' ? process.stdin : createReadStream(file, 'utf8');
  const opened = new Promise<void>((resolve, reject) => {
    input.once('error', (error: Error) =>
      reject(
        new DistillGuardError('input_unreadable', describeFileError(file, error), { cause: error }),
      ),
    );
    input.once('end', resolve);
  });
  let lineNumber = 0;
  let rejected = 0;
  const lines = createInterface({ input, crlfDelay: Infinity });
  const reading = (async () => {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim().length === 0) continue;
      let text: unknown;
      try {
        text = (JSON.parse(line) as { text?: unknown } | null)?.text;
      } catch {
        text = undefined;
      }
      if (typeof text !== 'string') {
        rejected += 1;
        process.stderr.write(
          `distillguard: line ${lineNumber}: expected a JSON object with a string "text" field; skipped.\n`,
        );
        continue;
      }
      if (!process.stdout.write(`${JSON.stringify({ line: lineNumber, ...detect(text) })}\n`))
        await new Promise((resolve) => process.stdout.once('drain', resolve));
    }
  })();
  await Promise.all([reading, opened]);
  if (rejected > 0)
    throw new DistillGuardError(
      'input_invalid',
      `${rejected} of ${lineNumber} lines were skipped (see the messages above); the other results were written.`,
    );
}
