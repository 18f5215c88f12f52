//! One kir function compiled to one wasm function: its locals mapped to wasm locals (an
//! array local to its descriptor's address and the fields read from it), its statements
//! to structured control flow, its expressions to stack code in the executor's order of
//! evaluation, and every error to a site of the module.
//!
//! The types are checked as the code is emitted: where the executor would find a value
//! that is not of its expression's type (an internal error, a front-end bug), the
//! function is refused, so that the engine runs the executor and reports that error as it
//! does.

use wasm_encoder::{BlockType, Instruction as I, ValType};

mod array;
mod broadcast;
mod dot;
mod intrinsic;
mod list;
mod map;
mod parallel;
mod range;
mod reduce;
mod reshape;
mod simd;
mod stack;
mod tuple;
mod walk;

pub(super) use array::memarg;
use array::{load, store};

use super::check::FunctionFacts;
use super::code::{Callee, Code, ERROR, Helpers, Label};
use super::scalar::{self, Cast, val_type};
use super::{ErrorSite, SiteError, Unsupported};
use crate::kir::{
    ArrayTy, Expr, ExprId, FuncId, Function, Intrinsic, Layout, LocalId, Program, RaiseKind, Stmt,
    Ty,
};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, Scalar, UnaryOp, binary_signature, unary_signature};

/// The most wasm locals a function may declare: V8 refuses more than 50000.
const MAX_LOCALS: usize = 50_000;

/// The most instructions of a function: V8 refuses a body over 7,654,321 bytes, and an
/// instruction takes at most 11 (an `i64.const`).
const MAX_INSTRUCTIONS: usize = 600_000;

/// What one function's compilation needs from the whole program.
pub(super) struct Context<'a> {
    pub program: &'a Program,
    /// The function's index in the program.
    pub index: usize,
    pub facts: &'a FunctionFacts,
    /// By function: the error code it sets when it falls off its end without a value.
    pub fell_off: &'a [Option<u32>],
}

/// A compiled function and its wasm signature. Its code is finished by `assemble`, once
/// the number of imports that its calls are offset by is known.
pub(super) struct Compiled {
    pub params: Vec<ValType>,
    pub results: Vec<ValType>,
    pub code: Code,
}

/// The executor's error for a function that falls off its end but is typed to return a
/// value.
pub(super) fn returns_none(f: &Function) -> SiteError {
    SiteError::Fixed {
        kind: RaiseKind::RuntimeError,
        message: format!("internal: {} returns none, declared {}", f.name, f.ret),
    }
}

/// Whether a value of type `actual` is always a value of type `declared` (the
/// executor's `conforms`, known when compiling): a C array is also an `A` array.
fn fits(actual: &Ty, declared: &Ty) -> bool {
    match (actual, declared) {
        (Ty::Scalar(a), Ty::Scalar(b)) | (Ty::List(a), Ty::List(b)) => a == b,
        (Ty::Array(a), Ty::Array(b)) => {
            a.dtype == b.dtype
                && a.ndim == b.ndim
                && (b.layout == Layout::Any || a.layout == Layout::C)
        }
        (Ty::Tuple(a), Ty::Tuple(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| fits(x, y))
        }
        (Ty::None, Ty::None) => true,
        _ => false,
    }
}

/// The executor's `binary_in`: `op` computes in `d` itself.
fn binary_in(op: BinaryOp, d: DType) -> bool {
    matches!(binary_signature(op, d), Ok((c, _)) if c == d)
}

/// The executor's `unary_in`.
fn unary_in(op: UnaryOp, d: DType) -> bool {
    matches!(unary_signature(op, d), Ok((c, _)) if c == d)
}

/// The wasm locals of an array local: its descriptor's address and the fields read from
/// it where the array was bound.
struct ArrayCache {
    ptr: u32,
    data: u32,
    /// Extents as `i64`, to compare with indices.
    ext: Vec<u32>,
    /// Strides in elements, `i32`.
    stride: Vec<u32>,
}

