//! arcsin, arccos, arctan, arctan2 for float64 and float32.
//!
//! Method (fdlibm's scheme, with its published minimax coefficients for float64):
//! * arcsin/arccos: |x| <= 1/2 uses x + x R(x^2) with fdlibm's rational R (pS/qS);
//!   above, z = (1 - |x|)/2 is exact, sqrt(z) is taken as a double-double (Dekker
//!   remainder) and arcsin|x| = pi/2 - 2 arcsin(sqrt z), arccos x = 2 arcsin(sqrt z) or
//!   pi - 2 arcsin(sqrt z); the leading subtraction is an error-free two-sum so that only
//!   the final addition rounds.
//! * arctan: |x| is mapped to [0, 7/16] by one of four breakpoints (atan(1/2), atan(1),
//!   atan(3/2), pi/2 stored as head + tail) and fdlibm's degree-11 odd polynomial (aT).
//! * arctan2: |y/x| is formed as a double-double (the quotient's remainder feeds the
//!   polynomial's tail term 1/(1+t^2)), both operands pre-scaled by a power of two so the
//!   Dekker product cannot overflow; the quadrant fix-up pi - z uses a two-sum.
//!
//! Float32 uses the same reductions with Taylor polynomials (10 terms) in float32.
//! Special values follow C99/NumPy: arcsin(±0) = ±0, |x| > 1 gives NaN, arctan(±inf) =
//! ±pi/2, arctan2 signed zeros and infinities per the standard.

use std::simd::prelude::*;

use super::util::{
    INVALID32, INVALID64, MinMaxNum, f32s, f64s, sqrt_dd64, sqrt_ff32, two_prod, two_prod32,
    two_sum, two_sum32,
};

const PIO2_HI: f64 = std::f64::consts::FRAC_PI_2;
const PIO2_LO: f64 = 6.123_233_995_736_766e-17;
const PI_HI: f64 = std::f64::consts::PI;
const PI_LO: f64 = 1.224_646_799_147_353_2e-16;

const PS: [f64; 6] = [
    1.666_666_666_666_666_574_15e-01,
    -3.255_658_186_224_009_154_05e-01,
    2.012_125_321_348_629_258_81e-01,
    -4.005_553_450_067_941_140_27e-02,
    7.915_349_942_898_145_321_76e-04,
    3.479_331_075_960_211_675_70e-05,
];
const QS: [f64; 5] = [
    1.0,
    -2.403_394_911_734_414_218_78e+00,
    2.020_945_760_233_505_694_71e+00,
    -6.882_839_716_054_532_930_30e-01,
    7.703_815_055_590_193_527_91e-02,
];

/// fdlibm's R(z) = (arcsin(x) - x) / x with z = x^2.
#[inline(always)]
fn asin_r(z: f64x2) -> f64x2 {
    z * super::util::poly64(z, &PS) / super::util::poly64(z, &QS)
}

/// Inverse sine.
#[must_use]
#[inline]
pub fn arcsin_f64x2(x: f64x2) -> f64x2 {
    let ax = x.abs();
    let small = ax.simd_le(f64s(0.5));
    let mut res = f64s(0.0);
    if small.any() {
        res = ax + ax * asin_r(ax * ax);
    }
    if !small.all() {
        let z = (f64s(1.0) - ax) * f64s(0.5);
        let (sh, sl) = sqrt_dd64(z);
        let (h, e) = two_sum(f64s(PIO2_HI), f64s(-2.0) * sh);
        let big = h + (e + (f64s(PIO2_LO) - f64s(2.0) * (sl + sh * asin_r(z))));
        res = small.select(res, big);
    }
    let res = res.copysign(x);
    ax.simd_gt(f64s(1.0)).select(f64s(INVALID64), res)
}

/// Inverse cosine.
#[must_use]
#[inline]
pub fn arccos_f64x2(x: f64x2) -> f64x2 {
    let ax = x.abs();
    let small = ax.simd_le(f64s(0.5));
    let mut res = f64s(0.0);
    if small.any() {
        let (h, e) = two_sum(f64s(PIO2_HI), -x);
        res = h + (e + (f64s(PIO2_LO) - x * asin_r(x * x)));
    }
    if !small.all() {
        let z = (f64s(1.0) - ax) * f64s(0.5);
        let (sh, sl) = sqrt_dd64(z);
        let tail = sl + sh * asin_r(z);
        let pos = f64s(2.0) * sh + f64s(2.0) * tail;
        let (h, e) = two_sum(f64s(PI_HI), f64s(-2.0) * sh);
        let neg = h + (e + (f64s(PI_LO) - f64s(2.0) * tail));
        res = small.select(res, x.simd_gt(f64s(0.0)).select(pos, neg));
    }
    ax.simd_gt(f64s(1.0)).select(f64s(INVALID64), res)
}

