#!/usr/bin/env node
// Per-function speed of numwasm's vector math in headless Chromium against a JS loop calling
// the matching Math.* function in the same page: one thread, float64 and float32, 1e6
// elements by default. numwasm runs `f(a)` on a resident input into a resident output (the
// figure is the engine's compute time); the JS loop reads a typed array of the same dtype and
// writes one. Both are checked to agree (within 2 ULP) before timing; medians over repeats,
// the two sides timed alternately, the speedup the median of the per-pair ratios.
// A reference row, abs, measures the floor: a kernel that costs nothing beyond loading and
// storing (memory traffic and the engine's loop). A function's "bound" column is its JS
// time over that floor, the speedup an infinitely fast kernel would reach in the same run.
// Writes bench/results/vmath-browser.json and prints a Markdown table.
// With --runs N the whole measurement is repeated in N fresh browsers and the table gives the
// median speedup over the runs with its range (this shared machine drifts between runs).
//   node bench/vmath.mjs [--n 1e6] [--only exp,sin] [--repeats 15] [--runs 1] [--out FILE]

import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';

import { evaluateInIsolatedPage, repo } from '../tests/e2e/browser.mjs';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}
const n = Number(arg('n', '1e6'));
const only = arg('only', '');
const repeats = Number(arg('repeats', '15'));
const runs = Number(arg('runs', '1'));
const outFile = arg('out', join(repo, 'bench', 'results', 'vmath-browser.json'));

// name, numwasm expression, JS element function (source text, evaluated in the page), domains
// of the inputs [lo, hi] (log-uniform when the third entry is 'log').
const FUNCTIONS = [
  ['exp', 'exp(a)', 'Math.exp(a)', [[-50, 50]]],
  ['exp2', 'exp2(a)', '2 ** a', [[-50, 50]]],
  ['expm1', 'expm1(a)', 'Math.expm1(a)', [[-5, 5]]],
  ['log', 'log(a)', 'Math.log(a)', [[1e-3, 1e3, 'log']]],
  ['log2', 'log2(a)', 'Math.log2(a)', [[1e-3, 1e3, 'log']]],
  ['log10', 'log10(a)', 'Math.log10(a)', [[1e-3, 1e3, 'log']]],
  ['log1p', 'log1p(a)', 'Math.log1p(a)', [[-0.9, 10]]],
  ['sqrt', 'sqrt(a)', 'Math.sqrt(a)', [[0, 1e6]]],
  ['cbrt', 'cbrt(a)', 'Math.cbrt(a)', [[-1e3, 1e3]]],
  ['sin', 'sin(a)', 'Math.sin(a)', [[-10, 10]]],
  ['cos', 'cos(a)', 'Math.cos(a)', [[-10, 10]]],
  ['tan', 'tan(a)', 'Math.tan(a)', [[-10, 10]]],
  ['arcsin', 'arcsin(a)', 'Math.asin(a)', [[-1, 1]]],
  ['arccos', 'arccos(a)', 'Math.acos(a)', [[-1, 1]]],
  ['arctan', 'arctan(a)', 'Math.atan(a)', [[-100, 100]]],
  ['sinh', 'sinh(a)', 'Math.sinh(a)', [[-10, 10]]],
  ['cosh', 'cosh(a)', 'Math.cosh(a)', [[-10, 10]]],
  ['tanh', 'tanh(a)', 'Math.tanh(a)', [[-5, 5]]],
  ['arcsinh', 'arcsinh(a)', 'Math.asinh(a)', [[-100, 100]]],
  ['arccosh', 'arccosh(a)', 'Math.acosh(a)', [[1, 100]]],
  ['arctanh', 'arctanh(a)', 'Math.atanh(a)', [[-0.99, 0.99]]],
  ['pow', 'a ** b', 'a ** b', [[0.1, 10], [-5, 5]]],
  ['arctan2', 'arctan2(a, b)', 'Math.atan2(a, b)', [[-10, 10], [-10, 10]]],
  ['hypot', 'hypot(a, b)', 'Math.hypot(a, b)', [[-10, 10], [-10, 10]]],
  ['fmod', 'fmod(a, b)', 'a % b', [[-100, 100], [0.5, 10]]],
  // The floor (see the header); not one of the functions the summary covers.
  ['abs', 'abs(a)', 'Math.abs(a)', [[-10, 10]]],
  // Constant exponents (the integer-power kernel); measured only with --only, outside the
  // summary.
  ['cube', 'a ** 3', 'a ** 3', [[-10, 10]]],
  ['pow1.5', 'a ** 1.5', 'a ** 1.5', [[0, 10]]],
  ['pow-2', 'a ** -2', 'a ** -2', [[0.1, 10]]],
];
const FLOOR = 'abs';
const EXTRA = new Set(['cube', 'pow1.5', 'pow-2']);

