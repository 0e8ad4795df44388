// `distillguard serve`: the OpenAI- and Anthropic-compatible gateway. Without --upstream or a
// config, the built-in reference model is started in-process and serves every model.
// Nothing large is imported statically: the runtime settings (src/runtime/) apply first, then the
// gateway loads.
import { logRecorder, taxiiReceiptEvent, type LogRecorder } from '../log-recorder.js';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  adminTokenVariable,
  keyHashSecretVariable,
  proxySecretVariable,
} from '../../core/environment.js';
import { DistillGuardError } from '../../core/errors.js';
import { defaultGatewayPort, defaultListenHost } from '../../core/listen-defaults.js';
import { proxySecretHeader } from '../../core/wire-headers.js';
import type { RunningGateway } from '../../gateway/index.js';
import { applyServeRuntime, releaseYoungGenerationHold } from '../../runtime/index.js';
import { defaultDatabasePath, parsePort } from '../options.js';
import { startDefaultUpstream } from '../default-upstream.js';

interface ServeOptions {
  port: number;
  host: string;
  upstream?: string;
  db: string;
  config?: string;
  trustAccountHeader?: string;
  trustAccountHeaderSecretFile?: string;
  trustedProxies?: string[];
  adminPort?: number;
  adminHost?: string;
  acceptReplayTime?: boolean;
  adminTokenFile?: string;
  keyHashSecretFile?: string;
  taxii?: boolean;
}

/** The admin token from the environment or a file; null disables the admin and sidecar routes. */
export function readAdminToken(file: string | undefined): string | null {
  if (file) {
    let token: string;
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new DistillGuardError(
        'usage',
        `cannot read --admin-token-file '${file}': ${(error as Error).message}`,
      );
    }
    if (token.length < 16)
      throw new DistillGuardError(
        'usage',
        `the admin token in '${file}' is shorter than 16 characters; use a long random token.`,
      );
    return token;
  }
  const fromEnvironment = process.env[adminTokenVariable];
  if (fromEnvironment && fromEnvironment.length < 16)
    throw new DistillGuardError(
      'usage',
      `${adminTokenVariable} is shorter than 16 characters; use a long random token.`,
    );
  return fromEnvironment || null;
}

