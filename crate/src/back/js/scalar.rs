//! Scalar values in the generated JS: literals, the storage form of each dtype, casts and
//! the element operations (`types::elem`'s semantics, written as JS expressions).
//!
//! Every function here takes its operands as JS expression text and returns JS expression
//! text in which each operand appears once (an operation that needs an operand twice calls
//! one of the runtime helpers, which V8 inlines), so operands are evaluated once and left
//! to right, as the reference executor does.

use super::Cx;
use crate::types::{BinaryOp, DType, Scalar, UnaryOp, binary_signature, unary_signature};

/// The typed array class that holds a dtype's elements.
pub(super) fn ctor(d: DType) -> &'static str {
    match d {
        DType::Bool | DType::U8 => "Uint8Array",
        DType::I8 => "Int8Array",
        DType::I16 => "Int16Array",
        DType::I32 => "Int32Array",
        DType::I64 => "BigInt64Array",
        DType::U16 => "Uint16Array",
        DType::U32 => "Uint32Array",
        DType::U64 => "BigUint64Array",
        DType::F32 => "Float32Array",
        DType::F64 => "Float64Array",
    }
}

/// Whether a dtype is held as a 64-bit integer (a double in scalar code, a bigint in its
/// typed array).
pub(super) fn is64(d: DType) -> bool {
    matches!(d, DType::I64 | DType::U64)
}

/// An element read from a typed array (`e`) as the scalar form: int64 as a number, bool
/// as a boolean.
pub(super) fn read(d: DType, e: &str) -> String {
    match d {
        DType::I64 | DType::U64 => format!("Number({e})"),
        DType::Bool => format!("({e} !== 0)"),
        _ => e.to_owned(),
    }
}

/// A scalar value as its typed array stores it.
pub(super) fn write(d: DType, e: &str) -> String {
    match d {
        DType::I64 | DType::U64 => format!("BigInt({e})"),
        DType::Bool => format!("({e} ? 1 : 0)"),
        _ => e.to_owned(),
    }
}

/// An exact JS literal for a double (String() of it parses back to the same bits).
pub(super) fn f64_lit(x: f64) -> String {
    if x.is_nan() {
        "NaN".to_owned()
    } else if x == f64::INFINITY {
        "Infinity".to_owned()
    } else if x == f64::NEG_INFINITY {
        "(-Infinity)".to_owned()
    } else if x == 0.0 && x.is_sign_negative() {
        "(-0)".to_owned()
    } else if x < 0.0 {
        format!("({x:?})")
    } else {
        format!("{x:?}")
    }
}

/// An integer literal (a double: exact below 2^53).
pub(super) fn int_lit(v: i128) -> String {
    if v < 0 {
        format!("({v})")
    } else {
        v.to_string()
    }
}

/// A constant in its scalar form.
pub(super) fn literal(s: Scalar) -> String {
    match s {
        Scalar::Bool(b) => b.to_string(),
        Scalar::F32(x) => f64_lit(f64::from(x)),
        Scalar::F64(x) => f64_lit(x),
        other => int_lit(other.to_i128()),
    }
}

/// The value of dtype `d` (a narrow integer) wrapped from an integral double.
pub(super) fn wrap(d: DType, e: &str) -> String {
    match d {
        DType::I8 => format!("(({e}) << 24 >> 24)"),
        DType::I16 => format!("(({e}) << 16 >> 16)"),
        DType::I32 => format!("(({e}) | 0)"),
        DType::U8 => format!("(({e}) & 255)"),
        DType::U16 => format!("(({e}) & 65535)"),
        DType::U32 => format!("(({e}) >>> 0)"),
        _ => e.to_owned(),
    }
}

/// Float32's rounding after an operation; nothing for float64.
fn round(d: DType, e: String) -> String {
    if d == DType::F32 {
        format!("Math.fround({e})")
    } else {
        e
    }
}

/// A scalar's truth (`if`, `while`, conditional expressions).
pub(super) fn truth(d: DType, e: &str) -> String {
    if d == DType::Bool {
        e.to_owned()
    } else {
        format!("({e} !== 0)")
    }
}

