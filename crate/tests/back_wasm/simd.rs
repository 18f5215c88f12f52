//! simd128 lanes: innermost loops that run two `float64` or four `float32` iterations at a
//! time (`back::wasm`'s `func/simd.rs`), held to the executor bit for bit on every
//! qualifying form, at lengths around the lane count, on NaN, signed zeros and infinities;
//! the run-time fallbacks (broadcast strides, strided views, aliasing stores, negative or
//! out-of-range invariant indices) give the scalar loop's results and errors. Whether the
//! lanes are in the module is read from its text; whether they ran, from the fuel wasmi
//! counts (a vector loop executes far fewer instructions than the scalar one).

use std::cell::RefCell;
use std::rc::Rc;

use numwasm::back::wasm;
use numwasm::front::numba::Module;
use numwasm::kir::exec::{self, ArrayValue, Value};
use numwasm::kir::{Program, Ty};
use numwasm::types::{Buffer, Scalar};

use crate::harness::{self, Outcome};

const KERNELS: &str = r#"
import numpy as np
from numba import njit, vectorize, stencil

@njit
def arith(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] * b[i] - a[i] + b[i] * b[i]

@njit
def quot(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] / b[i] - b[i] / (a[i] - b[i])

@njit
def quot_late(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i]
        b[i] = a[i] / b[i]

@njit
def unary(a, out):
    for i in range(a.shape[0]):
        out[i] = np.sqrt(np.abs(a[i])) + np.floor(a[i]) - np.ceil(-a[i]) + np.trunc(a[i]) * np.rint(a[i]) + np.square(a[i])

@njit
def extrema(a, b, out):
    for i in range(a.shape[0]):
        out[i] = np.maximum(a[i], b[i]) + np.minimum(a[i], b[i]) * np.fmax(a[i], b[i]) - np.fmin(a[i], b[i])

@njit
def offsets(a, out):
    for i in range(1, a.shape[0] - 1):
        out[i] = a[i - 1] - a[i + 1]

@njit
def scaled(a, out, s):
    for i in range(a.shape[0]):
        out[i] = a[i] * s + a[0]

@njit
def live(a, out):
    x = a[0]
    i = -1
    for i in range(a.shape[0]):
        x = a[i] * a[i]
        out[i] = x
    return x, i

@njit
def inplace(a):
    for i in range(a.shape[0]):
        a[i] = a[i] * 2.0 - 1.0

@njit
def shifted(a):
    for i in range(a.shape[0] - 1):
        a[i + 1] = a[i] * 2.0 + 1.0

@njit
def pair(a, out):
    for i in range(a.shape[0] - 1):
        out[i] = a[i + 1] + a[i]

@njit
def spaced(a, out, k):
    for i in range(out.shape[0]):
        out[i] = a[i * k] + a[k * i + k]

@njit
def row(m, out, r):
    for j in range(m.shape[1]):
        out[r, j] = m[r, j] * 2.0 + m[0, j]

@njit
def branches(a, b, out):
    for i in range(a.shape[0]):
        x = a[i]
        y = b[i]
        if x > y:
            v = x - y
        elif x < -y:
            v = -x
        else:
            v = y
        out[i] = v

@njit
def clip(a, out, hi):
    for i in range(a.shape[0]):
        v = a[i]
        if v > hi:
            v = hi
        out[i] = v if v == v else hi

@njit
def total(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i]
    return s

@njit
def expo(a, out):
    for i in range(a.shape[0]):
        out[i] = np.exp(a[i])

@njit
def every2(a, out):
    for i in range(0, a.shape[0], 2):
        out[i] = a[i] * a[i]

@njit
def mixed(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] + b[i]

@vectorize(["float64(float64, float64)"])
def fma1(x, y):
    return x * y + 1.0

@stencil
def mean3(a):
    return (a[-1] + a[0] + a[1]) / 3.0

@njit
def smooth(a):
    return mean3(a)
"#;

