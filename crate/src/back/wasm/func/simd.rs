//! simd128 lanes for innermost counted loops: two `float64` (`f64x2`) or four `float32`
//! (`f32x4`) iterations at a time, then the unchanged scalar loop for the rest, with the
//! scalar loop's results to the bit (the lane operations are the scalar ones, lane by
//! lane, and no lane operation can raise).
//!
//! A loop qualifies when compiling (`Gen::simd_plan`) if its step is the constant 1, its
//! variable is an `int64` the body never assigns, and its body holds only
//! * `Assign`s of the lane dtype's locals from lane expressions, `int64` locals from
//!   expressions affine in the loop variable (`i = $i`, `$i0 = add($start, mul($k, 1))`),
//!   and array locals from an array local the loop does not assign (the stencil's
//!   `a = x0`): each integer and array local assigned once, before any read;
//! * `Store`s of a lane value into an array of the lane dtype;
//! * reductions `acc = acc op x` (`+ - * /`, also `@njit`'s raising `/`) or `acc = x op
//!   acc` (`+ *`) of a lane-dtype local the body reads and assigns nowhere else, at its
//!   top level: the step computes `x` in lanes and folds them into the scalar `acc` one
//!   lane after the other, in iteration order, so every partial sum is the scalar loop's
//!   (a loop of reductions alone qualifies only when its elements call a lane function:
//!   a plain sum's fold is no shorter than the scalar loop);
//! * `If`s on a lane comparison whose branches only assign lane locals (masked:
//!   both branches computed, `v128.bitselect` on the comparison's mask).
//!
//! In a float64 loop a comparison (of an `If` or a `Cond`) may also compare `int64`
//! values on two `i64x2` lanes, which line up with the two `f64x2` ones: constants, the
//! loop variable (a vector of its two iterations, bumped by 2 per step), the int64
//! locals the loop assigns (computed in lanes too), invariant locals (splat), and their
//! wrapping `+ - *`, `-x` and `abs` (`1.0 if abs(i - j) <= k else 0.0`).
//!
//! Lane expressions: constants (splat), the lane dtype's locals (a local the loop does
//! not assign is splat once before it; one it assigns must be assigned earlier in the
//! same iteration, so no value flows from one iteration to the next), `Load`s, loads of
//! a narrower array cast to the lane dtype (`int8` to `uint32` and `float32` into float64
//! lanes, `int8` to `uint32` into float32 lanes: a lane load and the SIMD conversion,
//! which gives each element the scalar cast's value), `+ - * /`,
//! Python's float `/` (`PyDiv`, before any store of the body: each vector step checks its
//! divisors' lanes for a zero first and, finding one, leaves the rest of the range to the
//! scalar loop, which raises at the element the executor does),
//! `maximum`/`minimum`/`fmax`/`fmin` (the scalar selects, as lane masks), `negative`,
//! `abs`, `sqrt`, `floor`, `ceil`, `trunc`, `rint`, `square`, `copysign` (a bit select),
//! `Cond` on a comparison, and every operation the scalar loop imports from the engine's
//! vmath (the transcendentals, float `//`, `%`, `**`, `fmod`, `arctan2`, `hypot`,
//! `nextafter`, and `**` with a constant exponent, `x * x` for 2 as in the scalar loop):
//! a call of the engine's lane function (`nw_vmath2_<op>_f64: (v128) -> v128`,
//! `nw_vmath4_<op>_f32`, see `back::wasm::vmath`), which gives every lane the bits of the
//! one-element function the scalar loop calls. Under a masked branch or `Cond` arm, such a
//! call gets a harmless argument (0.5; 2 for arccosh) in the lanes the arm does not keep,
//! so that they cannot send the whole vector down the function's slow path (`v ** 2.2`
//! under `if v > 0`); the lanes it keeps are computed as before, each on its own.
//! Every access's indices must be invariant on all axes but the last, and on the last
//! axis invariant (a load only: one element, splat) or affine in the loop variable (a
//! stencil's relative index `cond(t >= 0, t, i64::MAX)` counts as `t`: see
//! `Scan::guard`).
//!
//! Before the loop (`Gen::simd_prefix`), when more than one vector of iterations and
//! fewer than 2^31 remain, the code evaluates the aliases, the integer locals and every
//! access's indices for the first two iterations, and runs the vector part only if
//! * every affine index steps by exactly 1 (its two values differ by 1: the broadcast
//!   step of `@vectorize` is 0 for a broadcast operand), lies in `[0, extent)` at the
//!   first iteration and stays below the extent through the last vector iteration, and
//!   its array's last stride is 1;
//! * every invariant index lies in `[0, extent)` (a negative one runs the scalar loop,
//!   which wraps it, or raises as it always does);
//! * the bytes a store writes overlap no other access's, unless that access covers the
//!   very same elements of the same dtype (`a[i] = a[i] * 2`).
//!
//! The vector part then runs on byte pointers bumped by one vector's elements per step
//! (16 bytes, fewer for a narrower array's) and covers the
//! largest multiple of the lane count below the trip count, so the scalar loop always
//! runs at least one iteration after it: that iteration leaves every local the body
//! assigns, and the loop variable, as the scalar loop alone would.
//!
//! Where the vector part has at least [`MIN_STRIPPED`] steps, it runs over strips instead
//! (`Gen::strip_loop`, [`Strips`]): each strip's operands of every call go to the
//! thread's scratch in a first pass, one call of the engine's block function per call
//! site computes them (the expression VM's block loops, the lane functions' bits), and a
//! second pass runs the body on the results. That pays a call per strip instead of one
//! per vector. Where calls take other calls' results (`np.exp(np.arcsin(x)) + y`, in a
//! body without branches), each level of calls gets a pass of its own
//! (`Gen::strip_levels`): a pass collects the operands of one level from the results of
//! the levels below, and the last pass runs the body.

use std::cell::Cell;
use std::collections::{HashMap, HashSet};

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::array::{load, memarg, shift_of};
use super::{Gen, Label, Slot, fits};
use crate::back::wasm::Unsupported;
use crate::back::wasm::scalar;
use crate::back::wasm::vmath::{self, VmathOp};
use crate::kir::{Expr, ExprId, LocalId, Stmt, Ty};
use crate::types::{BinaryOp, DType, Scalar, UnaryOp};

/// How an integer expression depends on the loop variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The same in every iteration.
    Invariant,
    /// `c * var + o`, wrapping, for `c` and `o` invariant.
    Affine,
}

/// One array access of the body.
struct Access {
    /// The array local read or written (an alias followed to the array it holds).
    array: LocalId,
    index: Vec<ExprId>,
    /// The last index is affine in the loop variable (else invariant).
    affine: bool,
    store: bool,
    /// The array's element dtype: the lane dtype, or for a load under a cast to it, a
    /// narrower one ([`lane_cast`]).
    dtype: DType,
}

/// A loop-carried reduction of the body, `acc = acc op x` (or `x op acc` for `+` and
/// `*`): the vector step computes `x` in lanes and folds them into the scalar `acc` one
/// lane after the other, in iteration order, so every partial result is the scalar
/// loop's.
#[derive(Clone, Copy)]
struct Acc {
    op: BinaryOp,
    x: ExprId,
    /// `acc` is the left operand.
    left: bool,
    /// `@njit`'s `/=` (ZeroDivisionError): a step with a zero in any lane of `x` leaves
    /// the rest of the range to the scalar loop before it folds anything.
    raising: bool,
}

/// A loop that qualifies when compiling.
pub(super) struct Plan {
    dtype: DType,
    /// Alias assignments (`a = x0`), evaluated once before the vector part.
    aliases: Vec<(LocalId, ExprId)>,
    /// The integer locals' assignments, in body order.
    ints: Vec<(LocalId, ExprId)>,
    accesses: Vec<Access>,
    /// Each load expression's access.
    loads: HashMap<ExprId, usize>,
    /// Each store's access, in body order.
    stores: Vec<usize>,
    /// The lane dtype's locals the loop reads but never assigns.
    invariants: Vec<LocalId>,
    /// The body divides with `@njit`'s `/` (ZeroDivisionError): a vector step with a zero
    /// divisor in any lane leaves the rest of the range to the scalar loop.
    bails: bool,
    /// A mask compares `int64` lanes (float64 loops only): the loop variable's lanes are
    /// kept in a vector, and the integer locals of `int_locals` computed in lanes.
    int_masks: bool,
    /// The `int64` locals the loop assigns whose lanes a mask may read.
    int_locals: HashSet<LocalId>,
    /// The `int64` locals the loop reads in lanes but never assigns (splat once).
    int_invariants: Vec<LocalId>,
    /// The reductions, by accumulator.
    accs: HashMap<LocalId, Acc>,
    /// float32 locals holding a float64 value to be stored (`$v = cast.f32(...)` of a
    /// float32 ufunc typed through float64): kept in float64 lanes, demoted at the store.
    demoted: HashSet<LocalId>,
}

impl Plan {
    fn lanes(&self) -> i64 {
        16 / self.dtype.size() as i64
    }
}

/// The compile-time scan of a loop body.
struct Scan<'a, 'b, 's> {
    g: &'a Gen<'b, 's>,
    var: LocalId,
    /// Every local the body assigns, anywhere, with how many times it does.
    assigned: HashMap<LocalId, usize>,
    /// The locals assigned so far in the iteration.
    defined: HashSet<LocalId>,
    forms: HashMap<LocalId, Form>,
    alias: HashMap<LocalId, LocalId>,
    dtype: Option<DType>,
    plan: Plan,
    /// A store (or a reduction) was scanned: a raising division after it could not leave
    /// the step undone.
    stored: bool,
    /// How many times the body reads each local, by local index.
    reads: Vec<usize>,
    /// Of those, how many as `cast.f64(l)`, and how many as a store's whole value.
    promoted: Vec<usize>,
    stored_whole: Vec<usize>,
    /// float32 locals holding a float32 load read only as `cast.f64(l)`: the load's
    /// access, read and converted in lanes where the cast is.
    narrow: HashMap<LocalId, usize>,
}

/// Counts the assignments of each local in `body`.
fn assigned_in(body: &[Stmt], out: &mut HashMap<LocalId, usize>) {
    for st in body {
        match st {
            Stmt::Assign(l, _) => {
                *out.entry(*l).or_default() += 1;
            }
            Stmt::If {
                then, otherwise, ..
            } => {
                assigned_in(then, out);
                assigned_in(otherwise, out);
            }
            Stmt::For { var, body, .. } => {
                *out.entry(*var).or_default() += 1;
                assigned_in(body, out);
            }
            Stmt::While { body, .. } => assigned_in(body, out),
            _ => {}
        }
    }
}

