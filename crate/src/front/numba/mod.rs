//! front::numba: Numba-style kernel modules, typed with Numba's rules, lowered to kernel IR.
//!
//! ```text
//! source ──syntax::parse_module──▶ syntax::Module
//!        ──Module::parse──▶ imports, constants, functions and their decorators (this file)
//! name + argument types ──Module::compile──▶ kir::Program (lower.rs: typing and lowering
//!                                             together; library.rs: builtins, math, numpy)
//! ```
//!
//! A module holds `import`s of `math`, `numpy` and `numba`, numeric constants and
//! functions. Decorated functions (`@njit`, `@jit`) are the kernels callable from outside;
//! undecorated ones are callable from kernels (Numba compiles them as it inlines them).
//! Like Numba's dispatcher, a kernel without a signature is compiled for the types of the
//! arguments of each call (the API caches the programs); one with signatures is compiled
//! for those when the module is made, and its errors are reported then.

mod error;
mod guvectorize;
mod library;
pub use library::library_json;
mod lower;
pub mod rules;
pub mod sigs;
mod stencil;
mod vectorize;

use std::collections::HashMap;

pub use error::{KernelError, KernelErrorKind, Result};

use crate::kir::exec::Value;
use crate::kir::{Program, Ty};
use crate::syntax::{self, ExprId, ExprKind, FunctionDef, ParamKind, Span, StmtId, StmtKind};
use crate::types::{DType, Scalar};

/// What a module-level name is bound to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Global {
    /// `numpy`, `math` or `numba` (under any alias).
    Module(Lib),
    /// A function or type of a library: `njit`, `prange`, `float64`, `sqrt` from
    /// `from math import sqrt`, as `lib.name`.
    LibItem(Lib, String),
    /// A numeric constant (Python typing: int64, float64, bool), or a tuple of them.
    Const(ConstVal),
    /// A function defined in the module.
    Def(StmtId),
}

/// The libraries a module may import.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Lib {
    Numpy,
    Math,
    Numba,
}

/// A compile-time constant of the module.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ConstVal {
    Scalar(Scalar),
    Tuple(Vec<ConstVal>),
    Str(String),
    None,
}

/// Which decorator made a kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KernelKind {
    Jit,
    Vectorize,
    Guvectorize,
    Stencil,
}

/// The options of `@jit`/`@njit` that change what a kernel means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// `parallel=True`: `prange` loops may run in parallel.
    pub parallel: bool,
    /// `error_model='numpy'`: division by zero follows NumPy (no ZeroDivisionError).
    pub numpy_errors: bool,
}

/// A decorated function.
#[derive(Debug, Clone, PartialEq)]
struct KernelDef {
    name: String,
    stmt: StmtId,
    kind: KernelKind,
    options: Options,
    /// Declared signatures: argument types and, when given, the return type (None for
    /// `void`).
    declared: Vec<(Vec<Ty>, Option<Option<Ty>>)>,
    /// A stencil's options.
    stencil: Option<stencil::Spec>,
    /// A gufunc's layout (`'(n),()->(n)'`).
    layout: Option<guvectorize::GuLayout>,
}

/// A parsed kernel module.
#[derive(Debug, Clone)]
pub struct Module {
    source: String,
    ast: syntax::Module,
    globals: HashMap<String, Global>,
    kernels: Vec<KernelDef>,
    /// Each lambda as a function returning its expression (for `stencil(lambda a: ...)`).
    lambdas: HashMap<ExprId, StmtId>,
}

/// What separates a gufunc's name from its `axis=` in the name of its program.
const AXIS_MARK: &str = "\u{1}axis=";

/// The most functions a module may define, and constants it may hold.
const MAX_GLOBALS: usize = 10_000;

impl Module {
    /// Parses a module: its imports, constants, functions and decorators.
    pub fn parse(source: &str) -> Result<Module> {
        let ast = syntax::parse_module(source)?;
        let mut m = Module {
            source: source.to_owned(),
            ast,
            globals: HashMap::new(),
            kernels: Vec::new(),
            lambdas: HashMap::new(),
        };
        m.lambda_defs();
        let body = m.ast.body.clone();
        for id in body {
            m.top_level(id)?;
            if m.globals.len() > MAX_GLOBALS {
                return Err(KernelError::new(
                    KernelErrorKind::Value,
                    "too many module-level names",
                    m.ast.stmt(id).span,
                ));
            }
        }
        Ok(m)
    }

