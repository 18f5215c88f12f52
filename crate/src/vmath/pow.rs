//! pow for float64 and float32.
//!
//! Method: x^y = e^(y ln|x|) with ln|x| carried as a double-double (float-float) accurate
//! to about 2^-68 (2^-44), so that the error of y ln|x|, up to 745 in size, stays far
//! below an ULP of the result.
//!
//! float64: |x| = 2^k z with z in [0.7057, 1.4115); the 7 bits of z after the table's base
//! pick a row of `POW_LOG` (`tables.rs`), whose invc is 1/c rounded to a multiple of
//! 2^-10 for a c inside the row's interval. r = z invc - 1 is formed exactly as rhi + rlo
//! (z cut to 21 bits times the short invc is exact, and so is the rest times invc), and
//! ln z = ln c + r - r^2/2 + r^3 P(r) with P Taylor's series to r^9 (|r| < 2^-7.5). No
//! division and no Dekker product: the head k ln2_hi + ln c_hi + r - rhi^2/2 is summed with
//! fast two-sums whose errors, and every smaller term, go into the tail. The product
//! y ln|x| cuts y and the head to 26 bits (an exact product) and carries the rest.
//!
//! float32: |x| = 2^k m, m in [sqrt(1/2), sqrt(2)); c = j/32 is the nearest 32nd to m and
//! ln m = ln c + 2 atanh(s) with s = (m - c)/(m + c), |s| < 0.011: m - c is exact, s is
//! formed as a float-float with a Dekker-product remainder, ln c comes from a float-float
//! table and atanh(s) - s is its Taylor series (2 terms); the product y ln|x| is an exact
//! Dekker product plus the cross term.
//!
//! Both: e^(p_hi + p_lo) reuses the exp kernel with p_lo folded into the reduced
//! argument, so the result is rounded once.
//!
//! Signs and special values follow C99 Annex F, as NumPy does: pow(x, ±0) = 1 and
//! pow(1, y) = 1 even for NaN, pow(-1, ±inf) = 1, negative x needs an integer y (odd y
//! keeps the sign), zeros and infinities of x and y as in the standard.

use std::simd::prelude::*;

use super::exp::{add_exponent32, add_exponent64, exp_poly32, exp_tail64, finish32, finish64};
use super::tables::{
    INV_LN2_64, LN2_64_HI, LN2_64_LO, LN2_F32_3, LN2_HI, LN2_HI_F32, LN2_LO, LN2_LO_F32, LOG_J32,
    POW_LOG, POW_LOG_OFF,
};
use super::util::{
    INVALID32, INVALID64, MinMaxNum, dd_div, f32s, f64s, fast_two_sum, fast_two_sum32, ff_div,
    round_int_f32, round_int_f64, sqrt_dd64, sqrt_ff32, two_prod, two_prod32, two_sum, two_sum32,
};

