//! Typing and lowering of one kernel function to kernel IR, Numba's way.
//!
//! Typing and lowering are one walk over the function. Each assignment gives a name a
//! *version* (a kir local of the value's type), so a variable may change type between
//! assignments in straight-line code, as Numba's SSA form allows (`x = 1` then
//! `x = (1, 2)`). Where control flow joins (after an `if`, at a loop's head), the versions
//! that meet are unified into one local of the type both convert to; when they cannot be
//! (an int and a tuple), that is Numba's TypingError naming the variable and both types.
//!
//! Loops and return types need types that are only known after the body has been seen, so
//! the walk is repeated: each walk records the types it found at loop heads and returns
//! (the *hints*), and the next walk starts from them, until a walk adds nothing new (two
//! or three walks for real kernels). An error is reported only from a walk that learned
//! nothing new, so an early walk's incomplete knowledge never shows.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::error::{KernelError, KernelErrorKind, Result};
use super::{ConstVal, Global, Lib, Module, Options, int_scalar, library, rules, stencil};
use crate::kir::{
    self, ArrayTy, Expr, ExprId, FuncId, Index, Intrinsic, Layout, LocalId, Program, RaiseKind,
    Stmt, Ty,
};
use crate::syntax::{
    self, BinOp, BoolOp, CmpOp, CompareOp, ExprKind, FunctionDef, Span, StmtId, StmtKind, UnOp,
};
use crate::types::{BinaryOp, DType, Scalar, UnaryOp, promote};

/// The most walks of one function before its types are declared unsettled.
const MAX_WALKS: usize = 12;
/// The deepest chain of kernel-to-kernel calls compiled.
const MAX_CALL_DEPTH: usize = 64;
/// The most functions one program may hold (each call signature of each function).
const MAX_FUNCTIONS: usize = 1000;

/// Compiles kernel `stmt` for argument types `tys` into a program.
pub(super) fn compile(
    m: &Module,
    stmt: StmtId,
    tys: &[Ty],
    ret: Option<Option<Ty>>,
    options: Options,
) -> Result<Program> {
    let mut c = Compiler::new(m, options);
    c.function(stmt, tys, &[], &[], ret, None, None)?;
    Ok(c.program)
}

/// Compiles stencil `stmt` (with options `spec`) for argument types `tys` (then the `out`
/// array's type, when one is passed) into a program.
pub(super) fn compile_stencil(
    m: &Module,
    stmt: StmtId,
    spec: &stencil::Spec,
    tys: &[Ty],
    options: Options,
    span: Span,
) -> Result<Program> {
    let mut c = Compiler::new(m, options);
    c.stencil(stmt, spec, tys, true, span)?;
    Ok(c.program)
}

/// State shared by every function of one program.
struct Compiler<'m> {
    m: &'m Module,
    program: Program,
    done: HashMap<(StmtId, Vec<Ty>, Option<stencil::Body>), FuncId>,
    /// Stencil entries by function, argument types, options and parallelism.
    stencils: HashMap<(StmtId, Vec<Ty>, String, bool), FuncId>,
    /// The functions being compiled, to refuse recursion.
    active: Vec<StmtId>,
    options: Options,
}

/// What one walk learned: types at loop heads (by loop span and name) and the return type.
#[derive(Debug, Clone, Default, PartialEq)]
struct Hints {
    heads: BTreeMap<(u32, String), Ty>,
    ret: Option<Ty>,
}

impl<'m> Compiler<'m> {
    fn new(m: &'m Module, options: Options) -> Self {
        Compiler {
            m,
            program: Program::default(),
            done: HashMap::new(),
            stencils: HashMap::new(),
            active: Vec::new(),
            options,
        }
    }

    /// Compiles the stencil `stmt` with options `spec` for argument types `tys` (then the
    /// `out` array's type when one is passed): the bodies, and the loop that calls them
    /// (see stencil.rs), whose handle is returned. The outermost interior loop is a prange
    /// when `parallel`.
    fn stencil(
        &mut self,
        stmt: StmtId,
        spec: &stencil::Spec,
        tys: &[Ty],
        parallel: bool,
        span: Span,
    ) -> Result<FuncId> {
        let key = (stmt, tys.to_vec(), spec.key(), parallel);
        if let Some(&id) = self.stencils.get(&key) {
            return Ok(id);
        }
        let m = self.m;
        let StmtKind::FunctionDef(def) = &m.ast.stmt(stmt).kind else {
            return Err(KernelError::typing("not a function", span));
        };
        let params = def.params.len();
        if tys.len() != params && tys.len() != params + 1 {
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!(
                    "{}() takes {params} positional argument(s) but {} were given",
                    def.name,
                    tys.len()
                ),
                span,
            ));
        }
        let (args, out) = tys.split_at(params);
        let (relative, neighborhood) = stencil::analyse(m, def, spec, args, span)?;
        let ndim = neighborhood.len();
        for &r in &relative[1..] {
            if args[r].array().map(|a| usize::from(a.ndim)) != Some(ndim) {
                return Err(KernelError::typing(
                    format!(
                        "the stencil's arrays must have the same number of dimensions: '{}' \
                         is {} where '{}' is {ndim}-dimensional",
                        def.params[r].name,
                        args[r].numba_name(),
                        def.params[relative[0]].name
                    ),
                    span,
                ));
            }
        }
        if let Some(o) = out.first() {
            match o.array() {
                Some(a) if usize::from(a.ndim) == ndim => {}
                _ => {
                    return Err(KernelError::typing(
                        format!(
                            "the stencil's out must be a {ndim}-dimensional array, not {}",
                            o.numba_name()
                        ),
                        span,
                    ));
                }
            }
        }
        // The entry's slot first, so that a program made for a stencil starts with it.
        let entry = self
            .program
            .add(kir::Function::new(def.name.clone(), Ty::None));
        let body = |border| stencil::Body {
            relative: relative.clone(),
            neighborhood: neighborhood.clone(),
            border,
        };
        let interior = self.function(stmt, args, &[], &[], None, None, Some(&body(None)))?;
        let ret = match self.program.function(interior).ret.clone() {
            Ty::Scalar(d) => d,
            other => {
                return Err(KernelError::typing(
                    format!(
                        "Stencil kernel must return a scalar and not {}",
                        other.numba_name()
                    ),
                    def.name_span,
                ));
            }
        };
        let border = match spec.mode {
            stencil::Mode::Constant => None,
            mode => {
                Some(self.function(stmt, args, &[], &[], None, None, Some(&body(Some(mode))))?)
            }
        };
        let interior_fn = self.program.function(interior).clone();
        let border_fn = border.map(|b| self.program.function(b).clone());
        let f = stencil::Entry {
            name: def.name.clone(),
            span,
            tys,
            params,
            relative: &relative,
            neighborhood: &neighborhood,
            spec,
            ret,
            interior,
            border,
            interior_fn: &interior_fn,
            border_fn: border_fn.as_ref(),
            parallel,
        }
        .build();
        self.program.functions[entry.index()] = f;
        self.stencils.insert(key, entry);
        Ok(entry)
    }

    /// Compiles function `stmt` for these argument types (and captured variables, for an
    /// inner function), returning its handle; compiled once per signature.
    fn function(
        &mut self,
        stmt: StmtId,
        tys: &[Ty],
        captured: &[(String, Ty)],
        closures: &[(String, StmtId)],
        forced_ret: Option<Option<Ty>>,
        outer: Option<&str>,
        stencil: Option<&stencil::Body>,
    ) -> Result<FuncId> {
        let mut key_tys = tys.to_vec();
        key_tys.extend(captured.iter().map(|(_, t)| t.clone()));
        let key = (stmt, key_tys, stencil.cloned());
        if let Some(&id) = self.done.get(&key) {
            return Ok(id);
        }
        let m = self.m;
        let syntax::Stmt { kind, span } = m.ast.stmt(stmt);
        let StmtKind::FunctionDef(def) = kind else {
            return Err(KernelError::typing("not a function", *span));
        };
        if self.active.contains(&stmt) {
            return Err(KernelError::unsupported(
                format!(
                    "recursive calls are not supported ('{}' calls itself)",
                    def.name
                ),
                def.name_span,
            ));
        }
        if self.active.len() >= MAX_CALL_DEPTH || self.program.functions.len() >= MAX_FUNCTIONS {
            return Err(KernelError::unsupported(
                "kernel calls nest too deeply",
                def.name_span,
            ));
        }
        if tys.len() != def.params.len() {
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!(
                    "{}() takes {} positional argument(s) but {} were given",
                    def.name,
                    def.params.len(),
                    tys.len()
                ),
                def.name_span,
            ));
        }
        // Reserve the function's slot so that the entry is function 0.
        let id = self
            .program
            .add(kir::Function::new(def.name.clone(), Ty::None));
        self.active.push(stmt);
        let name = outer.map_or_else(|| def.name.clone(), |o| format!("{o}.{}", def.name));
        let mut hints = Hints::default();
        let mut walks = 0;
        let result = loop {
            walks += 1;
            let mut walk = Walk::new(
                self,
                def,
                &name,
                tys,
                captured,
                closures,
                &hints,
                forced_ret.clone(),
                stencil,
            );
            let r = walk.run();
            let learned = walk.learned.clone();
            let changed = walk.changed;
            drop(walk);
            match r {
                Ok(f) if !changed => break Ok(f),
                Err(e) if !changed => break Err(e),
                _ => {}
            }
            if learned == hints || walks >= MAX_WALKS {
                break Err(KernelError::typing(
                    format!("the types of '{}' did not settle", def.name),
                    def.name_span,
                ));
            }
            hints = learned;
            if hints.heads.len() > 100_000 {
                break Err(KernelError::typing("too many variables", def.name_span));
            }
        };
        self.active.pop();
        let f = result?;
        self.program.functions[id.index()] = f;
        self.done.insert(key, id);
        Ok(id)
    }
}

/// What a name is bound to inside a function.
#[derive(Debug, Clone, PartialEq)]
enum Bind {
    Local(LocalId),
    /// An inner `def`.
    Closure(StmtId),
}

/// A value during lowering: a typed kir expression, or something only known at compile
/// time (a module, a function, a string, None).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Val {
    E(ExprId),
    Module(Lib),
    /// A library function or type: `(Some(Numpy), "zeros")`, `(None, "range")`.
    Lib(Option<Lib>, String),
    UserFn(StmtId),
    Closure(StmtId),
    /// A method bound to its receiver: `a.sum`, `lst.append`.
    Method(ExprId, String),
    Str(String),
    None,
    /// `range(start, stop, step)` or `prange(...)` (parallel), for a `for` loop.
    Range(ExprId, ExprId, ExprId, bool),
    /// `enumerate(seq)`.
    Enumerate(ExprId),
    /// `zip(a, b, ...)`.
    Zip(Vec<ExprId>),
    /// `numba.stencil(f, ...)`: function `f` made a stencil with these options.
    Stencil(StmtId, Box<stencil::Spec>),
}

/// The loop being lowered: the head local of each variable the loop carries.
struct LoopCx {
    span: Span,
    head: HashMap<String, LocalId>,
}

/// One walk over a function.
pub(super) struct Walk<'w, 'm> {
    c: &'w mut Compiler<'m>,
    def: &'m FunctionDef,
    pub(super) f: kir::Function,
    env: HashMap<String, Bind>,
    hints: &'w Hints,
    learned: Hints,
    changed: bool,
    forced_ret: Option<Option<Ty>>,
    returns: Vec<(Ty, Span)>,
    loops: Vec<LoopCx>,
    /// The statements being emitted (a stack of blocks).
    out: Vec<Vec<Stmt>>,
    tmp: usize,
    /// Versions made per source name, for readable local names (`x`, `x.1`).
    versions: HashMap<String, usize>,
    /// The names the current loop's body assigns.
    carried_extra: HashSet<String>,
    /// Lists made from an empty literal (`result = []`), by local: the literal's span,
    /// under which appends record the element type for the next walk.
    list_origin: HashMap<LocalId, Span>,
    /// The list keys this walk has observed (see `learn_elements`).
    fresh: HashSet<(u32, String)>,
    /// Relative indexing, when the function is a stencil's body.
    stencil: Option<stencil::Cx>,
}

fn is_array(t: &Ty) -> bool {
    matches!(t, Ty::Array(_))
}

impl<'w, 'm> Walk<'w, 'm> {
    fn new(
        c: &'w mut Compiler<'m>,
        def: &'m FunctionDef,
        name: &str,
        tys: &[Ty],
        captured: &[(String, Ty)],
        closures: &[(String, StmtId)],
        hints: &'w Hints,
        forced_ret: Option<Option<Ty>>,
        stencil: Option<&stencil::Body>,
    ) -> Self {
        let mut f = kir::Function::new(name, Ty::None);
        let mut env = HashMap::new();
        for (p, t) in def.params.iter().zip(tys) {
            let l = f.param(p.name.clone(), t.clone());
            env.insert(p.name.clone(), Bind::Local(l));
        }
        for (n, t) in captured {
            let l = f.param(n.clone(), t.clone());
            env.insert(n.clone(), Bind::Local(l));
        }
        for (n, s) in closures {
            env.insert(n.clone(), Bind::Closure(*s));
        }
        let stencil = stencil.map(|b| {
            let params: Vec<LocalId> = f.params().collect();
            stencil::Cx {
                relative: b.relative.iter().map(|&i| params[i]).collect(),
                center: (0..b.neighborhood.len())
                    .map(|k| f.param(format!("$i{k}"), Ty::Scalar(DType::I64)))
                    .collect(),
                neighborhood: b.neighborhood.clone(),
                border: b.border,
            }
        });
        Walk {
            c,
            def,
            f,
            env,
            hints,
            learned: Hints {
                heads: hints.heads.clone(),
                ret: hints.ret.clone(),
            },
            changed: false,
            forced_ret,
            returns: Vec::new(),
            loops: Vec::new(),
            out: vec![Vec::new()],
            tmp: 0,
            versions: HashMap::new(),
            carried_extra: HashSet::new(),
            list_origin: HashMap::new(),
            fresh: HashSet::new(),
            stencil,
        }
    }

