//! exp, exp2, expm1 for float64 and float32.
//!
//! Method, float64: x = (64k + j) ln2/64 + r with |r| <= ln2/128 (Cody-Waite reduction
//! with a 36-bit head of ln2/64, so k ln2/64 is exact), then e^x = 2^k 2^(j/64) e^r where
//! 2^(j/64) comes from a 64-entry table of double-double values (`tables.rs`) and e^r - 1
//! is its degree-6 Taylor polynomial (truncation below 2^-64 on that interval). The
//! result T + (T p + T_lo) rounds once, so the error stays near 0.5 ULP. The power of two
//! is added to the exponent bits; lanes whose result may overflow or be subnormal take a
//! scaling in two normal factors (one rounding).
//!
//! Float32 uses no table: x = k ln2 + r with |r| <= ln2/2 (16-bit head of ln2), a degree-7
//! Taylor polynomial, and 1 + r + (r_lo + q) summed with an error-free two-sum so that
//! only the final addition rounds.
//!
//! expm1 evaluates x + x^2/2 + x^3 P(x) (Taylor to x^15/15!, x^2/2 exact by Dekker's
//! product) for |x| < ln2/2, where cancellation would ruin e^x - 1; elsewhere it computes
//! e^x as a double-double and subtracts 1 with a two-sum.

use std::simd::prelude::*;

use super::tables::{EXP2_64, INV_LN2_64, LN2_64_HI, LN2_64_LO, LN2_HI_F32, LN2_LO_F32};
use super::util::{
    MinMaxNum, f32s, f64s, fast_two_sum, fast_two_sum32, pow2i_f32, pow2i_f64, round_int_f32,
    round_int_f64, scale_f32, scale_f64, two_prod, two_prod32, two_sum, two_sum32,
};

const LN2: f64 = std::f64::consts::LN_2;

/// Taylor coefficients of (e^r - 1 - r) / r^2.
const EXP_P: [f64; 5] = [0.5, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0];

/// 2^(j/64) e^r as (T_hi, T_hi p + T_lo) for j = ki mod 64.
#[inline(always)]
pub(super) fn exp_tail64(ki: i64x2, r: f64x2) -> (f64x2, f64x2) {
    let idx = (ki & i64x2::splat(63)).to_array();
    let (t0, l0) = EXP2_64[idx[0] as usize];
    let (t1, l1) = EXP2_64[idx[1] as usize];
    let (th, tl) = (f64x2::from_array([t0, t1]), f64x2::from_array([l0, l1]));
    // Estrin's scheme (V8 runs these kernels latency-bound).
    let c = |i: usize| f64s(EXP_P[i]);
    let r2 = r * r;
    let q = (c(0) + c(1) * r) + r2 * ((c(2) + c(3) * r) + r2 * c(4));
    let p = r + r2 * q;
    (th, th * p + tl)
}

/// y * 2^(ki div 64) by adding to the exponent field (valid while the result is normal).
#[inline(always)]
pub(super) fn add_exponent64(y: f64x2, ki: i64x2) -> f64x2 {
    let e = (ki & i64x2::splat(!63)) << 46;
    f64x2::from_bits((y.to_bits().cast::<i64>() + e).cast::<u64>())
}

/// Shared finish of exp and exp2: fast exponent add, exact two-step scaling for lanes that
/// may overflow or underflow, NaN passed through.
#[inline(always)]
pub(super) fn finish64(x: f64x2, y: f64x2, ki: i64x2, safe: f64) -> f64x2 {
    let res = add_exponent64(y, ki);
    let slow = !x.abs().simd_le(f64s(safe));
    if slow.any() {
        let scaled = scale_f64(y, (ki & i64x2::splat(!63)) >> 6);
        let res = slow.select(scaled, res);
        x.is_nan().select(x, res)
    } else {
        res
    }
}

/// Dispatch of exp and exp2: when every lane is inside the range where the result is a
/// normal number, the kernel runs without clamping and the exponent is added directly;
/// otherwise (overflow, underflow, inf, NaN in some lane) the full path runs out of line.
/// `$fast` is the common case alone, with a flag saying whether it applies to every lane:
/// the VM's lane loops run it while it does, in a loop with no call to the full path
/// (V8 keeps more constants in registers there).
macro_rules! exp_entry {
    ($doc:literal, $name:ident, $fast:ident, $full:ident, $core:ident, $v:ty, $s:ident, $lo:expr, $hi:expr, $safe:expr, $finish:ident, $add:ident) => {
        #[doc = $doc]
        #[must_use]
        #[inline]
        pub fn $name(x: $v) -> $v {
            let (y, ok) = $fast(x);
            if ok { y } else { $full(x) }
        }

        #[doc = concat!("The common case of [`", stringify!($name), "`]: its result, valid when the flag is true.")]
        #[must_use]
        #[inline(always)]
        pub fn $fast(x: $v) -> ($v, bool) {
            let ok = x.abs().simd_le($s($safe)).all();
            let (y, ki) = $core(x);
            ($add(y, ki), ok)
        }

        #[inline(never)]
        fn $full(x: $v) -> $v {
            let (y, ki) = $core(x.max_num($s($lo)).min_num($s($hi)));
            $finish(x, y, ki, $safe)
        }
    };
}

