#!/usr/bin/env node
// A static file server for the playground and the browser tests. By default it sends the
// headers that make a page cross-origin isolated (COOP same-origin + COEP require-corp),
// which SharedArrayBuffer and so the thread pool need; --no-isolation leaves them out to
// show the single-threaded fallback.
//
//   node scripts/serve.mjs [--root DIR] [--port N] [--host H] [--home PATH] [--no-isolation]
//
// --home PATH redirects `/` to PATH (e.g. /www/ when serving the repository root).
//
// Also importable: `startServer({ root, port, isolation })` resolves to { url, close }.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
};

/** Resolves a URL path inside `root`, or null if it would leave it. */
function locate(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0]);
  } catch {
    return null;
  }
  const full = normalize(join(root, path));
  return full === root || full.startsWith(root + sep) ? full : null;
}

export function startServer({ root, port = 0, host = '127.0.0.1', isolation = true, index = 'index.html', home = null }) {
  const base = resolve(root);
  const server = createServer(async (req, res) => {
    const headers = { 'Cache-Control': 'no-store', 'Cross-Origin-Resource-Policy': 'same-origin' };
    if (isolation) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
    }
    if (home && (req.url === '/' || req.url?.startsWith('/?'))) {
      res.writeHead(302, { ...headers, Location: home + (req.url.slice(1) || '') });
      res.end();
      return;
    }
    let file = locate(base, req.url ?? '/');
    try {
      if (file && (await stat(file)).isDirectory()) {
        if (!req.url.split('?')[0].endsWith('/')) {
          res.writeHead(301, { ...headers, Location: `${req.url.split('?')[0]}/` });
          res.end();
          return;
        }
        file = join(file, index);
      }
      const info = file && (await stat(file));
      if (!info || !info.isFile()) throw new Error('not a file');
      res.writeHead(200, {
        ...headers,
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': info.size,
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`not found: ${req.url}\n`);
    }
  });
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolvePromise({
        url: `http://${host === '127.0.0.1' ? 'localhost' : host}:${actual}/`,
        close: () => new Promise((done) => server.close(done)),
        server,
      });
    });
  });
}

function parseArgs(argv) {
  const args = { root: '.', port: 8080, host: '127.0.0.1', isolation: true, home: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--root') args.root = argv[++i];
    else if (a === '--port') args.port = Number(argv[++i]);
    else if (a === '--host') args.host = argv[++i];
    else if (a === '--no-isolation') args.isolation = false;
    else if (a === '--home') args.home = argv[++i];
    else {
      console.error(`serve.mjs: unknown argument ${a}`);
      process.exit(2);
    }
  }
  return args;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = parseArgs(process.argv.slice(2));
  const { url } = await startServer(args);
  const where = fileURLToPath(pathToFileURL(resolve(args.root)));
  console.log(`serving ${where} on ${url} (${args.isolation ? 'cross-origin isolated' : 'NOT isolated'})`);
}
