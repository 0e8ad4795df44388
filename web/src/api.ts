// The admin API with the user's token: kept in this tab's sessionStorage (gone when the tab
// closes), sent as a bearer header; never a cookie, so another site cannot act for the user.
const tokenKey = 'distillguard.token';

export interface Me {
  name: string;
  role: 'viewer' | 'analyst' | 'reviewer' | 'liaison' | 'admin';
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const session = {
  token: (): string | null => sessionStorage.getItem(tokenKey),
  save: (token: string) => sessionStorage.setItem(tokenKey, token),
  clear: () => sessionStorage.removeItem(tokenKey),
};

/** Called when the API says the token is no good: back to the login. */
let onUnauthorized: () => void = () => undefined;
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export async function api<T>(
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = session.token();
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/admin/v1${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    credentials: 'omit',
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) {
    const error = (body as { error?: { message?: string; code?: string } } | null)?.error;
    if (response.status === 401) onUnauthorized();
    throw new ApiFailure(
      response.status,
      error?.code ?? String(response.status),
      error?.message ?? `${response.status} ${response.statusText}`,
    );
  }
  return body as T;
}

/** Server-Sent Events through fetch (EventSource cannot send the bearer header). */
export function subscribe(
  onEvent: (name: string, data: unknown) => void,
  signal: AbortSignal,
): void {
  const run = async () => {
    while (!signal.aborted) {
      try {
        const response = await fetch('/admin/v1/events', {
          headers: {
            authorization: `Bearer ${session.token() ?? ''}`,
            accept: 'text/event-stream',
          },
          credentials: 'omit',
          signal,
        });
        if (response.status === 401) return onUnauthorized();
        if (!response.ok || !response.body) throw new Error(String(response.status));
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let name = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) name = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data) onEvent(name, JSON.parse(data));
          }
        }
      } catch {
        if (signal.aborted) return;
      }
      await new Promise((done) => setTimeout(done, 2_000));
    }
  };
  void run();
}
