// `distillguard simulate`: builds every population, orders their requests in time and writes
// interactions.jsonl, accounts.jsonl and labels.json in the contract formats. Same seed, same bytes.
import { createWriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { DistillGuardError, type Labels } from '../core/index.js';
import type { SimAccount, SimEvent } from './exchange.js';
import { loadCorpus } from './fixtures.js';
import { Internet } from './networks.js';
import { Random } from './random.js';
import { renderInteraction } from './render.js';
import { TextPool } from './text-pool.js';
import { dayMs, hourMs, type SimulationWindow } from './timing.js';
import type { Population, SimulationContext } from './context.js';
import { individuals } from './populations/individuals.js';
import { apps } from './populations/apps.js';
import { agentApps } from './populations/agent-apps.js';
import { saasIntegrators } from './populations/saas.js';
import { batchJobs } from './populations/batch.js';
import { createReseller, resellerCustomers } from './populations/reseller.js';
import { benchmarkLabs } from './populations/benchmark-labs.js';
import { hydraCluster } from './populations/hydra.js';
import { rewardTraceCampaign } from './populations/reward-trace.js';
import { agenticCampaign } from './populations/agentic.js';
import { lowAndSlowCampaign } from './populations/low-and-slow.js';

export const simulationDefaults = {
  seed: 1,
  scale: 1,
  days: 7,
  /** A Monday, so weekly rhythms line up with the first day. */
  start: '2026-02-02T00:00:00.000Z',
  /** The new model comes out in the middle of the window, at this UTC hour. */
  releaseHourUtc: 15,
  models: { current: 'orion-1', small: 'orion-1-mini', next: 'orion-2' },
};

export interface SimulateOptions {
  out: string;
  seed?: number;
  scale?: number;
  days?: number;
  start?: string;
  /** The hydra campaign's account count whatever the scale (load tests of the dashboard). */
  hydraAccounts?: number;
  onProgress?: (written: number, total: number) => void;
}

export interface PopulationSummary {
  persona: string;
  class: string;
  accounts: number;
  interactions: number;
}

export interface SimulationSummary {
  interactions: number;
  accounts: number;
  window: { from: string; to: string; release: string };
  populations: PopulationSummary[];
  files: { interactions: string; accounts: string; labels: string };
}

function simulationWindow(start: string, days: number): SimulationWindow {
  const startMs = Date.parse(start);
  if (!Number.isFinite(startMs))
    throw new DistillGuardError(
      'usage',
      `--start '${start}' is not an RFC 3339 time, e.g. 2026-02-02T00:00:00Z.`,
    );
  return {
    startMs,
    endMs: startMs + days * dayMs,
    days,
    releaseMs: startMs + Math.floor(days / 2) * dayMs + simulationDefaults.releaseHourUtc * hourMs,
  };
}

/** Builds all populations for `context` (each from its own random stream). */
export function buildPopulations(context: SimulationContext, root: Random): Population[] {
  const reseller = createReseller(context, root.fork('reseller'));
  return [
    individuals(context, root.fork('individuals')),
    apps(context, root.fork('apps')),
    agentApps(context, root.fork('agent-apps')),
    saasIntegrators(context, root.fork('saas')),
    batchJobs(context, root.fork('batch')),
    resellerCustomers(context, root.fork('reseller-customers'), reseller),
    benchmarkLabs(context, root.fork('benchmark-labs')),
    hydraCluster(context, root.fork('hydra')),
    rewardTraceCampaign(context, root.fork('reward-trace')),
    agenticCampaign(context, root.fork('agentic')),
    lowAndSlowCampaign(context, root.fork('low-and-slow'), reseller),
  ];
}

export async function simulate(options: SimulateOptions): Promise<SimulationSummary> {
  const seed = options.seed ?? simulationDefaults.seed;
  const scale = options.scale ?? simulationDefaults.scale;
  const days = options.days ?? simulationDefaults.days;
  if (!(scale > 0))
    throw new DistillGuardError(
      'usage',
      '--scale must be a number > 0, e.g. 0.05 for a quick test or 1 for about a million interactions.',
    );
  if (!Number.isInteger(days) || days < 1 || days > 90)
    throw new DistillGuardError('usage', '--days must be a whole number from 1 to 90.');
  const root = new Random(`distillguard-simulate:${seed}`);
  const corpus = loadCorpus();
  const window = simulationWindow(options.start ?? simulationDefaults.start, days);
  const context: SimulationContext = {
    window,
    corpus,
    pool: new TextPool(corpus),
    internet: new Internet(root.fork('internet')),
    models: simulationDefaults.models,
    scale,
    ...(options.hydraAccounts === undefined ? {} : { hydraAccounts: options.hydraAccounts }),
  };
  const populations = buildPopulations(context, root);

  const events: SimEvent[] = [];
  const activity = new Map<SimAccount, number>();
  for (const population of populations) {
    for (const event of population.events) {
      if (event.ts < window.startMs || event.ts >= window.endMs) continue;
      events.push(event);
      activity.set(event.account, (activity.get(event.account) ?? 0) + 1);
    }
  }
  events.sort((a, b) => a.ts - b.ts);
  const accounts = root
    .fork('order')
    .shuffle(
      populations
        .flatMap((population) => population.accounts)
        .filter((account) => activity.has(account)),
    );

  try {
    await mkdir(options.out, { recursive: true });
  } catch (error) {
    throw new DistillGuardError(
      'output_unwritable',
      `cannot create output folder '${options.out}': ${(error as Error).message}`,
      { cause: error },
    );
  }
  const files = {
    interactions: join(options.out, 'interactions.jsonl'),
    accounts: join(options.out, 'accounts.jsonl'),
    labels: join(options.out, 'labels.json'),
  };
  await writeInteractions(files.interactions, events, root, options.onProgress);
  await writeFile(
    files.accounts,
    accounts.map((account) => JSON.stringify(account.record)).join('\n') + '\n',
  );
  const labels: Labels = {
    accounts: Object.fromEntries(accounts.map((account) => [account.id, account.label])),
  };
  await writeFile(files.labels, `${JSON.stringify(labels, null, 1)}\n`);

  const byPersona = new Map<string, PopulationSummary>();
  for (const account of accounts) {
    const persona = account.label.persona ?? account.label.class;
    const summary = byPersona.get(persona) ?? {
      persona,
      class: account.label.class,
      accounts: 0,
      interactions: 0,
    };
    summary.accounts += 1;
    summary.interactions += activity.get(account) ?? 0;
    byPersona.set(persona, summary);
  }
  return {
    interactions: events.length,
    accounts: accounts.length,
    window: {
      from: new Date(window.startMs).toISOString(),
      to: new Date(window.endMs).toISOString(),
      release: new Date(window.releaseMs).toISOString(),
    },
    populations: [...byPersona.values()],
    files,
  };
}

async function writeInteractions(
  path: string,
  events: SimEvent[],
  root: Random,
  onProgress?: (written: number, total: number) => void,
): Promise<void> {
  const output = createWriteStream(path, { highWaterMark: 4 << 20 });
  const failed = once(output, 'error').then(([error]) => {
    throw new DistillGuardError(
      'output_unwritable',
      `cannot write '${path}': ${(error as Error).message}`,
      { cause: error },
    );
  });
  failed.catch(() => undefined);
  const ids = root.fork('interaction-ids');
  const renderRoot = root.fork('render');
  let chunk = '';
  for (let index = 0; index < events.length; index += 1) {
    const event = events[index];
    const random = renderRoot.fork(index);
    const account = event.account;
    const client = account.client(random, event.ts);
    const keyId = account.keyIds.length === 1 ? account.keyIds[0] : random.pick(account.keyIds);
    const record = renderInteraction(
      `req_${ids.token(18)}`,
      event.ts,
      account.id,
      keyId,
      client,
      event.build(random),
      random,
    );
    chunk += `${JSON.stringify(record)}\n`;
    if (chunk.length > 1 << 20) {
      if (!output.write(chunk)) await Promise.race([once(output, 'drain'), failed]);
      chunk = '';
      onProgress?.(index + 1, events.length);
    }
  }
  output.end(chunk);
  await Promise.race([once(output, 'finish'), failed]);
  onProgress?.(events.length, events.length);
}
