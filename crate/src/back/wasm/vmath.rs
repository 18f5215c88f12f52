//! The float operations a generated module does not compute itself: the transcendentals
//! and the float `//`, `%`, `**`, `fmod`, `arctan2`, `hypot` and `nextafter`. wasm has no
//! instruction for them, and the executor computes them through numwasm's vector math
//! (`types::math`'s lane functions, one element at a time), so a generated module imports
//! numwasm's own functions rather than carrying copies that could round differently: the
//! engine exports one scalar function per operation and float dtype
//! (`crate/src/wasm/vmath_exports.rs`), and the host passes the engine's exports to the
//! module as its import module [`VMATH_MODULE`].
//!
//! ```text
//! vmath_imports! (the one list) ──▶ VMATH_IMPORTS (names, operations, dtypes: the generator)
//!                               ──▶ nw_vmath_* exports (the engine's wasm build)
//! unary / binary / pow_const (what the executor calls) ◀── both, and the tests' host
//! ```
//!
//! Each operation also has lane functions on one `v128` (two float64 or four float32
//! lanes, [`Lanes`]), for loops the vectorizer runs on lanes (`func/simd.rs`); each lane's
//! result is the one-element function's on that element.
//!
//! A float32 operation calls its float32 function: the executor computes float32 in
//! float32, as NumPy's float32 loops do.

use wasm_encoder::ValType;

use crate::types::DType;
use crate::types::elem::{self, Elem};
use crate::types::math::{self, OneLane};
/// The operations a [`VmathOp`] names (re-exported for the engine's exports, which reach
/// the engine's stages through `back`).
pub use crate::types::{BinaryOp, UnaryOp};

/// The import module the functions come from: the engine's own wasm exports.
pub const VMATH_MODULE: &str = "numwasm";

/// How the names of the vmath functions begin (`nw_vmath_exp_f64`): a module whose bytes
/// hold it imports one.
pub const VMATH_PREFIX: &str = "nw_vmath_";

