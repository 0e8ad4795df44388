// Where each logged API surface is replayed on the gateway, and how its client authenticates.
import type { ApiSurface } from '../core/index.js';

export interface ReplayRoute {
  /** Path under the gateway's base URL. */
  path: string;
  /** Headers carrying the account's secret, plus any the API requires. */
  authHeaders(secret: string): Record<string, string>;
}

const openAiAuth = (secret: string) => ({ authorization: `Bearer ${secret}` });

const routes: Partial<Record<ApiSurface, ReplayRoute>> = {
  'openai.chat': { path: '/v1/chat/completions', authHeaders: openAiAuth },
  'openai.completions': { path: '/v1/completions', authHeaders: openAiAuth },
  'anthropic.messages': {
    path: '/v1/messages',
    authHeaders: (secret) => ({ 'x-api-key': secret, 'anthropic-version': '2023-06-01' }),
  },
};

/** The route for `api`, or null when the gateway does not serve it (openai.responses): such records are skipped. */
export function routeFor(api: ApiSurface): ReplayRoute | null {
  return routes[api] ?? null;
}
