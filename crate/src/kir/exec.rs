//! The reference executor: runs a [`Program`] by walking its statements and expressions,
//! one value at a time. It is the executable definition of what a kernel means; the code
//! generation tier is held to it. Slow and obviously correct rather than fast.
//!
//! ```text
//! Program, argument Values ──run──▶ the entry function's Value, or a RunError
//!                                    (arrays passed in see the kernel's writes)
//! ```
//!
//! # Values
//! A [`Value`] is a scalar, an array view ([`ArrayValue`]: a shared buffer with an element
//! offset, extents and element strides), a tuple, a list ([`ListValue`], shared like a
//! Python list) or None. Array views share their buffer through an `Rc`, so a kernel that
//! writes into an argument is seen by the caller, as Numba writes into NumPy arrays, and a
//! view (`Expr::View`, `Transpose`, `Reshape`) writes through to its base.
//!
//! # Scalars
//! `Unary` and `Binary` are the element operations of `types::elem` (the functions the
//! expression engine's reference evaluator folds with), float math going through
//! `types::math::OneLane`, so a kernel's `math.exp(x)` has the bits of
//! `evaluate("exp(x)")`; a float `**` whose exponent is a constant runs the constant-power
//! kernel, as the expression engine does. Integers wrap. Both operands of `Binary` have
//! one dtype (the front end casts). `PyDiv` computes in the expression's dtype (int `/`
//! int casts both to float64 first) after a zero divisor has raised ZeroDivisionError
//! with Numba's message for the operands' kind; integer `**` is Numba's. `Cast` of a
//! float to an integer truncates toward zero, as Numba does; to an integer narrower than
//! 64 bits it goes through int64 and wraps (`np.uint8(300.7)` is 44, as x86 gives Numba);
//! where Numba's result is undefined (NaN, or a value outside int64: LLVM's `fptosi`,
//! which gives INT_MIN on x86) it saturates, NaN giving 0, the same natively and in wasm.
//!
//! # Indexing and loops
//! `Load`, `Store` and integer subscripts of `View` take integer indices, wrap a negative
//! one once (`i + n`) and raise IndexError `index 5 is out of bounds for axis 0 with size
//! 3` (NumPy's words) past the ends; `ListGet` raises Python's `list index out of range`.
//! Slices follow Python's `slice.indices` (clamping, negative steps) and make views, never
//! copies. `For` is Python's `range` over int64 bounds evaluated once: step 0 is a
//! ValueError, the variable keeps its last value after the loop (and is untouched by an
//! empty range), and assigning it in the body does not change the iteration.
//!
//! # Errors and order
//! Operands are evaluated left to right, a `Store`'s value before its array and indices
//! (Python's order); `Cond` evaluates only the branch taken. Every error carries the span
//! of the expression or statement that raised it. Locals start unassigned, and reading one
//! is a RuntimeError naming it. Calls nest at most [`MAX_CALL_DEPTH`] deep, and deeply
//! nested expressions stop at a stack budget: both raise `maximum recursion depth
//! exceeded` rather than overflow the stack. A program that breaks the IR's typing rules
//! (a front-end bug) gets a RuntimeError whose message starts with `internal:` instead of
//! a panic: `run` checks every handle first, and every value is checked against its
//! expression's type, every local against its declaration.
//!
//! The intrinsics (and the rules they share: result dtypes, broadcasting, reduction order)
//! are in `exec/intrinsic.rs`, views and element access in `exec/array.rs`, the check of
//! a program's handles in `exec/check.rs`.

mod array;
mod check;
mod intrinsic;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;

pub use array::ArrayValue;

use super::parallel::{ParLoop, chunk_bounds, chunk_plan};
use super::{Expr, ExprId, FuncId, Function, Index, Layout, LocalId, Program, RaiseKind, Stmt, Ty};
use crate::ir::{fold_binary, fold_unary};
use crate::syntax::Span;
use crate::types::math::OneLane;
use crate::types::{BinaryOp, DType, Scalar, UnaryOp, binary_signature, unary_signature};

/// How deeply kernel calls may nest (the entry function is at depth 0); a deeper call is a
/// RuntimeError with Python's RecursionError message. Numba itself has no limit (its calls
/// use the native stack); 200 levels fit in the executor's stack budget.
pub const MAX_CALL_DEPTH: usize = 200;

/// A run-time value.
#[derive(Debug, Clone)]
pub enum Value {
    Scalar(Scalar),
    Array(ArrayValue),
    Tuple(Vec<Value>),
    List(ListValue),
    None,
}

impl Value {
    /// The scalar, if this is one.
    #[must_use]
    pub fn scalar(&self) -> Option<Scalar> {
        match self {
            Value::Scalar(s) => Some(*s),
            _ => None,
        }
    }