/// The list of imports, one entry per operation: its float64 and float32 functions'
/// names, its float64x2 and float32x4 lane functions' names, and what they compute. A macro, so that the table the generator reads
/// ([`VMATH_IMPORTS`]) and the engine's exports are made from the same list and cannot
/// drift; `$then` receives it.
macro_rules! vmath_imports {
    ($then:ident) => {
        $then! {
            nw_vmath_sin_f64, nw_vmath_sin_f32,
                nw_vmath2_sin_f64, nw_vmath4_sin_f32 => Unary(Sin);
            nw_vmath_cos_f64, nw_vmath_cos_f32,
                nw_vmath2_cos_f64, nw_vmath4_cos_f32 => Unary(Cos);
            nw_vmath_tan_f64, nw_vmath_tan_f32,
                nw_vmath2_tan_f64, nw_vmath4_tan_f32 => Unary(Tan);
            nw_vmath_arcsin_f64, nw_vmath_arcsin_f32,
                nw_vmath2_arcsin_f64, nw_vmath4_arcsin_f32 => Unary(Arcsin);
            nw_vmath_arccos_f64, nw_vmath_arccos_f32,
                nw_vmath2_arccos_f64, nw_vmath4_arccos_f32 => Unary(Arccos);
            nw_vmath_arctan_f64, nw_vmath_arctan_f32,
                nw_vmath2_arctan_f64, nw_vmath4_arctan_f32 => Unary(Arctan);
            nw_vmath_sinh_f64, nw_vmath_sinh_f32,
                nw_vmath2_sinh_f64, nw_vmath4_sinh_f32 => Unary(Sinh);
            nw_vmath_cosh_f64, nw_vmath_cosh_f32,
                nw_vmath2_cosh_f64, nw_vmath4_cosh_f32 => Unary(Cosh);
            nw_vmath_tanh_f64, nw_vmath_tanh_f32,
                nw_vmath2_tanh_f64, nw_vmath4_tanh_f32 => Unary(Tanh);
            nw_vmath_arcsinh_f64, nw_vmath_arcsinh_f32,
                nw_vmath2_arcsinh_f64, nw_vmath4_arcsinh_f32 => Unary(Arcsinh);
            nw_vmath_arccosh_f64, nw_vmath_arccosh_f32,
                nw_vmath2_arccosh_f64, nw_vmath4_arccosh_f32 => Unary(Arccosh);
            nw_vmath_arctanh_f64, nw_vmath_arctanh_f32,
                nw_vmath2_arctanh_f64, nw_vmath4_arctanh_f32 => Unary(Arctanh);
            nw_vmath_log_f64, nw_vmath_log_f32,
                nw_vmath2_log_f64, nw_vmath4_log_f32 => Unary(Log);
            nw_vmath_log1p_f64, nw_vmath_log1p_f32,
                nw_vmath2_log1p_f64, nw_vmath4_log1p_f32 => Unary(Log1p);
            nw_vmath_log10_f64, nw_vmath_log10_f32,
                nw_vmath2_log10_f64, nw_vmath4_log10_f32 => Unary(Log10);
            nw_vmath_log2_f64, nw_vmath_log2_f32,
                nw_vmath2_log2_f64, nw_vmath4_log2_f32 => Unary(Log2);
            nw_vmath_exp_f64, nw_vmath_exp_f32,
                nw_vmath2_exp_f64, nw_vmath4_exp_f32 => Unary(Exp);
            nw_vmath_exp2_f64, nw_vmath_exp2_f32,
                nw_vmath2_exp2_f64, nw_vmath4_exp2_f32 => Unary(Exp2);
            nw_vmath_expm1_f64, nw_vmath_expm1_f32,
                nw_vmath2_expm1_f64, nw_vmath4_expm1_f32 => Unary(Expm1);
            nw_vmath_cbrt_f64, nw_vmath_cbrt_f32,
                nw_vmath2_cbrt_f64, nw_vmath4_cbrt_f32 => Unary(Cbrt);
            nw_vmath_floordiv_f64, nw_vmath_floordiv_f32,
                nw_vmath2_floordiv_f64, nw_vmath4_floordiv_f32 => Binary(FloorDiv);
            nw_vmath_mod_f64, nw_vmath_mod_f32,
                nw_vmath2_mod_f64, nw_vmath4_mod_f32 => Binary(Mod);
            nw_vmath_pow_f64, nw_vmath_pow_f32,
                nw_vmath2_pow_f64, nw_vmath4_pow_f32 => Binary(Pow);
            nw_vmath_fmod_f64, nw_vmath_fmod_f32,
                nw_vmath2_fmod_f64, nw_vmath4_fmod_f32 => Binary(Fmod);
            nw_vmath_arctan2_f64, nw_vmath_arctan2_f32,
                nw_vmath2_arctan2_f64, nw_vmath4_arctan2_f32 => Binary(Arctan2);
            nw_vmath_hypot_f64, nw_vmath_hypot_f32,
                nw_vmath2_hypot_f64, nw_vmath4_hypot_f32 => Binary(Hypot);
            nw_vmath_nextafter_f64, nw_vmath_nextafter_f32,
                nw_vmath2_nextafter_f64, nw_vmath4_nextafter_f32 => Binary(Nextafter);
            nw_vmath_pow_const_f64, nw_vmath_pow_const_f32,
                nw_vmath2_pow_const_f64, nw_vmath4_pow_const_f32 => PowConst;
        }
    };
}
// The engine's exports read the list in the wasm build only.
#[cfg_attr(not(target_arch = "wasm32"), allow(unused_imports))]
pub(crate) use vmath_imports;

/// What an imported function computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VmathOp {
    /// `(x) -> x`: [`unary`].
    Unary(UnaryOp),
    /// `(a, b) -> a op b`: [`binary`].
    Binary(BinaryOp),
    /// `(a, k) -> a ** k` where `k` is a constant of the program: [`pow_const`], the
    /// executor's constant-power kernel (integer and half-integer exponents square and
    /// multiply instead of calling pow, so the bits can differ from [`BinaryOp::Pow`]'s).
    PowConst,
}

/// One imported function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VmathImport {
    /// The field name in [`VMATH_MODULE`]: `nw_vmath_<op>_<f64|f32>`.
    pub name: &'static str,
    pub op: VmathOp,
    /// `float64` or `float32`: every parameter and the result are of this dtype.
    pub dtype: DType,
    /// 1 for the one-element function; 2 (`float64`) or 4 (`float32`) for the lane
    /// function `nw_vmath<lanes>_<op>_<dtype>`, which takes and gives `v128` values (the
    /// exponent of [`VmathOp::PowConst`] stays one scalar) and computes every lane as the
    /// one-element function computes that element.
    pub lanes: u32,
}

impl VmathImport {
    /// How many parameters the function takes.
    #[must_use]
    pub fn arity(&self) -> usize {
        match self.op {
            VmathOp::Unary(_) => 1,
            VmathOp::Binary(_) | VmathOp::PowConst => 2,
        }
    }

