//! Element semantics: what every operation does to one element of each dtype, exactly as
//! NumPy 2's loops do it (wrapping integer arithmetic, flooring `//` and `%`, division by
//! zero giving 0, NaN-propagating `maximum`, half-to-even `rint`, ...).
//!
//! One implementation, shared by constant folding, the reference evaluator and the VM's
//! kernels (which monomorphize these small `#[inline]` functions into their loops), so
//! the three cannot drift apart; the conformance tests check it against NumPy itself.

use super::{BinaryOp, DType, Scalar, UnaryOp};

/// A Rust type that stores one dtype's elements.
pub trait Elem: Copy + Send + Sync + PartialOrd + PartialEq + Default + 'static {
    const DTYPE: DType;
    #[must_use]
    fn to_scalar(self) -> Scalar;
    #[must_use]
    fn from_scalar(s: Scalar) -> Self;
    /// Integer value (bools 0/1); floats truncate (only used for integer sources).
    #[must_use]
    fn to_i128(self) -> i128;
    fn to_f64(self) -> f64;
    /// NumPy's `astype` from an integer value: wraps; to bool: nonzero.
    fn from_i128(v: i128) -> Self;
    /// NumPy's `astype` from a float: to bool: nonzero (NaN is true).
    fn from_f64(v: f64) -> Self;
    fn is_float() -> bool {
        Self::DTYPE.is_float()
    }
    fn zero() -> Self {
        Self::default()
    }
    fn one() -> Self {
        Self::from_i128(1)
    }
    fn to_bool(self) -> bool {
        self != Self::zero()
    }

    fn add(a: Self, b: Self) -> Self;
    fn sub(a: Self, b: Self) -> Self;
    fn mul(a: Self, b: Self) -> Self;
    fn truediv(a: Self, b: Self) -> Self;
    fn floordiv(a: Self, b: Self) -> Self;
    fn rem(a: Self, b: Self) -> Self;
    fn pow(a: Self, b: Self) -> Self;
    /// True where NumPy raises "Integers to negative integer powers are not allowed".
    fn pow_invalid(_b: Self) -> bool {
        false
    }
    fn shl(a: Self, b: Self) -> Self;
    fn shr(a: Self, b: Self) -> Self;
    fn and(a: Self, b: Self) -> Self;
    fn or(a: Self, b: Self) -> Self;
    fn xor(a: Self, b: Self) -> Self;
    fn maximum(a: Self, b: Self) -> Self;
    fn minimum(a: Self, b: Self) -> Self;
    fn fmax(a: Self, b: Self) -> Self;
    fn fmin(a: Self, b: Self) -> Self;
    fn fmod(a: Self, b: Self) -> Self;

    fn neg(a: Self) -> Self;
    fn invert(a: Self) -> Self;
    fn abs(a: Self) -> Self;
    fn sign(a: Self) -> Self;
    fn rint(a: Self) -> Self;
    fn floor(a: Self) -> Self;
    fn ceil(a: Self) -> Self;
    fn trunc(a: Self) -> Self;
    fn reciprocal(a: Self) -> Self;
    fn isnan(_a: Self) -> bool {
        false
    }
    fn isinf(_a: Self) -> bool {
        false
    }
    fn signbit(a: Self) -> bool;
}

/// Float-only element functions. Transcendentals go through `types::math`, which calls these
/// for scalar lanes.
pub trait FloatElem: Elem {
    fn math(op: UnaryOp, a: Self) -> Self;
    fn math2(op: BinaryOp, a: Self, b: Self) -> Self;
}

