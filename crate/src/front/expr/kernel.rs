//! An element-wise expression as a kernel: the expression's optimized IR written as a kir
//! program of one fused loop, which `back::wasm` compiles to a WebAssembly module (the
//! generated-code tier of expressions).
//!
//! ```text
//! ir::Function (element-wise, optimized) ──kernel──▶ kir::Program
//!     def expr(out, x0, x1, ...):          # every array flattened to 1-d, C order
//!         s = x2[0]                        # inputs of one element, read once
//!         for i in prange(len(out)):
//!             t = x0[i] * x1[i]            # a node used twice, computed once
//!             out[i] = t + sqrt(t) + s
//! ```
//!
//! When an input broadcasts along an axis (a row `(n,)` or a column `(m, 1)` against an
//! `(m, n)` result, any rank), the loop runs over rows of the result's last axis:
//!
//! ```text
//!         for r in prange(rows):               # rows = size // n, n = the last extent
//!             base = r * n
//!             o1 = ((r // s0) % d0) * e0 + ...  # x1's offset: its axes that are not 1
//!             c = x2[o2]                       # an input constant along the row
//!             for j in range(n):
//!                 out[base + j] = x0[base + j] + x1[o1 + j] * c
//! ```
//!
//! Every index is the inner loop's variable plus a row invariant, which the code generator
//! vectorizes without bounds checks, as for the flat loop.
//!
//! Every node maps to the kir operation that computes it with the same element semantics
//! (`types::elem`, float math through `vmath`): `Binary`, `Unary`, `Const`, `Cast` and
//! `Select` to their kir namesakes (`Cond` evaluates one branch; both are pure here),
//! `MulAdd` to a multiplication and an addition (two roundings, as the VM computes it). So
//! the generated loop computes the VM's result to the bit. What the loop does not express
//! is refused with the reason, and the VM runs the expression: reductions (the VM's
//! pairwise block order would have to be reproduced), integer powers whose exponent is not a constant >= 0 (NumPy's ValueError for
//! a negative one is the VM's only run-time error of an element operation), and
//! float-to-integer casts narrower than 64 bits (kir's `Cast` converts those as Numba does,
//! through int64; the expression language makes none, its promotions never narrow a float).

use crate::ir::{self, Node};
use crate::kir::{self, ArrayTy, Expr, ExprId, Layout, LocalId, Stmt, Ty};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, Scalar};

/// Why an expression has no kernel form (the VM runs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoKernel(pub String);

