// Numba-style kernels in Node (threads build, in a compute worker thread): nw.kernels(source), call with
// positional and keyword arguments, results as NDArrays, arrays written back into the
// caller's arrays (typed, plain, NDArray-like, strided, resident), inspect, errors with
// spans, and free().

import assert from 'node:assert/strict';
import { before, test } from 'node:test';

import * as nw from '../src/node.js';

const kind = (k, re) => (e) => e.name === 'NumwasmError' && e.kind === k && (!re || re.test(e.message));

const EXAMPLES = `
import numpy as np
from numba import njit, jit, prange

@njit
def ssum(a):
    s = 0
    for x in a:
        s += x
    return s

@jit(nopython=True)
def logistic_regression(Y, X, w, iterations):
    for i in range(iterations):
        w -= np.dot(((1.0 / (1.0 + np.exp(-Y * np.dot(X, w))) - 1.0) * Y), X)
    return w

@njit(parallel=True)
def normalize(x):
    ret = np.empty_like(x)
    for i in prange(x.shape[0]):
        acc = 0.0
        for j in range(x.shape[1]):
            acc += x[i, j] ** 2
        norm = np.sqrt(acc)
        ret[i, :] = x[i, :] / norm
    return ret

@njit
def every(x, n, step=1):
    total = 0.0
    for i in range(0, n, step):
        total += x[i]
    return total

@njit
def minmax(a):
    lo = a[0]
    hi = a[0]
    for x in a:
        lo = min(lo, x)
        hi = max(hi, x)
    return lo, hi

@njit
def split(a):
    return a * 2, a.sum()

@njit
def scale(a, k):
    for i in range(a.shape[0]):
        a[i] *= k

@njit
def scale2(a, k):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            a[i, j] *= k

@njit
def at10(a):
    return a[10]

@njit
def ident(x):
    return x
`;

let m;

before(async () => {
  await nw.init();
  m = await nw.kernels(EXAMPLES);
});

test('the README usage runs as written', async () => {
  const k = await nw.kernels(`
import numpy as np
from numba import njit

@njit
def filter_lt50(arr):
    result = []
    for x in arr:
        if x < 50:
            result.append(x)
    return result

@njit
def f(x, n, step=1):
    total = 0.0
    for i in range(0, n, step):
        total += x[i]
    return total
`);
  assert.deepEqual(k.names, ['filter_lt50', 'f']);
  const a = new BigInt64Array([10n, 60n, 20n, 70n, 30n]);
  const r = await k.call('filter_lt50', [a]);
  assert.equal(r.dtype, 'int64');
  assert.deepEqual(r.shape, [3]);
  assert.deepEqual([...r.data], [10n, 20n, 30n]);
  assert.equal(r.signature, '(array(int64, 1d, C)) -> list(int64)');
  assert.ok(r.timing.computeMs >= 0 && r.timing.totalMs >= r.timing.computeMs);
  assert.equal(r.timing.threads, 1);
  const x = new Float64Array([1, 2, 4, 8]);
  const s = await k.call('f', [x, 3], { kwargs: { step: 2 }, threads: 1 });
  assert.deepEqual({ shape: s.shape, dtype: s.dtype, v: s.data[0] }, { shape: [], dtype: 'float64', v: 5 });
  const i = await k.inspect('filter_lt50', [a]);
  assert.equal(i.signature, '(array(int64, 1d, C)) -> list(int64)');
  assert.match(i.typedIr, /fn filter_lt50\(arr: array\(int64, 1d, C\)\) -> list\(int64\)/);
  assert.match(i.typedIr, /append\(result, x\)/);
  k.free();
});

test('filter_lt50 on an int64 array returns a list as a 1-d int64 NDArray', async () => {
  const k = await nw.kernels(`
from numba import njit

@njit
def filter_lt50(arr):
    result = []
    for x in arr:
        if x < 50:
            result.append(x)
    return result
`);
  const r = await k.call('filter_lt50', [new BigInt64Array([10n, 60n, 20n, 70n, 30n, 50n])]);
  assert.deepEqual({ dtype: r.dtype, shape: r.shape, data: [...r.data] }, { dtype: 'int64', shape: [3], data: [10n, 20n, 30n] });
  const none = await k.call('filter_lt50', [new BigInt64Array([99n])]);
  assert.deepEqual({ dtype: none.dtype, shape: none.shape, n: none.data.length }, { dtype: 'int64', shape: [0], n: 0 });
  k.free();
});

