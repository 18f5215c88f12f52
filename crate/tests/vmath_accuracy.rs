//! Accuracy of `vmath` against correctly rounded references.
//!
//! References: the `core-math` crate (correctly rounded CORE-MATH functions) for every
//! transcendental, float64 and float32. Where core-math has no entry the reference is
//! exact by construction: `sqrt` (IEEE sqrt is correctly rounded; float32 via float64 is
//! innocuous double rounding), `fmod`/`nextafter` (glibc's, both exact operations), and
//! floor/ceil/trunc/round/copysign/abs/sign from Rust's exact scalar operations.
//!
//! Error is the distance, in units in the last place, between our result and the
//! correctly rounded one (so 0 means correctly rounded). A NaN where a number is expected
//! (or the reverse), or a zero of the wrong sign, counts as an infinite error: special
//! values must equal NumPy's, which follow C99 Annex F like core-math.
//!
//! Inputs per function and type: edge points (±0, subnormals, ±inf, NaN, overflow and
//! underflow thresholds, 1 ± ulp, multiples of pi/2 near huge arguments), uniform points
//! in the function's interesting range, and log-uniform points over the whole domain.
//!
//! `cargo test --test vmath_accuracy` runs a small sample and fails if any function in
//! the strict list is off by more than 1 ULP;
//! `cargo test --release --test vmath_accuracy -- --ignored full_table` runs 1e6 points
//! per function and type and writes docs/accuracy.md.
#![cfg(not(target_arch = "wasm32"))]
#![feature(portable_simd)]

use std::fmt::Write as _;
use std::simd::prelude::*;

use numwasm::vmath::*;

unsafe extern "C" {
    fn fmod(x: f64, y: f64) -> f64;
    fn fmodf(x: f32, y: f32) -> f32;
    fn nextafter(x: f64, y: f64) -> f64;
    fn nextafterf(x: f32, y: f32) -> f32;
}

/// Sample size per function and type in the CI test.
const CI_POINTS: usize = 20_000;
/// Sample size per function and type for the generated table.
const FULL_POINTS: usize = 1_000_000;

// ---------------------------------------------------------------------------------------
// Deterministic inputs.

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn uniform(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
    /// Random bit pattern: log-uniform over all finite doubles (and a few inf/NaN).
    fn bits64(&mut self) -> f64 {
        f64::from_bits(self.next())
    }
    fn bits32(&mut self) -> f32 {
        f32::from_bits((self.next() >> 32) as u32)
    }
}

fn edges64() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        f64::from_bits(1),
        -f64::from_bits(1),
        f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        f64::MAX,
        f64::MIN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        1e-300,
        1e-20,
        1e-8,
        0.1,
        10.0,
        100.0,
        1e10,
        1e22,
        1e300,
        709.782_712_893_384,
        709.782_712_893_385,
        -708.396_418_532_264,
        -745.133_219_101_941_1,
        -745.2,
        1024.0,
        -1022.0,
        -1074.0,
        -1075.0,
        -37.5,
        0.346_573_590_279_972_64,
        0.693_147_180_559_945_3,
        std::f64::consts::PI,
        std::f64::consts::FRAC_PI_2,
        std::f64::consts::FRAC_PI_4,
        0.999_999_999_999_999_9,
        6381956970095103.0 * 2f64.powi(797),
    ];
    for &b in &[1.0f64, 2.0, 0.5, 10.0] {
        for d in 1..4u64 {
            v.push(f64::from_bits(b.to_bits() + d));
            v.push(f64::from_bits(b.to_bits() - d));
        }
    }
    // Multiples of pi/2 (rounded to double) and their neighbours, small to huge.
    for k in [
        1.0f64, 2.0, 3.0, 4.0, 7.0, 100.0, 1e3, 1e5, 1e6, 6e6, 1e9, 1e15, 1e22, 1e100, 1e300,
    ] {
        let m = k * std::f64::consts::FRAC_PI_2;
        for d in -2i64..=2 {
            let b = m.to_bits() as i64 + d;
            v.push(f64::from_bits(b as u64));
            v.push(-f64::from_bits(b as u64));
        }
    }
    let n = v.len();
    for i in 0..n {
        v.push(-v[i]);
    }
    v
}

fn edges32() -> Vec<f32> {
    let mut v: Vec<f32> = edges64().iter().map(|&x| x as f32).collect();
    v.extend_from_slice(&[
        f32::from_bits(1),
        f32::from_bits(0x007f_ffff),
        f32::MIN_POSITIVE,
        f32::MAX,
        88.722_83,
        88.722_84,
        -87.336_55,
        -103.972_08,
        -104.0,
        128.0,
        -126.0,
        -149.0,
        -150.0,
        0.999_999_94,
        1.000_000_1,
        -9.0,
        109_414.0,
        1e8,
    ]);
    let n = v.len();
    for i in 0..n {
        v.push(-v[i]);
    }
    v
}

fn inputs64(n: usize, lo: f64, hi: f64, seed: u64) -> Vec<f64> {
    let mut rng = Rng(seed | 1);
    let mut v = edges64();
    let rest = n.saturating_sub(v.len());
    for i in 0..rest {
        v.push(if i % 2 == 0 {
            rng.uniform(lo, hi)
        } else {
            rng.bits64()
        });
    }
    v
}

fn inputs32(n: usize, lo: f64, hi: f64, seed: u64) -> Vec<f32> {
    let mut rng = Rng(seed | 1);
    let mut v = edges32();
    let rest = n.saturating_sub(v.len());
    for i in 0..rest {
        v.push(if i % 2 == 0 {
            rng.uniform(lo, hi) as f32
        } else {
            rng.bits32()
        });
    }
    v
}