/// The kernel `name` compiled by the front end for the types of `args`.
fn kernel(name: &str, args: &[Value]) -> Program {
    let m = Module::parse(KERNELS).unwrap_or_else(|e| panic!("{e:?}"));
    let tys: Vec<Ty> = args.iter().map(exec::type_of).collect();
    m.compile(name, &tys)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// Whether the module of `name` for `args` has lanes (any `f64x2` or `f32x4`
/// instruction).
fn has_lanes(name: &str, args: &[Value]) -> bool {
    let m = harness::compile(&kernel(name, args)).unwrap_or_else(|u| panic!("{u}"));
    let text = wasm::to_text(&m.bytes).expect("prints");
    text.contains("f64x2.") || text.contains("f32x4.")
}

/// Runs `name` both ways; they must agree to the bit. Returns the outcome and the fuel
/// the compiled call consumed.
fn run(name: &str, args: &[Value]) -> (Outcome, u64) {
    let p = kernel(name, args);
    let m = harness::compile(&p).unwrap_or_else(|u| panic!("{u}\n{p}"));
    let want = harness::reference(&p, args);
    let (got, fuel) = harness::compiled_fuel(&m, args);
    if got != want {
        let shapes: Vec<String> = args
            .iter()
            .map(|a| match a {
                Value::Array(a) => format!("array {:?} strides {:?}", a.shape, a.strides),
                other => format!("{other:?}"),
            })
            .collect();
        panic!("compiled and executor differ on {name}({shapes:?}):\n{got:?}\n{want:?}");
    }
    (want, fuel)
}

/// `n` values cycling through NaN, signed zeros, infinities, ties, huge, tiny and
/// ordinary numbers, shifted by `seed`.
fn values(n: usize, seed: u64) -> Vec<f64> {
    const SPECIAL: [f64; 14] = [
        f64::NAN,
        -0.0,
        0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        2.5,
        -2.5,
        1e308,
        -1e-310,
        0.5,
        -1.5,
        3.0,
        -7.25,
        f64::MIN_POSITIVE,
    ];
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..n)
        .map(|i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if (i as u64 + seed) % 3 == 0 {
                SPECIAL[(i + seed as usize) % SPECIAL.len()]
            } else {
                (x % 20_001) as f64 / 1000.0 - 10.0
            }
        })
        .collect()
}

/// A float64 (or, with `f32`, float32) array of `n` of [`values`].
fn arr(n: usize, seed: u64, f32: bool) -> Value {
    let v = values(n, seed);
    let buf = if f32 {
        Buffer::F32(v.iter().map(|&x| x as f32).collect())
    } else {
        Buffer::F64(v)
    };
    Value::Array(ArrayValue::from_buffer(buf, vec![n]))
}

fn arr2(rows: usize, cols: usize, seed: u64) -> Value {
    let v = values(rows * cols, seed);
    Value::Array(ArrayValue::from_buffer(Buffer::F64(v), vec![rows, cols]))
}

/// Every `step`-th element of a buffer of `n * step` values: a view whose last stride is
/// not 1.
fn strided(n: usize, step: usize, seed: u64) -> Value {
    let v = values(n * step, seed);
    Value::Array(ArrayValue {
        data: Rc::new(RefCell::new(Buffer::F64(v))),
        offset: 0,
        shape: vec![n],
        strides: vec![step as isize],
    })
}

fn f64v(x: f64) -> Value {
    Value::Scalar(Scalar::F64(x))
}

fn i64v(x: i64) -> Value {
    Value::Scalar(Scalar::I64(x))
}

/// Lengths around the lane counts, and larger ones with odd remainders.
const LENGTHS: [usize; 13] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 33, 100, 1001];

#[test]
fn qualifying_loops_match_the_executor_at_every_length() {
    for f32 in [false, true] {
        for n in LENGTHS {
            let s = n as u64;
            run(
                "arith",
                &[arr(n, s, f32), arr(n, s + 1, f32), arr(n, 0, f32)],
            );
            run("unary", &[arr(n, s + 2, f32), arr(n, 0, f32)]);
            run(
                "extrema",
                &[arr(n, s + 3, f32), arr(n, s + 4, f32), arr(n, 0, f32)],
            );
            run("offsets", &[arr(n, s + 5, f32), arr(n, 0, f32)]);
            run("pair", &[arr(n, s + 6, f32), arr(n, 0, f32)]);
            run(
                "branches",
                &[arr(n, s + 7, f32), arr(n, s + 8, f32), arr(n, 0, f32)],
            );
        }
    }
    for n in LENGTHS {
        let s = n as u64;
        for k in [2.5, -0.0, f64::NAN, f64::INFINITY] {
            run(
                "scaled",
                &[arr(n.max(1), s, false), arr(n.max(1), 0, false), f64v(k)],
            );
            run("clip", &[arr(n, s + 1, false), arr(n, 0, false), f64v(k)]);
        }
        run("inplace", &[arr(n, s + 2, false)]);
        run("shifted", &[arr(n, s + 3, false)]);
        run("smooth", &[arr(n, s + 4, false)]);
        run("fma1", &[arr(n, s + 5, false), arr(n, s + 6, false)]);
    }
}

