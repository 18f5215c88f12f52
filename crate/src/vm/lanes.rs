//! Lane loops: one tight loop per (operation, dtype), over raw pointers valid for
//! `n` elements. Integer lane loops are generic loops over `types::elem` functions, which the
//! compiler inlines and vectorizes; float lane loops are written over `std::simd` lanes for
//! the operations that dominate real expressions, and call `types::math` for the others.
//!
//! # Safety
//! Every function here is `unsafe`: pointers must be valid for `n` elements, and a
//! destination may not overlap a source unless it is the very same pointer.
//!
//! The small loop helpers are `#[inline(always)]` on purpose: each is instantiated with
//! an operation's closure, and only inlining makes that one tight vectorized loop.
//!
//! The lane loops the interpreter calls are `#[inline(never)]`, also on purpose: V8 compiles
//! a wasm function first with its baseline compiler (Liftoff, several times slower on SIMD
//! code) and moves it to the optimizing one only once that function is hot and compiled.
//! With every lane loop inlined, `run_block` was one 327 KB function that stayed in baseline
//! code for whole benchmark runs (measured: `2*a + 3*b` at 9.7 ns per element, 2.2 ns with
//! `--no-liftoff`). Kept apart, each lane loop is small, hot and optimized within a few calls.
#![allow(clippy::inline_always)]

use std::ptr;
use std::simd::prelude::*;
use std::simd::{SimdElement, StdFloat};

use crate::types::elem::{self, Elem};
use crate::types::math;
use crate::types::{BinaryOp, UnaryOp};
pub(super) use crate::vmath::blocks::{load, store};

#[inline(always)]
unsafe fn map1<T: Copy, U>(a: *const T, o: *mut U, n: usize, f: impl Fn(T) -> U) {
    for i in 0..n {
        // SAFETY: see the module doc.
        unsafe { o.add(i).write(f(a.add(i).read())) };
    }
}

#[inline(always)]
unsafe fn map2<T: Copy, U>(a: *const T, b: *const T, o: *mut U, n: usize, f: impl Fn(T, T) -> U) {
    for i in 0..n {
        // SAFETY: see the module doc.
        unsafe { o.add(i).write(f(a.add(i).read(), b.add(i).read())) };
    }
}

#[inline(always)]
unsafe fn fill<T: Copy>(o: *mut T, n: usize, v: T) {
    for i in 0..n {
        // SAFETY: see the module doc.
        unsafe { o.add(i).write(v) };
    }
}

/// Runs `$body` with `$f` bound to the element function of a non-comparison binary op.
macro_rules! with_binop {
    ($T:ty, $op:expr, $f:ident => $body:expr) => {
        match $op {
            BinaryOp::Add => {
                let $f = <$T>::add;
                $body
            }
            BinaryOp::Sub => {
                let $f = <$T>::sub;
                $body
            }
            BinaryOp::Mul => {
                let $f = <$T>::mul;
                $body
            }
            BinaryOp::TrueDiv => {
                let $f = <$T>::truediv;
                $body
            }
            BinaryOp::FloorDiv => {
                let $f = <$T>::floordiv;
                $body
            }
            BinaryOp::Mod => {
                let $f = <$T>::rem;
                $body
            }
            BinaryOp::Pow => {
                let $f = <$T>::pow;
                $body
            }
            BinaryOp::Shl => {
                let $f = <$T>::shl;
                $body
            }
            BinaryOp::Shr => {
                let $f = <$T>::shr;
                $body
            }
            BinaryOp::And => {
                let $f = <$T>::and;
                $body
            }
            BinaryOp::Or => {
                let $f = <$T>::or;
                $body
            }
            BinaryOp::Xor => {
                let $f = <$T>::xor;
                $body
            }
            BinaryOp::Maximum => {
                let $f = <$T>::maximum;
                $body
            }
            BinaryOp::Minimum => {
                let $f = <$T>::minimum;
                $body
            }
            BinaryOp::Fmax => {
                let $f = <$T>::fmax;
                $body
            }
            BinaryOp::Fmin => {
                let $f = <$T>::fmin;
                $body
            }
            BinaryOp::Fmod => {
                let $f = <$T>::fmod;
                $body
            }
            other => {
                let $f = move |x: $T, y: $T| elem::binary(other, x, y);
                $body
            }
        }
    };
}

