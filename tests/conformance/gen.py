#!/usr/bin/env python3
"""Generate crate/tests/data/conformance.jsonl from real NumPy 2.

Every case is an expression in numwasm's language (numexpr's, a Python subset),
a set of named inputs and the value NumPy 2 gives for the same expression.
The expression text is parsed with Python's `ast` module and evaluated here
node by node with NumPy ufuncs (never `eval`), so that:

* Python literals and scalar inputs are Python objects (NEP 50 "weak" scalars);
* an operator whose operands are all weak scalars is evaluated by Python itself
  (`a * (1/3)` keeps float32, `-2**2` is the weak -4, `x // 0` raises
  ZeroDivisionError) -- exactly what the same text does in Python with NumPy;
* every operator with an array (or a 0-d array, which is strong) operand is the
  corresponding NumPy ufunc; function calls are NumPy functions (their results
  are strong NumPy values, even on weak scalar arguments);
* chained comparisons `a < b < c` are expanded to `(a < b) & (b < c)`;
* where NumPy's result is float16, the value numwasm must produce is computed in
  float32 (numwasm has no float16): that op is re-run on float32 copies of its
  array operands; the case then records "expect_numpy_dtype": "float16".

Deterministic: all random choices come from generators seeded by crc32 of the
case id, and the output is sorted by id. Run with the pinned NumPy
(requirements.txt): python3 tests/conformance/gen.py
"""
import ast
import json
import math
import operator
import re
import sys
import warnings
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "crate" / "tests" / "data" / "conformance.jsonl"

DTYPES = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16",
          "uint32", "uint64", "float32", "float64"]
SINT = ["int8", "int16", "int32", "int64"]
UINT = ["uint8", "uint16", "uint32", "uint64"]
INTS = SINT + UINT
FLOATS = ["float32", "float64"]

# --------------------------------------------------------------------------
# value pools (edge values per dtype)
# --------------------------------------------------------------------------


def _dedupe(vals):
    seen, out = set(), []
    for v in vals:
        key = (type(v), repr(v))
        if key not in seen:
            seen.add(key)
            out.append(v)
    return out


def _fits(dt, v):
    if dt == "bool":
        return v in (0, 1)
    if dt in INTS:
        info = np.iinfo(dt)
        return isinstance(v, (int, np.integer)) and info.min <= int(v) <= info.max
    return True


def _f(dt, v):
    """Exact value of v in float dtype dt, as a Python float."""
    return float(np.dtype(dt).type(v))


INT_BASE = [0, 1, -1, 2, -2, 3, -3, 5, 7, -7, 10, -13, 42, 100, -100, 127, -128,
            128, 200, 255, 1000, -1000, 32767, -32768, 65535, 2**31 - 1, -2**31,
            2**32 - 1, 2**40 + 3, -(2**40) - 5]
FLOAT_BASE = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, 2.5, -2.5, 3.7, -3.7, 0.1,
              0.9, -0.25, 7.0, 100.25, -1000.0, 1e-3, math.nan, math.inf,
              -math.inf, 1e30, -1e30]
# values whose sums/products are exact in any order (reductions)
RED_FLOAT = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1.5, 2.25, -3.75, 7.0, 100.25,
             -8.0, 0.125, 3.0]
RED_INT = [0, 1, -1, 2, -2, 3, 5, 7, -7, 10, -13, 42, 100, -100, 127, -128,
           200, 255, 1000, -1000, 65535, 2**31 - 1, -2**31, 2**40 + 3]
SHIFT_BASE = [0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, -1]
EXP_BASE = [0, 1, 2, 3, 5, 7, 8]


def pool(dt, kind="gen"):
    if dt == "bool":
        return [False, True]
    if kind == "shift" and dt in INTS:
        return [v for v in SHIFT_BASE if _fits(dt, v)]
    if kind == "exp" and dt in INTS:
        return [v for v in EXP_BASE if _fits(dt, v)]
    if dt in INTS:
        info = np.iinfo(dt)
        base = RED_INT if kind == "red" else INT_BASE + [info.max, info.min, info.max - 1,
                                                         info.min + 1]
        return _dedupe([int(v) for v in base if _fits(dt, v)])
    base = RED_FLOAT if kind == "red" else FLOAT_BASE
    extra = []
    if kind not in ("red",):
        fi = np.finfo(dt)
        extra = [float(fi.max), float(fi.smallest_subnormal) * 3, -float(fi.tiny)]
    return _dedupe([_f(dt, v) for v in base + extra])


# --------------------------------------------------------------------------
# input specs
# --------------------------------------------------------------------------


class Arr:
    """An array input to materialise with the case's seeded rng."""

    def __init__(self, dt, shape=None, kind="gen", data=None, share=None):
        self.dt, self.shape, self.kind, self.data, self.share = dt, shape, kind, data, share

    def make(self, rng, env):
        if self.data is not None:
            a = np.array(self.data, dtype=self.dt)
            if self.shape is not None:
                a = a.reshape(self.shape)
            return a
        shape = self.shape
        if shape is None:
            shape = (env["__n__"],)
        n = int(np.prod(shape, dtype=np.int64))
        p = pool(self.dt, self.kind)
        if len(shape) == 1 and len(p) >= n:
            idx = rng.permutation(len(p))[:n]
        else:
            idx = rng.integers(0, len(p), n)
        a = np.array([p[i] for i in idx], dtype=self.dt).reshape(shape)
        if self.share is not None and self.share in env:
            src = env[self.share]
            if isinstance(src, np.ndarray) and src.ndim == 1 and a.ndim == 1 and a.size and src.size:
                v = src.flat[0].item()
                if not (isinstance(v, float) and math.isnan(v)) and _fits(self.dt, v):
                    if self.dt in INTS or self.dt == "bool" or self.dt == "float64" or (
                            abs(v) <= float(np.finfo(self.dt).max) and _f(self.dt, v) == v):
                        a.flat[0] = v
        return a


def A(dt, *shape, kind="gen", share=None):
    return Arr(dt, tuple(shape) if shape else None, kind, share=share)


def D(dt, data, shape=None):
    return Arr(dt, shape, data=data)


# --------------------------------------------------------------------------
# evaluator
# --------------------------------------------------------------------------

WEAK = (bool, int, float)


def is_weak(v):
    return type(v) in WEAK


PY_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv,
          ast.Mod: operator.mod, ast.Pow: operator.pow, ast.LShift: operator.lshift,
          ast.RShift: operator.rshift, ast.BitAnd: operator.and_,
          ast.BitXor: operator.xor, ast.BitOr: operator.or_}
NP_BIN = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply,
          ast.Div: np.true_divide, ast.FloorDiv: np.floor_divide,
          ast.Mod: np.remainder, ast.Pow: np.power, ast.LShift: np.left_shift,
          ast.RShift: np.right_shift, ast.BitAnd: np.bitwise_and,
          ast.BitXor: np.bitwise_xor, ast.BitOr: np.bitwise_or}
PY_CMP = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Eq: operator.eq,
          ast.NotEq: operator.ne, ast.GtE: operator.ge, ast.Gt: operator.gt}
NP_CMP = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Eq: np.equal,
          ast.NotEq: np.not_equal, ast.GtE: np.greater_equal, ast.Gt: np.greater}

