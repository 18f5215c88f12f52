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
    /// A kernel whose operations have no typing under Numba's rules (Numba's name).
    TypingError,
    /// Python that the kernel language leaves out (`with`, classes, generators, ...).
    UnsupportedError,
    /// A kernel's array index outside its array.
    IndexError,
    /// A kernel's `assert` that failed.
    AssertionError,
    /// A kernel's own run-time failure that fits no other kind.
    RuntimeError,
    /// An import a kernel module may not make.
    ImportError,
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
            ErrorKind::TypingError => "TypingError",
            ErrorKind::UnsupportedError => "UnsupportedError",
            ErrorKind::IndexError => "IndexError",
            ErrorKind::AssertionError => "AssertionError",
            ErrorKind::RuntimeError => "RuntimeError",
            ErrorKind::ImportError => "ImportError",
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
        // A kernel module may end its lines with "\r\n" and indent with tabs: the frame
        // leaves out the '\r', and the caret's padding repeats the line's tabs so that it
        // lines up under the text.
        let text = source[line_start..line_end].trim_end_matches('\r');
        let text_end = line_start + text.len();
        let width = source[start..end.min(text_end).max(start)]
            .chars()
            .count()
            .max(1);
        let pad: String = source[line_start..start.min(text_end).max(line_start)]
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        let gutter = " ".repeat(line_no.to_string().len());
        let _ = writeln!(out, "{gutter}--> {line_no}:{col}");
        let _ = writeln!(out, "{gutter} |");
        let _ = writeln!(out, "{line_no} | {text}");
        let _ = writeln!(out, "{gutter} | {pad}{}", "^".repeat(width));
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
            LowerErrorKind::Syntax => ErrorKind::SyntaxError,
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

    /// A kernel module's error: its line, without the '\r' of a "\r\n" line end, and a
    /// caret that follows the line's tabs.
    #[test]
    fn renders_module_errors() {
        let src = "def f(x):\r\n\tif x\r\n\t\treturn 1\r\n";
        let e = crate::syntax::parse_module(src).unwrap_err();
        assert_eq!(
            Diagnostic::from(e).render(src),
            "SyntaxError: expected ':'\n --> 2:6\n  |\n2 | \tif x\n  | \t    ^\n"
        );
        let src = "def f():\n\tx = (1 +\n\t\t2) $\n";
        let e = crate::syntax::parse_module(src).unwrap_err();
        assert_eq!(
            Diagnostic::from(e).render(src),
            "SyntaxError: invalid character '$'\n --> 3:6\n  |\n3 | \t\t2) $\n  | \t\t   ^\n"
        );
    }
}
