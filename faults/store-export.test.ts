// Export writes valid JSON Lines whatever whitespace a client's body had: a pretty-printed body
// sent through the official OpenAI client, a raw request with CRLF, and a row stored by an older
// gateway with the body's line breaks in it, all come out one line each and analyze rejects none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { validateInteraction } from '../src/core/index.js';
import { toInteractionRow } from '../src/ingest/index.js';
import { SqliteStore } from '../src/store/index.js';
import { chat } from '../src/test-support/interactions.js';
import { startFakeUpstream } from '../src/test-support/fake-openai-upstream.js';
import { temporaryDirectory } from '../src/test-support/paths.js';
import { runCli } from '../src/test-support/run-cli.js';
import { startStoreServe } from './support/store.js';

test(
  'export | analyze: pretty-printed and CRLF bodies, and old rows with line breaks, give 0 rejected',
  { timeout: 120_000 },
  async () => {
    const folder = temporaryDirectory('dg-store-export-');
    const db = join(folder, 'gateway.db');
    const upstream = await startFakeUpstream({ reply: 'An answer.' });
    try {
      const created = await runCli([
        'keys',
        'create',
        '--account',
        'acct-pretty',
        '--db',
        db,
        '--json',
      ]);
      assert.equal(created.code, 0, created.stderr);
      const { secret } = JSON.parse(created.stdout) as { secret: string };
      const serve = await startStoreServe(['--upstream', upstream.url, '--db', db]);
      // the client's own fetch, re-serialising the body it was given with two-space indentation
      const prettyFetch: typeof fetch = (input, init) =>
        fetch(input, {
          ...init,
          body:
            typeof init?.body === 'string'
              ? JSON.stringify(JSON.parse(init.body), null, 2)
              : init?.body,
        });
      const client = new OpenAI({
        apiKey: secret,
        baseURL: `${serve.url}/v1`,
        maxRetries: 0,
        fetch: prettyFetch,
      });
      const answer = await client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'A question\nover two lines.' }],
      });
      assert.equal(answer.choices[0].message.content, 'An answer.');
      const raw = await fetch(`${serve.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
        body: '{\r\n\t"model": "m",\r\n\t"messages": [ { "role": "user", "content": "crlf" } ]\r\n}\r\n',
      });
      assert.equal(raw.status, 200);
      assert.equal(await serve.stop('SIGTERM'), 0, serve.output());

      // a row as an older gateway stored it: the client's bytes spliced in, line breaks and all
      const store = SqliteStore.open(db);
      const old = chat({
        account: 'acct-old',
        ts: Date.UTC(2026, 1, 2),
        text: 'stored before the fix',
      });
      const importId = await store.beginImport('interactions', {
        kind: 'gateway',
        path: null,
        size: null,
        modifiedMs: null,
      });
      await store.writeInteractions(importId, [
        toInteractionRow(old, 1, 0, 0, JSON.stringify(old, null, 2)),
      ]);
      await store.close();

      const out = join(folder, 'exchanges.jsonl');
      const exported = await runCli(['export', '--db', db, '--out', out]);
      assert.equal(exported.code, 0, exported.stderr);
      const lines = readFileSync(out, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0);
      assert.equal(lines.length, 3, 'three exchanges, one line each');
      const validate = validateInteraction();
      for (const line of lines)
        assert.ok(validate(JSON.parse(line)), JSON.stringify(validate.problem()));
      const records = lines.map(
        (line) => JSON.parse(line) as { request: { messages: { content: string }[] } },
      );
      assert.equal(
        records[0].request.messages[0].content,
        'A question\nover two lines.',
        'the text inside the body is unchanged',
      );

      const analyzed = await runCli([
        'analyze',
        '--interactions',
        out,
        '--db',
        join(folder, 'analysis.db'),
        '--out',
        join(folder, 'report.json'),
      ]);
      assert.equal(analyzed.code, 0, analyzed.stderr);
      assert.match(analyzed.stdout, /rejected 0 lines/);
      const report = JSON.parse(readFileSync(join(folder, 'report.json'), 'utf8')) as {
        input: { interactions: number; rejected: number };
      };
      assert.equal(report.input.rejected, 0);
      assert.equal(report.input.interactions, 3);
    } finally {
      await upstream.close();
    }
  },
);
