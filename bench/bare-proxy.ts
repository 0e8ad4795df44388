// The floor for the gateway: a bare reverse proxy (node:http in, undici Pool out) that forwards
// method, path, headers and body and streams the answer back, doing nothing else.
// Usage: node dist/bench/bare-proxy.js --port P --upstream URL (other options are ignored, so it
// can stand in for `distillguard serve` when checking the bench harness).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, upstream: { type: 'string' } },
  strict: false,
});
if (typeof values.upstream !== 'string') throw new Error('bare proxy: --upstream URL is required');
const upstream = new Pool(values.upstream, { connections: 256 });
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'host',
  'upgrade',
  'proxy-connection',
]);

function forwardable(
  headers: IncomingHttpHeaders | Record<string, string | string[] | undefined>,
): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !hopByHop.has(name)) kept[name] = value;
  return kept;
}

const server = createServer((request, response) => {
  const method = (request.method ?? 'GET') as 'GET' | 'POST';
  upstream
    .stream(
      {
        method,
        path: request.url ?? '/',
        headers: forwardable(request.headers),
        body: method === 'GET' ? undefined : request,
      },
      ({ statusCode, headers }) => {
        response.writeHead(statusCode, forwardable(headers));
        return response;
      },
    )
    .catch((error: Error) => {
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            error: { message: `bare proxy: ${error.message}`, type: 'upstream_error' },
          }),
        );
      } else {
        response.destroy(error);
      }
    });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : values.port;
  process.stdout.write(`bare proxy listening on http://127.0.0.1:${port}\n`);
});
