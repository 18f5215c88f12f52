//! kir: the typed kernel IR of Numba-style kernels.
//!
//! ```text
//! syntax::Module ──front::numba (typing)──▶ kir::Program { functions: [Function] }
//!                ──kir::exec──▶ values (the reference executor)
//!                ──back::wasm──▶ a WebAssembly module (the code generation tier: its first
//!                                subset is built, not yet wired into the engine)
//! ```
//!
//! One [`Function`] per compiled (kernel, argument types). Control flow is structured:
//! a body is a list of [`Stmt`]s whose `If`, `For` and `While` hold nested bodies, which a
//! code generator turns into wasm's `block`/`loop`/`if` directly. Expressions live in an
//! arena with typed handles ([`ExprId`]); their types and source spans are side tables
//! indexed by handle. Every local has one type for the whole function (the front end
//! unifies, as Numba does, and inserts the casts). Array element access is explicit
//! ([`Expr::Load`], [`Stmt::Store`]) and always bounds-checked: kernels share memory with
//! the engine, so an index outside its array is an IndexError at the access's span, never
//! a read or write outside. Whole-array operations (arithmetic with broadcasting, `np.*`
//! functions, reductions) are [`Expr::Intrinsic`] calls with NumPy's semantics; a later pass
//! lowers them to loops for code generation.
//!
//! Scalar arithmetic follows Numba: integers wrap, `Binary` is NumPy's element operation
//! (`types::elem`, float math through `vmath`, so a kernel's `math.exp` gives the bits of
//! `evaluate("exp(x)")`), and [`Expr::PyDiv`] is a division under Python's error model
//! (ZeroDivisionError on a zero divisor), which `@njit` uses for `/`, `//` and `%` on scalars.

pub mod bounds;
mod copy;
pub mod exec;
pub mod inline;
pub mod parallel;
pub mod parfor;
mod print;
mod verify;
pub mod writes;

use std::fmt;

use crate::ir::Handle;
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, ReduceOp, Scalar, UnaryOp};

/// A value's type, as Numba types it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ty {
    /// `bool`, `int8` ... `uint64`, `float32`, `float64`.
    Scalar(DType),
    /// An array view: dtype, number of dimensions, and whether it is known C-contiguous.
    Array(ArrayTy),
    /// A tuple of any types (`UniTuple` and `Tuple` in Numba).
    Tuple(Vec<Ty>),
    /// A list of scalars (Numba's reflected list), growable with `append`.
    List(DType),
    /// `None`: the result of a function without a `return` value.
    None,
}

/// The type of an array view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArrayTy {
    pub dtype: DType,
    pub ndim: u8,
    pub layout: Layout,
}

/// What is known about an array's strides (Numba's `C` and `A` layouts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Layout {
    /// C-contiguous: the last axis has stride 1 and each axis spans the next.
    C,
    /// Any strides (a slice with a step, a transpose, a column).
    Any,
}

impl Ty {
    /// Numba's spelling: `int64`, `array(float64, 2d, C)`, `UniTuple(int64, 2)`,
    /// `list(int64)`, `none`.
    #[must_use]
    pub fn numba_name(&self) -> String {
        match self {
            Ty::Scalar(d) => d.name().to_owned(),
            Ty::Array(a) => format!(
                "array({}, {}d, {})",
                a.dtype.name(),
                a.ndim,
                match a.layout {
                    Layout::C => "C",
                    Layout::Any => "A",
                }
            ),
            Ty::Tuple(items) => {
                if let Some(first) = items.first()
                    && items.iter().all(|t| t == first)
                {
                    format!("UniTuple({}, {})", first.numba_name(), items.len())
                } else {
                    let names: Vec<String> = items.iter().map(Ty::numba_name).collect();
                    format!("Tuple({})", names.join(", "))
                }
            }
            Ty::List(d) => format!("list({})", d.name()),
            Ty::None => "none".to_owned(),
        }
    }

    /// The dtype of a scalar type.
    #[must_use]
    pub fn scalar(&self) -> Option<DType> {
        match self {
            Ty::Scalar(d) => Some(*d),
            _ => None,
        }
    }

    /// The array type of an array.
    #[must_use]
    pub fn array(&self) -> Option<ArrayTy> {
        match self {
            Ty::Array(a) => Some(*a),
            _ => None,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.numba_name())
    }
}

