//! `@vectorize`: a scalar function made a NumPy ufunc. The scalar function is compiled for
//! the element types of the loop that NumPy's type resolution picks, and an entry made
//! here in kernel IR runs it over the broadcast of the arguments into a new array:
//!
//! ```text
//! ufunc(a, b, ...):                      (arrays and scalars, as passed)
//!     E_j = the broadcast extent of output axis j (a ValueError if some input's extent
//!           is neither 1 nor E_j)
//!     out = zeros(E_0, ..., E_n-1) of the loop's output dtype
//!     for i_0 in range(E_0): ... for i_n-1 in range(E_n-1):
//!         out[i...] = f(cast(a[i... of a's axes, 0 where a broadcasts]), ...)
//!     return out
//! ```
//!
//! With only scalar arguments the ufunc returns the scalar, as NumPy does. Both tiers run
//! the same program, so a generated ufunc computes what the executor computes.

use super::error::{KernelError, KernelErrorKind, Result};
use super::{KernelDef, Module, Options, lower};
use crate::kir::{
    ArrayTy, Expr, ExprId, Function, Intrinsic, Layout, LocalId, Program, RaiseKind, Stmt, Ty,
};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, Scalar};

/// Whether NumPy's `safe` casting allows `from` to `to`.
fn safe_cast(from: DType, to: DType) -> bool {
    if from == to || from == DType::Bool {
        return true;
    }
    match (from.is_float(), to.is_float()) {
        (true, true) => to.size() >= from.size(),
        (true, false) => false,
        // An integer goes to a float that holds every value: 8 and 16 bits to float32,
        // any to float64.
        (false, true) => to == DType::F64 || to.size() > from.size(),
        (false, false) => match (from.is_signed_int(), to.is_signed_int()) {
            (true, true) | (false, false) => to.size() >= from.size() && to != DType::Bool,
            (false, true) => to.size() > from.size(),
            (true, false) => false,
        },
    }
}

/// Whether NumPy's `same_kind` casting allows `from` to `to` (an output into `out=`).
pub(super) fn same_kind(from: DType, to: DType) -> bool {
    safe_cast(from, to)
        || (from.is_float() && to.is_float())
        || (from.is_int()
            && to.is_int()
            && (from.is_signed_int() == to.is_signed_int() || to.is_signed_int()))
        || (from.is_int() && to.is_float())
}

/// Whether an argument of type `ty` goes to loop input dtype `to`: arrays and NumPy
/// scalars by safe casting; Python scalars (an `int` typed int64, a `float` typed
/// float64, a `bool`) are weak, as NEP 50 treats them: an int goes to any integer or
/// float, a float to any float.
pub(super) fn resolves(ty: &Ty, weak: bool, to: DType) -> bool {
    match ty {
        Ty::Array(a) => safe_cast(a.dtype, to),
        Ty::Scalar(d) if weak => match d {
            DType::Bool => true,
            DType::I64 | DType::U64 => to != DType::Bool,
            DType::F64 => to.is_float(),
            d => safe_cast(*d, to),
        },
        Ty::Scalar(d) => safe_cast(*d, to),
        _ => false,
    }
}

