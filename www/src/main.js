// The playground's shell: starts numwasm, wires the editor, the inputs panel, the run
// controls, the charts and the compiler panels together, and keeps the state.
//
//   edit -> (debounced) compile for the current signature -> diagnostics + panels
//   Run / Scaling / Sweep N -> the engine worker generates the inputs, copies them into the
//   engine, times the compute per thread count and the copies, checks and times the JS loop
//   -> result preview, timing tables, JS baseline verdict, charts
//
// numwasm itself runs in the engine worker (engine-worker.js), so no N-element array is ever
// made, copied or read on this thread.

import { generateBaseline } from './baseline.js';
import { Charts } from './charts.js';
import { EngineHost } from './engine.js';
import { EXAMPLES, example } from './examples.js';
import { SIZES, renderInputs, signatureOf, sizeLabel } from './inputs.js';
import { inputNames } from './names.js';
import { PANELS, showPanel } from './panels.js';
import { renderBaseline, renderResult, renderTiming } from './results.js';
import { Freshness } from './stale.js';
import { loadState, saveState, setUrlParam, urlFor, urlParam } from './state.js';
import { createEditor } from './editor.js';
import { KERNEL_PANELS, createKernelMode, kernelDefaults } from './kernel-mode.js';
import { kernelExample } from './kernel-examples.js';

const $ = (id) => document.getElementById(id);

const first = EXAMPLES[0];
const state = loadState({
  mode: 'expression',
  source: first.source,
  ...kernelDefaults(),
  example: first.id,
  inputs: structuredClone(first.inputs),
  n: 1_000_000,
  threads: 0,
  repeats: 5,
});

// A link names an unedited kernel example instead of carrying its module (shareable()).
if (state.kernel === kernelDefaults().kernel && kernelExample(state.kexample)) state.kernel = kernelExample(state.kexample).source;

let compiled = null; // { key, c, names, gen } for the current source + signature
let compileSeq = 0;
let running = null; // the run in progress: { id, cancelled, frac }
const timings = { key: '', rows: new Map(), js: null, transfer: null, sizes: [] };

const editor = createEditor($('editor'), state.mode === 'kernel' ? state.kernel : state.source, {
  onChange: (text) => {
    if (state.mode === 'kernel') kernel.onEdit(text);
    else {
      state.source = text;
      if (example(state.example)?.source !== text) $('examples').value = '';
    }
    persist();
    scheduleCompile();
  },
  onRun: () => (state.mode === 'kernel' ? kernel.run('single') : run('single')),
});
const charts = new Charts($('chart-threads'), $('chart-n'));
const freshness = new Freshness();
const engine = new EngineHost();
let functionTable = null; // the engine's function table, once it has started
let poolSize = 1;
let engineStatus = null;
/** Resolves when the engine worker has started (again, after Cancel replaced it). */
let engineReady = null;

function persist() {
  saveState(state, shareable());
  freshness.update(resultParts());
}

const KERNEL_KEYS = ['kernel', 'kexample', 'kfunc', 'kargs', 'kn'];

/**
 * The state a link needs: in expression mode the inputs of the names the expression uses
 * (not of every name typed on the way to it) and nothing of the kernel mode; in kernel
 * mode the module, the kernel, its arguments and N, and nothing of the expression mode.
 */
function shareable() {
  if (state.mode === 'kernel') {
    const shared = { ...state };
    for (const k of ['source', 'example', 'inputs', 'n']) delete shared[k];
    // An example's module unedited travels as its name.
    if (kernelExample(state.kexample)?.source === state.kernel) delete shared.kernel;
    return shared;
  }
  const inputs = Object.fromEntries(currentNames().filter((k) => state.inputs[k]).map((k) => [k, state.inputs[k]]));
  const shared = { ...state, inputs };
  for (const k of KERNEL_KEYS) delete shared[k];
  return shared;
}

