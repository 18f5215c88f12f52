//! Runs a kernel program two ways and compares: on the reference executor, and compiled
//! by `back::wasm` and run in wasmi (a wasm interpreter that takes an imported memory)
//! with the arrays laid out in that memory as the ABI says. Every module is validated
//! first, in both of its variants (shared memory for the threads build, plain for the
//! simd build); wasmi runs the plain one, as it has no threads.

use std::cell::RefCell;
use std::rc::Rc;

use numwasm::back::wasm::{self, Module, Options, WasmValue};
use numwasm::kir::exec::{self, ArrayValue, RunError, Value};
use numwasm::kir::{Program, Ty};
use numwasm::types::{Buffer, DType, Scalar};
use wasmparser::{Validator, WasmFeatures};

/// The features of the build whose memory the module imports: the threads build's
/// (atomics and shared memory) or the simd build's.
pub fn features(shared: bool) -> WasmFeatures {
    let f = WasmFeatures::WASM1
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::SIMD;
    if shared { f | WasmFeatures::THREADS } else { f }
}

pub fn validate(m: &Module) {
    if let Err(e) = Validator::new_with_features(features(m.shared_memory)).validate_all(&m.bytes) {
        panic!(
            "invalid module: {e}\n{}",
            wasmprinter::print_bytes(&m.bytes).unwrap_or_default()
        );
    }
}

/// Compiles `p` in both variants, validates both, and returns the plain one.
pub fn compile(p: &Program) -> Result<Module, wasm::Unsupported> {
    let shared = wasm::compile(p)?;
    assert!(shared.shared_memory);
    validate(&shared);
    let plain = wasm::compile_with(
        p,
        Options {
            shared_memory: false,
        },
    )?;
    validate(&plain);
    assert_eq!(shared.sites, plain.sites);
    assert_eq!(shared.functions, plain.functions);
    Ok(plain)
}

/// What the entry function gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Ret {
    Scalar(Scalar),
    /// One of the arrays passed in, by argument position.
    Array(usize),
    None,
}

/// A run: the result or the error, and every array argument's buffer afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub result: Result<Ret, RunError>,
    pub arrays: Vec<Vec<Scalar>>,
}

/// A copy of `v` with arrays in buffers of their own, so each tier starts from the same
/// data.
fn fresh(v: &Value) -> Value {
    match v {
        Value::Array(a) => Value::Array(ArrayValue {
            data: Rc::new(RefCell::new(a.data.borrow().clone())),
            offset: a.offset,
            shape: a.shape.clone(),
            strides: a.strides.clone(),
        }),
        other => other.clone(),
    }
}

fn contents(b: &Buffer) -> Vec<Scalar> {
    (0..b.len()).map(|i| b.get(i)).collect()
}

/// Runs the reference executor.
pub fn reference(p: &Program, args: &[Value]) -> Outcome {
    let args: Vec<Value> = args.iter().map(fresh).collect();
    let result = exec::run(p, args.clone()).map(|v| match v {
        Value::Scalar(s) => Ret::Scalar(s),
        Value::None => Ret::None,
        Value::Array(r) => Ret::Array(
            args.iter()
                .position(|a| {
                    a.array().is_some_and(|a| {
                        Rc::ptr_eq(&a.data, &r.data)
                            && a.offset == r.offset
                            && a.shape == r.shape
                            && a.strides == r.strides
                    })
                })
                .expect("the executor returns an argument's array"),
        ),
        other => panic!("a result the compiled subset has no ABI for: {other:?}"),
    });
    let arrays = args
        .iter()
        .filter_map(Value::array)
        .map(|a| contents(&a.data.borrow()))
        .collect();
    Outcome { result, arrays }
}

