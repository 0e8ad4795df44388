// The servers every gateway bench starts, spelled once: the fake upstream, the bare proxy, and the
// arguments and environment of `distillguard serve` (accounts taken from a trusted header, which the
// load generator sets per request).
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { adminTokenVariable, proxySecretHeader, proxySecretVariable } from '../src/core/index.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** The header the gateway trusts for the account id in benches. */
export const benchAccountHeader = 'x-account-id';
/** The secret the load generator sends as the trusted auth proxy would (proxySecretHeader). */
export const benchProxySecret = 'bench-proxy-secret-0123456789';

const script = (name: string) => fileURLToPath(new URL(`./${name}.js`, import.meta.url));
/** This checkout's built CLI (dist/src/cli/main.js). */
export const builtCliMain = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

export function startFakeUpstream(port: number, cores: string | undefined): Promise<ServerProcess> {
  return startServerProcess(
    'fake upstream',
    [process.execPath, script('fake-upstream'), '--port', String(port)],
    port,
    { cores },
  );
}

export function startBareProxy(
  port: number,
  upstreamUrl: string,
  cores: string | undefined,
  label = 'bare proxy',
): Promise<ServerProcess> {
  return startServerProcess(
    label,
    [process.execPath, script('bare-proxy'), '--port', String(port), '--upstream', upstreamUrl],
    port,
    { cores },
  );
}

/** The bare proxy's command line (for benches that spawn it themselves, with node flags). */
export const bareProxyScript = script('bare-proxy');

/** What follows `serve` for a bench gateway. */
export function gatewayServeArgs(
  port: number,
  upstreamUrl: string,
  databasePath: string,
): string[] {
  return [
    '--port',
    String(port),
    '--upstream',
    upstreamUrl,
    '--trust-account-header',
    benchAccountHeader,
    '--db',
    databasePath,
  ];
}

/** The environment for a bench gateway: a random admin token, so the admin API is on as in production. */
export function gatewayEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    [adminTokenVariable]: randomBytes(16).toString('hex'),
    [proxySecretVariable]: benchProxySecret,
  };
}

/** Request headers for load request `index`, spread over `accounts` accounts. */
export function chatLoadHeaders(accounts: number): (index: number) => Record<string, string> {
  return (index) => ({
    'content-type': 'application/json',
    [benchAccountHeader]: `bench-account-${index % accounts}`,
    [proxySecretHeader]: benchProxySecret,
  });
}
