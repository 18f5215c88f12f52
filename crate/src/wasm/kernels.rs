//! Numba-style kernels' JS surface: `KernelModule` (a parsed module of `@njit`/`@jit`
//! functions, see `api::Kernels`) and the `Engine` methods that call and inspect its
//! kernels, since resident arrays live in the engine. Arguments arrive as the plain objects
//! `evaluate` takes (see `engine.rs`), positional ones first and then keyword ones, whose
//! `name` is the keyword:
//!
//! ```text
//! kernelCall(module, name, inputs, positional, threads, resident) ──▶ { value, mutated,
//!              signature, tier, threads }
//!   threads    (in) the most pool threads parallel loops may use, 0 for the current
//!              limit; (out) the most a parallel loop of the call used (1: none did)
//!   resident   (in) keep array and list results in wasm memory as resident arrays
//!   value      { dtype, shape, data } for an array, a scalar (shape []) or a list (1-d),
//!              a JS array for a tuple, undefined for None; with `resident`, an array
//!              or list is { dtype, shape, resident: id } instead
//!   mutated    [{ index, data }]: the new contents of every array argument the kernel
//!              wrote, by index into `inputs`; resident arrays are written in place instead
//!   signature  Numba's form of the signature it ran
//!   tier       "wasm" (generated code, see `jit.rs`) or "executor" (the reference executor,
//!              for what the generator does not compile yet)
//! kernelInspect(module, name, inputs, positional, level) ──▶ { signature, typedIr, tier,
//!              wasm, notCompiled, parallel, js, jsUnsupported }: wasm is the generated
//!              module as text (WAT) or null, notCompiled why the kernel runs on the
//!              executor, or null, parallel the parallel diagnostics at `level` (1-4) of a
//!              parallel=True kernel, or null, js the kernel as the source of a plain JS
//!              function (`back::js`: `(function (args) { ... })`, the playground's
//!              baseline) or null, jsUnsupported why there is no JS, or null
//! ```

use js_sys::{Array as JsArray, Object};
use wasm_bindgen::prelude::*;

use super::engine::{Converted, Engine, array_to_js, convert_inputs, diagnostic, typed_array};
use super::jit::Host;
use super::{error, set};
use crate::api::WasmHost as _;
use crate::api::{self, Array, Buffer, KernelArg, KernelValue, PyScalar};

/// A parsed kernel module; kernels that declare signatures were compiled when it was made.
#[wasm_bindgen]
pub struct KernelModule {
    inner: api::Kernels,
}

#[wasm_bindgen]
impl KernelModule {
    /// Parses `source`; a syntax, name, typing or unsupported error is a JS `Error` with
    /// `kind`, `span` and `notes`.
    #[wasm_bindgen(constructor)]
    pub fn new(source: &str) -> Result<KernelModule, JsValue> {
        api::Kernels::new(source)
            .map(|inner| KernelModule { inner })
            .map_err(|d| diagnostic(&d, source))
    }

    /// The kernels callable from outside, in source order.
    #[must_use]
    pub fn names(&self) -> Vec<String> {
        self.inner.names()
    }
}

/// A call's arguments for `api::Kernels`, and which of them are resident arrays (by id).
struct Args {
    positional: Vec<KernelArg>,
    keywords: Vec<(String, KernelArg)>,
    residents: Vec<Option<u32>>,
    /// Whether each argument is a resident array's own buffer, lent to the call.
    lent: Vec<bool>,
}