macro_rules! with_cmp {
    ($op:expr, $f:ident => $body:expr) => {
        match $op {
            BinaryOp::Lt => {
                let $f = |x, y| x < y;
                $body
            }
            BinaryOp::Le => {
                let $f = |x, y| x <= y;
                $body
            }
            BinaryOp::Eq => {
                let $f = |x, y| x == y;
                $body
            }
            BinaryOp::Ne => {
                let $f = |x, y| x != y;
                $body
            }
            BinaryOp::Ge => {
                let $f = |x, y| x >= y;
                $body
            }
            _ => {
                let $f = |x, y| x > y;
                $body
            }
        }
    };
}

/// Generic element loops, used by every dtype (and by floats for the rarer ops).
pub mod generic {
    use super::{BinaryOp, Elem, UnaryOp, elem, fill, map1, map2};

    #[inline(never)]
    pub unsafe fn unary<T: Elem>(op: UnaryOp, a: *const T, o: *mut T, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe {
            match op {
                UnaryOp::Neg => map1(a, o, n, T::neg),
                UnaryOp::Invert => map1(a, o, n, T::invert),
                UnaryOp::Abs => map1(a, o, n, T::abs),
                UnaryOp::Ceil => map1(a, o, n, T::ceil),
                UnaryOp::Floor => map1(a, o, n, T::floor),
                UnaryOp::Trunc => map1(a, o, n, T::trunc),
                UnaryOp::Rint => map1(a, o, n, T::rint),
                UnaryOp::Sign => map1(a, o, n, T::sign),
                UnaryOp::Square => map1(a, o, n, |x| T::mul(x, x)),
                UnaryOp::Reciprocal => map1(a, o, n, T::reciprocal),
                UnaryOp::One => fill(o, n, T::one()),
                UnaryOp::Zero => fill(o, n, T::zero()),
                other => map1(a, o, n, |x| elem::unary(other, x)),
            }
        }
    }

    #[inline(never)]
    pub unsafe fn predicate<T: Elem>(op: UnaryOp, a: *const T, o: *mut bool, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe {
            match op {
                UnaryOp::IsNan => map1(a, o, n, T::isnan),
                UnaryOp::IsInf => map1(a, o, n, T::isinf),
                UnaryOp::IsFinite => map1(a, o, n, |x| !T::isnan(x) && !T::isinf(x)),
                _ => map1(a, o, n, T::signbit),
            }
        }
    }

    /// Returns false (and computes nothing) if an integer power has a negative exponent.
    #[inline(never)]
    pub unsafe fn binary<T: Elem>(
        op: BinaryOp,
        a: *const T,
        b: *const T,
        o: *mut T,
        n: usize,
    ) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe {
            if op == BinaryOp::Pow && (0..n).any(|i| T::pow_invalid(b.add(i).read())) {
                return false;
            }
            with_binop!(T, op, f => map2(a, b, o, n, f));
        }
        true
    }

    #[inline(never)]
    pub unsafe fn binary_k<T: Elem>(op: BinaryOp, a: *const T, k: T, o: *mut T, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { with_binop!(T, op, f => map1(a, o, n, |x| f(x, k))) }
    }

    #[inline(never)]
    pub unsafe fn k_binary<T: Elem>(op: BinaryOp, k: T, a: *const T, o: *mut T, n: usize) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe {
            if op == BinaryOp::Pow && (0..n).any(|i| T::pow_invalid(a.add(i).read())) {
                return false;
            }
            with_binop!(T, op, f => map1(a, o, n, |x| f(k, x)));
        }
        true
    }

    #[inline(never)]
    pub unsafe fn compare<T: Elem>(op: BinaryOp, a: *const T, b: *const T, o: *mut bool, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { with_cmp!(op, f => map2(a, b, o, n, f)) }
    }

    #[inline(never)]
    pub unsafe fn compare_k<T: Elem>(op: BinaryOp, a: *const T, k: T, o: *mut bool, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { with_cmp!(op, f => map1(a, o, n, |x| f(x, k))) }
    }

    #[inline(never)]
    pub unsafe fn muladd<T: Elem>(a: *const T, b: *const T, c: *const T, o: *mut T, n: usize) {
        for i in 0..n {
            // SAFETY: forwarded from the caller.
            unsafe {
                o.add(i).write(T::add(
                    T::mul(a.add(i).read(), b.add(i).read()),
                    c.add(i).read(),
                ))
            };
        }
    }

    #[inline(never)]
    pub unsafe fn select<T: Elem>(c: *const bool, a: *const T, b: *const T, o: *mut T, n: usize) {
        for i in 0..n {
            // SAFETY: forwarded from the caller.
            unsafe {
                o.add(i).write(if c.add(i).read() {
                    a.add(i).read()
                } else {
                    b.add(i).read()
                })
            };
        }
    }
}

