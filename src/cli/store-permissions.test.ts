// The store holds every prompt and answer: `ingest`, `keys create` and `serve` create the database,
// its -wal and -shm files and the key-hashing secret readable by their owner only (0600), whatever
// the umask lets through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliPath, temporaryDirectory } from '../test-support/paths.js';
import { runCli } from '../test-support/run-cli.js';

const record = JSON.stringify({
  id: 'p1',
  ts: '2026-02-02T10:00:00Z',
  account_id: 'a1',
  api: 'openai.chat',
  model: 'm',
  request: { messages: [{ role: 'user', content: 'hi' }] },
});

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

test(
  'ingest, keys create and serve create the store and key files 0600 under umask 022',
  { timeout: 60_000 },
  async () => {
    const previous = process.umask(0o022);
    const folder = temporaryDirectory();
    try {
      const input = join(folder, 'in.jsonl');
      writeFileSync(input, `${record}\n`);
      const ingested = join(folder, 'ingested.db');
      const ingestRun = await runCli(['ingest', '--interactions', input, '--db', ingested]);
      assert.equal(ingestRun.code, 0, ingestRun.stderr);
      assert.equal(modeOf(ingested), '600', 'ingest');

      const keyed = join(folder, 'keys.db');
      const created = await runCli(['keys', 'create', '--account', 'a1', '--db', keyed]);
      assert.equal(created.code, 0, created.stderr);
      assert.equal(modeOf(keyed), '600', 'keys create: the database');
      assert.equal(
        modeOf(`${keyed}.key-hash-secret`),
        '600',
        'keys create: the key-hashing secret',
      );

      const served = join(folder, 'served.db');
      const server = spawn(
        process.execPath,
        [cliPath, 'serve', '--port', '0', '--upstream', 'http://127.0.0.1:9/v1', '--db', served],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      server.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      try {
        await new Promise<void>((resolve, reject) => {
          server.stdout.on('data', (chunk: Buffer) => {
            output += chunk.toString();
            if (/gateway listening on/.test(output)) resolve();
          });
          server.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
        });
        // while it runs, the write-ahead log and the shared-memory index exist beside the database
        for (const path of [
          served,
          `${served}-wal`,
          `${served}-shm`,
          `${served}.key-hash-secret`,
        ]) {
          assert.ok(existsSync(path), `${path} exists while serve runs`);
          assert.equal(modeOf(path), '600', path);
        }
      } finally {
        server.removeAllListeners('exit');
        const stopped = new Promise((resolve) => server.on('exit', resolve));
        server.kill('SIGTERM');
        await stopped;
      }
    } finally {
      process.umask(previous);
      rmSync(folder, { recursive: true, force: true });
    }
  },
);
