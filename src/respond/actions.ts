// The rungs of the response ladder, least to most severe, and which of them are enforcement.
// Tracer only marks what is served (a watermark cohort), so it is not enforcement.

export const actions = ['observe', 'tracer', 'throttle', 'verify', 'degrade', 'block'] as const;
export type Action = (typeof actions)[number];

/** Verdicts a rule may name; `benchmark` is protected and can never be matched by a rule. */
export const ruleVerdicts = ['extraction', 'review'] as const;
export type RuleVerdict = (typeof ruleVerdicts)[number];

const enforcement: ReadonlySet<Action> = new Set<Action>([
  'throttle',
  'verify',
  'degrade',
  'block',
]);

/** True for actions that restrict the caller (throttle, verify, degrade, block). */
export function isEnforcement(action: Action): boolean {
  return enforcement.has(action);
}

/** Position on the ladder: higher is more severe. */
export function severityOf(action: Action): number {
  return actions.indexOf(action);
}
