//! Lists of scalars: a value is the `i32` address of a header of three `i32` words (the
//! elements' byte address, the length and the capacity) in memory from the engine's
//! allocator, so that every reference to a list sees an append through another, as the
//! executor's shared list does. The elements are packed at their dtype's size; `append`
//! past the capacity doubles it into a new allocation and copies the elements there
//! (the old block stays with the call's memory, which the engine frees when it ends).

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::array::{load, memarg, shift_of, store};
use super::{Gen, val_type};
use crate::back::wasm::{SiteError, Unsupported, scalar};
use crate::kir::{Expr, ExprId, RaiseKind, Stmt, Ty};
use crate::syntax::Span;
use crate::types::DType;

/// The header's words, by byte offset.
const DATA: u64 = 0;
const LEN: u64 = 4;
const CAP: u64 = 8;

/// The capacity of a list's first block of elements.
const FIRST_CAPACITY: i64 = 4;

/// The executor's MemoryError where a list cannot grow.
fn no_memory() -> SiteError {
    SiteError::Fixed {
        kind: RaiseKind::MemoryError,
        message: "cannot grow the list".to_owned(),
    }
}

impl Gen<'_, '_> {
    fn list_dtype(&self, l: ExprId) -> Result<DType, Unsupported> {
        match self.f.ty(l) {
            Ty::List(d) => Ok(*d),
            _ => Err(self.ill_typed(self.f.span(l))),
        }
    }

    /// Calls the allocator for the `size` bytes on the stack (an `i32`), raising the
    /// list's MemoryError at `span` when it has none; leaves the address on the stack.
    fn alloc_or_raise(&mut self, align: i32, span: Span) {
        self.c.push(I::I32Const(align));
        let alloc = self.helpers.alloc();
        self.c.call(alloc);
        let p = self.c.temp(ValType::I32);
        self.c.push(I::LocalTee(p));
        self.c.push(I::I32Eqz);
        self.c.if_(BlockType::Empty);
        self.raise(span, no_memory());
        self.c.end();
        self.c.push(I::LocalGet(p));
        self.c.release(ValType::I32, p);
    }

