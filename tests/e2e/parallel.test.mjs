// Parallel kernels in Chromium, on a page given 3 cores (so the pool has 3 threads on any
// machine): a `prange` reduction of a parallel=True kernel runs on 2 and 3 threads
// (timing.threads) and gives the bits it gives on 1 thread; logistic regression gives the
// same weights on 1, 2 and 3; a race is a TypingError with its span; and every parallel
// Numba case of tests/kernels/cases.json (prange reductions of every pattern, row
// normalisation, logistic regression, a parallel gufunc, stencils in parallel kernels) gives
// Numba's result on 1, 2 and 3 threads, the same bits on each; so do a parallel ufunc and a
// stencil over 3e6 elements.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { listedCases } from '../node/kernel-lists.mjs';
import { open, repo, useBrowserAndServers } from './browser.mjs';

const env = useBrowserAndServers();

async function parallelOnThePage() {
  const nw = await import('/web/src/index.js');
  const status = await nw.init({ threads: 3 });
  const m = await nw.kernels(`
import math
import numpy as np
from numba import njit, prange, stencil, vectorize

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

@vectorize(['float64(float64)'], target='parallel')
def response(x):
    if x < 0.0:
        return 0.0
    elif x < 1.0:
        return math.sqrt(x) * math.exp(-x)
    return math.exp(-1.0) / x

@stencil
def mean3(a):
    return (a[-1] + a[0] + a[1]) / 3.0
`);
  const n = 3_000_001;
  const a = new Float64Array(n);
  let x = 7;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    a[i] = x / 2 ** 31 - 1;
  }
  const counts = [1, 2, 3];
  const runs = [];
  for (const threads of counts) {
    const r = await m.call('stats', [a], { threads });
    runs.push({ threads, used: r.timing.threads, tier: r.timing.tier, values: r.map((v) => String(v.data[0])) });
  }
  // A parallel ufunc and a stencil over the same 3e6 elements: whether each result has the
  // 1-thread result's bits.
  const words = (t) => new Uint32Array(t.buffer, t.byteOffset, t.byteLength / 4);
  const sameWords = (p, q) => p.length === q.length && p.every((v, i) => v === q[i]);
  const elementwise = [];
  let first;
  for (const threads of counts) {
    const u = await m.call('response', [a], { threads });
    const st = await m.call('mean3', [a], { threads });
    first ??= [words(u.data), words(st.data)];
    const same = sameWords(words(u.data), first[0]) && sameWords(words(st.data), first[1]);
    elementwise.push({ threads, used: [u.timing.threads, st.timing.threads], same });
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
  return { build: status.build, poolSize: status.poolSize, runs, lr, elementwise, race };
}

test('isolated page: a parallel kernel uses the pool and gives the 1-thread bits', async () => {
  const page = await open(env.browser, env.isolated.url, { cores: 3 });
  const r = await page.evaluate(parallelOnThePage);
  assert.equal(r.build, 'threads');
  assert.equal(r.poolSize, 3);
  assert.deepEqual(
    r.runs.map((run) => run.used),
    [1, 2, 3],
  );
  assert.equal(r.lr.length, 3);
  for (const run of r.runs) {
    assert.equal(run.tier, 'wasm');
    assert.deepEqual(run.values, r.runs[0].values, `threads: ${run.threads}`);
  }
  for (const w of r.lr) assert.deepEqual(w, r.lr[0]);
  for (const e of r.elementwise) {
    assert.ok(e.same, `ufunc and stencil, threads: ${e.threads}`);
    // (how many threads took chunks of these short loops depends on when pool workers wake)
    for (const used of e.used) assert.ok(used >= 1 && used <= e.threads, `threads: ${e.threads}, used ${used}`);
  }
  assert.deepEqual(r.race, { kind: 'TypingError', text: 's' });
  assert.deepEqual(page.errors, []);
  await page.close();
});

/** Runs every parallel case on 1, 2 and 3 threads: what differs from Numba, and the bits. */
async function parallelCasesOnThePage(text) {
  const nw = await import('/web/src/index.js');
  const { fingerprint, parseCases, runCase } = await import('/tests/node/kernel-cases.mjs');
  const status = await nw.init({ threads: 3 });
  const parallel = /parallel\s*=\s*True|target\s*=\s*['"]parallel['"]|\bprange\b/;
  const out = [];
  for (const c of parseCases(text).filter((c) => parallel.test(c.source))) {
    const runs = [];
    for (const threads of [1, 2, 3]) {
      let bits;
      let problem;
      try {
        problem = await runCase(nw, c, {
          threads,
          onResult: (got, error, bases) => {
            bits = [fingerprint(got, error), ...bases.filter(Boolean).map((b) => fingerprint({ data: b, dtype: '', shape: [] }))];
          },
        });
      } catch (e) {
        problem = `${e.name}: ${e.message}`;
      }
      runs.push({ threads, problem, bits: JSON.stringify(bits) });
    }
    out.push({ name: c.name, runs });
  }
  return { poolSize: status.poolSize, out };
}

test('isolated page: the parallel Numba cases give Numba results on 1, 2 and 3 threads, the same bits on each', async () => {
  const text = readFileSync(`${repo}/tests/kernels/cases.json`, 'utf8');
  const known = listedCases();
  const page = await open(env.browser, env.isolated.url, { cores: 3 });
  const r = await page.evaluate(parallelCasesOnThePage, text);
  assert.equal(r.poolSize, 3);
  const names = r.out.map((c) => c.name);
  // The list: prange sum, product, max, if/else reductions, row normalisation,
  // logistic regression; and the parallel ufunc, gufunc and stencil targets.
  for (const want of ['prange_sum', 'prange_product', 'prange_max', 'prange_conditional', 'normalize_rows', 'logistic_regression_parallel', 'stencil_in_parallel_kernel']) {
    assert.ok(names.includes(want), `${want} is not among the parallel cases`);
  }
  assert.ok(names.includes('gufunc_parallel'), names.join(' '));
  const failures = [];
  for (const c of r.out) {
    for (const run of c.runs) {
      if (run.problem !== null && !known.has(c.name)) failures.push(`${c.name} at ${run.threads} threads: ${run.problem}`);
      if (run.bits !== c.runs[0].bits) failures.push(`${c.name}: ${run.threads} threads gave other bits than 1`);
    }
  }
  assert.deepEqual(failures, []);
  console.log(`${r.out.length} parallel cases on 1, 2 and 3 threads`);
  assert.deepEqual(page.errors, []);
  await page.close();
});
