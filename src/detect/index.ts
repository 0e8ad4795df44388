// Public face of detect/: the streaming pipeline, findings, and the report builder.
export { buildReport, type AnalysedInput } from './build-report.js';
export { DetectionPipeline, type ObservedTraffic, type PipelineBounds } from './pipeline.js';
export {
  buildFindings,
  linksPerMember,
  type CampaignLinks,
  type Findings,
  type MemberLink,
} from './findings.js';
export { type CampaignTraits, type SharedKey } from './campaign-traits.js';
export { BenchmarkIndex, type BenchmarkMatch } from './benchmarks/benchmark-index.js';
export { unknownAccount, type AccountFacts } from './account-facts.js';
export { thresholds, riskOf } from './thresholds.js';
export { DetectionThread } from './detection-thread.js';
export { requestSignals, type RequestSignals } from './signals/request-signals.js';
export { liveAssessment } from './live-assessment.js';
export type {
  DetectorStatus,
  LiveAccountState,
  LiveAssessment,
  LiveCampaignState,
  LiveReply,
  LiveRequest,
} from './live-protocol.js';
export {
  partnerWeights,
  type PartnerIndicator,
  type PartnerIndicatorSet,
  type PartnerMatch,
} from './partner-indicators.js';
