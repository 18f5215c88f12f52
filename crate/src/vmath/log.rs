//! log, log2, log10, log1p for float64 and float32.
//!
//! Method (the fdlibm/FreeBSD scheme, written here for lanes): x = 2^k m with m in
//! [sqrt(1/2), sqrt(2)), f = m - 1 (exact), s = f / (2 + f), and
//! log(1 + f) = f - f^2/2 + s (f^2/2 + R(s^2)) where R is fdlibm's published minimax
//! polynomial (Lg1..Lg7 for float64, Lg1..Lg4 for float32). The sum is arranged so that
//! the largest terms (k ln2_hi and f) are added last, with ln2 split into a head that makes
//! k ln2_hi exact and a tail. log2 and log10 split f - f^2/2 into a 21-bit (float32:
//! 12-bit) head and a tail and multiply by split constants, summing head terms last
//! (FreeBSD's e_log2/e_log10 arrangement), which keeps the result within 1 ULP.
//!
//! log1p forms u = 1 + x with an error-free two-sum, takes log(u) by the same kernel and
//! adds the correction c/u for the rounding of u.
//!
//! Subnormal inputs are scaled by 2^54 (2^25) first; x < 0 gives NaN, ±0 gives -inf,
//! +inf gives +inf (NumPy's values).

use std::simd::prelude::*;

use super::tables::{
    IVLN2_F32_HI, IVLN2_F32_LO, IVLN2_HI, IVLN2_LO, IVLN10_F32_HI, IVLN10_F32_LO, IVLN10_HI,
    IVLN10_LO, LN2_F32_HI, LN2_F32_LO, LN2_HI, LN2_LO, LOG10_2_F32_HI, LOG10_2_F32_LO, LOG10_2_HI,
    LOG10_2_LO,
};
use super::util::{MinMaxNum, f32s, f64s, nan_of32, nan_of64, poly64, two_sum, two_sum32};

/// fdlibm's minimax coefficients of (log(1+f) - f + f^2/2 - s f^2/2) / s in powers of s^2.
const LG64: [f64; 7] = [
    6.666_666_666_666_735_13e-01,
    3.999_999_999_940_941_908e-01,
    2.857_142_874_366_239_149e-01,
    2.222_219_843_214_978_396e-01,
    1.818_357_216_161_805_012e-01,
    1.531_383_769_920_937_332e-01,
    1.479_819_860_511_658_591e-01,
];
/// fdlibm's float32 coefficients.
const LG32: [f32; 4] = [
    0.666_666_626_93,
    0.400_009_721_52,
    0.284_987_866_88,
    0.242_790_788_41,
];

/// x = 2^k (1 + f), 1 + f in [sqrt(1/2), sqrt(2)), for positive finite x; subnormal x
/// only when `SUB` (the scaling costs a compare and two selects per vector).
#[inline(always)]
fn reduce64<const SUB: bool>(x: f64x2) -> (f64x2, f64x2) {
    let sub = x.simd_lt(f64s(f64::MIN_POSITIVE)) & mask64x2::splat(SUB);
    let xs = if SUB {
        sub.select(x * f64s(18_014_398_509_481_984.0), x) // 2^54
    } else {
        x
    };
    let ix = xs.to_bits() + u64x2::splat(0x3ff0_0000_0000_0000 - 0x3fe6_a09e_0000_0000);
    let kb = (ix >> 52) | u64x2::splat(0x4330_0000_0000_0000);
    let k = f64x2::from_bits(kb) - f64s(4_503_599_627_370_496.0 + 1023.0);
    let k = if SUB {
        sub.select(k - f64s(54.0), k)
    } else {
        k
    };
    let m = f64x2::from_bits(
        (ix & u64x2::splat(0x000f_ffff_ffff_ffff)) + u64x2::splat(0x3fe6_a09e_0000_0000),
    );
    (k, m - f64s(1.0))
}

/// (f^2/2, s (f^2/2 + R)) for the fdlibm kernel.
#[inline(always)]
fn kernel64(f: f64x2) -> (f64x2, f64x2) {
    kernel64_s(f, f / (f64s(2.0) + f))
}

/// The fdlibm kernel with s = f/(2+f) given.
#[inline(always)]
fn kernel64_s(f: f64x2, s: f64x2) -> (f64x2, f64x2) {
    let z = s * s;
    let w = z * z;
    let t1 = w * poly64(w, &[LG64[1], LG64[3], LG64[5]]);
    let t2 = z * poly64(w, &[LG64[0], LG64[2], LG64[4], LG64[6]]);
    let hfsq = f64s(0.5) * f * f;
    (hfsq, s * (hfsq + (t2 + t1)))
}

