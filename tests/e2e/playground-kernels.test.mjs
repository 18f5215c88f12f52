// The playground's kernel mode as a user sees it (www/dist, served with COOP/COEP, pool of
// 2, Debian's Chromium): every kernel example runs at a small N, its parallel runs give the
// 1-thread result bit for bit, and the JS baseline generated from the typed kernel IR agrees
// with numwasm's result or says why there is none; errors show at their span; Cancel
// stops the endless loop; the phone layout is screenshotted. Values and what is on screen
// are asserted, never timings.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { startServer } from '../../scripts/serve.mjs';
import { KERNEL_EXAMPLES } from '../../www/src/kernel-examples.js';
import { launch, open, repo, screenshot } from './browser.mjs';

const dist = join(repo, 'www', 'dist');
let browser;
let server;

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'www/dist is missing: run scripts/build-www.sh first');
  server = await startServer({ root: dist, port: 0, isolation: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openKernelMode(viewport = { width: 1280, height: 900 }, query = '?pool=2') {
  const context = await browser.newContext({ viewport });
  const page = await open(context, `${server.url}${query}`);
  page.context_ = context;
  await page.waitForSelector('#status[data-build]');
  await page.click('.modes button[data-mode=kernel]');
  await page.waitForSelector('#kernel-box:not([hidden])');
  return page;
}

/** Chooses an example and waits until the editor has typed its kernel (the signature line). */
async function chooseExample(page, id) {
  await page.selectOption('#examples', id);
  const e = KERNEL_EXAMPLES.find((x) => x.id === id);
  await page.waitForFunction((f) => document.querySelector('#kfunc').value === f && document.querySelector('#diag').textContent.startsWith(f), e.func);
}

async function runAndWait(page) {
  await page.click('#run');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('[data-testid=progress]').textContent), null, { timeout: 120_000 });
  return page.textContent('[data-testid=progress]');
}

test('every kernel example runs at a small N: 1 and 2 threads agree, the JS baseline agrees or says why not', async () => {
  const page = await openKernelMode();
  await page.selectOption('#repeats', '3');
  const seen = [];
  for (const e of KERNEL_EXAMPLES.filter((x) => x.id !== 'spin')) {
    await chooseExample(page, e.id);
    await page.selectOption('#kn', '1000');
    const done = await runAndWait(page);
    assert.equal(done, 'done', `${e.id}: ${done}`);
    const rows = await page.$$eval('#timing table[data-kind=compute] tr[data-threads]', (r) => r.map((x) => x.dataset.threads));
    assert.ok(rows.includes('1') && rows.includes('2'), `${e.id}: rows ${rows}`);
    // The 2-thread result (the last row shown) is compared with the 1-thread one bit for bit.
    assert.equal(await page.getAttribute('#result', 'data-same'), 'true', `${e.id}: 2 threads differ from 1`);
    const state = await page.getAttribute('#baseline', 'data-state');
    const text = await page.textContent('#baseline');
    assert.notEqual(state, 'mismatch', `${e.id}: ${text}`);
    // Every example has a JS baseline generated from its typed IR, checked against numwasm.
    assert.equal(state, 'ok', `${e.id}: ${text}`);
    assert.ok(rows.includes('js'), `${e.id}: a checked baseline is timed`);
    assert.match(await page.textContent('#first-call'), /First call .* ms: it compiles/);
    seen.push(`${e.id}:${state}`);
  }
  console.log(seen.join(' '));
  assert.deepEqual(page.errors, []);
  await page.context_.close();
});

