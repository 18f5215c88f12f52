// Timing runs: a warm-up (at least 3 calls and 250 ms, so that V8 has moved both numwasm's
// wasm and the JS loop to its optimizing compiler), then `repeats` timed calls, checking for
// cancellation between calls. numwasm runs in its own compute worker and the JS baseline in another,
// so the page stays responsive while they run.

export class Cancelled extends Error {
  constructor() {
    super('cancelled');
  }
}

/** A cancellation token with a progress callback: check() between calls. */
export class Job {
  constructor(total, onProgress) {
    this.total = total;
    this.done = 0;
    this.cancelled = false;
    this.onProgress = onProgress;
  }

  check() {
    if (this.cancelled) throw new Cancelled();
  }

  step(label) {
    this.done += 1;
    this.onProgress(this.done / this.total, label);
    this.check();
  }
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function summary(samples) {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples };
}

/** Calls `fn` at least 3 times and for at least 250 ms; resolves to its first result. */
export async function warmUp(fn, job) {
  const t0 = performance.now();
  const first = await fn();
  for (let i = 1; i < 3 || performance.now() - t0 < 250; i++) {
    job.check();
    await fn();
  }
  return first;
}

/** Times a compiled expression on `threads`; resolves to { result, ...summary }. */
export async function timeEngine(compiled, inputs, threads, repeats, job, label) {
  job.check();
  const result = await warmUp(() => compiled.run(inputs, { threads }), job);
  job.step(`${label}: warm-up`);
  const samples = [];
  // The most threads a timed call used: a call under the engine's parallel threshold runs
  // on one whatever `threads` asked for.
  let used = 1;
  for (let r = 0; r < repeats; r++) {
    const res = await compiled.run(inputs, { threads });
    samples.push(res.timing.computeMs);
    used = Math.max(used, res.timing.threads ?? 1);
    job.step(`${label}: repeat ${r + 1}/${repeats}`);
  }
  return { result, used, ...summary(samples) };
}

/** The JS baseline in its worker: prepare, check against numwasm's result, time. */
export class Baseline {
  constructor() {
    this.worker = new Worker(new URL('./baseline-worker.js', import.meta.url), { type: 'module', name: 'js-baseline' });
    this.next = 0;
    this.pending = new Map();
    this.worker.onmessage = ({ data }) => {
      const p = this.pending.get(data.id);
      this.pending.delete(data.id);
      if (data.ok) p?.resolve(data);
      else p?.reject(new Error(data.error));
    };
  }

  call(message, transfer = []) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id }, transfer);
    });
  }

  /** Input data made in the worker and transferred back (see inputs.js `generate`). */
  async generate(name, spec, n) {
    return (await this.call({ type: 'generate', name, spec, n })).value;
  }

  prepare(gen, inputs, n) {
    return this.call({ type: 'prepare', code: gen.code, checkCode: gen.checkCode, inputs, n, outDtype: gen.outDtype, outLength: gen.outLength(n), tolerance: gen.tolerance });
  }

  check(data) {
    return this.call({ type: 'check', data });
  }

  async time(repeats, job, label) {
    job.check();
    await warmUp(() => this.call({ type: 'time' }), job);
    job.step(`${label}: warm-up`);
    const samples = [];
    for (let r = 0; r < repeats; r++) {
      samples.push((await this.call({ type: 'time' })).ms);
      job.step(`${label}: repeat ${r + 1}/${repeats}`);
    }
    return summary(samples);
  }
}
