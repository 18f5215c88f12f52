//! Times expressions on one thread and on the whole pool, natively (a development aid:
//! `cargo run --release --example par_timing`).
use std::time::Instant;

use numwasm::api::{Engine, Input};

fn main() {
    let e = Engine::new();
    let pool = rayon::current_num_threads();
    for src in [
        "exp(2.1*a + 3.2*b)",
        "2*a + 3*b",
        "sum(a)",
        "sin(a)**2 + cos(b)**2",
    ] {
        for n in [16_384usize, 65_536, 262_144, 1_000_000] {
            let a: Vec<f64> = (0..n)
                .map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5)
                .collect();
            let b: Vec<f64> = (0..n)
                .map(|i| ((i * 104_729) % 1000) as f64 / 1000.0 - 0.5)
                .collect();
            let shape = [n];
            let inputs = [
                ("a", Input::array(&a[..], &shape)),
                ("b", Input::array(&b[..], &shape)),
            ];
            let c = e.compile(src, &inputs).expect("compiles");
            let time = |t: usize| {
                let mut v: Vec<f64> = (0..31)
                    .map(|_| {
                        let t0 = Instant::now();
                        c.run(&inputs, None, Some(t)).expect("runs");
                        t0.elapsed().as_secs_f64() * 1e6
                    })
                    .collect();
                v.sort_by(f64::total_cmp);
                v[15]
            };
            time(1);
            time(pool);
            let t1 = time(1);
            let tp = time(pool);
            println!(
                "{src:24} {n:>8}  1 thread {t1:9.1} us  {pool} threads {tp:9.1} us  ({:.2}x)",
                t1 / tp
            );
        }
    }
}