const selected = FUNCTIONS.filter(([id]) =>
  only ? id === FLOOR || only.split(',').includes(id) : !EXTRA.has(id));
const load = loadavg()[0];
const measure = () => evaluateInIsolatedPage(
  async ({ functions, n, repeats }) => {
    const nw = await import('/web/src/index.js');
    const { rng } = await import('/bench/workloads.js');
    const status = await nw.init();
    const median = (t) => [...t].sort((x, y) => x - y)[Math.floor((t.length - 1) / 2)];
    const rows = [];
    for (const [id, expr, jsElem, domains] of functions) {
      const row = { id, expr };
      for (const dtype of ['float64', 'float32']) {
        const T = dtype === 'float64' ? Float64Array : Float32Array;
        const names = ['a', 'b'].slice(0, domains.length);
        const inputs = {};
        domains.forEach(([lo, hi, kind], j) => {
          const r = rng(101 + j);
          const x = new T(n);
          for (let i = 0; i < n; i++) {
            const u = r();
            x[i] = kind === 'log' ? lo * (hi / lo) ** u : lo + (hi - lo) * u;
          }
          inputs[names[j]] = x;
        });
        // The JS loop, written out so that V8 sees a monomorphic loop over one function.
        // eslint-disable-next-line no-new-func
        const js = new Function(
          ...names,
          'out',
          `for (let i = 0; i < out.length; i++) { ${names.map((k) => `const ${k}_ = ${k}[i];`).join(' ')} out[i] = ${jsElem.replace(/\b([ab])\b/g, '$1_')}; } return out;`,
        );
        const jsOut = js(...names.map((k) => inputs[k]), new T(n));
        const ref = await nw.evaluate(expr, inputs);
        if (ref.dtype !== dtype) throw new Error(`${expr} on ${dtype} gave ${ref.dtype}`);
        // Agreement: both sides are within 1 ULP of the true value, so within 2 ULP of each other.
        const ulp = dtype === 'float64' ? 2 ** -52 : 2 ** -23;
        let worst = 0;
        for (let i = 0; i < n; i++) {
          const x = ref.data[i];
          const y = jsOut[i];
          if (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))) continue;
          const d = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), dtype === 'float64' ? 2.2e-308 : 1.2e-38);
          if (!(d <= worst)) worst = d;
        }
        const resident = {};
        for (const k of names) resident[k] = await nw.array(inputs[k]);
        const out = await nw.array(new T(n));
        const call = () => nw.evaluate(expr, resident, { threads: 1, out });
        // Warm-up: at least 3 calls and 200 ms a side (see docs/expression-engine.md on V8's tiers).
        const args = [...names.map((k) => inputs[k]), new T(n)];
        for (const f of [call, () => js(...args)]) {
          const t0 = performance.now();
          for (let i = 0; i < 3 || performance.now() - t0 < 200; i++) await f();
        }
        // Alternate the two sides so that load from elsewhere hits both alike.
        const tn = [];
        const tj = [];
        for (let i = 0; i < repeats; i++) {
          tn.push((await call()).timing.computeMs);
          const t0 = performance.now();
          js(...args);
          tj.push(performance.now() - t0);
        }
        for (const r of Object.values(resident)) r.free();
        out.free();
        const nwNs = (median(tn) * 1e6) / n;
        const jsNs = (median(tj) * 1e6) / n;
        // The median of the per-pair ratios: steadier than the ratio of medians when other
        // work on the machine comes and goes.
        const speedup = median(tj.map((t, i) => t / tn[i]));
        row[dtype] = { numwasmNs: nwNs, jsNs, speedup, maxRelDiff: worst, agree: worst <= 2 * ulp };
        console.log(
          `${id.padEnd(8)} ${dtype}  numwasm ${nwNs.toFixed(2)} ns  JS ${jsNs.toFixed(2)} ns  ${speedup.toFixed(2)}x` +
            (worst <= 2 * ulp ? '' : `  DISAGREE (max rel diff ${worst})`),
        );
      }
      rows.push(row);
    }
    return { status, rows, userAgent: navigator.userAgent };
  },
  { functions: selected, n, repeats },
);

