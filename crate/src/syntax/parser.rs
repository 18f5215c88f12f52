//! Tokens -> AST: the expression grammar, one parser for both modes (statements are in
//! `stmt.rs`, on the same `Parser`).
//!
//! Precedence climbing (not Pratt parsing): the loose levels of Python's grammar are one
//! function each, parsing the next tighter level and looping over their own operators; the
//! binary operators are one loop over a precedence table ([`Parser::binary`]), which keeps
//! the stack a bracket level costs small. Loosest to tightest:
//!
//! * module mode only: `lambda`, `x if c else y`, `or`, `and`, `not`;
//! * comparisons. Expression mode chains them as `a < b < c` = `(a < b) & (b < c)` (numexpr's
//!   element-wise meaning, [`ExprKind::Compare`] sharing the middle operand); module mode
//!   builds Python's [`ExprKind::Comparison`] chain, with `is`, `is not`, `in`, `not in`;
//! * the binary operators `|`, `^`, `&`, `<< >>`, `+ -`, `* / // %` (and `@` in module mode);
//! * unary `- + ~`, then `**` (right-associative; its left operand is a primary, so
//!   `-2**2 == -(2**2)`, and its right operand may be unary: `2**-1`);
//! * primaries: atoms followed by `.name`, and in module mode by calls of any expression and
//!   subscripts `a[i, 1:n:2]`. The expression language calls only names (`sum(x)`).
//!
//! Module mode adds atoms (strings, `...`, tuples, lists, comprehensions, generator
//! expressions) and parses the Python it leaves out (`{}` displays, `yield`, `await`,
//! `:=`, f-strings) into [`ExprKind::Unsupported`] nodes with their spans. Expression mode
//! is exactly the language [`parse`] has always accepted, with the same errors: the lexer
//! never gives it a module-only token, and every module-only branch below tests the mode.
//!
//! Limits: recursion depth and AST height are both bounded by [`MAX_DEPTH`] (in module
//! mode the enclosing blocks count towards it), and every loop consumes a token per turn.

use std::collections::HashSet;

use super::ast::{BinOp, BoolOp, CmpOp, CompareOp, Expr, ExprId, ExprKind, Stmt, UnOp};
use super::lexer::{Kw, Mode, Tok, Token, lex};
use super::{Ast, Span, SyntaxError};

/// The longest expression accepted, in bytes.
pub const MAX_SOURCE_LEN: usize = 64 * 1024;
/// The deepest nesting accepted: parser recursion and AST height are both bounded by it, so
/// that no later recursive pass can overflow the stack. In a module, blocks (and `elif`
/// branches, which nest) count towards it together with the expressions inside them.
pub const MAX_DEPTH: usize = 200;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses one expression of the expression language (numexpr's).
///
/// ```
/// let ast = numwasm::syntax::parse("where(a < 0, -a, a)").unwrap();
/// assert_eq!(ast.dump(), "(where (< a 0) (neg a) a)");
/// ```
pub fn parse(src: &str) -> Result<Ast> {
    if src.len() > MAX_SOURCE_LEN {
        return Err(SyntaxError::new(
            format!(
                "expression is too long ({} bytes, the limit is {MAX_SOURCE_LEN})",
                src.len()
            ),
            Span::new(0, 0),
        ));
    }
    let tokens = lex(src, Mode::Expression)?;
    let mut p = Parser::new(src, Mode::Expression, tokens);
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
    Ok(Ast {
        exprs: p.exprs,
        root: Some(root),
    })
}

/// The parser's state for either mode.
pub(super) struct Parser<'s> {
    pub(super) src: &'s str,
    pub(super) mode: Mode,
    pub(super) tokens: Vec<Token>,
    pub(super) pos: usize,
    /// The span of the last token consumed, where a node that ends here ends.
    pub(super) last: Span,
    pub(super) exprs: Vec<Expr>,
    /// Height of every expression, to bound the depth of later recursive passes.
    pub(super) heights: Vec<usize>,
    pub(super) stmts: Vec<Stmt>,
    /// Recursion depth: nested expressions and, in a module, blocks.
    pub(super) depth: usize,
    /// The blocks around the statement being parsed.
    pub(super) blocks: usize,
    /// Whether the statement being parsed is inside a function (for `return`) and inside a
    /// loop of that function (for `break` and `continue`).
    pub(super) in_function: bool,
    pub(super) in_loop: bool,
}

