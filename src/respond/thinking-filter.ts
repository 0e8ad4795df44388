// Removes <thinking>...</thinking> and <think>...</think> spans from model text, including text
// that arrives as stream deltas split at arbitrary points. Holds back only what might still turn
// out to be a tag (at most 10 characters), so the rest of the answer streams without delay.
// Tags match ASCII case-insensitively; whitespace right after a removed span is dropped too, so
// "<think>...</think>\n\nAnswer" becomes "Answer". An unterminated span is reasoning: dropped.

const spans = [
  { open: '<thinking>', close: '</thinking>' },
  { open: '<think>', close: '</think>' },
] as const;

/** Lower-cases ASCII letters only, so indices in the result match the input. */
const asciiLower = (text: string) => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/** Length of the longest suffix of `text` that is a proper prefix of `tag`. */
function partialTagSuffix(text: string, tag: string): number {
  for (let length = Math.min(text.length, tag.length - 1); length > 0; length -= 1) {
    if (tag.startsWith(text.slice(text.length - length))) return length;
  }
  return 0;
}

export class ThinkingFilter {
  /** The closing tag awaited, or null outside a span. */
  private closing: string | null = null;
  private held = '';
  private skipWhitespace = false;

  /** Feeds one delta; returns the text that is safe to pass on now (possibly empty). */
  push(delta: string): string {
    const text = this.held + delta;
    const lower = asciiLower(text);
    this.held = '';
    let output = '';
    let index = 0;
    while (index < text.length) {
      if (this.closing !== null) {
        const end = lower.indexOf(this.closing, index);
        if (end < 0) {
          const keep = partialTagSuffix(lower.slice(index), this.closing);
          this.held = text.slice(text.length - keep);
          return output;
        }
        index = end + this.closing.length;
        this.closing = null;
        this.skipWhitespace = true;
        continue;
      }
      if (this.skipWhitespace) {
        while (index < text.length && /\s/.test(text[index])) index += 1;
        if (index === text.length) return output;
        this.skipWhitespace = false;
      }
      const start = lower.indexOf('<', index);
      if (start < 0) return output + text.slice(index);
      output += text.slice(index, start);
      const rest = lower.slice(start, start + 10);
      const span = spans.find((candidate) => rest.startsWith(candidate.open));
      if (span) {
        this.closing = span.close;
        index = start + span.open.length;
        continue;
      }
      if (
        start + rest.length === text.length &&
        spans.some((candidate) => candidate.open.startsWith(rest))
      ) {
        this.held = text.slice(start);
        return output;
      }
      output += '<';
      index = start + 1;
    }
    return output;
  }

  /** Ends the stream: returns held text that never became a tag; an open span is dropped. */
  end(): string {
    const rest = this.closing === null ? this.held : '';
    this.held = '';
    this.closing = null;
    this.skipWhitespace = false;
    return rest;
  }

  /** True while inside a thinking span (what arrives now is being removed). */
  get inSpan(): boolean {
    return this.closing !== null;
  }
}

/** Removes thinking spans from a whole text (the same rules as the streaming filter). */
export function stripThinking(text: string): string {
  const filter = new ThinkingFilter();
  return filter.push(text) + filter.end();
}
