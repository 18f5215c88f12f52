# The kernel benchmark's Numba sources: the seed kernels (crate/tests/kernel_snapshots/
# seeds.py) as a Numba user writes them, plus a tiny kernel for the call overhead. Both halves
# of the benchmark read this one file: bench/kernels_native.py imports it, and the browser
# half (bench/kernels.mjs) fetches its text and hands it to `nw.kernels`, one top-level
# function at a time for the first-call timing. normalize is the seed's with `@njit` instead
# of `@njit(parallel=True)`: serial, so `prange` is a plain `range` in Numba.
#
# The parallel group (after `first`) is timed at 1 and 2 threads: `parallel=True` kernels as
# Numba users write them, a `prange` reduction, the seed's parallel normalize, the seed's
# logistic regression, a whole-array ufunc chain (which Numba parallelises by itself) and
# the stencils (a 1-d 3-point mean, a 2-d 4-point mean, the seed's 21x21 gamma blur of a uint8
# image), each called from a `parallel=True` kernel, where Numba runs stencils in parallel;
# and the ufuncs with target='parallel': the rc filter's time constant, a piecewise response
# curve, sinc, and a moving mean per row as a gufunc.
import math

import numpy as np

from numba import float64, guvectorize, intp, njit, prange, stencil, vectorize


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


@njit(parallel=True)
def pssum(a):
    s = 0.0
    for i in prange(a.size):
        s += a[i]
    return s


@njit(parallel=True)
def pnormalize(x):
    ret = np.empty_like(x)
    for i in prange(x.shape[0]):
        acc = 0.0
        for j in range(x.shape[1]):
            acc += x[i, j] ** 2
        norm = np.sqrt(acc)
        ret[i, :] = x[i, :] / norm
    return ret


@njit(parallel=True)
def logreg(Y, X, w, iterations):
    for i in range(iterations):
        w -= np.dot(((1.0 / (1.0 + np.exp(-Y * np.dot(X, w))) - 1.0) * Y), X)
    return w


@njit(parallel=True)
def pexp_arcsin(a):
    return np.exp(np.arcsin(a))


@stencil
def mean3(a):
    return (a[-1] + a[0] + a[1]) / 3.0


@stencil
def four(a):
    return 0.25 * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0])


@stencil(neighborhood=((-10, 10), (-10, 10)))
def blur(img):
    acc = 0.0
    for i in range(-10, 11):
        for j in range(-10, 11):
            acc += (img[i, j] / 255.0) ** 2.2
    return np.uint8(255.0 * (acc / 441.0) ** (1.0 / 2.2))


@njit(parallel=True)
def pmean3(a):
    return mean3(a)


@njit(parallel=True)
def pfour(a):
    return four(a)


@njit(parallel=True)
def pblur(img):
    return blur(img)


@vectorize(['float64(float64, float64)'], target='parallel')
def prc(x, tau):
    return 1.0 - math.exp(-x / tau)


@vectorize(['float64(float64, float64)'], target='parallel')
def paxpb(x, y):
    return (2.0 * x + 3.0 * y) / y


@vectorize(['float64(float64)'], target='parallel')
def presponse(v):
    if v <= 0.0:
        return 0.0
    elif v < 1.0:
        return v ** 2.2
    else:
        return 1.0


@vectorize(['float64(float64)'], target='parallel')
def psinc(x):
    if x == 0.0:
        return 1.0
    return math.sin(math.pi * x) / (math.pi * x)


@guvectorize([(float64[:], intp[:], float64[:])], '(n),()->(n)', target='parallel')
def pmove_mean(a, window_arr, out):
    window_width = window_arr[0]
    asum = 0.0
    count = 0
    for i in range(window_width):
        asum += a[i]
        count += 1
        out[i] = asum / count
    for i in range(window_width, len(a)):
        asum += a[i] - a[i - window_width]
        out[i] = asum / count
