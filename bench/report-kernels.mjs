// The kernel section of bench/results/REPORT.md, from kernels-browser.json (bench/kernels.mjs)
// and, when present, kernels-native.json (bench/kernels_native.py): steady-state times
// against the JS loop and Numba, the parallel kernels at each thread count, the first call
// of a fresh module, the cached-call overhead, and the targets of issue #18.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const TARGET_JS = 1.0;
const TARGET_NUMBA = 1.5;
const TARGET_FIRST_MS = 10;
const TARGET_OVERHEAD_MS = 0.1;

const ms = (x) => (x === undefined || x === null ? '—' : x < 0.1 ? x.toFixed(4) : x < 10 ? x.toFixed(3) : x.toFixed(1));
const ratio = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—');
const us = (x) => `${(x * 1e3).toFixed(1)} µs`;
const usRange = (s) => `${(s.q1 * 1e3).toFixed(1)}–${(s.q3 * 1e3).toFixed(1)} µs`;
const spread = (s) => `${ms(s.median)} (${ms(s.q1)}–${ms(s.q3)})`;
const count = (n) => (n >= 1e4 ? `1e${Math.round(Math.log10(n))}` : `${n}`);
const size = (id, n) =>
  ['band', 'normalize', 'pnormalize'].includes(id) ? `${n}×${n}` : /^logreg\d+$/.test(id) ? `${count(n)}×${id.slice(6)}` : count(n);
const sci = (x) => (x === 0 ? '0' : Number.isFinite(x) ? x.toExponential(1) : String(x));

/** Reads the result files from `dir`; null when the browser half has not run. */
export function loadKernelResults(dir) {
  const read = (f) => (existsSync(join(dir, f)) ? JSON.parse(readFileSync(join(dir, f), 'utf8')) : null);
  const browser = read('kernels-browser.json');
  const sweep = read('kernels-sweep-browser.json');
  return browser && { browser, native: read('kernels-native.json'), sweep: sweep && { browser: sweep, native: read('kernels-sweep-native.json') } };
}

/**
 * The size sweep (bench/kernels.mjs --sweep, bench/kernels_native.py --sweep): per workload
 * and element count, numwasm at each thread count, the JS loop and Numba at each thread
 * count, medians in ms, with numwasm's best time over the JS loop's.
 */
export function sweepSection({ browser, native }) {
  const threads = browser.meta.parallelThreads;
  const nthreads = native?.meta.parallelThreads ?? [];
  const head = ['kernel', 'elements', 'input', ...threads.map((k) => `numwasm ${k} thr`), 'JS loop', 'best numwasm / JS', ...nthreads.map((k) => `Numba ${k} thr`)];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of browser.parallel) {
    const n = native?.parallel.find((x) => x.id === r.id && x.elements === r.elements);
    if (r.error) {
      lines.push(`| \`${r.kernel}\` | ${count(r.elements)} | ${r.label} | failed: ${r.error.split('\n')[0]} |`);
      continue;
    }
    const best = Math.min(...threads.map((k) => r.numwasm[k].compute.median));
    lines.push(`| \`${r.kernel}\` | ${count(r.elements)} | ${r.label} | ${threads.map((k) => ms(r.numwasm[k].compute.median)).join(' | ')} | ${ms(r.js.median)} | ${ratio(best / r.js.median)} | ${nthreads.map((k) => ms(n?.numba[k]?.median)).join(' | ')} |`);
  }
  const m = browser.meta;
  return `### Size sweep

The design brief's kernel workloads (\`presponse\`: the piecewise response curve as a parallel
ufunc; \`pnormalize\`; the stencils \`pmean3\` and \`pblur\` called from \`parallel=True\`
kernels; \`logreg\` with 10 features; \`pssum\`, ssum as a \`prange\` reduction) at element
counts ${m.sweep.map(count).join(', ')} (square inputs for the 2-d ones, n rows of 10 for
logreg; the blur stops at 1e5 pixels), at ${threads.join(' and ')} threads (this machine has
${m.cores} cores), against the same JS loops and, when measured, Numba at ${nthreads.join(' and ') || '—'} threads.
Medians in ms over ${browser.parallel[0]?.repeats ?? '—'} calls after warm-up, ${m.date}, commit ${m.commit}.
Every numwasm result was checked against the JS loop (within the workload's tolerance) and
between thread counts (bit for bit) before it was timed. Below about 0.5 ms of estimated work
numwasm runs a parallel loop on one thread whatever the setting.

${lines.join('\n')}
`;
}

