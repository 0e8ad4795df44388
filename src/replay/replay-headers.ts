// The headers that let a gateway started with --accept-replay-time log a replayed request as the
// original: its time, id and client network, and the client's own User-Agent.
import { replayHeaderNames, type Interaction } from '../core/index.js';

/** Replay headers for `record`; fields the record lacks are left out rather than invented. */
export function replayHeaders(record: Interaction): Record<string, string> {
  const headers: Record<string, string> = {
    [replayHeaderNames.time]: record.ts,
    [replayHeaderNames.id]: record.id,
  };
  const client = record.client;
  if (client?.ip) headers[replayHeaderNames.ip] = client.ip;
  if (client?.asn !== undefined) headers[replayHeaderNames.asn] = String(client.asn);
  if (client?.country) headers[replayHeaderNames.country] = client.country;
  if (client?.user_agent) headers['user-agent'] = client.user_agent;
  return headers;
}
