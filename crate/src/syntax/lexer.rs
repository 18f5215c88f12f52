//! Source text -> tokens with spans, in one of two modes.
//!
//! * [`Mode::Expression`], a numexpr string: whitespace, newlines included, only separates
//!   tokens, and `#` starts a comment that runs to the end of its line. Only the expression
//!   language's tokens exist: `[`, `'`, `:` and the other Python-only characters are errors
//!   with the notes the API has always given, and of the keywords only
//!   `and or not is in lambda if else` are keywords (they get targeted errors); every other
//!   word, `True` and `for` included, is a name.
//! * [`Mode::Module`], a Python module of kernels: Python's tokenizer. A logical line ends
//!   with [`Tok::Newline`]; an indentation stack turns leading whitespace into
//!   [`Tok::Indent`] and [`Tok::Dedent`] (tabs advance to the next multiple of 8, and
//!   indentation that depends on the tab width is a TabError, as in Python); blank and
//!   comment-only lines produce nothing; inside `( [ {` newlines and indentation are
//!   insignificant; a backslash before a newline joins the lines. Every keyword is a
//!   [`Tok::Keyword`] (the soft keywords `match`, `case`, `type`, `_` stay names), strings
//!   are decoded, and brackets must match.
//!
//! Both modes end with [`Tok::Eof`]; module mode ends the last line with a `Newline` and
//! closes every open indentation level with a `Dedent` first. Every loop here advances
//! `i` by at least one byte per turn.

use std::cmp::Ordering;
use std::fmt::Write as _;

use super::ast::BinOp;
use super::strings::is_prefix;
use super::{Span, SyntaxError};

/// Which language the text is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// A numexpr expression.
    Expression,
    /// A Python module of Numba-style kernels.
    Module,
}

/// Python's keywords.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kw {
    False,
    None,
    True,
    And,
    As,
    Assert,
    Async,
    Await,
    Break,
    Class,
    Continue,
    Def,
    Del,
    Elif,
    Else,
    Except,
    Finally,
    For,
    From,
    Global,
    If,
    Import,
    In,
    Is,
    Lambda,
    Nonlocal,
    Not,
    Or,
    Pass,
    Raise,
    Return,
    Try,
    While,
    With,
    Yield,
}

impl Kw {
    /// Every keyword, in Python's `keyword.kwlist` order.
    pub const ALL: [Kw; 35] = [
        Kw::False,
        Kw::None,
        Kw::True,
        Kw::And,
        Kw::As,
        Kw::Assert,
        Kw::Async,
        Kw::Await,
        Kw::Break,
        Kw::Class,
        Kw::Continue,
        Kw::Def,
        Kw::Del,
        Kw::Elif,
        Kw::Else,
        Kw::Except,
        Kw::Finally,
        Kw::For,
        Kw::From,
        Kw::Global,
        Kw::If,
        Kw::Import,
        Kw::In,
        Kw::Is,
        Kw::Lambda,
        Kw::Nonlocal,
        Kw::Not,
        Kw::Or,
        Kw::Pass,
        Kw::Raise,
        Kw::Return,
        Kw::Try,
        Kw::While,
        Kw::With,
        Kw::Yield,
    ];

    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Kw::False => "False",
            Kw::None => "None",
            Kw::True => "True",
            Kw::And => "and",
            Kw::As => "as",
            Kw::Assert => "assert",
            Kw::Async => "async",
            Kw::Await => "await",
            Kw::Break => "break",
            Kw::Class => "class",
            Kw::Continue => "continue",
            Kw::Def => "def",
            Kw::Del => "del",
            Kw::Elif => "elif",
            Kw::Else => "else",
            Kw::Except => "except",
            Kw::Finally => "finally",
            Kw::For => "for",
            Kw::From => "from",
            Kw::Global => "global",
            Kw::If => "if",
            Kw::Import => "import",
            Kw::In => "in",
            Kw::Is => "is",
            Kw::Lambda => "lambda",
            Kw::Nonlocal => "nonlocal",
            Kw::Not => "not",
            Kw::Or => "or",
            Kw::Pass => "pass",
            Kw::Raise => "raise",
            Kw::Return => "return",
            Kw::Try => "try",
            Kw::While => "while",
            Kw::With => "with",
            Kw::Yield => "yield",
        }
    }

    /// The keyword spelled `word`, if it is one.
    #[must_use]
    pub fn from_word(word: &str) -> Option<Kw> {
        Kw::ALL.iter().copied().find(|k| k.as_str() == word)
    }

    /// Whether expression mode lexes it as a keyword: the Python keywords that are no part
    /// of the expression language and get a targeted error there.
    fn in_expression_mode(self) -> bool {
        matches!(
            self,
            Kw::And | Kw::Or | Kw::Not | Kw::Is | Kw::In | Kw::Lambda | Kw::If | Kw::Else
        )
    }
}

