//! numwasm: numexpr- and Numba-style array computing for the browser.
//!
//! A program (an array expression such as `x + (y**2 + (z*x + 1)*3)`, or a Numba-style
//! kernel module, which `front::numba` lowers to the kernel IR of [`kir`]) goes through
//! one pipeline, a folder per stage:
//!
//! ```text
//! source ──syntax──▶ AST with spans ──front::expr──▶ typed dataflow IR (ir: arena,
//!        hash-consed, folded) ──opt──▶ optimized IR ──codegen──▶ bytecode
//!        ──vm──▶ values, block by block over SIMD lanes
//!                 └─par─▶ the same, chunked over a thread pool
//! ```
//!
//! The stages form layers; a stage uses only the stages below it (`crate/tests/layering.rs`
//! checks every import and prints the graph):
//!
//! ```text
//!   wasm ─────────────────────────────▶ api, par          (bindings, thin)
//!   api ──────────────────────────────▶ every stage below (the Rust surface)
//!   front   opt   codegen             (front ends; IR passes; IR -> bytecode)
//!     │      │     ├──────────▶ vm
//!     ├──────┴─────┴──▶ ir
//!     └──▶ kir ──▶ ir (handles), types, vmath, syntax (spans)   (Numba-style kernels)
//!   back ──▶ kir, types, syntax (spans)         (kir -> WebAssembly modules at run time)
//!   ir ──▶ types, syntax (spans)       vm ──▶ types, vmath, par, syntax (spans)
//!   types ──▶ vmath
//!   syntax   vmath   par              (leaves: use nothing of the crate)
//! ```
//!
//! [`api`] is the Rust surface used by native tests and by the thin wasm bindings
//! (`wasm.rs`). The same engine code runs natively under `cargo test` and in wasm: SIMD
//! code is written once over `std::simd` lanes (`f64x2`, `f32x4`, ...), which lower to
//! simd128 in the browser and to SSE natively.
//!
//! Parallel work goes through [`par`], whose chunk boundaries depend only on the problem
//! size, so reductions give bit-identical results for any thread count.
//!
//! Semantics are NumPy 2's, NEP 50 weak Python scalars included: [`types`] holds the
//! promotion table, every operation's signature and one implementation of each element
//! operation (float math through [`vmath`]'s lane functions), shared by constant folding,
//! the reference evaluator (`ir::reference`) and the VM's lane loops; the conformance tests
//! hold all of it to NumPy itself. Errors carry spans from the parser to the
//! [`api::Diagnostic`] at the boundary, which renders a code frame; no input may panic, and
//! limits on source length, nesting depth, inputs and allocation sizes turn hostile inputs
//! into errors. docs/architecture.md describes the stages and where to add an operator, a
//! function or a pass; docs/expression-engine.md follows one expression through them.
//!
//! ```
//! use numwasm::api::{Engine, Input};
//! let (x, y) = ([1.0f64, 2.0, 3.0], [0.5f64, 0.5, 0.5]);
//! let engine = Engine::new();
//! let c = engine.compile("sum(x * y) / sum(y)", &[("x", Input::array(&x[..], &[3])), ("y", Input::array(&y[..], &[3]))]).unwrap();
//! println!("{}", c.disassemble());
//! let r = c.run(&[("x", Input::array(&x[..], &[3])), ("y", Input::array(&y[..], &[3]))], None, Some(1)).unwrap().unwrap();
//! assert_eq!(r.data, numwasm::types::Buffer::F64(vec![2.0]));
//! ```
#![feature(portable_simd)]

pub mod api;
pub mod back;
pub mod codegen;
pub mod front;
pub mod ir;
pub mod kir;
pub mod opt;
pub mod par;
pub mod syntax;
pub mod types;
pub mod vm;
pub mod vmath;

#[cfg(target_arch = "wasm32")]
mod wasm;

/// The crate version, as shown by the playground's status line.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