/// The lane loops of one dtype. Defaults are the generic loops; floats override.
pub trait BlockOps: Elem {
    unsafe fn unary(op: UnaryOp, a: *const Self, o: *mut Self, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { generic::unary(op, a, o, n) }
    }
    unsafe fn binary(op: BinaryOp, a: *const Self, b: *const Self, o: *mut Self, n: usize) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe { generic::binary(op, a, b, o, n) }
    }
    unsafe fn binary_k(op: BinaryOp, a: *const Self, k: Self, o: *mut Self, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { generic::binary_k(op, a, k, o, n) }
    }
    /// `o[i] = op(k, a[i])`; false for an integer power with a negative exponent.
    unsafe fn k_binary(op: BinaryOp, k: Self, a: *const Self, o: *mut Self, n: usize) -> bool {
        // SAFETY: forwarded from the caller.
        unsafe { generic::k_binary(op, k, a, o, n) }
    }
    unsafe fn compare(op: BinaryOp, a: *const Self, b: *const Self, o: *mut bool, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { generic::compare(op, a, b, o, n) }
    }
    unsafe fn compare_k(op: BinaryOp, a: *const Self, k: Self, o: *mut bool, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { generic::compare_k(op, a, k, o, n) }
    }
    unsafe fn muladd(a: *const Self, b: *const Self, c: *const Self, o: *mut Self, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { generic::muladd(a, b, c, o, n) }
    }
    unsafe fn muladd_k(a: *const Self, k: Self, c: *const Self, o: *mut Self, n: usize) {
        for i in 0..n {
            // SAFETY: forwarded from the caller.
            unsafe {
                o.add(i)
                    .write(Self::add(Self::mul(a.add(i).read(), k), c.add(i).read()))
            };
        }
    }
    unsafe fn muladd_c(a: *const Self, b: *const Self, k: Self, o: *mut Self, n: usize) {
        for i in 0..n {
            // SAFETY: forwarded from the caller.
            unsafe {
                o.add(i)
                    .write(Self::add(Self::mul(a.add(i).read(), b.add(i).read()), k))
            };
        }
    }
    unsafe fn select(c: *const bool, a: *const Self, b: *const Self, o: *mut Self, n: usize) {
        // SAFETY: forwarded from the caller.
        unsafe { generic::select(c, a, b, o, n) }
    }
    /// `where(x cmp y, a, b)` with `x, y, a, b` all of this dtype.
    unsafe fn cmp_select(
        cmp: BinaryOp,
        x: *const Self,
        y: *const Self,
        a: *const Self,
        b: *const Self,
        o: *mut Self,
        n: usize,
    ) {
        // SAFETY: forwarded from the caller.
        unsafe {
            with_cmp!(cmp, f => {
                for i in 0..n {
                    let c = f(x.add(i).read(), y.add(i).read());
                    o.add(i).write(if c { a.add(i).read() } else { b.add(i).read() });
                }
            });
        }
    }
}

impl BlockOps for bool {}
impl BlockOps for i8 {}
impl BlockOps for i16 {}
impl BlockOps for i32 {}
impl BlockOps for i64 {}
impl BlockOps for u8 {}
impl BlockOps for u16 {}
impl BlockOps for u32 {}
impl BlockOps for u64 {}

