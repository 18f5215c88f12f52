//! Numba-style kernels through the API: a module of kernels compiled per argument types
//! (cached, as Numba's dispatcher does) and run by generated WebAssembly where a host
//! can run it (the wasm build), or on the reference executor.
//!
//! ```text
//! source ──Kernels::new──▶ parsed module (explicit signatures compiled now)
//! name, args ──call──▶ kir::Program for the argument types (cached)
//!              ├─ with a WasmHost: back::wasm module (cached, made on first use) ──host──▶
//!              └─ otherwise, or when the module has a construct the generator does not
//!                 compile yet: kir::exec ──▶
//!            value, and the new contents of every array argument the kernel wrote
//! ```
//!
//! Both tiers compute the same bits (the generator's tests compare them on every
//! operation, every seed kernel and random programs); the executor is the definition.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use super::{Array, Diagnostic, ErrorKind};
use crate::back::wasm as generated;
use crate::front::numba::{self, KernelError, KernelErrorKind};
use crate::kir::exec::{self, ArrayValue, Value};
use crate::kir::{self, Ty};
use crate::syntax::Span;
use crate::types::{Buffer, DType, Scalar, checked_size, shape_str};

/// An argument of a kernel call, as Python would pass it.
#[derive(Debug, Clone, PartialEq)]
pub enum KernelArg {
    /// A NumPy array (C order); a 0-d array is a NumPy scalar of its dtype.
    Array(Array),
    /// A Python `int` (typed int64, as Numba types it).
    Int(i128),
    /// A Python `float` (float64).
    Float(f64),
    /// A Python `bool`.
    Bool(bool),
    /// A NumPy scalar of its dtype (`np.float32(2.5)`).
    Scalar(Scalar),
}

/// What a kernel returned.
#[derive(Debug, Clone, PartialEq)]
pub enum KernelValue {
    Array(Array),
    Scalar(Scalar),
    /// A list of scalars, as a 1-d array.
    List(Array),
    Tuple(Vec<KernelValue>),
    None,
    /// One of the call's own array arguments, returned whole (`return out`, a ufunc's
    /// `out=`): positional argument `index`, or keyword argument `index` in the order
    /// given. The call moved its buffer back into that argument with what the kernel
    /// wrote, so the result is there, not copied. Only [`Kernels::call_in_place`] gives
    /// it; [`Kernels::call`] and [`Kernels::call_with`] copy the argument instead.
    Argument {
        keyword: bool,
        index: usize,
    },
}

impl KernelValue {
    /// The value with every [`KernelValue::Argument`] replaced by a copy of the argument
    /// it names (as the call left it).
    #[must_use]
    pub fn resolve(self, args: &[KernelArg], kwargs: &[(String, KernelArg)]) -> Self {
        match self {
            Self::Argument { keyword, index } => {
                let arg = if keyword {
                    kwargs.get(index).map(|(_, a)| a)
                } else {
                    args.get(index)
                };
                match arg {
                    Some(KernelArg::Array(a)) => Self::Array(a.clone()),
                    _ => Self::None,
                }
            }
            Self::Tuple(items) => {
                Self::Tuple(items.into_iter().map(|v| v.resolve(args, kwargs)).collect())
            }
            other => other,
        }
    }
}

/// The result of a call: the value, the array arguments the kernel wrote (index into the
/// call's positional arguments after keywords are bound, and their new contents), the
/// signature it ran and the tier that ran it.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelCall {
    pub value: KernelValue,
    pub mutated: Vec<(usize, Buffer)>,
    pub signature: String,
    pub tier: Tier,
}

/// Which tier ran a kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Generated WebAssembly (`back::wasm`), run by a [`WasmHost`].
    Wasm,
    /// The reference executor (`kir::exec`).
    Executor,
}

impl Tier {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Tier::Wasm => "wasm",
            Tier::Executor => "executor",
        }
    }
}

/// What `inspect` shows of a kernel compiled for some argument types.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// Numba's form: `(array(float64, 1d, C), int64) -> float64`.
    pub signature: String,
    /// The typed kernel IR of the entry and of every function it calls.
    pub typed_ir: String,
    /// The tier a call with these arguments runs on, given the host inspected with.
    pub tier: Tier,
    /// The generated module as text (WAT), when the kernel compiles to wasm.
    pub wasm: Option<String>,
    /// Why the kernel runs on the executor, when the generator does not compile it yet.
    pub not_compiled: Option<String>,
    /// For a `parallel=True` kernel, what became parallel loops and what did not (render
    /// with [`Kernels::parallel_text`]).
    pub parallel: Option<kir::parallel::Report>,
    /// The kernel as a plain JS function over typed arrays (`back::js`, the playground's
    /// baseline), or why there is none.
    pub js: Result<String, String>,
}

/// Runs generated modules: the wasm build's engine, which instantiates them on its own
/// memory. Natively there is none and kernels run on the reference executor.
pub trait WasmHost {
    /// How modules must be built for this host (its memory shared or not).
    fn options(&self) -> generated::Options;

