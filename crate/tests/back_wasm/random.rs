//! Random programs in the compiled subset, run on the executor and compiled: a seeded
//! generator of well-typed kir (scalar arithmetic over every dtype, float math through
//! the engine's vmath, casts, conditions,
//! array loads and stores with indices near and past the ends, `if`, `for` with small
//! trip counts and any step, `while`, `break`, `continue`, early returns, raises, calls of
//! a helper, locals assigned on some paths only, tuples (with `None` items, chosen by
//! conditions) taken apart), each program run on a few argument
//! sets. The outcomes must be identical, and the errors must cover every kind the subset
//! raises.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use numwasm::kir::exec::{ArrayValue, Value};
use numwasm::kir::{
    ArrayTy, Expr, ExprId, FuncId, Function, Layout, LocalId, Program, RaiseKind, Stmt, Ty,
};
use numwasm::syntax::Span;
use numwasm::types::{BinaryOp, Buffer, DType, Scalar, UnaryOp, binary_signature, unary_signature};

use crate::common::Rng;
use crate::harness::{self, Ret};

const PROGRAMS: u64 = 300;
const RUNS_PER_PROGRAM: usize = 3;

const BINARY: [BinaryOp; 27] = [
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::TrueDiv,
    BinaryOp::FloorDiv,
    BinaryOp::Mod,
    BinaryOp::Pow,
    BinaryOp::Shl,
    BinaryOp::Shr,
    BinaryOp::And,
    BinaryOp::Or,
    BinaryOp::Xor,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Ge,
    BinaryOp::Gt,
    BinaryOp::Maximum,
    BinaryOp::Minimum,
    BinaryOp::Fmax,
    BinaryOp::Fmin,
    BinaryOp::Fmod,
    BinaryOp::Arctan2,
    BinaryOp::Hypot,
    BinaryOp::Nextafter,
    BinaryOp::Copysign,
];

const UNARY: [UnaryOp; 36] = [
    UnaryOp::Neg,
    UnaryOp::Invert,
    UnaryOp::Abs,
    UnaryOp::Sqrt,
    UnaryOp::Ceil,
    UnaryOp::Floor,
    UnaryOp::Trunc,
    UnaryOp::Rint,
    UnaryOp::Sign,
    UnaryOp::Square,
    UnaryOp::Reciprocal,
    UnaryOp::One,
    UnaryOp::Zero,
    UnaryOp::IsNan,
    UnaryOp::IsFinite,
    UnaryOp::IsInf,
    UnaryOp::Sin,
    UnaryOp::Cos,
    UnaryOp::Tan,
    UnaryOp::Arcsin,
    UnaryOp::Arccos,
    UnaryOp::Arctan,
    UnaryOp::Sinh,
    UnaryOp::Cosh,
    UnaryOp::Tanh,
    UnaryOp::Arcsinh,
    UnaryOp::Arccosh,
    UnaryOp::Arctanh,
    UnaryOp::Log,
    UnaryOp::Log1p,
    UnaryOp::Log10,
    UnaryOp::Log2,
    UnaryOp::Exp,
    UnaryOp::Exp2,
    UnaryOp::Expm1,
    UnaryOp::Cbrt,
];

fn binary_in(op: BinaryOp, d: DType) -> bool {
    matches!(binary_signature(op, d), Ok((c, _)) if c == d)
}

fn unary_in(op: UnaryOp, d: DType) -> bool {
    matches!(unary_signature(op, d), Ok((c, _)) if c == d)
}

fn pick<T: Copy>(rng: &mut Rng, xs: &[T]) -> T {
    xs[rng.below(xs.len() as u64) as usize]
}

