//! Array views for the reference executor: element access with Python's index rules,
//! views with Python's slice rules, C-order traversal, and the dense copies that the
//! intrinsics compute on.
//!
//! An [`ArrayValue`] is a buffer shared through an `Rc` plus an element offset, extents and
//! element strides (negative for reversed slices, as NumPy's). Every view the executor
//! makes stays inside its buffer (the arguments are checked once, in `run`), and every
//! read and write checks its offset anyway, so a bug is an error, never a panic.

use std::cell::RefCell;
use std::rc::Rc;

use super::RunError;
use crate::kir::RaiseKind;
use crate::syntax::Span;
use crate::types::{Buffer, DType, Scalar, checked_size, shape_str};

/// An array view: `shape` extents over `data`, element `(i, j, ...)` at
/// `offset + i * strides[0] + j * strides[1] + ...`. Views share `data`.
#[derive(Debug, Clone)]
pub struct ArrayValue {
    pub data: Rc<RefCell<Buffer>>,
    pub offset: usize,
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
}

/// Calls `$body` with `$v` bound to the element vector of a `Buffer`, whatever its dtype.
macro_rules! with_buffer {
    ($b:expr, $v:ident => $body:expr) => {
        match $b {
            Buffer::Bool($v) => $body,
            Buffer::I8($v) => $body,
            Buffer::I16($v) => $body,
            Buffer::I32($v) => $body,
            Buffer::I64($v) => $body,
            Buffer::U8($v) => $body,
            Buffer::U16($v) => $body,
            Buffer::U32($v) => $body,
            Buffer::U64($v) => $body,
            Buffer::F32($v) => $body,
            Buffer::F64($v) => $body,
        }
    };
}

/// Elements `from..from + n` of `buf` as a new buffer.
fn slice_of(buf: &Buffer, from: usize, n: usize) -> Buffer {
    macro_rules! each {
        ($($v:ident),*) => {
            match buf { $(Buffer::$v(x) => Buffer::$v(x[from..from + n].to_vec())),* }
        };
    }
    each!(Bool, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64)
}

/// Element `i` of `buf` set to `s` cast to the buffer's dtype (NumPy's unsafe cast, as
/// `a[...] = value` does). `false` when `i` is outside the buffer.
fn set(buf: &mut Buffer, i: usize, s: Scalar) -> bool {
    with_buffer!(buf, v => match v.get_mut(i) {
        Some(slot) => {
            *slot = s.cast_to();
            true
        }
        None => false,
    })
}

/// C-contiguous element strides of `shape`. They saturate instead of overflowing, which
/// only a shape of size 0 can make them do, and its strides never reach an element.
fn c_strides(shape: &[usize]) -> Vec<isize> {
    let mut s = vec![1isize; shape.len()];
    for d in (0..shape.len().saturating_sub(1)).rev() {
        s[d] = s[d + 1].saturating_mul(isize::try_from(shape[d + 1]).unwrap_or(isize::MAX));
    }
    s
}

/// The MemoryError of an allocation that does not fit.
pub(super) fn no_memory(shape: &[usize], d: DType, span: Span) -> RunError {
    RunError::new(
        RaiseKind::MemoryError,
        format!(
            "Unable to allocate an array with shape {} and data type {}",
            shape_str(shape),
            d.name()
        ),
        span,
    )
}

/// A vector with room for `n` items, or a MemoryError.
pub(super) fn try_vec<T>(n: usize, span: Span) -> Result<Vec<T>, RunError> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| {
        RunError::new(
            RaiseKind::MemoryError,
            format!("Unable to allocate {n} elements"),
            span,
        )
    })?;
    Ok(v)
}

/// The index error of NumPy for index `i` (as written) on an axis of extent `n`.
fn out_of_bounds(i: i128, axis: usize, n: usize, span: Span) -> RunError {
    RunError::new(
        RaiseKind::IndexError,
        format!("index {i} is out of bounds for axis {axis} with size {n}"),
        span,
    )
}

