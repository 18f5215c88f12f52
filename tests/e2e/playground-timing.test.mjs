// The playground's runs and what its timings say, in the Vite build (www/dist) served with
// COOP/COEP like scripts/serve.sh: a run at N = 1e7 leaves the page's main thread free
// (the inputs are made, copied and checked in the engine worker) and shows progress while
// the inputs are made; the timing tables and charts keep compute (resident inputs) and
// transfer (the copies in and out) apart, say which is which, and state the warm-up rule.
// Timing values are never asserted.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { startServer } from '../../scripts/serve.mjs';
import { launch, open, repo, screenshot } from './browser.mjs';

const dist = join(repo, 'www', 'dist');
let browser;
let isolated;

before(async () => {
  assert.ok(existsSync(join(dist, 'index.html')), 'www/dist is missing: run scripts/build-www.sh first');
  isolated = await startServer({ root: dist, port: 0, isolation: true });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await isolated?.close();
});

async function openPlayground(url, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport });
  const page = await open(context, url);
  page.context_ = context;
  await page.waitForSelector('#status[data-build]');
  return page;
}

async function runAndWait(page, button = '#run') {
  await page.click(button);
  await page.waitForFunction(() => {
    const t = document.querySelector('[data-testid=progress]').textContent;
    return t === 'done' || t === 'cancelled' || t.startsWith('failed');
  }, null, { timeout: 300_000 });
  const text = await page.textContent('[data-testid=progress]');
  assert.equal(text, 'done', `the run ended with: ${text}`);
}

/**
 * The most bytes of array data a message to or from the page's main thread may hold during
 * a run. Handed to the engine from the main thread, each 1e7-element float64 input was a
 * structured clone of 80 MB, and poly's three inputs to the JS baseline's worker one of
 * 240 MB (main-thread tasks of 230-1000 ms on the 2-core development machine); with the
 * inputs made, copied and checked in the engine worker, only previews and timings cross.
 * Counting bytes keeps the test deterministic (how long a task runs depends on the
 * machine; it is printed, not asserted).
 */
const MAX_MESSAGE_BYTES = 1 << 20;

test('a run at N = 1e7 never blocks the main thread and shows progress while the inputs are made', async () => {
  const page = await openPlayground(`${isolated.url}?pool=2`);
  await page.selectOption('#examples', 'poly');
  await page.waitForSelector('.input-row[data-name="z"]');
  await page.selectOption('#n', '10000000');
  await page.selectOption('#repeats', '3');
  await page.waitForFunction(() => document.querySelector('#panel').textContent.includes('10000000'));

  await page.evaluate(() => {
    // The array bytes of every message the main thread sends or reads.
    window.messageBytes = [];
    const bytes = (v, seen = new Set()) => {
      if (v === null || typeof v !== 'object' || seen.has(v)) return 0;
      seen.add(v);
      if (v instanceof ArrayBuffer) return v.byteLength;
      if (ArrayBuffer.isView(v)) return v.byteLength;
      let n = 0;
      for (const k of Object.keys(v)) n += bytes(v[k], seen);
      return n;
    };
    const send = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (data, ...rest) {
      window.messageBytes.push(['sent', bytes(data)]);
      return send.call(this, data, ...rest);
    };
    const data = Object.getOwnPropertyDescriptor(MessageEvent.prototype, 'data');
    Object.defineProperty(MessageEvent.prototype, 'data', {
      configurable: true,
      get() {
        const d = data.get.call(this);
        window.messageBytes.push(['read', bytes(d)]);
        return d;
      },
    });
    window.longTasks = [];
    if (PerformanceObserver.supportedEntryTypes.includes('longtask')) {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.longTasks.push(Math.round(e.duration));
      }).observe({ type: 'longtask' });
    }
    window.progressSeen = [];
    const text = document.querySelector('[data-testid=progress]');
    new MutationObserver(() => window.progressSeen.push([text.textContent, document.querySelector('#progress').value]))
      .observe(text, { childList: true, characterData: true, subtree: true });
  });
  await runAndWait(page);
  assert.equal(await page.getAttribute('#baseline', 'data-state'), 'ok', await page.textContent('#baseline'));
  assert.match(await page.textContent('#result'), /\(10000000,\)/);

  const messages = await page.evaluate(() => window.messageBytes);
  assert.ok(messages.length > 0, 'the instrumentation saw the run\'s messages');
  const largest = Math.max(...messages.map(([, n]) => n));
  assert.ok(largest <= MAX_MESSAGE_BYTES, `a message of ${largest} bytes of arrays crossed the main thread`);
  const longTasks = await page.evaluate(() => window.longTasks);
  console.log(`# longest main-thread task during the run: ${Math.max(0, ...longTasks)} ms`);

  // While the inputs are made, the bar moves: at least 5 distinct, increasing values above
  // 0 for each input before anything is timed.
  const seen = await page.evaluate(() => window.progressSeen);
  const firstTimed = seen.findIndex(([label]) => label.startsWith('numwasm'));
  assert.ok(firstTimed > 0, seen.map(([l]) => l).join(' | '));
  for (const name of ['x', 'y', 'z']) {
    const values = seen.slice(0, firstTimed).filter(([label]) => label.startsWith(`generating input ${name}:`)).map(([, v]) => v);
    assert.ok(new Set(values).size >= 5, `input ${name}: the bar showed ${values.join(', ')}`);
    assert.ok(values[0] > 0, `input ${name}: the bar starts at ${values[0]}`);
    assert.deepEqual(values, [...values].sort((x, y) => x - y), `input ${name}: the bar went back`);
  }
  assert.deepEqual(page.errors, []);
  await page.context_.close();
});

