//! Differential tests: random expressions from a small seeded generator run through the
//! reference evaluator (unoptimized IR, element by element), the VM on one thread and the
//! VM on 2 and 3 threads. The VM must agree with itself to the bit for every thread count
//! (reductions included) and with the reference to within float rounding (the optimizer
//! turns powers into multiplications and sums are pairwise).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{Rng, close};
use numwasm::api::{Array, Engine, Input};
use numwasm::types::Buffer;

const ROWS: usize = 128;
const COLS: usize = 300; // 38_400 elements: above the serial threshold, not a multiple of a block

fn pool() {
    // Three threads need a pool of at least three; the default pool has one per core.
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build_global();
}

/// A random expression over the inputs below.
fn random_expr(rng: &mut Rng, depth: u32) -> String {
    let leaves = ["a", "b", "i", "u", "r", "c", "s", "2", "3.5", "0.5", "True"];
    if depth == 0 || rng.below(10) < 2 {
        return leaves[rng.below(leaves.len() as u64) as usize].to_string();
    }
    let x = random_expr(rng, depth - 1);
    match rng.below(22) {
        0 => format!("-{x}"),
        1 => format!("sqrt(abs({x}))"),
        2 => format!("sin({x})"),
        3 => format!("exp({x} / 8)"),
        4 => format!("({x})**2"),
        5 => format!("({x})**3"),
        6 => format!("abs({x})**1.5"),
        7 => format!(
            "where({x} > {}, {x}, {})",
            random_expr(rng, depth - 1),
            random_expr(rng, depth - 1)
        ),
        8 => format!("sum({x})"),
        9 => format!("mean({x}, axis={})", rng.below(2)),
        10 => format!("max({x})"),
        11 => format!("floor({x})"),
        12 => format!("({x}) // {}", random_expr(rng, depth - 1)),
        13 => format!("({x}) % {}", random_expr(rng, depth - 1)),
        14 => format!("maximum({x}, {})", random_expr(rng, depth - 1)),
        15 => format!("({x}) / ({})", random_expr(rng, depth - 1)),
        16 => format!("({x}) < ({})", random_expr(rng, depth - 1)),
        17 => format!("sum({x}, axis=-1)"),
        _ => {
            let ops = ["+", "-", "*", "+", "*"];
            format!(
                "({x} {} {})",
                ops[rng.below(ops.len() as u64) as usize],
                random_expr(rng, depth - 1)
            )
        }
    }
}

fn same_bits(a: &Array, b: &Array) -> bool {
    a.dtype == b.dtype
        && a.shape == b.shape
        && match (&a.data, &b.data) {
            (Buffer::F64(x), Buffer::F64(y)) => x
                .iter()
                .zip(y)
                .all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan())),
            (Buffer::F32(x), Buffer::F32(y)) => x
                .iter()
                .zip(y)
                .all(|(p, q)| p.to_bits() == q.to_bits() || (p.is_nan() && q.is_nan())),
            (x, y) => x == y,
        }
}