const results = [];
for (let r = 0; r < runs; r++) results.push(await measure());
const result = results[0];
const med = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
// One row per function: medians over the runs, each run's figures kept alongside.
const merged = result.rows.map((row, i) => {
  const out = { id: row.id, expr: row.expr };
  for (const dt of ['float64', 'float32']) {
    const all = results.map((res) => res.rows[i][dt]);
    out[dt] = {
      numwasmNs: med(all.map((x) => x.numwasmNs)),
      jsNs: med(all.map((x) => x.jsNs)),
      speedup: med(all.map((x) => x.speedup)),
      speedupMin: Math.min(...all.map((x) => x.speedup)),
      speedupMax: Math.max(...all.map((x) => x.speedup)),
      maxRelDiff: Math.max(...all.map((x) => x.maxRelDiff)),
      agree: all.every((x) => x.agree),
      runs: all,
    };
  }
  return out;
});

const meta = {
  date: new Date().toISOString(),
  commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim(),
  browser: execFileSync('/usr/bin/chromium', ['--version'], { encoding: 'utf8' }).trim(),
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  load1: load,
  build: result.status.build,
  n,
  repeats,
  runs,
};
await mkdir(join(repo, 'bench', 'results'), { recursive: true });
await writeFile(
  outFile,
  `${JSON.stringify({ meta, status: result.status, userAgent: result.userAgent, rows: merged }, null, 2)}\n`,
);

const f = (x) => x.toFixed(2);
const sp = (d) => (runs > 1 ? `${f(d.speedup)}x (${f(d.speedupMin)}–${f(d.speedupMax)})` : `${f(d.speedup)}x`);
const lines = [
  `Chromium: ${meta.browser}; ${meta.cpu}, ${meta.cores} cores, load ${load.toFixed(2)}; build ${meta.build}, commit ${meta.commit}; ${n} elements, one thread, median of ${repeats} pairs` +
    (runs > 1 ? `, medians over ${runs} browser runs (range in parentheses).` : '.'),
  '',
  '| function | f64 numwasm ns | f64 JS ns | f64 speedup | f64 bound | f32 numwasm ns | f32 JS ns | f32 speedup | f32 bound |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
const floor = merged.find((r) => r.id === FLOOR);
const bound = (r, dt) => `${f(r[dt].jsNs / floor[dt].numwasmNs)}x`;
for (const r of merged) {
  const a = r.float64;
  const b = r.float32;
  const name = r.id === FLOOR ? `${r.id} (floor)` : r.id;
  lines.push(
    `| ${name} | ${f(a.numwasmNs)} | ${f(a.jsNs)} | ${sp(a)} | ${bound(r, 'float64')} | ${f(b.numwasmNs)} | ${f(b.jsNs)} | ${sp(b)} | ${bound(r, 'float32')} |`,
  );
}
const all = (dt) => merged.filter((r) => r.id !== FLOOR && !EXTRA.has(r.id)).map((r) => r[dt].speedup);
for (const dt of ['float64', 'float32']) {
  lines.push('', `${dt}: median speedup ${f(med(all(dt)))}x, range ${f(Math.min(...all(dt)))}–${f(Math.max(...all(dt)))}x.`);
}
console.log(lines.join('\n'));
const bad = merged.flatMap((r) => ['float64', 'float32'].filter((d) => !r[d].agree).map((d) => `${r.id}/${d}`));
if (bad.length) {
  console.error(`numwasm and Math.* disagree by more than 2 ULP on: ${bad.join(', ')}`);
  process.exitCode = 1;
}