test("logistic regression updates the caller's w in place, as Numba does", async () => {
  const Y = new Float64Array([1, -1, 1, -1]);
  const X = { data: new Float64Array([0.1, 0.2, 0.3, 0.1, -0.2, 0.5, 0.4, -0.3]), shape: [4, 2] };
  const w = new Float64Array([0.5, -0.5]);
  const r = await m.call('logistic_regression', [Y, X, w, 3]);
  // Numba's result for the same arguments, to the bit.
  const want = [-0.7138595786841743, 0.8585631971665646];
  assert.deepEqual([...w], want);
  assert.deepEqual({ dtype: r.dtype, shape: r.shape, data: [...r.data] }, { dtype: 'float64', shape: [2], data: want });
  assert.equal(
    r.signature,
    '(array(float64, 1d, C), array(float64, 2d, C), array(float64, 1d, C), int64) -> array(float64, 1d, C)',
  );
  // The arrays it only read are as they were.
  assert.deepEqual([...Y], [1, -1, 1, -1]);
  assert.deepEqual([...X.data], [0.1, 0.2, 0.3, 0.1, -0.2, 0.5, 0.4, -0.3]);
});

test('a 2-d NDArray argument gives a 2-d NDArray (row normalisation)', async () => {
  const data = Float64Array.from({ length: 12 }, (_, i) => Math.sin(i + 1) * 3);
  const r = await m.call('normalize', [{ data, shape: [4, 3] }]);
  assert.deepEqual({ dtype: r.dtype, shape: r.shape }, { dtype: 'float64', shape: [4, 3] });
  for (let i = 0; i < 4; i++) {
    let acc = 0;
    for (let j = 0; j < 3; j++) acc += data[i * 3 + j] * data[i * 3 + j];
    const norm = Math.sqrt(acc);
    for (let j = 0; j < 3; j++) assert.equal(r.data[i * 3 + j], data[i * 3 + j] / norm, `[${i}, ${j}]`);
  }
  assert.equal(r.signature, '(array(float64, 2d, C)) -> array(float64, 2d, C)');
});

test('keyword arguments bind by name; defaults fill the rest', async () => {
  const x = new Float64Array([1, 2, 4, 8, 16]);
  const sum = async (args, kwargs) => (await m.call('every', args, { kwargs })).data[0];
  assert.equal(await sum([x, 5]), 31);
  assert.equal(await sum([x, 5], { step: 2 }), 21);
  assert.equal(await sum([x], { step: 3, n: 5 }), 9);
  assert.equal(await sum([], { x, n: 4, step: 1 }), 15);
  await assert.rejects(m.call('every', [x, 5], { kwargs: { stride: 2 } }), kind('TypeError', /unexpected keyword argument 'stride'/));
  await assert.rejects(m.call('every', [x, 5], { kwargs: { n: 2 } }), kind('TypeError', /multiple values for argument 'n'/));
  await assert.rejects(m.call('every', [x]), kind('TypeError', /missing required argument 'n'/));
});

test('an array written through a keyword argument is written back into it', async () => {
  const a = new Int32Array([1, 2, 3]);
  assert.equal(await m.call('scale', [], { kwargs: { k: 3, a } }), undefined);
  assert.deepEqual([...a], [3, 6, 9]);
});

