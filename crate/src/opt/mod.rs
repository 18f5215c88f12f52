//! opt: one `optimize()` that lists its passes in order, with a verifier between passes.
