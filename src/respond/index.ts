// Public face of respond/: the response ladder (policy config, decisions), throttle buckets and
// their port, degrade transforms, refusals, and the decision log port.
export { actions, isEnforcement, severityOf, type Action, type RuleVerdict } from './actions.js';
export {
  parsePolicyConfig,
  policyConfigSchema,
  defaultPolicy,
  type PolicyConfig,
  type PolicyConfigInput,
  type LadderRule,
  type BucketRate,
} from './policy-config.js';
export { decide, type AccountState, type CampaignState, type Decision } from './ladder.js';
export { cohortOf } from './cohort.js';
export { accountStatesFromReport, unflaggedAccount } from './account-state.js';
export {
  type CounterStore,
  type BucketRequest,
  type TakeResult,
  type CountersHealth,
} from './counter-store.js';
export {
  countersConfigSchema,
  memoryCounters,
  openCounters,
  type Counters,
  type CountersConfig,
  type CountersLog,
} from './counters-config.js';
export {
  MemoryCounterStore,
  throttleRequest,
  retryAfterSeconds,
  rateOfKey,
  type ThrottleResult,
} from './token-bucket.js';
export { degradeRequest, type DegradeSettings } from './degrade-request.js';
export {
  stripReasoningFromResponse,
  removeThinkingBlocks,
  OpenAIChatStreamScrubber,
  AnthropicStreamScrubber,
} from './degrade-response.js';
export { ThinkingFilter, stripThinking } from './thinking-filter.js';
export { decoyCatalogue, pickDecoys, type DecoyTool } from './decoy-tools.js';
export { refusalFor, type Refusal } from './refusal.js';
export {
  toDecisionRecord,
  MemoryDecisionSink,
  type DecisionRecord,
  type DecisionSink,
} from './decision-log.js';
