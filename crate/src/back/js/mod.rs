//! back::js: a kernel program as the source text of a plain JavaScript function, the "JS
//! baseline" the playground times numwasm against (after checking that both give the same
//! result).
//!
//! ```text
//! kir::Program ──generate──▶ "(function (args) { \"use strict\"; ... })"
//! ```
//!
//! The text is one function expression (`new Function('return ' + text)()` gives it). It
//! takes `args`, one value per parameter of the entry function: an array as
//! `{ data, shape, dtype }` (C-contiguous, or a strided view with `stride` and `offset` in
//! elements), a scalar as a number (an int64 may also come as a bigint) or a boolean. It
//! returns an array as `{ data, shape, dtype }` (C-contiguous), a scalar as a number or a
//! boolean, a tuple as a JS array, a list as a 1-d array, None as `undefined`; the arrays
//! it was given see the kernel's writes. A kernel's exception is a JS `Error` whose message
//! starts with the Python kind: `ZeroDivisionError: division by zero`.
//!
//! # What it looks like
//! What a careful person would write over typed arrays: one JS function per kir function;
//! scalar code and loops inline (no interpretation, no closure per element); an array local
//! is a set of JS variables (`a_d` the typed array, `a_o` the offset, `a_n0` the extents,
//! `a_t0` the strides), so that `a[i, j]` is `a_d[a_o + i * a_t0 + j * a_t1]`, and for a
//! C-contiguous array (offset made 0 with `subarray`) `a_d[i * a_t0 + j]`. Python's wrap of
//! a negative index is left out where the index is provably non-negative (a range variable
//! counting up from a non-negative start, a constant, sums and products of those, an
//! extent, a load the bounds pass marked in bounds). Upper bounds are not checked (the
//! caller runs numwasm first, which does). Whole-array operations (`np.*`, broadcasting
//! arithmetic, reductions) are helper functions made for each use, with the element
//! operation inline.
//!
//! # Semantics
//! The reference executor's (`kir::exec`), operation by operation: float32 rounds with
//! `Math.fround` after every operation, narrow integers wrap after every operation,
//! integer `//` and `%` floor, float `//` and `%` are NumPy's `npy_divmod`, integer `**` is
//! Numba's, casts of floats to integers truncate and wrap or saturate as the executor's
//! do, reductions run in Numba's sequential order, and parallel loops run their chunks as
//! `kir::parallel::chunk_plan` splits them, combining the partials chunk by chunk, so a
//! float reduction rounds exactly as on numwasm.
//!
//! Two deliberate differences, which the caller accounts for:
//! * int64 and uint64 scalars are JS numbers (doubles), as a hand-written JS loop would
//!   have them: exact while values stay within ±2^53. A kernel whose 64-bit integers go
//!   beyond (hashes, wrapping arithmetic, uint64 extremes) gives other results than
//!   numwasm, and the caller does not time it. Their typed arrays are read with `Number()`
//!   and written with `BigInt()`.
//! * Transcendental functions (`exp`, `log`, `sin`, `**` with a non-constant or non-2
//!   exponent, ...) are `Math.*`, which may differ from numwasm's vector math by an ULP;
//!   the text says which it uses in a comment line starting `// approximate:`. `sqrt` and
//!   the arithmetic are exact.
//!
//! Anything the generator does not handle is an [`Unsupported`] naming it, never code that
//! computes something else. No identifier or text of the user's source reaches the output
//! except names reduced to `[A-Za-z0-9_]` (with a prefix) and raise messages as JSON string
//! literals.

mod intrinsic;
mod runtime;
mod scalar;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::{self, Write as _};

use crate::kir::parallel::{MIN_CHUNK_NS, ParLoop};
use crate::kir::{ArrayTy, Expr, ExprId, Function, Index, Layout, LocalId, Program, Stmt, Ty};
use crate::types::{BinaryOp, DType};

/// Why a program has no JS baseline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Unsupported {}

type R<T> = Result<T, String>;

/// What the whole text collects while functions are generated: the runtime helpers used,
/// the approximate functions used, and the helper functions made for intrinsic sites.
pub(super) struct Cx {
    helpers: BTreeSet<&'static str>,
    approx: BTreeSet<&'static str>,
    sites: Vec<String>,
}

impl Cx {
    fn helper(&mut self, name: &'static str) {
        self.helpers.insert(name);
    }

    /// Adds a site function `function $sN(params) { body }`, returning its name.
    fn site(&mut self, params: &[String], body: &str) -> String {
        let name = format!("$s{}", self.sites.len());
        let mut text = format!("function {name}({}) {{\n", params.join(", "));
        for line in body.lines() {
            let _ = writeln!(text, "  {line}");
        }
        text.push('}');
        self.sites.push(text);
        name
    }
}

/// The JS text of `program` (see the module documentation), or why there is none.
pub fn generate(program: &Program) -> Result<String, Unsupported> {
    generate_text(program).map_err(Unsupported)
}

