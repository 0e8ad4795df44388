// The tracer action's watermark: which scheme marks an upstream's answers, and the cohort key it
// uses (derived from the master key). Sampler-side schemes travel to the upstream as the cohort
// header; selection and lexical are applied here. Secrets stay inside the keys, never in messages.
import { DistillGuardError, type JsonObject, type GatewaySurface } from '../core/index.js';
import {
  LexicalChooser,
  deriveCohortKey,
  parseWatermarkKey,
  readWatermarkKey,
  WatermarkDetector,
  type WatermarkKey,
} from '../watermark/index.js';
import type { StreamRewriter } from './enforcement.js';
import { samplerSchemes, type GatewayScheme, type WatermarkConfig } from './gateway-config.js';
import { lexicalStreamRewriter, markBodyLexically, selectChoice } from './watermark-response.js';

/** What one answer is marked with; `record` goes into the interaction record as `watermark`. */
export interface WatermarkPlan {
  scheme: GatewayScheme;
  /** True when the upstream marks (cohort header); false when the gateway does. */
  samplerSide: boolean;
  key: WatermarkKey;
  record: { scheme: GatewayScheme; key_id: string; cohort: number };
  /** Selection: the key's detector; lexical: the keyed chooser (built once per cohort). */
  detector(): WatermarkDetector;
  chooser(): LexicalChooser;
  candidates: number;
  /** Selection: keeps the best-marked of the n choices of a whole answer. */
  select(surface: GatewaySurface, body: JsonObject): JsonObject;
  /** Lexical: marks the text of a whole answer. */
  markBody(surface: GatewaySurface, body: JsonObject): JsonObject;
  /** Lexical: marks a streamed answer event by event. */
  streamMarker(surface: GatewaySurface): StreamRewriter;
}

/** The master key named by the config (file, or JSON in an environment variable). */
export function readMasterKey(config: WatermarkConfig): WatermarkKey {
  if (config.master_key_file) return readWatermarkKey(config.master_key_file);
  const variable = config.master_key_env as string;
  const value = process.env[variable];
  if (!value)
    throw new DistillGuardError(
      'usage',
      `watermark.master_key_env: environment variable ${variable} is not set. Put the key file's JSON in it, or use master_key_file.`,
    );
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new DistillGuardError(
      'usage',
      `watermark.master_key_env: ${variable} does not hold JSON. Put the content of a key file written by 'distillguard watermark keygen' in it.`,
    );
  }
  return parseWatermarkKey(parsed, `environment variable ${variable}`);
}

export class TracerWatermarks {
  private readonly plans = new Map<string, WatermarkPlan>();

  constructor(
    readonly master: WatermarkKey,
    private readonly config: WatermarkConfig,
  ) {}

  /** Reads the master key and checks the schemes against the upstreams; errors name the field. */
  static fromConfig(config: WatermarkConfig, upstreamNames: readonly string[]): TracerWatermarks {
    for (const name of Object.keys(config.schemes)) {
      if (!upstreamNames.includes(name))
        throw new DistillGuardError(
          'usage',
          `watermark.schemes.${name}: no upstream is named '${name}' (upstreams: ${upstreamNames.join(', ')}).`,
        );
    }
    const master = readMasterKey(config);
    for (const name of upstreamNames) {
      const scheme = config.schemes[name] ?? config.default_scheme;
      const field =
        name in config.schemes ? `watermark.schemes.${name}` : 'watermark.default_scheme';
      if ((samplerSchemes as readonly string[]).includes(scheme) && scheme !== master.scheme) {
        throw new DistillGuardError(
          'usage',
          `${field}: '${scheme}' is a sampler-side scheme, so it must be the master key's scheme ('${master.scheme}'), which the upstream derives its cohort keys from. Use a ${scheme} master key, or selection or lexical.`,
        );
      }
    }
    return new TracerWatermarks(master, config);
  }

  /** The plan for an answer from `upstream` to a request in tracer cohort `cohort`. */
  planFor(upstream: string, cohort: number): WatermarkPlan {
    const scheme = this.config.schemes[upstream] ?? this.config.default_scheme;
    const cacheKey = `${scheme}/${cohort}`;
    const cached = this.plans.get(cacheKey);
    if (cached) return cached;
    // the same derivation as the reference model's (refmodel serve --watermark-master)
    const key = deriveCohortKey(this.master, String(cohort));
    let detector: WatermarkDetector | null = null;
    let chooser: LexicalChooser | null = null;
    const plan: WatermarkPlan = {
      scheme,
      key,
      candidates: this.config.selection_candidates,
      samplerSide: (samplerSchemes as readonly string[]).includes(scheme),
      record: { scheme, key_id: key.key_id, cohort },
      detector: () => (detector ??= new WatermarkDetector(key, { minScoredTokens: 0 })),
      chooser: () => (chooser ??= new LexicalChooser(key)),
      select: (surface, body) => selectChoice(surface, body, plan),
      markBody: (surface, body) => markBodyLexically(surface, body, plan.chooser()),
      streamMarker: (surface) => lexicalStreamRewriter(surface, plan.chooser()),
    };
    this.plans.set(cacheKey, plan);
    return plan;
  }
}
