//! Exact functions: floor, ceil, trunc, round (half to even), copysign, nextafter, sign,
//! signbit, abs, isnan, isinf, isfinite, and fmod.
//!
//! Method: rounding uses the "add and subtract 2^52" trick (2^23 for float32), which rounds
//! to nearest-even in one addition and is exact for |x| < 2^52, followed by a one-step
//! correction for floor/ceil/trunc. Every rounded result has the sign of its input (e.g.
//! ceil(-0.5) = -0), so the sign is copied back at the end. Lanes at or above 2^52 are
//! already integers (or inf/NaN) and pass through. This avoids the SSE4.1 `roundpd` that
//! the native baseline lacks while staying branch-free. The wasm build uses simd128's own
//! `f64x2.floor`/`ceil`/`trunc` instead (one instruction each, exactly specified by IEEE
//! 754, which is what the native tests check the trick against).
//!
//! `fmod` is exact by definition. Lanes whose quotient |x/y| is below 2^52 (float32:
//! 2^23) compute q = trunc(|x|/|y|) and |x| - q|y| exactly with a Dekker product (one
//! correction step when the rounded quotient was one too large); other lanes (huge
//! quotients, zeros, infinities, NaN, extreme exponents) use the scalar `%`, itself an
//! exact bit-level fmod.
//! `remainder` and `floordiv` are NumPy's float `%` and `//` (`npy_divmod`, also CPython's
//! float divmod) built on that fmod: the modulus takes the divisor's sign, the quotient is
//! (x - mod)/y rounded to the nearest integer, and y = 0 gives fmod's NaN and x/y.
//! `sign` follows NumPy: -1, +1, 0 for ±0, and NaN for NaN.

use std::simd::prelude::*;

use super::util::{f32s, f64s, lanes2_f32, lanes2_f64};

/// Round to nearest, ties to even, for lanes below 2^52; larger lanes are returned as is.
#[inline(always)]
fn rint64(x: f64x2) -> (f64x2, mask64x2) {
    let big = f64s(4_503_599_627_370_496.0); // 2^52
    let a = x.abs();
    let r = (a + big) - big;
    let small = a.simd_lt(big);
    (small.select(r.copysign(x), x), small)
}

#[inline(always)]
fn rint32(x: f32x4) -> (f32x4, mask32x4) {
    let big = f32s(8_388_608.0); // 2^23
    let a = x.abs();
    let r = (a + big) - big;
    let small = a.simd_lt(big);
    (small.select(r.copysign(x), x), small)
}

/// Round half to even (NumPy `round`/`rint`).
#[must_use]
#[inline]
pub fn round_f64x2(x: f64x2) -> f64x2 {
    rint64(x).0
}
/// Round half to even (NumPy `round`/`rint`).
#[must_use]
#[inline]
pub fn round_f32x4(x: f32x4) -> f32x4 {
    rint32(x).0
}

/// Largest integer not above x.
#[must_use]
#[inline]
pub fn floor_f64x2(x: f64x2) -> f64x2 {
    if cfg!(target_arch = "wasm32") {
        return std::simd::StdFloat::floor(x);
    }
    let (r, small) = rint64(x);
    let down = (r - f64s(1.0)).copysign(x);
    (small & r.simd_gt(x)).select(down, r)
}
/// Largest integer not above x.
#[must_use]
#[inline]
pub fn floor_f32x4(x: f32x4) -> f32x4 {
    if cfg!(target_arch = "wasm32") {
        return std::simd::StdFloat::floor(x);
    }
    let (r, small) = rint32(x);
    let down = (r - f32s(1.0)).copysign(x);
    (small & r.simd_gt(x)).select(down, r)
}

/// Smallest integer not below x.
#[must_use]
#[inline]
pub fn ceil_f64x2(x: f64x2) -> f64x2 {
    if cfg!(target_arch = "wasm32") {
        return std::simd::StdFloat::ceil(x);
    }
    let (r, small) = rint64(x);
    let up = (r + f64s(1.0)).copysign(x);
    (small & r.simd_lt(x)).select(up, r)
}
/// Smallest integer not below x.
#[must_use]
#[inline]
pub fn ceil_f32x4(x: f32x4) -> f32x4 {
    if cfg!(target_arch = "wasm32") {
        return std::simd::StdFloat::ceil(x);
    }
    let (r, small) = rint32(x);
    let up = (r + f32s(1.0)).copysign(x);
    (small & r.simd_lt(x)).select(up, r)
}

