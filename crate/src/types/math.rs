//! The single dispatch point for float math functions (sqrt and the transcendentals, and
//! float `pow`, `fmod`, `%`, `//`, `arctan2`, `hypot`, `nextafter`, `copysign`). Each function
//! runs the SIMD lane function of `vmath` (f64x2 / f32x4, at most 1 ULP from the correctly
//! rounded result; exact for fmod, `%`, `//`), one loop per function: the `match` on the
//! function is outside the loop, and each loop is monomorphized over its lane function so
//! that it inlines. A binary function with one constant operand runs the same loop with the
//! constant splatted into every lane.
//!
//! The block loops themselves are vmath's ([`crate::vmath::blocks`]); [`OneLane`] runs one
//! element through the same loops, for constant folding and the reference evaluator.

use std::simd::{f32x4, f64x2};

use super::{BinaryOp, UnaryOp};
use crate::vmath;
use crate::vmath::blocks::{lanes_f32, lanes_f64, lanes2_f32, lanes2_f64};

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
    /// `op(a)` of one element, `None` if `op` has no lane kernel: the common case run on
    /// the element splat across the lanes, the whole function only where the common case
    /// does not apply (the block loops' rule, so the bits are theirs).
    fn unary1(op: UnaryOp, a: Self::Elem) -> Option<Self::Elem>;
    /// `op(a, b)` of one element pair, as [`Lanes::unary1`].
    fn binary1(op: BinaryOp, a: Self::Elem, b: Self::Elem) -> Option<Self::Elem>;
    /// `op(x)` of one vector, as the block loops compute a vector (the common case, the
    /// whole function where it does not apply); `None` if `op` has no lane kernel.
    fn unary_v(op: UnaryOp, x: Self) -> Option<Self>
    where
        Self: Sized;
    /// `op(x, y)` of one vector pair, as [`Lanes::unary_v`].
    fn binary_v(op: BinaryOp, x: Self, y: Self) -> Option<Self>
    where
        Self: Sized;
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

/// The common-case form of a lane function: its `*_fast_*` twin when it has one.
macro_rules! fast1 {
    ($f:ident) => {
        |x| (vmath::$f(x), true)
    };
    ($f:ident / $fast:ident) => {
        vmath::$fast
    };
}

macro_rules! fast2 {
    ($f:ident) => {
        |x, y| (vmath::$f(x, y), true)
    };
    ($f:ident / $fast:ident) => {
        vmath::$fast
    };
}

macro_rules! lanes_impl {
    ($v:ty, $t:ty, $l1:ident, $l2:ident;
     $($u:ident => $uf:ident $(/ $ufast:ident)?),*;
     $($b:ident => $bf:ident $(/ $bfast:ident)?),*) => {
        impl Lanes for $v {
            type Elem = $t;
            unsafe fn unary(op: UnaryOp, a: *const $t, o: *mut $t, n: usize) -> bool {
                // SAFETY: forwarded from the caller.
                match op {
                    $(UnaryOp::$u => unsafe {
                        $l1(fast1!($uf $(/ $ufast)?), vmath::$uf, a, o, n)
                    },)*
                    _ => return false,
                }
                true
            }
            #[inline]
            fn unary1(op: UnaryOp, a: $t) -> Option<$t> {
                Self::unary_v(op, <$v>::splat(a)).map(|r| r[0])
            }
            #[inline(always)]
            fn unary_v(op: UnaryOp, x: $v) -> Option<$v> {
                match op {
                    $(UnaryOp::$u => {
                        let (r, ok) = (fast1!($uf $(/ $ufast)?))(x);
                        Some(if ok { r } else { vmath::$uf(x) })
                    })*
                    _ => None,
                }
            }
            #[inline(always)]
            fn binary_v(op: BinaryOp, x: $v, y: $v) -> Option<$v> {
                match op {
                    $(BinaryOp::$b => {
                        let (r, ok) = (fast2!($bf $(/ $bfast)?))(x, y);
                        Some(if ok { r } else { vmath::$bf(x, y) })
                    })*
                    _ => None,
                }
            }
            #[inline]
            fn binary1(op: BinaryOp, a: $t, b: $t) -> Option<$t> {
                Self::binary_v(op, <$v>::splat(a), <$v>::splat(b)).map(|r| r[0])
            }
            unsafe fn binary(op: BinaryOp, a: *const $t, b: *const $t, o: *mut $t, n: usize) -> bool {
                // SAFETY: forwarded from the caller.
                match op {
                    $(BinaryOp::$b => unsafe {
                        $l2(fast2!($bf $(/ $bfast)?), vmath::$bf, a, b, o, n)
                    },)*
                    _ => return false,
                }
                true
            }
            unsafe fn binary_k(op: BinaryOp, a: *const $t, k: $t, o: *mut $t, n: usize) -> bool {
                let kv = <$v>::splat(k);
                // SAFETY: forwarded from the caller.
                match op {
                    $(BinaryOp::$b => unsafe {
                        let fast = fast2!($bf $(/ $bfast)?);
                        $l1(|x| fast(x, kv), |x| vmath::$bf(x, kv), a, o, n)
                    },)*
                    _ => return false,
                }
                true
            }
            unsafe fn k_binary(op: BinaryOp, k: $t, a: *const $t, o: *mut $t, n: usize) -> bool {
                let kv = <$v>::splat(k);
                // SAFETY: forwarded from the caller.
                match op {
                    $(BinaryOp::$b => unsafe {
                        let fast = fast2!($bf $(/ $bfast)?);
                        $l1(|x| fast(kv, x), |x| vmath::$bf(kv, x), a, o, n)
                    },)*
                    _ => return false,
                }
                true
            }
        }
    };
}