#[wasm_bindgen]
impl Engine {
    /// Calls kernel `name` of `module` on `inputs`, the first `positional` of them
    /// positional. Returns `{ value, mutated, signature }` (see the module's doc).
    #[wasm_bindgen(js_name = kernelCall)]
    pub fn kernel_call(
        &mut self,
        module: &KernelModule,
        name: &str,
        inputs: &JsArray,
        positional: usize,
        threads: usize,
        resident: bool,
    ) -> Result<JsValue, JsValue> {
        let kernels = &module.inner;
        let source = kernels.source();
        let mut args = self.kernel_args(inputs, positional, true)?;
        let keywords: Vec<String> = args.keywords.iter().map(|(k, _)| k.clone()).collect();
        let host = Host::new((threads > 0).then_some(threads));
        // A resident array lent to the call is written where it lives: no report.
        let npos = args.positional.len();
        let lent = args.lent.clone();
        let in_place = |keyword: bool, i: usize| {
            lent.get(if keyword { npos + i } else { i })
                .copied()
                .unwrap_or(false)
        };
        let result = kernels.call_in_place(
            name,
            &mut args.positional,
            &mut args.keywords,
            Some(&host),
            &in_place,
        );
        // Resident arrays were lent to the call (the kernel worked on them in place):
        // they go back whatever the outcome.
        self.return_residents(&mut args);
        let call = result.map_err(|d| diagnostic(&d, source))?;
        let slots = kernels
            .argument_slots(name, positional, &keywords)
            .map_err(|d| diagnostic(&d, source))?;
        let mutated = JsArray::new();
        for (param, data) in call.mutated {
            // A parameter left to its default is a scalar or None, never a written array.
            let Some(&Some(index)) = slots.get(param) else {
                continue;
            };
            if let Some(id) = args.residents.get(index).copied().flatten() {
                // A lent resident was written in place; a copy (the same array passed
                // again) is written back.
                if !args.lent[index] {
                    self.write_resident(id, data)?;
                }
            } else {
                let m = Object::new();
                set(&m, "index", &(index as f64).into());
                set(&m, "data", &typed_array(&data));
                mutated.push(&m);
            }
        }
        let o = Object::new();
        let value = self.call_value(call.value, &args, resident);
        set(&o, "value", &value);
        set(&o, "mutated", &mutated);
        set(&o, "signature", &call.signature.into());
        set(&o, "tier", &call.tier.name().into());
        set(&o, "threads", &(host.threads_used() as f64).into());
        Ok(o.into())
    }

    /// The signature and typed IR of kernel `name` of `module` compiled for `inputs` (as
    /// `kernelCall` takes them): `{ signature, typedIr }`.
    #[wasm_bindgen(js_name = kernelInspect)]
    pub fn kernel_inspect(
        &mut self,
        module: &KernelModule,
        name: &str,
        inputs: &JsArray,
        positional: usize,
        level: u8,
    ) -> Result<JsValue, JsValue> {
        let kernels = &module.inner;
        let args = self.kernel_args(inputs, positional, false)?;
        let inspection = kernels
            .inspect_with(name, args.positional, args.keywords, Some(&Host::new(None)))
            .map_err(|d| diagnostic(&d, kernels.source()))?;
        let o = Object::new();
        set(&o, "signature", &inspection.signature.into());
        set(&o, "typedIr", &inspection.typed_ir.into());
        set(&o, "tier", &inspection.tier.name().into());
        let text = |t: Option<String>| t.map_or(JsValue::NULL, JsValue::from);
        set(&o, "wasm", &text(inspection.wasm));
        set(&o, "notCompiled", &text(inspection.not_compiled));
        let parallel = match &inspection.parallel {
            Some(r) => parallel_to_js(kernels, r, level),
            None => JsValue::NULL,
        };
        set(&o, "parallel", &parallel);
        let (js, js_unsupported) = match inspection.js {
            Ok(t) => (Some(t), None),
            Err(why) => (None, Some(why)),
        };
        set(&o, "js", &text(js));
        set(&o, "jsUnsupported", &text(js_unsupported));
        Ok(o.into())
    }

    /// Converts JS arguments. With `lend`, a resident array's buffer moves into the
    /// arguments (the kernel works on it in place; [`Engine::return_residents`] puts it
    /// back), except when the same array comes again, which gets a copy; otherwise
    /// resident arrays are copied.
    fn kernel_args(
        &mut self,
        inputs: &JsArray,
        positional: usize,
        lend: bool,
    ) -> Result<Args, JsValue> {
        if positional > inputs.length() as usize {
            return Err(error(
                "TypeError",
                "more positional arguments than arguments",
            ));
        }
        let mut args = Args {
            positional: Vec::with_capacity(positional),
            keywords: Vec::new(),
            residents: Vec::new(),
            lent: Vec::new(),
        };
        for (i, (name, c)) in convert_inputs(inputs)?.into_iter().enumerate() {
            let mut lent = false;
            let (arg, resident) = match c {
                Converted::Owned { data, shape } => (array_arg(data, shape), None),
                Converted::Resident(id) => {
                    let again = args.residents.contains(&Some(id));
                    let r = self
                        .residents
                        .get_mut(&id)
                        .ok_or_else(|| super::engine::freed(id))?;
                    let data = if lend && !again {
                        lent = true;
                        let empty = Buffer::zeros(r.data.dtype(), 0);
                        std::mem::replace(&mut r.data, empty)
                    } else {
                        r.data.clone()
                    };
                    (array_arg(data, r.shape.clone()), Some(id))
                }
                Converted::Staged { .. } => {
                    return Err(super::error(
                        "TypeError",
                        "kernel arguments are sent, not staged",
                    ));
                }
                Converted::Scalar(PyScalar::Int(v)) => (KernelArg::Int(v), None),
                Converted::Scalar(PyScalar::Float(v)) => (KernelArg::Float(v), None),
                Converted::Scalar(PyScalar::Bool(v)) => (KernelArg::Bool(v), None),
            };
            args.residents.push(resident);
            args.lent.push(lent);
            if i < positional {
                args.positional.push(arg);
            } else {
                args.keywords.push((name, arg));
            }
        }
        Ok(args)
    }

