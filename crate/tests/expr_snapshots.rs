//! Snapshot tests: the optimized IR and the bytecode of the DESIGN.md workloads, checked in
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

use std::path::PathBuf;

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

fn snapshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

/// Whether this run rewrites snapshots: exactly `UPDATE_SNAPSHOTS=1`.
fn updating() -> bool {
    std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1")
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
    let path = snapshot_dir().join(format!("{name}.txt"));
    if updating() {
        std::fs::write(&path, &got)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let want = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!(
            "snapshot {} is missing ({e}); run `UPDATE_SNAPSHOTS=1 cargo test --test expr_snapshots` \
             to write it. The engine prints:\n{got}",
            path.display()
        ),
    };
    if got != want {
        panic!(
            "snapshot {} differs (- snapshot, + engine); rerun with UPDATE_SNAPSHOTS=1 if the \
             change is intended:\n{}",
            path.display(),
            line_diff(&want, &got)
        );
    }
}

/// A unified-style line diff of `old` and `new` (longest common subsequence), with
/// unchanged lines as context. Snapshots are a few dozen lines, so the quadratic table
/// is small.
fn line_diff(old: &str, new: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (old.lines().collect(), new.lines().collect());
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = String::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("  {}\n", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            out.push_str(&format!("+ {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("- {}\n", a[i]));
            i += 1;
        }
    }
    if old.ends_with('\n') != new.ends_with('\n') {
        out.push_str("(the texts differ in their final newline)\n");
    }
    out
}

/// Every snapshot file belongs to a case: a renamed or deleted case must take its
/// snapshot with it.
#[test]
fn no_orphan_snapshots() {
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(snapshot_dir()).expect("read tests/snapshots") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "txt") {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if !CASES.contains(&stem) {
                orphans.push(path.display().to_string());
            }
        }
    }
    assert!(orphans.is_empty(), "snapshots without a case: {orphans:?}");
}

#[test]
fn line_diff_marks_changed_lines() {
    assert_eq!(
        line_diff("a\nb\nc\n", "a\nB\nc\nd\n"),
        "  a\n- b\n+ B\n  c\n+ d\n"
    );
    assert_eq!(
        line_diff("a\n", "a"),
        "  a\n(the texts differ in their final newline)\n"
    );
}
