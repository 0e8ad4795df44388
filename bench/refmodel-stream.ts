// Streaming from the reference model beside its floor, the same answer whole, in the same run and
// alternating order: time to the first content chunk and to the last, and how long a /health probe
// waits while another client's long answer streams (beside the same probe on an idle server).
// Usage: npm run build && npm run bench:refmodel-stream -- [--rounds 5] [--tokens 512]
//        [--server-command 'node /other/build/dist/src/cli/main.js refmodel serve'] to measure another build
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, pinSelf, startServerProcess } from './server-process.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    tokens: { type: 'string', default: '512' },
    'server-command': { type: 'string' },
  },
});
const rounds = Number(values.rounds);
const tokens = Number(values.tokens);
const root = fileURLToPath(new URL('../..', import.meta.url));
const serverCommand = values['server-command']
  ? values['server-command'].split(/\s+/).filter(Boolean)
  : [process.execPath, join(root, 'dist/src/cli/main.js'), 'refmodel', 'serve'];

// the server gets one core, this client the rest
const coreCount = cpus().length;
const serverCores = coreCount > 1 ? '0' : undefined;
if (coreCount > 1) pinSelf(`1-${coreCount - 1}`);
const port = await freePort();
const server = await startServerProcess(
  'reference model',
  [...serverCommand, '--port', String(port)],
  port,
  { cores: serverCores },
);

const messages = [
  { role: 'user', content: 'Write a long story about a river and the town beside it.' },
];
/** Bans end-of-text, so every answer is exactly `max_tokens` long. */
const endless = { '100257': -100 };
const milliseconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))];
const median = (values: number[]) => quantile(values, 0.5);

async function whole(seed: number): Promise<number> {
  const start = process.hrtime.bigint();
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'm', messages, max_tokens: tokens, logit_bias: endless, seed }),
  });
  await response.json();
  return milliseconds(start);
}

/** Reads the stream to its end; times the first chunk with content in it and the end. */
async function streamed(
  seed: number,
  maxTokens = tokens,
): Promise<{ firstContent: number; end: number }> {
  const start = process.hrtime.bigint();
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'm',
      messages,
      max_tokens: maxTokens,
      logit_bias: endless,
      seed,
      stream: true,
    }),
  });
  const decoder = new TextDecoder();
  let firstContent = -1;
  let received = '';
  for await (const part of response.body!) {
    if (firstContent < 0) {
      received += decoder.decode(part, { stream: true });
      if (/"delta":\{"content":"[^"]/.test(received)) firstContent = milliseconds(start);
    }
  }
  return { firstContent, end: milliseconds(start) };
}

async function healthProbes(count: number): Promise<number[]> {
  const waits: number[] = [];
  for (let probe = 0; probe < count; probe += 1) {
    const start = process.hrtime.bigint();
    await (await fetch(`${server.url}/health`)).json();
    waits.push(milliseconds(start));
  }
  return waits;
}

try {
  await whole(0);
  await streamed(0);
  const results = {
    whole: [] as number[],
    firstContent: [] as number[],
    streamEnd: [] as number[],
    idleProbe: [] as number[],
    busyProbe: [] as number[],
  };
  for (let round = 0; round < rounds; round += 1) {
    const seed = round + 1;
    const variants = [
      async () => results.whole.push(await whole(seed)),
      async () => {
        const timing = await streamed(seed);
        results.firstContent.push(timing.firstContent);
        results.streamEnd.push(timing.end);
      },
      async () => results.idleProbe.push(...(await healthProbes(10))),
      async () => {
        // a long answer (40 times as long) streams to another client; probes run until it ends
        let done = false;
        const long = streamed(seed, 40 * tokens).finally(() => (done = true));
        await new Promise((resolve) => setTimeout(resolve, 5));
        while (!done) results.busyProbe.push(...(await healthProbes(1)));
        await long;
      },
    ];
    for (const variant of round % 2 === 0 ? variants : [...variants].reverse()) await variant();
  }
  const floor = median(results.whole);
  const show = (label: string, value: number, ratio = true) =>
    console.log(
      `  ${label.padEnd(40)} ${value.toFixed(2).padStart(9)} ms${ratio ? `  (${(value / floor).toFixed(3)}x whole)` : ''}`,
    );
  console.log(`reference model, ${tokens}-token chat answers, ${rounds} rounds, medians`);
  show('whole answer (floor)', floor);
  show('streamed: first content chunk', median(results.firstContent));
  show('streamed: last chunk', median(results.streamEnd));
  show('/health, idle server', median(results.idleProbe), false);
  show(
    `/health while a long answer streams (${results.busyProbe.length})`,
    median(results.busyProbe),
    false,
  );
  show('/health p99 while it streams', quantile(results.busyProbe, 0.99), false);
  show('/health, worst while it streams', Math.max(...results.busyProbe), false);
} finally {
  await server.stop();
}
