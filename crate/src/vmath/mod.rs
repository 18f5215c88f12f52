//! vmath: SIMD128 vector math (exp, log, sin, ...) over `std::simd` lanes, float64 and float32.
//!
//! In: one lane vector (`f64x2` or `f32x4`, the two float shapes of wasm simd128; natively
//! they lower to SSE2, so native tests run the very code the browser runs). Out: the
//! function of every lane, within 1 ULP of the correctly rounded result where
//! `docs/accuracy.md` says so, with NumPy's special values (NaN, ±inf, signed zeros).
//!
//! Every function is written once over `std::simd` with branch-free lane code (masks and
//! selects) for the common path; a rare-lane slow path (huge trigonometric arguments,
//! overflow and subnormal results, ...) is entered only when some lane needs it. Nothing
//! here relies on fused multiply-add (simd128 has none): products that must be exact use
//! Dekker's splitting. Float32 is computed in float32 lanes, four per vector.
//!
//! Families, one file each:
//! * [`exact`]: floor, ceil, trunc, round (half to even), copysign, nextafter, sign,
//!   signbit, abs, isnan, isinf, isfinite, fmod.
//! * [`exp`]: exp, exp2, expm1. [`log`]: log, log2, log10, log1p.
//! * [`trig`]: sin, cos, tan (argument reduction in [`reduce`]).
//! * [`inverse_trig`]: arcsin, arccos, arctan, arctan2.
//! * [`hyperbolic`]: sinh, cosh, tanh, arcsinh, arccosh, arctanh.
//! * [`pow`]: pow. [`roots`]: sqrt, cbrt, hypot.
//!
//! The slice helpers [`map_f64`], [`map2_f64`], [`map_f32`] and [`map2_f32`] run a lane
//! function over whole arrays, padding the tail into one last vector.
//!
//! Checked on the wasm32 + simd128 assembly (`cargo rustc --release --target
//! wasm32-unknown-unknown -- --emit=asm`): every lane function is straight f64x2/f32x4
//! code with no libm calls; scalar code is left only in the rare-lane paths (Payne-Hanek
//! reduction, float32 trig lanes that fall back to the float64 kernel, fmod lanes with
//! huge quotients) and in the two-lane table lookups of exp and pow.
//!
//! Accuracy is measured in `crate/tests/vmath_accuracy.rs` against correctly rounded
//! references (table in `docs/accuracy.md`); speed in `crate/benches/vmath.rs`
//! (`docs/vmath-speed.md`).

use std::simd::prelude::*;

pub mod blocks;
pub mod exact;
pub mod exp;
pub mod hyperbolic;
pub mod inverse_trig;
pub mod log;
pub mod pow;
pub mod reduce;
pub mod roots;
mod tables;
pub mod trig;
mod util;

pub use exact::*;
pub use exp::*;
pub use hyperbolic::*;
pub use inverse_trig::*;
pub use log::*;
pub use pow::*;
pub use roots::*;
pub use trig::*;

/// Apply a float64 lane function to every element of `x`, writing `out`.
///
/// ```
/// use numwasm::vmath::{exp_f64x2, map_f64};
/// let x = [0.0, 1.0, 2.0];
/// let mut out = [0.0; 3];
/// map_f64(exp_f64x2, &x, &mut out);
/// assert_eq!(out[0], 1.0);
/// ```
#[inline]
pub fn map_f64(f: fn(f64x2) -> f64x2, x: &[f64], out: &mut [f64]) {
    assert_eq!(
        x.len(),
        out.len(),
        "map_f64: input and output lengths differ"
    );
    let mut xc = x.chunks_exact(2);
    let mut oc = out.chunks_exact_mut(2);
    for (xi, oi) in (&mut xc).zip(&mut oc) {
        f(f64x2::from_slice(xi)).copy_to_slice(oi);
    }
    let (xr, or) = (xc.remainder(), oc.into_remainder());
    if !xr.is_empty() {
        let v = f(f64x2::load_or_default(xr)).to_array();
        or.copy_from_slice(&v[..or.len()]);
    }
}

/// Apply a two-argument float64 lane function element by element.
#[inline]
pub fn map2_f64(f: fn(f64x2, f64x2) -> f64x2, x: &[f64], y: &[f64], out: &mut [f64]) {
    assert!(
        x.len() == out.len() && y.len() == out.len(),
        "map2_f64: lengths differ"
    );
    let n = out.len() / 2 * 2;
    for i in (0..n).step_by(2) {
        f(
            f64x2::from_slice(&x[i..i + 2]),
            f64x2::from_slice(&y[i..i + 2]),
        )
        .copy_to_slice(&mut out[i..i + 2]);
    }
    if n < out.len() {
        let v = f(
            f64x2::load_or_default(&x[n..]),
            f64x2::load_or_default(&y[n..]),
        )
        .to_array();
        let rest = out.len() - n;
        out[n..].copy_from_slice(&v[..rest]);
    }
}

/// Apply a float32 lane function to every element of `x`, writing `out`.
#[inline]
pub fn map_f32(f: fn(f32x4) -> f32x4, x: &[f32], out: &mut [f32]) {
    assert_eq!(
        x.len(),
        out.len(),
        "map_f32: input and output lengths differ"
    );
    let mut xc = x.chunks_exact(4);
    let mut oc = out.chunks_exact_mut(4);
    for (xi, oi) in (&mut xc).zip(&mut oc) {
        f(f32x4::from_slice(xi)).copy_to_slice(oi);
    }
    let (xr, or) = (xc.remainder(), oc.into_remainder());
    if !xr.is_empty() {
        let v = f(f32x4::load_or_default(xr)).to_array();
        or.copy_from_slice(&v[..or.len()]);
    }
}

/// Apply a two-argument float32 lane function element by element.
#[inline]
pub fn map2_f32(f: fn(f32x4, f32x4) -> f32x4, x: &[f32], y: &[f32], out: &mut [f32]) {
    assert!(
        x.len() == out.len() && y.len() == out.len(),
        "map2_f32: lengths differ"
    );
    let n = out.len() / 4 * 4;
    for i in (0..n).step_by(4) {
        f(
            f32x4::from_slice(&x[i..i + 4]),
            f32x4::from_slice(&y[i..i + 4]),
        )
        .copy_to_slice(&mut out[i..i + 4]);
    }
    if n < out.len() {
        let v = f(
            f32x4::load_or_default(&x[n..]),
            f32x4::load_or_default(&y[n..]),
        )
        .to_array();
        let rest = out.len() - n;
        out[n..].copy_from_slice(&v[..rest]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_handles_tails() {
        for n in 0..9 {
            let x: Vec<f64> = (0..n).map(|i| i as f64).collect();
            let mut out = vec![f64::NAN; n];
            map_f64(abs_f64x2, &x, &mut out);
            assert_eq!(out, x);
            let xf: Vec<f32> = (0..n).map(|i| -(i as f32)).collect();
            let mut of = vec![f32::NAN; n];
            map2_f32(copysign_f32x4, &xf, &xf, &mut of);
            assert_eq!(of, xf);
        }
    }
}
