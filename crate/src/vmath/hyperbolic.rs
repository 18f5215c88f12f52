//! sinh, cosh, tanh, arcsinh, arccosh, arctanh for float64 and float32.
//!
//! Method: everything is built on the exp and log kernels with double-double
//! (float-float) intermediates so that each result is rounded once:
//! * sinh |x| = e^|x|/2 - 1/(2e^|x|) and cosh |x| = e^|x|/2 + 1/(2e^|x|) with e^|x|/2 as a
//!   double-double, for |x| < 709 (float32: 88); sinh below 1/2, where that subtraction
//!   cancels, is (m + m/(m+1))/2 with m = expm1|x| as a double-double and the quotient
//!   with a Dekker remainder. Beyond, e^|x|/2 is rounded once (no spurious overflow below
//!   the true threshold). tanh |x| = m/(m+2) with m = expm1(2|x|), 1 above 22 (float32: 9).
//! * arcsinh |x| = log1p(|x| + (sqrt(x^2+1) - 1)) with x^2 + 1 and its square root as
//!   double-doubles; arccosh x = log1p((x-1) + sqrt((x-1)(x+1))) likewise; beyond 2^28
//!   (float32: 2^12) both are log(x) + ln2. arctanh |x| = log1p(2|x|/(1-|x|))/2 with the
//!   quotient as a double-double. The log1p kernel accepts the double-double argument.
//!
//! Special values as NumPy: odd functions keep the sign of zero, arccosh(x < 1) and
//! arctanh(|x| > 1) are NaN, arctanh(±1) = ±inf, tanh(±inf) = ±1.

use std::simd::prelude::*;

use super::exp::{exp_poly32, exp_scaled32, exp_scaled64, exp_tail64, expm1_dd64, expm1_ff32};
use super::log::{log_k32, log_k64, log1p_dd64, log1p_ff32};
use super::tables::{INV_LN2_64, LN2_64_HI, LN2_64_LO, LN2_HI_F32, LN2_LO_F32};
use super::util::{
    INVALID32, INVALID64, MinMaxNum, dd_div, f32s, f64s, fast_two_sum32, ff_div, nan_of32,
    nan_of64, pow2i_f32, pow2i_f64, round_int_f32, round_int_f64, two_prod, two_prod32, two_sum,
    two_sum32,
};

/// sqrt(ah + al) as a double-double (ah >= 1).
#[inline(always)]
fn sqrt_dd(ah: f64x2, al: f64x2) -> (f64x2, f64x2) {
    let sh = std::simd::StdFloat::sqrt(ah);
    let (q, qe) = two_prod(sh, sh);
    (sh, (((ah - q) - qe) + al) / (sh + sh))
}

#[inline(always)]
fn sqrt_ff(ah: f32x4, al: f32x4) -> (f32x4, f32x4) {
    let sh = std::simd::StdFloat::sqrt(ah);
    let (q, qe) = two_prod32(sh, sh);
    (sh, (((ah - q) - qe) + al) / (sh + sh))
}

/// Below this |x| (float32: [`HALF_EXP_MAX32`]) e^|x|/2 is computed directly.
const HALF_EXP_MAX64: f64 = 709.0;
const HALF_EXP_MAX32: f32 = 88.0;

/// e^a / 2 as a normalized double-double, for 0 <= a <= 709 (709 for NaN lanes).
#[inline(always)]
fn half_exp_dd64(a: f64x2) -> (f64x2, f64x2) {
    let ac = a.min_num(f64s(HALF_EXP_MAX64));
    let (kd, ki) = round_int_f64(ac * f64s(INV_LN2_64));
    let r = (ac - kd * f64s(LN2_64_HI)) - kd * f64s(LN2_64_LO);
    let (th, tl) = exp_tail64(ki, r);
    let scale = pow2i_f64(((ki & i64x2::splat(!63)) >> 6) - i64x2::splat(1));
    // The table tail carries the polynomial, up to 2^-7.5: normalize.
    let eh = th * scale + tl * scale;
    let el = tl * scale - (eh - th * scale);
    (eh, el)
}

/// e^a / 2 as a normalized float-float, for 0 <= a <= 88 (88 for NaN lanes).
#[inline(always)]
fn half_exp_ff32(a: f32x4) -> (f32x4, f32x4) {
    let ac = a.min_num(f32s(HALF_EXP_MAX32));
    let (kd, ki) = round_int_f32(ac * f32s(std::f32::consts::LOG2_E));
    let rh = ac - kd * f32s(LN2_HI_F32);
    let (r, rl) = two_sum32(rh, -(kd * f32s(LN2_LO_F32)));
    let (s, lo) = exp_poly32(r, rl);
    let (s, lo) = fast_two_sum32(s, lo);
    let scale = pow2i_f32(ki - i32x4::splat(1));
    (s * scale, lo * scale)
}

