// Answers what node:http reports on the socket itself ('clientError': headers or a request that
// did not arrive in time, headers too large, bytes that are not HTTP) in the caller's API format,
// instead of node's or fastify's own bodies, and the time limits that produce the 408s.
import { STATUS_CODES, type ServerOptions, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { familyOfPath } from '../core/index.js';
import { ApiError, errorBody } from './api-error.js';
import type { LimitsConfig } from './gateway-config.js';

/** The server's time limits for receiving a request: headers, then the whole request. */
export function requestTimeouts(limits: LimitsConfig): ServerOptions {
  return {
    headersTimeout: limits.headers_timeout_ms,
    requestTimeout: limits.request_timeout_ms,
    // node checks both limits on one timer for all connections (30 s by default): a limit is then kept to within a quarter of it
    connectionsCheckingInterval: Math.max(
      100,
      Math.min(
        1_000,
        Math.floor(Math.min(limits.headers_timeout_ms, limits.request_timeout_ms) / 4),
      ),
    ),
  };
}

function errorOf(error: NodeJS.ErrnoException): ApiError {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return new ApiError(
      408,
      'request_timeout',
      'The request did not arrive in time: this gateway waits a limited time for the headers and for the whole body. Send it again without pausing.',
    );
  }
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return new ApiError(
      431,
      'headers_too_large',
      'The request headers are larger than this gateway accepts. Send fewer or shorter headers.',
    );
  return new ApiError(
    400,
    'invalid_request',
    'The request is not valid HTTP/1.1. Check the client or proxy that sent it.',
  );
}

/**
 * fastify's `clientErrorHandler`: writes the error in the caller's format when nothing of a response
 * has gone out on the socket yet (node's own rule), then closes the connection.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  // node:http's response in flight on this socket, if any (the field node's own handler reads)
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (socket.writable && !inFlight?.headersSent) {
    const apiError = errorOf(error);
    const body = errorBody(familyOfPath(inFlight?.req?.url), apiError);
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
