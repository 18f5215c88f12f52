// The compute worker, for both platforms: worker.js runs it in a browser's dedicated worker,
// node-worker.js in a Node worker thread. The caller's thread never runs engine code: a
// parallel call blocks its caller until the pool is done, and a blocked main thread both
// freezes the page and steals a core from the pool (measured: ~1.0x with 2 threads on the
// main thread, ~2.1x from a worker); and only an engine on another thread can be stopped
// (terminated) when a call must be cancelled. Messages are {id, method, args}; replies
// {id, ok, result | error, fatal?}.
//
// `fatal` marks a reply after which this worker must not serve again: the engine trapped
// (errors.js isTrap), so its memory may be inconsistent. The caller then terminates this
// worker and starts another (remote.js).

import { BELL, Channel, REQUEST } from './channel.js';
import { NumwasmError } from './errors.js';
import { makeEngine } from './engine.js';
import { reportFailure } from './health.js';

/**
 * The engine's calls without a transport: `handle(method, args)` gives the reply. `host` is
 * what the platform provides: { isolated (shared memory and a pool are possible),
 * crossOriginIsolated (as status() reports it, default: isolated), notIsolated (why not),
 * load(build) -> { glue, exports }, maxMessageBytes (the largest result one message to the
 * caller can carry; none if absent),
 * spawnPoolWorker(i) -> endpoint, exit(), holdLock(name), warmUp (false: no warm-up after
 * init, for an engine on the caller's own thread) }.
 */
export function computeCalls(host) {
  let engine = null;
  let exports = null;
  let glueModule = null;
  let health = null;
  /** Why this engine runs with less than was asked (the simd build instead of threads). */
  let fallback = null;
  // Kept alive for the worker's lifetime: the pool threads read their channel through it.
  let poolBuilder = null;
  let poolWorkers = [];

  /** Starts `n` pool workers on the module's shared memory and builds rayon's pool over them. */
  async function startPool(glue, n) {
    const module = glue.poolModule();
    const memory = glue.poolMemory();
    poolBuilder = new glue.PoolBuilder(n);
    const receiver = poolBuilder.receiver();
    poolWorkers = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        const w = host.spawnPoolWorker(i);
        await new Promise((resolve, reject) => {
          let started = false;
          // Before it is ready a failure fails init; after, a pool thread that ends is an
          // engine failure (it may hold a chunk the compute worker waits for).
          w.onFail((reason) => {
            if (started) reportFailure(health, `pool worker ${i} stopped: ${reason}`);
            else reject(new Error(`pool worker ${i} failed to start: ${reason}`));
          });
          w.onMessage((data) => {
            if (data?.type !== 'numwasm-pool-ready') return;
            started = true;
            resolve();
          });
          w.post({ type: 'numwasm-pool-init', module, memory, receiver, health });
        });
        return w;
      }),
    );
    poolBuilder.build();
  }

  const own = {
    async init({ threads, health: h, lock }) {
      if (engine) return info();
      health = h ?? null;
      await host.holdLock?.(lock);
      let glue;
      if (host.isolated) {
        ({ glue, exports } = await host.load('threads'));
        await startPool(glue, threads);
      } else {
        ({ glue, exports } = await host.load('simd'));
        fallback = host.notIsolated ?? null;
      }
      engine = makeEngine(glue);
      glueModule = glue;
      // Warms the engine up right after init has answered, so that the caller is not kept
      // waiting; a call that comes meanwhile waits for it (it would have paid as much).
      if (host.warmUp !== false) setTimeout(() => engine?.warmUp(), 0);
      // Expressions whose result is larger than one message to the caller can carry are
      // refused from their shape, before they run (none where there is no such limit).
      glue.setResultLimit(host.maxMessageBytes ?? Infinity);
      return info();
    },

    /** Does nothing: the stand-in for a call whose message could not be posted (remote.js). */
    noop() {
      return null;
    },

    /** Tests only: sets the result limit (bytes; Infinity: the platform's) as a smaller platform's would be. */
    setResultLimitForTesting({ bytes }) {
      glueModule.setResultLimit(bytes ?? host.maxMessageBytes ?? Infinity);
      return true;
    },

    /** Tests only: makes the engine trap, as a panic or an out-of-bounds access would. */
    trapForTesting() {
      // An impossible allocation: wasm-bindgen's allocator aborts, which is `unreachable`.
      exports.__wbindgen_malloc(0xfffffff0, 8);
      throw new Error('the engine did not trap');
    },

    /**
     * Tests only: ends pool thread 0, as a crash would. Node reports the thread's exit here,
     * which raises the health word; a browser reports nothing, so this is for Node.
     */
    stopPoolThreadForTesting() {
      if (!poolWorkers.length) throw new NumwasmError('RuntimeError', 'this engine has no pool');
      // After this reply has gone: the thread's end must not overtake it.
      setTimeout(() => poolWorkers[0].terminate(), 20);
      return true;
    },

    /** Tests only: ends this worker without a reply, as a crash would. */
    exitForTesting() {
      host.exit();
      return new Promise(() => {});
    },
  };

  function info() {
    // Node has shared memory without being a cross-origin isolated page. `memory`: the
    // threads build's shared memory, for the caller's thread to stage inputs in (remote.js);
    // the caller takes it out of what status() shows.
    const memory = host.isolated && glueModule?.poolMemory ? glueModule.poolMemory() : undefined;
    const base = { ...engine.info(), isolated: host.crossOriginIsolated ?? host.isolated, fallback };
    return memory ? { ...base, memory } : base;
  }

  return {
    own,
    /** Runs one call; the reply is `{ ok, result }` or `{ ok: false, error, fatal? }`. */
    async handle(method, args) {
      try {
        // Own properties only: a method name such as 'constructor' must not find Object's.
        const fn = Object.hasOwn(own, method)
          ? own[method]
          : engine && Object.hasOwn(engine, method) && engine[method].bind(engine);
        if (!fn) throw new NumwasmError('RuntimeError', `unknown engine method ${method}`);
        return { ok: true, result: await fn(args ?? {}) };
      } catch (e) {
        return failure(e, method);
      }
    },
    /** The synchronous form, for run and evaluate from the shared slot. */
    handleSync(method, args) {
      try {
        return { ok: true, result: engine[method](args) };
      } catch (e) {
        return failure(e, method);
      }
    },
    get health() {
      return health;
    },
  };
}

