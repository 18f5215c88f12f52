//! Which array arguments a kernel may write (`kir::writes`): the engine snapshots and
//! compares only those after a call, and copies nothing for a kernel that writes none.
//! Every case compiles a kernel through the real front end.

use numwasm::api::{Array, KernelArg, KernelValue, Kernels};
use numwasm::front::numba::Module;
use numwasm::kir::writes::written_params;
use numwasm::kir::{ArrayTy, Layout, Ty};
use numwasm::types::{Buffer, DType};

const KERNELS: &str = r#"
import numpy as np
from numba import njit

@njit
def reads(a, b):
    s = 0.0
    for i in range(a.shape[0]):
        s += a[i] * b[i]
    return s

@njit
def gives_back(a, b):
    b[0] = a[0]
    return a[1:], b

@njit
def stores(a, b):
    for i in range(a.shape[0]):
        b[i] = a[i]

@njit
def through_local(a, b):
    c = a
    d = c
    d[0] = 1.0
    return b[0]

@njit
def through_view(a, b):
    v = b[1:]
    v[0] = a[0]

@njit
def slice_assign(a, b):
    a[:] = b

@njit
def writes_first(x, y):
    x[0] = y[0]

@njit
def through_call(a, b):
    writes_first(b, a)

@njit
def fresh(a, b):
    out = np.zeros(a.shape[0])
    for i in range(a.shape[0]):
        out[i] = a[i] + b[i]
    return out

@njit
def copied(a, b):
    c = a.copy()
    c[0] = 2.0
    return c

@njit
def transposed(a, b):
    t = b.T
    t[0] = 3.0
"#;

fn written(name: &str) -> Vec<bool> {
    let m = Module::parse(KERNELS).unwrap_or_else(|e| panic!("{e:?}"));
    let f64_1d = Ty::Array(ArrayTy {
        dtype: DType::F64,
        ndim: 1,
        layout: Layout::C,
    });
    let p = m
        .compile(name, &[f64_1d.clone(), f64_1d])
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    written_params(&p).into_iter().next().expect("an entry")
}

#[test]
fn a_kernel_that_only_reads_writes_nothing() {
    assert_eq!(written("reads"), [false, false]);
}

#[test]
fn a_store_writes_its_array() {
    assert_eq!(written("stores"), [false, true]);
}

#[test]
fn writes_through_locals_views_and_slice_assignment_count() {
    assert_eq!(written("through_local"), [true, false]);
    assert_eq!(written("through_view"), [false, true]);
    assert_eq!(written("slice_assign"), [true, false]);
    assert_eq!(written("transposed"), [false, true]);
}

#[test]
fn a_callee_writes_the_caller_argument_it_was_passed() {
    assert_eq!(written("through_call"), [false, true]);
}

#[test]
fn new_arrays_and_copies_are_not_the_arguments() {
    assert_eq!(written("fresh"), [false, false]);
    assert_eq!(written("copied"), [false, false]);
}

fn f64_array(v: Vec<f64>) -> KernelArg {
    KernelArg::Array(Array {
        dtype: DType::F64,
        shape: vec![v.len()],
        data: Buffer::F64(v),
    })
}

/// A write is reported when any bit changed: `0.0` over `-0.0` (equal as numbers) and a
/// NaN over the same NaN (unequal as numbers, the same bits: no report).
#[test]
fn writes_are_told_by_their_bits() {
    let k = Kernels::new(KERNELS).expect("parses");
    let call = |a: Vec<f64>, b: Vec<f64>| {
        k.call("stores", vec![f64_array(a), f64_array(b)], Vec::new())
            .expect("runs")
            .mutated
    };
    let m = call(vec![0.0, 1.0], vec![-0.0, 1.0]);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].0, 1);
    assert!(call(vec![f64::NAN, 2.0], vec![f64::NAN, 2.0]).is_empty());
    assert_eq!(call(vec![1.0, 2.0], vec![1.0, 3.0]).len(), 1);
}

/// Arrays the caller names as written in place are neither snapshotted nor reported, and
/// hold the kernel's writes afterwards.
#[test]
fn arrays_written_in_place_are_not_reported() {
    let k = Kernels::new(KERNELS).expect("parses");
    let mut args = vec![f64_array(vec![5.0, 6.0]), f64_array(vec![0.0, 0.0])];
    let r = k
        .call_in_place("stores", &mut args, &mut [], None, &|kw, i| !kw && i == 1)
        .expect("runs");
    assert!(r.mutated.is_empty());
    let KernelArg::Array(b) = &args[1] else {
        panic!("an array")
    };
    assert_eq!(b.data, Buffer::F64(vec![5.0, 6.0]));
    let r = k
        .call_in_place("stores", &mut args, &mut [], None, &|_, _| false)
        .expect("runs");
    assert!(r.mutated.is_empty(), "the same bits again");
}

/// An array argument returned whole is named, not copied, by `call_in_place` (positional
/// or keyword); a view of one is a new array; `call` copies the argument as it was left.
#[test]
fn arguments_returned_whole_are_named() {
    let k = Kernels::new(KERNELS).expect("parses");
    let mut args = vec![f64_array(vec![5.0, 6.0])];
    let mut kwargs = vec![("b".to_owned(), f64_array(vec![0.0, 0.0]))];
    let r = k
        .call_in_place("gives_back", &mut args, &mut kwargs, None, &|_, _| false)
        .expect("runs");
    let items = tuple(&r.value);
    assert_eq!(
        items[0],
        KernelValue::Array(Array {
            dtype: DType::F64,
            shape: vec![1],
            data: Buffer::F64(vec![6.0])
        })
    );
    assert_eq!(
        items[1],
        KernelValue::Argument {
            keyword: true,
            index: 0
        }
    );
    let r = k
        .call(
            "gives_back",
            vec![f64_array(vec![1.0, 2.0]), f64_array(vec![0.0, 0.0])],
            Vec::new(),
        )
        .expect("runs");
    let items = tuple(&r.value);
    assert_eq!(
        items[1],
        KernelValue::Array(Array {
            dtype: DType::F64,
            shape: vec![2],
            data: Buffer::F64(vec![1.0, 0.0])
        })
    );
}

fn tuple(v: &KernelValue) -> &[KernelValue] {
    match v {
        KernelValue::Tuple(items) => items,
        other => panic!("a tuple: {other:?}"),
    }
}
