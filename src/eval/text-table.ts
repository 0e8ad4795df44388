// Plain-text table layout and number formats for the eval report people read: aligned columns,
// counts with thousands separators, percentages with one decimal.

export interface Column {
  header: string;
  /** Numbers read best right-aligned, names left-aligned. */
  align: 'left' | 'right';
}

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** 12345 → "12,345". */
export function formatCount(count: number): string {
  return countFormat.format(count);
}

/** 0.8765 → "87.7%"; null → `whenUndefined` (default "n/a"). */
export function formatPercent(ratio: number | null, whenUndefined = 'n/a'): string {
  return ratio === null ? whenUndefined : `${(ratio * 100).toFixed(1)}%`;
}

/** Lays out rows under their headers with a dashed rule, each line indented by `indent`. */
export function renderTable(columns: Column[], rows: string[][], indent = '  '): string {
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: string[]): string =>
    indent +
    columns
      .map((column, index) => {
        const cell = cells[index] ?? '';
        return column.align === 'right' ? cell.padStart(widths[index]) : cell.padEnd(widths[index]);
      })
      .join('  ')
      .trimEnd();
  return [
    line(columns.map((column) => column.header)),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows.map(line),
  ].join('\n');
}
