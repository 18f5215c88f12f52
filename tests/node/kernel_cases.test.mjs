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

import * as nw from '../../web/src/node.js';
import { ROOT, arg, checkValue, listedCases, parseCases, sameData, show } from './kernel-cases.mjs';

const FILE = process.env.KERNEL_CASES_FILE ?? new URL('cases.json', ROOT);
const ONLY = process.env.KERNEL_CASE;

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

/** The tier each case ran on, by case name. */
const tiers = new Map();

before(async () => {
  await nw.init();
});

test('the Numba kernel cases give Numba results through the wasm build', async () => {
  const cases = parseCases(readFileSync(FILE, 'utf8'));
  assert.ok(cases.length > 0, 'no cases');
  const known = listedCases();
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
