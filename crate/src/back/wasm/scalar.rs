//! Scalar element operations in wasm, each exactly as `types::elem` (and the executor's
//! `Cast`) computes it: constants, truth values, casts, and the unary and binary
//! operations, on the value representation of the ABI (narrow integers normalized in an
//! `i32`, 64-bit integers in an `i64`).
//!
//! Every function takes its operands on the wasm stack and leaves its result there. The
//! float operations wasm has no instruction for call numwasm's vmath functions, which the
//! module imports ([`super::vmath`]); an operation nothing computes returns `Err` with its
//! name.

use wasm_encoder::{BlockType, Ieee32, Ieee64, Instruction as I, ValType};

use super::code::{Code, Helpers};
use super::vmath::VmathOp;
use crate::types::{BinaryOp, DType, Scalar, UnaryOp};

/// The wasm type of a dtype's values.
pub(super) fn val_type(d: DType) -> ValType {
    match d {
        DType::I64 | DType::U64 => ValType::I64,
        DType::F32 => ValType::F32,
        DType::F64 => ValType::F64,
        _ => ValType::I32,
    }
}

/// Whether a dtype's values are `i64`s.
fn wide(d: DType) -> bool {
    matches!(d, DType::I64 | DType::U64)
}

/// The integer wasm type's instruction: the `i64` one for 64-bit dtypes.
macro_rules! int {
    ($wide:expr, $i64:expr, $i32:expr) => {
        if $wide { $i64 } else { $i32 }
    };
}

/// The float wasm type's instruction: the `f64` one for float64.
macro_rules! float {
    ($d:expr, $a:expr, $b:expr) => {
        if $d == DType::F64 { $a } else { $b }
    };
}

fn iconst(wide: bool, v: i64) -> I<'static> {
    if wide {
        I::I64Const(v)
    } else {
        I::I32Const(v as i32)
    }
}

/// Wraps an `i32` holding any integer to dtype `d`'s width (sign- or zero-extending), as
/// a narrow integer operation wraps.
pub(super) fn normalize(c: &mut Code, d: DType) {
    match d {
        DType::I8 => c.push(I::I32Extend8S),
        DType::I16 => c.push(I::I32Extend16S),
        DType::U8 => {
            c.push(I::I32Const(0xff));
            c.push(I::I32And);
        }
        DType::U16 => {
            c.push(I::I32Const(0xffff));
            c.push(I::I32And);
        }
        _ => {}
    }
}

/// Normalizes an argument of dtype `d` as the caller passed it: `bool` becomes 0 or 1.
pub(super) fn normalize_arg(c: &mut Code, d: DType) {
    if d == DType::Bool {
        c.push(I::I32Const(0));
        c.push(I::I32Ne);
    } else {
        normalize(c, d);
    }
}

/// Pushes a constant.
pub(super) fn constant(c: &mut Code, s: Scalar) {
    c.push(match s {
        Scalar::Bool(v) => I::I32Const(i32::from(v)),
        Scalar::I8(v) => I::I32Const(i32::from(v)),
        Scalar::I16(v) => I::I32Const(i32::from(v)),
        Scalar::I32(v) => I::I32Const(v),
        Scalar::U8(v) => I::I32Const(i32::from(v)),
        Scalar::U16(v) => I::I32Const(i32::from(v)),
        Scalar::U32(v) => I::I32Const(v as i32),
        Scalar::I64(v) => I::I64Const(v),
        Scalar::U64(v) => I::I64Const(v as i64),
        Scalar::F32(v) => I::F32Const(Ieee32::new(v.to_bits())),
        Scalar::F64(v) => I::F64Const(Ieee64::new(v.to_bits())),
    });
}

/// Pushes the zero of dtype `d`.
pub(super) fn zero(c: &mut Code, d: DType) {
    constant(c, Scalar::zero(d));
}

/// Turns a value of dtype `d` into an `i32` that is nonzero when the value is truthy
/// (nonzero; a NaN is truthy, `-0.0` is not).
pub(super) fn truth(c: &mut Code, d: DType) {
    match d {
        DType::I64 | DType::U64 => {
            c.push(I::I64Const(0));
            c.push(I::I64Ne);
        }
        DType::F32 => {
            c.push(I::F32Const(Ieee32::new(0)));
            c.push(I::F32Ne);
        }
        DType::F64 => {
            c.push(I::F64Const(Ieee64::new(0)));
            c.push(I::F64Ne);
        }
        _ => {}
    }
}

