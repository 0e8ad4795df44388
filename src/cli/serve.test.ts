// `distillguard serve`, `keys` and `export` as a user runs them: a key created from the CLI works
// with the OpenAI client, a revoked one stops working, SIGTERM drains, and export returns every
// exchange in the contract format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { validateInteraction } from '../core/index.js';
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
    assert.ok(!readFileSync(db).includes(Buffer.from(key.secret)), 'the secret is not in the database');

    const server = spawn(process.execPath, [cliPath, 'serve', '--port', '0', '--upstream', upstream.url, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'Say something.' }] });
    assert.equal(completion.choices[0].message.content, 'Served through the CLI.');

    const revoked = await runCli(['keys', 'revoke', key.key_id, '--db', db]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const unknown = await runCli(['keys', 'revoke', 'key_nope', '--db', db]);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /no key 'key_nope'/);
    // the gateway caches a key for a few seconds at most
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await assert.rejects(client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'again' }] }), OpenAI.AuthenticationError);

    server.removeAllListeners('exit');
    const stopped = new Promise<number | null>((resolve) => server.on('exit', resolve));
    server.kill('SIGTERM');
    assert.equal(await stopped, 0);
    assert.match(output, /stopped\./);

    const exported = await runCli(['export', '--db', db, '--out', join(folder, 'exchanges.jsonl')]);
    assert.equal(exported.code, 0, exported.stderr);
    const records = readFileSync(join(folder, 'exchanges.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(records.length, 1, 'the served exchange (the 401 has no account and is not recorded)');
    const validate = validateInteraction();
    assert.ok(validate(records[0]), JSON.stringify(validate.problem()));
    assert.equal((records[0].response as { text: string }).text, 'Served through the CLI.');
  } finally {
    await upstream.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