/// Python's wrap of one index: negative values count from the end, once.
fn wrap(i: i128, axis: usize, n: usize, span: Span) -> Result<usize, RunError> {
    let len = n as i128;
    let at = if i < 0 { i + len } else { i };
    if (0..len).contains(&at) {
        Ok(at as usize)
    } else {
        Err(out_of_bounds(i, axis, n, span))
    }
}

/// One subscript of a view, evaluated.
#[derive(Debug, Clone, Copy)]
pub(super) enum Subscript {
    At(i128),
    Slice(Option<i128>, Option<i128>, Option<i128>),
}

/// Python's `slice(start, stop, step).indices(n)`: the first index, the number of
/// elements and the step. A zero step is a ValueError.
fn slice_indices(
    n: usize,
    start: Option<i128>,
    stop: Option<i128>,
    step: Option<i128>,
    span: Span,
) -> Result<(i128, usize, i128), RunError> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(RunError::new(
            RaiseKind::ValueError,
            "slice step cannot be zero",
            span,
        ));
    }
    let len = n as i128;
    let (lower, upper) = if step < 0 { (-1, len - 1) } else { (0, len) };
    let clamp = |v: Option<i128>, default: i128| match v {
        None => default,
        Some(v) if v < 0 => (v + len).max(lower),
        Some(v) => v.min(upper),
    };
    let start = clamp(start, if step < 0 { upper } else { lower });
    let stop = clamp(stop, if step < 0 { lower } else { upper });
    let count = if step > 0 && stop > start {
        (stop - start - 1) / step + 1
    } else if step < 0 && start > stop {
        (start - stop - 1) / -step + 1
    } else {
        0
    };
    // At most `n` elements: the clamped bounds lie within `lower..=upper`.
    Ok((start, count as usize, step))
}

impl ArrayValue {
    /// A C-contiguous array of `shape` over `buf`.
    ///
    /// # Panics
    /// If the shape's size is not the buffer's length (a caller's bug).
    #[must_use]
    pub fn from_buffer(buf: Buffer, shape: Vec<usize>) -> ArrayValue {
        assert_eq!(
            checked_size(&shape),
            Some(buf.len()),
            "shape {shape:?} does not match a buffer of {} elements",
            buf.len()
        );
        ArrayValue {
            strides: c_strides(&shape),
            data: Rc::new(RefCell::new(buf)),
            offset: 0,
            shape,
        }
    }

    /// A new zero-filled C-contiguous array, or a MemoryError.
    pub(super) fn zeros(d: DType, shape: Vec<usize>, span: Span) -> Result<ArrayValue, RunError> {
        let n = checked_size(&shape)
            .filter(|&n| {
                n.checked_mul(d.size())
                    .is_some_and(|b| isize::try_from(b).is_ok())
            })
            .ok_or_else(|| no_memory(&shape, d, span))?;
        let buf = Buffer::try_zeros(d, n).ok_or_else(|| no_memory(&shape, d, span))?;
        Ok(ArrayValue::from_buffer(buf, shape))
    }

    /// A new C-contiguous array of dtype `d` holding `items` (cast to `d`) in C order.
    pub(super) fn from_scalars(
        d: DType,
        shape: Vec<usize>,
        items: &[Scalar],
        span: Span,
    ) -> Result<ArrayValue, RunError> {
        let a = ArrayValue::zeros(d, shape, span)?;
        {
            let mut buf = a.data.borrow_mut();
            if buf.len() != items.len() {
                return Err(RunError::internal("array of the wrong size", span));
            }
            for (i, &s) in items.iter().enumerate() {
                set(&mut buf, i, s);
            }
        }
        Ok(a)
    }

    /// A new C-contiguous array of dtype `d` with every element `s` (cast to `d`).
    pub(super) fn filled(
        d: DType,
        shape: Vec<usize>,
        s: Scalar,
        span: Span,
    ) -> Result<ArrayValue, RunError> {
        let a = ArrayValue::zeros(d, shape, span)?;
        {
            let mut buf = a.data.borrow_mut();
            for i in 0..buf.len() {
                set(&mut buf, i, s);
            }
        }
        Ok(a)
    }

