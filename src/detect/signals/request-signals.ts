// Per-request signals, constant cost: what one interaction says about its sender, computed once
// as the record streams past (tier 1 of the detection design).
import { hash32, type Interaction } from '../../core/index.js';
import { capabilityOf, type Capability } from './capability.js';
import { elicitationMask, TemplateElicitation } from './elicitation.js';
import { promptParts } from './prompt-text.js';
import { templateKeys, type TemplateKeys } from './template-skeleton.js';
import { skeletonEdge } from './skeleton-minhash.js';

const chainOfThoughtBit = 1;
/** Characters of the prompt's end kept for benchmark probing (harnesses put the item under test last). */
export const probeLength = 900;
const gradingBit = 1 << 2;

export interface RequestSignals {
  ts: number;
  accountId: string;
  api: string;
  model: string;
  keys: TemplateKeys;
  /** Elicitation families in the newest user text (bit mask, see elicitation.ts). */
  elicitation: number;
  /** The system prompt asks for step-by-step reasoning (an app's own choice, weaker evidence). */
  systemChainOfThought: boolean;
  systemHash: number;
  capability: Capability;
  userTurns: number;
  toolHistory: boolean;
  toolsOffered: number;
  maxTokens: number | null;
  temperature: number | null;
  samples: number;
  logprobs: boolean;
  /** Client network: hash of the address and of its /24 (or /48 for IPv6); 0 when absent. */
  ipHash: number;
  prefixHash: number;
  asn: number | null;
  userAgentHash: number;
  inputTokens: number;
  outputTokens: number;
  status: number;
  /** The part of the newest user text the benchmark recognizer probes (its last probeLength characters). */
  probeText: string;
  /** The first skeletonEdge characters of the newest user text (for the skeleton fingerprint). */
  headText: string;
}

/** Longest client-controlled name the detector keeps: the contract's maxLength for ids and models. */
export const maxNameLength = 200;

/** A client-controlled name cut to `maxNameLength` (records from the gateway's own path skip the contract's check). */
function boundedName(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new TypeError(`${field} is not a string`);
  return value.length <= maxNameLength ? value : value.slice(0, maxNameLength);
}

function numberOr(value: unknown, fallback: number | null): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function networkPrefix(ip: string): string {
  if (ip.includes(':')) return ip.split(':').slice(0, 3).join(':');
  const last = ip.lastIndexOf('.');
  return last === -1 ? ip : ip.slice(0, last);
}

/** System prompts repeat (an app sends the same one every time): their check is cached by hash. */
const systemCache = new Map<number, boolean>();
const systemCacheLimit = 8192;

function systemAsksForReasoning(system: string, systemHash: number): boolean {
  if (!system) return false;
  let cached = systemCache.get(systemHash);
  if (cached === undefined) {
    cached = (elicitationMask(system) & chainOfThoughtBit) !== 0;
    if (systemCache.size >= systemCacheLimit) systemCache.clear();
    systemCache.set(systemHash, cached);
  }
  return cached;
}

const templateElicitation = new TemplateElicitation();
/**
 * Capability of templated prompts, settled per head key after three texts agree (a template
 * serves one capability; a disagreement keeps classifying each text on its own).
 */
const capabilityCache = new Map<number, { capability: Capability; agreeing: number }>();
const capabilityCacheLimit = 100_000;

function capabilityFor(
  text: string,
  head: number | null,
  toolUse: boolean,
  grading: boolean,
): Capability {
  if (toolUse || grading || head === null) return capabilityOf(text, toolUse, grading);
  const entry = capabilityCache.get(head);
  if (entry && entry.agreeing >= 3) return entry.capability;
  const capability = capabilityOf(text, false, false);
  if (!entry) {
    if (capabilityCache.size >= capabilityCacheLimit) capabilityCache.clear();
    capabilityCache.set(head, { capability, agreeing: 1 });
  } else if (entry.capability === capability) {
    entry.agreeing += 1;
  } else {
    capabilityCache.set(head, { capability, agreeing: 1 });
  }
  return capability;
}

export function requestSignals(record: Interaction, tsMs: number): RequestSignals {
  const request = record.request;
  const parts = promptParts(record.api, request);
  const keys = templateKeys(parts.user);
  const elicitation = templateElicitation.mask(parts.user, keys.head, keys.tail);
  const ip = record.client?.ip ?? '';
  const samples = numberOr(request.n, 1) ?? 1;
  const maxTokens =
    numberOr(request.max_tokens, null) ??
    numberOr(request.max_completion_tokens, null) ??
    numberOr(request.max_output_tokens, null);
  const systemHash = parts.system ? hash32(parts.system) >>> 2 : 0;
  return {
    ts: tsMs,
    accountId: boundedName(record.account_id, 'account_id'),
    api: boundedName(record.api, 'api'),
    model: boundedName(record.model, 'model'),
    keys,
    elicitation,
    systemChainOfThought: systemAsksForReasoning(parts.system, systemHash),
    systemHash,
    capability: capabilityFor(
      parts.user,
      keys.head,
      parts.toolHistory || parts.toolNames.length > 0,
      (elicitation & gradingBit) !== 0,
    ),
    userTurns: parts.userTurns,
    toolHistory: parts.toolHistory,
    toolsOffered: parts.toolNames.length,
    maxTokens,
    temperature: numberOr(request.temperature, null),
    samples,
    logprobs:
      request.logprobs === true ||
      typeof request.logprobs === 'number' ||
      typeof request.top_logprobs === 'number',
    // 30-bit hashes: small integers stay unboxed, which keeps the Map lookups on them fast
    ipHash: ip ? hash32(ip) >>> 2 : 0,
    prefixHash: ip ? hash32(networkPrefix(ip)) >>> 2 : 0,
    asn: record.client?.asn ?? null,
    userAgentHash: record.client?.user_agent ? hash32(record.client.user_agent) >>> 2 : 0,
    inputTokens: record.response?.usage?.input_tokens ?? 0,
    outputTokens: record.response?.usage?.output_tokens ?? 0,
    status: record.response?.status ?? 0,
    probeText: parts.user.length <= probeLength ? parts.user : parts.user.slice(-probeLength),
    headText: parts.user.length <= skeletonEdge ? parts.user : parts.user.slice(0, skeletonEdge),
  };
}