/// NumPy's special values of the logarithms, for x outside (0, inf).
#[inline(always)]
fn specials64(x: f64x2, res: f64x2, zero_at: f64) -> f64x2 {
    let res = x
        .simd_eq(f64s(zero_at))
        .select(f64s(f64::NEG_INFINITY), res);
    let res = x.simd_eq(f64s(f64::INFINITY)).select(x, res);
    (x.simd_lt(f64s(zero_at)) | x.is_nan()).select(nan_of64(x), res)
}

/// True when every lane is a positive normal number (not inf or NaN): the common case,
/// which skips the subnormal scaling and the special values.
#[inline(always)]
pub(super) fn all_normal64(x: f64x2) -> bool {
    // The upper bound is 2^1023, not infinity: LLVM turns [MIN_POSITIVE, inf) into a
    // floating-point class test done on the integer bits, and wasm has no unsigned 64-bit
    // lane compare, so that test became scalar code. Lanes above 2^1023 take the full path
    // (same bits).
    (x.simd_ge(f64s(f64::MIN_POSITIVE)) & x.simd_lt(f64s(2f64.powi(1023)))).all()
}

/// Dispatch of a logarithm: `core::<false>` when every lane is normal, otherwise
/// `core::<true>` with the special values, out of line so that the hot loop stays small.
macro_rules! log_entry {
    ($doc:literal, $name:ident, $fast:ident, $full:ident, $core:ident, $v:ty, $all:ident, $specials:ident) => {
        #[doc = $doc]
        #[must_use]
        #[inline]
        pub fn $name(x: $v) -> $v {
            let (y, ok) = $fast(x);
            if ok { y } else { $full(x) }
        }

        #[doc = concat!("The common case of [`", stringify!($name), "`] (every lane normal): its result, valid when the flag is true.")]
        #[must_use]
        #[inline(always)]
        pub fn $fast(x: $v) -> ($v, bool) {
            ($core::<false>(x), $all(x))
        }

        #[inline(never)]
        fn $full(x: $v) -> $v {
            $specials(x, $core::<true>(x), 0.0)
        }
    };
}

log_entry!(
    "Natural logarithm.",
    log_f64x2,
    log_fast_f64x2,
    log_full64,
    log_core64,
    f64x2,
    all_normal64,
    specials64
);
log_entry!(
    "Base-2 logarithm.",
    log2_f64x2,
    log2_fast_f64x2,
    log2_full64,
    log2_core64,
    f64x2,
    all_normal64,
    specials64
);
log_entry!(
    "Base-10 logarithm.",
    log10_f64x2,
    log10_fast_f64x2,
    log10_full64,
    log10_core64,
    f64x2,
    all_normal64,
    specials64
);

/// Natural logarithm of positive finite lanes.
#[inline(always)]
fn log_core64<const SUB: bool>(x: f64x2) -> f64x2 {
    let (k, f) = reduce64::<SUB>(x);
    let (hfsq, r) = kernel64(f);
    k * f64s(LN2_HI) - ((hfsq - (r + k * f64s(LN2_LO))) - f)
}

/// (head, tail) of f - f^2/2 + r, the head with its low 32 bits cleared.
#[inline(always)]
fn head_tail64(f: f64x2, hfsq: f64x2, r: f64x2) -> (f64x2, f64x2) {
    let hi = f - hfsq;
    let hi = f64x2::from_bits(hi.to_bits() & u64x2::splat(0xffff_ffff_0000_0000));
    (hi, (f - hi) - hfsq + r)
}

/// Base-2 logarithm of positive finite lanes.
#[inline(always)]
fn log2_core64<const SUB: bool>(x: f64x2) -> f64x2 {
    let (k, f) = reduce64::<SUB>(x);
    let (hfsq, r) = kernel64(f);
    let (hi, lo) = head_tail64(f, hfsq, r);
    let val_hi = hi * f64s(IVLN2_HI);
    let val_lo = (lo + hi) * f64s(IVLN2_LO) + lo * f64s(IVLN2_HI);
    let w = k + val_hi;
    let val_lo = val_lo + ((k - w) + val_hi);
    val_lo + w
}

/// Base-10 logarithm of positive finite lanes.
#[inline(always)]
fn log10_core64<const SUB: bool>(x: f64x2) -> f64x2 {
    let (k, f) = reduce64::<SUB>(x);
    let (hfsq, r) = kernel64(f);
    let (hi, lo) = head_tail64(f, hfsq, r);
    let val_hi = hi * f64s(IVLN10_HI);
    let y2 = k * f64s(LOG10_2_HI);
    let val_lo = k * f64s(LOG10_2_LO) + (lo + hi) * f64s(IVLN10_LO) + lo * f64s(IVLN10_HI);
    let w = y2 + val_hi;
    let val_lo = val_lo + ((y2 - w) + val_hi);
    val_lo + w
}