fn bytes_of(s: Scalar) -> Vec<u8> {
    match s {
        Scalar::Bool(v) => vec![u8::from(v)],
        Scalar::I8(v) => v.to_le_bytes().to_vec(),
        Scalar::I16(v) => v.to_le_bytes().to_vec(),
        Scalar::I32(v) => v.to_le_bytes().to_vec(),
        Scalar::I64(v) => v.to_le_bytes().to_vec(),
        Scalar::U8(v) => v.to_le_bytes().to_vec(),
        Scalar::U16(v) => v.to_le_bytes().to_vec(),
        Scalar::U32(v) => v.to_le_bytes().to_vec(),
        Scalar::U64(v) => v.to_le_bytes().to_vec(),
        Scalar::F32(v) => v.to_le_bytes().to_vec(),
        Scalar::F64(v) => v.to_le_bytes().to_vec(),
    }
}

fn scalar_at(d: DType, b: &[u8]) -> Scalar {
    let n = |k: usize| -> [u8; 8] {
        let mut x = [0u8; 8];
        x[..k].copy_from_slice(&b[..k]);
        x
    };
    let q = u64::from_le_bytes(n(d.size()));
    match d {
        DType::Bool => Scalar::Bool(b[0] != 0),
        DType::I8 => Scalar::I8(q as i8),
        DType::I16 => Scalar::I16(q as i16),
        DType::I32 => Scalar::I32(q as i32),
        DType::I64 => Scalar::I64(q as i64),
        DType::U8 => Scalar::U8(q as u8),
        DType::U16 => Scalar::U16(q as u16),
        DType::U32 => Scalar::U32(q as u32),
        DType::U64 => Scalar::U64(q),
        DType::F32 => Scalar::F32(f32::from_bits(q as u32)),
        DType::F64 => Scalar::F64(f64::from_bits(q)),
    }
}

fn align(x: usize, to: usize) -> usize {
    x.div_ceil(to) * to
}

/// An array laid out in the module's memory: its buffer and its descriptor.
struct Placed {
    base: usize,
    dtype: DType,
    len: usize,
    descriptor: usize,
}

fn val(v: WasmValue) -> wasmi::Val {
    match v {
        WasmValue::I32(x) => wasmi::Val::I32(x),
        WasmValue::I64(x) => wasmi::Val::I64(x),
        WasmValue::F32(x) => wasmi::Val::F32(wasmi::F32::from_bits(x)),
        WasmValue::F64(x) => wasmi::Val::F64(wasmi::F64::from_bits(x)),
    }
}

fn wasm_value(v: &wasmi::Val) -> WasmValue {
    match v {
        wasmi::Val::I32(x) => WasmValue::I32(*x),
        wasmi::Val::I64(x) => WasmValue::I64(*x),
        wasmi::Val::F32(x) => WasmValue::F32(x.to_bits()),
        wasmi::Val::F64(x) => WasmValue::F64(x.to_bits()),
        other => panic!("a result of type {other:?}"),
    }
}

