"""The kernel cases: small Numba modules, their arguments, and what to expect of them.

Each K(...) entry is one case: a name, feature tags ("area.feature"), the module
source, the entry function and its arguments (builders called with the case's
seeded rng, or plain values). gen.py runs them in Numba and writes cases.json.
"""
import math
import re
import textwrap

import numpy as np


# ==========================================================================
# Arguments: builders called with the case's seeded rng
# ==========================================================================


def U(lo, hi, *shape, dtype="float64"):
    """Uniform floats in [lo, hi)."""
    return lambda rng: rng.uniform(lo, hi, shape).astype(dtype)


def R(dtype, lo, hi, *shape):
    """Uniform integers in [lo, hi] (both ends included)."""
    return lambda rng: rng.integers(lo, hi, shape, dtype=dtype, endpoint=True)


def G(lo, hi, step, *shape, dtype="float64"):
    """Floats on a grid of `step` in [lo, hi]: sums of a few are exact in any order."""
    def build(rng):
        k = rng.integers(round(lo / step), round(hi / step), shape, endpoint=True)
        return (k * step).astype(dtype)
    return build


def Bools(*shape):
    return lambda rng: rng.random(shape) < 0.5


def V(values, dtype="float64", shape=None):
    """A fixed array."""
    def build(rng):
        a = np.array(values, dtype=dtype)
        return a.reshape(shape) if shape is not None else a
    return build


class View:
    """An argument that is a view of a C-contiguous base array (a transpose, a
    strided slice): the JSON holds the whole base and the view's geometry."""

    def __init__(self, build, make):
        self.build, self.make = build, make


# ==========================================================================
# The case registry
# ==========================================================================


class Case:
    def __init__(self, name, tags, source, func, args, kwargs, error, note, py_note, py,
                 oracle=None):
        self.name, self.tags, self.source, self.func = name, tags, source, func
        self.args, self.kwargs, self.error = args, kwargs, error
        self.note, self.py_note, self.py = note, py_note, py
        self.oracle = oracle


CASES = []


def K(name, tags, source, func, *args, kwargs=None, error=None, note=None, py_note=None, py=True,
      oracle=None):
    """One case: `tags` space-separated, `args` builders or plain values.

    error: the kind numwasm reports (Numba's class is recorded next to it).
    note: what is surprising about Numba's answer.
    py_note: why plain Python/NumPy gives another answer (required exactly when it does).
    py: False where running the module as plain Python means nothing (the reason in note).
    """
    CASES.append(Case(name, tags.split(), source, func, list(args), kwargs or {}, error,
                      note, py_note, py, oracle))


def src(body):
    """A module: the imports a user would write for `body`, then `body`."""
    body = textwrap.dedent(body).strip("\n")
    head = []
    if re.search(r"\bmath\.", body):
        head.append("import math")
    if re.search(r"\bnp\.", body):
        head.append("import numpy as np")
    names = [n for n in ("njit", "jit", "prange", "vectorize", "guvectorize", "stencil") if re.search(rf"\b{n}\b", body)]
    head.append(f"from numba import {', '.join(names)}")
    return "\n".join(head) + "\n\n\n" + body + "\n"


def mod(text):
    """A module written out in full (the module-level cases)."""
    return textwrap.dedent(text).strip("\n") + "\n"


# ==========================================================================
# The cases. Tags are "area.feature"; the areas are counted in the summary.
# ==========================================================================

# --- the seed examples, as a Numba user writes them ------------------------

SSUM = src("""
    @njit
    def ssum(a):
        s = 0
        for x in a:
            s += x
        return s
    """)
K("ssum_int64", "seed.ssum expr.int-wrap stmt.for-array-1d type.array-int64", SSUM, "ssum",
  R("int64", -2 ** 62, 2 ** 62, 10_000),
  note="The sum wraps around int64 several times; plain Python wraps the same way "
       "because each x is an np.int64.")
K("ssum_float64", "seed.ssum stmt.for-array-1d type.array-float64", SSUM, "ssum",
  U(-1, 1, 1000), note="`s = 0` is an int64 that becomes float64 in the loop: the result is "
                       "float64, summed in order.")
K("ssum_int8", "seed.ssum expr.int-promotion type.array-int8", SSUM, "ssum",
  R("int8", -128, 127, 1000),
  note="Numba's int64 `s` plus an int8 element is int64: no int8 wrap-around.",
  py_note="Python: 0 + np.int8 is an np.int8 (NEP 50), so the sum wraps in int8.")
K("ssum_float32", "seed.ssum expr.float32-promotion type.array-float32", SSUM, "ssum",
  U(-1, 1, 500, dtype="float32"),
  note="int64 + float32 is float64 in Numba, so the float32 elements are summed in float64.",
  py_note="Python: 0 + np.float32 is np.float32 (NEP 50): the sum stays float32.")

FILTER = src("""
    @njit
    def filter_lt50(arr):
        result = []
        for x in arr:
            if x < 50:
                result.append(x)
        return result
    """)
K("filter_lt50_int64", "seed.filter type.list-return stmt.for-array-1d", FILTER, "filter_lt50",
  R("int64", 0, 100, 40))
K("filter_lt50_float64", "seed.filter type.list-return", FILTER, "filter_lt50", U(0, 100, 30))
K("filter_lt50_empty", "seed.filter type.list-return", FILTER, "filter_lt50",
  V([50, 60, 99], "int64"), note="An empty list still has Numba's element type, int64.")

BAND = src("""
    @njit
    def band(n, k):
        def inside(i, j):
            return abs(i - j) <= k
        return np.array([[1.0 if inside(i, j) else 0.0 for j in range(n)] for i in range(n)])
    """)
K("band_matrix", "seed.band stmt.closure stmt.listcomp-nested numpy.array-comprehension", BAND,
  "band", 6, 1)
K("band_matrix_wide", "seed.band stmt.closure", BAND, "band", 5, 3)

K("logistic_regression", "seed.logistic stmt.augassign-array numpy.dot numpy.exp expr.broadcast",
  src("""
    @njit
    def logistic_regression(Y, X, w, iterations):
        for i in range(iterations):
            w -= np.dot(((1.0 / (1.0 + np.exp(-Y * np.dot(X, w))) - 1.0) * Y), X)
        return w
    """), "logistic_regression",
  lambda rng: rng.choice([-1.0, 1.0], 12), U(-1, 1, 12, 3), U(-0.5, 0.5, 3), 4,
  note="w is updated in place: the result is the argument itself, and argument 2 is mutated.")

K("normalize_rows", "seed.normalize decorator.parallel stmt.prange numpy.sqrt numpy.empty-like",
  src("""
    @njit(parallel=True)
    def normalize(x):
        ret = np.empty_like(x)
        for i in prange(x.shape[0]):
            acc = 0.0
            for j in range(x.shape[1]):
                acc += x[i, j] ** 2
            ret[i, :] = x[i, :] / np.sqrt(acc)
        return ret
    """), "normalize", U(-3, 3, 6, 4))

MOVING_MEAN = src("""
    @njit
    def moving_mean(a, w):
        out = np.empty(a.size - w + 1)
        s = 0.0
        for i in range(w):
            s += a[i]
        out[0] = s / w
        for i in range(w, a.size):
            s += a[i] - a[i - w]
            out[i - w + 1] = s / w
        return out
    """)
K("moving_mean", "seed.moving-mean stmt.for-range-ab", MOVING_MEAN, "moving_mean", U(0, 10, 20), 4)
K("moving_mean_kwarg", "seed.moving-mean call.kwargs", MOVING_MEAN, "moving_mean", U(-5, 5, 12),
  kwargs={"w": 3})

# --- module level ----------------------------------------------------------

K("module_import_math", "module.import-math math.pi", mod("""
    import math
    from numba import njit


    @njit
    def circle_area(r):
        return math.pi * r * r
    """), "circle_area", 1.5)
K("module_import_numpy", "module.import-numpy numpy.sum", mod("""
    import numpy as np
    from numba import njit


    @njit
    def total(a):
        return np.sum(a)
    """), "total", R("int64", -100, 100, 9))
K("module_import_numba", "module.import-numba decorator.njit-attribute stmt.prange", mod("""
    import numba
    import numpy as np


    @numba.njit
    def total(a):
        s = 0.0
        for i in numba.prange(a.shape[0]):
            s += a[i]
        return s
    """), "total", U(-1, 1, 15),
  note="prange without parallel=True is a plain range.")
K("module_import_numba_alias", "module.import-numba module.import-alias", mod("""
    import numba as nb
    import numpy


    @nb.jit(nopython=True)
    def scale(a, k):
        return numpy.sum(a) * k
    """), "scale", R("int32", -50, 50, 7), 3)
K("module_from_numba_names", "module.from-numba decorator.jit-nopython stmt.prange", mod("""
    import numpy as np
    from numba import njit, jit, prange


    @jit(nopython=True)
    def square(x):
        return x * x


    @njit(parallel=True)
    def sum_squares(a):
        s = 0.0
        for i in prange(a.size):
            s += square(a[i])
        return s
    """), "sum_squares", G(-8, 8, 0.5, 16))
K("module_from_math_import", "module.from-math", mod("""
    from math import sqrt, pi
    from numba import njit


    @njit
    def ring(r0, r1):
        return pi * (r1 * r1 - r0 * r0), sqrt(r1 - r0)
    """), "ring", 1.0, 3.25)
K("module_helper_njit", "module.helper-njit", mod("""
    import numpy as np
    from numba import njit


    @njit
    def clamp(x, lo, hi):
        if x < lo:
            return lo
        if x > hi:
            return hi
        return x


    @njit
    def clamp_all(a, lo, hi):
        out = np.empty_like(a)
        for i in range(a.size):
            out[i] = clamp(a[i], lo, hi)
        return out
    """), "clamp_all", U(-2, 2, 10), -1.0, 1.0)
K("module_helper_chain", "module.helper-njit stmt.tuple-unpack", mod("""
    import numpy as np
    from numba import njit


    @njit
    def stats(a):
        return a.min(), a.max()


    @njit
    def spread(a):
        lo, hi = stats(a)
        return hi - lo
    """), "spread", R("int16", -1000, 1000, 11),
  py_note="Python: min and max of an int16 array are np.int16 and their difference stays int16; "
          "Numba's scalar subtraction gives int64.")
K("module_helper_undecorated", "module.helper-undecorated error.typing", mod("""
    from numba import njit


    def helper(x):
        return x + 1


    @njit
    def kernel(x):
        return helper(x) * 2
    """), "kernel", 5, error="TypingError", py=False,
  note="Numba does not compile plain Python functions called from a kernel: "
       "'Untyped global name'. The helper must be @njit itself.")
K("module_constant_float", "module.constant", mod("""
    import numpy as np
    from numba import njit

    GAMMA = 2.2
    OFFSET = 0.5


    @njit
    def gamma_correct(a):
        return (a + OFFSET) ** (1.0 / GAMMA)
    """), "gamma_correct", U(0, 1, 8))
K("module_constant_int_tuple", "module.constant module.constant-tuple numpy.zeros-shape", mod("""
    import numpy as np
    from numba import njit

    SHAPE = (3, 4)
    FILL = 7


    @njit
    def filled():
        out = np.zeros(SHAPE, dtype=np.int64)
        for i in range(SHAPE[0]):
            for j in range(SHAPE[1]):
                out[i, j] = FILL * i + j
        return out
    """), "filled")
K("module_constant_expr", "module.constant", mod("""
    from numba import njit

    N = 2 ** 10
    HALF = N // 2
    EPS = 1e-3
    SCALE = 3 * EPS


    @njit
    def consts(x):
        return N + x, HALF - x, SCALE * x
    """), "consts", 4)
K("module_comments_docstrings", "module.comments module.docstrings", mod('''
    """A module docstring."""
    import numpy as np
    from numba import njit

    # a comment at module level


    @njit
    def dot3(a, b):
        """Dot product of the first three elements.

        The docstring is not code.
        """
        s = 0.0  # the accumulator
        # a comment line inside the body
        for i in range(3):
            s += a[i] * b[i]  # multiply-add
        return s
    '''), "dot3", G(-4, 4, 0.25, 5), G(-4, 4, 0.25, 5))
K("module_bracket_continuation", "module.continuation", mod("""
    import numpy as np
    from numba import njit


    @njit
    def weighted(a,
                 w0,
                 w1):
        total = (a[0] * w0 +
                 a[1] * w1 +
                 a[2])
        out = np.array([total,
                        total * 2.0,
                        -total])
        return out
    """), "weighted", G(-10, 10, 0.5, 3), 2.0, -0.5)
K("module_two_kernels", "module.helper-njit type.array-arg-2d", mod("""
    import numpy as np
    from numba import njit


    @njit
    def row_sums(m):
        out = np.zeros(m.shape[0])
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                out[i] += m[i, j]
        return out


    @njit
    def max_row(m):
        return np.argmax(row_sums(m))
    """), "max_row", U(-1, 1, 5, 4))

# --- decorators ------------------------------------------------------------

K("decorator_njit_bare", "decorator.njit", src("""
    @njit
    def axpy(a, x, y):
        return a * x + y
    """), "axpy", 2.5, U(-1, 1, 6), U(-1, 1, 6))
K("decorator_njit_parens", "decorator.njit-parens", src("""
    @njit()
    def axpy(a, x, y):
        return a * x + y
    """), "axpy", 3, R("int32", -9, 9, 5), R("int32", -9, 9, 5),
  note="An int64 scalar times an int32 array is int64.",
  py_note="NumPy (NEP 50): the Python int 3 is weak, so the result stays int32.")
K("decorator_jit_nopython", "decorator.jit-nopython", src("""
    @jit(nopython=True)
    def poly(x):
        return 3.0 * x * x - 2.0 * x + 1.0
    """), "poly", 1.25)
K("decorator_jit_bare", "decorator.jit", src("""
    @jit
    def poly(x):
        return 3 * x * x - 2 * x + 1
    """), "poly", -7, note="Since Numba 0.59 a bare @jit is nopython.")
K("decorator_options", "decorator.options", src("""
    @njit(cache=True, nogil=True, fastmath=False, boundscheck=True, error_model='python')
    def shifted(a, k):
        out = np.empty_like(a)
        n = a.size
        for i in range(n):
            out[i] = a[(i + k) % n]
        return out
    """), "shifted", U(0, 1, 7), 3)
K("decorator_error_model_numpy", "decorator.error-model expr.divide-by-zero", src("""
    @njit(error_model='numpy')
    def divisions(x, y, i, j):
        return x / y, -x / y, y / y, i // j, i % j
    """), "divisions", 1.5, 0.0, 7, 0,
  note="error_model='numpy': float division by zero gives inf/nan, integer // and % by zero "
       "give 0, and nothing raises.", py=False)
K("decorator_sig_string", "decorator.sig-string", src("""
    @njit("float64(float64[:])")
    def total(a):
        s = 0.0
        for x in a:
            s += x
        return s
    """), "total", U(-1, 1, 10))
SIG_LIST = src("""
    @njit(["int64(int64[:])", "float64(float64[:])"])
    def total(a):
        s = 0
        for x in a:
            s += x
        return s
    """)
K("decorator_sig_list_int", "decorator.sig-list", SIG_LIST, "total", R("int64", -1000, 1000, 9))
K("decorator_sig_list_float", "decorator.sig-list", SIG_LIST, "total", U(-1, 1, 9))
K("decorator_sig_list_convert", "decorator.sig-list type.array-int32", SIG_LIST, "total",
  R("int32", -1000, 1000, 6), error="TypeError", py=False,
  note="No declared signature takes int32[:]: arrays are not converted between dtypes.")
K("decorator_sig_typeobj_int32", "decorator.sig-typeobj expr.int32-wrap", mod("""
    from numba import njit, int32


    @njit(int32(int32, int32))
    def add(a, b):
        return a + b
    """), "add", 2 ** 31 - 1, 1,
  note="Declared int32: the arguments convert to int32 and the int32 sum wraps.",
  py_note="Python adds the ints exactly.")
K("decorator_sig_typeobj_float32", "decorator.sig-typeobj type.float32-scalar", mod("""
    from numba import njit, float32


    @njit(float32(float32, float32))
    def mul(a, b):
        return a * b
    """), "mul", 0.1, 3.0, note="Python floats convert to float32 on the way in.",
  py_note="Python multiplies the float64 values.")
K("decorator_sig_void", "decorator.sig-void type.none-return stmt.augassign-element", mod("""
    from numba import njit, void, float64


    @njit(void(float64[:], float64))
    def scale_inplace(a, k):
        for i in range(a.shape[0]):
            a[i] *= k
    """), "scale_inplace", U(-1, 1, 6), 2.0)
K("decorator_sig_f8_2d_string", "decorator.sig-f8-2d", src("""
    @njit("f8(f8[:, :])")
    def trace(m):
        s = 0.0
        for i in range(min(m.shape[0], m.shape[1])):
            s += m[i, i]
        return s
    """), "trace", U(-1, 1, 4, 5))
