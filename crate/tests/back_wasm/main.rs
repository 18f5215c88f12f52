//! The wasm kernel tier (`back::wasm`) held to the reference executor. Every generated
//! module is validated with wasmparser for the features of the build it targets (threads
//! with a shared memory, or simd with a plain one) and executed natively in wasmi; its
//! result, the arrays it wrote and its errors must equal the executor's to the bit.
//!
//! * `expressions.rs`: expressions through their generated loop (the expression tier)
//!   against the VM, to the bit.
//! * `cases.rs`: kernels through the real front end (loops, breaks, while, 2-d arrays,
//!   errors, narrow integers, casts, calls), hand-built programs for what the front end
//!   never makes (reads before assignment, a function falling off its end), what stays
//!   unsupported, and the text form of `ssum`.
//! * `ops.rs`: every scalar operation on every dtype it computes in, over a table of edge
//!   values, and casts between every pair of dtypes.
//! * `imports.rs`: the table of vmath functions a module may import from the engine,
//!   against the generator: names, signatures, and every float operation compiling.
//! * `intrinsics.rs`: the array intrinsics and views, on edge inputs and the allocator's
//!   refusals.
//! * `tuples.rs` and `lists.rs`: tuples (multi-value returns, unpacking, nesting, `None`
//!   items) and lists (growth, indices, aliasing, the allocator's refusal).
//! * `simd.rs`: loops on simd128 lanes (two `float64` or four `float32` iterations at a
//!   time) against the executor, the run-time fallbacks, and fuel counts that show which
//!   loop ran.
//! * `random.rs`: a seeded generator of well-typed programs in the compiled subset, run
//!   both ways.
//! * `text.rs`: `back::wasm::to_text` (the text `inspect` shows) against wasmprinter and
//!   wat, on every module the other files generate (through `harness::validate`), every
//!   opcode, malformed modules, truncations and bit flips.
//! * `views.rs`: reductions of and loads through views, computed over the view's fields
//!   with no descriptor allocated, against the executor on every slice form.
#![cfg(not(target_arch = "wasm32"))]

#[path = "../common/mod.rs"]
mod common;
mod harness;

mod cases;
mod expressions;
mod imports;
mod intrinsics;
mod lists;
mod ops;
mod parallel;
mod random;
mod simd;
mod text;
mod tuples;
mod views;
