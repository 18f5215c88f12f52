// The engine's lifecycle in Node (compute worker thread, threads build): a trap, a dead
// compute worker or a dead pool thread rejects the call in flight with a RuntimeError that
// says the engine was restarted and why; the engine restarts with the same options; handles
// made before give a clear ValueError; queued calls run on the new engine. Calls take an
// AbortSignal: aborted before sending, while queued, and while running (a kernel that never
// returns), after which the engine restarts and calls work.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import { engineCall } from '../src/api.js';
import * as nw from '../src/node.js';

const kind = (k, re) => (e) => e instanceof nw.NumwasmError && e.kind === k && (!re || re.test(e.message));
const aborted = (re) => (e) =>
  e instanceof nw.NumwasmError && e.kind === 'AbortError' && e.name === 'AbortError' && (!re || re.test(e.message));
const restarted = (re) => kind('RuntimeError', new RegExp(`engine was restarted because ${re.source}`));

const KERNELS = `
from numba import njit

@njit
def spin(n):
    while True:
        pass
    return n

@njit
def twice(a):
    return a * 2
`;

/** A hang fails a test instead of stalling the run. */
const BOUND = { timeout: 60_000 };

/** Waits until `cond()` holds; the bound is the test's timeout. */
async function until(cond) {
  while (!cond()) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Resolves to 'late' if `p` has not settled within `ms`: a liveness bound, not a timing. */
function within(p, ms) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  return Promise.race([p.then((v) => v, (e) => e), late]).finally(() => clearTimeout(timer));
}

before(async () => {
  await nw.init({ threads: 2 });
});

