//! `@stencil`: a kernel written for one element of the output, reading its input arrays
//! at offsets relative to that element (`a[-1] + a[0] + a[1]`). As Numba does, numwasm
//! compiles the kernel's body for the element and wraps it in a loop over the output:
//!
//! ```text
//! stencil(a, b, ..., [out]):            (a: the first array indexed relatively)
//!     n_k = a.shape[k]; lo_k, hi_k = the neighbourhood of axis k (lo_k <= 0 <= hi_k)
//!     s_k = min(-lo_k, n_k); e_k = max(n_k - hi_k, s_k)      (the interior: [s_k, e_k))
//!     out = full(a.shape, cval) of the kernel's return dtype, unless given
//!     for i_0 in prange(s_0, e_0): ... for i_n in range(s_n, e_n):
//!         out[i...] = interior(a, b, ..., i...)
//!     for every border element i (modes other than 'constant'):
//!         out[i...] = border(a, b, ..., i...)
//!     return out
//! ```
//!
//! `interior` is the kernel's body with every relative index `x[o...]` read as
//! `x[i_0 + o_0, ...]`; `border` maps each such index back into the array by the mode
//! (scipy.ndimage's meaning: 'wrap' is periodic, 'reflect' repeats the edge element,
//! 'mirror' does not, 'nearest' clamps). Under 'constant' (Numba's only mode) the border
//! is `cval`, 0 by default; with `out=` and no `cval` it is left as it was, as Numba
//! leaves it. A relative index that is not a constant must stay inside the declared
//! neighbourhood (Numba's contract, unchecked there): outside it the read raises
//! IndexError instead of reading a neighbour's memory.
//!
//! The interior loop's outermost axis is a `prange`: the stencil runs on the pool when it
//! is called from JS with threads, or from a `parallel=True` kernel (Numba's parallel
//! stencils); elsewhere it is serial. Both tiers run the same program.

use super::error::{KernelError, Result};
use super::{ConstVal, Module};
use crate::kir::{
    ArrayTy, Expr, ExprId, FuncId, Function, Intrinsic, Layout, LocalId, RaiseKind, Stmt, Ty,
    inline,
};
use crate::syntax::{self, ExprKind, FunctionDef, Span, StmtId, StmtKind};
use crate::types::{BinaryOp, DType, Scalar};

/// The largest neighbourhood extent accepted on one axis.
const MAX_REACH: i64 = 1 << 20;

/// How the border (where the neighbourhood leaves the array) is computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `cval` (Numba's behaviour).
    Constant,
    /// Periodic: `a[n]` is `a[0]`.
    Wrap,
    /// Mirrored about the edge, repeating the edge element: `d c b a | a b c d`.
    Reflect,
    /// Mirrored about the edge element: `d c b | a b c d`.
    Mirror,
    /// The nearest element: `a a a | a b c d`.
    Nearest,
}

impl Mode {
    fn parse(s: &str) -> Option<Mode> {
        Some(match s {
            "constant" => Mode::Constant,
            "wrap" => Mode::Wrap,
            "reflect" => Mode::Reflect,
            "mirror" => Mode::Mirror,
            "nearest" => Mode::Nearest,
            _ => return None,
        })
    }
}

/// A stencil's options: `neighborhood=`, `func_or_mode=`, `cval=`, `standard_indexing=`.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Per axis `(lo, hi)`, when given.
    pub neighborhood: Option<Vec<(i64, i64)>>,
    pub mode: Mode,
    pub cval: Option<Scalar>,
    /// Parameters indexed absolutely.
    pub standard: Vec<String>,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            neighborhood: None,
            mode: Mode::Constant,
            cval: None,
            standard: Vec::new(),
        }
    }
}

