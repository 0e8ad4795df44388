// Request transforms for the degrade action, per API: cap output tokens, remove reasoning and
// logprob parameters, and optionally add decoy tools. Returns a new body; the input is not changed.
import { isJsonObject, type ApiSurface, type JsonObject } from '../core/index.js';
import { pickDecoys, type DecoyTool } from './decoy-tools.js';
import type { PolicyConfig } from './policy-config.js';

export type DegradeSettings = PolicyConfig['degrade'];

const decoysPerRequest = 2;

/** Sets `field` to min(its value, cap); when absent and `setWhenAbsent`, to cap. */
function capField(body: JsonObject, field: string, cap: number, setWhenAbsent: boolean): void {
  const value = body[field];
  if (typeof value === 'number') body[field] = Math.min(value, cap);
  else if (value === undefined || value === null) {
    if (setWhenAbsent) body[field] = cap;
  } else body[field] = cap;
}

function removeFields(body: JsonObject, fields: readonly string[]): void {
  for (const field of fields) delete body[field];
}

function toolNames(tools: unknown[], nameOf: (tool: JsonObject) => unknown): Set<string> {
  const names = new Set<string>();
  for (const tool of tools) {
    if (isJsonObject(tool)) {
      const name = nameOf(tool);
      if (typeof name === 'string') names.add(name);
    }
  }
  return names;
}

function decoyFor(api: ApiSurface, decoy: DecoyTool): JsonObject {
  switch (api) {
    case 'anthropic.messages':
      return { name: decoy.name, description: decoy.description, input_schema: decoy.parameters };
    case 'openai.responses':
      return {
        type: 'function',
        name: decoy.name,
        description: decoy.description,
        parameters: decoy.parameters,
      };
    default:
      return {
        type: 'function',
        function: {
          name: decoy.name,
          description: decoy.description,
          parameters: decoy.parameters,
        },
      };
  }
}

function addDecoys(api: ApiSurface, body: JsonObject, seed: string): void {
  const tools = body.tools;
  if (!Array.isArray(tools) || tools.length === 0) return;
  const nameOf =
    api === 'openai.chat'
      ? (tool: JsonObject) => (tool.function as JsonObject | undefined)?.name
      : (tool: JsonObject) => tool.name;
  const decoys = pickDecoys(seed, decoysPerRequest, toolNames(tools, nameOf));
  body.tools = [...tools, ...decoys.map((decoy) => decoyFor(api, decoy))];
}

/**
 * The degraded form of a request body for `api`.
 * - openai.chat: max_completion_tokens and max_tokens capped (max_completion_tokens set when
 *   neither is given); reasoning_effort, reasoning, include_reasoning, thinking removed;
 *   logprobs, top_logprobs removed.
 * - openai.completions: max_tokens capped when given (absent means 16 there); logprobs removed.
 * - openai.responses: max_output_tokens capped (set when absent); reasoning removed, and
 *   reasoning.encrypted_content / logprobs dropped from `include`; top_logprobs removed.
 * - anthropic.messages: max_tokens capped; thinking removed.
 * Decoys (when on) are added only to requests that already declare tools.
 * @param decoySeed campaign id, else account id: the same caller always sees the same decoys.
 */
export function degradeRequest(
  api: ApiSurface,
  body: Readonly<JsonObject>,
  settings: DegradeSettings,
  decoySeed = '',
): JsonObject {
  const degraded: JsonObject = { ...body };
  const cap = settings.max_tokens;
  switch (api) {
    case 'openai.chat':
      capField(degraded, 'max_completion_tokens', cap, degraded.max_tokens === undefined);
      capField(degraded, 'max_tokens', cap, false);
      if (settings.strip_reasoning)
        removeFields(degraded, ['reasoning_effort', 'reasoning', 'include_reasoning', 'thinking']);
      if (settings.strip_logprobs) removeFields(degraded, ['logprobs', 'top_logprobs']);
      break;
    case 'openai.completions':
      capField(degraded, 'max_tokens', cap, false);
      if (settings.strip_logprobs) removeFields(degraded, ['logprobs']);
      break;
    case 'openai.responses': {
      capField(degraded, 'max_output_tokens', cap, true);
      if (settings.strip_reasoning) removeFields(degraded, ['reasoning']);
      if (settings.strip_logprobs) removeFields(degraded, ['top_logprobs']);
      const include = degraded.include;
      if (Array.isArray(include)) {
        degraded.include = include.filter(
          (item) =>
            !(settings.strip_reasoning && item === 'reasoning.encrypted_content') &&
            !(settings.strip_logprobs && typeof item === 'string' && item.endsWith('logprobs')),
        );
      }
      break;
    }
    case 'anthropic.messages':
      capField(degraded, 'max_tokens', cap, true);
      if (settings.strip_reasoning) removeFields(degraded, ['thinking']);
      break;
  }
  if (settings.decoy_tools) addDecoys(api, degraded, decoySeed);
  return degraded;
}