/// log(1 + xh + xl) for a double-double argument > -1 (finite); the kernel of log1p,
/// arcsinh, arccosh and arctanh.
#[inline(always)]
pub(super) fn log1p_dd64(xh: f64x2, xl: f64x2) -> f64x2 {
    let (u, c) = two_sum(f64s(1.0), xh);
    // u >= 2^-53 when xh > -1: never subnormal.
    let (k, f) = reduce64::<false>(u);
    // One division serves both s = f/(2+f) and the correction (c + xl)/u; s only feeds
    // the small term s (f^2/2 + R), so its extra rounding is harmless.
    // u is capped so that d u cannot overflow; beyond 2^600 the correction is far below
    // an ULP of the result and is dropped.
    let d = f64s(2.0) + f;
    let uc = u.min_num(f64s(2f64.powi(600)));
    let inv = (d * uc).recip();
    let (hfsq, r) = kernel64_s(f, f * uc * inv);
    let corr = u
        .simd_lt(f64s(2f64.powi(600)))
        .select((c + xl) * d * inv, f64s(0.0));
    k * f64s(LN2_HI) - ((hfsq - (r + (k * f64s(LN2_LO) + corr))) - f)
}

/// log(x) + extra ln2 for positive x (the large-argument form of arcsinh/arccosh).
#[inline(always)]
pub(super) fn log_k64(x: f64x2, extra: f64) -> f64x2 {
    let (k, f) = reduce64::<false>(x);
    let k = k + f64s(extra);
    let (hfsq, r) = kernel64(f);
    let res = k * f64s(LN2_HI) - ((hfsq - (r + k * f64s(LN2_LO))) - f);
    x.simd_eq(f64s(f64::INFINITY)).select(x, res)
}

/// log(1 + x), accurate near 0.
#[must_use]
#[inline]
pub fn log1p_f64x2(x: f64x2) -> f64x2 {
    let (res, ok) = log1p_fast_f64x2(x);
    if ok { res } else { specials64(x, res, -1.0) }
}

/// The common case of [`log1p_f64x2`] (every lane above -1 and finite): its result, valid
/// when the flag is true.
#[must_use]
#[inline(always)]
pub fn log1p_fast_f64x2(x: f64x2) -> (f64x2, bool) {
    let res = log1p_dd64(x, f64s(0.0));
    let res = x.simd_eq(f64s(0.0)).select(x, res);
    (
        res,
        (x.simd_gt(f64s(-1.0)) & x.simd_lt(f64s(f64::INFINITY))).all(),
    )
}

#[inline(always)]
fn reduce32<const SUB: bool>(x: f32x4) -> (f32x4, f32x4) {
    let sub = x.simd_lt(f32s(f32::MIN_POSITIVE)) & mask32x4::splat(SUB);
    let xs = if SUB {
        sub.select(x * f32s(33_554_432.0), x) // 2^25
    } else {
        x
    };
    let ix = xs.to_bits() + u32x4::splat(0x3f80_0000 - 0x3f35_04f3);
    let k = ((ix >> 23).cast::<i32>() - i32x4::splat(127)).cast::<f32>();
    let k = if SUB {
        sub.select(k - f32s(25.0), k)
    } else {
        k
    };
    let m = f32x4::from_bits((ix & u32x4::splat(0x007f_ffff)) + u32x4::splat(0x3f35_04f3));
    (k, m - f32s(1.0))
}

#[inline(always)]
fn kernel32(f: f32x4) -> (f32x4, f32x4) {
    kernel32_s(f, f / (f32s(2.0) + f))
}

#[inline(always)]
fn kernel32_s(f: f32x4, s: f32x4) -> (f32x4, f32x4) {
    let z = s * s;
    let w = z * z;
    let t1 = w * (f32s(LG32[1]) + w * f32s(LG32[3]));
    let t2 = z * (f32s(LG32[0]) + w * f32s(LG32[2]));
    let hfsq = f32s(0.5) * f * f;
    (hfsq, s * (hfsq + (t2 + t1)))
}

#[inline(always)]
fn specials32(x: f32x4, res: f32x4, zero_at: f32) -> f32x4 {
    let res = x
        .simd_eq(f32s(zero_at))
        .select(f32s(f32::NEG_INFINITY), res);
    let res = x.simd_eq(f32s(f32::INFINITY)).select(x, res);
    (x.simd_lt(f32s(zero_at)) | x.is_nan()).select(nan_of32(x), res)
}

#[inline(always)]
fn head_tail32(f: f32x4, hfsq: f32x4, r: f32x4) -> (f32x4, f32x4) {
    let hi = f - hfsq;
    let hi = f32x4::from_bits(hi.to_bits() & u32x4::splat(0xffff_f000));
    (hi, (f - hi) - hfsq + r)
}