impl Scan<'_, '_, '_> {
    fn ty(&self, e: ExprId) -> &Ty {
        self.g.f.ty(e)
    }

    /// A read of local `l` at `e` that needs no check of assignment.
    fn read(&self, e: ExprId) -> Option<()> {
        (!self.g.cx.facts.checked[e.index()]).then_some(())
    }

    /// Fixes the lane dtype, or checks `d` against it.
    fn lane(&mut self, d: DType) -> Option<()> {
        if !matches!(d, DType::F64 | DType::F32) {
            return None;
        }
        match self.dtype {
            Some(x) if x != d => None,
            _ => {
                self.dtype = Some(d);
                Some(())
            }
        }
    }

    fn stmts(&mut self, body: &[Stmt], top: bool) -> Option<()> {
        for st in body {
            match st {
                Stmt::Assign(l, e) => self.assign(*l, *e, top)?,
                Stmt::Store {
                    array,
                    index,
                    value,
                    ..
                } if top => {
                    // A float64 value stored into a float32 array (a float32 ufunc whose
                    // body Numba types through float64 literals): demoted in lanes.
                    let (val, from) = if let Some(x) = self.g.demoted(*value) {
                        (Some(x), Some(DType::F32))
                    } else if let Expr::Local(l) = self.g.f.get(*value)
                        && self.plan.demoted.contains(l)
                    {
                        (None, Some(DType::F32))
                    } else {
                        (Some(*value), None)
                    };
                    if let Some(val) = val {
                        let d = self.ty(val).scalar()?;
                        self.lane(d)?;
                        self.vexpr(val)?;
                    }
                    let a = self.access(*array, index, true, from)?;
                    self.plan.stores.push(a);
                    self.stored = true;
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    self.mask(*cond)?;
                    let before = self.defined.clone();
                    self.stmts(then, false)?;
                    let after_then = std::mem::replace(&mut self.defined, before);
                    self.stmts(otherwise, false)?;
                    self.defined.retain(|l| after_then.contains(l));
                }
                _ => return None,
            }
        }
        Some(())
    }

    fn assign(&mut self, l: LocalId, e: ExprId, top: bool) -> Option<()> {
        let f = self.g.f;
        if l == self.var {
            return None;
        }
        let lt = &f.local_decl(l).ty;
        // float32 locals of a loop computing in float64 (a float32 ufunc whose body Numba
        // types through float64 literals): the element loaded, read only as
        // `cast.f64(l)`, and the result cast back, read only as a store's value.
        if top && lt == &Ty::Scalar(DType::F32) && self.assigned.get(&l) == Some(&1) {
            let reads = self.reads[l.index()];
            if let Some(x) = self.g.demoted(e)
                && reads > 0
                && self.stored_whole[l.index()] == reads
            {
                self.vexpr(x)?;
                self.plan.demoted.insert(l);
                self.defined.insert(l);
                return Some(());
            }
            if let Expr::Load(a, index) = f.get(e)
                && reads > 0
                && self.promoted[l.index()] == reads
            {
                let k = self.access(*a, index, false, Some(DType::F32))?;
                self.narrow.insert(l, k);
                self.defined.insert(l);
                return Some(());
            }
        }
        match lt {
            Ty::Array(_) if top => {
                let Expr::Local(x) = f.get(e) else {
                    return None;
                };
                self.read(e)?;
                let root = self.root(*x)?;
                if !fits(&f.local_decl(root).ty, lt)
                    || !fits(self.ty(e), lt)
                    || self.alias.contains_key(&l)
                {
                    return None;
                }
                self.alias.insert(l, root);
                self.defined.insert(l);
                self.plan.aliases.push((l, e));
            }
            Ty::Scalar(DType::I64) if top => {
                if self.ty(e) != lt || self.forms.contains_key(&l) {
                    return None;
                }
                let form = self.int(e)?;
                if self.ilane(e) {
                    self.plan.int_locals.insert(l);
                    self.int_invariants(e);
                }
                self.forms.insert(l, form);
                self.defined.insert(l);
                self.plan.ints.push((l, e));
            }
            Ty::Scalar(d) if d.is_float() => {
                if self.ty(e) != lt {
                    return None;
                }
                self.lane(*d)?;
                if let Some(acc) = self.reduction(l, e, top) {
                    // Read nowhere else and assigned once: the fold is the only use.
                    self.vexpr(acc.x)?;
                    self.plan.bails |= acc.raising;
                    self.plan.accs.insert(l, acc);
                    self.stored = true;
                    return Some(());
                }
                self.vexpr(e)?;
                self.defined.insert(l);
            }
            _ => return None,
        }
        Some(())
    }

    /// `l = l op x` (or `x op l` for `+` and `*`) at the top of the body, where the body
    /// reads `l` nowhere else and assigns it nowhere else: a reduction.
    fn reduction(&self, l: LocalId, e: ExprId, top: bool) -> Option<Acc> {
        let f = self.g.f;
        let (op, a, b, raising) = match f.get(e) {
            Expr::Binary(op, a, b) => (op, a, b, false),
            Expr::PyDiv(op @ BinaryOp::TrueDiv, a, b) if !self.stored => (op, a, b, true),
            _ => return None,
        };
        if !top
            || self.plan.accs.contains_key(&l)
            || self.defined.contains(&l)
            || self.reads[l.index()] != 1
            || self.assigned.get(&l) != Some(&1)
            || self.ty(*a) != self.ty(e)
            || self.ty(*b) != self.ty(e)
        {
            return None;
        }
        let is_l = |x: ExprId| matches!(f.get(x), Expr::Local(y) if *y == l);
        let (x, left) = if is_l(*a) {
            (*b, true)
        } else if is_l(*b) && !raising && matches!(op, BinaryOp::Add | BinaryOp::Mul) {
            (*a, false)
        } else {
            return None;
        };
        if !matches!(
            op,
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::TrueDiv
        ) || self.g.cx.facts.checked[if left { *a } else { *b }.index()]
        {
            return None;
        }
        Some(Acc {
            op: *op,
            x,
            left,
            raising,
        })
    }

    /// The array local that local `x` holds in the loop: itself when the loop does not
    /// assign it, the array an alias assigned earlier holds.
    fn root(&self, x: LocalId) -> Option<LocalId> {
        if let Some(&r) = self.alias.get(&x) {
            return self.defined.contains(&x).then_some(r);
        }
        let ty = &self.g.f.local_decl(x).ty;
        (!self.assigned.contains_key(&x) && matches!(ty, Ty::Array(_))).then_some(x)
    }

    /// How the integer expression `e` depends on the loop variable, if it is affine.
    fn int(&self, e: ExprId) -> Option<Form> {
        let f = self.g.f;
        let d = self.ty(e).scalar()?;
        if !d.is_int() {
            return None;
        }
        let affine = d == DType::I64;
        match f.get(e) {
            Expr::Const(_) => Some(Form::Invariant),
            Expr::Local(l) => {
                self.read(e)?;
                if *l == self.var {
                    return affine.then_some(Form::Affine);
                }
                if let Some(&form) = self.forms.get(l) {
                    return self.defined.contains(l).then_some(form);
                }
                let decl = &f.local_decl(*l).ty;
                (!self.assigned.contains_key(l) && decl == self.ty(e)).then_some(Form::Invariant)
            }
            Expr::Binary(op, a, b) => {
                let (x, y) = (self.int(*a)?, self.int(*b)?);
                match (x, y) {
                    (Form::Invariant, Form::Invariant) => Some(Form::Invariant),
                    _ if !affine => None,
                    _ if matches!(op, BinaryOp::Add | BinaryOp::Sub) => Some(Form::Affine),
                    (Form::Affine, Form::Invariant) | (Form::Invariant, Form::Affine)
                        if *op == BinaryOp::Mul =>
                    {
                        Some(Form::Affine)
                    }
                    _ => None,
                }
            }
            Expr::Unary(_, a) | Expr::Cast(a, _) => {
                (self.int(*a)? == Form::Invariant).then_some(Form::Invariant)
            }
            Expr::Cond(c, a, b) => self.guard(*c, *a, *b),
            Expr::Dim(a, _) => {
                let Expr::Local(x) = f.get(*a) else {
                    return None;
                };
                self.read(*a)?;
                self.root(*x).map(|_| Form::Invariant)
            }
            _ => None,
        }
    }

    /// The form of `cond(c, a, b)`: invariant when all of it is; for a relative index of a
    /// stencil, `cond(t >= 0, t, K)` with `K` negative or `i64::MAX` (a negative offset
    /// past the border made out of range rather than wrapped), the form of `t`. An index
    /// of that form is only used where the run-time checks before the vector part find it
    /// in range at the first iteration and stepping by 1: there `t` is at least 0 from the
    /// first iteration on, so the index is `t` throughout (a first `t` below 0 makes the
    /// index `K`, out of range).
    fn guard(&self, c: ExprId, a: ExprId, b: ExprId) -> Option<Form> {
        let f = self.g.f;
        let Expr::Binary(op, p, q) = f.get(c) else {
            return None;
        };
        if !op.is_comparison() || self.ty(a) != self.ty(b) {
            return None;
        }
        let forms = [self.int(*p)?, self.int(*q)?, self.int(a)?, self.int(b)?];
        if forms.iter().all(|&x| x == Form::Invariant) {
            return Some(Form::Invariant);
        }
        let zero = matches!(f.get(*q), Expr::Const(Scalar::I64(0)));
        let past = matches!(f.get(b), Expr::Const(Scalar::I64(k)) if *k < 0 || *k == i64::MAX);
        let same = matches!((f.get(*p), f.get(a)), (Expr::Local(x), Expr::Local(y)) if x == y);
        (*op == BinaryOp::Ge && zero && past && same).then_some(forms[2])
    }

    /// Records an access of `array` at `index`; its index in the plan's accesses. `from`:
    /// a load under a cast to the lane dtype, of an array of that dtype.
    fn access(
        &mut self,
        array: ExprId,
        index: &[ExprId],
        store: bool,
        from: Option<DType>,
    ) -> Option<usize> {
        let f = self.g.f;
        let Expr::Local(x) = f.get(array) else {
            return None;
        };
        self.read(array)?;
        let root = self.root(*x)?;
        let at = f.local_decl(root).ty.array()?;
        if !fits(&f.local_decl(*x).ty, self.ty(array)) || index.len() != usize::from(at.ndim) {
            return None;
        }
        match from {
            Some(d) if d == at.dtype => {}
            Some(_) => return None,
            None => self.lane(at.dtype)?,
        }
        let (&last, rest) = index.split_last()?;
        for &i in rest {
            if self.int(i)? != Form::Invariant {
                return None;
            }
        }
        let affine = self.int(last)? == Form::Affine;
        if store && !affine {
            return None;
        }
        self.plan.accesses.push(Access {
            array: root,
            index: index.to_vec(),
            affine,
            store,
            dtype: at.dtype,
        });
        Some(self.plan.accesses.len() - 1)
    }

    /// A comparison of two lane values.
    fn mask(&mut self, e: ExprId) -> Option<()> {
        let Expr::Binary(op, a, b) = self.g.f.get(e) else {
            return None;
        };
        if !op.is_comparison() || self.ty(e) != &Ty::Scalar(DType::Bool) {
            return None;
        }
        if self.ty(*a) != self.ty(*b) {
            return None;
        }
        if self.ty(*a) == &Ty::Scalar(DType::I64) {
            // Two int64 lanes line up with two float64 lanes, and only with them.
            self.lane(DType::F64)?;
            if !(self.ilane(*a) && self.ilane(*b)) {
                return None;
            }
            self.int_invariants(*a);
            self.int_invariants(*b);
            self.plan.int_masks = true;
            return Some(());
        }
        self.vexpr(*a)?;
        self.vexpr(*b)
    }

    /// Whether `e` is an `int64` lane expression: constants, the loop variable, locals
    /// the loop does not assign, int64 locals it assigned earlier in lanes, and wrapping
    /// `+ - *`, `-x` and `abs` of them (the scalar loop's wrapping operations, lane by
    /// lane; none of them can raise).
    fn ilane(&self, e: ExprId) -> bool {
        let f = self.g.f;
        if self.ty(e) != &Ty::Scalar(DType::I64) || self.g.cx.facts.checked[e.index()] {
            return false;
        }
        match f.get(e) {
            Expr::Const(_) => true,
            Expr::Local(l) => {
                *l == self.var
                    || (self.plan.int_locals.contains(l) && self.defined.contains(l))
                    || (!self.assigned.contains_key(l)
                        && f.local_decl(*l).ty == Ty::Scalar(DType::I64))
            }
            Expr::Binary(BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul, a, b) => {
                self.ilane(*a) && self.ilane(*b)
            }
            Expr::Unary(UnaryOp::Neg | UnaryOp::Abs, a) => self.ilane(*a),
            _ => false,
        }
    }

    /// Notes the locals an [`Self::ilane`] expression reads that the loop never assigns.
    fn int_invariants(&mut self, e: ExprId) {
        match *self.g.f.get(e) {
            Expr::Local(l) => {
                if l != self.var
                    && !self.assigned.contains_key(&l)
                    && !self.plan.int_invariants.contains(&l)
                {
                    self.plan.int_invariants.push(l);
                }
            }
            Expr::Binary(_, a, b) => {
                self.int_invariants(a);
                self.int_invariants(b);
            }
            Expr::Unary(_, a) => self.int_invariants(a),
            _ => {}
        }
    }

    /// A lane expression.
    fn vexpr(&mut self, e: ExprId) -> Option<()> {
        let f = self.g.f;
        let d = self.ty(e).scalar()?;
        self.lane(d)?;
        match f.get(e) {
            Expr::Const(s) => (s.dtype() == d).then_some(()),
            Expr::Local(l) => {
                self.read(e)?;
                if f.local_decl(*l).ty != Ty::Scalar(d) || *l == self.var {
                    return None;
                }
                if self.assigned.contains_key(l) {
                    self.defined.contains(l).then_some(())
                } else {
                    if !self.plan.invariants.contains(l) {
                        self.plan.invariants.push(*l);
                    }
                    Some(())
                }
            }
            Expr::Load(a, index) => {
                if !self.plan.loads.contains_key(&e) {
                    let k = self.access(*a, index, false, None)?;
                    self.plan.loads.insert(e, k);
                }
                Some(())
            }
            // A load of a narrower array, converted in lanes (`a[i] / 255.0` of a uint8
            // image).
            Expr::Cast(x, _) => {
                if let Expr::Local(l) = f.get(*x)
                    && let Some(&k) = self.narrow.get(l)
                {
                    lane_cast(DType::F32, d)?;
                    self.plan.loads.insert(*x, k);
                    return Some(());
                }
                let Expr::Load(a, index) = f.get(*x) else {
                    return None;
                };
                let from = self.ty(*x).scalar()?;
                lane_cast(from, d)?;
                if !self.plan.loads.contains_key(x) {
                    let k = self.access(*a, index, false, Some(from))?;
                    self.plan.loads.insert(*x, k);
                }
                Some(())
            }
            Expr::Binary(op, a, b) => {
                let inline = inline_binary(*op) && !op.is_comparison();
                if !(inline || vmath::find_lanes(lane_op(f, *op, *b), d).is_some())
                    || self.ty(*a) != self.ty(e)
                    || self.ty(*b) != self.ty(e)
                {
                    return None;
                }
                self.vexpr(*a)?;
                self.vexpr(*b)
            }
            Expr::Unary(op, a) => {
                let inline = inline_unary(*op);
                if !(inline || vmath::find_lanes(VmathOp::Unary(*op), d).is_some())
                    || self.ty(*a) != self.ty(e)
                {
                    return None;
                }
                self.vexpr(*a)
            }
            Expr::Cond(c, a, b) => {
                self.mask(*c)?;
                self.vexpr(*a)?;
                self.vexpr(*b)
            }
            // Python's float `/`: the step checks every lane's divisor first, before any
            // store of the step.
            Expr::PyDiv(BinaryOp::TrueDiv, a, b) => {
                if self.stored || self.ty(*a) != self.ty(e) || self.ty(*b) != self.ty(e) {
                    return None;
                }
                self.plan.bails = true;
                self.vexpr(*a)?;
                self.vexpr(*b)
            }
            _ => None,
        }
    }
}

