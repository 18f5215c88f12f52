// A full wasm memory is a MemoryError, never a trap: resident arrays fill the engine's
// memory until array() is a MemoryError (halving the size down to 8 bytes, so that hardly
// a small block is left), then every kind of call either succeeds or is a MemoryError and the
// engine never restarts; after free() everything computes again.
//
// The threads build's memory is created on the JS side, so the test caps it at 256 MiB
// (NUMWASM_TEST_MEMORY_MIB, read by web/src/node-worker.js): filling the default 4 GiB takes
// ~30 s and ~6 GB of RAM here (measured), 256 MiB about a second. The allocation paths are
// the same whatever the maximum. The simd build's memory is the module's own (no cap without
// a rebuild), so it is not filled here.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const NODE_ENTRY = new URL('../../web/src/node.js', import.meta.url).href;
const API = new URL('../../web/src/api.js', import.meta.url).href;

const SCRIPT = `
const nw = await import(${JSON.stringify(NODE_ENTRY)});
const { engineCall } = await import(${JSON.stringify(API)});
await nw.init({ threads: 2 });
const m = await nw.kernels(\`
import numpy as np
from numba import njit

@njit
def ones_sum(n):
    return np.ones(n).sum()

@njit
def twice(a):
    return a * 2
\`);
// Compiled before the memory is full, run after.
const c = await nw.compile('a * 2 + 1', { a: 'float64' });
const warm = await m.call('twice', [new Float64Array(4)]);
const held = [];
let size = 2 ** 24;
let atSize = 0;
const fill = { made: 0, memoryErrors: 0, other: [] };
while (size >= 8) {
  try {
    held.push(await nw.array(new Uint8Array(size)));
    fill.made++;
    // Below 4 KiB the holes left between blocks take many arrays each; 64 per size is
    // enough to take what is left at that size.
    if (size < 4096 && ++atSize === 64) {
      size /= 2;
      atSize = 0;
    }
  } catch (e) {
    atSize = 0;
    if (e.kind === 'MemoryError') fill.memoryErrors++;
    else fill.other.push(e.kind + ': ' + e.message);
    size /= 2;
  }
}
const bytes = held.reduce((a, h) => a + h.shape[0], 0);
const x = new Float64Array(100_000).map((_, i) => i);
const calls = {
  evaluateSmall: () => nw.evaluate('x + 1', { x: new Float64Array([1, 2]) }),
  evaluateLarge: () => nw.evaluate('sin(x) * 2', { x }),
  reduction: () => nw.evaluate('sum(x)', { x }),
  nameError: () => nw.evaluate('sinn(x)', { x: new Float64Array(2) }),
  compile: () => nw.compile('exp(b) - b', { b: 'float32' }),
  run: () => c.run({ a: x }),
  array: () => nw.array(x),
  toArray: () => held[0].toArray(),
  kernels: () => nw.kernels('from numba import njit\\n@njit\\ndef f(a):\\n    return a + 1\\n'),
  callAllocating: () => m.call('ones_sum', [1_000_000]),
  callSmall: () => m.call('twice', [new Float64Array(3)]),
  callLarge: () => m.call('twice', [x]),
  selfTest: () => nw.selfTest(1000),
};
const outcomes = {};
for (const [name, f] of Object.entries(calls)) {
  try {
    await f();
    outcomes[name] = 'ok';
  } catch (e) {
    outcomes[name] = e instanceof nw.NumwasmError ? e.kind : 'raw ' + e;
    if (e.kind === 'RuntimeError') outcomes[name] += ': ' + e.message;
  }
}
const restartsFull = nw.status().restarts;
for (const h of held) h.free();
const after = {
  sum: (await nw.evaluate('sum(x)', { x })).data[0],
  run: (await c.run({ a: new Float64Array([1, 2]) })).data[1],
  kernel: (await m.call('ones_sum', [1_000_000])).data[0],
  big: (await nw.array(new Uint8Array(2 ** 24))).shape[0],
};
console.log(JSON.stringify({ fill, bytes, outcomes, restartsFull, after, restarts: nw.status().restarts }));
process.exit(0);
`;

test('a full wasm memory gives MemoryErrors or results, never a trap; after free() all computes again', () => {
  const out = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
      env: { ...process.env, NUMWASM_TEST_MEMORY_MIB: '256' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    }).trim().split('\n').pop(),
  );
  console.log(JSON.stringify(out.outcomes));
  assert.deepEqual(out.fill.other, []);
  assert.ok(out.fill.memoryErrors >= 20, `the fill ended on MemoryErrors (${out.fill.memoryErrors})`);
  // Most of the 256 MiB is held (the engine's own data, caches and stacks take the rest).
  assert.ok(out.bytes > 200 * 2 ** 20, `${out.bytes} bytes held`);
  for (const [name, o] of Object.entries(out.outcomes)) {
    assert.ok(o === 'ok' || o === 'MemoryError' || (name === 'nameError' && o === 'NameError'), `${name}: ${o}`);
  }
  // The full memory was felt: at least the large allocations failed.
  assert.equal(out.outcomes.evaluateLarge, 'MemoryError');
  assert.equal(out.outcomes.callAllocating, 'MemoryError');
  assert.equal(out.restartsFull, 0);
  assert.equal(out.restarts, 0);
  assert.deepEqual(out.after, { sum: 4999950000, run: 5, kernel: 1_000_000, big: 2 ** 24 });
});
