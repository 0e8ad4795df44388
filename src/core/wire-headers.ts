// Every HTTP header DistillGuard itself reads or writes on the wire, named once. The gateway, the
// reference model server, replay and the tests import these; nothing spells a header inline.

/** Set on every proxied answer: the gateway's own time on the request, in ms. */
export const overheadHeader = 'x-distillguard-overhead-ms';
/** Set on every proxied answer: the id of the exchange as recorded. */
export const requestIdHeader = 'x-distillguard-request-id';
/** Sent upstream to the reference model: the tracer cohort whose watermark key serves this answer. */
export const tracerCohortHeader = 'x-distillguard-tracer-cohort';
/** Sent by the trusted front proxy with `--trust-account-header`: the shared secret that proves it set the account. */
export const proxySecretHeader = 'x-distillguard-proxy-secret';

/** Read by a gateway started with `--accept-replay-time`: a replayed request logged as the original. */
export const replayHeaderNames = {
  time: 'x-distillguard-replay-time',
  id: 'x-distillguard-replay-id',
  ip: 'x-distillguard-replay-ip',
  asn: 'x-distillguard-replay-asn',
  country: 'x-distillguard-replay-country',
} as const;