macro_rules! float_kern {
    ($t:ty, $l:literal, $un:path, $bin:path, $bink:path, $kbin:path, $vmax:ident, $vmin:ident) => {
        impl BlockOps for $t {
            #[inline(never)]
            unsafe fn unary(op: UnaryOp, a: *const Self, o: *mut Self, n: usize) {
                type V = Simd<$t, $l>;
                // SAFETY: forwarded from the caller.
                unsafe {
                    match op {
                        UnaryOp::Neg => lanes1::<$t, $l>(a, o, n, |x: V| -x, |x| -x),
                        UnaryOp::Abs => lanes1::<$t, $l>(a, o, n, |x: V| x.abs(), <$t>::abs),
                        UnaryOp::Sqrt => lanes1::<$t, $l>(a, o, n, |x: V| x.sqrt(), <$t>::sqrt),
                        UnaryOp::Floor => lanes1::<$t, $l>(a, o, n, |x: V| x.floor(), <$t>::floor),
                        UnaryOp::Ceil => lanes1::<$t, $l>(a, o, n, |x: V| x.ceil(), <$t>::ceil),
                        UnaryOp::Trunc => lanes1::<$t, $l>(a, o, n, |x: V| x.trunc(), <$t>::trunc),
                        UnaryOp::Square => lanes1::<$t, $l>(a, o, n, |x: V| x * x, |x| x * x),
                        UnaryOp::Reciprocal => {
                            lanes1::<$t, $l>(a, o, n, |x: V| V::splat(1.0) / x, |x| 1.0 / x)
                        }
                        op if op.is_transcendental() => $un(op, a, o, n),
                        op => generic::unary(op, a, o, n),
                    }
                }
            }

            #[inline(never)]
            unsafe fn binary(
                op: BinaryOp,
                a: *const Self,
                b: *const Self,
                o: *mut Self,
                n: usize,
            ) -> bool {
                type V = Simd<$t, $l>;
                // SAFETY: forwarded from the caller.
                unsafe {
                    match op {
                        BinaryOp::Add => {
                            lanes2::<$t, $l>(a, b, o, n, |x: V, y| x + y, |x, y| x + y)
                        }
                        BinaryOp::Sub => {
                            lanes2::<$t, $l>(a, b, o, n, |x: V, y| x - y, |x, y| x - y)
                        }
                        BinaryOp::Mul => {
                            lanes2::<$t, $l>(a, b, o, n, |x: V, y| x * y, |x, y| x * y)
                        }
                        BinaryOp::TrueDiv => {
                            lanes2::<$t, $l>(a, b, o, n, |x: V, y| x / y, |x, y| x / y)
                        }
                        BinaryOp::Maximum => {
                            lanes2::<$t, $l>(a, b, o, n, $vmax, <$t as Elem>::maximum)
                        }
                        BinaryOp::Minimum => {
                            lanes2::<$t, $l>(a, b, o, n, $vmin, <$t as Elem>::minimum)
                        }
                        // The math functions (pow, fmod, %, // ...) through their lane
                        // lane loops (types/math.rs lists them); the rest one element at a time.
                        op => {
                            if !$bin(op, a, b, o, n) {
                                return generic::binary(op, a, b, o, n);
                            }
                        }
                    }
                }
                true
            }

            #[inline(never)]
            unsafe fn binary_k(op: BinaryOp, a: *const Self, k: Self, o: *mut Self, n: usize) {
                type V = Simd<$t, $l>;
                let kv = V::splat(k);
                // SAFETY: forwarded from the caller.
                unsafe {
                    match op {
                        BinaryOp::Add => lanes1::<$t, $l>(a, o, n, |x: V| x + kv, |x| x + k),
                        BinaryOp::Sub => lanes1::<$t, $l>(a, o, n, |x: V| x - kv, |x| x - k),
                        BinaryOp::Mul => lanes1::<$t, $l>(a, o, n, |x: V| x * kv, |x| x * k),
                        BinaryOp::TrueDiv => lanes1::<$t, $l>(a, o, n, |x: V| x / kv, |x| x / k),
                        BinaryOp::Maximum => lanes1::<$t, $l>(
                            a,
                            o,
                            n,
                            |x: V| $vmax(x, kv),
                            |x| <$t as Elem>::maximum(x, k),
                        ),
                        BinaryOp::Minimum => lanes1::<$t, $l>(
                            a,
                            o,
                            n,
                            |x: V| $vmin(x, kv),
                            |x| <$t as Elem>::minimum(x, k),
                        ),
                        // The math functions (pow, fmod, %, // ...) through their lane
                        // lane loops with k in every lane; the rest one element at a time.
                        op => {
                            if !$bink(op, a, k, o, n) {
                                generic::binary_k(op, a, k, o, n);
                            }
                        }
                    }
                }
            }

            #[inline(never)]
            unsafe fn k_binary(
                op: BinaryOp,
                k: Self,
                a: *const Self,
                o: *mut Self,
                n: usize,
            ) -> bool {
                // SAFETY: forwarded from the caller.
                unsafe { $kbin(op, k, a, o, n) || generic::k_binary(op, k, a, o, n) }
            }

            #[inline(never)]
            unsafe fn compare(
                op: BinaryOp,
                a: *const Self,
                b: *const Self,
                o: *mut bool,
                n: usize,
            ) {
                type V = Simd<$t, $l>;
                // SAFETY: forwarded from the caller.
                unsafe {
                    match op {
                        BinaryOp::Lt => {
                            cmp2::<$t, $l, _>(a, b, o, n, |x: V, y| x.simd_lt(y), |x, y| x < y)
                        }
                        BinaryOp::Le => {
                            cmp2::<$t, $l, _>(a, b, o, n, |x: V, y| x.simd_le(y), |x, y| x <= y)
                        }
                        BinaryOp::Gt => {
                            cmp2::<$t, $l, _>(a, b, o, n, |x: V, y| x.simd_gt(y), |x, y| x > y)
                        }
                        BinaryOp::Ge => {
                            cmp2::<$t, $l, _>(a, b, o, n, |x: V, y| x.simd_ge(y), |x, y| x >= y)
                        }
                        BinaryOp::Eq => {
                            cmp2::<$t, $l, _>(a, b, o, n, |x: V, y| x.simd_eq(y), |x, y| x == y)
                        }
                        _ => cmp2::<$t, $l, _>(a, b, o, n, |x: V, y| x.simd_ne(y), |x, y| x != y),
                    }
                }
            }

            #[inline(never)]
            unsafe fn muladd(
                a: *const Self,
                b: *const Self,
                c: *const Self,
                o: *mut Self,
                n: usize,
            ) {
                let mut i = 0;
                // SAFETY: forwarded from the caller.
                unsafe {
                    while i + $l <= n {
                        let r = load::<$t, $l>(a, i) * load::<$t, $l>(b, i) + load::<$t, $l>(c, i);
                        store::<$t, $l>(o, i, r);
                        i += $l;
                    }
                    while i < n {
                        o.add(i)
                            .write(a.add(i).read() * b.add(i).read() + c.add(i).read());
                        i += 1;
                    }
                }
            }

            #[inline(never)]
            unsafe fn muladd_k(a: *const Self, k: Self, c: *const Self, o: *mut Self, n: usize) {
                type V = Simd<$t, $l>;
                let kv = V::splat(k);
                // SAFETY: forwarded from the caller.
                unsafe { lanes2::<$t, $l>(a, c, o, n, |x: V, z| x * kv + z, |x, z| x * k + z) }
            }

            #[inline(never)]
            unsafe fn muladd_c(a: *const Self, b: *const Self, k: Self, o: *mut Self, n: usize) {
                type V = Simd<$t, $l>;
                let kv = V::splat(k);
                // SAFETY: forwarded from the caller.
                unsafe { lanes2::<$t, $l>(a, b, o, n, |x: V, y| x * y + kv, |x, y| x * y + k) }
            }

            #[inline(never)]
            unsafe fn select(
                c: *const bool,
                a: *const Self,
                b: *const Self,
                o: *mut Self,
                n: usize,
            ) {
                type V = Simd<$t, $l>;
                let mut i = 0;
                // SAFETY: forwarded from the caller.
                unsafe {
                    while i + $l <= n {
                        let m = <V as SimdPartialEq>::Mask::from_array(ptr::read_unaligned(
                            c.add(i).cast::<[bool; $l]>(),
                        ));
                        store::<$t, $l>(o, i, m.select(load::<$t, $l>(a, i), load::<$t, $l>(b, i)));
                        i += $l;
                    }
                    generic::select(c.add(i), a.add(i), b.add(i), o.add(i), n - i);
                }
            }

            #[inline(never)]
            unsafe fn cmp_select(
                cmp: BinaryOp,
                x: *const Self,
                y: *const Self,
                a: *const Self,
                b: *const Self,
                o: *mut Self,
                n: usize,
            ) {
                type V = Simd<$t, $l>;
                let mut i = 0;
                // SAFETY: forwarded from the caller.
                unsafe {
                    while i + $l <= n {
                        let (p, q) = (load::<$t, $l>(x, i), load::<$t, $l>(y, i));
                        let m = match cmp {
                            BinaryOp::Lt => p.simd_lt(q),
                            BinaryOp::Le => p.simd_le(q),
                            BinaryOp::Gt => p.simd_gt(q),
                            BinaryOp::Ge => p.simd_ge(q),
                            BinaryOp::Eq => p.simd_eq(q),
                            _ => p.simd_ne(q),
                        };
                        let r: V = m.select(load::<$t, $l>(a, i), load::<$t, $l>(b, i));
                        store::<$t, $l>(o, i, r);
                        i += $l;
                    }
                    generic_cmp_select(
                        cmp,
                        x.add(i),
                        y.add(i),
                        a.add(i),
                        b.add(i),
                        o.add(i),
                        n - i,
                    );
                }
            }
        }
    };
}

