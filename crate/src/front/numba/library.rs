//! The library kernels may call: Python builtins, `math`, `numpy` (functions, ufuncs,
//! constructors, reductions) and array methods and attributes, each typed as Numba types
//! it and lowered to kernel IR (scalar operations, or intrinsics with NumPy's semantics).

use super::error::{KernelError, KernelErrorKind, Result};
use super::lower::{Val, Walk, describe, elem_dtype};
use super::{Lib, dtype_named, rules};
use crate::kir::{ArrayTy, Expr, ExprId, Intrinsic, Layout, Ty};
use crate::syntax::{BinOp, Span};
use crate::types::{BinaryOp, DType, ReduceOp, Scalar, UnaryOp, float_of};

/// The builtins kernels may call.
pub(super) const BUILTINS: &[&str] = &[
    "range",
    "len",
    "abs",
    "min",
    "max",
    "round",
    "int",
    "float",
    "bool",
    "sum",
    "enumerate",
    "zip",
];

pub(super) fn is_builtin(n: &str) -> bool {
    BUILTINS.contains(&n)
}

/// A library constant: `math.pi`, `np.inf`, ...
pub(super) fn constant(lib: Lib, name: &str) -> Option<Scalar> {
    match (lib, name) {
        (Lib::Math | Lib::Numpy, "pi") => Some(Scalar::F64(std::f64::consts::PI)),
        (Lib::Math | Lib::Numpy, "e") => Some(Scalar::F64(std::f64::consts::E)),
        (Lib::Math | Lib::Numpy, "inf") => Some(Scalar::F64(f64::INFINITY)),
        (Lib::Math | Lib::Numpy, "nan") => Some(Scalar::F64(f64::NAN)),
        (Lib::Math, "tau") => Some(Scalar::F64(std::f64::consts::TAU)),
        _ => None,
    }
}

/// Folds a binary operator on two module-level constants (Numba freezes globals), with the
/// scalar typing of kernels; None where that would raise.
pub(super) fn fold_binary(op: BinOp, a: Scalar, b: Scalar) -> Option<Scalar> {
    let bop = match op {
        BinOp::Add => BinaryOp::Add,
        BinOp::Sub => BinaryOp::Sub,
        BinOp::Mul => BinaryOp::Mul,
        BinOp::Div => BinaryOp::TrueDiv,
        BinOp::FloorDiv => BinaryOp::FloorDiv,
        BinOp::Mod => BinaryOp::Mod,
        BinOp::Pow => BinaryOp::Pow,
        _ => return None,
    };
    let (t, _) = rules::binary(bop, a.dtype(), b.dtype()).ok()?;
    let (x, y) = (a.cast(t), b.cast(t));
    if matches!(bop, BinaryOp::TrueDiv | BinaryOp::FloorDiv | BinaryOp::Mod) && y.to_f64() == 0.0 {
        return None;
    }
    if bop == BinaryOp::TrueDiv && t.is_int() {
        return Some(Scalar::F64(x.to_f64() / y.to_f64()));
    }
    if bop == BinaryOp::Pow && t.is_int() && y.to_i128() < 0 {
        return None;
    }
    Some(crate::ir::fold_binary(bop, x, y))
}

/// The float math functions of `math` and the unary ufuncs of `numpy`, by name.
fn unary_op(lib: Lib, name: &str) -> Option<UnaryOp> {
    Some(match (lib, name) {
        (_, "sqrt") => UnaryOp::Sqrt,
        (_, "exp") => UnaryOp::Exp,
        (_, "expm1") => UnaryOp::Expm1,
        (_, "log") => UnaryOp::Log,
        (_, "log10") => UnaryOp::Log10,
        (_, "log2") => UnaryOp::Log2,
        (_, "log1p") => UnaryOp::Log1p,
        (_, "sin") => UnaryOp::Sin,
        (_, "cos") => UnaryOp::Cos,
        (_, "tan") => UnaryOp::Tan,
        (Lib::Math, "asin") | (Lib::Numpy, "arcsin") => UnaryOp::Arcsin,
        (Lib::Math, "acos") | (Lib::Numpy, "arccos") => UnaryOp::Arccos,
        (Lib::Math, "atan") | (Lib::Numpy, "arctan") => UnaryOp::Arctan,
        (_, "sinh") => UnaryOp::Sinh,
        (_, "cosh") => UnaryOp::Cosh,
        (_, "tanh") => UnaryOp::Tanh,
        (Lib::Math, "asinh") | (Lib::Numpy, "arcsinh") => UnaryOp::Arcsinh,
        (Lib::Math, "acosh") | (Lib::Numpy, "arccosh") => UnaryOp::Arccosh,
        (Lib::Math, "atanh") | (Lib::Numpy, "arctanh") => UnaryOp::Arctanh,
        (Lib::Math, "fabs") => UnaryOp::Abs,
        (Lib::Numpy, "exp2") => UnaryOp::Exp2,
        (Lib::Numpy, "cbrt") => UnaryOp::Cbrt,
        _ => return None,
    })
}

/// NumPy ufuncs that keep integer dtypes (or give bool).
fn numpy_unary_keep(name: &str) -> Option<UnaryOp> {
    Some(match name {
        "abs" | "absolute" => UnaryOp::Abs,
        "negative" => UnaryOp::Neg,
        "square" => UnaryOp::Square,
        "sign" => UnaryOp::Sign,
        "floor" => UnaryOp::Floor,
        "ceil" => UnaryOp::Ceil,
        "trunc" => UnaryOp::Trunc,
        "rint" | "round" | "around" => UnaryOp::Rint,
        "isnan" => UnaryOp::IsNan,
        "isinf" => UnaryOp::IsInf,
        "isfinite" => UnaryOp::IsFinite,
        "signbit" => UnaryOp::Signbit,
        "reciprocal" => UnaryOp::Reciprocal,
        _ => return None,
    })
}

fn is_predicate(op: UnaryOp) -> bool {
    matches!(
        op,
        UnaryOp::IsNan | UnaryOp::IsInf | UnaryOp::IsFinite | UnaryOp::Signbit
    )
}

