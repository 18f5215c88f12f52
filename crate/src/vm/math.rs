//! The single dispatch point for float math functions (sqrt and the transcendentals, and
//! float `pow`, `fmod`, `%`, `//`, `arctan2`, `hypot`, `nextafter`, `copysign`). Each function
//! runs the SIMD lane function of `vmath` (f64x2 / f32x4, at most 1 ULP from the correctly
//! rounded result; exact for fmod, `%`, `//`), one loop per function: the `match` on the
//! function is outside the loop, and each loop is monomorphized over its lane function so
//! that it inlines. A binary function with one constant operand runs the same loop with the
//! constant splatted into every lane.
//!
//! The loops work on raw pointers because the interpreter may write a register in place
//! (`o == a`): each lane group is read before it is written.

use std::simd::{f32x4, f64x2};

use crate::types::{BinaryOp, UnaryOp};
use crate::vm::vmath;

/// Defines `o[i] = f(a[i])` and `o[i] = f(a[i], b[i])` loops over one lane type; a partial
/// last group is padded with zeros (harmless inputs for every function here).
macro_rules! lane_loops {
    ($unary:ident, $binary:ident, $t:ty, $v:ty, $lanes:expr) => {
        /// # Safety
        /// `a` and `o` must be valid for `n` elements; `o` may equal `a`.
        #[inline(never)]
        unsafe fn $unary(f: impl Fn($v) -> $v, a: *const $t, o: *mut $t, n: usize) {
            let mut i = 0;
            // Two vectors per iteration: V8 reloads the kernel's spilled constants and
            // checks the stack once per iteration, and the two independent chains overlap
            // (sin and tan ran ~20% faster in Chromium than one vector per iteration).
            while i + 2 * $lanes <= n {
                // SAFETY: elements i..i+2*lanes are in bounds; both groups are read
                // before either is written.
                unsafe {
                    let x = <$v>::from_array(a.add(i).cast::<[$t; $lanes]>().read_unaligned());
                    let y =
                        <$v>::from_array(a.add(i + $lanes).cast::<[$t; $lanes]>().read_unaligned());
                    let (fx, fy) = (f(x), f(y));
                    o.add(i)
                        .cast::<[$t; $lanes]>()
                        .write_unaligned(fx.to_array());
                    o.add(i + $lanes)
                        .cast::<[$t; $lanes]>()
                        .write_unaligned(fy.to_array());
                }
                i += 2 * $lanes;
            }
            while i + $lanes <= n {
                // SAFETY: elements i..i+lanes are in bounds; unaligned access is allowed.
                unsafe {
                    let x = <$v>::from_array(a.add(i).cast::<[$t; $lanes]>().read_unaligned());
                    o.add(i)
                        .cast::<[$t; $lanes]>()
                        .write_unaligned(f(x).to_array());
                }
                i += $lanes;
            }
            if i < n {
                let mut x = [0.0; $lanes];
                for (k, slot) in x.iter_mut().enumerate().take(n - i) {
                    // SAFETY: i + k < n.
                    *slot = unsafe { *a.add(i + k) };
                }
                let r = f(<$v>::from_array(x)).to_array();
                for (k, &v) in r.iter().enumerate().take(n - i) {
                    // SAFETY: i + k < n.
                    unsafe { *o.add(i + k) = v };
                }
            }
        }

        /// # Safety
        /// `a`, `b` and `o` must be valid for `n` elements; `o` may equal `a` or `b`.
        #[inline(never)]
        unsafe fn $binary(
            f: impl Fn($v, $v) -> $v,
            a: *const $t,
            b: *const $t,
            o: *mut $t,
            n: usize,
        ) {
            let mut i = 0;
            while i + 2 * $lanes <= n {
                // SAFETY: as in the unary loop.
                unsafe {
                    let ld =
                        |p: *const $t| <$v>::from_array(p.cast::<[$t; $lanes]>().read_unaligned());
                    let (x0, y0) = (ld(a.add(i)), ld(b.add(i)));
                    let (x1, y1) = (ld(a.add(i + $lanes)), ld(b.add(i + $lanes)));
                    let (r0, r1) = (f(x0, y0), f(x1, y1));
                    o.add(i)
                        .cast::<[$t; $lanes]>()
                        .write_unaligned(r0.to_array());
                    o.add(i + $lanes)
                        .cast::<[$t; $lanes]>()
                        .write_unaligned(r1.to_array());
                }
                i += 2 * $lanes;
            }
            while i + $lanes <= n {
                // SAFETY: elements i..i+lanes are in bounds; unaligned access is allowed.
                unsafe {
                    let x = <$v>::from_array(a.add(i).cast::<[$t; $lanes]>().read_unaligned());
                    let y = <$v>::from_array(b.add(i).cast::<[$t; $lanes]>().read_unaligned());
                    o.add(i)
                        .cast::<[$t; $lanes]>()
                        .write_unaligned(f(x, y).to_array());
                }
                i += $lanes;
            }
            if i < n {
                let (mut x, mut y) = ([0.0; $lanes], [0.0; $lanes]);
                for k in 0..n - i {
                    // SAFETY: i + k < n.
                    unsafe {
                        x[k] = *a.add(i + k);
                        y[k] = *b.add(i + k);
                    }
                }
                let r = f(<$v>::from_array(x), <$v>::from_array(y)).to_array();
                for (k, &v) in r.iter().enumerate().take(n - i) {
                    // SAFETY: i + k < n.
                    unsafe { *o.add(i + k) = v };
                }
            }
        }
    };
}

