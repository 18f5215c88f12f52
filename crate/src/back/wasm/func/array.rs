//! Array access: where a descriptor's fields come from (an array local's wasm locals, or
//! the descriptor in memory for an array that is not a local), and the element address of
//! an access, formed only after every index has been wrapped and checked.

use wasm_encoder::{BlockType, Instruction as I, MemArg, MemArgTarget, ValType};

use super::{Gen, Slot, fits};
use crate::back::wasm::code::{ERROR, ERROR_A, ERROR_B};
use crate::back::wasm::{SiteError, Unsupported, scalar};
use crate::kir::{Expr, ExprId, Layout};
use crate::syntax::Span;
use crate::types::DType;

/// Where an accessed array's descriptor fields come from.
pub(super) enum Source {
    /// A local's wasm locals: the data address, the extents and the strides.
    Local(u32, Vec<u32>, Vec<u32>),
    /// The descriptor in memory, its address in a temporary, and the array's rank.
    Memory(u32, u8),
    /// A view's fields computed into temporaries (the data address, the `i64` extents
    /// and the `i32` strides), with no descriptor in memory: released with the source.
    Fields(u32, Vec<u32>, Vec<u32>),
}

impl Source {
    /// The array's rank.
    pub(super) fn ndim(&self) -> usize {
        match self {
            Source::Local(_, ext, _) | Source::Fields(_, ext, _) => ext.len(),
            Source::Memory(_, ndim) => usize::from(*ndim),
        }
    }
}

pub(in crate::back::wasm) fn memarg(offset: u64, align: u32) -> MemArg {
    MemArg {
        offset,
        align,
        target: MemArgTarget::Memory(0),
        ordering: None,
    }
}

/// `log2` of a dtype's size in bytes.
pub(super) fn shift_of(d: DType) -> u32 {
    d.size().trailing_zeros()
}

pub(super) fn load(d: DType) -> I<'static> {
    let m = memarg(0, shift_of(d));
    match d {
        DType::Bool | DType::U8 => I::I32Load8U(m),
        DType::I8 => I::I32Load8S(m),
        DType::I16 => I::I32Load16S(m),
        DType::U16 => I::I32Load16U(m),
        DType::I32 | DType::U32 => I::I32Load(m),
        DType::I64 | DType::U64 => I::I64Load(m),
        DType::F32 => I::F32Load(m),
        DType::F64 => I::F64Load(m),
    }
}

pub(super) fn store(d: DType) -> I<'static> {
    let m = memarg(0, shift_of(d));
    match d {
        DType::Bool | DType::I8 | DType::U8 => I::I32Store8(m),
        DType::I16 | DType::U16 => I::I32Store16(m),
        DType::I32 | DType::U32 => I::I32Store(m),
        DType::I64 | DType::U64 => I::I64Store(m),
        DType::F32 => I::F32Store(m),
        DType::F64 => I::F64Store(m),
    }
}

impl Gen<'_, '_> {
    /// Where the descriptor of array `a` is read from: a local's wasm locals (after the
    /// check that it was assigned), a view's fields computed into temporaries as the view
    /// computes them (its subscripts evaluated and checked, its errors raised, but no
    /// descriptor allocated), or the array's value evaluated into a temporary.
    pub(super) fn array_source(&mut self, a: ExprId) -> Result<Source, Unsupported> {
        let f = self.f;
        if let Expr::View(base, index) = f.get(a) {
            let (data, fields) = self.view_fields(a, *base, index)?;
            let (ext, stride) = fields.into_iter().unzip();
            return Ok(Source::Fields(data, ext, stride));
        }
        if let Expr::Local(l) = f.get(a)
            && fits(&f.local_decl(*l).ty, f.ty(a))
            && let Slot::Array(c) = &self.locals[l.index()].slot
        {
            let src = Source::Local(c.data, c.ext.clone(), c.stride.clone());
            self.check_assigned(a, *l);
            return Ok(src);
        }
        let at = self.array_ty(a)?;
        self.expr(a)?;
        let t = self.c.temp(ValType::I32);
        self.c.push(I::LocalSet(t));
        Ok(Source::Memory(t, at.ndim))
    }

    pub(super) fn release_source(&mut self, src: &Source) {
        match src {
            Source::Local(..) => {}
            Source::Memory(t, _) => self.c.release(ValType::I32, *t),
            Source::Fields(data, ext, stride) => {
                self.c.release(ValType::I32, *data);
                for &t in ext {
                    self.c.release(ValType::I64, t);
                }
                for &t in stride {
                    self.c.release(ValType::I32, t);
                }
            }
        }
    }