test('a tuple result is a JS array of NDArrays, with timing and signature on the array', async () => {
  const r = await m.call('minmax', [new Float64Array([3, -1.5, 7, 2])]);
  assert.ok(Array.isArray(r));
  assert.deepEqual(r, [
    { data: new Float64Array([-1.5]), shape: [], dtype: 'float64' },
    { data: new Float64Array([7]), shape: [], dtype: 'float64' },
  ]);
  assert.equal(r.signature, '(array(float64, 1d, C)) -> UniTuple(float64, 2)');
  assert.equal(r.timing.threads, 1);
  const [twice, total] = await m.call('split', [new Float64Array([1, 2, 3.5])]);
  assert.deepEqual({ dtype: twice.dtype, shape: twice.shape, data: [...twice.data] }, { dtype: 'float64', shape: [3], data: [2, 4, 7] });
  assert.deepEqual({ dtype: total.dtype, shape: total.shape, data: [...total.data] }, { dtype: 'float64', shape: [], data: [6.5] });
});

test('a None result is undefined; the write goes back into typed, plain and NDArray-like arguments', async () => {
  const typed = new Float32Array([1, 2, 3]);
  assert.equal(await m.call('scale', [typed, 2]), undefined);
  assert.deepEqual([...typed], [2, 4, 6]);
  const plain = [1, 2, 3];
  await m.call('scale', [plain, 0.5]);
  assert.deepEqual(plain, [0.5, 1, 1.5]);
  const like = { data: new Uint8Array([1, 2, 3, 4]), shape: [2, 2], dtype: 'uint8' };
  await m.call('scale2', [like, 3]);
  assert.deepEqual([...like.data], [3, 6, 9, 12]);
});

test('strided NDArray-likes are gathered for the kernel and written back through their strides', async () => {
  // Every other element from offset 1: the kernel sees [1, 2, 3].
  const s = { data: new Float64Array([0, 1, 0, 2, 0, 3]), shape: [3], stride: [2], offset: 1 };
  await m.call('scale', [s, 10]);
  assert.deepEqual([...s.data], [0, 10, 0, 20, 0, 30]);
  // A transposed 2x3 view of a 3x2 C-order buffer: element [i, j] lives at j*2 + i.
  const t = { data: Float64Array.from([1, 2, 3, 4, 5, 6]), shape: [2, 3], stride: [1, 2] };
  const seen = await m.call('ident', [t]);
  assert.deepEqual([...seen.data], [1, 3, 5, 2, 4, 6]);
  await m.call('scale2', [t, -1]);
  assert.deepEqual([...t.data], [-1, -2, -3, -4, -5, -6]);
});

test('a scalar result is a 0-d NDArray', async () => {
  const r = await m.call('ssum', [new Int32Array([1, 2, 3, 4])]);
  assert.deepEqual({ dtype: r.dtype, shape: r.shape, data: [...r.data] }, { dtype: 'int64', shape: [], data: [10n] });
  assert.equal(r.signature, '(array(int32, 1d, C)) -> int64');
  const f = await m.call('ssum', [new Float64Array([0.5, 0.25])]);
  assert.deepEqual({ dtype: f.dtype, shape: f.shape, data: [...f.data] }, { dtype: 'float64', shape: [], data: [0.75] });
});

test('scalars: weak Python ints, floats and bools; 0-d NDArray-likes are NumPy scalars', async () => {
  const sig = async (v) => (await m.call('ident', [v])).signature;
  assert.equal(await sig(3), '(int64) -> int64');
  assert.equal(await sig(2.5), '(float64) -> float64');
  assert.equal(await sig({ scalar: 'float', value: 2 }), '(float64) -> float64');
  assert.equal(await sig({ scalar: 'int', value: 7 }), '(int64) -> int64');
  assert.equal(await sig(true), '(bool) -> bool');
  assert.equal(await sig(5n), '(int64) -> int64');
  assert.equal(await sig({ data: new Float32Array([1.5]), shape: [] }), '(float32) -> float32');
  assert.equal(await sig({ data: new Uint8Array([7]), shape: [] }), '(uint8) -> uint8');
  const r = await m.call('ident', [{ data: new Float32Array([1.5]), shape: [] }]);
  assert.deepEqual({ dtype: r.dtype, shape: r.shape, v: r.data[0] }, { dtype: 'float32', shape: [], v: 1.5 });
  const b = await m.call('ident', [false]);
  assert.deepEqual({ dtype: b.dtype, v: b.data[0] }, { dtype: 'bool', v: 0 });
  await assert.rejects(m.call('ident', [2n ** 70n]), kind('OverflowError'));
});

