//! AST + signature -> typed IR. This is where NumPy 2's typing happens: NEP 50 weak
//! Python scalars, promotion, each operation's signature, broadcasting, reductions.

use super::pyops;
use crate::front::functions::{self, FunctionDef, Lowering, Rule, Special};
use crate::ir::{Function, Node, Param, Value};
use crate::syntax::{self, Ast, ExprId, ExprKind, Span};
use crate::types::{
    BinaryOp, DType, PyScalar, ReduceOp, Scalar, Shape, TypeErr, UnaryOp, binary_signature,
    broadcast, float_of, promote, reduce_signature, shape_str, size_of, unary_signature,
};

/// What an input name is bound to.
#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    /// A C-contiguous array (0-d included) of this dtype and shape.
    Array { dtype: DType, shape: Shape },
    /// A Python scalar: weak in the sense of NEP 50, and folded into the program.
    Scalar(PyScalar),
}

/// The names an expression may use, with their kinds. A compiled expression is valid for
/// exactly one signature.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Signature {
    pub inputs: Vec<(String, InputKind)>,
}

/// The kind of a lowering error (Python's exception names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LowerErrorKind {
    Name,
    Type,
    Value,
    Overflow,
    ZeroDivision,
    /// Syntax the expression language does not have: an AST kind only module mode builds
    /// (never one from `syntax::parse`), or a method call other than a reduction's.
    Syntax,
}

/// A typing error with the span of the expression that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct LowerError {
    pub kind: LowerErrorKind,
    pub message: String,
    pub span: Span,
    pub notes: Vec<String>,
}

impl LowerError {
    fn new(kind: LowerErrorKind, message: impl Into<String>, span: Span) -> Self {
        Self {
            kind,
            message: message.into(),
            span,
            notes: Vec::new(),
        }
    }

    fn from_type(e: TypeErr, span: Span) -> Self {
        match e {
            TypeErr::Type(m) => Self::new(LowerErrorKind::Type, m, span),
            TypeErr::Overflow(m) => Self::new(LowerErrorKind::Overflow, m, span),
            TypeErr::Value(m) => Self::new(LowerErrorKind::Value, m, span),
            TypeErr::ZeroDivision(m) => Self::new(LowerErrorKind::ZeroDivision, m, span),
        }
    }
}

type Result<T> = std::result::Result<T, LowerError>;

/// A lowered expression: a Python scalar not yet given a dtype, or an IR value.
#[derive(Debug, Clone, Copy)]
enum Val {
    Weak(PyScalar),
    Strong(Value),
}

/// How a weak integer that does not fit the array dtype is treated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum OutOfRange {
    /// OverflowError (ufuncs and operators).
    Error,
    /// Wrap around (`where`).
    Wrap,
}

/// Lowers a parsed expression for a signature.
pub fn lower(ast: &Ast, sig: &Signature) -> Result<Function> {
    let mut params = Vec::new();
    let mut names = Vec::new();
    for (name, kind) in &sig.inputs {
        match kind {
            InputKind::Array { dtype, shape } => {
                names.push((name.clone(), Some(params.len() as u32), None));
                params.push(Param {
                    name: name.clone(),
                    dtype: *dtype,
                    shape: shape.clone(),
                });
            }
            InputKind::Scalar(v) => names.push((name.clone(), None, Some(*v))),
        }
    }
    let mut lw = Lower {
        ast,
        f: Function::new(params),
        names,
        memo: vec![None; ast.exprs.len()],
    };
    let root = ast.root.ok_or_else(|| {
        LowerError::new(LowerErrorKind::Value, "empty expression", Span::default())
    })?;
    let v = lw.expr(root)?;
    let span = ast.get(root).span;
    let h = lw.strong(v, span)?;
    lw.f.root = Some(h);
    lw.f.compact();
    Ok(lw.f)
}

struct Lower<'a> {
    ast: &'a Ast,
    f: Function,
    names: Vec<(String, Option<u32>, Option<PyScalar>)>,
    memo: Vec<Option<Val>>,
}

