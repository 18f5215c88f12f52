// Node runs like a browser: the threads build in a compute worker thread with a pool of
// worker threads. A parallel call uses 2 threads and gives the bits of 1 thread and of the
// simd build; thread counts above what there is are clamped with a warning; the README's
// usage block runs as written; where worker threads are forbidden (the permission model)
// the simd build runs in-process, and status() says why.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';

import * as simd from '../dist/simd/numwasm.js';
import { makeEngine } from '../src/engine.js';
import * as nw from '../src/node.js';

const NODE_ENTRY = new URL('../src/node.js', import.meta.url).href;
const README = new URL('../../README.md', import.meta.url);

const kind = (k, re) => (e) => e instanceof nw.NumwasmError && e.kind === k && (!re || re.test(e.message));

/** Runs an ES module's source in a fresh Node process; returns its standard output. */
function runModule(source, flags = [], env = process.env) {
  return execFileSync(process.execPath, [...flags, '--input-type=module', '-e', source], {
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Records console.warn while `fn` runs. */
async function warnings(fn) {
  const seen = [];
  const warn = console.warn;
  console.warn = (...args) => seen.push(args.join(' '));
  try {
    await fn();
  } finally {
    console.warn = warn;
  }
  return seen;
}

const sameBits = (a, b) => a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

before(async () => {
  await nw.init({ threads: 2 });
});

test('a parallel evaluate runs on 2 threads and gives the bits of 1 thread and of the simd build', async () => {
  assert.equal(nw.status().build, 'threads');
  assert.equal(nw.status().engine, 'worker');
  const n = 1 << 20;
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 4);
  const y = Float32Array.from({ length: n }, (_, i) => (i % 1000) / 250 - 2);
  const cases = ['sin(x)**2 + cos(x)*exp(-x)', 'sum(sqrt(abs(x)) * x)', 'arctan2(y, 1.5) + log1p(y*y)', 'mean(y) + x'];
  await simd.default({ module_or_path: readFileSync(new URL('../dist/simd/numwasm_bg.wasm', import.meta.url)) });
  const reference = makeEngine(simd);
  for (const source of cases) {
    const one = await nw.evaluate(source, { x, y }, { threads: 1 });
    const two = await nw.evaluate(source, { x, y }, { threads: 2 });
    assert.equal(one.timing.threads, 1, source);
    assert.equal(two.timing.threads, 2, source);
    assert.ok(sameBits(one.data, two.data), `${source}: 1 and 2 threads differ`);
    const inputs = [
      { name: 'x', array: true, dtype: 'float64', shape: [n], data: x },
      { name: 'y', array: true, dtype: 'float32', shape: [n], data: y },
    ];
    const single = reference.evaluate({ source, inputs, threads: 1 }).result;
    assert.equal(single.dtype, two.dtype, source);
    assert.ok(sameBits(single.data, two.data), `${source}: the threads build differs from the simd build`);
  }
  // Every workload of the pool self-test, too.
  const a = await nw.selfTest(4_000_000, { threads: 1 });
  const b = await nw.selfTest(4_000_000, { threads: 2 });
  assert.ok(Object.is(a.value, b.value));
  assert.ok(Object.is(a.value, simd.selfTest(4_000_000, 1)));
});

test('a per-call thread count above the pool is clamped to it, with one warning', async () => {
  const x = new Float64Array(1 << 20).map((_, i) => i / 7);
  const c = await nw.compile('exp(-x) * sin(x)', { x: 'float64' });
  let r;
  const seen = await warnings(async () => {
    r = await nw.evaluate('exp(-x) * sin(x)', { x }, { threads: 64 });
    await c.run({ x }, { threads: 3 });
    const m = await nw.kernels('from numba import njit\n@njit\ndef f(a):\n    return a.sum()\n');
    assert.equal((await m.call('f', [[1, 2]], { threads: 9 })).data[0], 3);
  });
  assert.equal(r.timing.threads, 2);
  assert.equal(seen.length, 1, seen.join('\n'));
  assert.match(seen[0], /evaluate\(\): threads: 64 is more than the pool's 2; using 2/);
  // Still errors: not an integer, or below 1; and setNumThreads keeps Numba's strict rule.
  await assert.rejects(nw.evaluate('x', { x }, { threads: 2.5 }), kind('ValueError'));
  await assert.rejects(c.run({ x }, { threads: 0 }), kind('ValueError'));
  assert.throws(() => nw.setNumThreads(3), kind('ValueError'));
  c.free();
});

test("the README's usage block runs as written", () => {
  const readme = readFileSync(README, 'utf8');
  const block = readme.split('## Using the package')[1].match(/```js\n([\s\S]*?)```/)[1];
  assert.match(block, /await e\.run\(\{ a: x, b: x \}, \{ threads: 2 \}\);/);
  const source =
    block.replace('from "numwasm"', `from ${JSON.stringify(NODE_ENTRY)}`) +
    '\nconsole.log(JSON.stringify({ status: nw.status(), shape: r.shape, dtype: r.dtype, first: r.data[0], x0: x[0], threads: r.timing.threads }));\n';
  const out = JSON.parse(runModule(source));
  assert.equal(out.status.build, 'threads');
  assert.equal(out.status.engine, 'worker');
  assert.equal(out.status.poolSize, Math.min(4, nw.ncores));
  assert.deepEqual(out.shape, [1_000_000]);
  assert.equal(out.dtype, 'float64');
  const x0 = out.x0;
  assert.equal(out.first, x0 + (x0 ** 2 + (x0 * x0 + 1) * 3));
  assert.ok(out.threads >= 1 && out.threads <= 4);
});

test('init({ threads }) above the cores here is clamped to them with a warning', () => {
  const source = `
const warnings = [];
console.warn = (...a) => warnings.push(a.join(' '));
const nw = await import(${JSON.stringify(NODE_ENTRY)});
const s = await nw.init({ threads: nw.ncores + 3 });
console.log(JSON.stringify({ poolSize: s.poolSize, ncores: nw.ncores, warnings }));
`;
  const out = JSON.parse(runModule(source));
  assert.equal(out.poolSize, out.ncores);
  assert.deepEqual(out.warnings, [
    `numwasm: init(): threads: ${out.ncores + 3} is more than the ${out.ncores} cores here; starting ${out.ncores}`,
  ]);
});

test('NUMWASM_NUM_THREADS sets the cores counted, above the machine\'s if asked; a bad value is ignored with a warning', () => {
  const source = `
const warnings = [];
console.warn = (...a) => warnings.push(a.join(' '));
const nw = await import(${JSON.stringify(NODE_ENTRY)});
const s = await nw.init({ threads: nw.ncores + 1 });
const e = await nw.evaluate('x * 2', { x: new Float64Array(4) }, { threads: s.poolSize });
console.log(JSON.stringify({ poolSize: s.poolSize, ncores: nw.ncores, warnings, ok: e.data[0] === 0 }));
`;
  const { NUMWASM_NUM_THREADS: _, ...clean } = process.env;
  const five = JSON.parse(runModule(source, [], { ...clean, NUMWASM_NUM_THREADS: '5' }));
  assert.deepEqual(five, {
    poolSize: 5,
    ncores: 5,
    warnings: ['numwasm: init(): threads: 6 is more than the 5 cores here; starting 5'],
    ok: true,
  });
  const bad = JSON.parse(runModule(source, [], { ...clean, NUMWASM_NUM_THREADS: '0' }));
  assert.equal(bad.ncores, nw.ncores);
  assert.equal(bad.poolSize, nw.ncores);
  assert.equal(bad.warnings[0], `numwasm: NUMWASM_NUM_THREADS="0" is not an integer from 1 to 256; counting the machine's ${nw.ncores} cores`);
});

test('init({ threads }) that is not an integer >= 1 is a ValueError, and init can be called again', () => {
  const source = `
const nw = await import(${JSON.stringify(NODE_ENTRY)});
const bad = [];
for (const threads of [0, 1.5, -2, '2']) bad.push(await nw.init({ threads }).catch((e) => e.kind));
const s = await nw.init({ threads: 1 });
console.log(JSON.stringify({ bad, poolSize: s.poolSize }));
`;
  assert.deepEqual(JSON.parse(runModule(source)), { bad: ['ValueError', 'ValueError', 'ValueError', 'ValueError'], poolSize: 1 });
});

test('without worker threads (permission model) the simd build runs in-process, and says why', () => {
  const source = `
const warnings = [];
console.warn = (...a) => warnings.push(a.join(' '));
const nw = await import(${JSON.stringify(NODE_ENTRY)});
const { engineCall } = await import(${JSON.stringify(new URL('../src/api.js', import.meta.url).href)});
const s = await nw.init({ threads: 2 });
const r = await nw.evaluate('a * 3', { a: [1, 2] }, { threads: 2 });
const h = await nw.array([1, 2]);
const pre = await nw.evaluate('a', { a: [1] }, { signal: AbortSignal.abort() }).catch((e) => e.name);
const trap = await engineCall('test', 'trapForTesting', {}).catch((e) => e.message);
const stale = await nw.evaluate('h', { h }).catch((e) => e.kind);
const after = await nw.evaluate('a + 1', { a: [1, 2] });
console.log(JSON.stringify({ s, r: [...r.data], threads: r.timing.threads, pre, trap, stale, after: [...after.data], status: nw.status(), warnings }));
`;
  const out = JSON.parse(runModule(source, ['--experimental-permission', '--allow-fs-read=*', '--no-warnings']));
  assert.equal(out.s.build, 'simd');
  assert.equal(out.s.engine, 'in-process');
  assert.equal(out.s.poolSize, 1);
  assert.match(out.s.fallback, /^the compute worker could not start \(ERR_ACCESS_DENIED: .*\), so the simd build runs in-process on 1 thread$/);
  assert.deepEqual(out.r, [3, 6]);
  assert.equal(out.threads, 1);
  assert.equal(out.pre, 'AbortError');
  assert.match(out.trap, /engine was restarted because the engine trapped in trapForTesting/);
  assert.equal(out.stale, 'ValueError');
  assert.deepEqual(out.after, [2, 3]);
  assert.equal(out.status.restarts, 1);
  assert.equal(out.warnings.length, 2);
  assert.match(out.warnings[0], /init\(\): threads: 2 asked for, but the compute worker could not start/);
  assert.match(out.warnings[1], /evaluate\(\): threads: 2 is more than the pool's 1/);
});

test('an idle engine does not keep a Node process alive', () => {
  // execFileSync returns only when the child exits.
  const out = runModule(`
const nw = await import(${JSON.stringify(NODE_ENTRY)});
await nw.init({ threads: 2 });
const r = await nw.evaluate('sum(a)', { a: [1, 2, 3] });
console.log(nw.status().engine, r.data[0]);
`);
  assert.equal(out.trim(), 'worker 6');
});
