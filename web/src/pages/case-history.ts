// A case's record: its history (each step with its transparency-log entry, whose inclusion proof
// can be fetched), its attachments, and the log's current signed checkpoint, which partners keep
// to check that history is never rewritten.
import { api } from '../api.js';
import { count, fill, h, section, when, type Child } from '../dom.js';
import type { CaseAttachment, CaseEvent } from './case-types.js';
import { apiText, code, failureBox, plainTable } from './parts.js';

/** What an event did, in words. */
function eventWhat(event: CaseEvent): Child {
  const move = `${event.from ?? '—'} → ${event.to ?? '—'}`;
  switch (event.kind) {
    case 'opened':
      return 'opened the case';
    case 'transition':
      return `moved it ${move}`;
    case 'approval':
      return `approved the step to ${event.to ?? '—'}`;
    case 'attachment':
      return 'attached evidence';
    case 'refused':
      return `was refused ${move}`;
    default:
      return `${event.kind} ${move}`;
  }
}

/** Fetches an entry's inclusion proof into `holder`. */
async function showProof(index: number, holder: HTMLElement): Promise<void> {
  fill(
    holder,
    h('p', { class: 'muted', 'aria-busy': 'true' }, `Loading the proof of entry ${index}…`),
  );
  try {
    const proof = await api<unknown>(`/log/entries/${index}/proof`);
    fill(
      holder,
      h('h3', {}, `Inclusion proof of log entry ${index}`),
      h(
        'p',
        { class: 'muted' },
        'The entry, its RFC 6962 inclusion proof and the signed checkpoint it is proved against; check it without the store with ',
        code('distillguard log verify-proof FILE --key LOGKEY'),
        '.',
      ),
      h('pre', { class: 'exchange', tabindex: 0 }, JSON.stringify(proof, null, 2)),
    );
  } catch (error) {
    fill(holder, failureBox(error));
  }
}

export function historyPanel(events: CaseEvent[]): HTMLElement {
  const proofHolder = h('div', { id: 'case-proof', 'aria-live': 'polite' });
  const entryButton = (index: number | null): Child =>
    index === null
      ? 'not logged'
      : h(
          'button',
          {
            type: 'button',
            class: 'secondary',
            'aria-controls': 'case-proof',
            'aria-label': `Show the inclusion proof of log entry ${index}`,
            onclick: () => void showProof(index, proofHolder),
          },
          `Entry ${index}`,
        );
  return section(
    'History',
    plainTable(
      'Case history, oldest first',
      [
        { title: 'When' },
        { title: 'Who' },
        { title: 'What' },
        { title: 'Reason' },
        { title: 'Log entry' },
      ],
      events.map((event) => [
        when(event.at),
        `${event.actor} (${event.role})`,
        eventWhat(event),
        event.reason ?? '—',
        entryButton(event.log_index),
      ]),
      'No events: the case has no history yet.',
    ),
    proofHolder,
  );
}

export function attachmentsPanel(caseId: string, attachments: CaseAttachment[]): HTMLElement {
  return section(
    'Attachments',
    plainTable(
      'Attachments',
      [
        { title: 'Kind' },
        { title: 'Name' },
        { title: 'SHA-256' },
        { title: 'Bytes', numeric: true },
        { title: 'Added by' },
        { title: 'Added' },
      ],
      attachments.map((file) => [
        file.kind,
        file.name,
        h('code', { class: 'hash' }, file.sha256),
        count(file.bytes),
        file.added_by,
        when(file.added_at),
      ]),
      [
        'No attachments yet: add audits, sightings or notes with ',
        code(`distillguard cases attach ${caseId} --file FILE --kind KIND`),
        '.',
      ],
    ),
  );
}

/** The log's latest signed checkpoint, fetched into the panel. */
export function checkpointPanel(): HTMLElement {
  const holder = h('div', {}, h('p', { class: 'muted', 'aria-busy': 'true' }, 'Loading…'));
  void apiText('/log/checkpoint').then(
    (note) =>
      fill(
        holder,
        h('pre', { class: 'exchange', tabindex: 0, 'aria-label': 'Signed checkpoint' }, note),
      ),
    (error: unknown) => fill(holder, failureBox(error)),
  );
  return section(
    'Signed checkpoint of the log',
    h(
      'p',
      { class: 'muted' },
      'The log’s size and root hash, signed (C2SP signed note). Keep it: a later log that changed any entry you saw cannot prove itself consistent with it.',
    ),
    holder,
  );
}
