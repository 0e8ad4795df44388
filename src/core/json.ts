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

/**
 * Where `text` stops being JSON: the offset of the first character a JSON parser cannot accept
 * (text.length when it ends too early), or -1 when it is valid. For messages that name the line
 * and column of a multi-line document; JSON.parse's own message does not always say where.
 */
export function jsonErrorOffset(text: string): number {
  let at = 0;
  const fail = (): never => {
    throw new RangeError(String(at));
  };
  const space = () => {
    while (at < text.length && ' \t\n\r'.includes(text[at])) at += 1;
  };
  const expect = (char: string) => {
    space();
    if (text[at] !== char) fail();
    at += 1;
  };
  const literal = (word: string) => {
    if (!text.startsWith(word, at)) fail();
    at += word.length;
  };
  const string = () => {
    expect('"');
    while (text[at] !== '"') {
      if (at >= text.length || text.charCodeAt(at) < 0x20) fail();
      if (text[at] === '\\') {
        at += 1;
        if (text[at] === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 1, at + 5))) at += 4;
        else if (!'"\\/bfnrt'.includes(text[at] ?? 'x')) fail();
      }
      at += 1;
    }
    at += 1;
  };
  const items = (close: string, item: () => void) => {
    space();
    if (text[at] === close) {
      at += 1;
      return;
    }
    for (;;) {
      item();
      space();
      if (text[at] === close) {
        at += 1;
        return;
      }
      expect(',');
    }
  };
  const value = (): void => {
    space();
    const char = text[at];
    if (char === '{') {
      at += 1;
      items('}', () => {
        string();
        expect(':');
        value();
      });
    } else if (char === '[') {
      at += 1;
      items(']', value);
    } else if (char === '"') string();
    else if (char === 't') literal('true');
    else if (char === 'f') literal('false');
    else if (char === 'n') literal('null');
    else {
      const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
      if (!number) fail();
      at += (number as RegExpExecArray)[0].length;
    }
  };
  try {
    value();
    space();
    return at === text.length ? -1 : at;
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    return Math.min(at, text.length);
  }
}