    /// Makes each lambda a function `def <lambda>(params): return body`.
    fn lambda_defs(&mut self) {
        for i in 0..self.ast.exprs.len() {
            let syntax::Expr { kind, span } = &self.ast.exprs[i];
            let ExprKind::Lambda { params, body } = kind else {
                continue;
            };
            let (params, body, span) = (params.clone(), *body, *span);
            let ret = StmtId(self.ast.stmts.len() as u32);
            self.ast.stmts.push(syntax::Stmt {
                kind: StmtKind::Return(Some(body)),
                span: self.ast.expr(body).span,
            });
            let def = StmtId(self.ast.stmts.len() as u32);
            self.ast.stmts.push(syntax::Stmt {
                kind: StmtKind::FunctionDef(FunctionDef {
                    name: "<lambda>".to_owned(),
                    name_span: span,
                    params,
                    decorators: Vec::new(),
                    returns: None,
                    body: vec![ret],
                }),
                span,
            });
            self.lambdas.insert(ExprId(i as u32), def);
        }
    }

    /// The function a lambda was made into.
    pub(crate) fn lambda_def(&self, e: ExprId) -> Option<StmtId> {
        self.lambdas.get(&e).copied()
    }

    /// The options of the stencil kernel defined by statement `s`, if it is one.
    pub(crate) fn stencil_of(&self, s: StmtId) -> Option<&stencil::Spec> {
        self.kernels
            .iter()
            .find(|k| k.stmt == s)
            .and_then(|k| k.stencil.as_ref())
    }

    fn top_level(&mut self, id: StmtId) -> Result<()> {
        let stmt = self.ast.stmt(id).clone();
        match stmt.kind {
            StmtKind::Import(aliases) => {
                for a in aliases {
                    let lib = lib_of(&a.name).ok_or_else(|| import_error(&a.name, a.span))?;
                    // `import numpy.linalg` binds `numpy`; `import a.b as c` binds c to a.b.
                    let bound = a
                        .asname
                        .clone()
                        .unwrap_or_else(|| a.name.split('.').next().unwrap_or("").to_owned());
                    self.globals.insert(bound, Global::Module(lib));
                }
            }
            StmtKind::ImportFrom {
                module,
                level,
                names,
            } => {
                let name = module.unwrap_or_default();
                let lib = (level == 0)
                    .then(|| lib_of(&name))
                    .flatten()
                    .ok_or_else(|| import_error(&name, stmt.span))?;
                for a in names {
                    if a.name == "*" {
                        return Err(KernelError::unsupported(
                            "'from ... import *' is not supported in kernel modules",
                            a.span,
                        ));
                    }
                    let bound = a.asname.clone().unwrap_or_else(|| a.name.clone());
                    let global = if let Some(sub) = lib_of(&format!("{name}.{}", a.name)) {
                        Global::Module(sub)
                    } else if let Some(c) = library::constant(lib, &a.name) {
                        // `from math import pi`: a constant, as `math.pi` is.
                        Global::Const(ConstVal::Scalar(c))
                    } else {
                        Global::LibItem(lib, a.name.clone())
                    };
                    self.globals.insert(bound, global);
                }
            }
            StmtKind::Assign { targets, value } => {
                let c = self.constant(value)?;
                for t in targets {
                    match &self.ast.expr(t).kind {
                        ExprKind::Name(n) => {
                            self.globals.insert(n.clone(), Global::Const(c.clone()));
                        }
                        _ => {
                            return Err(KernelError::unsupported(
                                "module-level assignments may only bind names to constants",
                                self.ast.expr(t).span,
                            ));
                        }
                    }
                }
            }
            StmtKind::FunctionDef(def) => {
                self.globals.insert(def.name.clone(), Global::Def(id));
                if let Some(k) = self.kernel_def(id, &def)? {
                    self.kernels.retain(|old| old.name != k.name);
                    self.kernels.push(k);
                }
            }
            StmtKind::Expr(e) if matches!(self.ast.expr(e).kind, ExprKind::Str(_)) => {}
            StmtKind::Pass => {}
            StmtKind::Unsupported { what } => {
                return Err(KernelError::unsupported(
                    format!("{what} are not supported in kernel modules"),
                    stmt.span,
                ));
            }
            _ => {
                return Err(KernelError::unsupported(
                    "module-level code other than imports, constants and functions is not \
                     supported in kernel modules",
                    stmt.span,
                ));
            }
        }
        Ok(())
    }

