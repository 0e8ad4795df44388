// Parses one JSON Lines record and checks it against its contract, returning either the record
// or the field and reason that a user can fix. Never throws: a bad line must not stop the file.
import type { FieldProblem, Validator } from '../core/index.js';

export type ParsedRecord<T> = { ok: true; record: T } | ({ ok: false } & FieldProblem);

/** JSON.parse + schema check for one line of text. */
export function parseRecord<T>(text: string, validate: Validator<T>): ParsedRecord<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, field: '', reason: `is not valid JSON (${(error as Error).message})` };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, field: '', reason: 'must be a JSON object, one record per line' };
  }
  if (!validate(value)) return { ok: false, ...validate.problem() };
  return { ok: true, record: value };
}