/// One token kind. The ones after `Gt` exist only in module mode.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An integer literal; `None` when it does not fit 128 bits.
    Int(Option<u128>),
    Float(f64),
    Name(String),
    Keyword(Kw),
    LParen,
    RParen,
    Comma,
    Dot,
    Assign,
    Plus,
    Minus,
    Star,
    Slash,
    SlashSlash,
    Percent,
    StarStar,
    Shl,
    Shr,
    Amp,
    Pipe,
    Caret,
    Tilde,
    Lt,
    Le,
    EqEq,
    Ne,
    Ge,
    Gt,
    /// A string literal, escapes decoded.
    Str(String),
    /// A bytes literal, escapes decoded.
    Bytes(Vec<u8>),
    /// An f-string, undecoded: the kernel language has none, so its text is only carried.
    FString(String),
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Colon,
    Semi,
    At,
    /// `->`.
    Arrow,
    /// `...`.
    Ellipsis,
    /// `:=`.
    ColonEq,
    /// `+=`, `-=`, ... `@=`.
    AugAssign(BinOp),
    /// The end of a logical line.
    Newline,
    Indent,
    Dedent,
    Eof,
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// Splits `src` into tokens, ending with `Eof`.
pub fn lex(src: &str, mode: Mode) -> Result<Vec<Token>, SyntaxError> {
    let mut lx = Lexer {
        src,
        b: src.as_bytes(),
        i: 0,
        mode,
        out: Vec::new(),
        brackets: Vec::new(),
        indents: vec![(0, 0)],
        at_line_start: true,
    };
    // A UTF-8 byte order mark is not part of a module's text, as in Python.
    if mode == Mode::Module && src.starts_with('\u{feff}') {
        lx.i = '\u{feff}'.len_utf8();
    }
    lx.run()?;
    Ok(lx.out)
}

/// The 1-based line of byte `pos`, for messages that name a line.
pub(crate) fn line_of(src: &str, pos: usize) -> usize {
    let pos = pos.min(src.len());
    src.as_bytes()[..pos].split(|&c| c == b'\n').count()
}

pub(super) struct Lexer<'s> {
    pub(super) src: &'s str,
    pub(super) b: &'s [u8],
    pub(super) i: usize,
    mode: Mode,
    out: Vec<Token>,
    /// The open brackets (module mode): inside them newlines and indentation mean nothing.
    brackets: Vec<(u8, Span)>,
    /// The indentation stack (module mode): each level's column with tabs to the next
    /// multiple of 8, and with tabs counted as one column. Python compares both to detect
    /// indentation whose meaning depends on the tab width.
    indents: Vec<(usize, usize)>,
    at_line_start: bool,
}