FUNCS = {
    "copy": np.copy, "ones_like": np.ones_like, "sqrt": np.sqrt, "sin": np.sin,
    "cos": np.cos, "tan": np.tan, "arcsin": np.arcsin, "arccos": np.arccos,
    "arctan": np.arctan, "sinh": np.sinh, "cosh": np.cosh, "tanh": np.tanh,
    "arcsinh": np.arcsinh, "arccosh": np.arccosh, "arctanh": np.arctanh,
    "fmod": np.fmod, "arctan2": np.arctan2, "hypot": np.hypot,
    "nextafter": np.nextafter, "copysign": np.copysign, "maximum": np.maximum,
    "minimum": np.minimum, "log": np.log, "log1p": np.log1p, "log10": np.log10,
    "log2": np.log2, "exp": np.exp, "expm1": np.expm1, "abs": np.abs,
    "ceil": np.ceil, "floor": np.floor, "round": np.round, "trunc": np.trunc,
    "sign": np.sign, "where": np.where, "isnan": np.isnan,
    "isfinite": np.isfinite, "isinf": np.isinf, "signbit": np.signbit,
    "real": np.real, "imag": np.imag, "conj": np.conj, "clip": np.clip,
    "square": np.square, "reciprocal": np.reciprocal, "fmax": np.fmax,
    "fmin": np.fmin, "rint": np.rint,
}
REDUCTIONS = {"sum": np.sum, "prod": np.prod, "min": np.min, "max": np.max,
              "mean": np.mean, "any": np.any, "all": np.all}
UNARY_FUNCS = ["copy", "ones_like", "sqrt", "sin", "cos", "tan", "arcsin",
               "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh", "arccosh",
               "arctanh", "log", "log1p", "log10", "log2", "exp", "expm1", "abs",
               "ceil", "floor", "round", "trunc", "sign", "isnan", "isfinite",
               "isinf", "signbit", "real", "imag", "conj", "square", "reciprocal"]
BINARY_FUNCS = ["fmod", "arctan2", "hypot", "nextafter", "copysign", "maximum",
                "minimum", "fmax", "fmin"]


def _dtype_of(v):
    return getattr(v, "dtype", None)


# Probes of the random cases: when FLIP_NAN_SIGNS is set every NaN a NumPy call returns
# has its sign flipped; when NUDGE is +inf (-inf) every float a NumPy call returns moves
# one ULP away from (towards) zero.
FLIP_NAN_SIGNS = False
NUDGE = None
# Set while looking for the errors numwasm finds at compile time (`_static_error`).
STATIC_PROBE = False
# Set by the evaluator when a case leaves what the random cases can compare: a weak
# operation with a complex result, or a Python integer beyond numwasm's 128 bits.
UNSUPPORTED = False


def call_np(fn, args, kwargs, f16):
    r = _call_np(fn, args, kwargs, f16)
    if _dtype_of(r) is not None and r.dtype.kind == "f":
        if FLIP_NAN_SIGNS:
            r = np.where(np.isnan(r), np.copysign(np.nan, -np.copysign(1, r)).astype(r.dtype), r)
        if NUDGE is not None:
            # Magnitudes up or down (so that a sign change, as in copysign, does not undo
            # an earlier nudge); finite nonzero values only: zeros and infinities are
            # exact in both.
            moved = np.nextafter(r, np.copysign(np.array(NUDGE, dtype=r.dtype), r))
            r = np.where(np.isfinite(r) & (r != 0), moved, r)
    return r


def _call_np(fn, args, kwargs, f16):
    if STATIC_PROBE and fn is np.power and len(args) == 2:
        # (the compile-time probe: a negative integer exponent in an array is a run-time
        # error in numwasm and must not stop it; one from constants is a compile-time
        # error there too)
        e = args[1]
        if isinstance(e, np.ndarray) and e.ndim > 0 and e.dtype.kind == "i":
            args = [args[0], np.abs(e)]
    r = fn(*args, **kwargs)
    if f16 and _dtype_of(r) == np.float16:
        # (a Python bool is a bool operand too: copysign(True, True) is float16)
        args = [a.astype(np.float32) if isinstance(a, (np.ndarray, np.generic))
                else np.float32(a) if type(a) is bool else a for a in args]
        r = fn(*args, **kwargs)
        assert _dtype_of(r) != np.float16, fn
    return r


def ev(node, env, f16):
    if isinstance(node, ast.Constant):
        assert type(node.value) in WEAK, node.value
        return node.value
    if isinstance(node, ast.Name):
        return env[node.id]
    if isinstance(node, ast.UnaryOp):
        v = ev(node.operand, env, f16)
        if isinstance(node.op, ast.USub):
            return -v if is_weak(v) else call_np(np.negative, [v], {}, f16)
        if isinstance(node.op, ast.Invert):
            return ~v if is_weak(v) else call_np(np.invert, [v], {}, f16)
        raise AssertionError(ast.dump(node))
    if isinstance(node, ast.BinOp):
        l, r = ev(node.left, env, f16), ev(node.right, env, f16)
        if is_weak(l) and is_weak(r):
            v = PY_BIN[type(node.op)](l, r)
            global UNSUPPORTED
            if type(v) is complex or (type(v) is int and abs(v) >= 2**127):
                UNSUPPORTED = True
            return v
        return call_np(NP_BIN[type(node.op)], [l, r], {}, f16)
    if isinstance(node, ast.Compare):
        # In the order of the expansion (a < b) & (b < c): a, b, a < b, then c, b < c.
        res = None
        l = ev(node.left, env, f16)
        for op, comp in zip(node.ops, node.comparators):
            r = ev(comp, env, f16)
            if is_weak(l) and is_weak(r):
                c = PY_CMP[type(op)](l, r)
            else:
                c = call_np(NP_CMP[type(op)], [l, r], {}, f16)
            if res is None:
                res = c
            elif is_weak(res) and is_weak(c):
                res = res & c
            else:
                res = call_np(np.bitwise_and, [res, c], {}, f16)
            l = r
        return res
    if isinstance(node, ast.Attribute):
        v = ev(node.value, env, f16)
        assert node.attr in ("real", "imag")
        return getattr(v, node.attr)
    if isinstance(node, ast.Call):
        name = node.func.id
        args = [ev(a, env, f16) for a in node.args]
        kwargs = {}
        for kw in node.keywords:
            assert kw.arg == "axis" and name in REDUCTIONS
            kwargs["axis"] = ast.literal_eval(kw.value)
        if name in REDUCTIONS:
            return call_np(REDUCTIONS[name], args, kwargs, f16)
        return call_np(FUNCS[name], args, kwargs, f16)
    raise AssertionError(ast.dump(node))


def err_name(e):
    for cls in type(e).__mro__:
        if cls in (OverflowError, ZeroDivisionError, TypeError, ValueError):
            return cls.__name__
    raise e


def run(expr, env, f16):
    tree = ast.parse(expr, mode="eval")
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return np.asarray(ev(tree.body, env, f16)), None
        except Exception as e:  # noqa: BLE001 - mapped to Python's error names
            return None, err_name(e)


# --------------------------------------------------------------------------
# JSON encoding
# --------------------------------------------------------------------------


def enc_val(v):
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def enc_arr(a):
    return {"dtype": str(a.dtype), "shape": list(a.shape),
            "data": [enc_val(x) for x in a.reshape(-1).tolist()]}


def enc_input(v):
    if isinstance(v, np.ndarray):
        return enc_arr(v)
    kind = {bool: "bool", int: "int", float: "float"}[type(v)]
    return {"scalar": enc_val(v), "kind": kind}


# --------------------------------------------------------------------------
# case registry
# --------------------------------------------------------------------------

CASES = {}
_counters = Counter()