/// ln(x) as a double-double for positive finite x (subnormals only when `SUB`).
#[inline(always)]
fn log_dd64<const SUB: bool>(x: f64x2) -> (f64x2, f64x2) {
    let sub = x.simd_lt(f64s(f64::MIN_POSITIVE)) & mask64x2::splat(SUB);
    let xs = sub.select(x * f64s(18_014_398_509_481_984.0), x);
    // x = 2^k z with z in [0.7057, 1.4115); the 7 bits of z after OFF pick the row.
    let ix = xs.to_bits() + u64x2::splat(0x3ff0_0000_0000_0000 - POW_LOG_OFF);
    let kb = (ix >> 52) | u64x2::splat(0x4330_0000_0000_0000);
    let k = f64x2::from_bits(kb) - f64s(4_503_599_627_370_496.0 + 1023.0);
    let k = sub.select(k - f64s(54.0), k);
    let low = ix & u64x2::splat(0x000f_ffff_ffff_ffff);
    let z = f64x2::from_bits(low + u64x2::splat(POW_LOG_OFF));
    let idx = (low >> 45).to_array();
    let (i0, h0, l0) = POW_LOG[idx[0] as usize];
    let (i1, h1, l1) = POW_LOG[idx[1] as usize];
    let invc = f64x2::from_array([i0, i1]);
    // r = z invc - 1 = rhi + rlo: z rounded to 21 bits times the 11-bit invc is exact, and
    // so is the subtraction (the product is within 2^-7 of 1); rhi has at most 24 bits.
    let zhi = f64x2::from_bits(
        (z.to_bits() + u64x2::splat(1 << 31)) & u64x2::splat(0xffff_ffff_0000_0000),
    );
    let rhi = zhi * invc - f64s(1.0);
    // Exact too: (z - zhi) is a multiple of z's ULP below 2^-21, times the 11-bit invc.
    let rlo = (z - zhi) * invc;
    // r = rhi + rlo rounded, with its error (rhi may be 0 or smaller than rlo).
    let (r, rerr) = two_sum(rhi, rlo);
    // ln x = k ln2 + ln c + ln(1 + r), ln(1 + r) = r - r^2/2 + r^3 P(r) (Taylor to r^9,
    // |r| < 2^-7.5). The head: k ln2_hi + ln c_hi (exact by the table's rounding) plus r,
    // plus -rhi^2/2 (exact), each sum a fast two-sum (|k ln2_hi + ln c_hi| > |r| unless
    // it is 0; |t2| > rhi^2/2); every rounding error goes into the tail.
    let t1 = k * f64s(LN2_HI) + f64x2::from_array([h0, h1]);
    let t2 = t1 + r;
    let lo1 = k * f64s(LN2_LO) + f64x2::from_array([l0, l1]);
    let lo2 = ((t1 - t2) + r) + rerr;
    let arhi = f64s(-0.5) * rhi;
    let arhi2 = rhi * arhi;
    let hi = t2 + arhi2;
    let lo3 = (t2 - hi) + arhi2;
    // The rest of -r^2/2: -rhi rlo - rlo^2/2 = rlo (-r/2 - rhi/2), to rounding.
    let lo4 = rlo * (f64s(-0.5) * r + arhi);
    // Estrin's scheme: shorter dependency chains than Horner's.
    let c = |i: usize| f64s(LOG1P_P[i]);
    let r2 = r * r;
    let r4 = r2 * r2;
    let q = (c(0) + c(1) * r) + r2 * (c(2) + c(3) * r) + r4 * ((c(4) + c(5) * r) + r2 * c(6));
    let p = r2 * r * q;
    fast_two_sum(hi, ((lo1 + lo2) + (lo3 + lo4)) + p)
}

/// ln(1 + r) = r - r^2/2 + r^3 P(r): Taylor's coefficients 1/3 .. 1/9.
const LOG1P_P: [f64; 7] = [
    1.0 / 3.0,
    -1.0 / 4.0,
    1.0 / 5.0,
    -1.0 / 6.0,
    1.0 / 7.0,
    -1.0 / 8.0,
    1.0 / 9.0,
];

/// y (lh + ll) as a double-double: y and lh cut to 26 bits, whose product is exact, and the
/// rest in the tail (error about 2^-78 of the product).
#[inline(always)]
fn mul_log64(y: f64x2, lh: f64x2, ll: f64x2) -> (f64x2, f64x2) {
    let cut = u64x2::splat(!0u64 << 27);
    let yhi = f64x2::from_bits(y.to_bits() & cut);
    let lhi = f64x2::from_bits(lh.to_bits() & cut);
    let ehi = yhi * lhi;
    let elo = (y - yhi) * lhi + y * ((lh - lhi) + ll);
    fast_two_sum(ehi, elo)
}

/// Mask of lanes holding an odd integer.
#[inline(always)]
fn is_odd64(y: f64x2) -> mask64x2 {
    let h = y * f64s(0.5);
    let small = y.abs().simd_lt(f64s(9_007_199_254_740_992.0)); // 2^53
    small & super::exact::floor_f64x2(y).simd_eq(y) & super::exact::floor_f64x2(h).simd_ne(h)
}

/// x^y.
#[must_use]
#[inline]
pub fn pow_f64x2(x: f64x2, y: f64x2) -> f64x2 {
    let (v, ok) = pow_fast_f64x2(x, y);
    if ok { v } else { pow_full64(x, y) }
}