/// Widens an integer (or `bool`) of dtype `d` to the `i64` of its value (the bits, for
/// `uint64`).
pub(super) fn to_i64(c: &mut Code, d: DType) {
    match d {
        DType::I8 | DType::I16 | DType::I32 => c.push(I::I64ExtendI32S),
        DType::Bool | DType::U8 | DType::U16 | DType::U32 => c.push(I::I64ExtendI32U),
        _ => {}
    }
}

/// Which conversion from a float to an integer narrower than 64 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cast {
    /// The executor's `Cast`: truncate to int64 (saturating, NaN to 0), then wrap, as
    /// Numba's code does on x86.
    Kernel,
    /// NumPy's `astype` (`Scalar::cast`): saturate to the target's range.
    Elem,
}

/// Converts a value of dtype `from` to dtype `to`.
pub(super) fn cast(c: &mut Code, from: DType, to: DType, how: Cast) {
    if from == to {
        return;
    }
    if from.is_float() {
        let f64_ = from == DType::F64;
        match to {
            DType::Bool => {
                if f64_ {
                    c.push(I::F64Const(Ieee64::new(0)));
                    c.push(I::F64Ne);
                } else {
                    c.push(I::F32Const(Ieee32::new(0)));
                    c.push(I::F32Ne);
                }
            }
            DType::F32 => c.push(I::F32DemoteF64),
            DType::F64 => c.push(I::F64PromoteF32),
            DType::U64 => c.push(if f64_ {
                I::I64TruncSatF64U
            } else {
                I::I64TruncSatF32U
            }),
            DType::I64 => c.push(if f64_ {
                I::I64TruncSatF64S
            } else {
                I::I64TruncSatF32S
            }),
            _ => {
                c.push(if f64_ {
                    I::I64TruncSatF64S
                } else {
                    I::I64TruncSatF32S
                });
                if how == Cast::Elem {
                    let (lo, hi) = to.int_range().unwrap_or((0, 0));
                    clamp_i64(c, lo as i64, hi as i64);
                }
                c.push(I::I32WrapI64);
                normalize(c, to);
            }
        }
        return;
    }
    // From an integer or bool: its value, wrapped to the target's width, or rounded to the
    // nearest float.
    let signed = from.is_signed_int();
    match to {
        DType::Bool => {
            c.push(iconst(wide(from), 0));
            c.push(int!(wide(from), I::I64Ne, I::I32Ne));
        }
        DType::F32 | DType::F64 => {
            let f64_ = to == DType::F64;
            c.push(match (wide(from), signed, f64_) {
                (true, true, true) => I::F64ConvertI64S,
                (true, false, true) => I::F64ConvertI64U,
                (false, true, true) => I::F64ConvertI32S,
                (false, false, true) => I::F64ConvertI32U,
                (true, true, false) => I::F32ConvertI64S,
                (true, false, false) => I::F32ConvertI64U,
                (false, true, false) => I::F32ConvertI32S,
                (false, false, false) => I::F32ConvertI32U,
            });
        }
        _ if wide(to) => to_i64(c, from),
        _ => {
            if wide(from) {
                c.push(I::I32WrapI64);
            }
            normalize(c, to);
        }
    }
}

/// Clamps the `i64` on the stack to `lo..=hi`.
fn clamp_i64(c: &mut Code, lo: i64, hi: i64) {
    let t = c.temp(ValType::I64);
    c.push(I::LocalSet(t));
    c.push(I::I64Const(lo));
    c.push(I::LocalGet(t));
    c.push(I::LocalGet(t));
    c.push(I::I64Const(lo));
    c.push(I::I64LtS);
    c.push(I::Select);
    c.push(I::LocalSet(t));
    c.push(I::I64Const(hi));
    c.push(I::LocalGet(t));
    c.push(I::LocalGet(t));
    c.push(I::I64Const(hi));
    c.push(I::I64GtS);
    c.push(I::Select);
    c.release(ValType::I64, t);
}