/// An interesting value of dtype `d`: zero, one, minus one, the extremes, small values,
/// for floats also signed zeros, NaN, infinities and values past the integer ranges.
fn value(rng: &mut Rng, d: DType) -> Scalar {
    if d.is_float() {
        let x = match rng.below(14) {
            0 => 0.0,
            1 => -0.0,
            2 => 1.0,
            3 => -1.5,
            4 => 2.5,
            5 => f64::NAN,
            6 => f64::INFINITY,
            7 => f64::NEG_INFINITY,
            8 => pick(rng, &[1e300, -1e19, 1e19, 3e9, -3e9, 300.7, -129.5, 5e-324]),
            9 => 0.1,
            _ => (rng.float() - 0.5) * 2f64.powi(rng.below(70) as i32 - 20),
        };
        return Scalar::F64(x).cast(d);
    }
    let (lo, hi) = d.int_range().expect("an integer range");
    let v = match rng.below(10) {
        0 => lo,
        1 => hi,
        2 => -1,
        3 => 0,
        4 => 1,
        5 => i128::from(rng.next() as i64),
        6 => pick(rng, &[7, 8, 15, 16, 31, 32, 63, 64]),
        _ => rng.below(21) as i128 - 10,
    };
    Scalar::from_i128(v, d)
}

struct Gen<'r> {
    rng: &'r mut Rng,
    f: Function,
    /// Scalar locals (parameters included) by dtype.
    scalars: Vec<(LocalId, DType)>,
    /// Array parameters, with the extents of the arguments the program runs on.
    arrays: Vec<(LocalId, ArrayTy, Vec<usize>)>,
    /// The helper (function 1) the entry may call: its parameter dtypes and result.
    helper: Option<(Vec<DType>, DType)>,
    ret: DType,
    loops: usize,
    span: u32,
}

