// Shared setup for the browser tests: Debian's Chromium through playwright-core (never a
// browser download), with the flags this sandbox needs, and the repository served by
// scripts/serve.mjs with or without cross-origin isolation.

import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { after, before } from 'node:test';

import { chromium } from 'playwright-core';

import { startServer } from '../../scripts/serve.mjs';

export const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const artifacts = join(repo, 'tests', 'artifacts');

const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      // Extra flags for experiments, e.g. CHROMIUM_ARGS=--js-flags=--no-liftoff.
      ...(process.env.CHROMIUM_ARGS ?? '').split(' ').filter(Boolean),
    ],
  });
}

/** Serves the repository root (isolated unless told otherwise); `/` is a blank test page. */
export function serveRepo({ isolation = true, root = repo } = {}) {
  return startServer({ root, port: 0, isolation, home: '/tests/e2e/blank.html' });
}

/**
 * Opens `path` in a new page; browser console errors are collected on `page.errors`. With
 * `cores`, the page's navigator.hardwareConcurrency is `cores` (the DevTools protocol's
 * override), so numwasm starts a pool of that many threads even where the machine has fewer
 * cores (the parallel tests run 1, 2 and 3 threads on a 2-core machine).
 */
export async function open(browser, url, { cores } = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  if (cores !== undefined) {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Emulation.setHardwareConcurrencyOverride', { hardwareConcurrency: cores });
  }
  page.errors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.errors.push(m.text());
  });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  await page.goto(url);
  return page;
}

/**
 * Runs `fn(arg)` in a fresh isolated page over the repository (the benchmarks' setup),
 * echoing the page's console.log, and closes everything afterwards.
 */
export async function evaluateInIsolatedPage(fn, arg) {
  const server = await serveRepo({ isolation: true });
  const browser = await launch();
  try {
    const page = await open(browser, server.url);
    page.on('console', (m) => {
      if (m.type() === 'log') console.log(m.text());
    });
    return await page.evaluate(fn, arg);
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function screenshot(page, name) {
  await mkdir(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
}

/**
 * Registers before/after hooks that launch Chromium and serve the repository twice, with
 * and without cross-origin isolation. The returned object is filled in by `before`.
 */
export function useBrowserAndServers() {
  const env = { browser: null, isolated: null, plain: null };
  before(async () => {
    env.browser = await launch();
    env.isolated = await serveRepo({ isolation: true });
    env.plain = await serveRepo({ isolation: false });
  });
  after(async () => {
    await env.browser?.close();
    await env.isolated?.close();
    await env.plain?.close();
  });
  return env;
}
