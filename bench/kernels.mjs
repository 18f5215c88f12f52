#!/usr/bin/env node
// The browser half of the kernel benchmark: the seed kernels of bench/kernel_workloads.py
// through the npm package's `nw.kernels` in headless Chromium (cross-origin isolated page,
// threads: 1), against a hand-written JS loop of the same algorithm in the same page
// (bench/kernel_workloads.js). bench/kernels_native.py times the same kernels with Numba.
//
// Three measurements:
// * Steady state: each kernel on its benchmark input, after numwasm and the JS loop were
//   checked to agree bit for bit. numwasm is timed on resident arguments; the figure is
//   `timing.computeMs` (the engine call in the compute worker, which includes building the
//   result), with `totalMs` (the page's round trip) beside it. The JS loop allocates its
//   result on every call as the kernels do. Medians and quartiles over repeats after
//   warm-up (at least 3 calls and WARM_MS, 2 s by default).
// * First call: `nw.kernels(src)` of a fresh module holding only that kernel, then its first
//   call on a small input (parse + type + compile + first run), then a second, cached call
//   on the same input. Measured first in the page, so the first module also shows the cold
//   engine.
// * Cached-call overhead: a kernel returning a[0] of a 1-element array against a compiled
//   expression's `run` of `a + 1` on a 1-element array, calls interleaved, page round trip.
//
//   node bench/kernels.mjs [--sizes small | ssum=1e6,band=1000,...] [--only ssum,band]
//     [--repeats 15] [--first 5] [--calls 2000] [--out FILE]

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { evaluateInIsolatedPage, repo } from '../tests/e2e/browser.mjs';
import { SIZES, SMALL_SIZES } from './kernel_workloads.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

/** `small`, or `id=n` pairs over the real sizes. */
function parseSizes(text) {
  if (!text) return { ...SIZES };
  if (text === 'small') return { ...SMALL_SIZES };
  const sizes = { ...SIZES };
  for (const pair of text.split(',')) {
    const [id, n] = pair.split('=');
    if (!(id in SIZES) || !(Number(n) > 0)) throw new Error(`--sizes: expected small or id=n with id one of ${Object.keys(SIZES)}, got ${pair}`);
    sizes[id] = Number(n);
  }
  return sizes;
}

const sizes = parseSizes(arg('sizes', ''));
const only = arg('only', '');
const repeats = Number(arg('repeats', '15'));
const firstRepeats = Number(arg('first', '5'));
const calls = Number(arg('calls', '2000'));
const outFile = arg('out', join(repo, 'bench', 'results', 'kernels-browser.json'));

