// One relay round: for each target of `intel.relay_to`, push what was added since its last relay
// (relay.ts decides what, as agreed) and move its cursor only once the target accepted all of it.
import { readFile } from 'node:fs/promises';
import { DistillGuardError, describeFileError, type JsonObject } from '../core/index.js';
import type { Store } from '../store/index.js';
import type { IntelConfig } from './intel-config.js';
import { relayBatch, relayDone } from './relay.js';
import { TaxiiClient } from './taxii/taxii-client.js';

export interface RelayReport {
  target: string;
  pushed: number;
  accepted: number;
  heldBack: number;
  failures: { id: string; message: string }[];
}

async function secretFrom(path: string | undefined): Promise<string | undefined> {
  if (!path) return undefined;
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    throw new DistillGuardError('input_unreadable', describeFileError(path, error));
  }
}

export async function relayRound(
  store: Store,
  config: IntelConfig,
  hub: JsonObject,
): Promise<RelayReport[]> {
  const reports: RelayReport[] = [];
  for (const target of config.relay_to) {
    const { objects, lastSeq, heldBack } = await relayBatch(store, target, hub);
    const report: RelayReport = {
      target: target.name,
      pushed: objects.length,
      accepted: 0,
      heldBack,
      failures: [],
    };
    if (objects.length > 0) {
      const client = new TaxiiClient(target.server, {
        user: target.user,
        password: await secretFrom(target.password_file),
        token: await secretFrom(target.token_file),
      });
      const outcome = await client.push(target.collection, objects);
      report.accepted = outcome.successes;
      report.failures = outcome.failures;
    }
    // the cursor moves once the target took everything: what it refused is offered again next time
    // (what it already holds comes back 'known', so nothing doubles)
    if (report.failures.length === 0) await relayDone(store, target, lastSeq);
    reports.push(report);
  }
  return reports;
}
