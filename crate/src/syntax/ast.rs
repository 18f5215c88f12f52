//! The AST of both languages: expressions in an arena referred to by [`ExprId`], statements
//! in a second arena referred to by [`StmtId`], each node with its span.
//!
//! An expression is an [`Ast`] (the arena and its root); a kernel module is a [`Module`]
//! (both arenas and the top-level statements). The kinds after [`ExprKind::Attr`] and every
//! statement come only from module mode: [`super::parse`] never builds them, so a front end
//! for the expression language rejects them without ever seeing them from its own parser.
//!
//! Statements live in an arena too, not in owned trees: a `StmtId` is as cheap to hold in a
//! side table (a type, a liveness set, a loop's facts) as an `ExprId`, a function body is a
//! plain `Vec<StmtId>`, and nested blocks cost no boxes. Both arenas are append-only, so
//! a handle stays valid for the life of its module.

use super::Span;

/// A handle to an expression in an [`Ast`] or [`Module`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExprId(pub u32);

/// A handle to a statement in a [`Module`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StmtId(pub u32);

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
    /// `@`, matrix multiplication; module mode only.
    MatMul,
}

/// The ordering and equality comparisons, the ones both languages share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Lt,
    Le,
    Eq,
    Ne,
    Ge,
    Gt,
}

/// One link of a Python comparison chain ([`ExprKind::Comparison`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareOp {
    Cmp(CmpOp),
    Is,
    IsNot,
    In,
    NotIn,
}

/// `and` and `or`: short-circuit boolean operators, distinct from `&` and `|`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BoolOp {
    And,
    Or,
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
            BinOp::MatMul => "@",
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

impl CompareOp {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            CompareOp::Cmp(op) => op.symbol(),
            CompareOp::Is => "is",
            CompareOp::IsNot => "is not",
            CompareOp::In => "in",
            CompareOp::NotIn => "not in",
        }
    }
}

impl BoolOp {
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            BoolOp::And => "and",
            BoolOp::Or => "or",
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
    /// `None`; in the expression language only meaningful as `axis=None`.
    NoneLit,
    Name(String),
    Unary(UnOp, ExprId),
    Binary(BinOp, ExprId, ExprId),
    /// One comparison. The expression language writes a chain `a < b < c` as
    /// `(a < b) & (b < c)` of these, sharing the middle operand (element-wise, numexpr's
    /// meaning); module mode builds [`ExprKind::Comparison`] instead.
    Compare(CmpOp, ExprId, ExprId),
    /// A call. In the expression language `func` is a [`ExprKind::Name`] or an
    /// [`ExprKind::Attr`] (`np.sin(a)`, `a.sum()`); in module mode it is any expression
    /// (`np.zeros(n)`, `f(a)(b)`).
    Call {
        func: ExprId,
        args: Vec<ExprId>,
        kwargs: Vec<(String, Span, ExprId)>,
    },
    Attr {
        base: ExprId,
        name: String,
        name_span: Span,
    },
    /// A string literal (adjacent literals concatenated, escapes decoded).
    Str(String),
    /// A bytes literal `b'...'`.
    Bytes(Vec<u8>),
    /// `...`.
    Ellipsis,
    /// A Python comparison chain `left op0 c0 op1 c1 ...`: `a < b < c` is
    /// `(a < b) and (b < c)` with `b` evaluated once.
    Comparison {
        left: ExprId,
        ops: Vec<(CompareOp, ExprId)>,
    },
    /// `a and b and c`, `a or b`: at least two values, short-circuit.
    BoolOp {
        op: BoolOp,
        values: Vec<ExprId>,
    },
    /// `not x`.
    Not(ExprId),
    /// `body if test else orelse`.
    IfExp {
        test: ExprId,
        body: ExprId,
        orelse: ExprId,
    },
    /// `base[index]`; `a[i, j]` has a [`ExprKind::Tuple`] index, `a[1:n]` a
    /// [`ExprKind::Slice`], `a[:, 0]` a tuple holding a slice.
    Subscript {
        base: ExprId,
        index: ExprId,
    },
    /// `lower:upper:step`, only as (part of) a subscript's index.
    Slice {
        lower: Option<ExprId>,
        upper: Option<ExprId>,
        step: Option<ExprId>,
    },
    /// `(a, b)`, `a, b`, `()`.
    Tuple(Vec<ExprId>),
    /// `[a, b]`.
    List(Vec<ExprId>),
    /// `[elt for target in iter if cond ...]`.
    ListComp {
        elt: ExprId,
        generators: Vec<Comprehension>,
    },
    /// `(elt for target in iter ...)`, also as the sole argument of a call.
    GeneratorExp {
        elt: ExprId,
        generators: Vec<Comprehension>,
    },
    /// `*x`, in a call's arguments, a display or an assignment target.
    Starred(ExprId),
    /// `lambda params: body`.
    Lambda {
        params: Vec<Param>,
        body: ExprId,
    },
    /// Python that parses but that the kernel language leaves out; `what` names it as a
    /// plural noun phrase ("dict displays", "'yield' expressions") for "... are not
    /// supported", and the node's span covers it.
    Unsupported {
        what: &'static str,
    },
}

