//! Bounds checks hoisted out of innermost loops. A loop
//!
//! ```text
//! for v in range(start, stop, step):      (step a positive constant)
//!     i = v                               (an index local: v or v + c, assigned first)
//!     ... a[i + c] ... a[u, i] ...         (a not assigned in the loop, u invariant)
//! ```
//!
//! becomes
//!
//! ```text
//! $from = start; $to = stop
//! if <every such read is inside its array for v = lo and v = hi - 1>:
//!     for v in range(lo, hi, step): <the body, those reads marked in bounds>
//! else:
//!     for v in range(lo, hi, step): <the body as it was>
//! ```
//!
//! so that generated code reads (and stores: `out[i] = ...`, marked on the store's array
//! expression) without a check per element when the range proves them, and reports the
//! same IndexError at the same element when it does not. Only
//! innermost loops (no loop inside) are duplicated, so code grows at most twofold. The
//! executor runs the same program and checks every read anyway.

use std::collections::{HashMap, HashSet};

use super::copy::Copier;
use super::parallel::each_stmt;
use super::{Expr, ExprId, Function, LocalId, Stmt, Ty};
use crate::types::{BinaryOp, DType, Scalar};

/// Constants and trip bounds beyond this are left checked (their sums could overflow).
const LIMIT: i64 = 1 << 60;

/// Hoists the checks of every innermost non-parallel loop of `f` whose reads allow it.
pub fn hoist(f: &mut Function) {
    let body = std::mem::take(&mut f.body);
    f.body = block(f, body);
}

