// The shared engines for tests of the scale-out adapters: the machine's Redis (127.0.0.1:6379, or
// DISTILLGUARD_TEST_REDIS_URL) and NATS JetStream (127.0.0.1:4222, or DISTILLGUARD_TEST_NATS_URL),
// and private servers started from Debian's binaries for the tests
// that stop and restart one. Without the engine a test skips and says how to start it; under CI
// (CI set) it fails instead, since `.ci/run` starts every engine that has stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, Socket } from 'node:net';
import type { TestContext } from 'node:test';
import { Redis } from 'ioredis';
import {
  testNatsUrlVariable,
  testPostgresUrlVariable,
  testRedisUrlVariable,
} from '../core/index.js';

export const testRedisUrl = process.env[testRedisUrlVariable] ?? 'redis://127.0.0.1:6379';
export const testNatsUrl = process.env[testNatsUrlVariable] ?? 'nats://127.0.0.1:4222';
export const testPostgresUrl =
  process.env[testPostgresUrlVariable] ?? 'postgres://postgres@127.0.0.1:5432/test';
export const startPostgresCommand =
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start';
export const startNatsCommand = 'nats-server -a 127.0.0.1 -p 4222 -js (Debian package nats-server)';
const redisServer = '/usr/bin/redis-server';

const defaultPorts: Record<string, number> = {
  'redis:': 6379,
  'rediss:': 6379,
  'nats:': 4222,
  'postgres:': 5432,
  'postgresql:': 5432,
};

/** Whether something accepts TCP connections at the URL's host and port (the scheme's default port when none). */
export function reachable(url: string, timeoutMs = 1_000): Promise<boolean> {
  const parsed = new URL(url);
  const { hostname } = parsed;
  const port = parsed.port || String(defaultPorts[parsed.protocol] ?? 0);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => done(true));
  });
}

/**
 * Skips the test (or fails it under CI) when the engine does not answer; true when it does.
 * @example if (!(await engineOrSkip(t, testRedisUrl, 'Redis', startRedisCommand))) return;
 */
export async function engineOrSkip(
  context: TestContext,
  url: string,
  name: string,
  startCommand: string,
): Promise<boolean> {
  if (await reachable(url)) return true;
  const message = `${name} does not answer at ${url}; start it with: ${startCommand}`;
  if (process.env.CI) throw new Error(message);
  context.skip(message);
  return false;
}

export const startRedisCommand =
  'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no';

/** A port nothing listens on now (the OS's pick, closed again). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** A Redis of the test's own, so that stopping it disturbs nobody else. */
export interface PrivateRedis {
  url: string;
  /** Kills the server (SIGKILL by default) and waits for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (empty: it keeps nothing on disk). */
  start(): Promise<void>;
}

export const privateRedisAvailable = () => existsSync(redisServer);

/** A server process on a fixed port that can be killed and started again. */
function restartable(
  binary: string,
  args: string[],
  url: string,
): Pick<PrivateRedis, 'start' | 'stop'> {
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn(binary, args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await reachable(url, 200))) {
      if (Date.now() > deadline) throw new Error(`${binary} did not listen at ${url}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const stop = async (signal: NodeJS.Signals = 'SIGKILL') => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill(signal);
    await exited;
  };
  return { start, stop };
}

/** Starts redis-server on a free port, keeping nothing on disk. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const server = restartable(
    redisServer,
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    url,
  );
  await server.start();
  return { url, ...server };
}

const natsServer = '/usr/sbin/nats-server';
export const privateNatsAvailable = () => existsSync(natsServer);

/** A NATS with JetStream of the test's own; its streams survive a kill (file storage in a temporary folder). */
export interface PrivateNats extends PrivateRedis {
  /** Stops the server and removes its storage. */
  remove(): Promise<void>;
}

/** Starts nats-server -js on a free port, storing streams in a temporary folder. */
export async function startPrivateNats(): Promise<PrivateNats> {
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const storage = mkdtempSync(join(tmpdir(), 'dg-nats-'));
  const server = restartable(
    natsServer,
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storage],
    url,
  );
  await server.start();
  return {
    url,
    ...server,
    async remove() {
      await server.stop();
      rmSync(storage, { recursive: true, force: true });
    },
  };
}

/** Deletes every key under `prefix` in the Redis at `url` (what a test wrote). */
export async function dropRedisKeys(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  const keys = await client.keys(`${prefix}*`);
  if (keys.length > 0) await client.del(...keys);
  await client.quit();
}