macro_rules! int_common {
    ($t:ty, $d:ident) => {
        const DTYPE: DType = DType::$d;
        fn to_scalar(self) -> Scalar {
            Scalar::$d(self)
        }
        fn from_scalar(s: Scalar) -> Self {
            s.cast_to::<$t>()
        }
        fn to_i128(self) -> i128 {
            self as i128
        }
        fn to_f64(self) -> f64 {
            self as f64
        }
        fn from_i128(v: i128) -> Self {
            v as $t
        }
        fn from_f64(v: f64) -> Self {
            v as $t
        }
        #[inline]
        fn add(a: Self, b: Self) -> Self {
            a.wrapping_add(b)
        }
        #[inline]
        fn sub(a: Self, b: Self) -> Self {
            a.wrapping_sub(b)
        }
        #[inline]
        fn mul(a: Self, b: Self) -> Self {
            a.wrapping_mul(b)
        }
        #[inline]
        fn truediv(a: Self, b: Self) -> Self {
            // Never produced by type resolution (integer `/` computes in float64).
            if b == 0 { 0 } else { a.wrapping_div(b) }
        }
        #[inline]
        fn floordiv(a: Self, b: Self) -> Self {
            if b == 0 {
                return 0;
            }
            let q = a.wrapping_div(b);
            #[allow(unused_comparisons)]
            let adjust = a.wrapping_rem(b) != 0 && ((a < 0) != (b < 0));
            if adjust { q.wrapping_sub(1) } else { q }
        }
        #[inline]
        fn rem(a: Self, b: Self) -> Self {
            if b == 0 {
                return 0;
            }
            let r = a.wrapping_rem(b);
            #[allow(unused_comparisons)]
            let adjust = r != 0 && ((r < 0) != (b < 0));
            if adjust { r.wrapping_add(b) } else { r }
        }
        #[inline]
        fn pow(a: Self, b: Self) -> Self {
            #[allow(unused_comparisons)]
            if b < 0 {
                return 0;
            }
            let mut e = b as u64;
            let mut base = a;
            let mut acc: $t = 1;
            while e > 0 {
                if e & 1 == 1 {
                    acc = acc.wrapping_mul(base);
                }
                base = base.wrapping_mul(base);
                e >>= 1;
            }
            acc
        }
        #[inline]
        fn pow_invalid(b: Self) -> bool {
            #[allow(unused_comparisons)]
            let neg = b < 0;
            neg
        }
        #[inline]
        fn shl(a: Self, b: Self) -> Self {
            let bits = <$t>::BITS as u64;
            #[allow(unused_comparisons)]
            let ok = b >= 0 && (b as u64) < bits;
            if ok { a.wrapping_shl(b as u32) } else { 0 }
        }
        #[inline]
        fn shr(a: Self, b: Self) -> Self {
            let bits = <$t>::BITS as u64;
            #[allow(unused_comparisons)]
            let ok = b >= 0 && (b as u64) < bits;
            #[allow(unused_comparisons)]
            if ok {
                a.wrapping_shr(b as u32)
            } else if a < 0 {
                (0 as $t).wrapping_sub(1)
            } else {
                0
            }
        }
        #[inline]
        fn and(a: Self, b: Self) -> Self {
            a & b
        }
        #[inline]
        fn or(a: Self, b: Self) -> Self {
            a | b
        }
        #[inline]
        fn xor(a: Self, b: Self) -> Self {
            a ^ b
        }
        #[inline]
        fn maximum(a: Self, b: Self) -> Self {
            if a > b { a } else { b }
        }
        #[inline]
        fn minimum(a: Self, b: Self) -> Self {
            if a < b { a } else { b }
        }
        #[inline]
        fn fmax(a: Self, b: Self) -> Self {
            if a > b { a } else { b }
        }
        #[inline]
        fn fmin(a: Self, b: Self) -> Self {
            if a < b { a } else { b }
        }
        #[inline]
        fn fmod(a: Self, b: Self) -> Self {
            if b == 0 { 0 } else { a.wrapping_rem(b) }
        }
        #[inline]
        fn invert(a: Self) -> Self {
            !a
        }
        #[inline]
        fn rint(a: Self) -> Self {
            a
        }
        #[inline]
        fn floor(a: Self) -> Self {
            a
        }
        #[inline]
        fn ceil(a: Self) -> Self {
            a
        }
        #[inline]
        fn trunc(a: Self) -> Self {
            a
        }
    };
}

