// `distillguard serve` as started by a user, its priorities read from Linux /proc: the store's
// write thread at nice 10 under SCHED_IDLE, the live detector process (every thread) at nice 19
// under SCHED_IDLE, the request thread untouched. Needs Linux with util-linux chrt: it runs in
// `npm run test:runtime`, not `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath } from '../test-support/paths.js';

const chrtInstalled =
  process.platform === 'linux' &&
  spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0;

/** Fields of a /proc stat line after the command name (which may hold spaces). */
const statFields = (path: string) => {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};

/** Policy (0 normal, 5 idle) and nice value of every thread of `pid`. */
const threadsOf = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).map((thread) => {
    const fields = statFields(`/proc/${pid}/task/${thread}/stat`);
    return { thread: Number(thread), policy: Number(fields[38]), nice: Number(fields[16]) };
  });

const childrenOf = (pid: number) =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((child) => {
      try {
        return Number(statFields(`/proc/${child}/stat`)[1]) === pid;
      } catch {
        return false;
      }
    });

const until = async (check: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
};

test(
  'serve runs its write thread at nice 10 and its live detector at nice 19, both under SCHED_IDLE, and its request thread at the normal policy',
  { skip: !chrtInstalled && 'needs Linux with util-linux chrt', timeout: 60_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'distillguard-serve-runtime-'));
    const server = spawn(
      process.execPath,
      [
        cliPath,
        'serve',
        '--port',
        '0',
        '--upstream',
        'http://127.0.0.1:9/v1',
        '--db',
        join(folder, 'gateway.db'),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let output = '';
      server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString();
          if (/gateway listening on/.test(output)) resolve();
        });
        server.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
      });
      const pid = server.pid as number;
      const idleThreads = () => threadsOf(pid).filter((thread) => thread.policy === 5);
      // the write thread's policy is set without blocking the request thread: within 10 s
      await until(() => idleThreads().length > 0, 10_000);
      assert.deepEqual(
        idleThreads().map(({ policy, nice }) => ({ policy, nice })),
        [{ policy: 5, nice: 10 }],
        "one thread, the store's write thread, idle at nice 10",
      );
      const ours = threadsOf(process.pid).find((thread) => thread.thread === process.pid);
      assert.deepEqual(
        threadsOf(pid).find((thread) => thread.thread === pid),
        { thread: pid, policy: ours?.policy, nice: ours?.nice },
        'the request thread keeps what it was started with',
      );
      await until(() => childrenOf(pid).length > 0, 10_000);
      const detector = childrenOf(pid)[0];
      assert.ok(detector, 'the live detector runs as a child process');
      await until(() => threadsOf(detector).every((thread) => thread.policy === 5), 10_000);
      const detectorThreads = threadsOf(detector);
      assert.deepEqual(
        detectorThreads.map(({ policy, nice }) => ({ policy, nice })),
        detectorThreads.map(() => ({ policy: 5, nice: 19 })),
        'every detector thread idle at nice 19',
      );
    } finally {
      const stopped = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await stopped;
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
