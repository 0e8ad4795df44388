// The response ladder's configuration: one zod schema, defaults that work out of the box, and a
// parser that fails fast naming the field and what to do. docs/respond.md describes the format.
import { z } from 'zod';
import { parseConfig } from '../core/index.js';
import { actions, isEnforcement, ruleVerdicts } from './actions.js';

const probability = z.number().min(0).max(1);

const ruleSchema = z
  .strictObject({
    /** Named in every decision's reason and in the decision log. */
    name: z.string().min(1),
    action: z.enum(actions),
    /** The account's own verdict must be this. */
    account_verdict: z.enum(ruleVerdicts).optional(),
    /** The account must belong to a campaign with this verdict (the campaign is acted on as a whole). */
    campaign_verdict: z.enum(ruleVerdicts).optional(),
    min_account_risk: probability.default(0),
    min_campaign_risk: probability.default(0),
    /** Smallest campaign (number of accounts) the rule applies to; needs campaign_verdict. */
    min_campaign_accounts: z.number().int().min(0).default(0),
  })
  .superRefine((rule, context) => {
    if (rule.account_verdict === undefined && rule.campaign_verdict === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['account_verdict'],
        message: `rule '${rule.name}' names no verdict: set account_verdict or campaign_verdict ('extraction' or 'review')`,
      });
    }
    if (
      isEnforcement(rule.action) &&
      rule.account_verdict !== 'extraction' &&
      rule.campaign_verdict !== 'extraction'
    ) {
      context.addIssue({
        code: 'custom',
        path: ['action'],
        message: `rule '${rule.name}' enforces '${rule.action}' without an extraction verdict; review verdicts never trigger enforcement: use 'observe' or 'tracer', or set account_verdict or campaign_verdict to 'extraction'`,
      });
    }
    if (
      rule.campaign_verdict === undefined &&
      (rule.min_campaign_risk > 0 || rule.min_campaign_accounts > 0)
    ) {
      context.addIssue({
        code: 'custom',
        path: ['campaign_verdict'],
        message: `rule '${rule.name}' sets a campaign minimum without campaign_verdict: add campaign_verdict or remove the minimum`,
      });
    }
  });

export type LadderRule = z.output<typeof ruleSchema>;

const rateSchema = z.strictObject({
  requests_per_minute: z.number().positive(),
  burst: z.number().int().min(1),
});
export type BucketRate = z.output<typeof rateSchema>;

/**
 * The default ladder, most severe first (the most severe matching rule wins, so order is for the
 * reader). Risks are logistic of the log-odds: extraction starts at 0.73 (log-odds 1).
 *
 *   block-campaign    extraction campaign, campaign risk >= 0.99, >= 5 accounts  -> block
 *   block-account     extraction account, risk >= 0.99                           -> block
 *   degrade-campaign  extraction campaign, campaign risk >= 0.9                  -> degrade
 *   degrade-account   extraction account, risk >= 0.95                           -> degrade
 *   verify-account    extraction account, risk >= 0.88                           -> verify
 *   throttle-campaign extraction campaign, any risk                              -> throttle
 *   throttle-account  extraction account, any risk                              -> throttle
 *   tracer-campaign   review campaign                                            -> tracer
 *   tracer-review     review account                                             -> tracer
 *   (nothing matches, benchmark, or no verdict)                                  -> observe
 */
