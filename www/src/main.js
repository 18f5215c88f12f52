// The playground's shell: starts numwasm, wires the editor, the inputs panel, the run
// controls, the charts and the compiler panels together, and keeps the state.
//
//   edit -> (debounced) compile for the current signature -> diagnostics + panels
//   Run / Scaling / Sweep N -> generate inputs (in a worker) -> upload once -> timed runs per thread
//   count -> result preview, timing table, JS baseline (checked, then timed), charts

import * as nw from 'numwasm';

import { generateBaseline } from './baseline.js';
import { Charts } from './charts.js';
import { EXAMPLES, example } from './examples.js';
import { SIZES, renderInputs, shapeOf, signatureOf, sizeLabel } from './inputs.js';
import { Baseline, Cancelled, Job, timeEngine } from './measure.js';
import { inputNames } from './names.js';
import { PANELS, showPanel } from './panels.js';
import { renderBaseline, renderResult, renderTiming } from './results.js';
import { Freshness } from './stale.js';
import { loadState, saveState, setUrlParam, urlFor, urlParam } from './state.js';
import { createEditor } from './editor.js';

const $ = (id) => document.getElementById(id);

const KERNEL_SAMPLE = `# Kernel mode is coming: this text is not run.
@vectorize
def response(v, gamma):
    if v < 0.04045:
        return v / 12.92
    return ((v + 0.055) / 1.055) ** gamma
`;

const first = EXAMPLES[0];
const state = loadState({
  mode: 'expression',
  source: first.source,
  kernel: KERNEL_SAMPLE,
  example: first.id,
  inputs: structuredClone(first.inputs),
  n: 1_000_000,
  threads: 0,
  repeats: 5,
});

let compiled = null; // { key, c, names, gen } for the current source + signature
let compileSeq = 0;
let running = null; // the Job in progress
const timings = { key: '', rows: new Map(), js: null, sizes: [], firstResult: null };

const editor = createEditor($('editor'), state.mode === 'kernel' ? state.kernel : state.source, {
  onChange: (text) => {
    if (state.mode === 'kernel') state.kernel = text;
    else {
      state.source = text;
      if (example(state.example)?.source !== text) $('examples').value = '';
    }
    persist();
    scheduleCompile();
  },
  onRun: () => run('single'),
});
const charts = new Charts($('chart-threads'), $('chart-n'));
const baseline = new Baseline();
const freshness = new Freshness();

function persist() {
  saveState(state, shareable());
  if (state.mode === 'expression') freshness.update(resultParts());
}

/**
 * The state a link needs: the inputs of the names the expression uses (not of every name
 * typed on the way to it), and the kernel text only in kernel mode when it was edited.
 */
function shareable() {
  const inputs = Object.fromEntries(currentNames().filter((k) => state.inputs[k]).map((k) => [k, state.inputs[k]]));
  const shared = { ...state, inputs };
  if (state.mode !== 'kernel' || state.kernel === KERNEL_SAMPLE) delete shared.kernel;
  return shared;
}

/** What a run's results depend on, compared by the stale marks (stale.js). */
function resultParts() {
  const inputs = JSON.stringify(currentNames().map((k) => [k, state.inputs[k] ?? null]));
  return { source: state.source, n: state.n, inputs };
}

/** Records that `el` shows results of a run for `parts` and refreshes every stale mark. */
function shown(el, parts) {
  freshness.stamp(el, parts);
  freshness.update(resultParts());
}

// ---- engine start and status line

const wantPool = Number(urlParam('pool')) || undefined;
const ready = nw.init(wantPool ? { threads: wantPool } : undefined).then(
  (s) => {
    $('status').textContent =
      `numwasm ${s.version} · build ${s.build} · pool ${s.poolSize} thread${s.poolSize === 1 ? '' : 's'} · ` +
      `${s.ncores} logical cores · crossOriginIsolated: ${s.crossOriginIsolated}`;
    $('status').dataset.build = s.build;
    $('status').dataset.pool = String(s.poolSize);
    if (!s.crossOriginIsolated || s.build !== 'threads') {
      const why = $('isolation');
      why.hidden = false;
      why.textContent = s.crossOriginIsolated
        ? 'The thread pool did not start, so numwasm runs its single-threaded SIMD build: one thread.'
        : 'This page is not cross-origin isolated: it was served without the headers ' +
          'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp. ' +
          'Without them the browser withholds SharedArrayBuffer, so numwasm cannot share memory with a ' +
          'pool of workers and runs its single-threaded SIMD build: one thread. Serve the page with ' +
          'scripts/serve.sh to get the thread pool.';
    }
    editor.setFunctions(nw.functions());
    fillThreads(s.poolSize);
    setRunnable(true);
    scheduleCompile(0);
    return s;
  },
  (e) => {
    $('status').textContent = `numwasm failed to start: ${e.message}`;
    $('status').classList.add('bad');
    throw e;
  },
);

