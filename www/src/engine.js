// The page's side of the engine worker (engine-worker.js): start, compile and run by
// message. Everything that touches N-element arrays happens in that worker; the page gets
// small messages only.
//
// A run's events, in the order they come: { type: 'progress', frac, label } throughout;
// single runs and scalings: { type: 'row', row, preview, same } per thread count (row: the
// compute timing, see measure.js timeCompute; preview: preview.js), { type: 'transfer',
// transfer: { arrays, inBytes, outBytes, in, out } } (in, out: summaries of the copies, with
// `first`, the copy that made the resident inputs or the first result); then { type: 'baseline', verdict }
// and { type: 'js', js } (timeLoop) when the loop agrees; sweeps: baseline and js per N, and
// { type: 'size', row: { n, serial, parallel, js, transfer } } per N.

/** A failed call: `cancelled`, or a NumwasmError's fields (kind, message, span, notes) with `numwasm` and `formatted`. */
export class EngineError extends Error {
  constructor(reply) {
    super(reply.cancelled ? 'cancelled' : reply.error.message);
    this.cancelled = reply.cancelled === true;
    this.numwasm = reply.numwasm === true;
    Object.assign(this, reply.error ?? {});
    this.formatted = reply.formatted ?? `${this.kind}: ${this.message}`;
  }
}

export class EngineHost {
  constructor() {
    this.next = 1;
    this.pending = new Map();
    this.#spawn();
  }

  #spawn() {
    this.worker = new Worker(new URL('./engine-worker.js', import.meta.url), { type: 'module', name: 'playground-engine' });
    this.worker.onmessage = ({ data }) => {
      const p = this.pending.get(data.id);
      if (!p) return;
      if (data.type === 'event') {
        p.onEvent?.(data.event);
        return;
      }
      this.pending.delete(data.id);
      if (data.ok) p.resolve(data.value);
      else p.reject(new EngineError(data));
    };
    this.worker.onerror = (e) => {
      e.preventDefault?.();
      const error = new EngineError({ error: { kind: 'Error', message: `the engine worker failed: ${e.message ?? 'it did not load'}` } });
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  #call(message, onEvent) {
    const id = this.next++;
    const done = new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.worker.postMessage({ ...message, id });
    });
    return { id, done };
  }

  /** Starts numwasm in the worker: resolves to { status, functions }. */
  start(threads) {
    this.threads = threads;
    return this.#call({ type: 'start', threads }).done;
  }

  /**
   * Ends the worker at once (a run stuck in a call that does not come back: a kernel that
   * never ends, a long JS loop) and starts a fresh one with numwasm started as before:
   * calls in flight reject as cancelled; resolves when the new engine has started.
   */
  restart() {
    this.worker.terminate();
    const cancelled = new EngineError({ cancelled: true });
    for (const p of this.pending.values()) p.reject(cancelled);
    this.pending.clear();
    this.#spawn();
    return this.start(this.threads);
  }

  /**
   * Parses a kernel module and types kernel `func` for arguments made from `specs`:
   * resolves to { names, info } (info: inspect()'s result, or null); rejects with an
   * EngineError at the error's span.
   */
  kcompile(source, func, params, specs, level = 2) {
    return this.#call({ type: 'kcompile', source, func, params, specs, level }).done;
  }

  /** Starts a kernel run (kernel-run.js); returns { id, done }. */
  krun(job, onEvent) {
    return this.#call({ type: 'krun', job }, onEvent);
  }

  /** Resolves to { output, ir, lowered, bytecode }; rejects with an EngineError. */
  compile(source, signature) {
    return this.#call({ type: 'compile', source, signature }).done;
  }

  /** Starts a run; returns { id, done }. */
  run(job, onEvent) {
    return this.#call({ type: 'run', job }, onEvent);
  }

  /** Asks run `id` to stop after its current call. */
  cancel(id) {
    this.worker.postMessage({ type: 'cancel', id });
  }
}