impl Gen<'_> {
    fn at(&mut self) -> Span {
        self.span += 1;
        Span {
            start: self.span,
            end: self.span + 1,
        }
    }

    fn mk(&mut self, e: Expr, ty: Ty) -> ExprId {
        let s = self.at();
        self.f.expr(e, ty, s)
    }

    fn konst(&mut self, s: Scalar) -> ExprId {
        self.mk(Expr::Const(s), Ty::Scalar(s.dtype()))
    }

    fn dtype(&mut self) -> DType {
        pick(self.rng, &DType::ALL)
    }

    fn int_dtype(&mut self) -> DType {
        pick(
            self.rng,
            &[
                DType::I8,
                DType::I16,
                DType::I32,
                DType::I64,
                DType::U8,
                DType::U16,
                DType::U32,
                DType::U64,
            ],
        )
    }

    /// A scalar expression of dtype `d`, at most `depth` deep.
    fn expr(&mut self, d: DType, depth: u32) -> ExprId {
        let choice = if depth == 0 {
            self.rng.below(3)
        } else {
            self.rng.below(13)
        };
        match choice {
            0 => {
                let v = value(self.rng, d);
                self.konst(v)
            }
            1 | 2 => {
                let candidates: Vec<LocalId> = self
                    .scalars
                    .iter()
                    .filter(|(_, t)| *t == d)
                    .map(|(l, _)| *l)
                    .collect();
                if candidates.is_empty() || choice == 2 {
                    // A local of another dtype, cast.
                    let (l, t) = pick(self.rng, &self.scalars);
                    let x = self.mk(Expr::Local(l), Ty::Scalar(t));
                    self.mk(Expr::Cast(x, d), Ty::Scalar(d))
                } else {
                    let l = pick(self.rng, &candidates);
                    self.mk(Expr::Local(l), Ty::Scalar(d))
                }
            }
            3 => {
                let from = self.dtype();
                let x = self.expr(from, depth - 1);
                self.mk(Expr::Cast(x, d), Ty::Scalar(d))
            }
            4 => self.unary(d, depth),
            5 | 6 => self.binary(d, depth),
            7 => self.py_div(d, depth),
            8 => {
                let c = self.cond(depth - 1);
                let a = self.expr(d, depth - 1);
                let b = self.expr(d, depth - 1);
                self.mk(Expr::Cond(c, a, b), Ty::Scalar(d))
            }
            9 | 10 if !self.arrays.is_empty() => {
                let (l, at, shape) =
                    self.arrays[self.rng.below(self.arrays.len() as u64) as usize].clone();
                let x = if choice == 9 {
                    let a = self.mk(Expr::Local(l), Ty::Array(at));
                    let index = self.index(&shape, depth - 1);
                    self.mk(Expr::Load(a, index), Ty::Scalar(at.dtype))
                } else {
                    let a = self.mk(Expr::Local(l), Ty::Array(at));
                    let axis = self.rng.below(u64::from(at.ndim)) as u8;
                    self.mk(Expr::Dim(a, axis), Ty::Scalar(DType::I64))
                };
                let t = *self.f.ty(x) == Ty::Scalar(d);
                if t {
                    x
                } else {
                    self.mk(Expr::Cast(x, d), Ty::Scalar(d))
                }
            }
            11 if self.helper.is_some() => {
                let (params, r) = self.helper.clone().expect("a helper");
                let args = params.iter().map(|&p| self.expr(p, depth - 1)).collect();
                let x = self.mk(Expr::Call(FuncId::from_index(1), args), Ty::Scalar(r));
                self.mk(Expr::Cast(x, d), Ty::Scalar(d))
            }
            12 => {
                // An item of dtype `d` taken out of a tuple of two or three items (some
                // `None`), the tuple perhaps chosen by a condition.
                let n = 2 + self.rng.below(2) as usize;
                let k = self.rng.below(n as u64) as usize;
                let tys: Vec<Ty> = (0..n)
                    .map(|i| {
                        if i == k {
                            Ty::Scalar(d)
                        } else if self.rng.below(4) == 0 {
                            Ty::None
                        } else {
                            Ty::Scalar(self.dtype())
                        }
                    })
                    .collect();
                let mut t = self.tuple(&tys, k, depth - 1);
                if self.rng.below(2) == 0 {
                    let c = self.cond(depth - 1);
                    let other = self.tuple(&tys, k, depth - 1);
                    t = self.mk(Expr::Cond(c, t, other), Ty::Tuple(tys));
                }
                self.mk(Expr::TupleGet(t, k as u32), Ty::Scalar(d))
            }
            _ => {
                let v = value(self.rng, d);
                self.konst(v)
            }
        }
    }

    /// A tuple of items of types `tys` (scalars and `None`), item `k` at most `depth`
    /// deep and the others leaves (so that tuples do not make most runs raise).
    fn tuple(&mut self, tys: &[Ty], k: usize, depth: u32) -> ExprId {
        let items = tys
            .iter()
            .enumerate()
            .map(|(i, t)| match t {
                Ty::Scalar(d) => self.expr(*d, if i == k { depth } else { 0 }),
                _ => self.mk(Expr::NoneVal, Ty::None),
            })
            .collect();
        self.mk(Expr::Tuple(items), Ty::Tuple(tys.to_vec()))
    }

    /// A condition: a bool, a comparison, or the truth of any scalar.
    fn cond(&mut self, depth: u32) -> ExprId {
        match self.rng.below(3) {
            0 => self.expr(DType::Bool, depth),
            1 => {
                let d = self.dtype();
                self.expr(d, depth)
            }
            _ => self.comparison(depth),
        }
    }

    /// A comparison of two values of any one dtype.
    fn comparison(&mut self, depth: u32) -> ExprId {
        let d = self.dtype();
        let op = pick(
            self.rng,
            &[
                BinaryOp::Lt,
                BinaryOp::Le,
                BinaryOp::Eq,
                BinaryOp::Ne,
                BinaryOp::Ge,
                BinaryOp::Gt,
            ],
        );
        let a = self.expr(d, depth);
        let b = self.expr(d, depth);
        self.mk(Expr::Binary(op, a, b), Ty::Scalar(DType::Bool))
    }

    fn unary(&mut self, d: DType, depth: u32) -> ExprId {
        if d == DType::Bool && self.rng.below(2) == 0 {
            let x = self.dtype();
            let op = pick(
                self.rng,
                &[
                    UnaryOp::IsNan,
                    UnaryOp::IsFinite,
                    UnaryOp::IsInf,
                    UnaryOp::Signbit,
                ],
            );
            let a = self.expr(x, depth - 1);
            return self.mk(Expr::Unary(op, a), Ty::Scalar(DType::Bool));
        }
        let ops: Vec<UnaryOp> = UNARY
            .iter()
            .copied()
            .filter(|&op| !op.is_predicate() && unary_in(op, d))
            .collect();
        if ops.is_empty() {
            return self.expr(d, depth - 1);
        }
        let op = pick(self.rng, &ops);
        let a = self.expr(d, depth - 1);
        self.mk(Expr::Unary(op, a), Ty::Scalar(d))
    }

    fn binary(&mut self, d: DType, depth: u32) -> ExprId {
        if d == DType::Bool && self.rng.below(2) == 0 {
            return self.comparison(depth - 1);
        }
        let ops: Vec<BinaryOp> = BINARY
            .iter()
            .copied()
            .filter(|&op| !op.is_comparison() && binary_in(op, d))
            .collect();
        if ops.is_empty() {
            return self.expr(d, depth - 1);
        }
        let op = pick(self.rng, &ops);
        let a = self.expr(d, depth - 1);
        let b = self.expr(d, depth - 1);
        self.mk(Expr::Binary(op, a, b), Ty::Scalar(d))
    }

    /// `/`, `//`, `%` (of integers and floats) and integer `**` under Python's error
    /// model.
    fn py_div(&mut self, d: DType, depth: u32) -> ExprId {
        if d.is_int() {
            let op = pick(
                self.rng,
                &[BinaryOp::FloorDiv, BinaryOp::Mod, BinaryOp::Pow],
            );
            let a = self.expr(d, depth - 1);
            let b = if self.rng.below(3) != 0 {
                // Small divisors and exponents, negative ones often, zero sometimes.
                let v = Scalar::from_i128(self.rng.below(9) as i128 - 4, d);
                self.konst(v)
            } else {
                self.expr(d, depth - 1)
            };
            return self.mk(Expr::PyDiv(op, a, b), Ty::Scalar(d));
        }
        if d.is_float() {
            let op = pick(
                self.rng,
                &[BinaryOp::TrueDiv, BinaryOp::FloorDiv, BinaryOp::Mod],
            );
            // Integer / integer computes in float64; floats in their own dtype.
            let x = if op == BinaryOp::TrueDiv && d == DType::F64 && self.rng.below(2) == 0 {
                self.int_dtype()
            } else {
                d
            };
            let a = self.expr(x, depth - 1);
            let b = self.expr(x, depth - 1);
            return self.mk(Expr::PyDiv(op, a, b), Ty::Scalar(d));
        }
        self.expr(d, depth - 1)
    }

    /// Indices for an array of extents `shape`, in any integer dtype: mostly inside
    /// (negative ones too), sometimes just past either end or computed.
    fn index(&mut self, shape: &[usize], depth: u32) -> Vec<ExprId> {
        shape
            .iter()
            .map(|&n| {
                let d = self.int_dtype();
                let n = n as i128;
                let v = match self.rng.below(20) {
                    0 => return self.expr(d, depth.min(1)),
                    1 | 2 => pick(self.rng, &[n, n + 1, -n - 1]),
                    _ if n == 0 => 0,
                    _ if d.is_signed_int() => self.rng.below(2 * n as u64) as i128 - n,
                    _ => self.rng.below(n as u64) as i128,
                };
                let v = Scalar::from_i128(v, d);
                self.konst(v)
            })
            .collect()
    }

    fn body(&mut self, depth: u32) -> Vec<Stmt> {
        let n = 1 + self.rng.below(4);
        let mut out = Vec::new();
        for _ in 0..n {
            if depth > 0 && self.rng.below(11) == 6 {
                self.while_loop(depth, &mut out);
            } else {
                let st = self.stmt(depth);
                out.push(st);
            }
        }
        out
    }

    fn stmt(&mut self, depth: u32) -> Stmt {
        let choice = if depth == 0 {
            self.rng.below(3)
        } else {
            self.rng.below(11)
        };
        match choice {
            0 | 1 => {
                let (l, d) = pick(self.rng, &self.scalars);
                let e = self.expr(d, 3);
                Stmt::Assign(l, e)
            }
            2 if !self.arrays.is_empty() => {
                let (l, at, shape) =
                    self.arrays[self.rng.below(self.arrays.len() as u64) as usize].clone();
                let value = self.expr(at.dtype, 2);
                let array = self.mk(Expr::Local(l), Ty::Array(at));
                let index = self.index(&shape, 1);
                let span = self.at();
                Stmt::Store {
                    array,
                    index,
                    value,
                    span,
                }
            }
            3 | 4 => {
                let cond = self.cond(2);
                let then = self.body(depth - 1);
                let otherwise = if self.rng.below(2) == 0 {
                    Vec::new()
                } else {
                    self.body(depth - 1)
                };
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                }
            }
            5 | 6 => self.for_loop(depth),
            7 if self.loops > 0 => {
                let cond = self.cond(1);
                let jump = if self.rng.below(2) == 0 {
                    Stmt::Break
                } else {
                    Stmt::Continue
                };
                Stmt::If {
                    cond,
                    then: vec![jump],
                    otherwise: Vec::new(),
                }
            }
            8 => {
                let cond = self.cond(1);
                let r = self.expr(self.ret, 2);
                Stmt::If {
                    cond,
                    then: vec![Stmt::Return(Some(r))],
                    otherwise: Vec::new(),
                }
            }
            9 if self.rng.below(4) == 0 => {
                let cond = self.cond(1);
                let span = self.at();
                let kind = pick(
                    self.rng,
                    &[RaiseKind::ValueError, RaiseKind::AssertionError],
                );
                Stmt::If {
                    cond,
                    then: vec![Stmt::Raise {
                        kind,
                        message: format!("raised at {}", span.start),
                        span,
                    }],
                    otherwise: Vec::new(),
                }
            }
            _ => {
                let (l, d) = pick(self.rng, &self.scalars);
                let e = self.expr(d, 2);
                Stmt::Assign(l, e)
            }
        }
    }

    /// `for v in range(start, stop, step)` with bounds in small ranges, of any integer
    /// dtype, a step of either sign (rarely 0), and a variable of any dtype.
    fn for_loop(&mut self, depth: u32) -> Stmt {
        let vd = if self.rng.below(3) == 0 {
            self.dtype()
        } else {
            DType::I64
        };
        let var = self.f.local(format!("v{}", self.span), Ty::Scalar(vd));
        let bound = |g: &mut Self, lo: i128, n: u64| {
            let d = if g.rng.below(2) == 0 {
                DType::I64
            } else {
                g.int_dtype()
            };
            let lo = if d.is_signed_int() { lo } else { lo.max(0) };
            let v = Scalar::from_i128(lo + g.rng.below(n) as i128, d);
            g.konst(v)
        };
        let start = bound(self, -4, 10);
        let stop = bound(self, -4, 12);
        let step = if self.rng.below(40) == 0 {
            self.konst(Scalar::I64(0))
        } else {
            let s = pick(self.rng, &[1i64, 1, 2, 3, -1, -2]);
            self.konst(Scalar::I64(s))
        };
        // The variable is read in the body only: after the loop it is unassigned when the
        // range was empty, which the unassigned locals already cover.
        self.loops += 1;
        self.scalars.push((var, vd));
        let body = self.body(depth - 1);
        self.scalars.retain(|&(l, _)| l != var);
        self.loops -= 1;
        let span = self.at();
        Stmt::For {
            var,
            start,
            stop,
            step,
            body,
            parallel: false,
            span,
        }
    }

    /// `c = 0; while c < k: c += 1; ...` (the counter first, so `continue` progresses).
    fn while_loop(&mut self, depth: u32, out: &mut Vec<Stmt>) {
        let i64t = Ty::Scalar(DType::I64);
        let c = self.f.local(format!("c{}", self.span), i64t.clone());
        let zero = self.konst(Scalar::I64(0));
        let k = Scalar::I64(self.rng.below(5) as i64);
        let k = self.konst(k);
        let ec = self.mk(Expr::Local(c), i64t.clone());
        let cond = self.mk(Expr::Binary(BinaryOp::Lt, ec, k), Ty::Scalar(DType::Bool));
        let one = self.konst(Scalar::I64(1));
        let ec = self.mk(Expr::Local(c), i64t.clone());
        let inc = self.mk(Expr::Binary(BinaryOp::Add, ec, one), i64t);
        self.loops += 1;
        let mut body = vec![Stmt::Assign(c, inc)];
        body.extend(self.body(depth - 1));
        self.loops -= 1;
        out.push(Stmt::Assign(c, zero));
        out.push(Stmt::While { cond, body });
    }
}

