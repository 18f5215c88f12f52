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
//! the generated loop computes the VM's result to the bit.
//!
//! A whole reduction (`sum(x*y)`, `prod`, `min`, `max`, `any`, `all`, `mean`, and scalar
//! arithmetic on its result) keeps the VM's order, which depends on the size only: the
//! loop reduces each block of `vm::BLOCK` elements as the VM does (pairwise for sums) and
//! writes the partial block's values; the host (`api`) combines those per chunk of
//! `vm::CHUNK` and over chunks with the VM's own functions (see [`Reduction`]):
//!
//! ```text
//!         for b in prange(n // 512):           # a sum: NumPy's pairwise tree of a block
//!             for leaf in range(4):            #   four leaves of 128,
//!                 r0 .. r7 = 0                 #   eight running sums each
//!                 for kk in range(16):
//!                     q = b*512 + leaf*128 + kk*8
//!                     r0 += v(q); ... r7 += v(q + 7)
//!                 l<leaf> = ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))
//!             out[b] = (l0+l1)+(l2+l3)
//!         for t in range(n % 512):
//!             out[n // 512 + t] = v(n // 512 * 512 + t)
//! ```
//!
//! What the loop does not express is refused with the reason, and the VM runs the
//! expression: reductions along an axis (the VM materializes the argument), arrays
//! computed from a reduction, several reductions, integer powers whose exponent is not a
//! constant >= 0 (NumPy's ValueError for a negative one is the VM's only run-time error of
//! an element operation), and float-to-integer casts narrower than 64 bits (kir's `Cast`
//! converts those as Numba does, through int64; the expression language makes none, its
//! promotions never narrow a float).

use crate::ir::{self, Node};
use crate::kir::{self, ArrayTy, Expr, ExprId, Layout, LocalId, Stmt, Ty};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, ReduceOp, Scalar};

/// The block whose order a whole reduction's loop keeps: the VM's (`vm::BLOCK`, which
/// `api` checks is this), 512 elements, reduced by `pairwise_sum` as four leaves of 128.
pub const BLOCK: usize = 512;

/// Why an expression has no kernel form (the VM runs it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoKernel(pub String);

/// An expression's kernel: the kir program, and for a whole reduction what the host does
/// with the values the program writes.
#[derive(Debug, Clone)]
pub struct ExprKernel {
    pub program: kir::Program,
    pub reduction: Option<Reduction>,
}

/// A whole reduction's kernel writes, into its `out` ([`Reduction::partials_len`]
/// elements), the reduction of each full block of [`BLOCK`] elements of the argument
/// (each in the VM's order: pairwise for sums, in order otherwise), then the values of
/// the last, partial block as they are; `api::finish_reduction` combines them as the VM
/// does (blocks per chunk of `vm::CHUNK` elements, then chunks) and [`Reduction::tail`] computes what the
/// expression does with the result (`mean`'s division).
#[derive(Debug, Clone)]
pub struct Reduction {
    pub op: ReduceOp,
    /// The dtype of the reduction and of the values the kernel writes.
    pub dtype: DType,
    /// How many elements it reduces.
    pub count: usize,
    f: ir::Function,
    node: ir::Value,
}

impl Reduction {
    /// The number of values the kernel writes.
    #[must_use]
    pub fn partials_len(&self) -> usize {
        self.count / BLOCK + self.count % BLOCK
    }

    /// How many of the values the kernel writes are reductions of full blocks (the rest
    /// are the partial block's values).
    #[must_use]
    pub fn full_blocks(&self) -> usize {
        self.count / BLOCK
    }

