// One error type for the HTTP surface, written once in the caller's API format: OpenAI
// `{error:{message,type,param,code}}` or Anthropic `{type:"error",error:{type,message}}`, on a
// fastify reply or a raw node:http response.
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { ApiFamily } from '../core/index.js';

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
  | 'user_token_required'
  | 'role_required'
  | 'step_refused'
  | 'audit_unavailable'
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
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'invalid_request_error',
  431: 'invalid_request_error',
  429: 'rate_limit_error',
  502: 'api_error',
  503: 'api_error',
  504: 'api_error',
};
const anthropicTypes: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'invalid_request_error',
  409: 'invalid_request_error',
  413: 'request_too_large',
  431: 'invalid_request_error',
  429: 'rate_limit_error',
  502: 'api_error',
  503: 'overloaded_error',
  504: 'api_error',
};

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  /** The request parameter at fault, when there is one (OpenAI's `param`). */
  readonly param: string | null;
  /** Extra response headers, such as Retry-After. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    code: ApiErrorCode,
    message: string,
    options: { param?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
  }
}

/** The error body in the caller's API format. */
export function errorBody(family: ApiFamily, error: ApiError): string {
  if (family === 'anthropic') {
    return JSON.stringify({
      type: 'error',
      error: { type: anthropicTypes[error.status] ?? 'api_error', message: error.message },
    });
  }
  return JSON.stringify({
    error: {
      message: error.message,
      type: openaiTypes[error.status] ?? 'api_error',
      param: error.param,
      code: error.code,
    },
  });
}

/**
 * The error as an SSE event in the caller's format, for a stream whose head has gone out: Anthropic's
 * `event: error`, or OpenAI's `data: {"error":…}` (as OpenAI-compatible servers send). It starts with
 * a blank line, which ends any line the client has only part of.
 */
export function streamErrorEvent(family: ApiFamily, error: ApiError): string {
  return family === 'anthropic'
    ? `\n\nevent: error\ndata: ${errorBody(family, error)}\n\n`
    : `\n\ndata: ${errorBody(family, error)}\n\n`;
}

/** The caller-format error for an upstream's error body, passed through untouched when the formats agree. */
export function upstreamErrorBody(
  callerFamily: ApiFamily,
  upstreamFamily: ApiFamily,
  status: number,
  bytes: Buffer,
): Buffer {
  let message = `The model server answered with HTTP ${status}.`;
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { error?: { message?: unknown } };
    if (callerFamily === upstreamFamily) return bytes;
    if (typeof parsed.error?.message === 'string') message = parsed.error.message;
  } catch {
    // not JSON: say so in the caller's format
  }
  return Buffer.from(errorBody(callerFamily, new ApiError(status, 'upstream_error', message)));
}

/** Writes the error on a fastify reply (admin, sidecar and the routes fastify serves). */
export function sendApiError(reply: FastifyReply, family: ApiFamily, error: ApiError): void {
  void reply
    .code(error.status)
    .headers({ 'content-type': 'application/json', ...error.headers })
    .send(errorBody(family, error));
}

/** The same on a raw response (model routes). */
export function writeApiError(response: ServerResponse, family: ApiFamily, error: ApiError): void {
  response.writeHead(error.status, { 'content-type': 'application/json', ...error.headers });
  response.end(errorBody(family, error));
}

/** The 413 for a body past `limits.body_bytes`, on every listener; `advice` ends the message. */
export function bodyTooLargeError(
  bodyLimit: number,
  advice: string | null = 'Send less context.',
): ApiError {
  return new ApiError(
    413,
    'body_too_large',
    `The request body is larger than this gateway accepts (${bodyLimit} bytes).${advice === null ? '' : ` ${advice}`}`,
  );
}

/** Any failure as the caller's error: an ApiError as it is, anything else a 500 that says it was logged. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(
    500,
    'internal_error',
    'The gateway failed on this request; it has been logged. Retry, and report it if it persists.',
  );
}

/**
 * The 502 for an upstream answer the gateway had to read and could not: not JSON, not an object, or
 * nested past what it can rewrite; other errors (the gateway's own) are returned as they are.
 */
export function unreadableAnswer(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof SyntaxError || error instanceof RangeError) {
    return new ApiError(
      502,
      'upstream_error',
      "The model server's answer could not be read (not JSON, or nested too deeply). Retry, or report it to the operator.",
    );
  }
  return error;
}
