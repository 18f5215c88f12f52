//! `@guvectorize`: a function over core dimensions made a NumPy generalized ufunc. The
//! function is compiled for the array types of the declared signature the inputs resolve
//! to (NumPy's loop selection, as for `@vectorize`), and an entry made here in kernel IR
//! loops over the broadcast outer dimensions and calls it on views:
//!
//! ```text
//! gufunc(x_0, ..., x_k, [outputs]):      layout '(m,n),(n,p)->(m,p)'
//!     the outer (loop) dimensions: each operand's axes before its core dimensions,
//!     broadcast together (a ValueError where they do not broadcast)
//!     each core dimension's size: from the first operand that has it; another operand
//!     with another size is NumPy's ValueError naming the operand and the dimension
//!     outputs: zeros(loop dims + core dims) of the signature's dtypes, unless passed
//!     (one of another dtype: a copy in the loop's dtype, cast back after the loop)
//!     for i... in range(loop dims):        (the outermost a prange with target='parallel')
//!         f(x_0[i..., :, :], ..., out[i..., :, :])
//!     return the output (a tuple of them when there are several)
//! ```
//!
//! A `()` core is a one-element 1-d view (`x[i..., j:j+1]`), as Numba passes it; a
//! scalar argument there is a one-element array made once. Inputs whose dtype is not the
//! loop's are cast once, as NumPy casts them.

use super::error::{KernelError, KernelErrorKind, Result};
use super::vectorize::Emit;
use super::{KernelDef, Module, Options, lower};
use crate::kir::{
    ArrayTy, Expr, ExprId, FuncId, Function, Index, Intrinsic, Layout, LocalId, Program, RaiseKind,
    Stmt, Ty,
};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType};

/// A gufunc's layout: the core dimensions of each input and each output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuLayout {
    pub ins: Vec<Vec<String>>,
    pub outs: Vec<Vec<String>>,
    /// The layout as written, for messages.
    pub text: String,
}

/// Parses `'(m,n),(n,p)->(m,p)'`.
pub(super) fn parse_layout(text: &str) -> std::result::Result<GuLayout, String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let Some((ins, outs)) = compact.split_once("->") else {
        return Err("a layout is '(inputs)->(outputs)', such as '(n),()->(n)'".into());
    };
    let groups = |s: &str| -> std::result::Result<Vec<Vec<String>>, String> {
        let mut out = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            let Some(inner) = rest.strip_prefix('(') else {
                return Err(format!("expected '(' at '{rest}'"));
            };
            let Some(end) = inner.find(')') else {
                return Err("a '(' without its ')'".into());
            };
            let dims: Vec<String> = inner[..end]
                .split(',')
                .filter(|d| !d.is_empty())
                .map(str::to_owned)
                .collect();
            for d in &dims {
                let ok = d
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if !ok {
                    return Err(format!("'{d}' is not a dimension name"));
                }
            }
            out.push(dims);
            rest = &inner[end + 1..];
            rest = rest.strip_prefix(',').unwrap_or(rest);
        }
        Ok(out)
    };
    let (ins, outs) = (groups(ins)?, groups(outs)?);
    if ins.is_empty() || outs.is_empty() || ins.len() + outs.len() > 32 {
        return Err("a layout needs at least one input and one output".into());
    }
    Ok(GuLayout {
        ins,
        outs,
        text: text.to_owned(),
    })
}

