//! Native benchmark of the expression VM (single thread unless noted) against a
//! hand-fused Rust loop of the same expression (the limit) and against a naive block
//! evaluator that makes one pass per operation (the design's baseline: what numexpr's
//! one-pass-per-operation VM would cost here). Medians over
//! repeats; run with `cargo bench --bench expr`.

use std::hint::black_box;
use std::time::Instant;

use numwasm::api::{Engine, Input};
use numwasm::types::BufferMut;

const N: usize = 1_000_000;
const BLOCK: usize = 1024;

/// CPU time of the calling thread, in ms: unlike wall time, not inflated when other
/// processes share the cores (the development machine has 2 cores and is shared).
fn thread_cpu_ms() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &raw mut ts) };
    ts.tv_sec as f64 * 1e3 + ts.tv_nsec as f64 * 1e-6
}

fn median(mut t: Vec<f64>) -> f64 {
    t.sort_by(f64::total_cmp);
    t[t.len() / 2]
}

/// Runs the contenders in turn, `reps` rounds after a warm-up round, and returns each
/// one's median in ms: thread CPU time for the single-threaded contenders, wall time for
/// the last `wall` ones (multi-threaded). Interleaving keeps the ratios fair when the
/// load from other processes changes.
fn race(reps: usize, wall: usize, fs: &mut [&mut dyn FnMut()]) -> Vec<f64> {
    for f in fs.iter_mut() {
        f();
    }
    let n = fs.len();
    let mut times = vec![Vec::with_capacity(reps); n];
    for _ in 0..reps {
        for (k, (f, t)) in fs.iter_mut().zip(&mut times).enumerate() {
            if k + wall >= n {
                let s = Instant::now();
                f();
                t.push(s.elapsed().as_secs_f64() * 1e3);
            } else {
                let s = thread_cpu_ms();
                f();
                t.push(thread_cpu_ms() - s);
            }
        }
    }
    times.into_iter().map(median).collect()
}

/// One operation of the naive evaluator: every op is its own pass over a block.
#[derive(Clone, Copy)]
enum Op {
    Add(usize, usize, usize),
    Mul(usize, usize, usize),
    Div(usize, usize, usize),
    AddK(usize, f64, usize),
    MulK(usize, f64, usize),
    Exp(usize, usize),
    Sin(usize, usize),
    Cos(usize, usize),
}

/// A numexpr-style interpreter without superinstructions: registers 0..inputs are the
/// input blocks, the last op writes the result.
fn naive(ops: &[Op], inputs: &[&[f64]], n_regs: usize, out: &mut [f64]) {
    let mut regs = vec![0.0f64; n_regs * BLOCK];
    let base = regs.as_mut_ptr();
    // SAFETY: registers are disjoint BLOCK-sized windows of `regs`; an op may read the
    // register it writes (same index), which the loops below do element by element.
    let reg = |r: usize| unsafe { base.add(r * BLOCK) };
    let mut start = 0;
    while start < out.len() {
        let len = BLOCK.min(out.len() - start);
        for (r, x) in inputs.iter().enumerate() {
            unsafe { std::slice::from_raw_parts_mut(reg(r), len) }
                .copy_from_slice(&x[start..start + len]);
        }
        for op in ops {
            let (src, dst) = match *op {
                Op::Add(a, b, d) | Op::Mul(a, b, d) | Op::Div(a, b, d) => ((a, b), d),
                Op::AddK(a, _, d)
                | Op::MulK(a, _, d)
                | Op::Exp(a, d)
                | Op::Sin(a, d)
                | Op::Cos(a, d) => ((a, a), d),
            };
            let (x, y, o) = (reg(src.0), reg(src.1), reg(dst));
            // SAFETY: see `reg`.
            unsafe {
                match *op {
                    Op::Add(..) => (0..len).for_each(|i| *o.add(i) = *x.add(i) + *y.add(i)),
                    Op::Mul(..) => (0..len).for_each(|i| *o.add(i) = *x.add(i) * *y.add(i)),
                    Op::Div(..) => (0..len).for_each(|i| *o.add(i) = *x.add(i) / *y.add(i)),
                    Op::AddK(_, k, _) => (0..len).for_each(|i| *o.add(i) = *x.add(i) + k),
                    Op::MulK(_, k, _) => (0..len).for_each(|i| *o.add(i) = *x.add(i) * k),
                    Op::Exp(..) => (0..len).for_each(|i| *o.add(i) = (*x.add(i)).exp()),
                    Op::Sin(..) => (0..len).for_each(|i| *o.add(i) = (*x.add(i)).sin()),
                    Op::Cos(..) => (0..len).for_each(|i| *o.add(i) = (*x.add(i)).cos()),
                }
            }
        }
        let last = match *ops.last().expect("ops") {
            Op::Add(_, _, d)
            | Op::Mul(_, _, d)
            | Op::Div(_, _, d)
            | Op::AddK(_, _, d)
            | Op::MulK(_, _, d)
            | Op::Exp(_, d)
            | Op::Sin(_, d)
            | Op::Cos(_, d) => d,
        };
        out[start..start + len]
            .copy_from_slice(unsafe { std::slice::from_raw_parts(reg(last), len) });
        start += len;
    }
}

