import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repositoryRoot } from '../test-support/paths.js';
import { parseStixPattern, StixPatternError, type Observation } from './index.js';

type Joined = Extract<Observation, { left: Observation }>;

// the patterns of the STIX 2.1 specification's section 9 and its indicator examples
const specificationExamples = [
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
  "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f' AND file:mime_type = 'application/x-pdf']",
  "[file:hashes.'SHA-256' = 'bf07a7fbb825fc0aae7bf4a1177b2b31fcf8a3feeaf7092761e18c859ee52a9c' OR file:hashes.MD5 = 'cead3f77f6cda6ec00f57d76c9a6879f'] AND [file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
  "([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY [domain-name:value = 'example.com']) WITHIN 600 SECONDS",
  "[user-account:account_type = 'unix' AND user-account:user_id = '1007' AND user-account:account_login = 'Peter'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1008' AND user-account:account_login = 'Paul'] AND [user-account:account_type = 'unix' AND user-account:user_id = '1009' AND user-account:account_login = 'Mary']",
  "[artifact:mime_type = 'application/vnd.tcpdump.pcap' AND artifact:payload_bin MATCHES '\\\\xd4\\\\xc3\\\\xb2\\\\xa1\\\\x02\\\\x00\\\\x04\\\\x00']",
  "[file:name = 'foo.dll' AND file:parent_directory_ref.path = 'C:\\\\Windows\\\\System32']",
  "[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
  "[file:mime_type = 'image/bmp' AND file:magic_number_hex = h'ffd8']",
  "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32']",
  "[network-traffic:dst_ref.type = 'domain-name' AND network-traffic:dst_ref.value = 'example.com'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
  "[domain-name:value = 'www.5z8.info' AND domain-name:resolves_to_refs[*].value = '198.51.100.1/32']",
  "[url:value = 'http://example.com/foo' OR url:value = 'http://example.com/bar']",
  "[x509-certificate:issuer = 'CN=WEBMAIL' AND x509-certificate:serial_number = '4c:0b:1d:19:74:86:a7:66:b4:1a:bf:40:27:21:76:28']",
  "[windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\CryptoLocker\\\\Files' OR windows-registry-key:key = 'HKEY_CURRENT_USER\\\\Software\\\\Microsoft\\\\CurrentVersion\\\\Run\\\\CryptoLocker_0388']",
  "[(file:name = 'pdf.exe' OR file:size = 371712) AND file:created = t'2014-01-13T07:03:17Z']",
  "[email-message:sender_ref.value = 'jdoe@example.com' AND email-message:subject = 'Conference Info']",
  "[x-usb-device:usbdrive.serial_number = '575833FF']",
  '[network-traffic:src_port = 37020 AND network-traffic:dst_port NOT = 80]',
  "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
  "[network-traffic:dst_ref.value ISSUPERSET '198.51.100.0/24']",
  "[file:name LIKE 'Stuxnet%']",
  '[file:size IN (1024, 2048, 4096)]',
  "[windows-registry-key:values[*].name = 'Foo' AND EXISTS windows-registry-key:values[0].data]",
  "[file:hashes.MD5 = '79054025255fb1a26e4bc422aef54eb4'] START t'2016-06-01T00:00:00Z' STOP t'2016-07-01T00:00:00.123Z'",
  "[artifact:payload_bin = b'dGhpcyBpcyBhIHRlc3Q=']",
  '[process:is_hidden = true AND process:pid != -1]',
];

test('every pattern of the specification parses', () => {
  for (const pattern of specificationExamples) {
    assert.doesNotThrow(() => parseStixPattern(pattern), pattern);
  }
});