/// Replaces the value on the stack by a constant, keeping its evaluation.
fn replace(c: &mut Code, s: Scalar) {
    c.push(I::Drop);
    constant(c, s);
}

/// A unary element operation on dtype `d` (one for which `unary_signature` computes in
/// `d`). Predicates give `bool`.
pub(super) fn unary(
    c: &mut Code,
    op: UnaryOp,
    d: DType,
    helpers: &mut Helpers,
) -> Result<(), &'static str> {
    if d.is_float() {
        return float_unary(c, op, d, helpers);
    }
    let w = wide(d);
    let one = Scalar::one(d);
    match op {
        UnaryOp::One => replace(c, one),
        UnaryOp::Zero => replace(c, Scalar::zero(d)),
        UnaryOp::IsFinite => replace(c, Scalar::Bool(true)),
        UnaryOp::Signbit if d.is_signed_int() => {
            c.push(iconst(w, 0));
            c.push(int!(w, I::I64LtS, I::I32LtS));
        }
        // No integer is NaN or infinite, and an unsigned one has no sign bit.
        UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::Signbit => replace(c, Scalar::Bool(false)),
        UnaryOp::Invert if d == DType::Bool => c.push(I::I32Eqz),
        // The rest of bool's operations give the operand (`types::elem`'s bool).
        _ if d == DType::Bool => {}
        UnaryOp::Neg => {
            let t = c.temp(val_type(d));
            c.push(I::LocalSet(t));
            c.push(iconst(w, 0));
            c.push(I::LocalGet(t));
            c.push(int!(w, I::I64Sub, I::I32Sub));
            normalize(c, d);
            c.release(val_type(d), t);
        }
        UnaryOp::Invert => {
            c.push(iconst(w, -1));
            c.push(int!(w, I::I64Xor, I::I32Xor));
            normalize(c, d);
        }
        UnaryOp::Abs if d.is_signed_int() => {
            let t = c.temp(val_type(d));
            c.push(I::LocalSet(t));
            c.push(iconst(w, 0));
            c.push(I::LocalGet(t));
            c.push(int!(w, I::I64Sub, I::I32Sub));
            c.push(I::LocalGet(t));
            c.push(I::LocalGet(t));
            c.push(iconst(w, 0));
            c.push(int!(w, I::I64LtS, I::I32LtS));
            c.push(I::Select);
            normalize(c, d);
            c.release(val_type(d), t);
        }
        UnaryOp::Sign if d.is_signed_int() => {
            // (a > 0) - (a < 0)
            let t = c.temp(val_type(d));
            c.push(I::LocalTee(t));
            c.push(iconst(w, 0));
            c.push(int!(w, I::I64GtS, I::I32GtS));
            c.push(I::LocalGet(t));
            c.push(iconst(w, 0));
            c.push(int!(w, I::I64LtS, I::I32LtS));
            c.push(I::I32Sub);
            if w {
                c.push(I::I64ExtendI32S);
            }
            c.release(val_type(d), t);
        }
        UnaryOp::Sign => {
            c.push(iconst(w, 0));
            c.push(int!(w, I::I64Ne, I::I32Ne));
            if w {
                c.push(I::I64ExtendI32U);
            }
        }
        UnaryOp::Square => {
            let t = c.temp(val_type(d));
            c.push(I::LocalTee(t));
            c.push(I::LocalGet(t));
            c.push(int!(w, I::I64Mul, I::I32Mul));
            normalize(c, d);
            c.release(val_type(d), t);
        }
        UnaryOp::Reciprocal => int_reciprocal(c, d),
        // Integers are their own floor, ceil, trunc, rint and abs (unsigned); the float
        // functions (never typed in an integer dtype) give the operand, as in elem.
        _ => {}
    }
    Ok(())
}

