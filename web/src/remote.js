// The caller's side of the compute worker, for both platforms (index.js in browsers, node.js
// in Node): the call queue, the transport, and the engine's lifecycle.
//
// Calls reach the worker one at a time, in order. Where shared memory and Atomics.waitAsync
// exist, small `run` and `evaluate` calls go through a shared-memory slot (channel.js), the
// rest by postMessage.
//
// Staging. Where this thread shares the engine's memory (the threads build: a cross-origin
// isolated page, Node), the array inputs of `run` and `evaluate` calls of STAGE_MIN bytes
// or more are written straight into staging slots in that memory (buffers the engine keeps
// for this thread, made by its `stage` call and reused while they fit) when the call is
// sent, and the call names the slots instead of carrying the data; its result stays in
// wasm memory and is copied out here when the reply comes, before the next call is sent.
// One copy each way at memcpy speed, instead of a structured clone to the worker, a copy
// into wasm memory, a copy out of it and a transfer back. Nothing else runs in the engine
// between the copy in and the copy out: calls are sent one at a time.
//
// Lifecycle. Each compute worker is one *generation* of the engine. When it breaks (the
// engine trapped, the worker or a pool thread died) or a running call is aborted, the
// generation ends: the call in flight is rejected at once, the worker (and with it its pool)
// is terminated, and a new worker starts with the same init options. Queued calls wait for
// it and then run on it, except those that refer to engine objects (resident arrays,
// compiled expressions, kernel modules) of an ended generation, which reject with a
// ValueError: their ids mean nothing, or something else, to the new engine.

import { Channel, REPLY, REQUEST, STATE, createSlot } from './channel.js';
import { NumwasmError, abortError, restartedError, staleCallError } from './errors.js';
import { DTYPES } from './ndarray.js';
import { watchLock } from './endpoint.js';
import { createHealth, reportFailure, watchHealth } from './health.js';

const FAST = new Set(['run', 'evaluate']);

/**
 * The fewest bytes of array inputs that a call stages rather than sends (see above). Below,
 * the slot's copies cost about what staging does.
 */
export const STAGE_MIN = 16 * 1024;

/**
 * The most bytes of staging buffers (inputs and the result) kept after a call: beyond, they
 * are freed once the result is copied out, so that one large call does not hold its size
 * of wasm memory for the calls after it (a round trip, against the tens of milliseconds of
 * copying such a call takes).
 */
export const STAGE_KEEP = 64 * 1024 * 1024;

/**
 * The error of a call whose message could not be posted: too large for one message (a
 * RangeError in Chromium, about 2 GiB in all) or not cloneable (a DataCloneError: a buffer
 * detached or shrunk after the call was made).
 */
function sendError(method, e) {
  const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  // Chromium: a RangeError for one buffer over its limit, a DataCloneError "out of memory"
  // for a message too large in all; Node: a DataCloneError for a buffer over 4 GiB.
  const tooLarge = e instanceof RangeError || /out of memory|size|range/i.test(String(e?.message));
  const kind = tooLarge ? 'ValueError' : 'TypeError';
  const hint =
    kind === 'ValueError'
      ? 'the inputs are larger than one message to the compute worker can carry; pass smaller arrays'
      : 'an input could not be copied; was its buffer transferred or resized after the call was made?';
  return new NumwasmError(kind, `${method}(): the call could not be sent to the compute worker (${why}): ${hint}`, null, undefined, [], {
    cause: e,
  });
}

/** One compute worker: the transport to it, one call at a time. */
class Link {
  #worker;
  #onDeath;
  #channel = null;
  #nextId = 1;
  /** Calls sent by postMessage and not yet answered, by id. */
  #pending = new Map();
  /** Replies by postMessage to calls sent through the slot, that came before the slot said so. */
  #arrived = new Map();
  /** Settles the call that is in flight (set while one is). */
  #current = null;
  /** Ids of stand-in messages whose replies are dropped (see send). */
  #ignored = new Set();

  /** The engine's shared memory (a WebAssembly.Memory) where this thread may stage inputs. */
  memory = null;
  /** The staging slots: { dtype, length, address } by slot number. */
  slots = [];
  /** The longest view of that memory this thread has been sent (see memoryView). */
  buffer = null;

  /** The bytes the staging slots hold. */
  get stagedBytes() {
    return this.slots.reduce((b, s) => b + s.length * DTYPES[s.dtype].BYTES_PER_ELEMENT, 0);
  }

