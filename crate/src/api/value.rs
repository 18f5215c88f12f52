//! Input and output values.

use crate::front::expr::InputKind;
use crate::types::{Buffer, BufferRef, DType, PyScalar, Shape};

/// An input: a C-contiguous array (a 0-d array is an array with shape `[]`), or a Python
/// scalar, which NEP 50 treats as "weak" (`int8_array + 1` stays `int8`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input<'a> {
    Array {
        data: BufferRef<'a>,
        shape: &'a [usize],
    },
    Scalar(PyScalar),
}

impl<'a> Input<'a> {
    /// An array input of `shape` over `data` (C order).
    pub fn array(data: impl Into<BufferRef<'a>>, shape: &'a [usize]) -> Self {
        Input::Array {
            data: data.into(),
            shape,
        }
    }

    /// A Python `int`.
    #[must_use]
    pub fn int(v: i128) -> Self {
        Input::Scalar(PyScalar::Int(v))
    }

    /// A Python `float`.
    #[must_use]
    pub fn float(v: f64) -> Self {
        Input::Scalar(PyScalar::Float(v))
    }

    /// A Python `bool`.
    #[must_use]
    pub fn bool(v: bool) -> Self {
        Input::Scalar(PyScalar::Bool(v))
    }

    pub(crate) fn kind(&self) -> InputKind {
        match self {
            Input::Array { data, shape } => InputKind::Array {
                dtype: data.dtype(),
                shape: shape.to_vec(),
            },
            Input::Scalar(v) => InputKind::Scalar(*v),
        }
    }
}

/// A result array: dtype, C-order shape and elements.
#[derive(Debug, Clone, PartialEq)]
pub struct Array {
    pub dtype: DType,
    pub shape: Shape,
    pub data: Buffer,
}
