// The JS baselines of the Numba kernel cases (`inspect().js`, made by crate/src/back/js):
// for every case of tests/kernels/cases.json that numwasm runs without error (not an error
// case, not in known_failures.txt), the generated function runs on fresh copies of the
// arguments and must give Numba's result and leave the arguments as Numba left them, with
// the rules of kernel_cases.test.mjs: bit for bit where the case allows 0 ULP and the JS
// uses no transcendental Math.* function; otherwise within the case's ULPs or
// APPROX_ULPS, whichever is larger (Math.* and numwasm's vector math may each be an ULP
// off, and loops carry that along).
//
// tests/kernels/js_differs.txt lists the cases whose JS baseline is known to differ or is
// not generated, each with the reason. The test fails on an unlisted case that has no JS
// or gives another result, and on a listed case that now matches (remove it).
//
// Keyword arguments are bound by the entry function's parameter order (read from the typed
// IR); a case whose entry takes parameters the call does not give (defaults) is skipped
// and counted. `KERNEL_CASE=name` runs one case and prints its JS.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';

import { DTYPES } from '../../web/src/ndarray.js';
import * as nw from '../../web/src/node.js';
import { ROOT, arg, checkValue, float, int, is64, parseCases, sameData, typed } from './kernel-cases.mjs';
import { listedCases } from './kernel-lists.mjs';

const ONLY = process.env.KERNEL_CASE;
/** The tolerance for baselines that use Math.* transcendental functions, in ULPs. */
const APPROX_ULPS = 4096n;