/// The kernel of element-wise expression `f`: entry parameters `out` (the result, 1-d C
/// with the result's element count) and one 1-d C array per input of `f`, in order (each
/// the input's elements in C order); returns None. `parallel`: the loop is a `prange`,
/// made a parallel loop by `kir::parallel`.
pub fn kernel(f: &ir::Function, parallel: bool) -> Result<kir::Program, NoKernel> {
    if f.handles().any(|h| matches!(f.node(h), Node::Reduce(..))) {
        return Err(NoKernel(
            "a reduction (the VM sums in its own block order)".into(),
        ));
    }
    let root = f.root();
    let out_shape = f.shape(root).to_vec();
    let n_out: usize = out_shape.iter().product();
    let out_dtype = f.dtype(root);
    let arr = |d: DType| {
        Ty::Array(ArrayTy {
            dtype: d,
            ndim: 1,
            layout: Layout::C,
        })
    };
    let mut k = kir::Function::new("expr", Ty::None);
    let out = k.param("out", arr(out_dtype));
    let params: Vec<LocalId> = f
        .params
        .iter()
        .enumerate()
        .map(|(i, p)| k.param(format!("x{i}"), arr(p.dtype)))
        .collect();
    let i64t = Ty::Scalar(DType::I64);
    let at = Span::default();
    let i = k.local("i", i64t.clone());
    // Broadcasting along an axis: rows of the last axis (see the module's documentation).
    // Only inputs the expression reads count.
    let uses = f.use_counts();
    let broadcast = f.handles().find_map(|h| match *f.node(h) {
        Node::Input(slot) if uses[h.index()] > 0 => f.params.get(slot as usize).filter(|p| {
            let size: usize = p.shape.iter().product();
            size != n_out && size != 1
        }),
        _ => None,
    });
    let rows = broadcast.and_then(|_| Rows::new(&out_shape, &mut k));
    if rows.is_none()
        && let Some(p) = broadcast
    {
        return Err(NoKernel(format!(
            "input '{}' broadcasts to an empty result (shape {:?} to {:?})",
            p.name, p.shape, out_shape
        )));
    }
    // With rows: the statements run once per row (offsets, loads constant along the row).
    let mut per_row: Vec<Stmt> = Vec::new();
    let mut before = Vec::new();
    let mut body = Vec::new();
    // Each node's value in the loop body: an expression, or a local holding it.
    let mut value: Vec<Option<ExprId>> = vec![None; f.len()];
    for h in f.handles() {
        if uses[h.index()] == 0 {
            continue;
        }
        let d = f.dtype(h);
        let ty = Ty::Scalar(d);
        let span = f.span(h);
        let get = |v: &[Option<ExprId>], a: ir::Value| {
            v[a.index()].ok_or_else(|| NoKernel("internal: an operand was not built".into()))
        };
        let mut hoist = false;
        let e = match *f.node(h) {
            Node::Input(slot) => {
                let p = *params
                    .get(slot as usize)
                    .ok_or_else(|| NoKernel("internal: an input without a parameter".into()))?;
                let shape = &f.params[slot as usize].shape;
                let size: usize = shape.iter().product();
                let local = k.expr(Expr::Local(p), arr(f.params[slot as usize].dtype), span);
                if size == 1 {
                    hoist = true;
                    let zero = k.expr(Expr::Const(Scalar::I64(0)), i64t.clone(), span);
                    k.expr(Expr::Load(local, vec![zero]), ty.clone(), span)
                } else if let Some(rows) = &rows {
                    // base + j for a full input; offset (+ j) for one that broadcasts.
                    let full = size == n_out;
                    let origin = if full {
                        rows.base
                    } else {
                        let o = k.local(format!("o{slot}"), i64t.clone());
                        let e = rows.offset(&mut k, i, shape, span);
                        per_row.push(Stmt::Assign(o, e));
                        o
                    };
                    let o = k.expr(Expr::Local(origin), i64t.clone(), span);
                    if full || rows.along_row(shape) {
                        let jv = k.expr(Expr::Local(rows.j), i64t.clone(), span);
                        let idx = k.expr(Expr::Binary(BinaryOp::Add, o, jv), i64t.clone(), span);
                        k.expr(Expr::Load(local, vec![idx]), ty.clone(), span)
                    } else {
                        // Constant along the row: read once per row.
                        let load = k.expr(Expr::Load(local, vec![o]), ty.clone(), span);
                        let t = k.local(format!("r{}", h.index()), ty.clone());
                        per_row.push(Stmt::Assign(t, load));
                        k.expr(Expr::Local(t), ty.clone(), span)
                    }
                } else {
                    let iv = k.expr(Expr::Local(i), i64t.clone(), span);
                    k.expr(Expr::Load(local, vec![iv]), ty.clone(), span)
                }
            }
            Node::Const(s) => k.expr(Expr::Const(s), ty.clone(), span),
            Node::Cast(a, to) => {
                let from = f.dtype(a);
                if from.is_float() && to.is_int() && to.size() < 8 {
                    return Err(NoKernel(format!(
                        "a cast from {from} to {to} (the loop converts those through int64)"
                    )));
                }
                let a = get(&value, a)?;
                k.expr(Expr::Cast(a, to), ty.clone(), span)
            }
            Node::Unary(op, a) => {
                let a = get(&value, a)?;
                k.expr(Expr::Unary(op, a), ty.clone(), span)
            }
            Node::Binary(op, a, b) => {
                if op == BinaryOp::Pow
                    && !f.dtype(a).is_float()
                    && !f.as_const(b).is_some_and(|e| e.to_i128() >= 0)
                {
                    return Err(NoKernel(
                        "an integer power with an exponent that may be negative (a ValueError \
                         the VM raises)"
                            .into(),
                    ));
                }
                let (a, b) = (get(&value, a)?, get(&value, b)?);
                k.expr(Expr::Binary(op, a, b), ty.clone(), span)
            }
            Node::Select(c, a, b) => {
                let (c, a, b) = (get(&value, c)?, get(&value, a)?, get(&value, b)?);
                k.expr(Expr::Cond(c, a, b), ty.clone(), span)
            }
            Node::MulAdd(a, b, c) => {
                let (a, b, c) = (get(&value, a)?, get(&value, b)?, get(&value, c)?);
                let m = k.expr(Expr::Binary(BinaryOp::Mul, a, b), ty.clone(), span);
                k.expr(Expr::Binary(BinaryOp::Add, m, c), ty.clone(), span)
            }
            Node::Reduce(..) => {
                return Err(NoKernel("internal: a reduction".into()));
            }
        };
        // Operands of one element read once before the loop, and every node used more
        // than once computed once per element, in a local.
        let shared = uses[h.index()] > 1 || hoist;
        let is_const = matches!(f.node(h), Node::Const(_));
        value[h.index()] = Some(if shared && !is_const {
            let t = k.local(format!("t{}", h.index()), ty.clone());
            let stmt = Stmt::Assign(t, e);
            if hoist {
                before.push(stmt);
            } else {
                body.push(stmt);
            }
            k.expr(Expr::Local(t), ty, span)
        } else {
            e
        });
    }
    let result =
        value[root.index()].ok_or_else(|| NoKernel("internal: the root was not built".into()))?;
    let target = k.expr(Expr::Local(out), arr(out_dtype), at);
    let index = if let Some(rows) = &rows {
        let b = k.expr(Expr::Local(rows.base), i64t.clone(), at);
        let jv = k.expr(Expr::Local(rows.j), i64t.clone(), at);
        k.expr(Expr::Binary(BinaryOp::Add, b, jv), i64t.clone(), at)
    } else {
        k.expr(Expr::Local(i), i64t.clone(), at)
    };
    body.push(Stmt::Store {
        array: target,
        index: vec![index],
        value: result,
        span: f.span(root),
    });
    let start = k.expr(Expr::Const(Scalar::I64(0)), i64t.clone(), at);
    let step = k.expr(Expr::Const(Scalar::I64(1)), i64t.clone(), at);
    let (stop, body) = if let Some(rows) = &rows {
        // base = i * n, the offsets and row constants, then the row's loop.
        let n = k.expr(Expr::Const(Scalar::I64(rows.n as i64)), i64t.clone(), at);
        let iv = k.expr(Expr::Local(i), i64t.clone(), at);
        let b = k.expr(Expr::Binary(BinaryOp::Mul, iv, n), i64t.clone(), at);
        let mut row = vec![Stmt::Assign(rows.base, b)];
        row.append(&mut per_row);
        let (s0, s1) = (
            k.expr(Expr::Const(Scalar::I64(0)), i64t.clone(), at),
            k.expr(Expr::Const(Scalar::I64(1)), i64t.clone(), at),
        );
        let n_stop = k.expr(Expr::Const(Scalar::I64(rows.n as i64)), i64t.clone(), at);
        row.push(Stmt::For {
            var: rows.j,
            start: s0,
            stop: n_stop,
            step: s1,
            body,
            parallel: false,
            span: f.span(root),
        });
        let count = k.expr(Expr::Const(Scalar::I64(rows.count as i64)), i64t, at);
        (count, row)
    } else {
        let out_v = k.expr(Expr::Local(out), arr(out_dtype), at);
        (k.expr(Expr::Dim(out_v, 0), i64t, at), body)
    };
    k.body = before;
    k.body.push(Stmt::For {
        var: i,
        start,
        stop,
        step,
        body,
        parallel,
        span: f.span(root),
    });
    k.body.push(Stmt::Return(None));
    let mut program = kir::Program::default();
    program.add(k);
    if parallel {
        let report = kir::parallel::parallelize(&mut program)
            .map_err(|e| NoKernel(format!("internal: {}", e.message)))?;
        program.parallel = Some(report);
    }
    Ok(program)
}

