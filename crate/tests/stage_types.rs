//! The types stage: NumPy 2's promotion table and NEP 50 weak Python scalars, spot-checked
//! against NumPy 2's documented results, and `types::math::OneLane` (one element, used by
//! constant folding and the reference evaluator) agreeing with the block loops the VM runs.
#![cfg(not(target_arch = "wasm32"))]

use numwasm::api::{ErrorKind, InputKind, Signature, compile};
use numwasm::ir::fold_unary;
use numwasm::types::math::{
    OneLane, binary_f32, binary_f64, binary_k_f32, binary_k_f64, k_binary_f32, k_binary_f64,
    unary_f32, unary_f64,
};
use numwasm::types::{BinaryOp, DType, PyScalar, Scalar, UnaryOp, promote};

use DType::{Bool, F32, F64, I8, I16, I32, I64, U8, U16, U32, U64};

#[test]
fn promotion_table_matches_numpy() {
    // np.result_type(a, b) in NumPy 2.
    let facts = [
        (I8, U8, I16),
        (I16, U16, I32),
        (I32, U32, I64),
        (I64, U64, F64),
        (U8, I64, I64),
        (U16, I8, I32),
        (U32, I64, I64),
        (U64, I8, F64),
        (U8, U64, U64),
        (I8, I64, I64),
        (Bool, I8, I8),
        (Bool, U64, U64),
        (Bool, F32, F32),
        (F32, I8, F32),
        (F32, U8, F32),
        (F32, I16, F32),
        (F32, U16, F32),
        (F32, I32, F64),
        (F32, U32, F64),
        (F32, I64, F64),
        (F32, U64, F64),
        (F32, F64, F64),
        (F64, I64, F64),
    ];
    for (a, b, want) in facts {
        assert_eq!(promote(a, b), want, "{a} + {b}");
        assert_eq!(promote(b, a), want, "{b} + {a}");
    }
}

#[test]
fn promotion_is_symmetric_and_never_loses_range() {
    for a in DType::ALL {
        assert_eq!(promote(a, a), a);
        assert_eq!(promote(Bool, a), a, "bool promotes to anything");
        for b in DType::ALL {
            let r = promote(a, b);
            assert_eq!(r, promote(b, a), "{a} {b}");
            // An integer result holds both ranges; a float32 result holds every integer
            // operand exactly (at most 16 bits); two integers give a float only for
            // uint64 with a signed integer, which no integer dtype holds.
            match r.int_range() {
                Some((lo, hi)) if r != Bool => {
                    for d in [a, b] {
                        let (dl, dh) = d.int_range().expect("integer operands");
                        assert!(lo <= dl && dh <= hi, "{a} + {b} = {r}");
                    }
                }
                _ if r == F32 => {
                    for d in [a, b] {
                        assert!(d.is_float() || d.size() <= 2, "{a} + {b} = {r}");
                    }
                }
                _ if r == F64 && a.is_int() && b.is_int() => {
                    assert!(
                        (a == U64 && b.is_signed_int()) || (b == U64 && a.is_signed_int()),
                        "{a} + {b} = {r}"
                    );
                }
                _ => {}
            }
        }
    }
}

/// The outcome of compiling `source` over `x: d[3]` (and `y: dy[3]` when given), plus the
/// Python int scalar input `s = 2`.
fn outcome(d: DType, dy: Option<DType>, source: &str) -> Result<DType, (ErrorKind, String)> {
    let arr = |dtype| InputKind::Array {
        dtype,
        shape: vec![3],
    };
    let mut inputs = vec![
        ("x".to_string(), arr(d)),
        ("s".to_string(), InputKind::Scalar(PyScalar::Int(2))),
    ];
    if let Some(dy) = dy {
        inputs.push(("y".to_string(), arr(dy)));
    }
    compile(source, &Signature { inputs })
        .map(|c| c.output().0)
        .map_err(|e| (e.kind, e.message))
}