/// Pairs: edge x edge, then uniform pairs and log-uniform pairs.
fn pairs64(n: usize, lo: f64, hi: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = Rng(seed | 1);
    let e = [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        -2.0,
        3.0,
        -3.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::MAX,
        1e300,
        -1e-300,
        1.5,
        0.25,
    ];
    let (mut x, mut y) = (vec![], vec![]);
    for &a in &e {
        for &b in &e {
            x.push(a);
            y.push(b);
        }
    }
    while x.len() < n {
        if x.len() % 2 == 0 {
            x.push(rng.uniform(lo, hi));
            y.push(rng.uniform(lo, hi));
        } else {
            x.push(rng.bits64());
            y.push(rng.bits64());
        }
    }
    (x, y)
}

fn pairs32(n: usize, lo: f64, hi: f64, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let (x, y) = pairs64(n, lo, hi, seed);
    let mut rng = Rng(seed ^ 0x5555);
    let conv = |v: Vec<f64>, rng: &mut Rng| -> Vec<f32> {
        v.iter()
            .enumerate()
            .map(|(i, &a)| {
                if i % 2 == 1 && i > 400 {
                    rng.bits32()
                } else {
                    a as f32
                }
            })
            .collect()
    };
    (conv(x, &mut rng), conv(y, &mut rng))
}

/// pow inputs: x log-uniform (positive and negative), y chosen so that x^y mostly stays
/// finite, plus integer exponents of negative bases and x close to 1.
fn pow_pairs64(n: usize, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let (mut x, mut y) = pairs64(400, -10.0, 10.0, seed);
    let mut rng = Rng(seed | 1);
    while x.len() < n {
        let k = x.len() % 5;
        let (a, b) = match k {
            0 | 1 => {
                let a = 2f64.powf(rng.uniform(-1074.0, 1024.0));
                let t = rng.uniform(-1080.0, 1030.0);
                (a, t / a.log2())
            }
            2 => {
                let a = 1.0 + rng.uniform(-1e-3, 1e-3) * 2f64.powf(rng.uniform(-50.0, 0.0));
                (
                    a,
                    rng.uniform(-1e6, 1e6) * 2f64.powf(rng.uniform(-20.0, 20.0)),
                )
            }
            3 => (
                -rng.uniform(0.0, 30.0),
                (rng.uniform(-200.0, 200.0)).round(),
            ),
            _ => (rng.uniform(0.0, 100.0), rng.uniform(-100.0, 100.0)),
        };
        x.push(a);
        y.push(b);
    }
    (x, y)
}

fn pow_pairs32(n: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let (mut x, mut y) = (vec![], vec![]);
    let (px, py) = pairs32(400, -10.0, 10.0, seed);
    x.extend(px);
    y.extend(py);
    let mut rng = Rng(seed | 1);
    while x.len() < n {
        let k = x.len() % 5;
        let (a, b) = match k {
            0 | 1 => {
                let a = 2f64.powf(rng.uniform(-149.0, 128.0)) as f32;
                let t = rng.uniform(-155.0, 130.0);
                (a, (t / (a as f64).log2()) as f32)
            }
            2 => {
                let a =
                    (1.0 + rng.uniform(-1e-2, 1e-2) * 2f64.powf(rng.uniform(-23.0, 0.0))) as f32;
                (
                    a,
                    (rng.uniform(-1e4, 1e4) * 2f64.powf(rng.uniform(-10.0, 10.0))) as f32,
                )
            }
            3 => (
                -rng.uniform(0.0, 30.0) as f32,
                (rng.uniform(-30.0, 30.0)).round() as f32,
            ),
            _ => (
                rng.uniform(0.0, 100.0) as f32,
                rng.uniform(-20.0, 20.0) as f32,
            ),
        };
        x.push(a);
        y.push(b);
    }
    (x, y)
}

// ---------------------------------------------------------------------------------------
// Error measure.

fn ordered64(x: f64) -> i128 {
    let b = x.to_bits();
    if b >> 63 == 1 {
        -((b & !(1 << 63)) as i128)
    } else {
        b as i128
    }
}
fn ordered32(x: f32) -> i128 {
    let b = x.to_bits();
    if b >> 31 == 1 {
        -((b & !(1 << 31)) as i128)
    } else {
        b as i128
    }
}

/// ULP distance from the correctly rounded value; infinite for a special-value mismatch.
fn ulps64(got: f64, want: f64) -> f64 {
    if got.is_nan() || want.is_nan() {
        return if got.is_nan() && want.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if got == 0.0 && want == 0.0 && got.is_sign_negative() != want.is_sign_negative() {
        return f64::INFINITY;
    }
    (ordered64(got) - ordered64(want)).unsigned_abs() as f64
}
fn ulps32(got: f32, want: f32) -> f64 {
    if got.is_nan() || want.is_nan() {
        return if got.is_nan() && want.is_nan() {
            0.0
        } else {
            f64::INFINITY
        };
    }
    if got == 0.0 && want == 0.0 && got.is_sign_negative() != want.is_sign_negative() {
        return f64::INFINITY;
    }
    (ordered32(got) - ordered32(want)).unsigned_abs() as f64
}

#[derive(Default, Clone, Copy)]
struct Stats {
    max: f64,
    sum: f64,
    n: usize,
    worst: (f64, f64),
    worst_got: f64,
    worst_want: f64,
}
impl Stats {
    fn add(&mut self, e: f64, x: f64, y: f64, got: f64, want: f64) {
        if e > self.max || (self.n == 0) {
            if e > self.max {
                self.max = e;
                self.worst = (x, y);
                self.worst_got = got;
                self.worst_want = want;
            }
        }
        if e.is_finite() {
            self.sum += e;
        }
        self.n += 1;
    }
    fn mean(&self) -> f64 {
        self.sum / self.n as f64
    }
}

// ---------------------------------------------------------------------------------------
// The function table.

type U64 = fn(f64x2) -> f64x2;
type U32 = fn(f32x4) -> f32x4;
type B64 = fn(f64x2, f64x2) -> f64x2;
type B32 = fn(f32x4, f32x4) -> f32x4;

struct Unary {
    name: &'static str,
    f64: U64,
    r64: fn(f64) -> f64,
    f32: U32,
    r32: fn(f32) -> f32,
    lo: f64,
    hi: f64,
}

struct Binary {
    name: &'static str,
    f64: B64,
    r64: fn(f64, f64) -> f64,
    f32: B32,
    r32: fn(f32, f32) -> f32,
    lo: f64,
    hi: f64,
}

fn np_sign64(x: f64) -> f64 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else if x == 0.0 {
        0.0
    } else {
        x
    }
}
fn np_sign32(x: f32) -> f32 {
    if x > 0.0 {
        1.0
    } else if x < 0.0 {
        -1.0
    } else if x == 0.0 {
        0.0
    } else {
        x
    }
}