#[inline(always)]
fn all_normal32(x: f32x4) -> bool {
    (x.simd_ge(f32s(f32::MIN_POSITIVE)) & x.simd_lt(f32s(f32::INFINITY))).all()
}

log_entry!(
    "Natural logarithm for float32 lanes.",
    log_f32x4,
    log_fast_f32x4,
    log_full32,
    log_core32,
    f32x4,
    all_normal32,
    specials32
);
log_entry!(
    "Base-2 logarithm for float32 lanes.",
    log2_f32x4,
    log2_fast_f32x4,
    log2_full32,
    log2_core32,
    f32x4,
    all_normal32,
    specials32
);
log_entry!(
    "Base-10 logarithm for float32 lanes.",
    log10_f32x4,
    log10_fast_f32x4,
    log10_full32,
    log10_core32,
    f32x4,
    all_normal32,
    specials32
);

#[inline(always)]
fn log_core32<const SUB: bool>(x: f32x4) -> f32x4 {
    let (k, f) = reduce32::<SUB>(x);
    let (hfsq, r) = kernel32(f);
    k * f32s(LN2_F32_HI) - ((hfsq - (r + k * f32s(LN2_F32_LO))) - f)
}

#[inline(always)]
fn log2_core32<const SUB: bool>(x: f32x4) -> f32x4 {
    let (k, f) = reduce32::<SUB>(x);
    let (hfsq, r) = kernel32(f);
    let (hi, lo) = head_tail32(f, hfsq, r);
    let val_hi = hi * f32s(IVLN2_F32_HI);
    let val_lo = (lo + hi) * f32s(IVLN2_F32_LO) + lo * f32s(IVLN2_F32_HI);
    let w = k + val_hi;
    let val_lo = val_lo + ((k - w) + val_hi);
    val_lo + w
}

#[inline(always)]
fn log10_core32<const SUB: bool>(x: f32x4) -> f32x4 {
    let (k, f) = reduce32::<SUB>(x);
    let (hfsq, r) = kernel32(f);
    let (hi, lo) = head_tail32(f, hfsq, r);
    let val_hi = hi * f32s(IVLN10_F32_HI);
    let y2 = k * f32s(LOG10_2_F32_HI);
    let val_lo =
        k * f32s(LOG10_2_F32_LO) + (lo + hi) * f32s(IVLN10_F32_LO) + lo * f32s(IVLN10_F32_HI);
    let w = y2 + val_hi;
    let val_lo = val_lo + ((y2 - w) + val_hi);
    val_lo + w
}

/// log(1 + xh + xl) for a float-float argument > -1.
#[inline(always)]
pub(super) fn log1p_ff32(xh: f32x4, xl: f32x4) -> f32x4 {
    let (u, c) = two_sum32(f32s(1.0), xh);
    let (k, f) = reduce32::<false>(u);
    let d = f32s(2.0) + f;
    let uc = u.min_num(f32s(2f32.powi(60)));
    let inv = (d * uc).recip();
    let (hfsq, r) = kernel32_s(f, f * uc * inv);
    let corr = u
        .simd_lt(f32s(2f32.powi(60)))
        .select((c + xl) * d * inv, f32s(0.0));
    k * f32s(LN2_F32_HI) - ((hfsq - (r + (k * f32s(LN2_F32_LO) + corr))) - f)
}

/// log(x) + extra ln2 for positive float32 x.
#[inline(always)]
pub(super) fn log_k32(x: f32x4, extra: f32) -> f32x4 {
    let (k, f) = reduce32::<false>(x);
    let k = k + f32s(extra);
    let (hfsq, r) = kernel32(f);
    let res = k * f32s(LN2_F32_HI) - ((hfsq - (r + k * f32s(LN2_F32_LO))) - f);
    x.simd_eq(f32s(f32::INFINITY)).select(x, res)
}

/// log(1 + x) for float32 lanes.
#[must_use]
#[inline]
pub fn log1p_f32x4(x: f32x4) -> f32x4 {
    let (res, ok) = log1p_fast_f32x4(x);
    if ok { res } else { specials32(x, res, -1.0) }
}

/// The common case of [`log1p_f32x4`] (every lane above -1 and finite): its result, valid
/// when the flag is true.
#[must_use]
#[inline(always)]
pub fn log1p_fast_f32x4(x: f32x4) -> (f32x4, bool) {
    let res = log1p_ff32(x, f32s(0.0));
    let res = x.simd_eq(f32s(0.0)).select(x, res);
    (
        res,
        (x.simd_gt(f32s(-1.0)) & x.simd_lt(f32s(f32::INFINITY))).all(),
    )
}