K("decorator_sig_f8_2d_typeobj", "decorator.sig-f8-2d decorator.sig-typeobj", mod("""
    from numba import njit, f8


    @njit(f8[:, :](f8[:, :], f8))
    def shift(m, d):
        return m + d
    """), "shift", U(-1, 1, 3, 3), 0.5)
K("decorator_sig_intp", "decorator.sig-intp", mod("""
    from numba import njit, intp


    @njit(intp(intp[:]))
    def argmax_first(a):
        best = 0
        for i in range(1, a.shape[0]):
            if a[i] > a[best]:
                best = i
        return best
    """), "argmax_first", R("int64", -50, 50, 12))
K("decorator_sig_unituple", "decorator.sig-tuple type.tuple-return", src("""
    @njit("UniTuple(float64, 2)(float64[:])")
    def minmax(a):
        lo = a[0]
        hi = a[0]
        for x in a:
            lo = min(lo, x)
            hi = max(hi, x)
        return lo, hi
    """), "minmax", U(-5, 5, 9))
K("decorator_sig_tuple_mixed", "decorator.sig-tuple type.tuple-return", src("""
    @njit("Tuple((int64, float64))(float64[:])")
    def count_sum(a):
        n = 0
        s = 0.0
        for x in a:
            if x > 0:
                n += 1
                s += x
        return n, s
    """), "count_sum", U(-5, 5, 9))
K("decorator_sig_return_cast", "decorator.sig-string expr.float-to-int", src("""
    @njit("int64(float64)")
    def scaled(x):
        return x * 2.5
    """), "scaled", 3.3,
  note="The float64 result is cast to the declared int64 (truncation).",
  py_note="Python returns the float.")
K("decorator_sig_arg_cast", "decorator.sig-string expr.float-to-int", src("""
    @njit("int64(int64)")
    def twice(x):
        return 2 * x
    """), "twice", 1.5,
  note="The float64 argument 1.5 is converted to the declared int64 (truncated to 1).",
  py_note="Python doubles 1.5.")

# --- parallel=True and prange (Numba's answer does not depend on the threads) ---

K("prange_sum", "decorator.parallel stmt.prange stmt.prange-sum", src("""
    @njit(parallel=True)
    def psum(a):
        s = 0.0
        for i in prange(a.size):
            s += a[i]
        return s
    """), "psum", G(-100, 100, 0.25, 200),
  note="Grid values: every order of summation gives the same sum.")
K("prange_sum_int", "decorator.parallel stmt.prange stmt.prange-sum", src("""
    @njit(parallel=True)
    def psum(a):
        s = 0
        for i in prange(a.shape[0]):
            s += a[i] * a[i]
        return s
    """), "psum", R("int32", -1000, 1000, 100),
  note="The int64 accumulator makes the sum int64.",
  py_note="Python: 0 + np.int32 products stay int32 (NEP 50).")
K("prange_max", "decorator.parallel stmt.prange stmt.prange-max", src("""
    @njit(parallel=True)
    def pmax(a):
        m = -np.inf
        for i in prange(a.size):
            m = max(m, a[i])
        return m
    """), "pmax", U(-100, 100, 64))
K("prange_min", "decorator.parallel stmt.prange stmt.prange-min", src("""
    @njit(parallel=True)
    def pmin(a):
        m = a[0]
        for i in prange(a.size):
            m = min(m, a[i])
        return m
    """), "pmin", R("int64", -10 ** 6, 10 ** 6, 64))
K("prange_product", "decorator.parallel stmt.prange stmt.prange-product", src("""
    @njit(parallel=True)
    def pprod(a):
        p = 1.0
        for i in prange(a.size):
            p *= a[i]
        return p
    """), "pprod", V([2.0, 0.5, -1.0, 4.0, 0.25, 8.0, -2.0, 1.0, 0.5, 2.0]))
K("prange_elementwise", "decorator.parallel stmt.prange", src("""
    @njit(parallel=True)
    def saxpy(a, x, y):
        out = np.empty_like(x)
        for i in prange(x.size):
            out[i] = a * x[i] + y[i]
        return out
    """), "saxpy", 1.5, U(-1, 1, 33), U(-1, 1, 33))
K("prange_2d_rows", "decorator.parallel stmt.prange stmt.prange-sum", src("""
    @njit(parallel=True)
    def row_max_total(m):
        total = 0
        for i in prange(m.shape[0]):
            best = m[i, 0]
            for j in range(1, m.shape[1]):
                if m[i, j] > best:
                    best = m[i, j]
            total += best
        return total
    """), "row_max_total", R("int64", -99, 99, 8, 5))

# Reductions: every operator Numba recognises. Inputs are chosen so that every order of
# evaluation (sequential, per thread, per chunk) gives the same bits: grid values, small
# integers, powers of two; integer sums and products wrap modulo 2**64 in any order.

K("prange_sub", "decorator.parallel stmt.prange stmt.prange-sub", src("""
    @njit(parallel=True)
    def pdiff(a):
        s = 10.0
        for i in prange(a.size):
            s -= a[i]
        return s
    """), "pdiff", G(-50, 50, 0.125, 120))
K("prange_div", "decorator.parallel stmt.prange stmt.prange-div", src("""
    @njit(parallel=True)
    def pquot(a):
        p = 3.0
        for i in prange(a.size):
            p /= a[i]
        return p
    """), "pquot", V([2.0, 0.5, 4.0, -8.0, 0.25, 2.0, -0.5, 16.0, 0.125, 4.0, 2.0]),
  note="Powers of two: the quotient is exact whatever the grouping.")
K("prange_sum_spelled", "decorator.parallel stmt.prange stmt.prange-sum stmt.prange-spelled", src("""
    @njit(parallel=True)
    def psum(a):
        s = 0.5
        for i in prange(a.size):
            s = s + a[i]
        return s
    """), "psum", G(-20, 20, 0.25, 90),
  note="`s = s + x` is a reduction, as `s += x` is.")
K("prange_sum_int_wrap", "decorator.parallel stmt.prange stmt.prange-sum expr.int-wrap", src("""
    @njit(parallel=True)
    def psum(a):
        s = 0
        for i in prange(a.size):
            s += a[i]
        return s
    """), "psum", R("int64", -2 ** 62, 2 ** 62, 1000),
  note="The sum wraps around int64; wrapping addition gives the same result in any order.")
K("prange_product_int_wrap", "decorator.parallel stmt.prange stmt.prange-product expr.int-wrap",
  src("""
    @njit(parallel=True)
    def pprod(a):
        p = 1
        for i in prange(a.size):
            p *= a[i]
        return p
    """), "pprod", lambda rng: rng.integers(-2 ** 20, 2 ** 20, 40) * 2 + 1,
  note="Odd factors, so that the wrapped int64 product is not 0; wrapping multiplication "
       "gives the same result in any order.")
K("prange_sum_float32", "decorator.parallel stmt.prange stmt.prange-sum stmt.prange-float32 "
  "type.array-float32", src("""
    @njit(parallel=True)
    def psum(a):
        s = np.float32(0.0)
        for i in prange(a.size):
            s += a[i]
        return s
    """), "psum", G(-100, 100, 0.25, 200, dtype="float32"),
  note="A float32 accumulator plus float32 elements stays float32 (the result is float32); "
       "grid values are exact in float32.")

# max/min reductions: Python's max(m, x) keeps m unless x > m, so a NaN element never
# wins; a chunk starts from the variable's value before the loop.

K("prange_max_nan", "decorator.parallel stmt.prange stmt.prange-max stmt.prange-nan", src("""
    @njit(parallel=True)
    def pmax(a):
        m = -np.inf
        for i in prange(a.size):
            m = max(m, a[i])
        return m
    """), "pmax", V([1.0, 3.0, math.nan, 2.0, 5.0, -1.0, math.nan, 4.0, 0.5, math.nan]),
  note="max(m, nan) is m (nan > m is false): the NaN elements are skipped and the result is 5.0.")
K("prange_min_nan", "decorator.parallel stmt.prange stmt.prange-min stmt.prange-nan", src("""
    @njit(parallel=True)
    def pmin(a):
        m = np.inf
        for i in prange(a.size):
            m = min(m, a[i])
        return m
    """), "pmin", V([math.nan, 1.0, 3.0, -2.5, math.nan, 2.0, -1.0, 4.0]),
  note="min(m, nan) is m: the NaN elements, the first included, are skipped.")
K("prange_max_nan_initial", "decorator.parallel stmt.prange stmt.prange-max stmt.prange-nan", src("""
    @njit(parallel=True)
    def pmax(a):
        m = a[0]
        for i in prange(1, a.size):
            m = max(m, a[i])
        return m
    """), "pmax", V([math.nan, 1.0, 3.0, -2.5, 7.0, 2.0]),
  note="The initial value is NaN and max(nan, x) is nan (x > nan is false): the result is nan.")
K("prange_max_int_initial_wins", "decorator.parallel stmt.prange stmt.prange-max type.array-int32",
  src("""
    @njit(parallel=True)
    def pmax(a):
        m = 1000
        for i in prange(a.size):
            m = max(m, a[i])
        return m
    """), "pmax", R("int32", -999, 999, 50),
  note="The initial value is larger than every element: it is the result (int64, the type of "
       "max(int64, int32)).")
K("prange_min_float_initial_wins", "decorator.parallel stmt.prange stmt.prange-min", src("""
    @njit(parallel=True)
    def pmin(a, lo):
        m = lo
        for i in prange(a.size):
            m = min(m, a[i])
        return m
    """), "pmin", U(-10, 10, 40), -50.0,
  note="The initial value is smaller than every element: it is the result.")

# Several reductions, conditional ones, and a reduction in a serial loop of the body.

K("prange_conditional", "decorator.parallel stmt.prange stmt.prange-conditional stmt.prange-sub",
  src("""
    @njit(parallel=True)
    def split_sums(a):
        s = 0.0
        t = 0.0
        for i in prange(a.size):
            if a[i] > 0:
                s += a[i]
            else:
                t -= a[i]
        return s, t
    """), "split_sums", G(-10, 10, 0.25, 150))
K("prange_three_reductions", "decorator.parallel stmt.prange stmt.prange-multi stmt.prange-sum "
  "stmt.prange-product stmt.prange-min", src("""
    @njit(parallel=True)
    def stats(a, b):
        s = 0.0
        p = 1.0
        m = np.inf
        for i in prange(a.size):
            s += a[i]
            p *= b[i]
            m = min(m, a[i])
        return s, p, m
    """), "stats", G(-30, 30, 0.5, 60),
  lambda rng: rng.choice([0.5, 2.0, -1.0, 4.0, 0.25], 60))
K("prange_nested_serial_reduction", "decorator.parallel stmt.prange stmt.prange-nested-for "
  "stmt.prange-sum type.array-2d", src("""
    @njit(parallel=True)
    def total(m):
        s = 0
        for i in prange(m.shape[0]):
            for j in range(m.shape[1]):
                if m[i, j] % 2 == 0:
                    s += m[i, j]
        return s
    """), "total", R("int64", -50, 50, 9, 7),
  note="The reduction is inside a serial loop of the prange body: still one reduction of s.")

# Private variables: assigned in the body before they are read, one per iteration.

K("prange_private_temps", "decorator.parallel stmt.prange stmt.prange-private", src("""
    @njit(parallel=True)
    def poly(x):
        out = np.empty_like(x)
        for i in prange(x.size):
            t = x[i] * 2.0
            u = t + 1.0
            if u > 0.0:
                v = u * t
            else:
                v = -u
            out[i] = v
        return out
    """), "poly", G(-4, 4, 0.25, 25))
K("prange_private_shadow", "decorator.parallel stmt.prange stmt.prange-private stmt.prange-sum",
  src("""
    @njit(parallel=True)
    def doubled_total(a):
        t = a[0] * 3.0
        s = t
        for i in prange(a.size):
            t = a[i] * 2.0
            s += t
        return s
    """), "doubled_total", G(-5, 5, 0.5, 30),
  note="t is assigned before the loop and in the body but not used after the loop: private "
       "in the loop, no race.")
K("prange_private_array", "decorator.parallel stmt.prange stmt.prange-private numpy.zeros", src("""
    @njit(parallel=True)
    def weighted(a):
        out = np.empty(a.shape[0])
        for i in prange(a.shape[0]):
            tmp = np.zeros(3)
            for j in range(3):
                tmp[j] = a[i] * (j + 1) + j
            out[i] = tmp[0] * tmp[2] - tmp[1]
        return out
    """), "weighted", G(-4, 4, 0.5, 12),
  note="An array made in the body is private to the iteration.")

# Ranges.

K("prange_start_stop", "decorator.parallel stmt.prange stmt.prange-range stmt.prange-sum", src("""
    @njit(parallel=True)
    def inner_sum(a, lo, hi):
        s = 0.0
        for i in prange(lo, hi):
            s += a[i] * i
        return s
    """), "inner_sum", G(-4, 4, 0.25, 20), 3, 17)
K("prange_empty", "decorator.parallel stmt.prange stmt.prange-empty stmt.prange-max", src("""
    @njit(parallel=True)
    def empty_loop(a, n):
        s = 5.0
        p = 3
        m = -3.0
        for i in prange(n):
            s += a[i]
            p *= 2
            m = max(m, a[i])
        return s, p, m
    """), "empty_loop", U(-1, 1, 4), 0,
  note="No iteration: every reduction variable keeps its value from before the loop.")
K("prange_large", "decorator.parallel stmt.prange stmt.prange-large stmt.prange-sum "
  "stmt.prange-max", src("""
    @njit(parallel=True)
    def big(a):
        out = np.empty_like(a)
        s = 0.0
        m = -np.inf
        for i in prange(a.size):
            out[i] = a[i] * 0.5
            s += a[i]
            m = max(m, a[i])
        return s, m, out
    """), "big", G(-100, 100, 0.25, 10_000),
  note="10 000 iterations: split among the threads (and in chunks); grid values make the sum "
       "exact in any grouping.")

# Nesting and functions.

K("prange_nested_prange", "decorator.parallel stmt.prange stmt.prange-nested stmt.prange-sum "
  "type.array-2d", src("""
    @njit(parallel=True)
    def scaled(a):
        out = np.empty_like(a)
        s = 0.0
        for i in prange(a.shape[0]):
            for j in prange(a.shape[1]):
                out[i, j] = a[i, j] * 2.0
                s += a[i, j]
        return out, s
    """), "scaled", G(-5, 5, 0.5, 6, 5),
  note="The inner prange runs serially inside the outer one.")
K("prange_helper", "decorator.parallel stmt.prange stmt.prange-helper module.helper-njit", mod("""
    import numpy as np
    from numba import njit, prange


    @njit(parallel=True)
    def row_sum(a, i):
        s = 0.0
        for j in prange(a.shape[1]):
            s += a[i, j]
        return s


    @njit(parallel=True)
    def total(a):
        t = 0.0
        for i in prange(a.shape[0]):
            t += row_sum(a, i)
        return t
    """), "total", G(-9, 9, 0.25, 7, 6),
  note="The helper's prange runs serially when it is called from a prange body.")
K("prange_closure", "decorator.parallel stmt.prange stmt.prange-helper stmt.closure", src("""
    @njit(parallel=True)
    def halves(a):
        def part(lo, hi):
            s = 0.0
            for j in prange(lo, hi):
                s += a[j]
            return s
        return part(0, a.size // 2), part(a.size // 2, a.size)
    """), "halves", G(-9, 9, 0.25, 31))
K("parallel_no_prange", "decorator.parallel expr.broadcast", src("""
    @njit(parallel=True)
    def affine_total(a):
        b = a * 2.0 + 1.0
        s = 0.0
        for i in range(b.size):
            s += b[i]
        return b, s
    """), "affine_total", G(-3, 3, 0.25, 17),
  note="parallel=True without a prange: the array expression may run in parallel, the range "
       "loop runs serially.")

# Writing elements of output arrays.

K("prange_write_arg", "decorator.parallel stmt.prange stmt.prange-write type.none-return", src("""
    @njit(parallel=True)
    def clip_into(a, out, lo, hi):
        for i in prange(a.size):
            x = a[i]
            if x < lo:
                x = lo
            elif x > hi:
                x = hi
            out[i] = x
    """), "clip_into", U(-2, 2, 23), np.zeros(23), -1.0, 1.0,
  note="Each iteration writes its own element of argument 1.")
K("prange_2d_rows_write", "decorator.parallel stmt.prange stmt.prange-write type.array-2d", src("""
    @njit(parallel=True)
    def row_scan(m, out):
        for i in prange(m.shape[0]):
            out[i, 0] = m[i, 0]
            for j in range(1, m.shape[1]):
                out[i, j] = out[i, j - 1] + m[i, j]
            out[i, :] = out[i, :] - m[i, :].min()
    """), "row_scan", G(-4, 4, 0.25, 5, 6), np.zeros((5, 6)),
  note="Each iteration writes one row of argument 1, elements and a slice.")

