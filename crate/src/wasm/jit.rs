//! The host of generated kernel modules (`back::wasm`) in the browser and Node: it compiles
//! a module's bytes with the JS engine's own `WebAssembly.Module` (which gives machine
//! code: V8's Liftoff at once, TurboFan for hot functions), instantiates it against this
//! module's memory and raw exports (`env.memory`, and `numwasm.*` for the vmath functions
//! it imports), and calls its trampoline. Everything is synchronous, so it works the same
//! on the compute worker, in Node and, later, inside a pool task on every pool thread.
//!
//! Instances are kept per thread (a function reference cannot cross workers, and each
//! worker compiles its own copy), by module id, so a cached kernel costs one JS call. The
//! cache holds at most [`CACHE_CAPACITY`] instances per thread; beyond, it starts over.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Mutex;

use js_sys::{Function, Object, Reflect, Uint8Array, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::WasmHost;
use crate::back::wasm::{Options, PAR_KEEP, PAR_MERGE, RUN_EXPORT, chunk_export, chunk_plan};

/// Instances kept per thread.
const CACHE_CAPACITY: usize = 512;

/// The key of a module's [`RUN_EXPORT`] in the function cache (chunk trampolines are
/// keyed by their function's index).
const RUN: u32 = u32::MAX;

thread_local! {
    /// The exports of each instantiated module on this thread, by module id.
    static INSTANCES: RefCell<HashMap<u64, Object>> = RefCell::new(HashMap::new());
    /// The exported functions looked up so far, by module id and export ([`RUN`] or a
    /// chunk function's index): a call then costs no property lookup and no string.
    static FUNCTIONS: RefCell<HashMap<(u64, u32), Function>> = RefCell::new(HashMap::new());
    /// `performance.now` and its receiver, looked up once per thread.
    static CLOCK: RefCell<Option<(JsValue, Function)>> = const { RefCell::new(None) };
    /// The kernel call running on this thread, for the parallel loops it starts.
    static CURRENT: Cell<Option<Current>> = const { Cell::new(None) };
    /// Set while this thread runs a chunk of a parallel loop: a parallel loop inside it
    /// (a nested `prange`, or one in a function the chunk calls) runs its chunks serially.
    static IN_CHUNK: Cell<bool> = const { Cell::new(false) };
    /// The most threads a parallel loop of the current call used.
    static USED: Cell<usize> = const { Cell::new(1) };
}

/// What the pool threads need to run a call's parallel loops: the module (its bytes stay
/// in the engine's memory, shared with every pool thread, for the whole call) and the
/// thread limit.
#[derive(Clone, Copy)]
struct Current {
    id: u64,
    bytes: usize,
    len: usize,
    threads: Option<usize>,
}

/// The engine's host: the build's memory is shared in the threads build. `threads` limits
/// the pool threads a call's parallel loops use (`None`: the `set_num_threads` limit).
pub struct Host {
    pub threads: Option<usize>,
    used: Cell<usize>,
}

impl Host {
    #[must_use]
    pub fn new(threads: Option<usize>) -> Self {
        Host {
            threads,
            used: Cell::new(1),
        }
    }
}

impl WasmHost for Host {
    fn options(&self) -> Options {
        Options {
            shared_memory: cfg!(feature = "threads"),
        }
    }

    fn run(&self, id: u64, bytes: &[u8], block: u32) -> Result<(), String> {
        self.run_threads(id, bytes, block, self.threads)
    }

    fn run_limited(&self, id: u64, bytes: &[u8], block: u32, threads: usize) -> Result<(), String> {
        let k = self.threads.map_or(threads, |t| t.min(threads));
        self.run_threads(id, bytes, block, Some(k))
    }

    fn threads_used(&self) -> usize {
        self.used.get()
    }
}

impl Host {
    fn run_threads(
        &self,
        id: u64,
        bytes: &[u8],
        block: u32,
        threads: Option<usize>,
    ) -> Result<(), String> {
        let run = export(id, bytes, RUN)?;
        let previous = CURRENT.replace(Some(Current {
            id,
            bytes: bytes.as_ptr() as usize,
            len: bytes.len(),
            threads,
        }));
        USED.set(1);
        let r = run
            .call1(&JsValue::NULL, &JsValue::from(block))
            .map(|_| ())
            .map_err(|e| describe(&e));
        CURRENT.set(previous);
        self.used.set(self.used.get().max(USED.get()));
        r
    }
}

/// The export `key` ([`RUN`] or a chunk function's index) of module `id` on this thread,
/// instantiating `bytes` first when this thread has no instance of it yet.
fn export(id: u64, bytes: &[u8], key: u32) -> Result<Function, String> {
    if let Some(f) = FUNCTIONS.with(|m| m.borrow().get(&(id, key)).cloned()) {
        return Ok(f);
    }
    let name = if key == RUN {
        RUN_EXPORT.to_owned()
    } else {
        chunk_export(key as usize)
    };
    let f = lookup(id, bytes, &name)?;
    FUNCTIONS.with(|m| m.borrow_mut().insert((id, key), f.clone()));
    Ok(f)
}

/// The export `name` of module `id` on this thread, instantiating `bytes` first when this
/// thread has no instance of it yet.
fn lookup(id: u64, bytes: &[u8], name: &str) -> Result<Function, String> {
    let cached = INSTANCES.with(|m| m.borrow().get(&id).cloned());
    let exports = match cached {
        Some(e) => e,
        None => {
            let e = instantiate(bytes).map_err(|e| describe(&e))?;
            INSTANCES.with(|m| {
                let mut m = m.borrow_mut();
                if m.len() >= CACHE_CAPACITY {
                    m.clear();
                    FUNCTIONS.with(|f| f.borrow_mut().clear());
                }
                m.insert(id, e.clone());
            });
            e
        }
    };
    Reflect::get(&exports, &name.into())
        .map_err(|e| describe(&e))?
        .dyn_into::<Function>()
        .map_err(|_| format!("the module has no export {name}"))
}

/// Compiles and instantiates a module, returning its exports. The bytes are copied into a
/// fresh (unshared) JS buffer first: some engines refuse module bytes that are a view of
/// shared memory, and the copy costs microseconds.
fn instantiate(bytes: &[u8]) -> Result<Object, JsValue> {
    let copy = Uint8Array::from(bytes);
    let module = WebAssembly::Module::new(&copy.into())?;
    let env = Object::new();
    Reflect::set(&env, &"memory".into(), &wasm_bindgen::memory())?;
    let imports = Object::new();
    Reflect::set(&imports, &"env".into(), &env)?;
    Reflect::set(&imports, &"numwasm".into(), &wasm_bindgen::exports())?;
    let instance = WebAssembly::Instance::new(&module, &imports)?;
    Ok(instance.exports())
}

/// Runs chunks `chunk .. chunk + n` of the parallel loop of `cur` whose chunk function is
/// `function`, as one call on this thread: what the chunks allocate is freed when it
/// returns.
fn run_chunk(
    cur: Current,
    function: u32,
    env: u32,
    (chunk, n): (u32, u32),
    kept: Option<&Mutex<Vec<(usize, std::alloc::Layout)>>>,
) -> Result<(), String> {
    // SAFETY: the bytes belong to the compiled kernel, which the call running on the
    // thread that set `cur` keeps alive until every chunk of its loop has returned.
    let bytes = unsafe { std::slice::from_raw_parts(cur.bytes as *const u8, cur.len) };
    let f = export(cur.id, bytes, function)?;
    let mark = crate::api::arena_mark();
    let outer = IN_CHUNK.replace(true);
    let caller = CURRENT.replace(Some(cur));
    let r = f
        .call3(
            &JsValue::NULL,
            &JsValue::from(env),
            &JsValue::from(chunk),
            &JsValue::from(n),
        )
        .map(|_| ())
        .map_err(|e| describe(&e));
    CURRENT.set(caller);
    IN_CHUNK.set(outer);
    match kept {
        None => crate::api::arena_release(mark),
        // The chunk's partials are arrays it allocated: they go to the calling thread's
        // arena, which frees them when the call ends.
        Some(k) => {
            let taken = crate::api::arena_take(mark);
            if let Ok(mut k) = k.lock() {
                k.extend(taken);
            } else {
                crate::api::arena_adopt(taken);
            }
        }
    }
    r
}

/// The clock, in milliseconds (`performance.now()`), or `None` where there is none.
fn now_ms() -> Option<f64> {
    CLOCK.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            let perf = Reflect::get(&js_sys::global(), &"performance".into()).ok()?;
            let now = Reflect::get(&perf, &"now".into())
                .ok()?
                .dyn_into::<Function>()
                .ok()?;
            *c = Some((perf, now));
        }
        let (perf, now) = c.as_ref()?;
        now.call0(perf).ok()?.as_f64()
    })
}

