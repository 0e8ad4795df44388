// `distillguard serve`, `keys` and `export` as a user runs them: a key created from the CLI works
// with the OpenAI client, a revoked one stops working, SIGTERM drains, and export returns every
// exchange in the contract format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { proxySecretHeader, replayHeaderNames, validateInteraction } from '../core/index.js';
import { startFakeUpstream } from '../test-support/fake-openai-upstream.js';
import { cliPath } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

test('serve + keys + export from the command line', { timeout: 120_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-serve-'));
  const upstream = await startFakeUpstream({ reply: 'Served through the CLI.' });
  const db = join(folder, 'gateway.db');
  try {
    const created = await runCli(['keys', 'create', '--account', 'acct-cli', '--db', db, '--json']);
    assert.equal(created.code, 0, created.stderr);
    const key = JSON.parse(created.stdout) as { key_id: string; secret: string };
    const listed = await runCli(['keys', 'list', '--db', db]);
    assert.match(listed.stdout, new RegExp(`${key.key_id}\\tacct-cli\\t.*\\tactive`));
    assert.ok(!listed.stdout.includes(key.secret), 'secrets are never listed');
    assert.ok(
      !readFileSync(db).includes(Buffer.from(key.secret)),
      'the secret is not in the database',
    );

    const server = spawn(
      process.execPath,
      [cliPath, 'serve', '--port', '0', '--upstream', upstream.url, '--db', db],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const found = /gateway listening on (http:\/\/\S+)/.exec(output);
        if (found) resolve(found[1]);
      });
      server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
    });
    const client = new OpenAI({ apiKey: key.secret, baseURL: `${url}/v1`, maxRetries: 0 });
    // replay headers are ignored without --accept-replay-time: any client could forge its history
    const forged = {
      [replayHeaderNames.time]: '2020-01-01T00:00:00.000Z',
      [replayHeaderNames.id]: 'forged-1',
    };
    const completion = await client.chat.completions.create(
      { model: 'm', messages: [{ role: 'user', content: 'Say something.' }] },
      { headers: forged },
    );
    assert.equal(completion.choices[0].message.content, 'Served through the CLI.');

    const revoked = await runCli(['keys', 'revoke', key.key_id, '--db', db]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const unknown = await runCli(['keys', 'revoke', 'key_nope', '--db', db]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no key 'key_nope'/);
    // the gateway caches a key for a few seconds at most
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await assert.rejects(
      client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'again' }],
      }),
      OpenAI.AuthenticationError,
    );

    server.removeAllListeners('exit');
    const stopped = new Promise<number | null>((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    assert.equal(await stopped, 0);
    assert.match(output, /stopped\./);

    const exported = await runCli(['export', '--db', db, '--out', join(folder, 'exchanges.jsonl')]);
    assert.equal(exported.code, 0, exported.stderr);
    const records = readFileSync(join(folder, 'exchanges.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(
      records.length,
      1,
      'the served exchange (the 401 has no account and is not recorded)',
    );
    const validate = validateInteraction();
    assert.ok(validate(records[0]), JSON.stringify(validate.problem()));
    assert.equal((records[0].response as { text: string }).text, 'Served through the CLI.');
    assert.notEqual(records[0].id, 'forged-1');
    assert.ok(
      Math.abs(Date.parse(String(records[0].ts)) - Date.now()) < 120_000,
      `ts ${String(records[0].ts)} is the time it was served`,
    );
  } finally {
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  }
});

/** Starts `distillguard serve` with these arguments; resolves with its URL once it listens. */
async function startServe(args: string[]): Promise<{
  server: ChildProcess;
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
}> {
  const server = spawn(process.execPath, [cliPath, 'serve', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  server.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    server.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const found = /gateway listening on (http:\/\/\S+)/.exec(output);
      if (found) resolve(found[1]);
    });
    server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
  });
  server.removeAllListeners('exit');
  const exited = new Promise<number | null>((resolve) => server.on('exit', resolve));
  return { server, url, output: () => output, stop: () => (server.kill('SIGTERM'), exited) };
}