    /// Calls the trampoline ([`generated::RUN_EXPORT`]) of module `id` on the block at
    /// address `block` of the host's memory, instantiating `bytes` first when this thread
    /// has no instance of module `id` yet. `Err` says why the module could not run; a
    /// kernel's own error is in the block, not here.
    fn run(&self, id: u64, bytes: &[u8], block: u32) -> Result<(), String>;

    /// [`Self::run`] with the call's parallel loops limited to `threads` threads.
    fn run_limited(&self, id: u64, bytes: &[u8], block: u32, threads: usize) -> Result<(), String> {
        let _ = threads;
        self.run(id, bytes, block)
    }

    /// The most threads the parallel loops of the calls run so far used (1 when none ran
    /// in parallel).
    fn threads_used(&self) -> usize {
        1
    }
}

/// A kernel compiled for one signature: its program, what it may write, and its
/// generated module once a host has asked for it.
#[derive(Debug)]
struct Compiled {
    program: kir::Program,
    /// For each parameter of the entry: whether the kernel may write the array it holds.
    writes: Vec<bool>,
    wasm: OnceLock<Result<Generated, generated::Unsupported>>,
}

/// A generated module and its identity (hosts cache instances by it).
#[derive(Debug)]
struct Generated {
    id: u64,
    module: generated::Module,
}

/// Module identities, unique in the process (threads share them: each pool thread keeps
/// its own instance of a module under the same id).
pub(super) static NEXT_MODULE: AtomicU64 = AtomicU64::new(1);

impl Compiled {
    fn new(program: kir::Program) -> Self {
        let writes = kir::writes::written_params(&program)
            .into_iter()
            .next()
            .unwrap_or_default();
        Compiled {
            program,
            writes,
            wasm: OnceLock::new(),
        }
    }

    /// The generated module for `host`'s options, made on first use.
    fn generated(&self, host: &dyn WasmHost) -> &Result<Generated, generated::Unsupported> {
        self.wasm.get_or_init(|| {
            generated::compile_with(&self.program, host.options()).map(|module| Generated {
                id: NEXT_MODULE.fetch_add(1, Ordering::Relaxed),
                module,
            })
        })
    }
}

/// Most compiled signatures kept per module; beyond, the cache starts over.
const CACHE_CAPACITY: usize = 256;

/// A module of kernels: the parsed source and the programs compiled so far.
#[derive(Debug)]
pub struct Kernels {
    source: String,
    module: numba::Module,
    cache: Mutex<HashMap<(String, Vec<Ty>), Arc<Compiled>>>,
}

impl Kernels {
    /// Parses a module and compiles the kernels that declare signatures (their errors are
    /// reported now, as Numba reports them at decoration).
    pub fn new(source: &str) -> Result<Self, Diagnostic> {
        let module = numba::Module::parse(source).map_err(Diagnostic::from)?;
        let k = Kernels {
            source: source.to_owned(),
            module,
            cache: Mutex::new(HashMap::new()),
        };
        for name in k.module.names() {
            for sig in k.module.declared(&name) {
                k.program(&name, &sig)?;
            }
        }
        Ok(k)
    }

