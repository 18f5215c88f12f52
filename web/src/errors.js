// NumwasmError: every error a user can cause, with the Python exception name as `kind`
// (SyntaxError, NameError, TypeError, ValueError, ...) and, where it has one, a source span.

export class NumwasmError extends Error {
  /**
   * @param {string} kind Python exception name.
   * @param {string} message
   * @param {{start: number, end: number} | null} [span] Character offsets in the source.
   * @param {string} [source] The source the span points into.
   */
  constructor(kind, message, span = null, source = undefined, notes = []) {
    super(message);
    this.name = 'NumwasmError';
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
    return new NumwasmError('RuntimeError', message, null, source);
  }
}
