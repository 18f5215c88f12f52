//! Tuples in the wasm tier, through the real front end and by hand, held to the
//! executor: tuple returns from the entry (multi-value), unpacking, nested tuples, tuples
//! of arrays and lists, tuple-returning helpers, tuples through `Cond`, `enumerate`, and
//! `None` items, which take no wasm value.

use numwasm::front::numba::Module;
use numwasm::kir::exec::{self, ArrayValue, Value};
use numwasm::kir::{Expr, Function, Program, Stmt, Ty};
use numwasm::syntax::Span;
use numwasm::types::{Buffer, DType, Scalar};

use crate::harness::{self, Outcome, Ret};

const KERNELS: &str = r#"
import numpy as np
from numba import njit

@njit
def minmax(a):
    lo = a[0]
    hi = a[0]
    for x in a:
        if x < lo:
            lo = x
        if x > hi:
            hi = x
    return lo, hi

@njit
def divmod_pair(a, b):
    q = a // b
    r = a % b
    return q, r

@njit
def swap(x, y):
    (x, y) = (y, x)
    x, y = y + 1, x - 1
    return x, y

@njit
def weighted(a):
    s = 0.0
    for i, x in enumerate(a):
        s += i * x
    return s

@njit
def helper_pair(x):
    return x * 2, x - 1

@njit
def use_helper(n):
    s = 0
    for i in range(n):
        a, b = helper_pair(i)
        s += a * b
    return s

@njit
def nested(x, y):
    t = ((x, y), (y, x + y))
    u = t[1]
    return t[0][1] + u[0] + t[1][1], t

@njit
def pick(c, x, y):
    t = (x, y) if c > 0 else (y, x)
    return t

@njit
def with_array(a, k):
    t = (a, k)
    b = t[0]
    b[0] = t[1]
    return t

@njit
def shape_pair(m):
    n, k = m.shape
    return n * k, n, k

@njit
def mixed(n, f):
    return n, f, n + 1, f * 2.0, n > 2
"#;

