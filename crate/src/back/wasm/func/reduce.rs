//! Reductions of a whole array to a scalar (`Reduce`, `Mean`) in the executor's order:
//! sequential in C order, accumulating in the result's dtype from 0 (sum) or 1 (prod);
//! min and max keep the first of equal values and return the first NaN they meet, and
//! raise NumPy's ValueError on an empty array; `mean` accumulates integers in float64 and
//! floats in their own dtype, divides in float64 and is NaN for an empty array. Also
//! `ReduceAxis` (each result element one such reduction along the axis), `ArgMin`/`ArgMax`
//! and the running `CumSum`/`CumProd`, in the same order.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::array::{Source, load, memarg, store};
use super::walk::Operand;
use super::{Gen, binary_in};
use crate::back::wasm::scalar::{self, Cast, val_type};
use crate::back::wasm::{SiteError, Unsupported};
use crate::kir::{Expr, ExprId, RaiseKind};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, ReduceOp, Scalar};

impl Gen<'_, '_> {
    /// The array `a` as a walk over its own shape: its source, the `i64` temporaries
    /// of its extents, and its operand.
    pub(super) fn walk_source(
        &mut self,
        a: ExprId,
    ) -> Result<(Source, Vec<u32>, super::walk::Operand, DType), Unsupported> {
        let at = self.array_ty(a)?;
        let src = self.array_source(a)?;
        let ext: Vec<u32> = (0..src.ndim())
            .map(|k| {
                let t = self.c.temp(ValType::I64);
                self.extent(&src, k);
                self.c.push(I::LocalSet(t));
                t
            })
            .collect();
        let op = self.operand(&src, at.dtype, ext.len());
        Ok((src, ext, op, at.dtype))
    }

    /// Gives back what [`Gen::walk_source`] took.
    pub(super) fn release_walk(&mut self, src: &Source, ext: Vec<u32>, op: super::walk::Operand) {
        self.release_operand(op);
        for t in ext {
            self.c.release(ValType::I64, t);
        }
        self.release_source(src);
    }

