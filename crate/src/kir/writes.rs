//! Which array parameters a program may write. A kernel that writes an argument changes
//! the caller's array (Numba mutates NumPy arguments in place), so the engine has to copy
//! what it wrote back to the caller; a parameter no path can write needs neither a
//! snapshot before the call nor a comparison after it.
//!
//! The analysis is flow-insensitive and conservative: an expression of array type may
//! alias a parameter when it is the parameter, a local that was ever assigned something
//! that may alias it, a view of one (`View`, `.T`, `reshape`), an item of a tuple holding
//! one, either branch of a `Cond`, or the result of a call that was passed one. A
//! parameter is written when a `Store`, a slice assignment (`Intrinsic::Assign`) or a
//! callee's write reaches something that may alias it. Everything else allocates (`Copy`,
//! `astype`, ufuncs, `np.zeros`, ...). Requires handles that `Function::dangling_handle`
//! accepts (operands before the expressions that use them).

use super::{Expr, Function, Intrinsic, Program, Stmt};

/// For each function of `program`, for each of its parameters: whether the function (or
/// a function it calls) may write the array the parameter holds. Parameters that hold
/// no array are never written.
#[must_use]
pub fn written_params(program: &Program) -> Vec<Vec<bool>> {
    let mut written: Vec<Vec<bool>> = program
        .functions
        .iter()
        .map(|f| vec![false; f.n_params])
        .collect();
    // A callee's writes become its callers' ones, so iterate until nothing changes; each
    // round only adds, so this ends after at most (parameters in all) rounds.
    loop {
        let mut changed = false;
        for (i, f) in program.functions.iter().enumerate() {
            let now = writes_of(f, &written);
            if now != written[i] {
                written[i] = now;
                changed = true;
            }
        }
        if !changed {
            return written;
        }
    }
}

/// The parameters `f` may write, given what every function writes so far.
fn writes_of(f: &Function, callees: &[Vec<bool>]) -> Vec<bool> {
    let n = f.n_params;
    // What each local may alias, as a set of parameters; a parameter aliases itself.
    let mut locals: Vec<Vec<bool>> = (0..f.locals.len())
        .map(|l| (0..n).map(|p| p == l).collect())
        .collect();
    let assigns = assignments(f);
    let mut exprs = aliases(f, &locals);
    loop {
        let mut changed = false;
        for &(l, e) in &assigns {
            for p in 0..n {
                if exprs[e][p] && !locals[l][p] {
                    locals[l][p] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
        exprs = aliases(f, &locals);
    }

    let mut w = vec![false; n];
    let mut mark = |set: &[bool]| {
        for (p, &a) in set.iter().enumerate() {
            w[p] |= a;
        }
    };
    for i in 0..f.expr_count() {
        match f.get(super::ExprId::from_index(i)) {
            Expr::Intrinsic(Intrinsic::Assign, ops) => {
                if let Some(dst) = ops.first() {
                    mark(&exprs[dst.index()]);
                }
            }
            Expr::Call(g, args) => {
                let Some(writes) = callees.get(g.index()) else {
                    continue;
                };
                for (j, a) in args.iter().enumerate() {
                    if writes.get(j).copied().unwrap_or(false) {
                        mark(&exprs[a.index()]);
                    }
                }
            }
            _ => {}
        }
    }
    for array in stores(f) {
        mark(&exprs[array]);
    }
    // Only parameters that hold arrays (or tuples of them) can be written.
    for (p, x) in w.iter_mut().enumerate() {
        *x &= holds_array(&f.locals[p].ty);
    }
    w
}

fn holds_array(t: &super::Ty) -> bool {
    match t {
        super::Ty::Array(_) => true,
        super::Ty::Tuple(items) => items.iter().any(holds_array),
        _ => false,
    }
}

/// What each expression may alias, given what each local may alias; operands come before
/// the expressions that use them, so one pass in order suffices.
fn aliases(f: &Function, locals: &[Vec<bool>]) -> Vec<Vec<bool>> {
    let n = f.n_params;
    let mut out: Vec<Vec<bool>> = Vec::with_capacity(f.expr_count());
    for i in 0..f.expr_count() {
        let e = super::ExprId::from_index(i);
        let mut a = vec![false; n];
        let mut union = |x: &Vec<bool>| {
            for (p, &v) in x.iter().enumerate() {
                a[p] |= v;
            }
        };
        if holds_array(f.ty(e)) {
            match f.get(e) {
                Expr::Local(l) => union(&locals[l.index()]),
                Expr::View(x, _) | Expr::TupleGet(x, _) => union(&out[x.index()]),
                Expr::Intrinsic(Intrinsic::Transpose | Intrinsic::Reshape, ops) => {
                    if let Some(x) = ops.first() {
                        union(&out[x.index()]);
                    }
                }
                Expr::Cond(_, x, y) => {
                    union(&out[x.index()]);
                    union(&out[y.index()]);
                }
                Expr::Tuple(items) | Expr::Call(_, items) => {
                    for x in items {
                        union(&out[x.index()]);
                    }
                }
                _ => {}
            }
        }
        out.push(a);
    }
    out
}

/// Every `local = value` of the function, as (local, expression) indices.
fn assignments(f: &Function) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    each_stmt(f, |st| {
        if let Stmt::Assign(l, e) = st {
            out.push((l.index(), e.index()));
        }
    });
    out
}

/// The array operand of every `Store` of the function.
fn stores(f: &Function) -> Vec<usize> {
    let mut out = Vec::new();
    each_stmt(f, |st| {
        if let Stmt::Store { array, .. } = st {
            out.push(array.index());
        }
    });
    out
}

/// Calls `visit` on every statement, nested ones included.
fn each_stmt(f: &Function, mut visit: impl FnMut(&Stmt)) {
    super::parallel::each_stmt(&f.body, &mut visit);
}
