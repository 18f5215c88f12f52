//! The one error type at the boundary, and its code-frame rendering.

use std::fmt::{self, Write as _};

use crate::front::expr::{LowerError, LowerErrorKind};
use crate::syntax::{Span, SyntaxError};

/// Python's name for the kind of error, so numexpr and NumPy users recognise it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    SyntaxError,
    NameError,
    TypeError,
    ValueError,
    OverflowError,
    ZeroDivisionError,
    /// A result or temporary that cannot be allocated.
    MemoryError,
    /// An engine bug caught by a verifier; never expected.
    InternalError,
}

impl ErrorKind {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ErrorKind::SyntaxError => "SyntaxError",
            ErrorKind::NameError => "NameError",
            ErrorKind::TypeError => "TypeError",
            ErrorKind::ValueError => "ValueError",
            ErrorKind::OverflowError => "OverflowError",
            ErrorKind::ZeroDivisionError => "ZeroDivisionError",
            ErrorKind::MemoryError => "MemoryError",
            ErrorKind::InternalError => "InternalError",
        }
    }
}

/// An error with its kind, message, source span and notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub kind: ErrorKind,
    pub message: String,
    pub span: Span,
    pub notes: Vec<String>,
}

impl Diagnostic {
    #[must_use]
    pub fn new(kind: ErrorKind, message: impl Into<String>, span: Span) -> Self {
        Self {
            kind,
            message: message.into(),
            span,
            notes: Vec::new(),
        }
    }

    /// The diagnostic with a code frame of `source`:
    ///
    /// ```text
    /// SyntaxError: 'and' is not supported
    ///  --> 1:3
    ///   |
    /// 1 | a and b
    ///   |   ^^^
    ///   = note: use '&' for element-wise and, ...
    /// ```
    #[must_use]
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("{}: {}\n", self.kind.name(), self.message);
        let start = (self.span.start as usize).min(source.len());
        let end = (self.span.end as usize).clamp(start, source.len());
        let start = floor_char(source, start);
        let end = floor_char(source, end);
        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let line_no = source[..start].matches('\n').count() + 1;
        let col = source[line_start..start].chars().count() + 1;
        let text = &source[line_start..line_end];
        let width = source[start..end.min(line_end)].chars().count().max(1);
        let gutter = " ".repeat(line_no.to_string().len());
        let _ = writeln!(out, "{gutter}--> {line_no}:{col}");
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{line_no} | {text}");
        let _ = writeln!(
            out,
            "{gutter} | {}{}",
            " ".repeat(col - 1),
            "^".repeat(width)
        );
        for n in &self.notes {
            let _ = writeln!(out, "{gutter} = note: {n}");
        }
        out
    }
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl From<SyntaxError> for Diagnostic {
    fn from(e: SyntaxError) -> Self {
        Diagnostic {
            kind: ErrorKind::SyntaxError,
            message: e.message,
            span: e.span,
            notes: e.notes,
        }
    }
}

impl From<LowerError> for Diagnostic {
    fn from(e: LowerError) -> Self {
        let kind = match e.kind {
            LowerErrorKind::Name => ErrorKind::NameError,
            LowerErrorKind::Type => ErrorKind::TypeError,
            LowerErrorKind::Value => ErrorKind::ValueError,
            LowerErrorKind::Overflow => ErrorKind::OverflowError,
            LowerErrorKind::ZeroDivision => ErrorKind::ZeroDivisionError,
        };
        Diagnostic {
            kind,
            message: e.message,
            span: e.span,
            notes: e.notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_code_frame() {
        let d = Diagnostic {
            kind: ErrorKind::SyntaxError,
            message: "'and' is not supported".into(),
            span: Span::new(2, 5),
            notes: vec!["use '&'".into()],
        };
        assert_eq!(
            d.render("a and b"),
            "SyntaxError: 'and' is not supported\n --> 1:3\n  |\n1 | a and b\n  |   ^^^\n  = note: use '&'\n"
        );
        // Spans past the end or inside a character do not panic.
        let d = Diagnostic::new(ErrorKind::SyntaxError, "x", Span::new(100, 200));
        assert!(d.render("é+").contains('^'));
        let d = Diagnostic::new(ErrorKind::SyntaxError, "x", Span::new(1, 1));
        assert!(d.render("é+").contains('^'));
    }
}
