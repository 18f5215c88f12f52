//! back: code generation from the kernel IR, one folder per target.
//!
//! ```text
//! kir::Program ──back::wasm──▶ a WebAssembly module (bytes) + the ABI of its functions
//!              ──back::js────▶ the source of a plain JS function over typed arrays (the
//!                              playground's baseline, timed against numwasm)
//! ```
//!
//! A back end compiles what it can and says what it cannot: a construct outside its subset
//! is an `Unsupported` naming it, and the engine runs that program on the reference
//! executor (`kir::exec`), which every back end is held to bit for bit (`back::js` with two
//! documented exceptions: int64 as doubles, and `Math.*` for the transcendental functions).

pub mod js;
pub mod wasm;
