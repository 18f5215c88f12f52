//! Numba's typing rules for scalars, as Numba 0.68 applies them (measured: every pair of
//! the eleven dtypes through each operator, compiled with `@njit` and read back from
//! `nopython_signatures`).
//!
//! Integers are computed in 64 bits: an operation on two integers (bool counts as a signed
//! integer) gives `uint64` when both are unsigned and `int64` otherwise, so `uint64 +
//! int64` is `int64` (NumPy would give float64) and `int8 + int8` is `int64`. A float64
//! operand makes the result float64; float32 stays float32 against float32 and against the
//! integers that convert to it safely in Numba's table (bool, int8, int16, uint8), and
//! becomes float64 against wider ones. True division of integers is float64.

use crate::types::{BinaryOp, DType};

/// Why an operation has no typing: Numba's TypingError message, completed by the caller.
pub type RuleError = String;

fn is_int(d: DType) -> bool {
    d == DType::Bool || d.is_int()
}

fn is_unsigned(d: DType) -> bool {
    matches!(d, DType::U8 | DType::U16 | DType::U32 | DType::U64)
}

/// The 64-bit integer two integer operands compute in.
#[must_use]
pub fn int_result(a: DType, b: DType) -> DType {
    if is_unsigned(a) && is_unsigned(b) {
        DType::U64
    } else {
        DType::I64
    }
}

/// The integers a float32 operand does not widen (Numba's safe conversions to float32).
fn fits_f32(d: DType) -> bool {
    matches!(d, DType::Bool | DType::I8 | DType::I16 | DType::U8)
}

/// The float type an arithmetic operation with at least one float operand computes in.
fn float_result(a: DType, b: DType) -> DType {
    match (a, b) {
        (DType::F64, _) | (_, DType::F64) => DType::F64,
        (DType::F32, DType::F32) => DType::F32,
        (DType::F32, o) | (o, DType::F32) if fits_f32(o) => DType::F32,
        _ => DType::F64,
    }
}

/// The dtype both operands of a scalar binary operation are converted to, and the dtype
/// of its result. Comparisons compute in the arithmetic type and give bool.
pub fn binary(op: BinaryOp, a: DType, b: DType) -> Result<(DType, DType), RuleError> {
    use BinaryOp as B;
    let both_int = is_int(a) && is_int(b);
    match op {
        B::Add | B::Sub | B::Mul | B::FloorDiv | B::Mod => {
            let t = if both_int {
                int_result(a, b)
            } else {
                float_result(a, b)
            };
            Ok((t, t))
        }
        B::TrueDiv => {
            let t = if both_int {
                DType::F64
            } else {
                float_result(a, b)
            };
            Ok((t, t))
        }
        B::Pow => {
            let t = if both_int {
                int_result(a, b)
            } else if a == DType::F32 && is_int(b) {
                // Numba has a (float32, int64) loop for `**`.
                DType::F32
            } else {
                float_result(a, b)
            };
            Ok((t, t))
        }
        B::And | B::Or | B::Xor => {
            if a == DType::Bool && b == DType::Bool {
                Ok((DType::Bool, DType::Bool))
            } else if both_int {
                let t = int_result(a, b);
                Ok((t, t))
            } else {
                Err(String::new())
            }
        }
        B::Shl | B::Shr => {
            if both_int {
                // The left operand decides: unsigned stays unsigned.
                let t = if is_unsigned(a) {
                    DType::U64
                } else {
                    DType::I64
                };
                Ok((t, t))
            } else {
                Err(String::new())
            }
        }
        B::Lt | B::Le | B::Eq | B::Ne | B::Ge | B::Gt => {
            let t = if both_int {
                int_result(a, b)
            } else {
                float_result(a, b)
            };
            Ok((t, DType::Bool))
        }
        _ => Err(String::new()),
    }
}

/// The type a variable assigned values of types `a` and `b` gets (Numba's unification of
/// scalars): the type both convert to, or None when Numba refuses to unify them.
#[must_use]
pub fn unify_scalars(a: DType, b: DType) -> Option<DType> {
    if a == b {
        return Some(a);
    }
    Some(match (is_int(a), is_int(b)) {
        (true, true) => {
            if a == DType::Bool {
                return Some(if b == DType::Bool {
                    b
                } else {
                    int_result(b, b)
                });
            }
            if b == DType::Bool {
                return Some(int_result(a, a));
            }
            if is_unsigned(a) != is_unsigned(b) {
                DType::F64
            } else {
                int_result(a, b)
            }
        }
        _ => float_result(a, b),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    /// Rows of Numba 0.68's table for `+` (the operand on the left), read back from
    /// `nopython_signatures`.
    #[test]
    fn addition_follows_numba() {
        let order = [Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64];
        let table = [
            "i64 i64 i64 i64 i64 i64 i64 i64 i64 f32 f64",
            "i64 i64 i64 i64 i64 i64 i64 i64 i64 f32 f64",
            "i64 i64 i64 i64 i64 i64 i64 i64 i64 f32 f64",
            "i64 i64 i64 i64 i64 i64 i64 i64 i64 f64 f64",
            "i64 i64 i64 i64 i64 i64 i64 i64 i64 f64 f64",
            "i64 i64 i64 i64 i64 u64 u64 u64 u64 f32 f64",
            "i64 i64 i64 i64 i64 u64 u64 u64 u64 f64 f64",
            "i64 i64 i64 i64 i64 u64 u64 u64 u64 f64 f64",
            "i64 i64 i64 i64 i64 u64 u64 u64 u64 f64 f64",
            "f32 f32 f32 f64 f64 f32 f64 f64 f64 f32 f64",
            "f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64",
        ];
        for (a, row) in order.iter().zip(table) {
            for (b, want) in order.iter().zip(row.split(' ')) {
                let (_, got) = binary(BinaryOp::Add, *a, *b).unwrap();
                assert_eq!(got.short_name(), want, "{a:?} + {b:?}");
            }
        }
    }

    #[test]
    fn division_power_bits_and_shifts() {
        assert_eq!(binary(BinaryOp::TrueDiv, I8, U8).unwrap().1, F64);
        assert_eq!(binary(BinaryOp::TrueDiv, F32, I8).unwrap().1, F32);
        assert_eq!(binary(BinaryOp::Pow, F32, I64).unwrap().1, F32);
        assert_eq!(binary(BinaryOp::Pow, I32, F32).unwrap().1, F64);
        assert_eq!(binary(BinaryOp::And, Bool, Bool).unwrap().1, Bool);
        assert_eq!(binary(BinaryOp::And, Bool, U8).unwrap().1, I64);
        assert!(binary(BinaryOp::And, F64, I64).is_err());
        assert_eq!(binary(BinaryOp::Shl, U8, I64).unwrap().1, U64);
        assert_eq!(binary(BinaryOp::Shr, I8, U64).unwrap().1, I64);
        assert_eq!(binary(BinaryOp::Lt, U64, I64).unwrap(), (I64, Bool));
    }
}
