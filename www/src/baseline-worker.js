// Runs the generated JS baseline off the page's main thread (like numwasm's own compute
// worker), checks it against numwasm's result, then times it. It also generates the input
// data, so that making 1e7-element inputs never pauses the page.

import { instantiate } from './baseline.js';
import { check } from './baseline-check.js';
import { generate } from './inputs.js';

const ARRAY = {
  float64: Float64Array, float32: Float32Array, int64: BigInt64Array, int32: Int32Array, int16: Int16Array,
  int8: Int8Array, uint64: BigUint64Array, uint32: Uint32Array, uint16: Uint16Array, uint8: Uint8Array, bool: Uint8Array,
};
let job = null;

self.onmessage = ({ data: m }) => {
  try {
    if (m.type === 'generate') {
      const value = generate(m.name, m.spec, m.n);
      self.postMessage({ id: m.id, ok: true, value }, typeof value === 'number' ? [] : [value.buffer]);
    } else if (m.type === 'prepare') {
      const Out = ARRAY[m.outDtype];
      job = { fn: instantiate(m.code), checkFn: instantiate(m.checkCode), P: m.inputs, n: m.n, out: new Out(m.outLength), dtype: m.outDtype, tolerance: m.tolerance };
      self.postMessage({ id: m.id, ok: true });
    } else if (m.type === 'check') {
      job.out.fill(job.out instanceof BigInt64Array || job.out instanceof BigUint64Array ? 0n : 0);
      const scale = job.tolerance === 'ulp' ? new Float64Array(job.out.length) : null;
      const sumAbs = job.checkFn(job.P, job.n, job.out, scale);
      const r = check(m.data, job.out, job.dtype, job.tolerance, sumAbs, job.n, scale);
      self.postMessage({ id: m.id, ok: true, ...r });
    } else if (m.type === 'time') {
      const t0 = performance.now();
      job.fn(job.P, job.n, job.out);
      self.postMessage({ id: m.id, ok: true, ms: performance.now() - t0 });
    } else if (m.type === 'drop') {
      job = null;
      self.postMessage({ id: m.id, ok: true });
    }
  } catch (e) {
    self.postMessage({ id: m.id, ok: false, error: String(e?.message ?? e) });
  }
};
