// Argument checks shared by the browser and Node entry points. A bad argument is a
// NumwasmError with a Python exception kind, raised before anything reaches the engine.

import { NumwasmError } from './errors.js';

/** Rejects keys of `options` that are not in `allowed`, naming the function. */
export function checkOptions(fn, options, allowed) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new NumwasmError('TypeError', `${fn}() options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new NumwasmError(
        'TypeError',
        `${fn}() got an unexpected option '${key}' (expected one of: ${allowed.join(', ')})`,
      );
    }
  }
  return options;
}

/** A thread count: an integer in 1..max. */
export function checkThreads(fn, k, max) {
  if (!Number.isInteger(k) || k < 1 || k > max) {
    throw new NumwasmError(
      'ValueError',
      `${fn}(): number of threads must be an integer between 1 and ${max}, got ${String(k)}`,
    );
  }
  return k;
}

/** A thread count asked of a pool of `max`: an integer >= 1, clamped to `max` with `warn(max)`. */
export function clampThreads(fn, k, max, warn) {
  if (!Number.isInteger(k) || k < 1) {
    throw new NumwasmError('ValueError', `${fn}(): number of threads must be an integer of at least 1, got ${String(k)}`);
  }
  if (k <= max) return k;
  warn(max);
  return max;
}

/** An AbortSignal (or anything with its shape: `aborted` and addEventListener). */
export function checkSignal(fn, signal) {
  if (signal === undefined) return undefined;
  if (typeof signal?.aborted !== 'boolean' || typeof signal.addEventListener !== 'function') {
    throw new NumwasmError('TypeError', `${fn}(): signal must be an AbortSignal`);
  }
  return signal;
}

/** A positive integer size. */
export function checkSize(fn, name, n) {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new NumwasmError('ValueError', `${fn}(): ${name} must be a non-negative integer, got ${String(n)}`);
  }
  return n;
}

export function notInitialised(fn) {
  return new NumwasmError('RuntimeError', `${fn}() called before init(): await init() first`);
}