/// Compiles `@guvectorize` kernel `k` for argument types `tys` (the inputs, then the
/// outputs when they are passed).
/// `axis`: the `axis=` keyword, the axis each operand with a core dimension has it on
/// (instead of the last).
pub(super) fn compile(
    m: &Module,
    k: &KernelDef,
    span: Span,
    tys: &[Ty],
    axis: Option<i64>,
) -> Result<Program> {
    let Some(layout) = &k.layout else {
        return Err(KernelError::typing(
            format!(
                "@guvectorize needs a layout after its signatures, such as \
                 @guvectorize(['void(float64[:], float64[:])'], '(n)->(n)'); '{}' has none",
                k.name
            ),
            span,
        ));
    };
    let (n_in, n_out) = (layout.ins.len(), layout.outs.len());
    if tys.len() != n_in && tys.len() != n_in + n_out {
        return Err(KernelError::new(
            KernelErrorKind::Type,
            format!(
                "{}() takes {n_in} input(s) (and optionally its {n_out} output(s)), {} given",
                k.name,
                tys.len()
            ),
            span,
        ));
    }
    // The loop: the first signature the inputs resolve to.
    let dtype_of = |t: &Ty| match t {
        Ty::Array(a) => Some(a.dtype),
        Ty::Scalar(d) => Some(*d),
        _ => None,
    };
    let cores: Vec<&Vec<String>> = layout.ins.iter().chain(&layout.outs).collect();
    let dynamic;
    let sig: &Vec<Ty> = if k.declared.is_empty() {
        // Numba's dynamic gufunc: the loop is compiled for the operands' own dtypes, the
        // outputs included, so they must be passed (a `()` input is a scalar in the loop, an
        // operand with core dimensions an array of as many).
        if tys.len() != n_in + n_out {
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!(
                    "Too few arguments for function '{}'. Note that the pattern `out = \
                     gufunc(Arg1, Arg2, ..., ArgN)` is not allowed. Use `gufunc(Arg1, Arg2, \
                     ..., ArgN, out) instead.",
                    k.name
                ),
                span,
            ));
        }
        let mut loop_tys = Vec::with_capacity(tys.len());
        for (i, (t, core)) in tys.iter().zip(&cores).enumerate() {
            let Some(d) = dtype_of(t) else {
                return Err(KernelError::typing(
                    format!("a gufunc takes arrays and scalars, not {}", t.numba_name()),
                    span,
                ));
            };
            loop_tys.push(if i < n_in && core.is_empty() {
                Ty::Scalar(d)
            } else {
                Ty::Array(ArrayTy {
                    dtype: d,
                    ndim: core.len().max(1) as u8,
                    layout: Layout::Any,
                })
            });
        }
        dynamic = loop_tys;
        &dynamic
    } else {
        // Numba's gufuncs take a loop whose input dtypes are exactly the arrays' first
        // (Python scalars resolving to theirs), then the first the inputs cast to safely.
        let fits = |args: &Vec<Ty>, exact: bool| {
            args.len() == n_in + n_out
                && args.iter().zip(&tys[..n_in]).all(|(a, t)| {
                    dtype_of(a).is_some_and(|to| match t {
                        Ty::Array(x) if exact => x.dtype == to,
                        _ => super::vectorize::resolves(t, true, to),
                    })
                })
        };
        let found = k
            .declared
            .iter()
            .find(|(args, _)| fits(args, true))
            .or_else(|| k.declared.iter().find(|(args, _)| fits(args, false)));
        let Some((sig, _)) = found else {
            let got: Vec<String> = tys.iter().map(Ty::numba_name).collect();
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!(
                    "ufunc '{}' not supported for the input types ({}), and the inputs could not \
                     be safely coerced to any supported types according to the casting rule \
                     ''safe''",
                    k.name,
                    got.join(", ")
                ),
                span,
            ));
        };
        sig
    };
    // The inner function takes each operand as an array of its core dimensions (a `()`
    // core as one element), strided: the views are.
    let mut inner_tys = Vec::with_capacity(sig.len());
    for (i, (a, core)) in sig.iter().zip(&cores).enumerate() {
        let Some(d) = dtype_of(a) else {
            return Err(KernelError::typing("a gufunc signature holds arrays", span));
        };
        if core.is_empty() && i < n_in && matches!(a, Ty::Scalar(_)) {
            // A `()` input declared as a scalar is passed as one.
            inner_tys.push(Ty::Scalar(d));
            continue;
        }
        let declared_ndim = a.array().map_or(0, |x| usize::from(x.ndim));
        let ndim = core.len().max(1);
        if declared_ndim != ndim {
            return Err(KernelError::typing(
                format!(
                    "argument {i} of '{}' is declared {} but its layout has {} core \
                     dimension(s)",
                    k.name,
                    a.numba_name(),
                    core.len()
                ),
                span,
            ));
        }
        inner_tys.push(Ty::Array(ArrayTy {
            dtype: d,
            ndim: ndim as u8,
            layout: Layout::Any,
        }));
    }
    // Operand checks known from the types: enough dimensions, outputs arrays the loop's
    // dtypes cast to (NumPy's `same_kind` rule).
    for (i, t) in tys.iter().enumerate() {
        if i >= n_in
            && let (Some(a), Some(want)) = (t.array(), dtype_of(&sig[i]))
            && !super::vectorize::same_kind(want, a.dtype)
        {
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!(
                    "Cannot cast ufunc '{}' output from dtype('{}') to dtype('{}') with \
                     casting rule 'same_kind'",
                    k.name,
                    want.name(),
                    a.dtype.name()
                ),
                span,
            ));
        }
        let core = cores[i].len();
        let have = t.array().map_or(0, |a| usize::from(a.ndim));
        if i >= n_in && t.array().is_none() {
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!(
                    "output operand {} of '{}' must be an array",
                    i - n_in,
                    k.name
                ),
                span,
            ));
        }
        if have < core && !(core == 0 && t.scalar().is_some()) {
            let what = if i < n_in { "Input" } else { "Output" };
            return Err(KernelError::new(
                KernelErrorKind::Value,
                format!(
                    "{}: {what} operand {} does not have enough dimensions (has {have}, gufunc \
                     core with signature {} requires {core})",
                    k.name,
                    if i < n_in { i } else { i - n_in },
                    layout.text
                ),
                span,
            ));
        }
    }
    for d in layout.outs.iter().flatten() {
        if !layout.ins.iter().flatten().any(|x| x == d) {
            return Err(KernelError::unsupported(
                format!(
                    "output core dimension '{d}' of '{}' appears in no input (its size is unknown)",
                    k.name
                ),
                span,
            ));
        }
    }
    if axis.is_some() {
        // NumPy: `axis` names one core dimension shared by every operand that has one.
        let names: Vec<&String> = cores.iter().flat_map(|c| c.iter()).collect();
        let one = names.first().is_some_and(|n| names.iter().all(|m| m == n));
        if cores.iter().any(|c| c.len() > 1) || !one {
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!(
                    "{}: axis can only be used with a single shared core dimension, not with \
                     the layout {}",
                    k.name, layout.text
                ),
                span,
            ));
        }
    }
    let options = Options {
        numpy_errors: true,
        parallel: false,
        ..k.options
    };
    let inner = lower::compile(m, k.stmt, &inner_tys, Some(None), options)?;
    let mut b = Builder {
        f: Function::new(&k.name, Ty::None),
        span,
        name: k.name.clone(),
        layout,
        sig: &inner_tys,
        tys,
        n_in,
        n_out,
        parallel: k.options.parallel,
        body: Vec::new(),
        axis,
    };
    // The axis must exist in every operand with a core dimension.
    if let Some(ax) = axis {
        let outer_nd = (0..n_in)
            .map(|i| {
                let nd = tys[i].array().map_or(0, |a| usize::from(a.ndim));
                nd.saturating_sub(cores[i].len())
            })
            .max()
            .unwrap_or(0);
        for (i, core) in cores.iter().enumerate() {
            if core.len() != 1 {
                continue;
            }
            let nd = match tys.get(i) {
                Some(t) => t.array().map_or(0, |a| usize::from(a.ndim)),
                None => outer_nd + 1,
            };
            if b.core_position(ax, nd).is_none() {
                return Err(KernelError::new(
                    KernelErrorKind::Value,
                    format!("axis {ax} is out of bounds for array of dimension {nd}"),
                    span,
                ));
            }
        }
    }
    let entry = b.build();
    super::vectorize::assemble(entry, &inner, k.options.parallel)
}

