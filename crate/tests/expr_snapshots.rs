//! Snapshot tests: the IR and bytecode of the DESIGN.md workloads, checked in under
//! `tests/snapshots/`. Set `UPDATE_SNAPSHOTS=1` to rewrite them after an intended change.
#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;

use numwasm::api::{Engine, Input};

const N: usize = 1_000_000;

fn check(name: &str, source: &str, inputs: &[(&str, Input<'_>)]) {
    let c = Engine::new()
        .compile(source, inputs)
        .unwrap_or_else(|e| panic!("{name}: {}", e.render(source)));
    let text = c.disassemble();
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"));
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() || !path.exists() {
        std::fs::write(&path, &text).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text, want,
        "snapshot {name} changed; rerun with UPDATE_SNAPSHOTS=1 if intended"
    );
}

#[test]
fn workload_snapshots() {
    let f = vec![0.5f64; N];
    let i = vec![1i64; N];
    let sh = [N];
    let a = || Input::array(&f[..], &sh);
    check(
        "poly",
        "x + (y**2 + (z*x + 1)*3)",
        &[("x", a()), ("y", a()), ("z", a())],
    );
    check("axpb", "(2*a + 3*b)/b", &[("a", a()), ("b", a())]);
    check("expab", "exp(2.1*a + 3.2*b)", &[("a", a()), ("b", a())]);
    check("asinexp", "exp(arcsin(a))", &[("a", a())]);
    check(
        "rc",
        "voltage * (1 - exp(1/time_constant))",
        &[("voltage", a()), ("time_constant", a())],
    );
    check("sincos", "sin(a)**2 + cos(b)**2", &[("a", a()), ("b", a())]);
    check("sum_f64", "sum(a)", &[("a", a())]);
    check("sum_i64", "sum(a)", &[("a", Input::array(&i[..], &sh))]);
    let m = vec![1.0f32; 12];
    let ms = [3, 4];
    let row = [4];
    check(
        "broadcast_mix",
        "m / sum(m, axis=0) + where(m > r, m, r)**1.5",
        &[
            ("m", Input::array(&m[..], &ms)),
            ("r", Input::array(&m[..4], &row)),
        ],
    );
}
