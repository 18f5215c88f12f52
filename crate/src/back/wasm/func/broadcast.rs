//! The element-wise intrinsics with NumPy's broadcasting: `Map2` and `Where` (new arrays
//! of the broadcast shape) and `Assign` (`dst[...] = src`, written through a view). Operands
//! are evaluated in order, the shapes checked at run time, and each operand walked with
//! a byte stride of 0 along the axes where its extent is 1 (the same element, as NumPy
//! broadcasts it) or that it lacks. A failing shape check names every shape, its extents
//! passed in the error globals, so the operands may have four dimensions in all.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::array::{Source, load, memarg, shift_of, store};
use super::simd::{lane_arith, splat};
use super::walk::Operand;
use super::{Gen, binary_in};
use crate::back::wasm::code::{ERROR, ERROR_A, ERROR_B};
use crate::back::wasm::scalar::{self, Cast, val_type};
use crate::back::wasm::{ShapesMessage, SiteError, Unsupported};
use crate::kir::{Expr, ExprId, Intrinsic, RaiseKind};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, promote};

/// What the element loop of a `Map2` needs: the operation, the result's dtype and rank,
/// the dtype it computes in, a constant exponent, and the source span.
#[derive(Clone, Copy)]
struct Map2Plan {
    op: BinaryOp,
    rd: DType,
    nd: usize,
    cd: DType,
    exponent: Option<crate::types::Scalar>,
    span: Span,
}

/// The most extents of all operands together that a shape error can report.
const MAX_EXTENTS: usize = 4;

/// An evaluated operand: a scalar in a temporary, or an array's source and the `i64`
/// temporaries of its extents.
pub(super) enum Arg {
    Scalar(u32, DType),
    Array(Source, Vec<u32>, DType),
}

impl Arg {
    fn dtype(&self) -> DType {
        match self {
            Arg::Scalar(_, d) | Arg::Array(_, _, d) => *d,
        }
    }

    fn ndim(&self) -> usize {
        match self {
            Arg::Scalar(..) => 0,
            Arg::Array(_, ext, _) => ext.len(),
        }
    }
}

/// Whether the value of `e` is an array no other value shares: one an intrinsic has just
/// made.
fn fresh(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Intrinsic(
            Intrinsic::Zeros
                | Intrinsic::Filled
                | Intrinsic::Full
                | Intrinsic::Copy
                | Intrinsic::Astype
                | Intrinsic::Map1(_)
                | Intrinsic::Map2(_),
            _
        )
    )
}

impl Gen<'_, '_> {
    /// Evaluates operand `x`: an array into its source and extents, a scalar into a
    /// temporary.
    pub(super) fn arg(&mut self, x: ExprId) -> Result<Arg, Unsupported> {
        if let Some(at) = self.f.ty(x).array() {
            let src = self.array_source(x)?;
            let ext = (0..src.ndim())
                .map(|k| {
                    let t = self.c.temp(ValType::I64);
                    self.extent(&src, k);
                    self.c.push(I::LocalSet(t));
                    t
                })
                .collect();
            return Ok(Arg::Array(src, ext, at.dtype));
        }
        let d = self.scalar_ty(x)?;
        self.expr(x)?;
        let t = self.c.temp(val_type(d));
        self.c.push(I::LocalSet(t));
        Ok(Arg::Scalar(t, d))
    }

    pub(super) fn release_arg(&mut self, a: Arg) {
        match a {
            Arg::Scalar(t, d) => self.c.release(val_type(d), t),
            Arg::Array(src, ext, _) => {
                for t in ext {
                    self.c.release(ValType::I64, t);
                }
                self.release_source(&src);
            }
        }
    }