fn block(f: &mut Function, body: Vec<Stmt>) -> Vec<Stmt> {
    let mut out = Vec::with_capacity(body.len());
    for st in body {
        match st {
            Stmt::If {
                cond,
                then,
                otherwise,
            } => out.push(Stmt::If {
                cond,
                then: block(f, then),
                otherwise: block(f, otherwise),
            }),
            Stmt::While { cond, body } => out.push(Stmt::While {
                cond,
                body: block(f, body),
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
                if parallel || has_loop(&body) {
                    out.push(Stmt::For {
                        var,
                        start,
                        stop,
                        step,
                        body: block(f, body),
                        parallel,
                        span,
                    });
                } else {
                    out.extend(innermost(f, var, start, stop, step, body, span));
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn has_loop(body: &[Stmt]) -> bool {
    let mut found = false;
    each_stmt(body, &mut |s| {
        found |= matches!(s, Stmt::For { .. } | Stmt::While { .. } | Stmt::ParFor(_));
    });
    found
}

/// How many times a block assigns each local (loop variables included).
fn assign_counts(body: &[Stmt]) -> HashMap<LocalId, usize> {
    let mut out: HashMap<LocalId, usize> = HashMap::new();
    each_stmt(body, &mut |s| match s {
        Stmt::Assign(l, _) | Stmt::For { var: l, .. } => *out.entry(*l).or_default() += 1,
        _ => {}
    });
    out
}

/// A read's index on one axis: `v + c` or a loop-invariant local or constant.
#[derive(Clone, Copy)]
enum Ix {
    Var(i64),
    Invariant(LocalId),
    Const(i64),
}

/// The loads of `body` (any depth) that can be proven, with each index's form.
struct Reads {
    loads: Vec<(ExprId, LocalId, Vec<Ix>)>,
}

fn innermost(
    f: &mut Function,
    var: LocalId,
    start: ExprId,
    stop: ExprId,
    step: ExprId,
    body: Vec<Stmt>,
    span: crate::syntax::Span,
) -> Vec<Stmt> {
    let keep = |body| {
        vec![Stmt::For {
            var,
            start,
            stop,
            step,
            body,
            parallel: false,
            span,
        }]
    };
    let positive_step = matches!(f.get(step), Expr::Const(Scalar::I64(s)) if *s > 0);
    let counts = assign_counts(&body);
    let written: HashSet<LocalId> = counts.keys().copied().collect();
    if !positive_step || written.contains(&var) {
        return keep(body);
    }
    // Index locals: assigned once, at the top of the body, from `v` or `v + c`, before
    // anything reads them.
    let mut offset: HashMap<LocalId, i64> = HashMap::new();
    offset.insert(var, 0);
    for st in &body {
        let Stmt::Assign(l, e) = st else { break };
        let Some(c) = affine(f, *e, &offset) else {
            break;
        };
        if counts.get(l) == Some(&1) {
            offset.insert(*l, c);
        }
    }
    let mut reads = Reads { loads: Vec::new() };
    for st in &body {
        collect(f, st, &offset, &written, &mut reads);
    }
    if reads.loads.is_empty() {
        return keep(body);
    }
    // lo = start; hi = stop; the precondition; both loops.
    let i64t = Ty::Scalar(DType::I64);
    let bool_t = Ty::Scalar(DType::Bool);
    let sp = f.span(start);
    let lo = f.local("$from", i64t.clone());
    let hi = f.local("$to", i64t.clone());
    let mut cond: Option<ExprId> = None;
    let mut and = |f: &mut Function, c: ExprId| {
        cond = Some(match cond {
            None => c,
            Some(prev) => {
                let no = f.expr(Expr::Const(Scalar::Bool(false)), bool_t.clone(), sp);
                f.expr(Expr::Cond(prev, c, no), bool_t.clone(), sp)
            }
        });
    };
    let k = |f: &mut Function, v: i64| f.expr(Expr::Const(Scalar::I64(v)), i64t.clone(), sp);
    let local = |f: &mut Function, l: LocalId| {
        let ty = f.local_decl(l).ty.clone();
        f.expr(Expr::Local(l), ty, sp)
    };
    let cmp = |f: &mut Function, op: BinaryOp, a: ExprId, b: ExprId| {
        f.expr(Expr::Binary(op, a, b), bool_t.clone(), sp)
    };
    // The range itself within the limits, so that `lo + c` and `hi - 1 + c` cannot wrap.
    let (l, m) = (local(f, lo), k(f, -LIMIT));
    let c1 = cmp(f, BinaryOp::Ge, l, m);
    and(f, c1);
    let (h, m) = (local(f, hi), k(f, LIMIT));
    let c2 = cmp(f, BinaryOp::Le, h, m);
    and(f, c2);
    let mut proven = Vec::new();
    // (each array axis and index form checked once)
    let mut checked: HashSet<(usize, usize, u8, i64)> = HashSet::new();
    for (e, arr, ix) in &reads.loads {
        for (axis, x) in ix.iter().enumerate() {
            let key = match *x {
                Ix::Var(c) => (arr.index(), axis, 0, c),
                Ix::Invariant(u) => (arr.index(), axis, 1, u.index() as i64),
                Ix::Const(c) => (arr.index(), axis, 2, c),
            };
            if !checked.insert(key) {
                continue;
            }
            let a = local(f, *arr);
            let dim = f.expr(Expr::Dim(a, axis as u8), i64t.clone(), sp);
            match *x {
                Ix::Var(c) => {
                    // lo + c >= 0 and hi - 1 + c < dim.
                    let (l, cc) = (local(f, lo), k(f, c));
                    let first = f.expr(Expr::Binary(BinaryOp::Add, l, cc), i64t.clone(), sp);
                    let zero = k(f, 0);
                    let ok_lo = cmp(f, BinaryOp::Ge, first, zero);
                    and(f, ok_lo);
                    let (h, cc) = (local(f, hi), k(f, c - 1));
                    let last = f.expr(Expr::Binary(BinaryOp::Add, h, cc), i64t.clone(), sp);
                    let ok_hi = cmp(f, BinaryOp::Lt, last, dim);
                    and(f, ok_hi);
                }
                Ix::Invariant(u) => {
                    let (uv, zero) = (local(f, u), k(f, 0));
                    let ok_lo = cmp(f, BinaryOp::Ge, uv, zero);
                    and(f, ok_lo);
                    let uv = local(f, u);
                    let ok_hi = cmp(f, BinaryOp::Lt, uv, dim);
                    and(f, ok_hi);
                }
                Ix::Const(c) => {
                    let (cv, zero) = (k(f, c), k(f, 0));
                    let ok_lo = cmp(f, BinaryOp::Ge, cv, zero);
                    and(f, ok_lo);
                    let cv = k(f, c);
                    let ok_hi = cmp(f, BinaryOp::Lt, cv, dim);
                    and(f, ok_hi);
                }
            }
        }
        proven.push(*e);
    }
    let Some(cond) = cond else {
        return keep(body);
    };
    // The proven copy of the body.
    let src = f.clone();
    let identity: HashMap<LocalId, LocalId> = (0..src.locals.len())
        .map(|i| (LocalId::from_index(i), LocalId::from_index(i)))
        .collect();
    let mut copier = Copier::new(&src, identity);
    let fast_body = copier.body(f, &body);
    for e in proven {
        if let Some(x) = copier.copied(e) {
            f.mark_in_bounds(x);
        }
    }
    let (lv, hv) = (local(f, lo), local(f, hi));
    let (lv2, hv2) = (local(f, lo), local(f, hi));
    let step2 = copier.expr(f, step);
    vec![
        Stmt::Assign(lo, start),
        Stmt::Assign(hi, stop),
        Stmt::If {
            cond,
            then: vec![Stmt::For {
                var,
                start: lv,
                stop: hv,
                step: step2,
                body: fast_body,
                parallel: false,
                span,
            }],
            otherwise: vec![Stmt::For {
                var,
                start: lv2,
                stop: hv2,
                step,
                body,
                parallel: false,
                span,
            }],
        },
    ]
}

/// `e` as `v + c` for a known index local: its `c`.
fn affine(f: &Function, e: ExprId, offset: &HashMap<LocalId, i64>) -> Option<i64> {
    let small = |c: i64| (-LIMIT..=LIMIT).contains(&c).then_some(c);
    match f.get(e) {
        Expr::Local(l) => offset.get(l).copied(),
        Expr::Binary(BinaryOp::Add, a, b) => match (f.get(*a), f.get(*b)) {
            (Expr::Local(l), Expr::Const(Scalar::I64(c)))
            | (Expr::Const(Scalar::I64(c)), Expr::Local(l)) => {
                small(offset.get(l)?.checked_add(*c)?)
            }
            _ => None,
        },
        Expr::Binary(BinaryOp::Sub, a, b) => match (f.get(*a), f.get(*b)) {
            (Expr::Local(l), Expr::Const(Scalar::I64(c))) => small(offset.get(l)?.checked_sub(*c)?),
            _ => None,
        },
        _ => None,
    }
}

fn collect(
    f: &Function,
    st: &Stmt,
    offset: &HashMap<LocalId, i64>,
    written: &HashSet<LocalId>,
    reads: &mut Reads,
) {
    let mut visit = |e: ExprId| each_load(f, e, offset, written, reads);
    match st {
        Stmt::Assign(_, e) | Stmt::Eval(e) => visit(*e),
        Stmt::Store {
            array,
            index,
            value,
            ..
        } => {
            visit(*array);
            for &i in index {
                visit(i);
            }
            visit(*value);
            // The store itself, marked on its array expression.
            if let Expr::Local(arr) = f.get(*array)
                && !written.contains(arr)
                && !f.is_in_bounds(*array)
                && let Some(ix) = index_forms(f, index, offset, written)
            {
                reads.loads.push((*array, *arr, ix));
            }
        }
        Stmt::If {
            cond,
            then,
            otherwise,
        } => {
            visit(*cond);
            for s in then.iter().chain(otherwise) {
                collect(f, s, offset, written, reads);
            }
        }
        Stmt::Return(Some(e)) => visit(*e),
        Stmt::Append { list, value } => {
            visit(*list);
            visit(*value);
        }
        _ => {}
    }
}

fn each_load(
    f: &Function,
    e: ExprId,
    offset: &HashMap<LocalId, i64>,
    written: &HashSet<LocalId>,
    reads: &mut Reads,
) {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        let x = f.get(e);
        if let Expr::Load(a, idx) = x
            && let Expr::Local(arr) = f.get(*a)
            && !written.contains(arr)
            && !f.is_in_bounds(e)
        {
            if let Some(ix) = index_forms(f, idx, offset, written) {
                reads.loads.push((e, *arr, ix));
            }
        }
        x.each_operand(|o| stack.push(o));
    }
}

/// Each index's form, when every one is `v + c`, invariant or a constant and one is `v + c`.
fn index_forms(
    f: &Function,
    index: &[ExprId],
    offset: &HashMap<LocalId, i64>,
    written: &HashSet<LocalId>,
) -> Option<Vec<Ix>> {
    let ix: Vec<Ix> = index
        .iter()
        .map(|&i| {
            if f.ty(i) != &Ty::Scalar(DType::I64) {
                return None;
            }
            if let Some(c) = affine(f, i, offset) {
                return Some(Ix::Var(c));
            }
            match f.get(i) {
                Expr::Local(u) if !written.contains(u) => Some(Ix::Invariant(*u)),
                Expr::Const(Scalar::I64(c)) if (0..LIMIT).contains(c) => Some(Ix::Const(*c)),
                _ => None,
            }
        })
        .collect::<Option<_>>()?;
    ix.iter().any(|i| matches!(i, Ix::Var(_))).then_some(ix)
}