    /// Pushes the byte address of element `(0, 0, ...)`.
    pub(super) fn data(&mut self, src: &Source) {
        match src {
            Source::Local(data, ..) | Source::Fields(data, ..) => {
                self.c.push(I::LocalGet(*data));
            }
            Source::Memory(t, _) => {
                self.c.push(I::LocalGet(*t));
                self.c.push(I::I32Load(memarg(0, 2)));
            }
        }
    }

    /// Pushes axis `k`'s extent as an `i64`.
    pub(super) fn extent(&mut self, src: &Source, k: usize) {
        match src {
            Source::Local(_, ext, _) | Source::Fields(_, ext, _) => {
                self.c.push(I::LocalGet(ext[k]));
            }
            Source::Memory(t, _) => {
                self.c.push(I::LocalGet(*t));
                self.c.push(I::I32Load(memarg(4 + 4 * k as u64, 2)));
                self.c.push(I::I64ExtendI32U);
            }
        }
    }

    /// Pushes axis `k`'s stride in elements as an `i32`.
    pub(super) fn stride(&mut self, src: &Source, k: usize) {
        match src {
            Source::Local(_, _, stride) | Source::Fields(_, _, stride) => {
                self.c.push(I::LocalGet(stride[k]));
            }
            Source::Memory(t, ndim) => {
                self.c.push(I::LocalGet(*t));
                self.c
                    .push(I::I32Load(memarg(4 + 4 * (u64::from(*ndim) + k as u64), 2)));
            }
        }
    }

    /// Pushes the byte address of `a[index...]`: the array and then every index evaluated
    /// in order, then each index wrapped once if negative and checked against its
    /// extent, axis by axis (an IndexError at `span` for the first that fails). Without
    /// `checked` (a load proven in bounds) the indices are used as they are.
    pub(super) fn element(
        &mut self,
        a: ExprId,
        index: &[ExprId],
        span: Span,
        checked: bool,
    ) -> Result<(), Unsupported> {
        let at = self.array_ty(a)?;
        if index.len() != usize::from(at.ndim) {
            return Err(self.ill_typed(span));
        }
        let mut dtypes = Vec::with_capacity(index.len());
        for &i in index {
            let d = self.scalar_ty(i)?;
            if !d.is_int() {
                return Err(self.ill_typed(self.f.span(i)));
            }
            dtypes.push(d);
        }
        let src = self.array_source(a)?;
        let mut values = Vec::with_capacity(index.len());
        for (&i, &d) in index.iter().zip(&dtypes) {
            self.expr(i)?;
            scalar::to_i64(&mut self.c, d);
            let t = self.c.temp(ValType::I64);
            self.c.push(I::LocalSet(t));
            values.push(t);
        }
        let w = self.c.temp(ValType::I64);
        let off = self.c.temp(ValType::I32);
        for (k, (&t, &d)) in values.iter().zip(&dtypes).enumerate() {
            // A C-contiguous array's last axis has stride 1 wherever its extent is over 1
            // (and index 0 is its only one otherwise): no multiply.
            let unit = k + 1 == values.len() && at.layout == Layout::C;
            self.c.push(I::LocalGet(t));
            if !checked {
                self.c.push(I::I32WrapI64);
                if !unit {
                    self.stride(&src, k);
                    self.c.push(I::I32Mul);
                }
                if k > 0 {
                    self.c.push(I::LocalGet(off));
                    self.c.push(I::I32Add);
                }
                self.c.push(I::LocalSet(off));
                continue;
            }
            if d.is_signed_int() {
                self.extent(&src, k);
                self.c.push(I::I64Add);
                self.c.push(I::LocalGet(t));
                self.c.push(I::LocalGet(t));
                self.c.push(I::I64Const(0));
                self.c.push(I::I64LtS);
                self.c.push(I::Select);
            }
            // Unsigned: a wrapped index still negative is above every extent.
            self.c.push(I::LocalTee(w));
            self.extent(&src, k);
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
            self.extent(&src, k);
            self.c.push(I::GlobalSet(ERROR_B));
            self.return_zero();
            self.c.end();
            // The checked index fits an i32, and so does its offset in a valid array.
            self.c.push(I::LocalGet(w));
            self.c.push(I::I32WrapI64);
            if !unit {
                self.stride(&src, k);
                self.c.push(I::I32Mul);
            }
            if k > 0 {
                self.c.push(I::LocalGet(off));
                self.c.push(I::I32Add);
            }
            self.c.push(I::LocalSet(off));
        }
        self.data(&src);
        if !values.is_empty() {
            self.c.push(I::LocalGet(off));
            let s = shift_of(at.dtype);
            if s > 0 {
                self.c.push(I::I32Const(s as i32));
                self.c.push(I::I32Shl);
            }
            self.c.push(I::I32Add);
        }
        for t in values {
            self.c.release(ValType::I64, t);
        }
        self.c.release(ValType::I64, w);
        self.c.release(ValType::I32, off);
        self.release_source(&src);
        Ok(())
    }
}
