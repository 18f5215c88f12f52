// The playground's JS baseline, differentially: for expressions over every dtype, the loop
// generated from Compiled.ir() must compute what numwasm computes (in-process, Node entry),
// checked the way the page checks it. A case the generator cannot write exactly must say so
// rather than produce a loop.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as nw from '../../web/src/node.js';
import { check } from '../../www/src/baseline-check.js';
import { generateBaseline, instantiate } from '../../www/src/baseline.js';
import { generate } from '../../www/src/inputs.js';
import { inputNames } from '../../www/src/names.js';

const N = 5000;
const OUT = {
  float64: Float64Array, float32: Float32Array, int64: BigInt64Array, int32: Int32Array, int16: Int16Array,
  int8: Int8Array, uint64: BigUint64Array, uint32: Uint32Array, uint16: Uint16Array, uint8: Uint8Array, bool: Uint8Array,
};
const u = (dtype, a, b) => ({ gen: 'uniform', a, b, dtype, shape: 'array' });

before(async () => {
  await nw.init();
});

async function compare(source, specs) {
  const names = Object.keys(specs);
  const host = Object.fromEntries(names.map((n) => [n, generate(n, specs[n], N)]));
  const inputs = Object.fromEntries(names.map((n) => [n, specs[n].dtype === 'bool' ? { data: host[n], dtype: 'bool' } : host[n]]));
  const c = await nw.compile(source, Object.fromEntries(names.map((n) => [n, specs[n].dtype])));
  try {
    const ir = await c.ir();
    const gen = generateBaseline(ir, nw.functions());
    if (!gen.ok) return { unsupported: gen.reason };
    const result = await c.run(inputs);
    const P = ir.params.map((p) => host[p.name]);
    const out = new OUT[gen.outDtype](gen.outLength(N));
    const scale = new Float64Array(out.length);
    const sumAbs = instantiate(gen.checkCode)(P, N, out, scale);
    // The timed loop computes the same as the checked one.
    const timed = new OUT[gen.outDtype](gen.outLength(N));
    instantiate(gen.code)(P, N, timed);
    assert.deepEqual(timed, out);
    return { ...check(result.data, out, gen.outDtype, gen.tolerance, sumAbs, N, scale), tolerance: gen.tolerance };
  } finally {
    c.free();
  }
}

const INT_CASES = ['int8', 'int16', 'int32', 'uint8', 'uint16', 'uint32', 'int64', 'uint64'];

for (const dt of INT_CASES) {
  test(`integer arithmetic wraps and floors like NumPy: ${dt}`, async () => {
    const lo = dt.startsWith('u') ? 0 : -120;
    const r = await compare('a * 3 - b // 7 + a % 5 + (a ^ b) - maximum(a, b)', { a: u(dt, lo, 127), b: u(dt, lo, 127) });
    assert.equal(r.ok, true, JSON.stringify(r));
    const big = dt.endsWith('64') ? 1e15 : dt.endsWith('32') ? 2e9 : dt.endsWith('16') ? 30000 : 120;
    const w = await compare('a * b + a', { a: u(dt, dt.startsWith('u') ? 0 : -big, big), b: u(dt, dt.startsWith('u') ? 0 : -big, big) });
    assert.equal(w.ok, true, JSON.stringify(w));
  });
}

const FLOAT_CASES = [
  ['x + (y**2 + (z*x + 1)*3)', 'ulp'], // ** is Math.pow, checked within a few ULP
  ['a // b + a % b', 'exact'],
  ['floor(a) + ceil(b) + trunc(a) + rint(b * 3)', 'exact'],
  ['maximum(a, b) - fmin(a, b) + abs(a) * sign(b)', 'exact'],
  ['where(a > b, a, -b) + copysign(a, b)', 'exact'],
  ['exp(2.1*a + 3.2*b)', 'ulp'],
  ['sin(a)**2 + cos(b)**2', 'ulp'],
  ['arctan2(a, b) + hypot(a, b) + expm1(a) + log1p(abs(b))', 'ulp'],
  ['exp2(a) + cbrt(b)', 'ulp'],
  ['sum(a * b)', 'sum'],
  ['max(a) - min(b)', 'exact'],
];

for (const dt of ['float64', 'float32']) {
  for (const [source, tolerance] of FLOAT_CASES) {
    test(`${dt}: ${source}`, async () => {
      const names = inputNames(source);
      const r = await compare(source, Object.fromEntries(names.map((n) => [n, u(dt, -3, 3)])));
      assert.equal(r.ok, true, JSON.stringify(r));
      assert.equal(r.tolerance, tolerance);
    });
  }
}

test('bool results and inputs, and mixed dtypes promote like NumPy', async () => {
  for (const [source, specs] of [
    ['(a > 0.5) & (b < 0.2) | ~(a > b)', { a: u('float64', 0, 1), b: u('float64', 0, 1) }],
    ['any(a > 0.99) + all(b > -2)', { a: u('float64', 0, 1), b: u('float64', -1, 1) }],
    ['p & q ^ p', { p: u('bool', 0, 1), q: u('bool', 0, 1) }],
    ['a + b', { a: u('int32', -1e9, 1e9), b: u('float32', -3, 3) }],
    ['a + b', { a: u('int16', -3e4, 3e4), b: u('uint16', 0, 6e4) }],
    ['a / b + c', { a: u('int64', -1e6, 1e6), b: u('int8', 1, 100), c: u('float64', 0, 1) }],
    ['sum(a)', { a: u('int32', -2e9, 2e9) }],
  ]) {
    const r = await compare(source, specs);
    assert.equal(r.ok, true, `${source}: ${JSON.stringify(r)}`);
  }
});

test('what cannot be written exactly gets no baseline, with the reason', async () => {
  const r = await compare('a << 3', { a: u('int32', 0, 100) });
  assert.match(r.unsupported, /shl on int32/);
});