/// A handle to an expression of a [`Function`].
pub type ExprId = Handle<Expr>;
/// A handle to a local variable of a [`Function`] (parameters are the first locals).
pub type LocalId = Handle<Local>;
/// A function of a [`Program`], by index.
pub type FuncId = Handle<Function>;

/// A local variable: its source name (`$t3` for temporaries the front end makes) and type.
#[derive(Debug, Clone, PartialEq)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
}

/// One index of an array access or a view: an integer, or a slice `start:stop:step` whose
/// missing parts take Python's defaults for the step's sign.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Index {
    /// An integer index; negative values count from the end (Python's wrap).
    At(ExprId),
    /// A slice; each bound is an int64 expression or absent.
    Slice {
        start: Option<ExprId>,
        stop: Option<ExprId>,
        step: Option<ExprId>,
    },
}

/// An expression: pure apart from the errors it may raise. Types are in
/// [`Function::ty`], spans in [`Function::span`].
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Const(Scalar),
    /// `None` (of type [`Ty::None`]).
    NoneVal,
    Local(LocalId),
    /// A scalar conversion (Numba's: float to int truncates toward zero).
    Cast(ExprId, DType),
    /// A scalar element operation of `types::elem` (negation, `~`, math functions).
    Unary(UnaryOp, ExprId),
    /// A scalar element operation on two operands of the result's operand dtype
    /// (arithmetic wraps; comparisons give bool).
    Binary(BinaryOp, ExprId, ExprId),
    /// `/`, `//` or `%` on scalars under Python's error model: a zero divisor raises
    /// ZeroDivisionError with Numba's messages (`division by zero`, `integer division by
    /// zero`, `integer modulo by zero`, `modulo by zero`). Also integer `**` as Numba
    /// computes it (a negative exponent gives 0, except for bases 1 and -1; base 0 raises).
    PyDiv(BinaryOp, ExprId, ExprId),
    /// `c ? a : b`, evaluating only the branch taken (conditional expressions, `and`, `or`).
    Cond(ExprId, ExprId, ExprId),
    /// One element of an array, every index an integer: bounds-checked, negative indices
    /// wrapped.
    Load(ExprId, Vec<ExprId>),
    /// A view of an array (no copy): integer indices drop axes, slices keep them; axes
    /// without an index are kept whole.
    View(ExprId, Vec<Index>),
    /// `a.shape[axis]` as int64.
    Dim(ExprId, u8),
    /// A tuple of values.
    Tuple(Vec<ExprId>),
    /// Item `i` of a tuple (a constant index).
    TupleGet(ExprId, u32),
    /// `len(list)`.
    ListLen(ExprId),
    /// An element of a list: bounds-checked, negative wrapped.
    ListGet(ExprId, ExprId),
    /// A call of another function of the program (helpers, inner functions; captured
    /// variables are passed as extra arguments).
    Call(FuncId, Vec<ExprId>),
    /// A library operation on arrays or scalars with NumPy's (or Numba's) semantics.
    Intrinsic(Intrinsic, Vec<ExprId>),
}

