// The expression API in Node (threads build, in a compute worker thread): evaluate, compile/run, resident
// arrays, outputs, errors with spans, and usability after errors.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as nw from '../src/node.js';

const kind = (k, re) => (e) => e.name === 'NumwasmError' && e.kind === k && (!re || re.test(e.message));

before(async () => {
  await nw.init();
});

function poly(x, y, z) {
  return x + (y ** 2 + (z * x + 1) * 3);
}

test('evaluate computes the poly workload exactly like a JS loop', async () => {
  const n = 10_007;
  const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i) * 3);
  const y = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.7));
  const z = Float64Array.from({ length: n }, (_, i) => (i % 17) - 8);
  const r = await nw.evaluate('x + (y**2 + (z*x + 1)*3)', { x, y, z });
  assert.equal(r.dtype, 'float64');
  assert.deepEqual(r.shape, [n]);
  for (let i = 0; i < n; i++) assert.equal(r.data[i], poly(x[i], y[i], z[i]), `element ${i}`);
  assert.ok(r.timing.computeMs >= 0 && r.timing.totalMs >= r.timing.computeMs);
  // A call this small (its estimated serial time is under the 0.5 ms parallel threshold)
  // stays on the compute worker alone.
  assert.equal(r.timing.threads, 1);
});

test('dtypes follow NumPy 2: weak scalars, int division, reductions', async () => {
  const i8 = new Int8Array([100, -100, 7]);
  let r = await nw.evaluate('a + 100', { a: i8 });
  assert.equal(r.dtype, 'int8');
  assert.deepEqual([...r.data], [-56, 0, 107]);
  r = await nw.evaluate('a / 2', { a: i8 });
  assert.equal(r.dtype, 'float64');
  assert.deepEqual([...r.data], [50, -50, 3.5]);
  r = await nw.evaluate('a // 0', { a: i8 });
  assert.deepEqual([...r.data], [0, 0, 0]);
  r = await nw.evaluate('sum(a)', { a: new Int32Array([1, 2, 3]) });
  assert.deepEqual({ dtype: r.dtype, shape: r.shape, v: r.data[0] }, { dtype: 'int64', shape: [], v: 6n });
  r = await nw.evaluate('a > 0', { a: i8 });
  assert.equal(r.dtype, 'bool');
  assert.deepEqual([...r.data], [1, 0, 1]);
  r = await nw.evaluate('x - mean(x)', { x: [1, 2, 3, 6] });
  assert.deepEqual([...r.data], [-2, -1, 0, 3]);
  await assert.rejects(nw.evaluate('a + 300', { a: i8 }), kind('OverflowError'));
});

test('n-d inputs broadcast, bigints and booleans are accepted', async () => {
  const m = { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] };
  const r = await nw.evaluate('m * v', { m, v: new Float32Array([1, 10, 100]) });
  assert.deepEqual(r.shape, [2, 3]);
  assert.equal(r.dtype, 'float32');
  assert.deepEqual([...r.data], [1, 20, 300, 4, 50, 600]);
  const s = await nw.evaluate('sum(m, axis=1)', { m });
  assert.deepEqual([...s.data], [6, 15]);
  const b = await nw.evaluate('where(c, a, k)', { c: { data: new Uint8Array([1, 0]), dtype: 'bool' }, a: new BigInt64Array([5n, 6n]), k: 9n });
  assert.equal(b.dtype, 'int64');
  assert.deepEqual([...b.data], [5n, 9n]);
});

