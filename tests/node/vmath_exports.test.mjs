// The vmath functions that generated kernel modules import from the engine (import module
// `numwasm`, fields `nw_vmath_<op>_<f64|f32>`), checked on the wasm builds that ship: every
// name of the generator's table (the `vmath_imports!` list in
// crate/src/back/wasm/vmath.rs, which the exports are made from) is a function export of
// each built flavour; in the simd build each links with the signature the generator
// imports it with, and computes what `evaluate` computes for its operation, to the bit
// (the sign of zero included, NaN equal to NaN). crate/tests/back_wasm/imports.rs checks
// the table against the generator natively.

import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { before, test } from 'node:test';

import * as glue from '../../web/dist/simd/numwasm.js';
import * as nw from '../../web/src/node.js';

const ROOT = new URL('../../', import.meta.url);

// One entry of the list per operation, over two lines: the one-element functions, then the
// lane functions:
//   nw_vmath_exp_f64, nw_vmath_exp_f32,
//       nw_vmath2_exp_f64, nw_vmath4_exp_f32 => Unary(Exp);
function table() {
  const source = readFileSync(new URL('crate/src/back/wasm/vmath.rs', ROOT), 'utf8');
  const line =
    /^\s*(nw_vmath_(\w+)_f64), (nw_vmath_\2_f32),\s*\n\s*(nw_vmath2_\2_f64), (nw_vmath4_\2_f32) => (Unary|Binary|PowConst)(?:\(\w+\))?;$/gm;
  const entries = [];
  const lanes = [];
  for (const [, f64, op, f32, f64x2, f32x4, kind] of source.matchAll(line)) {
    const arity = kind === 'Unary' ? 1 : 2;
    entries.push({ name: f64, op, dtype: 'float64', arity });
    entries.push({ name: f32, op, dtype: 'float32', arity });
    lanes.push({ name: f64x2, op, dtype: 'float64', arity, lanes: 2, scalar: f64 });
    lanes.push({ name: f32x4, op, dtype: 'float32', arity, lanes: 4, scalar: f32 });
  }
  return [entries, lanes];
}

const [TABLE, LANES] = table();

const leb = (n) => {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
};
const wasmName = (s) => [...leb(s.length), ...Buffer.from(s, 'utf8')];
const section = (id, items) => {
  const body = [...leb(items.length), ...items.flat()];
  return [id, ...leb(body.length), ...body];
};
const HEADER = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
const V128 = 0x7b;
const valType = (e) => (e.dtype === 'float64' ? 0x7c : 0x7d);

// The signature the generator imports an entry with: the dtype's type for a one-element
// function; v128 for a lane function, but for the constant power's scalar exponent.
function signature(e) {
  const t = valType(e);
  if (!e.lanes) return [Array(e.arity).fill(t), [t]];
  return [e.op === 'pow_const' ? [V128, t] : Array(e.arity).fill(V128), [V128]];
}

// A module that imports every function of `entries` with the generator's signature:
// instantiating it against the engine's exports is a LinkError on any other signature.
function importer(entries) {
  const types = entries.map((e) => {
    const [p, r] = signature(e);
    return [0x60, ...leb(p.length), ...p, ...leb(r.length), ...r];
  });
  const imports = entries.map((e, i) => [...wasmName('numwasm'), ...wasmName(e.name), 0x00, ...leb(i)]);
  return new Uint8Array([...HEADER, ...section(1, types), ...section(2, imports)]);
}

// A module that calls lane function `e` on the vectors at bytes 0 (and 16) of its exported
// memory `mem` and stores the result at byte 32: `run()`, or `run(k)` for the constant
// power (JS cannot pass a v128 itself).
function laneCaller(e) {
  const [p, r] = signature(e);
  const pow = e.op === 'pow_const';
  const types = [
    [0x60, ...leb(p.length), ...p, ...leb(r.length), ...r],
    [0x60, ...(pow ? [1, valType(e)] : [0]), 0],
  ];
  const imports = [[...wasmName('numwasm'), ...wasmName(e.name), 0x00, 0]];
  const memarg = (offset) => [4, ...leb(offset)];
  const load = (offset) => [0x41, 0, 0xfd, 0x00, ...memarg(offset)]; // i32.const 0; v128.load
  const body = [
    0x00, // no locals
    0x41, 0, // i32.const 0 (the store's address)
    ...load(0),
    ...(pow ? [0x20, 0] : e.arity === 2 ? load(16) : []),
    0x10, 0, // call the lane function
    0xfd, 0x0b, ...memarg(32), // v128.store
    0x0b,
  ];
  return new Uint8Array([
    ...HEADER,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, [[1]]),
    ...section(5, [[0x00, 1]]),
    ...section(7, [
      [...wasmName('run'), 0x00, 1],
      [...wasmName('mem'), 0x02, 0],
    ]),
    ...section(10, [[...leb(body.length), ...body]]),
  ]);
}

