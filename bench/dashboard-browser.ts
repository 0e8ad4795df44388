// What the dashboard benchmark runs inside Chromium (through page.evaluate, which sends each
// function's source, so every function here stands alone): the floor, which fetches a page's API
// calls as the page does and parses them; opening a page and seeing it say it is ready; logging in.

/** One read a page makes from /admin/v1 before it is ready (web/src/pages/*.ts). */
export type ApiCall =
  | { read: 'json'; path: string }
  | { read: 'text'; path: string }
  /** A static file of the dashboard (the cold load's floor), read as text. */
  | { read: 'static'; path: string }
  /** /accounts a chunk of `limit` at a time until its `total`, as pages/accounts.ts reads it. */
  | { read: 'account-chunks'; limit: number }
  /** /overview?since= the last visit this browser stored, as pages/overview.ts reads it. */
  | { read: 'overview' };

export interface FloorRequest {
  token: string;
  /** Steps one after another; the calls of a step at once (Promise.all, as the pages do). */
  steps: ApiCall[][];
}

/** The few browser globals these functions use (the bench compiles without the DOM library). */
interface BrowserElement {
  textContent: string | null;
  /** Of an input: its value and its form. */
  value?: string;
  form?: { requestSubmit(): void } | null;
  getAttribute(name: string): string | null;
  removeAttribute(name: string): void;
  querySelectorAll(selector: string): Iterable<BrowserElement>;
}
interface BrowserGlobals {
  location: { hash: string };
  document: {
    documentElement: BrowserElement;
    getElementById(id: string): BrowserElement | null;
    querySelector(selector: string): BrowserElement | null;
  };
  localStorage: { getItem(key: string): string | null };
  MutationObserver: new (callback: () => void) => {
    observe(target: BrowserElement, options: Record<string, unknown>): void;
    disconnect(): void;
  };
}

/**
 * Fetches the calls of `request` with the user's bearer token and parses each answer, as
 * web/src/api.ts does; resolves to the milliseconds it took in the page.
 */
export async function fetchFloor(request: FloorRequest): Promise<number> {
  const browser = globalThis as unknown as BrowserGlobals;
  const started = performance.now();
  const get = async (path: string): Promise<string> => {
    const response = await fetch(path, {
      headers: { accept: 'application/json', authorization: `Bearer ${request.token}` },
      credentials: 'omit',
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${path}: ${response.status} ${text.slice(0, 200)}`);
    return text;
  };
  const one = async (call: ApiCall): Promise<void> => {
    if (call.read === 'static') await get(call.path);
    else if (call.read === 'text') await get(`/admin/v1${call.path}`);
    else if (call.read === 'json') JSON.parse(await get(`/admin/v1${call.path}`));
    else if (call.read === 'overview') {
      const since = browser.localStorage.getItem('distillguard.lastVisit');
      JSON.parse(
        await get(`/admin/v1/overview${since ? `?since=${encodeURIComponent(since)}` : ''}`),
      );
    } else {
      for (let loaded = 0, total = Infinity; loaded < total;) {
        const page = JSON.parse(
          await get(`/admin/v1/accounts?offset=${loaded}&limit=${call.limit}`),
        ) as { total: number; accounts: unknown[] };
        total = page.total;
        loaded += page.accounts.length;
        if (page.accounts.length === 0) break;
      }
    }
  };
  for (const step of request.steps) await Promise.all(step.map(one));
  return performance.now() - started;
}

/** What opens a page: the hash to set, the path main[data-ready] will say, the panel it loads after. */
export interface OpenRequest {
  hash: string;
  path: string;
  /** A panel the page fills after it is ready: an element matching `selector` whose text matches `text`. */
  after?: { selector: string; text?: string };
}

/**
 * Clears main[data-ready], sets the hash, and resolves once main[data-ready] says `path` (and the
 * later panel is filled, if asked) with the milliseconds from the hash change to each. A
 * MutationObserver sees the attribute as it is set: Playwright's waitForSelector polls at 0, 20,
 * 50, 100, 100 and then 500 ms intervals, so a page ready at 600 ms would read as 770 ms or more.
 */
export function openPage(request: OpenRequest): Promise<{ ready: number; after: number | null }> {
  const browser = globalThis as unknown as BrowserGlobals;
  const main = browser.document.getElementById('main')!;
  main.removeAttribute('data-ready');
  return new Promise((resolve) => {
    const started = performance.now();
    let ready: number | null = null;
    const afterShown = () => {
      if (!request.after) return true;
      const pattern = request.after.text ? new RegExp(request.after.text) : null;
      return [...main.querySelectorAll(request.after.selector)].some(
        (element) => !pattern || pattern.test(element.textContent ?? ''),
      );
    };
    const check = () => {
      if (ready === null && main.getAttribute('data-ready') === request.path)
        ready = performance.now() - started;
      if (ready === null || !afterShown()) return;
      observer.disconnect();
      resolve({ ready, after: request.after ? performance.now() - started : null });
    };
    const observer = new browser.MutationObserver(check);
    // attributes for data-ready, the subtree for the later panel (filled before or after ready)
    observer.observe(main, {
      attributes: true,
      childList: true,
      subtree: true,
      characterData: true,
    });
    browser.location.hash = request.hash;
  });
}

/** Resolves once an element matches `selector` (now or later): the login form of a cold load. */
export function whenPresent(selector: string): Promise<void> {
  const browser = globalThis as unknown as BrowserGlobals;
  return new Promise((resolve) => {
    const check = () => {
      if (!browser.document.querySelector(selector)) return false;
      observer.disconnect();
      resolve();
      return true;
    };
    const observer = new browser.MutationObserver(check);
    if (!check())
      observer.observe(browser.document.documentElement, { childList: true, subtree: true });
  });
}

/**
 * Puts `token` in the login form's User token field and submits it as Enter would, then resolves
 * once the overview is ready (main[data-ready="/"]). The harness types nothing: Playwright's fill
 * waits for the field to be stable over animation frames, 100-200 ms that no user's typing costs.
 */
export function logIn(token: string): Promise<void> {
  const browser = globalThis as unknown as BrowserGlobals;
  const input = browser.document.getElementById('token')!;
  const main = browser.document.getElementById('main')!;
  return new Promise((resolve) => {
    const observer = new browser.MutationObserver(() => {
      if (main.getAttribute('data-ready') !== '/') return;
      observer.disconnect();
      resolve();
    });
    observer.observe(main, { attributes: true, attributeFilter: ['data-ready'] });
    input.value = token;
    input.form!.requestSubmit();
  });
}

/** Changes the hash to `hash` after clearing main[data-ready], so only the new page can set it. */
export function startPage(hash: string): void {
  const browser = globalThis as unknown as BrowserGlobals;
  browser.document.getElementById('main')?.removeAttribute('data-ready');
  browser.location.hash = hash;
}