    /// The expression's value (a 0-d result) from the reduction's value `total`: what
    /// the expression computes from it (`mean`'s division), with the IR's folding.
    #[must_use]
    pub fn tail(&self, total: Scalar) -> Scalar {
        let f = &self.f;
        let mut val: Vec<Option<Scalar>> = vec![None; f.len()];
        for h in f.handles() {
            let v = |a: ir::Value| val[a.index()];
            val[h.index()] = if h == self.node {
                Some(total)
            } else {
                match *f.node(h) {
                    Node::Const(s) => Some(s),
                    Node::Cast(a, d) => v(a).map(|s| s.cast(d)),
                    Node::Unary(op, a) => v(a).map(|s| ir::fold_unary(op, s)),
                    Node::Binary(op, a, b) => {
                        v(a).zip(v(b)).map(|(x, y)| ir::fold_binary(op, x, y))
                    }
                    Node::Select(c, a, b) => match (v(c), v(a), v(b)) {
                        (Some(c), Some(x), Some(y)) => Some(if c.is_truthy() { x } else { y }),
                        _ => None,
                    },
                    Node::MulAdd(a, b, c) => match (v(a), v(b), v(c)) {
                        (Some(x), Some(y), Some(z)) => Some(ir::fold_binary(
                            BinaryOp::Add,
                            ir::fold_binary(BinaryOp::Mul, x, y),
                            z,
                        )),
                        _ => None,
                    },
                    Node::Input(_) | Node::Reduce(..) => None,
                }
            };
        }
        // `kernel` checked that the root is computed from the reduction and constants.
        val[f.root().index()].unwrap_or(total)
    }
}

fn arr(d: DType) -> Ty {
    Ty::Array(ArrayTy {
        dtype: d,
        ndim: 1,
        layout: Layout::C,
    })
}

const I64: Ty = Ty::Scalar(DType::I64);

/// The kernel of expression `f` (optimized IR): entry parameters `out` and one 1-d C
/// array per input of `f`, in order (each the input's elements in C order); returns
/// None. `out` is the result (1-d C with the result's element count) for an element-wise
/// `f`, the partial values of [`Reduction`] for a whole reduction. `parallel`: the loop
/// is a `prange`, made a parallel loop by `kir::parallel`.
pub fn kernel(f: &ir::Function, parallel: bool) -> Result<ExprKernel, NoKernel> {
    let reductions: Vec<ir::Value> = f
        .handles()
        .filter(|&h| matches!(f.node(h), Node::Reduce(..)))
        .collect();
    let (k, reduction) = match reductions.as_slice() {
        [] => (elementwise(f)?, None),
        [r] => {
            let (k, red) = reduction(f, *r)?;
            (k, Some(red))
        }
        _ => {
            return Err(NoKernel(
                "more than one reduction (the VM runs one loop per reduction)".into(),
            ));
        }
    };
    let mut program = kir::Program::default();
    program.add(k);
    if parallel {
        let report = kir::parallel::parallelize(&mut program)
            .map_err(|e| NoKernel(format!("internal: {}", e.message)))?;
        program.parallel = Some(report);
    }
    Ok(ExprKernel { program, reduction })
}

