// The Numba kernel cases of tests/kernels/cases.json as the tests read them: parsing
// (64-bit integers kept exact), arguments as the package takes them, the comparison of
// results with Numba's record (tests/kernels/README.md's rules), and one case's run through
// the package. Shared by kernel_cases.test.mjs (the package's results), kernel_js.test.mjs
// (the JS baselines) and, loaded into a page, tests/e2e/parallel.test.mjs (the parallel
// cases in Chromium); so nothing here is Node-only (kernel-lists.mjs reads files).

import { DTYPES } from '../../web/src/ndarray.js';

export const ROOT = new URL('../kernels/', import.meta.url);

// JSON numbers beyond 2^53 lose digits in JSON.parse: integer literals of 16 or more digits
// outside strings (the kernels' sources are strings and may hold long literals) are quoted
// first, marked with '#', and read back as BigInt. A fraction's or exponent's digits are
// preceded by '.' or a letter and are left alone.
export function parseCases(text) {
  const quoted = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\w.])-?\d{16,}(?![\w.])/g, (m) =>
    m.startsWith('"') ? m : `"#${m}"`,
  );
  return JSON.parse(quoted).cases;
}

export const isBig = (v) => typeof v === 'string' && v.startsWith('#');
export const float = (v) =>
  v === 'nan' || v === '-nan'
    ? NaN
    : v === 'inf'
      ? Infinity
      : v === '-inf'
        ? -Infinity
        : typeof v === 'boolean'
          ? Number(v)
          : isBig(v)
            ? Number(v.slice(1))
            : v;
export const int = (v) => BigInt(isBig(v) ? v.slice(1) : v); // (BigInt(true) is 1n)
export const is64 = (dtype) => dtype === 'int64' || dtype === 'uint64';

/** A JSON value of `dtype` as its typed array holds it. */
export function element(dtype, v) {
  if (is64(dtype)) return int(v);
  if (dtype === 'bool') return Number(Boolean(v));
  if (dtype.startsWith('float')) return float(v);
  return Number(int(v));
}

export function typed(dtype, data) {
  return DTYPES[dtype].from(data, (v) => element(dtype, v));
}

/**
 * An argument as a caller passes it: a 1-d array as a bare typed array (bool needs its dtype
 * named, since a Uint8Array is uint8), an n-d one as an NDArray-like, a view as an
 * NDArray-like over the whole base buffer (so that write-back into the base is checked
 * against Numba's record of the whole base), a Python int as a number where exact and a
 * bigint beyond, a float as a number or, where integral (2.0 would be an int), as an explicit
 * float, a NumPy scalar as a 0-d NDArray-like. `base` is the typed array the caller owns.
 */
export function arg(v) {
  switch (v.kind) {
    case 'array': {
      const base = typed(v.dtype, v.data);
      if (v.strides) {
        // The package takes scijs's names: `stride`, `offset`, in elements.
        const view = { data: base, shape: v.shape, stride: v.strides, offset: v.offset ?? 0, dtype: v.dtype };
        return { value: view, base };
      }
      if (v.shape.length === 1 && v.dtype !== 'bool') return { value: base, base };
      return { value: { data: base, shape: v.shape, dtype: v.dtype }, base };
    }
    case 'int': {
      const i = int(v.value);
      return { value: -(2n ** 53n) < i && i < 2n ** 53n ? Number(i) : i };
    }
    case 'float': {
      const f = float(v.value);
      return { value: Number.isInteger(f) ? { scalar: 'float', value: f } : f };
    }
    case 'bool':
      return { value: v.value };
    case 'scalar':
      return { value: { data: typed(v.dtype, [v.value]), shape: [], dtype: v.dtype } };
    default:
      // As in crate/tests/kernel_cases.rs: the call API takes arrays and scalars only.
      throw new Error(`argument kind ${v.kind} not supported by the harness`);
  }
}

/** Floats as ordered integers, so that the difference counts representable values. */
function key(x, f32) {
  if (f32) {
    const b = new Int32Array(new Float32Array([x]).buffer)[0];
    return BigInt(b < 0 ? -2147483648 - b : b);
  }
  const b = new BigInt64Array(new Float64Array([x]).buffer)[0];
  return b < 0n ? -9223372036854775808n - b : b;
}

/** Whether element `g` (as a typed array of `dtype` holds it) matches JSON value `w`. */
export function same(dtype, g, w, ulp) {
  if (dtype === 'bool') return g === Number(Boolean(w));
  if (is64(dtype)) return g === int(w);
  if (!dtype.startsWith('float')) return g === Number(int(w));
  const wv = float(w);
  if (Number.isNaN(g) || Number.isNaN(wv)) return Number.isNaN(g) && Number.isNaN(wv);
  // Exact means bit for bit, the sign of zero included; within ULPs zeros are 0 apart.
  if (ulp === 0n) return Object.is(g, wv);
  const d = key(g, dtype === 'float32') - key(wv, dtype === 'float32');
  return (d < 0n ? -d : d) <= ulp;
}

/** The first element where typed array `got` differs from JSON values `want`, or null. */
export function sameData(dtype, got, want, ulp) {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    if (!same(dtype, got[i], want[i], ulp)) {
      const g = Object.is(got[i], -0) ? '-0.0' : got[i];
      return `[${i}] got ${g}, want ${isBig(want[i]) ? want[i].slice(1) : Object.is(want[i], -0) ? '-0.0' : want[i]}`;
    }
  }
  return null;
}

