//! The intrinsics the compiled tier computes itself, as the executor's
//! `kir::exec::intrinsic` does: `Size`, the new arrays of `Zeros` and `Full`, and array
//! views (`Expr::View`) here; in the sibling files the reductions (whole or along an
//! axis), `ArgMin`/`ArgMax` and the cumulative ones (`reduce.rs`), `Copy`, `Astype`,
//! `Map1` and `Transpose` (`map.rs`), `Map2`, `Where` and `Assign` with broadcasting
//! (`broadcast.rs`), `Dot` (`dot.rs`), `Reshape` (`reshape.rs`), `FromList` and `Stack`
//! (`stack.rs`), `Arange` and `Linspace` (`range.rs`), all built on the loop nest of
//! `walk.rs`.
//!
//! A new array is one allocation from the engine's allocator: its descriptor, then its
//! data 16-byte aligned, C-contiguous and zeroed. A view is a new descriptor of its own
//! allocation over its base's data, except where an operation reads its fields through
//! `array_source` (reductions, loads, `Dim`, `Size`, the element-wise intrinsics' operands,
//! views of views): there [`Gen::view_fields`] computes them into temporaries, with the
//! view's checks and errors, and no descriptor is allocated. The executor's errors that name shapes or sizes
//! known only when the code runs report them through `error_a` and `error_b`: a new
//! array whose extents the kernel computes has at most two dimensions, one shaped like
//! other arrays at most four (their extents are under 2^32, two to a global), and the
//! operands of one broadcast at most four in all.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::Gen;
use super::array::{Source, memarg, shift_of, store};
use super::range_trips;
use crate::back::wasm::code::{ERROR, ERROR_A, ERROR_B};
use crate::back::wasm::scalar::{self, Cast};
use crate::back::wasm::{SiteError, Unsupported};
use crate::kir::{Expr, ExprId, Index, Intrinsic, RaiseKind, Ty};
use crate::syntax::Span;
use crate::types::DType;

/// The most bytes of one allocation: its size must stay a positive `i32` with room for
/// the descriptor in front of the data.
const MAX_BYTES: i64 = 0x7fff_0000;

/// The most dimensions of an array made in a kernel from extents the kernel computes:
/// its MemoryError reports each extent in one of the two error globals.
const MAX_NEW_NDIM: u8 = 2;

/// The most dimensions of an array made in a kernel with the extents of another array
/// (each under 2^32), two to an error global.
const MAX_PACKED_NDIM: u8 = 4;

/// The byte offset of a new array's data from its descriptor: the descriptor's size
/// rounded up to 16.
fn header(ndim: u8) -> i32 {
    (4 + 8 * i32::from(ndim) + 15) & !15
}

impl Gen<'_, '_> {
    /// A new view descriptor of `ndim` axes from the engine's allocator, in a temporary
    /// `i32` local (returned; the caller fills it and releases the local), or a
    /// MemoryError at `span` when the allocator refuses.
    pub(super) fn view_descriptor(&mut self, ndim: usize, span: Span) -> u32 {
        let desc = self.c.temp(ValType::I32);
        self.c.push(I::I32Const(4 + 8 * ndim as i32));
        self.c.push(I::I32Const(4));
        let alloc = self.helpers.alloc();
        self.c.call(alloc);
        self.c.push(I::LocalTee(desc));
        self.c.push(I::I32Eqz);
        self.c.if_(BlockType::Empty);
        self.raise(
            span,
            SiteError::Fixed {
                kind: RaiseKind::MemoryError,
                message: "Unable to allocate an array view".to_owned(),
            },
        );
        self.c.end();
        desc
    }