exp_entry!(
    "e^x.",
    exp_f64x2,
    exp_fast_f64x2,
    exp_full64,
    exp_core64,
    f64x2,
    f64s,
    -746.0,
    710.0,
    708.0,
    finish64,
    add_exponent64
);
exp_entry!(
    "2^x.",
    exp2_f64x2,
    exp2_fast_f64x2,
    exp2_full64,
    exp2_core64,
    f64x2,
    f64s,
    -1080.0,
    1025.0,
    1020.0,
    finish64,
    add_exponent64
);
exp_entry!(
    "e^x for float32 lanes.",
    exp_f32x4,
    exp_fast_f32x4,
    exp_full32,
    exp_core32,
    f32x4,
    f32s,
    -104.0,
    89.0,
    87.0,
    finish32,
    add_exponent32
);
exp_entry!(
    "2^x for float32 lanes.",
    exp2_f32x4,
    exp2_fast_f32x4,
    exp2_full32,
    exp2_core32,
    f32x4,
    f32s,
    -152.0,
    129.0,
    125.0,
    finish32,
    add_exponent32
);

/// e^x before the power of two: (2^(j/64) e^r, 64k + j) for |x| <= 746.
#[inline(always)]
fn exp_core64(xc: f64x2) -> (f64x2, i64x2) {
    let (kd, ki) = round_int_f64(xc * f64s(INV_LN2_64));
    let r = (xc - kd * f64s(LN2_64_HI)) - kd * f64s(LN2_64_LO);
    let (th, tl) = exp_tail64(ki, r);
    (th + tl, ki)
}

/// 2^x before the power of two.
#[inline(always)]
fn exp2_core64(xc: f64x2) -> (f64x2, i64x2) {
    let (kd, ki) = round_int_f64(xc * f64s(64.0));
    let r = (xc - kd * f64s(1.0 / 64.0)) * f64s(LN2);
    let (th, tl) = exp_tail64(ki, r);
    (th + tl, ki)
}

/// Taylor coefficients of (e^x - 1 - x - x^2/2) / x^3 up to x^15/15!.
const EXPM1_P: [f64; 13] = {
    let mut c = [0.0; 13];
    let mut f = 6.0;
    let mut i = 0;
    while i < 13 {
        c[i] = 1.0 / f;
        f *= (i + 4) as f64;
        i += 1;
    }
    c
};

/// e^x - 1 as a double-double (head, tail) for -40 <= x <= 700 (also used by the
/// hyperbolic functions).
#[inline(always)]
pub(super) fn expm1_dd64(x: f64x2) -> (f64x2, f64x2) {
    let small = x.abs().simd_lt(f64s(0.346_5));
    let (mut h, mut l) = (f64s(0.0), f64s(0.0));
    if small.any() {
        let (hh, hl) = two_prod(x, x * f64s(0.5));
        let (s, es) = fast_two_sum(x, hh);
        let x3p = x * x * x * super::util::poly64(x, &EXPM1_P);
        (h, l) = (s, es + (hl + x3p));
    }
    if !small.all() {
        let xc = x.max_num(f64s(-40.0)).min_num(f64s(700.0));
        let (kd, ki) = round_int_f64(xc * f64s(INV_LN2_64));
        let r = (xc - kd * f64s(LN2_64_HI)) - kd * f64s(LN2_64_LO);
        let (th, tl) = exp_tail64(ki, r);
        let scale = pow2i_f64((ki & i64x2::splat(!63)) >> 6);
        let (s, err) = two_sum(f64s(-1.0), th * scale);
        h = small.select(h, s);
        l = small.select(l, err + tl * scale);
    }
    // Normalize: the small path leaves x^3 terms in the tail.
    let s = h + l;
    (s, l - (s - h))
}

/// e^x 2^extra rounded once, for any x (overflow gives inf, underflow 0), extra in
/// [-2, 2]; the kernel of sinh/cosh for large arguments.
#[inline(always)]
pub(super) fn exp_scaled64(x: f64x2, extra: i64) -> f64x2 {
    let xc = x.max_num(f64s(-746.0)).min_num(f64s(712.0));
    let (kd, ki) = round_int_f64(xc * f64s(INV_LN2_64));
    let r = (xc - kd * f64s(LN2_64_HI)) - kd * f64s(LN2_64_LO);
    let (th, tl) = exp_tail64(ki, r);
    let res = scale_f64(
        th + tl,
        ((ki & i64x2::splat(!63)) >> 6) + i64x2::splat(extra),
    );
    x.is_nan().select(x, res)
}