fn generate_text(program: &Program) -> R<String> {
    let Some(entry) = program.functions.first() else {
        return Err("the program has no functions".to_owned());
    };
    if program.functions.len() > 10_000 {
        return Err("the program has too many functions".to_owned());
    }
    check_handles(program)?;
    let mut cx = Cx {
        helpers: BTreeSet::new(),
        approx: BTreeSet::new(),
        sites: Vec::new(),
    };
    let names: Vec<String> = program
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| format!("f{i}_{}", sanitize(&f.name)))
        .collect();
    // Facts about the parameters of chunk functions (which only their parallel loop calls).
    let mut facts: HashMap<usize, Vec<bool>> = HashMap::new();
    let mut funcs = Vec::new();
    for (i, f) in program.functions.iter().enumerate() {
        let params = facts.remove(&i).unwrap_or_else(|| vec![false; f.n_params]);
        let mut g = FnGen::new(program, f, &names, &params);
        let text = g.function(&mut cx, &names[i])?;
        for (callee, fs) in g.callee_facts {
            facts.insert(callee, fs);
        }
        funcs.push(text);
    }

    // The call of the entry on the arguments, and its result as the caller takes it.
    let mut args = Vec::new();
    let (mut pre, mut post) = (Vec::new(), Vec::new());
    for (k, p) in entry.params().enumerate() {
        let ty = &entry.local_decl(p).ty;
        let a = format!("args[{k}]");
        args.push(match ty {
            Ty::Scalar(DType::Bool) => format!("Boolean({a})"),
            Ty::Scalar(DType::F32) => format!("Math.fround(Number({a}))"),
            Ty::Scalar(d) if d.is_int() && d.size() < 8 => {
                scalar::cast(&mut cx, DType::F64, *d, &format!("Number({a})"), true)
            }
            Ty::Scalar(_) if ty == &Ty::Scalar(DType::F64) => format!("Number({a})"),
            Ty::Scalar(_) => format!("Math.trunc(Number({a}))"),
            Ty::None => "undefined".to_owned(),
            Ty::Array(at) if at.layout == Layout::C => {
                // A view that is not C-contiguous runs on a C-contiguous copy, written back
                // after the call.
                cx.helper("argc");
                let p = format!("$a{k}");
                pre.push(format!("const {p} = $argc({a});"));
                post.push(format!("$back({p});"));
                p
            }
            Ty::Array(_) => {
                cx.helper("arg");
                format!("$arg({a})")
            }
            other => {
                return Err(format!(
                    "a parameter of type {other} is not taken by the JS baseline (arrays and scalars are)"
                ));
            }
        });
    }
    let call = format!("{}({})", names[0], args.join(", "));
    let result = result_js(&mut cx, &entry.ret, &call)?;

    // Helpers in a fixed order, with the helpers they call.
    let mut needed: BTreeSet<&'static str> = BTreeSet::new();
    let mut stack: Vec<&'static str> = cx.helpers.iter().copied().collect();
    while let Some(h) = stack.pop() {
        if needed.insert(h) {
            let Some(helper) = runtime::find(h) else {
                return Err(format!("internal: no helper {h}"));
            };
            stack.extend(helper.deps.iter().copied());
        }
    }
    let mut out = String::from("(function (args) {\n  \"use strict\";\n");
    let _ = writeln!(
        out,
        "  // numwasm's JS baseline of kernel {} (generated from its typed kernel IR).",
        sanitize(&entry.name)
    );
    if cx.approx.is_empty() {
        out.push_str("  // exact: no transcendental functions.\n");
    } else {
        let list: Vec<&str> = cx.approx.iter().copied().collect();
        let _ = writeln!(
            out,
            "  // approximate: Math.* may differ from numwasm's vector math by an ULP in {}.",
            list.join(", ")
        );
    }
    for h in runtime::HELPERS {
        if needed.contains(h.name) {
            indent_into(&mut out, h.text, 1);
        }
    }
    for s in &cx.sites {
        indent_into(&mut out, s, 1);
    }
    for f in &funcs {
        indent_into(&mut out, f, 1);
    }
    for p in &pre {
        let _ = writeln!(out, "  {p}");
    }
    if post.is_empty() {
        let _ = writeln!(out, "  return {result};");
    } else {
        let _ = writeln!(out, "  const $r = {call};");
        for p in &post {
            let _ = writeln!(out, "  {p}");
        }
        let _ = writeln!(out, "  return {};", result_js(&mut cx, &entry.ret, "$r")?);
    }
    out.push_str("})");
    Ok(out)
}

fn indent_into(out: &mut String, text: &str, level: usize) {
    for line in text.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{}{line}", "  ".repeat(level));
        }
    }
}

/// A name reduced to `[A-Za-z0-9_]`.
fn sanitize(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(40)
        .collect();
    if s.is_empty() { "_".to_owned() } else { s }
}

/// A JS string literal (JSON's escapes, and the two line separators JSON leaves alone).
pub(super) fn js_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20
                || c == '\u{2028}'
                || c == '\u{2029}'
                || c == '<'
                || c == '>' =>
            {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The caller's form of a value of type `ty` given as JS expression `e`.
fn result_js(cx: &mut Cx, ty: &Ty, e: &str) -> R<String> {
    Ok(match ty {
        Ty::Scalar(_) => e.to_owned(),
        Ty::None => format!("({e}, undefined)"),
        Ty::Array(a) => {
            cx.helper("out");
            format!("$out({e}, {})", js_string(a.dtype.name()))
        }
        Ty::List(d) => {
            let conv = scalar::write(*d, "x");
            format!(
                "((l) => ({{ data: {}.from(l, (x) => {conv}), shape: [l.length], dtype: {} }}))({e})",
                scalar::ctor(*d),
                js_string(d.name())
            )
        }
        Ty::Tuple(items) => {
            let mut parts = Vec::new();
            for (i, t) in items.iter().enumerate() {
                parts.push(result_js(cx, t, &format!("t[{i}]"))?);
            }
            format!("((t) => [{}])({e})", parts.join(", "))
        }
    })
}

/// The JS variables of a local.
#[derive(Clone)]
struct LocalVars {
    base: String,
    /// For an array local: its type.
    array: Option<ArrayTy>,
}

impl LocalVars {
    fn d(&self) -> String {
        format!("{}_d", self.base)
    }
    fn o(&self) -> String {
        format!("{}_o", self.base)
    }
    fn n(&self, k: usize) -> String {
        format!("{}_n{k}", self.base)
    }
    fn t(&self, k: usize) -> String {
        format!("{}_t{k}", self.base)
    }
}

/// The generator of one function.
struct FnGen<'p> {
    program: &'p Program,
    f: &'p Function,
    names: &'p [String],
    vars: Vec<LocalVars>,
    nonneg: HashSet<LocalId>,
    /// Temporaries (`$tN`), declared at the top.
    temps: usize,
    /// Loop counters (`$iN`, `$eN`) are numbered apart.
    loops: usize,
    out: String,
    depth: usize,
    /// Facts found for the parameters of the chunk functions this one calls.
    callee_facts: Vec<(usize, Vec<bool>)>,
}

impl<'p> FnGen<'p> {
    fn new(
        program: &'p Program,
        f: &'p Function,
        names: &'p [String],
        param_facts: &[bool],
    ) -> Self {
        let mut taken: HashSet<String> = HashSet::new();
        let mut vars = Vec::with_capacity(f.locals.len());
        for (i, l) in f.locals.iter().enumerate() {
            let array = l.ty.array();
            let mut base = format!("v_{}", sanitize(&l.name));
            let comps = |b: &str| -> Vec<String> {
                match array {
                    Some(a) => {
                        let mut v = vec![format!("{b}_d"), format!("{b}_o")];
                        for k in 0..usize::from(a.ndim) {
                            v.push(format!("{b}_n{k}"));
                            v.push(format!("{b}_t{k}"));
                        }
                        v
                    }
                    None => vec![b.to_owned()],
                }
            };
            if comps(&base).iter().any(|c| taken.contains(c)) {
                base = format!("{base}_{i}");
            }
            taken.extend(comps(&base));
            vars.push(LocalVars { base, array });
        }
        let nonneg = nonneg_locals(f, param_facts);
        FnGen {
            program,
            f,
            names,
            vars,
            nonneg,
            temps: 0,
            loops: 0,
            out: String::new(),
            depth: 1,
            callee_facts: Vec::new(),
        }
    }

    fn line(&mut self, s: &str) {
        let _ = writeln!(self.out, "{}{s}", "  ".repeat(self.depth));
    }

    fn temp(&mut self) -> String {
        self.temps += 1;
        format!("$t{}", self.temps)
    }

