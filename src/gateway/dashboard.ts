// The dashboard as one piece for any fastify app: the designation API, the dashboard's reads and
// live updates under /admin/v1/, and its pages at /. `serve` mounts it on its admin listener,
// `hub` beside TAXII. Inside its own plugin scope, request bodies are read as buffers (the API
// parses JSON itself, with errors that name the problem) whatever the host app parses.
import type { FastifyInstance } from 'fastify';
import { registerDashboardEvents } from './dashboard-events.js';
import { registerDashboardPages } from './dashboard-pages.js';
import { registerDashboardRoutes, type DashboardContext } from './dashboard-routes.js';
import { registerDesignationRoutes } from './designation-routes.js';

export async function mountDashboard(
  app: FastifyInstance,
  context: DashboardContext,
): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) =>
      done(null, body),
    );
    registerDesignationRoutes(scope, context);
    registerDashboardRoutes(scope, context);
    registerDashboardEvents(scope, context);
    registerDashboardPages(scope);
  });
}
