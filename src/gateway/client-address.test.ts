import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DistillGuardError } from '../core/index.js';
import { clientAddress, clientAddressResolver, parseTrustedProxies } from './client-address.js';

test('parseTrustedProxies takes CIDRs and single addresses, IPv4 and IPv6, commas or separate entries', () => {
  const list = parseTrustedProxies(['10.0.0.0/8,192.168.1.7', 'fd00::/8']);
  assert.equal(list.check('10.200.3.4', 'ipv4'), true);
  assert.equal(list.check('192.168.1.7', 'ipv4'), true);
  assert.equal(list.check('192.168.1.8', 'ipv4'), false);
  assert.equal(list.check('fd12::1', 'ipv6'), true);
  assert.equal(list.check('2001:db8::1', 'ipv6'), false);
});

test('parseTrustedProxies names an entry that is not an address or CIDR', () => {
  for (const bad of [
    '10.0.0.0/33',
    'example.com',
    '10.0.0.0/8/1',
    '10.0.0.0/x',
    '::/129',
    '10.0.0.0/',
  ]) {
    assert.throws(
      () => parseTrustedProxies([bad]),
      (error: unknown) =>
        error instanceof DistillGuardError &&
        error.code === 'usage' &&
        error.message.includes(`'${bad}'`),
      bad,
    );
  }
});

test('X-Forwarded-For is believed only from a trusted peer, up to the rightmost untrusted hop', () => {
  const trusted = parseTrustedProxies(['10.0.0.0/8']);
  // a client that reaches the port directly cannot choose its address
  assert.equal(clientAddress('198.51.100.7', '1.2.3.4', trusted), '198.51.100.7');
  // through one load balancer
  assert.equal(clientAddress('10.0.0.2', '203.0.113.9', trusted), '203.0.113.9');
  // a forged hop on the left is ignored: the rightmost untrusted one is the client
  assert.equal(clientAddress('10.0.0.2', '1.2.3.4, 203.0.113.9, 10.0.0.3', trusted), '203.0.113.9');
  // every hop trusted: the leftmost
  assert.equal(clientAddress('10.0.0.2', '10.1.1.1, 10.0.0.3', trusted), '10.1.1.1');
  // a malformed hop ends the walk at the last good address
  assert.equal(clientAddress('10.0.0.2', 'garbage, 10.0.0.3', trusted), '10.0.0.3');
  assert.equal(clientAddress('10.0.0.2', 'not-an-ip', trusted), '10.0.0.2');
  // repeated headers are one list; dual-stack peers are their IPv4 address
  assert.equal(
    clientAddress('::ffff:10.0.0.2', ['1.2.3.4', '203.0.113.9'], trusted),
    '203.0.113.9',
  );
  assert.equal(clientAddress('10.0.0.2', undefined, trusted), '10.0.0.2');
  assert.equal(clientAddress('10.0.0.2', ' 2001:db8::5 ', trusted), '2001:db8::5');
});

test('without trusted proxies the socket address is used as it is', () => {
  const resolve = clientAddressResolver(null);
  assert.equal(resolve('::ffff:127.0.0.1', { 'x-forwarded-for': '1.2.3.4' }), '::ffff:127.0.0.1');
  assert.equal(resolve(undefined, {}), '');
  const behindBalancer = clientAddressResolver(parseTrustedProxies(['127.0.0.1']));
  assert.equal(behindBalancer('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }), '203.0.113.9');
});
