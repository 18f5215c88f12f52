// NumwasmError: every error a user can cause, with the Python exception name as `kind`
// (SyntaxError, NameError, TypeError, ValueError, ...) and, where it has one, a source span.
// One kind is not Python's: AbortError, a call cancelled through its AbortSignal, whose
// `name` is also 'AbortError' so that code written for fetch() recognises it.

export class NumwasmError extends Error {
  /**
   * @param {string} kind Python exception name.
   * @param {string} message
   * @param {{start: number, end: number} | null} [span] Character offsets in the source.
   * @param {string} [source] The source the span points into.
   */
  constructor(kind, message, span = null, source = undefined, notes = [], options = undefined) {
    super(message, options);
    this.name = kind === 'AbortError' ? 'AbortError' : 'NumwasmError';
    this.kind = kind;
    this.span = span;
    this.source = source;
    this.notes = notes;
  }

  /** A code frame: `kind: message`, then the source line with a caret under the span. */
  format() {
    const head = `${this.kind}: ${this.message}`;
    if (!this.span || this.source === undefined) return head;
    const { start, end } = this.span;
    // lastIndexOf clamps a negative start to 0, which would find a newline at offset 0.
    const lineStart = start > 0 ? this.source.lastIndexOf('\n', start - 1) + 1 : 0;
    let lineEnd = this.source.indexOf('\n', start);
    if (lineEnd < 0) lineEnd = this.source.length;
    const line = this.source.slice(lineStart, lineEnd);
    const width = Math.max(1, Math.min(end, lineEnd) - start);
    const notes = this.notes.map((n) => `\n  = note: ${n}`).join('');
    return `${head}\n  ${line}\n  ${' '.repeat(start - lineStart)}${'^'.repeat(width)}${notes}`;
  }

  /** A plain object that survives postMessage. */
  toJSON() {
    return { kind: this.kind, message: this.message, span: this.span, source: this.source, notes: this.notes };
  }

  /** Rebuilds an error from `toJSON()` output or from an error thrown by the wasm module. */
  static from(value, source) {
    if (value instanceof NumwasmError) return value;
    if (value && typeof value === 'object' && typeof value.kind === 'string') {
      const notes = Array.isArray(value.notes) ? [...value.notes] : [];
      return new NumwasmError(value.kind, value.message, value.span ?? null, value.source ?? source, notes);
    }
    const message = value instanceof Error ? value.message : String(value);
    const error = new NumwasmError('RuntimeError', message, null, source);
    // A trap leaves the instance's memory in whatever state the trapping code left it (a
    // lock held, an allocator half-updated): the compute worker must not serve another
    // call from it, so the mark travels with the error to where that is decided.
    if (isTrap(value)) error.trap = `${value.constructor.name}: ${value.message}`;
    return error;
  }
}

/**
 * Whether `e` escaped from WebAssembly code: a trap (`unreachable`, which a Rust panic
 * becomes under panic=abort, an out-of-bounds access, ...) or a wasm stack overflow, which
 * V8 reports as a RangeError rather than a WebAssembly.RuntimeError.
 */
export function isTrap(e) {
  if (typeof WebAssembly === 'object' && e instanceof WebAssembly.RuntimeError) return true;
  return e instanceof RangeError && /call stack size/i.test(e.message);
}

/** The rejection of the call in flight when the engine had to be restarted, and why. */
export function restartedError(reason) {
  return new NumwasmError(
    'RuntimeError',
    `the numwasm engine was restarted because ${reason}; resident arrays, compiled expressions and ` +
      'kernel modules made before the restart are gone',
  );
}

/** The rejection of a queued call that refers to an engine object of an ended generation. */
export function staleCallError(what, reason) {
  return new NumwasmError(
    'ValueError',
    `${what} refers to a resident array, compiled expression or kernel module that was made before the ` +
      `engine restarted (${reason}); make it again`,
  );
}

/** The rejection of a call cancelled through `signal`; its `cause` is the signal's reason. */
export function abortError(what, signal) {
  return new NumwasmError('AbortError', `${what} was aborted`, null, undefined, [], { cause: signal?.reason });
}
