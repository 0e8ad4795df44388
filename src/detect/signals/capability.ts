// Which capability a request exercises: what a distiller is collecting (coding, reasoning, tool
// use, grading) as opposed to ordinary writing and chat.

export const capabilities = [
  'coding',
  'reasoning',
  'tool_use',
  'grading',
  'writing',
  'other',
] as const;
export type Capability = (typeof capabilities)[number];

const coding =
  /```|\bfunction\b|\bdef |\bclass |\bpython\b|\bjavascript\b|\btypescript\b|\bjava\b|\brust\b|\bgolang\b|\bc\+\+|\bsql\b|\bcode\b|\bprogram\b|\balgorithm\b|\bcompile|\bregex\b/i;
const reasoning =
  /how many|how much|calculate|compute|solve|prove|probability|average|equation|percent|\bx\b ?[<>=≤≥]|\d+ ?[×*/+−-] ?\d+|what is the (?:value|sum|product)/i;
const writing =
  /summari[sz]e|rewrite|translat|\be-?mail|\bessay|\bpoem|\bstory\b|\bstories\b|\bdraft|\bblog|\btweet|\bletter\b|paraphrase|proofread|grammar/i;

export function capabilityOf(text: string, toolUse: boolean, grading: boolean): Capability {
  if (toolUse) return 'tool_use';
  if (grading) return 'grading';
  const scanned = text.length > 400 ? text.slice(0, 400) : text;
  if (coding.test(scanned)) return 'coding';
  if (reasoning.test(scanned)) return 'reasoning';
  if (writing.test(scanned)) return 'writing';
  return 'other';
}