# Errors in the body. Numba compiles a prange body with error_model='numpy'.

K("prange_raise_index", "decorator.parallel stmt.prange stmt.prange-error error.index stmt.raise",
  src("""
    @njit(parallel=True)
    def checked_sum(a):
        s = 0.0
        for i in prange(a.size):
            if a[i] < 0.0:
                raise IndexError("negative entry")
            s += a[i]
        return s
    """), "checked_sum", V([1.0, 2.0, 0.5, -3.0, 4.0, 2.5, 1.0, 8.0]), error="IndexError")
K("prange_int_div_by_zero", "decorator.parallel stmt.prange stmt.prange-error "
  "expr.divide-by-zero", src("""
    @njit(parallel=True)
    def quotients(a, b):
        s = 0
        for i in prange(a.size):
            s += a[i] // b[i] + a[i] % b[i]
        return s
    """), "quotients", V([7, -9, 12, 5, 30, -4, 11, 8], "int64"), V([2, 3, 0, 2, 7, 0, -3, 5], "int64"),
  note="In a prange body Numba uses error_model='numpy': an integer // or % by zero gives 0 and "
       "raises nothing (outside the loop the same division raises ZeroDivisionError).")
K("prange_float_div_by_zero", "decorator.parallel stmt.prange stmt.prange-error "
  "expr.divide-by-zero", src("""
    @njit(parallel=True)
    def ratios(a, b):
        out = np.empty_like(a)
        for i in prange(a.size):
            out[i] = a[i] / b[i]
        return out
    """), "ratios", V([1.0, -2.0, 0.0, 3.0, 4.0]), V([2.0, 0.0, 0.0, -0.0, 0.5]),
  note="In a prange body Numba uses error_model='numpy': a float division by zero gives inf or "
       "nan and raises nothing.")

# Bodies that race. Numba 0.68 runs them (it warns for the first with
# NumbaParallelSafetyWarning); the inputs make every thread schedule give the same answer.

K("prange_race_private", "decorator.parallel stmt.prange stmt.prange-race", src("""
    @njit(parallel=True)
    def last(a):
        x = 0.0
        for i in prange(a.size):
            x = a[i] * 2.0
        return x
    """), "last", V([1.5] * 9),
  note="x is assigned in the body and used after the loop without a reduction: Numba 0.68 runs "
       "it with a NumbaParallelSafetyWarning, and x is some iteration's value (which one depends "
       "on the thread schedule). All elements are equal, so that the recorded answer does not.")
K("prange_race_reduction_read", "decorator.parallel stmt.prange stmt.prange-race", src("""
    @njit(parallel=True)
    def prefix(a, b):
        s = 0.0
        for i in prange(a.size):
            s += a[i]
            b[i] = s
        return s
    """), "prefix", np.zeros(8), np.ones(8),
  note="s is a reduction and is also read in the body (b[i] = s): Numba 0.68 runs it without a "
       "warning, and b[i] is the partial sum of its thread (which depends on the thread "
       "schedule). The elements are zeros, so that the recorded answer does not.")

# The seed example with parallel=True, as the article writes it (array expressions).

K("logistic_regression_parallel", "seed.logistic decorator.parallel numpy.dot numpy.exp "
  "expr.broadcast stmt.augassign-array", src("""
    @njit(parallel=True)
    def logistic_regression(Y, X, w, iterations):
        for i in range(iterations):
            w -= np.dot(((1.0 / (1.0 + np.exp(-Y * np.dot(X, w))) - 1.0) * Y), X)
        return w
    """), "logistic_regression",
  lambda rng: rng.choice([-1.0, 1.0], 10), U(-1, 1, 10, 3), U(-0.5, 0.5, 3), 3,
  note="parallel=True without a prange: the array expressions may run in parallel; w is "
       "updated in place.")

# Whole-array extremes and means in a parallel kernel (parfor reductions): NaN propagates,
# of equal zeros the first stays, an empty array raises; means of grid values are exact in
# any order of addition.

EXTREMES = src("""
    @njit(parallel=True)
    def extremes(a, b):
        return (np.min(a), np.max(a * b + 1.0), a.max(), b.min(), np.mean(a), np.mean(a * b),
                np.min(np.sqrt(np.abs(b))))
    """)
K("parallel_array_extremes", "decorator.parallel numpy.min numpy.max numpy.mean", EXTREMES,
  "extremes", G(-10, 10, 0.25, 300), G(-4, 4, 0.5, 300))
K("parallel_array_extremes_nan", "decorator.parallel numpy.min numpy.max numpy.nan", EXTREMES,
  "extremes", V([1.0, float("nan"), -3.0, 2.0, float("inf")]), V([0.0, -0.0, 0.0, 2.0, -1.0]),
  note="Numba's parfor reductions of np.min/np.max skip NaN (its serial np.min and NumPy "
       "return nan).",
  py_note="NumPy propagates NaN through np.min/np.max; Numba's parallel reductions do not.")
K("parallel_array_extremes_zeros", "decorator.parallel numpy.min numpy.max", EXTREMES,
  "extremes", V([0.0, -0.0, 0.0, -0.0]), V([-0.0, 0.0, -0.0, 0.0]),
  py_note="NumPy's np.min of zeros of both signs gives -0.0; Numba keeps the first of equal "
          "values.")
K("parallel_array_extremes_2d", "decorator.parallel numpy.min numpy.max numpy.mean", EXTREMES,
  "extremes", G(-10, 10, 0.25, 20, 15), G(-4, 4, 0.5, 20, 15))
K("parallel_array_max_empty", "decorator.parallel numpy.max error.value", EXTREMES,
  "extremes", V([]), V([]), error="ValueError")
K("parallel_array_extremes_int", "decorator.parallel numpy.min numpy.max numpy.mean", src("""
    @njit(parallel=True)
    def int_extremes(i, m):
        return np.min(i), np.max(i * 2), np.mean(i), np.max(m), np.min(m + 1), np.mean(m > 0)
    """), "int_extremes", R("int64", -1000, 1000, 400), R("int32", -100, 100, 30, 7),
  py_note="Numba types int32 + 1 as int64; NumPy 2 keeps int32.")

# --- statements ------------------------------------------------------------

K("stmt_assign_chained", "stmt.assign", src("""
    @njit
    def chained(x):
        a = b = x * 2
        a += 1
        return a, b
    """), "chained", 21)
K("stmt_augassign_int_ops", "stmt.augassign-scalar", src("""
    @njit
    def ops(x, y):
        a = x
        a += y
        b = x
        b -= y
        c = x
        c *= y
        d = x
        d //= y
        e = x
        e %= y
        f = x
        f **= 3
        g = x
        g &= y
        h = x
        h |= y
        k = x
        k ^= y
        m = x
        m <<= 3
        n = x
        n >>= 1
        return a, b, c, d, e, f, g, h, k, m, n
    """), "ops", -23, 5)
K("stmt_augassign_float_ops", "stmt.augassign-scalar", src("""
    @njit
    def ops(x, y):
        a = x
        a += y
        b = x
        b -= y
        c = x
        c *= y
        d = x
        d /= y
        e = x
        e //= y
        f = x
        f %= y
        return a, b, c, d, e, f
    """), "ops", -7.25, 2.5)
K("stmt_augassign_int_div", "stmt.augassign-scalar expr.truediv-int", src("""
    @njit
    def halves(n):
        x = n
        x /= 2
        return x
    """), "halves", 7, note="`x /= 2` on an int makes x a float64 from there on.")
K("stmt_augassign_element", "stmt.augassign-element type.none-return", src("""
    @njit
    def bump(a, idx):
        for i in idx:
            a[i] += 1
    """), "bump", R("int64", 0, 9, 6), V([0, 2, 2, 5, -1], "int64"),
  note="Nothing is returned; argument 0 is mutated (index 2 twice, -1 is the last).")
K("stmt_augassign_element_2d", "stmt.augassign-element expr.tuple-index", src("""
    @njit
    def scale_diag(m, k):
        for i in range(m.shape[0]):
            m[i, i] *= k
            m[i, -1] -= 1.0
        return m.sum()
    """), "scale_diag", G(-4, 4, 0.5, 4, 4), 3.0)
K("stmt_augassign_slice", "stmt.augassign-slice", src("""
    @njit
    def double_middle(a):
        a[1:3] *= 2
        a[-2:] += 10
        return a[0]
    """), "double_middle", R("int64", -9, 9, 6))
K("stmt_augassign_array_arg", "stmt.augassign-array", src("""
    @njit
    def step(w, grad, lr):
        w -= lr * grad
        return w
    """), "step", G(-2, 2, 0.125, 5), G(-2, 2, 0.125, 5), 0.5,
  note="In place on the argument: the result aliases argument 0.")
K("stmt_augassign_array_local", "stmt.augassign-array", src("""
    @njit
    def accumulate(rows):
        acc = np.zeros(rows.shape[1])
        for i in range(rows.shape[0]):
            acc += rows[i]
        acc /= rows.shape[0]
        return acc
    """), "accumulate", G(-8, 8, 0.5, 6, 3))
K("stmt_tuple_unpack_shape", "stmt.tuple-unpack expr.attr-shape", src("""
    @njit
    def corner_sum(a):
        n, m = a.shape
        return a[0, 0] + a[0, m - 1] + a[n - 1, 0] + a[n - 1, m - 1], n * m
    """), "corner_sum", R("int64", -50, 50, 4, 6))
K("stmt_tuple_swap", "stmt.tuple-unpack", src("""
    @njit
    def fib(n):
        a, b = 0, 1
        for _ in range(n):
            a, b = b, a + b
        return a
    """), "fib", 50)
K("stmt_if_elif_else", "stmt.if", src("""
    @njit
    def classify(a):
        out = np.empty(a.size, dtype=np.int64)
        for i in range(a.size):
            x = a[i]
            if x < -1.0:
                out[i] = -2
            elif x < 0.0:
                out[i] = -1
            elif x == 0.0:
                out[i] = 0
            else:
                out[i] = 1
        return out
    """), "classify", V([-3.0, -1.0, -0.5, 0.0, -0.0, 0.25, 7.0, -1.5]))
K("stmt_for_range_n", "stmt.for-range", src("""
    @njit
    def triangle(n):
        s = 0
        for i in range(n):
            s += i
        return s
    """), "triangle", 100)
K("stmt_for_range_ab", "stmt.for-range-ab", src("""
    @njit
    def span(a, b):
        s = 0
        for i in range(a, b):
            s = s * 3 + i
        return s
    """), "span", -4, 9)
K("stmt_for_range_step", "stmt.for-range-step", src("""
    @njit
    def stepped(a, b, k):
        out = []
        for i in range(a, b, k):
            out.append(i)
        return out
    """), "stepped", 3, 40, 7)
K("stmt_for_range_negative_step", "stmt.for-range-step stmt.for-range-negative", src("""
    @njit
    def countdown(a, b, k):
        out = []
        for i in range(a, b, k):
            out.append(i)
        return out
    """), "countdown", 10, -7, -3)
K("stmt_for_range_reversed_index", "stmt.for-range-negative", src("""
    @njit
    def reverse_copy(a):
        out = np.empty_like(a)
        n = a.shape[0]
        for i in range(n - 1, -1, -1):
            out[n - 1 - i] = a[i]
        return out
    """), "reverse_copy", R("int16", -99, 99, 7))
K("stmt_for_range_empty", "stmt.for-range", src("""
    @njit
    def empty_loops(n):
        s = 0
        for i in range(n, 2):
            s += 1
        for i in range(0, n, -1):
            s += 10
        return s
    """), "empty_loops", 5)
K("stmt_for_array_2d_rows", "stmt.for-array-2d", src("""
    @njit
    def row_norms1(m):
        out = []
        for row in m:
            s = 0.0
            for x in row:
                s += abs(x)
            out.append(s)
        return out
    """), "row_norms1", G(-4, 4, 0.25, 5, 3))
K("stmt_for_enumerate", "stmt.enumerate", src("""
    @njit
    def weighted_index_sum(a):
        s = 0.0
        for i, x in enumerate(a):
            s += i * x
        return s
    """), "weighted_index_sum", G(-4, 4, 0.5, 10))
K("stmt_for_zip", "stmt.zip", src("""
    @njit
    def count_greater(a, b):
        n = 0
        for x, y in zip(a, b):
            if x > y:
                n += 1
        return n
    """), "count_greater", U(0, 1, 12), U(0, 1, 10),
  note="zip stops at the shorter array.")
K("stmt_while", "stmt.while", src("""
    @njit
    def collatz_steps(n):
        steps = 0
        while n != 1:
            if n % 2 == 0:
                n //= 2
            else:
                n = 3 * n + 1
            steps += 1
        return steps
    """), "collatz_steps", 27)
K("stmt_break", "stmt.break", src("""
    @njit
    def first_negative(a):
        idx = -1
        for i in range(a.size):
            if a[i] < 0:
                idx = i
                break
        return idx
    """), "first_negative", V([3, 1, 4, -1, 5, -9], "int64"))
K("stmt_continue", "stmt.continue", src("""
    @njit
    def sum_odd(a):
        s = 0
        for x in a:
            if x % 2 == 0:
                continue
            s += x
        return s
    """), "sum_odd", R("int64", -20, 20, 15))
K("stmt_while_break_continue", "stmt.while stmt.break stmt.continue", src("""
    @njit
    def scan(a, limit):
        i = 0
        s = 0.0
        while True:
            if i >= a.size:
                break
            x = a[i]
            i += 1
            if x < 0:
                continue
            s += x
            if s > limit:
                break
        return s, i
    """), "scan", G(-4, 4, 0.5, 20), 6.0)
K("stmt_return_unify", "stmt.return-unify", src("""
    @njit
    def pick(x):
        if x > 0:
            return 1
        return 2.5
    """), "pick", 3, note="int64 and float64 returns unify to float64: 1 comes back as 1.0.",
  py_note="Python returns the int 1.")
K("stmt_return_several", "stmt.return-unify", src("""
    @njit
    def sign_class(x):
        if x > 0:
            return 1
        elif x < 0:
            return -1
        return 0
    """), "sign_class", -0.5)
K("stmt_pass", "stmt.pass", src("""
    @njit
    def clipped_count(a):
        n = 0
        for x in a:
            if x > 0.5:
                pass
            else:
                n += 1
        return n
    """), "clipped_count", U(0, 1, 16))
K("stmt_closure", "stmt.closure", src("""
    @njit
    def affine_all(a, scale, shift):
        def f(x):
            return x * scale + shift
        out = np.empty_like(a)
        for i in range(a.size):
            out[i] = f(a[i])
        return out
    """), "affine_all", U(-1, 1, 6), 2.0, -0.25)
K("stmt_closure_two", "stmt.closure", src("""
    @njit
    def stencil3(a, w):
        n = a.size
        def at(i):
            if i < 0 or i >= n:
                return 0.0
            return a[i]
        def smooth(i):
            return w * at(i - 1) + (1.0 - 2.0 * w) * at(i) + w * at(i + 1)
        return np.array([smooth(i) for i in range(n)])
    """), "stencil3", G(-4, 4, 0.5, 8), 0.25)
K("stmt_listcomp", "stmt.listcomp", src("""
    @njit
    def squares(n):
        return [i * i for i in range(n)]
    """), "squares", 9)
K("stmt_listcomp_if", "stmt.listcomp", src("""
    @njit
    def positives(a):
        return [x for x in a if x > 0]
    """), "positives", R("int32", -9, 9, 12))
K("stmt_listcomp_nested", "stmt.listcomp-nested", src("""
    @njit
    def pairs(n, m):
        return [i * 10 + j for i in range(n) for j in range(m) if i != j]
    """), "pairs", 3, 4)
K("stmt_listcomp_sum", "stmt.listcomp builtin.sum", src("""
    @njit
    def sum_sq(a):
        return sum([x * x for x in a])
    """), "sum_sq", R("int64", -30, 30, 10))
K("stmt_assert_passes", "stmt.assert", src("""
    @njit
    def safe_mean(a):
        assert a.size > 0, "empty input"
        assert a.ndim == 1
        return a.mean()
    """), "safe_mean", G(-4, 4, 0.5, 8))
K("stmt_raise_not_taken", "stmt.raise", src("""
    @njit
    def checked_sqrt(x):
        if x < 0:
            raise ValueError("negative input")
        return np.sqrt(x)
    """), "checked_sqrt", 2.25)
K("stmt_loop_var_after", "stmt.for-range", src("""
    @njit
    def last_index(n):
        i = -1
        for i in range(n):
            pass
        return i
    """), "last_index", 7)
K("stmt_nested_loops", "stmt.for-range stmt.nested-loops", src("""
    @njit
    def outer(a, b):
        out = np.zeros((a.size, b.size))
        for i in range(a.size):
            for j in range(b.size):
                out[i, j] = a[i] * b[j]
        return out
    """), "outer", G(-4, 4, 0.5, 4), G(-4, 4, 0.5, 3))
