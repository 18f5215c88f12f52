// The kernel benchmark's workloads: for each seed kernel of bench/kernel_workloads.py, its
// arguments at a size and a hand-written JS loop of the same algorithm. Loaded by the page
// (bench/kernels.mjs); bench/kernels_native.py builds the same inputs bit for bit from the
// same generator, so the browser's and Numba's results can be compared by digest.
//
// The JS loops are idiomatic fast JS: typed arrays and plain for loops, allocating their
// result on every call as the kernels do (np.empty_like, np.zeros, np.array, a list).
//
// The parallel group (`parallel: true`: the `parallel=True` kernels) is timed at 1 and 2
// threads; its JS loops are the same algorithms on the page's one thread.

import { rng } from './workloads.js';

/**
 * The real sizes: elements for the 1-d kernels, the side of the square matrix for the 2-d
 * ones, the rows of X for logistic regression (logreg10: n x 10, logreg4: n x 4).
 */
export const SIZES = {
  ssum: 1e6,
  band: 1000,
  normalize: 1000,
  moving_mean: 1e6,
  filter_lt50: 1e6,
  pssum: 1e7,
  pnormalize: 1000,
  logreg10: 1e5,
  logreg4: 1e6,
  pexp_arcsin: 1e6,
  pmean3: 1e7,
  pfour: 4000,
  pblur: 1000,
  prc: 1e6,
  paxpb: 1e6,
  presponse: 1e6,
  psinc: 1e6,
  pmove_mean: 1000,
};
/**
 * The size sweep (`bench/kernels.mjs --sweep`, `bench/kernels_native.py --sweep`): the
 * kernel workloads of the design brief (response, normalize, the stencil mean and blur,
 * logistic regression, ssum as a prange reduction) at element counts from 1e3 to 1e7: `n`
 * maps the element count to the workload's size (the side of a square for the 2-d ones,
 * the rows of X, of 10 columns, for logistic regression), `max` caps a slow one (the blur:
 * 441 powers per pixel). bench/kernels_native.py holds the same table.
 */
const side = (elements) => Math.round(Math.sqrt(elements));
export const SWEEP = {
  presponse: { n: (e) => e },
  pnormalize: { n: side },
  pmean3: { n: (e) => e },
  pblur: { n: side, max: 1e5 },
  logreg10: { n: (e) => Math.max(1, Math.round(e / 10)) },
  pssum: { n: (e) => e },
};
/** The element counts of the sweep. */
export const SWEEP_ELEMENTS = [1e3, 1e4, 1e5, 1e6, 1e7];

/** `--sizes small`: a quick run. */
export const SMALL_SIZES = {
  ssum: 1e4,
  band: 100,
  normalize: 100,
  moving_mean: 1e4,
  filter_lt50: 1e4,
  pssum: 1e5,
  pnormalize: 100,
  logreg10: 1e3,
  logreg4: 1e4,
  pexp_arcsin: 1e4,
  pmean3: 1e5,
  pfour: 100,
  pblur: 60,
  prc: 1e4,
  paxpb: 1e4,
  presponse: 1e4,
  psinc: 1e4,
  pmove_mean: 100,
};
/**
 * The size of the first-call measurement: small, so that parsing, typing and compiling
 * dominate. One entry per kernel: logreg4 is the same kernel as logreg10 and has none.
 */
export const FIRST_CALL_SIZES = {
  ssum: 1000,
  band: 32,
  normalize: 32,
  moving_mean: 1000,
  filter_lt50: 1000,
  pssum: 1000,
  pnormalize: 32,
  logreg10: 100,
  pexp_arcsin: 1000,
  pmean3: 1000,
  pfour: 32,
  pblur: 32,
};

/** band's half-width and moving_mean's window. */
export const BAND_K = 10;
export const WINDOW = 10;
/** Logistic regression's iterations (the seed's 20). */
export const ITERATIONS = 20;
/** The thread counts of the parallel group. */
export const PARALLEL_THREADS = [1, 2];