    /// Moves the buffers of lent resident arrays back into the engine.
    fn return_residents(&mut self, args: &mut Args) {
        let n = args.positional.len();
        for (i, lent) in args.lent.iter().enumerate() {
            let (Some(id), true) = (args.residents[i], *lent) else {
                continue;
            };
            let arg = if i < n {
                args.positional.get_mut(i)
            } else {
                args.keywords.get_mut(i - n).map(|(_, a)| a)
            };
            if let (Some(KernelArg::Array(a)), Some(r)) = (arg, self.residents.get_mut(&id)) {
                r.data = std::mem::replace(&mut a.data, Buffer::zeros(a.dtype, 0));
            }
        }
    }

    /// A kernel's value with its arrays and lists (tuple members too) made resident
    /// arrays, `{ resident: id, dtype, shape }`, instead of copied out; a scalar as
    /// [`value_to_js`] gives it.
    fn keep_value(&mut self, v: KernelValue) -> JsValue {
        match v {
            KernelValue::Array(a) | KernelValue::List(a) => {
                let o = Object::new();
                set(&o, "dtype", &a.dtype.name().into());
                set(&o, "shape", &shape_to_js(&a.shape));
                set(
                    &o,
                    "resident",
                    &f64::from(self.keep(a.data, a.shape)).into(),
                );
                o.into()
            }
            KernelValue::Tuple(items) => items
                .into_iter()
                .map(|v| self.keep_value(v))
                .collect::<JsArray>()
                .into(),
            other => value_to_js(&other),
        }
    }

    /// A call's value for JS (after the lent residents went back): kept resident
    /// ([`Self::keep_value`]) or copied ([`value_to_js`]). An argument returned whole is
    /// `{ argument: index }` (an index into the call's inputs) where the caller already
    /// holds it as the result should be: a resident array lent to a `resident` call, or an
    /// array the caller sent to a call that copies results out (the page gives back the
    /// caller's own array, written back with the call's other writes), with `dtype` and
    /// `shape` in the latter case; otherwise the argument's contents are the value.
    fn call_value(&mut self, v: KernelValue, args: &Args, resident: bool) -> JsValue {
        match v {
            KernelValue::Argument { keyword, index } => {
                let npos = args.positional.len();
                let at = if keyword { npos + index } else { index };
                let arg = if keyword {
                    args.keywords.get(index).map(|(_, a)| a)
                } else {
                    args.positional.get(index)
                };
                let (data, shape) = match (args.residents.get(at).copied().flatten(), arg) {
                    (Some(id), _) => {
                        if resident && args.lent.get(at).copied().unwrap_or(false) {
                            let o = Object::new();
                            set(&o, "argument", &(at as f64).into());
                            return o.into();
                        }
                        match self.residents.get(&id) {
                            Some(r) => (r.data.clone(), r.shape.clone()),
                            None => return JsValue::UNDEFINED,
                        }
                    }
                    (None, Some(KernelArg::Array(a))) => {
                        if !resident {
                            let o = Object::new();
                            set(&o, "argument", &(at as f64).into());
                            set(&o, "dtype", &a.dtype.name().into());
                            set(&o, "shape", &shape_to_js(&a.shape));
                            return o.into();
                        }
                        (a.data.clone(), a.shape.clone())
                    }
                    _ => return JsValue::UNDEFINED,
                };
                let a = Array {
                    dtype: data.dtype(),
                    shape,
                    data,
                };
                self.call_value(KernelValue::Array(a), args, resident)
            }
            KernelValue::Tuple(items) => items
                .into_iter()
                .map(|v| self.call_value(v, args, resident))
                .collect::<JsArray>()
                .into(),
            other if resident => self.keep_value(other),
            other => value_to_js(&other),
        }
    }

