//! Tests of the reference executor on hand-built programs. Expected values are NumPy's
//! and Numba's (worked out by hand where no NumPy is at hand, with the arithmetic shown).

use super::{ArrayValue, ListValue, MAX_CALL_DEPTH, RunError, Value, run, type_of};
use crate::kir::{
    ArrayTy, Expr, ExprId, Function, Index, Intrinsic, Layout, LocalId, Program, RaiseKind, Stmt,
    Ty,
};
use crate::syntax::Span;
use crate::types::math::OneLane;
use crate::types::{BinaryOp, Buffer, DType, ReduceOp, Scalar, UnaryOp};

const I64: Ty = Ty::Scalar(DType::I64);
const F64: Ty = Ty::Scalar(DType::F64);
const BOOL: Ty = Ty::Scalar(DType::Bool);

fn arr(d: DType, ndim: u8) -> Ty {
    Ty::Array(ArrayTy {
        dtype: d,
        ndim,
        layout: Layout::C,
    })
}

fn arr_any(d: DType, ndim: u8) -> Ty {
    Ty::Array(ArrayTy {
        dtype: d,
        ndim,
        layout: Layout::Any,
    })
}

/// Builds one function: expressions get the span last given to `at` (so an error test
/// can give the failing expression its own span).
struct B {
    f: Function,
    span: Span,
}

impl B {
    fn new(name: &str, ret: Ty) -> B {
        B {
            f: Function::new(name, ret),
            span: Span::default(),
        }
    }

    fn at(&mut self, start: usize, end: usize) {
        self.span = Span::new(start, end);
    }

    fn param(&mut self, name: &str, ty: Ty) -> LocalId {
        self.f.param(name, ty)
    }

    fn local(&mut self, name: &str, ty: Ty) -> LocalId {
        self.f.local(name, ty)
    }

    fn e(&mut self, x: Expr, ty: Ty) -> ExprId {
        self.f.expr(x, ty, self.span)
    }

    fn k(&mut self, s: Scalar) -> ExprId {
        self.e(Expr::Const(s), Ty::Scalar(s.dtype()))
    }

    fn i(&mut self, v: i64) -> ExprId {
        self.k(Scalar::I64(v))
    }

    fn fl(&mut self, v: f64) -> ExprId {
        self.k(Scalar::F64(v))
    }

    fn v(&mut self, l: LocalId) -> ExprId {
        let ty = self.f.local_decl(l).ty.clone();
        self.e(Expr::Local(l), ty)
    }

    fn bin(&mut self, op: BinaryOp, a: ExprId, b: ExprId) -> ExprId {
        let ty = if op.is_comparison() {
            BOOL
        } else {
            self.f.ty(a).clone()
        };
        self.e(Expr::Binary(op, a, b), ty)
    }

    fn un(&mut self, op: UnaryOp, a: ExprId) -> ExprId {
        let ty = self.f.ty(a).clone();
        self.e(Expr::Unary(op, a), ty)
    }

    fn cast(&mut self, a: ExprId, d: DType) -> ExprId {
        self.e(Expr::Cast(a, d), Ty::Scalar(d))
    }

    fn pydiv(&mut self, op: BinaryOp, a: ExprId, b: ExprId) -> ExprId {
        let ty = match self.f.ty(a) {
            Ty::Scalar(d) if op == BinaryOp::TrueDiv && !d.is_float() => F64,
            other => other.clone(),
        };
        self.e(Expr::PyDiv(op, a, b), ty)
    }

    fn elem_ty(&self, a: ExprId) -> Ty {
        match self.f.ty(a) {
            Ty::Array(t) => Ty::Scalar(t.dtype),
            other => panic!("not an array: {other}"),
        }
    }

    fn load(&mut self, a: ExprId, idx: &[ExprId]) -> ExprId {
        let ty = self.elem_ty(a);
        self.e(Expr::Load(a, idx.to_vec()), ty)
    }

    fn view(&mut self, a: ExprId, idx: Vec<Index>, ty: Ty) -> ExprId {
        self.e(Expr::View(a, idx), ty)
    }

    fn dim(&mut self, a: ExprId, axis: u8) -> ExprId {
        self.e(Expr::Dim(a, axis), I64)
    }

    fn intr(&mut self, op: Intrinsic, args: &[ExprId], ty: Ty) -> ExprId {
        self.e(Expr::Intrinsic(op, args.to_vec()), ty)
    }

    fn call(&mut self, f: usize, args: &[ExprId], ty: Ty) -> ExprId {
        self.e(
            Expr::Call(crate::kir::FuncId::from_index(f), args.to_vec()),
            ty,
        )
    }

    /// `for var in range(start, stop, step)`.
    fn range(
        &self,
        var: LocalId,
        start: ExprId,
        stop: ExprId,
        step: ExprId,
        body: Vec<Stmt>,
    ) -> Stmt {
        Stmt::For {
            var,
            start,
            stop,
            step,
            body,
            parallel: false,
            span: self.span,
        }
    }

    fn store(&self, array: ExprId, index: &[ExprId], value: ExprId) -> Stmt {
        Stmt::Store {
            array,
            index: index.to_vec(),
            value,
            span: self.span,
        }
    }

    fn finish(mut self, body: Vec<Stmt>) -> Function {
        self.f.body = body;
        self.f
    }
}

fn program(functions: Vec<Function>) -> Program {
    let mut p = Program::default();
    for f in functions {
        p.add(f);
    }
    p
}

fn run1(f: Function, args: Vec<Value>) -> Result<Value, RunError> {
    run(&program(vec![f]), args)
}

fn s_i64(v: i64) -> Value {
    Value::Scalar(Scalar::I64(v))
}

fn s_f64(v: f64) -> Value {
    Value::Scalar(Scalar::F64(v))
}

fn array(buf: impl Into<Buffer>, shape: &[usize]) -> ArrayValue {
    ArrayValue::from_buffer(buf.into(), shape.to_vec())
}

fn a_i64(data: &[i64], shape: &[usize]) -> Value {
    Value::Array(array(data.to_vec(), shape))
}

fn a_f64(data: &[f64], shape: &[usize]) -> Value {
    Value::Array(array(data.to_vec(), shape))
}

fn scalar(v: &Value) -> Scalar {
    v.scalar().unwrap_or_else(|| panic!("not a scalar: {v:?}"))
}

/// An array result: dtype, shape and elements in C order.
fn elems(v: &Value) -> (DType, Vec<usize>, Vec<Scalar>) {
    let a = v.array().unwrap_or_else(|| panic!("not an array: {v:?}"));
    (a.dtype(), a.shape.clone(), a.to_scalars())
}

fn ints(v: &Value) -> Vec<i128> {
    elems(v).2.iter().map(|s| s.to_i128()).collect()
}

fn floats(v: &Value) -> Vec<f64> {
    elems(v).2.iter().map(|s| s.to_f64()).collect()
}

fn err(r: Result<Value, RunError>) -> RunError {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

/// `ssum`: the sum of an int64 array in a loop.
fn ssum() -> Function {
    let mut b = B::new("ssum", I64);
    let a = b.param("a", arr(DType::I64, 1));
    let s = b.local("s", I64);
    let i = b.local("i", I64);
    let zero = b.i(0);
    let (a0, ia) = (b.v(a), b.v(a));
    let n = b.dim(a0, 0);
    let (start, one) = (b.i(0), b.i(1));
    let (sv, iv) = (b.v(s), b.v(i));
    let x = b.load(ia, &[iv]);
    let add = b.bin(BinaryOp::Add, sv, x);
    let ret = b.v(s);
    let lp = b.range(i, start, n, one, vec![Stmt::Assign(s, add)]);
    b.finish(vec![Stmt::Assign(s, zero), lp, Stmt::Return(Some(ret))])
}

#[test]
fn ssum_wraps_on_overflow() {
    let r = run1(ssum(), vec![a_i64(&[1, 2, 3], &[3])]).unwrap();
    assert_eq!(scalar(&r), Scalar::I64(6));
    let r = run1(ssum(), vec![a_i64(&[i64::MAX, 1, 5], &[3])]).unwrap();
    assert_eq!(scalar(&r), Scalar::I64(i64::MIN + 5));
}

#[test]
fn display_is_stable() {
    let text = ssum().to_string();
    assert_eq!(
        text,
        "fn ssum(a: array(int64, 1d, C)) -> int64 {
  let s: int64
  let i: int64
  s = 0:i64
  for i: int64 in range(0:i64, dim0(a), 1:i64) {
    s = add(s, load(a, i))
  }
  return s
}"
    );
    // Views, intrinsics (with their result types) and a program's function headers.
    assert_eq!(
        program(vec![normalize(false)]).to_string(),
        "// f0
fn normalize(x: array(float64, 2d, C)) -> array(float64, 2d, C) {
  let ret: array(float64, 2d, C)
  let i: int64
  let norm: float64
  ret = np.Zeros(dim0(x), dim1(x)) : array(float64, 2d, C)
  for i: int64 in range(0:i64, dim0(x), 1:i64) {
    norm = sqrt(np.Reduce(Sum)(np.Map2(Mul)(view(x, [i, ::]), view(x, [i, ::])) : \
         array(float64, 1d, C)) : float64)
    np.Assign(view(ret, [i, ::]), np.Map2(TrueDiv)(view(x, [i, ::]), norm) : \
         array(float64, 1d, C)) : none
  }
  return ret
}"
    );
}

