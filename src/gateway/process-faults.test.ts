// The process-level policy of `serve`: an unhandled rejection is logged and degrades health, the
// process goes on; an uncaught exception is logged and ends it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import {
  installProcessFaultPolicy,
  UnhandledErrors,
  unhandledDegradesForMs,
} from './process-faults.js';

function target() {
  const lines: { level: string; details: object; message: string }[] = [];
  const at = (level: string) => (details: object, message: string) =>
    void lines.push({ level, details, message });
  return {
    lines,
    unhandled: new UnhandledErrors(),
    log: { error: at('error'), warn: at('warn'), info: at('info'), fatal: at('fatal') },
  };
}

test('an unhandled rejection is logged with its cause and noted; nothing exits', () => {
  const events = new EventEmitter();
  const faults = target();
  const exits: number[] = [];
  const remove = installProcessFaultPolicy(faults, events, (code) => void exits.push(code));
  const cause = new Error('disk I/O error');
  events.emit('unhandledRejection', cause);
  assert.deepEqual(exits, []);
  assert.equal(faults.lines[0].level, 'error');
  assert.equal((faults.lines[0].details as { err: unknown }).err, cause);
  assert.equal(faults.unhandled.count, 1);
  assert.match(faults.unhandled.recent()?.message ?? '', /disk I\/O error/);
  assert.equal(
    faults.unhandled.recent(Date.now() + unhandledDegradesForMs + 1),
    null,
    'an old one no longer degrades the gateway',
  );
  remove();
  assert.equal(events.listenerCount('unhandledRejection'), 0);
});

test('an uncaught exception is logged at fatal, then the process exits with 1', () => {
  const events = new EventEmitter();
  const faults = target();
  const exits: number[] = [];
  installProcessFaultPolicy(faults, events, (code) => void exits.push(code));
  events.emit('uncaughtException', new TypeError('x is undefined'), 'uncaughtException');
  assert.equal(faults.lines[0].level, 'fatal');
  assert.deepEqual(exits, [1]);
});
