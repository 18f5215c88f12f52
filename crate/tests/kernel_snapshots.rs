//! Snapshot tests of the typed kernel IR of the seed kernels
//! (`tests/kernel_snapshots/seeds.py`), each compiled for the argument types a Numba user
//! passes, checked in as `tests/kernel_snapshots/<case>.txt`, one `#[test]` per case.
//! Same discipline as `expr_snapshots.rs`: a missing or different snapshot fails with a
//! line diff; `UPDATE_SNAPSHOTS=1 cargo test --test kernel_snapshots` rewrites them.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::snapshot;
use numwasm::api::{Array, KernelArg, Kernels};
use numwasm::types::{Buffer, DType};

fn seeds() -> String {
    std::fs::read_to_string(snapshot::dir("kernel_snapshots").join("seeds.py"))
        .expect("tests/kernel_snapshots/seeds.py")
}

fn f64s(shape: &[usize]) -> KernelArg {
    let n = shape.iter().product();
    KernelArg::Array(Array {
        dtype: DType::F64,
        shape: shape.to_vec(),
        data: Buffer::F64((0..n).map(|i| i as f64 + 1.0).collect()),
    })
}

fn i64s(n: usize) -> KernelArg {
    KernelArg::Array(Array {
        dtype: DType::I64,
        shape: vec![n],
        data: Buffer::I64((0..n as i64).collect()),
    })
}

/// Declares one `#[test]` per case: `name: kernel(args...);`.
macro_rules! snapshots {
    ($($name:ident: $kernel:ident($($arg:expr),*);)*) => {
        const CASES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                check(stringify!($name), stringify!($kernel), vec![$($arg),*]);
            }
        )*
    };
}

snapshots! {
    ssum_int64: ssum(i64s(10));
    filter_lt50_int64: filter_lt50(i64s(10));
    band_matrix: band(KernelArg::Int(5), KernelArg::Int(1));
    logistic_regression_f64: logistic_regression(f64s(&[8]), f64s(&[8, 3]), f64s(&[3]), KernelArg::Int(2));
    normalize_rows: normalize(f64s(&[4, 3]));
    moving_mean_f64: moving_mean(f64s(&[10]), KernelArg::Int(3));
}

fn check(name: &str, kernel: &str, args: Vec<KernelArg>) {
    let src = seeds();
    let k = Kernels::new(&src).unwrap_or_else(|e| panic!("{}", e.render(&src)));
    let i = k
        .inspect(kernel, args, Vec::new())
        .unwrap_or_else(|e| panic!("{}", e.render(&src)));
    snapshot::check(
        "kernel_snapshots",
        "kernel_snapshots",
        name,
        &format!("{}\n{}\n", i.signature, i.typed_ir),
    );
}

#[test]
fn no_orphan_snapshots() {
    let orphans = snapshot::orphans("kernel_snapshots", CASES);
    assert!(orphans.is_empty(), "snapshots without a case: {orphans:?}");
}
