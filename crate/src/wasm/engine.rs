//! The engine's JS surface: `Engine` (evaluate, compile, resident arrays) and
//! `CompiledExpr`; `kernels.rs` adds the kernel calls, over the same inputs and resident
//! arrays. Inputs arrive as the plain objects `web/src/ndarray.js` builds:
//!
//! ```text
//! { name, array: true,  dtype, shape, data }    data: a typed array, copied into wasm memory
//! { name, array: false, kind, value }           a weak Python scalar (int | float | bool)
//! { name, resident: id }                        an array that already lives in wasm memory
//! { name, array: true, dtype, shape, staged: k, length }    see "Staging" below
//! ```
//!
//! Results go back as `{ dtype, shape, data }` with `data` a fresh JS typed array.
//!
//! Staging. Where the caller's thread shares the engine's memory (the threads build: a
//! cross-origin isolated page, Node), it writes large inputs straight into staging slots,
//! buffers the engine keeps for it ([`Engine::stage`] makes slot `k` and gives its address),
//! instead of sending them in a message that is copied twice on the way. A call whose
//! inputs are staged leaves its result staged too, in a buffer kept until the next such
//! call: `{ dtype, shape, staged: address, length }`, which the caller copies out before it
//! sends another call (web/src/remote.js). Calls reach the engine one at a time, so the
//! caller never writes a slot the engine is reading. Every
//! error becomes a JS `Error` with `kind` (a Python exception name), `span` (UTF-16 offsets
//! into the source) and `notes`.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use js_sys::{Array as JsArray, Object};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use super::{error, set};
use crate::api::{self, Buffer, DType, Diagnostic, Input, PyScalar};

#[wasm_bindgen]
extern "C" {
    /// One input of `runCompiled`: `{ resident: id }` or `{ data, shape }`. Read through
    /// getters, so no property name crosses as a string.
    pub type RunInput;
    #[wasm_bindgen(method, getter)]
    fn resident(this: &RunInput) -> Option<u32>;
    #[wasm_bindgen(method, getter)]
    fn data(this: &RunInput) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn shape(this: &RunInput) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn staged(this: &RunInput) -> Option<u32>;
    #[wasm_bindgen(method, getter)]
    fn length(this: &RunInput) -> Option<u32>;
}

/// An array that lives in wasm memory between calls (`nw.array(x)`).
pub(super) struct Resident {
    pub(super) data: Buffer,
    pub(super) shape: Vec<usize>,
}

/// An input converted from JS: owned data, a resident array's id, or a scalar.
pub(super) enum Converted {
    Owned {
        data: Buffer,
        shape: Vec<usize>,
    },
    Resident(u32),
    /// The first `length` elements of staging slot `slot`.
    Staged {
        slot: usize,
        length: usize,
        shape: Vec<usize>,
    },
    Scalar(PyScalar),
}

/// The engine with its compile cache and its resident arrays.
#[wasm_bindgen]
pub struct Engine {
    inner: api::Engine,
    pub(super) residents: HashMap<u32, Resident>,
    next_id: u32,
    /// The staging slots (see the module's documentation).
    staging: Vec<Buffer>,
    /// The result of the last call with staged inputs, until the next one.
    staged_result: Option<Buffer>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

#[wasm_bindgen]
impl Engine {
    #[wasm_bindgen(constructor)]
    #[must_use]
    pub fn new() -> Engine {
        Engine {
            inner: api::Engine::new(),
            residents: HashMap::new(),
            next_id: 1,
            staging: Vec::new(),
            staged_result: None,
        }
    }

