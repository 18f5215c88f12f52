// The engine side of the API: plain functions over an initialised wasm-bindgen module.
// It runs inside the compute worker (browsers) or in-process (Node), so both entry points
// share one implementation and differ only in transport. Inputs arrive normalised by
// ndarray.js; results leave as { dtype, shape, data } plus the compute time.

import { NumwasmError } from './errors.js';
import { DTYPES } from './ndarray.js';

/** Wraps a wasm call so that errors thrown by the module become NumwasmErrors. */
function guard(fn, source) {
  try {
    return fn();
  } catch (e) {
    throw NumwasmError.from(e, source);
  }
}

/** Placeholder inputs that give the engine a signature to compile for (their values are not used). */
function placeholders(signature) {
  return Object.entries(signature).map(([name, spec]) => {
    if (spec.scalar) {
      const value = spec.value ?? (spec.scalar === 'bool' ? false : spec.scalar === 'int' ? 0 : 0.5);
      return { name, array: false, kind: spec.scalar, value };
    }
    const n = spec.shape.reduce((a, b) => a * b, 1);
    return { name, array: true, dtype: spec.dtype, shape: spec.shape, data: new DTYPES[spec.dtype](n) };
  });
}

/** The resident array or the data of an input, as the wasm binding reads it. */
function toWasm(inputs) {
  return inputs.map((i) => (i.resident ? { name: i.name, resident: i.resident } : i));
}

