//! types: dtypes, NumPy 2 promotion rules (NEP 50 weak scalars), type and shape inference.
//!
//! In: the dtypes (and, for Python scalars, the values) of an operation's operands. Out:
//! the dtype the operation computes in and the dtype it returns, or the error NumPy 2
//! would raise. Element semantics (how an `int8` floor division rounds, what `maximum`
//! does with NaN) live in [`elem`], shared by constant folding, the reference evaluator and
//! the VM's kernels; Python's own semantics for literal arithmetic live in [`py`].

mod buffer;
mod dtype;
pub mod elem;
pub mod math;
mod ops;
mod promote;
pub mod py;
mod scalar;
mod shape;

pub use buffer::{Buffer, BufferMut, BufferRef};
pub use dtype::{DType, type_str};
pub use ops::{BinaryOp, ReduceOp, UnaryOp};
pub use promote::{binary_signature, float_of, promote, reduce_signature, unary_signature};
pub use py::PyScalar;
pub use scalar::Scalar;
pub use shape::{
    Shape, broadcast, broadcast_strides, checked_size, contiguous_strides, shape_str, size_of,
};

/// Why an operation has no NumPy meaning for these operands: a cheap stage error that the
/// API turns into a `Diagnostic` with a span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeErr {
    /// A TypeError with NumPy's message.
    Type(String),
    /// An OverflowError (a Python integer that does not fit the array dtype).
    Overflow(String),
    /// A ValueError (shapes, negative integer powers, empty reductions).
    Value(String),
    /// A ZeroDivisionError from Python arithmetic on literals.
    ZeroDivision(String),
}
