//! String and bytes literals (module mode): prefixes, quotes, triple quotes, and Python's
//! escapes. An f-string is only delimited: the kernel language has none, so its text is
//! carried for the error that names it.

use super::lexer::{Lexer, Tok, line_of, newline_len};
use super::{Span, SyntaxError};

impl Lexer<'_> {
    /// A string literal whose prefix (`r`, `b`, `f`, ... or empty) starts at `start` and
    /// whose opening quote is at `i`.
    pub(super) fn string(&mut self, start: usize, prefix: &str) -> Result<Tok, SyntaxError> {
        let b = self.b;
        let prefix = prefix.to_ascii_lowercase();
        let (raw, bytes, fstr) = (
            prefix.contains('r'),
            prefix.contains('b'),
            prefix.contains('f'),
        );
        let q = b[self.i];
        let triple = b.get(self.i + 1) == Some(&q) && b.get(self.i + 2) == Some(&q);
        let quote_len = if triple { 3 } else { 1 };
        let body_start = self.i + quote_len;
        let mut i = body_start;
        let body_end = loop {
            let Some(&c) = b.get(i) else {
                let line = line_of(self.src, b.len());
                return Err(if triple {
                    SyntaxError::new(
                        format!(
                            "unterminated triple-quoted string literal (detected at line {line})"
                        ),
                        Span::new(start, body_start),
                    )
                } else {
                    SyntaxError::new(
                        format!("unterminated string literal (detected at line {line})"),
                        Span::new(start, i),
                    )
                });
            };
            match c {
                // An escaped character never ends the literal; an escaped newline is
                // always part of it.
                b'\\' => {
                    i += 1;
                    if i < b.len() {
                        i += if matches!(b[i], b'\n' | b'\r') {
                            newline_len(b, i)
                        } else {
                            1
                        };
                    }
                }
                b'\n' | b'\r' if !triple => {
                    let line = line_of(self.src, i);
                    return Err(SyntaxError::new(
                        format!("unterminated string literal (detected at line {line})"),
                        Span::new(start, i),
                    ));
                }
                _ if c == q && (!triple || b[i..].starts_with(&[q, q, q])) => break i,
                _ => i += 1,
            }
        };
        self.i = body_end + quote_len;
        let body = &self.src[body_start..body_end];
        if fstr {
            return Ok(Tok::FString(body.to_string()));
        }
        let value = decode(body, body_start, raw, bytes)?;
        if bytes {
            Ok(Tok::Bytes(value))
        } else {
            // `decode` only produces UTF-8 for a str literal.
            Ok(Tok::Str(String::from_utf8(value).unwrap_or_default()))
        }
    }
}

/// Whether `word` is a string prefix: `r`, `u`, `b`, `f` and the pairs Python allows.
pub(super) fn is_prefix(word: &str) -> bool {
    matches!(
        word.to_ascii_lowercase().as_str(),
        "r" | "u" | "b" | "f" | "br" | "rb" | "fr" | "rf"
    )
}

/// The value of a string or bytes literal's body (which starts at byte `offset` of the
/// source): line breaks become `\n`, and unless `raw`, escapes are decoded as Python does
/// (an unknown escape keeps its backslash). A str literal's value is UTF-8.
fn decode(body: &str, offset: usize, raw: bool, bytes: bool) -> Result<Vec<u8>, SyntaxError> {
    if bytes && let Some((k, c)) = body.char_indices().find(|(_, c)| !c.is_ascii()) {
        return Err(SyntaxError::new(
            "bytes can only contain ASCII literal characters",
            Span::new(offset + k, offset + k + c.len_utf8()),
        ));
    }
    let mut out = Vec::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    let push_char = |out: &mut Vec<u8>, c: char| {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    };
    while let Some((k, c)) = chars.next() {
        if c == '\r' {
            chars.next_if(|&(_, n)| n == '\n');
            out.push(b'\n');
            continue;
        }
        if c != '\\' {
            push_char(&mut out, c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            // The scanner never ends a body on a lone backslash.
            out.push(b'\\');
            break;
        };
        if raw {
            out.push(b'\\');
            if e == '\r' {
                chars.next_if(|&(_, n)| n == '\n');
                out.push(b'\n');
            } else {
                push_char(&mut out, e);
            }
            continue;
        }
        let simple = match e {
            '\n' => Some(None),
            '\r' => {
                chars.next_if(|&(_, n)| n == '\n');
                Some(None)
            }
            '\\' => Some(Some(b'\\')),
            '\'' => Some(Some(b'\'')),
            '"' => Some(Some(b'"')),
            'a' => Some(Some(7)),
            'b' => Some(Some(8)),
            'f' => Some(Some(12)),
            'n' => Some(Some(b'\n')),
            'r' => Some(Some(b'\r')),
            't' => Some(Some(b'\t')),
            'v' => Some(Some(11)),
            _ => None,
        };
        if let Some(v) = simple {
            out.extend(v);
            continue;
        }
        let escape_span = |len: usize| Span::new(offset + k, offset + k + len);
        match e {
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                let mut len = 2;
                while len < 4 {
                    match chars.next_if(|&(_, d)| d.is_digit(8)) {
                        Some((_, d)) => v = v * 8 + d.to_digit(8).unwrap_or(0),
                        None => break,
                    }
                    len += 1;
                }
                if bytes {
                    let Ok(v) = u8::try_from(v) else {
                        return Err(SyntaxError::new(
                            "octal escape value out of range (over \\377)",
                            escape_span(len),
                        ));
                    };
                    out.push(v);
                } else {
                    push_char(&mut out, char::from_u32(v).unwrap_or('\u{fffd}'));
                }
            }
            'x' | 'u' | 'U' if e == 'x' || !bytes => {
                let (digits, name) = match e {
                    'x' => (2, "\\xXX"),
                    'u' => (4, "\\uXXXX"),
                    _ => (8, "\\UXXXXXXXX"),
                };
                let mut v = 0u32;
                for n in 0..digits {
                    match chars.next_if(|&(_, d)| d.is_ascii_hexdigit()) {
                        Some((_, d)) => v = v * 16 + d.to_digit(16).unwrap_or(0),
                        None => {
                            return Err(SyntaxError::new(
                                format!("truncated {name} escape"),
                                escape_span(2 + n),
                            ));
                        }
                    }
                }
                if bytes {
                    out.push(v as u8);
                } else {
                    let Some(ch) = char::from_u32(v) else {
                        return Err(SyntaxError::new(
                            format!("illegal Unicode character in {name} escape"),
                            escape_span(2 + digits),
                        ));
                    };
                    push_char(&mut out, ch);
                }
            }
            'N' if !bytes => {
                return Err(
                    SyntaxError::new("\\N{...} escapes are not supported", escape_span(2))
                        .note("write the character itself, or a \\u escape"),
                );
            }
            _ => {
                out.push(b'\\');
                push_char(&mut out, e);
            }
        }
    }
    Ok(out)
}