/// The common case of [`pow_f64x2`]: its result, valid when the flag is true.
#[must_use]
#[inline(always)]
pub fn pow_fast_f64x2(x: f64x2, y: f64x2) -> (f64x2, bool) {
    // Common case: every x positive and normal, every |y ln x| <= 708 (so y is finite and
    // the result normal): no clamping, subnormal scaling or special values. The full path
    // computes the same bits for these lanes (its clamps leave them unchanged).
    let (lh, ll) = log_dd64::<false>(x);
    let (ph, pl) = mul_log64(y, lh, ll);
    // (|y| is bounded too: the full path clamps y there, and both paths must agree.)
    // (2^1023 rather than infinity as the bound on x: see `log::all_normal64`.)
    let ok = x.simd_ge(f64s(f64::MIN_POSITIVE))
        & x.simd_lt(f64s(2f64.powi(1023)))
        & ph.abs().simd_le(f64s(708.0))
        & y.abs().simd_le(f64s(8.0e270));
    let (kd, ki) = round_int_f64(ph * f64s(INV_LN2_64));
    let r = ((ph - kd * f64s(LN2_64_HI)) - kd * f64s(LN2_64_LO)) + pl;
    let (th, tl) = exp_tail64(ki, r);
    (add_exponent64(th + tl, ki), ok.all())
}

#[inline(never)]
fn pow_full64(x: f64x2, y: f64x2) -> f64x2 {
    let ax = x.abs();
    let finite_x = ax.simd_gt(f64s(0.0)) & ax.simd_lt(f64s(f64::INFINITY));
    let axs = finite_x.select(ax, f64s(1.0));
    let (lh, ll) = log_dd64::<true>(axs);
    let yc = y.max_num(f64s(-8.0e270)).min_num(f64s(8.0e270));
    let yc = y.is_nan().select(f64s(0.0), yc);
    let (ph, pl) = mul_log64(yc, lh, ll);
    // e^(ph + pl), with ph clamped to where exp is 0 or inf.
    let clamped = !ph.abs().simd_le(f64s(745.0));
    let phc = ph.max_num(f64s(-760.0)).min_num(f64s(720.0));
    let pl = clamped.select(f64s(0.0), pl);
    let (kd, ki) = round_int_f64(phc * f64s(INV_LN2_64));
    let r = ((phc - kd * f64s(LN2_64_HI)) - kd * f64s(LN2_64_LO)) + pl;
    let (th, tl) = exp_tail64(ki, r);
    let res = finish64(phc, th + tl, ki, 708.0);
    // Common case: positive finite x, finite y; the fix-ups below are skipped.
    if (x.simd_gt(f64s(0.0)) & finite_x & y.is_finite()).all() {
        return x.simd_eq(f64s(1.0)).select(f64s(1.0), res);
    }
    specials64(x, y, res)
}

/// Signs of negative bases and the C99 special cases of pow.
#[inline(never)]
fn specials64(x: f64x2, y: f64x2, res: f64x2) -> f64x2 {
    let ax = x.abs();
    let finite_x = ax.simd_gt(f64s(0.0)) & ax.simd_lt(f64s(f64::INFINITY));
    let mut res = res;
    // Sign and domain of negative bases.
    let yint = super::exact::floor_f64x2(y).simd_eq(y);
    let odd = is_odd64(y);
    let xneg = x.simd_lt(f64s(0.0));
    res = (xneg & odd).select(-res, res);
    res = (xneg & !yint & finite_x).select(f64s(INVALID64), res);

    // x = ±0 or ±inf: 0 or inf, with x's sign when y is an odd integer.
    let zero_or_inf = ax.simd_eq(f64s(0.0)) | ax.simd_eq(f64s(f64::INFINITY));
    let big = (ax.simd_eq(f64s(0.0)) & y.simd_lt(f64s(0.0)))
        | (ax.simd_eq(f64s(f64::INFINITY)) & y.simd_gt(f64s(0.0)));
    let zi = big.select(f64s(f64::INFINITY), f64s(0.0));
    let zi = (odd & x.is_sign_negative()).select(-zi, zi);
    res = zero_or_inf.select(zi, res);

    // y = ±inf.
    let yinf = y.abs().simd_eq(f64s(f64::INFINITY));
    let grow = ax.simd_lt(f64s(1.0)).simd_eq(y.simd_lt(f64s(0.0)));
    let yi = grow.select(f64s(f64::INFINITY), f64s(0.0));
    let yi = ax.simd_eq(f64s(1.0)).select(f64s(1.0), yi);
    res = (yinf & !x.is_nan()).select(yi, res);

    res = x.is_nan().select(x, y.is_nan().select(y, res));
    (y.simd_eq(f64s(0.0)) | x.simd_eq(f64s(1.0))).select(f64s(1.0), res)
}

