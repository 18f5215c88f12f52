//! Reductions of views (`a[i:i + w].mean()`, `np.sum(x[i, :])`, `x[:, j].max()`) and
//! loads through views (`x[i, :][j]`), which the wasm tier computes over the view's
//! fields in wasm locals, with no descriptor allocated: every slice form against the
//! executor, the view's errors at the view's site, NaNs, and a run whose allocator holds
//! only the result array (a view descriptor per iteration would raise MemoryError).

use numwasm::front::numba::Module;
use numwasm::kir::exec::{self, ArrayValue, Value};
use numwasm::kir::{Program, RaiseKind, Ty};
use numwasm::types::{Buffer, Scalar};

use crate::harness::{self, Outcome, Ret};

const KERNELS: &str = r#"
import numpy as np
from numba import njit

@njit
def moving_mean(a, w):
    out = np.zeros(a.size - w + 1)
    for i in range(out.size):
        out[i] = a[i:i + w].mean()
    return out

@njit
def moving_sum(a, w):
    out = np.zeros(a.size - w + 1)
    for i in range(out.size):
        out[i] = a[i:i + w].sum()
    return out

@njit
def moving_min(a, w):
    out = np.zeros(a.size - w + 1)
    for i in range(out.size):
        out[i] = a[i:i + w].min()
    return out

@njit
def moving_max(a, w):
    out = np.zeros(a.size - w + 1)
    for i in range(out.size):
        out[i] = np.max(a[i:i + w])
    return out

@njit
def trailing(a, w):
    out = np.zeros(a.size)
    for i in range(a.size):
        out[i] = np.mean(a[i - w:i]) + a[-i - 1:-i - 1 - w:-1].sum()
    return out

@njit
def slice_sum(a, i, j, k):
    return a[i:j:k].sum()

@njit
def slice_mean(a, i, j, k):
    return np.mean(a[i:j:k])

@njit
def slice_min(a, i, j, k):
    return a[i:j:k].min()

@njit
def slice_max(a, i, j, k):
    return a[i:j:k].max()

@njit
def slice_prod(a, i, j, k):
    return np.prod(a[i:j:k])

@njit
def slice_any_all(a, i, j, k):
    return a[i:j:k].any(), a[i:j:k].all()

@njit
def slice_argmin(a, i, j, k):
    return a[i:j:k].argmin()

@njit
def slice_argmax(a, i, j, k):
    return a[i:j:k].argmax()

@njit
def row_sums(x):
    out = np.zeros(x.shape[0])
    for i in range(x.shape[0]):
        out[i] = np.sum(x[i, :])
    return out

@njit
def col_maxes(x):
    out = np.zeros(x.shape[1])
    for j in range(x.shape[1]):
        out[j] = x[:, j].max()
    return out

@njit
def row_sum(x, i):
    return x[i, :].sum()

@njit
def col_mean(x, j):
    return x[:, j].mean()

@njit
def block_sum(x, i, j):
    return x[i:, ::j].sum() + x[-1, i:].sum()

@njit
def row_item(x, i, j):
    return x[i, :][j]

@njit
def row_items(x):
    s = 0.0
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            s += x[i, :][j] * x[:, j][i]
    return s
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

fn array(buf: Buffer, shape: &[usize]) -> Value {
    Value::Array(ArrayValue::from_buffer(buf, shape.to_vec()))
}

fn f64s(n: usize) -> Vec<f64> {
    (0..n).map(|i| ((i * 7) % 11) as f64 * 1.5 - 3.0).collect()
}

/// 1-d arrays with the values reductions trip on, beside plain ones.
fn inputs() -> Vec<Value> {
    let nan = f64::NAN;
    vec![
        array(Buffer::F64(vec![]), &[0]),
        array(Buffer::F64(f64s(1)), &[1]),
        array(Buffer::F64(f64s(10)), &[10]),
        array(
            Buffer::F64(vec![1.0, nan, -0.0, 0.0, -nan, 4.0, f64::INFINITY, -2.5]),
            &[8],
        ),
        array(Buffer::F32(vec![1.5, f32::NAN, -2.0, 0.25, 3.0]), &[5]),
        array(Buffer::I32(vec![5, -3, 5, 0, 7, -3, 0]), &[7]),
        array(Buffer::Bool(vec![true, false, true, true]), &[4]),
    ]
}

