// numwasm for Node >= 20: the browser API, running the single-threaded `simd` build
// in-process (Node has no shared-memory web worker pool).

import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';

import * as glue from '../dist/simd/numwasm.js';
import { useBackend } from './api.js';
import { makeEngine } from './engine.js';

let engine = null;

useBackend({
  ncores: cpus().length,
  async start() {
    const bytes = await readFile(new URL('../dist/simd/numwasm_bg.wasm', import.meta.url));
    await glue.default({ module_or_path: bytes });
    engine = makeEngine(glue);
    return { ...engine.info(), isolated: false };
  },
  async call(method, args) {
    return engine[method](args);
  },
});

export * from './public.js';