/// NumPy's binary ufuncs and `math`'s binary functions.
fn binary_op(lib: Lib, name: &str) -> Option<BinaryOp> {
    Some(match (lib, name) {
        (Lib::Numpy, "add") => BinaryOp::Add,
        (Lib::Numpy, "subtract") => BinaryOp::Sub,
        (Lib::Numpy, "multiply") => BinaryOp::Mul,
        (Lib::Numpy, "divide" | "true_divide") => BinaryOp::TrueDiv,
        (Lib::Numpy, "floor_divide") => BinaryOp::FloorDiv,
        (Lib::Numpy, "mod" | "remainder") => BinaryOp::Mod,
        (Lib::Numpy, "power") | (Lib::Math, "pow") => BinaryOp::Pow,
        (Lib::Numpy, "maximum") => BinaryOp::Maximum,
        (Lib::Numpy, "minimum") => BinaryOp::Minimum,
        (Lib::Numpy, "fmax") => BinaryOp::Fmax,
        (Lib::Numpy, "fmin") => BinaryOp::Fmin,
        (Lib::Numpy, "arctan2") | (Lib::Math, "atan2") => BinaryOp::Arctan2,
        (_, "hypot") => BinaryOp::Hypot,
        (_, "copysign") => BinaryOp::Copysign,
        (_, "fmod") => BinaryOp::Fmod,
        (Lib::Numpy, "nextafter") | (Lib::Math, "nextafter") => BinaryOp::Nextafter,
        (Lib::Numpy, "greater") => BinaryOp::Gt,
        (Lib::Numpy, "greater_equal") => BinaryOp::Ge,
        (Lib::Numpy, "less") => BinaryOp::Lt,
        (Lib::Numpy, "less_equal") => BinaryOp::Le,
        (Lib::Numpy, "equal") => BinaryOp::Eq,
        (Lib::Numpy, "not_equal") => BinaryOp::Ne,
        (Lib::Numpy, "bitwise_and" | "logical_and") => BinaryOp::And,
        (Lib::Numpy, "bitwise_or" | "logical_or") => BinaryOp::Or,
        (Lib::Numpy, "bitwise_xor" | "logical_xor") => BinaryOp::Xor,
        _ => return None,
    })
}

fn arg_count(name: &str, args: &[(Val, Span)], min: usize, max: usize, span: Span) -> Result<()> {
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(KernelError::new(
            KernelErrorKind::Type,
            format!(
                "{name}() takes {want} positional argument(s) but {} were given",
                args.len()
            ),
            span,
        ));
    }
    Ok(())
}

fn no_kwargs(name: &str, kwargs: &[(String, Span, Val)]) -> Result<()> {
    if let Some((k, s, _)) = kwargs.first() {
        return Err(KernelError::new(
            KernelErrorKind::Type,
            format!("{name}() got an unexpected keyword argument '{k}'"),
            *s,
        ));
    }
    Ok(())
}

/// Takes the keyword `key` out of `kwargs`.
fn take_kw(kwargs: &mut Vec<(String, Span, Val)>, key: &str) -> Option<(Val, Span)> {
    let i = kwargs.iter().position(|(k, _, _)| k == key)?;
    let (_, s, v) = kwargs.remove(i);
    Some((v, s))
}

fn scalar_ty(d: DType) -> Ty {
    Ty::Scalar(d)
}

fn array_ty(d: DType, ndim: u8) -> Ty {
    Ty::Array(ArrayTy {
        dtype: d,
        ndim,
        layout: Layout::C,
    })
}

impl Walk<'_, '_> {
    fn vals(&mut self, args: Vec<(Val, Span)>) -> Result<Vec<ExprId>> {
        args.into_iter().map(|(v, s)| self.to_value(v, s)).collect()
    }

    fn intrinsic(&mut self, op: Intrinsic, args: Vec<ExprId>, ty: Ty, span: Span) -> ExprId {
        self.f.expr(Expr::Intrinsic(op, args), ty, span)
    }

    /// A dtype given as `np.float32`, `numba.int64`, `float`, a string `'float32'`, or
    /// `a.dtype`.
    fn dtype_arg(&mut self, v: &Val, span: Span) -> Result<DType> {
        let d = match v {
            Val::Lib(lib, name) => dtype_named(*lib, name),
            Val::Str(s) => DType::from_name(s),
            _ => None,
        };
        d.ok_or_else(|| KernelError::typing(format!("{} is not a dtype", describe(v)), span))
    }

    /// A shape argument: an int or a tuple of ints, as int64 extents.
    fn shape_arg(&mut self, v: Val, span: Span) -> Result<Vec<ExprId>> {
        let e = self.to_value(v, span)?;
        match self.ty(e).clone() {
            Ty::Scalar(d) if d.is_int() => Ok(vec![self.cast(e, DType::I64)]),
            Ty::Tuple(items)
                if items
                    .iter()
                    .all(|t| matches!(t, Ty::Scalar(d) if d.is_int())) =>
            {
                let t = self.temp(e);
                Ok((0..items.len())
                    .map(|i| {
                        let x = self.tuple_item(t, i);
                        self.cast(x, DType::I64)
                    })
                    .collect())
            }
            t => Err(KernelError::typing(
                format!("a shape is an int or a tuple of ints, not {t}"),
                span,
            )),
        }
    }

    /// A float math function on a scalar or an array (ints give float64, float32 stays).
    fn float_unary(&mut self, op: UnaryOp, x: ExprId, span: Span) -> Result<ExprId> {
        match self.ty(x).clone() {
            Ty::Scalar(d) => {
                let t = if d == DType::F32 {
                    DType::F32
                } else {
                    DType::F64
                };
                let x = self.cast(x, t);
                Ok(self.f.expr(Expr::Unary(op, x), scalar_ty(t), span))
            }
            Ty::Array(a) => {
                let t = float_of(a.dtype);
                let x = self.operand_as(x, t, span);
                Ok(self.map1(op, x, t, span))
            }
            t => Err(KernelError::typing(
                format!("No implementation of {} for {t}", op.name()),
                span,
            )),
        }
    }

    /// A dtype-keeping ufunc (abs, floor, sign, isnan...) on a scalar or an array.
    fn keep_unary(&mut self, op: UnaryOp, x: ExprId, span: Span, math_int: bool) -> Result<ExprId> {
        let out = |d: DType| if is_predicate(op) { DType::Bool } else { d };
        match self.ty(x).clone() {
            Ty::Scalar(d) => {
                let e = self.f.expr(Expr::Unary(op, x), scalar_ty(out(d)), span);
                if math_int && d.is_float() {
                    // math.floor/ceil/trunc give int64.
                    return Ok(self.cast(e, DType::I64));
                }
                Ok(e)
            }
            Ty::Array(a) => Ok(self.map1(op, x, out(a.dtype), span)),
            t => Err(KernelError::typing(
                format!("No implementation of {} for {t}", op.name()),
                span,
            )),
        }
    }

