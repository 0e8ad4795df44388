// Plain English sentences cut from the fixtures, recombined into documents, e-mails and replies,
// so that content is new on every request (as real user content is) yet drawn from human text.
import type { Corpus } from './fixtures.js';
import type { Random } from './random.js';

export class TextPool {
  readonly sentences: string[];

  constructor(corpus: Corpus) {
    const seen = new Set<string>();
    const sentences: string[] = [];
    const add = (text: string) => {
      for (const sentence of text.split(/(?<=[.!?])\s+(?=[A-Z])/)) {
        const trimmed = sentence.trim();
        if (trimmed.length < 40 || trimmed.length > 280 || seen.has(trimmed)) continue;
        if (
          /-lrb-|-rrb-|#\.#|\s's\b|\n|\\|`|[{}<>]|http|\bI want you\b|\bI will\b/i.test(trimmed) ||
          !/^[A-Z]/.test(trimmed) ||
          !/[.!?]$/.test(trimmed)
        )
          continue;
        seen.add(trimmed);
        sentences.push(trimmed);
      }
    };
    for (const entry of corpus.templates) add(entry.prompt);
    for (const task of corpus.selfInstruct)
      for (const instance of task.instances) add(instance.output);
    for (const item of corpus.codeAlpaca) if (!/[;{}()=]/.test(item.output)) add(item.output);
    this.sentences = sentences;
  }

  sentence(random: Random): string {
    return random.pick(this.sentences);
  }

  /** A paragraph of `count` sentences. */
  paragraph(random: Random, count: number): string {
    return Array.from({ length: count }, () => this.sentence(random)).join(' ');
  }

  /** A short document of several paragraphs. */
  document(random: Random, paragraphs: number): string {
    return Array.from({ length: paragraphs }, () =>
      this.paragraph(random, random.between(2, 5)),
    ).join('\n\n');
  }
}
