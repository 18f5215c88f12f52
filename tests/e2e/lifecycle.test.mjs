// The engine's lifecycle in Chromium: a runaway kernel (`while True: pass`) and a long
// evaluate aborted through an AbortSignal reject with an AbortError, the compute worker and
// its pool are replaced, and the page evaluates again, in an isolated page (threads build,
// pool of 2, the evaluate through the shared slot) and in a plain one (simd build). A trap and a compute worker that ends without a word
// (noticed through a Web Lock) restart the engine the same way.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { open, useBrowserAndServers } from './browser.mjs';

const env = useBrowserAndServers();

// Runs in the page.
async function abortRunaway() {
  const nw = await import('/web/src/index.js');
  await nw.init({ threads: 2 });
  const m = await nw.kernels(`
from numba import njit

@njit
def spin(n):
    while True:
        pass
    return n
`);
  const h = await nw.array(new Float64Array([1, 2, 3]));
  const controller = new AbortController();
  const warmup = nw.evaluate('a', { a: [1] });
  const spin = m.call('spin', [1], { signal: controller.signal }).catch((e) => e);
  const queued = nw.evaluate('a * 3', { a: new Float64Array([1, 2]) });
  // Once the call before it settles, the queue has sent the kernel; let the worker enter it.
  await warmup;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const t0 = performance.now();
  controller.abort();
  const e = await spin;
  const abortMs = performance.now() - t0;
  const q = await queued;
  const after = await nw.evaluate('sum(a * 2)', { a: new Float64Array([1, 2, 3]) });
  const stale = await nw.evaluate('h', { h }).catch((err) => ({ kind: err.kind, message: err.message }));
  const big = new Float64Array(1 << 18).map((_, i) => i * 1e-3);
  const parallel = await nw.evaluate('sin(a)', { a: big }, { threads: 2 });
  // A long evaluate on small inputs (in an isolated page it goes through the shared slot):
  // a sum over a 20,000 x 20,000 broadcast, about a second of sin on two threads.
  const row = { data: new Float64Array(20_000).map((_, i) => i * 1e-4), shape: [1, 20_000] };
  const col = { data: new Float64Array(20_000).map((_, i) => i * 1e-4), shape: [20_000, 1] };
  const longCall = new AbortController();
  const first = nw.evaluate('a', { a: [1] });
  const long = nw.evaluate('sum(sin(r * c))', { r: row, c: col }, { signal: longCall.signal }).catch((err) => err);
  await first;
  await new Promise((resolve) => setTimeout(resolve, 50));
  longCall.abort();
  const longError = (await long).name;
  const afterLong = (await nw.evaluate('a + 1', { a: [1] })).data[0];
  const s = nw.status();
  return {
    error: { name: e.name, kind: e.kind, message: e.message, isNumwasm: e instanceof nw.NumwasmError },
    abortMs,
    queued: [...q.data],
    after: after.data[0],
    stale,
    parallelThreads: parallel.timing.threads,
    longError,
    afterLong,
    status: s,
  };
}

for (const [label, server, build] of [
  ['isolated', 'isolated', 'threads'],
  ['plain', 'plain', 'simd'],
]) {
  test(`${label} page: aborting a runaway kernel or a long evaluate rejects with an AbortError, then calls work`, async () => {
    const page = await open(env.browser, env[server].url);
    const r = await page.evaluate(abortRunaway);
    console.log(
      `${label}: abort to rejection ${r.abortMs.toFixed(1)} ms, restart ${r.status.lastRestart.ms.toFixed(0)} ms ` +
        '(informative only)',
    );
    assert.deepEqual(r.error, { name: 'AbortError', kind: 'AbortError', message: "call('spin') was aborted", isNumwasm: true });
    assert.ok(r.abortMs < 5000, `the abort took ${r.abortMs} ms`);
    assert.deepEqual(r.queued, [3, 6]);
    assert.equal(r.after, 12);
    assert.equal(r.stale.kind, 'ValueError');
    assert.match(r.stale.message, /resident array was made before the engine restarted \(call\('spin'\) was aborted while it ran\)/);
    assert.equal(r.status.build, build);
    assert.equal(r.parallelThreads, build === 'threads' ? 2 : 1);
    assert.equal(r.longError, 'AbortError');
    assert.equal(r.afterLong, 2);
    assert.equal(r.status.restarts, 2);
    assert.equal(r.status.lastRestart.reason, 'evaluate() was aborted while it ran');
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}

test('isolated page: a trap and a worker that just ends both restart the engine', async () => {
  const page = await open(env.browser, env.isolated.url);
  const r = await page.evaluate(async () => {
    const nw = await import('/web/src/index.js');
    const { engineCall } = await import('/web/src/api.js');
    await nw.init({ threads: 2 });
    const trap = await engineCall('test', 'trapForTesting', {}).catch((e) => e.message);
    const afterTrap = (await nw.evaluate('a + 1', { a: [1] })).data[0];
    // self.close(): no error event reaches the page; the worker's Web Lock is released.
    const exit = await engineCall('test', 'exitForTesting', {}).catch((e) => e.message);
    const afterExit = (await nw.evaluate('a + 2', { a: [1] })).data[0];
    return { trap, afterTrap, exit, afterExit, status: nw.status() };
  });
  assert.match(r.trap, /engine was restarted because the engine trapped in trapForTesting \(RuntimeError: unreachable\)/);
  assert.equal(r.afterTrap, 2);
  assert.match(r.exit, /engine was restarted because the compute worker ended/);
  assert.equal(r.afterExit, 3);
  assert.equal(r.status.restarts, 2);
  assert.equal(r.status.poolSize, 2);
  assert.deepEqual(page.errors, []);
  await page.close();
});