    /// Pushes the value of intrinsic `op` on `args`, the expression `e`.
    pub(super) fn intrinsic(
        &mut self,
        e: ExprId,
        op: Intrinsic,
        args: &[ExprId],
    ) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        match op {
            Intrinsic::Size => {
                let [a] = args else {
                    return Err(self.ill_typed(span));
                };
                self.array_ty(*a)?;
                self.expect(e, &Ty::Scalar(DType::I64))?;
                let src = self.array_source(*a)?;
                self.c.push(I::I64Const(1));
                for k in 0..src.ndim() {
                    self.extent(&src, k);
                    self.c.push(I::I64Mul);
                }
                self.release_source(&src);
                Ok(())
            }
            Intrinsic::Zeros => self.zeros(e, args, None, true),
            Intrinsic::Filled => self.zeros(e, args, None, false),
            Intrinsic::Full => {
                let Some((fill, exts)) = args.split_last() else {
                    return Err(self.ill_typed(span));
                };
                self.zeros(e, exts, Some(*fill), false)
            }
            Intrinsic::Reduce(r) => match args {
                [a] => self.reduce(e, r, *a),
                _ => Err(self.ill_typed(span)),
            },
            Intrinsic::Mean => match args {
                [a] => self.mean(e, *a),
                _ => Err(self.ill_typed(span)),
            },
            Intrinsic::Copy | Intrinsic::Astype => match args {
                [a] => self.map1(e, None, *a),
                _ => Err(self.ill_typed(span)),
            },
            Intrinsic::Map1(u) => match args {
                [a] if self.f.ty(*a).array().is_some() => self.map1(e, Some(u), *a),
                _ => Err(self.unsupported(span, format!("the intrinsic {op:?}"))),
            },
            Intrinsic::Map2(b) => match args {
                [x, y] if self.f.ty(e).array().is_some() => self.map2(e, b, *x, *y),
                _ => Err(self.unsupported(span, format!("the intrinsic {op:?}"))),
            },
            Intrinsic::Assign => match args {
                [dst, src] => self.assign(e, *dst, *src),
                _ => Err(self.ill_typed(span)),
            },
            Intrinsic::Dot => match args {
                [x, y] => self.dot(e, *x, *y),
                _ => Err(self.ill_typed(span)),
            },
            Intrinsic::ArgMin | Intrinsic::ArgMax => match args {
                [a] => self.arg_extreme(e, op == Intrinsic::ArgMin, *a),
                _ => Err(self.ill_typed(span)),
            },
            Intrinsic::CumSum | Intrinsic::CumProd => match args {
                [a] => self.cumulative(e, op == Intrinsic::CumSum, *a),
                _ => Err(self.ill_typed(span)),
            },
            Intrinsic::Reshape => match args.split_first() {
                Some((a, exts)) => self.reshape(e, *a, exts),
                None => Err(self.ill_typed(span)),
            },
            Intrinsic::FromList => match args {
                [l] => self.array_of_list(e, *l),
                _ => Err(self.ill_typed(span)),
            },
            Intrinsic::Stack => self.stack(e, args),
            Intrinsic::Where if self.f.ty(e).array().is_some() => self.where_(e, args),
            Intrinsic::ReduceAxis(r) if self.f.ty(e).array().is_some() => match args {
                [a, axis] => self.reduce_axis(e, r, *a, *axis),
                _ => Err(self.ill_typed(span)),
            },
            Intrinsic::Arange => self.arange(e, args),
            Intrinsic::Linspace => self.linspace(e, args),
            Intrinsic::Transpose => match args {
                [a] => self.transpose(e, *a),
                _ => Err(self.ill_typed(span)),
            },
            _ => Err(self.unsupported(span, format!("the intrinsic {op:?}"))),
        }
    }

    /// `Zeros` on the extents `exts`, or `Full` with `fill`: every operand evaluated in
    /// order, then the shape checked and the array allocated and filled.
    fn zeros(
        &mut self,
        e: ExprId,
        exts: &[ExprId],
        fill: Option<ExprId>,
        zeroed: bool,
    ) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let at = self.array_ty(e)?;
        if exts.len() != usize::from(at.ndim) {
            return Err(self.ill_typed(span));
        }
        let mut temps = Vec::with_capacity(exts.len());
        for &x in exts {
            let d = self.scalar_ty(x)?;
            if !d.is_int() || d == DType::U64 {
                return Err(self.unsupported(self.f.span(x), format!("an extent of {d}")));
            }
            self.expr(x)?;
            scalar::to_i64(&mut self.c, d);
            let t = self.c.temp(ValType::I64);
            self.c.push(I::LocalSet(t));
            temps.push(t);
        }
        let fill = match fill {
            Some(x) => {
                let d = self.scalar_ty(x)?;
                self.expr(x)?;
                scalar::cast(&mut self.c, d, at.dtype, Cast::Elem);
                let t = self.c.temp(scalar::val_type(at.dtype));
                self.c.push(I::LocalSet(t));
                Some(t)
            }
            None => None,
        };
        // Extents read from another array (`np.empty_like`) are each under 2^32.
        let packed = exts.iter().all(|&x| matches!(self.f.get(x), Expr::Dim(..)));
        let desc = self.new_array_with(at.dtype, &temps, packed, span, zeroed)?;
        if let Some(v) = fill {
            self.fill(desc, at.dtype, at.ndim, v);
            self.c.release(scalar::val_type(at.dtype), v);
        }
        for t in temps {
            self.c.release(ValType::I64, t);
        }
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }

    /// Stores `v` in every element of the new C-contiguous array `desc` of `ndim`
    /// dimensions, from its data address to the end of its data.
    fn fill(&mut self, desc: u32, d: DType, ndim: u8, v: u32) {
        let [p, end] = [(); 2].map(|()| self.c.temp(ValType::I32));
        self.c.push(I::LocalGet(desc));
        self.c.push(I::I32Load(memarg(0, 2)));
        self.c.push(I::LocalTee(p));
        // The size in bytes: the C stride of the first axis times its extent, or one
        // element for a 0-d array.
        if ndim == 0 {
            self.c.push(I::I32Const(d.size() as i32));
        } else {
            self.c.push(I::LocalGet(desc));
            self.c.push(I::I32Load(memarg(4, 2)));
            self.c.push(I::LocalGet(desc));
            self.c.push(I::I32Load(memarg(4 + 4 * u64::from(ndim), 2)));
            self.c.push(I::I32Mul);
            self.shift_left(d);
        }
        self.c.push(I::I32Add);
        self.c.push(I::LocalSet(end));
        let exit = self.c.block(BlockType::Empty);
        let head = self.c.loop_(BlockType::Empty);
        self.c.push(I::LocalGet(p));
        self.c.push(I::LocalGet(end));
        self.c.push(I::I32GeU);
        self.c.br_if(exit);
        self.c.push(I::LocalGet(p));
        self.c.push(I::LocalGet(v));
        self.c.push(store(d));
        self.c.push(I::LocalGet(p));
        self.c.push(I::I32Const(d.size() as i32));
        self.c.push(I::I32Add);
        self.c.push(I::LocalSet(p));
        self.c.br(head);
        self.c.end();
        self.c.end();
        self.c.release(ValType::I32, p);
        self.c.release(ValType::I32, end);
    }

    /// Multiplies the `i32` on the stack by the size of `d`.
    fn shift_left(&mut self, d: DType) {
        let s = shift_of(d);
        if s > 0 {
            self.c.push(I::I32Const(s as i32));
            self.c.push(I::I32Shl);
        }
    }

    /// Allocates a new zeroed C-contiguous array of `d` whose extents are in the `i64`
    /// locals `ext`, and returns the `i32` temporary holding its descriptor's address. A
    /// negative extent is NumPy's ValueError; an array too large for the memory, or one
    /// the allocator refuses, the executor's MemoryError (its extents must also fit an
    /// `i32`, as descriptors hold them, even when another extent is 0). `packed`: the
    /// extents are another array's, each under 2^32.
    pub(super) fn new_array(
        &mut self,
        d: DType,
        ext: &[u32],
        packed: bool,
        span: Span,
    ) -> Result<u32, Unsupported> {
        self.new_array_with(d, ext, packed, span, true)
    }

    /// [`Gen::new_array`], its elements left as the allocator gives them unless `zeroed`
    /// (for an array whose every element the code stores before anything reads it).
    pub(super) fn new_array_with(
        &mut self,
        d: DType,
        ext: &[u32],
        packed: bool,
        span: Span,
        zeroed: bool,
    ) -> Result<u32, Unsupported> {
        let ndim = u8::try_from(ext.len()).unwrap_or(u8::MAX);
        let most = if packed {
            MAX_PACKED_NDIM
        } else {
            MAX_NEW_NDIM
        };
        if ndim > most {
            return Err(self.unsupported(
                span,
                format!("arrays of more than {most} dimensions made in a kernel"),
            ));
        }
        for &x in ext {
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Const(0));
            self.c.push(I::I64LtS);
            self.c.if_(BlockType::Empty);
            self.raise(
                span,
                SiteError::Fixed {
                    kind: RaiseKind::ValueError,
                    message: "negative dimensions are not allowed".to_owned(),
                },
            );
            self.c.end();
        }
        // The size in bytes, saturated just above the limit: each factor is clamped
        // first, so no product overflows, and a zero extent makes it 0.
        let bytes = self.c.temp(ValType::I64);
        let over = MAX_BYTES + 1;
        self.c.push(I::I64Const(d.size() as i64));
        self.c.push(I::LocalSet(bytes));
        for &x in ext {
            self.c.push(I::LocalGet(bytes));
            clamp(self, x, over);
            self.c.push(I::I64Mul);
            self.c.push(I::LocalSet(bytes));
            self.c.push(I::LocalGet(bytes));
            self.c.push(I::I64Const(over));
            self.c.push(I::I64GtS);
            self.c.if_(BlockType::Empty);
            self.c.push(I::I64Const(over));
            self.c.push(I::LocalSet(bytes));
            self.c.end();
        }
        let desc = self.c.temp(ValType::I32);
        let code = self.site(
            span,
            SiteError::NoMemory {
                dtype: d,
                ndim,
                packed,
            },
        );
        // Too large: the size over the limit, or an extent over an `i32`.
        self.c.push(I::LocalGet(bytes));
        self.c.push(I::I64Const(MAX_BYTES));
        self.c.push(I::I64GtS);
        for &x in ext {
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Const(i64::from(i32::MAX)));
            self.c.push(I::I64GtS);
            self.c.push(I::I32Or);
        }
        // The elements and the descriptor are two blocks: the elements' block has the
        // layout of a buffer of the dtype, so that a result the kernel returns becomes
        // the engine's buffer without a copy.
        let data = self.c.temp(ValType::I32);
        let alloc = self.helpers.alloc();
        self.c.if_(BlockType::Result(ValType::I32));
        self.c.push(I::I32Const(0));
        self.c.else_();
        self.c.push(I::LocalGet(bytes));
        self.c.push(I::I32WrapI64);
        let unzeroed = if zeroed {
            0
        } else {
            crate::back::wasm::ALLOC_UNZEROED
        };
        self.c.push(I::I32Const(d.size().min(8) as i32 | unzeroed));
        self.c.call(alloc);
        self.c.push(I::LocalTee(data));
        self.c.if_(BlockType::Result(ValType::I32));
        self.c.push(I::I32Const(header(ndim)));
        self.c.push(I::I32Const(16));
        self.c.call(alloc);
        self.c.else_();
        self.c.push(I::I32Const(0));
        self.c.end();
        self.c.end();
        self.c.push(I::LocalTee(desc));
        self.c.push(I::I32Eqz);
        self.c.if_(BlockType::Empty);
        self.c.push(I::I32Const(code as i32));
        self.c.push(I::GlobalSet(ERROR));
        if packed {
            for (pair, g) in ext.chunks(2).zip([ERROR_A, ERROR_B]) {
                self.c.push(I::LocalGet(pair[0]));
                self.c.push(I::I64Const(32));
                self.c.push(I::I64Shl);
                if let Some(&lo) = pair.get(1) {
                    self.c.push(I::LocalGet(lo));
                    self.c.push(I::I64Or);
                }
                self.c.push(I::GlobalSet(g));
            }
        } else {
            for (&x, g) in ext.iter().zip([ERROR_A, ERROR_B]) {
                self.c.push(I::LocalGet(x));
                self.c.push(I::GlobalSet(g));
            }
        }
        self.return_zero();
        self.c.end();
        self.c.release(ValType::I64, bytes);
        // The descriptor: the data's address, the extents, the C strides.
        self.c.push(I::LocalGet(desc));
        self.c.push(I::LocalGet(data));
        self.c.push(I::I32Store(memarg(0, 2)));
        self.c.release(ValType::I32, data);
        for (k, &x) in ext.iter().enumerate() {
            self.c.push(I::LocalGet(desc));
            self.c.push(I::LocalGet(x));
            self.c.push(I::I32WrapI64);
            self.c.push(I::I32Store(memarg(4 + 4 * k as u64, 2)));
        }
        let n = u64::from(ndim);
        let stride = self.c.temp(ValType::I32);
        self.c.push(I::I32Const(1));
        self.c.push(I::LocalSet(stride));
        for (k, &x) in ext.iter().enumerate().rev() {
            self.c.push(I::LocalGet(desc));
            self.c.push(I::LocalGet(stride));
            self.c.push(I::I32Store(memarg(4 + 4 * (n + k as u64), 2)));
            self.c.push(I::LocalGet(stride));
            self.c.push(I::LocalGet(x));
            self.c.push(I::I32WrapI64);
            self.c.push(I::I32Mul);
            self.c.push(I::LocalSet(stride));
        }
        self.c.release(ValType::I32, stride);
        Ok(desc)
    }

    /// `a[index...]` as a view: its fields (as [`Gen::view_fields`]), then a new
    /// descriptor over the same data.
    pub(super) fn view(
        &mut self,
        e: ExprId,
        a: ExprId,
        index: &[Index],
    ) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let (data, out) = self.view_fields(e, a, index)?;
        let desc = self.view_descriptor(out.len(), span);
        self.c.push(I::LocalGet(desc));
        self.c.push(I::LocalGet(data));
        self.c.push(I::I32Store(memarg(0, 2)));
        self.c.release(ValType::I32, data);
        let n = out.len() as u64;
        for (k, &(ext, stride)) in out.iter().enumerate() {
            let k = k as u64;
            self.c.push(I::LocalGet(desc));
            self.c.push(I::LocalGet(ext));
            self.c.push(I::I32WrapI64);
            self.c.push(I::I32Store(memarg(4 + 4 * k, 2)));
            self.c.push(I::LocalGet(desc));
            self.c.push(I::LocalGet(stride));
            self.c.push(I::I32Store(memarg(4 + 4 * (n + k), 2)));
            self.c.release(ValType::I64, ext);
            self.c.release(ValType::I32, stride);
        }
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }

    /// The fields of the view `e`, `a[index...]`, computed into temporaries with no
    /// descriptor: the array, then every subscript evaluated in order, then the axes in
    /// order (an integer wrapped once and checked, a slice's bounds clamped as Python's
    /// `slice.indices`, a zero step a ValueError). Returns the `i32` temporary of the
    /// byte address of its first element and, per axis of the view, the temporaries of
    /// its extent (`i64`) and stride in elements (`i32`); the caller releases them.
    pub(super) fn view_fields(
        &mut self,
        e: ExprId,
        a: ExprId,
        index: &[Index],
    ) -> Result<(u32, Vec<(u32, u32)>), Unsupported> {
        let span = self.f.span(e);
        let at = self.array_ty(a)?;
        let rt = self.array_ty(e)?;
        let kept = index
            .iter()
            .filter(|i| matches!(i, Index::Slice { .. }))
            .count();
        if index.len() > usize::from(at.ndim)
            || rt.dtype != at.dtype
            || usize::from(rt.ndim) != kept + usize::from(at.ndim) - index.len()
        {
            return Err(self.ill_typed(span));
        }
        let src = self.array_source(a)?;
        // Every subscript's parts as int64 temporaries, absent parts as `None`.
        let mut parts: Vec<[Option<(u32, DType)>; 3]> = Vec::with_capacity(index.len());
        for i in index {
            let exprs = match *i {
                Index::At(x) => [Some(x), None, None],
                Index::Slice { start, stop, step } => [start, stop, step],
            };
            let mut p = [None; 3];
            for (slot, x) in p.iter_mut().zip(exprs) {
                let Some(x) = x else { continue };
                let d = self.scalar_ty(x)?;
                if !d.is_int() || d == DType::U64 {
                    return Err(self.unsupported(self.f.span(x), format!("a subscript of {d}")));
                }
                self.expr(x)?;
                scalar::to_i64(&mut self.c, d);
                let t = self.c.temp(ValType::I64);
                self.c.push(I::LocalSet(t));
                *slot = Some((t, d));
            }
            parts.push(p);
        }
        // The element offset of the view's first element, and its extents and strides.
        let off = self.c.temp(ValType::I32);
        self.c.push(I::I32Const(0));
        self.c.push(I::LocalSet(off));
        let mut out: Vec<(u32, u32)> = Vec::with_capacity(usize::from(rt.ndim));
        for k in 0..src.ndim() {
            match (index.get(k), parts.get(k)) {
                (Some(Index::At(_)), Some([Some((t, d)), ..])) => {
                    self.wrap_index(&src, k, *t, *d, span);
                    self.c.push(I::I32WrapI64);
                    self.stride(&src, k);
                    self.c.push(I::I32Mul);
                    self.c.push(I::LocalGet(off));
                    self.c.push(I::I32Add);
                    self.c.push(I::LocalSet(off));
                }
                (Some(Index::Slice { .. }), Some(p)) => {
                    let p = p.map(|x| x.map(|(t, _)| t));
                    out.push(self.slice(&src, k, p, off, span));
                }
                _ => {
                    let ext = self.c.temp(ValType::I64);
                    let stride = self.c.temp(ValType::I32);
                    self.extent(&src, k);
                    self.c.push(I::LocalSet(ext));
                    self.stride(&src, k);
                    self.c.push(I::LocalSet(stride));
                    out.push((ext, stride));
                }
            }
        }
        for p in &parts {
            for &(t, _) in p.iter().flatten() {
                self.c.release(ValType::I64, t);
            }
        }
        // The byte address of the first element.
        let data = self.c.temp(ValType::I32);
        self.data(&src);
        self.c.push(I::LocalGet(off));
        self.shift_left(at.dtype);
        self.c.push(I::I32Add);
        self.c.push(I::LocalSet(data));
        self.c.release(ValType::I32, off);
        self.release_source(&src);
        Ok((data, out))
    }

    /// Pushes index `t` (of dtype `d`, as `i64`) wrapped once if negative, after raising
    /// NumPy's IndexError unless it lies in axis `k`.
    fn wrap_index(&mut self, src: &Source, k: usize, t: u32, d: DType, span: Span) {
        let w = self.c.temp(ValType::I64);
        self.c.push(I::LocalGet(t));
        if d.is_signed_int() {
            self.extent(src, k);
            self.c.push(I::I64Add);
            self.c.push(I::LocalGet(t));
            self.c.push(I::LocalGet(t));
            self.c.push(I::I64Const(0));
            self.c.push(I::I64LtS);
            self.c.push(I::Select);
        }
        self.c.push(I::LocalTee(w));
        self.extent(src, k);
        self.c.push(I::I64GeU);
        self.c.if_(BlockType::Empty);
        let code = self.site(
            span,
            SiteError::IndexOutOfBounds {
                axis: k,
                unsigned: d.is_unsigned_int(),
            },
        );
        self.c.push(I::I32Const(code as i32));
        self.c.push(I::GlobalSet(ERROR));
        self.c.push(I::LocalGet(t));
        self.c.push(I::GlobalSet(ERROR_A));
        self.extent(src, k);
        self.c.push(I::GlobalSet(ERROR_B));
        self.return_zero();
        self.c.end();
        self.c.push(I::LocalGet(w));
        self.c.release(ValType::I64, w);
    }

    /// Axis `k` sliced by the parts `[start, stop, step]` (temporaries of `i64`, or
    /// absent): adds the first element's offset to `off` when the slice is not empty and
    /// returns the temporaries of its extent (`i64`) and stride (`i32`).
    fn slice(
        &mut self,
        src: &Source,
        k: usize,
        p: [Option<u32>; 3],
        off: u32,
        span: Span,
    ) -> (u32, u32) {
        let [len, step, start, stop, count] = [(); 5].map(|()| self.c.temp(ValType::I64));
        self.extent(src, k);
        self.c.push(I::LocalSet(len));
        match p[2] {
            Some(t) => self.c.push(I::LocalGet(t)),
            None => self.c.push(I::I64Const(1)),
        }
        self.c.push(I::LocalTee(step));
        self.c.push(I::I64Eqz);
        self.c.if_(BlockType::Empty);
        self.raise(
            span,
            SiteError::Fixed {
                kind: RaiseKind::ValueError,
                message: "slice step cannot be zero".to_owned(),
            },
        );
        self.c.end();
        // lower = step < 0 ? -1 : 0, upper = step < 0 ? len - 1 : len.
        let [lower, upper] = [(); 2].map(|()| self.c.temp(ValType::I64));
        self.c.push(I::I64Const(-1));
        self.c.push(I::I64Const(0));
        self.neg_step(step);
        self.c.push(I::Select);
        self.c.push(I::LocalSet(lower));
        self.c.push(I::LocalGet(len));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Sub);
        self.c.push(I::LocalGet(len));
        self.neg_step(step);
        self.c.push(I::Select);
        self.c.push(I::LocalSet(upper));
        // A bound given: negative ones count from the end, clamped into lower..=upper.
        for (part, dest, neg_default, pos_default) in
            [(p[0], start, upper, lower), (p[1], stop, lower, upper)]
        {
            match part {
                None => {
                    self.c.push(I::LocalGet(neg_default));
                    self.c.push(I::LocalGet(pos_default));
                    self.neg_step(step);
                    self.c.push(I::Select);
                }
                Some(v) => {
                    self.c.push(I::LocalGet(v));
                    self.c.push(I::I64Const(0));
                    self.c.push(I::I64LtS);
                    self.c.if_(BlockType::Result(ValType::I64));
                    // max(v + len, lower)
                    self.c.push(I::LocalGet(v));
                    self.c.push(I::LocalGet(len));
                    self.c.push(I::I64Add);
                    self.c.push(I::LocalTee(dest));
                    self.c.push(I::LocalGet(lower));
                    self.c.push(I::LocalGet(dest));
                    self.c.push(I::LocalGet(lower));
                    self.c.push(I::I64GtS);
                    self.c.push(I::Select);
                    self.c.else_();
                    // min(v, upper)
                    self.c.push(I::LocalGet(v));
                    self.c.push(I::LocalGet(upper));
                    self.c.push(I::LocalGet(v));
                    self.c.push(I::LocalGet(upper));
                    self.c.push(I::I64LtS);
                    self.c.push(I::Select);
                    self.c.end();
                }
            }
            self.c.push(I::LocalSet(dest));
        }
        // count = (stop - start - 1) / step + 1 for a non-empty slice (with the bounds
        // swapped and -step for a negative step), divided unsigned so that the most
        // negative step is its magnitude.
        self.neg_step(step);
        self.c.if_(BlockType::Result(ValType::I64));
        range_trips(&mut self.c, start, stop, step, true);
        self.c.else_();
        range_trips(&mut self.c, stop, start, step, false);
        self.c.end();
        self.c.push(I::LocalSet(count));
        // The offset moves to the first element of a non-empty slice.
        self.c.push(I::LocalGet(count));
        self.c.push(I::I64Const(0));
        self.c.push(I::I64GtS);
        self.c.if_(BlockType::Empty);
        self.c.push(I::LocalGet(start));
        self.c.push(I::I32WrapI64);
        self.stride(src, k);
        self.c.push(I::I32Mul);
        self.c.push(I::LocalGet(off));
        self.c.push(I::I32Add);
        self.c.push(I::LocalSet(off));
        self.c.end();
        // The stride times the step with two elements or more (then |step| < len, so
        // the product fits), the base's stride otherwise.
        let stride = self.c.temp(ValType::I32);
        self.stride(src, k);
        self.c.push(I::LocalTee(stride));
        self.c.push(I::LocalGet(step));
        self.c.push(I::I32WrapI64);
        self.c.push(I::I32Mul);
        self.c.push(I::LocalGet(stride));
        self.c.push(I::LocalGet(count));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64GtS);
        self.c.push(I::Select);
        self.c.push(I::LocalSet(stride));
        for t in [len, step, start, stop, lower, upper] {
            self.c.release(ValType::I64, t);
        }
        (count, stride)
    }

    /// Pushes whether the step in `step` is negative.
    fn neg_step(&mut self, step: u32) {
        self.c.push(I::LocalGet(step));
        self.c.push(I::I64Const(0));
        self.c.push(I::I64LtS);
    }
}

/// Pushes `min(x, over)` for the non-negative `i64` in local `x`.
fn clamp(g: &mut Gen<'_, '_>, x: u32, over: i64) {
    g.c.push(I::LocalGet(x));
    g.c.push(I::I64Const(over));
    g.c.push(I::LocalGet(x));
    g.c.push(I::I64Const(over));
    g.c.push(I::I64LtS);
    g.c.push(I::Select);
}