    /// Raises the ValueError of `message` naming the shapes of `args`.
    pub(super) fn shapes_error(&mut self, args: &[&Arg], message: ShapesMessage, span: Span) {
        let ndims = args.iter().map(|a| a.ndim() as u8).collect();
        let code = self.site(span, SiteError::Shapes { message, ndims });
        self.c.push(I::I32Const(code as i32));
        self.c.push(I::GlobalSet(ERROR));
        let ext: Vec<u32> = args
            .iter()
            .flat_map(|a| match a {
                Arg::Array(_, ext, _) => ext.clone(),
                Arg::Scalar(..) => Vec::new(),
            })
            .collect();
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
        self.return_zero();
    }

    /// The `i64` temporaries of the broadcast shape of `args` (`nd` axes), computed
    /// axis by axis as NumPy does, raising its ValueError naming every shape.
    fn broadcast_shape(&mut self, args: &[&Arg], nd: usize, span: Span) -> Vec<u32> {
        let out: Vec<u32> = (0..nd).map(|_| self.c.temp(ValType::I64)).collect();
        for &t in &out {
            self.c.push(I::I64Const(1));
            self.c.push(I::LocalSet(t));
        }
        for arg in args {
            let Arg::Array(_, ext, _) = arg else { continue };
            for (k, &n) in ext.iter().enumerate() {
                let o = out[nd - ext.len() + k];
                self.c.push(I::LocalGet(o));
                self.c.push(I::I64Const(1));
                self.c.push(I::I64Eq);
                self.c.if_(BlockType::Empty);
                self.c.push(I::LocalGet(n));
                self.c.push(I::LocalSet(o));
                self.c.else_();
                self.c.push(I::LocalGet(n));
                self.c.push(I::I64Const(1));
                self.c.push(I::I64Ne);
                self.c.push(I::LocalGet(n));
                self.c.push(I::LocalGet(o));
                self.c.push(I::I64Ne);
                self.c.push(I::I32And);
                self.c.if_(BlockType::Empty);
                self.shapes_error(args, ShapesMessage::Broadcast, span);
                self.c.end();
                self.c.end();
            }
        }
        out
    }

