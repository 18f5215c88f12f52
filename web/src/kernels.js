// Numba-style kernels: a Python module of @njit / @jit functions that the engine compiles
// per argument types (as Numba's dispatcher does) and runs on its reference executor.
// Arguments are normalised like evaluate's inputs (ndarray.js) and passed positionally, as
// Python calls them, plus keywords. Arrays a kernel writes come back in the reply and are
// copied into the caller's arrays here, on the caller's side of the compute worker, since
// Numba mutates a NumPy argument in place; resident arrays are written in wasm memory.

import { ResidentArray, callThreads, engineCall, forgotten, generation, requireStarted, staleHandle } from './api.js';
import { NumwasmError } from './errors.js';
import { normalizeInput, ownData, writeBack } from './ndarray.js';
import { checkOptions, checkSignal } from './options.js';

function freedError() {
  return new NumwasmError('ValueError', 'this kernel module was freed (free() was called on it)');
}

/** Normalises positional `args` and keyword `kwargs` into the engine's inputs, keywords last. */
function prepareArgs(fn, name, args, kwargs) {
  if (typeof name !== 'string') {
    throw new NumwasmError('TypeError', `${fn}(): the kernel name must be a string, got ${typeof name}`);
  }
  args ??= [];
  if (!Array.isArray(args)) {
    throw new NumwasmError('TypeError', `${fn}(): the arguments must be an array (positional, as Python passes them)`);
  }
  kwargs ??= {};
  if (typeof kwargs !== 'object' || Array.isArray(kwargs)) {
    throw new NumwasmError('TypeError', `${fn}(): kwargs must be an object { name: value }`);
  }
  const values = [...args, ...Object.values(kwargs)];
  const inputs = args.map((v, i) => ({ name: `argument ${i}`, ...normalizeInput(`argument ${i}`, v) }));
  for (const [k, v] of Object.entries(kwargs)) inputs.push({ name: k, ...normalizeInput(k, v) });
  return { values, inputs, positional: args.length };
}

/**
 * An engine value as the caller sees it: an NDArray (or, for a `resident` call, a
 * ResidentArray of engine generation `gen`), a JS array for a tuple, undefined for None.
 * An argument the kernel returned whole (`{ argument }`: a ufunc's `out=`, `return a`) is
 * the caller's own: the ResidentArray passed, or an NDArray over the caller's memory
 * (written back already; else the written data, else the argument read again).
 */
function toResult(value, gen, values, mutated) {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return value.map((v) => toResult(v, gen, values, mutated));
  if (value.argument !== undefined) {
    const arg = values[value.argument];
    if (value.dtype === undefined) return arg;
    const data =
      ownData(arg, value.dtype, value.shape.reduce((p, e) => p * e, 1)) ??
      mutated.find((m) => m.index === value.argument)?.data ??
      normalizeInput(`argument ${value.argument}`, arg).data;
    return { data, shape: value.shape, dtype: value.dtype };
  }
  if (value.resident !== undefined) return new ResidentArray(value.resident, value.dtype, value.shape, gen);
  return { data: value.data, shape: value.shape, dtype: value.dtype };
}

/** A module of kernels in the engine; call them by name. */
export class KernelModule {
  #id;
  #source;
  #names;
  #generation;

  constructor(id, source, names, gen) {
    this.#id = id;
    this.#source = source;
    this.#names = Object.freeze([...names]);
    this.#generation = gen;
    forgotten?.register(this, { method: 'freeKernels', id, generation: gen }, this);
  }

  /** The module's source. */
  get source() {
    return this.#source;
  }

  /** The kernels callable from outside (decorated functions), in source order. */
  get names() {
    return this.#names;
  }