    /// The source the module was made from.
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The kernels callable from outside (decorated functions), in source order.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.module.names()
    }

    /// The program of `name` for argument types `tys`, compiled on first use.
    fn program(&self, name: &str, tys: &[Ty]) -> Result<Arc<Compiled>, Diagnostic> {
        let key = (name.to_owned(), tys.to_vec());
        if let Some(p) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(p);
        }
        let p = Arc::new(Compiled::new(
            self.module.compile(name, tys).map_err(Diagnostic::from)?,
        ));
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= CACHE_CAPACITY {
                c.clear();
            }
            c.insert(key, Arc::clone(&p));
        }
        Ok(p)
    }

    /// Binds positional and keyword arguments to the kernel's parameters (defaults fill
    /// the rest) and gives their types and the program's name (see `bind_values`). A kernel
    /// with declared signatures takes the first one the arguments convert to, as Numba's
    /// dispatcher does without compiling more.
    fn bind(
        &self,
        name: &str,
        args: Vec<KernelArg>,
        kwargs: Vec<(String, KernelArg)>,
    ) -> Result<(Vec<Value>, Vec<Ty>, String), Diagnostic> {
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(to_value(a)?);
        }
        let mut named = Vec::with_capacity(kwargs.len());
        for (k, a) in kwargs {
            named.push((k, to_value(a)?));
        }
        self.bind_values(name, values, named)
    }

    /// [`Kernels::bind`] for arguments already converted to the executor's values.
    /// Also gives the name the program is compiled and cached under: the kernel's, or for a
    /// gufunc called with `axis=` the kernel's with the axis (the loop's structure depends on
    /// it, see `numba::Module::compile`).
    fn bind_values(
        &self,
        name: &str,
        values: Vec<Value>,
        mut named: Vec<(String, Value)>,
    ) -> Result<(Vec<Value>, Vec<Ty>, String), Diagnostic> {
        let mut key = name.to_owned();
        if self.module.is_gufunc(name)
            && let Some(at) = named.iter().position(|(k, _)| k == "axis")
        {
            let (_, v) = named.remove(at);
            let axis = match v {
                Value::Scalar(s) if s.dtype().is_int() => s.to_i128(),
                _ => {
                    return Err(Diagnostic::new(
                        ErrorKind::TypeError,
                        "axis must be an integer",
                        self.module.name_span(name),
                    ));
                }
            };
            key = numba::Module::with_axis(name, axis);
        }
        let values = self
            .module
            .bind(name, values, named)
            .map_err(Diagnostic::from)?;
        let tys: Vec<Ty> = values.iter().map(exec::type_of).collect();
        let declared = self.module.declared(name);
        if declared.is_empty() || declared.contains(&tys) || self.module.is_ufunc(name) {
            return Ok((values, tys, key));
        }
        for sig in &declared {
            if let Some(converted) = convert_args(&values, sig) {
                return Ok((converted, sig.clone(), key));
            }
        }
        let got: Vec<String> = tys.iter().map(Ty::numba_name).collect();
        Err(Diagnostic::new(
            ErrorKind::TypeError,
            format!(
                "No matching definition for argument type(s) {}",
                got.join(", ")
            ),
            self.module.name_span(name),
        ))
    }

    /// Calls kernel `name` with positional and keyword arguments, on the reference
    /// executor.
    pub fn call(
        &self,
        name: &str,
        mut args: Vec<KernelArg>,
        mut kwargs: Vec<(String, KernelArg)>,
    ) -> Result<KernelCall, Diagnostic> {
        self.call_with(name, &mut args, &mut kwargs, None)
    }

    /// Calls kernel `name`, on generated code when `host` can run it and the generator
    /// compiles the kernel, otherwise on the reference executor. The kernel works on the
    /// argument arrays in place: their buffers move into the call and back into `args`
    /// and `kwargs` afterwards, whatever the outcome, with what the kernel wrote (so an
    /// engine can lend its resident arrays without a copy). `KernelCall::mutated` also
    /// lists the arrays it changed.
    pub fn call_with(
        &self,
        name: &str,
        args: &mut [KernelArg],
        kwargs: &mut [(String, KernelArg)],
        host: Option<&dyn WasmHost>,
    ) -> Result<KernelCall, Diagnostic> {
        let mut call = self.call_in_place(name, args, kwargs, host, &|_, _| false)?;
        call.value = call.value.resolve(args, kwargs);
        Ok(call)
    }

    /// [`Self::call_with`], where `in_place(keyword, index)` names the array arguments
    /// whose writes need no report (an engine's resident arrays, written where they
    /// live): they are not snapshotted before the call nor listed in
    /// `KernelCall::mutated`, which saves a copy and a comparison of each. An array
    /// argument the kernel returns whole is [`KernelValue::Argument`], not a copy.
    pub fn call_in_place(
        &self,
        name: &str,
        args: &mut [KernelArg],
        kwargs: &mut [(String, KernelArg)],
        host: Option<&dyn WasmHost>,
        in_place: &dyn Fn(bool, usize) -> bool,
    ) -> Result<KernelCall, Diagnostic> {
        let mut lent = Vec::new();
        let result = (|| {
            let mut values = Vec::with_capacity(args.len());
            for (i, a) in args.iter_mut().enumerate() {
                values.push(lend(a, false, i, &mut lent)?);
            }
            let mut named = Vec::with_capacity(kwargs.len());
            for (i, (k, a)) in kwargs.iter_mut().enumerate() {
                named.push((k.clone(), lend(a, true, i, &mut lent)?));
            }
            let quiet: Vec<*const RefCell<Buffer>> = lent
                .iter()
                .filter(|l| in_place(l.keyword, l.index))
                .map(|l| Rc::as_ptr(&l.data))
                .collect();
            self.run_bound(name, values, named, host, &quiet, &lent)
        })();
        // Every array goes back to its argument.
        for l in lent {
            let home = if l.keyword {
                kwargs.get_mut(l.index).map(|(_, a)| a)
            } else {
                args.get_mut(l.index)
            };
            if let Some(KernelArg::Array(arr)) = home {
                arr.data =
                    std::mem::replace(&mut *l.data.borrow_mut(), Buffer::zeros(arr.dtype, 0));
            }
        }
        result
    }

    /// Binds and runs converted arguments.
    fn run_bound(
        &self,
        name: &str,
        values: Vec<Value>,
        named: Vec<(String, Value)>,
        host: Option<&dyn WasmHost>,
        quiet: &[*const RefCell<Buffer>],
        lent: &[Lent],
    ) -> Result<KernelCall, Diagnostic> {
        let (values, tys, key) = self.bind_values(name, values, named)?;
        let compiled = self.program(&key, &tys)?;
        let program = &compiled.program;
        // The arrays the kernel may write, as they were, to tell which ones it wrote
        // (not those written in place without a report).
        let before: Vec<Option<Buffer>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::Array(a)
                    if compiled.writes.get(i).copied().unwrap_or(true)
                        && !quiet.contains(&Rc::as_ptr(&a.data)) =>
                {
                    Some(a.data.borrow().clone())
                }
                _ => None,
            })
            .collect();
        // An array result that is an argument array whole (its buffer, offset, shape and
        // strides) is that argument. Not an empty one: empty buffers of different arguments
        // may share an address.
        let argument =
            |data: &Rc<RefCell<Buffer>>, offset: usize, shape: &[usize], strides: &[isize]| {
                if shape.contains(&0) {
                    return None;
                }
                let l = lent.iter().find(|l| Rc::ptr_eq(&l.data, data))?;
                let whole = values.iter().any(|v| {
                    matches!(v, Value::Array(a) if Rc::ptr_eq(&a.data, data)
                    && a.offset == offset && a.shape == shape && a.strides == strides)
                });
                whole.then_some(KernelValue::Argument {
                    keyword: l.keyword,
                    index: l.index,
                })
            };
        let generated = host.and_then(|h| Some((h, compiled.generated(h).as_ref().ok()?)));
        let ran = match generated {
            Some((h, g)) => run_generated(g, h, &values, &argument).map(|r| (r, Tier::Wasm)),
            None => None,
        };
        let (result, tier) = match ran {
            Some((r, tier)) => (r.map_err(run_error)?, tier),
            None => (
                into_kernel_value(
                    exec::run(program, values.clone()).map_err(run_error)?,
                    &|a: &ArrayValue| argument(&a.data, a.offset, &a.shape, &a.strides),
                )?,
                Tier::Executor,
            ),
        };
        let mut mutated = Vec::new();
        for (i, (v, old)) in values.iter().zip(before).enumerate() {
            if let (Value::Array(a), Some(old)) = (v, old) {
                let now = a.data.borrow();
                if !same_bits(&now, &old) {
                    mutated.push((i, now.clone()));
                }
            }
        }
        Ok(KernelCall {
            value: result,
            mutated,
            signature: signature_text(&tys, &program.entry().ret),
            tier,
        })
    }

    /// For each parameter of kernel `name`, which argument of a call with `positional`
    /// positional arguments and these keywords binds to it: an index into the positional
    /// arguments followed by the keyword ones in the order given, or `None` where the
    /// default applies. `KernelCall::mutated` counts parameters; a caller that holds the
    /// arguments (the wasm bindings writing arrays back) maps them with this.
    pub fn argument_slots(
        &self,
        name: &str,
        positional: usize,
        keywords: &[String],
    ) -> Result<Vec<Option<usize>>, Diagnostic> {
        // Each argument is bound as a marker that no default can equal (defaults are
        // scalars or None), so where a marker lands is where its argument goes.
        let marker = |i: usize| Value::Tuple(vec![Value::Scalar(Scalar::U64(i as u64))]);
        let args = (0..positional).map(marker).collect();
        // (a gufunc's `axis=` chooses the program, it binds to no parameter)
        let gufunc = self.module.is_gufunc(name);
        let kwargs = keywords
            .iter()
            .enumerate()
            .filter(|(_, k)| !(gufunc && k.as_str() == "axis"))
            .map(|(j, k)| (k.clone(), marker(positional + j)))
            .collect();
        let bound = self
            .module
            .bind(name, args, kwargs)
            .map_err(Diagnostic::from)?;
        Ok(bound
            .iter()
            .map(|v| match v {
                Value::Tuple(items) => match items.as_slice() {
                    [Value::Scalar(Scalar::U64(i))] => usize::try_from(*i).ok(),
                    _ => None,
                },
                _ => None,
            })
            .collect())
    }

    /// The signature, typed IR and JS baseline of kernel `name` compiled for these
    /// arguments, on the reference executor.
    pub fn inspect(
        &self,
        name: &str,
        args: Vec<KernelArg>,
        kwargs: Vec<(String, KernelArg)>,
    ) -> Result<Inspection, Diagnostic> {
        self.inspect_with(name, args, kwargs, None)
    }

    /// The signature, typed IR, tier, (when it compiles) generated module and JS baseline
    /// of kernel `name` compiled for these arguments, as `call_with` with `host` would run
    /// it.
    pub fn inspect_with(
        &self,
        name: &str,
        args: Vec<KernelArg>,
        kwargs: Vec<(String, KernelArg)>,
        host: Option<&dyn WasmHost>,
    ) -> Result<Inspection, Diagnostic> {
        let (_, tys, key) = self.bind(name, args, kwargs)?;
        let compiled = self.program(&key, &tys)?;
        let program = &compiled.program;
        let (tier, wasm, not_compiled) = match host.map(|h| compiled.generated(h)) {
            Some(Ok(g)) => (
                Tier::Wasm,
                Some(
                    generated::to_text(&g.module.bytes)
                        .unwrap_or_else(|e| format!(";; the module does not print: {e}")),
                ),
                None,
            ),
            Some(Err(u)) => (Tier::Executor, None, Some(u.to_string())),
            None => (
                Tier::Executor,
                None,
                Some("no host runs generated code here (native)".to_owned()),
            ),
        };
        Ok(Inspection {
            signature: signature_text(&tys, &program.entry().ret),
            typed_ir: program.to_string(),
            tier,
            wasm,
            not_compiled,
            parallel: program.parallel.clone(),
            js: crate::back::js::generate(program).map_err(|u| u.0),
        })
    }

    /// The 1-based line of the module's source that `span` starts on.
    #[must_use]
    pub fn line_of(&self, span: Span) -> usize {
        let end = (span.start as usize).min(self.source.len());
        self.source.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    /// Parallel diagnostics as text at `level` (1 to 4, Numba's
    /// `parallel_diagnostics` levels; see `kir::parallel::Report::text`).
    #[must_use]
    pub fn parallel_text(&self, report: &kir::parallel::Report, level: u8) -> String {
        report.text(level.clamp(1, 4), &|s| self.line_of(s))
    }
}