    /// Writes a kernel's new contents of a resident array into it.
    fn write_resident(&mut self, id: u32, data: Buffer) -> Result<(), JsValue> {
        let r = self
            .residents
            .get_mut(&id)
            .ok_or_else(|| super::engine::freed(id))?;
        if r.data.dtype() != data.dtype() || r.data.len() != data.len() {
            return Err(error(
                "InternalError",
                "a kernel changed the dtype or size of a resident array",
            ));
        }
        r.data = data;
        Ok(())
    }
}

fn shape_to_js(shape: &[usize]) -> JsArray {
    shape.iter().map(|&e| JsValue::from(e as f64)).collect()
}

fn array_arg(data: Buffer, shape: Vec<usize>) -> KernelArg {
    KernelArg::Array(Array {
        dtype: data.dtype(),
        shape,
        data,
    })
}

/// Parallel diagnostics for JS: `{ level, text, loops: [{ id, function, line, parallel,
/// reason, reductions: [{ variable, op }], private, captured, nested: [line],
/// costNsPerIteration }], arrayExpressions: [{ function, line, op }] }`.
fn parallel_to_js(kernels: &api::Kernels, report: &api::ParallelReport, level: u8) -> JsValue {
    let level = level.clamp(1, 4);
    let strings = |v: &[String]| {
        v.iter()
            .map(|s| JsValue::from(s.as_str()))
            .collect::<JsArray>()
    };
    let loops = JsArray::new();
    for l in &report.loops {
        let o = Object::new();
        set(&o, "id", &(l.id as f64).into());
        set(&o, "function", &l.function.as_str().into());
        set(&o, "line", &(kernels.line_of(l.span) as f64).into());
        set(&o, "parallel", &l.serial.is_none().into());
        set(
            &o,
            "reason",
            &l.serial.as_deref().map_or(JsValue::NULL, JsValue::from),
        );
        let reductions = JsArray::new();
        for (v, op) in &l.reductions {
            let r = Object::new();
            set(&r, "variable", &v.as_str().into());
            set(&r, "op", &(*op).into());
            reductions.push(&r);
        }
        set(&o, "reductions", &reductions);
        set(&o, "private", &strings(&l.private));
        set(&o, "captured", &strings(&l.captured));
        let nested: JsArray = l
            .nested
            .iter()
            .map(|s| JsValue::from(kernels.line_of(*s) as f64))
            .collect();
        set(&o, "nested", &nested);
        set(&o, "costNsPerIteration", &l.cost_ns.into());
        loops.push(&o);
    }
    let arrays = JsArray::new();
    for (func, span, op) in &report.array_exprs {
        let a = Object::new();
        set(&a, "function", &func.as_str().into());
        set(&a, "line", &(kernels.line_of(*span) as f64).into());
        set(&a, "op", &op.as_str().into());
        arrays.push(&a);
    }
    let o = Object::new();
    set(&o, "level", &f64::from(level).into());
    set(&o, "text", &kernels.parallel_text(report, level).into());
    set(&o, "loops", &loops);
    set(&o, "arrayExpressions", &arrays);
    o.into()
}

/// A kernel's result for JS: arrays, scalars (0-d) and lists (1-d) as `{ dtype, shape,
/// data }`, a tuple as a JS array of its items, None as `undefined`.
fn value_to_js(v: &KernelValue) -> JsValue {
    match v {
        KernelValue::Array(a) | KernelValue::List(a) => array_to_js(&a.dtype, &a.shape, &a.data),
        KernelValue::Scalar(s) => {
            array_to_js(&s.dtype(), &[], &Buffer::from_scalars(s.dtype(), [*s]))
        }
        KernelValue::Tuple(items) => items.iter().map(value_to_js).collect::<JsArray>().into(),
        // (a call resolves it first: `Engine::call_value`)
        KernelValue::None | KernelValue::Argument { .. } => JsValue::UNDEFINED,
    }
}