/// The wasm locals of a vector part being emitted.
struct Lanes {
    /// Each access's byte pointer (`i32`), at the current vector step.
    ptr: Vec<u32>,
    /// Each invariant load's value, splat.
    splat: HashMap<usize, u32>,
    /// Each invariant local's value, splat (int64 ones as `i64x2`).
    invariant: HashMap<LocalId, u32>,
    /// With int64 masks: the loop variable's two lanes at the current step.
    ivar: Option<u32>,
    /// Every `v128` local of the loop body, released after it.
    values: Vec<u32>,
    /// The block a step with a zero divisor leaves, before it stores anything.
    bail: Option<Label>,
    /// Under a masked branch or `Cond` arm that calls a lane function: the `v128` local of
    /// the lanes whose results are kept. The calls there get a harmless argument in the
    /// other lanes, so that a lane the branch does not keep (a negative base of `v ** 2.2`
    /// the `if` excludes) cannot send the vector down the function's slow path; the kept
    /// lanes' results are unchanged, as every lane is computed on its own.
    active: Cell<Option<u32>>,
    /// Where the loop runs its calls over strips (see [`Strips`]), and which pass of a
    /// strip is being emitted.
    strips: Option<Strips>,
}

/// A loop that runs its vmath calls over strips: each strip of up to [`STRIP_BYTES`] bytes
/// of elements is run twice, the first pass storing each call's operands into the
/// thread's scratch memory (stores to arrays left out), then one call of the engine's
/// block function per call site computes them all (the expression VM's block loops), and
/// the second pass runs the body with each call's result loaded from the scratch. One
/// call per strip instead of one per vector: the engine's block loops keep two vectors in
/// flight and pay the call once.
struct Strips {
    /// The scratch's address (`i32`).
    base: u32,
    /// The current vector's byte offset within the strip (`i32`).
    offset: u32,
    /// The pass: `p` collects the operands of the sites of level `p` (see
    /// [`Gen::strip_levels`]), `last` uses the results.
    pass: Cell<usize>,
    last: usize,
    /// The next call site, in emission order (every pass numbers the sites alike).
    site: Cell<usize>,
    /// Each call site's level: the sites it takes a result from have lower levels.
    levels: Vec<usize>,
    /// Each call site, as the pass of its level found it.
    sites: std::cell::RefCell<Vec<Option<Site>>>,
}

impl Strips {
    /// Whether this pass only collects operands (stores and reductions wait for the last).
    fn collecting(&self) -> bool {
        self.pass.get() < self.last
    }
}

/// One call site of a loop over strips: the operation, its constant exponent, and where
/// each operand comes from: `Some(k)`, access `k`'s elements themselves (an operand that
/// is a plain load the strip reads one vector per step, not under a mask), which the
/// block function reads in place; `None`, the scratch, where the first pass stored it.
#[derive(Clone)]
struct Site {
    op: VmathOp,
    k: Option<Scalar>,
    from: Vec<Option<usize>>,
}

/// An address a block call takes: an `i32` local holding it, or an offset into the
/// scratch whose address a local holds.
#[derive(Clone, Copy)]
enum Addr {
    At(u32),
    Scratch(u32, u64),
}

/// A loop that is a chain of calls per element, `out[i] = f(g(a[i]), b[i])`: each step
/// an operation, its constant exponent and its operands, the last step's result stored
/// into access `to`.
#[derive(Clone)]
struct PureMap {
    steps: Vec<MapStep>,
    to: usize,
}

/// One call of a [`PureMap`]: its operands are accesses' elements (`Some(k)`) or the
/// previous step's result (`None`).
#[derive(Clone)]
struct MapStep {
    op: VmathOp,
    k: Option<Scalar>,
    from: Vec<Option<usize>>,
}

/// The most calls a [`PureMap`] chains.
const MAX_MAP_STEPS: usize = 8;

/// The bytes of one strip of one operand: 512 float64 or 1024 float32 elements.
const STRIP_BYTES: u32 = 4096;

/// The most call sites a loop runs over strips (each takes two strips of scratch).
const MAX_STRIP_SITES: usize = 8;

/// The most levels of calls taking other calls' results that a loop runs over strips (a
/// pass over each strip per level).
const MAX_STRIP_LEVELS: usize = 4;

/// The fewest vector iterations that run over strips: below it the calls go one per
/// vector (the scratch and the second pass cost more than they save). Short loops gain
/// too: a lane call pays a call's fixed cost (the call, the function's constants) per
/// vector, a block call once per strip (Node, a 21-element row loop, 1 thread: `x ** 2.2`
/// 22.2 -> 15.0 ns an element and `math.exp` 7.7 -> 5.0 ns at 8, against 64 before).
const MIN_STRIPPED: i64 = 8;

impl Strips {
    /// The scratch offset of call site `k`'s operand `arg` (0 or 1); its result goes over
    /// operand 0.
    fn at(k: usize, arg: u32) -> u64 {
        u64::from((2 * k as u32 + arg) * STRIP_BYTES)
    }
}

impl Gen<'_, '_> {
    /// `x` when `e` is `cast.f32(x)` of a float64 `x`: a value the lanes keep in float64
    /// and a store into a float32 array demotes.
    fn demoted(&self, e: ExprId) -> Option<ExprId> {
        match self.f.get(e) {
            Expr::Cast(x, DType::F32) if self.f.ty(*x) == &Ty::Scalar(DType::F64) => Some(*x),
            _ => None,
        }
    }

    /// The plan of `for var in range(.., .., step): body` when it qualifies for lanes.
    pub(super) fn simd_plan(&self, var: LocalId, step: ExprId, body: &[Stmt]) -> Option<Plan> {
        let f = self.f;
        match f.get(step) {
            Expr::Const(s) if s.dtype().is_int() && *s == Scalar::from_i128(1, s.dtype()) => {}
            _ => return None,
        }
        if f.local_decl(var).ty != Ty::Scalar(DType::I64) {
            return None;
        }
        let mut assigned = HashMap::new();
        assigned_in(body, &mut assigned);
        if assigned.contains_key(&var) {
            return None;
        }
        let mut scan = Scan {
            g: self,
            var,
            assigned,
            defined: HashSet::new(),
            forms: HashMap::new(),
            alias: HashMap::new(),
            dtype: None,
            plan: Plan {
                dtype: DType::F64,
                aliases: Vec::new(),
                ints: Vec::new(),
                accesses: Vec::new(),
                loads: HashMap::new(),
                stores: Vec::new(),
                invariants: Vec::new(),
                bails: false,
                int_masks: false,
                int_locals: HashSet::new(),
                int_invariants: Vec::new(),
                accs: HashMap::new(),
                demoted: HashSet::new(),
            },
            stored: false,
            reads: crate::kir::parallel::read_counts(f, body),
            promoted: vec![0; f.locals.len()],
            stored_whole: vec![0; f.locals.len()],
            narrow: HashMap::new(),
        };
        crate::kir::parallel::each_expr_of(f, body, &mut |e| {
            if let Expr::Cast(x, DType::F64) = f.get(e)
                && let Expr::Local(l) = f.get(*x)
            {
                scan.promoted[l.index()] += 1;
            }
        });
        for st in body {
            if let Stmt::Store { value, .. } = st
                && let Expr::Local(l) = f.get(*value)
            {
                scan.stored_whole[l.index()] += 1;
            }
        }
        scan.stmts(body, true)?;
        let mut plan = scan.plan;
        plan.dtype = scan.dtype?;
        // A reduction alone gains from lanes only where its element calls a lane function
        // (a plain sum's fold is as long as the scalar loop).
        (!plan.stores.is_empty() || (!plan.accs.is_empty() && self.count_calls_in(body) > 0))
            .then_some(plan)
    }

    /// The array local's descriptor fields: data, extents, strides.
    fn fields(&self, l: LocalId) -> (u32, Vec<u32>, Vec<u32>) {
        match &self.locals[l.index()].slot {
            Slot::Array(a) => (a.data, a.ext.clone(), a.stride.clone()),
            _ => unreachable!("the plan's arrays are array locals"),
        }
    }