    /// The array view, if this is one.
    #[must_use]
    pub fn array(&self) -> Option<&ArrayValue> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The list, if this is one.
    #[must_use]
    pub fn list(&self) -> Option<&ListValue> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// What kind of value this is, for messages: `int64`, `array(float64, 2d)`, `tuple`.
    fn kind(&self) -> String {
        match self {
            Value::Scalar(s) => s.dtype().name().to_owned(),
            Value::Array(a) => format!("array({}, {}d)", a.dtype(), a.shape.len()),
            Value::Tuple(_) => "tuple".to_owned(),
            Value::List(l) => format!("list({})", l.dtype),
            Value::None => "none".to_owned(),
        }
    }
}

/// A list of scalars (Numba's reflected list): shared, so `append` through one reference
/// is seen through every other, as in Python.
#[derive(Debug, Clone)]
pub struct ListValue {
    pub dtype: DType,
    pub items: Rc<RefCell<Vec<Scalar>>>,
}

impl ListValue {
    /// A list of `items`, which must all have dtype `dtype`.
    #[must_use]
    pub fn new(dtype: DType, items: Vec<Scalar>) -> Self {
        ListValue {
            dtype,
            items: Rc::new(RefCell::new(items)),
        }
    }

    /// A copy of the items.
    #[must_use]
    pub fn to_vec(&self) -> Vec<Scalar> {
        self.items.borrow().clone()
    }
}

/// The type Numba gives a value: arrays are `C` when their strides are C-contiguous.
#[must_use]
pub fn type_of(v: &Value) -> Ty {
    match v {
        Value::Scalar(s) => Ty::Scalar(s.dtype()),
        Value::Array(a) => Ty::Array(super::ArrayTy {
            dtype: a.dtype(),
            ndim: a.shape.len() as u8,
            layout: if a.is_c_contiguous() {
                Layout::C
            } else {
                Layout::Any
            },
        }),
        Value::Tuple(items) => Ty::Tuple(items.iter().map(type_of).collect()),
        Value::List(l) => Ty::List(l.dtype),
        Value::None => Ty::None,
    }
}

/// Whether `v` is a value of type `ty` (an array typed `A` may have any strides).
#[must_use]
pub fn conforms(v: &Value, ty: &Ty) -> bool {
    match (v, ty) {
        (Value::Scalar(s), Ty::Scalar(d)) => s.dtype() == *d,
        (Value::Array(a), Ty::Array(t)) => {
            a.dtype() == t.dtype
                && a.shape.len() == usize::from(t.ndim)
                && (t.layout == Layout::Any || a.is_c_contiguous())
        }
        (Value::Tuple(items), Ty::Tuple(tys)) => {
            items.len() == tys.len() && items.iter().zip(tys).all(|(v, t)| conforms(v, t))
        }
        (Value::List(l), Ty::List(d)) => l.dtype == *d,
        (Value::None, Ty::None) => true,
        _ => false,
    }
}

/// An exception raised by a kernel: its kind, Python's message, and where it was raised.
#[derive(Debug, Clone, PartialEq)]
pub struct RunError {
    pub kind: RaiseKind,
    pub message: String,
    pub span: Span,
}

impl RunError {
    #[must_use]
    pub fn new(kind: RaiseKind, message: impl Into<String>, span: Span) -> Self {
        RunError {
            kind,
            message: message.into(),
            span,
        }
    }

