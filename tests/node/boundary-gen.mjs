// A property-based test of the JS boundary, shared by Node (tests/node/boundary_property.test.mjs,
// the simd build in-process) and Chromium (tests/e2e/boundary.test.mjs, the threads build in
// an isolated page): random and hostile input values, from a seeded PRNG, against evaluate(),
// compile().run(), array() and a kernel's call(). The property: every call settles; a
// rejection is a NumwasmError with a known kind; a result is a well-formed NDArray; after
// every call the engine still computes a known value; the engine never restarted (nothing
// a caller passes may make it trap).
//
// Plain JS with no imports, so that a browser page can import it as it is.

/** mulberry32: a small deterministic PRNG; returns floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const KINDS = [
  'SyntaxError',
  'NameError',
  'TypeError',
  'ValueError',
  'OverflowError',
  'ZeroDivisionError',
  'MemoryError',
  'IndexError',
  'TypingError',
  'UnsupportedError',
  'AttributeError',
];

const CTORS = [
  Float64Array,
  Float32Array,
  Int8Array,
  Int16Array,
  Int32Array,
  BigInt64Array,
  Uint8Array,
  Uint8ClampedArray,
  Uint16Array,
  Uint32Array,
  BigUint64Array,
];

const DTYPE_VALUES = [
  'float64', 'float32', 'int32', 'int64', 'uint8', 'bool', 'int8', 'complex64', 'float16',
  'toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '',
  undefined, null, 8n, 8, {}, [], Symbol('f8'), Object.create(null),
];

const NAMES = ['x', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'valueOf', 'sum', 'a b', '', '1x', 'é', 'x'];

function pick(rng, list) {
  return list[Math.floor(rng() * list.length)];
}

function int(rng, lo, hi) {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** A typed array of `n` small values. */
function typed(rng, Ctor = pick(rng, CTORS), n = int(rng, 0, 6)) {
  const big = Ctor === BigInt64Array || Ctor === BigUint64Array;
  return Ctor.from({ length: n }, (_, i) => (big ? BigInt(i + 1) : i + 1));
}

/** A getter that gives `values` in turn (the last one forever), or throws on read `throwAt`. */
function lying(values, throwAt = -1) {
  let reads = 0;
  return {
    enumerable: true,
    configurable: true,
    get() {
      const r = reads++;
      if (r === throwAt) throw new Error(`read ${r} throws`);
      return values[Math.min(r, values.length - 1)];
    },
  };
}

const SHAPES = (n) => [
  [n], [n, 1], [1, n], [], [0], [4n], [NaN], [-1], [1.5], [1e5, 1e5], [2 ** 31], [2 ** 53], '4', 4, null,
  { length: 1, 0: n }, new Array(65).fill(1), [n, 0], [Infinity],
];
const STRIDES = [[1], [2], [-1], [0], [NaN], [1n], [1e300], [2 ** 53], [1, 1], 'x', [], [0, 0], [-(2 ** 40)], 1];
const OFFSETS = [0, 1, -1, 1.5, NaN, 2 ** 53, 3, '1', 1n, Infinity, undefined];