/** The entry function's parameter names, from the typed IR's first `fn name(a: T, ...)`. */
function paramNames(typedIr) {
  const m = /^fn [^(]*\((.*)\) -> /m.exec(typedIr);
  if (!m) return null;
  const names = [];
  let depth = 0;
  let start = 0;
  const text = m[1];
  for (let i = 0; i <= text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if ((ch === ',' && depth === 0) || i === text.length) {
      const part = text.slice(start, i).trim();
      if (part) names.push(part.slice(0, part.indexOf(':')));
      start = i + 1;
    }
  }
  return names;
}

/** An argument as the JS baseline takes it (a fresh copy), and the typed array it writes. */
function jsArg(v) {
  switch (v.kind) {
    case 'array': {
      const base = typed(v.dtype, v.data);
      const value = { data: base, shape: v.shape, dtype: v.dtype };
      if (v.strides) Object.assign(value, { stride: v.strides, offset: v.offset ?? 0 });
      return { value, base };
    }
    case 'int':
      return { value: Number(int(v.value)) };
    case 'float':
      return { value: float(v.value) };
    case 'bool':
      return { value: v.value };
    case 'scalar':
      return { value: is64(v.dtype) ? Number(int(v.value)) : v.dtype === 'bool' ? Boolean(v.value) : float(v.value) };
    default:
      throw new Error(`argument kind ${v.kind} not supported by the harness`);
  }
}

/** A JS baseline's result in the package's form (scalars as 0-d arrays), by Numba's record. */
function normalize(got, want) {
  const scalarDtype = { int: 'int64', float: 'float64', bool: 'bool' }[want.kind] ?? (want.kind === 'scalar' ? want.dtype : null);
  if (scalarDtype && (typeof got === 'number' || typeof got === 'boolean')) {
    if (is64(scalarDtype) && !Number.isInteger(got)) return { data: new Float64Array([got]), shape: [], dtype: 'float64' };
    const v = is64(scalarDtype) ? BigInt(got) : scalarDtype === 'bool' ? Number(got) : got;
    return { data: DTYPES[scalarDtype].of(v), shape: [], dtype: scalarDtype };
  }
  if (want.kind === 'tuple' && Array.isArray(got)) return got.map((g, i) => normalize(g, want.items[i] ?? {}));
  return got;
}

/**
 * Runs one case's JS baseline: 'skip' (the case is not one to run), { generated: false, why },
 * or { generated: true, problem } with problem null when it matches.
 */
async function runCase(c, m) {
  if (c.error) return 'skip';
  const args = c.args.map(arg);
  const kwargs = Object.fromEntries(Object.entries(c.kwargs ?? {}).map(([k, v]) => [k, arg(v).value]));
  let info;
  try {
    info = await m.inspect(c.func, args.map((a) => a.value), { kwargs });
  } catch {
    return 'skip';
  }
  if (info.js === null) return { generated: false, why: info.jsUnsupported };
  assert.equal(typeof info.js, 'string');
  assert.equal(info.jsUnsupported, null);
  if (ONLY === c.name) console.log(info.js);
  // The arguments in parameter order.
  const names = paramNames(info.typedIr);
  const given = [...c.args];
  const kw = c.kwargs ?? {};
  if (Object.keys(kw).length > 0) {
    if (!names) return 'skip';
    for (const n of names.slice(c.args.length)) {
      if (!(n in kw)) return 'skip';
      given.push(kw[n]);
    }
  }
  if (names && names.length !== given.length) return 'skip';
  const prepared = given.map(jsArg);
  const pristine = prepared.map((a) => a.base?.slice());
  const approx = /^ {2}\/\/ approximate:/m.test(info.js);
  const ulp = BigInt(c.compare?.ulp ?? 0);
  const tol = approx && ulp < APPROX_ULPS ? APPROX_ULPS : ulp;
  let got;
  try {
    // eslint-disable-next-line no-new-func
    const fn = new Function(`return ${info.js}`)();
    got = fn(prepared.map((a) => a.value));
  } catch (e) {
    return { generated: true, problem: `threw ${e.name}: ${e.message}` };
  }
  const e = checkValue(normalize(got, c.result), c.result, tol);
  if (e) return { generated: true, problem: `result: ${e}` };
  // The arguments after the call: Numba's record for the ones it wrote (a view's is its
  // whole base), unchanged for the others. Keyword arguments are numbered after the
  // positional ones in the record, as the call gives them.
  const byName = Object.keys(kw);
  const written = new Map(c.mutated.map((w) => [w.arg, w.value]));
  for (const [i, a] of prepared.entries()) {
    if (!a.base) continue;
    // The index of this argument in the case's record.
    const rec = i < c.args.length ? i : c.args.length + byName.indexOf(names[i]);
    const want = written.get(rec);
    if (want) {
      const d = sameData(want.dtype, a.base, want.data, tol);
      if (d) return { generated: true, problem: `argument ${i}: ${d}` };
    } else {
      const bytes = (t) => new Uint8Array(t.buffer, t.byteOffset, t.byteLength);
      if (Buffer.compare(bytes(a.base), bytes(pristine[i])) !== 0) {
        return { generated: true, problem: `argument ${i} was written, Numba left it unchanged` };
      }
    }
  }
  return { generated: true, problem: null };
}

before(async () => {
  await nw.init();
});

test('the JS baselines of the kernel cases give Numba results', async () => {
  const cases = parseCases(readFileSync(new URL('cases.json', ROOT), 'utf8'));
  const known = listedCases();
  const listed = listedCases('js_differs.txt');
  let eligible = 0;
  let generated = 0;
  let matched = 0;
  let skipped = 0;
  const failures = [];
  const listedButMatch = [];
  const reasons = new Map();
  for (const c of cases) {
    if (ONLY && ONLY !== c.name) continue;
    if (known.has(c.name)) continue;
    let m;
    let r;
    try {
      m = await nw.kernels(c.source);
      r = await runCase(c, m);
    } catch (e) {
      r = { generated: false, why: `harness: ${e.name}: ${e.message}` };
    } finally {
      m?.free();
    }
    if (r === 'skip') {
      if (!c.error) skipped++;
      continue;
    }
    eligible++;
    if (r.generated) generated++;
    const ok = r.generated && r.problem === null;
    if (ok) matched++;
    if (!r.generated) reasons.set(r.why, (reasons.get(r.why) ?? 0) + 1);
    if (ok && listed.has(c.name)) listedButMatch.push(c.name);
    if (!ok && !listed.has(c.name)) failures.push(`--- ${c.name}: ${r.generated ? r.problem : `no JS: ${r.why}`}`);
  }
  console.log(
    `JS baselines: ${generated} of ${eligible} kernel cases generated, ${matched} match Numba; ` +
      `${listed.size} listed in js_differs.txt; ${skipped} skipped (parameters with defaults)`,
  );
  for (const [why, n] of [...reasons].sort((a, b) => b[1] - a[1])) console.log(`  ${n} not generated: ${why}`);
  assert.ok(ONLY || eligible > 300, `only ${eligible} cases ran`);
  assert.deepEqual(failures, [], `JS baselines that differ from Numba (not in js_differs.txt):\n${failures.join('\n')}`);
  assert.deepEqual(listedButMatch, [], 'cases in js_differs.txt whose JS baseline now matches (remove them)');
});
