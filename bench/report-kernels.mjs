// The kernel section of bench/results/REPORT.md, from kernels-browser.json (bench/kernels.mjs)
// and, when present, kernels-native.json (bench/kernels_native.py): steady-state times
// against the JS loop and Numba, the first call of a fresh module, the cached-call overhead,
// and the targets of issue #18.

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
const size = (id, n) => (['band', 'normalize'].includes(id) ? `${n}×${n}` : n >= 1e4 ? `1e${Math.round(Math.log10(n))}` : `${n}`);

/** Reads the two result files from `dir`; null when the browser half has not run. */
export function loadKernelResults(dir) {
  const read = (f) => (existsSync(join(dir, f)) ? JSON.parse(readFileSync(join(dir, f), 'utf8')) : null);
  const browser = read('kernels-browser.json');
  return browser && { browser, native: read('kernels-native.json') };
}

/** The steady-state table (also printed by bench/report.mjs). */
export function kernelTable({ browser, native }) {
  const nrow = (r) => native?.rows.find((x) => x.id === r.id && x.n === r.n);
  const head = ['kernel', 'input', 'numwasm tier', 'numwasm (ms)', 'JS loop (ms)', 'numwasm/JS'];
  if (native) head.push('Numba (ms)', 'numwasm/Numba');
  head.push('other JS loop (ms)', 'same result');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`];
  for (const r of browser.rows) {
    const nw = r.numwasm.compute.median;
    const nr = nrow(r);
    const cells = [`\`${r.kernel}\``, `${size(r.id, r.n)}: ${r.what}`, r.tier, spread(r.numwasm.compute), spread(r.js), ratio(nw / r.js.median)];
    if (native) cells.push(nr ? spread(nr.numba) : '—', nr ? ratio(nw / nr.numba.median) : '—');
    cells.push(r.jsAlt ? `${r.jsAlt.name}: ${ms(r.jsAlt.median)}` : '—');
    const same = [r.check.ok ? 'numwasm = JS' : `numwasm ≠ JS (${r.check.mismatches} differ)`];
    if (nr) same.push(nr.digest === r.digest.js ? 'Numba = JS' : 'Numba ≠ JS');
    cells.push(same.join(', '));
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
  }
  for (const r of browser.firstCall) {
    check(r.total.median < TARGET_FIRST_MS, `\`${r.id}\`: first call ${ms(r.total.median)} ms in a fresh module (target < ${TARGET_FIRST_MS} ms)`);
  }
  const o = browser.overhead;
  check(o.diffMs <= TARGET_OVERHEAD_MS, `cached-call overhead: ${us(o.kernel.total.median)} against ${us(o.expression.total.median)} for a compiled expression, ${us(o.diffMs)} more (target ≤ ${us(TARGET_OVERHEAD_MS)} more)`);
  return out.join('\n');
}

/** The whole section, as Markdown. */
export function kernelsSection(results) {
  const { browser, native } = results;
  const m = browser.meta;
  const o = browser.overhead;
  const sizesDiffer = native && browser.rows.some((r) => !native.rows.find((x) => x.id === r.id && x.n === r.n));
  const jsNotes = browser.rows.map((r) => `  - \`${r.kernel}\`: ${r.jsNote}${r.jsAlt ? `; other loop (${r.jsAlt.name}): ${r.jsAlt.note}` : ''}`).join('\n');
  const notCompiled = browser.rows.filter((r) => r.notCompiled).map((r) => `\`${r.kernel}\`: ${r.notCompiled}`);
  return `## Numba-style kernels, one thread

- ${m.date}; commit ${m.commit}; ${m.cpu}, ${m.cores} cores
- ${m.browser} (headless); numwasm build: ${m.build}, \`threads: 1\`
${native ? `- native: Python ${native.meta.python}, NumPy ${native.meta.numpy}, Numba ${native.meta.numba}, ${native.meta.numbaThreads} thread (NUMBA_NUM_THREADS=1)` : '- native: not measured (no Python environment)'}${sizesDiffer ? '\n- the browser and native runs used different sizes: rows without a match show —' : ''}

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
${notCompiled.length ? `- on the reference executor: ${notCompiled.join('; ')}\n` : ''}
${kernelTable(results)}

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
