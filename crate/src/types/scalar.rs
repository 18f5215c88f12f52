//! A typed scalar value: constants in the IR, elements in the reference evaluator.

use std::fmt;
use std::hash::{Hash, Hasher};

use super::DType;
use super::elem::{Elem, cast};

/// One value of a dtype. Equality and hashing are by bits (so `NaN == NaN` and
/// `0.0 != -0.0`), as hash-consing needs.
#[derive(Debug, Clone, Copy)]
pub enum Scalar {
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    F32(f32),
    F64(f64),
}

/// Calls `$body` with `$v` bound to the payload of a `Scalar`, whatever its type.
#[macro_export]
#[doc(hidden)]
macro_rules! with_scalar {
    ($s:expr, $v:ident => $body:expr) => {
        match $s {
            $crate::types::Scalar::Bool($v) => $body,
            $crate::types::Scalar::I8($v) => $body,
            $crate::types::Scalar::I16($v) => $body,
            $crate::types::Scalar::I32($v) => $body,
            $crate::types::Scalar::I64($v) => $body,
            $crate::types::Scalar::U8($v) => $body,
            $crate::types::Scalar::U16($v) => $body,
            $crate::types::Scalar::U32($v) => $body,
            $crate::types::Scalar::U64($v) => $body,
            $crate::types::Scalar::F32($v) => $body,
            $crate::types::Scalar::F64($v) => $body,
        }
    };
}

/// Calls `$body` with the type alias `$t` bound to the Rust element type of a `DType`.
#[macro_export]
#[doc(hidden)]
macro_rules! with_dtype {
    ($d:expr, $t:ident => $body:expr) => {
        match $d {
            $crate::types::DType::Bool => {
                type $t = bool;
                $body
            }
            $crate::types::DType::I8 => {
                type $t = i8;
                $body
            }
            $crate::types::DType::I16 => {
                type $t = i16;
                $body
            }
            $crate::types::DType::I32 => {
                type $t = i32;
                $body
            }
            $crate::types::DType::I64 => {
                type $t = i64;
                $body
            }
            $crate::types::DType::U8 => {
                type $t = u8;
                $body
            }
            $crate::types::DType::U16 => {
                type $t = u16;
                $body
            }
            $crate::types::DType::U32 => {
                type $t = u32;
                $body
            }
            $crate::types::DType::U64 => {
                type $t = u64;
                $body
            }
            $crate::types::DType::F32 => {
                type $t = f32;
                $body
            }
            $crate::types::DType::F64 => {
                type $t = f64;
                $body
            }
        }
    };
}

impl Scalar {
    #[must_use]
    pub fn dtype(self) -> DType {
        with_scalar!(self, v => v.dtype_of())
    }

    /// This value cast to element type `T` (NumPy's unsafe `astype`).
    #[must_use]
    pub fn cast_to<T: Elem>(self) -> T {
        with_scalar!(self, v => cast::<_, T>(v))
    }

    /// This value cast to `d`.
    #[must_use]
    pub fn cast(self, d: DType) -> Scalar {
        with_dtype!(d, T => self.cast_to::<T>().to_scalar())
    }

    /// The value `v` in dtype `d` (wrapping).
    #[must_use]
    pub fn from_i128(v: i128, d: DType) -> Scalar {
        with_dtype!(d, T => T::from_i128(v).to_scalar())
    }

    /// The value `v` in dtype `d`.
    #[must_use]
    pub fn from_f64(v: f64, d: DType) -> Scalar {
        with_dtype!(d, T => T::from_f64(v).to_scalar())
    }

    #[must_use]
    pub fn zero(d: DType) -> Scalar {
        Scalar::from_i128(0, d)
    }

    #[must_use]
    pub fn one(d: DType) -> Scalar {
        Scalar::from_i128(1, d)
    }

    /// The largest (`high`) or smallest value of dtype `d`: an infinity for floats, the
    /// type's bound for integers, True or False for bool. (What a min or max reduction
    /// starts from: every element replaces it but an equal one.)
    #[must_use]
    pub fn end(d: DType, high: bool) -> Scalar {
        macro_rules! pick {
            ($v:ident, $t:ty) => {
                Scalar::$v(if high { <$t>::MAX } else { <$t>::MIN })
            };
        }
        match d {
            DType::Bool => Scalar::Bool(high),
            DType::I8 => pick!(I8, i8),
            DType::I16 => pick!(I16, i16),
            DType::I32 => pick!(I32, i32),
            DType::I64 => pick!(I64, i64),
            DType::U8 => pick!(U8, u8),
            DType::U16 => pick!(U16, u16),
            DType::U32 => pick!(U32, u32),
            DType::U64 => pick!(U64, u64),
            DType::F32 => Scalar::F32(if high {
                f32::INFINITY
            } else {
                f32::NEG_INFINITY
            }),
            DType::F64 => Scalar::F64(if high {
                f64::INFINITY
            } else {
                f64::NEG_INFINITY
            }),
        }
    }

    /// The value as f64 (exact for all but huge 64-bit integers).
    #[must_use]
    pub fn to_f64(self) -> f64 {
        with_scalar!(self, v => v.to_f64())
    }

    /// The value as an integer (floats truncate).
    #[must_use]
    pub fn to_i128(self) -> i128 {
        with_scalar!(self, v => v.to_i128())
    }

    #[must_use]
    pub fn is_truthy(self) -> bool {
        with_scalar!(self, v => v.to_bool())
    }

    fn bits(self) -> u64 {
        match self {
            Scalar::F32(v) => u64::from(v.to_bits()),
            Scalar::F64(v) => v.to_bits(),
            other => other.to_i128() as u64,
        }
    }
}

trait DTypeOf {
    fn dtype_of(self) -> DType;
}

impl<T: Elem> DTypeOf for T {
    fn dtype_of(self) -> DType {
        T::DTYPE
    }
}

impl PartialEq for Scalar {
    fn eq(&self, other: &Self) -> bool {
        self.dtype() == other.dtype() && self.bits() == other.bits()
    }
}

impl Eq for Scalar {}

impl Hash for Scalar {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.dtype().hash(state);
        self.bits().hash(state);
    }
}

impl fmt::Display for Scalar {
    /// Stable text: integers as decimals, floats with Rust's shortest round-trip form,
    /// bools as Python spells them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Scalar::Bool(v) => f.write_str(if v { "True" } else { "False" }),
            Scalar::F32(v) => write!(f, "{v:?}"),
            Scalar::F64(v) => write!(f, "{v:?}"),
            other => write!(f, "{}", other.to_i128()),
        }
    }
}
