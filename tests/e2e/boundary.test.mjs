// The JS boundary in Chromium: the property-based test of hostile inputs
// (tests/node/boundary-gen.mjs) against the threads build in an isolated page (pool of 2,
// calls through the shared slot and by postMessage) and the simd build in a plain page; and
// the transport's limit: a result larger than one postMessage can carry (2^31 - 2^21 bytes,
// measured in Chromium 156) is a ValueError from its shape before it runs, an input too
// large for one message is a ValueError when it is sent, and the engine computes afterwards.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { open, useBrowserAndServers } from './browser.mjs';

const env = useBrowserAndServers();

for (const [label, server, build] of [
  ['isolated', 'isolated', 'threads'],
  ['plain', 'plain', 'simd'],
]) {
  test(`${label} page (${build}): hostile inputs give NumwasmErrors and the engine keeps computing`, async () => {
    const page = await open(env.browser, env[server].url);
    const r = await page.evaluate(async () => {
      const nw = await import('/web/src/index.js');
      const { runBoundaryProperty } = await import('/tests/node/boundary-gen.mjs');
      const s = await nw.init({ threads: 2 });
      const runs = [await runBoundaryProperty(nw, { seed: 11, cases: 250 })];
      return { build: s.build, runs };
    });
    assert.equal(r.build, build);
    for (const run of r.runs) {
      assert.deepEqual(run.failures, []);
      assert.equal(run.calls, 250);
      assert.ok(run.outcomes.ok > 25 && run.outcomes.TypeError > 25, JSON.stringify(run.outcomes));
    }
    assert.deepEqual(page.errors, []);
    await page.close();
  });

  test(`${label} page (${build}): results and inputs larger than one message are ValueErrors, not hangs`, async () => {
    const page = await open(env.browser, env[server].url);
    const r = await page.evaluate(async () => {
      const nw = await import('/web/src/index.js');
      await nw.init({ threads: 2 });
      const settle = (p) => p.then((v) => ({ ok: v.data.length }), (e) => ({ kind: e.kind, message: e.message }));
      // int8 46340 x 46340 = 2,147,395,600 bytes: within the engine's limit (2^31 - 1), over
      // the transport's. Refused from its shape: nothing of that size is allocated.
      const n = 46_340;
      const big = await settle(nw.evaluate('a + b', { a: { data: new Int8Array(n).fill(1), shape: [n, 1] }, b: new Int8Array(n) }));
      // The largest that goes: 46,318 x 46,318 would be 2,145,357,124 bytes; not run here (2 GiB).
      // An input of 2^31 - 2^20 bytes (zero pages, never touched): too large for one message.
      const input = await settle(nw.evaluate('sum(a)', { a: new Int8Array(2 ** 31 - 2 ** 20) }));
      const after = (await nw.evaluate('sum(x)', { x: new Float64Array([1, 2, 3]) })).data[0];
      return { big, input, after, restarts: nw.status().restarts, staging: nw.status().staging };
    });
    assert.equal(r.big.kind, 'ValueError');
    assert.match(r.big.message, /2147395600 bytes\) is larger than one message from the compute worker can carry \(2145386496 bytes at most here\)/);
    if (build === 'threads') {
      // Staged: the page writes it straight into wasm memory, no message carries it.
      assert.deepEqual(r.input, { ok: 1 });
      // ... and its 2 GiB of staging were freed after it.
      assert.equal(r.staging.bytes, 0);
      assert.ok(r.staging.calls >= 1);
    } else {
      assert.equal(r.input.kind, 'ValueError', JSON.stringify(r.input));
      assert.match(r.input.message, /could not be sent to the compute worker/);
    }
    assert.equal(r.after, 6);
    assert.equal(r.restarts, 0);
    assert.deepEqual(page.errors, []);
    await page.close();
  });
}