  constructor(worker, generation, onDeath) {
    this.#worker = worker;
    this.#onDeath = onDeath;
    this.generation = generation;
    this.dead = false;
    this.health = createHealth();
    worker.onMessage((data) => this.#onReply(data));
    worker.onFail((reason) => onDeath(this, `the compute worker stopped: ${reason}`));
    watchHealth(this.health, (reason) => onDeath(this, reason));
  }

  /** Whether a call is in flight (sent, its reply not yet settled). */
  get busy() {
    return this.#current !== null;
  }

  useChannel(slot) {
    this.#channel = new Channel(slot);
  }

  ref() {
    this.#worker.ref();
  }

  unref() {
    this.#worker.unref();
  }

  /** Sends one call and waits for its reply, through the slot when it can. */
  send(method, args, transfer = []) {
    return new Promise((resolve, reject) => {
      if (this.dead) {
        reject(new NumwasmError('RuntimeError', 'numwasm compute worker is gone'));
        return;
      }
      this.#current = { resolve, reject };
      const id = this.#nextId++;
      const channel = this.#channel;
      if (channel && FAST.has(method) && transfer.length === 0 && this.#writeSlot(id, method, args)) {
        channel.request();
        this.#awaitSlotReply(id);
        return;
      }
      this.#pending.set(id, this.#current);
      // Count the message and wake the worker out of its wait on the slot, before posting:
      // the worker then stays in its event loop until it has handled this message.
      const seq = channel?.posting();
      try {
        this.#worker.post({ type: 'numwasm-call', id, method, args, seq }, transfer);
      } catch (e) {
        // The message could not be made (an input too large for one message, a buffer
        // detached after the call was made): the call fails, the worker never saw it.
        this.#pending.delete(id);
        this.#current = null;
        if (seq !== undefined) {
          // The worker counts posted messages against the slot's POSTED word and waits for
          // this one: send it a call that does nothing, whose reply is dropped.
          this.#ignored.add(id);
          this.#worker.post({ type: 'numwasm-call', id, method: 'noop', args: {}, seq });
        }
        reject(sendError(method, e));
      }
    });
  }

  /** Writes a call into the slot: `run` on arrays in binary, the rest as JSON. */
  #writeSlot(id, method, args) {
    if (method === 'run' && args.inputs.every((i) => i.resident || (i.array && i.staged === undefined))) {
      return this.#channel.writeRun(id, args.id, args.threads, args.out, args.inputs);
    }
    return this.#channel.write({ id, method, args });
  }

  async #awaitSlotReply(id) {
    const channel = this.#channel;
    // Bounded waits: while no reply has come, ring again every 100 ms (a worker that was
    // passing through its event loop then finds the request on its way back).
    while (channel.state === REQUEST) {
      const w = Atomics.waitAsync(channel.words, STATE, REQUEST, 100);
      if (w.async) await w.value;
      if (!this.#current) return; // the worker failed or the call was aborted
      if (channel.state === REQUEST) channel.ring();
    }
    if (channel.state !== REPLY) return;
    const reply = channel.binary ? channel.readResult() : channel.read(true);
    if (reply.viaMessage) {
      // The result was too large for the slot: it comes by postMessage, which may have
      // arrived before the slot's wake-up.
      const early = this.#arrived.get(id);
      this.#arrived.delete(id);
      if (early) this.#settle(early);
      else this.#pending.set(id, this.#current);
      return;
    }
    this.#settle(reply);
  }

  #settle(reply) {
    if (reply.fatal) {
      // The engine trapped: this generation ends here, and ending it rejects the call.
      this.#onDeath(this, reply.fatal);
      return;
    }
    const entry = this.#current;
    this.#current = null;
    if (!entry) return;
    if (reply.ok) entry.resolve(reply.result);
    else entry.reject(NumwasmError.from(reply.error));
  }

  #onReply(data) {
    if (data?.type !== 'numwasm-reply' || this.dead) return;
    if (this.#ignored.delete(data.id)) return;
    if (this.#pending.delete(data.id)) this.#settle(data);
    else this.#arrived.set(data.id, data);
  }

  /** Ends this worker: rejects the call in flight with `error`; resolves once it has stopped. */
  kill(error) {
    this.dead = true;
    const entry = this.#current;
    this.#current = null;
    this.#pending.clear();
    this.#arrived.clear();
    entry?.reject(error);
    // Wakes this link's health watcher, which then finds the link dead and does nothing.
    reportFailure(this.health, 'stopped');
    return this.#worker.terminate().catch(() => {});
  }
}

