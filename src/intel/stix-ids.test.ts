import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, scoId, uuidV5 } from './stix-ids.js';
import { tlpMarkingDefinition, tlpOfObject, tlpMarkingIds, tlp1MarkingIds } from './tlp.js';
import { checkBundle } from './check-bundle.js';

test('UUIDv5 matches independent implementations (Python uuid.uuid5)', () => {
  assert.equal(
    uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'python.org'),
    '886313e1-3b8a-5372-9b90-0c9aee199e5d',
  );
  // the STIX namespace for deterministic SCO ids, over the canonical id-contributing properties
  assert.equal(
    scoId('email-addr', { value: 'john@example.com' }),
    'email-addr--7165e2a9-671f-585d-b1e1-ca59c671d934',
  );
  assert.equal(
    scoId('ipv4-addr', { value: '198.51.100.3' }),
    'ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4',
  );
});

test('canonical JSON sorts keys at every depth and drops undefined', () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: undefined }, ä: 'x' }),
    '{"a":{"d":[3,{"y":2,"z":1}]},"b":1,"ä":"x"}',
  );
});

test('TLP 2.0 marking definitions validate, and an object takes its strictest marking', () => {
  const definitions = (['clear', 'green', 'amber', 'amber+strict', 'red'] as const).map(
    tlpMarkingDefinition,
  );
  const check = checkBundle({
    type: 'bundle',
    id: 'bundle--6f0d3a5e-1c3b-4b8f-9d2e-7a1b2c3d4e5f',
    objects: definitions,
  });
  assert.deepEqual(check.problems, []);
  assert.equal(check.accepted.length, 5);
  assert.equal(
    tlpOfObject({ object_marking_refs: [tlpMarkingIds.green, tlpMarkingIds['amber+strict']] }),
    'amber+strict',
  );
  assert.equal(tlpOfObject({ object_marking_refs: [tlp1MarkingIds.white] }), 'clear');
  assert.equal(tlpOfObject({}), null);
});

test('the receiver sets aside a bad object with its reason, and what refers to it', () => {
  const identity = {
    type: 'identity',
    spec_version: '2.1',
    id: 'identity--0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    created: '2026-01-01T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    name: 'Lab',
  };
  const indicator = {
    type: 'indicator',
    spec_version: '2.1',
    id: 'indicator--1a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    created: '2026-01-02T00:00:00.000Z',
    modified: '2026-01-01T00:00:00.000Z',
    created_by_ref: identity.id,
    pattern: "[ipv4-addr:value = '198.51.100.1']",
    pattern_type: 'stix',
    valid_from: '2026-01-01T00:00:00Z',
  };
  const badPattern = {
    ...indicator,
    id: 'indicator--2a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    modified: '2026-01-02T00:00:00.000Z',
    pattern: "[ipv4-addr:value = '198.51.100.1'",
  };
  const relationship = {
    type: 'relationship',
    spec_version: '2.1',
    id: 'relationship--3a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    created: '2026-01-02T00:00:00.000Z',
    modified: '2026-01-02T00:00:00.000Z',
    relationship_type: 'indicates',
    source_ref: badPattern.id,
    target_ref: identity.id,
  };
  const dangling = {
    ...relationship,
    id: 'relationship--4a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    source_ref: 'indicator--9a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  };
  const noName = {
    ...identity,
    id: 'identity--5a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    name: undefined,
  };
  const check = checkBundle({
    type: 'bundle',
    id: 'bundle--6f0d3a5e-1c3b-4b8f-9d2e-7a1b2c3d4e5f',
    objects: [
      identity,
      indicator,
      badPattern,
      relationship,
      dangling,
      JSON.parse(JSON.stringify(noName)),
    ],
  });
  assert.deepEqual(
    check.accepted.map((object) => object.id),
    [identity.id],
  );
  const reasons = check.problems.map(
    (problem) => `${problem.index} ${problem.field}: ${problem.reason}`,
  );
  assert.match(reasons[0], /^1 \/modified: `modified` is earlier than `created`/);
  assert.match(reasons[1], /^2 \/pattern: the STIX pattern does not parse/);
  assert.match(reasons[2], /^3 \/source_ref: refers to indicator--2a1b.*, which was rejected/);
  assert.match(
    reasons[3],
    /^4 \/source_ref: refers to indicator--9a1b.*neither in the bundle nor already known/,
  );
  assert.match(reasons[4], /^5 : is missing required property 'name'/);
  // known to the receiver: the reference resolves
  const known = checkBundle(
    {
      type: 'bundle',
      id: 'bundle--6f0d3a5e-1c3b-4b8f-9d2e-7a1b2c3d4e5f',
      objects: [dangling, identity],
    },
    { known: (id) => id === dangling.source_ref },
  );
  assert.equal(known.problems.length, 0);
  assert.match(
    checkBundle({ type: 'bundle', id: 'bundle--1', objects: [] }).envelope?.reason ?? '',
    /pattern/,
  );
  assert.ok(checkBundle([identity]).envelope);
});
