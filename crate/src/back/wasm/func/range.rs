//! `np.arange` and `np.linspace` as the executor computes them. `arange`: the bounds
//! cast to the result's dtype, a zero step NumPy's ValueError, the length
//! `ceil((stop - start) / step)` (exact for integers, in float64 for floats), then
//! `start + i * step` (wrapping in the integer dtype; in float64 for floats, cast to the
//! result's dtype). `linspace`: float64 `start + i * step` with
//! `step = (stop - start) / (num - 1)` and the last element exactly `stop`.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::Gen;
use super::array::{memarg, store};
use super::range_trips;
use crate::back::wasm::code::{ERROR, ERROR_A};
use crate::back::wasm::scalar::{self, Cast, val_type};
use crate::back::wasm::{SiteError, Unsupported};
use crate::kir::{ExprId, RaiseKind};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, Scalar};

/// The most elements of a result: more do not fit the memory.
const MAX_ELEMENTS: i64 = 0x7fff_0000 / 8;

impl Gen<'_, '_> {
    /// Evaluates the scalar `x` into a new temporary of dtype `to` (cast as NumPy does).
    fn scalar_as(&mut self, x: ExprId, to: DType) -> Result<u32, Unsupported> {
        let d = self.scalar_ty(x)?;
        self.expr(x)?;
        scalar::cast(&mut self.c, d, to, Cast::Elem);
        let t = self.c.temp(val_type(to));
        self.c.push(I::LocalSet(t));
        Ok(t)
    }

    /// Raises the executor's MemoryError for more than [`MAX_ELEMENTS`] elements (the
    /// count an unsigned `i64` in `n`).
    fn check_elements(&mut self, n: u32, span: Span) {
        self.c.push(I::LocalGet(n));
        self.c.push(I::I64Const(MAX_ELEMENTS));
        self.c.push(I::I64GtU);
        self.c.if_(BlockType::Empty);
        let code = self.site(span, SiteError::Elements);
        self.c.push(I::I32Const(code as i32));
        self.c.push(I::GlobalSet(ERROR));
        self.c.push(I::LocalGet(n));
        self.c.push(I::GlobalSet(ERROR_A));
        self.return_zero();
        self.c.end();
    }

