//! Block loops: a lane function run over whole arrays given as raw pointers, the level at
//! which the VM (and later generated code) calls vector math. Each loop is generic over
//! its lane function, so every instantiation is one monomorphized loop that inlines it.
//!
//! The loops work on raw pointers because the interpreter may write a register in place
//! (`o == a`): each lane group is read before it is written.

use std::ptr;
use std::simd::{Simd, SimdElement, f32x4, f64x2};

/// Reads `L` elements at `p + i` (unaligned).
///
/// # Safety
/// `L` elements at `p + i` must be valid to read.
#[inline(always)]
#[allow(clippy::inline_always)]
pub unsafe fn load<T: SimdElement, const L: usize>(p: *const T, i: usize) -> Simd<T, L> {
    // SAFETY: the caller guarantees `L` valid elements at `p + i`.
    unsafe { Simd::from_array(ptr::read_unaligned(p.add(i).cast::<[T; L]>())) }
}

/// Writes `L` elements at `p + i` (unaligned).
///
/// # Safety
/// `L` elements at `p + i` must be valid to write.
#[inline(always)]
#[allow(clippy::inline_always)]
pub unsafe fn store<T: SimdElement, const L: usize>(p: *mut T, i: usize, v: Simd<T, L>) {
    // SAFETY: the caller guarantees `L` valid elements at `p + i`.
    unsafe { ptr::write_unaligned(p.add(i).cast::<[T; L]>(), v.to_array()) }
}