    /// Makes staging slot `slot` a zeroed buffer of `length` elements of `dtype` (any but
    /// bool, whose bytes must be 0 or 1) and returns its address in memory; the slot's
    /// previous buffer is freed. The caller writes the slot's elements there until it
    /// stages the slot again.
    pub fn stage(&mut self, slot: usize, dtype: &str, length: usize) -> Result<f64, JsValue> {
        let dtype = DType::from_name(dtype)
            .filter(|d| *d != DType::Bool)
            .ok_or_else(|| error("TypeError", &format!("cannot stage {dtype} elements")))?;
        if slot >= api::MAX_INPUTS {
            return Err(error(
                "ValueError",
                &format!("staging slot {slot} is beyond the input limit"),
            ));
        }
        if self.staging.len() <= slot {
            self.staging
                .resize_with(slot + 1, || Buffer::F64(Vec::new()));
        }
        // The old buffer goes first, so that a larger one can take its place.
        self.staging[slot] = Buffer::F64(Vec::new());
        self.staged_result = None;
        let buf = Buffer::try_zeros(dtype, length).ok_or_else(|| {
            memory_error(&format!(
                "cannot stage {length} elements of {dtype}: wasm memory is exhausted"
            ))
        })?;
        let at = buf.as_ref().as_ptr() as usize;
        self.staging[slot] = buf;
        Ok(at as f64)
    }

    /// Frees the staging slots and the staged result (the caller's thread stops staging).
    #[wasm_bindgen(js_name = freeStaging)]
    pub fn free_staging(&mut self) {
        self.staging = Vec::new();
        self.staged_result = None;
    }

    /// Runs `compiled` on `converted` into the staged result buffer (reused when it has the
    /// result's dtype and length) and returns its `(address, length)`.
    fn run_staged(
        &mut self,
        compiled: &api::Compiled,
        converted: &[(String, Converted)],
        threads: usize,
        tier: api::ExprTier,
    ) -> Result<(usize, usize), JsValue> {
        // The same limit as for results sent back, so that staging changes no outcome.
        check_output_fits(compiled)?;
        let (dtype, shape) = compiled.output();
        let n = shape.iter().product::<usize>();
        let mut buf = match self.staged_result.take() {
            Some(b) if b.dtype() == dtype && b.len() == n => b,
            _ => Buffer::try_zeros(dtype, n).ok_or_else(|| {
                memory_error(&format!(
                    "cannot allocate the result: {n} elements of {dtype}"
                ))
            })?,
        };
        let named = self.as_inputs(converted)?;
        compiled
            .run_on(
                &named,
                Some(&mut buf.as_mut()),
                threads_opt(threads),
                Some(&host(threads)),
                tier,
            )
            .map_err(|d| diagnostic(&d, compiled.source()))?;
        let at = (buf.as_ref().as_ptr() as usize, n);
        self.staged_result = Some(buf);
        Ok(at)
    }

    /// Compiles (cached by source and signature) and runs `source` on `inputs` with at most
    /// `threads` threads (0: the current limit). Returns `{ dtype, shape, data }`, or, when
    /// `out` names a resident array, writes the result there and returns `null`.
    pub fn evaluate(
        &mut self,
        source: &str,
        inputs: JsArray,
        threads: usize,
        out: Option<u32>,
        tier: &str,
    ) -> Result<JsValue, JsValue> {
        let tier = tier_of(tier)?;
        let converted = convert_inputs(&inputs)?;
        let Some(out_id) = out else {
            let named = self.as_inputs(&converted)?;
            let compiled = self
                .inner
                .compile(source, &named)
                .map_err(|d| diagnostic(&d, source))?;
            if is_staged(&converted) {
                let (at, length) = self.run_staged(&compiled, &converted, threads, tier)?;
                let (dtype, shape) = compiled.output();
                let o = Object::new();
                set(&o, "dtype", &dtype.name().into());
                set(&o, "shape", &shape_to_js(&shape));
                set(&o, "staged", &(at as f64).into());
                set(&o, "length", &(length as f64).into());
                return Ok(o.into());
            }
            let result = run_fresh(&compiled, &named, threads, tier)?;
            return Ok(array_to_js(&result.dtype, &result.shape, &result.data));
        };
        self.with_out(&converted, out_id, |engine, target| {
            engine.run_into(source, &converted, threads, target, tier)
        })
    }

    /// Runs `run` with resident array `out_id` as its target, after checking that it is not
    /// also an input; returns `null`. The output leaves the table while the inputs borrow
    /// it, and always comes back.
    fn with_out(
        &mut self,
        converted: &[(String, Converted)],
        out_id: u32,
        run: impl FnOnce(&Self, &mut Resident) -> Result<(), JsValue>,
    ) -> Result<JsValue, JsValue> {
        self.check_out_not_input(converted, out_id)?;
        let mut target = self
            .residents
            .remove(&out_id)
            .ok_or_else(|| freed(out_id))?;
        let result = run(self, &mut target);
        self.residents.insert(out_id, target);
        result.map(|()| JsValue::NULL)
    }