    /// `[]` (`Intrinsic::NewList`): a zeroed header, so an empty list with no elements'
    /// block. The executor's empty list takes no memory; here the header does, and an
    /// exhausted memory raises the MemoryError of a list that cannot grow.
    pub(super) fn new_list(&mut self, e: ExprId, args: &[ExprId]) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        if !args.is_empty() {
            return Err(self.ill_typed(span));
        }
        self.list_dtype(e)?;
        self.c.push(I::I32Const(12));
        self.alloc_or_raise(4, span);
        Ok(())
    }

    /// `list.append(value)`: the value evaluated first, then the list, as the executor
    /// does; a full list's elements moved to a block of twice the capacity first.
    pub(super) fn append(&mut self, list: ExprId, value: ExprId) -> Result<(), Unsupported> {
        self.append_when(None, list, value)
    }

    /// Whether `if cond: list.append(value)` (no else) can run without a branch on
    /// `cond`: the list and the value are locals or constants, whose reading can neither
    /// raise nor have an effect, so they may be read whether or not `cond` holds.
    pub(super) fn branchless_append(
        &self,
        then: &[Stmt],
        otherwise: &[Stmt],
    ) -> Option<(ExprId, ExprId)> {
        let [Stmt::Append { list, value }] = then else {
            return None;
        };
        if !otherwise.is_empty() {
            return None;
        }
        let plain = |e: ExprId| {
            !self.cx.facts.checked[e.index()]
                && matches!(self.f.get(e), Expr::Local(_) | Expr::Const(_))
        };
        (plain(*list) && plain(*value)).then_some((*list, *value))
    }

    /// `list.append(value)`, or with `cond` (`if cond: list.append(value)`, where
    /// [`Self::branchless_append`] allows it) without a branch on the condition: the
    /// value is stored past the length whenever the block has room and the length grows
    /// by the condition's 0 or 1, so that a condition that the processor cannot predict
    /// (a filter of random data) costs no mispredicted branches. A full list grows only
    /// when the condition holds, so that memory runs out exactly where the branch would
    /// have it run out.
    pub(super) fn append_when(
        &mut self,
        cond: Option<ExprId>,
        list: ExprId,
        value: ExprId,
    ) -> Result<(), Unsupported> {
        let span = self.f.span(list);
        let d = self.list_dtype(list)?;
        if self.scalar_ty(value)? != d {
            return Err(self.ill_typed(span));
        }
        let t = val_type(d);
        let size = d.size() as i64;
        let taken = match cond {
            Some(c) => {
                let cd = self.scalar_ty(c)?;
                self.truth(c)?;
                if !matches!(cd, DType::I64 | DType::U64 | DType::F32 | DType::F64) {
                    // (narrow integers and bools left as they are: make them 0 or 1)
                    self.c.push(I::I32Const(0));
                    self.c.push(I::I32Ne);
                }
                let k = self.c.temp(ValType::I32);
                self.c.push(I::LocalSet(k));
                Some(k)
            }
            None => None,
        };
        self.expr(value)?;
        let v = self.c.temp(t);
        self.c.push(I::LocalSet(v));
        self.expr(list)?;
        let h = self.c.temp(ValType::I32);
        self.c.push(I::LocalSet(h));

        let word = |g: &mut Self, at: u64| {
            g.c.push(I::LocalGet(h));
            g.c.push(I::I32Load(memarg(at, 2)));
        };
        let skip = self.c.block(BlockType::Empty);
        word(self, LEN);
        word(self, CAP);
        self.c.push(I::I32Eq);
        self.c.if_(BlockType::Empty);
        if let Some(k) = taken {
            // A full list and a false condition: nothing to store, nothing to grow.
            self.c.push(I::LocalGet(k));
            self.c.push(I::I32Eqz);
            self.c.br_if(skip);
        }
        // The new capacity and its bytes in i64, so that neither can overflow; a block
        // over 2 GiB is more than the allocator can give.
        let cap = self.c.temp(ValType::I64);
        self.c.push(I::I64Const(FIRST_CAPACITY));
        word(self, CAP);
        self.c.push(I::I64ExtendI32U);
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Shl);
        word(self, CAP);
        self.c.push(I::I32Eqz);
        self.c.push(I::Select);
        self.c.push(I::LocalTee(cap));
        self.c.push(I::I64Const(size));
        self.c.push(I::I64Mul);
        self.c.push(I::I64Const(i64::from(i32::MAX)));
        self.c.push(I::I64GtU);
        self.c.if_(BlockType::Empty);
        self.raise(span, no_memory());
        self.c.end();
        self.c.push(I::LocalGet(cap));
        self.c.push(I::I64Const(size));
        self.c.push(I::I64Mul);
        self.c.push(I::I32WrapI64);
        // (not zeroed: the elements up to the length are copied in, the rest written
        // before they are read)
        self.alloc_or_raise(size.min(8) as i32 | crate::back::wasm::ALLOC_UNZEROED, span);
        let p = self.c.temp(ValType::I32);
        self.c.push(I::LocalTee(p));
        word(self, DATA);
        word(self, LEN);
        self.c.push(I::I32Const(shift_of(d) as i32));
        self.c.push(I::I32Shl);
        self.c.push(I::MemoryCopy {
            src_mem: 0,
            dst_mem: 0,
        });
        self.c.push(I::LocalGet(h));
        self.c.push(I::LocalGet(p));
        self.c.push(I::I32Store(memarg(DATA, 2)));
        self.c.push(I::LocalGet(h));
        self.c.push(I::LocalGet(cap));
        self.c.push(I::I32WrapI64);
        self.c.push(I::I32Store(memarg(CAP, 2)));
        self.c.release(ValType::I32, p);
        self.c.release(ValType::I64, cap);
        self.c.end();

        // data + len * size <- value; len += 1.
        word(self, DATA);
        word(self, LEN);
        self.c.push(I::I32Const(shift_of(d) as i32));
        self.c.push(I::I32Shl);
        self.c.push(I::I32Add);
        self.c.push(I::LocalGet(v));
        self.c.push(store(d));
        self.c.push(I::LocalGet(h));
        word(self, LEN);
        match taken {
            Some(k) => self.c.push(I::LocalGet(k)),
            None => self.c.push(I::I32Const(1)),
        }
        self.c.push(I::I32Add);
        self.c.push(I::I32Store(memarg(LEN, 2)));
        self.c.end();
        self.c.release(ValType::I32, h);
        self.c.release(t, v);
        if let Some(k) = taken {
            self.c.release(ValType::I32, k);
        }
        Ok(())
    }

    /// `len(list)` as int64.
    pub(super) fn list_len(&mut self, e: ExprId, l: ExprId) -> Result<(), Unsupported> {
        self.list_dtype(l)?;
        self.expect(e, &Ty::Scalar(DType::I64))?;
        self.expr(l)?;
        self.c.push(I::I32Load(memarg(LEN, 2)));
        self.c.push(I::I64ExtendI32U);
        Ok(())
    }

    /// `list[i]`: the list evaluated, then the index; a negative index wrapped once
    /// (an unsigned one never is), then checked against the length, Python's IndexError
    /// otherwise.
    pub(super) fn list_get(&mut self, e: ExprId, l: ExprId, i: ExprId) -> Result<(), Unsupported> {
        let span = self.f.span(e);
        let d = self.list_dtype(l)?;
        let id = self.scalar_ty(i)?;
        if !id.is_int() {
            return Err(self.ill_typed(span));
        }
        self.expect(e, &Ty::Scalar(d))?;
        self.expr(l)?;
        let h = self.c.temp(ValType::I32);
        self.c.push(I::LocalSet(h));
        self.expr(i)?;
        scalar::to_i64(&mut self.c, id);
        let at = self.c.temp(ValType::I64);
        self.c.push(I::LocalSet(at));
        let len = |g: &mut Self| {
            g.c.push(I::LocalGet(h));
            g.c.push(I::I32Load(memarg(LEN, 2)));
            g.c.push(I::I64ExtendI32U);
        };
        if id.is_signed_int() {
            self.c.push(I::LocalGet(at));
            self.c.push(I::I64Const(0));
            self.c.push(I::I64LtS);
            self.c.if_(BlockType::Empty);
            self.c.push(I::LocalGet(at));
            len(self);
            self.c.push(I::I64Add);
            self.c.push(I::LocalSet(at));
            self.c.end();
        }
        // Still negative after wrapping, or a uint64 past 2^63, is past the length too.
        self.c.push(I::LocalGet(at));
        len(self);
        self.c.push(I::I64GeU);
        self.c.if_(BlockType::Empty);
        self.raise(
            span,
            SiteError::Fixed {
                kind: RaiseKind::IndexError,
                message: "list index out of range".to_owned(),
            },
        );
        self.c.end();
        self.c.push(I::LocalGet(h));
        self.c.push(I::I32Load(memarg(DATA, 2)));
        self.c.push(I::LocalGet(at));
        self.c.push(I::I32WrapI64);
        self.c.push(I::I32Const(shift_of(d) as i32));
        self.c.push(I::I32Shl);
        self.c.push(I::I32Add);
        self.c.push(load(d));
        self.c.release(ValType::I64, at);
        self.c.release(ValType::I32, h);
        Ok(())
    }
}