#[test]
fn weak_python_scalars_follow_nep50() {
    // (array dtype, expression, NumPy 2's result dtype)
    let ok = [
        (I8, "x + 1", I8),
        (I8, "x + s", I8),
        (I8, "x + 1.5", F64),
        (I16, "x * 2.0", F64),
        (U64, "x + 1", U64),
        (F32, "x + 1.5", F32),
        (F32, "x + 1", F32),
        (F32, "x * 1e300", F32),
        (F32, "x ** 2", F32),
        (Bool, "x + 1", I64),
        (Bool, "x + True", Bool),
        (Bool, "x + 1.5", F64),
        (Bool, "x & 1", I64),
        // Comparisons with an out-of-range Python int are answered, not an error.
        (U8, "x < 300", Bool),
        (I8, "x == 1000", Bool),
        // True division of integers is float64; floor division keeps the dtype.
        (U8, "x / 2", F64),
        (I32, "x // 2", I32),
        // Two Python scalars follow Python, then get NumPy's default dtype.
        (I8, "1 + 1.5", F64),
        (I8, "2 + 3", I64),
    ];
    for (d, src, want) in ok {
        assert_eq!(outcome(d, None, src), Ok(want), "{d}: {src}");
    }
    let overflow = |v: &str, d: &str| {
        Err((
            ErrorKind::OverflowError,
            format!("Python integer {v} out of bounds for {d}"),
        ))
    };
    assert_eq!(outcome(U8, None, "x + 300"), overflow("300", "uint8"));
    assert_eq!(outcome(U8, None, "x + -1"), overflow("-1", "uint8"));
    assert_eq!(outcome(I8, None, "x * 128"), overflow("128", "int8"));
    assert_eq!(
        outcome(I64, None, "x + 9223372036854775808"),
        overflow("9223372036854775808", "int64")
    );
    assert_eq!(
        outcome(I64, None, "x + 2**70"),
        overflow("1180591620717411303424", "int64")
    );
}

#[test]
fn strong_operands_and_functions_follow_numpy() {
    let two = [
        (U8, I8, "x + y", I16),
        (I64, U64, "x + y", F64),
        (U16, I16, "x * y", I32),
        (F32, I32, "x - y", F64),
        (F32, I16, "x - y", F32),
        (Bool, U8, "x + y", U8),
        (I8, I8, "x / y", F64),
    ];
    for (a, b, src, want) in two {
        assert_eq!(outcome(a, Some(b), src), Ok(want), "{a}, {b}: {src}");
    }
    // Float functions of integers: float32 up to 16 bits, float64 above.
    let one = [
        (I16, "sqrt(x)", F32),
        (U16, "sin(x)", F32),
        (I32, "sqrt(x)", F64),
        (I64, "exp(x)", F64),
        (F32, "exp(x)", F32),
        // Reductions: small integers accumulate in 64 bits of their signedness.
        (I8, "sum(x)", I64),
        (U8, "sum(x)", U64),
        (Bool, "sum(x)", I64),
        (I16, "prod(x)", I64),
        (F32, "sum(x)", F32),
        (I32, "mean(x)", F64),
        (F32, "mean(x)", F32),
        (I8, "max(x)", I8),
        (F64, "any(x)", Bool),
    ];
    for (d, src, want) in one {
        assert_eq!(outcome(d, None, src), Ok(want), "{d}: {src}");
    }
}

#[test]
fn operations_numpy_rejects_are_errors() {
    let type_error = |m: &str| Err((ErrorKind::TypeError, m.to_string()));
    assert_eq!(
        outcome(Bool, None, "x - x"),
        type_error(
            "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead."
        )
    );
    assert_eq!(
        outcome(Bool, None, "-x"),
        type_error(
            "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the logical_not function instead."
        )
    );
    let ufunc = |name: &str| {
        type_error(&format!(
            "ufunc '{name}' not supported for the input types, and the inputs could not be safely coerced to any supported types according to the casting rule ''safe''"
        ))
    };
    assert_eq!(outcome(F64, None, "x << 1"), ufunc("left_shift"));
    assert_eq!(outcome(F32, None, "~x"), ufunc("invert"));
    assert_eq!(outcome(F64, Some(I32), "x & y"), ufunc("bitwise_and"));
    assert_eq!(
        outcome(I8, None, "x ** -1"),
        Err((
            ErrorKind::ValueError,
            "Integers to negative integer powers are not allowed.".to_string()
        ))
    );
}

/// The float functions with a lane kernel (`types::math`'s table).
const UNARY: [UnaryOp; 21] = [
    UnaryOp::Sqrt,
    UnaryOp::Sin,
    UnaryOp::Cos,
    UnaryOp::Tan,
    UnaryOp::Arcsin,
    UnaryOp::Arccos,
    UnaryOp::Arctan,
    UnaryOp::Sinh,
    UnaryOp::Cosh,
    UnaryOp::Tanh,
    UnaryOp::Arcsinh,
    UnaryOp::Arccosh,
    UnaryOp::Arctanh,
    UnaryOp::Log,
    UnaryOp::Log1p,
    UnaryOp::Log10,
    UnaryOp::Log2,
    UnaryOp::Exp,
    UnaryOp::Exp2,
    UnaryOp::Expm1,
    UnaryOp::Cbrt,
];