/// The kernel function of an element-wise expression, its loop a `prange`.
fn elementwise(f: &ir::Function) -> Result<kir::Function, NoKernel> {
    let root = f.root();
    let out_shape = f.shape(root).to_vec();
    let n_out: usize = out_shape.iter().product();
    let out_dtype = f.dtype(root);
    let mut k = kir::Function::new("expr", Ty::None);
    let out = k.param("out", arr(out_dtype));
    let mut tree = Tree::new(f, &mut k, root);
    let at = Span::default();
    let i = k.local("i", I64);
    // Broadcasting along an axis: rows of the last axis (see the module's documentation).
    // Only inputs the expression reads count.
    let broadcast = tree.broadcast(n_out);
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
    let index = match &rows {
        Some(r) => Index::Rows(r, i),
        None => Index::Flat(i),
    };
    let result = tree.build(&mut k, index, "", &mut before, &mut per_row, &mut body)?;
    let target = k.expr(Expr::Local(out), arr(out_dtype), at);
    let index = if let Some(rows) = &rows {
        let b = k.expr(Expr::Local(rows.base), I64, at);
        let jv = k.expr(Expr::Local(rows.j), I64, at);
        k.expr(Expr::Binary(BinaryOp::Add, b, jv), I64, at)
    } else {
        k.expr(Expr::Local(i), I64, at)
    };
    body.push(Stmt::Store {
        array: target,
        index: vec![index],
        value: result,
        span: f.span(root),
    });
    let (stop, body) = if let Some(rows) = &rows {
        // base = i * n, the offsets and row constants, then the row's loop.
        let n = konst(&mut k, rows.n);
        let iv = k.expr(Expr::Local(i), I64, at);
        let b = k.expr(Expr::Binary(BinaryOp::Mul, iv, n), I64, at);
        let mut row = vec![Stmt::Assign(rows.base, b)];
        row.append(&mut per_row);
        row.push(count_loop(
            &mut k,
            rows.j,
            rows.n,
            body,
            false,
            f.span(root),
        ));
        (rows.count, row)
    } else {
        (n_out, body)
    };
    k.body = before;
    let mut main = count_loop(&mut k, i, stop, body, true, f.span(root));
    if rows.is_none()
        && let Stmt::For { stop, .. } = &mut main
    {
        // The flat loop runs to the output's length.
        let out_v = k.expr(Expr::Local(out), arr(out_dtype), at);
        *stop = k.expr(Expr::Dim(out_v, 0), I64, at);
    }
    k.body.push(main);
    k.body.push(Stmt::Return(None));
    Ok(k)
}