lane_loops!(lanes_f64, lanes2_f64, f64, f64x2, 2);
lane_loops!(lanes_f32, lanes2_f32, f32, f32x4, 4);

/// The vmath lane functions of one vector type. Each arm calls the lane loop with the
/// function item itself (not a pointer), so every loop is monomorphized and inlines it.
trait Lanes {
    type Elem;
    /// Runs `op` if it has a lane kernel; false otherwise.
    unsafe fn unary(op: UnaryOp, a: *const Self::Elem, o: *mut Self::Elem, n: usize) -> bool;
    unsafe fn binary(
        op: BinaryOp,
        a: *const Self::Elem,
        b: *const Self::Elem,
        o: *mut Self::Elem,
        n: usize,
    ) -> bool;
    /// `o[i] = op(a[i], k)`; false if `op` has no lane kernel.
    unsafe fn binary_k(
        op: BinaryOp,
        a: *const Self::Elem,
        k: Self::Elem,
        o: *mut Self::Elem,
        n: usize,
    ) -> bool;
    /// `o[i] = op(k, a[i])`; false if `op` has no lane kernel.
    unsafe fn k_binary(
        op: BinaryOp,
        k: Self::Elem,
        a: *const Self::Elem,
        o: *mut Self::Elem,
        n: usize,
    ) -> bool;
}

macro_rules! lanes_impl {
    ($v:ty, $t:ty, $l1:ident, $l2:ident; $($u:ident => $uf:ident),*; $($b:ident => $bf:ident),*) => {
        impl Lanes for $v {
            type Elem = $t;
            unsafe fn unary(op: UnaryOp, a: *const $t, o: *mut $t, n: usize) -> bool {
                // SAFETY: forwarded from the caller.
                match op {
                    $(UnaryOp::$u => unsafe { $l1(vmath::$uf, a, o, n) },)*
                    _ => return false,
                }
                true
            }
            unsafe fn binary(op: BinaryOp, a: *const $t, b: *const $t, o: *mut $t, n: usize) -> bool {
                // SAFETY: forwarded from the caller.
                match op {
                    $(BinaryOp::$b => unsafe { $l2(vmath::$bf, a, b, o, n) },)*
                    _ => return false,
                }
                true
            }
            unsafe fn binary_k(op: BinaryOp, a: *const $t, k: $t, o: *mut $t, n: usize) -> bool {
                let kv = <$v>::splat(k);
                // SAFETY: forwarded from the caller.
                match op {
                    $(BinaryOp::$b => unsafe { $l1(|x| vmath::$bf(x, kv), a, o, n) },)*
                    _ => return false,
                }
                true
            }
            unsafe fn k_binary(op: BinaryOp, k: $t, a: *const $t, o: *mut $t, n: usize) -> bool {
                let kv = <$v>::splat(k);
                // SAFETY: forwarded from the caller.
                match op {
                    $(BinaryOp::$b => unsafe { $l1(|x| vmath::$bf(kv, x), a, o, n) },)*
                    _ => return false,
                }
                true
            }
        }
    };
}