impl Spec {
    /// Reads the options from keyword arguments (`neighborhood=((-1, 1),)`, ...); other
    /// keywords are left to the caller.
    pub(super) fn parse(m: &Module, kwargs: &[(String, Span, syntax::ExprId)]) -> Result<Spec> {
        let mut spec = Spec::default();
        for (k, _, v) in kwargs {
            let span = m.ast.expr(*v).span;
            let value = m.constant(*v);
            match k.as_str() {
                "neighborhood" => spec.neighborhood = Some(neighborhood(value.ok(), span)?),
                "func_or_mode" => match value {
                    Ok(ConstVal::Str(s)) => {
                        spec.mode = Mode::parse(&s).ok_or_else(|| {
                            KernelError::typing(
                                format!(
                                    "Unsupported mode style {s}: func_or_mode must be \
                                     'constant', 'wrap', 'reflect', 'mirror' or 'nearest'"
                                ),
                                span,
                            )
                        })?;
                    }
                    _ => {
                        return Err(KernelError::typing(
                            "func_or_mode must be a string: 'constant', 'wrap', 'reflect', \
                             'mirror' or 'nearest'",
                            span,
                        ));
                    }
                },
                "cval" => match value {
                    Ok(ConstVal::Scalar(s)) => spec.cval = Some(s),
                    _ => {
                        return Err(KernelError::typing("cval must be a number", span));
                    }
                },
                "standard_indexing" => {
                    let names = match value {
                        Ok(ConstVal::Str(s)) => vec![ConstVal::Str(s)],
                        Ok(ConstVal::Tuple(items)) => items,
                        _ => match &m.ast.expr(*v).kind {
                            ExprKind::List(items) => items
                                .iter()
                                .map(|&i| m.constant(i).unwrap_or(ConstVal::None))
                                .collect(),
                            _ => vec![ConstVal::None],
                        },
                    };
                    for n in names {
                        let ConstVal::Str(s) = n else {
                            return Err(KernelError::typing(
                                "standard_indexing must be a tuple of parameter names",
                                span,
                            ));
                        };
                        spec.standard.push(s);
                    }
                }
                _ => {}
            }
        }
        Ok(spec)
    }

    /// A key telling compiled stencils apart.
    pub(super) fn key(&self) -> String {
        format!("{self:?}")
    }
}

fn neighborhood(v: Option<ConstVal>, span: Span) -> Result<Vec<(i64, i64)>> {
    let bad = || {
        KernelError::typing(
            "neighborhood must be a tuple with one (low, high) pair of integers per axis, \
             low <= 0 <= high: ((-1, 1),) or ((-1, 1), (-2, 2))",
            span,
        )
    };
    let Some(ConstVal::Tuple(axes)) = v else {
        return Err(bad());
    };
    if axes.is_empty() || axes.len() > 32 {
        return Err(bad());
    }
    let int = |c: &ConstVal| match c {
        ConstVal::Scalar(Scalar::I64(v)) if v.abs() <= MAX_REACH => Some(*v),
        _ => None,
    };
    axes.iter()
        .map(|a| match a {
            ConstVal::Tuple(p) if p.len() == 2 => match (int(&p[0]), int(&p[1])) {
                (Some(lo), Some(hi)) if lo <= hi => Ok((lo.min(0), hi.max(0))),
                _ => Err(bad()),
            },
            _ => Err(bad()),
        })
        .collect()
}

/// What the body of a stencil is compiled with: which parameters are indexed relatively,
/// the neighbourhood, and whether it computes interior elements or border ones (then by
/// which mode).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Body {
    /// Positions of the parameters indexed relatively.
    pub relative: Vec<usize>,
    pub neighborhood: Vec<(i64, i64)>,
    /// None: an interior element (every neighbour inside the first relative array).
    pub border: Option<Mode>,
}

/// The relative-indexing context of a function being lowered as a stencil body.
#[derive(Debug, Clone)]
pub(super) struct Cx {
    pub relative: Vec<LocalId>,
    /// The element's index, one parameter per axis.
    pub center: Vec<LocalId>,
    pub neighborhood: Vec<(i64, i64)>,
    pub border: Option<Mode>,
}