    /// A binary ufunc or math function of two scalars/arrays.
    fn ufunc2(
        &mut self,
        op: BinaryOp,
        x: ExprId,
        y: ExprId,
        float_fn: bool,
        span: Span,
    ) -> Result<ExprId> {
        let (tx, ty) = (self.ty(x).clone(), self.ty(y).clone());
        if matches!(tx, Ty::Array(_)) || matches!(ty, Ty::Array(_)) {
            let (x, y) = if float_fn {
                let fx = float_of(elem_dtype(&tx).unwrap_or(DType::F64));
                let fy = float_of(elem_dtype(&ty).unwrap_or(DType::F64));
                let (x, y) = (self.operand_as(x, fx, span), self.operand_as(y, fy, span));
                (x, y)
            } else {
                (x, y)
            };
            return self.array_binary(op, x, y, span).map_err(|()| {
                KernelError::typing(
                    format!("No implementation of {} for ({tx}, {ty})", op.name()),
                    span,
                )
            });
        }
        let (Ty::Scalar(a), Ty::Scalar(b)) = (&tx, &ty) else {
            return Err(KernelError::typing(
                format!("No implementation of {} for ({tx}, {ty})", op.name()),
                span,
            ));
        };
        let t = if float_fn {
            let t = crate::types::promote(*a, *b);
            if t == DType::F32 {
                DType::F32
            } else {
                DType::F64
            }
        } else {
            rules::binary(BinaryOp::Add, *a, *b)
                .map(|(t, _)| t)
                .unwrap_or(DType::F64)
        };
        let (x, y) = (self.cast(x, t), self.cast(y, t));
        let res = if op.is_comparison() { DType::Bool } else { t };
        Ok(self.f.expr(Expr::Binary(op, x, y), scalar_ty(res), span))
    }

    /// A reduction of an array to a scalar, or along an axis to an array.
    fn reduce(
        &mut self,
        op: ReduceOp,
        a: ExprId,
        axis: Option<(Val, Span)>,
        span: Span,
        name: &str,
    ) -> Result<ExprId> {
        let at = match self.ty(a).clone() {
            Ty::Array(at) => at,
            Ty::List(d) => {
                // sum(list): a 1-d array of it first.
                let arr = self.intrinsic(Intrinsic::FromList, vec![a], array_ty(d, 1), span);
                return self.reduce(op, arr, axis, span, name);
            }
            Ty::Scalar(d) => {
                return Ok(match op {
                    ReduceOp::Sum | ReduceOp::Prod => {
                        let t = sum_dtype(d);
                        self.cast(a, t)
                    }
                    _ => a,
                });
            }
            t => {
                return Err(KernelError::typing(
                    format!("No implementation of {name} for {t}"),
                    span,
                ));
            }
        };
        let out = match op {
            ReduceOp::Sum | ReduceOp::Prod => sum_dtype(at.dtype),
            ReduceOp::Any | ReduceOp::All => DType::Bool,
            _ => at.dtype,
        };
        match axis {
            None => Ok(self.intrinsic(Intrinsic::Reduce(op), vec![a], scalar_ty(out), span)),
            Some((v, vspan)) => {
                let ax = self.to_value(v, vspan)?;
                let Expr::Const(c) = *self.f.get(ax) else {
                    return Err(KernelError::typing(
                        "axis must be a constant integer in kernels",
                        vspan,
                    ));
                };
                let mut k = c.to_i128();
                if k < 0 {
                    k += i128::from(at.ndim);
                }
                if !(0..i128::from(at.ndim)).contains(&k) {
                    return Err(KernelError::new(
                        KernelErrorKind::Value,
                        format!(
                            "axis {} is out of bounds for array of dimension {}",
                            c.to_i128(),
                            at.ndim
                        ),
                        vspan,
                    ));
                }
                let kx = self.constant(Scalar::I64(k as i64), vspan);
                Ok(self.intrinsic(
                    Intrinsic::ReduceAxis(op),
                    vec![a, kx],
                    array_ty(out, at.ndim - 1),
                    span,
                ))
            }
        }
    }

    fn mean(&mut self, a: ExprId, span: Span) -> Result<ExprId> {
        let Ty::Array(at) = self.ty(a).clone() else {
            return Err(KernelError::typing("mean() of a non-array", span));
        };
        let out = if at.dtype == DType::F32 {
            DType::F32
        } else {
            DType::F64
        };
        Ok(self.intrinsic(Intrinsic::Mean, vec![a], scalar_ty(out), span))
    }

    /// `np.array(x)`: from a list, nested lists (rows), a tuple of scalars, or an array.
    fn np_array(
        &mut self,
        v: Val,
        vspan: Span,
        dtype: Option<DType>,
        span: Span,
    ) -> Result<ExprId> {
        let e = self.to_value(v, vspan)?;
        let arr = match self.ty(e).clone() {
            Ty::Array(a) => {
                self.intrinsic(Intrinsic::Copy, vec![e], array_ty(a.dtype, a.ndim), span)
            }
            Ty::List(d) => self.intrinsic(Intrinsic::FromList, vec![e], array_ty(d, 1), span),
            Ty::Tuple(items) if items.iter().all(|t| matches!(t, Ty::Scalar(_))) => {
                let d = items
                    .iter()
                    .filter_map(Ty::scalar)
                    .reduce(|a, b| rules::unify_scalars(a, b).unwrap_or(DType::F64))
                    .unwrap_or(DType::F64);
                let t = self.temp(e);
                let mut casted = Vec::new();
                for i in 0..items.len() {
                    let x = self.tuple_item(t, i);
                    casted.push(self.cast(x, d));
                }
                let tys = vec![Ty::Scalar(d); casted.len()];
                let tup = self.f.expr(Expr::Tuple(casted), Ty::Tuple(tys), span);
                self.intrinsic(Intrinsic::FromList, vec![tup], array_ty(d, 1), span)
            }
            t => {
                return Err(KernelError::typing(
                    format!("np.array() of {t} is not supported in kernels"),
                    span,
                ));
            }
        };
        Ok(match dtype {
            Some(d) => self.operand_as(arr, d, span),
            None => arr,
        })
    }

    /// `np.array([[...], [...]])`: rows given as list displays or comprehensions.
    pub(super) fn np_array_rows(&mut self, rows: Vec<ExprId>, span: Span) -> Result<ExprId> {
        let mut d: Option<DType> = None;
        let mut ndim = 0u8;
        for &r in &rows {
            let (rd, rn) = match self.ty(r).clone() {
                Ty::List(rd) => (rd, 1),
                Ty::Array(a) => (a.dtype, a.ndim),
                t => {
                    return Err(KernelError::typing(
                        format!("np.array() rows must be lists or arrays, not {t}"),
                        span,
                    ));
                }
            };
            ndim = rn;
            d = Some(match d {
                None => rd,
                Some(p) => rules::unify_scalars(p, rd).unwrap_or(DType::F64),
            });
        }
        let d = d.unwrap_or(DType::F64);
        let rows: Vec<ExprId> = rows
            .into_iter()
            .map(|r| match self.ty(r).clone() {
                Ty::List(rd) => {
                    let a = self.intrinsic(Intrinsic::FromList, vec![r], array_ty(rd, 1), span);
                    self.operand_as(a, d, span)
                }
                _ => self.operand_as(r, d, span),
            })
            .collect();
        Ok(self.intrinsic(Intrinsic::Stack, rows, array_ty(d, ndim + 1), span))
    }
}

