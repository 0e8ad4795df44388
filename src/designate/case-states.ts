// The case workflow: its states, the transitions allowed between them, who may take each, and
// what each needs (two reviewers' approvals, the warning-list check, an expiry, a statement).
// A case moves only along this table; everything else is refused with the allowed next steps.
import type { Action } from './roles.js';

export const caseStates = [
  'opened',
  'evidence',
  'internal-review',
  'closed-benign',
  'shared',
  'nominated',
  'under-assessment',
  'designated',
  'appealed',
  'upheld',
  'revoked',
  'expired',
] as const;
export type CaseState = (typeof caseStates)[number];

export interface CaseTransition {
  from: CaseState;
  to: CaseState;
  /** The action the acting user's role must grant; 'system' transitions are taken by the expiry sweep. */
  action: Action | 'system';
  /** Two different reviewers must have approved this step since the case reached `from`. */
  approvals?: boolean;
  /** The case's accounts are checked against the warning list; a hit blocks the step. */
  warningCheck?: boolean;
  /** A designation carries its expiry date. */
  needsExpiry?: boolean;
  /** An appeal carries the appellant's statement. */
  needsStatement?: boolean;
  /** What the step means, for `cases show` and the report. */
  meaning: string;
}

export const caseTransitions: readonly CaseTransition[] = [
  { from: 'opened', to: 'evidence', action: 'work-case', meaning: 'start gathering evidence' },
  { from: 'opened', to: 'closed-benign', action: 'review-case', meaning: 'close: not adversarial' },
  {
    from: 'evidence',
    to: 'internal-review',
    action: 'work-case',
    meaning: 'send the evidence for a two-person review',
  },
  {
    from: 'evidence',
    to: 'closed-benign',
    action: 'review-case',
    meaning: 'close: not adversarial',
  },
  {
    from: 'internal-review',
    to: 'evidence',
    action: 'review-case',
    meaning: 'send back for more evidence',
  },
  {
    from: 'internal-review',
    to: 'closed-benign',
    action: 'review-case',
    meaning: 'close: not adversarial',
  },
  {
    from: 'internal-review',
    to: 'shared',
    action: 'talk-to-hub',
    approvals: true,
    meaning: 'share with partners (after two reviewers approve)',
  },
  {
    from: 'shared',
    to: 'nominated',
    action: 'talk-to-hub',
    approvals: true,
    warningCheck: true,
    meaning:
      'nominate to the government hub (after two reviewers approve and the warning-list check)',
  },
  { from: 'shared', to: 'closed-benign', action: 'review-case', meaning: 'close: not adversarial' },
  {
    from: 'nominated',
    to: 'under-assessment',
    action: 'talk-to-hub',
    meaning: 'the hub has taken the nomination up',
  },
  {
    from: 'nominated',
    to: 'closed-benign',
    action: 'talk-to-hub',
    meaning: 'the hub declined the nomination',
  },
  {
    from: 'under-assessment',
    to: 'designated',
    action: 'talk-to-hub',
    needsExpiry: true,
    meaning: 'the hub designated the actor (until an expiry date)',
  },
  {
    from: 'under-assessment',
    to: 'closed-benign',
    action: 'talk-to-hub',
    meaning: 'the hub found no grounds',
  },
  {
    from: 'designated',
    to: 'appealed',
    action: 'work-case',
    needsStatement: true,
    meaning: "record an appeal with the appellant's statement",
  },
  { from: 'designated', to: 'revoked', action: 'review-case', meaning: 'revoke the designation' },
  { from: 'designated', to: 'expired', action: 'system', meaning: 'the designation lapsed' },
  {
    from: 'appealed',
    to: 'upheld',
    action: 'review-case',
    meaning: 'decide the appeal: the designation stands',
  },
  {
    from: 'appealed',
    to: 'revoked',
    action: 'review-case',
    meaning: 'decide the appeal: the designation is revoked',
  },
  { from: 'upheld', to: 'revoked', action: 'review-case', meaning: 'revoke the designation' },
  { from: 'upheld', to: 'expired', action: 'system', meaning: 'the designation lapsed' },
];

export function isCaseState(value: string): value is CaseState {
  return (caseStates as readonly string[]).includes(value);
}

export function transitionBetween(from: string, to: string): CaseTransition | undefined {
  return caseTransitions.find((step) => step.from === from && step.to === to);
}

/** The steps a case may take next from `state`, the system's own left out. */
export function nextSteps(state: string): CaseTransition[] {
  return caseTransitions.filter((step) => step.from === state && step.action !== 'system');
}

/** States in which a designation is in force (and so can lapse). */
export const designationInForce: readonly CaseState[] = ['designated', 'upheld'];