test('the tree says what the pattern says: precedence, paths, literals and qualifiers', () => {
  const tree = parseStixPattern(
    "[a:x = 1] AND [b:y = 'q'] OR [c:z != 2.5] FOLLOWEDBY ([d:'w'[*].v IN ('p', true)] WITHIN 60 SECONDS) REPEATS 2 TIMES",
  );
  // FOLLOWEDBY binds loosest, then OR, then AND
  assert.equal(tree.kind, 'followedby');
  const left = (tree as Joined).left;
  assert.equal(left.kind, 'or');
  assert.equal((left as Joined).left.kind, 'and');
  const right = (tree as Joined).right;
  assert.equal(right.kind, 'group');
  assert.deepEqual((right as Extract<Observation, { kind: 'group' }>).qualifiers, [
    { kind: 'repeats', times: 2 },
  ]);
  const inner = (right as Extract<Observation, { kind: 'group' }>).inner;
  assert.deepEqual(inner, {
    kind: 'observation',
    comparison: {
      kind: 'test',
      path: { objectType: 'd', steps: [{ property: 'w' }, { index: '*' }, { property: 'v' }] },
      negated: false,
      operator: 'IN',
      value: [
        { kind: 'string', value: 'p' },
        { kind: 'bool', value: true },
      ],
    },
    qualifiers: [{ kind: 'within', seconds: 60 }],
  });
  const escaped = parseStixPattern("[file:name = 'it\\'s \\\\ here']");
  assert.deepEqual((escaped as Extract<Observation, { kind: 'observation' }>).comparison, {
    kind: 'test',
    path: { objectType: 'file', steps: [{ property: 'name' }] },
    negated: false,
    operator: '=',
    value: { kind: 'string', value: "it's \\ here" },
  });
});

test('a pattern that does not parse is refused with what was expected and where', () => {
  const cases: [string, RegExp][] = [
    ["file:name = 'x'", /expected '\[' or '\('.*character 1/],
    ["[file:name = 'x'", /expected '\]'.*the end of the pattern/],
    ["[file:name 'x']", /comparison operator/],
    ["[file:name = 'x] ", /not closed/],
    ["[file:name = 'a\\nb']", /only \\' and \\\\ are escapes/],
    ["[file:created > t'2016-13-01T00:00:00Z']", /not an RFC 3339 UTC timestamp/],
    ["[file:magic_number_hex = h'fff']", /pairs of hex digits/],
    ["[artifact:payload_bin = b'abc']", /not base64/],
    ['[file:name MATCHES 5]', /MATCHES takes a quoted string/],
    ['[file:size = 007]', /leading zero/],
    ['[file:size > true]', /cannot compare with a boolean/],
    ["[file:name = 'x'] WITHIN -5 SECONDS", /positive number of seconds/],
    ["[file:name = 'x'] REPEATS 1.5 TIMES", /positive integer/],
    ["[file:name = 'x'] and [file:name = 'y']", /after the pattern/],
    ["[file:parent-dir = 'x']", /property name/],
    ["[file:name = 'x'] START t'2016-01-01T00:00:00Z'", /expected STOP/],
    ["[file:name = 'x' AND]", /object type/],
    ['[file:name = ?]', /unexpected '\?'/],
  ];
  for (const [pattern, message] of cases) {
    assert.throws(
      () => parseStixPattern(pattern),
      (error: unknown) => error instanceof StixPatternError && message.test(error.message),
      pattern,
    );
  }
});

test('every indicator pattern in the official STIX 2.1 examples parses', () => {
  const folder = join(repositoryRoot, 'fixtures', 'stix', 'examples');
  const files = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((name) =>
    name.endsWith('.json'),
  );
  let patterns = 0;
  for (const file of files) {
    const bundle = JSON.parse(readFileSync(join(folder, file), 'utf8')) as {
      objects?: { type: string; pattern?: string }[];
    };
    for (const object of bundle.objects ?? []) {
      if (object.type !== 'indicator' || typeof object.pattern !== 'string') continue;
      patterns += 1;
      assert.doesNotThrow(
        () => parseStixPattern(object.pattern as string),
        `${file}: ${object.pattern}`,
      );
    }
  }
  assert.ok(patterns >= 10, `only ${patterns} indicator patterns found in ${folder}`);
});