export const defaultRules: LadderRule[] = [
  {
    name: 'block-campaign',
    action: 'block',
    campaign_verdict: 'extraction',
    min_account_risk: 0,
    min_campaign_risk: 0.99,
    min_campaign_accounts: 5,
  },
  {
    name: 'block-account',
    action: 'block',
    account_verdict: 'extraction',
    min_account_risk: 0.99,
    min_campaign_risk: 0,
    min_campaign_accounts: 0,
  },
  {
    name: 'degrade-campaign',
    action: 'degrade',
    campaign_verdict: 'extraction',
    min_account_risk: 0,
    min_campaign_risk: 0.9,
    min_campaign_accounts: 0,
  },
  {
    name: 'degrade-account',
    action: 'degrade',
    account_verdict: 'extraction',
    min_account_risk: 0.95,
    min_campaign_risk: 0,
    min_campaign_accounts: 0,
  },
  {
    name: 'verify-account',
    action: 'verify',
    account_verdict: 'extraction',
    min_account_risk: 0.88,
    min_campaign_risk: 0,
    min_campaign_accounts: 0,
  },
  {
    name: 'throttle-campaign',
    action: 'throttle',
    campaign_verdict: 'extraction',
    min_account_risk: 0,
    min_campaign_risk: 0,
    min_campaign_accounts: 0,
  },
  {
    name: 'throttle-account',
    action: 'throttle',
    account_verdict: 'extraction',
    min_account_risk: 0,
    min_campaign_risk: 0,
    min_campaign_accounts: 0,
  },
  {
    name: 'tracer-campaign',
    action: 'tracer',
    campaign_verdict: 'review',
    min_account_risk: 0,
    min_campaign_risk: 0,
    min_campaign_accounts: 0,
  },
  {
    name: 'tracer-review',
    action: 'tracer',
    account_verdict: 'review',
    min_account_risk: 0,
    min_campaign_risk: 0,
    min_campaign_accounts: 0,
  },
];

export const policyConfigSchema = z.strictObject({
  rules: z.array(ruleSchema).default(() => defaultRules.map((rule) => ({ ...rule }))),
  throttle: z
    .strictObject({
      account: rateSchema.default({ requests_per_minute: 20, burst: 10 }),
      campaign: rateSchema.default({ requests_per_minute: 60, burst: 30 }),
    })
    .prefault({}),
  degrade: z
    .strictObject({
      /** Cap on max_tokens / max_completion_tokens / max_output_tokens. */
      max_tokens: z.number().int().min(1).default(1024),
      /** Remove reasoning parameters from requests and reasoning content from responses. */
      strip_reasoning: z.boolean().default(true),
      /** Remove logprobs / top_logprobs from requests (soft labels are what a student learns most from). */
      strip_logprobs: z.boolean().default(true),
      /** Add plausible but useless tools to requests that already declare tools. */
      decoy_tools: z.boolean().default(false),
    })
    .prefault({}),
  tracer: z
    .strictObject({
      /** Number of watermark cohorts; each campaign (or lone account) is served under one. */
      cohorts: z.number().int().min(1).max(65_536).default(16),
      /** Also carry the cohort on throttle, verify and degrade decisions, so what is still served stays traceable. */
      with_enforcement: z.boolean().default(true),
    })
    .prefault({}),
  messages: z
    .strictObject({
      verify: z
        .string()
        .min(1)
        .default(
          'Additional verification is required for this account before it can continue. Complete identity or organisation verification in your account settings, then retry the request.',
        ),
      block: z
        .string()
        .min(1)
        .default(
          'This account is blocked for automated extraction of model outputs, which the usage policy forbids. Contact support to appeal.',
        ),
      throttle: z
        .string()
        .min(1)
        .default(
          'Rate limit exceeded for this account. Retry after the number of seconds in the Retry-After header.',
        ),
    })
    .prefault({}),
  /** How long a decision may be cached by the gateway or a sidecar client. */
  ttl_s: z.number().int().min(1).default(300),
});

export type PolicyConfig = z.output<typeof policyConfigSchema>;
/** The JSON a user writes: every field optional. */
export type PolicyConfigInput = z.input<typeof policyConfigSchema>;

/**
 * Validates a ladder config (parsed JSON) and fills in defaults. `parsePolicyConfig({})` is the
 * default ladder.
 * @throws DistillGuardError('usage') naming each field that does not fit (an unknown one with the
 *   nearest known name) and what to do.
 * @example parsePolicyConfig({ throttle: { account: { requests_per_minute: 10, burst: 5 } } })
 */
export function parsePolicyConfig(json: unknown): PolicyConfig {
  return parseConfig(policyConfigSchema, json, 'response policy', 'docs/respond.md');
}

/** The default ladder, ready to use. */
export const defaultPolicy: PolicyConfig = parsePolicyConfig({});
