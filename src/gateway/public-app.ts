// The gateway's public HTTP app: fastify on a node:http server of the gateway's own (time limits,
// connection caps), the model routes served ahead of fastify's router, the fallback body parsing,
// error mapping and 404 in the caller's family, and listening without fastify's own log lines.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyError, type FastifyInstance } from 'fastify';
import { DistillGuardError, familyOfPath } from '../core/index.js';
import { ApiError, bodyTooLargeError, sendApiError } from './api-error.js';
import { answerClientError, requestTimeouts } from './client-error.js';
import { capConnectionsPerAddress } from './connection-limits.js';
import type { LimitsConfig } from './gateway-config.js';
import { trackConnections } from './gateway-shutdown.js';
import { modelRouteOf, serveModelRoute } from './model-routes.js';
import type { ProxyContext } from './proxy-context.js';

/**
 * The public fastify app, on a node:http server of the gateway's own (time limits, connection
 * caps); which requests fastify sees is set by `serveRequests`.
 */
export function createPublicApp(
  limits: LimitsConfig,
  logLevel: string | undefined,
): FastifyInstance {
  return Fastify({
    serverFactory: () => {
      const server = createServer(requestTimeouts(limits));
      server.keepAliveTimeout = 72_000;
      server.maxConnections = limits.max_connections;
      if (limits.connections_per_ip) capConnectionsPerAddress(server, limits.connections_per_ip);
      return server;
    },
    clientErrorHandler: answerClientError,
    logger: {
      level: logLevel ?? 'info',
      redact: ['req.headers.authorization', 'req.headers["x-api-key"]'],
    },
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: limits.body_bytes,
    trustProxy: false,
  });
}

/** The public listener while it runs: `drain()` starts the stop (answers then carry `connection: close`). */
export interface PublicListener {
  readonly draining: boolean;
  drain(): void;
}

/**
 * Routes the public server's requests: model routes straight to the proxy, ahead of fastify's
 * router and hooks (the hot path: a fastify hook does not run for them); the rest to fastify.
 */
export function serveRequests(
  app: FastifyInstance,
  context: ProxyContext,
  limits: LimitsConfig,
): PublicListener {
  const server: Server = app.server;
  const bodyLimit = limits.body_bytes;
  const connections = trackConnections(server);
  const listener = {
    draining: false,
    drain() {
      listener.draining = true;
      connections.closeAfterAnswers();
    },
  };
  const route = (request: IncomingMessage, response: ServerResponse, expectsContinue: boolean) => {
    // draining: answer what arrived, then let the client reconnect elsewhere
    if (listener.draining) response.setHeader('connection', 'close');
    const surface = modelRouteOf(request.method, request.url);
    if (surface) serveModelRoute(context, bodyLimit, surface, request, response, expectsContinue);
    else {
      if (expectsContinue) response.writeContinue();
      app.routing(request, response);
    }
  };
  server.on('request', (request: IncomingMessage, response: ServerResponse) =>
    route(request, response, false),
  );
  // 'Expect: 100-continue': the key is checked before the client is asked for the body
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) =>
    route(request, response, true),
  );
  return listener;
}

/**
 * The public app's body parsing, error mapping and 404 (for what fastify serves: admin and health
 * on the public port, and the model paths with another method), in the caller's family by path.
 */
export function registerPublicRoutes(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const family = familyOfPath(request.url);
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      sendApiError(reply, family, bodyTooLargeError(bodyLimit));
    else if (error instanceof ApiError) sendApiError(reply, family, error);
    else if ((error.statusCode ?? 500) < 500)
      sendApiError(reply, family, new ApiError(400, 'invalid_request', error.message));
    else {
      request.log.error({ err: error }, 'unhandled gateway error');
      sendApiError(
        reply,
        family,
        new ApiError(
          500,
          'internal_error',
          'The gateway failed on this request; it has been logged.',
        ),
      );
    }
  });
  app.setNotFoundHandler((request, reply) => {
    sendApiError(
      reply,
      familyOfPath(request.url),
      new ApiError(
        404,
        'not_found',
        `No route ${request.method} ${request.url.split('?')[0]}. Model routes: POST /v1/chat/completions, /v1/completions, /v1/messages.`,
      ),
    );
  });
}

/** Listens on `host:port` without fastify's own "Server listening" lines (the startup line says it); a failure is a usage error naming the address. */
export async function listenQuietly(
  app: FastifyInstance,
  port: number | undefined,
  host: string,
  advice: string,
  flag = '',
): Promise<string> {
  const logLevel = app.log.level;
  try {
    app.log.level = 'warn';
    return await app.listen({ port, host });
  } catch (error) {
    throw new DistillGuardError(
      'usage',
      `cannot listen on ${host}:${port}${flag}: ${(error as Error).message}. ${advice}`,
    );
  } finally {
    app.log.level = logLevel;
  }
}
