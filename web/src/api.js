// The public API, shared by the browser and Node entry points. Each entry installs a
// backend: { ncores, start(threads) -> info, call(method, args, options) -> Promise,
// generation, status() }, in both cases remote.js's queue to a compute worker (Node falls
// back to an in-process engine where it cannot start worker threads). Argument checks happen
// here, before anything reaches the engine.
//
// Engine objects (resident arrays, compiled expressions, kernel modules) belong to the
// engine generation that made them: after a restart their ids mean nothing to the new
// engine, so their handles check the generation and say so (staleHandle).

import { NumwasmError } from './errors.js';
import { DTYPES, RESIDENT, checkFits, isDType, normalizeInputs, scalarSpec, show } from './ndarray.js';
import { checkOptions, checkSignal, checkSize, checkThreads, clampThreads, notInitialised } from './options.js';

/** Logical cores of this machine. */
export let ncores = 1;
/** True once init() has started a thread pool (browsers: needs cross-origin isolation). */
export let threadsAvailable = false;
/** Threads in the pool (1 without one); set by init(). */
export let poolSize = 0;
/** The wasm build in use: "threads" or "simd"; set by init(). */
export let build = null;
/** The engine version; set by init(). */
export let version = null;
/** The expression language's functions, frozen rows of the engine's table; set by init(). */
let functionTable = null;
/** What kernels may name (kernelLibrary()); set by init(). */
let kernelNames = null;

let backend = null;
let ready = null;
let started = false;
let numThreads = 1;
let isolated = false;
/** Whether the one-time warning about a per-call thread count above the pool was given. */
let clampWarned = false;

/** Installs the entry point's backend; called once by index.js or node.js. */
export function useBackend(b) {
  backend = b;
  ncores = b.ncores;
}

/**
 * Starts the engine: a compute worker (browsers: a web worker; Node: a worker thread) with a
 * pool of `threads` shared-memory threads (default: all cores) where shared memory exists
 * (cross-origin isolated pages, Node), else one thread. More threads than cores, or than
 * the platform can give at all, are clamped with a console.warn; a non-integer or < 1 is a
 * ValueError. Resolves to status(). Calling it again returns the first call's promise.
 */
export function init(options) {
  if (ready) return ready;
  ready = (async () => {
    const { threads: asked } = checkOptions('init', options, ['threads']);
    // More pool threads than cores cannot run at once: the extra ones only take turns (and
    // a worker, an engine instance and a stack each).
    const cores = Math.max(1, ncores);
    const threads =
      asked === undefined
        ? cores
        : clampThreads('init', asked, cores, (max) =>
            console.warn(`numwasm: init(): threads: ${asked} is more than the ${max} cores here; starting ${max}`),
          );
    const info = await backend.start(threads);
    ({ version, build, poolSize } = info);
    functionTable = freezeRows(info.functions);
    kernelNames = deepFreeze(info.kernelLibrary);
    isolated = info.isolated === true;
    threadsAvailable = build === 'threads';
    numThreads = poolSize;
    started = true;
    if (asked !== undefined && poolSize < threads) {
      console.warn(
        `numwasm: init(): threads: ${asked} asked for, but ${info.fallback ?? `the pool has ${poolSize}`}; ` +
          `calls run on at most ${poolSize}`,
      );
    }
    return status();
  })();
  ready.catch(() => {
    ready = null;
  });
  return ready;
}

/**
 * What the engine runs on: version, build, pool size, isolation and the thread limit; where
 * it runs (`engine`: "worker" or "in-process") and why it runs with less than asked
 * (`fallback`, or null); how often it was restarted and the latest restart's reason and
 * duration (`lastRestart`: { reason, ms }, or null).
 */
export function status() {
  const life = started
    ? backend.status()
    : { engine: null, restarts: 0, lastRestart: null, fallback: null, staging: { available: false, calls: 0, bytes: 0 } };
  return { version, build, poolSize, threadsAvailable, numThreads, ncores, crossOriginIsolated: isolated, ...life };
}

/** The error for using an engine object made by an engine generation that has ended. */
export function staleHandle(what, remake) {
  const why = backend.status().lastRestart?.reason ?? 'it was restarted';
  return new NumwasmError('ValueError', `this ${what} was made before the engine restarted (${why}); ${remake}`);
}

