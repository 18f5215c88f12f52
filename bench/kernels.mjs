#!/usr/bin/env node
// The browser half of the kernel benchmark: the seed kernels of bench/kernel_workloads.py
// through the npm package's `nw.kernels` in headless Chromium (cross-origin isolated page,
// threads: 1), against a hand-written JS loop of the same algorithm in the same page
// (bench/kernel_workloads.js). bench/kernels_native.py times the same kernels with Numba.
// The parallel group (the `parallel=True` kernels) is timed at each of `--threads`.
//
// Four measurements:
// * Steady state: each kernel on its benchmark input, after numwasm and the JS loop were
//   checked to agree bit for bit. numwasm is timed on resident arguments; the figure is
//   `timing.computeMs` (the engine call in the compute worker, which includes building the
//   result), with `totalMs` (the page's round trip) beside it. The JS loop allocates its
//   result on every call as the kernels do. Medians and quartiles over repeats after
//   warm-up (at least 3 calls and WARM_MS, 2 s by default).
// * The parallel group: as the steady state, at each thread count (call option
//   `{ threads: k }`, the counts interleaved call by call), with the `timing.threads` the
//   calls reported. Each thread count's
//   result, and every timed call's, must equal the first thread count's bit for bit; the
//   JS loop's within the workload's
//   tolerance (0 for most: bit for bit). A few elements of the result (`probe`) are kept so
//   that the report can compare them with Numba's within that tolerance.
// * First call: `nw.kernels(src)` of a fresh module holding only that kernel, then its first
//   call on a small input (parse + type + compile + first run), then a second, cached call
//   on the same input. Measured first in the page, so the first module also shows the cold
//   engine.
// * Cached-call overhead: a kernel returning a[0] of a 1-element array against a compiled
//   expression's `run` of `a + 1` on a 1-element array, calls interleaved, page round trip.
//
//   node bench/kernels.mjs [--sizes small | ssum=1e6,band=1000,...] [--only ssum,band]
//     [--repeats 15] [--first 5] [--calls 2000] [--threads 1,2] [--out FILE]
//     [--sweep 1e3,1e4,1e5,1e6,1e7]

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { evaluateInIsolatedPage, repo } from '../tests/e2e/browser.mjs';
import { PARALLEL_THREADS, SIZES, SMALL_SIZES } from './kernel_workloads.js';

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
const threads = arg('threads', PARALLEL_THREADS.join(',')).split(',').map(Number);
if (!threads.every((k) => Number.isInteger(k) && k > 0)) throw new Error(`--threads: expected thread counts such as 1,2, got ${threads}`);
// --sweep 1e3,1e4,...: the SWEEP workloads (bench/kernel_workloads.js) at each element count,
// at each of --threads, and nothing else, into kernels-sweep-browser.json.
const sweep = arg('sweep', '') ? arg('sweep', '').split(',').map(Number) : null;
if (sweep && !sweep.every((e) => e >= 1)) throw new Error(`--sweep: expected element counts such as 1e3,1e4, got ${arg('sweep', '')}`);
const outFile = arg('out', join(repo, 'bench', 'results', sweep ? 'kernels-sweep-browser.json' : 'kernels-browser.json'));

