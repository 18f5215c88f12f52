//! vm: bytecode, the block interpreter, SIMD lane kernels and vector math (`vmath`).

pub mod vmath;