/// The relative arrays and the neighbourhood of stencil `def` for argument types `tys`.
pub(super) fn analyse(
    m: &Module,
    def: &FunctionDef,
    spec: &Spec,
    tys: &[Ty],
    span: Span,
) -> Result<(Vec<usize>, Vec<(i64, i64)>)> {
    for s in &spec.standard {
        if !def.params.iter().any(|p| &p.name == s) {
            return Err(KernelError::typing(
                format!(
                    "standard_indexing names '{s}', which is not a parameter of '{}'",
                    def.name
                ),
                span,
            ));
        }
    }
    let relative: Vec<usize> = def
        .params
        .iter()
        .zip(tys)
        .enumerate()
        .filter(|(_, (p, t))| matches!(t, Ty::Array(_)) && !spec.standard.contains(&p.name))
        .map(|(i, _)| i)
        .collect();
    let Some(first) = relative.first().and_then(|&i| tys[i].array()) else {
        return Err(KernelError::typing(
            format!(
                "a stencil needs an array argument indexed relatively; '{}' got {}",
                def.name,
                tys.iter()
                    .map(Ty::numba_name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            span,
        ));
    };
    let ndim = usize::from(first.ndim);
    if ndim == 0 {
        return Err(KernelError::typing(
            "a stencil's input must have at least one dimension",
            span,
        ));
    }
    if let Some(n) = &spec.neighborhood {
        if n.len() != ndim {
            return Err(KernelError::typing(
                format!(
                    "{} dimensional neighborhood specified for {ndim} dimensional input array",
                    n.len()
                ),
                span,
            ));
        }
        return Ok((relative, n.clone()));
    }
    // Inferred from the constant indices of the relative arrays.
    let names: Vec<&str> = relative
        .iter()
        .map(|&i| def.params[i].name.as_str())
        .collect();
    let mut reach = vec![(0i64, 0i64); ndim];
    let mut exprs = Vec::new();
    statement_exprs(&m.ast, &def.body, &mut exprs);
    let mut stack = exprs;
    let mut visited = 0usize;
    while let Some(e) = stack.pop() {
        visited += 1;
        if visited > 1_000_000 {
            break;
        }
        let node = m.ast.expr(e);
        node.kind.for_each_child(|c| stack.push(c));
        let ExprKind::Subscript { base, index } = &node.kind else {
            continue;
        };
        let ExprKind::Name(n) = &m.ast.expr(*base).kind else {
            continue;
        };
        if !names.contains(&n.as_str()) {
            continue;
        }
        let offsets = match m.constant(*index) {
            Ok(ConstVal::Scalar(Scalar::I64(v))) => vec![v],
            Ok(ConstVal::Tuple(items)) => {
                let mut v = Vec::new();
                for it in items {
                    match it {
                        ConstVal::Scalar(Scalar::I64(x)) => v.push(x),
                        _ => return Err(not_constant(m.ast.expr(*index).span)),
                    }
                }
                v
            }
            _ => return Err(not_constant(m.ast.expr(*index).span)),
        };
        if offsets.len() != ndim {
            return Err(KernelError::typing(
                format!(
                    "the stencil index has {} dimension(s) but the input array has {ndim}",
                    offsets.len()
                ),
                m.ast.expr(*index).span,
            ));
        }
        for (r, o) in reach.iter_mut().zip(offsets) {
            if o.abs() > MAX_REACH {
                return Err(KernelError::typing(
                    "stencil index too far from the element",
                    m.ast.expr(*index).span,
                ));
            }
            r.0 = r.0.min(o);
            r.1 = r.1.max(o);
        }
    }
    Ok((relative, reach))
}

fn not_constant(span: Span) -> KernelError {
    KernelError::typing(
        "stencil kernel index is not constant, 'neighborhood' option required",
        span,
    )
}

/// The expressions of a block's statements (nested blocks included, inner functions not).
fn statement_exprs(ast: &syntax::Module, body: &[StmtId], out: &mut Vec<syntax::ExprId>) {
    let mut stack: Vec<StmtId> = body.to_vec();
    while let Some(s) = stack.pop() {
        match &ast.stmt(s).kind {
            StmtKind::Expr(e) | StmtKind::Return(Some(e)) => out.push(*e),
            StmtKind::Assign { targets, value } => {
                out.push(*value);
                out.extend(targets);
            }
            StmtKind::AugAssign { target, value, .. } => out.extend([*target, *value]),
            StmtKind::AnnAssign { value, .. } => out.extend(value),
            StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                out.push(*test);
                stack.extend(body);
                stack.extend(orelse);
            }
            StmtKind::For {
                iter, body, orelse, ..
            } => {
                out.push(*iter);
                stack.extend(body);
                stack.extend(orelse);
            }
            StmtKind::Assert { test, msg } => {
                out.push(*test);
                out.extend(msg);
            }
            StmtKind::Raise { exc, .. } => out.extend(exc),
            _ => {}
        }
    }
}

/// Index `j` (the element's index plus an offset, int64) of an axis of extent `n` mapped
/// into `[0, n)` by a border mode; `n` is at least 1 (the element is inside the array).
pub(super) fn fold_index(f: &mut Function, mode: Mode, j: ExprId, n: ExprId, span: Span) -> ExprId {
    let i64t = Ty::Scalar(DType::I64);
    let bool_t = Ty::Scalar(DType::Bool);
    let c = |f: &mut Function, v: i64| f.expr(Expr::Const(Scalar::I64(v)), i64t.clone(), span);
    let bin = |f: &mut Function, op: BinaryOp, a: ExprId, b: ExprId| {
        let ty = if matches!(
            op,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Eq | BinaryOp::Ge | BinaryOp::Gt
        ) {
            bool_t.clone()
        } else {
            i64t.clone()
        };
        f.expr(Expr::Binary(op, a, b), ty, span)
    };
    match mode {
        Mode::Constant => j,
        Mode::Wrap => bin(f, BinaryOp::Mod, j, n),
        Mode::Nearest => {
            let zero = c(f, 0);
            let lo = bin(f, BinaryOp::Maximum, j, zero);
            let one = c(f, 1);
            let last = bin(f, BinaryOp::Sub, n, one);
            bin(f, BinaryOp::Minimum, lo, last)
        }
        Mode::Reflect | Mode::Mirror => {
            // Period p = 2n (reflect) or 2n - 2 (mirror, at least 1); m = j mod p, then
            // the second half of the period runs backwards.
            let two = c(f, 2);
            let twice = bin(f, BinaryOp::Mul, n, two);
            let (period, back) = if mode == Mode::Reflect {
                let one = c(f, 1);
                (twice, bin(f, BinaryOp::Sub, twice, one))
            } else {
                let two = c(f, 2);
                let p = bin(f, BinaryOp::Sub, twice, two);
                let one = c(f, 1);
                (bin(f, BinaryOp::Maximum, p, one), p)
            };
            let m = bin(f, BinaryOp::Mod, j, period);
            let upper = bin(f, BinaryOp::Ge, m, n);
            let flipped = bin(f, BinaryOp::Sub, back, m);
            f.expr(Expr::Cond(upper, flipped, m), i64t.clone(), span)
        }
    }
}

/// Builds the loop around the compiled bodies: the function a stencil call runs.
pub(super) struct Entry<'a> {
    pub name: String,
    pub span: Span,
    /// The stencil's argument types, then the `out` array's when one is passed.
    pub tys: &'a [Ty],
    pub params: usize,
    pub relative: &'a [usize],
    pub neighborhood: &'a [(i64, i64)],
    pub spec: &'a Spec,
    /// The body's return dtype.
    pub ret: DType,
    pub interior: FuncId,
    pub border: Option<FuncId>,
    /// The bodies themselves, inlined into the loops where their returns allow.
    pub interior_fn: &'a Function,
    pub border_fn: Option<&'a Function>,
    /// The outermost interior loop is a prange.
    pub parallel: bool,
}