const AT: [f64; 11] = [
    3.333_333_333_333_293_180_27e-01,
    -1.999_999_999_987_648_324_76e-01,
    1.428_571_427_250_346_637_11e-01,
    -1.111_111_040_546_235_578_80e-01,
    9.090_887_133_436_506_561_96e-02,
    -7.691_876_205_044_829_994_95e-02,
    6.661_073_137_387_531_206_69e-02,
    -5.833_570_133_790_573_486_45e-02,
    4.976_877_994_615_932_360_17e-02,
    -3.653_157_274_421_691_552_70e-02,
    1.628_582_011_536_578_236_23e-02,
];
/// atan of the breakpoints 1/2, 1, 3/2, inf as head and tail (mpmath).
const ATAN_HI: [f64; 4] = [
    0.463_647_609_000_806_1,
    0.785_398_163_397_448_3,
    0.982_793_723_247_329,
    PIO2_HI,
];
const ATAN_LO: [f64; 4] = [
    2.269_877_745_296_168_7e-17,
    3.061_616_997_868_383e-17,
    1.390_331_103_123_099_8e-17,
    PIO2_LO,
];

/// Pick per lane among five constants by the breakpoint masks.
#[inline(always)]
fn pick64(m: [mask64x2; 4], c: [f64; 5]) -> f64x2 {
    let v = m[0].select(f64s(c[1]), f64s(c[0]));
    let v = m[1].select(f64s(c[2]), v);
    let v = m[2].select(f64s(c[3]), v);
    m[3].select(f64s(c[4]), v)
}

/// arctan(t + tl) for t >= 0 as (head, tail); `TAIL` false when tl is known to be zero
/// (arctan), which saves the division that carries it.
#[inline(always)]
fn atan_core64<const TAIL: bool>(t: f64x2, tl: f64x2) -> (f64x2, f64x2) {
    let m = [
        t.simd_ge(f64s(7.0 / 16.0)),
        t.simd_ge(f64s(11.0 / 16.0)),
        t.simd_ge(f64s(19.0 / 16.0)),
        t.simd_ge(f64s(39.0 / 16.0)),
    ];
    // x' = (A t + B) / (-B t + A) for the breakpoint of each lane: A is 2 between 7/16
    // and 11/16 and 1 elsewhere, B is 0, -1, -1, -1.5 (the last interval is apart).
    let a = (m[0] & !m[1]).select(f64s(2.0), f64s(1.0));
    let b = m[2].select(f64s(-1.5), m[0].select(f64s(-1.0), f64s(0.0)));
    let hi = pick64(m, [0.0, ATAN_HI[0], ATAN_HI[1], ATAN_HI[2], ATAN_HI[3]]);
    let lo = pick64(m, [0.0, ATAN_LO[0], ATAN_LO[1], ATAN_LO[2], ATAN_LO[3]]);
    // The last breakpoint is -1/t, written apart so that t = inf gives -0, not 0 * inf.
    let xp = m[3].select(-(t.recip()), (a * t + b) / (a - b * t));
    let z = xp * xp;
    let w = z * z;
    let s1 = z
        * (f64s(AT[0])
            + w * (f64s(AT[2])
                + w * (f64s(AT[4]) + w * (f64s(AT[6]) + w * (f64s(AT[8]) + w * f64s(AT[10]))))));
    let s2 = w
        * (f64s(AT[1])
            + w * (f64s(AT[3]) + w * (f64s(AT[5]) + w * (f64s(AT[7]) + w * f64s(AT[9])))));
    let lo = if TAIL {
        lo + tl / (f64s(1.0) + t * t)
    } else {
        lo
    };
    (hi, -((xp * (s1 + s2) - lo) - xp))
}

/// Inverse tangent.
#[must_use]
#[inline]
pub fn arctan_f64x2(x: f64x2) -> f64x2 {
    let (h, t) = atan_core64::<false>(x.abs(), f64s(0.0));
    let res = (h + t).copysign(x);
    x.is_nan().select(x, res)
}