/// The kernel function of a whole reduction `red` (see [`Reduction`]): a `prange` over
/// the full blocks, each reduced in the VM's order, then a loop writing the partial
/// block's values. A sum reduces a block of 512 as `pairwise_sum` does: four leaves of
/// 128, each eight running sums of every eighth element, added as
/// `((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7))`, then `(l0+l1)+(l2+l3)`. The running sums start
/// at zero where `pairwise_sum` starts them at the leaf's first eight elements: that
/// changes the sign of a zero partial at most (`0.0 + -0.0`), never a nonzero value or a
/// NaN, and the sum's final `0 + total` makes every zero `0.0` on both tiers. The other
/// reductions fold every element into their identity (`1 * x`, `minimum(inf, x)`, `False
/// | x`... are `x`), as the VM folds from the first.
fn reduction(f: &ir::Function, red: ir::Value) -> Result<(kir::Function, Reduction), NoKernel> {
    let Node::Reduce(op, arg, axis) = *f.node(red) else {
        return Err(NoKernel("internal: not a reduction".into()));
    };
    if axis.is_some() {
        return Err(NoKernel(
            "a reduction along an axis (the VM materializes its argument and reduces it)".into(),
        ));
    }
    let root = f.root();
    if !f.shape(root).is_empty() {
        return Err(NoKernel(
            "an array computed from a reduction (the VM runs the reduction, then the array's loop)"
                .into(),
        ));
    }
    check_tail(f, red)?;
    let dtype = f.dtype(red);
    let count: usize = f.shape(arg).iter().product();
    let mut k = kir::Function::new("expr", Ty::None);
    let out = k.param("out", arr(dtype));
    let mut tree = Tree::new(f, &mut k, arg);
    if let Some(p) = tree.broadcast(count) {
        return Err(NoKernel(format!(
            "a reduction of input '{}', which broadcasts (the VM gathers it)",
            p.name
        )));
    }
    let at = f.span(red);
    let ty = Ty::Scalar(dtype);
    let full = count / BLOCK;
    let mut before = Vec::new();
    let b = k.local("b", I64);
    let base = k.local("base", I64);
    let bv = k.expr(Expr::Local(b), I64, at);
    let blk = konst(&mut k, BLOCK);
    let start = k.expr(Expr::Binary(BinaryOp::Mul, bv, blk), I64, at);
    let mut block = vec![Stmt::Assign(base, start)];
    let local = |k: &mut kir::Function, l: LocalId, t: &Ty| k.expr(Expr::Local(l), t.clone(), at);
    let bin = |k: &mut kir::Function, op: BinaryOp, a: ExprId, b: ExprId, t: &Ty| {
        k.expr(Expr::Binary(op, a, b), t.clone(), at)
    };
    let result = if op == ReduceOp::Sum {
        let leaf = k.local("leaf", I64);
        let step = k.local("kk", I64);
        let sums: Vec<LocalId> = (0..8)
            .map(|j| k.local(format!("r{j}"), ty.clone()))
            .collect();
        let leaves: Vec<LocalId> = (0..4)
            .map(|j| k.local(format!("l{j}"), ty.clone()))
            .collect();
        for &l in &leaves {
            let z = k.expr(Expr::Const(Scalar::zero(dtype)), ty.clone(), at);
            block.push(Stmt::Assign(l, z));
        }
        // One step: q = base + 128*leaf + 8*kk, then r_j += value(q + j).
        let mut inner = Vec::new();
        let q = {
            let bv = local(&mut k, base, &I64);
            let lv = local(&mut k, leaf, &I64);
            let c128 = konst(&mut k, 128);
            let lo = bin(&mut k, BinaryOp::Mul, lv, c128, &I64);
            let kv = local(&mut k, step, &I64);
            let c8 = konst(&mut k, 8);
            let ko = bin(&mut k, BinaryOp::Mul, kv, c8, &I64);
            let s = bin(&mut k, BinaryOp::Add, bv, lo, &I64);
            let s = bin(&mut k, BinaryOp::Add, s, ko, &I64);
            let q = k.local("q", I64);
            inner.push(Stmt::Assign(q, s));
            q
        };
        for (j, &r) in sums.iter().enumerate() {
            let qv = local(&mut k, q, &I64);
            let cj = konst(&mut k, j);
            let e = bin(&mut k, BinaryOp::Add, qv, cj, &I64);
            let v = tree.build_flat(
                &mut k,
                e,
                &format!("p{j}"),
                &format!("_{j}"),
                &mut before,
                &mut inner,
            )?;
            let rv = local(&mut k, r, &ty);
            let s = bin(&mut k, BinaryOp::Add, rv, v, &ty);
            inner.push(Stmt::Assign(r, s));
        }
        let mut per_leaf = Vec::new();
        for &r in &sums {
            let z = k.expr(Expr::Const(Scalar::zero(dtype)), ty.clone(), at);
            per_leaf.push(Stmt::Assign(r, z));
        }
        per_leaf.push(count_loop(&mut k, step, 16, inner, false, at));
        // ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)) into the leaf's local.
        let tree_sum = |k: &mut kir::Function, xs: &[LocalId]| {
            let mut level: Vec<ExprId> = xs.iter().map(|&x| local(k, x, &ty)).collect();
            while level.len() > 1 {
                level = level
                    .chunks(2)
                    .map(|p| bin(k, BinaryOp::Add, p[0], p[1], &ty))
                    .collect();
            }
            level[0]
        };
        let leaf_sum = tree_sum(&mut k, &sums);
        let t = k.local("leafsum", ty.clone());
        per_leaf.push(Stmt::Assign(t, leaf_sum));
        // if leaf == 0: l0 = t elif leaf == 1: l1 = t elif leaf == 2: l2 = t else: l3 = t
        let mut chain = vec![Stmt::Assign(leaves[3], local(&mut k, t, &ty))];
        for j in (0..3).rev() {
            let lv = local(&mut k, leaf, &I64);
            let cj = konst(&mut k, j);
            let cond = k.expr(
                Expr::Binary(BinaryOp::Eq, lv, cj),
                Ty::Scalar(DType::Bool),
                at,
            );
            let tv = local(&mut k, t, &ty);
            chain = vec![Stmt::If {
                cond,
                then: vec![Stmt::Assign(leaves[j], tv)],
                otherwise: chain,
            }];
        }
        per_leaf.extend(chain);
        block.push(count_loop(&mut k, leaf, BLOCK / 128, per_leaf, false, at));
        tree_sum(&mut k, &leaves)
    } else {
        let acc = k.local("acc", ty.clone());
        let id = k.expr(Expr::Const(identity(op, dtype)), ty.clone(), at);
        block.push(Stmt::Assign(acc, id));
        let j = k.local("j", I64);
        let mut inner = Vec::new();
        let bv = local(&mut k, base, &I64);
        let jv = local(&mut k, j, &I64);
        let e = bin(&mut k, BinaryOp::Add, bv, jv, &I64);
        let v = tree.build_flat(&mut k, e, "p", "", &mut before, &mut inner)?;
        let av = local(&mut k, acc, &ty);
        let bop = match op {
            ReduceOp::Prod => BinaryOp::Mul,
            ReduceOp::Min => BinaryOp::Minimum,
            ReduceOp::Max => BinaryOp::Maximum,
            ReduceOp::Any => BinaryOp::Or,
            ReduceOp::All => BinaryOp::And,
            ReduceOp::Sum => BinaryOp::Add,
        };
        let s = bin(&mut k, bop, av, v, &ty);
        inner.push(Stmt::Assign(acc, s));
        block.push(count_loop(&mut k, j, BLOCK, inner, false, at));
        local(&mut k, acc, &ty)
    };
    let target = k.expr(Expr::Local(out), arr(dtype), at);
    let bv = local(&mut k, b, &I64);
    block.push(Stmt::Store {
        array: target,
        index: vec![bv],
        value: result,
        span: at,
    });
    // The partial block's values after the full blocks' reductions.
    let t = k.local("t", I64);
    let mut last = Vec::new();
    let tv = local(&mut k, t, &I64);
    let first = konst(&mut k, full * BLOCK);
    let e = bin(&mut k, BinaryOp::Add, first, tv, &I64);
    let v = tree.build_flat(&mut k, e, "pt", "t", &mut before, &mut last)?;
    let tv = local(&mut k, t, &I64);
    let c = konst(&mut k, full);
    let slot = bin(&mut k, BinaryOp::Add, c, tv, &I64);
    let target = k.expr(Expr::Local(out), arr(dtype), at);
    last.push(Stmt::Store {
        array: target,
        index: vec![slot],
        value: v,
        span: at,
    });
    k.body = before;
    let blocks = count_loop(&mut k, b, full, block, true, at);
    let rest = count_loop(&mut k, t, count % BLOCK, last, false, at);
    k.body.push(blocks);
    k.body.push(rest);
    k.body.push(Stmt::Return(None));
    let reduction = Reduction {
        op,
        dtype,
        count,
        f: f.clone(),
        node: red,
    };
    Ok((k, reduction))
}

