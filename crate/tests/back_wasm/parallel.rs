//! Parallel loops (`kir::parallel`): every `parallel=True` kernel of the Numba cases, and
//! kernels written for the chunking itself, run both ways. The harness's runner calls the
//! chunks in reverse order, so agreement with the executor (which runs them in order) shows
//! that results, partials and errors do not depend on the order chunks run in.

use numwasm::front::numba::Module;
use numwasm::kir::exec::{self, Value};
use numwasm::kir::{Program, Ty};
use numwasm::types::{Buffer, DType, Scalar};
use serde_json::Value as Json;

use super::harness;

fn kernel(source: &str, name: &str, args: &[Value]) -> Program {
    let m = Module::parse(source).unwrap_or_else(|e| panic!("{e:?}"));
    let tys: Vec<Ty> = args.iter().map(exec::type_of).collect();
    m.compile(name, &tys)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn array(buf: Buffer, shape: &[usize]) -> Value {
    Value::Array(exec::ArrayValue::from_buffer(buf, shape.to_vec()))
}

/// A case argument as an executor value: scalars and C-contiguous arrays (`None` for
/// what the harness has no ABI for: views, lists, tuples).
fn value(j: &Json) -> Option<Value> {
    let kind = j.get("kind")?.as_str()?;
    let dtype = |j: &Json| DType::from_name(j.get("dtype")?.as_str()?);
    let num = |v: &Json, d: DType| -> Option<Scalar> {
        Some(match v {
            Json::Bool(b) => Scalar::Bool(*b).cast(d),
            Json::Number(n) if d.is_float() => Scalar::F64(n.as_f64()?).cast(d),
            Json::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Scalar::from_i128(i128::from(i), d),
                (_, Some(u)) => Scalar::from_i128(i128::from(u), d),
                _ => Scalar::F64(n.as_f64()?).cast(d),
            },
            Json::String(s) => Scalar::F64(match s.as_str() {
                "nan" => f64::NAN,
                "-nan" => -f64::NAN,
                "inf" => f64::INFINITY,
                "-inf" => f64::NEG_INFINITY,
                other => other.parse().ok()?,
            })
            .cast(d),
            _ => return None,
        })
    };
    match kind {
        "scalar" => {
            let d = dtype(j)?;
            Some(Value::Scalar(num(j.get("value")?, d)?))
        }
        "int" => Some(Value::Scalar(Scalar::I64(j.get("value")?.as_i64()?))),
        "float" => Some(Value::Scalar(Scalar::F64(j.get("value")?.as_f64()?))),
        "bool" => Some(Value::Scalar(Scalar::Bool(j.get("value")?.as_bool()?))),
        "array" => {
            let d = dtype(j)?;
            let shape: Vec<usize> = j
                .get("shape")?
                .as_array()?
                .iter()
                .map(|n| n.as_u64().map(|n| n as usize))
                .collect::<Option<_>>()?;
            let items: Vec<Scalar> = j
                .get("data")?
                .as_array()?
                .iter()
                .map(|v| num(v, d))
                .collect::<Option<_>>()?;
            Some(array(Buffer::from_scalars(d, items), &shape))
        }
        _ => None,
    }
}

/// Every Numba case with `parallel=True`, a stencil (whose interior loop is a prange) or a
/// gufunc
/// whose arguments the harness can pass and whose kernel compiles runs both ways with the
/// same outcome.
#[test]
fn numba_parallel_cases_agree_with_the_executor() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/kernels/cases.json"),
    )
    .expect("cases.json");
    let cases: Json = serde_json::from_str(&text).expect("JSON");
    let (mut ran, mut stencils) = (0, 0);
    for case in cases["cases"].as_array().expect("cases") {
        let source = case["source"].as_str().unwrap_or_default();
        if !(source.contains("parallel=True")
            || source.contains("@stencil")
            || source.contains("@guvectorize"))
            || case.get("kwargs").is_some()
        {
            continue;
        }
        let Some(args) = case["args"]
            .as_array()
            .and_then(|a| a.iter().map(value).collect::<Option<Vec<_>>>())
        else {
            continue;
        };
        let name = case["func"].as_str().expect("func");
        let m = Module::parse(source).expect("parses");
        let tys: Vec<Ty> = args.iter().map(exec::type_of).collect();
        let Ok(p) = m.compile(name, &tys) else {
            continue;
        };
        if numwasm::back::wasm::compile(&p).is_err() {
            continue;
        }
        harness::differential(&p, &args);
        ran += 1;
        stencils += usize::from(source.contains("@stencil"));
    }
    assert!(ran >= 50, "only {ran} parallel cases ran");
    assert!(stencils >= 20, "only {stencils} stencil cases ran");
}