    fn run_into(
        &self,
        source: &str,
        converted: &[(String, Converted)],
        threads: usize,
        target: &mut Resident,
        tier: api::ExprTier,
    ) -> Result<(), JsValue> {
        let compiled = {
            let named = self.as_inputs(converted)?;
            self.inner
                .compile(source, &named)
                .map_err(|d| diagnostic(&d, source))?
        };
        self.run_compiled_into(&compiled, converted, threads, target, tier)
    }

    /// Runs `compiled` into the resident array `target`, which must have the result's
    /// dtype and shape.
    fn run_compiled_into(
        &self,
        compiled: &api::Compiled,
        converted: &[(String, Converted)],
        threads: usize,
        target: &mut Resident,
        tier: api::ExprTier,
    ) -> Result<(), JsValue> {
        let source = compiled.source();
        let named = self.as_inputs(converted)?;
        let (dtype, shape) = compiled.output();
        if target.data.dtype() != dtype || target.shape != shape {
            return Err(error(
                "ValueError",
                &format!(
                    "out is {} with shape {:?}, the result is {dtype} with shape {shape:?}",
                    target.data.dtype(),
                    target.shape
                ),
            ));
        }
        compiled
            .run_on(
                &named,
                Some(&mut target.data.as_mut()),
                threads_opt(threads),
                Some(&host(threads)),
                tier,
            )
            .map_err(|d| diagnostic(&d, source))?;
        Ok(())
    }

    /// Runs a compiled expression on `inputs`, one per signature entry and in its order:
    /// each `{ resident: id }` or `{ data, shape }` (dtypes are the signature's). Scalars
    /// and names never cross, so this is the cheap path of `Compiled.run`; when the shapes
    /// differ from the compiled ones the expression is compiled for them (cached). Returns
    /// `[data, shape]`, or `null` after writing resident array `out`.
    #[wasm_bindgen(js_name = runCompiled)]
    pub fn run_compiled(
        &mut self,
        expr: &CompiledExpr,
        inputs: JsArray,
        threads: usize,
        out: Option<u32>,
        tier: &str,
    ) -> Result<JsValue, JsValue> {
        let tier = tier_of(tier)?;
        let sig = expr.compiled.signature();
        if inputs.length() as usize != sig.inputs.len() {
            return Err(error(
                "TypeError",
                &format!(
                    "expected {} inputs, got {}",
                    sig.inputs.len(),
                    inputs.length()
                ),
            ));
        }
        let mut converted = Vec::with_capacity(sig.inputs.len());
        for (i, (name, kind)) in sig.inputs.iter().enumerate() {
            let api::InputKind::Array { dtype, .. } = kind else {
                return Err(error(
                    "TypeError",
                    &format!("input '{name}' is a scalar; use evaluate for scalar inputs"),
                ));
            };
            let v: RunInput = inputs.get(i as u32).unchecked_into();
            let c = if let Some(id) = v.resident() {
                // The engine's record decides, not what the caller's handle says: a
                // resident array of another dtype would be compiled for and returned under
                // the signature's dtype.
                let got = self.resident(id)?.data.dtype();
                if got != *dtype {
                    return Err(error(
                        "TypeError",
                        &format!(
                            "run(): input '{name}' was compiled as {dtype}, got a resident {got} array"
                        ),
                    ));
                }
                Converted::Resident(id)
            } else if let Some(slot) = v.staged() {
                let c = Converted::Staged {
                    slot: slot as usize,
                    length: v.length().unwrap_or(0) as usize,
                    shape: shape_from_js(&v.shape(), name)?,
                };
                if self.staged(&c, name)?.dtype() != *dtype {
                    return Err(error(
                        "TypeError",
                        &format!("run(): input '{name}' was compiled as {dtype}, staged otherwise"),
                    ));
                }
                c
            } else {
                Converted::Owned {
                    shape: shape_from_js(&v.shape(), name)?,
                    data: buffer_from_js(*dtype, &v.data(), name)?,
                }
            };
            converted.push((name.clone(), c));
        }
        let source = expr.compiled.source();
        let compiled = {
            let named = self.as_inputs(&converted)?;
            if expr.compiled.accepts(&named) {
                Arc::clone(&expr.compiled)
            } else {
                self.inner
                    .compile(source, &named)
                    .map_err(|d| diagnostic(&d, source))?
            }
        };
        if let Some(out_id) = out {
            return self.with_out(&converted, out_id, |engine, target| {
                engine.run_compiled_into(&compiled, &converted, threads, target, tier)
            });
        }
        if is_staged(&converted) {
            let (at, length) = self.run_staged(&compiled, &converted, threads, tier)?;
            let (_, shape) = compiled.output();
            let r = JsArray::of2(&JsValue::NULL, &shape_to_js(&shape));
            r.push(&(at as f64).into());
            r.push(&(length as f64).into());
            return Ok(r.into());
        }
        let named = self.as_inputs(&converted)?;
        let result = run_fresh(&compiled, &named, threads, tier)?;
        Ok(JsArray::of2(&typed_array(&result.data), &shape_to_js(&result.shape)).into())
    }

