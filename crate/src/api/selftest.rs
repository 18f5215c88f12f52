//! A CPU-heavy, deterministic computation used to prove that the thread pool works: the
//! browser tests run it with 1 and with 2 threads and compare the results bit for bit.

use crate::par;

/// Elements per chunk of the self-test; fixed so results do not depend on the thread count.
const CHUNK: usize = 1 << 14;

/// Computes `sum(sqrt(i + 1) * sin(i * 1e-3) for i in 0..n)` on `threads` threads (clamped to
/// the pool). Chunk sums are combined in chunk order, so any thread count gives the same bits.
#[must_use]
pub fn burn(n: usize, threads: usize) -> f64 {
    // About 20 ns per term (a scalar sqrt and sin).
    let threads = par::effective_threads(
        Some(threads.max(1)),
        n as f64 * 20.0,
        par::n_chunks(n, CHUNK),
    );
    par::map_chunks(n, CHUNK, threads, |_, range| {
        range
            .map(|i| ((i + 1) as f64).sqrt() * (i as f64 * 1e-3).sin())
            .sum::<f64>()
    })
    .into_iter()
    .fold(0.0, |acc, part| acc + part)
}

#[cfg(test)]
mod tests {
    #[test]
    fn burn_is_identical_for_any_thread_count() {
        let one = super::burn(1_000_000, 1);
        assert!(one.is_finite() && one != 0.0);
        for k in 2..=4 {
            assert_eq!(
                one.to_bits(),
                super::burn(1_000_000, k).to_bits(),
                "threads={k}"
            );
        }
    }
}