enum Slot {
    None,
    Scalar(u32),
    Array(ArrayCache),
    /// A list's header address.
    List(u32),
    /// A tuple's wasm values (`tuple::flat`), an array or list among them as its address.
    Tuple(Vec<u32>),
}

struct LocalSlot {
    slot: Slot,
    /// Set to 1 when assigned, for a local that may be read before.
    flag: Option<u32>,
}

/// Compiles the function `cx.index` of the program.
pub(super) fn compile(
    cx: &Context<'_>,
    sites: &mut Vec<ErrorSite>,
    helpers: &mut Helpers,
) -> Result<Compiled, Unsupported> {
    let f = &cx.program.functions[cx.index];
    let unsupported = |what: &str| Unsupported::new(&f.name, Span::default(), what);
    let ret = tuple::flat(&f.ret);
    let mut params = Vec::with_capacity(f.n_params);
    for p in f.params() {
        let ty = &f.local_decl(p).ty;
        if *ty == Ty::None {
            return Err(unsupported("a parameter of type none"));
        }
        params.extend(tuple::flat(ty));
    }
    let mut g = Gen {
        cx,
        f,
        c: Code::new(params.clone()),
        locals: Vec::with_capacity(f.locals.len()),
        loops: Vec::new(),
        ret,
        sites,
        helpers,
    };
    g.bind_locals();
    g.body(&f.body)?;
    if let Some(code) = cx.fell_off[cx.index] {
        g.fail(code);
    }
    let (locals, instructions) = g.c.size();
    if locals > MAX_LOCALS || instructions > MAX_INSTRUCTIONS {
        return Err(unsupported(
            "a function too large for the engine to compile",
        ));
    }
    Ok(Compiled {
        params,
        results: g.ret,
        code: g.c,
    })
}

struct Gen<'a, 's> {
    cx: &'a Context<'a>,
    f: &'a Function,
    c: Code,
    locals: Vec<LocalSlot>,
    /// The open loops, innermost last: the labels `break` and `continue` branch to.
    loops: Vec<(Label, Label)>,
    /// The function's result values (`tuple::flat` of its type).
    ret: Vec<ValType>,
    sites: &'s mut Vec<ErrorSite>,
    helpers: &'s mut Helpers,
}

impl Gen<'_, '_> {
    // ---- locals -------------------------------------------------------------------

    /// Gives every kir local its wasm locals, and emits the prologue: narrow scalar
    /// arguments normalized, array arguments' descriptors read.
    fn bind_locals(&mut self) {
        let f = self.f;
        // A parameter's wasm parameters: a tuple takes as many as its values.
        let mut next = 0u32;
        let mut first = |g: &mut Self, param: bool, ty: &Ty| -> Vec<u32> {
            let types = tuple::flat(ty);
            if param {
                let at = next;
                next += types.len() as u32;
                (at..next).collect()
            } else {
                types.into_iter().map(|t| g.c.local(t)).collect()
            }
        };
        for (i, decl) in f.locals.iter().enumerate() {
            let param = i < f.n_params;
            let slot = match &decl.ty {
                Ty::Scalar(_) => Slot::Scalar(first(self, param, &decl.ty)[0]),
                Ty::List(_) => Slot::List(first(self, param, &decl.ty)[0]),
                Ty::Tuple(_) => Slot::Tuple(first(self, param, &decl.ty)),
                Ty::Array(at) => {
                    let ptr = first(self, param, &decl.ty)[0];
                    let data = self.c.local(ValType::I32);
                    let ext = (0..at.ndim).map(|_| self.c.local(ValType::I64)).collect();
                    let stride = (0..at.ndim).map(|_| self.c.local(ValType::I32)).collect();
                    Slot::Array(ArrayCache {
                        ptr,
                        data,
                        ext,
                        stride,
                    })
                }
                Ty::None => Slot::None,
            };
            let flag = self.cx.facts.flagged[i].then(|| self.c.local(ValType::I32));
            self.locals.push(LocalSlot { slot, flag });
        }
        for (i, decl) in f.locals.iter().enumerate().take(f.n_params) {
            match (&self.locals[i].slot, &decl.ty) {
                (Slot::Scalar(p), Ty::Scalar(d)) => {
                    if *d != DType::I32 && *d != DType::U32 && scalar::val_type(*d) == ValType::I32
                    {
                        self.c.push(I::LocalGet(*p));
                        scalar::normalize_arg(&mut self.c, *d);
                        self.c.push(I::LocalSet(*p));
                    }
                }
                (Slot::Array(_), _) => self.read_descriptor(i),
                _ => {}
            }
        }
    }