    /// The wasm signature: `arity` values of the dtype's type in, one out; for a lane
    /// function `v128`s, but for the scalar exponent of [`VmathOp::PowConst`].
    #[must_use]
    pub fn signature(&self) -> (Vec<ValType>, Vec<ValType>) {
        let t = super::val_type(self.dtype);
        if self.lanes == 1 {
            return (vec![t; self.arity()], vec![t]);
        }
        let v = ValType::V128;
        match self.op {
            VmathOp::PowConst => (vec![v, t], vec![v]),
            _ => (vec![v; self.arity()], vec![v]),
        }
    }
}

macro_rules! op {
    (Unary($op:ident)) => {
        VmathOp::Unary(UnaryOp::$op)
    };
    (Binary($op:ident)) => {
        VmathOp::Binary(BinaryOp::$op)
    };
    (PowConst) => {
        VmathOp::PowConst
    };
}

macro_rules! table {
    ($($f64:ident, $f32:ident, $f64x2:ident, $f32x4:ident => $kind:ident $(($op:ident))?;)*) => {
        /// Every function a generated module may import from [`VMATH_MODULE`], float64
        /// and float32 for each operation. A module imports those it calls, in the order
        /// of first use.
        pub const VMATH_IMPORTS: &[VmathImport] = &[$(
            VmathImport { name: stringify!($f64), op: op!($kind $(($op))?), dtype: DType::F64, lanes: 1 },
            VmathImport { name: stringify!($f32), op: op!($kind $(($op))?), dtype: DType::F32, lanes: 1 },
            VmathImport { name: stringify!($f64x2), op: op!($kind $(($op))?), dtype: DType::F64, lanes: 2 },
            VmathImport { name: stringify!($f32x4), op: op!($kind $(($op))?), dtype: DType::F32, lanes: 4 },
        )*];
    };
}
vmath_imports!(table);

/// The position in [`VMATH_IMPORTS`] of the function that computes `op` in dtype `d`, or
/// `None` when the generated code computes `op` itself (or `d` is not a float).
#[must_use]
pub fn find(op: VmathOp, d: DType) -> Option<usize> {
    VMATH_IMPORTS
        .iter()
        .position(|i| i.op == op && i.dtype == d && i.lanes == 1)
}

/// The position in [`VMATH_IMPORTS`] of the lane function that computes `op` on a `v128`
/// of dtype `d` (`f64x2` or `f32x4`), as [`find`].
#[must_use]
pub fn find_lanes(op: VmathOp, d: DType) -> Option<usize> {
    VMATH_IMPORTS
        .iter()
        .position(|i| i.op == op && i.dtype == d && i.lanes > 1)
}

/// The block form of the lane functions, over float64 (`block_f64`) or float32
/// (`block_f32`) slices: `o[i] = op(a[i])` (`op(a[i], b[i])` for a binary `op`, `a[i] **
/// k` for [`VmathOp::PowConst`]). It runs the expression VM's block loops, whose every
/// vector gets the bits the lane function gives it ([`Lanes`]: the common case where it
/// applies, else the whole function, which agrees with it there), so a loop that calls
/// this once per strip gives the bits of one that calls the lane function once per
/// vector. `b` is read only for a binary `op`; every slice holds `o.len()` elements (`o`
/// may be a copy of `a`'s place: each element is read before it is written).
macro_rules! block_fn {
    ($name:ident, $t:ty, $unary:ident, $binary:ident, $binary_k:ident) => {
        /// See [`block_f64`]'s family comment above.
        ///
        /// # Safety
        /// `a`, `o` (and `b` for a binary `op`) must be valid for `n` elements; `o` may
        /// equal `a`.
        pub unsafe fn $name(op: VmathOp, a: *const $t, b: *const $t, k: $t, o: *mut $t, n: usize) {
            // SAFETY (all calls): forwarded from the caller.
            match op {
                VmathOp::Unary(u) => unsafe { math::$unary(u, a, o, n) },
                VmathOp::Binary(op) => {
                    if op == BinaryOp::Fmod || !unsafe { math::$binary(op, a, b, o, n) } {
                        for i in 0..n {
                            unsafe { *o.add(i) = binary(op, *a.add(i), *b.add(i)) };
                        }
                    }
                }
                VmathOp::PowConst => {
                    if k == 2.0 {
                        for i in 0..n {
                            let x = unsafe { *a.add(i) };
                            unsafe { *o.add(i) = x * x };
                        }
                    } else if !unsafe { math::$binary_k(BinaryOp::Pow, a, k, o, n) } {
                        for i in 0..n {
                            unsafe { *o.add(i) = pow_const(*a.add(i), k) };
                        }
                    }
                }
            }
        }
    };
}
block_fn!(block_f64, f64, unary_f64, binary_f64, binary_k_f64);
block_fn!(block_f32, f32, unary_f32, binary_f32, binary_k_f32);