/// Library operations. Operand and result types are those of the expression and its
/// operands; the front end has checked them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Intrinsic {
    /// A new array of the result's type; operands are the extents (int64). Zero-filled
    /// (`np.empty` too: no kernel may read memory it did not write).
    Zeros,
    /// A new array, as `Zeros`, that the code made by the engine stores every element of
    /// before anything reads it (an array comprehension's result): the executor zero-fills
    /// it, generated code leaves the fresh memory as it is.
    Filled,
    /// A new array with every element equal to the last operand (`np.ones`, `np.full`).
    Full,
    /// A C-contiguous copy of an array (`np.copy`, `a.copy()`, `np.array(a)`).
    Copy,
    /// Element-wise operation on arrays and scalars with broadcasting. The operands are
    /// cast to the result's dtype and the operation computes in it (`np.sqrt` of an int64
    /// array computes in float64, as NumPy does), except the predicates (`isnan`, ...),
    /// which look at the operand in its own dtype, and the comparisons, which compare in
    /// the promoted dtype of their operands; both of those give bool.
    Map1(UnaryOp),
    Map2(BinaryOp),
    /// `np.where(c, a, b)` with broadcasting.
    Where,
    /// Element-wise cast of an array to the result's dtype (`a.astype(...)`, `np.float32(a)`).
    Astype,
    /// A reduction over all elements to a scalar: Numba's sequential order (`np.sum(a)`,
    /// `a.sum()`; `mean` divides the sum by the size).
    Reduce(ReduceOp),
    Mean,
    /// A reduction along an axis (the second operand, a constant) to an array.
    ReduceAxis(ReduceOp),
    /// Index of the first minimum / maximum of the flattened array, int64.
    ArgMin,
    ArgMax,
    /// Cumulative sum / product of the flattened array, 1-d.
    CumSum,
    CumProd,
    /// `np.dot`: vector·vector (scalar), matrix·vector, vector·matrix, matrix·matrix.
    Dot,
    /// `np.arange(start, stop, step)` with the result's dtype.
    Arange,
    /// `np.linspace(start, stop, num)`, float64.
    Linspace,
    /// `a.T`: the axes reversed (a view).
    Transpose,
    /// `a.reshape(shape...)`: a C-contiguous array viewed with new extents.
    Reshape,
    /// `a.size` (int64).
    Size,
    /// A 1-d array built from a list (`np.array(list)`), or from a tuple of scalars.
    FromList,
    /// A new array from nested lists of equal length (`np.array([[...], [...]])`): operands
    /// are the rows (1-d arrays or lists), the result has one more dimension.
    Stack,
    /// Broadcasting assignment `dst[...] = src` where `dst` is a view (first operand) and
    /// `src` an array or scalar; gives None. Used through [`Stmt::Eval`].
    Assign,
    /// An empty list of the result's element type.
    NewList,
}

/// A statement. Bodies are lists of statements; control flow is structured.
#[derive(Debug, Clone, PartialEq)]
pub enum Stmt {
    /// `local = value` (the value already has the local's type).
    Assign(LocalId, ExprId),
    /// `array[indices] = value`, every index an integer: bounds-checked, negative wrapped;
    /// the value is cast to the array's dtype by the front end.
    Store {
        array: ExprId,
        index: Vec<ExprId>,
        value: ExprId,
        span: Span,
    },
    If {
        cond: ExprId,
        then: Vec<Stmt>,
        otherwise: Vec<Stmt>,
    },
    /// `for var in range(start, stop, step)`; `parallel` for `prange` (the reference
    /// executor runs it in order). `step` is nonzero (checked at run time: ValueError).
    For {
        var: LocalId,
        start: ExprId,
        stop: ExprId,
        step: ExprId,
        body: Vec<Stmt>,
        parallel: bool,
        span: Span,
    },
    While {
        cond: ExprId,
        body: Vec<Stmt>,
    },
    Break,
    Continue,
    /// Return from the function (`None` for a function returning None).
    Return(Option<ExprId>),
    /// Raise an exception of `kind` with `message` (`raise ValueError("...")`, a failed
    /// `assert`).
    Raise {
        kind: RaiseKind,
        message: String,
        span: Span,
    },
    /// `list.append(value)`.
    Append {
        list: ExprId,
        value: ExprId,
    },
    /// An expression evaluated for its effect or its errors.
    Eval(ExprId),
    /// A `prange` loop outlined into a chunk function, run in chunks on the pool
    /// (`parallel::parallelize` makes these; see [`parallel::ParLoop`]).
    ParFor(Box<parallel::ParLoop>),
}

/// The exceptions a kernel raises itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RaiseKind {
    ValueError,
    AssertionError,
    IndexError,
    ZeroDivisionError,
    TypeError,
    RuntimeError,
    /// An array the kernel allocates does not fit in memory.
    MemoryError,
}

impl RaiseKind {
    /// Python's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            RaiseKind::ValueError => "ValueError",
            RaiseKind::AssertionError => "AssertionError",
            RaiseKind::IndexError => "IndexError",
            RaiseKind::ZeroDivisionError => "ZeroDivisionError",
            RaiseKind::TypeError => "TypeError",
            RaiseKind::RuntimeError => "RuntimeError",
            RaiseKind::MemoryError => "MemoryError",
        }
    }
}

/// One compiled function: its locals (parameters first), its body, and the expression
/// arena with its type and span side tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// The source name (`normalize`), and for inner functions the outer one's
    /// (`band.inside`).
    pub name: String,
    /// How many of the first locals are parameters.
    pub n_params: usize,
    pub ret: Ty,
    pub locals: Vec<Local>,
    pub body: Vec<Stmt>,
    exprs: Vec<Expr>,
    types: Vec<Ty>,
    spans: Vec<Span>,
    /// Loads ([`Expr::Load`]) whose indices are proven inside the array where they run
    /// (a stencil's interior reads), and stores ([`Stmt::Store`], by their array
    /// expression) proven the same way: generated code skips their bounds checks.
    in_bounds: Vec<ExprId>,
}

