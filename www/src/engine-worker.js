// The playground's engine worker. numwasm runs here (its compute worker and thread pool
// start from this worker), and so do the input generators and the JS baseline. An array
// of N elements never crosses to or from the page's main thread: the inputs are made here,
// copied into the engine from here (nw.array), the JS loop reads them here, and the page
// gets progress, a preview of the result and the timings. At N = 1e7 those copies are
// hundreds of milliseconds each (a structured clone of 80 MB); here they do not stop the page.
//
// Messages from the page: { type: 'start', id, threads }, { type: 'compile', id, source,
// signature }, { type: 'run', id, job }, { type: 'cancel', id }. Replies: { type: 'reply',
// id, ok, value } or { type: 'reply', id, ok: false, cancelled | error, formatted, numwasm };
// a run also sends { type: 'event', id, event } (engine.js lists the events).

import * as nw from 'numwasm';

import { generateBaseline, instantiate } from './baseline.js';
import { check } from './baseline-check.js';
import { ARRAY, inputMaker, shapeOf, signatureOf, sizeLabel } from './inputs.js';
import { Cancelled, Task, breathe, summary, timeCompute, timeLoop } from './measure.js';
import { preview, sameData } from './preview.js';
import { kernelCompile, kernelSteps, measureKernel } from './kernel-run.js';

/** Elements generated between two progress reports (and two looks at the message queue). */
const CHUNK = 1 << 20;

let task = null; // the run in progress: { id, ...Task }
let started = null; // numwasm's init(), which every other message waits for
/** The first result of a state (job.key), which later runs on other thread counts are compared with. */
let reference = null;

const post = (message) => self.postMessage(message);

self.onmessage = async ({ data: m }) => {
  if (m.type === 'cancel') {
    if (task && task.id === m.id) {
      task.cancelled = true;
      task.abort?.abort();
    }
    return;
  }
  try {
    let value;
    if (m.type === 'start') started = start(m.threads);
    else if (!started) throw new Error('the engine has not been started');
    // Messages sent right after 'start' (as after a restart) wait for it.
    await started;
    if (m.type === 'start') value = await started;
    else if (m.type === 'compile') value = await compileInfo(m.source, m.signature);
    else if (m.type === 'run') value = await run(m.id, m.job);
    else if (m.type === 'kcompile') value = await kernelCompile(m.source, m.func, m.params, m.specs, m.level);
    else if (m.type === 'krun') value = await krun(m.id, m.job);
    else throw new Error(`unknown message ${m.type}`);
    post({ type: 'reply', id: m.id, ok: true, value });
  } catch (e) {
    post({ type: 'reply', id: m.id, ok: false, ...describe(e) });
  }
};

function describe(e) {
  if (e instanceof Cancelled) return { cancelled: true };
  if (e instanceof nw.NumwasmError) return { numwasm: true, error: e.toJSON(), formatted: e.format() };
  return { error: { kind: 'Error', message: String(e?.message ?? e) } };
}

async function start(threads) {
  const status = await nw.init(threads ? { threads } : undefined);
  return { status, functions: nw.functions().map((f) => ({ ...f })), kernelLibrary: structuredClone(nw.kernelLibrary()) };
}

/** Compiles for the editor: the output's dtype and shape, the IR (data and text) and the bytecode. */
async function compileInfo(source, signature) {
  const c = await nw.compile(source, signature);
  try {
    return { output: c.output, ir: await c.ir(), lowered: await c.loweredIr(), bytecode: await c.disassemble() };
  } finally {
    c.free();
  }
}

const sizeOf = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * Progress steps of measuring one N (see measure()): generating and copying each array
 * input, compiling, each thread count's warm-up and repeats, the copies' repeats, the JS
 * loop's warm-up and repeats.
 */
function steps(job, n, rows) {
  const arrays = job.names.filter((name) => job.specs[name].shape !== 'scalar');
  let total = 1 + rows * (job.repeats + 1) + job.repeats * (arrays.length ? 2 : 1) + (job.repeats + 1);
  for (const name of arrays) total += Math.ceil(n / CHUNK) + 1;
  return total;
}