    fn check_out_not_input(
        &self,
        converted: &[(String, Converted)],
        out_id: u32,
    ) -> Result<(), JsValue> {
        if converted
            .iter()
            .any(|(_, c)| matches!(c, Converted::Resident(id) if *id == out_id))
        {
            return Err(error(
                "ValueError",
                "out is also an input; write the result to another resident array",
            ));
        }
        Ok(())
    }

    /// Compiles `source` for the names, dtypes and shapes of `inputs` (their data is not read).
    pub fn compile(&self, source: &str, inputs: JsArray) -> Result<CompiledExpr, JsValue> {
        let converted = convert_inputs(&inputs)?;
        let named = self.as_inputs(&converted)?;
        let compiled = self
            .inner
            .compile(source, &named)
            .map_err(|d| diagnostic(&d, source))?;
        Ok(CompiledExpr { compiled })
    }

    /// Copies one array input into wasm memory and returns its id.
    pub fn array(&mut self, input: JsValue) -> Result<u32, JsValue> {
        match convert_input(&input)? {
            (_, Converted::Owned { data, shape }) => Ok(self.keep(data, shape)),
            _ => Err(error("TypeError", "array() needs an array, not a scalar")),
        }
    }

    /// Makes `data` a resident array; returns its id.
    pub(super) fn keep(&mut self, data: Buffer, shape: Vec<usize>) -> u32 {
        let id = self.next_id;
        self.next_id = self.next_id.wrapping_add(1).max(1);
        self.residents.insert(id, Resident { data, shape });
        id
    }

    /// A resident array's contents as `{ dtype, shape, data }` (a copy).
    #[wasm_bindgen(js_name = residentToArray)]
    pub fn resident_to_array(&self, id: u32) -> Result<JsValue, JsValue> {
        let r = self.resident(id)?;
        Ok(array_to_js(&r.data.dtype(), &r.shape, &r.data))
    }

    /// Frees a resident array; freeing twice is harmless.
    #[wasm_bindgen(js_name = freeResident)]
    pub fn free_resident(&mut self, id: u32) -> bool {
        self.residents.remove(&id).is_some()
    }

    /// Number of live resident arrays.
    #[wasm_bindgen(js_name = residentCount)]
    #[must_use]
    pub fn resident_count(&self) -> usize {
        self.residents.len()
    }

    pub(super) fn resident(&self, id: u32) -> Result<&Resident, JsValue> {
        self.residents.get(&id).ok_or_else(|| freed(id))
    }

    fn as_inputs<'a>(
        &'a self,
        converted: &'a [(String, Converted)],
    ) -> Result<Vec<(&'a str, Input<'a>)>, JsValue> {
        converted
            .iter()
            .map(|(name, c)| {
                let input = match c {
                    Converted::Owned { data, shape } => Input::Array {
                        data: data.as_ref(),
                        shape,
                    },
                    Converted::Resident(id) => {
                        let r = self.resident(*id)?;
                        Input::Array {
                            data: r.data.as_ref(),
                            shape: &r.shape,
                        }
                    }
                    Converted::Staged { shape, .. } => Input::Array {
                        data: self.staged(c, name)?,
                        shape,
                    },
                    Converted::Scalar(s) => Input::Scalar(*s),
                };
                Ok((name.as_str(), input))
            })
            .collect()
    }