    fn ty(&self, e: ExprId) -> &'p Ty {
        self.f.ty(e)
    }

    fn dtype(&self, e: ExprId) -> R<DType> {
        self.ty(e)
            .scalar()
            .ok_or_else(|| format!("internal: a scalar expected, got {}", self.ty(e)))
    }

    fn local_ty(&self, l: LocalId) -> &'p Ty {
        &self.f.locals[l.index()].ty
    }

    /// The whole function's text.
    fn function(&mut self, cx: &mut Cx, name: &str) -> R<String> {
        let mut params = Vec::new();
        let mut unpack = Vec::new();
        for p in self.f.params() {
            let v = self.vars[p.index()].clone();
            match v.array {
                Some(_) => {
                    let pn = format!("{}_p", v.base);
                    unpack.push((p, pn.clone()));
                    params.push(pn);
                }
                None => params.push(v.base.clone()),
            }
        }
        for (p, pn) in &unpack {
            self.explode(*p, pn)?;
        }
        let body = &self.f.body;
        self.body(cx, body)?;
        let mut text = format!("function {name}({}) {{\n", params.join(", "));
        // Declarations: the locals (not the scalar parameters), then the temporaries.
        let mut decls = Vec::new();
        for (i, l) in self.f.locals.iter().enumerate() {
            let v = &self.vars[i];
            let is_param = i < self.f.n_params;
            match (&l.ty, v.array) {
                (_, Some(a)) => {
                    decls.push(format!("{} = null", v.d()));
                    if a.layout == Layout::Any {
                        decls.push(format!("{} = 0", v.o()));
                    }
                    for k in 0..usize::from(a.ndim) {
                        decls.push(format!("{} = 0", v.n(k)));
                        if a.layout == Layout::Any || k + 1 < usize::from(a.ndim) {
                            decls.push(format!("{} = 0", v.t(k)));
                        }
                    }
                }
                _ if is_param => {}
                (Ty::Scalar(DType::Bool), None) => decls.push(format!("{} = false", v.base)),
                (Ty::Scalar(_), None) => decls.push(format!("{} = 0", v.base)),
                _ => decls.push(v.base.clone()),
            }
        }
        for chunk in decls.chunks(8) {
            let _ = writeln!(text, "  let {};", chunk.join(", "));
        }
        if self.temps > 0 {
            let t: Vec<String> = (1..=self.temps).map(|i| format!("$t{i}")).collect();
            for chunk in t.chunks(12) {
                let _ = writeln!(text, "  let {};", chunk.join(", "));
            }
        }
        text.push_str(&self.out);
        text.push('}');
        Ok(text)
    }

    /// Sets the variables of array local `l` from the array object `ra` (a JS name).
    fn explode(&mut self, l: LocalId, ra: &str) -> R<()> {
        let v = self.vars[l.index()].clone();
        let Some(a) = v.array else {
            return Err("internal: explode of a non-array".to_owned());
        };
        let nd = usize::from(a.ndim);
        let mut parts = Vec::new();
        if a.layout == Layout::C {
            parts.push(format!(
                "{} = {ra}.o === 0 ? {ra}.d : {ra}.d.subarray({ra}.o)",
                v.d()
            ));
        } else {
            parts.push(format!("{} = {ra}.d", v.d()));
            parts.push(format!("{} = {ra}.o", v.o()));
        }
        for k in 0..nd {
            parts.push(format!("{} = {ra}.s[{k}]", v.n(k)));
        }
        if a.layout == Layout::C {
            for k in (0..nd.saturating_sub(1)).rev() {
                if k + 2 == nd {
                    parts.push(format!("{} = {}", v.t(k), v.n(k + 1)));
                } else {
                    parts.push(format!("{} = {} * {}", v.t(k), v.n(k + 1), v.t(k + 1)));
                }
            }
        } else {
            for k in 0..nd {
                parts.push(format!("{} = {ra}.t[{k}]", v.t(k)));
            }
        }
        for p in parts {
            self.line(&format!("{p};"));
        }
        Ok(())
    }

    /// The array object of array local `l`.
    fn boxed(&self, l: LocalId) -> String {
        let v = &self.vars[l.index()];
        let Some(a) = v.array else {
            return v.base.clone();
        };
        let nd = usize::from(a.ndim);
        let s: Vec<String> = (0..nd).map(|k| v.n(k)).collect();
        let (o, t) = if a.layout == Layout::C {
            let t: Vec<String> = (0..nd)
                .map(|k| if k + 1 == nd { "1".to_owned() } else { v.t(k) })
                .collect();
            ("0".to_owned(), t)
        } else {
            (v.o(), (0..nd).map(|k| v.t(k)).collect())
        };
        format!(
            "{{ d: {}, o: {o}, s: [{}], t: [{}] }}",
            v.d(),
            s.join(", "),
            t.join(", ")
        )
    }

    fn body(&mut self, cx: &mut Cx, body: &'p [Stmt]) -> R<()> {
        for st in body {
            self.stmt(cx, st)?;
        }
        Ok(())
    }

    fn block(&mut self, cx: &mut Cx, head: &str, body: &'p [Stmt]) -> R<()> {
        self.line(&format!("{head} {{"));
        self.depth += 1;
        self.body(cx, body)?;
        self.depth -= 1;
        Ok(())
    }

    fn stmt(&mut self, cx: &mut Cx, st: &'p Stmt) -> R<()> {
        match st {
            Stmt::Assign(l, e) => self.assign(cx, *l, *e)?,
            Stmt::Store {
                array,
                index,
                value,
                ..
            } => self.store(cx, *array, index, *value)?,
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let c = self.cond(cx, *cond)?;
                self.block(cx, &format!("if ({})", strip_parens(&c)), then)?;
                if otherwise.is_empty() {
                    self.line("}");
                } else {
                    self.line("} else {");
                    self.depth += 1;
                    self.body(cx, otherwise)?;
                    self.depth -= 1;
                    self.line("}");
                }
            }
            Stmt::For {
                var,
                start,
                stop,
                step,
                body,
                ..
            } => self.for_range(cx, *var, [*start, *stop, *step], body)?,
            Stmt::While { cond, body } => {
                let c = self.cond(cx, *cond)?;
                self.block(cx, &format!("while ({})", strip_parens(&c)), body)?;
                self.line("}");
            }
            Stmt::Break => self.line("break;"),
            Stmt::Continue => self.line("continue;"),
            Stmt::Return(None) => self.line("return;"),
            Stmt::Return(Some(e)) => {
                let v = self.expr(cx, *e)?;
                self.line(&format!("return {v};"));
            }
            Stmt::Raise { kind, message, .. } => {
                let text = js_string(&format!("{}: {message}", kind.name()));
                self.line(&format!("throw new Error({text});"));
            }
            Stmt::Append { list, value } => {
                let d = self.dtype(*value)?;
                if self.ty(*list) != &Ty::List(d) {
                    return Err("internal: append to a non-list".to_owned());
                }
                let v = self.expr(cx, *value)?;
                if let Expr::Local(_) = self.f.get(*list) {
                    let l = self.expr(cx, *list)?;
                    self.line(&format!("{l}.push({v});"));
                } else {
                    let t = self.temp();
                    self.line(&format!("{t} = {v};"));
                    let l = self.expr(cx, *list)?;
                    self.line(&format!("({l}).push({t});"));
                }
            }
            Stmt::Eval(e) => {
                let v = self.expr(cx, *e)?;
                if v.starts_with('{') {
                    self.line(&format!("void ({v});"));
                } else {
                    self.line(&format!("{v};"));
                }
            }
            Stmt::ParFor(p) => self.par_for(cx, p)?,
        }
        Ok(())
    }

    fn cond(&mut self, cx: &mut Cx, e: ExprId) -> R<String> {
        let d = self.dtype(e)?;
        let v = self.expr(cx, e)?;
        Ok(scalar::truth(d, &v))
    }

    fn assign(&mut self, cx: &mut Cx, l: LocalId, e: ExprId) -> R<()> {
        let Some(v) = self.vars.get(l.index()).cloned() else {
            return Err("internal: a local outside its function".to_owned());
        };
        if self.ty(e) != self.local_ty(l) {
            return Err(format!(
                "internal: assignment of {} to a local of {}",
                self.ty(e),
                self.local_ty(l)
            ));
        }
        if v.array.is_none() {
            let x = self.expr(cx, e)?;
            self.line(&format!("{} = {};", v.base, strip_parens(&x)));
            return Ok(());
        }
        if let Expr::Local(m) = self.f.get(e) {
            // Array to array of the same type: the variables one by one.
            let w = self.vars[m.index()].clone();
            if m == &l {
                return Ok(());
            }
            let a = v.array.unwrap_or(ArrayTy {
                dtype: DType::F64,
                ndim: 0,
                layout: Layout::C,
            });
            let nd = usize::from(a.ndim);
            self.line(&format!("{} = {};", v.d(), w.d()));
            if a.layout == Layout::Any {
                self.line(&format!("{} = {};", v.o(), w.o()));
            }
            for k in 0..nd {
                self.line(&format!("{} = {};", v.n(k), w.n(k)));
                if a.layout == Layout::Any || k + 1 < nd {
                    self.line(&format!("{} = {};", v.t(k), w.t(k)));
                }
            }
            return Ok(());
        }
        let x = self.expr(cx, e)?;
        let t = self.temp();
        self.line(&format!("{t} = {x};"));
        self.explode(l, &t)
    }

    /// `array[index...] = value`.
    fn store(&mut self, cx: &mut Cx, array: ExprId, index: &[ExprId], value: ExprId) -> R<()> {
        let Some(at) = self.ty(array).array() else {
            return Err("internal: store into a non-array".to_owned());
        };
        let vd = self.dtype(value)?;
        if vd != at.dtype {
            return Err("internal: store of another dtype".to_owned());
        }
        let in_bounds = self.f.is_in_bounds(array);
        let v = self.expr(cx, value)?;
        let (target, checks) = self.element(cx, array, index, in_bounds)?;
        // Python computes the value before the array and the indices: where an index may
        // raise or read what the value's computation may change, the value goes first.
        let plain = index.iter().all(|&i| self.plain(i));
        if is_atom(&v) || (!checks && plain) {
            let stored = scalar::write(at.dtype, strip_parens(&v));
            self.line(&format!("{target} = {};", strip_parens(&stored)));
        } else {
            let t = self.temp();
            self.line(&format!("{t} = {};", strip_parens(&v)));
            let stored = scalar::write(at.dtype, &t);
            self.line(&format!("{target} = {};", strip_parens(&stored)));
        }
        Ok(())
    }

    /// Whether `e` reads nothing that a call could change (constants, locals, arithmetic).
    fn plain(&self, e: ExprId) -> bool {
        match self.f.get(e) {
            Expr::Const(_) | Expr::Local(_) | Expr::Dim(..) => true,
            Expr::Cast(a, _) | Expr::Unary(_, a) => self.plain(*a),
            Expr::Binary(_, a, b) => self.plain(*a) && self.plain(*b),
            _ => false,
        }
    }

    /// The JS element reference `d[offset]` of `array[index...]`, and whether computing it
    /// can raise (a wrap of a possibly negative index).
    fn element(
        &mut self,
        cx: &mut Cx,
        array: ExprId,
        index: &[ExprId],
        in_bounds: bool,
    ) -> R<(String, bool)> {
        let Some(at) = self.ty(array).array() else {
            return Err("internal: element of a non-array".to_owned());
        };
        if index.len() != usize::from(at.ndim) {
            return Err("internal: wrong number of indices".to_owned());
        }
        for &i in index {
            if !self.dtype(i)?.is_int() {
                return Err("internal: a non-integer index".to_owned());
            }
        }
        // The base: a local, or an integer view of a local (`m[i][j]`).
        let (base, lead): (Option<LocalId>, Vec<ExprId>) = match self.f.get(array) {
            Expr::Local(l) => (Some(*l), Vec::new()),
            Expr::View(b, idx)
                if matches!(self.f.get(*b), Expr::Local(_))
                    && idx.iter().all(|i| matches!(i, Index::At(_))) =>
            {
                let Expr::Local(l) = self.f.get(*b) else {
                    unreachable!()
                };
                let lead = idx
                    .iter()
                    .filter_map(|i| match i {
                        Index::At(x) => Some(*x),
                        Index::Slice { .. } => None,
                    })
                    .collect();
                (Some(*l), lead)
            }
            _ => (None, Vec::new()),
        };
        let mut checks = false;
        if let Some(l) = base {
            let v = self.vars[l.index()].clone();
            let Some(a) = v.array else {
                return Err("internal: a view of a non-array".to_owned());
            };
            let nd = usize::from(a.ndim);
            let all: Vec<ExprId> = lead.iter().chain(index).copied().collect();
            if all.len() != nd {
                return Err("internal: wrong number of indices".to_owned());
            }
            let mut terms = Vec::new();
            if a.layout == Layout::Any {
                terms.push(v.o());
            }
            for (k, &i) in all.iter().enumerate() {
                // Only the load's own indices are proven by the bounds pass.
                let proven = in_bounds && k >= lead.len();
                let (x, c) = self.index(cx, i, &v.n(k), k, proven)?;
                checks |= c;
                let last_c = a.layout == Layout::C && k + 1 == nd;
                terms.push(if last_c {
                    x
                } else {
                    format!("{} * {}", paren_product(&x), v.t(k))
                });
            }
            if terms.is_empty() {
                terms.push("0".to_owned());
            }
            return Ok((format!("{}[{}]", v.d(), terms.join(" + ")), checks));
        }
        // Any other array: its object in a temporary.
        let ra = self.expr(cx, array)?;
        let t = self.temp();
        let mut terms = vec![format!("{t}.o")];
        for (k, &i) in index.iter().enumerate() {
            let (x, _) = self.index(cx, i, &format!("{t}.s[{k}]"), k, in_bounds)?;
            terms.push(format!("{} * {t}.t[{k}]", paren_product(&x)));
        }
        Ok((format!("({t} = {ra}, {t}.d)[{}]", terms.join(" + ")), true))
    }

    /// An index on an axis of extent `n` (JS text), wrapped unless provably non-negative.
    fn index(
        &mut self,
        cx: &mut Cx,
        i: ExprId,
        n: &str,
        axis: usize,
        proven: bool,
    ) -> R<(String, bool)> {
        let x = self.expr(cx, i)?;
        if proven || self.nonneg_expr(i) {
            return Ok((x, false));
        }
        cx.helper("w");
        if is_ident(&x) {
            Ok((format!("({x} < 0 ? $w({x}, {n}, {axis}) : {x})"), true))
        } else {
            Ok((format!("$w({}, {n}, {axis})", strip_parens(&x)), true))
        }
    }

    fn nonneg_expr(&self, e: ExprId) -> bool {
        expr_nonneg(self.f, e, &self.nonneg)
    }

    /// `for var in range(start, stop, step)`.
    fn for_range(
        &mut self,
        cx: &mut Cx,
        var: LocalId,
        bounds: [ExprId; 3],
        body: &'p [Stmt],
    ) -> R<()> {
        let Some(Ty::Scalar(vd)) = self.f.locals.get(var.index()).map(|l| &l.ty) else {
            return Err("internal: a loop variable that is not a scalar".to_owned());
        };
        let vd = *vd;
        let mut b = Vec::new();
        for e in bounds {
            let d = self.dtype(e)?;
            if !d.is_int() {
                return Err("internal: a range bound that is not an integer".to_owned());
            }
            let x = self.expr(cx, e)?;
            b.push(scalar::cast(cx, d, DType::I64, &x, false));
        }
        self.loops += 1;
        let (i, end) = (format!("$i{}", self.loops), format!("$e{}", self.loops));
        let v = self.vars[var.index()].base.clone();
        let value = scalar::cast(cx, DType::I64, vd, &i, false);
        let k = match self.f.get(bounds[2]) {
            Expr::Const(s) if s.dtype().is_int() => Some(s.to_i128()),
            _ => None,
        };
        match k {
            Some(0) => {
                cx.helper("zerostep");
                self.line(&format!("{};", b[0]));
                self.line(&format!("{};", b[1]));
                self.line("$zerostep();");
            }
            Some(k) => {
                let (cmp, inc) = match k {
                    1 => ("<", format!("{i}++")),
                    -1 => (">", format!("{i}--")),
                    k if k > 0 => ("<", format!("{i} += {k}")),
                    k => (">", format!("{i} -= {}", -k)),
                };
                self.line(&format!(
                    "for (let {i} = {}, {end} = {}; {i} {cmp} {end}; {inc}) {{",
                    strip_parens(&b[0]),
                    strip_parens(&b[1])
                ));
                self.depth += 1;
                self.line(&format!("{v} = {};", strip_parens(&value)));
                self.body(cx, body)?;
                self.depth -= 1;
                self.line("}");
            }
            None => {
                cx.helper("zerostep");
                let st = format!("$st{}", self.loops);
                self.line(&format!(
                    "for (let {i} = {}, {end} = {}, {st} = {} || $zerostep(); {st} > 0 ? {i} < {end} : {i} > {end}; {i} += {st}) {{",
                    strip_parens(&b[0]),
                    strip_parens(&b[1]),
                    b[2]
                ));
                self.depth += 1;
                self.line(&format!("{v} = {};", strip_parens(&value)));
                self.body(cx, body)?;
                self.depth -= 1;
                self.line("}");
            }
        }
        Ok(())
    }

    /// A parallel loop: the chunks `kir::parallel::chunk_plan` makes, each one call of the
    /// chunk function, then each chunk's partials combined in order (as numwasm runs it, so
    /// that float reductions round the same).
    fn par_for(&mut self, cx: &mut Cx, p: &'p ParLoop) -> R<()> {
        let Expr::Call(id, args) = self.f.get(p.call) else {
            return Err("internal: a parallel loop without its call".to_owned());
        };
        let Some(g) = self.program.functions.get(id.index()) else {
            return Err("internal: a call of a missing function".to_owned());
        };
        if g.n_params != args.len() + 4 {
            return Err("internal: a chunk function of the wrong arity".to_owned());
        }
        // Facts for the chunk function's parameters.
        let mut facts: Vec<bool> = args.iter().map(|&a| self.nonneg_expr(a)).collect();
        let step_pos = self.nonneg_expr(p.bounds[2]);
        facts.extend([self.nonneg_expr(p.bounds[0]), step_pos, true, true]);
        self.callee_facts.push((id.index(), facts));

        let n = self.loops + 1;
        self.loops = n;
        let mut b = Vec::new();
        for &e in &p.bounds {
            let d = self.dtype(e)?;
            if !d.is_int() {
                return Err("internal: a range bound that is not an integer".to_owned());
            }
            let x = self.expr(cx, e)?;
            b.push(scalar::cast(cx, d, DType::I64, &x, false));
        }
        cx.helper("zerostep");
        cx.helper("chunk");
        let (s, e, st, trips) = (
            format!("$ps{n}"),
            format!("$pe{n}"),
            format!("$pst{n}"),
            format!("$trips{n}"),
        );
        self.line("{");
        self.depth += 1;
        self.line(&format!(
            "const {s} = {}, {e} = {}, {st} = {} || $zerostep();",
            strip_parens(&b[0]),
            strip_parens(&b[1]),
            b[2]
        ));
        self.line(&format!(
            "const {trips} = {st} > 0 ? ({s} < {e} ? Math.floor(({e} - {s} - 1) / {st}) + 1 : 0) : ({s} > {e} ? Math.floor(({s} - {e} - 1) / -{st}) + 1 : 0);"
        ));
        let mut caps = Vec::new();
        for (k, &a) in args.iter().enumerate() {
            let x = self.expr(cx, a)?;
            let c = format!("$pc{n}_{k}");
            self.line(&format!("const {c} = {};", strip_parens(&x)));
            caps.push(c);
        }
        let by_cost = if p.cost_ns.is_finite() && p.cost_ns > 0.0 {
            (MIN_CHUNK_NS / p.cost_ns).ceil().min(1e18)
        } else {
            1.0
        };
        let chunk = format!("$chunk{n}");
        self.line(&format!(
            "const {chunk} = $chunk({trips}, {}), $count{n} = Math.ceil({trips} / {chunk});",
            scalar::f64_lit(by_cost)
        ));
        let results = format!("$res{n}");
        self.line(&format!("const {results} = [];"));
        caps.extend([s.clone(), st.clone()]);
        self.line(&format!("for (let $c = 0; $c < $count{n}; $c++) {{"));
        self.depth += 1;
        self.line(&format!(
            "const $lo = Math.min($c * {chunk}, {trips}), $hi = Math.min($lo + {chunk}, {trips});"
        ));
        self.line(&format!(
            "{results}.push({}({}, $lo, $hi));",
            self.names[id.index()],
            caps.join(", ")
        ));
        self.depth -= 1;
        self.line("}");
        if !p.partials.is_empty() {
            self.line(&format!("for (const $r of {results}) {{"));
            self.depth += 1;
            for (k, &q) in p.partials.iter().enumerate() {
                let src = if p.partials.len() == 1 {
                    "$r".to_owned()
                } else {
                    format!("$r[{k}]")
                };
                match self.vars.get(q.index()).cloned() {
                    Some(v) if v.array.is_some() => self.explode(q, &src)?,
                    Some(v) => self.line(&format!("{} = {src};", v.base)),
                    None => return Err("internal: a partial outside its function".to_owned()),
                }
            }
            self.body(cx, &p.combine)?;
            self.depth -= 1;
            self.line("}");
        }
        self.depth -= 1;
        self.line("}");
        Ok(())
    }

    /// A JS expression for `e` (an array as its object `{ d, o, s, t }`).
    fn expr(&mut self, cx: &mut Cx, e: ExprId) -> R<String> {
        if e.index() >= self.f.expr_count() {
            return Err("internal: an expression outside its function".to_owned());
        }
        let f = self.f;
        Ok(match f.get(e) {
            Expr::Const(s) => {
                if Ty::Scalar(s.dtype()) != *self.ty(e) {
                    return Err("internal: a constant of another type".to_owned());
                }
                scalar::literal(*s)
            }
            Expr::NoneVal => "undefined".to_owned(),
            Expr::Local(l) => {
                if l.index() >= self.vars.len() {
                    return Err("internal: a local outside its function".to_owned());
                }
                self.boxed(*l)
            }
            Expr::Cast(a, d) => {
                let from = self.dtype(*a)?;
                let x = self.expr(cx, *a)?;
                scalar::cast(cx, from, *d, &x, true)
            }
            Expr::Unary(op, a) => {
                let d = self.dtype(*a)?;
                let x = self.expr(cx, *a)?;
                scalar::unary(cx, *op, d, &x)?
            }
            Expr::Binary(op, a, b) => {
                let d = self.dtype(*a)?;
                if self.dtype(*b)? != d {
                    return Err("internal: operands of two dtypes".to_owned());
                }
                let x = self.expr(cx, *a)?;
                let y = self.expr(cx, *b)?;
                let k = const_f64(f, *b);
                scalar::binary(cx, *op, d, &x, &y, k)?
            }
            Expr::PyDiv(op, a, b) => self.py_div(cx, e, *op, *a, *b)?,
            Expr::Cond(c, a, b) => {
                let c = self.cond(cx, *c)?;
                let x = self.expr(cx, *a)?;
                let y = self.expr(cx, *b)?;
                format!("({c} ? {x} : {y})")
            }
            Expr::Load(a, idx) => {
                let Some(at) = self.ty(*a).array() else {
                    return Err("internal: a load from a non-array".to_owned());
                };
                let (el, _) = self.element(cx, *a, idx, f.is_in_bounds(e))?;
                scalar::read(at.dtype, &el)
            }
            Expr::View(a, idx) => {
                let Some(at) = self.ty(*a).array() else {
                    return Err("internal: a view of a non-array".to_owned());
                };
                if idx.len() > usize::from(at.ndim) {
                    return Err("internal: too many subscripts".to_owned());
                }
                let ra = self.expr(cx, *a)?;
                if idx.is_empty() {
                    ra
                } else {
                    let mut parts = Vec::new();
                    for i in idx {
                        match *i {
                            Index::At(x) => {
                                self.int_operand(x)?;
                                parts.push(strip_parens(&self.expr(cx, x)?).to_owned());
                            }
                            Index::Slice { start, stop, step } => {
                                let mut s = Vec::new();
                                for p in [start, stop, step] {
                                    s.push(match p {
                                        Some(x) => {
                                            self.int_operand(x)?;
                                            strip_parens(&self.expr(cx, x)?).to_owned()
                                        }
                                        None => "undefined".to_owned(),
                                    });
                                }
                                parts.push(format!("[{}]", s.join(", ")));
                            }
                        }
                    }
                    cx.helper("view");
                    format!("$view({ra}, [{}])", parts.join(", "))
                }
            }
            Expr::Dim(a, axis) => {
                let Some(at) = self.ty(*a).array() else {
                    return Err("internal: dim of a non-array".to_owned());
                };
                if *axis >= at.ndim {
                    return Err("internal: dim past the array's dimensions".to_owned());
                }
                if let Expr::Local(l) = f.get(*a) {
                    self.vars[l.index()].n(usize::from(*axis))
                } else {
                    let ra = self.expr(cx, *a)?;
                    format!("({ra}).s[{axis}]")
                }
            }
            Expr::Tuple(items) => {
                let mut parts = Vec::new();
                for &x in items {
                    parts.push(strip_parens(&self.expr(cx, x)?).to_owned());
                }
                format!("[{}]", parts.join(", "))
            }
            Expr::TupleGet(t, i) => {
                let Ty::Tuple(items) = self.ty(*t) else {
                    return Err("internal: an item of a non-tuple".to_owned());
                };
                if *i as usize >= items.len() {
                    return Err("internal: a tuple item past its end".to_owned());
                }
                let x = self.expr(cx, *t)?;
                format!("{}[{i}]", paren_member(&x))
            }
            Expr::ListLen(l) => {
                let x = self.expr(cx, *l)?;
                format!("{}.length", paren_member(&x))
            }
            Expr::ListGet(l, i) => {
                let Ty::List(_) = self.ty(*l) else {
                    return Err("internal: an item of a non-list".to_owned());
                };
                self.int_operand(*i)?;
                cx.helper("lw");
                let x = self.expr(cx, *l)?;
                let y = self.expr(cx, *i)?;
                if is_ident(&x) {
                    format!("{x}[$lw({}, {x}.length)]", strip_parens(&y))
                } else {
                    let t = self.temp();
                    format!("({t} = {x}, {t}[$lw({}, {t}.length)])", strip_parens(&y))
                }
            }
            Expr::Call(id, args) => {
                let Some(g) = self.program.functions.get(id.index()) else {
                    return Err("internal: a call of a missing function".to_owned());
                };
                if g.n_params != args.len() {
                    return Err("internal: a call with the wrong number of arguments".to_owned());
                }
                let mut parts = Vec::new();
                for &a in args {
                    parts.push(strip_parens(&self.expr(cx, a)?).to_owned());
                }
                format!("{}({})", self.names[id.index()], parts.join(", "))
            }
            Expr::Intrinsic(op, args) => {
                let mut vals = Vec::new();
                for &a in args {
                    vals.push(strip_parens(&self.expr(cx, a)?).to_owned());
                }
                let tys: Vec<&Ty> = args.iter().map(|&a| self.ty(a)).collect();
                let k = args.get(1).and_then(|&b| const_f64(f, b));
                intrinsic::emit(cx, *op, &vals, &tys, self.ty(e), k)?
            }
        })
    }

    fn int_operand(&self, e: ExprId) -> R<()> {
        if self.dtype(e)?.is_int() {
            Ok(())
        } else {
            Err("internal: a non-integer subscript".to_owned())
        }
    }

    /// `/`, `//`, `%` and integer `**` under Python's error model.
    fn py_div(&mut self, cx: &mut Cx, e: ExprId, op: BinaryOp, a: ExprId, b: ExprId) -> R<String> {
        let rd = self.dtype(e)?;
        let (xd, yd) = (self.dtype(a)?, self.dtype(b)?);
        if xd != yd {
            return Err("internal: operands of two dtypes".to_owned());
        }
        let float = xd.is_float();
        let x = self.expr(cx, a)?;
        let y = self.expr(cx, b)?;
        if op == BinaryOp::Pow && !float {
            if !xd.is_int() {
                return Err(format!(
                    "integer ** on {xd} is not generated in the JS baseline"
                ));
            }
            cx.helper("pypow");
            let (tb, te) = (self.temp(), self.temp());
            let xb = scalar::cast(cx, xd, rd, &tb, false);
            let xe = scalar::cast(cx, yd, rd, &te, false);
            let pow = scalar::binary(cx, BinaryOp::Pow, rd, &xb, &xe, None)?;
            let neg = scalar::wrap(rd, &format!("$pypow({tb}, {te})"));
            return Ok(format!(
                "({tb} = {}, {te} = {}, {te} < 0 ? {neg} : {pow})",
                strip_parens(&x),
                strip_parens(&y)
            ));
        }
        let message = match (op, float) {
            (BinaryOp::FloorDiv, false) => "integer division by zero",
            (BinaryOp::Mod, false) => "integer modulo by zero",
            (BinaryOp::TrueDiv, _) | (BinaryOp::FloorDiv, true) => "division by zero",
            (BinaryOp::Mod, true) => "modulo by zero",
            _ => {
                return Err(format!(
                    "py.{} is not generated in the JS baseline",
                    op.name()
                ));
            }
        };
        cx.helper("pydiv");
        let checked = format!("$pydiv({}, {})", strip_parens(&y), js_string(message));
        let xc = scalar::cast(cx, xd, rd, &x, false);
        let yc = scalar::cast(cx, yd, rd, &checked, false);
        scalar::binary(cx, op, rd, &xc, &yc, None)
    }
}

