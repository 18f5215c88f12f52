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
//! A float32 operation calls its float32 function: the executor computes float32 in
//! float32, as NumPy's float32 loops do.

use wasm_encoder::ValType;

use crate::types::DType;
use crate::types::elem::{self, Elem};
use crate::types::math::OneLane;
/// The operations a [`VmathOp`] names (re-exported for the engine's exports, which reach
/// the engine's stages through `back`).
pub use crate::types::{BinaryOp, UnaryOp};

/// The import module the functions come from: the engine's own wasm exports.
pub const VMATH_MODULE: &str = "numwasm";

/// The list of imports, one line per operation: its float64 and float32 functions' names
/// and what they compute. A macro, so that the table the generator reads
/// ([`VMATH_IMPORTS`]) and the engine's exports are made from the same list and cannot
/// drift; `$then` receives it.
macro_rules! vmath_imports {
    ($then:ident) => {
        $then! {
            nw_vmath_sin_f64, nw_vmath_sin_f32 => Unary(Sin);
            nw_vmath_cos_f64, nw_vmath_cos_f32 => Unary(Cos);
            nw_vmath_tan_f64, nw_vmath_tan_f32 => Unary(Tan);
            nw_vmath_arcsin_f64, nw_vmath_arcsin_f32 => Unary(Arcsin);
            nw_vmath_arccos_f64, nw_vmath_arccos_f32 => Unary(Arccos);
            nw_vmath_arctan_f64, nw_vmath_arctan_f32 => Unary(Arctan);
            nw_vmath_sinh_f64, nw_vmath_sinh_f32 => Unary(Sinh);
            nw_vmath_cosh_f64, nw_vmath_cosh_f32 => Unary(Cosh);
            nw_vmath_tanh_f64, nw_vmath_tanh_f32 => Unary(Tanh);
            nw_vmath_arcsinh_f64, nw_vmath_arcsinh_f32 => Unary(Arcsinh);
            nw_vmath_arccosh_f64, nw_vmath_arccosh_f32 => Unary(Arccosh);
            nw_vmath_arctanh_f64, nw_vmath_arctanh_f32 => Unary(Arctanh);
            nw_vmath_log_f64, nw_vmath_log_f32 => Unary(Log);
            nw_vmath_log1p_f64, nw_vmath_log1p_f32 => Unary(Log1p);
            nw_vmath_log10_f64, nw_vmath_log10_f32 => Unary(Log10);
            nw_vmath_log2_f64, nw_vmath_log2_f32 => Unary(Log2);
            nw_vmath_exp_f64, nw_vmath_exp_f32 => Unary(Exp);
            nw_vmath_exp2_f64, nw_vmath_exp2_f32 => Unary(Exp2);
            nw_vmath_expm1_f64, nw_vmath_expm1_f32 => Unary(Expm1);
            nw_vmath_cbrt_f64, nw_vmath_cbrt_f32 => Unary(Cbrt);
            nw_vmath_floordiv_f64, nw_vmath_floordiv_f32 => Binary(FloorDiv);
            nw_vmath_mod_f64, nw_vmath_mod_f32 => Binary(Mod);
            nw_vmath_pow_f64, nw_vmath_pow_f32 => Binary(Pow);
            nw_vmath_fmod_f64, nw_vmath_fmod_f32 => Binary(Fmod);
            nw_vmath_arctan2_f64, nw_vmath_arctan2_f32 => Binary(Arctan2);
            nw_vmath_hypot_f64, nw_vmath_hypot_f32 => Binary(Hypot);
            nw_vmath_nextafter_f64, nw_vmath_nextafter_f32 => Binary(Nextafter);
            nw_vmath_pow_const_f64, nw_vmath_pow_const_f32 => PowConst;
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

    /// The wasm signature: `arity` values of the dtype's type in, one out.
    #[must_use]
    pub fn signature(&self) -> (Vec<ValType>, Vec<ValType>) {
        let t = super::val_type(self.dtype);
        (vec![t; self.arity()], vec![t])
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
    ($($f64:ident, $f32:ident => $kind:ident $(($op:ident))?;)*) => {
        /// Every function a generated module may import from [`VMATH_MODULE`], float64
        /// and float32 for each operation. A module imports those it calls, in the order
        /// of first use.
        pub const VMATH_IMPORTS: &[VmathImport] = &[$(
            VmathImport { name: stringify!($f64), op: op!($kind $(($op))?), dtype: DType::F64 },
            VmathImport { name: stringify!($f32), op: op!($kind $(($op))?), dtype: DType::F32 },
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
        .position(|i| i.op == op && i.dtype == d)
}

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