test('the blur shows its result as an image; the panels show typed IR, WAT, JS and diagnostics', async () => {
  const page = await openKernelMode();
  await page.selectOption('#repeats', '3');
  await chooseExample(page, 'blur');
  assert.equal(await runAndWait(page), 'done');
  assert.equal(await page.isVisible('#result-image'), true);
  assert.equal(await page.getAttribute('#result-image', 'data-size'), '100x100');
  assert.equal(await page.getAttribute('#input-image', 'data-size'), '100x100');
  await screenshot(page, 'playground-kernel-blur');
  await page.click('.tabs button[data-panel=typed]');
  assert.match(await page.textContent('#panel'), /blur/);
  await page.click('.tabs button[data-panel=wat]');
  assert.match(await page.textContent('#panel'), /\(module/);
  await page.click('.tabs button[data-panel=kjs]');
  assert.match(await page.textContent('#panel'), /function|no JS baseline/);
  await chooseExample(page, 'normalize');
  await page.click('.tabs button[data-panel=parallel]');
  await page.waitForFunction(() => /prange|Parallel|parallel/.test(document.querySelector('#panel').textContent));
  // The mode and the source travel in the URL.
  const url = page.url();
  const again = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const p2 = await open(again, url);
  await p2.waitForSelector('#status[data-build]');
  await p2.waitForSelector('#kernel-box:not([hidden])');
  assert.match(await p2.textContent('.cm-content'), /def normalize/);
  assert.equal(await p2.inputValue('#kfunc'), 'normalize');
  await again.close();
  assert.deepEqual(page.errors, []);
  await page.context_.close();
});

test('Scaling 1..2 and Sweep N draw the kernel charts: numwasm per thread count and N, with the JS baseline when it agrees', async () => {
  const page = await openKernelMode();
  await page.selectOption('#repeats', '3');
  await chooseExample(page, 'stencil1d');
  await page.selectOption('#kn', '10000');
  await page.click('#scale');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('[data-testid=progress]').textContent), null, { timeout: 120_000 });
  assert.equal(await page.textContent('[data-testid=progress]'), 'done');
  const series = JSON.parse(await page.getAttribute('#chart-threads', 'data-series'));
  assert.deepEqual(series.find((x) => x.label === 'numwasm compute'), { label: 'numwasm compute', points: 2 });
  await page.click('#sweep');
  await page.waitForFunction(() => /^(done|failed|cancelled)/.test(document.querySelector('[data-testid=progress]').textContent), null, { timeout: 120_000 });
  assert.equal(await page.textContent('[data-testid=progress]'), 'done');
  const sizes = JSON.parse(await page.getAttribute('#chart-n', 'data-series'));
  assert.deepEqual(sizes.find((x) => x.label === 'numwasm compute, 1 thread'), { label: 'numwasm compute, 1 thread', points: 2 });
  assert.deepEqual(sizes.find((x) => x.label === 'numwasm compute, 2 threads'), { label: 'numwasm compute, 2 threads', points: 2 });
  assert.equal(sizes.some((x) => x.label === 'copies in/out'), false, 'kernel runs have no separate copies');
  const baseline = await page.getAttribute('#baseline', 'data-state');
  if (baseline === 'ok') assert.deepEqual(sizes.find((x) => x.label === 'JS loop'), { label: 'JS loop', points: 2 });
  // Results are marked stale when the kernel's arguments change.
  await page.locator('.input-row[data-name="a"] input[data-testid="a-b"]').fill('2');
  await page.waitForFunction(() => document.querySelector('#timing').dataset.stale);
  assert.match(await page.getAttribute('#timing', 'data-stale'), /arguments/);
  assert.deepEqual(page.errors, []);
  await page.context_.close();
});

test('typing errors are underlined at their span; a run-time IndexError points at its line', async () => {
  const page = await openKernelMode();
  await chooseExample(page, 'ssum');
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText('from numba import njit\n\n@njit\ndef ssum(a):\n    s = 0\n    for x in a:\n        s += x.nope\n    return s\n');
  await page.waitForFunction(() => document.querySelector('#diag').dataset.kind === 'TypingError');
  assert.equal(await page.isVisible('.cm-lintRange-error'), true);
  const span = (await page.getAttribute('#diag', 'data-span')).split(',').map(Number);
  const source = await page.evaluate(() => document.querySelector('.cm-content').innerText);
  assert.ok(span[0] > source.indexOf('s += x'), 'the span is in the loop body');

  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  const bad = 'from numba import njit\n\n@njit\ndef ssum(a):\n    s = 0.0\n    for i in range(a.size + 1):\n        s += a[i]\n    return s\n';
  await page.keyboard.insertText(bad);
  await page.waitForFunction(() => document.querySelector('#diag').textContent.startsWith('ssum('));
  const done = await runAndWait(page);
  assert.match(done, /failed: IndexError/);
  assert.equal(await page.getAttribute('#diag', 'data-kind'), 'IndexError');
  assert.match(await page.textContent('#diag'), /s \+= a\[i\]/);
  const at = Number((await page.getAttribute('#diag', 'data-span')).split(',')[0]);
  assert.equal(bad.slice(0, at).split('\n').length, 7, 'the IndexError points at line 7');
  // The engine stays usable after the error.
  await chooseExample(page, 'ssum');
  await page.selectOption('#kn', '1000');
  assert.equal(await runAndWait(page), 'done');
  assert.deepEqual(page.errors, []);
  await page.context_.close();
});