/// The value of a constant float or integer expression, for the constant-power rule.
fn const_f64(f: &Function, e: ExprId) -> Option<f64> {
    match f.get(e) {
        Expr::Const(s) => Some(s.to_f64()),
        _ => None,
    }
}

/// Whether `s` is a JS identifier.
fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

/// Whether `s` is an identifier or a number literal (cheap and pure to evaluate anywhere).
fn is_atom(s: &str) -> bool {
    if is_ident(s) {
        return true;
    }
    let t = s
        .strip_prefix("(-")
        .and_then(|t| t.strip_suffix(')'))
        .unwrap_or(s);
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
        && (t.starts_with(|c: char| c.is_ascii_digit()) || t == "Infinity" || t == "NaN")
}

/// `s` without one pair of enclosing parentheses, when they enclose the whole of it.
fn strip_parens(s: &str) -> &str {
    let Some(inner) = s.strip_prefix('(').and_then(|t| t.strip_suffix(')')) else {
        return s;
    };
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth < 0 {
                    return s;
                }
            }
            '"' | '\'' | '`' => return s,
            ',' if depth == 0 => return s,
            _ => {}
        }
    }
    if depth == 0 { inner } else { s }
}

/// `x` as an operand of `*`: parenthesized unless it is an atom, a call or a member.
fn paren_product(x: &str) -> String {
    if is_atom(x) || (x.starts_with('(') && strip_parens(x) != x) || is_call(x) {
        x.to_owned()
    } else {
        format!("({x})")
    }
}

