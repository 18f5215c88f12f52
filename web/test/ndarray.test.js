// Input normalisation: every accepted input form, and a clear NumwasmError for each bad one.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { normalizeInput, normalizeInputs } from '../src/ndarray.js';

const kind = (k, re) => (e) => e.name === 'NumwasmError' && e.kind === k && (!re || re.test(e.message));

test('typed arrays map to their NumPy dtypes', () => {
  const cases = [
    [new Float64Array(2), 'float64'],
    [new Float32Array(2), 'float32'],
    [new Int8Array(2), 'int8'],
    [new Int16Array(2), 'int16'],
    [new Int32Array(2), 'int32'],
    [new BigInt64Array(2), 'int64'],
    [new Uint8Array(2), 'uint8'],
    [new Uint16Array(2), 'uint16'],
    [new Uint32Array(2), 'uint32'],
    [new BigUint64Array(2), 'uint64'],
  ];
  for (const [arr, dtype] of cases) {
    const r = normalizeInput('x', arr);
    assert.deepEqual({ ...r, data: undefined }, { array: true, dtype, shape: [2], data: undefined });
    // No copy: a fresh view of the same bytes (none of the caller's own properties cross).
    assert.equal(r.data.buffer, arr.buffer, 'no copy for a plain typed array');
    assert.equal(r.data.length, arr.length);
  }
});

test('scalars are weak Python scalars', () => {
  assert.deepEqual(normalizeInput('k', 3), { array: false, kind: 'int', value: 3 });
  assert.deepEqual(normalizeInput('k', -0.5), { array: false, kind: 'float', value: -0.5 });
  assert.deepEqual(normalizeInput('k', NaN), { array: false, kind: 'float', value: NaN });
  assert.deepEqual(normalizeInput('k', true), { array: false, kind: 'bool', value: true });
  assert.deepEqual(normalizeInput('k', 2n ** 64n - 1n), { array: false, kind: 'int', value: 2n ** 64n - 1n });
  assert.throws(() => normalizeInput('k', 2n ** 64n), kind('OverflowError'));
});

test('plain arrays become float64; NDArray-like objects keep shape and dtype', () => {
  const p = normalizeInput('a', [1, 2.5, 3]);
  assert.equal(p.dtype, 'float64');
  assert.deepEqual([...p.data], [1, 2.5, 3]);
  const nd = normalizeInput('b', { data: new Int32Array(6), shape: [2, 3] });
  assert.deepEqual(nd.shape, [2, 3]);
  assert.equal(nd.dtype, 'int32');
  const b = normalizeInput('m', { data: new Uint8Array([0, 1, 7]), dtype: 'bool' });
  assert.equal(b.dtype, 'bool');
  assert.deepEqual([...b.data], [0, 1, 1]);
});

test('scijs-style strided views are gathered into C order', () => {
  // A 2x3 view with stride [1, 2] (Fortran order) over [0..6).
  const r = normalizeInput('t', { data: new Float64Array([0, 1, 2, 3, 4, 5]), shape: [2, 3], stride: [1, 2], offset: 0 });
  assert.deepEqual([...r.data], [0, 2, 4, 1, 3, 5]);
  const s = normalizeInput('s', { data: new Float64Array([9, 9, 1, 2, 3]), shape: [3], stride: [1], offset: 2 });
  assert.deepEqual([...s.data], [1, 2, 3]);
});

test('bad inputs are clear errors', () => {
  assert.throws(() => normalizeInput('x', 'abc'), kind('TypeError', /unsupported type/));
  assert.throws(() => normalizeInput('x', null), kind('TypeError'));
  assert.throws(() => normalizeInput('x', [1, 'a']), kind('TypeError', /numbers only/));
  assert.throws(() => normalizeInput('x', { data: new Float64Array(5), shape: [2, 3] }), kind('ValueError', /needs 6 elements/));
  assert.throws(() => normalizeInput('x', { data: new Float64Array(2), dtype: 'float32' }), kind('TypeError', /needs a Float32Array/));
  assert.throws(() => normalizeInput('x', { data: new Float64Array(2), dtype: 'complex64' }), kind('TypeError', /unknown dtype/));
  assert.throws(() => normalizeInput('x', { data: new Float64Array(2), shape: [-2] }), kind('TypeError', /shape/));
  assert.throws(() => normalizeInput('x', new Float64Array(new SharedArrayBuffer(16))), kind('TypeError', /SharedArrayBuffer/));
  const buf = new ArrayBuffer(16);
  const view = new Float64Array(buf);
  structuredClone(buf, { transfer: [buf] });
  assert.throws(() => normalizeInput('x', view), kind('TypeError', /detached/));
  assert.throws(() => normalizeInputs([1, 2]), kind('TypeError'));
});