    /// An ill-typed program: a front-end bug, reported instead of a panic.
    #[must_use]
    pub fn internal(message: impl fmt::Display, span: Span) -> Self {
        RunError::new(
            RaiseKind::RuntimeError,
            format!("internal: {message}"),
            span,
        )
    }
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for RunError {}

/// Runs the program's entry function (`program.functions[0]`) on `args`.
///
/// An argument that does not have the type of its parameter, an array whose extents and
/// strides reach outside its buffer, or a list with items of another dtype, is a
/// TypeError: the caller chose the program for other arguments.
pub fn run(program: &Program, args: Vec<Value>) -> Result<Value, RunError> {
    let Some(entry) = program.functions.first() else {
        return Err(RunError::internal(
            "the program has no functions",
            Span::default(),
        ));
    };
    check::handles(program)?;
    if args.len() != entry.n_params {
        return Err(RunError::new(
            RaiseKind::TypeError,
            format!(
                "{}() takes {} arguments but {} were given",
                entry.name,
                entry.n_params,
                args.len()
            ),
            Span::default(),
        ));
    }
    for (i, (a, p)) in args.iter().zip(entry.params()).enumerate() {
        let decl = entry.local_decl(p);
        if !conforms(a, &decl.ty) || !well_formed(a) {
            return Err(RunError::new(
                RaiseKind::TypeError,
                format!(
                    "argument {i} ({}) of {}() is {}, which is not a valid {}",
                    decl.name,
                    entry.name,
                    a.kind(),
                    decl.ty
                ),
                Span::default(),
            ));
        }
    }
    let machine = Machine {
        program,
        stack_base: stack_address(),
        nesting: Cell::new(0),
    };
    machine.call(FuncId::from_index(0), args, 0, Span::default())
}

/// Whether every array in `v` stays inside its buffer and every list holds items of its
/// dtype.
fn well_formed(v: &Value) -> bool {
    match v {
        Value::Array(a) => a.is_in_bounds(),
        Value::Tuple(items) => items.iter().all(well_formed),
        Value::List(l) => l.items.borrow().iter().all(|s| s.dtype() == l.dtype),
        Value::Scalar(_) | Value::None => true,
    }
}

/// How much stack the executor may use below `run`'s frame, and how deeply its
/// evaluations may nest. Expressions and calls recurse in the executor (about 1 KiB of
/// native stack per level of expression nesting, 3 KiB per level of calls) and wasm's
/// stack is 1 MiB: past either limit a kernel gets Python's RecursionError message (a
/// RuntimeError) instead of a stack overflow, which would abort natively and trap in wasm.
/// The stack in use is measured by the address of a local, which works on every target.
const STACK_BUDGET: usize = 768 * 1024;
const MAX_NESTING: usize = 2000;

/// The address of a local of the caller's frame: where the stack is now.
#[inline(never)]
fn stack_address() -> usize {
    let marker = 0u8;
    std::ptr::from_ref(std::hint::black_box(&marker)) as usize
}

struct Machine<'p> {
    program: &'p Program,
    stack_base: usize,
    nesting: Cell<usize>,
}

/// One activation of a function: its locals (unassigned ones are `None`) and how deep in
/// the call stack it is.
struct Frame<'f> {
    func: &'f Function,
    locals: Vec<Option<Value>>,
    depth: usize,
}

/// How a statement ended.
enum Flow {
    Next,
    Break,
    Continue,
    Return(Value, Span),
}

/// One level of evaluation nesting, left when dropped.
struct Level<'m>(&'m Cell<usize>);

impl Drop for Level<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}

