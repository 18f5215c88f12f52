// The inputs panel: one row per name in the expression (generator, range, dtype, shape),
// and the deterministic data generators behind it.

export const DTYPES = ['float64', 'float32', 'int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8', 'bool'];
export const GENERATORS = { uniform: ['lo', 'hi'], arange: ['start', 'step'], linspace: ['from', 'to'], constant: ['value', ''] };
export const SIZES = [1e3, 1e4, 1e5, 3e5, 1e6, 3e6, 1e7];
/** How N is written in the N menu and in progress messages: 1e3, 3e5. */
export const sizeLabel = (n) => n.toExponential(0).replace('e+', 'e');
/** A 2-D input has ROWS rows of N / ROWS elements (every N above is a multiple of it). */
export const ROWS = 1000;

/** The shape of an array input of N elements. */
export function shapeOf(spec, n) {
  return spec.shape === '2-D' ? [ROWS, n / ROWS] : [n];
}

/** The typed array that holds each dtype (bool: Uint8Array of 0 and 1). */
export const ARRAY = {
  float64: Float64Array, float32: Float32Array, int64: BigInt64Array, int32: Int32Array, int16: Int16Array,
  int8: Int8Array, uint64: BigUint64Array, uint32: Uint32Array, uint16: Uint16Array, uint8: Uint8Array, bool: Uint8Array,
};

export function defaultSpec() {
  return { gen: 'uniform', a: 0, b: 1, dtype: 'float64', shape: 'array' };
}

/** A small seeded generator (mulberry32), so the same state gives the same data. */
export function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seedOf(name) {
  let h = 2166136261;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h;
}

/** The value at index i as a JS number before conversion to the dtype. */
function valueFn(spec, n, name) {
  const a = Number(spec.a);
  const b = Number(spec.b);
  switch (spec.gen) {
    case 'arange':
      return (i) => a + i * b;
    case 'linspace':
      return (i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1));
    case 'constant':
      return () => a;
    default: {
      const r = random(seedOf(name));
      return () => a + (b - a) * r();
    }
  }
}

/**
 * An array input of N elements made a piece at a time: `fill(from, to)` writes elements
 * [from, to) of `out`. Pieces must be filled in order (the uniform generator is one seeded
 * sequence), which lets the playground's engine worker report progress and take messages
 * between pieces while it makes a 1e7-element input.
 */
export function inputMaker(name, spec, n) {
  const Type = ARRAY[spec.dtype] ?? Float64Array;
  const out = new Type(n);
  const f = valueFn(spec, n, name);
  const integer = !spec.dtype.startsWith('float');
  const big = Type === BigInt64Array || Type === BigUint64Array;
  const mid = (Number(spec.a) + Number(spec.b)) / 2;
  return {
    out,
    fill(from, to) {
      for (let i = from; i < to; i++) {
        let v = f(i);
        if (spec.dtype === 'bool') v = spec.gen === 'uniform' ? (v < mid ? 0 : 1) : v !== 0 ? 1 : 0;
        else if (integer) v = Math.floor(v);
        out[i] = big ? BigInt.asIntN(64, BigInt(v)) : v;
      }
    },
  };
}

/** Makes the input: a typed array of N elements, or a number for a (weak) scalar. */
export function generate(name, spec, n) {
  if (spec.shape === 'scalar') return Number(spec.a);
  const maker = inputMaker(name, spec, n);
  maker.fill(0, n);
  return maker.out;
}

/**
 * The compile() signature entry for a spec at N elements. Arrays are compiled for the
 * shapes they will have, so the IR and bytecode panels show them and a broadcasting error
 * (a 1-D input beside a 2-D one) is reported while typing, not at Run; a compiled
 * expression still runs on other shapes (Sweep N runs it on the smaller sizes).
 */
export function signatureOf(spec, n) {
  // The package reads an integral JS number as a Python int and any other as a float.
  // The value is compiled in, so Compiled.ir() shows it and the JS baseline can use it.
  if (spec.shape === 'scalar') return { scalar: Number.isInteger(Number(spec.a)) ? 'int' : 'float', value: Number(spec.a) };
  return { dtype: spec.dtype, shape: shapeOf(spec, n) };
}

export function select(options, value, onChange, label) {
  const s = document.createElement('select');
  s.setAttribute('aria-label', label);
  for (const o of options) s.add(new Option(o, o, false, o === value));
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

/**
 * A labelled input: a number (onChange gets finite numbers only) or, with type 'text', any
 * text.
 */
export function field(text, value, onChange, testid, type = 'number') {
  const l = document.createElement('label');
  l.append(text);
  const i = document.createElement('input');
  i.type = type;
  if (type === 'number') i.step = 'any';
  i.value = String(value);
  i.dataset.testid = testid;
  i.addEventListener('input', () => {
    if (type !== 'number') onChange(i.value);
    else if (i.value !== '' && Number.isFinite(Number(i.value))) onChange(Number(i.value));
  });
  l.append(i);
  return l;
}

/**
 * Renders one row per name into `root`; `specs` is mutated in place and `onChange` is
 * called after every edit.
 */
export function renderInputs(root, names, specs, onChange) {
  root.replaceChildren();
  if (names.length === 0) {
    const p = document.createElement('p');
    p.className = 'hint';
    p.textContent = 'This expression has no inputs.';
    root.append(p);
  }
  for (const name of names) {
    const spec = specs[name] ?? (specs[name] = defaultSpec());
    const row = document.createElement('div');
    row.className = 'input-row';
    row.dataset.name = name;
    const title = document.createElement('span');
    title.className = 'name';
    title.textContent = name;
    const redraw = () => renderInputs(root, names, specs, onChange);
    const set = (key, redrawToo) => (v) => {
      spec[key] = v;
      onChange();
      if (redrawToo) redraw();
    };
    const shape = select(['array', '2-D', 'scalar'], spec.shape, set('shape', true), `${name} shape`);
    shape.title = `array: N elements; 2-D: ${ROWS} rows of N/${ROWS}; scalar: a Python number`;
    row.append(title, shape);
    if (spec.shape === 'scalar') {
      row.append(field('value', spec.a, set('a'), `${name}-a`));
      const kind = document.createElement('span');
      kind.className = 'hint';
      kind.textContent = 'a Python scalar (int if integral, else float)';
      row.append(kind);
    } else {
      row.append(select(Object.keys(GENERATORS), spec.gen, set('gen', true), `${name} generator`));
      const [la, lb] = GENERATORS[spec.gen];
      row.append(field(la, spec.a, set('a'), `${name}-a`));
      if (lb) row.append(field(lb, spec.b, set('b'), `${name}-b`));
      row.append(select(DTYPES, spec.dtype, set('dtype'), `${name} dtype`));
    }
    root.append(row);
  }
}