/// Compiles `@vectorize` kernel `k` for argument types `tys`.
pub(super) fn compile(m: &Module, k: &KernelDef, span: Span, tys: &[Ty]) -> Result<Program> {
    // An output array passed after the inputs (`out=`, or positionally as NumPy allows).
    let n_in = m.def_of(k.stmt).params.len();
    let (tys, out_arg) = if tys.len() == n_in + 1 {
        (&tys[..n_in], Some(&tys[n_in]))
    } else {
        (tys, None)
    };
    let mut elems = Vec::with_capacity(tys.len());
    for t in tys {
        match t {
            Ty::Array(a) => elems.push(a.dtype),
            Ty::Scalar(d) => elems.push(*d),
            other => {
                return Err(KernelError::typing(
                    format!(
                        "a ufunc takes arrays and scalars, not {}",
                        other.numba_name()
                    ),
                    span,
                ));
            }
        }
    }
    // The loop: the first declared signature the arguments resolve to, or (no signature:
    // Numba's dynamic ufunc) the arguments' own element types.
    let (loop_in, ret) = if k.declared.is_empty() {
        (elems.clone(), None)
    } else {
        let found = k.declared.iter().find(|(args, _)| {
            args.iter().zip(tys).all(|(a, t)| match a {
                Ty::Scalar(to) => resolves(t, true, *to),
                _ => false,
            })
        });
        let Some((args, ret)) = found else {
            let got: Vec<String> = elems.iter().map(|d| d.name().to_owned()).collect();
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!(
                    "ufunc '{}' not supported for the input types ({}), and the inputs could \
                     not be safely coerced to any supported types according to the casting \
                     rule ''safe''",
                    k.name,
                    got.join(", ")
                ),
                span,
            ));
        };
        let loop_in = args.iter().filter_map(Ty::scalar).collect();
        (loop_in, ret.clone())
    };
    let scalar_tys: Vec<Ty> = loop_in.iter().map(|&d| Ty::Scalar(d)).collect();
    let options = Options {
        // Inside ufuncs division follows NumPy's error model, as Numba's do.
        numpy_errors: true,
        // target='parallel' makes the loop over the elements parallel, not the body.
        parallel: false,
        ..k.options
    };
    let inner = lower::compile(m, k.stmt, &scalar_tys, ret, options)?;
    let Some(out) = inner.entry().ret.scalar() else {
        return Err(KernelError::typing(
            format!(
                "a @vectorize function must return a scalar, '{}' returns {}",
                k.name,
                inner.entry().ret.numba_name()
            ),
            span,
        ));
    };

    let out_array = match out_arg {
        None => None,
        Some(Ty::Array(a)) => {
            if !same_kind(out, a.dtype) {
                return Err(KernelError::new(
                    KernelErrorKind::Type,
                    format!(
                        "Cannot cast ufunc '{}' output from dtype('{}') to dtype('{}') with \
                         casting rule 'same_kind'",
                        k.name,
                        out.name(),
                        a.dtype.name()
                    ),
                    span,
                ));
            }
            let widest = tys.iter().map(|t| t.array().map_or(0, |a| a.ndim)).max();
            if widest.unwrap_or(0) > a.ndim {
                return Err(KernelError::new(
                    KernelErrorKind::Value,
                    "non-broadcastable output operand: out has fewer dimensions than the \
                     broadcast of the inputs",
                    span,
                ));
            }
            if a.ndim == 0 {
                return Err(KernelError::unsupported(
                    "a 0-dimensional out= is not supported",
                    span,
                ));
            }
            Some(a.clone())
        }
        Some(other) => {
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!("a ufunc's out must be an array, not {}", other.numba_name()),
                span,
            ));
        }
    };
    let mut b = Builder::new(&k.name, span, tys, &loop_in, out);
    b.parallel = k.options.parallel;
    b.callee = inner.functions.first().map(|f| f.with_calls_shifted(1));
    if let Some(a) = out_array {
        b.f = Function::new(&k.name, Ty::Array(a.clone()));
        for (i, t) in tys.iter().enumerate() {
            b.f.param(format!("x{i}"), t.clone());
        }
        b.f.param("out", Ty::Array(a));
        b.given_out = true;
    }
    assemble(b.build(), &inner, k.options.parallel)
}

/// Expression helpers of the entries written here in kir (ufuncs, gufuncs): everything at
/// the kernel's span.
pub(super) trait Emit {
    fn func(&mut self) -> &mut Function;
    fn at(&self) -> Span;

    fn e(&mut self, e: Expr, ty: Ty) -> ExprId {
        let span = self.at();
        self.func().expr(e, ty, span)
    }

    fn i64(&mut self, v: i64) -> ExprId {
        self.e(Expr::Const(Scalar::I64(v)), Ty::Scalar(DType::I64))
    }

    fn local(&mut self, l: LocalId) -> ExprId {
        let ty = self.func().local_decl(l).ty.clone();
        self.e(Expr::Local(l), ty)
    }

    fn binary(&mut self, op: BinaryOp, a: ExprId, b: ExprId, ty: DType) -> ExprId {
        self.e(Expr::Binary(op, a, b), Ty::Scalar(ty))
    }