    /// Reads the descriptor of array local `l` (its address in its `ptr` local) into its
    /// wasm locals.
    fn read_descriptor(&mut self, l: usize) {
        let Slot::Array(a) = &self.locals[l].slot else {
            return;
        };
        let ndim = a.ext.len() as u64;
        let mut ins = vec![
            I::LocalGet(a.ptr),
            I::I32Load(memarg(0, 2)),
            I::LocalSet(a.data),
        ];
        for (k, (&e, &s)) in a.ext.iter().zip(&a.stride).enumerate() {
            let k = k as u64;
            ins.extend([
                I::LocalGet(a.ptr),
                I::I32Load(memarg(4 + 4 * k, 2)),
                I::I64ExtendI32U,
                I::LocalSet(e),
                I::LocalGet(a.ptr),
                I::I32Load(memarg(4 + 4 * ndim + 4 * k, 2)),
                I::LocalSet(s),
            ]);
        }
        for i in ins {
            self.c.push(i);
        }
    }

    /// Stores the value on the stack into local `l` and marks it assigned.
    fn set_local(&mut self, l: LocalId) {
        let i = l.index();
        match &self.locals[i].slot {
            Slot::None => {}
            Slot::Scalar(x) | Slot::List(x) => self.c.push(I::LocalSet(*x)),
            Slot::Array(a) => {
                self.c.push(I::LocalSet(a.ptr));
                self.read_descriptor(i);
            }
            Slot::Tuple(xs) => {
                for &x in xs.iter().rev() {
                    self.c.push(I::LocalSet(x));
                }
            }
        }
        if let Some(flag) = self.locals[i].flag {
            self.c.push(I::I32Const(1));
            self.c.push(I::LocalSet(flag));
        }
    }

    /// Raises the executor's RuntimeError where `e` reads local `l` before any assignment,
    /// if it may.
    fn check_assigned(&mut self, e: ExprId, l: LocalId) {
        if !self.cx.facts.checked[e.index()] {
            return;
        }
        let Some(flag) = self.locals[l.index()].flag else {
            return;
        };
        self.c.push(I::LocalGet(flag));
        self.c.push(I::I32Eqz);
        self.c.if_(BlockType::Empty);
        let message = format!(
            "local variable '{}' referenced before assignment",
            self.f.local_decl(l).name
        );
        self.raise(
            self.f.span(e),
            SiteError::Fixed {
                kind: RaiseKind::RuntimeError,
                message,
            },
        );
        self.c.end();
    }

    // ---- errors -------------------------------------------------------------------

    fn unsupported(&self, span: Span, what: impl Into<String>) -> Unsupported {
        Unsupported::new(&self.f.name, span, what)
    }

    fn ill_typed(&self, span: Span) -> Unsupported {
        self.unsupported(span, "an ill-typed program (a front-end bug)")
    }

    /// A new error site; its code is its index plus one.
    fn site(&mut self, span: Span, error: SiteError) -> u32 {
        self.sites.push(ErrorSite {
            function: self.cx.index,
            span,
            error,
        });
        self.sites.len() as u32
    }

    fn raise(&mut self, span: Span, error: SiteError) {
        let code = self.site(span, error);
        self.fail(code);
    }

    /// Sets the error code and returns a zero.
    fn fail(&mut self, code: u32) {
        self.c.push(I::I32Const(code as i32));
        self.c.push(I::GlobalSet(ERROR));
        self.return_zero();
    }

    fn return_zero(&mut self) {
        tuple::zeros(&mut self.c, &self.ret);
        self.c.push(I::Return);
    }