/** The generation of the engine now serving calls. */
export function generation() {
  return backend.generation;
}

/**
 * The functions the expression language accepts, as the engine's own table (the one its
 * lowering reads): one frozen row per name, { name, kind, op, arity: { min, max }, rule,
 * keywords, accuracy, doc, aliasOf }, in the engine's order.
 */
export function functions() {
  if (!started) throw notInitialised('functions');
  return functionTable;
}

/**
 * What a kernel module may name, from the engine's own tables (for editors' completions):
 * { numpy: [names of np.*], math: [names of math.*], numba: [names imported from numba],
 * options: { decorator: [option as written, e.g. "parallel=True"] } }.
 */
export function kernelLibrary() {
  if (!started) throw notInitialised('kernelLibrary');
  return kernelNames;
}

function deepFreeze(o) {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

function freezeRows(rows) {
  return Object.freeze(
    rows.map((r) => Object.freeze({ ...r, arity: Object.freeze({ ...r.arity }), keywords: Object.freeze([...r.keywords]) })),
  );
}

/** Threads that later calls will use. */
export function getNumThreads() {
  if (!started) throw notInitialised('getNumThreads');
  return numThreads;
}

/** Limits later calls to `k` threads, 1 <= k <= poolSize; otherwise a ValueError. */
export function setNumThreads(k) {
  if (!started) throw notInitialised('setNumThreads');
  numThreads = checkThreads('setNumThreads', k, poolSize);
}

/**
 * The pool self-test: sums sqrt(i+1)*sin(i/1000) for i < n on `threads` threads (default:
 * getNumThreads()). The value is bit-identical for every thread count.
 * @returns {Promise<{value: number, computeMs: number, totalMs: number}>}
 */
export async function selfTest(n, options) {
  if (!started) throw notInitialised('selfTest');
  const { threads = numThreads, signal } = checkOptions('selfTest', options, ['threads', 'signal']);
  checkSignal('selfTest', signal);
  checkSize('selfTest', 'n', n);
  // The engine counts terms in 32 bits; a larger n must not wrap around to a small one.
  if (n > 2 ** 32 - 1) {
    throw new NumwasmError('ValueError', `selfTest(): n must be at most ${2 ** 32 - 1}, got ${n}`);
  }
  checkThreads('selfTest', threads, poolSize);
  const t0 = performance.now();
  const r = await backend.call('selfTest', { n, threads }, { signal, what: 'selfTest()' });
  return { ...r, totalMs: performance.now() - t0 };
}


export function requireStarted(fn) {
  if (!started) throw notInitialised(fn);
}

/**
 * Sends one call to the engine on behalf of `fn` (rejects before init()); for kernels.js.
 * `options` as remote.js's call takes them (signal, handles, stamp).
 */
export async function engineCall(fn, method, args, options) {
  requireStarted(fn);
  return backend.call(method, args, { what: `${fn}()`, ...options });
}

function checkSource(fn, source) {
  if (typeof source !== 'string') {
    throw new NumwasmError('TypeError', `${fn}(): the expression must be a string, got ${typeof source}`);
  }
  return source;
}

/**
 * Resolves the per-call thread count: the option, else the setNumThreads limit. More than
 * the pool has is clamped to the pool, with a warning the first time, so that code written
 * for a larger pool (or for a browser) runs unchanged; a non-integer or < 1 is a ValueError.
 */
export function callThreads(fn, threads) {
  if (threads === undefined) return numThreads;
  return clampThreads(fn, threads, poolSize, (max) => {
    if (clampWarned) return;
    clampWarned = true;
    console.warn(`numwasm: ${fn}(): threads: ${threads} is more than the pool's ${max}; using ${max} (warned once)`);
  });
}

/** The generation of the engine objects among `inputs` and `out`, or undefined if none. */
function handlesOf(inputs, out) {
  return inputs.some((i) => i.resident) || out instanceof ResidentArray ? backend.generation : undefined;
}

/** Normalises inputs; resident arrays pass by id and never cross to the engine again. */
function prepareInputs(inputs) {
  return normalizeInputs(inputs ?? {});
}

/** Builds the NDArray result, copying into `out` when the caller gave one. */
function finish(fn, reply, out, t0) {
  const { result, computeMs, threads, tier } = reply;
  const timing = { computeMs, totalMs: performance.now() - t0, threads, tier };
  if (out instanceof ResidentArray) {
    // The result stayed in wasm memory; like NumPy's out=, the call returns `out`.
    Object.defineProperty(out, 'timing', { value: timing, enumerable: false, configurable: true });
    return out;
  }
  let data = result.data;
  if (out !== undefined) {
    const want = DTYPES[result.dtype];
    if (!(out instanceof want) || out.length !== data.length) {
      throw new NumwasmError(
        'ValueError',
        `${fn}(): out must be a ${want.name} of ${data.length} elements for a ${result.dtype} result of shape ` +
          `[${result.shape.join(', ')}], got ${out?.constructor?.name} of ${out?.length}`,
      );
    }
    // A staged result may already have been copied into `out` (remote.js).
    if (data !== out) out.set(data);
    data = out;
  }
  const array = { data, shape: result.shape, dtype: result.dtype };
  Object.defineProperty(array, 'timing', { value: timing, enumerable: false });
  return array;
}

/** `out` when it is a typed array: a staged result is copied straight into it. */
function plainOut(out) {
  return ArrayBuffer.isView(out) && !(out instanceof ResidentArray) ? out : undefined;
}

/** The resident id that `out` sends to the engine, if it is a resident array. */
function outId(out) {
  if (!(out instanceof ResidentArray)) return undefined;
  if (out[RESIDENT] === null) throw new NumwasmError('ValueError', 'out is a resident array that was freed');
  return out[RESIDENT];
}

function checkOut(fn, out) {
  if (out !== undefined && !(out instanceof ResidentArray) && !(ArrayBuffer.isView(out) && !(out instanceof DataView))) {
    throw new NumwasmError('TypeError', `${fn}(): out must be a typed array or a resident array`);
  }
  return out;
}

/**
 * Evaluates an expression on named inputs (typed arrays, arrays of numbers, NDArray-like
 * objects, numbers, booleans, bigints or resident arrays). Resolves to an NDArray
 * { data, shape, dtype } whose non-enumerable `timing` is { computeMs, totalMs, threads }
 * (threads: how many the call used; 1 when it stayed serial).
 */
export async function evaluate(source, inputs, options) {
  requireStarted('evaluate');
  const t0 = performance.now();
  checkSource('evaluate', source);
  const { out, threads, signal, tier } = checkOptions('evaluate', options, ['out', 'threads', 'signal', 'tier']);
  checkOut('evaluate', out);
  checkSignal('evaluate', signal);
  checkTier('evaluate', tier);
  const prepared = prepareInputs(inputs);
  const args = { source, inputs: prepared, threads: callThreads('evaluate', threads), out: outId(out), tier: tier ?? 'auto' };
  const reply = await backend.call('evaluate', args, { signal, handles: handlesOf(prepared, out), what: 'evaluate()', into: plainOut(out) });
  return finish('evaluate', reply, out, t0);
}

/** The `tier` call option: which tier runs an expression ("auto", "vm" or "wasm"). */
function checkTier(fn, tier) {
  if (tier !== undefined && tier !== 'auto' && tier !== 'vm' && tier !== 'wasm') {
    throw new NumwasmError('ValueError', `${fn}(): tier must be "auto", "vm" or "wasm", not ${show(tier)}`);
  }
}

/** Frees engine objects whose JS handles were collected without free(); kernels.js uses it too. */
export const forgotten = typeof FinalizationRegistry === 'function'
  ? new FinalizationRegistry(({ method, id, generation: gen }) => {
      // An object of an ended generation went with its engine.
      if (started && gen === backend.generation) backend.call(method, { id }, { handles: gen }).catch(() => {});
    })
  : null;

/** Parses a compile() signature entry: a dtype name, { dtype, shape }, or { scalar: kind, value? }. */
function signatureEntry(name, spec) {
  if (typeof spec === 'string') spec = { dtype: spec };
  if (spec && typeof spec === 'object' && spec.scalar !== undefined) {
    // A value, when given, is the one compiled for (weak scalars are folded into the
    // program, so ir() and disassemble() show it); run() still takes any value of the kind.
    const { kind, value } = scalarSpec(`compile(): '${name}'`, spec);
    return value === undefined ? { scalar: kind } : { scalar: kind, value };
  }
  if (!isDType(spec?.dtype)) {
    throw new NumwasmError(
      'TypeError',
      `compile(): '${name}': unknown dtype ${show(spec?.dtype)} (expected one of: ${Object.keys(DTYPES).join(', ')})`,
    );
  }
  const shape = spec.shape ?? [1];
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new NumwasmError('TypeError', `compile(): '${name}': shape must be an array of non-negative integers, got ${show(shape)}`);
  }
  // The engine compiles for placeholder arrays of this shape.
  checkFits(`compile(): '${name}'`, shape.reduce((a, b) => a * b, 1), spec.dtype);
  return { dtype: spec.dtype, shape: [...shape] };
}

