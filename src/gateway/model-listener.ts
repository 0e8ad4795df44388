// The model routes, served straight from node:http ahead of fastify's router: the hot path reads
// the body into one buffer (the size limit gives a 413 in the caller's format) and hands it to
// proxy.ts. Everything else (admin, sidecar, models, health, metrics) goes to fastify.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from './api-error.js';
import { handleModelRequest, writeApiError, type ProxyContext } from './proxy.js';
import type { ApiSurface } from './response-capture.js';

/** The API surface of a model route, or null for any other request. */
export function modelRouteOf(method: string | undefined, url: string | undefined): ApiSurface | null {
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

/** Reads the body of a model request within `bodyLimit` bytes, then serves it; never throws. */
export function serveModelRoute(context: ProxyContext, bodyLimit: number, surface: ApiSurface, request: IncomingMessage, response: ServerResponse): void {
  const startedAt = performance.now();
  const flavor = surface === 'anthropic.messages' ? 'anthropic' : 'openai';
  const refuseTooLarge = () => {
    context.metrics.countRequest(surface, 413, 'none');
    writeApiError(response, flavor, new ApiError(413, 'body_too_large', `The request body is larger than this gateway accepts (${bodyLimit} bytes). Send less context.`));
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
    void handleModelRequest(context, surface, { headers: request.headers, ip: context.clientAddressOf(request.socket.remoteAddress, request.headers), body }, response, startedAt);
  });
  request.on('error', () => response.destroy());
}