def case(cat, desc, expr, **inputs):
    base = f"{cat}/{desc}"
    cid = f"{base}/{_counters[base]}"
    _counters[base] += 1
    rng = np.random.default_rng(zlib.crc32(cid.encode()))
    env = {"__n__": int(rng.integers(4, 10))}  # default length of 1-d inputs
    for name, spec in inputs.items():
        if isinstance(spec, Arr):
            env[name] = spec.make(rng, env)
        else:
            assert type(spec) in WEAK, (cid, spec)
            env[name] = spec
    del env["__n__"]
    res, err = run(expr, env, True)
    out = {"id": cid, "expr": expr,
           "inputs": {k: enc_input(v) for k, v in env.items()}}
    if err is not None:
        out["expect"] = {"error": err}
    else:
        assert res.dtype != np.float16
        out["expect"] = enc_arr(res)
        np_res, np_err = run(expr, env, False)
        assert np_err is None, (cid, np_err)
        if np_res.dtype != res.dtype:
            assert np_res.dtype == np.float16, (cid, np_res.dtype, res.dtype)
            out["expect_numpy_dtype"] = str(np_res.dtype)
    assert cid not in CASES
    CASES[cid] = out
    return out


# --------------------------------------------------------------------------
# the cases
# --------------------------------------------------------------------------

BINOPS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "floordiv": "//",
          "mod": "%", "pow": "**", "lshift": "<<", "rshift": ">>", "and": "&",
          "xor": "^", "or": "|"}
CMPOPS = {"lt": "<", "le": "<=", "eq": "==", "ne": "!=", "ge": ">=", "gt": ">"}
ALLOPS = {**BINOPS, **CMPOPS}

MIXED = [("int8", "uint8"), ("uint8", "int8"), ("int8", "int16"), ("int16", "uint16"),
         ("int32", "uint32"), ("int64", "uint64"), ("uint64", "int64"),
         ("uint8", "uint64"), ("int8", "uint64"), ("uint32", "int64"),
         ("uint16", "int32"), ("int8", "float32"), ("int16", "float32"),
         ("int32", "float32"), ("int64", "float32"), ("uint32", "float32"),
         ("float32", "float64"), ("float64", "float32"), ("int64", "float64"),
         ("bool", "int8"), ("uint8", "bool"), ("bool", "float32"),
         ("bool", "uint64")]


def rhs_kind(op):
    return {"pow": "exp", "lshift": "shift", "rshift": "shift"}.get(op, "gen")


def share(op):
    """Copy a[0] into b[0] (equal operands) except where b is a restricted pool."""
    return None if op in ("pow", "lshift", "rshift") else "a"


def oob_int(dt):
    return {"bool": 300, "int8": 300, "uint8": 256, "int16": 40000, "uint16": 70000,
            "int32": 2**31, "uint32": 2**32, "int64": 2**63, "uint64": 2**64,
            "float32": 2**70, "float64": 2**70}[dt]


def gen_binops():
    # array-array, same dtype: every op x every dtype
    for op, sym in ALLOPS.items():
        for dt in DTYPES:
            case(op, f"{dt}-{dt}/aa", f"a {sym} b", a=A(dt), b=A(dt, kind=rhs_kind(op), share=share(op)))
    # array-array, mixed dtypes
    for op, sym in ALLOPS.items():
        for l, r in (MIXED if op in BINOPS or op in ("lt", "eq") else MIXED[::3]):
            case(op, f"{l}-{r}/aa", f"a {sym} b", a=A(l), b=A(r, kind=rhs_kind(op), share=share(op)))
    # the full promotion table on three ops
    for op in ("add", "lt", "and"):
        for l in DTYPES:
            for r in DTYPES:
                if l == r or (l, r) in MIXED:
                    continue
                case(op, f"{l}-{r}/aa", f"a {ALLOPS[op]} b", a=A(l), b=A(r, kind=rhs_kind(op), share=share(op)))
    # array-scalar
    for op, sym in ALLOPS.items():
        for dt in DTYPES:
            small = {"pow": 3, "lshift": 3, "rshift": 3}.get(op, 3)
            case(op, f"{dt}-int/as", f"a {sym} {small}", a=A(dt))
            if op not in CMPOPS or dt not in FLOATS:
                case(op, f"{dt}-int/as", f"a {sym} -{1 if op in ('pow', 'lshift', 'rshift') else 3}", a=A(dt))
            case(op, f"{dt}-int/as", f"a {sym} {oob_int(dt)}", a=A(dt))
            flit = {"pow": "0.5", "lshift": "2.0", "rshift": "1."}.get(op, "2.5")
            case(op, f"{dt}-float/as", f"a {sym} {flit}", a=A(dt))
            if op in CMPOPS:
                case(op, f"{dt}-float/as", f"a {sym} x", a=A(dt), x=float(math.nan))
                continue
            case(op, f"{dt}-bool/as", f"a {sym} x", a=A(dt), x=True)
            if op not in ("or", "xor") or dt in ("bool", "int8", "uint64", "float64"):
                case(op, f"int-{dt}/sa", f"x {sym} a", a=A(dt, kind=rhs_kind(op)), x=7)
            if op in ("add", "sub", "mul", "div", "floordiv", "mod", "pow") or dt in ("int8", "float64"):
                case(op, f"float-{dt}/sa", f"1.5 {sym} a", a=A(dt, kind=rhs_kind(op)))
    # scalar-scalar (all weak: evaluated as Python does; result is a 0-d default dtype)
    for op, sym in ALLOPS.items():
        case(op, "int-int/ss", f"x {sym} y", x=7, y=2)
        case(op, "float-int/ss", f"x {sym} y", x=-2.5, y=2)
        case(op, "bool-bool/ss", f"x {sym} y", x=True, y=False)
    # negative exponents / zero divisors / big shifts, explicitly
    for dt in INTS:
        case("pow", f"{dt}-{dt}/aa-negexp", "a ** b", a=A(dt, 4), b=D(dt, [2, 0, -1, 3] if dt in SINT else [2, 0, 1, 3]))
        case("floordiv", f"{dt}-{dt}/aa-zero", "a // b", a=A(dt, 5), b=D(dt, [0, 0, 1, 2, 0]))
        case("mod", f"{dt}-{dt}/aa-zero", "a % b", a=A(dt, 5), b=D(dt, [0, 0, 1, 2, 0]))
        bits = np.dtype(dt).itemsize * 8
        case("lshift", f"{dt}-{dt}/aa-width", "a << b", a=A(dt, 4),
             b=D(dt, [bits - 1, bits, bits + 1, 1]))
        case("rshift", f"{dt}-{dt}/aa-width", "a >> b", a=D(dt, [1, 2, np.iinfo(dt).max, np.iinfo(dt).min]),
             b=D(dt, [bits - 1, bits, bits + 1, 1]))
    for dt in SINT:
        info = np.iinfo(dt)
        case("floordiv", f"{dt}-{dt}/aa-minover", "a // b", a=D(dt, [info.min, info.min, -7, 7]), b=D(dt, [-1, 1, 2, -2]))
        case("mod", f"{dt}-{dt}/aa-minover", "a % b", a=D(dt, [info.min, info.min, -7, 7]), b=D(dt, [-1, 1, 2, -2]))
    for dt in FLOATS:
        z = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0]
        case("div", f"{dt}-{dt}/aa-special", "a / b", a=D(dt, [1.0, 1.0, -0.0, 0.0, 5.0, 2.0, -1.0]), b=D(dt, z + [-0.0]))
        case("floordiv", f"{dt}-{dt}/aa-special", "a // b", a=D(dt, [1.0, -1.0, -7.5, 7.5, 0.0, math.inf, -1.0]), b=D(dt, z + [-0.0]))
        case("mod", f"{dt}-{dt}/aa-special", "a % b", a=D(dt, [1.0, -1.0, -7.5, 7.5, 0.0, math.inf, 3.0]), b=D(dt, z + [math.inf]))
        case("mod", f"{dt}-{dt}/aa-sign", "a % b", a=D(dt, [5.5, -5.5, 5.5, -5.5, -0.0, 0.0]), b=D(dt, [2.0, 2.0, -2.0, -2.0, 3.0, -3.0]))
        case("pow", f"{dt}-{dt}/aa-special", "a ** b",
             a=D(dt, [0.0, -0.0, -1.0, -2.0, math.nan, 1.0, math.inf, 2.0]),
             b=D(dt, [-1.0, -1.0, math.inf, 0.5, 0.0, math.nan, -2.0, -1074.0]))