/// `x` as the object of a member access.
fn paren_member(x: &str) -> String {
    if is_ident(x) || is_call(x) || (x.starts_with('(') && strip_parens(x) != x) {
        x.to_owned()
    } else {
        format!("({x})")
    }
}

/// Whether `x` is a call `name(...)` as a whole.
fn is_call(x: &str) -> bool {
    let Some(open) = x.find('(') else {
        return false;
    };
    if !is_ident(&x[..open].replace('.', "_")) {
        return false;
    }
    // The parenthesis that closes the first must be the last character.
    let mut depth = 0i32;
    for (i, c) in x[open..].char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return open + i + 1 == x.len();
                }
            }
            '"' | '\'' | '`' => return false,
            _ => {}
        }
    }
    false
}

/// The integer locals of `f` that only ever hold non-negative values: the greatest set
/// closed under its assignments (parameters only where `params` says so).
fn nonneg_locals(f: &Function, params: &[bool]) -> HashSet<LocalId> {
    let mut set: HashSet<LocalId> = (0..f.locals.len())
        .map(LocalId::from_index)
        .filter(|l| matches!(f.locals[l.index()].ty, Ty::Scalar(d) if d.is_int()))
        .filter(|l| l.index() >= f.n_params || params.get(l.index()).copied().unwrap_or(false))
        .collect();
    loop {
        let mut removed = Vec::new();
        check_body(f, &f.body, &set, &mut removed);
        if removed.is_empty() {
            return set;
        }
        for l in removed {
            set.remove(&l);
        }
    }
}

