// Inputs are read once and snapshotted before anything is copied: resizable and shared
// buffers, views a resize left out of bounds, detached buffers, own properties that lie
// about a typed array, getters that throw. And a result too large for the transport is
// refused from its shape before it is computed. Every failure is a NumwasmError with a kind,
// and the engine computes correctly afterwards.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { engineCall } from '../src/api.js';
import * as nw from '../src/node.js';

const kind = (k, re) => (e) => e.name === 'NumwasmError' && e.kind === k && (!re || re.test(e.message));

let m;
before(async () => {
  await nw.init({ threads: 2 });
  m = await nw.kernels(`
from numba import njit

@njit
def bump(a):
    a[0] += 1
    return a[0]
`);
});
after(() => m.free());

async function stillWorks() {
  const r = await nw.evaluate('sum(x)', { x: new Float64Array([1, 2, 3]) });
  assert.equal(r.data[0], 6);
}

test('a view left out of bounds by shrinking its resizable buffer is a TypeError everywhere', async () => {
  const ab = new ArrayBuffer(32, { maxByteLength: 64 });
  const x = new Float64Array(ab, 0, 4);
  ab.resize(8);
  const re = /no longer fits in its buffer/;
  await assert.rejects(nw.evaluate('x + 0', { x }), kind('TypeError', re));
  await assert.rejects(nw.evaluate('x + 0', { x: { data: x, shape: [4] } }), kind('TypeError', re));
  await assert.rejects(nw.array(x), kind('TypeError', re));
  const c = await nw.compile('x + 0', { x: 'float64' });
  await assert.rejects(c.run({ x }), kind('TypeError', re));
  await assert.rejects(m.call('bump', [x]), kind('TypeError', re));
  c.free();
  await stillWorks();
});

test('a resizable buffer that is valid is copied when the call is made', async () => {
  const ab = new ArrayBuffer(32, { maxByteLength: 64 });
  const tracking = new Float64Array(ab);
  tracking.set([1, 2, 3, 4]);
  const fixed = new Float64Array(ab, 8, 2);
  const p = nw.evaluate('t + 0', { t: tracking });
  const q = nw.evaluate('f + 0', { f: fixed });
  // Shrunk after the calls were made, before they ran: they see what was there.
  ab.resize(0);
  assert.deepEqual([...(await p).data], [1, 2, 3, 4]);
  assert.deepEqual([...(await q).data], [2, 3]);
  await stillWorks();
});

test('shared buffers, growable or not, are refused; detached ones too', async () => {
  const growable = new Float64Array(new SharedArrayBuffer(16, { maxByteLength: 64 }));
  await assert.rejects(nw.evaluate('x + 0', { x: growable }), kind('TypeError', /SharedArrayBuffer/));
  const ab = new ArrayBuffer(16);
  const x = new Float64Array(ab);
  structuredClone(ab, { transfer: [ab] });
  await assert.rejects(nw.evaluate('x + 0', { x }), kind('TypeError', /detached/));
  await stillWorks();
});

test('a buffer detached after the call was made, before it was sent, is a TypeError', async () => {
  const ab = new ArrayBuffer(32);
  const x = new Float64Array(ab).fill(1);
  const p = nw.evaluate('x + 0', { x });
  structuredClone(ab, { transfer: [ab] });
  await assert.rejects(p, kind('TypeError', /could not be sent to the compute worker/));
  await stillWorks();
});

test("a typed array's own properties cannot lie about it", async () => {
  const x = new Float64Array([1, 2, 3, 4]);
  Object.defineProperty(x, 'length', { value: 1e9 });
  Object.defineProperty(x, 'constructor', { value: Int8Array });
  Object.defineProperty(x, Symbol.toStringTag, { value: 'Int8Array' });
  const r = await nw.evaluate('x + 0', { x });
  assert.deepEqual({ dtype: r.dtype, data: [...r.data] }, { dtype: 'float64', data: [1, 2, 3, 4] });
  // A prototype swapped under an Int32Array does not make it float64.
  const y = Object.setPrototypeOf(new Int32Array([7]), Float64Array.prototype);
  assert.equal((await nw.evaluate('y + 0', { y })).dtype, 'int32');
  await assert.rejects(nw.evaluate('y', { y: { data: y, dtype: 'float64' } }), kind('TypeError', /needs a Float64Array, got a Int32Array/));
});

