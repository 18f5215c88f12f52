// What the page shows of a result, made where the result is (the engine worker), so that a
// 1e7-element result never crosses to the page: the first values, shape, dtype and summary
// statistics. Also the comparison of results across thread counts.

/** min, max, mean (and the NaN count of a float result) over all of `data`. */
export function stats(data, dtype) {
  const n = data.length;
  if (n === 0) return {};
  if (typeof data[0] === 'bigint') {
    let lo = data[0];
    let hi = data[0];
    let sum = 0;
    for (const v of data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      sum += Number(v);
    }
    return { min: lo, max: hi, mean: sum / n };
  }
  let lo = Infinity;
  let hi = -Infinity;
  let sum = 0;
  let nan = 0;
  for (let i = 0; i < n; i++) {
    const v = data[i];
    if (v !== v) {
      nan += 1;
      continue;
    }
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    sum += v;
  }
  const out = { min: lo, max: hi, mean: sum / (n - nan || 1) };
  if (dtype.startsWith('float')) out.nan = nan;
  return out;
}

/** An NDArray's preview: { shape, dtype, length, first (up to 8 values), stats }. */
export function preview(r) {
  return { shape: [...r.shape], dtype: r.dtype, length: r.data.length, first: Array.from(r.data.subarray(0, 8)), stats: stats(r.data, r.dtype) };
}

/** Whether two results hold the same values (NaN equal to NaN). */
export function sameData(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!(a[i] === b[i] || (a[i] !== a[i] && b[i] !== b[i]))) return false;
  return true;
}
