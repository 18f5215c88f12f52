// The compute worker in a browser: compute.js served over the dedicated worker's `self`.
// In a cross-origin isolated page it loads the `threads` build and starts a pool of web
// workers (pool-worker.js); otherwise the single-threaded `simd` build. The `new Worker(new
// URL(...))` form stays literal here so that bundlers find the pool worker.

import { serveCompute } from './compute.js';
import { endpoint, holdLock } from './endpoint.js';

const isolated = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';

serveCompute(endpoint(self), {
  isolated,
  notIsolated: 'the page is not cross-origin isolated (COOP same-origin, COEP require-corp), so it has no SharedArrayBuffer: the simd build runs on 1 thread',
  async load(build) {
    const glue = build === 'threads' ? await import('../dist/threads/numwasm.js') : await import('../dist/simd/numwasm.js');
    return { glue, exports: await glue.default() };
  },
  spawnPoolWorker: (i) =>
    endpoint(new Worker(new URL('./pool-worker.js', import.meta.url), { type: 'module', name: `numwasm-pool-${i}` })),
  // The largest ArrayBuffer one postMessage carries from a worker to the page: measured in
  // Chromium 156, 2^31 - 2^21 bytes transferred (2 MiB under 2 GiB; one byte more is a
  // RangeError), about 100 bytes less cloned. Node's worker threads transfer 4 GiB and more.
  maxMessageBytes: 2 ** 31 - 2 ** 21,
  exit: () => self.close(),
  holdLock,
});