const KERNELS: &str = r#"
import numpy as np
from numba import njit, prange

@njit(parallel=True)
def psum(a):
    s = 0.0
    t = 0
    m = -np.inf
    for i in prange(a.size):
        s += a[i]
        t += i
        m = max(m, a[i])
    return s, t, m

@njit(parallel=True)
def first_error(a, bad):
    s = 0
    for i in prange(a.size):
        if a[i] == bad:
            raise ValueError("bad element")
        s += i
    return s

@njit(parallel=True)
def bad_index(a, n):
    s = 0.0
    for i in prange(n):
        s += a[i]
    return s

@njit(parallel=True)
def stepped(a, start, stop, step):
    s = 0.0
    for i in prange(start, stop, step):
        s += a[i] * i
    return s

@njit(parallel=True)
def private_arrays(x):
    out = np.empty(x.shape[0])
    for i in prange(x.shape[0]):
        row = np.zeros(x.shape[1])
        for j in range(x.shape[1]):
            row[j] = x[i, j] * 2.0
        out[i] = row.sum()
    return out

@njit(parallel=True)
def returns_early(a):
    for i in prange(a.size):
        if a[i] < 0:
            return i
    return -1
"#;

fn floats(n: usize) -> Buffer {
    Buffer::F64(
        (0..n)
            .map(|i| ((i * 7919) % 1000) as f64 * 1e-3 - 0.5)
            .collect(),
    )
}

/// Sums of many chunks: the float sum is the chunks' partials added in chunk order, the
/// same on both tiers.
#[test]
fn many_chunks_combine_in_order() {
    for n in [0, 1, 63, 64, 65, 1000, 100_003] {
        let args = [array(floats(n), &[n])];
        let o = harness::differential(&kernel(KERNELS, "psum", &args), &args);
        assert!(o.result.is_ok(), "{n}: {:?}", o.result);
    }
}

/// The error reported is the first failing chunk's, whichever chunk fails first in time.
#[test]
fn the_lowest_failing_chunk_reports() {
    let n = 50_000;
    let mut v = vec![0i64; n];
    v[10] = 7;
    v[40_000] = 7;
    let args = [array(Buffer::I64(v), &[n]), Value::Scalar(Scalar::I64(7))];
    let o = harness::differential(&kernel(KERNELS, "first_error", &args), &args);
    assert!(o.result.is_err());
    let args = [
        array(floats(1000), &[1000]),
        Value::Scalar(Scalar::I64(1001)),
    ];
    let o = harness::differential(&kernel(KERNELS, "bad_index", &args), &args);
    let e = o.result.expect_err("an IndexError");
    assert!(e.message.contains("index 1000"), "{}", e.message);
}

#[test]
fn ranges_with_steps_and_bounds() {
    let a = || array(floats(5000), &[5000]);
    for (start, stop, step) in [(0, 5000, 1), (3, 4999, 7), (4999, -1, -3), (10, 10, 1)] {
        let args = [
            a(),
            Value::Scalar(Scalar::I64(start)),
            Value::Scalar(Scalar::I64(stop)),
            Value::Scalar(Scalar::I64(step)),
        ];
        harness::differential(&kernel(KERNELS, "stepped", &args), &args);
    }
    let args = [
        a(),
        Value::Scalar(Scalar::I64(0)),
        Value::Scalar(Scalar::I64(10)),
        Value::Scalar(Scalar::I64(0)),
    ];
    let o = harness::differential(&kernel(KERNELS, "stepped", &args), &args);
    assert!(o.result.is_err(), "a zero step is a ValueError");
}

#[test]
fn private_arrays_are_allocated_per_iteration() {
    let args = [array(floats(300 * 7), &[300, 7])];
    harness::differential(&kernel(KERNELS, "private_arrays", &args), &args);
}