fn check_body(f: &Function, body: &[Stmt], set: &HashSet<LocalId>, removed: &mut Vec<LocalId>) {
    for st in body {
        match st {
            Stmt::Assign(l, e) => {
                if set.contains(l) && !expr_nonneg(f, *e, set) {
                    removed.push(*l);
                }
            }
            Stmt::If {
                then, otherwise, ..
            } => {
                check_body(f, then, set, removed);
                check_body(f, otherwise, set, removed);
            }
            Stmt::While { body, .. } => check_body(f, body, set, removed),
            Stmt::For {
                var,
                start,
                stop,
                step,
                body,
                ..
            } => {
                let vd = f.locals.get(var.index()).and_then(|l| l.ty.scalar());
                let ok = match (vd, f.get(*step)) {
                    (Some(d), _) if d.is_unsigned_int() => true,
                    (Some(DType::I64), Expr::Const(k)) => {
                        let k = k.to_i128();
                        (k > 0 && expr_nonneg(f, *start, set))
                            || (k < 0
                                && (expr_nonneg(f, *stop, set)
                                    || matches!(f.get(*stop), Expr::Const(s) if s.to_i128() >= -1)))
                    }
                    (Some(DType::I64), _) => {
                        expr_nonneg(f, *step, set) && expr_nonneg(f, *start, set)
                    }
                    _ => false,
                };
                if set.contains(var) && !ok {
                    removed.push(*var);
                }
                check_body(f, body, set, removed);
            }
            Stmt::ParFor(p) => {
                for q in &p.partials {
                    if set.contains(q) {
                        removed.push(*q);
                    }
                }
                check_body(f, &p.combine, set, removed);
            }
            _ => {}
        }
    }
}

