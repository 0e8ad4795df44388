// The two words for "which API": a surface is one endpoint of a provider's API (the `api` field of
// an interaction record); a family is the provider's wire format (error bodies, stream events,
// `upstreams[].api` in the gateway's config). Every mapping from one to the other is here.
import type { ApiSurface } from './types.js';

/** A provider's wire format: how its errors, streams and bodies are shaped. */
export type ApiFamily = 'openai' | 'anthropic';

/** The surfaces the gateway proxies (the Responses API is recorded by ingest, not proxied). */
export type GatewaySurface = Exclude<ApiSurface, 'openai.responses'>;

/** The family a surface belongs to. */
export function familyOf(surface: ApiSurface): ApiFamily {
  return surface === 'anthropic.messages' ? 'anthropic' : 'openai';
}

/** The family of a request path (for answers written before the route is known, such as a 400 on a malformed request). */
export function familyOfPath(path: string | undefined): ApiFamily {
  return path?.startsWith('/v1/messages') ? 'anthropic' : 'openai';
}
