import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import { DistillGuardError } from '../core/index.js';
import { gatewayConfigSchema, parseGatewayConfig, readGatewayConfig } from './gateway-config.js';

function refusal(value: unknown): string {
  try {
    parseGatewayConfig(value, 'config.json');
  } catch (error) {
    assert.ok(error instanceof DistillGuardError);
    assert.equal(error.exitCode, 64);
    return error.message;
  }
  assert.fail('expected the config to be refused');
}

test('an unknown field stops the start with its path and the nearest known name', () => {
  assert.match(
    refusal({ upstreams: [{ name: 'a', url: 'http://127.0.0.1:1/v1', timout_ms: 5 }] }),
    /^config\.json: unknown field 'upstreams\[0\]\.timout_ms': did you mean 'timeout_ms'\?$/m,
  );
  assert.match(
    refusal({ limits: { body_byte: 10 } }),
    /unknown field 'limits\.body_byte': did you mean 'body_bytes'\?/,
  );
  assert.match(
    refusal({ detection: { asess_every_ms: 10 } }),
    /unknown field 'detection\.asess_every_ms': did you mean 'assess_every_ms'\?/,
  );
  assert.match(
    refusal({ watermark: { master_key_file: 'k.json', default_schema: 'kgw' } }),
    /unknown field 'watermark\.default_schema': did you mean 'default_scheme'\?/,
  );
  // the response ladder is checked with the rest of the file, with its full path
  assert.match(
    refusal({ policy: { throttle: { acount: {} } } }),
    /unknown field 'policy\.throttle\.acount': did you mean 'account'\?/,
  );
  assert.match(
    refusal({
      policy: { rules: [{ name: 'r', action: 'tracer', account_verdict: 'review', min_risk: 1 }] },
    }),
    /unknown field 'policy\.rules\[0\]\.min_risk'/,
  );
});

test('a field with no close name lists the known ones', () => {
  const message = refusal({ sharding: { kind: 'postgres' } });
  assert.match(
    message,
    /unknown field 'sharding': remove it or check its spelling \(known here: upstreams, limits, detection, /,
  );
  assert.match(message, /docs\/gateway\.md/);
});

test('every problem is listed, unknown fields first', () => {
  const lines = refusal({
    upstreams: [{ nam: 'a', url: 'http://127.0.0.1:1/v1' }],
    limits: { body_bytes: -1 },
  }).split('\n');
  assert.match(lines[0], /unknown field 'upstreams\[0\]\.nam': did you mean 'name'\?/);
  assert.ok(
    lines.some((line) => /field 'upstreams\[0\]\.name'/.test(line)),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((line) => /field 'limits\.body_bytes'/.test(line)),
    lines.join('\n'),
  );
});

test('valid configs still parse, with defaults filled in', () => {
  const config = parseGatewayConfig({
    upstreams: [{ name: 'a', url: 'http://127.0.0.1:1/v1' }],
    policy: { ttl_s: 30 },
  });
  assert.equal(config.upstreams[0].timeout_ms, 120_000);
  assert.equal(config.limits.body_bytes, 4 * 1024 * 1024);
  assert.equal(config.policy?.ttl_s, 30);
  assert.deepEqual(parseGatewayConfig({}).upstreams, []);
});

test('readGatewayConfig names the file in each problem', () => {
  const folder = mkdtempSync(join(tmpdir(), 'dg-config-'));
  try {
    const file = join(folder, 'gateway.json');
    writeFileSync(
      file,
      JSON.stringify({ upstreams: [{ name: 'a', url: 'http://127.0.0.1:1/v1', timout_ms: 5 }] }),
    );
    assert.throws(
      () => readGatewayConfig(file),
      (error: unknown) =>
        error instanceof DistillGuardError &&
        error.message.startsWith(`${file}: unknown field 'upstreams[0].timout_ms'`),
    );
    writeFileSync(file, '{"upstreams": [');
    assert.throws(
      () => readGatewayConfig(file),
      (error: unknown) => error instanceof DistillGuardError && error.exitCode === 2,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

/** Every object schema reachable from `schema`, with its path. */
function objectSchemas(
  schema: z.ZodType,
  path = 'config',
  seen = new Set<unknown>(),
): { path: string; strict: boolean }[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const definition = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  const children: [string, unknown][] = [];
  for (const key of ['innerType', 'in', 'out', 'element', 'valueType'])
    if (definition[key]) children.push([path, definition[key]]);
  for (const option of (definition.options as unknown[] | undefined) ?? [])
    children.push([path, option]);
  const found: { path: string; strict: boolean }[] = [];
  if (definition.type === 'object') {
    const catchall = definition.catchall as { _zod: { def: { type: string } } } | undefined;
    found.push({ path, strict: catchall?._zod.def.type === 'never' });
    for (const [key, child] of Object.entries(definition.shape as Record<string, unknown>))
      children.push([`${path}.${key}`, child]);
  }
  for (const [childPath, child] of children)
    found.push(...objectSchemas(child as z.ZodType, childPath, seen));
  return found;
}

test('every object in the schema is strict: a new section must use z.strictObject', () => {
  const objects = objectSchemas(gatewayConfigSchema);
  assert.ok(objects.length >= 8, `found ${objects.length} objects`);
  assert.deepEqual(
    objects.filter((object) => !object.strict).map((object) => object.path),
    [],
  );
});