/// Whether integer expression `e` is non-negative whenever the locals of `set` are.
fn expr_nonneg(f: &Function, e: ExprId, set: &HashSet<LocalId>) -> bool {
    if e.index() >= f.expr_count() {
        return false;
    }
    let Some(d) = f.ty(e).scalar() else {
        return false;
    };
    if d.is_unsigned_int() {
        return true;
    }
    if !d.is_int() {
        return false;
    }
    let nn = |x: ExprId| expr_nonneg(f, x, set);
    let wide = d == DType::I64;
    match f.get(e) {
        Expr::Const(s) => s.to_i128() >= 0,
        Expr::Local(l) => set.contains(l),
        Expr::Dim(..)
        | Expr::ListLen(_)
        | Expr::Intrinsic(
            crate::kir::Intrinsic::Size
            | crate::kir::Intrinsic::ArgMin
            | crate::kir::Intrinsic::ArgMax,
            _,
        ) => true,
        Expr::Binary(op, a, b) | Expr::PyDiv(op, a, b) => match op {
            BinaryOp::Add | BinaryOp::Mul | BinaryOp::FloorDiv => wide && nn(*a) && nn(*b),
            BinaryOp::Minimum | BinaryOp::Fmin => nn(*a) && nn(*b),
            BinaryOp::Maximum | BinaryOp::Fmax => nn(*a) || nn(*b),
            BinaryOp::Mod => nn(*b),
            BinaryOp::Shr => nn(*a),
            _ => false,
        },
        Expr::Cast(a, _) => {
            wide && matches!(f.ty(*a).scalar(), Some(s) if s.is_int() && s.size() < 8 || s == DType::I64)
                && nn(*a)
        }
        Expr::Cond(_, a, b) => nn(*a) && nn(*b),
        _ => false,
    }
}