/// The dtype `sum`/`prod` accumulate in: Numba's int64/uint64 for integers and bool.
fn sum_dtype(d: DType) -> DType {
    match d {
        DType::Bool | DType::I8 | DType::I16 | DType::I32 | DType::I64 => DType::I64,
        DType::U8 | DType::U16 | DType::U32 | DType::U64 => DType::U64,
        f => f,
    }
}

/// A call of a library function or builtin.
#[allow(clippy::too_many_lines)]
pub(super) fn call(
    w: &mut Walk<'_, '_>,
    lib: Option<Lib>,
    name: &str,
    args: Vec<(Val, Span)>,
    mut kwargs: Vec<(String, Span, Val)>,
    span: Span,
) -> Result<Val> {
    // Casts: np.float32(x), numba.int64(x), float(x), int(x).
    if let Some(d) = dtype_named(lib, name) {
        no_kwargs(name, &kwargs)?;
        arg_count(name, &args, 1, 1, span)?;
        let x = w.vals(args)?[0];
        return Ok(Val::E(match w.ty(x).clone() {
            Ty::Scalar(_) if lib.is_none() && name == "bool" => w.truth(x)?,
            Ty::Scalar(_) => w.cast(x, d),
            Ty::Array(_) if lib.is_some() => w.operand_as(x, d, span),
            t => {
                return Err(KernelError::typing(
                    format!("No implementation of {name}() for {t}"),
                    span,
                ));
            }
        }));
    }
    match (lib, name) {
        (None, "range") | (Some(Lib::Numba), "prange") => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 3, span)?;
            let xs = w.vals(args)?;
            let mut ints = Vec::new();
            for x in xs {
                match w.ty(x).clone() {
                    Ty::Scalar(d) if d.is_int() || d == DType::Bool => {
                        ints.push(w.cast(x, DType::I64))
                    }
                    t => {
                        return Err(KernelError::typing(
                            format!("range() arguments must be integers, not {t}"),
                            w.span(x),
                        ));
                    }
                }
            }
            let zero = w.constant(Scalar::I64(0), span);
            let one = w.constant(Scalar::I64(1), span);
            let (start, stop, step) = match ints.len() {
                1 => (zero, ints[0], one),
                2 => (ints[0], ints[1], one),
                _ => (ints[0], ints[1], ints[2]),
            };
            let parallel = name == "prange" && w.parallel();
            return Ok(Val::Range(start, stop, step, parallel));
        }
        (None, "enumerate") => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            let x = w.vals(args)?[0];
            return Ok(Val::Enumerate(x));
        }
        (None, "zip") => {
            no_kwargs(name, &kwargs)?;
            return Ok(Val::Zip(w.vals(args)?));
        }
        (None, "len") => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            if let Some((Val::Range(start, stop, step, _), _)) = args.first() {
                return Ok(Val::E(w.range_len(*start, *stop, *step, span)));
            }
            let x = w.vals(args)?[0];
            return Ok(Val::E(w.length(x, span)?));
        }
        (None, "abs") => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            let x = w.vals(args)?[0];
            return Ok(Val::E(w.keep_unary(UnaryOp::Abs, x, span, false)?));
        }
        (None, "min" | "max") => {
            no_kwargs(name, &kwargs)?;
            let xs = w.vals(args)?;
            let op = if name == "min" {
                BinaryOp::Minimum
            } else {
                BinaryOp::Maximum
            };
            if xs.len() == 1 {
                let r = if name == "min" {
                    ReduceOp::Min
                } else {
                    ReduceOp::Max
                };
                return Ok(Val::E(w.reduce(r, xs[0], None, span, name)?));
            }
            if xs.is_empty() {
                return Err(KernelError::new(
                    KernelErrorKind::Type,
                    format!("{name} expected at least 1 argument, got 0"),
                    span,
                ));
            }
            // Python's min/max of scalars: the first of equal values; NaN handling of
            // Python's comparison (`a if a < b else b`), in the unified type.
            let mut acc = xs[0];
            for &x in &xs[1..] {
                let (ta, tx) = (w.ty(acc).clone(), w.ty(x).clone());
                let (Ty::Scalar(a), Ty::Scalar(b)) = (&ta, &tx) else {
                    return Err(KernelError::typing(
                        format!("No implementation of {name} for ({ta}, {tx})"),
                        span,
                    ));
                };
                let t = rules::unify_scalars(*a, *b).unwrap_or(DType::F64);
                let a_ = w.temp(acc);
                let x_ = w.temp(x);
                let (a_, x_) = (w.cast(a_, t), w.cast(x_, t));
                let cmp = if op == BinaryOp::Minimum {
                    BinaryOp::Lt
                } else {
                    BinaryOp::Gt
                };
                // max(a, b) is `b if b > a else a` in Python.
                let c =
                    w.f.expr(Expr::Binary(cmp, x_, a_), scalar_ty(DType::Bool), span);
                acc = w.f.expr(Expr::Cond(c, x_, a_), scalar_ty(t), span);
            }
            return Ok(Val::E(acc));
        }
        (None, "round") => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 2, span)?;
            let xs = w.vals(args)?;
            let x = xs[0];
            let Ty::Scalar(d) = w.ty(x).clone() else {
                return Err(KernelError::typing("round() of a non-scalar", span));
            };
            if xs.len() == 1 {
                if !d.is_float() {
                    return Ok(Val::E(w.cast(x, DType::I64)));
                }
                let r = w.f.expr(Expr::Unary(UnaryOp::Rint, x), scalar_ty(d), span);
                return Ok(Val::E(w.cast(r, DType::I64)));
            }
            // round(x, n): NumPy's method, rint(x * 10**n) / 10**n.
            let t = if d == DType::F32 {
                DType::F32
            } else {
                DType::F64
            };
            let x = w.cast(x, t);
            let n = w.cast(xs[1], t);
            let ten = w.constant(Scalar::F64(10.0).cast(t), span);
            let p =
                w.f.expr(Expr::Binary(BinaryOp::Pow, ten, n), scalar_ty(t), span);
            let p = w.temp(p);
            let y =
                w.f.expr(Expr::Binary(BinaryOp::Mul, x, p), scalar_ty(t), span);
            let r = w.f.expr(Expr::Unary(UnaryOp::Rint, y), scalar_ty(t), span);
            return Ok(Val::E(w.f.expr(
                Expr::Binary(BinaryOp::TrueDiv, r, p),
                scalar_ty(t),
                span,
            )));
        }
        (None, "sum") => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            let x = w.vals(args)?[0];
            return Ok(Val::E(w.reduce(ReduceOp::Sum, x, None, span, name)?));
        }
        _ => {}
    }
    let Some(lib) = lib else {
        return Err(KernelError::new(
            KernelErrorKind::Name,
            format!("'{name}' cannot be called in kernels"),
            span,
        ));
    };
    // math.floor/ceil/trunc: int64 results.
    if lib == Lib::Math && matches!(name, "floor" | "ceil" | "trunc") {
        no_kwargs(name, &kwargs)?;
        arg_count(name, &args, 1, 1, span)?;
        let x = w.vals(args)?[0];
        let op = match name {
            "floor" => UnaryOp::Floor,
            "ceil" => UnaryOp::Ceil,
            _ => UnaryOp::Trunc,
        };
        return Ok(Val::E(w.keep_unary(op, x, span, true)?));
    }
    if lib == Lib::Math && matches!(name, "isnan" | "isinf" | "isfinite") {
        no_kwargs(name, &kwargs)?;
        arg_count(name, &args, 1, 1, span)?;
        let x = w.vals(args)?[0];
        let op = match name {
            "isnan" => UnaryOp::IsNan,
            "isinf" => UnaryOp::IsInf,
            _ => UnaryOp::IsFinite,
        };
        let x = match w.ty(x).clone() {
            Ty::Scalar(d) if !d.is_float() => w.cast(x, DType::F64),
            _ => x,
        };
        return Ok(Val::E(w.keep_unary(op, x, span, false)?));
    }
    if lib == Lib::Math
        && let Some((v, vs)) = args
            .iter()
            .find(|(v, _)| matches!(v, Val::E(e) if matches!(w.ty(*e), Ty::Array(_))))
    {
        let _ = v;
        return Err(KernelError::typing(
            format!(
                "No implementation of math.{name} for an array; use np.{name} (math functions take scalars)"
            ),
            *vs,
        ));
    }
    if let Some(op) = unary_op(lib, name) {
        if lib == Lib::Numpy {
            take_kw(&mut kwargs, "out").map_or(Ok(()), |(_, s)| {
                Err(KernelError::unsupported(
                    "out= is not supported in kernels",
                    s,
                ))
            })?;
        }
        no_kwargs(name, &kwargs)?;
        arg_count(name, &args, 1, 1, span)?;
        let x = w.vals(args)?[0];
        return Ok(Val::E(w.float_unary(op, x, span)?));
    }
    if lib == Lib::Numpy
        && let Some(op) = numpy_unary_keep(name)
    {
        no_kwargs(name, &kwargs)?;
        arg_count(name, &args, 1, 1, span)?;
        let x = w.vals(args)?[0];
        let x = match (op, w.ty(x).clone()) {
            // NumPy's floor/ceil/trunc/rint of integers give floats.
            (UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Rint, Ty::Scalar(d))
                if !d.is_float() =>
            {
                w.cast(x, DType::F64)
            }
            (UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc | UnaryOp::Rint, Ty::Array(a))
                if !a.dtype.is_float() =>
            {
                w.operand_as(x, float_of(a.dtype), span)
            }
            _ => x,
        };
        return Ok(Val::E(w.keep_unary(op, x, span, false)?));
    }
    if let Some(op) = binary_op(lib, name) {
        no_kwargs(name, &kwargs)?;
        arg_count(name, &args, 2, 2, span)?;
        let xs = w.vals(args)?;
        let float_fn = matches!(
            op,
            BinaryOp::Arctan2 | BinaryOp::Hypot | BinaryOp::Copysign | BinaryOp::Nextafter
        ) || lib == Lib::Math;
        if lib == Lib::Numpy
            && !matches!(
                op,
                BinaryOp::Maximum | BinaryOp::Minimum | BinaryOp::Fmax | BinaryOp::Fmin
            )
            && !float_fn
        {
            // Operators spelled as ufuncs: NumPy semantics on arrays and scalars.
            let (tx, ty) = (w.ty(xs[0]).clone(), w.ty(xs[1]).clone());
            if matches!(tx, Ty::Array(_)) || matches!(ty, Ty::Array(_)) {
                return w
                    .array_binary(op, xs[0], xs[1], span)
                    .map(Val::E)
                    .map_err(|()| {
                        KernelError::typing(
                            format!("No implementation of np.{name} for ({tx}, {ty})"),
                            span,
                        )
                    });
            }
        }
        return Ok(Val::E(w.ufunc2(op, xs[0], xs[1], float_fn, span)?));
    }
    if lib != Lib::Numpy {
        return Err(unknown(lib, name, span));
    }
    match name {
        "empty" | "zeros" | "ones" | "full" => {
            let n = if name == "full" { 2 } else { 1 };
            let dt_kw = take_kw(&mut kwargs, "dtype");
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, n, n + 1, span)?;
            let mut args = args;
            let dt_pos = if args.len() > n { args.pop() } else { None };
            let dt = dt_kw.or(dt_pos);
            let mut it = args.into_iter();
            let (shape_v, shape_s) = it
                .next()
                .ok_or_else(|| KernelError::typing("missing shape", span))?;
            let shape = w.shape_arg(shape_v, shape_s)?;
            let fill = match it.next() {
                Some((v, s)) => Some(w.to_value(v, s)?),
                None => None,
            };
            let d = match (&dt, fill) {
                (Some((v, s)), _) => w.dtype_arg(v, *s)?,
                (None, Some(f)) => match w.ty(f) {
                    Ty::Scalar(d) => *d,
                    t => {
                        return Err(KernelError::typing(
                            format!("np.full() fill value {t}"),
                            span,
                        ));
                    }
                },
                (None, None) => DType::F64,
            };
            let ndim = shape.len() as u8;
            let mut ops = shape;
            let op = match (name, fill) {
                ("ones", _) => {
                    ops.push(w.constant(Scalar::one(d), span));
                    Intrinsic::Full
                }
                ("full", Some(f)) => {
                    ops.push(w.cast(f, d));
                    Intrinsic::Full
                }
                _ => Intrinsic::Zeros,
            };
            Ok(Val::E(w.intrinsic(op, ops, array_ty(d, ndim), span)))
        }
        "empty_like" | "zeros_like" | "ones_like" | "full_like" => {
            let n = if name == "full_like" { 2 } else { 1 };
            let dt_kw = take_kw(&mut kwargs, "dtype");
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, n, n + 1, span)?;
            let mut args = args;
            let dt_pos = if args.len() > n { args.pop() } else { None };
            let xs = w.vals(args)?;
            let a = xs[0];
            let Ty::Array(at) = w.ty(a).clone() else {
                return Err(KernelError::typing(
                    format!("np.{name}() of a non-array"),
                    span,
                ));
            };
            let d = match dt_kw.or(dt_pos) {
                Some((v, s)) => w.dtype_arg(&v, s)?,
                None => at.dtype,
            };
            let a = w.temp(a);
            let mut ops: Vec<ExprId> = (0..at.ndim)
                .map(|k| w.f.expr(Expr::Dim(a, k), scalar_ty(DType::I64), span))
                .collect();
            let op = match name {
                "ones_like" => {
                    ops.push(w.constant(Scalar::one(d), span));
                    Intrinsic::Full
                }
                "full_like" => {
                    ops.push(w.cast(xs[1], d));
                    Intrinsic::Full
                }
                _ => Intrinsic::Zeros,
            };
            Ok(Val::E(w.intrinsic(op, ops, array_ty(d, at.ndim), span)))
        }
        "arange" => {
            let dt = take_kw(&mut kwargs, "dtype");
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 3, span)?;
            let xs = w.vals(args)?;
            let mut d = DType::I64;
            for &x in &xs {
                match w.ty(x) {
                    Ty::Scalar(xd) if xd.is_float() => d = DType::F64,
                    Ty::Scalar(_) => {}
                    t => {
                        return Err(KernelError::typing(format!("np.arange() of {t}"), span));
                    }
                }
            }
            if let Some((v, s)) = dt {
                d = w.dtype_arg(&v, s)?;
            }
            let (start, stop, step) = match xs.len() {
                1 => (
                    w.constant(Scalar::zero(d), span),
                    xs[0],
                    w.constant(Scalar::one(d), span),
                ),
                2 => (xs[0], xs[1], w.constant(Scalar::one(d), span)),
                _ => (xs[0], xs[1], xs[2]),
            };
            let ops = vec![w.cast(start, d), w.cast(stop, d), w.cast(step, d)];
            Ok(Val::E(w.intrinsic(
                Intrinsic::Arange,
                ops,
                array_ty(d, 1),
                span,
            )))
        }
        "linspace" => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 2, 3, span)?;
            let xs = w.vals(args)?;
            let num = match xs.get(2) {
                Some(&n) => w.cast(n, DType::I64),
                None => w.constant(Scalar::I64(50), span),
            };
            let a = w.cast(xs[0], DType::F64);
            let b = w.cast(xs[1], DType::F64);
            Ok(Val::E(w.intrinsic(
                Intrinsic::Linspace,
                vec![a, b, num],
                array_ty(DType::F64, 1),
                span,
            )))
        }
        "array" | "asarray" => {
            let dt = take_kw(&mut kwargs, "dtype");
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 2, span)?;
            let mut args = args;
            let dt_pos = if args.len() > 1 { args.pop() } else { None };
            let d = match dt.or(dt_pos) {
                Some((v, s)) => Some(w.dtype_arg(&v, s)?),
                None => None,
            };
            let (v, vs) = args
                .into_iter()
                .next()
                .ok_or_else(|| KernelError::typing("np.array()", span))?;
            Ok(Val::E(w.np_array(v, vs, d, span)?))
        }
        "copy" => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            let x = w.vals(args)?[0];
            let Ty::Array(a) = w.ty(x).clone() else {
                return Err(KernelError::typing("np.copy() of a non-array", span));
            };
            Ok(Val::E(w.intrinsic(
                Intrinsic::Copy,
                vec![x],
                array_ty(a.dtype, a.ndim),
                span,
            )))
        }
        "where" => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 3, 3, span)?;
            let xs = w.vals(args)?;
            let c = xs[0];
            let (ta, tb) = (w.ty(xs[1]).clone(), w.ty(xs[2]).clone());
            let (da, db) = (
                elem_dtype(&ta).ok_or_else(|| KernelError::typing("np.where() values", span))?,
                elem_dtype(&tb).ok_or_else(|| KernelError::typing("np.where() values", span))?,
            );
            let arrays = [w.ty(c).clone(), ta.clone(), tb.clone()];
            let ndim = arrays.iter().filter_map(Ty::array).map(|a| a.ndim).max();
            let Some(ndim) = ndim else {
                // All scalars: a scalar select.
                let c = w.truth(c)?;
                let t = rules::unify_scalars(da, db).unwrap_or(DType::F64);
                let a = w.cast(xs[1], t);
                let b = w.cast(xs[2], t);
                return Ok(Val::E(w.f.expr(Expr::Cond(c, a, b), scalar_ty(t), span)));
            };
            let kind = |d: DType| {
                if d == DType::Bool {
                    0
                } else if d.is_int() {
                    1
                } else {
                    2
                }
            };
            let t = match (matches!(ta, Ty::Array(_)), matches!(tb, Ty::Array(_))) {
                (true, false) if kind(db) < kind(da) => da,
                (false, true) if kind(da) < kind(db) => db,
                _ => crate::types::promote(da, db),
            };
            let a = w.operand_as(xs[1], t, span);
            let b = w.operand_as(xs[2], t, span);
            let c = match w.ty(c).clone() {
                Ty::Scalar(_) => w.truth(c)?,
                Ty::Array(ca) if ca.dtype != DType::Bool => w.operand_as(c, DType::Bool, span),
                _ => c,
            };
            Ok(Val::E(w.intrinsic(
                Intrinsic::Where,
                vec![c, a, b],
                array_ty(t, ndim),
                span,
            )))
        }
        "sum" | "prod" | "min" | "max" | "amin" | "amax" | "any" | "all" | "nansum" => {
            let axis = take_kw(&mut kwargs, "axis");
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 2, span)?;
            let mut args = args;
            let axis = axis.or_else(|| if args.len() > 1 { args.pop() } else { None });
            let x = w.vals(args)?[0];
            let op = match name {
                "sum" => ReduceOp::Sum,
                "prod" => ReduceOp::Prod,
                "min" | "amin" => ReduceOp::Min,
                "max" | "amax" => ReduceOp::Max,
                "any" => ReduceOp::Any,
                "all" => ReduceOp::All,
                _ => {
                    return Err(unknown(lib, name, span));
                }
            };
            Ok(Val::E(w.reduce(op, x, axis, span, name)?))
        }
        "mean" => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            let x = w.vals(args)?[0];
            Ok(Val::E(w.mean(x, span)?))
        }
        "argmin" | "argmax" => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            let x = w.vals(args)?[0];
            if !matches!(w.ty(x), Ty::Array(_)) {
                return Err(KernelError::typing(
                    format!("np.{name}() of a non-array"),
                    span,
                ));
            }
            let op = if name == "argmin" {
                Intrinsic::ArgMin
            } else {
                Intrinsic::ArgMax
            };
            Ok(Val::E(w.intrinsic(
                op,
                vec![x],
                scalar_ty(DType::I64),
                span,
            )))
        }
        "cumsum" | "cumprod" => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            let x = w.vals(args)?[0];
            let Ty::Array(a) = w.ty(x).clone() else {
                return Err(KernelError::typing(
                    format!("np.{name}() of a non-array"),
                    span,
                ));
            };
            let op = if name == "cumsum" {
                Intrinsic::CumSum
            } else {
                Intrinsic::CumProd
            };
            Ok(Val::E(w.intrinsic(
                op,
                vec![x],
                array_ty(sum_dtype(a.dtype), 1),
                span,
            )))
        }
        "dot" => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 2, 2, span)?;
            let xs = w.vals(args)?;
            Ok(Val::E(dot(w, xs[0], xs[1], span)?))
        }
        "transpose" => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            let x = w.vals(args)?[0];
            Ok(attribute(w, x, "T", span, span)?)
        }
        "reshape" => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 2, 2, span)?;
            let mut it = args.into_iter();
            let (a, asp) = it
                .next()
                .ok_or_else(|| KernelError::typing("np.reshape()", span))?;
            let a = w.to_value(a, asp)?;
            method(w, a, "reshape", it.collect(), Vec::new(), span)
        }
        _ => Err(unknown(lib, name, span)),
    }
}

