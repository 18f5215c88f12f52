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
  // A small compiled run goes through the shared slot's binary form, which carries the tier.
  const c = await nw.compile('a * 2', { a: 'float64' });
  const small = (await c.run({ a: new Float64Array([1, 2, 3]) })).timing.tier;
  c.free();
  return { status, out, jsSame, polyFirst: poly.first, staging: nw.status().staging, small };
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
  // The 8 MB inputs were staged: written by the page straight into wasm memory.
  assert.equal(r.staging.available, true);
  assert.ok(r.staging.calls >= 15, JSON.stringify(r.staging));
  assert.equal(r.small, 'wasm');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('not isolated: the simd build gives the same numbers as the threads build', async () => {
  const a = await open(env.browser, env.isolated.url);
  const b = await open(env.browser, env.plain.url);
  const ra = await a.evaluate(workloads);
  const rb = await b.evaluate(workloads);
  assert.equal(rb.status.build, 'simd');
  // The simd build's memory is not shared: inputs go by message, the same numbers come back.
  assert.equal(rb.staging.available, false);
  assert.equal(rb.small, 'wasm');
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

// Runs in the page: calls started together, mixing the shared-memory slot (small run and
// evaluate) with postMessage (compile, array, free, inputs or results too big for the slot),
// settle in order with the right values; errors on either path leave the engine usable.
async function mixedCalls() {
  const nw = await import('/web/src/index.js');
  await nw.init({ threads: 2 });
  const small = Float64Array.from({ length: 1000 }, (_, i) => i);
  const big = Float64Array.from({ length: 300_000 }, (_, i) => i); // 2.4 MB: over the slot
  const c = await nw.compile('2*a + 3*b', { a: 'float64', b: 'float64' });
  const order = [];
  const track = (name, p) => p.then((v) => (order.push(name), v), (e) => (order.push(name), { error: e.kind }));
  const h = await nw.array(small);
  const wrong = await nw.array(new Float64Array(3));
  const [r1, r2, r3, r4, r5, r6, r8, r9, r10] = await Promise.all([
    track('run', c.run({ a: small, b: small })),
    track('evaluate-big', nw.evaluate('a * 2', { a: big })),
    track('array', nw.array(small)),
    track('evaluate-resident', nw.evaluate('sum(h)', { h })),
    track('error', nw.evaluate('a +', { a: small })),
    // An outer product: small inputs, a result (8 MB) too big for the slot.
    track('outer', nw.evaluate('a * b', { a: { data: small, shape: [1000, 1] }, b: small })),
    track('run-resident', c.run({ a: h, b: h })),
    track('scalars', nw.evaluate('a * k + x', { a: small, k: 3, x: -0.5 })),
    track('run-error', c.run({ a: h, b: small }, { out: wrong })),
  ]);
  const ok = (r, f) => r.data && [...r.data].every((v, i) => v === f(i));
  return {
    order,
    run: ok(r1, (i) => 5 * i),
    big: r2.data.length === 300_000 && ok(r2, (i) => 2 * i),
    array: typeof r3 === 'object' && r3.shape[0] === 1000,
    sum: r4.data[0] === (999 * 1000) / 2,
    error: r5.error,
    outer: r6.data.length === 1e6 && r6.shape.join() === '1000,1000' && r6.data[3 * 1000 + 7] === 21,
    runResident: ok(r8, (i) => 5 * i),
    scalars: ok(r9, (i) => 3 * i - 0.5),
    runError: r10.error,
    after: (await nw.evaluate('a + 1', { a: small })).data[999],
  };
}

test('isolated page: calls over the shared slot and postMessage settle in order', async () => {
  const page = await open(env.browser, env.isolated.url);
  const r = await page.evaluate(mixedCalls);
  assert.deepEqual(r.order, ['run', 'evaluate-big', 'array', 'evaluate-resident', 'error', 'outer', 'run-resident', 'scalars', 'run-error']);
  assert.equal(r.runError, 'ValueError');
  assert.equal(r.run, true);
  assert.equal(r.big, true);
  assert.equal(r.array, true);
  assert.equal(r.sum, true);
  assert.equal(r.error, 'SyntaxError');
  assert.equal(r.runResident, true);
  assert.equal(r.scalars, true);
  assert.equal(r.outer, true);
  assert.equal(r.after, 1000);
});