/// A conversion of scalar `e` from `from` to `to`. `numba`: `Expr::Cast`'s rule (a float
/// to an integer narrower than 64 bits goes through int64 and wraps); otherwise NumPy's
/// unsafe cast (`Scalar::cast`: saturating where the value does not fit).
pub(super) fn cast(cx: &mut Cx, from: DType, to: DType, e: &str, numba: bool) -> String {
    if from == to {
        return e.to_owned();
    }
    if to == DType::Bool {
        return format!("({e} !== 0)");
    }
    if from == DType::Bool {
        let one = format!("({e} ? 1 : 0)");
        return one;
    }
    if to.is_float() {
        // Integers and float64 to float32 round once; anything to float64 is exact.
        return if to == DType::F32 {
            format!("Math.fround({e})")
        } else {
            e.to_owned()
        };
    }
    // To an integer.
    if from.is_float() {
        if numba && to.size() < 8 {
            cx.helper("f2i");
            return wrap(to, &format!("$f2i({e})"));
        }
        let (lo, hi) = match to {
            DType::I64 => (
                "(-9223372036854775808)".to_owned(),
                "9223372036854775808".to_owned(),
            ),
            DType::U64 => ("0".to_owned(), "18446744073709551616".to_owned()),
            d => {
                let (lo, hi) = d.int_range().unwrap_or((0, 0));
                (int_lit(lo), int_lit(hi))
            }
        };
        cx.helper("sat");
        return format!("$sat({e}, {lo}, {hi})");
    }
    // Integer to integer: wraps.
    match to {
        DType::I64 if from == DType::U64 => {
            cx.helper("u2i64");
            format!("$u2i64({e})")
        }
        DType::U64 if from.is_signed_int() => {
            cx.helper("i2u64");
            format!("$i2u64({e})")
        }
        DType::I64 | DType::U64 => e.to_owned(),
        _ if from.size() < to.size() && (from.is_unsigned_int() || to.is_signed_int()) => {
            // Widening that keeps the value.
            e.to_owned()
        }
        _ => wrap(to, e),
    }
}

fn unsupported_op(name: &str, d: DType) -> String {
    format!("the operation {name} on {d} is not generated in the JS baseline")
}

/// Whether `op` computes in `d` itself (the executor's rule; others are ill-typed).
fn unary_in(op: UnaryOp, d: DType) -> bool {
    matches!(unary_signature(op, d), Ok((c, _)) if c == d)
}

fn binary_in(op: BinaryOp, d: DType) -> bool {
    matches!(binary_signature(op, d), Ok((c, _)) if c == d)
}

/// The transcendental functions: Math.* and numwasm's vector math may differ by an ULP.
fn approx(cx: &mut Cx, name: &'static str) {
    cx.approx.insert(name);
}

