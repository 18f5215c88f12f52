// The playground's kernel mode: a Python module of Numba-style kernels in the editor, the
// chosen kernel's arguments panel, runs (Run, Scaling 1..P, Sweep N) against the JS
// baseline generated from the typed kernel IR, the compiler panels (typed IR, generated
// wasm, generated JS, parallel diagnostics) and Cancel.
//
//   edit -> (debounced) parse the module and type the chosen kernel for its arguments
//        -> errors at their span, or the kernel's signature and the panels
//   Run / Scaling / Sweep N -> the engine worker (kernel-run.js) makes the arguments, calls
//        the kernel once (the first call compiles it), times each thread count, checks and
//        times the JS baseline -> result preview (an image for a 2-D uint8 result), timing
//        table, first-call time, baseline verdict, charts
//   Cancel -> the call in flight is aborted (numwasm replaces its compute worker); if the
//        worker does not answer within CANCEL_MS (it is inside the JS baseline), the page
//        ends the engine worker and starts a new one.

import { SIZES, sizeLabel } from './inputs.js';
import { KERNEL_EXAMPLES, kernelExample } from './kernel-examples.js';
import { argElements, decoratedNames, kernelParams, renderKernelArgs } from './kernel-args.js';
import { renderResult, renderTiming } from './results.js';
import { ms } from './results.js';

export const KERNEL_PANELS = ['typed', 'wat', 'kjs', 'parallel'];

/**
 * How long Cancel waits for the engine worker to stop a run before it ends the worker
 * (`?cancelms=` overrides it: 0 ends the worker at once, which the tests use to exercise
 * that path).
 */
const fromUrl = Number(new URLSearchParams(globalThis.location?.search ?? '').get('cancelms'));
export const CANCEL_MS = Number.isFinite(fromUrl) && new URLSearchParams(globalThis.location?.search ?? '').has('cancelms') ? fromUrl : 300;

const $ = (id) => document.getElementById(id);

/** The kernel mode's part of the page's state, for a new page or an example. */
export function kernelDefaults(example = KERNEL_EXAMPLES[0]) {
  return { kernel: example.source, kexample: example.id, kfunc: example.func, kargs: structuredClone(example.args), kn: example.n };
}

/**
 * The kernel mode's controller. `host` gives it: state (the page's state object), persist(),
 * engine (EngineHost), editor, charts, ready (the engine's start), pool() (the pool's
 * size), restarted(promise) (the page's engine was replaced), active() (kernel mode is
 * shown), panel() and setPanel(name).
 */
