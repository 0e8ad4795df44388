// A table for thousands of rows: sortable by any column (click or Enter on its header), filtered
// by a text box, and virtualised (only the rows in view are in the DOM), so a campaign of 1,000
// accounts stays fast. Rows are fixed height; the header stays put.
import { h, type Child } from './dom.js';

export interface Column<T> {
  title: string;
  /** The sort key. */
  value: (row: T) => string | number | null;
  /** The cell; defaults to the value. */
  cell?: (row: T) => Child;
  numeric?: boolean;
  /** The column's grid track when the default share does not fit (e.g. 'minmax(13rem, 1.3fr)'). */
  width?: string;
}

const rowHeight = 32;

export function virtualTable<T>(options: {
  label: string;
  columns: Column<T>[];
  rows: T[];
  /** Visible height in rows. */
  height?: number;
  filterLabel?: string;
  initialSort?: { column: number; descending: boolean };
}): HTMLElement {
  const { columns } = options;
  let sort = options.initialSort ?? { column: 0, descending: false };
  let filter = '';
  let shown: T[] = [];
  const visibleRows = options.height ?? 14;
  const body = h('div', { class: 'vt-body', role: 'rowgroup' });
  const spacer = h('div', { class: 'vt-spacer' });
  const viewport = h(
    'div',
    { class: 'vt-viewport', tabindex: 0, 'aria-label': `${options.label}, scrollable` },
    spacer,
    body,
  );
  const status = h('span', { class: 'muted', 'aria-live': 'polite' });
  const template = columns
    .map(
      (column) =>
        column.width ?? (column.numeric ? 'minmax(4.5rem, 0.6fr)' : 'minmax(5.5rem, 0.9fr)'),
    )
    .join(' ');

  const headers = columns.map((column, index) => {
    const cell = h(
      'div',
      {
        class: `vt-cell vt-head${column.numeric ? ' num' : ''}`,
        role: 'columnheader',
        tabindex: 0,
        'aria-sort': 'none',
      },
      column.title,
    );
    const choose = () => {
      sort = {
        column: index,
        descending: sort.column === index ? !sort.descending : column.numeric === true,
      };
      apply();
    };
    cell.addEventListener('click', choose);
    cell.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault();
        choose();
      }
    });
    return cell;
  });
  const head = h('div', { class: 'vt-row vt-header', role: 'row' }, headers);
  head.style.gridTemplateColumns = template;

  function paint(): void {
    const first = Math.max(0, Math.floor(viewport.scrollTop / rowHeight) - 4);
    const last = Math.min(shown.length, first + visibleRows + 8);
    body.style.transform = `translateY(${first * rowHeight}px)`;
    body.replaceChildren(
      ...shown.slice(first, last).map((row, offset) => {
        const element = h(
          'div',
          { class: 'vt-row', role: 'row', 'aria-rowindex': first + offset + 2 },
          columns.map((column) =>
            h(
              'div',
              { class: `vt-cell${column.numeric ? ' num' : ''}`, role: 'cell' },
              column.cell ? column.cell(row) : (column.value(row) ?? '—'),
            ),
          ),
        );
        element.style.gridTemplateColumns = template;
        return element;
      }),
    );
  }

  function apply(): void {
    const needle = filter.trim().toLowerCase();
    shown = needle
      ? options.rows.filter((row) =>
          columns.some((column) =>
            String(column.value(row) ?? '')
              .toLowerCase()
              .includes(needle),
          ),
        )
      : [...options.rows];
    const { column, descending } = sort;
    const key = columns[column].value;
    shown.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const order = x === y ? 0 : x === null ? 1 : y === null ? -1 : x < y ? -1 : 1;
      return descending ? -order : order;
    });
    headers.forEach((cell, index) =>
      cell.setAttribute(
        'aria-sort',
        index === column ? (descending ? 'descending' : 'ascending') : 'none',
      ),
    );
    spacer.style.height = `${shown.length * rowHeight}px`;
    // no empty band under a short list
    viewport.style.height = `${Math.max(3, Math.min(visibleRows, shown.length)) * rowHeight}px`;
    status.textContent = `${shown.length.toLocaleString('en-US')} of ${options.rows.length.toLocaleString('en-US')} rows`;
    paint();
  }

  viewport.addEventListener('scroll', () => requestAnimationFrame(paint));
  const search = h('input', {
    type: 'search',
    placeholder: 'Filter',
    'aria-label': options.filterLabel ?? `Filter ${options.label}`,
  });
  search.addEventListener('input', () => {
    filter = search.value;
    viewport.scrollTop = 0;
    apply();
  });
  apply();
  return h(
    'div',
    { class: 'vt' },
    h('div', { class: 'vt-tools' }, search, status),
    h(
      'div',
      { role: 'table', 'aria-label': options.label, 'aria-rowcount': options.rows.length + 1 },
      head,
      viewport,
    ),
  );
}
