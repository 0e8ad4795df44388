// `intel partners|collections|push|pull|correlate|relay`: TAXII 2.1 partners, collections, the
// client, and a hub's correlation and relay.
import { logRecorder } from '../log-recorder.js';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { DistillGuardError, isJsonObject, type JsonObject } from '../../core/index.js';
import {
  campaignsCollection,
  hubIdentity,
  recordCorrelations,
  relayRound,
  ensureDefaultCollection,
  importBundle,
  TaxiiClient,
} from '../../intel/index.js';
import { defaultDatabasePath } from '../options.js';
import { storeConfigDescription, storeName } from '../open-store.js';
import { partnerSecretHasher } from '../taxii-secrets.js';
import {
  withStore,
  readBundle,
  describeProblem,
  intelConfig,
  readSecretFile,
  type StoreOption,
} from './intel-shared.js';

const partnerNamePattern = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

export function registerPartners(intel: Command): void {
  const partners = intel
    .command('partners')
    .description(
      'TAXII partners: who may read and write which collections (secrets stored as keyed hashes only)',
    );
  const common = (command: Command) =>
    command
      .option('--db <file>', 'SQLite store', defaultDatabasePath)
      .option('--config <file>', storeConfigDescription)
      .option(
        '--key-hash-secret-file <file>',
        'file holding the key-hashing secret (as for serve and hub)',
      );
  common(partners.command('add').description('add a partner and print its secret once'))
    .argument('<name>', 'the partner name (its HTTP Basic user name)')
    .option('--read <collections...>', "collections it may read (ids or aliases; '*' for all)", [])
    .option('--write <collections...>', 'collections it may write', [])
    .option('--amber', 'TLP:AMBER objects may go to this partner (else GREEN at most)')
    .option(
      '--secret-file <file>',
      'use the secret in this file (at least 32 characters) instead of a new one',
    )
    .action(
      async (
        name: string,
        options: StoreOption & {
          keyHashSecretFile?: string;
          read: string[];
          write: string[];
          amber?: boolean;
          secretFile?: string;
        },
      ) => {
        if (!partnerNamePattern.test(name))
          throw new DistillGuardError(
            'usage',
            `partner name '${name}' must be 1-64 letters, digits, spaces, '.', '_' or '-' (no ':').`,
          );
        const secret = options.secretFile
          ? await readSecretFile(options.secretFile)
          : randomBytes(32).toString('base64url');
        await withStore(options, async (store) => {
          await ensureDefaultCollection(store);
          for (const collection of [...options.read, ...options.write])
            if (collection !== '*' && !(await store.taxii.findCollection(collection)))
              throw new DistillGuardError(
                'usage',
                `no collection '${collection}'; \`intel collections list\` shows them.`,
              );
          // a revoked partner's name may be issued again, with a new secret
          if ((await store.taxii.findPartner(name))?.revokedAt === null)
            throw new DistillGuardError(
              'usage',
              `partner '${name}' exists already; revoke it first to issue a new secret.`,
            );
          const hashSecret = await partnerSecretHasher(
            store,
            options.db,
            options.keyHashSecretFile,
          );
          await store.taxii.addPartner({
            name,
            secretHash: hashSecret(secret),
            canRead: options.read,
            canWrite: options.write,
            amber: options.amber === true,
            createdAt: new Date().toISOString(),
            revokedAt: null,
          });
        });
        process.stdout.write(
          `partner ${name} (read: ${options.read.join(', ') || 'none'}; write: ${options.write.join(', ') || 'none'}; TLP up to ${options.amber ? 'AMBER' : 'GREEN'})\n` +
            (options.secretFile ? '' : `secret (shown once): ${secret}\n`),
        );
      },
    );
  common(partners.command('list').description('list partners (never their secrets)')).action(
    async (options: StoreOption) => {
      const rows = await withStore(options, (store) => store.taxii.listPartners());
      if (rows.length === 0) process.stdout.write('no partners\n');
      for (const row of rows)
        process.stdout.write(
          `${row.name}\tread ${row.canRead.join(',') || '-'}\twrite ${row.canWrite.join(',') || '-'}\t${row.amber ? 'amber' : 'green'}\t${row.revokedAt ? `revoked ${row.revokedAt}` : 'active'}\n`,
        );
    },
  );
  common(
    partners
      .command('revoke')
      .description('revoke a partner: its credentials stop working at once'),
  )
    .argument('<name>', 'the partner')
    .action(async (name: string, options: StoreOption) => {
      const done = await withStore(options, (store) =>
        store.taxii.revokePartner(name, new Date().toISOString()),
      );
      if (!done)
        throw new DistillGuardError('usage', `no partner '${name}' in ${storeName(options)}.`);
      process.stdout.write(`revoked ${name}\n`);
    });
}

