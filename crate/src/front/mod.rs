//! front: the front ends, one folder per language, each turning a parsed program into IR.
//!
//! ```text
//! syntax::Ast ──front::expr──▶ ir::Function   (numexpr's language, NumPy 2 semantics)
//! ```
//!
//! A front end owns its language's semantics: name resolution, the typing rules it applies
//! through [`crate::types`], its errors. The IR it builds knows nothing of the language.

pub mod expr;
pub mod functions;
pub mod numba;
