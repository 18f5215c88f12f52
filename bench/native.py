#!/usr/bin/env python3
"""The native half of the benchmark: the same workloads as bench/workloads.js, timed with
NumPy (one thread), numexpr (1..N threads) and Numba (@njit(parallel=True), 1..N threads)
on this machine, for the report to set beside the browser figures.

Inputs have the same distributions as the browser's (uniform in the same ranges); results are
compared against NumPy before timing. Medians and quartiles over repeats after warm-up.

    python bench/native.py --sizes 1e3,1e4,1e5,1e6,1e7 --threads 2 --out bench/results/native.json
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time

import numpy as np

try:
    import numexpr as ne
except ImportError:  # the report says which contenders ran
    ne = None
try:
    import numba
    from numba import njit, prange
except ImportError:
    numba = None


def uniform(rng, n, lo, hi):
    return rng.uniform(lo, hi, n)


def workloads():
    """id -> (expression, input builder, numpy function)."""
    return {
        "poly": ("x + (y**2 + (z*x + 1)*3)",
                 lambda r, n: dict(x=uniform(r, n, -1, 1), y=uniform(r, n, -1, 1), z=uniform(r, n, -1, 1)),
                 lambda x, y, z: x + (y**2 + (z * x + 1) * 3)),
        "axpb": ("(2*a + 3*b)/b",
                 lambda r, n: dict(a=uniform(r, n, -1, 1), b=uniform(r, n, 0.5, 2)),
                 lambda a, b: (2 * a + 3 * b) / b),
        "expab": ("exp(2.1*a + 3.2*b)",
                  lambda r, n: dict(a=uniform(r, n, -1, 1), b=uniform(r, n, -1, 1)),
                  lambda a, b: np.exp(2.1 * a + 3.2 * b)),
        "asinexp": ("exp(arcsin(a))",
                    lambda r, n: dict(a=uniform(r, n, 0, 1)),
                    lambda a: np.exp(np.arcsin(a))),
        "rc": ("voltage * (1 - exp(1/time_constant))",
               lambda r, n: dict(voltage=uniform(r, n, 0, 10), time_constant=uniform(r, n, -10, -0.1)),
               lambda voltage, time_constant: voltage * (1 - np.exp(1 / time_constant))),
        "sincos": ("sin(a)**2 + cos(b)**2",
                   lambda r, n: dict(a=uniform(r, n, -10, 10), b=uniform(r, n, -10, 10)),
                   lambda a, b: np.sin(a)**2 + np.cos(b)**2),
        "sum-f64": ("sum(a)", lambda r, n: dict(a=uniform(r, n, -1, 1)), lambda a: np.sum(a)),
        "sum-i64": ("sum(a)", lambda r, n: dict(a=r.integers(-1000, 1000, n, dtype=np.int64)), lambda a: np.sum(a)),
    }


def numba_kernels():
    """Fused parallel loops, as a Numba user would write them."""
    if numba is None:
        return {}

    @njit(parallel=True, fastmath=False)
    def poly(x, y, z, out):
        for i in prange(x.shape[0]):
            out[i] = x[i] + (y[i] ** 2 + (z[i] * x[i] + 1) * 3)

    @njit(parallel=True)
    def axpb(a, b, out):
        for i in prange(a.shape[0]):
            out[i] = (2 * a[i] + 3 * b[i]) / b[i]

    @njit(parallel=True)
    def expab(a, b, out):
        for i in prange(a.shape[0]):
            out[i] = np.exp(2.1 * a[i] + 3.2 * b[i])

    @njit(parallel=True)
    def asinexp(a, out):
        for i in prange(a.shape[0]):
            out[i] = np.exp(np.arcsin(a[i]))

    @njit(parallel=True)
    def rc(voltage, time_constant, out):
        for i in prange(voltage.shape[0]):
            out[i] = voltage[i] * (1 - np.exp(1 / time_constant[i]))

    @njit(parallel=True)
    def sincos(a, b, out):
        for i in prange(a.shape[0]):
            out[i] = np.sin(a[i]) ** 2 + np.cos(b[i]) ** 2

    @njit(parallel=True)
    def sum_f64(a, out):
        s = 0.0
        for i in prange(a.shape[0]):
            s += a[i]
        out[0] = s

    @njit(parallel=True)
    def sum_i64(a, out):
        s = 0
        for i in prange(a.shape[0]):
            s += a[i]
        out[0] = s

    return {"poly": poly, "axpb": axpb, "expab": expab, "asinexp": asinexp, "rc": rc,
            "sincos": sincos, "sum-f64": sum_f64, "sum-i64": sum_i64}


def timeit(fn, repeats):
    for _ in range(3):
        fn()
    t = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t.append((time.perf_counter() - t0) * 1e3)
    t.sort()
    q = lambda p: t[round(p * (len(t) - 1))]  # noqa: E731
    return {"median": statistics.median(t), "q1": q(0.25), "q3": q(0.75), "min": t[0], "n": len(t)}


def repeats_for(n):
    return 41 if n <= 1e4 else 25 if n <= 1e5 else 15 if n <= 1e6 else 7


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="1e3,1e4,1e5,1e6,1e7")
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--only", default="")
    p.add_argument("--out", default="bench/results/native.json")
    a = p.parse_args()
    sizes = [int(float(s)) for s in a.sizes.split(",")]
    threads = list(range(1, a.threads + 1))
    kernels = numba_kernels()
    rows = []
    for wid, (expr, build, np_fn) in workloads().items():
        if a.only and wid not in a.only.split(","):
            continue
        for n in sizes:
            r = np.random.default_rng(12345)
            inputs = build(r, n)
            ref = np_fn(**inputs)
            row = {"id": wid, "expr": expr, "n": n, "numpy": timeit(lambda: np_fn(**inputs), repeats_for(n))}
            if ne is not None:
                got = ne.evaluate(expr, local_dict=inputs)
                if not np.allclose(got, ref, rtol=1e-12, atol=0):
                    print(f"numexpr disagrees with NumPy on {wid}", file=sys.stderr)
                row["numexpr"] = {}
                for k in threads:
                    ne.set_num_threads(k)
                    row["numexpr"][k] = timeit(lambda: ne.evaluate(expr, local_dict=inputs), repeats_for(n))
            if wid in kernels:
                out = np.zeros(1 if wid.startswith("sum") else n, dtype=np.int64 if wid == "sum-i64" else np.float64)
                args = list(inputs.values()) + [out]
                kernels[wid](*args)
                if not np.allclose(out if out.size > 1 else out[0], ref, rtol=1e-9, atol=0):
                    print(f"numba disagrees with NumPy on {wid}", file=sys.stderr)
                row["numba"] = {}
                for k in threads:
                    numba.set_num_threads(k)
                    row["numba"][k] = timeit(lambda: kernels[wid](*args), repeats_for(n))
            rows.append(row)
            print(f"{wid:8} n={n:.0e} numpy {row['numpy']['median']:.3f} ms"
                  + "".join(f"  numexpr@{k} {row['numexpr'][k]['median']:.3f}" for k in threads if ne is not None)
                  + "".join(f"  numba@{k} {row['numba'][k]['median']:.3f}" for k in threads if wid in kernels),
                  flush=True)
    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numexpr": getattr(ne, "__version__", None),
        "numba": getattr(numba, "__version__", None),
        "cores": os.cpu_count(),
        "threads": threads,
    }
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"meta": meta, "rows": rows}, f, indent=2)
        f.write("\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