    /// The vector part of a qualifying loop, before its scalar loop: the run-time checks,
    /// then as many vector steps as leave at least one iteration, advancing the range's
    /// `cur` and `count` (`i64` locals) past them.
    pub(super) fn simd_prefix(
        &mut self,
        plan: &Plan,
        var: LocalId,
        body: &[Stmt],
        cur: u32,
        count: u32,
    ) -> Result<(), Unsupported> {
        let lanes = plan.lanes();
        let d = plan.dtype;
        let shift = shift_of(d);
        let done = self.c.block(BlockType::Empty);
        self.c.push(I::LocalGet(count));
        self.c.push(I::I64Const(lanes));
        self.c.push(I::I64LeU);
        self.c.push(I::LocalGet(count));
        self.c.push(I::I64Const(1 << 31));
        self.c.push(I::I64GeU);
        self.c.push(I::I32Or);
        self.c.br_if(done);
        for &(l, e) in &plan.aliases {
            self.stmt(&Stmt::Assign(l, e))?;
        }
        // The indices at the first iteration, and the last index at the second.
        let mut first: Vec<Vec<u32>> = Vec::new();
        let mut second: Vec<Option<u32>> = Vec::new();
        for step in 0..2 {
            self.c.push(I::LocalGet(cur));
            if step == 1 {
                self.c.push(I::I64Const(1));
                self.c.push(I::I64Add);
            }
            self.set_local(var);
            for &(l, e) in &plan.ints {
                self.stmt(&Stmt::Assign(l, e))?;
            }
            for a in &plan.accesses {
                if step == 0 {
                    let mut ts = Vec::new();
                    for &i in &a.index {
                        ts.push(self.index_value(i)?);
                    }
                    first.push(ts);
                } else if a.affine {
                    let &last = a.index.last().expect("an index");
                    second.push(Some(self.index_value(last)?));
                } else {
                    second.push(None);
                }
            }
        }
        // nv = (count - 1) & -lanes: the iterations of the vector part.
        let nv = self.c.temp(ValType::I64);
        self.c.push(I::LocalGet(count));
        self.c.push(I::I64Const(1));
        self.c.push(I::I64Sub);
        self.c.push(I::I64Const(-lanes));
        self.c.push(I::I64And);
        self.c.push(I::LocalSet(nv));
        self.c.push(I::I32Const(1));
        for (k, a) in plan.accesses.iter().enumerate() {
            let (_, ext, stride) = self.fields(a.array);
            let last = a.index.len() - 1;
            for (axis, &t) in first[k].iter().enumerate() {
                self.c.push(I::LocalGet(t));
                self.c.push(I::LocalGet(ext[axis]));
                self.c.push(I::I64LtU);
                self.c.push(I::I32And);
            }
            if let Some(t1) = second[k] {
                let t0 = first[k][last];
                self.c.push(I::LocalGet(t1));
                self.c.push(I::LocalGet(t0));
                self.c.push(I::I64Sub);
                self.c.push(I::I64Const(1));
                self.c.push(I::I64Eq);
                self.c.push(I::I32And);
                self.c.push(I::LocalGet(t0));
                self.c.push(I::LocalGet(nv));
                self.c.push(I::I64Add);
                self.c.push(I::LocalGet(ext[last]));
                self.c.push(I::I64LeU);
                self.c.push(I::I32And);
                self.c.push(I::LocalGet(stride[last]));
                self.c.push(I::I32Const(1));
                self.c.push(I::I32Eq);
                self.c.push(I::I32And);
            }
        }
        self.c.push(I::I32Eqz);
        self.c.br_if(done);
        // Each access's byte pointer at the first iteration.
        let mut lanes_ = Lanes {
            ptr: Vec::new(),
            splat: HashMap::new(),
            invariant: HashMap::new(),
            values: Vec::new(),
            bail: None,
            active: Cell::new(None),
            ivar: None,
            strips: None,
        };
        for (k, a) in plan.accesses.iter().enumerate() {
            let (data, _, stride) = self.fields(a.array);
            let p = self.c.temp(ValType::I32);
            self.c.push(I::LocalGet(data));
            for (axis, &t) in first[k].iter().enumerate() {
                self.c.push(I::LocalGet(t));
                self.c.push(I::I32WrapI64);
                self.c.push(I::LocalGet(stride[axis]));
                self.c.push(I::I32Mul);
                if axis > 0 {
                    self.c.push(I::I32Add);
                }
            }
            let shift = shift_of(a.dtype);
            if shift > 0 {
                self.c.push(I::I32Const(shift as i32));
                self.c.push(I::I32Shl);
            }
            self.c.push(I::I32Add);
            self.c.push(I::LocalSet(p));
            lanes_.ptr.push(p);
        }
        for t in first
            .into_iter()
            .flatten()
            .chain(second.into_iter().flatten())
        {
            self.c.release(ValType::I64, t);
        }
        // No store may touch what another access touches, unless both cover the same
        // elements (of the same dtype).
        let bytes = self.c.temp(ValType::I64);
        self.c.push(I::LocalGet(nv));
        self.c.push(I::I64Const(i64::from(shift)));
        self.c.push(I::I64Shl);
        self.c.push(I::LocalSet(bytes));
        self.c.push(I::I32Const(1));
        let mut pairs = 0;
        for (s, sa) in plan.accesses.iter().enumerate() {
            if !sa.store {
                continue;
            }
            for (x, xa) in plan.accesses.iter().enumerate() {
                if x == s || (xa.store && x < s) {
                    continue;
                }
                pairs += 1;
                let (ps, px) = (lanes_.ptr[s], lanes_.ptr[x]);
                // end(s) <= start(x)
                self.c.push(I::LocalGet(ps));
                self.c.push(I::I64ExtendI32U);
                self.c.push(I::LocalGet(bytes));
                self.c.push(I::I64Add);
                self.c.push(I::LocalGet(px));
                self.c.push(I::I64ExtendI32U);
                self.c.push(I::I64LeU);
                // end(x) <= start(s)
                self.c.push(I::LocalGet(px));
                self.c.push(I::I64ExtendI32U);
                if xa.affine && xa.dtype == d {
                    self.c.push(I::LocalGet(bytes));
                } else if xa.affine {
                    self.c.push(I::LocalGet(nv));
                    self.c.push(I::I64Const(i64::from(shift_of(xa.dtype))));
                    self.c.push(I::I64Shl);
                } else {
                    self.c.push(I::I64Const(i64::from(xa.dtype.size() as u32)));
                }
                self.c.push(I::I64Add);
                self.c.push(I::LocalGet(ps));
                self.c.push(I::I64ExtendI32U);
                self.c.push(I::I64LeU);
                self.c.push(I::I32Or);
                if xa.affine && xa.dtype == d {
                    self.c.push(I::LocalGet(ps));
                    self.c.push(I::LocalGet(px));
                    self.c.push(I::I32Eq);
                    self.c.push(I::I32Or);
                }
                self.c.push(I::I32And);
            }
        }
        self.c.push(I::I32Eqz);
        if pairs == 0 {
            self.c.push(I::Drop);
        } else {
            self.c.br_if(done);
        }
        self.c.release(ValType::I64, bytes);
        // Splats of what the loop reads but never changes.
        for (k, a) in plan.accesses.iter().enumerate() {
            if a.affine {
                continue;
            }
            let v = self.c.temp(ValType::V128);
            self.c.push(I::LocalGet(lanes_.ptr[k]));
            self.c.push(load(a.dtype));
            scalar::cast(&mut self.c, a.dtype, d, scalar::Cast::Kernel);
            self.c.push(splat(d));
            self.c.push(I::LocalSet(v));
            lanes_.splat.insert(k, v);
        }
        for &l in &plan.invariants {
            let Slot::Scalar(x) = self.locals[l.index()].slot else {
                unreachable!("a float local is a scalar");
            };
            let v = self.c.temp(ValType::V128);
            self.c.push(I::LocalGet(x));
            self.c.push(splat(d));
            self.c.push(I::LocalSet(v));
            lanes_.invariant.insert(l, v);
        }
        if plan.int_masks {
            for &l in &plan.int_invariants {
                let Slot::Scalar(x) = self.locals[l.index()].slot else {
                    unreachable!("an int64 local is a scalar");
                };
                let v = self.c.temp(ValType::V128);
                self.c.push(I::LocalGet(x));
                self.c.push(I::I64x2Splat);
                self.c.push(I::LocalSet(v));
                lanes_.invariant.insert(l, v);
            }
            // [cur, cur + 1]: the loop variable at the step's two iterations.
            let v = self.c.temp(ValType::V128);
            self.c.push(I::LocalGet(cur));
            self.c.push(I::I64x2Splat);
            self.c.push(I::V128Const(i128::from_le_bytes(i64x2(0, 1))));
            self.c.push(I::I64x2Add);
            self.c.push(I::LocalSet(v));
            lanes_.ivar = Some(v);
        }
        // Calls over strips where the loop is long enough (else, and where the scratch
        // cannot be had, the vector steps below).
        let sites = self.count_calls_in(body);
        let can_strip = !plan.bails && (1..=MAX_STRIP_SITES).contains(&sites);
        let levels = if !can_strip {
            None
        } else if self.strippable(body, &mut HashSet::new()) {
            Some(vec![0; sites])
        } else {
            self.strip_levels(body)
        };
        let stripped = can_strip && (levels.is_some() || self.pure_map(plan, body).is_some());
        let plain_done = stripped.then(|| self.c.block(BlockType::Empty));
        if let Some(exit) = plain_done {
            self.strip_loop(plan, &mut lanes_, body, nv, levels, exit)?;
        }
        // The vector steps, counted down in an i32 (nv < 2^31).
        let left = self.c.temp(ValType::I32);
        self.c.push(I::LocalGet(nv));
        self.c.push(I::I32WrapI64);
        self.c.push(I::LocalSet(left));
        // With a raising division, each step advances the range itself, so that a step
        // left early leaves the range at its first iteration.
        if plan.bails {
            lanes_.bail = Some(self.c.block(BlockType::Empty));
        }
        let head = self.c.loop_(BlockType::Empty);
        let mut env = HashMap::new();
        let mut stores = 0;
        self.vbody(plan, &mut lanes_, body, &mut env, &mut stores)?;
        self.bump(plan, &lanes_);
        let advance = |g: &mut Self, by: u32| {
            g.c.push(I::LocalGet(cur));
            g.c.push(I::LocalGet(by));
            g.c.push(I::I64Add);
            g.c.push(I::LocalSet(cur));
            g.c.push(I::LocalGet(count));
            g.c.push(I::LocalGet(by));
            g.c.push(I::I64Sub);
            g.c.push(I::LocalSet(count));
        };
        let step = self.c.temp(ValType::I64);
        if plan.bails {
            self.c.push(I::I64Const(lanes));
            self.c.push(I::LocalSet(step));
            advance(self, step);
        }
        self.c.push(I::LocalGet(left));
        self.c.push(I::I32Const(lanes as i32));
        self.c.push(I::I32Sub);
        self.c.push(I::LocalTee(left));
        self.c.br_if(head);
        self.c.end();
        if plain_done.is_some() {
            self.c.end();
        }
        if plan.bails {
            self.c.end();
        } else {
            advance(self, nv);
        }
        self.c.release(ValType::I64, step);
        self.c.end();
        self.c.release(ValType::I32, left);
        self.c.release(ValType::I64, nv);
        for p in lanes_.ptr {
            self.c.release(ValType::I32, p);
        }
        for v in lanes_
            .splat
            .into_values()
            .chain(lanes_.invariant.into_values())
            .chain(lanes_.ivar)
            .chain(lanes_.values)
        {
            self.c.release(ValType::V128, v);
        }
        Ok(())
    }