K("stmt_retype_straight_line", "stmt.retype", src("""
    @njit
    def retype(x):
        y = 1
        y = (x, x + 1)
        return y
    """), "retype", 5,
  note="A variable may change type in straight-line code (Numba's SSA form): no TypingError.")
K("stmt_default_arg", "call.default-arg stmt.is-none", src("""
    @njit
    def scaled_sum(a, k=2, offset=None):
        s = a.sum() * k
        if offset is None:
            return s
        return s + offset
    """), "scaled_sum", R("int64", -9, 9, 5))
K("stmt_default_arg_given", "call.default-arg call.kwargs", src("""
    @njit
    def scaled_sum(a, k=2, offset=0):
        return a.sum() * k + offset
    """), "scaled_sum", R("int64", -9, 9, 5), kwargs={"offset": 100})

# --- expressions -----------------------------------------------------------

FLOOR_INT = V([7, -7, 7, -7, 0, 1, -1, 9, -9, 2 ** 62, -(2 ** 63)], "int64")
FLOOR_INT_B = V([2, 2, -2, -2, 3, 5, 5, -4, 4, 3, 7], "int64")
K("expr_truediv_int", "expr.truediv-int", src("""
    @njit
    def ratios(a, b):
        return a / b, -a / b, a / 4
    """), "ratios", 7, 2)
K("expr_floordiv_mod_int", "expr.floordiv-mod expr.floor-negative", src("""
    @njit
    def qr(a, b):
        q = np.empty_like(a)
        r = np.empty_like(a)
        for i in range(a.size):
            q[i] = a[i] // b[i]
            r[i] = a[i] % b[i]
        return q, r
    """), "qr", FLOOR_INT, FLOOR_INT_B)
K("expr_floordiv_mod_float", "expr.floordiv-mod expr.floor-negative", src("""
    @njit
    def qr(a, b):
        q = np.empty_like(a)
        r = np.empty_like(a)
        for i in range(a.size):
            q[i] = a[i] // b[i]
            r[i] = a[i] % b[i]
        return q, r
    """), "qr", V([7.5, -7.5, 7.5, -7.5, 0.0, -0.0, 1.0, -1.0, 5.0, 1e300, 0.1]),
  V([2.0, 2.0, -2.0, -2.0, 3.0, 3.0, -3.0, 3.0, -math.inf, 1e-300, 0.01]))
K("expr_floordiv_mod_mixed", "expr.floordiv-mod expr.mixed-int-float", src("""
    @njit
    def qr(i, x):
        return i // x, i % x, x // i, x % i
    """), "qr", -7, 2.5)
K("expr_floordiv_mod_float_scalars", "expr.floordiv-mod", src("""
    @njit
    def qr(x, y):
        return x // y, x % y
    """), "qr", 1.0, 0.1,
  note="Python's float // and %: 1.0 // 0.1 is 9.0 and 1.0 % 0.1 is 0.09999999999999995 "
       "(from the exact remainder), where floor(1.0 / 0.1) would give 10.0.")
K("expr_floordiv_mod_array", "expr.floordiv-mod expr.array-ops", src("""
    @njit
    def qr(a, b):
        return a // b, a % b
    """), "qr", R("int64", -20, 20, 9), V([3, -3, 4, -4, 5, 7, -7, 2, -2], "int64"))
K("expr_pow_int_int", "expr.pow-int", src("""
    @njit
    def powers(b, e):
        return b ** e, (-b) ** e, b ** 0, 2 ** 62
    """), "powers", 3, 7)
K("expr_pow_int_negative", "expr.pow-int-negative", src("""
    @njit
    def neg_powers(a, b, c, e):
        return a ** e, b ** e, c ** e
    """), "neg_powers", 2, 1, -1, -3,
  note="int ** negative int is an int in Numba: 2 ** -3 is 0, 1 ** -3 is 1, (-1) ** -3 is -1.",
  py_note="Python gives floats: 0.125, 1.0, -1.0.")
K("expr_pow_int_wrap", "expr.pow-int expr.int-wrap", src("""
    @njit
    def big(b, e):
        return b ** e
    """), "big", 3, 41, note="3 ** 41 wraps around int64 (repeated squaring in int64).",
  py_note="Python's int is exact.")
K("expr_pow_float_float", "expr.pow-float", src("""
    @njit
    def pw(a, b):
        return a ** b, b ** a, a ** 0.5
    """), "pw", 2.5, 1.75)
K("expr_pow_float_int", "expr.pow-float-int", src("""
    @njit
    def pw(x, n):
        return x ** n, x ** 3, x ** 2
    """), "pw", 1.3, 10,
  note="float ** int is repeated multiplication in Numba, not pow(): 1.3 ** 3 is "
       "2.1970000000000005 where Python's pow() gives 2.197 (within the ULP bound).")
K("expr_pow_int_float", "expr.pow-float expr.mixed-int-float", src("""
    @njit
    def pw(i, x):
        return i ** x, x ** i
    """), "pw", 2, 0.5)
K("expr_pow_array", "expr.pow-float expr.array-ops", src("""
    @njit
    def pw(a):
        return a ** 2, a ** 0.5, 2.0 ** a
    """), "pw", U(0, 4, 8))
K("expr_bit_ops", "expr.bit-ops", src("""
    @njit
    def bits(a, b, s):
        out = np.empty((6, a.size), dtype=np.int64)
        for i in range(a.size):
            out[0, i] = a[i] & b[i]
            out[1, i] = a[i] | b[i]
            out[2, i] = a[i] ^ b[i]
            out[3, i] = a[i] << s[i]
            out[4, i] = a[i] >> s[i]
            out[5, i] = ~a[i]
        return out
    """), "bits", R("int64", -(2 ** 40), 2 ** 40, 10), R("int64", -(2 ** 40), 2 ** 40, 10),
  R("int64", 0, 23, 10))
K("expr_bit_ops_uint64", "expr.bit-ops type.array-uint64", src("""
    @njit
    def bits(a, b):
        return a & b, a | b, a ^ b, a >> np.uint64(3), ~a
    """), "bits", R("uint64", 0, 2 ** 64 - 1, 6), R("uint64", 0, 2 ** 64 - 1, 6))
K("expr_shift_scalar", "expr.bit-ops", src("""
    @njit
    def shifts(x):
        return x >> 2, x << 3, 1 << 62, -x >> 1, ~x
    """), "shifts", -17)
K("expr_bool_ops", "expr.bool-ops", src("""
    @njit
    def logic(p, q):
        return p and q, p or q, not p, (p and not q) or (q and not p)
    """), "logic", True, False)
K("expr_and_or_values", "expr.bool-ops expr.return-operand", src("""
    @njit
    def pick(x, y):
        return x and y, x or y
    """), "pick", 0, 5, note="`and`/`or` return an operand, as in Python.")
K("expr_or_mixed_types", "expr.bool-ops stmt.return-unify", src("""
    @njit
    def pick(x, y):
        return x or y
    """), "pick", 3, 2.5, note="The two operands unify: int64 or float64 is a float64 (3.0).",
  py_note="Python returns the int 3.")
K("expr_chained_compare", "expr.chained-compare", src("""
    @njit
    def in_band(a, lo, hi):
        n = 0
        for x in a:
            if lo <= x < hi:
                n += 1
        return n, lo < hi > 0, 1 < 2 < 3 < 2
    """), "in_band", U(-2, 2, 25), -0.5, 1.0)
K("expr_conditional", "expr.ifexp", src("""
    @njit
    def relu_all(a):
        out = np.empty_like(a)
        for i in range(a.size):
            out[i] = a[i] if a[i] > 0 else 0.0
        return out
    """), "relu_all", U(-1, 1, 9))
K("expr_conditional_unify", "expr.ifexp stmt.return-unify", src("""
    @njit
    def half_or_zero(n):
        return n / 2 if n > 0 else 0
    """), "half_or_zero", -4, py_note="Python returns the int 0; Numba unifies to float64 0.0.")
K("expr_int_overflow_loop", "expr.int-wrap", src("""
    @njit
    def factorial(n):
        p = 1
        for i in range(2, n + 1):
            p *= i
        return p
    """), "factorial", 25, note="25! wraps around int64.", py_note="Python's int is exact.")
K("expr_int_overflow_add", "expr.int-wrap", src("""
    @njit
    def wrap(x):
        return x + 1, -x - 2, x * 2, abs(-x - 1)
    """), "wrap", 2 ** 63 - 1, note="abs of the minimum int64 is itself.",
  py_note="Python's int is exact.")
K("expr_mixed_int_float", "expr.mixed-int-float", src("""
    @njit
    def mix(i, x):
        return i + x, i * x, i - x, i / x, i // 2 + x, i == 3.0
    """), "mix", 3, 0.1)
K("expr_bool_arith", "expr.bool-arith", src("""
    @njit
    def bools(p, q):
        return p + q, p * 3, p - q, -p, p + 0.5, p & q, p | q
    """), "bools", True, True, note="bool + bool is int64; -True is -1; bool & bool stays bool.")
K("expr_bool_array_sum", "expr.bool-arith type.array-bool", src("""
    @njit
    def count_true(m):
        n = 0
        for x in m:
            n += x
        return n, m.sum()
    """), "count_true", Bools(17))
K("expr_int8_promotion", "expr.int-promotion type.array-int8", src("""
    @njit
    def add_first(a):
        return a[0] + a[1], a[0] * a[1]
    """), "add_first", V([100, 100], "int8"),
  note="Numba's scalar arithmetic on int8 values is int64: 200 and 10000, no wrap.",
  py_note="NumPy keeps int8 and wraps: -56 and 16.")
K("expr_uint64_int64", "expr.int-promotion", src("""
    @njit
    def mixed(u, i):
        return u + i, u * i, u // 2, u > i
    """), "mixed", np.uint64(2 ** 63 + 5), np.int64(-3),
  note="uint64 with int64 is int64 in Numba's scalar typing (it wraps).",
  py_note="NumPy promotes uint64 with int64 to float64.")
K("expr_uint_wrap", "expr.int-wrap type.uint-scalar", src("""
    @njit
    def wrap(u, v):
        return u - v, v - u
    """), "wrap", np.uint64(3), np.uint64(5), note="uint64 - uint64 wraps around 2**64.")
K("expr_float32_arith", "expr.float32-promotion type.float32-scalar", src("""
    @njit
    def f32(x, y, i):
        return x + y, x * 2, x + 0.5, x + i, x * np.float32(3)
    """), "f32", np.float32(0.1), np.float32(0.2), 3,
  note="float32 op float32 is float32; with an int64 or a float64 it is float64.",
  py_note="NumPy (NEP 50) keeps float32 for Python-scalar operands.")
K("expr_broadcast_scalar", "expr.broadcast expr.array-ops", src("""
    @njit
    def affine(a, k, c):
        return a * k + c, k - a, a / 4
    """), "affine", R("int64", -9, 9, 6), 3, 0.5)
K("expr_broadcast_2d_1d", "expr.broadcast expr.broadcast-2d", src("""
    @njit
    def center(m, mu):
        return m - mu
    """), "center", G(-4, 4, 0.25, 4, 3), G(-1, 1, 0.25, 3))
K("expr_broadcast_column", "expr.broadcast expr.broadcast-2d", src("""
    @njit
    def table(col, row):
        return col * row + 1
    """), "table", V([[1], [2], [3]], "int64"), V([10, 20, 30, 40], "int64"))
K("expr_array_mixed_dtypes", "expr.array-ops expr.array-promotion", src("""
    @njit
    def mix(a, b):
        return a + b, a * 2, b * 0.5
    """), "mix", R("int32", -9, 9, 5), U(-1, 1, 5, dtype="float32"),
  note="int32 array + float32 array is float32 in Numba: when a ufunc's inputs mix integers "
       "and floats, Numba lets any integer cast to any float while it picks the loop, so the "
       "float32 loop wins. float32 array * 0.5 is float64 (the float64 scalar is not weak).",
  py_note="NumPy: int32 + float32 arrays is float64, and float32 array * 0.5 stays float32 "
          "(the Python float is weak).")
K("expr_array_literal_int8", "expr.array-ops expr.array-promotion type.array-int8", src("""
    @njit
    def inc(a):
        return a + 1, a * a
    """), "inc", R("int8", -100, 100, 6),
  note="An int8 array plus the int64 literal 1 is int64 in Numba; int8 * int8 stays int8.",
  py_note="NumPy keeps int8 for the weak Python int.")
K("expr_array_literal_float32", "expr.array-ops expr.array-promotion type.array-float32", src("""
    @njit
    def scale(a):
        return a + 1, a * 2.5, a * a
    """), "scale", U(-1, 1, 5, dtype="float32"),
  note="A float32 array with an int64 literal stays float32, with a float64 literal it is float64.",
  py_note="NumPy keeps float32 for the weak Python float.")
K("expr_array_compare", "expr.array-ops expr.compare-array", src("""
    @njit
    def cmp(a, b):
        return a < b, a == b, (a > 0) & (b > 0)
    """), "cmp", R("int64", -3, 3, 8), R("int64", -3, 3, 8))
K("expr_array_unary", "expr.array-ops expr.unary", src("""
    @njit
    def un(a, b):
        return -a, +a, ~b, np.abs(a)
    """), "un", U(-2, 2, 5), R("int16", -300, 300, 5))
K("expr_negative_index", "expr.negative-index", src("""
    @njit
    def ends(a):
        return a[-1], a[-2], a[-a.size]
    """), "ends", R("int64", -99, 99, 7))
K("expr_tuple_index_2d", "expr.tuple-index", src("""
    @njit
    def picks(m, i, j):
        return m[i, j], m[-1, -1], m[i][j], m[1].sum()
    """), "picks", R("int64", -99, 99, 4, 5), 2, 3)
K("expr_index_3d", "expr.tuple-index type.array-3d", src("""
    @njit
    def picks(t):
        return t[1, 2, 3], t[-1, 0, -1], t[0, 1].sum(), t[1].shape
    """), "picks", R("int32", -99, 99, 2, 3, 4))
K("expr_slice_steps", "expr.slice-step", src("""
    @njit
    def slices(a):
        return a[::2].copy(), a[1:7:3].copy(), a[-3:].copy(), a[:-2].copy(), a[2:2].copy()
    """), "slices", R("int64", -99, 99, 10))
K("expr_slice_negative_step", "expr.slice-negative-step", src("""
    @njit
    def rev(a):
        return a[::-1].copy(), a[::-2].copy(), a[7:1:-2].copy(), a[-1:-4:-1].copy()
    """), "rev", R("int64", -99, 99, 10))
K("expr_slice_view_write", "expr.slice-view-write", src("""
    @njit
    def zero_even(a):
        v = a[::2]
        v[:] = 0.0
        w = a[::-1]
        w[0] = 99.0
        return v.sum()
    """), "zero_even", U(1, 2, 9),
  note="Writes through a view change the argument (argument 0 is mutated).")
K("expr_slice_2d", "expr.slice-step expr.slice-2d", src("""
    @njit
    def sub(m):
        return m[1:, ::2].copy(), m[:, 1].copy(), m[::-1, -1].copy(), m[1:3, 1:3].sum()
    """), "sub", R("int64", -99, 99, 4, 5))
K("expr_slice_assign", "expr.slice-assign", src("""
    @njit
    def fill_parts(a, b):
        a[2:5] = 7.0
        a[:2] = b[:2]
        a[-1:] = b[-1]
        return a
    """), "fill_parts", U(-1, 1, 8), U(-1, 1, 4))
K("expr_slice_assign_2d", "expr.slice-assign expr.slice-2d", src("""
    @njit
    def border(m, v):
        m[0, :] = v
        m[-1, :] = v
        m[:, 0] = -v
        m[1:-1, 1:-1] = 0
        return m
    """), "border", R("int64", 1, 9, 4, 5), 5)
K("expr_slice_assign_overlap", "expr.slice-assign expr.slice-2d", src("""
    @njit
    def shifts(a, b):
        a[1:] = a[:-1]
        a[:3] = a[2:5] * 2.0
        a[::-1] = a + 1.0
        a[::2] = a[::2] - 0.5
        b[1:, :] = b[:-1, :] / 2.0
        b[0, :] = b[0, :] * 3.0
        b[:, :] = b[0, :] + b
        c = np.zeros_like(b)
        c[:, 1:] = b[:, 1:] - b[:, :-1]
        c[0] = c[1, ::-1] * c[1]
        return a, b, c
    """), "shifts", U(-1, 1, 9), U(-1, 1, 4, 5),
  note="Each right-hand side is read whole before the slice is written, as NumPy does, "
       "whether it overlaps the target (shifted, reversed, broadcast), is the target's own "
       "elements, or is disjoint (numwasm computes the last two straight into the target).")
K("expr_attributes", "expr.attr-shape expr.attr-size expr.attr-ndim builtin.len", src("""
    @njit
    def attrs(a):
        return a.shape, a.size, a.ndim, len(a), a.shape[-1]
    """), "attrs", U(0, 1, 3, 4, 2))
