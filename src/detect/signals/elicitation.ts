// Elicitation detectors: phrases that ask the model for what a distiller wants beyond the answer.
// Each family is a bit; a request may carry several. Only the head and tail of the prompt are
// scanned, where instructions sit, so cost does not grow with pasted content.

export const elicitationFamilies = [
  'chain_of_thought',
  'reasoning_reconstruction',
  'grading',
  'tool_trace',
  'safe_rewrite',
] as const;
export type ElicitationFamily = (typeof elicitationFamilies)[number];

const patterns: Record<ElicitationFamily, RegExp> = {
  chain_of_thought:
    /step[- ]by[- ]step|show (?:all|every|your)(?: \w+)? (?:steps|work|reasoning)|chain[- ]of[- ]thought|thought process|think(?:ing)? (?:out loud|aloud)|walk me through|<reasoning>|lay out your reasoning|(?:full|complete|detailed) (?:step-by-step )?reasoning|worked solution|reason step|explain your reasoning|showing all reasoning/i,
  reasoning_reconstruction:
    /articulate[^.]{0,60}reasoning|reconstruct[^.]{0,60}reasoning|internal reasoning|as if you had worked it out|reasoning (?:that|which) leads to/i,
  grading:
    /rubric|score (?:the|each|this) (?:answer|response)|grade (?:the|this)|grading an? (?:ai|assistant|model)|which (?:one )?is better|winner: ?["']?a|decide which|rate (?:the|this) (?:answer|response)|reward model/i,
  tool_trace:
    /tool[- ](?:use |call )?(?:trace|transcript)|transcript of an agent|each tool call|next tool call|why (?:each|every) (?:tool|function) call/i,
  safe_rewrite:
    /politically sensitive|content review|censor|sensitive (?:content|topics)|pass (?:a |the )?(?:strict )?(?:review|moderation)/i,
};

const scanHead = 500;
const scanTail = 300;
/**
 * Words at least one of which every pattern above contains: one case-insensitive scan for them
 * rules out most requests before any pattern runs. Keep in step with the patterns (the tests'
 * examples of every family pass through it).
 */
export const elicitationAnchors = [
  'step',
  'show',
  'thought',
  'think',
  'walk me',
  'reason',
  'worked',
  'articulate',
  'reconstruct',
  'rubric',
  'score',
  'grad',
  'better',
  'winner',
  'decide which',
  'rate ',
  'reward model',
  'tool',
  'transcript',
  'function call',
  'sensitive',
  'review',
  'censor',
  'moderation',
];

const anchorPattern = new RegExp(elicitationAnchors.join('|'), 'i');

function windowMask(window: string): number {
  if (!anchorPattern.test(window)) return 0;
  let mask = 0;
  for (let index = 0; index < elicitationFamilies.length; index += 1) {
    if (patterns[elicitationFamilies[index]].test(window)) mask |= 1 << index;
  }
  return mask;
}

/** Bit mask of the families found in `text`'s head and tail (bit i = elicitationFamilies[i]). */
export function elicitationMask(text: string): number {
  if (text.length === 0) return 0;
  if (text.length <= scanHead + scanTail) return windowMask(text);
  return windowMask(text.slice(0, scanHead)) | windowMask(text.slice(-scanTail));
}

/** Texts checked per template key before its elicitation is settled. */
const templateSamples = 3;

/**
 * Elicitation of a prompt's template parts: its head (first 500 characters) and tail (last 300),
 * settled per template key. Templated traffic (harvesting, SaaS, batch, eval harnesses) repeats its
 * keys, so once the first three texts under a key have been checked, later requests reuse the
 * families present in all three: the template's own instruction is in every text, while words
 * inside the users' content further in are not, and never stick to the template.
 */
export class TemplateElicitation {
  private readonly heads = new Map<number, { mask: number; samples: number }>();
  private readonly tails = new Map<number, { mask: number; samples: number }>();
  private readonly limit: number;

  constructor(limit = 100_000) {
    this.limit = limit;
  }

  mask(text: string, head: number | null, tail: number | null): number {
    if (head === null || tail === null) return elicitationMask(text);
    return (
      this.settled(this.heads, head, () => elicitationMask(text.slice(0, scanHead))) |
      this.settled(this.tails, tail, () => elicitationMask(text.slice(-scanTail)))
    );
  }

  private settled(
    cache: Map<number, { mask: number; samples: number }>,
    key: number,
    compute: () => number,
  ): number {
    const entry = cache.get(key);
    if (entry && entry.samples >= templateSamples) return entry.mask;
    const mask = compute();
    if (entry) {
      entry.mask &= mask;
      entry.samples += 1;
    } else {
      if (cache.size >= this.limit) cache.clear();
      cache.set(key, { mask, samples: 1 });
    }
    return mask;
  }
}

export function familiesOf(mask: number): ElicitationFamily[] {
  return elicitationFamilies.filter((_, index) => (mask & (1 << index)) !== 0);
}
