// The compute worker in Node: compute.js served over a worker thread's parentPort, with the
// `threads` build and a pool of worker threads (node-pool-worker.js). Node >= 20 gives
// worker threads SharedArrayBuffer, Atomics.wait/waitAsync and the transfer of a compiled
// WebAssembly.Module and a shared WebAssembly.Memory, which is all the pool needs.

import { readFile } from 'node:fs/promises';
import { Worker, parentPort } from 'node:worker_threads';

import { serveCompute } from './compute.js';
import { endpoint } from './endpoint.js';

serveCompute(endpoint(parentPort), {
  isolated: typeof SharedArrayBuffer === 'function' && typeof Atomics.wait === 'function',
  crossOriginIsolated: false,
  notIsolated: 'this Node has no SharedArrayBuffer: the simd build runs on 1 thread',
  async load(build) {
    const glue = build === 'threads' ? await import('../dist/threads/numwasm.js') : await import('../dist/simd/numwasm.js');
    const bytes = await readFile(new URL(`../dist/${build}/numwasm_bg.wasm`, import.meta.url));
    return { glue, exports: await glue.default({ module_or_path: bytes, memory: testMemory(build) }) };
  },
  spawnPoolWorker: (i) => endpoint(new Worker(new URL('./node-pool-worker.js', import.meta.url), { name: `numwasm-pool-${i}` })),
  // Ends this worker thread only (process.exit in a worker stops its own thread).
  exit: () => process.exit(70),
});

/**
 * Tests only: NUMWASM_TEST_MEMORY_MIB caps the threads build's shared memory (which this
 * side creates; the module imports it, declaring at most 4 GiB), so that a test can fill it
 * in well under a second instead of copying 4 GiB. Undefined (the module's own memory) when
 * unset.
 */
function testMemory(build) {
  const mib = Number(process.env.NUMWASM_TEST_MEMORY_MIB);
  if (build !== 'threads' || !(mib > 0)) return undefined;
  // 64 KiB pages; the initial size must cover the module's declared minimum (20 pages today).
  return new WebAssembly.Memory({ initial: 256, maximum: Math.max(256, Math.floor(mib * 16)), shared: true });
}