/// One random program: a helper (function 1) of scalar parameters, and the entry with
/// scalar parameters and one or two arrays. Returns it with argument sets to run.
fn program(seed: u64) -> (Program, Vec<Vec<Value>>) {
    let mut rng = Rng::new(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5851_f42d);
    let rng = &mut rng;

    // The helper.
    let n_params = 1 + rng.below(3) as usize;
    let hp: Vec<DType> = (0..n_params).map(|_| pick(rng, &DType::ALL)).collect();
    let hr = pick(rng, &DType::ALL);
    let mut h = Gen {
        rng,
        f: Function::new("helper", Ty::Scalar(hr)),
        scalars: Vec::new(),
        arrays: Vec::new(),
        helper: None,
        ret: hr,
        loops: 0,
        span: 10_000,
    };
    for (i, &d) in hp.iter().enumerate() {
        let l = h.f.param(format!("p{i}"), Ty::Scalar(d));
        h.scalars.push((l, d));
    }
    let t = h.dtype();
    let l = h.f.local("t", Ty::Scalar(t));
    let init = h.expr(t, 2);
    h.scalars.push((l, t));
    let mut body = vec![Stmt::Assign(l, init)];
    body.extend(h.body(2));
    // Rarely, the helper may fall off its end (an internal error at the call).
    if h.rng.below(10) != 0 {
        let r = h.expr(hr, 2);
        body.push(Stmt::Return(Some(r)));
    }
    h.f.body = body;
    let helper = h.f;

    // The entry.
    let er = pick(rng, &DType::ALL);
    let mut g = Gen {
        rng,
        f: Function::new("main", Ty::Scalar(er)),
        scalars: Vec::new(),
        arrays: Vec::new(),
        helper: Some((hp, hr)),
        ret: er,
        loops: 0,
        span: 0,
    };
    let n_scalars = 1 + g.rng.below(3) as usize;
    for i in 0..n_scalars {
        let d = g.dtype();
        let l = g.f.param(format!("x{i}"), Ty::Scalar(d));
        g.scalars.push((l, d));
    }
    let n_arrays = 1 + g.rng.below(2) as usize;
    let mut shapes = Vec::new();
    for i in 0..n_arrays {
        let ndim = 1 + g.rng.below(2) as u8;
        let strided = g.rng.below(3) == 0;
        let at = ArrayTy {
            dtype: g.dtype(),
            ndim,
            layout: if strided { Layout::Any } else { Layout::C },
        };
        let shape: Vec<usize> = (0..ndim)
            .map(|_| pick(g.rng, &[0, 1, 2, 3, 4, 5, 2, 3, 4, 5, 3, 4]))
            .collect();
        let l = g.f.param(format!("a{i}"), Ty::Array(at));
        g.arrays.push((l, at, shape.clone()));
        shapes.push((at, shape, strided));
    }
    // Locals, each assigned at the start, except sometimes one (assigned later on some
    // paths only, so that a read may come before it).
    let mut body = Vec::new();
    let n_locals = 1 + g.rng.below(4);
    let unassigned = g.rng.below(16);
    for i in 0..n_locals {
        let d = g.dtype();
        let l = g.f.local(format!("y{i}"), Ty::Scalar(d));
        if i != unassigned {
            let e = g.expr(d, 2);
            body.push(Stmt::Assign(l, e));
        }
        g.scalars.push((l, d));
    }
    body.extend(g.body(3));
    let r = g.expr(er, 3);
    body.push(Stmt::Return(Some(r)));
    g.f.body = body;

    let scalar_params: Vec<DType> = g.scalars[..n_scalars].iter().map(|(_, d)| *d).collect();
    let mut p = Program::default();
    p.add(g.f);
    p.add(helper);

    let mut runs = Vec::new();
    for _ in 0..RUNS_PER_PROGRAM {
        let mut args: Vec<Value> = scalar_params
            .iter()
            .map(|&d| Value::Scalar(value(rng, d)))
            .collect();
        for (at, shape, strided) in &shapes {
            args.push(array_arg(rng, *at, shape, *strided));
        }
        runs.push(args);
    }
    (p, runs)
}