    /// `Arange(start, stop, step)`, the 1-d array `e`.
    pub(super) fn arange(&mut self, e: ExprId, args: &[ExprId]) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let rd = rt.dtype;
        let [start, stop, step] = args else {
            return Err(self.ill_typed(span));
        };
        if rt.ndim != 1 || !matches!(rd, DType::I64 | DType::F64 | DType::F32) {
            return Err(self.unsupported(span, format!("np.arange of {rd}")));
        }
        let (a, b, s) = (
            self.scalar_as(*start, rd)?,
            self.scalar_as(*stop, rd)?,
            self.scalar_as(*step, rd)?,
        );
        let too_big = |g: &mut Self| {
            g.raise(
                span,
                SiteError::Fixed {
                    kind: RaiseKind::ValueError,
                    message: "Maximum allowed size exceeded".to_owned(),
                },
            );
        };
        self.c.push(I::LocalGet(s));
        scalar::truth(&mut self.c, rd);
        self.c.push(I::I32Eqz);
        self.c.if_(BlockType::Empty);
        too_big(self);
        self.c.end();
        let n = self.c.temp(ValType::I64);
        let [fa, fs] = [(); 2].map(|()| self.c.temp(ValType::F64));
        if rd.is_float() {
            for (v, f) in [(a, fa), (s, fs)] {
                self.c.push(I::LocalGet(v));
                scalar::cast(&mut self.c, rd, DType::F64, Cast::Elem);
                self.c.push(I::LocalSet(f));
            }
            let len = self.c.temp(ValType::F64);
            self.c.push(I::LocalGet(b));
            scalar::cast(&mut self.c, rd, DType::F64, Cast::Elem);
            self.c.push(I::LocalGet(fa));
            self.c.push(I::F64Sub);
            self.c.push(I::LocalGet(fs));
            self.c.push(I::F64Div);
            self.c.push(I::F64Ceil);
            self.c.push(I::LocalTee(len));
            self.c.push(I::LocalGet(len));
            self.c.push(I::F64Ne);
            self.c.if_(BlockType::Empty);
            self.raise(
                span,
                SiteError::Fixed {
                    kind: RaiseKind::ValueError,
                    message: "arange: cannot compute length".to_owned(),
                },
            );
            self.c.end();
            self.c.push(I::LocalGet(len));
            scalar::constant(&mut self.c, Scalar::F64(u64::MAX as f64));
            self.c.push(I::F64Ge);
            self.c.if_(BlockType::Empty);
            too_big(self);
            self.c.end();
            // Positive lengths below 2^64 truncate exactly; others are 0.
            self.c.push(I::LocalGet(len));
            self.c.push(I::I64TruncSatF64U);
            self.c.push(I::LocalSet(n));
            self.c.release(ValType::F64, len);
        } else {
            // The trip count of Python's range, in unsigned arithmetic.
            self.c.push(I::LocalGet(s));
            self.c.push(I::I64Const(0));
            self.c.push(I::I64GtS);
            self.c.if_(BlockType::Result(ValType::I64));
            range_trips(&mut self.c, b, a, s, false);
            self.c.else_();
            range_trips(&mut self.c, a, b, s, true);
            self.c.end();
            self.c.push(I::LocalSet(n));
        }
        self.check_elements(n, span);
        let desc = self.new_array(rd, &[n], true, span)?;
        let [p, i] = [ValType::I32, ValType::I64].map(|t| self.c.temp(t));
        self.c.push(I::LocalGet(desc));
        self.c.push(I::I32Load(memarg(0, 2)));
        self.c.push(I::LocalSet(p));
        self.c.push(I::I64Const(0));
        self.c.push(I::LocalSet(i));
        let exit = self.c.block(BlockType::Empty);
        let top = self.c.loop_(BlockType::Empty);
        self.c.push(I::LocalGet(i));
        self.c.push(I::LocalGet(n));
        self.c.push(I::I64GeU);
        self.c.br_if(exit);
        self.c.push(I::LocalGet(p));
        if rd.is_float() {
            self.c.push(I::LocalGet(fa));
            self.c.push(I::LocalGet(i));
            self.c.push(I::F64ConvertI64U);
            self.c.push(I::LocalGet(fs));
            self.c.push(I::F64Mul);
            self.c.push(I::F64Add);
            scalar::cast(&mut self.c, DType::F64, rd, Cast::Elem);
        } else {
            self.c.push(I::LocalGet(a));
            self.c.push(I::LocalGet(i));
            self.c.push(I::LocalGet(s));
            scalar::binary(&mut self.c, BinaryOp::Mul, rd, self.helpers)
                .map_err(|m| self.unsupported(span, m))?;
            scalar::binary(&mut self.c, BinaryOp::Add, rd, self.helpers)
                .map_err(|m| self.unsupported(span, m))?;
        }
        self.c.push(store(rd));
        self.step_loop(p, i, rd);
        self.c.br(top);
        self.c.end();
        self.c.end();
        self.c.release(ValType::I32, p);
        self.c.release(ValType::I64, i);
        self.c.release(ValType::I64, n);
        for t in [fa, fs] {
            self.c.release(ValType::F64, t);
        }
        for t in [a, b, s] {
            self.c.release(val_type(rd), t);
        }
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }

    /// Advances the element pointer `p` by one element of `d` and the counter `i` by 1.
    fn step_loop(&mut self, p: u32, i: u32, d: DType) {
        self.c.push(I::LocalGet(p));
        self.c.push(I::I32Const(d.size() as i32));
        self.c.push(I::I32Add);
        self.c.push(I::LocalSet(p));
        self.c.push(I::LocalGet(i));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Add);
        self.c.push(I::LocalSet(i));
    }

    /// `Linspace(start, stop, num)`, the float64 1-d array `e`.
    pub(super) fn linspace(&mut self, e: ExprId, args: &[ExprId]) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let [start, stop, num] = args else {
            return Err(self.ill_typed(span));
        };
        let nd = self.scalar_ty(*num)?;
        if rt.ndim != 1 || rt.dtype != DType::F64 || !nd.is_int() || nd == DType::U64 {
            return Err(self.unsupported(span, "np.linspace of these types"));
        }
        let a = self.scalar_as(*start, DType::F64)?;
        let b = self.scalar_as(*stop, DType::F64)?;
        let n = self.scalar_as(*num, DType::I64)?;
        self.c.push(I::LocalGet(n));
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
        self.check_elements(n, span);
        let desc = self.new_array(DType::F64, &[n], true, span)?;
        let step = self.c.temp(ValType::F64);
        // step = (stop - start) / (n - 1), used only when n > 1.
        self.c.push(I::LocalGet(b));
        self.c.push(I::LocalGet(a));
        self.c.push(I::F64Sub);
        self.c.push(I::LocalGet(n));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Sub);
        self.c.push(I::F64ConvertI64U);
        self.c.push(I::F64Div);
        self.c.push(I::LocalSet(step));
        let [p, i] = [ValType::I32, ValType::I64].map(|t| self.c.temp(t));
        self.c.push(I::LocalGet(desc));
        self.c.push(I::I32Load(memarg(0, 2)));
        self.c.push(I::LocalSet(p));
        self.c.push(I::I64Const(0));
        self.c.push(I::LocalSet(i));
        let exit = self.c.block(BlockType::Empty);
        let top = self.c.loop_(BlockType::Empty);
        self.c.push(I::LocalGet(i));
        self.c.push(I::LocalGet(n));
        self.c.push(I::I64GeU);
        self.c.br_if(exit);
        self.c.push(I::LocalGet(p));
        // The last of two or more is `stop`; the first of one is `start`.
        self.c.push(I::LocalGet(b));
        self.c.push(I::LocalGet(a));
        self.c.push(I::LocalGet(i));
        self.c.push(I::F64ConvertI64U);
        self.c.push(I::LocalGet(step));
        self.c.push(I::F64Mul);
        self.c.push(I::F64Add);
        self.c.push(I::LocalGet(a));
        self.c.push(I::LocalGet(n));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64GtS);
        self.c.push(I::Select);
        self.c.push(I::LocalGet(i));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Add);
        self.c.push(I::LocalGet(n));
        self.c.push(I::I64Eq);
        self.c.push(I::LocalGet(n));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64GtS);
        self.c.push(I::I32And);
        self.c.push(I::Select);
        self.c.push(store(DType::F64));
        self.step_loop(p, i, DType::F64);
        self.c.br(top);
        self.c.end();
        self.c.end();
        self.c.release(ValType::I32, p);
        self.c.release(ValType::I64, i);
        self.c.release(ValType::F64, step);
        for t in [a, b] {
            self.c.release(ValType::F64, t);
        }
        self.c.release(ValType::I64, n);
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }
}