/// Hyperbolic sine.
#[must_use]
#[inline]
pub fn sinh_f64x2(x: f64x2) -> f64x2 {
    // 1/2 <= |x| < 709 in every lane (the common case): e^a/2 - 1/(2e^a) with e^a/2 as a
    // double-double; the result is at least 0.52 and the quotient at most 0.31, so its
    // rounding costs at most 1/8 ULP. Otherwise the expm1 form, out of line.
    let (y, ok) = sinh_fast_f64x2(x);
    if ok { y } else { sinh_full64(x) }
}

/// The common case of [`sinh_f64x2`] (every |x| in [1/2, 709)): its result, valid when the
/// flag is true. The full path computes these lanes the same way.
#[must_use]
#[inline(always)]
pub fn sinh_fast_f64x2(x: f64x2) -> (f64x2, bool) {
    let a = x.abs();
    let (eh, el) = half_exp_dd64(a);
    let ok = (a.simd_ge(f64s(0.5)) & a.simd_lt(f64s(HALF_EXP_MAX64))).all();
    ((eh + (el - f64s(0.25) / eh)).copysign(x), ok)
}

#[inline(never)]
fn sinh_full64(x: f64x2) -> f64x2 {
    // Each lane takes the formula of its own range, so a result never depends on the
    // other lane of its vector.
    let a = x.abs();
    let small = a.simd_lt(f64s(0.5));
    let mid = a.simd_ge(f64s(0.5)) & a.simd_lt(f64s(HALF_EXP_MAX64));
    let mut res = f64s(0.0);
    if small.any() {
        let (eh, el) = expm1_dd64(a.min_num(f64s(0.5)));
        let (dh, dl) = two_sum(eh, f64s(1.0));
        let (qh, ql) = dd_div(eh, el, dh, dl + el);
        let (sh, se) = two_sum(eh, qh);
        res = f64s(0.5) * (sh + (se + (el + ql)));
    }
    if mid.any() {
        let (eh, el) = half_exp_dd64(a);
        res = mid.select(eh + (el - f64s(0.25) / eh), res);
    }
    if !(small | mid).all() {
        res = (small | mid).select(res, exp_scaled64(a, -1));
    }
    let res = res.copysign(x);
    x.is_nan().select(x, res)
}

/// Hyperbolic cosine.
#[must_use]
#[inline]
pub fn cosh_f64x2(x: f64x2) -> f64x2 {
    let (y, ok) = cosh_fast_f64x2(x);
    if ok { y } else { cosh_full64(x, y) }
}

/// The common case of [`cosh_f64x2`] (every |x| below 709): its result, valid when the flag
/// is true.
#[must_use]
#[inline(always)]
pub fn cosh_fast_f64x2(x: f64x2) -> (f64x2, bool) {
    let a = x.abs();
    // e^a/2 + 1/(2 e^a) with e^a/2 as a double-double: both terms are positive, and the
    // quotient (at most 1/2 of a result >= 1) adds at most 1/8 ULP, so one formula serves
    // every |x| < 709 (a vector no longer computes two paths when its lanes straddle 1/2).
    let (eh, el) = half_exp_dd64(a);
    (
        eh + (el + f64s(0.25) / eh),
        a.simd_lt(f64s(HALF_EXP_MAX64)).all(),
    )
}

/// Beyond 709 (and inf, NaN): e^a/2 rounded once, without spurious overflow.
#[inline(never)]
fn cosh_full64(x: f64x2, common: f64x2) -> f64x2 {
    let a = x.abs();
    a.simd_lt(f64s(HALF_EXP_MAX64))
        .select(common, exp_scaled64(a, -1))
}

/// Hyperbolic tangent.
#[must_use]
#[inline]
pub fn tanh_f64x2(x: f64x2) -> f64x2 {
    let a = x.abs();
    let (eh, el) = expm1_dd64((a + a).min_num(f64s(44.0)));
    let (dh, dl) = two_sum(eh, f64s(2.0));
    let (qh, ql) = dd_div(eh, el, dh, dl + el);
    let res = qh + ql;
    let res = a.simd_ge(f64s(22.0)).select(f64s(1.0), res);
    let res = x.simd_eq(f64s(0.0)).select(f64s(0.0), res).copysign(x);
    x.is_nan().select(x, res)
}

