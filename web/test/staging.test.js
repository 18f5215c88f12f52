// Staging: in Node (the threads build in a worker thread, on shared memory) `evaluate` and
// `run` write array inputs of STAGE_MIN bytes or more straight into the engine's memory and
// copy the result straight out. Staged calls give what the same calls give unstaged (small
// slices of the same data, or the engine's other paths), for every stageable dtype, with
// slots that grow, change dtype and mix with resident and scalar inputs, into typed `out`
// arrays, for reductions and compiled runs; errors leave the engine and its staging usable.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as nw from '../src/node.js';
import { engineCall } from '../src/api.js';
import { STAGE_KEEP, STAGE_MIN } from '../src/remote.js';

const kind = (k, re) => (e) => e instanceof nw.NumwasmError && e.kind === k && (!re || re.test(e.message));

before(async () => {
  await nw.init({ threads: 2 });
});

function fill(Type, n, seed) {
  const a = new Type(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = (s / 2 ** 32) * 6 - 3;
    a[i] = Type === BigInt64Array ? BigInt(Math.round(v * 1e6)) : Type.name.startsWith('Float') ? v : Math.round(v * 16);
  }
  return a;
}

function sameArray(a, b) {
  assert.equal(a.constructor, b.constructor);
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (!(Object.is(a[i], b[i]) || (Number.isNaN(a[i]) && Number.isNaN(b[i])))) assert.fail(`element ${i}: ${a[i]} vs ${b[i]}`);
  }
}