function failure(e, method) {
  const error = NumwasmError.from(e);
  const reply = { ok: false, error: error.toJSON() };
  if (error.trap) reply.fatal = `the engine trapped in ${method} (${error.trap})`;
  return reply;
}

/**
 * The buffers of a reply's result that can move to the caller instead of being copied: those
 * of typed arrays that own a whole plain ArrayBuffer (the copies the engine made out of wasm
 * memory), found in an evaluate result's `data`, a kernel's value (an array, or a tuple's
 * members) and the arrays it wrote (`mutated`). A view of a larger buffer (wasm memory
 * itself) is never transferred.
 */
export function resultBuffers(result) {
  const found = new Set();
  const visit = (v, depth) => {
    if (v === null || typeof v !== 'object' || depth > 6) return;
    if (ArrayBuffer.isView(v)) {
      const b = v.buffer;
      if (b instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === b.byteLength) found.add(b);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
      return;
    }
    for (const k of ['result', 'data', 'value', 'mutated']) visit(v[k], depth + 1);
  };
  visit(result, 0);
  return [...found];
}

/** Serves calls from the caller's thread through `parent` (an endpoint.js endpoint). */
export function serveCompute(parent, host) {
  const calls = computeCalls(host);
  /** The shared-memory slot (channel.js), once the caller has sent one. */
  let channel = null;
  /** The highest call number (channel.posting) handled from postMessage; compared with POSTED. */
  let handled = 0;
  let slotScheduled = false;
  let broken = false;

  calls.own.useSlot = ({ slot }) => {
    channel = new Channel(slot);
    return true;
  };

  /**
   * Sends a reply by postMessage; result buffers are transferred, not cloned. A reply that
   * cannot be posted (a result larger than one message can carry: a kernel's, or a resident
   * array's toArray(); expressions' results are refused before they run, see
   * setResultLimit) becomes an error reply, so the call settles and the engine serves on.
   */
  function post(id, reply) {
    const data = reply.result?.result?.data ?? reply.result?.data;
    const transfer = resultBuffers(reply.result);
    try {
      parent.post({ type: 'numwasm-reply', id, ...reply }, transfer);
    } catch (e) {
      const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      const bytes = data?.byteLength === undefined ? '' : ` (${data.byteLength} bytes)`;
      const error = new NumwasmError(
        'ValueError',
        `the result${bytes} could not be sent from the compute worker (${why}); ` +
          'it is larger than one message can carry: reduce it, or keep it in wasm memory (a resident out)',
      );
      parent.post({ type: 'numwasm-reply', id, ok: false, error: error.toJSON(), fatal: reply.fatal });
    }
    if (reply.fatal) {
      // Serve nothing more; the caller terminates this worker when the reply arrives, and
      // the health word tells it even if the reply were lost.
      broken = true;
      reportFailure(calls.health, reply.fatal);
    }
  }

  /** Returns to the slot once the event loop has run (a task, so queued messages go first). */
  function scheduleSlot() {
    if (slotScheduled || broken) return;
    slotScheduled = true;
    setTimeout(() => {
      slotScheduled = false;
      serveSlot();
    }, 0);
  }

  /**
   * Serves calls from the slot, sleeping on its bell in between. Returns to the event loop
   * whenever the caller has posted a call that this worker has not handled yet; the message
   * handler comes back here afterwards.
   */
  function serveSlot() {
    for (;;) {
      if (broken || channel.posted !== handled) return;
      if (channel.state === REQUEST) {
        // run and evaluate are synchronous in the engine, so the reply is ready here.
        const binary = channel.binary;
        const { id, method, args } = binary ? { ...channel.readRun(), method: 'run' } : channel.read(false);
        const reply = calls.handleSync(method, args);
        if (binary && reply.ok && channel.writeResult(reply.result)) {
          channel.reply();
          continue;
        }
        if (reply.fatal || !channel.write(reply)) {
          // Too big for the slot (or fatal, which must also reach the message handler): the
          // reply goes by postMessage, delivered once this worker's event loop runs again,
          // so leave the slot until it has.
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

  parent.onMessage(async (data) => {
    if (data?.type !== 'numwasm-call' || broken) return;
    const { id, method, args, seq } = data;
    const reply = await calls.handle(method, args);
    // Calls posted before the caller had the slot carry no number and are not in its count.
    if (seq !== undefined) handled = Math.max(handled, seq);
    post(id, reply);
    if (channel) scheduleSlot();
  });
}