fn unknown(lib: Lib, name: &str, span: Span) -> KernelError {
    let (prefix, known): (&str, &[&str]) = match lib {
        Lib::Numpy => ("np", NUMPY_NAMES),
        Lib::Math => ("math", MATH_NAMES),
        Lib::Numba => ("numba", &["njit", "jit", "prange"]),
    };
    let mut e = KernelError::typing(
        format!("Unknown attribute '{name}' of module {prefix}, or not supported in kernels"),
        span,
    );
    if let Some(s) = crate::front::expr::did_you_mean(name, known.iter().copied()) {
        e = e.with_note(format!("did you mean '{prefix}.{s}'?"));
    }
    e
}

/// What kernels may name, for editors' completions: `np.*` and `math.*` names, the
/// decorators and functions of `numba`, and each decorator's options, as JSON
/// `{ numpy, math, numba, options: { decorator: [option] } }`.
#[must_use]
pub fn library_json() -> String {
    let text = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let list = |names: &[&str]| {
        let items: Vec<String> = names.iter().map(|n| text(n)).collect();
        format!("[{}]", items.join(","))
    };
    let options: Vec<String> = DECORATOR_OPTIONS
        .iter()
        .map(|(d, o)| format!("{}:{}", text(d), list(o)))
        .collect();
    format!(
        "{{\"numpy\":{},\"math\":{},\"numba\":{},\"options\":{{{}}}}}",
        list(NUMPY_NAMES),
        list(MATH_NAMES),
        list(NUMBA_NAMES),
        options.join(",")
    )
}

