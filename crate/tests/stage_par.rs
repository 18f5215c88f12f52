//! The par stage: chunk boundaries depend only on the problem size and the chunk length,
//! never on the thread count, and a reduction combines its chunk partials in one fixed
//! order, so sums are bit-identical on any number of threads.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::ops::Range;

use common::Rng;
use numwasm::api::{Engine, Input, last_run_threads};
use numwasm::par::{chunk_range, for_each_chunk_mut, map_chunks, n_chunks, pool_size};
use numwasm::types::Buffer;
use numwasm::types::elem::pairwise_sum;
use numwasm::vm::{BLOCK, CHUNK};

/// Four pool threads, so that 2, 3 and 4-thread calls really run in parallel.
fn pool() {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build_global();
}

/// The chunks of `0..n` in order: every chunk `chunk` long but the last.
fn expected_chunks(n: usize, chunk: usize) -> Vec<(usize, Range<usize>)> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < n {
        let end = (start + chunk).min(n);
        out.push((out.len(), start..end));
        start = end;
    }
    out
}

#[test]
fn chunk_boundaries_do_not_depend_on_the_thread_count() {
    pool();
    for n in [0, 1, 6, 7, 8, 999, 1000, 1001, 12_345] {
        for chunk in [1, 7, 1000] {
            let want = expected_chunks(n, chunk);
            assert_eq!(n_chunks(n, chunk), want.len(), "n={n} chunk={chunk}");
            for (i, r) in &want {
                assert_eq!(chunk_range(*i, n, chunk), r.clone());
            }
            for threads in 1..=4 {
                let got = map_chunks(n, chunk, threads, |i, r| (i, r));
                assert_eq!(
                    got, want,
                    "map_chunks n={n} chunk={chunk} threads={threads}"
                );
                let mut out = vec![(usize::MAX, 0..0); n];
                for_each_chunk_mut(&mut out, chunk, threads, |i, r, part| {
                    assert_eq!(part.len(), r.len());
                    for slot in part {
                        *slot = (i, r.clone());
                    }
                });
                let seen: Vec<(usize, Range<usize>)> = want
                    .iter()
                    .flat_map(|(i, r)| r.clone().map(move |_| (*i, r.clone())))
                    .collect();
                assert_eq!(
                    out, seen,
                    "for_each_chunk_mut n={n} chunk={chunk} threads={threads}"
                );
            }
        }
    }
    // A zero chunk length is taken as 1 rather than dividing by zero.
    assert_eq!(n_chunks(5, 0), 5);
}

/// The engine's whole-array float sum, computed here by hand: NumPy's pairwise sum inside
/// each block, pairwise over the blocks of a chunk, pairwise over the chunks, then `0 +`.
fn documented_sum(x: &[f64]) -> f64 {
    let chunk_partials: Vec<f64> = x
        .chunks(CHUNK)
        .map(|c| {
            let blocks: Vec<f64> = c.chunks(BLOCK).map(pairwise_sum).collect();
            pairwise_sum(&blocks)
        })
        .collect();
    0.0 + pairwise_sum(&chunk_partials)
}

#[test]
fn a_reduction_combines_chunks_in_one_order_for_any_thread_count() {
    pool();
    // Enough elements to pass the parallel threshold, in a number of chunks that no
    // thread count divides evenly, with a partial last block.
    let n = 37 * CHUNK + 3 * BLOCK + 77;
    let mut rng = Rng::new(7);
    // Magnitudes over many decades, so that the order of additions shows in the bits.
    let x: Vec<f64> = (0..n)
        .map(|_| (rng.float() - 0.5) * 10f64.powi(rng.below(12) as i32))
        .collect();
    let want = documented_sum(&x);
    let sequential = x.iter().fold(0.0, |a, &b| a + b);
    assert_ne!(
        want.to_bits(),
        sequential.to_bits(),
        "the data must tell the orders apart"
    );
    let shape = [n];
    for threads in 1..=4 {
        let got = run_f64("sum(x)", "x", &x, &shape, threads)[0];
        assert_eq!(
            got.to_bits(),
            want.to_bits(),
            "threads={threads}: {got} vs {want}"
        );
        if threads > 1 && pool_size() > 1 {
            assert!(last_run_threads() > 1, "threads={threads} ran serially");
        }
    }
}

/// Runs `source` over one float64 array on at most `threads` threads.
fn run_f64(source: &str, name: &str, x: &[f64], shape: &[usize], threads: usize) -> Vec<f64> {
    let inputs = [(name, Input::array(x, shape))];
    let r = Engine::new()
        .compile(source, &inputs)
        .unwrap_or_else(|e| panic!("{}", e.render(source)))
        .run(&inputs, None, Some(threads))
        .unwrap()
        .expect("a result");
    match r.data {
        Buffer::F64(v) => v,
        other => panic!("{source}: {:?}", other.dtype()),
    }
}

#[test]
fn axis_reductions_are_identical_for_any_thread_count() {
    pool();
    let (rows, cols) = (700, 1001);
    let mut rng = Rng::new(11);
    let m: Vec<f64> = (0..rows * cols)
        .map(|_| (rng.float() - 0.5) * 10f64.powi(rng.below(10) as i32))
        .collect();
    let shape = [rows, cols];
    // Along the last axis each row is a pairwise sum; along the first, each column adds
    // its rows in index order.
    let row_sums: Vec<f64> = m.chunks(cols).map(|r| 0.0 + pairwise_sum(r)).collect();
    let col_sums: Vec<f64> = (0..cols)
        .map(|j| (1..rows).fold(0.0 + m[j], |a, i| a + m[i * cols + j]))
        .collect();
    for threads in 1..=4 {
        for (src, want) in [("sum(m, axis=1)", &row_sums), ("sum(m, axis=0)", &col_sums)] {
            let got = run_f64(src, "m", &m, &shape, threads);
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&got), bits(want), "{src} threads={threads}");
            if threads > 1 && pool_size() > 1 {
                assert!(
                    last_run_threads() > 1,
                    "{src} threads={threads} ran serially"
                );
            }
        }
    }
}
