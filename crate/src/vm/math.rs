//! The single dispatch point for float math functions (sqrt and the transcendentals, and
//! float `pow`, `arctan2`, `hypot`, `nextafter`, `copysign`). Today every lane calls the
//! scalar function of `types::elem` (std/libm); the SIMD functions of `vmath` plug in here,
//! per function and per width, without touching the interpreter.

use crate::types::{BinaryOp, UnaryOp};

/// `o[i] = f(a[i])`, one loop per function (the `match` on the function is outside it).
macro_rules! unary_loops {
    ($t:ty, $op:expr, $a:expr, $o:expr, $n:expr) => {{
        let (a, o, n) = ($a, $o, $n);
        let run = |f: fn($t) -> $t| {
            for i in 0..n {
                // SAFETY: the caller guarantees `n` valid elements.
                unsafe { *o.add(i) = f(*a.add(i)) };
            }
        };
        match $op {
            UnaryOp::Sqrt => run(<$t>::sqrt),
            UnaryOp::Sin => run(<$t>::sin),
            UnaryOp::Cos => run(<$t>::cos),
            UnaryOp::Tan => run(<$t>::tan),
            UnaryOp::Arcsin => run(<$t>::asin),
            UnaryOp::Arccos => run(<$t>::acos),
            UnaryOp::Arctan => run(<$t>::atan),
            UnaryOp::Sinh => run(<$t>::sinh),
            UnaryOp::Cosh => run(<$t>::cosh),
            UnaryOp::Tanh => run(<$t>::tanh),
            UnaryOp::Arcsinh => run(<$t>::asinh),
            UnaryOp::Arccosh => run(<$t>::acosh),
            UnaryOp::Arctanh => run(<$t>::atanh),
            UnaryOp::Log => run(<$t>::ln),
            UnaryOp::Log1p => run(<$t>::ln_1p),
            UnaryOp::Log10 => run(<$t>::log10),
            UnaryOp::Log2 => run(<$t>::log2),
            UnaryOp::Exp => run(<$t>::exp),
            UnaryOp::Expm1 => run(<$t>::exp_m1),
            other => {
                for i in 0..n {
                    // SAFETY: the caller guarantees `n` valid elements.
                    unsafe {
                        *o.add(i) = <$t as crate::types::elem::FloatElem>::math(other, *a.add(i))
                    };
                }
            }
        }
    }};
}

/// `o[i] = op(a[i])` for `n` float64 elements.
///
/// # Safety
/// `a` and `o` must be valid for `n` elements.
pub unsafe fn unary_f64(op: UnaryOp, a: *const f64, o: *mut f64, n: usize) {
    unary_loops!(f64, op, a, o, n);
}

/// `o[i] = op(a[i])` for `n` float32 elements.
///
/// # Safety
/// `a` and `o` must be valid for `n` elements.
pub unsafe fn unary_f32(op: UnaryOp, a: *const f32, o: *mut f32, n: usize) {
    unary_loops!(f32, op, a, o, n);
}

/// `o[i] = op(a[i], b[i])` for `n` float64 elements.
///
/// # Safety
/// `a`, `b` and `o` must be valid for `n` elements.
pub unsafe fn binary_f64(op: BinaryOp, a: *const f64, b: *const f64, o: *mut f64, n: usize) {
    for i in 0..n {
        // SAFETY: the caller guarantees `n` valid elements.
        unsafe {
            *o.add(i) = <f64 as crate::types::elem::FloatElem>::math2(op, *a.add(i), *b.add(i))
        };
    }
}

/// `o[i] = op(a[i], b[i])` for `n` float32 elements.
///
/// # Safety
/// `a`, `b` and `o` must be valid for `n` elements.
pub unsafe fn binary_f32(op: BinaryOp, a: *const f32, b: *const f32, o: *mut f32, n: usize) {
    for i in 0..n {
        // SAFETY: the caller guarantees `n` valid elements.
        unsafe {
            *o.add(i) = <f32 as crate::types::elem::FloatElem>::math2(op, *a.add(i), *b.add(i))
        };
    }
}