impl Lexer<'_> {
    fn module(&self) -> bool {
        self.mode == Mode::Module
    }

    fn push(&mut self, tok: Tok, start: usize, end: usize) {
        self.out.push(Token {
            tok,
            span: Span::new(start, end),
        });
    }

    fn run(&mut self) -> Result<(), SyntaxError> {
        while self.i < self.b.len() {
            if self.module() && self.at_line_start && self.brackets.is_empty() {
                self.line_start()?;
                continue;
            }
            let start = self.i;
            let c = self.b[start];
            if self.module() {
                match c {
                    b' ' | b'\t' | 0x0c => {
                        self.i += 1;
                        continue;
                    }
                    b'#' => {
                        self.skip_comment();
                        continue;
                    }
                    b'\n' | b'\r' => {
                        let len = newline_len(self.b, start);
                        if self.brackets.is_empty() && self.line_has_tokens() {
                            self.push(Tok::Newline, start, start + len);
                        }
                        self.at_line_start = self.brackets.is_empty();
                        self.i += len;
                        continue;
                    }
                    b'\\' => {
                        self.continuation()?;
                        continue;
                    }
                    _ => {}
                }
            } else if c.is_ascii_whitespace() {
                self.i += 1;
                continue;
            } else if c == b'#' {
                // A comment runs to the end of its line, as in the Python strings numexpr
                // compiles; the next line's text is still part of the expression.
                self.skip_comment();
                continue;
            }
            let tok = self.token()?;
            self.push(tok, start, self.i);
        }
        self.finish()
    }

    /// Whether the current logical line has produced a token, so a newline ends it.
    fn line_has_tokens(&self) -> bool {
        self.out
            .last()
            .is_some_and(|t| !matches!(t.tok, Tok::Newline | Tok::Indent | Tok::Dedent))
    }

    fn skip_comment(&mut self) {
        while self.i < self.b.len() && !matches!(self.b[self.i], b'\n' | b'\r') {
            self.i += 1;
        }
    }

    /// A backslash: joins this line with the next, or is an error.
    fn continuation(&mut self) -> Result<(), SyntaxError> {
        let at = self.i;
        match self.b.get(at + 1) {
            Some(b'\n' | b'\r') => {
                self.i = at + 1 + newline_len(self.b, at + 1);
                Ok(())
            }
            None => Err(SyntaxError::new(
                "unexpected end of file after line continuation character",
                Span::new(at, at + 1),
            )),
            Some(_) => Err(SyntaxError::new(
                "unexpected character after line continuation character",
                Span::new(at, at + 1),
            )),
        }
    }

    /// The start of a physical line outside brackets: skips it whole when it is blank or
    /// only a comment; otherwise compares its indentation with the stack, emitting
    /// `Indent` or `Dedent`s, and leaves `i` on its first token.
    fn line_start(&mut self) -> Result<(), SyntaxError> {
        let line = self.i;
        let (mut col, mut alt) = (0usize, 0usize);
        let mut j = line;
        while j < self.b.len() {
            match self.b[j] {
                b' ' => {
                    col += 1;
                    alt += 1;
                }
                b'\t' => {
                    col = (col / 8 + 1) * 8;
                    alt += 1;
                }
                0x0c => {
                    col = 0;
                    alt = 0;
                }
                _ => break,
            }
            j += 1;
        }
        match self.b.get(j) {
            None => {
                self.i = j;
                return Ok(());
            }
            Some(b'#') => {
                self.i = j;
                self.skip_comment();
                if self.i < self.b.len() {
                    self.i += newline_len(self.b, self.i);
                }
                return Ok(());
            }
            Some(b'\n' | b'\r') => {
                self.i = j + newline_len(self.b, j);
                return Ok(());
            }
            Some(_) => {}
        }
        self.at_line_start = false;
        self.i = j;
        let tab_error = || {
            SyntaxError::new(
                "inconsistent use of tabs and spaces in indentation",
                Span::new(line, j),
            )
            .note("indent with spaces only, or tabs only")
        };
        let (top, top_alt) = self.indents[self.indents.len() - 1];
        match col.cmp(&top) {
            Ordering::Equal if alt != top_alt => return Err(tab_error()),
            Ordering::Equal => {}
            Ordering::Greater => {
                if alt <= top_alt {
                    return Err(tab_error());
                }
                self.indents.push((col, alt));
                self.push(Tok::Indent, line, j);
            }
            Ordering::Less => {
                while self.indents.len() > 1 && col < self.indents[self.indents.len() - 1].0 {
                    self.indents.pop();
                    self.push(Tok::Dedent, j, j);
                }
                let (top, top_alt) = self.indents[self.indents.len() - 1];
                if col != top {
                    return Err(SyntaxError::new(
                        "unindent does not match any outer indentation level",
                        Span::new(line, j),
                    ));
                }
                if alt != top_alt {
                    return Err(tab_error());
                }
            }
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), SyntaxError> {
        let end = self.b.len();
        if self.module() {
            if let Some(&(open, span)) = self.brackets.last() {
                return Err(SyntaxError::new(
                    format!("'{}' was never closed", open as char),
                    span,
                ));
            }
            if self.line_has_tokens() {
                self.push(Tok::Newline, end, end);
            }
            for _ in 1..self.indents.len() {
                self.push(Tok::Dedent, end, end);
            }
        }
        self.push(Tok::Eof, end, end);
        Ok(())
    }

    /// One token at `i`, which is not whitespace; advances `i` past it.
    fn token(&mut self) -> Result<Tok, SyntaxError> {
        let b = self.b;
        let start = self.i;
        let c = b[start];
        if self.module() && b[start..].starts_with(b"...") {
            self.i += 3;
            return Ok(Tok::Ellipsis);
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(start + 1).is_some_and(u8::is_ascii_digit)) {
            let (tok, end) = lex_number(self.src, start)?;
            self.i = end;
            return Ok(tok);
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            let word = &self.src[start..end];
            if self.module() && matches!(b.get(end), Some(b'\'' | b'"')) && is_prefix(word) {
                self.i = end;
                return self.string(start, word);
            }
            self.i = end;
            return Ok(match Kw::from_word(word) {
                Some(k) if self.module() || k.in_expression_mode() => Tok::Keyword(k),
                _ => Tok::Name(word.to_string()),
            });
        }
        if self.module() && (c == b'\'' || c == b'"') {
            return self.string(start, "");
        }
        let Some((tok, len)) = self.operator() else {
            return Err(self.invalid_character());
        };
        self.i += len;
        if self.module() {
            self.bracket(&tok, Span::new(start, start + len))?;
        }
        Ok(tok)
    }

    /// The operator or delimiter at `i` and its length, longest match first.
    fn operator(&self) -> Option<(Tok, usize)> {
        let b = &self.b[self.i..];
        let at = |k: usize| b.get(k).copied().unwrap_or(0);
        let (c, two) = (at(0), at(1));
        if self.module() {
            let aug = |op| Some((Tok::AugAssign(op), 0));
            let three = match (c, two, at(2)) {
                (b'*', b'*', b'=') => aug(BinOp::Pow),
                (b'/', b'/', b'=') => aug(BinOp::FloorDiv),
                (b'<', b'<', b'=') => aug(BinOp::Shl),
                (b'>', b'>', b'=') => aug(BinOp::Shr),
                _ => None,
            };
            if let Some((tok, _)) = three {
                return Some((tok, 3));
            }
            let two_char = match (c, two) {
                (b'-', b'>') => Some(Tok::Arrow),
                (b':', b'=') => Some(Tok::ColonEq),
                (b'+', b'=') => Some(Tok::AugAssign(BinOp::Add)),
                (b'-', b'=') => Some(Tok::AugAssign(BinOp::Sub)),
                (b'*', b'=') => Some(Tok::AugAssign(BinOp::Mul)),
                (b'/', b'=') => Some(Tok::AugAssign(BinOp::Div)),
                (b'%', b'=') => Some(Tok::AugAssign(BinOp::Mod)),
                (b'&', b'=') => Some(Tok::AugAssign(BinOp::BitAnd)),
                (b'|', b'=') => Some(Tok::AugAssign(BinOp::BitOr)),
                (b'^', b'=') => Some(Tok::AugAssign(BinOp::BitXor)),
                (b'@', b'=') => Some(Tok::AugAssign(BinOp::MatMul)),
                _ => None,
            };
            if let Some(tok) = two_char {
                return Some((tok, 2));
            }
            let one = match c {
                b'[' => Some(Tok::LBracket),
                b']' => Some(Tok::RBracket),
                b'{' => Some(Tok::LBrace),
                b'}' => Some(Tok::RBrace),
                b':' => Some(Tok::Colon),
                b';' => Some(Tok::Semi),
                b'@' => Some(Tok::At),
                _ => None,
            };
            if let Some(tok) = one {
                return Some((tok, 1));
            }
        }
        Some(match (c, two) {
            (b'*', b'*') => (Tok::StarStar, 2),
            (b'/', b'/') => (Tok::SlashSlash, 2),
            (b'<', b'<') => (Tok::Shl, 2),
            (b'>', b'>') => (Tok::Shr, 2),
            (b'<', b'=') => (Tok::Le, 2),
            (b'>', b'=') => (Tok::Ge, 2),
            (b'=', b'=') => (Tok::EqEq, 2),
            (b'!', b'=') => (Tok::Ne, 2),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b',', _) => (Tok::Comma, 1),
            (b'.', _) => (Tok::Dot, 1),
            (b'=', _) => (Tok::Assign, 1),
            (b'+', _) => (Tok::Plus, 1),
            (b'-', _) => (Tok::Minus, 1),
            (b'*', _) => (Tok::Star, 1),
            (b'/', _) => (Tok::Slash, 1),
            (b'%', _) => (Tok::Percent, 1),
            (b'&', _) => (Tok::Amp, 1),
            (b'|', _) => (Tok::Pipe, 1),
            (b'^', _) => (Tok::Caret, 1),
            (b'~', _) => (Tok::Tilde, 1),
            (b'<', _) => (Tok::Lt, 1),
            (b'>', _) => (Tok::Gt, 1),
            _ => return None,
        })
    }

    /// Keeps the bracket stack (module mode): opening brackets push, closing ones must
    /// match the innermost open one.
    fn bracket(&mut self, tok: &Tok, span: Span) -> Result<(), SyntaxError> {
        let close = match tok {
            Tok::LParen | Tok::LBracket | Tok::LBrace => {
                self.brackets.push((self.b[span.start as usize], span));
                return Ok(());
            }
            Tok::RParen => b'(',
            Tok::RBracket => b'[',
            Tok::RBrace => b'{',
            _ => return Ok(()),
        };
        let closing = self.b[span.start as usize] as char;
        match self.brackets.pop() {
            None => Err(SyntaxError::new(format!("unmatched '{closing}'"), span)),
            Some((open, _)) if open == close => Ok(()),
            Some((open, open_span)) => {
                let line = line_of(self.src, open_span.start as usize);
                let mut msg = format!(
                    "closing parenthesis '{closing}' does not match opening parenthesis '{}'",
                    open as char
                );
                if line != line_of(self.src, span.start as usize) {
                    let _ = write!(msg, " on line {line}");
                }
                Err(SyntaxError::new(msg, span))
            }
        }
    }

    fn invalid_character(&self) -> SyntaxError {
        let i = self.i;
        let ch = self.src[i..].chars().next().unwrap_or('?');
        let span = Span::new(i, i + ch.len_utf8());
        let err = SyntaxError::new(format!("invalid character {ch:?}"), span);
        if self.module() {
            return if ch.is_alphabetic() {
                err.note("names are ASCII letters, digits and '_'")
            } else {
                err
            };
        }
        if ch == '[' || ch == ']' {
            err.note("indexing and lists are not part of the expression language")
        } else if ch == '\'' || ch == '"' {
            err.note("strings are not supported")
        } else {
            err
        }
    }
}

