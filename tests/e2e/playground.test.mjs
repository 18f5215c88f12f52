// The playground as a user sees it: the Vite build in www/dist (scripts/build-www.sh),
// served like scripts/serve.sh does (COOP/COEP), driven in Debian's Chromium. Asserts values
// and what is on screen, never timings; screenshots go to tests/artifacts/.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import * as nw from '../../web/src/node.js';
import { startServer } from '../../scripts/serve.mjs';
import { launch, open, repo, screenshot } from './browser.mjs';

const dist = join(repo, 'www', 'dist');
let browser;
let isolated;
let plain;

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'www/dist is missing: run scripts/build-www.sh first');
  isolated = await startServer({ root: dist, port: 0, isolation: true });
  plain = await startServer({ root: dist, port: 0, isolation: false });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await isolated?.close();
  await plain?.close();
});

/** Opens the playground with a fresh localStorage (a new context per page). */
async function openPlayground(url, viewport = { width: 1280, height: 800 }, colorScheme = 'light') {
  const context = await browser.newContext({ viewport, colorScheme });
  const page = await open(context, url);
  page.context_ = context;
  await page.waitForSelector('#status[data-build]');
  return page;
}

async function closePage(page) {
  await page.context_.close();
}

async function typeSource(page, text) {
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.type(text);
  // Closing brackets typed over the editor's auto-inserted ones; check what stands there.
  await page.waitForFunction((t) => document.querySelector('.cm-content').innerText.trim() === t, text);
}

async function setInput(page, name, gen, a, b, dtype = 'float64') {
  const row = page.locator(`.input-row[data-name="${name}"]`);
  await row.locator(`select[aria-label="${name} generator"]`).selectOption(gen);
  await row.locator(`input[data-testid="${name}-a"]`).fill(String(a));
  if (b !== undefined) await row.locator(`input[data-testid="${name}-b"]`).fill(String(b));
  await row.locator(`select[aria-label="${name} dtype"]`).selectOption(dtype);
}

async function runAndWait(page, button = '#run') {
  await page.click(button);
  await page.waitForFunction(() => ['done', 'cancelled'].includes(document.querySelector('[data-testid=progress]').textContent) || document.querySelector('[data-testid=progress]').textContent.startsWith('failed'), null, { timeout: 120_000 });
  const text = await page.textContent('[data-testid=progress]');
  assert.equal(text, 'done', `the run ended with: ${text}`);
}