/// A unary element operation on `a` of dtype `d` (`types::elem::unary`; predicates give
/// a boolean).
pub(super) fn unary(cx: &mut Cx, op: UnaryOp, d: DType, a: &str) -> Result<String, String> {
    use UnaryOp as U;
    if !unary_in(op, d) {
        return Err(unsupported_op(op.name(), d));
    }
    match op {
        U::One | U::Zero => {
            let v = if op == U::One { "1" } else { "0" };
            let v = if d == DType::Bool {
                if op == U::One { "true" } else { "false" }
            } else {
                v
            };
            return Ok(format!("({a}, {v})"));
        }
        U::IsNan | U::IsFinite | U::IsInf | U::Signbit => {
            if d.is_float() {
                return Ok(match op {
                    U::IsNan => {
                        cx.helper("isnan");
                        format!("$isnan({a})")
                    }
                    U::IsFinite => format!("Number.isFinite({a})"),
                    U::IsInf => {
                        cx.helper("isinf");
                        format!("$isinf({a})")
                    }
                    _ => {
                        cx.helper("signbit");
                        format!("$signbit({a})")
                    }
                });
            }
            return Ok(match op {
                U::Signbit if d.is_signed_int() => format!("({a} < 0)"),
                U::IsFinite => format!("({a}, true)"),
                _ => format!("({a}, false)"),
            });
        }
        _ => {}
    }
    if d.is_float() {
        let math = |cx: &mut Cx, f: &'static str, name: &'static str| {
            approx(cx, name);
            Ok(round(d, format!("{f}({a})")))
        };
        return match op {
            U::Neg => Ok(format!("(-{a})")),
            U::Abs => Ok(format!("Math.abs({a})")),
            U::Sqrt => Ok(round(d, format!("Math.sqrt({a})"))),
            U::Ceil => Ok(format!("Math.ceil({a})")),
            U::Floor => Ok(format!("Math.floor({a})")),
            U::Trunc => Ok(format!("Math.trunc({a})")),
            U::Rint => {
                cx.helper("rint");
                Ok(format!("$rint({a})"))
            }
            U::Sign => {
                cx.helper("fsign");
                Ok(format!("$fsign({a})"))
            }
            U::Square => {
                cx.helper("sq");
                Ok(round(d, format!("$sq({a})")))
            }
            U::Reciprocal => Ok(round(d, format!("(1 / {a})"))),
            U::Sin => math(cx, "Math.sin", "sin"),
            U::Cos => math(cx, "Math.cos", "cos"),
            U::Tan => math(cx, "Math.tan", "tan"),
            U::Arcsin => math(cx, "Math.asin", "arcsin"),
            U::Arccos => math(cx, "Math.acos", "arccos"),
            U::Arctan => math(cx, "Math.atan", "arctan"),
            U::Sinh => math(cx, "Math.sinh", "sinh"),
            U::Cosh => math(cx, "Math.cosh", "cosh"),
            U::Tanh => math(cx, "Math.tanh", "tanh"),
            U::Arcsinh => math(cx, "Math.asinh", "arcsinh"),
            U::Arccosh => math(cx, "Math.acosh", "arccosh"),
            U::Arctanh => math(cx, "Math.atanh", "arctanh"),
            U::Log => math(cx, "Math.log", "log"),
            U::Log1p => math(cx, "Math.log1p", "log1p"),
            U::Log10 => math(cx, "Math.log10", "log10"),
            U::Log2 => math(cx, "Math.log2", "log2"),
            U::Exp => math(cx, "Math.exp", "exp"),
            U::Expm1 => math(cx, "Math.expm1", "expm1"),
            U::Cbrt => math(cx, "Math.cbrt", "cbrt"),
            U::Exp2 => {
                approx(cx, "exp2");
                Ok(round(d, format!("Math.pow(2, {a})")))
            }
            _ => Err(unsupported_op(op.name(), d)),
        };
    }
    if d == DType::Bool {
        return match op {
            U::Invert => Ok(format!("(!{a})")),
            U::Abs | U::Ceil | U::Floor | U::Trunc | U::Rint | U::Sign => Ok(a.to_owned()),
            _ => Err(unsupported_op(op.name(), d)),
        };
    }
    // Integers.
    let signed = d.is_signed_int();
    match op {
        U::Neg => Ok(if is64(d) {
            format!("(0 - {a})")
        } else {
            wrap(d, &format!("-{a}"))
        }),
        U::Invert => Ok(match d {
            DType::I64 => format!("(-1 - {a})"),
            DType::U64 => format!("(18446744073709551615 - {a})"),
            _ => wrap(d, &format!("~{a}")),
        }),
        U::Abs if !signed => Ok(a.to_owned()),
        U::Abs => Ok(wrap(d, &format!("Math.abs({a})"))),
        U::Sign => Ok(format!("Math.sign({a})")),
        U::Ceil | U::Floor | U::Trunc | U::Rint => Ok(a.to_owned()),
        U::Square => Ok(mul_int(cx, d, a, None)),
        U::Reciprocal => {
            cx.helper("irecip");
            let zero = if signed && d.size() >= 4 {
                int_lit(d.int_range().map_or(0, |r| r.0))
            } else {
                "0".to_owned()
            };
            Ok(format!("$irecip({a}, {zero})"))
        }
        _ => Err(unsupported_op(op.name(), d)),
    }
}

/// `a * b` of integers of dtype `d`, wrapped; `b` None squares `a`.
fn mul_int(cx: &mut Cx, d: DType, a: &str, b: Option<&str>) -> String {
    match (d, b) {
        (DType::I32 | DType::U32, Some(b)) => wrap(d, &format!("Math.imul({a}, {b})")),
        (DType::I32 | DType::U32, None) => {
            cx.helper("isq32");
            wrap(d, &format!("$isq32({a})"))
        }
        (_, Some(b)) if is64(d) => format!("({a} * {b} + 0)"),
        (_, None) if is64(d) => {
            cx.helper("sq");
            format!("$sq({a})")
        }
        (_, Some(b)) => wrap(d, &format!("{a} * {b}")),
        (_, None) => {
            cx.helper("sq");
            wrap(d, &format!("$sq({a})"))
        }
    }
}

