// The kernel mode's examples: the Numba examples numwasm's kernel half is built around,
// runnable as they are, each with the kernel to call and a generator for each of its
// arguments (kernel-args.js), and the N it starts at. `spin` never ends: it is there to
// show Cancel.
//
// An argument spec: { kind: 'array', gen, a, b, dtype, shape } with gen uniform (in
// [a, b)), arange (a + i*b), linspace (a to b), constant (a) or image (a test picture,
// 2-D uint8), and shape a comma-separated list of extents written with N (`N`, `N/100,100`,
// `√N,√N`, `10`); or { kind: 'scalar', type: 'int' | 'float' | 'bool', a }.

const arr = (shape, gen = 'uniform', a = 0, b = 1, dtype = 'float64') => ({ kind: 'array', gen, a, b, dtype, shape });
const int = (a) => ({ kind: 'scalar', type: 'int', a });

export const KERNEL_EXAMPLES = [
  {
    id: 'ssum',
    title: 'ssum: a sum in a Python loop (@njit)',
    func: 'ssum',
    n: 1e6,
    args: { a: arr('N') },
    source: `from numba import njit


@njit
def ssum(a):
    s = 0
    for x in a:
        s += x
    return s
`,
  },
  {
    id: 'rc',
    title: 'rc filter as a ufunc (@vectorize)',
    func: 'rc',
    n: 1e6,
    args: { voltage: arr('N', 'uniform', 0, 10), time_constant: arr('N', 'uniform', -10, -1) },
    source: `import math
from numba import vectorize


@vectorize
def rc(voltage, time_constant):
    return voltage * (1 - math.exp(1 / time_constant))
`,
  },
  {
    id: 'exp_arcsin',
    title: 'np.exp(np.arcsin(a)) in @jit',
    func: 'exp_arcsin',
    n: 1e6,
    args: { a: arr('N') },
    source: `import numpy as np
from numba import jit


@jit(nopython=True)
def exp_arcsin(a):
    return np.exp(np.arcsin(a))
`,
  },
  {
    id: 'int32',
    title: '@jit(int32(int32, int32)): a declared signature (int32 wraps)',
    func: 'add',
    n: 1e3,
    args: { x: int(2147483647), y: int(1) },
    source: `from numba import jit, int32


@jit(int32(int32, int32))
def add(x, y):
    return x + y
`,
  },
  {
    id: 'vectorize_sig',
    title: '@vectorize([float64(float64, float64)])',
    func: 'f',
    n: 1e6,
    args: { x: arr('N'), y: arr('N') },
    source: `from numba import vectorize, float64


@vectorize([float64(float64, float64)])
def f(x, y):
    return x + y
`,
  },
  {
    id: 'parallel_ufunc',
    title: "a ufunc with target='parallel'",
    func: 'rc_parallel',
    n: 1e6,
    args: { x: arr('N', 'uniform', 0, 10), tau: arr('N', 'uniform', 1, 10) },
    source: `import math
from numba import vectorize


@vectorize(['float64(float64, float64)'], target='parallel')
def rc_parallel(x, tau):
    return 1.0 - math.exp(-x / tau)
`,
  },
  {
    id: 'logreg',
    title: 'logistic regression (@jit, np.dot, in-place update)',
    func: 'logistic_regression',
    n: 1e5,
    args: { Y: arr('N/10', 'uniform', -1, 1), X: arr('N/10,10', 'uniform', -1, 1), w: arr('10', 'uniform', -1, 1), iterations: int(10) },
    source: `import numpy as np
from numba import jit


@jit(nopython=True)
def logistic_regression(Y, X, w, iterations):
    for i in range(iterations):
        w -= np.dot(((1.0 / (1.0 + np.exp(-Y * np.dot(X, w))) - 1.0) * Y), X)
    return w
`,
  },
  {
    id: 'normalize',
    title: 'row normalisation with prange (@njit(parallel=True))',
    func: 'normalize',
    n: 1e6,
    args: { x: arr('N/100,100') },
    source: `import numpy as np
from numba import njit, prange


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
`,
  },
  {
    id: 'stencil1d',
    title: 'a 1-d stencil (@stencil, 3-point mean)',
    func: 'mean3',
    n: 1e6,
    args: { a: arr('N') },
    source: `from numba import stencil


@stencil
def mean3(a):
    return (a[-1] + a[0] + a[1]) / 3.0
`,
  },
  {
    id: 'blur',
    title: 'the 21x21 gamma blur of an image (@stencil, uint8)',
    func: 'blur',
    n: 1e4,
    args: { img: arr('√N,√N', 'image', 0, 0, 'uint8') },
    source: `import numpy as np
from numba import stencil


@stencil(neighborhood=((-10, 10), (-10, 10)))
def blur(img):
    acc = 0.0
    for i in range(-10, 11):
        for j in range(-10, 11):
            acc += (img[i, j] / 255.0) ** 2.2
    return np.uint8(255.0 * (acc / 441.0) ** (1.0 / 2.2))
`,
  },
  {
    id: 'band',
    title: 'a band matrix: an inner function and comprehensions',
    func: 'band',
    n: 1e3,
    args: { n: int(500), k: int(3) },
    source: `import numpy as np
from numba import njit


@njit
def band(n, k):
    def inside(i, j):
        return abs(i - j) <= k
    return np.array([[1.0 if inside(i, j) else 0.0 for j in range(n)] for i in range(n)])
`,
  },
  {
    id: 'move_mean',
    title: 'a moving mean per row (@guvectorize)',
    func: 'move_mean',
    n: 1e6,
    args: { a: arr('N/1000,1000'), window_arr: int(20) },
    source: `from numba import guvectorize, float64, intp


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
`,
  },
  {
    id: 'spin',
    title: 'a while loop that never ends (try Cancel)',
    func: 'spin',
    n: 1e3,
    args: { n: int(1) },
    source: `from numba import njit


@njit
def spin(n):
    i = 0
    while True:
        i += n
    return i
`,
  },
];

export function kernelExample(id) {
  return KERNEL_EXAMPLES.find((e) => e.id === id);
}