/**
 * Runs a job from the page: { kind: 'single' | 'scaling' | 'sweep', key, source, names,
 * specs, n, threads (the thread counts of a single run or a scaling), sizes and pool (a
 * sweep), repeats }.
 */
async function run(id, job) {
  const event = (e) => post({ type: 'event', id, event: e });
  const sweep = job.kind === 'sweep';
  const counts = sweep ? [1, ...(job.pool > 1 ? [job.pool] : [])] : job.threads;
  const total = (sweep ? job.sizes : [job.n]).reduce((t, n) => t + steps(job, n, counts.length), 0);
  task = Object.assign(new Task(total, (frac, label) => event({ type: 'progress', frac, label })), { id });
  try {
    if (!sweep) {
      if (reference?.key !== job.key) reference = null;
      await measure(job, job.n, counts, '', event, false);
      return null;
    }
    for (const n of job.sizes) {
      const m = await measure(job, n, counts, `N=${sizeLabel(n)}: `, event, true);
      event({
        type: 'size',
        row: {
          n,
          serial: m.rows[0].median,
          parallel: m.rows[1]?.median ?? null,
          js: m.js?.median ?? null,
          transfer: m.transfer.in.median + m.transfer.out.median,
        },
      });
    }
    return null;
  } finally {
    task = null;
  }
}

/**
 * Measures one N: makes the inputs (progress per chunk) and copies them into the engine,
 * compiles for their shapes, times the compute on each thread count in `counts` into a
 * resident result, times the copies (inputs in, result out), checks the JS loop against
 * numwasm's result and times the loop. Sends row, transfer, baseline and js events as
 * their figures come in.
 */
async function measure(job, n, counts, prefix, event, sweep) {
  const host = {};
  const inputs = {};
  const resident = [];
  let c = null;
  try {
    let firstIn = 0;
    const arrays = [];
    for (const name of job.names) {
      const spec = job.specs[name];
      if (spec.shape === 'scalar') {
        host[name] = inputs[name] = Number(spec.a);
        continue;
      }
      const maker = inputMaker(name, spec, n);
      for (let from = 0; from < n; from += CHUNK) {
        const to = Math.min(n, from + CHUNK);
        maker.fill(from, to);
        task.step(`${prefix}generating input ${name}: ${Math.round((100 * to) / n)}%`);
        await breathe(true);
      }
      host[name] = maker.out;
      task.note(`${prefix}copying input ${name} into the engine`, true);
      const t0 = performance.now();
      const value = { data: maker.out, dtype: spec.dtype, shape: shapeOf(spec, n) };
      const array = await nw.array(value);
      firstIn += performance.now() - t0;
      arrays.push(value);
      resident.push(array);
      inputs[name] = array;
      task.step(`${prefix}input ${name} is in the engine`);
    }
    const signature = Object.fromEntries(job.names.map((k) => [k, signatureOf(job.specs[k], n)]));
    c = await nw.compile(job.source, signature);
    const { dtype, shape } = c.output;
    const out = await nw.array({ data: new ARRAY[dtype](sizeOf(shape)), dtype, shape });
    resident.push(out);
    task.step(`${prefix}compiled`);

    const rows = [];
    let result = null;
    let firstOut = null;
    for (const t of counts) {
      const label = `${prefix}numwasm, ${t} thread${t === 1 ? '' : 's'}`;
      const r = await timeCompute(c, inputs, out, t, job.repeats, task, label);
      const t0 = performance.now();
      const data = await out.toArray();
      firstOut ??= performance.now() - t0;
      result ??= data;
      rows.push({ threads: t, ...r });
      if (!sweep) {
        const same = reference ? sameData(reference.data, data.data) : true;
        reference ??= { key: job.key, data: data.data };
        event({ type: 'row', row: { threads: t, ...r }, preview: preview(data), same });
      }
    }
    const transfer = await timeCopies(arrays, out, job.repeats, prefix);
    Object.assign(transfer.in, { first: firstIn });
    Object.assign(transfer.out, { first: firstOut });
    if (!sweep) event({ type: 'transfer', transfer });

    const js = await baseline(c, host, result, n, job.repeats, prefix, event);
    return { rows, js, transfer };
  } finally {
    c?.free();
    for (const r of resident) r.free();
  }
}

