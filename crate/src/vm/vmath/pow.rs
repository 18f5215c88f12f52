//! pow.
use std::simd::prelude::*;

use super::util::{lanes2_f32, lanes2_f64};
/// x^y.
#[must_use]
pub fn pow_f64x2(x: f64x2, y: f64x2) -> f64x2 { lanes2_f64(x, y, f64::powf) }
/// x^y.
#[must_use]
pub fn pow_f32x4(x: f32x4, y: f32x4) -> f32x4 { lanes2_f32(x, y, f32::powf) }
