// Watermark keys: generation, cohort keys derived from a master key (HMAC-SHA256 KDF), rotation,
// and the key file (JSON, mode 0600). The secret never leaves these functions in any message.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { z } from 'zod';
import { DistillGuardError, describeFileError } from '../core/index.js';

export const watermarkSchemes = ['kgw', 'kgw-selfhash', 'gumbel', 'unigram'] as const;
export type WatermarkScheme = (typeof watermarkSchemes)[number];

export interface WatermarkParameters {
  /** Share of the vocabulary that is green (green-list schemes). */
  gamma: number;
  /** Logit bonus of green tokens (green-list schemes). */
  delta: number;
  /** Preceding tokens that seed the green list or the Gumbel draw (0 for unigram). */
  window: number;
  /** 'keyed': our HMAC-keyed seeds; 'reference': lm-watermarking's fixed-key LeftHash (kgw only). */
  seeding: 'keyed' | 'reference';
  /** Vocabulary size for reference seeding (cl100k_base: 100277). */
  vocabulary_size: number;
}

export interface WatermarkKey {
  key_id: string;
  scheme: WatermarkScheme;
  parameters: WatermarkParameters;
  /** 32 random bytes, base64url. */
  secret: string;
  created_at: string;
  /** Set on cohort keys: the cohort and the master key they derive from. */
  cohort?: string;
  master_key_id?: string;
  /** Set on rotated keys: the key this one replaces. */
  rotated_from?: string;
}

/** cl100k_base token ids run to 100276. */
export const cl100kVocabularySize = 100277;

/** Defaults per scheme: KGW as Kirchenbauer et al. 2023 §6 (gamma 0.25, delta 2); Unigram as Zhao et al. 2024 (gamma 0.5, delta 2). */
export function defaultParameters(scheme: WatermarkScheme): WatermarkParameters {
  switch (scheme) {
    case 'kgw':
      return {
        gamma: 0.25,
        delta: 2,
        window: 1,
        seeding: 'keyed',
        vocabulary_size: cl100kVocabularySize,
      };
    case 'kgw-selfhash':
      return {
        gamma: 0.25,
        delta: 2,
        window: 3,
        seeding: 'keyed',
        vocabulary_size: cl100kVocabularySize,
      };
    case 'gumbel':
      return {
        gamma: 0,
        delta: 0,
        window: 4,
        seeding: 'keyed',
        vocabulary_size: cl100kVocabularySize,
      };
    case 'unigram':
      return {
        gamma: 0.5,
        delta: 2,
        window: 0,
        seeding: 'keyed',
        vocabulary_size: cl100kVocabularySize,
      };
  }
}

const keySchema = z.object({
  key_id: z.string().min(1),
  scheme: z.enum(watermarkSchemes),
  parameters: z.object({
    gamma: z.number().min(0).max(1),
    delta: z.number().min(0),
    window: z.number().int().min(0).max(16),
    seeding: z.enum(['keyed', 'reference']),
    vocabulary_size: z.number().int().positive(),
  }),
  secret: z.string().regex(/^[A-Za-z0-9_-]{43,}$/, 'expected at least 32 bytes in base64url'),
  created_at: z.string(),
  cohort: z.string().optional(),
  master_key_id: z.string().optional(),
  rotated_from: z.string().optional(),
});

function keyIdOf(secret: Buffer): string {
  // A one-way tag of the secret: shows which key was used without revealing it.
  return `wk_${createHash('sha256').update('distillguard/watermark/key-id/v1').update(secret).digest('hex').slice(0, 16)}`;
}

