// Public face of gateway/: the OpenAI- and Anthropic-compatible gateway, its keys and config.
export { withoutCredentials } from '../core/index.js';
export { startGateway, type GatewayOptions, type RunningGateway } from './server.js';
export {
  AdminTokens,
  adminScopes,
  parseAdminScopes,
  type AdminScope,
  type AdminIdentity,
  type CreatedAdminToken,
} from './admin-tokens.js';
export { describeShutdown, type ShutdownReport } from './gateway-shutdown.js';
export type { RecorderHealth } from './interaction-recorder.js';
export { ApiKeys, type CreatedKey } from './api-keys.js';
export { loadKeyHashSecret } from './key-hash-secret.js';
export {
  parseGatewayConfig,
  readGatewayConfig,
  type GatewayConfig,
  type UpstreamConfig,
  type WatermarkConfig,
  type GatewayScheme,
} from './gateway-config.js';
export { configSummary, startupText, type StartupSummary } from './startup-summary.js';
export { ApiError, errorBody } from './api-error.js';
export {
  observeOnly,
  type Admission,
  type Enforcement,
  type AdmissionAction,
  type StreamRewriter,
} from './enforcement.js';
export { LadderEnforcement, type LiveView } from './ladder-enforcement.js';
export type { TracerWatermarks, WatermarkPlan } from './tracer-watermark.js';
/** The tracer watermarks' module, loaded on demand: it brings the schemes and the tokenizer. */
export const loadTracerWatermarks = () => import('./tracer-watermark.js');
export { SseParser, type ServerSentEvent } from './sse-parser.js';
export type { GatewayMetrics } from './gateway-metrics.js';
export { LiveDetection, type DetectorHealth, type LiveDetectionOptions } from './live-detection.js';
export { GatewayHealth, type HealthReport } from './health.js';
export { installProcessFaultPolicy, UnhandledErrors } from './process-faults.js';
export { mountDashboard } from './dashboard.js';