impl Machine<'_> {
    /// Enters one level of evaluation, or raises when the stack is nearly used up.
    fn enter(&self, span: Span) -> Result<Level<'_>, RunError> {
        let n = self.nesting.get() + 1;
        if n > MAX_NESTING || stack_address().abs_diff(self.stack_base) > STACK_BUDGET {
            return Err(RunError::new(
                RaiseKind::RuntimeError,
                "maximum recursion depth exceeded",
                span,
            ));
        }
        self.nesting.set(n);
        Ok(Level(&self.nesting))
    }

    fn call(
        &self,
        id: FuncId,
        args: Vec<Value>,
        depth: usize,
        span: Span,
    ) -> Result<Value, RunError> {
        let Some(func) = self.program.functions.get(id.index()) else {
            return Err(RunError::internal(
                "call of a function the program lacks",
                span,
            ));
        };
        if depth > MAX_CALL_DEPTH {
            return Err(RunError::new(
                RaiseKind::RuntimeError,
                "maximum recursion depth exceeded",
                span,
            ));
        }
        let mut frame = Frame {
            func,
            locals: bind(func, args, span)?,
            depth,
        };
        let (value, at) = match self.body(&mut frame, &func.body)? {
            Flow::Return(v, at) => (v, at),
            Flow::Next => (Value::None, span),
            Flow::Break | Flow::Continue => {
                return Err(RunError::internal("break or continue outside a loop", span));
            }
        };
        if !conforms(&value, &func.ret) {
            return Err(return_mismatch(func, &value, at));
        }
        Ok(value)
    }

    fn body(&self, fr: &mut Frame<'_>, body: &[Stmt]) -> Result<Flow, RunError> {
        for st in body {
            let flow = self.stmt(fr, st)?;
            if !matches!(flow, Flow::Next) {
                return Ok(flow);
            }
        }
        Ok(Flow::Next)
    }

    fn stmt(&self, fr: &mut Frame<'_>, st: &Stmt) -> Result<Flow, RunError> {
        match st {
            Stmt::Assign(l, e) => {
                let v = self.eval(fr, *e)?;
                set_local(fr, *l, v, fr.func.span(*e))?;
            }
            Stmt::Store {
                array,
                index,
                value,
                span,
            } => self.store(fr, *array, index, *value, *span)?,
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let branch = if self.truth(fr, *cond)? {
                    then
                } else {
                    otherwise
                };
                return self.body(fr, branch);
            }
            Stmt::For {
                var,
                start,
                stop,
                step,
                body,
                parallel: _,
                span,
            } => return self.for_range(fr, *var, [*start, *stop, *step], body, *span),
            Stmt::While { cond, body } => {
                while self.truth(fr, *cond)? {
                    match self.body(fr, body)? {
                        Flow::Break => break,
                        Flow::Next | Flow::Continue => {}
                        ret @ Flow::Return(..) => return Ok(ret),
                    }
                }
            }
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Continue => return Ok(Flow::Continue),
            Stmt::Return(None) => return Ok(Flow::Return(Value::None, Span::default())),
            Stmt::Return(Some(e)) => {
                let v = self.eval(fr, *e)?;
                return Ok(Flow::Return(v, fr.func.span(*e)));
            }
            Stmt::Raise {
                kind,
                message,
                span,
            } => return Err(RunError::new(*kind, message.clone(), *span)),
            Stmt::Append { list, value } => self.append(fr, *list, *value)?,
            Stmt::Eval(e) => {
                self.eval(fr, *e)?;
            }
            Stmt::ParFor(p) => self.par_for(fr, p)?,
        }
        Ok(Flow::Next)
    }

    /// A range's bounds as int64 values (in `i128`, so that stepping cannot overflow);
    /// a zero step is Python's ValueError.
    fn range_bounds(
        &self,
        fr: &Frame<'_>,
        bounds: [ExprId; 3],
        span: Span,
    ) -> Result<[i128; 3], RunError> {
        let mut b = [0i128; 3];
        for (slot, e) in b.iter_mut().zip(bounds) {
            let s = self.scalar(fr, e)?;
            if !s.dtype().is_int() {
                return Err(RunError::internal(
                    format!("range bound of type {}", s.dtype()),
                    fr.func.span(e),
                ));
            }
            *slot = s.cast(DType::I64).to_i128();
        }
        if b[2] == 0 {
            return Err(RunError::new(
                RaiseKind::ValueError,
                "range() arg 3 must not be zero",
                span,
            ));
        }
        Ok(b)
    }

    /// A parallel loop, its chunks run in order (see `kir::parallel`): the range's bounds,
    /// then the captures; each chunk's call; then, chunk by chunk, the partials assigned
    /// and `combine` run. The first chunk that fails stops the loop with its error, which
    /// is the error of the lowest failing chunk, as on the pool.
    fn par_for(&self, fr: &mut Frame<'_>, p: &ParLoop) -> Result<(), RunError> {
        let [start, stop, step] = self.range_bounds(fr, p.bounds, p.span)?;
        let trips = if step > 0 && start < stop {
            (stop - start - 1) / step + 1
        } else if step < 0 && start > stop {
            (start - stop - 1) / -step + 1
        } else {
            0
        };
        let Expr::Call(id, args) = fr.func.get(p.call) else {
            return Err(RunError::internal(
                "a parallel loop without its call",
                p.span,
            ));
        };
        let mut vals = args
            .iter()
            .map(|&x| self.eval(fr, x))
            .collect::<Result<Vec<_>, _>>()?;
        vals.extend([start, step].map(|v| Value::Scalar(Scalar::from_i128(v, DType::I64))));
        let trips = trips as u64;
        let (chunk, count) = chunk_plan(trips, p.cost_ns);
        let mut results = Vec::with_capacity(count as usize);
        for c in 0..count {
            let (lo, hi) = chunk_bounds(c, chunk, trips);
            let mut args = vals.clone();
            args.extend([lo, hi].map(|v| Value::Scalar(Scalar::I64(v as i64))));
            results.push(self.call(*id, args, fr.depth + 1, p.span)?);
        }
        for r in results {
            let items = match (p.partials.len(), r) {
                (0, _) => Vec::new(),
                (1, v) => vec![v],
                (_, Value::Tuple(items)) => items,
                _ => return Err(RunError::internal("a chunk's partials", p.span)),
            };
            for (&l, v) in p.partials.iter().zip(items) {
                fr.locals[l.index()] = Some(v);
            }
            if !matches!(self.body(fr, &p.combine)?, Flow::Next) {
                return Err(RunError::internal("a parallel loop's combine", p.span));
            }
        }
        Ok(())
    }

    /// `array[index...] = value`: the value first, then the array and the indices (Python's
    /// order).
    #[inline(never)]
    fn store(
        &self,
        fr: &Frame<'_>,
        array: ExprId,
        index: &[ExprId],
        value: ExprId,
        span: Span,
    ) -> Result<(), RunError> {
        let v = self.scalar(fr, value)?;
        let a = self.eval_ref(fr, array)?;
        let Value::Array(a) = a.as_ref() else {
            return Err(RunError::internal("store into a non-array", span));
        };
        let at = self.element(fr, a, index, span)?;
        if v.dtype() != a.dtype() {
            return Err(RunError::internal(
                format!("store of {} into an array of {}", v.dtype(), a.dtype()),
                span,
            ));
        }
        a.write(at, v, span)
    }

    /// `list.append(value)`.
    #[inline(never)]
    fn append(&self, fr: &Frame<'_>, list: ExprId, value: ExprId) -> Result<(), RunError> {
        let v = self.scalar(fr, value)?;
        let span = fr.func.span(list);
        let l = self.eval_ref(fr, list)?;
        let Value::List(l) = l.as_ref() else {
            return Err(RunError::internal("append to a non-list", span));
        };
        if v.dtype() != l.dtype {
            return Err(RunError::internal(
                format!("append of {} to a list of {}", v.dtype(), l.dtype),
                span,
            ));
        }
        let mut items = l.items.borrow_mut();
        if items.try_reserve(1).is_err() {
            return Err(RunError::new(
                RaiseKind::MemoryError,
                "cannot grow the list",
                span,
            ));
        }
        items.push(v);
        Ok(())
    }

    /// `for var in range(start, stop, step)` with Python's semantics: the bounds are
    /// evaluated once, as int64; the variable keeps its last value after the loop (and is
    /// left alone when the range is empty); assigning it in the body does not change the
    /// iteration.
    #[inline(never)]
    fn for_range(
        &self,
        fr: &mut Frame<'_>,
        var: LocalId,
        bounds: [ExprId; 3],
        body: &[Stmt],
        span: Span,
    ) -> Result<Flow, RunError> {
        let [start, stop, step] = self.range_bounds(fr, bounds, span)?;
        let Some(Ty::Scalar(vd)) = fr.func.locals.get(var.index()).map(|l| &l.ty) else {
            return Err(RunError::internal("loop variable is not a scalar", span));
        };
        let vd = *vd;
        let mut i = start;
        // The counter is an i128, so `i + step` cannot overflow: the loop ends.
        while (step > 0 && i < stop) || (step < 0 && i > stop) {
            fr.locals[var.index()] = Some(Value::Scalar(Scalar::from_i128(i, vd)));
            match self.body(fr, body)? {
                Flow::Break => break,
                Flow::Next | Flow::Continue => {}
                ret @ Flow::Return(..) => return Ok(ret),
            }
            i += step;
        }
        Ok(Flow::Next)
    }

    /// The value of a condition (`if`, `while`, `Cond`): a scalar's truth.
    fn truth(&self, fr: &Frame<'_>, e: ExprId) -> Result<bool, RunError> {
        Ok(self.scalar(fr, e)?.is_truthy())
    }

    /// The buffer offset of `arr[index...]` (each index evaluated in order, wrapped once
    /// and bounds-checked).
    #[inline(never)]
    fn element(
        &self,
        fr: &Frame<'_>,
        arr: &ArrayValue,
        index: &[ExprId],
        span: Span,
    ) -> Result<usize, RunError> {
        // Up to four indices live on the stack: no allocation per element access.
        let mut small = [0i128; 4];
        if index.len() <= small.len() {
            for (slot, &i) in small.iter_mut().zip(index) {
                *slot = self.int(fr, i)?;
            }
            arr.element(&small[..index.len()], span)
        } else {
            let idx = index
                .iter()
                .map(|&i| self.int(fr, i))
                .collect::<Result<Vec<_>, _>>()?;
            arr.element(&idx, span)
        }
    }

    fn int(&self, fr: &Frame<'_>, e: ExprId) -> Result<i128, RunError> {
        let s = self.scalar(fr, e)?;
        if s.dtype().is_int() {
            Ok(s.to_i128())
        } else {
            Err(RunError::internal(
                format!("index of type {}", s.dtype()),
                fr.func.span(e),
            ))
        }
    }

    /// A scalar expression's value, without the detour through `Value` for constants and
    /// locals (the common operands of a loop body).
    fn scalar(&self, fr: &Frame<'_>, e: ExprId) -> Result<Scalar, RunError> {
        match fr.func.get(e) {
            Expr::Const(c) => Ok(*c),
            Expr::Local(l) => match local(fr, *l, fr.func.span(e))? {
                Value::Scalar(s) => Ok(*s),
                other => Err(not_a_scalar(other, fr.func.span(e))),
            },
            _ => match self.eval(fr, e)? {
                Value::Scalar(s) => Ok(s),
                other => Err(not_a_scalar(&other, fr.func.span(e))),
            },
        }
    }

    /// A value by reference when it is a local (arrays are not cloned for every element
    /// access), else evaluated.
    fn eval_ref<'f>(&self, fr: &'f Frame<'_>, e: ExprId) -> Result<Cow<'f, Value>, RunError> {
        match fr.func.get(e) {
            Expr::Local(l) => Ok(Cow::Borrowed(local(fr, *l, fr.func.span(e))?)),
            _ => Ok(Cow::Owned(self.eval(fr, e)?)),
        }
    }

    /// Evaluates an expression and checks its value against the expression's type.
    fn eval(&self, fr: &Frame<'_>, e: ExprId) -> Result<Value, RunError> {
        let _level = self.enter(fr.func.span(e))?;
        let v = self.eval_unchecked(fr, e)?;
        let ty = fr.func.ty(e);
        if conforms(&v, ty) {
            Ok(v)
        } else {
            Err(expr_mismatch(fr.func, e, &v))
        }
    }

    /// The scalar forms, kept apart from the rest so that the recursion through
    /// operands runs in a small stack frame.
    fn eval_unchecked(&self, fr: &Frame<'_>, e: ExprId) -> Result<Value, RunError> {
        let f = fr.func;
        let span = f.span(e);
        let scalar = |s: Scalar| Ok(Value::Scalar(s));
        match f.get(e) {
            Expr::Const(c) => scalar(*c),
            Expr::Local(l) => Ok(local(fr, *l, span)?.clone()),
            Expr::Cast(a, d) => scalar(cast(self.scalar(fr, *a)?, *d)),
            Expr::Unary(op, a) => {
                let x = self.scalar(fr, *a)?;
                if !unary_in(*op, x.dtype()) {
                    return Err(bad_op(op.name(), x.dtype(), span));
                }
                scalar(fold_unary(*op, x))
            }
            Expr::Binary(op, a, b) => {
                let (x, y) = self.operands(fr, *a, *b, span)?;
                if !binary_in(*op, x.dtype()) {
                    return Err(bad_op(op.name(), x.dtype(), span));
                }
                let const_exponent = matches!(f.get(*b), Expr::Const(_));
                scalar(binary(*op, x, y, const_exponent))
            }
            Expr::PyDiv(op, a, b) => {
                let (x, y) = self.operands(fr, *a, *b, span)?;
                let Some(rd) = f.ty(e).scalar() else {
                    return Err(RunError::internal("a division typed non-scalar", span));
                };
                scalar(py_div(*op, x, y, rd, span)?)
            }
            Expr::Cond(c, a, b) => {
                if self.truth(fr, *c)? {
                    self.eval(fr, *a)
                } else {
                    self.eval(fr, *b)
                }
            }
            Expr::Load(a, index) => {
                let arr = self.eval_ref(fr, *a)?;
                let Value::Array(arr) = arr.as_ref() else {
                    return Err(RunError::internal("load from a non-array", span));
                };
                let at = self.element(fr, arr, index, span)?;
                scalar(arr.read(at, span)?)
            }
            _ => self.eval_compound(fr, e),
        }
    }

    /// The forms that make arrays, tuples and lists, and calls.
    #[inline(never)]
    fn eval_compound(&self, fr: &Frame<'_>, e: ExprId) -> Result<Value, RunError> {
        let f = fr.func;
        let span = f.span(e);
        let scalar = |s: Scalar| Ok(Value::Scalar(s));
        match f.get(e) {
            Expr::View(a, index) => {
                let arr = self.eval_ref(fr, *a)?;
                let Value::Array(arr) = arr.as_ref() else {
                    return Err(RunError::internal("view of a non-array", span));
                };
                let mut idx = Vec::with_capacity(index.len());
                for i in index {
                    idx.push(match *i {
                        Index::At(x) => array::Subscript::At(self.int(fr, x)?),
                        Index::Slice { start, stop, step } => {
                            let part = |p: Option<ExprId>| -> Result<Option<i128>, RunError> {
                                p.map(|x| self.int(fr, x)).transpose()
                            };
                            array::Subscript::Slice(part(start)?, part(stop)?, part(step)?)
                        }
                    });
                }
                Ok(Value::Array(arr.view(&idx, span)?))
            }
            Expr::Dim(a, axis) => {
                let arr = self.eval_ref(fr, *a)?;
                match arr.as_ref() {
                    Value::Array(arr) if usize::from(*axis) < arr.shape.len() => {
                        scalar(Scalar::I64(arr.shape[usize::from(*axis)] as i64))
                    }
                    other => Err(RunError::internal(
                        format!("dim{axis} of {}", other.kind()),
                        span,
                    )),
                }
            }
            Expr::NoneVal => Ok(Value::None),
            Expr::Tuple(items) => Ok(Value::Tuple(
                items
                    .iter()
                    .map(|&x| self.eval(fr, x))
                    .collect::<Result<_, _>>()?,
            )),
            Expr::TupleGet(t, i) => {
                let t = self.eval_ref(fr, *t)?;
                match t.as_ref() {
                    Value::Tuple(items) if (*i as usize) < items.len() => {
                        Ok(items[*i as usize].clone())
                    }
                    other => Err(RunError::internal(
                        format!("item {i} of {}", other.kind()),
                        span,
                    )),
                }
            }
            Expr::ListLen(l) => {
                let l = self.eval_ref(fr, *l)?;
                let Value::List(l) = l.as_ref() else {
                    return Err(RunError::internal("len of a non-list", span));
                };
                scalar(Scalar::I64(l.items.borrow().len() as i64))
            }
            Expr::ListGet(l, i) => {
                let lv = self.eval_ref(fr, *l)?;
                let Value::List(lv) = lv.as_ref() else {
                    return Err(RunError::internal("item of a non-list", span));
                };
                let i = self.int(fr, *i)?;
                let items = lv.items.borrow();
                let n = items.len() as i128;
                let at = if i < 0 { i + n } else { i };
                if (0..n).contains(&at) {
                    scalar(items[at as usize])
                } else {
                    Err(RunError::new(
                        RaiseKind::IndexError,
                        "list index out of range",
                        span,
                    ))
                }
            }
            Expr::Call(id, args) => {
                let vals = args
                    .iter()
                    .map(|&x| self.eval(fr, x))
                    .collect::<Result<Vec<_>, _>>()?;
                self.call(*id, vals, fr.depth + 1, span)
            }
            Expr::Intrinsic(op, args) => {
                let vals = args
                    .iter()
                    .map(|&x| self.eval(fr, x))
                    .collect::<Result<Vec<_>, _>>()?;
                let const_exponent = matches!(args.get(1).map(|&b| f.get(b)), Some(Expr::Const(_)));
                intrinsic::eval(*op, vals, f.ty(e), const_exponent, span)
            }
            Expr::Const(_)
            | Expr::Local(_)
            | Expr::Cast(..)
            | Expr::Unary(..)
            | Expr::Binary(..)
            | Expr::PyDiv(..)
            | Expr::Cond(..)
            | Expr::Load(..) => self.eval_unchecked(fr, e),
        }
    }

    /// The two operands of a scalar operation, which must share a dtype.
    fn operands(
        &self,
        fr: &Frame<'_>,
        a: ExprId,
        b: ExprId,
        span: Span,
    ) -> Result<(Scalar, Scalar), RunError> {
        let x = self.scalar(fr, a)?;
        let y = self.scalar(fr, b)?;
        if x.dtype() == y.dtype() {
            Ok((x, y))
        } else {
            Err(operand_mismatch(x, y, span))
        }
    }
}