const result = await evaluateInIsolatedPage(
  async ({ sizes, only, repeats, firstRepeats, calls, warmMs }) => {
    const nw = await import('/web/src/index.js');
    const { KERNEL_WORKLOADS, FIRST_CALL_SIZES, compare, digest } = await import('/bench/kernel_workloads.js');
    const status = await nw.init();
    const source = await (await fetch('/bench/kernel_workloads.py')).text();
    const selected = KERNEL_WORKLOADS.filter((w) => !only || only.split(',').includes(w.id));
    const stats = (t) => {
      const s = [...t].sort((a, b) => a - b);
      const q = (p) => s[Math.round(p * (s.length - 1))];
      return { median: q(0.5), q1: q(0.25), q3: q(0.75), min: s[0], n: s.length };
    };
    // Warm-up as bench/run.mjs does it: V8 tiers up both sides' code in the first calls.
    const warmUp = async (f) => {
      const t0 = performance.now();
      for (let i = 0; i < 3 || performance.now() - t0 < warmMs; i++) await f();
    };
    const tierOf = async (m, name, args) => {
      const { tier, notCompiled } = await m.inspect(name, args);
      // A build from before the compiler was wired in reports no tier: it only has the executor.
      return { tier: tier ?? 'executor', notCompiled: notCompiled ?? null };
    };
    const value = (r) => (r.shape.length === 0 ? r.data[0] : r.data);

    // First call, in fresh modules of one kernel each. The header is everything before the
    // first decorator (comments and imports); each block is one decorated function.
    const [header, ...blocks] = source.split(/^(?=@)/m);
    const blockOf = (name) => blocks.find((b) => new RegExp(`^def ${name}\\(`, 'm').test(b));
    const firstCall = [];
    for (const w of selected) {
      const args = w.args(FIRST_CALL_SIZES[w.id]);
      const runs = { kernels: [], first: [], cached: [], compile: [], total: [] };
      let tier = null;
      for (let i = 0; i < firstRepeats; i++) {
        // A comment makes every module's text new, so nothing can be reused from another one.
        const text = `${header}${blockOf(w.kernel)}\n# fresh module ${i}\n`;
        const t0 = performance.now();
        const m = await nw.kernels(text);
        const t1 = performance.now();
        await m.call(w.kernel, args, { threads: 1 });
        const t2 = performance.now();
        await m.call(w.kernel, args, { threads: 1 });
        const t3 = performance.now();
        tier ??= await tierOf(m, w.kernel, args);
        m.free();
        runs.kernels.push(t1 - t0);
        runs.first.push(t2 - t1);
        runs.cached.push(t3 - t2);
        runs.compile.push(t2 - t1 - (t3 - t2));
        runs.total.push(t2 - t0);
      }
      const row = { id: w.id, n: FIRST_CALL_SIZES[w.id], ...tier, cold: Object.fromEntries(Object.entries(runs).map(([k, t]) => [k, t[0]])) };
      for (const [k, t] of Object.entries(runs)) row[k] = stats(t);
      firstCall.push(row);
      console.log(`first call ${w.id.padEnd(12)} n=${row.n}  kernels() ${row.kernels.median.toFixed(2)} ms  first call ${row.first.median.toFixed(2)} ms  cached ${row.cached.median.toFixed(2)} ms  total ${row.total.median.toFixed(2)} ms (cold ${row.cold.total.toFixed(2)})`);
    }

    // Steady state.
    const m = await nw.kernels(source);
    const rows = [];
    for (const w of selected) {
      const n = sizes[w.id];
      const args = w.args(n);
      const reply = await m.call(w.kernel, args, { threads: 1 });
      const want = w.js(...args);
      const row = {
        id: w.id,
        kernel: w.kernel,
        what: w.what,
        n,
        signature: reply.signature,
        ...(await tierOf(m, w.kernel, args)),
        repeats,
        check: compare(value(reply), want),
        digest: { numwasm: await digest(value(reply)), js: await digest(want) },
        jsNote: w.jsNote,
      };
      if (w.jsAlt) row.jsAltCheck = compare(w.jsAlt.run(...args), want);

      const resident = await Promise.all(args.map((a) => (typeof a === 'object' ? nw.array(a) : a)));
      const call = () => m.call(w.kernel, resident, { threads: 1 });
      await warmUp(call);
      const compute = [];
      const total = [];
      for (let i = 0; i < repeats; i++) {
        const { timing } = await call();
        compute.push(timing.computeMs);
        total.push(timing.totalMs);
      }
      for (const r of resident) r.free?.();
      row.numwasm = { compute: stats(compute), total: stats(total) };

      const timeJs = async (f) => {
        await warmUp(f);
        const t = [];
        for (let i = 0; i < repeats; i++) {
          const t0 = performance.now();
          f();
          t.push(performance.now() - t0);
        }
        return stats(t);
      };
      row.js = await timeJs(() => w.js(...args));
      if (w.jsAlt) row.jsAlt = { name: w.jsAlt.name, note: w.jsAlt.note, ...(await timeJs(() => w.jsAlt.run(...args))) };
      rows.push(row);
      console.log(
        `${w.id.padEnd(12)} n=${n}  numwasm ${row.numwasm.compute.median.toFixed(3)} ms (${row.tier})  js ${row.js.median.toFixed(3)} ms` +
          (row.jsAlt ? `  js ${row.jsAlt.name} ${row.jsAlt.median.toFixed(3)} ms` : '') +
          (row.check.ok ? '' : `  CHECK FAILED (${row.check.mismatches} differ, max rel diff ${row.check.maxRelDiff})`),
      );
    }

    // Cached-call overhead: the two calls interleaved, so that drift hits both alike.
    const tiny = new Float64Array([1.5]);
    const expr = await nw.compile('a + 1', { a: 'float64' });
    const kernelCall = () => m.call('first', [tiny], { threads: 1 });
    const exprCall = () => expr.run({ a: tiny }, { threads: 1 });
    const signature = (await kernelCall()).signature;
    const overheadTier = await tierOf(m, 'first', [tiny]);
    for (let i = 0; i < 200; i++) {
      await kernelCall();
      await exprCall();
    }
    const sides = { kernel: { total: [], compute: [] }, expression: { total: [], compute: [] } };
    for (let i = 0; i < calls; i++) {
      for (const [side, f] of [['kernel', kernelCall], ['expression', exprCall]]) {
        const t0 = performance.now();
        const r = await f();
        sides[side].total.push(performance.now() - t0);
        sides[side].compute.push(r.timing.computeMs);
      }
    }
    const overhead = { calls, signature, ...overheadTier };
    for (const [side, t] of Object.entries(sides)) overhead[side] = { total: stats(t.total), compute: stats(t.compute) };
    overhead.diffMs = overhead.kernel.total.median - overhead.expression.total.median;
    console.log(
      `overhead: kernel first(a) ${(overhead.kernel.total.median * 1e3).toFixed(0)} µs, expression a + 1 ${(overhead.expression.total.median * 1e3).toFixed(0)} µs per call (round trip, medians)`,
    );
    m.free();
    return { status, rows, firstCall, overhead, userAgent: navigator.userAgent };
  },
  { sizes, only, repeats, firstRepeats, calls, warmMs: Number(process.env.WARM_MS ?? 2000) },
);

const chromium = execFileSync(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim();
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
  threads: 1,
  sizes,
  warmMs: Number(process.env.WARM_MS ?? 2000),
};
await mkdir(join(repo, 'bench', 'results'), { recursive: true });
await writeFile(outFile, `${JSON.stringify({ meta, ...result }, null, 2)}\n`);
console.log(`wrote ${outFile}`);
const failed = result.rows.filter((r) => !r.check.ok || (r.jsAltCheck && !r.jsAltCheck.ok));
if (failed.length) {
  console.error(`numwasm and the JS loops disagree on: ${failed.map((r) => r.id).join(', ')}`);
  process.exitCode = 1;
}
