//! `np.array` of lists and tuples (`FromList`) and of rows (`Stack`): new C-contiguous
//! arrays whose elements are the items, cast to the result's dtype, in order. A list is
//! the `i32` address of its header (elements' address, length, capacity); a tuple of
//! scalars arrives as its items' wasm values.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::Gen;
use super::array::{load, memarg, store};
use super::broadcast::Arg;
use crate::back::wasm::scalar::{self, Cast, val_type};
use crate::back::wasm::{SiteError, Unsupported};
use crate::kir::{ExprId, RaiseKind, Ty};
use crate::types::DType;

impl Gen<'_, '_> {
    /// `FromList` of the list or tuple `l`, the 1-d array `e`.
    pub(super) fn array_of_list(&mut self, e: ExprId, l: ExprId) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let rd = rt.dtype;
        if rt.ndim != 1 {
            return Err(self.ill_typed(span));
        }
        match self.f.ty(l).clone() {
            Ty::List(d) => {
                self.expr(l)?;
                let head = self.c.temp(ValType::I32);
                self.c.push(I::LocalSet(head));
                let n = self.c.temp(ValType::I64);
                self.c.push(I::LocalGet(head));
                self.c.push(I::I32Load(memarg(4, 2)));
                self.c.push(I::I64ExtendI32U);
                self.c.push(I::LocalSet(n));
                let desc = self.new_array(rd, &[n], true, span)?;
                let [src, dst, end] = [(); 3].map(|()| self.c.temp(ValType::I32));
                self.c.push(I::LocalGet(head));
                self.c.push(I::I32Load(memarg(0, 2)));
                self.c.push(I::LocalSet(src));
                self.c.push(I::LocalGet(desc));
                self.c.push(I::I32Load(memarg(0, 2)));
                self.c.push(I::LocalTee(dst));
                self.c.push(I::LocalGet(n));
                self.c.push(I::I32WrapI64);
                self.c.push(I::I32Const(rd.size() as i32));
                self.c.push(I::I32Mul);
                self.c.push(I::I32Add);
                self.c.push(I::LocalSet(end));
                let exit = self.c.block(BlockType::Empty);
                let top = self.c.loop_(BlockType::Empty);
                self.c.push(I::LocalGet(dst));
                self.c.push(I::LocalGet(end));
                self.c.push(I::I32GeU);
                self.c.br_if(exit);
                self.c.push(I::LocalGet(dst));
                self.c.push(I::LocalGet(src));
                self.c.push(load(d));
                scalar::cast(&mut self.c, d, rd, Cast::Elem);
                self.c.push(store(rd));
                for (p, step) in [(src, d.size()), (dst, rd.size())] {
                    self.c.push(I::LocalGet(p));
                    self.c.push(I::I32Const(step as i32));
                    self.c.push(I::I32Add);
                    self.c.push(I::LocalSet(p));
                }
                self.c.br(top);
                self.c.end();
                self.c.end();
                for t in [src, dst, end, head] {
                    self.c.release(ValType::I32, t);
                }
                self.c.release(ValType::I64, n);
                self.c.push(I::LocalGet(desc));
                self.c.release(ValType::I32, desc);
                Ok(())
            }
            Ty::Tuple(items) => {
                let dtypes: Vec<DType> = items.iter().filter_map(Ty::scalar).collect();
                if dtypes.len() != items.len() {
                    return Err(self.unsupported(span, "np.array of a nested tuple"));
                }
                // The items' values, the last on top of the stack, into temporaries.
                self.expr(l)?;
                let mut values: Vec<(u32, DType)> = dtypes
                    .iter()
                    .rev()
                    .map(|&d| {
                        let t = self.c.temp(val_type(d));
                        self.c.push(I::LocalSet(t));
                        (t, d)
                    })
                    .collect();
                values.reverse();
                let n = self.c.temp(ValType::I64);
                self.c.push(I::I64Const(values.len() as i64));
                self.c.push(I::LocalSet(n));
                let desc = self.new_array(rd, &[n], true, span)?;
                let dst = self.c.temp(ValType::I32);
                self.c.push(I::LocalGet(desc));
                self.c.push(I::I32Load(memarg(0, 2)));
                self.c.push(I::LocalSet(dst));
                for (k, &(t, d)) in values.iter().enumerate() {
                    self.c.push(I::LocalGet(dst));
                    self.c.push(I::LocalGet(t));
                    scalar::cast(&mut self.c, d, rd, Cast::Elem);
                    self.c.push(store(rd));
                    if k + 1 < values.len() {
                        self.c.push(I::LocalGet(dst));
                        self.c.push(I::I32Const(rd.size() as i32));
                        self.c.push(I::I32Add);
                        self.c.push(I::LocalSet(dst));
                    }
                }
                for (t, d) in values {
                    self.c.release(val_type(d), t);
                }
                self.c.release(ValType::I32, dst);
                self.c.release(ValType::I64, n);
                self.c.push(I::LocalGet(desc));
                self.c.release(ValType::I32, desc);
                Ok(())
            }
            _ => Err(self.unsupported(span, "np.array of this operand")),
        }
    }

    /// `Stack` of the rows `rows` (arrays of one rank, or scalars), the array `e`: every
    /// row evaluated in order, their shapes compared, then the rows copied one after
    /// the other.
    pub(super) fn stack(&mut self, e: ExprId, rows: &[ExprId]) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let rt = self.array_ty(e)?;
        let rd = rt.dtype;
        let nd = usize::from(rt.ndim).saturating_sub(1);
        if rt.ndim == 0 {
            return Err(self.ill_typed(span));
        }
        for &r in rows {
            let rank = self.f.ty(r).array().map_or(0, |a| usize::from(a.ndim));
            if rank != nd || matches!(self.f.ty(r), Ty::List(_) | Ty::Tuple(_)) {
                return Err(self.unsupported(self.f.span(r), "np.array of rows of this type"));
            }
        }
        let args: Vec<Arg> = rows
            .iter()
            .map(|&r| self.arg(r))
            .collect::<Result<_, _>>()?;
        let message = format!(
            "setting an array element with a sequence. The requested array has an \
             inhomogeneous shape after 1 dimensions. The detected shape was ({},) + \
             inhomogeneous part.",
            rows.len()
        );
        // Every row's extents are the first's.
        if let Some(Arg::Array(_, first, _)) = args.first() {
            let first = first.clone();
            for a in &args[1..] {
                let Arg::Array(_, ext, _) = a else { continue };
                for (&x, &y) in ext.iter().zip(&first) {
                    self.c.push(I::LocalGet(x));
                    self.c.push(I::LocalGet(y));
                    self.c.push(I::I64Ne);
                    self.c.if_(BlockType::Empty);
                    self.raise(
                        span,
                        SiteError::Fixed {
                            kind: RaiseKind::ValueError,
                            message: message.clone(),
                        },
                    );
                    self.c.end();
                }
            }
        }
        let mut ext = vec![self.c.temp(ValType::I64)];
        self.c.push(I::I64Const(rows.len() as i64));
        self.c.push(I::LocalSet(ext[0]));
        match args.first() {
            Some(Arg::Array(_, first, _)) => ext.extend(first.iter().copied()),
            _ => {
                for _ in 0..nd {
                    let t = self.c.temp(ValType::I64);
                    self.c.push(I::I64Const(0));
                    self.c.push(I::LocalSet(t));
                    ext.push(t);
                }
            }
        }
        let desc = self.new_array(rd, &ext, true, span)?;
        let dst = self.c.temp(ValType::I32);
        self.c.push(I::LocalGet(desc));
        self.c.push(I::I32Load(memarg(0, 2)));
        self.c.push(I::LocalSet(dst));
        for a in &args {
            match a {
                Arg::Scalar(t, d) => {
                    self.c.push(I::LocalGet(dst));
                    self.c.push(I::LocalGet(*t));
                    scalar::cast(&mut self.c, *d, rd, Cast::Elem);
                    self.c.push(store(rd));
                    self.advance(dst, rd);
                }
                Arg::Array(src, row, d) => {
                    let d = *d;
                    let operand = self.operand(src, d, row.len());
                    self.walk(row, &[&operand], &mut |g, p, _| {
                        g.c.push(I::LocalGet(dst));
                        g.c.push(I::LocalGet(p[0]));
                        g.c.push(load(d));
                        scalar::cast(&mut g.c, d, rd, Cast::Elem);
                        g.c.push(store(rd));
                        g.advance(dst, rd);
                        Ok(())
                    })?;
                    self.release_operand(operand);
                }
            }
        }
        self.c.release(ValType::I32, dst);
        self.c.release(ValType::I64, ext[0]);
        if !matches!(args.first(), Some(Arg::Array(..))) {
            for &t in &ext[1..] {
                self.c.release(ValType::I64, t);
            }
        }
        for a in args.into_iter().rev() {
            self.release_arg(a);
        }
        self.c.push(I::LocalGet(desc));
        self.c.release(ValType::I32, desc);
        Ok(())
    }

    /// Moves the pointer in `p` past one element of `d`.
    fn advance(&mut self, p: u32, d: DType) {
        self.c.push(I::LocalGet(p));
        self.c.push(I::I32Const(d.size() as i32));
        self.c.push(I::I32Add);
        self.c.push(I::LocalSet(p));
    }
}