export function createKernelMode(host) {
  const { state, engine, editor, charts } = host;
  let compiled = null; // { key, info, names } of the module and arguments on screen
  let seq = 0;
  let timer = 0;
  let running = null;
  const timings = { key: '', rows: new Map(), js: null, sizes: [] };

  for (const n of SIZES) $('kn').add(new Option(sizeLabel(n), String(n)));

  function params() {
    return state.kfunc ? kernelParams(state.kernel, state.kfunc) : null;
  }

  function updateN() {
    $('kn').value = String(SIZES.includes(state.kn) ? state.kn : 1e6);
    const p = params() ?? [];
    const total = argElements(state.kargs, p, state.kn);
    $('kn-text').textContent = total ? `${total.toLocaleString('en-US')} elements in the array arguments` : 'no array arguments';
  }

  function renderArgs() {
    renderKernelArgs($('kargs'), params(), state.kargs, state.kn, () => {
      host.persist();
      updateN();
      schedule();
    });
    updateN();
  }

  function fillFuncs(names) {
    const sel = $('kfunc');
    const current = [...sel.options].map((o) => o.value).join(',');
    if (current !== names.join(',')) sel.replaceChildren(...names.map((n) => new Option(n, n)));
    if (!names.includes(state.kfunc)) {
      state.kfunc = names[names.length - 1] ?? '';
      renderArgs();
      host.persist();
    }
    sel.value = state.kfunc;
  }

  $('kfunc').addEventListener('change', () => {
    state.kfunc = $('kfunc').value;
    host.persist();
    renderArgs();
    schedule(0);
  });
  $('kn').addEventListener('change', () => {
    state.kn = Number($('kn').value);
    host.persist();
    renderArgs();
  });

  /** Shows the panel text of the kernel on screen. */
  function showPanel() {
    const which = host.panel();
    const root = $('panel');
    root.dataset.panel = which;
    if (!compiled?.info) {
      root.textContent = compiled === null ? '(the module does not compile)' : '(choose a kernel)';
      return;
    }
    const i = compiled.info;
    if (which === 'typed') root.textContent = `// ${state.kfunc}${i.signature}\n${i.typedIr}`;
    else if (which === 'wat') root.textContent = i.wasm ?? `;; no wasm: this kernel runs on numwasm's reference executor (${i.notCompiled})`;
    else if (which === 'kjs') root.textContent = i.js ? `// generated from the typed kernel IR; run as fn(args)\n${i.js}` : `// no JS baseline for this kernel: ${i.jsUnsupported ?? 'not generated'}`;
    else root.textContent = i.parallel?.text ?? 'This kernel is not parallel=True: it has no parallel diagnostics (a ufunc with target=\'parallel\', a @guvectorize with target=\'parallel\' and a @stencil run their loops on the pool by themselves).';
  }

  function schedule(delay = 350) {
    if (!host.active()) return;
    clearTimeout(timer);
    timer = setTimeout(() => compileNow().catch(() => {}), delay);
  }

  async function compileNow() {
    await host.ready();
    const source = state.kernel;
    // Before the engine names the kernels, the editor's own reading of the source does.
    if (!$('kfunc').options.length) fillFuncs(decoratedNames(source));
    const p = params();
    const key = JSON.stringify([source, state.kfunc, p, p?.map((k) => state.kargs[k])]);
    if (compiled?.key === key) return compiled;
    const mine = ++seq;
    try {
      const r = await engine.kcompile(source, state.kfunc, p, state.kargs);
      if (mine !== seq) return null;
      editor.clearErrors();
      fillFuncs(r.names);
      if (!r.info && state.kfunc && r.names.includes(state.kfunc)) {
        // The chosen kernel changed with the names: type it now.
        compiled = { key: '', info: null, names: r.names };
        schedule(0);
        return null;
      }
      compiled = { key, info: r.info, names: r.names };
      const d = $('diag');
      d.className = 'diag hint';
      delete d.dataset.kind;
      d.textContent = r.info
        ? `${state.kfunc}${r.info.signature} · ${r.info.tier === 'wasm' ? 'compiles to wasm' : `runs on the reference executor: ${r.info.notCompiled}`}`
        : r.names.length ? '' : 'This module has no decorated functions (@njit, @jit, @vectorize, @guvectorize, @stencil) to run.';
      showPanel();
      return compiled;
    } catch (e) {
      if (mine !== seq) return null;
      compiled = null;
      if (e.numwasm) host.showEngineError(e);
      else {
        $('diag').textContent = `Could not type the kernel: ${e.message}`;
        $('diag').className = 'diag bad';
      }
      showPanel();
      return null;
    }
  }

  function chooseExample(id) {
    const e = kernelExample(id);
    if (!e) return;
    Object.assign(state, kernelDefaults(e));
    editor.setText(e.source);
    $('kfunc').replaceChildren();
    fillFuncs(decoratedNames(e.source));
    state.kfunc = e.func;
    $('kfunc').value = e.func;
    renderArgs();
    host.persist();
    schedule(0);
  }

  /** Called when the mode becomes kernel. */
  function enter() {
    const sel = $('examples');
    sel.replaceChildren(new Option('(your own)', ''), ...KERNEL_EXAMPLES.map((e) => new Option(e.title, e.id)));
    sel.value = kernelExample(state.kexample)?.source === state.kernel ? state.kexample : '';
    $('kfunc').replaceChildren();
    fillFuncs(decoratedNames(state.kernel));
    renderArgs();
    showPanel();
    schedule(0);
  }

  function onEdit(text) {
    state.kernel = text;
    if (kernelExample(state.kexample)?.source !== text) $('examples').value = '';
    fillFuncs(decoratedNames(text));
    renderArgs();
    schedule();
  }

  function progress(frac, label) {
    $('progress').hidden = false;
    $('progress').value = frac;
    $('progress-text').textContent = label;
  }

  function showImage(image, canvas = $('result-image')) {
    if (!image) {
      canvas.hidden = true;
      return;
    }
    canvas.hidden = false;
    canvas.width = image.width;
    canvas.height = image.height;
    canvas.style.width = `${Math.min(image.width * Math.max(1, Math.floor(320 / image.width)), 512)}px`;
    const ctx = canvas.getContext('2d');
    const img = ctx.createImageData(image.width, image.height);
    for (let i = 0; i < image.pixels.length; i++) {
      const v = image.pixels[i];
      img.data.set([v, v, v, 255], i * 4);
    }
    ctx.putImageData(img, 0, 0);
    canvas.dataset.size = `${image.width}x${image.height}`;
    canvas.title = image.step > 1 ? `every ${image.step}th pixel of the result` : 'the result, pixel for pixel';
  }

  function renderKernelBaseline(b) {
    const root = $('baseline');
    root.className = 'baseline';
    if (b.unsupported) {
      root.textContent = `No JS baseline for this kernel: ${b.unsupported}.`;
      root.classList.add('hint');
      root.dataset.state = 'none';
    } else if (b.failed) {
      root.textContent = `The JS baseline failed: ${b.failed}. Not timed.`;
      root.classList.add('bad');
      root.dataset.state = 'mismatch';
    } else if (!b.check.ok) {
      const f = b.check.first;
      root.textContent = `JS baseline MISMATCH: ${b.check.bad.toLocaleString('en-US')} of ${b.check.count.toLocaleString('en-US')} values differ; first at index ${f.index}: numwasm ${f.numwasm}, JS ${f.js}. Not timed.`;
      root.classList.add('bad');
      root.dataset.state = 'mismatch';
    } else {
      const how = b.check.maxRel === 0 ? 'identical to numwasm' : `equal to numwasm within a relative ${b.check.maxRel.toExponential(1)} (Math.* and numwasm's vector math may round differently; the check allows ${b.relative})`;
      root.textContent = `JS baseline (generated from the typed kernel IR) checked: ${how} on all ${b.check.count.toLocaleString('en-US')} values of the result and the arrays the kernel wrote.`;
      root.classList.add('good');
      root.dataset.state = 'ok';
    }
  }

  function showTimings(n) {
    const rows = [...timings.rows.values()].sort((a, b) => a.threads - b.threads);
    renderTiming($('timing'), rows, timings.js, null, n, true);
    charts.setThreads(rows, timings.js, null);
    host.stamp($('timing'));
    host.stamp($('chart-threads').parentElement);
  }

  async function run(kind) {
    if (running) return;
    const current = { id: null, cancelled: false, frac: 0, restart: null };
    running = current;
    progress(0, 'typing the kernel…');
    let comp;
    try {
      comp = await compileNow();
    } catch {
      comp = null;
    }
    if (!comp?.info) {
      running = null;
      progress(0, compiled === null ? 'failed: the module does not compile' : 'failed: choose a kernel that compiles');
      return;
    }
    const pool = host.pool();
    const n = state.kn;
    const p = params();
    const key = JSON.stringify([comp.key, n]);
    if (timings.key !== key) Object.assign(timings, { key, rows: new Map(), js: null });
    const sizes = SIZES.filter((s) => s <= n);
    const job = {
      kind,
      key,
      source: state.kernel,
      func: state.kfunc,
      params: p,
      specs: Object.fromEntries(p.map((k) => [k, state.kargs[k]])),
      n,
      threads: kind === 'scaling' ? Array.from({ length: pool }, (_, i) => i + 1) : [...new Set([1, state.threads])],
      sizes,
      pool,
      repeats: state.repeats,
    };
    host.setRunnable(false);
    $('cancel').hidden = false;
    $('first-call').hidden = true;
    const report = (frac, label) => {
      current.frac = frac;
      if (!current.cancelled) progress(frac, label);
    };
    if (kind === 'sweep') timings.sizes = [];
    const onEvent = (e) => {
      switch (e.type) {
        case 'progress':
          report(e.frac, e.label);
          break;
        case 'first':
          $('first-call').hidden = false;
          $('first-call').textContent = `First call ${ms(e.ms)} ms: it compiles ${state.kfunc}${e.signature ?? ''} (typing, code generation, instantiation) and runs it once${e.tier === 'executor' ? ', on the reference executor' : ''}.`;
          $('first-call').dataset.ms = String(e.ms);
          showImage(e.input, $('input-image'));
          $('images').hidden = !e.input;
          break;
        case 'row':
          timings.rows.set(e.row.threads, e.row);
          if (e.preview) renderResult($('result'), e.preview, e.same ? e.note : 'Warning: this result differs from the 1-thread result.');
          else $('result').replaceChildren(Object.assign(document.createElement('p'), { textContent: e.note }));
          $('result').dataset.threads = String(e.row.threads);
          $('result').dataset.same = String(e.same);
          showImage(e.image);
          $('images').hidden = !e.image;
          host.stamp($('result'));
          showTimings(n);
          break;
        case 'baseline':
          renderKernelBaseline(e.verdict);
          host.stamp($('baseline'));
          if (kind !== 'sweep') {
            timings.js = null;
            showTimings(n);
          }
          break;
        case 'js':
          if (kind !== 'sweep') {
            timings.js = e.js;
            showTimings(n);
          }
          break;
        case 'size':
          timings.sizes.push({ ...e.row, transfer: null });
          charts.setSizes(timings.sizes, pool, sizes[sizes.length - 1]);
          host.stamp($('chart-n').parentElement);
          break;
        default:
      }
    };
    try {
      const call = engine.krun(job, onEvent);
      current.id = call.id;
      if (current.cancelled) engine.cancel(call.id);
      await call.done;
      progress(1, 'done');
    } catch (e) {
      if (e.cancelled) {
        if (current.restart) await current.restart.catch(() => {});
        progress(current.frac, current.restart
          ? 'cancelled: the kernel was stopped by ending the engine worker; a new engine started (the rows above were kept, the rest of the run was not done)'
          : 'cancelled: the kernel was stopped (numwasm restarted its compute worker; the rows above were kept, the rest of the run was not done)');
      } else if (e.numwasm) {
        host.showEngineError(e);
        progress(0, `failed: ${e.kind}`);
      } else {
        progress(0, `failed: ${e.message}`);
        console.warn(e);
      }
    } finally {
      running = null;
      $('cancel').hidden = true;
      host.setRunnable(true);
    }
  }

  function cancel() {
    if (!running) return false;
    const current = running;
    current.cancelled = true;
    $('progress-text').textContent = 'cancelling…';
    if (current.id !== null) engine.cancel(current.id);
    // The worker answers a cancel between calls and aborts a kernel in flight; inside the
    // JS baseline (one synchronous call) it cannot, so the page ends the worker.
    const end = () => {
      if (running === current && !current.restart) {
        current.restart = engine.restart();
        host.restarted(current.restart);
      }
    };
    // (0: at once, before the worker's own answer to the cancel can settle the run)
    if (CANCEL_MS > 0) setTimeout(end, CANCEL_MS);
    else end();
    return true;
  }

  return { enter, onEdit, run, cancel, chooseExample, showPanel, schedule, isRunning: () => running !== null };
}
