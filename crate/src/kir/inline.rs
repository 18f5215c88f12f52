//! Inlining a call of a function whose returns can all be put in tail position: its body
//! copied into the caller, parameters assigned the arguments, each `return e` made an
//! assignment of the result. A stencil's loop inlines its body this way, so that the loop
//! runs without a call per element.
//!
//! Returns are moved to tail position by pushing the statements after an `if` into the
//! branch that falls through (`if c: return a` then `return b` becomes `if c: return a
//! else: return b`). A function with a return inside a loop is not inlined.

use std::collections::HashMap;

use super::copy::Copier;
use super::{ExprId, Function, LocalId, Stmt};

/// The statements that compute `callee(args...)` into `result` inside `caller`, or None
/// when the callee's returns cannot all be put in tail position (or it is too large).
#[must_use]
pub fn tail_call(
    caller: &mut Function,
    callee: &Function,
    args: &[ExprId],
    result: LocalId,
) -> Option<Vec<Stmt>> {
    let params: Vec<LocalId> = callee.params().collect();
    if params.len() != args.len() {
        return None;
    }
    let mut budget = 4096usize;
    let body = tail_form(&callee.body, &mut budget)?;
    let mut copier = Copier::new(callee, HashMap::new());
    let mut out = Vec::with_capacity(body.len() + params.len());
    for (&p, &a) in params.iter().zip(args) {
        let l = copier.local(caller, p);
        out.push(Stmt::Assign(l, a));
    }
    for st in &body {
        copier.fresh_exprs();
        out.push(returns_to_result(&mut copier, caller, st, result));
    }
    Some(out)
}

/// Whether a statement holds a `return` anywhere.
fn returns(st: &Stmt) -> bool {
    match st {
        Stmt::Return(_) => true,
        Stmt::If {
            then, otherwise, ..
        } => then.iter().chain(otherwise).any(returns),
        Stmt::For { body, .. } | Stmt::While { body, .. } => body.iter().any(returns),
        _ => false,
    }
}

/// `body` with every return in tail position, or None. `budget` bounds the statements made
/// (the statements after an `if` are copied into both branches).
fn tail_form(body: &[Stmt], budget: &mut usize) -> Option<Vec<Stmt>> {
    let mut out = Vec::new();
    for (i, st) in body.iter().enumerate() {
        *budget = budget.checked_sub(1)?;
        if !returns(st) {
            out.push(st.clone());
            continue;
        }
        match st {
            Stmt::Return(None) => return None,
            Stmt::Return(Some(_)) => {
                out.push(st.clone());
                return Some(out);
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let rest = &body[i + 1..];
                let then: Vec<Stmt> = then.iter().chain(rest).cloned().collect();
                let otherwise: Vec<Stmt> = otherwise.iter().chain(rest).cloned().collect();
                out.push(Stmt::If {
                    cond: *cond,
                    then: tail_form(&then, budget)?,
                    otherwise: tail_form(&otherwise, budget)?,
                });
                return Some(out);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A statement of a tail-form body copied into `g`, its returns made assignments of
/// `result`.
fn returns_to_result(c: &mut Copier<'_>, g: &mut Function, st: &Stmt, result: LocalId) -> Stmt {
    match st {
        Stmt::Return(Some(e)) => {
            let v = c.expr(g, *e);
            Stmt::Assign(result, v)
        }
        Stmt::If {
            cond,
            then,
            otherwise,
        } if returns(st) => {
            let cond = c.expr(g, *cond);
            let mut branch = |b: &[Stmt]| {
                b.iter()
                    .map(|s| {
                        c.fresh_exprs();
                        returns_to_result(c, g, s, result)
                    })
                    .collect()
            };
            let then = branch(then);
            let otherwise = branch(otherwise);
            Stmt::If {
                cond,
                then,
                otherwise,
            }
        }
        other => c.stmt(g, other),
    }
}
