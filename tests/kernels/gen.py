#!/usr/bin/env python3
"""Generate tests/kernels/cases.json from real Numba (pinned in requirements.txt).

Every case is a small Python module with `@njit` kernels, the name of the entry
function, seeded arguments, and what Numba 0.68 gives for the call: the result,
the array arguments the call changed, or the error it raised. numwasm's kernel
tests run the same sources and compare (README.md gives the comparison rules).
The cases are declared in cases.py; this file runs them and writes the JSON.

How a case is made:

* The module text is written to a temporary file and imported, so that Numba
  sees an ordinary module (`cache=True` needs a file); the entry function is
  called twice on fresh copies of the arguments and both calls must agree.
* The result is encoded with the type Numba inferred for it (the dispatcher's
  signature), not with the Python object Numba boxed it into: an `int32`
  result is `int32` although Numba hands back a Python int.
* An array argument is "mutated" when its bytes differ after the call.
* The same module is executed as plain Python with NumPy (the decorators made
  the identity, `prange` made `range`). Where that gives another answer than
  Numba (int64 wrap-around, Numba's typing of int8 + int8, summation order...)
  the case must say why in its `py_note`, which becomes the case's `note`; a
  difference without a note stops the generator.
* ULP bounds: the plain-Python run also counts the calls whose results are
  rounded by a libm-like routine (`exp`, `sin`, `pow`, ..., and `np.dot` on
  values whose sum depends on the order). If there are any, the case is
  compared within an ULP bound instead of exactly. The bound is measured: the
  module is run again with every such result moved by one ULP (all up, all
  down, and random directions), and the bound is four times the largest change
  seen in the outputs, at least 4.
* `prange` kernels are run with 1 and with 4 threads; the results must agree.

Deterministic: the inputs come from numpy.random.default_rng(crc32(name)), the
cases are written in the order they are defined, and Numba's results do not
depend on the run. Usage (see README.md for the virtual environment):

    python tests/kernels/gen.py            # writes tests/kernels/cases.json
    python tests/kernels/gen.py NAME...    # runs those cases only, prints them
"""
import atexit
import os
import shutil
import sys
import tempfile

# Numba reads its configuration when it is imported: fix it before that, and do
# not let the caller's NUMBA_* variables (NUMBA_BOUNDSCHECK, NUMBA_OPT...) change
# what the cases record.
for _k in [k for k in os.environ if k.startswith("NUMBA_")]:
    del os.environ[_k]
TMP = tempfile.mkdtemp(prefix="numwasm-kernels-")
atexit.register(shutil.rmtree, TMP, ignore_errors=True)
os.environ["NUMBA_CACHE_DIR"] = os.path.join(TMP, "cache")
os.environ["NUMBA_DISABLE_ERROR_MESSAGE_HIGHLIGHTING"] = "1"
os.environ["NUMBA_NUM_THREADS"] = "4"

import ast  # noqa: E402
import builtins  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import types as pytypes  # noqa: E402
import warnings  # noqa: E402
import zlib  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba.core import errors as nberrors  # noqa: E402
from numba.core import types as nbtypes  # noqa: E402
from numba.np.numpy_support import as_dtype  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "cases.json"
sys.dont_write_bytecode = True  # (no __pycache__ beside the cases in the repository)
sys.path.insert(0, str(HERE))
from cases import CASES, REQUIRED_TAGS, View  # noqa: E402

# ==========================================================================
# Arguments: one seeded value per case, fresh copies per call
# ==========================================================================


class ViewArg:
    """A materialised View: the base array and how to take the view of it."""

    def __init__(self, base, make):
        self.base, self.make = base, make


def materialise(spec, rng):
    if isinstance(spec, View):
        return ViewArg(spec.build(rng), spec.make)
    if callable(spec) and not isinstance(spec, (np.generic, type)):
        return spec(rng)
    return spec


def fresh(value):
    """(the object passed to the kernel, the array whose bytes it may change)."""
    if isinstance(value, ViewArg):
        base = value.base.copy()
        return value.make(base), base
    if isinstance(value, np.ndarray):
        a = value.copy()
        return a, a
    if isinstance(value, list):
        return list(value), None
    return value, None


# ==========================================================================
# Encoding values
# ==========================================================================