// Edge values: zeros of both signs, ties, subnormals, huge values, where exp overflows in
// either dtype, infinities, NaN.
const VALUES = [
  0, -0, 1, -1, 0.5, -0.5, 2.5, -3.5, 3, 0.1, 1e300, -1e300, 5e-324, -5e-324, 2.2250738585072014e-308, 1e-40,
  709.8, -745.2, 88.8, -103.9, Infinity, -Infinity, NaN,
];

// The expression `evaluate` computes each operation with.
const EXPRESSION = {
  floordiv: 'x // y',
  mod: 'x % y',
  pow: 'x ** y',
};

let exports;

before(async () => {
  await nw.init();
  // The package runs its engine in a worker thread: instantiate the simd build here too.
  exports = await glue.default({ module_or_path: readFileSync(new URL('web/dist/simd/numwasm_bg.wasm', ROOT)) });
});

test('the table lists every operation of the generator in both float dtypes', () => {
  assert.equal(TABLE.length, 56);
  assert.equal(LANES.length, 56);
  assert.equal(new Set([...TABLE, ...LANES].map((e) => e.name)).size, 112);
});

test('every built flavour exports every function of the table', () => {
  const flavours = ['simd', 'threads'].filter((f) => existsSync(new URL(`web/dist/${f}/numwasm_bg.wasm`, ROOT)));
  assert.ok(flavours.includes('simd'));
  for (const flavour of flavours) {
    const bytes = readFileSync(new URL(`web/dist/${flavour}/numwasm_bg.wasm`, ROOT));
    const kinds = new Map(WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => [e.name, e.kind]));
    for (const e of [...TABLE, ...LANES]) assert.equal(kinds.get(e.name), 'function', `${flavour}: ${e.name}`);
  }
});

test('each function links with the signature the generator imports it with', () => {
  const module = new WebAssembly.Module(importer([...TABLE, ...LANES]));
  new WebAssembly.Instance(module, { numwasm: exports });
  // The lane functions take and give v128 values, not numbers.
  const scalar = new WebAssembly.Module(importer([{ ...LANES[0], lanes: undefined }]));
  assert.throws(() => new WebAssembly.Instance(scalar, { numwasm: exports }), WebAssembly.LinkError);
  // And a wrong signature does not link, so the check above is one.
  const wrong = new WebAssembly.Module(importer([{ ...TABLE[0], arity: 2 }]));
  assert.throws(() => new WebAssembly.Instance(wrong, { numwasm: exports }), WebAssembly.LinkError);
});

const same = (a, b) => (Number.isNaN(a) && Number.isNaN(b)) || Object.is(a, b);

test('each function computes what evaluate computes for its operation', async () => {
  for (const e of TABLE) {
    const Typed = e.dtype === 'float64' ? Float64Array : Float32Array;
    const f = exports[e.name];
    let x;
    let y;
    let expr;
    if (e.op === 'pow_const') {
      // Constant exponents that run the constant-power kernel (the optimizer turns 2,
      // 0.5 and -1 into other operations).
      for (const k of [3, -2, 2.5, -1.5, 7, 0.3]) {
        x = Typed.from(VALUES);
        const want = (await nw.evaluate(`x ** ${k}`, { x })).data;
        x.forEach((v, i) => assert.ok(same(f(v, k), want[i]), `${e.name}(${v}, ${k}) ${f(v, k)} ${want[i]}`));
      }
      continue;
    }
    if (e.arity === 1) {
      x = Typed.from(VALUES);
      expr = `${e.op}(x)`;
    } else {
      x = Typed.from(VALUES.flatMap((v) => VALUES.map(() => v)));
      y = Typed.from(VALUES.flatMap(() => VALUES));
      expr = EXPRESSION[e.op] ?? `${e.op}(x, y)`;
    }
    const r = await nw.evaluate(expr, y ? { x, y } : { x });
    assert.equal(r.dtype, e.dtype, expr);
    for (let i = 0; i < x.length; i++) {
      const got = y ? f(x[i], y[i]) : f(x[i]);
      assert.ok(same(got, r.data[i]), `${e.name}(${x[i]}${y ? `, ${y[i]}` : ''}) = ${got}, evaluate: ${r.data[i]}`);
    }
  }
});