test('resident arrays are written in place in wasm memory', async () => {
  const before = await nw.residentCount();
  const h = await nw.array(new Float64Array([1, 2, 3]));
  assert.equal(await m.call('scale', [h, 2]), undefined);
  assert.deepEqual([...(await h.toArray()).data], [2, 4, 6]);
  const s = await m.call('ssum', [h]);
  assert.equal(s.data[0], 12);
  // Through a keyword too.
  await m.call('scale', [], { kwargs: { a: h, k: -1 } });
  assert.deepEqual([...(await h.toArray()).data], [-2, -4, -6]);
  h.free();
  assert.equal(await nw.residentCount(), before);
  await assert.rejects(m.call('scale', [h, 2]), kind('ValueError', /freed/));
});

test('resident: true keeps array, list and tuple results in wasm memory for later calls', async () => {
  const before = await nw.residentCount();
  const x = new Float64Array([3, 4, 0.5, -2, 1, 1]);
  const norm = await m.call('normalize', [{ data: x, shape: [3, 2] }], { resident: true });
  assert.ok(norm instanceof nw.ResidentArray);
  assert.deepEqual({ dtype: norm.dtype, shape: [...norm.shape] }, { dtype: 'float64', shape: [3, 2] });
  assert.equal(norm.signature, '(array(float64, 2d, C)) -> array(float64, 2d, C)');
  assert.equal(typeof norm.timing.computeMs, 'number');
  const copied = await m.call('normalize', [{ data: x, shape: [3, 2] }]);
  assert.deepEqual([...(await norm.toArray()).data], [...copied.data]);
  // A resident result is an argument like any resident array, and written in place.
  await m.call('scale2', [norm, 2]);
  assert.deepEqual([...(await norm.toArray()).data], [...copied.data].map((v) => v * 2));
  // A tuple's array member is resident, its scalar a 0-d NDArray.
  const [twice, total] = await m.call('split', [new Float64Array([1, 2, 3.5])], { resident: true });
  assert.ok(twice instanceof nw.ResidentArray);
  assert.deepEqual([...(await twice.toArray()).data], [2, 4, 7]);
  assert.equal((await m.call('ssum', [twice])).data[0], 13);
  assert.deepEqual({ shape: total.shape, data: [...total.data] }, { shape: [], data: [6.5] });
  // A list too; scalar results are unchanged.
  const lt = await nw.kernels(`
from numba import njit
@njit
def small(a):
    out = []
    for x in a:
        if x < 2:
            out.append(x)
    return out
`);
  const l = await lt.call('small', [new Int32Array([5, 1, 0, 7, -3])], { resident: true });
  assert.deepEqual({ dtype: l.dtype, shape: [...l.shape], data: [...(await l.toArray()).data] }, { dtype: 'int32', shape: [3], data: [1, 0, -3] });
  const s = await m.call('ssum', [new Int32Array([1, 2])], { resident: true });
  assert.deepEqual([...s.data], [3n]);
  assert.equal(await nw.residentCount(), before + 3);
  for (const h of [norm, twice, l]) h.free();
  lt.free();
  assert.equal(await nw.residentCount(), before);
  await assert.rejects(m.call('ssum', [x], { resident: 1 }), kind('TypeError', /resident must be true or false/));
});

