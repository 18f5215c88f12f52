//! Lane helpers shared by the vmath families: error-free transformations (two-sum,
//! Dekker's split and product, since simd128 has no fused multiply-add), integer tricks
//! that avoid float<->i64 conversions (neither SSE2 nor simd128 has them for 64-bit
//! lanes), exact scaling by powers of two, and the per-lane scalar escape used by the
//! rare-lane slow paths.

use std::simd::prelude::*;

/// The NaN of an invalid operation (log(-1), arcsin(2), sin(inf), pow(-2, 0.5), ...): the
/// sign bit set, which is the IEEE default NaN that x86-64 hardware produces and so what
/// NumPy returns there (and what wasm's own `sqrt`, `0/0` and `inf - inf` give on it).
/// A NaN argument is passed through instead, with its sign.
pub const INVALID64: f64 = f64::from_bits(0xfff8_0000_0000_0000);
/// The float32 [`INVALID64`].
pub const INVALID32: f32 = f32::from_bits(0xffc0_0000);

/// The result of a lane outside a function's domain: x itself when it is a NaN (its sign
/// kept), [`INVALID64`] otherwise.
#[inline(always)]
pub fn nan_of64(x: f64x2) -> f64x2 {
    x.is_nan().select(x, f64s(INVALID64))
}

/// Float32 version of [`nan_of64`].
#[inline(always)]
pub fn nan_of32(x: f32x4) -> f32x4 {
    x.is_nan().select(x, f32s(INVALID32))
}

/// `0x1.8p52`: adding it to |v| < 2^51 rounds v to an integer (ties to even) and leaves
/// that integer in the low mantissa bits.
pub const SHIFT64: f64 = 6_755_399_441_055_744.0;
/// `0x1.8p23`, the float32 counterpart of [`SHIFT64`].
pub const SHIFT32: f32 = 12_582_912.0;

#[inline(always)]
pub fn f64s(v: f64) -> f64x2 {
    f64x2::splat(v)
}

#[inline(always)]
pub fn f32s(v: f32) -> f32x4 {
    f32x4::splat(v)
}

/// IEEE maxNum/minNum (a NaN operand yields the other one), written as a compare and a
/// select. `simd_max`/`simd_min` have the same meaning but LLVM lowers them to scalar code
/// on wasm (f64x2.max propagates NaN, so it cannot be used), about twenty scalar
/// instructions per vector; this form is two vector compares and a bitselect, and against
/// a constant the NaN test folds away.
pub trait MinMaxNum: Sized {
    fn max_num(self, other: Self) -> Self;
    fn min_num(self, other: Self) -> Self;
}

macro_rules! min_max_num {
    ($v:ty) => {
        impl MinMaxNum for $v {
            #[inline(always)]
            fn max_num(self, other: Self) -> Self {
                (self.simd_gt(other) | other.is_nan()).select(self, other)
            }
            #[inline(always)]
            fn min_num(self, other: Self) -> Self {
                (self.simd_lt(other) | other.is_nan()).select(self, other)
            }
        }
    };
}

min_max_num!(f64x2);
min_max_num!(f32x4);

/// Round to the nearest integer (ties to even) for |x| < 2^51, returning the rounded
/// value and the integer in the low bits of the returned bit pattern.
#[inline(always)]
pub fn round_int_f64(x: f64x2) -> (f64x2, i64x2) {
    let kd = x + f64s(SHIFT64);
    let ki = kd.to_bits().cast::<i64>() - i64x2::splat(SHIFT64.to_bits() as i64);
    (kd - f64s(SHIFT64), ki)
}

/// Float32 version of [`round_int_f64`], valid for |x| < 2^22.
#[inline(always)]
pub fn round_int_f32(x: f32x4) -> (f32x4, i32x4) {
    let kd = x + f32s(SHIFT32);
    let ki = kd.to_bits().cast::<i32>() - i32x4::splat(SHIFT32.to_bits() as i32);
    (kd - f32s(SHIFT32), ki)
}

/// 2^k for -1022 <= k <= 1023.
#[inline(always)]
pub fn pow2i_f64(k: i64x2) -> f64x2 {
    f64x2::from_bits(((k + i64x2::splat(1023)) << 52).cast::<u64>())
}

/// 2^k for -126 <= k <= 127.
#[inline(always)]
pub fn pow2i_f32(k: i32x4) -> f32x4 {
    f32x4::from_bits(((k + i32x4::splat(127)) << 23).cast::<u32>())
}

/// y * 2^k rounded once, for y in [2^-3, 2^3] and -1150 < k < 1150: the scale is split in
/// two normal factors so that the only rounding happens in the final product (which is
/// what gives correct subnormal results).
#[inline(always)]
pub fn scale_f64(y: f64x2, k: i64x2) -> f64x2 {
    let k1 = k >> 1;
    let k2 = k - k1;
    y * pow2i_f64(k1) * pow2i_f64(k2)
}

/// Float32 version of [`scale_f64`] for -300 < k < 300.
#[inline(always)]
pub fn scale_f32(y: f32x4, k: i32x4) -> f32x4 {
    let k1 = k >> 1;
    let k2 = k - k1;
    y * pow2i_f32(k1) * pow2i_f32(k2)
}

/// Error-free sum: a + b = s + e exactly.
#[inline(always)]
pub fn two_sum(a: f64x2, b: f64x2) -> (f64x2, f64x2) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// Error-free sum when |a| >= |b| (or a == 0).
#[inline(always)]
pub fn fast_two_sum(a: f64x2, b: f64x2) -> (f64x2, f64x2) {
    let s = a + b;
    (s, b - (s - a))
}

