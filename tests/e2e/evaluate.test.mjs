// The expression API in Chromium through the compute worker: the threads build with a pool
// of 2 (results identical for 1 and 2 threads, reductions to the bit) and the simd fallback.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { open, useBrowserAndServers } from './browser.mjs';

const env = useBrowserAndServers();

// Runs in the page: the same expressions with 1 and with every pool thread.
async function workloads() {
  const nw = await import('/web/src/index.js');
  const status = await nw.init({ threads: 2 });
  const n = 1_000_003;
  const rnd = (seed) => {
    let s = seed;
    return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  };
  const r = rnd(7);
  const x = Float64Array.from({ length: n }, () => r() * 2 - 1);
  const y = Float64Array.from({ length: n }, () => r());
  const z = Float64Array.from({ length: n }, () => r() * 10);
  const exprs = ['x + (y**2 + (z*x + 1)*3)', '(2*x + 3*y)/y', 'exp(2.1*x + 3.2*y)', 'sin(x)**2 + cos(y)**2', 'sum(x*y)', 'x - mean(x)', 'max(z) - min(z)'];
  const out = {};
  for (const e of exprs) {
    const one = await nw.evaluate(e, { x, y, z }, { threads: 1 });
    const all = await nw.evaluate(e, { x, y, z }, { threads: status.poolSize });
    let same = one.data.length === all.data.length;
    for (let i = 0; same && i < one.data.length; i++) same = Object.is(one.data[i], all.data[i]);
    out[e] = { same, dtype: one.dtype, shape: one.shape, first: one.data[0], ms1: one.timing.computeMs, msN: all.timing.computeMs };
  }
  let jsSame = true;
  const poly = out['x + (y**2 + (z*x + 1)*3)'];
  const check = await nw.evaluate('x + (y**2 + (z*x + 1)*3)', { x, y, z });
  for (let i = 0; jsSame && i < n; i++) jsSame = check.data[i] === x[i] + (y[i] ** 2 + (z[i] * x[i] + 1) * 3);
  return { status, out, jsSame, polyFirst: poly.first };
}

test('isolated page: expressions give identical results on 1 and 2 threads', async () => {
  const page = await open(env.browser, env.isolated.url);
  const r = await page.evaluate(workloads);
  assert.equal(r.status.build, 'threads');
  assert.equal(r.status.poolSize, 2);
  for (const [e, v] of Object.entries(r.out)) {
    console.log(`${e}: 1 thread ${v.ms1.toFixed(2)} ms, 2 threads ${v.msN.toFixed(2)} ms (informative)`);
    assert.equal(v.same, true, `${e} differs between 1 and 2 threads`);
  }
  assert.deepEqual(r.out['sum(x*y)'].shape, []);
  assert.equal(r.jsSame, true, 'poly equals the JS loop element for element');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('not isolated: the simd build gives the same numbers as the threads build', async () => {
  const a = await open(env.browser, env.isolated.url);
  const b = await open(env.browser, env.plain.url);
  const ra = await a.evaluate(workloads);
  const rb = await b.evaluate(workloads);
  assert.equal(rb.status.build, 'simd');
  for (const e of Object.keys(ra.out)) {
    assert.equal(Object.is(ra.out[e].first, rb.out[e].first), true, e);
  }
  await a.close();
  await b.close();
});

test('errors cross the worker as NumwasmErrors with spans; resident arrays work', async () => {
  const page = await open(env.browser, env.isolated.url);
  const r = await page.evaluate(async () => {
    const nw = await import('/web/src/index.js');
    await nw.init({ threads: 2 });
    const x = new Float64Array([1, 2, 3]);
    const e = await nw.evaluate('x + * 2', { x }).catch((err) => err);
    const h = await nw.array(new Float64Array(100_000).fill(0.5));
    const s = await nw.evaluate('sum(h*h)', { h });
    const before = await nw.residentCount();
    h.free();
    const c = await nw.compile('2*a + 1', { a: 'float32' });
    const run = await c.run({ a: new Float32Array([1, 2]) });
    const mem = await nw.evaluate('a + b', { a: { data: new Float64Array(100000), shape: [100000, 1] }, b: new Float64Array(100000) }).catch((err) => err);
    return {
      name: e.name, kind: e.kind, span: e.span, frame: e.format(),
      sum: s.data[0], before, after: await nw.residentCount(),
      run: [...run.data], runDtype: run.dtype, dis: await c.disassemble(), mem: mem.kind, memMessage: mem.message,
      after2: (await nw.evaluate('sum(a)', { a: [1, 2] })).data[0],
    };
  });
  assert.equal(r.name, 'NumwasmError');
  assert.equal(r.kind, 'SyntaxError');
  assert.deepEqual(r.span, { start: 4, end: 5 });
  assert.match(r.frame, /x \+ \* 2\n {6}\^/);
  assert.equal(r.sum, 25_000);
  assert.equal(r.before - r.after, 1);
  assert.deepEqual(r.run, [3, 5]);
  assert.equal(r.runDtype, 'float32');
  assert.match(r.dis, /; bytecode/);
  // 1e10 elements: too big for wasm32's address space (ValueError, as NumPy's "array is too
  // big") or for its memory (MemoryError); either way a clear error, and the engine lives on.
  assert.ok(['MemoryError', 'ValueError'].includes(r.mem), `${r.mem}: ${r.memMessage}`);
  assert.equal(r.after2, 3);
  await page.close();
});
