//! Numba-style kernels through the API: a module of kernels compiled per argument types
//! (cached, as Numba's dispatcher does) and run on the reference executor.
//!
//! ```text
//! source ──Kernels::new──▶ parsed module (explicit signatures compiled now)
//! name, args ──call──▶ kir::Program for the argument types (cached) ──kir::exec──▶ value,
//!                      and the new contents of every array argument the kernel wrote
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Array, Diagnostic, ErrorKind};
use crate::front::numba::{self, KernelError, KernelErrorKind};
use crate::kir::exec::{self, ArrayValue, Value};
use crate::kir::{self, Ty};
use crate::syntax::Span;
use crate::types::{Buffer, Scalar, checked_size, shape_str};

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
}

/// The result of a call: the value, the array arguments the kernel wrote (index into the
/// call's positional arguments after keywords are bound, and their new contents), and the
/// signature it ran.
#[derive(Debug, Clone, PartialEq)]
pub struct KernelCall {
    pub value: KernelValue,
    pub mutated: Vec<(usize, Buffer)>,
    pub signature: String,
}

/// What `inspect` shows of a kernel compiled for some argument types.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// Numba's form: `(array(float64, 1d, C), int64) -> float64`.
    pub signature: String,
    /// The typed kernel IR of the entry and of every function it calls.
    pub typed_ir: String,
}

/// Most compiled signatures kept per module; beyond, the cache starts over.
const CACHE_CAPACITY: usize = 256;

/// A module of kernels: the parsed source and the programs compiled so far.
#[derive(Debug)]
pub struct Kernels {
    source: String,
    module: numba::Module,
    cache: Mutex<HashMap<(String, Vec<Ty>), Arc<kir::Program>>>,
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
    fn program(&self, name: &str, tys: &[Ty]) -> Result<Arc<kir::Program>, Diagnostic> {
        let key = (name.to_owned(), tys.to_vec());
        if let Some(p) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return Ok(p);
        }
        let p = Arc::new(self.module.compile(name, tys).map_err(Diagnostic::from)?);
        if let Ok(mut c) = self.cache.lock() {
            if c.len() >= CACHE_CAPACITY {
                c.clear();
            }
            c.insert(key, Arc::clone(&p));
        }
        Ok(p)
    }

    /// Binds positional and keyword arguments to the kernel's parameters (defaults fill
    /// the rest) and gives their types. A kernel with declared signatures takes the first
    /// one the arguments convert to, as Numba's dispatcher does without compiling more.
    fn bind(
        &self,
        name: &str,
        args: Vec<KernelArg>,
        kwargs: Vec<(String, KernelArg)>,
    ) -> Result<(Vec<Value>, Vec<Ty>), Diagnostic> {
        let mut values = Vec::with_capacity(args.len());
        for a in args {
            values.push(to_value(a)?);
        }
        let mut named = Vec::with_capacity(kwargs.len());
        for (k, a) in kwargs {
            named.push((k, to_value(a)?));
        }
        let values = self
            .module
            .bind(name, values, named)
            .map_err(Diagnostic::from)?;
        let tys: Vec<Ty> = values.iter().map(exec::type_of).collect();
        let declared = self.module.declared(name);
        if declared.is_empty() || declared.contains(&tys) {
            return Ok((values, tys));
        }
        for sig in &declared {
            if let Some(converted) = convert_args(&values, sig) {
                return Ok((converted, sig.clone()));
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

    /// Calls kernel `name` with positional and keyword arguments.
    pub fn call(
        &self,
        name: &str,
        args: Vec<KernelArg>,
        kwargs: Vec<(String, KernelArg)>,
    ) -> Result<KernelCall, Diagnostic> {
        let (values, tys) = self.bind(name, args, kwargs)?;
        let program = self.program(name, &tys)?;
        // The arrays as they were, to tell which ones the kernel wrote.
        let before: Vec<Option<Buffer>> = values
            .iter()
            .map(|v| match v {
                Value::Array(a) => Some(a.data.borrow().clone()),
                _ => None,
            })
            .collect();
        let result = exec::run(&program, values.clone()).map_err(|e| {
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
        })?;
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
            value: from_value(&result)?,
            mutated,
            signature: signature_text(&tys, &program.entry().ret),
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
        let kwargs = keywords
            .iter()
            .enumerate()
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

    /// The signature and typed IR of kernel `name` compiled for these arguments.
    pub fn inspect(
        &self,
        name: &str,
        args: Vec<KernelArg>,
        kwargs: Vec<(String, KernelArg)>,
    ) -> Result<Inspection, Diagnostic> {
        let (_, tys) = self.bind(name, args, kwargs)?;
        let program = self.program(name, &tys)?;
        Ok(Inspection {
            signature: signature_text(&tys, &program.entry().ret),
            typed_ir: program.to_string(),
        })
    }
}

/// `(array(float64, 1d, C), int64) -> float64`.
fn signature_text(args: &[Ty], ret: &Ty) -> String {
    let a: Vec<String> = args.iter().map(Ty::numba_name).collect();
    format!("({}) -> {}", a.join(", "), ret.numba_name())
}

/// Bitwise equality of two buffers (a NaN written over a NaN is no change).
fn same_bits(a: &Buffer, b: &Buffer) -> bool {
    a.dtype() == b.dtype() && a.len() == b.len() && (0..a.len()).all(|i| a.get(i) == b.get(i))
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

fn to_value(a: KernelArg) -> Result<Value, Diagnostic> {
    Ok(match a {
        KernelArg::Array(arr) if arr.shape.is_empty() && arr.data.len() == 1 => {
            Value::Scalar(arr.data.get(0))
        }
        KernelArg::Array(arr) => {
            if checked_size(&arr.shape) != Some(arr.data.len()) {
                return Err(Diagnostic::new(
                    ErrorKind::ValueError,
                    format!(
                        "an argument has {} elements but shape {}",
                        arr.data.len(),
                        shape_str(&arr.shape)
                    ),
                    Span::default(),
                ));
            }
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