macro_rules! signed {
    ($t:ty, $d:ident) => {
        impl Elem for $t {
            int_common!($t, $d);
            #[inline]
            fn neg(a: Self) -> Self {
                a.wrapping_neg()
            }
            #[inline]
            fn abs(a: Self) -> Self {
                a.wrapping_abs()
            }
            #[inline]
            fn sign(a: Self) -> Self {
                a.signum()
            }
            #[inline]
            fn reciprocal(a: Self) -> Self {
                // NumPy computes 1/a in C: for 0, int8 and int16 (computed as int) give 0,
                // int32 and int64 give what x86 gives, INT_MIN.
                if a == 0 {
                    if <$t>::BITS >= 32 { <$t>::MIN } else { 0 }
                } else {
                    (1 as $t).wrapping_div(a)
                }
            }
            #[inline]
            fn signbit(a: Self) -> bool {
                a < 0
            }
        }
    };
}

macro_rules! unsigned {
    ($t:ty, $d:ident) => {
        impl Elem for $t {
            int_common!($t, $d);
            #[inline]
            fn neg(a: Self) -> Self {
                a.wrapping_neg()
            }
            #[inline]
            fn abs(a: Self) -> Self {
                a
            }
            #[inline]
            fn sign(a: Self) -> Self {
                (a > 0) as $t
            }
            #[inline]
            fn reciprocal(a: Self) -> Self {
                if a == 0 { 0 } else { 1 / a }
            }
            #[inline]
            fn signbit(_a: Self) -> bool {
                false
            }
        }
    };
}

signed!(i8, I8);
signed!(i16, I16);
signed!(i32, I32);
signed!(i64, I64);
unsigned!(u8, U8);
unsigned!(u16, U16);
unsigned!(u32, U32);
unsigned!(u64, U64);

impl Elem for bool {
    const DTYPE: DType = DType::Bool;
    fn to_scalar(self) -> Scalar {
        Scalar::Bool(self)
    }
    fn from_scalar(s: Scalar) -> Self {
        s.cast_to::<bool>()
    }
    fn to_i128(self) -> i128 {
        self as i128
    }
    fn to_f64(self) -> f64 {
        if self { 1.0 } else { 0.0 }
    }
    fn from_i128(v: i128) -> Self {
        v != 0
    }
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    fn add(a: Self, b: Self) -> Self {
        a | b
    }
    fn sub(a: Self, b: Self) -> Self {
        a ^ b
    }
    fn mul(a: Self, b: Self) -> Self {
        a & b
    }
    fn truediv(a: Self, _b: Self) -> Self {
        a
    }
    fn floordiv(a: Self, _b: Self) -> Self {
        a
    }
    fn rem(_a: Self, _b: Self) -> Self {
        false
    }
    fn pow(_a: Self, _b: Self) -> Self {
        true
    }
    fn shl(a: Self, _b: Self) -> Self {
        a
    }
    fn shr(a: Self, _b: Self) -> Self {
        a
    }
    fn and(a: Self, b: Self) -> Self {
        a & b
    }
    fn or(a: Self, b: Self) -> Self {
        a | b
    }
    fn xor(a: Self, b: Self) -> Self {
        a ^ b
    }
    fn maximum(a: Self, b: Self) -> Self {
        a | b
    }
    fn minimum(a: Self, b: Self) -> Self {
        a & b
    }
    fn fmax(a: Self, b: Self) -> Self {
        a | b
    }
    fn fmin(a: Self, b: Self) -> Self {
        a & b
    }
    fn fmod(a: Self, _b: Self) -> Self {
        a
    }
    fn neg(a: Self) -> Self {
        a
    }
    fn invert(a: Self) -> Self {
        !a
    }
    fn abs(a: Self) -> Self {
        a
    }
    fn sign(a: Self) -> Self {
        a
    }
    fn rint(a: Self) -> Self {
        a
    }
    fn floor(a: Self) -> Self {
        a
    }
    fn ceil(a: Self) -> Self {
        a
    }
    fn trunc(a: Self) -> Self {
        a
    }
    fn reciprocal(a: Self) -> Self {
        a
    }
    fn signbit(_a: Self) -> bool {
        false
    }
}