/// Inverse hyperbolic sine.
#[must_use]
#[inline]
pub fn arcsinh_f64x2(x: f64x2) -> f64x2 {
    let a = x.abs();
    let big = a.simd_gt(f64s(268_435_456.0)); // 2^28
    let mut res = f64s(0.0);
    if !big.all() {
        let ac = a.min_num(f64s(268_435_456.0));
        let (p, pe) = two_prod(ac, ac);
        let (s1, s1e) = two_sum(p, f64s(1.0));
        let (sh, sl) = sqrt_dd(s1, s1e + pe);
        let (th, tl) = two_sum(ac, sh - f64s(1.0));
        res = log1p_dd64(th, tl + sl);
    }
    if big.any() {
        res = big.select(log_k64(a, 1.0), res);
    }
    let res = x.simd_eq(f64s(0.0)).select(f64s(0.0), res).copysign(x);
    x.is_nan().select(x, res)
}

/// Inverse hyperbolic cosine.
#[must_use]
#[inline]
pub fn arccosh_f64x2(x: f64x2) -> f64x2 {
    let big = x.simd_gt(f64s(268_435_456.0));
    let mut res = f64s(0.0);
    if !big.all() {
        let xc = x.max_num(f64s(1.0)).min_num(f64s(268_435_456.0));
        let (dh, dl) = two_sum(xc, f64s(-1.0));
        // x^2 - 1 exactly: x^2 as a Dekker product, and p - 1 is exact for p >= 1.
        let (p, pe) = two_prod(xc, xc);
        let (sh, sl) = sqrt_dd(p - f64s(1.0), pe);
        let sl = sh.simd_gt(f64s(0.0)).select(sl, f64s(0.0));
        let (th, tl) = two_sum(dh, sh);
        res = log1p_dd64(th, tl + (dl + sl));
    }
    if big.any() {
        res = big.select(log_k64(x, 1.0), res);
    }
    (x.simd_lt(f64s(1.0)) | x.is_nan()).select(nan_of64(x), res)
}

/// Inverse hyperbolic tangent.
#[must_use]
#[inline]
pub fn arctanh_f64x2(x: f64x2) -> f64x2 {
    let a = x.abs();
    let ac = a.min_num(f64s(1.0 - f64::EPSILON / 2.0));
    let (dh, dl) = two_sum(f64s(1.0), -ac);
    let (qh, ql) = dd_div(ac + ac, f64s(0.0), dh, dl);
    let res = f64s(0.5) * log1p_dd64(qh, ql);
    let res = a.simd_eq(f64s(1.0)).select(f64s(f64::INFINITY), res);
    let res = x.simd_eq(f64s(0.0)).select(f64s(0.0), res).copysign(x);
    let res = a.simd_gt(f64s(1.0)).select(f64s(INVALID64), res);
    x.is_nan().select(x, res)
}

// ---------------------------------------------------------------------------------------
// float32

/// Hyperbolic sine for float32 lanes.
#[must_use]
#[inline]
pub fn sinh_f32x4(x: f32x4) -> f32x4 {
    let (y, ok) = sinh_fast_f32x4(x);
    if ok { y } else { sinh_full32(x) }
}

/// The common case of [`sinh_f32x4`] (every |x| in [1/2, 88)).
#[must_use]
#[inline(always)]
pub fn sinh_fast_f32x4(x: f32x4) -> (f32x4, bool) {
    let a = x.abs();
    let (h, l) = half_exp_ff32(a);
    let ok = (a.simd_ge(f32s(0.5)) & a.simd_lt(f32s(HALF_EXP_MAX32))).all();
    ((h + (l - f32s(0.25) / h)).copysign(x), ok)
}

#[inline(never)]
fn sinh_full32(x: f32x4) -> f32x4 {
    let a = x.abs();
    let small = a.simd_lt(f32s(0.5));
    let mid = a.simd_ge(f32s(0.5)) & a.simd_lt(f32s(HALF_EXP_MAX32));
    let mut res = f32s(0.0);
    if small.any() {
        let (eh, el) = expm1_ff32(a.min_num(f32s(0.5)));
        let (dh, dl) = two_sum32(eh, f32s(1.0));
        let (qh, ql) = ff_div(eh, el, dh, dl + el);
        let (sh, se) = two_sum32(eh, qh);
        res = f32s(0.5) * (sh + (se + (el + ql)));
    }
    if mid.any() {
        let (h, l) = half_exp_ff32(a);
        res = mid.select(h + (l - f32s(0.25) / h), res);
    }
    if !(small | mid).all() {
        res = (small | mid).select(res, exp_scaled32(a, -1));
    }
    let res = res.copysign(x);
    x.is_nan().select(x, res)
}

