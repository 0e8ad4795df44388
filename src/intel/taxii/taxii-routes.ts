// The TAXII 2.1 server (OASIS TAXII 2.1, sections 4 and 5): discovery, one API root, its
// collections, objects (GET with added_after, limit and next, match[id|type|version|spec_version];
// POST answered with a status resource), one object, its versions, the manifest and status.
// Every answer is application/taxii+json;version=2.1; a request that accepts nothing of the kind
// gets 406, a post of another media type 415, one over max_content_length 413, missing or wrong
// credentials 401, a collection the partner may not read or write 403 (404 when it may do
// neither). What a partner reads is cut to what TLP lets it have: AMBER+STRICT and RED never
// leave this organisation, AMBER only to partners allowed it, unmarked objects count as AMBER.
import { createHash, randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isJsonObject, type JsonObject } from '../../core/index.js';
import type { Store, TaxiiCollectionRow, TaxiiEntry, TaxiiPartnerRow } from '../../store/index.js';
import { checkBundle, heldReferences } from '../check-bundle.js';
import { receiveObjects, sharingTlp } from '../import-intel.js';
import { sortableTimestamp, versionOf as ownVersion } from '../versioning.js';
import { tlpLevels } from '../tlp.js';
import {
  acceptsTaxii,
  isTaxiiContent,
  sendTaxiiError,
  stixMediaType,
  TaxiiError,
  taxiiMediaType,
} from './media.js';
import { allows, authenticatePartner } from './partner-auth.js';

export interface TaxiiOptions {
  store: Store;
  /** The keyed hash partner secrets are stored as. */
  hashSecret: (secret: string) => string;
  title: string;
  /** Largest POST body accepted (bytes). */
  maxContentLength: number;
  now?: () => Date;
  /** Called after a post stored something (a hub correlates then); the answer waits for it. */
  onObjectsAdded?: () => void | Promise<void>;
  /** Told of every post that was checked (the transparency log records it as an import). */
  onReceived?: (receipt: TaxiiReceipt) => void | Promise<void>;
  /** Register each path with and without its trailing slash (an app without ignoreTrailingSlash). */
  bothSlashForms?: boolean;
}

/** What a partner's post brought: counted, never the objects themselves. */
export interface TaxiiReceipt {
  partner: string;
  collection: string;
  /** SHA-256 (hex) of the posted body as received. */
  sha256: string;
  objects: number;
  added: number;
  rejected: number;
  statusId: string;
}

/** Where the one API root lives, under the discovery path. */
export const discoveryPath = '/taxii2/';
export const apiRootPath = '/taxii2/intel/';
const defaultLimit = 100;
const maxLimit = 1000;

type Query = Record<string, string | string[] | undefined>;

function one(query: Query, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

function list(query: Query, name: string): string[] | undefined {
  const value = one(query, name);
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean);
}

function timestamp(value: string, parameter: string): string {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms))
    throw new TaxiiError(
      400,
      'Bad filter',
      `${parameter} must be an RFC 3339 timestamp, e.g. 2026-02-02T00:00:00.000Z; got '${value}'.`,
    );
  return new Date(ms).toISOString();
}

/** The version an entry stands for in manifests (an unversioned SCO's is when it was added). */
function versionOf(entry: TaxiiEntry): string {
  if (!entry.version) return entry.dateAdded;
  const object = JSON.parse(entry.object) as JsonObject;
  return String(object.modified ?? object.created ?? entry.version);
}

/** A body as bytes: fastify would otherwise rewrite a JSON media type (quotes, charset). */
function send(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply
    .code(status)
    .header('content-type', taxiiMediaType)
    .send(Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)));
}

/** A page of entries as an envelope (`objects`, or `key` for versions and manifests), dated. */
function sendPage(
  reply: FastifyReply,
  { page, more, next }: { page: TaxiiEntry[]; more: boolean; next: string | undefined },
  item: (entry: TaxiiEntry) => unknown,
  key = 'objects',
): FastifyReply {
  withDateHeaders(reply, page);
  return send(reply, { more, ...(next ? { next } : {}), [key]: page.map(item) });
}

function withDateHeaders(reply: FastifyReply, entries: TaxiiEntry[]): FastifyReply {
  if (entries.length > 0) {
    reply.header('x-taxii-date-added-first', entries[0].dateAdded);
    reply.header('x-taxii-date-added-last', entries[entries.length - 1].dateAdded);
  }
  return reply;
}

