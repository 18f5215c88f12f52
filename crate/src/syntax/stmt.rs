//! Module mode's statements, on the same `Parser` as the expressions: a module is a
//! list of statements; a compound statement's block is either the rest of its header's
//! line (`if x: return 1`) or `NEWLINE INDENT statement+ DEDENT`.
//!
//! The kernel language is Numba's nopython subset, but the parser reads any Python a kernel
//! module is likely to hold: the statements the kernel front end does not support (`with`,
//! `try`, `class`, `del`, `async`, `match`) are parsed for their extent and kept as
//! [`StmtKind::Unsupported`] with the span of the whole construct, so the front end can
//! reject them by name and place while the rest of the module still parses.
//!
//! Checks that Python makes at compile time and that need only the nesting are made here:
//! `return` outside a function, `break` and `continue` outside a loop, `nonlocal` at module
//! level, targets that cannot be assigned to. Blocks count towards [`MAX_DEPTH`] with the
//! expressions inside them.

use super::ast::{Alias, ExprKind, FunctionDef, Module, Stmt, StmtId, StmtKind};
use super::lexer::{Kw, Mode, Tok, lex, line_of};
use super::module_expr::target_name;
use super::parser::{MAX_DEPTH, Parser};
use super::{ExprId, Span, SyntaxError};

/// The longest module accepted, in bytes: a kernel module is a page of code, and the limit
/// keeps every pass over the source and the AST cheap.
pub const MAX_MODULE_LEN: usize = 1024 * 1024;

type Result<T> = std::result::Result<T, SyntaxError>;

/// Parses a Python module of Numba-style kernels.
///
/// ```
/// let m = numwasm::syntax::parse_module("@njit\ndef f(x):\n    return x + 1\n").unwrap();
/// assert_eq!(m.dump(), "@njit\ndef f (x)\n  return (+ x 1)\n");
/// ```
pub fn parse_module(src: &str) -> Result<Module> {
    if src.len() > MAX_MODULE_LEN {
        return Err(SyntaxError::new(
            format!(
                "source is too long ({} bytes, the limit is {MAX_MODULE_LEN})",
                src.len()
            ),
            Span::new(0, 0),
        ));
    }
    let tokens = lex(src, Mode::Module)?;
    let mut p = Parser::new(src, Mode::Module, tokens);
    let mut body = Vec::new();
    while p.peek() != &Tok::Eof {
        p.statement(&mut body)?;
    }
    Ok(Module {
        exprs: p.exprs,
        stmts: p.stmts,
        body,
        span: Span::new(0, src.len()),
    })
}

/// What a saved parser position restores (for `match`, the one place that backtracks).
struct Checkpoint {
    pos: usize,
    last: Span,
    exprs: usize,
    depth: usize,
    blocks: usize,
}

