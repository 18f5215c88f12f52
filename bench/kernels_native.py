#!/usr/bin/env python3
"""The native half of the kernel benchmark: the kernels of bench/kernel_workloads.py with
Numba, single-threaded (numba.set_num_threads(1)), on the inputs the browser half builds
(bench/kernel_workloads.js): the same generator, so the same bits. The parallel group (the
`parallel=True` kernels) is timed at each of `--threads` (numba.set_num_threads(k) in this
one process, NUMBA_NUM_THREADS being the largest), with BLAS (SciPy's, which Numba's
vector-matrix np.dot calls) held to one thread so that only Numba's threads vary.

Each kernel is checked against NumPy first (exactly for integers, the band matrix and the
filter; to 1e-13 relative where NumPy sums in another order), and its result's SHA-256 is
recorded so that the report can compare it with numwasm's and the JS loop's in the browser.
Then: the steady-state time (medians and quartiles over repeats after warm-up), the first
call of a fresh dispatcher on a small input (type + compile + first run, in a process where
Numba has already compiled other functions) and the cost of a call of `first` on a
1-element array (Numba's dispatch overhead). The parallel group's results are checked
against NumPy within the workload's tolerance at each thread count, and a few of their
elements (`probe`, the ones bench/kernel_workloads.js takes) are kept so that the report can
compare them with numwasm's.

    python bench/kernels_native.py [--sizes small | ssum=1e6,band=1000,...] [--only ssum]
        [--repeats 15] [--first 5] [--calls 20000] [--threads 1,2]
        [--out bench/results/kernels-native.json]
"""

import os
import sys