    /// The elements of a staged input: the first `length` of its slot, which must hold
    /// that many and as many as its shape says.
    fn staged(&self, c: &Converted, name: &str) -> Result<api::BufferRef<'_>, JsValue> {
        let Converted::Staged {
            slot,
            length,
            shape,
        } = c
        else {
            return Err(error("InternalError", "not a staged input"));
        };
        let buf = self
            .staging
            .get(*slot)
            .filter(|b| b.len() >= *length && shape.iter().product::<usize>() == *length)
            .ok_or_else(|| {
                error(
                    "ValueError",
                    &format!("input '{name}': staging slot {slot} does not hold {length} elements"),
                )
            })?;
        Ok(buf.as_ref().prefix(*length))
    }
}

/// An expression compiled for one signature.
#[wasm_bindgen]
pub struct CompiledExpr {
    compiled: Arc<api::Compiled>,
}

#[wasm_bindgen]
impl CompiledExpr {
    /// The optimized IR and the bytecode, in a stable text form.
    #[must_use]
    pub fn disassemble(&self) -> String {
        self.compiled.disassemble()
    }

    /// The IR as lowered, before optimization.
    #[wasm_bindgen(js_name = loweredIr)]
    #[must_use]
    pub fn lowered_ir(&self) -> String {
        self.compiled.lowered_ir()
    }

    /// The lowered IR as JSON (see `ir::Function::to_json`).
    #[wasm_bindgen(js_name = irJson)]
    #[must_use]
    pub fn ir_json(&self) -> String {
        self.compiled.lowered().to_json()
    }

    /// The result's `{ dtype, shape }`.
    #[must_use]
    pub fn output(&self) -> JsValue {
        let (dtype, shape) = self.compiled.output();
        let o = Object::new();
        set(&o, "dtype", &dtype.name().into());
        set(&o, "shape", &shape_to_js(shape));
        o.into()
    }
}