/// Runs a generated module on `values`: lays out a descriptor for each array (its data
/// stays where it is: the host runs the module on this engine's memory) and the
/// trampoline's block, calls the host and reads the result or the error back. `None`
/// when an argument has no place in the module's ABI (the executor runs the call then).
/// An array result that is one of `values` whole reads as `argument` gives it.
fn run_generated(
    g: &Generated,
    host: &dyn WasmHost,
    values: &[Value],
    argument: &Argument,
) -> Option<Result<KernelValue, exec::RunError>> {
    let addr = |p: usize| u32::try_from(p).ok();
    // The descriptors live here until the call returns.
    let mut descriptors: Vec<Vec<i32>> = Vec::new();
    let n_results = g
        .module
        .functions
        .first()
        .map_or(0, |f| result_values(&f.ret));
    let mut block = vec![0u64; generated::Block::slots(values.len(), n_results)];
    for (i, v) in values.iter().enumerate() {
        let bits = match v {
            Value::Scalar(s) => match generated::to_wasm(*s) {
                generated::WasmValue::I32(x) => u64::from(x as u32),
                generated::WasmValue::I64(x) => x as u64,
                generated::WasmValue::F32(x) => u64::from(x),
                generated::WasmValue::F64(x) => x,
            },
            Value::Array(a) => {
                let mut data = a.data.try_borrow_mut().ok()?;
                let size = data.dtype().size();
                let base = data.as_mut().as_mut_ptr() as usize;
                let mut d = vec![addr(base.checked_add(a.offset.checked_mul(size)?)?)? as i32];
                for &n in &a.shape {
                    d.push(i32::try_from(n).ok()?);
                }
                for &s in &a.strides {
                    d.push(i32::try_from(s).ok()?);
                }
                let at = u64::from(addr(d.as_ptr() as usize)?);
                descriptors.push(d);
                at
            }
            _ => return None,
        };
        block[generated::Block::param(i) as usize / 8] = bits;
    }
    let at = addr(block.as_mut_ptr() as usize)?;
    // What the kernel allocates lives until its result has been copied out.
    let _arena = super::arena::CallArena::new();
    if let Err(e) = host.run(g.id, &g.module.bytes, at) {
        return Some(Err(exec::RunError::new(
            kir::RaiseKind::RuntimeError,
            format!("internal: the generated code of this kernel failed to run: {e}"),
            Span::default(),
        )));
    }
    let slot = |offset: u64| block[offset as usize / 8];
    let code = slot(generated::Block::ERROR) as u32 as i32;
    if code != 0 {
        let a = slot(generated::Block::ERROR_A) as i64;
        let b = slot(generated::Block::ERROR_B) as i64;
        return Some(Err(g.module.error(code, a, b).unwrap_or_else(|| {
            exec::RunError::new(
                kir::RaiseKind::RuntimeError,
                format!("internal: the generated code reported error {code}, which names no site"),
                Span::default(),
            )
        })));
    }
    let ret = g.module.functions.first().map_or(&Ty::None, |f| &f.ret);
    let mut results = (0..).map(|k| {
        block
            .get(generated::Block::result(values.len(), k) as usize / 8)
            .copied()
    });
    // A result descriptor naming an argument array's elements as its own does: that
    // argument (the arguments' descriptors are made above from `values`, in order).
    let alias = |base: usize, shape: &[usize], strides: &[isize]| {
        values.iter().find_map(|v| match v {
            Value::Array(a) => {
                let data = a.data.try_borrow().ok()?;
                let start = data.as_ref().as_ptr() as usize + a.offset * data.dtype().size();
                (start == base)
                    .then(|| argument(&a.data, a.offset, shape, strides))
                    .flatten()
            }
            _ => None,
        })
    };
    // SAFETY: the generated code returns descriptors and list headers of arrays and lists
    // that lie in this memory (arguments, views of them, or the call's arena, alive until
    // `_arena` drops below).
    Some(unsafe { read_result(ret, &mut results, &alias) }.ok_or_else(|| {
        exec::RunError::new(
            kir::RaiseKind::RuntimeError,
            "internal: the generated code of this kernel returned a value its type does not describe",
            Span::default(),
        )
    }))
}

