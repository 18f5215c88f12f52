//! Kernels through the real front end, compiled to wasm and run next to the executor;
//! hand-built programs for the error paths the front end never makes; what stays
//! unsupported; the text form of `ssum`.

use std::cell::RefCell;
use std::rc::Rc;

use numwasm::back::wasm::{self, Options};
use numwasm::front::numba::Module;
use numwasm::kir::exec::{self, ArrayValue, RunError, Value};
use numwasm::kir::{Expr, Function, Program, RaiseKind, Stmt, Ty};
use numwasm::syntax::Span;
use numwasm::types::{BinaryOp, Buffer, DType, Scalar};

use crate::harness::{self, Outcome, Ret, vmath_imports};

const KERNELS: &str = r#"
import math
import numpy as np
from numba import njit, prange

@njit
def ssum(a):
    s = 0
    for x in a:
        s += x
    return s

@njit
def brk(a):
    t = 0.0
    for i in range(len(a)):
        if a[i] < 0:
            continue
        if a[i] > 100:
            break
        t += a[i] * 0.5
    return t

@njit
def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps

@njit
def classify(x, y):
    if x > 0:
        if y > 0:
            r = 1
        elif y < 0:
            r = 2
        else:
            r = 3
    else:
        if x == 0 and y == 0:
            r = 0
        else:
            r = -1
    return r * 10 + (x > y)

@njit
def grid(a, out):
    for i in range(a.shape[0]):
        for j in range(a.shape[1]):
            out[i, j] = a[i, j] * 2 + a[-1, -j]
    return out

@njit
def at2(a, i, j):
    return a[i, j]

@njit
def divz(a, b):
    return a // b + a % b

@njit
def truediv(a, b):
    return a / b

@njit
def chk(a, i):
    if i > 100:
        raise ValueError("too big")
    assert i != 50, "fifty"
    return a[i] + a[-i]

@njit
def narrow(n):
    x = np.int8(n)
    y = np.uint8(x) + np.uint8(200)
    return np.int16(x * 100) + y

@njit
def casts(x):
    return np.int32(x) + np.uint8(x) + np.int64(x) + np.uint64(x) + np.int16(x)

def helper(x, k):
    return x * k + 1.0

@njit
def usehelp(x):
    return helper(x, 2) + helper(x, 3.0)

@njit
def ipow(b, e):
    return b ** e

@njit
def steps(a, b, s):
    t = 0
    for i in range(a, b, s):
        t = t * 3 + i
    return t

@njit
def mixed(a, x):
    t = np.float32(0)
    for i in range(a.shape[0]):
        t += a[i] * np.float32(2)
    return np.uint64(t) + x

@njit
def fill(a, v):
    for i in range(a.shape[0]):
        a[i] = v - i
        if a[i] < 0:
            return i
    return -1

@njit
def minmax(x, y):
    return max(x, y) - min(x, y) + abs(x - y) + np.maximum(x, y) + np.fmin(x, y)

def either(a, b, first):
    return a if first else b

@njit
def arrays_flow(a, b, first):
    c = either(a, b, first)
    t = 0.0
    for i in range(c.shape[0]):
        t += c[i]
    d = a if t > 3.0 else b
    d[0] = t
    return d

@njit
def direct(a, b, first):
    return either(a[:], b, first)[-1] + (a if first else b).shape[0]

@njit
def sum2(m):
    t = 0.0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            t += m[i, j] * (i + 1)
    return t

@njit
def ratio(x, y):
    return x // y

@njit
def ratios(a, d):
    t = 0
    for i in range(a.shape[0]):
        v = a[i]
        t += ratio(v, d)
    return t

@njit(parallel=True)
def scale(a, k):
    for i in prange(a.shape[0]):
        a[i] = a[i] * k
    return a.shape[0]

@njit
def uses_exp(x):
    return math.exp(x)

def vhelp(x, y):
    return math.atan2(y, x) + math.hypot(x, y)

@njit
def vmath_mix(x, y, n):
    t = math.exp(x) - math.log1p(abs(y)) + math.sin(x) * math.cosh(y)
    t += x // y + x % y + x ** y + x ** 3 + x ** 2.5 + math.fmod(x, y)
    t += vhelp(x, y) + n ** 3
    return t + np.nextafter(x, y)