/// A loop that returns stays serial, and the report says why.
#[test]
fn a_loop_that_returns_stays_serial() {
    let args = [array(floats(100), &[100])];
    let p = kernel(KERNELS, "returns_early", &args);
    let report = p.parallel.clone().expect("a report");
    assert_eq!(report.loops.len(), 1);
    let why = report.loops[0].serial.as_deref().unwrap_or_default();
    assert!(why.contains("returns"), "{why}");
    assert!(!p.to_string().contains("parallel for"), "{p}");
    harness::differential(&p, &args);
}

/// Kernels of whole-array operations, which a parallel kernel runs as parallel loops
/// (`kir::parfor`). Each runs as `@njit` and as `@njit(parallel=True)`: the two give the
/// same bits (fused elements are computed as the intrinsics compute them, dots summed in
/// their order), and the parallel one the same on both tiers.
const ARRAY_KERNELS: &str = r#"
import numpy as np
from numba import njit

@DECORATOR
def chain(a, b, k):
    return np.exp(np.arcsin(a)) * k + b ** 2 - np.sqrt(np.abs(b)) / (1.0 + a * a)

@DECORATOR
def mixed(a, n):
    return np.where(np.isnan(a), 0.0, a) + n * 2 + (a > 0.5)

@DECORATOR
def ints(i, j):
    return np.sqrt(i) + i * j - (i // 3) % 5 + (i < j)

@DECORATOR
def matrix(m, v):
    return np.dot(m, v) * 2.0 + 1.0, np.dot(v, m.T), np.dot(m, m.T)

@DECORATOR
def broadcast(a, b):
    return a * b + 1.0

@DECORATOR
def logistic(Y, X, w, iterations):
    for i in range(iterations):
        w -= np.dot(((1.0 / (1.0 + np.exp(-Y * np.dot(X, w))) - 1.0) * Y), X)
    return w

@DECORATOR
def rows(x):
    ret = np.empty_like(x)
    for i in range(x.shape[0]):
        ret[i, :] = x[i, :] / np.sqrt(np.sum(x[i, :] ** 2))
    return ret

@DECORATOR
def totals(a, b):
    return np.sum(a * b + 1.0), np.prod(b), a.sum(), np.sum(a > 0.0)

@DECORATOR
def two_d(a, b):
    return np.sqrt(a * a + b * b) - a / 2.0

@DECORATOR
def extremes(a, b):
    return np.min(a), np.max(a * b), a.max(), b.min(), np.mean(a), np.mean(b > 0.0)

@DECORATOR
def updates(a, b, m):
    a **= 2
    a //= 0.75
    a %= 5.0
    a[:] = np.sqrt(a) + b
    v = a[::-1]
    a += v
    a -= a.mean()
    m *= b
    m[:] = m + 1.0
    w = np.zeros(1)
    w += b[:1]
    return a, m, w

@DECORATOR
def int_extremes(i, m):
    return np.min(i), np.max(i * 2), np.mean(i), np.max(m), np.min(m + 1)
"#;

fn both_ways(name: &str, args: &[Value]) -> harness::Outcome {
    // Sources of the same length, so that errors' spans compare equal.
    let serial = kernel(
        &ARRAY_KERNELS.replace("@DECORATOR", "@njit(parallel=False)"),
        name,
        args,
    );
    let parallel = kernel(
        &ARRAY_KERNELS.replace("@DECORATOR", "@njit(parallel=True) "),
        name,
        args,
    );
    let report = parallel.parallel.clone().expect("a report");
    assert!(
        !report.fused.is_empty(),
        "{name}: nothing fused\n{parallel}"
    );
    let want = harness::reference(&serial, args);
    let got = harness::differential(&parallel, args);
    assert_eq!(
        got, want,
        "{name}: parallel (left) and serial (right) differ"
    );
    got
}

fn f64s(v: &[f64]) -> Value {
    array(Buffer::F64(v.to_vec()), &[v.len()])
}

#[test]
fn fused_array_expressions_give_the_serial_bits() {
    let a = f64s(&[
        0.5,
        -0.25,
        1.0,
        -1.0,
        0.0,
        -0.0,
        0.75,
        2.0,
        f64::NAN,
        1e-310,
    ]);
    let b = f64s(&[
        3.0,
        -2.0,
        0.0,
        -0.0,
        1e300,
        -1e-300,
        7.5,
        f64::INFINITY,
        1.0,
        -4.0,
    ]);
    both_ways(
        "chain",
        &[a.clone(), b.clone(), Value::Scalar(Scalar::F64(1.5))],
    );
    both_ways("mixed", &[a.clone(), Value::Scalar(Scalar::I64(3))]);
    let i = array(Buffer::I64(vec![0, 1, 7, -8, i64::MAX, 9]), &[6]);
    let j = array(Buffer::I32(vec![3, -1, 0, 2, 5, -9]), &[6]);
    both_ways("ints", &[i, j]);
    // Shapes that broadcast run the original operations; shapes that do not fit raise
    // NumPy's error either way.
    both_ways("broadcast", &[f64s(&[1.0, 2.0, 3.0]), f64s(&[10.0])]);
    let o = both_ways("broadcast", &[f64s(&[1.0, 2.0, 3.0]), f64s(&[1.0, 2.0])]);
    assert!(o.result.is_err());
    let m = array(floats(12), &[3, 4]);
    let m2 = array(floats(12), &[4, 3]);
    both_ways("two_d", &[m.clone(), m2.clone()]);
    both_ways("two_d", &[m.clone(), array(floats(12), &[3, 4])]);
}

#[test]
fn parallel_dots_give_the_serial_bits() {
    let m = array(floats(5 * 4), &[5, 4]);
    both_ways("matrix", &[m.clone(), f64s(&[0.5, -1.0, 2.0, 0.25])]);
    let o = both_ways("matrix", &[m, f64s(&[0.5, -1.0, 2.0])]);
    assert!(
        o.result.is_err(),
        "misaligned shapes are np.dot's ValueError"
    );
    let n = 300;
    let y: Vec<f64> = (0..n)
        .map(|i| if i % 3 == 0 { -1.0 } else { 1.0 })
        .collect();
    let args = [
        f64s(&y),
        array(floats(n * 4), &[n, 4]),
        f64s(&[0.1, -0.2, 0.3, 0.05]),
        Value::Scalar(Scalar::I64(3)),
    ];
    both_ways("logistic", &args);
    both_ways("rows", &[array(floats(40 * 6), &[40, 6])]);
    // A matrix times a vector runs four rows at a time, then the rows left over: every
    // remainder, fewer rows than a block, none; 8 columns and more take the vector times
    // matrix one pass (`v @ m.T` here).
    for rows in [0, 1, 3, 4, 5, 6, 7, 8, 9, 13] {
        for cols in [1, 4, 9] {
            let m = array(floats(rows * cols), &[rows, cols]);
            let v: Vec<f64> = (0..cols).map(|j| 0.5 - j as f64 * 0.75).collect();
            both_ways("matrix", &[m, f64s(&v)]);
        }
    }
}

/// Sums and products of arrays and of element-wise trees in a parallel kernel are prange
/// reductions: on grid values (exact in any order) they equal the serial kernel's, a sum
/// of negative zeros included; on ordinary floats both tiers agree.
#[test]
fn parallel_sums_are_reductions() {
    let grid = |n: usize| -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 37) % 64) as f64 * 0.25 - 8.0)
            .collect()
    };
    for n in [0, 1, 5, 1000, 70_001] {
        let a = f64s(&grid(n));
        let b = f64s(&vec![1.0; n]);
        both_ways("totals", &[a, b]);
    }
    both_ways("totals", &[f64s(&[-0.0, -0.0]), f64s(&[-0.0, 2.0])]);
    let src = ARRAY_KERNELS.replace("@DECORATOR", "@njit(parallel=True)");
    let n = 100_003;
    let args = [array(floats(n), &[n]), array(floats(n), &[n])];
    let p = kernel(&src, "totals", &args);
    assert!(p.to_string().contains("parallel for"), "{p}");
    harness::differential(&p, &args);
}