K("expr_attr_transpose", "expr.attr-t", src("""
    @njit
    def transposed(m):
        t = m.T
        out = np.empty(t.shape)
        for i in range(t.shape[0]):
            for j in range(t.shape[1]):
                out[i, j] = t[i, j] * (i + 1)
        return out, m.T.copy(), np.transpose(m).shape
    """), "transposed", G(-4, 4, 0.5, 3, 4))
K("expr_attr_dtype", "expr.attr-dtype numpy.zeros-dtype", src("""
    @njit
    def like(a):
        out = np.zeros(a.size, dtype=a.dtype)
        for i in range(a.size):
            out[i] = a[i] // 2
        return out
    """), "like", R("uint16", 0, 60000, 6))
K("expr_compare_scalars", "expr.compare", src("""
    @njit
    def cmp(i, x):
        return i == x, i != x, i < x, i >= x, x == x
    """), "cmp", 3, 3.0)
K("expr_nan_compare", "expr.compare math.nan", src("""
    @njit
    def nan_cmp(x):
        y = math.nan
        return x == y, x != y, x < y, y == y, math.isnan(y)
    """), "nan_cmp", 1.0)

# --- builtins --------------------------------------------------------------

K("builtin_abs", "builtin.abs", src("""
    @njit
    def absolutes(i, x, z):
        return abs(i), abs(x), abs(z), abs(-i)
    """), "absolutes", -7, -2.5, -0.0)
K("builtin_min_max_scalars", "builtin.min builtin.max", src("""
    @njit
    def mm(i, j, x):
        return min(i, j), max(i, j), min(i, x), max(i, j, x), min(x, i, j)
    """), "mm", 4, -2, 3.5, note="Mixed int and float arguments give a float64.",
  py_note="Python returns the winning argument with its own type.")
K("builtin_min_max_array", "builtin.min builtin.max", src("""
    @njit
    def mm(a):
        return min(a), max(a)
    """), "mm", R("int32", -999, 999, 11))
K("builtin_round", "builtin.round", src("""
    @njit
    def rounds(a):
        out = np.empty(a.size, dtype=np.int64)
        for i in range(a.size):
            out[i] = round(a[i])
        return out
    """), "rounds", V([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999, 2.5001, -2.6, 1e15 + 0.5]),
  note="round() rounds half to even and returns an int.")
K("builtin_round_ndigits", "builtin.round", src("""
    @njit
    def rounds(a, nd):
        out = np.empty_like(a)
        for i in range(a.size):
            out[i] = round(a[i], nd)
        return out
    """), "rounds", V([3.45, 2.675, 1.005, -0.125, 123.456, 0.285]), 2,
  note="round(x, n) is NumPy's algorithm (scale by 10**n, round half to even, scale back): "
       "2.675 gives 2.68 although the double 2.675 is below 2.675.")
K("builtin_round_ndigits_python_float", "builtin.round", src("""
    @njit
    def r1(x):
        return round(x, 1)
    """), "r1", 3.45, note="3.45 * 10 is exactly 34.5, which rounds to even: 3.4.",
  py_note="Python's round of a float is correctly rounded: 3.5 (the double 3.45 is above 3.45).")
K("builtin_int_float_bool", "builtin.int builtin.float builtin.bool", src("""
    @njit
    def conv(x, i, z):
        return int(x), int(-x), float(i), bool(z), bool(x), bool(i - i)
    """), "conv", 3.75, 7, 0.0, note="int() truncates towards zero.")
K("builtin_len_range", "builtin.len builtin.range", src("""
    @njit
    def lengths(a, m):
        return len(a), len(m), len(range(3, 20, 4)), len(range(10, 0, -3))
    """), "lengths", U(0, 1, 7), U(0, 1, 3, 5))
K("builtin_sum", "builtin.sum", src("""
    @njit
    def sums(a, b):
        return sum(a), sum(b)
    """), "sums", R("int64", -99, 99, 10), G(-4, 4, 0.5, 6))

# --- math: one function per case, over an array of typical arguments -------

MATH_UNARY = [
    # (function, arguments)
    ("sqrt", U(0, 100, 12)), ("exp", U(-20, 20, 12)), ("log", U(0.01, 100, 12)),
    ("log10", U(0.01, 1000, 12)), ("log2", U(0.01, 1000, 12)), ("log1p", U(-0.9, 10, 12)),
    ("expm1", U(-5, 5, 12)), ("sin", U(-10, 10, 12)), ("cos", U(-10, 10, 12)),
    ("tan", U(-1.5, 1.5, 12)), ("asin", U(-1, 1, 12)), ("acos", U(-1, 1, 12)),
    ("atan", U(-10, 10, 12)), ("sinh", U(-5, 5, 12)), ("cosh", U(-5, 5, 12)),
    ("tanh", U(-3, 3, 12)), ("asinh", U(-10, 10, 12)), ("acosh", U(1, 50, 12)),
    ("atanh", U(-0.99, 0.99, 12)), ("fabs", V([-2.5, -0.0, 0.0, 3.0, -1e300])),
]
for _fn, _arg in MATH_UNARY:
    K(f"math_{_fn}", f"math.{_fn}", src(f"""
        @njit
        def apply(a):
            out = np.empty(a.size)
            for i in range(a.size):
                out[i] = math.{_fn}(a[i])
            return out
        """), "apply", _arg)

ROUNDING = V([-2.5, -1.5, -0.5, -0.0, 0.0, 0.4, 0.5, 1.5, 2.7, -2.7, 1e16 + 2.0])
for _fn in ("floor", "ceil", "trunc"):
    K(f"math_{_fn}", f"math.{_fn}", src(f"""
        @njit
        def apply(a):
            out = np.empty(a.size, dtype=np.int64)
            for i in range(a.size):
                out[i] = math.{_fn}(a[i])
            return out, math.{_fn}(a[0])
        """), "apply", ROUNDING, note=f"math.{_fn} of a float returns an int.")

MATH_BINARY = [
    ("atan2", U(-5, 5, 10), U(-5, 5, 10)), ("hypot", U(-5, 5, 10), U(-5, 5, 10)),
    ("copysign", V([1.0, 2.0, -3.0, 0.0, 5.0]), V([-0.0, 1.0, -1.0, -2.0, 0.0])),
    ("pow", U(0.1, 4, 10), U(-3, 3, 10)),
]
for _fn, _a, _b in MATH_BINARY:
    K(f"math_{_fn}", f"math.{_fn}", src(f"""
        @njit
        def apply(a, b):
            out = np.empty(a.size)
            for i in range(a.size):
                out[i] = math.{_fn}(a[i], b[i])
            return out
        """), "apply", _a, _b)

K("math_fmod", "math.fmod error.typing", src("""
    @njit
    def apply(a, b):
        return math.fmod(a, b)
    """), "apply", 7.5, -2.0, error="TypingError",
  note="Numba 0.68 has no math.fmod (np.fmod works: numpy_fmod_array).")
K("math_predicates", "math.isnan math.isinf math.isfinite", src("""
    @njit
    def preds(a):
        n = a.size
        out = np.zeros((3, n), dtype=np.bool_)
        for i in range(n):
            out[0, i] = math.isnan(a[i])
            out[1, i] = math.isinf(a[i])
            out[2, i] = math.isfinite(a[i])
        return out
    """), "preds", V([0.0, -1.5, math.nan, math.inf, -math.inf, 1e308]))
K("math_constants", "math.pi math.e math.inf math.nan", src("""
    @njit
    def consts():
        return math.pi, math.e, math.inf, -math.inf, math.nan, math.tau
    """), "consts")
K("math_int_arguments", "math.sqrt math.exp math.floor expr.mixed-int-float", src("""
    @njit
    def on_ints(i):
        return math.sqrt(i), math.floor(i), math.fabs(-i), math.exp(0), math.log(1)
    """), "on_ints", 16)

# --- NumPy ufuncs on arrays, one per case ----------------------------------

NP_UNARY = [
    ("sqrt", U(0, 100, 9)), ("exp", U(-10, 10, 9)), ("log", U(0.01, 100, 9)),
    ("sin", U(-6, 6, 9)), ("cos", U(-6, 6, 9)), ("arcsin", U(-1, 1, 9)),
    ("abs", V([-2.5, -0.0, 3.0, -7.0, math.inf])),
    ("floor", V([-2.5, -0.5, -0.0, 0.5, 2.7, -1e300])),
    ("ceil", V([-2.5, -0.5, -0.0, 0.5, 2.7, 1e300])),
    ("isnan", V([0.0, math.nan, math.inf, -1.0])),
    ("sign", V([-2.5, 0.0, 3.0, math.nan, -math.inf])),
]
for _fn, _arg in NP_UNARY:
    K(f"numpy_{_fn}_array", f"numpy.{_fn} numpy.ufunc-array", src(f"""
        @njit
        def apply(a):
            return np.{_fn}(a)
        """), "apply", _arg)
K("numpy_sign_negative_zero", "numpy.sign", src("""
    @njit
    def signs(a):
        return np.sign(a), np.sign(a[1])
    """), "signs", V([-0.0, 0.0, -3.0]),
  note="Numba's np.sign(-0.0) is -0.0.", py_note="NumPy's np.sign(-0.0) is 0.0.")
K("numpy_abs_int8", "numpy.abs type.array-int8", src("""
    @njit
    def apply(a):
        return np.abs(a)
    """), "apply", V([-128, -5, 0, 127], "int8"), note="abs(-128) wraps to -128 in int8.")
K("numpy_arctan2_array", "numpy.arctan2 numpy.ufunc-array", src("""
    @njit
    def apply(y, x):
        return np.arctan2(y, x)
    """), "apply", U(-3, 3, 9), U(-3, 3, 9))
K("numpy_fmod_array", "numpy.fmod numpy.ufunc-array", src("""
    @njit
    def apply(a, b):
        return np.fmod(a, b)
    """), "apply", V([7.5, -7.5, 7.5, -7.5, 1.0, -0.0]), V([2.0, 2.0, -2.0, -2.0, 0.3, 1.0]),
  note="fmod takes the sign of the dividend, unlike %.")
K("numpy_fmod_int", "numpy.fmod", src("""
    @njit
    def apply(a, b):
        return np.fmod(a, b), np.fmod(7, -2)
    """), "apply", V([7, -7, 7, -7, 6], "int64"), V([2, 2, -2, -2, 4], "int64"),
  note="Numba 0.68's integer np.fmod is wrong when the signs differ: fmod(7, -2) is 7 and "
       "fmod(-7, 2) is 1 (C's fmod gives 1 and -1). Recorded as Numba gives it.",
  py_note="NumPy gives C's fmod: 1 and -1.")
K("numpy_minimum_maximum", "numpy.minimum numpy.maximum numpy.ufunc-array", src("""
    @njit
    def apply(a, b):
        return np.minimum(a, b), np.maximum(a, b)
    """), "apply", V([1.0, -2.0, math.nan, 3.0, -0.0, 0.0]), V([0.5, -1.0, 1.0, math.nan, 0.0, -0.0]),
  note="NaN in either operand gives NaN. Between equal operands (-0.0 and 0.0) Numba returns "
       "the first.", py_note="NumPy returns the second of two equal operands (-0.0 and 0.0).")
K("numpy_minimum_int_broadcast", "numpy.minimum numpy.maximum expr.broadcast", src("""
    @njit
    def clip(a, lo, hi):
        return np.minimum(np.maximum(a, lo), hi)
    """), "clip", R("int64", -20, 20, 10), -5, 5)
K("numpy_where", "numpy.where", src("""
    @njit
    def apply(a, b):
        return np.where(a > b, a, b), np.where(a < 0, 0.0, a)
    """), "apply", U(-1, 1, 8), U(-1, 1, 8))
K("numpy_where_one_arg", "numpy.where", src("""
    @njit
    def nonzero_idx(a):
        return np.where(a > 0)[0]
    """), "nonzero_idx", R("int64", -3, 3, 12))
K("numpy_ufuncs_on_scalars", "numpy.ufunc-scalar numpy.sqrt numpy.floor numpy.abs numpy.sign "
  "numpy.minimum numpy.maximum numpy.exp", src("""
    @njit
    def scalars(x, i):
        return (np.sqrt(x), np.floor(-x), np.ceil(x), np.abs(-i), np.sign(-x),
                np.minimum(i, x), np.maximum(i, 2), np.exp(0.0), np.isnan(x))
    """), "scalars", 2.25, 3)

# --- NumPy casts -----------------------------------------------------------

K("numpy_cast_float64", "numpy.cast-float64", src("""
    @njit
    def cast(i, b):
        return np.float64(i), np.float64(b), np.float64(i) / 3
    """), "cast", 7, True)
K("numpy_cast_float32", "numpy.cast-float32 type.float32-scalar", src("""
    @njit
    def cast(x):
        y = np.float32(x)
        return y, y * y, np.float32(x) + np.float32(1)
    """), "cast", 0.1)
K("numpy_cast_int32", "numpy.cast-int32", src("""
    @njit
    def cast(x, big):
        return np.int32(x), np.int32(-x), np.int32(big)
    """), "cast", 3.99, 2 ** 31 + 5, note="Float to int truncates; int64 to int32 wraps.",
  py_note="NumPy 2 raises OverflowError for a Python int out of the dtype's range.")
K("numpy_cast_uint8", "numpy.cast-uint8", src("""
    @njit
    def cast(i, j, x):
        return np.uint8(i), np.uint8(j), np.uint8(x)
    """), "cast", 300, -1, 200.7, note="int64 to uint8 wraps (300 is 44, -1 is 255).",
  py_note="NumPy 2 raises OverflowError for a Python int out of the dtype's range.")
K("numpy_cast_int64", "numpy.cast-int64", src("""
    @njit
    def cast(x, u):
        return np.int64(x), np.int64(-x), np.int64(u)
    """), "cast", 2.5e15 + 0.75, np.uint64(2 ** 64 - 2))
K("numpy_cast_array_astype", "numpy.astype", src("""
    @njit
    def cast(a):
        return a.astype(np.int32), a.astype(np.float32), (a > 0).astype(np.int64)
    """), "cast", U(-100, 100, 7))

# --- NumPy constructors ----------------------------------------------------

K("numpy_empty", "numpy.empty", src("""
    @njit
    def ramp(n):
        out = np.empty(n)
        for i in range(n):
            out[i] = i * 0.5
        return out
    """), "ramp", 6)
K("numpy_empty_2d_int", "numpy.empty numpy.zeros-shape", src("""
    @njit
    def grid(n, m):
        out = np.empty((n, m), dtype=np.int32)
        for i in range(n):
            for j in range(m):
                out[i, j] = i * m + j
        return out
    """), "grid", 3, 4)
K("numpy_zeros", "numpy.zeros", src("""
    @njit
    def make(n):
        return np.zeros(n), np.zeros(n, dtype=np.int64), np.zeros(n, np.bool_)
    """), "make", 4)
K("numpy_zeros_2d_float32", "numpy.zeros numpy.zeros-shape numpy.zeros-dtype type.array-float32", src("""
    @njit
    def make(n, m):
        out = np.zeros((n, m), dtype=np.float32)
        out[0, 0] = 0.1
        return out
    """), "make", 2, 3, note="The store of 0.1 rounds to float32.")
K("numpy_ones", "numpy.ones", src("""
    @njit
    def make(n):
        return np.ones(n), np.ones((2, n), dtype=np.int8)
    """), "make", 3)
K("numpy_full", "numpy.full", src("""
    @njit
    def make(n):
        return np.full(n, 2.5), np.full((2, 2), 7), np.full(n, 3, dtype=np.uint8)
    """), "make", 3, note="np.full(shape, 7) has the fill value's type, int64.")
K("numpy_like_constructors", "numpy.empty-like numpy.zeros-like numpy.ones-like numpy.full-like",
  src("""
    @njit
    def likes(a):
        e = np.empty_like(a)
        e[:] = 4
        return e, np.zeros_like(a), np.ones_like(a), np.full_like(a, 9)
    """), "likes", R("int16", -9, 9, 2, 3))
K("numpy_full_like_float", "numpy.full-like type.array-float32", src("""
    @njit
    def likes(a):
        return np.full_like(a, 0.1), np.zeros_like(a, dtype=np.int64)
    """), "likes", U(0, 1, 4, dtype="float32"))
K("numpy_arange", "numpy.arange", src("""
    @njit
    def ranges(n):
        return np.arange(n), np.arange(2, n), np.arange(n, 0, -3)
    """), "ranges", 10)
K("numpy_arange_float", "numpy.arange", src("""
    @njit
    def ranges(x):
        return np.arange(0.0, 1.0, 0.1), np.arange(x), np.arange(-1.0, 1.0, 0.25)
    """), "ranges", 3.5)
K("numpy_linspace", "numpy.linspace", src("""
    @njit
    def spaces(n):
        return np.linspace(0.0, 1.0, n), np.linspace(-2.0, 3.0, 7), np.linspace(5, 1, 3)
    """), "spaces", 11)