    /// `Reduce(op)` of array `a` to the scalar `e`.
    pub(super) fn reduce(&mut self, e: ExprId, op: ReduceOp, a: ExprId) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rd = self.scalar_ty(e)?;
        let bop = match op {
            ReduceOp::Sum => Some(BinaryOp::Add),
            ReduceOp::Prod => Some(BinaryOp::Mul),
            ReduceOp::Min => Some(BinaryOp::Lt),
            ReduceOp::Max => Some(BinaryOp::Gt),
            ReduceOp::Any | ReduceOp::All => None,
        };
        if bop.is_some_and(|b| !binary_in(b, rd) && !b.is_comparison()) {
            return Err(self.unsupported(span, format!("{op:?} in {rd}")));
        }
        let (src, ext, operand, ad) = self.walk_source(a)?;
        self.fold(op, rd, ad, &ext, &operand, span)?;
        self.release_walk(&src, ext, operand);
        Ok(())
    }

    /// Pushes the reduction `op` in `rd` of the elements of dtype `ad` that `operand`
    /// walks over the extents `ext`.
    fn fold(
        &mut self,
        op: ReduceOp,
        rd: DType,
        ad: DType,
        ext: &[u32],
        operand: &Operand,
        span: Span,
    ) -> Result<(), Unsupported> {
        let t = val_type(rd);
        let acc = self.c.temp(t);
        match op {
            ReduceOp::Sum | ReduceOp::Prod => {
                let (bop, init) = if op == ReduceOp::Sum {
                    (BinaryOp::Add, Scalar::zero(rd))
                } else {
                    (BinaryOp::Mul, Scalar::one(rd))
                };
                scalar::constant(&mut self.c, init);
                self.c.push(I::LocalSet(acc));
                self.walk(ext, &[operand], &mut |g, p, _| {
                    g.c.push(I::LocalGet(acc));
                    g.c.push(I::LocalGet(p[0]));
                    g.c.push(load(ad));
                    scalar::cast(&mut g.c, ad, rd, Cast::Elem);
                    scalar::binary(&mut g.c, bop, rd, g.helpers)
                        .map_err(|n| g.unsupported(span, n))?;
                    g.c.push(I::LocalSet(acc));
                    Ok(())
                })?;
                self.c.push(I::LocalGet(acc));
            }
            ReduceOp::Any | ReduceOp::All => {
                let any = op == ReduceOp::Any;
                let flag = self.c.temp(ValType::I32);
                self.c.push(I::I32Const(i32::from(!any)));
                self.c.push(I::LocalSet(flag));
                self.walk(ext, &[operand], &mut |g, p, _| {
                    g.c.push(I::LocalGet(flag));
                    g.c.push(I::LocalGet(p[0]));
                    g.c.push(load(ad));
                    scalar::truth(&mut g.c, ad);
                    g.c.push(I::I32Eqz);
                    g.c.push(I::I32Eqz);
                    g.c.push(if any { I::I32Or } else { I::I32And });
                    g.c.push(I::LocalSet(flag));
                    Ok(())
                })?;
                self.c.push(I::LocalGet(flag));
                scalar::cast(&mut self.c, DType::Bool, rd, Cast::Elem);
                self.c.release(ValType::I32, flag);
            }
            ReduceOp::Min | ReduceOp::Max => {
                let better = if op == ReduceOp::Min {
                    BinaryOp::Lt
                } else {
                    BinaryOp::Gt
                };
                let first = self.c.temp(ValType::I32);
                let x = self.c.temp(t);
                self.c.push(I::I32Const(1));
                self.c.push(I::LocalSet(first));
                scalar::zero(&mut self.c, rd);
                self.c.push(I::LocalSet(acc));
                self.walk(ext, &[operand], &mut |g, p, done| {
                    g.c.push(I::LocalGet(p[0]));
                    g.c.push(load(ad));
                    scalar::cast(&mut g.c, ad, rd, Cast::Elem);
                    g.c.push(I::LocalSet(x));
                    if rd.is_float() {
                        // The first NaN is the result.
                        g.c.push(I::LocalGet(x));
                        g.c.push(I::LocalGet(x));
                        scalar::compare(&mut g.c, BinaryOp::Ne, rd);
                        g.c.if_(BlockType::Empty);
                        g.c.push(I::LocalGet(x));
                        g.c.push(I::LocalSet(acc));
                        g.c.push(I::I32Const(0));
                        g.c.push(I::LocalSet(first));
                        g.c.br(done);
                        g.c.end();
                    }
                    g.c.push(I::LocalGet(first));
                    g.c.push(I::LocalGet(x));
                    g.c.push(I::LocalGet(acc));
                    scalar::compare(&mut g.c, better, rd);
                    g.c.push(I::I32Or);
                    g.c.if_(BlockType::Empty);
                    g.c.push(I::LocalGet(x));
                    g.c.push(I::LocalSet(acc));
                    g.c.end();
                    g.c.push(I::I32Const(0));
                    g.c.push(I::LocalSet(first));
                    Ok(())
                })?;
                self.c.push(I::LocalGet(first));
                self.c.if_(BlockType::Empty);
                let name = if op == ReduceOp::Min {
                    "minimum"
                } else {
                    "maximum"
                };
                self.raise(
                    span,
                    SiteError::Fixed {
                        kind: RaiseKind::ValueError,
                        message: format!(
                            "zero-size array to reduction operation {name} which has no identity"
                        ),
                    },
                );
                self.c.end();
                self.c.push(I::LocalGet(acc));
                self.c.release(ValType::I32, first);
                self.c.release(t, x);
            }
        }
        self.c.release(t, acc);
        Ok(())
    }

    /// `Mean` of array `a` to the scalar `e`.
    pub(super) fn mean(&mut self, e: ExprId, a: ExprId) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rd = self.scalar_ty(e)?;
        let (src, ext, operand, d) = self.walk_source(a)?;
        let ad = if d.is_float() { d } else { DType::F64 };
        let t = val_type(ad);
        let acc = self.c.temp(t);
        scalar::zero(&mut self.c, ad);
        self.c.push(I::LocalSet(acc));
        self.walk(&ext, &[&operand], &mut |g, p, _| {
            g.c.push(I::LocalGet(acc));
            g.c.push(I::LocalGet(p[0]));
            g.c.push(load(d));
            scalar::cast(&mut g.c, d, ad, Cast::Elem);
            scalar::binary(&mut g.c, BinaryOp::Add, ad, g.helpers)
                .map_err(|n| g.unsupported(span, n))?;
            g.c.push(I::LocalSet(acc));
            Ok(())
        })?;
        // The size, then the quotient in float64 (NaN when it is 0).
        let n = self.c.temp(ValType::I64);
        self.c.push(I::I64Const(1));
        for &x in &ext {
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Mul);
        }
        self.c.push(I::LocalSet(n));
        self.c.push(I::LocalGet(n));
        self.c.push(I::I64Eqz);
        self.c.if_(BlockType::Result(ValType::F64));
        scalar::constant(&mut self.c, Scalar::F64(f64::NAN));
        self.c.else_();
        self.c.push(I::LocalGet(acc));
        scalar::cast(&mut self.c, ad, DType::F64, Cast::Elem);
        self.c.push(I::LocalGet(n));
        self.c.push(I::F64ConvertI64U);
        self.c.push(I::F64Div);
        self.c.end();
        scalar::cast(&mut self.c, DType::F64, rd, Cast::Elem);
        self.c.release(ValType::I64, n);
        self.c.release(t, acc);
        self.release_walk(&src, ext, operand);
        Ok(())
    }
}