impl<'s> Parser<'s> {
    pub(super) fn new(src: &'s str, mode: Mode, tokens: Vec<Token>) -> Self {
        Parser {
            src,
            mode,
            tokens,
            pos: 0,
            last: Span::default(),
            exprs: Vec::new(),
            heights: Vec::new(),
            stmts: Vec::new(),
            depth: 0,
            blocks: 0,
            in_function: false,
            in_loop: false,
        }
    }

    pub(super) fn module(&self) -> bool {
        self.mode == Mode::Module
    }

    pub(super) fn peek(&self) -> &Tok {
        &self.tokens[self.pos].tok
    }

    /// The token `k` places ahead (`Eof` past the end).
    pub(super) fn peek_at(&self, k: usize) -> &Tok {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.pos + k).min(last)].tok
    }

    pub(super) fn at_kw(&self, k: Kw) -> bool {
        self.peek() == &Tok::Keyword(k)
    }

    pub(super) fn span(&self) -> Span {
        self.tokens[self.pos].span
    }

    /// Consumes one token. Every loop of the parser calls this at least once per turn,
    /// which is the progress guarantee: the parser cannot hang.
    pub(super) fn bump(&mut self) -> Token {
        let t = self.tokens[self.pos].clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        // A node never ends with a layout token: a block ends with its last statement.
        if !matches!(t.tok, Tok::Newline | Tok::Indent | Tok::Dedent) {
            self.last = t.span;
        }
        t
    }

    /// Consumes the next token if it is `tok`.
    pub(super) fn eat(&mut self, tok: &Tok) -> bool {
        if self.peek() == tok {
            self.bump();
            true
        } else {
            false
        }
    }

    /// Consumes `tok`, or fails with "expected {what}".
    pub(super) fn expect(&mut self, tok: &Tok, what: &str) -> Result<Token> {
        if self.peek() == tok {
            return Ok(self.bump());
        }
        Err(SyntaxError::new(format!("expected {what}"), self.span()))
    }

    /// The height of `kind`'s node: one more than its tallest child. A called name adds no
    /// height, as when calls held their name inline, so that the expression language's
    /// nesting limit is where it always was.
    pub(super) fn height(&self, kind: &ExprKind) -> usize {
        let skip = match kind {
            ExprKind::Call { func, .. }
                if matches!(self.exprs[func.0 as usize].kind, ExprKind::Name(_)) =>
            {
                Some(*func)
            }
            _ => None,
        };
        let mut h = 0;
        kind.for_each_child(|c| {
            if Some(c) != skip {
                h = h.max(self.heights[c.0 as usize]);
            }
        });
        h + 1
    }

    /// Appends an expression, enforcing the height limit (blocks included).
    pub(super) fn push(&mut self, kind: ExprKind, span: Span) -> Result<ExprId> {
        let h = self.height(&kind);
        if h + self.blocks > MAX_DEPTH {
            return Err(SyntaxError::new(
                format!("expression is nested too deeply (the limit is {MAX_DEPTH})"),
                span,
            ));
        }
        self.heights.push(h);
        self.exprs.push(Expr { kind, span });
        Ok(ExprId((self.exprs.len() - 1) as u32))
    }

    pub(super) fn span_of(&self, id: ExprId) -> Span {
        self.exprs[id.0 as usize].span
    }

    pub(super) fn kind_of(&self, id: ExprId) -> &ExprKind {
        &self.exprs[id.0 as usize].kind
    }

    pub(super) fn enter(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::new(
                format!("expression is nested too deeply (the limit is {MAX_DEPTH})"),
                self.span(),
            ));
        }
        Ok(())
    }

    /// Runs `f` one nesting level deeper.
    pub(super) fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.enter()?;
        let r = f(self);
        self.depth -= 1;
        r
    }

    pub(super) fn unexpected(&self, t: &Token, wanted: &str) -> SyntaxError {
        if self.module() {
            if t.tok == Tok::Indent {
                return SyntaxError::new("unexpected indent", t.span);
            }
            return SyntaxError::new("invalid syntax", t.span).note(format!(
                "expected {wanted}, found {}",
                self.describe(&t.tok)
            ));
        }
        match &t.tok {
            Tok::Eof => SyntaxError::new(
                format!("unexpected end of expression, expected {wanted}"),
                t.span,
            ),
            Tok::Keyword(k) => keyword_error(*k, t.span),
            Tok::Assign => SyntaxError::new("unexpected '='", t.span)
                .note("assignment is not an expression; use '==' to compare"),
            other => SyntaxError::new(
                format!("unexpected {}, expected {wanted}", self.describe(other)),
                t.span,
            ),
        }
    }

    /// A token as messages name it.
    pub(super) fn describe(&self, t: &Tok) -> String {
        match t {
            Tok::Int(_) | Tok::Float(_) => "number".into(),
            Tok::Name(n) => format!("name '{n}'"),
            Tok::Keyword(k) => format!("keyword '{}'", k.as_str()),
            Tok::Eof if self.module() => "the end of the file".into(),
            Tok::Eof => "end of expression".into(),
            Tok::Str(_) | Tok::Bytes(_) | Tok::FString(_) => "a string".into(),
            Tok::Newline => "the end of the line".into(),
            Tok::Indent => "an indent".into(),
            Tok::Dedent => "the end of the block".into(),
            Tok::AugAssign(op) => format!("'{}='", op.symbol()),
            // Operators as the expression language has always named them; brackets and
            // other punctuation quoted alone.
            Tok::Plus
            | Tok::Minus
            | Tok::Star
            | Tok::Slash
            | Tok::SlashSlash
            | Tok::Percent
            | Tok::StarStar
            | Tok::Shl
            | Tok::Shr
            | Tok::Amp
            | Tok::Pipe
            | Tok::Caret
            | Tok::Tilde
            | Tok::Lt
            | Tok::Le
            | Tok::EqEq
            | Tok::Ne
            | Tok::Ge
            | Tok::Gt => format!("operator '{}'", op_text(t)),
            other => format!("'{}'", op_text(other)),
        }
    }

    // ---- Expression mode's entry level -----------------------------------------------

    /// One expression: the whole language in expression mode, Python's `expression` in
    /// module mode.
    pub(super) fn expr(&mut self) -> Result<ExprId> {
        if self.module() {
            return self.test();
        }
        let r = self.nested(Self::comparison)?;
        if let Tok::Keyword(k) = self.peek() {
            return Err(keyword_error(*k, self.span()));
        }
        Ok(r)
    }

    // ---- Module mode's boolean levels ---------------------------------------------------

    /// Python's `expression`: a lambda, or a disjunction with an optional `if ... else`.
    ///
    /// Module mode counts nesting where the AST nests, not here: at bracketed atoms,
    /// calls and subscripts, `lambda`, the `else` branch, `not`, unary operators, `**` and
    /// `await`. Every recursive path of the grammar passes one of them, so recursion is
    /// bounded, and a bracket counts once however many levels of the grammar it crosses.
    pub(super) fn test(&mut self) -> Result<ExprId> {
        if self.at_kw(Kw::Lambda) {
            return self.nested(Self::lambda);
        }
        let body = self.or_test()?;
        if !self.at_kw(Kw::If) {
            return Ok(body);
        }
        self.bump();
        let test = self.or_test()?;
        if !self.at_kw(Kw::Else) {
            return Err(SyntaxError::new(
                "expected 'else' after 'if' expression",
                self.span(),
            ));
        }
        self.bump();
        let orelse = self.nested(Self::test)?;
        let span = self.span_of(body).join(self.span_of(orelse));
        self.push(ExprKind::IfExp { test, body, orelse }, span)
    }

    /// `a or b or c`.
    pub(super) fn or_test(&mut self) -> Result<ExprId> {
        self.bool_level(Kw::Or, BoolOp::Or, Self::and_test)
    }

    pub(super) fn and_test(&mut self) -> Result<ExprId> {
        self.bool_level(Kw::And, BoolOp::And, Self::not_test)
    }

    pub(super) fn bool_level(
        &mut self,
        kw: Kw,
        op: BoolOp,
        next: fn(&mut Self) -> Result<ExprId>,
    ) -> Result<ExprId> {
        let first = next(self)?;
        if !self.at_kw(kw) {
            return Ok(first);
        }
        let mut values = vec![first];
        while self.at_kw(kw) {
            self.bump();
            values.push(next(self)?);
        }
        let span = self.span_of(first).join(self.last);
        self.push(ExprKind::BoolOp { op, values }, span)
    }

    pub(super) fn not_test(&mut self) -> Result<ExprId> {
        if !self.at_kw(Kw::Not) {
            return self.comparison();
        }
        let start = self.bump().span;
        let arg = self.nested(Self::not_test)?;
        let span = start.join(self.span_of(arg));
        self.push(ExprKind::Not(arg), span)
    }

    // ---- Comparisons ---------------------------------------------------------------------

    pub(super) fn comparison(&mut self) -> Result<ExprId> {
        if self.module() {
            return self.comparison_chain();
        }
        let first = self.bitor()?;
        let mut left = first;
        let mut acc: Option<ExprId> = None;
        while let Some(op) = cmp_op(self.peek()) {
            self.bump();
            let right = self.bitor()?;
            let span = self.span_of(left).join(self.span_of(right));
            let cmp = self.push(ExprKind::Compare(op, left, right), span)?;
            acc = Some(match acc {
                None => cmp,
                Some(prev) => {
                    let span = self.span_of(first).join(self.span_of(right));
                    self.push(ExprKind::Binary(BinOp::BitAnd, prev, cmp), span)?
                }
            });
            left = right;
        }
        Ok(acc.unwrap_or(first))
    }

    /// Module mode: Python's comparison chain, each operand parsed once.
    pub(super) fn comparison_chain(&mut self) -> Result<ExprId> {
        let left = self.bitor()?;
        let mut ops = Vec::new();
        loop {
            let (op, len) = match (self.peek(), self.peek_at(1)) {
                (Tok::Keyword(Kw::In), _) => (CompareOp::In, 1),
                (Tok::Keyword(Kw::Not), Tok::Keyword(Kw::In)) => (CompareOp::NotIn, 2),
                (Tok::Keyword(Kw::Is), Tok::Keyword(Kw::Not)) => (CompareOp::IsNot, 2),
                (Tok::Keyword(Kw::Is), _) => (CompareOp::Is, 1),
                (t, _) => match cmp_op(t) {
                    Some(op) => (CompareOp::Cmp(op), 1),
                    None => break,
                },
            };
            for _ in 0..len {
                self.bump();
            }
            ops.push((op, self.bitor()?));
        }
        if ops.is_empty() {
            return Ok(left);
        }
        let span = self.span_of(left).join(self.last);
        self.push(ExprKind::Comparison { left, ops }, span)
    }

    // ---- Binary operators ------------------------------------------------------------------

    /// The binary operators from `|` up: precedence climbing over [`binary_op`]'s table.
    /// The operand is a unary expression; an operator binding at least `min` is applied
    /// to it and to the operand parsed at the next tighter level, so every operator is
    /// left-associative and tighter operators group first. Recursion here is bounded by the
    /// number of levels, however long the input.
    pub(super) fn binary(&mut self, min: u8) -> Result<ExprId> {
        let mut left = self.factor()?;
        while let Some((op, prec)) = binary_op(self.peek()) {
            if prec < min {
                break;
            }
            self.bump();
            let right = self.binary(prec + 1)?;
            let span = self.span_of(left).join(self.span_of(right));
            left = self.push(ExprKind::Binary(op, left, right), span)?;
        }
        Ok(left)
    }

    /// The operand of a comparison: every binary operator.
    pub(super) fn bitor(&mut self) -> Result<ExprId> {
        self.binary(0)
    }

    pub(super) fn factor(&mut self) -> Result<ExprId> {
        let op = match self.peek() {
            Tok::Minus => UnOp::Neg,
            Tok::Plus => UnOp::Pos,
            Tok::Tilde => UnOp::Invert,
            Tok::Keyword(Kw::Not) if !self.module() => {
                return Err(SyntaxError::new("'not' is not supported", self.span())
                    .note("use '~' for element-wise logical not"));
            }
            _ => return self.power(),
        };
        let start = self.bump().span;
        let arg = self.nested(Self::factor)?;
        let span = start.join(self.span_of(arg));
        self.push(ExprKind::Unary(op, arg), span)
    }

    pub(super) fn power(&mut self) -> Result<ExprId> {
        let base = if self.module() && self.at_kw(Kw::Await) {
            let start = self.bump().span;
            let arg = self.nested(Self::primary)?;
            let span = start.join(self.span_of(arg));
            self.push(
                ExprKind::Unsupported {
                    what: "'await' expressions",
                },
                span,
            )?
        } else {
            self.primary()?
        };
        if self.peek() != &Tok::StarStar {
            return Ok(base);
        }
        self.bump();
        let exp = self.nested(Self::factor)?;
        let span = self.span_of(base).join(self.span_of(exp));
        self.push(ExprKind::Binary(BinOp::Pow, base, exp), span)
    }

    // ---- Primaries -------------------------------------------------------------------------

    pub(super) fn primary(&mut self) -> Result<ExprId> {
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
                    )?;
                }
                Tok::LParen if self.module() => e = self.nested(|p| p.call(e))?,
                // The expression language calls names (parsed in `atom`) and attributes:
                // `np.sin(a)` and the method form `a.sum()`, which the lowering resolves.
                Tok::LParen if matches!(self.exprs[e.0 as usize].kind, ExprKind::Attr { .. }) => {
                    e = self.nested(|p| p.call(e))?;
                }
                Tok::LParen => {
                    return Err(SyntaxError::new(
                        "only function names can be called",
                        self.span(),
                    ));
                }
                // Only module mode has '[' tokens.
                Tok::LBracket => e = self.nested(|p| p.subscript(e))?,
                _ => return Ok(e),
            }
        }
    }

    pub(super) fn atom(&mut self) -> Result<ExprId> {
        let t = self.bump();
        let kind = match t.tok {
            Tok::Int(v) => ExprKind::Int(v),
            Tok::Float(v) => ExprKind::Float(v),
            Tok::Name(n) if n == "True" => ExprKind::Bool(true),
            Tok::Name(n) if n == "False" => ExprKind::Bool(false),
            Tok::Name(n) if n == "None" => ExprKind::NoneLit,
            Tok::Name(n) => {
                let name = self.push(ExprKind::Name(n), t.span)?;
                if !self.module() && self.peek() == &Tok::LParen {
                    return self.call(name);
                }
                return Ok(name);
            }
            Tok::Keyword(Kw::True) => ExprKind::Bool(true),
            Tok::Keyword(Kw::False) => ExprKind::Bool(false),
            Tok::Keyword(Kw::None) => ExprKind::NoneLit,
            Tok::Ellipsis => ExprKind::Ellipsis,
            Tok::LParen if self.module() => return self.nested(|p| p.paren(t.span)),
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
                self.exprs[inner.0 as usize].span = t.span.join(close.span);
                return Ok(inner);
            }
            Tok::LBracket => return self.nested(|p| p.list_display(t.span)),
            Tok::LBrace => return self.nested(|p| p.brace_display(t.span)),
            Tok::Str(_) | Tok::Bytes(_) | Tok::FString(_) => return self.strings(&t),
            _ => return Err(self.unexpected(&t, "an expression")),
        };
        self.push(kind, t.span)
    }

    /// `func(args)`; `func` is already parsed and the next token is `(`.
    pub(super) fn call(&mut self, func: ExprId) -> Result<ExprId> {
        self.bump(); // '('
        let mut args = Vec::new();
        let mut kwargs: Vec<(String, Span, ExprId)> = Vec::new();
        // The keyword names so far, so that a long call stays linear.
        let mut seen: HashSet<String> = HashSet::new();
        loop {
            if self.eat(&Tok::RParen) {
                break;
            }
            let before = self.pos;
            let is_kw = matches!(self.peek(), Tok::Name(_)) && self.peek_at(1) == &Tok::Assign;
            if is_kw {
                let name_tok = self.bump();
                self.bump(); // '='
                let Tok::Name(name) = name_tok.tok else {
                    unreachable!("checked above")
                };
                let value = self.expr()?;
                if !seen.insert(name.clone()) {
                    return Err(SyntaxError::new(
                        format!("keyword argument repeated: {name}"),
                        name_tok.span,
                    ));
                }
                kwargs.push((name, name_tok.span, value));
            } else if self.module() && matches!(self.peek(), Tok::Star | Tok::StarStar) {
                args.push(self.unpacked_argument()?);
            } else {
                let mut value = if self.module() {
                    self.named_test()?
                } else {
                    self.expr()?
                };
                if self.module() && self.at_kw(Kw::For) {
                    value = self.generator_argument(value, args.is_empty() && kwargs.is_empty())?;
                }
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
                Tok::RParen => break,
                _ => return Err(self.unexpected(&t, "',' or ')'")),
            }
        }
        let span = self.span_of(func).join(self.last);
        self.push(ExprKind::Call { func, args, kwargs }, span)
    }
}

