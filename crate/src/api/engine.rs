//! Compilation, the compile cache and running.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};

use super::{Array, Diagnostic, ErrorKind, Input, WasmHost};
use crate::back::wasm as generated;
use crate::front::expr::Signature;
use crate::front::expr::kernel::{self as expr_kernel, NoKernel};
use crate::ir::{self, Function};
use crate::syntax::{self, Span};
use crate::types::elem::Elem;
use crate::types::{Buffer, BufferMut, BufferRef, ReduceOp, Scalar, shape_str, size_of};
use crate::{codegen, front, opt, vm};

/// The most inputs an expression may have.
pub const MAX_INPUTS: usize = 256;

/// Most compiled expressions kept by an [`Engine`]; beyond, the cache starts over.
const CACHE_CAPACITY: usize = 256;

/// An expression compiled for one signature: run it many times.
#[derive(Debug, Clone)]
pub struct Compiled {
    source: String,
    signature: Signature,
    lowered: Function,
    optimized: Function,
    program: vm::Program,
    /// The generated-code tier: the expression as one fused loop compiled to wasm, made
    /// on first use (shared by the clones the engine's cache hands out).
    generated: Arc<OnceLock<Result<Generated, NoKernel>>>,
}

/// Which tier runs an expression (`run_on`'s choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExprTier {
    /// The generated loop where the host runs wasm and the expression has a kernel form
    /// and is of the kind the generated loop is faster for; the VM otherwise.
    #[default]
    Auto,
    /// The block VM.
    Vm,
    /// The generated loop wherever it can run (the VM where it cannot).
    Generated,
}

impl ExprTier {
    /// From the call option's name: `"auto"`, `"vm"` or `"wasm"`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<ExprTier> {
        match name {
            "auto" => Some(ExprTier::Auto),
            "vm" => Some(ExprTier::Vm),
            "wasm" => Some(ExprTier::Generated),
            _ => None,
        }
    }
}

thread_local! {
    /// The tier this thread's latest expression run used.
    static LAST_TIER: std::cell::Cell<ExprTier> = const { std::cell::Cell::new(ExprTier::Vm) };
}

/// The tier this thread's latest expression run used: `"wasm"` (the generated loop) or
/// `"vm"`.
#[must_use]
pub fn last_run_tier() -> &'static str {
    match LAST_TIER.with(std::cell::Cell::get) {
        ExprTier::Generated => "wasm",
        _ => "vm",
    }
}

/// An expression's generated module.
#[derive(Debug)]
struct Generated {
    id: u64,
    module: generated::Module,
    /// Whether the loop calls the engine's vector math (transcendental functions, float
    /// `//`, `%`, `**`): the VM's block loops run those on whole blocks.
    calls_vmath: bool,
    /// For a whole reduction, what the host does with the values the loop writes.
    reduction: Option<expr_kernel::Reduction>,
}

