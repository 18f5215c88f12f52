import { defineConfig } from 'vite';

// The package's workers are ES modules that import the wasm-bindgen glue.
export default defineConfig({
  root: import.meta.dirname,
  logLevel: 'warn',
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
});