#[test]
fn vm_matches_reference_and_itself_across_thread_counts() {
    pool();
    let mut rng = Rng::new(0x5eed_1234);
    let n = ROWS * COLS;
    let a: Vec<f64> = (0..n).map(|_| rng.float() * 6.0 - 3.0).collect();
    let b: Vec<f32> = (0..n).map(|_| (rng.float() * 6.0 - 3.0) as f32).collect();
    let i: Vec<i32> = (0..n).map(|_| rng.below(101) as i32 - 50).collect();
    let u: Vec<u8> = (0..n).map(|_| rng.below(256) as u8).collect();
    let r: Vec<f64> = (0..COLS).map(|_| rng.float()).collect();
    let c: Vec<f64> = (0..ROWS).map(|_| rng.float() * 2.0).collect();
    let (sh, row, col) = ([ROWS, COLS], [COLS], [ROWS, 1]);
    let inputs = [
        ("a", Input::array(&a[..], &sh)),
        ("b", Input::array(&b[..], &sh)),
        ("i", Input::array(&i[..], &sh)),
        ("u", Input::array(&u[..], &sh)),
        ("r", Input::array(&r[..], &row)),
        ("c", Input::array(&c[..], &col)),
        ("s", Input::float(0.25)),
    ];
    let engine = Engine::new();
    let (mut compiled, mut rejected, mut runtime_errors) = (0, 0, 0);
    for case in 0..160 {
        let src = random_expr(&mut rng, 3);
        let Ok(prog) = engine.compile(&src, &inputs) else {
            rejected += 1;
            continue;
        };
        compiled += 1;
        let reference = prog.run_reference_optimized(&inputs);
        let one = prog.run(&inputs, None, Some(1)).map(Option::unwrap);
        let (one, reference) = match (one, reference) {
            (Ok(x), Ok(y)) => (x, y),
            (Err(e1), Err(e2)) => {
                assert_eq!(e1.kind, e2.kind, "case {case}: {src}");
                runtime_errors += 1;
                continue;
            }
            (x, y) => panic!("case {case}: {src}: vm {x:?} vs reference {y:?}"),
        };
        for t in [2, 3] {
            let par = prog.run(&inputs, None, Some(t)).unwrap().unwrap();
            assert!(
                same_bits(&one, &par),
                "case {case}: {src}: {t} threads differ from 1"
            );
        }
        assert_eq!(one.dtype, reference.dtype, "case {case}: {src}");
        assert_eq!(one.shape, reference.shape, "case {case}: {src}");
        // Bit for bit, unless a whole-array float sum (another summation tree) is involved.
        let exact = !(src.contains("sum(") && !src.contains("axis")
            || src.contains("mean(") && !src.contains("axis"));
        let tol = if exact { 0.0 } else { 1e-4 };
        if let Err(m) = close(&one.data, &reference.data, tol) {
            panic!("case {case}: {src}\n{}\n{m}", prog.disassemble());
        }
        // The optimizer against the IR as lowered: equal up to rounding (powers become
        // multiplications).
        let lowered = prog.run_reference(&inputs).unwrap();
        if let Err(m) = close(&lowered.data, &reference.data, 1e-4) {
            panic!(
                "case {case}: {src}: optimized vs lowered IR\n{}\n{m}",
                prog.disassemble()
            );
        }
    }
    eprintln!(
        "differential: {compiled} compiled, {rejected} rejected by typing, {runtime_errors} run-time errors"
    );
    assert!(compiled > 100);
}

#[test]
fn reductions_are_bit_identical_across_thread_counts() {
    pool();
    let mut rng = Rng::new(7);
    let n = 1_000_003;
    let a: Vec<f64> = (0..n).map(|_| (rng.float() - 0.5) * 1e3).collect();
    let f: Vec<f32> = a.iter().map(|&x| x as f32).collect();
    let sh = [n];
    let engine = Engine::new();
    for src in [
        "sum(a)",
        "mean(a)",
        "prod(a / 400 + 1)",
        "max(a)",
        "sum(a * a) / sum(abs(a))",
        "a - mean(a)",
        "sum(f)",
        "mean(f * 2)",
    ] {
        let inputs = [
            ("a", Input::array(&a[..], &sh)),
            ("f", Input::array(&f[..], &sh)),
        ];
        let c = engine.compile(src, &inputs).unwrap();
        let one = c.run(&inputs, None, Some(1)).unwrap().unwrap();
        for t in [2, 3, 4] {
            let other = c.run(&inputs, None, Some(t)).unwrap().unwrap();
            assert!(same_bits(&one, &other), "{src}: {t} threads differ from 1");
        }
        let reference = c.run_reference(&inputs).unwrap();
        close(&one.data, &reference.data, 1e-8).unwrap_or_else(|m| panic!("{src}: {m}"));
    }
    // Axis reductions are split over output positions; each is reduced in NumPy's order.
    let (rows, cols) = (700, 1003);
    let m: Vec<f64> = (0..rows * cols).map(|_| rng.float() - 0.5).collect();
    let sh = [rows, cols];
    for src in [
        "sum(m, axis=0)",
        "sum(m, axis=1)",
        "mean(m, axis=-1)",
        "max(m, axis=0) * 2",
        "prod(m + 1, axis=0)",
        "m - mean(m, axis=0)",
    ] {
        let inputs = [("m", Input::array(&m[..], &sh))];
        let Ok(c) = engine.compile(src, &inputs) else {
            continue;
        };
        let one = c.run(&inputs, None, Some(1)).unwrap().unwrap();
        for t in [2, 3] {
            let other = c.run(&inputs, None, Some(t)).unwrap().unwrap();
            assert!(same_bits(&one, &other), "{src}: {t} threads differ from 1");
        }
        let reference = c.run_reference(&inputs).unwrap();
        close(&one.data, &reference.data, 0.0).unwrap_or_else(|m| panic!("{src}: {m}"));
    }
}