/// The locals of a new activation of `func`: the arguments, checked against the
/// parameters' types, then the other locals, unassigned.
#[inline(never)]
fn bind(func: &Function, args: Vec<Value>, span: Span) -> Result<Vec<Option<Value>>, RunError> {
    if args.len() != func.n_params {
        return Err(RunError::internal(
            format!(
                "{} takes {} arguments, the call gives {}",
                func.name,
                func.n_params,
                args.len()
            ),
            span,
        ));
    }
    let mut locals: Vec<Option<Value>> = vec![None; func.locals.len()];
    for (slot, (a, decl)) in locals.iter_mut().zip(args.into_iter().zip(&func.locals)) {
        if !conforms(&a, &decl.ty) {
            let what = format!("argument {} of {} is", decl.name, func.name);
            return Err(mismatch(&what, &a, &decl.ty, span));
        }
        *slot = Some(a);
    }
    Ok(locals)
}

// The error paths of the recursive functions live apart, so that their formatting does
// not enlarge the stack frame of every level of evaluation.

/// A value that is not of its declared type (a front-end bug).
#[cold]
#[inline(never)]
fn mismatch(what: &str, v: &Value, ty: &Ty, span: Span) -> RunError {
    RunError::internal(format!("{what} {}, declared {ty}", v.kind()), span)
}