/// Builds the signature of named inputs, checking the limits.
fn signature_of(inputs: &[(&str, Input<'_>)]) -> Result<Signature, Diagnostic> {
    if inputs.len() > MAX_INPUTS {
        return Err(Diagnostic::new(
            ErrorKind::ValueError,
            format!(
                "too many inputs ({}, the limit is {MAX_INPUTS})",
                inputs.len()
            ),
            Span::default(),
        ));
    }
    let mut sig = Signature::default();
    for (i, (name, v)) in inputs.iter().enumerate() {
        if inputs[..i].iter().any(|(n, _)| n == name) {
            return Err(Diagnostic::new(
                ErrorKind::ValueError,
                format!("input '{name}' given twice"),
                Span::default(),
            ));
        }
        if let Input::Array { data, shape } = v
            && crate::types::checked_size(shape) != Some(data.len())
        {
            return Err(Diagnostic::new(
                ErrorKind::ValueError,
                format!(
                    "input '{name}' has {} elements but shape {} needs {}",
                    data.len(),
                    shape_str(shape),
                    crate::types::checked_size(shape)
                        .map_or_else(|| "more than fit in memory".to_string(), |n| n.to_string())
                ),
                Span::default(),
            ));
        }
        sig.inputs.push(((*name).to_string(), v.kind()));
    }
    Ok(sig)
}

/// Compiles `source` for the names, dtypes and shapes of `signature`.
pub fn compile(source: &str, signature: &Signature) -> Result<Compiled, Diagnostic> {
    let ast = syntax::parse(source)?;
    let lowered = front::expr::lower(&ast, signature)?;
    let optimized = opt::optimize(&lowered).map_err(|e| {
        Diagnostic::new(
            ErrorKind::InternalError,
            format!("IR verifier failed after pass '{}': {}", e.pass, e.message),
            Span::default(),
        )
    })?;
    let program = codegen::generate(&optimized);
    check_buffers(&optimized, &program)?;
    Ok(Compiled {
        source: source.to_string(),
        signature: signature.clone(),
        lowered,
        optimized,
        program,
        generated: Arc::new(OnceLock::new()),
    })
}

/// NumPy's limit on an array: its size in bytes must fit an `isize` (a ValueError, "array
/// is too big"). It applies to the buffers a program allocates, its result and its
/// temporaries, not to the broadcasts it only loops over: `sum(a + b)` over (20000, 1) and
/// (20000,) needs no 4e8-element buffer. A buffer within the limit that the allocator
/// cannot provide is a MemoryError when the program runs.
fn check_buffers(f: &Function, p: &vm::Program) -> Result<(), Diagnostic> {
    let fits = |d: crate::types::DType, shape: &[usize]| {
        crate::types::checked_size(shape)
            .and_then(|n| n.checked_mul(d.size()))
            .is_some_and(|b| isize::try_from(b).is_ok())
    };
    let temps = p.temps.iter().zip(&p.temp_values).map(|((d, shape), &v)| {
        let what = "a temporary (the argument or result of an axis reduction)";
        (*d, shape.as_slice(), f.span(ir::Value::from_index(v)), what)
    });
    let out = (
        p.out_dtype,
        p.out_shape.as_slice(),
        f.span(f.root()),
        "the result",
    );
    match std::iter::once(out)
        .chain(temps)
        .find(|(d, shape, ..)| !fits(*d, shape))
    {
        None => Ok(()),
        Some((d, shape, span, what)) => Err(Diagnostic::new(
            ErrorKind::ValueError,
            format!(
                "array is too big: {what}, {d} with shape {}, needs more bytes than an array can have",
                shape_str(shape)
            ),
            span,
        )),
    }
}

impl Compiled {
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    #[must_use]
    pub fn signature(&self) -> &Signature {
        &self.signature
    }

    /// The result's dtype and shape.
    #[must_use]
    pub fn output(&self) -> (crate::types::DType, &[usize]) {
        (self.program.out_dtype, &self.program.out_shape)
    }

    /// The optimized IR and the bytecode, in a stable text form.
    #[must_use]
    pub fn disassemble(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "; source: {}", self.source);
        let passes: Vec<&str> = opt::PASSES.iter().map(|(n, _)| *n).collect();
        let _ = writeln!(s, "; ir after {}", passes.join(", "));
        let _ = writeln!(s, "{}", self.optimized);
        let _ = writeln!(s, "; bytecode");
        let _ = writeln!(s, "{}", self.program);
        let _ = writeln!(s, "; tier");
        match expr_kernel::kernel(&self.optimized, true) {
            Err(e) => {
                let _ = writeln!(s, "; the VM everywhere: no generated loop ({})", e.0);
            }
            Ok(ek) => {
                let p = ek.program;
                let vm_first = ek
                    .reduction
                    .as_ref()
                    .is_some_and(|r| r.op != ReduceOp::Prod);
                if ek.reduction.is_some() {
                    let _ = writeln!(
                        s,
                        "; a whole reduction: the loop writes each block's reduction, the host \
                         combines them as the VM does"
                    );
                }
                let options = generated::Options {
                    shared_memory: false,
                };
                match generated::compile_with(&p, options) {
                    Err(u) => {
                        let _ = writeln!(
                            s,
                            "; the VM everywhere: the code generator does not compile {}",
                            u.construct
                        );
                    }
                    Ok(_) if vm_first => {
                        let _ = writeln!(
                            s,
                            "; the VM (its block loop reduces faster); the generated loop below \
                             on request (tier \"wasm\")"
                        );
                    }
                    Ok(m) if calls_vmath(&m) => {
                        let _ = writeln!(
                            s,
                            "; the VM (its block loops run vector math on whole blocks); the \
                             generated loop below on request (tier \"wasm\")"
                        );
                    }
                    Ok(_) => {
                        let _ = writeln!(
                            s,
                            "; the generated loop below where wasm is generated at run time \
                             (browsers, Node); the VM natively or on request (tier \"vm\")"
                        );
                    }
                }
                let _ = write!(s, "{p}");
            }
        }
        s
    }

    /// The bytecode.
    #[cfg(test)]
    #[must_use]
    pub(crate) fn program(&self) -> &vm::Program {
        &self.program
    }

    /// The IR as lowered, before optimization.
    #[must_use]
    pub fn lowered_ir(&self) -> String {
        self.lowered.to_string()
    }

    /// The function as lowered, before optimization, for tools that walk it.
    #[must_use]
    pub fn lowered(&self) -> &Function {
        &self.lowered
    }

    /// Whether `inputs` match the compiled signature (names, dtypes, shapes, scalar
    /// values), checked without allocating.
    #[must_use]
    pub fn accepts(&self, inputs: &[(&str, Input<'_>)]) -> bool {
        use crate::front::expr::InputKind;
        inputs.len() == self.signature.inputs.len()
            && inputs
                .iter()
                .zip(&self.signature.inputs)
                .all(|((name, v), (want, kind))| {
                    *name == want
                        && match (v, kind) {
                            (
                                Input::Array { data, shape },
                                InputKind::Array { dtype, shape: s },
                            ) => {
                                data.dtype() == *dtype
                                    && *shape == s.as_slice()
                                    && crate::types::checked_size(shape) == Some(data.len())
                            }
                            (Input::Scalar(a), InputKind::Scalar(b)) => a == b,
                            _ => false,
                        }
                })
    }

    fn check_inputs<'a>(
        &self,
        inputs: &[(&str, Input<'a>)],
    ) -> Result<Vec<BufferRef<'a>>, Diagnostic> {
        let sig = signature_of(inputs)?;
        if sig != self.signature {
            return Err(Diagnostic::new(
                ErrorKind::ValueError,
                "inputs do not match the signature this expression was compiled for (names, dtypes, shapes and Python scalar values)",
                Span::default(),
            ));
        }
        Ok(inputs
            .iter()
            .filter_map(|(_, v)| match v {
                Input::Array { data, .. } => Some(*data),
                Input::Scalar(_) => None,
            })
            .collect())
    }

    /// Runs on `inputs` (which must match the signature). With `out`, writes the result
    /// there (its dtype and length must match) and returns `None`; without, returns a new
    /// array. `threads`: at most this many threads (`None`: the `set_num_threads` limit).
    pub fn run(
        &self,
        inputs: &[(&str, Input<'_>)],
        out: Option<&mut BufferMut<'_>>,
        threads: Option<usize>,
    ) -> Result<Option<Array>, Diagnostic> {
        self.run_on(inputs, out, threads, None, ExprTier::Vm)
    }

    /// The expression as a kernel: the kir program of its fused loop (`parallel`: a
    /// `prange` loop), or why it has none and the VM runs it.
    pub fn kernel_program(&self, parallel: bool) -> Result<crate::kir::Program, String> {
        self.kernel(parallel).map(|k| k.program)
    }

    /// The expression as a kernel: the kir program, and for a whole reduction how the
    /// host finishes it; or why it has none.
    pub fn kernel(&self, parallel: bool) -> Result<expr_kernel::ExprKernel, String> {
        expr_kernel::kernel(&self.optimized, parallel).map_err(|e| e.0)
    }

    /// The generated module for `host`'s options, made on first use.
    fn generated(&self, host: &dyn WasmHost) -> &Result<Generated, NoKernel> {
        self.generated.get_or_init(|| {
            let ek = expr_kernel::kernel(&self.optimized, true)?;
            let module = generated::compile_with(&ek.program, host.options()).map_err(|u| {
                NoKernel(format!(
                    "the code generator does not compile {}",
                    u.construct
                ))
            })?;
            // The vmath functions a module calls are its imports from `numwasm`, by name.
            let calls_vmath = calls_vmath(&module);
            Ok(Generated {
                id: super::kernels::NEXT_MODULE.fetch_add(1, Ordering::Relaxed),
                module,
                calls_vmath,
                reduction: ek.reduction,
            })
        })
    }

    /// Which tier `run_on` with `tier` and `host` would run this expression on, and why
    /// (a line for `disassemble` and the tests).
    #[must_use]
    pub fn tier_with(&self, host: Option<&dyn WasmHost>, tier: ExprTier) -> (ExprTier, String) {
        if tier == ExprTier::Vm {
            return (ExprTier::Vm, "the VM was asked for".into());
        }
        let Some(h) = host else {
            return (
                ExprTier::Vm,
                "no host runs generated code here (native)".into(),
            );
        };
        match self.generated(h) {
            Err(e) => (ExprTier::Vm, format!("no generated loop: {}", e.0)),
            Ok(g) if g.calls_vmath && tier == ExprTier::Auto => (
                ExprTier::Vm,
                "the loop calls vector math, which the VM runs on whole blocks".into(),
            ),
            Ok(g)
                if tier == ExprTier::Auto
                    && g.reduction.as_ref().is_some_and(|r| r.op != ReduceOp::Prod) =>
            {
                (
                    ExprTier::Vm,
                    "a whole reduction: the VM's block loop is faster (the generated loop \
                     reduces in scalar code); the generated loop on request"
                        .into(),
                )
            }
            Ok(_) => (ExprTier::Generated, "one fused generated loop".into()),
        }
    }

    /// [`Self::run`] on the tier `tier` chooses, with `host` running generated code.
    pub fn run_on(
        &self,
        inputs: &[(&str, Input<'_>)],
        out: Option<&mut BufferMut<'_>>,
        threads: Option<usize>,
        host: Option<&dyn WasmHost>,
        tier: ExprTier,
    ) -> Result<Option<Array>, Diagnostic> {
        let bufs = self.check_inputs(inputs)?;
        let (dtype, shape) = (self.program.out_dtype, self.program.out_shape.clone());
        match out {
            Some(o) => {
                if o.dtype() != dtype || o.len() != size_of(&shape) {
                    return Err(Diagnostic::new(
                        ErrorKind::ValueError,
                        format!(
                            "output buffer is {} with {} elements, the result is {dtype} with shape {}",
                            o.dtype(),
                            o.len(),
                            shape_str(&shape)
                        ),
                        Span::default(),
                    ));
                }
                self.execute(&bufs, o, threads, host, tier)?;
                Ok(None)
            }
            None => {
                let mut data = Buffer::try_zeros(dtype, size_of(&shape)).ok_or_else(|| {
                    Diagnostic::new(
                        ErrorKind::MemoryError,
                        format!(
                            "cannot allocate the result: {} elements of {dtype}",
                            size_of(&shape)
                        ),
                        Span::default(),
                    )
                })?;
                self.execute(&bufs, &mut data.as_mut(), threads, host, tier)?;
                Ok(Some(Array { dtype, shape, data }))
            }
        }
    }

    /// Whether a call stays on the calling thread: the VM's estimate of its serial time is
    /// under the parallel threshold (the same rule for both tiers, so `timing.threads` does
    /// not depend on the tier).
    fn serial(&self) -> bool {
        let cost = self.program.loops_cost_ns();
        cost.is_nan() || cost < crate::par::PARALLEL_MIN_NS
    }

    /// Runs on the chosen tier into `out`.
    fn execute(
        &self,
        bufs: &[BufferRef<'_>],
        out: &mut BufferMut<'_>,
        threads: Option<usize>,
        host: Option<&dyn WasmHost>,
        tier: ExprTier,
    ) -> Result<(), Diagnostic> {
        if let Some(h) = host
            && self.tier_with(host, tier).0 == ExprTier::Generated
            && let Ok(g) = self.generated(h)
            && let Some(r) = match &g.reduction {
                None => run_generated(g, h, bufs, out, self.serial()),
                Some(red) => run_reduction(g, red, h, bufs, out, self.serial()),
            }
        {
            LAST_TIER.with(|t| t.set(ExprTier::Generated));
            return r;
        }
        LAST_TIER.with(|t| t.set(ExprTier::Vm));
        vm::run(&self.program, bufs, out, threads).map_err(|e| {
            let kind = if e.message.starts_with("cannot allocate") {
                ErrorKind::MemoryError
            } else {
                ErrorKind::ValueError
            };
            Diagnostic::new(kind, e.message, e.span)
        })
    }

    /// Evaluates the IR as lowered (before optimization) with the reference evaluator,
    /// for differential tests.
    pub fn run_reference(&self, inputs: &[(&str, Input<'_>)]) -> Result<Array, Diagnostic> {
        self.reference(&self.lowered, inputs)
    }

    /// Evaluates the optimized IR with the reference evaluator: the VM must match it to
    /// the bit, except for float sums over more than one block (summed in another tree).
    pub fn run_reference_optimized(
        &self,
        inputs: &[(&str, Input<'_>)],
    ) -> Result<Array, Diagnostic> {
        self.reference(&self.optimized, inputs)
    }

    fn reference(&self, f: &Function, inputs: &[(&str, Input<'_>)]) -> Result<Array, Diagnostic> {
        let bufs = self.check_inputs(inputs)?;
        let r = ir::reference::evaluate(f, &bufs)
            .map_err(|e| Diagnostic::new(ErrorKind::ValueError, e.message, e.span))?;
        Ok(Array {
            dtype: r.dtype,
            shape: r.shape.clone(),
            data: r.to_buffer(),
        })
    }
}

/// Compiles and caches expressions by source and signature.
#[derive(Debug, Default)]
pub struct Engine {
    cache: Mutex<HashMap<String, Arc<Compiled>>>,
}

impl Engine {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Compiles `source` for these inputs, or returns the cached compilation.
    pub fn compile(
        &self,
        source: &str,
        inputs: &[(&str, Input<'_>)],
    ) -> Result<Arc<Compiled>, Diagnostic> {
        let sig = signature_of(inputs)?;
        let key = format!("{source}\u{0}{sig:?}");
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = cache.get(&key) {
            return Ok(Arc::clone(c));
        }
        let c = Arc::new(compile(source, &sig)?);
        if cache.len() >= CACHE_CAPACITY {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&c));
        Ok(c)
    }

    /// Compiles (cached) and runs.
    pub fn evaluate(
        &self,
        source: &str,
        inputs: &[(&str, Input<'_>)],
        threads: Option<usize>,
    ) -> Result<Array, Diagnostic> {
        let c = self.compile(source, inputs)?;
        let r = c.run(inputs, None, threads)?;
        r.ok_or_else(|| Diagnostic::new(ErrorKind::InternalError, "no result", Span::default()))
    }

    /// How many compilations are cached.
    #[must_use]
    pub fn cached(&self) -> usize {
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len()
    }
}

/// Evaluates with a process-wide engine (and its cache).
pub fn evaluate(source: &str, inputs: &[(&str, Input<'_>)]) -> Result<Array, Diagnostic> {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE
        .get_or_init(Engine::new)
        .evaluate(source, inputs, None)
}

/// Whether a module calls the engine's vector math: its imports from `numwasm` are named
/// in its bytes.
fn calls_vmath(m: &generated::Module) -> bool {
    m.bytes
        .windows(generated::VMATH_PREFIX.len())
        .any(|w| w == generated::VMATH_PREFIX.as_bytes())
}

/// Runs an expression's generated loop on `bufs` into `out`: lays out a 1-d descriptor for
/// each (the elements stay where they are: the host runs the module on this memory) and the
/// trampoline's block, calls the host and reads the error back. `None` when an array has no
/// place in the module's ABI (an address or length beyond `i32`; the VM runs the call).
// The generated loop of a whole reduction keeps the VM's block order.
const _: () = assert!(expr_kernel::BLOCK == vm::BLOCK && vm::CHUNK % vm::BLOCK == 0);

/// The value of a whole reduction's expression from the values its generated loop wrote
/// (`expr_kernel::Reduction`): the full blocks' reductions, then the partial block's
/// values, combined as the VM's `reduce_all` does (the partial block, each chunk's
/// blocks, the chunks, then `finish`), and what the expression computes from it.
///
/// # Panics
/// If `partials` is not `red.partials_len()` values of `red.dtype`.
#[must_use]
pub fn finish_reduction(red: &expr_kernel::Reduction, partials: BufferRef<'_>) -> Scalar {
    assert!(partials.dtype() == red.dtype && partials.len() == red.partials_len());
    let full = red.full_blocks();
    let total = crate::with_dtype!(red.dtype, T => {
        // SAFETY: checked above: `partials` holds that many elements of T.
        let v = unsafe { std::slice::from_raw_parts(partials.as_ptr().cast::<T>(), partials.len()) };
        combine_blocks::<T>(red.op, v, full).to_scalar()
    });
    red.tail(total)
}

fn combine_blocks<T: Elem>(op: ReduceOp, v: &[T], full: usize) -> T {
    let mut blocks: Vec<T> = v[..full].to_vec();
    if v.len() > full {
        blocks.push(vm::reduce::combine(op, &v[full..]));
    }
    let parts: Vec<T> = blocks
        .chunks(vm::CHUNK / vm::BLOCK)
        .map(|c| vm::reduce::combine(op, c))
        .collect();
    if parts.is_empty() {
        vm::reduce::identity(op)
    } else {
        vm::reduce::finish(op, vm::reduce::combine(op, &parts))
    }
}

/// Runs the generated loop of a whole reduction into a buffer of its partial values and
/// writes the expression's value into `out` (one element).
fn run_reduction(
    g: &Generated,
    red: &expr_kernel::Reduction,
    host: &dyn WasmHost,
    bufs: &[BufferRef<'_>],
    out: &mut BufferMut<'_>,
    serial: bool,
) -> Option<Result<(), Diagnostic>> {
    let Some(mut partials) = Buffer::try_zeros(red.dtype, red.partials_len()) else {
        return Some(Err(Diagnostic::new(
            ErrorKind::MemoryError,
            format!(
                "cannot allocate a reduction's partial values: {} elements of {}",
                red.partials_len(),
                red.dtype
            ),
            Span::default(),
        )));
    };
    if let Err(e) = run_generated(g, host, bufs, &mut partials.as_mut(), serial)? {
        return Some(Err(e));
    }
    let v = finish_reduction(red, partials.as_ref());
    if out.len() != 1 {
        return Some(Err(Diagnostic::new(
            ErrorKind::InternalError,
            "a reduction's result is not one element",
            Span::default(),
        )));
    }
    crate::with_dtype!(out.dtype(), T => {
        let x: T = v.cast_to();
        // SAFETY: `out` holds one element of its dtype, T.
        unsafe { out.as_mut_ptr().cast::<T>().write(x) };
    });
    Some(Ok(()))
}

fn run_generated(
    g: &Generated,
    host: &dyn WasmHost,
    bufs: &[BufferRef<'_>],
    out: &mut BufferMut<'_>,
    serial: bool,
) -> Option<Result<(), Diagnostic>> {
    let word = |x: usize| i32::try_from(x).ok();
    let mut descriptors: Vec<[i32; 3]> = Vec::with_capacity(bufs.len() + 1);
    descriptors.push([word(out.as_mut_ptr() as usize)?, word(out.len())?, 1]);
    for b in bufs {
        descriptors.push([word(b.as_ptr() as usize)?, word(b.len())?, 1]);
    }
    let mut block = vec![0u64; generated::Block::slots(descriptors.len(), 0)];
    for (k, d) in descriptors.iter().enumerate() {
        block[generated::Block::param(k) as usize / 8] =
            u64::from(word(d.as_ptr() as usize)? as u32);
    }
    let at = u32::try_from(block.as_mut_ptr() as usize).ok()?;
    // What the loop allocates (a parallel loop's environment) lives until it returns.
    let _arena = super::arena::CallArena::new();
    let internal = |m: String| Diagnostic::new(ErrorKind::InternalError, m, Span::default());
    let ran = if serial {
        host.run_limited(g.id, &g.module.bytes, at, 1)
    } else {
        host.run(g.id, &g.module.bytes, at)
    };
    if let Err(e) = ran {
        return Some(Err(internal(format!(
            "the generated code of this expression failed to run: {e}"
        ))));
    }
    vm::set_last_run_threads(host.threads_used());
    let code = block[generated::Block::ERROR as usize / 8] as u32 as i32;
    if code != 0 {
        let a = block[generated::Block::ERROR_A as usize / 8] as i64;
        let b = block[generated::Block::ERROR_B as usize / 8] as i64;
        return Some(Err(match g.module.error(code, a, b) {
            Some(e) if e.kind == crate::kir::RaiseKind::MemoryError => {
                Diagnostic::new(ErrorKind::MemoryError, e.message, e.span)
            }
            Some(e) => internal(format!(
                "the generated loop raised {}: {}",
                e.kind.name(),
                e.message
            )),
            None => internal(format!(
                "the generated code reported error {code}, which names no site"
            )),
        }));
    }
    Some(Ok(()))
}
