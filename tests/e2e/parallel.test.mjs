// Parallel kernels in Chromium: a `prange` reduction of a parallel=True kernel runs on the
// page's pool of 2 (timing.threads), gives the bits it gives on 1 thread (and on 3 where
// the pool has them), and a race is a TypingError with its span.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { open, useBrowserAndServers } from './browser.mjs';

const env = useBrowserAndServers();

async function parallelOnThePage() {
  const nw = await import('/web/src/index.js');
  const status = await nw.init({ threads: 2 });
  const m = await nw.kernels(`
import numpy as np
from numba import njit, prange

@njit(parallel=True)
def stats(a):
    s = 0.0
    m = -np.inf
    c = 0
    for i in prange(a.size):
        s += a[i] * a[i]
        m = max(m, a[i])
        if a[i] < 0:
            c += 1
    return s, m, c

@njit(parallel=True)
def logistic_regression(Y, X, w, iterations):
    for it in range(iterations):
        g = np.zeros(w.size)
        for j in prange(w.size):
            acc = 0.0
            for i in range(Y.size):
                d = 0.0
                for k in range(w.size):
                    d += X[i, k] * w[k]
                acc += ((1.0 / (1.0 + np.exp(-Y[i] * d)) - 1.0) * Y[i]) * X[i, j]
            g[j] = acc
        w -= g
    return w
`);
  const n = 3_000_001;
  const a = new Float64Array(n);
  let x = 7;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    a[i] = x / 2 ** 31 - 1;
  }
  const counts = [1, 2, ...(status.poolSize >= 3 ? [3] : [])];
  const runs = [];
  for (const threads of counts) {
    const r = await m.call('stats', [a], { threads });
    runs.push({ threads, used: r.timing.threads, tier: r.timing.tier, values: r.map((v) => String(v.data[0])) });
  }
  const Y = new Float64Array(4000).map((_, i) => (i % 3 === 0 ? -1 : 1));
  const X = { data: new Float64Array(4000 * 8).map((_, i) => Math.sin(i) * 0.1), shape: [4000, 8] };
  const lr = [];
  for (const threads of counts) {
    const w = new Float64Array(8).fill(0.1);
    await m.call('logistic_regression', [Y, X, w, 5], { threads });
    lr.push([...w].map(String));
  }
  const race = await nw
    .kernels('from numba import njit, prange\n@njit(parallel=True)\ndef f(a):\n    s = 0.0\n    for i in prange(a.size):\n        s += a[i]\n        a[i] = s\n    return s\n')
    .then((k) => k.call('f', [new Float64Array(3)]))
    .catch((e) => ({ kind: e.kind, text: e.source.slice(e.span.start, e.span.end) }));
  return { build: status.build, poolSize: status.poolSize, runs, lr, race };
}

test('isolated page: a parallel kernel uses the pool and gives the 1-thread bits', async () => {
  const page = await open(env.browser, env.isolated.url);
  const r = await page.evaluate(parallelOnThePage);
  assert.equal(r.build, 'threads');
  assert.equal(r.poolSize, 2);
  assert.deepEqual(r.runs[0].used, 1);
  assert.deepEqual(r.runs[1].used, 2);
  for (const run of r.runs) {
    assert.equal(run.tier, 'wasm');
    assert.deepEqual(run.values, r.runs[0].values, `threads: ${run.threads}`);
  }
  for (const w of r.lr) assert.deepEqual(w, r.lr[0]);
  assert.deepEqual(r.race, { kind: 'TypingError', text: 's' });
  assert.deepEqual(page.errors, []);
  await page.close();
});