    /// One axis of an argument broadcast against the loop's extent `e` (NumPy's rule):
    /// `e = d` where `e` is still 1 (when `grow`), a ValueError with `message` where the
    /// argument's extent `d` is neither `e` nor 1. Gives those statements and a new local
    /// named `step` holding the argument's index step on the axis: 0 where it broadcasts.
    fn broadcast_axis(
        &mut self,
        e: LocalId,
        d: LocalId,
        grow: bool,
        message: String,
        step: &str,
    ) -> (Vec<Stmt>, LocalId) {
        let mut body = Vec::new();
        if grow {
            let (ev, one) = (self.local(e), self.i64(1));
            let e_is_one = self.binary(BinaryOp::Eq, ev, one, DType::Bool);
            let dv = self.local(d);
            body.push(Stmt::If {
                cond: e_is_one,
                then: vec![Stmt::Assign(e, dv)],
                otherwise: Vec::new(),
            });
        }
        let (ev, dv) = (self.local(e), self.local(d));
        let differs = self.binary(BinaryOp::Ne, dv, ev, DType::Bool);
        let (dv, one) = (self.local(d), self.i64(1));
        let not_one = self.binary(BinaryOp::Ne, dv, one, DType::Bool);
        let span = self.at();
        body.push(Stmt::If {
            cond: differs,
            then: vec![Stmt::If {
                cond: not_one,
                then: vec![Stmt::Raise {
                    kind: RaiseKind::ValueError,
                    message,
                    span,
                }],
                otherwise: Vec::new(),
            }],
            otherwise: Vec::new(),
        });
        let (dv, one) = (self.local(d), self.i64(1));
        let is_one = self.binary(BinaryOp::Eq, dv, one, DType::Bool);
        let (zero, one) = (self.i64(0), self.i64(1));
        let v = self.e(Expr::Cond(is_one, zero, one), Ty::Scalar(DType::I64));
        let step = self.func().local(step, Ty::Scalar(DType::I64));
        body.push(Stmt::Assign(step, v));
        (body, step)
    }
}

/// The program of a ufunc or gufunc: its `entry`, then the functions of the compiled
/// scalar or core function (`inner`, whose calls move one place); with target='parallel'
/// the entry's outer loop runs in chunks on the pool (each element is stored once: no
/// reductions, no races).
pub(super) fn assemble(entry: Function, inner: &Program, parallel: bool) -> Result<Program> {
    let mut program = Program::default();
    program.add(entry);
    for f in &inner.functions {
        program.add(f.with_calls_shifted(1));
    }
    if parallel {
        let report = crate::kir::parallel::parallelize(&mut program)
            .map_err(|e| KernelError::typing(e.message, e.span))?;
        program.parallel = Some(report);
    }
    Ok(program)
}

impl Emit for Builder<'_> {
    fn func(&mut self) -> &mut Function {
        &mut self.f
    }
    fn at(&self) -> Span {
        self.span
    }
}

/// Builds the ufunc's entry function.
struct Builder<'a> {
    f: Function,
    /// target='parallel': the outermost loop is a prange.
    parallel: bool,
    /// The output array is the last parameter (`out=`) instead of a new one.
    given_out: bool,
    /// The scalar function as it is in the program (function 1), to inline.
    callee: Option<Function>,
    span: Span,
    tys: &'a [Ty],
    loop_in: &'a [DType],
    out: DType,
}

impl<'a> Builder<'a> {
    fn new(name: &str, span: Span, tys: &'a [Ty], loop_in: &'a [DType], out: DType) -> Self {
        let ndim = tys
            .iter()
            .map(|t| t.array().map_or(0, |a| a.ndim))
            .max()
            .unwrap_or(0);
        let ret = if ndim == 0 {
            Ty::Scalar(out)
        } else {
            Ty::Array(ArrayTy {
                dtype: out,
                ndim,
                layout: Layout::C,
            })
        };
        let mut f = Function::new(name, ret);
        for (i, t) in tys.iter().enumerate() {
            f.param(format!("x{i}"), t.clone());
        }
        Builder {
            f,
            parallel: false,
            given_out: false,
            callee: None,
            span,
            tys,
            loop_in,
            out,
        }
    }

    /// The call of the scalar function on element `args` (each cast to its loop type),
    /// cast to the output dtype.
    fn apply(&mut self, args: Vec<(ExprId, DType)>) -> ExprId {
        let mut cast = Vec::with_capacity(args.len());
        for (k, (a, d)) in args.into_iter().enumerate() {
            let to = self.loop_in[k];
            cast.push(if d == to {
                a
            } else {
                self.e(Expr::Cast(a, to), Ty::Scalar(to))
            });
        }
        let ret = self.out;
        self.e(
            Expr::Call(crate::kir::FuncId::from_index(1), cast),
            Ty::Scalar(ret),
        )
    }

