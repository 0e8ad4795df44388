// The public data sets the simulator draws prompts from, shipped in fixtures/ (see fixtures/NOTICE.md).
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

export const fixturesDirectory = fileURLToPath(new URL('../../../fixtures/', import.meta.url));

export interface Gsm8kItem {
  question: string;
  answer: string;
}
export interface HumanEvalItem {
  task_id: string;
  prompt: string;
  canonical_solution: string;
  entry_point: string;
}
export interface MmluItem {
  subject: string;
  question: string;
  choices: string[];
  answer: number;
}
export interface RolePrompt {
  act: string;
  prompt: string;
  for_devs: boolean;
}
export interface SelfInstructTask {
  instruction: string;
  instances: { input: string; output: string }[];
}
export interface CodeAlpacaItem {
  instruction: string;
  input: string;
  output: string;
}
export interface ToolFunction {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}
export interface ToolTask {
  id: string;
  kind: string;
  question: string[];
  functions: ToolFunction[];
}
export interface MultiTurnToolTask {
  id: string;
  turns: string[];
  classes: string[];
}
export interface TemplatePrompt {
  template: string;
  prompt: string;
  completion: string;
}

export interface Corpus {
  gsm8k: Gsm8kItem[];
  humaneval: HumanEvalItem[];
  mmlu: MmluItem[];
  roles: RolePrompt[];
  selfInstruct: SelfInstructTask[];
  codeAlpaca: CodeAlpacaItem[];
  tools: ToolTask[];
  multiTurnTools: MultiTurnToolTask[];
  templates: TemplatePrompt[];
}

function readJsonl<T>(name: string): T[] {
  const text = gunzipSync(readFileSync(`${fixturesDirectory}${name}`)).toString('utf8');
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as T);
}

let cached: Corpus | undefined;

/** Loads every fixture once per process (a few MB). */
export function loadCorpus(): Corpus {
  cached ??= {
    gsm8k: readJsonl('gsm8k.jsonl.gz'),
    humaneval: readJsonl('humaneval.jsonl.gz'),
    mmlu: readJsonl('mmlu.jsonl.gz'),
    roles: readJsonl('roles.jsonl.gz'),
    selfInstruct: readJsonl('self-instruct.jsonl.gz'),
    codeAlpaca: readJsonl('code-alpaca.jsonl.gz'),
    tools: readJsonl('tools.jsonl.gz'),
    multiTurnTools: readJsonl('multi-turn-tools.jsonl.gz'),
    templates: readJsonl('templates.jsonl.gz'),
  };
  return cached;
}
