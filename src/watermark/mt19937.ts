// The 32-bit Mersenne Twister (Matsumoto and Nishimura 1998), as std::mt19937 and torch's CPU
// generator implement it: needed to reproduce the reference KGW green lists bit for bit.

const stateSize = 624;
const shift = 397;

export class Mt19937 {
  private readonly state = new Uint32Array(stateSize);
  private index = stateSize;

  /** Seeds as std::mt19937(seed) and torch's manual_seed: only the low 32 bits of `seed` count. */
  constructor(seed: number | bigint = 5489) {
    const low = typeof seed === 'bigint' ? Number(BigInt.asUintN(32, seed)) : lowBits32(seed);
    this.state[0] = low;
    for (let i = 1; i < stateSize; i += 1) {
      const previous = this.state[i - 1] ^ (this.state[i - 1] >>> 30);
      // 1812433253 * previous + i, modulo 2^32 (Knuth TAOCP vol. 2, 3rd ed., p. 106)
      this.state[i] = (Math.imul(1812433253, previous) + i) >>> 0;
    }
  }

  /** The next 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    if (this.index >= stateSize) this.twist();
    let y = this.state[this.index];
    this.index += 1;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const state = this.state;
    for (let i = 0; i < stateSize; i += 1) {
      const y = (state[i] & 0x80000000) | (state[(i + 1) % stateSize] & 0x7fffffff);
      let next = state[(i + shift) % stateSize] ^ (y >>> 1);
      if (y & 1) next ^= 0x9908b0df;
      state[i] = next >>> 0;
    }
    this.index = 0;
  }
}

/** Low 32 bits of a non-negative safe integer (torch seeds with hash_key * token, up to ~2^44). */
export function lowBits32(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new RangeError(`expected a non-negative safe integer seed, got ${value}`);
  return value % 4294967296;
}
