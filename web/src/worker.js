// The compute worker. The page never runs engine code on its main thread: a parallel call
// blocks its caller until the pool is done, and a blocked main thread both freezes the page
// and steals a core from the pool (measured: ~1.0x with 2 threads on the main thread,
// ~2.1x from a worker). Messages are {id, method, args}; replies {id, ok, result | error}.

import { BELL, Channel, REQUEST } from './channel.js';
import { NumwasmError } from './errors.js';
import { makeEngine } from './engine.js';

/** The shared-memory slot (channel.js), once the page has sent one. */
let channel = null;
/** The highest call number (channel.posting) handled from postMessage; compared with POSTED. */
let handled = 0;
let slotScheduled = false;

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

  useSlot({ slot }) {
    channel = new Channel(slot);
    return true;
  },
};

/** Runs one call; the reply is `{ ok, result }` or `{ ok: false, error }`. */
async function handle(method, args) {
  try {
    const fn = methods[method] ?? (engine && engine[method]?.bind(engine));
    if (!fn) throw new NumwasmError('RuntimeError', `unknown engine method ${method}`);
    return { ok: true, result: await fn(args ?? {}) };
  } catch (e) {
    return { ok: false, error: NumwasmError.from(e).toJSON() };
  }
}

/** Sends a reply by postMessage; result buffers are transferred, not cloned. */
function post(id, reply) {
  const data = reply.result?.result?.data ?? reply.result?.data;
  const transfer = data?.buffer instanceof ArrayBuffer ? [data.buffer] : [];
  self.postMessage({ type: 'numwasm-reply', id, ...reply }, transfer);
}

/** Returns to the slot once the event loop has run (a task, so queued messages go first). */
function scheduleSlot() {
  if (slotScheduled) return;
  slotScheduled = true;
  setTimeout(() => {
    slotScheduled = false;
    serveSlot();
  }, 0);
}

/**
 * Serves calls from the slot, sleeping on its bell in between. Returns to the event loop
 * whenever the page has posted a call that this worker has not handled yet; the message
 * handler comes back here afterwards.
 */
function serveSlot() {
  for (;;) {
    if (channel.posted !== handled) return;
    if (channel.state === REQUEST) {
      // run and evaluate are synchronous in the engine, so the reply is ready here.
      const binary = channel.binary;
      const { id, method, args } = binary ? { ...channel.readRun(), method: 'run' } : channel.read(false);
      let reply;
      try {
        reply = { ok: true, result: engine[method](args) };
      } catch (e) {
        reply = { ok: false, error: NumwasmError.from(e).toJSON() };
      }
      if (binary && reply.ok && channel.writeResult(reply.result)) {
        channel.reply();
        continue;
      }
      if (!channel.write(reply)) {
        // Too big for the slot: the reply goes by postMessage, delivered once this worker's
        // event loop runs again, so leave the slot until it has.
        channel.write({ viaMessage: true });
        post(id, reply);
        channel.reply();
        scheduleSlot();
        return;
      }
      channel.reply();
      continue;
    }
    const bell = channel.bell;
    // Checked again after reading the bell: a ring after this point wakes the wait at once.
    if (channel.posted !== handled || channel.state === REQUEST) continue;
    // Bounded: after 100 ms idle the worker also passes through its event loop, so that a
    // message can never wait behind the slot for long whatever the interleaving.
    if (Atomics.wait(channel.words, BELL, bell, 100) === 'timed-out') {
      scheduleSlot();
      return;
    }
  }
}

self.addEventListener('message', async ({ data }) => {
  if (data?.type !== 'numwasm-call') return;
  const { id, method, args, seq } = data;
  const reply = await handle(method, args);
  // Calls posted before the page had the slot carry no number and are not in its count.
  if (seq !== undefined) handled = Math.max(handled, seq);
  post(id, reply);
  if (channel) scheduleSlot();
});
