// Numba-style kernels in Chromium through the compute worker (threads build, pool of 2):
// the README usage as written, a write-back into the page's typed array across the worker
// boundary, a resident array written in wasm memory, and an error with its span.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { open, useBrowserAndServers } from './browser.mjs';

const env = useBrowserAndServers();

// Runs in the page.
async function kernelsOnThePage() {
  const nw = await import('/web/src/index.js');
  const status = await nw.init({ threads: 2 });
  const m = await nw.kernels(`
import numpy as np
from numba import njit, jit

@njit
def filter_lt50(arr):
    result = []
    for x in arr:
        if x < 50:
            result.append(x)
    return result

@njit
def f(x, n, step=1):
    total = 0.0
    for i in range(0, n, step):
        total += x[i]
    return total

@jit(nopython=True)
def logistic_regression(Y, X, w, iterations):
    for i in range(iterations):
        w -= np.dot(((1.0 / (1.0 + np.exp(-Y * np.dot(X, w))) - 1.0) * Y), X)
    return w

@njit
def scale(a, k):
    for i in range(a.shape[0]):
        a[i] *= k
`);
  const a = new BigInt64Array([10n, 60n, 20n, 70n, 30n]);
  const r = await m.call('filter_lt50', [a]);
  const x = new Float64Array([1, 2, 4, 8]);
  const s = await m.call('f', [x, 3], { kwargs: { step: 2 }, threads: 2 });
  const inspected = await m.inspect('filter_lt50', [a]);
  const inspectedF = await m.inspect('f', [x, 3], { kwargs: { step: 2 } });
  const w = new Float64Array([0.5, -0.5]);
  const X = { data: new Float64Array([0.1, 0.2, 0.3, 0.1, -0.2, 0.5, 0.4, -0.3]), shape: [4, 2] };
  const lr = await m.call('logistic_regression', [new Float64Array([1, -1, 1, -1]), X, w, 3]);
  const h = await nw.array(new Float64Array([1, 2, 3]));
  const none = await m.call('scale', [h, 4]);
  const resident = [...(await h.toArray()).data];
  h.free();
  const e = await m.call('f', [x, 10]).catch((err) => err);
  const after = await m.call('f', [x, 4]);
  m.free();
  const freed = await m.call('f', [x, 4]).catch((err) => err);
  return {
    build: status.build,
    poolSize: status.poolSize,
    names: m.names,
    filtered: { dtype: r.dtype, shape: r.shape, data: [...r.data].map(String), signature: r.signature, timing: r.timing },
    s: { shape: s.shape, v: s.data[0], threads: s.timing.threads, tier: s.timing.tier },
    inspected,
    inspectedF,
    w: [...w],
    lr: { dtype: lr.dtype, shape: lr.shape, data: [...lr.data] },
    none: none === undefined,
    resident,
    error: { name: e.name, kind: e.kind, message: e.message, text: e.source.slice(e.span.start, e.span.end), frame: e.format() },
    after: after.data[0],
    freed: freed.kind,
  };
}

test('isolated page: kernels run in the compute worker and write back into the page', async () => {
  const page = await open(env.browser, env.isolated.url);
  const r = await page.evaluate(kernelsOnThePage);
  assert.equal(r.build, 'threads');
  assert.equal(r.poolSize, 2);
  assert.deepEqual(r.names, ['filter_lt50', 'f', 'logistic_regression', 'scale']);
  assert.deepEqual(
    { ...r.filtered, timing: undefined },
    { dtype: 'int64', shape: [3], data: ['10', '20', '30'], signature: '(array(int64, 1d, C)) -> list(int64)', timing: undefined },
  );
  assert.ok(r.filtered.timing.computeMs >= 0 && r.filtered.timing.totalMs >= r.filtered.timing.computeMs);
  // threads: 2 is accepted (the pool has 2); kernels run serially today, on code generated
  // for them and instantiated on the engine's shared memory.
  assert.deepEqual(r.s, { shape: [], v: 5, threads: 1, tier: 'wasm' });
  assert.equal(r.inspectedF.tier, 'wasm');
  assert.equal(r.inspectedF.notCompiled, null);
  assert.match(r.inspectedF.wasm, /^\(module/);
  assert.match(r.inspectedF.wasm, /\(import "env" "memory" \(memory .*shared/);
  assert.equal(r.inspected.signature, '(array(int64, 1d, C)) -> list(int64)');
  assert.match(r.inspected.typedIr, /fn filter_lt50/);
  // Numba's result for the same arguments, written into the page's own w.
  assert.deepEqual(r.w, [-0.7138595786841743, 0.8585631971665646]);
  assert.deepEqual(r.lr, { dtype: 'float64', shape: [2], data: r.w });
  assert.equal(r.none, true);
  assert.deepEqual(r.resident, [4, 8, 12]);
  assert.equal(r.error.name, 'NumwasmError');
  assert.equal(r.error.kind, 'IndexError');
  assert.equal(r.error.text, 'x[i]');
  assert.match(r.error.frame, /^IndexError: index 4 is out of bounds for axis 0 with size 4\n {10}total \+= x\[i\]\n {19}\^{4}$/);
  assert.equal(r.after, 15);
  assert.equal(r.freed, 'ValueError');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('page without isolation: generated kernels run on the simd build (memory not shared)', async () => {
  const page = await open(env.browser, env.plain.url);
  const r = await page.evaluate(async () => {
    const nw = await import('/web/src/index.js');
    const status = await nw.init();
    const m = await nw.kernels(`
import math
from numba import njit

@njit
def f(x):
    total = 0.0
    for i in range(x.shape[0]):
        total += math.exp(x[i])
    return total
`);
    const x = new Float64Array([0, 1, -1, 0.5]);
    const v = await m.call('f', [x]);
    const ex = await nw.evaluate('exp(x)', { x });
    let e = 0;
    for (const y of ex.data) e += y;
    const inspected = await m.inspect('f', [x]);
    return { build: status.build, v: v.data[0], tier: v.timing.tier, e, wasm: inspected.wasm };
  });
  assert.equal(r.build, 'simd');
  assert.equal(r.tier, 'wasm');
  // The kernel's exp is the engine's own (an import of its vmath): the same terms, summed
  // in the same order, give the same bits as evaluate's exp.
  assert.ok(Object.is(r.v, r.e), `${r.v} vs ${r.e}`);
  assert.match(r.wasm, /\(import "numwasm" "nw_vmath_exp_f64"/);
  assert.doesNotMatch(r.wasm, /shared/);
  assert.deepEqual(page.errors, []);
  await page.close();
});
