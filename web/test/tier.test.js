// The expression tiers: an element-wise expression without vector math runs as one fused
// loop generated to wasm at run time ("wasm"); the block VM ("vm") runs the rest, and
// either runs on request (`tier` call option). Both give the same bits, for every dtype,
// size-1 inputs, weak scalars, out= (typed and resident), compiled runs, 1 and 2 threads;
// `timing.tier` says which ran.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as nw from '../src/node.js';

const kind = (k, re) => (e) => e instanceof nw.NumwasmError && e.kind === k && (!re || re.test(e.message));

before(async () => {
  await nw.init({ threads: 2 });
});

/** Deterministic data in [-3, 3) (integers in [-50, 50]). */
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

function sameBits(a, b) {
  assert.equal(a.dtype, b.dtype);
  assert.deepEqual(a.shape, b.shape);
  assert.equal(a.data.length, b.data.length);
  for (let i = 0; i < a.data.length; i++) {
    const p = a.data[i];
    const q = b.data[i];
    if (!(Object.is(p, q) || (Number.isNaN(p) && Number.isNaN(q)))) {
      assert.fail(`element ${i}: ${p} vs ${q}`);
    }
  }
}

const N = 100_003;
const x = fill(Float64Array, N, 1);
const y = fill(Float64Array, N, 2);
const f = fill(Float32Array, N, 3);
const i = fill(Int32Array, N, 4);
const u = fill(Uint8Array, N, 5);
const k = fill(BigInt64Array, N, 6);
const one = new Float64Array([0.75]);
const inputs = { x, y, f, i, u, k, one, s: 2.5 };

const ELEMENTWISE = [
  'x + (y**2 + (x*y + 1)*3)',
  '(2*x + 3*y)/y',
  'where(x > y, x, y*one)',
  'f*2 + one',
  'f*f - 1',
  'i // (u - 100)',
  'i % (u - u)',
  'k * 3 + i',
  '(x < s) & (i > 2)',
  'x * x * x + abs(y)',
  'maximum(x, f) - minimum(y, s)',
  'u + 200',
];

test('element-wise expressions run on the generated loop and give the VM bits', async () => {
  for (const src of ELEMENTWISE) {
    const vm = await nw.evaluate(src, inputs, { tier: 'vm' });
    assert.equal(vm.timing.tier, 'vm', src);
    for (const threads of [1, 2]) {
      const auto = await nw.evaluate(src, inputs, { threads });
      assert.equal(auto.timing.tier, 'wasm', src);
      sameBits(auto, vm);
    }
  }
});