/// Runs `compiled` into a new result (refused first when it cannot be returned).
fn run_fresh(
    compiled: &api::Compiled,
    named: &[(&str, Input<'_>)],
    threads: usize,
    tier: api::ExprTier,
) -> Result<api::Array, JsValue> {
    check_output_fits(compiled)?;
    compiled
        .run_on(
            named,
            None,
            threads_opt(threads),
            Some(&host(threads)),
            tier,
        )
        .map_err(|d| diagnostic(&d, compiled.source()))?
        .ok_or_else(|| error("InternalError", "no result"))
}

/// Whether any input is staged: the call's result is then staged too.
fn is_staged(converted: &[(String, Converted)]) -> bool {
    converted
        .iter()
        .any(|(_, c)| matches!(c, Converted::Staged { .. }))
}

pub(super) fn freed(id: u32) -> JsValue {
    error("ValueError", &format!("resident array #{id} was freed"))
}

/// The host of generated code for a call limited to `threads` (0: the current limit).
fn host(threads: usize) -> super::jit::Host {
    super::jit::Host::new(threads_opt(threads))
}

/// The `tier` call option: `"auto"` (or empty), `"vm"` or `"wasm"`.
fn tier_of(name: &str) -> Result<api::ExprTier, JsValue> {
    if name.is_empty() {
        return Ok(api::ExprTier::Auto);
    }
    api::ExprTier::from_name(name).ok_or_else(|| {
        error(
            "ValueError",
            &format!("tier must be \"auto\", \"vm\" or \"wasm\", not {name:?}"),
        )
    })
}

fn threads_opt(threads: usize) -> Option<usize> {
    (threads > 0).then_some(threads)
}

/// The most bytes a result may have to leave the engine (`setResultLimit`): the compute
/// worker sets what one message to the page can carry (about 2 GiB in Chromium), so that a
/// result too big to deliver is refused from its shape before it is computed.
static RESULT_LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

/// Sets the most bytes a result returned to JS may have (results written into a resident
/// array are not limited). A non-finite or negative value removes the limit.
#[wasm_bindgen(js_name = setResultLimit)]
pub fn set_result_limit(bytes: f64) {
    let limit = if bytes.is_finite() && bytes >= 0.0 {
        // Saturating: a limit above the address space is no limit.
        bytes as usize
    } else {
        usize::MAX
    };
    RESULT_LIMIT.store(limit, Ordering::Relaxed);
}

/// Refuses a result that cannot be allocated, instead of trapping on allocation failure,
/// and one larger than the result limit, before anything runs.
fn check_output_fits(compiled: &api::Compiled) -> Result<(), JsValue> {
    let (dtype, shape) = compiled.output();
    let n = shape.iter().try_fold(1usize, |a, &d| a.checked_mul(d));
    let bytes = n.and_then(|n| n.checked_mul(dtype.size()));
    let limit = RESULT_LIMIT.load(Ordering::Relaxed);
    if let Some(b) = bytes.filter(|&b| b > limit) {
        return Err(error(
            "ValueError",
            &format!(
                "the result ({dtype} with shape {shape:?}, {b} bytes) is larger than one message from \
                 the compute worker can carry ({limit} bytes at most here); reduce it (a reduction, a \
                 slice of the inputs) or write it into a resident array with {{ out }}"
            ),
        ));
    }
    let fits = bytes.is_some_and(|b| {
        let guard = headroom();
        let mut probe: Vec<u8> = Vec::new();
        guard.is_some() && probe.try_reserve_exact(b).is_ok()
    });
    if fits {
        Ok(())
    } else {
        Err(memory_error(&format!(
            "the result ({dtype} with shape {shape:?}) does not fit in wasm memory (at most 4 GiB in all)"
        )))
    }
}

fn memory_error(message: &str) -> JsValue {
    error("MemoryError", message)
}

/// A Diagnostic as a JS Error: kind, message, span in UTF-16 offsets, notes, rendered frame.
pub(super) fn diagnostic(d: &Diagnostic, source: &str) -> JsValue {
    let e = error(d.kind.name(), &d.message);
    let span = Object::new();
    set(
        &span,
        "start",
        &utf16_offset(source, d.span.start as usize).into(),
    );
    set(
        &span,
        "end",
        &utf16_offset(source, d.span.end as usize).into(),
    );
    set(&e, "span", &span.into());
    set(
        &e,
        "notes",
        &d.notes
            .iter()
            .map(|n| JsValue::from_str(n))
            .collect::<JsArray>()
            .into(),
    );
    set(&e, "rendered", &d.render(source).into());
    e
}

/// The UTF-16 offset of byte offset `byte` of `source` (spans are bytes in Rust).
fn utf16_offset(source: &str, byte: usize) -> u32 {
    let mut b = byte.min(source.len());
    while !source.is_char_boundary(b) {
        b -= 1;
    }
    source[..b].encode_utf16().count() as u32
}

pub(super) fn convert_inputs(inputs: &JsArray) -> Result<Vec<(String, Converted)>, JsValue> {
    if inputs.length() as usize > api::MAX_INPUTS {
        return Err(error(
            "ValueError",
            &format!(
                "too many inputs ({}, the limit is {})",
                inputs.length(),
                api::MAX_INPUTS
            ),
        ));
    }
    inputs.iter().map(|v| convert_input(&v)).collect()
}

fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &wasm_bindgen::intern(key).into()).unwrap_or(JsValue::UNDEFINED)
}