lanes_impl!(f64x2, f64, lanes_f64, lanes2_f64;
    Sqrt => sqrt_f64x2, Sin => sin_f64x2 / sin_fast_f64x2, Cos => cos_f64x2 / cos_fast_f64x2,
    Tan => tan_f64x2,
    Arcsin => arcsin_f64x2, Arccos => arccos_f64x2, Arctan => arctan_f64x2,
    Sinh => sinh_f64x2 / sinh_fast_f64x2, Cosh => cosh_f64x2 / cosh_fast_f64x2, Tanh => tanh_f64x2,
    Arcsinh => arcsinh_f64x2, Arccosh => arccosh_f64x2, Arctanh => arctanh_f64x2,
    Log => log_f64x2 / log_fast_f64x2, Log1p => log1p_f64x2 / log1p_fast_f64x2,
    Log10 => log10_f64x2 / log10_fast_f64x2, Log2 => log2_f64x2 / log2_fast_f64x2,
    Exp => exp_f64x2 / exp_fast_f64x2, Exp2 => exp2_f64x2 / exp2_fast_f64x2,
    Expm1 => expm1_f64x2, Cbrt => cbrt_f64x2;
    Pow => pow_f64x2 / pow_fast_f64x2, Arctan2 => arctan2_f64x2, Hypot => hypot_f64x2,
    Copysign => copysign_f64x2, Nextafter => nextafter_f64x2, Fmod => fmod_f64x2,
    Mod => remainder_f64x2, FloorDiv => floordiv_f64x2);
lanes_impl!(f32x4, f32, lanes_f32, lanes2_f32;
    Sqrt => sqrt_f32x4, Sin => sin_f32x4, Cos => cos_f32x4, Tan => tan_f32x4,
    Arcsin => arcsin_f32x4, Arccos => arccos_f32x4, Arctan => arctan_f32x4,
    Sinh => sinh_f32x4 / sinh_fast_f32x4, Cosh => cosh_f32x4 / cosh_fast_f32x4, Tanh => tanh_f32x4,
    Arcsinh => arcsinh_f32x4, Arccosh => arccosh_f32x4, Arctanh => arctanh_f32x4,
    Log => log_f32x4 / log_fast_f32x4, Log1p => log1p_f32x4 / log1p_fast_f32x4,
    Log10 => log10_f32x4 / log10_fast_f32x4, Log2 => log2_f32x4 / log2_fast_f32x4,
    Exp => exp_f32x4 / exp_fast_f32x4, Exp2 => exp2_f32x4 / exp2_fast_f32x4,
    Expm1 => expm1_f32x4, Cbrt => cbrt_f32x4;
    Pow => pow_f32x4 / pow_fast_f32x4, Arctan2 => arctan2_f32x4, Hypot => hypot_f32x4,
    Copysign => copysign_f32x4, Nextafter => nextafter_f32x4, Fmod => fmod_f32x4,
    Mod => remainder_f32x4, FloorDiv => floordiv_f32x4);

/// `op` on one vector of two float64 lanes, each lane as [`unary_f64`] computes it, with
/// no loop or memory between (the lane functions the generated modules call); `None`
/// when `op` has no lane kernel. Inlined, so that a constant `op` picks its kernel at
/// compile time.
#[inline(always)]
#[must_use]
pub fn unary_f64x2(op: UnaryOp, a: [f64; 2]) -> Option<[f64; 2]> {
    f64x2::unary_v(op, f64x2::from_array(a)).map(|v| v.to_array())
}

