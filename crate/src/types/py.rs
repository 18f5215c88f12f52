//! Python scalars (literals and scalar inputs): NEP 50's "weak" values, and the dtype
//! NumPy gives each on its own. Arithmetic between two of them follows Python, not NumPy;
//! the expression front end folds it (`front::expr::pyops`).

use super::{DType, Scalar, TypeErr};

/// A Python `bool`, `int` (held in 128 bits) or `float`. Equality is by value and, for
/// floats, by bits (a NaN scalar input equals itself, so signatures with it match).
#[derive(Debug, Clone, Copy)]
pub enum PyScalar {
    Bool(bool),
    Int(i128),
    Float(f64),
}

impl PartialEq for PyScalar {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (PyScalar::Bool(a), PyScalar::Bool(b)) => a == b,
            (PyScalar::Int(a), PyScalar::Int(b)) => a == b,
            (PyScalar::Float(a), PyScalar::Float(b)) => a.to_bits() == b.to_bits(),
            _ => false,
        }
    }
}

impl PyScalar {
    /// Python's name for the type, for messages.
    #[must_use]
    pub fn type_name(self) -> &'static str {
        match self {
            PyScalar::Bool(_) => "bool",
            PyScalar::Int(_) => "int",
            PyScalar::Float(_) => "float",
        }
    }

    /// The dtype NumPy gives this value on its own (`np.asarray(v).dtype`).
    pub fn default_dtype(self) -> Result<DType, TypeErr> {
        match self {
            PyScalar::Bool(_) => Ok(DType::Bool),
            PyScalar::Float(_) => Ok(DType::F64),
            PyScalar::Int(v) if i64::try_from(v).is_ok() => Ok(DType::I64),
            PyScalar::Int(v) if u64::try_from(v).is_ok() => Ok(DType::U64),
            PyScalar::Int(v) => Err(TypeErr::Overflow(format!(
                "Python integer {v} out of bounds for int64"
            ))),
        }
    }

    /// The value in dtype `d` (which must hold it: see `fits`).
    #[must_use]
    pub fn to_scalar(self, d: DType) -> Scalar {
        match self {
            PyScalar::Bool(b) => Scalar::from_i128(b.into(), d),
            PyScalar::Int(v) => Scalar::from_i128(v, d),
            PyScalar::Float(v) => Scalar::from_f64(v, d),
        }
    }

    /// Whether an integer value fits integer dtype `d`.
    #[must_use]
    pub fn fits(self, d: DType) -> bool {
        match (self, d.int_range()) {
            (PyScalar::Int(v), Some((lo, hi))) => lo <= v && v <= hi,
            _ => true,
        }
    }

    /// The value as a Python int (`bool` is an int), or None for a float.
    #[must_use]
    pub fn as_int(self) -> Option<i128> {
        match self {
            PyScalar::Bool(b) => Some(b.into()),
            PyScalar::Int(v) => Some(v),
            PyScalar::Float(_) => None,
        }
    }

    /// The value as a Python float.
    #[must_use]
    pub fn as_float(self) -> f64 {
        match self {
            PyScalar::Bool(b) => f64::from(u8::from(b)),
            PyScalar::Int(v) => v as f64,
            PyScalar::Float(v) => v,
        }
    }
}
