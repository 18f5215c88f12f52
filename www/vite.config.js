import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The playground imports the package by name, as an app would; `numwasm` resolves to
// web/src/index.js, so the package's compute worker, pool workers and both wasm builds
// (referenced with `new URL(..., import.meta.url)`) are bundled into www/dist.
export default defineConfig({
  root: import.meta.dirname,
  base: './',
  logLevel: 'warn',
  resolve: { alias: { numwasm: fileURLToPath(new URL('../web/src/index.js', import.meta.url)) } },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
});