    /// Writes `items` (cast to the array's dtype) over the view's elements in C order;
    /// there must be one item per element.
    pub(super) fn write_all(&self, items: &[Scalar], span: Span) -> Result<(), RunError> {
        if items.len() != self.size() {
            return Err(RunError::internal("assignment of the wrong size", span));
        }
        let mut buf = self.data.borrow_mut();
        let mut k = 0;
        let mut bad = false;
        self.each_offset(|off| {
            bad |= !set(&mut buf, off, items[k]);
            k += 1;
        });
        if bad {
            return Err(RunError::internal("array view outside its buffer", span));
        }
        Ok(())
    }

    #[must_use]
    pub fn dtype(&self) -> DType {
        self.data.borrow().dtype()
    }

    /// The number of elements.
    #[must_use]
    pub fn size(&self) -> usize {
        self.shape.iter().product()
    }

    /// NumPy's C-contiguity: the strides of a C-order array, ignoring axes of extent 1;
    /// an empty array is contiguous.
    #[must_use]
    pub fn is_c_contiguous(&self) -> bool {
        if self.shape.contains(&0) {
            return true;
        }
        let mut expected = 1isize;
        for (&n, &s) in self.shape.iter().zip(&self.strides).rev() {
            if n != 1 {
                if s != expected {
                    return false;
                }
                expected = expected.saturating_mul(n as isize);
            }
        }
        true
    }

