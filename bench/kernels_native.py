#!/usr/bin/env python3
"""The native half of the kernel benchmark: the kernels of bench/kernel_workloads.py with
Numba, single-threaded (NUMBA_NUM_THREADS=1), on the inputs the browser half builds
(bench/kernel_workloads.js): the same generator, so the same bits.

Each kernel is checked against NumPy first (exactly for integers, the band matrix and the
filter; to 1e-13 relative where NumPy sums in another order), and its result's SHA-256 is
recorded so that the report can compare it with numwasm's and the JS loop's in the browser.
Then: the steady-state time (medians and quartiles over repeats after warm-up), the first
call of a fresh dispatcher on a small input (type + compile + first run, in a process where
Numba has already compiled other functions) and the cost of a call of `first` on a
1-element array (Numba's dispatch overhead).

    python bench/kernels_native.py [--sizes small | ssum=1e6,band=1000,...] [--only ssum]
        [--repeats 15] [--first 5] [--calls 20000] [--out bench/results/kernels-native.json]
"""

import os

# Serial by definition; set before Numba reads it at import.
os.environ["NUMBA_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import numba  # noqa: E402
from numba import njit  # noqa: E402

# The kernels live beside this script; importing them must leave no __pycache__ in bench/.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import kernel_workloads as kw  # noqa: E402

# The sizes, window and band width of bench/kernel_workloads.js (keep them in step).
SIZES = {"ssum": 10**6, "band": 1000, "normalize": 1000, "moving_mean": 10**6, "filter_lt50": 10**6}
SMALL_SIZES = {"ssum": 10**4, "band": 100, "normalize": 100, "moving_mean": 10**4, "filter_lt50": 10**4}
FIRST_CALL_SIZES = {"ssum": 1000, "band": 32, "normalize": 32, "moving_mean": 1000, "filter_lt50": 1000}
BAND_K = 10
WINDOW = 10


@njit
def _lcg_words(seed, count):
    """The LCG of bench/workloads.js: s = s * 1664525 + 1013904223 mod 2^32, each new s."""
    out = np.empty(count, np.uint32)
    s = np.uint64(seed)
    for i in range(count):
        s = (s * np.uint64(1664525) + np.uint64(1013904223)) & np.uint64(0xFFFFFFFF)
        out[i] = s
    return out


def uniform(n, lo, hi, seed):
    # The JS side computes lo + (hi - lo) * (s / 2^32) in doubles; so does NumPy, element by element.
    return lo + (hi - lo) * (_lcg_words(seed, n) / 4294967296.0)


def int64s(n, seed):
    return _lcg_words(seed, 2 * n).view("<i8")


def workloads():
    """id -> (kernel, arguments of size n, NumPy reference, relative tolerance of the check)."""
    return {
        "ssum": (kw.ssum, lambda n: (int64s(n, 31),), lambda a: np.sum(a), 0),
        "band": (kw.band, lambda n: (n, BAND_K),
                 lambda n, k: (np.abs(np.subtract.outer(np.arange(n), np.arange(n))) <= k).astype(np.float64),
                 0),
        "normalize": (kw.normalize, lambda n: (uniform(n * n, -3, 3, 32).reshape(n, n),),
                      lambda x: x / np.sqrt(np.sum(x * x, axis=1))[:, None], 1e-13),
        "moving_mean": (kw.moving_mean, lambda n: (uniform(n, 0, 10, 33), WINDOW),
                        lambda a, w: np.lib.stride_tricks.sliding_window_view(a, w).mean(axis=1), 1e-13),
        "filter_lt50": (kw.filter_lt50, lambda n: (uniform(n, 0, 100, 34),), lambda a: a[a < 50], 0),
    }


def as_array(value):
    """A kernel's result as NumPy sees it: a returned list becomes a float64 array."""
    return np.asarray(value, dtype=np.float64) if isinstance(value, list) else value


def digest(value):
    """SHA-256 of the bytes (C order, little-endian), or of an integer's decimal text, as the page hashes them."""
    if np.ndim(value) == 0:
        return hashlib.sha256(str(int(value)).encode()).hexdigest()
    return hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()


def check(got, want, rtol):
    got, want = as_array(got), np.asarray(want)
    if np.shape(got) != np.shape(want):
        return {"ok": False, "maxRelDiff": None, "shapes": [list(np.shape(got)), list(np.shape(want))]}
    if rtol == 0:
        same = np.array_equal(got, want)
        return {"ok": bool(same), "maxRelDiff": 0.0 if same else None, "exact": True}
    diff = np.abs(got - want) / np.maximum(np.maximum(np.abs(got), np.abs(want)), 1e-300)
    worst = float(np.max(diff)) if diff.size else 0.0
    return {"ok": worst <= rtol, "maxRelDiff": worst, "tolerance": rtol}


def stats(t):
    t = sorted(t)
    q = lambda p: t[round(p * (len(t) - 1))]  # noqa: E731
    return {"median": statistics.median(t), "q1": q(0.25), "q3": q(0.75), "min": t[0], "n": len(t)}


def timeit(fn, repeats, warm_s):
    """ms per call: at least 3 warm-up calls and warm_s seconds, then `repeats` timed calls."""
    t0 = time.perf_counter()
    i = 0
    while i < 3 or time.perf_counter() - t0 < warm_s:
        fn()
        i += 1
    t = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t.append((time.perf_counter() - t0) * 1e3)
    return stats(t)


def first_call(kernel, args, repeats):
    """A fresh dispatcher's first call (type + compile + run) and its second, cached one, in ms."""
    runs = {"first": [], "cached": [], "compile": []}
    for _ in range(repeats):
        fresh = njit(kernel.py_func)
        t0 = time.perf_counter()
        fresh(*args)
        t1 = time.perf_counter()
        fresh(*args)
        t2 = time.perf_counter()
        runs["first"].append((t1 - t0) * 1e3)
        runs["cached"].append((t2 - t1) * 1e3)
        runs["compile"].append((t1 - t0 - (t2 - t1)) * 1e3)
    return {k: stats(t) for k, t in runs.items()}


def parse_sizes(text):
    if not text:
        return dict(SIZES)
    if text == "small":
        return dict(SMALL_SIZES)
    sizes = dict(SIZES)
    for pair in text.split(","):
        k, _, v = pair.partition("=")
        if k not in SIZES:
            raise SystemExit(f"--sizes: expected small or id=n with id one of {list(SIZES)}, got {pair}")
        sizes[k] = int(float(v))
    return sizes


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", default="")
    p.add_argument("--only", default="")
    p.add_argument("--repeats", type=int, default=15)
    p.add_argument("--first", type=int, default=5)
    p.add_argument("--calls", type=int, default=20000)
    p.add_argument("--warm", type=float, default=float(os.environ.get("WARM_MS", 2000)) / 1e3)
    p.add_argument("--out", default="bench/results/kernels-native.json")
    a = p.parse_args()
    sizes = parse_sizes(a.sizes)
    selected = {k: v for k, v in workloads().items() if not a.only or k in a.only.split(",")}

    first = []
    for wid, (kernel, build, _, _) in selected.items():
        row = {"id": wid, "n": FIRST_CALL_SIZES[wid], **first_call(kernel, build(FIRST_CALL_SIZES[wid]), a.first)}
        first.append(row)
        print(f"first call {wid:12} n={row['n']}  first call {row['first']['median']:.1f} ms"
              f"  cached {row['cached']['median']:.4f} ms", flush=True)

    rows = []
    failed = []
    for wid, (kernel, build, reference, rtol) in selected.items():
        n = sizes[wid]
        args = build(n)
        got = kernel(*args)
        row = {
            "id": wid,
            "n": n,
            "signature": str(kernel.signatures[-1]),
            "check": check(got, reference(*args), rtol),
            "digest": digest(as_array(got)),
            "numba": timeit(lambda: kernel(*args), a.repeats, a.warm),
        }
        if not row["check"]["ok"]:
            failed.append(wid)
        rows.append(row)
        print(f"{wid:12} n={n}  numba {row['numba']['median']:.3f} ms"
              + ("" if row["check"]["ok"] else f"  CHECK FAILED {row['check']}"), flush=True)

    tiny = np.array([1.5])
    kw.first(tiny)
    calls = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(a.calls):
            kw.first(tiny)
        calls.append((time.perf_counter() - t0) * 1e3 / a.calls)
    overhead = {"calls": a.calls, "perCallMs": stats(calls)}
    print(f"overhead: numba first(a) {overhead['perCallMs']['median'] * 1e3:.2f} µs per call")

    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "numbaThreads": numba.get_num_threads(),
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "sizes": sizes,
        "warmMs": a.warm * 1e3,
    }
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"meta": meta, "rows": rows, "firstCall": first, "overhead": overhead}, f, indent=2)
        f.write("\n")
    print(f"wrote {a.out}")
    if failed:
        print(f"Numba and NumPy disagree on: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
