// Partners and intelligence: the TAXII collections and partners, what was sent and received (per
// STIX type), the latest objects received, the correlated campaigns a hub made (groupings) and the
// partners' indicators that matched our traffic (sightings).
import { api } from '../api.js';
import { badge, count, fill, h, link, section, when, type Child } from '../dom.js';
import type { Page } from '../app.js';
import { virtualTable, type Column } from '../table.js';
import { accountHref, code, plainTable } from './parts.js';

interface IntelView {
  collections: { id: string; alias: string | null; title: string }[];
  partners: { name: string; amber: boolean; revoked_at: string | null; created_at: string }[];
  /** Objects per STIX type: ours (sent) and partners' (received). */
  sent: Record<string, number>;
  received: Record<string, number>;
  latest_received: {
    id: string;
    type: string;
    name: string | null;
    version: string;
    source: string | null;
    channel: string | null;
    received_at: string;
  }[];
  groupings: {
    id: string;
    name: string | null;
    context: string | null;
    objects: number;
    revoked: boolean;
    origin: string;
  }[];
  sightings: Sighting[];
}

interface Sighting {
  indicator_id: string;
  account_id: string;
  kind: string;
  partner: string;
  first_ms: number;
  last_ms: number;
  requests: number;
}

/** An empty state: what would fill it, with the commands in code type. */
const empty = (...parts: (string | [string])[]): Child[] =>
  parts.map((part) => (typeof part === 'string' ? part : code(part[0])));

function collectionsPanel(view: IntelView): HTMLElement {
  return section(
    'Collections',
    plainTable(
      'TAXII collections',
      [{ title: 'Name' }, { title: 'Title' }, { title: 'Id' }],
      view.collections.map((row) => [row.alias ?? '—', row.title, code(row.id)]),
      empty(
        'No collections yet: ',
        ['distillguard intel collections add NAME --title TEXT'],
        ' makes one; serving TAXII makes the default.',
      ),
    ),
  );
}

function partnersPanel(view: IntelView): HTMLElement {
  return section(
    'Partners',
    plainTable(
      'TAXII partners',
      [
        { title: 'Partner' },
        { title: 'TLP:AMBER allowed' },
        { title: 'Added' },
        { title: 'Status' },
      ],
      view.partners.map((row) => [
        row.name,
        row.amber ? 'yes' : 'no',
        when(row.created_at),
        row.revoked_at ? `revoked ${when(row.revoked_at)}` : 'active',
      ]),
      empty(
        'No partners yet: ',
        ['distillguard intel partners add NAME'],
        ' adds one and prints its secret once.',
      ),
    ),
  );
}

function objectCountsPanel(view: IntelView): HTMLElement {
  const types = [...new Set([...Object.keys(view.sent), ...Object.keys(view.received)])].sort();
  return section(
    'Objects per STIX type',
    plainTable(
      'STIX objects sent and received, per type',
      [
        { title: 'Type' },
        { title: 'Sent (ours)', numeric: true },
        { title: 'Received', numeric: true },
      ],
      types.map((type) => [type, count(view.sent[type] ?? 0), count(view.received[type] ?? 0)]),
      empty(
        'No STIX objects yet: ',
        ['distillguard intel export'],
        ' makes ours from the stored campaigns; partners’ arrive by ',
        ['intel import'],
        ', ',
        ['intel pull'],
        ' or a TAXII push.',
      ),
    ),
  );
}

type Received = IntelView['latest_received'][number];

const receivedColumns: Column<Received>[] = [
  { title: 'Type', value: (row) => row.type },
  {
    title: 'Name',
    value: (row) => row.name ?? row.id,
    cell: (row) => row.name ?? h('span', { class: 'muted', title: row.id }, row.id),
  },
  { title: 'Source', value: (row) => row.source },
  { title: 'Channel', value: (row) => row.channel },
  { title: 'Received', value: (row) => row.received_at, cell: (row) => when(row.received_at) },
];

function receivedPanel(view: IntelView): HTMLElement {
  const rows = view.latest_received;
  return section(
    'Latest received',
    rows.length === 0
      ? h(
          'p',
          { class: 'muted empty' },
          empty(
            'Nothing received yet: partners push over TAXII (',
            ['intel push'],
            ') or you pull (',
            ['intel pull'],
            ').',
          ),
        )
      : virtualTable({
          label: 'Latest objects received',
          columns: receivedColumns,
          rows,
          height: Math.min(12, rows.length),
          initialSort: { column: 4, descending: true },
        }),
  );
}

function groupingsPanel(view: IntelView): HTMLElement {
  return section(
    'Correlated campaigns',
    h(
      'p',
      { class: 'muted' },
      'Groupings a hub made of campaigns that different partners reported or sighted, linked by shared keyed indicators.',
    ),
    plainTable(
      'Correlated campaigns (groupings)',
      [
        { title: 'Name' },
        { title: 'Context' },
        { title: 'Objects', numeric: true },
        { title: 'Made' },
        { title: 'Status' },
      ],
      view.groupings.map((row) => [
        row.name ?? row.id,
        row.context ?? '—',
        count(row.objects),
        row.origin === 'local' ? 'here' : 'received',
        row.revoked ? badge('revoked') : 'current',
      ]),
      empty(
        'No correlated campaigns: on a hub, ',
        ['distillguard intel correlate'],
        ' groups the campaigns partners reported that share indicators.',
      ),
    ),
  );
}

const sightingColumns: Column<Sighting>[] = [
  { title: 'Indicator', value: (row) => row.indicator_id },
  {
    title: 'Account',
    value: (row) => row.account_id,
    cell: (row) => link(accountHref(row.account_id), row.account_id),
  },
  { title: 'Matched on', value: (row) => row.kind },
  { title: 'Partner', value: (row) => row.partner },
  { title: 'First', value: (row) => row.first_ms, cell: (row) => when(row.first_ms) },
  { title: 'Last', value: (row) => row.last_ms, cell: (row) => when(row.last_ms) },
  {
    title: 'Requests',
    value: (row) => row.requests,
    cell: (row) => count(row.requests),
    numeric: true,
  },
];

function sightingsPanel(view: IntelView): HTMLElement {
  return section(
    'Sightings: partners’ indicators in our traffic',
    view.sightings.length === 0
      ? h(
          'p',
          { class: 'muted empty' },
          empty(
            'No partner indicator has matched our traffic: import partners’ indicators (',
            ['intel import'],
            ' or ',
            ['intel pull'],
            '), then ',
            ['distillguard analyze --db FILE'],
            ' checks every account against them. ',
            ['intel sightings'],
            ' tells the partners what matched.',
          ),
        )
      : virtualTable({
          label: 'Sightings',
          columns: sightingColumns,
          rows: view.sightings,
          height: Math.min(12, view.sightings.length),
          initialSort: { column: 6, descending: true },
        }),
  );
}

export const intelPage: Page = async (main) => {
  const view = await api<IntelView>('/intel');
  fill(
    main,
    h('h1', {}, 'Partners & intelligence'),
    h(
      'p',
      { class: 'muted' },
      'What we share with partners over TAXII (STIX 2.1, TLP respected), what they send us, and where their indicators meet our traffic.',
    ),
    h('div', { class: 'grid' }, collectionsPanel(view), partnersPanel(view)),
    h('div', { class: 'grid' }, objectCountsPanel(view), groupingsPanel(view)),
    receivedPanel(view),
    sightingsPanel(view),
  );
};
