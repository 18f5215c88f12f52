//! The structural check every consumer of kernel IR makes before indexing its arenas:
//! every handle refers to something that exists, and every expression's operands come
//! before it (as `Function::expr` builds them), so that no walk can panic or go round in
//! a cycle. The reference executor and the code generator both rely on it.

use super::{Expr, ExprId, Function, Index, Stmt};

impl Expr {
    /// Calls `f` with every operand of the expression, in order.
    pub fn each_operand(&self, mut f: impl FnMut(ExprId)) {
        match self {
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
}

impl Expr {
    /// The same expression with every operand replaced by `f(operand)`, called in
    /// [`Expr::each_operand`]'s order.
    #[must_use]
    pub fn map_operands(&self, mut f: impl FnMut(ExprId) -> ExprId) -> Expr {
        match self {
            Expr::Const(_) | Expr::Local(_) | Expr::NoneVal => self.clone(),
            Expr::Cast(a, d) => Expr::Cast(f(*a), *d),
            Expr::Unary(op, a) => Expr::Unary(*op, f(*a)),
            Expr::Dim(a, k) => Expr::Dim(f(*a), *k),
            Expr::TupleGet(a, k) => Expr::TupleGet(f(*a), *k),
            Expr::ListLen(a) => Expr::ListLen(f(*a)),
            Expr::Binary(op, a, b) => {
                let a = f(*a);
                Expr::Binary(*op, a, f(*b))
            }
            Expr::PyDiv(op, a, b) => {
                let a = f(*a);
                Expr::PyDiv(*op, a, f(*b))
            }
            Expr::ListGet(a, b) => {
                let a = f(*a);
                Expr::ListGet(a, f(*b))
            }
            Expr::Cond(c, a, b) => {
                let c = f(*c);
                let a = f(*a);
                Expr::Cond(c, a, f(*b))
            }
            Expr::Load(a, items) => {
                let a = f(*a);
                Expr::Load(a, items.iter().map(|&x| f(x)).collect())
            }
            Expr::View(a, index) => {
                let a = f(*a);
                let index = index
                    .iter()
                    .map(|i| match *i {
                        Index::At(x) => Index::At(f(x)),
                        Index::Slice { start, stop, step } => Index::Slice {
                            start: start.map(&mut f),
                            stop: stop.map(&mut f),
                            step: step.map(&mut f),
                        },
                    })
                    .collect();
                Expr::View(a, index)
            }
            Expr::Tuple(items) => Expr::Tuple(items.iter().map(|&x| f(x)).collect()),
            Expr::Call(id, items) => Expr::Call(*id, items.iter().map(|&x| f(x)).collect()),
            Expr::Intrinsic(op, items) => {
                Expr::Intrinsic(*op, items.iter().map(|&x| f(x)).collect())
            }
        }
    }
}

impl Function {
    /// What is wrong with the function's handles, if anything: a parameter count beyond
    /// the locals, an expression whose operand does not come before it, a local or a
    /// function (of a program of `n_functions`) that does not exist, a statement naming
    /// an expression or a local that does not exist. Statements are walked with an
    /// explicit stack, so no nesting depth can overflow.
    #[must_use]
    pub fn dangling_handle(&self, n_functions: usize) -> Option<String> {
        let (n_exprs, n_locals) = (self.expr_count(), self.locals.len());
        if self.n_params > n_locals {
            return Some("more parameters than locals".to_owned());
        }
        for i in 0..n_exprs {
            let e = self.get(ExprId::from_index(i));
            let mut ok = true;
            e.each_operand(|x| ok &= x.index() < i);
            ok &= match e {
                Expr::Local(l) => l.index() < n_locals,
                Expr::Call(id, _) => id.index() < n_functions,
                _ => true,
            };
            if !ok {
                return Some(format!("expression {i} ({e:?}) has a dangling handle"));
            }
        }
        let e = |x: &ExprId| x.index() < n_exprs;
        let l = |x: &super::LocalId| x.index() < n_locals;
        let mut stack: Vec<&[Stmt]> = vec![&self.body];
        while let Some(block) = stack.pop() {
            for st in block {
                let ok = match st {
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
                    } => {
                        stack.push(then);
                        stack.push(otherwise);
                        e(cond)
                    }
                    Stmt::For {
                        var,
                        start,
                        stop,
                        step,
                        body,
                        ..
                    } => {
                        stack.push(body);
                        l(var) && e(start) && e(stop) && e(step)
                    }
                    Stmt::While { cond, body } => {
                        stack.push(body);
                        e(cond)
                    }
                    Stmt::Return(v) => v.as_ref().is_none_or(e),
                    Stmt::Append { list, value } => e(list) && e(value),
                    Stmt::Eval(v) => e(v),
                    Stmt::ParFor(p) => {
                        stack.push(&p.combine);
                        e(&p.call)
                            && p.bounds.iter().all(e)
                            && p.partials.iter().all(l)
                            && matches!(self.get(p.call), Expr::Call(..))
                    }
                    Stmt::Break | Stmt::Continue | Stmt::Raise { .. } => true,
                };
                if !ok {
                    return Some("a statement has a dangling handle".to_owned());
                }
            }
        }
        None
    }
}
