//! Reductions: per block, per chunk and along an axis, in an order that depends only on
//! the problem size. Float sums are pairwise exactly as NumPy's `pairwise_sum` within a
//! block (so arrays up to `BLOCK` elements sum to NumPy's bits), then pairwise over
//! blocks and over chunks.

use crate::types::ReduceOp;
use crate::types::elem::{Elem, pairwise_sum};

/// The value of an empty reduction.
#[must_use]
pub fn identity<T: Elem>(op: ReduceOp) -> T {
    match op {
        ReduceOp::Prod | ReduceOp::All => T::one(),
        _ => T::zero(),
    }
}

/// Reduces a slice: pairwise for sums, in order otherwise. `parts` is not empty.
#[must_use]
pub fn combine<T: Elem>(op: ReduceOp, parts: &[T]) -> T {
    let Some((&first, rest)) = parts.split_first() else {
        return identity(op);
    };
    match op {
        ReduceOp::Sum => pairwise_sum(parts),
        ReduceOp::Prod => rest.iter().fold(first, |a, &x| T::mul(a, x)),
        ReduceOp::Min => rest.iter().fold(first, |a, &x| T::minimum(a, x)),
        ReduceOp::Max => rest.iter().fold(first, |a, &x| T::maximum(a, x)),
        ReduceOp::Any => rest.iter().fold(first, |a, &x| {
            T::from_i128((a.to_bool() || x.to_bool()).into())
        }),
        ReduceOp::All => rest.iter().fold(first, |a, &x| {
            T::from_i128((a.to_bool() && x.to_bool()).into())
        }),
    }
}

/// Finishes a whole reduction as NumPy does: a sum is `0 + partial` (so an all `-0.0`
/// input sums to `0.0`).
#[must_use]
pub fn finish<T: Elem>(op: ReduceOp, total: T) -> T {
    if op == ReduceOp::Sum {
        T::add(T::zero(), total)
    } else {
        total
    }
}

/// Reduces rows `rows` of a `[rows, len]` array along its last axis, like a whole array
/// each (pairwise sums), into `dst[row]`.
///
/// # Safety
/// `src` must hold every row of the range and `dst` an element per row.
pub unsafe fn rows<T: Elem>(
    op: ReduceOp,
    src: *const T,
    len: usize,
    rows: std::ops::Range<usize>,
    dst: *mut T,
) {
    for r in rows {
        // SAFETY: forwarded from the caller.
        unsafe {
            let row = std::slice::from_raw_parts(src.add(r * len), len);
            let v = if len == 0 {
                identity(op)
            } else {
                finish(op, combine(op, row))
            };
            dst.add(r).write(v);
        }
    }
}

/// Reduces along a middle axis: for each output position `p` in `positions` (an index
/// into `[outer, inner]`), combines `src[o, k, i]` for k = 0, 1, ... in order, which is
/// NumPy's order for a non-last axis.
///
/// # Safety
/// `src` must hold `[outer, len, inner]` and `dst` `[outer, inner]` covering `positions`.
pub unsafe fn columns<T: Elem>(
    op: ReduceOp,
    src: *const T,
    len: usize,
    inner: usize,
    positions: std::ops::Range<usize>,
    dst: *mut T,
) {
    for p in positions {
        let (o, i) = (p / inner, p % inner);
        // SAFETY: forwarded from the caller.
        unsafe {
            let at = |k: usize| src.add((o * len + k) * inner + i).read();
            let v = if len == 0 {
                identity(op)
            } else {
                let mut acc = finish(op, at(0));
                for k in 1..len {
                    acc = combine(op, &[acc, at(k)]);
                }
                acc
            };
            dst.add(p).write(v);
        }
    }
}
