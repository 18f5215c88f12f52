// What crosses from JS to the engine: every malformed value a caller can pass is a
// NumwasmError with a kind (never a bare JS error, never a wrong result), and the limits
// the engine sets are its own (a reduction over a broadcast too big to store runs).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';

import * as glue from '../dist/simd/numwasm.js';
import { RESIDENT, normalizeInput } from '../src/ndarray.js';
import * as nw from '../src/node.js';

const kind = (k, re) => (e) => e.name === 'NumwasmError' && e.kind === k && (!re || re.test(e.message));

before(async () => {
  await nw.init();
  // The package runs its engine in a worker thread: the simd build is instantiated here too,
  // for the checks of the binding itself.
  await glue.default({ module_or_path: readFileSync(new URL('../dist/simd/numwasm_bg.wasm', import.meta.url)) });
});

// Names an object literal inherits from Object.prototype.
const PROTOTYPE_NAMES = ['toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf'];

test('dtype names are looked up as own keys: Object.prototype members are unknown dtypes', async () => {
  const data = new Float64Array(4);
  for (const dtype of PROTOTYPE_NAMES) {
    assert.throws(() => normalizeInput('a', { data, dtype }), kind('TypeError', /unknown dtype/), dtype);
    await assert.rejects(nw.evaluate('a + 1', { a: { data, dtype } }), kind('TypeError', /unknown dtype/), dtype);
    await assert.rejects(nw.array({ data, dtype }), kind('TypeError', /unknown dtype/), dtype);
    await assert.rejects(nw.compile('a + 1', { a: dtype }), kind('TypeError', /unknown dtype/), dtype);
    await assert.rejects(nw.compile('a + 1', { a: { dtype, shape: [4] } }), kind('TypeError', /unknown dtype/), dtype);
  }
  // Values that no message template can print plainly are still reported.
  assert.throws(() => normalizeInput('a', { data, dtype: Symbol('f8') }), kind('TypeError', /unknown dtype Symbol\(f8\)/));
  assert.throws(() => normalizeInput('a', { data, dtype: Object.create(null) }), kind('TypeError', /unknown dtype/));
  await assert.rejects(nw.compile('a', { a: { dtype: 8n } }), kind('TypeError', /unknown dtype 8n/));
  await assert.rejects(nw.evaluate('a', { a: { scalar: 1n, value: 1 } }), kind('TypeError', /got 1n/));
});

test('a bigint in a shape is a TypeError that shows it', async () => {
  const data = new Float64Array(4);
  assert.throws(() => normalizeInput('a', { data, shape: [4n] }), kind('TypeError', /shape .* got \[4n\]/));
  await assert.rejects(nw.evaluate('a + 1', { a: { data, shape: [4n] } }), kind('TypeError', /\[4n\]/));
  await assert.rejects(nw.compile('a + 1', { a: { dtype: 'float64', shape: [2n, 2] } }), kind('TypeError', /\[2n,2\]/));
});

test('strides and offsets must be integers that stay inside the data', async () => {
  const data = new Float64Array([1, 2, 3, 4]);
  const bad = [
    [{ shape: [4], stride: [2] }, /reads elements 0 to 6, but data has 4/],
    [{ shape: [2, 2], stride: [2, 2] }, /reads elements 0 to 4/],
    [{ shape: [4], stride: [1], offset: 1 }, /reads elements 1 to 4/],
    [{ shape: [4], stride: [-1] }, /reads elements -3 to 0/],
    [{ shape: [4], stride: [1], offset: -1 }, /offset must be a non-negative integer, got -1/],
    [{ shape: [3], offset: 1.5 }, /offset must be a non-negative integer, got 1.5/],
    [{ shape: [4], stride: [NaN] }, /stride must be an array of integers, one per dimension \(1\), got \[NaN\]/],
    [{ shape: [4], stride: [0.5] }, /stride/],
    [{ shape: [4], stride: [1n] }, /got \[1n\]/],
    [{ shape: [4], stride: [1, 1] }, /one per dimension \(1\)/],
    [{ shape: [4], stride: 1 }, /stride/],
  ];
  for (const [view, message] of bad) {
    assert.throws(() => normalizeInput('a', { data, ...view }), kind('ValueError', message), JSON.stringify(view, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)));
    await assert.rejects(nw.evaluate('a * 2', { a: { data, ...view } }), kind('ValueError', message));
  }
  // In-range views still gather: every other element, backwards from the end, a broadcast.
  assert.deepEqual([...(await nw.evaluate('a * 2', { a: { data, shape: [2], stride: [2] } })).data], [2, 6]);
  assert.deepEqual([...(await nw.evaluate('a * 2', { a: { data, shape: [4], stride: [-1], offset: 3 } })).data], [8, 6, 4, 2]);
  const r = await nw.evaluate('a * 2', { a: { data, shape: [2, 3], stride: [0, 1], offset: 1 } });
  assert.deepEqual([...r.data], [4, 6, 8, 4, 6, 8]);
  // A zero-size view reads nothing, whatever its strides.
  assert.deepEqual(normalizeInput('a', { data, shape: [0, 5], stride: [100, 100] }).shape, [0, 5]);
});