/// The length of the line break at `i`: 2 for `\r\n`, else 1.
pub(super) fn newline_len(b: &[u8], i: usize) -> usize {
    if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
        2
    } else {
        1
    }
}

fn lex_number(src: &str, start: usize) -> Result<(Tok, usize), SyntaxError> {
    let b = src.as_bytes();
    let mut i = start;
    let digits = |i: &mut usize| {
        while *i < b.len() && (b[*i].is_ascii_digit() || b[*i] == b'_') {
            *i += 1;
        }
    };
    // Hexadecimal, octal and binary integers, as in Python.
    if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X' | b'o' | b'O' | b'b' | b'B')) {
        let radix = match b[i + 1] {
            b'x' | b'X' => 16,
            b'o' | b'O' => 8,
            _ => 2,
        };
        i += 2;
        let ds = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
            i += 1;
        }
        let text: String = src[ds..i].chars().filter(|&c| c != '_').collect();
        let span = Span::new(start, i);
        if text.is_empty() || !text.chars().all(|c| c.is_digit(radix)) {
            return Err(SyntaxError::new("invalid integer literal", span));
        }
        return Ok((Tok::Int(u128::from_str_radix(&text, radix).ok()), i));
    }
    let mut is_float = false;
    digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        is_float = true;
        i += 1;
        digits(&mut i);
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        let save = i;
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let ds = i;
        digits(&mut i);
        if i == ds {
            return Err(SyntaxError::new(
                "invalid float literal: missing exponent digits",
                Span::new(start, i.max(save + 1)),
            ));
        }
        is_float = true;
    }
    let span = Span::new(start, i);
    if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
        let mut end = i;
        while end < b.len() && b[end].is_ascii_alphanumeric() {
            end += 1;
        }
        let err = SyntaxError::new("invalid numeric literal", Span::new(start, end));
        return Err(if b[i] == b'j' || b[i] == b'J' {
            err.note("complex literals are not supported yet")
        } else {
            err
        });
    }
    let text: String = src[start..i].chars().filter(|&c| c != '_').collect();
    if text.starts_with('0') && !is_float && text.len() > 1 && text.bytes().any(|c| c != b'0') {
        return Err(SyntaxError::new(
            "leading zeros in decimal integer literals are not permitted",
            span,
        )
        .note("use an 0o prefix for octal integers"));
    }
    if is_float {
        let v: f64 = text
            .parse()
            .map_err(|_| SyntaxError::new("invalid float literal", span))?;
        Ok((Tok::Float(v), i))
    } else {
        Ok((Tok::Int(text.parse::<u128>().ok()), i))
    }
}

