//! `np.dot` of vectors and matrices in the executor's order: each product and sum in the
//! result's dtype, every sum sequential from 0. The result's elements are walked in C
//! order (none of its axes for vector·vector, a scalar), with a pointer along a row of
//! the first operand and one down a column of the second; the inner loop runs along both.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::Gen;
use super::array::{Source, load, shift_of, store};
use super::broadcast::Arg;
use super::walk::Operand;
use crate::back::wasm::scalar::{self, Cast, val_type};
use crate::back::wasm::{ShapesMessage, Unsupported};
use crate::kir::ExprId;
use crate::types::{BinaryOp, DType};

/// The fewest columns for which a vector times a matrix runs as one pass in row order:
/// measured on logistic regression's gradient (Chromium, 1 thread), 1e5 x 10 took 48 ms
/// that way against 92 ms column by column, 1e6 x 4 604 ms against 473.
const ONE_PASS_COLUMNS: i64 = 8;

impl Gen<'_, '_> {
    /// The stride of `src`'s `axis` in bytes of `d`, in a new `i32` temporary.
    fn byte_stride(&mut self, src: &Source, axis: usize, d: DType) -> u32 {
        let t = self.c.temp(ValType::I32);
        self.stride(src, axis);
        let s = shift_of(d);
        if s > 0 {
            self.c.push(I::I32Const(s as i32));
            self.c.push(I::I32Shl);
        }
        self.c.push(I::LocalSet(t));
        t
    }