test('completions offer np. and math. names, decorators and their options from the engine', async () => {
  const page = await openKernelMode();
  await chooseExample(page, 'ssum');
  await page.click('.cm-content');
  await page.keyboard.press('Control+End');
  const offered = async (typed) => {
    await page.keyboard.type(typed);
    await page.keyboard.press('Control+Space');
    await page.waitForSelector('.cm-tooltip-autocomplete');
    const labels = await page.$$eval('.cm-tooltip-autocomplete li', (li) => li.map((x) => x.textContent));
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    return labels.join(' ');
  };
  assert.match(await offered('x = np.arcs'), /arcsin/);
  assert.match(await offered('y = math.ata'), /atan2/);
  assert.match(await offered('@sten'), /stencil/);
  assert.match(await offered('@vectorize(target'), /target='parallel'/);
  assert.deepEqual(page.errors, []);
  await page.context_.close();
});

test('Cancel stops the endless loop; the page runs again afterwards', async () => {
  const page = await openKernelMode();
  await chooseExample(page, 'spin');
  await page.click('#run');
  await page.waitForSelector('#cancel', { state: 'visible' });
  // Let the kernel start spinning.
  await new Promise((r) => setTimeout(r, 1000));
  const t0 = Date.now();
  await page.click('#cancel');
  await page.waitForFunction(() => /^cancelled/.test(document.querySelector('[data-testid=progress]').textContent), null, { timeout: 10_000 });
  console.log(`cancelled ${Date.now() - t0} ms after the click`);
  assert.match(await page.textContent('[data-testid=progress]'), /stopped/);
  await page.waitForSelector('#cancel', { state: 'hidden' });
  await chooseExample(page, 'ssum');
  await page.selectOption('#kn', '1000');
  assert.equal(await runAndWait(page), 'done');
  assert.deepEqual(page.errors, []);
  await page.context_.close();
});

test('Cancel that the engine worker cannot answer in time ends the worker; a new engine runs the next kernel', async () => {
  // ?cancelms=0: the page ends the engine worker at once instead of waiting for it, the path
  // a Cancel takes while the worker is inside a long JS baseline call.
  const page = await openKernelMode(undefined, '?pool=2&cancelms=0');
  await chooseExample(page, 'spin');
  await page.click('#run');
  await page.waitForSelector('#cancel', { state: 'visible' });
  await new Promise((r) => setTimeout(r, 500));
  await page.click('#cancel');
  await page.waitForFunction(() => /^cancelled/.test(document.querySelector('[data-testid=progress]').textContent), null, { timeout: 20_000 });
  assert.match(await page.textContent('[data-testid=progress]'), /ending the engine worker; a new engine started/);
  await chooseExample(page, 'ssum');
  await page.selectOption('#kn', '1000');
  await page.selectOption('#repeats', '3');
  assert.equal(await runAndWait(page), 'done');
  // Expression mode works on the new engine too.
  await page.click('.modes button[data-mode=expression]');
  await page.selectOption('#n', '1000');
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('[data-testid=progress]').textContent === 'done', null, { timeout: 60_000 });
  assert.deepEqual(page.errors, []);
  await page.context_.close();
});

test('phone viewport (390 px): kernel mode fits and runs', async () => {
  const page = await openKernelMode({ width: 390, height: 844 });
  await chooseExample(page, 'normalize');
  await page.selectOption('#kn', '1000');
  await page.selectOption('#repeats', '3');
  assert.equal(await runAndWait(page), 'done');
  const overflow = await page.evaluate(() => {
    const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.panel, .cm-editor'));
    return { by: document.documentElement.scrollWidth - window.innerWidth, wide: wide.slice(0, 5).map((e) => `${e.tagName}#${e.id}.${e.className}`) };
  });
  assert.ok(overflow.by <= 1, `the page is ${overflow.by} px wider than the phone: ${overflow.wide}`);
  await screenshot(page, 'playground-kernel-phone');
  assert.deepEqual(page.errors, []);
  await page.context_.close();
});