    /// The vector part over strips (see [`Strips`]), when there are at least
    /// [`MIN_STRIPPED`] vector steps and the scratch can be had; then branches to `exit`,
    /// past the one-call-per-vector loop. Leaves the access pointers (and the loop
    /// variable's lanes) past the `nv` iterations, as that loop does.
    fn strip_loop(
        &mut self,
        plan: &Plan,
        lanes: &mut Lanes,
        body: &[Stmt],
        nv: u32,
        levels: Option<Vec<usize>>,
        exit: Label,
    ) -> Result<(), Unsupported> {
        let d = plan.dtype;
        let step = plan.lanes();
        let per = (STRIP_BYTES / d.size() as u32) as i32;
        let skip = self.c.block(BlockType::Empty);
        self.c.push(I::LocalGet(nv));
        self.c.push(I::I64Const(MIN_STRIPPED * step));
        self.c.push(I::I64LtU);
        self.c.br_if(skip);
        if let Some(map) = self.pure_map(plan, body) {
            self.map_strips(plan, lanes, &map, nv, per, skip);
            self.c.br(exit);
            self.c.end();
            return Ok(());
        }
        let levels = levels.expect("a pure map or the sites' levels");
        let sites = levels.len();
        let last = levels.iter().max().map_or(1, |m| m + 1);
        let base = self.c.temp(ValType::I32);
        self.c
            .push(I::I32Const((2 * sites as u32 * STRIP_BYTES) as i32));
        let scratch = self.helpers.scratch();
        self.c.call(scratch);
        self.c.push(I::LocalTee(base));
        self.c.push(I::I32Eqz);
        self.c.br_if(skip);
        let offset = self.c.temp(ValType::I32);
        lanes.strips = Some(Strips {
            base,
            offset,
            pass: Cell::new(0),
            last,
            site: Cell::new(0),
            levels,
            sites: std::cell::RefCell::new(vec![None; sites]),
        });
        let [left, strip, steps] = [(); 3].map(|()| self.c.temp(ValType::I32));
        self.c.push(I::LocalGet(nv));
        self.c.push(I::I32WrapI64);
        self.c.push(I::LocalSet(left));
        // Each affine access's pointer at the strip's start, by access.
        let saved: Vec<(usize, u32, u32)> = plan
            .accesses
            .iter()
            .enumerate()
            .filter(|(_, a)| a.affine)
            .map(|(k, _)| (k, lanes.ptr[k], self.c.temp(ValType::I32)))
            .collect();
        let saved_ivar = lanes.ivar.map(|v| (v, self.c.temp(ValType::V128)));
        let outer = self.strip_head(left, strip, per);
        for &(_, p, t) in &saved {
            self.c.push(I::LocalGet(p));
            self.c.push(I::LocalSet(t));
        }
        if let Some((v, t)) = saved_ivar {
            self.c.push(I::LocalGet(v));
            self.c.push(I::LocalSet(t));
        }
        for pass in 0..=last {
            if pass > 0 {
                for &(_, p, t) in &saved {
                    self.c.push(I::LocalGet(t));
                    self.c.push(I::LocalSet(p));
                }
                if let Some((v, t)) = saved_ivar {
                    self.c.push(I::LocalGet(t));
                    self.c.push(I::LocalSet(v));
                }
            }
            let st = lanes.strips.as_ref().expect("strips");
            st.pass.set(pass);
            st.site.set(0);
            self.c.push(I::I32Const(0));
            self.c.push(I::LocalSet(offset));
            self.c.push(I::LocalGet(strip));
            self.c.push(I::LocalSet(steps));
            let head = self.c.loop_(BlockType::Empty);
            let mut env = HashMap::new();
            let mut stores = 0;
            self.vbody(plan, lanes, body, &mut env, &mut stores)?;
            self.bump(plan, lanes);
            self.c.push(I::LocalGet(offset));
            self.c.push(I::I32Const(16));
            self.c.push(I::I32Add);
            self.c.push(I::LocalSet(offset));
            self.c.push(I::LocalGet(steps));
            self.c.push(I::I32Const(step as i32));
            self.c.push(I::I32Sub);
            self.c.push(I::LocalTee(steps));
            self.c.br_if(head);
            self.c.end();
            if pass < last {
                // Every site of this level: its strip through the engine's block
                // function, in place.
                let st = lanes.strips.as_ref().expect("strips");
                let sites: Vec<(usize, Site)> = st
                    .sites
                    .borrow()
                    .iter()
                    .enumerate()
                    .filter(|&(k, _)| st.levels[k] == pass)
                    .map(|(k, s)| (k, s.clone().expect("a collected site")))
                    .collect();
                for (k, site) in sites {
                    // An operand read in place: its access's pointer at the strip's start.
                    let operand = |arg: usize| {
                        site.from
                            .get(arg)
                            .copied()
                            .flatten()
                            .and_then(|a| saved.iter().find(|s| s.0 == a))
                            .map_or(Addr::Scratch(base, Strips::at(k, arg as u32)), |s| {
                                Addr::At(s.2)
                            })
                    };
                    let (a, b) = (operand(0), operand(1));
                    let out = Addr::Scratch(base, Strips::at(k, 0));
                    self.block_call(d, site.op, site.k, [a, b, out], strip);
                }
            }
        }
        self.strip_tail(left, strip, outer);
        self.c.br(exit);
        self.c.end();
        lanes.strips = None;
        for t in [base, offset, left, strip, steps]
            .into_iter()
            .chain(saved.into_iter().map(|(_, _, t)| t))
        {
            self.c.release(ValType::I32, t);
        }
        if let Some((_, t)) = saved_ivar {
            self.c.release(ValType::V128, t);
        }
        Ok(())
    }

    /// The loop as block calls, when its body is `out[i] = f(g(x[i]), y[i] ...)`: lane
    /// locals that hold a load or such a chain, then one store of a chain whose innermost
    /// operands are loads stepping through the loop. Each call takes at most one operand
    /// from an inner call (a chain, not a tree). `None` for anything else.
    fn pure_map(&self, plan: &Plan, body: &[Stmt]) -> Option<PureMap> {
        if plan.int_masks {
            return None;
        }
        let f = self.f;
        // Lane locals holding a stepping load, and those holding a chain.
        let mut alias: HashMap<LocalId, usize> = HashMap::new();
        let mut called: HashMap<LocalId, Vec<MapStep>> = HashMap::new();
        let mut map = None;
        for st in body {
            match st {
                Stmt::Assign(l, e) if f.local_decl(*l).ty == Ty::Scalar(plan.dtype) => {
                    if let Some(k) = self.stepping(plan, *e) {
                        alias.insert(*l, k);
                    } else {
                        called.insert(*l, self.chain(plan, *e, &alias, &called)?);
                    }
                }
                Stmt::Assign(..) => {}
                Stmt::Store { value, .. } if map.is_none() => {
                    let steps = match f.get(*value) {
                        Expr::Local(l) => called.get(l).cloned()?,
                        _ => self.chain(plan, *value, &alias, &called)?,
                    };
                    let to = plan.stores.first().copied().filter(|&k| {
                        plan.accesses[k].affine && plan.accesses[k].dtype == plan.dtype
                    })?;
                    map = Some(PureMap { steps, to });
                }
                _ => return None,
            }
        }
        map
    }

    /// The access whose load `e` is, when it steps through the loop.
    fn stepping(&self, plan: &Plan, e: ExprId) -> Option<usize> {
        plan.loads
            .get(&e)
            .copied()
            .filter(|&k| plan.accesses[k].affine)
    }

    /// The chain of calls computing `e` ([`Gen::pure_map`]), innermost first.
    fn chain(
        &self,
        plan: &Plan,
        e: ExprId,
        alias: &HashMap<LocalId, usize>,
        called: &HashMap<LocalId, Vec<MapStep>>,
    ) -> Option<Vec<MapStep>> {
        let (op, k) = self.call_of(e)?;
        let mut steps: Option<Vec<MapStep>> = None;
        let mut from = Vec::new();
        for x in self.call_operands(e, op) {
            let inner = match self.f.get(x) {
                Expr::Local(l) => match alias.get(l) {
                    Some(&k) => {
                        from.push(Some(k));
                        continue;
                    }
                    None => called.get(l)?.clone(),
                },
                _ => match self.stepping(plan, x) {
                    Some(k) => {
                        from.push(Some(k));
                        continue;
                    }
                    None => self.chain(plan, x, alias, called)?,
                },
            };
            // One inner chain per call.
            if steps.replace(inner).is_some() {
                return None;
            }
            from.push(None);
        }
        let mut steps = steps.unwrap_or_default();
        steps.push(MapStep { op, k, from });
        (steps.len() <= MAX_MAP_STEPS).then_some(steps)
    }

    /// [`Gen::pure_map`]'s loop: per strip, one block call per step, the inner steps'
    /// results in one strip of the thread's scratch (each step reads and writes it in
    /// place, element by element), the last one's straight into the stored array; then
    /// the pointers past the `nv` iterations. A chain skips to `skip` (the vector steps)
    /// when the scratch cannot be had.
    fn map_strips(
        &mut self,
        plan: &Plan,
        lanes: &Lanes,
        map: &PureMap,
        nv: u32,
        per: i32,
        skip: Label,
    ) {
        let d = plan.dtype;
        let scratch = (map.steps.len() > 1).then(|| {
            let base = self.c.temp(ValType::I32);
            self.c.push(I::I32Const(STRIP_BYTES as i32));
            let scratch = self.helpers.scratch();
            self.c.call(scratch);
            self.c.push(I::LocalTee(base));
            self.c.push(I::I32Eqz);
            self.c.br_if(skip);
            base
        });
        let [left, strip] = [(); 2].map(|()| self.c.temp(ValType::I32));
        self.c.push(I::LocalGet(nv));
        self.c.push(I::I32WrapI64);
        self.c.push(I::LocalSet(left));
        let outer = self.strip_head(left, strip, per);
        let inner = scratch.map(|base| Addr::Scratch(base, 0));
        for (i, step) in map.steps.iter().enumerate() {
            let addr = |from: Option<usize>| match from {
                Some(k) => Addr::At(lanes.ptr[k]),
                None => inner.expect("an inner step's result is in the scratch"),
            };
            let a = addr(step.from[0]);
            let b = step.from.get(1).map_or(a, |&x| addr(x));
            let out = if i + 1 == map.steps.len() {
                Addr::At(lanes.ptr[map.to])
            } else {
                inner.expect("a chain has the scratch")
            };
            self.block_call(d, step.op, step.k, [a, b, out], strip);
        }
        // Every stepping pointer past the strip.
        for (k, acc) in plan.accesses.iter().enumerate() {
            if acc.affine {
                let p = lanes.ptr[k];
                self.c.push(I::LocalGet(p));
                self.c.push(I::LocalGet(strip));
                self.c.push(I::I32Const(shift_of(acc.dtype) as i32));
                self.c.push(I::I32Shl);
                self.c.push(I::I32Add);
                self.c.push(I::LocalSet(p));
            }
        }
        self.strip_tail(left, strip, outer);
        self.c.release(ValType::I32, left);
        self.c.release(ValType::I32, strip);
        if let Some(base) = scratch {
            self.c.release(ValType::I32, base);
        }
    }

    /// Calls the engine's block function of `op` (constant exponent `k`) on `n` (a local)
    /// elements: operands at `a` and `b` (`b` read only for a binary `op`), result at
    /// `out`.
    fn block_call(
        &mut self,
        d: DType,
        op: VmathOp,
        k: Option<Scalar>,
        [a, b, out]: [Addr; 3],
        n: u32,
    ) {
        let code = vmath::find(op, DType::F64).expect("a vmath operation");
        let block = self.helpers.vmath_block(d);
        self.c.push(I::I32Const(code as i32));
        for at in [a, b] {
            self.push_addr(at);
        }
        scalar::constant(&mut self.c, k.unwrap_or(Scalar::F64(0.0)).cast(d));
        self.push_addr(out);
        self.c.push(I::LocalGet(n));
        self.c.call(block);
    }

    /// Pushes address `at`.
    fn push_addr(&mut self, at: Addr) {
        match at {
            Addr::At(p) => self.c.push(I::LocalGet(p)),
            Addr::Scratch(base, offset) => {
                self.c.push(I::LocalGet(base));
                self.c.push(I::I32Const(offset as i32));
                self.c.push(I::I32Add);
            }
        }
    }

    /// Opens the loop over strips: `strip = min(left, per)` at each turn.
    fn strip_head(&mut self, left: u32, strip: u32, per: i32) -> Label {
        let outer = self.c.loop_(BlockType::Empty);
        self.c.push(I::LocalGet(left));
        self.c.push(I::I32Const(per));
        self.c.push(I::LocalGet(left));
        self.c.push(I::I32Const(per));
        self.c.push(I::I32LtU);
        self.c.push(I::Select);
        self.c.push(I::LocalSet(strip));
        outer
    }

    /// Closes the loop over strips: `left -= strip`, again while some are left.
    fn strip_tail(&mut self, left: u32, strip: u32, outer: Label) {
        self.c.push(I::LocalGet(left));
        self.c.push(I::LocalGet(strip));
        self.c.push(I::I32Sub);
        self.c.push(I::LocalTee(left));
        self.c.br_if(outer);
        self.c.end();
    }

    /// Advances each affine access's pointer (and the loop variable's lanes) by one vector.
    fn bump(&mut self, plan: &Plan, lanes: &Lanes) {
        for (k, a) in plan.accesses.iter().enumerate() {
            if a.affine {
                let p = lanes.ptr[k];
                self.c.push(I::LocalGet(p));
                self.c
                    .push(I::I32Const((plan.lanes() as usize * a.dtype.size()) as i32));
                self.c.push(I::I32Add);
                self.c.push(I::LocalSet(p));
            }
        }
        if let Some(v) = lanes.ivar {
            self.c.push(I::LocalGet(v));
            self.c.push(I::V128Const(i128::from_le_bytes(i64x2(2, 2))));
            self.c.push(I::I64x2Add);
            self.c.push(I::LocalSet(v));
        }
    }

    /// Evaluates an index into a new `i64` temporary.
    fn index_value(&mut self, i: ExprId) -> Result<u32, Unsupported> {
        let d = self.scalar_ty(i)?;
        self.expr(i)?;
        scalar::to_i64(&mut self.c, d);
        let t = self.c.temp(ValType::I64);
        self.c.push(I::LocalSet(t));
        Ok(t)
    }

