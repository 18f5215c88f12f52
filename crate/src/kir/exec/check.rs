//! The one check of a program before it runs: every handle refers to something that
//! exists, and every expression's operands come before it, so that the executor indexes
//! its arenas without panicking and evaluation cannot go round in a cycle
//! (`Function::dangling_handle`, shared with the code generator).

use super::RunError;
use crate::kir::Program;
use crate::syntax::Span;

/// Checks every function's handles (see `Function::dangling_handle`).
pub(super) fn handles(program: &Program) -> Result<(), RunError> {
    for f in &program.functions {
        if let Some(what) = f.dangling_handle(program.functions.len()) {
            return Err(RunError::internal(
                format!("in {}: {what}", f.name),
                Span::default(),
            ));
        }
    }
    Ok(())
}
