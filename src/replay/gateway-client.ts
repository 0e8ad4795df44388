// The replay's connection to the gateway: one undici Pool, the base path, and the health check
// that turns "nothing listening" into one clear message before any work starts.
import { Pool } from 'undici';
import { DistillGuardError } from '../core/index.js';

export interface GatewayResponse {
  status: number;
  /** The whole body as text (bodies are always read to the end, SSE streams included). */
  text: string;
}

export class GatewayClient {
  readonly url: string;
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(gatewayUrl: string, connections: number) {
    let parsed: URL;
    try {
      parsed = new URL(gatewayUrl);
    } catch {
      throw new DistillGuardError(
        'usage',
        `--gateway '${gatewayUrl}' is not a URL; pass e.g. http://127.0.0.1:8080.`,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new DistillGuardError(
        'usage',
        `--gateway '${gatewayUrl}' must be an http:// or https:// URL.`,
      );
    }
    this.url = gatewayUrl;
    this.basePath = parsed.pathname.replace(/\/+$/, '');
    this.pool = new Pool(parsed.origin, { connections });
  }

  /** Throws DistillGuardError('gateway_unavailable') when nothing answers HTTP at the gateway URL. */
  async checkReachable(): Promise<void> {
    try {
      await this.send('GET', '/health', {}, undefined);
    } catch (error) {
      throw new DistillGuardError(
        'gateway_unavailable',
        `cannot reach the gateway at ${this.url} (${networkErrorCode(error)}). Start it with 'distillguard serve --accept-replay-time ...' or check --gateway.`,
        { cause: error },
      );
    }
  }

  /** One request; the body is read to the end. Network failures throw (see networkErrorCode). */
  async send(
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body: string | undefined,
  ): Promise<GatewayResponse> {
    const response = await this.pool.request({
      method,
      path: `${this.basePath}${path}`,
      headers,
      body,
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** A short, stable name for a network failure (ECONNREFUSED, UND_ERR_SOCKET, ...), for counting. */
export function networkErrorCode(error: unknown): string {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    // Node reports a refused dual-stack connection as an AggregateError with the codes inside
    const inner = (current as { errors?: unknown[] }).errors?.[0];
    current = inner ?? (current as { cause?: unknown }).cause;
  }
  return (error as Error | undefined)?.message ?? String(error);
}
