// JSON helpers for wire bodies: the one shape check every reader of bodies needs, and JSON as one
// JSON Lines line.
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `text` (valid JSON) as one JSON Lines line: a raw CR or LF can only be whitespace between tokens
 * (inside a string JSON requires `\n`, `\r`), so each becomes a space. One scan when there is none.
 * @example singleLineJson('{\n  "a": 1\n}') === '{   "a": 1 }'
 */
export function singleLineJson(text: string): string {
  if (text.indexOf('\n') === -1 && text.indexOf('\r') === -1) return text;
  return text.replace(/[\r\n]/g, ' ');
}
