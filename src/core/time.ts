// Time helpers: the contracts carry RFC 3339 strings; the store and detectors use epoch milliseconds.

/** Epoch milliseconds of an RFC 3339 timestamp already checked by the schema. */
export function parseTimestamp(value: string): number {
  return Date.parse(value);
}

/** RFC 3339 in UTC with milliseconds, the form DistillGuard writes. */
export function formatTimestamp(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