/// A binary operator and its precedence: `|`, `^`, `&`, shifts, `+ -`, `* / // % @`,
/// loosest first. The lexer makes `@` a token only in module mode.
fn binary_op(t: &Tok) -> Option<(BinOp, u8)> {
    Some(match t {
        Tok::Pipe => (BinOp::BitOr, 0),
        Tok::Caret => (BinOp::BitXor, 1),
        Tok::Amp => (BinOp::BitAnd, 2),
        Tok::Shl => (BinOp::Shl, 3),
        Tok::Shr => (BinOp::Shr, 3),
        Tok::Plus => (BinOp::Add, 4),
        Tok::Minus => (BinOp::Sub, 4),
        Tok::Star => (BinOp::Mul, 5),
        Tok::Slash => (BinOp::Div, 5),
        Tok::SlashSlash => (BinOp::FloorDiv, 5),
        Tok::Percent => (BinOp::Mod, 5),
        Tok::At => (BinOp::MatMul, 5),
        _ => return None,
    })
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

/// Expression mode's error for a Python keyword that is no part of the language.
fn keyword_error(k: Kw, span: Span) -> SyntaxError {
    let (msg, note) = match k {
        Kw::And => (
            "'and' is not supported",
            "use '&' for element-wise and, with parentheses around comparisons: (a < b) & (c < d)",
        ),
        Kw::Or => (
            "'or' is not supported",
            "use '|' for element-wise or, with parentheses around comparisons: (a < b) | (c < d)",
        ),
        Kw::Not => (
            "'not' is not supported",
            "use '~' for element-wise logical not",
        ),
        Kw::If | Kw::Else => (
            "conditional expressions are not supported",
            "use where(condition, x, y)",
        ),
        _ => {
            return SyntaxError::new(
                format!("'{}' is not supported in expressions", k.as_str()),
                span,
            );
        }
    };
    SyntaxError::new(msg, span).note(note)
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
        Tok::LParen => "(",
        Tok::RParen => ")",
        Tok::LBracket => "[",
        Tok::RBracket => "]",
        Tok::LBrace => "{",
        Tok::RBrace => "}",
        Tok::Comma => ",",
        Tok::Dot => ".",
        Tok::Assign => "=",
        Tok::Colon => ":",
        Tok::Semi => ";",
        Tok::At => "@",
        Tok::Arrow => "->",
        Tok::Ellipsis => "...",
        Tok::ColonEq => ":=",
        _ => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_DEPTH, parse};
    use crate::syntax::ExprKind;

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

    /// NumPy habits the lowering resolves: a called attribute (`np.sin(a)`, `a.sum()`) and
    /// `#` comments, which end at the end of their line.
    #[test]
    fn called_attributes_and_comments() {
        assert_eq!(d("np.sin(a)"), "((.sin np) a)");
        assert_eq!(d("(a + b).mean(axis=0)"), "((.mean (+ a b)) axis=0)");
        assert_eq!(d("numpy.linalg.norm(a)"), "((.norm (.linalg numpy)) a)");
        assert_eq!(d("a # the input"), "a");
        assert_eq!(d("a + # first\n b # second"), "(+ a b)");
        assert_eq!(d("# only a comment"), "error: empty expression @0..16");
        // Still refused: calling the result of a call.
        assert_eq!(
            d("f(x)(y)"),
            "error: only function names can be called @4..5"
        );
        assert_eq!(
            d("a.b(c)(d)"),
            "error: only function names can be called @6..7"
        );
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

    /// The Python the kernel language adds is not part of the expression language:
    /// `parse` gives the errors it always gave, from the lexer or from the parser.
    #[test]
    fn module_syntax_keeps_expression_errors() {
        let cases = [
            ("a[0]", "error: invalid character '[' @1..2"),
            ("x = 's'", "error: invalid character '\\'' @4..5"),
            (
                "a if b else c",
                "error: conditional expressions are not supported @2..4",
            ),
            ("lambda x: x", "error: invalid character ':' @8..9"),
            (
                "a is b",
                "error: 'is' is not supported in expressions @2..4",
            ),
            (
                "a in b",
                "error: 'in' is not supported in expressions @2..4",
            ),
            ("(a, b)", "error: tuples are not supported @2..3"),
            (
                "a, b",
                "error: unexpected ',', expected end of expression @1..2",
            ),
            ("f(x)(y)", "error: only function names can be called @4..5"),
            ("True(1)", "error: only function names can be called @4..5"),
            ("a @ b", "error: invalid character '@' @2..3"),
            ("a += 1", "error: unexpected '=' @3..4"),
            ("a; b", "error: invalid character ';' @1..2"),
            ("{a}", "error: invalid character '{' @0..1"),
            ("...", "error: unexpected '.', expected an expression @0..1"),
            (
                "a -> b",
                "error: unexpected operator '>', expected an expression @3..4",
            ),
            ("x := 1", "error: invalid character ':' @2..3"),
            (
                "f(x for x in y)",
                "error: unexpected name 'for', expected ',' or ')' @4..7",
            ),
            ("a.not", "error: 'not' is not supported @2..5"),
        ];
        for (src, want) in cases {
            assert_eq!(d(src), want, "{src}");
        }
        // Python keywords outside the eight with targeted errors are names, and newlines
        // are whitespace.
        assert_eq!(d("for + 1"), "(+ for 1)");
        assert_eq!(d("a\n+\nb"), "(+ a b)");
        let e = parse("a[0]").unwrap_err();
        assert_eq!(
            e.notes,
            ["indexing and lists are not part of the expression language"]
        );
        let e = parse("'s'").unwrap_err();
        assert_eq!(e.notes, ["strings are not supported"]);
    }

    /// A call holds its name as a node, but adds no height for it: the nesting limit is
    /// where it was when calls held their name inline.
    #[test]
    fn called_names_add_no_height() {
        let at = |k: usize| d(&format!("{}f()", "-".repeat(k)));
        assert_eq!(at(MAX_DEPTH - 1).matches("neg").count(), MAX_DEPTH - 1);
        assert!(at(MAX_DEPTH).contains("nested too deeply"));
        let calls = |k: usize| d(&format!("{}a{}", "f(".repeat(k), ")".repeat(k)));
        assert!(!calls(MAX_DEPTH - 1).starts_with("error"));
        assert!(calls(MAX_DEPTH).contains("nested too deeply"));
    }

    /// Expression mode builds only the kinds the expression language lowers.
    #[test]
    fn expression_mode_builds_only_its_kinds() {
        for src in [
            "a < b < c",
            "sum(a * b, axis=-1) + where(x, 1, 2.5).real",
            "~(a & b) | c ^ d << 2 // 3 % 4 ** -1",
            "None + True",
            "np.sin(a).sum(0) # a comment",
        ] {
            let ast = parse(src).unwrap();
            for e in &ast.exprs {
                assert!(
                    matches!(
                        e.kind,
                        ExprKind::Int(_)
                            | ExprKind::Float(_)
                            | ExprKind::Bool(_)
                            | ExprKind::NoneLit
                            | ExprKind::Name(_)
                            | ExprKind::Unary(..)
                            | ExprKind::Binary(..)
                            | ExprKind::Compare(..)
                            | ExprKind::Call { .. }
                            | ExprKind::Attr { .. }
                    ),
                    "{src}: {:?}",
                    e.kind
                );
            }
        }
    }
}
