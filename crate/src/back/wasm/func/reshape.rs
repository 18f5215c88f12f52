//! `a.reshape(...)`: a C-contiguous array viewed with new extents, as the executor
//! checks it: the array must be C-contiguous, at most one extent -1 (inferred from the
//! size), none below -1, and the extents' product the size. The failing message names
//! the size and the extents, passed in the error globals, so at most two extents.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::Gen;
use super::array::memarg;
use crate::back::wasm::code::{ERROR, ERROR_A, ERROR_B};
use crate::back::wasm::scalar;
use crate::back::wasm::{SiteError, Unsupported};
use crate::kir::{ExprId, RaiseKind};
use crate::syntax::Span;

/// A factor no product of extents compared with an array's size can exceed without
/// being too large: sizes are under 2^32 - 1, and two such factors multiply in 64 bits.
const TOO_BIG: i64 = 0xffff_ffff;

impl Gen<'_, '_> {
    /// `Reshape` of array `a` to the extents `exts`, the expression `e`.
    pub(super) fn reshape(
        &mut self,
        e: ExprId,
        a: ExprId,
        exts: &[ExprId],
    ) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let at = self.array_ty(a)?;
        if usize::from(rt.ndim) != exts.len() || rt.dtype != at.dtype {
            return Err(self.ill_typed(span));
        }
        if exts.len() > 2 {
            return Err(self.unsupported(span, "a reshape to more than 2 dimensions"));
        }
        let src = self.array_source(a)?;
        let mut ext = Vec::with_capacity(exts.len());
        for &x in exts {
            let d = self.scalar_ty(x)?;
            if !d.is_int() || d == crate::types::DType::U64 {
                return Err(self.unsupported(self.f.span(x), format!("an extent of {d}")));
            }
            self.expr(x)?;
            scalar::to_i64(&mut self.c, d);
            let t = self.c.temp(ValType::I64);
            self.c.push(I::LocalSet(t));
            ext.push(t);
        }
        let fixed = |g: &mut Self, message: &str| {
            g.raise(
                span,
                SiteError::Fixed {
                    kind: RaiseKind::ValueError,
                    message: message.to_owned(),
                },
            );
        };
        // C-contiguous: from the last axis, every extent other than 1 has the stride of
        // the axes after it; an empty array is.
        let [size, expected] = [(); 2].map(|()| self.c.temp(ValType::I64));
        let bad = self.c.temp(ValType::I32);
        self.c.push(I::I64Const(1));
        self.c.push(I::LocalSet(size));
        self.c.push(I::I64Const(1));
        self.c.push(I::LocalSet(expected));
        self.c.push(I::I32Const(0));
        self.c.push(I::LocalSet(bad));
        for k in (0..src.ndim()).rev() {
            self.extent(&src, k);
            self.c.push(I::I64Const(1));
            self.c.push(I::I64Ne);
            self.c.if_(BlockType::Empty);
            self.stride(&src, k);
            self.c.push(I::I64ExtendI32S);
            self.c.push(I::LocalGet(expected));
            self.c.push(I::I64Ne);
            self.c.push(I::LocalGet(bad));
            self.c.push(I::I32Or);
            self.c.push(I::LocalSet(bad));
            self.c.push(I::LocalGet(expected));
            self.extent(&src, k);
            self.c.push(I::I64Mul);
            self.c.push(I::LocalSet(expected));
            self.c.end();
            self.c.push(I::LocalGet(size));
            self.extent(&src, k);
            self.c.push(I::I64Mul);
            self.c.push(I::LocalSet(size));
        }
        self.c.push(I::LocalGet(bad));
        self.c.push(I::LocalGet(size));
        self.c.push(I::I64Const(0));
        self.c.push(I::I64Ne);
        self.c.push(I::I32And);
        self.c.if_(BlockType::Empty);
        fixed(self, "reshape() supports contiguous array only");
        self.c.end();
        // The count of -1 extents, then the product of the others, each factor clamped.
        let [unknown, known] = [(); 2].map(|()| self.c.temp(ValType::I64));
        self.c.push(I::I64Const(0));
        self.c.push(I::LocalSet(unknown));
        self.c.push(I::I64Const(1));
        self.c.push(I::LocalSet(known));
        for &x in &ext {
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Const(-1));
            self.c.push(I::I64Eq);
            self.c.if_(BlockType::Empty);
            self.c.push(I::LocalGet(unknown));
            self.c.push(I::I64Const(1));
            self.c.push(I::I64Add);
            self.c.push(I::LocalSet(unknown));
            self.c.else_();
            self.c.push(I::LocalGet(known));
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Const(TOO_BIG));
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Const(TOO_BIG));
            self.c.push(I::I64LtS);
            self.c.push(I::Select);
            self.c.push(I::I64Mul);
            self.c.push(I::LocalSet(known));
            self.c.end();
        }
        self.c.push(I::LocalGet(unknown));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64GtS);
        self.c.if_(BlockType::Empty);
        fixed(self, "can only specify one unknown dimension");
        self.c.end();
        for &x in &ext {
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Const(-1));
            self.c.push(I::I64LtS);
            self.c.if_(BlockType::Empty);
            fixed(self, "negative dimensions not allowed");
            self.c.end();
        }
        // The inferred extent: size / known with one unknown (known not 0 and dividing
        // the size), or 0 when the product is the size; anything else fails. The
        // clamped product is only compared or divided when it is the exact one or
        // exceeds the size either way.
        let inferred = self.c.temp(ValType::I64);
        self.c.push(I::LocalGet(unknown));
        self.c.push(I::I64Eqz);
        self.c.if_(BlockType::Result(ValType::I32));
        self.c.push(I::LocalGet(known));
        self.c.push(I::LocalGet(size));
        self.c.push(I::I64Ne);
        self.c.else_();
        self.c.push(I::LocalGet(known));
        self.c.push(I::I64Eqz);
        self.c.if_(BlockType::Result(ValType::I32));
        self.c.push(I::I32Const(1));
        self.c.else_();
        self.c.push(I::LocalGet(size));
        self.c.push(I::LocalGet(known));
        self.c.push(I::I64RemU);
        self.c.push(I::I64Const(0));
        self.c.push(I::I64Ne);
        self.c.end();
        self.c.end();
        self.c.if_(BlockType::Empty);
        self.reshape_error(&ext, size, span);
        self.c.end();
        self.c.push(I::LocalGet(unknown));
        self.c.push(I::I64Const(0));
        self.c.push(I::I64Ne);
        self.c.if_(BlockType::Result(ValType::I64));
        self.c.push(I::LocalGet(size));
        self.c.push(I::LocalGet(known));
        self.c.push(I::I64DivU);
        self.c.else_();
        self.c.push(I::I64Const(0));
        self.c.end();
        self.c.push(I::LocalSet(inferred));
        for &x in &ext {
            self.c.push(I::LocalGet(inferred));
            self.c.push(I::LocalGet(x));
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Const(-1));
            self.c.push(I::I64Eq);
            self.c.push(I::Select);
            self.c.push(I::LocalSet(x));
        }
        // An extent a descriptor cannot hold (only an empty array's can be so large).
        for &x in &ext {
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Const(TOO_BIG));
            self.c.push(I::I64GeS);
            self.c.if_(BlockType::Empty);
            self.raise(
                span,
                SiteError::Fixed {
                    kind: RaiseKind::MemoryError,
                    message: "Unable to allocate an array view".to_owned(),
                },
            );
            self.c.end();
        }
        // The view: the same data, the new extents, C strides.
        let nd = ext.len() as u64;
        let desc = self.view_descriptor(ext.len(), span);
        self.c.push(I::LocalGet(desc));
        self.data(&src);
        self.c.push(I::I32Store(memarg(0, 2)));
        let stride = self.c.temp(ValType::I32);
        self.c.push(I::I32Const(1));
        self.c.push(I::LocalSet(stride));
        for (k, &x) in ext.iter().enumerate().rev() {
            let k = k as u64;
            self.c.push(I::LocalGet(desc));
            self.c.push(I::LocalGet(x));
            self.c.push(I::I32WrapI64);
            self.c.push(I::I32Store(memarg(4 + 4 * k, 2)));
            self.c.push(I::LocalGet(desc));
            self.c.push(I::LocalGet(stride));
            self.c.push(I::I32Store(memarg(4 + 4 * (nd + k), 2)));
            self.c.push(I::LocalGet(stride));
            self.c.push(I::LocalGet(x));
            self.c.push(I::I32WrapI64);
            self.c.push(I::I32Mul);
            self.c.push(I::LocalSet(stride));
        }
        self.c.release(ValType::I32, stride);
        self.c.release(ValType::I32, bad);
        for t in [size, expected, unknown, known, inferred] {
            self.c.release(ValType::I64, t);
        }
        for t in ext {
            self.c.release(ValType::I64, t);
        }
        self.release_source(&src);
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }

    /// Raises `reshape`'s ValueError for the extents `ext` (as written) and the size in
    /// `size`.
    fn reshape_error(&mut self, ext: &[u32], size: u32, span: Span) {
        let code = self.site(
            span,
            SiteError::Reshape {
                ndim: ext.len() as u8,
            },
        );
        self.c.push(I::I32Const(code as i32));
        self.c.push(I::GlobalSet(ERROR));
        self.c.push(I::LocalGet(size));
        if let Some(&second) = ext.get(1) {
            self.c.push(I::LocalGet(second));
            self.c.push(I::I64Const(32));
            self.c.push(I::I64Shl);
            self.c.push(I::I64Or);
        }
        self.c.push(I::GlobalSet(ERROR_A));
        if let Some(&first) = ext.first() {
            self.c.push(I::LocalGet(first));
            self.c.push(I::GlobalSet(ERROR_B));
        }
        self.return_zero();
    }
}