    /// Whether the extents and strides agree and every element lies inside the buffer.
    #[must_use]
    pub fn is_in_bounds(&self) -> bool {
        if self.strides.len() != self.shape.len() || checked_size(&self.shape).is_none() {
            return false;
        }
        if self.shape.contains(&0) {
            return true;
        }
        let (mut lo, mut hi) = (self.offset as i128, self.offset as i128);
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            let reach = (n as i128 - 1) * s as i128;
            if reach < 0 {
                lo += reach;
            } else {
                hi += reach;
            }
        }
        lo >= 0 && hi < self.data.borrow().len() as i128
    }

    /// The elements in C order, as a new buffer.
    #[must_use]
    pub fn to_contiguous(&self) -> Buffer {
        let src = self.data.borrow();
        let n = self.size();
        if self.is_c_contiguous()
            && self
                .offset
                .checked_add(n)
                .is_some_and(|end| end <= src.len())
        {
            // One run of the buffer: copied at once.
            return slice_of(&src, self.offset, n);
        }
        let mut out = Buffer::zeros(src.dtype(), self.size());
        let mut k = 0;
        self.each_offset(|off| {
            if off < src.len() {
                set(&mut out, k, src.get(off));
            }
            k += 1;
        });
        out
    }

    /// The elements in C order, as a buffer: this array's own when nothing else shares it
    /// and it is the whole buffer in C order (no copy), else a copy.
    #[must_use]
    pub fn into_contiguous(self) -> Buffer {
        let whole =
            self.offset == 0 && self.is_c_contiguous() && self.data.borrow().len() == self.size();
        if whole {
            match Rc::try_unwrap(self.data) {
                Ok(cell) => return cell.into_inner(),
                Err(data) => {
                    return ArrayValue { data, ..self }.to_contiguous();
                }
            }
        }
        self.to_contiguous()
    }

    /// The elements in C order, as scalars.
    #[must_use]
    pub fn to_scalars(&self) -> Vec<Scalar> {
        let buf = self.to_contiguous();
        (0..buf.len()).map(|i| buf.get(i)).collect()
    }

    /// Calls `f` with the buffer offset of every element, in C order.
    pub(super) fn each_offset(&self, mut f: impl FnMut(usize)) {
        if self.shape.contains(&0) {
            return;
        }
        let nd = self.shape.len();
        let mut idx = vec![0usize; nd];
        let mut off = self.offset as isize;
        loop {
            f(off as usize);
            // Advance the last axis, carrying into the ones before it (an odometer).
            let mut d = nd;
            loop {
                if d == 0 {
                    return;
                }
                d -= 1;
                idx[d] += 1;
                off += self.strides[d];
                if idx[d] < self.shape[d] {
                    break;
                }
                off -= self.strides[d] * self.shape[d] as isize;
                idx[d] = 0;
            }
        }
    }

    /// The elements in C order, or a MemoryError when the copy does not fit.
    pub(super) fn gather(&self, span: Span) -> Result<Vec<Scalar>, RunError> {
        let mut out = try_vec(self.size(), span)?;
        let buf = self.data.borrow();
        let mut bad = false;
        self.each_offset(|off| {
            if off < buf.len() {
                out.push(buf.get(off));
            } else {
                bad = true;
            }
        });
        if bad {
            return Err(RunError::internal("array view outside its buffer", span));
        }
        Ok(out)
    }

    /// The buffer offset of the element at integer indices `idx` (one per axis, each
    /// wrapped once and bounds-checked: an IndexError in NumPy's words).
    pub(super) fn element(&self, idx: &[i128], span: Span) -> Result<usize, RunError> {
        if idx.len() != self.shape.len() {
            return Err(RunError::internal(
                format!(
                    "{} indices into an array of {} dimensions",
                    idx.len(),
                    self.shape.len()
                ),
                span,
            ));
        }
        let mut off = self.offset as isize;
        for (axis, (&i, (&n, &s))) in idx
            .iter()
            .zip(self.shape.iter().zip(&self.strides))
            .enumerate()
        {
            off += wrap(i, axis, n, span)? as isize * s;
        }
        usize::try_from(off).map_err(|_| RunError::internal("element before its buffer", span))
    }

    /// The element at buffer offset `at`.
    pub(super) fn read(&self, at: usize, span: Span) -> Result<Scalar, RunError> {
        let buf = self.data.borrow();
        if at < buf.len() {
            Ok(buf.get(at))
        } else {
            Err(RunError::internal("element past its buffer", span))
        }
    }

    /// Writes `s` (cast to the array's dtype) at buffer offset `at`.
    pub(super) fn write(&self, at: usize, s: Scalar, span: Span) -> Result<(), RunError> {
        if set(&mut self.data.borrow_mut(), at, s) {
            Ok(())
        } else {
            Err(RunError::internal("element past its buffer", span))
        }
    }

    /// A view (no copy): an integer subscript drops its axis (wrapped and checked), a
    /// slice keeps it with Python's slice semantics; axes without a subscript are kept.
    pub(super) fn view(&self, index: &[Subscript], span: Span) -> Result<ArrayValue, RunError> {
        if index.len() > self.shape.len() {
            return Err(RunError::internal(
                format!(
                    "{} subscripts for an array of {} dimensions",
                    index.len(),
                    self.shape.len()
                ),
                span,
            ));
        }
        let mut offset = self.offset as i128;
        let mut shape = Vec::with_capacity(self.shape.len());
        let mut strides = Vec::with_capacity(self.shape.len());
        for (axis, (&n, &s)) in self.shape.iter().zip(&self.strides).enumerate() {
            match index.get(axis) {
                Some(&Subscript::At(i)) => offset += wrap(i, axis, n, span)? as i128 * s as i128,
                Some(&Subscript::Slice(start, stop, step)) => {
                    let (first, count, step) = slice_indices(n, start, stop, step, span)?;
                    // An empty slice may start one past the end; it reaches no element, so
                    // the offset stays where it is.
                    if count > 0 {
                        offset += first * s as i128;
                    }
                    // With two or more elements `|step| < n`, so the product fits; with
                    // fewer the stride is never used.
                    let stride = if count > 1 {
                        isize::try_from(s as i128 * step)
                            .map_err(|_| RunError::internal("stride overflow", span))?
                    } else {
                        s
                    };
                    shape.push(count);
                    strides.push(stride);
                }
                None => {
                    shape.push(n);
                    strides.push(s);
                }
            }
        }
        let offset = usize::try_from(offset)
            .map_err(|_| RunError::internal("view before its buffer", span))?;
        Ok(ArrayValue {
            data: Rc::clone(&self.data),
            offset,
            shape,
            strides,
        })
    }

    /// The same elements with the axes reversed (`a.T`), sharing the buffer.
    pub(super) fn transposed(&self) -> ArrayValue {
        let mut t = self.clone();
        t.shape.reverse();
        t.strides.reverse();
        t
    }

    /// The same C-contiguous elements with other extents (same size), sharing the buffer.
    pub(super) fn reshaped(&self, shape: Vec<usize>) -> ArrayValue {
        ArrayValue {
            data: Rc::clone(&self.data),
            offset: self.offset,
            strides: c_strides(&shape),
            shape,
        }
    }
}

