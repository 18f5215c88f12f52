// The kernel mode's side of the engine worker (engine-worker.js): compiles a kernel module
// for the editor (names, the chosen kernel's typed IR, generated wasm, generated JS and
// parallel diagnostics), and runs a kernel: makes its arguments, calls it once on fresh
// copies at 1 thread (the reference, and the first-call time, which includes compiling),
// checks every other thread count's first call against that reference bit for bit, times
// each thread count on resident arrays, checks the JS baseline generated from the typed
// kernel IR against the reference and times it.
//
// A kernel that runs too long is stopped through an AbortSignal: numwasm then replaces its
// compute worker (the call rejects with an AbortError), so the run ends at once; what the
// engine held (the module, the resident arguments) went with the old worker.

import * as nw from 'numwasm';

import { makeArg } from './kernel-args.js';
import { Cancelled, timeEngine, timeLoop } from './measure.js';
import { preview } from './preview.js';

/** Arguments are inspected (typed) at this N when the editor compiles: types do not depend on N. */
const INSPECT_N = 1000;

/** The largest side of an image result sent to the page. */
const IMAGE_SIDE = 512;

/**
 * Floats of the JS baseline agree with numwasm's when equal or within this relative
 * difference: Math.* and numwasm's vector math may round differently (each within an ULP
 * or so), and a kernel may carry a difference through many steps.
 */
export const JS_RELATIVE = 1e-10;

function makeArgs(params, specs, n) {
  return params.map((p) => {
    const spec = specs[p];
    if (!spec) throw new Error(`no argument for parameter ${p}`);
    return makeArg(p, spec, n);
  });
}

/** A fresh copy of arguments (arrays copied). */
function cloneArgs(args) {
  return args.map((a) => (a && typeof a === 'object' && ArrayBuffer.isView(a.data) ? { data: a.data.slice(), shape: [...a.shape], dtype: a.dtype } : a));
}

/** Arguments as the generated JS function takes them: arrays { data, shape, dtype }, scalars as JS values. */
function jsArgs(args) {
  return cloneArgs(args).map((a) => (a && typeof a === 'object' && a.scalar ? a.value : a));
}

/** The generated JS baseline as a function, or throws. */
function instantiateJs(text) {
  // The text comes from numwasm's JS back end: templates and numbers, with names made of
  // [A-Za-z0-9_] and messages as JSON string literals only.
  // eslint-disable-next-line no-new-func
  return new Function(`return ${text}`)();
}

/** Compiles for the editor. Resolves to { names, info } (info null when `func` is not a kernel of the module). */
export async function kernelCompile(source, func, params, specs, level) {
  const m = await nw.kernels(source);
  try {
    const names = [...m.names];
    if (!func || !names.includes(func) || !params) return { names, info: null };
    const args = makeArgs(params, specs, INSPECT_N);
    const info = await m.inspect(func, args, { level });
    return { names, info: { ...info } };
  } finally {
    m.free();
  }
}

/** A value's leaves: { shape, dtype, data } per array or scalar (a tuple has several), [] for None. */
function leaves(v) {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (typeof v === 'object' && v.data) return [{ shape: [...(v.shape ?? [v.data.length])], dtype: v.dtype, data: v.data }];
  return [{ shape: [], dtype: typeof v === 'boolean' ? 'bool' : 'float64', data: [v] }];
}

const num = (x) => (typeof x === 'bigint' ? Number(x) : typeof x === 'boolean' ? Number(x) : x);

/**
 * Compares two values leaf by leaf: { ok, count, bad, maxRel, first } with integers and
 * bools exact, floats exact or within `rel` (NaN equal to NaN). `exact` asks for bits.
 */
