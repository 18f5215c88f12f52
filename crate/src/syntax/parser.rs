//! Tokens -> AST: precedence climbing over Python's grammar levels (a Pratt parser written
//! as one function per binding power, which keeps each level readable).
//!
//! Loosest to tightest: comparisons (chained, `a < b < c` means `(a < b) & (b < c)`), `|`,
//! `^`, `&`, `<< >>`, `+ -`, `* / // %`, unary `- + ~`, `**` (right-associative; its left
//! operand is a primary, so `-2**2 == -(2**2)`, and its right operand may be unary:
//! `2**-1`), then calls, attributes and atoms.

use super::ast::{Ast, BinOp, CmpOp, ExprId, ExprKind, UnOp};
use super::lexer::{Tok, Token, lex};
use super::{Span, SyntaxError};

/// The longest source text accepted, in bytes.
pub const MAX_SOURCE_LEN: usize = 64 * 1024;
/// The deepest nesting accepted: both parser recursion and AST height are bounded by it,
/// so that no later recursive pass can overflow the stack.
pub const MAX_DEPTH: usize = 200;

/// Parses one expression.
pub fn parse(src: &str) -> Result<Ast, SyntaxError> {
    if src.len() > MAX_SOURCE_LEN {
        return Err(SyntaxError::new(
            format!(
                "expression is too long ({} bytes, the limit is {MAX_SOURCE_LEN})",
                src.len()
            ),
            Span::new(0, 0),
        ));
    }
    let tokens = lex(src)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        ast: Ast::default(),
        heights: Vec::new(),
        depth: 0,
    };
    if p.peek() == &Tok::Eof {
        return Err(SyntaxError::new(
            "empty expression",
            Span::new(0, src.len()),
        ));
    }
    let root = p.expr()?;
    if p.peek() != &Tok::Eof {
        let t = p.tokens[p.pos].clone();
        return Err(p.unexpected(&t, "end of expression"));
    }
    p.ast.root = Some(root);
    Ok(p.ast)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    ast: Ast,
    /// Height of every AST node, to bound the depth of later recursive passes.
    heights: Vec<usize>,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.tokens[self.pos].tok
    }

    fn span(&self) -> Span {
        self.tokens[self.pos].span
    }

    /// Consumes one token. Every loop of the parser calls this at least once per turn,
    /// which is the progress guarantee: the parser cannot hang.
    fn bump(&mut self) -> Token {
        let t = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn push(
        &mut self,
        kind: ExprKind,
        span: Span,
        children: &[ExprId],
    ) -> Result<ExprId, SyntaxError> {
        let h = 1 + children
            .iter()
            .map(|c| self.heights[c.0 as usize])
            .max()
            .unwrap_or(0);
        if h > MAX_DEPTH {
            return Err(SyntaxError::new(
                format!("expression is nested too deeply (the limit is {MAX_DEPTH})"),
                span,
            ));
        }
        self.heights.push(h);
        Ok(self.ast.push(kind, span))
    }

    fn span_of(&self, id: ExprId) -> Span {
        self.ast.get(id).span
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::new(
                format!("expression is nested too deeply (the limit is {MAX_DEPTH})"),
                self.span(),
            ));
        }
        Ok(())
    }

    #[allow(clippy::unused_self)]
    fn unexpected(&self, t: &Token, wanted: &str) -> SyntaxError {
        match &t.tok {
            Tok::Eof => SyntaxError::new(
                format!("unexpected end of expression, expected {wanted}"),
                t.span,
            ),
            Tok::Keyword(k) => keyword_error(k, t.span),
            Tok::Assign => SyntaxError::new("unexpected '='", t.span)
                .note("assignment is not an expression; use '==' to compare"),
            other => SyntaxError::new(
                format!("unexpected {}, expected {wanted}", describe(other)),
                t.span,
            ),
        }
    }

    fn expr(&mut self) -> Result<ExprId, SyntaxError> {
        self.enter()?;
        let r = self.comparison();
        self.depth -= 1;
        let r = r?;
        if let Tok::Keyword(k) = self.peek() {
            return Err(keyword_error(&k.clone(), self.span()));
        }
        Ok(r)
    }

    fn comparison(&mut self) -> Result<ExprId, SyntaxError> {
        let first = self.bitor()?;
        let mut left = first;
        let mut acc: Option<ExprId> = None;
        while let Some(op) = cmp_op(self.peek()) {
            self.bump();
            let right = self.bitor()?;
            let span = self.span_of(left).join(self.span_of(right));
            let cmp = self.push(ExprKind::Compare(op, left, right), span, &[left, right])?;
            acc = Some(match acc {
                None => cmp,
                Some(prev) => {
                    let span = self.span_of(first).join(self.span_of(right));
                    self.push(
                        ExprKind::Binary(BinOp::BitAnd, prev, cmp),
                        span,
                        &[prev, cmp],
                    )?
                }
            });
            left = right;
        }
        Ok(acc.unwrap_or(first))
    }

    fn binary_level(
        &mut self,
        next: fn(&mut Self) -> Result<ExprId, SyntaxError>,
        ops: fn(&Tok) -> Option<BinOp>,
    ) -> Result<ExprId, SyntaxError> {
        let mut left = next(self)?;
        while let Some(op) = ops(self.peek()) {
            self.bump();
            let right = next(self)?;
            let span = self.span_of(left).join(self.span_of(right));
            left = self.push(ExprKind::Binary(op, left, right), span, &[left, right])?;
        }
        Ok(left)
    }

    fn bitor(&mut self) -> Result<ExprId, SyntaxError> {
        self.binary_level(Self::bitxor, |t| (t == &Tok::Pipe).then_some(BinOp::BitOr))
    }

    fn bitxor(&mut self) -> Result<ExprId, SyntaxError> {
        self.binary_level(Self::bitand, |t| {
            (t == &Tok::Caret).then_some(BinOp::BitXor)
        })
    }

    fn bitand(&mut self) -> Result<ExprId, SyntaxError> {
        self.binary_level(Self::shift, |t| (t == &Tok::Amp).then_some(BinOp::BitAnd))
    }

    fn shift(&mut self) -> Result<ExprId, SyntaxError> {
        self.binary_level(Self::arith, |t| match t {
            Tok::Shl => Some(BinOp::Shl),
            Tok::Shr => Some(BinOp::Shr),
            _ => None,
        })
    }

    fn arith(&mut self) -> Result<ExprId, SyntaxError> {
        self.binary_level(Self::term, |t| match t {
            Tok::Plus => Some(BinOp::Add),
            Tok::Minus => Some(BinOp::Sub),
            _ => None,
        })
    }

    fn term(&mut self) -> Result<ExprId, SyntaxError> {
        self.binary_level(Self::factor, |t| match t {
            Tok::Star => Some(BinOp::Mul),
            Tok::Slash => Some(BinOp::Div),
            Tok::SlashSlash => Some(BinOp::FloorDiv),
            Tok::Percent => Some(BinOp::Mod),
            _ => None,
        })
    }

    fn factor(&mut self) -> Result<ExprId, SyntaxError> {
        let op = match self.peek() {
            Tok::Minus => UnOp::Neg,
            Tok::Plus => UnOp::Pos,
            Tok::Tilde => UnOp::Invert,
            Tok::Keyword(k) if k == "not" => {
                return Err(SyntaxError::new("'not' is not supported", self.span())
                    .note("use '~' for element-wise logical not"));
            }
            _ => return self.power(),
        };
        let start = self.bump().span;
        self.enter()?;
        let arg = self.factor();
        self.depth -= 1;
        let arg = arg?;
        let span = start.join(self.span_of(arg));
        self.push(ExprKind::Unary(op, arg), span, &[arg])
    }

    fn power(&mut self) -> Result<ExprId, SyntaxError> {
        let base = self.primary()?;
        if self.peek() != &Tok::StarStar {
            return Ok(base);
        }
        self.bump();
        self.enter()?;
        let exp = self.factor();
        self.depth -= 1;
        let exp = exp?;
        let span = self.span_of(base).join(self.span_of(exp));
        self.push(ExprKind::Binary(BinOp::Pow, base, exp), span, &[base, exp])
    }

    fn primary(&mut self) -> Result<ExprId, SyntaxError> {
        let mut e = self.atom()?;
        loop {
            match self.peek() {
                Tok::Dot => {
                    self.bump();
                    let t = self.bump();
                    let Tok::Name(name) = t.tok else {
                        return Err(self.unexpected(&t, "an attribute name"));
                    };
                    let span = self.span_of(e).join(t.span);
                    e = self.push(
                        ExprKind::Attr {
                            base: e,
                            name,
                            name_span: t.span,
                        },
                        span,
                        &[e],
                    )?;
                }
                Tok::LParen => {
                    let t = self.tokens[self.pos].clone();
                    return Err(SyntaxError::new(
                        "only function names can be called",
                        t.span,
                    ));
                }
                _ => return Ok(e),
            }
        }
    }

    fn atom(&mut self) -> Result<ExprId, SyntaxError> {
        let t = self.bump();
        let kind = match t.tok {
            Tok::Int(v) => ExprKind::Int(v),
            Tok::Float(v) => ExprKind::Float(v),
            Tok::Name(n) if n == "True" => ExprKind::Bool(true),
            Tok::Name(n) if n == "False" => ExprKind::Bool(false),
            Tok::Name(n) if n == "None" => ExprKind::NoneLit,
            Tok::Name(n) => {
                if self.peek() == &Tok::LParen {
                    return self.call(n, t.span);
                }
                ExprKind::Name(n)
            }
            Tok::LParen => {
                let inner = self.expr()?;
                let close = self.bump();
                if close.tok != Tok::RParen {
                    if close.tok == Tok::Comma {
                        return Err(SyntaxError::new("tuples are not supported", close.span));
                    }
                    return Err(self
                        .unexpected(&close, "')'")
                        .note(format!("the '(' at byte {} is not closed", t.span.start)));
                }
                // Keep the parentheses in the span, so diagnostics underline what the
                // user wrote.
                let span = t.span.join(close.span);
                self.ast.exprs[inner.0 as usize].span = span;
                return Ok(inner);
            }
            _ => return Err(self.unexpected(&t, "an expression")),
        };
        self.push(kind, t.span, &[])
    }

    fn call(&mut self, func: String, func_span: Span) -> Result<ExprId, SyntaxError> {
        self.bump(); // '('
        let mut args = Vec::new();
        let mut kwargs: Vec<(String, Span, ExprId)> = Vec::new();
        let end;
        loop {
            if self.peek() == &Tok::RParen {
                end = self.bump().span;
                break;
            }
            let before = self.pos;
            let is_kw = matches!(self.peek(), Tok::Name(_))
                && self
                    .tokens
                    .get(self.pos + 1)
                    .is_some_and(|t| t.tok == Tok::Assign);
            if is_kw {
                let name_tok = self.bump();
                self.bump(); // '='
                let Tok::Name(name) = name_tok.tok else {
                    unreachable!()
                };
                let value = self.expr()?;
                if kwargs.iter().any(|(k, _, _)| *k == name) {
                    return Err(SyntaxError::new(
                        format!("keyword argument repeated: {name}"),
                        name_tok.span,
                    ));
                }
                kwargs.push((name, name_tok.span, value));
            } else {
                let value = self.expr()?;
                if let Some((_, span, _)) = kwargs.first() {
                    return Err(SyntaxError::new(
                        "positional argument follows keyword argument",
                        self.span_of(value),
                    )
                    .note(format!("the keyword argument is at byte {}", span.start)));
                }
                args.push(value);
            }
            debug_assert!(self.pos > before, "parser made no progress");
            let t = self.bump();
            match t.tok {
                Tok::Comma => {}
                Tok::RParen => {
                    end = t.span;
                    break;
                }
                _ => return Err(self.unexpected(&t, "',' or ')'")),
            }
        }
        let children: Vec<ExprId> = args
            .iter()
            .copied()
            .chain(kwargs.iter().map(|k| k.2))
            .collect();
        self.push(
            ExprKind::Call {
                func,
                func_span,
                args,
                kwargs,
            },
            func_span.join(end),
            &children,
        )
    }
}

