// What came in from and went out to partners, for the dashboard's intelligence page
// (GET /admin/v1/intel): collections, partners, STIX objects sent and received by type, the latest
// received with who sent them, groupings (correlated campaigns on a hub) and sightings of
// partners' indicators in our traffic.
import type { FastifyInstance } from 'fastify';
import { requireAction } from '../designate/index.js';
import type { DashboardContext } from './dashboard-routes.js';
import { userHandler } from './designation-routes.js';

const prefix = '/admin/v1';

export function registerIntelRoutes(app: FastifyInstance, context: DashboardContext): void {
  const { store } = context;
  const handle = userHandler(context);
  app.get(
    `${prefix}/intel`,
    handle(async (actor) => {
      requireAction(actor, 'read');
      const objects = await store.intel.listStixObjects({ latest: true });
      const counts = (origin: string) =>
        objects
          .filter((row) => row.origin === origin)
          .reduce<Record<string, number>>((byType, row) => {
            byType[row.type] = (byType[row.type] ?? 0) + 1;
            return byType;
          }, {});
      const received = [];
      for (const row of objects.filter((item) => item.origin === 'received').slice(-200)) {
        const receipt = (await store.intel.readStixReceipts(row.id)).at(-1);
        const object = JSON.parse(row.object) as { name?: string };
        received.push({
          id: row.id,
          type: row.type,
          name: object.name ?? null,
          version: row.version,
          source: receipt?.source ?? null,
          channel: receipt?.channel ?? null,
          received_at: receipt?.receivedAt ?? row.storedAt,
        });
      }
      received.reverse();
      const groupings = objects
        .filter((row) => row.type === 'grouping')
        .map((row) => {
          const object = JSON.parse(row.object) as {
            name?: string;
            context?: string;
            object_refs?: string[];
            revoked?: boolean;
          };
          return {
            id: row.id,
            name: object.name ?? null,
            context: object.context ?? null,
            objects: object.object_refs?.length ?? 0,
            revoked: object.revoked === true,
            origin: row.origin,
          };
        });
      return {
        collections: (await store.taxii.listCollections()).map((row) => ({
          id: row.id,
          alias: row.alias,
          title: row.title,
        })),
        partners: (await store.taxii.listPartners()).map((row) => ({
          name: row.name,
          amber: row.amber,
          revoked_at: row.revokedAt,
          created_at: row.createdAt,
        })),
        sent: counts('local'),
        received: counts('received'),
        latest_received: received,
        groupings,
        sightings: (await store.intel.readPartnerMatches()).map((row) => ({
          indicator_id: row.indicatorId,
          account_id: row.accountId,
          kind: row.kind,
          partner: row.partner,
          first_ms: row.firstMs,
          last_ms: row.lastMs,
          requests: row.requests,
        })),
      };
    }),
  );
}