impl Entry<'_> {
    pub(super) fn build(&self) -> Function {
        let first = self.tys[self.relative[0]]
            .array()
            .expect("a relative argument is an array");
        let ndim = usize::from(first.ndim);
        let out_given = self.tys.len() > self.params;
        let out_ty = if out_given {
            self.tys[self.params].clone()
        } else {
            Ty::Array(ArrayTy {
                dtype: self.ret,
                ndim: first.ndim,
                layout: Layout::C,
            })
        };
        let out_dtype = out_ty.array().map_or(self.ret, |a| a.dtype);
        let mut f = Function::new(self.name.clone(), out_ty.clone());
        let params: Vec<LocalId> = self
            .tys
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let name = if i < self.params {
                    format!("x{i}")
                } else {
                    "out".to_owned()
                };
                f.param(name, t.clone())
            })
            .collect();
        let span = self.span;
        let i64t = Ty::Scalar(DType::I64);
        let mut body = Vec::new();
        let local = |f: &mut Function, l: LocalId| {
            let ty = f.local_decl(l).ty.clone();
            f.expr(Expr::Local(l), ty, span)
        };
        let c = |f: &mut Function, v: i64| f.expr(Expr::Const(Scalar::I64(v)), i64t.clone(), span);
        let bin = |f: &mut Function, op: BinaryOp, a: ExprId, b: ExprId, ty: DType| {
            f.expr(Expr::Binary(op, a, b), Ty::Scalar(ty), span)
        };
        // Extents and the interior [s_k, e_k) of each axis.
        let a = params[self.relative[0]];
        let mut n = Vec::new();
        let mut s = Vec::new();
        let mut e = Vec::new();
        for k in 0..ndim {
            let (lo, hi) = self.neighborhood[k];
            let arr = local(&mut f, a);
            let dim = f.expr(Expr::Dim(arr, k as u8), i64t.clone(), span);
            let nk = f.local(format!("n{k}"), i64t.clone());
            body.push(Stmt::Assign(nk, dim));
            let (nv, reach) = (local(&mut f, nk), c(&mut f, -lo));
            let sv = bin(&mut f, BinaryOp::Minimum, reach, nv, DType::I64);
            let sk = f.local(format!("s{k}"), i64t.clone());
            body.push(Stmt::Assign(sk, sv));
            let (nv, h) = (local(&mut f, nk), c(&mut f, hi));
            let end = bin(&mut f, BinaryOp::Sub, nv, h, DType::I64);
            let sv = local(&mut f, sk);
            let ev = bin(&mut f, BinaryOp::Maximum, end, sv, DType::I64);
            let ek = f.local(format!("e{k}"), i64t.clone());
            body.push(Stmt::Assign(ek, ev));
            n.push(nk);
            s.push(sk);
            e.push(ek);
        }
        // The output: allocated (border = cval), or the given one, which must have the
        // input's shape.
        let out = if out_given {
            let o = params[self.params];
            for k in 0..ndim {
                let ov = local(&mut f, o);
                let d = f.expr(Expr::Dim(ov, k as u8), i64t.clone(), span);
                let nv = local(&mut f, n[k]);
                let differs = bin(&mut f, BinaryOp::Ne, d, nv, DType::Bool);
                body.push(Stmt::If {
                    cond: differs,
                    then: vec![Stmt::Raise {
                        kind: RaiseKind::ValueError,
                        message: "the stencil's out array must have the shape of its input"
                            .to_owned(),
                        span,
                    }],
                    otherwise: Vec::new(),
                });
            }
            o
        } else {
            let o = f.local("out", out_ty.clone());
            let mut dims: Vec<ExprId> = n.iter().map(|&nk| local(&mut f, nk)).collect();
            let alloc = if let (Mode::Constant, Some(cval)) = (self.spec.mode, self.spec.cval) {
                dims.push(f.expr(
                    Expr::Const(cval.cast(out_dtype)),
                    Ty::Scalar(out_dtype),
                    span,
                ));
                Intrinsic::Full
            } else {
                Intrinsic::Zeros
            };
            let v = f.expr(Expr::Intrinsic(alloc, dims), out_ty.clone(), span);
            body.push(Stmt::Assign(o, v));
            o
        };
        let index: Vec<LocalId> = (0..ndim)
            .map(|k| f.local(format!("i{k}"), i64t.clone()))
            .collect();
        // One element: out[i...] = body(args..., i...), the body inlined where it can be.
        let element = |f: &mut Function, func: FuncId, callee: &Function| -> Vec<Stmt> {
            let mut args: Vec<ExprId> =
                params[..self.params].iter().map(|&p| local(f, p)).collect();
            args.extend(index.iter().map(|&i| local(f, i)));
            let result = f.local("$v", Ty::Scalar(self.ret));
            let (mut stmts, mut v) = match inline::tail_call(f, callee, &args, result) {
                Some(stmts) => (stmts, local(f, result)),
                None => (
                    Vec::new(),
                    f.expr(Expr::Call(func, args), Ty::Scalar(self.ret), span),
                ),
            };
            if self.ret != out_dtype {
                v = f.expr(Expr::Cast(v, out_dtype), Ty::Scalar(out_dtype), span);
            }
            let at = index.iter().map(|&i| local(f, i)).collect();
            let target = local(f, out);
            stmts.push(Stmt::Store {
                array: target,
                index: at,
                value: v,
                span,
            });
            stmts
        };
        // A loop nest over the given (start, stop) locals or constants, innermost first.
        let nest = |f: &mut Function,
                    ranges: &[(Bound, Bound)],
                    inner: Vec<Stmt>,
                    parallel: bool|
         -> Vec<Stmt> {
            let mut stmts = inner;
            for k in (0..ndim).rev() {
                let val = |f: &mut Function, b: Bound| match b {
                    Bound::Local(l) => local(f, l),
                    Bound::Zero => c(f, 0),
                };
                let (start, stop) = (val(f, ranges[k].0), val(f, ranges[k].1));
                let step = c(f, 1);
                stmts = vec![Stmt::For {
                    var: index[k],
                    start,
                    stop,
                    step,
                    body: stmts,
                    parallel: parallel && k == 0,
                    span,
                }];
            }
            stmts
        };
        let interior: Vec<(Bound, Bound)> = (0..ndim)
            .map(|k| (Bound::Local(s[k]), Bound::Local(e[k])))
            .collect();
        let inner = element(&mut f, self.interior, self.interior_fn);
        body.extend(nest(&mut f, &interior, inner, self.parallel));
        // The border, when a mode computes it: for each axis k, the elements whose first
        // border axis is k (axes before it interior, axes after it whole), low side then
        // high side.
        // Or, under out= with cval, cval.
        let fill = match (self.spec.mode, self.spec.cval) {
            (Mode::Constant, Some(cval)) if out_given => Some(cval.cast(out_dtype)),
            _ => None,
        };
        if self.border.is_some() || fill.is_some() {
            for k in 0..ndim {
                for side in 0..2 {
                    let mut ranges = Vec::with_capacity(ndim);
                    for m in 0..ndim {
                        ranges.push(match m.cmp(&k) {
                            std::cmp::Ordering::Less => (Bound::Local(s[m]), Bound::Local(e[m])),
                            std::cmp::Ordering::Equal if side == 0 => {
                                (Bound::Zero, Bound::Local(s[m]))
                            }
                            std::cmp::Ordering::Equal => (Bound::Local(e[m]), Bound::Local(n[m])),
                            std::cmp::Ordering::Greater => (Bound::Zero, Bound::Local(n[m])),
                        });
                    }
                    let inner = match (self.border.zip(self.border_fn), fill) {
                        (Some((border, callee)), _) => element(&mut f, border, callee),
                        (None, Some(v)) => {
                            let value = f.expr(Expr::Const(v), Ty::Scalar(out_dtype), span);
                            let at = index.iter().map(|&i| local(&mut f, i)).collect();
                            let target = local(&mut f, out);
                            vec![Stmt::Store {
                                array: target,
                                index: at,
                                value,
                                span,
                            }]
                        }
                        (None, None) => Vec::new(),
                    };
                    body.extend(nest(&mut f, &ranges, inner, false));
                }
            }
        }
        let r = local(&mut f, out);
        body.push(Stmt::Return(Some(r)));
        f.body = body;
        f
    }
}

#[derive(Clone, Copy)]
enum Bound {
    Zero,
    Local(LocalId),
}