macro_rules! float {
    ($t:ty, $d:ident) => {
        impl Elem for $t {
            const DTYPE: DType = DType::$d;
            fn to_scalar(self) -> Scalar {
                Scalar::$d(self)
            }
            fn from_scalar(s: Scalar) -> Self {
                s.cast_to::<$t>()
            }
            fn to_i128(self) -> i128 {
                self as i128
            }
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn from_i128(v: i128) -> Self {
                v as $t
            }
            fn from_f64(v: f64) -> Self {
                v as $t
            }
            #[inline]
            fn add(a: Self, b: Self) -> Self {
                a + b
            }
            #[inline]
            fn sub(a: Self, b: Self) -> Self {
                a - b
            }
            #[inline]
            fn mul(a: Self, b: Self) -> Self {
                a * b
            }
            #[inline]
            fn truediv(a: Self, b: Self) -> Self {
                a / b
            }
            // `//`, `%` and `**` go through the VM's lane kernels (vmath), so that constant
            // folding, the reference evaluator and every VM path agree to the bit.
            #[inline]
            fn floordiv(a: Self, b: Self) -> Self {
                Self::math2(BinaryOp::FloorDiv, a, b)
            }
            #[inline]
            fn rem(a: Self, b: Self) -> Self {
                Self::math2(BinaryOp::Mod, a, b)
            }
            #[inline]
            fn pow(a: Self, b: Self) -> Self {
                Self::math2(BinaryOp::Pow, a, b)
            }
            fn shl(a: Self, _b: Self) -> Self {
                a
            }
            fn shr(a: Self, _b: Self) -> Self {
                a
            }
            fn and(a: Self, _b: Self) -> Self {
                a
            }
            fn or(a: Self, _b: Self) -> Self {
                a
            }
            fn xor(a: Self, _b: Self) -> Self {
                a
            }
            #[inline]
            fn maximum(a: Self, b: Self) -> Self {
                if a.is_nan() {
                    a
                } else if b.is_nan() {
                    b
                } else if a > b {
                    a
                } else {
                    b
                }
            }
            #[inline]
            fn minimum(a: Self, b: Self) -> Self {
                if a.is_nan() {
                    a
                } else if b.is_nan() {
                    b
                } else if a < b {
                    a
                } else {
                    b
                }
            }
            // NumPy documents fmax as `where(x1 >= x2, x1, x2)` with NaNs ignored, and its
            // float64 loops on 0-d operands and Python floats give exactly that: of two
            // equal operands, zeros of opposite signs included, the first. (Its float32
            // loops with a 0-d operand and its SIMD loops over long arrays return the
            // second for some elements, so no rule matches NumPy in every loop; this one
            // is its documented one.)
            #[inline]
            fn fmax(a: Self, b: Self) -> Self {
                if b.is_nan() || a >= b { a } else { b }
            }
            #[inline]
            fn fmin(a: Self, b: Self) -> Self {
                if b.is_nan() || a <= b { a } else { b }
            }
            #[inline]
            fn fmod(a: Self, b: Self) -> Self {
                a % b
            }
            #[inline]
            fn neg(a: Self) -> Self {
                -a
            }
            fn invert(a: Self) -> Self {
                a
            }
            #[inline]
            fn abs(a: Self) -> Self {
                a.abs()
            }
            #[inline]
            fn sign(a: Self) -> Self {
                if a > 0.0 {
                    1.0
                } else if a < 0.0 {
                    -1.0
                } else if a == 0.0 {
                    0.0
                } else {
                    a
                }
            }
            #[inline]
            fn rint(a: Self) -> Self {
                a.round_ties_even()
            }
            #[inline]
            fn floor(a: Self) -> Self {
                a.floor()
            }
            #[inline]
            fn ceil(a: Self) -> Self {
                a.ceil()
            }
            #[inline]
            fn trunc(a: Self) -> Self {
                a.trunc()
            }
            #[inline]
            fn reciprocal(a: Self) -> Self {
                1.0 / a
            }
            #[inline]
            fn isnan(a: Self) -> bool {
                a.is_nan()
            }
            #[inline]
            fn isinf(a: Self) -> bool {
                a.is_infinite()
            }
            #[inline]
            fn signbit(a: Self) -> bool {
                a.is_sign_negative()
            }
        }

        // The vector-math lane functions of `vmath`, one element at a time (see `types::math`).
        impl FloatElem for $t {
            fn math(op: UnaryOp, a: Self) -> Self {
                <$t as super::math::OneLane>::unary_one(op, a)
            }
            fn math2(op: BinaryOp, a: Self, b: Self) -> Self {
                <$t as super::math::OneLane>::binary_one(op, a, b)
            }
        }
    };
}

