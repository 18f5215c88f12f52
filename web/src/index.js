// numwasm for browsers. The engine runs in a dedicated compute worker (see worker.js for
// why); in a cross-origin isolated page that worker starts a pool of shared-memory
// threads (the `threads` build), otherwise it runs the single-threaded `simd` build.
//
// Calls reach the worker one at a time, in order. In an isolated page small `run` and
// `evaluate` calls go through a shared-memory slot (channel.js), the rest by postMessage.

import { Channel, REPLY, REQUEST, STATE, createSlot } from './channel.js';
import { NumwasmError } from './errors.js';
import { useBackend } from './api.js';

let worker = null;
let channel = null;
let nextId = 1;
/** Calls sent by postMessage and not yet answered, by id. */
const pending = new Map();
/** Replies by postMessage to calls sent through the slot, that came before the slot said so. */
const arrived = new Map();
/** Calls not yet sent: { method, args, transfer, resolve, reject }. */
const queue = [];
let busy = false;
/** Settles the call that is in flight (set while one is). */
let inFlight = null;

const FAST = new Set(['run', 'evaluate']);

function call(method, args, transfer = []) {
  return new Promise((resolve, reject) => {
    queue.push({ method, args, transfer, resolve, reject });
    if (!busy) pump();
  });
}

async function pump() {
  busy = true;
  while (queue.length) {
    const c = queue.shift();
    try {
      c.resolve(await send(c));
    } catch (e) {
      c.reject(e);
    }
  }
  busy = false;
}

/** Sends one call and waits for its reply, through the slot when it can. */
function send({ method, args, transfer }) {
  return new Promise((resolve, reject) => {
    inFlight = { resolve, reject };
    const id = nextId++;
    if (channel && FAST.has(method) && transfer.length === 0 && writeSlot(id, method, args)) {
      channel.request();
      awaitSlotReply(id);
      return;
    }
    pending.set(id, inFlight);
    // Count the message and wake the worker out of its wait on the slot, before posting:
    // the worker then stays in its event loop until it has handled this message.
    const seq = channel?.posting();
    worker.postMessage({ type: 'numwasm-call', id, method, args, seq }, transfer);
  });
}

/** Writes a call into the slot: `run` on arrays in binary, the rest as JSON. */
function writeSlot(id, method, args) {
  if (method === 'run' && args.inputs.every((i) => i.resident || i.array)) {
    return channel.writeRun(id, args.id, args.threads, args.out, args.inputs);
  }
  return channel.write({ id, method, args });
}

async function awaitSlotReply(id) {
  // Bounded waits: while no reply has come, ring again every 100 ms (a worker that was
  // passing through its event loop then finds the request on its way back).
  while (channel.state === REQUEST) {
    const w = Atomics.waitAsync(channel.words, STATE, REQUEST, 100);
    if (w.async) await w.value;
    if (channel.state === REQUEST) channel.ring();
    if (!inFlight) return; // the worker failed: onWorkerError settled the call
  }
  if (channel.state !== REPLY) return;
  const reply = channel.binary ? channel.readResult() : channel.read(true);
  if (reply.viaMessage) {
    // The result was too large for the slot: it comes by postMessage, which may have
    // arrived before the slot's wake-up.
    const early = arrived.get(id);
    arrived.delete(id);
    if (early) settle(early);
    else pending.set(id, inFlight);
    return;
  }
  settle(reply);
}

function settle(reply) {
  const entry = inFlight;
  inFlight = null;
  if (!entry) return;
  if (reply.ok) entry.resolve(reply.result);
  else entry.reject(NumwasmError.from(reply.error));
}

function onReply({ data }) {
  if (data?.type !== 'numwasm-reply') return;
  if (pending.delete(data.id)) settle(data);
  else arrived.set(data.id, data);
}

function onWorkerError(e) {
  const error = new NumwasmError('RuntimeError', `numwasm compute worker failed: ${e.message ?? 'unknown error'}`);
  pending.clear();
  inFlight?.reject(error);
  inFlight = null;
  for (const c of queue.splice(0)) c.reject(error);
}

useBackend({
  ncores: globalThis.navigator?.hardwareConcurrency ?? 1,
  async start(threads) {
    worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'numwasm-compute' });
    worker.addEventListener('message', onReply);
    worker.addEventListener('error', onWorkerError);
    try {
      const info = await call('init', { threads });
      if (globalThis.crossOriginIsolated === true && typeof Atomics.waitAsync === 'function') {
        const slot = createSlot();
        await call('useSlot', { slot });
        channel = new Channel(slot);
      }
      return info;
    } catch (e) {
      worker.terminate();
      worker = null;
      throw e;
    }
  },
  call,
});

export * from './public.js';
