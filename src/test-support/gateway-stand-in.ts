// A stand-in for `distillguard serve` in replay tests: a node:http server that speaks just enough
// of the gateway's interface (health, admin accounts and keys, the three API routes, SSE) and
// records everything it receives, in order.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the request's headers arrived. */
  receivedMs: number;
}

export interface GatewayStandIn {
  url: string;
  received: ReceivedRequest[];
  /** API requests only (admin and health left out). */
  apiRequests(): ReceivedRequest[];
  close(): Promise<void>;
}

export interface StandInOptions {
  adminToken?: string;
  /** Status for an API request from the account whose secret was used; default 200. 0 drops the connection. */
  statusFor?: (accountId: string) => number;
}

/** Starts the stand-in on a free local port. Secrets are `secret-<account id>`. */
export async function startGatewayStandIn(options: StandInOptions = {}): Promise<GatewayStandIn> {
  const adminToken = options.adminToken ?? 'admin-test-token';
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const receivedMs = performance.now();
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = request.url ?? '';
      received.push({
        method: request.method ?? '',
        path,
        headers: request.headers,
        body,
        receivedMs,
      });
      const json = (status: number, value: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(JSON.stringify(value));
      };
      if (path === '/health') return json(200, { status: 'ok' });
      if (path.startsWith('/v1/admin/')) {
        if (request.headers.authorization !== `Bearer ${adminToken}`)
          return json(401, { error: { message: 'bad admin token' } });
        if (path === '/v1/admin/keys') {
          const accountId = (JSON.parse(body) as { account_id: string }).account_id;
          return json(201, {
            key_id: `key-${accountId}`,
            account_id: accountId,
            secret: `secret-${accountId}`,
          });
        }
        const rejected: { line: number; field: string; reason: string }[] = [];
        const lines = body.split('\n').filter((line) => line !== '');
        lines.forEach((line, index) => {
          if (!line.includes('"account_id"'))
            rejected.push({
              line: index + 1,
              field: 'account_id',
              reason: 'is required but missing',
            });
        });
        return json(200, { accepted: lines.length - rejected.length, rejected });
      }
      const secret = String(
        request.headers['x-api-key'] ?? request.headers.authorization ?? '',
      ).replace(/^Bearer /, '');
      const status = options.statusFor?.(secret.replace(/^secret-/, '')) ?? 200;
      if (status === 0) return request.socket.destroy();
      if (status !== 200) return json(status, { error: { message: 'refused' } });
      if ((JSON.parse(body) as { stream?: boolean }).stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        for (let index = 0; index < 3; index += 1)
          response.write(
            `data: {"object":"chat.completion.chunk","choices":[{"delta":{"content":"w${index}"}}]}\n\n`,
          );
        return response.end('data: [DONE]\n\n');
      }
      return json(200, {
        id: 'x',
        object: 'chat.completion',
        choices: [{ message: { role: 'assistant', content: 'ok' } }],
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    apiRequests: () =>
      received.filter((entry) => entry.path !== '/health' && !entry.path.startsWith('/v1/admin/')),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A local URL where nothing listens (a port just released). */
export async function unusedLocalUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}