/// `np.min`, `np.max` (and the methods) and `np.mean` of arrays and of element-wise trees
/// in a parallel kernel are prange reductions: the extremes give the serial kernel's bits on
/// any floats (NaN propagating, the first of equal zeros kept, infinities), an empty array
/// is the serial ValueError; means of grid values (exact in any order) equal the serial
/// kernel's, an empty mean is NaN; integers and 2-d arrays too.
#[test]
fn parallel_extremes_and_means_are_reductions() {
    let grid = |n: usize| -> Vec<f64> {
        (0..n)
            .map(|i| ((i * 37) % 64) as f64 * 0.25 - 8.0)
            .collect()
    };
    for n in [1, 5, 1000, 70_001] {
        both_ways("extremes", &[f64s(&grid(n)), f64s(&vec![-1.5; n])]);
    }
    let zeros = f64s(&[0.0, -0.0, 0.0, -0.0]);
    let nzeros = f64s(&[-0.0, 0.0, -0.0, 0.0]);
    both_ways("extremes", &[zeros.clone(), nzeros.clone()]);
    both_ways("extremes", &[nzeros, zeros]);
    let mut with_nan = grid(70_001);
    with_nan[40_000] = f64::NAN;
    with_nan[3] = f64::INFINITY;
    both_ways("extremes", &[f64s(&with_nan), f64s(&grid(70_001))]);
    both_ways(
        "extremes",
        &[f64s(&[f64::NEG_INFINITY; 3]), f64s(&[f64::INFINITY; 3])],
    );
    let empty = both_ways("extremes", &[f64s(&[]), f64s(&[])]);
    assert!(empty.result.is_err(), "np.min of an empty array raises");
    let n = 70_001;
    let i: Vec<i64> = (0..n as i64)
        .map(|k| (k * 7919) % 100_003 - 50_000)
        .collect();
    let m: Vec<i32> = (0..(n / 7 * 7) as i32)
        .map(|k| (k * 31) % 257 - 128)
        .collect();
    both_ways(
        "int_extremes",
        &[
            array(Buffer::I64(i), &[n]),
            array(Buffer::I32(m.clone()), &[7, n / 7]),
        ],
    );
    both_ways(
        "int_extremes",
        &[
            array(Buffer::I64(vec![i64::MIN, i64::MAX]), &[2]),
            array(Buffer::I32(vec![i32::MIN, i32::MAX]), &[1, 2]),
        ],
    );
    // They are reductions of prange loops: chunked, on both tiers.
    let src = ARRAY_KERNELS.replace("@DECORATOR", "@njit(parallel=True)");
    let args = [array(floats(n), &[n]), array(floats(n), &[n])];
    let p = kernel(&src, "extremes", &args);
    let report = p.parallel.clone().expect("a report");
    let names: Vec<String> = report
        .fused
        .iter()
        .map(|(_, _, ops)| ops[0].clone())
        .collect();
    assert_eq!(names, ["min", "max", "max", "min", "mean", "mean"], "{p}");
    harness::differential(&p, &args);
}