fn kernel(name: &str, args: &[Value]) -> Program {
    let m = Module::parse(KERNELS).unwrap_or_else(|e| panic!("{e:?}"));
    let tys: Vec<Ty> = args.iter().map(exec::type_of).collect();
    m.compile(name, &tys)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn run(name: &str, args: &[Value]) -> Outcome {
    harness::differential(&kernel(name, args), args)
}

fn i64v(x: i64) -> Value {
    Value::Scalar(Scalar::I64(x))
}

fn f64v(x: f64) -> Value {
    Value::Scalar(Scalar::F64(x))
}

fn array(buf: Buffer) -> Value {
    let n = buf.len();
    Value::Array(ArrayValue::from_buffer(buf, vec![n]))
}

fn tuple(o: &Outcome) -> &[Ret] {
    match &o.result {
        Ok(Ret::Tuple(items)) => items,
        other => panic!("expected a tuple, got {other:?}"),
    }
}

#[test]
fn tuple_returns_from_the_entry() {
    let o = run("minmax", &[array(Buffer::F64(vec![3.0, -1.5, 7.25, 0.0]))]);
    assert_eq!(
        tuple(&o),
        [
            Ret::Scalar(Scalar::F64(-1.5)),
            Ret::Scalar(Scalar::F64(7.25))
        ]
    );
    run("minmax", &[array(Buffer::I16(vec![5]))]);
    // An empty array: the IndexError of a[0], from inside a tuple-returning function.
    let o = run("minmax", &[array(Buffer::I32(vec![]))]);
    assert!(o.result.is_err());
    for (a, b) in [(7, 2), (-7, 2), (7, -2), (i64::MIN, -1), (3, 0)] {
        run("divmod_pair", &[i64v(a), i64v(b)]);
    }
    let o = run("mixed", &[i64v(3), f64v(-0.5)]);
    assert_eq!(tuple(&o).len(), 5);
}

#[test]
fn unpacking_and_swaps() {
    let o = run("swap", &[i64v(4), i64v(-9)]);
    assert_eq!(
        tuple(&o),
        [Ret::Scalar(Scalar::I64(5)), Ret::Scalar(Scalar::I64(-10))]
    );
    run("swap", &[f64v(1.5), f64v(f64::NAN)]);
    run(
        "shape_pair",
        &[Value::Array(ArrayValue::from_buffer(
            Buffer::F32(vec![0.0; 6]),
            vec![2, 3],
        ))],
    );
}

#[test]
fn enumerate_and_helpers() {
    run("weighted", &[array(Buffer::F64(vec![]))]);
    run("weighted", &[array(Buffer::F64(vec![1.0, -2.0, 0.5, 8.0]))]);
    for n in [0, 1, 5, 40] {
        run("use_helper", &[i64v(n)]);
    }
}

#[test]
fn nested_tuples_and_cond() {
    let o = run("nested", &[i64v(2), i64v(-3)]);
    let items = tuple(&o);
    assert_eq!(items[0], Ret::Scalar(Scalar::I64(-3 + -3 + -1)));
    assert!(matches!(&items[1], Ret::Tuple(t) if t.len() == 2));
    for c in [-1, 0, 1] {
        let o = run("pick", &[i64v(c), f64v(1.0), f64v(2.0)]);
        assert_eq!(tuple(&o).len(), 2);
    }
}

#[test]
fn tuples_of_arrays() {
    let o = run("with_array", &[array(Buffer::I64(vec![1, 2, 3])), i64v(-8)]);
    assert_eq!(tuple(&o), [Ret::Array(0), Ret::Scalar(Scalar::I64(-8))]);
    assert_eq!(
        o.arrays[0],
        [Scalar::I64(-8), Scalar::I64(2), Scalar::I64(3)]
    );
}

/// `(x, None, (None, x + 1))`: `None` items take no wasm value, in locals, items,
/// results and the `Cond` between two such tuples.
fn none_items() -> Program {
    let sp = Span { start: 1, end: 4 };
    let i64t = Ty::Scalar(DType::I64);
    let inner = Ty::Tuple(vec![Ty::None, i64t.clone()]);
    let tt = Ty::Tuple(vec![i64t.clone(), Ty::None, inner.clone()]);
    let mut f = Function::new("none_items", tt.clone());
    let x = f.param("x", i64t.clone());
    let t = f.local("t", tt.clone());
    let ex = f.expr(Expr::Local(x), i64t.clone(), sp);
    let none = f.expr(Expr::NoneVal, Ty::None, sp);
    let one = f.expr(Expr::Const(Scalar::I64(1)), i64t.clone(), sp);
    let sum = f.expr(
        Expr::Binary(numwasm::types::BinaryOp::Add, ex, one),
        i64t.clone(),
        sp,
    );
    let inn = f.expr(Expr::Tuple(vec![none, sum]), inner.clone(), sp);
    let tup = f.expr(Expr::Tuple(vec![ex, none, inn]), tt.clone(), sp);
    let swapped = f.expr(Expr::Tuple(vec![sum, none, inn]), tt.clone(), sp);
    let zero = f.expr(Expr::Const(Scalar::I64(0)), i64t.clone(), sp);
    let pos = f.expr(
        Expr::Binary(numwasm::types::BinaryOp::Gt, ex, zero),
        Ty::Scalar(DType::Bool),
        sp,
    );
    let cond = f.expr(Expr::Cond(pos, tup, swapped), tt.clone(), sp);
    let et = f.expr(Expr::Local(t), tt.clone(), sp);
    let get2 = f.expr(Expr::TupleGet(et, 2), inner.clone(), sp);
    let get21 = f.expr(Expr::TupleGet(get2, 1), i64t.clone(), sp);
    let get1 = f.expr(Expr::TupleGet(et, 1), Ty::None, sp);
    let out = f.expr(Expr::Tuple(vec![get21, get1, get2]), tt.clone(), sp);
    f.body = vec![Stmt::Assign(t, cond), Stmt::Return(Some(out))];
    let mut p = Program::default();
    p.add(f);
    p
}

#[test]
fn none_items_take_no_value() {
    let p = none_items();
    for x in [-2, 0, 5] {
        let o = harness::differential(&p, &[i64v(x)]);
        assert_eq!(tuple(&o)[1], Ret::None);
    }
}