#[cold]
#[inline(never)]
fn expr_mismatch(f: &Function, e: ExprId, v: &Value) -> RunError {
    mismatch(&format!("{:?} gives", f.get(e)), v, f.ty(e), f.span(e))
}

#[cold]
#[inline(never)]
fn return_mismatch(f: &Function, v: &Value, span: Span) -> RunError {
    mismatch(&format!("{} returns", f.name), v, &f.ret, span)
}

#[cold]
#[inline(never)]
fn not_a_scalar(v: &Value, span: Span) -> RunError {
    RunError::internal(format!("expected a scalar, got {}", v.kind()), span)
}

#[cold]
#[inline(never)]
fn operand_mismatch(x: Scalar, y: Scalar, span: Span) -> RunError {
    RunError::internal(format!("operands of {} and {}", x.dtype(), y.dtype()), span)
}

fn local<'f>(fr: &'f Frame<'_>, l: LocalId, span: Span) -> Result<&'f Value, RunError> {
    match fr.locals.get(l.index()) {
        Some(Some(v)) => Ok(v),
        Some(None) => Err(RunError::new(
            RaiseKind::RuntimeError,
            format!(
                "local variable '{}' referenced before assignment",
                fr.func.locals[l.index()].name
            ),
            span,
        )),
        None => Err(RunError::internal(
            format!("local {} does not exist", l.index()),
            span,
        )),
    }
}

