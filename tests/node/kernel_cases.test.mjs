// The Numba kernel cases of tests/kernels/cases.json (written by tests/kernels/gen.py with
// real Numba 0.68 and NumPy 2) through the npm package in Node: the wasm build that ships,
// with the package's own argument conversion, result conversion and write-back of the
// arrays a kernel changed into the caller's arrays. crate/tests/kernel_cases.rs runs the same
// cases natively through the Rust API; the rules are those of tests/kernels/README.md: kind,
// dtype and shape exactly, integers and bools exactly, floats to the bit (the sign of zero
// included) unless the case allows ULPs, NaN equal to NaN, errors by kind.
//
// `KERNEL_CASES_FILE=path` runs another case file; `KERNEL_CASE=name` runs one case and
// prints its signature and typed IR.
//
// tests/kernels/known_failures.txt lists the cases numwasm does not match yet. The test fails
// on a failing case that is not listed, and on a listed case that passes.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';

import { DTYPES } from '../../web/src/ndarray.js';
import * as nw from '../../web/src/node.js';

const ROOT = new URL('../kernels/', import.meta.url);
const FILE = process.env.KERNEL_CASES_FILE ?? new URL('cases.json', ROOT);
const ONLY = process.env.KERNEL_CASE;

// JSON numbers beyond 2^53 lose digits in JSON.parse: integer literals of 16 or more digits
// outside strings (the kernels' sources are strings and may hold long literals) are quoted
// first, marked with '#', and read back as BigInt. A fraction's or exponent's digits are
// preceded by '.' or a letter and are left alone.
function parseCases(text) {
  const quoted = text.replace(/"(?:[^"\\]|\\.)*"|(?<![\w.])-?\d{16,}(?![\w.])/g, (m) =>
    m.startsWith('"') ? m : `"#${m}"`,
  );
  return JSON.parse(quoted).cases;
}

const isBig = (v) => typeof v === 'string' && v.startsWith('#');
const float = (v) =>
  v === 'nan' || v === '-nan'
    ? NaN
    : v === 'inf'
      ? Infinity
      : v === '-inf'
        ? -Infinity
        : typeof v === 'boolean'
          ? Number(v)
          : isBig(v)
            ? Number(v.slice(1))
            : v;
const int = (v) => BigInt(isBig(v) ? v.slice(1) : v); // (BigInt(true) is 1n)
const is64 = (dtype) => dtype === 'int64' || dtype === 'uint64';

/** A JSON value of `dtype` as its typed array holds it. */
function element(dtype, v) {
  if (is64(dtype)) return int(v);
  if (dtype === 'bool') return Number(Boolean(v));
  if (dtype.startsWith('float')) return float(v);
  return Number(int(v));
}

function typed(dtype, data) {
  return DTYPES[dtype].from(data, (v) => element(dtype, v));
}

/**
 * An argument as a caller passes it: a 1-d array as a bare typed array (bool needs its dtype
 * named, since a Uint8Array is uint8), an n-d one as an NDArray-like, a view as an
 * NDArray-like over the whole base buffer (so that write-back into the base is checked
 * against Numba's record of the whole base), a Python int as a number where exact and a
 * bigint beyond, a float as a number or, where integral (2.0 would be an int), as an explicit
 * float, a NumPy scalar as a 0-d NDArray-like. `base` is the typed array the caller owns.
 */
function arg(v) {
  switch (v.kind) {
    case 'array': {
      const base = typed(v.dtype, v.data);
      if (v.strides) {
        // The package takes scijs's names: `stride`, `offset`, in elements.
        const view = { data: base, shape: v.shape, stride: v.strides, offset: v.offset ?? 0, dtype: v.dtype };
        return { value: view, base };
      }
      if (v.shape.length === 1 && v.dtype !== 'bool') return { value: base, base };
      return { value: { data: base, shape: v.shape, dtype: v.dtype }, base };
    }
    case 'int': {
      const i = int(v.value);
      return { value: -(2n ** 53n) < i && i < 2n ** 53n ? Number(i) : i };
    }
    case 'float': {
      const f = float(v.value);
      return { value: Number.isInteger(f) ? { scalar: 'float', value: f } : f };
    }
    case 'bool':
      return { value: v.value };
    case 'scalar':
      return { value: { data: typed(v.dtype, [v.value]), shape: [], dtype: v.dtype } };
    default:
      // As in crate/tests/kernel_cases.rs: the call API takes arrays and scalars only.
      throw new Error(`argument kind ${v.kind} not supported by the harness`);
  }
}