test('an argument returned whole is the caller\'s own array (a ufunc\'s out=, return a), not a copy', async () => {
  const u = await nw.kernels(`
import numpy as np
from numba import njit, vectorize, float64

@vectorize([float64(float64, float64)])
def axpb(x, y):
    return 2.0 * x + y

@njit
def bump(a):
    a += 1.0
    return a

@njit
def pick(a, b):
    return b

@njit
def both(a):
    return a, a[1:]
`);
  // The result's data views the caller's memory (a fresh view: the caller's object could
  // lie about its length).
  const same = (d, t) => d.constructor === t.constructor && d.buffer === t.buffer && d.byteOffset === t.byteOffset && d.length === t.length;
  const x = new Float64Array([1, 2, 3, 4]);
  const y = new Float64Array([0.5, 0.5, 0.5, 0.5]);
  // A ufunc's out=, given as the argument after the inputs or as a keyword.
  for (const call of [
    (out) => u.call('axpb', [x, y, out]),
    (out) => u.call('axpb', [x, y], { kwargs: { out } }),
  ]) {
    const out = new Float64Array(4);
    const r = await call(out);
    assert.ok(same(r.data, out));
    assert.equal(r.timing.tier, 'wasm');
    assert.deepEqual({ dtype: r.dtype, shape: r.shape, data: [...out] }, { dtype: 'float64', shape: [4], data: [2.5, 4.5, 6.5, 8.5] });
    assert.match(r.signature, /-> array\(float64, 1d, C\)$/);
  }
  // An NDArray-like out: the result is over its data; a strided one is read back in C order.
  const nd = { data: new Float64Array(4), shape: [2, 2] };
  const r2 = await u.call('axpb', [{ data: x, shape: [2, 2] }, 1.0, nd]);
  assert.ok(same(r2.data, nd.data));
  assert.deepEqual(r2.shape, [2, 2]);
  const backing = new Float64Array(8);
  const strided = { data: backing, shape: [4], stride: [2], offset: 1 };
  const r3 = await u.call('axpb', [x, 0.0, strided]);
  assert.notEqual(r3.data, backing);
  assert.deepEqual([...r3.data], [2, 4, 6, 8]);
  assert.deepEqual([...backing], [0, 2, 0, 4, 0, 6, 0, 8]);
  // An njit kernel returning its argument; a view of it is a new array.
  const a = new Float64Array([1, 2, 3]);
  const b = await u.call('bump', [a]);
  assert.ok(same(b.data, a));
  assert.deepEqual([...a], [2, 3, 4]);
  b.data[0] = 7;
  assert.equal(a[0], 7);
  // Empty arguments are never taken for one another (their buffers may share an address).
  const empty = await u.call('pick', [new Int32Array(0), new Float64Array(0)]);
  assert.deepEqual({ dtype: empty.dtype, n: empty.data.length }, { dtype: 'float64', n: 0 });
  const [whole, tail] = await u.call('both', [a]);
  assert.ok(same(whole.data, a));
  assert.notEqual(tail.data.buffer, a.buffer);
  assert.deepEqual([...tail.data], [3, 4]);

  // resident: true with a resident out gives back that ResidentArray itself, nothing new
  // kept; its timing is the latest call's.
  const before = await nw.residentCount();
  const hx = await nw.array(new Float64Array([1, 2, 3, 4]));
  const hout = await nw.array(new Float64Array(4));
  for (const k of [1, 2]) {
    const r = await u.call('axpb', [hx, k, hout], { resident: true });
    assert.equal(r, hout);
    assert.equal(typeof r.timing.computeMs, 'number');
    assert.deepEqual([...(await hout.toArray()).data], [2 + k, 4 + k, 6 + k, 8 + k]);
  }
  assert.equal(await nw.residentCount(), before + 2);
  // A resident out without resident: true comes back as a copy; a typed out with
  // resident: true as a new resident array holding what out holds.
  const c = await u.call('axpb', [hx, 0.0, hout]);
  assert.ok(!(c instanceof nw.ResidentArray));
  assert.deepEqual([...c.data], [2, 4, 6, 8]);
  const out = new Float64Array(4);
  const kept = await u.call('axpb', [x, 1.0, out], { resident: true });
  assert.ok(kept instanceof nw.ResidentArray);
  assert.deepEqual([...(await kept.toArray()).data], [...out]);
  assert.deepEqual([...out], [3, 5, 7, 9]);
  for (const h of [hx, hout, kept]) h.free();
  assert.equal(await nw.residentCount(), before);
  u.free();
});