/** The same call on the data in pieces below STAGE_MIN (never staged), concatenated. */
async function unstaged(source, inputs, piece) {
  const n = Object.values(inputs)[0].length;
  const parts = [];
  for (let at = 0; at < n; at += piece) {
    const slice = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, ArrayBuffer.isView(v) ? v.subarray(at, at + piece) : v]));
    parts.push((await nw.evaluate(source, slice)).data);
  }
  const out = new parts[0].constructor(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

test('Node stages large inputs: status says so, small calls are not staged', async () => {
  const s0 = nw.status().staging;
  assert.equal(s0.available, true);
  const small = new Float64Array(100).fill(2);
  await nw.evaluate('a * 3', { a: small });
  assert.equal(nw.status().staging.calls, s0.calls);
  const big = new Float64Array(STAGE_MIN / 8).fill(2);
  const r = await nw.evaluate('a * 3', { a: big });
  assert.equal(r.data[0], 6);
  assert.equal(r.data.length, big.length);
  const s1 = nw.status().staging;
  assert.equal(s1.calls, s0.calls + 1);
  assert.ok(s1.bytes >= big.byteLength);
});

test('staged calls give the unstaged results for every stageable dtype', async () => {
  const n = 40_000;
  const piece = 500;
  for (const [Type, src] of [
    [Float64Array, 'a * 2.5 + b'],
    [Float32Array, 'a * b - 1'],
    [Int32Array, 'a * 3 - b'],
    [Int16Array, 'a + b'],
    [Uint8Array, 'a + b'],
    [Int8Array, 'a - b'],
    [Uint32Array, 'a // (b + 1)'],
    [BigInt64Array, 'a * 7 + b'],
  ]) {
    const a = fill(Type, n, 1);
    const b = Type === Uint32Array || Type === Uint8Array ? fill(Type, n, 2).map((v) => v % 50) : fill(Type, n, 2);
    const before = nw.status().staging.calls;
    const got = await nw.evaluate(src, { a, b });
    assert.equal(nw.status().staging.calls, before + 1, `${Type.name} was staged`);
    sameArray(got.data, await unstaged(src, { a, b }, piece));
  }
});

test('slots grow, change dtype and shrink in use; the caller arrays are untouched', async () => {
  for (const [n, Type] of [
    [3000, Float64Array],
    [50_000, Float64Array],
    [20_000, Float64Array],
    [30_000, Float32Array],
    [70_000, Int32Array],
  ]) {
    const x = fill(Type, n, n);
    const y = fill(Type, n, n + 1);
    const xs = x.slice();
    const got = await nw.evaluate('where(x > y, x - y, y * 2)', { x, y });
    sameArray(got.data, await unstaged('where(x > y, x - y, y * 2)', { x, y }, 1000));
    sameArray(x, xs);
  }
});

test('staged with resident and scalar inputs, 2-d shapes, reductions, typed out and compiled runs', async () => {
  const n = 30_000;
  const a = fill(Float64Array, n, 5);
  const b = fill(Float64Array, n, 6);
  const rb = await nw.array(b);
  try {
    // Resident b, staged a, a weak scalar.
    const mixed = await nw.evaluate('a * 2 + b - k', { a, b: rb, k: 0.5 });
    sameArray(mixed.data, await unstaged('a * 2 + b - k', { a, b, k: 0.5 }, 1000));
    // 2-d, with a broadcast row that is itself small.
    const m = { data: a, shape: [100, 300] };
    const row = fill(Float64Array, 300, 7);
    const twoD = await nw.evaluate('m * row', { m, row });
    assert.deepEqual(twoD.shape, [100, 300]);
    for (const i of [0, 299, 300, 29_999]) assert.equal(twoD.data[i], a[i] * row[i % 300]);
    // Reductions stage their inputs; the result is the unstaged engine's sum over the same data.
    const s = await nw.evaluate('sum(a * b)', { a, b });
    const ra = await nw.array(a);
    const resident = await nw.evaluate('sum(a * b)', { a: ra, b: rb });
    ra.free();
    assert.equal(s.data[0], resident.data[0]);
    // Into a typed out: the same array comes back with the result.
    const out = new Float64Array(n);
    const into = await nw.evaluate('a - b', { a, b }, { out });
    assert.equal(into.data, out);
    for (const i of [0, 17, n - 1]) assert.equal(out[i], a[i] - b[i]);
    // An out of another length is the usual ValueError, and nothing was written.
    const wrong = new Float64Array(5);
    await assert.rejects(nw.evaluate('a - b', { a, b }, { out: wrong }), kind('ValueError', /out must be/));
    assert.deepEqual([...wrong], [0, 0, 0, 0, 0]);
    // Compiled runs stage too, on both tiers, with the same bits.
    const c = await nw.compile('a * b + 1', { a: 'float64', b: 'float64' });
    const before = nw.status().staging.calls;
    const vm = await c.run({ a, b }, { tier: 'vm' });
    const wasm = await c.run({ a, b }, { tier: 'wasm' });
    assert.equal(nw.status().staging.calls, before + 2);
    assert.equal(wasm.timing.tier, 'wasm');
    sameArray(vm.data, wasm.data);
    sameArray(vm.data, await unstaged('a * b + 1', { a, b }, 1000));
    c.free();
  } finally {
    rb.free();
  }
});

test('errors with staged inputs leave the engine and its staging usable', async () => {
  const a = fill(Float64Array, 20_000, 9);
  const b = fill(Float64Array, 10_000, 10);
  await assert.rejects(nw.evaluate('a + b', { a, b }), kind('ValueError', /broadcast/));
  await assert.rejects(nw.evaluate('a +', { a }), kind('SyntaxError'));
  const c = await nw.compile('a * 2', { a: 'float64' });
  await assert.rejects(c.run({ a: fill(Float32Array, 20_000, 1) }), kind('TypeError'));
  const r = await nw.evaluate('a * 2', { a });
  for (const i of [0, 19_999]) assert.equal(r.data[i], a[i] * 2);
  c.free();
  // Bool inputs are never staged (their bytes must be 0 or 1) and still work beside staged ones.
  const mask = new Uint8Array(20_000).map((_, i) => i % 2);
  const w = await nw.evaluate('where(m, a, -a)', { m: { data: mask, dtype: 'bool', shape: [20_000] }, a });
  assert.equal(w.data[1], a[1]);
  assert.equal(w.data[2], -a[2]);
});

test('staging beyond STAGE_KEEP is freed after the call; smaller staging is kept for the next', async () => {
  const n = STAGE_KEEP / 8 + 1000;
  const a = new Float64Array(n).fill(1.5);
  const r = await nw.evaluate('sum(a * 2)', { a });
  assert.equal(r.data[0], 3 * n);
  assert.equal(nw.status().staging.bytes, 0);
  const b = new Float64Array(4096).fill(2);
  await nw.evaluate('b + 1', { b });
  assert.equal(nw.status().staging.bytes, b.byteLength);
});

test('after the engine restarts, staging starts over on the new engine', async () => {
  const a = fill(Float64Array, 50_000, 3);
  const r1 = await nw.evaluate('a * 2', { a });
  assert.equal(r1.data[7], a[7] * 2);
  const restarts = nw.status().restarts;
  await assert.rejects(engineCall('test', 'trapForTesting', {}), (e) => e instanceof nw.NumwasmError);
  assert.equal(nw.status().restarts, restarts + 1);
  // The new engine has no slots yet: the call makes them and gives the right numbers.
  const before = nw.status().staging.calls;
  const r2 = await nw.evaluate('a * 3 + 1', { a });
  assert.equal(nw.status().staging.calls, before + 1);
  for (const i of [0, 7, 49_999]) assert.equal(r2.data[i], a[i] * 3 + 1);
  assert.equal(nw.status().staging.bytes, a.byteLength);
});
