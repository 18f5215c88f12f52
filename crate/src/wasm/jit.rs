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

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Function, Object, Reflect, Uint8Array, WebAssembly};
use wasm_bindgen::{JsCast, JsValue};

use crate::api::WasmHost;
use crate::back::wasm::{Options, RUN_EXPORT};

/// Instances kept per thread.
const CACHE_CAPACITY: usize = 512;

thread_local! {
    /// The trampoline of each instantiated module on this thread, by module id.
    static INSTANCES: RefCell<HashMap<u64, Function>> = RefCell::new(HashMap::new());
}

/// The engine's host: the build's memory is shared in the threads build.
pub struct Host;

impl WasmHost for Host {
    fn options(&self) -> Options {
        Options {
            shared_memory: cfg!(feature = "threads"),
        }
    }

    fn run(&self, id: u64, bytes: &[u8], block: u32) -> Result<(), String> {
        let cached = INSTANCES.with(|m| m.borrow().get(&id).cloned());
        let run = match cached {
            Some(f) => f,
            None => {
                let f = instantiate(bytes).map_err(|e| describe(&e))?;
                INSTANCES.with(|m| {
                    let mut m = m.borrow_mut();
                    if m.len() >= CACHE_CAPACITY {
                        m.clear();
                    }
                    m.insert(id, f.clone());
                });
                f
            }
        };
        run.call1(&JsValue::NULL, &JsValue::from(block))
            .map(|_| ())
            .map_err(|e| describe(&e))
    }
}

/// Compiles and instantiates a module, returning its trampoline. The bytes are copied
/// into a fresh (unshared) JS buffer first: some engines refuse module bytes that are a
/// view of shared memory, and the copy costs microseconds.
fn instantiate(bytes: &[u8]) -> Result<Function, JsValue> {
    let copy = Uint8Array::from(bytes);
    let module = WebAssembly::Module::new(&copy.into())?;
    let env = Object::new();
    Reflect::set(&env, &"memory".into(), &wasm_bindgen::memory())?;
    let imports = Object::new();
    Reflect::set(&imports, &"env".into(), &env)?;
    Reflect::set(&imports, &"numwasm".into(), &wasm_bindgen::exports())?;
    let instance = WebAssembly::Instance::new(&module, &imports)?;
    Reflect::get(&instance.exports(), &RUN_EXPORT.into())?.dyn_into::<Function>()
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
