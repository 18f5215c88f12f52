//! par: the scheduler. In: a problem size, a chunk length and a closure over one chunk.
//! Out: the closure run over every chunk on up to `threads` pool threads, with per-chunk
//! results returned in chunk order.
//!
//! Chunk boundaries depend only on the problem size and the chunk length, never on the
//! thread count, and results come back in chunk order: a reduction that combines them in
//! that order is bit-identical for 1, 2, 3 ... threads.
//!
//! A call uses at most `k` threads (Numba's `set_num_threads` mask): the calling thread and
//! `k - 1` tasks handed to the pool, each taking the next unclaimed chunk from a shared
//! counter until none is left. The call returns when every chunk has run; it never waits
//! for a pool thread to start. The pool itself is started once with the most threads the
//! program may use. Calls whose estimated serial time is small run on the calling thread
//! alone (`effective_threads`).

pub(crate) mod threads;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};

pub use threads::{NumThreadsError, get_num_threads, pool_size, set_num_threads};

/// A call whose estimated serial time is below this runs on the calling thread alone:
/// waking pool threads (tens to a few hundred microseconds for a sleeping browser worker)
/// and sharing the memory bus would cost more than it saves. Measured in Chromium on the
/// 2-core development machine (docs/threads.md).
pub const PARALLEL_MIN_NS: f64 = 500_000.0;

/// How many threads a call should use when it asks for `requested` threads (`None`: the
/// current `set_num_threads` limit), given its estimated serial time `cost_ns` and its
/// `n_chunks` chunks.
#[must_use]
pub fn effective_threads(requested: Option<usize>, cost_ns: f64, n_chunks: usize) -> usize {
    if cost_ns.is_nan() || cost_ns < PARALLEL_MIN_NS || n_chunks < 2 {
        return 1;
    }
    let k = requested.unwrap_or_else(get_num_threads);
    k.clamp(1, pool_size()).min(n_chunks)
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
    let slots: Vec<Mutex<Option<T>>> = (0..count).map(|_| Mutex::new(None)).collect();
    run_chunks(count, threads, &|i| {
        let t = f(i, chunk_range(i, n, chunk));
        *slots[i]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(t);
    });
    slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .expect("run_chunks ran every chunk")
        })
        .collect()
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
    // Each slot is taken exactly once, by whichever thread claims its index.
    let slots: Vec<Mutex<Option<&mut [T]>>> =
        out.chunks_mut(chunk).map(|c| Mutex::new(Some(c))).collect();
    run_chunks(slots.len(), threads, &|i| {
        let part = slots[i]
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(part) = part {
            f(i, chunk_range(i, n, chunk), part);
        }
    });
}

