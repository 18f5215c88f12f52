//! The interpreter: runs a program's steps; runs a loop chunk by chunk on the scheduler
//! and block by block within a chunk.
//!
//! Pointers are carried as `*u8` and cast to the element type of each instruction: inputs
//! and outputs are typed slices and registers are `u64` blocks, so every cast is aligned.
#![allow(clippy::cast_ptr_alignment)]

use std::ops::Range;

use super::bytecode::{
    BLOCK, BlockLoop, CHUNK, Dest, Insn, MAX_CHAIN, Opd, Program, STORE_CHUNK, Sink, Src, Step,
    StepOp,
};
use super::chain;
use super::lanes::{BlockOps, generic};
use super::reduce;
use crate::par;
use crate::syntax::Span;
use crate::types::elem::{Elem, cast};
use crate::types::{Buffer, BufferMut, BufferRef, DType, ReduceOp, size_of};
use crate::with_dtype;

/// An error found while running: NumPy's "Integers to negative integer powers are not
/// allowed." with the span of the power.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeError {
    pub message: String,
    pub span: Span,
}

fn neg_power(span: Span) -> RuntimeError {
    RuntimeError {
        message: "Integers to negative integer powers are not allowed.".into(),
        span,
    }
}

/// Pointers shared by the tasks of one loop. The loop writes disjoint ranges of
/// `dst` (one per chunk) and only reads the sources.
struct Ctx<'a> {
    k: &'a BlockLoop,
    srcs: Vec<*const u8>,
    splats: Vec<*const u8>,
    dst: *mut u8,
}

// SAFETY: the sources are read-only for the duration of the loop, and every chunk
// writes its own range of `dst`.
unsafe impl Sync for Ctx<'_> {}

thread_local! {
    /// The most threads a step of this thread's latest `run` used.
    static LAST_RUN_THREADS: std::cell::Cell<usize> = const { std::cell::Cell::new(1) };
}

/// How many threads this thread's latest [`run`] used at most (1: every step ran on the
/// calling thread, e.g. because the call was under the parallel threshold).
#[must_use]
pub fn last_run_threads() -> usize {
    LAST_RUN_THREADS.with(std::cell::Cell::get)
}

/// Records that this thread's latest run (of another tier) used `t` threads.
pub fn set_last_run_threads(t: usize) {
    LAST_RUN_THREADS.with(|c| c.set(t));
}

fn note_threads(t: usize) {
    LAST_RUN_THREADS.with(|c| c.set(c.get().max(t)));
}

