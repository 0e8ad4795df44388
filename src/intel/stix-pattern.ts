// The STIX 2.1 patterning language (specification section 9): a recursive-descent parser for its
// grammar over the tokens of stix-pattern-tokens.ts, so that every indicator DistillGuard exports
// or imports carries a pattern that parses. The result is a syntax tree; nothing evaluates it.
import { StixPatternError, tokenize, type Token, type TokenKind } from './stix-pattern-tokens.js';

export { StixPatternError };

/** A literal on the right of a comparison. */
export type PatternLiteral =
  | { kind: 'string'; value: string }
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'timestamp'; value: string }
  | { kind: 'binary'; value: string }
  | { kind: 'hex'; value: string };

/** One step of an object path after the first: a property or a list index (`*`: any element). */
export type PathStep = { property: string } | { index: number | '*' };

export interface ObjectPath {
  objectType: string;
  steps: PathStep[];
}

export type ComparisonOperator =
  '=' | '!=' | '>' | '<' | '>=' | '<=' | 'IN' | 'LIKE' | 'MATCHES' | 'ISSUBSET' | 'ISSUPERSET';

export type Comparison =
  | { kind: 'and' | 'or'; left: Comparison; right: Comparison }
  | {
      kind: 'test';
      path: ObjectPath;
      negated: boolean;
      operator: ComparisonOperator;
      value: PatternLiteral | PatternLiteral[];
    }
  | { kind: 'exists'; path: ObjectPath };

export type Qualifier =
  | { kind: 'start-stop'; start: string; stop: string }
  | { kind: 'within'; seconds: number }
  | { kind: 'repeats'; times: number };

export type Observation =
  | { kind: 'and' | 'or' | 'followedby'; left: Observation; right: Observation }
  | { kind: 'observation'; comparison: Comparison; qualifiers: Qualifier[] }
  | { kind: 'group'; inner: Observation; qualifiers: Qualifier[] };

const keywords = new Set([
  'AND',
  'OR',
  'NOT',
  'FOLLOWEDBY',
  'LIKE',
  'MATCHES',
  'ISSUPERSET',
  'ISSUBSET',
  'EXISTS',
  'IN',
  'START',
  'STOP',
  'SECONDS',
  'WITHIN',
  'REPEATS',
  'TIMES',
  'true',
  'false',
]);

class Parser {
  private readonly tokens: Token[];
  private position = 0;

  constructor(tokens: Token[]) {
    this.tokens = tokens;
  }

  parse(): Observation {
    const observation = this.observations();
    const rest = this.peek();
    if (rest.kind !== 'end')
      throw new StixPatternError(`unexpected '${rest.text}' after the pattern`, rest.offset);
    return observation;
  }

  // observationExpressions: FOLLOWEDBY binds loosest, then OR, then AND (all left-associative)
  private observations(): Observation {
    let left = this.observationOr();
    while (this.acceptWord('FOLLOWEDBY'))
      left = { kind: 'followedby', left, right: this.observationOr() };
    return left;
  }

  private observationOr(): Observation {
    let left = this.observationAnd();
    while (this.acceptWord('OR')) left = { kind: 'or', left, right: this.observationAnd() };
    return left;
  }

  private observationAnd(): Observation {
    let left = this.observation();
    while (this.acceptWord('AND')) left = { kind: 'and', left, right: this.observation() };
    return left;
  }

  private observation(): Observation {
    const token = this.next();
    let observation: Observation;
    if (token.text === '[' && token.kind === 'punct') {
      const comparison = this.comparisonOr();
      this.expect(']', 'to close the observation expression');
      observation = { kind: 'observation', comparison, qualifiers: [] };
    } else if (token.text === '(' && token.kind === 'punct') {
      const inner = this.observations();
      this.expect(')', 'to close the parenthesised observation expressions');
      observation = { kind: 'group', inner, qualifiers: [] };
    } else {
      throw new StixPatternError(
        `expected '[' or '(' to start an observation expression, found ${describe(token)}`,
        token.offset,
      );
    }
    for (;;) {
      const qualifier = this.qualifier();
      if (!qualifier) return observation;
      observation.qualifiers.push(qualifier);
    }
  }

  private qualifier(): Qualifier | null {
    if (this.acceptWord('START')) {
      const start = this.expectKind('timestamp', "a t'...' timestamp after START").value;
      this.expectWord('STOP');
      const stop = this.expectKind('timestamp', "a t'...' timestamp after STOP").value;
      return { kind: 'start-stop', start, stop };
    }
    if (this.acceptWord('WITHIN')) {
      const token = this.next();
      const seconds = Number(token.text);
      if (
        (token.kind !== 'int' && token.kind !== 'float') ||
        token.text.startsWith('-') ||
        !(seconds > 0)
      ) {
        throw new StixPatternError(
          `WITHIN takes a positive number of seconds, found ${describe(token)}`,
          token.offset,
        );
      }
      this.expectWord('SECONDS');
      return { kind: 'within', seconds };
    }
    if (this.acceptWord('REPEATS')) {
      const token = this.next();
      const times = Number(token.text);
      if (token.kind !== 'int' || token.text.startsWith('-') || !(times > 0)) {
        throw new StixPatternError(
          `REPEATS takes a positive integer, found ${describe(token)}`,
          token.offset,
        );
      }
      this.expectWord('TIMES');
      return { kind: 'repeats', times };
    }
    return null;
  }

  private comparisonOr(): Comparison {
    let left = this.comparisonAnd();
    while (this.acceptWord('OR')) left = { kind: 'or', left, right: this.comparisonAnd() };
    return left;
  }

  private comparisonAnd(): Comparison {
    let left = this.propertyTest();
    while (this.acceptWord('AND')) left = { kind: 'and', left, right: this.propertyTest() };
    return left;
  }