#[test]
fn the_lanes_are_in_the_modules_of_qualifying_loops_only() {
    let (a, b, o) = (arr(8, 1, false), arr(8, 2, false), arr(8, 0, false));
    let (a4, b4, o4) = (arr(8, 1, true), arr(8, 2, true), arr(8, 0, true));
    for (name, args) in [
        ("arith", vec![a.clone(), b.clone(), o.clone()]),
        ("arith", vec![a4.clone(), b4.clone(), o4.clone()]),
        ("unary", vec![a.clone(), o.clone()]),
        ("unary", vec![a4.clone(), o4.clone()]),
        ("extrema", vec![a.clone(), b.clone(), o.clone()]),
        ("offsets", vec![a4.clone(), o4.clone()]),
        ("scaled", vec![a.clone(), o.clone(), f64v(2.0)]),
        ("live", vec![a.clone(), o.clone()]),
        ("inplace", vec![a.clone()]),
        ("row", vec![arr2(3, 8, 1), arr2(3, 8, 2), i64v(1)]),
        ("branches", vec![a.clone(), b.clone(), o.clone()]),
        ("branches", vec![a4.clone(), b4.clone(), o4.clone()]),
        ("clip", vec![a.clone(), o.clone(), f64v(1.0)]),
        ("fma1", vec![a.clone(), b.clone()]),
        ("smooth", vec![a.clone()]),
        ("quot", vec![a.clone(), b.clone(), o.clone()]),
        ("quot", vec![a4.clone(), b4.clone(), o4.clone()]),
    ] {
        assert!(has_lanes(name, &args), "{name} on {args:?} has no lanes");
    }
    for (name, args) in [
        ("total", vec![a.clone()]),
        ("quot_late", vec![a.clone(), b.clone(), o.clone()]),
        ("expo", vec![a.clone(), o.clone()]),
        ("every2", vec![a.clone(), o.clone()]),
        ("mixed", vec![a4.clone(), b.clone(), o.clone()]),
    ] {
        assert!(!has_lanes(name, &args), "{name} on {args:?} has lanes");
        run(name, &args);
    }
}

/// The fuel of `name` on `vector` args well below that on `scalar` args of the same size
/// (which must fall back): the vector part ran for the one, not the other.
fn vector_ran(name: &str, vector: &[Value], scalar: &[Value]) {
    let (_, fast) = run(name, vector);
    let (_, slow) = run(name, scalar);
    assert!(
        fast * 10 < slow * 7,
        "{name}: {fast} units of fuel with lanes, {slow} without"
    );
}

#[test]
fn the_vector_part_runs_only_where_the_run_time_checks_allow() {
    let n = 1000;
    // A strided view (last stride 2) falls back.
    vector_ran(
        "arith",
        &[arr(n, 1, false), arr(n, 2, false), arr(n, 0, false)],
        &[strided(n, 2, 1), arr(n, 2, false), arr(n, 0, false)],
    );
    vector_ran(
        "arith",
        &[arr(n, 1, false), arr(n, 2, false), arr(n, 0, false)],
        &[arr(n, 1, false), arr(n, 2, false), strided(n, 3, 0)],
    );
    // @vectorize's broadcast step: 1 for a full operand, 0 for a broadcast one.
    vector_ran(
        "fma1",
        &[arr(n, 1, false), arr(n, 2, false)],
        &[arr(n, 1, false), arr(1, 2, false)],
    );
    // An index `k * i` steps by 1 only for k = 1.
    vector_ran(
        "spaced",
        &[arr(2 * n + 2, 1, false), arr(n, 0, false), i64v(1)],
        &[arr(2 * n + 2, 1, false), arr(n, 0, false), i64v(2)],
    );
    // `out` passed as `a` too: `out[i] = a[i + 1] + a[i]` reads what it writes next.
    let x = arr(n, 3, false);
    vector_ran(
        "pair",
        &[arr(n, 3, false), arr(n, 0, false)],
        &[x.clone(), x.clone()],
    );
    // `a[i + 1] = a[i] * 2 + 1` carries a value from one iteration to the next; `a[i]` in
    // place does not.
    let (_, carried) = run("shifted", &[arr(n, 4, false)]);
    let (_, in_place) = run("inplace", &[arr(n, 4, false)]);
    assert!(
        in_place * 10 < carried * 7,
        "in place {in_place}, carried {carried}"
    );
    // Invariant row indices: in range runs lanes, negative (wrapped) falls back.
    vector_ran(
        "row",
        &[arr2(3, n, 1), arr2(3, n, 2), i64v(2)],
        &[arr2(3, n, 1), arr2(3, n, 2), i64v(-1)],
    );
}