/**
 * Times the copies between JS typed arrays and wasm memory, `repeats` times each: all the
 * array inputs in (nw.array, freed again) and the result out (toArray). Resolves to
 * { arrays, inBytes, outBytes, in, out } (in and out: summaries; in is all zeros when the
 * inputs are scalars).
 */
async function timeCopies(arrays, out, repeats, prefix) {
  const ins = [];
  const outs = [];
  let outBytes = 0;
  for (let r = 0; r < repeats && arrays.length; r++) {
    const t0 = performance.now();
    for (const value of arrays) (await nw.array(value)).free();
    ins.push(performance.now() - t0);
    task.step(`${prefix}copying the inputs in: ${r + 1}/${repeats}`);
  }
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    const data = await out.toArray();
    outs.push(performance.now() - t0);
    outBytes = data.data.byteLength;
    task.step(`${prefix}copying the result out: ${r + 1}/${repeats}`);
  }
  return {
    arrays: arrays.length,
    inBytes: arrays.reduce((t, v) => t + v.data.byteLength, 0),
    outBytes,
    in: ins.length ? summary(ins) : summary([0]),
    out: summary(outs),
  };
}

/** Checks the generated JS loop against numwasm's result, then times it if it agrees. */
async function baseline(c, host, result, n, repeats, prefix, event) {
  const ir = await c.ir();
  const gen = generateBaseline(ir, nw.functions());
  if (!gen.ok) {
    event({ type: 'baseline', verdict: { unsupported: gen.reason } });
    task.step(`${prefix}no JS baseline`, repeats + 1);
    return null;
  }
  task.note(`${prefix}JS baseline: checking against numwasm`, true);
  const P = ir.params.map((p) => host[p.name]);
  const out = new ARRAY[gen.outDtype](gen.outLength(n));
  const scale = gen.tolerance === 'ulp' ? new Float64Array(out.length) : null;
  const sumAbs = instantiate(gen.checkCode)(P, n, out, scale);
  const verdict = { check: check(result.data, out, gen.outDtype, gen.tolerance, sumAbs, n, scale), tolerance: gen.tolerance, count: result.data.length };
  event({ type: 'baseline', verdict });
  if (!verdict.check.ok) {
    task.step(`${prefix}JS baseline mismatch: not timed`, repeats + 1);
    return null;
  }
  const fn = instantiate(gen.code);
  const js = await timeLoop(() => fn(P, n, out), repeats, task, `${prefix}JS loop`);
  event({ type: 'js', js });
  return js;
}

/**
 * Runs a kernel job from the page: { kind, key, source, func, params, specs, n, threads,
 * sizes, pool, repeats } (kernel-run.js measures). Cancel aborts the call in flight.
 */
async function krun(id, job) {
  const event = (e) => post({ type: 'event', id, event: e });
  const sweep = job.kind === 'sweep';
  const counts = sweep ? [1, ...(job.pool > 1 ? [job.pool] : [])] : job.threads;
  const total = (sweep ? job.sizes.length : 1) * kernelSteps(job, counts.length);
  const abort = new AbortController();
  task = Object.assign(new Task(total, (frac, label) => event({ type: 'progress', frac, label })), { id, abort });
  try {
    if (!sweep) {
      await measureKernel(job, job.n, counts, '', event, false, task, abort.signal);
      return null;
    }
    for (const n of job.sizes) {
      const m = await measureKernel(job, n, counts, `N=${sizeLabel(n)}: `, event, true, task, abort.signal);
      event({
        type: 'size',
        row: { n, serial: m.rows[0].median, parallel: m.rows[1]?.median ?? null, js: m.js?.median ?? null, transfer: 0 },
      });
    }
    return null;
  } finally {
    task = null;
  }
}