    /// A module-level constant: numbers, booleans, None, strings, tuples of them, unary
    /// minus, arithmetic on constants, and `math.pi`-style library constants.
    fn constant(&self, e: ExprId) -> Result<ConstVal> {
        let expr = self.ast.expr(e);
        let not_const = || {
            KernelError::unsupported(
                "module-level names may only be bound to numeric constants (or imports and \
                 functions)",
                expr.span,
            )
        };
        Ok(match &expr.kind {
            ExprKind::Int(Some(v)) => ConstVal::Scalar(int_scalar(*v).ok_or_else(|| {
                KernelError::new(
                    KernelErrorKind::Value,
                    "integer constant too large for int64",
                    expr.span,
                )
            })?),
            ExprKind::Int(None) => {
                return Err(KernelError::new(
                    KernelErrorKind::Value,
                    "integer constant too large for int64",
                    expr.span,
                ));
            }
            ExprKind::Float(v) => ConstVal::Scalar(Scalar::F64(*v)),
            ExprKind::Bool(b) => ConstVal::Scalar(Scalar::Bool(*b)),
            ExprKind::NoneLit => ConstVal::None,
            ExprKind::Str(s) => ConstVal::Str(s.clone()),
            ExprKind::Tuple(items) => ConstVal::Tuple(
                items
                    .iter()
                    .map(|&i| self.constant(i))
                    .collect::<Result<_>>()?,
            ),
            ExprKind::Unary(syntax::UnOp::Neg, a) => match self.constant(*a)? {
                ConstVal::Scalar(Scalar::I64(v)) => ConstVal::Scalar(Scalar::I64(v.wrapping_neg())),
                ConstVal::Scalar(Scalar::F64(v)) => ConstVal::Scalar(Scalar::F64(-v)),
                _ => return Err(not_const()),
            },
            ExprKind::Name(n) => match self.globals.get(n) {
                Some(Global::Const(c)) => c.clone(),
                _ => return Err(not_const()),
            },
            ExprKind::Attr { base, name, .. } => {
                let lib = match &self.ast.expr(*base).kind {
                    ExprKind::Name(b) => match self.globals.get(b) {
                        Some(Global::Module(l)) => *l,
                        _ => return Err(not_const()),
                    },
                    _ => return Err(not_const()),
                };
                library::constant(lib, name)
                    .map(ConstVal::Scalar)
                    .ok_or_else(not_const)?
            }
            ExprKind::Binary(op, a, b) => {
                let (ConstVal::Scalar(x), ConstVal::Scalar(y)) =
                    (self.constant(*a)?, self.constant(*b)?)
                else {
                    return Err(not_const());
                };
                ConstVal::Scalar(library::fold_binary(*op, x, y).ok_or_else(not_const)?)
            }
            _ => return Err(not_const()),
        })
    }

