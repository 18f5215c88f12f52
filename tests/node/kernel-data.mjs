// What the kernel tests in Node share: deterministic inputs and bit-exact comparison.

/** n float64 in [-1, 1) from an LCG (no Math.random: the tests must repeat). */
export function data(n, seed) {
  const a = new Float64Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    a[i] = x / 2 ** 31 - 1;
  }
  return a;
}

/** A float64's bits. */
export const bits = (v) => new BigUint64Array(new Float64Array([v]).buffer)[0];

/** Whether two float arrays hold the same bits (the sign of zero and NaNs included). */
export const sameBits = (x, y) => x.length === y.length && x.every((v, i) => bits(v) === bits(y[i]));
