// Recognises public benchmark items inside prompts: an index from keyed shingle hashes to items,
// shipped as hashes (data/benchmark-index.json.gz), extendable with `distillguard benchmarks add`.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { edgeShingles, shingles } from './shingles.js';
import { ShingleTable } from './shingle-table.js';

export const builtInIndexPath = fileURLToPath(
  new URL('../../../../data/benchmark-index.json.gz', import.meta.url),
);

/** A match needs this many shingles of one item. */
const minimumHits = 2;
const ambiguous = -1;

export interface BenchmarkMatch {
  /** Index of the best-matching item. */
  item: number;
  suite: string;
}

export interface SerializedBenchmarkIndex {
  format: 'distillguard.benchmark-index/v2';
  key: number;
  suites: string[];
  /** Suite index of each item. */
  itemSuites: number[];
  /** Base64 of a little-endian Uint32Array: shingle hash, item index, shingle hash, item index, ... */
  entries: string;
}

export class BenchmarkIndex {
  readonly key: number;
  private readonly suites: string[];
  private readonly itemSuites: number[];
  private byShingle = new ShingleTable();

  constructor(key: number, suites: string[] = [], itemSuites: number[] = []) {
    this.key = key;
    this.suites = suites;
    this.itemSuites = itemSuites;
  }

  get itemCount(): number {
    return this.itemSuites.length;
  }

  get suiteNames(): readonly string[] {
    return this.suites;
  }

  /** Adds one item's text under `suite`; returns the item index. */
  addItem(suite: string, text: string): number {
    let suiteIndex = this.suites.indexOf(suite);
    if (suiteIndex === -1) suiteIndex = this.suites.push(suite) - 1;
    const item = this.itemSuites.push(suiteIndex) - 1;
    for (const hash of shingles(text, this.key)) this.addShingle(hash, item);
    return item;
  }

  /** Adds an item given as keyed shingle hashes (made with this index's key). */
  addHashedItem(suite: string, hashes: ArrayLike<number>): number {
    let suiteIndex = this.suites.indexOf(suite);
    if (suiteIndex === -1) suiteIndex = this.suites.push(suite) - 1;
    const item = this.itemSuites.push(suiteIndex) - 1;
    for (let index = 0; index < hashes.length; index += 1) this.addShingle(hashes[index], item);
    return item;
  }

  /** The keyed shingle hashes of `text` under this index's key (what `addHashedItem` takes). */
  hashesOf(text: string): Uint32Array {
    return Uint32Array.from(shingles(text, this.key));
  }

  /** Items per suite. */
  suiteSizes(): Map<string, number> {
    const sizes = new Map<string, number>();
    for (const suite of this.itemSuites)
      sizes.set(this.suites[suite], (sizes.get(this.suites[suite]) ?? 0) + 1);
    return sizes;
  }

  private addShingle(hash: number, item: number): void {
    const existing = this.byShingle.get(hash);
    if (existing === undefined) this.byShingle.set(hash, item);
    else if (existing !== item) this.byShingle.set(hash, ambiguous);
  }

  /** The benchmark item a prompt carries, if any (few-shot prompts carry several: the best is taken). */
  match(text: string): BenchmarkMatch | null {
    if (text.length < 30) return null;
    let best = ambiguous;
    let bestHits = 0;
    let hits: Map<number, number> | null = null;
    for (const hash of edgeShingles(text, this.key)) {
      const item = this.byShingle.get(hash);
      if (item === undefined || item === ambiguous) continue;
      hits ??= new Map();
      const count = (hits.get(item) ?? 0) + 1;
      hits.set(item, count);
      // later items win ties: a few-shot prompt ends with the item under test
      if (count >= bestHits) {
        best = item;
        bestHits = count;
      }
    }
    if (bestHits < minimumHits) return null;
    return { item: best, suite: this.suites[this.itemSuites[best]] };
  }

  serialize(): SerializedBenchmarkIndex {
    const entries = new Uint32Array(this.byShingle.size * 2);
    let index = 0;
    for (const [hash, item] of this.byShingle.entries()) {
      entries[index++] = hash;
      entries[index++] = item >>> 0;
    }
    return {
      format: 'distillguard.benchmark-index/v2',
      key: this.key,
      suites: this.suites,
      itemSuites: this.itemSuites,
      entries: Buffer.from(entries.buffer).toString('base64'),
    };
  }

  static deserialize(data: SerializedBenchmarkIndex): BenchmarkIndex {
    const index = new BenchmarkIndex(data.key, [...data.suites], [...data.itemSuites]);
    const buffer = Buffer.from(data.entries, 'base64');
    const entries = new Uint32Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 4);
    index.byShingle = new ShingleTable(entries.length / 2);
    for (let position = 0; position < entries.length; position += 2) {
      index.byShingle.set(
        entries[position],
        entries[position + 1] === 0xffffffff ? ambiguous : entries[position + 1],
      );
    }
    return index;
  }

  /** The shipped index plus items users added (`distillguard benchmarks add`, as keyed hashes). */
  static builtInWith(
    added: readonly { suite: string; shingles: ArrayLike<number> }[],
  ): BenchmarkIndex {
    const index = BenchmarkIndex.builtIn();
    for (const item of added) index.addHashedItem(item.suite, item.shingles);
    return index;
  }

  /** The index shipped with the package. */
  static builtIn(): BenchmarkIndex {
    return BenchmarkIndex.deserialize(
      JSON.parse(
        gunzipSync(readFileSync(builtInIndexPath)).toString('utf8'),
      ) as SerializedBenchmarkIndex,
    );
  }
}