impl ExprKind {
    /// Calls `f` on each direct child, in source order (a lambda's parameter defaults and
    /// annotations included).
    pub fn for_each_child(&self, mut f: impl FnMut(ExprId)) {
        let opt = |e: &Option<ExprId>, f: &mut dyn FnMut(ExprId)| {
            if let Some(e) = e {
                f(*e);
            }
        };
        match self {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Bool(_)
            | ExprKind::NoneLit
            | ExprKind::Name(_)
            | ExprKind::Str(_)
            | ExprKind::Bytes(_)
            | ExprKind::Ellipsis
            | ExprKind::Unsupported { .. } => {}
            ExprKind::Unary(_, a)
            | ExprKind::Not(a)
            | ExprKind::Starred(a)
            | ExprKind::Attr { base: a, .. } => f(*a),
            ExprKind::Binary(_, a, b)
            | ExprKind::Compare(_, a, b)
            | ExprKind::Subscript { base: a, index: b } => {
                f(*a);
                f(*b);
            }
            ExprKind::Call { func, args, kwargs } => {
                f(*func);
                for &a in args {
                    f(a);
                }
                for &(_, _, v) in kwargs {
                    f(v);
                }
            }
            ExprKind::Comparison { left, ops } => {
                f(*left);
                for &(_, e) in ops {
                    f(e);
                }
            }
            ExprKind::BoolOp { values: items, .. }
            | ExprKind::Tuple(items)
            | ExprKind::List(items) => {
                for &e in items {
                    f(e);
                }
            }
            ExprKind::IfExp { test, body, orelse } => {
                f(*body);
                f(*test);
                f(*orelse);
            }
            ExprKind::Slice { lower, upper, step } => {
                opt(lower, &mut f);
                opt(upper, &mut f);
                opt(step, &mut f);
            }
            ExprKind::ListComp { elt, generators } | ExprKind::GeneratorExp { elt, generators } => {
                f(*elt);
                for g in generators {
                    f(g.target);
                    f(g.iter);
                    for &e in &g.ifs {
                        f(e);
                    }
                }
            }
            ExprKind::Lambda { params, body } => {
                for p in params {
                    opt(&p.annotation, &mut f);
                    opt(&p.default, &mut f);
                }
                f(*body);
            }
        }
    }

    /// What the kind is called in an error message: "subscripts are not supported".
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match self {
            ExprKind::Int(_) | ExprKind::Float(_) => "numbers",
            ExprKind::Bool(_) | ExprKind::NoneLit => "constants",
            ExprKind::Name(_) => "names",
            ExprKind::Unary(..) | ExprKind::Binary(..) => "operators",
            ExprKind::Compare(..) | ExprKind::Comparison { .. } => "comparisons",
            ExprKind::Call { .. } => "calls",
            ExprKind::Attr { .. } => "attributes",
            ExprKind::Str(_) => "strings",
            ExprKind::Bytes(_) => "bytes literals",
            ExprKind::Ellipsis => "'...'",
            ExprKind::BoolOp {
                op: BoolOp::And, ..
            } => "'and'",
            ExprKind::BoolOp { op: BoolOp::Or, .. } => "'or'",
            ExprKind::Not(_) => "'not'",
            ExprKind::IfExp { .. } => "conditional expressions",
            ExprKind::Subscript { .. } => "subscripts",
            ExprKind::Slice { .. } => "slices",
            ExprKind::Tuple(_) => "tuples",
            ExprKind::List(_) => "lists",
            ExprKind::ListComp { .. } => "list comprehensions",
            ExprKind::GeneratorExp { .. } => "generator expressions",
            ExprKind::Starred(_) => "starred expressions",
            ExprKind::Lambda { .. } => "lambdas",
            ExprKind::Unsupported { what } => what,
        }
    }
}

/// One `for target in iter if cond ...` clause of a comprehension.
#[derive(Debug, Clone, PartialEq)]
pub struct Comprehension {
    pub target: ExprId,
    pub iter: ExprId,
    pub ifs: Vec<ExprId>,
    pub span: Span,
}

/// How a parameter of a `def` or `lambda` is passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamKind {
    /// By position or keyword: `a`, `b=2`.
    Positional,
    /// Before a `/`.
    PositionalOnly,
    /// After `*` or `*args`.
    KeywordOnly,
    /// `*args`.
    VarArgs,
    /// `**kwargs`.
    VarKeywords,
}