lanes_impl!(f64x2, f64, lanes_f64, lanes2_f64;
    Sqrt => sqrt_f64x2, Sin => sin_f64x2, Cos => cos_f64x2, Tan => tan_f64x2,
    Arcsin => arcsin_f64x2, Arccos => arccos_f64x2, Arctan => arctan_f64x2,
    Sinh => sinh_f64x2, Cosh => cosh_f64x2, Tanh => tanh_f64x2,
    Arcsinh => arcsinh_f64x2, Arccosh => arccosh_f64x2, Arctanh => arctanh_f64x2,
    Log => log_f64x2, Log1p => log1p_f64x2, Log10 => log10_f64x2, Log2 => log2_f64x2,
    Exp => exp_f64x2, Exp2 => exp2_f64x2, Expm1 => expm1_f64x2, Cbrt => cbrt_f64x2;
    Pow => pow_f64x2, Arctan2 => arctan2_f64x2, Hypot => hypot_f64x2,
    Copysign => copysign_f64x2, Nextafter => nextafter_f64x2, Fmod => fmod_f64x2,
    Mod => remainder_f64x2, FloorDiv => floordiv_f64x2);
lanes_impl!(f32x4, f32, lanes_f32, lanes2_f32;
    Sqrt => sqrt_f32x4, Sin => sin_f32x4, Cos => cos_f32x4, Tan => tan_f32x4,
    Arcsin => arcsin_f32x4, Arccos => arccos_f32x4, Arctan => arctan_f32x4,
    Sinh => sinh_f32x4, Cosh => cosh_f32x4, Tanh => tanh_f32x4,
    Arcsinh => arcsinh_f32x4, Arccosh => arccosh_f32x4, Arctanh => arctanh_f32x4,
    Log => log_f32x4, Log1p => log1p_f32x4, Log10 => log10_f32x4, Log2 => log2_f32x4,
    Exp => exp_f32x4, Exp2 => exp2_f32x4, Expm1 => expm1_f32x4, Cbrt => cbrt_f32x4;
    Pow => pow_f32x4, Arctan2 => arctan2_f32x4, Hypot => hypot_f32x4,
    Copysign => copysign_f32x4, Nextafter => nextafter_f32x4, Fmod => fmod_f32x4,
    Mod => remainder_f32x4, FloorDiv => floordiv_f32x4);

/// `o[i] = op(a[i])` for `n` float64 elements.
///
/// # Safety
/// `a` and `o` must be valid for `n` elements (`o` may equal `a`).
pub unsafe fn unary_f64(op: UnaryOp, a: *const f64, o: *mut f64, n: usize) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if !f64x2::unary(op, a, o, n) {
            scalar_unary(op, a, o, n);
        }
    }
}

/// `o[i] = op(a[i])` for `n` float32 elements.
///
/// # Safety
/// `a` and `o` must be valid for `n` elements (`o` may equal `a`).
pub unsafe fn unary_f32(op: UnaryOp, a: *const f32, o: *mut f32, n: usize) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if !f32x4::unary(op, a, o, n) {
            scalar_unary(op, a, o, n);
        }
    }
}

/// `o[i] = op(a[i], b[i])` for `n` float64 elements.
///
/// # Safety
/// `a`, `b` and `o` must be valid for `n` elements (`o` may equal `a` or `b`).
pub unsafe fn binary_f64(op: BinaryOp, a: *const f64, b: *const f64, o: *mut f64, n: usize) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if !f64x2::binary(op, a, b, o, n) {
            scalar_binary(op, a, b, o, n);
        }
    }
}

