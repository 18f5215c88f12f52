//! kir::parfor: the whole-array operations of a `parallel=True` kernel as `prange` loops
//! (Numba's ParallelAccelerator parfors), which `kir::parallel` then runs on the pool.
//!
//! * A tree of element-wise operations (`Map1`, `Map2`, `Where`: ufuncs and arithmetic)
//!   becomes one loop nest that computes each element of the result from the elements of
//!   its array leaves: the operations are fused, with no temporary array between them.
//!   The outer loop is a `prange`. The leaves (arrays, scalars, and any other operation,
//!   such as `np.dot`) are evaluated first, once, in order. Fusion needs every array leaf
//!   to have the result's number of dimensions; at run time, when the leaves' shapes
//!   differ (broadcasting), the original operations run instead.
//! * `np.dot` of a matrix and a vector or of two matrices becomes a `prange` over the
//!   result's rows, each element summed in the order the intrinsic sums it, so its bits
//!   do not change. A vector times a matrix stays the intrinsic, whose code reads the
//!   matrix once in row order (a loop over the result's elements would read it once per
//!   column).
//!
//! Every element is computed as the intrinsic computes it (the operands cast to the
//! operation's dtype, the same element operation), so a fused loop gives the bits of the
//! operations it replaces. Trees whose elements the scalar forms would compute otherwise
//! (a float cast to an integer, an integer power that raises) are left alone.

use super::{Expr, ExprId, Function, Intrinsic, LocalId, Stmt, Ty};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, ReduceOp, Scalar, promote};

/// What the pass made: for each loop nest, the span of the expression it replaces and
/// the operations fused into it (`exp`, `add`, `dot`, ...).
pub type Fused = Vec<(Span, Vec<String>)>;

/// Rewrites the whole-array operations of `f` into loop nests; returns what it fused.
pub fn fuse(f: &mut Function) -> Fused {
    let body = std::mem::take(&mut f.body);
    let mut p = Pass {
        f,
        fused: Vec::new(),
        n: 0,
        in_prange: 0,
        fresh: Vec::new(),
        in_loop: 0,
    };
    let body = p.body(body);
    let fused = std::mem::take(&mut p.fused);
    f.body = body;
    fused
}

struct Pass<'a> {
    f: &'a mut Function,
    fused: Fused,
    /// Loop nests made so far (for the names of their locals).
    n: usize,
    /// How many `prange` loops enclose the statements being rewritten: a loop nest made
    /// there runs serially (nested parallel loops do), so one operation alone gains
    /// nothing from becoming a loop of its own, and loses the whole-array operation's
    /// writing of `a[i, :] = x[i, :] / s` straight into its target.
    in_prange: usize,
    /// The arrays the loop nests made here allocate (no other local can alias them).
    fresh: Vec<LocalId>,
    /// How many loops of any kind enclose the statements being rewritten.
    in_loop: usize,
}

/// The whole-array reductions that become parallel loop nests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fold {
    Sum,
    Prod,
    /// `np.min`: NumPy's minimum folded into an accumulator that starts at the dtype's
    /// largest value (+inf for floats), so NaN propagates and of equal values the first
    /// stays, as in Numba's loop; an empty array runs the intrinsic (its ValueError).
    Min,
    Max,
    /// `np.mean`: a sum in the float dtype of the elements (float64 for integers), then
    /// divided by the size in float64, as the intrinsic does.
    Mean,
}

impl Fold {
    fn name(self) -> &'static str {
        match self {
            Fold::Sum => "sum",
            Fold::Prod => "prod",
            Fold::Min => "min",
            Fold::Max => "max",
            Fold::Mean => "mean",
        }
    }

    fn intrinsic(self) -> Intrinsic {
        match self {
            Fold::Sum => Intrinsic::Reduce(ReduceOp::Sum),
            Fold::Prod => Intrinsic::Reduce(ReduceOp::Prod),
            Fold::Min => Intrinsic::Reduce(ReduceOp::Min),
            Fold::Max => Intrinsic::Reduce(ReduceOp::Max),
            Fold::Mean => Intrinsic::Mean,
        }
    }
}

/// An element-wise tree: its nodes, and its leaves in evaluation order.
struct Tree {
    ndim: u8,
    leaves: Vec<ExprId>,
    ops: Vec<String>,
}