/// A unary operation as the executor computes it (`elem::unary`, which runs the vmath
/// lane function on one element).
#[inline]
#[must_use]
pub fn unary<T: Elem>(op: UnaryOp, a: T) -> T {
    elem::unary(op, a)
}

/// A binary operation as the executor computes it (`elem::binary`: the vmath lane
/// function, or Rust's `%` for `fmod`).
#[inline]
#[must_use]
pub fn binary<T: Elem>(op: BinaryOp, a: T, b: T) -> T {
    elem::binary(op, a, b)
}

/// `a ** k` for a constant exponent `k`, as the executor computes it.
#[inline]
#[must_use]
pub fn pow_const<T: OneLane>(a: T, k: T) -> T {
    T::pow_const_one(a, k)
}

/// The lane functions of one float dtype: `N` elements (one `v128`) at a time, every lane
/// with the bits [`unary`], [`binary`] and [`pow_const`] give that element alone. They run
/// the executor's block loops (`types::math`) over the `N` elements: a loop computes a
/// vector through the lane function's common case where that applies to every lane and
/// through the whole function otherwise, and both give each lane the one-element result.
pub trait Lanes<const N: usize>: OneLane + Elem {
    /// `op(a)` in every lane.
    fn unary_lanes(op: UnaryOp, a: [Self; N]) -> [Self; N];
    /// `op(a, b)` in every lane.
    fn binary_lanes(op: BinaryOp, a: [Self; N], b: [Self; N]) -> [Self; N];
    /// `a ** k` in every lane, `k` a constant of the program.
    fn pow_const_lanes(a: [Self; N], k: Self) -> [Self; N];
}

macro_rules! lanes {
    ($t:ty, $n:literal, $unary:ident, $binary:ident, $binary_k:ident, $unary_v:ident, $binary_v:ident) => {
        impl Lanes<$n> for $t {
            #[inline(always)]
            fn unary_lanes(op: UnaryOp, a: [$t; $n]) -> [$t; $n] {
                // The vector straight into its kernel (the same bits as the block loop,
                // which `unary_lanes` of a vector would run through pointers).
                if let Some(o) = math::$unary_v(op, a) {
                    return o;
                }
                let mut o = [<$t>::NAN; $n];
                // SAFETY: `a` and `o` hold `$n` elements each.
                unsafe { math::$unary(op, a.as_ptr(), o.as_mut_ptr(), $n) };
                o
            }
            #[inline(always)]
            fn binary_lanes(op: BinaryOp, a: [$t; $n], b: [$t; $n]) -> [$t; $n] {
                // `fmod` is Rust's `%` in the executor, with no lane kernel.
                if op == BinaryOp::Fmod {
                    return std::array::from_fn(|i| binary(op, a[i], b[i]));
                }
                if let Some(o) = math::$binary_v(op, a, b) {
                    return o;
                }
                std::array::from_fn(|i| binary(op, a[i], b[i]))
            }
            #[inline(always)]
            fn pow_const_lanes(a: [$t; $n], k: $t) -> [$t; $n] {
                // As `OneLane::pow_const_one`: `a * a` for 2, else the constant-power
                // block loop for an integer or half-integer exponent, pow itself (one
                // vector straight into its kernel) for any other.
                if k == 2.0 {
                    return a.map(|x| x * x);
                }
                if math::int_exponent(f64::from(k)).is_none()
                    && let Some(o) = math::$binary_v(BinaryOp::Pow, a, [k; $n])
                {
                    return o;
                }
                let mut o = [<$t>::NAN; $n];
                // SAFETY: `a` and `o` hold `$n` elements each.
                if !unsafe { math::$binary_k(BinaryOp::Pow, a.as_ptr(), k, o.as_mut_ptr(), $n) } {
                    o = a.map(|x| pow_const(x, k));
                }
                o
            }
        }
    };
}
lanes!(
    f64,
    2,
    unary_f64,
    binary_f64,
    binary_k_f64,
    unary_f64x2,
    binary_f64x2
);
lanes!(
    f32,
    4,
    unary_f32,
    binary_f32,
    binary_k_f32,
    unary_f32x4,
    binary_f32x4
);