function fillThreads(pool) {
  const sel = $('threads');
  sel.replaceChildren(...Array.from({ length: pool }, (_, i) => new Option(String(i + 1), String(i + 1))));
  const t = state.threads >= 1 && state.threads <= pool ? state.threads : pool;
  sel.value = String(t);
  state.threads = t;
  $('scale').textContent = `Scaling 1..${pool}`;
}

// ---- examples, mode, N, repeats

for (const e of EXAMPLES) $('examples').add(new Option(`${e.id}: ${e.source}`, e.id));
$('examples').add(new Option('(your own)', ''), 0);
$('examples').value = EXAMPLES.some((e) => e.id === state.example && e.source === state.source) ? state.example : '';
$('examples').addEventListener('change', () => {
  const e = example($('examples').value);
  if (!e) return;
  setMode('expression');
  state.example = e.id;
  state.inputs = { ...state.inputs, ...structuredClone(e.inputs) };
  editor.setText(e.source);
  state.source = e.source;
  persist();
  scheduleCompile(0); // also when the source is unchanged and only the inputs differ
});

for (const n of SIZES) $('n').add(new Option(sizeLabel(n), String(n)));
$('n').value = String(SIZES.includes(state.n) ? state.n : 1_000_000);
$('n').addEventListener('change', () => {
  state.n = Number($('n').value);
  persist();
  updateNText();
  scheduleCompile(); // the signature holds the shapes, which follow N
});
function updateNText() {
  $('n-text').textContent = `${state.n.toLocaleString('en-US')} elements per array input`;
}
updateNText();
$('repeats').value = String(state.repeats);
$('repeats').addEventListener('change', () => {
  state.repeats = Number($('repeats').value);
  persist();
});
$('threads').addEventListener('change', () => {
  state.threads = Number($('threads').value);
  persist();
});

function setMode(mode) {
  if (mode === state.mode) return;
  state.mode = mode;
  for (const b of document.querySelectorAll('.modes button')) b.setAttribute('aria-selected', String(b.dataset.mode === mode));
  $('kernel-note').hidden = mode !== 'kernel';
  // Nothing of an expression's results stays on screen where it could pass for a kernel's.
  document.body.classList.toggle('kernel-mode', mode === 'kernel');
  $('inputs-box').hidden = mode === 'kernel';
  editor.clearErrors();
  $('diag').textContent = '';
  editor.setText(mode === 'kernel' ? state.kernel : state.source);
  setRunnable(true);
  persist();
}
for (const b of document.querySelectorAll('.modes button')) b.addEventListener('click', () => setMode(b.dataset.mode));
if (state.mode === 'kernel') {
  state.mode = 'expression';
  setMode('kernel');
}

$('share').addEventListener('click', async () => {
  const url = new URL(urlFor(shareable()), location.href).href;
  try {
    await navigator.clipboard.writeText(url);
    $('share').textContent = 'Link copied';
  } catch {
    $('share').textContent = 'Link in address bar';
  }
  setTimeout(() => ($('share').textContent = 'Share'), 1500);
});

// ---- compile on edit: diagnostics, inputs panel, compiler panels

function currentNames() {
  return inputNames(state.source);
}

function signature(names) {
  return Object.fromEntries(names.map((k) => [k, signatureOf(state.inputs[k], state.n)]));
}

let compileTimer = 0;
function scheduleCompile(delay = 250) {
  if (state.mode !== 'expression') return;
  const names = currentNames();
  renderInputs($('inputs'), names, state.inputs, () => {
    persist();
    scheduleCompile();
  });
  clearTimeout(compileTimer);
  compileTimer = setTimeout(() => compileNow().catch(() => {}), delay);
}

const STALE = Symbol('stale');
let inflight = null; // { key, promise } of the compile under way

/**
 * Compiles the source for the current signature; shows errors at their span. Resolves to
 * the compiled entry, null on an error, or STALE when a newer edit superseded it.
 */
async function compileNow() {
  await ready;
  const source = state.source;
  const names = currentNames();
  const sig = signature(names);
  const key = JSON.stringify([source, sig]);
  if (compiled?.key === key) return compiled;
  if (inflight?.key === key) return inflight.promise;
  const promise = compileFor(key, source, names, sig);
  inflight = { key, promise };
  try {
    return await promise;
  } finally {
    if (inflight?.promise === promise) inflight = null;
  }
}

