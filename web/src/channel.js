// The shared-memory call channel between the page and the compute worker, used in cross-origin
// isolated pages. A postMessage round trip to a worker costs ~80 µs in Chromium (two task
// hops through both event loops); a SharedArrayBuffer slot with Atomics.wait in the worker and
// Atomics.waitAsync on the page costs ~20 µs (measured, docs/package.md). Small `run` and
// `evaluate` calls go through the slot; everything else, and calls whose inputs or result do
// not fit, still use postMessage.
//
// The slot: four Int32 words, then a request or reply: a JSON header and the bytes of the
// typed arrays it names, each 8-byte aligned. The words:
//   STATE   REQUEST (the page wrote a request) or REPLY (the worker wrote the reply); the
//           page waits on it with Atomics.waitAsync.
//   BELL    bumped by the page whenever it wants the worker's attention; the worker sleeps on
//           it with Atomics.wait.
//   POSTED  how many calls the page has sent by postMessage. The worker counts those it has
//           handled and never sleeps while one is outstanding: it returns to its event loop
//           to receive it, and comes back to the slot after handling it.
//   HEADER  byte length of the JSON header.
// The page sends one call at a time (calls are queued in order), so the slot is never shared.

import { DTYPES } from './ndarray.js';

export const REQUEST = 1;
export const REPLY = 2;
export const STATE = 0;
export const BELL = 1;
export const POSTED = 2;
const HEADER_LEN = 3;
const HEADER_AT = 16; // bytes
/** Bytes of the slot: requests and replies above this go by postMessage. */
export const SLOT_BYTES = 1 << 20;

const TYPES = {
  Float64Array,
  Float32Array,
  Int8Array,
  Int16Array,
  Int32Array,
  Uint8Array,
  Uint16Array,
  Uint32Array,
  BigInt64Array,
  BigUint64Array,
};

/** dtype codes of the binary run form: the index in DTYPES, the same module on both sides. */
const DTYPE_NAMES = Object.keys(DTYPES);
const DTYPE_CODES = Object.fromEntries(DTYPE_NAMES.map((d, i) => [d, i]));
/** The expression tiers a binary result names, by code (-1: none). */
const TIERS = ['vm', 'wasm'];
/** HEADER word value marking the binary form (a JSON header has a length >= 0). */
const BINARY = -1;
const META_AT = HEADER_AT;
const META_SLOTS = 256;
const BINARY_DATA_AT = META_AT + META_SLOTS * 8;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A new slot; both sides wrap the same buffer with `new Channel(buffer)`. */
export function createSlot() {
  return new SharedArrayBuffer(SLOT_BYTES);
}

export class Channel {
  constructor(buffer) {
    this.buffer = buffer;
    this.words = new Int32Array(buffer, 0, 4);
    this.bytes = new Uint8Array(buffer);
  }

  get state() {
    return Atomics.load(this.words, STATE);
  }

  /** Page: a request is in the slot. */
  request() {
    Atomics.store(this.words, STATE, REQUEST);
    this.ring();
  }

  /** Page: a call is about to be posted (call before postMessage); returns its number. */
  posting() {
    const seq = Atomics.add(this.words, POSTED, 1) + 1;
    this.ring();
    return seq;
  }

  ring() {
    Atomics.add(this.words, BELL, 1);
    Atomics.notify(this.words, BELL);
  }

  /** Worker: the reply is in the slot. */
  reply() {
    Atomics.store(this.words, STATE, REPLY);
    Atomics.notify(this.words, STATE);
  }

  get posted() {
    return Atomics.load(this.words, POSTED);
  }

  get bell() {
    return Atomics.load(this.words, BELL);
  }

  /**
   * The hot call in binary, without JSON: `run` of compiled expression `compiledId` on
   * array inputs in signature order (`{ resident }` or `{ dtype, shape, data }`). False,
   * writing nothing, when it does not fit.
   */
  writeRun(callId, compiledId, threads, out, inputs) {
    const meta = [callId, compiledId, threads, out ?? -1, inputs.length];
    let at = BINARY_DATA_AT;
    const copies = [];
    for (const i of inputs) {
      if (i.resident) {
        meta.push(0, i.resident);
      } else {
        const d = i.data;
        meta.push(1, DTYPE_CODES[i.dtype], i.shape.length, ...i.shape, at, d.length);
        copies.push([d, at]);
        at += Math.ceil(d.byteLength / 8) * 8;
      }
    }
    if (meta.length > META_SLOTS || at > this.bytes.length) return false;
    new Float64Array(this.buffer, META_AT, meta.length).set(meta);
    for (const [d, byteAt] of copies) new d.constructor(this.buffer, byteAt, d.length).set(d);
    this.words[HEADER_LEN] = BINARY;
    return true;
  }