K("numpy_array_list", "numpy.array", src("""
    @njit
    def make(x):
        return np.array([1.0, x, 3.5]), np.array([1, 2, 3]), np.array([True, False])
    """), "make", 2.25)
K("numpy_array_nested", "numpy.array numpy.array-nested", src("""
    @njit
    def make(x):
        return np.array([[1, 2, 3], [4, 5, 6]]), np.array([[x, 0.0], [0.0, x]])
    """), "make", 1.5)
K("numpy_array_comprehension", "numpy.array numpy.array-comprehension stmt.listcomp", src("""
    @njit
    def make(n):
        return np.array([i * i for i in range(n)]), np.array([[i + j for j in range(3)] for i in range(n)])
    """), "make", 4)
K("numpy_array_comprehension_forms", "numpy.array-comprehension stmt.listcomp stmt.listcomp-nested", src("""
    @njit
    def make(n, m, x):
        a = np.array([i % 3 == 0 for i in range(n)])
        b = np.array([x * i for i in range(n, -1, -2)])
        c = np.array([[i * m + j for j in range(m)] for i in range(2, n)])
        d = np.array([[x + i * j for j in range(m)] for i in range(n)])
        e = np.array([[i > j for j in range(m)] for i in range(n)])
        f = np.array([[i + j for j in range(n)] for i in range(n) if i != 2])
        return a, b, c, d, e, f
    """), "make", 7, 3, 1.5)


def _comprehension_beyond(n, m, x):
    d = np.array([[x + j for j in range(m - 1, 0, -1)] for i in range(n)])
    e = np.array([[1.0 for j in range(5, 2)] for i in range(n)]).reshape(n, 0)
    f = np.array([i for i in range(n, 0)], dtype=np.int64)
    h = np.array([[i * j for j in range(i, i + 3)] for i in range(n)])
    return d, e, f, h


K("numpy_array_comprehension_beyond", "numpy.array-comprehension stmt.listcomp-nested", src("""
    @njit
    def make(n, m, x):
        d = np.array([[x + j for j in range(m - 1, 0, -1)] for i in range(n)])
        e = np.array([[1.0 for j in range(5, 2)] for i in range(n)])
        f = np.array([i for i in range(n, 0)])
        h = np.array([[i * j for j in range(i, i + 3)] for i in range(n)])
        return d, e, f, h
    """), "make", 7, 3, 1.5, oracle=_comprehension_beyond,
  note="Numba 0.68 rejects these forms (TypingError for an inner range with a negative step, "
       "an empty inner range or one that reads the outer variable; ValueError 'negative "
       "dimensions' for range(n, 0)); numwasm gives what NumPy gives for the same lists.",
  py_note="NumPy makes an empty list float64; in a kernel the list's elements are typed "
          "(int64 here) even when there are none.")
K("numpy_copy", "numpy.copy", src("""
    @njit
    def dup(a):
        b = np.copy(a)
        b[0] = -1
        c = a.copy()
        c[1] = -2
        return b, c
    """), "dup", R("int64", 0, 9, 5), note="Copies: the argument is unchanged.")
K("numpy_reshape", "numpy.reshape", src("""
    @njit
    def shapes(a):
        return a.reshape(3, 4), a.reshape((2, 6)), a.reshape(2, -1, 3), np.reshape(a, (4, 3))
    """), "shapes", R("int64", -9, 9, 12))
K("numpy_reshape_view_write", "numpy.reshape expr.slice-view-write", src("""
    @njit
    def reshape_write(a):
        m = a.reshape(2, 3)
        m[1, 1] = 100
        return m
    """), "reshape_write", R("int64", 0, 9, 6), note="reshape of a C array is a view: argument 0 changes.")
K("numpy_flatten_ravel", "numpy.reshape", src("""
    @njit
    def flat(m):
        return m.flatten(), m.ravel(), m.T.flatten()
    """), "flat", R("int64", 0, 9, 2, 3))

# --- NumPy reductions and friends ------------------------------------------

K("numpy_sum_int", "numpy.sum", src("""
    @njit
    def reduce(a):
        return np.sum(a), a.sum()
    """), "reduce", R("int64", -1000, 1000, 50))
K("numpy_sum_int8", "numpy.sum type.array-int8", src("""
    @njit
    def reduce(a):
        return np.sum(a), a.sum()
    """), "reduce", R("int8", -128, 127, 50), note="The sum of an int8 array is int64.")
K("numpy_sum_uint32", "numpy.sum type.array-uint32", src("""
    @njit
    def reduce(a):
        return a.sum()
    """), "reduce", R("uint32", 0, 2 ** 32 - 1, 20), note="The sum of a uint32 array is uint64.")
K("numpy_sum_float64", "numpy.sum numpy.sum-order", src("""
    @njit
    def reduce(a):
        return np.sum(a), a.sum()
    """), "reduce", U(-1, 1, 1000),
  note="Numba sums in order, one element after the other.",
  py_note="NumPy's pairwise summation rounds differently.")
K("numpy_sum_float32", "numpy.sum numpy.sum-order type.array-float32", src("""
    @njit
    def reduce(a):
        return a.sum()
    """), "reduce", U(0, 1, 100, dtype="float32"),
  note="A float32 array sums to float32, in order.",
  py_note="NumPy's pairwise float32 summation rounds differently.")
K("numpy_sum_2d_axis", "numpy.sum numpy.sum-axis", src("""
    @njit
    def reduce(m):
        return np.sum(m, axis=0), np.sum(m, axis=1), m.sum()
    """), "reduce", R("int64", -9, 9, 3, 4))
K("numpy_prod", "numpy.prod", src("""
    @njit
    def reduce(a, b):
        return np.prod(a), b.prod()
    """), "reduce", R("int64", -5, 5, 8), G(-2, 2, 0.5, 6))
K("numpy_min_max", "numpy.min numpy.max", src("""
    @njit
    def reduce(a):
        return np.min(a), np.max(a), a.min(), a.max()
    """), "reduce", R("int32", -999, 999, 15))
K("numpy_min_max_nan", "numpy.min numpy.max numpy.nan", src("""
    @njit
    def reduce(a):
        return np.min(a), a.max(), np.argmin(a), np.argmax(a)
    """), "reduce", V([3.0, -1.0, math.nan, 7.0, math.nan]),
  note="NaN propagates through min and max; argmin and argmax give the first NaN.")
K("numpy_mean", "numpy.mean", src("""
    @njit
    def reduce(a, b):
        return np.mean(a), b.mean()
    """), "reduce", R("int64", -99, 99, 9), G(-4, 4, 0.25, 8), note="The mean of an int array is float64.")
K("numpy_mean_float", "numpy.mean numpy.sum-order", src("""
    @njit
    def reduce(a):
        return a.mean()
    """), "reduce", U(0, 1, 64),
  note="Numba's mean is the in-order sum divided by the size.",
  py_note="NumPy's pairwise summation rounds differently.")
K("numpy_argmin_argmax", "numpy.argmin numpy.argmax", src("""
    @njit
    def reduce(a):
        return np.argmin(a), np.argmax(a), a.argmax()
    """), "reduce", V([3, 1, 4, 1, 5, 9, 2, 6, 5, 9], "int64"), note="Ties give the first index.")
K("numpy_argmax_2d", "numpy.argmax", src("""
    @njit
    def reduce(m):
        return np.argmax(m), m.argmin()
    """), "reduce", R("int64", -99, 99, 3, 4), note="On a 2-d array the index is into the flattened array.")
K("numpy_cumsum", "numpy.cumsum", src("""
    @njit
    def scan(a, b):
        return np.cumsum(a), b.cumsum()
    """), "scan", R("int8", -100, 100, 8), U(-1, 1, 8), note="cumsum of int8 is int64.")
K("numpy_any_all", "numpy.any numpy.all", src("""
    @njit
    def tests(a):
        return np.any(a > 0.9), np.all(a > 0), (a < 0).any(), (a >= 0).all()
    """), "tests", U(0, 1, 10))

# --- np.dot (BLAS in Numba: scipy must be installed) -----------------------

K("numpy_dot_vv", "numpy.dot numpy.dot-vv", src("""
    @njit
    def apply(a, b):
        return np.dot(a, b)
    """), "apply", G(-8, 8, 1, 7), G(-8, 8, 1, 7))
K("numpy_dot_mv", "numpy.dot numpy.dot-mv", src("""
    @njit
    def apply(m, v):
        return np.dot(m, v)
    """), "apply", G(-8, 8, 1, 3, 4), G(-8, 8, 1, 4))
K("numpy_dot_vm", "numpy.dot numpy.dot-vm", src("""
    @njit
    def apply(v, m):
        return np.dot(v, m)
    """), "apply", G(-8, 8, 1, 3), G(-8, 8, 1, 3, 4))
K("numpy_dot_mm", "numpy.dot numpy.dot-mm", src("""
    @njit
    def apply(a, b):
        return np.dot(a, b), a @ b
    """), "apply", G(-8, 8, 1, 2, 3), G(-8, 8, 1, 3, 4))
K("numpy_dot_float32", "numpy.dot type.array-float32", src("""
    @njit
    def apply(a, b):
        return np.dot(a, b)
    """), "apply", G(-8, 8, 1, 5, dtype="float32"), G(-8, 8, 1, 5, dtype="float32"),
  note="The dot of float32 vectors is float32.")
K("numpy_dot_random", "numpy.dot numpy.dot-mv", src("""
    @njit
    def apply(m, v):
        return np.dot(m, v)
    """), "apply", U(0, 1, 4, 6), U(0, 1, 6),
  note="Values whose sum depends on the order (BLAS blocking): compared within the ULP bound.")

# --- types -----------------------------------------------------------------

TOUCH = src("""
    @njit
    def touch(a):
        out = np.empty_like(a)
        for i in range(a.size):
            out[i] = a[i] + a[i]
        return out, a[0], a.sum()
    """)
DTYPE_ARGS = [
    ("bool", Bools(6)), ("int8", R("int8", -128, 127, 6)), ("int16", R("int16", -2 ** 15, 2 ** 15 - 1, 6)),
    ("int32", R("int32", -2 ** 31, 2 ** 31 - 1, 6)), ("int64", R("int64", -2 ** 63, 2 ** 63 - 1, 6)),
    ("uint8", R("uint8", 0, 255, 6)), ("uint16", R("uint16", 0, 2 ** 16 - 1, 6)),
    ("uint32", R("uint32", 0, 2 ** 32 - 1, 6)), ("uint64", R("uint64", 0, 2 ** 64 - 1, 6)),
    ("float32", U(-1e3, 1e3, 6, dtype="float32")), ("float64", U(-1e3, 1e3, 6)),
]
for _dt, _arg in DTYPE_ARGS:
    K(f"type_array_{_dt}", f"type.array-{_dt}", TOUCH, "touch", _arg,
      note="a[i] + a[i] is computed in Numba's scalar type and stored back into the "
           "array's dtype (wrapping for narrow integers); the sum has NumPy's sum dtype.")

K("type_array_2d_int32", "type.array-2d type.array-int32", src("""
    @njit
    def col_max(m):
        out = np.empty(m.shape[1], dtype=m.dtype)
        for j in range(m.shape[1]):
            best = m[0, j]
            for i in range(1, m.shape[0]):
                best = max(best, m[i, j])
            out[j] = best
        return out
    """), "col_max", R("int32", -999, 999, 5, 4))
K("type_array_3d", "type.array-3d", src("""
    @njit
    def weighted(t):
        n, m, k = t.shape
        s = 0.0
        for i in range(n):
            for j in range(m):
                for l in range(k):
                    s += t[i, j, l] * (i + 2 * j + 3 * l)
        return s, t.sum(), t.ndim
    """), "weighted", G(-4, 4, 0.5, 2, 3, 4))
K("type_array_3d_uint8", "type.array-3d type.array-uint8", src("""
    @njit
    def brighten(img, k):
        out = np.empty_like(img)
        h, w, c = img.shape
        for y in range(h):
            for x in range(w):
                for ch in range(c):
                    v = img[y, x, ch] + k
                    out[y, x, ch] = 255 if v > 255 else v
        return out
    """), "brighten", R("uint8", 0, 255, 3, 4, 3), 40,
  note="uint8 + int64 is int64, so the clamp at 255 sees the true sum.",
  py_note="Python: np.uint8 + 40 wraps in uint8 before the comparison.")
K("type_view_transposed", "type.view-arg type.view-transposed", src("""
    @njit
    def scan(m):
        s = 0.0
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                s = s * 0.5 + m[i, j]
        return s, m.shape, m[0, 1]
    """), "scan", View(G(-8, 8, 1, 3, 4), lambda b: b.T),
  note="A transposed (F-ordered) argument: strides [1, 4] over the 3x4 base.")
K("type_view_strided", "type.view-arg type.view-strided", src("""
    @njit
    def total(a):
        s = 0
        for x in a:
            s += x
        return s, a.size, a[1]
    """), "total", View(R("int64", -99, 99, 11), lambda b: b[1::3]))
K("type_view_negative_stride", "type.view-arg type.view-strided", src("""
    @njit
    def firsts(a):
        return a[0], a[1], a[-1], a.copy()
    """), "firsts", View(R("int64", -99, 99, 6), lambda b: b[::-1]))
K("type_view_write", "type.view-arg expr.slice-view-write", src("""
    @njit
    def neg(m):
        for i in range(m.shape[0]):
            m[i, 0] = -m[i, 0]
    """), "neg", View(R("int64", 1, 99, 4, 5), lambda b: b[::2, 1::2]),
  note="Writes through a strided view: the mutated value is the whole base.")
K("type_tuple_return", "type.tuple-return", src("""
    @njit
    def describe(a):
        return a.size, a.mean(), a.size > 3, (a[0], a[-1])
    """), "describe", G(-4, 4, 0.5, 5))
K("type_tuple_arg", "type.tuple-arg", src("""
    @njit
    def box(shape, v):
        n, m = shape
        return np.full((n, m), v), n * m
    """), "box", (2, 3), 1.5)
K("type_list_return_float", "type.list-return", src("""
    @njit
    def halves(n):
        out = []
        for i in range(n):
            out.append(i / 2)
        return out
    """), "halves", 5)
K("type_list_return_bool", "type.list-return type.array-bool", src("""
    @njit
    def flags(a):
        return [x > 0 for x in a]
    """), "flags", R("int64", -3, 3, 6))
K("type_list_arg", "type.list-arg", src("""
    @njit
    def total(xs):
        s = 0
        for x in xs:
            s += x
        return s, len(xs)
    """), "total", [3, 1, 4, 1, 5, 9, 2, 6],
  note="A Python list argument is a reflected list in Numba.")
K("type_none_return", "type.none-return", src("""
    @njit
    def clamp_inplace(a, lo, hi):
        for i in range(a.size):
            if a[i] < lo:
                a[i] = lo
            elif a[i] > hi:
                a[i] = hi
    """), "clamp_inplace", U(-2, 2, 9), -1.0, 1.0)
K("type_numpy_scalar_args", "type.numpy-scalar-arg expr.int-promotion", src("""
    @njit
    def combine(a, b, c):
        return a + a, b * 2, c + c, a + b
    """), "combine", np.int8(100), np.uint16(40000), np.float32(1.5),
  note="int8 + int8 is int64; uint16 * 2 is int64; float32 + float32 is float32.",
  py_note="NumPy keeps int8 (wrapping) and uint16 with the weak Python int.")
K("type_scalar_returns", "type.scalar-return", src("""
    @njit
    def elems(a, b, c):
        return a[0], b[0], c[0]
    """), "elems", V([200], "uint8"), V([-3], "int16"), V([0.1], "float32"))
K("type_bool_arg", "type.bool-arg", src("""
    @njit
    def choose(flag, a):
        if flag:
            return a * 2
        return a
    """), "choose", True, R("int64", -9, 9, 4))
K("type_uint64_extremes", "type.array-uint64 expr.int-wrap", src("""
    @njit
    def ext(a):
        return a[0], a[0] + a[1], a.max()
    """), "ext", V([2 ** 64 - 1, 1, 2 ** 63], "uint64"))
K("type_literal_list_mixed", "type.literal-list", src("""
    @njit
    def f(x):
        xs = [1, (2, 3)]
        return xs[0] + x
    """), "f", 1,
  note="A list display of mixed types is not an error in Numba: it is a LiteralList, "
       "indexable by constants.")

# --- errors ----------------------------------------------------------------

K("error_typing_unify_branches", "error.typing stmt.if", src("""
    @njit
    def f(x):
        if x > 0:
            y = 1
        else:
            y = (1, 2)
        return y
    """), "f", 1, error="TypingError",
  note="Types that meet at a join must unify; in straight-line code a variable may change type.")
K("error_typing_unify_loop", "error.typing stmt.for-range", src("""
    @njit
    def f(n):
        x = 1
        for i in range(n):
            x = (i, i)
        return x
    """), "f", 3, error="TypingError")