impl Lower<'_> {
    fn expr(&mut self, id: ExprId) -> Result<Val> {
        if let Some(v) = self.memo[id.0 as usize] {
            return Ok(v);
        }
        let v = self.expr_uncached(id)?;
        self.memo[id.0 as usize] = Some(v);
        Ok(v)
    }

    fn expr_uncached(&mut self, id: ExprId) -> Result<Val> {
        let e = self.ast.get(id);
        let span = e.span;
        match &e.kind {
            ExprKind::Int(Some(v)) if *v <= i128::MAX as u128 => {
                Ok(Val::Weak(PyScalar::Int(*v as i128)))
            }
            ExprKind::Int(_) => Err(LowerError::new(
                LowerErrorKind::Overflow,
                "integer literal too large (the engine holds Python integers in 128 bits)",
                span,
            )),
            ExprKind::Float(v) => Ok(Val::Weak(PyScalar::Float(*v))),
            ExprKind::Bool(b) => Ok(Val::Weak(PyScalar::Bool(*b))),
            ExprKind::NoneLit => Err(LowerError::new(
                LowerErrorKind::Type,
                "None is only allowed as axis=None",
                span,
            )),
            ExprKind::Name(n) => self.name(n, span),
            ExprKind::Unary(op, a) => {
                let a = self.expr(*a)?;
                self.unary_operator(*op, a, span)
            }
            ExprKind::Binary(op, a, b) => {
                let Some(bop) = binary_op(*op) else {
                    return Err(not_in_language(&e.kind, span));
                };
                let (a, b) = (self.expr(*a)?, self.expr(*b)?);
                if let (Val::Weak(x), Val::Weak(y)) = (a, b) {
                    return pyops::binary(*op, x, y)
                        .map(Val::Weak)
                        .map_err(|e| LowerError::from_type(e, span));
                }
                self.binary(bop, a, b, span)
            }
            ExprKind::Compare(op, a, b) => {
                let (a, b) = (self.expr(*a)?, self.expr(*b)?);
                if let (Val::Weak(x), Val::Weak(y)) = (a, b) {
                    return Ok(Val::Weak(pyops::compare(*op, x, y)));
                }
                self.binary(compare_op(*op), a, b, span)
            }
            ExprKind::Attr {
                base,
                name,
                name_span,
            } => {
                if let Some(module) = self.numpy_module(*base) {
                    return Err(numpy_attribute(module, name, span));
                }
                let b = self.expr(*base)?;
                match (name.as_str(), b) {
                    ("real", v) => Ok(v),
                    ("imag", Val::Weak(PyScalar::Float(_))) => Ok(Val::Weak(PyScalar::Float(0.0))),
                    ("imag", Val::Weak(_)) => Ok(Val::Weak(PyScalar::Int(0))),
                    ("imag", Val::Strong(h)) => Ok(Val::Strong(
                        self.f.fetch_or_append(Node::Unary(UnaryOp::Zero, h), span),
                    )),
                    _ => Err(LowerError::new(
                        LowerErrorKind::Name,
                        format!("unknown attribute '{name}'"),
                        *name_span,
                    )
                    .with_note("only .real and .imag are supported")),
                }
            }
            ExprKind::Call { func, args, kwargs } => {
                let callee = self.ast.get(*func);
                match &callee.kind {
                    ExprKind::Name(name) => self.call(name, callee.span, args, kwargs, span),
                    ExprKind::Attr {
                        base,
                        name,
                        name_span,
                    } => {
                        if let Some(module) = self.numpy_module(*base) {
                            self.numpy_call(module, name, callee.span, args, kwargs, span)
                        } else {
                            let at = (*name_span, callee.span);
                            self.method(*base, name, at, args, kwargs, span)
                        }
                    }
                    _ => Err(LowerError::new(
                        LowerErrorKind::Syntax,
                        "only function names can be called",
                        callee.span,
                    )),
                }
            }
            other => Err(not_in_language(other, span)),
        }
    }

    fn name(&mut self, n: &str, span: Span) -> Result<Val> {
        if let Some((_, slot, scalar)) = self.names.iter().find(|(name, _, _)| name == n) {
            if let Some(v) = scalar {
                return Ok(Val::Weak(*v));
            }
            let slot = slot.unwrap_or(0);
            return Ok(Val::Strong(self.f.fetch_or_append(Node::Input(slot), span)));
        }
        let mut err = LowerError::new(
            LowerErrorKind::Name,
            format!("name '{n}' is not defined"),
            span,
        );
        let candidates: Vec<&str> = self
            .names
            .iter()
            .map(|(name, _, _)| name.as_str())
            .collect();
        if functions::lookup(n).is_some() {
            err = err.with_note(format!("'{n}' is a function: call it as {n}(...)"));
        } else if let Some(s) = did_you_mean(n, candidates.iter().copied()) {
            err = err.with_note(format!("did you mean '{s}'?"));
        }
        Err(err)
    }

    /// A strongly typed value: Python scalars get NumPy's default dtype.
    fn strong(&mut self, v: Val, span: Span) -> Result<Value> {
        match v {
            Val::Strong(h) => Ok(h),
            Val::Weak(w) => {
                let d = w
                    .default_dtype()
                    .map_err(|e| LowerError::from_type(e, span))?;
                Ok(self.f.constant(w.to_scalar(d), span))
            }
        }
    }

    fn unary_operator(&mut self, op: syntax::UnOp, a: Val, span: Span) -> Result<Val> {
        match (op, a) {
            (_, Val::Weak(w)) => pyops::unary(op, w)
                .map(Val::Weak)
                .map_err(|e| LowerError::from_type(e, span)),
            (syntax::UnOp::Pos, Val::Strong(h)) => {
                if self.f.dtype(h) == DType::Bool {
                    return Err(LowerError::new(
                        LowerErrorKind::Type,
                        "ufunc 'positive' did not contain a loop with signature matching types <class 'numpy.dtypes.BoolDType'> -> None",
                        span,
                    ));
                }
                Ok(a)
            }
            (syntax::UnOp::Neg, Val::Strong(h)) => self.unary(UnaryOp::Neg, h, span),
            (syntax::UnOp::Invert, Val::Strong(h)) => self.unary(UnaryOp::Invert, h, span),
        }
    }

    fn unary(&mut self, op: UnaryOp, h: Value, span: Span) -> Result<Val> {
        let (od, _) =
            unary_signature(op, self.f.dtype(h)).map_err(|e| LowerError::from_type(e, span))?;
        let h = self.f.cast(h, od, span);
        Ok(Val::Strong(
            self.f.fetch_or_append(Node::Unary(op, h), span),
        ))
    }

    /// NEP 50 result type of operands (strong dtypes promote; a weak Python scalar takes
    /// the strong side's kind, or NumPy's default dtype when every operand is weak).
    fn result_type(&self, vals: &[Val], span: Span) -> Result<DType> {
        let strong = vals.iter().filter_map(|v| match v {
            Val::Strong(h) => Some(self.f.dtype(*h)),
            Val::Weak(_) => None,
        });
        let Some(ds) = strong.reduce(promote) else {
            let mut d: Option<DType> = None;
            for v in vals {
                if let Val::Weak(w) = v {
                    let dw = w
                        .default_dtype()
                        .map_err(|e| LowerError::from_type(e, span))?;
                    d = Some(d.map_or(dw, |x| promote(x, dw)));
                }
            }
            return Ok(d.unwrap_or(DType::F64));
        };
        let mut d = ds;
        for v in vals {
            if let Val::Weak(w) = v {
                let dw = match w {
                    PyScalar::Bool(_) => DType::Bool,
                    PyScalar::Int(_) if ds == DType::Bool => {
                        if !w.fits(DType::I64) {
                            return Err(LowerError::new(
                                LowerErrorKind::Overflow,
                                "Python int too large to convert to C long",
                                span,
                            ));
                        }
                        DType::I64
                    }
                    PyScalar::Int(_) => ds,
                    PyScalar::Float(_) => {
                        if ds.is_float() {
                            ds
                        } else {
                            DType::F64
                        }
                    }
                };
                d = promote(d, dw);
            }
        }
        Ok(d)
    }

    /// The operands as IR values of dtype `od` (the dtype the operation computes in). A
    /// weak integer must fit `od` when it is an integer dtype (`mode` says what happens
    /// otherwise); operations that compute in float (true division, arctan2, ...) take
    /// any Python integer, as NumPy does.
    fn operands(
        &mut self,
        vals: &[Val],
        od: DType,
        mode: OutOfRange,
        span: Span,
    ) -> Result<Vec<Value>> {
        let all_weak = vals.iter().all(|v| matches!(v, Val::Weak(_)));
        let mut out = Vec::new();
        for v in vals {
            out.push(match *v {
                Val::Strong(h) => self.f.cast(h, od, span),
                Val::Weak(w) if all_weak => {
                    let h = self.strong(Val::Weak(w), span)?;
                    self.f.cast(h, od, span)
                }
                Val::Weak(w) => {
                    let w = match (w, od.int_range()) {
                        (PyScalar::Int(x), Some((lo, hi)))
                            if od != DType::Bool && !(lo..=hi).contains(&x) =>
                        {
                            match mode {
                                OutOfRange::Error => {
                                    return Err(LowerError::new(
                                        LowerErrorKind::Overflow,
                                        format!("Python integer {x} out of bounds for {od}"),
                                        span,
                                    ));
                                }
                                OutOfRange::Wrap => w,
                            }
                        }
                        _ => w,
                    };
                    self.f.constant(w.to_scalar(od), span)
                }
            });
        }
        Ok(out)
    }

    fn check_broadcast(&self, hs: &[Value], span: Span) -> Result<Shape> {
        let mut shape: Shape = vec![];
        for h in hs {
            shape = broadcast(&shape, self.f.shape(*h)).map_err(|m| {
                let shapes: Vec<String> = hs.iter().map(|h| shape_str(self.f.shape(*h))).collect();
                let m = if hs.len() == 2 {
                    m
                } else {
                    format!(
                        "operands could not be broadcast together with shapes {}",
                        shapes.join(" ")
                    )
                };
                LowerError::new(LowerErrorKind::Value, m, span)
            })?;
        }
        // Only the element count must be indexable here: a broadcast need not be stored
        // (a sum over it is a loop), so whether a buffer fits is checked where one is
        // allocated (`api::compile` for every buffer of the program, then the allocation).
        if crate::types::checked_size(&shape).is_none_or(|n| n > isize::MAX as usize) {
            return Err(LowerError::new(
                LowerErrorKind::Value,
                format!(
                    "iterator is too large: the broadcast shape {} has more elements than can be indexed",
                    shape_str(&shape)
                ),
                span,
            ));
        }
        Ok(shape)
    }

    fn binary(&mut self, op: BinaryOp, a: Val, b: Val, span: Span) -> Result<Val> {
        if op.is_comparison()
            && let Some(v) = self.compare_special(op, a, b, span)?
        {
            return Ok(v);
        }
        let d = self.result_type(&[a, b], span)?;
        let (mut od, _) = binary_signature(op, d).map_err(|e| LowerError::from_type(e, span))?;
        // The float-only ufuncs take the first loop both operands cast to safely, which can
        // be narrower than the promoted integer's: uint16 with int16 promote to int32 (a
        // float64 loop) but both fit float32, so np.arctan2(u16, i16) is float32.
        if matches!(
            op,
            BinaryOp::Arctan2 | BinaryOp::Hypot | BinaryOp::Copysign | BinaryOp::Nextafter
        ) && let (Val::Strong(x), Val::Strong(y)) = (a, b)
            && !d.is_float()
        {
            let float_of = |t: DType| binary_signature(op, t).map(|(o, _)| o);
            let (fx, fy) = (float_of(self.f.dtype(x)), float_of(self.f.dtype(y)));
            if let (Ok(fx), Ok(fy)) = (fx, fy) {
                od = if fx == DType::F64 || fy == DType::F64 {
                    DType::F64
                } else {
                    DType::F32
                };
            }
        }
        let hs = self.operands(&[a, b], od, OutOfRange::Error, span)?;
        let (x, y) = (hs[0], hs[1]);
        self.check_broadcast(&[x, y], span)?;
        if op == BinaryOp::Pow
            && od.is_int()
            && let Some(c) = self.f.as_const(y)
            && c.to_i128() < 0
        {
            return Err(LowerError::new(
                LowerErrorKind::Value,
                "Integers to negative integer powers are not allowed.",
                span,
            ));
        }
        Ok(Val::Strong(
            self.f.fetch_or_append(Node::Binary(op, x, y), span),
        ))
    }

    /// Comparisons NumPy 2 answers exactly where promotion would not: a weak integer
    /// outside the array's range, and signed integers against uint64.
    fn compare_special(&mut self, op: BinaryOp, a: Val, b: Val, span: Span) -> Result<Option<Val>> {
        // Put the strong operand first.
        let (op, s, o) = match (a, b) {
            (Val::Strong(h), o) => (op, h, o),
            (o, Val::Strong(h)) => (op.swapped(), h, o),
            _ => return Ok(None),
        };
        let ds = self.f.dtype(s);
        match o {
            Val::Weak(w @ PyScalar::Int(v)) if ds.is_int() && !w.fits(ds) => {
                let (lo, _) = ds.int_range().unwrap_or((0, 0));
                // Every element is below v (v too big) or above it (v too small).
                let below = v > lo;
                let r = match op {
                    BinaryOp::Lt | BinaryOp::Le => below,
                    BinaryOp::Gt | BinaryOp::Ge => !below,
                    BinaryOp::Eq => false,
                    _ => true,
                };
                let fill = self.f.fetch_or_append(
                    Node::Unary(if r { UnaryOp::One } else { UnaryOp::Zero }, s),
                    span,
                );
                Ok(Some(Val::Strong(self.f.cast(fill, DType::Bool, span))))
            }
            Val::Strong(t) => {
                let dt = self.f.dtype(t);
                let (signed, unsigned, op) = if ds.is_signed_int() && dt == DType::U64 {
                    (s, t, op)
                } else if dt.is_signed_int() && ds == DType::U64 {
                    (t, s, op.swapped())
                } else {
                    return Ok(None);
                };
                self.check_broadcast(&[signed, unsigned], span)?;
                let zero = self.f.constant(Scalar::zero(self.f.dtype(signed)), span);
                let neg = self
                    .f
                    .fetch_or_append(Node::Binary(BinaryOp::Lt, signed, zero), span);
                let as_u = self.f.cast(signed, DType::U64, span);
                let cmp = self
                    .f
                    .fetch_or_append(Node::Binary(op, as_u, unsigned), span);
                let r = if matches!(op, BinaryOp::Lt | BinaryOp::Le | BinaryOp::Ne) {
                    Node::Binary(BinaryOp::Or, neg, cmp)
                } else {
                    let not_neg = self
                        .f
                        .fetch_or_append(Node::Unary(UnaryOp::Invert, neg), span);
                    Node::Binary(BinaryOp::And, not_neg, cmp)
                };
                Ok(Some(Val::Strong(self.f.fetch_or_append(r, span))))
            }
            Val::Weak(_) => Ok(None),
        }
    }

    fn call(
        &mut self,
        func: &str,
        func_span: Span,
        args: &[ExprId],
        kwargs: &[(String, Span, ExprId)],
        span: Span,
    ) -> Result<Val> {
        let Some(def) = functions::lookup(func) else {
            return Err(unknown_function(func, func, "", func_span));
        };
        if let Some((k, kspan, _)) = kwargs
            .iter()
            .find(|(k, _, _)| !def.keywords.contains(&k.as_str()))
        {
            return Err(LowerError::new(
                LowerErrorKind::Type,
                format!("{func}() got an unexpected keyword argument '{k}'"),
                *kspan,
            ));
        }
        check_arity(def, args.len(), kwargs.len(), span)?;
        let reduction = match def.lowering {
            Lowering::Reduce(op) => Some((op, false)),
            Lowering::Mean => Some((ReduceOp::Sum, true)),
            _ => None,
        };
        if let (Some((op, mean)), Some(&a)) = (reduction, args.first()) {
            // The axis is the second positional argument or `axis=`.
            let axis = args
                .get(1)
                .or_else(|| kwargs.iter().find(|k| k.0 == "axis").map(|k| &k.2));
            return self.reduction(op, mean, a, axis, span);
        }
        let mut vals = Vec::new();
        for a in args {
            vals.push(self.expr(*a)?);
        }
        let v = match (def.lowering, vals.as_slice()) {
            (Lowering::Unary(op), &[a]) => {
                let mut h = self.strong(a, span)?;
                // A float function computes in the operand's float dtype even where its op
                // has an integer loop (`rint` shares `round`'s, which keeps integers):
                // np.rint of int8 is float16 in NumPy, float32 here, of int32 float64.
                if def.rule == Rule::Float {
                    h = self.f.cast(h, float_of(self.f.dtype(h)), span);
                }
                Some(self.unary(op, h, span)?)
            }
            // Ufuncs see Python scalars as weak too, but two Python scalars get default
            // dtypes (np.maximum(1, 2.5) is a float64), not Python arithmetic.
            (Lowering::Binary(op), &[a, b]) => Some(self.binary(op, a, b, span)?),
            (Lowering::Special(s), _) => self.special(s, &vals, span)?,
            _ => None,
        };
        // None only for an argument count that the row's arity does not allow, which the
        // arity check has refused (the table's tests hold every row to its lowering).
        v.ok_or_else(|| {
            LowerError::new(
                LowerErrorKind::Name,
                format!("function '{func}' is not defined"),
                func_span,
            )
        })
    }

    /// The module a NumPy user prefixes functions with, when `base` is `np` or `numpy` and
    /// no input has that name (an input `np` is an array like any other).
    fn numpy_module(&self, base: ExprId) -> Option<&'static str> {
        let ExprKind::Name(n) = &self.ast.get(base).kind else {
            return None;
        };
        let module = NUMPY_MODULE.iter().copied().find(|m| m == n)?;
        let bound = self.names.iter().any(|(name, _, _)| name == n);
        (!bound).then_some(module)
    }

    /// `np.sin(a)`: NumPy's spelling of the language's `sin(a)`. Every function of the
    /// table is NumPy's function of that name, so the prefix changes nothing else.
    fn numpy_call(
        &mut self,
        module: &str,
        func: &str,
        callee_span: Span,
        args: &[ExprId],
        kwargs: &[(String, Span, ExprId)],
        span: Span,
    ) -> Result<Val> {
        if functions::lookup(func).is_none() {
            let written = format!("{module}.{func}");
            return Err(unknown_function(
                &written,
                func,
                &format!("{module}."),
                callee_span,
            ));
        }
        self.call(func, callee_span, args, kwargs, span)
    }

    /// The method form `a.sum(axis)` of a reduction, which NumPy defines as
    /// `np.sum(a, axis)`. Other methods, whose NumPy meaning can differ from the function's
    /// (`a.conj()` of bool stays bool, `conj(a)` is int8), are refused with a note giving the
    /// function form. `at` is the spans of the method's name and of `a.name`.
    fn method(
        &mut self,
        base: ExprId,
        name: &str,
        (name_span, callee_span): (Span, Span),
        args: &[ExprId],
        kwargs: &[(String, Span, ExprId)],
        span: Span,
    ) -> Result<Val> {
        let row = functions::lookup(name);
        let Some(def) = row.filter(|d| d.is_reduction()) else {
            if let Some(def) = row {
                return Err(LowerError::new(
                    LowerErrorKind::Syntax,
                    format!("the method .{name}() is not part of the expression language"),
                    callee_span,
                )
                .with_note(format!("call the function instead: {}", function_form(def))));
            }
            let reductions = functions::FUNCTIONS.iter().filter(|d| d.is_reduction());
            let note = missing_function_note(name, ".", reductions.map(|d| d.name));
            return Err(LowerError::new(
                LowerErrorKind::Name,
                format!("unknown method '{name}'"),
                name_span,
            )
            .with_note(note));
        };
        // A Python scalar has no reduction methods: `(2.5).sum()` is an AttributeError in
        // Python (named as the unknown attribute above is).
        if let Val::Weak(w) = self.expr(base)? {
            return Err(LowerError::new(
                LowerErrorKind::Name,
                format!("'{}' object has no attribute '{name}'", w.type_name()),
                name_span,
            )
            .with_note(format!(
                "the function form takes a Python scalar: {name}(x)"
            )));
        }
        // The receiver is the first parameter; each keyword names one of the last ones.
        let most = (def.max_args - 1).saturating_sub(kwargs.len());
        if args.len() > most {
            let s = if most == 1 { "" } else { "s" };
            return Err(LowerError::new(
                LowerErrorKind::Type,
                format!(
                    "{name}() takes at most {most} positional argument{s} but {} were given",
                    args.len()
                ),
                span,
            )
            .with_note(format!("x.{name}(axis) is {name}(x, axis)")));
        }
        let mut all = Vec::with_capacity(args.len() + 1);
        all.push(base);
        all.extend_from_slice(args);
        self.call(name, name_span, &all, kwargs, span)
    }

    /// A reduction: `op` over `arg`, along `axis` (an expression) if given; `mean` divides
    /// the sum by the count.
    fn reduction(
        &mut self,
        op: ReduceOp,
        mean: bool,
        arg: ExprId,
        axis: Option<&ExprId>,
        span: Span,
    ) -> Result<Val> {
        let axis = match axis {
            None => None,
            Some(&ax) => self.axis(ax)?,
        };
        let a = self.expr(arg)?;
        self.reduce(op, mean, a, axis, span)
    }

    /// The functions lowered by hand; None for an argument count the function does not take.
    fn special(&mut self, s: Special, vals: &[Val], span: Span) -> Result<Option<Val>> {
        let v = match (s, vals) {
            // np.real and np.imag return `val.real`/`val.imag` when the argument has them,
            // so on a Python scalar they give Python scalars (weak): imag(3) is the int 0,
            // real(True) the int 1, imag(2.5) the float 0.0.
            (Special::Real, &[Val::Weak(w)]) => Val::Weak(match w {
                PyScalar::Bool(b) => PyScalar::Int(i128::from(b)),
                w => w,
            }),
            (Special::Imag, &[Val::Weak(w)]) => Val::Weak(match w {
                PyScalar::Float(_) => PyScalar::Float(0.0),
                _ => PyScalar::Int(0),
            }),
            (Special::Imag, &[v]) => {
                let h = self.strong(v, span)?;
                self.unary(UnaryOp::Zero, h, span)?
            }
            (Special::Copy | Special::Real, &[v]) => Val::Strong(self.strong(v, span)?),
            (Special::Conj, &[v]) => {
                let h = self.strong(v, span)?;
                let d = if self.f.dtype(h) == DType::Bool {
                    DType::I8
                } else {
                    self.f.dtype(h)
                };
                Val::Strong(self.f.cast(h, d, span))
            }
            (Special::Where, &[c, a, b]) => {
                let c = match c {
                    Val::Weak(w) => self
                        .f
                        .constant(Scalar::Bool(w.to_scalar(DType::F64).is_truthy()), span),
                    Val::Strong(h) => self.f.cast(h, DType::Bool, span),
                };
                let d = self.result_type(&[a, b], span)?;
                let hs = self.operands(&[a, b], d, OutOfRange::Wrap, span)?;
                self.check_broadcast(&[c, hs[0], hs[1]], span)?;
                Val::Strong(self.f.fetch_or_append(Node::Select(c, hs[0], hs[1]), span))
            }
            (Special::Clip, &[a, lo, hi]) => {
                // np.clip converts its first argument with asarray (a Python scalar there
                // gets its default dtype, int64 or float64) and passes the bounds to the
                // clip ufunc, which sees Python scalars as weak: np.clip(7, c, c) is int64
                // for uint32 c, np.clip(c, 7, 9) is uint32.
                let a = self.strong(a, span)?;
                // On an integer array a Python int lower bound at or below the dtype's
                // minimum, or upper bound at or above its maximum, is dropped (NumPy's
                // `_clip`); any other out-of-range Python int is an OverflowError, as in the
                // ufunc: np.clip(u8, -5, 300) is u8, np.clip(u8, 2, -1) raises.
                let (mut lo, mut hi) = (Some(lo), Some(hi));
                let da = self.f.dtype(a);
                if let (true, Some((min, max))) = (da.is_int(), da.int_range()) {
                    if matches!(lo, Some(Val::Weak(PyScalar::Int(v))) if v <= min) {
                        lo = None;
                    }
                    if matches!(hi, Some(Val::Weak(PyScalar::Int(v))) if v >= max) {
                        hi = None;
                    }
                }
                let kept: Vec<Val> = [Some(Val::Strong(a)), lo, hi]
                    .into_iter()
                    .flatten()
                    .collect();
                let d = self.result_type(&kept, span)?;
                let hs = self.operands(&kept, d, OutOfRange::Error, span)?;
                self.check_broadcast(&hs, span)?;
                let ops = [(lo, BinaryOp::Maximum), (hi, BinaryOp::Minimum)]
                    .into_iter()
                    .filter_map(|(bound, op)| bound.map(|_| op));
                let mut h = hs[0];
                for (op, &b) in ops.zip(&hs[1..]) {
                    h = self.f.fetch_or_append(Node::Binary(op, h, b), span);
                }
                Val::Strong(h)
            }
            _ => return Ok(None),
        };
        Ok(Some(v))
    }

    /// An `axis=` argument: None or an integer known at compile time.
    fn axis(&mut self, ax: ExprId) -> Result<Option<i128>> {
        let span = self.ast.get(ax).span;
        if matches!(self.ast.get(ax).kind, ExprKind::NoneLit) {
            return Ok(None);
        }
        match self.expr(ax)? {
            Val::Weak(PyScalar::Int(v)) => Ok(Some(v)),
            _ => Err(LowerError::new(
                LowerErrorKind::Type,
                "axis must be None or an integer literal",
                span,
            )),
        }
    }

    fn reduce(
        &mut self,
        op: ReduceOp,
        mean: bool,
        a: Val,
        axis: Option<i128>,
        span: Span,
    ) -> Result<Val> {
        let h = self.strong(a, span)?;
        let shape = self.f.shape(h).to_vec();
        let ndim = shape.len() as i128;
        let axis = match axis {
            None => None,
            // NumPy lets the reductions (not mean) of a 0-d array name axis 0 or -1.
            Some(0 | -1) if ndim == 0 && !mean => None,
            Some(ax) if ax < -ndim || ax >= ndim => {
                return Err(LowerError::new(
                    LowerErrorKind::Value,
                    format!("axis {ax} is out of bounds for array of dimension {ndim}"),
                    span,
                ));
            }
            Some(ax) => {
                let ax = if ax < 0 { ax + ndim } else { ax } as u32;
                // Reducing the only axis is reducing everything.
                if ndim == 1 { None } else { Some(ax) }
            }
        };
        let count = axis.map_or_else(|| size_of(&shape), |ax| shape[ax as usize]);
        let d = self.f.dtype(h);
        if count == 0 && matches!(op, ReduceOp::Min | ReduceOp::Max) {
            return Err(LowerError::new(
                LowerErrorKind::Value,
                format!(
                    "zero-size array to reduction operation {} which has no identity",
                    if op == ReduceOp::Min {
                        "minimum"
                    } else {
                        "maximum"
                    }
                ),
                span,
            ));
        }
        let acc = if mean {
            if d.is_float() { d } else { DType::F64 }
        } else {
            reduce_signature(op, d)
        };
        let arg = self.f.cast(h, acc, span);
        let r = self.f.fetch_or_append(Node::Reduce(op, arg, axis), span);
        if mean {
            let n = self.f.constant(Scalar::from_f64(count as f64, acc), span);
            return Ok(Val::Strong(
                self.f
                    .fetch_or_append(Node::Binary(BinaryOp::TrueDiv, r, n), span),
            ));
        }
        Ok(Val::Strong(r))
    }
}