impl Function {
    #[must_use]
    pub fn new(name: impl Into<String>, ret: Ty) -> Self {
        Self {
            name: name.into(),
            n_params: 0,
            ret,
            locals: Vec::new(),
            body: Vec::new(),
            exprs: Vec::new(),
            types: Vec::new(),
            spans: Vec::new(),
            in_bounds: Vec::new(),
        }
    }

    /// Marks load `e` as proven in bounds (see the field); the executor checks it anyway.
    pub fn mark_in_bounds(&mut self, e: ExprId) {
        if !self.in_bounds.contains(&e) {
            self.in_bounds.push(e);
        }
    }

    /// Whether load `e` is proven in bounds.
    #[must_use]
    pub fn is_in_bounds(&self, e: ExprId) -> bool {
        self.in_bounds.contains(&e)
    }

    /// Adds a parameter; parameters must be added before any other local.
    pub fn param(&mut self, name: impl Into<String>, ty: Ty) -> LocalId {
        assert_eq!(self.n_params, self.locals.len(), "parameters come first");
        self.n_params += 1;
        self.local(name, ty)
    }

    /// Adds a local variable.
    pub fn local(&mut self, name: impl Into<String>, ty: Ty) -> LocalId {
        self.locals.push(Local {
            name: name.into(),
            ty,
        });
        LocalId::from_index(self.locals.len() - 1)
    }

    /// Appends an expression of type `ty` made at `span`.
    pub fn expr(&mut self, e: Expr, ty: Ty, span: Span) -> ExprId {
        self.exprs.push(e);
        self.types.push(ty);
        self.spans.push(span);
        ExprId::from_index(self.exprs.len() - 1)
    }

    /// The local's declaration.
    #[must_use]
    pub fn local_decl(&self, l: LocalId) -> &Local {
        &self.locals[l.index()]
    }

    /// The parameters' handles.
    pub fn params(&self) -> impl Iterator<Item = LocalId> + '_ {
        (0..self.n_params).map(LocalId::from_index)
    }

    #[must_use]
    pub fn get(&self, e: ExprId) -> &Expr {
        &self.exprs[e.index()]
    }

    #[must_use]
    pub fn ty(&self, e: ExprId) -> &Ty {
        &self.types[e.index()]
    }

    #[must_use]
    pub fn span(&self, e: ExprId) -> Span {
        self.spans[e.index()]
    }

    /// A copy whose calls name the function `by` places later in the program (for a
    /// program that gains `by` functions in front of this one's).
    #[must_use]
    pub fn with_calls_shifted(&self, by: usize) -> Function {
        let mut g = Function::new(self.name.clone(), self.ret.clone());
        g.n_params = self.n_params;
        g.locals = self.locals.clone();
        g.body = self.body.clone();
        for (i, e) in self.exprs.iter().enumerate() {
            let e = match e {
                Expr::Call(f, args) => Expr::Call(FuncId::from_index(f.index() + by), args.clone()),
                other => other.clone(),
            };
            g.expr(e, self.types[i].clone(), self.spans[i]);
        }
        g.in_bounds = self.in_bounds.clone();
        g
    }

    /// How many expressions the arena holds.
    #[must_use]
    pub fn expr_count(&self) -> usize {
        self.exprs.len()
    }

    /// The arena's expressions, reachable or not.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        self.exprs.iter()
    }
}

/// The functions compiled for one call signature of a kernel: the entry first, then the
/// helpers and inner functions it calls.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub functions: Vec<Function>,
    /// For a `parallel=True` kernel, what `parallel::parallelize` did (the parallel
    /// diagnostics); `None` otherwise.
    pub parallel: Option<parallel::Report>,
}

impl Program {
    /// Adds a function, returning its handle.
    pub fn add(&mut self, f: Function) -> FuncId {
        self.functions.push(f);
        FuncId::from_index(self.functions.len() - 1)
    }

    #[must_use]
    pub fn function(&self, id: FuncId) -> &Function {
        &self.functions[id.index()]
    }

    /// The entry function.
    #[must_use]
    pub fn entry(&self) -> &Function {
        &self.functions[0]
    }
}