fn set_local(fr: &mut Frame<'_>, l: LocalId, v: Value, span: Span) -> Result<(), RunError> {
    let Some(decl) = fr.func.locals.get(l.index()) else {
        return Err(RunError::internal(
            format!("local {} does not exist", l.index()),
            span,
        ));
    };
    if !conforms(&v, &decl.ty) {
        return Err(RunError::internal(
            format!(
                "assignment of {} to {}, declared {}",
                v.kind(),
                decl.name,
                decl.ty
            ),
            span,
        ));
    }
    fr.locals[l.index()] = Some(v);
    Ok(())
}

/// Whether `op` computes in dtype `d` itself, NumPy's signature casting its operands to
/// nothing. `types::elem` has no meaning for the other dtypes (it returns the square root
/// of an integer unchanged): the front end casts first, and a program that does not is
/// ill-typed.
pub(super) fn binary_in(op: BinaryOp, d: DType) -> bool {
    matches!(binary_signature(op, d), Ok((c, _)) if c == d)
}

/// As [`binary_in`], for unary operations.
pub(super) fn unary_in(op: UnaryOp, d: DType) -> bool {
    matches!(unary_signature(op, d), Ok((c, _)) if c == d)
}

#[cold]
#[inline(never)]
pub(super) fn bad_op(name: &str, d: DType, span: Span) -> RunError {
    RunError::internal(format!("{name} does not compute in {d}"), span)
}

