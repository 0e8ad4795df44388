// GET /v1/models: the models the upstreams serve, as OpenAI's list. Literal names come from the
// config; for globs, what an OpenAI-compatible upstream itself lists (when it answers).
import type { UpstreamConfig } from './gateway-config.js';
import type { UpstreamClient } from './upstream-client.js';

export interface ModelList {
  object: 'list';
  data: { id: string; object: 'model'; created: number; owned_by: string }[];
}

/** The list, each model once; `match` is the config's model-to-upstream matcher (a listed model another upstream's glob claims first is left out). */
export async function listModels(
  upstreams: UpstreamClient[],
  match: (model: string) => UpstreamConfig | null,
): Promise<ModelList> {
  const models = new Map<string, string>();
  for (const client of upstreams) {
    for (const pattern of client.config.models)
      if (!pattern.includes('*')) models.set(pattern, client.config.name);
    if (
      client.config.api === 'openai' &&
      client.config.models.some((pattern) => pattern.includes('*'))
    ) {
      for (const id of await client.listModels())
        if (match(id)?.name === client.config.name) models.set(id, client.config.name);
    }
  }
  // owned_by names no upstream: which backend serves a model is the operator's business (L2)
  return {
    object: 'list',
    data: [...models.keys()].map((id) => ({
      id,
      object: 'model',
      created: 0,
      owned_by: 'distillguard',
    })),
  };
}