/** Floats as ordered integers, so that the difference counts representable values. */
function key(x, f32) {
  if (f32) {
    const b = new Int32Array(new Float32Array([x]).buffer)[0];
    return BigInt(b < 0 ? -2147483648 - b : b);
  }
  const b = new BigInt64Array(new Float64Array([x]).buffer)[0];
  return b < 0n ? -9223372036854775808n - b : b;
}

/** Whether element `g` (as a typed array of `dtype` holds it) matches JSON value `w`. */
function same(dtype, g, w, ulp) {
  if (dtype === 'bool') return g === Number(Boolean(w));
  if (is64(dtype)) return g === int(w);
  if (!dtype.startsWith('float')) return g === Number(int(w));
  const wv = float(w);
  if (Number.isNaN(g) || Number.isNaN(wv)) return Number.isNaN(g) && Number.isNaN(wv);
  // Exact means bit for bit, the sign of zero included; within ULPs zeros are 0 apart.
  if (ulp === 0n) return Object.is(g, wv);
  const d = key(g, dtype === 'float32') - key(wv, dtype === 'float32');
  return (d < 0n ? -d : d) <= ulp;
}

/** The first element where typed array `got` differs from JSON values `want`, or null. */
function sameData(dtype, got, want, ulp) {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < want.length; i++) {
    if (!same(dtype, got[i], want[i], ulp)) {
      const g = Object.is(got[i], -0) ? '-0.0' : got[i];
      return `[${i}] got ${g}, want ${isBig(want[i]) ? want[i].slice(1) : Object.is(want[i], -0) ? '-0.0' : want[i]}`;
    }
  }
  return null;
}

const show = (x) => JSON.stringify(x, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));

/** What differs between a result as the package gives it and a JSON VALUE, or null. */
function checkValue(got, want, ulp) {
  if (want.kind === 'none') return got === undefined ? null : `got ${show(got)}, want None`;
  if (want.kind === 'tuple') {
    if (!Array.isArray(got)) return `got ${show(got)}, want a tuple`;
    if (got.length !== want.items.length) return `tuple of ${got.length} vs ${want.items.length}`;
    for (let i = 0; i < got.length; i++) {
      const e = checkValue(got[i], want.items[i], ulp);
      if (e) return `item ${i}: ${e}`;
    }
    return null;
  }
  if (got === undefined || Array.isArray(got) || !ArrayBuffer.isView(got.data)) {
    return `got ${show(got)}, want a ${want.kind}`;
  }
  let dtype;
  let shape;
  let data;
  switch (want.kind) {
    case 'array':
      ({ dtype, shape, data } = want);
      break;
    case 'list':
      ({ dtype, data } = want);
      shape = [data.length];
      break;
    case 'scalar':
      ({ dtype } = want);
      shape = [];
      data = [want.value];
      break;
    case 'int':
    case 'float':
    case 'bool':
      dtype = { int: 'int64', float: 'float64', bool: 'bool' }[want.kind];
      shape = [];
      data = [want.value];
      break;
    default:
      return `unknown result kind ${want.kind}`;
  }
  if (got.dtype !== dtype || show(got.shape) !== show(shape)) {
    return `${want.kind} ${got.dtype}${show(got.shape)} vs ${dtype}${show(shape)}`;
  }
  if (!(got.data instanceof DTYPES[dtype])) return `data is a ${got.data.constructor.name} for ${dtype}`;
  return sameData(dtype, got.data, data, ulp);
}

