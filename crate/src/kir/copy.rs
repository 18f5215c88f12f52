//! Copying statements and expressions from one function into another (outlined prange
//! bodies, inlined calls).

use std::collections::HashMap;

use super::{Expr, ExprId, Function, LocalId, Stmt, Ty};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType};

/// Copies statements and expressions of one function into another, mapping locals (a
/// local not mapped yet gets a new local of the same name and type).
pub(crate) struct Copier<'a> {
    pub from: &'a Function,
    pub map: HashMap<LocalId, LocalId>,
    exprs: HashMap<ExprId, ExprId>,
    /// `prange` loops met in the copied statements (made serial).
    pub nested_spans: Vec<Span>,
    /// Divisions under Python's error model become NumPy's (inside prange bodies).
    pub numpy_errors: bool,
}

impl<'a> Copier<'a> {
    pub fn new(from: &'a Function, map: HashMap<LocalId, LocalId>) -> Self {
        Copier {
            from,
            map,
            exprs: HashMap::new(),
            nested_spans: Vec::new(),
            numpy_errors: false,
        }
    }

    /// The copy of expression `e`, once copied.
    #[must_use]
    pub fn copied(&self, e: ExprId) -> Option<ExprId> {
        self.exprs.get(&e).copied()
    }

    /// Forgets the expressions copied so far (statements copied twice get their own).
    pub fn fresh_exprs(&mut self) {
        self.exprs.clear();
    }

    pub fn local(&mut self, g: &mut Function, l: LocalId) -> LocalId {
        if let Some(&x) = self.map.get(&l) {
            return x;
        }
        let d = self.from.local_decl(l);
        let x = g.local(d.name.clone(), d.ty.clone());
        self.map.insert(l, x);
        x
    }

    pub fn expr(&mut self, g: &mut Function, e: ExprId) -> ExprId {
        if let Some(&x) = self.exprs.get(&e) {
            return x;
        }
        let f = self.from;
        let new = match f.get(e) {
            Expr::Local(l) => Expr::Local(self.local(g, *l)),
            // Numba compiles a prange body under NumPy's error model: a division by zero
            // gives inf, nan or 0 there instead of raising.
            Expr::PyDiv(op @ (BinaryOp::TrueDiv | BinaryOp::FloorDiv | BinaryOp::Mod), a, b)
                if self.numpy_errors && f.ty(e).scalar().is_some() =>
            {
                let rd = f.ty(e).scalar().unwrap_or(DType::F64);
                let (x, y) = (*a, *b);
                let mut pair = [x, y].map(|o| (o, self.expr(g, o)));
                for (o, c) in &mut pair {
                    if f.ty(*o).scalar() != Some(rd) {
                        *c = g.expr(Expr::Cast(*c, rd), Ty::Scalar(rd), f.span(*o));
                    }
                }
                Expr::Binary(*op, pair[0].1, pair[1].1)
            }
            other => other.map_operands(|x| self.expr(g, x)),
        };
        let x = g.expr(new, f.ty(e).clone(), f.span(e));
        if f.is_in_bounds(e) {
            g.mark_in_bounds(x);
        }
        self.exprs.insert(e, x);
        x
    }

    pub fn body(&mut self, g: &mut Function, body: &[Stmt]) -> Vec<Stmt> {
        body.iter().map(|st| self.stmt(g, st)).collect()
    }

    pub fn stmt(&mut self, g: &mut Function, st: &Stmt) -> Stmt {
        match st {
            Stmt::Assign(l, e) => {
                let e = self.expr(g, *e);
                Stmt::Assign(self.local(g, *l), e)
            }
            Stmt::Store {
                array,
                index,
                value,
                span,
            } => {
                let value = self.expr(g, *value);
                let array = self.expr(g, *array);
                Stmt::Store {
                    array,
                    index: index.iter().map(|&x| self.expr(g, x)).collect(),
                    value,
                    span: *span,
                }
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => Stmt::If {
                cond: self.expr(g, *cond),
                then: self.body(g, then),
                otherwise: self.body(g, otherwise),
            },
            Stmt::For {
                var,
                start,
                stop,
                step,
                body,
                parallel,
                span,
            } => {
                if *parallel {
                    self.nested_spans.push(*span);
                }
                let start = self.expr(g, *start);
                let stop = self.expr(g, *stop);
                let step = self.expr(g, *step);
                Stmt::For {
                    var: self.local(g, *var),
                    start,
                    stop,
                    step,
                    body: self.body(g, body),
                    parallel: false,
                    span: *span,
                }
            }
            Stmt::While { cond, body } => Stmt::While {
                cond: self.expr(g, *cond),
                body: self.body(g, body),
            },
            Stmt::Break => Stmt::Break,
            Stmt::Continue => Stmt::Continue,
            Stmt::Return(e) => Stmt::Return(e.map(|e| self.expr(g, e))),
            Stmt::Raise {
                kind,
                message,
                span,
            } => Stmt::Raise {
                kind: *kind,
                message: message.clone(),
                span: *span,
            },
            Stmt::Append { list, value } => {
                let list = self.expr(g, *list);
                Stmt::Append {
                    list,
                    value: self.expr(g, *value),
                }
            }
            Stmt::Eval(e) => Stmt::Eval(self.expr(g, *e)),
            // The pass runs once, on loops that have no parallel loops inside yet.
            Stmt::ParFor(p) => Stmt::ParFor(p.clone()),
        }
    }
}