/** What TLP lets this partner have. */
function mayReceive(object: JsonObject, partner: TaxiiPartnerRow): boolean {
  const level = sharingTlp(object);
  const limit = partner.amber ? 'amber' : 'green';
  return tlpLevels.indexOf(level) <= tlpLevels.indexOf(limit);
}

export async function registerTaxiiRoutes(
  app: FastifyInstance,
  options: TaxiiOptions,
): Promise<void> {
  const { store } = options;
  const now = options.now ?? (() => new Date());

  await app.register(async (taxii) => {
    taxii.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: options.maxContentLength },
      (_request, body, done) => done(null, body),
    );
    taxii.setErrorHandler(
      (error: Error & { code?: string; statusCode?: number }, request, reply) => {
        if (error instanceof TaxiiError) return sendTaxiiError(reply, error);
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
          return sendTaxiiError(
            reply,
            new TaxiiError(
              413,
              'Too large',
              `The body exceeds this API root's max_content_length of ${options.maxContentLength} bytes; post fewer objects at a time.`,
            ),
          );
        if ((error.statusCode ?? 500) < 500)
          return sendTaxiiError(
            reply,
            new TaxiiError(error.statusCode ?? 400, 'Bad request', error.message),
          );
        request.log.error({ err: error }, 'TAXII request failed');
        return sendTaxiiError(
          reply,
          new TaxiiError(500, 'Server error', 'The request failed here; it has been logged.'),
        );
      },
    );

    /** Content negotiation and authentication, before any route's work. */
    taxii.addHook('onRequest', async (request) => {
      if (!acceptsTaxii(request.headers.accept))
        throw new TaxiiError(
          406,
          'Not acceptable',
          `This server answers ${taxiiMediaType} only; ask for it in Accept.`,
        );
      (request as FastifyRequest & { partner?: TaxiiPartnerRow }).partner =
        await authenticatePartner(request.headers.authorization, store.taxii, options.hashSecret);
    });
    /** A route; on an app that does not ignore trailing slashes, with and without one. */
    const route = (
      method: 'GET' | 'POST',
      path: string,
      handler: (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
    ) => {
      const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
      for (const url of options.bothSlashForms ? [path, other] : [path])
        taxii.route({ method, url, handler });
    };
    const partnerOf = (request: FastifyRequest) =>
      (request as FastifyRequest & { partner: TaxiiPartnerRow }).partner;

    const visible = (partner: TaxiiPartnerRow, collection: TaxiiCollectionRow) =>
      allows(partner.canRead, collection) || allows(partner.canWrite, collection);
    /** The collection the path names, if this partner may read or write it (else 404). */
    const visibleCollection = async (request: FastifyRequest): Promise<TaxiiCollectionRow> => {
      const { collection: wanted } = request.params as { collection: string };
      const collection = await store.taxii.findCollection(wanted);
      if (!collection || !visible(partnerOf(request), collection))
        throw new TaxiiError(
          404,
          'Unknown collection',
          `There is no collection '${wanted}' for you here; GET ${apiRootPath}collections/ lists yours.`,
        );
      return collection;
    };
    const collectionFor = async (
      request: FastifyRequest,
      mode: 'read' | 'write',
    ): Promise<TaxiiCollectionRow> => {
      const partner = partnerOf(request);
      const collection = await visibleCollection(request);
      if (!allows(mode === 'read' ? partner.canRead : partner.canWrite, collection))
        throw new TaxiiError(
          403,
          'Forbidden',
          `You may not ${mode} collection '${collection.alias ?? collection.id}'.`,
        );
      return collection;
    };
    const describe = (partner: TaxiiPartnerRow, collection: TaxiiCollectionRow) => ({
      id: collection.id,
      title: collection.title,
      ...(collection.description ? { description: collection.description } : {}),
      ...(collection.alias ? { alias: collection.alias } : {}),
      can_read: allows(partner.canRead, collection),
      can_write: allows(partner.canWrite, collection),
      media_types: [stixMediaType],
    });

    /** The entries a GET returns: filters, version selection, TLP, then the page. */
    const select = async (
      request: FastifyRequest,
      collection: TaxiiCollectionRow,
      objectId?: string,
    ) => {
      const query = request.query as Query;
      const addedAfter = one(query, 'added_after');
      const limitText = one(query, 'limit');
      const limit = limitText === undefined ? defaultLimit : Number(limitText);
      if (!Number.isInteger(limit) || limit < 1)
        throw new TaxiiError(
          400,
          'Bad filter',
          `limit must be a whole number from 1; got '${limitText}'.`,
        );
      const nextText = one(query, 'next');
      const afterSeq = nextText === undefined || nextText === '' ? undefined : Number(nextText);
      if (afterSeq !== undefined && !Number.isInteger(afterSeq))
        throw new TaxiiError(
          400,
          'Bad filter',
          `next must be a value this server returned; got '${nextText}'.`,
        );
      const specVersions = list(query, 'match[spec_version]');
      if (specVersions && !specVersions.includes('2.1'))
        return { page: [], more: false, next: undefined };
      let entries = await store.taxii.listEntries({
        collectionId: collection.id,
        addedAfter: addedAfter === undefined ? undefined : timestamp(addedAfter, 'added_after'),
        objectIds: list(query, 'match[id]'),
        types: list(query, 'match[type]'),
        objectId,
      });
      const versions = list(query, 'match[version]') ?? ['last'];
      const byObject = new Map<string, TaxiiEntry[]>();
      for (const entry of entries)
        byObject.set(entry.objectId, [...(byObject.get(entry.objectId) ?? []), entry]);
      const chosen = new Set<TaxiiEntry>();
      for (const group of byObject.values()) {
        // stored versions sort as text (sortableTimestamp); unversioned SCOs by when they came
        const ordered = [...group].sort((a, b) =>
          (a.version || a.dateAdded) < (b.version || b.dateAdded) ? -1 : 1,
        );
        for (const wanted of versions) {
          if (wanted === 'all') ordered.forEach((entry) => chosen.add(entry));
          else if (wanted === 'first') chosen.add(ordered[0]);
          else if (wanted === 'last') chosen.add(ordered[ordered.length - 1]);
          else {
            const at = timestamp(wanted, 'match[version]');
            for (const entry of ordered)
              if (entry.version && entry.version === sortableTimestamp(at)) chosen.add(entry);
          }
        }
      }
      const partner = partnerOf(request);
      entries = entries.filter(
        (entry) => chosen.has(entry) && mayReceive(JSON.parse(entry.object) as JsonObject, partner),
      );
      const start = afterSeq === undefined ? 0 : entries.findIndex((entry) => entry.seq > afterSeq);
      const remaining = start < 0 ? [] : entries.slice(start);
      const page = remaining.slice(0, Math.min(limit, maxLimit));
      const more = remaining.length > page.length;
      return { page, more, next: more ? String(page[page.length - 1].seq) : undefined };
    };

    route('GET', discoveryPath, async (request, reply) => {
      const base = `${request.protocol}://${request.headers.host ?? 'localhost'}`;
      return send(reply, {
        title: options.title,
        description: 'DistillGuard: distillation campaigns and keyed indicators in STIX 2.1.',
        default: `${base}${apiRootPath}`,
        api_roots: [`${base}${apiRootPath}`],
      });
    });

    route('GET', apiRootPath, async (_request, reply) =>
      send(reply, {
        title: `${options.title}: intelligence`,
        description: 'Campaigns, indicators and sightings of adversarial distillation.',
        versions: [taxiiMediaType],
        max_content_length: options.maxContentLength,
      }),
    );

    route('GET', `${apiRootPath}collections/`, async (request, reply) => {
      const partner = partnerOf(request);
      const collections = (await store.taxii.listCollections())
        .filter((collection) => visible(partner, collection))
        .map((collection) => describe(partner, collection));
      return send(reply, collections.length > 0 ? { collections } : {});
    });

    route('GET', `${apiRootPath}collections/:collection/`, async (request, reply) => {
      const partner = partnerOf(request);
      const collection = await visibleCollection(request);
      return send(reply, describe(partner, collection));
    });

    route('GET', `${apiRootPath}collections/:collection/objects/`, async (request, reply) => {
      const { page, more, next } = await select(request, await collectionFor(request, 'read'));
      if (page.length === 0) return send(reply, {});
      return sendPage(reply, { page, more, next }, (entry) => JSON.parse(entry.object) as unknown);
    });

    route(
      'GET',
      `${apiRootPath}collections/:collection/objects/:object/`,
      async (request, reply) => {
        const collection = await collectionFor(request, 'read');
        const { object } = request.params as { object: string };
        const { page, more, next } = await select(request, collection, object);
        if (page.length === 0)
          throw new TaxiiError(
            404,
            'Unknown object',
            `Collection '${collection.alias ?? collection.id}' holds no object '${object}' for you.`,
          );
        return sendPage(
          reply,
          { page, more, next },
          (entry) => JSON.parse(entry.object) as unknown,
        );
      },
    );

    route(
      'GET',
      `${apiRootPath}collections/:collection/objects/:object/versions/`,
      async (request, reply) => {
        const collection = await collectionFor(request, 'read');
        const { object } = request.params as { object: string };
        (request.query as Query)['match[version]'] = 'all';
        const { page, more, next } = await select(request, collection, object);
        if (page.length === 0)
          throw new TaxiiError(
            404,
            'Unknown object',
            `Collection '${collection.alias ?? collection.id}' holds no object '${object}' for you.`,
          );
        return sendPage(reply, { page, more, next }, versionOf, 'versions');
      },
    );

    route('GET', `${apiRootPath}collections/:collection/manifest/`, async (request, reply) => {
      const { page, more, next } = await select(request, await collectionFor(request, 'read'));
      if (page.length === 0) return send(reply, {});
      return sendPage(reply, { page, more, next }, (entry) => ({
        id: entry.objectId,
        date_added: entry.dateAdded,
        version: versionOf(entry),
        media_type: stixMediaType,
      }));
    });

    route('POST', `${apiRootPath}collections/:collection/objects/`, async (request, reply) => {
      const collection = await collectionFor(request, 'write');
      if (!isTaxiiContent(request.headers['content-type']))
        throw new TaxiiError(
          415,
          'Unsupported media type',
          `Post objects as ${taxiiMediaType} (an envelope: {"objects": [...]}).`,
        );
      const partner = partnerOf(request);
      const rawBody = (request.body as Buffer | undefined) ?? Buffer.alloc(0);
      let body: unknown;
      try {
        body = JSON.parse(rawBody.toString('utf8'));
      } catch (error) {
        throw new TaxiiError(400, 'Not JSON', `The body is not JSON: ${(error as Error).message}.`);
      }
      if (!isJsonObject(body) || !Array.isArray(body.objects))
        throw new TaxiiError(
          422,
          'Not an envelope',
          'Post an envelope: a JSON object whose "objects" is a list of STIX 2.1 objects.',
        );
      const requested = now();
      const bundle = { type: 'bundle', id: `bundle--${randomUUID()}`, objects: body.objects };
      const held = await heldReferences(
        bundle,
        async (id) => (await store.intel.latestStixObject(id)) !== null,
      );
      const check = checkBundle(bundle, { known: (id) => held.has(id) });
      if (check.envelope)
        throw new TaxiiError(
          422,
          'Not STIX',
          `objects${check.envelope.field}: ${check.envelope.reason}.`,
        );
      const storedAt = requested.toISOString();
      const received = await receiveObjects(
        store,
        check.accepted,
        { source: partner.name, channel: 'taxii' },
        storedAt,
      );
      const successes: JsonObject[] = [];
      const failures: JsonObject[] = check.problems.map((problem) => ({
        id: problem.id ?? `objects[${problem.index}]`,
        version: '',
        message: `${problem.field ? `${problem.field}: ` : ''}${problem.reason}`,
      }));
      const added: { objectId: string; version: string }[] = [];
      for (const item of received) {
        if ('problem' in item)
          failures.push({
            id: item.row.id,
            version: ownVersion(item.object),
            message: item.problem,
          });
        else {
          successes.push({ id: item.row.id, version: ownVersion(item.object) || storedAt });
          added.push({ objectId: item.row.id, version: item.row.version });
        }
      }
      // correlation and relay run only when the collection gained something
      if ((await store.taxii.addToCollection(collection.id, added, storedAt)) > 0)
        await options.onObjectsAdded?.();
      const status = {
        id: randomUUID(),
        status: 'complete',
        request_timestamp: storedAt,
        total_count: successes.length + failures.length,
        success_count: successes.length,
        successes,
        failure_count: failures.length,
        failures,
        pending_count: 0,
        pendings: [],
      };
      await store.taxii.saveStatus(status.id, partner.name, JSON.stringify(status), storedAt);
      await options.onReceived?.({
        partner: partner.name,
        collection: collection.alias ?? collection.id,
        sha256: createHash('sha256').update(rawBody).digest('hex'),
        objects: status.total_count,
        added: added.length,
        rejected: failures.length,
        statusId: status.id,
      });
      return send(reply, status, 202);
    });

    route('GET', `${apiRootPath}status/:status`, async (request, reply) => {
      const { status: id } = request.params as { status: string };
      const status = await store.taxii.readStatus(id, partnerOf(request).name);
      if (!status) throw new TaxiiError(404, 'Unknown status', `No status '${id}' for you here.`);
      return send(reply, status);
    });
  });
}
