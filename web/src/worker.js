// The compute worker. The page never runs engine code on its main thread: a parallel call
// blocks its caller until the pool is done, and a blocked main thread both freezes the page
// and steals a core from the pool (measured: ~1.0x with 2 threads on the main thread,
// ~2.1x from a worker). Messages are {id, method, args}; replies {id, ok, result | error}.

import { NumwasmError } from './errors.js';
import { makeEngine } from './engine.js';

let engine = null;
// Kept alive for the worker's lifetime: the pool threads read their channel through it.
let poolBuilder = null;
let poolWorkers = [];

function waitFor(target, type) {
  return new Promise((resolve, reject) => {
    const onMessage = ({ data }) => {
      if (data?.type !== type) return;
      cleanup();
      resolve(data);
    };
    const onError = (e) => {
      cleanup();
      reject(new Error(`pool worker failed to start: ${e.message ?? 'unknown error'}`));
    };
    const cleanup = () => {
      target.removeEventListener('message', onMessage);
      target.removeEventListener('error', onError);
    };
    target.addEventListener('message', onMessage);
    target.addEventListener('error', onError);
  });
}

/** Starts `n` pool workers on the module's shared memory and builds rayon's pool over them. */
async function startPool(glue, n) {
  const module = glue.poolModule();
  const memory = glue.poolMemory();
  poolBuilder = new glue.PoolBuilder(n);
  const receiver = poolBuilder.receiver();
  poolWorkers = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const w = new Worker(new URL('./pool-worker.js', import.meta.url), {
        type: 'module',
        name: `numwasm-pool-${i}`,
      });
      const ready = waitFor(w, 'numwasm-pool-ready');
      w.postMessage({ type: 'numwasm-pool-init', module, memory, receiver });
      await ready;
      return w;
    }),
  );
  poolBuilder.build();
}

const methods = {
  async init({ threads }) {
    if (engine) return { ...engine.info(), isolated: self.crossOriginIsolated === true };
    const isolated = self.crossOriginIsolated === true && typeof SharedArrayBuffer === 'function';
    let glue;
    if (isolated) {
      glue = await import('../dist/threads/numwasm.js');
      await glue.default();
      await startPool(glue, threads);
    } else {
      glue = await import('../dist/simd/numwasm.js');
      await glue.default();
    }
    engine = makeEngine(glue);
    return { ...engine.info(), isolated };
  },
};

self.addEventListener('message', async ({ data }) => {
  if (data?.type !== 'numwasm-call') return;
  const { id, method, args } = data;
  try {
    const fn = methods[method] ?? (engine && engine[method]?.bind(engine));
    if (!fn) throw new NumwasmError('RuntimeError', `unknown engine method ${method}`);
    const result = await fn(args ?? {});
    // Results leave without a copy: their buffers are transferred, not cloned.
    const data = result?.result?.data ?? result?.data;
    const transfer = data?.buffer instanceof ArrayBuffer ? [data.buffer] : [];
    self.postMessage({ type: 'numwasm-reply', id, ok: true, result }, transfer);
  } catch (e) {
    self.postMessage({ type: 'numwasm-reply', id, ok: false, error: NumwasmError.from(e).toJSON() });
  }
});
