// `distillguard intel`: share campaigns and indicators in STIX 2.1. export (stored campaigns, or
// what partners sent), import (a partner's bundle), validate (a bundle, without storing it),
// withdraw (a finding taken back: exported revoked), keys (community keys for keyed indicators),
// warning-list (accounts, organisations, email domains and cards never to be exported).
import { randomBytes, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  describeFileError,
  DistillGuardError,
  isJsonObject,
  jsonErrorOffset,
  type JsonObject,
} from '../../core/index.js';
import { readGatewayConfig } from '../../gateway/index.js';
import {
  checkBundle,
  campaignsCollection,
  defaultIntelConfig,
  hubIdentity,
  recordCorrelations,
  relayRound,
  ensureDefaultCollection,
  exportIntel,
  exportSightings,
  importBundle,
  isTlpLevel,
  newIntelKey,
  receivedBundle,
  receivedIntelKey,
  TaxiiClient,
  tlpLevels,
  type IntelConfig,
  type ObjectProblem,
  type TlpLevel,
} from '../../intel/index.js';
import { SqliteStore } from '../../store/index.js';
import { defaultDatabasePath } from '../options.js';
import { partnerSecretHasher } from '../taxii-secrets.js';
import { checkOutputPath, writeOutputFile } from '../write-output.js';

interface StoreOption {
  db: string;
}

async function withStore<T>(
  options: StoreOption,
  work: (store: SqliteStore) => T | Promise<T>,
): Promise<T> {
  const store = SqliteStore.open(options.db);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

function parseTlp(value: string): TlpLevel {
  const level = value.toLowerCase();
  if (!isTlpLevel(level))
    throw new DistillGuardError(
      'usage',
      `--tlp must be one of ${tlpLevels.join(', ')}, not '${value}'.`,
    );
  return level;
}

/** Reads and parses a bundle file; a JSON error names the line and column. */
async function readBundle(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error), {
      cause: error,
    });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const offset = jsonErrorOffset(text);
    let where = '';
    if (offset >= 0) {
      const before = text.slice(0, offset);
      where = `:${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
    }
    throw new DistillGuardError(
      'input_invalid',
      `${path}${where}: not JSON (${(error as Error).message}). A STIX bundle is one JSON object {"type": "bundle", ...}.`,
    );
  }
}

function describeProblem(path: string, problem: ObjectProblem): string {
  return `${path}: objects[${problem.index}]${problem.id ? ` ${problem.id}` : ''}${problem.field ? ` at '${problem.field}'` : ''}: ${problem.reason}`;
}

function intelConfig(options: { config?: string; org?: string; network?: string }): IntelConfig {
  const config = options.config
    ? (readGatewayConfig(options.config).intel ?? defaultIntelConfig)
    : defaultIntelConfig;
  const network = options.network ?? config.network_indicators;
  if (network !== 'none' && network !== 'keyed' && network !== 'clear')
    throw new DistillGuardError(
      'usage',
      `--network must be none, keyed or clear, not '${network}'.`,
    );
  return {
    ...config,
    network_indicators: network,
    organization: options.org
      ? { ...(config.organization ?? { identity_class: 'organization' }), name: options.org }
      : config.organization,
  };
}

interface ExportOptions extends StoreOption {
  campaign?: string;
  all?: boolean;
  received?: boolean;
  tlp?: string;
  out: string;
  config?: string;
  org?: string;
  network?: string;
}

function registerExport(intel: Command): void {
  intel
    .command('export')
    .description('write stored campaigns (or what partners sent) as a STIX 2.1 bundle')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--campaign <id>', 'one campaign found by analyze')
    .option('--all', 'every campaign found by analyze (withdrawn ones exported revoked)')
    .option(
      '--received',
      'the latest version of every object partners sent, as far as --tlp allows',
    )
    .option(
      '--tlp <level>',
      `marking: ${tlpLevels.join(', ')} (default: the config's intel.default_tlp, amber)`,
    )
    .option(
      '--config <file>',
      'config file whose `intel` block names the organisation and the network policy',
    )
    .option('--org <name>', 'the reporting organisation (overrides intel.organization.name)')
    .option(
      '--network <policy>',
      'client addresses as indicators: none, keyed or clear (default: the config, keyed)',
    )
    .requiredOption('--out <file>', 'where to write the bundle')
    .action(async (options: ExportOptions) => {
      const chosen = [
        options.campaign !== undefined,
        options.all === true,
        options.received === true,
      ];
      if (chosen.filter(Boolean).length !== 1)
        throw new DistillGuardError(
          'usage',
          'say what to export: --campaign ID, --all or --received.',
        );
      await checkOutputPath(options.out, '--out');
      const config = intelConfig(options);
      const tlp = options.tlp ? parseTlp(options.tlp) : config.default_tlp;
      await withStore(options, async (store) => {
        if (options.received) {
          const { bundle, heldBack } = receivedBundle(store, tlp);
          await writeOutputFile(options.out, `${JSON.stringify(bundle, null, 2)}\n`);
          const count = (bundle.objects as unknown[]).length;
          process.stdout.write(
            `wrote ${count} received objects to ${options.out} (TLP:${tlp.toUpperCase()} at most${heldBack > 0 ? `; ${heldBack} held back by their marking` : ''})\n`,
          );
          return;
        }
        const result = exportIntel(store, { campaignId: options.campaign, tlp, config });
        await writeOutputFile(options.out, `${JSON.stringify(result.bundle, null, 2)}\n`);
        const counts = Object.entries(result.counts)
          .map(([type, count]) => `${count} ${type}`)
          .join(', ');
        process.stdout.write(
          `wrote ${options.out} (TLP:${tlp.toUpperCase()}): ${result.campaigns.length} campaign(s)${result.revoked.length > 0 ? `, ${result.revoked.length} revoked` : ''}; ${counts}; ${result.newVersions} new version(s)\n` +
            (result.warned > 0
              ? `left out ${result.warned} account(s) named by the warning list\n`
              : '') +
            // the detector's ids stay here: partners see only the keyed labels
            [...result.campaigns, ...result.revoked]
              .map(
                (campaign) =>
                  `  ${campaign.campaignId} is ${campaign.label} (${campaign.stixId})${result.revoked.includes(campaign) ? ', revoked' : ''}\n`,
              )
              .join(''),
        );
      });
    });
}

