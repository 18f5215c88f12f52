//! numwasm's vector math as raw wasm exports, one scalar function per operation and float
//! dtype (`nw_vmath_exp_f64: (f64) -> f64`, `nw_vmath_arctan2_f32: (f32, f32) -> f32`,
//! ...), for the kernel modules `back::wasm` generates: they import these from the import
//! module `numwasm`, to which the host passes this module's exports, so a compiled kernel's
//! `math.exp(x)` runs the very code the reference executor and `evaluate("exp(x)")` run.
//!
//! The functions are made from the same list as the generator's table
//! (`back::wasm::vmath::vmath_imports!`), so every name a module can import is here with
//! its signature. They are `extern "C"` with `#[no_mangle]`, outside wasm-bindgen: a
//! wasm-to-wasm call takes and gives plain wasm values, with no JS glue between.

use crate::back::wasm::vmath::{self, BinaryOp, UnaryOp, vmath_imports};

macro_rules! export {
    ($name:ident, $t:ty, Unary($op:ident)) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(a: $t) -> $t {
            vmath::unary(UnaryOp::$op, a)
        }
    };
    ($name:ident, $t:ty, Binary($op:ident)) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(a: $t, b: $t) -> $t {
            vmath::binary(BinaryOp::$op, a, b)
        }
    };
    ($name:ident, $t:ty, PowConst) => {
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(a: $t, k: $t) -> $t {
            vmath::pow_const(a, k)
        }
    };
}

macro_rules! exports {
    ($($f64:ident, $f32:ident => $kind:ident $(($op:ident))?;)*) => {
        $(
            export!($f64, f64, $kind $(($op))?);
            export!($f32, f32, $kind $(($op))?);
        )*
    };
}

vmath_imports!(exports);
