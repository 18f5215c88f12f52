//! Python's operators on two Python scalars (NEP 50's weak values). Arithmetic between
//! two of them follows Python, not NumPy: `(200 + 100) * x` with an `int8` `x` is an
//! OverflowError in NumPy 2 because Python computes 300 first, so literal arithmetic is
//! folded here with Python's rules, including its ZeroDivisionError.

use std::cmp::Ordering::{Equal, Greater, Less};

use crate::syntax::{BinOp, CmpOp, UnOp};
use crate::types::{PyScalar, TypeErr};

/// Python's unary operators.
pub fn unary(op: UnOp, a: PyScalar) -> Result<PyScalar, TypeErr> {
    match (op, a) {
        (UnOp::Neg, PyScalar::Float(v)) => Ok(PyScalar::Float(-v)),
        (UnOp::Pos, PyScalar::Float(v)) => Ok(PyScalar::Float(v)),
        (UnOp::Invert, PyScalar::Float(_)) => Err(TypeErr::Type(
            "bad operand type for unary ~: 'float'".into(),
        )),
        (UnOp::Neg, _) => a
            .as_int()
            .unwrap_or(0)
            .checked_neg()
            .map(PyScalar::Int)
            .ok_or_else(|| {
                TypeErr::Overflow(
                    "Python integer too large (the engine holds Python integers in 128 bits)"
                        .into(),
                )
            }),
        (UnOp::Pos, _) => Ok(PyScalar::Int(a.as_int().unwrap_or(0))),
        (UnOp::Invert, _) => Ok(PyScalar::Int(!a.as_int().unwrap_or(0))),
    }
}

/// Python's comparison operators.
#[must_use]
pub fn compare(op: CmpOp, a: PyScalar, b: PyScalar) -> PyScalar {
    let ord = match (a.as_int(), b.as_int()) {
        (Some(x), Some(y)) => x.partial_cmp(&y),
        _ => a.as_float().partial_cmp(&b.as_float()),
    };
    let r = match op {
        CmpOp::Lt => ord == Some(Less),
        CmpOp::Le => matches!(ord, Some(Less | Equal)),
        CmpOp::Eq => ord == Some(Equal),
        CmpOp::Ne => ord != Some(Equal),
        CmpOp::Ge => matches!(ord, Some(Greater | Equal)),
        CmpOp::Gt => ord == Some(Greater),
    };
    PyScalar::Bool(r)
}