#[test]
fn float_loop_with_break_and_continue() {
    // s = 0.0
    // for i in range(10):
    //     if i % 2 == 1: continue
    //     if i > 6: break
    //     s += float(i) * 0.5
    // return s, i          -> (0 + 2 + 4 + 6) * 0.5 = 6.0, and i stays 8 after the break
    let mut b = B::new("f", Ty::Tuple(vec![F64, I64]));
    let s = b.local("s", F64);
    let i = b.local("i", I64);
    let z = b.fl(0.0);
    let (i1, two, one) = (b.v(i), b.i(2), b.i(1));
    let m = b.pydiv(BinaryOp::Mod, i1, two);
    let odd = b.bin(BinaryOp::Eq, m, one);
    let (i2, six) = (b.v(i), b.i(6));
    let big = b.bin(BinaryOp::Gt, i2, six);
    let (sv, i3) = (b.v(s), b.v(i));
    let fi = b.cast(i3, DType::F64);
    let half = b.fl(0.5);
    let p = b.bin(BinaryOp::Mul, fi, half);
    let add = b.bin(BinaryOp::Add, sv, p);
    let (start, stop, step) = (b.i(0), b.i(10), b.i(1));
    let body = vec![
        Stmt::If {
            cond: odd,
            then: vec![Stmt::Continue],
            otherwise: vec![],
        },
        Stmt::If {
            cond: big,
            then: vec![Stmt::Break],
            otherwise: vec![],
        },
        Stmt::Assign(s, add),
    ];
    let lp = b.range(i, start, stop, step, body);
    let (rs, ri) = (b.v(s), b.v(i));
    let t = b.e(Expr::Tuple(vec![rs, ri]), Ty::Tuple(vec![F64, I64]));
    let f = b.finish(vec![Stmt::Assign(s, z), lp, Stmt::Return(Some(t))]);
    let Value::Tuple(items) = run1(f, vec![]).unwrap() else {
        panic!("not a tuple")
    };
    assert_eq!(scalar(&items[0]), Scalar::F64(6.0));
    assert_eq!(scalar(&items[1]), Scalar::I64(8));
}

#[test]
fn range_follows_python() {
    // s = 0; i = 42
    // for i in range(start, stop, step): s += i
    // return s * 1000 + i
    let prog = || {
        let mut b = B::new("r", I64);
        let (p0, p1, p2) = (
            b.param("start", I64),
            b.param("stop", I64),
            b.param("step", I64),
        );
        let s = b.local("s", I64);
        let i = b.local("i", I64);
        let (z, f42) = (b.i(0), b.i(42));
        let (sv, iv) = (b.v(s), b.v(i));
        let add = b.bin(BinaryOp::Add, sv, iv);
        let (a0, a1, a2) = (b.v(p0), b.v(p1), b.v(p2));
        let lp = b.range(i, a0, a1, a2, vec![Stmt::Assign(s, add)]);
        let (sv, k, iv) = (b.v(s), b.i(1000), b.v(i));
        let m = b.bin(BinaryOp::Mul, sv, k);
        let r = b.bin(BinaryOp::Add, m, iv);
        b.finish(vec![
            Stmt::Assign(s, z),
            Stmt::Assign(i, f42),
            lp,
            Stmt::Return(Some(r)),
        ])
    };
    let go = |a: i64, b: i64, c: i64| run1(prog(), vec![s_i64(a), s_i64(b), s_i64(c)]);
    // 10 + 7 + 4 + 1 = 22, i ends at 1.
    assert_eq!(scalar(&go(10, 0, -3).unwrap()), Scalar::I64(22_001));
    // An empty range leaves i alone.
    assert_eq!(scalar(&go(5, 0, 1).unwrap()), Scalar::I64(42));
    // Bounds near the ends of int64 do not overflow the counter.
    let r = go(i64::MAX - 1, i64::MAX, 5).unwrap();
    assert_eq!(
        scalar(&r),
        Scalar::I64((i64::MAX - 1).wrapping_mul(1000).wrapping_add(i64::MAX - 1))
    );
    let e = err(go(0, 5, 0));
    assert_eq!(e.kind, RaiseKind::ValueError);
    assert_eq!(e.message, "range() arg 3 must not be zero");
}

#[test]
fn while_loop_counts_collatz_steps() {
    // steps = 0
    // while n != 1:
    //     if n % 2 == 0: n = n // 2
    //     else: n = 3 * n + 1
    //     steps += 1
    // return steps
    let mut b = B::new("collatz", I64);
    let n = b.param("n", I64);
    let steps = b.local("steps", I64);
    let z = b.i(0);
    let (nv, one) = (b.v(n), b.i(1));
    let cond = b.bin(BinaryOp::Ne, nv, one);
    let (nv, two, zero) = (b.v(n), b.i(2), b.i(0));
    let m = b.pydiv(BinaryOp::Mod, nv, two);
    let even = b.bin(BinaryOp::Eq, m, zero);
    let (nv, two) = (b.v(n), b.i(2));
    let half = b.pydiv(BinaryOp::FloorDiv, nv, two);
    let (three, nv, one) = (b.i(3), b.v(n), b.i(1));
    let t = b.bin(BinaryOp::Mul, three, nv);
    let up = b.bin(BinaryOp::Add, t, one);
    let (sv, one) = (b.v(steps), b.i(1));
    let inc = b.bin(BinaryOp::Add, sv, one);
    let ret = b.v(steps);
    let f = b.finish(vec![
        Stmt::Assign(steps, z),
        Stmt::While {
            cond,
            body: vec![
                Stmt::If {
                    cond: even,
                    then: vec![Stmt::Assign(n, half)],
                    otherwise: vec![Stmt::Assign(n, up)],
                },
                Stmt::Assign(steps, inc),
            ],
        },
        Stmt::Return(Some(ret)),
    ]);
    let p = program(vec![f]);
    assert_eq!(scalar(&run(&p, vec![s_i64(27)]).unwrap()), Scalar::I64(111));
    assert_eq!(scalar(&run(&p, vec![s_i64(1)]).unwrap()), Scalar::I64(0));
}

#[test]
fn nested_if_else() {
    // if x < 0: return -2 if x < -10 else -1 (as nested ifs)
    // else: if x == 0: return 0  else: return 1
    let mut b = B::new("classify", I64);
    let x = b.param("x", I64);
    let (xv, z) = (b.v(x), b.i(0));
    let neg = b.bin(BinaryOp::Lt, xv, z);
    let (xv, ten) = (b.v(x), b.i(-10));
    let very = b.bin(BinaryOp::Lt, xv, ten);
    let (xv, z) = (b.v(x), b.i(0));
    let is0 = b.bin(BinaryOp::Eq, xv, z);
    let (m2, m1, c0, c1) = (b.i(-2), b.i(-1), b.i(0), b.i(1));
    let f = b.finish(vec![Stmt::If {
        cond: neg,
        then: vec![Stmt::If {
            cond: very,
            then: vec![Stmt::Return(Some(m2))],
            otherwise: vec![Stmt::Return(Some(m1))],
        }],
        otherwise: vec![Stmt::If {
            cond: is0,
            then: vec![Stmt::Return(Some(c0))],
            otherwise: vec![Stmt::Return(Some(c1))],
        }],
    }]);
    let p = program(vec![f]);
    for (x, want) in [(-20, -2), (-10, -1), (-1, -1), (0, 0), (7, 1)] {
        assert_eq!(scalar(&run(&p, vec![s_i64(x)]).unwrap()), Scalar::I64(want));
    }
}

/// `ret[i, :] = x[i, :] / norm` for each row, into a new array (`in_place`: into `x`).
fn normalize(in_place: bool) -> Function {
    let row_ty = arr(DType::F64, 1);
    let mut b = B::new("normalize", arr(DType::F64, 2));
    let x = b.param("x", arr(DType::F64, 2));
    let ret = b.local("ret", arr(DType::F64, 2));
    let i = b.local("i", I64);
    let norm = b.local("norm", F64);
    let mut body = Vec::new();
    if in_place {
        let xv = b.v(x);
        body.push(Stmt::Assign(ret, xv));
    } else {
        let (x0, x1) = (b.v(x), b.v(x));
        let (d0, d1) = (b.dim(x0, 0), b.dim(x1, 1));
        let z = b.intr(Intrinsic::Zeros, &[d0, d1], arr(DType::F64, 2));
        body.push(Stmt::Assign(ret, z));
    }
    let full = Index::Slice {
        start: None,
        stop: None,
        step: None,
    };
    let row = |b: &mut B, of: LocalId| {
        let (a, iv) = (b.v(of), b.v(i));
        b.view(a, vec![Index::At(iv), full], row_ty.clone())
    };
    let (r1, r2) = (row(&mut b, x), row(&mut b, x));
    let sq = b.intr(Intrinsic::Map2(BinaryOp::Mul), &[r1, r2], row_ty.clone());
    let sum = b.intr(Intrinsic::Reduce(ReduceOp::Sum), &[sq], F64);
    let nrm = b.un(UnaryOp::Sqrt, sum);
    let (dst, src, nv) = (row(&mut b, ret), row(&mut b, x), b.v(norm));
    let q = b.intr(Intrinsic::Map2(BinaryOp::TrueDiv), &[src, nv], row_ty);
    let asg = b.intr(Intrinsic::Assign, &[dst, q], Ty::None);
    let (xv, start, one) = (b.v(x), b.i(0), b.i(1));
    let n = b.dim(xv, 0);
    let lp = b.range(
        i,
        start,
        n,
        one,
        vec![Stmt::Assign(norm, nrm), Stmt::Eval(asg)],
    );
    body.push(lp);
    let rv = b.v(ret);
    body.push(Stmt::Return(Some(rv)));
    b.finish(body)
}

