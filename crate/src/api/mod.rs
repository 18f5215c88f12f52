//! api: the Rust surface of the engine, used by the wasm bindings and by native tests.

pub mod selftest;