impl Parser<'_> {
    fn push_stmt(&mut self, kind: StmtKind, span: Span) -> StmtId {
        self.stmts.push(Stmt { kind, span });
        StmtId((self.stmts.len() - 1) as u32)
    }

    /// Parses one statement (several for `a; b`) into `out`. Consumes at least one token
    /// or fails: the progress guarantee of every statement loop.
    pub(super) fn statement(&mut self, out: &mut Vec<StmtId>) -> Result<()> {
        let before = self.pos;
        let compound = match self.peek() {
            Tok::Keyword(Kw::If) => Some(self.if_stmt()?),
            Tok::Keyword(Kw::For) => Some(self.for_stmt()?),
            Tok::Keyword(Kw::While) => Some(self.while_stmt()?),
            Tok::Keyword(Kw::Def) => Some(self.funcdef(Vec::new())?),
            Tok::At => Some(self.decorated()?),
            Tok::Keyword(Kw::Class) => Some(self.class_def()?),
            Tok::Keyword(Kw::With) => Some(self.with_stmt()?),
            Tok::Keyword(Kw::Try) => Some(self.try_stmt()?),
            Tok::Keyword(Kw::Async) => Some(self.async_stmt()?),
            Tok::Name(n) if n == "match" => self.match_stmt(),
            Tok::Indent => {
                return Err(SyntaxError::new(
                    "unexpected indent",
                    self.tokens[self.pos + 1].span,
                ));
            }
            _ => None,
        };
        match compound {
            Some(id) => out.push(id),
            None => self.simple_stmts(out)?,
        }
        debug_assert!(self.pos > before, "parser made no progress");
        if self.pos == before {
            // Unreachable: every statement starts by consuming its first token. The check
            // keeps a future mistake from turning into a hang.
            return Err(SyntaxError::new("invalid syntax", self.span()));
        }
        Ok(())
    }

    /// Simple statements separated by `;` up to the end of the line.
    fn simple_stmts(&mut self, out: &mut Vec<StmtId>) -> Result<()> {
        loop {
            let id = self.simple_stmt()?;
            out.push(id);
            if !self.eat(&Tok::Semi) || self.peek() == &Tok::Newline {
                break;
            }
        }
        let t = self.bump();
        if t.tok != Tok::Newline {
            return Err(self.unexpected(&t, "the end of the statement"));
        }
        Ok(())
    }

    /// Whether the simple statement being parsed ends here.
    fn at_statement_end(&self) -> bool {
        matches!(self.peek(), Tok::Newline | Tok::Semi | Tok::Eof)
    }

    fn simple_stmt(&mut self) -> Result<StmtId> {
        let start = self.span();
        let Tok::Keyword(kw) = *self.peek() else {
            return self.expr_stmt();
        };
        let kind = match kw {
            Kw::Pass | Kw::Break | Kw::Continue => {
                self.bump();
                match kw {
                    Kw::Break if !self.in_loop => {
                        return Err(SyntaxError::new("'break' outside loop", start));
                    }
                    Kw::Continue if !self.in_loop => {
                        return Err(SyntaxError::new("'continue' not properly in loop", start));
                    }
                    Kw::Break => StmtKind::Break,
                    Kw::Continue => StmtKind::Continue,
                    _ => StmtKind::Pass,
                }
            }
            Kw::Return => {
                self.bump();
                if !self.in_function {
                    return Err(SyntaxError::new("'return' outside function", start));
                }
                let value = if self.at_statement_end() {
                    None
                } else {
                    Some(self.tuple_or_expr()?)
                };
                StmtKind::Return(value)
            }
            Kw::Raise => {
                self.bump();
                let exc = if self.at_statement_end() {
                    None
                } else {
                    Some(self.test()?)
                };
                let cause = if exc.is_some() && self.at_kw(Kw::From) {
                    self.bump();
                    Some(self.test()?)
                } else {
                    None
                };
                StmtKind::Raise { exc, cause }
            }
            Kw::Assert => {
                self.bump();
                let test = self.test()?;
                let msg = if self.eat(&Tok::Comma) {
                    Some(self.test()?)
                } else {
                    None
                };
                StmtKind::Assert { test, msg }
            }
            Kw::Global | Kw::Nonlocal => {
                self.bump();
                if kw == Kw::Nonlocal && !self.in_function {
                    return Err(SyntaxError::new(
                        "nonlocal declaration not allowed at module level",
                        start,
                    ));
                }
                let mut names = Vec::new();
                loop {
                    let t = self.bump();
                    let Tok::Name(n) = t.tok else {
                        return Err(self.unexpected(&t, "a name"));
                    };
                    names.push((n, t.span));
                    if !self.eat(&Tok::Comma) {
                        break;
                    }
                }
                if kw == Kw::Global {
                    StmtKind::Global(names)
                } else {
                    StmtKind::Nonlocal(names)
                }
            }
            Kw::Del => {
                self.bump();
                self.tuple_or_expr()?;
                StmtKind::Unsupported {
                    what: "'del' statements",
                }
            }
            Kw::Import => {
                self.bump();
                let mut names = Vec::new();
                loop {
                    names.push(self.alias(true)?);
                    if !self.eat(&Tok::Comma) {
                        break;
                    }
                }
                StmtKind::Import(names)
            }
            Kw::From => self.import_from()?,
            _ => return self.expr_stmt(),
        };
        Ok(self.push_stmt(kind, start.join(self.last)))
    }

    /// An expression statement, an assignment (`a = b = c`, `a, b = t`), an augmented
    /// assignment or an annotated one.
    fn expr_stmt(&mut self) -> Result<StmtId> {
        let start = self.span();
        let value = |p: &mut Self| {
            if p.at_kw(Kw::Yield) {
                p.yield_expr()
            } else {
                p.tuple_or_expr()
            }
        };
        let first = if self.at_kw(Kw::Yield) {
            self.yield_expr()?
        } else {
            self.star_expressions()?
        };
        if self.peek() != &Tok::Assign {
            self.not_starred(first)?;
        }
        let kind = match *self.peek() {
            Tok::AugAssign(op) => {
                let e = &self.exprs[first.0 as usize];
                if !matches!(
                    e.kind,
                    ExprKind::Name(_) | ExprKind::Attr { .. } | ExprKind::Subscript { .. }
                ) {
                    return Err(SyntaxError::new(
                        format!(
                            "'{}' is an illegal expression for augmented assignment",
                            target_name(&e.kind)
                        ),
                        e.span,
                    ));
                }
                self.bump();
                let value = value(self)?;
                StmtKind::AugAssign {
                    target: first,
                    op,
                    value,
                }
            }
            Tok::Colon => {
                let e = &self.exprs[first.0 as usize];
                match e.kind {
                    ExprKind::Name(_) | ExprKind::Attr { .. } | ExprKind::Subscript { .. } => {}
                    ExprKind::Tuple(_) => {
                        return Err(SyntaxError::new(
                            "only single target (not tuple) can be annotated",
                            e.span,
                        ));
                    }
                    _ => return Err(SyntaxError::new("illegal target for annotation", e.span)),
                }
                self.bump();
                let annotation = self.test()?;
                let value = if self.eat(&Tok::Assign) {
                    Some(value(self)?)
                } else {
                    None
                };
                StmtKind::AnnAssign {
                    target: first,
                    annotation,
                    value,
                }
            }
            Tok::Assign => {
                let mut targets = vec![first];
                while self.eat(&Tok::Assign) {
                    targets.push(value(self)?);
                }
                let value = targets.pop().unwrap_or(first);
                for &t in &targets {
                    self.check_target(t, true)?;
                }
                StmtKind::Assign { targets, value }
            }
            _ => StmtKind::Expr(first),
        };
        Ok(self.push_stmt(kind, start.join(self.last)))
    }

    /// `import a.b as c` (`dotted`) or one name of `from m import a as c`.
    fn alias(&mut self, dotted: bool) -> Result<Alias> {
        let t = self.bump();
        let Tok::Name(mut name) = t.tok else {
            let wanted = if dotted {
                "a module name"
            } else {
                "a name to import"
            };
            return Err(self.unexpected(&t, wanted));
        };
        while dotted && self.eat(&Tok::Dot) {
            let t = self.bump();
            let Tok::Name(part) = t.tok else {
                return Err(self.unexpected(&t, "a module name"));
            };
            name.push('.');
            name.push_str(&part);
        }
        let asname = if self.at_kw(Kw::As) {
            self.bump();
            let t = self.bump();
            let Tok::Name(n) = t.tok else {
                return Err(self.unexpected(&t, "a name"));
            };
            Some(n)
        } else {
            None
        };
        Ok(Alias {
            name,
            asname,
            span: t.span.join(self.last),
        })
    }

    /// `from .m import a, b as c`, `from m import (a, b,)`, `from m import *`; the next
    /// token is `from`.
    fn import_from(&mut self) -> Result<StmtKind> {
        self.bump();
        let mut level = 0;
        loop {
            match self.peek() {
                Tok::Dot => level += 1,
                Tok::Ellipsis => level += 3,
                _ => break,
            }
            self.bump();
        }
        let module = if matches!(self.peek(), Tok::Name(_)) {
            Some(self.alias(true)?)
        } else if level == 0 {
            let t = self.bump();
            return Err(self.unexpected(&t, "a module name"));
        } else {
            None
        };
        if let Some(Alias {
            asname: Some(_),
            span,
            ..
        }) = &module
        {
            return Err(SyntaxError::new("expected 'import'", *span));
        }
        if !self.at_kw(Kw::Import) {
            return Err(SyntaxError::new("expected 'import'", self.span()));
        }
        self.bump();
        let mut names = Vec::new();
        if self.peek() == &Tok::Star {
            let t = self.bump();
            names.push(Alias {
                name: "*".into(),
                asname: None,
                span: t.span,
            });
        } else {
            let parens = self.eat(&Tok::LParen);
            loop {
                names.push(self.alias(false)?);
                if !self.eat(&Tok::Comma) {
                    break;
                }
                if parens && self.peek() == &Tok::RParen {
                    break;
                }
                if !parens && self.at_statement_end() {
                    return Err(SyntaxError::new(
                        "trailing comma not allowed without surrounding parentheses",
                        self.last,
                    ));
                }
            }
            if parens {
                let t = self.bump();
                if t.tok != Tok::RParen {
                    return Err(self.unexpected(&t, "',' or ')'"));
                }
            }
        }
        Ok(StmtKind::ImportFrom {
            module: module.map(|a| a.name),
            level,
            names,
        })
    }

    // ---- Blocks ------------------------------------------------------------------------------

    /// Consumes the `:` that ends a compound statement's header.
    fn header_colon(&mut self) -> Result<()> {
        if self.eat(&Tok::Colon) {
            return Ok(());
        }
        let err = SyntaxError::new("expected ':'", self.span());
        Err(if self.peek() == &Tok::Assign {
            err.note("maybe you meant '==' or ':=' instead of '='?")
        } else {
            err
        })
    }

    /// One level deeper into blocks: they count towards the nesting limit.
    fn enter_block(&mut self) -> Result<()> {
        self.depth += 1;
        self.blocks += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::new(
                format!(
                    "blocks are nested too deeply (the limit is {MAX_DEPTH} levels of blocks, \
                     'elif' branches and expressions together)"
                ),
                self.span(),
            ));
        }
        Ok(())
    }

    fn exit_block(&mut self) {
        self.depth -= 1;
        self.blocks -= 1;
    }

    /// The block after a header's `:`; `after` names the header for the error when the
    /// block is missing ("'if' statement", "function definition"), and `header` is its
    /// first token's span.
    fn block(&mut self, after: &str, header: Span) -> Result<Vec<StmtId>> {
        let mut body = Vec::new();
        self.enter_block()?;
        let r = self.block_body(after, header, &mut body);
        self.exit_block();
        r.map(|()| body)
    }

    fn block_body(&mut self, after: &str, header: Span, body: &mut Vec<StmtId>) -> Result<()> {
        if !self.eat(&Tok::Newline) {
            // `if x: return 1`: simple statements on the header's line.
            return self.simple_stmts(body);
        }
        if !self.eat(&Tok::Indent) {
            return Err(SyntaxError::new(
                format!(
                    "expected an indented block after {after} on line {}",
                    line_of(self.src, header.start as usize)
                ),
                self.span(),
            ));
        }
        while !self.eat(&Tok::Dedent) && self.peek() != &Tok::Eof {
            self.statement(body)?;
        }
        Ok(())
    }

    /// Runs `f` with the context of a new function or class body (`in_function`), outside
    /// any loop.
    fn in_scope<T>(&mut self, in_function: bool, f: impl FnOnce(&mut Self) -> T) -> T {
        let saved = (self.in_function, self.in_loop);
        self.in_function = in_function;
        self.in_loop = false;
        let r = f(self);
        (self.in_function, self.in_loop) = saved;
        r
    }

    /// A loop's body, in which `break` and `continue` are allowed.
    fn loop_block(&mut self, after: &str, header: Span) -> Result<Vec<StmtId>> {
        let saved = self.in_loop;
        self.in_loop = true;
        let r = self.block(after, header);
        self.in_loop = saved;
        r
    }

    /// An optional `else:` block of a loop.
    fn else_block(&mut self) -> Result<Vec<StmtId>> {
        if !self.at_kw(Kw::Else) {
            return Ok(Vec::new());
        }
        let kw = self.bump().span;
        self.header_colon()?;
        self.block("'else' statement", kw)
    }

    // ---- Compound statements -----------------------------------------------------------------

    /// `if` or `elif` (the next token), with its `elif`/`else` branches. An `elif` is an
    /// `If` nested in the `orelse` of the one before, so each counts as a block level.
    fn if_stmt(&mut self) -> Result<StmtId> {
        let kw = self.bump();
        let after = if kw.tok == Tok::Keyword(Kw::Elif) {
            "'elif' statement"
        } else {
            "'if' statement"
        };
        let test = self.named_test()?;
        self.header_colon()?;
        let body = self.block(after, kw.span)?;
        let orelse = if self.at_kw(Kw::Elif) {
            self.enter_block()?;
            let r = self.if_stmt();
            self.exit_block();
            vec![r?]
        } else if self.at_kw(Kw::Else) {
            let else_kw = self.bump().span;
            self.header_colon()?;
            self.block("'else' statement", else_kw)?
        } else {
            Vec::new()
        };
        Ok(self.push_stmt(StmtKind::If { test, body, orelse }, kw.span.join(self.last)))
    }

    fn for_stmt(&mut self) -> Result<StmtId> {
        let kw = self.bump().span;
        let target = self.target_list()?;
        self.check_target(target, false)?;
        if !self.at_kw(Kw::In) {
            return Err(SyntaxError::new("expected 'in'", self.span()));
        }
        self.bump();
        let iter = self.tuple_or_expr()?;
        self.header_colon()?;
        let body = self.loop_block("'for' statement", kw)?;
        let orelse = self.else_block()?;
        Ok(self.push_stmt(
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            },
            kw.join(self.last),
        ))
    }

    fn while_stmt(&mut self) -> Result<StmtId> {
        let kw = self.bump().span;
        let test = self.named_test()?;
        self.header_colon()?;
        let body = self.loop_block("'while' statement", kw)?;
        let orelse = self.else_block()?;
        Ok(self.push_stmt(StmtKind::While { test, body, orelse }, kw.join(self.last)))
    }

    /// `def name(params) -> returns: body`; the next token is `def`.
    fn funcdef(&mut self, decorators: Vec<ExprId>) -> Result<StmtId> {
        let kw = self.bump().span;
        let t = self.bump();
        let Tok::Name(name) = t.tok else {
            return Err(self.unexpected(&t, "a function name"));
        };
        self.expect(&Tok::LParen, "'('")?;
        let params = self.params(&Tok::RParen, true)?;
        self.bump(); // ')'
        let returns = if self.eat(&Tok::Arrow) {
            Some(self.test()?)
        } else {
            None
        };
        self.header_colon()?;
        let body = self.in_scope(true, |p| p.block("function definition", kw))?;
        Ok(self.push_stmt(
            StmtKind::FunctionDef(FunctionDef {
                name,
                name_span: t.span,
                params,
                decorators,
                returns,
                body,
            }),
            kw.join(self.last),
        ))
    }

    /// `@decorator` lines, then the `def` (or `class`, `async def`) they decorate.
    fn decorated(&mut self) -> Result<StmtId> {
        let mut decorators = Vec::new();
        while self.eat(&Tok::At) {
            decorators.push(self.named_test()?);
            let t = self.bump();
            if t.tok != Tok::Newline {
                return Err(self.unexpected(&t, "the end of the line after the decorator"));
            }
        }
        match self.peek() {
            Tok::Keyword(Kw::Def) => self.funcdef(decorators),
            Tok::Keyword(Kw::Class) => self.class_def(),
            Tok::Keyword(Kw::Async) => self.async_stmt(),
            _ => Err(SyntaxError::new("invalid syntax", self.span())
                .note("a decorator must be followed by 'def' or 'class'")),
        }
    }

    /// `class Name(bases): body`: unsupported.
    fn class_def(&mut self) -> Result<StmtId> {
        let kw = self.bump().span;
        let t = self.bump();
        let Tok::Name(name) = t.tok else {
            return Err(self.unexpected(&t, "a class name"));
        };
        if self.peek() == &Tok::LParen {
            // The bases parse as a call of the class name.
            let callee = self.push(ExprKind::Name(name), t.span)?;
            self.call(callee)?;
        }
        self.header_colon()?;
        self.in_scope(false, |p| p.block("class definition", kw))?;
        Ok(self.push_stmt(
            StmtKind::Unsupported {
                what: "class definitions",
            },
            kw.join(self.last),
        ))
    }

    /// `with a as b, c: body`: unsupported.
    fn with_stmt(&mut self) -> Result<StmtId> {
        let kw = self.bump().span;
        loop {
            self.test()?;
            if self.at_kw(Kw::As) {
                self.bump();
                let target = self.target_list()?;
                self.check_target(target, false)?;
            }
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        self.header_colon()?;
        self.block("'with' statement", kw)?;
        Ok(self.push_stmt(
            StmtKind::Unsupported {
                what: "'with' statements",
            },
            kw.join(self.last),
        ))
    }

    /// `try:` with `except`, `else` and `finally` clauses: unsupported.
    fn try_stmt(&mut self) -> Result<StmtId> {
        let kw = self.bump().span;
        self.header_colon()?;
        self.block("'try' statement", kw)?;
        let mut handlers = 0;
        while self.at_kw(Kw::Except) {
            let except = self.bump().span;
            self.eat(&Tok::Star);
            if self.peek() != &Tok::Colon {
                self.test()?;
                if self.at_kw(Kw::As) {
                    self.bump();
                    let t = self.bump();
                    if !matches!(t.tok, Tok::Name(_)) {
                        return Err(self.unexpected(&t, "a name"));
                    }
                }
            }
            self.header_colon()?;
            self.block("'except' statement", except)?;
            handlers += 1;
        }
        if handlers > 0 && self.at_kw(Kw::Else) {
            let e = self.bump().span;
            self.header_colon()?;
            self.block("'else' statement", e)?;
        }
        let mut finally = false;
        if self.at_kw(Kw::Finally) {
            let f = self.bump().span;
            self.header_colon()?;
            self.block("'finally' statement", f)?;
            finally = true;
        }
        if handlers == 0 && !finally {
            return Err(SyntaxError::new(
                "expected 'except' or 'finally' block",
                self.span(),
            ));
        }
        Ok(self.push_stmt(
            StmtKind::Unsupported {
                what: "'try' statements",
            },
            kw.join(self.last),
        ))
    }

    /// `async def`, `async for`, `async with`: parsed, and unsupported.
    fn async_stmt(&mut self) -> Result<StmtId> {
        let kw = self.bump().span;
        let what = match self.peek() {
            Tok::Keyword(Kw::Def) => {
                self.funcdef(Vec::new())?;
                "async functions"
            }
            Tok::Keyword(Kw::For) => {
                self.for_stmt()?;
                "'async for' loops"
            }
            Tok::Keyword(Kw::With) => {
                self.with_stmt()?;
                "'async with' statements"
            }
            _ => {
                let t = self.bump();
                return Err(self.unexpected(&t, "'def', 'for' or 'with' after 'async'"));
            }
        };
        Ok(self.push_stmt(StmtKind::Unsupported { what }, kw.join(self.last)))
    }

    /// A `match` statement, unsupported, or `None` when this `match` is a name (it is a
    /// soft keyword): a statement only when `match subject:` is followed by an indented
    /// block. The case blocks are skipped as balanced tokens: patterns are a grammar of
    /// their own that kernels never need, and skipping cannot recurse.
    fn match_stmt(&mut self) -> Option<StmtId> {
        let saved = Checkpoint {
            pos: self.pos,
            last: self.last,
            exprs: self.exprs.len(),
            depth: self.depth,
            blocks: self.blocks,
        };
        let kw = self.bump().span;
        let is_match = Self::starts_expr(self.peek())
            && self.tuple_or_expr().is_ok()
            && self.peek() == &Tok::Colon
            && self.peek_at(1) == &Tok::Newline
            && self.peek_at(2) == &Tok::Indent;
        if !is_match {
            self.pos = saved.pos;
            self.last = saved.last;
            self.exprs.truncate(saved.exprs);
            self.heights.truncate(saved.exprs);
            self.depth = saved.depth;
            self.blocks = saved.blocks;
            return None;
        }
        for _ in 0..3 {
            self.bump();
        }
        let mut level = 1;
        while level > 0 && self.peek() != &Tok::Eof {
            match self.bump().tok {
                Tok::Indent => level += 1,
                Tok::Dedent => level -= 1,
                _ => {}
            }
        }
        Some(self.push_stmt(
            StmtKind::Unsupported {
                what: "match statements",
            },
            kw.join(self.last),
        ))
    }
}