fn convert_input(v: &JsValue) -> Result<(String, Converted), JsValue> {
    let name = get(v, "name")
        .as_string()
        .ok_or_else(|| error("TypeError", "input without a name"))?;
    if let Some(id) = get(v, "resident").as_f64() {
        return Ok((name, Converted::Resident(id as u32)));
    }
    if let Some(slot) = get(v, "staged").as_f64() {
        let length = get(v, "length").as_f64().unwrap_or(0.0);
        return Ok((
            name.clone(),
            Converted::Staged {
                slot: slot as usize,
                length: length as usize,
                shape: shape_from_js(&get(v, "shape"), &name)?,
            },
        ));
    }
    if get(v, "array").is_truthy() {
        let dtype_name = get(v, "dtype").as_string().unwrap_or_default();
        let dtype = DType::from_name(&dtype_name).ok_or_else(|| {
            error(
                "TypeError",
                &format!("input '{name}': unknown dtype '{dtype_name}'"),
            )
        })?;
        let shape = shape_from_js(&get(v, "shape"), &name)?;
        let data = buffer_from_js(dtype, &get(v, "data"), &name)?;
        return Ok((name, Converted::Owned { data, shape }));
    }
    let kind = get(v, "kind").as_string().unwrap_or_default();
    let value = get(v, "value");
    let scalar = match kind.as_str() {
        "bool" => PyScalar::Bool(value.is_truthy()),
        "float" => PyScalar::Float(value.as_f64().unwrap_or(f64::NAN)),
        "int" => PyScalar::Int(int_from_js(&value, &name)?),
        _ => {
            return Err(error(
                "TypeError",
                &format!("input '{name}': unsupported scalar kind '{kind}'"),
            ));
        }
    };
    Ok((name, Converted::Scalar(scalar)))
}

fn int_from_js(value: &JsValue, name: &str) -> Result<i128, JsValue> {
    if let Some(f) = value.as_f64() {
        // Integral numbers up to 2^127 convert exactly.
        if f.fract() == 0.0 && f.abs() < 1.7e38 {
            return Ok(f as i128);
        }
        return Err(error(
            "OverflowError",
            &format!("input '{name}': integer {f} is too large"),
        ));
    }
    if value.is_bigint() {
        let text = js_sys::BigInt::from(value.clone())
            .to_string(10)
            .map(String::from)
            .unwrap_or_default();
        return text.parse::<i128>().map_err(|_| {
            error(
                "OverflowError",
                &format!("input '{name}': integer {text} is too large"),
            )
        });
    }
    Err(error(
        "TypeError",
        &format!("input '{name}': expected an integer"),
    ))
}

fn shape_from_js(v: &JsValue, name: &str) -> Result<Vec<usize>, JsValue> {
    let arr: &JsArray = v.dyn_ref().ok_or_else(|| {
        error(
            "TypeError",
            &format!("input '{name}': shape must be an array"),
        )
    })?;
    arr.iter()
        .map(|d| match d.as_f64() {
            Some(x) if x >= 0.0 && x.fract() == 0.0 && x <= u32::MAX as f64 => Ok(x as usize),
            _ => Err(error(
                "TypeError",
                &format!("input '{name}': shape entries must be non-negative integers"),
            )),
        })
        .collect()
}

fn shape_to_js(shape: &[usize]) -> JsValue {
    shape
        .iter()
        .map(|&d| JsValue::from(d as f64))
        .collect::<JsArray>()
        .into()
}

/// Memory left free after each allocation of a caller's data (input copies, results). The
/// small allocations around it (names, shapes, the resident table, error messages) are
/// infallible: in a memory filled to the last block they would trap, so the fallible large
/// allocation fails first, while this much is still free.
const HEADROOM: usize = 1 << 20;

/// Reserves the headroom; dropped once the allocation it guards is made.
fn headroom() -> Option<Vec<u8>> {
    let mut guard = Vec::new();
    guard.try_reserve_exact(HEADROOM).ok()?;
    Some(guard)
}

/// Room for `len` elements, reserved without trapping when wasm memory is exhausted, with
/// the headroom still free afterwards.
fn reserve<T>(len: usize, name: &str) -> Result<Vec<T>, JsValue> {
    // Built from JS strings: formatting in wasm would allocate in a memory that is full.
    let full = || {
        let message = js_sys::JsString::from("input '")
            .concat(&JsValue::from_str(name))
            .concat(&JsValue::from_str("' ("))
            .concat(&JsValue::from_f64(len as f64))
            .concat(&JsValue::from_str(
                " elements) does not fit in wasm memory (at most 4 GiB in all)",
            ));
        let e = js_sys::Error::new("");
        let _ = js_sys::Reflect::set(&e, &JsValue::from_str("message"), &message);
        let _ = js_sys::Reflect::set(
            &e,
            &JsValue::from_str("kind"),
            &JsValue::from_str("MemoryError"),
        );
        e.set_name("MemoryError");
        JsValue::from(e)
    };
    let guard = headroom().ok_or_else(full)?;
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| full())?;
    drop(guard);
    Ok(v)
}

