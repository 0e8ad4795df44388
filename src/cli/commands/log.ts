// `distillguard log public-key|checkpoint|verify|prove|verify-proof|keygen|cosign`: the
// transparency log of designation. Reading and checking it needs no user: it holds what partners
// may see, and anyone given a copy or a package must be able to check it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DistillGuardError, describeFileError } from '../../core/index.js';
import {
  checkConsistencyProof,
  checkEntryProof,
  consistencyFormat,
  proveConsistencyFrom,
  type ConsistencyProofDocument,
  cosignCheckpoint,
  generateCosignerKey,
  generateSignerKey,
  loadLogSigner,
  parseSignerKey,
  parseVerifierKey,
  proveEntry,
  recordedVerifierKey,
  TransparencyLog,
  verifyLog,
  type InclusionProofDocument,
} from '../../designate/index.js';
import type { Store } from '../../store/index.js';
import { defaultDatabasePath } from '../options.js';
import { openStoreAt, storeConfigDescription, storeLocation } from '../open-store.js';
import { writeOutputFile } from '../write-output.js';

interface LogOptions {
  db: string;
  config?: string;
  logKeyFile?: string;
}

function readInput(path: string): string {
  try {
    return readFileSync(path === '-' ? 0 : path, 'utf8');
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error));
  }
}

/**
 * The log lives in a store that exists: a mistyped --db must not make a new log and key. (A
 * PostgreSQL store named by --config is opened as it is.)
 */
async function existingStore(options: LogOptions): Promise<Store> {
  const location = storeLocation(options);
  const path = options.db;
  if (location.kind === 'sqlite' && path !== ':memory:' && !existsSync(path))
    throw new DistillGuardError(
      'usage',
      `no store at '${path}': pass the --db the cases and exports were made in.`,
    );
  return openStoreAt(location);
}

function parseEntryIndex(text: string): number {
  const index = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(index))
    throw new DistillGuardError(
      'usage',
      `--entry must be an entry number (0, 1, ...), not '${text}'.`,
    );
  return index;
}

type ProofDocument = InclusionProofDocument | ConsistencyProofDocument;

function parseProofDocuments(path: string): ProofDocument[] {
  const text = readInput(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DistillGuardError(
      'input_invalid',
      `'${path}' is not a proof document (JSON from log prove, or log/entries.json of a package): ${(error as Error).message}`,
    );
  }
  const documents = Array.isArray(parsed) ? parsed : [parsed];
  documents.forEach((document, position) => {
    const fields = (document ?? {}) as Record<string, unknown>;
    const strings = (names: string[]) => names.every((name) => typeof fields[name] === 'string');
    const hashes = (name: string) =>
      Array.isArray(fields[name]) &&
      (fields[name] as unknown[]).every((item) => typeof item === 'string');
    const inclusion =
      typeof fields.index === 'number' &&
      typeof fields.tree_size === 'number' &&
      strings(['entry', 'leaf_hash', 'checkpoint']) &&
      hashes('inclusion_proof');
    const consistency =
      fields.format === consistencyFormat &&
      strings(['old_checkpoint', 'new_checkpoint']) &&
      hashes('consistency_proof');
    if (!inclusion && !consistency)
      throw new DistillGuardError(
        'input_invalid',
        `'${path}': proof ${position} is neither an entry's inclusion proof (index, entry, leaf_hash, tree_size, inclusion_proof, checkpoint) nor a consistency proof (old_checkpoint, new_checkpoint, consistency_proof), as log prove and log prove-consistency write them.`,
      );
  });
  return documents as ProofDocument[];
}

/**
 * A case's entries name their predecessor (`previous`): every one a set of proofs names must be in
 * it, so a package cannot leave out a step of the case and still verify.
 */
function missingFromChains(documents: ProofDocument[]): string[] {
  const present = new Set<number>();
  const named: { index: number; previous: number }[] = [];
  for (const document of documents) {
    if (document.format === consistencyFormat) continue;
    present.add(document.index);
    try {
      const entry = JSON.parse(document.entry) as { previous?: unknown };
      if (typeof entry.previous === 'number')
        named.push({ index: document.index, previous: entry.previous });
    } catch {
      // an entry that is not JSON fails its own proof check
    }
  }
  return named
    .filter(({ previous }) => !present.has(previous))
    .map(
      ({ index, previous }) =>
        `entry ${index} follows entry ${previous} of the same case, which is not here: the set of entries is incomplete`,
    );
}

async function withLog<T>(
  options: LogOptions,
  work: (log: TransparencyLog, store: Store) => T | Promise<T>,
): Promise<T> {
  const store = await existingStore(options);
  try {
    const signer = await loadLogSigner({
      databasePath: options.db,
      file: options.logKeyFile,
      store,
    });
    return await work(new TransparencyLog(store.designation, signer), store);
  } finally {
    await store.close();
  }
}