/** Runs one case: null, or what differs. */
async function runCase(c) {
  const ulp = BigInt(c.compare?.ulp ?? 0);
  const args = c.args.map(arg);
  // Keyword arguments are numbered after the positional ones (as gen.py records what a call
  // wrote).
  const named = Object.entries(c.kwargs ?? {}).map(([k, v]) => [k, arg(v)]);
  const kwargs = Object.fromEntries(named.map(([k, a]) => [k, a.value]));
  const all = [...args, ...named.map(([, a]) => a)];
  const pristine = all.map((a) => a.base?.slice());
  let m;
  let got;
  let error;
  try {
    m = await nw.kernels(c.source);
    if (ONLY === c.name) {
      const i = await m.inspect(c.func, args.map((a) => a.value), { kwargs });
      console.log(`${i.signature}\n${i.typedIr}`);
    }
    got = await m.call(c.func, args.map((a) => a.value), { kwargs });
  } catch (e) {
    error = e;
  }
  try {
    // Which tier ran it: the generated code, or the executor for what it does not compile.
    const i = await m?.inspect(c.func, args.map((a) => a.value), { kwargs });
    if (i) tiers.set(c.name, i.tier === 'wasm' ? 'wasm' : `executor (${i.notCompiled})`);
  } catch {
    // A call the binding refused (wrong arguments) has no tier.
  } finally {
    m?.free();
  }
  if (c.error) {
    if (!error) return `want ${c.error.kind}, got ${show(got)}`;
    if (error.kind !== c.error.kind) return `want ${c.error.kind}, got ${error.kind ?? error.name}: ${error.message}`;
  } else if (error) {
    return `${error.kind ?? error.name}: ${error.message}`;
  } else {
    const e = checkValue(got, c.result, ulp);
    if (e) return `result: ${e}`;
  }
  // The caller's arrays after the call: Numba's record for the ones it changed (a view's is
  // its whole base, as passed here), as they were for the others. A failed call returns no
  // partial writes (as in the Rust API), so after an error only the second part is checked.
  const written = new Map(c.mutated.map((w) => [w.arg, w.value]));
  for (const [i, a] of all.entries()) {
    if (!a.base) continue;
    const want = written.get(i);
    if (want && !c.error) {
      const e = sameData(want.dtype, a.base, want.data, ulp);
      if (e) return `argument ${i}: ${e}`;
    } else if (!want) {
      const bytes = (t) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
      if (Buffer.compare(bytes(a.base), bytes(pristine[i])) !== 0) {
        const given = i < c.args.length ? c.args[i] : Object.values(c.kwargs)[i - c.args.length];
        const where = sameData(given.dtype, a.base, given.data, 0n);
        return `argument ${i} was written, Numba left it unchanged: ${where}`;
      }
    }
  }
  for (const i of written.keys()) {
    if (!all[i]?.base) return `Numba wrote argument ${i}, which is not an array here`;
  }
  return null;
}

function knownFailures() {
  const text = readFileSync(new URL('known_failures.txt', ROOT), 'utf8');
  return new Set(
    text
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'))
      .map((l) => l.split(' ')[0]),
  );
}

/** The tier each case ran on, by case name. */
const tiers = new Map();

before(async () => {
  await nw.init();
});

test('the Numba kernel cases give Numba results through the wasm build', async () => {
  const cases = parseCases(readFileSync(FILE, 'utf8'));
  assert.ok(cases.length > 0, 'no cases');
  const known = knownFailures();
  let passed = 0;
  const failures = [];
  const listedButPass = [];
  for (const c of cases) {
    if (ONLY && ONLY !== c.name) continue;
    let problem;
    try {
      problem = await runCase(c);
    } catch (e) {
      // A harness error (an argument it cannot pass) is that case's failure, not the run's.
      problem = `${e.name}: ${e.message}`;
    }
    if (problem === null) {
      if (known.has(c.name)) listedButPass.push(c.name);
      else passed++;
    } else if (!known.has(c.name)) {
      failures.push(`--- ${c.name}: ${problem}`);
    }
  }
  console.log(`${passed} of ${cases.length} kernel cases pass in Node (${known.size} known failures)`);
  const compiled = [...tiers.values()].filter((t) => t === 'wasm').length;
  console.log(`${compiled} of ${tiers.size} ran on generated wasm; the others on the executor:`);
  const reasons = new Map();
  for (const t of tiers.values()) if (t !== 'wasm') reasons.set(t, (reasons.get(t) ?? 0) + 1);
  for (const [t, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${n} ${t}`);
  const report = failures.join('\n');
  assert.deepEqual(failures, [], `kernel cases that differ from Numba (not in known_failures.txt):\n${report}`);
  assert.deepEqual(listedButPass, [], 'cases in known_failures.txt that now pass (remove them)');
});