/** A hostile array-like value: each maker builds a fresh one (getters keep state). */
const MAKERS = [
  // Ordinary typed arrays, the control group.
  (rng) => typed(rng),
  (rng) => [1, 2.5, -0, NaN].slice(0, int(rng, 0, 4)),
  // Own properties that lie about a typed array.
  (rng) => {
    const t = typed(rng);
    const key = pick(rng, ['length', 'buffer', 'byteOffset', 'byteLength', 'constructor', Symbol.toStringTag]);
    const value = pick(rng, [1e9, -1, NaN, new ArrayBuffer(8), Int8Array, 'Float64Array', { name: 'Float64Array' }]);
    Object.defineProperty(t, key, rng() < 0.3 ? lying([t[key], value], int(rng, 0, 2)) : { value });
    return t;
  },
  // A subclass whose getters lie.
  (rng) => {
    class Liar extends Float64Array {
      get length() {
        return 1e6;
      }
    }
    return rng() < 0.5 ? new Liar(3).fill(2) : Object.setPrototypeOf(typed(rng, Int32Array), Float64Array.prototype);
  },
  // Detached, resizable (tracking, fixed, shrunk past the view, shrunk by a getter), shared.
  (rng) => {
    const ab = new ArrayBuffer(32);
    const t = new Float64Array(ab);
    structuredClone(ab, { transfer: [ab] });
    return t;
  },
  (rng) => {
    const ab = new ArrayBuffer(32, { maxByteLength: 64 });
    const t = rng() < 0.5 ? new Float64Array(ab) : new Float64Array(ab, 8, 2);
    t.fill(3);
    const to = pick(rng, [0, 8, 16, 24, 40, 64]);
    if (rng() < 0.5) ab.resize(to);
    else return { get data() { ab.resize(to); return t; }, shape: pick(rng, [[4], [2], undefined]) };
    return t;
  },
  (rng) => {
    if (typeof SharedArrayBuffer !== 'function') return new Float64Array(2);
    const sab = rng() < 0.5 ? new SharedArrayBuffer(16, { maxByteLength: 64 }) : new SharedArrayBuffer(16);
    return new Float64Array(sab);
  },
  // NDArray-likes with exotic dtype, shape, stride and offset values.
  (rng) => {
    const data = typed(rng, pick(rng, CTORS), int(rng, 0, 6));
    const v = { data };
    if (rng() < 0.7) v.shape = pick(rng, SHAPES(data.length));
    if (rng() < 0.5) v.dtype = pick(rng, DTYPE_VALUES);
    if (rng() < 0.4) v.stride = pick(rng, STRIDES);
    if (rng() < 0.4) v.offset = pick(rng, OFFSETS);
    if (rng() < 0.1) v.strides = [8];
    return v;
  },
  // Properties whose getters change or throw between reads.
  (rng) => {
    const data = new Float64Array([1, 2, 3, 4]);
    const v = {};
    const key = pick(rng, ['data', 'shape', 'dtype', 'stride', 'offset']);
    const normal = { data, shape: [4], dtype: 'float64', stride: [1], offset: 0 };
    const odd = { data: new Float64Array(1e3), shape: [1e9], dtype: 'int32', stride: [1000], offset: 3 };
    for (const k of ['data', 'shape']) v[k] = normal[k];
    Object.defineProperty(v, key, lying([normal[key], odd[key]], rng() < 0.4 ? int(rng, 0, 2) : -1));
    return v;
  },
  // Shapes whose entries lie: a getter element, a Proxy, a length that changes.
  (rng) => {
    const data = new Float64Array([1, 2, 3, 4]);
    let shape;
    const r = rng();
    if (r < 0.33) {
      shape = [4];
      Object.defineProperty(shape, 0, lying([4, 1e9, -1], rng() < 0.5 ? 1 : -1));
    } else if (r < 0.66) {
      let reads = 0;
      shape = new Proxy([4], { get: (t, k) => (k === '0' && reads++ > 0 ? 2 ** 40 : t[k]) });
    } else {
      shape = new Proxy([2, 2], { get: (t, k) => { if (k === 'length') throw new Error('no length'); return t[k]; } });
    }
    return { data, shape };
  },
  // Whole-value Proxies and other objects.
  (rng) =>
    pick(rng, [
      new Proxy({ data: new Float64Array(2) }, { has() { throw new Error('has trap'); } }),
      new Proxy({}, { get() { throw new Error('get trap'); } }),
      new Proxy(new Float64Array(2), {}),
      new DataView(new ArrayBuffer(8)),
      new ArrayBuffer(8),
      new Map(),
      () => 1,
      Object.create(null),
      { scalar: pick(rng, ['int', 'float', 'bool', 'toString', undefined]), value: pick(rng, [1, 1.5, true, 2n ** 70n, 'x', undefined]) },
    ]),
  // Scalars and plain arrays at the edges.
  (rng) =>
    pick(rng, [NaN, Infinity, -0, 2 ** 64, 2n ** 64n, -(2n ** 63n) - 1n, 2n ** 63n, true, 'abc', Symbol('s'), undefined, null]),
  (rng) => {
    const r = rng();
    if (r < 0.3) return [1, 'a'];
    if (r < 0.6) {
      const a = [];
      a.length = pick(rng, [2 ** 32 - 1, 2 ** 28]);
      return a;
    }
    const a = [1, 2, 3];
    Object.defineProperty(a, 1, lying([2, {}], rng() < 0.5 ? 1 : -1));
    return a;
  },
];

/** Input objects whose own keys are Object.prototype names, or that throw when read. */
function inputsFor(rng, name, value) {
  if (rng() < 0.05) {
    const o = {};
    Object.defineProperty(o, name, { enumerable: true, get() { throw new Error('inputs getter'); } });
    return o;
  }
  const o = {};
  Object.defineProperty(o, name, { value, enumerable: true, writable: true, configurable: true });
  return o;
}