/// Runs `p` on `inputs` (one per array parameter, in order), writing `out`, on up to
/// `threads` threads (`None`: the `set_num_threads` limit). The caller has checked
/// dtypes and lengths.
pub fn run(
    p: &Program,
    inputs: &[BufferRef<'_>],
    out: &mut BufferMut<'_>,
    threads: Option<usize>,
) -> Result<(), RuntimeError> {
    LAST_RUN_THREADS.with(|c| c.set(1));
    let mut temps: Vec<Buffer> = Vec::with_capacity(p.temps.len());
    for (d, s) in &p.temps {
        temps.push(
            Buffer::try_zeros(*d, size_of(s)).ok_or_else(|| RuntimeError {
                message: format!("cannot allocate a temporary of {} elements", size_of(s)),
                span: Span::default(),
            })?,
        );
    }
    let temp_ptrs: Vec<*mut u8> = temps.iter_mut().map(|b| b.as_mut().as_mut_ptr()).collect();
    let out_ptr = out.as_mut_ptr();
    let src_ptr = |s: &Src| -> *const u8 {
        match *s {
            Src::Input(i) => inputs[i as usize].as_ptr(),
            Src::Temp(t) => temp_ptrs[t as usize].cast_const(),
        }
    };
    let dest_ptr = |d: &Dest| match *d {
        Dest::Output => out_ptr,
        Dest::Temp(t) => temp_ptrs[t as usize],
    };
    for step in &p.steps {
        match step {
            Step::Loop(k) => {
                let dst = match &k.sink {
                    Sink::Store(d) | Sink::ReduceAll { dst: d, .. } => dest_ptr(d),
                };
                let ctx = Ctx {
                    k,
                    srcs: k.srcs.iter().map(src_ptr).collect(),
                    splats: k.splats.iter().map(|(_, _, s)| src_ptr(s)).collect(),
                    dst,
                };
                run_loop(&ctx, threads)?;
            }
            Step::ReduceAxis {
                op,
                dt,
                src,
                shape,
                axis,
                dst,
            } => {
                let (s, d) = (src_ptr(src), dest_ptr(dst));
                let ctx = AxisCtx { src: s, dst: d };
                with_dtype!(*dt, T => reduce_axis::<T>(&ctx, *op, shape, *axis as usize, threads));
            }
        }
    }
    drop(temps);
    Ok(())
}

fn run_loop(ctx: &Ctx<'_>, threads: Option<usize>) -> Result<(), RuntimeError> {
    let k = ctx.k;
    let n = size_of(&k.shape);
    let per_element = k.cost_ns();
    let cost = per_element * n as f64;
    match k.sink {
        Sink::Store(_) => {
            // Element-wise results do not depend on the chunking, so costly stores use
            // shorter chunks than reductions: a pool thread that wakes up late still finds
            // work. Cheap ones keep long chunks (a chunk sets up its registers).
            let chunk = if per_element >= 4.0 {
                STORE_CHUNK
            } else {
                CHUNK
            };
            let t = par::effective_threads(threads, cost, par::n_chunks(n, chunk));
            note_threads(t);
            let results = par::map_chunks(n, chunk, t, |_, r| ctx.run_range(r, None));
            results
                .into_iter()
                .collect::<Result<Vec<()>, _>>()
                .map(|_| ())
        }
        Sink::ReduceAll { op, dt, .. } => {
            let t = par::effective_threads(threads, cost, par::n_chunks(n, CHUNK));
            note_threads(t);
            with_dtype!(dt, T => reduce_all::<T>(ctx, op, n, t))
        }
    }
}

fn reduce_all<T: Elem>(
    ctx: &Ctx<'_>,
    op: ReduceOp,
    n: usize,
    t: usize,
) -> Result<(), RuntimeError> {
    let parts = par::map_chunks(n, CHUNK, t, |_, r| -> Result<T, RuntimeError> {
        let mut blocks: Vec<T> = Vec::new();
        blocks
            .try_reserve_exact(CHUNK / BLOCK)
            .map_err(|_| RuntimeError {
                message: "cannot allocate a reduction's partial sums".to_owned(),
                span: Span::default(),
            })?;
        let mut sink = |p: *const u8, len: usize| {
            // SAFETY: `p` is valid for `len` elements of T.
            let vals = unsafe { std::slice::from_raw_parts(p.cast::<T>(), len) };
            blocks.push(reduce::combine(op, vals));
        };
        ctx.run_range(r, Some(&mut sink))?;
        Ok(reduce::combine(op, &blocks))
    });
    let parts: Vec<T> = parts.into_iter().collect::<Result<_, _>>()?;
    let total = if parts.is_empty() {
        reduce::identity(op)
    } else {
        reduce::finish(op, reduce::combine(op, &parts))
    };
    // SAFETY: the destination temp holds one element of T.
    unsafe { ctx.dst.cast::<T>().write(total) };
    Ok(())
}

/// The buffers of an axis reduction, shared by its tasks (each writes its own outputs).
struct AxisCtx {
    src: *const u8,
    dst: *mut u8,
}

// SAFETY: the source is only read; tasks write disjoint output ranges.
unsafe impl Sync for AxisCtx {}

/// An axis reduction, split over output positions: every output element is reduced by
/// one task in NumPy's order, so any thread count gives the same bits.
fn reduce_axis<T: Elem>(
    ctx: &AxisCtx,
    op: ReduceOp,
    shape: &[usize],
    axis: usize,
    threads: Option<usize>,
) {
    let outer: usize = shape[..axis].iter().product();
    let len = shape[axis];
    let inner: usize = shape[axis + 1..].iter().product();
    // Tasks own whole outer rows when inner == 1, else runs of `inner` positions.
    let (units, per_unit) = if inner == 1 {
        (outer, len.max(1))
    } else {
        (outer * inner, len.max(1))
    };
    let unit_chunk = (CHUNK / per_unit).max(1);
    // About one ns per float64 element read.
    let cost = (units * per_unit) as f64 * super::cost::scaled(T::DTYPE, 1.0);
    let t = par::effective_threads(threads, cost, par::n_chunks(units, unit_chunk));
    note_threads(t);
    par::map_chunks(units, unit_chunk, t, |_, r| {
        // SAFETY: codegen sized source and destination for these shapes; the ranges of
        // different tasks are disjoint.
        unsafe {
            if inner == 1 {
                reduce::rows::<T>(op, ctx.src.cast(), len, r, ctx.dst.cast());
            } else {
                reduce::columns::<T>(op, ctx.src.cast(), len, inner, r, ctx.dst.cast());
            }
        }
    });
}

/// Block registers of one task, 8-byte aligned.
struct Regs(Vec<u64>);

/// `n` zeros, or a RuntimeError whose message starts "cannot allocate" (which the API
/// reports as a MemoryError) when the allocator cannot provide them.
fn zeroed_vec(n: usize, what: &str) -> Result<Vec<u64>, RuntimeError> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| RuntimeError {
        message: format!("cannot allocate {what} ({n} words)"),
        span: Span::default(),
    })?;
    v.resize(n, 0);
    Ok(v)
}