/// The names a module imports from `numba`: decorators, `prange` and the type objects of
/// signatures.
const NUMBA_NAMES: &[&str] = &[
    "njit",
    "jit",
    "vectorize",
    "guvectorize",
    "stencil",
    "prange",
    "float64",
    "float32",
    "int64",
    "int32",
    "int16",
    "int8",
    "uint64",
    "uint32",
    "uint16",
    "uint8",
    "boolean",
    "intp",
    "void",
];

/// The options each decorator accepts (others are errors or ignored as Numba's are; see
/// docs/kernels.md).
const DECORATOR_OPTIONS: &[(&str, &[&str])] = &[
    (
        "njit",
        &[
            "parallel=True",
            "nogil=True",
            "cache=True",
            "fastmath=True",
            "boundscheck=True",
            "error_model='numpy'",
        ],
    ),
    (
        "jit",
        &[
            "nopython=True",
            "parallel=True",
            "nogil=True",
            "cache=True",
            "fastmath=True",
            "boundscheck=True",
            "error_model='numpy'",
        ],
    ),
    (
        "vectorize",
        &[
            "target='parallel'",
            "target='cpu'",
            "identity=0",
            "nopython=True",
            "cache=True",
        ],
    ),
    (
        "guvectorize",
        &[
            "target='parallel'",
            "target='cpu'",
            "nopython=True",
            "cache=True",
        ],
    ),
    (
        "stencil",
        &[
            "neighborhood=((-1, 1),)",
            "cval=0.0",
            "standard_indexing=('b',)",
            "func_or_mode='wrap'",
        ],
    ),
];