float!(f32, F32);
float!(f64, F64);

/// NumPy's pairwise summation (`pairwise_sum` in loops_utils.h): 8 accumulators up to
/// 128 elements, halving above.
#[must_use]
pub fn pairwise_sum<T: Elem>(a: &[T]) -> T {
    let n = a.len();
    if n < 8 {
        let mut r = T::zero();
        for &x in a {
            r = T::add(r, x);
        }
        // NumPy starts this case from -0.0 for floats only when the input is all -0.0;
        // its result for the reduction is `0 + pairwise`, applied by the caller.
        return r;
    }
    if n <= 128 {
        let mut r = [T::zero(); 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for j in 0..8 {
                r[j] = T::add(r[j], a[i + j]);
            }
            i += 8;
        }
        let mut res = T::add(
            T::add(T::add(r[0], r[1]), T::add(r[2], r[3])),
            T::add(T::add(r[4], r[5]), T::add(r[6], r[7])),
        );
        while i < n {
            res = T::add(res, a[i]);
            i += 1;
        }
        return res;
    }
    let mut n2 = n / 2;
    n2 -= n2 % 8;
    T::add(pairwise_sum(&a[..n2]), pairwise_sum(&a[n2..]))
}

/// NumPy's `npy_divmod` (also CPython's float divmod): floor quotient and modulus with
/// the sign of the divisor. `b` is nonzero. The scalar reference for the lane kernels
/// (`vmath::remainder_f64x2`, `floordiv_f64x2`), checked against them in the tests below.
#[cfg(test)]
fn divmod<T: num_like::Float>(a: T, b: T) -> (T, T) {
    let zero = T::ZERO;
    let mut m = a % b;
    let mut div = (a - m) / b;
    // `m != 0` is true for NaN too, which the C code relies on (`if (mod)`).
    #[allow(clippy::float_cmp)]
    if m == zero {
        m = zero.copysign(b);
    } else if (b < zero) != (m < zero) {
        m = m + b;
        div = div - T::ONE;
    }
    #[allow(clippy::if_not_else)]
    let floordiv = if div != zero {
        let mut f = div.floor();
        if div - f > T::HALF {
            f = f + T::ONE;
        }
        f
    } else {
        zero.copysign(a / b)
    };
    (floordiv, m)
}

#[cfg(test)]
mod num_like {
    //! The few float operations the generic helpers above need.
    use std::ops::{Add, Div, Neg, Rem, Sub};

    pub trait Float:
        Copy
        + PartialOrd
        + Add<Output = Self>
        + Sub<Output = Self>
        + Div<Output = Self>
        + Rem<Output = Self>
        + Neg<Output = Self>
    {
        const ZERO: Self;
        const ONE: Self;
        const HALF: Self;
        fn floor(self) -> Self;
        fn copysign(self, s: Self) -> Self;
    }

    macro_rules! imp {
        ($t:ty) => {
            impl Float for $t {
                const ZERO: Self = 0.0;
                const ONE: Self = 1.0;
                const HALF: Self = 0.5;
                fn floor(self) -> Self {
                    <$t>::floor(self)
                }
                fn copysign(self, s: Self) -> Self {
                    <$t>::copysign(self, s)
                }
            }
        };
    }
    imp!(f32);
    imp!(f64);
}

/// Applies a binary op to two elements of one dtype whose result has that dtype (the
/// non-comparison ops). Used by constant folding and the reference evaluator.
#[must_use]
pub fn binary<T: Elem>(op: BinaryOp, a: T, b: T) -> T {
    match op {
        BinaryOp::Add => T::add(a, b),
        BinaryOp::Sub => T::sub(a, b),
        BinaryOp::Mul => T::mul(a, b),
        BinaryOp::TrueDiv => T::truediv(a, b),
        BinaryOp::FloorDiv => T::floordiv(a, b),
        BinaryOp::Mod => T::rem(a, b),
        BinaryOp::Pow => T::pow(a, b),
        BinaryOp::Shl => T::shl(a, b),
        BinaryOp::Shr => T::shr(a, b),
        BinaryOp::And => T::and(a, b),
        BinaryOp::Or => T::or(a, b),
        BinaryOp::Xor => T::xor(a, b),
        BinaryOp::Maximum => T::maximum(a, b),
        BinaryOp::Minimum => T::minimum(a, b),
        BinaryOp::Fmax => T::fmax(a, b),
        BinaryOp::Fmin => T::fmin(a, b),
        BinaryOp::Fmod => T::fmod(a, b),
        BinaryOp::Arctan2 | BinaryOp::Hypot | BinaryOp::Nextafter | BinaryOp::Copysign => {
            T::from_scalar(float_binary(op, a.to_scalar(), b.to_scalar()))
        }
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Ge | BinaryOp::Gt => {
            T::from_i128(compare(op, a, b) as i128)
        }
    }
}