/// How many wasm values a result of type `ty` is (the trampoline's result slots).
fn result_values(ty: &Ty) -> usize {
    match ty {
        Ty::Tuple(items) => items.iter().map(result_values).sum(),
        Ty::None => 0,
        _ => 1,
    }
}

/// Reads a value of type `ty` from the trampoline's result slots: a scalar is its wasm
/// value, an array the address of its descriptor, a list the address of its header
/// (`data`, `len`, `capacity`, each an `i32`), a tuple its items in order, None nothing.
/// Arrays and lists are copied out (C order) into the call's result buffers directly.
///
/// # Safety
/// Every descriptor and header the slots name, and the elements they describe, must lie
/// in this process's memory.
unsafe fn read_result(
    ty: &Ty,
    slots: &mut impl Iterator<Item = Option<u64>>,
    alias: &dyn Fn(usize, &[usize], &[isize]) -> Option<KernelValue>,
) -> Option<KernelValue> {
    Some(match ty {
        Ty::Scalar(d) => {
            let r = slots.next()??;
            let v = match generated::val_type(*d) {
                wasm_encoder::ValType::I64 => generated::WasmValue::I64(r as i64),
                wasm_encoder::ValType::F32 => generated::WasmValue::F32(r as u32),
                wasm_encoder::ValType::F64 => generated::WasmValue::F64(r),
                _ => generated::WasmValue::I32(r as u32 as i32),
            };
            KernelValue::Scalar(generated::from_wasm(*d, v)?)
        }
        Ty::Array(at) => {
            let d = slots.next()?? as u32 as usize as *const i32;
            let n = usize::from(at.ndim);
            // SAFETY: the caller's promise: a descriptor of 1 + 2 * ndim words.
            let words = unsafe { std::slice::from_raw_parts(d, 1 + 2 * n) };
            let shape: Vec<usize> = words[1..=n]
                .iter()
                .map(|&e| usize::try_from(e).ok())
                .collect::<Option<_>>()?;
            let strides: Vec<isize> = words[n + 1..].iter().map(|&s| s as isize).collect();
            if let Some(v) = alias(words[0] as u32 as usize, &shape, &strides) {
                return Some(v);
            }
            let len = checked_size(&shape)?;
            // SAFETY: as above, for the elements.
            let data = unsafe {
                result_buffer(at.dtype, words[0] as u32 as usize, &shape, &strides, len)?
            };
            KernelValue::Array(Array {
                dtype: at.dtype,
                shape,
                data,
            })
        }
        Ty::List(dtype) => {
            let h = slots.next()?? as u32 as usize as *const i32;
            // SAFETY: the caller's promise: a header of three words.
            let words = unsafe { std::slice::from_raw_parts(h, 3) };
            let len = usize::try_from(words[1]).ok()?;
            let cap = usize::try_from(words[2]).ok()?;
            // SAFETY: as above, for the elements (the first `len` of `cap` written).
            let data =
                unsafe { result_buffer(*dtype, words[0] as u32 as usize, &[len], &[1], cap)? };
            KernelValue::List(Array {
                dtype: *dtype,
                shape: vec![len],
                data,
            })
        }
        Ty::Tuple(items) => KernelValue::Tuple(
            items
                .iter()
                // SAFETY: the caller's promise, for each item.
                .map(|t| unsafe { read_result(t, slots, alias) })
                .collect::<Option<_>>()?,
        ),
        Ty::None => KernelValue::None,
    })
}