/// The rows of a broadcast result: `count` rows of its last extent `n`, over the result's
/// `shape`, and the kernel's locals for them: the row loop's variable `j` and the row's
/// first element `base`.
struct Rows {
    shape: Vec<usize>,
    n: usize,
    count: usize,
    j: LocalId,
    base: LocalId,
}

impl Rows {
    /// None for a result with no elements (nothing to index) or of rank 0; otherwise the
    /// rows, with their locals declared in `k`.
    fn new(shape: &[usize], k: &mut kir::Function) -> Option<Rows> {
        let n = *shape.last()?;
        let size: usize = shape.iter().product();
        (n > 0 && size > 0).then(|| Rows {
            shape: shape.to_vec(),
            n,
            count: size / n,
            j: k.local("j", Ty::Scalar(DType::I64)),
            base: k.local("base", Ty::Scalar(DType::I64)),
        })
    }

    /// Whether an input of `shape` (right-aligned to the result) runs along the rows: its
    /// last extent is the result's (else it is 1, constant along a row).
    fn along_row(&self, shape: &[usize]) -> bool {
        shape.last().is_some_and(|&d| d == self.n) && self.n > 1
    }

    /// The offset in an input of `shape` of row `row` (the local holding the row's index):
    /// `sum(((row // s_k) % d_k) * e_k)` over the leading axes `k` where the input's extent
    /// is the result's `d_k` (not 1), `s_k` the rows per step of axis `k`, `e_k` the
    /// input's element stride of axis `k`.
    fn offset(&self, k: &mut kir::Function, row: LocalId, shape: &[usize], span: Span) -> ExprId {
        let i64t = Ty::Scalar(DType::I64);
        let r = self.shape.len();
        // The input's extents right-aligned to the result's rank.
        let mut padded = vec![1usize; r - shape.len().min(r)];
        padded.extend_from_slice(&shape[shape.len().saturating_sub(r)..]);
        let konst = |k: &mut kir::Function, v: usize| {
            k.expr(Expr::Const(Scalar::I64(v as i64)), i64t.clone(), span)
        };
        let mut total = konst(k, 0);
        for axis in 0..r - 1 {
            let d = self.shape[axis];
            if padded[axis] != d || d == 1 {
                continue;
            }
            let step: usize = self.shape[axis + 1..r - 1].iter().product();
            let stride: usize = padded[axis + 1..].iter().product();
            let rv = k.expr(Expr::Local(row), i64t.clone(), span);
            let s = konst(k, step);
            let q = k.expr(Expr::Binary(BinaryOp::FloorDiv, rv, s), i64t.clone(), span);
            let dv = konst(k, d);
            let m = k.expr(Expr::Binary(BinaryOp::Mod, q, dv), i64t.clone(), span);
            let e = konst(k, stride);
            let term = k.expr(Expr::Binary(BinaryOp::Mul, m, e), i64t.clone(), span);
            total = k.expr(Expr::Binary(BinaryOp::Add, total, term), i64t.clone(), span);
        }
        total
    }
}
