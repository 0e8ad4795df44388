// `distillguard hub`: the TAXII 2.1 server on its own, for a government or industry hub that
// receives intelligence from labs and relays it. The collection 'campaigns' exists from the start.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import type { JsonObject } from '../../core/index.js';
import { recordCorrelations } from '../correlation.js';
import type { IntelConfig } from '../intel-config.js';
import { relayRound, type RelayReport } from '../relay-run.js';
import { distillguardNamespace, stixId, uuidV5 } from '../stix-ids.js';
import { tlpMarkingIds } from '../tlp.js';
import { sendTaxiiError, TaxiiError } from './media.js';
import {
  apiRootPath,
  discoveryPath,
  registerTaxiiRoutes,
  type TaxiiReceipt,
} from './taxii-routes.js';

export interface HubOptions {
  store: Store;
  hashSecret: (secret: string) => string;
  port: number;
  host: string;
  title?: string;
  maxContentLength?: number;
  /** The `intel` config block: its relay_to targets get what is posted (after correlation). */
  config?: IntelConfig;
  /** Told what each relay round did, or why it failed. */
  onRelay?: (reports: RelayReport[] | Error) => void;
  /** Told of every post checked (the CLI records it in the transparency log). */
  onReceived?: (receipt: TaxiiReceipt) => void | Promise<void>;
  /** Adds routes beside TAXII before the hub listens (the CLI mounts the dashboard). */
  mount?: (app: FastifyInstance) => Promise<void>;
}

export interface RunningHub {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The default collection every server has. */
export const campaignsCollection = {
  id: uuidV5(distillguardNamespace, 'taxii-collection:campaigns'),
  alias: 'campaigns',
  title: 'Distillation campaigns',
  description: 'Campaigns, their keyed indicators and sightings of them.',
};

/** Creates the default collection when the store has none of that name. */
export async function ensureDefaultCollection(store: Store, now = new Date()): Promise<void> {
  await store.taxii.addCollection({ ...campaignsCollection, createdAt: now.toISOString() });
}

/** Registers the TAXII routes on `app` (a hub's own, or serve's admin listener). */
/** The hub as the author of what it makes (correlated campaigns). */
export function hubIdentity(title: string): JsonObject {
  const id = stixId('identity', { hub: title });
  return {
    type: 'identity',
    spec_version: '2.1',
    id,
    created_by_ref: id,
    object_marking_refs: [tlpMarkingIds.clear],
    name: title,
    identity_class: 'organization',
    description: 'A hub that receives and correlates intelligence from labs.',
  };
}

/** Relay rounds one at a time: a request during a round makes one more round after it. */
function singleFlightRelay(options: Pick<HubOptions, 'store' | 'config' | 'onRelay'>): {
  request(hub: JsonObject): void;
} {
  let running = false;
  let again: JsonObject | null = null;
  const run = async (hub: JsonObject): Promise<void> => {
    running = true;
    try {
      options.onRelay?.(await relayRound(options.store, options.config as IntelConfig, hub));
    } catch (error) {
      options.onRelay?.(error as Error);
    } finally {
      running = false;
      const next = again;
      again = null;
      if (next) void run(next);
    }
  };
  return {
    request(hub) {
      if (running) again = hub;
      else void run(hub);
    },
  };
}

export async function mountTaxii(
  app: FastifyInstance,
  options: Omit<HubOptions, 'port' | 'host'> & {
    bothSlashForms?: boolean;
    correlate?: boolean;
    /** Told after a post stored something (serve refreshes its detector's partner indicators). */
    onObjectsAdded?: () => void;
  },
): Promise<void> {
  await ensureDefaultCollection(options.store);
  const relays = singleFlightRelay(options);
  await registerTaxiiRoutes(app, {
    store: options.store,
    hashSecret: options.hashSecret,
    title: options.title ?? 'DistillGuard TAXII',
    maxContentLength: options.maxContentLength ?? 10 << 20,
    bothSlashForms: options.bothSlashForms,
    onReceived: options.onReceived,
    onObjectsAdded: options.correlate
      ? async () => {
          options.onObjectsAdded?.();
          const hub = hubIdentity(options.title ?? 'DistillGuard TAXII');
          await recordCorrelations(options.store, hub, campaignsCollection.id);
          if (options.config && options.config.relay_to.length > 0) relays.request(hub);
        }
      : options.onObjectsAdded,
  });
}

export async function startHub(options: HubOptions): Promise<RunningHub> {
  const app = Fastify({
    logger: { level: 'warn' },
    routerOptions: { ignoreTrailingSlash: true },
    bodyLimit: options.maxContentLength ?? 10 << 20,
    trustProxy: false,
  });
  app.setNotFoundHandler((request, reply) =>
    sendTaxiiError(
      reply,
      new TaxiiError(
        404,
        'Not found',
        `No TAXII endpoint at ${request.url.split('?')[0]}; discovery is at ${discoveryPath}, the API root at ${apiRootPath}.`,
      ),
    ),
  );
  await mountTaxii(app, { ...options, correlate: true });
  if (options.mount) await options.mount(app);
  const address = await app.listen({ port: options.port, host: options.host });
  return { url: address, app, close: () => app.close() };
}