/// Runs the compiled module's entry in wasmi. A trap fails the test: compiled kernels
/// report every error through the error globals.
pub fn compiled(m: &Module, args: &[Value]) -> Outcome {
    // Arrays from byte 64 on (address 0 is never a descriptor), each buffer 16-byte
    // aligned with its descriptor after it.
    let mut at = 64;
    let mut placed = Vec::new();
    for a in args.iter().filter_map(Value::array) {
        let buf = a.data.borrow();
        let d = buf.dtype();
        let base = align(at, 16);
        let descriptor = align(base + buf.len() * d.size(), 4);
        at = descriptor + 4 + 8 * a.shape.len();
        placed.push(Placed {
            base,
            dtype: d,
            len: buf.len(),
            descriptor,
        });
    }
    let pages = (at / 65536 + 1) as u32;

    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, &m.bytes).expect("wasmi takes the module");
    let mut store = wasmi::Store::new(&engine, ());
    let memory =
        wasmi::Memory::new(&mut store, wasmi::MemoryType::new(pages, None)).expect("a memory");
    let mut linker = <wasmi::Linker<()>>::new(&engine);
    linker
        .define("env", "memory", memory)
        .expect("define the memory");
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .expect("instantiate");

    let mut params = Vec::new();
    let mut k = 0;
    {
        let mem = memory.data_mut(&mut store);
        for v in args {
            match v {
                Value::Scalar(s) => params.push(val(wasm::to_wasm(*s))),
                Value::Array(a) => {
                    let p = &placed[k];
                    k += 1;
                    let buf = a.data.borrow();
                    for i in 0..buf.len() {
                        let b = bytes_of(buf.get(i));
                        let o = p.base + i * b.len();
                        mem[o..o + b.len()].copy_from_slice(&b);
                    }
                    let mut words = vec![(p.base + a.offset * p.dtype.size()) as i32];
                    words.extend(a.shape.iter().map(|&n| n as i32));
                    words.extend(a.strides.iter().map(|&s| s as i32));
                    for (j, w) in words.iter().enumerate() {
                        let o = p.descriptor + 4 * j;
                        mem[o..o + 4].copy_from_slice(&w.to_le_bytes());
                    }
                    params.push(wasmi::Val::I32(p.descriptor as i32));
                }
                other => panic!("an argument the compiled subset has no ABI for: {other:?}"),
            }
        }
    }

    let entry = &m.functions[0];
    let f = instance
        .get_func(&store, &entry.export)
        .expect("the entry is exported");
    let mut results: Vec<wasmi::Val> = match &entry.ret {
        Ty::None => Vec::new(),
        Ty::Scalar(d) => vec![val(wasm::to_wasm(Scalar::zero(*d)))],
        _ => vec![wasmi::Val::I32(0)],
    };
    if let Err(e) = f.call(&mut store, &params, &mut results) {
        panic!(
            "the compiled kernel trapped: {e}\n{}",
            wasmprinter::print_bytes(&m.bytes).unwrap_or_default()
        );
    }
    let global = |name: &str| {
        instance
            .get_global(&store, name)
            .expect("an error global")
            .get(&store)
    };
    let code = match global(wasm::ERROR_GLOBAL) {
        wasmi::Val::I32(c) => c,
        other => panic!("error is {other:?}"),
    };
    let i64_of = |v: wasmi::Val| match v {
        wasmi::Val::I64(x) => x,
        other => panic!("an error value is {other:?}"),
    };
    let result = if code == 0 {
        Ok(match &entry.ret {
            Ty::Scalar(d) => Ret::Scalar(
                wasm::from_wasm(*d, wasm_value(&results[0])).expect("a result of its dtype"),
            ),
            Ty::Array(_) => {
                let wasmi::Val::I32(addr) = results[0] else {
                    panic!("an array result that is not an i32");
                };
                let arrays: Vec<usize> = args
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| v.array().is_some())
                    .map(|(i, _)| i)
                    .collect();
                let j = placed
                    .iter()
                    .position(|p| p.descriptor as i32 == addr)
                    .expect("an array result is an argument's descriptor");
                Ret::Array(arrays[j])
            }
            _ => Ret::None,
        })
    } else {
        let a = i64_of(global(wasm::ERROR_A_GLOBAL));
        let b = i64_of(global(wasm::ERROR_B_GLOBAL));
        Err(m.error(code, a, b).expect("the error code names a site"))
    };
    let mem = memory.data(&store);
    let arrays = placed
        .iter()
        .map(|p| {
            (0..p.len)
                .map(|i| {
                    let s = p.dtype.size();
                    scalar_at(p.dtype, &mem[p.base + i * s..p.base + (i + 1) * s])
                })
                .collect()
        })
        .collect();
    Outcome { result, arrays }
}

/// Compiles `p` (which must compile), runs it both ways on `args` and asserts the two
/// outcomes are identical to the bit; returns the outcome.
pub fn differential(p: &Program, args: &[Value]) -> Outcome {
    let m = compile(p).unwrap_or_else(|u| panic!("{u}\n{p}"));
    let want = reference(p, args);
    let got = compiled(&m, args);
    assert_eq!(
        got, want,
        "compiled (left) and executor (right) differ on\n{p}\nwith arguments {args:?}"
    );
    want
}