/// The elements of a result at byte address `base` (strides in elements) as a buffer: a
/// C-contiguous block of the call's arena that holds exactly them, with room for `cap`
/// elements (an array's, or a list's with its spare capacity), is taken over as it is;
/// anything else is copied out by [`gather`].
///
/// # Safety
/// As for [`gather`]; and every element of a block the arena holds is written (the
/// allocation is zeroed, or the code stored every element; a list's up to its length).
unsafe fn result_buffer(
    d: DType,
    base: usize,
    shape: &[usize],
    strides: &[isize],
    cap: usize,
) -> Option<Buffer> {
    let len = checked_size(shape)?;
    let mut run = 1usize;
    let contiguous = shape.iter().zip(strides).rev().all(|(&e, &s)| {
        let ok = e == 1 || s == run as isize;
        run = run.saturating_mul(e);
        ok
    });
    if contiguous {
        // SAFETY: a block the arena hands over was allocated by `kernel_alloc` with that
        // layout, holds the elements (the caller's promise) and is no longer freed with
        // the arena.
        let adopted =
            unsafe { Buffer::adopt(d, base, len, cap, |l| super::arena::arena_claim(base, l)) };
        if adopted.is_some() {
            return adopted;
        }
    }
    // SAFETY: the caller's promise.
    unsafe { gather(d, base, shape, strides) }
}

