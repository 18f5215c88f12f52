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

// One line of the list per operation: `nw_vmath_exp_f64, nw_vmath_exp_f32 => Unary(Exp);`.
function table() {
  const source = readFileSync(new URL('crate/src/back/wasm/vmath.rs', ROOT), 'utf8');
  const line = /^\s*(nw_vmath_(\w+)_f64), (nw_vmath_\2_f32) => (Unary|Binary|PowConst)(?:\(\w+\))?;$/gm;
  const entries = [];
  for (const [, f64, op, f32, kind] of source.matchAll(line)) {
    const arity = kind === 'Unary' ? 1 : 2;
    entries.push({ name: f64, op, dtype: 'float64', arity });
    entries.push({ name: f32, op, dtype: 'float32', arity });
  }
  return entries;
}

const TABLE = table();

// A module that imports every function of the table with the generator's signature:
// instantiating it against the engine's exports is a LinkError on any other signature.
function importer(entries) {
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
  const name = (s) => [...leb(s.length), ...Buffer.from(s, 'utf8')];
  const section = (id, items) => {
    const body = [...leb(items.length), ...items.flat()];
    return [id, ...leb(body.length), ...body];
  };
  const t = (e) => (e.dtype === 'float64' ? 0x7c : 0x7d);
  const types = entries.map((e) => [0x60, ...leb(e.arity), ...Array(e.arity).fill(t(e)), 1, t(e)]);
  const imports = entries.map((e, i) => [...name('numwasm'), ...name(e.name), 0x00, ...leb(i)]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, types), ...section(2, imports)]);
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
  assert.equal(new Set(TABLE.map((e) => e.name)).size, TABLE.length);
});

test('every built flavour exports every function of the table', () => {
  const flavours = ['simd', 'threads'].filter((f) => existsSync(new URL(`web/dist/${f}/numwasm_bg.wasm`, ROOT)));
  assert.ok(flavours.includes('simd'));
  for (const flavour of flavours) {
    const bytes = readFileSync(new URL(`web/dist/${flavour}/numwasm_bg.wasm`, ROOT));
    const kinds = new Map(WebAssembly.Module.exports(new WebAssembly.Module(bytes)).map((e) => [e.name, e.kind]));
    for (const e of TABLE) assert.equal(kinds.get(e.name), 'function', `${flavour}: ${e.name}`);
  }
});

test('each function links with the signature the generator imports it with', () => {
  const module = new WebAssembly.Module(importer(TABLE));
  new WebAssembly.Instance(module, { numwasm: exports });
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