unsafe fn generic_cmp_select<T: Elem>(
    cmp: BinaryOp,
    x: *const T,
    y: *const T,
    a: *const T,
    b: *const T,
    o: *mut T,
    n: usize,
) {
    for i in 0..n {
        // SAFETY: forwarded from the caller.
        unsafe {
            let c = elem::compare(cmp, x.add(i).read(), y.add(i).read());
            o.add(i)
                .write(if c { a.add(i).read() } else { b.add(i).read() });
        }
    }
}

#[inline(always)]
unsafe fn lanes1<T: SimdElement, const L: usize>(
    a: *const T,
    o: *mut T,
    n: usize,
    fv: impl Fn(Simd<T, L>) -> Simd<T, L>,
    fs: impl Fn(T) -> T,
) {
    let mut i = 0;
    // SAFETY: the caller guarantees `n` valid elements.
    unsafe {
        while i + L <= n {
            store(o, i, fv(load(a, i)));
            i += L;
        }
        while i < n {
            o.add(i).write(fs(a.add(i).read()));
            i += 1;
        }
    }
}

#[inline(always)]
unsafe fn lanes2<T: SimdElement, const L: usize>(
    a: *const T,
    b: *const T,
    o: *mut T,
    n: usize,
    fv: impl Fn(Simd<T, L>, Simd<T, L>) -> Simd<T, L>,
    fs: impl Fn(T, T) -> T,
) {
    let mut i = 0;
    // SAFETY: the caller guarantees `n` valid elements.
    unsafe {
        while i + L <= n {
            store(o, i, fv(load(a, i), load(b, i)));
            i += L;
        }
        while i < n {
            o.add(i).write(fs(a.add(i).read(), b.add(i).read()));
            i += 1;
        }
    }
}

