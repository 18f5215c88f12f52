// numwasm for browsers. The engine runs in a dedicated compute worker (compute.js says why);
// in a cross-origin isolated page that worker starts a pool of shared-memory threads (the
// `threads` build), otherwise it runs the single-threaded `simd` build. The call queue, the
// transport and restarts are remote.js; this file only names the browser's Worker.

import { useBackend } from './api.js';
import { endpoint } from './endpoint.js';
import { remoteBackend } from './remote.js';

useBackend(
  remoteBackend({
    ncores: globalThis.navigator?.hardwareConcurrency ?? 1,
    spawn: () => endpoint(new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'numwasm-compute' })),
    slot: globalThis.crossOriginIsolated === true && typeof Atomics.waitAsync === 'function',
    locks: true,
  }),
);

export * from './public.js';