#[cfg(test)]
mod tests {
    use super::{Kw, Mode, Span, Tok, lex};
    use crate::syntax::ast::BinOp;

    /// The module-mode tokens of `src` as short text: names and keywords as themselves,
    /// `NL`, `IN`, `DE` for the layout tokens.
    fn toks(src: &str) -> String {
        let tokens = lex(src, Mode::Module).unwrap_or_else(|e| panic!("{src:?}: {e:?}"));
        let words: Vec<String> = tokens
            .iter()
            .map(|t| match &t.tok {
                Tok::Name(n) => n.clone(),
                Tok::Keyword(k) => k.as_str().to_string(),
                Tok::Int(Some(v)) => v.to_string(),
                Tok::Float(v) => format!("{v:?}"),
                Tok::Str(s) => format!("{s:?}"),
                Tok::Bytes(b) => format!("b{b:?}"),
                Tok::FString(s) => format!("f{s:?}"),
                Tok::Newline => "NL".into(),
                Tok::Indent => "IN".into(),
                Tok::Dedent => "DE".into(),
                Tok::Eof => "EOF".into(),
                other => format!("{other:?}"),
            })
            .collect();
        words.join(" ")
    }

    fn err(src: &str) -> String {
        let e = lex(src, Mode::Module).unwrap_err();
        format!("{} @{}..{}", e.message, e.span.start, e.span.end)
    }