/// Values in C order with their extents: the form intrinsics compute on. A scalar is a
/// 0-d `Dense` of one element; computing on copies makes every intrinsic behave as if its
/// operands were copied first, whatever they share with its destination.
#[derive(Debug, Clone)]
pub(super) struct Dense {
    pub dtype: DType,
    pub shape: Vec<usize>,
    pub data: Vec<Scalar>,
}

impl Dense {
    pub fn scalar(s: Scalar) -> Dense {
        Dense {
            dtype: s.dtype(),
            shape: Vec::new(),
            data: vec![s],
        }
    }

    pub fn of_array(a: &ArrayValue, span: Span) -> Result<Dense, RunError> {
        Ok(Dense {
            dtype: a.dtype(),
            shape: a.shape.clone(),
            data: a.gather(span)?,
        })
    }
}

/// NumPy's broadcast of several shapes, or its ValueError naming them all.
pub(super) fn broadcast_shapes(shapes: &[&[usize]], span: Span) -> Result<Vec<usize>, RunError> {
    let nd = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; nd];
    for s in shapes {
        for (k, &n) in s.iter().enumerate() {
            let d = nd - s.len() + k;
            if out[d] == 1 {
                out[d] = n;
            } else if n != 1 && n != out[d] {
                let all: Vec<String> = shapes.iter().map(|s| shape_str(s)).collect();
                return Err(RunError::new(
                    RaiseKind::ValueError,
                    format!(
                        "operands could not be broadcast together with shapes {}",
                        all.join(" ")
                    ),
                    span,
                ));
            }
        }
    }
    Ok(out)
}

/// Element strides that read a C-order `src` as if broadcast to `target` (0 along the
/// axes it is repeated on).
fn broadcast_strides(src: &[usize], target: &[usize]) -> Vec<usize> {
    let lead = target.len() - src.len();
    let mut strides = vec![0usize; target.len()];
    let mut step = 1usize;
    for k in (0..src.len()).rev() {
        if src[k] != 1 {
            strides[lead + k] = step;
        }
        step *= src[k];
    }
    strides
}

/// For every element of `shape` in C order, the index of the corresponding element of
/// each operand broadcast to it (operand shapes must broadcast to `shape`).
pub(super) fn broadcast_each(
    shape: &[usize],
    operands: &[&Dense],
    mut f: impl FnMut(&[usize]) -> Result<(), RunError>,
) -> Result<(), RunError> {
    if shape.contains(&0) {
        return Ok(());
    }
    let strides: Vec<Vec<usize>> = operands
        .iter()
        .map(|o| broadcast_strides(&o.shape, shape))
        .collect();
    let nd = shape.len();
    let mut idx = vec![0usize; nd];
    let mut at = vec![0usize; operands.len()];
    loop {
        f(&at)?;
        let mut d = nd;
        loop {
            if d == 0 {
                return Ok(());
            }
            d -= 1;
            idx[d] += 1;
            for (a, s) in at.iter_mut().zip(&strides) {
                *a += s[d];
            }
            if idx[d] < shape[d] {
                break;
            }
            for (a, s) in at.iter_mut().zip(&strides) {
                *a -= s[d] * shape[d];
            }
            idx[d] = 0;
        }
    }
}