test('properties are read once: getters that change or throw', async () => {
  let reads = 0;
  const shape = [4];
  Object.defineProperty(shape, 0, { get: () => (reads++ === 0 ? 4 : 1e9) });
  const r = await nw.evaluate('x + 0', { x: { data: new Float64Array([1, 2, 3, 4]), shape } });
  assert.deepEqual(r.shape, [4]);
  assert.equal(reads, 1);
  const throwing = { data: new Float64Array(2), get dtype() { throw new Error('boom'); } };
  await assert.rejects(nw.evaluate('x', { x: throwing }), kind('TypeError', /input 'x' could not be read: Error: boom/));
  const inputs = Object.defineProperty({}, 'x', { enumerable: true, get() { throw new Error('inputs'); } });
  await assert.rejects(nw.evaluate('x', inputs), kind('TypeError', /the inputs object could not be read/));
  await assert.rejects(nw.evaluate('x', { x: new Proxy({}, { has() { throw new Error('trap'); } }) }), kind('TypeError', /trap/));
  await stillWorks();
});

test("a kernel's write-back into a buffer shrunk during the call is a ValueError", async () => {
  const ab = new ArrayBuffer(32, { maxByteLength: 64 });
  const x = new Float64Array(ab, 0, 4).fill(1);
  const p = m.call('bump', [x]);
  ab.resize(8);
  await assert.rejects(p, kind('ValueError', /could not be written back/));
  ab.resize(32);
  const y = new Float64Array([1, 1]);
  assert.equal((await m.call('bump', [y])).data[0], 2);
  assert.deepEqual([...y], [2, 1]);
});

test('a result larger than the transport can carry is refused from its shape, before it runs', async () => {
  // Chromium's limit is 2^31 - 2^21 bytes (worker.js); Node's worker threads have none
  // below the engine's own 2^31 - 1, so a smaller one is set here as a browser's would be.
  await engineCall('test', 'setResultLimitForTesting', { bytes: 2 ** 31 - 2 ** 21 });
  try {
    // int8 46340 x 46340: 2,147,395,600 bytes, within the engine's limit and over the
    // transport's. Refused without allocating or computing it.
    const n = 46_340;
    const a = { data: new Int8Array(n).fill(1), shape: [n, 1] };
    const b = new Int8Array(n).fill(2);
    await assert.rejects(
      nw.evaluate('a + b', { a, b }),
      kind('ValueError', /the result \(int8 with shape \[46340, 46340\], 2147395600 bytes\) is larger than one message .* \(2145386496 bytes at most here\)/),
    );
    const c = await nw.compile('a + b', { a: { dtype: 'int8', shape: [n, 1] }, b: { dtype: 'int8', shape: [n] } });
    await assert.rejects(c.run({ a, b }), kind('ValueError', /larger than one message/));
    c.free();
    await engineCall('test', 'setResultLimitForTesting', { bytes: 1024 });
    const x = new Float64Array(200).fill(1);
    await assert.rejects(nw.evaluate('x + 1', { x }), kind('ValueError', /1600 bytes\) is larger than one message/));
    assert.equal((await nw.evaluate('sum(x + 1)', { x })).data[0], 400);
    // A result written into a resident array never crosses.
    const out = await nw.array(new Float64Array(200));
    await nw.evaluate('x + 1', { x }, { out });
    await engineCall('test', 'setResultLimitForTesting', { bytes: Infinity });
    assert.equal((await out.toArray()).data[199], 2);
    out.free();
  } finally {
    await engineCall('test', 'setResultLimitForTesting', { bytes: Infinity });
  }
  assert.equal((await nw.evaluate('x + 1', { x: new Float64Array(200) })).data.length, 200);
  await stillWorks();
});