fn err_of(o: &Outcome) -> &exec::RunError {
    match &o.result {
        Err(e) => e,
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn moving_reductions_over_slices() {
    for a in inputs() {
        let n = match &a {
            Value::Array(v) => v.shape[0],
            _ => unreachable!(),
        };
        for w in [1, 2, 3, 13] {
            if w > n + 1 {
                continue;
            }
            for k in ["moving_mean", "moving_sum", "moving_min", "moving_max"] {
                run(k, &[a.clone(), i64v(w as i64)]);
            }
        }
        for w in [0, 1, 3, 20] {
            run("trailing", &[a.clone(), i64v(w)]);
        }
    }
}

#[test]
fn every_slice_form_reduces_as_the_view_would() {
    let bounds = [
        i64::MIN,
        -12,
        -11,
        -3,
        -1,
        0,
        1,
        2,
        9,
        11,
        1 << 40,
        i64::MAX,
    ];
    let steps = [i64::MIN, -3, -1, 0, 1, 2, 7, i64::MAX];
    let kernels = [
        "slice_sum",
        "slice_mean",
        "slice_min",
        "slice_max",
        "slice_prod",
        "slice_any_all",
        "slice_argmin",
        "slice_argmax",
    ];
    for a in inputs() {
        for &i in &bounds {
            for &j in &bounds {
                for &k in &steps {
                    for name in kernels {
                        run(name, &[a.clone(), i64v(i), i64v(j), i64v(k)]);
                    }
                }
            }
        }
    }
    let a = array(Buffer::F64(f64s(4)), &[4]);
    for name in kernels {
        let o = run(name, &[a.clone(), i64v(0), i64v(4), i64v(0)]);
        assert_eq!(err_of(&o).message, "slice step cannot be zero");
    }
    let o = run("slice_min", &[a.clone(), i64v(3), i64v(1), i64v(1)]);
    assert_eq!(
        err_of(&o).message,
        "zero-size array to reduction operation minimum which has no identity"
    );
    let nan = array(Buffer::F64(vec![1.0, f64::NAN, 0.0, f64::NAN]), &[4]);
    let o = run("slice_max", &[nan.clone(), i64v(0), i64v(4), i64v(1)]);
    assert!(matches!(o.result, Ok(Ret::Scalar(Scalar::F64(x))) if x.is_nan()));
    let o = run("slice_argmin", &[nan, i64v(-1), i64v(0), i64v(-1)]);
    assert_eq!(o.result, Ok(Ret::Scalar(Scalar::I64(0))));
}

#[test]
fn rows_and_columns_reduce_in_place() {
    let shapes: [&[usize]; 5] = [&[3, 4], &[1, 5], &[4, 1], &[0, 3], &[3, 0]];
    for shape in shapes {
        let n = shape.iter().product();
        let mut v = f64s(n);
        if n > 2 {
            v[2] = f64::NAN;
        }
        let x = array(Buffer::F64(v), shape);
        run("row_sums", &[x.clone()]);
        if shape[0] > 0 {
            run("col_maxes", &[x.clone()]);
        }
        run("row_items", &[x.clone()]);
        for i in [i64::MIN, -4, -3, -1, 0, 2, 3, 4, i64::MAX] {
            run("row_sum", &[x.clone(), i64v(i)]);
            run("col_mean", &[x.clone(), i64v(i)]);
            for j in [-2, -1, 1, 2, 3] {
                run("block_sum", &[x.clone(), i64v(i), i64v(j)]);
                run("row_item", &[x.clone(), i64v(i), i64v(j)]);
            }
        }
    }
    let x = array(Buffer::F64(f64s(12)), &[3, 4]);
    let o = run("row_sum", &[x.clone(), i64v(3)]);
    let e = err_of(&o);
    assert_eq!(e.kind, RaiseKind::IndexError);
    assert_eq!(e.message, "index 3 is out of bounds for axis 0 with size 3");
    let o = run("col_mean", &[x.clone(), i64v(-5)]);
    assert_eq!(
        err_of(&o).message,
        "index -5 is out of bounds for axis 1 with size 4"
    );
    // The view's index is checked before the load's.
    let o = run("row_item", &[x.clone(), i64v(7), i64v(9)]);
    assert_eq!(
        err_of(&o).message,
        "index 7 is out of bounds for axis 0 with size 3"
    );
    let o = run("row_item", &[x, i64v(1), i64v(9)]);
    assert_eq!(
        err_of(&o).message,
        "index 9 is out of bounds for axis 0 with size 4"
    );
}

/// The loops allocate only their result: with the allocator holding exactly the result
/// array's bytes, a descriptor per iteration would be a MemoryError.
#[test]
fn reductions_and_loads_of_views_allocate_nothing() {
    let n = 1000;
    let a = array(Buffer::F64(f64s(n)), &[n]);
    let w = 10;
    let result_bytes = 16 + 8 * (n - w + 1);
    for k in ["moving_mean", "moving_sum", "moving_min", "moving_max"] {
        let p = kernel(k, &[a.clone(), i64v(w as i64)]);
        let m = harness::compile(&p).expect("compiles");
        let want = harness::reference(&p, &[a.clone(), i64v(w as i64)]);
        let got = harness::with_alloc_limit(result_bytes, || {
            harness::compiled(&m, &[a.clone(), i64v(w as i64)])
        });
        assert_eq!(got, want, "{k}");
    }
    let x = array(Buffer::F64(f64s(600)), &[20, 30]);
    for k in ["row_items"] {
        let p = kernel(k, &[x.clone()]);
        let m = harness::compile(&p).expect("compiles");
        let want = harness::reference(&p, &[x.clone()]);
        let got = harness::with_alloc_limit(0, || harness::compiled(&m, &[x.clone()]));
        assert_eq!(got, want, "{k}");
    }
}