def gen_unary():
    for dt in DTYPES:
        case("neg", f"{dt}/a", "-a", a=A(dt))
        case("invert", f"{dt}/a", "~a", a=A(dt))
    case("neg", "int/s", "-x", x=5)
    case("neg", "float/s", "-x", x=2.5)
    case("invert", "int/s", "~x", x=5)


def gen_funcs():
    for fn in UNARY_FUNCS:
        for dt in DTYPES:
            case(fn, f"{dt}/a", f"{fn}(a)", a=A(dt))
        case(fn, "int/s", f"{fn}(x)", x=3)
        case(fn, "float/s", f"{fn}(x)", x=-2.5)
        case(fn, "int8/0d", f"{fn}(a)", a=D("int8", 5, ()))
    for dt in FLOATS:
        case("round", f"{dt}/a-halfeven", "round(a)", a=D(dt, [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5, 0.49999997, -0.0, math.nan]))
        for fn in ("ceil", "floor", "trunc", "sign", "abs", "signbit", "sqrt", "log", "reciprocal"):
            case(fn, f"{dt}/a-special", f"{fn}(a)", a=D(dt, [-0.0, 0.0, math.nan, math.inf, -math.inf, -1.5, 0.5, 1.0]))
    for dt in DTYPES:
        case("attr_real", f"{dt}/a", "a.real", a=A(dt))
        case("attr_imag", f"{dt}/a", "a.imag", a=A(dt))
        case("attr_real", f"{dt}/a", "(a + a).real * 2", a=A(dt))
    for dt in INTS:
        info = np.iinfo(dt)
        case("abs", f"{dt}/a-min", "abs(a)", a=D(dt, [info.min, info.max, 0, 1]))
        case("neg", f"{dt}/a-min", "-a", a=D(dt, [info.min, info.max, 0, 1]))
        case("reciprocal", f"{dt}/a-zero", "reciprocal(a)", a=D(dt, [0, 1, 2, info.max]))
    for fn in BINARY_FUNCS:
        for dt in DTYPES:
            case(fn, f"{dt}-{dt}/aa", f"{fn}(a, b)", a=A(dt), b=A(dt, share="a"))
            case(fn, f"{dt}-int/as", f"{fn}(a, 3)", a=A(dt))
            case(fn, f"{dt}-float/as", f"{fn}(a, -2.5)", a=A(dt))
            if dt in ("bool", "int8", "uint16", "int64", "uint64", "float32"):
                case(fn, f"float-{dt}/sa", f"{fn}(x, a)", a=A(dt), x=1.5)
        for l, r in MIXED[::4]:
            case(fn, f"{l}-{r}/aa", f"{fn}(a, b)", a=A(l), b=A(r, share="a"))
        for dt in ("int8", "uint64"):
            case(fn, f"{dt}-int/as-oob", f"{fn}(a, {oob_int(dt)})", a=A(dt))
            case(fn, f"{dt}-int/as-neg", f"{fn}(a, -1)", a=A(dt))
        case(fn, "int-int/ss", f"{fn}(x, y)", x=7, y=-2)
        case(fn, "float-float/ss", f"{fn}(2.5, y)", y=-0.0)
    for dt in FLOATS:
        nan, inf = math.nan, math.inf
        x = [nan, 1.0, nan, -0.0, 0.0, inf, -inf]
        y = [1.0, nan, nan, 0.0, -0.0, nan, 2.0]
        for fn in ("maximum", "minimum", "fmax", "fmin", "fmod", "copysign", "nextafter", "hypot", "arctan2"):
            case(fn, f"{dt}-{dt}/aa-special", f"{fn}(a, b)", a=D(dt, x), b=D(dt, y))
    # where
    conds = ["bool", "int8", "float64", "uint64"]
    pairs = [("int8", "int8"), ("int8", "uint8"), ("int32", "float32"),
             ("float32", "float64"), ("uint64", "int64"), ("bool", "bool"),
             ("int16", "uint16"), ("bool", "float32"), ("float32", "float32")]
    for c in conds:
        for l, r in pairs:
            case("where", f"{c}-{l}-{r}/aaa", "where(c, a, b)", c=A(c), a=A(l), b=A(r))
    for dt in DTYPES:
        case("where", f"bool-{dt}-int/aas", "where(c, a, 1)", c=A("bool"), a=A(dt))
        case("where", f"bool-float-{dt}/asa", "where(c, 1.5, a)", c=A("bool"), a=A(dt))
        case("where", f"{dt}-int-int/ass", "where(a, x, -2)", a=A(dt), x=7)
        case("where", f"cmp-{dt}-{dt}/aa", "where(a > b, a, b)", a=A(dt), b=A(dt))
    case("where", "bool-float-float/ass", "where(c, 1.5, 2)", c=A("bool"))
    case("where", "bool-int-int/sss", "where(x, 1, 2)", x=True)
    case("where", "bcast/aaa", "where(c, a, b)", c=A("bool", 3, 1), a=A("float64", 4), b=A("int32", 2, 1, 1))
    case("where", "bcast-err/aaa", "where(c, a, b)", c=A("bool", 3), a=A("float64", 4), b=A("int32", 3))
    # clip
    for dt in DTYPES:
        case("clip", f"{dt}-int-int/ass", "clip(a, 0, 10)", a=A(dt))
        case("clip", f"{dt}-int-int/ass", "clip(a, -3, 100)", a=A(dt))
        case("clip", f"{dt}-float-float/ass", "clip(a, -1.5, 2.5)", a=A(dt))
        case("clip", f"{dt}-{dt}-{dt}/aaa", "clip(a, b, c)", a=A(dt), b=A(dt, 1), c=A(dt, 1))
    for dt in ("int8", "uint8", "int32", "uint64"):
        case("clip", f"{dt}-int-int/ass-oob", f"clip(a, 0, {oob_int(dt)})", a=A(dt))
    case("clip", "float64-nan/ass", "clip(a, 0.0, 1.0)", a=D("float64", [math.nan, -1.0, 2.0, 0.5, -0.0]))
    case("clip", "int8-int16-float32/aaa", "clip(a, b, c)", a=A("int8"), b=A("int16", 1), c=A("float32", 1))


