//! Lists in the wasm tier, through the real front end, held to the executor: empty
//! lists, growth past several doublings, every dtype's packing, negative and
//! out-of-bounds indices (Python's IndexError), lists as locals, helper parameters and
//! results, lists in tuples, aliasing (an append through one name seen through another),
//! and the MemoryError when the allocator refuses.

use numwasm::front::numba::Module;
use numwasm::kir::RaiseKind;
use numwasm::kir::exec::{self, ArrayValue, Value};
use numwasm::kir::{Program, Ty};
use numwasm::types::{Buffer, Scalar};

use crate::harness::{self, Outcome, Ret};

const KERNELS: &str = r#"
import numpy as np
from numba import njit

@njit
def filter_lt50(arr):
    result = []
    for x in arr:
        if x < 50:
            result.append(x)
    return result

@njit
def stepped(a, b, k):
    out = []
    for i in range(a, b, k):
        out.append(i)
    return out

@njit
def squares(n):
    return [i * i for i in range(n)]

@njit
def get(n, i):
    xs = [k * 3 for k in range(n)]
    return xs[i]

@njit
def stats(n):
    xs = []
    for i in range(n):
        xs.append(i * 0.5)
    s = 0.0
    for k in range(len(xs)):
        s += xs[k] * xs[-k - 1]
    return s, len(xs)

@njit
def fill(xs, n):
    for i in range(n):
        xs.append(n - i)
    return len(xs)

@njit
def via_helper(n):
    xs = [0]
    m = fill(xs, n)
    return xs, m

@njit
def alias(n):
    xs = []
    ys = xs
    for i in range(n):
        ys.append(i)
    return len(xs), xs

@njit
def row_norms(m):
    out = []
    for row in m:
        s = 0.0
        for x in row:
            s += abs(x)
        out.append(s)
    return out

@njit
def bools(a):
    out = []
    for x in a:
        out.append(x > 0)
    return out, len(out)

@njit
def truthy(a):
    out = []
    for x in a:
        if x:
            out.append(x)
    return out

@njit
def over(a, t):
    out = []
    for x in a:
        if x > t:
            out.append(t)
    return out

@njit
def narrow(a):
    out = []
    for x in a:
        out.append(x)
    return out[-1], out
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

fn array(buf: Buffer) -> Value {
    let n = buf.len();
    Value::Array(ArrayValue::from_buffer(buf, vec![n]))
}

fn list(o: &Outcome) -> &[Scalar] {
    match &o.result {
        Ok(Ret::List(items)) => items,
        other => panic!("expected a list, got {other:?}"),
    }
}

#[test]
fn appends_and_empty_lists() {
    let o = run("filter_lt50", &[array(Buffer::I64(vec![50, 60, 99]))]);
    assert!(list(&o).is_empty());
    let o = run("filter_lt50", &[array(Buffer::I64(vec![1, 70, -3, 49]))]);
    assert_eq!(list(&o), [Scalar::I64(1), Scalar::I64(-3), Scalar::I64(49)]);
    run(
        "filter_lt50",
        &[array(Buffer::F64(
            (0..40).map(|i| f64::from(i) * 2.5).collect(),
        ))],
    );
    run("stepped", &[i64v(3), i64v(40), i64v(7)]);
    run("stepped", &[i64v(10), i64v(-7), i64v(-3)]);
    run("stepped", &[i64v(0), i64v(5), i64v(0)]);
}

#[test]
fn growth_past_several_doublings() {
    for n in [0, 1, 4, 5, 17, 1000] {
        let o = run("squares", &[i64v(n)]);
        assert_eq!(list(&o).len(), n as usize);
    }
}

#[test]
fn indices_wrap_once_and_are_checked() {
    for i in [0, 4, -1, -5] {
        run("get", &[i64v(5), i64v(i)]);
    }
    for (n, i) in [
        (5, 5),
        (5, -6),
        (0, 0),
        (0, -1),
        (3, i64::MAX),
        (3, i64::MIN),
    ] {
        let o = run("get", &[i64v(n), i64v(i)]);
        let e = o.result.as_ref().expect_err("out of range");
        assert_eq!(e.kind, RaiseKind::IndexError);
    }
    for n in [0, 1, 9] {
        run("stats", &[i64v(n)]);
    }
}

