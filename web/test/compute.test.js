// Which buffers the compute worker moves to the caller instead of copying them.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { resultBuffers } from '../src/compute.js';

test('every whole-buffer array of a reply moves: evaluate data, kernel values, tuples, mutated', () => {
  const data = new Float64Array(4);
  const value = new Int32Array(3);
  const a = new Float64Array(2);
  const b = new Uint8Array(5);
  const written = new Float32Array(6);
  assert.deepEqual(resultBuffers({ result: { data } }), [data.buffer]);
  assert.deepEqual(resultBuffers({ data }), [data.buffer]);
  assert.deepEqual(resultBuffers({ value }), [value.buffer]);
  const found = resultBuffers({ value: [{ data: a }, 3, { data: b }], mutated: [{ index: 0, data: written }] });
  assert.deepEqual(new Set(found), new Set([a.buffer, b.buffer, written.buffer]));
});

test('views of a larger buffer, shared memory and repeated buffers are not listed twice or at all', () => {
  const big = new ArrayBuffer(64);
  const view = new Float64Array(big, 8, 2);
  assert.deepEqual(resultBuffers({ data: view }), []);
  const shared = new Float64Array(new SharedArrayBuffer(16));
  assert.deepEqual(resultBuffers({ data: shared }), []);
  const one = new Float64Array(2);
  assert.deepEqual(resultBuffers({ value: [{ data: one }, { data: one }] }), [one.buffer]);
  assert.deepEqual(resultBuffers(undefined), []);
  assert.deepEqual(resultBuffers({ value: 3.5 }), []);
});
