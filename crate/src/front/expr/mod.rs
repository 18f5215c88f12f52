//! front::expr: the expression language (numexpr's, with NumPy 2 semantics) lowered to IR.
//!
//! ```text
//! syntax::Ast + Signature ──lower──▶ ir::Function (typed, shaped, folded)
//! ```
//!
//! [`lower`] resolves names against the signature and calls against the function table
//! (NumPy's spellings too: `np.sin(a)`, and the reductions' method form `a.sum()`), applies
//! NumPy's promotion rules (NEP 50 weak Python scalars; two Python scalars fold with
//! Python's own arithmetic, [`pyops`]), checks broadcasting and builds the typed IR through
//! `ir::Function`'s hash-consing, constant-folding builder.

pub mod kernel;
mod lower;
pub mod pyops;

pub use lower::{InputKind, LowerError, LowerErrorKind, Signature, did_you_mean, lower};
