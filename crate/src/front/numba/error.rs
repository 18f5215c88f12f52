//! The kernel front end's errors: cheap values with a kind, a message, a span and notes,
//! turned into the API's `Diagnostic` only at the boundary.

use crate::syntax::{Span, SyntaxError};

/// What kind of error, named after the Python (or Numba) exception a user would see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KernelErrorKind {
    /// Not Python.
    Syntax,
    /// An unknown name (with a did-you-mean note when one is close).
    Name,
    /// Numba's TypingError: an operation without a typing for its operands, a variable
    /// whose types cannot be unified.
    Typing,
    /// Python the kernel language leaves out (`with`, `try`, classes, generators, dicts).
    Unsupported,
    /// A call with the wrong number or kind of arguments.
    Type,
    /// A bad value known before running (a malformed signature string, an axis out of
    /// range).
    Value,
    /// An import of a module other than `math`, `numpy` and `numba`.
    Import,
}

/// One error of the kernel front end.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelError {
    pub kind: KernelErrorKind,
    pub message: String,
    pub span: Span,
    pub notes: Vec<String>,
}

impl KernelError {
    pub fn new(kind: KernelErrorKind, message: impl Into<String>, span: Span) -> Self {
        Self {
            kind,
            message: message.into(),
            span,
            notes: Vec::new(),
        }
    }

    /// A TypingError.
    pub fn typing(message: impl Into<String>, span: Span) -> Self {
        Self::new(KernelErrorKind::Typing, message, span)
    }

    /// An UnsupportedError.
    pub fn unsupported(message: impl Into<String>, span: Span) -> Self {
        Self::new(KernelErrorKind::Unsupported, message, span)
    }

    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

impl From<SyntaxError> for KernelError {
    fn from(e: SyntaxError) -> Self {
        KernelError {
            kind: KernelErrorKind::Syntax,
            message: e.message,
            span: e.span,
            notes: e.notes,
        }
    }
}

/// Results of the kernel front end.
pub type Result<T> = std::result::Result<T, KernelError>;