#[test]
fn lists_through_calls_and_aliases() {
    for n in [0, 3, 9] {
        let o = run("via_helper", &[i64v(n)]);
        assert!(matches!(&o.result, Ok(Ret::Tuple(t)) if t.len() == 2));
        run("alias", &[i64v(n)]);
    }
}

#[test]
fn every_dtype_packs() {
    run(
        "row_norms",
        &[Value::Array(ArrayValue::from_buffer(
            Buffer::F64((0..15).map(|i| f64::from(i) - 7.5).collect()),
            vec![5, 3],
        ))],
    );
    run("bools", &[array(Buffer::I8(vec![-1, 0, 3, 127, -128]))]);
    run("narrow", &[array(Buffer::U8(vec![0, 255, 7, 9, 200]))]);
    run("narrow", &[array(Buffer::I16(vec![-1, 300, -32768]))]);
    run("narrow", &[array(Buffer::F32(vec![0.5, -0.0, f32::NAN]))]);
    run(
        "narrow",
        &[array(Buffer::U64(vec![u64::MAX, 1, 2, 3, 4, 5]))],
    );
    let o = run("narrow", &[array(Buffer::Bool(vec![]))]);
    assert!(o.result.is_err());
}

/// `if cond: xs.append(v)` of a local or constant runs without a branch on `cond`
/// (the value stored past the length, the length grown by 0 or 1): every dtype's
/// truth, narrow integers other than 0 and 1 included, and growth across doublings.
#[test]
fn conditional_appends_without_a_branch() {
    run(
        "truthy",
        &[array(Buffer::I8(vec![
            0, -1, 2, 0, 127, -128, 0, 5, 6, 7, 8, 9,
        ]))],
    );
    run("truthy", &[array(Buffer::U8(vec![0, 255, 2, 0, 1, 0, 0]))]);
    run("truthy", &[array(Buffer::I32(vec![0, 1 << 30, -7, 0]))]);
    run(
        "truthy",
        &[array(Buffer::U64(vec![0, u64::MAX, 1 << 63, 0]))],
    );
    run(
        "truthy",
        &[array(Buffer::Bool(vec![true, false, true, true, false]))],
    );
    run(
        "truthy",
        &[array(Buffer::F32(vec![0.0, -0.0, f32::NAN, 1e-40, 3.0]))],
    );
    let xs: Vec<f64> = (0..1000).map(|i| f64::from((i * 37) % 100)).collect();
    let o = run("filter_lt50", &[array(Buffer::F64(xs.clone()))]);
    assert_eq!(list(&o).len(), xs.iter().filter(|&&x| x < 50.0).count());
    run(
        "over",
        &[array(Buffer::F64(xs)), Value::Scalar(Scalar::F64(49.5))],
    );
}

/// A full list grows only when the condition holds: a false condition at capacity
/// allocates nothing (so no MemoryError where the branch would have had none).
#[test]
fn a_false_condition_at_capacity_allocates_nothing() {
    let p = kernel("filter_lt50", &[array(Buffer::I64(vec![]))]);
    let m = harness::compile(&p).expect("compiles");
    // 12 bytes of header and 32 of a first block of four int64: room for no second.
    let four = array(Buffer::I64(vec![1, 2, 99, 3, 4, 99, 99, 99]));
    let o = harness::with_alloc_limit(50, || harness::compiled(&m, &[four]));
    assert_eq!(list(&o), [1, 2, 3, 4].map(Scalar::I64));
    let five = array(Buffer::I64(vec![1, 2, 99, 3, 4, 99, 5]));
    let o = harness::with_alloc_limit(50, || harness::compiled(&m, &[five]));
    assert_eq!(o.result.expect_err("no room").kind, RaiseKind::MemoryError);
}

#[test]
fn a_refused_allocation_is_a_memory_error() {
    // The executor's list grows without limit here; the compiled list takes the
    // allocator's refusal as the executor's MemoryError for a list that cannot grow.
    let p = kernel("squares", &[i64v(0)]);
    let m = harness::compile(&p).expect("compiles");
    let o = harness::with_alloc_limit(1000, || harness::compiled(&m, &[i64v(500)]));
    let e = o.result.expect_err("the allocator refuses");
    assert_eq!(e.kind, RaiseKind::MemoryError);
    assert_eq!(e.message, "cannot grow the list");
    // Under the limit it runs.
    let o = harness::with_alloc_limit(1000, || harness::compiled(&m, &[i64v(10)]));
    assert_eq!(list(&o).len(), 10);
}
