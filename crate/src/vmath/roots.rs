//! sqrt, cbrt, hypot for float64 and float32.
//!
//! Method:
//! * sqrt is the IEEE instruction (correctly rounded; `f64x2.sqrt` in simd128, `sqrtpd`
//!   natively).
//! * cbrt: a 5-bit first guess from the bit pattern (exponent bits divided by 3, fdlibm's
//!   bias constants B1), Halley steps t <- t + t (a - t^3)/(2 t^3 + a) (cubic convergence)
//!   to about 45 bits (float32: 15), then t is cut to 26 (12) significant bits so that
//!   t^2 is exact and t^3 is an exact Dekker product, and a last Halley step with that
//!   exact residual rounds once. Subnormals are scaled by 2^54 (2^24) first.
//! * hypot: both magnitudes are scaled by the same power of two (from the larger one's
//!   exponent) so squares cannot overflow or underflow; x^2 + y^2 is formed exactly as a
//!   double-double (Dekker products and a two-sum) and its square root gets one Newton
//!   correction from the exact remainder, so the result is rounded once.
//!   hypot(±inf, NaN) = inf, as C99 and NumPy.

use std::simd::prelude::*;

use super::util::{MinMaxNum, f32s, f64s, two_prod, two_prod32, two_sum, two_sum32};

/// Square root.
#[must_use]
#[inline]
pub fn sqrt_f64x2(x: f64x2) -> f64x2 {
    std::simd::StdFloat::sqrt(x)
}

/// Square root for float32 lanes.
#[must_use]
#[inline]
pub fn sqrt_f32x4(x: f32x4) -> f32x4 {
    std::simd::StdFloat::sqrt(x)
}

/// One Halley step for the cube root of a.
#[inline(always)]
fn halley64(t: f64x2, a: f64x2) -> f64x2 {
    let t3 = t * t * t;
    t + t * ((a - t3) / (t3 + t3 + a))
}

/// Cube root.
#[must_use]
#[inline]
pub fn cbrt_f64x2(x: f64x2) -> f64x2 {
    let a = x.abs();
    // Subnormals are scaled up by 2^54 and huge values down by 2^-600 (powers of 8, so
    // the cube root scales back exactly), which keeps t^3 and 2 t^3 + a finite.
    let sub = a.simd_lt(f64s(f64::MIN_POSITIVE));
    let huge = a.simd_gt(f64s(1e300));
    let a = sub.select(a * f64s(18_014_398_509_481_984.0), a); // 2^54
    let a = huge.select(a * f64s(2f64.powi(-600)), a);
    // First guess: high word / 3 + B1 (computed in floating point, exact for 31-bit ints).
    let hi = (a.to_bits() >> 32) | u64x2::splat(0x4330_0000_0000_0000);
    let hi = f64x2::from_bits(hi) - f64s(4_503_599_627_370_496.0);
    let g = (hi * f64s(1.0 / 3.0) + f64s(715_094_163.0)) + f64s(4_503_599_627_370_496.0);
    let t = f64x2::from_bits((g.to_bits() & u64x2::splat(0xffff_ffff)) << 32);
    let t = halley64(halley64(t, a), a);
    // Cut to 26 bits (t^2 exact), then a Halley step with the exact residual a - t^3.
    let t =
        f64x2::from_bits((t.to_bits() + u64x2::splat(1 << 26)) & u64x2::splat(!((1 << 27) - 1)));
    let s = t * t;
    let (c, ce) = two_prod(s, t);
    let d = (a - c) - ce;
    let t = t + t * (d / (c + c + a));
    let t = sub.select(t * f64s(1.0 / 262_144.0), t); // 2^-18
    let t = huge.select(t * f64s(2f64.powi(200)), t);
    let res = t.copysign(x);
    (x.simd_eq(f64s(0.0)) | !x.is_finite()).select(x + x, res)
}

#[inline(always)]
fn halley32(t: f32x4, a: f32x4) -> f32x4 {
    let t3 = t * t * t;
    t + t * ((a - t3) / (t3 + t3 + a))
}

