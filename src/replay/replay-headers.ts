// The headers that let a gateway started with --accept-replay-time log a replayed request as the
// original: its time, id and client network, and the client's own User-Agent.
import type { Interaction } from '../core/index.js';

/** Replay headers for `record`; fields the record lacks are left out rather than invented. */
export function replayHeaders(record: Interaction): Record<string, string> {
  const headers: Record<string, string> = {
    'x-distillguard-replay-time': record.ts,
    'x-distillguard-replay-id': record.id,
  };
  const client = record.client;
  if (client?.ip) headers['x-distillguard-replay-ip'] = client.ip;
  if (client?.asn !== undefined) headers['x-distillguard-replay-asn'] = String(client.asn);
  if (client?.country) headers['x-distillguard-replay-country'] = client.country;
  if (client?.user_agent) headers['user-agent'] = client.user_agent;
  return headers;
}
