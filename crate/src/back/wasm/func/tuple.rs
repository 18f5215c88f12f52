//! Tuples, flattened into their items' wasm values: a nested tuple's items in order, an
//! array or a list one `i32` (its descriptor's or header's address), `None` nothing. A
//! tuple local is as many wasm locals, a tuple parameter as many wasm parameters, and a
//! function returning a tuple returns as many values (wasm multi-value), so building,
//! passing and taking apart a tuple touches no memory.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::{Gen, Slot, fits, val_type};
use crate::back::wasm::Unsupported;
use crate::back::wasm::code::Code;
use crate::kir::{Expr, ExprId, Ty};

/// The wasm values of a value of type `ty`, in order.
pub(super) fn flat(ty: &Ty) -> Vec<ValType> {
    let mut out = Vec::new();
    flatten(ty, &mut out);
    out
}

fn flatten(ty: &Ty, out: &mut Vec<ValType>) {
    match ty {
        Ty::Scalar(d) => out.push(val_type(*d)),
        Ty::Array(_) | Ty::List(_) => out.push(ValType::I32),
        Ty::None => {}
        Ty::Tuple(items) => {
            for t in items {
                flatten(t, out);
            }
        }
    }
}

/// Where item `i` of a tuple of type `ty` lies among its wasm values: its first value's
/// position and its values' types, or `None` when `ty` has no item `i`.
fn item_range(ty: &Ty, i: u32) -> Option<(usize, Vec<ValType>)> {
    let Ty::Tuple(items) = ty else {
        return None;
    };
    let i = usize::try_from(i).ok()?;
    let item = items.get(i)?;
    let start = items[..i].iter().map(|t| flat(t).len()).sum();
    Some((start, flat(item)))
}

/// Pushes a zero of every wasm type in `types` (what a function returns beside an error).
pub(super) fn zeros(c: &mut Code, types: &[ValType]) {
    for t in types {
        c.push(match t {
            ValType::I64 => I::I64Const(0),
            ValType::F32 => I::F32Const(0.0.into()),
            ValType::F64 => I::F64Const(0.0.into()),
            _ => I::I32Const(0),
        });
    }
}

impl Gen<'_, '_> {
    /// `(a, b, ...)`: the items evaluated in order, each item's values left on the stack.
    pub(super) fn tuple(&mut self, e: ExprId, items: &[ExprId]) -> Result<(), Unsupported> {
        let f = self.f;
        let Ty::Tuple(tys) = f.ty(e) else {
            return Err(self.ill_typed(f.span(e)));
        };
        if tys.len() != items.len() || !items.iter().zip(tys).all(|(&x, t)| fits(f.ty(x), t)) {
            return Err(self.ill_typed(f.span(e)));
        }
        for &x in items {
            self.expr(x)?;
        }
        Ok(())
    }

    /// `t[i]` for a constant `i`: read straight from the wasm locals of a tuple local (or
    /// of an item of one), or else the whole tuple evaluated into temporaries, as the
    /// executor evaluates it, and the item's values pushed from them.
    pub(super) fn tuple_get(&mut self, e: ExprId, t: ExprId, i: u32) -> Result<(), Unsupported> {
        let f = self.f;
        let span = f.span(e);
        let (start, types) = item_range(f.ty(t), i).ok_or_else(|| self.ill_typed(span))?;
        let Ty::Tuple(items) = f.ty(t) else {
            return Err(self.ill_typed(span));
        };
        if !fits(&items[i as usize], f.ty(e)) {
            return Err(self.ill_typed(span));
        }
        if let Some(locals) = self.tuple_place(t) {
            for &x in &locals[start..start + types.len()] {
                self.c.push(I::LocalGet(x));
            }
            return Ok(());
        }
        self.expr(t)?;
        let all = flat(f.ty(t));
        let temps: Vec<u32> = all.iter().map(|&v| self.c.temp(v)).collect();
        for &x in temps.iter().rev() {
            self.c.push(I::LocalSet(x));
        }
        for &x in &temps[start..start + types.len()] {
            self.c.push(I::LocalGet(x));
        }
        for (&x, &v) in temps.iter().zip(&all) {
            self.c.release(v, x);
        }
        Ok(())
    }

    /// The wasm locals that hold the tuple `t` when it is a tuple local or an item of
    /// one (after the check that the local was assigned), so that no value is copied.
    fn tuple_place(&mut self, t: ExprId) -> Option<Vec<u32>> {
        let f = self.f;
        match f.get(t) {
            Expr::Local(l) if f.local_decl(*l).ty == *f.ty(t) => {
                let Slot::Tuple(locals) = &self.locals[l.index()].slot else {
                    return None;
                };
                let locals = locals.clone();
                self.check_assigned(t, *l);
                Some(locals)
            }
            Expr::TupleGet(inner, i) => {
                let (start, types) = item_range(f.ty(*inner), *i)?;
                let Ty::Tuple(items) = f.ty(*inner) else {
                    return None;
                };
                if items[*i as usize] != *f.ty(t) {
                    return None;
                }
                let locals = self.tuple_place(*inner)?;
                Some(locals[start..start + types.len()].to_vec())
            }
            _ => None,
        }
    }

    /// `c ? a : b` for a value of several wasm values (a tuple): each branch stores its
    /// values in temporaries, pushed after the `if`, so that the block needs no
    /// multi-value type.
    pub(super) fn cond_values(
        &mut self,
        c: ExprId,
        a: ExprId,
        b: ExprId,
        types: &[ValType],
    ) -> Result<(), Unsupported> {
        let temps: Vec<u32> = types.iter().map(|&v| self.c.temp(v)).collect();
        self.truth(c)?;
        self.c.if_(BlockType::Empty);
        self.expr(a)?;
        for &x in temps.iter().rev() {
            self.c.push(I::LocalSet(x));
        }
        self.c.else_();
        self.expr(b)?;
        for &x in temps.iter().rev() {
            self.c.push(I::LocalSet(x));
        }
        self.c.end();
        for &x in &temps {
            self.c.push(I::LocalGet(x));
        }
        for (&x, &v) in temps.iter().zip(types) {
            self.c.release(v, x);
        }
        Ok(())
    }
}