function checkParameters(
  scheme: WatermarkScheme,
  parameters: WatermarkParameters,
): WatermarkParameters {
  const greenList = scheme !== 'gumbel';
  if (greenList && !(parameters.gamma > 0 && parameters.gamma < 1))
    throw new DistillGuardError(
      'usage',
      `--gamma must be between 0 and 1 (exclusive) for ${scheme}; got ${parameters.gamma}.`,
    );
  if (greenList && !(parameters.delta > 0))
    throw new DistillGuardError(
      'usage',
      `--delta must be > 0 for ${scheme}; got ${parameters.delta}.`,
    );
  if (parameters.seeding === 'reference' && (scheme !== 'kgw' || parameters.window !== 1)) {
    throw new DistillGuardError(
      'usage',
      'reference seeding exists only for kgw with window 1 (LeftHash, as lm-watermarking).',
    );
  }
  return parameters;
}

/** A new key with a random 32-byte secret. */
export function generateWatermarkKey(
  scheme: WatermarkScheme,
  overrides: Partial<WatermarkParameters> = {},
  now = new Date(),
): WatermarkKey {
  const parameters = checkParameters(scheme, { ...defaultParameters(scheme), ...overrides });
  const secret = randomBytes(32);
  return {
    key_id: keyIdOf(secret),
    scheme,
    parameters,
    secret: secret.toString('base64url'),
    created_at: now.toISOString(),
  };
}

/**
 * The key of cohort `cohortId` under a master key: secret = HMAC-SHA256(master secret,
 * "distillguard/watermark/cohort/v1/<scheme>/<generation>/<cohort>") (RFC 2104 as a KDF, as
 * HKDF-Expand with one block, RFC 5869). Same master, cohort and generation: same key.
 * Rotate a cohort by raising `generation` (a new key id), or rotate the master.
 */
export function deriveCohortKey(
  master: WatermarkKey,
  cohortId: string,
  generation = 0,
  now = new Date(),
): WatermarkKey {
  if (cohortId.length === 0) throw new DistillGuardError('usage', 'a cohort id must not be empty.');
  const secret = createHmac('sha256', Buffer.from(master.secret, 'base64url'))
    .update(`distillguard/watermark/cohort/v1/${master.scheme}/${generation}/${cohortId}`)
    .digest();
  return {
    key_id: keyIdOf(secret),
    scheme: master.scheme,
    parameters: { ...master.parameters },
    secret: secret.toString('base64url'),
    created_at: now.toISOString(),
    cohort: cohortId,
    master_key_id: master.key_id,
  };
}

/** A fresh random key with the same scheme and parameters, recording the key it replaces. */
export function rotateWatermarkKey(key: WatermarkKey, now = new Date()): WatermarkKey {
  return { ...generateWatermarkKey(key.scheme, key.parameters, now), rotated_from: key.key_id };
}

/** The secret's bytes. */
export function keySecretBytes(key: WatermarkKey): Buffer {
  return Buffer.from(key.secret, 'base64url');
}

/** Checks a parsed key file; the message names the field, never the secret. */
export function parseWatermarkKey(value: unknown, source = 'key'): WatermarkKey {
  const parsed = keySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DistillGuardError(
      'input_invalid',
      `${source} is not a watermark key: field '${issue.path.join('.') || '(root)'}': ${issue.message}. Create one with 'distillguard watermark keygen'.`,
    );
  }
  return checkParameters(parsed.data.scheme, parsed.data.parameters) && parsed.data;
}

export function readWatermarkKey(path: string): WatermarkKey {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error), {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DistillGuardError(
      'input_invalid',
      `'${path}' is not JSON. A watermark key file is written by 'distillguard watermark keygen'.`,
    );
  }
  return parseWatermarkKey(value, `'${path}'`);
}

/** Writes the key as JSON, readable by its owner only (mode 0600). */
export function writeWatermarkKey(path: string, key: WatermarkKey): void {
  try {
    writeFileSync(path, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600 });
    chmodSync(path, 0o600); // an existing file keeps its mode on write
  } catch (error) {
    throw new DistillGuardError(
      'output_unwritable',
      `cannot write the key to '${path}': ${(error as Error).message}`,
      { cause: error },
    );
  }
}
