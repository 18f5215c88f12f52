import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const entry = fileURLToPath(new URL('../web/src/index.js', import.meta.url));

// The playground imports the package by name, as an app would; `numwasm` resolves to
// web/src/index.js, so the package's compute worker, pool workers and both wasm builds
// (referenced with `new URL(..., import.meta.url)`) are bundled into www/dist.
//
// web/package.json says "sideEffects": false, but index.js installs the browser backend as
// a side effect; an app that uses only named members (nw.init, nw.compile) would get that
// module tree-shaken away and fail with "Cannot read properties of null (reading 'start')".
// Until the package marks index.js as having side effects, the playground says so here.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  plugins: [
    {
      name: 'numwasm-entry-has-side-effects',
      enforce: 'pre',
      resolveId(source) {
        return source === 'numwasm' ? { id: entry, moduleSideEffects: true } : null;
      },
    },
  ],
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