def gen_reductions():
    for r in REDUCTIONS:
        for dt in DTYPES:
            k = "red"
            case(r, f"{dt}/1d-none", f"{r}(a)", a=A(dt, kind=k))
            case(r, f"{dt}/2d-axis0", f"{r}(a, axis=0)", a=A(dt, 3, 4, kind=k))
            case(r, f"{dt}/2d-axisneg1", f"{r}(a, axis=-1)", a=A(dt, 3, 4, kind=k))
            case(r, f"{dt}/3d-axis1", f"{r}(a, axis=1)", a=A(dt, 2, 3, 2, kind=k))
            if dt in ("bool", "int8", "uint64", "float32"):
                case(r, f"{dt}/2d-axisnone", f"{r}(a, axis=None)", a=A(dt, 2, 3, kind=k))
        case(r, "int64/2d-axis2-err", f"{r}(a, axis=2)", a=A("int64", 2, 3, kind="red"))
        case(r, "float64/1d-axisneg2-err", f"{r}(a, axis=-2)", a=A("float64", kind="red"))
        case(r, "int/s", f"{r}(x)", x=3)
        case(r, "float/s", f"{r}(x)", x=2.5)
        case(r, "int8/0d", f"{r}(a)", a=D("int8", -5, ()))
        case(r, "float64/1d-empty", f"{r}(a)", a=D("float64", []))
        case(r, "float64/2d-empty-axis0", f"{r}(a, axis=0)", a=D("float64", [], (0, 3)))
        case(r, "float64/1d-nan", f"{r}(a)", a=D("float64", [1.0, math.nan, 2.0]))
        case(r, "float64/1d-inf", f"{r}(a)", a=D("float64", [math.inf, -math.inf, 2.0]))
        case(r, "float32/2d-nan-axis1", f"{r}(a, axis=1)", a=D("float32", [1.0, math.nan, 2.0, 0.0, -0.0, 3.0], (2, 3)))
    for dt in INTS:
        info = np.iinfo(dt)
        case("sum", f"{dt}/1d-wrap", "sum(a)", a=D(dt, [info.max, info.max, 1, info.max]))
        case("prod", f"{dt}/1d-wrap", "prod(a)", a=D(dt, [info.max, info.max, 3, info.max]))
        case("mean", f"{dt}/1d-big", "mean(a)", a=D(dt, [info.max, info.max - 1, 0]))
    # nested / anywhere in an expression
    nest = [
        ("x - mean(x)", dict(x=A("float64", kind="red"))),
        ("x - mean(x)", dict(x=A("float32", kind="red"))),
        ("x - mean(x)", dict(x=A("int16", kind="red"))),
        ("sum(a*b) / sum(b)", dict(a=A("float64", kind="red"), b=A("float64", kind="red"))),
        ("sum(a*b) / sum(b)", dict(a=A("int32", kind="red"), b=A("int32", kind="red"))),
        ("sum(a*b) / sum(b)", dict(a=A("float32", kind="red"), b=A("float32", kind="red"))),
        ("a - max(a, axis=1)", dict(a=A("float64", 3, 3, kind="red"))),
        ("a - max(a, axis=1)", dict(a=A("float64", 2, 3, kind="red"))),
        ("a - max(a, axis=0)", dict(a=A("int8", 2, 3, kind="red"))),
        ("a - min(a, axis=-1)", dict(a=A("int32", 4, 4, kind="red"))),
        ("max(a) - min(a)", dict(a=A("uint8", kind="red"))),
        ("max(a) - min(a)", dict(a=A("uint8", 3, 2, kind="red"))),
        ("any(a > 0)", dict(a=A("float64", kind="red"))),
        ("all(isfinite(a))", dict(a=A("float64", kind="gen"))),
        ("sum(where(a > 0, a, 0))", dict(a=A("int16", kind="red"))),
        ("sum(sum(a, axis=1))", dict(a=A("int8", 3, 4, kind="red"))),
        ("sum(sum(a, axis=1), axis=0)", dict(a=A("float32", 3, 4, kind="red"))),
        ("prod(a, axis=-1) + 1", dict(a=A("int32", 2, 3, kind="red"))),
        ("sum(a**2)", dict(a=A("float64", kind="red"))),
        ("sum(a**2)", dict(a=A("int8", kind="red"))),
        ("mean(a, axis=0) * 2", dict(a=A("uint16", 3, 4, kind="red"))),
        ("sum(a, axis=0) + b", dict(a=A("int16", 3, 4, kind="red"), b=A("int8", 4, kind="red"))),
        ("sum(a, axis=0) + b", dict(a=A("int16", 3, 4, kind="red"), b=A("int8", 3, kind="red"))),
        ("a / sum(a)", dict(a=A("float32", kind="red"))),
        ("a * 2 + sum(a, axis=-1)", dict(a=A("uint8", 2, 2, kind="red"))),
        ("sqrt(sum(a*a))", dict(a=A("float64", kind="red"))),
        ("sqrt(sum(a*a))", dict(a=A("int8", kind="red"))),
        ("mean(a) + 300", dict(a=A("int8", kind="red"))),
        ("max(a) + 300", dict(a=A("int8", kind="red"))),
        ("sum(a) + 300", dict(a=A("int8", kind="red"))),
        ("min(a, axis=1) < mean(a)", dict(a=A("float64", 3, 2, kind="red"))),
        ("all(a == a)", dict(a=A("float64", kind="gen"))),
        ("any(a, axis=0) | all(a, axis=0)", dict(a=A("bool", 3, 4))),
        ("sum(a > 1)", dict(a=A("float32", kind="red"))),
        ("sum(a, axis=1) - mean(a, axis=1)", dict(a=A("int64", 2, 5, kind="red"))),
        ("prod(a + 1)", dict(a=A("uint8", kind="red"))),
    ]
    for expr, ins in nest:
        dts = "-".join(sorted({s.dt for s in ins.values()}))
        case("reduce_nested", dts, expr, **ins)


def gen_broadcast():
    shapes = [
        ((3, 1), (4,)), ((4,), (3, 1)), ((2, 3, 4), (3, 1)), ((2, 1, 4), (3, 1)),
        ((1,), (5,)), ((4, 1, 1), (1, 3, 2)), ((1, 1), (2, 3)), ((2, 3), ()),
        ((), (4,)), ((0,), (0,)), ((0,), (1,)), ((2, 0), (2, 1)),
        ((3,), (4,)), ((2, 3), (3, 2)), ((2, 3), (2,)), ((0,), (2,)),
        ((2, 3, 4), (2, 4)),
    ]
    for dta, dtb in (("float64", "float64"), ("int8", "int16"), ("uint8", "float32"), ("int32", "uint32")):
        for sa, sb in shapes:
            tag = "x".join(map(str, sa)) or "0d"
            tagb = "x".join(map(str, sb)) or "0d"
            case("broadcast", f"{dta}-{dtb}/{tag}-{tagb}", "a + b", a=Arr(dta, sa), b=Arr(dtb, sb))
    for sa, sb, sc in (((3, 1), (1, 4), (4,)), ((2, 1, 3), (4, 1), (3,)), ((3,), (4,), (3,))):
        case("broadcast", "float64-int8-uint8/3way", "a * b - c", a=A("float64", *sa), b=A("int8", *sb), c=A("uint8", *sc))
        case("broadcast", "int16/3way-cmp", "a < b < c", a=A("int16", *sa), b=A("int16", *sb), c=A("int16", *sc))
    case("broadcast", "float64/2d-scalar", "a * x + 1", a=A("float64", 2, 3), x=2.0)
    case("broadcast", "int8/3d-scalar", "a * x + 1", a=A("int8", 2, 2, 2), x=3)


