// The admin listener (`serve --admin-port`): the admin API, the sidecar and /metrics on their own
// address (loopback by default), so the public port answers model routes only (review M4).
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
} from 'fastify';
import { ApiError, bodyTooLargeError, sendApiError } from './api-error.js';

/** A fastify app for the admin routes: bodies as buffers, errors in OpenAI's format. */
export function createAdminApp(log: FastifyBaseLogger, bodyLimit: number): FastifyInstance {
  const app = Fastify({
    loggerInstance: log.child({ listener: 'admin' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit,
    trustProxy: false,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
      sendApiError(reply, 'openai', bodyTooLargeError(bodyLimit, null));
    else if (error instanceof ApiError) sendApiError(reply, 'openai', error);
    else if ((error.statusCode ?? 500) < 500)
      sendApiError(reply, 'openai', new ApiError(400, 'invalid_request', error.message));
    else {
      request.log.error({ err: error }, 'unhandled admin error');
      sendApiError(
        reply,
        'openai',
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
      'openai',
      new ApiError(
        404,
        'not_found',
        `No route ${request.method} ${request.url.split('?')[0]} on the admin listener (admin API, /v1/decide, /v1/ingest, /metrics).`,
      ),
    );
  });
  return app;
}