/// A binary element operation on two scalars of one dtype, as the expression engine's
/// reference evaluator computes it (a float power with a constant exponent through the
/// constant-power kernel).
pub(super) fn binary(op: BinaryOp, x: Scalar, y: Scalar, const_exponent: bool) -> Scalar {
    match (op, const_exponent, x, y) {
        (BinaryOp::Pow, true, Scalar::F64(x), Scalar::F64(k)) => {
            Scalar::F64(f64::pow_const_one(x, k))
        }
        (BinaryOp::Pow, true, Scalar::F32(x), Scalar::F32(k)) => {
            Scalar::F32(f32::pow_const_one(x, k))
        }
        _ => fold_binary(op, x, y),
    }
}

/// A scalar conversion as Numba's compiled code makes it: a float to an integer narrower
/// than 64 bits goes through int64 (truncating toward zero) and wraps, as x86's
/// conversion instructions do (`np.uint8(300.7)` is 44); to a 64-bit integer and between
/// other types it is `Scalar::cast` (saturating where Numba's result is undefined).
fn cast(x: Scalar, d: DType) -> Scalar {
    if x.dtype().is_float() && d.is_int() && d.size() < 8 {
        return x.cast(DType::I64).cast(d);
    }
    x.cast(d)
}

/// `/`, `//` or `%` under Python's error model (Numba's messages), and integer `**` as
/// Numba computes it, in `rd` (the expression's dtype).
#[inline(never)]
fn py_div(op: BinaryOp, x: Scalar, y: Scalar, rd: DType, span: Span) -> Result<Scalar, RunError> {
    let float = x.dtype().is_float();
    if op == BinaryOp::Pow && !float {
        // Numba's integer power: a negative exponent gives 0 except for bases 1 and -1,
        // and raises for base 0.
        let (b, e) = (x.to_i128(), y.to_i128());
        if e < 0 {
            return match b {
                0 => Err(RunError::new(
                    RaiseKind::ZeroDivisionError,
                    "0 cannot be raised to a negative power",
                    span,
                )),
                1 => Ok(Scalar::one(rd)),
                -1 => Ok(Scalar::from_i128(if e % 2 == 0 { 1 } else { -1 }, rd)),
                _ => Ok(Scalar::zero(rd)),
            };
        }
        if !binary_in(op, rd) {
            return Err(bad_op(op.name(), rd, span));
        }
        return Ok(fold_binary(op, x.cast(rd), y.cast(rd)));
    }
    let zero = if float {
        y.to_f64() == 0.0
    } else {
        y.to_i128() == 0
    };
    if zero {
        let message = match (op, float) {
            (BinaryOp::FloorDiv, false) => "integer division by zero",
            (BinaryOp::Mod, false) => "integer modulo by zero",
            (BinaryOp::TrueDiv, _) | (BinaryOp::FloorDiv, true) => "division by zero",
            (BinaryOp::Mod, true) => "modulo by zero",
            _ => return Err(RunError::internal(format!("py.{}", op.name()), span)),
        };
        return Err(RunError::new(RaiseKind::ZeroDivisionError, message, span));
    }
    if !matches!(op, BinaryOp::TrueDiv | BinaryOp::FloorDiv | BinaryOp::Mod) {
        return Err(RunError::internal(format!("py.{}", op.name()), span));
    }
    if !binary_in(op, rd) {
        return Err(bad_op(op.name(), rd, span));
    }
    Ok(fold_binary(op, x.cast(rd), y.cast(rd)))
}
