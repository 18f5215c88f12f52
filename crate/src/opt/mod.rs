//! opt: one `optimize()` that lists its passes in order, with a verifier between passes.
//!
//! In: a typed IR function from `front::expr::lower`. Out: an equivalent function, cheaper to run.
//! Every pass rebuilds the function through `fetch_or_append`, so CSE and constant
//! folding apply again to what a pass produces, and dead nodes disappear on the way.
//! No pass changes a result's bits except where NumPy itself takes the same shortcut
//! (`x**2` is `x*x`, `x**0.5` is `sqrt(x)`, `x**-1` is `1/x`); the other powers up to 50
//! become multiplication chains that may differ from `pow` in the last bits, exactly as
//! numexpr's do.

mod passes;
mod verify;

pub use verify::{VerifyError, verify};

use crate::ir::Function;

/// A pass: a name (for dumps and verifier messages) and the function that applies it.
pub type Pass = (&'static str, fn(&Function) -> Function);

/// The passes, in order.
pub const PASSES: &[Pass] = &[
    ("algebra", passes::algebra),
    ("pow-strength-reduction", passes::pow_strength_reduction),
    ("div-by-constant", passes::div_by_constant),
    ("compare-select", passes::compare_select),
    ("muladd-fusion", passes::muladd_fusion),
    ("dead-code", passes::dead_code),
];

/// Runs every pass in order, verifying the function before the first and after each.
/// A verifier failure is an engine bug; it is reported, not hidden.
pub fn optimize(f: &Function) -> Result<Function, VerifyError> {
    verify(f, "lower")?;
    let mut cur = f.clone();
    for (name, pass) in PASSES {
        cur = pass(&cur);
        verify(&cur, name)?;
    }
    Ok(cur)
}