test('vector math stays on the VM unless asked; asked, the same bits; whole reductions generated', async () => {
  for (const src of ['exp(2.1*x + 3.2*y)', 'sin(x)**2 + cos(f)**2', 'x % y', 'arctan2(x, f)', 'x ** 3']) {
    const auto = await nw.evaluate(src, inputs);
    assert.equal(auto.timing.tier, 'vm', src);
    const wasm = await nw.evaluate(src, inputs, { tier: 'wasm' });
    assert.equal(wasm.timing.tier, 'wasm', src);
    sameBits(wasm, auto);
  }
  // A whole reduction runs generated (each block reduced in the VM's order), an array
  // computed from one stays on the VM.
  for (const src of ['sum(x*y)', 'mean(x) * 2', 'max(x - y)', 'prod(y / 4 + 1)']) {
    const r = await nw.evaluate(src, inputs, { tier: 'wasm' });
    assert.equal(r.timing.tier, 'wasm', src);
    sameBits(r, await nw.evaluate(src, inputs, { tier: 'vm' }));
  }
  const centred = await nw.evaluate('x - mean(x)', inputs, { tier: 'wasm' });
  assert.equal(centred.timing.tier, 'vm');
  // Broadcasting along an axis: the generated loop runs rows of the last axis.
  const row = new Float64Array([1, 2, 3]);
  const col = { data: new Float64Array([10, 20, 30, 40]), shape: [4, 1] };
  const m = { data: new Float64Array(12).map((_, j) => j), shape: [4, 3] };
  const r = await nw.evaluate('m * row', { m, row });
  assert.equal(r.timing.tier, 'wasm');
  assert.deepEqual(Array.from(r.data), [0, 2, 6, 3, 8, 15, 6, 14, 24, 9, 20, 33]);
  const outer = await nw.evaluate('col + row - m', { col, row, m });
  assert.equal(outer.timing.tier, 'wasm');
  assert.deepEqual(outer.shape, [4, 3]);
  sameBits(outer, await nw.evaluate('col + row - m', { col, row, m }, { tier: 'vm' }));
  assert.deepEqual(Array.from(outer.data.slice(0, 6)), [11, 11, 11, 18, 18, 18]);
  // Large enough to go parallel and be staged, 2-d and 3-d, the same bits as the VM's.
  const big = { data: Float64Array.from({ length: 300 * 400 }, (_, j) => Math.sin(j)), shape: [300, 400] };
  const brow = Float64Array.from({ length: 400 }, (_, j) => j / 7);
  const bcol = { data: Float64Array.from({ length: 300 }, (_, j) => 1 - j / 300), shape: [300, 1] };
  for (const threads of [1, 2]) {
    const g = await nw.evaluate('big * bcol - brow', { big, bcol, brow }, { threads });
    assert.equal(g.timing.tier, 'wasm');
    sameBits(g, await nw.evaluate('big * bcol - brow', { big, bcol, brow }, { tier: 'vm', threads }));
  }
  const cube = { data: Float64Array.from({ length: 2 * 3 * 4 }, (_, j) => j * 0.5), shape: [2, 3, 4] };
  const mid = { data: new Float64Array([1, 2, 3]), shape: [3, 1] };
  const c3 = await nw.evaluate('cube / mid', { cube, mid });
  assert.equal(c3.timing.tier, 'wasm');
  sameBits(c3, await nw.evaluate('cube / mid', { cube, mid }, { tier: 'vm' }));
});

test('out=, resident arrays and compiled runs take the generated loop', async () => {
  const src = 'x*y + 1';
  const want = await nw.evaluate(src, { x, y }, { tier: 'vm' });
  const out = new Float64Array(N);
  const r = await nw.evaluate(src, { x, y }, { out });
  assert.equal(r.timing.tier, 'wasm');
  sameBits({ ...r, data: out }, want);
  const hx = await nw.array(x);
  const hy = await nw.array(y);
  const ho = await nw.array(new Float64Array(N));
  const rr = await nw.evaluate(src, { x: hx, y: hy }, { out: ho });
  assert.equal(rr.timing.tier, 'wasm');
  sameBits({ dtype: 'float64', shape: [N], data: (await ho.toArray()).data }, want);
  const c = await nw.compile(src, { x: 'float64', y: 'float64' });
  for (const tier of ['auto', 'vm', 'wasm']) {
    const got = await c.run({ x: hx, y }, { tier });
    assert.equal(got.timing.tier, tier === 'vm' ? 'vm' : 'wasm');
    sameBits(got, want);
  }
  assert.match(await c.disassemble(), /; tier\n; the generated loop below/);
  for (const h of [hx, hy, ho]) h.free();
});

test('empty and one-element results, and a bad tier option', async () => {
  const e = await nw.evaluate('a * 2', { a: new Float64Array(0) });
  assert.equal(e.data.length, 0);
  const o = await nw.evaluate('a * 2 + b', { a: new Float64Array([3]), b: 1 });
  assert.deepEqual(Array.from(o.data), [7]);
  assert.equal(o.timing.tier, 'wasm');
  await assert.rejects(nw.evaluate('a', { a: x }, { tier: 'jit' }), kind('ValueError', /tier must be/));
  // The engine serves on.
  const r = await nw.evaluate('a + 1', { a: new Float64Array([1, 2]) });
  assert.deepEqual(Array.from(r.data), [2, 3]);
});
