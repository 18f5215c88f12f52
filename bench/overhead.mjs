#!/usr/bin/env node
// Call overhead of the package in Chromium: a compiled expression on 1,000 float64
// elements, called from the page through the compute worker, timed end to end (the
// promise's round trip) over many calls after a warm-up; the everyday call (plain typed
// arrays in and out, copies included, at 1e5 and 1e6, 1 thread) against JS loops that
// allocate their result or write into a preallocated one, with the wall and compute time of
// the same call on resident arrays; and, in a fresh page, the time from import to the first
// result and the first 30 calls of poly at 1e6. Writes bench/results/overhead.json.
//   node bench/overhead.mjs [--calls N]

import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';

import { launch, open, repo, serveRepo } from '../tests/e2e/browser.mjs';

const calls = Number(process.argv[process.argv.indexOf('--calls') + 1]) || 3000;

const server = await serveRepo({ isolation: true });
const browser = await launch();
try {
  const page = await open(browser, server.url);
  const r = await page.evaluate(async (calls) => {
    const nw = await import('/web/src/index.js');
    const status = await nw.init();
    const a = Float64Array.from({ length: 1000 }, (_, i) => i / 1000);
    const b = Float64Array.from({ length: 1000 }, (_, i) => 1 - i / 1000);
    const c = await nw.compile('2*a + 3*b', { a: 'float64', b: 'float64' });
    const measure = async (fn) => {
      for (let i = 0; i < 200; i++) await fn();
      const t = [];
      const engine = [];
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now();
        const r = await fn();
        t.push(performance.now() - t0);
        if (r?.timing) engine.push(r.timing.computeMs);
      }
      const q = (xs, p) => [...xs].sort((x, y) => x - y)[Math.floor(p * (xs.length - 1))];
      return { median: q(t, 0.5), p10: q(t, 0.1), p90: q(t, 0.9), engineMedian: engine.length ? q(engine, 0.5) : null };
    };
    const ra = await nw.array(a);
    const rb = await nw.array(b);
    const compiled = await measure(() => c.run({ a, b }));
    const resident = await measure(() => c.run({ a: ra, b: rb }));
    const evaluate = await measure(() => nw.evaluate('2*a + 3*b', { a, b }));
    const js = await measure(async () => {
      const out = new Float64Array(1000);
      for (let i = 0; i < 1000; i++) out[i] = 2 * a[i] + 3 * b[i];
      return out;
    });
    return { status, compiled, resident, evaluate, js, ua: navigator.userAgent };
  }, calls);
  const everyday = await page.evaluate(async () => {
    const nw = await import('/web/src/index.js');
    const W = {
      poly: ['x + (y**2 + (z*x + 1)*3)', (x, y, z, o, n) => { for (let i = 0; i < n; i++) o[i] = x[i] + (y[i] * y[i] + (z[i] * x[i] + 1) * 3); }],
      axpb: ['(2*x + 3*y)/y', (x, y, z, o, n) => { for (let i = 0; i < n; i++) o[i] = (2 * x[i] + 3 * y[i]) / y[i]; }],
      expab: ['exp(2.1*x + 3.2*y)', (x, y, z, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.exp(2.1 * x[i] + 3.2 * y[i]); }],
      sincos: ['sin(x)**2 + cos(y)**2', (x, y, z, o, n) => { for (let i = 0; i < n; i++) o[i] = Math.sin(x[i]) ** 2 + Math.cos(y[i]) ** 2; }],
    };
    const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
    const rows = [];
    for (const [Type, dtype] of [[Float64Array, 'float64'], [Float32Array, 'float32']]) {
      for (const n of [1e5, 1e6]) {
        const mk = (s) => Type.from({ length: n }, (_, i) => 0.5 + ((i * s) % 97) / 97);
        const x = mk(1), y = mk(3), z = mk(7);
        const rx = await nw.array(x), ry = await nw.array(y), rz = await nw.array(z);
        const ro = await nw.array(new Type(n));
        const pre = new Type(n);
        for (const [id, [expr, js]] of Object.entries(W)) {
          if (dtype === 'float32' && id !== 'poly' && id !== 'expab') continue;
          const t = { plain: [], jsNew: [], jsPre: [], resWall: [], resCompute: [], plainCompute: [], runWall: [], runCompute: [] };
          const compiled = await nw.compile(expr, { x: dtype, y: dtype, z: dtype });
          let tier;
          const round = async () => {
            let t0 = performance.now();
            const r = await nw.evaluate(expr, { x, y, z }, { threads: 1 });
            t.plain.push(performance.now() - t0);
            t.plainCompute.push(r.timing.computeMs);
            t0 = performance.now();
            js(x, y, z, new Type(n), n);
            t.jsNew.push(performance.now() - t0);
            t0 = performance.now();
            js(x, y, z, pre, n);
            t.jsPre.push(performance.now() - t0);
            t0 = performance.now();
            const rr = await nw.evaluate(expr, { x: rx, y: ry, z: rz }, { threads: 1, out: ro });
            t.resWall.push(performance.now() - t0);
            t.resCompute.push(rr.timing.computeMs);
            tier = rr.timing.tier;
            t0 = performance.now();
            const cr = await compiled.run({ x: rx, y: ry, z: rz }, { threads: 1, out: ro });
            t.runWall.push(performance.now() - t0);
            t.runCompute.push(cr.timing.computeMs);
          };
          const w0 = performance.now();
          while (performance.now() - w0 < 1500) await round();
          for (const k of Object.keys(t)) t[k] = [];
          for (let i = 0; i < 15; i++) await round();
          const med = Object.fromEntries(Object.entries(t).map(([k, v]) => [k, q(v, 0.5)]));
          rows.push({ id, dtype, n, tier, ...med });
          compiled.free();
        }
        for (const r of [rx, ry, rz, ro]) r.free();
      }
    }
    return { rows, staging: nw.status().staging };
  });
  await page.close();
  // A fresh page: from import to the first result, and the first calls.
  const cold = await open(browser, server.url);
  const first = await cold.evaluate(async () => {
    const t0 = performance.now();
    const nw = await import('/web/src/index.js');
    const importMs = performance.now() - t0;
    await nw.init();
    const initMs = performance.now() - t0 - importMs;
    const n5 = 1e5;
    const mk = (n, s) => Float64Array.from({ length: n }, (_, i) => 0.5 + ((i * s) % 97) / 97);
    const a = mk(n5, 1), b = mk(n5, 3), c = mk(n5, 7);
    const t1 = performance.now();
    await nw.evaluate('x + (y**2 + (z*x + 1)*3)', { x: a, y: b, z: c });
    const firstMs = performance.now() - t1;
    const n = 1e6;
    const x = mk(n, 1), y = mk(n, 3), z = mk(n, 7);
    const rx = await nw.array(x), ry = await nw.array(y), rz = await nw.array(z), ro = await nw.array(new Float64Array(n));
    const calls = [];
    for (let i = 0; i < 30; i++) {
      const r = await nw.evaluate('x + (y**2 + (z*x + 1)*3)', { x: rx, y: ry, z: rz }, { out: ro, threads: 1 });
      calls.push(r.timing.computeMs);
    }
    for (let i = 0; i < 200; i++) await nw.evaluate('x + (y**2 + (z*x + 1)*3)', { x: rx, y: ry, z: rz }, { out: ro, threads: 1 });
    const settled = [];
    for (let i = 0; i < 15; i++) settled.push((await nw.evaluate('x + (y**2 + (z*x + 1)*3)', { x: rx, y: ry, z: rz }, { out: ro, threads: 1 })).timing.computeMs);
    const o = new Float64Array(n);
    const js = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      for (let k = 0; k < n; k++) o[k] = x[k] + (y[k] * y[k] + (z[k] * x[k] + 1) * 3);
      js.push(performance.now() - t);
    }
    return { importMs, initMs, firstMs, calls, settled: settled.sort((p, q) => p - q)[7], js };
  });
  await cold.close();
  const result = { date: new Date().toISOString(), calls, elements: 1000, ...r, everyday, first };
  await mkdir(join(repo, 'bench', 'results'), { recursive: true });
  await writeFile(join(repo, 'bench', 'results', 'overhead.json'), `${JSON.stringify(result, null, 2)}\n`);
  const f = (x) =>
    `${(x.median * 1000).toFixed(0)} µs (p10 ${(x.p10 * 1000).toFixed(0)}, p90 ${(x.p90 * 1000).toFixed(0)})` +
    (x.engineMedian === null ? '' : `; in the worker's engine call: ${(x.engineMedian * 1000).toFixed(0)} µs`);
  console.log(`build ${r.status.build}, pool ${r.status.poolSize}, ${calls} calls each, 1,000 float64 elements`);
  console.log(`compiled.run, inputs copied : ${f(r.compiled)}`);
  console.log(`compiled.run, resident      : ${f(r.resident)}`);
  console.log(`evaluate (cache hit)        : ${f(r.evaluate)}`);
  console.log(`JS loop in the page         : ${f(r.js)}`);
  console.log('\nthe everyday call, 1 thread, medians (ms): plain = evaluate on typed arrays, copies included');
  for (const w of everyday.rows) {
    console.log(
      `${w.id.padEnd(7)} ${w.dtype} n=${w.n.toExponential(0)}: plain ${w.plain.toFixed(2)} (compute ${w.plainCompute.toFixed(2)}), ` +
        `JS new ${w.jsNew.toFixed(2)}, JS prealloc ${w.jsPre.toFixed(2)}, plain/JS new ${(w.plain / w.jsNew).toFixed(2)}x; ` +
        `resident evaluate wall ${w.resWall.toFixed(2)} compute ${w.resCompute.toFixed(2)} (${w.tier}), ` +
        `compiled run wall ${w.runWall.toFixed(2)} compute ${w.runCompute.toFixed(2)}, resident/JS prealloc ${(w.resCompute / w.jsPre).toFixed(2)}x`,
    );
  }
  console.log(`\nfresh page: import ${first.importMs.toFixed(0)} ms, init ${first.initMs.toFixed(0)} ms, first 1e5 evaluate ${first.firstMs.toFixed(1)} ms`);
  console.log(`poly 1e6 resident, first 30 calls (ms): ${first.calls.map((x) => x.toFixed(2)).join(' ')}; settled ${first.settled.toFixed(2)}`);
  console.log(`JS loop, first 30 calls (ms): ${first.js.map((x) => x.toFixed(2)).join(' ')}`);
} finally {
  await browser.close();
  await server.close();
}