/// A comparison of two elements of one dtype.
#[inline]
#[must_use]
pub fn compare<T: Elem>(op: BinaryOp, a: T, b: T) -> bool {
    match op {
        BinaryOp::Lt => a < b,
        BinaryOp::Le => a <= b,
        BinaryOp::Eq => a == b,
        BinaryOp::Ne => a != b,
        BinaryOp::Ge => a >= b,
        _ => a > b,
    }
}

fn float_binary(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    match (a, b) {
        (Scalar::F32(x), Scalar::F32(y)) => Scalar::F32(f32::math2(op, x, y)),
        (Scalar::F64(x), Scalar::F64(y)) => Scalar::F64(f64::math2(op, x, y)),
        _ => a,
    }
}

/// Applies a unary op whose result has the operand's dtype (not the predicates).
#[must_use]
pub fn unary<T: Elem>(op: UnaryOp, a: T) -> T {
    match op {
        UnaryOp::Neg => T::neg(a),
        UnaryOp::Invert => T::invert(a),
        UnaryOp::Abs => T::abs(a),
        UnaryOp::Ceil => T::ceil(a),
        UnaryOp::Floor => T::floor(a),
        UnaryOp::Trunc => T::trunc(a),
        UnaryOp::Rint => T::rint(a),
        UnaryOp::Sign => T::sign(a),
        UnaryOp::Square => T::mul(a, a),
        UnaryOp::Reciprocal => T::reciprocal(a),
        UnaryOp::One => T::one(),
        UnaryOp::Zero => T::zero(),
        UnaryOp::IsNan | UnaryOp::IsFinite | UnaryOp::IsInf | UnaryOp::Signbit => {
            T::from_i128(predicate(op, a) as i128)
        }
        _ => match a.to_scalar() {
            Scalar::F32(x) => T::from_scalar(Scalar::F32(f32::math(op, x))),
            Scalar::F64(x) => T::from_scalar(Scalar::F64(f64::math(op, x))),
            _ => a,
        },
    }
}

/// A unary predicate (`isnan`, `isfinite`, `isinf`, `signbit`).
#[inline]
#[must_use]
pub fn predicate<T: Elem>(op: UnaryOp, a: T) -> bool {
    match op {
        UnaryOp::IsNan => T::isnan(a),
        UnaryOp::IsInf => T::isinf(a),
        UnaryOp::IsFinite => !T::isnan(a) && !T::isinf(a),
        _ => T::signbit(a),
    }
}

