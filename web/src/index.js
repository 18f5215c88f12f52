// numwasm for browsers. The engine runs in a dedicated compute worker (see worker.js for
// why); in a cross-origin isolated page that worker starts a pool of shared-memory
// threads (the `threads` build), otherwise it runs the single-threaded `simd` build.

import { NumwasmError } from './errors.js';
import { useBackend } from './api.js';

let worker = null;
let nextId = 1;
const pending = new Map();

function call(method, args, transfer = []) {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    worker.postMessage({ type: 'numwasm-call', id, method, args }, transfer);
  });
}

function onReply({ data }) {
  if (data?.type !== 'numwasm-reply') return;
  const entry = pending.get(data.id);
  if (!entry) return;
  pending.delete(data.id);
  if (data.ok) entry.resolve(data.result);
  else entry.reject(NumwasmError.from(data.error));
}

function onWorkerError(e) {
  const error = new NumwasmError('RuntimeError', `numwasm compute worker failed: ${e.message ?? 'unknown error'}`);
  for (const { reject } of pending.values()) reject(error);
  pending.clear();
}

useBackend({
  ncores: globalThis.navigator?.hardwareConcurrency ?? 1,
  async start(threads) {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'numwasm-compute' });
    worker.addEventListener('message', onReply);
    worker.addEventListener('error', onWorkerError);
    try {
      return await call('init', { threads });
    } catch (e) {
      worker.terminate();
      worker = null;
      throw e;
    }
  },
  call,
});

export * from './public.js';