export const show = (x) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));

/** What differs between a result as the package gives it and a JSON VALUE, or null. */
export function checkValue(got, want, ulp) {
  if (want.kind === 'none') return got === undefined ? null : `got ${show(got)}, want None`;
  if (want.kind === 'tuple') {
    if (!Array.isArray(got)) return `got ${show(got)}, want a tuple`;
    if (got.length !== want.items.length) return `tuple of ${got.length} vs ${want.items.length}`;
    for (let i = 0; i < got.length; i++) {
      const e = checkValue(got[i], want.items[i], ulp);
      if (e) return `item ${i}: ${e}`;
    }
    return null;
  }
  if (got === undefined || Array.isArray(got) || !ArrayBuffer.isView(got.data)) {
    return `got ${show(got)}, want a ${want.kind}`;
  }
  let dtype;
  let shape;
  let data;
  switch (want.kind) {
    case 'array':
      ({ dtype, shape, data } = want);
      break;
    case 'list':
      ({ dtype, data } = want);
      shape = [data.length];
      break;
    case 'scalar':
      ({ dtype } = want);
      shape = [];
      data = [want.value];
      break;
    case 'int':
    case 'float':
    case 'bool':
      dtype = { int: 'int64', float: 'float64', bool: 'bool' }[want.kind];
      shape = [];
      data = [want.value];
      break;
    default:
      return `unknown result kind ${want.kind}`;
  }
  if (got.dtype !== dtype || show(got.shape) !== show(shape)) {
    return `${want.kind} ${got.dtype}${show(got.shape)} vs ${dtype}${show(shape)}`;
  }
  if (!(got.data instanceof DTYPES[dtype])) return `data is a ${got.data.constructor.name} for ${dtype}`;
  return sameData(dtype, got.data, data, ulp);
}

/**
 * A result as the package gives it (or an error) as text with every byte of its data, so
 * that two runs compare bit for bit.
 */
export function fingerprint(got, error) {
  if (error) return `${error.kind ?? error.name}: ${error.message}`;
  const one = (x) => {
    if (x === undefined) return 'None';
    if (Array.isArray(x)) return `(${x.map(one).join(', ')})`;
    const d = x.data;
    const hex = Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), (b) => b.toString(16).padStart(2, '0'));
    return `${x.dtype}${show(x.shape)}:${hex.join('')}`;
  };
  return one(got);
}

/**
 * Runs case `c` through package `nw` (its module of kernels made and freed here), the call
 * with `threads` where given: null, or what differs from Numba's record. `onModule(m, args,
 * kwargs)`, where given, sees the module before it is freed; `onResult(got, error, bases)`
 * sees the call's result or error and the caller's arrays after it.
 */
export async function runCase(nw, c, { threads, onModule, onResult } = {}) {
  const ulp = BigInt(c.compare?.ulp ?? 0);
  const args = c.args.map(arg);
  // Keyword arguments are numbered after the positional ones (as gen.py records what a call
  // wrote).
  const named = Object.entries(c.kwargs ?? {}).map(([k, v]) => [k, arg(v)]);
  const kwargs = Object.fromEntries(named.map(([k, a]) => [k, a.value]));
  const all = [...args, ...named.map(([, a]) => a)];
  const pristine = all.map((a) => a.base?.slice());
  let m;
  let got;
  let error;
  try {
    m = await nw.kernels(c.source);
    got = await m.call(c.func, args.map((a) => a.value), { kwargs, threads });
  } catch (e) {
    error = e;
  }
  onResult?.(got, error, all.map((a) => a.base));
  try {
    if (m && onModule) await onModule(m, args.map((a) => a.value), kwargs);
  } finally {
    m?.free();
  }
  if (c.error) {
    if (!error) return `want ${c.error.kind}, got ${show(got)}`;
    if (error.kind !== c.error.kind) return `want ${c.error.kind}, got ${error.kind ?? error.name}: ${error.message}`;
  } else if (error) {
    return `${error.kind ?? error.name}: ${error.message}`;
  } else {
    const e = checkValue(got, c.result, ulp);
    if (e) return `result: ${e}`;
  }
  // The caller's arrays after the call: Numba's record for the ones it changed (a view's is
  // its whole base, as passed here), as they were for the others. A failed call returns no
  // partial writes (as in the Rust API), so after an error only the second part is checked.
  const written = new Map(c.mutated.map((w) => [w.arg, w.value]));
  for (const [i, a] of all.entries()) {
    if (!a.base) continue;
    const want = written.get(i);
    if (want && !c.error) {
      const e = sameData(want.dtype, a.base, want.data, ulp);
      if (e) return `argument ${i}: ${e}`;
    } else if (!want) {
      const bytes = (t) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
      const [now, was] = [bytes(a.base), bytes(pristine[i])];
      if (now.length !== was.length || now.some((x, j) => x !== was[j])) {
        const given = i < c.args.length ? c.args[i] : Object.values(c.kwargs)[i - c.args.length];
        const where = sameData(given.dtype, a.base, given.data, 0n);
        return `argument ${i} was written, Numba left it unchanged: ${where}`;
      }
    }
  }
  for (const i of written.keys()) {
    if (!all[i]?.base) return `Numba wrote argument ${i}, which is not an array here`;
  }
  return null;
}