/// `1 / a` in C for an integer: 0 for `a == 0` (`MIN` for 32 and 64 bits, what x86
/// gives NumPy), else 1, -1 or 0 (no division is needed, and none can trap).
fn int_reciprocal(c: &mut Code, d: DType) {
    let w = wide(d);
    let t = c.temp(val_type(d));
    c.push(I::LocalSet(t));
    if d.is_signed_int() {
        let at_zero = match d {
            DType::I32 => i64::from(i32::MIN),
            DType::I64 => i64::MIN,
            _ => 0,
        };
        c.push(iconst(w, at_zero));
        c.push(iconst(w, 1));
        c.push(iconst(w, -1));
        c.push(iconst(w, 0));
        c.push(I::LocalGet(t));
        c.push(iconst(w, -1));
        c.push(int!(w, I::I64Eq, I::I32Eq));
        c.push(I::Select);
        c.push(I::LocalGet(t));
        c.push(iconst(w, 1));
        c.push(int!(w, I::I64Eq, I::I32Eq));
        c.push(I::Select);
        c.push(I::LocalGet(t));
        c.push(int!(w, I::I64Eqz, I::I32Eqz));
        c.push(I::Select);
        normalize(c, d);
    } else {
        c.push(I::LocalGet(t));
        c.push(iconst(w, 1));
        c.push(int!(w, I::I64Eq, I::I32Eq));
        if w {
            c.push(I::I64ExtendI32U);
        }
    }
    c.release(val_type(d), t);
}

/// Calls the imported vmath function that computes `op` in dtype `d` on the operands on
/// the stack; `Err` with `name` when there is none.
/// A float `x ** k` for a constant `k` (`x` and `k` on the stack): `x * x` for 2, as the
/// engine's constant-power kernel computes it, otherwise a call of that kernel.
pub(super) fn pow_const(
    c: &mut Code,
    d: DType,
    k: Option<Scalar>,
    helpers: &mut Helpers,
) -> Result<(), &'static str> {
    if k.is_some_and(|k| k.to_f64() == 2.0) {
        let t = c.temp(val_type(d));
        c.push(I::Drop);
        c.push(I::LocalTee(t));
        c.push(I::LocalGet(t));
        c.push(if d == DType::F32 {
            I::F32Mul
        } else {
            I::F64Mul
        });
        c.release(val_type(d), t);
        return Ok(());
    }
    vmath(c, VmathOp::PowConst, d, helpers, "pow")
}

pub(super) fn vmath(
    c: &mut Code,
    op: VmathOp,
    d: DType,
    helpers: &mut Helpers,
    name: &'static str,
) -> Result<(), &'static str> {
    let f = helpers.vmath(op, d).ok_or(name)?;
    c.call(f);
    Ok(())
}