K("error_typing_unify_returns", "error.typing stmt.return-unify", src("""
    @njit
    def f(x):
        if x > 0:
            return 1
        return (1, 2)
    """), "f", 1, error="TypingError")
K("error_name_unknown_function", "error.name", src("""
    @njit
    def f(x):
        return foo(x)
    """), "f", 1, error="NameError")
K("error_name_unknown_variable", "error.name", src("""
    @njit
    def f(x):
        return x + y
    """), "f", 1, error="NameError")
K("error_typing_np_sin_string", "error.typing", src("""
    @njit
    def f(x):
        return np.sin("a") + x
    """), "f", 1.0, error="TypingError")
K("error_typing_tuple_plus_int", "error.typing", src("""
    @njit
    def f(a):
        return (1, 2) + a
    """), "f", 3, error="TypingError")
K("error_typing_math_on_array", "error.typing", src("""
    @njit
    def f(a):
        return math.sqrt(a)
    """), "f", U(0, 1, 3), error="TypingError", note="math functions take scalars only.")
K("error_typing_dot_int", "error.typing numpy.dot", src("""
    @njit
    def f(a, b):
        return np.dot(a, b)
    """), "f", R("int64", 0, 9, 3), R("int64", 0, 9, 3), error="TypingError",
  note="Numba's np.dot is BLAS: integer arrays are rejected.")
K("error_typing_const_pow_too_large", "error.typing expr.pow-int", src("""
    @njit
    def f():
        return 3 ** 41
    """), "f", error="TypingError",
  note="Constant folding of literals: 3 ** 41 does not fit int64 and is a TypingError, while the "
       "same power of variables wraps (expr_pow_int_wrap).")
K("error_index_out_of_bounds", "error.index decorator.options", src("""
    @njit(boundscheck=True)
    def f(a, i):
        return a[i]
    """), "f", R("int64", 0, 9, 5), 5, error="IndexError")
K("error_index_negative_out_of_bounds", "error.index", src("""
    @njit(boundscheck=True)
    def f(a, i):
        return a[i]
    """), "f", R("int64", 0, 9, 5), -6, error="IndexError")
K("error_index_2d_store", "error.index", src("""
    @njit(boundscheck=True)
    def f(m):
        for i in range(m.shape[0] + 1):
            m[i, 0] = 1.0
    """), "f", U(0, 1, 3, 2), error="IndexError",
  note="The rows before the bad index were written: argument 0 is mutated.")
K("error_zerodiv_int_truediv", "error.zerodiv", src("""
    @njit
    def f(a, b):
        return a / b
    """), "f", 1, 0, error="ZeroDivisionError")
K("error_zerodiv_int_floordiv", "error.zerodiv", src("""
    @njit
    def f(a, b):
        return a // b
    """), "f", 7, 0, error="ZeroDivisionError")
K("error_zerodiv_int_mod", "error.zerodiv", src("""
    @njit
    def f(a, b):
        return a % b
    """), "f", 7, 0, error="ZeroDivisionError")
K("error_zerodiv_float_div", "error.zerodiv", src("""
    @njit
    def f(a, b):
        return a / b
    """), "f", 1.0, 0.0, error="ZeroDivisionError")
K("error_zerodiv_float_floordiv", "error.zerodiv", src("""
    @njit
    def f(a, b):
        return a // b
    """), "f", 1.0, -0.0, error="ZeroDivisionError")
K("error_zerodiv_float_mod", "error.zerodiv", src("""
    @njit
    def f(a, b):
        return a % b
    """), "f", 1.0, 0.0, error="ZeroDivisionError")
K("error_zerodiv_in_loop", "error.zerodiv", src("""
    @njit
    def f(a, b):
        out = np.zeros(a.size, dtype=np.int64)
        for i in range(a.size):
            out[i] = a[i] // b[i]
        return out
    """), "f", V([4, 5, 6], "int64"), V([2, 0, 1], "int64"), error="ZeroDivisionError",
  py_note="NumPy integer scalars divide by zero with a warning and give 0.")
K("error_zerodiv_pow", "error.zerodiv expr.pow-int-negative", src("""
    @njit
    def f(b, e):
        return b ** e
    """), "f", 0, -2, error="ZeroDivisionError")
K("expr_array_divide_by_zero", "expr.array-ops expr.divide-by-zero", src("""
    @njit
    def f(a, b):
        return a / b, a // b
    """), "f", V([1.0, -1.0, 0.0], "float64"), V([0.0, 0.0, 0.0]),
  note="Array division follows NumPy: inf and nan, no ZeroDivisionError.")
K("error_value_raise", "error.value stmt.raise", src("""
    @njit
    def checked_sqrt(x):
        if x < 0:
            raise ValueError("negative input")
        return np.sqrt(x)
    """), "checked_sqrt", -4.0, error="ValueError")
K("error_raise_index", "error.index stmt.raise", src("""
    @njit
    def f(i):
        if i > 2:
            raise IndexError("too far")
        return i
    """), "f", 3, error="IndexError")
K("error_assertion_message", "error.assertion stmt.assert", src("""
    @njit
    def f(a):
        assert a.size > 10, "need more than 10 elements"
        return a.sum()
    """), "f", U(0, 1, 4), error="AssertionError")
K("error_assertion_bare", "error.assertion stmt.assert", src("""
    @njit
    def f(x):
        assert x > 0
        return x
    """), "f", -1, error="AssertionError")
K("error_broadcast_shapes", "error.value expr.broadcast", src("""
    @njit
    def f(a, b):
        return a + b
    """), "f", U(0, 1, 3), U(0, 1, 4), error="ValueError")
K("error_broadcast_2d", "error.value expr.broadcast-2d", src("""
    @njit
    def f(m, v):
        return m * v
    """), "f", U(0, 1, 3, 4), U(0, 1, 3), error="ValueError")
K("error_reshape_size", "error.value numpy.reshape", src("""
    @njit
    def f(a):
        return a.reshape(4, 4)
    """), "f", U(0, 1, 10), error="ValueError")
K("error_range_step_zero", "error.value builtin.range", src("""
    @njit
    def f(n, k):
        s = 0
        for i in range(0, n, k):
            s += i
        return s
    """), "f", 5, 0, error="ValueError")
K("error_unsupported_with", "error.unsupported", src("""
    @njit
    def f(x):
        with open("data.txt") as fh:
            pass
        return x
    """), "f", 1, error="UnsupportedError")
K("error_unsupported_class", "error.unsupported", src("""
    @njit
    def f(x):
        class Point:
            pass
        return x
    """), "f", 1, error="UnsupportedError")


# ==========================================================================
# Coverage
# ==========================================================================

# The features the cases must cover between them (the self-check fails on a
# missing one): the language numwasm takes from Numba, item by item.
REQUIRED_TAGS = """
module.import-math module.import-numpy module.import-numba module.from-numba
module.helper-njit module.helper-undecorated module.constant module.comments
module.docstrings module.continuation
decorator.njit decorator.njit-parens decorator.jit-nopython decorator.options
decorator.sig-string decorator.sig-list decorator.sig-typeobj decorator.sig-void
decorator.sig-f8-2d decorator.sig-intp decorator.sig-tuple decorator.parallel
stmt.prange stmt.prange-sum stmt.prange-max stmt.prange-min stmt.prange-sub stmt.prange-div
stmt.prange-product stmt.prange-spelled stmt.prange-float32 stmt.prange-nan
stmt.prange-conditional stmt.prange-multi stmt.prange-nested-for stmt.prange-private
stmt.prange-range stmt.prange-empty stmt.prange-large stmt.prange-nested stmt.prange-helper
stmt.prange-write stmt.prange-error stmt.prange-race
stmt.assign stmt.augassign-scalar stmt.augassign-element stmt.augassign-slice
stmt.augassign-array stmt.tuple-unpack stmt.if stmt.for-range stmt.for-range-ab
stmt.for-range-step stmt.for-range-negative stmt.for-array-1d stmt.for-array-2d
stmt.enumerate stmt.zip stmt.while stmt.break stmt.continue stmt.return-unify
stmt.pass stmt.closure stmt.listcomp stmt.listcomp-nested stmt.assert stmt.raise
expr.truediv-int expr.floordiv-mod expr.floor-negative expr.pow-int
expr.pow-int-negative expr.pow-float expr.bit-ops expr.bool-ops expr.chained-compare
expr.ifexp expr.int-wrap expr.mixed-int-float expr.bool-arith expr.broadcast
expr.broadcast-2d expr.negative-index expr.tuple-index expr.slice-step
expr.slice-negative-step expr.slice-view-write expr.attr-shape expr.attr-size
expr.attr-ndim expr.attr-t expr.attr-dtype
builtin.abs builtin.min builtin.max builtin.round builtin.int builtin.float
builtin.bool builtin.len builtin.range builtin.sum
math.sqrt math.exp math.log math.log10 math.log2 math.log1p math.expm1 math.sin
math.cos math.tan math.asin math.acos math.atan math.atan2 math.sinh math.cosh
math.tanh math.asinh math.acosh math.atanh math.hypot math.floor math.ceil
math.trunc math.fabs math.copysign math.fmod math.pow math.isnan math.isinf
math.isfinite math.pi math.e math.inf math.nan
numpy.sqrt numpy.exp numpy.log numpy.sin numpy.cos numpy.arcsin numpy.arctan2
numpy.abs numpy.floor numpy.ceil numpy.minimum numpy.maximum numpy.where
numpy.isnan numpy.sign numpy.ufunc-scalar numpy.ufunc-array
stencil.relative stencil.1d stencil.2d stencil.neighborhood stencil.asymmetric stencil.cval
stencil.branches stencil.uint8 stencil.standard-indexing stencil.out stencil.parallel
stencil.lambda stencil.mode-wrap stencil.mode-reflect stencil.mode-mirror stencil.mode-nearest
gufunc.layout gufunc.scalar-core gufunc.broadcast gufunc.matmul gufunc.scalar-output
gufunc.dispatch gufunc.out gufunc.parallel gufunc.axis
numpy.cast-float64 numpy.cast-float32 numpy.cast-int32 numpy.cast-uint8
numpy.cast-int64 numpy.empty numpy.zeros numpy.ones numpy.full numpy.empty-like
numpy.zeros-like numpy.ones-like numpy.full-like numpy.arange numpy.linspace
numpy.array numpy.array-nested numpy.array-comprehension numpy.copy numpy.sum
numpy.prod numpy.min numpy.max numpy.mean numpy.argmin numpy.argmax numpy.cumsum
numpy.dot-vv numpy.dot-mv numpy.dot-vm numpy.dot-mm numpy.zeros-shape
numpy.zeros-dtype numpy.reshape
type.array-bool type.array-int8 type.array-int16 type.array-int32 type.array-int64
type.array-uint8 type.array-uint16 type.array-uint32 type.array-uint64
type.array-float32 type.array-float64 type.array-2d type.array-3d type.view-arg
type.tuple-return type.list-return type.none-return
seed.ssum seed.filter seed.band seed.logistic seed.normalize seed.moving-mean
error.typing error.name error.index error.zerodiv error.value error.assertion
error.unsupported
""".split()


# --- @vectorize: scalar functions as NumPy ufuncs ---------------------------


def KU(name, tags, source, func, *args, note=None, **kw):
    """A ufunc case: plain Python would call the scalar body on whole arrays, which means
    nothing, so only Numba is the oracle."""
    why = "A ufunc's body is a scalar function: run as plain Python it is not applied per element."
    K(name, tags, source, func, *args, note=f"{note} {why}" if note else why, py=False, **kw)


RC = src("""
    @vectorize(['float64(float64, float64)'])
    def rc(x, tau):
        return 1.0 - math.exp(-x / tau)
    """)
K("ufunc_rc", "ufunc.vectorize ufunc.weak-scalar", RC, "rc", U(0.5, 5, 200), 1.5)
K("ufunc_rc_2d", "ufunc.vectorize ufunc.broadcast", RC, "rc", U(0, 5, 3, 4), U(0.5, 2, 4))
K("ufunc_rc_outer", "ufunc.vectorize ufunc.broadcast", RC, "rc", U(0, 5, 3, 1), U(0.5, 2, 1, 4))
K("ufunc_rc_int_input", "ufunc.vectorize ufunc.type-resolution", RC, "rc",
  R("int32", 1, 10, 20), 2.0, note="int32 casts safely to float64: the float64 loop runs.")
K("ufunc_rc_scalars", "ufunc.vectorize ufunc.scalar", RC, "rc", 1.0, 2.0,
  note="Only scalars: the ufunc returns a scalar.")
K("ufunc_broadcast_error", "ufunc.vectorize ufunc.broadcast error.value", RC, "rc",
  U(0, 1, 3), U(0, 1, 4), error="ValueError")

MULADD = src("""
    @vectorize(['int32(int32, int32)', 'float64(float64, float64)'])
    def muladd(a, b):
        return a * b + a
    """)
KU("ufunc_int32_wraps", "ufunc.vectorize ufunc.int-wrap", MULADD, "muladd",
  R("int32", -2 ** 31, 2 ** 31 - 1, 50), R("int32", -2 ** 31, 2 ** 31 - 1, 50),
  note="int32 arithmetic wraps around in the int32 loop.")
KU("ufunc_float32_takes_float64_loop", "ufunc.vectorize ufunc.type-resolution", MULADD, "muladd",
  U(-2, 2, 30, dtype="float32"), U(-2, 2, 30, dtype="float32"),
  note="float32 does not cast safely to int32, so the float64 loop runs: a float64 result.")
KU("ufunc_int64_takes_float64_loop", "ufunc.vectorize ufunc.type-resolution", MULADD, "muladd",
  R("int64", -100, 100, 30), R("int64", -100, 100, 30),
  note="int64 does not cast safely to int32 but does to float64.")

DYN = src("""
    @vectorize
    def axpy(x, y):
        return x + 2 * y
    """)
KU("ufunc_dynamic_int64", "ufunc.vectorize ufunc.dynamic", DYN, "axpy",
  R("int64", -1000, 1000, 40), R("int64", -1000, 1000, 40))
KU("ufunc_dynamic_float64", "ufunc.vectorize ufunc.dynamic ufunc.broadcast", DYN, "axpy",
  U(-1, 1, 2, 3), U(-1, 1, 3))

RESPONSE = src("""
    @vectorize(['float64(float64)'])
    def response(x):
        if x < 0.0:
            return 0.0
        elif x < 1.0:
            return x * x
        else:
            return math.sqrt(x)
    """)
K("ufunc_piecewise", "ufunc.vectorize stmt.if-elif", RESPONSE, "response", U(-2, 4, 100))

SINC = src("""
    @vectorize(['float64(float64)', 'float32(float32)'])
    def sinc(x):
        if x == 0.0:
            return 1.0
        return math.sin(math.pi * x) / (math.pi * x)
    """)
K("ufunc_sinc", "ufunc.vectorize", SINC, "sinc", V([0.0, 0.5, 1.0, -2.5, 1e-300, 3.25]))

DIV = src("""
    @vectorize(['float64(int64, int64)'])
    def div(a, b):
        return a / b
    """)
KU("ufunc_division_numpy_errors", "ufunc.vectorize ufunc.error-model", DIV, "div",
  V([1, -1, 0, 7], "int64"), V([0, 0, 0, 2], "int64"),
  note="Inside a ufunc division follows NumPy: no ZeroDivisionError, inf and nan.")

NOLOOP = src("""
    @vectorize(['int32(int32)'])
    def twice(a):
        return a * 2
    """)
KU("ufunc_no_loop_for_float64", "ufunc.vectorize ufunc.type-resolution error.type", NOLOOP,
  "twice", U(0, 1, 5), error="TypeError")


# --- @stencil: relative indexing, neighbourhoods, borders ---------------------

MEAN1 = src("""
    @stencil
    def mean3(a):
        return (a[-1] + a[0] + a[1]) / 3.0
    """)
K("stencil_mean_1d", "stencil.relative stencil.1d", MEAN1, "mean3", U(0, 1, 40))
K("stencil_mean_1d_int", "stencil.relative stencil.1d", MEAN1, "mean3", R("int32", -50, 50, 12),
  note="True division gives float64 from int32 input.")
K("stencil_mean_1d_short", "stencil.relative stencil.border", MEAN1, "mean3", V([1.0, 2.0]),
  note="No element has both neighbours: the output is all border (0).")

FOUR = src("""
    @stencil
    def four(a):
        return 0.25 * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0])
    """)
K("stencil_4point_2d", "stencil.relative stencil.2d", FOUR, "four", U(-1, 1, 6, 7))

CUMUL = src("""
    @stencil(neighborhood=((-2, 2), (-1, 1)))
    def box(a):
        acc = 0.0
        for i in range(-2, 3):
            for j in range(-1, 2):
                acc += a[i, j]
        return acc / 15.0
    """)
K("stencil_neighborhood_loop", "stencil.neighborhood stencil.2d", CUMUL, "box", G(-4, 4, 0.25, 7, 6))

