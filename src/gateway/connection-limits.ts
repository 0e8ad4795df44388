// An optional cap on the connections one client address holds open (`limits.connections_per_ip`):
// past it a new connection is closed as it arrives, as node does past `maxConnections`. Off by
// default: behind a load balancer every client has the balancer's address.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** Closes each new connection from an address that already holds `max` open. */
export function capConnectionsPerAddress(server: Server, max: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
