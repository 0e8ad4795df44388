// One error type for the HTTP surface, written once in the caller's API format: OpenAI
// `{error:{message,type,param,code}}` or Anthropic `{type:"error",error:{type,message}}`.

export type ApiFlavor = 'openai' | 'anthropic';

export type ApiErrorCode =
  | 'invalid_json'
  | 'invalid_request'
  | 'body_too_large'
  | 'request_timeout'
  | 'headers_too_large'
  | 'invalid_api_key'
  | 'missing_api_key'
  | 'admin_token_required'
  | 'insufficient_scope'
  | 'not_found'
  | 'rate_limited'
  | 'too_many_in_flight'
  | 'verification_required'
  | 'account_blocked'
  | 'unsupported_upstream'
  | 'upstream_unreachable'
  | 'upstream_timeout'
  | 'upstream_error'
  | 'detector_unavailable'
  | 'internal_error';

const openaiTypes: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  408: 'invalid_request_error', 413: 'invalid_request_error', 431: 'invalid_request_error', 429: 'rate_limit_error', 502: 'api_error', 503: 'api_error', 504: 'api_error',
};
const anthropicTypes: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
  408: 'invalid_request_error', 413: 'request_too_large', 431: 'invalid_request_error', 429: 'rate_limit_error', 502: 'api_error', 503: 'overloaded_error', 504: 'api_error',
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  /** The request parameter at fault, when there is one (OpenAI's `param`). */
  readonly param: string | null;
  /** Extra response headers, such as Retry-After. */
  readonly headers: Record<string, string>;

  constructor(status: number, code: ApiErrorCode, message: string, options: { param?: string; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }
}

/** The error body in the caller's API format. */
export function errorBody(flavor: ApiFlavor, error: ApiError): string {
  if (flavor === 'anthropic') {
    return JSON.stringify({ type: 'error', error: { type: anthropicTypes[error.status] ?? 'api_error', message: error.message } });
  }
  return JSON.stringify({ error: { message: error.message, type: openaiTypes[error.status] ?? 'api_error', param: error.param, code: error.code } });
}

/**
 * The error as an SSE event in the caller's format, for a stream whose head has gone out: Anthropic's
 * `event: error`, or OpenAI's `data: {"error":…}` (as OpenAI-compatible servers send). It starts with
 * a blank line, which ends any line the client has only part of.
 */
export function streamErrorEvent(flavor: ApiFlavor, error: ApiError): string {
  return flavor === 'anthropic' ? `\n\nevent: error\ndata: ${errorBody(flavor, error)}\n\n` : `\n\ndata: ${errorBody(flavor, error)}\n\n`;
}

/** The caller-format error for an upstream's error body, passed through untouched when the formats agree. */
export function upstreamErrorBody(callerFlavor: ApiFlavor, upstreamFlavor: ApiFlavor, status: number, bytes: Buffer): Buffer {
  let message = `The model server answered with HTTP ${status}.`;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { error?: { message?: unknown } };
    if (callerFlavor === upstreamFlavor) return bytes;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // not JSON: say so in the caller's format
  }
  return Buffer.from(errorBody(callerFlavor, new ApiError(status, 'upstream_error', message)));
}