/// Checks that what the expression computes from reduction `red` (the nodes from the
/// root down to it) is made of constants and element operations only, which
/// [`Reduction::tail`] computes on the host.
fn check_tail(f: &ir::Function, red: ir::Value) -> Result<(), NoKernel> {
    let mut stack = vec![f.root()];
    let mut seen = vec![false; f.len()];
    while let Some(h) = stack.pop() {
        if h == red || std::mem::replace(&mut seen[h.index()], true) {
            continue;
        }
        match *f.node(h) {
            Node::Input(_) => {
                return Err(NoKernel(
                    "a reduction's result combined with an input (the VM runs it)".into(),
                ));
            }
            Node::Binary(BinaryOp::Pow, a, b)
                if !f.dtype(a).is_float() && !f.as_const(b).is_some_and(|e| e.to_i128() >= 0) =>
            {
                return Err(NoKernel(
                    "an integer power with an exponent that may be negative (a ValueError \
                     the VM raises)"
                        .into(),
                ));
            }
            n => stack.extend(n.operands()),
        }
    }
    Ok(())
}

/// The value a reduction `op` folds its first element into unchanged.
fn identity(op: ReduceOp, d: DType) -> Scalar {
    match op {
        ReduceOp::Sum => Scalar::zero(d),
        ReduceOp::Prod => Scalar::one(d),
        ReduceOp::Any => Scalar::Bool(false).cast(d),
        ReduceOp::All => Scalar::Bool(true).cast(d),
        ReduceOp::Min => Scalar::end(d, true),
        ReduceOp::Max => Scalar::end(d, false),
    }
}