// ---------------------------------------------------------------------------------------
// float32

/// ln(x) as a float-float for positive finite float32 x (subnormals only when `SUB`).
#[inline(always)]
fn log_ff32<const SUB: bool>(x: f32x4) -> (f32x4, f32x4) {
    let sub = x.simd_lt(f32s(f32::MIN_POSITIVE)) & mask32x4::splat(SUB);
    let xs = sub.select(x * f32s(33_554_432.0), x);
    let ix = xs.to_bits() + u32x4::splat(0x3f80_0000 - 0x3f35_04f3);
    let k = ((ix >> 23).cast::<i32>() - i32x4::splat(127)).cast::<f32>();
    let k = sub.select(k - f32s(25.0), k);
    let m = f32x4::from_bits((ix & u32x4::splat(0x007f_ffff)) + u32x4::splat(0x3f35_04f3));
    let (cd, ci) = round_int_f32(m * f32s(32.0));
    let c = cd * f32s(1.0 / 32.0);
    let idx = ci.to_array();
    let mut lh = [0.0f32; 4];
    let mut ll = [0.0f32; 4];
    for i in 0..4 {
        (lh[i], ll[i]) = LOG_J32[(idx[i] - 22) as usize];
    }
    let (lch, lcl) = (f32x4::from_array(lh), f32x4::from_array(ll));
    let a = m - c;
    let (bh, bl) = two_sum32(m, c);
    let inv = bh.recip();
    let sh = a * inv;
    let (p, pe) = two_prod32(sh, bh);
    let sl = (((a - p) - pe) - sh * bl) * inv;
    let z = sh * sh;
    let tail = f32s(2.0) * sh * z * (f32s(1.0 / 3.0) + z * (f32s(1.0 / 5.0) + z * f32s(1.0 / 7.0)));
    let (h0, e0) = two_sum32(k * f32s(LN2_F32_3[0]), k * f32s(LN2_F32_3[1]));
    let (h1, e1) = two_sum32(h0, lch);
    let (h2, e2) = two_sum32(h1, f32s(2.0) * sh);
    let lo = (e0 + e1 + e2) + ((k * f32s(LN2_F32_3[2]) + lcl) + (f32s(2.0) * sl + tail));
    fast_two_sum32(h2, lo)
}

#[inline(always)]
fn is_odd32(y: f32x4) -> mask32x4 {
    let h = y * f32s(0.5);
    let small = y.abs().simd_lt(f32s(16_777_216.0)); // 2^24
    small & super::exact::floor_f32x4(y).simd_eq(y) & super::exact::floor_f32x4(h).simd_ne(h)
}

/// x^y for float32 lanes.
#[must_use]
#[inline]
pub fn pow_f32x4(x: f32x4, y: f32x4) -> f32x4 {
    let (v, ok) = pow_fast_f32x4(x, y);
    if ok { v } else { pow_full32(x, y) }
}

/// The common case of [`pow_f32x4`]: its result, valid when the flag is true.
#[must_use]
#[inline(always)]
pub fn pow_fast_f32x4(x: f32x4, y: f32x4) -> (f32x4, bool) {
    // The common case as for float64, with |y ln x| <= 87.
    let (lh, ll) = log_ff32::<false>(x);
    let (ph, pl) = two_prod32(y, lh);
    let pl = pl + y * ll;
    let ok = x.simd_ge(f32s(f32::MIN_POSITIVE))
        & x.simd_lt(f32s(f32::INFINITY))
        & ph.abs().simd_le(f32s(87.0))
        & y.abs().simd_le(f32s(1.0e30));
    let (kd, ki) = round_int_f32(ph * f32s(std::f32::consts::LOG2_E));
    let rh = ph - kd * f32s(LN2_HI_F32);
    let (r, rl) = two_sum32(rh, -(kd * f32s(LN2_LO_F32)));
    let (r, rl2) = two_sum32(r, pl);
    let (s, lo) = exp_poly32(r, rl + rl2);
    (add_exponent32(s + lo, ki), ok.all())
}