/**
 * A SharedArrayBuffer over `l`'s memory that reaches byte `end`. When the engine grows its
 * memory, V8 tells the other threads' Memory objects later (at an interrupt), so right
 * after a call that grew it `memory.buffer` here may still be the old length: the engine
 * then sends its own, current one (a round trip, once per growth).
 */
async function memoryView(l, end) {
  let b = l.memory.buffer;
  if (l.buffer && l.buffer.byteLength > b.byteLength) b = l.buffer;
  if (end <= b.byteLength) return b;
  l.buffer = await l.send('memoryBuffer', {});
  if (end > l.buffer.byteLength) throw new NumwasmError('RuntimeError', 'a staging buffer lies outside the engine memory');
  return l.buffer;
}

/** Whether input `i` of a call can be staged: array data of a dtype other than bool. */
function stageable(i) {
  return !i.resident && i.data !== undefined && i.dtype !== 'bool' && DTYPES[i.dtype] !== undefined;
}

/**
 * Writes the array inputs of a `run` or `evaluate` call into `l`'s staging slots (making or
 * growing a slot first where it does not fit) and returns the call's arguments naming the
 * slots; null when the call is too small to stage.
 */
async function stageIn(l, args) {
  let bytes = 0;
  for (const i of args.inputs) if (stageable(i)) bytes += i.data.byteLength;
  if (bytes < STAGE_MIN) return null;
  const inputs = [];
  let slot = 0;
  for (const i of args.inputs) {
    if (!stageable(i)) {
      inputs.push(i);
      continue;
    }
    const length = i.data.length;
    let s = l.slots[slot];
    if (!s || s.dtype !== i.dtype || s.length < length) {
      const address = await l.send('stage', { slot, dtype: i.dtype, length });
      s = l.slots[slot] = { dtype: i.dtype, length, address };
    }
    const T = DTYPES[i.dtype];
    const buffer = await memoryView(l, s.address + length * T.BYTES_PER_ELEMENT);
    new T(buffer, s.address, length).set(i.data);
    const { data, ...rest } = i;
    inputs.push({ ...rest, array: true, staged: slot, length });
    slot++;
  }
  return { ...args, inputs };
}

/** Copies a staged result out of wasm memory (into `into` where it fits) as `data`. */
async function stageOut(l, reply, into) {
  const r = reply?.result;
  if (!r || r.staged === undefined) return reply;
  const T = DTYPES[r.dtype];
  const view = new T(await memoryView(l, r.staged + r.length * T.BYTES_PER_ELEMENT), r.staged, r.length);
  let data;
  if (into instanceof T && into.length === r.length) {
    into.set(view);
    data = into;
  } else {
    // Not view.slice(): V8 copies out of shared memory into a new array on a slow path
    // (measured in Chromium, 8 MB: slice 4.2 ms, new array + set 1.5 ms).
    data = new T(r.length);
    data.set(view);
  }
  return { ...reply, result: { dtype: r.dtype, shape: r.shape, data } };
}

/**
 * The backend of api.js over compute workers. `spawn()` makes one (an endpoint.js endpoint);
 * `slot`: use the shared-memory slot; `locks`: watch each worker through a Web Lock, which
 * is how a browser page learns that a worker ended without an error event.
 */