/// Checks that every handle of the program points inside it, so that generating never
/// indexes outside a function's tables.
fn check_handles(program: &Program) -> R<()> {
    let bad = || Err("internal: a handle outside its function".to_owned());
    for f in &program.functions {
        let n = f.expr_count();
        let e_ok = |e: &ExprId| e.index() < n;
        let l_ok = |l: &LocalId| l.index() < f.locals.len();
        if f.n_params > f.locals.len() {
            return bad();
        }
        for i in 0..n {
            let e = f.get(ExprId::from_index(i));
            let ok = match e {
                Expr::Const(_) | Expr::NoneVal => true,
                Expr::Local(l) => l_ok(l),
                Expr::Cast(a, _)
                | Expr::Unary(_, a)
                | Expr::Dim(a, _)
                | Expr::TupleGet(a, _)
                | Expr::ListLen(a) => e_ok(a),
                Expr::Binary(_, a, b) | Expr::PyDiv(_, a, b) | Expr::ListGet(a, b) => {
                    e_ok(a) && e_ok(b)
                }
                Expr::Cond(c, a, b) => e_ok(c) && e_ok(a) && e_ok(b),
                Expr::Load(a, idx) => e_ok(a) && idx.iter().all(e_ok),
                Expr::View(a, idx) => {
                    e_ok(a)
                        && idx.iter().all(|i| match i {
                            Index::At(x) => e_ok(x),
                            Index::Slice { start, stop, step } => [start, stop, step]
                                .iter()
                                .all(|p| p.as_ref().is_none_or(e_ok)),
                        })
                }
                Expr::Tuple(items) | Expr::Intrinsic(_, items) => items.iter().all(e_ok),
                Expr::Call(g, args) => g.index() < program.functions.len() && args.iter().all(e_ok),
            };
            if !ok {
                return bad();
            }
        }
        if !stmts_ok(&f.body, &e_ok, &l_ok) {
            return bad();
        }
    }
    Ok(())
}

fn stmts_ok(
    body: &[Stmt],
    e_ok: &dyn Fn(&ExprId) -> bool,
    l_ok: &dyn Fn(&LocalId) -> bool,
) -> bool {
    body.iter().all(|st| match st {
        Stmt::Assign(l, e) => l_ok(l) && e_ok(e),
        Stmt::Store {
            array,
            index,
            value,
            ..
        } => e_ok(array) && e_ok(value) && index.iter().all(e_ok),
        Stmt::If {
            cond,
            then,
            otherwise,
        } => e_ok(cond) && stmts_ok(then, e_ok, l_ok) && stmts_ok(otherwise, e_ok, l_ok),
        Stmt::For {
            var,
            start,
            stop,
            step,
            body,
            ..
        } => l_ok(var) && e_ok(start) && e_ok(stop) && e_ok(step) && stmts_ok(body, e_ok, l_ok),
        Stmt::While { cond, body } => e_ok(cond) && stmts_ok(body, e_ok, l_ok),
        Stmt::Break | Stmt::Continue | Stmt::Return(None) | Stmt::Raise { .. } => true,
        Stmt::Return(Some(e)) | Stmt::Eval(e) => e_ok(e),
        Stmt::Append { list, value } => e_ok(list) && e_ok(value),
        Stmt::ParFor(p) => {
            e_ok(&p.call)
                && p.bounds.iter().all(e_ok)
                && p.partials.iter().all(l_ok)
                && stmts_ok(&p.combine, e_ok, l_ok)
        }
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_and_strings_are_safe_in_the_text() {
        assert_eq!(super::sanitize("band.inside"), "band_inside");
        assert_eq!(super::sanitize("$partial0"), "_partial0");
        assert_eq!(super::js_string("a\u{2028}\"\\\n"), r#""a\u2028\"\\\n""#);
    }
}
