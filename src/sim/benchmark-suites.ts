// How evaluation harnesses send public benchmarks: GSM8K with chain-of-thought or 8-shot prompts,
// HumanEval with several samples per problem (pass@k), MMLU with logprobs, BFCL tool-use tasks.
import type { Exchange, SimApi } from './exchange.js';
import type { Corpus } from './fixtures.js';
import type { Random } from './random.js';

export type SuiteName =
  'gsm8k-cot' | 'gsm8k-8shot' | 'humaneval-passk' | 'mmlu-logprobs' | 'bfcl-tools';
export const suiteNames: readonly SuiteName[] = [
  'gsm8k-cot',
  'gsm8k-8shot',
  'humaneval-passk',
  'mmlu-logprobs',
  'bfcl-tools',
];

export function suiteSize(corpus: Corpus, suite: SuiteName): number {
  switch (suite) {
    case 'gsm8k-cot':
    case 'gsm8k-8shot':
      return corpus.gsm8k.length;
    case 'humaneval-passk':
      return corpus.humaneval.length;
    case 'mmlu-logprobs':
      return corpus.mmlu.length;
    case 'bfcl-tools':
      return corpus.tools.length;
  }
}

function gsm8kFinal(answer: string): string {
  return answer.slice(answer.lastIndexOf('####') + 4).trim();
}

function gsm8kReasoning(answer: string): string {
  return answer.replace(/<<[^>]*>>/g, '').replace(/\n####.*$/s, '');
}

/** The exchange for item `item` of `suite` (sampling settings as harnesses use them). */
export function suiteExchange(
  corpus: Corpus,
  suite: SuiteName,
  item: number,
  api: SimApi,
  model: string,
  random: Random,
): Exchange {
  switch (suite) {
    case 'gsm8k-cot': {
      const entry = corpus.gsm8k[item];
      return {
        api,
        model,
        temperature: 0,
        maxTokens: 512,
        messages: [{ role: 'user', content: `Q: ${entry.question}\nA: Let's think step by step.` }],
        replies: [
          {
            text: `${gsm8kReasoning(entry.answer)}\nThe answer is ${gsm8kFinal(entry.answer)}.`,
            finish: 'stop',
          },
        ],
      };
    }
    case 'gsm8k-8shot': {
      const shots = corpus.gsm8k
        .slice(0, 8)
        .map(
          (shot) =>
            `Question: ${shot.question}\nAnswer: ${gsm8kReasoning(shot.answer)} The answer is ${gsm8kFinal(shot.answer)}.`,
        )
        .join('\n\n');
      const entry = corpus.gsm8k[item];
      const prompt = `${shots}\n\nQuestion: ${entry.question}\nAnswer:`;
      return {
        api: api === 'anthropic.messages' ? api : 'openai.completions',
        model,
        temperature: 0,
        maxTokens: 256,
        messages: [{ role: 'user', content: prompt }],
        replies: [
          {
            text: ` ${gsm8kReasoning(entry.answer)} The answer is ${gsm8kFinal(entry.answer)}.`,
            finish: 'stop',
          },
        ],
      };
    }
    case 'humaneval-passk': {
      const entry = corpus.humaneval[item];
      const samples = api === 'anthropic.messages' ? 1 : 10;
      return {
        api,
        model,
        temperature: 0.8,
        topP: 0.95,
        maxTokens: 512,
        n: samples,
        messages: [
          {
            role: 'user',
            content: `Complete the following Python function. Return only the code.\n\n\`\`\`python\n${entry.prompt}\`\`\``,
          },
        ],
        replies: Array.from({ length: samples }, () => ({
          text: `\`\`\`python\n${entry.prompt}${random.chance(0.7) ? entry.canonical_solution : '    pass\n'}\`\`\``,
          finish: 'stop' as const,
        })),
      };
    }
    case 'mmlu-logprobs': {
      const entry = corpus.mmlu[item];
      const letters = ['A', 'B', 'C', 'D'];
      const options = entry.choices
        .map((choice, index) => `${letters[index]}. ${choice}`)
        .join('\n');
      const prompt = `The following are multiple choice questions (with answers) about ${entry.subject.replaceAll('_', ' ')}.\n\n${entry.question}\n${options}\nAnswer:`;
      return {
        api: api === 'anthropic.messages' ? api : 'openai.chat',
        model,
        temperature: 0,
        maxTokens: 1,
        logprobs: api !== 'anthropic.messages',
        topLogprobs: api !== 'anthropic.messages' ? 5 : undefined,
        messages: [{ role: 'user', content: prompt }],
        replies: [
          {
            text: random.chance(0.8) ? letters[entry.answer] : random.pick(letters),
            finish: 'length',
          },
        ],
      };
    }
    case 'bfcl-tools': {
      const entry = corpus.tools[item];
      const call = entry.functions[0];
      return {
        api,
        model,
        temperature: 0,
        maxTokens: 512,
        messages: [{ role: 'user', content: entry.question.join('\n') }],
        tools: entry.functions,
        replies: [
          {
            text: '',
            toolCalls: [{ id: `call_${random.token(16)}`, name: call.name, arguments: {} }],
            finish: 'tool_calls',
          },
        ],
      };
    }
  }
}