macro_rules! unary {
    ($name:literal, $f64:ident, $r64:expr, $f32:ident, $r32:expr, $lo:expr, $hi:expr) => {
        Unary {
            name: $name,
            f64: $f64,
            r64: $r64,
            f32: $f32,
            r32: $r32,
            lo: $lo,
            hi: $hi,
        }
    };
}

fn unary_table() -> Vec<Unary> {
    use core_math as cm;
    vec![
        unary!(
            "exp",
            exp_f64x2,
            cm::exp,
            exp_f32x4,
            cm::expf,
            -750.0,
            710.0
        ),
        unary!(
            "exp2",
            exp2_f64x2,
            cm::exp2,
            exp2_f32x4,
            cm::exp2f,
            -1080.0,
            1025.0
        ),
        unary!(
            "expm1",
            expm1_f64x2,
            cm::expm1,
            expm1_f32x4,
            cm::expm1f,
            -40.0,
            710.0
        ),
        unary!("log", log_f64x2, cm::log, log_f32x4, cm::logf, 0.0, 10.0),
        unary!(
            "log2",
            log2_f64x2,
            cm::log2,
            log2_f32x4,
            cm::log2f,
            0.0,
            10.0
        ),
        unary!(
            "log10",
            log10_f64x2,
            cm::log10,
            log10_f32x4,
            cm::log10f,
            0.0,
            10.0
        ),
        unary!(
            "log1p",
            log1p_f64x2,
            cm::log1p,
            log1p_f32x4,
            cm::log1pf,
            -1.0,
            3.0
        ),
        unary!(
            "sqrt",
            sqrt_f64x2,
            f64::sqrt,
            sqrt_f32x4,
            |x| (x as f64).sqrt() as f32,
            0.0,
            100.0
        ),
        unary!(
            "cbrt",
            cbrt_f64x2,
            cm::cbrt,
            cbrt_f32x4,
            cm::cbrtf,
            -100.0,
            100.0
        ),
        unary!("sin", sin_f64x2, cm::sin, sin_f32x4, cm::sinf, -1e4, 1e4),
        unary!("cos", cos_f64x2, cm::cos, cos_f32x4, cm::cosf, -1e4, 1e4),
        unary!("tan", tan_f64x2, cm::tan, tan_f32x4, cm::tanf, -1e4, 1e4),
        unary!(
            "arcsin",
            arcsin_f64x2,
            cm::asin,
            arcsin_f32x4,
            cm::asinf,
            -1.0,
            1.0
        ),
        unary!(
            "arccos",
            arccos_f64x2,
            cm::acos,
            arccos_f32x4,
            cm::acosf,
            -1.0,
            1.0
        ),
        unary!(
            "arctan",
            arctan_f64x2,
            cm::atan,
            arctan_f32x4,
            cm::atanf,
            -10.0,
            10.0
        ),
        unary!(
            "sinh",
            sinh_f64x2,
            cm::sinh,
            sinh_f32x4,
            cm::sinhf,
            -20.0,
            20.0
        ),
        unary!(
            "cosh",
            cosh_f64x2,
            cm::cosh,
            cosh_f32x4,
            cm::coshf,
            -20.0,
            20.0
        ),
        unary!(
            "tanh",
            tanh_f64x2,
            cm::tanh,
            tanh_f32x4,
            cm::tanhf,
            -20.0,
            20.0
        ),
        unary!(
            "arcsinh",
            arcsinh_f64x2,
            cm::asinh,
            arcsinh_f32x4,
            cm::asinhf,
            -10.0,
            10.0
        ),
        unary!(
            "arccosh",
            arccosh_f64x2,
            cm::acosh,
            arccosh_f32x4,
            cm::acoshf,
            1.0,
            10.0
        ),
        unary!(
            "arctanh",
            arctanh_f64x2,
            cm::atanh,
            arctanh_f32x4,
            cm::atanhf,
            -1.0,
            1.0
        ),
        unary!(
            "floor",
            floor_f64x2,
            f64::floor,
            floor_f32x4,
            f32::floor,
            -1e3,
            1e3
        ),
        unary!(
            "ceil",
            ceil_f64x2,
            f64::ceil,
            ceil_f32x4,
            f32::ceil,
            -1e3,
            1e3
        ),
        unary!(
            "trunc",
            trunc_f64x2,
            f64::trunc,
            trunc_f32x4,
            f32::trunc,
            -1e3,
            1e3
        ),
        unary!(
            "round",
            round_f64x2,
            f64::round_ties_even,
            round_f32x4,
            f32::round_ties_even,
            -1e3,
            1e3
        ),
        unary!(
            "sign", sign_f64x2, np_sign64, sign_f32x4, np_sign32, -1.0, 1.0
        ),
        unary!("abs", abs_f64x2, f64::abs, abs_f32x4, f32::abs, -1.0, 1.0),
    ]
}