test(
  'serve --config routes models by glob; --trust-account-header takes the account from the auth layer; --accept-replay-time keeps replayed time and id; accounts import',
  { timeout: 120_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-serve-config-'));
    const upstream = await startFakeUpstream({ reply: 'Routed by the config.' });
    const db = join(folder, 'gateway.db');
    try {
      writeFileSync(
        join(folder, 'accounts.jsonl'),
        `${JSON.stringify({ account_id: 'acct-trusted', created_at: '2026-01-05T00:00:00Z', tier: 'enterprise', org_id: 'org_9' })}\n{"account_id": 7}\n`,
      );
      const imported = await runCli([
        'accounts',
        'import',
        join(folder, 'accounts.jsonl'),
        '--db',
        db,
      ]);
      assert.equal(imported.code, 0, imported.stderr);
      assert.match(imported.stdout, /accounts: 1 stored, 1 lines rejected/);
      assert.match(imported.stderr, /accounts\.jsonl:2: field 'account_id'/);

      writeFileSync(
        join(folder, 'gateway.json'),
        JSON.stringify({ upstreams: [{ name: 'fake', url: upstream.url, models: ['fake-*'] }] }),
      );
      writeFileSync(join(folder, 'proxy-secret'), 'shared-with-the-auth-proxy-0123');
      const serve = await startServe([
        '--config',
        join(folder, 'gateway.json'),
        '--db',
        db,
        '--trust-account-header',
        'x-account',
        '--trust-account-header-secret-file',
        join(folder, 'proxy-secret'),
        '--accept-replay-time',
      ]);
      try {
        const client = new OpenAI({
          apiKey: 'not-checked-in-this-mode',
          baseURL: `${serve.url}/v1`,
          maxRetries: 0,
          defaultHeaders: {
            'x-account': 'acct-trusted',
            [proxySecretHeader]: 'shared-with-the-auth-proxy-0123',
          },
        });
        const replayed = {
          [replayHeaderNames.time]: '2026-03-01T10:00:00.000Z',
          [replayHeaderNames.id]: 'replayed-1',
        };
        const completion = await client.chat.completions.create(
          { model: 'fake-a', messages: [{ role: 'user', content: 'hi' }] },
          { headers: replayed },
        );
        assert.equal(completion.choices[0].message.content, 'Routed by the config.');
        await assert.rejects(
          client.chat.completions.create({
            model: 'other-model',
            messages: [{ role: 'user', content: 'hi' }],
          }),
          (error: unknown) =>
            error instanceof OpenAI.NotFoundError && /other-model/.test(error.message),
        );
        const anonymous = new OpenAI({ apiKey: 'x', baseURL: `${serve.url}/v1`, maxRetries: 0 });
        await assert.rejects(
          anonymous.chat.completions.create({
            model: 'fake-a',
            messages: [{ role: 'user', content: 'hi' }],
          }),
          OpenAI.AuthenticationError,
        );
        assert.match(
          serve.output(),
          /accept-replay-time|replay/i,
          'the start warns about replay time',
        );
      } finally {
        assert.equal(await serve.stop(), 0);
      }
      const exported = await runCli([
        'export',
        '--db',
        db,
        '--out',
        join(folder, 'exchanges.jsonl'),
      ]);
      assert.equal(exported.code, 0, exported.stderr);
      const records = readFileSync(join(folder, 'exchanges.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, any>);
      const served = records.find((record) => record.id === 'replayed-1');
      assert.ok(
        served,
        `the replayed id is kept: ${records.map((record) => record.id).join(', ')}`,
      );
      assert.equal(served.ts, '2026-03-01T10:00:00.000Z');
      assert.equal(served.account_id, 'acct-trusted');
      assert.equal(
        records.find((record) => record.request.model === 'other-model')?.response.status,
        404,
      );
    } finally {
      await upstream.close();
      rmSync(folder, { recursive: true, force: true });
    }
  },
);

test(
  'serve with neither --upstream nor --config answers from the built-in reference model (any model name, n, logprobs, streaming)',
  { timeout: 120_000 },
  async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dg-serve-builtin-'));
    try {
      writeFileSync(join(folder, 'proxy-secret'), 'shared-with-the-auth-proxy-0123');
      const serve = await startServe([
        '--db',
        join(folder, 'gateway.db'),
        '--trust-account-header',
        'x-account',
        '--trust-account-header-secret-file',
        join(folder, 'proxy-secret'),
      ]);
      try {
        const client = new OpenAI({
          apiKey: 'unused',
          baseURL: `${serve.url}/v1`,
          maxRetries: 0,
          defaultHeaders: {
            'x-account': 'acct-local',
            [proxySecretHeader]: 'shared-with-the-auth-proxy-0123',
          },
        });
        const completion = await client.chat.completions.create({
          model: 'any-name-at-all',
          messages: [{ role: 'user', content: 'Tell me about rivers.' }],
          n: 2,
          max_tokens: 12,
          logprobs: true,
          seed: 3,
        });
        assert.equal(completion.choices.length, 2);
        for (const choice of completion.choices) {
          assert.ok((choice.message.content ?? '').length > 0);
          const tokens = choice.logprobs?.content ?? [];
          assert.ok(
            tokens.length > 0 && tokens.every((token) => token.logprob <= 0),
            'real log-probabilities',
          );
          assert.equal(tokens.map((token) => token.token).join(''), choice.message.content);
        }
        let streamed = '';
        for await (const chunk of await client.chat.completions.create({
          model: 'another',
          messages: [{ role: 'user', content: 'And lakes?' }],
          max_tokens: 12,
          stream: true,
        }))
          streamed += chunk.choices[0]?.delta?.content ?? '';
        assert.ok(streamed.length > 0);
      } finally {
        assert.equal(await serve.stop(), 0);
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
