//! NumPy 2's promotion table and the dtype signature of every operation.
// Arms with equal bodies are kept apart where they read as separate NumPy rules.
#![allow(clippy::match_same_arms)]

use super::{BinaryOp, DType, ReduceOp, TypeErr, UnaryOp};

/// `np.result_type(a, b)` for two strongly typed operands.
#[must_use]
pub fn promote(a: DType, b: DType) -> DType {
    use DType::{Bool, F32, F64, I16, I32, I64, U64};
    if a == b {
        return a;
    }
    match (a, b) {
        (Bool, x) | (x, Bool) => x,
        (F64, _) | (_, F64) => F64,
        (F32, x) | (x, F32) => {
            if x.size() <= 2 {
                F32
            } else {
                F64
            }
        }
        _ if a.is_signed_int() == b.is_signed_int() => {
            if a.size() >= b.size() {
                a
            } else {
                b
            }
        }
        _ => {
            let (s, u) = if a.is_signed_int() { (a, b) } else { (b, a) };
            if u.size() < s.size() {
                s
            } else {
                match u.size() {
                    1 => I16,
                    2 => I32,
                    4 => I64,
                    _ => {
                        debug_assert_eq!(u, U64);
                        F64
                    }
                }
            }
        }
    }
}

/// The float dtype a float function computes in for an operand of dtype `d`. NumPy picks
/// float16 for bool, int8 and uint8; the engine has no float16 and uses float32.
#[must_use]
pub fn float_of(d: DType) -> DType {
    match d {
        DType::Bool | DType::I8 | DType::U8 | DType::I16 | DType::U16 | DType::F32 => DType::F32,
        _ => DType::F64,
    }
}

fn bool_to_i8(d: DType) -> DType {
    if d == DType::Bool { DType::I8 } else { d }
}

fn ufunc_error(name: &str) -> TypeErr {
    TypeErr::Type(format!(
        "ufunc '{name}' not supported for the input types, and the inputs could not be safely coerced to any supported types according to the casting rule ''safe''"
    ))
}

/// For a binary op over operands already promoted to dtype `d`: the dtype both operands
/// are cast to, and the result dtype.
pub fn binary_signature(op: BinaryOp, d: DType) -> Result<(DType, DType), TypeErr> {
    use BinaryOp as B;
    let same = |x: DType| Ok((x, x));
    match op {
        B::Add | B::Mul | B::Maximum | B::Minimum | B::Fmax | B::Fmin => same(d),
        B::Sub if d == DType::Bool => Err(TypeErr::Type(
            "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.".into(),
        )),
        B::Sub => same(d),
        B::TrueDiv => same(if d.is_float() { d } else { DType::F64 }),
        B::FloorDiv | B::Mod | B::Pow | B::Fmod => same(bool_to_i8(d)),
        B::Shl | B::Shr if d.is_float() => Err(ufunc_error(if op == B::Shl { "left_shift" } else { "right_shift" })),
        B::Shl | B::Shr => same(bool_to_i8(d)),
        B::And | B::Or | B::Xor if d.is_float() => Err(ufunc_error(match op {
            B::And => "bitwise_and",
            B::Or => "bitwise_or",
            _ => "bitwise_xor",
        })),
        B::And | B::Or | B::Xor => same(d),
        B::Lt | B::Le | B::Eq | B::Ne | B::Ge | B::Gt => Ok((d, DType::Bool)),
        B::Arctan2 | B::Hypot | B::Nextafter | B::Copysign => same(float_of(d)),
    }
}

/// For a unary op on dtype `d`: the dtype the operand is cast to, and the result dtype.
pub fn unary_signature(op: UnaryOp, d: DType) -> Result<(DType, DType), TypeErr> {
    use UnaryOp as U;
    match op {
        U::Neg if d == DType::Bool => Err(TypeErr::Type(
            "The numpy boolean negative, the `-` operator, is not supported, use the `~` operator or the logical_not function instead.".into(),
        )),
        U::Invert if d.is_float() => Err(ufunc_error("invert")),
        U::Sign if d == DType::Bool => Err(ufunc_error("sign")),
        U::Neg | U::Invert | U::Abs | U::Ceil | U::Floor | U::Trunc | U::Sign | U::One | U::Zero => Ok((d, d)),
        U::Rint if d.is_int() => Ok((d, d)),
        U::Square | U::Reciprocal => Ok((bool_to_i8(d), bool_to_i8(d))),
        U::IsNan | U::IsFinite | U::IsInf | U::Signbit => Ok((d, DType::Bool)),
        _ => Ok((float_of(d), float_of(d))),
    }
}

/// For a reduction of dtype `d`: the dtype it accumulates (and returns) in.
#[must_use]
pub fn reduce_signature(op: ReduceOp, d: DType) -> DType {
    match op {
        ReduceOp::Sum | ReduceOp::Prod => match d {
            DType::Bool | DType::I8 | DType::I16 | DType::I32 | DType::I64 => DType::I64,
            DType::U8 | DType::U16 | DType::U32 | DType::U64 => DType::U64,
            f => f,
        },
        ReduceOp::Min | ReduceOp::Max => d,
        ReduceOp::Any | ReduceOp::All => DType::Bool,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn promotion_table() {
        assert_eq!(promote(I8, U8), I16);
        assert_eq!(promote(I64, U64), F64);
        assert_eq!(promote(U32, I8), I64);
        assert_eq!(promote(U8, I16), I16);
        assert_eq!(promote(F32, I16), F32);
        assert_eq!(promote(F32, I32), F64);
        assert_eq!(promote(Bool, U16), U16);
        assert_eq!(float_of(I16), F32);
        assert_eq!(float_of(I32), F64);
    }
}