impl Regs {
    fn ptr(&mut self, r: u16) -> *mut u8 {
        // SAFETY: codegen numbered registers below `n_regs`.
        unsafe { self.0.as_mut_ptr().add(r as usize * BLOCK).cast() }
    }
}

impl Ctx<'_> {
    /// Runs the loop's code over the blocks of `r`; when reducing, calls `sink(values,
    /// len)` after each block with the block's values (in a register or read in place).
    fn run_range(
        &self,
        r: Range<usize>,
        mut sink: Option<&mut dyn FnMut(*const u8, usize)>,
    ) -> Result<(), RuntimeError> {
        let k = self.k;
        // Fallible: a nearly full memory is a MemoryError here too, never an abort.
        let mut regs = Regs(zeroed_vec(k.n_regs.max(1) * BLOCK, "the loop's registers")?);
        for (reg, c) in &k.consts {
            let p = regs.ptr(*reg);
            with_dtype!(c.dtype(), T => {
                let v: T = c.cast_to();
                // SAFETY: a register holds BLOCK elements of any dtype.
                for i in 0..BLOCK { unsafe { p.cast::<T>().add(i).write(v) } }
            });
        }
        for ((reg, dt, _), src) in k.splats.iter().zip(&self.splats) {
            let p = regs.ptr(*reg);
            with_dtype!(*dt, T => {
                // SAFETY: a size-1 source holds one element; a register holds BLOCK.
                let v: T = unsafe { src.cast::<T>().read() };
                for i in 0..BLOCK { unsafe { p.cast::<T>().add(i).write(v) } }
            });
        }
        let mut start = r.start;
        while start < r.end {
            let len = BLOCK.min(r.end - start);
            self.run_block(&mut regs, start, len)?;
            if let (Some(s), Sink::ReduceAll { src, dt, .. }) = (sink.as_mut(), &k.sink) {
                let values = match *src {
                    Opd::Reg(reg) => regs.ptr(reg).cast_const(),
                    // SAFETY: `start` is inside the source, which has the loop's shape.
                    Opd::Mem(m) => unsafe { self.srcs[m as usize].add(start * dt.size()) },
                    Opd::Out => unreachable!("a reduction does not write the output"),
                };
                s(values, len);
            }
            start += len;
        }
        Ok(())
    }

    fn run_block(&self, regs: &mut Regs, start: usize, n: usize) -> Result<(), RuntimeError> {
        let k = self.k;
        self.prefetch_next(start + n);
        let mut p = |o: Opd, d: DType| -> *mut u8 {
            match o {
                Opd::Reg(r) => regs.ptr(r),
                // SAFETY: `start` is inside the source, which has the loop's shape.
                Opd::Mem(m) => unsafe { self.srcs[m as usize].add(start * d.size()).cast_mut() },
                // SAFETY: `start` is inside the output.
                Opd::Out => unsafe { self.dst.add(start * d.size()) },
            }
        };
        for insn in &k.code {
            // SAFETY: every pointer is valid for `n` elements of its dtype: registers hold
            // BLOCK >= n, sources and the output hold the loop's shape.
            unsafe {
                match insn {
                    Insn::Gather {
                        dt,
                        dst,
                        src,
                        strides,
                    } => {
                        gather(
                            dt.size(),
                            self.srcs[*src as usize],
                            strides,
                            &k.shape,
                            start,
                            n,
                            p(Opd::Reg(*dst), *dt),
                        );
                    }
                    Insn::Copy { dt, dst, a } => {
                        std::ptr::copy_nonoverlapping(p(*a, *dt), p(*dst, *dt), n * dt.size());
                    }
                    Insn::Cast { from, to, dst, a } => {
                        let (a, o) = (p(*a, *from), p(*dst, *to));
                        with_dtype!(*from, S => with_dtype!(*to, D => cast_loop::<S, D>(a.cast(), o.cast(), n)));
                    }
                    Insn::Unary { op, dt, dst, a } => {
                        if op.is_predicate() {
                            let (a, o) = (p(*a, *dt), p(*dst, DType::Bool));
                            with_dtype!(*dt, T => generic::predicate::<T>(*op, a.cast(), o.cast(), n));
                        } else {
                            let (a, o) = (p(*a, *dt), p(*dst, *dt));
                            with_dtype!(*dt, T => T::unary(*op, a.cast(), o.cast(), n));
                        }
                    }
                    Insn::Binary {
                        op,
                        dt,
                        dst,
                        a,
                        b,
                        span,
                    } => {
                        let (a, b) = (p(*a, *dt), p(*b, *dt));
                        if op.is_comparison() {
                            let o = p(*dst, DType::Bool);
                            with_dtype!(*dt, T => T::compare(*op, a.cast(), b.cast(), o.cast(), n));
                        } else {
                            let o = p(*dst, *dt);
                            let ok = with_dtype!(*dt, T => T::binary(*op, a.cast(), b.cast(), o.cast(), n));
                            if !ok {
                                return Err(neg_power(*span));
                            }
                        }
                    }
                    Insn::BinaryK { op, dt, dst, a, k } => {
                        let a = p(*a, *dt);
                        if op.is_comparison() {
                            let o = p(*dst, DType::Bool);
                            with_dtype!(*dt, T => T::compare_k(*op, a.cast(), k.cast_to::<T>(), o.cast(), n));
                        } else {
                            let o = p(*dst, *dt);
                            with_dtype!(*dt, T => T::binary_k(*op, a.cast(), k.cast_to::<T>(), o.cast(), n));
                        }
                    }
                    Insn::KBinary {
                        op,
                        dt,
                        dst,
                        k,
                        a,
                        span,
                    } => {
                        let (a, o) = (p(*a, *dt), p(*dst, *dt));
                        let ok = with_dtype!(*dt, T => T::k_binary(*op, k.cast_to::<T>(), a.cast(), o.cast(), n));
                        if !ok {
                            return Err(neg_power(*span));
                        }
                    }
                    Insn::MulAdd { dt, dst, a, b, c } => {
                        let (a, b, c, o) = (p(*a, *dt), p(*b, *dt), p(*c, *dt), p(*dst, *dt));
                        with_dtype!(*dt, T => T::muladd(a.cast(), b.cast(), c.cast(), o.cast(), n));
                    }
                    Insn::MulAddK { dt, dst, a, k, c } => {
                        let (a, c, o) = (p(*a, *dt), p(*c, *dt), p(*dst, *dt));
                        with_dtype!(*dt, T => T::muladd_k(a.cast(), k.cast_to::<T>(), c.cast(), o.cast(), n));
                    }
                    Insn::MulAddC { dt, dst, a, b, k } => {
                        let (a, b, o) = (p(*a, *dt), p(*b, *dt), p(*dst, *dt));
                        with_dtype!(*dt, T => T::muladd_c(a.cast(), b.cast(), k.cast_to::<T>(), o.cast(), n));
                    }
                    Insn::Select { dt, dst, c, a, b } => {
                        let (c, a, b, o) =
                            (p(*c, DType::Bool), p(*a, *dt), p(*b, *dt), p(*dst, *dt));
                        with_dtype!(*dt, T => T::select(c.cast(), a.cast(), b.cast(), o.cast(), n));
                    }
                    Insn::CmpSelect {
                        cmp,
                        dt,
                        dst,
                        x,
                        y,
                        a,
                        b,
                        ..
                    } => {
                        let (x, y, a, b, o) =
                            (p(*x, *dt), p(*y, *dt), p(*a, *dt), p(*b, *dt), p(*dst, *dt));
                        with_dtype!(*dt, T => T::cmp_select(*cmp, x.cast(), y.cast(), a.cast(), b.cast(), o.cast(), n));
                    }
                    Insn::Chain {
                        dt,
                        dst,
                        first,
                        steps,
                    } => {
                        let mut resolved = [chain::Resolved {
                            op: StepOp::Neg,
                            x: std::ptr::null::<u8>(),
                            y: std::ptr::null(),
                        }; MAX_CHAIN];
                        for (r, s) in resolved.iter_mut().zip(steps) {
                            let arity = s.op.arity();
                            let x = if arity >= 1 {
                                p(s.x, *dt).cast_const()
                            } else {
                                std::ptr::null()
                            };
                            let y = if arity >= 2 {
                                p(s.y, *dt).cast_const()
                            } else {
                                std::ptr::null()
                            };
                            *r = chain::Resolved { op: s.op, x, y };
                        }
                        let k = steps.len().min(MAX_CHAIN);
                        let (a, o) = (p(*first, *dt), p(*dst, *dt));
                        if *dt == DType::F64 {
                            chain::chain_f64(
                                a.cast(),
                                &cast_steps(&resolved[..k])[..k],
                                o.cast(),
                                n,
                            );
                        } else {
                            chain::chain_f32(
                                a.cast(),
                                &cast_steps(&resolved[..k])[..k],
                                o.cast(),
                                n,
                            );
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

impl Ctx<'_> {
    /// Touches the first lines of the next block of every source read in place, so that
    /// the hardware stream prefetcher (which stops at 4 KiB page boundaries, one float64
    /// block) starts on the next page early. Only two lines: prefetching a whole block at
    /// once filled the line-fill buffers and stalled the pipeline (measured slower).
    #[inline]
    fn prefetch_next(&self, next: usize) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let total = size_of(&self.k.shape);
            if next >= total {
                return;
            }
            let len = BLOCK.min(total - next);
            for (m, src) in self.srcs.iter().enumerate() {
                let used_in_place = self.k.code.iter().any(|i| insn_reads_mem(i, m as u16));
                if !used_in_place {
                    continue;
                }
                let size = self.mem_dtype(m as u16).map_or(8, DType::size);
                let bytes = (len * size).min(128);
                let base = src.wrapping_add(next * size);
                let mut off = 0;
                while off < bytes {
                    // SAFETY: prefetching never faults; the address is inside the source.
                    unsafe { _mm_prefetch::<_MM_HINT_T0>(base.wrapping_add(off).cast()) };
                    off += 64;
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = next;
    }

    #[cfg(target_arch = "x86_64")]
    fn mem_dtype(&self, m: u16) -> Option<DType> {
        self.k.code.iter().find_map(|i| mem_dtype_of(i, m))
    }
}

#[cfg(target_arch = "x86_64")]
fn insn_reads_mem(i: &Insn, m: u16) -> bool {
    mem_dtype_of(i, m).is_some()
}

/// The dtype an instruction reads source `m` as, if it reads it in place.
#[cfg(target_arch = "x86_64")]
fn mem_dtype_of(i: &Insn, m: u16) -> Option<DType> {
    let is = |o: &Opd| *o == Opd::Mem(m);
    match i {
        Insn::Gather { .. } => None,
        Insn::Copy { dt, a, .. }
        | Insn::Unary { dt, a, .. }
        | Insn::BinaryK { dt, a, .. }
        | Insn::KBinary { dt, a, .. } => is(a).then_some(*dt),
        Insn::Cast { from, a, .. } => is(a).then_some(*from),
        Insn::Binary { dt, a, b, .. } | Insn::MulAddC { dt, a, b, .. } => {
            (is(a) || is(b)).then_some(*dt)
        }
        Insn::MulAdd { dt, a, b, c, .. } => (is(a) || is(b) || is(c)).then_some(*dt),
        Insn::MulAddK { dt, a, c, .. } => (is(a) || is(c)).then_some(*dt),
        Insn::Select { dt, c, a, b, .. } => {
            if is(c) {
                Some(DType::Bool)
            } else {
                (is(a) || is(b)).then_some(*dt)
            }
        }
        Insn::CmpSelect { dt, x, y, a, b, .. } => (is(x) || is(y) || is(a) || is(b)).then_some(*dt),
        Insn::Chain {
            dt, first, steps, ..
        } => (is(first)
            || steps
                .iter()
                .any(|s| (s.op.arity() >= 1 && is(&s.x)) || (s.op.arity() >= 2 && is(&s.y))))
        .then_some(*dt),
    }
}

/// Steps with byte pointers as steps with element pointers (at most `MAX_CHAIN`, on the
/// stack: no allocation per block).
fn cast_steps<T>(r: &[chain::Resolved<u8>]) -> [chain::Resolved<T>; MAX_CHAIN] {
    let mut out = [chain::Resolved {
        op: StepOp::Neg,
        x: std::ptr::null::<T>(),
        y: std::ptr::null(),
    }; MAX_CHAIN];
    for (o, s) in out.iter_mut().zip(r) {
        *o = chain::Resolved {
            op: s.op,
            x: s.x.cast(),
            y: s.y.cast(),
        };
    }
    out
}

#[inline(never)]
unsafe fn cast_loop<S: Elem, D: Elem>(a: *const S, o: *mut D, n: usize) {
    for i in 0..n {
        // SAFETY: forwarded from the caller.
        unsafe { o.add(i).write(cast::<S, D>(a.add(i).read())) };
    }
}

/// Copies elements `start..start+n` of a source broadcast to `shape` (element strides)
/// into `out`.
#[inline(never)]
unsafe fn gather(
    size: usize,
    src: *const u8,
    strides: &[usize],
    shape: &[usize],
    start: usize,
    n: usize,
    out: *mut u8,
) {
    // SAFETY: forwarded from the caller.
    unsafe {
        match size {
            1 => gather_t::<u8>(src.cast(), strides, shape, start, n, out.cast()),
            2 => gather_t::<u16>(src.cast(), strides, shape, start, n, out.cast()),
            4 => gather_t::<u32>(src.cast(), strides, shape, start, n, out.cast()),
            _ => gather_t::<u64>(src.cast(), strides, shape, start, n, out.cast()),
        }
    }
}

unsafe fn gather_t<T: Copy>(
    src: *const T,
    strides: &[usize],
    shape: &[usize],
    start: usize,
    n: usize,
    out: *mut T,
) {
    let nd = shape.len();
    let mut idx = vec![0usize; nd];
    let mut rem = start;
    let mut off = 0;
    for d in (0..nd).rev() {
        idx[d] = rem % shape[d];
        rem /= shape[d];
        off += idx[d] * strides[d];
    }
    // The innermost dimension as a run: contiguous (stride 1) or repeated (stride 0).
    let mut i = 0;
    while i < n {
        // SAFETY: `off` indexes the source (strides come from its shape).
        unsafe { out.add(i).write(src.add(off).read()) };
        i += 1;
        let mut d = nd;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            off += strides[d];
            if idx[d] < shape[d] {
                break;
            }
            off -= strides[d] * shape[d];
            idx[d] = 0;
        }
    }
}
