// The write-stall deadline after the last write of an answer: the upstream call has ended, but a
// client that does not read still holds its socket and the bytes buffered for it. The sweep in
// upstream-client.ts covers a stream while it runs; this covers what is left after `end()`.
import type { ServerResponse } from 'node:http';

/**
 * Gives the client `stallMs` to take what is still buffered for it, else closes the socket. Only
 * an answer the client has not taken at once arms a (socket) timer; keep-alive replaces it after.
 */
export function closeIfNotTakenWithin(response: ServerResponse, stallMs: number): void {
  // a timeout with no listener on the request, response or server destroys the socket (node:http)
  if (response.writableLength > 0) response.socket?.setTimeout(stallMs);
}
