// A direct-mapped table of numeric slots (0: empty), as a typed array would hold it, that keeps
// only its occupied slots in a Map until it has enough of them to be worth the whole array. Most
// accounts send a handful of requests (a hydra cluster's thousands of small accounts above all), and
// two 2 KB tables per account were most of the live detector's memory per account.
// Reads and writes give exactly what the typed array would.

export type SlotKind = 'float64' | 'uint32';

/** Bytes a Map entry costs in V8, about: where the sparse form stops being the smaller one. */
const mapEntryBytes = 40;

export class DirectMappedTable {
  readonly size: number;
  private readonly kind: SlotKind;
  private readonly denseAfter: number;
  private sparse: Map<number, number> | null = new Map();
  private dense: Float64Array | Uint32Array | null = null;

  constructor(size: number, kind: SlotKind) {
    this.size = size;
    this.kind = kind;
    this.denseAfter = Math.floor((size * (kind === 'float64' ? 8 : 4)) / mapEntryBytes);
  }

  get(slot: number): number {
    return this.dense ? this.dense[slot] : ((this.sparse as Map<number, number>).get(slot) ?? 0);
  }

  set(slot: number, value: number): void {
    if (this.dense) {
      this.dense[slot] = value;
      return;
    }
    const sparse = this.sparse as Map<number, number>;
    // what the typed array would store: uint32 slots wrap, float64 slots keep the number
    const stored = this.kind === 'uint32' ? value >>> 0 : value;
    if (stored === 0) sparse.delete(slot);
    else sparse.set(slot, stored);
    if (sparse.size > this.denseAfter) {
      const dense =
        this.kind === 'uint32' ? new Uint32Array(this.size) : new Float64Array(this.size);
      for (const [index, held] of sparse) dense[index] = held;
      this.dense = dense;
      this.sparse = null;
    }
  }

  /** True while the table holds only its occupied slots. */
  get isSparse(): boolean {
    return this.dense === null;
  }
}
