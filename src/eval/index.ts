// Public face of eval/: scores an analysis report against simulator labels for `distillguard eval`.
export { evaluate } from './evaluate.js';
export { readEvaluationInputs } from './read-inputs.js';
export { formatEvaluationTable } from './format-table.js';
export * from './evaluation-result.js';