/**
 * A bound on the relative difference of two sums of the same n non-negative terms added in
 * different orders: each is within (n - 1) u of the exact sum (u = 2^-53), so they are
 * within 2 n u of each other. A parallel reduction may add in chunks; this is how far that
 * may move the result.
 */
export const sumTolerance = (n) => 2 * n * 2 ** -53;

/** `n` uint32 words of the LCG of workloads.js (its fraction times 2^32 is the state, exactly). */
function words(n, seed) {
  const r = rng(seed);
  const w = new Uint32Array(n);
  for (let i = 0; i < n; i++) w[i] = r() * 4294967296;
  return w;
}

/** n uint8 from the top 8 bits of the LCG's words (an image of noise). */
function bytes8(n, seed) {
  const w = words(n, seed);
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = w[i] >>> 24;
  return a;
}

/** Uniform float64 in [lo, hi): `lo + (hi - lo) * u` with u the LCG's fraction, as Python computes it. */
function uniform(n, lo, hi, seed) {
  const r = rng(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

/**
 * Logistic regression's inputs, n rows of d features: X uniform in [-s, s) with
 * s = 1 / sqrt(n), labels Y of -1 or 1, weights w uniform in [-1, 1). The seed takes unit
 * steps (no learning rate), so the gradient, a sum over n rows, grows with n; features
 * scaled by 1 / sqrt(n) keep |X . w| small for 20 iterations (exp neither overflows nor
 * saturates the sigmoid), so every element takes the ordinary path of exp.
 */
function logregInputs(n, d) {
  const s = 1 / Math.sqrt(n);
  const X = uniform(n * d, -s, s, 43);
  const u = uniform(n, 0, 1, 44);
  const Y = new Float64Array(n);
  for (let i = 0; i < n; i++) Y[i] = u[i] < 0.5 ? -1 : 1;
  return [Y, { data: X, shape: [n, d] }, uniform(d, -1, 1, 45), ITERATIONS];
}

/**
 * The seed's logistic regression as one loop over the rows per iteration: the dot of a row
 * with w (in column order), the sigmoid term, and its product with the row added into the
 * gradient (in row order): the order of the kernel's np.dot(X, w) and np.dot(v, X). Only
 * Math.exp differs from the kernel's exp (within an ULP).
 */
function logregJs(Y, { data: X, shape: [n, d] }, w0, iterations) {
  const w = w0.slice();
  const g = new Float64Array(d);
  for (let it = 0; it < iterations; it++) {
    g.fill(0);
    for (let r = 0; r < n; r++) {
      const row = r * d;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += X[row + j] * w[j];
      const v = (1 / (1 + Math.exp(-Y[r] * dot)) - 1) * Y[r];
      for (let j = 0; j < d; j++) g[j] += v * X[row + j];
    }
    for (let j = 0; j < d; j++) w[j] -= g[j];
  }
  return w;
}

/** normalize's JS loop, for normalize and pnormalize. */
function normalizeJs({ data: x, shape: [rows, cols] }) {
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    let acc = 0;
    const row = i * cols;
    for (let j = 0; j < cols; j++) acc += x[row + j] * x[row + j];
    const norm = Math.sqrt(acc);
    for (let j = 0; j < cols; j++) out[row + j] = x[row + j] / norm;
  }
  return out;
}

const exponent = (n) => `1e${Math.round(Math.log10(n))}`;

/** Int64 over the whole range: each element is two LCG words, low word first (little-endian). */
function int64s(n, seed) {
  return new BigInt64Array(words(2 * n, seed).buffer);
}

/** 64-bit wrapping sum, read as two 32-bit halves, since JS has no int64 arithmetic but BigInt. */
function sumInt64Words(a) {
  const w = new Int32Array(a.buffer, a.byteOffset, 2 * a.length);
  let total = 0n;
  // A block of 2^20 elements keeps both partial sums exact in a double (below 2^53).
  for (let start = 0; start < w.length; start += 1 << 21) {
    const end = Math.min(w.length, start + (1 << 21));
    let lo = 0;
    let hi = 0;
    for (let i = start; i < end; i += 2) {
      lo += w[i] >>> 0;
      hi += w[i + 1];
    }
    total += (BigInt(hi) << 32n) + BigInt(lo);
  }
  return BigInt.asIntN(64, total);
}

/**
 * Each workload: `kernel` in bench/kernel_workloads.py, `args(n)` its arguments (plain
 * values the package takes), `js(...args)` the JS loop (a bigint or a typed array), `jsNote`
 * what that loop does, and `jsAlt` a second JS loop worth knowing about. Every result is
 * compared bit for bit: Numba fixes the order of every float operation here (sequential
 * sums, `x ** 2` as `x * x`, the slice mean as a sum divided by its length) and the loops
 * follow it.
 *
 * `uses` names the functions of bench/kernel_workloads.py the kernel calls (the stencils),
 * which its first-call module holds too.
 *
 * The parallel group also has `parallel: true`, `label(n)` (the input's size as the report
 * prints it), `tolerance(n)` (the relative difference allowed from the JS loop and from
 * Numba: 0 is bit for bit), `mutates` (the indices of arguments the kernel writes: each call
 * gets a fresh copy) and optionally `repeats` (fewer timed calls for a slow one).
 */
export const KERNEL_WORKLOADS = [
  {
    id: 'ssum',
    kernel: 'ssum',
    what: 'n int64 over the whole range (the sum wraps)',
    args: (n) => [int64s(n, 31)],
    js: sumInt64Words,
    jsNote: 'the int64 buffer read as 32-bit halves through an Int32Array, two Number sums per block of 2^20, combined with BigInt.asIntN(64) (exact wrap-around)',
    jsAlt: {
      name: 'BigInt',
      note: 's = BigInt.asIntN(64, s + a[i]) over the BigInt64Array, JS\'s own int64 arithmetic',
      run: (a) => {
        let s = 0n;
        for (let i = 0; i < a.length; i++) s = BigInt.asIntN(64, s + a[i]);
        return s;
      },
    },
  },
  {
    id: 'band',
    kernel: 'band',
    what: `band(n, ${BAND_K}): an n x n float64 matrix`,
    args: (n) => [n, BAND_K],
    js: (n, k) => {
      const out = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) out[i * n + j] = Math.abs(i - j) <= k ? 1 : 0;
      }
      return out;
    },
    jsNote: 'fills one Float64Array row by row (no nested lists)',
  },
  {
    id: 'normalize',
    kernel: 'normalize',
    what: 'n x n float64, uniform in [-3, 3)',
    args: (n) => [{ data: uniform(n * n, -3, 3, 32), shape: [n, n] }],
    js: normalizeJs,
    jsNote: 'row by row: sum of squares, Math.sqrt, divide',
  },
  {
    id: 'moving_mean',
    kernel: 'moving_mean',
    what: `n float64 uniform in [0, 10), window ${WINDOW}`,
    args: (n) => [uniform(n, 0, 10, 33), WINDOW],
    js: (a, w) => {
      const out = new Float64Array(a.length - w + 1);
      for (let i = 0; i < out.length; i++) {
        let s = 0;
        for (let j = i; j < i + w; j++) s += a[j];
        out[i] = s / w;
      }
      return out;
    },
    jsNote: 'each window summed in order and divided by w (Numba\'s mean of a slice)',
  },
  {
    id: 'filter_lt50',
    kernel: 'filter_lt50',
    what: 'n float64 uniform in [0, 100) (about half pass)',
    args: (n) => [uniform(n, 0, 100, 34)],
    js: (a) => {
      const out = new Float64Array(a.length);
      let k = 0;
      for (let i = 0; i < a.length; i++) {
        const x = a[i];
        if (x < 50) out[k++] = x;
      }
      return out.subarray(0, k);
    },
    jsNote: 'fills a Float64Array of the input\'s length and returns the filled part',
    jsAlt: {
      name: 'push',
      note: 'pushes to a plain JS array',
      run: (a) => {
        const out = [];
        for (let i = 0; i < a.length; i++) {
          const x = a[i];
          if (x < 50) out.push(x);
        }
        return Float64Array.from(out);
      },
    },
  },
  {
    id: 'pssum',
    kernel: 'pssum',
    parallel: true,
    what: 'n float64 uniform in [0, 1): `s += a[i]` over `prange(a.size)`',
    label: exponent,
    args: (n) => [uniform(n, 0, 1, 41)],
    js: (a) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i];
      return s;
    },
    tolerance: sumTolerance,
    mutates: [],
    jsNote: 'one sequential sum',
  },
  {
    id: 'pnormalize',
    kernel: 'pnormalize',
    parallel: true,
    what: 'n x n float64, uniform in [-3, 3) (normalize\'s input), `prange` over the rows',
    label: (n) => `${n}×${n}`,
    args: (n) => [{ data: uniform(n * n, -3, 3, 32), shape: [n, n] }],
    js: normalizeJs,
    tolerance: () => 0,
    mutates: [],
    jsNote: 'normalize\'s loop',
  },
  {
    id: 'logreg10',
    kernel: 'logreg',
    parallel: true,
    what: `logistic regression, n x 10, ${ITERATIONS} iterations`,
    label: (n) => `${exponent(n)}×10`,
    args: (n) => logregInputs(n, 10),
    js: logregJs,
    // The gradient is a sum over n rows that cancels: an ULP of exp, or another order of the
    // sums (Numba's vector-matrix np.dot is BLAS), moves the weights by more than an ULP.
    tolerance: () => 1e-12,
    mutates: [2],
    jsNote: 'per iteration one pass over the rows: the row\'s dot with w, the sigmoid term, added times the row into the gradient; then w -= gradient',
  },
  {
    id: 'logreg4',
    kernel: 'logreg',
    parallel: true,
    what: `logistic regression, n x 4, ${ITERATIONS} iterations`,
    label: (n) => `${exponent(n)}×4`,
    args: (n) => logregInputs(n, 4),
    js: logregJs,
    tolerance: () => 1e-12,
    mutates: [2],
    // About a second a call in numwasm today: fewer timed calls keep the page's run short.
    repeats: 5,
    jsNote: 'as logreg10',
  },
  {
    id: 'pexp_arcsin',
    kernel: 'pexp_arcsin',
    parallel: true,
    what: 'n float64 uniform in [-1, 1): `np.exp(np.arcsin(a))`',
    label: exponent,
    args: (n) => [uniform(n, -1, 1, 42)],
    js: (a) => {
      const out = new Float64Array(a.length);
      for (let i = 0; i < a.length; i++) out[i] = Math.exp(Math.asin(a[i]));
      return out;
    },
    // Math.exp and Math.asin against numwasm's and Numba's exp and arcsin, each within an ULP.
    tolerance: () => 1e-13,
    mutates: [],
    jsNote: 'Math.exp(Math.asin(x)) into a new Float64Array',
  },
  {
    id: 'pmean3',
    kernel: 'pmean3',
    uses: ['mean3'],
    parallel: true,
    what: 'n float64 uniform in [0, 1): the stencil `(a[-1] + a[0] + a[1]) / 3.0`',
    label: exponent,
    args: (n) => [uniform(n, 0, 1, 46)],
    js: (a) => {
      const n = a.length;
      const out = new Float64Array(n);
      for (let i = 1; i < n - 1; i++) out[i] = (a[i - 1] + a[i] + a[i + 1]) / 3;
      return out;
    },
    tolerance: () => 0,
    mutates: [],
    jsNote: 'one loop over the interior into a new (zeroed) Float64Array',
  },
  {
    id: 'pfour',
    kernel: 'pfour',
    uses: ['four'],
    parallel: true,
    what: 'n x n float64 uniform in [-1, 1): the stencil `0.25 * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0])`',
    label: (n) => `${n}×${n}`,
    args: (n) => [{ data: uniform(n * n, -1, 1, 47), shape: [n, n] }],
    js: ({ data: a, shape: [r, c] }) => {
      const out = new Float64Array(r * c);
      for (let i = 1; i < r - 1; i++) {
        const row = i * c;
        for (let j = 1; j < c - 1; j++) out[row + j] = 0.25 * (a[row + j + 1] + a[row + c + j] + a[row + j - 1] + a[row - c + j]);
      }
      return out;
    },
    tolerance: () => 0,
    mutates: [],
    jsNote: 'rows then columns of the interior into a new Float64Array',
  },
  {
    id: 'pblur',
    kernel: 'pblur',
    uses: ['blur'],
    parallel: true,
    what: 'an n x n uint8 image of noise: the seed\'s 21x21 blur in linear light (gamma 2.2)',
    label: (n) => `${n}×${n}`,
    args: (n) => [{ data: bytes8(n * n, 48), shape: [n, n] }],
    js: ({ data: img, shape: [r, c] }) => {
      const out = new Uint8Array(r * c);
      for (let i = 10; i < r - 10; i++) {
        for (let j = 10; j < c - 10; j++) {
          let acc = 0;
          for (let di = -10; di <= 10; di++) {
            const row = (i + di) * c + j;
            for (let dj = -10; dj <= 10; dj++) acc += (img[row + dj] / 255) ** 2.2;
          }
          out[i * c + j] = 255 * (acc / 441) ** (1 / 2.2);
        }
      }
      return out;
    },
    // Math.pow against numwasm's and Numba's pow, each within an ULP: a pixel whose value
    // falls within an ULP of an integer may truncate one lower (the pixels are about 135).
    tolerance: () => 0.01,
    mutates: [],
    // Seconds a call at 1000x1000 (4.4e8 powers).
    repeats: 3,
    jsNote: 'the same loops, `**` (Math.pow) per neighbour, into a new Uint8Array (which truncates as np.uint8 does)',
  },
  {
    id: 'prc',
    kernel: 'prc',
    parallel: true,
    what: "n float64 uniform in [0, 5), tau = 1.5: the rc filter `1.0 - math.exp(-x / tau)` as a `@vectorize(target='parallel')` ufunc",
    label: exponent,
    args: (n) => [uniform(n, 0, 5, 49), 1.5],
    js: (x, tau) => {
      const out = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) out[i] = 1 - Math.exp(-x[i] / tau);
      return out;
    },
    // Math.exp against numwasm's and Numba's exp, each within an ULP; 1 - exp(-x / tau)
    // cancels for small x, which magnifies an ULP of exp (measured up to 7e-12).
    tolerance: () => 1e-9,
    mutates: [],
    jsNote: '1 - Math.exp(-x / tau) into a new Float64Array',
  },
  {
    id: 'paxpb',
    kernel: 'paxpb',
    parallel: true,
    what: "n float64 x uniform in [-1, 1), y in [1, 2): the arithmetic body `(2.0 * x + 3.0 * y) / y` as a `target='parallel'` ufunc",
    label: exponent,
    args: (n) => [uniform(n, -1, 1, 53), uniform(n, 1, 2, 54)],
    js: (x, y) => {
      const out = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) out[i] = (2 * x[i] + 3 * y[i]) / y[i];
      return out;
    },
    // Correctly rounded arithmetic everywhere: the same bits.
    tolerance: () => 0,
    mutates: [],
    jsNote: '(2 * x + 3 * y) / y into a new Float64Array',
  },
  {
    id: 'presponse',
    kernel: 'presponse',
    parallel: true,
    what: "n float64 uniform in [-0.5, 1.5): a piecewise response (0, `v ** 2.2`, 1) as a `target='parallel'` ufunc",
    label: exponent,
    args: (n) => [uniform(n, -0.5, 1.5, 50)],
    js: (v) => {
      const out = new Float64Array(v.length);
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        out[i] = x <= 0 ? 0 : x < 1 ? x ** 2.2 : 1;
      }
      return out;
    },
    tolerance: () => 1e-13,
    mutates: [],
    jsNote: 'the same branches, `**` (Math.pow), into a new Float64Array',
  },
  {
    id: 'psinc',
    kernel: 'psinc',
    parallel: true,
    what: "n float64 uniform in [-10, 10): sinc as a `target='parallel'` ufunc",
    label: exponent,
    args: (n) => [uniform(n, -10, 10, 51)],
    js: (x) => {
      const out = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) {
        const v = x[i];
        out[i] = v === 0 ? 1 : Math.sin(Math.PI * v) / (Math.PI * v);
      }
      return out;
    },
    // sin within an ULP of each other near its zeros gives larger relative differences.
    tolerance: () => 1e-9,
    mutates: [],
    jsNote: 'the same branch, Math.sin, into a new Float64Array',
  },
  {
    id: 'pmove_mean',
    kernel: 'pmove_mean',
    parallel: true,
    what: `n x n float64 uniform in [0, 10): a moving mean of window ${WINDOW} along each row, a \`(n),()->(n)\` gufunc with target='parallel'`,
    label: (n) => `${n}×${n}`,
    args: (n) => [{ data: uniform(n * n, 0, 10, 52), shape: [n, n] }, WINDOW],
    js: ({ data: a, shape: [rows, n] }, w) => {
      const out = new Float64Array(rows * n);
      for (let r = 0; r < rows; r++) {
        const o = r * n;
        let asum = 0;
        let count = 0;
        for (let i = 0; i < w; i++) {
          asum += a[o + i];
          count++;
          out[o + i] = asum / count;
        }
        for (let i = w; i < n; i++) {
          asum += a[o + i] - a[o + i - w];
          out[o + i] = asum / count;
        }
      }
      return out;
    },
    tolerance: () => 0,
    mutates: [],
    jsNote: 'the seed\'s running sum per row into a new Float64Array',
  },
];