function compare(want, got, rel) {
  const a = leaves(want);
  const b = leaves(got);
  const out = { ok: true, count: 0, bad: 0, maxRel: 0, first: null };
  if (a.length !== b.length) return { ...out, ok: false, bad: 1, first: { index: -1, numwasm: `${a.length} values`, js: `${b.length} values` } };
  for (let k = 0; k < a.length; k++) {
    const x = a[k];
    const y = b[k];
    if (x.shape.length !== y.shape.length || x.shape.some((s, i) => s !== y.shape[i]) || x.data.length !== y.data.length) {
      return { ...out, ok: false, bad: 1, first: { index: -1, numwasm: `shape (${x.shape})`, js: `shape (${y.shape})` } };
    }
    for (let i = 0; i < x.data.length; i++) {
      const p = num(x.data[i]);
      const q = num(y.data[i]);
      out.count += 1;
      if (p === q || (p !== p && q !== q)) continue;
      const d = Math.abs(p - q) / Math.max(Math.abs(p), Math.abs(q));
      if (rel > 0 && Number.isFinite(d) && d <= rel) {
        out.maxRel = Math.max(out.maxRel, d);
        continue;
      }
      out.bad += 1;
      out.first ??= { index: i, numwasm: String(x.data[i]), js: String(y.data[i]) };
    }
  }
  out.ok = out.bad === 0;
  return out;
}

/** Whether two results hold the same bits (a parallel run against the serial one). */
function sameResult(a, b) {
  const c = compare(a, b, 0);
  if (!c.ok) return false;
  // compare() counts -0 and 0 as equal; bits tell them apart.
  const x = leaves(a);
  const y = leaves(b);
  return x.every((l, k) => Array.prototype.every.call(l.data, (v, i) => Object.is(v, y[k].data[i]) || (v !== v && y[k].data[i] !== y[k].data[i])));
}

/** What the page shows of a result: a preview of its first array or scalar, and an image of a 2-D uint8 one. */
function show(value) {
  const ls = leaves(value);
  if (ls.length === 0) return { preview: null, note: 'The kernel returned None.', image: null };
  const first = ls[0];
  const data = ArrayBuffer.isView(first.data) ? first.data : Float64Array.from(first.data, num);
  const p = preview({ shape: first.shape, dtype: first.dtype, data });
  const note = ls.length > 1 ? `The kernel returned a tuple of ${ls.length} values; the first is shown.` : null;
  return { preview: p, note, image: imageOf(first) };
}

/** A 2-D uint8 array as a gray image for the page (every step-th pixel past IMAGE_SIDE), or null. */
function imageOf(a) {
  if (!a || a.dtype !== 'uint8' || a.shape.length !== 2) return null;
  const [h, w] = a.shape;
  const step = Math.max(1, Math.ceil(Math.max(h, w) / IMAGE_SIDE));
  const ih = Math.ceil(h / step);
  const iw = Math.ceil(w / step);
  const pixels = new Uint8Array(ih * iw);
  for (let y = 0; y < ih; y++) for (let x = 0; x < iw; x++) pixels[y * iw + x] = a.data[y * step * w + x * step];
  return { width: iw, height: ih, pixels, step };
}

/**
 * Times `m.call(func, args)` on `threads` (timeEngine): the engine's compute time
 * (timing.computeMs), or the wall time of the call for a kernel that returns None, which
 * carries no timing.
 */
function timeKernel(m, func, args, threads, repeats, task, label, signal) {
  return timeEngine(async () => {
    const t0 = performance.now();
    const r = await m.call(func, args, { threads, signal });
    return { ms: r?.timing?.computeMs ?? performance.now() - t0, threads: r?.timing?.threads };
  }, repeats, task, label);
}

/** Progress steps of measuring one N. */
export function kernelSteps(job, rows) {
  return job.params.length + 2 + rows * (job.repeats + 2) + (job.repeats + 2);
}

/**
 * Measures kernel `job.func` of `job.source` at N: events row (per thread count), first
 * (the first call's time), baseline and js; resolves to { rows, js }.
 */
