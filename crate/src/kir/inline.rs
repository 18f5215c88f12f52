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
use super::{Expr, ExprId, Function, LocalId, Program, Stmt};

/// The most expression nodes a function's returned expression may have to be inlined at
/// its call sites by [`expressions`].
const MAX_INLINE_NODES: usize = 64;

/// Inlines, in every function of `program`, each call of another function whose body is
/// one `return e` (`def inside(i, j): return abs(i - j) <= k`) and whose arguments are
/// all locals of the parameters' types: the call becomes a copy of `e` reading those
/// locals, so a loop that calls it runs without a call per iteration (and its body can
/// take simd128 lanes). Locals hold no side effects, so the copy reads what the
/// parameters would have held; every operation keeps its source span, so errors are
/// the ones the call would raise. Returns how many calls were inlined.
pub fn expressions(program: &mut Program) -> usize {
    let mut inlined = 0;
    // The returned expression of each function that qualifies as a callee.
    let single: Vec<Option<ExprId>> = program
        .functions
        .iter()
        .map(|f| match f.body.as_slice() {
            [Stmt::Return(Some(e))] if size(f, *e, MAX_INLINE_NODES + 1) <= MAX_INLINE_NODES => {
                Some(*e)
            }
            _ => None,
        })
        .collect();
    for fi in 0..program.functions.len() {
        let (before, rest) = program.functions.split_at_mut(fi);
        let Some((caller, after)) = rest.split_first_mut() else {
            continue;
        };
        // Each expression's replacement, in arena order (operands come first), so that
        // every new node comes after its operands as well.
        let n = caller.expr_count();
        let mut new: Vec<ExprId> = Vec::with_capacity(n);
        for i in 0..n {
            let e = ExprId::from_index(i);
            if let Some(x) = inline_call(caller, e, fi, &single, before, after) {
                new.push(x);
                inlined += 1;
                continue;
            }
            let mut changed = false;
            let node = caller.get(e).clone().map_operands(|o| {
                let x = new[o.index()];
                changed |= x != o;
                x
            });
            if changed {
                let x = caller.expr(node, caller.ty(e).clone(), caller.span(e));
                if caller.is_in_bounds(e) {
                    caller.mark_in_bounds(x);
                }
                new.push(x);
            } else {
                new.push(e);
            }
        }
        if new.iter().enumerate().any(|(i, x)| x.index() != i) {
            let mut body = std::mem::take(&mut caller.body);
            for st in &mut body {
                remap(st, &new);
            }
            caller.body = body;
        }
    }
    inlined
}

/// The copy, appended to `caller`, of the expression a call `e` returns, when `e` calls
/// another function whose body is one `return` with locals of the parameters' types.
fn inline_call(
    caller: &mut Function,
    e: ExprId,
    fi: usize,
    single: &[Option<ExprId>],
    before: &[Function],
    after: &[Function],
) -> Option<ExprId> {
    let Expr::Call(g, args) = caller.get(e) else {
        return None;
    };
    let gi = g.index();
    if gi == fi {
        return None;
    }
    let ret = (*single.get(gi)?)?;
    let callee = if gi < fi {
        before.get(gi)?
    } else {
        after.get(gi - fi - 1)?
    };
    if callee.n_params != args.len() || callee.ret != *caller.ty(e) {
        return None;
    }
    let mut map = HashMap::new();
    for (&a, p) in args.iter().zip(callee.params()) {
        match caller.get(a) {
            Expr::Local(l) if caller.local_decl(*l).ty == callee.local_decl(p).ty => {
                map.insert(p, *l);
            }
            _ => return None,
        }
    }
    Some(Copier::new(callee, map).expr(caller, ret))
}

/// Replaces every expression handle of `st` (and of the statements inside it) by its
/// entry in `new`.
fn remap(st: &mut Stmt, new: &[ExprId]) {
    let m = |e: &mut ExprId| *e = new[e.index()];
    match st {
        Stmt::Assign(_, e) | Stmt::Eval(e) | Stmt::Return(Some(e)) => m(e),
        Stmt::Store {
            array,
            index,
            value,
            ..
        } => {
            m(array);
            index.iter_mut().for_each(m);
            m(value);
        }
        Stmt::If {
            cond,
            then,
            otherwise,
        } => {
            m(cond);
            for s in then.iter_mut().chain(otherwise) {
                remap(s, new);
            }
        }
        Stmt::For {
            start,
            stop,
            step,
            body,
            ..
        } => {
            m(start);
            m(stop);
            m(step);
            for s in body {
                remap(s, new);
            }
        }
        Stmt::While { cond, body } => {
            m(cond);
            for s in body {
                remap(s, new);
            }
        }
        Stmt::Append { list, value } => {
            m(list);
            m(value);
        }
        Stmt::ParFor(p) => {
            m(&mut p.call);
            p.bounds.iter_mut().for_each(m);
            for s in &mut p.combine {
                remap(s, new);
            }
        }
        Stmt::Return(None) | Stmt::Break | Stmt::Continue | Stmt::Raise { .. } => {}
    }
}

/// How many nodes expression `e` has, counting up to `most`.
fn size(f: &Function, e: ExprId, most: usize) -> usize {
    let mut n = 1;
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        f.get(x).each_operand(|o| {
            n += 1;
            if n <= most {
                stack.push(o);
            }
        });
        if n > most {
            break;
        }
    }
    n
}

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