function registerImport(intel: Command): void {
  intel
    .command('import')
    .description("check a partner's STIX 2.1 bundle and store what passes, with who sent it")
    .argument('<file>', 'the bundle (JSON)')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--from <partner>', 'who sent it (default: the file name)')
    .action(async (file: string, options: StoreOption & { from?: string }) => {
      const bundle = await readBundle(file);
      const result = await withStore(options, (store) =>
        importBundle(store, bundle, { source: options.from ?? basename(file), channel: 'file' }),
      );
      if (result.envelope)
        throw new DistillGuardError(
          'input_invalid',
          `${file}: not a STIX 2.1 bundle (${result.envelope.field || 'the bundle'}: ${result.envelope.reason}); nothing imported.`,
        );
      for (const problem of result.rejected)
        process.stderr.write(`${describeProblem(file, problem)}\n`);
      process.stdout.write(
        `imported ${file}: ${result.added} new, ${result.known} already stored, ${result.rejected.length} rejected of ${result.objects} objects\n`,
      );
      if (result.rejected.length > 0)
        throw new DistillGuardError(
          'input_invalid',
          `${result.rejected.length} object(s) of ${file} rejected (each named above); the other ${result.added + result.known} are stored.`,
        );
    });
}

function registerValidate(intel: Command): void {
  intel
    .command('validate')
    .description(
      'check a STIX 2.1 bundle (official schemas, references, patterns) without storing it',
    )
    .argument('<file>', 'the bundle (JSON)')
    .action(async (file: string) => {
      const bundle = await readBundle(file);
      const check = checkBundle(bundle);
      if (check.envelope)
        throw new DistillGuardError(
          'input_invalid',
          `${file}: not a STIX 2.1 bundle (${check.envelope.field || 'the bundle'}: ${check.envelope.reason}).`,
        );
      for (const problem of check.problems)
        process.stderr.write(`${describeProblem(file, problem)}\n`);
      const total =
        isJsonObject(bundle) && Array.isArray(bundle.objects) ? bundle.objects.length : 0;
      process.stdout.write(`${file}: ${check.accepted.length} of ${total} objects valid\n`);
      if (check.problems.length > 0)
        throw new DistillGuardError(
          'input_invalid',
          `${check.problems.length} object(s) of ${file} are not valid (each named above).`,
        );
    });
}

