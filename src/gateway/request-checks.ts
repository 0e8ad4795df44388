// What a model request must satisfy before it goes upstream: a JSON object body with a model name,
// within the config's caps (refused with a 400 naming the parameter, not clamped), and for an
// Anthropic upstream, the anthropic-* headers its allowlists accept.
import { isJsonObject, type GatewaySurface, type JsonObject } from '../core/index.js';
import { ApiError } from './api-error.js';
import type { LimitsConfig } from './gateway-config.js';
import type { ModelRequest } from './proxy-context.js';
import type { UpstreamClient } from './upstream-client.js';

/** The longest model name accepted: the interaction contract's bound on `model`, so every record stays valid. */
const maxModelNameChars = 200;

/** A request body that passed the checks: the object, its text as sent, and its model name. */
export interface CheckedBody {
  body: JsonObject;
  /** The body as the client sent it (valid JSON). */
  text: string;
  model: string;
}

/** A 400 naming `param` when the request asks for more than the config's cap. */
function checkCap(body: JsonObject, param: string, cap: number | undefined, what: string): void {
  const value = body[param];
  if (cap !== undefined && typeof value === 'number' && value > cap) {
    throw new ApiError(
      400,
      'invalid_request',
      `${param}: this gateway allows at most ${cap} ${what} per request. Ask for ${cap} or fewer.`,
      { param },
    );
  }
}

/** Parses and checks a model request's body; throws the ApiError the caller gets. */
export function parseBody(
  request: ModelRequest,
  surface: GatewaySurface,
  limits: LimitsConfig,
): CheckedBody {
  const raw = request.body;
  if (raw.length === 0)
    throw new ApiError(
      400,
      'invalid_json',
      'The request body is empty: send a JSON object with Content-Type: application/json.',
    );
  const text = raw.toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ApiError(
      400,
      'invalid_json',
      `The request body is not valid JSON (${(error as Error).message}). Send a JSON object.`,
    );
  }
  if (!isJsonObject(parsed))
    throw new ApiError(400, 'invalid_request', 'The request body must be a JSON object.');
  const body = parsed;
  if (typeof body.model !== 'string' || body.model.length === 0)
    throw new ApiError(400, 'invalid_request', 'model: Field required (a model name string).', {
      param: 'model',
    });
  if (body.model.length > maxModelNameChars)
    throw new ApiError(
      400,
      'invalid_request',
      `model: at most ${maxModelNameChars} characters (a model name this gateway serves).`,
      { param: 'model' },
    );
  if (surface === 'anthropic.messages' && typeof body.max_tokens !== 'number') {
    throw new ApiError(400, 'invalid_request', 'max_tokens: Field required (a positive integer).', {
      param: 'max_tokens',
    });
  }
  // refused, not clamped: a client asking for more than it gets should know (limits.max_n, limits.max_tokens)
  checkCap(body, 'n', limits.max_n, 'choices');
  checkCap(body, 'best_of', limits.max_n, 'candidates');
  checkCap(body, 'max_tokens', limits.max_tokens, 'tokens');
  checkCap(body, 'max_completion_tokens', limits.max_tokens, 'tokens');
  return { body, text, model: body.model };
}

/**
 * The upstream's allowlists for the Anthropic headers a client may pass on (config
 * `anthropic_versions`, `anthropic_betas`): a value not listed gets a 400 naming the header.
 */
export function checkAnthropicHeaders(
  upstream: UpstreamClient,
  version: string | string[] | undefined,
  beta: string | string[] | undefined,
): void {
  const { anthropic_versions: versions, anthropic_betas: betas } = upstream.config;
  if (versions && typeof version === 'string' && !versions.includes(version)) {
    throw new ApiError(
      400,
      'invalid_request',
      `anthropic-version: '${version.slice(0, 64)}' is not accepted here; use one of ${versions.join(', ')}.`,
      { param: 'anthropic-version' },
    );
  }
  if (betas && typeof beta === 'string') {
    const refused = beta
      .split(',')
      .map((flag) => flag.trim())
      .find((flag) => flag.length > 0 && !betas.includes(flag));
    if (refused !== undefined)
      throw new ApiError(
        400,
        'invalid_request',
        `anthropic-beta: '${refused.slice(0, 64)}' is not enabled on this gateway.`,
        { param: 'anthropic-beta' },
      );
  }
}