test('compile once, run many times; shapes may change, dtypes may not', async () => {
  const c = await nw.compile('2*a + 3*b', { a: 'float64', b: 'float64' });
  assert.deepEqual(c.inputNames, ['a', 'b']);
  assert.deepEqual(c.signature, { a: 'float64', b: 'float64' });
  for (const n of [1, 5, 1000]) {
    const a = Float64Array.from({ length: n }, (_, i) => i);
    const b = Float64Array.from({ length: n }, (_, i) => 1 - i);
    const r = await c.run({ a, b });
    assert.deepEqual([...r.data], [...a].map((v, i) => 2 * v + 3 * b[i]));
  }
  const text = await c.disassemble();
  assert.match(text, /; bytecode/);
  const ir = await c.ir();
  assert.deepEqual(ir.params.map((p) => p.name), ['a', 'b']);
  assert.equal(ir.nodes[ir.root].op, 'add');
  assert.deepEqual(ir.nodes.filter((n) => n.op === 'const').map((n) => n.value).sort(), ['2.0', '3.0']);
  await assert.rejects(c.run({ a: new Float32Array(2), b: new Float64Array(2) }), kind('TypeError', /compiled as float64/));
  await assert.rejects(c.run({ a: new Float64Array(2) }), kind('NameError', /missing input 'b'/));
  await assert.rejects(c.run({ a: new Float64Array(2), b: new Float64Array(2), q: 1 }), kind('TypeError', /unexpected input/));
  await assert.rejects(nw.compile('a +', { a: 'float64' }), kind('SyntaxError'));
  await assert.rejects(nw.compile('a', { a: 'float16' }), kind('TypeError', /unknown dtype/));
  c.free();
});

test('explicit scalars: a whole-valued float stays a Python float; compile() can fold a value', async () => {
  const a = new Int8Array([3]);
  const asInt = await nw.evaluate('a * k', { a, k: 2 });
  assert.deepEqual({ dtype: asInt.dtype, v: asInt.data[0] }, { dtype: 'int8', v: 6 });
  const asFloat = await nw.evaluate('a * k', { a, k: { scalar: 'float', value: 2 } });
  assert.deepEqual({ dtype: asFloat.dtype, v: asFloat.data[0] }, { dtype: 'float64', v: 6 });
  const c = await nw.compile('a * k', { a: 'int8', k: { scalar: 'float', value: 2.5 } });
  const ir = await c.ir();
  assert.ok(ir.nodes.some((n) => n.op === 'const' && n.value === '2.5'), JSON.stringify(ir.nodes));
  const r = await c.run({ a, k: { scalar: 'float', value: 0.5 } });
  assert.equal(r.data[0], 1.5, 'run() takes any value of the compiled kind');
  await assert.rejects(nw.evaluate('a * k', { a, k: { scalar: 'float', value: 'x' } }), kind('TypeError', /not a Python float/));
  await assert.rejects(nw.evaluate('a * k', { a, k: { scalar: 'complex', value: 1 } }), kind('TypeError'));
  await assert.rejects(nw.evaluate('a * k', { a, k: { scalar: 'int' } }), kind('TypeError', /needs a value/));
});

test('out receives the result; a wrong out is a ValueError', async () => {
  const out = new Float64Array(3);
  const r = await nw.evaluate('a * 2', { a: [1, 2, 3] }, { out });
  assert.equal(r.data, out);
  assert.deepEqual([...out], [2, 4, 6]);
  await assert.rejects(nw.evaluate('a * 2', { a: [1, 2, 3] }, { out: new Float32Array(3) }), kind('ValueError', /out must be a Float64Array/));
  await assert.rejects(nw.evaluate('a * 2', { a: [1, 2, 3] }, { out: [0, 0, 0] }), kind('TypeError'));
});

test('resident arrays are used without copying and can be freed', async () => {
  const before = await nw.residentCount();
  const h = await nw.array(new Float64Array([1, 2, 3]));
  assert.deepEqual({ dtype: h.dtype, shape: h.shape }, { dtype: 'float64', shape: [3] });
  const r = await nw.evaluate('sum(h*h)', { h });
  assert.equal(r.data[0], 14);
  assert.deepEqual([...(await h.toArray()).data], [1, 2, 3]);
  assert.equal(await nw.residentCount(), before + 1);
  h.free();
  h.free();
  assert.equal(await nw.residentCount(), before);
  await assert.rejects(nw.evaluate('h + 1', { h }), kind('ValueError', /freed/));
  await assert.rejects(h.toArray(), kind('ValueError', /freed/));
  await assert.rejects(nw.array(3), kind('TypeError'));
});