/** The secret shared with the auth proxy (--trust-account-header), from a file or the environment; null when neither. */
export function readProxySecret(file: string | undefined): string | null {
  let secret: string | undefined = process.env[proxySecretVariable];
  let origin = proxySecretVariable;
  if (file) {
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new DistillGuardError(
        'usage',
        `cannot read --trust-account-header-secret-file '${file}': ${(error as Error).message}`,
      );
    }
    origin = `'${file}'`;
  }
  if (!secret) return null;
  if (secret.length < 16)
    throw new DistillGuardError(
      'usage',
      `the proxy secret in ${origin} is shorter than 16 characters; use a long random secret.`,
    );
  return secret;
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'run the OpenAI- and Anthropic-compatible gateway with live detection and the response ladder',
    )
    .option('--port <port>', 'port to listen on', parsePort, defaultGatewayPort)
    .option('--host <host>', 'address to listen on', defaultListenHost)
    .option(
      '--upstream <url>',
      'send every model to this OpenAI-compatible base URL (e.g. http://localhost:8000/v1)',
    )
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option(
      '--config <file>',
      'gateway config (JSON): upstreams per model, limits, response ladder (docs/gateway.md)',
    )
    .option(
      '--trust-account-header <name>',
      'take the account id from this header, set by an auth proxy in front (no API keys); needs the proxy secret',
    )
    .option(
      '--trust-account-header-secret-file <file>',
      `file holding the secret the auth proxy sends in ${proxySecretHeader} (else env ${proxySecretVariable})`,
    )
    .option(
      '--trusted-proxies <cidr...>',
      'load balancers (CIDRs) whose X-Forwarded-For gives the client address',
    )
    .option(
      '--admin-port <port>',
      'serve the admin API, sidecar and /metrics on this port only (else on the public port, /metrics behind a read token)',
      parsePort,
    )
    .option(
      '--admin-host <host>',
      'address of the admin listener (with --admin-port; default 127.0.0.1)',
    )
    .option(
      '--accept-replay-time',
      'take timestamps and client details from replay headers: for `distillguard replay` only, NEVER in production',
    )
    .option(
      '--admin-token-file <file>',
      `file holding the admin token (else env ${adminTokenVariable}); without one the admin API is off`,
    )
    .option(
      '--key-hash-secret-file <file>',
      `file holding the secret API keys are hashed under (else env ${keyHashSecretVariable}, else <db>.key-hash-secret)`,
    )
    .option(
      '--taxii',
      'serve TAXII 2.1 (discovery at /taxii2/) on the admin listener, to partners added with `intel partners add`',
    )
    .action(async (options: ServeOptions) => {
      applyServeRuntime();
      const {
        describeShutdown,
        installProcessFaultPolicy,
        loadTracerWatermarks,
        parseGatewayConfig,
        readGatewayConfig,
        startGateway,
        startupText,
      } = await import('../../gateway/index.js');
      const config = options.config ? readGatewayConfig(options.config) : parseGatewayConfig({});
      // the live detector tails the SQLite file: PostgreSQL comes with the detector workers
      if (config.storage.kind === 'postgres')
        throw new DistillGuardError(
          'usage',
          'storage.kind "postgres" is not supported by serve yet: serve keeps its store in SQLite (--db) until distillguard worker lands (docs/scale.md). The store commands (ingest, export, keys, ...) take it with --config.',
        );
      const adminToken = readAdminToken(options.adminTokenFile);
      let upstream = options.upstream;
      let closeUpstream: () => Promise<void> = async () => undefined;
      if (!upstream && config.upstreams.length === 0) {
        // with a tracer master key, the built-in model marks each cohort's answers itself (sampler side)
        const reference = await startDefaultUpstream({
          watermarkMaster: config.watermark
            ? (await loadTracerWatermarks()).readMasterKey(config.watermark)
            : undefined,
        });
        upstream = reference.url;
        closeUpstream = reference.close;
        process.stdout.write(`built-in reference model serving every model at ${reference.url}\n`);
      }
      let gateway: RunningGateway;
      let recorder: Promise<LogRecorder> | null = null;
      try {
        gateway = await startGateway({
          port: options.port,
          host: options.host,
          databasePath: options.db,
          upstream,
          config,
          adminToken,
          trustAccountHeader: options.trustAccountHeader ?? null,
          acceptReplayTime: options.acceptReplayTime ?? false,
          keyHashSecretFile: options.keyHashSecretFile,
          trustAccountHeaderSecret: options.trustAccountHeader
            ? readProxySecret(options.trustAccountHeaderSecretFile)
            : null,
          trustedProxies: options.trustedProxies,
          adminPort: options.adminPort,
          adminHost: options.adminHost,
          taxii: options.taxii ?? false,
          onTaxiiReceived: (receipt) => {
            // posts arrive only once the gateway listens, so `gateway` is set by then
            const opened = (recorder ??= gateway
              ? logRecorder(gateway.store, options.db).catch((error: unknown) => {
                  recorder = null; // the next post tries to open the log again
                  throw error;
                })
              : null);
            opened
              ?.then((log) => log.record(taxiiReceiptEvent(receipt)))
              .catch((error: unknown) => {
                gateway?.log.error(
                  { err: error },
                  'could not record a TAXII post in the transparency log',
                );
              });
          },
        });
      } catch (error) {
        await closeUpstream();
        throw error;
      }
      // an unhandled rejection is logged and degrades /health; an uncaught exception is logged and ends the process
      installProcessFaultPolicy({ log: gateway.log, unhandled: gateway.health.unhandled });
      if (options.acceptReplayTime)
        process.stderr.write(
          'warning: --accept-replay-time is on: clients can set timestamps and addresses. Never use it in production.\n',
        );
      if (!adminToken && (await gateway.tokens.list()).every((token) => token.revokedAt !== null))
        process.stderr.write(
          `note: no admin token (${adminTokenVariable}, --admin-token-file or \`distillguard tokens create\`): the admin and sidecar routes answer 401.\n`,
        );
      // the young generation grows (up to its cap) only now that loading's allocation bursts are over
      releaseYoungGenerationHold();
      // signals are handled before the line a supervisor waits for: a SIGTERM right after it drains
      const stopSignal = untilStopSignal(gateway);
      process.stdout.write(
        `distillguard gateway listening on ${gateway.url} (${startupText(gateway.startup)})\n`,
      );
      await stopSignal;
      process.stdout.write(
        'stopping: finishing requests in flight and writing every exchange...\n',
      );
      const report = await gateway.close();
      await closeUpstream();
      process.stdout.write('stopped.\n');
      // exit 4 (printed on stderr) when exchanges were not stored: a supervisor sees it
      if (report.dropped + report.unstored > 0)
        throw new DistillGuardError(
          'store_failed',
          `stopped: ${describeShutdown(report, gateway.spoolPath)}`,
        );
    });
}

/**
 * Resolves on the first SIGTERM or SIGINT (the caller then drains). A second one exits at once,
 * saying how many exchanges that leaves unstored and whether the spool keeps them.
 */
function untilStopSignal(gateway: RunningGateway): Promise<void> {
  return new Promise<void>((resolve) => {
    let received = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      received += 1;
      if (received === 1) {
        resolve();
        return;
      }
      const { queued } = gateway.recorder.counts;
      const spool = gateway.recorder.health().spool === null ? gateway.spoolPath : null;
      const kept =
        queued === 0
          ? ''
          : spool
            ? ` (they are in ${spool}: the next start on this store writes them)`
            : ' (lost)';
      process.stderr.write(
        `${signal} again: exiting now without draining; ${queued} exchanges not yet stored${kept}\n`,
      );
      process.exit(1);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
