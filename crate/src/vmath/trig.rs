//! sin, cos, tan for float64 and float32.
//!
//! Method, float64: reduce x = n pi/2 + r (`reduce.rs`, r as a double-double with
//! |r| <= pi/4), then evaluate fdlibm's published minimax kernels for sin (S1..S6) and cos
//! (C1..C6) on r, both in every lane, and pick by the quadrant n mod 4 with selects. Both
//! kernels return a head and a small tail so that tan = sin/cos (or -cos/sin in odd
//! quadrants) can be formed as a double-double quotient with a Dekker-product correction:
//! a single rounding at the end, like the kernels themselves.
//!
//! Float32: a float-float Cody-Waite reduction with pi/2 split in 12+12+12+24 bits for
//! |x| < 6000 (n < 2^12, so n P1..P3 are exact), degree-11 (sin) and degree-12 (cos)
//! Taylor kernels in float32 with x^2 formed exactly, and the same quotient for tan.
//! Lanes beyond that range, or whose reduced argument is so small that the 60-bit pi/2
//! would not be enough, take the float64 path for that lane and round once more.
//!
//! Special values: sin(±0) = ±0, tan(±0) = ±0, ±inf and NaN give NaN.

use std::simd::prelude::*;

use super::reduce::{CODY_WAITE_MAX, rem_pio2_f64x2, rem_pio2_small_f64x2};
use super::tables::{PIO2_F32_1, PIO2_F32_2, PIO2_F32_3, PIO2_F32_4};
use super::util::{
    f32s, f64s, fast_two_sum, fast_two_sum32, nan_of32, nan_of64, patch_f32, poly64, round_int_f32,
    two_prod, two_prod32, two_sum32,
};

const S: [f64; 6] = [
    -1.666_666_666_666_663_243_48e-01,
    8.333_333_333_322_489_461_24e-03,
    -1.984_126_982_985_794_931_34e-04,
    2.755_731_370_707_006_767_89e-06,
    -2.505_076_025_340_686_341_95e-08,
    1.589_690_995_211_550_102_21e-10,
];
const C: [f64; 6] = [
    4.166_666_666_666_660_190_37e-02,
    -1.388_888_888_887_410_957_49e-03,
    2.480_158_728_947_672_941_78e-05,
    -2.755_731_435_139_066_330_35e-07,
    2.087_572_321_298_174_827_90e-09,
    -1.135_964_755_778_819_482_65e-11,
];

/// sin(x + y) for |x| <= pi/4, |y| tiny, as (head, tail).
#[inline(always)]
fn ksin(x: f64x2, y: f64x2) -> (f64x2, f64x2) {
    let z = x * x;
    let v = z * x;
    let r = poly64(z, &S[1..]);
    let t = -((z * (f64s(0.5) * y - v * r) - y) - v * f64s(S[0]));
    fast_two_sum(x, t)
}

/// cos(x + y) for |x| <= pi/4, as (head, tail).
#[inline(always)]
fn kcos(x: f64x2, y: f64x2) -> (f64x2, f64x2) {
    let (z, zl) = two_prod(x, x);
    let w = z * z;
    let r = z * poly64(z, &C[..3]) + w * w * poly64(z, &C[3..]);
    let hz = f64s(0.5) * z;
    let w = f64s(1.0) - hz;
    let t = ((f64s(1.0) - w) - hz) + (z * r - (x * y + f64s(0.5) * zl));
    fast_two_sum(w, t)
}

/// cos(x + y) for |x| <= pi/4 as one value: fdlibm's `__kernel_cos`, with x^2 rounded
/// (no Dekker product), which is enough when the result is not divided further.
#[inline(always)]
fn kcos_single(x: f64x2, y: f64x2) -> f64x2 {
    let z = x * x;
    let w = z * z;
    let r = z * poly64(z, &C[..3]) + w * w * poly64(z, &C[3..]);
    let hz = f64s(0.5) * z;
    let w = f64s(1.0) - hz;
    w + (((f64s(1.0) - w) - hz) + (z * r - x * y))
}

/// Flip the sign of the lanes in `m`.
#[inline(always)]
fn neg_if64(m: mask64x2, v: f64x2) -> f64x2 {
    m.select(-v, v)
}

/// Shared body of sin and cos: `shift` is 0 for sin and 1 for cos (cos x = sin(x + pi/2)).
#[inline(always)]
fn sincos64(x: f64x2, shift: i64) -> f64x2 {
    let v = sincos_kernel64(rem_pio2_f64x2(x), shift);
    x.is_finite().select(v, nan_of64(x))
}