test('out may be a resident array: the result stays in wasm memory', async () => {
  const x = await nw.array(new Float64Array([1, 2, 3]));
  const out = await nw.array(new Float64Array(3));
  const r = await nw.evaluate('x * 10 + 1', { x }, { out });
  assert.equal(r, out);
  assert.ok(r.timing.computeMs >= 0);
  assert.deepEqual([...(await out.toArray()).data], [11, 21, 31]);
  const c = await nw.compile('x - 1', { x: 'float64' });
  await c.run({ x }, { out });
  assert.deepEqual([...(await out.toArray()).data], [0, 1, 2]);
  await assert.rejects(nw.evaluate('x * 2', { x }, { out: x }), kind('ValueError', /also an input/));
  const wrong = await nw.array(new Float32Array(3));
  await assert.rejects(nw.evaluate('x * 2', { x }, { out: wrong }), kind('ValueError', /out is float32/));
  assert.deepEqual([...(await wrong.toArray()).data], [0, 0, 0], 'a failed call leaves out as it was');
  wrong.free();
  out.free();
  await assert.rejects(nw.evaluate('x * 2', { x }, { out }), kind('ValueError', /freed/));
  x.free();
});

test('errors carry kind, span and notes; the engine stays usable after each', async () => {
  const x = new Float64Array([1, 2]);
  const cases = [
    ['x + * 2', 'SyntaxError', { start: 4, end: 5 }],
    ['sinn(x)', 'NameError', { start: 0, end: 4 }],
    ['x and x', 'SyntaxError', null],
    ['x << 1', 'TypeError', null],
    ['x + q', 'NameError', { start: 4, end: 5 }],
    ['((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x', 'SyntaxError', null],
  ];
  for (const [src, k, span] of cases) {
    const e = await nw.evaluate(src, { x }).then(() => null, (err) => err);
    assert.ok(e, `${src} should fail`);
    assert.equal(e.kind, k, `${src}: ${e.message}`);
    if (span) assert.deepEqual(e.span, span, src);
    assert.ok(e.format().startsWith(`${k}: `));
    const ok = await nw.evaluate('x * 2', { x });
    assert.deepEqual([...ok.data], [2, 4]);
  }
  const e = await nw.evaluate('sinn(x)', { x }).catch((err) => err);
  assert.deepEqual(e.notes, ["did you mean 'sin'?"]);
  assert.match(e.format(), /\^\^\^\^\n {2}= note: did you mean 'sin'\?/);
  // 'é' is one UTF-16 code unit but two UTF-8 bytes: spans must count code units.
  const u = await nw.evaluate('x + é', { x }).catch((err) => err);
  assert.equal(u.kind, 'SyntaxError');
  assert.deepEqual(u.span, { start: 4, end: 5 }, 'spans count UTF-16 code units');
  const v = await nw.evaluate('"é" + x + * 2', { x }).catch((err) => err);
  assert.equal(v.kind, 'SyntaxError');
  assert.equal(v.span.start, 0);
});

test('bad call arguments are clear errors', async () => {
  await assert.rejects(nw.evaluate(42, {}), kind('TypeError', /must be a string/));
  await assert.rejects(nw.evaluate('a', { a: [1] }, { thread: 2 }), kind('TypeError', /unexpected option 'thread'/));
  await assert.rejects(nw.evaluate('a', { a: [1] }, { threads: 0 }), kind('ValueError'));
  await assert.rejects(nw.evaluate('a', { a: [1] }, { threads: 1.5 }), kind('ValueError'));
  await assert.rejects(nw.evaluate('a', { a: 'text' }), kind('TypeError'));
  await assert.rejects(nw.evaluate('a', { a: { data: new Float64Array(3), shape: [2] } }), kind('ValueError'));
});

test('a result larger than wasm memory is a clear error, not a trap', async () => {
  // 1e10 elements: beyond wasm32's address space (ValueError, like NumPy's "array is too
  // big") or its 4 GiB of memory (MemoryError).
  const a = { data: new Float64Array(100_000), shape: [100_000, 1] };
  await assert.rejects(
    nw.evaluate('a + b', { a, b: new Float64Array(100_000) }),
    (e) => e.name === 'NumwasmError' && ['MemoryError', 'ValueError'].includes(e.kind),
  );
  assert.equal((await nw.evaluate('sum(b)', { b: [1, 2] })).data[0], 3);
});