def _thread_counts(argv):
    """--threads from the command line, read before Numba is imported (it sizes its pool then)."""
    text = "1,2"
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            text = argv[i + 1]
        elif a.startswith("--threads="):
            text = a.partition("=")[2]
    try:
        counts = [int(k) for k in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise SystemExit(f"--threads: expected thread counts such as 1,2, got {text}")
    return counts


THREADS = _thread_counts(sys.argv)
# Set before Numba and the BLAS libraries read them at import: Numba's pool holds the most
# threads asked for (each kernel then runs with numba.set_num_threads), BLAS one.
os.environ["NUMBA_NUM_THREADS"] = str(max(THREADS))
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import hashlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import numba  # noqa: E402
from numba import njit  # noqa: E402

# The kernels live beside this script; importing them must leave no __pycache__ in bench/.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
import kernel_workloads as kw  # noqa: E402

# The sizes, window, band width and iterations of bench/kernel_workloads.js (keep them in step).
SIZES = {"ssum": 10**6, "band": 1000, "normalize": 1000, "moving_mean": 10**6, "filter_lt50": 10**6,
         "pssum": 10**7, "pnormalize": 1000, "logreg10": 10**5, "logreg4": 10**6, "pexp_arcsin": 10**6,
         "pmean3": 10**7, "pfour": 4000, "pblur": 1000,
         "prc": 10**6, "paxpb": 10**6, "presponse": 10**6, "psinc": 10**6, "pmove_mean": 1000}
SMALL_SIZES = {"ssum": 10**4, "band": 100, "normalize": 100, "moving_mean": 10**4, "filter_lt50": 10**4,
               "pssum": 10**5, "pnormalize": 100, "logreg10": 10**3, "logreg4": 10**4, "pexp_arcsin": 10**4,
               "pmean3": 10**5, "pfour": 100, "pblur": 60,
               "prc": 10**4, "paxpb": 10**4, "presponse": 10**4, "psinc": 10**4, "pmove_mean": 100}
FIRST_CALL_SIZES = {"ssum": 1000, "band": 32, "normalize": 32, "moving_mean": 1000, "filter_lt50": 1000,
                    "pssum": 1000, "pnormalize": 32, "logreg10": 100, "pexp_arcsin": 1000,
                    "pmean3": 1000, "pfour": 32, "pblur": 32}
BAND_K = 10
WINDOW = 10
ITERATIONS = 20


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


def bytes8(n, seed):
    """bench/kernel_workloads.js's bytes8: the top 8 bits of each LCG word."""
    return (_lcg_words(seed, n) >> 24).astype(np.uint8)


def mean3_numpy(a):
    out = np.zeros_like(a)
    out[1:-1] = (a[:-2] + a[1:-1] + a[2:]) / 3.0
    return out


def four_numpy(a):
    out = np.zeros_like(a)
    out[1:-1, 1:-1] = 0.25 * (a[1:-1, 2:] + a[2:, 1:-1] + a[1:-1, :-2] + a[:-2, 1:-1])
    return out


def blur_numpy(img):
    """The 21x21 mean in linear light by summed-area table (another order: the tolerance)."""
    g = (img / 255.0) ** 2.2
    s = np.zeros((g.shape[0] + 1, g.shape[1] + 1))
    s[1:, 1:] = g.cumsum(0).cumsum(1)
    out = np.zeros(img.shape, np.uint8)
    w = s[21:, 21:] - s[:-21, 21:] - s[21:, :-21] + s[:-21, :-21]
    out[10:-10, 10:-10] = (255.0 * (w / 441.0) ** (1.0 / 2.2)).astype(np.uint8)
    return out


def move_mean_numpy(a, w):
    """The running mean per row, as the gufunc computes it (a cumulative sum: another order,
    hence the tolerance)."""
    c = np.cumsum(a, axis=1)
    out = np.empty_like(a)
    out[:, :w] = c[:, :w] / np.arange(1, w + 1)
    out[:, w:] = (c[:, w:] - c[:, :-w]) / w
    return out


def logreg_inputs(n, d):
    """Y, X, w and the iterations of bench/kernel_workloads.js's logregInputs, bit for bit."""
    s = 1 / np.sqrt(n)
    x = uniform(n * d, -s, s, 43).reshape(n, d)
    y = np.where(uniform(n, 0, 1, 44) < 0.5, -1.0, 1.0)
    return y, x, uniform(d, -1, 1, 45), ITERATIONS


def logreg_numpy(y, x, w, iterations):
    w = w.copy()
    for _ in range(iterations):
        w -= np.dot(((1.0 / (1.0 + np.exp(-y * np.dot(x, w))) - 1.0) * y), x)
    return w


def sum_tolerance(n):
    """bench/kernel_workloads.js's sumTolerance: two orders of a sum of n non-negative terms."""
    return 2 * n * 2.0**-53


def parallel_workloads():
    """id -> (kernel, arguments of size n, NumPy reference, tolerance(n), indices of the
    arguments the kernel writes): the tolerances of bench/kernel_workloads.js."""
    return {
        "pssum": (kw.pssum, lambda n: (uniform(n, 0, 1, 41),), np.sum, sum_tolerance, ()),
        "pnormalize": (kw.pnormalize, lambda n: (uniform(n * n, -3, 3, 32).reshape(n, n),),
                       lambda x: x / np.sqrt(np.sum(x * x, axis=1))[:, None], lambda n: 1e-13, ()),
        "logreg10": (kw.logreg, lambda n: logreg_inputs(n, 10), logreg_numpy, lambda n: 1e-12, (2,)),
        "logreg4": (kw.logreg, lambda n: logreg_inputs(n, 4), logreg_numpy, lambda n: 1e-12, (2,)),
        "pexp_arcsin": (kw.pexp_arcsin, lambda n: (uniform(n, -1, 1, 42),), lambda a: np.exp(np.arcsin(a)),
                        lambda n: 1e-13, ()),
        "pmean3": (kw.pmean3, lambda n: (uniform(n, 0, 1, 46),), mean3_numpy, lambda n: 0, ()),
        "pfour": (kw.pfour, lambda n: (uniform(n * n, -1, 1, 47).reshape(n, n),), four_numpy,
                  lambda n: 0, ()),
        "pblur": (kw.pblur, lambda n: (bytes8(n * n, 48).reshape(n, n),), blur_numpy,
                  lambda n: 0.01, ()),
        "prc": (kw.prc, lambda n: (uniform(n, 0, 5, 49), 1.5), lambda x, t: 1.0 - np.exp(-x / t),
                lambda n: 1e-9, ()),
        "paxpb": (kw.paxpb, lambda n: (uniform(n, -1, 1, 53), uniform(n, 1, 2, 54)),
                  lambda x, y: (2.0 * x + 3.0 * y) / y, lambda n: 0, ()),
        "presponse": (kw.presponse, lambda n: (uniform(n, -0.5, 1.5, 50),),
                      lambda v: np.where(v <= 0, 0.0, np.where(v < 1, np.abs(v) ** 2.2, 1.0)),
                      lambda n: 1e-13, ()),
        "psinc": (kw.psinc, lambda n: (uniform(n, -10, 10, 51),), np.sinc, lambda n: 1e-9, ()),
        "pmove_mean": (kw.pmove_mean, lambda n: (uniform(n * n, 0, 10, 52).reshape(n, n), WINDOW),
                       move_mean_numpy, lambda n: 1e-12, ()),
    }


# The size sweep (--sweep), as bench/kernel_workloads.js's SWEEP: element count -> the
# workload's size, and the largest element count a slow one is run at.
def _side(elements):
    return int(round(elements ** 0.5))


SWEEP = {
    "presponse": (lambda e: int(e), None),
    "pnormalize": (_side, None),
    "pmean3": (lambda e: int(e), None),
    "pblur": (_side, 1e5),
    "logreg10": (lambda e: max(1, int(round(e / 10))), None),
    "pssum": (lambda e: int(e), None),
}


# Fewer timed calls for the slow ones (bench/kernel_workloads.js's `repeats`).
REPEATS = {"logreg4": 5, "pblur": 3}

# Numba's np.dot of a vector and a matrix calls BLAS through SciPy; without it logreg cannot compile.
NEEDS_SCIPY = {"logreg10", "logreg4"}
HAS_SCIPY = importlib.util.find_spec("scipy") is not None


def fresh(args, mutates):
    """A copy of each argument the kernel writes, so that every call starts from the same inputs."""
    return tuple(a.copy() if i in mutates else a for i, a in enumerate(args))


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


def probe(value):
    """bench/kernel_workloads.js's probe: up to 257 elements of the flattened result."""
    a = np.ravel(as_array(value))
    at = range(a.size) if a.size <= 1024 else [(k * (a.size - 1)) // 256 for k in range(257)]
    return [float(a[i]) if np.isfinite(a[i]) else None for i in at]


def check(got, want, rtol):
    got, want = as_array(got), np.asarray(want)
    if np.shape(got) != np.shape(want):
        return {"ok": False, "maxRelDiff": None, "shapes": [list(np.shape(got)), list(np.shape(want))]}
    if rtol == 0:
        same = np.array_equal(got, want)
        return {"ok": bool(same), "maxRelDiff": 0.0 if same else None, "exact": True}
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
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


def first_call(kernel, args, repeats, mutates=()):
    """A fresh dispatcher's first call (type + compile + run) and its second, cached one, in ms."""
    runs = {"first": [], "cached": [], "compile": []}
    # The kernel's own options (parallel=True for the parallel group).
    options = {k: v for k, v in kernel.targetoptions.items() if k != "nopython"}
    for _ in range(repeats):
        new = njit(kernel.py_func, **options)
        a1, a2 = fresh(args, mutates), fresh(args, mutates)
        t0 = time.perf_counter()
        new(*a1)
        t1 = time.perf_counter()
        new(*a2)
        t2 = time.perf_counter()
        runs["first"].append((t1 - t0) * 1e3)
        runs["cached"].append((t2 - t1) * 1e3)
        runs["compile"].append((t1 - t0 - (t2 - t1)) * 1e3)
    return {k: stats(t) for k, t in runs.items()}


def parallel_row(wid, workload, n, repeats, warm):
    """One parallel workload at size n on each of THREADS: checked against NumPy, timed."""
    kernel, build, reference, tolerance, mutates = workload
    args = build(n)
    want = reference(*fresh(args, mutates))
    row = {"id": wid, "n": n, "threads": THREADS, "tolerance": tolerance(n), "check": {}, "digest": {},
           "probe": {}, "numba": {}}
    for k in THREADS:
        numba.set_num_threads(k)
        got = kernel(*fresh(args, mutates))
        row["check"][k] = check(got, want, row["tolerance"])
        row["digest"][k] = digest(np.atleast_1d(as_array(got)))
        row["numba"][k] = timeit(lambda: kernel(*fresh(args, mutates)), min(repeats, REPEATS.get(wid, repeats)), warm)
    numba.set_num_threads(1)
    return row


def run_sweep(a, sweep, selected_parallel, skipped):
    """--sweep: the SWEEP workloads at each element count, at each of THREADS."""
    rows = []
    failed = []
    for wid, (size, cap) in SWEEP.items():
        if wid not in selected_parallel:
            continue
        for elements in sweep:
            if cap is not None and elements > cap:
                continue
            row = {**parallel_row(wid, selected_parallel[wid], size(elements), a.repeats, a.warm), "elements": elements}
            rows.append(row)
            failed += [f"{wid} at {elements:g} elements, {k} threads" for k in THREADS if not row["check"][k]["ok"]]
            print(f"{wid:12} {elements:g} elements (n={row['n']})  "
                  + "  ".join(f"numba {k} thr {row['numba'][k]['median']:.3f} ms" for k in THREADS), flush=True)
    meta = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "parallelThreads": THREADS,
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "sweep": sweep,
        "warmMs": a.warm * 1e3,
    }
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"meta": meta, "parallel": rows, "skipped": skipped}, f, indent=2)
        f.write("\n")
    print(f"wrote {a.out}")
    if failed:
        print(f"Numba and NumPy disagree on: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


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
    p.add_argument("--threads", default="1,2")  # read before Numba's import (THREADS)
    p.add_argument("--warm", type=float, default=float(os.environ.get("WARM_MS", 2000)) / 1e3)
    p.add_argument("--out", default=None)
    p.add_argument("--sweep", default="", help="element counts such as 1e3,1e4: the SWEEP workloads only")
    a = p.parse_args()
    sweep = [float(e) for e in a.sweep.split(",")] if a.sweep else None
    a.out = a.out or ("bench/results/kernels-sweep-native.json" if sweep else "bench/results/kernels-native.json")
    sizes = parse_sizes(a.sizes)
    only = a.only.split(",") if a.only else None
    selected = {k: v for k, v in workloads().items() if not only or k in only}
    selected_parallel = {k: v for k, v in parallel_workloads().items() if not only or k in only}
    skipped = {}
    if not HAS_SCIPY:
        for wid in sorted(NEEDS_SCIPY & set(selected_parallel)):
            skipped[wid] = "Numba's np.dot of a vector and a matrix needs SciPy (BLAS), which is not installed"
            del selected_parallel[wid]
            print(f"{wid:12} skipped: {skipped[wid]}", file=sys.stderr, flush=True)

    if sweep:
        return run_sweep(a, sweep, selected_parallel, skipped)

    first = []
    numba.set_num_threads(1)
    firsts = [(wid, kernel, build, ()) for wid, (kernel, build, _, _) in selected.items()]
    firsts += [(wid, kernel, build, mutates) for wid, (kernel, build, _, _, mutates) in selected_parallel.items()]
    for wid, kernel, build, mutates in firsts:
        if wid not in FIRST_CALL_SIZES:
            continue
        row = {"id": wid, "n": FIRST_CALL_SIZES[wid],
               **first_call(kernel, build(FIRST_CALL_SIZES[wid]), a.first, mutates)}
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

    parallel = []
    for wid, (kernel, build, reference, tolerance, mutates) in selected_parallel.items():
        n = sizes[wid]
        args = build(n)
        want = reference(*fresh(args, mutates))
        row = {"id": wid, "n": n, "threads": THREADS, "tolerance": tolerance(n), "check": {}, "digest": {},
               "probe": {}, "numba": {}}
        for k in THREADS:
            numba.set_num_threads(k)
            got = kernel(*fresh(args, mutates))
            # (ufuncs made by @vectorize / @guvectorize have types, not dispatcher signatures)
            row["signature"] = str(getattr(kernel, "signatures", None) and kernel.signatures[-1]
                                   or getattr(kernel, "types", ""))
            row["check"][k] = check(got, want, row["tolerance"])
            # A scalar as its 8 bytes (a 1-element array), as bench/kernels.mjs hashes a float.
            row["digest"][k] = digest(np.atleast_1d(as_array(got)))
            row["probe"][k] = probe(got)
            row["numba"][k] = timeit(lambda: kernel(*fresh(args, mutates)), min(a.repeats, REPEATS.get(wid, a.repeats)), a.warm)
            if not row["check"][k]["ok"]:
                failed.append(f"{wid} at {k} threads")
        numba.set_num_threads(1)
        parallel.append(row)
        print(f"{wid:12} n={n}  " + "  ".join(f"numba {k} thr {row['numba'][k]['median']:.3f} ms" for k in THREADS)
              + "".join(f"  CHECK FAILED at {k} thr {row['check'][k]}" for k in THREADS if not row["check"][k]["ok"]),
              flush=True)
    try:
        threading_layer = numba.threading_layer() if parallel else None
    except ValueError:
        threading_layer = None

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
        "parallelThreads": THREADS,
        "threadingLayer": threading_layer,
        "blasThreads": 1,
        "cpu": platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "sizes": sizes,
        "warmMs": a.warm * 1e3,
    }
    os.makedirs(os.path.dirname(a.out) or ".", exist_ok=True)
    with open(a.out, "w") as f:
        json.dump({"meta": meta, "rows": rows, "parallel": parallel, "skipped": skipped, "firstCall": first,
                   "overhead": overhead}, f, indent=2)
        f.write("\n")
    print(f"wrote {a.out}")
    if failed:
        print(f"Numba and NumPy disagree on: {', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