const NUMPY_NAMES: &[&str] = &[
    "sqrt",
    "exp",
    "expm1",
    "log",
    "log10",
    "log2",
    "log1p",
    "sin",
    "cos",
    "tan",
    "arcsin",
    "arccos",
    "arctan",
    "sinh",
    "cosh",
    "tanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "exp2",
    "cbrt",
    "abs",
    "absolute",
    "negative",
    "square",
    "sign",
    "floor",
    "ceil",
    "trunc",
    "rint",
    "isnan",
    "isinf",
    "isfinite",
    "add",
    "subtract",
    "multiply",
    "divide",
    "power",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "arctan2",
    "hypot",
    "empty",
    "zeros",
    "ones",
    "full",
    "empty_like",
    "zeros_like",
    "ones_like",
    "full_like",
    "arange",
    "linspace",
    "array",
    "copy",
    "where",
    "sum",
    "prod",
    "min",
    "max",
    "mean",
    "argmin",
    "argmax",
    "cumsum",
    "cumprod",
    "dot",
    "transpose",
    "float64",
    "float32",
    "int64",
    "int32",
    "uint8",
];

const MATH_NAMES: &[&str] = &[
    "sqrt", "exp", "expm1", "log", "log10", "log2", "log1p", "sin", "cos", "tan", "asin", "acos",
    "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "hypot", "floor", "ceil",
    "trunc", "fabs", "copysign", "fmod", "pow", "isnan", "isinf", "isfinite", "pi", "e", "inf",
    "nan",
];

/// `np.dot(a, b)` / `a @ b`: float arrays (Numba's dot needs floats, as BLAS does).
pub(super) fn dot(w: &mut Walk<'_, '_>, a: ExprId, b: ExprId, span: Span) -> Result<ExprId> {
    let (ta, tb) = (w.ty(a).clone(), w.ty(b).clone());
    let (Ty::Array(x), Ty::Array(y)) = (&ta, &tb) else {
        return Err(KernelError::typing(
            format!("np.dot() of ({ta}, {tb}) is not supported: both must be arrays"),
            span,
        ));
    };
    if !x.dtype.is_float() || !y.dtype.is_float() {
        return Err(KernelError::typing(
            format!("np.dot() only supported on float arrays, not ({ta}, {tb})"),
            span,
        ));
    }
    if x.ndim > 2 || y.ndim > 2 {
        return Err(KernelError::typing(
            "np.dot() of arrays of more than 2 dimensions",
            span,
        ));
    }
    let d = crate::types::promote(x.dtype, y.dtype);
    let (a, b) = (w.operand_as(a, d, span), w.operand_as(b, d, span));
    let ty = match (x.ndim, y.ndim) {
        (1, 1) => scalar_ty(d),
        (2, 2) => array_ty(d, 2),
        _ => array_ty(d, 1),
    };
    Ok(w.intrinsic(Intrinsic::Dot, vec![a, b], ty, span))
}