fn float_unary(
    c: &mut Code,
    op: UnaryOp,
    d: DType,
    helpers: &mut Helpers,
) -> Result<(), &'static str> {
    let f64_ = d == DType::F64;
    let t = c.temp(val_type(d));
    let fconst = |v: f64| {
        if f64_ {
            I::F64Const(Ieee64::new(v.to_bits()))
        } else {
            I::F32Const(Ieee32::new((v as f32).to_bits()))
        }
    };
    match op {
        UnaryOp::Neg => c.push(float!(d, I::F64Neg, I::F32Neg)),
        UnaryOp::Abs => c.push(float!(d, I::F64Abs, I::F32Abs)),
        UnaryOp::Ceil => c.push(float!(d, I::F64Ceil, I::F32Ceil)),
        UnaryOp::Floor => c.push(float!(d, I::F64Floor, I::F32Floor)),
        UnaryOp::Trunc => c.push(float!(d, I::F64Trunc, I::F32Trunc)),
        // Half to even, as `round_ties_even`.
        UnaryOp::Rint => c.push(float!(d, I::F64Nearest, I::F32Nearest)),
        // Correctly rounded in wasm, as vmath's (the hardware instruction).
        UnaryOp::Sqrt => c.push(float!(d, I::F64Sqrt, I::F32Sqrt)),
        UnaryOp::Invert => {}
        UnaryOp::One => replace(c, Scalar::one(d)),
        UnaryOp::Zero => replace(c, Scalar::zero(d)),
        UnaryOp::Square => {
            c.push(I::LocalTee(t));
            c.push(I::LocalGet(t));
            c.push(float!(d, I::F64Mul, I::F32Mul));
        }
        UnaryOp::Reciprocal => {
            c.push(I::LocalSet(t));
            c.push(fconst(1.0));
            c.push(I::LocalGet(t));
            c.push(float!(d, I::F64Div, I::F32Div));
        }
        UnaryOp::Sign => {
            // a > 0 ? 1 : a < 0 ? -1 : a == 0 ? +0 : a (NaN)
            c.push(I::LocalSet(t));
            c.push(fconst(1.0));
            c.push(fconst(-1.0));
            c.push(fconst(0.0));
            c.push(I::LocalGet(t));
            c.push(I::LocalGet(t));
            c.push(fconst(0.0));
            c.push(float!(d, I::F64Eq, I::F32Eq));
            c.push(I::Select);
            c.push(I::LocalGet(t));
            c.push(fconst(0.0));
            c.push(float!(d, I::F64Lt, I::F32Lt));
            c.push(I::Select);
            c.push(I::LocalGet(t));
            c.push(fconst(0.0));
            c.push(float!(d, I::F64Gt, I::F32Gt));
            c.push(I::Select);
        }
        UnaryOp::IsNan => {
            c.push(I::LocalTee(t));
            c.push(I::LocalGet(t));
            c.push(float!(d, I::F64Ne, I::F32Ne));
        }
        UnaryOp::IsInf | UnaryOp::IsFinite => {
            c.push(float!(d, I::F64Abs, I::F32Abs));
            c.push(fconst(f64::INFINITY));
            c.push(if op == UnaryOp::IsInf {
                float!(d, I::F64Eq, I::F32Eq)
            } else {
                float!(d, I::F64Lt, I::F32Lt)
            });
        }
        UnaryOp::Signbit => {
            if f64_ {
                c.push(I::I64ReinterpretF64);
                c.push(I::I64Const(0));
                c.push(I::I64LtS);
            } else {
                c.push(I::I32ReinterpretF32);
                c.push(I::I32Const(0));
                c.push(I::I32LtS);
            }
        }
        // The transcendentals.
        _ => {
            c.release(val_type(d), t);
            return vmath(c, VmathOp::Unary(op), d, helpers, op.name());
        }
    }
    c.release(val_type(d), t);
    Ok(())
}

/// A binary element operation on two operands of dtype `d` (one for which
/// `binary_signature` computes in `d`). Comparisons give `bool`.
pub(super) fn binary(
    c: &mut Code,
    op: BinaryOp,
    d: DType,
    helpers: &mut Helpers,
) -> Result<(), &'static str> {
    if op.is_comparison() {
        compare(c, op, d);
        return Ok(());
    }
    if d.is_float() {
        return float_binary(c, op, d, helpers);
    }
    if d == DType::Bool {
        bool_binary(c, op);
        return Ok(());
    }
    let w = wide(d);
    let signed = d.is_signed_int();
    match op {
        BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul => {
            c.push(match op {
                BinaryOp::Add => int!(w, I::I64Add, I::I32Add),
                BinaryOp::Sub => int!(w, I::I64Sub, I::I32Sub),
                _ => int!(w, I::I64Mul, I::I32Mul),
            });
            normalize(c, d);
        }
        BinaryOp::And => c.push(int!(w, I::I64And, I::I32And)),
        BinaryOp::Or => c.push(int!(w, I::I64Or, I::I32Or)),
        BinaryOp::Xor => c.push(int!(w, I::I64Xor, I::I32Xor)),
        BinaryOp::TrueDiv | BinaryOp::FloorDiv | BinaryOp::Mod | BinaryOp::Fmod => {
            int_division(c, op, d);
        }
        BinaryOp::Pow => int_pow(c, d, helpers),
        BinaryOp::Shl | BinaryOp::Shr => shift(c, op, d),
        BinaryOp::Maximum | BinaryOp::Fmax | BinaryOp::Minimum | BinaryOp::Fmin => {
            let max = matches!(op, BinaryOp::Maximum | BinaryOp::Fmax);
            let (a, b) = spill2(c, val_type(d));
            c.push(I::LocalGet(a));
            c.push(I::LocalGet(b));
            c.push(I::LocalGet(a));
            c.push(I::LocalGet(b));
            c.push(match (max, signed) {
                (true, true) => int!(w, I::I64GtS, I::I32GtS),
                (true, false) => int!(w, I::I64GtU, I::I32GtU),
                (false, true) => int!(w, I::I64LtS, I::I32LtS),
                (false, false) => int!(w, I::I64LtU, I::I32LtU),
            });
            c.push(I::Select);
            release2(c, val_type(d), a, b);
        }
        // The float functions give their first operand on integers, as in elem (their
        // signatures never compute in an integer dtype).
        _ => c.push(I::Drop),
    }
    Ok(())
}