const BINARY: [BinaryOp; 8] = [
    BinaryOp::Pow,
    BinaryOp::Arctan2,
    BinaryOp::Hypot,
    BinaryOp::Copysign,
    BinaryOp::Nextafter,
    BinaryOp::Fmod,
    BinaryOp::Mod,
    BinaryOp::FloorDiv,
];

const SPECIAL: [f64; 18] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.0,
    3.0,
    0.1,
    100.0,
    1e-310,
    1e-20,
    1e300,
    -1e300,
    710.0,
    -745.5,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

const LENGTHS: [usize; 11] = [1, 2, 3, 4, 5, 7, 8, 9, 16, 17, 33];

fn same(x: f64, y: f64) -> bool {
    x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())
}

/// Arrays of length `n` of ordinary values with one special value at `pos` (and a second
/// one further on), for every special value and position.
fn arrays(mut each: impl FnMut(usize, usize, &[f64], &[f64])) {
    let ordinary = |i: usize, phase: f64| 0.75 + ((i as f64 + phase) * 0.37).sin() * 0.5;
    for n in LENGTHS {
        for pos in 0..n {
            for (s, &u) in SPECIAL.iter().enumerate() {
                let second = (pos * 7 + 5) % n;
                let x: Vec<f64> = (0..n)
                    .map(|i| {
                        if i == pos || i == second {
                            u
                        } else {
                            ordinary(i, 0.0)
                        }
                    })
                    .collect();
                let v = SPECIAL[(s * 5 + 3) % SPECIAL.len()];
                let y: Vec<f64> = (0..n)
                    .map(|i| {
                        if i == (pos * 3 + 1) % n {
                            v
                        } else {
                            1.6 - ordinary(i, 0.5)
                        }
                    })
                    .collect();
                each(n, pos, &x, &y);
            }
        }
    }
}

#[test]
fn one_lane_unary_agrees_with_the_block_loops() {
    for op in UNARY {
        let mut finite_seen = false;
        arrays(|n, pos, x, _| {
            let mut out = vec![0.0; n];
            // SAFETY: `x` and `out` hold `n` elements.
            unsafe { unary_f64(op, x.as_ptr(), out.as_mut_ptr(), n) };
            for i in 0..n {
                let alone = f64::unary_one(op, x[i]);
                finite_seen |= alone.is_finite();
                assert!(same(out[i], alone), "{op:?} f64 n={n} pos={pos} x={}", x[i]);
                // Constant folding computes the same bits.
                let folded = fold_unary(op, Scalar::F64(x[i]));
                assert!(same(folded.to_f64(), alone), "{op:?} folded x={}", x[i]);
            }
            let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
            let mut out32 = vec![0.0f32; n];
            // SAFETY: as above.
            unsafe { unary_f32(op, x32.as_ptr(), out32.as_mut_ptr(), n) };
            for i in 0..n {
                let alone = f32::unary_one(op, x32[i]);
                assert!(
                    same(f64::from(out32[i]), f64::from(alone)),
                    "{op:?} f32 n={n} pos={pos} x={}",
                    x32[i]
                );
            }
        });
        // A kernel that returned NaN for everything would agree with itself.
        assert!(finite_seen, "{op:?} never gave a finite value");
    }
}

/// Many ordinary values through one long block loop each: a one-element path that took
/// another route (pow instead of the integer-power kernel, a fast path instead of the full
/// function) differs from the loop in the last bit somewhere among them.
#[test]
fn one_lane_agrees_with_the_block_loops_on_many_values() {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let x: Vec<f64> = (0..4096)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            (0.5 + u) * 2f64.powi((state % 16) as i32 - 8)
        })
        .collect();
    let n = x.len();
    let mut out = vec![0.0; n];
    for op in UNARY {
        // SAFETY: `x` and `out` hold `n` elements.
        unsafe { unary_f64(op, x.as_ptr(), out.as_mut_ptr(), n) };
        for i in 0..n {
            assert!(same(out[i], f64::unary_one(op, x[i])), "{op:?} x={}", x[i]);
        }
    }
    for k in [3.0, -2.0, 1.5, 7.5, -0.5, 2.3] {
        // SAFETY: as above.
        unsafe { binary_k_f64(BinaryOp::Pow, x.as_ptr(), k, out.as_mut_ptr(), n) };
        for i in 0..n {
            let alone = f64::pow_const_one(x[i], k);
            assert!(
                same(out[i], alone),
                "x={} ** {k}: {} vs {alone}",
                x[i],
                out[i]
            );
        }
    }
    let y: Vec<f64> = x.iter().rev().map(|v| v * 1.7 - 0.9).collect();
    for op in BINARY {
        // SAFETY: every slice holds `n` elements.
        unsafe { binary_f64(op, x.as_ptr(), y.as_ptr(), out.as_mut_ptr(), n) };
        for i in 0..n {
            let alone = f64::binary_one(op, x[i], y[i]);
            assert!(same(out[i], alone), "{op:?} {} {}", x[i], y[i]);
        }
    }
}