/// Python's binary operators.
pub fn binary(op: BinOp, a: PyScalar, b: PyScalar) -> Result<PyScalar, TypeErr> {
    let too_big = || {
        TypeErr::Overflow(
            "Python integer too large (the engine holds Python integers in 128 bits)".into(),
        )
    };
    if matches!(
        op,
        BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor | BinOp::Shl | BinOp::Shr
    ) {
        let (Some(x), Some(y)) = (a.as_int(), b.as_int()) else {
            return Err(TypeErr::Type(format!(
                "unsupported operand type(s) for {}: '{}' and '{}'",
                op.symbol(),
                a.type_name(),
                b.type_name()
            )));
        };
        if let (PyScalar::Bool(p), PyScalar::Bool(q)) = (a, b) {
            match op {
                BinOp::BitAnd => return Ok(PyScalar::Bool(p & q)),
                BinOp::BitOr => return Ok(PyScalar::Bool(p | q)),
                BinOp::BitXor => return Ok(PyScalar::Bool(p ^ q)),
                _ => {}
            }
        }
        return Ok(PyScalar::Int(match op {
            BinOp::BitAnd => x & y,
            BinOp::BitOr => x | y,
            BinOp::BitXor => x ^ y,
            _ if y < 0 => return Err(TypeErr::Value("negative shift count".into())),
            BinOp::Shl if x == 0 => 0,
            BinOp::Shl => {
                let r = if y < 127 {
                    x.checked_shl(y as u32)
                } else {
                    None
                };
                match r {
                    Some(r) if r >> y == x => r,
                    _ => return Err(too_big()),
                }
            }
            _ => {
                if y >= 127 {
                    if x < 0 { -1 } else { 0 }
                } else {
                    x >> y
                }
            }
        }));
    }
    if let (Some(x), Some(y)) = (a.as_int(), b.as_int()) {
        let zero_div = || TypeErr::ZeroDivision("integer division or modulo by zero".into());
        return Ok(match op {
            BinOp::Add => PyScalar::Int(x.checked_add(y).ok_or_else(too_big)?),
            BinOp::Sub => PyScalar::Int(x.checked_sub(y).ok_or_else(too_big)?),
            BinOp::Mul => PyScalar::Int(x.checked_mul(y).ok_or_else(too_big)?),
            BinOp::Div => {
                if y == 0 {
                    return Err(TypeErr::ZeroDivision("division by zero".into()));
                }
                PyScalar::Float(x as f64 / y as f64)
            }
            BinOp::FloorDiv | BinOp::Mod => {
                if y == 0 {
                    return Err(zero_div());
                }
                // Python floors: the remainder takes the divisor's sign.
                let (q, r) = (x.wrapping_div(y), x.wrapping_rem(y));
                let (q, r) = if r != 0 && ((r < 0) != (y < 0)) {
                    (q - 1, r + y)
                } else {
                    (q, r)
                };
                PyScalar::Int(if op == BinOp::FloorDiv { q } else { r })
            }
            BinOp::Pow => {
                if y < 0 {
                    if x == 0 {
                        return Err(TypeErr::ZeroDivision(
                            "0.0 cannot be raised to a negative power".into(),
                        ));
                    }
                    PyScalar::Float((x as f64).powf(y as f64))
                } else {
                    let e = u32::try_from(y).map_err(|_| too_big())?;
                    PyScalar::Int(x.checked_pow(e).ok_or_else(too_big)?)
                }
            }
            _ => unreachable!("bitwise ops are handled above"),
        });
    }
    let (x, y) = (a.as_float(), b.as_float());
    let zero = |what: &str| TypeErr::ZeroDivision(format!("float {what} by zero"));
    Ok(PyScalar::Float(match op {
        BinOp::Add => x + y,
        BinOp::Sub => x - y,
        BinOp::Mul => x * y,
        BinOp::Div => {
            if y == 0.0 {
                return Err(zero("division"));
            }
            x / y
        }
        BinOp::FloorDiv => {
            if y == 0.0 {
                return Err(zero("floor division"));
            }
            <f64 as crate::types::elem::Elem>::floordiv(x, y)
        }
        BinOp::Mod => {
            if y == 0.0 {
                return Err(zero("modulo"));
            }
            <f64 as crate::types::elem::Elem>::rem(x, y)
        }
        BinOp::Pow => {
            if x == 0.0 && y < 0.0 {
                return Err(TypeErr::ZeroDivision(
                    "0.0 cannot be raised to a negative power".into(),
                ));
            }
            if x < 0.0 && y.is_finite() && y.fract() != 0.0 {
                return Err(TypeErr::Value(
                    "a negative number raised to a fractional power is complex (complex numbers are not supported)".into(),
                ));
            }
            let r = x.powf(y);
            if r.is_infinite() && x.is_finite() && y.is_finite() {
                return Err(TypeErr::Overflow(
                    "(34, 'Numerical result out of range')".into(),
                ));
            }
            r
        }
        _ => unreachable!("bitwise ops are handled above"),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_arithmetic() {
        let i = PyScalar::Int;
        assert_eq!(binary(BinOp::FloorDiv, i(-7), i(2)), Ok(i(-4)));
        assert_eq!(binary(BinOp::Mod, i(-7), i(2)), Ok(i(1)));
        assert_eq!(binary(BinOp::Mod, i(7), i(-2)), Ok(i(-1)));
        assert_eq!(binary(BinOp::FloorDiv, i(7), i(-2)), Ok(i(-4)));
        assert_eq!(binary(BinOp::Pow, i(2), i(-1)), Ok(PyScalar::Float(0.5)));
        assert_eq!(
            binary(BinOp::Add, PyScalar::Bool(true), PyScalar::Bool(true)),
            Ok(i(2))
        );
        assert_eq!(
            binary(BinOp::BitAnd, PyScalar::Bool(true), PyScalar::Bool(false)),
            Ok(PyScalar::Bool(false))
        );
        assert!(matches!(
            binary(BinOp::Div, i(1), i(0)),
            Err(TypeErr::ZeroDivision(_))
        ));
        assert_eq!(unary(UnOp::Invert, PyScalar::Bool(true)), Ok(i(-2)));
        assert!(unary(UnOp::Neg, i(i128::MIN)).is_err());
    }
}
