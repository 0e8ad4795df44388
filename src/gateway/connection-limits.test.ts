// The per-address connection cap: connections past it are closed at once; one that closes makes
// room for the next.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { capConnectionsPerAddress } from './connection-limits.js';

const open = (port: number) =>
  new Promise<Socket>((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.on('error', () => undefined);
  });
const closedWithin = (socket: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (socket.destroyed) resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });

test('a third connection from one address is closed when the cap is 2; a freed slot is reused', async () => {
  const server = createServer((_request, response) => response.end('ok'));
  capConnectionsPerAddress(server, 2);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const first = await open(port);
    const second = await open(port);
    const third = await open(port);
    assert.equal(await closedWithin(third, 2_000), true, 'past the cap');
    assert.equal(await closedWithin(second, 200), false, 'within the cap');
    first.destroy();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const fourth = await open(port);
    assert.equal(await closedWithin(fourth, 300), false, 'the freed slot is taken');
    second.destroy();
    fourth.destroy();
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});