/// An attribute of a value: array attributes and methods, list methods.
pub(super) fn attribute(
    w: &mut Walk<'_, '_>,
    e: ExprId,
    name: &str,
    name_span: Span,
    span: Span,
) -> Result<Val> {
    let t = w.ty(e).clone();
    match (&t, name) {
        (Ty::Array(a), "shape") => {
            let e = w.temp(e);
            let dims: Vec<ExprId> = (0..a.ndim)
                .map(|k| w.f.expr(Expr::Dim(e, k), scalar_ty(DType::I64), span))
                .collect();
            let tys = vec![scalar_ty(DType::I64); dims.len()];
            Ok(Val::E(w.f.expr(Expr::Tuple(dims), Ty::Tuple(tys), span)))
        }
        (Ty::Array(_), "size") => Ok(Val::E(w.intrinsic(
            Intrinsic::Size,
            vec![e],
            scalar_ty(DType::I64),
            span,
        ))),
        (Ty::Array(a), "ndim") => Ok(Val::E(w.constant(Scalar::I64(i64::from(a.ndim)), span))),
        (Ty::Array(a), "T") => Ok(Val::E(w.intrinsic(
            Intrinsic::Transpose,
            vec![e],
            Ty::Array(ArrayTy {
                dtype: a.dtype,
                ndim: a.ndim,
                layout: if a.ndim <= 1 { a.layout } else { Layout::Any },
            }),
            span,
        ))),
        (Ty::Array(a), "dtype") => Ok(Val::Lib(Some(Lib::Numpy), a.dtype.name().to_owned())),
        (
            Ty::Array(_),
            "sum" | "prod" | "min" | "max" | "mean" | "argmin" | "argmax" | "cumsum" | "cumprod"
            | "copy" | "reshape" | "astype" | "any" | "all" | "transpose" | "fill" | "flatten"
            | "ravel",
        )
        | (Ty::List(_), "append") => Ok(Val::Method(e, name.to_owned())),
        (Ty::Scalar(_), "real") => Ok(Val::E(e)),
        _ => Err(KernelError::typing(
            format!("Unknown attribute '{name}' of type {t}"),
            name_span,
        )),
    }
}

/// A method call: `a.sum()`, `a.reshape(n, m)`, `lst.append(x)`.
pub(super) fn method(
    w: &mut Walk<'_, '_>,
    recv: ExprId,
    name: &str,
    args: Vec<(Val, Span)>,
    kwargs: Vec<(String, Span, Val)>,
    span: Span,
) -> Result<Val> {
    let t = w.ty(recv).clone();
    match (&t, name) {
        (Ty::List(d), "append") => {
            no_kwargs(name, &kwargs)?;
            arg_count(name, &args, 1, 1, span)?;
            let x = w.vals(args)?[0];
            let v = match w.ty(x).clone() {
                Ty::Scalar(xd) => {
                    if let Some(origin) = w.list_origin_of(recv) {
                        // A list from `[]`: its type is what its appends give it.
                        w.learn_list(origin, xd);
                    } else if rules::unify_scalars(*d, xd) != Some(*d) {
                        return Err(KernelError::typing(
                            format!("cannot append {} to a list({})", xd.name(), d.name()),
                            span,
                        ));
                    }
                    w.cast(x, *d)
                }
                xt => {
                    return Err(KernelError::typing(
                        format!("lists in kernels hold scalars, not {xt}"),
                        span,
                    ));
                }
            };
            emit_append(w, recv, v);
            Ok(Val::None)
        }
        (Ty::Array(a), _) => {
            let at = *a;
            match name {
                // The methods NumPy also has as functions: `a.sum(axis=0)` is
                // `np.sum(a, axis=0)`.
                "sum" | "prod" | "min" | "max" | "any" | "all" | "mean" | "argmin" | "argmax"
                | "cumsum" | "cumprod" => {
                    let mut all = vec![(Val::E(recv), span)];
                    all.extend(args);
                    call(w, Some(Lib::Numpy), name, all, kwargs, span)
                }
                "copy" | "flatten" => {
                    no_kwargs(name, &kwargs)?;
                    arg_count(name, &args, 0, 0, span)?;
                    let c = w.intrinsic(
                        Intrinsic::Copy,
                        vec![recv],
                        array_ty(at.dtype, at.ndim),
                        span,
                    );
                    if name == "flatten" {
                        let c = w.temp(c);
                        let n = w.intrinsic(Intrinsic::Size, vec![c], scalar_ty(DType::I64), span);
                        return Ok(Val::E(w.intrinsic(
                            Intrinsic::Reshape,
                            vec![c, n],
                            array_ty(at.dtype, 1),
                            span,
                        )));
                    }
                    Ok(Val::E(c))
                }
                "ravel" => {
                    no_kwargs(name, &kwargs)?;
                    let c = w.intrinsic(
                        Intrinsic::Copy,
                        vec![recv],
                        array_ty(at.dtype, at.ndim),
                        span,
                    );
                    let c = w.temp(c);
                    let n = w.intrinsic(Intrinsic::Size, vec![c], scalar_ty(DType::I64), span);
                    Ok(Val::E(w.intrinsic(
                        Intrinsic::Reshape,
                        vec![c, n],
                        array_ty(at.dtype, 1),
                        span,
                    )))
                }
                "astype" => {
                    no_kwargs(name, &kwargs)?;
                    arg_count(name, &args, 1, 1, span)?;
                    let (v, s) = args
                        .into_iter()
                        .next()
                        .ok_or_else(|| KernelError::typing("astype()", span))?;
                    let d = w.dtype_arg(&v, s)?;
                    Ok(Val::E(w.intrinsic(
                        Intrinsic::Astype,
                        vec![recv],
                        array_ty(d, at.ndim),
                        span,
                    )))
                }
                "reshape" => {
                    no_kwargs(name, &kwargs)?;
                    let dims = if args.len() == 1 {
                        let (v, s) = args
                            .into_iter()
                            .next()
                            .ok_or_else(|| KernelError::typing("reshape()", span))?;
                        w.shape_arg(v, s)?
                    } else {
                        let xs = w.vals(args)?;
                        xs.into_iter().map(|x| w.cast(x, DType::I64)).collect()
                    };
                    let ndim = dims.len() as u8;
                    let mut ops = vec![recv];
                    ops.extend(dims);
                    Ok(Val::E(w.intrinsic(
                        Intrinsic::Reshape,
                        ops,
                        array_ty(at.dtype, ndim),
                        span,
                    )))
                }
                "transpose" => {
                    no_kwargs(name, &kwargs)?;
                    attribute(w, recv, "T", span, span)
                }
                "fill" => {
                    no_kwargs(name, &kwargs)?;
                    arg_count(name, &args, 1, 1, span)?;
                    let x = w.vals(args)?[0];
                    let whole = w.view(recv, Vec::new(), span)?;
                    w.assign_into(whole, x, span)?;
                    Ok(Val::None)
                }
                _ => Err(KernelError::typing(
                    format!("Unknown attribute '{name}' of type {t}"),
                    span,
                )),
            }
        }
        _ => Err(KernelError::typing(
            format!("Unknown attribute '{name}' of type {t}"),
            span,
        )),
    }
}

fn emit_append(w: &mut Walk<'_, '_>, list: ExprId, value: ExprId) {
    w.emit_stmt(crate::kir::Stmt::Append { list, value });
}