/// Moves the two operands on the stack into temporaries: `(a, b)`.
fn spill2(c: &mut Code, t: ValType) -> (u32, u32) {
    let b = c.temp(t);
    c.push(I::LocalSet(b));
    let a = c.temp(t);
    c.push(I::LocalSet(a));
    (a, b)
}

fn release2(c: &mut Code, t: ValType, a: u32, b: u32) {
    c.release(t, a);
    c.release(t, b);
}

/// A comparison of two values of dtype `d`, giving an `i32` 0 or 1.
pub(super) fn compare(c: &mut Code, op: BinaryOp, d: DType) {
    use BinaryOp as B;
    let i = match d {
        DType::F64 => match op {
            B::Lt => I::F64Lt,
            B::Le => I::F64Le,
            B::Eq => I::F64Eq,
            B::Ne => I::F64Ne,
            B::Ge => I::F64Ge,
            _ => I::F64Gt,
        },
        DType::F32 => match op {
            B::Lt => I::F32Lt,
            B::Le => I::F32Le,
            B::Eq => I::F32Eq,
            B::Ne => I::F32Ne,
            B::Ge => I::F32Ge,
            _ => I::F32Gt,
        },
        _ => {
            let w = wide(d);
            let s = d.is_signed_int();
            match (op, s) {
                (B::Lt, true) => int!(w, I::I64LtS, I::I32LtS),
                (B::Lt, false) => int!(w, I::I64LtU, I::I32LtU),
                (B::Le, true) => int!(w, I::I64LeS, I::I32LeS),
                (B::Le, false) => int!(w, I::I64LeU, I::I32LeU),
                (B::Eq, _) => int!(w, I::I64Eq, I::I32Eq),
                (B::Ne, _) => int!(w, I::I64Ne, I::I32Ne),
                (B::Ge, true) => int!(w, I::I64GeS, I::I32GeS),
                (B::Ge, false) => int!(w, I::I64GeU, I::I32GeU),
                (_, true) => int!(w, I::I64GtS, I::I32GtS),
                (_, false) => int!(w, I::I64GtU, I::I32GtU),
            }
        }
    };
    c.push(i);
}

/// Turns an integer of dtype `d` into the `i32` 1 if it is even, else 0.
pub(super) fn is_even(c: &mut Code, d: DType) {
    let w = wide(d);
    c.push(iconst(w, 1));
    c.push(int!(w, I::I64And, I::I32And));
    c.push(int!(w, I::I64Eqz, I::I32Eqz));
}

/// `bool`'s operations in elem: `+` is or, `*` and, `-` xor; division, shifts and the
/// float functions give the first operand, `%` false and `**` true.
fn bool_binary(c: &mut Code, op: BinaryOp) {
    use BinaryOp as B;
    match op {
        B::Add | B::Or | B::Maximum | B::Fmax => c.push(I::I32Or),
        B::Mul | B::And | B::Minimum | B::Fmin => c.push(I::I32And),
        B::Sub | B::Xor => c.push(I::I32Xor),
        B::Mod | B::Pow => {
            c.push(I::Drop);
            replace(c, Scalar::Bool(op == B::Pow));
        }
        _ => c.push(I::Drop),
    }
}