#[inline(always)]
unsafe fn cmp2<T: SimdElement, const L: usize, M: ToBools<L>>(
    a: *const T,
    b: *const T,
    o: *mut bool,
    n: usize,
    fv: impl Fn(Simd<T, L>, Simd<T, L>) -> M,
    fs: impl Fn(T, T) -> bool,
) {
    let mut i = 0;
    // SAFETY: the caller guarantees `n` valid elements.
    unsafe {
        while i + L <= n {
            ptr::write_unaligned(
                o.add(i).cast::<[bool; L]>(),
                fv(load(a, i), load(b, i)).bools(),
            );
            i += L;
        }
        while i < n {
            o.add(i).write(fs(a.add(i).read(), b.add(i).read()));
            i += 1;
        }
    }
}

/// A lane mask as bools.
trait ToBools<const L: usize> {
    fn bools(self) -> [bool; L];
}

impl<const L: usize> ToBools<L> for Mask<i64, L> {
    #[inline(always)]
    fn bools(self) -> [bool; L] {
        self.to_array()
    }
}

impl<const L: usize> ToBools<L> for Mask<i32, L> {
    #[inline(always)]
    fn bools(self) -> [bool; L] {
        self.to_array()
    }
}

macro_rules! float_minmax {
    ($t:ty, $l:literal, $max:ident, $min:ident) => {
        /// NumPy's `maximum` over lanes: NaN wins (the first operand's NaN first).
        #[inline(always)]
        pub(super) fn $max(a: Simd<$t, $l>, b: Simd<$t, $l>) -> Simd<$t, $l> {
            let r = a.simd_gt(b).select(a, b);
            let r = b.is_nan().select(b, r);
            a.is_nan().select(a, r)
        }
        /// NumPy's `minimum` over lanes.
        #[inline(always)]
        pub(super) fn $min(a: Simd<$t, $l>, b: Simd<$t, $l>) -> Simd<$t, $l> {
            let r = a.simd_lt(b).select(a, b);
            let r = b.is_nan().select(b, r);
            a.is_nan().select(a, r)
        }
    };
}

float_minmax!(f64, 4, vmaximum_f64, vminimum_f64);
float_minmax!(f32, 8, vmaximum_f32, vminimum_f32);

float_kern!(
    f64,
    4,
    math::unary_f64,
    math::binary_f64,
    math::binary_k_f64,
    math::k_binary_f64,
    vmaximum_f64,
    vminimum_f64
);
float_kern!(
    f32,
    8,
    math::unary_f32,
    math::binary_f32,
    math::binary_k_f32,
    math::k_binary_f32,
    vmaximum_f32,
    vminimum_f32
);