    #[test]
    fn indentation_gives_indent_and_dedent() {
        let src = "def f():\n    if x:\n        a\n    b\nc\n";
        assert_eq!(
            toks(src),
            "def f LParen RParen Colon NL IN if x Colon NL IN a NL DE b NL DE c NL EOF"
        );
        // Several levels close at once, and at the end of the file without a newline.
        assert_eq!(
            toks("if a:\n  if b:\n    c\nd"),
            "if a Colon NL IN if b Colon NL IN c NL DE DE d NL EOF"
        );
        assert_eq!(
            toks("if a:\n  if b:\n    c"),
            "if a Colon NL IN if b Colon NL IN c NL DE DE EOF"
        );
        // The Indent's span is the line's indentation.
        let t = lex("if a:\n   b\n", Mode::Module).unwrap();
        assert_eq!(
            (t[4].tok.clone(), t[4].span.start, t[4].span.end),
            (Tok::Indent, 6, 9)
        );
    }

    #[test]
    fn blank_and_comment_lines_are_ignored() {
        let src = "a = 1  # one\n\n   \n# top\n        # deep\nif a:\n\n    # c\n    b\n";
        assert_eq!(toks(src), "a Assign 1 NL if a Colon NL IN b NL DE EOF");
        assert_eq!(toks(""), "EOF");
        assert_eq!(toks("\n\n# only\n  \n"), "EOF");
    }

    #[test]
    fn tabs_and_form_feeds() {
        // Tabs advance to the next multiple of 8: a tab and eight spaces are one level only
        // where that does not depend on the tab width.
        assert_eq!(
            toks("if a:\n\tb\n\tc\n"),
            "if a Colon NL IN b NL c NL DE EOF"
        );
        assert_eq!(
            err("if a:\n\tb\n        c\n"),
            "inconsistent use of tabs and spaces in indentation @9..17"
        );
        assert_eq!(
            err("if a:\n    \tb\n\tc\n"),
            "inconsistent use of tabs and spaces in indentation @13..14"
        );
        // A form feed resets the column, as in Python.
        assert_eq!(toks("\x0cif a:\n\x0c  b\n"), "if a Colon NL IN b NL DE EOF");
    }

    #[test]
    fn indentation_errors() {
        assert_eq!(
            err("if a:\n    b\n  c\n"),
            "unindent does not match any outer indentation level @12..14"
        );
    }

    #[test]
    fn brackets_join_lines_and_backslashes_continue_them() {
        assert_eq!(
            toks("x = (1 +\n  2)\ny = [\n\n 3,  # c\n]\n"),
            "x Assign LParen 1 Plus 2 RParen NL y Assign LBracket 3 Comma RBracket NL EOF"
        );
        assert_eq!(toks("x = 1 + \\\n    2\n"), "x Assign 1 Plus 2 NL EOF");
        assert_eq!(toks("x = 1 + \\\r\n 2\r\n"), "x Assign 1 Plus 2 NL EOF");
        assert_eq!(
            err("x = \\ 1\n"),
            "unexpected character after line continuation character @4..5"
        );
        assert_eq!(
            err("x = 1 \\"),
            "unexpected end of file after line continuation character @6..7"
        );
        assert_eq!(err("x = (1,\n2\n"), "'(' was never closed @4..5");
        assert_eq!(err("x = 1)\n"), "unmatched ')' @5..6");
        assert_eq!(
            err("x = (1]\n"),
            "closing parenthesis ']' does not match opening parenthesis '(' @6..7"
        );
        assert_eq!(
            err("x = {\n1]\n"),
            "closing parenthesis ']' does not match opening parenthesis '{' on line 1 @7..8"
        );
    }

