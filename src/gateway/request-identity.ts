// Who a model request is, beyond its account: the exchange's id, when it was received and the
// client it came from; with --accept-replay-time, the replay headers stand in for all three.
import { randomUUID } from 'node:crypto';
import { parseTimestamp, replayHeaderNames, type InteractionClient } from '../core/index.js';
import type { ModelRequest } from './proxy-context.js';

/** The exchange's id: the replayed one (replay only), else random (122 bits, from node's cached pool), so an id says nothing about the gateway's request rate. */
export function exchangeIdOf(request: ModelRequest, replay: boolean): string {
  const replayId = replay ? request.headers[replayHeaderNames.id] : undefined;
  return typeof replayId === 'string' && replayId ? replayId : randomUUID();
}

/** When the exchange was received (ms): the replayed time (replay only, when valid), else now. */
export function receivedAtOf(request: ModelRequest, replay: boolean): number {
  return (replay ? replayTime(request) : null) ?? Date.now();
}

function replayTime(request: ModelRequest): number | null {
  const value = request.headers[replayHeaderNames.time];
  if (typeof value !== 'string') return null;
  const parsed = parseTimestamp(value);
  return Number.isFinite(parsed) ? parsed : null;
}

/** Where the exchange came from: the socket, or (replay only) the simulated client. */
export function clientOf(request: ModelRequest, replay: boolean): InteractionClient {
  const client: InteractionClient = { ip: request.ip };
  const userAgent = request.headers['user-agent'];
  if (typeof userAgent === 'string') client.user_agent = userAgent.slice(0, 1000);
  if (replay) {
    const ip = request.headers[replayHeaderNames.ip];
    const asn = Number(request.headers[replayHeaderNames.asn]);
    const country = request.headers[replayHeaderNames.country];
    if (typeof ip === 'string' && ip) client.ip = ip;
    if (Number.isInteger(asn) && asn >= 0) client.asn = asn;
    if (typeof country === 'string' && /^[A-Z]{2}$/.test(country)) client.country = country;
  }
  return client;
}
