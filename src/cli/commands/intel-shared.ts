// What the `intel` subcommands share: the store, TLP and config options, reading bundles and
// secret files, and how a rejected object is named.
import { readFile } from 'node:fs/promises';
import { describeFileError, DistillGuardError, jsonErrorOffset } from '../../core/index.js';
import { readGatewayConfig } from '../../gateway/index.js';
import {
  defaultIntelConfig,
  isTlpLevel,
  tlpLevels,
  type IntelConfig,
  type ObjectProblem,
  type TlpLevel,
} from '../../intel/index.js';
import type { Store } from '../../store/index.js';
import { openStore } from '../open-store.js';

export interface StoreOption {
  db: string;
  /** The gateway config: its `storage` block names the store (and its `intel` block, where read, the sharing policy). */
  config?: string;
}

export async function withStore<T>(
  options: StoreOption,
  work: (store: Store) => T | Promise<T>,
): Promise<T> {
  const store = await openStore(options);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

export function parseTlp(value: string): TlpLevel {
  const level = value.toLowerCase();
  if (!isTlpLevel(level))
    throw new DistillGuardError(
      'usage',
      `--tlp must be one of ${tlpLevels.join(', ')}, not '${value}'.`,
    );
  return level;
}

async function readStandardInput(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and parses a bundle file; a JSON error names the line and column. */
export async function readBundle(path: string): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' ? await readStandardInput() : await readFile(path, 'utf8');
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error), {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const offset = jsonErrorOffset(text);
    let where = '';
    if (offset >= 0) {
      const before = text.slice(0, offset);
      where = `:${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
    }
    throw new DistillGuardError(
      'input_invalid',
      `${path}${where}: not JSON (${(error as Error).message}). A STIX bundle is one JSON object {"type": "bundle", ...}.`,
    );
  }
}

export function describeProblem(path: string, problem: ObjectProblem): string {
  return `${path}: objects[${problem.index}]${problem.id ? ` ${problem.id}` : ''}${problem.field ? ` at '${problem.field}'` : ''}: ${problem.reason}`;
}

export function intelConfig(options: {
  config?: string;
  org?: string;
  network?: string;
}): IntelConfig {
  const config = options.config
    ? (readGatewayConfig(options.config).intel ?? defaultIntelConfig)
    : defaultIntelConfig;
  const network = options.network ?? config.network_indicators;
  if (network !== 'none' && network !== 'keyed' && network !== 'clear')
    throw new DistillGuardError(
      'usage',
      `--network must be none, keyed or clear, not '${network}'.`,
    );
  return {
    ...config,
    network_indicators: network,
    organization: options.org
      ? { ...(config.organization ?? { identity_class: 'organization' }), name: options.org }
      : config.organization,
  };
}

/** A secret kept in a file (trailing newline dropped); refused when short. */
export async function readSecretFile(path: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error));
  }
  if (text.length < 32 || /\s/.test(text))
    throw new DistillGuardError(
      'input_invalid',
      `the secret in '${path}' must be at least 32 characters without spaces.`,
    );
  return text;
}