export async function measureKernel(job, n, counts, prefix, event, sweep, task, signal) {
  const resident = [];
  let m = null;
  try {
    const args = makeArgs(job.params, job.specs, n);
    task.step(`${prefix}arguments made`, job.params.length);
    m = await nw.kernels(job.source);
    // The reference: the first call, on fresh copies, at 1 thread. It compiles the kernel
    // for these argument types (a fresh module per run, so the time always includes it).
    const refArgs = cloneArgs(args);
    const t0 = performance.now();
    const ref = await m.call(job.func, refArgs, { threads: 1, signal });
    const firstMs = performance.now() - t0;
    task.step(`${prefix}first call (compiles the kernel)`);
    if (!sweep) {
      // An image argument (the blur's) is shown beside the result.
      const input = imageOf(args.find((a) => a && a.dtype === 'uint8' && a.shape?.length === 2));
      event({ type: 'first', ms: firstMs, computeMs: ref?.timing?.computeMs ?? null, tier: ref?.timing?.tier ?? null, signature: ref?.signature ?? null, input });
    }

    const callArgs = [];
    for (const a of args) {
      if (a && typeof a === 'object' && ArrayBuffer.isView(a.data)) {
        const r = await nw.array({ data: a.data.slice(), shape: a.shape, dtype: a.dtype });
        resident.push(r);
        callArgs.push(r);
      } else callArgs.push(a);
    }
    task.step(`${prefix}arguments copied into the engine`);

    const rows = [];
    for (const t of counts) {
      const label = `${prefix}numwasm, ${t} thread${t === 1 ? '' : 's'}`;
      // The first call at t threads on fresh copies, compared with the reference bit for bit.
      const mine = t === 1 ? ref : await m.call(job.func, cloneArgs(args), { threads: t, signal });
      const same = t === 1 || sameResult(ref, mine);
      task.step(`${label}: result checked`);
      const r = await timeKernel(m, job.func, callArgs, t, job.repeats, task, label, signal);
      rows.push({ threads: t, ...r });
      if (!sweep) event({ type: 'row', row: { threads: t, ...r }, same, ...show(mine) });
    }

    const js = await baseline(m, job, args, ref, refArgs, prefix, event, task, signal);
    return { rows, js };
  } catch (e) {
    if (e?.name === 'AbortError') throw new Cancelled();
    throw e;
  } finally {
    for (const r of resident) r.free();
    m?.free();
  }
}

/** The JS baseline: generated from the typed kernel IR, checked against the reference, then timed. */
async function baseline(m, job, args, ref, refArgs, prefix, event, task, signal) {
  task.check();
  const info = await m.inspect(job.func, cloneArgs(args));
  if (signal.aborted) throw new Cancelled();
  if (!info.js) {
    event({ type: 'baseline', verdict: { unsupported: info.jsUnsupported ?? 'this build of numwasm does not generate JS' } });
    task.step(`${prefix}no JS baseline`, job.repeats + 2);
    return null;
  }
  let fn;
  let got;
  const jsIn = jsArgs(args);
  try {
    fn = instantiateJs(info.js);
    got = fn(jsIn);
  } catch (e) {
    event({ type: 'baseline', verdict: { failed: String(e?.message ?? e) } });
    task.step(`${prefix}JS baseline failed`, job.repeats + 2);
    return null;
  }
  // The result, and every array the kernel wrote (compared with what numwasm wrote).
  const check = compare([ref, ...refArgs.filter((a) => a && ArrayBuffer.isView(a.data))], [got, ...jsIn.filter((a) => a && ArrayBuffer.isView(a.data))], JS_RELATIVE);
  const verdict = { check, relative: JS_RELATIVE };
  event({ type: 'baseline', verdict });
  task.step(`${prefix}JS baseline checked`);
  if (!check.ok) {
    task.step(`${prefix}JS baseline mismatch: not timed`, job.repeats + 1);
    return null;
  }
  const timed = jsArgs(args);
  const js = await timeLoop(() => fn(timed), job.repeats, task, `${prefix}JS`);
  event({ type: 'js', js, text: info.js });
  return js;
}
