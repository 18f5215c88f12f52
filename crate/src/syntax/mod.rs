//! syntax: source text -> AST with spans. One Python front end for both languages.
//!
//! ```text
//!                    ┌─ Mode::Expression ─▶ tokens ──parse────────▶ Ast    (one expression)
//! &str ──lexer::lex ─┤
//!                    └─ Mode::Module ─────▶ tokens ──parse_module─▶ Module (statements)
//!                       (+ NEWLINE, INDENT, DEDENT)
//! ```
//!
//! * [`parse`] reads the expression language, numexpr's: one expression, whitespace and
//!   newlines insignificant, `#` comments to the end of a line, no strings, indexing,
//!   `and`/`or`/`not` or conditionals (each gets an error with a note saying what to write
//!   instead). Calls are of names or attributes (`np.sin(a)`, `a.sum()`, which the
//!   lowering resolves). `front::expr` lowers its [`Ast`].
//! * [`parse_module`] reads the kernel language, Numba's: a Python module of decorated
//!   functions. Its lexer follows Python's tokenizer (indentation, line joining, strings,
//!   all keywords) and its parser Python's grammar for what kernels use, keeping the
//!   Python they cannot use as `Unsupported` nodes with spans, so that the kernel front end
//!   can name and place it. The result is a [`Module`].
//!
//! Both entry points run the same lexer and the same expression parser, in two modes: the
//! expression grammar is written once, and module mode extends it (subscripts, tuples,
//! lists and comprehensions, `x if c else y`, `and`/`or`/`not`, `is`/`in`, calls of any
//! expression, strings, `lambda`). Expression mode never produces the extended kinds, so
//! the expression language is exactly what it has always been. Both build the one AST of
//! [`ast`]: expressions and statements in arenas with typed handles, a span on every node,
//! and a stable text dump ([`Ast::dump`], [`Module::dump`]) for snapshot tests.
//!
//! Files: `lexer.rs` (tokens and layout; string literals in `strings.rs`), `parser.rs` (the
//! parser's state, [`parse`], and the precedence-climbing levels both modes share),
//! `module_expr.rs` (the expression forms only module mode has), `stmt.rs` (statements and
//! [`parse_module`]), `ast.rs` (the AST) and `dump.rs` (its text form).
//!
//! The parser is the only door into the engine: nothing is ever `eval`ed. It enforces a
//! source length limit ([`MAX_SOURCE_LEN`] for an expression, [`MAX_MODULE_LEN`] for a
//! module) and a nesting depth limit ([`MAX_DEPTH`], expressions and blocks together), and
//! every loop in it consumes a token, so no input can overflow the stack or hang it. Errors
//! are a [`SyntaxError`] with a span and Python's wording where Python has one.

pub mod ast;
mod dump;
pub mod lexer;
mod module_expr;
pub mod parser;
mod span;
pub mod stmt;
mod strings;

pub use ast::{
    Alias, Ast, BinOp, BoolOp, CmpOp, CompareOp, Comprehension, Expr, ExprId, ExprKind,
    FunctionDef, Module, Param, ParamKind, Stmt, StmtId, StmtKind, UnOp,
};
pub use lexer::Mode;
pub use parser::{MAX_DEPTH, MAX_SOURCE_LEN, parse};
pub use span::Span;
pub use stmt::{MAX_MODULE_LEN, parse_module};

/// Why a source text does not parse. Formatted into a `Diagnostic` only at the API
/// boundary.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
    pub notes: Vec<String>,
}

impl SyntaxError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> Self {
        Self {
            message: message.into(),
            span,
            notes: Vec::new(),
        }
    }

    pub(crate) fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

#[cfg(test)]
mod tests;
