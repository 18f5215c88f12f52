// The code editor: CodeMirror 6 with Python highlighting, numwasm's errors shown in place
// (squiggle + message through @codemirror/lint), light or dark with the system.

import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { python } from '@codemirror/lang-python';
import { HighlightStyle, bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter, lintKeymap, setDiagnostics } from '@codemirror/lint';
import { Compartment } from '@codemirror/state';
import { drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';
import { EditorView } from 'codemirror';

/** `(x)`, `(x1, x2)`, `(x, axis=…)`: a function's call shape from its arity and keywords. */
function callShape(f) {
  const n = f.arity.min;
  const positional = n === 1 ? ['x'] : Array.from({ length: n }, (_, i) => `x${i + 1}`);
  return `(${[...positional, ...f.keywords.map((k) => `${k}=…`)].join(', ')})`;
}

/**
 * Completions for the functions of numwasm's function table (numwasm's functions(); Python's
 * builtins are not offered), each with its call shape and one-line doc.
 */
function completionsFor(functions) {
  return functions.map((f) => ({
    label: f.name,
    type: 'function',
    apply: `${f.name}(`,
    detail: f.aliasOf ? `${callShape(f)} = ${f.aliasOf}` : callShape(f),
    info: f.doc,
  }));
}

const DECORATORS = ['njit', 'jit', 'vectorize', 'guvectorize', 'stencil'];

/**
 * Completions in kernel mode, from the engine's kernel library (numwasm's kernelLibrary()):
 * `np.` and `math.` names, decorators after `@`, a decorator's options inside its
 * parentheses, and `numba`'s names elsewhere.
 */
function kernelCompletions(context, lib) {
  const line = context.state.doc.lineAt(context.pos);
  const before = line.text.slice(0, context.pos - line.from);
  const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/) ?? { from: context.pos, to: context.pos, text: '' };
  const names = (list, type, detail) => list.map((label) => ({ label, type, detail }));
  let m;
  if ((m = /(?:^|[^\w.])(np|numpy|math)\.(\w*)$/.exec(before))) {
    const numpy = m[1] !== 'math';
    return { from: context.pos - m[2].length, options: names(numpy ? lib.numpy : lib.math, 'function', numpy ? 'NumPy, in kernels' : 'math, in kernels'), validFor: /^\w*$/ };
  }
  if ((m = /^\s*@(\w*)$/.exec(before))) {
    return { from: context.pos - m[1].length, options: names(DECORATORS, 'keyword', 'numba decorator'), validFor: /^\w*$/ };
  }
  if ((m = /^\s*@(?:numba\.)?(\w+)\((?:[^()]|\([^()]*\))*?(?:,\s*)?(\w*)$/.exec(before)) && lib.options[m[1]]) {
    const decorator = m[1];
    return {
      from: context.pos - m[2].length,
      options: lib.options[decorator].map((label) => ({ label, type: 'property', detail: `@${decorator} option` })),
    };
  }
  if (word.from === word.to && !context.explicit) return null;
  return { from: word.from, options: [...names(lib.numba, 'variable', 'from numba'), ...names(['np', 'math'], 'namespace', 'module')], validFor: /^\w*$/ };
}

const dark = window.matchMedia('(prefers-color-scheme: dark)');

const darkHighlight = HighlightStyle.define([
  { tag: t.keyword, color: '#c792ea' },
  { tag: [t.number, t.bool], color: '#f78c6c' },
  { tag: t.string, color: '#c3e88d' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: '#82aaff' },
  { tag: t.variableName, color: '#e4e6ea' },
  { tag: t.operator, color: '#89ddff' },
  { tag: t.comment, color: '#7f8792', fontStyle: 'italic' },
  { tag: t.definition(t.variableName), color: '#ffcb6b' },
]);

function themeFor(isDark) {
  return [
    EditorView.theme(
      {
        '&': { backgroundColor: 'transparent', color: 'var(--fg)' },
        '.cm-gutters': { backgroundColor: 'transparent', color: 'var(--muted)', borderRight: '1px solid var(--line)' },
        '.cm-activeLine, .cm-activeLineGutter': { backgroundColor: 'color-mix(in srgb, var(--accent) 7%, transparent)' },
        '.cm-cursor': { borderLeftColor: 'var(--fg)' },
        '&.cm-focused .cm-selectionBackground, .cm-selectionBackground': {
          backgroundColor: 'color-mix(in srgb, var(--accent) 30%, transparent) !important',
        },
        '.cm-tooltip': { backgroundColor: 'var(--panel)', color: 'var(--fg)', border: '1px solid var(--line)' },
      },
      { dark: isDark },
    ),
    syntaxHighlighting(isDark ? darkHighlight : defaultHighlightStyle, { fallback: true }),
  ];
}

/**
 * Creates the editor in `parent`. `onChange(text)` runs after every edit; `onRun()` on
 * Ctrl/Cmd+Enter. Returns { view, setFunctions(rows), text(), setText(s), showError(err),
 * clearErrors() }.
 */
export function createEditor(parent, doc, { onChange, onRun }) {
  const theme = new Compartment();
  // Empty until the engine has started and setFunctions() hands over its table.
  let options = [];
  let kernelLib = null;
  let language = 'expression';
  const complete = (context) => {
    if (language === 'kernel') return kernelLib ? kernelCompletions(context, kernelLib) : null;
    const word = context.matchBefore(/[A-Za-z_][A-Za-z0-9_]*/);
    if (!word || options.length === 0 || (word.from === word.to && !context.explicit)) return null;
    return { from: word.from, options, validFor: /^\w*$/ };
  };
  const view = new EditorView({
    doc,
    parent,
    extensions: [
      keymap.of([{ key: 'Mod-Enter', run: () => (onRun(), true) }]),
      lineNumbers(),
      highlightActiveLineGutter(),
      history(),
      drawSelection(),
      bracketMatching(),
      closeBrackets(),
      autocompletion({ override: [complete] }),
      highlightActiveLine(),
      keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
      python(),
      lintGutter(),
      theme.of(themeFor(dark.matches)),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of({ 'aria-label': 'expression', 'data-testid': 'source' }),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) onChange(u.state.doc.toString());
      }),
    ],
  });
  dark.addEventListener('change', () => view.dispatch({ effects: theme.reconfigure(themeFor(dark.matches)) }));

  return {
    view,
    /** Offers the functions of the engine's table (numwasm's functions()) as completions. */
    setFunctions(functions) {
      options = completionsFor(functions);
    },
    /** The kernel mode's completions (numwasm's kernelLibrary()). */
    setKernelLibrary(lib) {
      kernelLib = lib;
    },
    /** 'expression' or 'kernel': which completions the editor offers. */
    setLanguage(mode) {
      language = mode;
    },
    text: () => view.state.doc.toString(),
    setText(s) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: s } });
    },
    /** Shows a NumwasmError at its span (UTF-16 offsets, which are CodeMirror's positions). */
    showError(err) {
      const len = view.state.doc.length;
      let from = Math.max(0, Math.min(err.span?.start ?? 0, len));
      let to = Math.max(from, Math.min(err.span?.end ?? len, len));
      if (from === to && to < len) to += 1;
      else if (from === to && from > 0) from -= 1;
      const notes = err.notes?.length ? `\n${err.notes.join('\n')}` : '';
      view.dispatch(setDiagnostics(view.state, [{ from, to, severity: 'error', source: err.kind, message: `${err.kind}: ${err.message}${notes}` }]));
    },
    clearErrors() {
      view.dispatch(setDiagnostics(view.state, []));
    },
  };
}