/// sin or cos of the reduced argument (n, rh, rl).
#[inline(always)]
fn sincos_kernel64((n, rh, rl): (i64x2, f64x2, f64x2), shift: i64) -> f64x2 {
    let q = n + i64x2::splat(shift);
    let (sh, sl) = ksin(rh, rl);
    let c = kcos_single(rh, rl);
    let odd = (q & i64x2::splat(1)).simd_eq(i64x2::splat(1));
    let neg = (q & i64x2::splat(2)).simd_eq(i64x2::splat(2));
    let v = odd.select(c, sh + sl);
    neg_if64(neg, v)
}

/// True when every lane is finite and within the vector reduction's range.
#[inline(always)]
fn all_reducible64(x: f64x2) -> bool {
    x.abs().simd_le(f64s(CODY_WAITE_MAX)).all()
}

/// The common case of [`sin_f64x2`] (every |x| <= 1e6): its result, valid when the flag is
/// true. The full path gives these lanes the same bits.
#[must_use]
#[inline(always)]
pub fn sin_fast_f64x2(x: f64x2) -> (f64x2, bool) {
    let v = sincos_kernel64(rem_pio2_small_f64x2(x), 0);
    (x.simd_eq(f64s(0.0)).select(x, v), all_reducible64(x))
}

/// The common case of [`cos_f64x2`] (every |x| <= 1e6).
#[must_use]
#[inline(always)]
pub fn cos_fast_f64x2(x: f64x2) -> (f64x2, bool) {
    (
        sincos_kernel64(rem_pio2_small_f64x2(x), 1),
        all_reducible64(x),
    )
}

/// Sine.
#[must_use]
#[inline]
pub fn sin_f64x2(x: f64x2) -> f64x2 {
    let v = sincos64(x, 0);
    x.simd_eq(f64s(0.0)).select(x, v)
}

/// Cosine.
#[must_use]
#[inline]
pub fn cos_f64x2(x: f64x2) -> f64x2 {
    sincos64(x, 1)
}

/// (a_h + a_l) / (b_h + b_l) rounded once (up to a tiny error in the correction).
#[inline(always)]
fn dd_div(ah: f64x2, al: f64x2, bh: f64x2, bl: f64x2) -> f64x2 {
    let q = ah / bh;
    let (p, pe) = two_prod(q, bh);
    let rem = (((ah - p) - pe) + al) - q * bl;
    q + rem / bh
}

/// Tangent.
#[must_use]
#[inline]
pub fn tan_f64x2(x: f64x2) -> f64x2 {
    let (n, rh, rl) = rem_pio2_f64x2(x);
    let (sh, sl) = ksin(rh, rl);
    let (ch, cl) = kcos(rh, rl);
    let odd = (n & i64x2::splat(1)).simd_eq(i64x2::splat(1));
    // Even quadrants: sin/cos; odd: -cos/sin.
    let (ah, al) = (odd.select(-ch, sh), odd.select(-cl, sl));
    let (bh, bl) = (odd.select(sh, ch), odd.select(sl, cl));
    let v = dd_div(ah, al, bh, bl);
    let v = x.simd_eq(f64s(0.0)).select(x, v);
    x.is_finite().select(v, nan_of64(x))
}

// ---------------------------------------------------------------------------------------
// float32

/// Lanes at or below this magnitude use the float32 reduction (n < 2^12).
const F32_REDUCE_MAX: f32 = 6000.0;

/// Float-float reduction; returns (n, r_hi, r_lo, lanes needing the float64 path).
#[inline(always)]
fn rem_pio2_f32x4(x: f32x4) -> (i32x4, f32x4, f32x4, mask32x4) {
    let (nd, ni) = round_int_f32(x * f32s(std::f32::consts::FRAC_2_PI));
    let y = x - nd * f32s(PIO2_F32_1);
    let (s, e1) = two_sum32(y, -(nd * f32s(PIO2_F32_2)));
    let (s2, e2) = two_sum32(s, -(nd * f32s(PIO2_F32_3)));
    let lo = (e1 + e2) - nd * f32s(PIO2_F32_4);
    let (rh, rl) = fast_two_sum32(s2, lo);
    let slow = !x.abs().simd_le(f32s(F32_REDUCE_MAX))
        | (rh.abs().simd_lt(f32s(1.0 / 1024.0)) & nd.simd_ne(f32s(0.0)));
    (ni, rh, rl, slow & x.is_finite())
}