impl Gen<'_, '_> {
    /// `ArgMin`/`ArgMax` of array `a`: the flat index of the first extreme in C order, or
    /// of the first NaN; an empty array is NumPy's ValueError.
    pub(super) fn arg_extreme(
        &mut self,
        e: ExprId,
        min: bool,
        a: ExprId,
    ) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        if self.scalar_ty(e)? != DType::I64 {
            return Err(self.unsupported(span, "an index not of int64"));
        }
        let (src, ext, operand, d) = self.walk_source(a)?;
        let t = val_type(d);
        let better = if min { BinaryOp::Lt } else { BinaryOp::Gt };
        let [best, x] = [(); 2].map(|()| self.c.temp(t));
        let [at, i] = [(); 2].map(|()| self.c.temp(ValType::I64));
        let first = self.c.temp(ValType::I32);
        self.c.push(I::I32Const(1));
        self.c.push(I::LocalSet(first));
        for v in [at, i] {
            self.c.push(I::I64Const(0));
            self.c.push(I::LocalSet(v));
        }
        scalar::zero(&mut self.c, d);
        self.c.push(I::LocalSet(best));
        self.walk(&ext, &[&operand], &mut |g, p, done| {
            g.c.push(I::LocalGet(p[0]));
            g.c.push(load(d));
            g.c.push(I::LocalSet(x));
            if d.is_float() {
                g.c.push(I::LocalGet(x));
                g.c.push(I::LocalGet(x));
                scalar::compare(&mut g.c, BinaryOp::Ne, d);
                g.c.if_(BlockType::Empty);
                g.c.push(I::LocalGet(i));
                g.c.push(I::LocalSet(at));
                g.c.push(I::I32Const(0));
                g.c.push(I::LocalSet(first));
                g.c.br(done);
                g.c.end();
            }
            g.c.push(I::LocalGet(first));
            g.c.push(I::LocalGet(x));
            g.c.push(I::LocalGet(best));
            scalar::compare(&mut g.c, better, d);
            g.c.push(I::I32Or);
            g.c.if_(BlockType::Empty);
            g.c.push(I::LocalGet(x));
            g.c.push(I::LocalSet(best));
            g.c.push(I::LocalGet(i));
            g.c.push(I::LocalSet(at));
            g.c.end();
            g.c.push(I::I32Const(0));
            g.c.push(I::LocalSet(first));
            g.c.push(I::LocalGet(i));
            g.c.push(I::I64Const(1));
            g.c.push(I::I64Add);
            g.c.push(I::LocalSet(i));
            Ok(())
        })?;
        self.c.push(I::LocalGet(first));
        self.c.if_(BlockType::Empty);
        let name = if min { "argmin" } else { "argmax" };
        self.raise(
            span,
            SiteError::Fixed {
                kind: RaiseKind::ValueError,
                message: format!("attempt to get {name} of an empty sequence"),
            },
        );
        self.c.end();
        self.c.push(I::LocalGet(at));
        self.c.release(ValType::I32, first);
        for v in [at, i] {
            self.c.release(ValType::I64, v);
        }
        self.c.release(t, best);
        self.c.release(t, x);
        self.release_walk(&src, ext, operand);
        Ok(())
    }

    /// `CumSum`/`CumProd` of array `a`: a new 1-d array of its size, each element the
    /// running sum (product) in the result's dtype from 0 (1), in C order.
    pub(super) fn cumulative(
        &mut self,
        e: ExprId,
        sum: bool,
        a: ExprId,
    ) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let rd = rt.dtype;
        let (bop, init) = if sum {
            (BinaryOp::Add, Scalar::zero(rd))
        } else {
            (BinaryOp::Mul, Scalar::one(rd))
        };
        if rt.ndim != 1 || !binary_in(bop, rd) {
            return Err(self.unsupported(span, format!("a cumulative {} in {rd}", bop.name())));
        }
        let (src, ext, operand, d) = self.walk_source(a)?;
        let n = self.c.temp(ValType::I64);
        self.c.push(I::I64Const(1));
        for &x in &ext {
            self.c.push(I::LocalGet(x));
            self.c.push(I::I64Mul);
        }
        self.c.push(I::LocalSet(n));
        let desc = self.new_array(rd, &[n], true, span)?;
        let t = val_type(rd);
        let acc = self.c.temp(t);
        scalar::constant(&mut self.c, init);
        self.c.push(I::LocalSet(acc));
        let out = self.c.temp(ValType::I32);
        self.c.push(I::LocalGet(desc));
        self.c.push(I::I32Load(memarg(0, 2)));
        self.c.push(I::LocalSet(out));
        self.walk(&ext, &[&operand], &mut |g, p, _| {
            g.c.push(I::LocalGet(acc));
            g.c.push(I::LocalGet(p[0]));
            g.c.push(load(d));
            scalar::cast(&mut g.c, d, rd, Cast::Elem);
            scalar::binary(&mut g.c, bop, rd, g.helpers).map_err(|m| g.unsupported(span, m))?;
            g.c.push(I::LocalSet(acc));
            g.c.push(I::LocalGet(out));
            g.c.push(I::LocalGet(acc));
            g.c.push(store(rd));
            g.c.push(I::LocalGet(out));
            g.c.push(I::I32Const(rd.size() as i32));
            g.c.push(I::I32Add);
            g.c.push(I::LocalSet(out));
            Ok(())
        })?;
        self.c.release(ValType::I32, out);
        self.c.release(t, acc);
        self.c.release(ValType::I64, n);
        self.release_walk(&src, ext, operand);
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }
}