    // ---- types --------------------------------------------------------------------

    fn scalar_ty(&self, e: ExprId) -> Result<DType, Unsupported> {
        self.f
            .ty(e)
            .scalar()
            .ok_or_else(|| self.ill_typed(self.f.span(e)))
    }

    fn array_ty(&self, e: ExprId) -> Result<ArrayTy, Unsupported> {
        self.f
            .ty(e)
            .array()
            .ok_or_else(|| self.ill_typed(self.f.span(e)))
    }

    /// Refuses `e` unless its type is `ty`.
    fn expect(&self, e: ExprId, ty: &Ty) -> Result<(), Unsupported> {
        if self.f.ty(e) == ty {
            Ok(())
        } else {
            Err(self.ill_typed(self.f.span(e)))
        }
    }

    // ---- statements ---------------------------------------------------------------

    fn body(&mut self, body: &[Stmt]) -> Result<(), Unsupported> {
        for st in body {
            self.stmt(st)?;
        }
        Ok(())
    }

    fn stmt(&mut self, st: &Stmt) -> Result<(), Unsupported> {
        let f = self.f;
        match st {
            Stmt::Assign(l, e) => {
                if !fits(f.ty(*e), &f.local_decl(*l).ty) {
                    return Err(self.ill_typed(f.span(*e)));
                }
                self.expr(*e)?;
                self.set_local(*l);
            }
            Stmt::Store {
                array,
                index,
                value,
                span,
            } => {
                let at = self.array_ty(*array)?;
                if self.scalar_ty(*value)? != at.dtype {
                    return Err(self.ill_typed(*span));
                }
                let t = val_type(at.dtype);
                self.expr(*value)?;
                let v = self.c.temp(t);
                self.c.push(I::LocalSet(v));
                // (a store proven in bounds carries the mark on its array expression)
                self.element(*array, index, *span, !self.f.is_in_bounds(*array))?;
                self.c.push(I::LocalGet(v));
                self.c.push(store(at.dtype));
                self.c.release(t, v);
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                if let Some((list, value)) = self.branchless_append(then, otherwise) {
                    return self.append_when(Some(*cond), list, value);
                }
                self.truth(*cond)?;
                self.c.if_(BlockType::Empty);
                self.body(then)?;
                if !otherwise.is_empty() {
                    self.c.else_();
                    self.body(otherwise)?;
                }
                self.c.end();
            }
            Stmt::For {
                var,
                start,
                stop,
                step,
                body,
                parallel: _,
                span,
            } => self.for_range(*var, [*start, *stop, *step], body, *span)?,
            Stmt::While { cond, body } => {
                let exit = self.c.block(BlockType::Empty);
                let head = self.c.loop_(BlockType::Empty);
                self.truth(*cond)?;
                self.c.push(I::I32Eqz);
                self.c.br_if(exit);
                self.loop_body(exit, body)?;
                self.c.br(head);
                self.c.end();
                self.c.end();
            }
            Stmt::Break | Stmt::Continue => {
                let Some(&(exit, cont)) = self.loops.last() else {
                    return Err(
                        self.unsupported(Span::default(), "break or continue outside a loop")
                    );
                };
                self.c.br(if matches!(st, Stmt::Break) {
                    exit
                } else {
                    cont
                });
            }
            Stmt::Return(None) => {
                if f.ret != Ty::None {
                    return Err(self.ill_typed(Span::default()));
                }
                self.c.push(I::Return);
            }
            Stmt::Return(Some(e)) => {
                if !fits(f.ty(*e), &f.ret) {
                    return Err(self.ill_typed(f.span(*e)));
                }
                self.expr(*e)?;
                self.c.push(I::Return);
            }
            Stmt::Raise {
                kind,
                message,
                span,
            } => self.raise(
                *span,
                SiteError::Fixed {
                    kind: *kind,
                    message: message.clone(),
                },
            ),
            Stmt::Append { list, value } => self.append(*list, *value)?,
            Stmt::ParFor(p) => self.par_for(p)?,
            Stmt::Eval(e) => {
                self.expr(*e)?;
                for _ in tuple::flat(f.ty(*e)) {
                    self.c.push(I::Drop);
                }
            }
        }
        Ok(())
    }