impl Emit for Builder<'_> {
    fn func(&mut self) -> &mut Function {
        &mut self.f
    }
    fn at(&self) -> Span {
        self.span
    }
}

struct Builder<'a> {
    f: Function,
    span: Span,
    name: String,
    layout: &'a GuLayout,
    /// The inner function's parameter types (each operand's core array).
    sig: &'a [Ty],
    /// The call's argument types.
    tys: &'a [Ty],
    n_in: usize,
    n_out: usize,
    parallel: bool,
    body: Vec<Stmt>,
    /// `axis=`: where operands with a core dimension have it.
    axis: Option<i64>,
}

impl Builder<'_> {
    /// The position of the core dimension in an operand of `nd` dimensions under `axis=`.
    fn core_position(&self, axis: i64, nd: usize) -> Option<usize> {
        let nd = i64::try_from(nd).ok()?;
        let a = if axis < 0 { axis + nd } else { axis };
        (0..nd).contains(&a).then_some(a as usize)
    }

    /// Operand `i`'s array axis for its outer axis `k` and its core axis (`core_at`: the
    /// core dimension's position under `axis=`, or None: the core dimensions last).
    fn outer_axis(k: usize, core_at: Option<usize>) -> usize {
        match core_at {
            Some(c) if k >= c => k + 1,
            _ => k,
        }
    }

    /// Where operand `i` (with `nd` dimensions in all) has its core dimension under
    /// `axis=`; None without `axis=` or without a core dimension.
    fn core_at(&self, i: usize, nd: usize) -> Option<usize> {
        let ax = self.axis?;
        (self.core(i).len() == 1)
            .then(|| self.core_position(ax, nd))
            .flatten()
    }

    fn assign(&mut self, name: &str, ty: Ty, v: ExprId) -> LocalId {
        let l = self.f.local(name, ty);
        self.body.push(Stmt::Assign(l, v));
        l
    }

    /// `if cond: raise ValueError(message)`.
    fn raise_if(&mut self, cond: ExprId, message: String) {
        self.body.push(Stmt::If {
            cond,
            then: vec![Stmt::Raise {
                kind: RaiseKind::ValueError,
                message,
                span: self.span,
            }],
            otherwise: Vec::new(),
        });
    }

    fn core(&self, i: usize) -> &Vec<String> {
        if i < self.n_in {
            &self.layout.ins[i]
        } else {
            &self.layout.outs[i - self.n_in]
        }
    }

    fn build(&mut self) -> Function {
        let params: Vec<LocalId> = self
            .tys
            .iter()
            .enumerate()
            .map(|(i, t)| self.f.param(format!("x{i}"), t.clone()))
            .collect();
        let given = self.tys.len();
        // Each operand's outer (loop) dimensions.
        let outer: Vec<usize> = (0..given)
            .map(|i| {
                let nd = self.tys[i].array().map_or(0, |a| usize::from(a.ndim));
                nd.saturating_sub(self.core(i).len())
            })
            .collect();
        let loop_nd = outer[..self.n_in].iter().copied().max().unwrap_or(0);
        // Inputs: cast to the loop's dtype where they differ; scalars for a `()` core
        // become one-element arrays. An output passed with another dtype: the loop works
        // on a copy of it in the loop's dtype, cast into it afterwards.
        let mut operand: Vec<LocalId> = Vec::with_capacity(given + self.n_out);
        let mut cast_outs: Vec<(LocalId, LocalId)> = Vec::new();
        for i in 0..given {
            let want = match &self.sig[i] {
                Ty::Array(a) => a.dtype,
                Ty::Scalar(d) => *d,
                _ => DType::F64,
            };
            let p = self.local(params[i]);
            let l = match self.tys[i].clone() {
                Ty::Array(a) if a.dtype != want => {
                    let ty = Ty::Array(ArrayTy {
                        dtype: want,
                        ndim: a.ndim,
                        layout: Layout::C,
                    });
                    let v = self.e(Expr::Intrinsic(Intrinsic::Astype, vec![p]), ty.clone());
                    let l = self.assign(&format!("c{i}"), ty, v);
                    if i >= self.n_in {
                        cast_outs.push((params[i], l));
                    }
                    l
                }
                Ty::Array(_) => params[i],
                Ty::Scalar(d) if self.sig[i].scalar().is_some() => {
                    let v = if d == want {
                        p
                    } else {
                        self.e(Expr::Cast(p, want), Ty::Scalar(want))
                    };
                    self.assign(&format!("c{i}"), Ty::Scalar(want), v)
                }
                Ty::Scalar(d) => {
                    let ty = Ty::Array(ArrayTy {
                        dtype: want,
                        ndim: 1,
                        layout: Layout::C,
                    });
                    let one = self.i64(1);
                    let v = if d == want {
                        p
                    } else {
                        self.e(Expr::Cast(p, want), Ty::Scalar(want))
                    };
                    let full = self.e(Expr::Intrinsic(Intrinsic::Full, vec![one, v]), ty.clone());
                    self.assign(&format!("c{i}"), ty, full)
                }
                _ => params[i],
            };
            operand.push(l);
        }
        // The loop extents: broadcast of the inputs' outer dimensions.
        let i64t = Ty::Scalar(DType::I64);
        let extents: Vec<LocalId> = (0..loop_nd)
            .map(|j| {
                let one = self.i64(1);
                self.assign(&format!("n{j}"), i64t.clone(), one)
            })
            .collect();
        let mut steps: Vec<Vec<LocalId>> = vec![Vec::new(); given];
        for i in 0..given {
            let core_at = self.core_at(i, outer[i] + self.core(i).len());
            for axis in 0..outer[i] {
                let j = loop_nd - outer[i] + axis;
                let arr = self.local(operand[i]);
                let actual = Self::outer_axis(axis, core_at);
                let d = self.e(Expr::Dim(arr, actual as u8), i64t.clone());
                let dim = self.assign(&format!("d{i}_{axis}"), i64t.clone(), d);
                if i < self.n_in {
                    let message = format!(
                        "operands could not be broadcast together with remapped shapes \
                         [original->remapped] (gufunc signature {})",
                        self.layout.text
                    );
                    let (stmts, s) = self.broadcast_axis(
                        extents[j],
                        dim,
                        true,
                        message,
                        &format!("s{i}_{axis}"),
                    );
                    self.body.extend(stmts);
                    steps[i].push(s);
                } else {
                    // An output passed in has exactly the loop's outer dimensions.
                    let (dv, e) = (self.local(dim), self.local(extents[j]));
                    let differs = self.binary(BinaryOp::Ne, dv, e, DType::Bool);
                    self.raise_if(
                        differs,
                        format!(
                            "{}: Output operand {} has a mismatch in its outer dimensions \
                             (gufunc signature {})",
                            self.name,
                            i - self.n_in,
                            self.layout.text
                        ),
                    );
                    let one = self.i64(1);
                    let s = self.assign(&format!("s{i}_{axis}"), i64t.clone(), one);
                    steps[i].push(s);
                }
            }
        }
        // Core dimension sizes: from the first operand that has each, checked in the
        // others.
        let mut sizes: Vec<(String, LocalId)> = Vec::new();
        for i in 0..given {
            if self.tys[i].array().is_none() {
                continue;
            }
            let core = self.core(i).clone();
            for (c, name) in core.iter().enumerate() {
                let axis = self
                    .core_at(i, outer[i] + core.len())
                    .unwrap_or(outer[i] + c);
                let arr = self.local(operand[i]);
                let d = self.e(Expr::Dim(arr, axis as u8), i64t.clone());
                if let Some(&(_, known)) = sizes.iter().find(|(n, _)| n == name) {
                    let kv = self.local(known);
                    let differs = self.binary(BinaryOp::Ne, d, kv, DType::Bool);
                    let what = if i < self.n_in { "Input" } else { "Output" };
                    let index = if i < self.n_in { i } else { i - self.n_in };
                    self.raise_if(
                        differs,
                        format!(
                            "{}: {what} operand {index} has a mismatch in its core dimension \
                             {c}, with gufunc signature {}",
                            self.name, self.layout.text
                        ),
                    );
                } else {
                    let l = self.assign(&format!("core_{name}"), i64t.clone(), d);
                    sizes.push((name.clone(), l));
                }
            }
        }
        // Outputs not passed: allocated, a `()` core as one trailing element.
        let mut results = Vec::new();
        for o in 0..self.n_out {
            let i = self.n_in + o;
            if i < given {
                results.push((params[i], None));
                continue;
            }
            let core = self.layout.outs[o].clone();
            let dtype = self.sig[i].array().map_or(DType::F64, |a| a.dtype);
            let mut dims: Vec<ExprId> = extents.iter().map(|&n| self.local(n)).collect();
            for name in &core {
                let l = sizes
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, l)| *l)
                    .expect("output core dimensions appear in an input");
                dims.push(self.local(l));
            }
            if core.is_empty() {
                dims.push(self.i64(1));
            }
            if let Some(at) = self.core_at(i, loop_nd + 1) {
                // The core dimension at `axis`.
                let d = dims.remove(loop_nd);
                dims.insert(at, d);
            }
            let ty = Ty::Array(ArrayTy {
                dtype,
                ndim: dims.len() as u8,
                layout: Layout::C,
            });
            let z = self.e(Expr::Intrinsic(Intrinsic::Zeros, dims), ty.clone());
            let l = self.assign(&format!("out{o}"), ty, z);
            operand.push(l);
            steps.push(Vec::new());
            results.push((l, Some(core.is_empty())));
        }
        // The loop nest and the call on views.
        let index: Vec<LocalId> = (0..loop_nd)
            .map(|j| self.f.local(format!("i{j}"), i64t.clone()))
            .collect();
        let mut args = Vec::with_capacity(operand.len());
        for (i, &op) in operand.iter().enumerate() {
            let allocated = i >= given;
            let nd = if allocated { loop_nd } else { outer[i] };
            let core_empty = self.core(i).is_empty();
            let arr_ty = self.f.local_decl(op).ty.clone();
            let mut idx = Vec::new();
            for axis in 0..nd {
                let j = loop_nd - nd + axis;
                let iv = self.local(index[j]);
                let at = if allocated {
                    iv
                } else {
                    let s = self.local(steps[i][axis]);
                    self.binary(BinaryOp::Mul, iv, s, DType::I64)
                };
                idx.push(at);
            }
            let total = arr_ty.array().map_or(0, |a| usize::from(a.ndim));
            let mut indices: Vec<Index> = idx.into_iter().map(Index::At).collect();
            if let Some(at) = self.core_at(i, total).filter(|_| total == nd + 1) {
                // The core dimension at `axis`: a whole slice there.
                indices.insert(
                    at,
                    Index::Slice {
                        start: None,
                        stop: None,
                        step: None,
                    },
                );
            }
            if core_empty && total > 0 && self.sig[i].array().is_some() {
                // One element as a 1-d view: the last outer index as a slice of one.
                if allocated {
                    let (z, one) = (self.i64(0), self.i64(1));
                    indices.push(Index::Slice {
                        start: Some(z),
                        stop: Some(one),
                        step: None,
                    });
                } else if let Some(Index::At(last)) = indices.pop() {
                    let one = self.i64(1);
                    let stop = self.binary(BinaryOp::Add, last, one, DType::I64);
                    indices.push(Index::Slice {
                        start: Some(last),
                        stop: Some(stop),
                        step: None,
                    });
                } else {
                    // A 1-element array made from a scalar: passed whole.
                }
            }
            let a = self.local(op);
            let v = if let Ty::Scalar(d) = self.sig[i] {
                // A scalar core: the element itself.
                match self.f.local_decl(op).ty.array() {
                    Some(_) => {
                        let at = indices
                            .into_iter()
                            .filter_map(|x| match x {
                                Index::At(e) => Some(e),
                                Index::Slice { .. } => None,
                            })
                            .collect();
                        self.e(Expr::Load(a, at), Ty::Scalar(d))
                    }
                    None => a,
                }
            } else if indices.is_empty() {
                a
            } else {
                let view_ty = self.sig[i].clone();
                self.e(Expr::View(a, indices), view_ty)
            };
            args.push(v);
        }
        let call = self.e(Expr::Call(FuncId::from_index(1), args), Ty::None);
        let mut inner = vec![Stmt::Eval(call)];
        for j in (0..loop_nd).rev() {
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
        self.body.extend(inner);
        for (out, copy) in cast_outs {
            let (dst, src) = (self.local(out), self.local(copy));
            let e = self.e(Expr::Intrinsic(Intrinsic::Assign, vec![dst, src]), Ty::None);
            self.body.push(Stmt::Eval(e));
        }
        // The outputs; a `()` core drops its trailing element axis.
        let mut values = Vec::new();
        for (l, scalar_core) in results {
            let v = self.local(l);
            let v = match scalar_core {
                Some(true) => {
                    let ty = self.f.local_decl(l).ty.clone();
                    let a = ty.array().expect("an output array");
                    let zero = self.i64(0);
                    if a.ndim == 1 {
                        self.e(Expr::Load(v, vec![zero]), Ty::Scalar(a.dtype))
                    } else {
                        let mut idx: Vec<Index> = Vec::new();
                        for _ in 0..a.ndim - 1 {
                            idx.push(Index::Slice {
                                start: None,
                                stop: None,
                                step: None,
                            });
                        }
                        idx.push(Index::At(zero));
                        self.e(
                            Expr::View(v, idx),
                            Ty::Array(ArrayTy {
                                dtype: a.dtype,
                                ndim: a.ndim - 1,
                                layout: Layout::Any,
                            }),
                        )
                    }
                }
                _ => v,
            };
            values.push(v);
        }
        let ret = if values.len() == 1 {
            values[0]
        } else {
            let tys = values.iter().map(|&v| self.f.ty(v).clone()).collect();
            self.e(Expr::Tuple(values), Ty::Tuple(tys))
        };
        self.f.ret = self.f.ty(ret).clone();
        self.body.push(Stmt::Return(Some(ret)));
        self.f.body = std::mem::take(&mut self.body);
        std::mem::replace(&mut self.f, Function::new("", Ty::None))
    }
}
