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
import { ROOT, parseCases, runCase } from './kernel-cases.mjs';
import { listedCases } from './kernel-lists.mjs';

const FILE = process.env.KERNEL_CASES_FILE ?? new URL('cases.json', ROOT);
const ONLY = process.env.KERNEL_CASE;

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
      problem = await runCase(nw, c, {
        async onModule(m, args, kwargs) {
          // Which tier ran it: the generated code, or the executor for what it does not
          // compile. (A call the binding refused, wrong arguments, has no tier.)
          const i = await m.inspect(c.func, args, { kwargs }).catch(() => null);
          if (i && ONLY === c.name) console.log(`${i.signature}\n${i.typedIr}`);
          if (i) tiers.set(c.name, i.tier === 'wasm' ? 'wasm' : `executor (${i.notCompiled})`);
        },
      });
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
