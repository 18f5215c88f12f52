// The engine side of the API: plain functions over an initialised wasm-bindgen module.
// It runs inside the compute worker (browsers) or in-process (Node), so both entry points
// share one implementation and differ only in transport.

import { NumwasmError } from './errors.js';

/** Wraps a wasm call so that errors thrown by the module become NumwasmErrors. */
function guard(fn, source) {
  try {
    return fn();
  } catch (e) {
    throw NumwasmError.from(e, source);
  }
}

export function makeEngine(glue) {
  return {
    info() {
      return {
        version: glue.version(),
        build: glue.buildFlavor(),
        poolSize: glue.poolSize(),
      };
    },

    /** The pool self-test: a CPU-heavy deterministic sum of `n` terms on `threads` threads. */
    selfTest({ n, threads }) {
      const t0 = performance.now();
      const value = guard(() => glue.selfTest(n, threads));
      return { value, computeMs: performance.now() - t0 };
    },
  };
}