/// e^x - 1, accurate near 0.
#[must_use]
#[inline]
pub fn expm1_f64x2(x: f64x2) -> f64x2 {
    let (h, l) = expm1_dd64(x);
    let res = h + l;
    let res = x.simd_eq(f64s(0.0)).select(x, res);
    let huge = !x.simd_le(f64s(700.0));
    if huge.any() {
        huge.select(exp_f64x2(x), res)
    } else {
        res
    }
}

/// 1 + r + q as a float32 pair (s, lo) with the r head and tail kept apart.
#[inline(always)]
pub(super) fn exp_poly32(r: f32x4, rl: f32x4) -> (f32x4, f32x4) {
    const P: [f32; 6] = [
        0.5,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
    ];
    let q = r * r * super::util::poly32(r, &P);
    let (s1, e1) = fast_two_sum32(f32s(1.0), r);
    (s1, e1 + (rl + q))
}

/// y * 2^ki by adding to the exponent field (valid while the result is normal).
#[inline(always)]
pub(super) fn add_exponent32(y: f32x4, ki: i32x4) -> f32x4 {
    f32x4::from_bits((y.to_bits().cast::<i32>() + (ki << 23)).cast::<u32>())
}

#[inline(always)]
pub(super) fn finish32(x: f32x4, y: f32x4, ki: i32x4, safe: f32) -> f32x4 {
    let res = add_exponent32(y, ki);
    let slow = !x.abs().simd_le(f32s(safe));
    if slow.any() {
        let res = slow.select(scale_f32(y, ki), res);
        x.is_nan().select(x, res)
    } else {
        res
    }
}

/// e^x before the power of two, float32 lanes, |x| <= 104.
#[inline(always)]
fn exp_core32(xc: f32x4) -> (f32x4, i32x4) {
    let (kd, ki) = round_int_f32(xc * f32s(std::f32::consts::LOG2_E));
    let rh = xc - kd * f32s(LN2_HI_F32);
    let (r, rl) = two_sum32(rh, -(kd * f32s(LN2_LO_F32)));
    let (s, lo) = exp_poly32(r, rl);
    (s + lo, ki)
}

/// 2^x before the power of two, float32 lanes.
#[inline(always)]
fn exp2_core32(xc: f32x4) -> (f32x4, i32x4) {
    let (kd, ki) = round_int_f32(xc);
    let t = xc - kd;
    let (r, rl) = two_prod32(t, f32s(std::f32::consts::LN_2));
    let rl = rl + t * f32s((LN2 - std::f32::consts::LN_2 as f64) as f32);
    let (s, lo) = exp_poly32(r, rl);
    (s + lo, ki)
}

/// e^x - 1 as a float-float for -20 <= x <= 80.
#[inline(always)]
pub(super) fn expm1_ff32(x: f32x4) -> (f32x4, f32x4) {
    const P: [f32; 7] = [
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362_880.0,
    ];
    let small = x.abs().simd_lt(f32s(0.346_5));
    let (mut h, mut l) = (f32s(0.0), f32s(0.0));
    if small.any() {
        let (hh, hl) = two_prod32(x, x * f32s(0.5));
        let (s, es) = fast_two_sum32(x, hh);
        let x3p = x * x * x * super::util::poly32(x, &P);
        (h, l) = (s, es + (hl + x3p));
    }
    if !small.all() {
        let xc = x.max_num(f32s(-20.0)).min_num(f32s(80.0));
        let (kd, ki) = round_int_f32(xc * f32s(std::f32::consts::LOG2_E));
        let rh = xc - kd * f32s(LN2_HI_F32);
        let (r, rl) = two_sum32(rh, -(kd * f32s(LN2_LO_F32)));
        let (s, lo) = exp_poly32(r, rl);
        let scale = pow2i_f32(ki);
        let (hh, err) = two_sum32(f32s(-1.0), s * scale);
        h = small.select(h, hh);
        l = small.select(l, err + lo * scale);
    }
    let s = h + l;
    (s, l - (s - h))
}

/// e^x 2^extra rounded once for float32 lanes, extra in [-2, 2].
#[inline(always)]
pub(super) fn exp_scaled32(x: f32x4, extra: i32) -> f32x4 {
    let xc = x.max_num(f32s(-104.0)).min_num(f32s(90.0));
    let (kd, ki) = round_int_f32(xc * f32s(std::f32::consts::LOG2_E));
    let rh = xc - kd * f32s(LN2_HI_F32);
    let (r, rl) = two_sum32(rh, -(kd * f32s(LN2_LO_F32)));
    let (s, lo) = exp_poly32(r, rl);
    let res = scale_f32(s + lo, ki + i32x4::splat(extra));
    x.is_nan().select(x, res)
}

/// e^x - 1 for float32 lanes.
#[must_use]
#[inline]
pub fn expm1_f32x4(x: f32x4) -> f32x4 {
    let (h, l) = expm1_ff32(x);
    let res = h + l;
    let res = x.simd_eq(f32s(0.0)).select(x, res);
    let huge = !x.simd_le(f32s(80.0));
    if huge.any() {
        huge.select(exp_f32x4(x), res)
    } else {
        res
    }
}
