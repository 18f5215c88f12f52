// The Numba kernel cases of tests/kernels/cases.json as the Node tests read them: parsing
// (64-bit integers kept exact), arguments as the package takes them, and the comparison of
// results with Numba's record (tests/kernels/README.md's rules). Shared by
// kernel_cases.test.mjs (the package's results) and kernel_js.test.mjs (the JS baselines).

import { readFileSync } from 'node:fs';

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

/** The names listed in a case list file of tests/kernels (name, a space, the reason). */
export function listedCases(file = 'known_failures.txt') {
  const text = readFileSync(new URL(file, ROOT), 'utf8');
  return new Set(
    text
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split(' ')[0]),
  );
}