fn float_binary(
    c: &mut Code,
    op: BinaryOp,
    d: DType,
    helpers: &mut Helpers,
) -> Result<(), &'static str> {
    use BinaryOp as B;
    match op {
        B::Add => c.push(float!(d, I::F64Add, I::F32Add)),
        B::Sub => c.push(float!(d, I::F64Sub, I::F32Sub)),
        B::Mul => c.push(float!(d, I::F64Mul, I::F32Mul)),
        B::TrueDiv => c.push(float!(d, I::F64Div, I::F32Div)),
        B::Copysign => c.push(float!(d, I::F64Copysign, I::F32Copysign)),
        B::Maximum | B::Minimum | B::Fmax | B::Fmin => {
            // maximum: a if a is NaN or a > b, else b (a NaN b gives b, and of equal
            // operands, zeros of both signs included, the second); fmax: a if b is NaN or
            // a >= b, else b (of equal operands the first), as elem computes them.
            let t = val_type(d);
            let (a, b) = spill2(c, t);
            let ignore_nan = matches!(op, B::Fmax | B::Fmin);
            let nan_of = if ignore_nan { b } else { a };
            c.push(I::LocalGet(a));
            c.push(I::LocalGet(b));
            c.push(I::LocalGet(nan_of));
            c.push(I::LocalGet(nan_of));
            c.push(float!(d, I::F64Ne, I::F32Ne));
            c.push(I::LocalGet(a));
            c.push(I::LocalGet(b));
            c.push(match (op, d == DType::F64) {
                (B::Maximum, true) => I::F64Gt,
                (B::Maximum, false) => I::F32Gt,
                (B::Minimum, true) => I::F64Lt,
                (B::Minimum, false) => I::F32Lt,
                (B::Fmax, true) => I::F64Ge,
                (B::Fmax, false) => I::F32Ge,
                (_, true) => I::F64Le,
                (_, false) => I::F32Le,
            });
            c.push(I::I32Or);
            c.push(I::Select);
            release2(c, t, a, b);
        }
        // Bit operations give the first operand on floats, as in elem (never typed so).
        B::Shl | B::Shr | B::And | B::Or | B::Xor => c.push(I::Drop),
        // `//`, `%`, `**`, `fmod`, `arctan2`, `hypot`, `nextafter`.
        _ => return vmath(c, VmathOp::Binary(op), d, helpers, op.name()),
    }
    Ok(())
}

/// Integer `/` (elem's: truncating), `//`, `%` (flooring) and `fmod` (truncating), each
/// giving 0 for a zero divisor. `MIN / -1` is computed as a wrapping negation, so no
/// instruction can trap.
fn int_division(c: &mut Code, op: BinaryOp, d: DType) {
    let w = wide(d);
    let t = val_type(d);
    let signed = d.is_signed_int();
    let (a, b) = spill2(c, t);
    c.push(I::LocalGet(b));
    c.push(int!(w, I::I64Eqz, I::I32Eqz));
    c.if_(BlockType::Result(t));
    c.push(iconst(w, 0));
    c.else_();
    match op {
        BinaryOp::TrueDiv | BinaryOp::FloorDiv => {
            quotient(c, d, a, b);
            if op == BinaryOp::FloorDiv && signed {
                // One less where the remainder is nonzero and the signs differ.
                c.push(I::LocalGet(a));
                c.push(I::LocalGet(b));
                c.push(int!(w, I::I64RemS, I::I32RemS));
                c.push(iconst(w, 0));
                c.push(int!(w, I::I64Ne, I::I32Ne));
                sign_differs(c, w, a, b);
                c.push(I::I32And);
                if w {
                    c.push(I::I64ExtendI32U);
                }
                c.push(int!(w, I::I64Sub, I::I32Sub));
            }
        }
        BinaryOp::Mod if signed => {
            // r + b where r is nonzero and its sign differs from b's, else r.
            let r = c.temp(t);
            c.push(I::LocalGet(a));
            c.push(I::LocalGet(b));
            c.push(int!(w, I::I64RemS, I::I32RemS));
            c.push(I::LocalTee(r));
            c.push(I::LocalGet(b));
            c.push(int!(w, I::I64Add, I::I32Add));
            c.push(I::LocalGet(r));
            c.push(I::LocalGet(r));
            c.push(iconst(w, 0));
            c.push(int!(w, I::I64Ne, I::I32Ne));
            sign_differs(c, w, r, b);
            c.push(I::I32And);
            c.push(I::Select);
            c.release(t, r);
        }
        _ => {
            c.push(I::LocalGet(a));
            c.push(I::LocalGet(b));
            c.push(if signed {
                int!(w, I::I64RemS, I::I32RemS)
            } else {
                int!(w, I::I64RemU, I::I32RemU)
            });
        }
    }
    c.end();
    normalize(c, d);
    release2(c, t, a, b);
}

