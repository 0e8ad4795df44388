// Needs Linux (and util-linux chrt for SCHED_IDLE): runs in `npm run test:runtime`, not `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { threadPolicies } from './background-priority.js';

const linux = process.platform === 'linux';
const chrtInstalled = linux && spawnSync('chrt', ['--version'], { stdio: 'ignore' }).status === 0;
const moduleUrl = JSON.stringify(new URL('./background-priority.js', import.meta.url).href);

// A child that lowers itself as the live detector does, starts a worker thread afterwards (threads
// started later must inherit the policy), and prints what it got and every thread's policy and nice.
const program = (idle: boolean) => `
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { backgroundProcess, threadPolicies } from ${moduleUrl};
const got = backgroundProcess(19, ${idle});
const worker = new Worker('setTimeout(() => {}, 2000)', { eval: true });
await new Promise((resolve) => worker.once('online', resolve));
const nices = readdirSync('/proc/self/task').map((thread) => {
  const stat = readFileSync('/proc/self/task/' + thread + '/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
});
process.stdout.write(JSON.stringify({ got, policies: threadPolicies(process.pid), nices, threads: nices.length }));
await worker.terminate();
`;

const run = (idle: boolean) =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', program(idle)], {
      encoding: 'utf8',
    }),
  ) as { got: string; policies: number[]; nices: number[]; threads: number };

test(
  'a background process runs every thread, those it starts later included, under SCHED_IDLE',
  { skip: !chrtInstalled && 'needs Linux with util-linux chrt' },
  () => {
    const result = run(true);
    assert.equal(result.got, 'idle');
    assert.ok(result.threads > 2, 'the child should have its helper threads and a worker');
    assert.deepEqual(
      result.policies,
      result.policies.map(() => 5),
      `every thread should be SCHED_IDLE (5): ${result.policies.join(',')}`,
    );
  },
);

test(
  'without the idle policy, every thread of a background process gets the nice value and keeps the normal policy',
  { skip: !linux && 'needs Linux' },
  () => {
    const result = run(false);
    assert.equal(result.got, 'nice');
    assert.deepEqual(
      result.nices,
      result.nices.map(() => 19),
      `every thread should be at nice 19: ${result.nices.join(',')}`,
    );
    assert.deepEqual(
      result.policies,
      result.policies.map(() => 0),
    );
  },
);
