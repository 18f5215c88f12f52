//! The single dispatch point for float math functions (sqrt and the transcendentals, and
//! float `pow`, `arctan2`, `hypot`, `nextafter`, `copysign`). Today every lane calls the
//! scalar function of `types::elem` (std/libm); the SIMD functions of `vmath` plug in here,
//! per function and per width, without touching the interpreter.

use crate::types::elem::FloatElem;
use crate::types::{BinaryOp, UnaryOp};

/// `o[i] = op(a[i])` for `n` float64 elements.
///
/// # Safety
/// `a` and `o` must be valid for `n` elements.
pub unsafe fn unary_f64(op: UnaryOp, a: *const f64, o: *mut f64, n: usize) {
    for i in 0..n {
        // SAFETY: the caller guarantees `n` valid elements.
        unsafe { *o.add(i) = f64::math(op, *a.add(i)) };
    }
}

/// `o[i] = op(a[i])` for `n` float32 elements.
///
/// # Safety
/// `a` and `o` must be valid for `n` elements.
pub unsafe fn unary_f32(op: UnaryOp, a: *const f32, o: *mut f32, n: usize) {
    for i in 0..n {
        // SAFETY: the caller guarantees `n` valid elements.
        unsafe { *o.add(i) = f32::math(op, *a.add(i)) };
    }
}

/// `o[i] = op(a[i], b[i])` for `n` float64 elements.
///
/// # Safety
/// `a`, `b` and `o` must be valid for `n` elements.
pub unsafe fn binary_f64(op: BinaryOp, a: *const f64, b: *const f64, o: *mut f64, n: usize) {
    for i in 0..n {
        // SAFETY: the caller guarantees `n` valid elements.
        unsafe { *o.add(i) = f64::math2(op, *a.add(i), *b.add(i)) };
    }
}

/// `o[i] = op(a[i], b[i])` for `n` float32 elements.
///
/// # Safety
/// `a`, `b` and `o` must be valid for `n` elements.
pub unsafe fn binary_f32(op: BinaryOp, a: *const f32, b: *const f32, o: *mut f32, n: usize) {
    for i in 0..n {
        // SAFETY: the caller guarantees `n` valid elements.
        unsafe { *o.add(i) = f32::math2(op, *a.add(i), *b.add(i)) };
    }
}
