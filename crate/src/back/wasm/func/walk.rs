//! A loop nest over a shape in C order, advancing one byte pointer per operand: what
//! the element-wise intrinsics and the reductions are built on. An operand is an
//! array's data address and its byte stride along each axis of the shape (none for an
//! axis it is broadcast along), so the innermost body reads and writes through plain
//! pointers, with no index arithmetic and no call per element.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::Gen;
use super::array::{Source, shift_of};
use crate::back::wasm::Unsupported;
use crate::back::wasm::code::Label;
use crate::types::DType;

/// The body of a walk: given the element addresses of the operands and the label that
/// ends the walk.
pub(super) type Body<'b, 'g, 'a, 's> =
    dyn FnMut(&mut Gen<'a, 's>, &[u32], Label) -> Result<(), Unsupported> + 'b;

/// One operand of a walk: its data address (an `i32` local) and its byte strides along
/// the walk's axes (`i32` locals; `None` where it stays put).
pub(super) struct Operand {
    pub ptr: u32,
    pub strides: Vec<Option<u32>>,
}

impl<'a, 's> Gen<'a, 's> {
    /// An operand over array `src` of dtype `d`, walked along a shape of `nd` axes of
    /// which its own are the last: its data address and byte strides in new temporaries.
    pub(super) fn operand(&mut self, src: &Source, d: DType, nd: usize) -> Operand {
        let ptr = self.c.temp(ValType::I32);
        self.data(src);
        self.c.push(I::LocalSet(ptr));
        let own = src.ndim();
        let mut strides = vec![None; nd - own];
        for k in 0..own {
            let t = self.c.temp(ValType::I32);
            self.stride(src, k);
            let s = shift_of(d);
            if s > 0 {
                self.c.push(I::I32Const(s as i32));
                self.c.push(I::I32Shl);
            }
            self.c.push(I::LocalSet(t));
            strides.push(Some(t));
        }
        Operand { ptr, strides }
    }

    /// Gives back an operand's temporaries.
    pub(super) fn release_operand(&mut self, op: Operand) {
        self.c.release(ValType::I32, op.ptr);
        for t in op.strides.into_iter().flatten() {
            self.c.release(ValType::I32, t);
        }
    }

    /// Runs `body` once per element of the shape whose extents are in the `i64` locals
    /// `ext`, in C order, with the byte address of each operand's element in the `i32`
    /// locals it is given; a branch to the label it is given ends the walk.
    pub(super) fn walk(
        &mut self,
        ext: &[u32],
        ops: &[&Operand],
        body: &mut Body<'_, '_, 'a, 's>,
    ) -> Result<(), Unsupported> {
        self.walk_nest(ext, ops, body, None)
    }

    /// [`Gen::walk`] whose innermost axis runs `lanes` elements of `size` bytes at a time
    /// through `vector` (given the operands' addresses, each 16 bytes of elements) where
    /// every operand steps by `size` along it, then the rest through `body`. A vector
    /// body must compute each lane as `body` computes its element.
    pub(super) fn walk_lanes(
        &mut self,
        ext: &[u32],
        ops: &[&Operand],
        (size, lanes): (i32, i64),
        body: &mut Body<'_, '_, 'a, 's>,
        vector: &mut Body<'_, '_, 'a, 's>,
    ) -> Result<(), Unsupported> {
        self.walk_nest(ext, ops, body, Some((size, lanes, vector)))
    }

    fn walk_nest(
        &mut self,
        ext: &[u32],
        ops: &[&Operand],
        body: &mut Body<'_, '_, 'a, 's>,
        vector: Option<(i32, i64, &mut Body<'_, '_, 'a, 's>)>,
    ) -> Result<(), Unsupported> {
        let done = self.c.block(BlockType::Empty);
        let base: Vec<u32> = ops.iter().map(|o| o.ptr).collect();
        self.walk_axis(0, ext, ops, &base, done, body, vector)?;
        self.c.end();
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn walk_axis(
        &mut self,
        k: usize,
        ext: &[u32],
        ops: &[&Operand],
        outer: &[u32],
        done: Label,
        body: &mut Body<'_, '_, 'a, 's>,
        mut vector: Option<(i32, i64, &mut Body<'_, '_, 'a, 's>)>,
    ) -> Result<(), Unsupported> {
        if k == ext.len() {
            return body(self, outer, done);
        }
        let ptrs: Vec<u32> = outer
            .iter()
            .map(|&p| {
                let t = self.c.temp(ValType::I32);
                self.c.push(I::LocalGet(p));
                self.c.push(I::LocalSet(t));
                t
            })
            .collect();
        let i = self.c.temp(ValType::I64);
        self.c.push(I::I64Const(0));
        self.c.push(I::LocalSet(i));
        let last = k + 1 == ext.len();
        if last
            && let Some((size, lanes, vbody)) = vector.as_mut()
            && ops.iter().all(|o| o.strides[k].is_some())
        {
            // The vector part, while a whole vector of elements remains, when every
            // operand steps by one element.
            self.c.push(I::I32Const(1));
            for o in ops {
                self.c.push(I::LocalGet(o.strides[k].unwrap_or_default()));
                self.c.push(I::I32Const(*size));
                self.c.push(I::I32Eq);
                self.c.push(I::I32And);
            }
            self.c.if_(BlockType::Empty);
            let whole = self.c.temp(ValType::I64);
            self.c.push(I::LocalGet(ext[k]));
            self.c.push(I::I64Const(!(*lanes - 1)));
            self.c.push(I::I64And);
            self.c.push(I::LocalSet(whole));
            let vexit = self.c.block(BlockType::Empty);
            let vhead = self.c.loop_(BlockType::Empty);
            self.c.push(I::LocalGet(i));
            self.c.push(I::LocalGet(whole));
            self.c.push(I::I64GeU);
            self.c.br_if(vexit);
            vbody(self, &ptrs, done)?;
            for &p in &ptrs {
                self.c.push(I::LocalGet(p));
                self.c.push(I::I32Const(16));
                self.c.push(I::I32Add);
                self.c.push(I::LocalSet(p));
            }
            self.c.push(I::LocalGet(i));
            self.c.push(I::I64Const(*lanes));
            self.c.push(I::I64Add);
            self.c.push(I::LocalSet(i));
            self.c.br(vhead);
            self.c.end();
            self.c.end();
            self.c.release(ValType::I64, whole);
            self.c.end();
        }
        let exit = self.c.block(BlockType::Empty);
        let head = self.c.loop_(BlockType::Empty);
        self.c.push(I::LocalGet(i));
        self.c.push(I::LocalGet(ext[k]));
        self.c.push(I::I64GeU);
        self.c.br_if(exit);
        self.walk_axis(k + 1, ext, ops, &ptrs, done, body, vector)?;
        for (o, &p) in ops.iter().zip(&ptrs) {
            if let Some(s) = o.strides[k] {
                self.c.push(I::LocalGet(p));
                self.c.push(I::LocalGet(s));
                self.c.push(I::I32Add);
                self.c.push(I::LocalSet(p));
            }
        }
        self.c.push(I::LocalGet(i));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Add);
        self.c.push(I::LocalSet(i));
        self.c.br(head);
        self.c.end();
        self.c.end();
        self.c.release(ValType::I64, i);
        for p in ptrs {
            self.c.release(ValType::I32, p);
        }
        Ok(())
    }
}