#[inline(never)]
fn pow_full32(x: f32x4, y: f32x4) -> f32x4 {
    let ax = x.abs();
    let finite_x = ax.simd_gt(f32s(0.0)) & ax.simd_lt(f32s(f32::INFINITY));
    let axs = finite_x.select(ax, f32s(1.0));
    let (lh, ll) = log_ff32::<true>(axs);
    let yc = y.max_num(f32s(-1.0e30)).min_num(f32s(1.0e30));
    let yc = y.is_nan().select(f32s(0.0), yc);
    let (ph, pl) = two_prod32(yc, lh);
    let pl = pl + yc * ll;
    let clamped = !ph.abs().simd_le(f32s(104.0));
    let phc = ph.max_num(f32s(-110.0)).min_num(f32s(100.0));
    let pl = clamped.select(f32s(0.0), pl);
    let (kd, ki) = round_int_f32(phc * f32s(std::f32::consts::LOG2_E));
    let rh = phc - kd * f32s(LN2_HI_F32);
    let (r, rl) = two_sum32(rh, -(kd * f32s(LN2_LO_F32)));
    let (r, rl2) = two_sum32(r, pl);
    let (s, lo) = exp_poly32(r, rl + rl2);
    let res = finish32(phc, s + lo, ki, 87.0);
    if (x.simd_gt(f32s(0.0)) & finite_x & y.is_finite()).all() {
        return x.simd_eq(f32s(1.0)).select(f32s(1.0), res);
    }
    specials32(x, y, res)
}

/// Signs of negative bases and the C99 special cases of pow (float32).
#[inline(never)]
fn specials32(x: f32x4, y: f32x4, res: f32x4) -> f32x4 {
    let ax = x.abs();
    let finite_x = ax.simd_gt(f32s(0.0)) & ax.simd_lt(f32s(f32::INFINITY));
    let mut res = res;
    let yint = super::exact::floor_f32x4(y).simd_eq(y);
    let odd = is_odd32(y);
    let xneg = x.simd_lt(f32s(0.0));
    res = (xneg & odd).select(-res, res);
    res = (xneg & !yint & finite_x).select(f32s(INVALID32), res);
    let zero_or_inf = ax.simd_eq(f32s(0.0)) | ax.simd_eq(f32s(f32::INFINITY));
    let big = (ax.simd_eq(f32s(0.0)) & y.simd_lt(f32s(0.0)))
        | (ax.simd_eq(f32s(f32::INFINITY)) & y.simd_gt(f32s(0.0)));
    let zi = big.select(f32s(f32::INFINITY), f32s(0.0));
    let zi = (odd & x.is_sign_negative()).select(-zi, zi);
    res = zero_or_inf.select(zi, res);
    let yinf = y.abs().simd_eq(f32s(f32::INFINITY));
    let grow = ax.simd_lt(f32s(1.0)).simd_eq(y.simd_lt(f32s(0.0)));
    let yi = grow.select(f32s(f32::INFINITY), f32s(0.0));
    let yi = ax.simd_eq(f32s(1.0)).select(f32s(1.0), yi);
    res = (yinf & !x.is_nan()).select(yi, res);
    res = x.is_nan().select(x, y.is_nan().select(y, res));
    (y.simd_eq(f32s(0.0)) | x.simd_eq(f32s(1.0))).select(f32s(1.0), res)
}

// ---------------------------------------------------------------------------------------
// integer powers (a constant integer exponent)

/// Largest |n| that [`powi_f64x2`] and [`powi_f32x4`] take; larger exponents go to pow.
pub const POWI_MAX: u32 = 64;

/// (ah + al)(bh + bl) as a normalized double-double (relative error about 2^-104).
#[inline(always)]
fn dd_mul64(ah: f64x2, al: f64x2, bh: f64x2, bl: f64x2) -> (f64x2, f64x2) {
    let (p, pe) = two_prod(ah, bh);
    fast_two_sum(p, pe + (ah * bl + al * bh))
}

