//! The pool size and the per-call thread limit (`set_num_threads`).
//!
//! Natively the pool is rayon's global pool. In wasm the `threads` build starts it from JS
//! (see `wasm.rs`) and records its size here; the `simd` build has no pool and reports 1.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};

/// 0 means "no limit set": use the whole pool.
static LIMIT: AtomicUsize = AtomicUsize::new(0);

/// Set once the wasm pool has started; 0 until then (and always 0 without threads).
#[cfg(target_arch = "wasm32")]
static WASM_POOL: AtomicUsize = AtomicUsize::new(0);

/// The number of threads in the pool: the most any call may use.
#[must_use]
pub fn pool_size() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        WASM_POOL.load(Ordering::Relaxed).max(1)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        rayon::current_num_threads()
    }
}

/// Records the size of the wasm pool once it has been built.
#[cfg(all(target_arch = "wasm32", feature = "threads"))]
pub(crate) fn set_wasm_pool_size(n: usize) {
    WASM_POOL.store(n, Ordering::Relaxed);
}

/// The number of threads later calls will use (Numba's `get_num_threads`).
#[must_use]
pub fn get_num_threads() -> usize {
    match LIMIT.load(Ordering::Relaxed) {
        0 => pool_size(),
        k => k.min(pool_size()),
    }
}

/// Limits later calls to `k` threads, `1 <= k <= pool_size()` (Numba's `set_num_threads`).
pub fn set_num_threads(k: usize) -> Result<(), NumThreadsError> {
    let max = pool_size();
    if k == 0 || k > max {
        return Err(NumThreadsError { requested: k, max });
    }
    LIMIT.store(k, Ordering::Relaxed);
    Ok(())
}

/// A thread count outside `1..=pool_size()`; reported to users as a ValueError.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumThreadsError {
    pub requested: usize,
    pub max: usize,
}

impl fmt::Display for NumThreadsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "number of threads must be between 1 and {} (the pool size), got {}",
            self.max, self.requested
        )
    }
}

impl std::error::Error for NumThreadsError {}