/// Angle of the point (x, y) in (-pi, pi], C99 special cases.
#[must_use]
#[inline]
pub fn arctan2_f64x2(y: f64x2, x: f64x2) -> f64x2 {
    let (ay, ax) = (y.abs(), x.abs());
    // Bring both operands near 1 (when their ratio is moderate) so that the Dekker
    // product below neither overflows nor loses bits to underflow.
    let (mx, mn) = (ay.max_num(ax), ay.min_num(ax));
    let scale = mx
        .simd_gt(f64s(2f64.powi(400)))
        .select(f64s(2f64.powi(-400)), f64s(1.0));
    let scale = mn
        .simd_lt(f64s(2f64.powi(-400)))
        .select(f64s(2f64.powi(400)), scale);
    let (sy, sx) = (ay * scale, ax * scale);
    // The quotient itself is taken unscaled (correctly rounded even when subnormal); the
    // scaled operands only serve the remainder, used when the ratio is moderate.
    let t = ay / ax;
    let (p, pe) = two_prod(t, sx);
    let tl = ((sy - p) - pe) / sx;
    let ok = t.simd_lt(f64s(2f64.powi(800))) & t.simd_gt(f64s(2f64.powi(-800)));
    let tl = ok.select(tl, f64s(0.0));
    let (h, tt) = atan_core64::<true>(t, tl);
    let xneg = x.is_sign_negative();
    let (s, e) = two_sum(f64s(PI_HI), -h);
    let back = s + (e + (f64s(PI_LO) - tt));
    let mut res = xneg.select(back, h + tt);
    let both_zero = ay.simd_eq(f64s(0.0)) & ax.simd_eq(f64s(0.0));
    res = both_zero.select(xneg.select(f64s(PI_HI), f64s(0.0)), res);
    let both_inf = ay.simd_eq(f64s(f64::INFINITY)) & ax.simd_eq(f64s(f64::INFINITY));
    res = both_inf.select(
        xneg.select(
            f64s(2.356_194_490_192_345),
            f64s(std::f64::consts::FRAC_PI_4),
        ),
        res,
    );
    let res = res.copysign(y);
    (x.is_nan() | y.is_nan()).select(x + y, res)
}

// ---------------------------------------------------------------------------------------
// float32

const PIO2_HI32: f32 = std::f32::consts::FRAC_PI_2;
const PIO2_LO32: f32 = -4.371_138_8e-8;
const PI_HI32: f32 = std::f32::consts::PI;
const PI_LO32: f32 = -8.742_278e-8;

/// (arcsin(x) - x) / x in z = x^2, Taylor to z^10 (z <= 1/4).
#[inline(always)]
fn asin_r32(z: f32x4) -> f32x4 {
    const P: [f32; 10] = [
        1.0 / 6.0,
        3.0 / 40.0,
        5.0 / 112.0,
        35.0 / 1152.0,
        63.0 / 2816.0,
        231.0 / 13312.0,
        143.0 / 10240.0,
        6435.0 / 557_056.0,
        12155.0 / 1_245_184.0,
        46189.0 / 5_505_024.0,
    ];
    z * super::util::poly32(z, &P)
}

/// Inverse sine for float32 lanes.
#[must_use]
#[inline]
pub fn arcsin_f32x4(x: f32x4) -> f32x4 {
    let ax = x.abs();
    let small = ax.simd_le(f32s(0.5));
    let mut res = f32s(0.0);
    if small.any() {
        res = ax + ax * asin_r32(ax * ax);
    }
    if !small.all() {
        let z = (f32s(1.0) - ax) * f32s(0.5);
        let (sh, sl) = sqrt_ff32(z);
        let (h, e) = two_sum32(f32s(PIO2_HI32), f32s(-2.0) * sh);
        let big = h + (e + (f32s(PIO2_LO32) - f32s(2.0) * (sl + sh * asin_r32(z))));
        res = small.select(res, big);
    }
    let res = res.copysign(x);
    ax.simd_gt(f32s(1.0)).select(f32s(INVALID32), res)
}

/// Inverse cosine for float32 lanes.
#[must_use]
#[inline]
pub fn arccos_f32x4(x: f32x4) -> f32x4 {
    let ax = x.abs();
    let small = ax.simd_le(f32s(0.5));
    let mut res = f32s(0.0);
    if small.any() {
        let (h, e) = two_sum32(f32s(PIO2_HI32), -x);
        res = h + (e + (f32s(PIO2_LO32) - x * asin_r32(x * x)));
    }
    if !small.all() {
        let z = (f32s(1.0) - ax) * f32s(0.5);
        let (sh, sl) = sqrt_ff32(z);
        let tail = sl + sh * asin_r32(z);
        let pos = f32s(2.0) * sh + f32s(2.0) * tail;
        let (h, e) = two_sum32(f32s(PI_HI32), f32s(-2.0) * sh);
        let neg = h + (e + (f32s(PI_LO32) - f32s(2.0) * tail));
        res = small.select(res, x.simd_gt(f32s(0.0)).select(pos, neg));
    }
    ax.simd_gt(f32s(1.0)).select(f32s(INVALID32), res)
}