/// `o[i] = op(a[i], b[i])` for `n` float32 elements.
///
/// # Safety
/// `a`, `b` and `o` must be valid for `n` elements (`o` may equal `a` or `b`).
pub unsafe fn binary_f32(op: BinaryOp, a: *const f32, b: *const f32, o: *mut f32, n: usize) {
    // SAFETY: forwarded from the caller.
    unsafe {
        if !f32x4::binary(op, a, b, o, n) {
            scalar_binary(op, a, b, o, n);
        }
    }
}

/// `o[i] = op(a[i], k)` for float64 through the lane kernels; false when `op` has none.
///
/// # Safety
/// `a` and `o` must be valid for `n` elements (`o` may equal `a`).
pub unsafe fn binary_k_f64(op: BinaryOp, a: *const f64, k: f64, o: *mut f64, n: usize) -> bool {
    // SAFETY: forwarded from the caller.
    unsafe { f64x2::binary_k(op, a, k, o, n) }
}

/// `o[i] = op(a[i], k)` for float32; false when `op` has no lane kernel.
///
/// # Safety
/// As [`binary_k_f64`].
pub unsafe fn binary_k_f32(op: BinaryOp, a: *const f32, k: f32, o: *mut f32, n: usize) -> bool {
    // SAFETY: forwarded from the caller.
    unsafe { f32x4::binary_k(op, a, k, o, n) }
}

/// `o[i] = op(k, a[i])` for float64; false when `op` has no lane kernel.
///
/// # Safety
/// As [`binary_k_f64`].
pub unsafe fn k_binary_f64(op: BinaryOp, k: f64, a: *const f64, o: *mut f64, n: usize) -> bool {
    // SAFETY: forwarded from the caller.
    unsafe { f64x2::k_binary(op, k, a, o, n) }
}

/// `o[i] = op(k, a[i])` for float32; false when `op` has no lane kernel.
///
/// # Safety
/// As [`binary_k_f64`].
pub unsafe fn k_binary_f32(op: BinaryOp, k: f32, a: *const f32, o: *mut f32, n: usize) -> bool {
    // SAFETY: forwarded from the caller.
    unsafe { f32x4::k_binary(op, k, a, o, n) }
}

/// The functions without a lane kernel here, one element at a time.
unsafe fn scalar_unary<T: crate::types::elem::FloatElem>(
    op: UnaryOp,
    a: *const T,
    o: *mut T,
    n: usize,
) {
    for i in 0..n {
        // SAFETY: the caller guarantees `n` valid elements.
        unsafe { *o.add(i) = T::math(op, *a.add(i)) };
    }
}

unsafe fn scalar_binary<T: crate::types::elem::FloatElem>(
    op: BinaryOp,
    a: *const T,
    b: *const T,
    o: *mut T,
    n: usize,
) {
    for i in 0..n {
        // SAFETY: the caller guarantees `n` valid elements.
        unsafe { *o.add(i) = T::math2(op, *a.add(i), *b.add(i)) };
    }
}

/// One element through the same lane kernels, for the reference evaluator and constant
/// folding: every path of the engine computes a function identically, so folded constants,
/// the reference evaluator and the VM agree to the bit. NaN for functions without a kernel.
pub trait OneLane: Sized {
    fn unary_one(op: UnaryOp, a: Self) -> Self;
    fn binary_one(op: BinaryOp, a: Self, b: Self) -> Self;
}

macro_rules! one_lane {
    ($t:ty, $v:ty) => {
        impl OneLane for $t {
            fn unary_one(op: UnaryOp, a: $t) -> $t {
                let mut o = <$t>::NAN;
                // SAFETY: one valid element each.
                unsafe { <$v>::unary(op, &a, &mut o, 1) };
                o
            }
            fn binary_one(op: BinaryOp, a: $t, b: $t) -> $t {
                let mut o = <$t>::NAN;
                // SAFETY: one valid element each.
                unsafe { <$v>::binary(op, &a, &b, &mut o, 1) };
                o
            }
        }
    };
}

one_lane!(f64, f64x2);
one_lane!(f32, f32x4);