async function compileFor(key, source, names, sig) {
  const seq = ++compileSeq;
  try {
    const c = await nw.compile(source, sig);
    const ir = await c.ir();
    if (seq !== compileSeq) {
      c.free();
      return STALE;
    }
    compiled?.c.free();
    // Scalar inputs are compiled for their current value (the signature carries it), so
    // they appear in the IR as constants with exactly the value the run uses.
    const gen = generateBaseline(ir, nw.functions());
    compiled = { key, c, names, gen, ir };
    editor.clearErrors();
    $('diag').textContent = `→ ${c.output.shape.length ? 'an array' : 'a scalar'} of ${c.output.dtype}`;
    $('diag').className = 'diag hint';
    delete $('diag').dataset.kind;
    await showPanel($('panel'), currentPanel(), compiled);
    return compiled;
  } catch (e) {
    if (seq !== compileSeq) return STALE;
    if (e instanceof nw.NumwasmError) {
      editor.showError(e);
      $('diag').textContent = e.format();
      $('diag').className = 'diag bad mono';
      $('diag').dataset.kind = e.kind;
      $('diag').dataset.span = e.span ? `${e.span.start},${e.span.end}` : '';
      compiled = null;
      $('panel').textContent = '(the expression does not compile)';
      return null;
    }
    throw e;
  }
}

// ---- compiler panels, selected by ?panel=

function currentPanel() {
  const p = urlParam('panel');
  return PANELS.includes(p) ? p : 'bytecode';
}
function markPanel() {
  for (const b of document.querySelectorAll('.tabs button')) b.setAttribute('aria-selected', String(b.dataset.panel === currentPanel()));
}
for (const b of document.querySelectorAll('.tabs button')) {
  b.addEventListener('click', () => {
    setUrlParam('panel', b.dataset.panel);
    markPanel();
    if (compiled) showPanel($('panel'), currentPanel(), compiled);
  });
}
markPanel();

// ---- running

function setRunnable(on) {
  const expr = state.mode === 'expression';
  const pool = nw.status().poolSize || 1;
  $('run').disabled = !on || !expr;
  $('scale').disabled = !on || !expr || pool < 2;
  $('sweep').disabled = !on || !expr;
}

function progress(frac, label) {
  $('progress').hidden = false;
  $('progress').value = frac;
  $('progress-text').textContent = label;
}

$('run').addEventListener('click', () => run('single'));
$('scale').addEventListener('click', () => run('scaling'));
$('sweep').addEventListener('click', () => run('sweep'));
$('cancel').addEventListener('click', () => {
  if (running) running.cancelled = true;
  $('progress-text').textContent = 'cancelling after the current call…';
});

/** Generates the inputs for N and copies the arrays into the engine once. */
async function makeInputs(names, n) {
  const host = {};
  const engine = {};
  for (const name of names) {
    host[name] = await baseline.generate(name, state.inputs[name], n);
    const value = host[name];
    // A Uint8Array is uint8 to the package unless it is told the dtype is bool.
    const spec = state.inputs[name];
    const array = { data: value, dtype: spec.dtype, shape: shapeOf(spec, n) };
    engine[name] = typeof value === 'number' ? value : await nw.array(array);
    await new Promise((r) => setTimeout(r, 0)); // let the page breathe between inputs
  }
  return { host, engine, free: () => Object.values(engine).forEach((v) => v.free?.()) };
}

async function run(kind) {
  if (running || state.mode !== 'expression') return;
  const job = new Job(1, progress);
  running = job; // taken at once, so a second click does not start a second run
  progress(0, 'compiling…');
  const status = await ready;
  let comp;
  do comp = await compileNow();
  while (comp === STALE);
  if (!comp) {
    running = null;
    progress(0, 'failed: the expression does not compile');
    return;
  }
  const pool = status.poolSize;
  const n = state.n;
  const parts = resultParts();
  const repeats = state.repeats;
  const key = JSON.stringify([comp.key, state.inputs, n]);
  if (timings.key !== key) {
    Object.assign(timings, { key, rows: new Map(), js: null, firstResult: null });
  }
  const threadList = kind === 'scaling' ? Array.from({ length: pool }, (_, i) => i + 1) : [state.threads];
  const sizes = SIZES.filter((s) => s <= n);
  const calls = kind === 'sweep' ? sizes.length * (pool > 1 ? 3 : 2) * (repeats + 1) : (threadList.length + 1) * (repeats + 1);
  job.total = calls;
  setRunnable(false);
  $('cancel').hidden = false;
  progress(0, 'generating inputs…');
  let data = null;
  try {
    if (kind === 'sweep') {
      await sweep(comp, sizes, pool, repeats, job, parts);
    } else {
      data = await makeInputs(comp.names, n);
      for (const t of threadList) {
        const r = await timeEngine(comp.c, data.engine, t, repeats, job, `numwasm, ${t} thread${t === 1 ? '' : 's'}`);
        timings.rows.set(t, { threads: t, ...r });
        const same = timings.firstResult ? sameData(timings.firstResult.data, r.result.data) : true;
        timings.firstResult ??= r.result;
        renderResult($('result'), r.result, same ? null : 'Warning: this result differs from the one computed with another thread count.');
        $('result').dataset.threads = String(t);
        shown($('result'), parts);
        if (t === threadList[0]) revealResult();
        showTimings(n, parts);
      }
      await jsBaseline(comp, data.host, timings.firstResult, n, repeats, job, parts);
      showTimings(n, parts);
    }
    progress(1, 'done');
  } catch (e) {
    if (e instanceof Cancelled) progress(job.done / job.total, 'cancelled');
    else if (e instanceof nw.NumwasmError) {
      editor.showError(e);
      $('diag').textContent = e.format();
      $('diag').className = 'diag bad mono';
      progress(0, `failed: ${e.kind}`);
    } else {
      progress(0, `failed: ${e.message}`);
      console.warn(e);
    }
  } finally {
    data?.free();
    running = null;
    $('cancel').hidden = true;
    setRunnable(true);
    // A cancelled run leaves the elements it had not reached yet as the previous run left them.
    freshness.update(resultParts());
  }
}

