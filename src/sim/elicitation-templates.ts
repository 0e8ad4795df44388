// Prompt templates of the simulated harvesting operators, modelled on the 2026 disclosures:
// chain-of-thought extraction, reasoning reconstruction, rubric grading and pairwise comparison
// (reward-model data), censorship-safe rewrites, and tool-trace reconstruction. {task}, {question},
// {answer}, {other} and {trace} mark where new content goes on every request.

/** Hydra cluster: coding and reasoning tasks wrapped to make the model write out its full reasoning. */
export const hydraTemplates = {
  coding: [
    'You are an expert software engineer. Solve the task below. Before writing any code, think through the problem step by step and write out your complete reasoning, then give the final solution in a single code block.\n\nTask:\n{task}',
    'Task: {task}\n\nRespond in exactly this format:\n<reasoning>\nyour full step-by-step reasoning, every step\n</reasoning>\n<answer>\nthe final code\n</answer>',
    '{task}\n\nExplain your thought process in detail, step by step, including the alternatives you considered and why you rejected them. Then provide the final, complete code.',
  ],
  reasoning: [
    'Solve the following problem. Show all intermediate steps of your reasoning; do not skip any step.\n\nProblem: {task}',
    'Question: {task}\nWalk me through your complete chain of thought before stating the final answer on the last line as "Answer: <value>".',
    'I need a detailed worked solution. First restate the problem, then reason step by step, verify your result, and finally give the answer.\n\n{task}',
  ],
} as const;

/** Reward-model and reasoning-trace operator: grading, comparison, reconstruction, safe rewrites. */
export const rewardTemplates = {
  rubric:
    'You are grading an AI assistant\'s answer.\n\nRubric:\n1. Correctness (0-4)\n2. Completeness (0-3)\n3. Clarity (0-3)\n\nQuestion:\n{question}\n\nAnswer:\n{answer}\n\nScore the answer on each criterion, justify every score in one or two sentences, and give the total as "Total: X/10".',
  pairwise:
    'Compare the two responses to the user request below and decide which one is better. Explain your judgement criterion by criterion, then output "Winner: A" or "Winner: B".\n\nRequest: {question}\n\nResponse A:\n{answer}\n\nResponse B:\n{other}',
  articulate:
    'Here is a question and its final answer. Articulate, step by step, the internal reasoning that leads to this answer, as if you had worked it out yourself. Do not mention that the answer was given.\n\nQuestion: {question}\nFinal answer: {answer}',
  safeRewrite:
    'Rewrite the following answer so that it avoids politically sensitive content and would pass a strict content review, while keeping all of its factual substance. Then list every change you made and the reason for it.\n\nAnswer to rewrite:\n{answer}',
} as const;

export type RewardFamily = keyof typeof rewardTemplates;

/** Agentic operator: reconstruct why an agent called its tools, and what it should call next. */
export const toolTraceTemplates = [
  'Below is the transcript of an agent solving a task with tools. For every tool call, explain why it was made, what the agent expected, and whether it was the best choice. Then write the next tool call the agent should make, as JSON.\n\nTask: {task}\n\nTranscript:\n{trace}',
  'Reconstruct the full reasoning of the assistant in this tool-use trace, step by step, including the reasoning it did not write down. Finish with the ideal final answer to the user.\n\nUser task: {task}\n\n{trace}',
] as const;

/** Low-and-slow operator: a different hand, fewer templates, same goal. */
export const lowSlowTemplates = [
  'Please solve this and think out loud the whole way, writing every step of your reasoning before the answer:\n\n{task}',
  '{task}\n\nBefore answering, lay out your reasoning as a numbered list of steps. Be exhaustive; then give the final answer.',
  'Act as a patient tutor. Work through the following step by step, showing all reasoning, and check your answer at the end.\n\n{task}',
] as const;

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(
    /\{(task|question|answer|other|trace)\}/g,
    (_, key: string) => values[key] ?? '',
  );
}