impl Gen<'_, '_> {
    /// `ReduceAxis(op)` of array `a` along the constant `axis`, the array `e`: each
    /// element of the result the reduction along that axis, in order; an axis outside
    /// the array and an empty axis of `min`/`max` are NumPy's ValueErrors.
    pub(super) fn reduce_axis(
        &mut self,
        e: ExprId,
        op: ReduceOp,
        a: ExprId,
        axis: ExprId,
    ) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let at = self.array_ty(a)?;
        let nd = usize::from(at.ndim);
        let Expr::Const(c) = self.f.get(axis) else {
            return Err(self.unsupported(span, "an axis that is not a constant"));
        };
        if !c.dtype().is_int() || usize::from(rt.ndim) + 1 != nd || nd > 4 {
            return Err(self.unsupported(span, format!("the intrinsic ReduceAxis({op:?})")));
        }
        let rd = rt.dtype;
        let bop = match op {
            ReduceOp::Sum => Some(BinaryOp::Add),
            ReduceOp::Prod => Some(BinaryOp::Mul),
            _ => None,
        };
        if bop.is_some_and(|b| !binary_in(b, rd)) {
            return Err(self.unsupported(span, format!("{op:?} in {rd}")));
        }
        let (src, ext, whole, ad) = self.walk_source(a)?;
        let axis_value = c.to_i128();
        let ax = if axis_value < 0 {
            axis_value + nd as i128
        } else {
            axis_value
        };
        let Ok(ax) = usize::try_from(ax) else {
            self.axis_error(axis_value, nd, span, &src, ext, whole);
            return Ok(());
        };
        if ax >= nd {
            self.axis_error(axis_value, nd, span, &src, ext, whole);
            return Ok(());
        }
        if matches!(op, ReduceOp::Min | ReduceOp::Max) {
            self.c.push(I::LocalGet(ext[ax]));
            self.c.push(I::I64Eqz);
            self.c.if_(BlockType::Empty);
            let name = if op == ReduceOp::Min {
                "minimum"
            } else {
                "maximum"
            };
            self.raise(
                span,
                SiteError::Fixed {
                    kind: RaiseKind::ValueError,
                    message: format!(
                        "zero-size array to reduction operation {name} which has no identity"
                    ),
                },
            );
            self.c.end();
        }
        let out: Vec<u32> = ext
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != ax)
            .map(|(_, &t)| t)
            .collect();
        let desc = self.new_array(rd, &out, true, span)?;
        let dst = self.operand(&Source::Memory(desc, rt.ndim), rd, out.len());
        // The array walked along the result's axes, and along the reduced one inside.
        let outer = Operand {
            ptr: whole.ptr,
            strides: whole
                .strides
                .iter()
                .enumerate()
                .filter(|&(k, _)| k != ax)
                .map(|(_, &s)| s)
                .collect(),
        };
        let inner_stride = whole.strides[ax];
        let start = self.c.temp(ValType::I32);
        self.walk(&out, &[&dst, &outer], &mut |g, p, _| {
            g.c.push(I::LocalGet(p[1]));
            g.c.push(I::LocalSet(start));
            let inner = Operand {
                ptr: start,
                strides: vec![inner_stride],
            };
            g.c.push(I::LocalGet(p[0]));
            g.fold(op, rd, ad, &[ext[ax]], &inner, span)?;
            g.c.push(store(rd));
            Ok(())
        })?;
        self.c.release(ValType::I32, start);
        self.release_operand(dst);
        self.release_walk(&src, ext, whole);
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }

    /// Raises NumPy's ValueError for an axis outside an array of `nd` dimensions; what
    /// follows is unreachable but pushes the array the expression stands for.
    fn axis_error(
        &mut self,
        axis: i128,
        nd: usize,
        span: Span,
        src: &Source,
        ext: Vec<u32>,
        whole: Operand,
    ) {
        self.raise(
            span,
            SiteError::Fixed {
                kind: RaiseKind::ValueError,
                message: format!("axis {axis} is out of bounds for array of dimension {nd}"),
            },
        );
        self.c.push(I::I32Const(0));
        self.release_walk(src, ext, whole);
    }
}
