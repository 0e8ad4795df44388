// A rejected input line: where it was, what was wrong, and its text, so nothing is silently lost.

export interface Rejection {
  /** 1-based line number in the input. */
  line: number;
  /** Dotted path of the offending field; '' when the whole line is at fault. */
  field: string;
  reason: string;
  /** The line as read (empty for lines over the length limit). */
  text: string;
}

/** One line of human-readable text: `file:12: field 'ts' must be ...`. */
export function formatRejection(label: string, rejection: Rejection): string {
  const where = rejection.field ? `field '${rejection.field}' ` : '';
  return `${label}:${rejection.line}: ${where}${rejection.reason}`;
}