@njit
def vmath_f32(x, y):
    a = np.float32(x)
    b = np.float32(y)
    return np.exp(a) + np.arctan2(a, b) + a ** b + a ** np.float32(3) + a // b + a % b

@njit
def makes_cube(a):
    return a.reshape(1, 1, a.size)

@njit
def uses_list(n):
    r = []
    for i in range(n):
        r.append(i)
    return len(r)
"#;

/// The kernel `name` compiled by the front end for the types of `args`.
fn kernel(name: &str, args: &[Value]) -> Program {
    let m = Module::parse(KERNELS).unwrap_or_else(|e| panic!("{e:?}"));
    let tys: Vec<Ty> = args.iter().map(exec::type_of).collect();
    m.compile(name, &tys)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// Runs kernel `name` both ways on `args`; they must agree.
fn run(name: &str, args: &[Value]) -> Outcome {
    harness::differential(&kernel(name, args), args)
}

fn i64v(x: i64) -> Value {
    Value::Scalar(Scalar::I64(x))
}

fn f64v(x: f64) -> Value {
    Value::Scalar(Scalar::F64(x))
}

fn array(buf: Buffer, shape: &[usize]) -> Value {
    Value::Array(ArrayValue::from_buffer(buf, shape.to_vec()))
}

/// A strided view: `shape` and element `strides` from element `offset` of `buf`.
fn view(buf: Buffer, offset: usize, shape: &[usize], strides: &[isize]) -> Value {
    Value::Array(ArrayValue {
        data: Rc::new(RefCell::new(buf)),
        offset,
        shape: shape.to_vec(),
        strides: strides.to_vec(),
    })
}

fn ok(o: &Outcome) -> Scalar {
    match &o.result {
        Ok(Ret::Scalar(s)) => *s,
        other => panic!("expected a scalar, got {other:?}"),
    }
}

fn err(o: &Outcome) -> &RunError {
    match &o.result {
        Err(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn ssum_wraps_around_like_int64() {
    let a = array(Buffer::I64(vec![i64::MAX, 1, 5]), &[3]);
    assert_eq!(ok(&run("ssum", &[a])), Scalar::I64(i64::MIN + 5));
    let b = array(
        Buffer::I64((0..100).map(|i| i * 1_000_003).collect()),
        &[100],
    );
    assert_eq!(ok(&run("ssum", &[b])), Scalar::I64(4950 * 1_000_003));
    assert_eq!(
        ok(&run("ssum", &[array(Buffer::I64(vec![]), &[0])])),
        Scalar::I64(0)
    );
}

#[test]
fn ssum_of_a_reversed_view() {
    // Layout A: a negative stride, starting at the last element.
    let v = view(Buffer::I64(vec![1, 20, 300, 4000]), 3, &[4], &[-1]);
    assert_eq!(ok(&run("ssum", &[v])), Scalar::I64(4321));
    let every_other = view(Buffer::I64(vec![1, 20, 300, 4000, 50000]), 0, &[3], &[2]);
    assert_eq!(ok(&run("ssum", &[every_other])), Scalar::I64(50301));
}

#[test]
fn float_loop_with_break_and_continue() {
    let a = array(Buffer::F64(vec![1.0, -2.0, 3.0, 200.0, 5.0]), &[5]);
    assert_eq!(ok(&run("brk", &[a])), Scalar::F64(2.0));
    let b = array(Buffer::F64(vec![f64::NAN, 0.25, -0.0]), &[3]);
    assert!(matches!(ok(&run("brk", &[b])), Scalar::F64(x) if x.is_nan()));
}

#[test]
fn while_loop_collatz() {
    assert_eq!(ok(&run("collatz", &[i64v(27)])), Scalar::I64(111));
    assert_eq!(ok(&run("collatz", &[i64v(1)])), Scalar::I64(0));
    assert_eq!(ok(&run("collatz", &[i64v(97)])), Scalar::I64(118));
}

#[test]
fn nested_if_else() {
    let cases = [
        ((5, 3), 11),
        ((5, -3), 21),
        ((5, 0), 31),
        ((0, 0), 0),
        ((-1, 4), -10),
        ((0, -4), -9),
    ];
    for ((x, y), want) in cases {
        assert_eq!(
            ok(&run("classify", &[i64v(x), i64v(y)])),
            Scalar::I64(want),
            "classify({x}, {y})"
        );
    }
}

#[test]
fn two_dimensional_loops_write_the_output_argument() {
    let a = array(Buffer::F64((0..12).map(f64::from).collect()), &[3, 4]);
    let out = array(Buffer::F64(vec![0.0; 12]), &[3, 4]);
    let o = run("grid", &[a, out]);
    assert_eq!(o.result, Ok(Ret::Array(1)));
    // out[1, 2] = a[1, 2] * 2 + a[-1, -2] = 6 * 2 + 10
    assert_eq!(o.arrays[1][6], Scalar::F64(22.0));
    // The same over a transposed view of a 4x3 buffer (layout A), into a C output.
    let at = view(
        Buffer::F64((0..12).map(f64::from).collect()),
        0,
        &[3, 4],
        &[1, 3],
    );
    let out = array(Buffer::F64(vec![0.0; 12]), &[3, 4]);
    run("grid", &[at, out]);
}

/// A C-contiguous array's last axis is addressed without its stride; an axis of extent 1
/// counts as contiguous whatever its stride (as in NumPy), and still reads the right
/// elements.
#[test]
fn c_contiguous_last_axis_and_extent_one_strides() {
    let buf = || Buffer::F64((0..12).map(f64::from).collect());
    let tall = view(buf(), 1, &[3, 1], &[1, 7]);
    assert_eq!(exec::type_of(&tall).to_string(), "array(float64, 2d, C)");
    assert_eq!(
        ok(&run("sum2", &[tall])),
        Scalar::F64(1.0 + 2.0 * 2.0 + 3.0 * 3.0)
    );
    let c = view(buf(), 0, &[3, 4], &[4, 1]);
    assert_eq!(
        ok(&run("sum2", &[c])),
        Scalar::F64(6.0 + 22.0 * 2.0 + 38.0 * 3.0)
    );
    let strided = view(buf(), 0, &[2, 3], &[6, 2]);
    assert_eq!(ok(&run("sum2", &[strided])), Scalar::F64(6.0 + 24.0 * 2.0));
}

/// A helper that is one `return` of its locals is inlined (no call left in the loop),
/// gives the call's results, and raises the call's error at the helper's line.
#[test]
fn one_line_helpers_are_inlined() {
    let a = || array(Buffer::I64(vec![7, -9, 12, 5]), &[4]);
    let p = kernel("ratios", &[a(), i64v(2)]);
    assert!(!p.functions[0].to_string().contains("call f"), "{p}");
    assert_eq!(
        ok(&run("ratios", &[a(), i64v(2)])),
        Scalar::I64(3 - 5 + 6 + 2)
    );
    let e = run("ratios", &[a(), i64v(0)]);
    assert_eq!(err(&e).kind, RaiseKind::ZeroDivisionError);
    let line = KERNELS[..err(&e).span.start as usize].lines().count();
    let want = KERNELS
        .lines()
        .position(|l| l.contains("return x // y"))
        .unwrap()
        + 1;
    assert_eq!(line, want);
}

#[test]
fn integer_division_by_zero_raises() {
    let e = run("divz", &[i64v(7), i64v(0)]);
    assert_eq!(err(&e).kind, RaiseKind::ZeroDivisionError);
    assert_eq!(err(&e).message, "integer division by zero");
    assert_eq!(ok(&run("divz", &[i64v(-7), i64v(2)])), Scalar::I64(-3));
    assert_eq!(
        ok(&run("divz", &[i64v(i64::MIN), i64v(-1)])),
        Scalar::I64(i64::MIN)
    );
    let e = run("truediv", &[i64v(1), i64v(0)]);
    assert_eq!(err(&e).message, "division by zero");
    let e = run("truediv", &[f64v(1.0), f64v(-0.0)]);
    assert_eq!(err(&e).message, "division by zero");
    assert_eq!(
        ok(&run("truediv", &[i64v(i64::MAX), i64v(3)])),
        Scalar::F64(i64::MAX as f64 / 3.0)
    );
}

#[test]
fn index_out_of_bounds_raises_numpys_error() {
    let a = || array(Buffer::U8(vec![10, 20, 30, 40, 250]), &[5]);
    // a[4] + a[-4]
    assert_eq!(ok(&run("chk", &[a(), i64v(4)])), Scalar::U64(270));
    let e = run("chk", &[a(), i64v(7)]);
    assert_eq!(err(&e).kind, RaiseKind::IndexError);
    assert_eq!(
        err(&e).message,
        "index 7 is out of bounds for axis 0 with size 5"
    );
    let m = array(Buffer::I32((0..6).collect()), &[2, 3]);
    let e = run("at2", &[m.clone(), i64v(1), i64v(-4)]);
    assert_eq!(
        err(&e).message,
        "index -4 is out of bounds for axis 1 with size 3"
    );
    assert_eq!(
        ok(&run("at2", &[m.clone(), i64v(-1), i64v(-3)])),
        Scalar::I32(3)
    );
    let e = run("at2", &[m, i64v(2), i64v(9)]);
    assert_eq!(
        err(&e).message,
        "index 2 is out of bounds for axis 0 with size 2"
    );
}

#[test]
fn raise_and_assert() {
    let a = || array(Buffer::U8(vec![1; 60]), &[60]);
    let e = run("chk", &[a(), i64v(150)]);
    assert_eq!(
        (err(&e).kind, err(&e).message.as_str()),
        (RaiseKind::ValueError, "too big")
    );
    let e = run("chk", &[a(), i64v(50)]);
    assert_eq!(
        (err(&e).kind, err(&e).message.as_str()),
        (RaiseKind::AssertionError, "fifty")
    );
}

#[test]
fn narrow_integers_wrap_around() {
    let want = |n: i64| -> i64 {
        let x = n as i8;
        let y = u64::from(x as u8).wrapping_add(200);
        i64::from((i64::from(x) * 100) as i16).wrapping_add(y as i64)
    };
    for n in [0, 1, 127, 128, 300, -129, -1, i64::MAX, i64::MIN] {
        assert_eq!(
            ok(&run("narrow", &[i64v(n)])),
            Scalar::I64(want(n)),
            "narrow({n})"
        );
    }
}

#[test]
fn casts_of_nan_infinities_and_huge_floats() {
    for x in [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e19,
        1e19,
        300.7,
        -300.7,
        2.5e9,
        -0.0,
        -1.5,
        9.3e18,
    ] {
        run("casts", &[f64v(x)]);
    }
    // NaN: 0 everywhere (int32 and uint8 through int64, uint64 saturating).
    assert_eq!(ok(&run("casts", &[f64v(f64::NAN)])), Scalar::I64(0));
    // 300.7: 300 + 44 + 300 + 300 + 300.
    assert_eq!(ok(&run("casts", &[f64v(300.7)])), Scalar::I64(1244));
}

#[test]
fn calls_of_helpers() {
    // helper(x, 2) + helper(x, 3.0) = 4 + 5.5
    assert_eq!(ok(&run("usehelp", &[f64v(1.5)])), Scalar::F64(9.5));
    run("usehelp", &[f64v(f64::NAN)]);
}

#[test]
fn numbas_integer_power() {
    let cases = [
        (2, 10, Some(1024)),
        (2, 64, Some(0)),
        (3, 40, Some(3i64.wrapping_pow(40))),
        (3, -1, Some(0)),
        (1, -5, Some(1)),
        (-1, -3, Some(-1)),
        (-1, -4, Some(1)),
        (7, 0, Some(1)),
        (0, -1, None),
    ];
    for (b, e, want) in cases {
        let o = run("ipow", &[i64v(b), i64v(e)]);
        match want {
            Some(w) => assert_eq!(ok(&o), Scalar::I64(w), "{b} ** {e}"),
            None => assert_eq!(err(&o).message, "0 cannot be raised to a negative power"),
        }
    }
}

#[test]
fn range_with_any_step() {
    let steps = |a: i64, b: i64, s: i64| run("steps", &[i64v(a), i64v(b), i64v(s)]);
    let want = |a: i64, b: i64, s: i64| {
        let mut t = 0i64;
        let mut i = i128::from(a);
        while (s > 0 && i < i128::from(b)) || (s < 0 && i > i128::from(b)) {
            t = t.wrapping_mul(3).wrapping_add(i as i64);
            i += i128::from(s);
        }
        t
    };
    for (a, b, s) in [
        (0, 10, 3),
        (10, 0, -3),
        (0, 0, 1),
        (5, 0, 1),
        (-3, 4, 1),
        (i64::MAX - 5, i64::MAX, 2),
        (i64::MIN + 5, i64::MIN, -2),
        (i64::MIN, i64::MAX, i64::MAX),
        (i64::MAX, i64::MIN, i64::MIN),
    ] {
        assert_eq!(
            ok(&steps(a, b, s)),
            Scalar::I64(want(a, b, s)),
            "range({a}, {b}, {s})"
        );
    }
    let e = steps(0, 10, 0);
    assert_eq!(err(&e).kind, RaiseKind::ValueError);
    assert_eq!(err(&e).message, "range() arg 3 must not be zero");
}

#[test]
fn float32_and_uint64() {
    let a = array(Buffer::F32(vec![1.5, 2.25, -0.125, 1e30]), &[4]);
    run("mixed", &[a, Value::Scalar(Scalar::U64(u64::MAX - 3))]);
    let b = array(Buffer::F32(vec![1.5, 2.25]), &[2]);
    assert_eq!(
        ok(&run("mixed", &[b, Value::Scalar(Scalar::U64(1))])),
        Scalar::U64(8)
    );
}

#[test]
fn stores_then_an_early_return() {
    let a = array(Buffer::I16(vec![9; 6]), &[6]);
    let o = run("fill", &[a, i64v(2)]);
    assert_eq!(ok(&o), Scalar::I64(3));
    assert_eq!(o.arrays[0], [2, 1, 0, -1, 9, 9].map(Scalar::I16).to_vec());
}

#[test]
fn min_max_with_nan_and_signed_zeros() {
    for (x, y) in [
        (1.0, 2.0),
        (f64::NAN, 1.0),
        (1.0, f64::NAN),
        (0.0, -0.0),
        (-0.0, 0.0),
        (f64::INFINITY, f64::NEG_INFINITY),
    ] {
        run("minmax", &[f64v(x), f64v(y)]);
    }
    run("minmax", &[i64v(i64::MIN), i64v(3)]);
}

/// Arrays held by locals, chosen by a conditional expression, passed to a helper and
/// returned from it and from the kernel.
#[test]
fn arrays_through_locals_calls_and_conditions() {
    let a = || array(Buffer::F64(vec![1.0, 2.0, 0.5]), &[3]);
    let b = || array(Buffer::F64(vec![-1.0, 0.25]), &[2]);
    let o = run(
        "arrays_flow",
        &[a(), b(), Value::Scalar(Scalar::Bool(true))],
    );
    assert_eq!(o.result, Ok(Ret::Array(0)));
    assert_eq!(o.arrays[0][0], Scalar::F64(3.5));
    let o = run(
        "arrays_flow",
        &[a(), b(), Value::Scalar(Scalar::Bool(false))],
    );
    assert_eq!(o.result, Ok(Ret::Array(1)));
    assert_eq!(o.arrays[1][0], Scalar::F64(-0.75));
    // Element access and extents of arrays that are not locals: a call's result (its
    // argument a view, so that the call is not inlined) and a
    // conditional expression, read through their descriptors in memory.
    let o = run("direct", &[a(), b(), Value::Scalar(Scalar::Bool(false))]);
    assert_eq!(ok(&o), Scalar::F64(2.25));
    let p = kernel("direct", &[a(), b(), Value::Scalar(Scalar::Bool(true))]);
    assert!(p.to_string().contains("load(call f1("), "{p}");
}

/// A `prange` loop runs its iterations in order, as the executor does.
#[test]
fn prange_runs_in_order() {
    let a = array(Buffer::I32(vec![1, -2, 3, i32::MAX]), &[4]);
    let o = run("scale", &[a, i64v(3)]);
    assert_eq!(ok(&o), Scalar::I64(4));
    run(
        "scale",
        &[array(Buffer::F32(vec![1.5, f32::NAN]), &[2]), f64v(-2.0)],
    );
}

/// The construct an `Unsupported` names, for kernel `name`.
fn unsupported(name: &str, args: &[Value]) -> String {
    match wasm::compile(&kernel(name, args)) {
        Ok(_) => panic!("{name} compiled"),
        Err(u) => u.construct,
    }
}

fn f32v(x: f32) -> Value {
    Value::Scalar(Scalar::F32(x))
}

/// Float operations wasm has no instruction for call the engine's vmath functions, which
/// the module imports (those it uses, once each): they shift the program's functions, the
/// helpers and the trampoline in the index space, and every call must still land.
#[test]
fn float_math_calls_the_engines_vmath() {
    let m = harness::compile(&kernel("uses_exp", &[f64v(1.0)])).expect("compiles");
    assert_eq!(vmath_imports(&m), ["nw_vmath_exp_f64"]);
    for x in [
        1.0,
        -0.0,
        709.8,
        -745.2,
        f64::NAN,
        f64::NEG_INFINITY,
        5e-324,
    ] {
        run("uses_exp", &[f64v(x)]);
    }
    // A helper, integer power (a helper function) and vmath calls in one module; `x ** 3`
    // and `x ** 2.5` are the constant-power kernel, `x ** y` pow.
    let args = [f64v(2.5), f64v(-1.25), i64v(7)];
    let m = harness::compile(&kernel("vmath_mix", &args)).expect("compiles");
    let mut imports = vmath_imports(&m);
    imports.sort();
    assert_eq!(
        imports,
        [
            "nw_vmath_arctan2_f64",
            "nw_vmath_cosh_f64",
            "nw_vmath_exp_f64",
            "nw_vmath_floordiv_f64",
            "nw_vmath_fmod_f64",
            "nw_vmath_hypot_f64",
            "nw_vmath_log1p_f64",
            "nw_vmath_mod_f64",
            "nw_vmath_nextafter_f64",
            "nw_vmath_pow_const_f64",
            "nw_vmath_pow_f64",
            "nw_vmath_sin_f64",
        ]
    );
    for (x, y) in [
        (2.5, -1.25),
        (-3.0, 0.5),
        (0.0, -0.0),
        (1e300, 3.0),
        (f64::NAN, 1.0),
    ] {
        run("vmath_mix", &[f64v(x), f64v(y), i64v(7)]);
    }
    // A zero divisor raises before any vmath call.
    let o = run("vmath_mix", &[f64v(1.0), f64v(0.0), i64v(2)]);
    assert_eq!(err(&o).kind, RaiseKind::ZeroDivisionError);
    // float32 computes in float32, through the float32 functions.
    let m = harness::compile(&kernel("vmath_f32", &[f64v(1.0), f64v(2.0)])).expect("compiles");
    assert!(
        vmath_imports(&m).iter().all(|n| n.ends_with("_f32")),
        "{:?}",
        vmath_imports(&m)
    );
    for (x, y) in [(1.5, 2.25), (-2.0, 3.0), (88.0, -0.5), (0.0, f64::INFINITY)] {
        run("vmath_f32", &[f64v(x), f64v(y)]);
        run("vmath_f32", &[f32v(x as f32), f32v(y as f32)]);
    }
}

/// A module that uses no vmath function imports none: its memory only.
#[test]
fn a_module_without_float_math_imports_only_its_memory() {
    let m = harness::compile(&kernel("usehelp", &[f64v(1.0)])).expect("compiles");
    assert!(vmath_imports(&m).is_empty());
}

#[test]
fn intrinsics_are_unsupported_and_lists_compile() {
    assert_eq!(
        unsupported("makes_cube", &[array(Buffer::F64(vec![1.0, 2.0]), &[2])]),
        "a reshape to more than 2 dimensions"
    );
    assert_eq!(ok(&run("uses_list", &[i64v(3)])), Scalar::I64(3));
}

fn sp(k: u32) -> Span {
    Span {
        start: k,
        end: k + 1,
    }
}

/// `def maybe(c): if c: y = 5; return y` without the front end's zero for `y`: reading
/// `y` when `c` is false raises the executor's RuntimeError.
#[test]
fn a_read_before_assignment_raises() {
    let i64t = Ty::Scalar(DType::I64);
    let mut f = Function::new("maybe", i64t.clone());
    let c = f.param("c", Ty::Scalar(DType::Bool));
    let y = f.local("y", i64t.clone());
    let ec = f.expr(Expr::Local(c), Ty::Scalar(DType::Bool), sp(1));
    let five = f.expr(Expr::Const(Scalar::I64(5)), i64t.clone(), sp(2));
    let ey = f.expr(Expr::Local(y), i64t, sp(3));
    f.body = vec![
        Stmt::If {
            cond: ec,
            then: vec![Stmt::Assign(y, five)],
            otherwise: Vec::new(),
        },
        Stmt::Return(Some(ey)),
    ];
    let mut p = Program::default();
    p.add(f);
    let yes = harness::differential(&p, &[Value::Scalar(Scalar::Bool(true))]);
    assert_eq!(ok(&yes), Scalar::I64(5));
    let no = harness::differential(&p, &[Value::Scalar(Scalar::Bool(false))]);
    assert_eq!(
        err(&no),
        &RunError::new(
            RaiseKind::RuntimeError,
            "local variable 'y' referenced before assignment",
            sp(3)
        )
    );
}

/// A helper typed to return int64 that falls off its end: the executor's internal error
/// at the call.
#[test]
fn a_function_falling_off_its_end_fails_at_the_call() {
    let i64t = Ty::Scalar(DType::I64);
    let mut h = Function::new("helper", i64t.clone());
    let x = h.param("x", i64t.clone());
    let ex = h.expr(Expr::Local(x), i64t.clone(), sp(10));
    let zero = h.expr(Expr::Const(Scalar::I64(0)), i64t.clone(), sp(11));
    let gt = h.expr(
        Expr::Binary(BinaryOp::Gt, ex, zero),
        Ty::Scalar(DType::Bool),
        sp(12),
    );
    h.body = vec![Stmt::If {
        cond: gt,
        then: vec![Stmt::Return(Some(ex))],
        otherwise: Vec::new(),
    }];
    let mut f = Function::new("main", i64t.clone());
    let a = f.param("a", i64t.clone());
    let ea = f.expr(Expr::Local(a), i64t.clone(), sp(1));
    let call = f.expr(
        Expr::Call(numwasm::kir::FuncId::from_index(1), vec![ea]),
        i64t,
        sp(2),
    );
    f.body = vec![Stmt::Return(Some(call))];
    let mut p = Program::default();
    p.add(f);
    p.add(h);
    assert_eq!(ok(&harness::differential(&p, &[i64v(4)])), Scalar::I64(4));
    let o = harness::differential(&p, &[i64v(-4)]);
    assert_eq!(
        err(&o),
        &RunError::new(
            RaiseKind::RuntimeError,
            "internal: helper returns none, declared int64",
            sp(2)
        )
    );
}

/// A uint64 index past the end is reported unsigned, as the executor writes it.
#[test]
fn an_unsigned_index_out_of_bounds() {
    let mut f = Function::new("get", Ty::Scalar(DType::F32));
    let at = Ty::Array(numwasm::kir::ArrayTy {
        dtype: DType::F32,
        ndim: 1,
        layout: numwasm::kir::Layout::C,
    });
    let a = f.param("a", at.clone());
    let i = f.param("i", Ty::Scalar(DType::U64));
    let ea = f.expr(Expr::Local(a), at, sp(1));
    let ei = f.expr(Expr::Local(i), Ty::Scalar(DType::U64), sp(2));
    let load = f.expr(Expr::Load(ea, vec![ei]), Ty::Scalar(DType::F32), sp(3));
    f.body = vec![Stmt::Return(Some(load))];
    let mut p = Program::default();
    p.add(f);
    let arr = || array(Buffer::F32(vec![0.5, 1.5]), &[2]);
    let o = harness::differential(&p, &[arr(), Value::Scalar(Scalar::U64(u64::MAX))]);
    assert_eq!(
        err(&o).message,
        "index 18446744073709551615 is out of bounds for axis 0 with size 2"
    );
    let o = harness::differential(&p, &[arr(), Value::Scalar(Scalar::U64(1))]);
    assert_eq!(ok(&o), Scalar::F32(1.5));
}

#[test]
fn recursion_is_unsupported() {
    let i64t = Ty::Scalar(DType::I64);
    let mut f = Function::new("again", i64t.clone());
    let x = f.param("x", i64t.clone());
    let ex = f.expr(Expr::Local(x), i64t.clone(), sp(1));
    let call = f.expr(
        Expr::Call(numwasm::kir::FuncId::from_index(0), vec![ex]),
        i64t,
        sp(2),
    );
    f.body = vec![Stmt::Return(Some(call))];
    let mut p = Program::default();
    p.add(f);
    let u = wasm::compile(&p).expect_err("recursion compiles");
    assert_eq!(u.construct, "recursion");
}

/// The text form of `ssum`'s module: the imported shared memory, the exports, and the loop
/// with its bounds check.
#[test]
fn ssum_as_text() {
    let p = kernel("ssum", &[array(Buffer::I64(vec![1]), &[1])]);
    let m = wasm::compile(&p).expect("ssum compiles");
    let wat = wasmprinter::print_bytes(&m.bytes).expect("printable");
    for needle in [
        "(import \"env\" \"memory\" (memory (;0;) 1 65536 shared))",
        "(export \"f0\" (func 0))",
        "(export \"error\" (global 0))",
        "(export \"error_a\" (global 1))",
        "(export \"error_b\" (global 2))",
        "(func (;0;) (type 0) (param i32) (result i64)",
        "loop",
        "br_if",
        "i64.div_u",
        "i64.ge_u",
        "i64.load",
        "i64.add",
        "global.set 0",
    ] {
        assert!(wat.contains(needle), "no `{needle}` in\n{wat}");
    }
    // The sites: the load's IndexError, the range's zero step (checked at run time even
    // for a constant, for now) in both copies of the loop (`kir::bounds`: one with the
    // reads proven by the range, one checked, for a range that does not prove them), and
    // the end every value-returning function may fall off.
    assert_eq!(m.sites.len(), 4, "{:?}", m.sites);
    let plain = wasm::compile_with(
        &p,
        Options {
            shared_memory: false,
        },
    )
    .expect("ssum compiles");
    let wat = wasmprinter::print_bytes(&plain.bytes).expect("printable");
    assert!(
        wat.contains("(import \"env\" \"memory\" (memory (;0;) 1))"),
        "{wat}"
    );
}

/// The shared variant needs the threads feature and the plain one does not: each is
/// valid exactly for its build.
#[test]
fn each_variant_validates_for_its_build() {
    let p = kernel(
        "grid",
        &[
            array(Buffer::F64(vec![0.0; 4]), &[2, 2]),
            array(Buffer::F64(vec![0.0; 4]), &[2, 2]),
        ],
    );
    let shared = harness::compile(&p).map(|_| wasm::compile(&p).expect("compiles"));
    let shared = shared.expect("compiles");
    let plain = wasm::compile_with(
        &p,
        Options {
            shared_memory: false,
        },
    )
    .expect("compiles");
    let without_threads = harness::features(false);
    assert!(
        wasmparser::Validator::new_with_features(without_threads)
            .validate_all(&shared.bytes)
            .is_err()
    );
    assert!(
        wasmparser::Validator::new_with_features(without_threads)
            .validate_all(&plain.bytes)
            .is_ok()
    );
    // Deterministic bytes: a (kernel, signature, build) always gives the same module.
    assert_eq!(wasm::compile(&p).expect("compiles").bytes, shared.bytes);
}