/// The engine's parallel loop runner (`numwasm.nw_parallel_for`, see
/// `back::wasm::PARALLEL_FOR_IMPORT`): splits the loop's trip count with `chunk_plan`,
/// runs the first chunk on this thread and times it, and runs the rest on as many pool
/// threads as that time says pays (`par::effective_threads`: a loop whose remaining work
/// is small stays on this thread), each with its own instance of the module. A call held
/// to one thread runs every chunk here without timing any. Where the loop's chunks merge
/// (`PAR_MERGE`), consecutive chunks that one thread runs are one call: the chunk plan
/// is the same, so is every result, and a chunk of a few microseconds costs no call of
/// its own. Returns the number of chunks, or -1 when a chunk could not run (a chunk's own
/// error is in its record, not here).
#[unsafe(no_mangle)]
pub extern "C" fn nw_parallel_for(function: u32, env: u32, cost_ns: f64, flags: i32) -> i32 {
    let Some(cur) = CURRENT.get() else {
        return -1;
    };
    // SAFETY: `env` is the loop's env, allocated by the generated code (8-byte aligned,
    // at least `ParEnv::size` bytes) and alive until the loop ends.
    let trips = unsafe { *(env as usize as *const i64) } as u64;
    let (chunk, count) = chunk_plan(trips, cost_ns);
    // SAFETY: as above; the chunk length's slot.
    unsafe { *((env as usize + 8) as *mut i64) = chunk as i64 };
    let Ok(count32) = u32::try_from(count) else {
        return -1;
    };
    if count == 0 {
        return 0;
    }
    let merge = flags & PAR_MERGE != 0;
    let kept_store = Mutex::new(Vec::new());
    let kept = (flags & PAR_KEEP != 0).then_some(&kept_store);
    let adopt = || {
        if let Ok(v) = kept_store.lock() {
            crate::api::arena_adopt(v.clone());
        }
    };
    // Chunks `from .. count` on this thread, in order.
    let serial = |from: u32| -> i32 {
        let ok = if merge {
            run_chunk(cur, function, env, (from, count32 - from), kept).is_ok()
        } else {
            (from..count32).all(|c| run_chunk(cur, function, env, (c, 1), kept).is_ok())
        };
        adopt();
        if ok { count32 as i32 } else { -1 }
    };
    // Nested in a chunk, or with one thread to use (asked for, or all the pool has).
    let alone = IN_CHUNK.get()
        || crate::par::effective_threads(cur.threads, f64::INFINITY, count as usize) <= 1;
    if alone {
        return serial(0);
    }
    let t0 = now_ms();
    if run_chunk(cur, function, env, (0, 1), kept).is_err() {
        adopt();
        return -1;
    }
    let rest = (count - 1) as usize;
    if rest == 0 {
        adopt();
        return count32 as i32;
    }
    let first_ns = match (t0, now_ms()) {
        (Some(a), Some(b)) => (b - a).max(0.0) * 1e6,
        _ => cost_ns * chunk as f64,
    };
    let k = crate::par::effective_threads(cur.threads, first_ns * rest as f64, rest);
    if k <= 1 {
        return serial(1);
    }
    // Merged, the rest goes as spans of consecutive chunks, a few per thread so that a
    // thread the machine slows down does not hold the others up.
    let span = if merge { rest.div_ceil(4 * k) } else { 1 };
    let spans = rest.div_ceil(span);
    let failed = Mutex::new(false);
    // The pool threads that ran a chunk (the calling thread is not one of rayon's).
    let helpers = Mutex::new(Vec::new());
    crate::par::map_chunks(spans, 1, k, |i, _| {
        let first = 1 + i * span;
        let n = span.min(count as usize - first);
        let ok = run_chunk(cur, function, env, (first as u32, n as u32), kept).is_ok();
        if let Some(t) = rayon::current_thread_index()
            && let Ok(mut h) = helpers.lock()
            && !h.contains(&t)
        {
            h.push(t);
        }
        if !ok && let Ok(mut f) = failed.lock() {
            *f = true;
        }
    });
    adopt();
    let ran = 1 + helpers.into_inner().map_or(0, |h| h.len());
    USED.set(USED.get().max(ran));
    if failed.into_inner().unwrap_or(true) {
        -1
    } else {
        count32 as i32
    }
}

/// The engine's release of one kernel allocation (`numwasm.nw_kernel_free`).
#[unsafe(no_mangle)]
pub extern "C" fn nw_kernel_free(addr: u32) {
    crate::api::kernel_free(addr);
}

/// A JS exception as text: its message when it is an Error.
fn describe(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

/// The allocator of generated kernels (`numwasm.nw_kernel_alloc`): `size` zeroed bytes
/// aligned to `align`, owned by the running call (see `api::kernel_alloc`); 0 when the
/// memory is exhausted.
#[unsafe(no_mangle)]
pub extern "C" fn nw_kernel_alloc(size: u32, align: u32) -> u32 {
    crate::api::kernel_alloc(size, align)
}