fn cmp_op(t: &Tok) -> Option<CmpOp> {
    Some(match t {
        Tok::Lt => CmpOp::Lt,
        Tok::Le => CmpOp::Le,
        Tok::EqEq => CmpOp::Eq,
        Tok::Ne => CmpOp::Ne,
        Tok::Ge => CmpOp::Ge,
        Tok::Gt => CmpOp::Gt,
        _ => return None,
    })
}

fn keyword_error(k: &str, span: Span) -> SyntaxError {
    let (msg, note) = match k {
        "and" => (
            "'and' is not supported",
            "use '&' for element-wise and, with parentheses around comparisons: (a < b) & (c < d)",
        ),
        "or" => (
            "'or' is not supported",
            "use '|' for element-wise or, with parentheses around comparisons: (a < b) | (c < d)",
        ),
        "not" => (
            "'not' is not supported",
            "use '~' for element-wise logical not",
        ),
        "if" | "else" => (
            "conditional expressions are not supported",
            "use where(condition, x, y)",
        ),
        _ => return SyntaxError::new(format!("'{k}' is not supported in expressions"), span),
    };
    SyntaxError::new(msg, span).note(note)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Int(_) | Tok::Float(_) => "number".into(),
        Tok::Name(n) => format!("name '{n}'"),
        Tok::Keyword(k) => format!("keyword '{k}'"),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::Comma => "','".into(),
        Tok::Dot => "'.'".into(),
        Tok::Assign => "'='".into(),
        Tok::Eof => "end of expression".into(),
        other => format!("operator '{}'", op_text(other)),
    }
}