    fn build(mut self) -> Function {
        let mut params: Vec<LocalId> = self.f.params().collect();
        let out_param = if self.given_out { params.pop() } else { None };
        let ndim = match &self.f.ret {
            Ty::Array(a) => usize::from(a.ndim),
            _ => 0,
        };
        if ndim == 0 {
            let args = params
                .iter()
                .zip(self.tys)
                .map(|(&p, t)| (self.local(p), t.scalar().unwrap_or(DType::F64)))
                .collect();
            let r = self.apply(args);
            self.f.body.push(Stmt::Return(Some(r)));
            return self.f;
        }
        let mut body = Vec::new();
        // The broadcast extents (out's, when it is given: the inputs broadcast to it), and
        // for each array argument and axis whether it broadcasts (its extent is 1): its
        // index there is then 0.
        let extents: Vec<LocalId> = (0..ndim)
            .map(|j| self.f.local(format!("n{j}"), Ty::Scalar(DType::I64)))
            .collect();
        for (j, &n) in extents.iter().enumerate() {
            let v = match out_param {
                Some(o) => {
                    let ov = self.local(o);
                    self.e(Expr::Dim(ov, j as u8), Ty::Scalar(DType::I64))
                }
                None => self.i64(1),
            };
            body.push(Stmt::Assign(n, v));
        }
        let mut steps: Vec<Vec<Option<LocalId>>> = Vec::new();
        for (k, t) in self.tys.iter().enumerate() {
            let Some(a) = t.array() else {
                steps.push(Vec::new());
                continue;
            };
            let shift = ndim - usize::from(a.ndim);
            let mut s = Vec::new();
            for axis in 0..a.ndim {
                let j = shift + usize::from(axis);
                let arr = self.local(params[k]);
                let d = self.e(Expr::Dim(arr, axis), Ty::Scalar(DType::I64));
                let dim = self.f.local(format!("d{k}_{axis}"), Ty::Scalar(DType::I64));
                body.push(Stmt::Assign(dim, d));
                // (A given out is never broadcast: its extents are the loop's.)
                let (stmts, step) = self.broadcast_axis(
                    extents[j],
                    dim,
                    out_param.is_none(),
                    "operands could not be broadcast together".to_owned(),
                    &format!("s{k}_{axis}"),
                );
                body.extend(stmts);
                s.push(Some(step));
            }
            steps.push(s);
        }
        // The output.
        let out = match out_param {
            Some(o) => o,
            None => {
                let out_ty = self.f.ret.clone();
                let out = self.f.local("out", out_ty.clone());
                let dims: Vec<ExprId> = extents.iter().map(|&n| self.local(n)).collect();
                // Every element is stored by the loop below before anything reads it.
                let fresh = self.e(Expr::Intrinsic(Intrinsic::Filled, dims), out_ty);
                body.push(Stmt::Assign(out, fresh));
                out
            }
        };
        // The loop nest, innermost first.
        let index: Vec<LocalId> = (0..ndim)
            .map(|j| self.f.local(format!("i{j}"), Ty::Scalar(DType::I64)))
            .collect();
        let mut args = Vec::with_capacity(params.len());
        for (k, t) in self.tys.iter().enumerate() {
            match t.array() {
                Some(a) => {
                    let shift = ndim - usize::from(a.ndim);
                    let mut idx = Vec::new();
                    for axis in 0..usize::from(a.ndim) {
                        let i = self.local(index[shift + axis]);
                        let step = steps[k][axis].map(|s| self.local(s));
                        idx.push(match step {
                            Some(s) => self.binary(BinaryOp::Mul, i, s, DType::I64),
                            None => i,
                        });
                    }
                    let arr = self.local(params[k]);
                    let v = self.e(Expr::Load(arr, idx), Ty::Scalar(a.dtype));
                    args.push((v, a.dtype));
                }
                None => {
                    let d = t.scalar().unwrap_or(DType::F64);
                    let v = self.local(params[k]);
                    args.push((v, d));
                }
            }
        }
        let mut value = self.apply(args);
        // The scalar function inlined into the loop where its returns allow (no call per
        // element).
        let mut inner = Vec::new();
        if let Some(callee) = self.callee.take()
            && let Expr::Call(_, call_args) = self.f.get(value).clone()
        {
            let result = self.f.local("$v", Ty::Scalar(self.out));
            if let Some(stmts) =
                crate::kir::inline::tail_call(&mut self.f, &callee, &call_args, result)
            {
                inner = stmts;
                value = self.local(result);
            }
        }
        if let Some(d) = self.f.ret.array().map(|a| a.dtype)
            && d != self.out
        {
            value = self.e(Expr::Cast(value, d), Ty::Scalar(d));
        }
        let at: Vec<ExprId> = index.iter().map(|&i| self.local(i)).collect();
        let target = self.local(out);
        inner.push(Stmt::Store {
            array: target,
            index: at,
            value,
            span: self.span,
        });
        for j in (0..ndim).rev() {
            let (start, step) = (self.i64(0), self.i64(1));
            let stop = self.local(extents[j]);
            inner = vec![Stmt::For {
                var: index[j],
                start,
                stop,
                step,
                body: inner,
                parallel: self.parallel && j == 0,
                span: self.span,
            }];
        }
        body.extend(inner);
        let r = self.local(out);
        body.push(Stmt::Return(Some(r)));
        self.f.body = body;
        self.f
    }
}