    #[test]
    fn line_endings_and_bom() {
        assert_eq!(
            toks("\u{feff}if a:\r\n  b\r\n"),
            "if a Colon NL IN b NL DE EOF"
        );
        assert_eq!(toks("a\rb\r"), "a NL b NL EOF");
    }

    #[test]
    fn strings() {
        assert_eq!(toks(r#"'a' "b""#), r#""a" "b" NL EOF"#);
        assert_eq!(
            toks(r#"'\n\t\\\'\"\x41\101\u00e9\U0001F600\q'"#),
            "\"\\n\\t\\\\'\\\"AAé😀\\\\q\" NL EOF"
        );
        assert_eq!(toks(r"r'\n\''"), r#""\\n\\'" NL EOF"#);
        assert_eq!(toks(r"b'a\x00\xff\u'"), "b[97, 0, 255, 92, 117] NL EOF");
        assert_eq!(toks(r"Rb'\x'"), "b[92, 120] NL EOF");
        assert_eq!(toks("f'{x}' u'u'"), "f\"{x}\" \"u\" NL EOF");
        // Triple quotes span lines (their line breaks become \n) and hold single quotes;
        // a backslash before a line break joins the lines.
        assert_eq!(
            toks("'''a\r\n'b'\n''' \"x\\\ny\""),
            "\"a\\n'b'\\n\" \"xy\" NL EOF"
        );
        assert_eq!(toks("\"\"\"doc\"\"\"\nx"), "\"doc\" NL x NL EOF");
        // A prefix is only a prefix right before a quote.
        assert_eq!(toks("rb = b"), "rb Assign b NL EOF");
    }

    #[test]
    fn string_errors() {
        assert_eq!(
            err("x = 'abc\ny'\n"),
            "unterminated string literal (detected at line 1) @4..8"
        );
        assert_eq!(
            err("x = '''abc\n\n"),
            "unterminated triple-quoted string literal (detected at line 3) @4..7"
        );
        assert_eq!(
            err("x = 'ab"),
            "unterminated string literal (detected at line 1) @4..7"
        );
        assert_eq!(err(r"'\x4'"), "truncated \\xXX escape @1..4");
        assert_eq!(err(r"'\ud8'"), "truncated \\uXXXX escape @1..5");
        assert_eq!(
            err(r"'\U00110000'"),
            "illegal Unicode character in \\UXXXXXXXX escape @1..11"
        );
        assert_eq!(
            err(r"'\N{DASH}'"),
            "\\N{...} escapes are not supported @1..3"
        );
        assert_eq!(
            err("b'é'"),
            "bytes can only contain ASCII literal characters @2..4"
        );
        assert_eq!(
            err(r"b'\777'"),
            "octal escape value out of range (over \\377) @2..6"
        );
    }

    #[test]
    fn every_keyword_is_a_keyword_in_module_mode() {
        for k in Kw::ALL {
            let t = lex(k.as_str(), Mode::Module).unwrap();
            assert_eq!(t[0].tok, Tok::Keyword(k));
            assert_eq!(Kw::from_word(k.as_str()), Some(k));
        }
        // Soft keywords and near misses are names.
        for w in [
            "match", "case", "type", "_", "print", "exec", "none", "TRUE", "iff",
        ] {
            assert_eq!(lex(w, Mode::Module).unwrap()[0].tok, Tok::Name(w.into()));
        }
    }

    #[test]
    fn expression_mode_has_eight_keywords() {
        for k in Kw::ALL {
            let t = lex(k.as_str(), Mode::Expression).unwrap();
            let expected = if k.in_expression_mode() {
                Tok::Keyword(k)
            } else {
                Tok::Name(k.as_str().into())
            };
            assert_eq!(t[0].tok, expected, "{}", k.as_str());
        }
        let n = Kw::ALL.iter().filter(|k| k.in_expression_mode()).count();
        assert_eq!(n, 8);
    }

    #[test]
    fn every_operator() {
        let table: &[(&str, Tok)] = &[
            ("(", Tok::LParen),
            (")", Tok::RParen),
            ("[", Tok::LBracket),
            ("]", Tok::RBracket),
            ("{", Tok::LBrace),
            ("}", Tok::RBrace),
            (",", Tok::Comma),
            (".", Tok::Dot),
            (":", Tok::Colon),
            (";", Tok::Semi),
            ("@", Tok::At),
            ("=", Tok::Assign),
            ("->", Tok::Arrow),
            ("...", Tok::Ellipsis),
            (":=", Tok::ColonEq),
            ("+", Tok::Plus),
            ("-", Tok::Minus),
            ("*", Tok::Star),
            ("/", Tok::Slash),
            ("//", Tok::SlashSlash),
            ("%", Tok::Percent),
            ("**", Tok::StarStar),
            ("<<", Tok::Shl),
            (">>", Tok::Shr),
            ("&", Tok::Amp),
            ("|", Tok::Pipe),
            ("^", Tok::Caret),
            ("~", Tok::Tilde),
            ("<", Tok::Lt),
            ("<=", Tok::Le),
            ("==", Tok::EqEq),
            ("!=", Tok::Ne),
            (">=", Tok::Ge),
            (">", Tok::Gt),
            ("+=", Tok::AugAssign(BinOp::Add)),
            ("-=", Tok::AugAssign(BinOp::Sub)),
            ("*=", Tok::AugAssign(BinOp::Mul)),
            ("/=", Tok::AugAssign(BinOp::Div)),
            ("//=", Tok::AugAssign(BinOp::FloorDiv)),
            ("%=", Tok::AugAssign(BinOp::Mod)),
            ("**=", Tok::AugAssign(BinOp::Pow)),
            ("&=", Tok::AugAssign(BinOp::BitAnd)),
            ("|=", Tok::AugAssign(BinOp::BitOr)),
            ("^=", Tok::AugAssign(BinOp::BitXor)),
            ("<<=", Tok::AugAssign(BinOp::Shl)),
            (">>=", Tok::AugAssign(BinOp::Shr)),
            ("@=", Tok::AugAssign(BinOp::MatMul)),
        ];
        for (text, tok) in table {
            // Between names, so that the operator is one token of a valid line; brackets
            // in pairs.
            let src = match text.len() {
                1 if "()[]{}".contains(*text) => "()[]{}".to_string(),
                _ => format!("x {text} x"),
            };
            let t = lex(&src, Mode::Module).unwrap();
            let found = t
                .iter()
                .find(|t| &src[t.span.start as usize..t.span.end as usize] == *text);
            assert_eq!(found.map(|t| &t.tok), Some(tok), "{text}");
        }
        // Longest match first.
        assert_eq!(
            toks("a**=b//=c...d->e"),
            "a AugAssign(Pow) b AugAssign(FloorDiv) c Ellipsis d Arrow e NL EOF"
        );
        // Expression mode splits what module mode joins, and rejects the rest.
        let t: Vec<Tok> = lex("a**=b", Mode::Expression)
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect();
        assert_eq!(
            t,
            [
                Tok::Name("a".into()),
                Tok::StarStar,
                Tok::Assign,
                Tok::Name("b".into()),
                Tok::Eof
            ]
        );
        for c in ["[", "]", "{", "}", ":", ";", "@", "'", "\"", "\\", "$", "!"] {
            assert!(lex(c, Mode::Expression).is_err(), "{c}");
        }
    }

    /// A `#` comment runs to the end of its line in expression mode too; what follows the
    /// line break is still lexed, and a comment may hold characters the language refuses.
    #[test]
    fn expression_mode_skips_comments() {
        let spanned = |src| -> Vec<(Tok, Span)> {
            let t = lex(src, Mode::Expression).unwrap();
            t.into_iter().map(|t| (t.tok, t.span)).collect()
        };
        assert_eq!(
            spanned("a # [x]: 'y' @\r\n+ b#"),
            [
                (Tok::Name("a".into()), Span::new(0, 1)),
                (Tok::Plus, Span::new(16, 17)),
                (Tok::Name("b".into()), Span::new(18, 19)),
                (Tok::Eof, Span::new(20, 20)),
            ]
        );
        assert_eq!(spanned("#"), [(Tok::Eof, Span::new(1, 1))]);
    }

    #[test]
    fn expression_mode_ignores_layout() {
        let t = lex("  a\n\t+\r\n  b  ", Mode::Expression).unwrap();
        let kinds: Vec<Tok> = t.into_iter().map(|t| t.tok).collect();
        assert_eq!(
            kinds,
            [
                Tok::Name("a".into()),
                Tok::Plus,
                Tok::Name("b".into()),
                Tok::Eof
            ]
        );
    }
}
