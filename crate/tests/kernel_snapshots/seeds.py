# The seed kernels: the Numba examples numwasm's kernel half is built around. Their typed
# kernel IR is snapshot-tested (crate/tests/kernel_snapshots.rs).
import numpy as np
from numba import njit, jit, prange


@njit
def ssum(a):
    s = 0
    for x in a:
        s += x
    return s


@njit
def filter_lt50(arr):
    result = []
    for x in arr:
        if x < 50:
            result.append(x)
    return result


@njit
def band(n, k):
    def inside(i, j):
        return abs(i - j) <= k
    return np.array([[1.0 if inside(i, j) else 0.0 for j in range(n)] for i in range(n)])


@jit(nopython=True)
def logistic_regression(Y, X, w, iterations):
    for i in range(iterations):
        w -= np.dot(((1.0 / (1.0 + np.exp(-Y * np.dot(X, w))) - 1.0) * Y), X)
    return w


@njit(parallel=True)
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
