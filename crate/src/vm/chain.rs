//! Chains: a run of float operations, each consuming the previous result, executed in one
//! pass over the block with the running value held in SIMD registers (four vectors at a
//! time). One `match` per step per strip of 16 float64 (32 float32), on a step sequence
//! that repeats every strip and so predicts perfectly; the memory traffic is that of a
//! hand-fused loop instead of one load and one store per operation.

use std::simd::StdFloat;
use std::simd::prelude::*;

use super::bytecode::StepOp;
use super::lanes::{load, store, vmaximum_f32, vmaximum_f64, vminimum_f32, vminimum_f64};
use crate::types::elem::Elem;

/// A step with its operands resolved to pointers for the current block.
pub struct Resolved<T> {
    pub op: StepOp,
    pub x: *const T,
    pub y: *const T,
}

impl<T> Clone for Resolved<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Resolved<T> {}

macro_rules! chain_impl {
    ($name:ident, $t:ty, $l:literal, $vmax:ident, $vmin:ident) => {
        /// Runs a chain over `n` elements.
        ///
        /// # Safety
        /// `first`, `o` and every operand pointer the steps read must be valid for `n`
        /// elements.
        #[inline(never)]
        pub unsafe fn $name(first: *const $t, steps: &[Resolved<$t>], o: *mut $t, n: usize) {
            type V = Simd<$t, $l>;
            let mut i = 0;
            // SAFETY: the caller guarantees `n` valid elements behind every pointer.
            unsafe {
                // Four vectors per strip: the step dispatch is paid once per 16 float64.
                while i + 4 * $l <= n {
                    let mut acc: [V; 4] = [
                        load(first, i),
                        load(first, i + $l),
                        load(first, i + 2 * $l),
                        load(first, i + 3 * $l),
                    ];
                    for s in steps {
                        let x = |k: usize| load::<$t, $l>(s.x, i + k * $l);
                        match s.op {
                            StepOp::Add => {
                                for k in 0..4 {
                                    acc[k] += x(k)
                                }
                            }
                            StepOp::Sub => {
                                for k in 0..4 {
                                    acc[k] -= x(k)
                                }
                            }
                            StepOp::RSub => {
                                for k in 0..4 {
                                    acc[k] = x(k) - acc[k]
                                }
                            }
                            StepOp::Mul => {
                                for k in 0..4 {
                                    acc[k] *= x(k)
                                }
                            }
                            StepOp::Div => {
                                for k in 0..4 {
                                    acc[k] /= x(k)
                                }
                            }
                            StepOp::RDiv => {
                                for k in 0..4 {
                                    acc[k] = x(k) / acc[k]
                                }
                            }
                            StepOp::Max => {
                                for k in 0..4 {
                                    acc[k] = $vmax(acc[k], x(k))
                                }
                            }
                            StepOp::Min => {
                                for k in 0..4 {
                                    acc[k] = $vmin(acc[k], x(k))
                                }
                            }
                            StepOp::MulAddAcc => {
                                for k in 0..4 {
                                    acc[k] = x(k) * load::<$t, $l>(s.y, i + k * $l) + acc[k]
                                }
                            }
                            StepOp::Square => {
                                for k in 0..4 {
                                    acc[k] = acc[k] * acc[k]
                                }
                            }
                            StepOp::Neg => {
                                for k in 0..4 {
                                    acc[k] = -acc[k]
                                }
                            }
                            StepOp::Abs => {
                                for k in 0..4 {
                                    acc[k] = acc[k].abs()
                                }
                            }
                            StepOp::Sqrt => {
                                for k in 0..4 {
                                    acc[k] = acc[k].sqrt()
                                }
                            }
                        }
                    }
                    for k in 0..4 {
                        store(o, i + k * $l, acc[k]);
                    }
                    i += 4 * $l;
                }
                while i < n {
                    let mut a = first.add(i).read();
                    for s in steps {
                        let x = || s.x.add(i).read();
                        a = match s.op {
                            StepOp::Add => a + x(),
                            StepOp::Sub => a - x(),
                            StepOp::RSub => x() - a,
                            StepOp::Mul => a * x(),
                            StepOp::Div => a / x(),
                            StepOp::RDiv => x() / a,
                            StepOp::Max => <$t as Elem>::maximum(a, x()),
                            StepOp::Min => <$t as Elem>::minimum(a, x()),
                            StepOp::MulAddAcc => x() * s.y.add(i).read() + a,
                            StepOp::Square => a * a,
                            StepOp::Neg => -a,
                            StepOp::Abs => a.abs(),
                            StepOp::Sqrt => a.sqrt(),
                        };
                    }
                    o.add(i).write(a);
                    i += 1;
                }
            }
        }
    };
}

chain_impl!(chain_f64, f64, 4, vmaximum_f64, vminimum_f64);
chain_impl!(chain_f32, f32, 8, vmaximum_f32, vminimum_f32);