function registerSightings(intel: Command): void {
  intel
    .command('sightings')
    .description(
      'tell partners which of their indicators matched here: one STIX sighting each, counts and time range only',
    )
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--tlp <level>', `marking (default: the config's intel.default_tlp, amber)`)
    .option('--config <file>', 'config file whose `intel` block names the organisation')
    .option('--org <name>', 'the reporting organisation (overrides intel.organization.name)')
    .requiredOption('--out <file>', 'where to write the bundle')
    .action(
      async (
        options: StoreOption & { tlp?: string; config?: string; org?: string; out: string },
      ) => {
        await checkOutputPath(options.out, '--out');
        const config = intelConfig(options);
        const tlp = options.tlp ? parseTlp(options.tlp) : config.default_tlp;
        await withStore(options, async (store) => {
          const result = exportSightings(store, { tlp, config });
          await writeOutputFile(options.out, `${JSON.stringify(result.bundle, null, 2)}\n`);
          process.stdout.write(
            `wrote ${options.out} (TLP:${tlp.toUpperCase()}): ${result.sightings} sighting(s) covering ${result.accounts} account match(es)\n`,
          );
        });
      },
    );
}

function registerWithdraw(intel: Command): void {
  intel
    .command('withdraw')
    .description('take back a campaign finding: the next export carries its objects revoked')
    .requiredOption('--campaign <id>', 'the campaign')
    .requiredOption('--reason <text>', 'why (kept in the store)')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .action(async (options: StoreOption & { campaign: string; reason: string }) => {
      const done = await withStore(options, (store) =>
        store.intel.withdrawCampaignFinding(
          options.campaign,
          new Date().toISOString(),
          options.reason,
        ),
      );
      if (!done)
        throw new DistillGuardError('usage', `no campaign '${options.campaign}' in ${options.db}.`);
      process.stdout.write(`withdrew ${options.campaign}; the next export carries it revoked\n`);
    });
}

function registerKeys(intel: Command): void {
  const keys = intel
    .command('keys')
    .description(
      'community keys: the shared secret under which indicators are keyed (HMAC-SHA-256)',
    );
  keys
    .command('create')
    .description(
      'create a community key and make it the active one; prints its secret once, to share with partners out of band',
    )
    .option('--key-id <id>', 'its id (default ck-YYYYMMDD-xxxxxx)')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .action(async (options: StoreOption & { keyId?: string }) => {
      const key = newIntelKey(options.keyId);
      await withStore(options, (store) => store.intel.addIntelKey(key));
      process.stdout.write(
        `community key ${key.keyId}\nsecret (shown once; give it to partners over a trusted channel, they run \`intel keys add\`): ${key.secret}\n`,
      );
    });
  keys
    .command('add')
    .description("add the community's key received from a partner (it becomes the active one)")
    .requiredOption('--key-id <id>', 'its id, as the partner named it')
    .requiredOption('--secret-file <file>', 'file holding its secret (base64url)')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .action(async (options: StoreOption & { keyId: string; secretFile: string }) => {
      let secret: string;
      try {
        secret = await readFile(options.secretFile, 'utf8');
      } catch (error) {
        throw new DistillGuardError(
          'input_unreadable',
          describeFileError(options.secretFile, error),
        );
      }
      const key = receivedIntelKey(options.keyId, secret);
      await withStore(options, (store) => {
        if (store.intel.listIntelKeys().some((row) => row.keyId === key.keyId))
          throw new DistillGuardError(
            'usage',
            `community key '${key.keyId}' is already in ${options.db}.`,
          );
        store.intel.addIntelKey(key);
      });
      process.stdout.write(`added community key ${key.keyId}\n`);
    });
  keys
    .command('list')
    .description('list community keys (never their secrets)')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .action(async (options: StoreOption) => {
      const rows = await withStore(options, (store) => store.intel.listIntelKeys());
      if (rows.length === 0) process.stdout.write('no community keys\n');
      const active = rows.filter((row) => row.retiredAt === null).at(-1);
      for (const row of rows)
        process.stdout.write(
          `${row.keyId}\t${row.origin}\t${row.createdAt}\t${row === active ? 'active' : row.retiredAt ? `retired ${row.retiredAt} (still matched)` : 'matched'}\n`,
        );
    });
  keys
    .command('rotate')
    .description(
      'create a new active key; earlier keys are retired but still used to match indicators made with them',
    )
    .option('--key-id <id>', 'the new key id')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .action(async (options: StoreOption & { keyId?: string }) => {
      const key = newIntelKey(options.keyId);
      const retired = await withStore(options, (store) => {
        store.intel.addIntelKey(key);
        return store.intel.retireIntelKeys(key.keyId, key.createdAt);
      });
      process.stdout.write(
        `community key ${key.keyId} is active; ${retired} earlier key(s) retired (still matched)\nsecret (shown once): ${key.secret}\n`,
      );
    });
}

