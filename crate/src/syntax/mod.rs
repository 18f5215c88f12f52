//! syntax: source text -> AST with spans (lexer, Pratt parser; expression and kernel entry points).
//!
//! ```text
//! &str ──lexer──▶ tokens with spans ──parser──▶ Ast (arena of Expr, root handle)
//! ```
//!
//! The parser is the only door into the engine: nothing is ever `eval`ed. It enforces a
//! source length limit and a nesting depth limit, and every loop in it consumes a token, so
//! no input can overflow the stack or hang it.

pub mod ast;
pub mod lexer;
pub mod parser;
mod span;

pub use ast::{Ast, BinOp, CmpOp, Expr, ExprId, ExprKind, UnOp};
pub use parser::{MAX_DEPTH, MAX_SOURCE_LEN, parse};
pub use span::Span;

/// Why a source text is not an expression. Formatted into a `Diagnostic` only at the API
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
