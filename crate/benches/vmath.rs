//! Native speed of `vmath` against glibc's scalar libm, per element.
//!
//! `cargo bench --bench vmath` runs every function over 1e6 elements (float64 and
//! float32) through the public slice helpers (`map_f64`, `map2_f64`, ...) and through a
//! plain scalar loop calling Rust's `f64::exp` etc. (glibc's libm natively), takes the
//! median of several repeats, prints a table and writes docs/vmath-speed.md.
//! Inputs are deterministic and lie in each function's usual range.

#![feature(portable_simd)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Instant;

use numwasm::vmath::*;

const N: usize = 1_000_000;
const REPEATS: usize = 15;

struct Rng(u64);
impl Rng {
    fn unit(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn data(lo: f64, hi: f64, seed: u64) -> Vec<f64> {
    let mut r = Rng(seed | 1);
    (0..N).map(|_| lo + (hi - lo) * r.unit()).collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Time `ours` and `libm` alternately (so that load from other processes hits both alike):
/// median nanoseconds per element of each, and the median of the per-pair ratios
/// libm / ours.
fn time_pair(mut ours: impl FnMut(), mut libm: impl FnMut()) -> (f64, f64, f64) {
    let once = |f: &mut dyn FnMut()| {
        let s = Instant::now();
        f();
        s.elapsed().as_secs_f64() * 1e9 / N as f64
    };
    once(&mut ours);
    once(&mut libm);
    let (mut a, mut b, mut r) = (vec![], vec![], vec![]);
    for _ in 0..REPEATS {
        let (x, y) = (once(&mut ours), once(&mut libm));
        a.push(x);
        b.push(y);
        r.push(y / x);
    }
    (median(a), median(b), median(r))
}

struct Row {
    name: &'static str,
    ours64: f64,
    libm64: f64,
    ratio64: f64,
    ours32: f64,
    libm32: f64,
    ratio32: f64,
}

type U64 = fn(std::simd::f64x2) -> std::simd::f64x2;
type U32 = fn(std::simd::f32x4) -> std::simd::f32x4;
type B64 = fn(std::simd::f64x2, std::simd::f64x2) -> std::simd::f64x2;
type B32 = fn(std::simd::f32x4, std::simd::f32x4) -> std::simd::f32x4;

#[allow(clippy::too_many_arguments)]
fn unary(
    name: &'static str,
    v64: U64,
    s64: fn(f64) -> f64,
    v32: U32,
    s32: fn(f32) -> f32,
    lo: f64,
    hi: f64,
) -> Option<Row> {
    if !wanted(name) {
        return None;
    }
    let x = data(lo, hi, name.len() as u64 * 7919);
    let xf: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let (mut o1, mut o2) = (vec![0.0; N], vec![0.0; N]);
    let (mut f1, mut f2) = (vec![0.0f32; N], vec![0.0f32; N]);
    let (ours64, libm64, ratio64) = time_pair(
        || map_f64(v64, black_box(&x), black_box(&mut o1)),
        || {
            for (o, &v) in o2.iter_mut().zip(black_box(&x)) {
                *o = s64(v);
            }
        },
    );
    let (ours32, libm32, ratio32) = time_pair(
        || map_f32(v32, black_box(&xf), black_box(&mut f1)),
        || {
            for (o, &v) in f2.iter_mut().zip(black_box(&xf)) {
                *o = s32(v);
            }
        },
    );
    black_box((&o1, &o2, &f1, &f2));
    Some(Row {
        name,
        ours64,
        libm64,
        ratio64,
        ours32,
        libm32,
        ratio32,
    })
}

#[allow(clippy::too_many_arguments)]
fn binary(
    name: &'static str,
    v64: B64,
    s64: fn(f64, f64) -> f64,
    v32: B32,
    s32: fn(f32, f32) -> f32,
    x: (f64, f64),
    y: (f64, f64),
) -> Option<Row> {
    if !wanted(name) {
        return None;
    }
    let a = data(x.0, x.1, 17);
    let b = data(y.0, y.1, 31);
    let af: Vec<f32> = a.iter().map(|&v| v as f32).collect();
    let bf: Vec<f32> = b.iter().map(|&v| v as f32).collect();
    let (mut o1, mut o2) = (vec![0.0; N], vec![0.0; N]);
    let (mut f1, mut f2) = (vec![0.0f32; N], vec![0.0f32; N]);
    let (ours64, libm64, ratio64) = time_pair(
        || map2_f64(v64, black_box(&a), black_box(&b), black_box(&mut o1)),
        || {
            for ((o, &u), &v) in o2.iter_mut().zip(black_box(&a)).zip(black_box(&b)) {
                *o = s64(u, v);
            }
        },
    );
    let (ours32, libm32, ratio32) = time_pair(
        || map2_f32(v32, black_box(&af), black_box(&bf), black_box(&mut f1)),
        || {
            for ((o, &u), &v) in f2.iter_mut().zip(black_box(&af)).zip(black_box(&bf)) {
                *o = s32(u, v);
            }
        },
    );
    black_box((&o1, &o2, &f1, &f2));
    Some(Row {
        name,
        ours64,
        libm64,
        ratio64,
        ours32,
        libm32,
        ratio32,
    })
}

/// `VMATH_BENCH_ONLY=pow` times one function and leaves the docs alone.
fn wanted(name: &str) -> bool {
    std::env::var("VMATH_BENCH_ONLY").map_or(true, |o| o == name)
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, std::num::NonZero::get);
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into());
    format!(
        "{cpu}, {cores} logical cores visible (1-minute load average {load} when the run began), x86_64 baseline target (SSE2, no FMA), release profile (opt-level 3, fat LTO), one thread"
    )
}

fn main() {
    let machine = machine();
    let rows: Vec<Row> = [
        unary("exp", exp_f64x2, f64::exp, exp_f32x4, f32::exp, -50.0, 50.0),
        unary(
            "exp2",
            exp2_f64x2,
            f64::exp2,
            exp2_f32x4,
            f32::exp2,
            -60.0,
            60.0,
        ),
        unary(
            "expm1",
            expm1_f64x2,
            f64::exp_m1,
            expm1_f32x4,
            f32::exp_m1,
            -5.0,
            5.0,
        ),
        unary("log", log_f64x2, f64::ln, log_f32x4, f32::ln, 1e-3, 1e3),
        unary(
            "log2",
            log2_f64x2,
            f64::log2,
            log2_f32x4,
            f32::log2,
            1e-3,
            1e3,
        ),
        unary(
            "log10",
            log10_f64x2,
            f64::log10,
            log10_f32x4,
            f32::log10,
            1e-3,
            1e3,
        ),
        unary(
            "log1p",
            log1p_f64x2,
            f64::ln_1p,
            log1p_f32x4,
            f32::ln_1p,
            -0.9,
            10.0,
        ),
        unary(
            "sqrt",
            sqrt_f64x2,
            f64::sqrt,
            sqrt_f32x4,
            f32::sqrt,
            0.0,
            1e3,
        ),
        unary(
            "cbrt",
            cbrt_f64x2,
            f64::cbrt,
            cbrt_f32x4,
            f32::cbrt,
            -1e3,
            1e3,
        ),
        unary(
            "sin",
            sin_f64x2,
            f64::sin,
            sin_f32x4,
            f32::sin,
            -100.0,
            100.0,
        ),
        unary(
            "cos",
            cos_f64x2,
            f64::cos,
            cos_f32x4,
            f32::cos,
            -100.0,
            100.0,
        ),
        unary(
            "tan",
            tan_f64x2,
            f64::tan,
            tan_f32x4,
            f32::tan,
            -100.0,
            100.0,
        ),
        unary(
            "arcsin",
            arcsin_f64x2,
            f64::asin,
            arcsin_f32x4,
            f32::asin,
            -1.0,
            1.0,
        ),
        unary(
            "arccos",
            arccos_f64x2,
            f64::acos,
            arccos_f32x4,
            f32::acos,
            -1.0,
            1.0,
        ),
        unary(
            "arctan",
            arctan_f64x2,
            f64::atan,
            arctan_f32x4,
            f32::atan,
            -10.0,
            10.0,
        ),
        unary(
            "sinh",
            sinh_f64x2,
            f64::sinh,
            sinh_f32x4,
            f32::sinh,
            -10.0,
            10.0,
        ),
        unary(
            "cosh",
            cosh_f64x2,
            f64::cosh,
            cosh_f32x4,
            f32::cosh,
            -10.0,
            10.0,
        ),
        unary(
            "tanh",
            tanh_f64x2,
            f64::tanh,
            tanh_f32x4,
            f32::tanh,
            -5.0,
            5.0,
        ),
        unary(
            "arcsinh",
            arcsinh_f64x2,
            f64::asinh,
            arcsinh_f32x4,
            f32::asinh,
            -100.0,
            100.0,
        ),
        unary(
            "arccosh",
            arccosh_f64x2,
            f64::acosh,
            arccosh_f32x4,
            f32::acosh,
            1.0,
            100.0,
        ),
        unary(
            "arctanh",
            arctanh_f64x2,
            f64::atanh,
            arctanh_f32x4,
            f32::atanh,
            -0.99,
            0.99,
        ),
        unary(
            "floor",
            floor_f64x2,
            f64::floor,
            floor_f32x4,
            f32::floor,
            -1e3,
            1e3,
        ),
        unary(
            "ceil",
            ceil_f64x2,
            f64::ceil,
            ceil_f32x4,
            f32::ceil,
            -1e3,
            1e3,
        ),
        unary(
            "trunc",
            trunc_f64x2,
            f64::trunc,
            trunc_f32x4,
            f32::trunc,
            -1e3,
            1e3,
        ),
        unary(
            "round",
            round_f64x2,
            f64::round_ties_even,
            round_f32x4,
            f32::round_ties_even,
            -1e3,
            1e3,
        ),
        binary(
            "pow",
            pow_f64x2,
            f64::powf,
            pow_f32x4,
            f32::powf,
            (0.01, 10.0),
            (-10.0, 10.0),
        ),
        binary(
            "arctan2",
            arctan2_f64x2,
            f64::atan2,
            arctan2_f32x4,
            f32::atan2,
            (-10.0, 10.0),
            (-10.0, 10.0),
        ),
        binary(
            "hypot",
            hypot_f64x2,
            f64::hypot,
            hypot_f32x4,
            f32::hypot,
            (-1e3, 1e3),
            (-1e3, 1e3),
        ),
        binary(
            "fmod",
            fmod_f64x2,
            |a, b| a % b,
            fmod_f32x4,
            |a, b| a % b,
            (-1e3, 1e3),
            (0.5, 10.0),
        ),
    ]
    .into_iter()
    .flatten()
    .collect();
    if std::env::var("VMATH_BENCH_ONLY").is_ok() {
        for r in &rows {
            println!(
                "{} f64 {:.2} vs {:.2} ns, f32 {:.2} vs {:.2} ns",
                r.name, r.ours64, r.libm64, r.ours32, r.libm32
            );
        }
        return;
    }
    let mut md = String::new();
    let _ = writeln!(md, "# vmath native speed\n");
    let _ = writeln!(
        md,
        "Generated by `cargo bench --bench vmath` (crate/benches/vmath.rs): {N} elements per \
         function, median of {REPEATS} runs, nanoseconds per element; the two columns of a pair are \
         timed alternately and the ratio is the median of the per-run ratios, which \
         resists load from other processes better than the times do. \"vmath\" runs the lane \
         function through the public slice helper (`map_f64`/`map_f32`, two or four lanes \
         per call); \"libm\" is a scalar loop over Rust's `f64::exp` etc., which is glibc's \
         libm here. Ratio = libm time / vmath time (above 1: vmath is faster; the target is \
         0.5 or more, i.e. within 2x).\n\nMachine: {}.\n",
        machine
    );
    let _ = writeln!(
        md,
        "| function | f64 vmath ns | f64 libm ns | f64 ratio | f32 vmath ns | f32 libm ns | f32 ratio |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|");
    for r in &rows {
        let line = format!(
            "| {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} |",
            r.name, r.ours64, r.libm64, r.ratio64, r.ours32, r.libm32, r.ratio32
        );
        println!("{line}");
        let _ = writeln!(md, "{line}");
    }
    let lowest = rows
        .iter()
        .flat_map(|r| {
            [
                (r.ratio64, r.name, "float64"),
                (r.ratio32, r.name, "float32"),
            ]
        })
        .min_by(|a, b| a.0.total_cmp(&b.0));
    if let Some((ratio, name, dtype)) = lowest {
        let _ = writeln!(
            md,
            "\nLowest ratio: {ratio:.2} ({name}, {dtype}); the native target (within 2x of \
             libm, a ratio of at least 0.5) is {}.",
            if ratio >= 0.5 {
                "met for every function"
            } else {
                "not met"
            }
        );
    }
    let _ = writeln!(
        md,
        "\nThe 2-core development machine is shared with other work: absolute times (both \
         columns) moved by up to 2x between runs while the ratios moved less. The browser \
         comparison against JS `Math.*` is separate."
    );
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/vmath-speed.md");
    // The browser section (from `node bench/vmath.mjs`) follows the native table; keep it.
    if let Ok(old) = std::fs::read_to_string(path)
        && let Some(at) = old.find("\n## In the browser")
    {
        md.push_str(&old[at..]);
    }
    std::fs::write(path, md).expect("write docs/vmath-speed.md");
}
