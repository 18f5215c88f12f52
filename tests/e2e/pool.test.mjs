// End-to-end proof of the thread pool: in a cross-origin isolated page the package starts
// its compute worker and a pool of 2 shared-memory threads, and a CPU-heavy computation in
// the crate gives the same bits with 1 and with 2 threads. Without isolation the same page
// falls back to the single-threaded simd build instead of failing.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { open, useBrowserAndServers } from './browser.mjs';

const env = useBrowserAndServers();

const N = 20_000_000;

async function runBoth(page, threads) {
  return page.evaluate(
    async ({ n, threads }) => {
      const nw = await import('/web/src/index.js');
      const status = await nw.init({ threads });
      const one = await nw.selfTest(n, { threads: 1 });
      const many = await nw.selfTest(n, { threads: status.poolSize });
      // timing.threads: what a call used. A small call stays on the compute worker; sin
      // over 2^18 elements (~5 ms) goes parallel, by evaluate and by a compiled run.
      const small = new Float64Array(1000).map((_, i) => i);
      const big = new Float64Array(1 << 18).map((_, i) => i * 1e-3);
      const used = { small: (await nw.evaluate('sin(a)', { a: small }, { threads: status.poolSize })).timing.threads };
      used.big = (await nw.evaluate('sin(a)', { a: big }, { threads: status.poolSize })).timing.threads;
      used.bigOne = (await nw.evaluate('sin(a)', { a: big }, { threads: 1 })).timing.threads;
      const e = await nw.compile('sin(a)', { a: 'float64' });
      used.compiled = (await e.run({ a: big }, { threads: status.poolSize })).timing.threads;
      const ra = await nw.array(big);
      const out = await nw.array(new Float64Array(big.length));
      used.resident = (await e.run({ a: ra }, { threads: status.poolSize, out })).timing.threads;
      ra.free();
      out.free();
      return { status, isolatedGlobal: globalThis.crossOriginIsolated, one, many, used };
    },
    { n: N, threads },
  );
}

test('isolated page: compute worker + pool of 2 threads, equal results for 1 and 2 threads', async () => {
  const page = await open(env.browser, env.isolated.url);
  const r = await runBoth(page, 2);
  console.log(
    `selfTest(${N}): 1 thread ${r.one.computeMs.toFixed(1)} ms, ` +
      `${r.status.poolSize} threads ${r.many.computeMs.toFixed(1)} ms (timings are informative only)`,
  );
  assert.equal(r.isolatedGlobal, true);
  assert.equal(r.status.crossOriginIsolated, true);
  assert.equal(r.status.build, 'threads');
  assert.equal(r.status.threadsAvailable, true);
  assert.equal(r.status.poolSize, 2);
  assert.ok(Number.isFinite(r.one.value) && r.one.value !== 0);
  assert.equal(Object.is(r.one.value, r.many.value), true, `${r.one.value} vs ${r.many.value}`);
  assert.deepEqual(r.used, { small: 1, big: 2, bigOne: 1, compiled: 2, resident: 2 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('page without COOP/COEP: falls back to the simd build with 1 thread', async () => {
  const page = await open(env.browser, env.plain.url);
  const r = await runBoth(page, 2);
  assert.equal(r.isolatedGlobal, false);
  assert.equal(r.status.crossOriginIsolated, false);
  assert.equal(r.status.build, 'simd');
  assert.equal(r.status.threadsAvailable, false);
  assert.equal(r.status.poolSize, 1);
  assert.equal(Object.is(r.one.value, r.many.value), true);
  assert.deepEqual(r.used, { small: 1, big: 1, bigOne: 1, compiled: 1, resident: 1 });
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the engine value agrees between the threads and simd builds', async () => {
  const a = await open(env.browser, env.isolated.url);
  const b = await open(env.browser, env.plain.url);
  const [ra, rb] = await Promise.all([runBoth(a, 2), runBoth(b, 2)]);
  assert.equal(Object.is(ra.one.value, rb.one.value), true);
  await a.close();
  await b.close();
});

test('bad arguments are NumwasmErrors and the engine stays usable', async () => {
  const page = await open(env.browser, env.isolated.url);
  const r = await page.evaluate(async () => {
    const nw = await import('/web/src/index.js');
    await nw.init({ threads: 2 });
    const errs = [];
    for (const bad of [() => nw.setNumThreads(0), () => nw.setNumThreads(3), () => nw.selfTest(10, { threads: 9 }), () => nw.selfTest(10, { bogus: 1 })]) {
      try {
        await bad();
        errs.push(null);
      } catch (e) {
        errs.push({ name: e.name, kind: e.kind, message: e.message });
      }
    }
    nw.setNumThreads(1);
    const after = await nw.selfTest(1000);
    return { errs, after: after.value, k: nw.getNumThreads() };
  });
  assert.deepEqual(r.errs.map((e) => e?.kind), ['ValueError', 'ValueError', 'ValueError', 'TypeError']);
  assert.ok(r.errs.every((e) => e.name === 'NumwasmError'));
  assert.match(r.errs[3].message, /unexpected option 'bogus'/);
  assert.equal(r.k, 1);
  assert.ok(Number.isFinite(r.after));
  await page.close();
});
