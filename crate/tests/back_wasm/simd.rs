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

@njit
def demote(a, out):
    for i in range(a.shape[0]):
        out[i] = np.exp(a[i] * 0.5) + 1.0

@njit
def band_row(out, i, k):
    for j in range(out.shape[0]):
        out[j] = 1.0 if abs(i - j) <= k else 0.0

@njit
def int_masks(a, out, i, k):
    for j in range(a.shape[0]):
        t = j * k - i
        u = 3 - t
        if -t < abs(i):
            v = a[j]
        elif u == k:
            v = -a[j]
        else:
            v = 2.0
        out[j] = v if t * t >= k * k + i else v + 1.0

@njit
def int_mask_f32(a, out, i):
    for j in range(a.shape[0]):
        out[j] = a[j] if j < i else np.float32(0.0)

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
/// instruction, or a `v128` load: `np.exp(a[i])` has nothing else).
fn has_lanes(name: &str, args: &[Value]) -> bool {
    let m = harness::compile(&kernel(name, args)).unwrap_or_else(|u| panic!("{u}"));
    let text = wasm::to_text(&m.bytes).expect("prints");
    text.contains("f64x2.") || text.contains("f32x4.") || text.contains("v128.load")
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
        run(
            "mixed",
            &[arr(n, s + 7, true), arr(n, s + 8, false), arr(n, 0, false)],
        );
        // float64 lanes stored into float32 arrays (demoted per lane, as the scalar
        // loop's cast): overflow to infinity, NaN payloads, subnormal results.
        run(
            "mixed",
            &[arr(n, s + 7, true), arr(n, s + 8, false), arr(n, 0, true)],
        );
        run("demote", &[arr(n, s + 9, true), arr(n, 0, true)]);
        run("shifted", &[arr(n, s + 3, false)]);
        run("smooth", &[arr(n, s + 4, false)]);
        run("fma1", &[arr(n, s + 5, false), arr(n, s + 6, false)]);
    }
}