fn binary_table() -> Vec<Binary> {
    use core_math as cm;
    vec![
        Binary {
            name: "pow",
            f64: pow_f64x2,
            r64: cm::pow,
            f32: pow_f32x4,
            r32: cm::powf,
            lo: 0.0,
            hi: 0.0,
        },
        Binary {
            name: "arctan2",
            f64: arctan2_f64x2,
            r64: cm::atan2,
            f32: arctan2_f32x4,
            r32: cm::atan2f,
            lo: -10.0,
            hi: 10.0,
        },
        Binary {
            name: "hypot",
            f64: hypot_f64x2,
            r64: cm::hypot,
            f32: hypot_f32x4,
            r32: cm::hypotf,
            lo: -1e3,
            hi: 1e3,
        },
        Binary {
            name: "fmod",
            f64: fmod_f64x2,
            r64: |x, y| unsafe { fmod(x, y) },
            f32: fmod_f32x4,
            r32: |x, y| unsafe { fmodf(x, y) },
            lo: -1e3,
            hi: 1e3,
        },
        Binary {
            name: "copysign",
            f64: copysign_f64x2,
            r64: f64::copysign,
            f32: copysign_f32x4,
            r32: f32::copysign,
            lo: -1.0,
            hi: 1.0,
        },
        Binary {
            name: "nextafter",
            f64: nextafter_f64x2,
            r64: |x, y| unsafe { nextafter(x, y) },
            f32: nextafter_f32x4,
            r32: |x, y| unsafe { nextafterf(x, y) },
            lo: -2.0,
            hi: 2.0,
        },
    ]
}

/// Functions not yet within 1 ULP everywhere (by type). They are still measured and
/// listed with their true error in docs/accuracy.md, but left out of the assertion.
// Empty: every function is within 1 ULP on the CI sample and on the full table.
const NOT_YET_1ULP_F64: &[&str] = &[];
const NOT_YET_1ULP_F32: &[&str] = &[];

// ---------------------------------------------------------------------------------------
// Measurement.

