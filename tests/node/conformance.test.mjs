// The NumPy conformance cases (crate/tests/data/conformance.jsonl, written by
// tests/conformance/gen.py with NumPy 2) run through the npm package in Node: the wasm
// build that ships, not the native build `cargo test` checks. Same rules as
// crate/tests/expr_conformance.rs: dtype and shape exactly, integers and bools exactly,
// floats within 4 ULP with NaN equal to NaN and the sign of zero respected (except ties in
// maximum/minimum/fmax/fmin/clip/max/min), errors by kind.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';

import { DTYPES as TYPED } from '../../web/src/ndarray.js';
import * as nw from '../../web/src/node.js';

const ULPS = 4n;
// CONFORMANCE_DATA names another file of cases (a larger run of gen.py's random cases).
const DATA = process.env.CONFORMANCE_DATA ?? new URL('../../crate/tests/data/conformance.jsonl', import.meta.url);

// JSON numbers beyond 2^53 lose digits in JSON.parse: integer literals of 16 or more digits
// are quoted first and read back as BigInt.
function parseLine(line) {
  return JSON.parse(line.replace(/([[,:]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"#$2"'));
}
const isBig = (v) => typeof v === 'string' && v.startsWith('#');
const float = (v) =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : isBig(v) ? Number(v.slice(1)) : Number(v);
const int = (v) => BigInt(isBig(v) ? v.slice(1) : v); // (BigInt(true) is 1n)

function input(spec) {
  if ('scalar' in spec) {
    const v = spec.scalar;
    if (spec.kind === 'bool') return v;
    if (spec.kind === 'float') return { scalar: 'float', value: float(v) };
    return { scalar: 'int', value: int(v) };
  }
  const T = TYPED[spec.dtype];
  const data = spec.data.map((v) =>
    spec.dtype === 'int64' || spec.dtype === 'uint64'
      ? int(v)
      : spec.dtype === 'bool'
        ? Number(v)
        : spec.dtype.startsWith('float')
          ? float(v)
          : Number(int(v)),
  );
  return { data: T.from(data), shape: spec.shape, dtype: spec.dtype };
}

// Floats as ordered integers, so that the difference counts representable values.
function key(x, f32) {
  if (f32) {
    const b = new Int32Array(new Float32Array([x]).buffer)[0];
    return BigInt(b < 0 ? -2147483648 - b : b);
  }
  const b = new BigInt64Array(new Float64Array([x]).buffer)[0];
  return b < 0n ? -9223372036854775808n - b : b;
}

function compare(id, got, want) {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype} (want ${want.dtype})`;
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) {
    return `shape ${JSON.stringify(got.shape)} (want ${JSON.stringify(want.shape)})`;
  }
  if (got.data.length !== want.data.length) return `${got.data.length} elements (want ${want.data.length})`;
  const zeroSignFree = ['maximum', 'minimum', 'fmax', 'fmin', 'clip', 'max', 'min'].some((p) =>
    id.startsWith(`${p}/`),
  );
  const bad = [];
  want.data.forEach((w, k) => {
    const g = got.data[k];
    let ok;
    if (got.dtype.startsWith('float')) {
      const wv = float(w);
      if (Number.isNaN(g) || Number.isNaN(wv)) ok = Number.isNaN(g) && Number.isNaN(wv);
      else if (g === 0 && wv === 0) ok = zeroSignFree || Object.is(g, wv);
      else {
        const d = key(g, got.dtype === 'float32') - key(wv, got.dtype === 'float32');
        ok = (d < 0n ? -d : d) <= ULPS;
      }
    } else if (got.dtype === 'bool') ok = Boolean(g) === w;
    else ok = BigInt(g) === int(w);
    if (!ok) bad.push(`[${k}] got ${g} want ${isBig(w) ? w.slice(1) : w}`);
  });
  return bad.length ? `${bad.length} values differ: ${bad.slice(0, 4).join(', ')}` : null;
}

before(async () => {
  await nw.init();
});

test('the NumPy conformance cases give NumPy results through the wasm build', async () => {
  const lines = readFileSync(DATA, 'utf8').split('\n').filter((l) => l.trim());
  assert.ok(lines.length > 5000, `${lines.length} cases`);
  const failures = [];
  for (const line of lines) {
    const c = parseLine(line);
    const inputs = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, input(v)]));
    let got;
    let error;
    try {
      got = await nw.evaluate(c.expr, inputs);
    } catch (e) {
      error = e;
    }
    let problem = null;
    if ('error' in c.expect) {
      if (!error) problem = `got ${got.dtype} ${JSON.stringify(got.shape)} (want ${c.expect.error})`;
      else if (error.kind !== c.expect.error) problem = `error ${error.kind}: ${error.message} (want ${c.expect.error})`;
    } else if (error) {
      problem = `error ${error.kind}: ${error.message}`;
    } else {
      problem = compare(c.id, got, c.expect);
    }
    if (problem) failures.push(`${c.id}: \`${c.expr}\`: ${problem}`);
  }
  assert.deepEqual(failures, [], `${failures.length} of ${lines.length} cases differ`);
});
