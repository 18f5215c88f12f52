// The public API, shared by the browser and Node entry points. Each entry installs a
// backend: { ncores, start(threads) -> info, call(method, args, transfer) -> Promise }.
// The browser backend talks to the compute worker; the Node backend calls the engine
// in-process. Argument checks happen here, before anything reaches the engine.

import { NumwasmError } from './errors.js';
import { checkOptions, checkSize, checkThreads, notInitialised } from './options.js';

/** Logical cores of this machine. */
export let ncores = 1;
/** True once init() has started a thread pool (browsers: needs cross-origin isolation). */
export let threadsAvailable = false;
/** Threads in the pool (1 without one); set by init(). */
export let poolSize = 0;
/** The wasm build in use: "threads" or "simd"; set by init(). */
export let build = null;
/** The engine version; set by init(). */
export let version = null;

let backend = null;
let ready = null;
let started = false;
let numThreads = 1;
let isolated = false;

/** Installs the entry point's backend; called once by index.js or node.js. */
export function useBackend(b) {
  backend = b;
  ncores = b.ncores;
}

/**
 * Starts the engine: in a cross-origin isolated page, a compute worker with a pool of
 * `threads` shared-memory threads (default: all cores); elsewhere one thread. Resolves to
 * status(). Calling it again returns the first call's promise.
 */
export function init(options) {
  if (ready) return ready;
  ready = (async () => {
    const { threads = ncores } = checkOptions('init', options, ['threads']);
    checkThreads('init', threads, 1024);
    const info = await backend.start(threads);
    ({ version, build, poolSize } = info);
    isolated = info.isolated === true;
    threadsAvailable = build === 'threads';
    numThreads = poolSize;
    started = true;
    return status();
  })();
  ready.catch(() => {
    ready = null;
  });
  return ready;
}

/** What the engine runs on: version, build, pool size, isolation and the thread limit. */
export function status() {
  return { version, build, poolSize, threadsAvailable, numThreads, ncores, crossOriginIsolated: isolated };
}

/** Threads that later calls will use. */
export function getNumThreads() {
  if (!started) throw notInitialised('getNumThreads');
  return numThreads;
}

/** Limits later calls to `k` threads, 1 <= k <= poolSize; otherwise a ValueError. */
export function setNumThreads(k) {
  if (!started) throw notInitialised('setNumThreads');
  numThreads = checkThreads('setNumThreads', k, poolSize);
}

/**
 * The pool self-test: sums sqrt(i+1)*sin(i/1000) for i < n on `threads` threads (default:
 * getNumThreads()). The value is bit-identical for every thread count.
 * @returns {Promise<{value: number, computeMs: number, totalMs: number}>}
 */
export async function selfTest(n, options) {
  if (!started) throw notInitialised('selfTest');
  const { threads = numThreads } = checkOptions('selfTest', options, ['threads']);
  checkSize('selfTest', 'n', n);
  checkThreads('selfTest', threads, poolSize);
  const t0 = performance.now();
  const r = await backend.call('selfTest', { n, threads });
  return { ...r, totalMs: performance.now() - t0 };
}

export { NumwasmError };
