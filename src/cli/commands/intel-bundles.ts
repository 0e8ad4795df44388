// `intel export|import|validate|sightings|withdraw`: STIX bundles out of and into the store.
import { createHash } from 'node:crypto';
import { logRecorder } from '../log-recorder.js';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { DistillGuardError, isJsonObject } from '../../core/index.js';
import {
  checkBundle,
  campaignLabelFor,
  exportIntel,
  exportSightings,
  importBundle,
  receivedBundle,
  tlpLevels,
} from '../../intel/index.js';
import { defaultDatabasePath } from '../options.js';
import { storeConfigDescription, storeName } from '../open-store.js';
import { checkOutputPath, writeOutputFile } from '../write-output.js';
import {
  withStore,
  parseTlp,
  readBundle,
  describeProblem,
  intelConfig,
  type StoreOption,
} from './intel-shared.js';

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

export function registerExport(intel: Command): void {
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
      'config file whose `intel` block names the organisation and the network policy, and whose `storage` block names the store (default: the SQLite file of --db)',
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
          const { bundle, heldBack } = await receivedBundle(store, tlp);
          const text = `${JSON.stringify(bundle, null, 2)}\n`;
          await writeOutputFile(options.out, text);
          const log = await logRecorder(store, options.db);
          await log.record({
            kind: 'intel.export',
            tlp,
            sha256: sha256(text),
            objects: (bundle.objects as unknown[]).length,
            received: true,
          });
          const count = (bundle.objects as unknown[]).length;
          process.stdout.write(
            `wrote ${count} received objects to ${options.out} (TLP:${tlp.toUpperCase()} at most${heldBack > 0 ? `; ${heldBack} held back by their marking` : ''})\n`,
          );
          return;
        }
        const result = await exportIntel(store, { campaignId: options.campaign, tlp, config });
        const text = `${JSON.stringify(result.bundle, null, 2)}\n`;
        await writeOutputFile(options.out, text);
        const log = await logRecorder(store, options.db);
        await log.record({
          kind: 'intel.export',
          tlp,
          sha256: sha256(text),
          objects: (result.bundle.objects as unknown[]).length,
          campaigns: result.campaigns.map((campaign) => campaign.label),
          revoked: result.revoked.map((campaign) => campaign.label),
        });
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

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export function registerImport(intel: Command): void {
  intel
    .command('import')
    .description("check a partner's STIX 2.1 bundle and store what passes, with who sent it")
    .argument('<file>', "the bundle (JSON; '-' for standard input)")
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .option('--from <partner>', 'who sent it (default: the file name)')
    .action(async (file: string, options: StoreOption & { from?: string }) => {
      const bundle = await readBundle(file);
      const source = options.from ?? basename(file);
      const result = await withStore(options, async (store) => {
        const imported = await importBundle(store, bundle, { source, channel: 'file' });
        if (!imported.envelope) {
          const log = await logRecorder(store, options.db);
          await log.record({
            kind: 'intel.import',
            channel: 'file',
            source,
            sha256: sha256(JSON.stringify(bundle)),
            objects: imported.objects,
            added: imported.added,
            rejected: imported.rejected.length,
          });
        }
        return imported;
      });
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

export function registerValidate(intel: Command): void {
  intel
    .command('validate')
    .description(
      'check a STIX 2.1 bundle (official schemas, references, patterns) without storing it',
    )
    .argument('<file>', "the bundle (JSON; '-' for standard input)")
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

export function registerSightings(intel: Command): void {
  intel
    .command('sightings')
    .description(
      'tell partners which of their indicators matched here: one STIX sighting each, counts and time range only',
    )
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--tlp <level>', `marking (default: the config's intel.default_tlp, amber)`)
    .option(
      '--config <file>',
      'config file whose `intel` block names the organisation and whose `storage` block names the store (default: the SQLite file of --db)',
    )
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
          const result = await exportSightings(store, { tlp, config });
          await writeOutputFile(options.out, `${JSON.stringify(result.bundle, null, 2)}\n`);
          process.stdout.write(
            `wrote ${options.out} (TLP:${tlp.toUpperCase()}): ${result.sightings} sighting(s) covering ${result.accounts} account match(es)\n`,
          );
        });
      },
    );
}

export function registerWithdraw(intel: Command): void {
  intel
    .command('withdraw')
    .description('take back a campaign finding: the next export carries its objects revoked')
    .requiredOption('--campaign <id>', 'the campaign')
    .requiredOption('--reason <text>', 'why (kept in the store)')
    .option('--db <file>', 'SQLite store', defaultDatabasePath)
    .option('--config <file>', storeConfigDescription)
    .action(async (options: StoreOption & { campaign: string; reason: string }) => {
      const done = await withStore(options, async (store) => {
        const withdrawn = await store.intel.withdrawCampaignFinding(
          options.campaign,
          new Date().toISOString(),
          options.reason,
        );
        if (withdrawn) {
          const log = await logRecorder(store, options.db);
          await log.record({
            kind: 'intel.withdraw',
            campaign: await campaignLabelFor(store, options.campaign),
            reason: options.reason,
          });
        }
        return withdrawn;
      });
      if (!done)
        throw new DistillGuardError(
          'usage',
          `no campaign '${options.campaign}' in ${storeName(options)}.`,
        );
      process.stdout.write(`withdrew ${options.campaign}; the next export carries it revoked\n`);
    });
}
