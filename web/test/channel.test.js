// The shared-memory slot between the page and the compute worker (src/channel.js): what is
// written is read back, typed arrays (as views or copies), bigints and the numbers JSON lacks
// included, and what does not fit is refused without writing anything.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Channel, REPLY, REQUEST, SLOT_BYTES, createSlot } from '../src/channel.js';

test('a request round-trips with its typed arrays, bigints and special numbers', () => {
  const ch = new Channel(createSlot());
  const a = Float64Array.from([1.5, -0, NaN, Infinity]);
  const b = new Int8Array([1, -2, 3]); // 3 bytes: the next array starts 8-byte aligned
  const c = BigInt64Array.from([-(2n ** 63n), 5n]);
  const request = {
    id: 7,
    method: 'evaluate',
    args: {
      source: 'a + b + c ✓',
      inputs: [
        { name: 'a', array: true, dtype: 'float64', shape: [4], data: a },
        { name: 'b', array: true, dtype: 'int8', shape: [3], data: b },
        { name: 'c', array: true, dtype: 'int64', shape: [2], data: c },
        { name: 'k', array: false, kind: 'int', value: 2n ** 70n },
        { name: 'f', array: false, kind: 'float', value: -Infinity },
        { name: 'z', array: false, kind: 'float', value: -0 },
      ],
      threads: 2,
      out: undefined,
    },
  };
  assert.equal(ch.write(request), true);
  for (const copy of [false, true]) {
    const got = ch.read(copy);
    assert.equal(got.id, 7);
    assert.equal(got.args.source, 'a + b + c ✓');
    const [ga, gb, gc, gk, gf, gz] = got.args.inputs;
    assert.ok(ga.data instanceof Float64Array);
    assert.deepEqual([...ga.data], [...a]);
    assert.ok(Object.is(ga.data[1], -0));
    assert.deepEqual([...gb.data], [...b]);
    assert.deepEqual([...gc.data], [...c]);
    assert.equal(gk.value, 2n ** 70n);
    assert.equal(gf.value, -Infinity);
    assert.ok(Object.is(gz.value, -0));
    // Views share the slot; copies own plain memory.
    assert.equal(ga.data.buffer instanceof SharedArrayBuffer, !copy);
  }
  assert.equal(ch.state, 0);
  ch.request();
  assert.equal([ch.state, ch.bell, ch.posted].join(), `${REQUEST},1,0`);
  ch.posting();
  assert.equal([ch.bell, ch.posted].join(), '2,1');
  ch.reply();
  assert.equal(ch.state, REPLY);
});

test('what does not fit is refused and leaves the slot as it was', () => {
  const ch = new Channel(createSlot());
  assert.equal(ch.write({ x: new Float64Array(4).fill(2) }), true);
  assert.equal(ch.write({ x: new Float64Array(SLOT_BYTES / 8) }), false);
  assert.deepEqual([...ch.read(true).x], [2, 2, 2, 2]);
});

test('views at an offset into a larger buffer are written as their own elements', () => {
  const ch = new Channel(createSlot());
  const base = Float32Array.from([0, 1, 2, 3, 4, 5]);
  ch.write({ v: base.subarray(2, 5) });
  assert.deepEqual([...ch.read(true).v], [2, 3, 4]);
});

test('the binary run form carries resident ids, arrays with shapes, and the result', () => {
  const ch = new Channel(createSlot());
  const a = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const b = BigInt64Array.from([7n, -8n]);
  assert.equal(
    ch.writeRun(9, 4, 2, undefined, [{ resident: 12 }, { dtype: 'float32', shape: [2, 3], data: a }, { dtype: 'int64', shape: [2], data: b }]),
    true,
  );
  assert.equal(ch.binary, true);
  const { id, args } = ch.readRun();
  assert.equal(id, 9);
  assert.equal(args.id, 4);
  assert.equal(args.threads, 2);
  assert.equal(args.out, undefined);
  assert.deepEqual(args.inputs[0], { resident: 12 });
  assert.deepEqual(args.inputs[1].shape, [2, 3]);
  assert.deepEqual([...args.inputs[1].data], [...a]);
  assert.equal(args.inputs[2].dtype, 'int64');
  assert.deepEqual([...args.inputs[2].data], [...b]);

  const data = Float64Array.from([0.5, -0, NaN]);
  assert.equal(ch.writeResult({ result: { dtype: 'float64', shape: [3, 1], data }, computeMs: 0.25 }), true);
  const r = ch.readResult();
  assert.equal(r.ok, true);
  assert.equal(r.result.computeMs, 0.25);
  assert.deepEqual(r.result.result.shape, [3, 1]);
  assert.ok(!(r.result.result.data.buffer instanceof SharedArrayBuffer));
  assert.ok(Object.is(r.result.result.data[1], -0) && Number.isNaN(r.result.result.data[2]));

  // A result written into a resident `out` has no data; a result too big is refused.
  ch.writeResult({ result: null, computeMs: 1 });
  assert.equal(ch.readResult().result.result, null);
  assert.equal(ch.writeResult({ result: { dtype: 'float64', shape: [SLOT_BYTES], data: new Float64Array(SLOT_BYTES / 8 + 1) }, computeMs: 0 }), false);
  // Once JSON is written the slot is no longer in binary form.
  ch.write({ ok: false });
  assert.equal(ch.binary, false);
  // A run with an out id.
  ch.writeRun(1, 2, 1, 5, [{ resident: 3 }]);
  assert.equal(ch.readRun().args.out, 5);
});