/** What a run's results depend on, compared by the stale marks (stale.js). */
function resultParts() {
  if (state.mode === 'kernel') {
    const p = state.kfunc ? JSON.stringify(state.kargs) : '';
    return { kernel: true, source: `${state.kernel}\u0000${state.kfunc}`, n: state.kn, inputs: p };
  }
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
const ready = engine.start(wantPool).then(
  ({ status: s, functions, kernelLibrary }) => {
    functionTable = functions;
    editor.setKernelLibrary(kernelLibrary);
    poolSize = s.poolSize;
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
    editor.setFunctions(functions);
    fillThreads(s.poolSize);
    engineStatus = s;
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

engineReady = ready;

const kernel = createKernelMode({
  state,
  engine,
  editor,
  charts,
  persist,
  ready: () => engineReady,
  pool: () => poolSize,
  active: () => state.mode === 'kernel',
  panel: () => currentPanel(),
  setRunnable: (on) => setRunnable(on),
  showEngineError: (e) => showEngineError(e),
  stamp: (el) => shown(el, resultParts()),
  restarted: (promise) => {
    engineReady = promise.then(() => engineStatus);
    // Expression-mode compiles were made in the old worker's engine: compile again.
    compiled = null;
  },
});

function fillThreads(pool) {
  const sel = $('threads');
  sel.replaceChildren(...Array.from({ length: pool }, (_, i) => new Option(String(i + 1), String(i + 1))));
  const t = state.threads >= 1 && state.threads <= pool ? state.threads : pool;
  sel.value = String(t);
  state.threads = t;
  $('scale').textContent = `Scaling 1..${pool}`;
}

// ---- examples, mode, N, repeats

function fillExamples() {
  $('examples').replaceChildren(new Option('(your own)', ''), ...EXAMPLES.map((e) => new Option(`${e.id}: ${e.source}`, e.id)));
  $('examples').value = EXAMPLES.some((e) => e.id === state.example && e.source === state.source) ? state.example : '';
}
fillExamples();
$('examples').addEventListener('change', () => {
  if (state.mode === 'kernel') {
    kernel.chooseExample($('examples').value);
    return;
  }
  const e = example($('examples').value);
  if (!e) return;
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
  if (mode === state.mode || running || kernel.isRunning()) return;
  state.mode = mode;
  for (const b of document.querySelectorAll('.modes button')) b.setAttribute('aria-selected', String(b.dataset.mode === mode));
  document.body.classList.toggle('kernel-mode', mode === 'kernel');
  $('inputs-box').hidden = mode === 'kernel';
  $('kernel-box').hidden = mode !== 'kernel';
  // Nothing of one mode's results stays on screen where it could pass for the other's.
  clearResults();
  editor.clearErrors();
  $('diag').textContent = '';
  editor.setLanguage(mode);
  editor.setText(mode === 'kernel' ? state.kernel : state.source);
  markPanel();
  setRunnable(true);
  persist();
  if (mode === 'kernel') kernel.enter();
  else {
    fillExamples();
    scheduleCompile(0);
  }
}

function clearResults() {
  $('result').replaceChildren(Object.assign(document.createElement('p'), { className: 'hint', textContent: 'Run to see the result.' }));
  delete $('result').dataset.values;
  $('timing').replaceChildren(Object.assign(document.createElement('p'), { className: 'hint', textContent: 'No timings yet.' }));
  $('baseline').textContent = '';
  $('baseline').dataset.state = '';
  $('first-call').hidden = true;
  $('result-image').hidden = true;
  $('input-image').hidden = true;
  $('images').hidden = true;
  $('progress').hidden = true;
  $('progress-text').textContent = '';
  charts.clear();
  freshness.clear();
  Object.assign(timings, { key: '', rows: new Map(), js: null, transfer: null, sizes: [] });
  $('panel').textContent = '';
}
for (const b of document.querySelectorAll('.modes button')) b.addEventListener('click', () => setMode(b.dataset.mode));
$('kernel-box').hidden = true;
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
  await engineReady;
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
    const info = await engine.compile(source, sig);
    if (seq !== compileSeq) return STALE;
    // Scalar inputs are compiled for their current value (the signature carries it), so
    // they appear in the IR as constants with exactly the value the run uses.
    const gen = generateBaseline(info.ir, functionTable);
    compiled = { key, names, gen, ...info };
    editor.clearErrors();
    $('diag').textContent = `→ ${info.output.shape.length ? 'an array' : 'a scalar'} of ${info.output.dtype}`;
    $('diag').className = 'diag hint';
    delete $('diag').dataset.kind;
    showPanel($('panel'), currentPanel(), compiled);
    return compiled;
  } catch (e) {
    if (seq !== compileSeq) return STALE;
    if (e.numwasm) {
      showEngineError(e);
      compiled = null;
      $('panel').textContent = '(the expression does not compile)';
      return null;
    }
    throw e;
  }
}

/** A NumwasmError from the engine worker (engine.js EngineError): under the editor and at its span. */
function showEngineError(e) {
  editor.showError(e);
  $('diag').textContent = e.formatted;
  $('diag').className = 'diag bad mono';
  $('diag').dataset.kind = e.kind;
  $('diag').dataset.span = e.span ? `${e.span.start},${e.span.end}` : '';
}

// ---- compiler panels, selected by ?panel=

function currentPanel() {
  const p = urlParam('panel');
  const panels = state.mode === 'kernel' ? KERNEL_PANELS : PANELS;
  return panels.includes(p) ? p : panels === PANELS ? 'bytecode' : 'typed';
}
function markPanel() {
  const panels = state.mode === 'kernel' ? KERNEL_PANELS : PANELS;
  for (const b of document.querySelectorAll('.tabs button')) {
    b.hidden = !panels.includes(b.dataset.panel);
    b.setAttribute('aria-selected', String(b.dataset.panel === currentPanel()));
  }
}
for (const b of document.querySelectorAll('.tabs button')) {
  b.addEventListener('click', () => {
    setUrlParam('panel', b.dataset.panel);
    markPanel();
    if (state.mode === 'kernel') kernel.showPanel();
    else if (compiled) showPanel($('panel'), currentPanel(), compiled);
  });
}
markPanel();

// ---- running

function setRunnable(on) {
  const pool = poolSize || 1;
  const ok = on && engineStatus !== null;
  $('run').disabled = !ok;
  $('scale').disabled = !ok || pool < 2;
  $('sweep').disabled = !ok;
}

function progress(frac, label) {
  $('progress').hidden = false;
  $('progress').value = frac;
  $('progress-text').textContent = label;
}

const start = (kind) => (state.mode === 'kernel' ? kernel.run(kind) : run(kind));
$('run').addEventListener('click', () => start('single'));
$('scale').addEventListener('click', () => start('scaling'));
$('sweep').addEventListener('click', () => start('sweep'));
$('cancel').addEventListener('click', () => {
  if (kernel.cancel()) return;
  if (!running) return;
  running.cancelled = true;
  if (running.id !== null) engine.cancel(running.id);
  $('progress-text').textContent = 'cancelling after the current call…';
});

async function run(kind) {
  if (running || state.mode !== 'expression') return;
  // Taken at once, so a second click does not start a second run.
  const current = { id: null, cancelled: false, frac: 0 };
  running = current;
  progress(0, 'compiling…');
  let comp = null;
  try {
    await engineReady;
  } catch {
    running = null;
    progress(0, 'failed: numwasm did not start');
    return;
  }
  try {
    do comp = await compileNow();
    while (comp === STALE);
  } catch (e) {
    running = null;
    progress(0, `failed: ${e.message}`);
    return;
  }
  if (!comp) {
    running = null;
    progress(0, 'failed: the expression does not compile');
    return;
  }
  const pool = poolSize;
  const n = state.n;
  const parts = resultParts();
  const key = JSON.stringify([comp.key, state.inputs, n]);
  if (timings.key !== key) Object.assign(timings, { key, rows: new Map(), js: null, transfer: null });
  const sizes = SIZES.filter((s) => s <= n);
  const job = {
    kind,
    key,
    source: state.source,
    names: comp.names,
    specs: Object.fromEntries(comp.names.map((k) => [k, state.inputs[k]])),
    n,
    threads: kind === 'scaling' ? Array.from({ length: pool }, (_, i) => i + 1) : [state.threads],
    sizes,
    pool,
    repeats: state.repeats,
  };
  setRunnable(false);
  $('cancel').hidden = false;
  const report = (frac, label) => {
    current.frac = frac;
    if (!current.cancelled) progress(frac, label);
  };
  report(0, 'starting…');
  if (kind === 'sweep') timings.sizes = [];
  let first = true;
  const onEvent = (e) => {
    switch (e.type) {
      case 'progress':
        report(e.frac, e.label);
        break;
      case 'row':
        timings.rows.set(e.row.threads, e.row);
        renderResult($('result'), e.preview, e.same ? null : 'Warning: this result differs from the one computed with another thread count.');
        $('result').dataset.threads = String(e.row.threads);
        shown($('result'), parts);
        if (first) revealResult();
        first = false;
        showTimings(n, parts);
        break;
      case 'transfer':
        timings.transfer = e.transfer;
        showTimings(n, parts);
        break;
      case 'baseline':
        renderBaseline($('baseline'), e.verdict);
        shown($('baseline'), parts);
        if (kind !== 'sweep') {
          timings.js = null;
          showTimings(n, parts);
        }
        break;
      case 'js':
        if (kind !== 'sweep') {
          timings.js = e.js;
          showTimings(n, parts);
        }
        break;
      case 'size':
        timings.sizes.push(e.row);
        charts.setSizes(timings.sizes, pool, sizes[sizes.length - 1]);
        shown($('chart-n').parentElement, parts);
        break;
      default:
    }
  };
  try {
    const call = engine.run(job, onEvent);
    current.id = call.id;
    if (current.cancelled) engine.cancel(call.id);
    await call.done;
    drawChart();
    progress(1, 'done');
  } catch (e) {
    if (e.cancelled) progress(current.frac, 'cancelled');
    else if (e.numwasm) {
      editor.showError(e);
      $('diag').textContent = e.formatted;
      $('diag').className = 'diag bad mono';
      progress(0, `failed: ${e.kind}`);
    } else {
      progress(0, `failed: ${e.message}`);
      console.warn(e);
    }
  } finally {
    drawChart();
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

function showTimings(n, parts) {
  const rows = [...timings.rows.values()].sort((a, b) => a.threads - b.threads);
  renderTiming($('timing'), rows, timings.js, timings.transfer, n);
  shown($('timing'), parts);
  // The chart is drawn in a task of its own (drawing it is the page's longest piece of
  // work in a run), and events that come together are drawn once.
  pendingChart = () => {
    charts.setThreads(rows, timings.js, timings.transfer);
    shown($('chart-threads').parentElement, parts);
  };
  chartTimer ||= setTimeout(drawChart, 0);
}

let pendingChart = null;
let chartTimer = 0;
/** Draws the timing chart now if an update is waiting (the end of a run calls it too). */
function drawChart() {
  clearTimeout(chartTimer);
  chartTimer = 0;
  const draw = pendingChart;
  pendingChart = null;
  draw?.();
}

scheduleCompile(0);
