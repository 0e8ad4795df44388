// The environment the live detector is started with: only what Node and the scheduler tools need.
// The detector parses untrusted text, so it never holds the admin token, the key-hash secret or
// upstream keys that the gateway's own environment may carry.

/** Variables passed through as they are (Node's own, locale, temp dirs, the search path for chrt). */
const passed = new Set([
  'PATH',
  'HOME',
  'TMPDIR',
  'TMP',
  'TEMP',
  'TZ',
  'LANG',
  'LANGUAGE',
  'NODE_OPTIONS',
  'NODE_EXTRA_CA_CERTS',
  'NODE_V8_COVERAGE',
  'NODE_DEBUG',
  'UV_THREADPOOL_SIZE',
  'SYSTEMROOT',
]);

/** The detector's environment, from the gateway's: the allow-listed variables and LC_*, nothing else. */
export function detectorEnvironment(from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(from)) {
    if (value !== undefined && (passed.has(name) || name.startsWith('LC_')))
      environment[name] = value;
  }
  return environment;
}
