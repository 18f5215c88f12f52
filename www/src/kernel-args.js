// The kernel mode's arguments: which parameters a kernel takes (read from its `def` line),
// the extents of an array argument written with N (`N/100,100`, `√N,√N`), the
// deterministic generators behind each argument (the engine worker makes the arrays), and
// the arguments panel on the page.

import { ARRAY, DTYPES, GENERATORS, field, random, seedOf, select } from './inputs.js';

export const KERNEL_GENERATORS = { ...GENERATORS, image: ['', ''] };
export const SCALAR_TYPES = ['int', 'float', 'bool'];

/** The text between the parentheses that open at `open` (nesting and strings respected). */
function parenthesised(source, open) {
  let depth = 0;
  let quote = null;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth += 1;
    else if (c === ')' || c === ']' || c === '}') {
      depth -= 1;
      if (depth === 0) return source.slice(open + 1, i);
    }
  }
  return null;
}

/** Splits at top-level commas. */
function splitTop(text) {
  const parts = [];
  let depth = 0;
  let quote = null;
  let from = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(text.slice(from));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/**
 * The arguments a caller passes to top-level function `name` of `source`: its parameters
 * (annotations and defaults dropped; `*args` and keyword-only ones are not kernels'),
 * less a `@guvectorize` kernel's outputs (the names after `->` in its layout), which the
 * call allocates; a dynamic gufunc's (a layout and no signatures) stay, since its call
 * needs them. Null when there is no such function.
 */
export function kernelParams(source, name) {
  const def = new RegExp(`^def\\s+${name.replace(/[^\w]/g, '')}\\s*\\(`, 'm').exec(source);
  if (!def) return null;
  const inside = parenthesised(source, def.index + def[0].length - 1);
  if (inside === null) return null;
  let params = splitTop(inside).map((p) => p.split(/[:=]/)[0].trim()).filter((p) => /^[A-Za-z_]\w*$/.test(p));
  // The decorators are the lines right above the def.
  const above = source.slice(0, def.index).split('\n');
  above.pop();
  let decorators = '';
  while (above.length && /^\s*(@|\s|\)|\]|'|")/.test(above[above.length - 1]) && above[above.length - 1].trim() !== '') {
    decorators = `${above.pop()}\n${decorators}`;
  }
  if (/guvectorize/.test(decorators) && !/guvectorize\(\s*['"][^'"]*->/.test(decorators)) {
    const layout = /['"]([^'"]*->[^'"]*)['"]/.exec(decorators);
    if (layout) {
      const outputs = (layout[1].split('->')[1].match(/\(/g) ?? []).length;
      params = params.slice(0, Math.max(0, params.length - outputs));
    }
  }
  return params;
}

/** The names of the top-level functions with a decorator, in source order (before the engine says). */
export function decoratedNames(source) {
  return [...source.matchAll(/^@[^\n]*\n(?:@[^\n]*\n|[ \t)\]][^\n]*\n)*def\s+([A-Za-z_]\w*)/gm)].map((m) => m[1]);
}

/**
 * The extents of an array argument at N: each comma-separated item is an integer, `N`,
 * `N/k`, `N*k` or `√N` (also `sqrtN`), rounded to an integer, at least 1. Throws an Error
 * that says what is wrong.
 */
export function shapeFor(text, n) {
  const items = String(text).split(',').map((s) => s.trim().replace(/\s+/g, ''));
  if (items.length === 0 || items.some((s) => s === '')) throw new Error(`shape "${text}": write extents separated by commas, e.g. N or N/100,100`);
  if (items.length > 4) throw new Error(`shape "${text}": at most 4 dimensions here`);
  return items.map((s) => {
    let m;
    let v;
    if (/^\d+$/.test(s)) v = Number(s);
    else if (s === 'N') v = n;
    else if (s === '√N' || s === 'sqrtN') v = Math.sqrt(n);
    else if ((m = /^N\/(\d+)$/.exec(s))) v = n / Number(m[1]);
    else if ((m = /^N\*(\d+)$/.exec(s))) v = n * Number(m[1]);
    else throw new Error(`shape "${text}": "${s}" is not an extent (use an integer, N, N/k, N*k or √N)`);
    return Math.max(1, Math.round(v));
  });
}

const size = (shape) => shape.reduce((a, b) => a * b, 1);

/**
 * A test picture for image arguments (the blur): soft waves, a checkerboard of 16-pixel
 * squares, a bright disc and some noise, 0..255; element (y, x) of a 2-D shape.
 */
function imageValue(shape, r) {
  const w = shape[shape.length - 1];
  const h = shape.length > 1 ? shape[shape.length - 2] : 1;
  return (i) => {
    const x = i % w;
    const y = Math.floor(i / w) % h;
    const wave = 60 * Math.sin(x * 0.07) * Math.cos(y * 0.05);
    const check = ((x >> 4) + (y >> 4)) & 1 ? 25 : -25;
    const dx = x - w * 0.6;
    const dy = y - h * 0.4;
    const disc = dx * dx + dy * dy < (Math.min(w, h) * 0.2) ** 2 ? 70 : 0;
    return Math.max(0, Math.min(255, 110 + wave + check + disc + 20 * (r() - 0.5)));
  };
}

/**
 * Makes argument `name` at N: an NDArray-like { data, shape, dtype } for an array spec, a
 * number (or boolean) for a scalar one, as the package's call() takes them; a float scalar
 * whose value is integral is passed as { scalar: 'float', value } (else it would be an int).
 */
export function makeArg(name, spec, n) {
  if (spec.kind === 'scalar') {
    const v = Number(spec.a);
    if (spec.type === 'bool') return v !== 0;
    if (spec.type === 'int') return Math.trunc(v);
    return Number.isInteger(v) ? { scalar: 'float', value: v } : v;
  }
  const shape = shapeFor(spec.shape, n);
  const count = size(shape);
  const dtype = DTYPES.includes(spec.dtype) ? spec.dtype : 'float64';
  const Type = ARRAY[dtype];
  const data = new Type(count);
  const a = Number(spec.a);
  const b = Number(spec.b);
  const r = random(seedOf(name));
  const f =
    spec.gen === 'arange' ? (i) => a + i * b
      : spec.gen === 'linspace' ? (i) => (count === 1 ? a : a + ((b - a) * i) / (count - 1))
        : spec.gen === 'constant' ? () => a
          : spec.gen === 'image' ? imageValue(shape, r)
            : () => a + (b - a) * r();
  const integer = !dtype.startsWith('float');
  const big = Type === BigInt64Array || Type === BigUint64Array;
  const mid = (a + b) / 2;
  for (let i = 0; i < count; i++) {
    let v = f(i);
    if (dtype === 'bool') v = spec.gen === 'uniform' ? (v < mid ? 0 : 1) : v !== 0 ? 1 : 0;
    else if (integer) v = Math.floor(v);
    data[i] = big ? BigInt.asIntN(64, BigInt(v)) : v;
  }
  return { data, shape, dtype };
}

/** How many elements the array arguments hold at N (for the page's N line). */
export function argElements(specs, params, n) {
  let total = 0;
  for (const p of params) {
    const s = specs[p];
    if (s?.kind === 'array') {
      try {
        total += size(shapeFor(s.shape, n));
      } catch {
        // The panel shows the shape's error.
      }
    }
  }
  return total;
}

export function defaultKernelSpec() {
  return { kind: 'array', gen: 'uniform', a: 0, b: 1, dtype: 'float64', shape: 'N' };
}

/**
 * Renders one row per parameter into `root`: array (generator, its two numbers, dtype,
 * shape in N) or scalar (type and value). `specs` is mutated in place; `onChange` runs
 * after every edit. `n` is used to show each array's extents.
 */
export function renderKernelArgs(root, params, specs, n, onChange) {
  root.replaceChildren();
  if (params === null) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = 'Choose a kernel: its parameters appear here.';
    root.append(p);
    return;
  }
  if (params.length === 0) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = 'This kernel takes no arguments.';
    root.append(p);
  }
  for (const name of params) {
    const spec = specs[name] ?? (specs[name] = defaultKernelSpec());
    const row = document.createElement('div');
    row.className = 'input-row';
    row.dataset.name = name;
    const title = document.createElement('span');
    title.className = 'name';
    title.textContent = name;
    const redraw = () => renderKernelArgs(root, params, specs, n, onChange);
    const set = (key, redrawToo) => (v) => {
      spec[key] = v;
      if (key === 'kind') Object.assign(spec, v === 'scalar' ? { type: 'float', a: 1 } : { ...defaultKernelSpec() });
      if (key === 'gen' && v === 'image') Object.assign(spec, { dtype: 'uint8', shape: '√N,√N' });
      onChange();
      if (redrawToo) redraw();
    };
    row.append(title, select(['array', 'scalar'], spec.kind, set('kind', true), `${name} kind`));
    if (spec.kind === 'scalar') {
      row.append(select(SCALAR_TYPES, spec.type, set('type'), `${name} type`));
      row.append(field('value', spec.a, set('a'), `${name}-a`));
    } else {
      row.append(select(Object.keys(KERNEL_GENERATORS), spec.gen, set('gen', true), `${name} generator`));
      const [la, lb] = KERNEL_GENERATORS[spec.gen];
      if (la) row.append(field(la, spec.a, set('a'), `${name}-a`));
      if (lb) row.append(field(lb, spec.b, set('b'), `${name}-b`));
      row.append(select(DTYPES, spec.dtype, set('dtype'), `${name} dtype`));
      const shape = field('shape', spec.shape, (v) => {
        spec.shape = v;
        onChange();
        show();
      }, `${name}-shape`, 'text');
      shape.querySelector('input').size = 9;
      const extents = document.createElement('span');
      extents.className = 'hint';
      const show = () => {
        try {
          extents.textContent = `(${shapeFor(spec.shape, n).join(', ')})`;
          extents.classList.remove('bad');
        } catch (e) {
          extents.textContent = e.message;
          extents.classList.add('bad');
        }
      };
      show();
      row.append(shape, extents);
    }
    root.append(row);
  }
}