const result = await evaluateInIsolatedPage(
  async ({ sizes, only, repeats, firstRepeats, calls, threads, warmMs, sweep }) => {
    const nw = await import('/web/src/index.js');
    const { KERNEL_WORKLOADS, FIRST_CALL_SIZES, SWEEP, compare, digest, probe } = await import('/bench/kernel_workloads.js');
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
    // A fresh copy of each argument the kernel writes (logreg's w), so that every call starts
    // from the same inputs.
    const fresh = (w, args) => args.map((a, i) => (w.mutates?.includes(i) ? a.slice() : a));

    // First call, in fresh modules of one kernel each. The header is everything before the
    // first decorator (comments and imports); each block is one decorated function.
    const [header, ...blocks] = source.split(/^(?=@)/m);
    const blockOf = (name) => blocks.find((b) => new RegExp(`^def ${name}\\(`, 'm').test(b));
    const firstCall = [];
    for (const w of selected.filter((w) => w.id in FIRST_CALL_SIZES && !sweep)) {
      const args = w.args(FIRST_CALL_SIZES[w.id]);
      const runs = { kernels: [], first: [], cached: [], compile: [], total: [] };
      let tier = null;
      for (let i = 0; i < firstRepeats; i++) {
        // A comment makes every module's text new, so nothing can be reused from another one.
        // (with the functions the kernel calls: a stencil for the stencil workloads)
        const text = `${header}${(w.uses ?? []).map(blockOf).join('')}${blockOf(w.kernel)}\n# fresh module ${i}\n`;
        const t0 = performance.now();
        const m = await nw.kernels(text);
        const [a1, a2] = [fresh(w, args), fresh(w, args)];
        const t1 = performance.now();
        await m.call(w.kernel, a1, { threads: 1 });
        const t2 = performance.now();
        await m.call(w.kernel, a2, { threads: 1 });
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
    for (const w of selected.filter((w) => !w.parallel && !sweep)) {
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
      row.numwasm = { compute: stats(compute), total: stats(total) };
      if (reply.shape.length > 0) {
        // The same call with `resident: true`: the result stays in wasm memory (freed after
        // each call), so neither the copy out nor a fresh JS array of the result's size is
        // paid; and that fresh array alone (`new T(n).fill(0)`, the first touch of its
        // memory), which the JS loop pays too.
        const keep = async () => {
          const r = await m.call(w.kernel, resident, { threads: 1, resident: true });
          r.free();
          return r;
        };
        await warmUp(keep);
        const kept = { compute: [], total: [] };
        for (let i = 0; i < repeats; i++) {
          const { timing } = await keep();
          kept.compute.push(timing.computeMs);
          kept.total.push(timing.totalMs);
        }
        row.numwasm.resident = { compute: stats(kept.compute), total: stats(kept.total) };
        const T = reply.data.constructor;
        const len = reply.data.length;
        const touch = [];
        for (let i = 0; i < repeats; i++) {
          const t0 = performance.now();
          new T(len).fill(T === BigInt64Array || T === BigUint64Array ? 0n : 0);
          touch.push(performance.now() - t0);
        }
        row.freshResult = { bytes: reply.data.byteLength, ...stats(touch) };
      }
      for (const r of resident) r.free?.();

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
          (row.numwasm.resident ? `  numwasm resident ${row.numwasm.resident.compute.median.toFixed(3)} ms  fresh result ${row.freshResult.median.toFixed(3)} ms` : '') +
          (row.check.ok ? '' : `  CHECK FAILED (${row.check.mismatches} differ, max rel diff ${row.check.maxRelDiff})`),
      );
    }

    // The parallel group, at each thread count.
    const timeJs = async (f, times) => {
      await warmUp(f);
      const t = [];
      for (let i = 0; i < times; i++) {
        const t0 = performance.now();
        f();
        t.push(performance.now() - t0);
      }
      return stats(t);
    };
    const parallel = [];
    const parallelRow = async (w, n, m) => {
      const row = { id: w.id, kernel: w.kernel, what: w.what, label: w.label(n), n, threads, tolerance: w.tolerance(n), jsNote: w.jsNote };
      row.repeats = Math.min(repeats, w.repeats ?? repeats);
      try {
        const args = w.args(n);
        const want = w.js(...fresh(w, args));
        const got = {};
        for (const k of threads) {
          const reply = await m.call(w.kernel, fresh(w, args), { threads: k });
          row.signature ??= reply.signature;
          got[k] = value(reply);
        }
        const k0 = threads[0];
        Object.assign(row, await tierOf(m, w.kernel, args));
        // Against the JS loop: within the tolerance, and whether bit for bit.
        row.check = Object.fromEntries(threads.map((k) => [k, { ...compare(got[k], want, row.tolerance), exact: compare(got[k], want).ok }]));
        // Between thread counts: bit for bit, always.
        row.threadsCheck = Object.fromEntries(threads.slice(1).map((k) => [k, compare(got[k], got[k0])]));
        // A float scalar is hashed as its 8 bytes, as bench/kernels_native.py hashes it.
        const bytes = (v) => (typeof v === 'number' ? Float64Array.of(v) : v);
        row.digest = { js: await digest(bytes(want)) };
        for (const k of threads) row.digest[k] = await digest(bytes(got[k]));
        row.probe = probe(got[k0]);

        const resident = await Promise.all(args.map((a, i) => (typeof a === 'object' && !w.mutates?.includes(i) ? nw.array(a) : a)));
        // The thread counts interleaved, call by call (the machine's second core comes and
        // goes: a ratio is only fair between calls made side by side).
        row.numwasm = {};
        const call = (k) => m.call(w.kernel, fresh(w, resident), { threads: k });
        for (const k of threads) await warmUp(() => call(k));
        const compute = {};
        const total = {};
        const reported = {};
        // Every timed call's result must be the first result too (outside the timed part).
        const differing = {};
        for (const k of threads) [compute[k], total[k], reported[k], differing[k]] = [[], [], new Set(), 0];
        for (let i = 0; i < row.repeats; i++) {
          for (const k of threads) {
            const r = await call(k);
            const { timing } = r;
            compute[k].push(timing.computeMs);
            total[k].push(timing.totalMs);
            reported[k].add(timing.threads ?? null);
            if (!compare(value(r), got[k0]).ok) differing[k]++;
          }
        }
        for (const k of threads) {
          row.numwasm[k] = { compute: stats(compute[k]), total: stats(total[k]), reportedThreads: [...reported[k]], differingCalls: differing[k] };
        }
        // An array result also with `resident: true` (kept in wasm memory, freed after
        // each call): the kernel's own time, without the copy into a fresh JS array.
        if (typeof got[k0] === 'object') {
          const keep = async (k) => {
            const r = await m.call(w.kernel, fresh(w, resident), { threads: k, resident: true });
            r.free?.();
            return r;
          };
          for (const k of threads) await warmUp(() => keep(k));
          const kept = Object.fromEntries(threads.map((k) => [k, []]));
          for (let i = 0; i < row.repeats; i++) for (const k of threads) kept[k].push((await keep(k)).timing.computeMs);
          for (const k of threads) row.numwasm[k].resident = stats(kept[k]);
        }
        for (const r of resident) r.free?.();
        row.js = await timeJs(() => w.js(...fresh(w, args)), row.repeats);
      } catch (e) {
        row.error = String(e?.stack ?? e);
      }
      const t = (k) => row.numwasm?.[k]?.compute.median.toFixed(3);
      const split = threads.slice(1).filter((k) => row.threadsCheck && !row.threadsCheck[k].ok);
      const unstable = threads.filter((k) => row.numwasm?.[k]?.differingCalls);
      const off = threads.filter((k) => row.check && !row.check[k].ok);
      console.log(
        `${w.id.padEnd(12)} ${row.label}  ` +
          (row.error
            ? `FAILED: ${row.error.split('\n')[0]}`
            : `${threads.map((k) => `numwasm ${k} thr ${t(k)} ms (timing.threads ${row.numwasm[k].reportedThreads.map((x) => x ?? '-').join('/')})`).join('  ')}  js ${row.js.median.toFixed(3)} ms (${row.tier})` +
              (row.numwasm[threads[0]].resident ? `  resident ${threads.map((k) => row.numwasm[k].resident.median.toFixed(3)).join(' / ')} ms` : '') +
              (split.length ? `  RESULTS DIFFER BETWEEN THREAD COUNTS: ${split.map((k) => `${k} thr vs ${threads[0]} thr ${row.threadsCheck[k].mismatches} differ`).join(', ')}` : '') +
              (unstable.length ? `  RESULTS DIFFER BETWEEN CALLS: ${unstable.map((k) => `${row.numwasm[k].differingCalls} of ${row.repeats} timed calls at ${k} thr`).join(', ')}` : '') +
              (off.length ? `  CHECK FAILED against the JS loop at ${off.join(', ')} thr (max rel diff ${Math.max(...off.map((k) => row.check[k].maxRelDiff))}, tolerance ${row.tolerance})` : '')),
      );
      return row;
    };
    // --sweep: the sweep's workloads at each element count (SWEEP maps it to the workload's
    // size), and nothing else.
    if (sweep) {
      for (const w of selected.filter((w) => w.id in SWEEP)) {
        for (const elements of sweep.filter((e) => e <= (SWEEP[w.id].max ?? Infinity))) {
          const row = await parallelRow(w, SWEEP[w.id].n(elements), m);
          parallel.push({ ...row, elements });
        }
      }
      m.free();
      return { status, rows: [], parallel, firstCall: [], overhead: null, userAgent: navigator.userAgent };
    }
    for (const w of selected.filter((w) => w.parallel)) parallel.push(await parallelRow(w, sizes[w.id], m));

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
    return { status, rows, parallel, firstCall, overhead, userAgent: navigator.userAgent };
  },
  { sizes, only, repeats, firstRepeats, calls, threads, warmMs: Number(process.env.WARM_MS ?? 2000), sweep },
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
  parallelThreads: threads,
  sizes,
  sweep,
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
const broken = result.parallel.filter((r) => r.error);
if (broken.length) {
  console.error(`parallel kernels that did not run: ${broken.map((r) => `${r.id} (${r.error.split('\n')[0]})`).join('; ')}`);
  process.exitCode = 1;
}
const split = result.parallel.filter(
  (r) => (r.threadsCheck && Object.values(r.threadsCheck).some((c) => !c.ok)) || Object.values(r.numwasm ?? {}).some((t) => t.differingCalls),
);
if (split.length) {
  console.error(`\n*** numwasm's results differ between thread counts or calls (they must be bit-identical): ${split.map((r) => r.id).join(', ')} ***\n`);
  process.exitCode = 1;
}
const off = result.parallel.filter((r) => r.check && Object.values(r.check).some((c) => !c.ok));
if (off.length) {
  console.error(`numwasm and the JS loops disagree beyond the tolerance on: ${off.map((r) => r.id).join(', ')}`);
  process.exitCode = 1;
}