test('an expression typed in the editor runs on 1 and 2 threads, checked against values computed here', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`);
  const status = await page.textContent('#status');
  assert.match(status, /build threads/);
  assert.match(status, /pool 2 threads/);
  assert.match(status, /crossOriginIsolated: true/);
  assert.equal(await page.isHidden('#isolation'), true);

  await typeSource(page, 'sqrt(a) * 2 + b');
  await page.waitForSelector('.input-row[data-name="b"]');
  await page.selectOption('#n', '1000');
  await page.selectOption('#repeats', '3');
  await setInput(page, 'a', 'arange', 0, 1);
  await setInput(page, 'b', 'linspace', -1, 1);
  const expected = Array.from({ length: 1000 }, (_, i) => Math.sqrt(0 + i * 1) * 2 + (-1 + (2 * i) / 999));

  for (const threads of ['1', '2']) {
    await page.selectOption('#threads', threads);
    await runAndWait(page);
    assert.equal(await page.getAttribute('#result', 'data-threads'), threads);
    const values = JSON.parse(await page.getAttribute('#result', 'data-values'));
    assert.deepEqual(values, expected.slice(0, 8));
    const preview = await page.textContent('#result');
    assert.match(preview, /\(1000,\)/);
    assert.match(preview, /float64/);
    const max = await page.textContent('[data-stat=max]');
    assert.equal(Number(max), Number(expected[999].toPrecision(10)));
    assert.equal(await page.locator(`#timing tr[data-threads="${threads}"]`).count(), 1);
  }
  assert.equal(await page.locator('#timing tr[data-threads="1"]').count(), 1, 'both thread counts are in the table');
  // 1,000 elements are far under the parallel threshold: the 2-thread row says it ran on one.
  assert.equal(await page.getAttribute('#timing tr[data-threads="2"]', 'data-used'), '1');
  assert.match(await page.textContent('#timing tr[data-threads="2"] th'), /^2 \(ran on 1\)$/);
  // sqrt is not vector math: the generated loop ran it, and the page says so.
  assert.equal(await page.getAttribute('#timing tr[data-threads="1"]', 'data-tier'), 'wasm');
  assert.match(await page.textContent('[data-testid=warmup]'), /one fused loop generated to WebAssembly at run time \(tier "wasm"\)/);
  assert.equal(await page.getAttribute('#baseline', 'data-state'), 'ok', await page.textContent('#baseline'));
  assert.match(await page.textContent('#baseline'), /identical to numwasm on all 1,000 values/);
  assert.equal(await page.locator('#timing tr[data-threads="js"]').count(), 1);

  // Chart 1: time and speedup versus threads, with the ideal line and the JS loop. The
  // compute of 1,000 elements takes a few microseconds, so its 1-thread median can be under
  // the timer's 5 us: then the table says ≈0 and there is no speedup to draw.
  const series = JSON.parse(await page.getAttribute('#chart-threads', 'data-series'));
  const byLabel = Object.fromEntries(series.map((s) => [s.label, s.points]));
  assert.equal(byLabel['numwasm compute'], 2);
  assert.equal(byLabel['JS loop'], 2);
  const oneThread = await page.textContent('#timing tr[data-threads="1"] td');
  const twoThreads = await page.textContent('#timing tr[data-threads="2"] td');
  if (oneThread === '≈0') {
    assert.equal(byLabel.speedup, undefined);
    assert.equal(await page.textContent('#timing tr[data-threads="2"] td:nth-of-type(3)'), '–');
  } else if (twoThreads === '≈0') {
    // (the 2-thread median under the timer's resolution: no speedup to draw there)
    assert.ok((byLabel.speedup ?? 0) <= 2);
  } else {
    assert.equal(byLabel.speedup, 2);
    assert.equal(byLabel.ideal, 2);
  }

  // Chart 2: a sweep over N up to 1e4 gives serial, parallel, JS and copy points at 1e3 and 1e4.
  await page.selectOption('#n', '10000');
  await runAndWait(page, '#sweep');
  const sizes = JSON.parse(await page.getAttribute('#chart-n', 'data-series'));
  assert.deepEqual(sizes.map((s) => s.points), [2, 2, 2, 2]);
  for (const id of ['#chart-threads', '#chart-n']) {
    const painted = await page.$eval(id, (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) n++;
      return { n, w: c.width, h: c.height };
    });
    assert.ok(painted.w > 100 && painted.h > 100, `${id} has a size`);
    assert.ok(painted.n > 2000, `${id} is drawn`);
  }

  // Scaling over 1..pool fills the same table.
  await page.selectOption('#n', '1000');
  await runAndWait(page, '#scale');
  assert.equal(await page.locator('#timing tr[data-threads]').count(), 3);

  // The compiler panels: the lowered IR and the bytecode, each selectable in the URL.
  await page.click('.tabs button[data-panel=ir]');
  await page.waitForFunction(() => document.querySelector('#panel').dataset.panel === 'ir');
  const ir = await page.textContent('#panel');
  assert.match(ir, /sqrt/);
  assert.match(page.url(), /[?&]panel=ir/);
  await screenshot(page, 'playground-1280');

  // The URL carries the state: a fresh page at that address shows the same expression,
  // with the bytecode panel chosen by ?panel=bytecode.
  const shared = page.url().replace('panel=ir', 'panel=bytecode');
  const again = await openPlayground(shared);
  await again.waitForFunction(() => document.querySelector('#panel').dataset.panel === 'bytecode' && document.querySelector('#panel').textContent.length > 0);
  assert.equal((await again.textContent('.cm-content')).trim(), 'sqrt(a) * 2 + b');
  const bytecode = await again.textContent('#panel');
  assert.notEqual(bytecode, ir);
  assert.match(bytecode, /sqrt/i);
  assert.deepEqual(again.errors, []);
  await closePage(again);

  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a syntax error is shown in the editor at its span, with the message', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`);
  const source = 'a + * b';
  await typeSource(page, source);
  await page.waitForSelector('.cm-lintRange-error');
  assert.equal(await page.getAttribute('#diag', 'data-kind'), 'SyntaxError');
  const [start, end] = (await page.getAttribute('#diag', 'data-span')).split(',').map(Number);
  assert.equal(source.slice(start, end), '*');
  assert.equal((await page.textContent('.cm-lintRange-error')).trim(), '*');
  // The squiggle's message appears when hovering it.
  await page.hover('.cm-lintRange-error');
  await page.waitForSelector('.cm-tooltip-lint');
  assert.match(await page.textContent('.cm-tooltip-lint'), /SyntaxError/);
  await screenshot(page, 'playground-syntax-error');
  // Fixing the source clears it.
  await typeSource(page, 'a + b');
  await page.waitForSelector('.cm-lintRange-error', { state: 'detached' });
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('on a 390px-wide phone the page lays out in one column and still runs', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`, { width: 390, height: 844 });
  await page.selectOption('#examples', 'sincos');
  await page.waitForSelector('.input-row[data-name="b"]');
  await page.selectOption('#n', '10000');
  await page.selectOption('#repeats', '3');
  await runAndWait(page);
  assert.equal(await page.getAttribute('#baseline', 'data-state'), 'ok', await page.textContent('#baseline'));
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await screenshot(page, 'playground-390');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('every example runs and its generated JS loop agrees with numwasm, or says why there is none', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`);
  await page.selectOption('#n', '10000');
  await page.selectOption('#repeats', '3');
  const ids = await page.$$eval('#examples option', (o) => o.map((x) => x.value).filter(Boolean));
  assert.ok(ids.length >= 8);
  for (const want of ['poly', 'axpb', 'expab', 'asinexp', 'rc', 'sincos', 'sum float64', 'sum int64']) assert.ok(ids.includes(want), want);
  for (const id of ids) {
    await page.selectOption('#examples', id);
    await page.waitForFunction(() => document.querySelector('#panel').textContent.length > 0 && !document.querySelector('#diag').dataset.kind);
    await runAndWait(page);
    const verdict = await page.getAttribute('#baseline', 'data-state');
    const text = await page.textContent('#baseline');
    // Every example has a baseline now, the scalar-input one ('centered') included: the
    // scalar is compiled for its value, so the IR holds it as a constant.
    assert.equal(verdict, 'ok', `${id}: ${text}`);
  }
  // A 2-D input: 1000 rows of N/1000.
  await page.selectOption('#examples', 'sincos');
  for (const name of ['a', 'b']) await page.locator(`select[aria-label="${name} shape"]`).selectOption('2-D');
  await runAndWait(page);
  assert.match(await page.textContent('#result'), /\(1000, 10\)/);
  assert.equal(await page.getAttribute('#baseline', 'data-state'), 'ok', await page.textContent('#baseline'));
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test("the editor completes the engine's functions, with their docs", async () => {
  // The package's table in this process is the one the page's engine reads (same build).
  await nw.init();
  const table = nw.functions();
  const page = await openPlayground(`${isolated.url}?pool=2&panel=ir`);
  await typeSource(page, 'arc');
  // Once the page has compiled what was typed (an input named arc), nothing else redraws
  // the editor under the completion popup.
  await page.waitForFunction(() => document.querySelector('#panel').textContent.includes('input arc'));
  await page.waitForSelector('.cm-tooltip-autocomplete');
  const labels = await page.$$eval('.cm-tooltip-autocomplete .cm-completionLabel', (els) => els.map((e) => e.textContent));
  const arc = table.filter((f) => f.name.startsWith('arc')).map((f) => f.name);
  assert.ok(arc.length >= 7);
  for (const name of arc) assert.ok(labels.includes(name), `${name} in ${labels}`);
  await page.waitForSelector('.cm-completionInfo');
  const first = table.find((f) => f.name === labels[0]);
  assert.equal(await page.textContent('.cm-completionInfo'), first.doc);
  // Accepting it writes the call's opening.
  await page.keyboard.press('Enter');
  await page.waitForFunction((t) => document.querySelector('.cm-content').innerText.trim().startsWith(t), `${first.name}(`);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a long run shows progress and can be cancelled between calls', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`);
  await page.selectOption('#examples', 'sincos');
  await page.selectOption('#n', '10000000');
  await page.selectOption('#repeats', '15');
  await page.click('#sweep');
  await page.waitForSelector('#cancel', { state: 'visible' });
  assert.equal(await page.isDisabled('#run'), true);
  await page.click('#cancel');
  await page.waitForFunction(() => document.querySelector('[data-testid=progress]').textContent === 'cancelled', null, { timeout: 120_000 });
  await page.waitForSelector('#cancel', { state: 'hidden' });
  assert.equal(await page.isDisabled('#run'), false);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('switching to kernel mode and back clears the other mode\'s results (dark theme)', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`, { width: 1280, height: 800 }, 'dark');
  await page.selectOption('#n', '1000');
  await page.click('#run');
  await page.waitForFunction(() => document.querySelector('[data-testid=progress]').textContent === 'done', null, { timeout: 120_000 });
  await page.click('.modes button[data-mode=kernel]');
  await page.waitForSelector('#kernel-box:not([hidden])');
  assert.equal(await page.isVisible('#inputs-box'), false);
  assert.match(await page.textContent('#result'), /Run to see the result/);
  assert.match(await page.textContent('#timing'), /No timings yet/);
  assert.equal(await page.isVisible('#chart-threads'), false);
  // The kernel mode's panels replace the expression mode's.
  assert.equal(await page.isVisible('.tabs button[data-panel=typed]'), true);
  assert.equal(await page.isVisible('.tabs button[data-panel=bytecode]'), false);
  await page.waitForFunction(() => document.querySelector('#diag').textContent.startsWith('ssum('));
  await screenshot(page, 'playground-kernel-dark');
  await page.click('.modes button[data-mode=expression]');
  assert.equal(await page.isDisabled('#run'), false);
  assert.equal(await page.isVisible('#inputs-box'), true);
  assert.equal(await page.isVisible('#kernel-box'), false);
  assert.match(await page.textContent('#result'), /Run to see the result/);
  await closePage(page);
});

test('served without COOP/COEP, the page explains why it has one thread and still computes', async () => {
  const page = await openPlayground(plain.url);
  const status = await page.textContent('#status');
  assert.match(status, /build simd/);
  assert.match(status, /crossOriginIsolated: false/);
  assert.equal(await page.isVisible('#isolation'), true);
  const why = await page.textContent('#isolation');
  assert.match(why, /not cross-origin isolated/);
  assert.match(why, /one thread/);
  assert.deepEqual(await page.$$eval('#threads option', (o) => o.map((x) => x.value)), ['1']);
  await page.selectOption('#examples', 'sum int64');
  await page.selectOption('#n', '1000');
  await page.selectOption('#repeats', '3');
  await runAndWait(page);
  assert.deepEqual(JSON.parse(await page.getAttribute('#result', 'data-values')), [String((999 * 1000) / 2)]);
  await screenshot(page, 'playground-not-isolated');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

/** The stale mark of each result element (preview, table, check line, chart), '' when fresh. */
async function staleMarks(page) {
  return page.evaluate(() => Object.fromEntries(['result', 'timing', 'baseline', 'chart-threads'].map((id) => {
    const el = document.getElementById(id);
    const target = el.tagName === 'CANVAS' ? el.parentElement : el;
    return [id, target.dataset.stale ?? ''];
  })));
}

function assertAllMarked(marks, pattern, when) {
  for (const [id, mark] of Object.entries(marks)) assert.match(mark, pattern, `${id} ${when}`);
}

test('results of an earlier run are marked stale after the expression, N or an input changes, and after Cancel', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`);
  await page.selectOption('#examples', 'sincos');
  await page.waitForSelector('.input-row[data-name="b"]');
  await page.selectOption('#n', '1000');
  await page.selectOption('#repeats', '3');
  await runAndWait(page);
  assert.deepEqual(Object.values(await staleMarks(page)), ['', '', '', ''], 'fresh results are not marked');

  // Another N: every element says which N it shows, and the mark is drawn (the label is
  // visible text in the page, the element dimmed).
  await page.selectOption('#n', '10000');
  assertAllMarked(await staleMarks(page), /^stale: from N = 1,000$/, 'after N changed');
  const label = await page.$eval('#timing', (e) => getComputedStyle(e, '::before').content);
  assert.match(label, /stale: from N = 1,000/);
  assert.ok(Number(await page.$eval('#result', (e) => getComputedStyle(e).opacity)) < 1);
  await page.selectOption('#n', '1000');
  assert.deepEqual(Object.values(await staleMarks(page)), ['', '', '', ''], 'back at the run\'s N');

  // An input's range.
  await page.locator('input[data-testid="a-b"]').fill('4');
  assertAllMarked(await staleMarks(page), /^stale: from the previous inputs$/, 'after an input changed');
  await page.locator('input[data-testid="a-b"]').fill('3');
  assert.deepEqual(Object.values(await staleMarks(page)), ['', '', '', '']);

  // An edit that does not compile, then the source restored.
  await typeSource(page, 'sin(a)**2 + * b');
  await page.waitForSelector('.cm-lintRange-error');
  assertAllMarked(await staleMarks(page), /^stale: from the previous expression$/, 'after an error');
  await typeSource(page, 'sin(a)**2 + cos(b)**2');
  await page.waitForSelector('.cm-lintRange-error', { state: 'detached' });
  assert.deepEqual(Object.values(await staleMarks(page)), ['', '', '', '']);

  // A run at 1e7 cancelled before it showed anything leaves the 1e3 results marked.
  await page.selectOption('#n', '10000000');
  await page.selectOption('#repeats', '15');
  await page.click('#run');
  await page.waitForSelector('#cancel', { state: 'visible' });
  await page.click('#cancel');
  await page.waitForFunction(() => document.querySelector('[data-testid=progress]').textContent === 'cancelled', null, { timeout: 120_000 });
  await page.waitForSelector('#cancel', { state: 'hidden' });
  const marks = await staleMarks(page);
  for (const id of ['result', 'baseline']) assert.match(marks[id], /^stale: from N = 1,000$/, `${id} after Cancel`);
  // The table and chart are either from this run's first thread count or marked.
  for (const id of ['timing', 'chart-threads']) {
    if (!marks[id]) assert.match(await page.textContent('#timing'), /N = 10,000,000/, `${id} after Cancel`);
    else assert.match(marks[id], /^stale: from N = 1,000$/);
  }
  await screenshot(page, 'playground-stale');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

/** The shared state in the page's address (?s=<base64url JSON>). */
async function sharedState(page) {
  const s = new URL(page.url()).searchParams.get('s');
  return JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
}

test('a share link carries the inputs the expression uses, and in kernel mode the example\'s name or the edited module', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`);
  await typeSource(page, 'sinn * 2');
  await page.waitForSelector('.input-row[data-name="sinn"]');
  await setInput(page, 'sinn', 'linspace', 1, 5);
  const shared = await sharedState(page);
  assert.deepEqual(Object.keys(shared.inputs), ['sinn'], 'no inputs of s, si, sin typed on the way');
  assert.equal(shared.inputs.sinn.gen, 'linspace');
  assert.equal(shared.source, 'sinn * 2');
  assert.equal('kernel' in shared, false, 'nothing of the kernel mode is in an expression link');
  assert.equal('kargs' in shared, false);
  assert.ok(page.url().length < 400, `the link is ${page.url().length} characters`);

  // The link reproduces the expression and its input.
  const again = await openPlayground(page.url());
  assert.equal((await again.textContent('.cm-content')).trim(), 'sinn * 2');
  assert.equal(await again.inputValue('select[aria-label="sinn generator"]'), 'linspace');
  await closePage(again);

  // Kernel mode with an example: its name, not its text; edited: the link carries the module.
  await page.click('.modes button[data-mode=kernel]');
  await page.selectOption('#examples', 'blur');
  const named = await sharedState(page);
  assert.equal('kernel' in named, false);
  assert.equal(named.kexample, 'blur');
  assert.equal('inputs' in named, false, 'nothing of the expression mode is in a kernel link');
  const fourth = await openPlayground(page.url());
  await fourth.waitForSelector('#kernel-box:not([hidden])');
  assert.match(await fourth.textContent('.cm-content'), /def blur\(img\)/);
  await closePage(fourth);
  await typeSource(page, 'y = 2  # an edited kernel');
  const kernel = await sharedState(page);
  assert.equal(kernel.mode, 'kernel');
  assert.equal(kernel.kernel, 'y = 2  # an edited kernel');
  const third = await openPlayground(page.url());
  assert.equal((await third.textContent('.cm-content')).trim(), 'y = 2  # an edited kernel');
  await closePage(third);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('the IR and bytecode panels show the shapes of the chosen N', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2&panel=ir`);
  await typeSource(page, 'a * 2 + b');
  await page.waitForSelector('.input-row[data-name="b"]');
  await page.selectOption('#n', '10000');
  await page.waitForFunction(() => document.querySelector('#panel').textContent.includes('10000'));
  const ir = await page.textContent('#panel');
  assert.doesNotMatch(ir, /\[1\]/, ir);
  await page.click('.tabs button[data-panel=bytecode]');
  await page.waitForFunction(() => document.querySelector('#panel').dataset.panel === 'bytecode');
  const bytecode = await page.textContent('#panel');
  assert.match(bytecode, /10000/, bytecode);
  assert.doesNotMatch(bytecode, /\[1\]/, bytecode);
  // A 2-D input: 1000 rows of N / 1000.
  await page.click('.tabs button[data-panel=ir]');
  for (const name of ['a', 'b']) await page.locator(`select[aria-label="${name} shape"]`).selectOption('2-D');
  await page.waitForFunction(() => /1000,\s*10\b/.test(document.querySelector('#panel').textContent));
  assert.doesNotMatch(await page.textContent('#panel'), /1000,\s*1\]/);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('a 1-D input beside a 2-D one is a broadcasting error while typing, not at Run', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`);
  await page.selectOption('#examples', 'sincos');
  await page.waitForSelector('.input-row[data-name="b"]');
  await page.selectOption('#n', '10000');
  await page.locator('select[aria-label="a shape"]').selectOption('2-D');
  await page.waitForFunction(() => document.querySelector('#diag').dataset.kind);
  const diag = await page.textContent('#diag');
  assert.equal(await page.getAttribute('#diag', 'data-kind'), 'ValueError', diag);
  assert.match(diag, /broadcast/i);
  // Both 2-D: it compiles again and runs.
  await page.locator('select[aria-label="b shape"]').selectOption('2-D');
  await page.waitForFunction(() => !document.querySelector('#diag').dataset.kind);
  assert.match(await page.textContent('#diag'), /an array of float64/);
  await page.selectOption('#repeats', '3');
  await runAndWait(page);
  assert.match(await page.textContent('#result'), /\(1000, 10\)/);
  assert.deepEqual(page.errors, []);
  await closePage(page);
});

test('on a phone, charts appear with data, Run shows the result, fields and preview fit, and the texts agree', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`, { width: 390, height: 844 });
  // No empty placeholder charts before any run.
  assert.equal(await page.isVisible('#chart-threads'), false);
  assert.equal(await page.isVisible('#chart-n'), false);
  // The timing header and the table's footnote describe the same warm-up.
  assert.doesNotMatch(await page.textContent('h2:has(+ #timing)'), /one warm-up/);

  await page.selectOption('#examples', 'centered');
  await page.waitForSelector('input[data-testid="n-a"]');
  const field = await page.$eval('input[data-testid="n-a"]', (i) => ({ value: i.value, scroll: i.scrollWidth, client: i.clientWidth }));
  assert.equal(field.value, '1000000');
  assert.ok(field.scroll <= field.client, `the scalar field shows ${field.client}px of ${field.scroll}px`);

  await page.selectOption('#examples', 'sincos');
  await page.waitForSelector('.input-row[data-name="b"]');
  await page.selectOption('#n', '10000');
  await page.selectOption('#repeats', '3');
  await page.evaluate(() => window.scrollTo(0, 0));
  await runAndWait(page);
  // The result is on screen after Run, and its preview is not cut off on the right.
  const box = await page.$eval('#result', (e) => e.getBoundingClientRect().toJSON());
  assert.ok(box.top >= 0 && box.bottom <= 844, `the result is at ${box.top}..${box.bottom}px of 844`);
  const preview = await page.$eval('#result .values', (e) => ({ scroll: e.scrollWidth, client: e.clientWidth }));
  assert.ok(preview.scroll <= preview.client, `the preview shows ${preview.client}px of ${preview.scroll}px`);
  assert.equal(await page.isVisible('#chart-threads'), true);
  assert.equal(await page.isVisible('#chart-n'), false);

  // A sweep to 1e4: its progress speaks of N as the menu does, and its x axis ends there.
  await page.evaluate(() => {
    window.progressTexts = [];
    const el = document.querySelector('[data-testid=progress]');
    new MutationObserver(() => window.progressTexts.push(el.textContent)).observe(el, { childList: true, characterData: true, subtree: true });
  });
  await runAndWait(page, '#sweep');
  const texts = await page.evaluate(() => window.progressTexts);
  assert.ok(texts.some((t) => t.startsWith('N=1e3: ')), texts.join(' | '));
  assert.ok(texts.every((t) => !t.includes('e+')), texts.join(' | '));
  assert.equal(await page.isVisible('#chart-n'), true);
  assert.deepEqual(JSON.parse(await page.getAttribute('#chart-n', 'data-x')), [1e3, 1e4]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
  await screenshot(page, 'playground-390-sweep');
  assert.deepEqual(page.errors, []);
  await closePage(page);
});