/// A binary element operation on `a` and `b` of dtype `d` (`types::elem::binary`;
/// comparisons give a boolean). `const_exp`: the exponent of a float `**` when it is a
/// constant of the program (the executor's constant-power rule: `x ** 2` is `x * x`).
pub(super) fn binary(
    cx: &mut Cx,
    op: BinaryOp,
    d: DType,
    a: &str,
    b: &str,
    const_exp: Option<f64>,
) -> Result<String, String> {
    use BinaryOp as B;
    if !binary_in(op, d) {
        return Err(unsupported_op(op.name(), d));
    }
    if op.is_comparison() {
        let sym = match op {
            B::Lt => "<",
            B::Le => "<=",
            B::Eq => "===",
            B::Ne => "!==",
            B::Ge => ">=",
            _ => ">",
        };
        return Ok(format!("({a} {sym} {b})"));
    }
    if d.is_float() {
        let f32 = d == DType::F32;
        let infix = |sym: &str| Ok(round(d, format!("({a} {sym} {b})")));
        let call = |cx: &mut Cx, h: &'static str, rounded: bool| {
            cx.helper(h);
            let e = format!("${h}({a}, {b})");
            Ok(if rounded { round(d, e) } else { e })
        };
        return match op {
            B::Add => infix("+"),
            B::Sub => infix("-"),
            B::Mul => infix("*"),
            B::TrueDiv => infix("/"),
            B::Fmod => Ok(format!("({a} % {b})")),
            B::FloorDiv => call(cx, if f32 { "fdiv32" } else { "fdiv" }, false),
            B::Mod => call(cx, if f32 { "fmod32" } else { "fmod" }, false),
            B::Maximum => call(cx, "maximum", false),
            B::Minimum => call(cx, "minimum", false),
            B::Fmax => call(cx, "fmax", false),
            B::Fmin => call(cx, "fmin", false),
            B::Copysign => call(cx, "copysign", false),
            B::Nextafter => call(cx, if f32 { "nextafter32" } else { "nextafter" }, false),
            B::Pow if const_exp == Some(2.0) => {
                // The executor's constant-power rule: `x ** 2` is `x * x` (the exponent is a
                // constant, so nothing is lost by not evaluating it).
                cx.helper("sq");
                Ok(round(d, format!("$sq({a})")))
            }
            B::Pow => {
                approx(cx, "pow");
                Ok(round(d, format!("Math.pow({a}, {b})")))
            }
            B::Arctan2 => {
                approx(cx, "arctan2");
                Ok(round(d, format!("Math.atan2({a}, {b})")))
            }
            B::Hypot => {
                approx(cx, "hypot");
                Ok(round(d, format!("Math.hypot({a}, {b})")))
            }
            _ => Err(unsupported_op(op.name(), d)),
        };
    }
    if d == DType::Bool {
        return match op {
            B::Add | B::Or | B::Maximum | B::Fmax => Ok(format!("(({a} | {b}) !== 0)")),
            B::Mul | B::And | B::Minimum | B::Fmin => Ok(format!("(({a} & {b}) !== 0)")),
            B::Xor => Ok(format!("({a} !== {b})")),
            _ => Err(unsupported_op(op.name(), d)),
        };
    }
    // Integers.
    let big = is64(d);
    let bits = d.size() * 8;
    let helper = |cx: &mut Cx, h: &'static str| {
        cx.helper(h);
        wrap(d, &format!("${h}({a}, {b})"))
    };
    match op {
        B::Add => Ok(if big {
            format!("({a} + {b})")
        } else {
            wrap(d, &format!("{a} + {b}"))
        }),
        B::Sub => Ok(if big {
            format!("({a} - {b})")
        } else {
            wrap(d, &format!("{a} - {b}"))
        }),
        B::Mul => Ok(mul_int(cx, d, a, Some(b))),
        B::FloorDiv => Ok(helper(cx, "ifdiv")),
        B::Mod => Ok(helper(cx, "imod")),
        B::Fmod => Ok(helper(cx, "ifmod")),
        B::Pow if big => Ok(helper(cx, "ipow64")),
        B::Pow => Ok(helper(cx, "ipow32")),
        B::Shl => {
            cx.helper("shl");
            Ok(wrap(d, &format!("$shl({a}, {b}, {bits})")))
        }
        B::Shr => {
            cx.helper("shr");
            Ok(wrap(d, &format!("$shr({a}, {b}, {bits})")))
        }
        B::And | B::Or | B::Xor if big => Ok(helper(
            cx,
            match op {
                B::And => "band",
                B::Or => "bor",
                _ => "bxor",
            },
        )),
        B::And => Ok(wrap(d, &format!("{a} & {b}"))),
        B::Or => Ok(wrap(d, &format!("{a} | {b}"))),
        B::Xor => Ok(wrap(d, &format!("{a} ^ {b}"))),
        B::Maximum | B::Fmax => Ok(format!("Math.max({a}, {b})")),
        B::Minimum | B::Fmin => Ok(format!("Math.min({a}, {b})")),
        _ => Err(unsupported_op(op.name(), d)),
    }
}