/**
 * Scrolls the result into view when a run's first result lands (partly) off screen, as it
 * does on a phone, where the one-column layout puts it under the editor, the inputs and the
 * controls.
 */
function revealResult() {
  const title = $('result-title');
  const top = title.getBoundingClientRect().top;
  const bottom = $('result').getBoundingClientRect().bottom;
  if (top < 0 || bottom > window.innerHeight) title.scrollIntoView({ block: 'start' });
}

function sameData(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i] || (a[i] !== a[i] && b[i] !== b[i]))) return false;
  return true;
}

/** Checks the generated JS loop against numwasm's result, then times it (if it agrees). */
async function jsBaseline(comp, host, result, n, repeats, job, parts) {
  if (!comp.gen.ok) {
    timings.js = null;
    renderBaseline($('baseline'), { unsupported: comp.gen.reason });
    shown($('baseline'), parts);
    return null;
  }
  progress(job.done / job.total, 'JS baseline: checking against numwasm');
  const P = comp.ir.params.map((p) => host[p.name]);
  await baseline.prepare(comp.gen, P, n);
  const check = await baseline.check(result.data);
  const verdict = { check, tolerance: comp.gen.tolerance, count: result.data.length };
  renderBaseline($('baseline'), verdict);
  shown($('baseline'), parts);
  if (!check.ok) {
    timings.js = null;
    return null;
  }
  timings.js = await baseline.time(repeats, job, 'JS loop');
  return timings.js;
}

function showTimings(n, parts) {
  const rows = [...timings.rows.values()].sort((a, b) => a.threads - b.threads);
  renderTiming($('timing'), rows, timings.js, n);
  charts.setThreads(rows, timings.js);
  shown($('timing'), parts);
  shown($('chart-threads').parentElement, parts);
}

/** Time versus N: serial, parallel (whole pool) and JS at each size up to the chosen N. */
async function sweep(comp, sizes, pool, repeats, job, parts) {
  timings.sizes = [];
  for (const n of sizes) {
    const data = await makeInputs(comp.names, n);
    try {
      const row = { n, serial: null, parallel: null, js: null };
      const serial = await timeEngine(comp.c, data.engine, 1, repeats, job, `N=${sizeLabel(n)}: 1 thread`);
      row.serial = serial.median;
      if (pool > 1) row.parallel = (await timeEngine(comp.c, data.engine, pool, repeats, job, `N=${sizeLabel(n)}: ${pool} threads`)).median;
      if (comp.gen.ok) {
        const P = comp.ir.params.map((p) => data.host[p.name]);
        await baseline.prepare(comp.gen, P, n);
        const check = await baseline.check(serial.result.data);
        renderBaseline($('baseline'), { check, tolerance: comp.gen.tolerance, count: serial.result.data.length });
        shown($('baseline'), parts);
        if (check.ok) row.js = (await baseline.time(repeats, job, `N=${sizeLabel(n)}: JS loop`)).median;
        else job.step('JS baseline mismatch: not timed');
      } else {
        renderBaseline($('baseline'), { unsupported: comp.gen.reason });
        shown($('baseline'), parts);
      }
      timings.sizes.push(row);
      charts.setSizes(timings.sizes, pool, sizes[sizes.length - 1]);
      shown($('chart-n').parentElement, parts);
    } finally {
      data.free();
    }
  }
}

scheduleCompile(0);
