// Checks the JS baseline's output against numwasm's, element by element: bit for bit
// (NaN equal to NaN, -0 equal to 0), or within MAX_ULP units in the last place when the
// expression calls Math.* transcendentals, or within the summation error bound for float
// reductions (numwasm sums pairwise in fixed chunks, the loop in index order).

const EPS = { float64: 2 ** -52, float32: 2 ** -23 };
export const MAX_ULP = 64;

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
/** Distance in units in the last place between two finite floats of the same dtype. */
function ulps(a, b, dtype) {
  const d = ordered(a, dtype) - ordered(b, dtype);
  return Number(d < 0n ? -d : d);
}

/**
 * engine, js: the two outputs; scale: per element, the largest |intermediate| (or null).
 * Returns { ok, maxUlp, bad, first: { index, numwasm, js } | null }.
 */
export function check(engine, js, dtype, tolerance, sumAbs, n, scale = null) {
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
        ok = u <= MAX_ULP || (scale !== null && Math.abs(a - b) <= 16 * EPS[dtype] * scale[i]);
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