macro_rules! copy_in {
    ($data:expr, $name:expr, $js:ty, $t:ty) => {{
        let arr: &$js = $data.dyn_ref().ok_or_else(|| {
            error(
                "TypeError",
                &format!("input '{}': data does not match its dtype", $name),
            )
        })?;
        let len = arr.length() as usize;
        let mut v: Vec<$t> = reserve(len, $name)?;
        // One pass: the elements are copied straight into the reserved, uninitialised room.
        // SAFETY: `v` has capacity for `len` elements, `raw_copy_to_ptr` writes exactly
        // `len` of them, and every bit pattern is a valid value of `$t`.
        unsafe {
            arr.raw_copy_to_ptr(v.as_mut_ptr());
            v.set_len(len);
        }
        v
    }};
}

fn buffer_from_js(dtype: DType, data: &JsValue, name: &str) -> Result<Buffer, JsValue> {
    Ok(match dtype {
        DType::Bool => {
            let bytes = copy_in!(data, name, js_sys::Uint8Array, u8);
            let mut v: Vec<bool> = reserve(bytes.len(), name)?;
            v.extend(bytes.iter().map(|&b| b != 0));
            Buffer::Bool(v)
        }
        DType::I8 => Buffer::I8(copy_in!(data, name, js_sys::Int8Array, i8)),
        DType::I16 => Buffer::I16(copy_in!(data, name, js_sys::Int16Array, i16)),
        DType::I32 => Buffer::I32(copy_in!(data, name, js_sys::Int32Array, i32)),
        DType::I64 => Buffer::I64(copy_in!(data, name, js_sys::BigInt64Array, i64)),
        DType::U8 => Buffer::U8(copy_in!(data, name, js_sys::Uint8Array, u8)),
        DType::U16 => Buffer::U16(copy_in!(data, name, js_sys::Uint16Array, u16)),
        DType::U32 => Buffer::U32(copy_in!(data, name, js_sys::Uint32Array, u32)),
        DType::U64 => Buffer::U64(copy_in!(data, name, js_sys::BigUint64Array, u64)),
        DType::F32 => Buffer::F32(copy_in!(data, name, js_sys::Float32Array, f32)),
        DType::F64 => Buffer::F64(copy_in!(data, name, js_sys::Float64Array, f64)),
    })
}

/// `{ dtype, shape, data }` with `data` a new JS typed array (one copy out of wasm memory).
pub(super) fn array_to_js(dtype: &DType, shape: &[usize], data: &Buffer) -> JsValue {
    let o = Object::new();
    set(&o, "dtype", &dtype.name().into());
    set(&o, "shape", &shape_to_js(shape));
    set(&o, "data", &typed_array(data));
    o.into()
}

/// A new JS typed array holding a copy of `data`.
pub(super) fn typed_array(data: &Buffer) -> JsValue {
    match data {
        Buffer::Bool(v) => {
            let bytes: Vec<u8> = v.iter().map(|&b| u8::from(b)).collect();
            js_sys::Uint8Array::from(&bytes[..]).into()
        }
        Buffer::I8(v) => js_sys::Int8Array::from(&v[..]).into(),
        Buffer::I16(v) => js_sys::Int16Array::from(&v[..]).into(),
        Buffer::I32(v) => js_sys::Int32Array::from(&v[..]).into(),
        Buffer::I64(v) => js_sys::BigInt64Array::from(&v[..]).into(),
        Buffer::U8(v) => js_sys::Uint8Array::from(&v[..]).into(),
        Buffer::U16(v) => js_sys::Uint16Array::from(&v[..]).into(),
        Buffer::U32(v) => js_sys::Uint32Array::from(&v[..]).into(),
        Buffer::U64(v) => js_sys::BigUint64Array::from(&v[..]).into(),
        Buffer::F32(v) => js_sys::Float32Array::from(&v[..]).into(),
        Buffer::F64(v) => js_sys::Float64Array::from(&v[..]).into(),
    }
}
