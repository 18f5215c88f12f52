//! sqrt, cbrt, hypot.
use std::simd::prelude::*;

use super::util::scalar_unary;

use super::util::{lanes2_f32, lanes2_f64};
scalar_unary!("Cube root.", cbrt_f64x2, cbrt_f32x4, f64::cbrt, f32::cbrt);
/// Square root.
#[must_use]
pub fn sqrt_f64x2(x: f64x2) -> f64x2 { std::simd::StdFloat::sqrt(x) }
/// Square root.
#[must_use]
pub fn sqrt_f32x4(x: f32x4) -> f32x4 { std::simd::StdFloat::sqrt(x) }
/// sqrt(x^2 + y^2) without undue overflow.
#[must_use]
pub fn hypot_f64x2(x: f64x2, y: f64x2) -> f64x2 { lanes2_f64(x, y, f64::hypot) }
/// sqrt(x^2 + y^2) without undue overflow.
#[must_use]
pub fn hypot_f32x4(x: f32x4, y: f32x4) -> f32x4 { lanes2_f32(x, y, f32::hypot) }
