// `distillguard refmodel`: train the built-in reference language model and serve it over an
// OpenAI-compatible API.
import type { Command } from 'commander';
import { defaultListenHost, tracerCohortHeader } from '../../core/index.js';
import {
  loadDefaultModel,
  loadModel,
  startReferenceModelServer,
  trainFromCorpus,
  writeModelFile,
  defaultOrder,
} from '../../refmodel/index.js';
import { parseNonNegativeInteger } from '../options.js';
import { InvalidArgumentError } from 'commander';
import {
  cohortWatermarkProcessors,
  readWatermarkKey,
  watermarkProcessor,
} from '../../watermark/index.js';

interface TrainCommandOptions {
  corpus: string;
  out: string;
  order: number;
}

interface ServeCommandOptions {
  port: number;
  host: string;
  model?: string;
  watermark?: string;
  watermarkMaster?: string;
}

function parseOrder(value: string): number {
  const order = Number(value);
  if (!Number.isInteger(order) || order < 2 || order > 6)
    throw new InvalidArgumentError('expected a whole number from 2 to 6.');
  return order;
}

function parsePort(value: string): number {
  const port = parseNonNegativeInteger(value);
  if (port > 65535) throw new InvalidArgumentError('expected a port from 0 to 65535.');
  return port;
}

export function registerRefmodel(program: Command): void {
  const refmodel = program
    .command('refmodel')
    .description(
      'the built-in reference language model (n-gram over cl100k_base) and its OpenAI-compatible server',
    );
  refmodel
    .command('train')
    .description(
      'train a model from plain text (documents separated by a line <|endoftext|>) or JSON Lines with a "text" field',
    )
    .requiredOption(
      '--corpus <file>',
      "corpus file (.gz detected; .jsonl/.ndjson read as JSON Lines; '-' for stdin)",
    )
    .requiredOption('--out <model>', 'model file to write (gzip-compressed when it ends in .gz)')
    .option('--order <n>', 'longest n-gram', parseOrder, defaultOrder)
    .action(async (options: TrainCommandOptions) => {
      const { tables, documents } = await trainFromCorpus(options.corpus, { order: options.order });
      writeModelFile(options.out, tables);
      process.stdout.write(
        `trained an order-${tables.order} model on ${documents.toLocaleString('en-US')} documents (${tables.trainingTokens.toLocaleString('en-US')} tokens, vocabulary ${tables.vocabulary.length.toLocaleString('en-US')}); wrote ${options.out}\n`,
      );
    });
  refmodel
    .command('serve')
    .description(
      'serve a model over the OpenAI API (/v1/chat/completions, /v1/completions, /v1/models, /health)',
    )
    .requiredOption('--port <p>', 'port to listen on (0 picks a free one)', parsePort)
    .option('--host <h>', 'address to listen on', defaultListenHost)
    .option('--model <file>', 'model file (default: the shipped model)')
    .option(
      '--watermark <key>',
      'mark every generation with this watermark key (distillguard watermark keygen)',
    )
    .option(
      '--watermark-master <key>',
      `tracer cohorts: requests with the gateway's ${tracerCohortHeader} header are marked with that cohort's key, derived from this master key`,
    )
    .action(async (options: ServeCommandOptions) => {
      const model = options.model ? loadModel(options.model) : loadDefaultModel();
      const key = options.watermark ? readWatermarkKey(options.watermark) : undefined;
      const logitsProcessor = key ? watermarkProcessor(key) : undefined;
      const master = options.watermarkMaster
        ? readWatermarkKey(options.watermarkMaster)
        : undefined;
      const logitsProcessorFor = master ? cohortWatermarkProcessors(master) : undefined;
      const server = await startReferenceModelServer({
        port: options.port,
        host: options.host,
        model,
        logitsProcessor,
        logitsProcessorFor,
      });
      const marked =
        (key ? `, watermarked with ${key.scheme} key ${key.key_id}` : '') +
        (master ? `, tracer cohorts under ${master.scheme} master key ${master.key_id}` : '');
      process.stdout.write(
        `reference model listening on ${server.url} (OpenAI base URL ${server.url}/v1${marked})\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          void server.close().then(resolve);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      process.stdout.write('reference model stopped\n');
    });
}
