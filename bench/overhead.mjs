#!/usr/bin/env node
// Call overhead of the package in Chromium: a compiled expression on 1,000 float64
// elements, called from the page through the compute worker, timed end to end (the
// promise's round trip) over many calls after a warm-up. Writes bench/results/overhead.json.
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
  const result = { date: new Date().toISOString(), calls, elements: 1000, ...r };
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
} finally {
  await browser.close();
  await server.close();
}
