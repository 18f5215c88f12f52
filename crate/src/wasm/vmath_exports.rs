//! numwasm's vector math as raw wasm exports, one scalar function per operation and float
//! dtype (`nw_vmath_exp_f64: (f64) -> f64`, `nw_vmath_arctan2_f32: (f32, f32) -> f32`,
//! ...), for the kernel modules `back::wasm` generates: they import these from the import
//! module `numwasm`, to which the host passes this module's exports, so a compiled kernel's
//! `math.exp(x)` runs the very code the reference executor and `evaluate("exp(x)")` run.
//!
//! Next to each, the lane functions the vectorized loops call (`nw_vmath2_exp_f64:
//! (v128) -> v128` on two float64 lanes, `nw_vmath4_exp_f32` on four float32 lanes,
//! `nw_vmath2_pow_const_f64: (v128, f64) -> v128`): every lane as the one-element function
//! computes that element, bit for bit (`back::wasm::vmath::Lanes`). With simd128 enabled
//! (both builds), Rust passes and returns a `v128` of an `extern "C"` function as one wasm
//! `v128` value: the built modules' type section has `(param v128) (result v128)` for them.
//!
//! The functions are made from the same list as the generator's table
//! (`back::wasm::vmath::vmath_imports!`), so every name a module can import is here with
//! its signature. They are `extern "C"` with `#[no_mangle]`, outside wasm-bindgen: a
//! wasm-to-wasm call takes and gives plain wasm values, with no JS glue between.

use core::arch::wasm32::v128;

use crate::back::wasm::vmath::{self, BinaryOp, Lanes, UnaryOp, vmath_imports};

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

/// The lanes of a `v128` as `N` elements of `T`, and back.
fn split<T: Copy, const N: usize>(v: v128) -> [T; N] {
    const { assert!(size_of::<[T; N]>() == 16) };
    // SAFETY: 16 bytes either way, and every bit pattern is a float.
    unsafe { core::mem::transmute_copy(&v) }
}

fn join<T: Copy, const N: usize>(a: [T; N]) -> v128 {
    const { assert!(size_of::<[T; N]>() == 16) };
    // SAFETY: as in `split`.
    unsafe { core::mem::transmute_copy(&a) }
}

/// The lane functions, `v128` in and out: with simd128 enabled (both builds), a `v128`
/// of an `extern "C"` function is one wasm `v128` parameter or result (rustc's lint knows
/// no C type for it; tests/node/vmath_exports.test.mjs links every one with the
/// generator's signature).
macro_rules! export_lanes {
    ($name:ident, $t:ty, $n:literal, Unary($op:ident)) => {
        #[unsafe(no_mangle)]
        #[allow(improper_ctypes_definitions)]
        pub extern "C" fn $name(a: v128) -> v128 {
            join(<$t as Lanes<$n>>::unary_lanes(UnaryOp::$op, split(a)))
        }
    };
    ($name:ident, $t:ty, $n:literal, Binary($op:ident)) => {
        #[unsafe(no_mangle)]
        #[allow(improper_ctypes_definitions)]
        pub extern "C" fn $name(a: v128, b: v128) -> v128 {
            join(<$t as Lanes<$n>>::binary_lanes(
                BinaryOp::$op,
                split(a),
                split(b),
            ))
        }
    };
    ($name:ident, $t:ty, $n:literal, PowConst) => {
        #[unsafe(no_mangle)]
        #[allow(improper_ctypes_definitions)]
        pub extern "C" fn $name(a: v128, k: $t) -> v128 {
            join(<$t as Lanes<$n>>::pow_const_lanes(split(a), k))
        }
    };
}

macro_rules! exports {
    ($($f64:ident, $f32:ident, $f64x2:ident, $f32x4:ident => $kind:ident $(($op:ident))?;)*) => {
        $(
            export!($f64, f64, $kind $(($op))?);
            export!($f32, f32, $kind $(($op))?);
            export_lanes!($f64x2, f64, 2, $kind $(($op))?);
            export_lanes!($f32x4, f32, 4, $kind $(($op))?);
        )*
    };
}

vmath_imports!(exports);

/// The block form for loops that run their vmath calls over strips
/// (`back::wasm::BLOCK_IMPORT_F64`, `BLOCK_IMPORT_F32`): `out[i] = op(a[i] ...)` for `n`
/// elements at byte addresses `a`, `b`, `out` of this memory, `op` the operation of
/// `VMATH_IMPORTS[code]`. A code outside the table leaves `out` as it is.
macro_rules! export_block {
    ($name:ident, $t:ty, $block:ident) => {
        /// See the family comment above.
        ///
        /// # Safety
        /// The generated module passes addresses of `n` elements it owns (its scratch
        /// strip).
        #[unsafe(no_mangle)]
        pub unsafe extern "C" fn $name(code: u32, a: u32, b: u32, k: $t, out: u32, n: u32) {
            if let Some(f) = vmath::VMATH_IMPORTS.get(code as usize) {
                // SAFETY: as the caller promises.
                unsafe {
                    vmath::$block(
                        f.op,
                        a as usize as *const $t,
                        b as usize as *const $t,
                        k,
                        out as usize as *mut $t,
                        n as usize,
                    );
                }
            }
        }
    };
}
export_block!(nw_vblock_f64, f64, block_f64);
export_block!(nw_vblock_f32, f32, block_f32);

std::thread_local! {
    /// The calling thread's scratch strips (`nw_vscratch`), in 16-byte units.
    static SCRATCH: std::cell::RefCell<Vec<u128>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Scratch memory of the calling thread (`back::wasm::SCRATCH_IMPORT`): the address of at
/// least `bytes` bytes aligned to 16, kept for the thread (grown, never shrunk); 0 when
/// the memory cannot grow to it.
#[unsafe(no_mangle)]
pub extern "C" fn nw_vscratch(bytes: u32) -> u32 {
    SCRATCH.with(|s| {
        let mut s = s.borrow_mut();
        // One unit more than asked, so that the address can be rounded up to 16.
        let units = (bytes as usize).div_ceil(16) + 1;
        let have = s.len();
        if have < units {
            if s.try_reserve_exact(units - have).is_err() {
                return 0;
            }
            s.resize(units, 0);
        }
        (s.as_mut_ptr() as usize).next_multiple_of(16) as u32
    })
}
