// Request signals as one Float64Array plus a few strings per request: transferred to the
// detection thread without copying the numbers, far cheaper than cloning objects.
import { capabilities } from './signals/capability.js';
import type { RequestSignals } from './signals/request-signals.js';

/** Numbers per request, in the order written below. */
const width = 21;

export interface EncodedSignals {
  numbers: Float64Array;
  /** accountId, api, model, probeText, headText per request. */
  strings: string[];
}

const orNaN = (value: number | null) => (value === null ? Number.NaN : value);
const orNull = (value: number) => (Number.isNaN(value) ? null : value);

export function encodeSignals(batch: readonly RequestSignals[]): EncodedSignals {
  const numbers = new Float64Array(batch.length * width);
  const strings: string[] = new Array(batch.length * 5);
  let n = 0;
  let s = 0;
  for (const signals of batch) {
    numbers[n++] = signals.ts;
    numbers[n++] = orNaN(signals.keys.head);
    numbers[n++] = orNaN(signals.keys.tail);
    numbers[n++] = signals.keys.exact;
    numbers[n++] = signals.elicitation;
    numbers[n++] = signals.systemChainOfThought ? 1 : 0;
    numbers[n++] = signals.systemHash;
    numbers[n++] = capabilities.indexOf(signals.capability);
    numbers[n++] = signals.userTurns;
    numbers[n++] = signals.toolHistory ? 1 : 0;
    numbers[n++] = signals.toolsOffered;
    numbers[n++] = orNaN(signals.maxTokens);
    numbers[n++] = orNaN(signals.temperature);
    numbers[n++] = signals.samples;
    numbers[n++] = signals.logprobs ? 1 : 0;
    numbers[n++] = signals.ipHash;
    numbers[n++] = signals.prefixHash;
    numbers[n++] = orNaN(signals.asn);
    numbers[n++] = signals.userAgentHash;
    numbers[n++] = signals.inputTokens;
    numbers[n++] = signals.outputTokens * 1024 + Math.min(1023, Math.max(0, signals.status));
    strings[s++] = signals.accountId;
    strings[s++] = signals.api;
    strings[s++] = signals.model;
    strings[s++] = signals.probeText;
    strings[s++] = signals.headText;
  }
  return { numbers, strings };
}

export function decodeSignals(encoded: EncodedSignals): RequestSignals[] {
  const { numbers, strings } = encoded;
  const batch: RequestSignals[] = [];
  for (let n = 0, s = 0; n < numbers.length; n += width, s += 5) {
    const outputAndStatus = numbers[n + 20];
    batch.push({
      ts: numbers[n],
      keys: { head: orNull(numbers[n + 1]), tail: orNull(numbers[n + 2]), exact: numbers[n + 3] },
      elicitation: numbers[n + 4],
      systemChainOfThought: numbers[n + 5] === 1,
      systemHash: numbers[n + 6],
      capability: capabilities[numbers[n + 7]],
      userTurns: numbers[n + 8],
      toolHistory: numbers[n + 9] === 1,
      toolsOffered: numbers[n + 10],
      maxTokens: orNull(numbers[n + 11]),
      temperature: orNull(numbers[n + 12]),
      samples: numbers[n + 13],
      logprobs: numbers[n + 14] === 1,
      ipHash: numbers[n + 15],
      prefixHash: numbers[n + 16],
      asn: orNull(numbers[n + 17]),
      userAgentHash: numbers[n + 18],
      inputTokens: numbers[n + 19],
      outputTokens: Math.floor(outputAndStatus / 1024),
      status: outputAndStatus % 1024,
      accountId: strings[s],
      api: strings[s + 1],
      model: strings[s + 2],
      probeText: strings[s + 3],
      headText: strings[s + 4],
    });
  }
  return batch;
}