/// Whole-array updates outside a prange (`a **= 2`, `a[:] = f(a)`, `a += a[::-1]`, a
/// broadcasting `m *= b`) are a fused loop into a new array and a parallel copy into the
/// target: the serial bits, a reversed view of the target read as it was before the update.
#[test]
fn whole_array_updates_are_parallel_loops() {
    for n in [1, 4, 1001, 70_000] {
        let b: Vec<f64> = (0..n).map(|i| (i % 7) as f64 - 2.5).collect();
        let m: Vec<f64> = (0..3 * n).map(|i| (i % 11) as f64 * 0.5).collect();
        both_ways(
            "updates",
            &[
                array(floats(n), &[n]),
                f64s(&b),
                array(Buffer::F64(m), &[3, n]),
            ],
        );
    }
    let n = 70_000;
    let src = ARRAY_KERNELS.replace("@DECORATOR", "@njit(parallel=True)");
    let args = [
        array(floats(n), &[n]),
        array(floats(n), &[n]),
        array(floats(3 * n), &[3, n]),
    ];
    let p = kernel(&src, "updates", &args);
    let report = p.parallel.clone().expect("a report");
    let copies = report
        .fused
        .iter()
        .filter(|(_, _, ops)| ops == &["assign"])
        .count();
    // a **= 2, //=, %=, a[:] =, a += v, -= mean; m *= b broadcasts (its copy stays the
    // assignment), m[:] =, w += b[:1] (w is 1-d, b[:1] a view: fused too).
    assert!(copies >= 8, "{copies} copies\n{p}");
    harness::differential(&p, &args);
}

