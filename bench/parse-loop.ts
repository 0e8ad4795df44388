// The floor for ingest benchmarks: the plainest streaming JSON Lines loop (read, split, JSON.parse).
import { createReadStream } from 'node:fs';

const path = process.argv[2];
if (!path) throw new Error('usage: node dist/bench/parse-loop.js FILE');
let carry = '';
let records = 0;
for await (const chunk of createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const lines = (carry + (chunk as string)).split('\n');
  carry = lines.pop() ?? '';
  for (const line of lines) {
    if (line) {
      JSON.parse(line);
      records += 1;
    }
  }
}
if (carry) {
  JSON.parse(carry);
  records += 1;
}
process.stdout.write(`${records}\n`);