/// A parameter of a `def` or `lambda`.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    /// The name's span.
    pub span: Span,
    pub default: Option<ExprId>,
    /// `a: float64`; never set for a lambda.
    pub annotation: Option<ExprId>,
    pub kind: ParamKind,
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
    /// The expression behind a handle.
    #[must_use]
    pub fn get(&self, id: ExprId) -> &Expr {
        &self.exprs[id.0 as usize]
    }

    /// A stable s-expression dump, used by snapshot tests and the playground:
    /// `a + f(b, axis=0)` is `(+ a (f b axis=0))`.
    #[must_use]
    pub fn dump(&self) -> String {
        let mut s = String::new();
        if let Some(root) = self.root {
            super::dump::expr(&self.exprs, root, &mut s);
        }
        s
    }
}

/// `import a.b as c`, or one name of `from m import a as b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Alias {
    /// The dotted name, or `*` in `from m import *`.
    pub name: String,
    pub asname: Option<String>,
    /// From the name to the end of the `as` name.
    pub span: Span,
}

/// `def name(params) -> returns:` with its decorators and body.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    pub name: String,
    pub name_span: Span,
    pub params: Vec<Param>,
    /// Outermost first, as written: each one is any expression (`njit`,
    /// `jit(nopython=True)`, `vectorize(['int64(int64)'])`).
    pub decorators: Vec<ExprId>,
    /// The `-> T` annotation.
    pub returns: Option<ExprId>,
    pub body: Vec<StmtId>,
}

/// What a statement is.
#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    /// An expression statement; a docstring is one of a [`ExprKind::Str`].
    Expr(ExprId),
    /// `t0 = t1 = value`: every target gets the value.
    Assign {
        targets: Vec<ExprId>,
        value: ExprId,
    },
    /// `target op= value`.
    AugAssign {
        target: ExprId,
        op: BinOp,
        value: ExprId,
    },
    /// `target: annotation [= value]`.
    AnnAssign {
        target: ExprId,
        annotation: ExprId,
        value: Option<ExprId>,
    },
    /// `if`, with `elif` as an `If` alone in `orelse`, as in Python's own AST.
    If {
        test: ExprId,
        body: Vec<StmtId>,
        orelse: Vec<StmtId>,
    },
    /// `for target in iter: body else: orelse`.
    For {
        target: ExprId,
        iter: ExprId,
        body: Vec<StmtId>,
        orelse: Vec<StmtId>,
    },
    /// `while test: body else: orelse`.
    While {
        test: ExprId,
        body: Vec<StmtId>,
        orelse: Vec<StmtId>,
    },
    Break,
    Continue,
    Pass,
    Return(Option<ExprId>),
    Assert {
        test: ExprId,
        msg: Option<ExprId>,
    },
    /// `raise`, `raise exc`, `raise exc from cause`.
    Raise {
        exc: Option<ExprId>,
        cause: Option<ExprId>,
    },
    FunctionDef(FunctionDef),
    Import(Vec<Alias>),
    /// `from ..module import names`: `level` counts the leading dots.
    ImportFrom {
        module: Option<String>,
        level: u32,
        names: Vec<Alias>,
    },
    Global(Vec<(String, Span)>),
    Nonlocal(Vec<(String, Span)>),
    /// A statement that parses but that the kernel language leaves out (`with`, `try`,
    /// `class`, `del`, `async`, `match`); `what` names it as a plural noun phrase
    /// ("'with' statements") for "... are not supported", and the statement's span covers
    /// it whole, body included.
    Unsupported {
        what: &'static str,
    },
}

/// One statement and its source span (for a compound statement, through the end of its
/// last block).
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

/// A parsed kernel module: both arenas and the top-level statements.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Module {
    pub exprs: Vec<Expr>,
    pub stmts: Vec<Stmt>,
    pub body: Vec<StmtId>,
    /// The whole source.
    pub span: Span,
}

impl Module {
    /// The expression behind a handle.
    #[must_use]
    pub fn expr(&self, id: ExprId) -> &Expr {
        &self.exprs[id.0 as usize]
    }

    /// The statement behind a handle.
    #[must_use]
    pub fn stmt(&self, id: StmtId) -> &Stmt {
        &self.stmts[id.0 as usize]
    }

    /// The functions defined at the top level, in source order.
    pub fn functions(&self) -> impl Iterator<Item = (StmtId, &FunctionDef)> {
        self.body
            .iter()
            .filter_map(|&id| match &self.stmt(id).kind {
                StmtKind::FunctionDef(f) => Some((id, f)),
                _ => None,
            })
    }

    /// A stable text dump, one statement a line, blocks indented by two spaces and
    /// expressions as in [`Ast::dump`]; used by snapshot tests and the playground.
    #[must_use]
    pub fn dump(&self) -> String {
        let mut s = String::new();
        super::dump::block(self, &self.body, 0, &mut s);
        s
    }

    /// One expression of the module, dumped as in [`Ast::dump`].
    #[must_use]
    pub fn dump_expr(&self, id: ExprId) -> String {
        let mut s = String::new();
        super::dump::expr(&self.exprs, id, &mut s);
        s
    }
}