    /// A vector `x` (`k`) times a matrix `y` (`k` x `p`) into the zeroed result of
    /// descriptor `d`, in one pass over `y` in row order: for each `k`, every result
    /// element `j` gets `x[k] * y[k, j]` added. Each element still sums its terms in
    /// order from +0, so its bits are the column-by-column loop's; the matrix is read once
    /// along its rows instead of once per column down them.
    fn vector_matrix(
        &mut self,
        d: u32,
        rd: DType,
        [(sa, da), (sb, db)]: [(&Source, DType); 2],
        k: u32,
        p: u32,
        span: crate::syntax::Span,
    ) -> Result<(), Unsupported> {
        let [px, prow, py, po, out] = [(); 5].map(|()| self.c.temp(ValType::I32));
        let [i, j] = [(); 2].map(|()| self.c.temp(ValType::I64));
        let xk = self.byte_stride(sa, 0, da);
        let yr = self.byte_stride(sb, 0, db);
        let yc = self.byte_stride(sb, 1, db);
        let t = val_type(rd);
        let xv = self.c.temp(t);
        self.data(sa);
        self.c.push(I::LocalSet(px));
        self.data(sb);
        self.c.push(I::LocalSet(prow));
        self.c.push(I::LocalGet(d));
        self.c.push(I::I32Load(super::array::memarg(0, 2)));
        self.c.push(I::LocalSet(out));
        let size = rd.size() as i32;
        // for i in 0..k
        self.c.push(I::I64Const(0));
        self.c.push(I::LocalSet(i));
        let exit = self.c.block(BlockType::Empty);
        let head = self.c.loop_(BlockType::Empty);
        self.c.push(I::LocalGet(i));
        self.c.push(I::LocalGet(k));
        self.c.push(I::I64GeU);
        self.c.br_if(exit);
        self.c.push(I::LocalGet(px));
        self.c.push(load(da));
        scalar::cast(&mut self.c, da, rd, Cast::Elem);
        self.c.push(I::LocalSet(xv));
        self.c.push(I::LocalGet(prow));
        self.c.push(I::LocalSet(py));
        self.c.push(I::LocalGet(out));
        self.c.push(I::LocalSet(po));
        // for j in 0..p: out[j] = out[j] + x[i] * y[i, j]
        self.c.push(I::I64Const(0));
        self.c.push(I::LocalSet(j));
        let inner_exit = self.c.block(BlockType::Empty);
        let inner = self.c.loop_(BlockType::Empty);
        self.c.push(I::LocalGet(j));
        self.c.push(I::LocalGet(p));
        self.c.push(I::I64GeU);
        self.c.br_if(inner_exit);
        self.c.push(I::LocalGet(po));
        self.c.push(I::LocalGet(po));
        self.c.push(load(rd));
        self.c.push(I::LocalGet(xv));
        self.c.push(I::LocalGet(py));
        self.c.push(load(db));
        scalar::cast(&mut self.c, db, rd, Cast::Elem);
        scalar::binary(&mut self.c, BinaryOp::Mul, rd, self.helpers)
            .map_err(|n| self.unsupported(span, n))?;
        scalar::binary(&mut self.c, BinaryOp::Add, rd, self.helpers)
            .map_err(|n| self.unsupported(span, n))?;
        self.c.push(store(rd));
        for (ptr, step) in [(py, None), (po, Some(size))] {
            self.c.push(I::LocalGet(ptr));
            match step {
                Some(s) => self.c.push(I::I32Const(s)),
                None => self.c.push(I::LocalGet(yc)),
            }
            self.c.push(I::I32Add);
            self.c.push(I::LocalSet(ptr));
        }
        self.c.push(I::LocalGet(j));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Add);
        self.c.push(I::LocalSet(j));
        self.c.br(inner);
        self.c.end();
        self.c.end();
        for (ptr, step) in [(px, xk), (prow, yr)] {
            self.c.push(I::LocalGet(ptr));
            self.c.push(I::LocalGet(step));
            self.c.push(I::I32Add);
            self.c.push(I::LocalSet(ptr));
        }
        self.c.push(I::LocalGet(i));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Add);
        self.c.push(I::LocalSet(i));
        self.c.br(head);
        self.c.end();
        self.c.end();
        self.c.release(t, xv);
        for x in [xk, yr, yc, px, prow, py, po, out] {
            self.c.release(ValType::I32, x);
        }
        for x in [i, j] {
            self.c.release(ValType::I64, x);
        }
        Ok(())
    }

    /// `Dot` of the arrays `x` and `y`, the expression `e`.
    pub(super) fn dot(&mut self, e: ExprId, x: ExprId, y: ExprId) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let (xt, yt) = (self.array_ty(x)?, self.array_ty(y)?);
        let (nx, ny) = (usize::from(xt.ndim), usize::from(yt.ndim));
        if !(1..=2).contains(&nx) || !(1..=2).contains(&ny) {
            return Err(self.ill_typed(span));
        }
        let nd = (nx - 1) + (ny - 1);
        let rd = match self.f.ty(e).array() {
            Some(r) if usize::from(r.ndim) == nd => r.dtype,
            None if nd == 0 => self.scalar_ty(e)?,
            _ => return Err(self.ill_typed(span)),
        };
        if !super::binary_in(BinaryOp::Add, rd) || !super::binary_in(BinaryOp::Mul, rd) {
            return Err(self.unsupported(span, format!("np.dot in {rd}")));
        }
        let a = self.arg(x)?;
        let b = self.arg(y)?;
        let (Arg::Array(sa, ea, da), Arg::Array(sb, eb, db)) = (&a, &b) else {
            return Err(self.ill_typed(span));
        };
        let (da, db) = (*da, *db);
        let (ka, kb) = (ea[nx - 1], eb[0]);
        self.c.push(I::LocalGet(ka));
        self.c.push(I::LocalGet(kb));
        self.c.push(I::I64Ne);
        self.c.if_(BlockType::Empty);
        self.shapes_error(&[&a, &b], ShapesMessage::Dot, span);
        self.c.end();
        // The result's extents: the rows of a matrix `x`, the columns of a matrix `y`.
        let mut out = Vec::new();
        if nx == 2 {
            out.push(ea[0]);
        }
        if ny == 2 {
            out.push(eb[1]);
        }
        let desc = if nd > 0 {
            Some(self.new_array(rd, &out, true, span)?)
        } else {
            None
        };
        // A vector times a matrix of 8 columns or more: one pass over the matrix in row
        // order (below, the column-by-column loop reads it once per column, down it,
        // which a narrow matrix pays less for than the pass's per-row loop).
        let one_pass = nx == 1 && ny == 2;
        if one_pass {
            let d = desc.expect("a vector result");
            self.c.push(I::LocalGet(eb[1]));
            self.c.push(I::I64Const(ONE_PASS_COLUMNS));
            self.c.push(I::I64GeU);
            self.c.if_(BlockType::Empty);
            self.vector_matrix(d, rd, [(sa, da), (sb, db)], ka, eb[1], span)?;
            self.c.else_();
        }
        // Walked along the result: `x` by rows (stride 0 down the columns), `y` by
        // columns; along the inner axis `x` steps by its last stride, `y` by its first.
        let pa = self.c.temp(ValType::I32);
        self.data(sa);
        self.c.push(I::LocalSet(pa));
        let pb = self.c.temp(ValType::I32);
        self.data(sb);
        self.c.push(I::LocalSet(pb));
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        if nx == 2 {
            xs.push(Some(self.byte_stride(sa, 0, da)));
            ys.push(None);
        }
        if ny == 2 {
            xs.push(None);
            ys.push(Some(self.byte_stride(sb, 1, db)));
        }
        let xk = self.byte_stride(sa, nx - 1, da);
        let yk = self.byte_stride(sb, 0, db);
        let xo = Operand {
            ptr: pa,
            strides: xs,
        };
        let yo = Operand {
            ptr: pb,
            strides: ys,
        };
        let dst = desc.map(|d| self.operand(&Source::Memory(d, nd as u8), rd, nd));
        let t = val_type(rd);
        let acc = self.c.temp(t);
        let [i, px, py] = [ValType::I64, ValType::I32, ValType::I32].map(|v| self.c.temp(v));
        let mut walked = vec![&xo, &yo];
        walked.extend(dst.iter());
        self.walk(&out, &walked, &mut |g, p, _| {
            scalar::zero(&mut g.c, rd);
            g.c.push(I::LocalSet(acc));
            g.c.push(I::LocalGet(p[0]));
            g.c.push(I::LocalSet(px));
            g.c.push(I::LocalGet(p[1]));
            g.c.push(I::LocalSet(py));
            g.c.push(I::I64Const(0));
            g.c.push(I::LocalSet(i));
            let exit = g.c.block(BlockType::Empty);
            let head = g.c.loop_(BlockType::Empty);
            g.c.push(I::LocalGet(i));
            g.c.push(I::LocalGet(ka));
            g.c.push(I::I64GeU);
            g.c.br_if(exit);
            g.c.push(I::LocalGet(acc));
            g.c.push(I::LocalGet(px));
            g.c.push(load(da));
            scalar::cast(&mut g.c, da, rd, Cast::Elem);
            g.c.push(I::LocalGet(py));
            g.c.push(load(db));
            scalar::cast(&mut g.c, db, rd, Cast::Elem);
            scalar::binary(&mut g.c, BinaryOp::Mul, rd, g.helpers)
                .map_err(|n| g.unsupported(span, n))?;
            scalar::binary(&mut g.c, BinaryOp::Add, rd, g.helpers)
                .map_err(|n| g.unsupported(span, n))?;
            g.c.push(I::LocalSet(acc));
            for (ptr, step) in [(px, xk), (py, yk)] {
                g.c.push(I::LocalGet(ptr));
                g.c.push(I::LocalGet(step));
                g.c.push(I::I32Add);
                g.c.push(I::LocalSet(ptr));
            }
            g.c.push(I::LocalGet(i));
            g.c.push(I::I64Const(1));
            g.c.push(I::I64Add);
            g.c.push(I::LocalSet(i));
            g.c.br(head);
            g.c.end();
            g.c.end();
            if p.len() > 2 {
                g.c.push(I::LocalGet(p[2]));
                g.c.push(I::LocalGet(acc));
                g.c.push(store(rd));
            }
            Ok(())
        })?;
        self.c.release(ValType::I64, i);
        self.c.release(ValType::I32, px);
        self.c.release(ValType::I32, py);
        for tmp in [xk, yk] {
            self.c.release(ValType::I32, tmp);
        }
        self.release_operand(xo);
        self.release_operand(yo);
        if one_pass {
            self.c.end();
        }
        match (dst, desc) {
            (Some(o), Some(d)) => {
                self.release_operand(o);
                self.c.push(I::LocalGet(d));
                self.c.release(ValType::I32, d);
            }
            _ => self.c.push(I::LocalGet(acc)),
        }
        self.c.release(t, acc);
        self.release_arg(b);
        self.release_arg(a);
        Ok(())
    }
}