export function registerCollections(intel: Command): void {
  const collections = intel.command('collections').description('TAXII collections of this server');
  collections
    .command('add')
    .argument('<alias>', 'a short name, e.g. allied-hubs')
    .requiredOption('--title <text>', 'what partners see')
    .option('--description <text>', 'what it holds')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .action(
      async (alias: string, options: StoreOption & { title: string; description?: string }) => {
        const id = randomUUID();
        const added = await withStore(options, (store) =>
          store.taxii.addCollection({
            id,
            alias,
            title: options.title,
            description: options.description ?? null,
            createdAt: new Date().toISOString(),
          }),
        );
        if (!added) throw new DistillGuardError('usage', `a collection '${alias}' exists already.`);
        process.stdout.write(`collection ${alias} (${id})\n`);
      },
    );
  collections
    .command('list')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .action(async (options: StoreOption) => {
      const rows = await withStore(options, async (store) => {
        await ensureDefaultCollection(store);
        return store.taxii.listCollections();
      });
      for (const row of rows)
        process.stdout.write(`${row.alias ?? '-'}\t${row.id}\t${row.title}\n`);
    });
}

interface ClientOptions {
  server: string;
  collection: string;
  user?: string;
  passwordFile?: string;
  tokenFile?: string;
}

async function clientFor(options: ClientOptions): Promise<TaxiiClient> {
  if (options.tokenFile && options.user)
    throw new DistillGuardError(
      'usage',
      'give either --user with --password-file, or --token-file, not both.',
    );
  if (options.user && !options.passwordFile)
    throw new DistillGuardError(
      'usage',
      '--user needs --password-file (the secret `intel partners add` printed).',
    );
  return new TaxiiClient(options.server, {
    user: options.user,
    password: options.passwordFile ? await readSecretFile(options.passwordFile) : undefined,
    token: options.tokenFile ? await readSecretFile(options.tokenFile) : undefined,
  });
}

const clientOptions = (command: Command) =>
  command
    .requiredOption(
      '--server <url>',
      'the TAXII 2.1 discovery or API root URL, e.g. http://hub:9443/taxii2/',
    )
    .requiredOption('--collection <id>', 'the collection id or alias, e.g. campaigns')
    .option('--user <name>', 'HTTP Basic user (the partner name)')
    .option('--password-file <file>', 'file holding the partner secret')
    .option('--token-file <file>', 'file holding a bearer token instead');

export function registerPushPull(intel: Command): void {
  clientOptions(
    intel
      .command('push')
      .description('post a STIX bundle to a TAXII 2.1 collection and wait for its status'),
  )
    .argument('<file>', 'the bundle (intel export, intel sightings)')
    .action(async (file: string, options: ClientOptions) => {
      const bundle = await readBundle(file);
      if (!isJsonObject(bundle) || !Array.isArray(bundle.objects))
        throw new DistillGuardError(
          'input_invalid',
          `${file}: not a STIX bundle (no "objects" list).`,
        );
      const client = await clientFor(options);
      const outcome = await client.push(options.collection, bundle.objects as JsonObject[]);
      for (const failure of outcome.failures)
        process.stderr.write(`${failure.id}: ${failure.message}\n`);
      process.stdout.write(
        `pushed ${file} to ${options.collection}: ${outcome.successes} of ${outcome.total} objects accepted\n`,
      );
      if (outcome.failures.length > 0)
        throw new DistillGuardError(
          'input_invalid',
          `the server refused ${outcome.failures.length} object(s) (each named above).`,
        );
    });
  clientOptions(
    intel
      .command('pull')
      .description('fetch what a TAXII 2.1 collection added since the last pull into the store'),
  )
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .option('--from <name>', 'who it comes from, in the receipts (default: the server URL)')
    .option('--all', 'ignore where the last pull ended and fetch everything')
    .action(async (options: ClientOptions & StoreOption & { from?: string; all?: boolean }) => {
      const client = await clientFor(options);
      await withStore(options, async (store) => {
        const cursor = options.all
          ? null
          : await store.taxii.readPullCursor(options.server, options.collection);
        // every page first, then one check: an object may refer to one on a later page
        const objects: JsonObject[] = [];
        let last: string | null = null;
        for await (const page of client.pull(options.collection, cursor)) {
          objects.push(...page.objects);
          last = page.lastAdded ?? last;
        }
        const result = await importBundle(
          store,
          { type: 'bundle', id: `bundle--${randomUUID()}`, objects },
          { source: options.from ?? options.server, channel: 'taxii' },
        );
        for (const problem of result.rejected)
          process.stderr.write(`${describeProblem(options.server, problem)}\n`);
        if (objects.length > 0) {
          const log = await logRecorder(store, options.db);
          await log.record({
            kind: 'intel.import',
            channel: 'taxii',
            source: options.from ?? options.server,
            collection: options.collection,
            objects: objects.length,
            added: result.added,
            rejected: result.rejected.length,
          });
        }
        const { added, known } = result;
        const rejected = result.rejected.length;
        // one millisecond back: objects added in the same millisecond as the last are fetched again
        // next time rather than missed (importing them again changes nothing)
        if (last)
          await store.taxii.writePullCursor(
            options.server,
            options.collection,
            new Date(Date.parse(last) - 1).toISOString(),
            new Date().toISOString(),
          );
        process.stdout.write(
          `pulled ${options.collection} from ${options.server}${cursor ? ` (added after ${cursor})` : ''}: ${added} new, ${known} already stored, ${rejected} rejected\n`,
        );
        if (rejected > 0)
          throw new DistillGuardError(
            'input_invalid',
            `${rejected} object(s) rejected (each named above); the rest are stored.`,
          );
      });
    });
}

