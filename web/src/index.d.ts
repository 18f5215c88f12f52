// Type declarations for numwasm (browser and Node entry points share one API).

/**
 * A Python exception name: SyntaxError, NameError, TypeError, ValueError, OverflowError,
 * RuntimeError, ...; or AbortError, a call cancelled through its `signal`.
 */
export type ErrorKind = string;

export interface Span {
  /** Offset of the first character, in UTF-16 code units of the source. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

/**
 * Every error a caller can cause: a kind, a message and, where it has one, a source span.
 * A call aborted through its `signal` rejects with kind and name 'AbortError' (as fetch()
 * does) and the signal's reason as `cause`.
 */
export class NumwasmError extends Error {
  constructor(
    kind: ErrorKind,
    message: string,
    span?: Span | null,
    source?: string,
    notes?: string[],
    options?: { cause?: unknown },
  );
  readonly name: 'NumwasmError' | 'AbortError';
  readonly kind: ErrorKind;
  readonly span: Span | null;
  readonly source?: string;
  /** Hints such as "did you mean 'sin'?". */
  readonly notes: string[];
  /** `kind: message`, then the source line with a caret under the span, then the notes. */
  format(): string;
  toJSON(): { kind: ErrorKind; message: string; span: Span | null; source?: string; notes: string[] };
}

/** NumPy dtype names. */
export type DType =
  | 'bool' | 'int8' | 'int16' | 'int32' | 'int64'
  | 'uint8' | 'uint16' | 'uint32' | 'uint64' | 'float32' | 'float64';

/** The typed array that holds each dtype (bool: Uint8Array of 0 and 1). */
export type TypedArray =
  | Uint8Array | Uint8ClampedArray | Int8Array | Int16Array | Int32Array | BigInt64Array
  | Uint16Array | Uint32Array | BigUint64Array | Float32Array | Float64Array;

/** A result: C-order data, shape ([] for a reduction to a scalar) and dtype. */
export interface NDArray {
  data: TypedArray;
  shape: number[];
  dtype: DType;
  /** Engine compute time, the whole round trip and the threads the call used (non-enumerable). */
  readonly timing: Timing;
}

/**
 * How a call went: engine compute time and the whole round trip in milliseconds, and how
 * many threads it used (1 when it ran on the compute worker alone: a call whose estimated
 * serial time is under 0.5 ms stays serial whatever `threads` asked for).
 */
export interface Timing {
  computeMs: number;
  totalMs: number;
  threads: number;
  /**
   * The tier that ran the call. Kernels: "wasm" (generated code) or "executor" (the
   * reference executor). Expressions: "wasm" (the expression's generated fused loop) or
   * "vm" (the block VM).
   */
  tier?: 'wasm' | 'executor' | 'vm';
}

/** NDArray-like input; scijs ndarray's { data, shape, stride, offset } is accepted too. */
export interface NDArrayLike {
  data: TypedArray | number[];
  shape?: number[];
  dtype?: DType;
  stride?: number[];
  offset?: number;
}

/**
 * An input value. Numbers, booleans and bigints are weak Python scalars (NEP 50): integral
 * numbers are Python ints, others floats. Plain arrays of numbers become float64.
 */
export type Input =
  | TypedArray | number[] | NDArrayLike | number | boolean | bigint | ResidentArray
  /** An explicit weak scalar: `{ scalar: "float", value: 1e6 }` is a Python float. */
  | { scalar: 'int' | 'float' | 'bool'; value: number | bigint | boolean };

export interface CallOptions {
  /**
   * Write the result here: a typed array of the result's dtype and size (the result is
   * copied into it), or a resident array of the result's dtype and shape (the result stays
   * in wasm memory, and the call resolves to that resident array).
   */
  out?: TypedArray | ResidentArray;
  /**
   * Use at most this many threads for this call (default: getNumThreads()). More than the
   * pool has is clamped to the pool (with a one-time console.warn).
   */
  threads?: number;
  /**
   * Which tier runs the expression: "auto" (default: the generated fused loop for
   * element-wise expressions without vector math, where wasm is generated at run time; the
   * block VM otherwise), "vm" (the block VM) or "wasm" (the generated loop wherever the
   * expression has one). Every tier gives the same bits.
   */
  tier?: 'auto' | 'vm' | 'wasm';
  /**
   * Cancels the call. Aborted before the call or while it waits in the queue, it rejects at
   * once without reaching the engine; aborted while it runs, the engine's worker is
   * terminated, the call rejects with an AbortError and the engine restarts (resident
   * arrays, compiled expressions and kernel modules made before are then gone).
   */
  signal?: AbortSignal;
}

/**
 * A compile() signature entry: a dtype (1-d array), a dtype with a shape, or a weak scalar
 * (with the value to compile for, which ir() and disassemble() then show).
 */
export type SignatureEntry =
  | DType
  | { dtype: DType; shape?: number[] }
  | { scalar: 'int' | 'float' | 'bool'; value?: number | bigint | boolean };

export interface IrNode {
  id: number;
  kind: 'unary' | 'binary' | 'reduce' | 'other';
  /** input, const, cast, where, muladd, or a NumPy ufunc / reduction name (add, sin, sum, ...). */
  op: string;
  args: number[];
  dtype: DType;
  shape: number[];
  /** const: the exact value as text ("2.0", "-3", "True"). */
  value?: string;
  /** reduce: the axis (absent: all axes). */
  axis?: number;
  /** cast: the target dtype. */
  to?: DType;
  /** input: the parameter index. */
  slot?: number;
}

export interface IrFunction {
  params: { name: string; dtype: DType; shape: number[] }[];
  nodes: IrNode[];
  root: number | null;
}

/**
 * An expression compiled for a signature. It lives in the engine: after the engine restarts
 * its methods reject with a ValueError saying so (compile it again).
 */
export class Compiled {
  readonly source: string;
  readonly inputNames: string[];
  readonly signature: Record<string, DType | { scalar: 'int' | 'float' | 'bool' }>;
  /** The result's dtype and its shape for the compiled shapes. */
  readonly output: { dtype: DType; shape: number[] };
  /** Runs on inputs of the signature's names and dtypes (shapes may differ from compile time). */
  run(
    inputs: Record<string, Input>,
    options: CallOptions & { out: ResidentArray },
  ): Promise<ResidentArray & { readonly timing: Timing }>;
  run(inputs: Record<string, Input>, options?: CallOptions): Promise<NDArray>;
  /** The optimized IR and the bytecode, in a stable text form. */
  disassemble(): Promise<string>;
  /** The IR as lowered, before optimization. */
  loweredIr(): Promise<string>;
  /** The lowered IR as data, for tools that generate code from it. */
  ir(): Promise<IrFunction>;
  free(): void;
}

/**
 * An array living in the engine's memory: pass it as an input without copying it again.
 * After the engine restarts it is gone: using it is a ValueError saying so.
 */
export class ResidentArray {
  readonly dtype: DType;
  readonly shape: number[];
  toArray(): Promise<Omit<NDArray, 'timing'>>;
  /** Frees it now; forgotten arrays are freed by a FinalizationRegistry. */
  free(): void;
}

/** Evaluates an expression on named inputs. */
export function evaluate(
  source: string,
  inputs: Record<string, Input> | undefined,
  options: CallOptions & { out: ResidentArray },
): Promise<ResidentArray & { readonly timing: Timing }>;
export function evaluate(source: string, inputs?: Record<string, Input>, options?: CallOptions): Promise<NDArray>;
/** Compiles an expression for a signature such as { a: "float64", b: "float64" }. */
export function compile(source: string, signature: Record<string, SignatureEntry>): Promise<Compiled>;
/** Copies an array into the engine once. */
export function array(value: TypedArray | number[] | NDArrayLike): Promise<ResidentArray>;
/** Number of live resident arrays. */
export function residentCount(): Promise<number>;

/**
 * What a kernel returned: an NDArray for an array, a 0-d NDArray for a scalar (as evaluate
 * returns a reduction), a 1-d NDArray for a list of scalars, a JS array of those for a tuple,
 * `undefined` for None. A result that is an object (NDArray or tuple) carries non-enumerable
 * `timing` (threads: the most pool threads a parallel loop of the call used, 1 when none
 * ran in parallel) and `signature`, the types the kernel
 * was compiled for in Numba's form, e.g. `(array(int64, 1d, C)) -> list(int64)`; a None
 * result has neither (inspect() gives the signature).
 */
export type KernelResult = KernelNDArray | KernelTuple | undefined;

export interface KernelNDArray extends NDArray {
  /** The signature the call ran, in Numba's form (non-enumerable). */
  readonly signature: string;
}

/** An item of a tuple result: an array or scalar (no timing of its own), a tuple, or None. */
export type KernelItem = Omit<NDArray, 'timing'> | KernelItem[] | undefined;

export interface KernelTuple extends Array<KernelItem> {
  readonly timing: Timing;
  readonly signature: string;
}

export interface KernelCallOptions {
  /** Keyword arguments by parameter name; they bind as in Python, defaults fill the rest. */
  kwargs?: Record<string, Input>;
  /**
   * The most pool threads the kernel's `prange` loops may use (`parallel=True` kernels);
   * checked and clamped like evaluate's. Results do not depend on it.
   */
  threads?: number;
  /** Cancels the call, as evaluate's `signal` does (a kernel that never returns included). */
  signal?: AbortSignal;
  /**
   * Keep array and list results (tuple members too) in wasm memory as resident arrays
   * instead of copying them out: no copy and no fresh JS memory per call; pass them to
   * later calls, read them with `toArray()`, `free()` them. Scalars are unchanged.
   */
  resident?: boolean;
}

/** What `parallel=True` did to a kernel (Numba's parallel diagnostics). */
export interface ParallelDiagnostics {
  level: 1 | 2 | 3 | 4;
  /** The report as text, at `level`. */
  text: string;
  /** Every prange loop, in the order found. */
  loops: {
    id: number;
    function: string;
    line: number;
    /** Whether it runs in chunks on the pool; otherwise `reason` says why not. */
    parallel: boolean;
    reason: string | null;
    reductions: { variable: string; op: '+' | '*' | 'max' | 'min' }[];
    private: string[];
    captured: string[];
    /** Lines of prange loops nested in this one, which run serially. */
    nested: number[];
    costNsPerIteration: number;
  }[];
  /** Whole-array operations of the kernel, which run serially (not parallelised yet). */
  arrayExpressions: { function: string; line: number; op: string }[];
}

/**
 * A module of Numba-style kernels (`@njit` / `@jit` functions). A kernel is compiled for the
 * types of each call's arguments (cached), as Numba's dispatcher does. After the engine
 * restarts the module and its cache are gone: calls reject with a ValueError saying so.
 */
export class KernelModule {
  readonly source: string;
  /** The kernels callable from outside (decorated functions), in source order. */
  readonly names: readonly string[];
  /**
   * Calls kernel `name` with positional `args` (evaluate's inputs: arrays of any shape,
   * resident arrays, weak scalars; a 0-d NDArray-like is a NumPy scalar of its dtype).
   * Arrays the kernel writes are updated in place, as Numba mutates NumPy arguments: typed
   * arrays, plain arrays, NDArray-likes (strided ones through their strides) and resident
   * arrays. An array argument returned whole (a ufunc's `out=`) is the caller's own: an
   * NDArray over the caller's typed array, or with `resident: true` the ResidentArray
   * passed. Errors are NumwasmErrors whose span points into the module's source.
   */
  call(name: string, args?: Input[], options?: KernelCallOptions): Promise<KernelResult>;
  call(
    name: string,
    args: Input[],
    options: KernelCallOptions & { resident: true },
  ): Promise<KernelResult | (ResidentArray & { readonly timing: Timing; readonly signature: string }) | Array<ResidentArray | KernelItem>>;
  /**
   * The kernel compiled for these arguments, as text: Numba's signature, the typed IR, the
   * generated module and the JS baseline.
   */
  inspect(
    name: string,
    args?: Input[],
    options?: {
      kwargs?: Record<string, Input>;
      /** Detail of the parallel diagnostics, as Numba's parallel_diagnostics: 1 to 4 (default 2). */
      level?: 1 | 2 | 3 | 4;
    },
  ): Promise<{
    signature: string;
    typedIr: string;
    /** The tier a call with these arguments runs on. */
    tier: 'wasm' | 'executor';
    /** The generated WebAssembly module as text (WAT), or null when not compiled. */
    wasm: string | null;
    /** Why the kernel runs on the executor, or null. */
    notCompiled: string | null;
    /** For a parallel=True kernel, its parallel diagnostics; null otherwise. */
    parallel: ParallelDiagnostics | null;
    /**
     * The kernel as the source of a plain JS function over typed arrays (the playground's
     * JS baseline): `(function (args) { ... })`, one expression, so that
     * `new Function('return ' + js)()` gives the function. It takes one value per parameter
     * (an array as `{ data, shape, dtype }`, optionally with `stride` and `offset` in
     * elements for a view; a scalar as a number or boolean), writes into the arrays it is
     * given as the kernel does, and returns an array as `{ data, shape, dtype }`, a scalar
     * as a number or boolean, a tuple as a JS array, None as undefined; a kernel's exception
     * is an Error whose message starts with the Python kind. int64 values are doubles in it
     * (exact within ±2^53). Null when not generated (see jsUnsupported).
     */
    js: string | null;
    /** Why there is no JS baseline, or null when there is one. */
    jsUnsupported: string | null;
  }>;
  /** Releases the module; later calls reject with a ValueError. */
  free(): void;
}

/**
 * Parses a module of Numba-style kernels; kernels that declare signatures compile now.
 * Rejects with a NumwasmError (SyntaxError, NameError, TypingError, UnsupportedError,
 * ImportError, ...) with a span into `source`.
 */
export function kernels(source: string): Promise<KernelModule>;

export interface InitOptions {
  /**
   * Pool size, where there is shared memory (cross-origin isolated pages, Node). Default:
   * all logical cores; more than that is clamped to it with a console.warn, as is anything
   * above 1 where the platform gives only one thread.
   */
  threads?: number;
}

export interface Status {
  version: string | null;
  build: 'threads' | 'simd' | null;
  poolSize: number;
  threadsAvailable: boolean;
  numThreads: number;
  ncores: number;
  crossOriginIsolated: boolean;
  /** Where the engine runs: a compute worker, or (Node without worker threads) the calling thread. */
  engine: 'worker' | 'in-process' | null;
  /** Why the engine runs with less than was asked (the simd build, in-process), or null. */
  fallback: string | null;
  /** How often the engine was restarted (a trap, a worker that died, an aborted running call). */
  restarts: number;
  /** The latest restart: why, and how long the new engine took to be ready (null while it starts). */
  lastRestart: { reason: string; ms: number | null } | null;
  /**
   * Staging: where the calling thread shares the engine's memory (the threads build: a
   * cross-origin isolated page, Node), `evaluate` and `run` write array inputs of 16 KiB or
   * more straight into buffers in wasm memory and copy the result straight out, instead
   * of sending them through messages. `available`: whether this engine stages; `calls`:
   * calls staged so far; `bytes`: what the staging buffers hold now.
   */
  staging: { available: boolean; calls: number; bytes: number };
}

export interface Timed<T> {
  value: T;
  /** Time spent computing inside the engine. */
  computeMs: number;
  /** Time from the call to the resolved promise, transfers included. */
  totalMs: number;
}

/** One function of the expression language, as the engine's table gives it. */
export interface FunctionInfo {
  name: string;
  /**
   * unary, binary, reduce: one IR operation, named `op` as in `Compiled.ir()` (except
   * `mean`, a sum divided by the count); special: lowered by hand (copy, real, imag,
   * conjugate, where, clip).
   */
  kind: 'unary' | 'binary' | 'reduce' | 'special';
  op: string;
  /** How many positional arguments it takes. A keyword given counts against `max`. */
  arity: { min: number; max: number };
  /**
   * The kind of dtype rule its result follows: promote, promote-bool-as-int8, float, same,
   * same-bool-as-int8, same-or-float, bool, accumulate, float64, select, clip.
   */
  rule: string;
  /** Keyword arguments it accepts (reductions: axis). */
  keywords: readonly string[];
  /** exact (or correctly rounded), or ulp: within 1 ULP of the correctly rounded result. */
  accuracy: 'exact' | 'ulp';
  /** One line, for completions. */
  doc: string;
  /** The name this one is another spelling of (abs: absolute), or null. */
  aliasOf: string | null;
}

/** Starts the engine; resolves to its status. A second call returns the first promise. */
export function init(options?: InitOptions): Promise<Status>;
export function status(): Status;
/** The functions the expression language accepts, in the engine's order (after init()). */
export function functions(): readonly Readonly<FunctionInfo>[];

/** What a kernel module may name, from the engine's own tables (for editors' completions). */
export interface KernelLibrary {
  /** The names of `np.*` kernels may call or read. */
  readonly numpy: readonly string[];
  /** The names of `math.*`. */
  readonly math: readonly string[];
  /** The names a module imports from numba: decorators, prange, signature types. */
  readonly numba: readonly string[];
  /** Per decorator, its options as written (`parallel=True`, `target='parallel'`). */
  readonly options: Readonly<Record<string, readonly string[]>>;
}
/** What kernels may name (after init()). */
export function kernelLibrary(): KernelLibrary;
export function getNumThreads(): number;
/** Limits later calls to `k` threads, 1 <= k <= poolSize (else a ValueError). */
export function setNumThreads(k: number): void;
/** The pool self-test: a CPU-heavy deterministic sum of `n` terms. Same value for any thread count. */
export function selfTest(n: number, options?: { threads?: number; signal?: AbortSignal }): Promise<Timed<number>>;

/**
 * Logical cores of this machine (navigator.hardwareConcurrency; Node: os.availableParallelism(),
 * or NUMWASM_NUM_THREADS where set): the default pool size and the most init() starts.
 */
export const ncores: number;
/** True once init() started a thread pool. */
export const threadsAvailable: boolean;
export const poolSize: number;
export const build: 'threads' | 'simd' | null;
export const version: string | null;