// Random values of every kind, from a seeded generator: random bit patterns (NaNs with
// payloads, subnormals, huge values), ordinary values in [-10, 10] and [-1, 1], and powers
// of two over the whole exponent range with random mantissas.
function randomValues(n, seed, dtype) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const bits = new DataView(new ArrayBuffer(8));
  const out = [];
  for (let i = 0; i < n; i++) {
    const u = next() / 2 ** 32;
    switch (i % 4) {
      case 0:
        if (dtype === 'float64') {
          bits.setUint32(0, next());
          bits.setUint32(4, next());
          out.push(bits.getFloat64(0));
        } else {
          bits.setUint32(0, next());
          out.push(bits.getFloat32(0));
        }
        break;
      case 1:
        out.push(u * 20 - 10);
        break;
      case 2:
        out.push(u * 2 - 1);
        break;
      default:
        out.push((next() & 1 ? -1 : 1) * (1 + u) * 2 ** (Math.floor((next() / 2 ** 32) * 2200) - 1100));
    }
  }
  return out;
}

const EDGE_LANES = [
  ...VALUES,
  1.0000001, -0.9999999, 1e-20, -1e-20, 709.78, 709.79, 710, -745.13, -745.14, -708.4, 88.72, 88.73, 1e22, -1e22,
  1.7976931348623157e308, Math.PI, Math.PI / 2, 1e6, -1e9, 0.7, 2, 19.5, -19.5, 1e-8, 3.4028234663852886e38,
  1.1754943508222875e-38, 1e-45,
];

// Each lane function against its one-element function, lane by lane, in both builds: the
// edge values (each in every lane position, next to ordinary and unusual neighbours) and
// a few thousand random values (pairs, for the binary functions).
test('each lane function gives every lane the one-element function\'s result', async () => {
  const flavours = [['simd', exports]];
  if (existsSync(new URL('web/dist/threads/numwasm_bg.wasm', ROOT))) {
    const threads = await import('../../web/dist/threads/numwasm.js');
    const memory = new WebAssembly.Memory({ initial: 20, maximum: 1024, shared: true });
    const bytes = readFileSync(new URL('web/dist/threads/numwasm_bg.wasm', ROOT));
    flavours.push(['threads', await threads.default({ module_or_path: bytes, memory })]);
  }
  assert.equal(flavours.length, 2, 'both builds are built');
  for (const [flavour, ex] of flavours) {
    for (const e of LANES) {
      const caller = new WebAssembly.Instance(new WebAssembly.Module(laneCaller(e)), { numwasm: ex }).exports;
      const Typed = e.dtype === 'float64' ? Float64Array : Float32Array;
      const mem = new Typed(caller.mem.buffer, 0, (48 / Typed.BYTES_PER_ELEMENT) | 0);
      const n = e.lanes;
      const one = ex[e.scalar];
      const seed = [...e.name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
      const xs = Typed.from([...EDGE_LANES, ...EDGE_LANES.slice(3), ...randomValues(3000, seed, e.dtype)]);
      const ys = Typed.from([
        ...EDGE_LANES.slice(5),
        ...EDGE_LANES.slice(0, 5),
        ...EDGE_LANES.slice(1),
        ...EDGE_LANES.slice(0, 4),
        ...randomValues(3000, seed + 1, e.dtype),
      ]);
      const runs = e.op === 'pow_const' ? [3, -2, 2.5, -1.5, 7, 0.3, 2, 1.5, -0.5, 2.2, 64, 0.5] : [undefined];
      let checked = 0;
      for (const k of runs) {
        for (let i = 0; i + n <= xs.length; i += n) {
          for (let l = 0; l < n; l++) {
            mem[l] = xs[i + l];
            mem[n + l] = ys[i + l];
          }
          if (k === undefined) caller.run();
          else caller.run(k);
          for (let l = 0; l < n; l++) {
            const x = xs[i + l];
            const y = ys[i + l];
            const want = k !== undefined ? one(x, k) : e.arity === 2 ? one(x, y) : one(x);
            const got = mem[2 * n + l];
            if (!same(got, want)) {
              assert.fail(`${flavour} ${e.name} lane ${l} of (${xs.slice(i, i + n)})${e.arity === 2 ? ` (${k ?? ys.slice(i, i + n)})` : ''}: ${got}, one element: ${want}`);
            }
            checked++;
          }
        }
      }
      assert.ok(checked >= 3000, e.name);
    }
  }
});
