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
//! Every node maps to the kir operation that computes it with the same element semantics
//! (`types::elem`, float math through `vmath`): `Binary`, `Unary`, `Const`, `Cast` and
//! `Select` to their kir namesakes (`Cond` evaluates one branch; both are pure here),
//! `MulAdd` to a multiplication and an addition (two roundings, as the VM computes it). So
//! the generated loop computes the VM's result to the bit. What the loop does not express
//! is refused with the reason, and the VM runs the expression: reductions (the VM's
//! pairwise block order would have to be reproduced), inputs that broadcast other than from
//! one element, integer powers whose exponent is not a constant >= 0 (NumPy's ValueError for
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
    let uses = f.use_counts();
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
                let size: usize = f.params[slot as usize].shape.iter().product();
                let local = k.expr(Expr::Local(p), arr(f.params[slot as usize].dtype), span);
                if size == n_out {
                    let iv = k.expr(Expr::Local(i), i64t.clone(), span);
                    k.expr(Expr::Load(local, vec![iv]), ty.clone(), span)
                } else if size == 1 {
                    hoist = true;
                    let zero = k.expr(Expr::Const(Scalar::I64(0)), i64t.clone(), span);
                    k.expr(Expr::Load(local, vec![zero]), ty.clone(), span)
                } else {
                    return Err(NoKernel(format!(
                        "input '{}' broadcasts along an axis (shape {:?} to {:?})",
                        f.params[slot as usize].name, f.params[slot as usize].shape, out_shape
                    )));
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
    let iv = k.expr(Expr::Local(i), i64t.clone(), at);
    body.push(Stmt::Store {
        array: target,
        index: vec![iv],
        value: result,
        span: f.span(root),
    });
    let start = k.expr(Expr::Const(Scalar::I64(0)), i64t.clone(), at);
    let step = k.expr(Expr::Const(Scalar::I64(1)), i64t.clone(), at);
    let out_v = k.expr(Expr::Local(out), arr(out_dtype), at);
    let stop = k.expr(Expr::Dim(out_v, 0), i64t, at);
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
