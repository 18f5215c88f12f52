// One thread of the rayon pool, for both platforms (pool-worker.js in browsers,
// node-pool-worker.js in Node). It instantiates the `threads` module on the compute worker's
// shared memory, says it is ready, and then runs a rayon worker loop forever.
//
// A trap on a pool thread (a panic in a parallel chunk) would leave the compute worker
// waiting for that chunk for ever, and the compute worker cannot hear about it: it is
// blocked in the call. So the thread raises the shared health word (health.js), which the
// caller's thread watches, and the caller restarts the engine.

import { reportFailure } from './health.js';

/** Serves `parent` (this thread's endpoint) with the `threads` glue module `glue`. */
export function servePoolThread(parent, glue) {
  parent.onMessage(async (data) => {
    if (data?.type !== 'numwasm-pool-init') return;
    await glue.default({ module_or_path: data.module, memory: data.memory });
    parent.post({ type: 'numwasm-pool-ready' });
    try {
      glue.poolWorkerRun(data.receiver);
    } catch (e) {
      reportFailure(data.health, `a pool thread stopped: ${e?.constructor?.name ?? 'Error'}: ${e?.message ?? e}`);
      throw e;
    }
  });
}