def gen_zerod():
    # 0-d arrays are strong: their dtype takes part in promotion
    cases = [
        ("a + b", "int64", "int8"), ("a + b", "int8", "int16"), ("a + b", "float32", "int64"),
        ("a + b", "int8", "int8"), ("a * b", "uint8", "int8"), ("a + b", "float64", "float32"),
        ("a - b", "uint64", "int64"), ("a < b", "int8", "uint8"), ("a / b", "int16", "int16"),
        ("a << b", "int8", "int64"),
    ]
    for expr, da, db in cases:
        case("zerod", f"{da}-{db}/0d-a", expr, a=A(da, kind="red") if False else D(da, 3, ()), b=A(db))
        case("zerod", f"{da}-{db}/0d-0d", expr, a=D(da, 3, ()), b=D(db, 2, ()))
    for dt in ("int8", "uint8", "float32", "int64", "bool"):
        case("zerod", f"{dt}-int/0d-s", "a + 300", a=D(dt, 1, ()))
        case("zerod", f"{dt}-int/0d-s", "a * 2", a=D(dt, 1, ()))
        case("zerod", f"{dt}-float/0d-s", "a + 0.5", a=D(dt, 1, ()))
        case("zerod", f"{dt}/0d", "sqrt(a)", a=D(dt, 1, ()))
    case("zerod", "int8/0d-axis", "sum(a, axis=0)", a=D("int8", 1, ()))
    case("zerod", "int8-int8/0d-1", "a + b", a=D("int8", 100, ()), b=D("int8", [100], (1,)))


def gen_rint():
    # np.rint of an integer is a float (float16 up to 8 bits, float32 for 16, float64
    # wider); np.round keeps integers (its cases are among the unary functions). Not in
    # UNARY_FUNCS, which would change every random case.
    for dt in DTYPES:
        case("rint", f"{dt}/a", "rint(a)", a=A(dt))
    case("rint", "int/s", "rint(x)", x=3)
    case("rint", "float/s", "rint(x)", x=-2.5)
    case("rint", "bool/s", "rint(x)", x=True)
    case("rint", "int8/0d", "rint(a)", a=D("int8", 5, ()))
    case("rint", "int64/a-big", "rint(a)", a=D("int64", [2**53 + 1, -(2**63), 2**63 - 1, 7]))
    case("rint", "uint64/a-big", "rint(a)", a=D("uint64", [2**64 - 1, 2**53 + 1, 0]))
    for dt in FLOATS:
        case("rint", f"{dt}/a-halfeven", "rint(a)", a=D(dt, [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, -0.0, math.nan]))
    for dt in ("int8", "uint16", "int32", "uint64"):
        case("rint", f"{dt}-int/as", "rint(a) + 1", a=A(dt))
        case("round", f"{dt}-int/as", "round(a) + 1", a=A(dt))


def gen_signed_zeros():
    # The sign of a zero result, where NumPy's does not depend on the loop it picks (the
    # ids start with "zerosign/", so the signs are compared). Of equal operands maximum and
    # minimum give the second in every loop. fmax and fmin give the first (their documented
    # where(x1 >= x2, x1, x2)) in the float64 loops for 0-d operands and Python floats, but
    # in NumPy's float32 loops with a 0-d operand, and in its SIMD loops over long arrays,
    # the second for some elements; only the float64 cases are an oracle for them.
    for dt in FLOATS:
        for fn in ("fmax", "fmin", "maximum", "minimum"):
            if fn.startswith("f") and dt != "float64":
                continue
            for x, y in ((-0.0, 0.0), (0.0, -0.0)):
                case("zerosign", f"{fn}/{dt}-{dt}/0d-0d", f"{fn}(a, b)", a=D(dt, x, ()), b=D(dt, y, ()))
                case("zerosign", f"{fn}/{dt}-float/0d-s", f"{fn}(a, {y})", a=D(dt, x, ()))
                case("zerosign", f"{fn}/float-{dt}/s-0d", f"{fn}({x}, a)", a=D(dt, y, ()))
    for fn in ("fmax", "fmin", "maximum", "minimum"):
        for x, y in ((-0.0, 0.0), (0.0, -0.0)):
            case("zerosign", f"{fn}/float-float/ss", f"{fn}({x}, {y})")
    # A sum adds to 0, so -0.0 sums to 0.0, folded or not; a product, min and max keep it.
    for red in ("sum", "mean", "prod", "min", "max"):
        case("zerosign", f"{red}/float/s", f"{red}(-0.0)")
        case("zerosign", f"{red}/float/s", f"{red}(x)", x=-0.0)
        for dt in FLOATS:
            case("zerosign", f"{red}/{dt}/0d", f"{red}(a)", a=D(dt, -0.0, ()))
            case("zerosign", f"{red}/{dt}/a", f"{red}(a)", a=D(dt, [-0.0, -0.0, -0.0]))
    for dt in FLOATS:
        m = D(dt, [-0.0] * 6, (2, 3))
        for axis in (0, 1):
            case("zerosign", f"sum/{dt}/a-axis", f"sum(a, axis={axis})", a=m)
            case("zerosign", f"mean/{dt}/a-axis", f"mean(a, axis={axis})", a=m)
        case("zerosign", f"sum/{dt}/0d-axis", "sum(a, axis=0)", a=D(dt, -0.0, ()))


def gen_syntax():
    # precedence, associativity, literal forms (numbers are weak)
    exprs = [
        "-2**2 + a", "a * -2**2", "2**3**2 + a", "a ** 2 ** 2", "-a**2", "(-a)**2",
        "a + b * c", "(a + b) * c", "a - b - c", "a - (b - c)", "a / b / c", "a // 2 * 3",
        "a % 3 + 1", "a << 1 + 1", "(a << 1) + 1", "a & 3 | 4", "a | 3 & 5", "a ^ 1 & 3",
        "a & 1 == 1", "~a & 1", "-a % 5", "2 * -a", "- -a", "a - -1", "1 - a",
        "a * 1.", "a * .5", "a * 4.0e-9", "a + 1e3", "a + 2.5E-1", "a + True", "a * False",
        "a + 0", "(a)", "((a + b))", "a * b + c * a", "a + b - c * a / b",
        "a >> 1 << 1", "a | b ^ c & a", "~(a | b)", "a == b == c",
    ]
    for dt in ("int8", "int64", "float32", "float64"):
        for e in exprs:
            case("syntax", f"{dt}/expr", e, a=A(dt), b=A(dt), c=A(dt, kind="shift"))
    case("syntax", "uint64/biglit", "a + 18446744073709551615", a=A("uint64"))
    case("syntax", "uint64/biglit", "a - 18446744073709551615", a=A("uint64"))
    case("syntax", "int64/biglit", "a + 9223372036854775807", a=A("int64"))
    case("syntax", "int64/biglit", "a + 9223372036854775808", a=A("int64"))
    case("syntax", "int64/biglit", "a + -9223372036854775808", a=A("int64"))
    case("syntax", "uint64/neglit", "a + -1", a=A("uint64"))
    case("syntax", "uint64/neglit", "a < -1", a=A("uint64"))
    case("syntax", "uint64/neglit", "a == -1", a=A("uint64"))
    case("syntax", "float32/biglit", "a + 1e300", a=A("float32"))
    case("syntax", "float32/biglit", "a * 1e-50", a=A("float32"))
    case("syntax", "float32/lit", "a + 0.1", a=A("float32"))
    case("syntax", "int8/lit", "a + 128", a=A("int8"))
    case("syntax", "int8/lit", "a + -128", a=A("int8"))
    case("syntax", "int8/lit", "a + 127.0", a=A("int8"))
    case("syntax", "bool/lit", "a + 1", a=A("bool"))
    case("syntax", "bool/lit", "a + 1.5", a=A("bool"))
    case("syntax", "bool/lit", "a & True", a=A("bool"))
    case("syntax", "bool/lit", "a + True", a=A("bool"))
    case("syntax", "bool/lit", "a * 2", a=A("bool"))
    # operators among weak scalars only fold with Python's semantics
    fold = [
        ("a * (1/3)", "float32"), ("a * (2 ** -1)", "float32"), ("a + (7 // 2)", "int8"),
        ("a + 2*3", "int8"), ("a + 100*3", "int8"), ("a + (1 // 0)", "int8"),
        ("a * (1 % 0)", "float64"), ("a + (2.0 / 0)", "float64"), ("a + (x / y)", "int16"),
        ("a + (x < y)", "int8"), ("a * (x - y)", "uint8"), ("a + (-x)", "uint8"),
        ("a + (x * 1.5)", "int32"), ("a + (3 & 5 | 8)", "int8"), ("a + (1 << 7)", "int8"),
        ("a + (1 << 6)", "int8"), ("a * (0.5 + True)", "float32"), ("sqrt(x) + a", "float32"),
        ("abs(-3) + a", "int8"), ("a + -(2**2)", "int16"),
    ]
    for e, dt in fold:
        case("scalarfold", f"{dt}/expr", e, a=A(dt), x=7, y=2)
    for e in ("x + y", "x / y", "x // y", "x % y", "x ** y", "x < y", "x - y * 2.5", "-x ** 2"):
        case("scalarfold", "int-int/ss", e, x=7, y=2)
        case("scalarfold", "float-int/ss", e, x=-7.5, y=2)
    case("scalarfold", "int-int/ss", "x // y", x=7, y=0)
    case("scalarfold", "int-int/ss", "x / y", x=0, y=0)
    case("scalarfold", "float-float/ss", "x / y", x=1.0, y=0.0)


