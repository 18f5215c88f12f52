// The benchmark workloads (docs/architecture.md lists them) that the expression engine runs, each with its
// inputs and a hand-written JS loop doing the same work. Loaded both by the page (the
// browser run) and by Node (the report), so it has no imports.

/** A small deterministic generator (LCG), so every run sees the same data. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const uniform = (n, lo, hi, seed) => {
  const r = rng(seed);
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
};

export const WORKLOADS = [
  {
    id: 'poly',
    expr: 'x + (y**2 + (z*x + 1)*3)',
    inputs: (n) => ({ x: uniform(n, -1, 1, 1), y: uniform(n, -1, 1, 2), z: uniform(n, -1, 1, 3) }),
    js: ({ x, y, z }, out) => {
      for (let i = 0; i < out.length; i++) out[i] = x[i] + (y[i] ** 2 + (z[i] * x[i] + 1) * 3);
      return out;
    },
    bytesPerElement: 32,
  },
  {
    id: 'axpb',
    expr: '(2*a + 3*b)/b',
    inputs: (n) => ({ a: uniform(n, -1, 1, 4), b: uniform(n, 0.5, 2, 5) }),
    js: ({ a, b }, out) => {
      for (let i = 0; i < out.length; i++) out[i] = (2 * a[i] + 3 * b[i]) / b[i];
      return out;
    },
    bytesPerElement: 24,
  },
  {
    id: 'expab',
    expr: 'exp(2.1*a + 3.2*b)',
    inputs: (n) => ({ a: uniform(n, -1, 1, 6), b: uniform(n, -1, 1, 7) }),
    js: ({ a, b }, out) => {
      for (let i = 0; i < out.length; i++) out[i] = Math.exp(2.1 * a[i] + 3.2 * b[i]);
      return out;
    },
    bytesPerElement: 24,
    transcendental: true,
  },
  {
    id: 'asinexp',
    expr: 'exp(arcsin(a))',
    inputs: (n) => ({ a: uniform(n, 0, 1, 8) }),
    js: ({ a }, out) => {
      for (let i = 0; i < out.length; i++) out[i] = Math.exp(Math.asin(a[i]));
      return out;
    },
    bytesPerElement: 16,
    transcendental: true,
  },
  {
    id: 'rc',
    expr: 'voltage * (1 - exp(1/time_constant))',
    inputs: (n) => ({ voltage: uniform(n, 0, 10, 9), time_constant: uniform(n, -10, -0.1, 10) }),
    js: ({ voltage, time_constant: t }, out) => {
      for (let i = 0; i < out.length; i++) out[i] = voltage[i] * (1 - Math.exp(1 / t[i]));
      return out;
    },
    bytesPerElement: 24,
    transcendental: true,
  },
  {
    id: 'sincos',
    expr: 'sin(a)**2 + cos(b)**2',
    inputs: (n) => ({ a: uniform(n, -10, 10, 11), b: uniform(n, -10, 10, 12) }),
    js: ({ a, b }, out) => {
      for (let i = 0; i < out.length; i++) out[i] = Math.sin(a[i]) ** 2 + Math.cos(b[i]) ** 2;
      return out;
    },
    bytesPerElement: 24,
    transcendental: true,
  },
  {
    id: 'sum-f64',
    expr: 'sum(a)',
    inputs: (n) => ({ a: uniform(n, -1, 1, 13) }),
    // A plain loop: its rounding differs from numwasm's pairwise sum, so results are
    // checked to a relative tolerance rather than bit for bit.
    js: ({ a }) => {
      let s = 0;
      for (let i = 0; i < a.length; i++) s += a[i];
      return new Float64Array([s]);
    },
    bytesPerElement: 8,
    reduction: true,
  },
  {
    id: 'sum-i64',
    expr: 'sum(a)',
    inputs: (n) => {
      const r = rng(14);
      return { a: BigInt64Array.from({ length: n }, () => BigInt(Math.floor(r() * 2000) - 1000)) };
    },
    js: ({ a }) => {
      // Int64 wraps like NumPy; the values here never overflow, so a Number sum is exact.
      let s = 0;
      for (let i = 0; i < a.length; i++) s += Number(a[i]);
      return new BigInt64Array([BigInt(s)]);
    },
    bytesPerElement: 8,
    reduction: true,
  },
];

/** Largest relative difference between two results, NaN-aware (0 when identical). */
export function maxRelDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = Number(a[i]);
    const y = Number(b[i]);
    if (Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y))) continue;
    const d = Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), 1e-300);
    if (!(d <= worst)) worst = d;
  }
  return worst;
}
