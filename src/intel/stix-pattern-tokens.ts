// The STIX 2.1 patterning language's tokens (specification section 9): quoted strings with their
// two escapes, t'' timestamps, b'' base64 and h'' hex literals checked for shape, numbers,
// identifiers and punctuation. The parser is stix-pattern.ts.

/** A pattern that does not parse: `offset` is where, in characters from its start. */
export class StixPatternError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at character ${offset + 1})`);
    this.name = 'StixPatternError';
    this.offset = offset;
  }
}

export type TokenKind =
  'word' | 'string' | 'int' | 'float' | 'timestamp' | 'binary' | 'hex' | 'punct' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** The decoded value of a string, timestamp, binary or hex literal. */
  value: string;
  offset: number;
}

const timestampShape =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?Z$/;
const base64Shape = /^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const hexShape = /^([a-fA-F0-9]{2})*$/;
const punctuation = [
  '==',
  '!=',
  '<>',
  '<=',
  '>=',
  '=',
  '<',
  '>',
  '[',
  ']',
  '(',
  ')',
  ':',
  '.',
  ',',
  '*',
];

export function tokenize(pattern: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < pattern.length) {
    const char = pattern[at];
    if (/\s/.test(char)) {
      at += 1;
      continue;
    }
    const start = at;
    const prefix = /^[tbh]'/.test(pattern.slice(at, at + 2)) ? pattern[at] : null;
    if (char === "'" || prefix) {
      at += prefix ? 2 : 1;
      let value = '';
      for (;;) {
        if (at >= pattern.length)
          throw new StixPatternError('a quoted literal is not closed', start);
        const next = pattern[at];
        if (next === '\\') {
          const escaped = pattern[at + 1];
          if (escaped !== "'" && escaped !== '\\') {
            throw new StixPatternError("inside quotes only \\' and \\\\ are escapes", at);
          }
          value += escaped;
          at += 2;
        } else if (next === "'") {
          at += 1;
          break;
        } else {
          value += next;
          at += 1;
        }
      }
      const text = pattern.slice(start, at);
      if (prefix === 't' && !timestampShape.test(value)) {
        throw new StixPatternError(
          `t'${value}' is not an RFC 3339 UTC timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)`,
          start,
        );
      }
      if (prefix === 'b' && !base64Shape.test(value))
        throw new StixPatternError(`b'${value}' is not base64`, start);
      if (prefix === 'h' && !hexShape.test(value))
        throw new StixPatternError(`h'${value}' is not pairs of hex digits`, start);
      const kind: TokenKind =
        prefix === 't'
          ? 'timestamp'
          : prefix === 'b'
            ? 'binary'
            : prefix === 'h'
              ? 'hex'
              : 'string';
      tokens.push({ kind, text, value, offset: start });
      continue;
    }
    const number = /^[+-]?(\d*\.\d+|\d+)/.exec(pattern.slice(at));
    if (
      number &&
      (/\d/.test(char) || ((char === '+' || char === '-') && /[\d.]/.test(pattern[at + 1] ?? '')))
    ) {
      const text = number[0];
      const digits = text.replace(/^[+-]/, '');
      if (!digits.includes('.') && digits.length > 1 && digits.startsWith('0')) {
        throw new StixPatternError(`${text}: an integer has no leading zero`, start);
      }
      at += text.length;
      tokens.push({
        kind: digits.includes('.') ? 'float' : 'int',
        text,
        value: text,
        offset: start,
      });
      continue;
    }
    const word = /^[a-zA-Z_][a-zA-Z0-9_-]*/.exec(pattern.slice(at));
    if (word) {
      at += word[0].length;
      tokens.push({ kind: 'word', text: word[0], value: word[0], offset: start });
      continue;
    }
    const mark = punctuation.find((candidate) => pattern.startsWith(candidate, at));
    if (!mark) throw new StixPatternError(`unexpected '${char}'`, at);
    at += mark.length;
    tokens.push({ kind: 'punct', text: mark, value: mark, offset: start });
  }
  tokens.push({ kind: 'end', text: '', value: '', offset: pattern.length });
  return tokens;
}