#[test]
fn one_lane_binary_agrees_with_the_block_loops() {
    let constants = [
        2.3,
        -0.5,
        3.0,
        0.0,
        -0.0,
        7.5,
        1e-310,
        f64::INFINITY,
        f64::NAN,
    ];
    for op in BINARY {
        let mut finite_seen = false;
        arrays(|n, pos, x, y| {
            let mut out = vec![0.0; n];
            // SAFETY: every slice holds `n` elements.
            let ran = unsafe { binary_f64(op, x.as_ptr(), y.as_ptr(), out.as_mut_ptr(), n) };
            assert!(ran, "{op:?} has a lane kernel");
            for i in 0..n {
                let alone = f64::binary_one(op, x[i], y[i]);
                finite_seen |= alone.is_finite();
                assert!(
                    same(out[i], alone),
                    "{op:?} n={n} pos={pos} {} {}",
                    x[i],
                    y[i]
                );
            }
            let (x32, y32): (Vec<f32>, Vec<f32>) =
                x.iter().zip(y).map(|(&a, &b)| (a as f32, b as f32)).unzip();
            let mut out32 = vec![0.0f32; n];
            // SAFETY: as above.
            unsafe { binary_f32(op, x32.as_ptr(), y32.as_ptr(), out32.as_mut_ptr(), n) };
            for i in 0..n {
                let alone = f32::binary_one(op, x32[i], y32[i]);
                assert!(
                    same(f64::from(out32[i]), f64::from(alone)),
                    "{op:?} f32 n={n} pos={pos} {} {}",
                    x32[i],
                    y32[i]
                );
            }
            for k in constants {
                // SAFETY: as above.
                unsafe {
                    binary_k_f64(op, x.as_ptr(), k, out.as_mut_ptr(), n);
                }
                for i in 0..n {
                    // A constant exponent runs the integer-power kernel where it applies,
                    // and `pow_const_one` says what that gives for one element.
                    let alone = if op == BinaryOp::Pow {
                        f64::pow_const_one(x[i], k)
                    } else {
                        f64::binary_one(op, x[i], k)
                    };
                    assert!(same(out[i], alone), "{op:?} x={} k={k} n={n}", x[i]);
                }
                // SAFETY: as above.
                unsafe {
                    k_binary_f64(op, k, x.as_ptr(), out.as_mut_ptr(), n);
                }
                for i in 0..n {
                    let alone = f64::binary_one(op, k, x[i]);
                    assert!(same(out[i], alone), "{op:?} k={k} x={} n={n}", x[i]);
                }
                let k32 = k as f32;
                // SAFETY: as above.
                unsafe {
                    binary_k_f32(op, x32.as_ptr(), k32, out32.as_mut_ptr(), n);
                }
                for i in 0..n {
                    let alone = if op == BinaryOp::Pow {
                        f32::pow_const_one(x32[i], k32)
                    } else {
                        f32::binary_one(op, x32[i], k32)
                    };
                    assert!(
                        same(f64::from(out32[i]), f64::from(alone)),
                        "{op:?} f32 x={} k={k32}",
                        x32[i]
                    );
                }
                // SAFETY: as above.
                unsafe {
                    k_binary_f32(op, k32, x32.as_ptr(), out32.as_mut_ptr(), n);
                }
                for i in 0..n {
                    let alone = f32::binary_one(op, k32, x32[i]);
                    assert!(
                        same(f64::from(out32[i]), f64::from(alone)),
                        "{op:?} f32 k={k32} x={}",
                        x32[i]
                    );
                }
            }
        });
        assert!(finite_seen, "{op:?} never gave a finite value");
    }
}