  #live(fn) {
    requireStarted(fn);
    if (this.#id === null) throw freedError();
    if (this.#generation !== generation()) throw staleHandle('kernel module', 'make it again with kernels(source)');
    return this.#id;
  }

  /**
   * Calls kernel `name` with positional `args` and `options.kwargs`. Resolves to the value:
   * an NDArray for an array, a 0-d NDArray for a scalar, a 1-d one for a list, a JS array
   * for a tuple, undefined for None. An array argument the kernel returns whole (a
   * ufunc's `out=`) is the caller's own: the ResidentArray passed, or an NDArray whose data
   * views the caller's typed array's memory (as NumPy returns `out` itself), not a copy. With
   * `resident: true`, an array or list result
   * (tuple members too) stays in wasm memory as a ResidentArray (no copy out; pass it to
   * later calls, read it with toArray(), free it). A result that is an object carries
   * non-enumerable `timing` and `signature`. Arrays the kernel wrote are updated in place.
   */
  async call(name, args, options) {
    const id = this.#live('call');
    const t0 = performance.now();
    const { kwargs, threads, signal, resident } = checkOptions('call', options, ['kwargs', 'threads', 'signal', 'resident']);
    if (resident !== undefined && typeof resident !== 'boolean') {
      throw new NumwasmError('TypeError', `call(): resident must be true or false, got ${typeof resident}`);
    }
    // Checked (and clamped) like evaluate's: the most pool threads the kernel's parallel
    // loops may use.
    const nthreads = callThreads('call', threads);
    checkSignal('call', signal);
    const { values, inputs, positional } = prepareArgs('call', name, args, kwargs);
    const handles = this.#generation;
    const what = `call('${name}')`;
    const { result: reply, generation: gen } = await engineCall(
      'call',
      'kernelCall',
      { id, name, inputs, positional, threads: nthreads, resident: resident === true },
      { signal, handles, what, stamp: true },
    );
    const { value, mutated, signature } = reply.result;
    for (const { index, data } of mutated) writeBack(values[index], data);
    const result = toResult(value, gen, values, mutated);
    if (result !== undefined) {
      // tier: "wasm" (generated code) or "executor" (the reference executor runs what the
      // code generator does not compile yet).
      const timing = {
        computeMs: reply.computeMs,
        totalMs: performance.now() - t0,
        threads: reply.threads,
        tier: reply.result.tier,
      };
      // (configurable: a ResidentArray the caller passed as `out` comes back again)
      Object.defineProperty(result, 'timing', { value: timing, enumerable: false, configurable: true });
      Object.defineProperty(result, 'signature', { value: signature, enumerable: false, configurable: true });
    }
    return result;
  }

  /**
   * The kernel compiled for these arguments, as text: { signature, typedIr, tier, wasm,
   * notCompiled, parallel, js, jsUnsupported } (Numba's signature form; the typed kernel IR
   * of the kernel and every function it calls; the tier a call runs on; the generated module
   * as WAT or null, and why not; the parallel diagnostics or null; the kernel as the source
   * of a plain JS function over typed arrays, `(function (args) { ... })`, which
   * `new Function('return ' + js)()` makes callable, or null, and why not).
   */
  async inspect(name, args, options) {
    const id = this.#live('inspect');
    const { kwargs, level } = checkOptions('inspect', options, ['kwargs', 'level']);
    if (level !== undefined && !(Number.isInteger(level) && level >= 1 && level <= 4)) {
      throw new NumwasmError('ValueError', `inspect(): level must be an integer from 1 to 4, got ${level}`);
    }
    const { inputs, positional } = prepareArgs('inspect', name, args, kwargs);
    return engineCall('inspect', 'kernelInspect', { id, name, inputs, positional, level: level ?? 2 }, { handles: this.#generation });
  }

  /** Releases the module in the engine; later calls reject. */
  free() {
    if (this.#id === null) return;
    forgotten?.unregister(this);
    const id = this.#id;
    this.#id = null;
    // A module of an ended generation went with its engine.
    if (this.#generation === generation()) {
      engineCall('free', 'freeKernels', { id }, { handles: this.#generation }).catch(() => {});
    }
  }
}

/**
 * Parses a module of Numba-style kernels (kernels with declared signatures compile now).
 * Rejects with a NumwasmError (SyntaxError, NameError, TypingError, ...) with a span into
 * `source` when the module is wrong.
 */
export async function kernels(source) {
  requireStarted('kernels');
  if (typeof source !== 'string') {
    throw new NumwasmError('TypeError', `kernels(): the source must be a string, got ${typeof source}`);
  }
  const { result, generation: gen } = await engineCall('kernels', 'kernels', { source }, { stamp: true });
  return new KernelModule(result.id, source, result.names, gen);
}