test('a trap restarts the engine: the call rejects with why, old handles refuse, queued calls run', BOUND, async () => {
  const before = nw.status().restarts;
  const h = await nw.array(new Float64Array([1, 2, 3]));
  const c = await nw.compile('2*a', { a: 'float64' });
  const m = await nw.kernels(KERNELS);
  assert.deepEqual([...(await c.run({ a: h })).data], [2, 4, 6]);

  const trap = engineCall('test', 'trapForTesting', {});
  // Queued behind the trap: not yet sent when the engine goes.
  const queuedEvaluate = nw.evaluate('a + 1', { a: new Float64Array([1, 2]) });
  const queuedArray = nw.array(new Int32Array([7, 8]));
  // Caught now: it rejects while the test awaits the others.
  const queuedRun = c.run({ a: new Float64Array([1]) }).catch((e) => e);
  await assert.rejects(trap, restarted(/the engine trapped in trapForTesting \(RuntimeError: unreachable\)/));
  await assert.rejects(trap, /resident arrays, compiled expressions and kernel modules made before the restart are gone/);
  assert.deepEqual([...(await queuedEvaluate).data], [2, 3]);
  const fresh = await queuedArray;
  assert.deepEqual([...(await fresh.toArray()).data], [7, 8]);
  // Sent after the restart with the old engine's compiled id: refused, not run on whatever
  // the new engine has under that id.
  assert.ok(kind('ValueError', /run\(\) refers to .* made before the engine restarted/)(await queuedRun), String(await queuedRun));

  const s = nw.status();
  assert.equal(s.restarts, before + 1);
  assert.match(s.lastRestart.reason, /trapped in trapForTesting/);
  assert.ok(s.lastRestart.ms > 0);
  assert.equal(s.poolSize, 2, 'restarted with the same init options');
  assert.equal(s.build, 'threads');

  const stale = /made before the engine restarted \(the engine trapped in trapForTesting/;
  await assert.rejects(nw.evaluate('h + 1', { h }), kind('ValueError', stale));
  await assert.rejects(h.toArray(), kind('ValueError', /resident array was made before the engine restarted/));
  await assert.rejects(nw.evaluate('a', { a: [1] }, { out: h }), kind('ValueError', stale));
  await assert.rejects(c.run({ a: new Float64Array([1]) }), kind('ValueError', /compile it again/));
  await assert.rejects(c.disassemble(), kind('ValueError', stale));
  await assert.rejects(m.call('twice', [[1]]), kind('ValueError', /kernel module was made before .* kernels\(source\)/));
  await assert.rejects(m.inspect('twice', [[1]]), kind('ValueError', stale));
  // Freeing an old handle is harmless and frees nothing of the new engine's.
  const count = await nw.residentCount();
  h.free();
  c.free();
  m.free();
  assert.equal(await nw.residentCount(), count);
  assert.deepEqual([...(await fresh.toArray()).data], [7, 8]);

  // Everything made again works.
  const h2 = await nw.array(new Float64Array([1, 2, 3]));
  const c2 = await nw.compile('2*a', { a: 'float64' });
  assert.deepEqual([...(await c2.run({ a: h2 })).data], [2, 4, 6]);
  const m2 = await nw.kernels(KERNELS);
  assert.deepEqual([...(await m2.call('twice', [[1, 2]])).data], [2, 4]);
  h2.free();
  fresh.free();
});

test('a compute worker that dies is noticed and replaced', BOUND, async () => {
  const before = nw.status().restarts;
  const h = await nw.array(new Float64Array([5]));
  await assert.rejects(
    engineCall('test', 'exitForTesting', {}),
    restarted(/the compute worker stopped: the worker exited \(exit code 70\)/),
  );
  assert.equal(nw.status().restarts, before + 1);
  await assert.rejects(nw.evaluate('h', { h }), kind('ValueError', /exit code 70/));
  assert.deepEqual([...(await nw.evaluate('a * 3', { a: [1, 2] })).data], [3, 6]);
});

test('a pool thread that dies is noticed through the health word, and the engine is replaced', BOUND, async () => {
  const before = nw.status().restarts;
  assert.equal(await engineCall('test', 'stopPoolThreadForTesting', {}), true);
  await until(() => nw.status().restarts === before + 1);
  assert.match(nw.status().lastRestart.reason, /^pool worker 0 stopped: the worker exited/);
  // A parallel call needs every pool thread: it works on the new pool.
  const x = new Float64Array(1 << 20).map((_, i) => i / 1024);
  const r = await nw.evaluate('sin(x)**2 + cos(x)*exp(-x)', { x }, { threads: 2 });
  assert.equal(r.timing.threads, 2);
  assert.equal(nw.status().poolSize, 2);
});

test('a signal aborted before the call rejects at once, without reaching the engine', BOUND, async () => {
  const restarts = nw.status().restarts;
  const signal = AbortSignal.abort();
  const m = await nw.kernels(KERNELS);
  const c = await nw.compile('a', { a: 'float64' });
  await assert.rejects(nw.evaluate('a', { a: [1] }, { signal }), aborted(/^evaluate\(\) was aborted$/));
  await assert.rejects(c.run({ a: new Float64Array([1]) }, { signal }), aborted(/^run\(\) was aborted$/));
  await assert.rejects(m.call('spin', [1], { signal }), aborted(/^call\('spin'\) was aborted$/));
  await assert.rejects(nw.selfTest(10, { signal }), aborted());
  // The reason given to abort() is the cause, as fetch() keeps it.
  const e = await nw.evaluate('a', { a: [1] }, { signal: AbortSignal.abort('user left') }).catch((err) => err);
  assert.equal(e.cause, 'user left');
  assert.equal(nw.status().restarts, restarts, 'nothing was running, so nothing restarted');
  await assert.rejects(nw.evaluate('a', { a: [1] }, { signal: 'stop' }), kind('TypeError', /signal must be an AbortSignal/));
  m.free();
  c.free();
});

test('aborting a running kernel terminates the engine, rejects promptly, and calls work after', BOUND, async () => {
  const restarts = nw.status().restarts;
  const m = await nw.kernels(KERNELS);
  const h = await nw.array(new Float64Array([1, 2]));
  const controller = new AbortController();
  const warmup = nw.evaluate('a', { a: [1] });
  const spin = m.call('spin', [1], { signal: controller.signal });
  const queued = nw.evaluate('a * 3', { a: [1, 2] });
  const queuedAborted = nw.evaluate('a * 4', { a: [1, 2] }, { signal: controller.signal }).catch((e) => e);
  const other = new AbortController();
  const queuedOther = nw.evaluate('a * 5', { a: [1, 2] }, { signal: other.signal });
  // When the call before it has settled, the queue has sent the kernel; give the worker a
  // moment to be inside it.
  await warmup;
  await new Promise((resolve) => setTimeout(resolve, 100));
  other.abort();
  await assert.rejects(queuedOther, aborted(/^evaluate\(\) was aborted$/));
  assert.equal(nw.status().restarts, restarts, 'a queued call aborted leaves the engine alone');
  controller.abort();
  const settled = await within(spin, 5000);
  assert.notEqual(settled, 'late', 'the aborted call rejected within 5 s');
  assert.ok(aborted(/^call\('spin'\) was aborted$/)(settled), String(settled));
  assert.ok(aborted()(await queuedAborted));
  // The call queued behind it, without a signal, runs on the restarted engine.
  assert.deepEqual([...(await queued).data], [3, 6]);
  assert.equal(nw.status().restarts, restarts + 1);
  assert.equal(nw.status().lastRestart.reason, "call('spin') was aborted while it ran");
  await assert.rejects(nw.evaluate('h', { h }), kind('ValueError', /call\('spin'\) was aborted while it ran/));
  const m2 = await nw.kernels(KERNELS);
  assert.deepEqual([...(await m2.call('twice', [[4]])).data], [8]);
  // A signal that fires after its call finished changes nothing.
  const late = new AbortController();
  assert.deepEqual([...(await nw.evaluate('a', { a: [9] }, { signal: late.signal })).data], [9]);
  late.abort();
  assert.deepEqual([...(await nw.evaluate('a', { a: [10] })).data], [10]);
  assert.equal(nw.status().restarts, restarts + 1);
});

test('aborting a running compiled run and evaluate works the same way', BOUND, async () => {
  const restarts = nw.status().restarts;
  // Big enough to be running when the abort comes (tens of milliseconds per call here).
  const x = new Float64Array(1 << 22).map((_, i) => i);
  const c = await nw.compile('sum(sin(x)**2 + cos(x)**2)', { x: 'float64' });
  for (const call of [(signal) => c.run({ x }, { signal }), (signal) => nw.evaluate('sum(exp(-x) + sin(x))', { x }, { signal })]) {
    const controller = new AbortController();
    const p = call(controller.signal);
    controller.abort();
    // Aborted synchronously after the call: still queued (inputs are checked first, then
    // queued), so it is removed without reaching the engine.
    await assert.rejects(p, aborted());
  }
  assert.equal(nw.status().restarts, restarts);
  const controller = new AbortController();
  const first = nw.evaluate('a', { a: [1] });
  const p = nw.evaluate('sum(exp(-x) + sin(x)) + sum(sqrt(x))', { x }, { signal: controller.signal });
  await first;
  controller.abort();
  await assert.rejects(p, aborted(/^evaluate\(\) was aborted$/));
  assert.equal(nw.status().restarts, restarts + 1);
  assert.equal((await nw.evaluate('sum(a)', { a: [1, 2, 3] })).data[0], 6);
});
