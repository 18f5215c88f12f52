// Type declarations for numwasm (browser and Node entry points share one API).

/** A Python exception name: SyntaxError, NameError, TypeError, ValueError, OverflowError, RuntimeError, ... */
export type ErrorKind = string;

export interface Span {
  /** Offset of the first character, in UTF-16 code units of the source. */
  start: number;
  /** Offset one past the last character. */
  end: number;
}

/** Every error a caller can cause: a kind, a message and, where it has one, a source span. */
export class NumwasmError extends Error {
  constructor(kind: ErrorKind, message: string, span?: Span | null, source?: string);
  readonly name: 'NumwasmError';
  readonly kind: ErrorKind;
  readonly span: Span | null;
  readonly source?: string;
  /** `kind: message`, then the source line with a caret under the span. */
  format(): string;
  toJSON(): { kind: ErrorKind; message: string; span: Span | null; source?: string };
}

export interface InitOptions {
  /** Pool size (browsers, cross-origin isolated pages only). Default: all logical cores. */
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
}

export interface Timed<T> {
  value: T;
  /** Time spent computing inside the engine. */
  computeMs: number;
  /** Time from the call to the resolved promise, transfers included. */
  totalMs: number;
}

/** Starts the engine; resolves to its status. A second call returns the first promise. */
export function init(options?: InitOptions): Promise<Status>;
export function status(): Status;
export function getNumThreads(): number;
/** Limits later calls to `k` threads, 1 <= k <= poolSize (else a ValueError). */
export function setNumThreads(k: number): void;
/** The pool self-test: a CPU-heavy deterministic sum of `n` terms. Same value for any thread count. */
export function selfTest(n: number, options?: { threads?: number }): Promise<Timed<number>>;

/** Logical cores of this machine. */
export const ncores: number;
/** True once init() started a thread pool. */
export const threadsAvailable: boolean;
export const poolSize: number;
export const build: 'threads' | 'simd' | null;
export const version: string | null;