/// Masks that compare int64 values (the loop variable, locals the loop assigns from it,
/// invariants; wrapping `+ - *`, `-x`, `abs`) run on two int64 lanes beside two float64
/// ones, with the scalar loop's wrapping results at the extremes of int64.
#[test]
fn int64_masks_run_on_lanes_beside_float64() {
    for n in LENGTHS {
        let s = n as u64;
        for (i, k) in [
            (0, 0),
            (3, 1),
            (5, 10),
            (-7, 2),
            (i64::MAX, 1),
            (i64::MIN, -1),
            (i64::MIN, i64::MAX),
        ] {
            run("band_row", &[arr(n, 0, false), i64v(i), i64v(k)]);
            run(
                "int_masks",
                &[arr(n, s, false), arr(n, 0, false), i64v(i), i64v(k)],
            );
        }
        run(
            "int_mask_f32",
            &[arr(n, s, true), arr(n, 0, true), i64v(n as i64 / 2)],
        );
    }
    let (a, o) = (arr(8, 1, false), arr(8, 0, false));
    for (name, args) in [
        ("band_row", vec![o.clone(), i64v(3), i64v(2)]),
        ("int_masks", vec![a.clone(), o.clone(), i64v(3), i64v(2)]),
    ] {
        let m = harness::compile(&kernel(name, &args)).unwrap_or_else(|u| panic!("{u}"));
        let text = wasm::to_text(&m.bytes).expect("prints");
        assert!(text.contains("i64x2."), "{name} has no int64 lanes");
    }
    vector_ran(
        "band_row",
        &[arr(1000, 0, false), i64v(500), i64v(10)],
        &[strided(1000, 2, 0), i64v(500), i64v(10)],
    );
    // Four float32 lanes do not line up with two int64 ones: the scalar loop.
    assert!(!has_lanes(
        "int_mask_f32",
        &[arr(8, 1, true), arr(8, 0, true), i64v(3)]
    ));
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
        ("expo", vec![a.clone(), o.clone()]),
        ("expo", vec![a4.clone(), o4.clone()]),
        // A float32 operand of a float64 loop, converted in lanes.
        ("mixed", vec![a4.clone(), b.clone(), o.clone()]),
        // A float64 loop storing into a float32 array, demoted in lanes.
        ("mixed", vec![a4.clone(), b.clone(), o4.clone()]),
        ("demote", vec![a4.clone(), o4.clone()]),
    ] {
        assert!(has_lanes(name, &args), "{name} on {args:?} has no lanes");
    }
    for (name, args) in [
        ("mixed", vec![a4.clone(), b.clone(), o4.clone()]),
        ("demote", vec![a4.clone(), o4.clone()]),
    ] {
        let m = harness::compile(&kernel(name, &args)).unwrap_or_else(|u| panic!("{u}"));
        let text = wasm::to_text(&m.bytes).expect("prints");
        assert!(
            text.contains("f32x4.demote_f64x2_zero"),
            "{name}: no demoting store"
        );
    }
    for (name, args) in [
        ("total", vec![a.clone()]),
        ("quot_late", vec![a.clone(), b.clone(), o.clone()]),
        ("every2", vec![a.clone(), o.clone()]),
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

/// The float transcendentals and the other operations the scalar loop imports from the
/// engine's vmath, one kernel per operation, and formulas that mix them with branches.
const UNARY_MATH: [&str; 20] = [
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
    "arccosh", "arctanh", "log", "log1p", "log10", "log2", "exp", "exp2", "expm1", "cbrt",
];
const BINARY_MATH: [(&str, &str); 8] = [
    ("floor_divide", "floordiv"),
    ("mod", "mod"),
    ("power", "pow"),
    ("fmod", "fmod"),
    ("arctan2", "arctan2"),
    ("hypot", "hypot"),
    ("nextafter", "nextafter"),
    ("copysign", ""),
];
/// Constant exponents: pow itself (2.2, -0.3), the integer-power kernel (3, -2, 1.5,
/// 7), and `x * x` (2).
const POWERS: [&str; 7] = ["2.2", "-0.3", "3.0", "-2.0", "1.5", "7.0", "2.0"];

fn math_kernels() -> String {
    let mut src = String::from(
        "import math\nimport numpy as np\nfrom numba import njit, vectorize, stencil\n",
    );
    for op in UNARY_MATH {
        src += &format!(
            "\n@njit\ndef u_{op}(a, out):\n    for i in range(a.shape[0]):\n        out[i] = np.{op}(a[i])\n"
        );
    }
    for (op, _) in BINARY_MATH {
        src += &format!(
            "\n@njit\ndef b_{op}(a, b, out):\n    for i in range(a.shape[0]):\n        out[i] = np.{op}(a[i], b[i])\n"
        );
    }
    for (k, p) in POWERS.iter().enumerate() {
        src += &format!(
            "\n@njit\ndef p_{k}(a, out):\n    for i in range(a.shape[0]):\n        out[i] = a[i] ** {p}\n"
        );
        // A float32 exponent keeps a float32 loop in float32.
        src += &format!(
            "\n@njit\ndef q_{k}(a, out):\n    for i in range(a.shape[0]):\n        out[i] = a[i] ** np.float32({p})\n"
        );
    }
    src += r#"
@njit
def r_exp(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += np.exp(a[i])
    return s

@njit
def r_mix(a, b):
    s = 1.0
    p = 1.0
    q = 1e300
    for i in range(a.shape[0]):
        q /= np.exp(a[i] * 0.25)
        s -= np.sin(a[i]) * b[i]
        p = np.cos(b[i]) * p
    return s, p, q

@njit
def r_store(a, out):
    s = 0.0
    for i in range(a.shape[0]):
        out[i] = np.log(a[i])
        s += np.exp(a[i])
    return s

@njit
def r_read(a, out):
    s = 0.0
    for i in range(a.shape[0]):
        s += np.exp(a[i])
        out[i] = s
    return s

@njit
def r_deep(a):
    s = 0.0
    for i in range(a.shape[0]):
        s += np.exp(np.sin(a[i])) * np.cos(a[i])
    return s

@njit
def r_branch(a):
    s = 0.0
    for i in range(a.shape[0]):
        if a[i] > 0.0:
            s += np.exp(a[i])
    return s

@njit
def r_narrow(img):
    acc = 0.0
    for j in range(img.shape[0]):
        acc += (img[j] / 255.0) ** 2.2
    return acc

@njit
def r_narrow32(a):
    acc = np.float32(0.0)
    for j in range(a.shape[0]):
        acc += np.exp(np.float32(a[j]) * np.float32(0.01))
    return acc

@njit
def narrow_map(a, b, out):
    for i in range(a.shape[0]):
        out[i] = a[i] * 0.5 + np.sin(b[i]) - a[0]

@stencil(neighborhood=((-2, 2), (-2, 2)))
def gamma_blur(img):
    acc = 0.0
    for i in range(-2, 3):
        for j in range(-2, 3):
            acc += (img[i, j] / 255.0) ** 2.2
    return np.uint8(255.0 * (acc / 25.0) ** (1.0 / 2.2))

@njit
def blur(img):
    return gamma_blur(img)

@stencil(neighborhood=((-1, 1), (-10, 10)))
def wide_sum(img):
    acc = 0.0
    for i in range(-1, 2):
        for j in range(-10, 11):
            acc += (img[i, j] / 255.0) ** 2.2
    return acc

@njit
def wide(img):
    return wide_sum(img)

@vectorize(["float64(float64, float64)", "float32(float32, float32)"])
def rc(x, tau):
    return 1.0 - math.exp(-x / tau)

@vectorize(["float32(float32)"])
def lin32(x):
    return x * 2.5 + 1.0

@vectorize(["float32(float32)"])
def exp32(x):
    return np.exp(x * 0.5) + 1.0

@vectorize(["float64(float64)", "float32(float32)"])
def sinc(x):
    if x == 0.0:
        return 1.0
    return math.sin(math.pi * x) / (math.pi * x)

@vectorize(["float64(float64)", "float32(float32)"])
def response(v):
    if v < 0.0:
        return 0.0
    elif v < 0.04045:
        return v / 12.92
    else:
        return ((v + 0.055) / 1.055) ** 2.4

@vectorize(["float64(float64)"])
def gamma(v):
    return v ** 2.2

@njit
def fused(a, out):
    for i in range(a.shape[0]):
        out[i] = np.exp(np.arcsin(a[i])) + np.tanh(a[i]) * np.log(np.abs(a[i]))

@njit
def masked(a, out):
    for i in range(a.shape[0]):
        x = a[i]
        if x > a[0]:
            y = np.log(x)
        else:
            y = np.expm1(x) * np.arctan2(x, a[0])
        out[i] = y

@njit
def picked(a, out):
    for i in range(a.shape[0]):
        x = a[i]
        out[i] = np.log(x) if x > a[0] else np.arccosh(-x)

@njit
def nested(a, out):
    for i in range(a.shape[0]):
        x = a[i]
        if x > a[0]:
            y = np.log(x)
        elif x < a[1]:
            y = np.arccosh(-x) - np.power(-x, a[2])
        else:
            y = np.hypot(x, a[1])
        out[i] = y

@njit
def inplace_exp(a):
    for i in range(a.shape[0]):
        a[i] = np.exp(a[i]) - a[i] * np.arctan2(a[i], 0.5)

@njit
def chain(a, out):
    for i in range(a.shape[0]):
        out[i] = np.exp(np.arcsin(a[i]))

@njit
def chain_local(a, b, out):
    for i in range(a.shape[0]):
        t = np.sin(a[i])
        out[i] = np.arctan2(np.exp(t), b[i])

@njit
def chain_over(a, out):
    for i in range(a.shape[0]):
        out[i] = np.arctan2(np.tanh(a[i]), out[i])

@njit
def deep(a, b, out):
    for i in range(a.shape[0]):
        t = np.sin(a[i])
        u = np.exp(t) * b[i]
        out[i] = np.log1p(np.abs(u)) + np.cos(t) - np.tanh(np.arctan(u) * 0.5)

@njit
def chain_inplace(a):
    for i in range(a.shape[0]):
        a[i] = np.log1p(np.cbrt(a[i]) ** 2.2)

@stencil
def wave(a):
    return np.sin(a[-1]) * np.cos(a[1]) + np.exp(a[0] * a[1])

@njit
def waves(a):
    return wave(a)
"#;
    src
}

fn math_kernel(name: &str, args: &[Value]) -> Program {
    let m = Module::parse(&math_kernels()).unwrap_or_else(|e| panic!("{e:?}"));
    let tys: Vec<Ty> = args.iter().map(exec::type_of).collect();
    m.compile(name, &tys)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

/// Runs math kernel `name` both ways (they must agree to the bit) and gives the module's
/// text and its vmath imports.
fn run_math(name: &str, args: &[Value]) -> (String, Vec<String>) {
    let p = math_kernel(name, args);
    let m = harness::compile(&p).unwrap_or_else(|u| panic!("{u}\n{p}"));
    let want = harness::reference(&p, args);
    let (got, _) = harness::compiled_fuel(&m, args);
    assert_eq!(got, want, "compiled and executor differ on {name}");
    (
        wasm::to_text(&m.bytes).expect("prints"),
        harness::vmath_imports(&m),
    )
}

/// Edge values for the transcendentals' slow paths, then `n` values of every kind:
/// ordinary ones in several ranges and random bit patterns (subnormals, huge values,
/// NaNs with payloads).
fn math_values(n: usize, seed: u64) -> Vec<f64> {
    const EDGE: [f64; 40] = [
        f64::NAN,
        -f64::NAN,
        0.0,
        -0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1.0,
        -1.0,
        0.5,
        -0.5,
        1.0000001,
        -0.9999999,
        5e-324,
        -5e-324,
        2.2250738585072014e-308,
        1e-310,
        1e-20,
        -1e-20,
        709.78,
        709.79,
        710.0,
        -745.13,
        -745.14,
        -708.4,
        88.72,
        88.73,
        -103.9,
        1e22,
        -1e22,
        1.7976931348623157e308,
        -1.7976931348623157e308,
        3.141592653589793,
        1.5707963267948966,
        1e6,
        -1e9,
        0.7,
        2.0,
        19.5,
        -19.5,
        1e-8,
    ];
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut v: Vec<f64> = EDGE
        .iter()
        .copied()
        .cycle()
        .skip(seed as usize % 7)
        .take(40)
        .collect();
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let u = (x >> 11) as f64 / (1u64 << 53) as f64;
        v.push(match i % 5 {
            0 => u * 20.0 - 10.0,
            1 => u * 2.0 - 1.0,
            2 => f64::from_bits(x),
            3 => (u * 1400.0 - 700.0).exp2() * if x & 1 == 0 { 1.0 } else { -1.0 },
            _ => u * 1000.0 - 500.0,
        });
    }
    v
}

fn math_arr(n: usize, seed: u64, f32: bool) -> Value {
    let mut v = math_values(n, seed);
    v.truncate(n);
    let buf = if f32 {
        Buffer::F32(v.iter().map(|&x| x as f32).collect())
    } else {
        Buffer::F64(v)
    };
    Value::Array(ArrayValue::from_buffer(buf, vec![n]))
}

/// The lane function of `op` is in the module of a loop that computes it, with the
/// dtype's lanes, and the loop gives the executor's bits at every length.
#[test]
fn transcendentals_run_on_lanes_with_the_scalar_bits() {
    for f32 in [false, true] {
        let (lanes, t, x) = if f32 {
            (4, "f32", "f32x4.")
        } else {
            (2, "f64", "f64x2.")
        };
        for (k, n) in [1usize, 2, 3, 4, 5, 7, 9, 41, 1200].into_iter().enumerate() {
            let s = k as u64 * 3;
            let check = |name: &str, import: &str, args: &[Value]| {
                let strips = harness::BLOCKS.with(std::cell::Cell::get);
                let (text, imports) = run_math(name, args);
                // `out[i] = f(a[i])` over 1200 elements: one block call per strip, from
                // the arrays in place (several strips, the last one partial).
                let ran = harness::BLOCKS.with(std::cell::Cell::get) - strips;
                if n == 1200 && !import.is_empty() {
                    assert!(ran >= 2, "{name} ({t}): {ran} strips");
                }
                if n >= 4 {
                    assert!(
                        text.contains(x) || text.contains("v128.load"),
                        "{name} ({t}) has no lanes"
                    );
                    let want = format!("nw_vmath{lanes}_{import}_{t}");
                    if !import.is_empty() {
                        assert!(imports.contains(&want), "{name} ({t}) imports {imports:?}");
                    }
                }
            };
            for op in UNARY_MATH {
                check(
                    &format!("u_{op}"),
                    op,
                    &[math_arr(n, s, f32), math_arr(n, 0, f32)],
                );
            }
            for (op, import) in BINARY_MATH {
                check(
                    &format!("b_{op}"),
                    import,
                    &[
                        math_arr(n, s + 1, f32),
                        math_arr(n, s + 2, f32),
                        math_arr(n, 0, f32),
                    ],
                );
            }
            for (i, p) in POWERS.iter().enumerate() {
                let import = if *p == "2.0" { "" } else { "pow_const" };
                let name = if f32 {
                    format!("q_{i}")
                } else {
                    format!("p_{i}")
                };
                check(
                    &name,
                    import,
                    &[math_arr(n, s + 3, f32), math_arr(n, 0, f32)],
                );
            }
        }
    }
}

/// Formulas with math calls, branches as selects, a `@vectorize` division and a stencil
/// run on lanes and give the executor's bits.
#[test]
fn math_formulas_run_on_lanes_with_the_scalar_bits() {
    for f32 in [false, true] {
        let x = if f32 { "f32x4." } else { "f64x2." };
        for n in [3usize, 8, 101, 1200] {
            let a = math_arr(n, n as u64, f32);
            let b = math_arr(n, n as u64 + 1, f32);
            let o = math_arr(n, 0, f32);
            // Ordinary values, where `@vectorize`'s `/` meets no zero divisor and the
            // whole range runs on lanes.
            let tau = Value::Array(ArrayValue::from_buffer(
                if f32 {
                    Buffer::F32((0..n).map(|i| 0.5 + i as f32 * 0.25).collect())
                } else {
                    Buffer::F64((0..n).map(|i| 0.5 + i as f64 * 0.25).collect())
                },
                vec![n],
            ));
            for (name, args) in [
                ("rc", vec![a.clone(), tau.clone(), o.clone()]),
                ("rc", vec![a.clone(), b.clone(), o.clone()]),
                ("sinc", vec![a.clone(), o.clone()]),
                ("response", vec![a.clone(), o.clone()]),
                ("fused", vec![a.clone(), o.clone()]),
                ("masked", vec![a.clone(), o.clone()]),
                ("picked", vec![a.clone(), o.clone()]),
                ("nested", vec![a.clone(), o.clone()]),
                ("waves", vec![a.clone()]),
                // Operands read in place by the block function, results stored over them.
                ("inplace_exp", vec![a.clone()]),
                // Chains of calls: each a block call per strip, the inner results in the
                // scratch (one of them reading the stored array, one storing over its
                // operand).
                ("chain", vec![a.clone(), o.clone()]),
                ("chain_local", vec![a.clone(), b.clone(), o.clone()]),
                ("chain_over", vec![a.clone(), b.clone()]),
                ("chain_inplace", vec![a.clone()]),
                ("deep", vec![a.clone(), b.clone(), o.clone()]),
            ] {
                let strips = harness::BLOCKS.with(std::cell::Cell::get);
                let (text, imports) = run_math(name, &args);
                // A long loop runs its calls over strips (several here, the last one
                // partial), through the block function, with the same bits; calls taking
                // other calls' results (`fused`, `deep`) a pass per level.
                let ran = harness::BLOCKS.with(std::cell::Cell::get) - strips;
                let mixed = f32
                    && [
                        "rc",
                        "sinc",
                        "response",
                        "inplace_exp",
                        "chain_inplace",
                        "deep",
                    ]
                    .contains(&name);
                if n == 1200 && !mixed {
                    assert!(ran >= 2, "{name} ({x}): {ran} strips");
                    assert!(
                        imports.iter().any(|i| i.starts_with("nw_vblock_")),
                        "{imports:?}"
                    );
                }
                // These compute float32 in float64 (their float literals and `math` calls
                // are float64), and a conversion keeps a loop scalar.
                assert!(
                    mixed || text.contains(x) || text.contains("v128.load"),
                    "{name} ({x}) has no lanes"
                );
            }
            if !f32 {
                let (_, imports) = run_math("gamma", &[a.clone(), o.clone()]);
                assert!(
                    imports.contains(&"nw_vmath2_pow_const_f64".to_owned()),
                    "{imports:?}"
                );
            }
        }
    }
}

/// float32 ufuncs whose bodies Numba types through float64 (float literals): the element
/// loaded and promoted in lanes, the float64 result demoted in lanes at the store, with
/// the executor's bits (NaN payloads, overflow to infinity, subnormal results), over
/// strips in a long loop.
#[test]
fn float32_ufuncs_typed_through_float64_run_on_float64_lanes() {
    for n in [1usize, 3, 8, 101, 1200] {
        let a = math_arr(n, n as u64 + 7, true);
        let o = math_arr(n, 0, true);
        for name in ["lin32", "exp32"] {
            let strips = harness::BLOCKS.with(std::cell::Cell::get);
            let (text, _) = run_math(name, &[a.clone(), o.clone()]);
            let ran = harness::BLOCKS.with(std::cell::Cell::get) - strips;
            assert!(
                text.contains("f64x2.promote_low_f32x4")
                    && text.contains("f32x4.demote_f64x2_zero"),
                "{name}: not on float64 lanes"
            );
            if name == "exp32" && n == 1200 {
                assert!(ran >= 2, "{name}: {ran} strips");
            }
        }
    }
}

/// An array of `n` elements of `dtype` from integer pattern values (every value of a
/// narrow dtype, its extremes among them).
fn int_arr(n: usize, seed: u64, dtype: &str) -> Value {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let v: Vec<i64> = (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as i64
        })
        .collect();
    let buf = match dtype {
        "u8" => Buffer::U8(v.iter().map(|&x| x as u8).collect()),
        "i8" => Buffer::I8(v.iter().map(|&x| x as i8).collect()),
        "i16" => Buffer::I16(v.iter().map(|&x| x as i16).collect()),
        "u16" => Buffer::U16(v.iter().map(|&x| x as u16).collect()),
        "i32" => Buffer::I32(v.iter().map(|&x| x as i32).collect()),
        "u32" => Buffer::U32(v.iter().map(|&x| x as u32).collect()),
        "f32" => Buffer::F32(v.iter().map(|&x| (x % 100_000) as f32 / 7.0).collect()),
        _ => unreachable!("a dtype of the test"),
    };
    Value::Array(ArrayValue::from_buffer(buf, vec![n]))
}

/// Reductions `s += f(a[i])` (and `-=`, `*=` from either side, `/=`) run their elements on
/// lanes and fold them into the scalar in iteration order: the executor's bits, NaN
/// payloads and infinities included; an accumulator read elsewhere in the body, or
/// updated under a branch, keeps the scalar loop. Loads of narrower arrays (`uint8` to
/// float64, `int16` to float32 ...) convert in lanes; the stencil's relative indices (a
/// negative offset guarded to stay out of range) step in lanes too.
#[test]
fn reductions_and_narrow_loads_run_on_lanes_with_the_scalar_bits() {
    for f32 in [false, true] {
        for n in [0usize, 1, 2, 3, 4, 5, 8, 33, 101, 1200] {
            let s = n as u64;
            let a = math_arr(n, s, f32);
            let b = math_arr(n, s + 1, f32);
            run_math("r_exp", &[a.clone()]);
            run_math("r_mix", &[a.clone(), b.clone()]);
            run_math("r_store", &[a.clone(), math_arr(n, 0, f32)]);
            run_math("r_read", &[a.clone(), math_arr(n, 0, f32)]);
            run_math("r_branch", &[a.clone()]);
            run_math("r_deep", &[a.clone()]);
        }
    }
    for n in [0usize, 1, 2, 3, 4, 5, 8, 33, 101, 1200] {
        let s = n as u64;
        for d in ["u8", "i8", "i16", "u16", "i32", "u32", "f32"] {
            run_math("r_narrow", &[int_arr(n, s, d)]);
            run_math(
                "narrow_map",
                &[
                    int_arr(n, s + 1, d),
                    math_arr(n, s, false),
                    math_arr(n, 0, false),
                ],
            );
            if d != "f32" {
                run_math("r_narrow32", &[int_arr(n, s + 2, d)]);
            }
        }
    }
    let (a, o) = (math_arr(64, 1, false), math_arr(64, 0, false));
    for (name, args) in [
        ("r_exp", vec![a.clone()]),
        ("r_mix", vec![a.clone(), a.clone()]),
        ("r_store", vec![a.clone(), o.clone()]),
        ("r_narrow", vec![int_arr(64, 1, "u8")]),
        ("r_narrow32", vec![int_arr(64, 1, "i16")]),
        (
            "narrow_map",
            vec![int_arr(64, 1, "i32"), a.clone(), o.clone()],
        ),
        (
            "narrow_map",
            vec![int_arr(64, 1, "f32"), a.clone(), o.clone()],
        ),
    ] {
        let (text, _) = run_math(name, &args);
        assert!(
            text.contains("v128.load"),
            "{name} on {args:?} has no lanes"
        );
    }
    for (name, args) in [
        ("r_read", vec![a.clone(), o.clone()]),
        ("r_branch", vec![a.clone()]),
    ] {
        let (text, _) = run_math(name, &args);
        assert!(!text.contains("v128.load"), "{name} on {args:?} has lanes");
    }
    // The lanes ran (over strips, a long loop): a contiguous operand, not a strided view.
    let strided8 = |n: usize| {
        let Value::Array(x) = int_arr(2 * n, 3, "u8") else {
            unreachable!()
        };
        Value::Array(ArrayValue {
            strides: vec![2],
            shape: vec![n],
            ..x
        })
    };
    let strips = |args: &[Value]| {
        let before = harness::BLOCKS.with(std::cell::Cell::get);
        run_math("r_narrow", args);
        harness::BLOCKS.with(std::cell::Cell::get) - before
    };
    assert!(strips(&[int_arr(1200, 3, "u8")]) >= 2);
    // A reduction whose calls take another call's result: a pass per level.
    let before = harness::BLOCKS.with(std::cell::Cell::get);
    run_math("r_deep", &[math_arr(1200, 5, false)]);
    assert!(harness::BLOCKS.with(std::cell::Cell::get) - before >= 4);
    assert_eq!(strips(&[strided8(1200)]), 0);
    // The gamma blur (a stencil of relative indices over a uint8 image) at sizes whose
    // rows leave a partial vector, and where the border is all there is.
    for (r, c) in [(1, 1), (4, 4), (5, 6), (9, 13), (12, 31)] {
        let Value::Array(x) = int_arr(r * c, (r * c) as u64, "u8") else {
            unreachable!()
        };
        let img = Value::Array(ArrayValue {
            shape: vec![r, c],
            strides: vec![c as isize, 1],
            ..x
        });
        let (text, _) = run_math("blur", &[img]);
        assert!(
            text.contains("v128.load16_lane"),
            "the blur has no uint8 lanes"
        );
    }
    // The seed blur's 21-element rows are short loops that still run over strips (one
    // block call per row for its ten vectors), with the float64 sums' bits.
    let Value::Array(x) = int_arr(5 * 40, 9, "u8") else {
        unreachable!()
    };
    let img = Value::Array(ArrayValue {
        shape: vec![5, 40],
        strides: vec![40, 1],
        ..x
    });
    let before = harness::BLOCKS.with(std::cell::Cell::get);
    run_math("wide", &[img]);
    let ran = harness::BLOCKS.with(std::cell::Cell::get) - before;
    // 3 rows of 20 pixels, 3 neighbourhood rows each.
    assert_eq!(ran, 3 * 20 * 3, "{ran} strips");
}
