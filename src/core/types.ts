// TypeScript shapes of the four shared contracts (contracts/*.schema.json). The schema files are
// the source of truth; contracts.ts validates against them and contracts.test.ts keeps both aligned.

export type ApiSurface =
  'openai.chat' | 'openai.completions' | 'openai.responses' | 'anthropic.messages';

export const verificationPaths = [
  'none',
  'email',
  'phone',
  'card',
  'government_id',
  'organization',
  'education',
  'research',
  'startup',
] as const;
export type VerificationPath = (typeof verificationPaths)[number];

export interface InteractionClient {
  ip?: string;
  user_agent?: string;
  asn?: number;
  country?: string;
  tls_fingerprint?: string;
}

export interface InteractionResponse {
  status?: number;
  text?: string;
  reasoning?: string;
  tool_calls?: Record<string, unknown>[];
  finish_reason?: string;
  usage?: { input_tokens?: number; output_tokens?: number };
  latency_ms?: number;
  /** Characters of text, reasoning and tool-call arguments served but not recorded (the gateway's cap; an added field the contract allows). */
  dropped_chars?: number;
}

/** One API exchange (interaction.schema.json). */
export interface Interaction {
  id: string;
  ts: string;
  account_id: string;
  key_id?: string;
  client?: InteractionClient;
  api: ApiSurface;
  model: string;
  request: Record<string, unknown>;
  response?: InteractionResponse;
}

/** What the provider knows about an account (account.schema.json). */
export interface Account {
  account_id: string;
  created_at?: string;
  verification?: VerificationPath;
  org_id?: string;
  email_domain?: string;
  payment_fingerprint?: string;
  country?: string;
  signup_ip?: string;
}

export type Verdict = 'extraction' | 'review' | 'benchmark';

export interface Reason {
  signal: string;
  detail: string;
  weight?: number;
}

export interface ReportedAccount {
  account_id: string;
  verdict: Verdict;
  risk: number;
  campaign_id?: string | null;
  reasons: Reason[];
}

export interface ReportedCampaign {
  campaign_id: string;
  accounts: string[];
  interactions?: number;
  risk: number;
  first_seen?: string;
  last_seen?: string;
  capabilities?: Record<string, number>;
  reasons: Reason[];
}

/** What `distillguard analyze --out` writes (analysis-report.schema.json). */
export interface AnalysisReport {
  schema: 'distillguard.report/v1';
  generated_at: string;
  input: {
    interactions: number;
    accounts: number;
    rejected?: number;
    from?: string;
    to?: string;
  };
  accounts: ReportedAccount[];
  campaigns: ReportedCampaign[];
}

export type LabelClass = 'benign' | 'benchmark' | 'campaign';

export interface AccountLabel {
  class: LabelClass;
  persona?: string;
  campaign?: string;
}

/** Ground truth of a simulated traffic set (labels.schema.json). */
export interface Labels {
  accounts: Record<string, AccountLabel>;
}