#[test]
fn row_normalisation_with_views() {
    // Rows (3, 4, 0) and (1, 2, 2) have norms 5 and 3.
    let want = [3.0 / 5.0, 4.0 / 5.0, 0.0, 1.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0];
    assert_eq!(want[..2], [0.6, 0.8]);
    let x = array(vec![3.0, 4.0, 0.0, 1.0, 2.0, 2.0], &[2, 3]);
    let r = run1(normalize(false), vec![Value::Array(x.clone())]).unwrap();
    assert_eq!(elems(&r).1, vec![2, 3]);
    assert_eq!(floats(&r), want);
    // The argument is untouched...
    assert_eq!(x.to_scalars()[0], Scalar::F64(3.0));
    // ...unless the kernel writes into it, which the caller then sees.
    let r = run1(normalize(true), vec![Value::Array(x.clone())]).unwrap();
    assert_eq!(floats(&r), want);
    assert!(
        x.to_scalars()
            .iter()
            .zip(want)
            .all(|(s, w)| s.to_f64() == w)
    );
    assert!(std::rc::Rc::ptr_eq(&r.array().unwrap().data, &x.data));
}

#[test]
fn filter_into_a_list() {
    // out = []
    // for i in range(len(a)):
    //     if a[i] > 0: out.append(a[i])
    // return out, len(out), out[-1], np.array(out)
    let ret_ty = Ty::Tuple(vec![Ty::List(DType::I64), I64, I64, arr(DType::I64, 1)]);
    let mut b = B::new("positives", ret_ty.clone());
    let a = b.param("a", arr(DType::I64, 1));
    let out = b.local("out", Ty::List(DType::I64));
    let i = b.local("i", I64);
    let new = b.intr(Intrinsic::NewList, &[], Ty::List(DType::I64));
    let (av, iv) = (b.v(a), b.v(i));
    let x = b.load(av, &[iv]);
    let z = b.i(0);
    let pos = b.bin(BinaryOp::Gt, x, z);
    let (av, iv, ov) = (b.v(a), b.v(i), b.v(out));
    let x2 = b.load(av, &[iv]);
    let (start, av, one) = (b.i(0), b.v(a), b.i(1));
    let n = b.dim(av, 0);
    let lp = b.range(
        i,
        start,
        n,
        one,
        vec![Stmt::If {
            cond: pos,
            then: vec![Stmt::Append {
                list: ov,
                value: x2,
            }],
            otherwise: vec![],
        }],
    );
    let (o1, o2, o3, o4) = (b.v(out), b.v(out), b.v(out), b.v(out));
    let len = b.e(Expr::ListLen(o2), I64);
    let m1 = b.i(-1);
    let last = b.e(Expr::ListGet(o3, m1), I64);
    let asarr = b.intr(Intrinsic::FromList, &[o4], arr(DType::I64, 1));
    let t = b.e(Expr::Tuple(vec![o1, len, last, asarr]), ret_ty);
    let f = b.finish(vec![Stmt::Assign(out, new), lp, Stmt::Return(Some(t))]);
    let r = run1(f, vec![a_i64(&[3, -1, 4, -1, 5], &[5])]).unwrap();
    let Value::Tuple(items) = r else {
        panic!("not a tuple")
    };
    let list = items[0].list().unwrap().to_vec();
    assert_eq!(list, vec![Scalar::I64(3), Scalar::I64(4), Scalar::I64(5)]);
    assert_eq!(scalar(&items[1]), Scalar::I64(3));
    assert_eq!(scalar(&items[2]), Scalar::I64(5));
    assert_eq!(ints(&items[3]), vec![3, 4, 5]);
}

#[test]
fn list_index_out_of_range() {
    let mut b = B::new("g", I64);
    let l = b.param("l", Ty::List(DType::I64));
    let lv = b.v(l);
    let k = b.i(-3);
    b.at(4, 9);
    let g = b.e(Expr::ListGet(lv, k), I64);
    let f = b.finish(vec![Stmt::Return(Some(g))]);
    let list = |n: i64| {
        Value::List(ListValue::new(
            DType::I64,
            (0..n).map(Scalar::I64).collect(),
        ))
    };
    assert_eq!(
        scalar(&run1(f.clone(), vec![list(3)]).unwrap()),
        Scalar::I64(0)
    );
    let e = err(run1(f, vec![list(2)]));
    assert_eq!(
        (e.kind, e.message.as_str(), e.span),
        (
            RaiseKind::IndexError,
            "list index out of range",
            Span::new(4, 9)
        )
    );
}

#[test]
fn helper_calls_and_recursion() {
    // f0: sumsq(a, b) = sq(a) + sq(b); f1: sq(x) = x * x
    let mut b = B::new("sumsq", I64);
    let (x, y) = (b.param("a", I64), b.param("b", I64));
    let (xv, yv) = (b.v(x), b.v(y));
    let c1 = b.call(1, &[xv], I64);
    let c2 = b.call(1, &[yv], I64);
    let s = b.bin(BinaryOp::Add, c1, c2);
    let main = b.finish(vec![Stmt::Return(Some(s))]);
    let mut b = B::new("sq", I64);
    let x = b.param("x", I64);
    let (x1, x2) = (b.v(x), b.v(x));
    let m = b.bin(BinaryOp::Mul, x1, x2);
    let sq = b.finish(vec![Stmt::Return(Some(m))]);
    let p = program(vec![main, sq]);
    assert_eq!(
        scalar(&run(&p, vec![s_i64(3), s_i64(4)]).unwrap()),
        Scalar::I64(25)
    );

    // fact(n) = 1 if n <= 1 else n * fact(n - 1)
    let mut b = B::new("fact", I64);
    let n = b.param("n", I64);
    let (nv, one) = (b.v(n), b.i(1));
    let small = b.bin(BinaryOp::Le, nv, one);
    let (nv, one) = (b.v(n), b.i(1));
    let dec = b.bin(BinaryOp::Sub, nv, one);
    let rec = b.call(0, &[dec], I64);
    let nv = b.v(n);
    let prod = b.bin(BinaryOp::Mul, nv, rec);
    let one = b.i(1);
    let fact = b.finish(vec![
        Stmt::If {
            cond: small,
            then: vec![Stmt::Return(Some(one))],
            otherwise: vec![],
        },
        Stmt::Return(Some(prod)),
    ]);
    let p = program(vec![fact]);
    assert_eq!(
        scalar(&run(&p, vec![s_i64(20)]).unwrap()),
        Scalar::I64(2_432_902_008_176_640_000)
    );
}

/// `down(n) = down(n + 1)`: never returns.
fn bottomless() -> Program {
    let mut b = B::new("down", I64);
    let n = b.param("n", I64);
    let (nv, one) = (b.v(n), b.i(1));
    let inc = b.bin(BinaryOp::Add, nv, one);
    b.at(7, 18);
    let rec = b.call(0, &[inc], I64);
    program(vec![b.finish(vec![Stmt::Return(Some(rec))])])
}

#[test]
fn recursion_depth_is_limited() {
    let e = err(run(&bottomless(), vec![s_i64(0)]));
    assert_eq!(e.kind, RaiseKind::RuntimeError);
    assert_eq!(e.message, "maximum recursion depth exceeded");
    assert_eq!(e.span, Span::new(7, 18));
    // The limit leaves room in a stack of 1 MiB, what wasm gives the main thread.
    let t = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| err(run(&bottomless(), vec![s_i64(0)])).message)
        .unwrap();
    assert_eq!(t.join().unwrap(), "maximum recursion depth exceeded");
    // count(n) = 0 if n == 0 else 1 + count(n - 1) nests n calls below the entry: up to
    // MAX_CALL_DEPTH is fine, on a 1 MiB stack too.
    let mut b = B::new("count", I64);
    let n = b.param("n", I64);
    let (nv, z) = (b.v(n), b.i(0));
    let done = b.bin(BinaryOp::Eq, nv, z);
    let (nv, one) = (b.v(n), b.i(1));
    let dec = b.bin(BinaryOp::Sub, nv, one);
    let rec = b.call(0, &[dec], I64);
    let one = b.i(1);
    let up = b.bin(BinaryOp::Add, one, rec);
    let z = b.i(0);
    let count = program(vec![b.finish(vec![
        Stmt::If {
            cond: done,
            then: vec![Stmt::Return(Some(z))],
            otherwise: vec![],
        },
        Stmt::Return(Some(up)),
    ])]);
    let t = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            let go = |n: usize| run(&count, vec![s_i64(n as i64)]).map(|v| scalar(&v));
            (
                go(MAX_CALL_DEPTH),
                go(MAX_CALL_DEPTH + 1).map_err(|e| e.message),
            )
        })
        .unwrap();
    let (ok, too_deep) = t.join().unwrap();
    assert_eq!(ok, Ok(Scalar::I64(MAX_CALL_DEPTH as i64)));
    assert_eq!(too_deep, Err("maximum recursion depth exceeded".to_owned()));
}

/// `a[k]` (Load with span 10..15) on an int64 vector.
fn load_at(k: i64) -> Function {
    let mut b = B::new("at", I64);
    let a = b.param("a", arr(DType::I64, 1));
    let (av, kv) = (b.v(a), b.i(k));
    b.at(10, 15);
    let x = b.load(av, &[kv]);
    b.finish(vec![Stmt::Return(Some(x))])
}