/// An array argument: C-contiguous, or (strided) every other element of a larger buffer
/// along the last axis, starting from its end.
fn array_arg(rng: &mut Rng, at: ArrayTy, shape: &[usize], strided: bool) -> Value {
    let n: usize = shape.iter().product();
    let len = if strided { 2 * n + 1 } else { n };
    let buf = Buffer::from_scalars(at.dtype, (0..len).map(|_| value(rng, at.dtype)));
    if !strided {
        return Value::Array(ArrayValue::from_buffer(buf, shape.to_vec()));
    }
    // Element (i, j) at offset (2n - 1) - 2 (i * cols + j): a reversed, step -2 view.
    let mut strides = vec![0isize; shape.len()];
    let mut s = -2isize;
    for k in (0..shape.len()).rev() {
        strides[k] = s;
        s *= shape[k].max(1) as isize;
    }
    Value::Array(ArrayValue {
        data: Rc::new(RefCell::new(buf)),
        offset: (2 * n).saturating_sub(1),
        shape: shape.to_vec(),
        strides,
    })
}

#[test]
fn random_programs_agree_with_the_executor() {
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    let mut with_vmath = 0;
    let mut with_tuples = 0;
    for seed in 0..PROGRAMS {
        let (p, runs) = program(seed);
        let f = &p.functions[0];
        if (0..f.expr_count()).any(|i| matches!(f.get(ExprId::from_index(i)), Expr::Tuple(_))) {
            with_tuples += 1;
        }
        let m = harness::compile(&p).unwrap_or_else(|u| panic!("{u}\n{p}"));
        if !harness::vmath_imports(&m).is_empty() {
            with_vmath += 1;
        }
        for args in &runs {
            let o = harness::differential(&p, args);
            let key = match &o.result {
                Ok(Ret::Scalar(_)) => "ok".to_owned(),
                Ok(other) => format!("{other:?}"),
                Err(e) if e.message.starts_with("internal") => "internal".to_owned(),
                Err(e) => e.kind.name().to_owned(),
            };
            *outcomes.entry(key).or_default() += 1;
        }
    }
    println!("outcomes of {PROGRAMS} random programs: {outcomes:?}");
    println!("{with_vmath} programs call vmath functions, {with_tuples} make tuples");
    assert!(
        with_tuples > PROGRAMS as usize / 10,
        "{with_tuples} make tuples"
    );
    assert!(
        with_vmath > PROGRAMS as usize / 4,
        "{with_vmath} call vmath"
    );
    let count = |k: &str| outcomes.get(k).copied().unwrap_or(0);
    // Most runs finish, and every error the subset raises is exercised.
    assert!(
        count("ok") > (PROGRAMS as usize * RUNS_PER_PROGRAM) / 3,
        "{outcomes:?}"
    );
    for kind in [
        "IndexError",
        "ZeroDivisionError",
        "ValueError",
        "AssertionError",
        "RuntimeError",
        "internal",
    ] {
        assert!(count(kind) > 0, "no {kind} in {outcomes:?}");
    }
}
