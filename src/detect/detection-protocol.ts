// Messages between the detection thread and its owner.
import type { AccountFacts } from './account-facts.js';
import type { Findings } from './findings.js';
import type { PartnerIndicatorSet } from './partner-indicators.js';
import type { EncodedSignals } from './signal-codec.js';

export interface DetectionWorkerData {
  /** Benchmark items added by users, on top of the shipped index. */
  addedBenchmarks: { suite: string; shingles: Uint32Array }[];
  /** Partners' keyed indicators and the community keys to match them (none: no partner signal). */
  partners?: PartnerIndicatorSet | null;
}

export type DetectionRequest =
  /** Signals of a batch about to be stored; held until its `commit`. */
  | { op: 'stage'; batch: EncodedSignals }
  /** Which records of the oldest staged batch were first sightings (1) or repeats (0). */
  | { op: 'commit'; flags: Uint8Array }
  | { op: 'finish'; facts: [string, AccountFacts][] };

export type DetectionReply = { ok: true; findings: Findings } | { ok: false; message: string };