impl LowerError {
    fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// The names NumPy users import NumPy as; `np.sin(a)` is `sin(a)`.
const NUMPY_MODULE: [&str; 2] = ["np", "numpy"];

/// The NameError of a call of a function the language lacks, `written` as the source
/// spells it (`cumsum`, `np.cumsum`), `name` without the module; `prefix` is the module's
/// spelling for the did-you-mean note.
fn unknown_function(written: &str, name: &str, prefix: &str, span: Span) -> LowerError {
    LowerError::new(
        LowerErrorKind::Name,
        format!("function '{written}' is not defined"),
        span,
    )
    .with_note(missing_function_note(name, prefix, functions::names()))
}

/// Why a called `name` is not there: a dtype (a NumPy cast) gets a note on dtypes, a name
/// close to one of `candidates` a did-you-mean with `prefix`, anything else a note that
/// the language has no such function.
fn missing_function_note<'a>(
    name: &str,
    prefix: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> String {
    if name == "astype" || DType::from_name(name).is_some() {
        // A cast's NumPy meaning depends on the operand (an array wraps out-of-range
        // integers, a Python int raises): the language leaves casts out rather than guess.
        "the expression language has no dtype casts: a result's dtype follows from its \
         operands' by NumPy's promotion, so pass the input with the dtype to compute in"
            .into()
    } else if let Some(s) = did_you_mean(name, candidates) {
        format!("did you mean '{prefix}{s}'?")
    } else {
        format!("the expression language has no function '{name}'")
    }
}

/// The NameError of `np.name` not called: NumPy's functions are the only names the
/// language takes from the module.
fn numpy_attribute(module: &str, name: &str, span: Span) -> LowerError {
    let err = LowerError::new(
        LowerErrorKind::Name,
        format!("name '{module}.{name}' is not defined"),
        span,
    );
    if functions::lookup(name).is_some() {
        err.with_note(format!(
            "'{module}.{name}' is a function: call it as {module}.{name}(...)"
        ))
    } else {
        err.with_note(format!(
            "the expression language takes only functions from {module}, called as \
             {module}.name(...)"
        ))
    }
}

/// How a row is called as a function, for notes: `round(x)`, `clip(x, ...)`.
fn function_form(def: &FunctionDef) -> String {
    let rest = if def.max_args > 1 { ", ..." } else { "" };
    format!("{}(x{rest})", def.name)
}

/// The positional argument count against the row's arity. Every keyword given (all of
/// them the row's, checked before) names one of the last positional parameters, so it
/// takes one away from the most positional arguments: `sum(x, 0, axis=0)` has one too many.
fn check_arity(def: &FunctionDef, given: usize, keywords: usize, span: Span) -> Result<()> {
    let arity = def.min_args..=def.max_args.saturating_sub(keywords);
    if arity.contains(&given) {
        return Ok(());
    }
    let want = if arity.start() == arity.end() {
        format!("{}", arity.start())
    } else {
        format!("{} to {}", arity.start(), arity.end())
    };
    Err(LowerError::new(
        LowerErrorKind::Type,
        format!(
            "{}() takes {want} positional argument{} but {given} were given",
            def.name,
            if *arity.end() == 1 { "" } else { "s" },
        ),
        span,
    ))
}

/// The error for an AST kind that only the kernel language has.
fn not_in_language(kind: &ExprKind, span: Span) -> LowerError {
    LowerError::new(
        LowerErrorKind::Syntax,
        format!(
            "{} are not part of the expression language",
            kind.describe()
        ),
        span,
    )
}

/// The IR operation of a binary operator; `None` for `@`, which only the kernel language
/// has.
fn binary_op(op: syntax::BinOp) -> Option<BinaryOp> {
    use syntax::BinOp as B;
    Some(match op {
        B::Add => BinaryOp::Add,
        B::Sub => BinaryOp::Sub,
        B::Mul => BinaryOp::Mul,
        B::Div => BinaryOp::TrueDiv,
        B::FloorDiv => BinaryOp::FloorDiv,
        B::Mod => BinaryOp::Mod,
        B::Pow => BinaryOp::Pow,
        B::Shl => BinaryOp::Shl,
        B::Shr => BinaryOp::Shr,
        B::BitAnd => BinaryOp::And,
        B::BitOr => BinaryOp::Or,
        B::BitXor => BinaryOp::Xor,
        B::MatMul => return None,
    })
}

fn compare_op(op: syntax::CmpOp) -> BinaryOp {
    use syntax::CmpOp as C;
    match op {
        C::Lt => BinaryOp::Lt,
        C::Le => BinaryOp::Le,
        C::Eq => BinaryOp::Eq,
        C::Ne => BinaryOp::Ne,
        C::Ge => BinaryOp::Ge,
        C::Gt => BinaryOp::Gt,
    }
}

/// The closest candidate within a small edit distance.
#[must_use]
pub fn did_you_mean<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.len() / 3).max(1);
    candidates
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, c)| {
            (
                d,
                !c.starts_with(name.get(..1).unwrap_or_default()),
                c.len(),
            )
        })
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}