/// Round toward zero.
#[must_use]
#[inline]
pub fn trunc_f64x2(x: f64x2) -> f64x2 {
    if cfg!(target_arch = "wasm32") {
        return std::simd::StdFloat::trunc(x);
    }
    floor_f64x2(x.abs()).copysign(x)
}
/// Round toward zero.
#[must_use]
#[inline]
pub fn trunc_f32x4(x: f32x4) -> f32x4 {
    if cfg!(target_arch = "wasm32") {
        return std::simd::StdFloat::trunc(x);
    }
    floor_f32x4(x.abs()).copysign(x)
}

/// |x| with the sign of y.
#[must_use]
#[inline]
pub fn copysign_f64x2(x: f64x2, y: f64x2) -> f64x2 {
    x.copysign(y)
}
/// |x| with the sign of y.
#[must_use]
#[inline]
pub fn copysign_f32x4(x: f32x4, y: f32x4) -> f32x4 {
    x.copysign(y)
}

/// Absolute value (clears the sign bit, NaN payloads kept).
#[must_use]
#[inline]
pub fn abs_f64x2(x: f64x2) -> f64x2 {
    x.abs()
}
/// Absolute value.
#[must_use]
#[inline]
pub fn abs_f32x4(x: f32x4) -> f32x4 {
    x.abs()
}

/// NumPy `sign`: -1, +1, +0 for ±0, NaN for NaN.
#[must_use]
#[inline]
pub fn sign_f64x2(x: f64x2) -> f64x2 {
    let s = x.simd_gt(f64s(0.0)).select(f64s(1.0), f64s(0.0));
    let s = x.simd_lt(f64s(0.0)).select(f64s(-1.0), s);
    x.is_nan().select(x, s)
}
/// NumPy `sign`: -1, +1, +0 for ±0, NaN for NaN.
#[must_use]
#[inline]
pub fn sign_f32x4(x: f32x4) -> f32x4 {
    let s = x.simd_gt(f32s(0.0)).select(f32s(1.0), f32s(0.0));
    let s = x.simd_lt(f32s(0.0)).select(f32s(-1.0), s);
    x.is_nan().select(x, s)
}

/// Sign bit set (true for -0 and negative NaNs).
#[must_use]
#[inline]
pub fn signbit_f64x2(x: f64x2) -> mask64x2 {
    x.is_sign_negative()
}
/// Sign bit set.
#[must_use]
#[inline]
pub fn signbit_f32x4(x: f32x4) -> mask32x4 {
    x.is_sign_negative()
}

/// Lanes that are NaN.
#[must_use]
#[inline]
pub fn isnan_f64x2(x: f64x2) -> mask64x2 {
    x.is_nan()
}
/// Lanes that are NaN.
#[must_use]
#[inline]
pub fn isnan_f32x4(x: f32x4) -> mask32x4 {
    x.is_nan()
}

/// Lanes that are ±inf.
#[must_use]
#[inline]
pub fn isinf_f64x2(x: f64x2) -> mask64x2 {
    x.is_infinite()
}
/// Lanes that are ±inf.
#[must_use]
#[inline]
pub fn isinf_f32x4(x: f32x4) -> mask32x4 {
    x.is_infinite()
}

/// Lanes that are neither inf nor NaN.
#[must_use]
#[inline]
pub fn isfinite_f64x2(x: f64x2) -> mask64x2 {
    x.is_finite()
}
/// Lanes that are neither inf nor NaN.
#[must_use]
#[inline]
pub fn isfinite_f32x4(x: f32x4) -> mask32x4 {
    x.is_finite()
}

/// The next representable value after x in the direction of y (C `nextafter`).
#[must_use]
#[inline]
pub fn nextafter_f64x2(x: f64x2, y: f64x2) -> f64x2 {
    let bits = x.to_bits();
    // Moving away from zero adds one to the magnitude bits, toward zero subtracts one.
    let away = !(y.simd_gt(x) ^ x.simd_gt(f64s(0.0)));
    let stepped = away.select(bits + u64x2::splat(1), bits - u64x2::splat(1));
    let r = f64x2::from_bits(stepped);
    // From ±0 the step goes to the smallest subnormal with the sign of the direction.
    let tiny = f64s(f64::from_bits(1)).copysign(y - x);
    let r = x.simd_eq(f64s(0.0)).select(tiny, r);
    let r = x.simd_eq(y).select(y, r);
    (x.is_nan() | y.is_nan()).select(x + y, r)
}
/// The next representable value after x in the direction of y (C `nextafterf`).
#[must_use]
#[inline]
pub fn nextafter_f32x4(x: f32x4, y: f32x4) -> f32x4 {
    let bits = x.to_bits();
    let away = !(y.simd_gt(x) ^ x.simd_gt(f32s(0.0)));
    let stepped = away.select(bits + u32x4::splat(1), bits - u32x4::splat(1));
    let r = f32x4::from_bits(stepped);
    let tiny = f32s(f32::from_bits(1)).copysign(y - x);
    let r = x.simd_eq(f32s(0.0)).select(tiny, r);
    let r = x.simd_eq(y).select(y, r);
    (x.is_nan() | y.is_nan()).select(x + y, r)
}

