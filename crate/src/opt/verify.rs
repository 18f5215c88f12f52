//! The IR verifier: the invariants every pass must keep.

use crate::ir::{Function, Node};
use crate::types::{BinaryOp, DType, broadcast};

/// A broken invariant, naming the pass after which it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    pub pass: &'static str,
    pub message: String,
}

/// Checks that operands precede users, operand dtypes agree, shapes broadcast and
/// reductions name a valid axis.
pub fn verify(f: &Function, pass: &'static str) -> Result<(), VerifyError> {
    let err = |h: crate::ir::Value, m: &str| {
        Err(VerifyError {
            pass,
            message: format!("v{}: {m}", h.index()),
        })
    };
    let Some(root) = f.root else {
        return Err(VerifyError {
            pass,
            message: "no root".into(),
        });
    };
    if root.index() >= f.len() {
        return Err(VerifyError {
            pass,
            message: "root out of range".into(),
        });
    }
    for h in f.handles() {
        let node = f.node(h);
        for op in node.operands() {
            if op >= h {
                return err(h, "operand does not precede its user");
            }
        }
        let dt = |x| f.dtype(x);
        match *node {
            Node::Input(slot) if slot as usize >= f.params.len() => {
                return err(h, "input slot out of range");
            }
            Node::Binary(op, a, b) => {
                if dt(a) != dt(b) {
                    return err(h, "binary operands differ in dtype");
                }
                if op == BinaryOp::TrueDiv && !dt(a).is_float() {
                    return err(h, "true division of integers");
                }
                if broadcast(f.shape(a), f.shape(b)).is_err() {
                    return err(h, "operand shapes do not broadcast");
                }
            }
            Node::Select(c, a, b) => {
                if dt(c) != DType::Bool || dt(a) != dt(b) {
                    return err(h, "select operand dtypes");
                }
            }
            Node::MulAdd(a, b, c) => {
                if dt(a) != dt(b) || dt(a) != dt(c) {
                    return err(h, "muladd operand dtypes");
                }
            }
            Node::Reduce(_, a, Some(ax)) if ax as usize >= f.shape(a).len() => {
                return err(h, "reduction axis out of range");
            }
            _ => {}
        }
    }
    Ok(())
}
