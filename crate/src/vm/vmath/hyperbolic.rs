//! sinh, cosh, tanh, arcsinh, arccosh, arctanh.
use std::simd::prelude::*;

use super::util::scalar_unary;

scalar_unary!("Hyperbolic sine.", sinh_f64x2, sinh_f32x4, f64::sinh, f32::sinh);
scalar_unary!("Hyperbolic cosine.", cosh_f64x2, cosh_f32x4, f64::cosh, f32::cosh);
scalar_unary!("Hyperbolic tangent.", tanh_f64x2, tanh_f32x4, f64::tanh, f32::tanh);
scalar_unary!("Inverse hyperbolic sine.", arcsinh_f64x2, arcsinh_f32x4, f64::asinh, f32::asinh);
scalar_unary!("Inverse hyperbolic cosine.", arccosh_f64x2, arccosh_f32x4, f64::acosh, f32::acosh);
scalar_unary!("Inverse hyperbolic tangent.", arctanh_f64x2, arctanh_f32x4, f64::atanh, f32::atanh);
