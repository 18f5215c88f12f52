//! par: the scheduler. In: a problem size, a chunk length and a closure over one chunk.
//! Out: the closure run over every chunk on up to `threads` pool threads, with per-chunk
//! results returned in chunk order.
//!
//! Chunk boundaries depend only on the problem size and the chunk length, never on the
//! thread count, and results come back in chunk order: a reduction that combines them in
//! that order is bit-identical for 1, 2, 3 ... threads.
//!
//! A call uses at most `k` threads (Numba's `set_num_threads` mask): exactly `k` tasks are
//! started, and each takes the next unclaimed chunk from a shared counter until none is
//! left. The pool itself is started once with the most threads the program may use.

pub(crate) mod threads;

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

pub use threads::{NumThreadsError, get_num_threads, pool_size, set_num_threads};

/// Below this many elements of work a call runs serially: starting tasks on other threads
/// costs more than it saves, and parallel must never be slower than serial.
pub const SERIAL_THRESHOLD: usize = 32 * 1024;

/// How many threads a call over `work` elements should use when it asks for `requested`
/// threads (`None`: the current `set_num_threads` limit), given `n_chunks` chunks.
#[must_use]
pub fn effective_threads(requested: Option<usize>, work: usize, n_chunks: usize) -> usize {
    if work < SERIAL_THRESHOLD {
        return 1;
    }
    let k = requested.unwrap_or_else(get_num_threads);
    k.clamp(1, pool_size()).min(n_chunks.max(1))
}

/// The number of chunks of length `chunk` that cover `n` elements.
#[must_use]
pub fn n_chunks(n: usize, chunk: usize) -> usize {
    n.div_ceil(chunk.max(1))
}

/// The element range of chunk `i`.
#[must_use]
pub fn chunk_range(i: usize, n: usize, chunk: usize) -> Range<usize> {
    let start = i * chunk;
    start..(start + chunk).min(n)
}

/// Runs `f(chunk_index, range)` for every chunk of `0..n` on `threads` threads and returns
/// the results in chunk order.
pub fn map_chunks<T, F>(n: usize, chunk: usize, threads: usize, f: F) -> Vec<T>
where
    T: Send,
    F: Fn(usize, Range<usize>) -> T + Sync,
{
    let count = n_chunks(n, chunk);
    if threads <= 1 || count <= 1 {
        return (0..count).map(|i| f(i, chunk_range(i, n, chunk))).collect();
    }
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, T)>> = Mutex::new(Vec::with_capacity(count));
    let work = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= count {
                break;
            }
            mine.push((i, f(i, chunk_range(i, n, chunk))));
        }
        done.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(mine);
    };
    run_tasks(threads, &work);
    let mut done = done
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    done.sort_unstable_by_key(|&(i, _)| i);
    done.into_iter().map(|(_, t)| t).collect()
}

/// Runs `f(chunk_index, range, out_chunk)` for every chunk, where `out_chunk` is the part of
/// `out` that the chunk covers, on `threads` threads.
pub fn for_each_chunk_mut<T, F>(out: &mut [T], chunk: usize, threads: usize, f: F)
where
    T: Send,
    F: Fn(usize, Range<usize>, &mut [T]) + Sync,
{
    let n = out.len();
    let chunk = chunk.max(1);
    if threads <= 1 || n <= chunk {
        for (i, part) in out.chunks_mut(chunk).enumerate() {
            f(i, chunk_range(i, n, chunk), part);
        }
        return;
    }
    // Each slot is taken exactly once, by whichever task claims its index.
    let slots: Vec<Mutex<Option<&mut [T]>>> =
        out.chunks_mut(chunk).map(|c| Mutex::new(Some(c))).collect();
    let next = AtomicUsize::new(0);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(slot) = slots.get(i) else { break };
            let part = slot
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .take();
            if let Some(part) = part {
                f(i, chunk_range(i, n, chunk), part);
            }
        }
    };
    run_tasks(threads, &work);
}

/// Runs `work` on `k` pool threads at once and waits for all of them.
fn run_tasks(k: usize, work: &(dyn Fn() + Sync)) {
    if k <= 1 || pool_size() <= 1 {
        work();
        return;
    }
    rayon::scope(|s| {
        for _ in 1..k {
            s.spawn(|_| work());
        }
        work();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range_in_order() {
        let parts = map_chunks(100_003, 1000, 3, |i, r| (i, r));
        assert_eq!(parts.len(), 101);
        let mut expect = 0;
        for (k, (i, r)) in parts.iter().enumerate() {
            assert_eq!(*i, k);
            assert_eq!(r.start, expect);
            expect = r.end;
        }
        assert_eq!(expect, 100_003);
    }

    #[test]
    fn float_partials_are_identical_across_thread_counts() {
        let sum = |threads| {
            map_chunks(1 << 20, 4096, threads, |_, r| {
                r.map(|i| (i as f64 * 1e-3).sin()).sum::<f64>()
            })
            .into_iter()
            .fold(0.0, |a, b| a + b)
        };
        let one = sum(1);
        assert_eq!(one.to_bits(), sum(2).to_bits());
        assert_eq!(one.to_bits(), sum(3).to_bits());
    }

    #[test]
    fn for_each_chunk_mut_writes_every_element_once() {
        let mut out = vec![0u32; 70_001];
        for_each_chunk_mut(&mut out, 4096, 2, |_, r, part| {
            for (o, i) in part.iter_mut().zip(r) {
                *o += i as u32;
            }
        });
        assert!(out.iter().enumerate().all(|(i, &v)| v == i as u32));
    }

    #[test]
    fn small_work_stays_serial() {
        assert_eq!(effective_threads(Some(8), 10, 1), 1);
        assert!(effective_threads(Some(2), 1 << 22, 1000) <= 2);
    }
}
