//! vm: bytecode, the block interpreter, SIMD lane loops and vector math (`vmath`).
//!
//! In: a `Program` from codegen, input buffers and an output buffer. Out: the output
//! filled, or a run-time error (a negative integer power). A loop runs chunk by chunk
//! on the `par` scheduler; inside a chunk it runs block by block (`BLOCK` elements), and
//! for each block it runs the instruction list once: the only dispatch is one `match` per
//! instruction per block, never per element. Each instruction is a tight loop over
//! `std::simd` lanes (float arithmetic) or over elements the compiler vectorizes
//! (integers), with pointers resolved once per block and no bounds checks inside.
//!
//! Transcendental functions all go through [`math`], the one place where scalar libm
//! is swapped for the SIMD functions of [`vmath`].

mod bytecode;
mod chain;
mod cost;
mod exec;
mod lanes;
pub mod reduce;

pub use bytecode::{
    BLOCK, BlockLoop, CHUNK, ChainStep, Dest, Insn, MAX_CHAIN, Opd, Program, Reg, Sink, Src, Step,
    StepOp,
};
pub use exec::{RuntimeError, last_run_threads, run, set_last_run_threads};