def enc_float(x):
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def enc_scalar_value(v, dtype):
    dt = np.dtype(dtype)
    if dt.kind == "b":
        return bool(v)
    if dt.kind in "iu":
        return int(v)
    return enc_float(dt.type(v))


def enc_array(a):
    a = np.asarray(a)
    return {"kind": "array", "dtype": str(a.dtype), "shape": list(a.shape),
            "data": [enc_scalar_value(x, a.dtype) for x in a.reshape(-1).tolist()]}


def enc_view(view, base):
    item = base.itemsize
    off = (view.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // item
    out = enc_array(view)
    out["strides"] = [s // item for s in view.strides]
    out["offset"] = off
    out["data"] = enc_array(base)["data"]
    return out


def enc_arg(v):
    if isinstance(v, ViewArg):
        return enc_view(v.make(v.base), v.base)
    if isinstance(v, np.ndarray):
        assert v.flags.c_contiguous, "pass non-contiguous arrays as View"
        return enc_array(v)
    if isinstance(v, (bool, np.bool_)) and not isinstance(v, np.generic):
        return {"kind": "bool", "value": v}
    if isinstance(v, np.generic):
        return {"kind": "scalar", "dtype": str(v.dtype), "value": enc_scalar_value(v, v.dtype)}
    if type(v) is int:
        return {"kind": "int", "value": v}
    if type(v) is float:
        return {"kind": "float", "value": enc_float(v)}
    if isinstance(v, tuple):
        return {"kind": "tuple", "items": [enc_arg(x) for x in v]}
    if isinstance(v, list):
        dt = natural_dtype(v[0])
        return {"kind": "list", "dtype": dt, "data": [enc_scalar_value(x, dt) for x in v]}
    if v is None:
        return {"kind": "none"}
    raise TypeError(f"cannot encode argument {v!r}")


def enc_typed(v, ty):
    """Encode Numba's result `v` by Numba's type `ty` for it."""
    if isinstance(ty, nbtypes.Optional):
        return {"kind": "none"} if v is None else enc_typed(v, ty.type)
    if isinstance(ty, nbtypes.Array):
        assert np.asarray(v).dtype == as_dtype(ty.dtype), (v, ty)
        return enc_array(v)
    if isinstance(ty, nbtypes.BaseTuple):
        return {"kind": "tuple", "items": [enc_typed(x, t) for x, t in zip(v, ty.types)]}
    if isinstance(ty, nbtypes.List):
        dt = str(as_dtype(ty.dtype))
        return {"kind": "list", "dtype": dt, "data": [enc_scalar_value(x, dt) for x in v]}
    if isinstance(ty, nbtypes.NoneType):
        assert v is None
        return {"kind": "none"}
    if isinstance(ty, (nbtypes.Integer, nbtypes.Float, nbtypes.Boolean)):
        dt = str(as_dtype(ty))
        return {"kind": "scalar", "dtype": dt, "value": enc_scalar_value(v, dt)}
    raise TypeError(f"cannot encode a result of Numba type {ty}")


def natural_dtype(v):
    if isinstance(v, (np.generic, np.ndarray)):
        return str(v.dtype)
    return {bool: "bool", int: "int64", float: "float64"}[type(v)]


def enc_natural(v):
    """Encode a plain-Python result by its own type (a Python int is int64)."""
    if isinstance(v, np.ndarray):
        return enc_array(v)
    if isinstance(v, tuple):
        return {"kind": "tuple", "items": [enc_natural(x) for x in v]}
    if isinstance(v, list):
        dt = natural_dtype(v[0]) if v else None
        return {"kind": "list", "dtype": dt,
                "data": [x if type(x) is int else enc_scalar_value(x, natural_dtype(x)) for x in v]}
    if v is None:
        return {"kind": "none"}
    dt = natural_dtype(v)
    # (a Python int beyond int64 stays as it is, so that the comparison sees it)
    return {"kind": "scalar", "dtype": dt, "value": v if type(v) is int else enc_scalar_value(v, dt)}


# ==========================================================================
# Comparing encoded values
# ==========================================================================


class Mismatch(Exception):
    pass


def leaves(a, b, path="result"):
    """Pairs of scalar leaves (x, y, dtype) of two encodings of the same structure."""
    if a["kind"] != b["kind"]:
        raise Mismatch(f"{path}: {a['kind']} vs {b['kind']}")
    kind = a["kind"]
    if kind == "none":
        return
    if kind == "tuple":
        if len(a["items"]) != len(b["items"]):
            raise Mismatch(f"{path}: tuple of {len(a['items'])} vs {len(b['items'])}")
        for i, (x, y) in enumerate(zip(a["items"], b["items"])):
            yield from leaves(x, y, f"{path}[{i}]")
        return
    da, db = a.get("dtype"), b.get("dtype")
    if da != db and da is not None and db is not None:
        raise Mismatch(f"{path}: dtype {da} vs {db}")
    dt = da or db
    if kind == "scalar":
        yield a["value"], b["value"], dt
        return
    if a.get("shape") != b.get("shape") or len(a["data"]) != len(b["data"]):
        raise Mismatch(f"{path}: shape {a.get('shape', len(a['data']))} vs {b.get('shape', len(b['data']))}")
    for x, y in zip(a["data"], b["data"]):
        yield x, y, dt


def same_leaf(x, y):
    if isinstance(x, float) and isinstance(y, float):
        return x == y and math.copysign(1, x) == math.copysign(1, y)
    return type(x) is type(y) and x == y


def ulp_distance(x, y, dt):
    if same_leaf(x, y):
        return 0
    if dt not in ("float32", "float64") or isinstance(x, (bool, int)) or isinstance(y, (bool, int)):
        return math.inf
    fx, fy = float(x), float(y)
    if math.isnan(fx) or math.isnan(fy):
        return 0 if math.isnan(fx) and math.isnan(fy) else math.inf
    ity = np.int32 if dt == "float32" else np.int64

    def ordered(f):
        i = int(np.array(f, dtype=dt).view(ity))
        return i if i >= 0 else -(i & (2 ** (8 * np.dtype(ity).itemsize - 1) - 1))
    return abs(ordered(fx) - ordered(fy))


def max_ulps(a, b):
    """The largest ULP distance between two outcomes (inf where they cannot be
    compared in ULPs: different structure, dtype, or a non-float leaf that differs)."""
    try:
        return max([ulp_distance(x, y, dt) for x, y, dt in leaves(a, b)], default=0)
    except Mismatch:
        return math.inf


def outcome_diff(a, b, ulp=0):
    """None when outcomes a and b agree (exactly or within `ulp`), else a reason."""
    if set(a) != set(b):
        return f"outcome keys {sorted(a)} vs {sorted(b)}"
    if "error" in a:
        ea, eb = (f"{type(e).__name__}: {e}" for e in (a["error"], b["error"]))
        return None if ea == eb else f"{ea} vs {eb}"
    pairs = [("result", a["result"], b["result"])]
    ma = {m["arg"]: m["value"] for m in a["mutated"]}
    mb = {m["arg"]: m["value"] for m in b["mutated"]}
    if set(ma) != set(mb):
        return f"mutated arguments {sorted(ma)} vs {sorted(mb)}"
    pairs += [(f"argument {k}", ma[k], mb[k]) for k in sorted(ma)]
    for name, x, y in pairs:
        try:
            for p, q, dt in leaves(x, y, name):
                if not same_leaf(p, q) and (ulp == 0 or ulp_distance(p, q, dt) > ulp):
                    return f"{name}: {p!r} vs {q!r} ({dt})"
        except Mismatch as e:
            return str(e)
    return None


# ==========================================================================
# Running a case in Numba
# ==========================================================================


def error_line(e):
    """Numba's message, first meaningful line (the pipeline header skipped)."""
    lines = [ln.strip() for ln in str(e).splitlines() if ln.strip()]
    if len(lines) > 1 and lines[0].startswith("Failed in "):
        lines = lines[1:]
    line = lines[0] if lines else ""
    line = re.sub(r"<module '(\w+)' from '[^']*'>", r"<module '\1'>", line)
    return line.replace(TMP + os.sep, "")


NUMBA_ERRORS = (nberrors.NumbaError, nberrors.UnsupportedBytecodeError)
COMPILE_KINDS = ("TypingError", "NameError", "UnsupportedError")


def load_module(case):
    path = Path(TMP) / f"{case.name}.py"
    path.write_text(case.source)
    spec = importlib.util.spec_from_file_location(f"kcase_{case.name}", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def numba_result_type(disp, args, kwargs):
    argtys = tuple(disp.typeof_pyval(a) for a in args)
    kwtys = {k: disp.typeof_pyval(v) for k, v in kwargs.items()}
    tmpl, _, targs, tkws = disp.get_call_template(argtys, kwtys)
    return tmpl(disp.typingctx).apply(targs, tkws).return_type


def call(fn, args, kwargs, result_type=None):
    """Call fn on fresh copies; the outcome as it goes into the JSON."""
    # (keyword arguments after the positional ones, for what the call wrote)
    passed = [fresh(a) for a in args] + [fresh(v) for v in kwargs.values()]
    kw = {k: p for k, (p, _) in zip(kwargs, passed[len(args):])}
    pristine = [None if base is None else base.tobytes() for _, base in passed]
    try:
        r = fn(*[p for p, _ in passed[:len(args)]], **kw)
        err = None
    except Exception as e:  # noqa: BLE001 - every error is a recorded outcome
        r, err = None, e
    out = {}
    if err is not None:
        out["error"] = err
    elif result_type is None:
        out["result"] = enc_natural(r)
    else:
        out["result"] = enc_typed(r, result_type(passed, kw))
    out["mutated"] = []
    for i, ((p, base), before) in enumerate(zip(passed, pristine)):
        if base is not None and base.tobytes() != before:
            value = enc_view(p, base) if base is not p else enc_array(base)
            out["mutated"].append({"arg": i, "value": value})
    return out


def call_numba(disp, args, kwargs):
    if not hasattr(disp, "typeof_pyval"):
        # A ufunc (@vectorize) returns NumPy values, which carry their own types.
        return call(disp, args, kwargs)

    def rtype(passed, kw):
        return numba_result_type(disp, [p for p, _ in passed[:len(args)]], kw)
    return call(disp, args, kwargs, rtype)


def run_numba(case, args, kwargs):
    """Load and call the case in Numba: (outcome, dispatcher or None)."""
    try:
        mod = load_module(case)
    except Exception as e:  # noqa: BLE001 - an explicit signature fails at import
        return {"error": e, "mutated": []}, None
    disp = getattr(mod, case.func)
    return call_numba(disp, args, kwargs), disp


def error_record(case, e):
    name = type(e).__name__
    kind = case.error
    assert kind is not None, f"{case.name}: Numba raised {name}: {e}"
    if kind in COMPILE_KINDS:
        assert isinstance(e, NUMBA_ERRORS), f"{case.name}: expected a Numba error, got {name}: {e}"
    else:
        # (a subclass counts: NumPy's UFuncTypeError is a TypeError)
        assert name == kind or isinstance(e, getattr(builtins, kind, ())), (
            f"{case.name}: expected {kind}, Numba raised {name}: {e}")
    return {"kind": kind, "numba_exception": name, "message": error_line(e)}


# ==========================================================================
# Running a case as plain Python (the comparison and the ULP probe)
# ==========================================================================

# Results rounded by a libm-like routine: numwasm's own vector math may give
# another ULP for them. sqrt, floor... are exact in both and are not listed.
ROUNDED_MATH = {"exp", "expm1", "log", "log10", "log2", "log1p", "sin", "cos", "tan",
                "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh",
                "acosh", "atanh", "hypot", "pow"}
ROUNDED_NUMPY = {"exp", "expm1", "log", "log10", "log2", "log1p", "sin", "cos", "tan",
                 "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh",
                 "arcsinh", "arccosh", "arctanh", "hypot", "power"}


class Rounding:
    """Counts the rounded results of a run and, when probing, moves each by one ULP."""

    def __init__(self, mode=None, seed=0):
        self.mode, self.sites = mode, 0
        self.rng = np.random.default_rng(seed)

    def __call__(self, r):
        is_float = isinstance(r, (float, np.floating)) or (
            isinstance(r, np.ndarray) and r.dtype.kind == "f" and r.size)
        if not is_float:
            return r
        self.sites += 1
        if self.mode is None:
            return r
        a = np.asarray(r)
        if self.mode == "random":
            up = self.rng.random(a.shape) < 0.5
        else:
            up = np.full(a.shape, self.mode == "up")
        to = np.where(up, np.inf, -np.inf).astype(a.dtype)
        moved = np.where(np.isfinite(a), np.nextafter(a, to), a)
        if isinstance(r, np.ndarray):
            return moved
        return type(r)(moved[()]) if isinstance(r, np.generic) else float(moved)


def wrapping_module(real, names, rounding, overrides=None):
    """`real` with the functions in `names` rounded, and `overrides` replacing others."""
    mod = pytypes.ModuleType(real.__name__)

    def attr(name):
        if overrides and name in overrides:
            return overrides[name]
        v = getattr(real, name)
        if name in names:
            return lambda *a, **k: rounding(v(*a, **k))
        return v
    mod.__getattr__ = attr
    return mod


def _identity_decorator(*args, **kwargs):
    if len(args) == 1 and not kwargs and isinstance(args[0], pytypes.FunctionType):
        return args[0]
    return lambda f: f


def _vectorize_decorator(*args, **kwargs):
    """`@vectorize` for plain Python: the scalar function applied per element
    (np.vectorize), its output dtype the first declared signature's; only scalar
    arguments give a scalar, as a ufunc does."""
    def wrap(f, otypes=None):
        vf = np.vectorize(f, otypes=otypes)

        def call(*a):
            r = vf(*a)
            return r[()] if isinstance(r, np.ndarray) and r.ndim == 0 else r
        return call
    if len(args) == 1 and not kwargs and isinstance(args[0], pytypes.FunctionType):
        return wrap(args[0])
    sigs = args[0] if args else None
    if isinstance(sigs, str):
        sigs = [sigs]
    otypes = None
    if sigs:
        ret = str(sigs[0]).split("(")[0].strip()
        otypes = [np.dtype(ret)]
    return lambda f: wrap(f, otypes)


class _Relative:
    """A stencil input seen from one element: `a[o...]` is the element at the offsets,
    folded back into the array by the border mode (scipy.ndimage's meaning)."""

    def __init__(self, a, at, mode):
        self.a, self.at, self.mode = a, at, mode

    def __getitem__(self, idx):
        offs = idx if isinstance(idx, tuple) else (idx,)
        assert len(offs) == self.a.ndim, "one offset per axis"
        j = tuple(_fold(int(c) + int(o), n, self.mode) for c, o, n in zip(self.at, offs, self.a.shape))
        if any(not 0 <= k < n for k, n in zip(j, self.a.shape)):
            raise IndexError("stencil index out of bounds")
        return self.a[j]


def _fold(j, n, mode):
    if mode == "wrap":
        return j % n
    if mode == "nearest":
        return min(max(j, 0), n - 1)
    if mode == "reflect":
        m = j % (2 * n)
        return m if m < n else 2 * n - 1 - m
    if mode == "mirror":
        p = max(2 * n - 2, 1)
        m = j % p
        return m if m < n else 2 * n - 2 - m
    return j


class _Stencil:
    """`@stencil` for plain Python: the kernel called once per element, written
    independently of Numba (the neighbourhood from the constant indices of the source,
    the border cval, or left alone under out= without cval, or computed by a mode)."""

    def __init__(self, f, opts):
        self.f, self.opts = f, opts

    def neighborhood(self, names, ndim):
        if "neighborhood" in self.opts:
            return [tuple(p) for p in self.opts["neighborhood"]]
        tree = ast.parse(_SOURCE[0])
        code = self.f.__code__
        node = None
        for n in ast.walk(tree):
            if isinstance(n, ast.FunctionDef) and n.name == code.co_name:
                node = n
            if isinstance(n, ast.Lambda) and code.co_name == "<lambda>" and n.lineno == code.co_firstlineno:
                node = n
        reach = [[0, 0] for _ in range(ndim)]
        for n in ast.walk(node):
            if isinstance(n, ast.Subscript) and isinstance(n.value, ast.Name) and n.value.id in names:
                offs = ast.literal_eval(n.slice)
                offs = offs if isinstance(offs, tuple) else (offs,)
                for r, o in zip(reach, offs):
                    r[0], r[1] = min(r[0], o), max(r[1], o)
        return [tuple(r) for r in reach]

    def __call__(self, *args, out=None):
        params = self.f.__code__.co_varnames[:self.f.__code__.co_argcount]
        standard = self.opts.get("standard_indexing", ())
        rel = [i for i, (a, p) in enumerate(zip(args, params))
               if isinstance(a, np.ndarray) and p not in standard]
        first = args[rel[0]]
        nb = self.neighborhood([params[i] for i in rel], first.ndim)
        mode = self.opts.get("func_or_mode", "constant")
        cval = self.opts.get("cval")
        values = {}
        for at in np.ndindex(*first.shape):
            inside = all(-lo <= k < n - hi for k, n, (lo, hi) in zip(at, first.shape, nb))
            if inside or mode != "constant":
                call = [_Relative(a, at, "constant" if inside else mode) if i in rel else a
                        for i, a in enumerate(args)]
                values[at] = self.f(*call)
        if out is None:
            dt = np.asarray(list(values.values()) or [0.0]).dtype
            out = np.full(first.shape, 0 if cval is None else cval).astype(dt)
        elif cval is not None and mode == "constant":
            out[...] = cval
        for at, v in values.items():
            out[at] = v
        return out


def _stencil_decorator(*args, **kwargs):
    if args and callable(args[0]):
        return _Stencil(args[0], kwargs)
    return lambda f: _Stencil(f, kwargs)


_SOURCE = [""]


def numba_shim():
    """`numba` for plain Python: decorators are the identity (`vectorize` applies the
    function per element), prange is range; the type objects used in signatures are
    Numba's own."""
    mod = pytypes.ModuleType("numba")
    identity = {"njit", "jit", "guvectorize", "generated_jit"}

    def attr(name):
        if name == "vectorize":
            return _vectorize_decorator
        if name == "stencil":
            return _stencil_decorator
        if name in identity:
            return _identity_decorator
        if name == "prange":
            return range
        return getattr(numba, name)
    mod.__getattr__ = attr
    return mod


class PowDot(ast.NodeTransformer):
    """`a ** b` and `a @ b` become calls, so that their results can be rounded."""

    def visit_BinOp(self, node):
        self.generic_visit(node)
        fn = {ast.Pow: "__nw_pow__", ast.MatMult: "__nw_dot__"}.get(type(node.op))
        if fn is None:
            return node
        return ast.copy_location(ast.Call(ast.Name(fn, ast.Load()), [node.left, node.right], []), node)


def _exact_dot(*operands):
    """A dot of small integer values: every order of summation gives the same bits."""
    for x in operands:
        x = np.asarray(x)
        if x.dtype.kind == "f" and not (np.all(x == np.round(x)) and np.all(np.abs(x) <= 2 ** 20)):
            return False
    return True


def run_python(case, args, kwargs, rounding):
    """Run the case's module as plain Python: the outcome, as `call` gives it."""
    def npdot(a, b):
        r = np.dot(a, b)
        return r if _exact_dot(a, b) else rounding(r)

    def pw(a, b):
        # (integer powers are exact; a float to the power 0, 1, 2 or -1 is one
        # correctly rounded operation in any implementation)
        r = a ** b
        floats = any(isinstance(x, (float, np.floating)) or
                     (isinstance(x, np.ndarray) and x.dtype.kind == "f") for x in (a, b))
        small_int = isinstance(b, (int, np.integer)) and -1 <= b <= 2
        return rounding(r) if floats and not small_int else r

    mods = {"math": wrapping_module(math, ROUNDED_MATH, rounding),
            "numpy": wrapping_module(np, ROUNDED_NUMPY, rounding, {"dot": npdot}),
            "numba": numba_shim()}
    real_import = builtins.__import__

    def imp(name, globals=None, locals=None, fromlist=(), level=0):
        if name in mods:
            return mods[name]
        return real_import(name, globals, locals, fromlist, level)

    _SOURCE[0] = case.source
    tree = PowDot().visit(ast.parse(case.source))
    ast.fix_missing_locations(tree)
    ns = {"__name__": f"py_{case.name}", "__nw_pow__": pw, "__nw_dot__": npdot,
          "__builtins__": dict(builtins.__dict__, __import__=imp)}
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(tree, f"{case.name}.py", "exec"), ns)
        return call(ns[case.func], args, kwargs)


# ==========================================================================
# Making the cases
# ==========================================================================

MIN_CASES = 170
ULP_FLOOR = 4       # the least bound: one ULP per call, a few calls deep
ULP_FACTOR = 4      # margin over the measured propagation of one-ULP changes
ULP_CEILING = 512   # beyond this a case is too ill-conditioned to be useful
PROBES = [("up", 0), ("down", 0)] + [("random", s) for s in range(6)]


def seeded_args(case):
    rng = np.random.default_rng(zlib.crc32(case.name.encode()))
    args = [materialise(a, rng) for a in case.args]
    kwargs = {k: materialise(v, rng) for k, v in case.kwargs.items()}
    return args, kwargs


def ulp_bound(case, args, kwargs, base):
    """The ULP bound of a case whose results depend on rounded library calls."""
    worst = 0
    for mode, seed in PROBES:
        moved = run_python(case, args, kwargs, Rounding(mode, seed))
        parts = [(base["result"], moved["result"])]
        parts += [(m["value"], n["value"]) for m, n in zip(base["mutated"], moved["mutated"])]
        assert len(base["mutated"]) == len(moved["mutated"]), case.name
        for a, b in parts:
            d = max_ulps(a, b)
            assert d != math.inf, (f"{case.name}: a one-ULP change in a library result changes "
                                   f"an integer, a bool or a shape; choose better inputs")
            worst = max(worst, d)
    bound = max(ULP_FLOOR, ULP_FACTOR * worst)
    assert bound <= ULP_CEILING, f"{case.name}: ill-conditioned ({worst} ULP from one-ULP changes)"
    return bound


def make(case):
    args, kwargs = seeded_args(case)
    if case.oracle is not None:
        # What Numba lacks (the stencil border modes): the expected result is the
        # oracle's (scipy.ndimage), and the plain-Python model must agree with it.
        first, disp = {"result": enc_natural(case.oracle(*args, **kwargs)), "mutated": []}, None
    else:
        first, disp = run_numba(case, args, kwargs)
    if disp is not None:
        check_repeatable(case, disp, args, kwargs, first)
    out = {"name": case.name, "features": case.tags, "source": case.source, "func": case.func,
           "args": [enc_arg(a) for a in args]}
    if kwargs:
        out["kwargs"] = {k: enc_arg(v) for k, v in kwargs.items()}
    if "error" in first:
        out["error"] = error_record(case, first["error"])
        out["mutated"] = first["mutated"]
        out["compare"] = "exact"
        if case.py and case.error not in COMPILE_KINDS:
            check_python_error(case, args, kwargs)
    else:
        assert case.error is None, f"{case.name}: expected {case.error}, Numba returned {first['result']}"
        out["result"] = first["result"]
        out["mutated"] = first["mutated"]
        out["compare"] = check_python(case, args, kwargs, first)
    notes = [n for n in (case.note, case.py_note) if n]
    if notes:
        out["note"] = " ".join(notes)
    return out


def check_repeatable(case, disp, args, kwargs, first):
    """A second call, and for prange kernels a serial one, must give the same outcome."""
    again = call_numba(disp, args, kwargs)
    assert outcome_diff(first, again) is None, f"{case.name}: {outcome_diff(first, again)}"
    if "parallel=True" in case.source:
        numba.set_num_threads(1)
        serial = call_numba(disp, args, kwargs)
        numba.set_num_threads(4)
        assert outcome_diff(first, serial) is None, f"{case.name}: 1 and 4 threads differ"


def check_python(case, args, kwargs, first):
    """Compare with plain Python; returns the case's `compare` (exact or the ULP bound)."""
    if not case.py:
        assert not ROUNDED_SOURCE.search(case.source), (
            f"{case.name}: library calls without a Python run to bound them")
        return "exact"
    rounding = Rounding()
    py = run_python(case, args, kwargs, rounding)
    compare = {"ulp": ulp_bound(case, args, kwargs, py)} if rounding.sites else "exact"
    diff = outcome_diff(py, first, 0 if compare == "exact" else compare["ulp"])
    assert diff is None or case.py_note, (
        f"{case.name}: plain Python differs ({diff}) and the case has no py_note")
    assert diff is not None or not case.py_note, f"{case.name}: has a py_note but plain Python agrees"
    return compare


def check_python_error(case, args, kwargs):
    py = run_python(case, args, kwargs, Rounding())
    py_err = type(py["error"]).__name__ if "error" in py else None
    assert (py_err == case.error) != bool(case.py_note), (
        f"{case.name}: Python raised {py_err}; a py_note must say why exactly when it "
        f"differs from {case.error}")


ROUNDED_SOURCE = re.compile(r"\b(" + "|".join(sorted(ROUNDED_MATH | ROUNDED_NUMPY)) + r")\(|\*\*|\bdot\(|@ ")


def write(cases):
    head = {"generator": "tests/kernels/gen.py", "numba": numba.__version__,
            "numpy": np.__version__}
    text = json.dumps(head, allow_nan=False)[:-1] + ', "cases": [\n'
    text += ",\n".join(json.dumps(c, allow_nan=False) for c in cases)
    OUT.write_text(text + "\n]}\n")


def self_check():
    doc = json.loads(OUT.read_text())
    cases = doc["cases"]
    names = [c["name"] for c in cases]
    assert len(set(names)) == len(names), "case names are not unique"
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", n) for n in names), "names must be snake_case"
    assert len(cases) >= MIN_CASES, f"{len(cases)} cases, at least {MIN_CASES} wanted"
    used = Counter(t for c in cases for t in c["features"])
    missing = [t for t in REQUIRED_TAGS if t not in used]
    assert not missing, f"no case covers {missing}"
    for c in cases:
        assert ("result" in c) != ("error" in c), c["name"]
        assert c["compare"] == "exact" or set(c["compare"]) == {"ulp"}, c["name"]
        for v in c["args"] + [m["value"] for m in c["mutated"]] + [c.get("result", {"kind": "none"})]:
            check_value(v, c["name"])
    by_name = {c["name"]: c for c in cases}
    for name, args in EXPECT_MUTATED.items():
        assert [m["arg"] for m in by_name[name]["mutated"]] == args, f"{name}: mutated arguments"
    view = by_name["type_view_write"]["mutated"][0]["value"]
    assert view["strides"] == [10, 2] and view["offset"] == 1, "type_view_write: view geometry"
    return cases


# Cases whose mutated arguments are known, to check the detection itself.
EXPECT_MUTATED = {"logistic_regression": [2], "decorator_sig_void": [0], "type_view_write": [0],
                  "expr_slice_view_write": [0], "numpy_reshape_view_write": [0],
                  "error_index_2d_store": [0], "numpy_copy": [], "expr_attr_transpose": []}


def check_value(v, name):
    kind = v["kind"]
    if kind == "array":
        n = int(np.prod(v["shape"], dtype=np.int64))
        if "strides" in v:
            assert len(v["strides"]) == len(v["shape"]) and 0 <= v["offset"] < len(v["data"]), name
        else:
            assert len(v["data"]) == n, name
        np.dtype(v["dtype"])
    elif kind == "tuple":
        for x in v["items"]:
            check_value(x, name)
    elif kind in ("list", "scalar"):
        np.dtype(v["dtype"])
    else:
        assert kind in ("int", "float", "bool", "none"), (name, kind)


def summary(cases):
    areas = Counter(a for c in cases for a in {t.split(".")[0] for t in c["features"]})
    errors = Counter(c["error"]["kind"] for c in cases if "error" in c)
    ulps = [c["name"] for c in cases if c["compare"] != "exact"]
    noted = sum("note" in c for c in cases)
    print(f"{len(cases)} cases, {OUT.stat().st_size} bytes -> tests/kernels/cases.json "
          f"(Numba {numba.__version__}, NumPy {np.__version__})")
    print("cases per feature area:", dict(sorted(areas.items())))
    print("errors:", dict(sorted(errors.items())))
    print(f"ULP-compared: {len(ulps)}; with notes: {noted}")


def main():
    if not numba.__version__.startswith("0.68.") or not np.__version__.startswith("2."):
        sys.exit(f"Numba 0.68 and NumPy 2 required, found {numba.__version__}, {np.__version__}")
    warnings.simplefilter("ignore")
    names = [c.name for c in CASES]
    dup = [n for n, k in Counter(names).items() if k > 1]
    assert not dup, f"duplicate case names {dup}"
    only = set(sys.argv[1:])
    made, failed = [], []
    for case in CASES:
        if only and case.name not in only:
            continue
        print(f"  {case.name}", file=sys.stderr, flush=True)
        try:
            made.append(make(case))
        except AssertionError as e:
            failed.append(str(e))
    if failed:
        sys.exit("cases that do not hold:\n" + "\n".join(failed))
    if only:
        for c in made:
            shown = {k: c[k] for k in ("name", "result", "error", "mutated", "compare", "note") if k in c}
            print(json.dumps(shown, allow_nan=False)[:600])
        return
    write(made)
    summary(self_check())


if __name__ == "__main__":
    main()