/** A table cell's number (the figures are only checked to be there, never compared). */
function number(text) {
  const x = Number(text.replace('×', ''));
  assert.ok(Number.isFinite(x), `"${text}" is a number`);
  return x;
}

for (const [width, height] of [[1280, 800], [390, 844]]) {
  test(`compute and transfer are timed apart and labelled, and the warm-up says its rule (${width}px)`, async () => {
    const page = await openPlayground(`${isolated.url}?pool=2`, { width, height });
    await page.selectOption('#examples', 'axpb');
    await page.waitForSelector('.input-row[data-name="b"]');
    await page.selectOption('#n', '10000');
    await page.selectOption('#repeats', '3');
    await page.selectOption('#threads', '2');
    await runAndWait(page);

    // The compute table: numwasm on resident inputs and the JS loop, each labelled compute.
    const compute = page.locator('#timing table[data-kind=compute]');
    assert.match(await compute.locator('caption').textContent(), /^Compute: numwasm on resident inputs into a resident result \(no copies\)/);
    assert.equal(await compute.locator('tr').first().locator('th').nth(1).textContent(), 'compute ms (median)');
    number(await compute.locator('tr[data-threads="2"] td').first().textContent());
    number(await compute.locator('tr[data-threads="js"] td').first().textContent());
    number(await compute.locator('tr[data-threads="2"] td').nth(3).textContent()); // time / JS

    // The transfer table: the copies in and out, and a call on JS arrays as their sum.
    const transfer = page.locator('#timing table[data-kind=transfer]');
    assert.match(await transfer.locator('caption').textContent(), /^Transfer: copies between JS typed arrays and wasm memory/);
    assert.match(await transfer.locator('tr[data-kind=transfer-in] th').textContent(), /^inputs in \(2 arrays, 0\.160 MB, nw\.array\)$/);
    assert.match(await transfer.locator('tr[data-kind=transfer-out] th').textContent(), /^result out \(0\.080 MB, toArray\)$/);
    assert.match(await transfer.locator('tr[data-kind=call] th').textContent(), /^compute on 2 threads \+ copies: a call on JS arrays$/);
    for (const kind of ['transfer-in', 'transfer-out', 'call']) number(await transfer.locator(`tr[data-kind=${kind}] td`).first().textContent());
    number(await transfer.locator('tr[data-kind=call] td').nth(2).textContent()); // time / JS

    // The warm-up: the rule, then how each side's warm-up went.
    const warmup = await page.textContent('#timing [data-testid=warmup]');
    assert.match(warmup, /^Warm-up: each row is warmed up in rounds of at least 5 calls and 100 ms until the median of a round is within 5% of the round before it \(at most 4 s\), then timed 3 times\./);
    assert.match(warmup, /numwasm, 2 threads: first call [\d.≈]+ ms, (settled after \d+ calls|still changing when the cap stopped it after \d+ calls) \([\d.]+ s\)/);
    assert.match(warmup, /JS loop: first call [\d.≈]+ ms, (settled after \d+ calls|still changing)/);
    assert.match(warmup, /copies: the first copy in took [\d.≈]+ ms, the first copy out [\d.≈]+ ms/);

    // The chart names each series for what it is.
    const series = JSON.parse(await page.getAttribute('#chart-threads', 'data-series')).map((s) => s.label);
    for (const label of ['numwasm compute', 'compute + copies', 'JS loop']) assert.ok(series.includes(label), `${label} in ${series}`);
    if (width === 1280) await screenshot(page, 'playground-timing-1280');
    else {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
      await screenshot(page, 'playground-timing-390');
    }

    // Sweep N: compute per thread count, the JS loop and the copies, at 1e3 and 1e4.
    if (width === 1280) {
      await runAndWait(page, '#sweep');
      const sizes = JSON.parse(await page.getAttribute('#chart-n', 'data-series'));
      assert.deepEqual(sizes, [
        { label: 'numwasm compute, 1 thread', points: 2 },
        { label: 'numwasm compute, 2 threads', points: 2 },
        { label: 'JS loop', points: 2 },
        { label: 'copies in/out', points: 2 },
      ]);
    }
    assert.deepEqual(page.errors, []);
    await page.context_.close();
  });
}
