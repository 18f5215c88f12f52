// Node tests of the npm package's API (the threads build in a compute worker thread, with a
// pool of worker threads).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as nw from '../src/node.js';

test('calls before init are clear errors', () => {
  assert.throws(() => nw.getNumThreads(), (e) => e.name === 'NumwasmError' && e.kind === 'RuntimeError' && /before init/.test(e.message));
});

test('init reports the threads build in a worker, with a pool of every core', async () => {
  const s = await nw.init();
  assert.equal(s.build, 'threads');
  assert.equal(s.engine, 'worker');
  assert.equal(s.fallback, null);
  assert.equal(s.restarts, 0);
  assert.equal(s.lastRestart, null);
  assert.equal(s.poolSize, nw.ncores);
  assert.equal(s.crossOriginIsolated, false, 'Node is not a page');
  assert.equal(nw.threadsAvailable, true);
  assert.equal(nw.build, 'threads');
  assert.match(nw.version, /^\d+\.\d+\.\d+/);
  assert.ok(nw.ncores >= 1);
  assert.equal(await nw.init(), s, 'init() twice returns the first result');
});

test('selfTest computes the same value for any thread count', async () => {
  await nw.init();
  const a = await nw.selfTest(200_000);
  const b = await nw.selfTest(200_000, { threads: 1 });
  assert.ok(Number.isFinite(a.value) && a.value !== 0);
  assert.equal(a.value, b.value);
  assert.ok(a.computeMs >= 0 && a.totalMs >= a.computeMs);
});

test('bad arguments are NumwasmErrors with a kind, and the engine stays usable', async () => {
  await nw.init();
  const kind = (k) => (e) => e.name === 'NumwasmError' && e.kind === k;
  assert.throws(() => nw.setNumThreads(0), kind('ValueError'));
  assert.throws(() => nw.setNumThreads(nw.poolSize + 1), kind('ValueError'));
  assert.throws(() => nw.setNumThreads(1.5), kind('ValueError'));
  await assert.rejects(nw.selfTest(10, { bogus: true }), kind('TypeError'));
  await assert.rejects(nw.selfTest(-1), kind('ValueError'));
  nw.setNumThreads(1);
  assert.equal(nw.getNumThreads(), 1);
  assert.ok(Number.isFinite((await nw.selfTest(1000)).value));
});

test('NumwasmError.format draws a caret under the span', () => {
  const e = new nw.NumwasmError('SyntaxError', 'invalid syntax', { start: 4, end: 5 }, 'a + * b');
  assert.equal(e.format(), 'SyntaxError: invalid syntax\n  a + * b\n      ^');
});
