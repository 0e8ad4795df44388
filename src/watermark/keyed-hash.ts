// The keyed hash that seeds green lists and Gumbel draws: 256 bits of key material derived once
// per key with HMAC-SHA256, then a fast 32-bit mixing chain per (window, token). Why not HMAC per
// token: detection must score millions of tokens per second (see docs/decisions/2026-11-27-watermark-tests.md).
import { createHmac } from 'node:crypto';
import { mix32 } from '../core/index.js';

const twoToThe32 = 4294967296;

export class KeyedHash {
  private readonly words: Uint32Array;

  /** `secret`: the key's random bytes; `purpose` separates schemes that share a secret. */
  constructor(secret: Uint8Array, purpose: string) {
    const material = createHmac('sha256', secret)
      .update(`distillguard/watermark/prf/v1/${purpose}`)
      .digest();
    this.words = new Uint32Array(8);
    for (let index = 0; index < 8; index += 1) this.words[index] = material.readUInt32LE(index * 4);
  }

  /** Seed of the window tokens[start..end) (an empty window gives a key-only seed). */
  windowSeed(tokens: ArrayLike<number>, start: number, end: number): number {
    const words = this.words;
    let h = words[0];
    for (let index = start; index < end; index += 1)
      h = mix32((h ^ Math.imul(tokens[index], 0x9e3779b1)) + words[1]);
    return mix32(h ^ words[2]);
  }

  /** Seed of a single token under an anchor (SelfHash's min-hash terms). */
  pairSeed(token: number, anchor: number): number {
    return mix32(
      (mix32(Math.imul(token, 0x9e3779b1) ^ this.words[3]) + Math.imul(anchor, 0x85ebca77)) ^
        this.words[4],
    );
  }

  /** Keyed 32-bit value of `token` under `seed`, uniform on 0..2^32-1 for a random key. */
  tokenValue(seed: number, token: number): number {
    return mix32(
      (mix32(seed ^ Math.imul(token, 0xcc9e2d51) ^ this.words[5]) + this.words[6]) ^ this.words[7],
    );
  }

  /** `tokenValue` as a uniform in (0, 1): never exactly 0 or 1, so logs stay finite. */
  tokenUniform(seed: number, token: number): number {
    return (this.tokenValue(seed, token) + 0.5) / twoToThe32;
  }
}

/** Threshold below which a 32-bit value is green: P(green) = gamma for a uniform value (up to 2^-32). */
export function greenThreshold(gamma: number): number {
  return Math.floor(gamma * twoToThe32);
}

/**
 * Unkeyed 53-bit fingerprint of the tuple tokens[start..end] (window and token), for deduplication:
 * two independent 32-bit chains; collisions are ~n^2 / 2^54.
 */
export function tupleFingerprint(tokens: ArrayLike<number>, start: number, end: number): number {
  let first = 0x243f6a88;
  let second = 0x85a308d3;
  for (let index = start; index <= end; index += 1) {
    const token = tokens[index];
    first = mix32((first ^ token) + 0x13198a2e);
    second = mix32(Math.imul(second ^ token, 0x27d4eb2f) + 0x03707344);
  }
  return first * 2097152 + (second & 0x1fffff);
}
