//! Reductions: per block, per chunk and along an axis, in an order that depends only on
//! the problem size. Float sums are pairwise exactly as NumPy's `pairwise_sum` within a
//! block (so arrays up to `BLOCK` elements sum to NumPy's bits), then pairwise over
//! blocks and over chunks.

use crate::types::ReduceOp;
use crate::types::elem::Elem;

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