#[test]
fn negative_indices_wrap_once() {
    let a = || a_i64(&[10, 20, 30], &[3]);
    assert_eq!(
        scalar(&run1(load_at(-1), vec![a()]).unwrap()),
        Scalar::I64(30)
    );
    assert_eq!(
        scalar(&run1(load_at(-3), vec![a()]).unwrap()),
        Scalar::I64(10)
    );
    // a[-2] = 9 writes the middle element.
    let mut b = B::new("put", Ty::None);
    let p = b.param("a", arr(DType::I64, 1));
    let (av, k, nine) = (b.v(p), b.i(-2), b.i(9));
    let st = b.store(av, &[k], nine);
    let arg = array(vec![10i64, 20, 30], &[3]);
    run1(b.finish(vec![st]), vec![Value::Array(arg.clone())]).unwrap();
    assert_eq!(arg.to_scalars(), [10, 9, 30].map(Scalar::I64));
}

#[test]
fn out_of_bounds_is_an_index_error() {
    let a = || a_i64(&[10, 20, 30], &[3]);
    for (k, msg) in [
        (3, "index 3 is out of bounds for axis 0 with size 3"),
        (-4, "index -4 is out of bounds for axis 0 with size 3"),
    ] {
        let e = err(run1(load_at(k), vec![a()]));
        assert_eq!(
            (e.kind, e.message.as_str(), e.span),
            (RaiseKind::IndexError, msg, Span::new(10, 15))
        );
    }
    // A store carries the statement's span; the axis is the one indexed.
    let mut b = B::new("put", Ty::None);
    let p = b.param("m", arr(DType::F64, 2));
    let (mv, r, c, v) = (b.v(p), b.i(1), b.i(7), b.fl(1.0));
    b.at(20, 31);
    let st = b.store(mv, &[r, c], v);
    let f = b.finish(vec![st]);
    let e = err(run1(f, vec![a_f64(&[0.0; 6], &[2, 3])]));
    assert_eq!(
        (e.kind, e.message.as_str(), e.span),
        (
            RaiseKind::IndexError,
            "index 7 is out of bounds for axis 1 with size 3",
            Span::new(20, 31)
        )
    );
}

#[test]
fn zero_division_messages_follow_numba() {
    let div = |op: BinaryOp, x: Scalar, y: Scalar| {
        let mut b = B::new("d", Ty::None);
        let d = x.dtype();
        let (p, q) = (b.param("x", Ty::Scalar(d)), b.param("y", Ty::Scalar(d)));
        let (pv, qv) = (b.v(p), b.v(q));
        b.at(3, 8);
        let r = b.pydiv(op, pv, qv);
        b.f.ret = b.f.ty(r).clone();
        let f = b.finish(vec![Stmt::Return(Some(r))]);
        run1(f, vec![Value::Scalar(x), Value::Scalar(y)])
    };
    let (i, fl) = (Scalar::I64, Scalar::F64);
    for (op, x, y, msg) in [
        (BinaryOp::TrueDiv, i(1), i(0), "division by zero"),
        (BinaryOp::FloorDiv, i(1), i(0), "integer division by zero"),
        (BinaryOp::Mod, i(1), i(0), "integer modulo by zero"),
        (BinaryOp::TrueDiv, fl(1.0), fl(0.0), "division by zero"),
        (BinaryOp::FloorDiv, fl(1.0), fl(-0.0), "division by zero"),
        (BinaryOp::Mod, fl(1.0), fl(0.0), "modulo by zero"),
        (
            BinaryOp::Pow,
            i(0),
            i(-1),
            "0 cannot be raised to a negative power",
        ),
    ] {
        let e = err(div(op, x, y));
        assert_eq!(
            (e.kind, e.message.as_str(), e.span),
            (RaiseKind::ZeroDivisionError, msg, Span::new(3, 8))
        );
    }
    // Otherwise Python's floor semantics; int / int is float64.
    let ok = |op, x, y| scalar(&div(op, x, y).unwrap());
    assert_eq!(ok(BinaryOp::FloorDiv, i(7), i(-2)), i(-4));
    assert_eq!(ok(BinaryOp::Mod, i(7), i(-2)), i(-1));
    assert_eq!(ok(BinaryOp::TrueDiv, i(7), i(2)), fl(3.5));
    assert_eq!(ok(BinaryOp::FloorDiv, fl(-7.5), fl(2.0)), fl(-4.0));
    assert_eq!(ok(BinaryOp::Mod, fl(-7.5), fl(2.0)), fl(0.5));
}

#[test]
fn cond_evaluates_only_the_branch_taken() {
    // True ? 1 : 1 // 0
    let mut b = B::new("c", I64);
    let (t, one, z1, z2) = (b.k(Scalar::Bool(true)), b.i(1), b.i(1), b.i(0));
    let bad = b.pydiv(BinaryOp::FloorDiv, z1, z2);
    let c = b.e(Expr::Cond(t, one, bad), I64);
    assert_eq!(
        scalar(&run1(b.finish(vec![Stmt::Return(Some(c))]), vec![]).unwrap()),
        Scalar::I64(1)
    );
}

#[test]
fn scalar_math_matches_the_expression_engine() {
    // math.exp(x) and x ** 2.0 with a constant exponent, bit for bit.
    let mut b = B::new("m", Ty::Tuple(vec![F64, F64]));
    let x = b.param("x", F64);
    let xv = b.v(x);
    let e = b.un(UnaryOp::Exp, xv);
    let (xv, two) = (b.v(x), b.fl(2.0));
    let p = b.bin(BinaryOp::Pow, xv, two);
    let t = b.e(Expr::Tuple(vec![e, p]), Ty::Tuple(vec![F64, F64]));
    let f = b.finish(vec![Stmt::Return(Some(t))]);
    let x = 0.7391_f64;
    let Value::Tuple(r) = run1(f, vec![s_f64(x)]).unwrap() else {
        panic!("not a tuple")
    };
    assert_eq!(scalar(&r[0]), Scalar::F64(f64::unary_one(UnaryOp::Exp, x)));
    assert_eq!(scalar(&r[1]), Scalar::F64(f64::pow_const_one(x, 2.0)));
    assert_eq!(scalar(&r[1]), Scalar::F64(x * x));
}

#[test]
fn slices_with_negative_steps_write_through() {
    // v = a[::-2]; v[0] = 100; a[4:0:-2] = a[0:2]; return v
    let mut b = B::new("s", arr_any(DType::I64, 1));
    let a = b.param("a", arr(DType::I64, 1));
    let v = b.local("v", arr_any(DType::I64, 1));
    let (av, m2) = (b.v(a), b.i(-2));
    let rev = b.view(
        av,
        vec![Index::Slice {
            start: None,
            stop: None,
            step: Some(m2),
        }],
        arr_any(DType::I64, 1),
    );
    let (vv, z, h) = (b.v(v), b.i(0), b.i(100));
    let st = b.store(vv, &[z], h);
    let (av, four, zero, m2) = (b.v(a), b.i(4), b.i(0), b.i(-2));
    let dst = b.view(
        av,
        vec![Index::Slice {
            start: Some(four),
            stop: Some(zero),
            step: Some(m2),
        }],
        arr_any(DType::I64, 1),
    );
    let (av, two) = (b.v(a), b.i(2));
    let src = b.view(
        av,
        vec![Index::Slice {
            start: None,
            stop: Some(two),
            step: None,
        }],
        arr(DType::I64, 1),
    );
    let asg = b.intr(Intrinsic::Assign, &[dst, src], Ty::None);
    let ret = b.v(v);
    let f = b.finish(vec![
        Stmt::Assign(v, rev),
        st,
        Stmt::Eval(asg),
        Stmt::Return(Some(ret)),
    ]);
    let base = array(vec![0i64, 1, 2, 3, 4, 5], &[6]);
    let r = run1(f, vec![Value::Array(base.clone())]).unwrap();
    // v is a[5], a[3], a[1]; a[5] = 100, then a[4] = a[0] and a[2] = a[1].
    assert_eq!(ints(&r), vec![100, 3, 1]);
    let got: Vec<i128> = base.to_scalars().iter().map(|s| s.to_i128()).collect();
    assert_eq!(got, vec![0, 1, 1, 3, 0, 100]);
}