/**
 * Up to 257 elements of a result, for comparing results across processes with a tolerance
 * (bench/kernels_native.py takes the same ones): all of them for 1,024 or fewer, else those
 * at floor(k (N - 1) / 256) for k = 0..256 of the flattened result. Non-finite values are
 * null (JSON has no NaN).
 */
export function probe(value) {
  const a = typeof value === 'bigint' || typeof value === 'number' ? [value] : value;
  const at = a.length <= 1024 ? [...a.keys()] : Array.from({ length: 257 }, (_, k) => Math.floor((k * (a.length - 1)) / 256));
  return at.map((i) => (Number.isFinite(a[i]) ? Number(a[i]) : null));
}

/**
 * How a result differs from the reference: `{ ok, maxRelDiff, mismatches }`, bit for bit
 * (NaN equal to NaN, -0 unequal to 0) unless `tolerance` is given.
 */
export function compare(got, want, tolerance = 0) {
  const a = typeof got === 'bigint' || typeof got === 'number' ? [got] : got;
  const b = typeof want === 'bigint' || typeof want === 'number' ? [want] : want;
  if (a.length !== b.length) return { ok: false, maxRelDiff: Infinity, mismatches: Math.abs(a.length - b.length), lengths: [a.length, b.length] };
  let worst = 0;
  let mismatches = 0;
  for (let i = 0; i < a.length; i++) {
    if (typeof a[i] === 'bigint' || typeof b[i] === 'bigint') {
      if (BigInt(a[i]) !== BigInt(b[i])) {
        mismatches++;
        worst = Infinity;
      }
      continue;
    }
    if (Object.is(a[i], b[i])) continue;
    const d = Math.abs(a[i] - b[i]) / Math.max(Math.abs(a[i]), Math.abs(b[i]), 1e-300);
    if (!(d <= worst)) worst = d;
    if (tolerance === 0 || !(d <= tolerance)) mismatches++;
  }
  return { ok: mismatches === 0, maxRelDiff: worst, mismatches };
}

/** SHA-256 of a result's bytes (little-endian, C order), or of an integer scalar's decimal text. */
export async function digest(value) {
  const bytes =
    typeof value === 'bigint' || typeof value === 'number'
      ? new TextEncoder().encode(String(value))
      : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  const h = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(h)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