fn seed(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn measure_unary(u: &Unary, n: usize) -> (Stats, Stats) {
    let x = inputs64(n, u.lo, u.hi, seed(u.name));
    let mut out = vec![0.0; x.len()];
    map_f64(u.f64, &x, &mut out);
    let mut s64 = Stats::default();
    for (&a, &g) in x.iter().zip(&out) {
        let w = (u.r64)(a);
        s64.add(ulps64(g, w), a, 0.0, g, w);
    }
    let x = inputs32(n, u.lo, u.hi, seed(u.name) ^ 0x32);
    let mut out = vec![0.0f32; x.len()];
    map_f32(u.f32, &x, &mut out);
    let mut s32 = Stats::default();
    for (&a, &g) in x.iter().zip(&out) {
        let w = (u.r32)(a);
        s32.add(ulps32(g, w), a as f64, 0.0, g as f64, w as f64);
    }
    (s64, s32)
}

fn measure_binary(b: &Binary, n: usize) -> (Stats, Stats) {
    let (x, y) = if b.name == "pow" {
        pow_pairs64(n, seed(b.name))
    } else {
        pairs64(n, b.lo, b.hi, seed(b.name))
    };
    let mut out = vec![0.0; x.len()];
    map2_f64(b.f64, &x, &y, &mut out);
    let mut s64 = Stats::default();
    for i in 0..x.len() {
        let w = (b.r64)(x[i], y[i]);
        s64.add(ulps64(out[i], w), x[i], y[i], out[i], w);
    }
    let (x, y) = if b.name == "pow" {
        pow_pairs32(n, seed(b.name))
    } else {
        pairs32(n, b.lo, b.hi, seed(b.name))
    };
    let mut out = vec![0.0f32; x.len()];
    map2_f32(b.f32, &x, &y, &mut out);
    let mut s32 = Stats::default();
    for i in 0..x.len() {
        let w = (b.r32)(x[i], y[i]);
        s32.add(
            ulps32(out[i], w),
            x[i] as f64,
            y[i] as f64,
            out[i] as f64,
            w as f64,
        );
    }
    (s64, s32)
}

fn measure_all(n: usize, only: Option<&str>) -> Vec<(&'static str, Stats, Stats)> {
    let mut rows = vec![];
    for u in unary_table() {
        if only.is_some_and(|o| !o.split(',').any(|w| w == u.name)) {
            continue;
        }
        let (a, b) = measure_unary(&u, n);
        rows.push((u.name, a, b));
    }
    for b in binary_table() {
        if only.is_some_and(|o| !o.split(',').any(|w| w == b.name)) {
            continue;
        }
        let (s, t) = measure_binary(&b, n);
        rows.push((b.name, s, t));
    }
    rows
}

fn describe(name: &str, ty: &str, s: &Stats) -> String {
    format!(
        "{name} {ty}: max {} ulp (mean {:.4}) at x={:e} y={:e}: got {:e} want {:e}",
        s.max,
        s.mean(),
        s.worst.0,
        s.worst.1,
        s.worst_got,
        s.worst_want
    )
}

#[test]
fn at_most_one_ulp() {
    // VMATH_ONLY=cosh,exp and VMATH_POINTS=1000000 narrow or widen the check while
    // working on a kernel.
    let only = std::env::var("VMATH_ONLY").ok();
    let n = std::env::var("VMATH_POINTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(CI_POINTS);
    let rows = measure_all(n, only.as_deref());
    let mut failures = vec![];
    for (name, s64, s32) in &rows {
        eprintln!("{}", describe(name, "f64", s64));
        eprintln!("{}", describe(name, "f32", s32));
        if s64.max > 1.0 && !NOT_YET_1ULP_F64.contains(name) {
            failures.push(describe(name, "f64", s64));
        }
        if s32.max > 1.0 && !NOT_YET_1ULP_F32.contains(name) {
            failures.push(describe(name, "f32", s32));
        }
    }
    assert!(failures.is_empty(), "above 1 ULP:\n{}", failures.join("\n"));
}

#[test]
fn predicates_match_scalar() {
    let x = inputs64(2000, -10.0, 10.0, 7);
    for c in x.chunks_exact(2) {
        let v = f64x2::from_slice(c);
        for i in 0..2 {
            assert_eq!(isnan_f64x2(v).test(i), c[i].is_nan());
            assert_eq!(isinf_f64x2(v).test(i), c[i].is_infinite());
            assert_eq!(isfinite_f64x2(v).test(i), c[i].is_finite());
            assert_eq!(signbit_f64x2(v).test(i), c[i].is_sign_negative());
        }
    }
    let x = inputs32(2000, -10.0, 10.0, 7);
    for c in x.chunks_exact(4) {
        let v = f32x4::from_slice(c);
        for i in 0..4 {
            assert_eq!(isnan_f32x4(v).test(i), c[i].is_nan());
            assert_eq!(isinf_f32x4(v).test(i), c[i].is_infinite());
            assert_eq!(isfinite_f32x4(v).test(i), c[i].is_finite());
            assert_eq!(signbit_f32x4(v).test(i), c[i].is_sign_negative());
        }
    }
}

/// A lane's result depends on that lane alone: the functions take cheaper paths when every
/// lane of a vector is ordinary, and those paths must give the bits the full path gives, or
/// the same element would come out differently depending on its neighbours (and on where a
/// chunk of an array starts).
#[test]
fn lanes_are_independent() {
    let mut rng = Rng(0x5eed_1a4e_0000_0001);
    let mut xs: Vec<f64> = vec![
        0.0,
        -0.0,
        0.3,
        -0.3,
        0.5,
        0.7,
        1.0,
        -1.0,
        1.5,
        2.5,
        9.5,
        30.0,
        -30.0,
        100.0,
        700.0,
        709.5,
        800.0,
        1e-310,
        1e300,
        -1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    for _ in 0..60 {
        xs.push(rng.uniform(-12.0, 12.0));
        xs.push(rng.uniform(0.0, 1.0));
    }
    let neighbours = [
        0.0,
        0.4,
        3.0,
        -20.0,
        720.0,
        1e-310,
        f64::INFINITY,
        f64::NAN,
        -1.0,
    ];
    let same64 = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    let same32 = |a: f32, b: f32| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    let mut bad = vec![];
    for u in unary_table() {
        for &x in &xs {
            let alone = (u.f64)(f64x2::splat(x))[0];
            let alone32 = (u.f32)(f32x4::splat(x as f32))[0];
            for &n in &neighbours {
                let with = (u.f64)(f64x2::from_array([x, n]))[0];
                if !same64(alone, with) {
                    bad.push(format!(
                        "{} f64 at {x:e} beside {n:e}: {alone:e} vs {with:e}",
                        u.name
                    ));
                }
                let n32 = n as f32;
                let with32 = (u.f32)(f32x4::from_array([x as f32, n32, n32, n32]))[0];
                if !same32(alone32, with32) {
                    bad.push(format!(
                        "{} f32 at {x:e} beside {n:e}: {alone32:e} vs {with32:e}",
                        u.name
                    ));
                }
            }
        }
    }
    for b in binary_table() {
        for &x in &xs {
            for &y in &[0.5, -2.0, 3.0, 0.0, f64::INFINITY, 1e-3] {
                let alone = (b.f64)(f64x2::splat(x), f64x2::splat(y))[0];
                let alone32 = (b.f32)(f32x4::splat(x as f32), f32x4::splat(y as f32))[0];
                for &n in &neighbours {
                    let with = (b.f64)(f64x2::from_array([x, n]), f64x2::from_array([y, n]))[0];
                    if !same64(alone, with) {
                        bad.push(format!("{} f64 at ({x:e}, {y:e}) beside {n:e}", b.name));
                    }
                    let n32 = n as f32;
                    let with32 = (b.f32)(
                        f32x4::from_array([x as f32, n32, n32, n32]),
                        f32x4::from_array([y as f32, n32, n32, n32]),
                    )[0];
                    if !same32(alone32, with32) {
                        bad.push(format!("{} f32 at ({x:e}, {y:e}) beside {n:e}", b.name));
                    }
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} lanes depend on their neighbours:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
}

/// NumPy special values spelled out (most are also covered by the reference comparison).
#[test]
fn numpy_special_values() {
    let one = |f: U64, x: f64| f(f64x2::splat(x))[0];
    let two = |f: B64, x: f64, y: f64| f(f64x2::splat(x), f64x2::splat(y))[0];
    let (inf, nan) = (f64::INFINITY, f64::NAN);
    assert_eq!(one(log_f64x2, 0.0), -inf);
    assert!(one(log_f64x2, -1.0).is_nan());
    assert_eq!(one(exp_f64x2, -inf), 0.0);
    assert_eq!(one(exp_f64x2, inf), inf);
    assert_eq!(two(pow_f64x2, 1.0, nan), 1.0);
    assert_eq!(two(pow_f64x2, nan, 0.0), 1.0);
    assert_eq!(two(pow_f64x2, -1.0, inf), 1.0);
    assert_eq!(two(pow_f64x2, 0.0, -1.0), inf);
    assert_eq!(two(pow_f64x2, -0.0, -1.0), -inf);
    assert!(one(sign_f64x2, nan).is_nan());
    assert!(two(arctan2_f64x2, -0.0, -0.0) == -std::f64::consts::PI);
    assert!(two(arctan2_f64x2, 0.0, -0.0) == std::f64::consts::PI);
    assert!(two(arctan2_f64x2, -0.0, 0.0).is_sign_negative());
    assert_eq!(one(sin_f64x2, -0.0).to_bits(), (-0.0f64).to_bits());
    assert!(one(sin_f64x2, inf).is_nan());
    assert_eq!(one(tanh_f64x2, inf), 1.0);
    assert_eq!(one(arctanh_f64x2, 1.0), inf);
    assert_eq!(one(expm1_f64x2, -inf), -1.0);
    assert_eq!(one(log1p_f64x2, -1.0), -inf);
    assert_eq!(one(ceil_f64x2, -0.5).to_bits(), (-0.0f64).to_bits());
    assert_eq!(one(round_f64x2, 2.5), 2.0);
    assert_eq!(one(round_f64x2, -3.5), -4.0);
    assert!(two(pow_f64x2, -8.0, 1.0 / 3.0).is_nan());
    assert_eq!(two(pow_f64x2, -2.0, 3.0), -8.0);
    assert_eq!(two(pow_f64x2, -inf, -1.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(two(hypot_f64x2, inf, nan), inf);
    assert!(two(fmod_f64x2, 1.0, 0.0).is_nan());
    assert_eq!(two(fmod_f64x2, -4.0, 2.0).to_bits(), (-0.0f64).to_bits());
    assert_eq!(two(nextafter_f64x2, 0.0, -1.0), -f64::from_bits(1));
    assert_eq!(one(cbrt_f64x2, -27.0), -3.0);
    assert_eq!(one(arccosh_f64x2, 1.0).to_bits(), 0);

    let one32 = |f: U32, x: f32| f(f32x4::splat(x))[0];
    let two32 = |f: B32, x: f32, y: f32| f(f32x4::splat(x), f32x4::splat(y))[0];
    let (inf32, nan32) = (f32::INFINITY, f32::NAN);
    assert_eq!(one32(log_f32x4, 0.0), -inf32);
    assert!(one32(log_f32x4, -1.0).is_nan());
    assert_eq!(one32(exp_f32x4, -inf32), 0.0);
    assert_eq!(two32(pow_f32x4, 1.0, nan32), 1.0);
    assert_eq!(two32(pow_f32x4, nan32, 0.0), 1.0);
    assert_eq!(two32(pow_f32x4, -0.0, -3.0), -inf32);
    assert!(one32(sign_f32x4, nan32).is_nan());
    assert_eq!(two32(arctan2_f32x4, -0.0, -0.0), -std::f32::consts::PI);
    assert_eq!(one32(tan_f32x4, -0.0).to_bits(), (-0.0f32).to_bits());
    assert!(one32(cos_f32x4, -inf32).is_nan());
    assert_eq!(one32(arctanh_f32x4, -1.0), -inf32);
    assert_eq!(one32(expm1_f32x4, -inf32), -1.0);
    assert_eq!(one32(floor_f32x4, -0.5), -1.0);

    // A negative base with an integer exponent: within 1 ULP, and the same bits whatever
    // the other lanes hold (a NaN there sends every lane through the special values).
    for (x, y) in [
        (-2.5, 3.0),
        (-1.7, -4.0),
        (-3.3, 7.0),
        (-0.9, 41.0),
        (-1e-3, -5.0),
    ] {
        let fast = pow_f64x2(f64x2::from_array([x, x]), f64x2::splat(y))[0];
        let full = pow_f64x2(f64x2::from_array([x, f64::NAN]), f64x2::splat(y))[0];
        assert_eq!(fast.to_bits(), full.to_bits(), "{x}^{y}");
        assert!(ulps64(fast, core_math::pow(x, y)) <= 1.0, "{x}^{y}");
        let (x32, y32) = (x as f32, y as f32);
        let fast = pow_f32x4(f32x4::splat(x32), f32x4::splat(y32))[0];
        let full = pow_f32x4(
            f32x4::from_array([x32, f32::NAN, x32, x32]),
            f32x4::splat(y32),
        )[0];
        assert_eq!(fast.to_bits(), full.to_bits(), "{x32}^{y32}");
        assert!(
            ulps32(fast, core_math::powf(x32, y32)) <= 1.0,
            "{x32}^{y32}"
        );
    }
}

/// Integer and half-integer powers (the constant-exponent kernel behind `x**n`): within 1
/// ULP with pow's special values everywhere (the fallback lanes are pow), and correctly
/// rounded on all but a few of the inputs the double-length fast path takes, for every
/// exponent 1/2 <= |e| <= 64.5.
#[test]
fn integer_powers_are_correctly_rounded() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut fast64, mut fast32, mut total64, mut total32) = (0usize, 0usize, 0usize, 0usize);
    let mut inexact = 0usize;
    let max = 2 * POWI_MAX as i32 + 1;
    for twice in (-max..=max).filter(|&t| t != 0) {
        let e = f64::from(twice) / 2.0;
        // |x|^e spread over the whole range (overflow, underflow and subnormal results
        // included), both signs, plus the special inputs.
        let span = 1100.0 / e.abs();
        let mut xs: Vec<f64> = (0..1500)
            .map(|i| {
                let x = 2f64.powf(rng.uniform(-span, span));
                if i % 4 == 3 { -x } else { x }
            })
            .collect();
        xs.extend(edges64());
        for pair in xs.chunks(2) {
            let x = f64x2::from_array([pair[0], *pair.get(1).unwrap_or(&pair[0])]);
            let (v, ok) = powi_fast_f64x2(x, twice);
            let full = powi_f64x2(x, twice);
            for i in 0..2 {
                let want = core_math::pow(x[i], e);
                let at = format!("{:e}^{e}", x[i]);
                assert!(
                    ulps64(full[i], want) <= 1.0,
                    "{at}: {} want {want}",
                    full[i]
                );
                total64 += 1;
                if ok {
                    fast64 += 1;
                    assert!(ulps64(v[i], want) <= 1.0, "{at}: {} want {want}", v[i]);
                    inexact += usize::from(v[i].to_bits() != want.to_bits());
                }
            }
        }
        let span32 = 130.0 / e.abs();
        let mut xs32: Vec<f32> = (0..1500)
            .map(|i| {
                let x = 2f64.powf(rng.uniform(-span32, span32)) as f32;
                if i % 4 == 3 { -x } else { x }
            })
            .collect();
        xs32.extend(edges32());
        for quad in xs32.chunks(4) {
            let mut a = [quad[0]; 4];
            a[..quad.len()].copy_from_slice(quad);
            let x = f32x4::from_array(a);
            let (v, ok) = powi_fast_f32x4(x, twice);
            let full = powi_f32x4(x, twice);
            for i in 0..4 {
                let want = core_math::powf(x[i], e as f32);
                let at = format!("{:e}^{e}", x[i]);
                assert!(
                    ulps32(full[i], want) <= 1.0,
                    "{at}: {} want {want}",
                    full[i]
                );
                total32 += 1;
                if ok {
                    fast32 += 1;
                    assert!(ulps32(v[i], want) <= 1.0, "{at}: {} want {want}", v[i]);
                    inexact += usize::from(v[i].to_bits() != want.to_bits());
                }
            }
        }
    }
    // Many inputs take the fast path (the rest: results beyond its range, negative bases
    // with a half exponent, the edges, and the other lanes of their vectors), and nearly
    // all of those are correctly rounded: the exceptions are results within about 2^-100
    // of a rounding boundary, which the edges supply (sqrt(1 - 2^-53) is 2^-109 below one).
    assert!(
        6 * fast64 > total64 && 6 * fast32 > total32,
        "{fast64}/{total64} {fast32}/{total32}"
    );
    assert!(
        inexact * 10_000 < fast64 + fast32,
        "{inexact} of {} not correctly rounded",
        fast64 + fast32
    );
    eprintln!(
        "fast path: {fast64}/{total64} float64, {fast32}/{total32} float32, {inexact} not correctly rounded"
    );
}

/// Invalid operations return the NaN with the sign bit set, as NumPy does on x86-64
/// (`np.signbit(np.log(-1.0))` is True there); a NaN argument comes back with its sign.
#[test]
fn invalid_operations_give_the_negative_nan() {
    let one = |f: U64, x: f64| f(f64x2::splat(x))[0];
    let two = |f: B64, x: f64, y: f64| f(f64x2::splat(x), f64x2::splat(y))[0];
    let neg = |v: f64| v.is_nan() && v.is_sign_negative();
    let inf = f64::INFINITY;
    let unary: [(&str, U64, f64); 17] = [
        ("log", log_f64x2, -1.0),
        ("log", log_f64x2, -inf),
        ("log2", log2_f64x2, -1.0),
        ("log10", log10_f64x2, -1.0),
        ("log1p", log1p_f64x2, -2.0),
        ("sqrt", sqrt_f64x2, -1.0),
        ("arcsin", arcsin_f64x2, 2.0),
        ("arccos", arccos_f64x2, -2.0),
        ("arctanh", arctanh_f64x2, 2.0),
        ("arctanh", arctanh_f64x2, -inf),
        ("arccosh", arccosh_f64x2, 0.5),
        ("arccosh", arccosh_f64x2, -inf),
        ("sin", sin_f64x2, inf),
        ("cos", cos_f64x2, -inf),
        ("tan", tan_f64x2, inf),
        ("sin", sin_f64x2, 1e300 * inf),
        ("log", log_f64x2, -f64::MIN_POSITIVE / 4.0),
    ];
    for (name, f, x) in unary {
        assert!(neg(one(f, x)), "{name}({x}) = {:?}", one(f, x).to_bits());
    }
    assert!(neg(two(pow_f64x2, -2.0, 0.5)));
    assert!(neg(two(pow_f64x2, -8.0, 1.0 / 3.0)));
    let minus_nan = -f64::NAN;
    for (name, f) in [
        ("log", log_f64x2 as U64),
        ("sin", sin_f64x2),
        ("arccosh", arccosh_f64x2),
    ] {
        assert!(neg(one(f, minus_nan)), "{name}(-nan)");
        assert!(!one(f, f64::NAN).is_sign_negative(), "{name}(nan)");
    }
    assert!(neg(two(pow_f64x2, minus_nan, 1.5)));
    assert!(neg(two(hypot_f64x2, minus_nan, 1.0)));

    let one32 = |f: U32, x: f32| f(f32x4::splat(x))[0];
    let two32 = |f: B32, x: f32, y: f32| f(f32x4::splat(x), f32x4::splat(y))[0];
    let neg32 = |v: f32| v.is_nan() && v.is_sign_negative();
    let inf32 = f32::INFINITY;
    let unary32: [(&str, U32, f32); 12] = [
        ("log", log_f32x4, -1.0),
        ("log2", log2_f32x4, -inf32),
        ("log10", log10_f32x4, -1.0),
        ("log1p", log1p_f32x4, -2.0),
        ("arcsin", arcsin_f32x4, 2.0),
        ("arccos", arccos_f32x4, -2.0),
        ("arctanh", arctanh_f32x4, 2.0),
        ("arccosh", arccosh_f32x4, 0.5),
        ("sin", sin_f32x4, inf32),
        ("cos", cos_f32x4, -inf32),
        ("tan", tan_f32x4, inf32),
        ("sqrt", sqrt_f32x4, -1.0),
    ];
    for (name, f, x) in unary32 {
        assert!(
            neg32(one32(f, x)),
            "{name}({x}) = {:?}",
            one32(f, x).to_bits()
        );
    }
    assert!(neg32(two32(pow_f32x4, -2.0, 0.5)));
}

#[test]
#[ignore = "long: 1e6 points per function and type; writes docs/accuracy.md"]
fn full_table() {
    let n = std::env::var("VMATH_POINTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(FULL_POINTS);
    let rows = measure_all(n, None);
    let env = if n == FULL_POINTS {
        String::new()
    } else {
        format!("VMATH_POINTS={n} ")
    };
    let mut md = String::new();
    let _ = writeln!(md, "# vmath accuracy\n");
    let _ = writeln!(
        md,
        "Generated by `{env}cargo test --release --test vmath_accuracy -- --ignored full_table` \
         ({n} points per function and type: edge points, uniform points in the function's \
         interesting range, log-uniform points over the whole domain; see \
         crate/tests/vmath_accuracy.rs). Error is the distance in ULPs from the correctly \
         rounded result (core-math; exact references for sqrt, fmod, nextafter and the exact \
         functions), so 0 means correctly rounded and the mean is the average distance. \
         Half of the points are random bit patterns, many of which land where the result \
         saturates (overflow, underflow, NaN) and is trivially exact, so the means are lower \
         than over the interesting range alone. `inf` would mean a special-value mismatch \
         (NaN, sign of zero).\n"
    );
    let _ = writeln!(
        md,
        "| function | f64 max ULP | f64 mean ULP | f32 max ULP | f32 mean ULP | worst f64 input | worst f32 input |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---|---|");
    for (name, s64, s32) in &rows {
        let w = |s: &Stats| {
            if s.max == 0.0 {
                "-".to_string()
            } else if name_is_binary(name) {
                format!("({:e}, {:e})", s.worst.0, s.worst.1)
            } else {
                format!("{:e}", s.worst.0)
            }
        };
        let _ = writeln!(
            md,
            "| {name} | {} | {:.4} | {} | {:.4} | {} | {} |",
            s64.max,
            s64.mean(),
            s32.max,
            s32.mean(),
            w(s64),
            w(s32)
        );
        eprintln!("{}", describe(name, "f64", s64));
        eprintln!("{}", describe(name, "f32", s32));
    }
    let _ = writeln!(
        md,
        "\nThe predicates isnan, isinf, isfinite and signbit are checked for equality with the scalar predicates on the same inputs."
    );
    // Keep the section written by the `sweep` test, if any.
    let old = std::fs::read_to_string(ACCURACY_MD).unwrap_or_default();
    if let Some(i) = old.find(SWEEP_HEADING) {
        md.push('\n');
        md.push_str(&old[i..]);
    }
    std::fs::write(ACCURACY_MD, md).expect("write docs/accuracy.md");
}

const ACCURACY_MD: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/accuracy.md");
const SWEEP_HEADING: &str = "## Sweeps";

fn name_is_binary(name: &str) -> bool {
    binary_table().iter().any(|b| b.name == name)
}

/// Stride sweep over all float32 bit patterns (every 61st: about 70 million inputs per
/// function) for the unary functions, plus the doubles nearest to k pi/2 (k < 2e5, and
/// their neighbours) for sin/cos/tan, where the Cody-Waite reduction cancels most.
#[test]
#[ignore = "long: sweeps float32 and multiples of pi/2"]
fn sweep() {
    let mut failures = vec![];
    let mut md = format!(
        "{SWEEP_HEADING}\n\nGenerated by `cargo test --release --test vmath_accuracy -- --ignored sweep`: \
         every 61st float32 bit pattern (about 70 million inputs per function, all binades, \
         NaN and inf included), and the three doubles nearest to each k pi/2 for \
         k < 200000 (where the reduction cancels most).\n\n| sweep | max ULP | mean ULP |\n|---|---:|---:|\n"
    );
    for u in unary_table() {
        let mut s = Stats::default();
        let mut xs = Vec::with_capacity(1 << 16);
        let mut out = vec![0.0f32; 1 << 16];
        let mut bits: u64 = 0;
        while bits < 1 << 32 {
            xs.clear();
            while xs.len() < 1 << 16 && bits < 1 << 32 {
                xs.push(f32::from_bits(bits as u32));
                bits += 61;
            }
            map_f32(u.f32, &xs, &mut out[..xs.len()]);
            for (&a, &g) in xs.iter().zip(&out) {
                let w = (u.r32)(a);
                s.add(ulps32(g, w), a as f64, 0.0, g as f64, w as f64);
            }
        }
        eprintln!("{}", describe(u.name, "f32 sweep", &s));
        let _ = writeln!(
            md,
            "| {} (f32, every 61st bit pattern) | {} | {:.4} |",
            u.name,
            s.max,
            s.mean()
        );
        if s.max > 1.0 && !NOT_YET_1ULP_F32.contains(&u.name) {
            failures.push(describe(u.name, "f32 sweep", &s));
        }
    }
    let mut xs = vec![];
    for k in 1..200_000u64 {
        let m = k as f64 * std::f64::consts::FRAC_PI_2;
        for d in -1i64..=1 {
            xs.push(f64::from_bits((m.to_bits() as i64 + d) as u64));
        }
    }
    let mut out = vec![0.0; xs.len()];
    let trig: [(&str, U64, fn(f64) -> f64); 3] = [
        ("sin", sin_f64x2, core_math::sin),
        ("cos", cos_f64x2, core_math::cos),
        ("tan", tan_f64x2, core_math::tan),
    ];
    for (name, f, r) in trig {
        map_f64(f, &xs, &mut out);
        let mut s = Stats::default();
        for (&a, &g) in xs.iter().zip(&out) {
            let w = r(a);
            s.add(ulps64(g, w), a, 0.0, g, w);
        }
        eprintln!("{}", describe(name, "f64 k*pi/2", &s));
        let _ = writeln!(
            md,
            "| {name} (f64, k pi/2 and neighbours) | {} | {:.4} |",
            s.max,
            s.mean()
        );
        if s.max > 1.0 {
            failures.push(describe(name, "f64 k*pi/2", &s));
        }
    }
    let doc = std::fs::read_to_string(ACCURACY_MD).unwrap_or_default();
    let head = doc
        .find(SWEEP_HEADING)
        .map_or(doc.as_str(), |i| &doc[..i])
        .trim_end()
        .to_string();
    std::fs::write(ACCURACY_MD, format!("{head}\n\n{md}")).expect("write docs/accuracy.md");
    assert!(failures.is_empty(), "above 1 ULP:\n{}", failures.join("\n"));
}