/// `a[start:stop:step]` of a parameter, each part a constant or absent.
fn slice_of(
    a: Value,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> Result<Value, RunError> {
    let mut b = B::new("sl", arr_any(DType::I64, 1));
    let p = b.param("a", type_of(&a));
    let av = b.v(p);
    let mut part = |x: Option<i64>| x.map(|x| b.i(x));
    let (start, stop, step) = (part(start), part(stop), part(step));
    let v = b.view(
        av,
        vec![Index::Slice { start, stop, step }],
        arr_any(DType::I64, 1),
    );
    run1(b.finish(vec![Stmt::Return(Some(v))]), vec![a])
}

#[test]
fn slices_follow_python_slice_indices() {
    let a = || a_i64(&[0, 1, 2, 3, 4], &[5]);
    let sl = |start, stop, step| ints(&slice_of(a(), start, stop, step).unwrap());
    assert_eq!(sl(Some(-100), Some(100), None), vec![0, 1, 2, 3, 4]);
    assert_eq!(sl(Some(10), None, None), Vec::<i128>::new());
    assert_eq!(sl(None, None, Some(-1)), vec![4, 3, 2, 1, 0]);
    assert_eq!(sl(Some(10), None, Some(-2)), vec![4, 2, 0]);
    assert_eq!(sl(Some(-2), Some(-100), Some(-1)), vec![3, 2, 1, 0]);
    assert_eq!(sl(Some(1), Some(-1), Some(2)), vec![1, 3]);
    assert_eq!(sl(Some(3), Some(1), None), Vec::<i128>::new());
    assert_eq!(sl(None, None, Some(i64::MAX)), vec![0]);
    assert_eq!(sl(None, None, Some(i64::MIN)), vec![4]);
    let e = err(slice_of(a(), None, None, Some(0)));
    assert_eq!(
        (e.kind, e.message.as_str()),
        (RaiseKind::ValueError, "slice step cannot be zero")
    );
}

#[test]
fn views_index_and_slice_several_axes() {
    // m[1:, ::-1] and m[:, 2] of [[0, 1, 2], [3, 4, 5], [6, 7, 8]].
    let m = || a_i64(&[0, 1, 2, 3, 4, 5, 6, 7, 8], &[3, 3]);
    let mut b = B::new("v", arr_any(DType::I64, 2));
    let p = b.param("m", arr(DType::I64, 2));
    let (mv, one, m1) = (b.v(p), b.i(1), b.i(-1));
    let v = b.view(
        mv,
        vec![
            Index::Slice {
                start: Some(one),
                stop: None,
                step: None,
            },
            Index::Slice {
                start: None,
                stop: None,
                step: Some(m1),
            },
        ],
        arr_any(DType::I64, 2),
    );
    let r = run1(b.finish(vec![Stmt::Return(Some(v))]), vec![m()]).unwrap();
    assert_eq!(elems(&r).1, vec![2, 3]);
    assert_eq!(ints(&r), vec![5, 4, 3, 8, 7, 6]);

    let mut b = B::new("col", arr_any(DType::I64, 1));
    let p = b.param("m", arr(DType::I64, 2));
    let (mv, two) = (b.v(p), b.i(2));
    let full = Index::Slice {
        start: None,
        stop: None,
        step: None,
    };
    let v = b.view(mv, vec![full, Index::At(two)], arr_any(DType::I64, 1));
    let r = run1(b.finish(vec![Stmt::Return(Some(v))]), vec![m()]).unwrap();
    assert_eq!(ints(&r), vec![2, 5, 8]);
    assert!(!r.array().unwrap().is_c_contiguous());
}

#[test]
fn reading_an_unassigned_local_is_an_error() {
    let mut b = B::new("u", I64);
    let x = b.local("x", I64);
    b.at(2, 3);
    let xv = b.v(x);
    let e = err(run1(b.finish(vec![Stmt::Return(Some(xv))]), vec![]));
    assert_eq!(
        (e.kind, e.message.as_str(), e.span),
        (
            RaiseKind::RuntimeError,
            "local variable 'x' referenced before assignment",
            Span::new(2, 3)
        )
    );
}

#[test]
fn raise_carries_kind_message_and_span() {
    let b = B::new("r", Ty::None);
    let f = b.finish(vec![Stmt::Raise {
        kind: RaiseKind::AssertionError,
        message: "x must be positive".into(),
        span: Span::new(5, 30),
    }]);
    assert_eq!(
        err(run1(f, vec![])),
        RunError::new(
            RaiseKind::AssertionError,
            "x must be positive",
            Span::new(5, 30)
        )
    );
}

#[test]
fn ill_typed_programs_are_internal_errors_not_panics() {
    // int64 + float64 in one Binary.
    let mut b = B::new("bad", I64);
    let (x, y) = (b.i(1), b.fl(2.0));
    let s = b.e(Expr::Binary(BinaryOp::Add, x, y), I64);
    let e = err(run1(b.finish(vec![Stmt::Return(Some(s))]), vec![]));
    assert!(e.message.starts_with("internal: "), "{}", e.message);
    // An expression whose value is not its declared type.
    let mut b = B::new("bad", F64);
    let x = b.e(Expr::Const(Scalar::I64(1)), F64);
    let e = err(run1(b.finish(vec![Stmt::Return(Some(x))]), vec![]));
    assert!(e.message.starts_with("internal: "), "{}", e.message);
    // Operations on dtypes they do not compute in: sqrt of an int64, int64 / int64 (the
    // front end casts to float64 first), a bitwise and of floats.
    let mut b = B::new("bad", I64);
    let x = b.i(4);
    let r = b.un(UnaryOp::Sqrt, x);
    let e = err(run1(b.finish(vec![Stmt::Return(Some(r))]), vec![]));
    assert_eq!(e.message, "internal: sqrt does not compute in int64");
    let mut b = B::new("bad", I64);
    let (x, y) = (b.i(4), b.i(2));
    let r = b.bin(BinaryOp::TrueDiv, x, y);
    let e = err(run1(b.finish(vec![Stmt::Return(Some(r))]), vec![]));
    assert_eq!(e.message, "internal: div does not compute in int64");
    let e = err(intrinsic(
        Intrinsic::Map2(BinaryOp::And),
        vec![a_f64(&[1.0], &[1]), s_f64(1.0)],
        arr(DType::F64, 1),
    ));
    assert_eq!(e.message, "internal: and does not compute in float64");
    // break outside a loop; a missing return; a load from a scalar; a view with too many
    // subscripts; a call of a function that does not exist.
    let f = B::new("bad", Ty::None).finish(vec![Stmt::Break]);
    assert!(err(run1(f, vec![])).message.starts_with("internal: "));
    let f = B::new("bad", I64).finish(vec![]);
    assert!(err(run1(f, vec![])).message.starts_with("internal: "));
    let mut b = B::new("bad", I64);
    let (x, i) = (b.i(1), b.i(0));
    let l = b.e(Expr::Load(x, vec![i]), I64);
    assert!(
        err(run1(b.finish(vec![Stmt::Return(Some(l))]), vec![]))
            .message
            .starts_with("internal: ")
    );
    let mut b = B::new("bad", arr(DType::I64, 0));
    let a = b.param("a", arr(DType::I64, 1));
    let (av, i, j) = (b.v(a), b.i(0), b.i(0));
    let v = b.view(av, vec![Index::At(i), Index::At(j)], arr(DType::I64, 0));
    let e = err(run1(
        b.finish(vec![Stmt::Return(Some(v))]),
        vec![a_i64(&[1], &[1])],
    ));
    assert!(e.message.starts_with("internal: "), "{}", e.message);
    let mut b = B::new("bad", I64);
    let c = b.call(5, &[], I64);
    assert!(
        err(run1(b.finish(vec![Stmt::Return(Some(c))]), vec![]))
            .message
            .starts_with("internal: ")
    );
    // Arguments of the wrong type, and an array whose strides leave its buffer.
    let e = err(run1(ssum(), vec![s_f64(1.0)]));
    assert_eq!(e.kind, RaiseKind::TypeError);
    let mut bad = array(vec![1i64, 2, 3], &[3]);
    bad.strides = vec![2];
    let e = err(run1(ssum(), vec![Value::Array(bad)]));
    assert_eq!(e.kind, RaiseKind::TypeError);
    let e = err(run(&Program::default(), vec![]));
    assert!(e.message.starts_with("internal: "));
}

#[test]
fn million_iterations_loop() {
    // s = 0; for i in range(1_000_000): s += a[i % 4] * i; return s
    let mut b = B::new("loop", I64);
    let a = b.param("a", arr(DType::I64, 1));
    let s = b.local("s", I64);
    let i = b.local("i", I64);
    let z = b.i(0);
    let (iv, four) = (b.v(i), b.i(4));
    let k = b.pydiv(BinaryOp::Mod, iv, four);
    let av = b.v(a);
    let x = b.load(av, &[k]);
    let iv = b.v(i);
    let p = b.bin(BinaryOp::Mul, x, iv);
    let sv = b.v(s);
    let add = b.bin(BinaryOp::Add, sv, p);
    let (start, stop, one) = (b.i(0), b.i(1_000_000), b.i(1));
    let lp = b.range(i, start, stop, one, vec![Stmt::Assign(s, add)]);
    let ret = b.v(s);
    let f = b.finish(vec![Stmt::Assign(s, z), lp, Stmt::Return(Some(ret))]);
    let r = run1(f, vec![a_i64(&[1, 2, 3, 4], &[4])]).unwrap();
    // Σ (i % 4 + 1) * i over i < 10^6, computed in closed form per residue.
    let want: i64 = (0..4)
        .map(|r: i64| {
            let n = 250_000; // values r, r + 4, ..., r + 4 (n - 1)
            (r + 1) * (n * r + 4 * n * (n - 1) / 2)
        })
        .sum();
    assert_eq!(scalar(&r), Scalar::I64(want));
}

// Intrinsics: one kernel `return op(p0, p1, ...)` per case, each operand a parameter.

fn intrinsic(op: Intrinsic, args: Vec<Value>, ty: Ty) -> Result<Value, RunError> {
    let mut b = B::new("k", ty.clone());
    let mut operands = Vec::new();
    for (i, a) in args.iter().enumerate() {
        let p = b.param(&format!("p{i}"), type_of(a));
        operands.push(b.v(p));
    }
    b.at(40, 50);
    let r = b.intr(op, &operands, ty);
    run1(b.finish(vec![Stmt::Return(Some(r))]), args)
}

fn value_error(r: Result<Value, RunError>) -> String {
    let e = err(r);
    assert_eq!(e.kind, RaiseKind::ValueError, "{}", e.message);
    assert_eq!(e.span, Span::new(40, 50));
    e.message
}

#[test]
fn zeros_and_full() {
    let r = intrinsic(
        Intrinsic::Zeros,
        vec![s_i64(2), s_i64(3)],
        arr(DType::F64, 2),
    )
    .unwrap();
    assert_eq!(
        elems(&r),
        (DType::F64, vec![2, 3], vec![Scalar::F64(0.0); 6])
    );
    // np.zeros((2, 2), dtype=np.int32): extents as a tuple.
    let shape = Value::Tuple(vec![s_i64(2), s_i64(2)]);
    let r = intrinsic(Intrinsic::Zeros, vec![shape], arr(DType::I32, 2)).unwrap();
    assert_eq!(elems(&r), (DType::I32, vec![2, 2], vec![Scalar::I32(0); 4]));
    assert_eq!(
        value_error(intrinsic(
            Intrinsic::Zeros,
            vec![s_i64(-1)],
            arr(DType::F64, 1)
        )),
        "negative dimensions are not allowed"
    );
    // 2**31 * 2**31 float64 elements: 2**65 bytes.
    let huge = s_i64(1 << 31);
    let e = err(intrinsic(
        Intrinsic::Zeros,
        vec![huge.clone(), huge],
        arr(DType::F64, 2),
    ));
    assert_eq!(e.kind, RaiseKind::MemoryError);
    assert_eq!(
        e.message,
        "Unable to allocate an array with shape (2147483648,2147483648) and data type float64"
    );
    // np.full(3, 1.5) and np.full(2, 2.7, dtype=np.int64) (truncated).
    let r = intrinsic(
        Intrinsic::Full,
        vec![s_i64(3), s_f64(1.5)],
        arr(DType::F64, 1),
    )
    .unwrap();
    assert_eq!(floats(&r), vec![1.5; 3]);
    let r = intrinsic(
        Intrinsic::Full,
        vec![s_i64(2), s_f64(2.7)],
        arr(DType::I64, 1),
    )
    .unwrap();
    assert_eq!(elems(&r).2, vec![Scalar::I64(2); 2]);
}

#[test]
fn copy_and_transpose() {
    // t = m.T is a view: t[2, 0] = 9 lands in m[0, 2]; np.copy(m.T), taken before, is
    // C-ordered and apart.
    let mut b = B::new(
        "t",
        Ty::Tuple(vec![arr_any(DType::I64, 2), arr(DType::I64, 2)]),
    );
    let m = b.param("m", arr(DType::I64, 2));
    let t = b.local("t", arr_any(DType::I64, 2));
    let mv = b.v(m);
    let tr = b.intr(Intrinsic::Transpose, &[mv], arr_any(DType::I64, 2));
    let tv = b.v(t);
    let cp = b.intr(Intrinsic::Copy, &[tv], arr(DType::I64, 2));
    let c = b.local("c", arr(DType::I64, 2));
    let (tv, r, k, nine) = (b.v(t), b.i(2), b.i(0), b.i(9));
    let st = b.store(tv, &[r, k], nine);
    let (tv, cv) = (b.v(t), b.v(c));
    let ret = b.e(
        Expr::Tuple(vec![tv, cv]),
        Ty::Tuple(vec![arr_any(DType::I64, 2), arr(DType::I64, 2)]),
    );
    let f = b.finish(vec![
        Stmt::Assign(t, tr),
        Stmt::Assign(c, cp),
        st,
        Stmt::Return(Some(ret)),
    ]);
    let base = array(vec![1i64, 2, 3, 4, 5, 6], &[2, 3]);
    let Value::Tuple(r) = run1(f, vec![Value::Array(base.clone())]).unwrap() else {
        panic!("not a tuple")
    };
    assert_eq!(elems(&r[0]).1, vec![3, 2]);
    assert_eq!(ints(&r[0]), vec![1, 4, 2, 5, 9, 6]);
    assert_eq!(ints(&r[1]), vec![1, 4, 2, 5, 3, 6]);
    assert!(r[1].array().unwrap().is_c_contiguous());
    let got: Vec<i128> = base.to_scalars().iter().map(|s| s.to_i128()).collect();
    assert_eq!(got, vec![1, 2, 9, 4, 5, 6]);
}

#[test]
fn map1_casts_to_the_result_except_predicates() {
    // np.sqrt(int64 [1, 4, 9]) is float64.
    let r = intrinsic(
        Intrinsic::Map1(UnaryOp::Sqrt),
        vec![a_i64(&[1, 4, 9], &[3])],
        arr(DType::F64, 1),
    )
    .unwrap();
    assert_eq!(floats(&r), vec![1.0, 2.0, 3.0]);
    let r = intrinsic(
        Intrinsic::Map1(UnaryOp::IsNan),
        vec![a_f64(&[f64::NAN, 1.0], &[2])],
        arr(DType::Bool, 1),
    )
    .unwrap();
    assert_eq!(elems(&r).2, vec![Scalar::Bool(true), Scalar::Bool(false)]);
    let r = intrinsic(Intrinsic::Map1(UnaryOp::Neg), vec![s_i64(5)], I64).unwrap();
    assert_eq!(scalar(&r), Scalar::I64(-5));
}

#[test]
fn map2_broadcasts() {
    // [[1, 2, 3], [4, 5, 6]] + [10, 20, 30]
    let r = intrinsic(
        Intrinsic::Map2(BinaryOp::Add),
        vec![
            a_i64(&[1, 2, 3, 4, 5, 6], &[2, 3]),
            a_i64(&[10, 20, 30], &[3]),
        ],
        arr(DType::I64, 2),
    )
    .unwrap();
    assert_eq!(elems(&r).1, vec![2, 3]);
    assert_eq!(ints(&r), vec![11, 22, 33, 14, 25, 36]);
    // A column against a row: (2, 1) * (3,) is (2, 3).
    let r = intrinsic(
        Intrinsic::Map2(BinaryOp::Mul),
        vec![a_i64(&[1, 2], &[2, 1]), a_i64(&[1, 10, 100], &[3])],
        arr(DType::I64, 2),
    )
    .unwrap();
    assert_eq!(ints(&r), vec![1, 10, 100, 2, 20, 200]);
    // int64 array < 1.5 compares in float64; int / int is float64.
    let r = intrinsic(
        Intrinsic::Map2(BinaryOp::Lt),
        vec![a_i64(&[1, 2], &[2]), s_f64(1.5)],
        arr(DType::Bool, 1),
    )
    .unwrap();
    assert_eq!(elems(&r).2, vec![Scalar::Bool(true), Scalar::Bool(false)]);
    let r = intrinsic(
        Intrinsic::Map2(BinaryOp::TrueDiv),
        vec![a_i64(&[1, 3], &[2]), a_i64(&[2, 4], &[2])],
        arr(DType::F64, 1),
    )
    .unwrap();
    assert_eq!(floats(&r), vec![0.5, 0.75]);
    // NumPy's integer floor division by zero gives 0.
    let r = intrinsic(
        Intrinsic::Map2(BinaryOp::FloorDiv),
        vec![a_i64(&[7, -7], &[2]), a_i64(&[0, 2], &[2])],
        arr(DType::I64, 1),
    )
    .unwrap();
    assert_eq!(ints(&r), vec![0, -4]);
    assert_eq!(
        value_error(intrinsic(
            Intrinsic::Map2(BinaryOp::Add),
            vec![a_f64(&[0.0; 3], &[3]), a_f64(&[0.0; 4], &[4])],
            arr(DType::F64, 1),
        )),
        "operands could not be broadcast together with shapes (3,) (4,)"
    );
    assert_eq!(
        value_error(intrinsic(
            Intrinsic::Map2(BinaryOp::Pow),
            vec![a_i64(&[2, 2], &[2]), a_i64(&[1, -1], &[2])],
            arr(DType::I64, 1),
        )),
        "Integers to negative integer powers are not allowed."
    );
}

#[test]
fn where_and_astype() {
    // np.where(c, a, 0.5) with c = [True, False, True], a = [1.0, 2.0, 3.0]
    let c = Value::Array(array(vec![true, false, true], &[3]));
    let r = intrinsic(
        Intrinsic::Where,
        vec![c, a_f64(&[1.0, 2.0, 3.0], &[3]), s_f64(0.5)],
        arr(DType::F64, 1),
    )
    .unwrap();
    assert_eq!(floats(&r), vec![1.0, 0.5, 3.0]);
    assert_eq!(
        value_error(intrinsic(
            Intrinsic::Where,
            vec![
                Value::Array(array(vec![true; 2], &[2])),
                a_f64(&[0.0; 3], &[3]),
                s_f64(0.0)
            ],
            arr(DType::F64, 1),
        )),
        "operands could not be broadcast together with shapes (2,) (3,) ()"
    );
    // astype truncates toward zero; to bool is "nonzero".
    let r = intrinsic(
        Intrinsic::Astype,
        vec![a_f64(&[1.7, -1.7, 2.5], &[3])],
        arr(DType::I32, 1),
    )
    .unwrap();
    assert_eq!(
        elems(&r).2,
        vec![Scalar::I32(1), Scalar::I32(-1), Scalar::I32(2)]
    );
    let r = intrinsic(
        Intrinsic::Astype,
        vec![a_f64(&[0.0, -0.5, f64::NAN], &[3])],
        arr(DType::Bool, 1),
    )
    .unwrap();
    assert_eq!(
        elems(&r).2,
        vec![Scalar::Bool(false), Scalar::Bool(true), Scalar::Bool(true)]
    );
}

#[test]
fn reductions_are_sequential() {
    let red = |op, a: Value, ty| intrinsic(Intrinsic::Reduce(op), vec![a], ty);
    // np.sum of int32 is int64.
    let a32 = Value::Array(array(vec![i32::MAX, i32::MAX], &[2]));
    assert_eq!(
        scalar(&red(ReduceOp::Sum, a32, I64).unwrap()),
        Scalar::I64(2 * i64::from(i32::MAX))
    );
    // Numba adds in order: 1e16 + 1.0 rounds back to 1e16 (a tie, to even) every time,
    // where NumPy's pairwise sum would keep the ones (1e16 + 199).
    let mut xs = vec![1e16];
    xs.extend([1.0; 199]);
    let r = red(ReduceOp::Sum, a_f64(&xs, &[200]), F64).unwrap();
    assert_eq!(scalar(&r), Scalar::F64(1e16));
    let r = red(ReduceOp::Prod, a_i64(&[1, 2, 3, 4], &[2, 2]), I64).unwrap();
    assert_eq!(scalar(&r), Scalar::I64(24));
    let r = red(ReduceOp::Prod, a_f64(&[], &[0]), F64).unwrap();
    assert_eq!(scalar(&r), Scalar::F64(1.0));
    let r = red(ReduceOp::Min, a_i64(&[3, 1, 2], &[3]), I64).unwrap();
    assert_eq!(scalar(&r), Scalar::I64(1));
    let r = red(ReduceOp::Max, a_i64(&[3, 1, 2], &[3]), I64).unwrap();
    assert_eq!(scalar(&r), Scalar::I64(3));
    let r = red(ReduceOp::Max, a_f64(&[1.0, f64::NAN, 5.0], &[3]), F64).unwrap();
    assert!(scalar(&r).to_f64().is_nan());
    // The first of equal values is kept (Numba's `<`).
    let r = red(ReduceOp::Min, a_f64(&[0.0, -0.0], &[2]), F64).unwrap();
    assert_eq!(scalar(&r), Scalar::F64(0.0));
    assert_eq!(
        value_error(red(ReduceOp::Min, a_f64(&[], &[0]), F64)),
        "zero-size array to reduction operation minimum which has no identity"
    );
    assert_eq!(
        value_error(red(ReduceOp::Max, a_f64(&[], &[0]), F64)),
        "zero-size array to reduction operation maximum which has no identity"
    );
    let b = |v: &[bool]| Value::Array(array(v.to_vec(), &[v.len()]));
    let truth = |op, v: &[bool]| scalar(&red(op, b(v), BOOL).unwrap());
    assert_eq!(truth(ReduceOp::Any, &[false, true]), Scalar::Bool(true));
    assert_eq!(truth(ReduceOp::All, &[false, true]), Scalar::Bool(false));
    assert_eq!(truth(ReduceOp::Any, &[]), Scalar::Bool(false));
    assert_eq!(truth(ReduceOp::All, &[]), Scalar::Bool(true));
}

#[test]
fn mean() {
    let r = intrinsic(Intrinsic::Mean, vec![a_i64(&[1, 2, 3, 4], &[4])], F64).unwrap();
    assert_eq!(scalar(&r), Scalar::F64(2.5));
    // Integers accumulate in float64: no int64 overflow.
    let r = intrinsic(
        Intrinsic::Mean,
        vec![a_i64(&[i64::MAX, i64::MAX], &[2])],
        F64,
    )
    .unwrap();
    assert_eq!(scalar(&r), Scalar::F64(i64::MAX as f64));
    let r = intrinsic(Intrinsic::Mean, vec![a_f64(&[], &[0])], F64).unwrap();
    assert!(scalar(&r).to_f64().is_nan());
}

#[test]
fn reduce_along_an_axis() {
    let m = || a_i64(&[1, 2, 3, 4, 5, 6], &[2, 3]);
    let along = |axis: i64| {
        intrinsic(
            Intrinsic::ReduceAxis(ReduceOp::Sum),
            vec![m(), s_i64(axis)],
            arr(DType::I64, 1),
        )
    };
    assert_eq!(ints(&along(0).unwrap()), vec![5, 7, 9]);
    assert_eq!(ints(&along(1).unwrap()), vec![6, 15]);
    assert_eq!(ints(&along(-1).unwrap()), vec![6, 15]);
    assert_eq!(
        value_error(along(2)),
        "axis 2 is out of bounds for array of dimension 2"
    );
    let r = intrinsic(
        Intrinsic::ReduceAxis(ReduceOp::Max),
        vec![a_f64(&[1.0, 7.0, 3.0], &[3]), s_i64(0)],
        F64,
    )
    .unwrap();
    assert_eq!(scalar(&r), Scalar::F64(7.0));
}

#[test]
fn argmin_and_argmax() {
    let arg = |op, a| scalar(&intrinsic(op, vec![a], I64).unwrap());
    let a = || a_i64(&[3, 1, 1, 5, 5], &[5]);
    assert_eq!(arg(Intrinsic::ArgMin, a()), Scalar::I64(1));
    assert_eq!(arg(Intrinsic::ArgMax, a()), Scalar::I64(3));
    let nan = || a_f64(&[1.0, f64::NAN, 0.0, f64::NAN], &[2, 2]);
    assert_eq!(arg(Intrinsic::ArgMin, nan()), Scalar::I64(1));
    assert_eq!(arg(Intrinsic::ArgMax, nan()), Scalar::I64(1));
    assert_eq!(
        value_error(intrinsic(Intrinsic::ArgMax, vec![a_f64(&[], &[0])], I64)),
        "attempt to get argmax of an empty sequence"
    );
}

#[test]
fn cumulative_sum_and_product() {
    // np.cumsum of bools is int64.
    let b = Value::Array(array(vec![true, false, true], &[3]));
    let r = intrinsic(Intrinsic::CumSum, vec![b], arr(DType::I64, 1)).unwrap();
    assert_eq!(ints(&r), vec![1, 1, 2]);
    let r = intrinsic(
        Intrinsic::CumProd,
        vec![a_f64(&[1.0, 2.0, 3.0, 4.0], &[2, 2])],
        arr(DType::F64, 1),
    )
    .unwrap();
    assert_eq!(floats(&r), vec![1.0, 2.0, 6.0, 24.0]);
}

#[test]
fn dot_products() {
    let dot = |a, b, ty| intrinsic(Intrinsic::Dot, vec![a, b], ty);
    let r = dot(
        a_f64(&[1.0, 2.0, 3.0], &[3]),
        a_f64(&[4.0, 5.0, 6.0], &[3]),
        F64,
    )
    .unwrap();
    assert_eq!(scalar(&r), Scalar::F64(32.0));
    let m23 = || a_f64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let r = dot(m23(), a_f64(&[1.0, 0.0, 1.0], &[3]), arr(DType::F64, 1)).unwrap();
    assert_eq!(floats(&r), vec![4.0, 10.0]);
    let r = dot(a_f64(&[1.0, 1.0], &[2]), m23(), arr(DType::F64, 1)).unwrap();
    assert_eq!(floats(&r), vec![5.0, 7.0, 9.0]);
    let r = dot(
        a_i64(&[1, 2, 3, 4], &[2, 2]),
        a_i64(&[5, 6, 7, 8], &[2, 2]),
        arr(DType::I64, 2),
    )
    .unwrap();
    assert_eq!(elems(&r).1, vec![2, 2]);
    assert_eq!(ints(&r), vec![19, 22, 43, 50]);
    assert_eq!(
        value_error(dot(m23(), a_f64(&[0.0; 4], &[4]), arr(DType::F64, 1))),
        "shapes (2,3) and (4,) not aligned: 3 (dim 1) != 4 (dim 0)"
    );
    assert_eq!(
        value_error(dot(a_f64(&[0.0; 2], &[2]), a_f64(&[0.0; 3], &[3]), F64)),
        "shapes (2,) and (3,) not aligned: 2 (dim 0) != 3 (dim 0)"
    );
}

#[test]
fn arange_and_linspace() {
    let range = |a: Value, b: Value, c: Value, d: DType| {
        intrinsic(Intrinsic::Arange, vec![a, b, c], arr(d, 1))
    };
    let r = range(s_i64(0), s_i64(10), s_i64(3), DType::I64).unwrap();
    assert_eq!(ints(&r), vec![0, 3, 6, 9]);
    let r = range(s_i64(5), s_i64(0), s_i64(-2), DType::I64).unwrap();
    assert_eq!(ints(&r), vec![5, 3, 1]);
    let r = range(s_i64(5), s_i64(0), s_i64(2), DType::I64).unwrap();
    assert_eq!(ints(&r), Vec::<i128>::new());
    let r = range(s_f64(1.0), s_f64(2.0), s_f64(0.25), DType::F64).unwrap();
    assert_eq!(floats(&r), vec![1.0, 1.25, 1.5, 1.75]);
    // ceil(0.3 / 0.1) = ceil(2.9999999999999996) = 3 elements, i * 0.1 each.
    let r = range(s_f64(0.0), s_f64(0.3), s_f64(0.1), DType::F64).unwrap();
    assert_eq!(floats(&r), vec![0.0, 0.1, 0.2]);
    assert_eq!(
        value_error(range(s_i64(0), s_i64(5), s_i64(0), DType::I64)),
        "Maximum allowed size exceeded"
    );

    let lin = |a: f64, b: f64, n: i64| {
        intrinsic(
            Intrinsic::Linspace,
            vec![s_f64(a), s_f64(b), s_i64(n)],
            arr(DType::F64, 1),
        )
    };
    assert_eq!(
        floats(&lin(0.0, 1.0, 5).unwrap()),
        vec![0.0, 0.25, 0.5, 0.75, 1.0]
    );
    // np.linspace(1, 0, 4): step -1/3, the last element exactly 0.
    assert_eq!(
        floats(&lin(1.0, 0.0, 4).unwrap()),
        vec![1.0, 0.666_666_666_666_666_7, 0.333_333_333_333_333_37, 0.0]
    );
    // np.linspace(0, 1, 10)[7] is 7 * (1/9) = 0.7777777777777777 (one below 7/9).
    assert_eq!(
        floats(&lin(0.0, 1.0, 10).unwrap())[7],
        0.777_777_777_777_777_7
    );
    assert_eq!(floats(&lin(2.0, 3.0, 1).unwrap()), vec![2.0]);
    assert_eq!(floats(&lin(2.0, 3.0, 0).unwrap()), Vec::<f64>::new());
    assert_eq!(
        value_error(lin(0.0, 1.0, -1)),
        "negative dimensions are not allowed"
    );
}

#[test]
fn reshape_and_size() {
    let a = || a_i64(&[0, 1, 2, 3, 4, 5], &[6]);
    let reshape = |a: Value, ext: &[i64], nd: u8| {
        let mut args = vec![a];
        args.extend(ext.iter().map(|&n| s_i64(n)));
        intrinsic(Intrinsic::Reshape, args, arr(DType::I64, nd))
    };
    let r = reshape(a(), &[2, 3], 2).unwrap();
    assert_eq!(elems(&r).1, vec![2, 3]);
    assert_eq!(ints(&r), vec![0, 1, 2, 3, 4, 5]);
    let r = reshape(a(), &[-1, 2], 2).unwrap();
    assert_eq!(elems(&r).1, vec![3, 2]);
    assert_eq!(
        value_error(reshape(a(), &[4], 1)),
        "cannot reshape array of size 6 into shape (4,)"
    );
    assert_eq!(
        value_error(reshape(a(), &[4, -1], 2)),
        "cannot reshape array of size 6 into shape (4,newaxis)"
    );
    assert_eq!(
        value_error(reshape(a(), &[-1, -1], 2)),
        "can only specify one unknown dimension"
    );
    // An empty array takes any extents of size 0, but cannot infer one.
    let empty = || a_i64(&[], &[0]);
    assert_eq!(elems(&reshape(empty(), &[3, 0], 2).unwrap()).1, vec![3, 0]);
    assert_eq!(
        value_error(reshape(empty(), &[0, -1], 2)),
        "cannot reshape array of size 0 into shape (0,newaxis)"
    );
    // A reshaped array shares its buffer.
    let base = array(vec![0i64, 1, 2, 3, 4, 5], &[6]);
    let r = reshape(Value::Array(base.clone()), &[3, 2], 2).unwrap();
    assert!(std::rc::Rc::ptr_eq(&r.array().unwrap().data, &base.data));
    // A strided view cannot be reshaped.
    let strided = slice_of(a(), None, None, Some(2)).unwrap();
    assert_eq!(
        value_error(reshape(strided, &[3], 1)),
        "reshape() supports contiguous array only"
    );
    let r = intrinsic(Intrinsic::Size, vec![a_f64(&[0.0; 6], &[2, 3])], I64).unwrap();
    assert_eq!(scalar(&r), Scalar::I64(6));
}

#[test]
fn arrays_from_lists_and_rows() {
    let list = |v: &[i64]| {
        Value::List(ListValue::new(
            DType::I64,
            v.iter().map(|&x| Scalar::I64(x)).collect(),
        ))
    };
    let r = intrinsic(
        Intrinsic::FromList,
        vec![list(&[1, 2, 3])],
        arr(DType::I64, 1),
    )
    .unwrap();
    assert_eq!(
        elems(&r),
        (
            DType::I64,
            vec![3],
            vec![Scalar::I64(1), Scalar::I64(2), Scalar::I64(3)]
        )
    );
    let t = Value::Tuple(vec![s_f64(1.5), s_f64(2.5)]);
    let r = intrinsic(Intrinsic::FromList, vec![t], arr(DType::F64, 1)).unwrap();
    assert_eq!(floats(&r), vec![1.5, 2.5]);
    // np.array([[1, 2], [3, 4]]), and rows that are arrays, cast to the result's dtype.
    let r = intrinsic(
        Intrinsic::Stack,
        vec![list(&[1, 2]), list(&[3, 4])],
        arr(DType::I64, 2),
    )
    .unwrap();
    assert_eq!(elems(&r).1, vec![2, 2]);
    assert_eq!(ints(&r), vec![1, 2, 3, 4]);
    let r = intrinsic(
        Intrinsic::Stack,
        vec![a_i64(&[1, 2], &[2]), a_f64(&[0.5, 1.5], &[2])],
        arr(DType::F64, 2),
    )
    .unwrap();
    assert_eq!(floats(&r), vec![1.0, 2.0, 0.5, 1.5]);
    assert_eq!(
        value_error(intrinsic(
            Intrinsic::Stack,
            vec![list(&[1, 2]), list(&[3])],
            arr(DType::I64, 2),
        )),
        "setting an array element with a sequence. The requested array has an inhomogeneous \
         shape after 1 dimensions. The detected shape was (2,) + inhomogeneous part."
    );
}

#[test]
fn assign_broadcasts_into_a_view() {
    let assign = |dst: &ArrayValue, src: Value| {
        intrinsic(
            Intrinsic::Assign,
            vec![Value::Array(dst.clone()), src],
            Ty::None,
        )
    };
    // m[...] = [1, 2, 3] over a (2, 3) array, then m[...] = 7.9 (truncated to int64).
    let m = array(vec![0i64; 6], &[2, 3]);
    assign(&m, a_i64(&[1, 2, 3], &[3])).unwrap();
    let got: Vec<i128> = m.to_scalars().iter().map(|s| s.to_i128()).collect();
    assert_eq!(got, vec![1, 2, 3, 1, 2, 3]);
    assign(&m, s_f64(7.9)).unwrap();
    assert!(m.to_scalars().iter().all(|&s| s == Scalar::I64(7)));
    // A source with a leading extent of 1 fits; a wrong extent does not.
    let v = array(vec![0.0f64; 3], &[3]);
    assign(&v, a_f64(&[1.0, 2.0, 3.0], &[1, 3])).unwrap();
    assert_eq!(v.to_scalars()[2], Scalar::F64(3.0));
    let w = array(vec![0.0f64; 4], &[4]);
    assert_eq!(
        value_error(assign(&w, a_f64(&[0.0; 3], &[3]))),
        "could not broadcast input array from shape (3,) into shape (4,)"
    );
}

#[test]
fn assign_from_an_overlapping_source() {
    // a[1:] = a[:-1] shifts right as if the source were copied first.
    let mut b = B::new("shift", Ty::None);
    let a = b.param("a", arr(DType::I64, 1));
    let (av, one) = (b.v(a), b.i(1));
    let dst = b.view(
        av,
        vec![Index::Slice {
            start: Some(one),
            stop: None,
            step: None,
        }],
        arr(DType::I64, 1),
    );
    let (av, m1) = (b.v(a), b.i(-1));
    let src = b.view(
        av,
        vec![Index::Slice {
            start: None,
            stop: Some(m1),
            step: None,
        }],
        arr(DType::I64, 1),
    );
    let asg = b.intr(Intrinsic::Assign, &[dst, src], Ty::None);
    let f = b.finish(vec![Stmt::Eval(asg)]);
    let base = array(vec![1i64, 2, 3, 4], &[4]);
    run1(f, vec![Value::Array(base.clone())]).unwrap();
    let got: Vec<i128> = base.to_scalars().iter().map(|s| s.to_i128()).collect();
    assert_eq!(got, vec![1, 1, 2, 3]);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    // x + (x + (x + ...)), n deep, on a 1 MiB stack (what wasm gives): a few hundred
    // levels evaluate; thousands raise instead of overflowing the stack.
    let deep = |n: usize| {
        std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                let mut b = B::new("deep", I64);
                let x = b.param("x", I64);
                let mut e = b.v(x);
                for _ in 0..n {
                    let xv = b.v(x);
                    e = b.bin(BinaryOp::Add, xv, e);
                }
                run1(b.finish(vec![Stmt::Return(Some(e))]), vec![s_i64(1)]).map(|v| scalar(&v))
            })
            .unwrap()
            .join()
            .unwrap()
    };
    assert_eq!(deep(300), Ok(Scalar::I64(301)));
    let e = deep(20_000).unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (RaiseKind::RuntimeError, "maximum recursion depth exceeded")
    );
}

#[test]
fn dangling_handles_are_internal_errors() {
    let mut b = B::new("bad", I64);
    let neg = b.e(Expr::Unary(UnaryOp::Neg, ExprId::from_index(99)), I64);
    let e = err(run1(b.finish(vec![Stmt::Return(Some(neg))]), vec![]));
    assert!(
        e.message.starts_with("internal: in bad: expression 0"),
        "{}",
        e.message
    );
    let b = B::new("bad", I64);
    let f = b.finish(vec![Stmt::Return(Some(ExprId::from_index(0)))]);
    let e = err(run1(f, vec![]));
    assert!(e.message.starts_with("internal: "), "{}", e.message);
}