/// Runs `job(i)` once for every `i` in `0..count` on up to `k` threads: the calling thread
/// and `k - 1` tasks handed to the pool.
///
/// Every thread claims the next unrun index from a shared counter until none is left, and
/// the call returns as soon as every index has run. It never waits for a pool thread to
/// *start*: a pool thread that wakes up late (a sleeping browser worker can take a few
/// hundred microseconds) finds nothing left and does nothing, so a call costs at most about
/// what the serial loop costs plus the hand-off. (The caller waits only for indices that
/// another thread has claimed and is running.) Before, the whole call was one job handed to
/// the pool (`rayon::scope` from outside the pool) and the caller slept until it came back,
/// which cost 100-300 µs per call in Chromium (three sleeping threads woken in turn).
fn run_chunks(count: usize, k: usize, job: &(dyn Fn(usize) + Sync)) {
    if k <= 1 || count <= 1 || pool_size() <= 1 {
        (0..count).for_each(job);
        return;
    }
    // SAFETY: the pointer is dereferenced only for a claimed index below `count`, and this
    // function returns only after every such index has finished running (`remaining`
    // reaches 0), so `job` outlives every use; late tasks touch only the shared counters,
    // which the Arc keeps alive.
    // A pointer cast cannot lengthen a trait object's lifetime bound; a transmute can.
    #[allow(clippy::transmute_ptr_to_ptr)]
    let job: *const (dyn Fn(usize) + Sync + 'static) = unsafe {
        std::mem::transmute::<
            *const (dyn Fn(usize) + Sync + '_),
            *const (dyn Fn(usize) + Sync + 'static),
        >(job)
    };
    let shared = Arc::new(Shared {
        job,
        count,
        next: AtomicUsize::new(0),
        remaining: AtomicUsize::new(count),
        panicked: AtomicBool::new(false),
        sleep: Mutex::new(()),
        wake: Condvar::new(),
    });
    for _ in 1..k.min(count) {
        let s = Arc::clone(&shared);
        rayon::spawn(move || s.drive());
    }
    shared.drive();
    shared.wait();
    assert!(
        !shared.panicked.load(Ordering::Relaxed),
        "a parallel task panicked"
    );
}

/// The state one [`run_chunks`] call shares with its pool tasks.
struct Shared {
    job: *const (dyn Fn(usize) + Sync + 'static),
    count: usize,
    /// The next index to claim (may run past `count`).
    next: AtomicUsize,
    /// Indices not yet finished.
    remaining: AtomicUsize,
    panicked: AtomicBool,
    /// Where a caller that went to sleep waits for `remaining` to reach 0; whoever finishes
    /// the last index takes the lock before notifying, so the wake-up cannot be lost.
    sleep: Mutex<()>,
    wake: Condvar,
}

// SAFETY: `job` points to a `Sync` closure and is only called while the caller of
// `run_chunks` keeps it alive (see there); everything else is atomics and locks.
unsafe impl Send for Shared {}
// SAFETY: as for Send.
unsafe impl Sync for Shared {}

impl Shared {
    /// Claims and runs indices until none is left.
    fn drive(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            if i >= self.count {
                return;
            }
            // SAFETY: `i < count` was claimed and has not finished, so the caller of
            // `run_chunks` is still waiting and `job` is alive.
            let job = unsafe { &*self.job };
            if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(i))).is_err() {
                self.panicked.store(true, Ordering::Relaxed);
            }
            if self.remaining.fetch_sub(1, Ordering::AcqRel) == 1 {
                drop(
                    self.sleep
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner),
                );
                self.wake.notify_all();
            }
        }
    }

    /// Waits until every index has finished: spins briefly (the other threads are usually
    /// finishing their last index), then sleeps.
    fn wait(&self) {
        for _ in 0..1 << 16 {
            if self.remaining.load(Ordering::Acquire) == 0 {
                return;
            }
            std::hint::spin_loop();
        }
        let mut guard = self
            .sleep
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while self.remaining.load(Ordering::Acquire) != 0 {
            guard = self
                .wake
                .wait(guard)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
    }
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

    /// A call never waits for a pool thread to start: with every pool thread busy, the
    /// calling thread runs all the chunks itself and returns.
    #[test]
    fn calls_do_not_wait_for_busy_pool_threads() {
        use std::sync::mpsc;
        use std::time::Duration;
        let threads = pool_size();
        let (release, blocked) = mpsc::channel::<()>();
        let blocked = Arc::new(Mutex::new(blocked));
        let (started_tx, started) = mpsc::channel::<()>();
        for _ in 0..threads {
            let (blocked, started_tx) = (Arc::clone(&blocked), started_tx.clone());
            rayon::spawn(move || {
                started_tx.send(()).unwrap();
                let _ = blocked.lock().unwrap().recv();
            });
        }
        for _ in 0..threads {
            started.recv_timeout(Duration::from_secs(10)).unwrap();
        }
        let (done_tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            let parts = map_chunks(100_000, 1000, threads.max(2), |i, r| (i, r.len()));
            done_tx.send(parts).unwrap();
        });
        let parts = done.recv_timeout(Duration::from_secs(10));
        for _ in 0..threads {
            release.send(()).unwrap();
        }
        let parts = parts.expect("map_chunks waited for busy pool threads");
        assert_eq!(parts.len(), 100);
        assert!(
            parts
                .iter()
                .enumerate()
                .all(|(k, &(i, len))| i == k && len == 1000)
        );
    }

    #[test]
    fn small_work_stays_serial() {
        assert_eq!(effective_threads(Some(8), 10.0, 1), 1);
        assert_eq!(effective_threads(Some(8), PARALLEL_MIN_NS / 2.0, 100), 1);
        assert_eq!(effective_threads(Some(8), f64::NAN, 100), 1);
        assert!(effective_threads(Some(2), 1e9, 1000) <= 2);
    }
}
