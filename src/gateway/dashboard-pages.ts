// The dashboard's pages: index.html at / and its scripts, styles and ECharts under /ui/, built
// from web/ into dist/web/ by `npm run build` (the `prepare` step of `npm ci`). Every answer has a
// strict Content-Security-Policy: scripts and styles from this origin only, nothing inline, no
// frames; the data comes from /admin/v1/ with the user's bearer token, never a cookie.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ApiError, sendApiError } from './api-error.js';

/** What every dashboard answer says about where its parts may come from. */
export const dashboardSecurityHeaders: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cache-control': 'no-cache',
};

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** dist/web/, beside dist/src/ where this module runs from. */
export const webRoot = fileURLToPath(new URL('../../web/', import.meta.url));

function vendorFiles(): Map<string, string> {
  const require = createRequire(import.meta.url);
  return new Map([['vendor/echarts.min.js', require.resolve('echarts/dist/echarts.min.js')]]);
}

/**
 * index.html with a modulepreload link for every module of the app, so the browser fetches them
 * all at once instead of one import level at a time (four levels: about 200-400 ms on a cold load).
 */
function withPreloads(html: Buffer, root: string): Buffer {
  let modules: string[];
  try {
    modules = readdirSync(root, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.js'))
      .map((name) => name.split(sep).join('/'))
      .sort();
  } catch {
    return html;
  }
  const links = modules
    .map((name) => `    <link rel="modulepreload" href="/ui/${encodeURI(name)}" />`)
    .join('\n');
  return Buffer.from(html.toString('utf8').replace('  </head>', `${links}\n  </head>`));
}

export function registerDashboardPages(app: FastifyInstance, root: string = webRoot): void {
  const vendor = vendorFiles();
  const cache = new Map<string, Buffer>();
  const send = (reply: FastifyReply, relative: string): FastifyReply | undefined => {
    const path = vendor.get(relative) ?? normalize(join(root, relative));
    if (!vendor.has(relative) && !path.startsWith(normalize(root + sep))) return undefined;
    let body = cache.get(path);
    if (!body) {
      try {
        body = readFileSync(path);
      } catch {
        return undefined;
      }
      if (relative === 'index.html') body = withPreloads(body, root);
      cache.set(path, body);
    }
    void reply.headers(dashboardSecurityHeaders);
    void reply.type(types[extname(path)] ?? 'application/octet-stream');
    return reply.send(body);
  };
  const missing = (reply: FastifyReply, what: string) => {
    sendApiError(
      reply,
      'openai',
      new ApiError(
        404,
        'not_found',
        `${what}: the dashboard is built into dist/web/ by \`npm run build\` (run by \`npm ci\`).`,
      ),
    );
    return reply;
  };
  app.get('/', (_request, reply) => send(reply, 'index.html') ?? missing(reply, 'no dashboard'));
  app.get('/ui/*', (request, reply) => {
    const relative = (request.params as { '*': string })['*'];
    return send(reply, relative) ?? missing(reply, `no file /ui/${relative}`);
  });
}