/// An int64 constant.
fn konst(k: &mut kir::Function, v: usize) -> ExprId {
    k.expr(Expr::Const(Scalar::I64(v as i64)), I64, Span::default())
}

/// `for var in range(n): body` (a `prange` when `parallel`).
fn count_loop(
    k: &mut kir::Function,
    var: LocalId,
    n: usize,
    body: Vec<Stmt>,
    parallel: bool,
    span: Span,
) -> Stmt {
    let start = konst(k, 0);
    let stop = konst(k, n);
    let step = konst(k, 1);
    Stmt::For {
        var,
        start,
        stop,
        step,
        body,
        parallel,
        span,
    }
}

/// Where the element a tree computes is: `Flat(i)`, element `i` of every full-size input;
/// `Rows(rows, r)`, element `j` of row `r` (see [`Rows`]).
enum Index<'r> {
    Flat(LocalId),
    Rows(&'r Rows, LocalId),
}

/// The element-wise tree below one node of the expression, built as kir expressions
/// (possibly several times, at different indices).
struct Tree<'f> {
    f: &'f ir::Function,
    /// The kernel's parameter of each input.
    params: Vec<LocalId>,
    /// How often each node of the tree is used in it (0: not in the tree).
    uses: Vec<u32>,
    /// The local of each one-element input, read once before the loop.
    hoisted: Vec<Option<LocalId>>,
}

