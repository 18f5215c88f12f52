// The property-based test of the JS boundary (boundary-gen.mjs) in Node: the simd build
// in-process (a child process under the permission model, where worker threads cannot
// start, so the engine reads the caller's values without a structured clone in between)
// and the threads build in its compute worker. Deterministic: fixed seeds.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const NODE_ENTRY = new URL('../../web/src/node.js', import.meta.url).href;
const GEN = new URL('./boundary-gen.mjs', import.meta.url).href;

function script(seeds, cases) {
  return `
const nw = await import(${JSON.stringify(NODE_ENTRY)});
const { runBoundaryProperty } = await import(${JSON.stringify(GEN)});
const s = await nw.init({ threads: 2 });
const runs = [];
for (const seed of ${JSON.stringify(seeds)}) runs.push(await runBoundaryProperty(nw, { seed, cases: ${cases} }));
console.log(JSON.stringify({ build: s.build, engine: s.engine, runs }));
process.exit(0);
`;
}

function run(flags, seeds, cases) {
  const out = execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script(seeds, cases)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120_000,
  });
  return JSON.parse(out.trim().split('\n').pop());
}

function assertHeld(out, cases) {
  for (const r of out.runs) {
    assert.deepEqual(r.failures, [], `${out.build}: ${r.failures.length} failures`);
    assert.equal(r.calls, cases);
    // Both sides of the property were exercised: values the engine took and values it refused.
    assert.ok(r.outcomes.ok > cases / 10, JSON.stringify(r.outcomes));
    assert.ok(r.outcomes.TypeError > cases / 10, JSON.stringify(r.outcomes));
  }
}

test('hostile inputs against the simd build in-process: only NumwasmErrors, and the engine keeps computing', () => {
  const out = run(['--experimental-permission', '--allow-fs-read=*', '--no-warnings'], [1, 2], 200);
  assert.equal(out.build, 'simd');
  assert.equal(out.engine, 'in-process');
  assertHeld(out, 200);
});

test('hostile inputs against the threads build in its compute worker', () => {
  const out = run([], [3], 200);
  assert.equal(out.build, 'threads');
  assert.equal(out.engine, 'worker');
  assertHeld(out, 200);
});