/** The steady-state tables, one thread and the parallel group (also printed by bench/report.mjs). */
export function kernelTable(results) {
  return [serialTable(results), results.browser.parallel?.length ? parallelTable(results) : ''].filter(Boolean).join('\n\n');
}

function serialTable({ browser, native }) {
  const nrow = (r) => native?.rows.find((x) => x.id === r.id && x.n === r.n);
  const head = ['kernel', 'input', 'numwasm tier', 'numwasm (ms)', 'JS loop (ms)', 'numwasm/JS'];
  if (native) head.push('Numba (ms)', 'numwasm/Numba');
  head.push('numwasm, resident result (ms)', 'fresh JS array of the result (ms)');
  if (native) head.push('resident/Numba');
  head.push('other JS loop (ms)', 'same result');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of browser.rows) {
    const nw = r.numwasm.compute.median;
    const nr = nrow(r);
    const cells = [`\`${r.kernel}\``, `${size(r.id, r.n)}: ${r.what}`, r.tier, spread(r.numwasm.compute), spread(r.js), ratio(nw / r.js.median)];
    if (native) cells.push(nr ? spread(nr.numba) : '—', nr ? ratio(nw / nr.numba.median) : '—');
    const kept = r.numwasm.resident?.compute;
    cells.push(kept ? spread(kept) : '—', r.freshResult ? ms(r.freshResult.median) : '—');
    if (native) cells.push(kept && nr ? ratio(kept.median / nr.numba.median) : '—');
    cells.push(r.jsAlt ? `${r.jsAlt.name}: ${ms(r.jsAlt.median)}` : '—');
    const same = [r.check.ok ? 'numwasm = JS' : `numwasm ≠ JS (${r.check.mismatches} differ)`];
    if (nr) same.push(nr.digest === r.digest.js ? 'Numba = JS' : 'Numba ≠ JS');
    cells.push(same.join(', '));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * The largest relative difference between numwasm's and Numba's kept elements (`probe`), and
 * how many differ beyond `tolerance`; null where they cannot be compared.
 */
function probeDiff(a, b, tolerance) {
  if (!a || !b || a.length !== b.length) return null;
  let worst = 0;
  let beyond = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] === b[i]) continue;
    const d = a[i] === null || b[i] === null ? Infinity : Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), Math.abs(b[i]), 1e-300);
    worst = Math.max(worst, d);
    if (!(d <= tolerance)) beyond++;
  }
  return { worst, beyond, n: a.length };
}

/** Rows whose numwasm results differ between thread counts (they must not). */
const splitRows = (browser) =>
  (browser.parallel ?? []).filter(
    (r) => (r.threadsCheck && Object.values(r.threadsCheck).some((c) => !c.ok)) || Object.values(r.numwasm ?? {}).some((t) => t.differingCalls),
  );