ASYM = src("""
    @stencil(cval=-1.0)
    def asym(a):
        return a[-2] - 2.0 * a[3]
    """)
K("stencil_asymmetric_cval", "stencil.asymmetric stencil.cval", ASYM, "asym", U(0, 1, 12))

BRANCH = src("""
    @stencil
    def branch(a, lo, hi):
        c = a[0]
        if c < lo:
            return a[-1] * 2.0
        elif c > hi:
            return math.sqrt(abs(a[1]))
        else:
            return c
    """)
K("stencil_if_elif_else", "stencil.branches stencil.scalar-arg", BRANCH, "branch", U(-1, 1, 30), -0.3, 0.4)

BLUR = src("""
    @stencil(neighborhood=((-3, 3), (-3, 3)))
    def blur(img):
        acc = 0.0
        for i in range(-3, 4):
            for j in range(-3, 4):
                acc += (img[i, j] / 255.0) ** 2.2
        return np.uint8(255.0 * (acc / 49.0) ** (1.0 / 2.2))
    """)
K("stencil_uint8_blur_gamma", "stencil.uint8 stencil.neighborhood stencil.cast", BLUR, "blur",
  R("uint8", 0, 255, 12, 11),
  note="A 7x7 version of the 21x21 gamma blur: uint8 from the kernel's np.uint8 return.")

STD = src("""
    @stencil(standard_indexing=("w",))
    def weighted(a, w):
        return w[0] * a[-1] + w[1] * a[0] + w[2] * a[1]
    """)
K("stencil_standard_indexing", "stencil.standard-indexing", STD, "weighted", G(-4, 4, 0.5, 15),
  V([0.25, 0.5, 0.25]))

TWO = src("""
    @stencil
    def diff(a, b):
        return a[0, 1] - b[-1, 0]
    """)
K("stencil_two_inputs", "stencil.multi-input stencil.2d", TWO, "diff", R("int64", -9, 9, 5, 4),
  R("int64", -9, 9, 5, 4))

OUT = src("""
    @stencil
    def mean3(a):
        return (a[-1] + a[0] + a[1]) / 3.0

    @stencil(cval=5.0)
    def mean3c(a):
        return (a[-1] + a[0] + a[1]) / 3.0

    @njit
    def into(a):
        o = np.full(a.shape[0], 9.0)
        mean3(a, out=o)
        return o

    @njit
    def into_cval(a):
        o = np.full(a.shape[0], 9.0)
        mean3c(a, out=o)
        return o
    """)
K("stencil_out_keeps_border", "stencil.out stencil.called", OUT, "into", U(0, 8, 10),
  note="With out= and no cval the border keeps what out held.")
K("stencil_out_cval", "stencil.out stencil.cval", OUT, "into_cval", U(0, 8, 10),
  note="With out= and cval the border is set to cval.")
K("stencil_out_from_call", "stencil.out", MEAN1, "mean3", U(0, 1, 9), kwargs={"out": U(5, 6, 9)},
  note="out= given to the stencil itself: the border keeps out's values.")

PAR = src("""
    @stencil
    def four(a):
        return 0.25 * (a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0])

    @njit(parallel=True)
    def smooth(a):
        return four(a) * 2.0

    @njit(parallel=True)
    def smooth_lambda(a):
        return stencil(lambda b: b[0, 1] - b[0, -1])(a)
    """)
K("stencil_in_parallel_kernel", "stencil.parallel stencil.called", PAR, "smooth", U(-1, 1, 40, 30))
K("stencil_lambda_in_parallel_kernel", "stencil.parallel stencil.lambda", PAR, "smooth_lambda",
  U(-1, 1, 20, 9))

NOTCONST = src("""
    @stencil
    def loop(a):
        c = 0.0
        for i in range(-1, 2):
            c += a[i]
        return c
    """)
K("stencil_index_not_constant", "stencil.neighborhood error.typing", NOTCONST, "loop",
  U(0, 1, 8), error="TypingError")

NDIM = src("""
    @stencil(neighborhood=((-1, 1), (-1, 1)))
    def two(a):
        return a[0, 0]
    """)
K("stencil_neighborhood_ndim", "stencil.neighborhood error.typing", NDIM, "two", U(0, 1, 8),
  error="TypingError")


# --- @stencil border modes beyond Numba's, against scipy.ndimage -------------
# Numba's stencils have only func_or_mode='constant' (its issue #3485); numwasm adds
# scipy.ndimage's modes. These cases take their expected results from scipy.ndimage,
# and the plain-Python model of gen.py must agree with scipy.


def _ndimage():
    import scipy.ndimage
    return scipy.ndimage


def KS(name, tags, source, func, *args, oracle, note=None):
    why = "Expected: scipy.ndimage (Numba has only the 'constant' border)."
    K(name, tags, source, func, *args, oracle=oracle, note=f"{note} {why}" if note else why)


for _mode in ("wrap", "reflect", "mirror", "nearest"):
    KS(f"stencil_mode_{_mode}_1d", f"stencil.mode-{_mode}", src(f"""
        @stencil(func_or_mode='{_mode}')
        def w3(a):
            return a[-1] + 2.0 * a[0] + 4.0 * a[1]
        """), "w3", G(-8, 8, 0.5, 11),
       oracle=lambda a, m=_mode: _ndimage().correlate1d(a, [1.0, 2.0, 4.0], mode=m))
    KS(f"stencil_mode_{_mode}_2d", f"stencil.mode-{_mode} stencil.2d", src(f"""
        @stencil(func_or_mode='{_mode}')
        def cross(a):
            return a[0, 1] + a[1, 0] + a[0, -1] + a[-1, 0]
        """), "cross", G(-8, 8, 0.5, 6, 5),
       oracle=lambda a, m=_mode: _ndimage().correlate(
           a, np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]]), mode=m))

KS("stencil_mode_nearest_max_loop", "stencil.mode-nearest stencil.neighborhood", src("""
    @stencil(neighborhood=((-1, 1), (-2, 2)), func_or_mode='nearest')
    def mx(a):
        m = a[0, 0]
        for i in range(-1, 2):
            for j in range(-2, 3):
                m = max(m, a[i, j])
        return m
    """), "mx", R("int64", -99, 99, 7, 8),
   oracle=lambda a: _ndimage().maximum_filter(a, size=(3, 5), mode="nearest"))
KS("stencil_mode_wrap_asymmetric", "stencil.mode-wrap stencil.asymmetric", src("""
    @stencil(func_or_mode='wrap')
    def asym(a):
        return a[-2] - a[1]
    """), "asym", G(-8, 8, 0.5, 9),
   oracle=lambda a: _ndimage().correlate1d(a, [1.0, 0.0, 0.0, -1.0], mode="wrap"))
KS("stencil_mode_reflect_short", "stencil.mode-reflect", src("""
    @stencil(func_or_mode='reflect')
    def w5(a):
        return a[-2] + 10.0 * a[0] + 100.0 * a[2]
    """), "w5", V([1.0, 2.0, 3.0]),
   oracle=lambda a: _ndimage().correlate1d(a, [1.0, 0.0, 10.0, 0.0, 100.0], mode="reflect"),
   note="Neighbours beyond a whole period of the 3-element array.")


# --- @guvectorize: generalized ufuncs over core dimensions -------------------


def KG(name, tags, source, func, *args, note=None, **kw):
    """A gufunc case: its body works on core arrays, which plain Python would call once on
    whole arrays, so only Numba is the oracle."""
    why = "A gufunc's body works on core arrays: run as plain Python it is not looped."
    K(name, tags, source, func, *args, note=f"{note} {why}" if note else why, py=False, **kw)


MOVE_MEAN = mod("""
    import numpy as np
    from numba import guvectorize, float64, intp


    @guvectorize([(float64[:], intp[:], float64[:])], '(n),()->(n)')
    def move_mean(a, window_arr, out):
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
    """)
KG("gufunc_move_mean", "gufunc.layout gufunc.scalar-core gufunc.typeobj-sig", MOVE_MEAN,
   "move_mean", G(0, 10, 0.25, 4, 12), 3)
KG("gufunc_move_mean_1d", "gufunc.layout gufunc.scalar-core", MOVE_MEAN, "move_mean",
   G(0, 10, 0.25, 15), 4)
KG("gufunc_move_mean_windows", "gufunc.broadcast gufunc.scalar-core", MOVE_MEAN, "move_mean",
   G(0, 10, 0.25, 3, 8), V([1, 2, 3], "int64"),
   note="One window per row: the () core of an array broadcast against the rows.")

MATMUL = src("""
    @guvectorize(['void(float64[:,:], float64[:,:], float64[:,:])'], '(m,n),(n,p)->(m,p)')
    def matmul(a, b, c):
        for i in range(a.shape[0]):
            for j in range(b.shape[1]):
                s = 0.0
                for k in range(a.shape[1]):
                    s += a[i, k] * b[k, j]
                c[i, j] = s
    """)
KG("gufunc_matmul", "gufunc.matmul gufunc.layout", MATMUL, "matmul", G(-2, 2, 0.5, 3, 4),
   G(-2, 2, 0.5, 4, 2))
KG("gufunc_matmul_broadcast", "gufunc.matmul gufunc.broadcast", MATMUL, "matmul",
   G(-2, 2, 0.5, 2, 3, 4), G(-2, 2, 0.5, 4, 5))
KG("gufunc_matmul_mismatch", "gufunc.matmul error.value", MATMUL, "matmul", U(0, 1, 3, 4),
   U(0, 1, 3, 5), error="ValueError")
KG("gufunc_not_enough_dims", "gufunc.layout error.value", MATMUL, "matmul", U(0, 1, 4),
   U(0, 1, 4, 5), error="ValueError")

TOTAL = src("""
    @guvectorize(['void(float64[:], float64[:])'], '(n)->()')
    def total(a, out):
        s = 0.0
        for x in a:
            s += x
        out[0] = s
    """)
KG("gufunc_scalar_output", "gufunc.scalar-output", TOTAL, "total", G(-4, 4, 0.5, 3, 5))
KG("gufunc_scalar_output_1d", "gufunc.scalar-output", TOTAL, "total", G(-4, 4, 0.5, 6),
   note="No outer dimension: the result is a scalar.")
KG("gufunc_scalar_output_3d", "gufunc.scalar-output gufunc.broadcast", TOTAL, "total",
   G(-4, 4, 0.5, 2, 3, 4))

CUMSUM = src("""
    @guvectorize(['void(float64[:], float64[:])', 'void(int64[:], int64[:])'], '(n)->(n)')
    def cumsum(a, out):
        s = 0
        for i in range(a.shape[0]):
            s += a[i]
            out[i] = s
    """)
KG("gufunc_cumsum_int64", "gufunc.dispatch", CUMSUM, "cumsum", R("int64", -9, 9, 3, 5),
   note="An exact loop for int64 comes before the first safe one (float64).")
KG("gufunc_cumsum_float64", "gufunc.dispatch", CUMSUM, "cumsum", G(-4, 4, 0.5, 3, 5))
KG("gufunc_cumsum_int32", "gufunc.dispatch", CUMSUM, "cumsum", R("int32", -9, 9, 4),
   note="No int32 loop: int32 casts safely to the first loop, float64.")
KG("gufunc_cumsum_float32", "gufunc.dispatch", CUMSUM, "cumsum", G(-4, 4, 0.5, 5, dtype="float32"),
   note="float32 takes the float64 loop.")
KG("gufunc_out_argument", "gufunc.out", CUMSUM, "cumsum", R("int64", -9, 9, 2, 4),
   V([0] * 8, "int64", (2, 4)),
   note="The output passed as the last argument is written and returned.")
KG("gufunc_out_float32", "gufunc.out", CUMSUM, "cumsum", G(-4, 4, 0.5, 3, 5),
   V([0.0] * 15, "float32", (3, 5)),
   note="An output of another dtype: the float64 loop's results cast into it (same_kind).")
KG("gufunc_out_int_into_float", "gufunc.out gufunc.dispatch", CUMSUM, "cumsum",
   R("int64", -9, 9, 2, 4), V([0.5] * 8, "float64", (2, 4)),
   note="The int64 loop, its results cast into a float64 output.")
KG("gufunc_out_cast_error", "gufunc.out error.type", CUMSUM, "cumsum", G(-4, 4, 0.5, 3, 5),
   V([0] * 15, "int64", (3, 5)), error="TypeError",
   note="float64 results do not cast into int64 under same_kind.")

PGU = src("""
    @guvectorize(['void(float64[:], float64, float64[:])'], '(n),()->(n)', target='parallel')
    def scale(a, k, out):
        for i in range(a.shape[0]):
            out[i] = a[i] * k + i
    """)
KG("gufunc_parallel", "gufunc.parallel gufunc.scalar-arg", PGU, "scale", G(-4, 4, 0.5, 40, 6), 2.5,
   note="target='parallel' over the rows.")

# Dynamic gufuncs: no signatures, a loop compiled for the operands' own dtypes; the outputs
# must be passed.
DYNGU = src("""
    @guvectorize('(n),()->(n)')
    def scale(a, k, out):
        for i in range(a.shape[0]):
            out[i] = a[i] * k + i
    """)
KG("gufunc_dynamic", "gufunc.dynamic gufunc.out gufunc.scalar-arg", DYNGU, "scale",
   G(-4, 4, 0.5, 3, 5), 2.5, V([0.0] * 15, "float64", (3, 5)),
   note="The loop is compiled for (float64, float64) -> float64 on the first call.")
KG("gufunc_dynamic_int", "gufunc.dynamic gufunc.out", DYNGU, "scale",
   R("int64", -9, 9, 2, 4), 3, V([0] * 8, "int64", (2, 4)))
KG("gufunc_dynamic_per_row", "gufunc.dynamic gufunc.out gufunc.broadcast", DYNGU, "scale",
   G(-4, 4, 0.5, 3, 4), V([1.0, -2.0, 0.5]), V([0.0] * 12, "float64", (3, 4)),
   note="A `()` input given one value per row.")
KG("gufunc_dynamic_without_out", "gufunc.dynamic error.type", DYNGU, "scale",
   G(-4, 4, 0.5, 3, 5), 2.5, error="TypeError")
DYNTOTAL = src("""
    @guvectorize('(n)->()')
    def total(a, out):
        s = 0.0
        for x in a:
            s += x
        out[0] = s
    """)
KG("gufunc_dynamic_scalar_output", "gufunc.dynamic gufunc.scalar-output", DYNTOTAL, "total",
   G(-4, 4, 0.5, 3, 5), V([0.0] * 3))


# --- @vectorize with out= ------------------------------------------------------

LIN = src("""
    @vectorize(['float64(float64, float64)'])
    def lin(x, tau):
        return 1.0 - x / tau
    """)

KU("ufunc_out_keyword", "ufunc.out", LIN, "lin", U(0.5, 5, 20), 1.5, kwargs={"out": U(0, 1, 20)},
  note="The result goes into out, which is returned.")
KU("ufunc_out_positional", "ufunc.out", LIN, "lin", U(0.5, 5, 12), 1.5, U(0, 1, 12),
  note="out as the argument after the inputs, as NumPy's ufuncs take it.")
KU("ufunc_out_broadcast", "ufunc.out ufunc.broadcast", LIN, "lin", U(0.5, 5, 4), 1.5,
  kwargs={"out": U(0, 1, 3, 4)}, note="The inputs broadcast to out's shape.")
KU("ufunc_out_float32", "ufunc.out", LIN, "lin", U(0.5, 5, 10), 2.0,
  kwargs={"out": U(0, 1, 10, dtype="float32")}, note="The float64 loop's results cast into float32.")
KU("ufunc_out_cast_error", "ufunc.out error.type", LIN, "lin", U(0.5, 5, 10), 2.0,
  kwargs={"out": R("int64", 0, 5, 10)}, error="TypeError")
KU("ufunc_out_shape_error", "ufunc.out error.value", LIN, "lin", U(0.5, 5, 4), 2.0,
  kwargs={"out": U(0, 1, 3)}, error="ValueError")


# --- gufuncs with axis= --------------------------------------------------------

KG("gufunc_axis_0", "gufunc.axis", CUMSUM, "cumsum", R("int64", -9, 9, 3, 4), kwargs={"axis": 0},
   note="The core dimension taken along axis 0: a cumulative sum down each column.")
KG("gufunc_axis_negative", "gufunc.axis", CUMSUM, "cumsum", R("int64", -9, 9, 3, 4),
   kwargs={"axis": -1})
KG("gufunc_axis_middle", "gufunc.axis", CUMSUM, "cumsum", G(-4, 4, 0.5, 2, 3, 4),
   kwargs={"axis": 1})
KG("gufunc_axis_scalar_output", "gufunc.axis gufunc.scalar-output", TOTAL, "total",
   G(-4, 4, 0.5, 3, 4), kwargs={"axis": 0})
KG("gufunc_axis_out_of_bounds", "gufunc.axis error.value", CUMSUM, "cumsum",
   R("int64", -9, 9, 3, 4), kwargs={"axis": 2}, error="ValueError")
