//! The intrinsics that make a new array from one array, element by element in C order:
//! `Copy`, `Astype` and `Map1` (the operand cast to the result's dtype, or looked at in
//! its own dtype by the predicates, as the executor does), and `Transpose`, a view with
//! its axes reversed.

use wasm_encoder::{Instruction as I, ValType};

use super::array::{Source, load, memarg, store};
use super::{Gen, unary_in};
use crate::back::wasm::Unsupported;
use crate::back::wasm::scalar::{self, Cast};
use crate::kir::ExprId;
use crate::types::{DType, UnaryOp};

impl Gen<'_, '_> {
    /// `Copy` and `Astype` (`op` none) or `Map1(op)` of array `a`, the expression `e`.
    pub(super) fn map1(
        &mut self,
        e: ExprId,
        op: Option<UnaryOp>,
        a: ExprId,
    ) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let at = self.array_ty(a)?;
        if rt.ndim != at.ndim {
            return Err(self.ill_typed(span));
        }
        let rd = rt.dtype;
        let cd = match op {
            Some(u) if u.is_predicate() => at.dtype,
            _ => rd,
        };
        if let Some(u) = op
            && (!unary_in(u, cd) || (u.is_predicate() && rd != DType::Bool))
        {
            return Err(self.unsupported(span, format!("{} on {cd}", u.name())));
        }
        let (src, ext, operand, d) = self.walk_source(a)?;
        let desc = self.new_array(rd, &ext, true, span)?;
        let out = Source::Memory(desc, rt.ndim);
        let dst = self.operand(&out, rd, ext.len());
        self.walk(&ext, &[&dst, &operand], &mut |g, p, _| {
            g.c.push(I::LocalGet(p[0]));
            g.c.push(I::LocalGet(p[1]));
            g.c.push(load(d));
            scalar::cast(&mut g.c, d, cd, Cast::Elem);
            if let Some(u) = op {
                scalar::unary(&mut g.c, u, cd, g.helpers)
                    .map_err(|n| g.unsupported(span, format!("{n} on {cd}")))?;
            }
            g.c.push(store(rd));
            Ok(())
        })?;
        self.release_operand(dst);
        self.release_walk(&src, ext, operand);
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }

    /// `a.T`: a new descriptor over `a`'s data with the extents and strides reversed.
    pub(super) fn transpose(&mut self, e: ExprId, a: ExprId) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let at = self.array_ty(a)?;
        if rt.ndim != at.ndim || rt.dtype != at.dtype {
            return Err(self.ill_typed(span));
        }
        let src = self.array_source(a)?;
        let nd = src.ndim();
        let desc = self.view_descriptor(nd, span);
        self.c.push(I::LocalGet(desc));
        self.data(&src);
        self.c.push(I::I32Store(memarg(0, 2)));
        for k in 0..nd {
            let to = (nd - 1 - k) as u64;
            self.c.push(I::LocalGet(desc));
            self.extent(&src, k);
            self.c.push(I::I32WrapI64);
            self.c.push(I::I32Store(memarg(4 + 4 * to, 2)));
            self.c.push(I::LocalGet(desc));
            self.stride(&src, k);
            self.c
                .push(I::I32Store(memarg(4 + 4 * (nd as u64 + to), 2)));
        }
        self.release_source(&src);
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }
}