    /// `Where(c, x, y)`, the array `e`: each element `x`'s where `c` is truthy, else
    /// `y`'s, cast to the result's dtype from the operand it comes from.
    pub(super) fn where_(&mut self, e: ExprId, args: &[ExprId]) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let rd = rt.dtype;
        let nd = usize::from(rt.ndim);
        let dims: Vec<usize> = args
            .iter()
            .map(|&v| self.f.ty(v).array().map_or(0, |a| usize::from(a.ndim)))
            .collect();
        if args.len() != 3 || dims.iter().copied().max() != Some(nd) {
            return Err(self.ill_typed(span));
        }
        if dims.iter().sum::<usize>() > MAX_EXTENTS {
            return Err(self.unsupported(
                span,
                "element-wise operands of more than 4 dimensions in all",
            ));
        }
        let mut ops = Vec::with_capacity(3);
        for &x in args {
            ops.push(self.arg(x)?);
        }
        let refs: Vec<&Arg> = ops.iter().collect();
        let out = self.broadcast_shape(&refs, nd, span);
        let desc = self.new_array(rd, &out, true, span)?;
        let dst = self.operand(&Source::Memory(desc, rt.ndim), rd, nd);
        let walked_ops: Vec<Option<Operand>> = ops
            .iter()
            .map(|arg| match arg {
                Arg::Array(src, ext, d) => Some(self.broadcast_tail(src, ext, ext.len(), *d, nd)),
                Arg::Scalar(..) => None,
            })
            .collect();
        let mut walked: Vec<&Operand> = vec![&dst];
        walked.extend(walked_ops.iter().flatten());
        let kinds: Vec<(Option<u32>, DType)> = ops
            .iter()
            .map(|arg| match arg {
                Arg::Scalar(t, d) => (Some(*t), *d),
                Arg::Array(_, _, d) => (None, *d),
            })
            .collect();
        self.walk(&out, &walked, &mut |g, p, _| {
            // The element pointers of the array operands, in order, after the result's.
            let mut at = [0u32; 3];
            let mut next = 1;
            for (k, (t, _)) in kinds.iter().enumerate() {
                if t.is_none() {
                    at[k] = p[next];
                    next += 1;
                }
            }
            let value = |g: &mut Self, k: usize| {
                let (t, d) = kinds[k];
                if let Some(t) = t {
                    g.c.push(I::LocalGet(t));
                } else {
                    g.c.push(I::LocalGet(at[k]));
                    g.c.push(load(d));
                }
                d
            };
            g.c.push(I::LocalGet(p[0]));
            let dc = value(g, 0);
            scalar::truth(&mut g.c, dc);
            g.c.if_(BlockType::Result(val_type(rd)));
            let da = value(g, 1);
            scalar::cast(&mut g.c, da, rd, Cast::Elem);
            g.c.else_();
            let db = value(g, 2);
            scalar::cast(&mut g.c, db, rd, Cast::Elem);
            g.c.end();
            g.c.push(store(rd));
            Ok(())
        })?;
        self.release_operand(dst);
        for o in walked_ops.into_iter().flatten() {
            self.release_operand(o);
        }
        for t in out {
            self.c.release(ValType::I64, t);
        }
        for a in ops.into_iter().rev() {
            self.release_arg(a);
        }
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }

    /// `Map2(op)` of `x` and `y`, the expression `e` (an array).
    pub(super) fn map2(
        &mut self,
        e: ExprId,
        op: BinaryOp,
        x: ExprId,
        y: ExprId,
    ) -> Result<(), Unsupported> {
        let plan = self.map2_plan(e, op, x, y)?;
        let a = self.arg(x)?;
        let b = self.arg(y)?;
        let out = self.broadcast_shape(&[&a, &b], plan.nd, plan.span);
        let desc = self.map2_new(&plan, &a, &b, &out)?;
        for t in out {
            self.c.release(ValType::I64, t);
        }
        self.release_arg(b);
        self.release_arg(a);
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }

    /// The checks of `Map2(op)` of `x` and `y` (the array `e`) that need no code, and
    /// what its element loop needs to know.
    fn map2_plan(
        &self,
        e: ExprId,
        op: BinaryOp,
        x: ExprId,
        y: ExprId,
    ) -> Result<Map2Plan, Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let rd = rt.dtype;
        let nd = usize::from(rt.ndim);
        let dims = |g: &Self, v: ExprId| g.f.ty(v).array().map_or(0, |a| usize::from(a.ndim));
        let (nx, ny) = (dims(self, x), dims(self, y));
        if nx.max(ny) != nd {
            return Err(self.ill_typed(span));
        }
        if nx + ny > MAX_EXTENTS {
            return Err(self.unsupported(
                span,
                "element-wise operands of more than 4 dimensions in all",
            ));
        }
        let exponent = match self.f.get(y) {
            Expr::Const(k) => Some(*k),
            _ => None,
        };
        let (dx, dy) = (self.dtype_of(x)?, self.dtype_of(y)?);
        let cd = if op.is_comparison() {
            promote(dx, dy)
        } else {
            rd
        };
        if !binary_in(op, cd) || (op.is_comparison() && rd != DType::Bool) {
            return Err(self.unsupported(span, format!("{} on {cd}", op.name())));
        }
        Ok(Map2Plan {
            op,
            rd,
            nd,
            cd,
            exponent,
            span,
        })
    }

    /// A new array of the broadcast shape `out` holding `plan`'s operation on the
    /// evaluated operands `a` and `b`: the `i32` temporary of its descriptor.
    fn map2_new(
        &mut self,
        plan: &Map2Plan,
        a: &Arg,
        b: &Arg,
        out: &[u32],
    ) -> Result<u32, Unsupported> {
        let desc = self.new_array(plan.rd, out, true, plan.span)?;
        let dst = self.operand(&Source::Memory(desc, plan.nd as u8), plan.rd, plan.nd);
        self.map2_walk(plan, a, b, out, &dst, plan.rd)?;
        self.release_operand(dst);
        Ok(desc)
    }

    /// Walks `plan`'s operation on `a` and `b` over the extents `out` (the broadcast
    /// shape), storing each element, cast to `dd`, through `dst`.
    fn map2_walk(
        &mut self,
        plan: &Map2Plan,
        a: &Arg,
        b: &Arg,
        out: &[u32],
        dst: &Operand,
        dd: DType,
    ) -> Result<(), Unsupported> {
        let Map2Plan {
            op,
            rd,
            nd,
            cd,
            exponent,
            span,
        } = *plan;
        let ops: Vec<Option<Operand>> = [a, b]
            .iter()
            .map(|arg| match arg {
                Arg::Array(src, ext, d) => Some(self.broadcast_tail(src, ext, ext.len(), *d, nd)),
                Arg::Scalar(..) => None,
            })
            .collect();
        let mut walked: Vec<&Operand> = vec![dst];
        walked.extend(ops.iter().flatten());
        let (ta, tb) = (a.dtype(), b.dtype());
        let scalars = [a, b].map(|arg| match arg {
            Arg::Scalar(t, _) => Some(*t),
            Arg::Array(..) => None,
        });
        let int_pow = op == BinaryOp::Pow && cd.is_int();
        let mut scalar_body = |g: &mut Self, p: &[u32], _| {
            g.c.push(I::LocalGet(p[0]));
            let mut next = 1;
            let mut value = |g: &mut Self, k: usize, d: DType| {
                if let Some(t) = scalars[k] {
                    g.c.push(I::LocalGet(t));
                } else {
                    g.c.push(I::LocalGet(p[next]));
                    g.c.push(load(d));
                    next += 1;
                }
                scalar::cast(&mut g.c, d, cd, Cast::Elem);
            };
            value(g, 0, ta);
            value(g, 1, tb);
            if int_pow && cd.is_signed_int() {
                // NumPy refuses a negative integer exponent.
                let t = g.c.temp(val_type(cd));
                g.c.push(I::LocalTee(t));
                scalar::zero(&mut g.c, cd);
                scalar::compare(&mut g.c, BinaryOp::Lt, cd);
                g.c.if_(BlockType::Empty);
                g.raise(
                    span,
                    SiteError::Fixed {
                        kind: RaiseKind::ValueError,
                        message: "Integers to negative integer powers are not allowed.".to_owned(),
                    },
                );
                g.c.end();
                g.c.push(I::LocalGet(t));
                g.c.release(val_type(cd), t);
            }
            if op == BinaryOp::Pow && cd.is_float() && exponent.is_some() {
                scalar::pow_const(&mut g.c, cd, exponent, g.helpers)
            } else {
                scalar::binary(&mut g.c, op, cd, g.helpers)
            }
            .map_err(|n| g.unsupported(span, format!("{n} on {cd}")))?;
            scalar::cast(&mut g.c, rd, dd, Cast::Elem);
            g.c.push(store(dd));
            Ok(())
        };
        // simd128 lanes where they are the scalar operation lane by lane: float `+ - * /`
        // with no cast.
        let lane_op = lane_arith(op, cd)
            .filter(|_| ta == cd && tb == cd && rd == cd && dd == cd && !out.is_empty());
        if let Some(lane_op) = lane_op {
            let splat = splat(cd);
            let align = shift_of(cd);
            let mut vector = |g: &mut Self, p: &[u32], _| {
                g.c.push(I::LocalGet(p[0]));
                let mut next = 1;
                for t in scalars {
                    if let Some(t) = t {
                        g.c.push(I::LocalGet(t));
                        g.c.push(splat.clone());
                    } else {
                        g.c.push(I::LocalGet(p[next]));
                        g.c.push(I::V128Load(memarg(0, align)));
                        next += 1;
                    }
                }
                g.c.push(lane_op.clone());
                g.c.push(I::V128Store(memarg(0, align)));
                Ok(())
            };
            let size = cd.size() as i32;
            self.walk_lanes(
                out,
                &walked,
                (size, i64::from(16 / size)),
                &mut scalar_body,
                &mut vector,
            )?;
        } else {
            self.walk(out, &walked, &mut scalar_body)?;
        }
        for o in ops.into_iter().flatten() {
            self.release_operand(o);
        }
        Ok(())
    }

    /// The dtype of a scalar or of an array's elements.
    fn dtype_of(&self, x: ExprId) -> Result<DType, Unsupported> {
        match self.f.ty(x).array() {
            Some(a) => Ok(a.dtype),
            None => self.scalar_ty(x),
        }
    }

    /// `Assign`: `dst[...] = src`, `src` broadcast to `dst`'s extents (its leading extents
    /// of 1 dropped) and cast to its dtype. An array `src` that may share memory with
    /// `dst` is read whole before `dst` is written, as the executor does: where a check
    /// at run time finds their bytes disjoint, or `src` the very elements of `dst`, it is
    /// written straight through; otherwise through a copy. A `src` that is an
    /// element-wise operation (`ret[i, :] = x[i, :] / norm`) is computed straight into
    /// `dst` under the same check, with no temporary array.
    pub(super) fn assign(
        &mut self,
        e: ExprId,
        dst: ExprId,
        src: ExprId,
    ) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let dt = self.array_ty(dst)?;
        let dd = dt.dtype;
        let nd = usize::from(dt.ndim);
        let ns = self.f.ty(src).array().map_or(0, |a| usize::from(a.ndim));
        if nd + ns > MAX_EXTENTS {
            return Err(self.unsupported(span, "an assignment of more than 4 dimensions in all"));
        }
        let to = self.arg(dst)?;
        let Arg::Array(dsrc, dext, _) = &to else {
            return Err(self.ill_typed(span));
        };
        if let Expr::Intrinsic(Intrinsic::Map2(op), args) = self.f.get(src)
            && let [x, y] = args[..]
            && ns == nd
        {
            let plan = self.map2_plan(src, *op, x, y)?;
            let a = self.arg(x)?;
            let b = self.arg(y)?;
            let out = self.broadcast_shape(&[&a, &b], plan.nd, plan.span);
            // Straight into `dst` when the shapes agree and no operand overlaps it.
            for (&o, &d) in out.iter().zip(dext) {
                self.c.push(I::LocalGet(o));
                self.c.push(I::LocalGet(d));
                self.c.push(I::I64Eq);
            }
            self.c.push(I::I32Const(1));
            for _ in 0..nd {
                self.c.push(I::I32And);
            }
            for arg in [&a, &b] {
                if let Arg::Array(s, sext, d) = arg {
                    self.apart((s, sext, *d), (dsrc, dext, dd));
                    self.c.push(I::I32And);
                }
            }
            self.c.if_(BlockType::Empty);
            let target = self.operand(dsrc, dd, nd);
            self.map2_walk(&plan, &a, &b, dext, &target, dd)?;
            self.release_operand(target);
            self.c.else_();
            let desc = self.map2_new(&plan, &a, &b, &out)?;
            let from = Arg::Array(Source::Memory(desc, nd as u8), out, plan.rd);
            self.assign_from(span, &to, &from, false)?;
            self.c.end();
            self.release_arg(from);
            self.release_arg(b);
            self.release_arg(a);
            self.release_arg(to);
            return Ok(());
        }
        let from = self.arg(src)?;
        match &from {
            Arg::Array(s, sext, d) if !fresh(self.f.get(src)) => {
                self.apart((s, sext, *d), (dsrc, dext, dd));
                self.c.if_(BlockType::Empty);
                self.assign_from(span, &to, &from, false)?;
                self.c.else_();
                self.assign_from(span, &to, &from, true)?;
                self.c.end();
            }
            _ => self.assign_from(span, &to, &from, false)?,
        }
        self.release_arg(from);
        self.release_arg(to);
        Ok(())
    }

    /// Pushes, as an `i32`, whether writing array `b` while reading array `a` (each its
    /// source, `i64` extents and dtype) cannot change what is read: their bytes are
    /// disjoint, or `a` is `b`'s very elements (the same address, extents and strides),
    /// so each element is read before it is written.
    fn apart(&mut self, a: (&Source, &[u32], DType), b: (&Source, &[u32], DType)) {
        let (lo_a, hi_a) = self.byte_span(a.0, a.1, a.2);
        let (lo_b, hi_b) = self.byte_span(b.0, b.1, b.2);
        self.c.push(I::LocalGet(hi_a));
        self.c.push(I::LocalGet(lo_b));
        self.c.push(I::I64LeS);
        self.c.push(I::LocalGet(hi_b));
        self.c.push(I::LocalGet(lo_a));
        self.c.push(I::I64LeS);
        self.c.push(I::I32Or);
        for t in [lo_a, hi_a, lo_b, hi_b] {
            self.c.release(ValType::I64, t);
        }
        if a.1.len() == b.1.len() && a.2.size() == b.2.size() {
            self.data(a.0);
            self.data(b.0);
            self.c.push(I::I32Eq);
            for k in 0..a.1.len() {
                self.c.push(I::LocalGet(a.1[k]));
                self.c.push(I::LocalGet(b.1[k]));
                self.c.push(I::I64Eq);
                self.stride(a.0, k);
                self.stride(b.0, k);
                self.c.push(I::I32Eq);
                self.c.push(I::I32And);
                self.c.push(I::I32And);
            }
            self.c.push(I::I32Or);
        }
    }

    /// The `i64` temporaries of the lowest byte address of an array's elements and the
    /// one past its highest (strides may be negative; an empty array's span is never
    /// read, and may be anything).
    fn byte_span(&mut self, src: &Source, ext: &[u32], d: DType) -> (u32, u32) {
        let lo = self.c.temp(ValType::I64);
        let hi = self.c.temp(ValType::I64);
        let t = self.c.temp(ValType::I64);
        self.data(src);
        self.c.push(I::I64ExtendI32U);
        self.c.push(I::LocalTee(lo));
        self.c.push(I::I64Const(d.size() as i64));
        self.c.push(I::I64Add);
        self.c.push(I::LocalSet(hi));
        for (k, &n) in ext.iter().enumerate() {
            // (n - 1) * stride * size: the reach of axis k from the first element.
            self.c.push(I::LocalGet(n));
            self.c.push(I::I64Const(1));
            self.c.push(I::I64Sub);
            self.stride(src, k);
            self.c.push(I::I64ExtendI32S);
            self.c.push(I::I64Mul);
            self.c.push(I::I64Const(d.size() as i64));
            self.c.push(I::I64Mul);
            self.c.push(I::LocalSet(t));
            for (acc, negative) in [(lo, true), (hi, false)] {
                self.c.push(I::LocalGet(acc));
                self.c.push(I::LocalGet(t));
                self.c.push(I::I64Const(0));
                self.c.push(I::LocalGet(t));
                self.c.push(I::I64Const(0));
                self.c.push(if negative { I::I64LtS } else { I::I64GtS });
                self.c.push(I::Select);
                self.c.push(I::I64Add);
                self.c.push(I::LocalSet(acc));
            }
        }
        self.c.release(ValType::I64, t);
        (lo, hi)
    }

    /// The walk of `Assign` once both sides are evaluated: checks `from`'s shape against
    /// `to`'s and writes it, cast, into `to` (through a copy of it with `copy`).
    fn assign_from(
        &mut self,
        span: Span,
        to: &Arg,
        from: &Arg,
        copy: bool,
    ) -> Result<(), Unsupported> {
        let Arg::Array(dsrc, dext, dd) = to else {
            return Err(self.ill_typed(span));
        };
        let dd = *dd;
        let nd = dext.len();
        let ns = from.ndim();
        // The source's extents past the destination's rank must be 1; the others must be
        // 1 or the destination's.
        if let Arg::Array(_, sext, _) = from {
            let lead = ns.saturating_sub(nd);
            for (k, &n) in sext.iter().enumerate() {
                self.c.push(I::LocalGet(n));
                self.c.push(I::I64Const(1));
                self.c.push(I::I64Ne);
                if k >= lead {
                    let d = dext[nd - (ns - k)];
                    self.c.push(I::LocalGet(n));
                    self.c.push(I::LocalGet(d));
                    self.c.push(I::I64Ne);
                    self.c.push(I::I32And);
                }
                self.c.if_(BlockType::Empty);
                self.shapes_error(&[from, to], ShapesMessage::Assign, span);
                self.c.end();
            }
        }
        let target = self.operand(dsrc, dd, nd);
        let sd = from.dtype();
        // The source as walked: a copy of it when it may overlap the destination.
        let copied = match from {
            Arg::Array(s, sext, d) if copy => {
                let desc = self.new_array(*d, sext, true, span)?;
                let whole = Source::Memory(desc, ns as u8);
                let c_dst = self.operand(&whole, *d, ns);
                let c_src = self.operand(s, *d, ns);
                self.walk(sext, &[&c_dst, &c_src], &mut |g, p, _| {
                    g.c.push(I::LocalGet(p[0]));
                    g.c.push(I::LocalGet(p[1]));
                    g.c.push(load(*d));
                    g.c.push(store(*d));
                    Ok(())
                })?;
                self.release_operand(c_dst);
                self.release_operand(c_src);
                Some(desc)
            }
            _ => None,
        };
        let operand = match (from, copied) {
            (Arg::Array(_, sext, d), Some(desc)) => {
                let sext = sext[ns.saturating_sub(nd)..].to_vec();
                let s = Source::Memory(desc, ns as u8);
                Some(self.broadcast_tail(&s, &sext, ns, *d, nd))
            }
            (Arg::Array(s, sext, d), None) => {
                let sext = sext[ns.saturating_sub(nd)..].to_vec();
                Some(self.broadcast_tail(s, &sext, ns, *d, nd))
            }
            (Arg::Scalar(..), _) => None,
        };
        let value = match from {
            Arg::Scalar(t, _) => Some(*t),
            Arg::Array(..) => None,
        };
        let mut walked = vec![&target];
        walked.extend(operand.iter());
        self.walk(dext, &walked, &mut |g, p, _| {
            g.c.push(I::LocalGet(p[0]));
            if let Some(t) = value {
                g.c.push(I::LocalGet(t));
            } else {
                g.c.push(I::LocalGet(p[1]));
                g.c.push(load(sd));
            }
            scalar::cast(&mut g.c, sd, dd, Cast::Elem);
            g.c.push(store(dd));
            Ok(())
        })?;
        self.release_operand(target);
        if let Some(o) = operand {
            self.release_operand(o);
        }
        if let Some(desc) = copied {
            self.c.release(ValType::I32, desc);
        }
        Ok(())
    }

    /// An operand walked along `nd` axes: the last `ext.len()` axes of an array of `ns`
    /// axes (its leading ones, of extent 1, dropped) as the last of the walk, each with
    /// a byte stride of 0 where its extent is 1.
    fn broadcast_tail(
        &mut self,
        src: &Source,
        ext: &[u32],
        ns: usize,
        d: DType,
        nd: usize,
    ) -> Operand {
        let lead = ns - ext.len();
        let ptr = self.c.temp(ValType::I32);
        self.data(src);
        self.c.push(I::LocalSet(ptr));
        let mut strides = vec![None; nd - ext.len()];
        for (k, &n) in ext.iter().enumerate() {
            let t = self.c.temp(ValType::I32);
            self.stride(src, lead + k);
            let s = shift_of(d);
            if s > 0 {
                self.c.push(I::I32Const(s as i32));
                self.c.push(I::I32Shl);
            }
            self.c.push(I::I32Const(0));
            self.c.push(I::LocalGet(n));
            self.c.push(I::I64Const(1));
            self.c.push(I::I64Ne);
            self.c.push(I::Select);
            self.c.push(I::LocalSet(t));
            strides.push(Some(t));
        }
        Operand { ptr, strides }
    }
}