impl Pass<'_> {
    fn body(&mut self, body: Vec<Stmt>) -> Vec<Stmt> {
        let mut out = Vec::with_capacity(body.len());
        for st in body {
            match st {
                Stmt::Assign(l, e) => {
                    let e = self.hoist(e, &mut out);
                    // (not in a loop: a small array made at each turn would pay a
                    // parallel loop's dispatch each time)
                    if self.in_loop == 0
                        && let Some(nest) = self.fill_nest(l, e, &mut out)
                    {
                        out.extend(nest);
                    } else {
                        out.push(Stmt::Assign(l, e));
                    }
                }
                // An update of an array from itself (`g += x`, `a[1:] = a[:-1]`) keeps its
                // form in a prange body: fusing it would write the array while the loop
                // reads it, and `kir::parallel` recognises array reductions (and refuses
                // races) by it. Outside one, its source is fused into a new array like
                // any other (parallel), then assigned.
                Stmt::Eval(e)
                    if self.in_prange > 0
                        && let Some(y) = self.self_update(e) =>
                {
                    let e = self.hoist_update(e, y, &mut out);
                    out.push(Stmt::Eval(e));
                }
                Stmt::Eval(e) => {
                    let e = self.hoist(e, &mut out);
                    match self.copy_nest(e) {
                        Some(st) if self.in_prange == 0 => out.push(st),
                        _ => out.push(Stmt::Eval(e)),
                    }
                }
                Stmt::Return(Some(e)) => {
                    let e = self.hoist(e, &mut out);
                    out.push(Stmt::Return(Some(e)));
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => out.push(Stmt::If {
                    cond,
                    then: self.body(then),
                    otherwise: self.body(otherwise),
                }),
                Stmt::For {
                    var,
                    start,
                    stop,
                    step,
                    body,
                    parallel,
                    span,
                } => {
                    self.in_prange += usize::from(parallel);
                    self.in_loop += 1;
                    let body = self.body(body);
                    self.in_loop -= 1;
                    self.in_prange -= usize::from(parallel);
                    out.push(Stmt::For {
                        var,
                        start,
                        stop,
                        step,
                        body,
                        parallel,
                        span,
                    });
                }
                Stmt::While { cond, body } => {
                    self.in_loop += 1;
                    let body = self.body(body);
                    self.in_loop -= 1;
                    out.push(Stmt::While { cond, body });
                }
                other => out.push(other),
            }
        }
        out
    }

    /// `l = np.zeros(...)` / `np.empty(...)` / `np.empty_like(x)` / `np.ones(...)` /
    /// `np.full(..., v)` as a new array filled by a `prange` loop nest instead of the
    /// allocation's own serial fill (the extents and the value evaluated once, before).
    fn fill_nest(&mut self, l: LocalId, e: ExprId, out: &mut Vec<Stmt>) -> Option<Vec<Stmt>> {
        let Expr::Intrinsic(op @ (Intrinsic::Zeros | Intrinsic::Full), ops) = self.f.get(e).clone()
        else {
            return None;
        };
        let Ty::Array(at) = self.ty(e) else {
            return None;
        };
        if at.ndim == 0 || self.f.local_decl(l).ty != Ty::Array(at) {
            return None;
        }
        let span = self.span(e);
        let (dims, value) = match op {
            Intrinsic::Full => {
                let (v, dims) = ops.split_last()?;
                // (a value of another dtype: the fill's own cast)
                if self.dtype(*v) != Some(at.dtype) {
                    return None;
                }
                (dims.to_vec(), self.temp(*v, out))
            }
            _ => (
                ops.clone(),
                self.f
                    .expr(Expr::Const(Scalar::I64(0)), Ty::Scalar(DType::I64), span),
            ),
        };
        if dims.len() != usize::from(at.ndim) {
            return None;
        }
        let value = self.cast(value, at.dtype);
        let extents: Vec<ExprId> = dims.iter().map(|&d| self.temp(d, out)).collect();
        let fresh = self.f.expr(
            Expr::Intrinsic(Intrinsic::Filled, extents.clone()),
            Ty::Array(at),
            span,
        );
        self.n += 1;
        let vars = self.loop_vars(at.ndim);
        let target = self.local_expr(l, span);
        let nest = self.store_nest(target, &vars, value, &extents, span);
        let name = if op == Intrinsic::Full {
            "full"
        } else {
            "zeros"
        };
        self.fused.push((span, vec![name.to_owned()]));
        let mut stmts = vec![Stmt::Assign(l, fresh)];
        stmts.extend(nest);
        Some(stmts)
    }

    /// The index variables of loop nest `self.n`, one per axis.
    fn loop_vars(&mut self, ndim: u8) -> Vec<LocalId> {
        (0..ndim)
            .map(|k| {
                self.f
                    .local(format!("$f{}_{k}", self.n), Ty::Scalar(DType::I64))
            })
            .collect()
    }

    /// `target[vars...] = value` in a loop nest over `extents`, the outer loop a `prange`.
    fn store_nest(
        &mut self,
        target: ExprId,
        vars: &[LocalId],
        value: ExprId,
        extents: &[ExprId],
        span: Span,
    ) -> Vec<Stmt> {
        let index: Vec<ExprId> = vars.iter().map(|&v| self.local_expr(v, span)).collect();
        let mut nest = vec![Stmt::Store {
            array: target,
            index,
            value,
            span,
        }];
        for k in (0..vars.len()).rev() {
            let start = self.int(0, span);
            let step = self.int(1, span);
            nest = vec![Stmt::For {
                var: vars[k],
                start,
                stop: extents[k],
                step,
                body: nest,
                parallel: k == 0,
                span,
            }];
        }
        nest
    }

    /// An assignment of a new array that a loop nest made here (`a += b` outside a prange:
    /// the fused `a + b`) to a whole array of its dtype and rank (`a`, `a[:]`), as a
    /// `prange` copy when their shapes are equal at run time (else the assignment, which
    /// broadcasts). Nothing else can alias the new array, so the copy races with nothing.
    fn copy_nest(&mut self, e: ExprId) -> Option<Stmt> {
        let Expr::Intrinsic(Intrinsic::Assign, ops) = self.f.get(e).clone() else {
            return None;
        };
        let [dst, src] = ops[..] else {
            return None;
        };
        let Expr::Local(t) = *self.f.get(src) else {
            return None;
        };
        let y = match self.f.get(dst) {
            Expr::Local(y) => *y,
            Expr::View(a, ix)
                if ix.iter().all(|i| {
                    matches!(
                        i,
                        super::Index::Slice {
                            start: None,
                            stop: None,
                            step: None
                        }
                    )
                }) =>
            {
                match self.f.get(*a) {
                    Expr::Local(y) => *y,
                    _ => return None,
                }
            }
            _ => return None,
        };
        let (Ty::Array(yt), Ty::Array(tt)) = (
            self.f.local_decl(y).ty.clone(),
            self.f.local_decl(t).ty.clone(),
        ) else {
            return None;
        };
        if !self.fresh.contains(&t) || y == t || yt.ndim != tt.ndim || yt.dtype != tt.dtype {
            return None;
        }
        let span = self.span(e);
        let (ye, te) = (self.local_expr(y, span), self.local_expr(t, span));
        let same = self.same_shapes(&[te, ye], tt.ndim, span)?;
        self.n += 1;
        let vars = self.loop_vars(tt.ndim);
        let at: Vec<ExprId> = vars.iter().map(|&v| self.local_expr(v, span)).collect();
        let value = self.f.expr(Expr::Load(te, at), Ty::Scalar(tt.dtype), span);
        let extents: Vec<ExprId> = (0..tt.ndim)
            .map(|k| self.f.expr(Expr::Dim(te, k), Ty::Scalar(DType::I64), span))
            .collect();
        let nest = self.store_nest(ye, &vars, value, &extents, span);
        self.fused.push((span, vec!["assign".to_owned()]));
        Some(Stmt::If {
            cond: same,
            then: nest,
            otherwise: vec![Stmt::Eval(e)],
        })
    }

    /// The local an assignment `e` writes into (through a view), when its source reads
    /// that local.
    fn self_update(&self, e: ExprId) -> Option<LocalId> {
        let f = &*self.f;
        let Expr::Intrinsic(Intrinsic::Assign, ops) = f.get(e) else {
            return None;
        };
        let [dst, src] = ops.as_slice() else {
            return None;
        };
        let mut root = *dst;
        let local = loop {
            match f.get(root) {
                Expr::Local(l) => break *l,
                Expr::View(a, _) => root = *a,
                _ => return None,
            }
        };
        self.reads(*src, local).then_some(local)
    }

    /// Whether `e` reads local `l`.
    fn reads(&self, e: ExprId, l: LocalId) -> bool {
        super::parallel::reads_local(self.f, e, l)
    }

    /// A self-update `Assign(dst, src)` of `y`: for `y op= x` (`src` is `Map2(op)(y, x)`)
    /// `x` is hoisted as any expression is and the update keeps its form (an array
    /// reduction in a prange body); otherwise only the parts of `src` that do not read `y`
    /// are hoisted.
    fn hoist_update(&mut self, e: ExprId, y: LocalId, out: &mut Vec<Stmt>) -> ExprId {
        let Expr::Intrinsic(Intrinsic::Assign, ops) = self.f.get(e).clone() else {
            return e;
        };
        let [dst, src] = ops[..] else {
            return e;
        };
        let is_y = |p: &Self, x: ExprId| match p.f.get(x) {
            Expr::Local(l) => *l == y,
            Expr::View(a, ix) => ix.is_empty() && *p.f.get(*a) == Expr::Local(y),
            _ => false,
        };
        if let Expr::Intrinsic(Intrinsic::Map2(_), xs) = self.f.get(src).clone()
            && let [a, b] = xs[..]
            && (is_y(self, a) || is_y(self, b))
        {
            let (a, b) = if is_y(self, a) {
                (a, self.hoist(b, out))
            } else {
                (self.hoist(a, out), b)
            };
            let src = self.rebuild(src, &[a, b]);
            return self.rebuild(e, &[dst, src]);
        }
        self.hoist_around(e, y, out)
    }

    /// `e` with the parts that do not read `y` hoisted (fused, dots as loops) and the parts
    /// that do kept as they are.
    fn hoist_around(&mut self, e: ExprId, y: LocalId, out: &mut Vec<Stmt>) -> ExprId {
        if !self.reads(e, y) {
            return self.hoist(e, out);
        }
        let expr = self.f.get(e).clone();
        if matches!(expr, Expr::Cond(..) | Expr::Local(_)) {
            return e;
        }
        let mut ops = Vec::new();
        expr.each_operand(|x| ops.push(x));
        let new: Vec<ExprId> = ops.iter().map(|&x| self.hoist_around(x, y, out)).collect();
        if new == ops { e } else { self.rebuild(e, &new) }
    }

    fn ty(&self, e: ExprId) -> Ty {
        self.f.ty(e).clone()
    }

    fn span(&self, e: ExprId) -> Span {
        self.f.span(e)
    }

    /// `e` with every element-wise tree and `np.dot` in it (outside conditional branches)
    /// computed before it by statements appended to `out`.
    fn hoist(&mut self, e: ExprId, out: &mut Vec<Stmt>) -> ExprId {
        let expr = self.f.get(e).clone();
        match &expr {
            Expr::Cond(..) | Expr::Const(_) | Expr::Local(_) | Expr::NoneVal => return e,
            Expr::Intrinsic(Intrinsic::Map1(_) | Intrinsic::Map2(_) | Intrinsic::Where, _) => {
                if let Some(tree) = self.tree(e)
                    && (self.in_prange == 0 || tree.ops.len() > 1)
                {
                    return self.emit_tree(e, tree, out);
                }
            }
            Expr::Intrinsic(Intrinsic::Reduce(r), ops) if ops.len() == 1 => {
                let fold = match r {
                    ReduceOp::Sum => Some(Fold::Sum),
                    ReduceOp::Prod => Some(Fold::Prod),
                    ReduceOp::Min => Some(Fold::Min),
                    ReduceOp::Max => Some(Fold::Max),
                    ReduceOp::Any | ReduceOp::All => None,
                };
                if let Some(fold) = fold
                    && let Some(x) = self.emit_reduce(e, fold, ops[0], out)
                {
                    return x;
                }
            }
            Expr::Intrinsic(Intrinsic::Mean, ops) if ops.len() == 1 => {
                if let Some(x) = self.emit_reduce(e, Fold::Mean, ops[0], out) {
                    return x;
                }
            }
            Expr::Intrinsic(Intrinsic::Dot, ops) if ops.len() == 2 => {
                let (a, b) = (self.hoist(ops[0], out), self.hoist(ops[1], out));
                if let Some(x) = self.emit_dot(e, a, b, out) {
                    return x;
                }
                return self.rebuild(e, &[a, b]);
            }
            _ => {}
        }
        let mut ops = Vec::new();
        expr.each_operand(|x| ops.push(x));
        let new: Vec<ExprId> = ops.iter().map(|&x| self.hoist(x, out)).collect();
        if new == ops { e } else { self.rebuild(e, &new) }
    }

    /// A copy of `e` with its operands replaced, in `each_operand`'s order.
    fn rebuild(&mut self, e: ExprId, new: &[ExprId]) -> ExprId {
        let mut it = new.iter().copied();
        let expr = self.f.get(e).map_operands(|x| it.next().unwrap_or(x));
        let (t, s) = (self.ty(e), self.span(e));
        self.f.expr(expr, t, s)
    }

    /// The element-wise tree rooted at `e`, or `None` when it cannot be fused.
    fn tree(&self, e: ExprId) -> Option<Tree> {
        let Ty::Array(at) = self.f.ty(e) else {
            return None;
        };
        let mut t = Tree {
            ndim: at.ndim,
            leaves: Vec::new(),
            ops: Vec::new(),
        };
        self.collect(e, &mut t)?;
        let arrays = t
            .leaves
            .iter()
            .filter(|&&l| matches!(self.f.ty(l), Ty::Array(_)))
            .count();
        (arrays > 0 && at.ndim > 0).then_some(t)
    }

    fn collect(&self, e: ExprId, t: &mut Tree) -> Option<()> {
        let f = &*self.f;
        let node = match f.get(e) {
            Expr::Intrinsic(
                op @ (Intrinsic::Map1(_) | Intrinsic::Map2(_) | Intrinsic::Where),
                xs,
            ) if matches!(f.ty(e), Ty::Array(a) if a.ndim == t.ndim) => Some((*op, xs.clone())),
            _ => None,
        };
        let Some((op, xs)) = node else {
            // A leaf: a scalar, or an array of the tree's rank.
            return match f.ty(e) {
                Ty::Scalar(_) => {
                    t.leaves.push(e);
                    Some(())
                }
                Ty::Array(a) if a.ndim == t.ndim => {
                    t.leaves.push(e);
                    Some(())
                }
                _ => None,
            };
        };
        let rd = f.ty(e).array()?.dtype;
        let cd = match op {
            Intrinsic::Map1(u) if u.is_predicate() => self.dtype(xs[0])?,
            Intrinsic::Map2(b) if b.is_comparison() => {
                promote(self.dtype(xs[0])?, self.dtype(xs[1])?)
            }
            _ => rd,
        };
        if let Intrinsic::Map2(BinaryOp::Pow) = op
            && cd.is_int()
        {
            return None;
        }
        let operands: &[ExprId] = match op {
            Intrinsic::Where => &xs[1..],
            _ => &xs,
        };
        for &x in operands {
            let d = self.dtype(x)?;
            if d.is_float() && !cd.is_float() {
                return None;
            }
        }
        t.ops.push(match op {
            Intrinsic::Map1(u) => u.name().to_owned(),
            Intrinsic::Map2(b) => b.name().to_owned(),
            _ => "where".to_owned(),
        });
        for &x in &xs {
            self.collect(x, t)?;
        }
        Some(())
    }

    /// The dtype of a scalar or array expression.
    fn dtype(&self, e: ExprId) -> Option<DType> {
        match self.f.ty(e) {
            Ty::Scalar(d) => Some(*d),
            Ty::Array(a) => Some(a.dtype),
            _ => None,
        }
    }

    fn local_expr(&mut self, l: LocalId, span: Span) -> ExprId {
        let t = self.f.local_decl(l).ty.clone();
        self.f.expr(Expr::Local(l), t, span)
    }

    fn int(&mut self, v: i64, span: Span) -> ExprId {
        self.f
            .expr(Expr::Const(Scalar::I64(v)), Ty::Scalar(DType::I64), span)
    }

    /// Evaluates `e` into a new local (unless it is one or a constant already).
    fn temp(&mut self, e: ExprId, out: &mut Vec<Stmt>) -> ExprId {
        if matches!(self.f.get(e), Expr::Local(_) | Expr::Const(_)) {
            return e;
        }
        let (t, s) = (self.ty(e), self.span(e));
        let l = self.f.local(format!("$leaf{}", self.f.locals.len()), t);
        out.push(Stmt::Assign(l, e));
        self.local_expr(l, s)
    }

    /// `x` cast to `d` as the intrinsics cast their operands.
    fn cast(&mut self, x: ExprId, d: DType) -> ExprId {
        let from = self.dtype(x);
        if from == Some(d) {
            return x;
        }
        let s = self.span(x);
        if let Expr::Const(k) = self.f.get(x) {
            let k = k.cast(d);
            return self.f.expr(Expr::Const(k), Ty::Scalar(d), s);
        }
        self.f.expr(Expr::Cast(x, d), Ty::Scalar(d), s)
    }

    /// Emits the loop nest of tree `t` rooted at `e`, returning the local with its result.
    fn emit_tree(&mut self, e: ExprId, t: Tree, out: &mut Vec<Stmt>) -> ExprId {
        let span = self.span(e);
        let Ty::Array(at) = self.ty(e) else {
            return e;
        };
        let (temps, arrays) = self.hoist_leaves(&t.leaves, out);
        self.n += 1;
        let result = self.f.local(format!("$fused{}", self.n), Ty::Array(at));
        self.fresh.push(result);
        let first = arrays[0];
        let extents: Vec<ExprId> = (0..at.ndim)
            .map(|k| {
                self.f
                    .expr(Expr::Dim(first, k), Ty::Scalar(DType::I64), span)
            })
            .collect();
        let vars = self.loop_vars(at.ndim);
        // The element, from the tree with leaves read at the loop's indices.
        let mut leaf_at = temps.iter().copied();
        let value = self.element(e, &vars, &mut leaf_at, span);
        let target = self.local_expr(result, span);
        let nest = self.store_nest(target, &vars, value, &extents, span);
        // The nest stores every element: the new array need not be zeroed first.
        let fresh = self.f.expr(
            Expr::Intrinsic(Intrinsic::Filled, extents.clone()),
            Ty::Array(at),
            span,
        );
        let mut fused = vec![Stmt::Assign(result, fresh)];
        fused.extend(nest);
        // Shapes equal: the loop nest; otherwise the operations themselves (broadcasting).
        let same = self.same_shapes(&arrays, at.ndim, span);
        match same {
            None => out.extend(fused),
            Some(cond) => {
                let mut leaf_at = temps.iter().copied();
                let original = self.original(e, &mut leaf_at);
                out.push(Stmt::If {
                    cond,
                    then: fused,
                    otherwise: vec![Stmt::Assign(result, original)],
                });
            }
        }
        self.fused.push((span, t.ops));
        self.local_expr(result, span)
    }

    /// A tree's leaves evaluated in order into locals (their own trees and dots first):
    /// every leaf's local, and those of the array leaves.
    fn hoist_leaves(
        &mut self,
        leaves: &[ExprId],
        out: &mut Vec<Stmt>,
    ) -> (Vec<ExprId>, Vec<ExprId>) {
        let mut temps = Vec::with_capacity(leaves.len());
        for &leaf in leaves {
            let h = self.hoist(leaf, out);
            temps.push(self.temp(h, out));
        }
        let arrays = temps
            .iter()
            .copied()
            .filter(|&l| matches!(self.f.ty(l), Ty::Array(_)))
            .collect();
        (temps, arrays)
    }

    /// Whether every array of `arrays` has the first one's shape (`ndim` axes), as a bool
    /// expression; `None` when there is only one array.
    fn same_shapes(&mut self, arrays: &[ExprId], ndim: u8, span: Span) -> Option<ExprId> {
        let (&first, rest) = arrays.split_first()?;
        let mut same: Option<ExprId> = None;
        for &a in rest {
            for k in 0..ndim {
                let x = self.f.expr(Expr::Dim(a, k), Ty::Scalar(DType::I64), span);
                let y = self
                    .f
                    .expr(Expr::Dim(first, k), Ty::Scalar(DType::I64), span);
                let eq = self.f.expr(
                    Expr::Binary(BinaryOp::Eq, x, y),
                    Ty::Scalar(DType::Bool),
                    span,
                );
                same = Some(self.chain(BinaryOp::And, same, eq, DType::Bool, span));
            }
        }
        same
    }

    /// `acc op x` (just `x` when there is no `acc` yet), of dtype `d`.
    fn chain(
        &mut self,
        op: BinaryOp,
        acc: Option<ExprId>,
        x: ExprId,
        d: DType,
        span: Span,
    ) -> ExprId {
        match acc {
            None => x,
            Some(c) => self.f.expr(Expr::Binary(op, c, x), Ty::Scalar(d), span),
        }
    }

    /// The tree `e` with its leaves replaced, in order, by `leaves`.
    fn original(&mut self, e: ExprId, leaves: &mut impl Iterator<Item = ExprId>) -> ExprId {
        match self.f.get(e).clone() {
            Expr::Intrinsic(
                op @ (Intrinsic::Map1(_) | Intrinsic::Map2(_) | Intrinsic::Where),
                xs,
            ) if matches!(self.f.ty(e), Ty::Array(_)) && self.is_node(e) => {
                let xs: Vec<ExprId> = xs.iter().map(|&x| self.original(x, leaves)).collect();
                let (t, s) = (self.ty(e), self.span(e));
                self.f.expr(Expr::Intrinsic(op, xs), t, s)
            }
            _ => leaves.next().unwrap_or(e),
        }
    }

    /// Whether `e` is an inner node of the tree being emitted (not a leaf), by the rule
    /// `collect` used.
    fn is_node(&self, e: ExprId) -> bool {
        matches!(
            self.f.get(e),
            Expr::Intrinsic(
                Intrinsic::Map1(_) | Intrinsic::Map2(_) | Intrinsic::Where,
                _
            )
        )
    }

    /// The element of tree `e` at indices `vars`.
    fn element(
        &mut self,
        e: ExprId,
        vars: &[LocalId],
        leaves: &mut impl Iterator<Item = ExprId>,
        span: Span,
    ) -> ExprId {
        let node = match self.f.get(e).clone() {
            Expr::Intrinsic(
                op @ (Intrinsic::Map1(_) | Intrinsic::Map2(_) | Intrinsic::Where),
                xs,
            ) if self.is_node(e) && matches!(self.f.ty(e), Ty::Array(_)) => Some((op, xs)),
            _ => None,
        };
        let Some((op, xs)) = node else {
            let leaf = leaves.next().unwrap_or(e);
            return match self.ty(leaf) {
                Ty::Array(a) => {
                    let index = vars.iter().map(|&v| self.local_expr(v, span)).collect();
                    self.f
                        .expr(Expr::Load(leaf, index), Ty::Scalar(a.dtype), span)
                }
                _ => leaf,
            };
        };
        let rd = self.dtype(e).unwrap_or(DType::F64);
        let s = self.span(e);
        match op {
            Intrinsic::Map1(u) => {
                let cd = if u.is_predicate() {
                    self.dtype(xs[0]).unwrap_or(rd)
                } else {
                    rd
                };
                let x = self.element(xs[0], vars, leaves, span);
                let x = self.cast(x, cd);
                self.f.expr(Expr::Unary(u, x), Ty::Scalar(rd), s)
            }
            Intrinsic::Map2(b) => {
                let cd = if b.is_comparison() {
                    promote(
                        self.dtype(xs[0]).unwrap_or(rd),
                        self.dtype(xs[1]).unwrap_or(rd),
                    )
                } else {
                    rd
                };
                let x = self.element(xs[0], vars, leaves, span);
                let y = self.element(xs[1], vars, leaves, span);
                let (x, y) = (self.cast(x, cd), self.cast(y, cd));
                self.f.expr(Expr::Binary(b, x, y), Ty::Scalar(rd), s)
            }
            _ => {
                let c = self.element(xs[0], vars, leaves, span);
                let a = self.element(xs[1], vars, leaves, span);
                let b = self.element(xs[2], vars, leaves, span);
                let (a, b) = (self.cast(a, rd), self.cast(b, rd));
                self.f.expr(Expr::Cond(c, a, b), Ty::Scalar(rd), s)
            }
        }
    }

    /// `np.sum/prod/min/max/mean(x)` of an array or an element-wise tree as a parallel
    /// loop nest accumulating into a local (a reduction `kir::parallel` splits into
    /// chunks), the tree's elements computed in the loop without a temporary array; `None`
    /// when it cannot be fused.
    fn emit_reduce(
        &mut self,
        e: ExprId,
        fold: Fold,
        x: ExprId,
        out: &mut Vec<Stmt>,
    ) -> Option<ExprId> {
        let Ty::Scalar(rd) = self.ty(e) else {
            return None;
        };
        let Ty::Array(xt) = self.ty(x) else {
            return None;
        };
        if xt.ndim == 0 || rd == DType::Bool || (xt.dtype.is_float() && !rd.is_float()) {
            return None;
        }
        // The accumulator's dtype: the result's, but a mean sums in the elements' float
        // dtype (float64 for integers) and divides in float64.
        let ad = match fold {
            Fold::Mean if xt.dtype.is_float() => xt.dtype,
            Fold::Mean => DType::F64,
            _ => rd,
        };
        let t = if self.is_node(x) {
            self.tree(x)?
        } else {
            Tree {
                ndim: xt.ndim,
                leaves: vec![x],
                ops: Vec::new(),
            }
        };
        let span = self.span(e);
        let (temps, arrays) = self.hoist_leaves(&t.leaves, out);
        let first = *arrays.first()?;
        self.n += 1;
        let n = self.n;
        let acc = self.f.local(format!("$reduce{n}"), Ty::Scalar(ad));
        let vars: Vec<LocalId> = (0..xt.ndim)
            .map(|k| self.f.local(format!("$r{n}_{k}"), Ty::Scalar(DType::I64)))
            .collect();
        let mut leaf_at = temps.iter().copied();
        let value = if self.is_node(x) {
            self.element(x, &vars, &mut leaf_at, span)
        } else {
            let index = vars.iter().map(|&v| self.local_expr(v, span)).collect();
            self.f
                .expr(Expr::Load(first, index), Ty::Scalar(xt.dtype), span)
        };
        let value = self.cast(value, ad);
        let cur = self.local_expr(acc, span);
        // min/max: `acc = minimum/maximum(x, acc)`, NaN-propagating; of equal values
        // (zeros of both signs) the accumulator's, so the first stays, as in Numba's loop.
        let (bop, a, b) = match fold {
            Fold::Sum | Fold::Mean => (BinaryOp::Add, cur, value),
            Fold::Prod => (BinaryOp::Mul, cur, value),
            Fold::Min => (BinaryOp::Minimum, value, cur),
            Fold::Max => (BinaryOp::Maximum, value, cur),
        };
        let next = self.f.expr(Expr::Binary(bop, a, b), Ty::Scalar(ad), span);
        let mut nest = vec![Stmt::Assign(acc, next)];
        for k in (0..xt.ndim).rev() {
            let start = self.int(0, span);
            let step = self.int(1, span);
            let stop = self
                .f
                .expr(Expr::Dim(first, k), Ty::Scalar(DType::I64), span);
            nest = vec![Stmt::For {
                var: vars[k as usize],
                start,
                stop,
                step,
                body: nest,
                parallel: k == 0,
                span,
            }];
        }
        // The serial reduction's start (+0 for a sum, so that a sum of -0.0 is 0.0, as
        // the executor and Numba give); the extremes start at the value every element
        // replaces but an equal one (the dtype's end, an infinity for floats).
        let init = match fold {
            Fold::Sum | Fold::Mean => Scalar::zero(ad),
            Fold::Prod => Scalar::one(ad),
            Fold::Min => Scalar::end(ad, true),
            Fold::Max => Scalar::end(ad, false),
        };
        let init = self.f.expr(Expr::Const(init), Ty::Scalar(ad), span);
        let mut fused = vec![Stmt::Assign(acc, init)];
        fused.extend(nest);
        // The size of the reduced array, for a mean's division and an extreme's check.
        let mut size = None;
        for k in 0..xt.ndim {
            let d = self
                .f
                .expr(Expr::Dim(first, k), Ty::Scalar(DType::I64), span);
            size = Some(self.chain(BinaryOp::Mul, size, d, DType::I64, span));
        }
        let size = size?;
        let result = if fold == Fold::Mean {
            let r = self.f.local(format!("$mean{n}"), Ty::Scalar(rd));
            let (sum, count) = (self.local_expr(acc, span), size);
            let (sum, count) = (self.cast(sum, DType::F64), self.cast(count, DType::F64));
            let q = self.f.expr(
                Expr::Binary(BinaryOp::TrueDiv, sum, count),
                Ty::Scalar(DType::F64),
                span,
            );
            let q = self.cast(q, rd);
            fused.push(Stmt::Assign(r, q));
            r
        } else {
            acc
        };
        let mut cond = self.same_shapes(&arrays, xt.ndim, span);
        if matches!(fold, Fold::Min | Fold::Max) {
            // An empty array: the intrinsic's ValueError.
            let zero = self.int(0, span);
            let some = self.f.expr(
                Expr::Binary(BinaryOp::Gt, size, zero),
                Ty::Scalar(DType::Bool),
                span,
            );
            cond = Some(self.chain(BinaryOp::And, cond, some, DType::Bool, span));
        }
        match cond {
            None => out.extend(fused),
            Some(cond) => {
                let mut leaf_at = temps.iter().copied();
                let original = self.original(x, &mut leaf_at);
                let whole = self.f.expr(
                    Expr::Intrinsic(fold.intrinsic(), vec![original]),
                    Ty::Scalar(rd),
                    span,
                );
                out.push(Stmt::If {
                    cond,
                    then: fused,
                    otherwise: vec![Stmt::Assign(result, whole)],
                });
            }
        }
        let mut ops = t.ops;
        ops.insert(0, fold.name().to_owned());
        self.fused.push((span, ops));
        Some(self.local_expr(result, span))
    }

    /// `np.dot(a, b)` (operands already hoisted) as a parallel loop nest, when it is a
    /// matrix times a vector or a matrix; `None` otherwise.
    fn emit_dot(&mut self, e: ExprId, a: ExprId, b: ExprId, out: &mut Vec<Stmt>) -> Option<ExprId> {
        let (Ty::Array(at), Ty::Array(bt), Ty::Array(rt)) = (self.ty(a), self.ty(b), self.ty(e))
        else {
            return None;
        };
        let rd = rt.dtype;
        if (at.dtype.is_float() || bt.dtype.is_float()) && !rd.is_float() {
            return None;
        }
        // A vector times a matrix stays the intrinsic: its code reads the matrix once, in
        // row order, where a parallel loop over the result's elements (the matrix's
        // columns) reads the whole matrix once per column, down it; measured on
        // logistic regression's 1e5 x 10 in Node: 1.3 ms against 3.0 ms at 2 threads.
        if !matches!((at.ndim, bt.ndim), (2, 1) | (2, 2)) {
            return None;
        }
        let span = self.span(e);
        let a = self.temp(a, out);
        let b = self.temp(b, out);
        self.n += 1;
        let n = self.n;
        let dim = |p: &mut Self, x: ExprId, k: u8| {
            p.f.expr(Expr::Dim(x, k), Ty::Scalar(DType::I64), span)
        };
        // a: (m, k) or (k,); b: (k, p) or (k,).
        let (m, ka) = if at.ndim == 2 {
            (Some(dim(self, a, 0)), dim(self, a, 1))
        } else {
            (None, dim(self, a, 0))
        };
        let kb = dim(self, b, 0);
        let p = (bt.ndim == 2).then(|| dim(self, b, 1));
        let result = self.f.local(format!("$dot{n}"), Ty::Array(rt));
        let i = self.f.local(format!("$d{n}_i"), Ty::Scalar(DType::I64));
        let j = self.f.local(format!("$d{n}_j"), Ty::Scalar(DType::I64));
        let k = self.f.local(format!("$d{n}_k"), Ty::Scalar(DType::I64));
        let acc = self.f.local(format!("$d{n}_acc"), Ty::Scalar(rd));
        let get = |p: &mut Self, l: LocalId| p.local_expr(l, span);
        let loop_ = |var: LocalId, stop: ExprId, body: Vec<Stmt>, parallel: bool, s: &mut Self| {
            let start = s.int(0, span);
            let step = s.int(1, span);
            Stmt::For {
                var,
                start,
                stop,
                step,
                body,
                parallel,
                span,
            }
        };
        let nest = if let (Some(m), Some(p)) = (m, p) {
            // A matrix product in i-k-j order: the inner loop walks a row of `b` and of
            // the result, contiguous in memory, instead of a column of `b`. Each result
            // element still sums its k terms in order from +0 (the zeroed result), so
            // its bits are the intrinsic's.
            let (ri, rj) = (get(self, i), get(self, j));
            let (ai, ak) = (get(self, i), get(self, k));
            let (bk, bj) = (get(self, k), get(self, j));
            let (oi, oj) = (get(self, i), get(self, j));
            let x = self
                .f
                .expr(Expr::Load(a, vec![ai, ak]), Ty::Scalar(at.dtype), span);
            let y = self
                .f
                .expr(Expr::Load(b, vec![bk, bj]), Ty::Scalar(bt.dtype), span);
            let (x, y) = (self.cast(x, rd), self.cast(y, rd));
            let prod = self
                .f
                .expr(Expr::Binary(BinaryOp::Mul, x, y), Ty::Scalar(rd), span);
            let target = get(self, result);
            let cur_target = get(self, result);
            let cur = self
                .f
                .expr(Expr::Load(cur_target, vec![oi, oj]), Ty::Scalar(rd), span);
            let sum = self
                .f
                .expr(Expr::Binary(BinaryOp::Add, cur, prod), Ty::Scalar(rd), span);
            let store = Stmt::Store {
                array: target,
                index: vec![ri, rj],
                value: sum,
                span,
            };
            let cols = loop_(j, p, vec![store], false, self);
            let terms = loop_(k, ka, vec![cols], false, self);
            vec![loop_(i, m, vec![terms], true, self)]
        } else {
            // A matrix times a vector: row i is acc = 0; for k: acc = acc + a[i, k] * b[k].
            // Four rows at a time, so that four independent sums hide the latency of the
            // additions each sum must make in order (each row's terms still add in order
            // from +0: the same bits); the rows left over after the last block of four
            // run one at a time after the parallel loop.
            let m = m?;
            const ROWS: i64 = 4;
            let block = self.f.local(format!("$d{n}_b"), Ty::Scalar(DType::I64));
            let bk = self.f.local(format!("$d{n}_y"), Ty::Scalar(rd));
            let rows: Vec<LocalId> = (0..ROWS)
                .map(|r| self.f.local(format!("$d{n}_i{r}"), Ty::Scalar(DType::I64)))
                .collect();
            let accs: Vec<LocalId> = (0..ROWS)
                .map(|r| self.f.local(format!("$d{n}_acc{r}"), Ty::Scalar(rd)))
                .collect();
            let zero = |p: &mut Self| {
                p.f.expr(Expr::Const(Scalar::zero(rd)), Ty::Scalar(rd), span)
            };
            let i64_ = Ty::Scalar(DType::I64);
            let bin = |p: &mut Self, op: BinaryOp, x: ExprId, y: ExprId, t: Ty| {
                p.f.expr(Expr::Binary(op, x, y), t, span)
            };
            // acc = acc + cast(a[row, k]) * y
            let term = |p: &mut Self, acc: LocalId, row: LocalId, y: LocalId| {
                let (ar, ak) = (p.local_expr(row, span), p.local_expr(k, span));
                let x =
                    p.f.expr(Expr::Load(a, vec![ar, ak]), Ty::Scalar(at.dtype), span);
                let x = p.cast(x, rd);
                let y = p.local_expr(y, span);
                let prod = bin(p, BinaryOp::Mul, x, y, Ty::Scalar(rd));
                let cur = p.local_expr(acc, span);
                let sum = bin(p, BinaryOp::Add, cur, prod, Ty::Scalar(rd));
                Stmt::Assign(acc, sum)
            };
            let load_b = |p: &mut Self| {
                let bk_i = p.local_expr(k, span);
                let yv =
                    p.f.expr(Expr::Load(b, vec![bk_i]), Ty::Scalar(bt.dtype), span);
                let yv = p.cast(yv, rd);
                Stmt::Assign(bk, yv)
            };
            let store_acc = |p: &mut Self, row: LocalId, acc: LocalId| {
                let target = p.local_expr(result, span);
                let idx = p.local_expr(row, span);
                let v = p.local_expr(acc, span);
                Stmt::Store {
                    array: target,
                    index: vec![idx],
                    value: v,
                    span,
                }
            };
            // The parallel loop over blocks of four rows.
            let mut body = Vec::new();
            for (r, &row) in rows.iter().enumerate() {
                let b_e = self.local_expr(block, span);
                let four = self.int(ROWS, span);
                let first = bin(self, BinaryOp::Mul, b_e, four, i64_.clone());
                let off = self.int(r as i64, span);
                body.push(Stmt::Assign(
                    row,
                    bin(self, BinaryOp::Add, first, off, i64_.clone()),
                ));
            }
            for &acc_r in &accs {
                let z = zero(self);
                body.push(Stmt::Assign(acc_r, z));
            }
            let mut terms = vec![load_b(self)];
            for (&acc_r, &row) in accs.iter().zip(&rows) {
                terms.push(term(self, acc_r, row, bk));
            }
            let ka_b = dim(self, a, 1);
            body.push(loop_(k, ka_b, terms, false, self));
            for (&acc_r, &row) in accs.iter().zip(&rows) {
                body.push(store_acc(self, row, acc_r));
            }
            let nblocks = {
                let four = self.int(ROWS, span);
                bin(self, BinaryOp::FloorDiv, m, four, i64_.clone())
            };
            let blocks = loop_(block, nblocks, body, true, self);
            // The rows after the last block, one at a time.
            let tail_start = {
                let m2 = dim(self, a, 0);
                let four = self.int(ROWS, span);
                let q = bin(self, BinaryOp::FloorDiv, m2, four, i64_.clone());
                let four = self.int(ROWS, span);
                bin(self, BinaryOp::Mul, q, four, i64_.clone())
            };
            let z = zero(self);
            let terms = vec![load_b(self), term(self, acc, i, bk)];
            let ka_t = dim(self, a, 1);
            let inner = loop_(k, ka_t, terms, false, self);
            let element = vec![Stmt::Assign(acc, z), inner, store_acc(self, i, acc)];
            let m3 = dim(self, a, 0);
            let one = self.int(1, span);
            let tail = Stmt::For {
                var: i,
                start: tail_start,
                stop: m3,
                step: one,
                body: element,
                parallel: false,
                span,
            };
            vec![blocks, tail]
        };
        let extents: Vec<ExprId> = m.into_iter().chain(p).collect();
        let zeros = self.f.expr(
            Expr::Intrinsic(Intrinsic::Zeros, extents),
            Ty::Array(rt),
            span,
        );
        let aligned = self.f.expr(
            Expr::Binary(BinaryOp::Eq, ka, kb),
            Ty::Scalar(DType::Bool),
            span,
        );
        let original = self.f.expr(
            Expr::Intrinsic(Intrinsic::Dot, vec![a, b]),
            Ty::Array(rt),
            span,
        );
        out.push(Stmt::If {
            cond: aligned,
            then: std::iter::once(Stmt::Assign(result, zeros))
                .chain(nest)
                .collect(),
            otherwise: vec![Stmt::Assign(result, original)],
        });
        self.fused.push((span, vec!["dot".to_owned()]));
        Some(self.local_expr(result, span))
    }
}