  private propertyTest(): Comparison {
    if (this.acceptPunct('(')) {
      const inner = this.comparisonOr();
      this.expect(')', 'to close the parenthesised comparison');
      return inner;
    }
    if (this.acceptWord('EXISTS')) return { kind: 'exists', path: this.objectPath() };
    const path = this.objectPath();
    const negated = this.acceptWord('NOT');
    const token = this.next();
    const operator = operatorOf(token);
    if (!operator)
      throw new StixPatternError(
        `expected a comparison operator after the object path, found ${describe(token)}`,
        token.offset,
      );
    if (operator === 'IN')
      return { kind: 'test', path, negated, operator, value: this.setLiteral() };
    const value = this.literal();
    if (
      ['LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'].includes(operator) &&
      value.kind !== 'string'
    ) {
      throw new StixPatternError(`${operator} takes a quoted string`, token.offset);
    }
    if (['>', '<', '>=', '<='].includes(operator) && value.kind === 'bool') {
      throw new StixPatternError(`${operator} cannot compare with a boolean`, token.offset);
    }
    return { kind: 'test', path, negated, operator, value };
  }

  private objectPath(): ObjectPath {
    const type = this.next();
    if (type.kind !== 'word' || keywords.has(type.text)) {
      throw new StixPatternError(
        `expected an object type (such as file or ipv4-addr), found ${describe(type)}`,
        type.offset,
      );
    }
    this.expect(':', 'between the object type and its property');
    const steps: PathStep[] = [{ property: this.propertyName() }];
    for (;;) {
      if (this.acceptPunct('.')) steps.push({ property: this.propertyName() });
      else if (this.acceptPunct('[')) {
        const index = this.next();
        if (index.kind === 'punct' && index.text === '*') steps.push({ index: '*' });
        else if (index.kind === 'int') steps.push({ index: Number(index.text) });
        else
          throw new StixPatternError(
            `a list index is an integer or *, found ${describe(index)}`,
            index.offset,
          );
        this.expect(']', 'to close the list index');
      } else return { objectType: type.text, steps };
    }
  }

  private propertyName(): string {
    const token = this.next();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'word' && !token.text.includes('-')) return token.text;
    throw new StixPatternError(
      `expected a property name (a name without hyphens, or quoted), found ${describe(token)}`,
      token.offset,
    );
  }

  private setLiteral(): PatternLiteral[] {
    this.expect('(', 'to open the set after IN');
    const values: PatternLiteral[] = [];
    if (this.acceptPunct(')')) return values;
    do values.push(this.literal());
    while (this.acceptPunct(','));
    this.expect(')', 'to close the set');
    return values;
  }

  private literal(): PatternLiteral {
    const token = this.next();
    switch (token.kind) {
      case 'string':
      case 'timestamp':
      case 'binary':
      case 'hex':
        return { kind: token.kind, value: token.value };
      case 'int':
        return { kind: 'int', value: Number(token.text) };
      case 'float':
        return { kind: 'float', value: Number(token.text) };
      case 'word':
        if (token.text === 'true' || token.text === 'false')
          return { kind: 'bool', value: token.text === 'true' };
        break;
      default:
        break;
    }
    throw new StixPatternError(
      `expected a literal (quoted string, number, true, false, t'...', b'...' or h'...'), found ${describe(token)}`,
      token.offset,
    );
  }

  private peek(): Token {
    return this.tokens[this.position];
  }

  private next(): Token {
    const token = this.tokens[this.position];
    if (token.kind !== 'end') this.position += 1;
    return token;
  }

  private acceptWord(word: string): boolean {
    const token = this.peek();
    if (token.kind !== 'word' || token.text !== word) return false;
    this.position += 1;
    return true;
  }

  private acceptPunct(mark: string): boolean {
    const token = this.peek();
    if (token.kind !== 'punct' || token.text !== mark) return false;
    this.position += 1;
    return true;
  }

  private expect(mark: string, why: string): void {
    const token = this.next();
    if (token.kind !== 'punct' || token.text !== mark)
      throw new StixPatternError(
        `expected '${mark}' ${why}, found ${describe(token)}`,
        token.offset,
      );
  }

  private expectWord(word: string): void {
    const token = this.next();
    if (token.kind !== 'word' || token.text !== word)
      throw new StixPatternError(`expected ${word}, found ${describe(token)}`, token.offset);
  }

  private expectKind(kind: TokenKind, what: string): Token {
    const token = this.next();
    if (token.kind !== kind)
      throw new StixPatternError(`expected ${what}, found ${describe(token)}`, token.offset);
    return token;
  }
}

function operatorOf(token: Token): ComparisonOperator | null {
  if (token.kind === 'punct') {
    if (token.text === '=' || token.text === '==') return '=';
    if (token.text === '!=' || token.text === '<>') return '!=';
    if (['>', '<', '>=', '<='].includes(token.text)) return token.text as ComparisonOperator;
    return null;
  }
  if (
    token.kind === 'word' &&
    ['IN', 'LIKE', 'MATCHES', 'ISSUBSET', 'ISSUPERSET'].includes(token.text)
  ) {
    return token.text as ComparisonOperator;
  }
  return null;
}

function describe(token: Token): string {
  return token.kind === 'end' ? 'the end of the pattern' : `'${token.text}'`;
}

/**
 * Parses a STIX 2.1 pattern into its syntax tree.
 * @throws StixPatternError naming what was expected and where.
 * @example parseStixPattern("[ipv4-addr:value = '198.51.100.1/32']")
 */
export function parseStixPattern(pattern: string): Observation {
  return new Parser(tokenize(pattern)).parse();
}