/// Defines `o[i] = f(a[i])` and `o[i] = f(a[i], b[i])` loops over one lane type; a partial
/// last group is padded with zeros (harmless inputs for every function here).
///
/// Each loop takes the function twice: `fast`, its common case with a flag saying whether
/// that applies to every lane (see the `*_fast_*` functions of vmath; `(f(x), true)` for a
/// function without one), and `f`, the whole function. The inner loop runs `fast` over two
/// vectors per iteration and stops, before storing, at a pair where it does not apply; `f`
/// computes that pair and the inner loop resumes after it. The inner loop has no call to a
/// rare path in it, which lets V8 keep the kernel's constants in registers (exp ran ~1.25x faster in
/// Chromium than with the rare path's call in the loop); two vectors per iteration halve
/// the constant reloads and stack checks (sin and tan ~1.2x).
macro_rules! lane_loops {
    ($unary:ident, $binary:ident, $t:ty, $v:ty, $lanes:expr) => {
        /// # Safety
        /// `a` and `o` must be valid for `n` elements; `o` may equal `a`.
        #[inline(always)]
        #[allow(clippy::inline_always)]
        pub unsafe fn $unary(
            fast: impl Fn($v) -> ($v, bool),
            f: impl Fn($v) -> $v,
            a: *const $t,
            o: *mut $t,
            n: usize,
        ) {
            // Exactly one vector (a generated kernel's lane function): its common case, or
            // the whole function, in a function of its own, small enough that a call costs
            // little next to the loop's (whose many locals wasm zeroes on every call).
            #[inline(never)]
            unsafe fn one<F: Fn($v) -> ($v, bool), G: Fn($v) -> $v>(
                fast: F,
                f: G,
                a: *const $t,
                o: *mut $t,
            ) {
                // SAFETY: one vector at `a` and `o`, read before written.
                unsafe {
                    let x = load::<$t, $lanes>(a, 0);
                    let (r, ok) = fast(x);
                    store::<$t, $lanes>(o, 0, if ok { r } else { f(x) });
                }
            }
            /// The loop, for any `n`.
            #[inline(never)]
            unsafe fn many<F: Fn($v) -> ($v, bool), G: Fn($v) -> $v>(
                fast: F,
                f: G,
                a: *const $t,
                o: *mut $t,
                n: usize,
            ) {
                let mut i = 0;
                // SAFETY (all loops): elements i..i+2*lanes (i..i+lanes) are in bounds, and
                // every group is read before it is written.
                while i + 2 * $lanes <= n {
                    while i + 2 * $lanes <= n {
                        let (x, y) = unsafe {
                            (load::<$t, $lanes>(a, i), load::<$t, $lanes>(a, i + $lanes))
                        };
                        let ((fx, okx), (fy, oky)) = (fast(x), fast(y));
                        if !(okx & oky) {
                            break;
                        }
                        unsafe {
                            store::<$t, $lanes>(o, i, fx);
                            store::<$t, $lanes>(o, i + $lanes, fy);
                        }
                        i += 2 * $lanes;
                    }
                    if i + 2 * $lanes <= n {
                        // The pair that stopped the common case, through the whole function.
                        let (x, y) = unsafe {
                            (load::<$t, $lanes>(a, i), load::<$t, $lanes>(a, i + $lanes))
                        };
                        let (fx, fy) = (f(x), f(y));
                        unsafe {
                            store::<$t, $lanes>(o, i, fx);
                            store::<$t, $lanes>(o, i + $lanes, fy);
                        }
                        i += 2 * $lanes;
                    }
                }
                while i + $lanes <= n {
                    unsafe { store::<$t, $lanes>(o, i, f(load::<$t, $lanes>(a, i))) };
                    i += $lanes;
                }
                if i < n {
                    let mut x = [0.0; $lanes];
                    for (k, slot) in x.iter_mut().enumerate().take(n - i) {
                        // SAFETY: i + k < n.
                        *slot = unsafe { *a.add(i + k) };
                    }
                    let r = f(<$v>::from_array(x)).to_array();
                    for (k, &v) in r.iter().enumerate().take(n - i) {
                        // SAFETY: i + k < n.
                        unsafe { *o.add(i + k) = v };
                    }
                }
            }

            // SAFETY: forwarded from the caller.
            unsafe {
                if n == $lanes {
                    one(fast, f, a, o);
                } else {
                    many(fast, f, a, o, n);
                }
            }
        }

        /// # Safety
        /// `a`, `b` and `o` must be valid for `n` elements; `o` may equal `a` or `b`.
        #[inline(always)]
        #[allow(clippy::inline_always)]
        pub unsafe fn $binary(
            fast: impl Fn($v, $v) -> ($v, bool),
            f: impl Fn($v, $v) -> $v,
            a: *const $t,
            b: *const $t,
            o: *mut $t,
            n: usize,
        ) {
            // Exactly one vector, as in the unary function.
            #[inline(never)]
            unsafe fn one<F: Fn($v, $v) -> ($v, bool), G: Fn($v, $v) -> $v>(
                fast: F,
                f: G,
                a: *const $t,
                b: *const $t,
                o: *mut $t,
            ) {
                // SAFETY: one vector at `a`, `b` and `o`, read before written.
                unsafe {
                    let (x, y) = (load::<$t, $lanes>(a, 0), load::<$t, $lanes>(b, 0));
                    let (r, ok) = fast(x, y);
                    store::<$t, $lanes>(o, 0, if ok { r } else { f(x, y) });
                }
            }
            /// The loop, for any `n`.
            #[inline(never)]
            unsafe fn many2<F: Fn($v, $v) -> ($v, bool), G: Fn($v, $v) -> $v>(
                fast: F,
                f: G,
                a: *const $t,
                b: *const $t,
                o: *mut $t,
                n: usize,
            ) {
                let mut i = 0;
                // SAFETY (all loops): as in the unary loop.
                while i + 2 * $lanes <= n {
                    while i + 2 * $lanes <= n {
                        let (x0, y0) =
                            unsafe { (load::<$t, $lanes>(a, i), load::<$t, $lanes>(b, i)) };
                        let (x1, y1) = unsafe {
                            (
                                load::<$t, $lanes>(a, i + $lanes),
                                load::<$t, $lanes>(b, i + $lanes),
                            )
                        };
                        let ((r0, ok0), (r1, ok1)) = (fast(x0, y0), fast(x1, y1));
                        if !(ok0 & ok1) {
                            break;
                        }
                        unsafe {
                            store::<$t, $lanes>(o, i, r0);
                            store::<$t, $lanes>(o, i + $lanes, r1);
                        }
                        i += 2 * $lanes;
                    }
                    if i + 2 * $lanes <= n {
                        let (x0, y0) =
                            unsafe { (load::<$t, $lanes>(a, i), load::<$t, $lanes>(b, i)) };
                        let (x1, y1) = unsafe {
                            (
                                load::<$t, $lanes>(a, i + $lanes),
                                load::<$t, $lanes>(b, i + $lanes),
                            )
                        };
                        let (r0, r1) = (f(x0, y0), f(x1, y1));
                        unsafe {
                            store::<$t, $lanes>(o, i, r0);
                            store::<$t, $lanes>(o, i + $lanes, r1);
                        }
                        i += 2 * $lanes;
                    }
                }
                while i + $lanes <= n {
                    unsafe {
                        store::<$t, $lanes>(
                            o,
                            i,
                            f(load::<$t, $lanes>(a, i), load::<$t, $lanes>(b, i)),
                        )
                    };
                    i += $lanes;
                }
                if i < n {
                    let (mut x, mut y) = ([0.0; $lanes], [0.0; $lanes]);
                    for k in 0..n - i {
                        // SAFETY: i + k < n.
                        unsafe {
                            x[k] = *a.add(i + k);
                            y[k] = *b.add(i + k);
                        }
                    }
                    let r = f(<$v>::from_array(x), <$v>::from_array(y)).to_array();
                    for (k, &v) in r.iter().enumerate().take(n - i) {
                        // SAFETY: i + k < n.
                        unsafe { *o.add(i + k) = v };
                    }
                }
            }

            // SAFETY: forwarded from the caller.
            unsafe {
                if n == $lanes {
                    one(fast, f, a, b, o);
                } else {
                    many2(fast, f, a, b, o, n);
                }
            }
        }
    };
}

lane_loops!(lanes_f64, lanes2_f64, f64, f64x2, 2);
lane_loops!(lanes_f32, lanes2_f32, f32, f32x4, 4);