    fn m(&self) -> &'m Module {
        self.c.m
    }

    fn ast(&self) -> &'m syntax::Module {
        &self.c.m.ast
    }

    /// Lowers the whole function.
    fn run(&mut self) -> Result<kir::Function> {
        let body = self.def.body.clone();
        self.block(&body)?;
        let ret = match &self.forced_ret {
            Some(Some(t)) => t.clone(),
            Some(None) => Ty::None,
            None => self.return_type()?,
        };
        if ret != Ty::None && !self.terminated() && self.returns.iter().any(|(t, _)| *t != Ty::None)
        {
            // Falling off the end returns None, which Numba would make an Optional.
            return Err(KernelError::unsupported(
                format!(
                    "'{}' returns a value on some paths and None at its end; return a value \
                     on every path",
                    self.def.name
                ),
                self.def.name_span,
            ));
        }
        if !self.terminated() {
            self.emit(Stmt::Return(None));
        }
        self.f.ret = ret;
        self.f.body = self.out.pop().unwrap_or_default();
        Ok(std::mem::replace(
            &mut self.f,
            kir::Function::new("", Ty::None),
        ))
    }

    /// The unified type of the values returned so far (None when nothing is returned).
    fn return_type(&mut self) -> Result<Ty> {
        let mut t: Option<Ty> = None;
        for (rt, span) in &self.returns {
            t = Some(match t {
                None => rt.clone(),
                Some(prev) => unify(&prev, rt).ok_or_else(|| {
                    KernelError::typing(
                        format!(
                            "Cannot unify {prev} and {rt} for the return value of '{}'",
                            self.def.name
                        ),
                        *span,
                    )
                })?,
            });
        }
        let t = t.unwrap_or(Ty::None);
        if self.hints.ret.as_ref() != Some(&t) {
            self.learned.ret = Some(t.clone());
            self.changed = true;
        }
        Ok(t)
    }

    // ---- emitting -------------------------------------------------------------------

    /// Appends a statement to the block being emitted (for the library's effects).
    pub(super) fn emit_stmt(&mut self, s: Stmt) {
        self.emit(s);
    }

    fn emit(&mut self, s: Stmt) {
        if let Some(b) = self.out.last_mut() {
            b.push(s);
        }
    }

    /// Whether the current block ends in a statement control never passes.
    fn terminated(&self) -> bool {
        self.out
            .last()
            .and_then(|b| b.last())
            .is_some_and(never_falls_through)
    }

    fn expr(&mut self, e: Expr, ty: Ty, span: Span) -> ExprId {
        self.f.expr(e, ty, span)
    }

    pub(super) fn constant(&mut self, s: Scalar, span: Span) -> ExprId {
        self.expr(Expr::Const(s), Ty::Scalar(s.dtype()), span)
    }

    /// A new local for source name `name` (a fresh version when the name has one).
    fn new_local(&mut self, name: &str, ty: Ty) -> LocalId {
        let n = self.versions.entry(name.to_owned()).or_insert(0);
        let label = if *n == 0 {
            name.to_owned()
        } else {
            format!("{name}.{n}")
        };
        *n += 1;
        self.f.local(label, ty)
    }

    /// A temporary holding `e`, so that it is evaluated once.
    pub(super) fn temp(&mut self, e: ExprId) -> ExprId {
        if matches!(self.f.get(e), Expr::Local(_) | Expr::Const(_)) {
            return e;
        }
        let ty = self.f.ty(e).clone();
        let span = self.f.span(e);
        self.tmp += 1;
        let l = self.f.local(format!("${}", self.tmp), ty.clone());
        self.emit(Stmt::Assign(l, e));
        self.expr(Expr::Local(l), ty, span)
    }

    // ---- types and conversions ----------------------------------------------------

    pub(super) fn ty(&self, e: ExprId) -> &Ty {
        self.f.ty(e)
    }

    pub(super) fn span(&self, e: ExprId) -> Span {
        self.f.span(e)
    }

    /// `e` converted to type `to` (scalars cast; arrays of another dtype copied with
    /// `astype`; tuples item by item); a TypingError when no conversion exists.
    pub(super) fn convert(&mut self, e: ExprId, to: &Ty, what: &str) -> Result<ExprId> {
        let from = self.ty(e).clone();
        if from == *to {
            return Ok(e);
        }
        let span = self.span(e);
        match (&from, to) {
            (Ty::Scalar(_), Ty::Scalar(d)) => Ok(self.cast(e, *d)),
            (Ty::Array(a), Ty::Array(b))
                if a.ndim == b.ndim && a.dtype == b.dtype && b.layout == Layout::Any =>
            {
                // Layout C widens to A: the same view, typed more loosely.
                Ok(self.retype(e, to))
            }
            (Ty::Tuple(xs), Ty::Tuple(ys)) if xs.len() == ys.len() => {
                let t = self.temp(e);
                let mut items = Vec::new();
                for (i, y) in ys.iter().enumerate() {
                    let item = self.tuple_item(t, i);
                    items.push(self.convert(item, y, what)?);
                }
                Ok(self.expr(Expr::Tuple(items), to.clone(), span))
            }
            _ => Err(KernelError::typing(
                format!("Cannot convert {from} to {to} for {what}"),
                span,
            )),
        }
    }

    /// The same array value under a looser layout type.
    fn retype(&mut self, e: ExprId, to: &Ty) -> ExprId {
        let span = self.span(e);
        self.expr(Expr::View(e, Vec::new()), to.clone(), span)
    }

    pub(super) fn cast(&mut self, e: ExprId, d: DType) -> ExprId {
        if self.ty(e) == &Ty::Scalar(d) {
            return e;
        }
        if let Expr::Const(c) = *self.f.get(e) {
            let span = self.span(e);
            return self.constant(c.cast(d), span);
        }
        let span = self.span(e);
        self.expr(Expr::Cast(e, d), Ty::Scalar(d), span)
    }

    /// The scalar truth of a value (`if x:`, `and`, `not`).
    pub(super) fn truth(&mut self, e: ExprId) -> Result<ExprId> {
        let span = self.span(e);
        match self.ty(e).clone() {
            Ty::Scalar(DType::Bool) => Ok(e),
            Ty::Scalar(d) => {
                let zero = self.constant(Scalar::zero(d), span);
                Ok(self.expr(
                    Expr::Binary(BinaryOp::Ne, e, zero),
                    Ty::Scalar(DType::Bool),
                    span,
                ))
            }
            Ty::List(_) => {
                let n = self.expr(Expr::ListLen(e), Ty::Scalar(DType::I64), span);
                let zero = self.constant(Scalar::I64(0), span);
                Ok(self.expr(
                    Expr::Binary(BinaryOp::Ne, n, zero),
                    Ty::Scalar(DType::Bool),
                    span,
                ))
            }
            Ty::Tuple(items) => Ok(self.constant(Scalar::Bool(!items.is_empty()), span)),
            Ty::None => Ok(self.constant(Scalar::Bool(false), span)),
            t @ Ty::Array(_) => Err(KernelError::typing(
                format!("the truth value of an {t} is ambiguous; use a.any() or a.all()"),
                span,
            )),
        }
    }

    pub(super) fn tuple_item(&mut self, t: ExprId, i: usize) -> ExprId {
        if let Expr::Tuple(items) = self.f.get(t)
            && let Some(&x) = items.get(i)
        {
            return x;
        }
        let ty = match self.ty(t) {
            Ty::Tuple(items) => items.get(i).cloned().unwrap_or(Ty::None),
            _ => Ty::None,
        };
        let span = self.span(t);
        self.expr(Expr::TupleGet(t, i as u32), ty, span)
    }

    /// A zero of a type, for variables bound on some paths only.
    fn zero_of(&mut self, ty: &Ty, span: Span) -> Option<ExprId> {
        Some(match ty {
            Ty::Scalar(d) => self.constant(Scalar::zero(*d), span),
            Ty::Tuple(items) => {
                let xs = items
                    .iter()
                    .map(|t| self.zero_of(t, span))
                    .collect::<Option<Vec<_>>>()?;
                self.expr(Expr::Tuple(xs), ty.clone(), span)
            }
            Ty::List(_) => self.expr(
                Expr::Intrinsic(Intrinsic::NewList, Vec::new()),
                ty.clone(),
                span,
            ),
            Ty::Array(a) => {
                let dims = (0..a.ndim)
                    .map(|_| self.constant(Scalar::I64(0), span))
                    .collect();
                self.expr(Expr::Intrinsic(Intrinsic::Zeros, dims), ty.clone(), span)
            }
            Ty::None => self.none(span),
        })
    }

    /// The empty literal a list came from, if it did (`result = []`).
    pub(super) fn list_origin_of(&self, e: ExprId) -> Option<Span> {
        match *self.f.get(e) {
            Expr::Local(l) => self.list_origin.get(&l).copied(),
            _ => None,
        }
    }

    /// Records that a list made from the empty literal at `origin` holds `d` values; a new
    /// walk types the literal with it.
    pub(super) fn learn_list(&mut self, origin: Span, d: DType) {
        self.learn_elements((origin.start, "$list".to_owned()), d);
    }

    /// Records the element type of a list built at `key` (an empty literal's appends, a
    /// comprehension, the rows of `np.array`). What an earlier walk learned is replaced,
    /// not widened: it was computed from that walk's provisional types (a list not typed
    /// yet holds float64), which this walk may have refined.
    fn learn_elements(&mut self, key: (u32, String), d: DType) {
        let merged = match (self.fresh.contains(&key), self.learned.heads.get(&key)) {
            (true, Some(Ty::List(old))) => rules::unify_scalars(*old, d).unwrap_or(DType::F64),
            _ => d,
        };
        self.fresh.insert(key.clone());
        if self.hints.heads.get(&key) != Some(&Ty::List(merged)) {
            self.changed = true;
        }
        self.learned.heads.insert(key, Ty::List(merged));
    }

    // ---- statements ---------------------------------------------------------------

    fn block(&mut self, body: &[StmtId]) -> Result<()> {
        for &s in body {
            if self.terminated() {
                // Code after a return/break/continue never runs (Numba drops it too).
                break;
            }
            self.stmt(s)?;
        }
        Ok(())
    }

    /// Lowers `body` into a fresh block with a copy of the environment; gives the block,
    /// the environment at its end (None when it ends in a jump) and its terminator.
    fn sub_block(&mut self, body: &[StmtId]) -> Result<(Vec<Stmt>, Option<HashMap<String, Bind>>)> {
        let saved = self.env.clone();
        self.out.push(Vec::new());
        let r = self.block(body);
        let ended = self.terminated();
        let block = self.out.pop().unwrap_or_default();
        let env = std::mem::replace(&mut self.env, saved);
        r?;
        Ok((block, (!ended).then_some(env)))
    }

    fn stmt(&mut self, id: StmtId) -> Result<()> {
        let ast = self.ast();
        let st = ast.stmt(id);
        let span = st.span;
        match &st.kind {
            StmtKind::Expr(e) => {
                if matches!(ast.expr(*e).kind, ExprKind::Str(_)) {
                    return Ok(()); // docstring
                }
                let v = self.lower(*e)?;
                if let Val::E(x) = v {
                    self.emit(Stmt::Eval(x));
                }
            }
            StmtKind::Pass => {}
            StmtKind::Assign { targets, value } => {
                let v = self.lower(*value)?;
                let v = if targets.len() > 1 {
                    match v {
                        Val::E(x) => Val::E(self.temp(x)),
                        other => other,
                    }
                } else {
                    v
                };
                for &t in targets {
                    self.assign(t, v.clone())?;
                }
            }
            StmtKind::AugAssign { target, op, value } => self.aug_assign(*target, *op, *value)?,
            StmtKind::AnnAssign { target, value, .. } => {
                if let Some(v) = value {
                    let v = self.lower(*v)?;
                    self.assign(*target, v)?;
                }
            }
            StmtKind::If { test, body, orelse } => {
                let c = self.value(*test)?;
                let c = self.truth(c)?;
                if let Expr::Const(Scalar::Bool(taken)) = *self.f.get(c) {
                    // A condition known when compiling (`if offset is None:` with a None
                    // argument): only the branch taken is typed, as Numba prunes the other.
                    return self.block(if taken { body } else { orelse });
                }
                let (then, env_t) = self.sub_block(body)?;
                let (otherwise, env_e) = self.sub_block(orelse)?;
                let mut branches = vec![(then, env_t), (otherwise, env_e)];
                self.join(&mut branches, span)?;
                let [(then, _), (otherwise, _)]: [_; 2] = branches
                    .try_into()
                    .map_err(|_| KernelError::typing("internal", span))?;
                self.emit(Stmt::If {
                    cond: c,
                    then,
                    otherwise,
                });
            }
            StmtKind::For {
                target,
                iter,
                body,
                orelse,
            } => {
                if !orelse.is_empty() {
                    return Err(KernelError::unsupported(
                        "'for ... else' is not supported in kernels",
                        span,
                    ));
                }
                self.for_loop(*target, *iter, body, span)?;
            }
            StmtKind::While { test, body, orelse } => {
                if !orelse.is_empty() {
                    return Err(KernelError::unsupported(
                        "'while ... else' is not supported in kernels",
                        span,
                    ));
                }
                self.while_loop(*test, body, span)?;
            }
            StmtKind::Break | StmtKind::Continue => {
                if self.loops.is_empty() {
                    return Err(KernelError::new(
                        KernelErrorKind::Syntax,
                        "'break' and 'continue' must be inside a loop",
                        span,
                    ));
                }
                self.sync_loop_head(span)?;
                self.emit(if matches!(st.kind, StmtKind::Break) {
                    Stmt::Break
                } else {
                    Stmt::Continue
                });
            }
            StmtKind::Return(value) => {
                let e = match value {
                    Some(v) => {
                        let x = self.value(*v)?;
                        self.returns.push((self.ty(x).clone(), span));
                        Some(x)
                    }
                    None => {
                        self.returns.push((Ty::None, span));
                        None
                    }
                };
                let void = matches!(self.forced_ret, Some(None));
                let target = match &self.forced_ret {
                    Some(t) => t.clone(),
                    None => self.hints.ret.clone(),
                };
                let e = match (e, target) {
                    (Some(_), _) if void => None,
                    (Some(x), Some(t)) if t != Ty::None => {
                        match self.convert(x, &t, "the return value") {
                            Ok(v) => Some(v),
                            Err(_) if self.forced_ret.is_none() => {
                                // An earlier walk's return type was too narrow (a list whose
                                // type was learned since): learn this one and walk again.
                                let rt = self.ty(x).clone();
                                self.learned.ret = Some(unify(&t, &rt).unwrap_or(rt));
                                self.changed = true;
                                Some(x)
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    (x, _) => x,
                };
                self.emit(Stmt::Return(e));
            }
            StmtKind::Raise { exc, .. } => self.raise(*exc, span)?,
            StmtKind::Assert { test, msg } => {
                let c = self.value(*test)?;
                let c = self.truth(c)?;
                let message = match msg {
                    Some(m) => match self.lower(*m)? {
                        Val::Str(s) => s,
                        _ => {
                            return Err(KernelError::unsupported(
                                "an assert message must be a constant string",
                                ast.expr(*m).span,
                            ));
                        }
                    },
                    None => String::new(),
                };
                let f = self_const_false(self, span);
                let not = self.expr(
                    Expr::Binary(BinaryOp::Eq, c, f),
                    Ty::Scalar(DType::Bool),
                    span,
                );
                self.emit(Stmt::If {
                    cond: not,
                    then: vec![Stmt::Raise {
                        kind: RaiseKind::AssertionError,
                        message,
                        span,
                    }],
                    otherwise: Vec::new(),
                });
            }
            StmtKind::FunctionDef(d) => {
                if !d.decorators.is_empty() {
                    return Err(KernelError::unsupported(
                        "inner functions may not be decorated",
                        d.name_span,
                    ));
                }
                self.env.insert(d.name.clone(), Bind::Closure(id));
            }
            StmtKind::Import(_) | StmtKind::ImportFrom { .. } => {
                return Err(KernelError::unsupported(
                    "imports inside kernels are not supported; import at module level",
                    span,
                ));
            }
            StmtKind::Global(_) | StmtKind::Nonlocal(_) => {
                return Err(KernelError::unsupported(
                    "'global' and 'nonlocal' are not supported in kernels",
                    span,
                ));
            }
            StmtKind::Unsupported { what } => {
                return Err(KernelError::unsupported(
                    format!("{what} are not supported in kernels"),
                    span,
                ));
            }
        }
        Ok(())
    }

    /// Unifies the environments of the branches that reach a join, appending to each
    /// branch the assignments into the merged locals. Leaves `self.env` as after the join.
    fn join(
        &mut self,
        branches: &mut [(Vec<Stmt>, Option<HashMap<String, Bind>>)],
        span: Span,
    ) -> Result<()> {
        let live: Vec<usize> = (0..branches.len())
            .filter(|&i| branches[i].1.is_some())
            .collect();
        if live.is_empty() {
            // Every branch jumped away: nothing after the join runs; keep the old env.
            return Ok(());
        }
        let mut names: Vec<String> = live
            .iter()
            .flat_map(|&i| {
                branches[i]
                    .1
                    .as_ref()
                    .into_iter()
                    .flat_map(|e| e.keys().cloned())
            })
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        names.sort();
        let mut merged = HashMap::new();
        for name in names {
            let binds: Vec<Option<Bind>> = live
                .iter()
                .map(|&i| branches[i].1.as_ref().and_then(|e| e.get(&name).cloned()))
                .collect();
            let first = binds.iter().flatten().next().cloned();
            if binds.iter().all(|b| b.as_ref() == first.as_ref()) {
                if let Some(b) = first {
                    merged.insert(name, b);
                }
                continue;
            }
            let locals: Vec<Option<LocalId>> = binds
                .iter()
                .map(|b| match b {
                    Some(Bind::Local(l)) => Some(*l),
                    _ => None,
                })
                .collect();
            let mut ty: Option<Ty> = None;
            for l in locals.iter().flatten() {
                let t = self.f.local_decl(*l).ty.clone();
                ty = Some(match ty {
                    None => t,
                    Some(prev) => unify(&prev, &t).ok_or_else(|| {
                        KernelError::typing(
                            format!("Cannot unify {prev} and {t} for '{name}'"),
                            span,
                        )
                    })?,
                });
            }
            let Some(ty) = ty else { continue };
            let m = self.new_local(&name, ty.clone());
            for (k, &i) in live.iter().enumerate() {
                if let Some(l) = locals[k] {
                    let le = self.expr(Expr::Local(l), self.f.local_decl(l).ty.clone(), span);
                    let v = self.convert(le, &ty, &format!("'{name}'"))?;
                    branches[i].0.push(Stmt::Assign(m, v));
                } else if let Some(z) = self.zero_of(&ty, span) {
                    // Bound on the other branch only: zero here, as for loop heads.
                    branches[i].0.push(Stmt::Assign(m, z));
                }
            }
            merged.insert(name, Bind::Local(m));
        }
        self.env = merged;
        Ok(())
    }

    /// Names assigned anywhere in `body` (targets, loop targets, augmented assignments),
    /// not inside inner functions.
    fn assigned_names(&self, body: &[StmtId], out: &mut Vec<String>) {
        let ast = self.ast();
        for &s in body {
            match &ast.stmt(s).kind {
                StmtKind::Assign { targets, .. } => {
                    for t in targets {
                        self.target_names(*t, out);
                    }
                }
                StmtKind::AugAssign { target, .. } | StmtKind::AnnAssign { target, .. } => {
                    self.target_names(*target, out);
                }
                StmtKind::For {
                    target,
                    body,
                    orelse,
                    ..
                } => {
                    self.target_names(*target, out);
                    self.assigned_names(body, out);
                    self.assigned_names(orelse, out);
                }
                StmtKind::If { body, orelse, .. } | StmtKind::While { body, orelse, .. } => {
                    self.assigned_names(body, out);
                    self.assigned_names(orelse, out);
                }
                _ => {}
            }
        }
    }

    fn target_names(&self, t: syntax::ExprId, out: &mut Vec<String>) {
        match &self.ast().expr(t).kind {
            ExprKind::Name(n) => {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for &i in items {
                    self.target_names(i, out);
                }
            }
            _ => {}
        }
    }

    /// Sets up the head locals of a loop whose body assigns `carried`: each variable gets
    /// a local of its type at the head (from the hints of earlier walks, widened with the
    /// type it has on entry), assigned before the loop.
    fn loop_head(&mut self, carried: &[String], span: Span) -> Result<HashMap<String, LocalId>> {
        let mut head = HashMap::new();
        for name in carried {
            let entry = match self.env.get(name) {
                Some(Bind::Local(l)) => Some(*l),
                Some(Bind::Closure(_)) => continue,
                None => None,
            };
            let hint = self.hints.heads.get(&(span.start, name.clone())).cloned();
            let entry_ty = entry.map(|l| self.f.local_decl(l).ty.clone());
            let ty = match (&hint, &entry_ty) {
                (Some(h), Some(e)) => unify(h, e).ok_or_else(|| {
                    KernelError::typing(format!("Cannot unify {h} and {e} for '{name}'"), span)
                })?,
                (Some(h), None) => h.clone(),
                (None, Some(e)) => e.clone(),
                (None, None) => continue,
            };
            let h = self.new_local(name, ty.clone());
            if let Some(l) = entry {
                let le = self.expr(Expr::Local(l), entry_ty.unwrap_or(Ty::None), span);
                let v = self.convert(le, &ty, &format!("'{name}'"))?;
                self.emit(Stmt::Assign(h, v));
            } else if let Some(z) = self.zero_of(&ty, span) {
                // A variable first bound inside the loop holds zero until then (Numba
                // leaves it undefined; reading it before the loop assigns it is a bug
                // Python would report as an UnboundLocalError).
                self.emit(Stmt::Assign(h, z));
            }
            self.env.insert(name.clone(), Bind::Local(h));
            head.insert(name.clone(), h);
        }
        Ok(head)
    }

    /// At the end of a loop body, a `continue` or a `break`: copies each carried
    /// variable's current version into its head local, and records types the head does
    /// not hold yet for the next walk.
    fn sync_loop_head(&mut self, span: Span) -> Result<()> {
        let Some(cx) = self.loops.last() else {
            return Ok(());
        };
        let (loop_span, head) = (cx.span, cx.head.clone());
        let mut names: Vec<&String> = self.env.keys().collect();
        names.sort();
        let names: Vec<String> = names.into_iter().cloned().collect();
        for name in names {
            let Some(Bind::Local(cur)) = self.env.get(&name).cloned() else {
                continue;
            };
            let cur_ty = self.f.local_decl(cur).ty.clone();
            match head.get(&name) {
                Some(&h) if h == cur => {}
                Some(&h) => {
                    let h_ty = self.f.local_decl(h).ty.clone();
                    let u = unify(&h_ty, &cur_ty).ok_or_else(|| {
                        KernelError::typing(
                            format!("Cannot unify {h_ty} and {cur_ty} for '{name}'"),
                            span,
                        )
                    })?;
                    if u != h_ty {
                        self.learn_head(loop_span, &name, u);
                    } else {
                        let le = self.expr(Expr::Local(cur), cur_ty, span);
                        let v = self.convert(le, &h_ty, &format!("'{name}'"))?;
                        self.emit(Stmt::Assign(h, v));
                    }
                }
                None => {
                    // A variable first bound inside the loop: the next walk gives it a
                    // head local, so that it is visible after the loop.
                    if self.loop_carries(&name) {
                        self.learn_head(loop_span, &name, cur_ty);
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether the current loop's body assigns `name` (so it is carried).
    fn loop_carries(&self, name: &str) -> bool {
        self.loops
            .last()
            .is_some_and(|cx| cx.head.contains_key(name) || self.carried_extra.contains(name))
    }

    fn learn_head(&mut self, loop_span: Span, name: &str, ty: Ty) {
        let key = (loop_span.start, name.to_owned());
        let merged = match self.learned.heads.get(&key) {
            Some(old) => unify(old, &ty).unwrap_or(ty),
            None => ty,
        };
        if self.learned.heads.get(&key) != Some(&merged) {
            self.learned.heads.insert(key, merged);
            self.changed = true;
        }
    }

    fn for_loop(
        &mut self,
        target: syntax::ExprId,
        iter: syntax::ExprId,
        body: &[StmtId],
        span: Span,
    ) -> Result<()> {
        let it = self.lower(iter)?;
        let iter_span = self.ast().expr(iter).span;
        // What to iterate: a range, or a sequence walked by index.
        let plan = self.iteration(it, iter_span)?;
        let (start, stop, step, parallel, items) = plan;
        let mut carried = Vec::new();
        self.assigned_names(body, &mut carried);
        self.target_names(target, &mut carried);
        let saved_extra =
            std::mem::replace(&mut self.carried_extra, carried.iter().cloned().collect());
        let head = self.loop_head(&carried, span)?;
        let counter = self.new_local("$i", Ty::Scalar(DType::I64));
        self.loops.push(LoopCx { span, head });
        self.out.push(Vec::new());
        let r = (|| -> Result<()> {
            let i = self.expr(Expr::Local(counter), Ty::Scalar(DType::I64), span);
            let value = Val::E(self.loop_value(&items, i, iter_span)?);
            self.assign(target, value)?;
            self.block(body)?;
            if !self.terminated() {
                self.sync_loop_head(span)?;
            }
            Ok(())
        })();
        let body_stmts = self.out.pop().unwrap_or_default();
        let cx = self.loops.pop();
        self.carried_extra = saved_extra;
        r?;
        // After the loop, each carried variable is its head local.
        if let Some(cx) = cx {
            for (n, l) in cx.head {
                self.env.insert(n, Bind::Local(l));
            }
        }
        self.emit(Stmt::For {
            var: counter,
            start,
            stop,
            step,
            body: body_stmts,
            parallel,
            span,
        });
        Ok(())
    }

    fn while_loop(&mut self, test: syntax::ExprId, body: &[StmtId], span: Span) -> Result<()> {
        let mut carried = Vec::new();
        self.assigned_names(body, &mut carried);
        let saved_extra =
            std::mem::replace(&mut self.carried_extra, carried.iter().cloned().collect());
        let head = self.loop_head(&carried, span)?;
        self.loops.push(LoopCx { span, head });
        self.out.push(Vec::new());
        let r = (|| -> Result<ExprId> {
            // The test is evaluated at the top of every iteration, inside the body, so
            // that any temporaries it needs are recomputed.
            let c = self.value(test)?;
            let c = self.truth(c)?;
            let f = self_const_false(self, span);
            let not = self.expr(
                Expr::Binary(BinaryOp::Eq, c, f),
                Ty::Scalar(DType::Bool),
                span,
            );
            self.emit(Stmt::If {
                cond: not,
                then: vec![Stmt::Break],
                otherwise: Vec::new(),
            });
            self.block(body)?;
            if !self.terminated() {
                self.sync_loop_head(span)?;
            }
            Ok(c)
        })();
        let body_stmts = self.out.pop().unwrap_or_default();
        let cx = self.loops.pop();
        self.carried_extra = saved_extra;
        r?;
        if let Some(cx) = cx {
            for (n, l) in cx.head {
                self.env.insert(n, Bind::Local(l));
            }
        }
        let t = self.constant(Scalar::Bool(true), span);
        self.emit(Stmt::While {
            cond: t,
            body: body_stmts,
        });
        Ok(())
    }

    /// How a `for` walks its iterable: (start, stop, step, parallel, items).
    fn iteration(&mut self, it: Val, span: Span) -> Result<(ExprId, ExprId, ExprId, bool, Items)> {
        let zero = self.constant(Scalar::I64(0), span);
        let one = self.constant(Scalar::I64(1), span);
        match it {
            Val::Range(start, stop, step, parallel) => {
                Ok((start, stop, step, parallel, Items::Counter))
            }
            Val::Enumerate(e) => {
                let n = self.length(e, span)?;
                let s = self.temp(e);
                Ok((zero, n, one, false, Items::Seq(vec![s], true)))
            }
            Val::Zip(seqs) => {
                let mut n: Option<ExprId> = None;
                let mut temps = Vec::new();
                for a in seqs {
                    let s = self.temp(a);
                    let len = self.length(s, span)?;
                    n = Some(match n {
                        None => len,
                        Some(prev) => self.expr(
                            Expr::Binary(BinaryOp::Minimum, prev, len),
                            Ty::Scalar(DType::I64),
                            span,
                        ),
                    });
                    temps.push(s);
                }
                let n = n.ok_or_else(|| KernelError::typing("zip() of nothing", span))?;
                Ok((zero, n, one, false, Items::Seq(temps, false)))
            }
            Val::E(e) => {
                let n = self.length(e, span)?;
                let s = self.temp(e);
                Ok((zero, n, one, false, Items::Seq(vec![s], false)))
            }
            other => Err(KernelError::typing(
                format!("cannot iterate over {}", describe(&other)),
                span,
            )),
        }
    }

    /// The length of `range(start, stop, step)`: `max(0, ceil((stop - start) / step))`.
    pub(super) fn range_len(
        &mut self,
        start: ExprId,
        stop: ExprId,
        step: ExprId,
        span: Span,
    ) -> ExprId {
        let i64t = Ty::Scalar(DType::I64);
        let bool_t = Ty::Scalar(DType::Bool);
        let (start, stop, step) = (self.temp(start), self.temp(stop), self.temp(step));
        let zero = self.constant(Scalar::I64(0), span);
        let one = self.constant(Scalar::I64(1), span);
        // Counting up: (stop - start + step - 1) // step; down: (start - stop - step - 1) // -step.
        let up = {
            let d = self.expr(Expr::Binary(BinaryOp::Sub, stop, start), i64t.clone(), span);
            let d = self.expr(Expr::Binary(BinaryOp::Add, d, step), i64t.clone(), span);
            let d = self.expr(Expr::Binary(BinaryOp::Sub, d, one), i64t.clone(), span);
            self.expr(
                Expr::Binary(BinaryOp::FloorDiv, d, step),
                i64t.clone(),
                span,
            )
        };
        let down = {
            let neg = self.expr(Expr::Unary(UnaryOp::Neg, step), i64t.clone(), span);
            let d = self.expr(Expr::Binary(BinaryOp::Sub, start, stop), i64t.clone(), span);
            let d = self.expr(Expr::Binary(BinaryOp::Add, d, neg), i64t.clone(), span);
            let d = self.expr(Expr::Binary(BinaryOp::Sub, d, one), i64t.clone(), span);
            self.expr(Expr::Binary(BinaryOp::FloorDiv, d, neg), i64t.clone(), span)
        };
        let positive = self.expr(Expr::Binary(BinaryOp::Gt, step, zero), bool_t, span);
        let n = self.expr(Expr::Cond(positive, up, down), i64t.clone(), span);
        self.expr(Expr::Binary(BinaryOp::Maximum, n, zero), i64t, span)
    }

    /// What a loop's target takes at counter `i`: the counter (a range), item `i` of the
    /// sequence (a tuple of items for `zip`), with the counter first for `enumerate`.
    fn loop_value(&mut self, items: &Items, i: ExprId, span: Span) -> Result<ExprId> {
        let Items::Seq(seqs, enumerate) = items else {
            return Ok(i);
        };
        let mut vals: Vec<ExprId> = Vec::new();
        for s in seqs {
            vals.push(self.item_at(*s, i, span)?);
        }
        let v = if vals.len() == 1 {
            vals[0]
        } else {
            let tys = vals.iter().map(|&v| self.ty(v).clone()).collect();
            self.expr(Expr::Tuple(vals), Ty::Tuple(tys), span)
        };
        if !*enumerate {
            return Ok(v);
        }
        let vt = self.ty(v).clone();
        Ok(self.expr(
            Expr::Tuple(vec![i, v]),
            Ty::Tuple(vec![Ty::Scalar(DType::I64), vt]),
            span,
        ))
    }

    /// The number of items of a sequence value (arrays along axis 0, lists, tuples).
    pub(super) fn length(&mut self, e: ExprId, span: Span) -> Result<ExprId> {
        Ok(match self.ty(e).clone() {
            Ty::Array(a) if a.ndim > 0 => self.expr(Expr::Dim(e, 0), Ty::Scalar(DType::I64), span),
            Ty::List(_) => self.expr(Expr::ListLen(e), Ty::Scalar(DType::I64), span),
            Ty::Tuple(items) => self.constant(Scalar::I64(items.len() as i64), span),
            t => {
                return Err(KernelError::typing(
                    format!("object of type {t} has no len()"),
                    span,
                ));
            }
        })
    }

    /// Item `i` of a sequence: an array's element (1-d) or row (n-d), a list's element.
    pub(super) fn item_at(&mut self, seq: ExprId, i: ExprId, span: Span) -> Result<ExprId> {
        Ok(match self.ty(seq).clone() {
            Ty::Array(a) if a.ndim == 1 => {
                self.expr(Expr::Load(seq, vec![i]), Ty::Scalar(a.dtype), span)
            }
            Ty::Array(a) => self.expr(
                Expr::View(seq, vec![Index::At(i)]),
                Ty::Array(ArrayTy {
                    dtype: a.dtype,
                    ndim: a.ndim - 1,
                    layout: a.layout,
                }),
                span,
            ),
            Ty::List(d) => self.expr(Expr::ListGet(seq, i), Ty::Scalar(d), span),
            t => {
                return Err(KernelError::typing(
                    format!("cannot iterate over {t} in a loop"),
                    span,
                ));
            }
        })
    }

    /// Assigns a value to a target: a name (a new version), a subscript (a store), a
    /// tuple (unpacking).
    fn assign(&mut self, target: syntax::ExprId, v: Val) -> Result<()> {
        let ast = self.ast();
        let t = ast.expr(target);
        match &t.kind {
            ExprKind::Name(n) => match v {
                Val::E(e) => {
                    let ty = self.ty(e).clone();
                    let l = match self.env.get(n) {
                        Some(Bind::Local(l)) if self.f.local_decl(*l).ty == ty => *l,
                        _ => self.new_local(n, ty),
                    };
                    if let Expr::Local(src) = *self.f.get(e)
                        && let Some(&origin) = self.list_origin.get(&src)
                    {
                        self.list_origin.insert(l, origin);
                    }
                    self.emit(Stmt::Assign(l, e));
                    self.env.insert(n.clone(), Bind::Local(l));
                    Ok(())
                }
                Val::Closure(s) => {
                    self.env.insert(n.clone(), Bind::Closure(s));
                    Ok(())
                }
                other => Err(KernelError::unsupported(
                    format!(
                        "cannot assign {} to a variable in a kernel",
                        describe(&other)
                    ),
                    t.span,
                )),
            },
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                let Val::E(e) = v else {
                    return Err(KernelError::typing("cannot unpack this value", t.span));
                };
                let e = self.temp(e);
                let n = match self.ty(e).clone() {
                    Ty::Tuple(tys) => tys.len(),
                    other => {
                        return Err(KernelError::typing(
                            format!("cannot unpack {other} into {} names", items.len()),
                            t.span,
                        ));
                    }
                };
                if n != items.len() {
                    return Err(KernelError::new(
                        KernelErrorKind::Value,
                        format!("cannot unpack {n} values into {} names", items.len()),
                        t.span,
                    ));
                }
                for (k, &item) in items.iter().enumerate() {
                    let x = self.tuple_item(e, k);
                    self.assign(item, Val::E(x))?;
                }
                Ok(())
            }
            ExprKind::Subscript { base, index } => {
                let Val::E(value) = v else {
                    return Err(KernelError::typing("cannot store this value", t.span));
                };
                let b = self.value(*base)?;
                self.store(b, *index, value, t.span)
            }
            ExprKind::Attr { .. } => Err(KernelError::unsupported(
                "assigning to attributes is not supported in kernels",
                t.span,
            )),
            _ => Err(KernelError::new(
                KernelErrorKind::Syntax,
                "cannot assign to this expression",
                t.span,
            )),
        }
    }

    /// `base[index] = value`.
    fn store(
        &mut self,
        base: ExprId,
        index: syntax::ExprId,
        value: ExprId,
        span: Span,
    ) -> Result<()> {
        let bty = self.ty(base).clone();
        let Ty::Array(a) = bty else {
            return Err(KernelError::typing(
                format!("cannot assign into an item of {bty}"),
                span,
            ));
        };
        let idx = self.indices(index)?;
        if let Some(ints) = element_index(&idx, a.ndim) {
            let v = self.scalar_into(value, a.dtype, span)?;
            self.emit(Stmt::Store {
                array: base,
                index: ints,
                value: v,
                span,
            });
            return Ok(());
        }
        let view = self.view(base, idx, span)?;
        self.assign_into(view, value, span)
    }

    /// A scalar value converted for storing into an array of dtype `d`.
    fn scalar_into(&mut self, value: ExprId, d: DType, span: Span) -> Result<ExprId> {
        match self.ty(value).clone() {
            Ty::Scalar(_) => Ok(self.cast(value, d)),
            t => Err(KernelError::typing(
                format!("cannot store {t} into an element of a {} array", d.name()),
                span,
            )),
        }
    }

    /// `view[...] = value`: broadcasting assignment of an array or a scalar.
    pub(super) fn assign_into(&mut self, view: ExprId, value: ExprId, span: Span) -> Result<()> {
        let Ty::Array(a) = self.ty(view).clone() else {
            return Err(KernelError::typing("cannot assign into this value", span));
        };
        let v = match self.ty(value).clone() {
            Ty::Scalar(_) => self.cast(value, a.dtype),
            Ty::Array(b) if b.dtype == a.dtype => value,
            Ty::Array(b) => self.expr(
                Expr::Intrinsic(Intrinsic::Astype, vec![value]),
                Ty::Array(ArrayTy {
                    dtype: a.dtype,
                    ndim: b.ndim,
                    layout: Layout::C,
                }),
                span,
            ),
            t => {
                return Err(KernelError::typing(
                    format!("cannot assign {t} into an array"),
                    span,
                ));
            }
        };
        let e = self.expr(
            Expr::Intrinsic(Intrinsic::Assign, vec![view, v]),
            Ty::None,
            span,
        );
        self.emit(Stmt::Eval(e));
        Ok(())
    }

    /// `target op= value`: in place for arrays (Numba mutates the array), a new version
    /// for scalars.
    fn aug_assign(
        &mut self,
        target: syntax::ExprId,
        op: BinOp,
        value: syntax::ExprId,
    ) -> Result<()> {
        let ast = self.ast();
        let t = ast.expr(target);
        let span = t.span;
        match &t.kind {
            ExprKind::Name(_) => {
                let cur = self.value(target)?;
                let rhs = self.value(value)?;
                if let Ty::Array(_) = self.ty(cur) {
                    let r = self.binary(op, cur, rhs, span)?;
                    let whole = self.view(cur, Vec::new(), span)?;
                    return self.assign_into(whole, r, span);
                }
                let r = self.binary(op, cur, rhs, span)?;
                self.assign(target, Val::E(r))
            }
            ExprKind::Subscript { base, index } => {
                let b = self.value(*base)?;
                let b = self.temp(b);
                let idx = self.indices(*index)?;
                // Evaluate the indices once.
                let idx: Vec<Index> = idx
                    .into_iter()
                    .map(|i| match i {
                        Index::At(e) => Index::At(self.temp(e)),
                        s => s,
                    })
                    .collect();
                let Ty::Array(a) = self.ty(b).clone() else {
                    return Err(KernelError::typing(
                        format!("cannot assign into an item of {}", self.ty(b)),
                        span,
                    ));
                };
                let rhs = self.value(value)?;
                if let Some(ints) = element_index(&idx, a.ndim) {
                    let cur = self.expr(Expr::Load(b, ints.clone()), Ty::Scalar(a.dtype), span);
                    let r = self.binary(op, cur, rhs, span)?;
                    let v = self.scalar_into(r, a.dtype, span)?;
                    self.emit(Stmt::Store {
                        array: b,
                        index: ints,
                        value: v,
                        span,
                    });
                    return Ok(());
                }
                let view = self.view(b, idx, span)?;
                let view = self.temp(view);
                let r = self.binary(op, view, rhs, span)?;
                self.assign_into(view, r, span)
            }
            _ => Err(KernelError::new(
                KernelErrorKind::Syntax,
                "illegal target for augmented assignment",
                span,
            )),
        }
    }

    fn raise(&mut self, exc: Option<syntax::ExprId>, span: Span) -> Result<()> {
        let Some(exc) = exc else {
            return Err(KernelError::unsupported(
                "a bare 'raise' is not supported in kernels",
                span,
            ));
        };
        let ast = self.ast();
        let (name_e, args) = match &ast.expr(exc).kind {
            ExprKind::Call { func, args, .. } => (*func, args.clone()),
            _ => (exc, Vec::new()),
        };
        let ExprKind::Name(name) = &ast.expr(name_e).kind else {
            return Err(KernelError::unsupported(
                "raise an exception class by name: raise ValueError(\"...\")",
                span,
            ));
        };
        let kind = match name.as_str() {
            "ValueError" => RaiseKind::ValueError,
            "AssertionError" => RaiseKind::AssertionError,
            "IndexError" => RaiseKind::IndexError,
            "ZeroDivisionError" => RaiseKind::ZeroDivisionError,
            "TypeError" => RaiseKind::TypeError,
            "RuntimeError" | "Exception" => RaiseKind::RuntimeError,
            other => {
                return Err(KernelError::unsupported(
                    format!(
                        "raising '{other}' is not supported; kernels raise ValueError, \
                         IndexError, ZeroDivisionError, TypeError, AssertionError or \
                         RuntimeError"
                    ),
                    ast.expr(name_e).span,
                ));
            }
        };
        let message = match args.first() {
            None => String::new(),
            Some(&a) => match &ast.expr(a).kind {
                ExprKind::Str(s) => s.clone(),
                _ => {
                    return Err(KernelError::unsupported(
                        "an exception's message must be a constant string in kernels",
                        ast.expr(a).span,
                    ));
                }
            },
        };
        self.emit(Stmt::Raise {
            kind,
            message,
            span,
        });
        Ok(())
    }

    // ---- expressions --------------------------------------------------------------

    /// Lowers an expression that must be a run-time value.
    pub(super) fn value(&mut self, e: syntax::ExprId) -> Result<ExprId> {
        let span = self.ast().expr(e).span;
        let v = self.lower(e)?;
        self.to_value(v, span)
    }

    /// A lowered value as a run-time expression.
    pub(super) fn to_value(&mut self, v: Val, span: Span) -> Result<ExprId> {
        match v {
            Val::E(x) => Ok(x),
            Val::None => Ok(self.none(span)),
            Val::Str(_) => Err(KernelError::unsupported(
                "strings are not supported in kernels beyond exception messages",
                span,
            )),
            other => Err(KernelError::typing(
                format!("{} cannot be used as a value in a kernel", describe(&other)),
                span,
            )),
        }
    }

    fn none(&mut self, span: Span) -> ExprId {
        self.expr(Expr::NoneVal, Ty::None, span)
    }

    /// Lowers an expression.
    pub(super) fn lower(&mut self, id: syntax::ExprId) -> Result<Val> {
        let ast = self.ast();
        let ex = ast.expr(id);
        let span = ex.span;
        Ok(match &ex.kind {
            ExprKind::Int(Some(v)) => {
                let s = int_scalar(*v).ok_or_else(|| {
                    KernelError::typing("integer literal too large for int64", span)
                })?;
                Val::E(self.constant(s, span))
            }
            ExprKind::Int(None) => {
                return Err(KernelError::typing(
                    "integer literal too large for int64",
                    span,
                ));
            }
            ExprKind::Float(v) => Val::E(self.constant(Scalar::F64(*v), span)),
            ExprKind::Bool(b) => Val::E(self.constant(Scalar::Bool(*b), span)),
            ExprKind::NoneLit => Val::None,
            ExprKind::Str(s) => Val::Str(s.clone()),
            ExprKind::Name(n) => self.name(n, span)?,
            ExprKind::Unary(op, a) => {
                let x = self.value(*a)?;
                Val::E(self.unary(*op, x, span)?)
            }
            ExprKind::Not(a) => {
                let x = self.value(*a)?;
                let t = self.truth(x)?;
                let f = self_const_false(self, span);
                Val::E(self.expr(
                    Expr::Binary(BinaryOp::Eq, t, f),
                    Ty::Scalar(DType::Bool),
                    span,
                ))
            }
            ExprKind::Binary(op, a, b) => {
                let x = self.value(*a)?;
                let y = self.value(*b)?;
                Val::E(self.binary(*op, x, y, span)?)
            }
            ExprKind::Compare(op, a, b) => {
                let x = self.value(*a)?;
                let y = self.value(*b)?;
                Val::E(self.compare(*op, x, y, span)?)
            }
            ExprKind::Comparison { left, ops } => Val::E(self.comparison(*left, ops, span)?),
            ExprKind::BoolOp { op, values } => Val::E(self.bool_op(*op, values, span)?),
            ExprKind::IfExp { test, body, orelse } => {
                let c = self.value(*test)?;
                let c = self.truth(c)?;
                let a = self.value(*body)?;
                let b = self.value(*orelse)?;
                let (ta, tb) = (self.ty(a).clone(), self.ty(b).clone());
                let t = unify(&ta, &tb).ok_or_else(|| {
                    KernelError::typing(
                        format!("Cannot unify {ta} and {tb} in a conditional expression"),
                        span,
                    )
                })?;
                let a = self.convert(a, &t, "a conditional expression")?;
                let b = self.convert(b, &t, "a conditional expression")?;
                Val::E(self.expr(Expr::Cond(c, a, b), t, span))
            }
            ExprKind::Call { func, args, kwargs } => self.call(*func, args, kwargs, span)?,
            ExprKind::Attr {
                base,
                name,
                name_span,
            } => {
                let b = self.lower(*base)?;
                self.attribute(b, name, *name_span, span)?
            }
            ExprKind::Subscript { base, index } => {
                let b = self.value(*base)?;
                Val::E(self.subscript(b, *index, span)?)
            }
            ExprKind::Tuple(items) => {
                let mut xs = Vec::new();
                for &i in items {
                    xs.push(self.value(i)?);
                }
                let tys = xs.iter().map(|&x| self.ty(x).clone()).collect();
                Val::E(self.expr(Expr::Tuple(xs), Ty::Tuple(tys), span))
            }
            ExprKind::List(items) => Val::E(self.list_display(items, span)?),
            ExprKind::ListComp { elt, generators } => {
                Val::E(self.list_comprehension(*elt, generators, span)?)
            }
            ExprKind::Lambda { .. } => {
                return Err(KernelError::unsupported(
                    "lambdas are not supported in kernels; use an inner def",
                    span,
                ));
            }
            other => {
                return Err(KernelError::unsupported(
                    format!("{} are not supported in kernels", other.describe()),
                    span,
                ));
            }
        })
    }

    fn name(&mut self, n: &str, span: Span) -> Result<Val> {
        if let Some(b) = self.env.get(n) {
            return Ok(match b {
                Bind::Local(l) => {
                    let ty = self.f.local_decl(*l).ty.clone();
                    Val::E(self.expr(Expr::Local(*l), ty, span))
                }
                Bind::Closure(s) => Val::Closure(*s),
            });
        }
        match self.m().globals.get(n) {
            Some(Global::Module(lib)) => return Ok(Val::Module(*lib)),
            Some(Global::LibItem(lib, item)) => return Ok(Val::Lib(Some(*lib), item.clone())),
            Some(Global::Def(s)) => return Ok(Val::UserFn(*s)),
            Some(Global::Const(c)) => return self.const_val(&c.clone(), span),
            None => {}
        }
        if library::is_builtin(n) {
            return Ok(Val::Lib(None, n.to_owned()));
        }
        if n == "print" {
            return Err(KernelError::unsupported(
                "print() is not supported in kernels (they have no console); return the \
                 values instead",
                span,
            ));
        }
        let mut err = KernelError::new(
            KernelErrorKind::Name,
            format!("name '{n}' is not defined"),
            span,
        );
        let mut candidates: Vec<&str> = self.env.keys().map(String::as_str).collect();
        candidates.extend(self.m().globals.keys().map(String::as_str));
        candidates.extend(library::BUILTINS.iter().copied());
        candidates.sort_unstable();
        if let Some(s) = crate::front::expr::did_you_mean(n, candidates.into_iter()) {
            err = err.with_note(format!("did you mean '{s}'?"));
        }
        Err(err)
    }

    fn const_val(&mut self, c: &ConstVal, span: Span) -> Result<Val> {
        Ok(match c {
            ConstVal::Scalar(s) => Val::E(self.constant(*s, span)),
            ConstVal::Str(s) => Val::Str(s.clone()),
            ConstVal::None => Val::None,
            ConstVal::Tuple(items) => {
                let mut xs = Vec::new();
                for i in items {
                    let v = self.const_val(i, span)?;
                    xs.push(self.to_value(v, span)?);
                }
                let tys = xs.iter().map(|&x| self.ty(x).clone()).collect();
                Val::E(self.expr(Expr::Tuple(xs), Ty::Tuple(tys), span))
            }
        })
    }

    pub(super) fn unary(&mut self, op: UnOp, x: ExprId, span: Span) -> Result<ExprId> {
        let r = self.unary_unfolded(op, x, span)?;
        // `-1` and `~0` of literals stay constants (tuple indices, range bounds).
        if let Expr::Const(c) = *self.f.get(x)
            && c.dtype() != DType::Bool
            && op != UnOp::Pos
        {
            let Some(d) = self.ty(r).scalar() else {
                return Ok(r);
            };
            let uop = if op == UnOp::Neg {
                UnaryOp::Neg
            } else {
                UnaryOp::Invert
            };
            let folded = crate::ir::fold_unary(uop, c).cast(d);
            return Ok(self.constant(folded, span));
        }
        Ok(r)
    }

    fn unary_unfolded(&mut self, op: UnOp, x: ExprId, span: Span) -> Result<ExprId> {
        match self.ty(x).clone() {
            Ty::Scalar(d) => {
                let (op_dt, uop) = match op {
                    UnOp::Pos => {
                        let t = if d.is_float() {
                            d
                        } else {
                            rules::int_result(d, d)
                        };
                        return Ok(self.cast(x, t));
                    }
                    UnOp::Neg if d == DType::Bool => (DType::I64, UnaryOp::Neg),
                    UnOp::Neg if d.is_float() => (d, UnaryOp::Neg),
                    UnOp::Neg | UnOp::Invert if d != DType::Bool && !d.is_float() => {
                        // Numba negates (inverts) in the operand's own width, wrapping,
                        // then widens: -uint8(3) is uint64 253, -int8(-128) is int64 -128.
                        let uop = if op == UnOp::Neg {
                            UnaryOp::Neg
                        } else {
                            UnaryOp::Invert
                        };
                        let r = self.expr(Expr::Unary(uop, x), Ty::Scalar(d), span);
                        return Ok(self.cast(r, rules::int_result(d, d)));
                    }
                    UnOp::Invert if d == DType::Bool => (DType::Bool, UnaryOp::Invert),
                    UnOp::Invert if d.is_float() => {
                        return Err(KernelError::typing(
                            format!("No implementation of ~ for {}", d.name()),
                            span,
                        ));
                    }
                    UnOp::Neg | UnOp::Invert => {
                        unreachable!("integers, bool and floats are matched above")
                    }
                };
                let x = self.cast(x, op_dt);
                Ok(self.expr(Expr::Unary(uop, x), Ty::Scalar(op_dt), span))
            }
            Ty::Array(a) => {
                let uop = match op {
                    UnOp::Pos => return Ok(x),
                    UnOp::Neg => UnaryOp::Neg,
                    UnOp::Invert if a.dtype.is_float() => {
                        return Err(KernelError::typing(
                            format!("No implementation of ~ for {}", Ty::Array(a)),
                            span,
                        ));
                    }
                    UnOp::Invert => UnaryOp::Invert,
                };
                Ok(self.map1(uop, x, a.dtype, span))
            }
            t => Err(KernelError::typing(
                format!("No implementation of unary {} for {t}", unop_symbol(op)),
                span,
            )),
        }
    }

    /// An element-wise unary operation over an array, returning dtype `out`.
    pub(super) fn map1(&mut self, op: UnaryOp, x: ExprId, out: DType, span: Span) -> ExprId {
        let ndim = self.ty(x).array().map_or(0, |a| a.ndim);
        self.expr(
            Expr::Intrinsic(Intrinsic::Map1(op), vec![x]),
            Ty::Array(ArrayTy {
                dtype: out,
                ndim,
                layout: Layout::C,
            }),
            span,
        )
    }

    /// A binary operator with Numba's typing: Python semantics on scalars (with the
    /// Python error model on division), NumPy's on arrays.
    pub(super) fn binary(&mut self, op: BinOp, x: ExprId, y: ExprId, span: Span) -> Result<ExprId> {
        let bop = binop(op);
        let (tx, ty) = (self.ty(x).clone(), self.ty(y).clone());
        let no_impl = || {
            KernelError::typing(
                format!(
                    "No implementation of operator {} for ({tx}, {ty})",
                    op.symbol()
                ),
                span,
            )
        };
        if op == BinOp::MatMul {
            return library::dot(self, x, y, span);
        }
        if let (&Expr::Const(p), &Expr::Const(q)) = (self.f.get(x), self.f.get(y))
            && let Some(v) = self.fold_literals(bop, p, q, span)?
        {
            return Ok(v);
        }
        match (&tx, &ty) {
            (Ty::Scalar(a), Ty::Scalar(b)) => {
                let (t, res) = rules::binary(bop, *a, *b).map_err(|_| no_impl())?;
                let (x, y) = (self.cast(x, t), self.cast(y, t));
                // A division by a constant other than zero never raises: the plain operation
                // (true division; floor division and modulo by a positive constant).
                let safe_divisor = match *self.f.get(y) {
                    Expr::Const(c) if bop == BinaryOp::TrueDiv => c.to_f64() != 0.0,
                    Expr::Const(c) => c.to_f64() > 0.0,
                    _ => false,
                };
                let py_div = matches!(bop, BinaryOp::TrueDiv | BinaryOp::FloorDiv | BinaryOp::Mod)
                    && !self.c.options.numpy_errors
                    && !safe_divisor;
                if py_div {
                    return Ok(self.expr(Expr::PyDiv(bop, x, y), Ty::Scalar(res), span));
                }
                if bop == BinaryOp::Pow && t.is_int() {
                    return Ok(self.expr(Expr::PyDiv(bop, x, y), Ty::Scalar(res), span));
                }
                Ok(self.expr(Expr::Binary(bop, x, y), Ty::Scalar(res), span))
            }
            (Ty::Array(_), Ty::Scalar(_) | Ty::Array(_)) | (Ty::Scalar(_), Ty::Array(_)) => {
                self.array_binary(bop, x, y, span).map_err(|_| no_impl())
            }
            (Ty::Tuple(a), Ty::Tuple(b)) if op == BinOp::Add => {
                let mut items = Vec::new();
                let (x, y) = (self.temp(x), self.temp(y));
                for i in 0..a.len() {
                    items.push(self.tuple_item(x, i));
                }
                for i in 0..b.len() {
                    items.push(self.tuple_item(y, i));
                }
                let tys = a.iter().chain(b).cloned().collect();
                Ok(self.expr(Expr::Tuple(items), Ty::Tuple(tys), span))
            }
            _ => Err(no_impl()),
        }
    }

    /// `+ - * **` and `<<` of two int64 literals, folded with Python's integers as Numba
    /// folds them: the value typed int64, or uint64 when only that holds it, or a
    /// TypingError when neither does (`3 ** 41`). None for anything else.
    fn fold_literals(
        &mut self,
        op: BinaryOp,
        p: Scalar,
        q: Scalar,
        span: Span,
    ) -> Result<Option<ExprId>> {
        let (Scalar::I64(a), Scalar::I64(b)) = (p, q) else {
            return Ok(None);
        };
        let (a, b) = (i128::from(a), i128::from(b));
        let v = match op {
            BinaryOp::Add => a.checked_add(b),
            BinaryOp::Sub => a.checked_sub(b),
            BinaryOp::Mul => a.checked_mul(b),
            BinaryOp::Pow if b >= 0 => u32::try_from(b).ok().and_then(|e| a.checked_pow(e)),
            _ => return Ok(None),
        };
        let too_large = |v: Option<i128>| {
            KernelError::typing(
                v.map_or_else(
                    || "Int value is too large".to_owned(),
                    |v| format!("Int value is too large: {v}"),
                ),
                span,
            )
        };
        let Some(v) = v else {
            return Err(too_large(None));
        };
        let s = i64::try_from(v)
            .map(Scalar::I64)
            .or_else(|_| u64::try_from(v).map(Scalar::U64))
            .map_err(|_| too_large(Some(v)))?;
        Ok(Some(self.constant(s, span)))
    }

    /// NumPy's element-wise binary operation with broadcasting: the operation dtype from
    /// NumPy's promotion, where a scalar of a lower kind than the arrays' does not widen
    /// them (`float32_array + 1` stays float32, `int8_array + 1` is int64, as Numba
    /// types them).
    pub(super) fn array_binary(
        &mut self,
        op: BinaryOp,
        x: ExprId,
        y: ExprId,
        span: Span,
    ) -> std::result::Result<ExprId, ()> {
        let (tx, ty) = (self.ty(x).clone(), self.ty(y).clone());
        let (dx, dy) = (elem_dtype(&tx).ok_or(())?, elem_dtype(&ty).ok_or(())?);
        let kind = |d: DType| {
            if d == DType::Bool {
                0
            } else if d.is_int() {
                1
            } else {
                2
            }
        };
        let t = match (is_array(&tx), is_array(&ty)) {
            (true, false) if kind(dy) < kind(dx) => dx,
            (false, true) if kind(dx) < kind(dy) => dy,
            // Two arrays, one float and one integer: Numba's ufunc loops give the
            // float's dtype (int64 + float32 arrays are float32, measured in Numba 0.68).
            (true, true) if kind(dx) == 2 && kind(dy) < 2 => dx,
            (true, true) if kind(dy) == 2 && kind(dx) < 2 => dy,
            _ => promote(dx, dy),
        };
        let (t, res) = match op {
            BinaryOp::TrueDiv if !t.is_float() => (DType::F64, DType::F64),
            o if o.is_comparison() => (t, DType::Bool),
            BinaryOp::And | BinaryOp::Or | BinaryOp::Xor | BinaryOp::Shl | BinaryOp::Shr
                if t.is_float() =>
            {
                return Err(());
            }
            _ => (t, t),
        };
        let x = self.operand_as(x, t, span);
        let y = self.operand_as(y, t, span);
        let ndim = tx
            .array()
            .map_or(0, |a| a.ndim)
            .max(ty.array().map_or(0, |a| a.ndim));
        Ok(self.expr(
            Expr::Intrinsic(Intrinsic::Map2(op), vec![x, y]),
            Ty::Array(ArrayTy {
                dtype: res,
                ndim,
                layout: Layout::C,
            }),
            span,
        ))
    }

    /// An operand of an element-wise operation in dtype `d`: scalars cast, arrays copied
    /// with `astype` when their dtype differs.
    pub(super) fn operand_as(&mut self, x: ExprId, d: DType, span: Span) -> ExprId {
        match self.ty(x).clone() {
            Ty::Scalar(_) => self.cast(x, d),
            Ty::Array(a) if a.dtype != d => self.expr(
                Expr::Intrinsic(Intrinsic::Astype, vec![x]),
                Ty::Array(ArrayTy {
                    dtype: d,
                    ndim: a.ndim,
                    layout: Layout::C,
                }),
                span,
            ),
            _ => x,
        }
    }

    fn compare(&mut self, op: CmpOp, x: ExprId, y: ExprId, span: Span) -> Result<ExprId> {
        let bop = cmpop(op);
        let (tx, ty) = (self.ty(x).clone(), self.ty(y).clone());
        match (&tx, &ty) {
            (Ty::Scalar(a), Ty::Scalar(b)) => {
                let (t, _) = rules::binary(bop, *a, *b).map_err(|_| {
                    KernelError::typing(
                        format!("No implementation of {} for ({tx}, {ty})", op.symbol()),
                        span,
                    )
                })?;
                if let Some(e) = self.mixed_sign_compare(bop, x, y, *a, *b, span) {
                    return Ok(e);
                }
                let (x, y) = (self.cast(x, t), self.cast(y, t));
                Ok(self.expr(Expr::Binary(bop, x, y), Ty::Scalar(DType::Bool), span))
            }
            (Ty::None, Ty::None) => Ok(self.constant(
                Scalar::Bool(matches!(op, CmpOp::Eq | CmpOp::Le | CmpOp::Ge)),
                span,
            )),
            _ if is_array(&tx) || is_array(&ty) => {
                self.array_binary(bop, x, y, span).map_err(|()| {
                    KernelError::typing(
                        format!("No implementation of {} for ({tx}, {ty})", op.symbol()),
                        span,
                    )
                })
            }
            _ => Err(KernelError::typing(
                format!("No implementation of {} for ({tx}, {ty})", op.symbol()),
                span,
            )),
        }
    }

    /// A comparison of an unsigned and a signed integer, compared by value as Numba does
    /// (`uint64(2**63 + 5) > int64(-3)` is True): a negative signed operand decides the
    /// result, otherwise both compare as uint64. None for other operand kinds.
    fn mixed_sign_compare(
        &mut self,
        op: BinaryOp,
        x: ExprId,
        y: ExprId,
        a: DType,
        b: DType,
        span: Span,
    ) -> Option<ExprId> {
        let signed = |d: DType| d.is_signed_int() || d == DType::Bool;
        let (xu, yu) = (a.is_unsigned_int(), b.is_unsigned_int());
        if !((xu && signed(b)) || (yu && signed(a))) {
            return None;
        }
        let bool_ty = Ty::Scalar(DType::Bool);
        let (x, y) = (self.temp(x), self.temp(y));
        let (sx, neg_is_x) = if xu { (y, false) } else { (x, true) };
        let s64 = self.cast(sx, DType::I64);
        let zero = self.constant(Scalar::I64(0), span);
        let negative = self.expr(Expr::Binary(BinaryOp::Lt, s64, zero), bool_ty.clone(), span);
        // With the signed operand negative, it is the smaller one.
        let when_negative = match op {
            BinaryOp::Eq => false,
            BinaryOp::Ne => true,
            BinaryOp::Lt | BinaryOp::Le => neg_is_x,
            _ => !neg_is_x,
        };
        let k = self.constant(Scalar::Bool(when_negative), span);
        let (xc, yc) = (self.cast(x, DType::U64), self.cast(y, DType::U64));
        let cmp = self.expr(Expr::Binary(op, xc, yc), bool_ty.clone(), span);
        Some(self.expr(Expr::Cond(negative, k, cmp), bool_ty, span))
    }

    /// `a < b <= c`: `(a < b) and (b <= c)` with `b` evaluated once, short-circuit.
    fn comparison(
        &mut self,
        left: syntax::ExprId,
        ops: &[(CompareOp, syntax::ExprId)],
        span: Span,
    ) -> Result<ExprId> {
        let mut lhs = self.lower(left)?;
        let mut parts: Vec<ExprId> = Vec::new();
        for (k, (op, rhs_e)) in ops.iter().enumerate() {
            let rhs = self.lower(*rhs_e)?;
            let rhs = if k + 1 < ops.len() {
                match rhs {
                    Val::E(x) => Val::E(self.temp(x)),
                    other => other,
                }
            } else {
                rhs
            };
            let r = match op {
                CompareOp::Cmp(c) => {
                    let l = self.to_value(lhs.clone(), span)?;
                    let r = self.to_value(rhs.clone(), span)?;
                    self.compare(*c, l, r, span)?
                }
                CompareOp::Is | CompareOp::IsNot => {
                    // Only `x is None` has a meaning kernels can type: known statically.
                    let is_none = |v: &Val, w: &Walk| match v {
                        Val::None => Some(true),
                        Val::E(e) => Some(*w.ty(*e) == Ty::None),
                        _ => None,
                    };
                    let (a, b) = (is_none(&lhs, self), is_none(&rhs, self));
                    let same = match (a, b) {
                        (Some(true), Some(true)) => true,
                        (Some(_), Some(_)) => false,
                        _ => {
                            return Err(KernelError::unsupported(
                                "'is' is only supported to compare with None in kernels",
                                span,
                            ));
                        }
                    };
                    self.constant(Scalar::Bool(same == matches!(op, CompareOp::Is)), span)
                }
                CompareOp::In | CompareOp::NotIn => {
                    return Err(KernelError::unsupported(
                        "'in' tests are not supported in kernels",
                        span,
                    ));
                }
            };
            parts.push(r);
            lhs = rhs;
        }
        let mut acc = parts
            .pop()
            .ok_or_else(|| KernelError::typing("empty comparison", span))?;
        while let Some(p) = parts.pop() {
            if is_array(self.ty(p)) || is_array(self.ty(acc)) {
                return Err(KernelError::typing(
                    "chained comparisons of arrays are ambiguous; use (a < b) & (b < c)",
                    span,
                ));
            }
            let f = self_const_false(self, span);
            acc = self.expr(Expr::Cond(p, acc, f), Ty::Scalar(DType::Bool), span);
        }
        Ok(acc)
    }

    /// `a and b`, `a or b`: Python's, giving one of the operands (unified).
    fn bool_op(&mut self, op: BoolOp, values: &[syntax::ExprId], span: Span) -> Result<ExprId> {
        let mut xs = Vec::new();
        for &v in values {
            xs.push(self.value(v)?);
        }
        let mut t = self.ty(xs[0]).clone();
        for &x in &xs[1..] {
            let tx = self.ty(x).clone();
            t = unify(&t, &tx).ok_or_else(|| {
                KernelError::typing(
                    format!("Cannot unify {t} and {tx} in '{}'", op.symbol()),
                    span,
                )
            })?;
        }
        // Right to left: `a and b and c` is `a and (b and c)`.
        let mut acc = self.convert(*xs.last().unwrap_or(&xs[0]), &t, "'and'/'or'")?;
        for &x in xs[..xs.len() - 1].iter().rev() {
            let x = self.temp(x);
            let c = self.truth(x)?;
            let xv = self.convert(x, &t, "'and'/'or'")?;
            acc = match op {
                BoolOp::And => self.expr(Expr::Cond(c, acc, xv), t.clone(), span),
                BoolOp::Or => self.expr(Expr::Cond(c, xv, acc), t.clone(), span),
            };
        }
        Ok(acc)
    }

    fn attribute(&mut self, base: Val, name: &str, name_span: Span, span: Span) -> Result<Val> {
        match base {
            Val::Module(lib) => {
                if let Some(c) = library::constant(lib, name) {
                    return Ok(Val::E(self.constant(c, span)));
                }
                if let Some(sub) = super::lib_of(&format!(
                    "{}.{name}",
                    match lib {
                        Lib::Numpy => "numpy",
                        Lib::Math => "math",
                        Lib::Numba => "numba",
                    }
                )) {
                    return Ok(Val::Module(sub));
                }
                Ok(Val::Lib(Some(lib), name.to_owned()))
            }
            Val::E(e) => library::attribute(self, e, name, name_span, span),
            other => Err(KernelError::typing(
                format!("{} has no attribute '{name}'", describe(&other)),
                name_span,
            )),
        }
    }

    fn call(
        &mut self,
        func: syntax::ExprId,
        args: &[syntax::ExprId],
        kwargs: &[(String, Span, syntax::ExprId)],
        span: Span,
    ) -> Result<Val> {
        let callee = self.lower(func)?;
        if callee == Val::Lib(Some(Lib::Numba), "stencil".to_owned()) {
            return self.make_stencil(args, kwargs, span);
        }
        // np.array of nested lists or comprehensions: rows, not a list of lists.
        if matches!(&callee, Val::Lib(Some(Lib::Numpy), n) if n == "array" || n == "asarray")
            && kwargs.is_empty()
            && args.len() == 1
            && let Some(arr) = self.array_from_nested(args[0], span)?
        {
            return Ok(Val::E(arr));
        }
        let mut vals = Vec::with_capacity(args.len());
        for &a in args {
            if matches!(self.ast().expr(a).kind, ExprKind::Starred(_)) {
                return Err(KernelError::unsupported(
                    "*args in calls are not supported in kernels",
                    self.ast().expr(a).span,
                ));
            }
            vals.push((self.lower(a)?, self.ast().expr(a).span));
        }
        let mut kw = Vec::with_capacity(kwargs.len());
        for (k, kspan, v) in kwargs {
            kw.push((k.clone(), *kspan, self.lower(*v)?));
        }
        match callee {
            Val::UserFn(s) if let Some(spec) = self.m().stencil_of(s) => {
                self.call_stencil(s, &spec.clone(), vals, kw, span)
            }
            Val::Stencil(s, spec) => self.call_stencil(s, &spec, vals, kw, span),
            Val::UserFn(s) => self.call_user(s, None, vals, kw, span),
            Val::Closure(s) => self.call_user(s, Some(()), vals, kw, span),
            Val::Lib(lib, name) => library::call(self, lib, &name, vals, kw, span),
            Val::Method(recv, name) => library::method(self, recv, &name, vals, kw, span),
            other => Err(KernelError::typing(
                format!("{} is not callable", describe(&other)),
                self.ast().expr(func).span,
            )),
        }
    }

    /// `numba.stencil(f, neighborhood=..., ...)` inside a kernel: `f` (a function of the
    /// module, an inner function without captured variables, or a lambda) as a stencil.
    fn make_stencil(
        &mut self,
        args: &[syntax::ExprId],
        kwargs: &[(String, Span, syntax::ExprId)],
        span: Span,
    ) -> Result<Val> {
        let [f] = args else {
            return Err(KernelError::new(
                KernelErrorKind::Type,
                "stencil() takes the kernel function as its one positional argument",
                span,
            ));
        };
        for (k, kspan, _) in kwargs {
            if !matches!(
                k.as_str(),
                "neighborhood" | "func_or_mode" | "cval" | "standard_indexing"
            ) {
                return Err(KernelError::new(
                    KernelErrorKind::Type,
                    format!("'{k}' is not a valid option of stencil()"),
                    *kspan,
                ));
            }
        }
        let spec = stencil::Spec::parse(self.m(), kwargs)?;
        let fspan = self.ast().expr(*f).span;
        let stmt = match &self.ast().expr(*f).kind {
            ExprKind::Lambda { .. } => self.m().lambda_def(*f),
            _ => match self.lower(*f)? {
                Val::UserFn(s) | Val::Closure(s) => Some(s),
                Val::Stencil(s, _) => Some(s),
                _ => None,
            },
        };
        let Some(stmt) = stmt else {
            return Err(KernelError::typing(
                "stencil() takes a function of the module, an inner def or a lambda",
                fspan,
            ));
        };
        Ok(Val::Stencil(stmt, Box::new(spec)))
    }

    /// A call of a stencil: its loop compiled for the argument types (and `out=`).
    fn call_stencil(
        &mut self,
        s: StmtId,
        spec: &stencil::Spec,
        args: Vec<(Val, Span)>,
        kwargs: Vec<(String, Span, Val)>,
        span: Span,
    ) -> Result<Val> {
        let mut argv = Vec::with_capacity(args.len() + 1);
        for (v, vspan) in args {
            argv.push(self.to_value(v, vspan)?);
        }
        for (k, kspan, v) in kwargs {
            if k != "out" {
                return Err(KernelError::new(
                    KernelErrorKind::Type,
                    format!("a stencil takes its arrays and out=, not '{k}='"),
                    kspan,
                ));
            }
            argv.push(self.to_value(v, kspan)?);
        }
        let tys: Vec<Ty> = argv.iter().map(|&a| self.ty(a).clone()).collect();
        let parallel = self.parallel();
        let id = self.c.stencil(s, spec, &tys, parallel, span)?;
        let ret = self.c.program.function(id).ret.clone();
        Ok(Val::E(self.expr(Expr::Call(id, argv), ret, span)))
    }

    /// A call of a function of the module or an inner function: compiled for the
    /// argument types (inner functions also take the variables they capture).
    fn call_user(
        &mut self,
        s: StmtId,
        inner: Option<()>,
        args: Vec<(Val, Span)>,
        kwargs: Vec<(String, Span, Val)>,
        span: Span,
    ) -> Result<Val> {
        let StmtKind::FunctionDef(def) = &self.ast().stmt(s).kind else {
            return Err(KernelError::typing("not a function", span));
        };
        let mut slots: Vec<Option<ExprId>> = vec![None; def.params.len()];
        if args.len() > def.params.len() {
            return Err(KernelError::new(
                KernelErrorKind::Type,
                format!(
                    "{}() takes {} positional argument(s) but {} were given",
                    def.name,
                    def.params.len(),
                    args.len()
                ),
                span,
            ));
        }
        for (i, (v, vspan)) in args.into_iter().enumerate() {
            slots[i] = Some(self.to_value(v, vspan)?);
        }
        for (k, kspan, v) in kwargs {
            let i = def.params.iter().position(|p| p.name == k).ok_or_else(|| {
                KernelError::new(
                    KernelErrorKind::Type,
                    format!("{}() got an unexpected keyword argument '{k}'", def.name),
                    kspan,
                )
            })?;
            slots[i] = Some(self.to_value(v, kspan)?);
        }
        let mut argv = Vec::new();
        for (p, slot) in def.params.iter().zip(slots) {
            match (slot, p.default) {
                (Some(x), _) => argv.push(x),
                (None, Some(d)) => argv.push(self.value(d)?),
                (None, None) => {
                    return Err(KernelError::new(
                        KernelErrorKind::Type,
                        format!("{}() missing required argument '{}'", def.name, p.name),
                        span,
                    ));
                }
            }
        }
        let mut captured = Vec::new();
        let mut closures = Vec::new();
        if inner.is_some() {
            // Free variables of the inner function that are locals here, including those
            // of the inner functions it calls (they are passed along), and those inner
            // functions themselves.
            let mut assigned = Vec::new();
            self.assigned_names(&def.body, &mut assigned);
            let mut read = Vec::new();
            self.names_read(&def.body, &mut read);
            let mut k = 0;
            while k < read.len() {
                if let Some(Bind::Closure(other)) = self.env.get(&read[k]).cloned()
                    && other != s
                    && !closures.iter().any(|(_, c)| *c == other)
                {
                    closures.push((read[k].clone(), other));
                    if let StmtKind::FunctionDef(od) = &self.ast().stmt(other).kind {
                        let mut more = Vec::new();
                        self.names_read(&od.body, &mut more);
                        for n in more {
                            if !read.contains(&n) && !od.params.iter().any(|p| p.name == n) {
                                read.push(n);
                            }
                        }
                    }
                }
                k += 1;
            }
            for n in read {
                if def.params.iter().any(|p| p.name == n) || assigned.contains(&n) {
                    continue;
                }
                if let Some(Bind::Local(l)) = self.env.get(&n) {
                    let ty = self.f.local_decl(*l).ty.clone();
                    let e = self.expr(Expr::Local(*l), ty.clone(), span);
                    captured.push((n.clone(), ty));
                    argv.push(e);
                }
            }
        }
        let tys: Vec<Ty> = argv[..def.params.len()]
            .iter()
            .map(|&a| self.ty(a).clone())
            .collect();
        let outer = self.f.name.clone();
        let id = self.c.function(
            s,
            &tys,
            &captured,
            &closures,
            None,
            inner.map(|()| outer.as_str()),
            None,
        )?;
        let ret = self.c.program.function(id).ret.clone();
        Ok(Val::E(self.expr(Expr::Call(id, argv), ret, span)))
    }

    /// Every name an inner function's body reads (including nested expressions).
    fn names_read(&self, body: &[StmtId], out: &mut Vec<String>) {
        let ast = self.ast();
        let mut exprs = Vec::new();
        let mut stack: Vec<StmtId> = body.to_vec();
        while let Some(s) = stack.pop() {
            match &ast.stmt(s).kind {
                StmtKind::Expr(e) | StmtKind::Return(Some(e)) => exprs.push(*e),
                StmtKind::Assign { targets, value } => {
                    exprs.push(*value);
                    exprs.extend(targets);
                }
                StmtKind::AugAssign { target, value, .. } => {
                    exprs.push(*target);
                    exprs.push(*value);
                }
                StmtKind::If { test, body, orelse } | StmtKind::While { test, body, orelse } => {
                    exprs.push(*test);
                    stack.extend(body);
                    stack.extend(orelse);
                }
                StmtKind::For {
                    iter, body, orelse, ..
                } => {
                    exprs.push(*iter);
                    stack.extend(body);
                    stack.extend(orelse);
                }
                StmtKind::Assert { test, .. } => exprs.push(*test),
                StmtKind::FunctionDef(d) => stack.extend(&d.body),
                _ => {}
            }
        }
        let mut seen = HashSet::new();
        while let Some(e) = exprs.pop() {
            if !seen.insert(e) || seen.len() > 1_000_000 {
                continue;
            }
            match &ast.expr(e).kind {
                ExprKind::Name(n) => {
                    if !out.contains(n) {
                        out.push(n.clone());
                    }
                }
                ExprKind::Unary(_, a) | ExprKind::Not(a) | ExprKind::Starred(a) => exprs.push(*a),
                ExprKind::Binary(_, a, b) | ExprKind::Compare(_, a, b) => {
                    exprs.push(*a);
                    exprs.push(*b);
                }
                ExprKind::Call { func, args, kwargs } => {
                    exprs.push(*func);
                    exprs.extend(args);
                    exprs.extend(kwargs.iter().map(|k| k.2));
                }
                ExprKind::Attr { base, .. } => exprs.push(*base),
                ExprKind::Comparison { left, ops } => {
                    exprs.push(*left);
                    exprs.extend(ops.iter().map(|o| o.1));
                }
                ExprKind::BoolOp { values, .. } => exprs.extend(values),
                ExprKind::IfExp { test, body, orelse } => {
                    exprs.extend([*test, *body, *orelse]);
                }
                ExprKind::Subscript { base, index } => exprs.extend([*base, *index]),
                ExprKind::Slice { lower, upper, step } => {
                    exprs.extend([lower, upper, step].into_iter().flatten());
                }
                ExprKind::Tuple(items) | ExprKind::List(items) => exprs.extend(items),
                ExprKind::ListComp { elt, generators }
                | ExprKind::GeneratorExp { elt, generators } => {
                    exprs.push(*elt);
                    for g in generators {
                        exprs.push(g.iter);
                        exprs.extend(&g.ifs);
                    }
                }
                _ => {}
            }
        }
    }

    /// `base[index]` as a value: an element, a view, a tuple item or a list element.
    fn subscript(&mut self, b: ExprId, index: syntax::ExprId, span: Span) -> Result<ExprId> {
        match self.ty(b).clone() {
            Ty::Array(a) => {
                if let Some(cx) = &self.stencil
                    && let Expr::Local(l) = self.f.get(b)
                    && cx.relative.contains(l)
                {
                    let cx = cx.clone();
                    return self.relative_load(&cx, b, a, index, span);
                }
                let idx = self.indices(index)?;
                if let Some(ints) = element_index(&idx, a.ndim) {
                    return Ok(self.expr(Expr::Load(b, ints), Ty::Scalar(a.dtype), span));
                }
                self.view(b, idx, span)
            }
            Ty::Tuple(items) => {
                let i = self.value(index)?;
                let Expr::Const(c) = *self.f.get(i) else {
                    return self.tuple_dynamic_index(b, &items, i, span);
                };
                let n = items.len() as i128;
                let k = c.to_i128();
                let k = if k < 0 { k + n } else { k };
                if !(0..n).contains(&k) {
                    return Err(KernelError::new(
                        KernelErrorKind::Value,
                        "tuple index out of range",
                        span,
                    ));
                }
                Ok(self.tuple_item(b, k as usize))
            }
            Ty::List(d) => {
                let i = self.value(index)?;
                let i = self.index_int(i)?;
                Ok(self.expr(Expr::ListGet(b, i), Ty::Scalar(d), span))
            }
            t => Err(KernelError::typing(
                format!("{t} is not subscriptable"),
                span,
            )),
        }
    }

    /// `x[o_0, ...]` where `x` is an array a stencil indexes relatively: the element at
    /// the stencil's element plus the offsets, mapped back into the array by the mode in a
    /// border body. In an interior body an offset that is a constant inside the
    /// neighbourhood is in bounds; any other is bounds-checked without Python's negative
    /// wrap-around (an element before the start is an IndexError, not the array's end).
    fn relative_load(
        &mut self,
        cx: &stencil::Cx,
        b: ExprId,
        a: ArrayTy,
        index: syntax::ExprId,
        span: Span,
    ) -> Result<ExprId> {
        let idx = self.indices(index)?;
        let ndim = cx.center.len();
        let Some(offsets) = element_index(&idx, a.ndim).filter(|o| o.len() == ndim) else {
            return Err(KernelError::typing(
                format!(
                    "a stencil reads one element of its input at a time: index it with \
                     {ndim} integer offset(s), one per axis"
                ),
                span,
            ));
        };
        let Expr::Local(arr) = *self.f.get(b) else {
            return Err(KernelError::typing("not a stencil input", span));
        };
        let i64t = Ty::Scalar(DType::I64);
        let mut at = Vec::with_capacity(ndim);
        let mut all_known = true;
        for (k, o) in offsets.into_iter().enumerate() {
            let (lo, hi) = cx.neighborhood[k];
            let known = matches!(*self.f.get(o), Expr::Const(Scalar::I64(v)) if lo <= v && v <= hi);
            all_known &= known;
            let c = self.expr(Expr::Local(cx.center[k]), i64t.clone(), span);
            let j = self.expr(Expr::Binary(BinaryOp::Add, c, o), i64t.clone(), span);
            let j = match cx.border {
                Some(mode) => {
                    let x = self.expr(Expr::Local(arr), Ty::Array(a), span);
                    let n = self.expr(Expr::Dim(x, k as u8), i64t.clone(), span);
                    stencil::fold_index(&mut self.f, mode, j, n, span)
                }
                None if known => j,
                None => {
                    let t = self.temp(j);
                    let Expr::Local(tl) = *self.f.get(t) else {
                        return Err(KernelError::typing("not a local", span));
                    };
                    let zero = self.constant(Scalar::I64(0), span);
                    let ok = self.expr(
                        Expr::Binary(BinaryOp::Ge, t, zero),
                        Ty::Scalar(DType::Bool),
                        span,
                    );
                    let jv = self.expr(Expr::Local(tl), i64t.clone(), span);
                    let past = self.constant(Scalar::I64(i64::MAX), span);
                    self.expr(Expr::Cond(ok, jv, past), i64t.clone(), span)
                }
            };
            at.push(j);
        }
        let load = self.expr(Expr::Load(b, at), Ty::Scalar(a.dtype), span);
        // The interior loop's range keeps the element plus any offset of the neighbourhood
        // inside the first relative array (whose shape it is made from): no bounds check.
        if cx.border.is_none() && all_known && cx.relative.first() == Some(&arr) {
            self.f.mark_in_bounds(load);
        }
        Ok(load)
    }

    /// `t[i]` with `i` known only at run time: a tuple of one item type (Numba's
    /// UniTuple), read by comparing `i` with each position; an index outside it is an
    /// IndexError.
    fn tuple_dynamic_index(
        &mut self,
        t: ExprId,
        items: &[Ty],
        i: ExprId,
        span: Span,
    ) -> Result<ExprId> {
        let Some(first) = items
            .first()
            .cloned()
            .filter(|f| items.iter().all(|x| x == f))
        else {
            return Err(KernelError::typing(
                "a tuple of different types is indexed with constant integers in kernels",
                span,
            ));
        };
        let t = self.temp(t);
        let i = self.index_int(i)?;
        let n = self.constant(Scalar::I64(items.len() as i64), span);
        let zero = self.constant(Scalar::I64(0), span);
        let bool_t = Ty::Scalar(DType::Bool);
        // A negative index counts from the end, once, as Python's.
        let neg = self.expr(Expr::Binary(BinaryOp::Lt, i, zero), bool_t.clone(), span);
        let wrapped = self.expr(
            Expr::Binary(BinaryOp::Add, i, n),
            Ty::Scalar(DType::I64),
            span,
        );
        let k = self.expr(Expr::Cond(neg, wrapped, i), Ty::Scalar(DType::I64), span);
        let k = self.temp(k);
        let below = self.expr(Expr::Binary(BinaryOp::Lt, k, zero), bool_t.clone(), span);
        let above = self.expr(Expr::Binary(BinaryOp::Ge, k, n), bool_t.clone(), span);
        let t_ = self.constant(Scalar::Bool(true), span);
        let outside = self.expr(Expr::Cond(below, t_, above), bool_t, span);
        self.emit(Stmt::If {
            cond: outside,
            then: vec![Stmt::Raise {
                kind: RaiseKind::IndexError,
                message: "tuple index out of range".to_owned(),
                span,
            }],
            otherwise: Vec::new(),
        });
        let mut acc = self.tuple_item(t, items.len() - 1);
        for pos in (0..items.len() - 1).rev() {
            let p = self.constant(Scalar::I64(pos as i64), span);
            let is = self.expr(
                Expr::Binary(BinaryOp::Eq, k, p),
                Ty::Scalar(DType::Bool),
                span,
            );
            let item = self.tuple_item(t, pos);
            acc = self.expr(Expr::Cond(is, item, acc), first.clone(), span);
        }
        Ok(acc)
    }

    /// An integer index as int64.
    fn index_int(&mut self, i: ExprId) -> Result<ExprId> {
        match self.ty(i).clone() {
            Ty::Scalar(d) if d.is_int() || d == DType::Bool => Ok(self.cast(i, DType::I64)),
            t => Err(KernelError::typing(
                format!("array indices must be integers or slices, not {t}"),
                self.span(i),
            )),
        }
    }

    /// The indices of a subscript: integers and slices (a tuple index gives several).
    fn indices(&mut self, index: syntax::ExprId) -> Result<Vec<Index>> {
        let ast = self.ast();
        let parts: Vec<syntax::ExprId> = match &ast.expr(index).kind {
            ExprKind::Tuple(items) => items.clone(),
            _ => vec![index],
        };
        let mut out = Vec::new();
        for p in parts {
            match &ast.expr(p).kind {
                ExprKind::Slice { lower, upper, step } => {
                    let mut part = |e: &Option<syntax::ExprId>| -> Result<Option<ExprId>> {
                        match e {
                            None => Ok(None),
                            Some(x) => {
                                let v = self.lower(*x)?;
                                if v == Val::None {
                                    return Ok(None);
                                }
                                let v = self.to_value(v, ast.expr(*x).span)?;
                                Ok(Some(self.index_int(v)?))
                            }
                        }
                    };
                    let (start, stop, step) = (part(lower)?, part(upper)?, part(step)?);
                    out.push(Index::Slice { start, stop, step });
                }
                _ => {
                    let v = self.value(p)?;
                    if let Ty::Tuple(items) = self.ty(v).clone() {
                        // `a[idx]` with a tuple value of integers.
                        let t = self.temp(v);
                        for k in 0..items.len() {
                            let item = self.tuple_item(t, k);
                            out.push(Index::At(self.index_int(item)?));
                        }
                    } else {
                        out.push(Index::At(self.index_int(v)?));
                    }
                }
            }
        }
        Ok(out)
    }

    /// A view of an array through indices; checks the count of indices.
    pub(super) fn view(&mut self, b: ExprId, idx: Vec<Index>, span: Span) -> Result<ExprId> {
        let Ty::Array(a) = self.ty(b).clone() else {
            return Err(KernelError::typing("only arrays have views", span));
        };
        if idx.len() > usize::from(a.ndim) {
            return Err(KernelError::typing(
                format!(
                    "too many indices for array: array is {}-dimensional, but {} were indexed",
                    a.ndim,
                    idx.len()
                ),
                span,
            ));
        }
        let dropped = idx.iter().filter(|i| matches!(i, Index::At(_))).count() as u8;
        let ndim = a.ndim - dropped;
        // A view stays C-contiguous only when it takes whole trailing axes after leading
        // integer indices; anything else is 'A'.
        let c = a.layout == Layout::C && {
            let mut seen_slice = false;
            idx.iter().all(|i| match i {
                Index::At(_) => !seen_slice,
                Index::Slice {
                    start: None,
                    stop: None,
                    step: None,
                } => {
                    seen_slice = true;
                    true
                }
                Index::Slice { .. } => false,
            })
        };
        Ok(self.expr(
            Expr::View(b, idx),
            Ty::Array(ArrayTy {
                dtype: a.dtype,
                ndim,
                layout: if c { Layout::C } else { Layout::Any },
            }),
            span,
        ))
    }

    /// `[a, b, c]`: a list of scalars (unified).
    fn list_display(&mut self, items: &[syntax::ExprId], span: Span) -> Result<ExprId> {
        let mut xs = Vec::new();
        for &i in items {
            xs.push(self.value(i)?);
        }
        let mut d: Option<DType> = None;
        for &x in &xs {
            let Ty::Scalar(xd) = self.ty(x).clone() else {
                return Err(KernelError::typing(
                    format!("lists in kernels hold scalars, not {}", self.ty(x)),
                    self.span(x),
                ));
            };
            d = Some(match d {
                None => xd,
                Some(p) => rules::unify_scalars(p, xd).ok_or_else(|| {
                    KernelError::typing(
                        format!("Cannot unify {} and {} in a list", p.name(), xd.name()),
                        span,
                    )
                })?,
            });
        }
        let Some(d) = d else {
            // `[]`: the element type is what the appends give it (learned by a walk).
            let (l, _) = self.learned_list(&(span.start, "$list".to_owned()), span);
            if let Expr::Local(loc) = *self.f.get(l) {
                self.list_origin.insert(loc, span);
            }
            return Ok(l);
        };
        let list = self.expr(
            Expr::Intrinsic(Intrinsic::NewList, Vec::new()),
            Ty::List(d),
            span,
        );
        let l = self.temp(list);
        for x in xs {
            let v = self.cast(x, d);
            self.emit(Stmt::Append { list: l, value: v });
        }
        Ok(l)
    }

    /// Whether a syntax expression is a list display or a list comprehension.
    fn is_list_syntax(&self, e: syntax::ExprId) -> bool {
        matches!(
            self.ast().expr(e).kind,
            ExprKind::List(_) | ExprKind::ListComp { .. }
        )
    }

    /// `np.array([[...], [...]])` and `np.array([[f(i, j) for j in ...] for i in ...])`:
    /// a 2-d array from rows; None when the argument is not a list of lists.
    fn array_from_nested(&mut self, arg: syntax::ExprId, span: Span) -> Result<Option<ExprId>> {
        if let Some(arr) = self.array_comprehension(arg, span)? {
            return Ok(Some(arr));
        }
        let ast = self.ast();
        match &ast.expr(arg).kind {
            ExprKind::List(items)
                if !items.is_empty() && items.iter().all(|&i| self.is_list_syntax(i)) =>
            {
                let mut rows = Vec::new();
                for &i in items {
                    rows.push(self.value(i)?);
                }
                Ok(Some(self.np_array_rows(rows, span)?))
            }
            ExprKind::ListComp { elt, generators } if self.is_list_syntax(*elt) => {
                // The rows go one after another into a flat list, then the array is
                // reshaped to (rows, row length).
                let key = (ast.expr(arg).span.start, "$rows".to_owned());
                let (flat, d, nrows) = self.comprehension(key, *elt, generators, true, span)?;
                let nrows = nrows.ok_or_else(|| KernelError::typing("internal: rows", span))?;
                let arr = self.expr(
                    Expr::Intrinsic(Intrinsic::FromList, vec![flat]),
                    Ty::Array(ArrayTy {
                        dtype: d,
                        ndim: 1,
                        layout: Layout::C,
                    }),
                    span,
                );
                let arr = self.temp(arr);
                let n = self.expr(Expr::Local(nrows), Ty::Scalar(DType::I64), span);
                let total = self.expr(Expr::ListLen(flat), Ty::Scalar(DType::I64), span);
                // Zero rows give a (0, 0) array; integer // by zero is 0 in kir's Binary.
                let cols = self.expr(
                    Expr::Binary(BinaryOp::FloorDiv, total, n),
                    Ty::Scalar(DType::I64),
                    span,
                );
                Ok(Some(self.expr(
                    Expr::Intrinsic(Intrinsic::Reshape, vec![arr, n, cols]),
                    Ty::Array(ArrayTy {
                        dtype: d,
                        ndim: 2,
                        layout: Layout::C,
                    }),
                    span,
                )))
            }
            _ => Ok(None),
        }
    }

    /// The value of a list element `elt` and its dtype: a TypingError unless a scalar.
    fn list_element(&mut self, elt: syntax::ExprId) -> Result<(ExprId, DType)> {
        let v = self.value(elt)?;
        let Ty::Scalar(vd) = self.ty(v).clone() else {
            return Err(KernelError::typing(
                format!("lists in kernels hold scalars, not {}", self.ty(v)),
                self.span(v),
            ));
        };
        Ok((v, vd))
    }

    /// Numba's array comprehension: `np.array([e for i in range(...)])` and
    /// `np.array([[e for j in range(...)] for i in range(...)])`, without `if`s and with an
    /// inner range that does not depend on the outer loop, allocate the array once and
    /// store each element in place: no list is built, copied and reshaped. None when the
    /// argument has another form (the list path takes it).
    fn array_comprehension(&mut self, arg: syntax::ExprId, span: Span) -> Result<Option<ExprId>> {
        let ast = self.ast();
        let ExprKind::ListComp { elt, generators } = &ast.expr(arg).kind else {
            return Ok(None);
        };
        let [g0] = generators.as_slice() else {
            return Ok(None);
        };
        let Some(outer) = self.plain_range_generator(g0) else {
            return Ok(None);
        };
        let mut gens = vec![g0.clone()];
        let mut elt = *elt;
        if let ExprKind::ListComp {
            elt: inner_elt,
            generators: inner,
        } = &ast.expr(elt).kind
        {
            let [g1] = inner.as_slice() else {
                return Ok(None);
            };
            // The inner range is computed once, before the loops: its arguments may only
            // read values that cannot change while the comprehension runs.
            let ExprKind::Call { args, .. } = &ast.expr(g1.iter).kind else {
                return Ok(None);
            };
            let Some(inner_target) = self.plain_range_generator(g1) else {
                return Ok(None);
            };
            // Hoisting must not raise where Python would not run the inner range at all
            // (an empty outer range): a step, when given, is a nonzero literal.
            let bound = [outer.as_str(), inner_target.as_str()];
            let step_ok = args.get(2).is_none_or(|&s| {
                matches!(&ast.expr(s).kind, ExprKind::Int(Some(v)) if *v != 0)
                    || matches!(&ast.expr(s).kind, ExprKind::Unary(_, x)
                        if matches!(&ast.expr(*x).kind, ExprKind::Int(Some(v)) if *v != 0))
            });
            if !step_ok || !args.iter().all(|&a| self.invariant_syntax(a, &bound)) {
                return Ok(None);
            }
            gens.push(g1.clone());
            elt = *inner_elt;
        } else if self.is_list_syntax(elt) {
            return Ok(None);
        }
        let key = (ast.expr(arg).span.start, "$arraycomp".to_owned());
        let d = match self.hints.heads.get(&key) {
            Some(Ty::List(d)) => *d,
            _ => DType::F64,
        };
        let i64t = Ty::Scalar(DType::I64);
        let zero = self.constant(Scalar::I64(0), span);
        let one = self.constant(Scalar::I64(1), span);
        // Each range's start, step and length, evaluated once (the inner one too).
        let mut ranges = Vec::new();
        for g in &gens {
            let Val::Range(start, stop, step, _) = self.lower(g.iter)? else {
                return Err(KernelError::typing(
                    "internal: an array comprehension over range() is not a range",
                    g.span,
                ));
            };
            let (start, stop, step) = (self.temp(start), self.temp(stop), self.temp(step));
            let n = self.range_len(start, stop, step, g.span);
            ranges.push((start, step, self.temp(n)));
        }
        let dims: Vec<ExprId> = ranges.iter().map(|r| r.2).collect();
        let ty = Ty::Array(ArrayTy {
            dtype: d,
            ndim: dims.len() as u8,
            layout: Layout::C,
        });
        // (every element is stored below before the array can be read)
        let arr = self.expr(Expr::Intrinsic(Intrinsic::Filled, dims), ty, span);
        let arr = self.temp(arr);
        let saved_env = self.env.clone();
        let counters: Vec<LocalId> = gens
            .iter()
            .map(|_| self.new_local("$i", i64t.clone()))
            .collect();
        let mut opened = 0;
        let r = (|| -> Result<DType> {
            // Loop k runs its counter over 0..n and binds the target to start + c * step.
            for (k, g) in gens.iter().enumerate() {
                self.out.push(Vec::new());
                opened += 1;
                let c = self.expr(Expr::Local(counters[k]), i64t.clone(), g.span);
                let (start, step, _) = ranges[k];
                let off = self.expr(Expr::Binary(BinaryOp::Mul, c, step), i64t.clone(), g.span);
                let at = self.expr(
                    Expr::Binary(BinaryOp::Add, start, off),
                    i64t.clone(),
                    g.span,
                );
                self.assign(g.target, Val::E(at))?;
            }
            let (v, vd) = self.list_element(elt)?;
            let v = self.cast(v, d);
            let index: Vec<ExprId> = counters
                .iter()
                .map(|&c| self.expr(Expr::Local(c), i64t.clone(), span))
                .collect();
            self.emit(Stmt::Store {
                array: arr,
                index,
                value: v,
                span,
            });
            Ok(vd)
        })();
        // Close the loops that were opened, innermost first, whatever happened.
        for k in (0..opened).rev() {
            let body = self.out.pop().unwrap_or_default();
            self.emit(Stmt::For {
                var: counters[k],
                start: zero,
                stop: ranges[k].2,
                step: one,
                body,
                parallel: false,
                span: gens[k].span,
            });
        }
        self.env = saved_env;
        let found = r?;
        self.learn_elements(key, found);
        Ok(Some(arr))
    }

    /// The target name of a generator `for name in range(...)` without `if`s, or None.
    fn plain_range_generator(&self, g: &syntax::Comprehension) -> Option<String> {
        let ast = self.ast();
        let ExprKind::Name(target) = &ast.expr(g.target).kind else {
            return None;
        };
        let ExprKind::Call { func, kwargs, .. } = &ast.expr(g.iter).kind else {
            return None;
        };
        let is_range = matches!(&ast.expr(*func).kind, ExprKind::Name(n) if n == "range");
        (g.ifs.is_empty() && kwargs.is_empty() && is_range).then(|| target.clone())
    }

    /// Whether an expression only reads values fixed while a comprehension runs: literals,
    /// names other than the comprehension's targets (`bound`: it binds no others),
    /// arithmetic, an array's `.shape[k]`, `.size`, `.ndim` and `len(name)`.
    fn invariant_syntax(&self, e: syntax::ExprId, bound: &[&str]) -> bool {
        let free = |n: &String| !bound.contains(&n.as_str());
        let ast = self.ast();
        match &ast.expr(e).kind {
            ExprKind::Int(_) | ExprKind::Float(_) | ExprKind::Bool(_) => true,
            ExprKind::Name(n) => free(n),
            ExprKind::Unary(_, x) => self.invariant_syntax(*x, bound),
            ExprKind::Binary(_, a, b) => {
                self.invariant_syntax(*a, bound) && self.invariant_syntax(*b, bound)
            }
            ExprKind::Attr { base, name, .. } => {
                matches!(name.as_str(), "size" | "ndim")
                    && matches!(&ast.expr(*base).kind, ExprKind::Name(n) if free(n))
            }
            ExprKind::Subscript { base, index } => {
                matches!(&ast.expr(*index).kind, ExprKind::Int(_))
                    && matches!(&ast.expr(*base).kind,
                        ExprKind::Attr { base: b, name, .. } if name == "shape"
                            && matches!(&ast.expr(*b).kind, ExprKind::Name(n) if free(n)))
            }
            ExprKind::Call { func, args, kwargs } => {
                matches!(&ast.expr(*func).kind, ExprKind::Name(n) if n == "len")
                    && kwargs.is_empty()
                    && args.len() == 1
                    && matches!(&ast.expr(args[0]).kind, ExprKind::Name(n) if free(n))
            }
            _ => false,
        }
    }

    /// `[elt for x in it if c ...]`: a list built by loops. The element type comes from a
    /// first walk of the element expression (types settle like loop heads).
    fn list_comprehension(
        &mut self,
        elt: syntax::ExprId,
        generators: &[syntax::Comprehension],
        span: Span,
    ) -> Result<ExprId> {
        let key = (span.start, "$comprehension".to_owned());
        Ok(self.comprehension(key, elt, generators, false, span)?.0)
    }

    /// A list whose element type a walk learns (under `key`; float64 until it is
    /// known), as a temporary: the list and its element dtype.
    fn learned_list(&mut self, key: &(u32, String), span: Span) -> (ExprId, DType) {
        let d = match self.hints.heads.get(key) {
            Some(Ty::List(d)) => *d,
            _ => DType::F64,
        };
        let list = self.expr(
            Expr::Intrinsic(Intrinsic::NewList, Vec::new()),
            Ty::List(d),
            span,
        );
        (self.temp(list), d)
    }

    /// The list a comprehension builds, typed with what the previous walk learned under
    /// `key`, and records what this walk finds. With `rows`, each element is a row whose
    /// items go one after another into the list, counted in the local it also gives.
    fn comprehension(
        &mut self,
        key: (u32, String),
        elt: syntax::ExprId,
        generators: &[syntax::Comprehension],
        rows: bool,
        span: Span,
    ) -> Result<(ExprId, DType, Option<LocalId>)> {
        let (list, d) = self.learned_list(&key, span);
        let rows = rows.then(|| {
            let n = self.f.local("$rows", Ty::Scalar(DType::I64));
            let zero = self.constant(Scalar::I64(0), span);
            self.emit(Stmt::Assign(n, zero));
            n
        });
        let saved_env = self.env.clone();
        let r = self.comprehension_loops(elt, generators, list, d, rows, span);
        self.env = saved_env;
        if let Some(found) = r? {
            self.learn_elements(key, found);
        }
        Ok((list, d, rows))
    }

    /// The loops of a comprehension. With `rows`, each element is itself a list (a row)
    /// whose items are appended to `list`, and `rows` counts them.
    fn comprehension_loops(
        &mut self,
        elt: syntax::ExprId,
        generators: &[syntax::Comprehension],
        list: ExprId,
        d: DType,
        rows: Option<LocalId>,
        span: Span,
    ) -> Result<Option<DType>> {
        let Some((g, rest)) = generators.split_first() else {
            if let Some(rows) = rows {
                let row = self.value(elt)?;
                let Ty::List(rd) = self.ty(row).clone() else {
                    return Err(KernelError::typing(
                        format!("rows of np.array() must be lists, not {}", self.ty(row)),
                        self.span(row),
                    ));
                };
                let row = self.temp(row);
                let k = self.f.local("$k", Ty::Scalar(DType::I64));
                let kx = self.expr(Expr::Local(k), Ty::Scalar(DType::I64), span);
                let item = self.expr(Expr::ListGet(row, kx), Ty::Scalar(rd), span);
                let v = self.cast(item, d);
                let zero = self.constant(Scalar::I64(0), span);
                let one = self.constant(Scalar::I64(1), span);
                let n = self.expr(Expr::ListLen(row), Ty::Scalar(DType::I64), span);
                self.emit(Stmt::For {
                    var: k,
                    start: zero,
                    stop: n,
                    step: one,
                    body: vec![Stmt::Append { list, value: v }],
                    parallel: false,
                    span,
                });
                let r = self.expr(Expr::Local(rows), Ty::Scalar(DType::I64), span);
                let r1 = self.expr(
                    Expr::Binary(BinaryOp::Add, r, one),
                    Ty::Scalar(DType::I64),
                    span,
                );
                self.emit(Stmt::Assign(rows, r1));
                return Ok(Some(rd));
            }
            // A list of arrays (rows): `np.array([[...] for ...])` is built by the library
            // from a list of lists; kernels' lists hold scalars.
            let (v, vd) = self.list_element(elt)?;
            let v = self.cast(v, d);
            self.emit(Stmt::Append { list, value: v });
            return Ok(Some(vd));
        };
        let it = self.lower(g.iter)?;
        let (start, stop, step, parallel, items) = self.iteration(it, g.span)?;
        let counter = self.new_local("$i", Ty::Scalar(DType::I64));
        self.out.push(Vec::new());
        let r = (|| -> Result<Option<DType>> {
            let i = self.expr(Expr::Local(counter), Ty::Scalar(DType::I64), g.span);
            let value = self.loop_value(&items, i, g.span)?;
            self.assign(g.target, Val::E(value))?;
            let mut conds = Vec::new();
            for &c in &g.ifs {
                let v = self.value(c)?;
                conds.push(self.truth(v)?);
            }
            self.out.push(Vec::new());
            let inner = self.comprehension_loops(elt, rest, list, d, rows, span);
            let mut body = self.out.pop().unwrap_or_default();
            for c in conds.into_iter().rev() {
                body = vec![Stmt::If {
                    cond: c,
                    then: body,
                    otherwise: Vec::new(),
                }];
            }
            for s in body {
                self.emit(s);
            }
            inner
        })();
        let body = self.out.pop().unwrap_or_default();
        let found = r?;
        self.emit(Stmt::For {
            var: counter,
            start,
            stop,
            step,
            body,
            parallel,
            span: g.span,
        });
        Ok(found)
    }

    /// Whether `parallel=True` applies to `prange` loops of this kernel.
    pub(super) fn parallel(&self) -> bool {
        self.c.options.parallel
    }
}

/// Whether control never passes a statement: a jump, or an `if` whose branches all end in
/// one (`if ...: return a` / `else: return b`).
fn never_falls_through(s: &Stmt) -> bool {
    match s {
        Stmt::Return(_) | Stmt::Raise { .. } | Stmt::Break | Stmt::Continue => true,
        Stmt::If {
            then, otherwise, ..
        } => {
            then.last().is_some_and(never_falls_through)
                && otherwise.last().is_some_and(never_falls_through)
        }
        _ => false,
    }
}

/// The integer indices of a subscript that names one element of an `ndim`-dimensional
/// array (one integer per axis), or None for a view.
fn element_index(idx: &[Index], ndim: u8) -> Option<Vec<ExprId>> {
    if idx.len() != usize::from(ndim) {
        return None;
    }
    idx.iter()
        .map(|i| match i {
            Index::At(e) => Some(*e),
            Index::Slice { .. } => None,
        })
        .collect()
}

/// What a `for` loop's target takes each iteration.
enum Items {
    /// The counter itself (a range).
    Counter,
    /// Item `i` of each sequence (a tuple of them for `zip`), with the index first for
    /// `enumerate`.
    Seq(Vec<ExprId>, bool),
}

fn self_const_false(w: &mut Walk<'_, '_>, span: Span) -> ExprId {
    w.constant(Scalar::Bool(false), span)
}

/// The element dtype of a scalar or an array.
pub(super) fn elem_dtype(t: &Ty) -> Option<DType> {
    match t {
        Ty::Scalar(d) => Some(*d),
        Ty::Array(a) => Some(a.dtype),
        _ => None,
    }
}

/// The type a variable holding values of types `a` and `b` gets, as Numba unifies: numeric
/// scalars to the type both convert to, arrays of one dtype and rank to the looser layout,
/// tuples item by item, lists of unifiable scalars.
pub(super) fn unify(a: &Ty, b: &Ty) -> Option<Ty> {
    if a == b {
        return Some(a.clone());
    }
    match (a, b) {
        (Ty::Scalar(x), Ty::Scalar(y)) => rules::unify_scalars(*x, *y).map(Ty::Scalar),
        (Ty::Array(x), Ty::Array(y)) if x.dtype == y.dtype && x.ndim == y.ndim => {
            Some(Ty::Array(ArrayTy {
                dtype: x.dtype,
                ndim: x.ndim,
                layout: Layout::Any,
            }))
        }
        (Ty::Tuple(xs), Ty::Tuple(ys)) if xs.len() == ys.len() => xs
            .iter()
            .zip(ys)
            .map(|(x, y)| unify(x, y))
            .collect::<Option<Vec<_>>>()
            .map(Ty::Tuple),
        (Ty::List(x), Ty::List(y)) => rules::unify_scalars(*x, *y).map(Ty::List),
        _ => None,
    }
}

fn binop(op: BinOp) -> BinaryOp {
    match op {
        BinOp::Add => BinaryOp::Add,
        BinOp::Sub => BinaryOp::Sub,
        BinOp::Mul => BinaryOp::Mul,
        BinOp::Div => BinaryOp::TrueDiv,
        BinOp::FloorDiv => BinaryOp::FloorDiv,
        BinOp::Mod => BinaryOp::Mod,
        BinOp::Pow => BinaryOp::Pow,
        BinOp::Shl => BinaryOp::Shl,
        BinOp::Shr => BinaryOp::Shr,
        BinOp::BitAnd => BinaryOp::And,
        BinOp::BitOr => BinaryOp::Or,
        BinOp::BitXor | BinOp::MatMul => BinaryOp::Xor,
    }
}

fn cmpop(op: CmpOp) -> BinaryOp {
    match op {
        CmpOp::Lt => BinaryOp::Lt,
        CmpOp::Le => BinaryOp::Le,
        CmpOp::Eq => BinaryOp::Eq,
        CmpOp::Ne => BinaryOp::Ne,
        CmpOp::Ge => BinaryOp::Ge,
        CmpOp::Gt => BinaryOp::Gt,
    }
}

fn unop_symbol(op: UnOp) -> &'static str {
    match op {
        UnOp::Neg => "-",
        UnOp::Pos => "+",
        UnOp::Invert => "~",
    }
}

/// What a compile-time value is, for messages.
pub(super) fn describe(v: &Val) -> String {
    match v {
        Val::E(_) => "a value".to_owned(),
        Val::Module(Lib::Numpy) => "the module numpy".to_owned(),
        Val::Module(Lib::Math) => "the module math".to_owned(),
        Val::Module(Lib::Numba) => "the module numba".to_owned(),
        Val::Lib(Some(Lib::Numpy), n) => format!("the function np.{n}"),
        Val::Lib(Some(Lib::Math), n) => format!("the function math.{n}"),
        Val::Lib(Some(Lib::Numba), n) => format!("numba.{n}"),
        Val::Lib(None, n) => format!("the builtin {n}"),
        Val::UserFn(_) | Val::Closure(_) => "a function".to_owned(),
        Val::Stencil(..) => "a stencil".to_owned(),
        Val::Method(_, n) => format!("the method {n}"),
        Val::Str(_) => "a string".to_owned(),
        Val::None => "None".to_owned(),
        Val::Range(..) => "a range".to_owned(),
        Val::Enumerate(_) => "an enumerate object".to_owned(),
        Val::Zip(_) => "a zip object".to_owned(),
    }
}