/// The elements of a strided array at byte address `base` (strides in elements), copied
/// into a new buffer in C order: a row at a time where the last axis is contiguous (one
/// copy for a C-contiguous array), else an element at a time.
///
/// # Safety
/// Every element the shape and strides reach must lie in this process's memory.
unsafe fn gather(d: DType, base: usize, shape: &[usize], strides: &[isize]) -> Option<Buffer> {
    let n = checked_size(shape)?;
    let size = d.size();
    // The innermost run copied at once: the last axis when its stride is 1, extended over
    // the axes before it while they continue it (a C-contiguous array is one run).
    let mut run = 1usize;
    let mut outer = shape.len();
    while outer > 0 && strides[outer - 1] == run as isize {
        run *= shape[outer - 1];
        outer -= 1;
    }
    if n == 0 {
        return Buffer::try_zeros(d, 0);
    }
    if outer == 0 {
        // SAFETY: the caller's promise: the run of `n` elements at `base`.
        return unsafe { Buffer::try_copy_from(d, base as *const u8, n) };
    }
    let mut out = Buffer::try_zeros(d, n)?;
    let dst = out.as_mut().as_mut_ptr();
    let runs = n / run;
    let mut index = vec![0usize; outer];
    for k in 0..runs {
        let mut at = base as isize;
        for (i, s) in index.iter().zip(strides) {
            at += *i as isize * s * size as isize;
        }
        // SAFETY: the caller's promise for the source; runs `k < runs` of `run` elements
        // fill `out` exactly.
        unsafe {
            std::ptr::copy_nonoverlapping(
                at as usize as *const u8,
                dst.add(k * run * size),
                run * size,
            );
        };
        // The next index of the outer axes in C order.
        for axis in (0..outer).rev() {
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
    Some(out)
}

/// The API's diagnostic for a kernel's run-time error.
fn run_error(e: exec::RunError) -> Diagnostic {
    let kind = match e.kind {
        kir::RaiseKind::ValueError => ErrorKind::ValueError,
        kir::RaiseKind::AssertionError => ErrorKind::AssertionError,
        kir::RaiseKind::IndexError => ErrorKind::IndexError,
        kir::RaiseKind::ZeroDivisionError => ErrorKind::ZeroDivisionError,
        kir::RaiseKind::TypeError => ErrorKind::TypeError,
        kir::RaiseKind::RuntimeError => ErrorKind::RuntimeError,
        kir::RaiseKind::MemoryError => ErrorKind::MemoryError,
    };
    Diagnostic::new(kind, e.message, e.span)
}

/// `(array(float64, 1d, C), int64) -> float64`.
fn signature_text(args: &[Ty], ret: &Ty) -> String {
    let a: Vec<String> = args.iter().map(Ty::numba_name).collect();
    format!("({}) -> {}", a.join(", "), ret.numba_name())
}

/// Bitwise equality of two buffers (a NaN written over a NaN is no change).
fn same_bits(a: &Buffer, b: &Buffer) -> bool {
    if a.dtype() != b.dtype() || a.len() != b.len() {
        return false;
    }
    let n = a.len() * a.dtype().size();
    // SAFETY: each buffer holds `len` initialised elements of its dtype's size (a bool
    // is one byte, 0 or 1), so both ranges are `n` readable bytes.
    let (x, y) = unsafe {
        (
            std::slice::from_raw_parts(a.as_ref().as_ptr(), n),
            std::slice::from_raw_parts(b.as_ref().as_ptr(), n),
        )
    };
    x == y
}

/// The arguments converted to a declared signature, when each converts the way Numba's
/// dispatcher allows (same kind of value; scalars to a scalar type, arrays of the same
/// dtype and dimensions).
fn convert_args(values: &[Value], sig: &[Ty]) -> Option<Vec<Value>> {
    if values.len() != sig.len() {
        return None;
    }
    values
        .iter()
        .zip(sig)
        .map(|(v, t)| match (v, t) {
            (Value::Scalar(s), Ty::Scalar(d)) => Some(Value::Scalar(s.cast(*d))),
            (Value::Array(a), Ty::Array(at))
                if a.dtype() == at.dtype && a.shape.len() == usize::from(at.ndim) =>
            {
                Some(v.clone())
            }
            _ if exec::type_of(v) == *t => Some(v.clone()),
            _ => None,
        })
        .collect()
}

/// An argument's array lent to a call: where it came from (a keyword argument or a
/// positional one, by index) and the buffer it lives in meanwhile.
/// Names the argument an array result is, from its buffer, offset, shape and strides.
type Argument<'a> =
    dyn Fn(&Rc<RefCell<Buffer>>, usize, &[usize], &[isize]) -> Option<KernelValue> + 'a;

struct Lent {
    keyword: bool,
    index: usize,
    data: Rc<RefCell<Buffer>>,
}

/// The executor's value of an argument; an array's buffer moves into it (recorded in
/// `lent`, to be moved back) rather than being copied.
fn lend(
    a: &mut KernelArg,
    keyword: bool,
    index: usize,
    lent: &mut Vec<Lent>,
) -> Result<Value, Diagnostic> {
    match a {
        KernelArg::Array(arr) if !(arr.shape.is_empty() && arr.data.len() == 1) => {
            check_size(arr)?;
            let data = std::mem::replace(&mut arr.data, Buffer::zeros(arr.dtype, 0));
            let v = ArrayValue::from_buffer(data, arr.shape.clone());
            lent.push(Lent {
                keyword,
                index,
                data: Rc::clone(&v.data),
            });
            Ok(Value::Array(v))
        }
        other => to_value(other.clone()),
    }
}

fn check_size(arr: &Array) -> Result<(), Diagnostic> {
    if checked_size(&arr.shape) == Some(arr.data.len()) {
        return Ok(());
    }
    Err(Diagnostic::new(
        ErrorKind::ValueError,
        format!(
            "an argument has {} elements but shape {}",
            arr.data.len(),
            shape_str(&arr.shape)
        ),
        Span::default(),
    ))
}

fn to_value(a: KernelArg) -> Result<Value, Diagnostic> {
    Ok(match a {
        KernelArg::Array(arr) if arr.shape.is_empty() && arr.data.len() == 1 => {
            Value::Scalar(arr.data.get(0))
        }
        KernelArg::Array(arr) => {
            check_size(&arr)?;
            Value::Array(ArrayValue::from_buffer(arr.data, arr.shape))
        }
        KernelArg::Int(v) => match i64::try_from(v) {
            Ok(v) => Value::Scalar(Scalar::I64(v)),
            Err(_) => match u64::try_from(v) {
                Ok(v) => Value::Scalar(Scalar::U64(v)),
                Err(_) => {
                    return Err(Diagnostic::new(
                        ErrorKind::OverflowError,
                        format!("int {v} too large to convert to int64"),
                        Span::default(),
                    ));
                }
            },
        },
        KernelArg::Float(v) => Value::Scalar(Scalar::F64(v)),
        KernelArg::Bool(v) => Value::Scalar(Scalar::Bool(v)),
        KernelArg::Scalar(s) => Value::Scalar(s),
    })
}

/// [`from_value`] of a value the caller gives up: an array that owns its whole buffer
/// moves into the result without a copy; an array that `argument` names is that argument.
fn into_kernel_value(
    v: Value,
    argument: &dyn Fn(&ArrayValue) -> Option<KernelValue>,
) -> Result<KernelValue, Diagnostic> {
    match v {
        Value::Array(a) => Ok(argument(&a).unwrap_or_else(|| {
            KernelValue::Array(Array {
                dtype: a.dtype(),
                shape: a.shape.clone(),
                data: a.into_contiguous(),
            })
        })),
        Value::Tuple(items) => Ok(KernelValue::Tuple(
            items
                .into_iter()
                .map(|v| into_kernel_value(v, argument))
                .collect::<Result<_, _>>()?,
        )),
        other => from_value(&other),
    }
}

fn from_value(v: &Value) -> Result<KernelValue, Diagnostic> {
    Ok(match v {
        Value::Scalar(s) => KernelValue::Scalar(*s),
        Value::Array(a) => KernelValue::Array(Array {
            dtype: a.dtype(),
            shape: a.shape.clone(),
            data: a.to_contiguous(),
        }),
        Value::List(l) => {
            let items = l.items.borrow();
            KernelValue::List(Array {
                dtype: l.dtype,
                shape: vec![items.len()],
                data: Buffer::from_scalars(l.dtype, items.iter().copied()),
            })
        }
        Value::Tuple(items) => {
            KernelValue::Tuple(items.iter().map(from_value).collect::<Result<_, _>>()?)
        }
        Value::None => KernelValue::None,
    })
}

impl From<KernelError> for Diagnostic {
    fn from(e: KernelError) -> Self {
        let kind = match e.kind {
            KernelErrorKind::Syntax => ErrorKind::SyntaxError,
            KernelErrorKind::Name => ErrorKind::NameError,
            KernelErrorKind::Typing => ErrorKind::TypingError,
            KernelErrorKind::Unsupported => ErrorKind::UnsupportedError,
            KernelErrorKind::Type => ErrorKind::TypeError,
            KernelErrorKind::Value => ErrorKind::ValueError,
            KernelErrorKind::Import => ErrorKind::ImportError,
        };
        Diagnostic {
            kind,
            message: e.message,
            span: e.span,
            notes: e.notes,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_slots_follow_positions_keywords_and_defaults() {
        let k =
            Kernels::new("from numba import njit\n@njit\ndef f(a, b, c=1, d=2):\n    return a\n")
                .expect("module");
        let slots = k
            .argument_slots("f", 1, &["d".to_owned(), "b".to_owned()])
            .expect("binds");
        assert_eq!(slots, vec![Some(0), Some(2), None, Some(1)]);
        let e = k
            .argument_slots("f", 1, &["e".to_owned()])
            .expect_err("unknown keyword");
        assert_eq!(e.kind, ErrorKind::TypeError);
    }
}
