// Parallel kernels (`@njit(parallel=True)` with `prange`) in Node's pool (threads build,
// worker_threads): inputs large enough that the loops run on more than one thread, results
// bit-identical for every thread count, `timing.threads` saying how many ran, races refused
// with a TypingError at the line, and the parallel diagnostics. The same kernels on small
// inputs are among the Numba cases (tests/kernels/cases.json).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import './three-threads.mjs';
import * as nw from '../../web/src/node.js';
import { bits, data, sameBits } from './kernel-data.mjs';

const SOURCE = `
import numpy as np
from numba import njit, prange

@njit(parallel=True)
def reductions(a, b):
    s = 0.0
    p = 1.0
    t = 0
    hi = -np.inf
    lo = np.inf
    for i in prange(a.size):
        s += a[i] * b[i]
        p *= 1.0 + a[i] * 1e-7
        if a[i] > 0:
            t += 1
        else:
            t -= 2
        hi = max(hi, a[i])
        lo = min(lo, b[i])
    return s, p, t, hi, lo

@njit(parallel=True)
def normalize(x):
    ret = np.empty_like(x)
    for i in prange(x.shape[0]):
        acc = 0.0
        for j in range(x.shape[1]):
            acc += x[i, j] * x[i, j]
        norm = np.sqrt(acc)
        for j in range(x.shape[1]):
            ret[i, j] = x[i, j] / norm
    return ret

@njit(parallel=True)
def ratios(a, b):
    out = np.empty_like(a)
    for i in prange(a.size):
        out[i] = a[i] / b[i]
    return out

@njit(parallel=True)
def bad(a):
    s = 0.0
    for i in prange(a.size):
        if a[i] > 2.0:
            raise ValueError("too big")
        s += a[i]
    return s
`;

let m;
let status;
before(async () => {
  status = await nw.init({ threads: 3 });
  m = await nw.kernels(SOURCE);
});
after(() => m?.free());

test('prange reductions are bit-identical for 1, 2 and 3 threads, and 2 and 3 threads run them', async () => {
  const n = 2_000_003;
  const a = data(n, 1);
  const b = data(n, 2);
  const runs = [];
  for (const threads of [1, 2, 3, 1, 2, 3]) runs.push(await m.call('reductions', [a, b], { threads }));
  const values = runs.map((r) => r.map((x) => (x.dtype === 'int64' ? String(x.data[0]) : bits(x.data[0]))));
  for (const v of values) assert.deepEqual(v, values[0]);
  assert.equal(runs[0].timing.threads, 1);
  assert.equal(runs[0].timing.tier, 'wasm');
  assert.equal(status.poolSize, 3);
  assert.equal(runs[1].timing.threads, 2);
  assert.equal(runs[2].timing.threads, 3);
  // The chunked results are the serial ones up to rounding: the same terms, another order.
  let s = 0;
  let t = 0n;
  let hi = -Infinity;
  let lo = Infinity;
  for (let i = 0; i < n; i++) {
    s += a[i] * b[i];
    t += a[i] > 0 ? 1n : -2n;
    hi = Math.max(hi, a[i]);
    lo = Math.min(lo, b[i]);
  }
  const [rs, , rt, rhi, rlo] = runs[0].map((x) => x.data[0]);
  assert.ok(Math.abs(rs - s) <= 1e-9 * n, `${rs} vs ${s}`);
  assert.equal(rt, t);
  assert.equal(rhi, hi);
  assert.equal(rlo, lo);
});

test('row normalisation writes every row, the same bits for 1, 2 and 3 threads', async () => {
  const x = { data: data(700 * 300, 3), shape: [700, 300] };
  const one = await m.call('normalize', [x], { threads: 1 });
  const two = await m.call('normalize', [x], { threads: 2 });
  const three = await m.call('normalize', [x], { threads: 3 });
  assert.ok(sameBits(one.data, two.data));
  assert.ok(sameBits(one.data, three.data));
  let acc = 0;
  for (let j = 0; j < 300; j++) acc += x.data[j] ** 2;
  assert.ok(Math.abs(one.data[0] - x.data[0] / Math.sqrt(acc)) < 1e-15);
});

test('divisions in a prange body follow NumPy: inf and nan, no ZeroDivisionError', async () => {
  const a = new Float64Array([1, -1, 0, 2]);
  const b = new Float64Array([0, 0, 0, 4]);
  const r = await m.call('ratios', [a, b]);
  assert.deepEqual([...r.data], [Infinity, -Infinity, NaN, 0.5]);
});

test('an error in a chunk is the error of the first failing iteration, and the engine goes on', async () => {
  const n = 1_000_000;
  const a = data(n, 4);
  a[900_000] = 3;
  a[500_000] = 5;
  for (const threads of [1, 2, 3]) {
    const e = await m.call('bad', [a], { threads }).catch((err) => err);
    assert.equal(e.kind, 'ValueError');
    assert.equal(e.message, 'too big');
    assert.equal(e.source.slice(e.span.start, e.span.end), 'raise ValueError("too big")');
  }
  a[900_000] = 0;
  a[500_000] = 0;
  const ok = await m.call('bad', [a], { threads: 2 });
  assert.equal(typeof ok.data[0], 'number');
});

test('a race is a TypingError at its line; parallel diagnostics say what ran in parallel', async () => {
  const e = await nw
    .kernels(`
from numba import njit, prange

@njit(parallel=True)
def last(a):
    x = 0.0
    for i in prange(a.size):
        x = a[i] * 2.0
    return x
`)
    .then((k) => k.call('last', [new Float64Array(4)]))
    .catch((err) => err);
  assert.equal(e.kind, 'TypingError');
  assert.match(e.message, /variable 'x' is assigned in the prange loop and used after it/);
  assert.equal(e.source.slice(e.span.start, e.span.end), 'a[i] * 2.0');

  const d = (await m.inspect('reductions', [new Float64Array(8), new Float64Array(8)], { level: 3 })).parallel;
  assert.equal(d.level, 3);
  assert.equal(d.loops.length, 1);
  assert.equal(d.loops[0].parallel, true);
  assert.deepEqual(
    d.loops[0].reductions.map((r) => `${r.variable} ${r.op}`).sort(),
    ['hi max', 'lo min', 'p *', 's +', 't +'],
  );
  assert.match(d.text, /prange loop #0 in reductions at line 12: runs in parallel/);
  const serial = await nw.kernels(`
import numpy as np
from numba import njit

@njit(parallel=True)
def plain(a):
    return a[0] * 2.0 + a.shape[0]

@njit(parallel=True)
def total(a, b):
    return np.sum(a * b + 1.0)
`);
  const p = (await serial.inspect('plain', [new Float64Array(3)])).parallel;
  assert.deepEqual(p.loops, []);
  assert.match(p.text, /no prange loop: it runs serially/);
  // np.sum of an element-wise expression: one fused parallel reduction loop.
  const t = (await serial.inspect('total', [new Float64Array(3), new Float64Array(3)])).parallel;
  assert.equal(t.loops.length, 1);
  assert.deepEqual(t.loops[0].reductions.map((r) => r.op), ['+']);
  assert.deepEqual(t.arrayExpressions, []);
  assert.match(t.text, /array expression at line 11: sum, add, mul fused into one parallel loop \(prange loop #0\)/);
  assert.equal((await m.inspect('reductions', [new Float64Array(2), new Float64Array(2)])).parallel.level, 2);
  const njit = await nw.kernels('from numba import njit\n@njit\ndef f(x):\n    return x\n');
  assert.equal((await njit.inspect('f', [1])).parallel, null);
});