/// `@vectorize(target='parallel')`: the loop over the broadcast elements is a prange; each
/// element is the same as with target='cpu'.
#[test]
fn parallel_ufuncs_give_the_cpu_bits() {
    let source = |target: &str| {
        format!(
            r#"
import math
from numba import vectorize

@vectorize(['float64(float64, float64)', 'int64(int64, int64)'], target='{target}'){pad}
def rc(x, y):
    if x > y:
        return x * 2 - y
    return x // (y - 3) + y
"#,
            pad = " ".repeat(8 - target.len())
        )
    };
    let n = 50_001;
    for args in [
        vec![array(floats(n), &[n]), array(floats(n), &[n])],
        vec![array(floats(600), &[20, 30]), array(floats(30), &[30])],
        vec![
            array(
                Buffer::I64((0..n as i64).map(|i| i % 7 - 3).collect()),
                &[n],
            ),
            Value::Scalar(Scalar::I64(3)),
        ],
    ] {
        let cpu = kernel(&source("cpu"), "rc", &args);
        let par = kernel(&source("parallel"), "rc", &args);
        let report = par.parallel.clone().expect("a report");
        assert!(report.loops.iter().any(|l| l.serial.is_none()), "{par}");
        let want = harness::reference(&cpu, &args);
        assert_eq!(harness::differential(&par, &args), want);
    }
}

const ARRAY_REDUCTIONS: &str = r#"
import numpy as np
from numba import njit, prange

@DECORATOR
def grad(X, y):
    g = np.zeros(X.shape[1])
    h = np.ones(X.shape[1])
    for i in prange(X.shape[0]):
        g += X[i, :] * y[i]
        h *= 1.0 + X[i, :] * 0.0
        g -= y[i]
    return g, h

@DECORATOR
def reads_it(X):
    g = np.zeros(X.shape[1])
    for i in prange(X.shape[0]):
        g += X[i, :] + g[0]
    return g
"#;

/// Reductions into arrays (`g += ...` on a whole array made outside the loop): each chunk
/// updates its own copy, filled with the identity, and the copies are folded into the
/// array in chunk order. On grid values (exact in any order) the result is the serial one.
#[test]
fn array_reductions_fold_chunk_copies_in_order() {
    let serial = |name: &str, args: &[Value]| {
        kernel(
            &ARRAY_REDUCTIONS.replace("@DECORATOR", "@njit(parallel=False)"),
            name,
            args,
        )
    };
    let parallel = |name: &str, args: &[Value]| {
        kernel(
            &ARRAY_REDUCTIONS.replace("@DECORATOR", "@njit(parallel=True) "),
            name,
            args,
        )
    };
    for n in [0, 3, 150, 701] {
        let x: Vec<f64> = (0..n * 3)
            .map(|i| ((i * 13) % 16) as f64 * 0.5 - 4.0)
            .collect();
        let y: Vec<f64> = (0..n).map(|i| ((i * 7) % 8) as f64 - 3.0).collect();
        let args = [array(Buffer::F64(x), &[n, 3]), f64s(&y)];
        let p = parallel("grad", &args);
        let report = p.parallel.clone().expect("a report");
        // The fills of np.zeros and np.ones are loops too; the prange is the last.
        assert_eq!(report.loops.len(), 3, "{report:?}");
        assert!(
            report.loops.iter().all(|l| l.serial.is_none()),
            "{report:?}"
        );
        assert_eq!(
            harness::differential(&p, &args),
            harness::reference(&serial("grad", &args), &args)
        );
    }
    // An array read in the body besides its reduction keeps the loop serial.
    let args = [array(floats(30), &[10, 3])];
    let p = parallel("reads_it", &args);
    let why = p.parallel.clone().expect("a report").loops[1]
        .serial
        .clone();
    assert!(
        why.as_deref().unwrap_or_default().contains("array 'g'"),
        "{why:?}"
    );
    harness::differential(&p, &args);
}
