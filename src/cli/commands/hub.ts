// `distillguard hub`: the TAXII 2.1 server alone (a government or industry hub), on the store
// given; partners are added with `distillguard intel partners add`.
import type { Command } from 'commander';
import { keyHashSecretVariable } from '../../core/index.js';
import { apiRootPath, discoveryPath, startHub } from '../../intel/index.js';
import { loadKeyHashSecret, mountDashboard, readGatewayConfig } from '../../gateway/index.js';
import { loadLogSigner, TransparencyLog } from '../../designate/index.js';
import { SqliteStore } from '../../store/index.js';
import { defaultDatabasePath, parsePort, parsePositiveInteger } from '../options.js';
import { sqliteStorePath } from '../open-store.js';
import { partnerSecretHasher } from '../taxii-secrets.js';
import { logRecorder, taxiiReceiptEvent } from '../log-recorder.js';

interface HubCommandOptions {
  port: number;
  host: string;
  db: string;
  title: string;
  maxContentLength: number;
  keyHashSecretFile?: string;
  config?: string;
}

export function registerHub(program: Command): void {
  program
    .command('hub')
    .description('run the TAXII 2.1 server alone: partners push and pull campaigns and indicators')
    .option('--port <port>', 'port to listen on', parsePort, 9443)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--title <text>', 'the server title partners see', 'DistillGuard hub')
    .option('--max-content-length <bytes>', 'largest post accepted', parsePositiveInteger, 10 << 20)
    .option(
      '--key-hash-secret-file <file>',
      `file holding the key-hashing secret (else env ${keyHashSecretVariable}, else <db>.key-hash-secret)`,
    )
    .option(
      '--config <file>',
      'config file whose `intel.relay_to` says where to relay what partners post (its `storage` block must name SQLite: the hub runs on the --db file)',
    )
    .action(async (options: HubCommandOptions) => {
      const config = options.config ? readGatewayConfig(options.config).intel : undefined;
      const store = SqliteStore.open(
        sqliteStorePath(options, 'hub', 'the dashboard it serves reads the SQLite store'),
      );
      const log = await logRecorder(store, options.db);
      let dashboardLog: Promise<TransparencyLog> | null = null;
      const hub = await startHub({
        store,
        hashSecret: await partnerSecretHasher(store, options.db, options.keyHashSecretFile),
        port: options.port,
        host: options.host,
        title: options.title,
        maxContentLength: options.maxContentLength,
        config,
        onReceived: async (receipt) => {
          await log.record(taxiiReceiptEvent(receipt));
        },
        // the dashboard for the hub's analysts: what came in, correlated campaigns, cases
        mount: async (app) =>
          mountDashboard(app, {
            store,
            keyHashSecret: await loadKeyHashSecret({
              databasePath: options.db,
              file: options.keyHashSecretFile,
              store,
            }),
            log: () =>
              (dashboardLog ??= loadLogSigner({ databasePath: options.db, store }).then(
                (signer) => new TransparencyLog(store.designation, signer),
                (error: unknown) => {
                  dashboardLog = null; // the next request tries again
                  throw error;
                },
              )),
            intel: config,
            auditUnavailable:
              'a hub serves no model answers: audits run on a gateway with a watermark.',
          }),
        onRelay: (outcome) => {
          if (outcome instanceof Error) process.stderr.write(`relay failed: ${outcome.message}\n`);
          else
            for (const report of outcome)
              if (report.pushed > 0)
                process.stdout.write(
                  `relayed to ${report.target}: ${report.accepted} of ${report.pushed} objects accepted\n`,
                );
        },
      });
      const partners = (await store.taxii.listPartners()).filter(
        (partner) => !partner.revokedAt,
      ).length;
      process.stdout.write(
        `distillguard hub listening on ${hub.url} (TAXII 2.1 discovery ${discoveryPath}, API root ${apiRootPath}; store ${options.db}; ${partners} partner(s)); dashboard at ${hub.url}/ for users added with \`distillguard users add --db ${options.db}\`\n`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGTERM', stop);
        process.once('SIGINT', stop);
      });
      await hub.close();
      await store.close();
      process.stdout.write('hub stopped\n');
    });
}
