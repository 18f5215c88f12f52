//! A parallel loop (`Stmt::ParFor`, see `kir::parallel`): the range and the captures
//! written into an env from the engine's allocator ([`ParEnv`]), the chunks run by the
//! engine's runner (`numwasm.nw_parallel_for`, which calls this module's chunk
//! trampolines on the pool), then the chunks' records read in chunk order: the first
//! chunk with an error raises it, as the executor does; otherwise its partials are
//! folded in by the loop's `combine` statements.

use wasm_encoder::{BlockType, Instruction as I, ValType};

use super::{Gen, SiteError, memarg, tuple};
use crate::back::wasm::code::{ERROR, ERROR_A, ERROR_B};
use crate::back::wasm::{
    Block, PAR_KEEP, PAR_MERGE, ParEnv, Unsupported, load_slot as load, store_slot as store,
};
use crate::kir::parallel::ParLoop;
use crate::kir::{Expr, RaiseKind};

impl Gen<'_, '_> {
    pub(super) fn par_for(&mut self, p: &ParLoop) -> Result<(), Unsupported> {
        let f = self.f;
        let Expr::Call(id, args) = f.get(p.call) else {
            return Err(self.ill_typed(p.span));
        };
        let callee = self
            .cx
            .program
            .functions
            .get(id.index())
            .ok_or_else(|| self.ill_typed(p.span))?;
        // The chunk function takes the captures, then start, step, lo, hi.
        if callee.n_params != args.len() + 4 {
            return Err(self.ill_typed(p.span));
        }
        for (k, &a) in args.iter().enumerate() {
            self.expect(a, &callee.locals[k].ty)?;
        }
        let partial_types: Vec<ValType> = p
            .partials
            .iter()
            .flat_map(|&q| tuple::flat(&f.local_decl(q).ty))
            .collect();
        if partial_types != tuple::flat(&callee.ret) {
            return Err(self.ill_typed(p.span));
        }

        let [start, _stop, step, trips] = self.range_prologue(p.bounds, p.span)?;
        let captures: Vec<Vec<ValType>> = args.iter().map(|&a| tuple::flat(f.ty(a))).collect();
        let n_captures: usize = captures.iter().map(Vec::len).sum();
        let env = self.c.local(ValType::I32);
        let size = ParEnv::size(n_captures, partial_types.len());
        let size = i32::try_from(size).map_err(|_| self.ill_typed(p.span))?;
        self.c.push(I::I32Const(size));
        self.c.push(I::I32Const(8));
        let alloc = self.helpers.alloc();
        self.c.call(alloc);
        self.c.push(I::LocalTee(env));
        self.c.push(I::I32Eqz);
        self.c.if_(BlockType::Empty);
        self.raise(
            p.span,
            SiteError::Fixed {
                kind: RaiseKind::MemoryError,
                message: "Unable to allocate the state of a parallel loop".to_owned(),
            },
        );
        self.c.end();
        for (at, t) in [
            (ParEnv::TRIPS, trips),
            (ParEnv::START, start),
            (ParEnv::STEP, step),
        ] {
            self.c.push(I::LocalGet(env));
            self.c.push(I::LocalGet(t));
            self.c.push(I::I64Store(memarg(at, 3)));
        }
        let [cur, stop, step_, trips_] = [start, _stop, step, trips];
        for t in [cur, stop, step_, trips_] {
            self.c.release(ValType::I64, t);
        }

        // The captures, in order, one slot per wasm value.
        let mut slot = 0;
        for (&a, types) in args.iter().zip(&captures) {
            self.expr(a)?;
            let temps: Vec<u32> = types.iter().map(|&t| self.c.temp(t)).collect();
            for &x in temps.iter().rev() {
                self.c.push(I::LocalSet(x));
            }
            for (&x, &t) in temps.iter().zip(types) {
                self.c.push(I::LocalGet(env));
                self.c.push(I::LocalGet(x));
                self.c.push(store(t, ParEnv::capture(slot)));
                slot += 1;
                self.c.release(t, x);
            }
        }

        // count = run(chunk function, env, cost)
        let count = self.c.local(ValType::I32);
        self.c.push(I::I32Const(id.index() as i32));
        self.c.push(I::LocalGet(env));
        self.c.push(I::F64Const(p.cost_ns.into()));
        let mut flags = 0;
        if p.keeps_allocations {
            flags |= PAR_KEEP;
        }
        if crate::kir::parallel::chunks_merge(p, callee) {
            flags |= PAR_MERGE;
        }
        self.c.push(I::I32Const(flags));
        let run = self.helpers.parallel_for();
        self.c.call(run);
        self.c.push(I::LocalTee(count));
        self.c.push(I::I32Const(0));
        self.c.push(I::I32LtS);
        self.c.if_(BlockType::Empty);
        self.raise(
            p.span,
            SiteError::Fixed {
                kind: RaiseKind::RuntimeError,
                message: "the thread pool could not run a parallel loop".to_owned(),
            },
        );
        self.c.end();

        // The records, in chunk order.
        let rec = self.c.local(ValType::I32);
        let c = self.c.local(ValType::I32);
        self.c.push(I::I32Const(0));
        self.c.push(I::LocalSet(c));
        let exit = self.c.block(BlockType::Empty);
        let head = self.c.loop_(BlockType::Empty);
        self.c.push(I::LocalGet(c));
        self.c.push(I::LocalGet(count));
        self.c.push(I::I32GeS);
        self.c.br_if(exit);
        self.c.push(I::LocalGet(env));
        self.c.push(I::I32Const(ParEnv::records(n_captures) as i32));
        self.c.push(I::I32Add);
        self.c.push(I::LocalGet(c));
        self.c
            .push(I::I32Const(ParEnv::record(partial_types.len()) as i32));
        self.c.push(I::I32Mul);
        self.c.push(I::I32Add);
        self.c.push(I::LocalTee(rec));
        self.c.push(I::I32Load(memarg(0, 2)));
        self.c.if_(BlockType::Empty);
        for (g, at, t) in [
            (ERROR, Block::ERROR, ValType::I32),
            (ERROR_A, Block::ERROR_A, ValType::I64),
            (ERROR_B, Block::ERROR_B, ValType::I64),
        ] {
            self.c.push(I::LocalGet(rec));
            self.c.push(load(t, at));
            self.c.push(I::GlobalSet(g));
        }
        self.return_zero();
        self.c.end();
        let mut k = 0u64;
        for &q in &p.partials {
            for t in tuple::flat(&f.local_decl(q).ty) {
                self.c.push(I::LocalGet(rec));
                self.c.push(load(t, ParEnv::result(k as usize)));
                k += 1;
            }
            self.set_local(q);
        }
        self.body(&p.combine)?;
        self.c.push(I::LocalGet(c));
        self.c.push(I::I32Const(1));
        self.c.push(I::I32Add);
        self.c.push(I::LocalSet(c));
        self.c.br(head);
        self.c.end();
        self.c.end();
        self.c.push(I::LocalGet(env));
        let free = self.helpers.free();
        self.c.call(free);
        Ok(())
    }
}
