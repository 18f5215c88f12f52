//! The wasm-bindgen surface: thin conversions around `api`, and, in the `threads` build, the
//! shared-memory thread pool that JS starts (see `web/src/pool-worker.js`).

use wasm_bindgen::prelude::*;

use crate::{api, par};

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// The crate version.
#[wasm_bindgen]
#[must_use]
pub fn version() -> String {
    crate::VERSION.to_owned()
}

/// The functions of the expression language as a JSON array (see
/// `api::function_table_json`); the package parses it once at init.
#[wasm_bindgen(js_name = functionTable)]
#[must_use]
pub fn function_table() -> String {
    api::function_table_json()
}

/// What kernels may name (`np.*`, `math.*`, `numba`'s decorators and their options) as
/// JSON, for editors' completions (see `api::kernel_library_json`).
#[wasm_bindgen(js_name = kernelLibrary)]
#[must_use]
pub fn kernel_library() -> String {
    api::kernel_library_json()
}

/// `"threads"` for the shared-memory build, `"simd"` for the single-threaded one.
#[wasm_bindgen(js_name = buildFlavor)]
#[must_use]
pub fn build_flavor() -> String {
    if cfg!(feature = "threads") {
        "threads"
    } else {
        "simd"
    }
    .to_owned()
}

/// Threads in the pool (1 without a pool).
#[wasm_bindgen(js_name = poolSize)]
#[must_use]
pub fn pool_size() -> usize {
    par::pool_size()
}

/// How many threads the latest call on this thread used at most (1 when it ran on the
/// calling thread alone, e.g. under the parallel threshold).
#[wasm_bindgen(js_name = lastRunThreads)]
#[must_use]
pub fn last_run_threads() -> usize {
    api::last_run_threads()
}

/// The tier the latest expression run on this thread used: `"wasm"` (its generated loop)
/// or `"vm"`.
#[wasm_bindgen(js_name = lastRunTier)]
#[must_use]
pub fn last_run_tier() -> String {
    api::last_run_tier().to_owned()
}

/// Threads later calls will use.
#[wasm_bindgen(js_name = getNumThreads)]
#[must_use]
pub fn get_num_threads() -> usize {
    par::get_num_threads()
}

/// Limits later calls to `k` threads; a ValueError outside `1..=poolSize()`.
#[wasm_bindgen(js_name = setNumThreads)]
pub fn set_num_threads(k: usize) -> Result<(), JsValue> {
    par::set_num_threads(k).map_err(|e| error("ValueError", &e.to_string()))
}

/// The pool self-test: a CPU-heavy deterministic sum over `n` terms on `threads` threads.
/// `n` arrives as a JS number and must be an integer in `0..=u32::MAX`: a `usize`
/// parameter would wrap it silently (`2**32 + 5` would run 5 terms).
#[wasm_bindgen(js_name = selfTest)]
pub fn self_test(n: f64, threads: usize) -> Result<f64, JsValue> {
    if !(n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0) {
        return Err(error(
            "ValueError",
            &format!(
                "selfTest(): n must be an integer from 0 to {}, got {n}",
                u32::MAX
            ),
        ));
    }
    Ok(api::selftest::burn(n as usize, threads))
}

/// A JS `Error` with `name` and `kind` set to a Python exception name.
fn error(kind: &str, message: &str) -> JsValue {
    let e = js_sys::Error::new(message);
    e.set_name(kind);
    set(&e, "kind", &kind.into());
    e.into()
}

fn set(target: &JsValue, key: &str, value: &JsValue) {
    // Interned: the key's JS string is made once, not decoded from wasm memory per call.
    let _ = js_sys::Reflect::set(target, &wasm_bindgen::intern(key).into(), value);
}

mod engine;
mod jit;
mod kernels;
mod vmath_exports;

#[cfg(feature = "threads")]
mod pool {
    //! A rayon pool over web workers. JS creates `PoolBuilder(n)`, starts `n` workers that
    //! each instantiate this module on the same memory and call `poolWorkerRun(receiver)`,
    //! then calls `build()`, which hands one rayon thread to each waiting worker.

    use crossbeam_channel::{Receiver, Sender, bounded};
    use rayon::{ThreadBuilder, ThreadPoolBuilder};
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    pub struct PoolBuilder {
        num_threads: usize,
        sender: Sender<ThreadBuilder>,
        receiver: Receiver<ThreadBuilder>,
    }

    #[wasm_bindgen]
    impl PoolBuilder {
        #[wasm_bindgen(constructor)]
        #[must_use]
        pub fn new(num_threads: usize) -> PoolBuilder {
            let (sender, receiver) = bounded(num_threads);
            PoolBuilder {
                num_threads,
                sender,
                receiver,
            }
        }

        /// The address of the channel the workers receive their rayon thread from. It stays
        /// valid while this builder lives; JS keeps the builder for the page's lifetime.
        #[must_use]
        pub fn receiver(&self) -> usize {
            std::ptr::from_ref(&self.receiver) as usize
        }

        /// Builds rayon's global pool; call once every worker waits in `poolWorkerRun`.
        pub fn build(&mut self) -> Result<(), JsValue> {
            let sender = self.sender.clone();
            ThreadPoolBuilder::new()
                .num_threads(self.num_threads)
                .spawn_handler(move |thread| {
                    sender
                        .send(thread)
                        .map_err(|e| std::io::Error::other(e.to_string()))
                })
                .build_global()
                .map_err(|e| JsValue::from_str(&e.to_string()))?;
            crate::par::threads::set_wasm_pool_size(self.num_threads);
            Ok(())
        }
    }

    /// Runs one rayon thread on the calling worker; returns only if the pool shuts down.
    ///
    /// # Safety
    /// `receiver` must come from `PoolBuilder::receiver` of a builder that is still alive.
    #[wasm_bindgen(js_name = poolWorkerRun)]
    pub unsafe fn pool_worker_run(receiver: usize) -> Result<(), JsValue> {
        // SAFETY: the caller passes the address returned by `PoolBuilder::receiver`, and the
        // builder (owned by the compute worker) outlives every pool worker.
        let receiver = unsafe { &*(receiver as *const Receiver<ThreadBuilder>) };
        let thread = receiver
            .recv()
            .map_err(|e| JsValue::from_str(&e.to_string()))?;
        thread.run();
        Ok(())
    }

    /// The compiled module, to send to pool workers.
    #[wasm_bindgen(js_name = poolModule)]
    #[must_use]
    pub fn wasm_module() -> JsValue {
        wasm_bindgen::module()
    }

    /// The shared memory, to send to pool workers.
    #[wasm_bindgen(js_name = poolMemory)]
    #[must_use]
    pub fn wasm_memory() -> JsValue {
        wasm_bindgen::memory()
    }
}
