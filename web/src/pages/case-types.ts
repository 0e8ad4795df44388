// The shapes of the case routes' answers (src/gateway/designation-routes.ts).

export interface CaseSummary {
  case_id: string;
  campaign_id: string;
  state: string;
  opened_by: string;
  opened_at: string;
  expires_at: string | null;
}

/** A step the case may take next, with who takes it and what it asks for. */
export interface NextStep {
  to: string;
  meaning: string;
  /** The action the acting role must grant ('work-case', 'review-case', 'talk-to-hub'). */
  action: string;
  /** The roles that take it. */
  roles: string[];
  /** Two different reviewers approve before the step is taken. */
  approvals: boolean;
  /** The reviewers who have approved it since the case last changed. */
  approved_by: string[];
  warning_check: boolean;
  needs_expiry: boolean;
  needs_statement: boolean;
}

export interface CaseEvent {
  /** 'opened', 'transition', 'approval', 'attachment' or 'refused'. */
  kind: string;
  actor: string;
  role: string;
  at: string;
  from: string | null;
  to: string | null;
  reason: string | null;
  log_index: number | null;
}

export interface CaseAttachment {
  kind: string;
  name: string;
  sha256: string;
  bytes: number;
  added_by: string;
  added_at: string;
}

export interface CaseView extends CaseSummary {
  updated_at: string;
  next_steps: NextStep[];
  events: CaseEvent[];
  attachments: CaseAttachment[];
}