/// C `fmod`: x - trunc(x/y)*y computed exactly, sign of x (NumPy `fmod`).
#[must_use]
#[inline]
pub fn fmod_f64x2(x: f64x2, y: f64x2) -> f64x2 {
    let (a, b) = (x.abs(), y.abs());
    // Fast lanes: quotient below 2^52 and magnitudes where Dekker's product is exact.
    let fast = a.simd_lt(f64s(2f64.powi(900)))
        & b.simd_gt(f64s(2f64.powi(-900)))
        & b.simd_lt(f64s(2f64.powi(900)))
        & (a / b).simd_lt(f64s(2f64.powi(52)));
    // With q = trunc(a/b) (possibly one too large after rounding), a - q b is exact:
    // a - p is exact by Sterbenz and the true remainder is representable.
    let q = trunc_f64x2(a / b);
    let (p, pe) = super::util::two_prod(q, b);
    let r = (a - p) - pe;
    let r = r.simd_lt(f64s(0.0)).select(r + b, r);
    let res = r.copysign(x);
    if fast.all() {
        res
    } else {
        fast.select(res, lanes2_f64(x, y, |u, v| u % v))
    }
}

/// C `fmodf`.
#[must_use]
#[inline]
pub fn fmod_f32x4(x: f32x4, y: f32x4) -> f32x4 {
    let (a, b) = (x.abs(), y.abs());
    let fast = a.simd_lt(f32s(2f32.powi(100)))
        & b.simd_gt(f32s(2f32.powi(-90)))
        & b.simd_lt(f32s(2f32.powi(100)))
        & (a / b).simd_lt(f32s(2f32.powi(23)));
    let q = trunc_f32x4(a / b);
    let (p, pe) = super::util::two_prod32(q, b);
    let r = (a - p) - pe;
    let r = r.simd_lt(f32s(0.0)).select(r + b, r);
    let res = r.copysign(x);
    if fast.all() {
        res
    } else {
        fast.select(res, lanes2_f32(x, y, |u, v| u % v))
    }
}

macro_rules! divmod {
    ($v:ty, $s:ident, $fmod:ident, $floor:ident, $divmod:ident, $rem:ident, $fdiv:ident) => {
        /// NumPy's float divmod: (x // y, x % y).
        #[inline(always)]
        fn $divmod(x: $v, y: $v) -> ($v, $v) {
            let zero = $s(0.0);
            let m = $fmod(x, y);
            let div = (x - m) / y;
            // `m != 0` holds for NaN too, as in the C code.
            let nz = m.simd_ne(zero);
            let adjust = nz & (y.simd_lt(zero) ^ m.simd_lt(zero));
            let m = adjust.select(m + y, m);
            let div = adjust.select(div - $s(1.0), div);
            let m = nz.select(m, zero.copysign(y));
            let f = $floor(div);
            let f = (div - f).simd_gt($s(0.5)).select(f + $s(1.0), f);
            let q = div.simd_ne(zero).select(f, zero.copysign(x / y));
            (y.simd_eq(zero).select(x / y, q), m)
        }

        /// NumPy's float `%` (`remainder`): the result has the sign of y.
        #[must_use]
        #[inline]
        pub fn $rem(x: $v, y: $v) -> $v {
            $divmod(x, y).1
        }

        /// NumPy's float `//` (`floor_divide`).
        #[must_use]
        #[inline]
        pub fn $fdiv(x: $v, y: $v) -> $v {
            $divmod(x, y).0
        }
    };
}

divmod!(
    f64x2,
    f64s,
    fmod_f64x2,
    floor_f64x2,
    divmod_f64x2,
    remainder_f64x2,
    floordiv_f64x2
);
divmod!(
    f32x4,
    f32s,
    fmod_f32x4,
    floor_f32x4,
    divmod_f32x4,
    remainder_f32x4,
    floordiv_f32x4
);