const warningKinds = ['account', 'organization', 'email_domain', 'payment'];

function registerWarningList(intel: Command): void {
  const list = intel
    .command('warning-list')
    .description(
      'accounts, organisations, email domains and payment fingerprints never to be exported (registered researchers, benchmark labs)',
    );
  list
    .command('add')
    .requiredOption('--kind <kind>', warningKinds.join(', '))
    .requiredOption('--value <value>', 'the account id, organisation id, domain or fingerprint')
    .option('--note <text>', 'why (e.g. the research programme)')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .action(async (options: StoreOption & { kind: string; value: string; note?: string }) => {
      if (!warningKinds.includes(options.kind))
        throw new DistillGuardError(
          'usage',
          `--kind must be one of ${warningKinds.join(', ')}, not '${options.kind}'.`,
        );
      const added = await withStore(options, (store) =>
        store.intel.addWarning({
          kind: options.kind,
          value: options.kind === 'email_domain' ? options.value.toLowerCase() : options.value,
          note: options.note ?? null,
          addedAt: new Date().toISOString(),
        }),
      );
      process.stdout.write(
        added
          ? `added ${options.kind} ${options.value}\n`
          : `${options.kind} ${options.value} was already listed\n`,
      );
    });
  list
    .command('list')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .action(async (options: StoreOption) => {
      const rows = await withStore(options, (store) => store.intel.listWarnings());
      if (rows.length === 0) process.stdout.write('the warning list is empty\n');
      for (const row of rows)
        process.stdout.write(
          `${row.kind}\t${row.value}\t${row.addedAt}${row.note ? `\t${row.note}` : ''}\n`,
        );
    });
}

/** A secret kept in a file (trailing newline dropped); refused when short. */
async function readSecretFile(path: string): Promise<string> {
  let text: string;
  try {
    text = (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error));
  }
  if (text.length < 32 || /\s/.test(text))
    throw new DistillGuardError(
      'input_invalid',
      `the secret in '${path}' must be at least 32 characters without spaces.`,
    );
  return text;
}

const partnerNamePattern = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$/;