test('module errors reject nw.kernels() with kind, span, notes and a code frame', async () => {
  const typing = `import numpy as np
from numba import njit

@njit("float64(float64)")
def f(a):
    return a + (1, 2)
`;
  const e = await nw.kernels(typing).catch((err) => err);
  assert.ok(kind('TypingError', /No implementation of operator \+/)(e), String(e));
  assert.equal(typing.slice(e.span.start, e.span.end), 'a + (1, 2)');
  assert.match(e.format(), /^TypingError: .*\n {6}return a \+ \(1, 2\)\n {13}\^{10}$/);

  const name = `from numba import njit

@njit("float64(float64)")
def f(amount):
    return amout * 2
`;
  const n = await nw.kernels(name).catch((err) => err);
  assert.ok(kind('NameError', /'amout' is not defined/)(n), String(n));
  assert.equal(name.slice(n.span.start, n.span.end), 'amout');
  assert.deepEqual(n.notes, ["did you mean 'amount'?"]);
  assert.match(n.format(), /= note: did you mean 'amount'\?$/);

  const syntax = await nw.kernels('def (:').catch((err) => err);
  assert.equal(syntax.kind, 'SyntaxError');
  await assert.rejects(nw.kernels('import os\n'), kind('ImportError'));
  await assert.rejects(nw.kernels(42), kind('TypeError', /must be a string/));
});

test('run-time errors point into the kernel; the module stays usable', async () => {
  const e = await m.call('at10', [new Float64Array([1, 2, 3])]).catch((err) => err);
  assert.ok(kind('IndexError', /index 10 is out of bounds for axis 0 with size 3/)(e), String(e));
  assert.equal(EXAMPLES.slice(e.span.start, e.span.end), 'a[10]');
  assert.equal(e.source, EXAMPLES);
  assert.match(e.format(), /\n {6}return a\[10\]\n {13}\^{5}$/);
  assert.equal((await m.call('at10', [Float64Array.from({ length: 11 }, (_, i) => i)])).data[0], 10);

  const unknown = await m.call('ssun', [new Float64Array(1)]).catch((err) => err);
  assert.ok(kind('NameError', /no kernel named 'ssun'/)(unknown), String(unknown));
  assert.deepEqual(unknown.notes, ["did you mean 'ssum'?"]);
  assert.ok(unknown.format().startsWith('NameError: '));
  await assert.rejects(m.call('ssum', [new Float64Array(1), 2]), kind('TypeError', /takes 1 positional argument/));
  assert.equal((await m.call('ssum', [new Float64Array([1, 2])])).data[0], 3);
});

test('bad arguments and options are clear errors; threads are checked like evaluate', async () => {
  const a = new Float64Array([1]);
  await assert.rejects(m.call('ssum', a), kind('TypeError', /arguments must be an array/));
  await assert.rejects(m.call(1, [a]), kind('TypeError', /kernel name must be a string/));
  await assert.rejects(m.call('ssum', ['text']), kind('TypeError'));
  await assert.rejects(m.call('ssum', [a], { kwarg: {} }), kind('TypeError', /unexpected option 'kwarg'/));
  await assert.rejects(m.call('ssum', [a], { kwargs: [1] }), kind('TypeError', /kwargs must be an object/));
  await assert.rejects(m.call('ssum', [a], { threads: 0 }), kind('ValueError', /number of threads/));
  await assert.rejects(m.call('ssum', [a], { threads: 2.5 }), kind('ValueError', /number of threads/));
  await assert.rejects(nw.evaluate('a', { a }, { threads: -1 }), kind('ValueError', /number of threads/));
  assert.equal((await m.call('ssum', [a], { threads: 1 })).timing.threads, 1);
});

test('free() releases the module; later calls reject, freeing twice is harmless', async () => {
  const k = await nw.kernels('from numba import njit\n@njit\ndef one():\n    return 1\n');
  assert.equal((await k.call('one', [])).data[0], 1n);
  k.free();
  k.free();
  await assert.rejects(k.call('one', []), kind('ValueError', /kernel module was freed/));
  await assert.rejects(k.inspect('one', []), kind('ValueError', /kernel module was freed/));
  assert.deepEqual(k.names, ['one']);
  // Other modules are unaffected.
  assert.equal((await m.call('ssum', [new Int8Array([1, 2])])).data[0], 3n);
});