    /// The kernel a function's decorators make, if any.
    fn kernel_def(&self, id: StmtId, def: &FunctionDef) -> Result<Option<KernelDef>> {
        let Some(&dec) = def.decorators.first() else {
            return Ok(None);
        };
        if def.decorators.len() > 1 {
            return Err(KernelError::unsupported(
                "a kernel takes one decorator",
                self.ast.expr(def.decorators[1]).span,
            ));
        }
        let (callee, args, kwargs) = match &self.ast.expr(dec).kind {
            ExprKind::Call { func, args, kwargs } => (*func, args.clone(), kwargs.clone()),
            _ => (dec, Vec::new(), Vec::new()),
        };
        let span = self.ast.expr(callee).span;
        let kind = match self.resolve_lib_item(callee).as_deref() {
            Some("njit" | "jit" | "generated_jit") => KernelKind::Jit,
            Some("vectorize") => KernelKind::Vectorize,
            Some("guvectorize") => KernelKind::Guvectorize,
            Some("stencil") => KernelKind::Stencil,
            Some(other) => {
                return Err(KernelError::unsupported(
                    format!("'{other}' is not a decorator numwasm knows"),
                    span,
                ));
            }
            None => {
                if let ExprKind::Name(n) = &self.ast.expr(callee).kind
                    && !self.globals.contains_key(n)
                {
                    let mut e = KernelError::new(
                        KernelErrorKind::Name,
                        format!("name '{n}' is not defined"),
                        span,
                    );
                    if matches!(
                        n.as_str(),
                        "njit" | "jit" | "vectorize" | "guvectorize" | "stencil"
                    ) {
                        e = e.with_note(format!("add `from numba import {n}` to the module"));
                    }
                    return Err(e);
                }
                return Err(KernelError::unsupported(
                    "decorators other than numba's (njit, jit, vectorize, guvectorize, \
                     stencil) are not supported",
                    self.ast.expr(dec).span,
                ));
            }
        };
        let mut options = Options::default();
        let mut nopython = self.resolve_lib_item(callee).as_deref() == Some("njit");
        for (k, kspan, v) in &kwargs {
            let value = self.constant(*v).ok();
            let flag = || match &value {
                Some(ConstVal::Scalar(Scalar::Bool(b))) => Ok(*b),
                _ => Err(KernelError::new(
                    KernelErrorKind::Type,
                    format!("option '{k}' must be True or False"),
                    self.ast.expr(*v).span,
                )),
            };
            match (kind, k.as_str()) {
                (_, "parallel") => options.parallel = flag()?,
                (_, "nopython") => nopython = flag()?,
                (_, "nogil" | "cache" | "fastmath" | "boundscheck" | "inline" | "looplift") => {
                    // Accepted: numwasm never holds a lock, caches every compiled
                    // signature, checks bounds always and never reassociates floats.
                    let _ = value;
                }
                (_, "forceobj") if flag()? => {
                    return Err(KernelError::unsupported(
                        "object mode (forceobj=True) is not supported: kernels are compiled",
                        *kspan,
                    ));
                }
                (_, "forceobj") => {}
                (_, "error_model") => match value {
                    Some(ConstVal::Str(s)) if s == "python" => options.numpy_errors = false,
                    Some(ConstVal::Str(s)) if s == "numpy" => options.numpy_errors = true,
                    _ => {
                        return Err(KernelError::new(
                            KernelErrorKind::Value,
                            "error_model must be 'python' or 'numpy'",
                            self.ast.expr(*v).span,
                        ));
                    }
                },
                (KernelKind::Vectorize | KernelKind::Guvectorize, "target") => match value {
                    Some(ConstVal::Str(s)) if s == "cpu" => options.parallel = false,
                    Some(ConstVal::Str(s)) if s == "parallel" => options.parallel = true,
                    Some(ConstVal::Str(s)) if s == "cuda" => {
                        return Err(KernelError::unsupported(
                            "target='cuda' is not supported: ufuncs run on 'cpu' or 'parallel'",
                            self.ast.expr(*v).span,
                        ));
                    }
                    _ => {
                        return Err(KernelError::new(
                            KernelErrorKind::Value,
                            "target must be 'cpu' or 'parallel'",
                            self.ast.expr(*v).span,
                        ));
                    }
                },
                (KernelKind::Vectorize | KernelKind::Guvectorize, "identity")
                | (
                    KernelKind::Stencil,
                    "neighborhood" | "standard_indexing" | "cval" | "func_or_mode",
                ) => {}
                _ => {
                    return Err(KernelError::new(
                        KernelErrorKind::Type,
                        format!("'{k}' is not a valid option of this decorator"),
                        *kspan,
                    ));
                }
            }
        }
        let _ = nopython;
        // `@guvectorize('(n)->(n)')`: a layout alone, no signatures (Numba's dynamic gufunc).
        let layout_only = kind == KernelKind::Guvectorize
            && args.len() == 1
            && matches!(self.constant(args[0]), Ok(ConstVal::Str(t)) if t.contains("->"));
        let (sig_arg, layout_arg) = if layout_only {
            (None, args.first())
        } else {
            (args.first(), args.get(1))
        };
        let mut declared = Vec::new();
        if let Some(&sig) = sig_arg {
            let items: Vec<ExprId> = match &self.ast.expr(sig).kind {
                ExprKind::List(items) | ExprKind::Tuple(items) => items.clone(),
                _ => vec![sig],
            };
            for item in items {
                let e = self.ast.expr(item);
                let text = match &e.kind {
                    ExprKind::Str(s) => s.clone(),
                    _ => self.text(e.span).to_owned(),
                };
                let parsed = sigs::signature(&text).map_err(|why| {
                    KernelError::typing(format!("invalid signature '{text}': {why}"), e.span)
                })?;
                if parsed.args.len() != def.params.len() {
                    return Err(KernelError::typing(
                        format!(
                            "signature '{text}' has {} argument type(s) but '{}' takes {}",
                            parsed.args.len(),
                            def.name,
                            def.params.len()
                        ),
                        e.span,
                    ));
                }
                declared.push((parsed.args, parsed.ret));
            }
        }
        for p in &def.params {
            if p.kind != ParamKind::Positional {
                return Err(KernelError::unsupported(
                    "kernels take positional parameters only (no *args, **kwargs or \
                     keyword-only parameters)",
                    p.span,
                ));
            }
        }
        let stencil = if kind == KernelKind::Stencil {
            Some(stencil::Spec::parse(self, &kwargs)?)
        } else {
            None
        };
        let layout = if kind == KernelKind::Guvectorize {
            match layout_arg.map(|&e| (e, self.constant(e))) {
                Some((e, Ok(ConstVal::Str(text)))) => {
                    Some(guvectorize::parse_layout(&text).map_err(|why| {
                        KernelError::typing(
                            format!("invalid gufunc layout '{text}': {why}"),
                            self.ast.expr(e).span,
                        )
                    })?)
                }
                Some((e, _)) => {
                    return Err(KernelError::typing(
                        "a gufunc layout is a string such as '(n),()->(n)'",
                        self.ast.expr(e).span,
                    ));
                }
                None => None,
            }
        } else {
            None
        };
        Ok(Some(KernelDef {
            name: def.name.clone(),
            stmt: id,
            kind,
            options,
            declared,
            stencil,
            layout,
        }))
    }