const storeOptions = (command: Command) =>
  command
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .option('--log-key-file <file>', "the log's signing key (default: <db>.log-key)");

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerLog(program: Command): void {
  const log = program
    .command('log')
    .description(
      'the append-only transparency log of cases, exports and imports (RFC 6962, C2SP checkpoints)',
    );

  storeOptions(
    log.command('public-key').description("print the log's verifier key (C2SP signed-note format)"),
  ).action(async (options: LogOptions) => {
    const key = await withLog(options, (transparencyLog) => transparencyLog.signer.verifierKey);
    process.stdout.write(`${key}\n`);
  });

  storeOptions(
    log
      .command('checkpoint')
      .description('sign the current tree (if not yet signed) and write the latest checkpoint')
      .option('--out <file>', 'write it here (default: standard output)'),
  ).action(async (options: LogOptions & { out?: string }) => {
    const row = await withLog(options, (transparencyLog) => transparencyLog.checkpoint());
    if (options.out) {
      await writeOutputFile(options.out, row.note);
      process.stderr.write(`checkpoint of ${row.treeSize} entries written to ${options.out}\n`);
    } else process.stdout.write(row.note);
  });

  storeOptions(
    log
      .command('verify')
      .description('recompute every entry and checkpoint; check saved checkpoints against the log')
      .option(
        '--checkpoint <file>',
        'a saved checkpoint to hold the log to (repeatable)',
        collect,
        [],
      )
      .option(
        '--key <verifier-key>',
        "the log's verifier key to trust (default: the one the store recorded)",
      )
      .option(
        '--cosigner <verifier-key>',
        'a cosigner whose cosignature each saved checkpoint must carry (repeatable)',
        collect,
        [],
      ),
  ).action(
    async (options: LogOptions & { checkpoint: string[]; key?: string; cosigner: string[] }) => {
      const store = await existingStore(options);
      let result;
      try {
        const verifierKey = options.key ?? (await recordedVerifierKey(store));
        if (verifierKey === null) {
          const held = await store.designation.snapshot(
            async () =>
              (await store.designation.logSize()) +
              (await store.designation.listCheckpoints()).length,
          );
          if (held > 0 || options.checkpoint.length > 0)
            throw new DistillGuardError(
              'input_invalid',
              `the store does not record the log's verifier key, yet ${held > 0 ? 'holds entries or checkpoints' : 'you gave saved checkpoints'}: pass the key you trust with --key (log public-key printed it).`,
            );
          process.stdout.write('the log is empty and unsigned: nothing to verify\n');
          return;
        }
        try {
          parseVerifierKey(verifierKey);
          for (const key of options.cosigner) parseVerifierKey(key);
        } catch (error) {
          throw new DistillGuardError('usage', `--key or --cosigner: ${(error as Error).message}`);
        }
        result = await verifyLog(store.designation, {
          verifierKey,
          saved: options.checkpoint.map((path) => ({
            label: `checkpoint ${path}`,
            note: readInput(path),
          })),
          cosigners: options.cosigner,
        });
      } finally {
        await store.close();
      }
      if (result.problems.length > 0) {
        process.stdout.write(`${result.problems.map((problem) => `FAIL ${problem}`).join('\n')}\n`);
        throw new DistillGuardError(
          'input_invalid',
          `the log does not verify: ${result.problems.length} problem(s) above (${result.entries} entries, ${result.checkpointsChecked} stored checkpoint(s)).`,
        );
      }
      process.stdout.write(
        `ok: ${result.entries} entries, ${result.checkpointsChecked} stored checkpoint(s) verified${result.savedChecked.map((saved) => `; saved checkpoint of ${saved.treeSize} entries holds (signed by ${saved.signedBy.join(', ')})`).join('')}\n`,
      );
    },
  );

  storeOptions(
    log
      .command('prove')
      .description(
        'an entry with its inclusion proof and the signed checkpoint it leads to, as JSON',
      )
      .requiredOption('--entry <n>', 'the entry index (0-based)')
      .option('--checkpoint <file>', 'prove against this saved checkpoint (default: the latest)')
      .option('--out <file>', 'write it here (default: standard output)'),
  ).action(async (options: LogOptions & { entry: string; checkpoint?: string; out?: string }) => {
    const index = parseEntryIndex(options.entry);
    const document = await withLog(options, async (transparencyLog, store) => {
      let checkpoint = await transparencyLog.checkpoint();
      if (options.checkpoint) {
        const note = readInput(options.checkpoint);
        const result = await verifyLog(store.designation, {
          verifierKey: transparencyLog.signer.verifierKey,
          saved: [{ label: `checkpoint ${options.checkpoint}`, note }],
        });
        const problem = result.problems.find((text) =>
          text.startsWith(`checkpoint ${options.checkpoint}`),
        );
        if (problem) throw new DistillGuardError('input_invalid', problem);
        checkpoint = { treeSize: result.savedChecked[0].treeSize, note, createdAt: '' };
      }
      return proveEntry(transparencyLog, index, checkpoint);
    });
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (options.out) await writeOutputFile(options.out, text);
    else process.stdout.write(text);
  });

  storeOptions(
    log
      .command('prove-consistency')
      .description(
        'prove that the log a saved checkpoint covered is a prefix of the log now (RFC 6962 consistency proof), as JSON',
      )
      .requiredOption('--checkpoint <file>', 'the checkpoint a partner kept')
      .option('--out <file>', 'write it here (default: standard output)'),
  ).action(async (options: LogOptions & { checkpoint: string; out?: string }) => {
    const note = readInput(options.checkpoint);
    const document = await withLog(options, async (transparencyLog) =>
      proveConsistencyFrom(transparencyLog, note, await transparencyLog.checkpoint()),
    );
    const text = `${JSON.stringify(document, null, 2)}\n`;
    if (options.out) await writeOutputFile(options.out, text);
    else process.stdout.write(text);
  });

  log
    .command('verify-proof <file>')
    .description(
      "check an inclusion proof (log prove, or a package) with the log's verifier key alone",
    )
    .requiredOption(
      '--key <verifier-key>',
      "the log's verifier key (log public-key), obtained from the log's operator",
    )
    .option(
      '--checkpoint <file>',
      'the checkpoint you kept: a consistency proof must start from it',
    )
    .action((file: string, options: { key: string; checkpoint?: string }) => {
      const documents = parseProofDocuments(file);
      const mine = options.checkpoint ? readInput(options.checkpoint) : null;
      const failures: string[] = [];
      const grown: string[] = [];
      for (const document of documents) {
        if (document.format === consistencyFormat) {
          try {
            const { from, to } = checkConsistencyProof(document, options.key, mine);
            grown.push(`the log of ${from} entries is a prefix of the log of ${to}`);
          } catch (error) {
            failures.push(`consistency: ${(error as Error).message}`);
          }
          continue;
        }
        try {
          checkEntryProof(document, options.key);
        } catch (error) {
          failures.push(`entry ${document.index}: ${(error as Error).message}`);
        }
      }
      failures.push(...missingFromChains(documents));
      if (failures.length > 0) {
        process.stdout.write(`${failures.map((line) => `FAIL ${line}`).join('\n')}\n`);
        throw new DistillGuardError(
          'input_invalid',
          `${failures.length} problem(s) in ${documents.length} proofs.`,
        );
      }
      const entries = documents.length - grown.length;
      process.stdout.write(
        `ok: ${[entries > 0 ? `${entries} entries are in the signed log` : '', ...grown].filter(Boolean).join('; ')}\n`,
      );
    });

  log
    .command('keygen')
    .description("make a signing key (a cosigner's with --cosigner) and print its verifier key")
    .requiredOption(
      '--name <name>',
      'the key name (a cosigner: its own name, e.g. partner.example/witness)',
    )
    .requiredOption('--out <file>', 'where the private key goes (created 0600)')
    .option('--cosigner', 'a cosignature key (C2SP tlog-cosignature)')
    .action((options: { name: string; out: string; cosigner?: boolean }) => {
      const key = options.cosigner
        ? generateCosignerKey(options.name)
        : generateSignerKey(options.name);
      try {
        writeFileSync(options.out, `${key.signerKey}\n`, { mode: 0o600, flag: 'wx' });
      } catch (error) {
        throw new DistillGuardError(
          'output_unwritable',
          `cannot create '${options.out}': ${(error as Error).message}`,
        );
      }
      process.stdout.write(`${key.verifierKey}\n`);
    });

  log
    .command('cosign')
    .description("a partner's cosignature on a checkpoint it has checked (C2SP tlog-cosignature)")
    .requiredOption('--checkpoint <file>', 'the checkpoint to cosign')
    .requiredOption('--key-file <file>', 'your cosigner key (log keygen --cosigner)')
    .requiredOption(
      '--log-key <verifier-key>',
      "the log's verifier key: the checkpoint's signature is checked first",
    )
    .requiredOption('--out <file>', 'the checkpoint with your cosignature added')
    .action(
      async (options: { checkpoint: string; keyFile: string; logKey: string; out: string }) => {
        const cosigned = cosignCheckpoint(
          readInput(options.checkpoint),
          parseSignerKey(readInput(options.keyFile).trim()).signer,
          Math.floor(Date.now() / 1000),
          parseVerifierKey(options.logKey),
        );
        await writeOutputFile(options.out, cosigned);
        process.stderr.write(`cosigned checkpoint written to ${options.out}\n`);
      },
    );
}
