//! api: the Rust surface of the engine, used by the wasm bindings and by native tests.
//!
//! ```text
//! source, inputs ──compile──▶ Compiled (parse, lower, optimize, generate; cached by
//!                             source + signature in an Engine)
//! Compiled ──run(inputs, out, threads)──▶ Array (or the caller's buffer filled)
//! ```
//!
//! Every failure is a [`Diagnostic`] with a Python exception name, a message, the span of
//! the source it is about and notes; [`Diagnostic::render`] draws a code frame with a
//! caret. No input may panic.
//!
//! ```
//! use numwasm::api::{Engine, Input};
//! let x = [1.0f64, 2.0, 3.0];
//! let engine = Engine::new();
//! let r = engine.evaluate("2*x + 1", &[("x", Input::array(&x[..], &[3]))], None).unwrap();
//! assert_eq!(r.data, numwasm::types::Buffer::F64(vec![3.0, 5.0, 7.0]));
//! ```

mod arena;
mod diagnostic;
mod engine;
mod functions;
mod kernels;

pub mod selftest;
mod value;

/// What kernels may name, as JSON (the playground's completions; see
/// `front::numba::library_json`).
pub use crate::front::numba::library_json as kernel_library_json;
pub use crate::kir::parallel::Report as ParallelReport;
pub use crate::vm::last_run_threads;
pub use arena::{arena_adopt, arena_mark, arena_release, arena_take, kernel_alloc, kernel_free};
pub use diagnostic::{Diagnostic, ErrorKind};
pub use engine::{
    Compiled, Engine, ExprTier, MAX_INPUTS, compile, evaluate, finish_reduction, last_run_tier,
};
pub use functions::function_table_json;
pub use kernels::{Inspection, KernelArg, KernelCall, KernelValue, Kernels, Tier, WasmHost};
pub use value::{Array, Input};

pub use crate::front::expr::{InputKind, Signature};
pub use crate::syntax::Span;
pub use crate::types::{Buffer, BufferMut, BufferRef, DType, PyScalar};
