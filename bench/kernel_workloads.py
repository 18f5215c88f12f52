# The kernel benchmark's Numba sources: the seed kernels (crate/tests/kernel_snapshots/
# seeds.py) as a Numba user writes them, plus a tiny kernel for the call overhead. Both halves
# of the benchmark read this one file: bench/kernels_native.py imports it, and the browser
# half (bench/kernels.mjs) fetches its text and hands it to `nw.kernels`, one top-level
# function at a time for the first-call timing. normalize is the seed's with `@njit` instead
# of `@njit(parallel=True)`: serial, so `prange` is a plain `range` in Numba; the parallel
# version belongs to a later benchmark.
import numpy as np
from numba import njit, prange


@njit
def ssum(a):
    s = 0
    for x in a:
        s += x
    return s


@njit
def band(n, k):
    def inside(i, j):
        return abs(i - j) <= k
    return np.array([[1.0 if inside(i, j) else 0.0 for j in range(n)] for i in range(n)])


@njit
def normalize(x):
    ret = np.empty_like(x)
    for i in prange(x.shape[0]):
        acc = 0.0
        for j in range(x.shape[1]):
            acc += x[i, j] ** 2
        norm = np.sqrt(acc)
        ret[i, :] = x[i, :] / norm
    return ret


@njit
def moving_mean(a, w):
    out = np.zeros(a.size - w + 1)
    for i in range(out.size):
        out[i] = a[i:i + w].mean()
    return out


@njit
def filter_lt50(arr):
    result = []
    for x in arr:
        if x < 50:
            result.append(x)
    return result


@njit
def first(a):
    return a[0]