/** An expression compiled for a signature; run it many times. */
export class Compiled {
  #id;
  #source;
  #signature;
  #output;
  #generation;

  constructor(id, source, signature, output, gen) {
    this.#id = id;
    this.#source = source;
    this.#signature = signature;
    this.#output = output;
    this.#generation = gen;
    forgotten?.register(this, { method: 'freeCompiled', id, generation: gen }, this);
  }

  /** Checks that the engine that compiled this still runs; returns its generation. */
  #live(fn) {
    requireStarted(fn);
    if (this.#generation !== backend.generation) throw staleHandle('compiled expression', 'compile it again');
    return this.#generation;
  }

  get source() {
    return this.#source;
  }

  /** The input names, in signature order. */
  get inputNames() {
    return Object.keys(this.#signature);
  }

  /** { name: dtype | { scalar } } as given to compile(). */
  get signature() {
    return Object.fromEntries(
      Object.entries(this.#signature).map(([k, v]) => [k, v.scalar ? { scalar: v.scalar } : v.dtype]),
    );
  }

  /** The result's dtype (and shape for the compiled shapes). */
  get output() {
    return this.#output;
  }

  /** Runs on `inputs`, whose names and dtypes must match the signature (shapes may differ). */
  async run(inputs, options) {
    const gen = this.#live('run');
    const t0 = performance.now();
    const { out, threads, signal, tier } = checkOptions('run', options, ['out', 'threads', 'signal', 'tier']);
    checkOut('run', out);
    checkSignal('run', signal);
    checkTier('run', tier);
    const prepared = prepareInputs(inputs);
    const given = new Map(prepared.map((i) => [i.name, i]));
    for (const [name, spec] of Object.entries(this.#signature)) {
      const i = given.get(name);
      if (!i) throw new NumwasmError('NameError', `run(): missing input '${name}'`);
      const got = i.array || i.resident ? i.dtype : `${i.kind} scalar`;
      const want = spec.scalar ? `${spec.scalar} scalar` : spec.dtype;
      if (got !== want) {
        throw new NumwasmError('TypeError', `run(): input '${name}' was compiled as ${want}, got ${got}`);
      }
    }
    for (const name of given.keys()) {
      if (!(name in this.#signature)) throw new NumwasmError('TypeError', `run(): unexpected input '${name}'`);
    }
    const args = {
      id: this.#id,
      // In signature order: the engine's cheap path takes them so, without names.
      inputs: this.inputNames.map((name) => given.get(name)),
      threads: callThreads('run', threads),
      out: outId(out),
      tier: tier ?? 'auto',
    };
    const reply = await backend.call('run', args, { signal, handles: gen, what: 'run()', into: plainOut(out) });
    return finish('run', reply, out, t0);
  }

  /** The optimized IR and the bytecode as text (the playground's panels). */
  async disassemble() {
    const gen = this.#live('disassemble');
    return (await backend.call('disassemble', { id: this.#id }, { handles: gen })).text;
  }

  /** The IR as lowered, before optimization. */
  async loweredIr() {
    const gen = this.#live('loweredIr');
    return (await backend.call('disassemble', { id: this.#id }, { handles: gen })).ir;
  }

  /**
   * The lowered IR as data: { params: [{name, dtype, shape}], nodes: [{id, kind, op, args,
   * dtype, shape, value?, axis?, to?}], root }, for tools that generate code from it.
   */
  async ir() {
    const gen = this.#live('ir');
    return JSON.parse((await backend.call('disassemble', { id: this.#id }, { handles: gen })).json);
  }

  /** Releases the compiled program in the engine. */
  free() {
    forgotten?.unregister(this);
    const gen = this.#generation;
    if (started && gen === backend.generation) backend.call('freeCompiled', { id: this.#id }, { handles: gen }).catch(() => {});
  }
}

/**
 * Compiles `source` for a signature { name: dtype | { dtype, shape } | { scalar: "int" |
 * "float" | "bool" } }. Shapes default to 1-d; run() accepts any shape of the same dtype.
 */
export async function compile(source, signature) {
  requireStarted('compile');
  checkSource('compile', source);
  if (!signature || typeof signature !== 'object' || Array.isArray(signature)) {
    throw new NumwasmError('TypeError', 'compile(): the signature must be an object { name: dtype }');
  }
  const sig = Object.fromEntries(Object.entries(signature).map(([k, v]) => [k, signatureEntry(k, v)]));
  const { result, generation: gen } = await backend.call('compile', { source, signature: sig }, { stamp: true });
  return new Compiled(result.id, source, sig, result.output, gen);
}

/**
 * An array that lives in the engine's memory: pass it as an input without copying it again.
 * Its dtype and shape are the engine's and cannot change: a handle relabelled float64 over
 * int32 data would have a compiled run return the int32 data as float64.
 */
export class ResidentArray {
  #id;
  #dtype;
  #shape;
  #generation;

  constructor(id, dtype, shape, gen) {
    this.#id = id;
    this.#dtype = dtype;
    this.#shape = Object.freeze([...shape]);
    this.#generation = gen;
    forgotten?.register(this, { method: 'free', id, generation: gen }, this);
  }

  /** The engine's handle; null once freed. Throws when the engine that held it is gone. */
  get [RESIDENT]() {
    if (this.#id !== null && this.#generation !== backend.generation) {
      throw staleHandle('resident array', 'make it again with array()');
    }
    return this.#id;
  }

  get dtype() {
    return this.#dtype;
  }

  set dtype(_) {
    throw new NumwasmError('AttributeError', `a resident array's dtype is read-only (it holds ${this.#dtype} data)`);
  }

  /** The shape, a frozen array. */
  get shape() {
    return this.#shape;
  }

  set shape(_) {
    throw new NumwasmError('AttributeError', `a resident array's shape is read-only (it is [${this.#shape.join(', ')}])`);
  }

  /** A copy of the contents as an NDArray. */
  async toArray() {
    requireStarted('toArray');
    if (this.#id === null) throw new NumwasmError('ValueError', 'this resident array was freed');
    const id = this[RESIDENT];
    const r = await backend.call('toArray', { id }, { handles: this.#generation });
    return { data: r.data, shape: r.shape, dtype: r.dtype };
  }

  /** Frees the engine's memory now (a FinalizationRegistry frees forgotten arrays later). */
  free() {
    if (this.#id === null) return;
    forgotten?.unregister(this);
    const id = this.#id;
    this.#id = null;
    const gen = this.#generation;
    if (started && gen === backend.generation) backend.call('free', { id }, { handles: gen }).catch(() => {});
  }
}

/** Copies an array into the engine's memory once; use the handle as an input many times. */
export async function array(value) {
  requireStarted('array');
  const [input] = normalizeInputs({ array: value });
  if (!input.array) throw new NumwasmError('TypeError', 'array() needs an array, not a scalar');
  const { result: id, generation: gen } = await backend.call('array', { input }, { stamp: true });
  return new ResidentArray(id, input.dtype, input.shape, gen);
}

/** Resident arrays alive in the engine (for tests and leak checks). */
export async function residentCount() {
  requireStarted('residentCount');
  return backend.call('residentCount', {});
}

export { NumwasmError };