fn op_text(t: &Tok) -> &'static str {
    match t {
        Tok::Plus => "+",
        Tok::Minus => "-",
        Tok::Star => "*",
        Tok::Slash => "/",
        Tok::SlashSlash => "//",
        Tok::Percent => "%",
        Tok::StarStar => "**",
        Tok::Shl => "<<",
        Tok::Shr => ">>",
        Tok::Amp => "&",
        Tok::Pipe => "|",
        Tok::Caret => "^",
        Tok::Tilde => "~",
        Tok::Lt => "<",
        Tok::Le => "<=",
        Tok::EqEq => "==",
        Tok::Ne => "!=",
        Tok::Ge => ">=",
        Tok::Gt => ">",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    fn d(s: &str) -> String {
        parse(s).map_or_else(
            |e| format!("error: {} @{}..{}", e.message, e.span.start, e.span.end),
            |a| a.dump(),
        )
    }

    #[test]
    fn precedence_follows_python() {
        assert_eq!(d("-2**2"), "(neg (** 2 2))");
        assert_eq!(d("2**-1"), "(** 2 (neg 1))");
        assert_eq!(d("a**b**c"), "(** a (** b c))");
        assert_eq!(
            d("x + (y**2 + (z*x + 1)*3)"),
            "(+ x (+ (** y 2) (* (+ (* z x) 1) 3)))"
        );
        assert_eq!(
            d("a | b ^ c & d << 1 + 2 * 3"),
            "(| a (^ b (& c (<< d (+ 1 (* 2 3))))))"
        );
        assert_eq!(d("a - b - c"), "(- (- a b) c)");
        assert_eq!(d("~a < b"), "(< (~ a) b)");
    }

    #[test]
    fn chained_comparisons_become_and() {
        assert_eq!(d("a < b < c"), "(& (< a b) (< b c))");
        assert_eq!(d("a < b <= c == d"), "(& (& (< a b) (<= b c)) (== c d))");
    }

    #[test]
    fn literals() {
        assert_eq!(
            d("1. + .5 + 4.0e-9 + 1e3 + 0x1f"),
            "(+ (+ (+ (+ 1.0 0.5) 4e-9) 1000.0) 31)"
        );
        assert_eq!(d("True & False"), "(& True False)");
    }

    #[test]
    fn calls_and_attributes() {
        assert_eq!(d("sum(a*b, axis=-1)"), "(sum (* a b) axis=(neg 1))");
        assert_eq!(d("(a+b).real"), "(.real (+ a b))");
        assert_eq!(d("where(a, b, c).imag"), "(.imag (where a b c))");
    }

    #[test]
    fn errors_have_spans() {
        assert_eq!(d("a and b"), "error: 'and' is not supported @2..5");
        assert_eq!(d("not a"), "error: 'not' is not supported @0..3");
        assert_eq!(
            d("a +"),
            "error: unexpected end of expression, expected an expression @3..3"
        );
        assert_eq!(
            d("(a + b"),
            "error: unexpected end of expression, expected ')' @6..6"
        );
        assert_eq!(d("a $ b"), "error: invalid character '$' @2..3");
        assert_eq!(d(""), "error: empty expression @0..0");
        assert!(d("f(a=1, b)").starts_with("error: positional argument follows keyword"));
    }

    #[test]
    fn limits_give_errors() {
        let deep = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
        assert!(d(&deep).contains("nested too deeply"));
        let long_chain = vec!["a"; 5000].join("+");
        assert!(d(&long_chain).contains("nested too deeply"));
        let neg = format!("{}a", "-".repeat(10_000));
        assert!(d(&neg).contains("nested too deeply"));
        assert!(d(&"a+".repeat(40_000)).contains("too long"));
    }
}
