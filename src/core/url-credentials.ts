// URLs as they may be logged or shown: the user, password and query string removed (where
// credentials hide in database, cache and upstream URLs).

/** A URL fit for a log: no user, password or query string (where credentials hide). */
export function withoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    const query = parsed.search ? '?…' : '';
    parsed.search = '';
    parsed.hash = '';
    return `${parsed.toString()}${query}`;
  } catch {
    return '(not a URL)';
  }
}