export function makeEngine(glue) {
  const engine = new glue.Engine();
  const compiled = new Map();
  let nextCompiled = 1;
  /** Kernel modules by id: { module, source }. */
  const kernelModules = new Map();
  let nextKernels = 1;

  function kernelModule(id) {
    const k = kernelModules.get(id);
    if (!k) throw new NumwasmError('ValueError', 'this kernel module was freed (free() was called on it)');
    return k;
  }

  /** The cheap path: inputs in signature order, no names, dtypes or source crossing. */
  function runCompiled(c, ordered, threads, out, tier) {
    const inputs = ordered.map((i) =>
      i.resident ? { resident: i.resident } : i.staged !== undefined ? { staged: i.staged, length: i.length, shape: i.shape } : { data: i.data, shape: i.shape },
    );
    const t0 = performance.now();
    const r = guard(() => engine.runCompiled(c.expr, inputs, threads, out, tier), c.source);
    const computeMs = performance.now() - t0;
    // A staged result ([null, shape, address, length]) stays in wasm memory for the caller.
    const staged = r && r.length > 2;
    return {
      result: r && (staged ? { dtype: c.dtype, shape: r[1], staged: r[2], length: r[3] } : { dtype: c.dtype, shape: r[1], data: r[0] }),
      computeMs,
      threads: glue.lastRunThreads(),
      tier: glue.lastRunTier(),
    };
  }

  function timed(fn) {
    const t0 = performance.now();
    const result = fn();
    return { result, computeMs: performance.now() - t0 };
  }

  /** `timed` for expression runs, with the number of threads and the tier the call used. */
  function timedRun(fn) {
    return { ...timed(fn), threads: glue.lastRunThreads(), tier: glue.lastRunTier() };
  }

  return {
    /** The build, and the expression language's function table (see api.js functions()). */
    info() {
      const functions = JSON.parse(glue.functionTable());
      const kernelLibrary = JSON.parse(glue.kernelLibrary());
      return { version: glue.version(), build: glue.buildFlavor(), poolSize: glue.poolSize(), functions, kernelLibrary };
    },

    /** The pool self-test: a CPU-heavy deterministic sum of `n` terms on `threads` threads. */
    selfTest({ n, threads }) {
      const { result, computeMs } = timed(() => guard(() => glue.selfTest(n, threads)));
      return { value: result, computeMs };
    },

    evaluate({ source, inputs, threads, out, tier }) {
      return timedRun(() => guard(() => engine.evaluate(source, toWasm(inputs), threads, out, tier ?? 'auto'), source));
    },

    /** Compiles for a signature { name: { dtype, shape } | { scalar } }; returns an id. */
    compile({ source, signature }) {
      const expr = guard(() => engine.compile(source, placeholders(signature)), source);
      const id = nextCompiled++;
      const arraysOnly = Object.values(signature).every((spec) => !spec.scalar);
      compiled.set(id, { expr, source, arraysOnly, dtype: expr.output().dtype });
      return { id, output: expr.output() };
    },

    /** Runs compiled expression `id` on inputs checked against its signature, in its order. */
    run({ id, inputs, threads, out, tier }) {
      const c = compiled.get(id);
      if (!c) throw new NumwasmError('ValueError', 'this compiled expression was freed');
      if (!c.arraysOnly) {
        // Weak scalars are compiled into the program: evaluate finds or compiles the one
        // for these values.
        return timedRun(() => guard(() => engine.evaluate(c.source, toWasm(inputs), threads, out, tier ?? 'auto'), c.source));
      }
      return runCompiled(c, inputs, threads, out, tier ?? 'auto');
    },

    disassemble
({ id }) {
      const c = compiled.get(id);
      if (!c) throw new NumwasmError('ValueError', 'this compiled expression was freed');
      return { ir: c.expr.loweredIr(), text: c.expr.disassemble(), json: c.expr.irJson() };
    },

    freeCompiled({ id }) {
      compiled.get(id)?.expr.free();
      return compiled.delete(id);
    },

    /** Parses a kernel module (kernels with declared signatures compile now); returns its id and names. */
    kernels({ source }) {
      const module = guard(() => new glue.KernelModule(source), source);
      const id = nextKernels++;
      kernelModules.set(id, { module, source });
      return { id, names: module.names() };
    },

    /**
     * Calls a kernel on inputs as ndarray.js normalises them, the first `positional` of
     * them positional, the rest keywords; returns { value, mutated, signature } (see
     * crate/src/wasm/kernels.rs) with the compute time.
     */
    kernelCall({ id, name, inputs, positional, threads, resident }) {
      const { module, source } = kernelModule(id);
      const { result, computeMs } = timed(() =>
        guard(() => engine.kernelCall(module, name, toWasm(inputs), positional, threads ?? 0, resident === true), source),
      );
      // threads: the most pool threads a parallel loop of the call used (1: none ran in
      // parallel).
      return { result, computeMs, threads: result.threads };
    },

    /** A kernel's signature and typed IR for these arguments: { signature, typedIr }. */
    kernelInspect({ id, name, inputs, positional, level }) {
      const { module, source } = kernelModule(id);
      return guard(() => engine.kernelInspect(module, name, toWasm(inputs), positional, level ?? 2), source);
    },

    freeKernels({ id }) {
      kernelModules.get(id)?.module.free();
      return kernelModules.delete(id);
    },

    /**
     * Makes staging slot `slot` hold `length` elements of `dtype` and returns its address in
     * wasm memory, where the caller's thread writes an input (remote.js, staging).
     */
    stage({ slot, dtype, length }) {
      return guard(() => engine.stage(slot, dtype, length));
    },

    /**
     * Runs representative work once (element-wise, vector math, reductions and a kernel, on
     * both expression tiers), so that V8 has compiled the engine's paths before the first
     * call needs them: a wasm function is compiled when first called, and a first call
     * otherwise pays ~30 ms for it (docs/expression-engine.md). Leaves no trace: no ids,
     * no resident arrays; failures are ignored.
     */
    warmUp() {
      const n = 4096;
      const arr = (name, fill) => ({ name, array: true, dtype: 'float64', shape: [n], data: new Float64Array(n).fill(fill) });
      const inputs = [arr('x', 0.5), arr('y', 0.25)];
      for (const source of ['x + (y**2 + (x*y + 1)*3)', 'exp(2.1*x + 3.2*y)', 'sum(x * y)', 'where(x > y, x, y) - mean(x)']) {
        for (const tier of ['auto', 'vm']) {
          try {
            engine.evaluate(source, inputs, 1, undefined, tier);
          } catch {
            // nothing to warm there
          }
        }
      }
      let module = null;
      try {
        module = new glue.KernelModule('@njit\ndef warm(a):\n    s = 0.0\n    for i in range(a.shape[0]):\n        s += a[i] * a[i]\n    return s\n');
        engine.kernelCall(module, 'warm', [arr('a', 0.5)], 1, 1, false);
      } catch {
        // nothing to warm there
      } finally {
        module?.free();
      }
      return true;
    },

    /** The engine's memory as a SharedArrayBuffer of its current length (remote.js, staging). */
    memoryBuffer() {
      return glue.poolMemory().buffer;
    },

    /** Frees the staging slots and the staged result. */
    freeStaging() {
      engine.freeStaging();
      return true;
    },

    array({ input }) {
      return guard(() => engine.array({ name: 'array', ...input }));
    },

    toArray({ id }) {
      return guard(() => engine.residentToArray(id));
    },

    free({ id }) {
      return engine.freeResident(id);
    },

    residentCount() {
      return engine.residentCount();
    },
  };
}