#[inline(always)]
fn pick32(m: [mask32x4; 4], c: [f32; 5]) -> f32x4 {
    let v = m[0].select(f32s(c[1]), f32s(c[0]));
    let v = m[1].select(f32s(c[2]), v);
    let v = m[2].select(f32s(c[3]), v);
    m[3].select(f32s(c[4]), v)
}

#[inline(always)]
fn atan_core32<const TAIL: bool>(t: f32x4, tl: f32x4) -> (f32x4, f32x4) {
    const P: [f32; 10] = [
        1.0 / 3.0,
        -1.0 / 5.0,
        1.0 / 7.0,
        -1.0 / 9.0,
        1.0 / 11.0,
        -1.0 / 13.0,
        1.0 / 15.0,
        -1.0 / 17.0,
        1.0 / 19.0,
        -1.0 / 21.0,
    ];
    let m = [
        t.simd_ge(f32s(7.0 / 16.0)),
        t.simd_ge(f32s(11.0 / 16.0)),
        t.simd_ge(f32s(19.0 / 16.0)),
        t.simd_ge(f32s(39.0 / 16.0)),
    ];
    let a = (m[0] & !m[1]).select(f32s(2.0), f32s(1.0));
    let b = m[2].select(f32s(-1.5), m[0].select(f32s(-1.0), f32s(0.0)));
    let hi = pick32(m, [0.0, 0.463_647_6, 0.785_398_2, 0.982_793_75, PIO2_HI32]);
    let lo = pick32(
        m,
        [
            0.0,
            5.012_158_7e-9,
            -2.185_569_4e-8,
            -2.513_142_4e-8,
            PIO2_LO32,
        ],
    );
    // The last breakpoint is -1/t, written apart so that t = inf gives -0, not 0 * inf.
    let xp = m[3].select(-(t.recip()), (a * t + b) / (a - b * t));
    let z = xp * xp;
    let s = z * super::util::poly32(z, &P);
    let lo = if TAIL {
        lo + tl / (f32s(1.0) + t * t)
    } else {
        lo
    };
    (hi, -((xp * s - lo) - xp))
}

/// Inverse tangent for float32 lanes.
#[must_use]
#[inline]
pub fn arctan_f32x4(x: f32x4) -> f32x4 {
    let (h, t) = atan_core32::<false>(x.abs(), f32s(0.0));
    let res = (h + t).copysign(x);
    x.is_nan().select(x, res)
}

/// Angle of the point (x, y) for float32 lanes.
#[must_use]
#[inline]
pub fn arctan2_f32x4(y: f32x4, x: f32x4) -> f32x4 {
    let (ay, ax) = (y.abs(), x.abs());
    let (mx, mn) = (ay.max_num(ax), ay.min_num(ax));
    let scale = mx
        .simd_gt(f32s(2f32.powi(40)))
        .select(f32s(2f32.powi(-40)), f32s(1.0));
    let scale = mn
        .simd_lt(f32s(2f32.powi(-40)))
        .select(f32s(2f32.powi(40)), scale);
    let (sy, sx) = (ay * scale, ax * scale);
    // The quotient itself is taken unscaled (correctly rounded even when subnormal); the
    // scaled operands only serve the remainder, used when the ratio is moderate.
    let t = ay / ax;
    let (p, pe) = two_prod32(t, sx);
    let tl = ((sy - p) - pe) / sx;
    let ok = t.simd_lt(f32s(2f32.powi(80))) & t.simd_gt(f32s(2f32.powi(-80)));
    let tl = ok.select(tl, f32s(0.0));
    let (h, tt) = atan_core32::<true>(t, tl);
    let xneg = x.is_sign_negative();
    let (s, e) = two_sum32(f32s(PI_HI32), -h);
    let back = s + (e + (f32s(PI_LO32) - tt));
    let mut res = xneg.select(back, h + tt);
    let both_zero = ay.simd_eq(f32s(0.0)) & ax.simd_eq(f32s(0.0));
    res = both_zero.select(xneg.select(f32s(PI_HI32), f32s(0.0)), res);
    let both_inf = ay.simd_eq(f32s(f32::INFINITY)) & ax.simd_eq(f32s(f32::INFINITY));
    res = both_inf.select(
        xneg.select(f32s(2.356_194_5), f32s(std::f32::consts::FRAC_PI_4)),
        res,
    );
    let res = res.copysign(y);
    (x.is_nan() | y.is_nan()).select(x + y, res)
}