/// The truncated quotient `a / b` (`b` nonzero), with `MIN / -1` wrapping to `MIN`.
fn quotient(c: &mut Code, d: DType, a: u32, b: u32) {
    let w = wide(d);
    if !d.is_signed_int() {
        c.push(I::LocalGet(a));
        c.push(I::LocalGet(b));
        c.push(int!(w, I::I64DivU, I::I32DivU));
        return;
    }
    if matches!(d, DType::I32 | DType::I64) {
        c.push(I::LocalGet(b));
        c.push(iconst(w, -1));
        c.push(int!(w, I::I64Eq, I::I32Eq));
        c.if_(BlockType::Result(val_type(d)));
        c.push(iconst(w, 0));
        c.push(I::LocalGet(a));
        c.push(int!(w, I::I64Sub, I::I32Sub));
        c.else_();
        c.push(I::LocalGet(a));
        c.push(I::LocalGet(b));
        c.push(int!(w, I::I64DivS, I::I32DivS));
        c.end();
    } else {
        // Narrow values are sign-extended in an i32: their quotient cannot overflow it.
        c.push(I::LocalGet(a));
        c.push(I::LocalGet(b));
        c.push(I::I32DivS);
    }
}

/// Pushes `(x < 0) != (y < 0)` as an `i32`.
fn sign_differs(c: &mut Code, w: bool, x: u32, y: u32) {
    c.push(I::LocalGet(x));
    c.push(iconst(w, 0));
    c.push(int!(w, I::I64LtS, I::I32LtS));
    c.push(I::LocalGet(y));
    c.push(iconst(w, 0));
    c.push(int!(w, I::I64LtS, I::I32LtS));
    c.push(I::I32Ne);
}

/// Integer `**`: 0 for a negative exponent, else square and multiply, wrapping.
fn int_pow(c: &mut Code, d: DType, helpers: &mut Helpers) {
    let w = wide(d);
    let t = val_type(d);
    let f = helpers.pow(w);
    if d.is_signed_int() {
        let (a, b) = spill2(c, t);
        c.push(I::LocalGet(b));
        c.push(iconst(w, 0));
        c.push(int!(w, I::I64LtS, I::I32LtS));
        c.if_(BlockType::Result(t));
        c.push(iconst(w, 0));
        c.else_();
        c.push(I::LocalGet(a));
        c.push(I::LocalGet(b));
        c.call(f);
        c.end();
        release2(c, t, a, b);
    } else {
        c.call(f);
    }
    normalize(c, d);
}

/// `<<` and `>>`: in range (`0 <= b < bits` of the dtype) the shift, else 0 (and -1 for
/// `>>` of a negative value).
fn shift(c: &mut Code, op: BinaryOp, d: DType) {
    let w = wide(d);
    let t = val_type(d);
    let signed = d.is_signed_int();
    let bits = (d.size() * 8) as i64;
    let (a, b) = spill2(c, t);
    c.push(I::LocalGet(a));
    c.push(I::LocalGet(b));
    if op == BinaryOp::Shl {
        c.push(int!(w, I::I64Shl, I::I32Shl));
        c.push(iconst(w, 0));
    } else {
        c.push(if signed {
            int!(w, I::I64ShrS, I::I32ShrS)
        } else {
            int!(w, I::I64ShrU, I::I32ShrU)
        });
        if signed {
            c.push(I::LocalGet(a));
            c.push(iconst(w, if w { 63 } else { 31 }));
            c.push(int!(w, I::I64ShrS, I::I32ShrS));
        } else {
            c.push(iconst(w, 0));
        }
    }
    c.push(I::LocalGet(b));
    c.push(iconst(w, bits));
    c.push(int!(w, I::I64LtU, I::I32LtU));
    c.push(I::Select);
    normalize(c, d);
    release2(c, t, a, b);
}