/// Signed zeros through every path: arrays of several blocks (serial and on 2 and 3
/// threads), 0-d arrays, constants folded at compile time and constant operands of the
/// VM's instructions all give the bits the reference evaluator gives, which are NumPy's:
/// of equal operands fmax and fmin keep the first and maximum and minimum the second, and
/// a sum of -0.0 is 0.0.
#[test]
fn signed_zeros_agree_bit_for_bit() {
    pool();
    let n = ROWS * COLS;
    // Every pairing of signs, in a pattern that does not repeat with the block size.
    let z: Vec<f64> = (0..n)
        .map(|k| if k % 3 == 0 { -0.0 } else { 0.0 })
        .collect();
    let w: Vec<f64> = (0..n)
        .map(|k| if k % 2 == 0 { -0.0 } else { 0.0 })
        .collect();
    let (zf, wf): (Vec<f32>, Vec<f32>) = (
        z.iter().map(|&x| x as f32).collect(),
        w.iter().map(|&x| x as f32).collect(),
    );
    let zero_d = [-0.0f64];
    let sh = [ROWS, COLS];
    let inputs = [
        ("z", Input::array(&z[..], &sh)),
        ("w", Input::array(&w[..], &sh)),
        ("zf", Input::array(&zf[..], &sh)),
        ("wf", Input::array(&wf[..], &sh)),
        ("m", Input::array(&zero_d[..], &[][..])),
    ];
    let first =
        |a: &[f64], b: &[f64]| -> Vec<u64> { a.iter().zip(b).map(|(x, _)| x.to_bits()).collect() };
    let second =
        |a: &[f64], b: &[f64]| -> Vec<u64> { a.iter().zip(b).map(|(_, y)| y.to_bits()).collect() };
    let engine = Engine::new();
    let bits = |src: &str| -> Vec<u64> {
        let c = engine.compile(src, &inputs).unwrap();
        let one = c.run(&inputs, None, Some(1)).unwrap().unwrap();
        for t in [2, 3] {
            let par = c.run(&inputs, None, Some(t)).unwrap().unwrap();
            assert!(same_bits(&one, &par), "{src}: {t} threads differ from 1");
        }
        let reference = c.run_reference(&inputs).unwrap();
        assert!(
            same_bits(&one, &reference),
            "{src}: vm differs from the reference"
        );
        match &one.data {
            Buffer::F64(v) => v.iter().map(|x| x.to_bits()).collect(),
            Buffer::F32(v) => v.iter().map(|&x| f64::from(x).to_bits()).collect(),
            other => panic!("{src}: {:?}", other.dtype()),
        }
    };
    let zeros = vec![0.0; n];
    let neg = vec![-0.0; n];
    for (src, want) in [
        ("fmax(z, w)", first(&z, &w)),
        ("fmin(w, z)", first(&w, &z)),
        ("fmax(zf, wf)", first(&z, &w)),
        ("fmin(wf, zf)", first(&w, &z)),
        ("maximum(z, w)", second(&z, &w)),
        ("minimum(wf, zf)", second(&w, &z)),
        ("fmax(z, 0.0)", first(&z, &zeros)),
        ("fmin(-0.0, w)", first(&neg, &w)),
        ("fmax(m, w)", first(&neg, &w)),
        ("fmin(z * 1.0, m)", first(&z, &neg)),
    ] {
        let got = bits(src);
        let bad = got.iter().zip(&want).position(|(g, w)| g != w);
        assert!(bad.is_none(), "{src}: element {bad:?} differs");
    }
    let one = |x: f64| vec![x.to_bits()];
    for (src, want) in [
        ("fmax(-0.0, 0.0)", one(-0.0)),
        ("fmax(0.0, -0.0)", one(0.0)),
        ("fmin(-0.0, 0.0)", one(-0.0)),
        ("fmax(m, 0.0)", one(-0.0)),
        ("fmin(0.0, m)", one(0.0)),
        ("sum(-0.0)", one(0.0)),
        ("mean(-0.0)", one(0.0)),
        ("sum(m)", one(0.0)),
        ("mean(m)", one(0.0)),
        ("prod(-0.0)", one(-0.0)),
        ("sum(-abs(z))", one(0.0)),
    ] {
        assert_eq!(bits(src), want, "{src}");
    }
}