struct Row {
    id: &'static str,
    expr: &'static str,
    vm1: f64,
    vm2: f64,
    fused: f64,
    naive: f64,
}

fn main() {
    let x: Vec<f64> = (0..N).map(|i| (i as f64 * 1e-6).sin()).collect();
    let y: Vec<f64> = (0..N).map(|i| (i as f64 * 3e-6).cos()).collect();
    let z: Vec<f64> = (0..N).map(|i| 1.0 + (i % 97) as f64 * 0.01).collect();
    let sh = [N];
    let engine = Engine::new();
    let mut out = vec![0.0f64; N];
    let mut rows = Vec::new();

    type Fused = fn(&[f64], &[f64], &[f64], &mut [f64]);
    let cases: [(&str, &str, Fused, Vec<Op>, usize, usize); 4] = [
        (
            "poly",
            "x + (y**2 + (z*x + 1)*3)",
            |x, y, z, o| {
                for (o, ((x, y), z)) in o.iter_mut().zip(x.iter().zip(y).zip(z)) {
                    *o = x + (y * y + (z * x + 1.0) * 3.0);
                }
            },
            vec![
                Op::Mul(1, 1, 3),
                Op::Mul(2, 0, 4),
                Op::AddK(4, 1.0, 4),
                Op::MulK(4, 3.0, 4),
                Op::Add(3, 4, 3),
                Op::Add(0, 3, 3),
            ],
            3,
            5,
        ),
        (
            "axpb",
            "(2*a + 3*b)/b",
            |a, b, _, o| {
                for (o, (a, b)) in o.iter_mut().zip(a.iter().zip(b)) {
                    *o = (2.0 * a + 3.0 * b) / b;
                }
            },
            vec![
                Op::MulK(0, 2.0, 2),
                Op::MulK(1, 3.0, 3),
                Op::Add(2, 3, 2),
                Op::Div(2, 1, 2),
            ],
            2,
            4,
        ),
        (
            "expab",
            "exp(2.1*a + 3.2*b)",
            |a, b, _, o| {
                for (o, (a, b)) in o.iter_mut().zip(a.iter().zip(b)) {
                    *o = (2.1 * a + 3.2 * b).exp();
                }
            },
            vec![
                Op::MulK(0, 2.1, 2),
                Op::MulK(1, 3.2, 3),
                Op::Add(2, 3, 2),
                Op::Exp(2, 2),
            ],
            2,
            4,
        ),
        (
            "sincos",
            "sin(a)**2 + cos(b)**2",
            |a, b, _, o| {
                for (o, (a, b)) in o.iter_mut().zip(a.iter().zip(b)) {
                    let (s, c) = (a.sin(), b.cos());
                    *o = s * s + c * c;
                }
            },
            vec![
                Op::Sin(0, 2),
                Op::Cos(1, 3),
                Op::Mul(2, 2, 2),
                Op::Mul(3, 3, 3),
                Op::Add(2, 3, 2),
            ],
            2,
            4,
        ),
    ];
    let only = std::env::var("EXPR_BENCH_ONLY").ok();
    for (id, expr, fused, ops, n_in, n_regs) in cases {
        if only.as_deref().is_some_and(|o| o != id) {
            continue;
        }
        let names = ["x", "y", "z", "a", "b"];
        let inputs: Vec<(&str, Input<'_>)> = if n_in == 3 {
            vec![
                (names[0], Input::array(&x[..], &sh)),
                (names[1], Input::array(&y[..], &sh)),
                (names[2], Input::array(&z[..], &sh)),
            ]
        } else {
            vec![
                (names[3], Input::array(&x[..], &sh)),
                (names[4], Input::array(&z[..], &sh)),
            ]
        };
        let (p, q, r): (&[f64], &[f64], &[f64]) = if n_in == 3 {
            (&x, &y, &z)
        } else {
            (&x, &z, &z)
        };
        let c = engine.compile(expr, &inputs).expect("compiles");
        let reps = if ops
            .iter()
            .any(|o| matches!(o, Op::Exp(..) | Op::Sin(..) | Op::Cos(..)))
        {
            15
        } else {
            41
        };
        let mut out1 = vec![0.0f64; N];
        c.run(&inputs, Some(&mut BufferMut::from(&mut out1[..])), Some(1))
            .expect("runs");
        fused(p, q, r, &mut out);
        assert!(
            out1.iter()
                .zip(&out)
                .all(|(a, b)| a.to_bits() == b.to_bits()),
            "{id}: VM and fused loop differ"
        );
        let ins: Vec<&[f64]> = if n_in == 3 { vec![p, q, r] } else { vec![p, q] };
        let mut out2 = vec![0.0f64; N];
        let mut out3 = vec![0.0f64; N];
        let t = race(
            reps,
            1,
            &mut [
                &mut || {
                    c.run(&inputs, Some(&mut BufferMut::from(&mut out1[..])), Some(1))
                        .expect("runs");
                    black_box(&out1);
                },
                &mut || {
                    fused(black_box(p), black_box(q), black_box(r), &mut out);
                    black_box(&out);
                },
                &mut || {
                    naive(&ops, &ins, n_regs, &mut out2);
                    black_box(&out2);
                },
                &mut || {
                    c.run(&inputs, Some(&mut BufferMut::from(&mut out3[..])), Some(2))
                        .expect("runs");
                    black_box(&out3);
                },
            ],
        );
        let (vm1, fused_ms, naive_ms, vm2) = (t[0], t[1], t[2], t[3]);
        rows.push(Row {
            id,
            expr,
            vm1,
            vm2,
            fused: fused_ms,
            naive: naive_ms,
        });
    }
    // sum: the VM's pairwise reduction against a plain sequential loop.
    let inputs = [("a", Input::array(&x[..], &sh))];
    let c = engine.compile("sum(a)", &inputs).expect("compiles");
    let (mut s1, mut s2) = ([0.0f64], [0.0f64]);
    let t = race(
        41,
        1,
        &mut [
            &mut || {
                c.run(&inputs, Some(&mut BufferMut::from(&mut s1[..])), Some(1))
                    .map(|_| ())
                    .expect("runs")
            },
            &mut || {
                black_box(black_box(&x).iter().sum::<f64>());
            },
            &mut || {
                c.run(&inputs, Some(&mut BufferMut::from(&mut s2[..])), Some(2))
                    .map(|_| ())
                    .expect("runs")
            },
        ],
    );
    let (vm1, fused, vm2) = (t[0], t[1], t[2]);
    rows.push(Row {
        id: "sum",
        expr: "sum(a)",
        vm1,
        vm2,
        fused,
        naive: f64::NAN,
    });

    // In cache: the same work on 8192 elements, run 100 times per sample: the VM's own
    // overhead (passes over L1, per-call checks) without memory bandwidth in the way.
    let m = 8192;
    let shm = [m];
    let inputs = [
        ("x", Input::array(&x[..m], &shm)),
        ("y", Input::array(&y[..m], &shm)),
        ("z", Input::array(&z[..m], &shm)),
    ];
    let c = engine
        .compile("x + (y**2 + (z*x + 1)*3)", &inputs)
        .expect("compiles");
    let mut o1 = vec![0.0f64; m];
    let mut o2 = vec![0.0f64; m];
    let t = race(
        31,
        0,
        &mut [
            &mut || {
                for _ in 0..100 {
                    c.run(&inputs, Some(&mut BufferMut::from(&mut o1[..])), Some(1))
                        .expect("runs");
                }
                black_box(&o1);
            },
            &mut || {
                for _ in 0..100 {
                    let (x, y, z) = (black_box(&x[..m]), black_box(&y[..m]), black_box(&z[..m]));
                    for (o, ((x, y), z)) in o2.iter_mut().zip(x.iter().zip(y).zip(z)) {
                        *o = x + (y * y + (z * x + 1.0) * 3.0);
                    }
                }
                black_box(&o2);
            },
        ],
    );
    let in_cache = (t[0], t[1]);

    println!(
        "n = {N} float64 elements, medians in ms of thread CPU time (the 2-thread column: wall time)"
    );
    println!();
    println!(
        "| id | expression | VM 1 thread | hand-fused loop | naive one-pass-per-op | VM / fused | naive / fused | VM 2 threads |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in rows {
        println!(
            "| {} | `{}` | {:.3} | {:.3} | {} | {:.2}x | {} | {:.3} |",
            r.id,
            r.expr,
            r.vm1,
            r.fused,
            if r.naive.is_nan() {
                "-".into()
            } else {
                format!("{:.3}", r.naive)
            },
            r.vm1 / r.fused,
            if r.naive.is_nan() {
                "-".into()
            } else {
                format!("{:.2}x", r.naive / r.fused)
            },
            r.vm2
        );
    }
    println!();
    println!(
        "in cache, poly on {m} elements x 100 calls: VM {:.3} ms, fused {:.3} ms, VM / fused {:.2}x",
        in_cache.0,
        in_cache.1,
        in_cache.0 / in_cache.1
    );
}