#[test]
fn aliased_and_out_of_range_accesses_give_the_scalar_results_and_errors() {
    for n in LENGTHS {
        let x = arr(n, n as u64, false);
        run("pair", &[x.clone(), x.clone()]);
        let y = arr(n, n as u64 + 1, false);
        run("arith", &[y.clone(), y.clone(), y.clone()]);
        let z = arr(n, 2, false);
        run("arith", &[z.clone(), arr(n, 3, false), z.clone()]);
        run(
            "arith",
            &[strided(n, 2, 1), arr(n, 2, false), arr(n, 0, false)],
        );
        run("fma1", &[arr(n, 1, false), arr(1, 2, false)]);
        run("fma1", &[arr(1, 1, false), arr(n, 2, false)]);
        for k in [0, 1, 2, -1] {
            run(
                "spaced",
                &[arr(2 * n + 2, 5, false), arr(n, 0, false), i64v(k)],
            );
        }
        for r in [0, 2, -1, -3, 3, -4, i64::MIN] {
            let (o, _) = run("row", &[arr2(3, n, 1), arr2(3, n, 2), i64v(r)]);
            if n > 0 && !(-3..3).contains(&r) {
                assert!(o.result.is_err(), "row {r} of {n} raises");
            }
        }
    }
    // A shorter operand: the scalar loop raises the executor's IndexError.
    let (o, _) = run(
        "arith",
        &[arr(9, 1, false), arr(5, 2, false), arr(9, 0, false)],
    );
    assert!(o.result.is_err());
    let (o, _) = run(
        "arith",
        &[arr(9, 1, false), arr(9, 2, false), arr(4, 0, false)],
    );
    assert!(o.result.is_err());
}

#[test]
fn lane_locals_and_the_loop_variable_live_after_the_loop() {
    for f32 in [false, true] {
        for n in LENGTHS {
            let (o, _) = run(
                "live",
                &[arr(n.max(1), n as u64, f32), arr(n.max(1), 0, f32)],
            );
            assert!(o.result.is_ok());
        }
    }
}

/// `n` values without a zero (so `/` raises nowhere), or with one at `zero`.
fn divisors(n: usize, seed: u64, zero: Option<usize>, f32: bool) -> Value {
    let v: Vec<f64> = values(n, seed)
        .into_iter()
        .enumerate()
        .map(|(i, x)| {
            if Some(i) == zero {
                if i % 2 == 0 { 0.0 } else { -0.0 }
            } else if x == 0.0 {
                0.25
            } else {
                x
            }
        })
        .collect();
    let buf = if f32 {
        Buffer::F32(v.iter().map(|&x| x as f32).collect())
    } else {
        Buffer::F64(v)
    };
    Value::Array(ArrayValue::from_buffer(buf, vec![n]))
}

#[test]
fn a_zero_divisor_leaves_the_step_to_the_scalar_loop_which_raises() {
    for f32 in [false, true] {
        for n in LENGTHS {
            let s = n as u64;
            // No zero in `b` (`a - b` may be 0 where the two are equal).
            run(
                "quot",
                &[
                    divisors(n, s, None, f32),
                    divisors(n, s + 1, None, f32),
                    arr(n, 0, f32),
                ],
            );
            // A zero divisor at every position of the first steps and near the end.
            let mut at: Vec<usize> = (0..n.min(10)).collect();
            at.extend(n.saturating_sub(5)..n);
            for z in at {
                let (o, _) = run(
                    "quot",
                    &[
                        divisors(n, s, None, f32),
                        divisors(n, s + 1, Some(z), f32),
                        arr(n, 0, f32),
                    ],
                );
                assert!(o.result.is_err(), "a zero divisor at {z} of {n} raises");
            }
        }
    }
    for n in [7, 100] {
        run(
            "quot_late",
            &[
                arr(n, 1, false),
                divisors(n, 2, Some(n / 2), false),
                arr(n, 0, false),
            ],
        );
    }
    // The vector part ran without zeros.
    let n = 1000;
    vector_ran(
        "quot",
        &[
            divisors(n, 1, None, false),
            divisors(n, 2, None, false),
            arr(n, 0, false),
        ],
        &[
            strided(n, 2, 1),
            divisors(n, 2, None, false),
            arr(n, 0, false),
        ],
    );
}