/// Hyperbolic cosine for float32 lanes.
#[must_use]
#[inline]
pub fn cosh_f32x4(x: f32x4) -> f32x4 {
    let (y, ok) = cosh_fast_f32x4(x);
    if ok { y } else { cosh_full32(x, y) }
}

/// The common case of [`cosh_f32x4`] (every |x| below 88).
#[must_use]
#[inline(always)]
pub fn cosh_fast_f32x4(x: f32x4) -> (f32x4, bool) {
    let a = x.abs();
    // As for float64: e^a/2 + 1/(2 e^a), e^a from the exp kernel as a float-float.
    let (h, l) = half_exp_ff32(a);
    (
        h + (l + f32s(0.25) / h),
        a.simd_lt(f32s(HALF_EXP_MAX32)).all(),
    )
}

#[inline(never)]
fn cosh_full32(x: f32x4, common: f32x4) -> f32x4 {
    let a = x.abs();
    a.simd_lt(f32s(HALF_EXP_MAX32))
        .select(common, exp_scaled32(a, -1))
}

/// Hyperbolic tangent for float32 lanes.
#[must_use]
#[inline]
pub fn tanh_f32x4(x: f32x4) -> f32x4 {
    let a = x.abs();
    let (eh, el) = expm1_ff32((a + a).min_num(f32s(20.0)));
    let (dh, dl) = two_sum32(eh, f32s(2.0));
    let (qh, ql) = ff_div(eh, el, dh, dl + el);
    let res = qh + ql;
    let res = a.simd_ge(f32s(10.0)).select(f32s(1.0), res);
    let res = x.simd_eq(f32s(0.0)).select(f32s(0.0), res).copysign(x);
    x.is_nan().select(x, res)
}

/// Inverse hyperbolic sine for float32 lanes.
#[must_use]
#[inline]
pub fn arcsinh_f32x4(x: f32x4) -> f32x4 {
    let a = x.abs();
    let big = a.simd_gt(f32s(4096.0));
    let mut res = f32s(0.0);
    if !big.all() {
        let ac = a.min_num(f32s(4096.0));
        let (p, pe) = two_prod32(ac, ac);
        let (s1, s1e) = two_sum32(p, f32s(1.0));
        let (sh, sl) = sqrt_ff(s1, s1e + pe);
        let (th, tl) = two_sum32(ac, sh - f32s(1.0));
        res = log1p_ff32(th, tl + sl);
    }
    if big.any() {
        res = big.select(log_k32(a, 1.0), res);
    }
    let res = x.simd_eq(f32s(0.0)).select(f32s(0.0), res).copysign(x);
    x.is_nan().select(x, res)
}

/// Inverse hyperbolic cosine for float32 lanes.
#[must_use]
#[inline]
pub fn arccosh_f32x4(x: f32x4) -> f32x4 {
    let big = x.simd_gt(f32s(4096.0));
    let mut res = f32s(0.0);
    if !big.all() {
        let xc = x.max_num(f32s(1.0)).min_num(f32s(4096.0));
        let (dh, dl) = two_sum32(xc, f32s(-1.0));
        let (p, pe) = two_prod32(xc, xc);
        let (sh, sl) = sqrt_ff(p - f32s(1.0), pe);
        let sl = sh.simd_gt(f32s(0.0)).select(sl, f32s(0.0));
        let (th, tl) = two_sum32(dh, sh);
        res = log1p_ff32(th, tl + (dl + sl));
    }
    if big.any() {
        res = big.select(log_k32(x, 1.0), res);
    }
    (x.simd_lt(f32s(1.0)) | x.is_nan()).select(nan_of32(x), res)
}

/// Inverse hyperbolic tangent for float32 lanes.
#[must_use]
#[inline]
pub fn arctanh_f32x4(x: f32x4) -> f32x4 {
    let a = x.abs();
    let ac = a.min_num(f32s(1.0 - f32::EPSILON / 2.0));
    let (dh, dl) = two_sum32(f32s(1.0), -ac);
    let (qh, ql) = ff_div(ac + ac, f32s(0.0), dh, dl);
    let res = f32s(0.5) * log1p_ff32(qh, ql);
    let res = a.simd_eq(f32s(1.0)).select(f32s(f32::INFINITY), res);
    let res = x.simd_eq(f32s(0.0)).select(f32s(0.0), res).copysign(x);
    let res = a.simd_gt(f32s(1.0)).select(f32s(INVALID32), res);
    x.is_nan().select(x, res)
}