/// NumPy's cast between element types (`astype` with unsafe casting).
#[inline]
#[must_use]
pub fn cast<S: Elem, D: Elem>(x: S) -> D {
    if S::is_float() {
        D::from_f64(x.to_f64())
    } else {
        D::from_i128(x.to_i128())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_semantics_match_numpy() {
        assert_eq!(i8::floordiv(-7, 2), -4);
        assert_eq!(i8::rem(-5, 3), 1);
        assert_eq!(i8::floordiv(-128, -1), -128);
        assert_eq!(i8::floordiv(5, 0), 0);
        assert_eq!(i32::shl(1, 40), 0);
        assert_eq!(i32::shr(-5, 40), -1);
        assert_eq!(i8::shl(-7, 7), -128);
        assert_eq!(<i32 as Elem>::pow(2, 40), 0);
        assert_eq!(<i8 as Elem>::abs(-128), -128);
        assert_eq!(i32::reciprocal(0), i32::MIN);
        assert_eq!(i8::reciprocal(0), 0);
    }

    /// The lane kernels behind float `//` and `%` equal NumPy's scalar `npy_divmod` to the
    /// bit, special values included (b = 0 gives x/0 and NaN, as NumPy).
    #[test]
    fn float_divmod_lanes_match_scalar_reference() {
        let specials = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -2.5,
            3.0,
            7.0,
            -7.0,
            1e300,
            -1e-300,
            5e-324,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            1e17,
            -123.456,
        ];
        let mut vals: Vec<f64> = specials.to_vec();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..400 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let u = (state >> 11) as f64 / (1u64 << 53) as f64;
            vals.push((u - 0.5) * 2f64.powi((state % 40) as i32 - 10));
        }
        let same = |x: f64, y: f64| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan());
        for &a in &vals {
            for &b in &vals {
                let (q, m) = if b == 0.0 {
                    (a / b, a % b)
                } else {
                    divmod(a, b)
                };
                assert!(
                    same(f64::floordiv(a, b), q),
                    "{a} // {b}: {} vs {q}",
                    f64::floordiv(a, b)
                );
                assert!(
                    same(f64::rem(a, b), m),
                    "{a} % {b}: {} vs {m}",
                    f64::rem(a, b)
                );
                let (a32, b32) = (a as f32, b as f32);
                let (q32, m32) = if b32 == 0.0 {
                    (a32 / b32, a32 % b32)
                } else {
                    divmod(a32, b32)
                };
                assert!(
                    same(f64::from(f32::floordiv(a32, b32)), f64::from(q32)),
                    "{a32} // {b32}"
                );
                assert!(
                    same(f64::from(f32::rem(a32, b32)), f64::from(m32)),
                    "{a32} % {b32}"
                );
            }
        }
    }

    /// np.fmax(-0.0, 0.0) is -0.0 and np.fmax(0.0, -0.0) is 0.0 (NumPy 2.4, float64 0-d
    /// operands): of equal operands the first, for fmax and fmin alike, in both widths.
    #[test]
    fn fmax_and_fmin_keep_the_first_of_equal_zeros() {
        let bits = |x: f64| x.to_bits();
        for (a, b) in [(-0.0, 0.0), (0.0, -0.0), (0.0, 0.0), (-0.0, -0.0)] {
            assert_eq!(bits(f64::fmax(a, b)), bits(a), "fmax({a:?}, {b:?})");
            assert_eq!(bits(f64::fmin(a, b)), bits(a), "fmin({a:?}, {b:?})");
            let (a32, b32) = (a as f32, b as f32);
            assert_eq!(f32::fmax(a32, b32).to_bits(), a32.to_bits());
            assert_eq!(f32::fmin(a32, b32).to_bits(), a32.to_bits());
        }
        // maximum and minimum keep NumPy's other rule: the second of equal operands.
        assert_eq!(bits(<f64 as Elem>::maximum(-0.0, 0.0)), bits(0.0));
        assert_eq!(bits(<f64 as Elem>::minimum(0.0, -0.0)), bits(-0.0));
    }

    #[test]
    fn float_semantics_match_numpy() {
        assert_eq!(f64::floordiv(-7.0, 2.0), -4.0);
        assert!(f64::rem(5.0, -0.0).is_nan());
        assert_eq!(f64::rem(-0.0, 5.0).to_bits(), 0.0f64.to_bits());
        assert_eq!(f64::rem(0.0, -5.0).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f64::rem(-1.0, f64::INFINITY), f64::INFINITY);
        assert_eq!(<f64 as Elem>::floordiv(1.0, 0.0), f64::INFINITY);
        assert!(<f64 as Elem>::maximum(f64::NAN, 1.0).is_nan());
        assert_eq!(f64::fmax(f64::NAN, 1.0), 1.0);
        assert!(f64::fmax(f64::NAN, f64::NAN).is_nan());
        assert_eq!(f32::fmin(2.0, f32::NAN), 2.0);
        assert_eq!(f64::rint(2.5), 2.0);
        assert_eq!(
            f64::math2(BinaryOp::Nextafter, 1.0, 2.0),
            1.0 + f64::EPSILON
        );
    }
}
