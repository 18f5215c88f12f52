// Runs the generated JS baseline off the page's main thread (like numwasm's own compute
// worker), checks it against numwasm's result, then times it.

import { instantiate } from './baseline.js';

const ARRAY = {
  float64: Float64Array, float32: Float32Array, int64: BigInt64Array, int32: Int32Array, int16: Int16Array,
  int8: Int8Array, uint64: BigUint64Array, uint32: Uint32Array, uint16: Uint16Array, uint8: Uint8Array, bool: Uint8Array,
};
const EPS = { float64: 2 ** -52, float32: 2 ** -23 };
const MAX_ULP = 64;

let job = null;

/** Distance in units in the last place between two finite floats of the same dtype. */
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);
const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
function ordered(x, dtype) {
  if (dtype === 'float32') {
    f32[0] = x;
    const b = i32[0];
    return BigInt(b < 0 ? -2147483648 - b : b);
  }
  f64[0] = x;
  const b = i64[0];
  return b < 0n ? -9223372036854775808n - b : b;
}
function ulps(a, b, dtype) {
  const d = ordered(a, dtype) - ordered(b, dtype);
  return Number(d < 0n ? -d : d);
}

function check(engine, js, dtype, tolerance, sumAbs, n) {
  let maxUlp = 0;
  let bad = 0;
  let first = null;
  const float = dtype in EPS;
  const bound = tolerance === 'sum' ? (n * 2 ** -53 + (Math.log2(n) + 2) * EPS[dtype]) : 0;
  for (let i = 0; i < js.length; i++) {
    const a = engine[i];
    const b = js[i];
    if (a === b || (float && a !== a && b !== b)) continue;
    let ok = false;
    if (float && Number.isFinite(a) && Number.isFinite(b)) {
      const u = ulps(a, b, dtype);
      if (tolerance === 'sum') {
        ok = Math.abs(a - b) <= bound * Math.max(sumAbs, Math.abs(a), Math.abs(b)) || u <= MAX_ULP;
      } else if (tolerance === 'ulp') {
        ok = u <= MAX_ULP;
      }
      if (ok) maxUlp = Math.max(maxUlp, u);
    }
    if (!ok) {
      bad += 1;
      first ??= { index: i, numwasm: String(a), js: String(b) };
    }
  }
  return { ok: bad === 0, maxUlp, bad, first };
}

self.onmessage = ({ data: m }) => {
  try {
    if (m.type === 'prepare') {
      const Out = ARRAY[m.outDtype];
      job = { fn: instantiate(m.code), P: m.inputs, n: m.n, out: new Out(m.outLength), dtype: m.outDtype, tolerance: m.tolerance };
      self.postMessage({ id: m.id, ok: true });
    } else if (m.type === 'check') {
      job.out.fill(job.out instanceof BigInt64Array || job.out instanceof BigUint64Array ? 0n : 0);
      const sumAbs = job.fn(job.P, job.n, job.out);
      const r = check(m.data, job.out, job.dtype, job.tolerance, sumAbs, job.n);
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
