// HyperLogLog distinct counter (Flajolet et al. 2007, with the small-range correction):
// 2^precision one-byte registers, about 1.04/sqrt(2^precision) relative error. The registers are
// allocated on the first add: many accounts never fill some of their counters (benchmark items).

export class HyperLogLog {
  private registers: Uint8Array | null = null;
  private readonly precision: number;

  constructor(precision = 8) {
    this.precision = precision;
  }

  /** Adds an item by its 32-bit hash (hash well first: low bits pick the register). */
  add(hash32: number): void {
    const index = hash32 >>> (32 - this.precision);
    const rest = (hash32 << this.precision) >>> 0;
    const rank = rest === 0 ? 32 - this.precision + 1 : Math.clz32(rest) + 1;
    const registers = (this.registers ??= new Uint8Array(1 << this.precision));
    if (rank > registers[index]) registers[index] = rank;
  }

  estimate(): number {
    const m = 1 << this.precision;
    if (this.registers === null) return 0; // every register zero: m * ln(m / m)
    let sum = 0;
    let zeros = 0;
    for (const register of this.registers) {
      sum += 2 ** -register;
      if (register === 0) zeros += 1;
    }
    const alpha = m >= 128 ? 0.7213 / (1 + 1.079 / m) : m === 64 ? 0.709 : m === 32 ? 0.697 : 0.673;
    const raw = (alpha * m * m) / sum;
    if (raw <= 2.5 * m && zeros > 0) return m * Math.log(m / zeros);
    return raw;
  }
}