export function remoteBackend({ spawn, ncores, slot = false, locks = false }) {
  let threads = 1;
  /** The live link, null while one starts. */
  let link = null;
  /** Resolves to the next live link while one starts. */
  let starting = null;
  let generation = 0;
  let info = null;
  let restarts = 0;
  let lastRestart = null;
  let restartedAt = 0;
  /** Calls whose inputs were staged, in all generations. */
  let stagedCalls = 0;
  /** Calls not yet sent. */
  const queue = [];
  let busy = false;
  /** The queued call now in flight. */
  let inFlight = null;

  /** Starts a compute worker and initialises its engine. */
  async function open() {
    const l = new Link(spawn(), generation, die);
    try {
      const lock = locks ? `numwasm-compute-${Math.random().toString(36).slice(2)}-${l.generation}` : undefined;
      const { memory, ...rest } = await l.send('init', { threads, health: l.health, lock });
      info = rest;
      l.memory = memory ?? null;
      if (lock) watchLock(lock, () => die(l, 'the compute worker ended'));
      if (slot) {
        const s = createSlot();
        await l.send('useSlot', { slot: s });
        l.useChannel(s);
      }
      return l;
    } catch (e) {
      l.kill(e);
      throw e;
    }
  }

  /** The live link, starting one (after `before`, when given) if there is none. */
  function live(before) {
    if (link) return link;
    starting ??= (async () => {
      await before;
      const l = await open();
      // From the failure to a new engine ready: terminating the old worker, starting a new
      // one, instantiating the module and starting its pool.
      if (lastRestart && lastRestart.ms === null) lastRestart.ms = performance.now() - restartedAt;
      return l;
    })().then(
      (l) => {
        link = l;
        starting = null;
        if (!busy) l.unref();
        return l;
      },
      (e) => {
        starting = null;
        throw e;
      },
    );
    return starting;
  }

  /** A link reports that it broke: end its generation (once) and start the next. */
  function die(l, reason, error) {
    if (l.dead) return;
    if (l !== link) {
      // Still starting: the start fails, and the next call tries again.
      l.kill(error ?? new NumwasmError('RuntimeError', `numwasm compute worker failed to start: ${reason}`));
      return;
    }
    link = null;
    generation++;
    restarts++;
    lastRestart = { reason, ms: null };
    restartedAt = performance.now();
    const stopped = l.kill(error ?? restartedError(reason));
    live(stopped).catch(() => {});
  }

  function done(c, error, value) {
    c.signal?.removeEventListener('abort', c.onAbort);
    if (error) c.reject(error);
    else c.resolve(value);
  }

  function onAbort(c) {
    const i = queue.indexOf(c);
    if (i >= 0) {
      queue.splice(i, 1);
      done(c, abortError(c.what, c.signal));
    } else if (inFlight === c && link?.busy) {
      // A call cannot be stopped inside the engine: stop the engine.
      die(link, `${c.what} was aborted while it ran`, abortError(c.what, c.signal));
    }
  }

  async function pump() {
    busy = true;
    while (queue.length) {
      let l;
      try {
        l = await live();
      } catch (e) {
        const error = new NumwasmError('RuntimeError', `numwasm could not start its engine: ${e.message}`);
        for (const c of queue.splice(0)) done(c, error);
        break;
      }
      const c = queue.shift();
      if (!c) break;
      if (c.handles !== undefined && c.handles !== l.generation) {
        done(c, staleCallError(c.what, lastRestart?.reason));
        continue;
      }
      inFlight = c;
      l.ref();
      try {
        const staged = l.memory && (c.method === 'run' || c.method === 'evaluate') ? await stageIn(l, c.args) : null;
        let result = await l.send(c.method, staged ?? c.args, c.transfer);
        if (staged) {
          result = await stageOut(l, result, c.into);
          stagedCalls++;
          if (l.stagedBytes + (result?.result?.data?.byteLength ?? 0) > STAGE_KEEP) {
            l.slots = [];
            await l.send('freeStaging', {});
          }
        }
        done(c, null, c.stamp ? { result, generation: l.generation } : result);
      } catch (e) {
        done(c, e);
      }
      inFlight = null;
    }
    busy = false;
    link?.unref();
  }

  return {
    ncores,

    async start(t) {
      threads = t;
      generation = 1;
      await live();
      return info;
    },

    /**
     * Queues one call. Options: `signal` (an AbortSignal), `handles` (the generation of the
     * engine objects the call refers to), `stamp` (resolve to { result, generation }),
     * `what` (the call's name in messages), `transfer`, `into` (a typed array a staged
     * result is copied into when it has the result's type and length).
     */
    call(method, args, { transfer = [], signal, handles, stamp = false, what = `${method}()`, into } = {}) {
      return new Promise((resolve, reject) => {
        if (signal?.aborted) {
          reject(abortError(what, signal));
          return;
        }
        const c = { method, args, transfer, handles, stamp, what, signal, into, resolve, reject, onAbort: null };
        if (signal) {
          c.onAbort = () => onAbort(c);
          signal.addEventListener('abort', c.onAbort, { once: true });
        }
        queue.push(c);
        if (!busy) pump();
      });
    },

    /** The generation of the engine now serving, or starting. */
    get generation() {
      return generation;
    },

    status() {
      const staging = {
        available: link?.memory != null,
        calls: stagedCalls,
        bytes: link?.stagedBytes ?? 0,
      };
      return { engine: 'worker', restarts, lastRestart: lastRestart && { ...lastRestart }, fallback: info?.fallback ?? null, staging };
    },
  };
}