    /// A loop's body inside the block that `continue` leaves.
    fn loop_body(&mut self, exit: Label, body: &[Stmt]) -> Result<(), Unsupported> {
        let cont = self.c.block(BlockType::Empty);
        self.loops.push((exit, cont));
        let r = self.body(body);
        self.loops.pop();
        r?;
        self.c.end();
        Ok(())
    }

    /// `for var in range(start, stop, step)`: the bounds evaluated once as int64, step 0
    /// a ValueError, then as many iterations as Python's `range` has, counted in an
    /// unsigned trip count so that no bound can overflow the counter.
    /// Evaluates a range's bounds (cast to `i64`) into temporaries `[start, stop, step,
    /// trips]`, raising ValueError for a zero step; the caller releases them.
    fn range_prologue(&mut self, bounds: [ExprId; 3], span: Span) -> Result<[u32; 4], Unsupported> {
        let mut dtypes = [DType::I64; 3];
        for (d, &b) in dtypes.iter_mut().zip(&bounds) {
            *d = self.scalar_ty(b)?;
            if !d.is_int() {
                return Err(self.ill_typed(self.f.span(b)));
            }
        }
        let [cur, stop, step, count] = [(); 4].map(|()| self.c.temp(ValType::I64));
        for ((&b, &d), t) in bounds.iter().zip(&dtypes).zip([cur, stop, step]) {
            self.expr(b)?;
            scalar::to_i64(&mut self.c, d);
            self.c.push(I::LocalSet(t));
        }
        self.c.push(I::LocalGet(step));
        self.c.push(I::I64Eqz);
        self.c.if_(BlockType::Empty);
        self.raise(
            span,
            SiteError::Fixed {
                kind: RaiseKind::ValueError,
                message: "range() arg 3 must not be zero".to_owned(),
            },
        );
        self.c.end();
        // count = (stop - cur - 1) / step + 1 if the range is not empty (with -step and
        // the bounds swapped for a negative step), in unsigned arithmetic.
        self.c.push(I::LocalGet(step));
        self.c.push(I::I64Const(0));
        self.c.push(I::I64GtS);
        self.c.if_(BlockType::Result(ValType::I64));
        range_trips(&mut self.c, stop, cur, step, false);
        self.c.else_();
        range_trips(&mut self.c, cur, stop, step, true);
        self.c.end();
        self.c.push(I::LocalSet(count));
        Ok([cur, stop, step, count])
    }

