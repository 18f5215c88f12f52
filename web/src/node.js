// numwasm for Node >= 20: the browser API, run as in a browser. The engine runs in a compute
// worker thread (node-worker.js) with the `threads` build and a pool of worker threads, so
// calls use several cores and a running call can be cancelled (by terminating that thread).
// Where worker threads cannot be started (e.g. under the permission model without
// --allow-worker) the `simd` build runs in-process on the calling thread instead, with
// status().fallback saying why; there a running call cannot be cancelled.

import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

import { useBackend } from './api.js';
import { computeCalls } from './compute.js';
import { endpoint } from './endpoint.js';
import { NumwasmError, abortError, restartedError, staleCallError } from './errors.js';
import { remoteBackend } from './remote.js';

/**
 * The cores numwasm counts: `NUMWASM_NUM_THREADS` where it is set (as Numba's
 * NUMBA_NUM_THREADS: the pool's default size and the most init() starts, more than the
 * machine's cores if asked, e.g. to test 3 threads on 2 cores), else
 * os.availableParallelism(). A value that is not an integer from 1 to 256 is ignored, with
 * a warning.
 */
function countCores(env = process.env.NUMWASM_NUM_THREADS) {
  const machine = availableParallelism();
  if (env === undefined || env === '') return machine;
  const n = Number(env);
  if (Number.isInteger(n) && n >= 1 && n <= 256) return n;
  console.warn(`numwasm: NUMWASM_NUM_THREADS=${JSON.stringify(env)} is not an integer from 1 to 256; counting the machine's ${machine} cores`);
  return machine;
}

const ncores = countCores();

const remote = remoteBackend({
  ncores,
  spawn: () =>
    endpoint(
      // No Node options from the parent: the engine's worker needs none, and some make a
      // worker fail to start (`--input-type`, which `node --input-type=module -e` passes).
      new Worker(new URL('./node-worker.js', import.meta.url), { name: 'numwasm-compute', execArgv: [] }),
    ),
  // No shared-memory slot: in Node postMessage to a worker thread is as fast (measured:
  // a compiled run on 1,000 elements 52-57 µs by postMessage, 39-57 µs by the slot; an
  // evaluate 40-62 µs by postMessage, 69-91 µs by the slot's JSON), and without the slot an
  // idle compute worker sleeps instead of waking every 100 ms to look at it.
  slot: false,
});

/**
 * The in-process engine: compute.js's calls on the calling thread. A trap ends the
 * generation as in remote.js; the next one is a fresh instance of the module (imported
 * under another URL, since a wasm-bindgen glue module initialises once).
 */
function inProcessBackend(why) {
  let calls = null;
  let generation = 0;
  let info = null;
  let restarts = 0;
  let lastRestart = null;
  /** Resolves once a new instance is ready, while one starts after a trap. */
  let opening = null;

  async function open() {
    const n = generation;
    const c = computeCalls({
      isolated: false,
      notIsolated: why,
      // On the caller's thread a warm-up would block it.
      warmUp: false,
      async load() {
        const glue = await import(`../dist/simd/numwasm.js?instance=${n}`);
        const bytes = await readFile(new URL('../dist/simd/numwasm_bg.wasm', import.meta.url));
        return { glue, exports: await glue.default({ module_or_path: bytes }) };
      },
    });
    const reply = await c.handle('init', { threads: 1 });
    if (!reply.ok) throw NumwasmError.from(reply.error);
    info = reply.result;
    calls = c;
  }

  return {
    ncores,
    async start() {
      generation = 1;
      await open();
      return info;
    },
    async call(method, args, { signal, handles, stamp = false, what = `${method}()` } = {}) {
      if (signal?.aborted) throw abortError(what, signal);
      if (opening) await opening;
      if (handles !== undefined && handles !== generation) throw staleCallError(what, lastRestart?.reason);
      const gen = generation;
      const reply = await calls.handle(method, args);
      if (reply.fatal) {
        generation++;
        restarts++;
        const t0 = performance.now();
        lastRestart = { reason: reply.fatal, ms: null };
        opening = open().then(() => {
          lastRestart.ms = performance.now() - t0;
          opening = null;
        });
        await opening;
        throw restartedError(reply.fatal);
      }
      if (!reply.ok) throw NumwasmError.from(reply.error);
      return stamp ? { result: reply.result, generation: gen } : reply.result;
    },
    get generation() {
      return generation;
    },
    status() {
      return { engine: 'in-process', restarts, lastRestart: lastRestart && { ...lastRestart }, fallback: why, staging: { available: false, calls: 0, bytes: 0 } };
    },
  };
}

/** The worker backend, or the in-process one when worker threads cannot start here. */
function nodeBackend() {
  let active = remote;
  return {
    ncores,
    async start(threads) {
      try {
        return await remote.start(threads);
      } catch (e) {
        const why = e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? e);
        active = inProcessBackend(`the compute worker could not start (${why}), so the simd build runs in-process on 1 thread`);
        return active.start(1);
      }
    },
    call: (method, args, options) => active.call(method, args, options),
    get generation() {
      return active.generation;
    },
    status: () => active.status(),
  };
}

useBackend(nodeBackend());

export * from './public.js';