def gen_chained():
    combos = [("int8", "int8", "int8"), ("float64", "float64", "float64"),
              ("int16", "float32", "uint8"), ("uint64", "int64", "float64"),
              ("bool", "int8", "bool")]
    exprs = ["a < b < c", "a <= b == c", "a > b >= c", "a < b > c", "a != b != c",
             "a < b < c < a"]
    for dts in combos:
        for e in exprs:
            case("chained", "-".join(dts), e, a=A(dts[0]), b=A(dts[1], share="a"), c=A(dts[2]))
    for dt in ("int8", "uint8", "float32", "int64"):
        case("chained", f"{dt}/lit", "0 < a < 10", a=A(dt))
        case("chained", f"{dt}/lit", "-1 <= a <= 300", a=A(dt))
        case("chained", f"{dt}/lit", "a < 300 < b", a=A(dt), b=A(dt))
        case("chained", f"{dt}/lit", "1 < a <= 5 < b", a=A(dt), b=A(dt))
        case("chained", f"{dt}/lit", "(0 < a) < 1", a=A(dt))
    case("chained", "int/ss", "x < y < 3", x=1, y=2)


# --------------------------------------------------------------------------
# random expressions (a differential fuzz against NumPy)
# --------------------------------------------------------------------------

RANDOM_CASES = 800
RANDOM_DTYPES = DTYPES + ["float64", "float64", "float32", "int64", "int32"]
RANDOM_LITERALS = ["2", "3", "7", "-1", "0.5", "1.5", "2.0", "True", "100"]
RANDOM_BINOPS = ["+", "-", "*", "/", "//", "%", "**", "<", "<=", "==", "!=", ">",
                 ">=", "&", "|", "^", "<<", ">>"]


def random_expr(rng, depth, axes=False):
    """A random expression of numwasm's language over inputs a, b, c and scalar x (with
    `axes`, reductions may name an axis)."""
    r = rng.random()
    if depth == 0 or r < 0.15:
        if rng.random() < 0.75:
            return str(rng.choice(["a", "b", "c", "x"]))
        return str(rng.choice(RANDOM_LITERALS))
    sub = lambda: random_expr(rng, depth - 1, axes)  # noqa: E731
    k = int(rng.integers(0, 20))
    if k < 8:
        return f"({sub()} {rng.choice(RANDOM_BINOPS)} {sub()})"
    if k < 12:
        return f"{rng.choice(UNARY_FUNCS)}({sub()})"
    if k < 14:
        return f"{rng.choice(BINARY_FUNCS)}({sub()}, {sub()})"
    if k == 14:
        return f"where({sub()} > {sub()}, {sub()}, {sub()})"
    if k == 15:
        return f"clip({sub()}, {sub()}, {sub()})"
    if k == 16:
        red = rng.choice(['sum', 'prod', 'min', 'max', 'mean', 'any', 'all'])
        if axes and rng.random() < 0.6:
            return f"{red}({sub()}, axis={rng.choice([0, 1, -1])})"
        return f"{red}({sub()})"
    if k == 17:
        return f"-{sub()}"
    if k == 18:
        return f"~{sub()}"
    return f"({sub()} {rng.choice(['<', '<=', '!='])} {sub()} {rng.choice(['<', '>='])} {sub()})"


def _nudge(env, direction):
    """The inputs with every float element moved one ULP (the conditioning probe)."""
    out = {}
    for k, v in env.items():
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            out[k] = np.nextafter(v, np.array(direction, dtype=v.dtype))
        elif type(v) is float and math.isfinite(v) and v != 0.0:
            out[k] = math.nextafter(v, direction)
        else:
            out[k] = v
    return out


def _well_conditioned(res, env, expr):
    """False when moving the float inputs by one ULP moves a float result by more than a
    few ULP (or changes a non-float result): there a last-bit difference in an
    intermediate, which NumPy's own SIMD kernels have between CPUs, decides the outcome,
    so NumPy's value is no oracle for it."""
    for direction in (math.inf, -math.inf):
        alt, err = run(expr, _nudge(env, direction), True)
        if err is not None or alt.dtype != res.dtype or alt.shape != res.shape:
            return False
        x, y = res.reshape(-1), alt.reshape(-1)
        if res.dtype.kind != "f":
            if not np.array_equal(x, y):
                return False
            continue
        same = (x == y) | (np.isnan(x) & np.isnan(y))
        if same.all():
            continue
        if not (np.isfinite(x) == np.isfinite(y)).all() or (np.isnan(x) != np.isnan(y)).any():
            return False
        fin = np.isfinite(x) & np.isfinite(y)
        spacing = np.abs(np.spacing(np.maximum(np.abs(x[fin]), np.abs(y[fin]))))
        tiny = float(np.finfo(res.dtype).tiny)
        if (np.abs(x[fin] - y[fin]) > 4 * np.maximum(spacing, tiny)).any():
            return False
    return True


def _run_probing(flag, value, expr, env):
    """run() with the module-level probe `flag` (NUDGE, FLIP_NAN_SIGNS, STATIC_PROBE) set
    to `value` for the call."""
    old = globals()[flag]
    globals()[flag] = value
    try:
        return run(expr, env, True)
    finally:
        globals()[flag] = old


def _intermediates_conditioned(res, expr, env):
    """False when moving the float result of every NumPy call one ULP moves the final
    result by more than a few ULP (or changes a non-float one): numwasm's transcendentals
    and NumPy's are each within an ULP of the true value, not equal, and such a case would
    compare that ULP amplified."""
    for direction in (math.inf, -math.inf):
        alt, err = _run_probing("NUDGE", direction, expr, env)
        if err is not None or not _close(res, alt):
            return False
    return True