    fn for_range(
        &mut self,
        var: LocalId,
        bounds: [ExprId; 3],
        body: &[Stmt],
        span: Span,
    ) -> Result<(), Unsupported> {
        let Ty::Scalar(vd) = self.f.local_decl(var).ty else {
            return Err(self.ill_typed(span));
        };
        let [cur, stop, step, count] = self.range_prologue(bounds, span)?;
        // Two or four iterations at a time on simd128 lanes first, where the loop allows.
        if let Some(plan) = self.simd_plan(var, bounds[2], body) {
            self.simd_prefix(&plan, var, body, cur, count)?;
        }
        let exit = self.c.block(BlockType::Empty);
        let head = self.c.loop_(BlockType::Empty);
        self.c.push(I::LocalGet(count));
        self.c.push(I::I64Eqz);
        self.c.br_if(exit);
        self.c.push(I::LocalGet(cur));
        scalar::cast(&mut self.c, DType::I64, vd, Cast::Kernel);
        self.set_local(var);
        self.loop_body(exit, body)?;
        self.c.push(I::LocalGet(count));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Sub);
        self.c.push(I::LocalSet(count));
        self.c.push(I::LocalGet(cur));
        self.c.push(I::LocalGet(step));
        self.c.push(I::I64Add);
        self.c.push(I::LocalSet(cur));
        self.c.br(head);
        self.c.end();
        self.c.end();
        for t in [cur, stop, step, count] {
            self.c.release(ValType::I64, t);
        }
        Ok(())
    }

    // ---- expressions --------------------------------------------------------------

    /// Pushes the truth of a condition as an `i32`.
    fn truth(&mut self, e: ExprId) -> Result<(), Unsupported> {
        let d = self.scalar_ty(e)?;
        self.expr(e)?;
        scalar::truth(&mut self.c, d);
        Ok(())
    }

    /// Pushes the value of `e` (nothing for `None`).
    fn expr(&mut self, e: ExprId) -> Result<(), Unsupported> {
        let f = self.f;
        let span = f.span(e);
        match f.get(e) {
            Expr::Const(s) => {
                self.expect(e, &Ty::Scalar(s.dtype()))?;
                scalar::constant(&mut self.c, *s);
            }
            Expr::NoneVal => self.expect(e, &Ty::None)?,
            Expr::Local(l) => {
                if !fits(&f.local_decl(*l).ty, f.ty(e)) {
                    return Err(self.ill_typed(span));
                }
                self.check_assigned(e, *l);
                match &self.locals[l.index()].slot {
                    Slot::None => {}
                    Slot::Scalar(x) | Slot::List(x) => self.c.push(I::LocalGet(*x)),
                    Slot::Array(a) => self.c.push(I::LocalGet(a.ptr)),
                    Slot::Tuple(xs) => {
                        for &x in xs {
                            self.c.push(I::LocalGet(x));
                        }
                    }
                }
            }
            Expr::Cast(a, d) => {
                let from = self.scalar_ty(*a)?;
                self.expect(e, &Ty::Scalar(*d))?;
                self.expr(*a)?;
                scalar::cast(&mut self.c, from, *d, Cast::Kernel);
            }
            Expr::Unary(op, a) => {
                let x = self.scalar_ty(*a)?;
                let result = if op.is_predicate() { DType::Bool } else { x };
                if !unary_in(*op, x) {
                    return Err(self.ill_typed(span));
                }
                self.expect(e, &Ty::Scalar(result))?;
                self.expr(*a)?;
                scalar::unary(&mut self.c, *op, x, self.helpers)
                    .map_err(|name| self.unsupported(span, format!("{name} on {x}")))?;
            }
            Expr::Binary(op, a, b) => {
                let x = self.scalar_ty(*a)?;
                let result = if op.is_comparison() { DType::Bool } else { x };
                if self.scalar_ty(*b)? != x || !binary_in(*op, x) {
                    return Err(self.ill_typed(span));
                }
                self.expect(e, &Ty::Scalar(result))?;
                self.expr(*a)?;
                self.expr(*b)?;
                // A float power whose exponent is a constant runs the constant-power
                // kernel, as in the executor (which looks at the operand's form alone).
                if *op == BinaryOp::Pow
                    && x.is_float()
                    && let Expr::Const(k) = f.get(*b)
                {
                    scalar::pow_const(&mut self.c, x, Some(*k), self.helpers)
                } else {
                    scalar::binary(&mut self.c, *op, x, self.helpers)
                }
                .map_err(|name| self.unsupported(span, format!("{name} on {x}")))?;
            }
            Expr::PyDiv(op, a, b) => self.py_div(e, *op, *a, *b)?,
            Expr::Cond(c, a, b) => {
                if !fits(f.ty(*a), f.ty(e)) || !fits(f.ty(*b), f.ty(e)) {
                    return Err(self.ill_typed(span));
                }
                let types = tuple::flat(f.ty(e));
                if types.len() > 1 {
                    return self.cond_values(*c, *a, *b, &types);
                }
                self.truth(*c)?;
                self.c.if_(
                    types
                        .first()
                        .map_or(BlockType::Empty, |&t| BlockType::Result(t)),
                );
                self.expr(*a)?;
                self.c.else_();
                self.expr(*b)?;
                self.c.end();
            }
            Expr::Load(a, index) => {
                let at = self.array_ty(*a)?;
                self.expect(e, &Ty::Scalar(at.dtype))?;
                self.element(*a, index, span, !self.f.is_in_bounds(e))?;
                self.c.push(load(at.dtype));
            }
            Expr::Dim(a, axis) => {
                let at = self.array_ty(*a)?;
                if *axis >= at.ndim {
                    return Err(self.ill_typed(span));
                }
                self.expect(e, &Ty::Scalar(DType::I64))?;
                let src = self.array_source(*a)?;
                self.extent(&src, usize::from(*axis));
                self.release_source(&src);
            }
            Expr::Call(g, args) => self.call(e, *g, args)?,
            Expr::View(a, index) => self.view(e, *a, index)?,
            Expr::Tuple(items) => self.tuple(e, items)?,
            Expr::TupleGet(t, i) => self.tuple_get(e, *t, *i)?,
            Expr::ListLen(l) => self.list_len(e, *l)?,
            Expr::ListGet(l, i) => self.list_get(e, *l, *i)?,
            Expr::Intrinsic(Intrinsic::NewList, args) => self.new_list(e, args)?,
            Expr::Intrinsic(op, args) => self.intrinsic(e, *op, args)?,
        }
        Ok(())
    }

    /// `/`, `//` and `%` under Python's error model, and integer `**` as Numba computes
    /// it, exactly as the executor's `py_div`: a zero divisor raises ZeroDivisionError
    /// (checked in the operands' dtype), then the operation runs in the result's dtype.
    fn py_div(&mut self, e: ExprId, op: BinaryOp, a: ExprId, b: ExprId) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let x = self.scalar_ty(a)?;
        let rd = self.scalar_ty(e)?;
        if self.scalar_ty(b)? != x || !binary_in(op, rd) {
            return Err(self.ill_typed(span));
        }
        let pow = op == BinaryOp::Pow && !x.is_float();
        if !pow && !matches!(op, BinaryOp::TrueDiv | BinaryOp::FloorDiv | BinaryOp::Mod) {
            return Err(self.ill_typed(span));
        }
        let t = val_type(x);
        self.expr(a)?;
        self.expr(b)?;
        let tb = self.c.temp(t);
        self.c.push(I::LocalSet(tb));
        let ta = self.c.temp(t);
        self.c.push(I::LocalSet(ta));
        let operands = |g: &mut Self| {
            g.c.push(I::LocalGet(ta));
            scalar::cast(&mut g.c, x, rd, Cast::Elem);
            g.c.push(I::LocalGet(tb));
            scalar::cast(&mut g.c, x, rd, Cast::Elem);
        };
        if pow {
            if x.is_signed_int() {
                // A negative exponent: base 0 raises, 1 gives 1, -1 gives +-1, others 0.
                self.c.push(I::LocalGet(tb));
                scalar::zero(&mut self.c, x);
                scalar::compare(&mut self.c, BinaryOp::Lt, x);
                self.c.if_(BlockType::Result(val_type(rd)));
                self.c.push(I::LocalGet(ta));
                scalar::zero(&mut self.c, x);
                scalar::compare(&mut self.c, BinaryOp::Eq, x);
                self.c.if_(BlockType::Empty);
                self.raise(
                    span,
                    SiteError::Fixed {
                        kind: RaiseKind::ZeroDivisionError,
                        message: "0 cannot be raised to a negative power".to_owned(),
                    },
                );
                self.c.end();
                let one = Scalar::from_i128(1, rd);
                scalar::constant(&mut self.c, one);
                scalar::constant(&mut self.c, one);
                scalar::constant(&mut self.c, Scalar::from_i128(-1, rd));
                // The exponent is even.
                self.c.push(I::LocalGet(tb));
                scalar::is_even(&mut self.c, x);
                self.c.push(I::Select);
                scalar::zero(&mut self.c, rd);
                self.c.push(I::LocalGet(ta));
                scalar::constant(&mut self.c, Scalar::from_i128(-1, x));
                scalar::compare(&mut self.c, BinaryOp::Eq, x);
                self.c.push(I::Select);
                self.c.push(I::LocalGet(ta));
                scalar::constant(&mut self.c, Scalar::one(x));
                scalar::compare(&mut self.c, BinaryOp::Eq, x);
                self.c.push(I::Select);
                self.c.else_();
                operands(self);
                scalar::binary(&mut self.c, op, rd, self.helpers)
                    .map_err(|n| self.unsupported(span, n))?;
                self.c.end();
            } else {
                operands(self);
                scalar::binary(&mut self.c, op, rd, self.helpers)
                    .map_err(|n| self.unsupported(span, n))?;
            }
        } else {
            let message = match (op, x.is_float()) {
                (BinaryOp::FloorDiv, false) => "integer division by zero",
                (BinaryOp::Mod, false) => "integer modulo by zero",
                (BinaryOp::Mod, true) => "modulo by zero",
                _ => "division by zero",
            };
            self.c.push(I::LocalGet(tb));
            scalar::zero(&mut self.c, x);
            scalar::compare(&mut self.c, BinaryOp::Eq, x);
            self.c.if_(BlockType::Empty);
            self.raise(
                span,
                SiteError::Fixed {
                    kind: RaiseKind::ZeroDivisionError,
                    message: message.to_owned(),
                },
            );
            self.c.end();
            operands(self);
            scalar::binary(&mut self.c, op, rd, self.helpers)
                .map_err(|n| self.unsupported(span, n))?;
        }
        self.c.release(t, ta);
        self.c.release(t, tb);
        Ok(())
    }

    /// A call of another function of the program; an error in the callee returns at
    /// once, a callee that fell off its end becoming this call's error (where the
    /// executor reports it).
    fn call(&mut self, e: ExprId, g: FuncId, args: &[ExprId]) -> Result<(), Unsupported> {
        let f = self.f;
        let span = f.span(e);
        let callee = &self.cx.program.functions[g.index()];
        if args.len() != callee.n_params
            || !fits(&callee.ret, f.ty(e))
            || !args
                .iter()
                .zip(callee.params())
                .all(|(&a, p)| fits(f.ty(a), &callee.local_decl(p).ty))
        {
            return Err(self.ill_typed(span));
        }
        for &a in args {
            self.expr(a)?;
        }
        self.c.call(Callee::Defined(g.index() as u32));
        self.c.push(I::GlobalGet(ERROR));
        self.c.if_(BlockType::Empty);
        if let Some(code) = self.cx.fell_off[g.index()] {
            self.c.push(I::GlobalGet(ERROR));
            self.c.push(I::I32Const(code as i32));
            self.c.push(I::I32Eq);
            self.c.if_(BlockType::Empty);
            let here = self.site(span, returns_none(callee));
            self.c.push(I::I32Const(here as i32));
            self.c.push(I::GlobalSet(ERROR));
            self.c.end();
        }
        self.return_zero();
        self.c.end();
        Ok(())
    }
}

/// Pushes the trip count of a range from `lo` up to `hi` (`i64` locals) by the `i64` local
/// `step`: `(hi - lo - 1) / step + 1` when `lo < hi`, else 0, divided unsigned so that no
/// bound near the ends of int64 overflows. For a negative step the caller swaps the bounds
/// and passes `negate`, which divides by `-step` (the most negative step is then its
/// magnitude, read unsigned).
pub(super) fn range_trips(c: &mut Code, hi: u32, lo: u32, step: u32, negate: bool) {
    c.push(I::LocalGet(lo));
    c.push(I::LocalGet(hi));
    c.push(I::I64LtS);
    c.if_(BlockType::Result(ValType::I64));
    c.push(I::LocalGet(hi));
    c.push(I::LocalGet(lo));
    c.push(I::I64Sub);
    c.push(I::I64Const(1));
    c.push(I::I64Sub);
    if negate {
        c.push(I::I64Const(0));
        c.push(I::LocalGet(step));
        c.push(I::I64Sub);
    } else {
        c.push(I::LocalGet(step));
    }
    c.push(I::I64DivU);
    c.push(I::I64Const(1));
    c.push(I::I64Add);
    c.else_();
    c.push(I::I64Const(0));
    c.end();
}
