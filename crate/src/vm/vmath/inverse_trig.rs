//! arcsin, arccos, arctan, arctan2.
use std::simd::prelude::*;

use super::util::scalar_unary;

use super::util::{lanes2_f32, lanes2_f64};
scalar_unary!("Inverse sine.", arcsin_f64x2, arcsin_f32x4, f64::asin, f32::asin);
scalar_unary!("Inverse cosine.", arccos_f64x2, arccos_f32x4, f64::acos, f32::acos);
scalar_unary!("Inverse tangent.", arctan_f64x2, arctan_f32x4, f64::atan, f32::atan);
/// Angle of the point (x, y).
#[must_use]
pub fn arctan2_f64x2(y: f64x2, x: f64x2) -> f64x2 { lanes2_f64(y, x, f64::atan2) }
/// Angle of the point (x, y).
#[must_use]
pub fn arctan2_f32x4(y: f32x4, x: f32x4) -> f32x4 { lanes2_f32(y, x, f32::atan2) }