export function registerCorrelate(intel: Command): void {
  intel
    .command('correlate')
    .description(
      'a hub: campaigns that different partners reported or sighted, linked by shared keyed indicators',
    )
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .option(
      '--title <name>',
      'the hub name its correlated campaigns are made by',
      'DistillGuard hub',
    )
    .option('--json', 'print them as JSON')
    .action(async (options: StoreOption & { title: string; json?: boolean }) => {
      const correlated = await withStore(options, async (store) => {
        await ensureDefaultCollection(store);
        return recordCorrelations(store, hubIdentity(options.title), campaignsCollection.id);
      });
      if (options.json) {
        process.stdout.write(`${JSON.stringify(correlated, null, 2)}\n`);
        return;
      }
      if (correlated.length === 0)
        process.stdout.write('no campaign is reported or sighted by more than one partner\n');
      for (const group of correlated) {
        process.stdout.write(
          `${group.id}: ${group.reporters.join(', ')} (${group.sharedFingerprints} shared fingerprints)\n`,
        );
        for (const campaign of group.campaigns)
          process.stdout.write(
            `  reported by ${campaign.reporter} at ${campaign.reportedAt}: ${campaign.name}${campaign.accounts !== null ? `, ${campaign.accounts} accounts` : ''}\n`,
          );
        const byReporter = new Map<string, typeof group.sightings>();
        for (const sighting of group.sightings)
          byReporter.set(sighting.reporter, [
            ...(byReporter.get(sighting.reporter) ?? []),
            sighting,
          ]);
        for (const [reporter, sightings] of byReporter) {
          const times = sightings
            .flatMap((item) => [item.firstSeen, item.lastSeen])
            .filter((item): item is string => item !== null)
            .sort();
          process.stdout.write(
            `  sighted by ${reporter}: ${sightings.length} indicator(s), up to ${Math.max(...sightings.map((item) => item.count))} account(s) each${times.length > 0 ? `, from ${times[0]} to ${times[times.length - 1]}` : ''}\n`,
          );
        }
      }
    });
}

export function registerRelay(intel: Command): void {
  intel
    .command('relay')
    .description(
      "a hub: pass on what partners sent, to the targets of the config's intel.relay_to, as each agreement says",
    )
    .requiredOption(
      '--config <file>',
      'config file with an `intel.relay_to` list; its `storage` block names the store (default: the SQLite file of --db)',
    )
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option(
      '--title <name>',
      'the hub name objects relayed without attribution are made by',
      'DistillGuard hub',
    )
    .action(async (options: StoreOption & { config: string; title: string }) => {
      const config = intelConfig({ config: options.config });
      if (config.relay_to.length === 0)
        throw new DistillGuardError('usage', `${options.config} has no intel.relay_to targets.`);
      const reports = await withStore(options, (store) =>
        relayRound(store, config, hubIdentity(options.title)),
      );
      for (const report of reports) {
        for (const failure of report.failures)
          process.stderr.write(`${report.target}: ${failure.id}: ${failure.message}\n`);
        process.stdout.write(
          `relayed to ${report.target}: ${report.accepted} of ${report.pushed} objects accepted${report.heldBack > 0 ? `; ${report.heldBack} held back (TLP, or sent by ${report.target})` : ''}\n`,
        );
      }
    });
}
