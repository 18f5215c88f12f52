//! Snapshot files: a text the engine prints, checked in under `crate/tests/<dir>/<name>.txt`
//! and compared on every run. Only `UPDATE_SNAPSHOTS=1` writes them; a missing or
//! different snapshot fails with a line diff.
#![allow(dead_code)]

use std::path::PathBuf;

/// The directory of a snapshot suite, under crate/tests.
pub fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// Whether this run rewrites snapshots: exactly `UPDATE_SNAPSHOTS=1`.
pub fn updating() -> bool {
    std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1")
}

/// Compares `got` with snapshot `<suite>/<name>.txt` (or writes it when updating); `test`
/// names the cargo test target for the message.
pub fn check(suite: &str, test: &str, name: &str, got: &str) {
    let path = dir(suite).join(format!("{name}.txt"));
    if updating() {
        std::fs::write(&path, got)
            .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        return;
    }
    let want = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => panic!(
            "snapshot {} is missing ({e}); run `UPDATE_SNAPSHOTS=1 cargo test --test {test}` \
             to write it. The engine prints:\n{got}",
            path.display()
        ),
    };
    if got != want {
        panic!(
            "snapshot {} differs (- snapshot, + engine); rerun with UPDATE_SNAPSHOTS=1 if the \
             change is intended:\n{}",
            path.display(),
            line_diff(&want, got)
        );
    }
}

/// The snapshot files of a suite that no case names.
pub fn orphans(suite: &str, cases: &[&str]) -> Vec<String> {
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(dir(suite)).expect("read the snapshot directory") {
        let path = entry.expect("directory entry").path();
        if path.extension().is_some_and(|e| e == "txt") {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if !cases.contains(&stem) {
                orphans.push(path.display().to_string());
            }
        }
    }
    orphans
}

/// A unified-style line diff of `old` and `new` (longest common subsequence), with
/// unchanged lines as context. Snapshots are a few dozen lines, so the quadratic table
/// is small.
pub fn line_diff(old: &str, new: &str) -> String {
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