/// sin(x + y), |x| <= pi/4, as (head, tail).
#[inline(always)]
fn ksin32(x: f32x4, y: f32x4) -> (f32x4, f32x4) {
    const P: [f32; 5] = [
        -1.0 / 6.0,
        1.0 / 120.0,
        -1.0 / 5040.0,
        1.0 / 362_880.0,
        -1.0 / 39_916_800.0,
    ];
    let z = x * x;
    let t = y + x * z * super::util::poly32(z, &P);
    fast_two_sum32(x, t)
}

/// Taylor coefficients of (cos x - 1 + x^2/2) / x^4 in x^2, float32.
const COS32_P: [f32; 5] = [
    1.0 / 24.0,
    -1.0 / 720.0,
    1.0 / 40320.0,
    -1.0 / 3_628_800.0,
    1.0 / 479_001_600.0,
];

/// cos(x + y), |x| <= pi/4, as (head, tail).
#[inline(always)]
fn kcos32(x: f32x4, y: f32x4) -> (f32x4, f32x4) {
    let (z, zl) = two_prod32(x, x);
    let hz = f32s(0.5) * z;
    let w = f32s(1.0) - hz;
    let t = ((f32s(1.0) - w) - hz)
        + (z * z * super::util::poly32(z, &COS32_P) - (x * y + f32s(0.5) * zl));
    fast_two_sum32(w, t)
}

/// cos(x + y) as one value, x^2 rounded (see [`kcos_single`]).
#[inline(always)]
fn kcos32_single(x: f32x4, y: f32x4) -> f32x4 {
    let z = x * x;
    let hz = f32s(0.5) * z;
    let w = f32s(1.0) - hz;
    w + (((f32s(1.0) - w) - hz) + (z * z * super::util::poly32(z, &COS32_P) - x * y))
}

#[inline(always)]
fn via_f64(f: fn(f64x2) -> f64x2) -> impl Fn(f32) -> f32 {
    move |v: f32| f(f64x2::splat(f64::from(v)))[0] as f32
}

#[inline(always)]
fn sincos32(x: f32x4, shift: i32) -> f32x4 {
    let (n, rh, rl, slow) = rem_pio2_f32x4(x);
    let q = n + i32x4::splat(shift);
    let (sh, sl) = ksin32(rh, rl);
    let c = kcos32_single(rh, rl);
    let odd = (q & i32x4::splat(1)).simd_eq(i32x4::splat(1));
    let neg = (q & i32x4::splat(2)).simd_eq(i32x4::splat(2));
    let v = odd.select(c, sh + sl);
    let v = neg.select(-v, v);
    let v = x.is_finite().select(v, nan_of32(x));
    if slow.any() {
        patch_f32(
            slow,
            x,
            v,
            via_f64(if shift == 0 { sin_f64x2 } else { cos_f64x2 }),
        )
    } else {
        v
    }
}

/// Sine for float32 lanes.
#[must_use]
#[inline]
pub fn sin_f32x4(x: f32x4) -> f32x4 {
    let v = sincos32(x, 0);
    x.simd_eq(f32s(0.0)).select(x, v)
}

/// Cosine for float32 lanes.
#[must_use]
#[inline]
pub fn cos_f32x4(x: f32x4) -> f32x4 {
    sincos32(x, 1)
}

/// Tangent for float32 lanes.
#[must_use]
#[inline]
pub fn tan_f32x4(x: f32x4) -> f32x4 {
    let (n, rh, rl, slow) = rem_pio2_f32x4(x);
    let (sh, sl) = ksin32(rh, rl);
    let (ch, cl) = kcos32(rh, rl);
    let odd = (n & i32x4::splat(1)).simd_eq(i32x4::splat(1));
    let (ah, al) = (odd.select(-ch, sh), odd.select(-cl, sl));
    let (bh, bl) = (odd.select(sh, ch), odd.select(sl, cl));
    let q = ah / bh;
    let (p, pe) = two_prod32(q, bh);
    let v = q + ((((ah - p) - pe) + al) - q * bl) / bh;
    let v = x.simd_eq(f32s(0.0)).select(x, v);
    let v = x.is_finite().select(v, nan_of32(x));
    if slow.any() {
        patch_f32(slow, x, v, via_f64(tan_f64x2))
    } else {
        v
    }
}
