import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

// A process that starts a worker thread (as the gateway's store does) and then allocates, keeping a
// share of what it allocates alive for a while, like a server under load. Prints the largest new
// space it saw, in bytes.
const program = (capped: boolean) => `
import { getHeapSpaceStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { capYoungGeneration } from ${JSON.stringify(new URL('./young-generation.js', import.meta.url).href)};
${capped ? 'capYoungGeneration(8, 20);' : ''}
await new Promise((resolve) => new Worker('0', { eval: true }).on('exit', resolve));
const newSpace = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size;
const kept = [];
let largest = newSpace();
const end = Date.now() + 1500;
while (Date.now() < end) {
  for (let index = 0; index < 100000; index += 1) {
    const item = { index, text: 'request ' + index };
    if (index % 8 === 0) {
      kept.push(item);
      if (kept.length > 150000) kept.length = 0;
    }
  }
  largest = Math.max(largest, newSpace());
  await new Promise((resolve) => setImmediate(resolve));
}
process.stdout.write(String(largest));
`;

const largestNewSpace = (capped: boolean) => Number(execFileSync(process.execPath, ['--input-type=module', '-e', program(capped)], { encoding: 'utf8' }));

test('a capped process keeps its young generation at the cap under load, worker threads included; an uncapped one grows past it', () => {
  const megabyte = 2 ** 20;
  const uncapped = largestNewSpace(false);
  const capped = largestNewSpace(true);
  assert.ok(uncapped > 8 * megabyte, `without the cap V8 grows the new space past 8 MB under this load (saw ${uncapped / megabyte} MB); otherwise this test shows nothing`);
  assert.ok(capped <= 8 * megabyte, `with an 8 MB cap the new space reached ${capped / megabyte} MB`);
});
