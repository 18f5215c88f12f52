// The npm package as a user gets it: `npm pack` of web/, installed into the consumer app
// under tests/consumer, bundled by Vite, served cross-origin isolated, run in Chromium.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { startServer } from '../../scripts/serve.mjs';
import { launch, open, repo, screenshot } from './browser.mjs';

const app = join(repo, 'tests', 'consumer');
let browser;
let server;
let packed;

before(async () => {
  const dest = mkdtempSync(join(tmpdir(), 'numwasm-pack-'));
  execFileSync('npm', ['pack', '--silent', '--pack-destination', dest], { cwd: join(repo, 'web') });
  const [tarball] = readdirSync(dest).filter((f) => f.endsWith('.tgz'));
  packed = execFileSync('tar', ['-tzf', join(dest, tarball)], { encoding: 'utf8' }).split('\n').filter(Boolean);
  // Install the tarball the way npm lays it out: node_modules/numwasm/<package contents>.
  const target = join(app, 'node_modules', 'numwasm');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(dest, tarball), '-C', target, '--strip-components=1']);
  rmSync(dest, { recursive: true, force: true });
  execFileSync(join(repo, 'node_modules', '.bin', 'vite'), ['build', '--config', join(app, 'vite.config.js')], {
    cwd: app,
    stdio: 'inherit',
  });
  server = await startServer({ root: join(app, 'dist'), port: 0, isolation: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the packed tarball holds both wasm builds, the workers and the types', () => {
  for (const f of [
    'package/package.json',
    'package/src/index.js',
    'package/src/index.d.ts',
    'package/src/node.js',
    'package/src/worker.js',
    'package/src/pool-worker.js',
    'package/dist/threads/numwasm.js',
    'package/dist/threads/numwasm_bg.wasm',
    'package/dist/simd/numwasm.js',
    'package/dist/simd/numwasm_bg.wasm',
  ]) {
    assert.ok(packed.includes(f), `${f} missing from the tarball`);
  }
});

test('a Vite-built app starts a 2-thread pool from the tarball and evaluates expressions', async () => {
  const page = await open(browser, server.url);
  await page.waitForFunction(() => window.numwasmReady);
  const r = await page.evaluate(async () => {
    const nw = window.numwasm;
    const one = await nw.selfTest(4_000_000, { threads: 1 });
    const two = await nw.selfTest(4_000_000, { threads: 2 });
    const x = Float64Array.from({ length: 200_000 }, (_, i) => i / 1000);
    const e1 = await nw.evaluate('sum(sqrt(x) * 2 + 1)', { x }, { threads: 1 });
    const e2 = await nw.evaluate('sum(sqrt(x) * 2 + 1)', { x }, { threads: 2 });
    return { status: window.numwasmReady, one: one.value, two: two.value, e1: e1.data[0], e2: e2.data[0] };
  });
  assert.equal(r.status.error, undefined);
  assert.equal(r.status.build, 'threads');
  assert.equal(r.status.poolSize, 2);
  assert.equal(Object.is(r.one, r.two), true);
  assert.equal(Object.is(r.e1, r.e2), true, 'a reduction is bit-identical on 1 and 2 threads');
  assert.ok(Math.abs(r.e1 - 3_971_222.0110507) < 1e-6, String(r.e1));
  await screenshot(page, 'consumer-app');
  assert.deepEqual(page.errors, []);
  await page.close();
});