    /// The library item an expression names (`njit`, `numba.njit`, `nb.jit`), if any.
    fn resolve_lib_item(&self, e: ExprId) -> Option<String> {
        match &self.ast.expr(e).kind {
            ExprKind::Name(n) => match self.globals.get(n) {
                Some(Global::LibItem(_, item)) => Some(item.clone()),
                _ => None,
            },
            ExprKind::Attr { base, name, .. } => match &self.ast.expr(*base).kind {
                ExprKind::Name(b) if matches!(self.globals.get(b), Some(Global::Module(_))) => {
                    Some(name.clone())
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The source text of a span.
    pub(crate) fn text(&self, span: Span) -> &str {
        let (s, e) = (span.start as usize, span.end as usize);
        self.source.get(s..e).unwrap_or("")
    }

    /// The kernels callable from outside, in source order.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.kernels.iter().map(|k| k.name.clone()).collect()
    }

    fn kernel(&self, name: &str) -> Result<&KernelDef> {
        self.kernels.iter().find(|k| k.name == name).ok_or_else(|| {
            let mut e = KernelError::new(
                KernelErrorKind::Name,
                format!("no kernel named '{name}' in this module"),
                Span::default(),
            );
            let names: Vec<&str> = self.kernels.iter().map(|k| k.name.as_str()).collect();
            if let Some(s) = crate::front::expr::did_you_mean(name, names.iter().copied()) {
                e = e.with_note(format!("did you mean '{s}'?"));
            } else if !names.is_empty() {
                e = e.with_note(format!("the kernels are: {}", names.join(", ")));
            }
            e
        })
    }

    /// The span of a kernel's name (for errors about a whole call).
    #[must_use]
    pub fn name_span(&self, name: &str) -> Span {
        self.kernel(name)
            .ok()
            .and_then(|k| match &self.ast.stmt(k.stmt).kind {
                StmtKind::FunctionDef(d) => Some(d.name_span),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// Whether kernel `name` is a ufunc (`@vectorize`): its declared signatures are its
    /// loops' element types, which calls choose among by NumPy's type resolution rather
    /// than by the arguments' types.
    #[must_use]
    pub fn is_ufunc(&self, name: &str) -> bool {
        self.kernel(name)
            .is_ok_and(|k| matches!(k.kind, KernelKind::Vectorize | KernelKind::Guvectorize))
    }

    /// Whether kernel `name` is a generalized ufunc (`@guvectorize`).
    #[must_use]
    pub fn is_gufunc(&self, name: &str) -> bool {
        self.kernel(name)
            .is_ok_and(|k| k.kind == KernelKind::Guvectorize)
    }

    /// The name a gufunc's program for `axis=axis` is compiled under ([`Module::compile`]
    /// reads the axis back from it).
    #[must_use]
    pub fn with_axis(name: &str, axis: i128) -> String {
        format!("{name}{AXIS_MARK}{axis}")
    }

    /// The argument types of each declared signature of a kernel.
    #[must_use]
    pub fn declared(&self, name: &str) -> Vec<Vec<Ty>> {
        // A gufunc's signatures are its loops (inputs and outputs), chosen per call.
        self.kernel(name)
            .ok()
            .filter(|k| k.kind != KernelKind::Guvectorize)
            .map(|k| k.declared.iter().map(|(a, _)| a.clone()).collect())
            .unwrap_or_default()
    }

    fn def_of(&self, id: StmtId) -> &FunctionDef {
        match &self.ast.stmt(id).kind {
            StmtKind::FunctionDef(d) => d,
            _ => unreachable!("a kernel's statement is a def"),
        }
    }

    /// Binds positional and keyword arguments to a kernel's parameters, filling defaults.
    pub fn bind(
        &self,
        name: &str,
        args: Vec<Value>,
        kwargs: Vec<(String, Value)>,
    ) -> Result<Vec<Value>> {
        let k = self.kernel(name)?;
        let def = self.def_of(k.stmt);
        let span = def.name_span;
        if k.kind == KernelKind::Guvectorize {
            // A gufunc takes its inputs, then optionally its outputs, by position.
            if let Some((kname, _)) = kwargs.first() {
                return Err(KernelError::unsupported(
                    format!(
                        "{}() takes its operands by position; '{kname}=' is not supported",
                        def.name
                    ),
                    span,
                ));
            }
            return Ok(args);
        }
        // A ufunc takes its output array after its inputs, as NumPy's do.
        let takes_out = matches!(k.kind, KernelKind::Vectorize | KernelKind::Stencil);
        let mut args = args;
        let mut positional_out = None;
        if k.kind == KernelKind::Vectorize && args.len() == def.params.len() + 1 {
            positional_out = args.pop();
        }
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
        let mut slots: Vec<Option<Value>> = args.into_iter().map(Some).collect();
        slots.resize(def.params.len(), None);
        // A stencil and a ufunc also take `out=`, the array their result goes into (last).
        let mut out_arg = None;
        for (kname, v) in kwargs {
            if kname == "out" && takes_out && !def.params.iter().any(|p| p.name == "out") {
                if positional_out.is_some() {
                    return Err(KernelError::new(
                        KernelErrorKind::Type,
                        format!("{}() got out both by position and as a keyword", def.name),
                        span,
                    ));
                }
                out_arg = Some(v);
                continue;
            }
            let Some(i) = def.params.iter().position(|p| p.name == kname) else {
                return Err(KernelError::new(
                    KernelErrorKind::Type,
                    format!(
                        "{}() got an unexpected keyword argument '{kname}'",
                        def.name
                    ),
                    span,
                ));
            };
            if slots[i].is_some() {
                return Err(KernelError::new(
                    KernelErrorKind::Type,
                    format!("{}() got multiple values for argument '{kname}'", def.name),
                    span,
                ));
            }
            slots[i] = Some(v);
        }
        let mut out = Vec::with_capacity(slots.len());
        for (p, slot) in def.params.iter().zip(slots) {
            match slot {
                Some(v) => out.push(v),
                None => match p.default.map(|d| self.constant(d)) {
                    Some(Ok(ConstVal::Scalar(s))) => out.push(Value::Scalar(s)),
                    Some(Ok(ConstVal::None)) => out.push(Value::None),
                    Some(_) => {
                        return Err(KernelError::unsupported(
                            "default values must be numbers, booleans or None",
                            p.span,
                        ));
                    }
                    None => {
                        return Err(KernelError::new(
                            KernelErrorKind::Type,
                            format!("{}() missing required argument '{}'", def.name, p.name),
                            span,
                        ));
                    }
                },
            }
        }
        out.extend(out_arg.or(positional_out));
        Ok(out)
    }

    /// Compiles kernel `name` for argument types `tys`: the program's entry is the kernel,
    /// followed by the functions it calls.
    pub fn compile(&self, name: &str, tys: &[Ty]) -> Result<Program> {
        let mut program = self.compile_program(name, tys)?;
        // Small helpers (one `return e`) inlined at their call sites, for both tiers.
        crate::kir::inline::expressions(&mut program);
        // Bounds checks out of innermost loops, for every kind of kernel (both tiers run
        // the result; only generated code skips the proven checks).
        for f in &mut program.functions {
            crate::kir::bounds::hoist(f);
        }
        Ok(program)
    }

    fn compile_program(&self, name: &str, tys: &[Ty]) -> Result<Program> {
        // A gufunc called with `axis=`: its name carries the axis (see `with_axis`).
        if let Some((base, axis)) = name.split_once(AXIS_MARK) {
            let k = self.kernel(base)?;
            let axis: i64 = axis.parse().map_err(|_| {
                KernelError::new(
                    KernelErrorKind::Value,
                    "axis out of range",
                    self.name_span(base),
                )
            })?;
            if k.kind != KernelKind::Guvectorize {
                return Err(KernelError::new(
                    KernelErrorKind::Type,
                    format!("{base}() got an unexpected keyword argument 'axis'"),
                    self.name_span(base),
                ));
            }
            return guvectorize::compile(self, k, self.name_span(base), tys, Some(axis));
        }
        let k = self.kernel(name)?;
        if k.kind == KernelKind::Vectorize {
            return vectorize::compile(self, k, self.name_span(name), tys);
        }
        if let Some(spec) = &k.stencil {
            // Called from outside, a stencil's interior loop is a prange: it runs on the
            // threads the call allows.
            let mut program =
                lower::compile_stencil(self, k.stmt, spec, tys, k.options, self.name_span(name))?;
            let report = crate::kir::parallel::parallelize(&mut program)
                .map_err(|e| KernelError::typing(e.message, e.span))?;
            program.parallel = Some(report);
            return Ok(program);
        }
        if k.kind == KernelKind::Guvectorize {
            return guvectorize::compile(self, k, self.name_span(name), tys, None);
        }
        let ret = k
            .declared
            .iter()
            .find(|(args, _)| args.as_slice() == tys)
            .and_then(|(_, r)| r.clone());
        let mut program = lower::compile(self, k.stmt, tys, ret, k.options)?;
        if k.options.parallel {
            // The kernel's own whole-array operations become prange loops (Numba's
            // parfors); its helpers' do not, as in Numba.
            let fused = program
                .functions
                .first_mut()
                .map(crate::kir::parfor::fuse)
                .unwrap_or_default();
            let mut report = crate::kir::parallel::parallelize(&mut program)
                .map_err(|e| KernelError::typing(e.message, e.span))?;
            let name = program
                .functions
                .first()
                .map(|f| f.name.clone())
                .unwrap_or_default();
            report.fused = fused
                .into_iter()
                .map(|(s, ops)| (name.clone(), s, ops))
                .collect();
            // The operations inside a fused expression are not serial ones (the copy of them
            // that runs only when shapes broadcast is not listed).
            let fused = report.fused.clone();
            report.array_exprs.retain(|(f, s, _)| {
                !fused
                    .iter()
                    .any(|(g, r, _)| g == f && r.start <= s.start && s.end <= r.end)
            });
            program.parallel = Some(report);
        }
        Ok(program)
    }
}

/// The library a dotted module name is.
fn lib_of(name: &str) -> Option<Lib> {
    match name {
        "numpy" => Some(Lib::Numpy),
        "math" => Some(Lib::Math),
        "numba" | "numba.core.types" | "numba.types" | "numba.np.ufunc" => Some(Lib::Numba),
        _ => None,
    }
}

fn import_error(name: &str, span: Span) -> KernelError {
    KernelError::new(
        KernelErrorKind::Import,
        format!("kernel modules may import math, numpy and numba only, not '{name}'"),
        span,
    )
}

/// A Python int as Numba types it: int64, or uint64 when only that holds it.
pub(crate) fn int_scalar(v: u128) -> Option<Scalar> {
    if let Ok(v) = i64::try_from(v) {
        Some(Scalar::I64(v))
    } else {
        u64::try_from(v).ok().map(Scalar::U64)
    }
}

/// Scalar types usable as `dtype=` or casts: `np.float32`, `numba.int64`, `float`.
pub(crate) fn dtype_named(lib: Option<Lib>, name: &str) -> Option<DType> {
    match (lib, name) {
        (None, "float") => Some(DType::F64),
        (None, "int") => Some(DType::I64),
        (None, "bool") => Some(DType::Bool),
        (Some(Lib::Numpy), "bool_") => Some(DType::Bool),
        (Some(Lib::Numpy | Lib::Numba), n) => sigs::scalar_type(n),
        _ => None,
    }
}