impl<'f> Tree<'f> {
    /// The tree below `top`, declaring the kernel's input parameters in `k`.
    fn new(f: &'f ir::Function, k: &mut kir::Function, top: ir::Value) -> Self {
        let params = f
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| k.param(format!("x{i}"), arr(p.dtype)))
            .collect();
        let mut uses = vec![0u32; f.len()];
        uses[top.index()] = 1;
        let handles: Vec<ir::Value> = f.handles().collect();
        for &h in handles.iter().rev() {
            if uses[h.index()] > 0 {
                for a in f.node(h).operands() {
                    uses[a.index()] += 1;
                }
            }
        }
        Tree {
            f,
            params,
            uses,
            hoisted: vec![None; f.len()],
        }
    }

    /// The first input the tree reads with neither `n` elements nor one (it broadcasts).
    fn broadcast(&self, n: usize) -> Option<&'f ir::Param> {
        let f = self.f;
        f.handles().find_map(|h| match *f.node(h) {
            Node::Input(slot) if self.uses[h.index()] > 0 => {
                f.params.get(slot as usize).filter(|p| {
                    let size: usize = p.shape.iter().product();
                    size != n && size != 1
                })
            }
            _ => None,
        })
    }

    /// Builds the tree's value at flat element `at` of the reduction's inputs: `at` goes
    /// into a new index local `name` in `body`, then as [`Tree::build`] with no row part.
    fn build_flat(
        &mut self,
        k: &mut kir::Function,
        at: ExprId,
        name: &str,
        tag: &str,
        before: &mut Vec<Stmt>,
        body: &mut Vec<Stmt>,
    ) -> Result<ExprId, NoKernel> {
        let p = k.local(name, I64);
        body.push(Stmt::Assign(p, at));
        let mut no_rows = Vec::new();
        self.build(k, Index::Flat(p), tag, before, &mut no_rows, body)
    }

    /// Builds the tree's value at `index`: statements for the one-element inputs go to
    /// `before` (once for every build), those per row to `per_row`, those per element to
    /// `body`; `tag` suffixes the names of the locals. Returns the value.
    fn build(
        &mut self,
        k: &mut kir::Function,
        index: Index<'_>,
        tag: &str,
        before: &mut Vec<Stmt>,
        per_row: &mut Vec<Stmt>,
        body: &mut Vec<Stmt>,
    ) -> Result<ExprId, NoKernel> {
        let f = self.f;
        let mut top = None;
        // Each node's value in the loop body: an expression, or a local holding it.
        let mut value: Vec<Option<ExprId>> = vec![None; f.len()];
        for h in f.handles() {
            if self.uses[h.index()] == 0 {
                continue;
            }
            top = Some(h);
            let d = f.dtype(h);
            let ty = Ty::Scalar(d);
            let span = f.span(h);
            let get = |v: &[Option<ExprId>], a: ir::Value| {
                v[a.index()].ok_or_else(|| NoKernel("internal: an operand was not built".into()))
            };
            let mut hoist = false;
            let e = match *f.node(h) {
                Node::Input(slot) => {
                    let p = *self
                        .params
                        .get(slot as usize)
                        .ok_or_else(|| NoKernel("internal: an input without a parameter".into()))?;
                    let shape = &f.params[slot as usize].shape;
                    let size: usize = shape.iter().product();
                    let local = k.expr(Expr::Local(p), arr(f.params[slot as usize].dtype), span);
                    if size == 1 {
                        if let Some(t) = self.hoisted[h.index()] {
                            value[h.index()] = Some(k.expr(Expr::Local(t), ty, span));
                            continue;
                        }
                        hoist = true;
                        let zero = k.expr(Expr::Const(Scalar::I64(0)), I64, span);
                        k.expr(Expr::Load(local, vec![zero]), ty.clone(), span)
                    } else if let Index::Rows(rows, i) = index {
                        // base + j for a full input; offset (+ j) for one that broadcasts.
                        let full = size == rows.count * rows.n;
                        let origin = if full {
                            rows.base
                        } else {
                            let o = k.local(format!("o{slot}{tag}"), I64);
                            let e = rows.offset(k, i, shape, span);
                            per_row.push(Stmt::Assign(o, e));
                            o
                        };
                        let o = k.expr(Expr::Local(origin), I64, span);
                        if full || rows.along_row(shape) {
                            let jv = k.expr(Expr::Local(rows.j), I64, span);
                            let idx = k.expr(Expr::Binary(BinaryOp::Add, o, jv), I64, span);
                            k.expr(Expr::Load(local, vec![idx]), ty.clone(), span)
                        } else {
                            // Constant along the row: read once per row.
                            let load = k.expr(Expr::Load(local, vec![o]), ty.clone(), span);
                            let t = k.local(format!("r{}{tag}", h.index()), ty.clone());
                            per_row.push(Stmt::Assign(t, load));
                            k.expr(Expr::Local(t), ty.clone(), span)
                        }
                    } else {
                        let Index::Flat(i) = index else {
                            unreachable!()
                        };
                        let iv = k.expr(Expr::Local(i), I64, span);
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
                    return Err(NoKernel("internal: a reduction inside a loop".into()));
                }
            };
            // Operands of one element read once before the loop, and every node used more
            // than once computed once per element, in a local.
            let shared = self.uses[h.index()] > 1 || hoist;
            let is_const = matches!(f.node(h), Node::Const(_));
            value[h.index()] = Some(if shared && !is_const {
                let t = k.local(format!("t{}{tag}", h.index()), ty.clone());
                let stmt = Stmt::Assign(t, e);
                if hoist {
                    self.hoisted[h.index()] = Some(t);
                    before.push(stmt);
                } else {
                    body.push(stmt);
                }
                k.expr(Expr::Local(t), ty, span)
            } else {
                e
            });
        }
        // The top node is the last one of the tree (operands precede their users).
        top.and_then(|h| value[h.index()])
            .ok_or_else(|| NoKernel("internal: the tree was not built".into()))
    }
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