    /// One vector step of the body: `env` holds the `v128` local of each lane local
    /// assigned so far.
    fn vbody(
        &mut self,
        plan: &Plan,
        lanes: &mut Lanes,
        body: &[Stmt],
        env: &mut HashMap<LocalId, u32>,
        stores: &mut usize,
    ) -> Result<(), Unsupported> {
        let d = plan.dtype;
        for st in body {
            match st {
                Stmt::Assign(l, _) if plan.accs.contains_key(l) => {
                    let acc = plan.accs[l];
                    self.vexpr(plan, lanes, acc.x, env);
                    if lanes.strips.as_ref().is_some_and(Strips::collecting) {
                        // A collecting pass of a strip folds nothing.
                        self.c.push(I::Drop);
                        continue;
                    }
                    self.fold_lanes(plan, lanes, *l, acc);
                }
                Stmt::Assign(l, e) => {
                    if plan.int_masks && plan.int_locals.contains(l) {
                        self.ivexpr(lanes, *e, env);
                        let v = self.c.local(ValType::V128);
                        lanes.values.push(v);
                        self.c.push(I::LocalSet(v));
                        env.insert(*l, v);
                        continue;
                    }
                    // A demoted local holds its float64 lanes (the store demotes them).
                    let e = match self.demoted(*e) {
                        Some(x) if plan.demoted.contains(l) => x,
                        _ if self.f.local_decl(*l).ty != Ty::Scalar(d) => continue,
                        _ => *e,
                    };
                    self.vexpr(plan, lanes, e, env);
                    let v = self.c.local(ValType::V128);
                    lanes.values.push(v);
                    self.c.push(I::LocalSet(v));
                    env.insert(*l, v);
                }
                Stmt::Store { value, .. } => {
                    let k = plan.stores[*stores];
                    *stores += 1;
                    // A demoting store (float64 lanes into a float32 array): the value
                    // under its cast, then `f32.demote_f64` per lane.
                    let demote = plan.accesses[k].dtype != d;
                    let value = match self.demoted(*value) {
                        Some(x) if demote => x,
                        _ => *value,
                    };
                    if lanes.strips.as_ref().is_some_and(Strips::collecting) {
                        // A collecting pass of a strip stores nothing: it only collects
                        // the calls' operands.
                        self.vexpr(plan, lanes, value, env);
                        self.c.push(I::Drop);
                        continue;
                    }
                    self.c.push(I::LocalGet(lanes.ptr[k]));
                    self.vexpr(plan, lanes, value, env);
                    if demote {
                        self.c.push(I::F32x4DemoteF64x2Zero);
                        self.c.push(I::V128Store64Lane {
                            memarg: memarg(0, 2),
                            lane: 0,
                        });
                    } else {
                        self.c.push(I::V128Store(memarg(0, shift_of(d))));
                    }
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    self.vexpr(plan, lanes, *cond, env);
                    let m = self.c.local(ValType::V128);
                    lanes.values.push(m);
                    self.c.push(I::LocalSet(m));
                    let parent = lanes.active.get();
                    let mut yes = env.clone();
                    if self.calls_in(then) {
                        let a = self.narrow(parent, m, false);
                        lanes.values.push(a);
                        lanes.active.set(Some(a));
                    }
                    self.vbody(plan, lanes, then, &mut yes, stores)?;
                    lanes.active.set(parent);
                    let mut no = env.clone();
                    if self.calls_in(otherwise) {
                        let a = self.narrow(parent, m, true);
                        lanes.values.push(a);
                        lanes.active.set(Some(a));
                    }
                    self.vbody(plan, lanes, otherwise, &mut no, stores)?;
                    lanes.active.set(parent);
                    let mut merged = HashMap::new();
                    let mut keys: Vec<LocalId> = yes.keys().copied().collect();
                    keys.sort_by_key(|l| l.index());
                    for l in keys {
                        let (Some(&a), Some(&b)) = (yes.get(&l), no.get(&l)) else {
                            continue;
                        };
                        if a == b {
                            merged.insert(l, a);
                            continue;
                        }
                        let v = self.c.local(ValType::V128);
                        lanes.values.push(v);
                        self.c.push(I::LocalGet(a));
                        self.c.push(I::LocalGet(b));
                        self.c.push(I::LocalGet(m));
                        self.c.push(I::V128Bitselect);
                        self.c.push(I::LocalSet(v));
                        merged.insert(l, v);
                    }
                    *env = merged;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Folds the lanes on the stack into accumulator `l`, lane 0 first: `l = l op x[0]`,
    /// then `l = l op x[1]` ..., each the scalar loop's operation.
    fn fold_lanes(&mut self, plan: &Plan, lanes: &Lanes, l: LocalId, acc: Acc) {
        let d = plan.dtype;
        let Slot::Scalar(s) = self.locals[l.index()].slot else {
            unreachable!("an accumulator is a scalar");
        };
        let x = self.c.temp(ValType::V128);
        self.c.push(I::LocalSet(x));
        let f64_ = d == DType::F64;
        if acc.raising {
            self.c.push(I::LocalGet(x));
            scalar::zero(&mut self.c, d);
            self.c.push(splat(d));
            self.c.push(if f64_ { I::F64x2Eq } else { I::F32x4Eq });
            self.c.push(I::V128AnyTrue);
            self.c.br_if(lanes.bail.expect("a bail block"));
        }
        for lane in 0..plan.lanes() as u8 {
            let extract = if f64_ {
                I::F64x2ExtractLane(lane)
            } else {
                I::F32x4ExtractLane(lane)
            };
            if acc.left {
                self.c.push(I::LocalGet(s));
                self.c.push(I::LocalGet(x));
                self.c.push(extract);
            } else {
                self.c.push(I::LocalGet(x));
                self.c.push(extract);
                self.c.push(I::LocalGet(s));
            }
            scalar::binary(&mut self.c, acc.op, d, self.helpers)
                .expect("a float + - * / of the scalar loop");
            self.c.push(I::LocalSet(s));
        }
        self.c.release(ValType::V128, x);
    }

    /// Pushes the two `i64x2` lanes of an int64 lane expression (`Scan::ilane`).
    fn ivexpr(&mut self, lanes: &Lanes, e: ExprId, env: &HashMap<LocalId, u32>) {
        match self.f.get(e) {
            Expr::Const(s) => {
                scalar::constant(&mut self.c, *s);
                self.c.push(I::I64x2Splat);
            }
            Expr::Local(l) => {
                let v = env
                    .get(l)
                    .or_else(|| lanes.invariant.get(l))
                    .copied()
                    .or(lanes.ivar)
                    .expect("a planned int64 local");
                self.c.push(I::LocalGet(v));
            }
            Expr::Binary(op, a, b) => {
                // `x * 1`, `x + 0`, `x - 0` (the front end's `start + k * step` of a
                // range): x, since a 64-bit lane multiply is several instructions on
                // processors without one.
                let is = |e: ExprId, k: i64| matches!(self.f.get(e), Expr::Const(Scalar::I64(c)) if *c == k);
                let same = match op {
                    BinaryOp::Mul if is(*b, 1) => Some(*a),
                    BinaryOp::Mul if is(*a, 1) => Some(*b),
                    BinaryOp::Add if is(*b, 0) => Some(*a),
                    BinaryOp::Add if is(*a, 0) => Some(*b),
                    BinaryOp::Sub if is(*b, 0) => Some(*a),
                    _ => None,
                };
                if let Some(x) = same {
                    self.ivexpr(lanes, x, env);
                    return;
                }
                self.ivexpr(lanes, *a, env);
                self.ivexpr(lanes, *b, env);
                self.c.push(match op {
                    BinaryOp::Add => I::I64x2Add,
                    BinaryOp::Sub => I::I64x2Sub,
                    _ => I::I64x2Mul,
                });
            }
            Expr::Unary(op, a) => {
                self.ivexpr(lanes, *a, env);
                self.c.push(if *op == UnaryOp::Neg {
                    I::I64x2Neg
                } else {
                    I::I64x2Abs
                });
            }
            _ => unreachable!("an int64 lane expression"),
        }
    }

    /// Pushes the lanes of a lane expression (or, for a comparison, its mask).
    fn vexpr(&mut self, plan: &Plan, lanes: &Lanes, e: ExprId, env: &HashMap<LocalId, u32>) {
        let d = plan.dtype;
        // A call in a loop over strips: in the first pass, its operands into the scratch
        // (or, a plain load, read in place by the block function), and no call; in the
        // second, its result, from the scratch.
        if let Some(st) = &lanes.strips
            && let Some((op, k)) = self.call_of(e)
        {
            let site = st.site.get();
            let level = st.levels[site];
            let pass = st.pass.get();
            if level == pass {
                self.collect_call(plan, lanes, st, e, op, k, env);
            } else if level < pass {
                // Computed: its result (the sites inside it are numbered past).
                st.site.set(site + self.count_calls(e));
                self.c.push(I::LocalGet(st.base));
                self.c.push(I::LocalGet(st.offset));
                self.c.push(I::I32Add);
                self.c.push(I::V128Load(memarg(Strips::at(site, 0), 4)));
            } else {
                // Not yet: only the sites inside it that this pass collects.
                st.site.set(site + 1);
                for x in self.call_operands(e, op) {
                    self.vexpr(plan, lanes, x, env);
                    self.c.push(I::Drop);
                }
                self.c.push(I::V128Const(0));
            }
            return;
        }
        let f64_ = d == DType::F64;
        let pick = |a: I<'static>, b: I<'static>| if f64_ { a } else { b };
        match self.f.get(e) {
            Expr::Const(s) => {
                scalar::constant(&mut self.c, *s);
                self.c.push(splat(d));
            }
            Expr::Local(l) => {
                let v = env
                    .get(l)
                    .or_else(|| lanes.invariant.get(l))
                    .copied()
                    .expect("a planned local");
                self.c.push(I::LocalGet(v));
            }
            Expr::Load(..) => {
                let k = plan.loads[&e];
                if let Some(&v) = lanes.splat.get(&k) {
                    self.c.push(I::LocalGet(v));
                } else {
                    self.c.push(I::LocalGet(lanes.ptr[k]));
                    self.c.push(I::V128Load(memarg(0, shift_of(d))));
                }
            }
            Expr::Cast(x, _) => {
                let k = plan.loads[x];
                if let Some(&v) = lanes.splat.get(&k) {
                    self.c.push(I::LocalGet(v));
                } else {
                    self.c.push(I::LocalGet(lanes.ptr[k]));
                    for i in lane_cast(plan.accesses[k].dtype, d).expect("a planned cast") {
                        self.c.push(i);
                    }
                }
            }
            Expr::Binary(op, a, b) if self.f.ty(*a) == &Ty::Scalar(DType::I64) => {
                use BinaryOp as B;
                self.ivexpr(lanes, *a, env);
                self.ivexpr(lanes, *b, env);
                match op {
                    B::Lt => self.c.push(I::I64x2LtS),
                    B::Le => self.c.push(I::I64x2LeS),
                    B::Gt => self.c.push(I::I64x2GtS),
                    B::Ge => self.c.push(I::I64x2GeS),
                    B::Eq => self.c.push(I::I64x2Eq),
                    B::Ne => self.c.push(I::I64x2Ne),
                    _ => unreachable!("an int64 mask is a comparison"),
                }
            }
            Expr::Binary(op, a, b) => {
                use BinaryOp as B;
                self.vexpr(plan, lanes, *a, env);
                // A constant exponent runs the constant-power function, as in the scalar
                // loop: `x * x` for 2, else the lane function with the exponent as one
                // scalar.
                if let VmathOp::PowConst = lane_op(self.f, *op, *b) {
                    let Expr::Const(k) = self.f.get(*b) else {
                        unreachable!("a constant exponent");
                    };
                    if k.to_f64() == 2.0 {
                        let t = self.c.temp(ValType::V128);
                        self.c.push(I::LocalTee(t));
                        self.c.push(I::LocalGet(t));
                        self.c.push(pick(I::F64x2Mul, I::F32x4Mul));
                        self.c.release(ValType::V128, t);
                    } else {
                        self.call_lanes(lanes, VmathOp::PowConst, d, Some(*k));
                    }
                    return;
                }
                self.vexpr(plan, lanes, *b, env);
                match op {
                    B::Add | B::Sub | B::Mul | B::TrueDiv => {
                        self.c.push(lane_arith(*op, d).expect("float lanes"));
                    }
                    B::Lt => self.c.push(pick(I::F64x2Lt, I::F32x4Lt)),
                    B::Le => self.c.push(pick(I::F64x2Le, I::F32x4Le)),
                    B::Gt => self.c.push(pick(I::F64x2Gt, I::F32x4Gt)),
                    B::Ge => self.c.push(pick(I::F64x2Ge, I::F32x4Ge)),
                    B::Eq => self.c.push(pick(I::F64x2Eq, I::F32x4Eq)),
                    B::Ne => self.c.push(pick(I::F64x2Ne, I::F32x4Ne)),
                    // The magnitude of a, the sign of b, as `f64.copysign` lane by lane.
                    B::Copysign => {
                        let magnitude = if f64_ {
                            i128::from_le_bytes(u64x2(0x7fff_ffff_ffff_ffff))
                        } else {
                            i128::from_le_bytes(u32x4(0x7fff_ffff))
                        };
                        self.c.push(I::V128Const(magnitude));
                        self.c.push(I::V128Bitselect);
                    }
                    // The scalar selects (`scalar::binary`): maximum gives a where a is
                    // NaN or a > b, else b; fmax a where b is NaN or a >= b, else b;
                    // minimum and fmin likewise with < and <=.
                    B::Maximum | B::Minimum | B::Fmax | B::Fmin => {
                        let y = self.c.temp(ValType::V128);
                        let x = self.c.temp(ValType::V128);
                        self.c.push(I::LocalSet(y));
                        self.c.push(I::LocalTee(x));
                        self.c.push(I::LocalGet(y));
                        let nan_of = if matches!(op, B::Fmax | B::Fmin) {
                            y
                        } else {
                            x
                        };
                        self.c.push(I::LocalGet(nan_of));
                        self.c.push(I::LocalGet(nan_of));
                        self.c.push(pick(I::F64x2Ne, I::F32x4Ne));
                        self.c.push(I::LocalGet(x));
                        self.c.push(I::LocalGet(y));
                        self.c.push(match op {
                            B::Maximum => pick(I::F64x2Gt, I::F32x4Gt),
                            B::Minimum => pick(I::F64x2Lt, I::F32x4Lt),
                            B::Fmax => pick(I::F64x2Ge, I::F32x4Ge),
                            _ => pick(I::F64x2Le, I::F32x4Le),
                        });
                        self.c.push(I::V128Or);
                        self.c.push(I::V128Bitselect);
                        self.c.release(ValType::V128, x);
                        self.c.release(ValType::V128, y);
                    }
                    // `//`, `%`, `**`, `fmod`, `arctan2`, `hypot`, `nextafter`: the engine's
                    // lane functions.
                    _ => self.call_lanes(lanes, VmathOp::Binary(*op), d, None),
                }
            }
            Expr::Unary(op, a) => {
                use UnaryOp as U;
                self.vexpr(plan, lanes, *a, env);
                match op {
                    U::Neg => self.c.push(pick(I::F64x2Neg, I::F32x4Neg)),
                    U::Abs => self.c.push(pick(I::F64x2Abs, I::F32x4Abs)),
                    U::Sqrt => self.c.push(pick(I::F64x2Sqrt, I::F32x4Sqrt)),
                    U::Floor => self.c.push(pick(I::F64x2Floor, I::F32x4Floor)),
                    U::Ceil => self.c.push(pick(I::F64x2Ceil, I::F32x4Ceil)),
                    U::Trunc => self.c.push(pick(I::F64x2Trunc, I::F32x4Trunc)),
                    U::Rint => self.c.push(pick(I::F64x2Nearest, I::F32x4Nearest)),
                    U::Square => {
                        let t = self.c.temp(ValType::V128);
                        self.c.push(I::LocalTee(t));
                        self.c.push(I::LocalGet(t));
                        self.c.push(pick(I::F64x2Mul, I::F32x4Mul));
                        self.c.release(ValType::V128, t);
                    }
                    // The transcendentals: the engine's lane functions.
                    _ => self.call_lanes(lanes, VmathOp::Unary(*op), d, None),
                }
            }
            Expr::Cond(c, a, b) if self.calls(*a) || self.calls(*b) => {
                // The mask first, to narrow the active lanes of each arm's calls.
                self.vexpr(plan, lanes, *c, env);
                let m = self.c.temp(ValType::V128);
                self.c.push(I::LocalSet(m));
                let parent = lanes.active.get();
                for (arm, not) in [(*a, false), (*b, true)] {
                    let narrowed = self.calls(arm).then(|| self.narrow(parent, m, not));
                    lanes.active.set(narrowed.or(parent));
                    self.vexpr(plan, lanes, arm, env);
                    lanes.active.set(parent);
                    if let Some(t) = narrowed {
                        self.c.release(ValType::V128, t);
                    }
                }
                self.c.push(I::LocalGet(m));
                self.c.push(I::V128Bitselect);
                self.c.release(ValType::V128, m);
            }
            Expr::Cond(c, a, b) => {
                self.vexpr(plan, lanes, *a, env);
                self.vexpr(plan, lanes, *b, env);
                self.vexpr(plan, lanes, *c, env);
                self.c.push(I::V128Bitselect);
            }
            Expr::PyDiv(_, a, b) => {
                self.vexpr(plan, lanes, *a, env);
                self.vexpr(plan, lanes, *b, env);
                let t = self.c.temp(ValType::V128);
                self.c.push(I::LocalTee(t));
                scalar::zero(&mut self.c, d);
                self.c.push(splat(d));
                self.c.push(pick(I::F64x2Eq, I::F32x4Eq));
                self.c.push(I::V128AnyTrue);
                self.c.br_if(lanes.bail.expect("a bail block"));
                self.c.push(I::LocalGet(t));
                self.c.push(pick(I::F64x2Div, I::F32x4Div));
                self.c.release(ValType::V128, t);
            }
            _ => unreachable!("the plan holds lane expressions only"),
        }
    }
}

impl Gen<'_, '_> {
    /// Calls the engine's lane function of `op` on the `v128` operands on the stack (and
    /// the constant exponent `k` of the constant power). Under a masked arm, each operand
    /// first gets a harmless value in the lanes outside the active mask, and a vector with
    /// no active lane skips the call (its lanes are not kept).
    fn call_lanes(&mut self, lanes: &Lanes, op: VmathOp, d: DType, k: Option<Scalar>) {
        let Some(m) = lanes.active.get() else {
            if let Some(k) = k {
                scalar::constant(&mut self.c, k);
            }
            self.call_import(op, d);
            return;
        };
        let n = if matches!(op, VmathOp::Binary(_)) {
            2
        } else {
            1
        };
        let args: Vec<u32> = (0..n).map(|_| self.c.temp(ValType::V128)).collect();
        for &t in args.iter().rev() {
            self.c.push(I::LocalSet(t));
        }
        // arccosh is defined from 1 on; 0.5 keeps every other function, and either
        // operand of the binary ones, on its common case.
        let safe = if op == VmathOp::Unary(UnaryOp::Arccosh) {
            2.0
        } else {
            0.5
        };
        self.c.push(I::LocalGet(m));
        self.c.push(I::V128AnyTrue);
        self.c.if_(BlockType::Result(ValType::V128));
        for &t in &args {
            self.c.push(I::LocalGet(t));
            scalar::constant(&mut self.c, Scalar::F64(safe).cast(d));
            self.c.push(splat(d));
            self.c.push(I::LocalGet(m));
            self.c.push(I::V128Bitselect);
        }
        if let Some(k) = k {
            scalar::constant(&mut self.c, k);
        }
        self.call_import(op, d);
        self.c.else_();
        self.c.push(I::V128Const(0));
        self.c.end();
        for t in args {
            self.c.release(ValType::V128, t);
        }
    }

    /// The first pass of a strip at call `e` (`op`, constant exponent `k`): each operand
    /// that is a plain load of an access stepping through the strip, outside any mask, is
    /// left where it is (the block function reads it there); each other one is computed,
    /// with the harmless value in lanes outside the active mask (as [`Gen::call_lanes`]
    /// passes them), and stored into the site's scratch. Records the site and leaves a
    /// zero vector for the result, which this pass does not use.
    #[allow(clippy::too_many_arguments)]
    fn collect_call(
        &mut self,
        plan: &Plan,
        lanes: &Lanes,
        st: &Strips,
        e: ExprId,
        op: VmathOp,
        k: Option<Scalar>,
        env: &HashMap<LocalId, u32>,
    ) {
        let d = plan.dtype;
        let site = st.site.get();
        st.site.set(site + 1);
        let operands = self.call_operands(e, op);
        let safe = if op == VmathOp::Unary(UnaryOp::Arccosh) {
            2.0
        } else {
            0.5
        };
        let mut from = Vec::with_capacity(operands.len());
        for (i, x) in operands.into_iter().enumerate() {
            let direct = match self.f.get(x) {
                Expr::Load(..) if lanes.active.get().is_none() => plan
                    .loads
                    .get(&x)
                    .copied()
                    .filter(|k| !lanes.splat.contains_key(k)),
                _ => None,
            };
            if direct.is_none() {
                self.c.push(I::LocalGet(st.base));
                self.c.push(I::LocalGet(st.offset));
                self.c.push(I::I32Add);
                self.vexpr(plan, lanes, x, env);
                if let Some(m) = lanes.active.get() {
                    scalar::constant(&mut self.c, Scalar::F64(safe).cast(d));
                    self.c.push(splat(d));
                    self.c.push(I::LocalGet(m));
                    self.c.push(I::V128Bitselect);
                }
                self.c
                    .push(I::V128Store(memarg(Strips::at(site, i as u32), 4)));
            }
            from.push(direct);
        }
        st.sites.borrow_mut()[site] = Some(Site { op, k, from });
        self.c.push(I::V128Const(0));
    }

    /// Calls the engine's lane function of `op` on the operands on the stack.
    fn call_import(&mut self, op: VmathOp, d: DType) {
        let f = self
            .helpers
            .vmath_lanes(op, d)
            .expect("the plan holds lane functions the engine has");
        self.c.call(f);
    }
}

impl Gen<'_, '_> {
    /// The active lanes of an arm under mask `m` (or, with `not`, its complement) within
    /// the active lanes `parent`: a new `v128` temporary.
    fn narrow(&mut self, parent: Option<u32>, m: u32, not: bool) -> u32 {
        let t = self.c.temp(ValType::V128);
        self.c.push(I::LocalGet(m));
        if not {
            self.c.push(I::V128Not);
        }
        if let Some(p) = parent {
            self.c.push(I::LocalGet(p));
            self.c.push(I::V128And);
        }
        self.c.push(I::LocalSet(t));
        t
    }

    /// Whether lane expression `e` calls a lane function.
    fn calls(&self, e: ExprId) -> bool {
        let f = self.f;
        match f.get(e) {
            Expr::Unary(op, a) => !inline_unary(*op) || self.calls(*a),
            Expr::Cast(a, _) => self.calls(*a),
            Expr::Binary(op, a, b) => {
                let call = match lane_op(f, *op, *b) {
                    VmathOp::PowConst => !matches!(f.get(*b), Expr::Const(k) if k.to_f64() == 2.0),
                    _ => !inline_binary(*op),
                };
                call || self.calls(*a) || self.calls(*b)
            }
            Expr::Cond(c, a, b) => self.calls(*c) || self.calls(*a) || self.calls(*b),
            Expr::PyDiv(_, a, b) => self.calls(*a) || self.calls(*b),
            _ => false,
        }
    }

    /// The vmath call lane expression `e` itself makes (not its operands'): the operation
    /// and the constant exponent of a constant power. `None` for what lanes compute
    /// inline (`x ** 2` among them).
    fn call_of(&self, e: ExprId) -> Option<(VmathOp, Option<Scalar>)> {
        let f = self.f;
        match f.get(e) {
            Expr::Unary(op, _) if !inline_unary(*op) => Some((VmathOp::Unary(*op), None)),
            Expr::Binary(op, a, b) if f.ty(*a) != &Ty::Scalar(DType::I64) => {
                match lane_op(f, *op, *b) {
                    VmathOp::PowConst => match f.get(*b) {
                        Expr::Const(k) if k.to_f64() != 2.0 => Some((VmathOp::PowConst, Some(*k))),
                        _ => None,
                    },
                    other => (!inline_binary(*op)).then_some((other, None)),
                }
            }
            _ => None,
        }
    }

    /// The operands call `e` (of operation `op`, [`Gen::call_of`]) passes: a constant
    /// power's base alone.
    fn call_operands(&self, e: ExprId, op: VmathOp) -> Vec<ExprId> {
        match self.f.get(e) {
            Expr::Unary(_, a) => vec![*a],
            Expr::Binary(_, a, _) if op == VmathOp::PowConst => vec![*a],
            Expr::Binary(_, a, b) => vec![*a, *b],
            _ => unreachable!("a call is a unary or binary operation"),
        }
    }

    /// How many vmath calls emitting `e` makes, at most (each use of a shared expression
    /// counts).
    fn count_calls(&self, e: ExprId) -> usize {
        let mut n = usize::from(self.call_of(e).is_some());
        self.f.get(e).each_operand(|x| n += self.count_calls(x));
        n
    }

    /// How many vmath calls one vector step of `body` makes.
    fn count_calls_in(&self, body: &[Stmt]) -> usize {
        body.iter()
            .map(|st| match st {
                Stmt::Assign(_, e) => self.count_calls(*e),
                Stmt::Store { value, .. } => self.count_calls(*value),
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    self.count_calls(*cond)
                        + self.count_calls_in(then)
                        + self.count_calls_in(otherwise)
                }
                _ => 0,
            })
            .sum()
    }

    /// The level of each call site of `body` (in emission order) for strips whose calls
    /// take other calls' results (`np.exp(np.arcsin(x)) + y`): a call reading no call's
    /// result is level 0, one reading results of level at most `l` is level `l + 1`.
    /// Each pass over a strip collects one level's operands (the lower levels' results
    /// already computed) and the last pass runs the body on the results. `None` for a
    /// body with branches or conditional expressions (their masks would need the
    /// results too), or more than [`MAX_STRIP_LEVELS`] levels.
    fn strip_levels(&self, body: &[Stmt]) -> Option<Vec<usize>> {
        let mut levels = Vec::new();
        let mut of_local: HashMap<LocalId, usize> = HashMap::new();
        for st in body {
            match st {
                Stmt::Assign(l, e) => {
                    let v = self.value_level(*e, &of_local, &mut levels)?;
                    of_local.insert(*l, v);
                }
                Stmt::Store { value, .. } => {
                    self.value_level(*value, &of_local, &mut levels)?;
                }
                _ => return None,
            }
        }
        (levels.iter().all(|&l| l < MAX_STRIP_LEVELS)).then_some(levels)
    }

    /// 0 when `e` reads no call's result, else one more than the highest level of a call
    /// it reads; pushes the level of each call site in `e` in emission order.
    fn value_level(
        &self,
        e: ExprId,
        of_local: &HashMap<LocalId, usize>,
        levels: &mut Vec<usize>,
    ) -> Option<usize> {
        if let Some((op, _)) = self.call_of(e) {
            let at = levels.len();
            levels.push(0);
            let mut m = 0;
            for x in self.call_operands(e, op) {
                m = m.max(self.value_level(x, of_local, levels)?);
            }
            levels[at] = m;
            return Some(m + 1);
        }
        match self.f.get(e) {
            Expr::Local(l) => Some(of_local.get(l).copied().unwrap_or(0)),
            Expr::Unary(_, a) | Expr::Cast(a, _) => self.value_level(*a, of_local, levels),
            Expr::Binary(_, a, b) | Expr::PyDiv(_, a, b) => {
                let x = self.value_level(*a, of_local, levels)?;
                Some(x.max(self.value_level(*b, of_local, levels)?))
            }
            Expr::Cond(..) => None,
            _ => Some(0),
        }
    }

    /// Whether `body`'s calls can run over strips: no call's operand, and no mask of a
    /// branch or arm that calls, depends on a call's result (the first pass of a strip
    /// has no results yet). `tainted`: the lane locals that hold one.
    fn strippable(&self, body: &[Stmt], tainted: &mut HashSet<LocalId>) -> bool {
        for st in body {
            match st {
                Stmt::Assign(l, e) => {
                    if !self.strippable_expr(*e, tainted) {
                        return false;
                    }
                    if self.tainted(*e, tainted) {
                        tainted.insert(*l);
                    }
                }
                Stmt::Store { value, .. } => {
                    if !self.strippable_expr(*value, tainted) {
                        return false;
                    }
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    if (self.calls_in(then) || self.calls_in(otherwise))
                        && self.tainted(*cond, tainted)
                    {
                        return false;
                    }
                    let mut other = tainted.clone();
                    if !self.strippable_expr(*cond, tainted)
                        || !self.strippable(then, tainted)
                        || !self.strippable(otherwise, &mut other)
                    {
                        return false;
                    }
                    tainted.extend(other);
                }
                _ => {}
            }
        }
        true
    }

    fn strippable_expr(&self, e: ExprId, tainted: &HashSet<LocalId>) -> bool {
        let f = self.f;
        if self.call_of(e).is_some() {
            let mut ok = true;
            f.get(e).each_operand(|x| ok &= !self.tainted(x, tainted));
            return ok;
        }
        match f.get(e) {
            Expr::Cond(c, a, b) => {
                !((self.calls(*a) || self.calls(*b)) && self.tainted(*c, tainted))
                    && [*c, *a, *b]
                        .iter()
                        .all(|&x| self.strippable_expr(x, tainted))
            }
            Expr::Unary(_, a) | Expr::Cast(a, _) => self.strippable_expr(*a, tainted),
            Expr::Binary(_, a, b) | Expr::PyDiv(_, a, b) => {
                self.strippable_expr(*a, tainted) && self.strippable_expr(*b, tainted)
            }
            _ => true,
        }
    }

    /// Whether lane expression `e` depends on a call's result: it calls, or reads a local
    /// of `tainted`.
    fn tainted(&self, e: ExprId, tainted: &HashSet<LocalId>) -> bool {
        if self.calls(e) {
            return true;
        }
        match self.f.get(e) {
            Expr::Local(l) => tainted.contains(l),
            Expr::Unary(_, a) | Expr::Cast(a, _) => self.tainted(*a, tainted),
            Expr::Binary(_, a, b) | Expr::PyDiv(_, a, b) => {
                self.tainted(*a, tainted) || self.tainted(*b, tainted)
            }
            Expr::Cond(c, a, b) => [*c, *a, *b].iter().any(|&x| self.tainted(x, tainted)),
            _ => false,
        }
    }

    /// Whether a masked branch's statements call a lane function.
    fn calls_in(&self, body: &[Stmt]) -> bool {
        body.iter().any(|st| match st {
            Stmt::Assign(_, e) => self.calls(*e),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => self.calls(*cond) || self.calls_in(then) || self.calls_in(otherwise),
            _ => false,
        })
    }
}

/// The unary operations lanes compute with their own instructions.
fn inline_unary(op: UnaryOp) -> bool {
    use UnaryOp as U;
    matches!(
        op,
        U::Neg | U::Abs | U::Sqrt | U::Floor | U::Ceil | U::Trunc | U::Rint | U::Square
    )
}

/// The binary operations lanes compute with their own instructions (comparisons aside).
fn inline_binary(op: BinaryOp) -> bool {
    use BinaryOp as B;
    matches!(
        op,
        B::Add
            | B::Sub
            | B::Mul
            | B::TrueDiv
            | B::Maximum
            | B::Minimum
            | B::Fmax
            | B::Fmin
            | B::Copysign
    ) || op.is_comparison()
}

/// The operation a float binary `op` on `b` runs through vmath: the constant-power
/// function for `**` with a constant exponent (as the scalar generator, which looks at the
/// exponent's form alone), else `op` itself.
fn lane_op(f: &crate::kir::Function, op: BinaryOp, b: ExprId) -> VmathOp {
    if op == BinaryOp::Pow && matches!(f.get(b), Expr::Const(_)) {
        VmathOp::PowConst
    } else {
        VmathOp::Binary(op)
    }
}

/// A `v128` constant of two equal 64-bit lanes, as bytes.
fn u64x2(x: u64) -> [u8; 16] {
    let mut b = [0; 16];
    b[..8].copy_from_slice(&x.to_le_bytes());
    b[8..].copy_from_slice(&x.to_le_bytes());
    b
}

/// A `v128` constant of two 64-bit lanes, as bytes.
fn i64x2(a: i64, b: i64) -> [u8; 16] {
    let mut x = [0; 16];
    x[..8].copy_from_slice(&a.to_le_bytes());
    x[8..].copy_from_slice(&b.to_le_bytes());
    x
}

/// A `v128` constant of four equal 32-bit lanes, as bytes.
fn u32x4(x: u32) -> [u8; 16] {
    let mut b = [0; 16];
    for c in b.chunks_mut(4) {
        c.copy_from_slice(&x.to_le_bytes());
    }
    b
}

/// The simd128 instruction of float `+ - * /` on `d`'s lanes (float64 or float32).
pub(super) fn lane_arith(op: BinaryOp, d: DType) -> Option<I<'static>> {
    let f64_ = match d {
        DType::F64 => true,
        DType::F32 => false,
        _ => return None,
    };
    let pick = |a: I<'static>, b: I<'static>| if f64_ { a } else { b };
    Some(match op {
        BinaryOp::Add => pick(I::F64x2Add, I::F32x4Add),
        BinaryOp::Sub => pick(I::F64x2Sub, I::F32x4Sub),
        BinaryOp::Mul => pick(I::F64x2Mul, I::F32x4Mul),
        BinaryOp::TrueDiv => pick(I::F64x2Div, I::F32x4Div),
        _ => return None,
    })
}

/// The instructions that load one vector's elements of dtype `from` (at the address on
/// the stack) and convert them to lanes of `to`, each element as the scalar loop's cast
/// converts it (every value of these dtypes is exact in float64; the float32 conversions
/// round to nearest as `f32.convert_i32_*` do). `None` where lanes have no such load.
fn lane_cast(from: DType, to: DType) -> Option<Vec<I<'static>>> {
    use DType as D;
    let signed = from.is_signed_int();
    let (i16x8, i32x4) = if signed {
        (I::I16x8ExtendLowI8x16S, I::I32x4ExtendLowI16x8S)
    } else {
        (I::I16x8ExtendLowI8x16U, I::I32x4ExtendLowI16x8U)
    };
    let m = |align: u32| memarg(0, align);
    Some(match (from, to) {
        (D::I8 | D::U8, D::F64) => vec![
            I::V128Const(0),
            I::V128Load16Lane {
                memarg: m(0),
                lane: 0,
            },
            i16x8,
            i32x4,
            convert_low(signed),
        ],
        (D::I16 | D::U16, D::F64) => vec![I::V128Load32Zero(m(1)), i32x4, convert_low(signed)],
        (D::I32 | D::U32, D::F64) => vec![I::V128Load64Zero(m(2)), convert_low(signed)],
        (D::F32, D::F64) => vec![I::V128Load64Zero(m(2)), I::F64x2PromoteLowF32x4],
        (D::I8 | D::U8, D::F32) => vec![I::V128Load32Zero(m(0)), i16x8, i32x4, convert4(signed)],
        (D::I16 | D::U16, D::F32) => vec![I::V128Load64Zero(m(1)), i32x4, convert4(signed)],
        (D::I32 | D::U32, D::F32) => vec![I::V128Load(m(2)), convert4(signed)],
        _ => return None,
    })
}

fn convert_low(signed: bool) -> I<'static> {
    if signed {
        I::F64x2ConvertLowI32x4S
    } else {
        I::F64x2ConvertLowI32x4U
    }
}

fn convert4(signed: bool) -> I<'static> {
    if signed {
        I::F32x4ConvertI32x4S
    } else {
        I::F32x4ConvertI32x4U
    }
}

pub(super) fn splat(d: DType) -> I<'static> {
    if d == DType::F64 {
        I::F64x2Splat
    } else {
        I::F32x4Splat
    }
}
