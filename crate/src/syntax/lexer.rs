//! Source text -> tokens with spans. Whitespace separates tokens; nothing else is skipped.

use super::{Span, SyntaxError};

/// One token kind of numexpr's language.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// An integer literal; `None` when it does not fit 128 bits.
    Int(Option<u128>),
    Float(f64),
    Name(String),
    /// `and`, `or`, `not`, `is`, `in`, `lambda`, `if`, `else`: Python keywords that are no
    /// part of the language and get a targeted error.
    Keyword(String),
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
    Eof,
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

const KEYWORDS: &[&str] = &["and", "or", "not", "is", "in", "lambda", "if", "else"];

/// Splits `src` into tokens, ending with `Eof`.
pub fn lex(src: &str) -> Result<Vec<Token>, SyntaxError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let tok =
            if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
                let (tok, end) = lex_number(src, i)?;
                i = end;
                tok
            } else if c.is_ascii_alphabetic() || c == b'_' {
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                let word = &src[start..i];
                if KEYWORDS.contains(&word) {
                    Tok::Keyword(word.to_string())
                } else {
                    Tok::Name(word.to_string())
                }
            } else {
                let two = b.get(i + 1).copied().unwrap_or(0);
                let (tok, len) = match (c, two) {
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
                    _ => {
                        let ch = src[i..].chars().next().unwrap_or('?');
                        let span = Span::new(i, i + ch.len_utf8());
                        let mut err = SyntaxError::new(format!("invalid character {ch:?}"), span);
                        if ch == '[' || ch == ']' {
                            err = err
                                .note("indexing and lists are not part of the expression language");
                        } else if ch == '\'' || ch == '"' {
                            err = err.note("strings are not supported");
                        }
                        return Err(err);
                    }
                };
                i += len;
                tok
            };
        out.push(Token {
            tok,
            span: Span::new(start, i),
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        span: Span::new(b.len(), b.len()),
    });
    Ok(out)
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
