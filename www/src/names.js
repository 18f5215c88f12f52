// Finds the input names of an expression for the inputs panel: identifiers that are not
// called as functions and are not Python keywords. numwasm's parser stays the authority;
// a name this scan misses shows up as the engine's NameError at its span.

// Not a function list (a called name is never an input, so functions need none here):
// Python's reserved words that can stand in an expression uncalled, the literals True,
// False and None and the word operators, which the engine reads as literals, operators or
// targeted syntax errors, never as input names. Its exported table covers functions only.
const KEYWORDS = new Set(['True', 'False', 'None', 'and', 'or', 'not', 'if', 'else', 'in', 'is', 'lambda']);

export function inputNames(source) {
  const names = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      i += 1;
      while (i < source.length && /[0-9a-zA-Z_.]/.test(source[i])) {
        if (/[eE]/.test(source[i]) && /[+-]/.test(source[i + 1] ?? '')) i += 1;
        i += 1;
      }
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j])) j += 1;
      const word = source.slice(i, j);
      let k = j;
      while (k < source.length && /\s/.test(source[k])) k += 1;
      const called = source[k] === '(';
      const attribute = i > 0 && source[i - 1] === '.';
      if (!called && !attribute && !KEYWORDS.has(word) && !names.includes(word)) names.push(word);
      i = j;
    } else {
      i += 1;
    }
  }
  return names;
}