/** The parallel group: each thread count, the speedups, and the ratios at the first count. */
function parallelTable({ browser, native }) {
  const threads = browser.meta.parallelThreads ?? [1];
  const [k0, kmax] = [threads[0], threads[threads.length - 1]];
  const nrow = (r) => native?.parallel?.find((x) => x.id === r.id && x.n === r.n);
  const head = ['kernel', 'input', 'numwasm tier'];
  head.push(...threads.map((k) => `numwasm ${k} thr (ms)`), `numwasm speedup ${kmax} thr`, `\`timing.threads\` (${threads.join(' / ')} thr)`);
  head.push('JS loop (ms)', `numwasm/JS (${k0} thr)`);
  if (native) head.push(...threads.map((k) => `Numba ${k} thr (ms)`), `Numba speedup ${kmax} thr`, `numwasm/Numba (${k0} thr)`);
  head.push('same result');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of browser.parallel) {
    const nr = nrow(r);
    const cells = [`\`${r.kernel}\``, `${r.label}: ${r.what}`];
    if (r.error) {
      cells.push(`did not run: ${r.error.split('\n')[0].replaceAll('|', '\\|')}`);
      while (cells.length < head.length) cells.push('—');
      lines.push(`| ${cells.join(' | ')} |`);
      continue;
    }
    const nw = (k) => r.numwasm[k].compute.median;
    const reported = (k) => {
      const t = r.numwasm[k].reportedThreads.filter((x) => x !== null && x !== undefined);
      return t.length ? t.join(',') : '-';
    };
    cells.push(r.tier, ...threads.map((k) => spread(r.numwasm[k].compute)), ratio(nw(k0) / nw(kmax)), threads.map(reported).join(' / '));
    cells.push(spread(r.js), ratio(nw(k0) / r.js.median));
    if (native) {
      const nb = (k) => nr?.numba?.[k]?.median;
      cells.push(...threads.map((k) => (nr?.numba?.[k] ? spread(nr.numba[k]) : '—')), ratio(nb(k0) / nb(kmax)), ratio(nw(k0) / nb(k0)));
    }
    const same = [];
    const split = threads.slice(1).filter((k) => !r.threadsCheck[k].ok);
    same.push(
      split.length
        ? `**❌ numwasm ${split.map((k) => `${k} thr ≠ ${k0} thr (${r.threadsCheck[k].mismatches} differ)`).join(', ')}**`
        : `numwasm ${threads.join(' = ')} thr`,
    );
    const unstable = threads.filter((k) => r.numwasm[k].differingCalls);
    if (unstable.length) same.push(`**❌ ${unstable.map((k) => `${r.numwasm[k].differingCalls} of ${r.repeats} calls at ${k} thr differ`).join(', ')}**`);
    const js = r.check[k0];
    const jsOff = threads.filter((k) => !r.check[k].ok);
    same.push(
      jsOff.length
        ? `**≠ JS at ${jsOff.join(', ')} thr** (${Math.max(...jsOff.map((k) => r.check[k].mismatches))} differ beyond ${sci(r.tolerance)})`
        : js.exact
          ? '= JS'
          : `≈ JS (max rel diff ${sci(js.maxRelDiff)})`,
    );
    if (nr) {
      const vsNumba = threads.map((k) => {
        if (nr.digest?.[k] === r.digest[k0]) return '=';
        const d = probeDiff(r.probe, nr.probe?.[k], r.tolerance);
        return !d ? '?' : d.beyond ? `**≠** (${d.beyond} of ${d.n} kept elements beyond ${sci(r.tolerance)})` : d.worst === 0 ? `≈ (the ${d.n} kept elements equal)` : `≈ ${sci(d.worst)}`;
      });
      same.push(`Numba ${threads.join(' / ')} thr: ${vsNumba.join(' / ')}`);
    } else if (native?.skipped?.[r.id]) {
      same.push(`Numba: not run (${native.skipped[r.id]})`);
    }
    cells.push(same.join('; '));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function firstCallTable({ browser, native }) {
  const nfirst = (r) => native?.firstCall?.find((x) => x.id === r.id && x.n === r.n);
  const head = ['kernel', 'input', 'tier', '`nw.kernels(src)`', 'first call', 'kernels + first call', 'cached call', 'first module'];
  if (native) head.push('Numba first call', 'Numba cached call');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of browser.firstCall) {
    const nr = nfirst(r);
    const cells = [`\`${r.id}\``, size(r.id, r.n), r.tier, ms(r.kernels.median), ms(r.first.median), spread(r.total), ms(r.cached.median), ms(r.cold.total)];
    if (native) cells.push(nr ? ms(nr.first.median) : '—', nr ? ms(nr.cached.median) : '—');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

function targets({ browser, native }) {
  const out = [];
  const check = (ok, text) => out.push(`- ${ok ? '✅' : '❌'} ${text}`);
  for (const r of browser.rows) {
    const nw = r.numwasm.compute.median;
    const rel = nw / r.js.median;
    check(rel <= TARGET_JS, `\`${r.kernel}\` (${r.tier}): ${ratio(rel)} the JS loop's time (target ≤ ${TARGET_JS.toFixed(1)}×)`);
    const nr = native?.rows.find((x) => x.id === r.id && x.n === r.n);
    if (nr) check(nw / nr.numba.median <= TARGET_NUMBA, `\`${r.kernel}\`: ${ratio(nw / nr.numba.median)} Numba's time (target ≤ ${TARGET_NUMBA}×)`);
    // Numba returns its array without a copy, in memory its allocator reuses; the call
    // option that does the same is `resident: true`.
    const kept = r.numwasm.resident?.compute.median;
    if (nr && kept !== undefined) {
      check(kept / nr.numba.median <= TARGET_NUMBA, `\`${r.kernel}\`, resident result: ${ratio(kept / nr.numba.median)} Numba's time (target ≤ ${TARGET_NUMBA}×)`);
    }
  }
  for (const r of browser.firstCall) {
    check(r.total.median < TARGET_FIRST_MS, `\`${r.id}\`: first call ${ms(r.total.median)} ms in a fresh module (target < ${TARGET_FIRST_MS} ms)`);
  }
  const o = browser.overhead;
  check(o.diffMs <= TARGET_OVERHEAD_MS, `cached-call overhead: ${us(o.kernel.total.median)} against ${us(o.expression.total.median)} for a compiled expression, ${us(o.diffMs)} more (target ≤ ${us(TARGET_OVERHEAD_MS)} more)`);
  return out.join('\n');
}

function parallelSection(results) {
  const { browser, native } = results;
  const threads = browser.meta.parallelThreads ?? [1];
  const [k0, kmax] = [threads[0], threads[threads.length - 1]];
  const split = splitRows(browser);
  const notes = browser.parallel.map((r) => `  - \`${r.id}\` (\`${r.kernel}\`): ${r.jsNote}; tolerance ${sci(r.tolerance)}${r.repeats !== browser.parallel[0].repeats ? `; ${r.repeats} timed calls` : ''}`);
  const skipped = Object.entries(native?.skipped ?? {}).map(([id, why]) => `\`${id}\`: ${why}`);
  return `### Parallel kernels (\`parallel=True\`), ${threads.join(' and ')} threads

${split.length ? `**❌ numwasm's results differ between thread counts or between calls on ${split.map((r) => `\`${r.id}\``).join(', ')}: a parallel kernel's result must be bit-identical for any number of threads.**\n\n` : ''}The kernels of bench/kernel_workloads.py under \`@njit(parallel=True)\`: \`pssum\` (a \`prange\`
reduction), \`pnormalize\` (the seed's normalize, \`prange\` over the rows), \`logreg\` (the
seed's logistic regression, whole-array operations in a serial loop; features scaled by
1/sqrt(n), so that its unit steps stay stable) and \`pexp_arcsin\` (one whole-array
expression). numwasm is called with \`{ threads: k }\`; "\`timing.threads\`" is what its calls
reported (- when they did not say). Numba runs the same kernels in one process with
\`numba.set_num_threads(k)\`. Speedups are the time at ${k0} thread over the time at ${kmax}; the
ratios to the JS loop and to Numba are at ${k0} thread. Medians with quartiles, over
${Math.max(...browser.parallel.map((r) => r.repeats))} calls after warm-up (fewer where the notes say so).

Results: numwasm's at every thread count, and in every timed call, must equal its
${k0}-thread result bit for bit.
Against the JS loop (in the page) and Numba (across processes, on up to 257 kept elements
of the result, or by SHA-256 when equal) they agree within each workload's tolerance: 0
(bit for bit) where the order of every operation is fixed, an ULP-scale bound where exp
and arcsin are different implementations, 2 n 2^-53 for a sum of n non-negative terms in
another order (a parallel reduction's chunks), 1e-12 for logistic regression, whose
gradient is a sum over the rows that cancels.

- JS loops and tolerances:
${notes.join('\n')}
${skipped.length ? `- not run with Numba: ${skipped.join('; ')}\n` : ''}
${parallelTable(results)}
`;
}

/** The whole section, as Markdown. */
export function kernelsSection(results) {
  const { browser, native } = results;
  const m = browser.meta;
  const o = browser.overhead;
  const sizesDiffer = native && browser.rows.some((r) => !native.rows.find((x) => x.id === r.id && x.n === r.n));
  const jsNotes = browser.rows.map((r) => `  - \`${r.kernel}\`: ${r.jsNote}${r.jsAlt ? `; other loop (${r.jsAlt.name}): ${r.jsAlt.note}` : ''}`).join('\n');
  const notCompiled = browser.rows.filter((r) => r.notCompiled).map((r) => `\`${r.kernel}\`: ${r.notCompiled}`);
  const nativeThreads = native?.meta.parallelThreads
    ? `1 thread for the serial kernels (\`numba.set_num_threads(1)\`), the parallel ones at ${native.meta.parallelThreads.join(' and ')} (\`numba.set_num_threads\`, threading layer ${native.meta.threadingLayer ?? '—'}, BLAS held to ${native.meta.blasThreads} thread)`
    : `${native?.meta.numbaThreads} thread (NUMBA_NUM_THREADS=1)`;
  return `## Numba-style kernels

- ${m.date}; commit ${m.commit}; ${m.cpu}, ${m.cores} cores
- ${m.browser} (headless); numwasm build: ${m.build}, \`threads: 1\`
${native ? `- native: Python ${native.meta.python}, NumPy ${native.meta.numpy}, Numba ${native.meta.numba}, ${nativeThreads}` : '- native: not measured (no Python environment)'}${sizesDiffer ? '\n- the browser and native runs used different sizes: rows without a match show —' : ''}

The kernels are bench/kernel_workloads.py, the seed kernels as a Numba user writes them
(\`normalize\` with \`@njit\` rather than \`parallel=True\`; \`moving_mean\` is the seed's
slice-mean version, window 10; \`band(n, 10)\`). Both halves build the same inputs bit for
bit from one generator. numwasm runs through the npm package in headless Chromium on a
cross-origin isolated page; its time is the engine call in the compute worker
(\`timing.computeMs\`, resident arguments, the result built included), the JS loop's is
measured in the same page, Numba's in a native process on the same machine. Medians with
quartiles in parentheses, over ${browser.rows[0]?.repeats ?? '—'} calls after warm-up.
Results are compared bit for bit: numwasm against the JS loop in the page, Numba against
the JS loop by SHA-256 of the result's bytes (Numba was also checked against NumPy).

- JS loops (idiomatic fast JS: typed arrays, plain loops, a new result each call):
${jsNotes}
- Numba's \`filter_lt50\` time includes boxing the returned list into a Python list; numwasm's
  includes building the result array in the worker.
- numwasm's time includes copying an array result out of wasm memory into a new JS typed
  array, and that new array's first touch of fresh memory, which the JS loop pays too for its
  own result (the fresh-array column: \`new T(n).fill(0)\` of the result's size); Numba
  returns its array in place, from memory its allocator reuses. The resident column is the
  same call with \`resident: true\`, whose result stays in wasm memory (a ResidentArray, freed
  after each call): the comparison with Numba's way of returning.
${notCompiled.length ? `- on the reference executor: ${notCompiled.join('; ')}\n` : ''}
${serialTable(results)}
${browser.parallel?.length ? `\n${parallelSection(results)}` : ''}
${results.sweep ? `\n${sweepSection(results.sweep)}` : ''}
### First call in a fresh module (ms)

\`nw.kernels(src)\` of a module holding only that kernel, then its first call on a small
input (parse + type + compile + first run), then a second, cached call on the same input.
Medians over ${browser.firstCall[0]?.total.n ?? '—'} fresh modules per kernel, quartiles of
"kernels + first call" in parentheses; \`${browser.firstCall[0]?.id}\`'s modules made the
page's first kernel calls. "First module" is kernels + first call for the first of a kernel's
fresh modules: it also pays for the engine code that this kernel is the first in the page to
use (V8 compiles a wasm module's functions lazily, on first use), once per page. Numba's first
call is a fresh dispatcher's, in a process that has compiled other functions already.

${firstCallTable(results)}

### Cached-call overhead

A kernel returning \`a[0]\` of a 1-element float64 array (signature \`${o.signature}\`,
${o.tier}) against a compiled expression's \`run\` of \`a + 1\` on a 1-element float64 array,
${o.calls} calls each, interleaved after 200 of warm-up: the page's round trip, and the
engine call in the compute worker (\`timing.computeMs\`). The page's clock ticks in steps of
5 µs (cross-origin isolated pages get 5 µs resolution).

| call | round trip (median, q1–q3) | in the engine |
|---|---|---|
| kernel \`first(a)\` | ${us(o.kernel.total.median)} (${usRange(o.kernel.total)}) | ${us(o.kernel.compute.median)} |
| expression \`a + 1\` | ${us(o.expression.total.median)} (${usRange(o.expression.total)}) | ${us(o.expression.compute.median)} |
| difference | ${us(o.diffMs)} | |
${native ? `| Numba \`first(a)\`, native | ${us(native.overhead.perCallMs.median)} | |\n` : ''}
### Kernel targets

${targets(results)}
`;
}
