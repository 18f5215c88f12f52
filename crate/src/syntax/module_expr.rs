//! Module mode's expression forms, on the same [`Parser`] as the shared grammar levels:
//! the atoms the expression language lacks (parenthesised tuples and generator
//! expressions, list displays and comprehensions, `{}` displays kept as unsupported,
//! strings), subscripts and slices, unpacked call arguments, expression lists and
//! assignment targets, `lambda` and parameter lists. None of it runs in expression mode:
//! the lexer gives expression mode none of the tokens that lead here.

use std::collections::HashSet;

use super::ast::{Comprehension, ExprId, ExprKind, Param, ParamKind};
use super::lexer::{Kw, Tok, Token};
use super::parser::Parser;
use super::{Span, SyntaxError};

type Result<T> = std::result::Result<T, SyntaxError>;

impl Parser<'_> {
    /// `*args` (a [`ExprKind::Starred`]) or `**kwargs` (unsupported) in a call.
    pub(super) fn unpacked_argument(&mut self) -> Result<ExprId> {
        let star = self.bump();
        let value = self.test()?;
        let span = star.span.join(self.span_of(value));
        if star.tok == Tok::Star {
            self.push(ExprKind::Starred(value), span)
        } else {
            self.push(
                ExprKind::Unsupported {
                    what: "'**' arguments",
                },
                span,
            )
        }
    }

    /// `f(x for x in xs)`: a generator expression as a call's only argument.
    pub(super) fn generator_argument(&mut self, elt: ExprId, alone: bool) -> Result<ExprId> {
        let generators = self.comprehension_clauses(elt)?;
        let span = self.span_of(elt).join(self.last);
        if !alone || self.peek() != &Tok::RParen {
            return Err(SyntaxError::new(
                "generator expression must be parenthesized",
                span,
            ));
        }
        self.push(ExprKind::GeneratorExp { elt, generators }, span)
    }

    /// `base[index]`; the next token is `[`.
    pub(super) fn subscript(&mut self, base: ExprId) -> Result<ExprId> {
        self.bump(); // '['
        let first = self.slice_item()?;
        let index = if self.peek() == &Tok::Comma {
            let mut items = vec![first];
            while self.eat(&Tok::Comma) {
                if self.peek() == &Tok::RBracket {
                    break;
                }
                items.push(self.slice_item()?);
            }
            let span = self.span_of(first).join(self.last);
            self.push(ExprKind::Tuple(items), span)?
        } else {
            first
        };
        let t = self.bump();
        if t.tok != Tok::RBracket {
            return Err(self.unexpected(&t, "',' or ']'"));
        }
        let span = self.span_of(base).join(t.span);
        self.push(ExprKind::Subscript { base, index }, span)
    }

    /// One index of a subscript: an expression or a slice `lower:upper:step`, each part
    /// optional.
    pub(super) fn slice_item(&mut self) -> Result<ExprId> {
        let start = self.span();
        let lower = if self.peek() == &Tok::Colon {
            None
        } else {
            let e = self.star_or_named()?;
            if self.peek() != &Tok::Colon {
                return Ok(e);
            }
            Some(e)
        };
        self.bump(); // ':'
        let ends = |t: &Tok| matches!(t, Tok::Colon | Tok::Comma | Tok::RBracket);
        let upper = if ends(self.peek()) {
            None
        } else {
            Some(self.test()?)
        };
        let mut step = None;
        if self.eat(&Tok::Colon) && !ends(self.peek()) {
            step = Some(self.test()?);
        }
        let span = start.join(self.last);
        self.push(ExprKind::Slice { lower, upper, step }, span)
    }

    /// Adjacent string literals, concatenated as Python does.
    pub(super) fn strings(&mut self, first: &Token) -> Result<ExprId> {
        let (mut text, mut bytes, mut fstring) = (String::new(), Vec::new(), false);
        let (mut has_str, mut has_bytes) = (false, false);
        let mut t = first.clone();
        loop {
            match t.tok {
                Tok::Str(s) => {
                    has_str = true;
                    text.push_str(&s);
                }
                Tok::Bytes(b) => {
                    has_bytes = true;
                    bytes.extend_from_slice(&b);
                }
                _ => {
                    has_str = true;
                    fstring = true;
                }
            }
            if !matches!(self.peek(), Tok::Str(_) | Tok::Bytes(_) | Tok::FString(_)) {
                break;
            }
            t = self.bump();
        }
        let span = first.span.join(self.last);
        if has_str && has_bytes {
            return Err(SyntaxError::new(
                "cannot mix bytes and nonbytes literals",
                span,
            ));
        }
        let kind = if fstring {
            ExprKind::Unsupported { what: "f-strings" }
        } else if has_bytes {
            ExprKind::Bytes(bytes)
        } else {
            ExprKind::Str(text)
        };
        self.push(kind, span)
    }

    // ---- Module mode's displays ------------------------------------------------------------

    /// After `(`: `()`, a parenthesised expression, a tuple, a generator expression or a
    /// parenthesised `yield`.
    pub(super) fn paren(&mut self, open: Span) -> Result<ExprId> {
        if self.eat(&Tok::RParen) {
            return self.push(ExprKind::Tuple(Vec::new()), open.join(self.last));
        }
        let first = if self.at_kw(Kw::Yield) {
            self.yield_expr()?
        } else {
            self.star_or_named()?
        };
        let e = if self.at_kw(Kw::For) {
            let generators = self.comprehension_clauses(first)?;
            self.close(&Tok::RParen, "')'")?;
            self.push(
                ExprKind::GeneratorExp {
                    elt: first,
                    generators,
                },
                open.join(self.last),
            )?
        } else if self.peek() == &Tok::Comma {
            let items = self.items_after(first, &Tok::RParen)?;
            self.close(&Tok::RParen, "',' or ')'")?;
            self.push(ExprKind::Tuple(items), open.join(self.last))?
        } else {
            self.close(&Tok::RParen, "')'")?;
            self.not_starred(first)?;
            self.exprs[first.0 as usize].span = open.join(self.last);
            first
        };
        Ok(e)
    }

    /// After `[`: a list display or a list comprehension.
    pub(super) fn list_display(&mut self, open: Span) -> Result<ExprId> {
        if self.eat(&Tok::RBracket) {
            return self.push(ExprKind::List(Vec::new()), open.join(self.last));
        }
        let first = self.star_or_named()?;
        if self.at_kw(Kw::For) {
            let generators = self.comprehension_clauses(first)?;
            self.close(&Tok::RBracket, "']'")?;
            return self.push(
                ExprKind::ListComp {
                    elt: first,
                    generators,
                },
                open.join(self.last),
            );
        }
        let items = self.items_after(first, &Tok::RBracket)?;
        self.close(&Tok::RBracket, "',' or ']'")?;
        self.push(ExprKind::List(items), open.join(self.last))
    }

    /// After `{`: a dict or set display or comprehension, parsed to check it and to find
    /// its end, and kept as an unsupported node.
    pub(super) fn brace_display(&mut self, open: Span) -> Result<ExprId> {
        let mut what = "dict displays";
        let mut first = true;
        while self.peek() != &Tok::RBrace {
            let before = self.pos;
            if self.eat(&Tok::StarStar) {
                self.bitor()?;
            } else {
                let key = self.star_or_named()?;
                if self.eat(&Tok::Colon) {
                    self.test()?;
                } else {
                    what = "set displays";
                }
                if first && self.at_kw(Kw::For) {
                    self.comprehension_clauses(key)?;
                    what = if what == "set displays" {
                        "set comprehensions"
                    } else {
                        "dict comprehensions"
                    };
                    break;
                }
            }
            first = false;
            debug_assert!(self.pos > before, "parser made no progress");
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        self.close(&Tok::RBrace, "',' or '}'")?;
        self.push(ExprKind::Unsupported { what }, open.join(self.last))
    }

    /// The items of a display after its first, up to (not including) `close`; a trailing
    /// comma is allowed.
    pub(super) fn items_after(&mut self, first: ExprId, close: &Tok) -> Result<Vec<ExprId>> {
        let mut items = vec![first];
        while self.eat(&Tok::Comma) {
            if self.peek() == close {
                break;
            }
            items.push(self.star_or_named()?);
        }
        Ok(items)
    }

    /// Consumes the closing bracket `tok`.
    pub(super) fn close(&mut self, tok: &Tok, wanted: &str) -> Result<()> {
        let t = self.bump();
        if &t.tok == tok {
            Ok(())
        } else {
            Err(self.unexpected(&t, wanted))
        }
    }

    /// The `for ... in ... if ...` clauses of a comprehension whose element is `elt`.
    pub(super) fn comprehension_clauses(&mut self, elt: ExprId) -> Result<Vec<Comprehension>> {
        if matches!(self.kind_of(elt), ExprKind::Starred(_)) {
            return Err(SyntaxError::new(
                "iterable unpacking cannot be used in comprehension",
                self.span_of(elt),
            ));
        }
        let mut generators = Vec::new();
        while self.at_kw(Kw::For) {
            let start = self.bump().span;
            let target = self.target_list()?;
            self.check_target(target, false)?;
            if !self.at_kw(Kw::In) {
                return Err(SyntaxError::new("expected 'in'", self.span()));
            }
            self.bump();
            let iter = self.or_test()?;
            let mut ifs = Vec::new();
            while self.at_kw(Kw::If) {
                self.bump();
                ifs.push(self.or_test()?);
            }
            generators.push(Comprehension {
                target,
                iter,
                ifs,
                span: start.join(self.last),
            });
        }
        Ok(generators)
    }

    // ---- Module mode's expression lists ------------------------------------------------------

    /// Whether `t` can begin an expression (to end an expression list at a trailing comma).
    pub(super) fn starts_expr(t: &Tok) -> bool {
        matches!(
            t,
            Tok::Int(_)
                | Tok::Float(_)
                | Tok::Name(_)
                | Tok::Str(_)
                | Tok::Bytes(_)
                | Tok::FString(_)
                | Tok::Ellipsis
                | Tok::LParen
                | Tok::LBracket
                | Tok::LBrace
                | Tok::Minus
                | Tok::Plus
                | Tok::Tilde
                | Tok::Star
                | Tok::Keyword(Kw::True | Kw::False | Kw::None | Kw::Not | Kw::Lambda | Kw::Await)
        )
    }

    /// `a`, or `a, b, *c` as a tuple (Python's `star_expressions`): the value of an
    /// assignment, `return`, `for ... in`. A lone `*a` is an error here.
    pub(super) fn tuple_or_expr(&mut self) -> Result<ExprId> {
        let e = self.star_expressions()?;
        self.not_starred(e)?;
        Ok(e)
    }

    /// As [`Self::tuple_or_expr`], but a lone `*a` is returned for the caller to judge (the
    /// first part of an expression statement, which may turn out to be a target).
    pub(super) fn star_expressions(&mut self) -> Result<ExprId> {
        let first = self.star_or_test()?;
        if self.peek() != &Tok::Comma {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat(&Tok::Comma) {
            if !Self::starts_expr(self.peek()) {
                break;
            }
            items.push(self.star_or_test()?);
        }
        let span = self
            .span_of(first)
            .join(self.span_of(items[items.len() - 1]));
        self.push(ExprKind::Tuple(items), span)
    }

    /// The targets of a `for`: `i`, `i, (j, k)`, `*rest, last`, parsed above the
    /// comparisons so that `in` ends them.
    pub(super) fn target_list(&mut self) -> Result<ExprId> {
        let item = |p: &mut Self| {
            if p.peek() == &Tok::Star {
                let star = p.bump().span;
                let e = p.bitor()?;
                let span = star.join(p.span_of(e));
                p.push(ExprKind::Starred(e), span)
            } else {
                p.bitor()
            }
        };
        let first = item(self)?;
        if self.peek() != &Tok::Comma {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat(&Tok::Comma) {
            if !Self::starts_expr(self.peek()) {
                break;
            }
            items.push(item(self)?);
        }
        let span = self
            .span_of(first)
            .join(self.span_of(items[items.len() - 1]));
        self.push(ExprKind::Tuple(items), span)
    }

    pub(super) fn star_or_test(&mut self) -> Result<ExprId> {
        if self.peek() != &Tok::Star {
            return self.test();
        }
        let star = self.bump().span;
        let e = self.bitor()?;
        let span = star.join(self.span_of(e));
        self.push(ExprKind::Starred(e), span)
    }

    pub(super) fn star_or_named(&mut self) -> Result<ExprId> {
        if self.peek() == &Tok::Star {
            self.star_or_test()
        } else {
            self.named_test()
        }
    }

    /// An expression that may be an assignment expression `name := value` (unsupported).
    pub(super) fn named_test(&mut self) -> Result<ExprId> {
        if !(matches!(self.peek(), Tok::Name(_)) && self.peek_at(1) == &Tok::ColonEq) {
            return self.test();
        }
        let start = self.bump().span;
        self.bump(); // ':='
        let value = self.test()?;
        let span = start.join(self.span_of(value));
        self.push(
            ExprKind::Unsupported {
                what: "assignment expressions (':=')",
            },
            span,
        )
    }

    /// `yield`, `yield a, b`, `yield from it`: unsupported, parsed for its span.
    pub(super) fn yield_expr(&mut self) -> Result<ExprId> {
        let start = self.bump().span;
        if self.at_kw(Kw::From) {
            self.bump();
            self.test()?;
        } else if Self::starts_expr(self.peek()) {
            self.tuple_or_expr()?;
        }
        self.push(
            ExprKind::Unsupported {
                what: "'yield' expressions",
            },
            start.join(self.last),
        )
    }

    pub(super) fn not_starred(&self, e: ExprId) -> Result<()> {
        if matches!(self.kind_of(e), ExprKind::Starred(_)) {
            return Err(SyntaxError::new(
                "cannot use starred expression here",
                self.span_of(e),
            ));
        }
        Ok(())
    }

    pub(super) fn lambda(&mut self) -> Result<ExprId> {
        let start = self.bump().span;
        let params = self.params(&Tok::Colon, false)?;
        self.expect(&Tok::Colon, "':'")?;
        let body = self.test()?;
        let span = start.join(self.span_of(body));
        self.push(ExprKind::Lambda { params, body }, span)
    }

    /// The parameters of a `def` (up to `)`, with annotations) or a `lambda` (up to `:`),
    /// with Python's rules for `/`, `*`, `*args`, `**kwargs` and defaults.
    pub(super) fn params(&mut self, close: &Tok, annotations: bool) -> Result<Vec<Param>> {
        let mut ps: Vec<Param> = Vec::new();
        let (mut slash, mut star, mut var_keywords, mut default_seen) =
            (false, false, false, false);
        let mut bare_star: Option<Span> = None;
        // The names so far, so that a long parameter list stays linear.
        let mut names: HashSet<String> = HashSet::new();
        while self.peek() != close {
            let before = self.pos;
            let count = ps.len();
            let at = self.span();
            if var_keywords {
                return Err(SyntaxError::new(
                    "arguments cannot follow var-keyword argument",
                    at,
                ));
            }
            match self.peek() {
                Tok::Slash => {
                    self.bump();
                    let msg = if slash {
                        Some("/ may appear only once")
                    } else if star {
                        Some("/ must be ahead of *")
                    } else if ps.is_empty() {
                        Some("at least one argument must precede /")
                    } else {
                        None
                    };
                    if let Some(msg) = msg {
                        return Err(SyntaxError::new(msg, at));
                    }
                    slash = true;
                    for p in &mut ps {
                        p.kind = ParamKind::PositionalOnly;
                    }
                }
                Tok::Star => {
                    self.bump();
                    if star {
                        return Err(SyntaxError::new("* argument may appear only once", at));
                    }
                    star = true;
                    if self.peek() == &Tok::Comma || self.peek() == close {
                        bare_star = Some(at);
                    } else {
                        ps.push(self.param(ParamKind::VarArgs, annotations)?);
                    }
                }
                Tok::StarStar => {
                    self.bump();
                    var_keywords = true;
                    ps.push(self.param(ParamKind::VarKeywords, annotations)?);
                }
                _ => {
                    let kind = if star {
                        ParamKind::KeywordOnly
                    } else {
                        ParamKind::Positional
                    };
                    bare_star = None;
                    let mut p = self.param(kind, annotations)?;
                    if self.eat(&Tok::Assign) {
                        p.default = Some(self.test()?);
                        default_seen |= !star;
                    } else if default_seen && !star {
                        return Err(SyntaxError::new(
                            "parameter without a default follows parameter with a default",
                            p.span,
                        ));
                    }
                    ps.push(p);
                }
            }
            if let Some(p) = ps.last()
                && ps.len() > count
                && !names.insert(p.name.clone())
            {
                return Err(SyntaxError::new(
                    format!("duplicate argument '{}' in function definition", p.name),
                    p.span,
                ));
            }
            if self.peek() != close {
                let t = self.bump();
                if t.tok != Tok::Comma {
                    return Err(self.unexpected(&t, "',' or the end of the parameters"));
                }
            }
            debug_assert!(self.pos > before, "parser made no progress");
        }
        if let Some(span) = bare_star {
            return Err(SyntaxError::new("named arguments must follow bare *", span));
        }
        Ok(ps)
    }

    /// A parameter's name and, in a `def`, its annotation.
    pub(super) fn param(&mut self, kind: ParamKind, annotations: bool) -> Result<Param> {
        let t = self.bump();
        let Tok::Name(name) = t.tok else {
            return Err(self.unexpected(&t, "a parameter name"));
        };
        let annotation = if annotations && self.eat(&Tok::Colon) {
            Some(self.test()?)
        } else {
            None
        };
        if self.peek() == &Tok::Assign {
            let msg = match kind {
                ParamKind::VarArgs => Some("var-positional argument cannot have default value"),
                ParamKind::VarKeywords => Some("var-keyword argument cannot have default value"),
                _ => None,
            };
            if let Some(msg) = msg {
                return Err(SyntaxError::new(msg, self.span()));
            }
        }
        Ok(Param {
            name,
            span: t.span,
            default: None,
            annotation,
            kind,
        })
    }

    /// Checks that `id` can be assigned to: a name, attribute, subscript, or a tuple or
    /// list of targets with at most one starred. `assign` adds the `==` hint of `=`.
    pub(super) fn check_target(&self, id: ExprId, assign: bool) -> Result<()> {
        let e = &self.exprs[id.0 as usize];
        match &e.kind {
            ExprKind::Name(_) | ExprKind::Attr { .. } | ExprKind::Subscript { .. } => Ok(()),
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let mut starred = items
                    .iter()
                    .filter(|&&i| matches!(self.kind_of(i), ExprKind::Starred(_)));
                if let Some(&second) = starred.nth(1) {
                    return Err(SyntaxError::new(
                        "multiple starred expressions in assignment",
                        self.span_of(second),
                    ));
                }
                for &i in items {
                    match self.kind_of(i) {
                        ExprKind::Starred(inner) => self.check_target(*inner, assign)?,
                        _ => self.check_target(i, assign)?,
                    }
                }
                Ok(())
            }
            ExprKind::Starred(_) => Err(SyntaxError::new(
                "starred assignment target must be in a list or tuple",
                e.span,
            )),
            other => {
                let err =
                    SyntaxError::new(format!("cannot assign to {}", target_name(other)), e.span);
                Err(
                    if assign
                        && matches!(other, ExprKind::Call { .. } | ExprKind::Comparison { .. })
                    {
                        err.note("maybe you meant '==' instead of '='?")
                    } else {
                        err
                    },
                )
            }
        }
    }
}

/// How "cannot assign to ..." names an expression that is not a target, as Python does.
pub(super) fn target_name(kind: &ExprKind) -> &'static str {
    match kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Bytes(_)
        | ExprKind::Ellipsis => "literal",
        ExprKind::Bool(true) => "True",
        ExprKind::Bool(false) => "False",
        ExprKind::NoneLit => "None",
        ExprKind::Call { .. } => "function call",
        ExprKind::Compare(..) | ExprKind::Comparison { .. } => "comparison",
        ExprKind::IfExp { .. } => "conditional expression",
        ExprKind::Lambda { .. } => "lambda",
        ExprKind::ListComp { .. } => "list comprehension",
        ExprKind::GeneratorExp { .. } => "generator expression",
        ExprKind::Tuple(_) => "tuple",
        ExprKind::List(_) => "list",
        ExprKind::Starred(_) => "starred",
        ExprKind::Name(_) => "name",
        ExprKind::Attr { .. } => "attribute",
        ExprKind::Subscript { .. } => "subscript",
        _ => "expression",
    }
}
