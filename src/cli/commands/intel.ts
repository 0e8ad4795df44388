// `distillguard intel`: sharing in STIX 2.1 over TAXII 2.1. Bundles out of and into the store
// (intel-bundles.ts), community keys and the warning list (intel-keys.ts), TAXII partners,
// collections, the client, and a hub's correlation and relay (intel-taxii.ts).
import type { Command } from 'commander';
import {
  registerExport,
  registerImport,
  registerSightings,
  registerValidate,
  registerWithdraw,
} from './intel-bundles.js';
import { registerKeys, registerWarningList } from './intel-keys.js';
import {
  registerCollections,
  registerCorrelate,
  registerPartners,
  registerPushPull,
  registerRelay,
} from './intel-taxii.js';

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