/// As [`unary_f64x2`], four float32 lanes.
#[inline(always)]
#[must_use]
pub fn unary_f32x4(op: UnaryOp, a: [f32; 4]) -> Option<[f32; 4]> {
    f32x4::unary_v(op, f32x4::from_array(a)).map(|v| v.to_array())
}

/// `op(a, b)` on one vector pair of two float64 lanes, each lane as [`binary_f64`]
/// computes it; `None` when `op` has no lane kernel.
#[inline(always)]
#[must_use]
pub fn binary_f64x2(op: BinaryOp, a: [f64; 2], b: [f64; 2]) -> Option<[f64; 2]> {
    f64x2::binary_v(op, f64x2::from_array(a), f64x2::from_array(b)).map(|v| v.to_array())
}

/// As [`binary_f64x2`], four float32 lanes.
#[inline(always)]
#[must_use]
pub fn binary_f32x4(op: BinaryOp, a: [f32; 4], b: [f32; 4]) -> Option<[f32; 4]> {
    f32x4::binary_v(op, f32x4::from_array(a), f32x4::from_array(b)).map(|v| v.to_array())
}

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

/// `o[i] = op(a[i], b[i])` for `n` float64 elements through the lane kernels;
/// false (and nothing written) when `op` has none.
///
/// # Safety
/// `a`, `b` and `o` must be valid for `n` elements (`o` may equal `a` or `b`).
pub unsafe fn binary_f64(
    op: BinaryOp,
    a: *const f64,
    b: *const f64,
    o: *mut f64,
    n: usize,
) -> bool {
    // SAFETY: forwarded from the caller.
    unsafe { f64x2::binary(op, a, b, o, n) }
}

/// `o[i] = op(a[i], b[i])` for `n` float32 elements through the lane kernels;
/// false (and nothing written) when `op` has none.
///
/// # Safety
/// `a`, `b` and `o` must be valid for `n` elements (`o` may equal `a` or `b`).
pub unsafe fn binary_f32(
    op: BinaryOp,
    a: *const f32,
    b: *const f32,
    o: *mut f32,
    n: usize,
) -> bool {
    // SAFETY: forwarded from the caller.
    unsafe { f32x4::binary(op, a, b, o, n) }
}

/// The integer-power lane loop for twice the exponent, `e`: the common exponents (3, 4,
/// -2, -3, 1.5, -0.5) get a loop of their own, where the powering unrolls into
/// straight-line code (in Node 20, x**3 took 9.5 ns per float64 element that way against 13 ns
/// through the loop over the exponent's bits that the others run).
/// Twice the exponents [`powi_lanes`] has unrolled loops for.
pub(crate) const POWI_UNROLLED: [i32; 6] = [6, 8, -4, -6, 3, -1];

macro_rules! powi_lanes {
    ($lanes:ident, $fast:ident, $full:ident, $e:expr, $a:expr, $o:expr, $n:expr) => {
        match $e {
            6 => $lanes(|x| vmath::$fast(x, 6), |x| vmath::$full(x, 6), $a, $o, $n),
            8 => $lanes(|x| vmath::$fast(x, 8), |x| vmath::$full(x, 8), $a, $o, $n),
            -4 => $lanes(|x| vmath::$fast(x, -4), |x| vmath::$full(x, -4), $a, $o, $n),
            -6 => $lanes(|x| vmath::$fast(x, -6), |x| vmath::$full(x, -6), $a, $o, $n),
            3 => $lanes(|x| vmath::$fast(x, 3), |x| vmath::$full(x, 3), $a, $o, $n),
            -1 => $lanes(|x| vmath::$fast(x, -1), |x| vmath::$full(x, -1), $a, $o, $n),
            e => $lanes(|x| vmath::$fast(x, e), |x| vmath::$full(x, e), $a, $o, $n),
        }
    };
}

/// `o[i] = op(a[i], k)` for float64 through the lane kernels; false when `op` has none.
///
/// # Safety
/// `a` and `o` must be valid for `n` elements (`o` may equal `a`).
pub unsafe fn binary_k_f64(op: BinaryOp, a: *const f64, k: f64, o: *mut f64, n: usize) -> bool {
    if op == BinaryOp::Pow
        && let Some(e) = int_exponent(k)
    {
        // SAFETY: forwarded from the caller.
        unsafe { powi_lanes!(lanes_f64, powi_fast_f64x2, powi_f64x2, e, a, o, n) };
        return true;
    }
    // SAFETY: forwarded from the caller.
    unsafe { f64x2::binary_k(op, a, k, o, n) }
}

