//! Snapshot tests: the optimized IR and the bytecode of the benchmark workloads
//! (docs/architecture.md), checked in
//! as `tests/snapshots/<case>.txt`, one `#[test]` per case.
//!
//! A case fails when its snapshot is missing or differs from what the engine prints now;
//! the failure shows a line diff (`-` the snapshot, `+` the engine). After an intended
//! change, rewrite the snapshots and review them like any other diff:
//!
//! ```text
//! UPDATE_SNAPSHOTS=1 cargo test --test expr_snapshots
//! ```
//!
//! Only `UPDATE_SNAPSHOTS=1` writes files; without it a test never touches the directory,
//! so a forgotten snapshot cannot pass by being created on the spot. A snapshot file that
//! no case names fails `no_orphan_snapshots`. tests/snapshots/README.md says the same.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::snapshot;
use numwasm::api::{DType, InputKind, Signature, compile};

const N: usize = 1_000_000;

/// Declares one `#[test]` per case and the list of case names: `name: "source", input:
/// dtype[dims], ...;`.
macro_rules! snapshots {
    ($($name:ident: $source:literal $(, $input:ident: $dt:ident [$($dim:expr),*])*;)*) => {
        /// Every case name, for the orphan check.
        const CASES: &[&str] = &[$(stringify!($name)),*];
        $(
            #[test]
            fn $name() {
                check(
                    stringify!($name),
                    $source,
                    &[$((stringify!($input), DType::$dt, vec![$($dim),*])),*],
                );
            }
        )*
    };
}

snapshots! {
    poly: "x + (y**2 + (z*x + 1)*3)", x: F64[N], y: F64[N], z: F64[N];
    axpb: "(2*a + 3*b)/b", a: F64[N], b: F64[N];
    expab: "exp(2.1*a + 3.2*b)", a: F64[N], b: F64[N];
    asinexp: "exp(arcsin(a))", a: F64[N];
    rc: "voltage * (1 - exp(1/time_constant))", voltage: F64[N], time_constant: F64[N];
    sincos: "sin(a)**2 + cos(b)**2", a: F64[N], b: F64[N];
    sum_f64: "sum(a)", a: F64[N];
    sum_i64: "sum(a)", a: I64[N];
    broadcast_mix: "m / sum(m, axis=0) + where(m > r, m, r)**1.5", m: F32[3, 4], r: F32[4];
}

fn check(name: &str, source: &str, inputs: &[(&str, DType, Vec<usize>)]) {
    let signature = Signature {
        inputs: inputs
            .iter()
            .map(|(n, dtype, shape)| {
                (
                    (*n).to_string(),
                    InputKind::Array {
                        dtype: *dtype,
                        shape: shape.clone(),
                    },
                )
            })
            .collect(),
    };
    let got = compile(source, &signature)
        .unwrap_or_else(|e| panic!("{name}: {}", e.render(source)))
        .disassemble();
    snapshot::check("snapshots", "expr_snapshots", name, &got);
}

/// Every snapshot file belongs to a case: a renamed or deleted case must take its
/// snapshot with it.
#[test]
fn no_orphan_snapshots() {
    let orphans = snapshot::orphans("snapshots", CASES);
    assert!(orphans.is_empty(), "snapshots without a case: {orphans:?}");
}

#[test]
fn line_diff_marks_changed_lines() {
    assert_eq!(
        snapshot::line_diff("a\nb\nc\n", "a\nB\nc\nd\n"),
        "  a\n- b\n+ B\n  c\n+ d\n"
    );
    assert_eq!(
        snapshot::line_diff("a\n", "a"),
        "  a\n(the texts differ in their final newline)\n"
    );
}
