// The model routes, served straight from node:http ahead of fastify's router: the hot path checks
// the key on the headers (a bad one gets its 401 before any body is read), reads the body into one
// buffer (the size limit gives a 413 in the caller's format) and hands it to proxy.ts. Everything
// else (admin, sidecar, models, health, metrics) goes to fastify.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { familyOf, type GatewaySurface } from '../core/index.js';
import { ApiError, bodyTooLargeError, writeApiError } from './api-error.js';
import { authenticateCaller, type Caller } from './authenticate.js';
import { handleModelRequest } from './proxy.js';
import type { ProxyContext } from './proxy-context.js';

/** The API surface of a model route, or null for any other request. */
export function modelRouteOf(
  method: string | undefined,
  url: string | undefined,
): GatewaySurface | null {
  if (method !== 'POST' || url === undefined) return null;
  const query = url.indexOf('?');
  switch (query < 0 ? url : url.slice(0, query)) {
    case '/v1/chat/completions':
      return 'openai.chat';
    case '/v1/completions':
      return 'openai.completions';
    case '/v1/messages':
      return 'anthropic.messages';
    default:
      return null;
  }
}

/**
 * Authenticates a model request on its headers, reads its body within `bodyLimit` bytes, then
 * serves it; never throws. `expectsContinue`: the client waits for 100 Continue, sent only to a
 * caller the gateway knows.
 */
export function serveModelRoute(
  context: ProxyContext,
  bodyLimit: number,
  surface: GatewaySurface,
  request: IncomingMessage,
  response: ServerResponse,
  expectsContinue = false,
): void {
  const startedAt = performance.now();
  const family = familyOf(surface);
  request.on('error', () => response.destroy());
  authenticateCaller(request.headers, context.keys, context.trustAccountHeader).then(
    (caller) =>
      readAndServe(
        context,
        bodyLimit,
        surface,
        request,
        response,
        expectsContinue,
        caller,
        startedAt,
      ),
    (error: unknown) => {
      // answered at once, the body left unread; the connection closes after the answer
      context.metrics.countRequest(surface, 401, 'none');
      response.setHeader('connection', 'close');
      writeApiError(
        response,
        family,
        error instanceof ApiError
          ? error
          : new ApiError(401, 'invalid_api_key', 'The API key could not be checked.'),
      );
    },
  );
}

/** Reads the body of an authenticated model request within `bodyLimit` bytes and serves it. */
function readAndServe(
  context: ProxyContext,
  bodyLimit: number,
  surface: GatewaySurface,
  request: IncomingMessage,
  response: ServerResponse,
  expectsContinue: boolean,
  caller: Caller,
  startedAt: number,
): void {
  const family = familyOf(surface);
  if (expectsContinue) response.writeContinue();
  const refuseTooLarge = () => {
    context.metrics.countRequest(surface, 413, 'none');
    writeApiError(response, family, bodyTooLargeError(bodyLimit));
  };
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > bodyLimit) {
    // answered at once; the rest of the body is read and dropped, and the connection closed after
    response.setHeader('connection', 'close');
    refuseTooLarge();
    request.resume();
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  request.on('data', (chunk: Buffer) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size <= bodyLimit) chunks.push(chunk);
    else {
      tooLarge = true;
      chunks.length = 0;
    }
  });
  request.on('end', () => {
    if (tooLarge) {
      refuseTooLarge();
      return;
    }
    const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
    void handleModelRequest(
      context,
      surface,
      {
        headers: request.headers,
        ip: context.clientAddressOf(request.socket.remoteAddress, request.headers),
        body,
        caller,
      },
      response,
      startedAt,
    );
  });
}
