// `intel keys` (community keys) and `intel warning-list` (what is never exported).
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { describeFileError, DistillGuardError } from '../../core/index.js';
import { newIntelKey, receivedIntelKey } from '../../intel/index.js';
import { defaultDatabasePath } from '../options.js';
import { storeConfigDescription, storeName } from '../open-store.js';
import { withStore, type StoreOption } from './intel-shared.js';

export function registerKeys(intel: Command): void {
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
    .option('--config <file>', storeConfigDescription)
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
    .option('--config <file>', storeConfigDescription)
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
      await withStore(options, async (store) => {
        if ((await store.intel.listIntelKeys()).some((row) => row.keyId === key.keyId))
          throw new DistillGuardError(
            'usage',
            `community key '${key.keyId}' is already in ${storeName(options)}.`,
          );
        await store.intel.addIntelKey(key);
      });
      process.stdout.write(`added community key ${key.keyId}\n`);
    });
  keys
    .command('list')
    .description('list community keys (never their secrets)')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
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
    .option('--config <file>', storeConfigDescription)
    .action(async (options: StoreOption & { keyId?: string }) => {
      const key = newIntelKey(options.keyId);
      const retired = await withStore(options, async (store) => {
        await store.intel.addIntelKey(key);
        return store.intel.retireIntelKeys(key.keyId, key.createdAt);
      });
      process.stdout.write(
        `community key ${key.keyId} is active; ${retired} earlier key(s) retired (still matched)\nsecret (shown once): ${key.secret}\n`,
      );
    });
}

const warningKinds = ['account', 'organization', 'email_domain', 'payment'];

export function registerWarningList(intel: Command): void {
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
    .option('--config <file>', storeConfigDescription)
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
    .option('--config <file>', storeConfigDescription)
    .action(async (options: StoreOption) => {
      const rows = await withStore(options, (store) => store.intel.listWarnings());
      if (rows.length === 0) process.stdout.write('the warning list is empty\n');
      for (const row of rows)
        process.stdout.write(
          `${row.kind}\t${row.value}\t${row.addedAt}${row.note ? `\t${row.note}` : ''}\n`,
        );
    });
}
