// The model's side of simulated exchanges: chat answers, code, worked reasoning, grades.
import type { ExchangeReply } from './exchange.js';
import type { Random } from './random.js';
import type { TextPool } from './text-pool.js';

export function chatReply(
  pool: TextPool,
  random: Random,
  paragraphs = random.between(1, 4),
): ExchangeReply {
  return { text: pool.document(random, paragraphs), finish: 'stop' };
}

export function codeReply(
  pool: TextPool,
  random: Random,
  code: string,
  language = 'python',
): ExchangeReply {
  return {
    text: `${pool.sentence(random)}\n\n\`\`\`${language}\n${code}\n\`\`\`\n\n${pool.sentence(random)}`,
    finish: 'stop',
  };
}

/** A step-by-step answer, as returned when the prompt asks the model to show its reasoning. */
export function reasoningReply(
  pool: TextPool,
  random: Random,
  steps: string[],
  answer: string,
  withReasoningField = false,
): ExchangeReply {
  const worked = steps
    .map((step, index) =>
      `Step ${index + 1}: ${step} ${random.chance(0.5) ? pool.sentence(random) : ''}`.trim(),
    )
    .join('\n');
  const text = `Let me work through this carefully.\n\n${worked}\n\nVerification: ${pool.sentence(random)}\n\nFinal answer: ${answer}`;
  return withReasoningField
    ? { text: `Final answer: ${answer}`, reasoning: text, finish: 'stop' }
    : { text, finish: 'stop' };
}

export function gradeReply(pool: TextPool, random: Random): ExchangeReply {
  const correctness = random.between(0, 4),
    completeness = random.between(0, 3),
    clarity = random.between(0, 3);
  const text = [
    `Correctness: ${correctness}/4. ${pool.sentence(random)}`,
    `Completeness: ${completeness}/3. ${pool.sentence(random)}`,
    `Clarity: ${clarity}/3. ${pool.sentence(random)}`,
    `Total: ${correctness + completeness + clarity}/10`,
  ].join('\n');
  return { text, finish: 'stop' };
}