  /** Whether the slot holds the binary form. */
  get binary() {
    return this.words[HEADER_LEN] === BINARY;
  }

  /** Worker: reads `writeRun`'s request; array data are views on the slot. */
  readRun() {
    const m = new Float64Array(this.buffer, META_AT, META_SLOTS);
    let k = 5;
    const inputs = [];
    for (let j = 0; j < m[4]; j++) {
      if (m[k++] === 0) {
        inputs.push({ resident: m[k++] });
      } else {
        const dtype = DTYPE_NAMES[m[k++]];
        const ndim = m[k++];
        const shape = Array.from(m.subarray(k, k + ndim));
        k += ndim;
        const data = new DTYPES[dtype](this.buffer, m[k], m[k + 1]);
        k += 2;
        inputs.push({ dtype, shape, data });
      }
    }
    return { id: m[0], args: { id: m[1], threads: m[2], out: m[3] < 0 ? undefined : m[3], inputs } };
  }

  /**
   * Worker: a successful run's `{ result, computeMs, threads, tier }` in binary; false if it
   * does not fit or the result is staged (it then goes as JSON).
   */
  writeResult({ result, computeMs, threads, tier }) {
    if (result && result.data === undefined) return false;
    const meta = [computeMs, threads ?? 1, result ? 1 : 0, TIERS.indexOf(tier)];
    if (result) {
      const d = result.data;
      if (BINARY_DATA_AT + d.byteLength > this.bytes.length) return false;
      meta.push(DTYPE_CODES[result.dtype], result.shape.length, ...result.shape, d.length);
      if (meta.length > META_SLOTS) return false;
      new d.constructor(this.buffer, BINARY_DATA_AT, d.length).set(d);
    }
    new Float64Array(this.buffer, META_AT, meta.length).set(meta);
    this.words[HEADER_LEN] = BINARY;
    return true;
  }

  /** Page: reads `writeResult`'s reply as `{ ok, result: { result, computeMs, threads, tier } }`, data copied. */
  readResult() {
    const m = new Float64Array(this.buffer, META_AT, META_SLOTS);
    const [computeMs, threads] = m;
    const tier = TIERS[m[3]];
    if (m[2] === 0) return { ok: true, result: { result: null, computeMs, threads, tier } };
    const dtype = DTYPE_NAMES[m[4]];
    const ndim = m[5];
    const shape = Array.from(m.subarray(6, 6 + ndim));
    const T = DTYPES[dtype];
    const data = new T(m[6 + ndim]);
    data.set(new T(this.buffer, BINARY_DATA_AT, data.length));
    return { ok: true, result: { result: { dtype, shape, data }, computeMs, threads, tier } };
  }

  /**
   * Writes `value` (plain data with typed arrays and bigints anywhere inside) into the slot.
   * Returns false, writing nothing, when it does not fit.
   */
  write(value) {
    const arrays = [];
    let size = 0;
    const json = JSON.stringify(value, (_, v) => {
      if (typeof v === 'bigint') return { $bigint: v.toString() };
      // JSON has no NaN, infinities or -0.
      if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return { $number: Object.is(v, -0) ? '-0' : String(v) };
      if (ArrayBuffer.isView(v) && TYPES[v.constructor.name] === v.constructor) {
        arrays.push(v);
        const entry = { $array: v.constructor.name, offset: size, length: v.length };
        size += Math.ceil(v.byteLength / 8) * 8;
        return entry;
      }
      return v;
    });
    const head = encoder.encode(json);
    const dataAt = Math.ceil((HEADER_AT + head.length) / 8) * 8;
    if (dataAt + size > this.bytes.length) return false;
    this.bytes.set(head, HEADER_AT);
    this.words[HEADER_LEN] = head.length;
    let at = dataAt;
    for (const a of arrays) {
      this.bytes.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
      at += Math.ceil(a.byteLength / 8) * 8;
    }
    return true;
  }

  /**
   * Reads what `write` wrote. With `copy`, typed arrays are fresh copies (the page keeps
   * them); without, they are views on the slot, valid until the next write (the worker
   * hands them straight to the engine, which copies them in).
   */
  read(copy) {
    const len = this.words[HEADER_LEN];
    const dataAt = Math.ceil((HEADER_AT + len) / 8) * 8;
    // TextDecoder does not read shared memory: copy the header out first.
    const json = decoder.decode(this.bytes.slice(HEADER_AT, HEADER_AT + len));
    return JSON.parse(json, (_, v) => {
      if (v && typeof v === 'object') {
        if (typeof v.$bigint === 'string') return BigInt(v.$bigint);
        if (typeof v.$number === 'string') return Number(v.$number);
        if (typeof v.$array === 'string') {
          const T = TYPES[v.$array];
          const view = new T(this.buffer, dataAt + v.offset, v.length);
          return copy ? view.slice() : view;
        }
      }
      return v;
    });
  }
}
