//! The one check of a program before it runs: every handle refers to something that
//! exists, and every expression's operands come before it, so that the executor indexes
//! its arenas without panicking and evaluation cannot go round in a cycle.

use super::RunError;
use crate::kir::{Expr, ExprId, Index, LocalId, Program, Stmt};
use crate::syntax::Span;

/// Checks that every handle of the program refers to something that exists and that every
/// expression's operands come before it in its arena (as `Function::expr` builds them), so
/// that the executor can index without panicking and evaluation cannot loop.
pub(super) fn handles(program: &Program) -> Result<(), RunError> {
    for f in &program.functions {
        let bad =
            |what: String| RunError::internal(format!("in {}: {what}", f.name), Span::default());
        let (n_exprs, n_locals) = (f.expr_count(), f.locals.len());
        if f.n_params > n_locals {
            return Err(bad("more parameters than locals".to_owned()));
        }
        for i in 0..n_exprs {
            let e = f.get(ExprId::from_index(i));
            let mut ok = true;
            each_operand(e, |x| ok &= x.index() < i);
            ok &= match e {
                Expr::Local(l) => l.index() < n_locals,
                Expr::Call(id, _) => id.index() < program.functions.len(),
                _ => true,
            };
            if !ok {
                return Err(bad(format!("expression {i} ({e:?}) has a dangling handle")));
            }
        }
        if !body_handles_ok(&f.body, n_exprs, n_locals) {
            return Err(bad("a statement has a dangling handle".to_owned()));
        }
    }
    Ok(())
}

/// Calls `f` with every operand of `e`.
fn each_operand(e: &Expr, mut f: impl FnMut(ExprId)) {
    match e {
        Expr::Const(_) | Expr::Local(_) | Expr::NoneVal => {}
        Expr::Cast(a, _)
        | Expr::Unary(_, a)
        | Expr::Dim(a, _)
        | Expr::TupleGet(a, _)
        | Expr::ListLen(a) => f(*a),
        Expr::Binary(_, a, b) | Expr::PyDiv(_, a, b) | Expr::ListGet(a, b) => {
            f(*a);
            f(*b);
        }
        Expr::Cond(c, a, b) => {
            f(*c);
            f(*a);
            f(*b);
        }
        Expr::Load(a, items) => {
            f(*a);
            items.iter().copied().for_each(f);
        }
        Expr::View(a, index) => {
            f(*a);
            for i in index {
                match *i {
                    Index::At(x) => f(x),
                    Index::Slice { start, stop, step } => {
                        [start, stop, step].into_iter().flatten().for_each(&mut f);
                    }
                }
            }
        }
        Expr::Tuple(items) | Expr::Call(_, items) | Expr::Intrinsic(_, items) => {
            items.iter().copied().for_each(f);
        }
    }
}

fn body_handles_ok(body: &[Stmt], n_exprs: usize, n_locals: usize) -> bool {
    let e = |x: &ExprId| x.index() < n_exprs;
    let l = |x: &LocalId| x.index() < n_locals;
    let b = |xs: &[Stmt]| body_handles_ok(xs, n_exprs, n_locals);
    body.iter().all(|st| match st {
        Stmt::Assign(x, v) => l(x) && e(v),
        Stmt::Store {
            array,
            index,
            value,
            ..
        } => e(array) && e(value) && index.iter().all(e),
        Stmt::If {
            cond,
            then,
            otherwise,
        } => e(cond) && b(then) && b(otherwise),
        Stmt::For {
            var,
            start,
            stop,
            step,
            body,
            ..
        } => l(var) && e(start) && e(stop) && e(step) && b(body),
        Stmt::While { cond, body } => e(cond) && b(body),
        Stmt::Return(v) => v.as_ref().is_none_or(e),
        Stmt::Append { list, value } => e(list) && e(value),
        Stmt::Eval(v) => e(v),
        Stmt::Break | Stmt::Continue | Stmt::Raise { .. } => true,
    })
}
