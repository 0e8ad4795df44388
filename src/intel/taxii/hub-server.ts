// `distillguard hub`: the TAXII 2.1 server on its own, for a government or industry hub that
// receives intelligence from labs and relays it. The collection 'campaigns' exists from the start.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import { uuidV5, distillguardNamespace } from '../stix-ids.js';
import { sendTaxiiError, TaxiiError } from './media.js';
import { apiRootPath, discoveryPath, registerTaxiiRoutes } from './taxii-routes.js';

export interface HubOptions {
  store: Store;
  hashSecret: (secret: string) => string;
  port: number;
  host: string;
  title?: string;
  maxContentLength?: number;
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
export function ensureDefaultCollection(store: Store, now = new Date()): void {
  store.taxii.addCollection({ ...campaignsCollection, createdAt: now.toISOString() });
}

/** Registers the TAXII routes on `app` (a hub's own, or serve's admin listener). */
export async function mountTaxii(
  app: FastifyInstance,
  options: Omit<HubOptions, 'port' | 'host'>,
): Promise<void> {
  ensureDefaultCollection(options.store);
  await registerTaxiiRoutes(app, {
    store: options.store,
    hashSecret: options.hashSecret,
    title: options.title ?? 'DistillGuard TAXII',
    maxContentLength: options.maxContentLength ?? 10 << 20,
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
  await mountTaxii(app, options);
  const address = await app.listen({ port: options.port, host: options.host });
  return { url: address, app, close: () => app.close() };
}
