//! Every scalar operation of the compiled subset, on every dtype it computes in, over a
//! table of edge values (zeros of both signs, one, minus one, the extremes, shift widths,
//! NaNs of both signs and with a payload, infinities, subnormals, values past the integer
//! ranges and where `exp` overflows), returned directly so that nothing downstream can
//! hide a difference: `Binary`, `Unary` (the transcendentals included, which call the
//! engine's vmath), a float power with a constant exponent, `Cast` between all pairs of
//! dtypes, and `PyDiv`.

use numwasm::kir::exec::Value;
use numwasm::kir::{Expr, Function, Program, Stmt, Ty};
use numwasm::syntax::Span;
use numwasm::types::{BinaryOp, DType, Scalar, UnaryOp, binary_signature, unary_signature};

use crate::harness;

/// The edge values of a dtype.
fn values(d: DType) -> Vec<Scalar> {
    if d.is_float() {
        return [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.49,
            2.5,
            -3.5,
            300.7,
            3e9,
            -3e9,
            9.3e18,
            1e19,
            -1e19,
            1.8e19,
            1e300,
            -1e300,
            5e-324,
            -2.5e-310,
            f64::MIN_POSITIVE,
            1e-40,
            709.8,
            -745.2,
            88.8,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
            f64::from_bits(0x7ff8_0000_0000_0001),
        ]
        .into_iter()
        .map(|x| Scalar::F64(x).cast(d))
        .collect();
    }
    let (lo, hi) = d.int_range().expect("an integer range");
    let mut v: Vec<i128> = vec![0, 1, -1, 2, -2, 3, 7, 8, 15, 16, 31, 32, 63, 64, 100, -100];
    v.extend([lo, lo + 1, hi, hi - 1]);
    let mut out: Vec<Scalar> = Vec::new();
    for x in v {
        let s = Scalar::from_i128(x, d);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

fn sp(k: u32) -> Span {
    Span {
        start: k,
        end: k + 1,
    }
}

/// `fn f(x: d, y: d) -> result { return <e(x, y)> }`.
fn two(
    d: DType,
    result: DType,
    e: impl Fn(numwasm::kir::ExprId, numwasm::kir::ExprId) -> Expr,
) -> Program {
    let mut f = Function::new("f", Ty::Scalar(result));
    let x = f.param("x", Ty::Scalar(d));
    let y = f.param("y", Ty::Scalar(d));
    let ex = f.expr(Expr::Local(x), Ty::Scalar(d), sp(1));
    let ey = f.expr(Expr::Local(y), Ty::Scalar(d), sp(2));
    let r = f.expr(e(ex, ey), Ty::Scalar(result), sp(3));
    f.body = vec![Stmt::Return(Some(r))];
    let mut p = Program::default();
    p.add(f);
    p
}

/// `fn f(x: d) -> result { return <e(x)> }`.
fn one(d: DType, result: DType, e: impl Fn(numwasm::kir::ExprId) -> Expr) -> Program {
    let mut f = Function::new("f", Ty::Scalar(result));
    let x = f.param("x", Ty::Scalar(d));
    let ex = f.expr(Expr::Local(x), Ty::Scalar(d), sp(1));
    let r = f.expr(e(ex), Ty::Scalar(result), sp(2));
    f.body = vec![Stmt::Return(Some(r))];
    let mut p = Program::default();
    p.add(f);
    p
}

const BINARY: [BinaryOp; 23] = [
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::TrueDiv,
    BinaryOp::FloorDiv,
    BinaryOp::Mod,
    BinaryOp::Pow,
    BinaryOp::Shl,
    BinaryOp::Shr,
    BinaryOp::And,
    BinaryOp::Or,
    BinaryOp::Xor,
    BinaryOp::Maximum,
    BinaryOp::Minimum,
    BinaryOp::Fmax,
    BinaryOp::Fmin,
    BinaryOp::Fmod,
    BinaryOp::Arctan2,
    BinaryOp::Hypot,
    BinaryOp::Nextafter,
    BinaryOp::Copysign,
    BinaryOp::Lt,
    BinaryOp::Ne,
];

const COMPARISONS: [BinaryOp; 4] = [BinaryOp::Le, BinaryOp::Eq, BinaryOp::Ge, BinaryOp::Gt];

/// Runs `p` on every pair (or every value) of `d`'s table.
fn each(p: &Program, d: DType, arity: usize) -> usize {
    let vs = values(d);
    let mut n = 0;
    if arity == 1 {
        for &x in &vs {
            harness::differential(p, &[Value::Scalar(x)]);
            n += 1;
        }
    } else {
        for &x in &vs {
            for &y in &vs {
                harness::differential(p, &[Value::Scalar(x), Value::Scalar(y)]);
                n += 1;
            }
        }
    }
    n
}

#[test]
fn binary_operations_on_every_dtype() {
    let mut runs = 0;
    for op in BINARY.into_iter().chain(COMPARISONS) {
        for d in DType::ALL {
            if !matches!(binary_signature(op, d), Ok((c, _)) if c == d) {
                continue;
            }
            let result = if op.is_comparison() { DType::Bool } else { d };
            let p = two(d, result, |a, b| Expr::Binary(op, a, b));
            runs += each(&p, d, 2);
        }
    }
    assert!(runs > 30_000, "{runs} runs");
}

/// `x ** k` with `k` a constant: the executor's constant-power kernel (integer and
/// half-integer exponents square and multiply), not pow.
#[test]
fn float_power_with_a_constant_exponent() {
    let mut runs = 0;
    for d in [DType::F64, DType::F32] {
        let mut ks = values(d);
        ks.extend(
            [
                3.0,
                -2.0,
                0.5,
                -0.5,
                1.5,
                7.0,
                40.5,
                64.5,
                65.0,
                2.0,
                1.0 / 3.0,
            ]
            .map(|k| Scalar::F64(k).cast(d)),
        );
        for k in ks {
            let mut f = Function::new("f", Ty::Scalar(d));
            let x = f.param("x", Ty::Scalar(d));
            let ex = f.expr(Expr::Local(x), Ty::Scalar(d), sp(1));
            let ek = f.expr(Expr::Const(k), Ty::Scalar(d), sp(2));
            let r = f.expr(Expr::Binary(BinaryOp::Pow, ex, ek), Ty::Scalar(d), sp(3));
            f.body = vec![Stmt::Return(Some(r))];
            let mut p = Program::default();
            p.add(f);
            runs += each(&p, d, 1);
        }
    }
    assert!(runs > 1_500, "{runs} runs");
}

#[test]
fn unary_operations_on_every_dtype() {
    let ops = [
        UnaryOp::Neg,
        UnaryOp::Invert,
        UnaryOp::Abs,
        UnaryOp::Sqrt,
        UnaryOp::Ceil,
        UnaryOp::Floor,
        UnaryOp::Trunc,
        UnaryOp::Rint,
        UnaryOp::Sign,
        UnaryOp::Square,
        UnaryOp::Reciprocal,
        UnaryOp::One,
        UnaryOp::Zero,
        UnaryOp::IsNan,
        UnaryOp::IsFinite,
        UnaryOp::IsInf,
        UnaryOp::Signbit,
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
    let mut runs = 0;
    for op in ops {
        for d in DType::ALL {
            if !matches!(unary_signature(op, d), Ok((c, _)) if c == d) {
                continue;
            }
            let result = if op.is_predicate() { DType::Bool } else { d };
            let p = one(d, result, |a| Expr::Unary(op, a));
            runs += each(&p, d, 1);
        }
    }
    assert!(runs > 2_500, "{runs} runs");
}

#[test]
fn casts_between_every_pair_of_dtypes() {
    for from in DType::ALL {
        for to in DType::ALL {
            let p = one(from, to, |a| Expr::Cast(a, to));
            each(&p, from, 1);
        }
    }
}

#[test]
fn python_division_and_integer_power() {
    for d in DType::ALL {
        let ops: &[(BinaryOp, DType)] = if d.is_float() {
            &[
                (BinaryOp::TrueDiv, d),
                (BinaryOp::FloorDiv, d),
                (BinaryOp::Mod, d),
            ]
        } else if d == DType::Bool {
            &[]
        } else {
            &[
                (BinaryOp::TrueDiv, DType::F64),
                (BinaryOp::FloorDiv, d),
                (BinaryOp::Mod, d),
                (BinaryOp::Pow, d),
            ]
        };
        for &(op, rd) in ops {
            let p = two(d, rd, |a, b| Expr::PyDiv(op, a, b));
            each(&p, d, 2);
        }
    }
}
