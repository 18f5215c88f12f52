// Forgotten resident arrays and compiled expressions are freed by a FinalizationRegistry.
// Needs `node --expose-gc` (scripts/test.sh passes it); skipped without it.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import * as nw from '../src/node.js';

test('a resident array that is dropped without free() is freed after GC', { skip: typeof gc !== 'function' && 'needs --expose-gc' }, async () => {
  await nw.init();
  const before = await nw.residentCount();
  await (async () => {
    for (let i = 0; i < 5; i++) await nw.array(new Float64Array(1000));
  })();
  assert.equal(await nw.residentCount(), before + 5);
  let now = before + 5;
  for (let attempt = 0; attempt < 100 && now > before; attempt++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
    now = await nw.residentCount();
  }
  assert.equal(now, before, 'all five forgotten arrays were freed');
});
