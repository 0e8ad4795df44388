// The TAXII 2.1 client behind `intel push` and `intel pull`: finds the API root (from a discovery
// or an API root URL), posts objects in envelopes that fit the server's max_content_length and
// waits on each status resource, and reads a collection page by page (limit and next) from where
// the last pull ended (added_after).
import { request } from 'undici';
import { DistillGuardError, isJsonObject, type JsonObject } from '../../core/index.js';
import { taxiiMediaType } from './media.js';

export interface TaxiiCredentials {
  user?: string;
  password?: string;
  token?: string;
}

export interface PushOutcome {
  total: number;
  successes: number;
  failures: { id: string; message: string }[];
}

export interface PulledPage {
  objects: JsonObject[];
  /** X-TAXII-Date-Added-Last of this page. */
  lastAdded: string | null;
}

const pageSize = 500;

export class TaxiiClient {
  private readonly url: string;
  private readonly authorization: string | null;
  private root: { url: string; maxContentLength: number } | null = null;

  constructor(serverUrl: string, credentials: TaxiiCredentials) {
    this.url = serverUrl.endsWith('/') ? serverUrl : `${serverUrl}/`;
    this.authorization = credentials.token
      ? `Bearer ${credentials.token}`
      : credentials.user !== undefined
        ? `Basic ${Buffer.from(`${credentials.user}:${credentials.password ?? ''}`).toString('base64')}`
        : null;
  }

  private async call(
    url: string,
    method: 'GET' | 'POST' = 'GET',
    body?: string,
  ): Promise<{ status: number; body: JsonObject; lastAdded: string | null }> {
    let response;
    try {
      response = await request(url, {
        method,
        headers: {
          accept: taxiiMediaType,
          ...(this.authorization ? { authorization: this.authorization } : {}),
          ...(body !== undefined ? { 'content-type': taxiiMediaType } : {}),
        },
        body,
        headersTimeout: 30_000,
        bodyTimeout: 120_000,
      });
    } catch (error) {
      throw new DistillGuardError(
        'gateway_unavailable',
        `cannot reach the TAXII server at ${url}: ${(error as Error).message}. Check --server.`,
      );
    }
    const text = await response.body.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    const answer = isJsonObject(parsed) ? parsed : {};
    if (response.statusCode === 401 || response.statusCode === 403)
      throw new DistillGuardError(
        'gateway_refused',
        `the TAXII server refused ${method} ${url} (${response.statusCode}): ${String(answer.description ?? text.slice(0, 200))}`,
      );
    if (response.statusCode >= 400)
      throw new DistillGuardError(
        'input_invalid',
        `the TAXII server answered ${method} ${url} with ${response.statusCode}: ${String(answer.description ?? text.slice(0, 200))}`,
      );
    const last = response.headers['x-taxii-date-added-last'];
    return {
      status: response.statusCode,
      body: answer,
      lastAdded: typeof last === 'string' ? last : null,
    };
  }

  /** The API root: the URL given, or the default of the discovery document it points at. */
  async apiRoot(): Promise<{ url: string; maxContentLength: number }> {
    if (this.root) return this.root;
    let url = this.url;
    let answer = (await this.call(url)).body;
    if (Array.isArray(answer.api_roots)) {
      const chosen = typeof answer.default === 'string' ? answer.default : answer.api_roots[0];
      if (typeof chosen !== 'string')
        throw new DistillGuardError('input_invalid', `${url} lists no API root.`);
      const resolved = new URL(chosen, url);
      // credentials go only where they were meant to: the origin the user named
      if (resolved.origin !== new URL(this.url).origin)
        throw new DistillGuardError(
          'gateway_refused',
          `${url} names its API root at ${resolved.origin}, not ${new URL(this.url).origin}; refusing to send credentials there. Give the API root URL itself as --server.`,
        );
      url = resolved.toString();
      answer = (await this.call(url)).body;
    }
    if (!Array.isArray(answer.versions))
      throw new DistillGuardError(
        'input_invalid',
        `${url} is neither a TAXII 2.1 discovery nor an API root.`,
      );
    this.root = {
      url: url.endsWith('/') ? url : `${url}/`,
      maxContentLength: Number(answer.max_content_length) || 10 << 20,
    };
    return this.root;
  }

  private async collectionUrl(collection: string): Promise<string> {
    const root = await this.apiRoot();
    return `${root.url}collections/${encodeURIComponent(collection)}/`;
  }

  /** Posts `objects` in envelopes under max_content_length; waits for each status to complete. */
  async push(collection: string, objects: JsonObject[], timeoutMs = 60_000): Promise<PushOutcome> {
    const { url: rootUrl, maxContentLength } = await this.apiRoot();
    const target = `${await this.collectionUrl(collection)}objects/`;
    const outcome: PushOutcome = { total: 0, successes: 0, failures: [] };
    let batch: JsonObject[] = [];
    let size = 20;
    const flush = async () => {
      if (batch.length === 0) return;
      let status = (await this.call(target, 'POST', JSON.stringify({ objects: batch }))).body;
      const deadline = Date.now() + timeoutMs;
      while (status.status !== 'complete' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        status = (await this.call(`${rootUrl}status/${String(status.id)}/`)).body;
      }
      if (status.status !== 'complete')
        throw new DistillGuardError(
          'gateway_unavailable',
          `the TAXII server did not complete status ${String(status.id)} within ${timeoutMs / 1000} s.`,
        );
      outcome.total += Number(status.total_count) || 0;
      outcome.successes += Number(status.success_count) || 0;
      for (const failure of (status.failures as JsonObject[] | undefined) ?? [])
        outcome.failures.push({ id: String(failure.id), message: String(failure.message ?? '') });
      batch = [];
      size = 20;
    };
    for (const object of objects) {
      const bytes = Buffer.byteLength(JSON.stringify(object)) + 1;
      if (bytes + 20 > maxContentLength)
        throw new DistillGuardError(
          'input_invalid',
          `object ${String(object.id)} alone (${bytes} bytes) exceeds the server's max_content_length of ${maxContentLength}.`,
        );
      if (size + bytes > maxContentLength) await flush();
      batch.push(object);
      size += bytes;
    }
    await flush();
    return outcome;
  }

  /** The collection's objects added after `addedAfter`, a page at a time. */
  async *pull(collection: string, addedAfter: string | null): AsyncGenerator<PulledPage> {
    const base = `${await this.collectionUrl(collection)}objects/`;
    let next: string | null = null;
    for (;;) {
      const query = new URLSearchParams({ limit: String(pageSize) });
      if (addedAfter) query.set('added_after', addedAfter);
      if (next) query.set('next', next);
      const page = await this.call(`${base}?${query.toString()}`);
      const objects = Array.isArray(page.body.objects) ? (page.body.objects as JsonObject[]) : [];
      yield { objects, lastAdded: page.lastAdded };
      if (page.body.more !== true || typeof page.body.next !== 'string') return;
      next = page.body.next;
    }
  }
}
