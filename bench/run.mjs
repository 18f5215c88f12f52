#!/usr/bin/env node
// The browser half of the benchmark: every workload of bench/workloads.js at every size and
// thread count, through the npm package in headless Chromium (cross-origin isolated, so the
// threads build with its pool), against a hand-written JS loop in the same page.
//
// Both sides are checked to compute the same numbers first. numwasm is timed on resident
// inputs writing into a resident output, so the figure is compute time (`timing.computeMs`,
// measured in the compute worker around the engine call), not transfers. The JS loop writes
// into a preallocated array. Medians and quartiles over repeats after warm-up (at least 3
// calls and 2 s per configuration, WARM_MS=... to change it).
//
// `--tiers auto,vm` (the default; `wasm` may be added) times each expression tier one
// after another in each configuration (row.tiers[tier][threads]); row.numwasm is the first
// tier's figures, and row.tier names the tier the first one ran on.
//
//   node bench/run.mjs [--sizes 1e3,1e4,1e5,1e6,1e7] [--only poly,sum-f64] [--tiers auto,vm] [--out FILE]

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { evaluateInIsolatedPage, repo } from '../tests/e2e/browser.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

const sizes = arg('sizes', '1e3,1e4,1e5,1e6,1e7').split(',').map(Number);
const only = arg('only', '');
const tiers = arg('tiers', 'auto,vm').split(',');
const outFile = arg('out', join(repo, 'bench', 'results', 'browser.json'));

const result = await evaluateInIsolatedPage(
  async ({ sizes, only, warmMs, tiers }) => {
    const nw = await import('/web/src/index.js');
    const { WORKLOADS, maxRelDiff } = await import('/bench/workloads.js');
    const status = await nw.init();
    const threadCounts = Array.from({ length: status.poolSize }, (_, i) => i + 1);
    const repeatsFor = (n) => (n <= 1e4 ? 41 : n <= 1e5 ? 25 : n <= 1e6 ? 15 : 7);
    const stats = (t) => {
      const s = [...t].sort((a, b) => a - b);
      const q = (p) => s[Math.round(p * (s.length - 1))];
      return { median: q(0.5), q1: q(0.25), q3: q(0.75), min: s[0], n: s.length };
    };
    // Warm-up: at least 3 calls and 2 s (WARM_MS), so that V8 has moved the code to its
    // optimizing compiler on both sides: the pool threads' kernels took over a second of
    // work to get there (measured: expab at 1e6 on 2 threads 1.0x the 1-thread time after
    // 200 ms of warm-up, 1.9x after 3 s), and the JS loops also sped up 2x. See
    // docs/expression-engine.md.
    const warmUp = async (f) => {
      const t0 = performance.now();
      for (let i = 0; i < 3 || performance.now() - t0 < warmMs; i++) await f();
    };
    const rows = [];
    const selected = WORKLOADS.filter((w) => !only || only.split(',').includes(w.id));

    for (const w of selected) {
      for (const n of sizes) {
        const inputs = w.inputs(n);
        const repeats = repeatsFor(n);
        // Same numbers first: numwasm against the JS loop.
        const ref = await nw.evaluate(w.expr, inputs);
        const jsOut = w.js(inputs, new Float64Array(w.reduction ? 1 : n));
        const diff = maxRelDiff(ref.data, jsOut);
        const tolerance = w.reduction ? 1e-8 : w.transcendental ? 4e-16 * 8 : 0;
        const resident = {};
        for (const [k, v] of Object.entries(inputs)) resident[k] = await nw.array(v);
        const out = w.reduction ? undefined : await nw.array(new Float64Array(n));
        const row = { id: w.id, expr: w.expr, n, repeats, check: { maxRelDiff: diff, tolerance, ok: diff <= tolerance }, tiers: {} };
        for (const tier of tiers) row.tiers[tier] = {};
        for (const k of threadCounts) {
          for (const tier of tiers) {
            const call = () => nw.evaluate(w.expr, resident, { threads: k, out, tier });
            await warmUp(call);
            const t = [];
            let used = 1; // the most threads a timed call used (calls under the threshold use 1)
            let ran;
            for (let i = 0; i < repeats; i++) {
              const { timing } = await call();
              t.push(timing.computeMs);
              used = Math.max(used, timing.threads ?? 1);
              ran = timing.tier;
            }
            row.tiers[tier][k] = { ...stats(t), used, ran };
          }
        }
        row.numwasm = row.tiers[tiers[0]];
        row.tier = row.numwasm[1].ran;
        const jsBuf = new Float64Array(w.reduction ? 1 : n);
        await warmUp(() => w.js(inputs, jsBuf));
        const t = [];
        for (let i = 0; i < repeats; i++) {
          const t0 = performance.now();
          w.js(inputs, jsBuf);
          t.push(performance.now() - t0);
        }
        row.js = stats(t);
        for (const r of Object.values(resident)) r.free();
        out?.free();
        rows.push(row);
        console.log(
          `${w.id.padEnd(8)} n=${n.toExponential(0)} js ${row.js.median.toFixed(3)} ms` +
            tiers
              .map((tier) => threadCounts.map((k) => `  ${tier}@${k} ${row.tiers[tier][k].median.toFixed(3)} ms`).join(''))
              .join('') +
            `  (${row.tier})` +
            (row.check.ok ? '' : `  CHECK FAILED (max rel diff ${diff})`),
        );
      }
    }

    // Memory bandwidth: a plain copy, in JS (TypedArray.set) and in numwasm (copy(a)).
    const bandwidth = {};
    for (const n of sizes.filter((s) => s >= 1e6)) {
      const a = new Float64Array(n).fill(1.5);
      const b = new Float64Array(n);
      const ra = await nw.array(a);
      const rb = await nw.array(b);
      const t = [];
      for (let i = 0; i < 12; i++) {
        const t0 = performance.now();
        b.set(a);
        t.push(performance.now() - t0);
      }
      const nwT = {};
      for (const k of threadCounts) {
        const tt = [];
        for (let i = 0; i < 12; i++) tt.push((await nw.evaluate('copy(a)', { a: ra }, { threads: k, out: rb })).timing.computeMs);
        nwT[k] = stats(tt).median;
      }
      ra.free();
      rb.free();
      const gbs = (ms) => (16 * n) / (ms * 1e6);
      bandwidth[n] = { js: gbs(stats(t).median), numwasm: Object.fromEntries(Object.entries(nwT).map(([k, ms]) => [k, gbs(ms)])) };
    }
    return { status, threadCounts, rows, bandwidth, userAgent: navigator.userAgent };
  },
  { sizes, only, warmMs: Number(process.env.WARM_MS ?? 2000), tiers },
);

const chromium = execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim();
const git = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
})();
const meta = {
  date: new Date().toISOString(),
  commit: git,
  browser: chromium,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  build: result.status.build,
  poolSize: result.status.poolSize,
};
await mkdir(join(repo, 'bench', 'results'), { recursive: true });
await writeFile(outFile, `${JSON.stringify({ meta, ...result }, null, 2)}\n`);
console.log(`wrote ${outFile}`);
const failed = result.rows.filter((r) => !r.check.ok);
if (failed.length) {
  console.error(`numwasm and the JS loop disagree on: ${failed.map((r) => `${r.id}@${r.n}`).join(', ')}`);
  process.exitCode = 1;
}