/// Dekker split of a double into a 26-bit high part and the rest (|a| < 2^996).
#[inline(always)]
pub fn split(a: f64x2) -> (f64x2, f64x2) {
    let c = a * f64s(134_217_729.0); // 2^27 + 1
    let hi = c - (c - a);
    (hi, a - hi)
}

/// Error-free product (Dekker): a * b = p + e exactly, barring overflow/underflow.
#[inline(always)]
pub fn two_prod(a: f64x2, b: f64x2) -> (f64x2, f64x2) {
    let p = a * b;
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// Float32 error-free sum.
#[inline(always)]
pub fn two_sum32(a: f32x4, b: f32x4) -> (f32x4, f32x4) {
    let s = a + b;
    let bb = s - a;
    let e = (a - (s - bb)) + (b - bb);
    (s, e)
}

/// Float32 error-free sum when |a| >= |b|.
#[inline(always)]
pub fn fast_two_sum32(a: f32x4, b: f32x4) -> (f32x4, f32x4) {
    let s = a + b;
    (s, b - (s - a))
}

/// Float32 Dekker split into a 12-bit high part and the rest.
#[inline(always)]
pub fn split32(a: f32x4) -> (f32x4, f32x4) {
    let c = a * f32s(4097.0); // 2^12 + 1
    let hi = c - (c - a);
    (hi, a - hi)
}

/// Float32 error-free product.
#[inline(always)]
pub fn two_prod32(a: f32x4, b: f32x4) -> (f32x4, f32x4) {
    let p = a * b;
    let (ah, al) = split32(a);
    let (bh, bl) = split32(b);
    let e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
    (p, e)
}

/// (ah + al) / (bh + bl) as a double-double.
#[inline(always)]
pub fn dd_div(ah: f64x2, al: f64x2, bh: f64x2, bl: f64x2) -> (f64x2, f64x2) {
    let q = ah / bh;
    let (p, pe) = two_prod(q, bh);
    (q, ((((ah - p) - pe) + al) - q * bl) / bh)
}

/// Float32 version of [`dd_div`].
#[inline(always)]
pub fn ff_div(ah: f32x4, al: f32x4, bh: f32x4, bl: f32x4) -> (f32x4, f32x4) {
    let q = ah / bh;
    let (p, pe) = two_prod32(q, bh);
    (q, ((((ah - p) - pe) + al) - q * bl) / bh)
}

/// sqrt(z) as a double-double (tail 0 where the root is 0).
#[inline(always)]
pub fn sqrt_dd64(z: f64x2) -> (f64x2, f64x2) {
    let sh = std::simd::StdFloat::sqrt(z);
    let (p, pe) = two_prod(sh, sh);
    let sl = ((z - p) - pe) / (sh + sh);
    (sh, sh.simd_gt(f64s(0.0)).select(sl, f64s(0.0)))
}

/// Float32 version of [`sqrt_dd64`].
#[inline(always)]
pub fn sqrt_ff32(z: f32x4) -> (f32x4, f32x4) {
    let sh = std::simd::StdFloat::sqrt(z);
    let (p, pe) = two_prod32(sh, sh);
    let sl = ((z - p) - pe) / (sh + sh);
    (sh, sh.simd_gt(f32s(0.0)).select(sl, f32s(0.0)))
}

/// Horner evaluation of `c[0] + c[1] x + c[2] x^2 + ...`.
#[inline(always)]
pub fn poly64(x: f64x2, c: &[f64]) -> f64x2 {
    let mut acc = f64s(c[c.len() - 1]);
    for &ci in c[..c.len() - 1].iter().rev() {
        acc = acc * x + f64s(ci);
    }
    acc
}

/// Float32 Horner evaluation.
#[inline(always)]
pub fn poly32(x: f32x4, c: &[f32]) -> f32x4 {
    let mut acc = f32s(c[c.len() - 1]);
    for &ci in c[..c.len() - 1].iter().rev() {
        acc = acc * x + f32s(ci);
    }
    acc
}

/// Apply a scalar function to the lanes selected by `m` (the rare-lane slow path).
#[inline(never)]
pub fn patch_f32(m: mask32x4, x: f32x4, y: f32x4, f: impl Fn(f32) -> f32) -> f32x4 {
    let mut out = y.to_array();
    let xs = x.to_array();
    for i in 0..4 {
        if m.test(i) {
            out[i] = f(xs[i]);
        }
    }
    f32x4::from_array(out)
}

/// Lane-wise scalar evaluation of a two-argument function (fmod's rare lanes).
#[inline(always)]
pub fn lanes2_f64(x: f64x2, y: f64x2, f: impl Fn(f64, f64) -> f64) -> f64x2 {
    let a = x.to_array();
    let b = y.to_array();
    f64x2::from_array([f(a[0], b[0]), f(a[1], b[1])])
}

/// Lane-wise scalar evaluation of a two-argument float32 function.
#[inline(always)]
pub fn lanes2_f32(x: f32x4, y: f32x4, f: impl Fn(f32, f32) -> f32) -> f32x4 {
    let a = x.to_array();
    let b = y.to_array();
    f32x4::from_array([f(a[0], b[0]), f(a[1], b[1]), f(a[2], b[2]), f(a[3], b[3])])
}
