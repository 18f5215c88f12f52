//! Compilation, the compile cache and running.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex, OnceLock};

use super::{Array, Diagnostic, ErrorKind, Input};
use crate::front::expr::Signature;
use crate::ir::{self, Function};
use crate::syntax::{self, Span};
use crate::types::{Buffer, BufferMut, BufferRef, shape_str, size_of};
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
        let bufs = self.check_inputs(inputs)?;
        let (dtype, shape) = (self.program.out_dtype, self.program.out_shape.clone());
        let runtime = |e: vm::RuntimeError| {
            let kind = if e.message.starts_with("cannot allocate") {
                ErrorKind::MemoryError
            } else {
                ErrorKind::ValueError
            };
            Diagnostic::new(kind, e.message, e.span)
        };
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
                vm::run(&self.program, &bufs, o, threads).map_err(runtime)?;
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
                vm::run(&self.program, &bufs, &mut data.as_mut(), threads).map_err(runtime)?;
                Ok(Some(Array { dtype, shape, data }))
            }
        }
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
