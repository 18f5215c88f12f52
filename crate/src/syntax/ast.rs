//! The AST: an arena of expressions referred to by `ExprId`, each with its span.

use std::fmt::Write as _;

use super::Span;

/// A handle to an expression in an [`Ast`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExprId(pub u32);

/// Unary operators: `-x`, `+x`, `~x`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    Neg,
    Pos,
    Invert,
}

/// Binary arithmetic and bitwise operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    Shl,
    Shr,
    BitAnd,
    BitOr,
    BitXor,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Lt,
    Le,
    Eq,
    Ne,
    Ge,
    Gt,
}

impl BinOp {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "**",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
        }
    }
}

impl CmpOp {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Ge => ">=",
            CmpOp::Gt => ">",
        }
    }
}

/// What an expression is.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// An integer literal; `None` if it does not fit 128 bits (an OverflowError later).
    Int(Option<u128>),
    Float(f64),
    Bool(bool),
    /// `None`, only meaningful as `axis=None`.
    NoneLit,
    Name(String),
    Unary(UnOp, ExprId),
    Binary(BinOp, ExprId, ExprId),
    Compare(CmpOp, ExprId, ExprId),
    Call {
        func: String,
        func_span: Span,
        args: Vec<ExprId>,
        kwargs: Vec<(String, Span, ExprId)>,
    },
    Attr {
        base: ExprId,
        name: String,
        name_span: Span,
    },
}

/// One expression and its source span.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

/// A parsed expression: the arena and its root. Chained comparisons share the middle
/// operand, so the arena is a DAG, not only a tree.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ast {
    pub exprs: Vec<Expr>,
    pub root: Option<ExprId>,
}

impl Ast {
    pub(crate) fn push(&mut self, kind: ExprKind, span: Span) -> ExprId {
        self.exprs.push(Expr { kind, span });
        ExprId((self.exprs.len() - 1) as u32)
    }

    /// The expression behind a handle.
    #[must_use]
    pub fn get(&self, id: ExprId) -> &Expr {
        &self.exprs[id.0 as usize]
    }

    /// A stable s-expression dump, used by snapshot tests and the playground.
    #[must_use]
    pub fn dump(&self) -> String {
        let mut s = String::new();
        if let Some(root) = self.root {
            self.dump_into(root, &mut s);
        }
        s
    }

    fn dump_into(&self, id: ExprId, s: &mut String) {
        match &self.get(id).kind {
            ExprKind::Int(Some(v)) => {
                let _ = write!(s, "{v}");
            }
            ExprKind::Int(None) => s.push_str("<huge int>"),
            ExprKind::Float(v) => {
                let _ = write!(s, "{v:?}");
            }
            ExprKind::Bool(v) => s.push_str(if *v { "True" } else { "False" }),
            ExprKind::NoneLit => s.push_str("None"),
            ExprKind::Name(n) => s.push_str(n),
            ExprKind::Unary(op, a) => {
                s.push_str(match op {
                    UnOp::Neg => "(neg ",
                    UnOp::Pos => "(pos ",
                    UnOp::Invert => "(~ ",
                });
                self.dump_into(*a, s);
                s.push(')');
            }
            ExprKind::Binary(op, a, b) => {
                let _ = write!(s, "({} ", op.symbol());
                self.dump_into(*a, s);
                s.push(' ');
                self.dump_into(*b, s);
                s.push(')');
            }
            ExprKind::Compare(op, a, b) => {
                let _ = write!(s, "({} ", op.symbol());
                self.dump_into(*a, s);
                s.push(' ');
                self.dump_into(*b, s);
                s.push(')');
            }
            ExprKind::Call {
                func, args, kwargs, ..
            } => {
                let _ = write!(s, "({func}");
                for a in args {
                    s.push(' ');
                    self.dump_into(*a, s);
                }
                for (k, _, v) in kwargs {
                    let _ = write!(s, " {k}=");
                    self.dump_into(*v, s);
                }
                s.push(')');
            }
            ExprKind::Attr { base, name, .. } => {
                s.push_str("(.");
                s.push_str(name);
                s.push(' ');
                self.dump_into(*base, s);
                s.push(')');
            }
        }
    }
}