/// Float32 version of [`dd_mul64`] (relative error about 2^-46).
#[inline(always)]
fn ff_mul32(ah: f32x4, al: f32x4, bh: f32x4, bl: f32x4) -> (f32x4, f32x4) {
    let (p, pe) = two_prod32(ah, bh);
    fast_two_sum32(p, pe + (ah * bl + al * bh))
}

macro_rules! powi_impl {
    ($doc:literal, $name:ident, $fast:ident, $core:ident, $v:ty, $t:ty, $s:ident, $mul:ident,
     $sqrt:ident, $div:ident, $lo:expr, $hi:expr, $pow:ident) => {
        #[doc = $doc]
        #[must_use]
        #[inline]
        pub fn $name(x: $v, twice: i32) -> $v {
            let (y, ok) = $core(x, twice);
            if ok.all() {
                y
            } else {
                // Lane by lane, so that an element's result never depends on its
                // neighbours (a tail padded with zeros included).
                ok.select(y, $pow(x, $s(twice as $t * 0.5)))
            }
        }

        #[doc = concat!("The common case of [`", stringify!($name), "`]: binary powering in a \
            double-length format, so that the result is rounded once (within about 2^-100 \
            relative before that rounding for float64, 2^-42 for float32, for |n| <= 64: \
            correctly rounded but for inputs that close to a rounding boundary). The flag is \
            false when some lane's |x|^|n| is outside [2^-960, 2^996] (float32: [2^-100, \
            2^115]) or x is 0, inf or NaN: there the error terms would underflow or the \
            Dekker splits overflow, and pow (with its special values) gives the result.")]
        #[must_use]
        #[inline(always)]
        pub fn $fast(x: $v, twice: i32) -> ($v, bool) {
            let (y, ok) = $core(x, twice);
            (y, ok.all())
        }

        #[inline(always)]
        fn $core(x: $v, twice: i32) -> ($v, <$v as SimdFloat>::Mask) {
            debug_assert!(twice != 0 && twice.unsigned_abs() <= 2 * POWI_MAX + 1);
            let half = twice % 2 != 0;
            let (mut bh, mut bl) = (x, $s(0.0));
            let (mut h, mut l) = ($s(1.0), $s(0.0));
            let mut first = true;
            let mut k = twice.unsigned_abs() / 2;
            while k > 0 {
                if k & 1 == 1 {
                    (h, l) = if first { (bh, bl) } else { $mul(h, l, bh, bl) };
                    first = false;
                }
                k >>= 1;
                if k > 0 {
                    (bh, bl) = $mul(bh, bl, bh, bl);
                }
            }
            if half {
                // (NaN for x < 0: the range test below fails.)
                let (r, rl) = $sqrt(x);
                (h, l) = if first { (r, rl) } else { $mul(h, l, r, rl) };
            }
            // |x|^k for every k <= |n| lies between 1 and |x|^|n| (binary powering never
            // forms a power above |n|), and sqrt|x| between 1 and |x|, so testing the
            // result and x covers every intermediate (x itself matters for e = 1/2).
            let (ah, ax) = (h.abs(), x.abs());
            let ok = ah.simd_ge($s($lo))
                & ah.simd_le($s($hi))
                & ax.simd_ge($s($lo))
                & ax.simd_le($s($hi));
            if twice > 0 {
                return (h + l, ok);
            }
            let (q, ql) = $div($s(1.0), $s(0.0), h, l);
            (q + ql, ok)
        }
    };
}

powi_impl!(
    "x^e for a constant integer or half-integer e = `twice`/2, 1/2 <= |e| <= [`POWI_MAX`] + \
     1/2, as `pow` gives it.",
    powi_f64x2,
    powi_fast_f64x2,
    powi_core64,
    f64x2,
    f64,
    f64s,
    dd_mul64,
    sqrt_dd64,
    dd_div,
    f64::from_bits((1023 - 960) << 52), // 2^-960
    f64::from_bits((1023 + 996) << 52), // 2^996
    pow_f64x2
);
powi_impl!(
    "[`powi_f64x2`] for float32 lanes.",
    powi_f32x4,
    powi_fast_f32x4,
    powi_core32,
    f32x4,
    f32,
    f32s,
    ff_mul32,
    sqrt_ff32,
    ff_div,
    f32::from_bits((127 - 100) << 23), // 2^-100
    f32::from_bits((127 + 115) << 23), // 2^115
    pow_f32x4
);