function registerPartners(intel: Command): void {
  const partners = intel
    .command('partners')
    .description(
      'TAXII partners: who may read and write which collections (secrets stored as keyed hashes only)',
    );
  const common = (command: Command) =>
    command
      .option('--db <file>', 'SQLite store', defaultDatabasePath)
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
        await withStore(options, (store) => {
          ensureDefaultCollection(store);
          for (const collection of [...options.read, ...options.write])
            if (collection !== '*' && !store.taxii.findCollection(collection))
              throw new DistillGuardError(
                'usage',
                `no collection '${collection}'; \`intel collections list\` shows them.`,
              );
          // a revoked partner's name may be issued again, with a new secret
          if (store.taxii.findPartner(name)?.revokedAt === null)
            throw new DistillGuardError(
              'usage',
              `partner '${name}' exists already; revoke it first to issue a new secret.`,
            );
          store.taxii.addPartner({
            name,
            secretHash: partnerSecretHasher(store, options.db, options.keyHashSecretFile)(secret),
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
      if (!done) throw new DistillGuardError('usage', `no partner '${name}' in ${options.db}.`);
      process.stdout.write(`revoked ${name}\n`);
    });
}

function registerCollections(intel: Command): void {
  const collections = intel.command('collections').description('TAXII collections of this server');
  collections
    .command('add')
    .argument('<alias>', 'a short name, e.g. allied-hubs')
    .requiredOption('--title <text>', 'what partners see')
    .option('--description <text>', 'what it holds')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
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
    .action(async (options: StoreOption) => {
      const rows = await withStore(options, (store) => {
        ensureDefaultCollection(store);
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

function registerPushPull(intel: Command): void {
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
    .option('--from <name>', 'who it comes from, in the receipts (default: the server URL)')
    .option('--all', 'ignore where the last pull ended and fetch everything')
    .action(async (options: ClientOptions & StoreOption & { from?: string; all?: boolean }) => {
      const client = await clientFor(options);
      await withStore(options, async (store) => {
        const cursor = options.all
          ? null
          : store.taxii.readPullCursor(options.server, options.collection);
        // every page first, then one check: an object may refer to one on a later page
        const objects: JsonObject[] = [];
        let last: string | null = null;
        for await (const page of client.pull(options.collection, cursor)) {
          objects.push(...page.objects);
          last = page.lastAdded ?? last;
        }
        const result = importBundle(
          store,
          { type: 'bundle', id: `bundle--${randomUUID()}`, objects },
          { source: options.from ?? options.server, channel: 'taxii' },
        );
        for (const problem of result.rejected)
          process.stderr.write(`${describeProblem(options.server, problem)}\n`);
        const { added, known } = result;
        const rejected = result.rejected.length;
        // one millisecond back: objects added in the same millisecond as the last are fetched again
        // next time rather than missed (importing them again changes nothing)
        if (last)
          store.taxii.writePullCursor(
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

function registerCorrelate(intel: Command): void {
  intel
    .command('correlate')
    .description(
      'a hub: campaigns that different partners reported or sighted, linked by shared keyed indicators',
    )
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option(
      '--title <name>',
      'the hub name its correlated campaigns are made by',
      'DistillGuard hub',
    )
    .option('--json', 'print them as JSON')
    .action(async (options: StoreOption & { title: string; json?: boolean }) => {
      const correlated = await withStore(options, (store) => {
        ensureDefaultCollection(store);
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

function registerRelay(intel: Command): void {
  intel
    .command('relay')
    .description(
      "a hub: pass on what partners sent, to the targets of the config's intel.relay_to, as each agreement says",
    )
    .requiredOption('--config <file>', 'config file with an `intel.relay_to` list')
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

export function registerIntel(program: Command): void {
  const intel = program
    .command('intel')
    .description('share campaigns and keyed indicators with partners in STIX 2.1');
  registerExport(intel);
  registerImport(intel);
  registerValidate(intel);
  registerSightings(intel);
  registerWithdraw(intel);
  registerKeys(intel);
  registerWarningList(intel);
  registerPartners(intel);
  registerPushPull(intel);
  registerCorrelate(intel);
  registerRelay(intel);
  registerCollections(intel);
}