/// A constant exponent that the integer-power kernels take, as twice its value: an
/// integer or half-integer of magnitude at most 64.5. (The optimizer has already turned 0,
/// 1, 2, 0.5 and -1 into ones, copies, x*x, sqrt and 1/x.)
pub(crate) fn int_exponent(k: f64) -> Option<i32> {
    let twice = k * 2.0;
    (twice.trunc() == twice && (1.0..=f64::from(2 * vmath::POWI_MAX + 1)).contains(&twice.abs()))
        .then(|| twice as i32)
}

/// `o[i] = op(a[i], k)` for float32; false when `op` has no lane kernel.
///
/// # Safety
/// As [`binary_k_f64`].
pub unsafe fn binary_k_f32(op: BinaryOp, a: *const f32, k: f32, o: *mut f32, n: usize) -> bool {
    if op == BinaryOp::Pow
        && let Some(e) = int_exponent(f64::from(k))
    {
        // SAFETY: forwarded from the caller.
        unsafe { powi_lanes!(lanes_f32, powi_fast_f32x4, powi_f32x4, e, a, o, n) };
        return true;
    }
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
unsafe fn scalar_unary<T: super::elem::FloatElem>(op: UnaryOp, a: *const T, o: *mut T, n: usize) {
    for i in 0..n {
        // SAFETY: the caller guarantees `n` valid elements.
        unsafe { *o.add(i) = T::math(op, *a.add(i)) };
    }
}

/// One element through the same lane kernels, for the reference evaluator and constant
/// folding: every path of the engine computes a function identically, so folded constants,
/// the reference evaluator and the VM agree to the bit. NaN for functions without a kernel.
pub trait OneLane: Sized {
    fn unary_one(op: UnaryOp, a: Self) -> Self;
    fn binary_one(op: BinaryOp, a: Self, b: Self) -> Self;
    /// `a ** k` with `k` a constant of the expression, as the VM's constant-exponent
    /// instruction computes it (integer and half-integer `k` through the integer-power
    /// kernel, not pow).
    fn pow_const_one(a: Self, k: Self) -> Self;
}

macro_rules! one_lane {
    ($t:ty, $v:ty, $bink:ident) => {
        impl OneLane for $t {
            fn unary_one(op: UnaryOp, a: $t) -> $t {
                if let Some(r) = <$v as Lanes>::unary1(op, a) {
                    return r;
                }
                let mut o = <$t>::NAN;
                // SAFETY: one valid element each.
                unsafe { <$v>::unary(op, &a, &mut o, 1) };
                o
            }
            fn binary_one(op: BinaryOp, a: $t, b: $t) -> $t {
                if let Some(r) = <$v as Lanes>::binary1(op, a, b) {
                    return r;
                }
                let mut o = <$t>::NAN;
                // SAFETY: one valid element each.
                unsafe { <$v>::binary(op, &a, &b, &mut o, 1) };
                o
            }
            fn pow_const_one(a: $t, k: $t) -> $t {
                // `a ** 2` is `a * a`, as NumPy's square fast path, Numba's integer power
                // and the expression optimizer make it (the integer-power kernel can be
                // an ULP off for subnormal results).
                if k == 2.0 {
                    return a * a;
                }
                // A power that is not an integer or a half-integer is pow itself: one
                // element through the lane function, without the block loop.
                if int_exponent(f64::from(k)).is_none()
                    && let Some(r) = <$v as Lanes>::binary1(BinaryOp::Pow, a, k)
                {
                    return r;
                }
                let mut o = <$t>::NAN;
                // SAFETY: one valid element each.
                unsafe { $bink(BinaryOp::Pow, &a, k, &mut o, 1) };
                o
            }
        }
    };
}

one_lane!(f64, f64x2, binary_k_f64);
one_lane!(f32, f32x4, binary_k_f32);

#[cfg(test)]
mod tests {
    use super::*;

    /// The lane loops switch from a function's common case to the whole function at the
    /// first vector pair that needs it; every element must still be what the function gives
    /// that element alone, wherever the unusual value sits, in place or not.
    #[test]
    fn loops_switch_paths_without_changing_results() {
        let ordinary = |i: usize| 0.75 + (i as f64 * 0.37).sin() * 0.5;
        let unusual = [
            1000.0,
            -1000.0,
            0.0,
            -0.0,
            1e-310,
            f64::NAN,
            f64::INFINITY,
            0.1,
        ];
        let unary = [
            UnaryOp::Exp,
            UnaryOp::Exp2,
            UnaryOp::Log,
            UnaryOp::Log2,
            UnaryOp::Log10,
            UnaryOp::Log1p,
            UnaryOp::Sinh,
            UnaryOp::Cosh,
            UnaryOp::Sin,
            UnaryOp::Cos,
        ];
        let same = |x: f64, y: f64| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
        for n in [1, 2, 3, 4, 5, 7, 8, 9, 23] {
            for pos in 0..n {
                for &u in &unusual {
                    // One unusual value, and a second one further on (the loops go back to
                    // the common case after the pair that needed the whole function).
                    let second = (pos * 7 + 5) % n;
                    let x: Vec<f64> = (0..n)
                        .map(|i| {
                            if i == pos || i == second {
                                u
                            } else {
                                ordinary(i)
                            }
                        })
                        .collect();
                    for op in unary {
                        let mut out = vec![0.0; n];
                        let mut inplace = x.clone();
                        // SAFETY: n valid elements each; in place is allowed.
                        unsafe {
                            unary_f64(op, x.as_ptr(), out.as_mut_ptr(), n);
                            unary_f64(op, inplace.as_ptr(), inplace.as_mut_ptr(), n);
                        }
                        for i in 0..n {
                            let alone = f64::unary_one(op, x[i]);
                            assert!(same(out[i], alone), "{op:?} n={n} pos={pos} u={u} i={i}");
                            assert!(same(inplace[i], alone), "{op:?} in place, n={n} pos={pos}");
                        }
                        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
                        let mut out32 = vec![0.0f32; n];
                        // SAFETY: as above.
                        unsafe { unary_f32(op, x32.as_ptr(), out32.as_mut_ptr(), n) };
                        for i in 0..n {
                            let alone = f32::unary_one(op, x32[i]);
                            assert!(
                                same(f64::from(out32[i]), f64::from(alone)),
                                "{op:?} f32 n={n} pos={pos} u={u} i={i}"
                            );
                        }
                    }
                    let y: Vec<f64> = (0..n).map(|i| 1.5 - ordinary(i)).collect();
                    for op in [
                        BinaryOp::Pow,
                        BinaryOp::Arctan2,
                        BinaryOp::Hypot,
                        BinaryOp::Copysign,
                        BinaryOp::Nextafter,
                        BinaryOp::Fmod,
                        BinaryOp::Mod,
                        BinaryOp::FloorDiv,
                    ] {
                        let mut out = vec![0.0; n];
                        let mut out32 = vec![0.0f32; n];
                        let (x32, y32): (Vec<f32>, Vec<f32>) = x
                            .iter()
                            .zip(&y)
                            .map(|(&a, &b)| (a as f32, b as f32))
                            .unzip();
                        // SAFETY: n valid elements each.
                        unsafe {
                            binary_f64(op, x.as_ptr(), y.as_ptr(), out.as_mut_ptr(), n);
                            binary_f32(op, x32.as_ptr(), y32.as_ptr(), out32.as_mut_ptr(), n);
                        }
                        for i in 0..n {
                            let alone = f64::binary_one(op, x[i], y[i]);
                            assert!(same(out[i], alone), "{op:?} n={n} pos={pos} u={u} i={i}");
                            let alone = f32::binary_one(op, x32[i], y32[i]);
                            assert!(
                                same(f64::from(out32[i]), f64::from(alone)),
                                "{op:?} f32 n={n} pos={pos} u={u} i={i}"
                            );
                        }
                    }
                    let mut outk = vec![0.0; n];
                    // SAFETY: n valid elements each.
                    unsafe { binary_k_f64(BinaryOp::Pow, x.as_ptr(), 2.3, outk.as_mut_ptr(), n) };
                    for i in 0..n {
                        let alone = f64::binary_one(BinaryOp::Pow, x[i], 2.3);
                        assert!(same(outk[i], alone), "pow k n={n} pos={pos} u={u} i={i}");
                    }
                    // Integer and half-integer constant exponents (their own kernel).
                    for k in [3.0, -2.0, 7.0, 1.5, -0.5, 40.5] {
                        // SAFETY: n valid elements each.
                        unsafe { binary_k_f64(BinaryOp::Pow, x.as_ptr(), k, outk.as_mut_ptr(), n) };
                        for i in 0..n {
                            let alone = f64::pow_const_one(x[i], k);
                            assert!(same(outk[i], alone), "pow {k} n={n} pos={pos} u={u} i={i}");
                        }
                    }
                }
            }
        }
    }
}