def _close(res, alt):
    """Equal dtypes and shapes, non-floats equal, floats within 4 ULP (NaN with NaN)."""
    if alt.dtype != res.dtype or alt.shape != res.shape:
        return False
    x, y = res.reshape(-1), alt.reshape(-1)
    if res.dtype.kind != "f":
        return bool(np.array_equal(x, y))
    if (np.isnan(x) != np.isnan(y)).any() or (np.isfinite(x) != np.isfinite(y)).any():
        return False
    fin = np.isfinite(x)
    inf_same = (x[~fin & ~np.isnan(x)] == y[~fin & ~np.isnan(y)]).all()
    spacing = np.abs(np.spacing(np.maximum(np.abs(x[fin]), np.abs(y[fin]))))
    tiny = float(np.finfo(res.dtype).tiny)
    return bool(inf_same and (np.abs(x[fin] - y[fin]) <= 4 * np.maximum(spacing, tiny)).all())


def _nan_sign_free(res, env, expr):
    """False when the result changes once every NaN produced along the way has the other
    sign. NumPy's NaN signs differ between its kernels (float32 log(-nan) is +nan, float64
    log(-nan) is -nan) and between CPUs (invalid operations give -nan on x86-64, +nan on
    arm64), so where signbit/copysign/sign expose them NumPy's value is no oracle."""
    alt, err = _run_probing("FLIP_NAN_SIGNS", True, expr, env)
    if err is not None or alt.dtype != res.dtype or alt.shape != res.shape:
        return False
    x, y = res.reshape(-1), alt.reshape(-1)
    if res.dtype.kind == "f":
        return bool(((x == y) | (np.isnan(x) & np.isnan(y))).all())
    return bool(np.array_equal(x, y))


def _static_error(expr, env):
    """The error numwasm reports before running: with every integer input replaced by
    ones and integer array exponents by their absolute values (no negative powers, no
    division by zero) a TypeError or OverflowError still raised is a type error or an
    out-of-range Python integer, which numwasm finds at compile time, before any value
    error NumPy meets first in its left-to-right evaluation."""
    ones = {k: (np.ones_like(v) if isinstance(v, np.ndarray) and v.dtype.kind in "iu" else v)
            for k, v in env.items()}
    _, err = _run_probing("STATIC_PROBE", True, expr, ones)
    return err if err in ("TypeError", "OverflowError") else None


# The shapes of a, b, c in the random cases with broadcasting ("randshape"): a matrix,
# a row, a column and a 0-d array, drawn per input.
RANDOM_SHAPE_CASES = 300
RANDOM_SHAPES = [(3, 5), (5,), (3, 1), (1, 5), ()]


def gen_random(cat="random", count=None, shapes=False):
    made, tried = 0, 0
    while made < (RANDOM_CASES if count is None else count):
        cid = f"{cat}/{tried:05d}/0"
        tried += 1
        rng = np.random.default_rng(zlib.crc32(cid.encode()))
        expr = random_expr(rng, int(rng.integers(1, 4)), axes=shapes)
        names = [n for n in ("a", "b", "c", "x") if re.search(rf"\b{n}\b", expr)]
        if not any(n in names for n in ("a", "b", "c")):
            continue
        env = {"__n__": int(rng.integers(4, 10))}
        for n in names:
            if n == "x":
                env[n] = [3, -2, 0.75, -1.5, True, 0][int(rng.integers(0, 6))]
            elif shapes:
                shape = RANDOM_SHAPES[int(rng.integers(0, len(RANDOM_SHAPES)))]
                env[n] = Arr(str(rng.choice(RANDOM_DTYPES)), shape or (1,)).make(rng, env)
                env[n] = env[n].reshape(shape)
            else:
                env[n] = Arr(str(rng.choice(RANDOM_DTYPES))).make(rng, env)
        del env["__n__"]
        global UNSUPPORTED
        UNSUPPORTED = False
        res, err = run(expr, env, True)
        if UNSUPPORTED:
            continue
        if err is None and not (_well_conditioned(res, env, expr)
                                and _intermediates_conditioned(res, expr, env)
                                and _nan_sign_free(res, env, expr)):
            continue
        if err is not None and err not in ("TypeError", "OverflowError"):
            err = _static_error(expr, env) or err
        out = {"id": cid, "expr": expr, "inputs": {k: enc_input(v) for k, v in env.items()}}
        if err is not None:
            out["expect"] = {"error": err}
        else:
            out["expect"] = enc_arr(res)
            np_res, _ = run(expr, env, False)
            if np_res is not None and np_res.dtype != res.dtype:
                out["expect_numpy_dtype"] = str(np_res.dtype)
        CASES[cid] = out
        made += 1


def gen_powconst():
    # constant exponents: the ones NumPy computes by other means (0, 1, 2, 0.5, -1) and
    # the rest, which must stay pow (special values, and no drift from chained products)
    special = {"float64": [-math.inf, math.inf, -0.0, 0.0, math.nan, -2.0, 0.5, 3.7, 1e103,
                           2e-103, -1e103],
               "float32": [-math.inf, math.inf, -0.0, 0.0, math.nan, -2.0, 0.5, 3.7, 1e13,
                           2e-13, -1e13]}
    near_one = [1.0123456789, 0.9712345678, 1.3, 0.7, -1.1, 1.4142135623730951, 1.0001,
                0.99987654321, -0.96]
    for dt in FLOATS:
        for e in ("0", "1", "2", "0.5", "-1", "3", "4", "5", "-2", "-3", "1.5", "2.5",
                  "-1.5", "-0.5", "16", "32", "50", "-7"):
            case("powconst", f"{dt}/special", f"a ** {e}", a=D(dt, special[dt]))
            case("powconst", f"{dt}/near1", f"a ** {e}", a=D(dt, [_f(dt, v) for v in near_one]))


def main():
    gen_binops()
    gen_unary()
    gen_funcs()
    gen_reductions()
    gen_broadcast()
    gen_zerod()
    gen_rint()
    gen_signed_zeros()
    gen_syntax()
    gen_chained()
    gen_random()
    gen_random("randshape", RANDOM_SHAPE_CASES, shapes=True)
    gen_powconst()

    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(CASES[k], allow_nan=False) for k in sorted(CASES)]
    OUT.write_text("\n".join(lines) + "\n")
    self_check()


def self_check():
    ids, cats, errs, f16 = set(), Counter(), Counter(), 0
    n = 0
    with OUT.open() as f:
        for line in f:
            c = json.loads(line)
            assert set(c) <= {"id", "expr", "inputs", "expect", "expect_numpy_dtype"}, c["id"]
            assert c["id"] not in ids, c["id"]
            ids.add(c["id"])
            ast.parse(c["expr"], mode="eval")
            e = c["expect"]
            if "error" in e:
                errs[e["error"]] += 1
            else:
                assert e["dtype"] in DTYPES, c["id"]
                assert len(e["data"]) == int(np.prod(e["shape"], dtype=np.int64)), c["id"]
            f16 += "expect_numpy_dtype" in c
            cats[c["id"].split("/")[0]] += 1
            n += 1
    assert n >= 1000, n
    print(f"{n} cases, {OUT.stat().st_size} bytes -> {OUT.relative_to(ROOT)}")
    print("errors:", dict(sorted(errs.items())), "| float16-as-float32:", f16)
    for k, v in sorted(cats.items()):
        print(f"  {k:16s} {v}")


if __name__ == "__main__":
    if not np.__version__.startswith("2."):
        sys.exit(f"NumPy 2 required, found {np.__version__}")
    main()