/// Cube root for float32 lanes.
#[must_use]
#[inline]
pub fn cbrt_f32x4(x: f32x4) -> f32x4 {
    let a = x.abs();
    let sub = a.simd_lt(f32s(f32::MIN_POSITIVE));
    let huge = a.simd_gt(f32s(1e36));
    let a = sub.select(a * f32s(16_777_216.0), a); // 2^24
    let a = huge.select(a * f32s(2f32.powi(-30)), a);
    let bits = a.to_bits().cast::<i32>().cast::<f32>();
    let g = (bits * f32s(1.0 / 3.0)).cast::<i32>() + i32x4::splat(709_958_130);
    let t = f32x4::from_bits(g.cast::<u32>());
    let t = halley32(halley32(t, a), a);
    let t =
        f32x4::from_bits((t.to_bits() + u32x4::splat(1 << 11)) & u32x4::splat(!((1 << 12) - 1)));
    let s = t * t;
    let (c, ce) = two_prod32(s, t);
    let d = (a - c) - ce;
    let t = t + t * (d / (c + c + a));
    let t = sub.select(t * f32s(1.0 / 256.0), t); // 2^-8
    let t = huge.select(t * f32s(1024.0), t);
    let res = t.copysign(x);
    (x.simd_eq(f32s(0.0)) | !x.is_finite()).select(x + x, res)
}

/// sqrt(x^2 + y^2) without undue overflow or underflow.
#[must_use]
#[inline]
pub fn hypot_f64x2(x: f64x2, y: f64x2) -> f64x2 {
    let (a, b) = (x.abs(), y.abs());
    let mx = a.max_num(b);
    // 2^-E for mx = 2^E m, capped at 2^-1022 so that it stays a normal number.
    // (A float min on the power of two: wasm has no unsigned 64-bit lane compare.)
    let f = f64x2::from_bits(mx.to_bits() & u64x2::splat(0x7ff0_0000_0000_0000))
        .min_num(f64s(2f64.powi(1022)))
        .to_bits();
    let sc = f64x2::from_bits(u64x2::splat(0x7fe0_0000_0000_0000) - f);
    let (u, v) = (a * sc, b * sc);
    let (p, pe) = two_prod(u, u);
    let (q, qe) = two_prod(v, v);
    let (s, se) = two_sum(p, q);
    let sl = se + (pe + qe);
    let r = std::simd::StdFloat::sqrt(s);
    let (rr, rre) = two_prod(r, r);
    let corr = (((s - rr) - rre) + sl) / (r + r);
    let res = (r + corr) / sc;
    let res = mx.simd_eq(f64s(0.0)).select(f64s(0.0), res);
    let res = x.is_nan().select(x, y.is_nan().select(y, res));
    mx.simd_eq(f64s(f64::INFINITY)).select(mx, res)
}

/// sqrt(x^2 + y^2) for float32 lanes.
#[must_use]
#[inline]
pub fn hypot_f32x4(x: f32x4, y: f32x4) -> f32x4 {
    let (a, b) = (x.abs(), y.abs());
    let mx = a.max_num(b);
    let f = f32x4::from_bits(mx.to_bits() & u32x4::splat(0x7f80_0000))
        .min_num(f32s(2f32.powi(126)))
        .to_bits();
    let sc = f32x4::from_bits(u32x4::splat(0x7f00_0000) - f);
    let (u, v) = (a * sc, b * sc);
    let (p, pe) = two_prod32(u, u);
    let (q, qe) = two_prod32(v, v);
    let (s, se) = two_sum32(p, q);
    let sl = se + (pe + qe);
    let r = std::simd::StdFloat::sqrt(s);
    let (rr, rre) = two_prod32(r, r);
    let corr = (((s - rr) - rre) + sl) / (r + r);
    let res = (r + corr) / sc;
    let res = mx.simd_eq(f32s(0.0)).select(f32s(0.0), res);
    let res = x.is_nan().select(x, y.is_nan().select(y, res));
    mx.simd_eq(f32s(f32::INFINITY)).select(mx, res)
}