const KERNELS = `
from numba import njit

@njit
def ident(a):
    return a

@njit
def bump(a):
    a[0] += 1
    return a[0]
`;

/**
 * Runs `cases` random cases from `seed` against `nw` (the package's public API). Returns a
 * summary of plain data: { cases, calls, outcomes: { ok, <kind>: n }, failures: [...] },
 * failures empty when the property held.
 */
export async function runBoundaryProperty(nw, { seed = 1, cases = 300 } = {}) {
  const rng = prng(seed);
  const failures = [];
  const outcomes = { ok: 0 };
  let calls = 0;
  const restartsBefore = nw.status().restarts;
  const module = await nw.kernels(KERNELS);
  const compiled = {
    float64: await nw.compile('x * 2', { x: 'float64' }),
    int32: await nw.compile('x * 2', { x: 'int32' }),
  };
  const check = new Float64Array([1, 2, 3]);

  const apis = [
    ['evaluate', (name, v, r) => nw.evaluate(pick(r, [`${name} + 0`, `sum(${name})`, `${name}`]), inputsFor(r, name, v))],
    ['run', (name, v, r) => compiled[pick(r, ['float64', 'int32'])].run(inputsFor(r, 'x', v))],
    ['array', async (name, v) => {
      const h = await nw.array(v);
      h.free();
      return { data: new Float64Array(0), shape: [0], dtype: 'float64' };
    }],
    ['call', (name, v, r) => module.call(pick(r, ['ident', 'bump']), [v])],
  ];

  for (let i = 0; i < cases; i++) {
    const m = Math.floor(rng() * MAKERS.length);
    const [api, fn] = pick(rng, apis);
    const name = pick(rng, NAMES);
    const label = `case ${i} (seed ${seed}): maker ${m}, ${api}, name ${JSON.stringify(name)}`;
    let value;
    try {
      value = MAKERS[m](rng);
    } catch (e) {
      failures.push({ label, problem: `the generator threw ${e}` });
      continue;
    }
    calls++;
    try {
      const result = await fn(name, value, rng);
      const problem = malformed(result);
      if (problem) failures.push({ label, problem });
      else outcomes.ok++;
    } catch (e) {
      if (e instanceof nw.NumwasmError && KINDS.includes(e.kind)) {
        outcomes[e.kind] = (outcomes[e.kind] ?? 0) + 1;
      } else {
        failures.push({ label, problem: `rejected with ${describe(e)}` });
      }
    }
    try {
      const s = await nw.evaluate('sum(x)', { x: check });
      if (s.data[0] !== 6) failures.push({ label, problem: `afterwards sum([1, 2, 3]) = ${s.data[0]}` });
    } catch (e) {
      failures.push({ label, problem: `afterwards sum([1, 2, 3]) rejected with ${describe(e)}` });
    }
  }
  // A kernel still runs correctly too.
  const k = await module.call('ident', [new Float64Array([5, 6])]);
  if (k.data[1] !== 6) failures.push({ label: 'end', problem: `ident([5, 6]) gave ${k.data}` });
  const restarts = nw.status().restarts - restartsBefore;
  if (restarts !== 0) failures.push({ label: 'end', problem: `the engine restarted ${restarts} times (${nw.status().lastRestart?.reason})` });
  module.free();
  compiled.float64.free();
  compiled.int32.free();
  return { cases, calls, outcomes, failures };
}

function describe(e) {
  if (e instanceof Error) return `${e.constructor.name} (name ${e.name}, kind ${e.kind}): ${e.message}`;
  return String(e);
}

/** Why a resolved value is not a well-formed result, or null. */
function malformed(r) {
  if (r === undefined) return null; // a kernel returning None
  if (Array.isArray(r)) return r.map(malformed).find((p) => p) ?? null;
  if (!r || typeof r !== 'object') return `resolved to ${String(r)}`;
  const { data, shape, dtype } = r;
  if (!ArrayBuffer.isView(data)) return `data is not a typed array (${Object.prototype.toString.call(data)})`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) return `bad shape ${shape}`;
  const n = shape.reduce((a, b) => a * b, 1);
  if (data.length !== n) return `data has ${data.length} elements for shape [${shape}]`;
  if (typeof dtype !== 'string') return `dtype ${String(dtype)}`;
  return null;
}