test("NumPy's 'strides' is refused rather than ignored", async () => {
  const data = new Float64Array([1, 2, 3, 4, 5, 6]);
  const view = { data, shape: [3, 2], strides: [1, 3] };
  assert.throws(() => normalizeInput('a', view), kind('ValueError', /'strides' is not read/));
  await assert.rejects(nw.evaluate('a + 1', { a: view }), kind('ValueError', /'strides' is not read/));
  // The same view in elements, as `stride`, reads the transpose.
  const r = await nw.evaluate('a + 0', { a: { data, shape: [3, 2], stride: [1, 3] } });
  assert.deepEqual(Array.from(r.data), [1, 4, 2, 5, 3, 6]);
});

test('a zero-stride view too big for wasm memory is a MemoryError, not a RangeError', async () => {
  const a = { data: new Float64Array(4), shape: [1e5, 1e5], stride: [0, 0] };
  assert.throws(() => normalizeInput('a', a), kind('MemoryError', /10000000000 elements of float64 .* do not fit in wasm memory/));
  await assert.rejects(nw.evaluate('sum(a)', { a }), kind('MemoryError'));
  await assert.rejects(nw.compile('a + 1', { a: { dtype: 'float64', shape: [1e5, 1e5] } }), kind('MemoryError', /compile\(\): 'a'/));
});

test('selfTest refuses an n that would wrap around 32 bits', async () => {
  const five = await nw.selfTest(5);
  await assert.rejects(nw.selfTest(2 ** 32 + 5), kind('ValueError', /at most 4294967295, got 4294967301/));
  await assert.rejects(nw.selfTest(2 ** 53), kind('ValueError'));
  assert.equal((await nw.selfTest(5)).value, five.value);
  assert.ok(Number.isFinite((await nw.selfTest(2 ** 16)).value));
  // The binding itself takes the number whole and refuses it, rather than wrapping it.
  for (const n of [2 ** 32 + 5, -1, 2.5, NaN]) {
    assert.throws(() => glue.selfTest(n, 1), (e) => e.kind === 'ValueError' && /selfTest\(\): n must be/.test(e.message), String(n));
  }
  assert.equal(glue.selfTest(5, 1), five.value);
});

test("a resident array's dtype and shape are the engine's and cannot be changed", async () => {
  const h = await nw.array(new Int32Array([1, 2, 3]));
  assert.throws(() => {
    h.dtype = 'float64';
  }, kind('AttributeError', /dtype is read-only \(it holds int32 data\)/));
  assert.throws(() => {
    h.shape = [4];
  }, kind('AttributeError', /shape is read-only/));
  assert.throws(() => h.shape.push(4), TypeError, 'the shape array is frozen');
  assert.equal(h.dtype, 'int32');
  assert.deepEqual(h.shape, [3]);
  const c = await nw.compile('h + 1', { h: 'float64' });
  await assert.rejects(c.run({ h }), kind('TypeError', /compiled as float64, got int32/));
  const r = await nw.evaluate('h + 1', { h });
  assert.deepEqual({ dtype: r.dtype, data: [...r.data] }, { dtype: 'int32', data: [2, 3, 4] });
  // A handle forged around the engine's id, labelled float64: the engine's record decides.
  const forged = { [RESIDENT]: h[RESIDENT], dtype: 'float64', shape: [3] };
  await assert.rejects(c.run({ h: forged }), kind('TypeError', /compiled as float64, got a resident int32 array/));
  h.free();
  c.free();
});

test('a full reduction over a broadcast bigger than 2^28 elements runs', async () => {
  // 17,000 x 17,000 = 289,000,000 elements, more than 2^28: no buffer of that size is
  // needed, only the loop over it (in wasm32 an array may have at most 2^31 bytes).
  const n = 17_000;
  const a = { data: new Int8Array(n).fill(1), shape: [n, 1] };
  const b = new Int8Array(n).fill(2);
  const r = await nw.evaluate('sum(a + b)', { a, b });
  assert.deepEqual({ dtype: r.dtype, shape: r.shape, value: r.data[0] }, { dtype: 'int64', shape: [], value: 3n * BigInt(n * n) });
  // The broadcast itself would be stored: float64 of 2^31 bytes or more is too big.
  const f = { data: new Float64Array(n), shape: [n, 1] };
  await assert.rejects(nw.evaluate('f + b', { f, b }), kind('ValueError', /array is too big: the result/));
});

test('NumPy 2 semantics through the wasm build: rint, signed zeros, sums of -0.0', async () => {
  let r = await nw.evaluate('rint(a)', { a: new Int8Array([1, -2, 3]) });
  assert.deepEqual({ dtype: r.dtype, data: [...r.data] }, { dtype: 'float32', data: [1, -2, 3] });
  r = await nw.evaluate('rint(a)', { a: new Int32Array([7]) });
  assert.equal(r.dtype, 'float64');
  r = await nw.evaluate('round(a)', { a: new Int32Array([7]) });
  assert.equal(r.dtype, 'int32');
  for (const [src, want] of [
    ['fmax(-0.0, 0.0)', -0],
    ['fmax(0.0, -0.0)', 0],
    ['fmin(-0.0, 0.0)', -0],
    ['maximum(-0.0, 0.0)', 0],
    ['sum(-0.0)', 0],
    ['mean(-0.0)', 0],
    ['prod(-0.0)', -0],
  ]) {
    assert.ok(Object.is((await nw.evaluate(src)).data[0], want), src);
  }
  const z = new Float64Array(1000).map((_, i) => (i % 3 ? 0 : -0));
  const w = new Float64Array(1000).map((_, i) => (i % 2 ? 0 : -0));
  r = await nw.evaluate('fmax(z, w)', { z, w });
  assert.ok(r.data.every((v, i) => Object.is(v, z[i])), 'fmax keeps the first of equal zeros');
});
