//! Runs a kernel program two ways and compares: on the reference executor, and compiled
//! by `back::wasm` and run in wasmi (a wasm interpreter that takes an imported memory)
//! with the arrays laid out in that memory as the ABI says. Every module is validated
//! first, in both of its variants (shared memory for the threads build, plain for the
//! simd build); wasmi runs the plain one, as it has no threads. The vmath functions a
//! module imports are host functions here that call the native functions the engine's
//! wasm exports call, so a difference from the executor is a wrong call site (operation,
//! dtype or operand order), not a platform's rounding.

use std::cell::RefCell;
use std::rc::Rc;

use numwasm::back::wasm::vmath::Lanes;
use numwasm::back::wasm::{self, Module, Options, VmathOp, WasmValue, vmath};
use numwasm::kir::exec::{self, ArrayValue, RunError, Value};
use numwasm::kir::{Program, Ty};
use numwasm::types::{Buffer, DType, Scalar};
use wasmi::V128;
use wasmparser::{Validator, WasmFeatures};

/// The features of the build whose memory the module imports: the threads build's
/// (atomics and shared memory) or the simd build's.
pub fn features(shared: bool) -> WasmFeatures {
    let f = WasmFeatures::WASM1
        | WasmFeatures::SATURATING_FLOAT_TO_INT
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::BULK_MEMORY
        | WasmFeatures::MULTI_VALUE
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
    // Every module the tests generate also prints as text, as `inspect` shows it.
    crate::text::check(&m.bytes);
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

/// The functions a module imports from the engine's vmath, in index order.
pub fn vmath_imports(m: &Module) -> Vec<String> {
    let mut names = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(&m.bytes) {
        if let Ok(wasmparser::Payload::ImportSection(section)) = payload {
            for import in section.into_imports() {
                let import = import.expect("an import");
                if import.module == wasm::VMATH_MODULE {
                    names.push(import.name.to_owned());
                }
            }
        }
    }
    names
}

/// What the entry function gave.
#[derive(Debug, Clone, PartialEq)]
pub enum Ret {
    Scalar(Scalar),
    /// One of the arrays passed in, by argument position.
    Array(usize),
    /// An array that is not one passed in (a new array, or a view that differs from
    /// every argument): its extents and its elements in C order, as the engine copies
    /// them out.
    New(Vec<usize>, Vec<Scalar>),
    /// A list's elements.
    List(Vec<Scalar>),
    /// A tuple's items.
    Tuple(Vec<Ret>),
    None,
}

/// A run: the result or the error, and every array argument's buffer afterwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub result: Result<Ret, RunError>,
    pub arrays: Vec<Vec<Scalar>>,
}

/// Copies of `args` with arrays in buffers of their own, so each tier starts from the
/// same data; arguments that share a buffer (`out` passed twice, views of one array)
/// share its copy.
fn fresh(args: &[Value]) -> Vec<Value> {
    let mut copies: Vec<(Rc<RefCell<Buffer>>, Rc<RefCell<Buffer>>)> = Vec::new();
    args.iter()
        .map(|v| match v {
            Value::Array(a) => {
                let data = match copies.iter().find(|(o, _)| Rc::ptr_eq(o, &a.data)) {
                    Some((_, c)) => Rc::clone(c),
                    None => {
                        let c = Rc::new(RefCell::new(a.data.borrow().clone()));
                        copies.push((Rc::clone(&a.data), Rc::clone(&c)));
                        c
                    }
                };
                Value::Array(ArrayValue {
                    data,
                    offset: a.offset,
                    shape: a.shape.clone(),
                    strides: a.strides.clone(),
                })
            }
            other => other.clone(),
        })
        .collect()
}

fn contents(b: &Buffer) -> Vec<Scalar> {
    (0..b.len()).map(|i| b.get(i)).collect()
}

/// Runs the reference executor.
pub fn reference(p: &Program, args: &[Value]) -> Outcome {
    let args = fresh(args);
    let result = exec::run(p, args.clone()).map(|v| reference_ret(v, &args));
    let arrays = args
        .iter()
        .filter_map(Value::array)
        .map(|a| contents(&a.data.borrow()))
        .collect();
    Outcome { result, arrays }
}

/// The executor's result as the engine sees it: an array that is an argument (the same
/// buffer and layout) is that argument, any other is copied out.
fn reference_ret(v: Value, args: &[Value]) -> Ret {
    match v {
        Value::Scalar(s) => Ret::Scalar(s),
        Value::None => Ret::None,
        Value::Array(r) => args
            .iter()
            .position(|a| {
                a.array().is_some_and(|a| {
                    Rc::ptr_eq(&a.data, &r.data)
                        && a.offset == r.offset
                        && a.shape == r.shape
                        && a.strides == r.strides
                })
            })
            .map_or_else(|| Ret::New(r.shape.clone(), r.to_scalars()), Ret::Array),
        Value::List(l) => Ret::List(l.to_vec()),
        Value::Tuple(items) => {
            Ret::Tuple(items.into_iter().map(|x| reference_ret(x, args)).collect())
        }
    }
}

/// How many result slots of the trampoline a value of type `ty` takes.
fn result_values(ty: &Ty) -> usize {
    match ty {
        Ty::Tuple(items) => items.iter().map(result_values).sum(),
        Ty::None => 0,
        _ => 1,
    }
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
    ndim: usize,
}

/// Defines the vmath functions `module` imports, each by its entry in the generator's
/// table, which must have one of its name.
fn define_vmath(linker: &mut wasmi::Linker<()>, module: &wasmi::Module) {
    for import in module.imports() {
        if import.module() != wasm::VMATH_MODULE
            || [
                wasm::ALLOC_IMPORT,
                wasm::PARALLEL_FOR_IMPORT,
                wasm::FREE_IMPORT,
                wasm::BLOCK_IMPORT_F64,
                wasm::BLOCK_IMPORT_F32,
                wasm::SCRATCH_IMPORT,
            ]
            .contains(&import.name())
        {
            continue;
        }
        let f = wasm::VMATH_IMPORTS
            .iter()
            .find(|f| f.name == import.name())
            .unwrap_or_else(|| panic!("{} is not in the table", import.name()));
        let (m, name) = (wasm::VMATH_MODULE, f.name);
        if f.lanes > 1 {
            define_lanes(linker, f);
            continue;
        }
        let defined = match (f.op, f.dtype) {
            (VmathOp::Unary(op), DType::F64) => {
                linker.func_wrap(m, name, move |a: f64| vmath::unary(op, a))
            }
            (VmathOp::Unary(op), _) => linker.func_wrap(m, name, move |a: f32| vmath::unary(op, a)),
            (VmathOp::Binary(op), DType::F64) => {
                linker.func_wrap(m, name, move |a: f64, b: f64| vmath::binary(op, a, b))
            }
            (VmathOp::Binary(op), _) => {
                linker.func_wrap(m, name, move |a: f32, b: f32| vmath::binary(op, a, b))
            }
            (VmathOp::PowConst, DType::F64) => {
                linker.func_wrap(m, name, |a: f64, k: f64| vmath::pow_const(a, k))
            }
            (VmathOp::PowConst, _) => {
                linker.func_wrap(m, name, |a: f32, k: f32| vmath::pow_const(a, k))
            }
        };
        defined.expect("define a vmath function");
    }
}

/// The lanes of a `v128` as elements, and back (little-endian, as wasm's).
fn f64x2(v: V128) -> [f64; 2] {
    let b = v.as_u128().to_le_bytes();
    std::array::from_fn(|i| f64::from_le_bytes(b[8 * i..8 * i + 8].try_into().expect("8")))
}

fn f32x4(v: V128) -> [f32; 4] {
    let b = v.as_u128().to_le_bytes();
    std::array::from_fn(|i| f32::from_le_bytes(b[4 * i..4 * i + 4].try_into().expect("4")))
}

fn v128_of<const N: usize, const W: usize>(lanes: [[u8; W]; N]) -> V128 {
    let mut b = [0; 16];
    for (i, l) in lanes.iter().enumerate() {
        b[W * i..W * i + W].copy_from_slice(l);
    }
    V128::from(u128::from_le_bytes(b))
}

fn from_f64x2(a: [f64; 2]) -> V128 {
    v128_of(a.map(f64::to_le_bytes))
}

fn from_f32x4(a: [f32; 4]) -> V128 {
    v128_of(a.map(f32::to_le_bytes))
}

/// Defines a lane function (`nw_vmath2_*_f64`, `nw_vmath4_*_f32`) natively, from the
/// engine's lane functions (`vmath::Lanes`), as the engine's wasm build exports them.
fn define_lanes(linker: &mut wasmi::Linker<()>, f: &wasm::VmathImport) {
    let (m, name) = (wasm::VMATH_MODULE, f.name);
    let defined = match (f.op, f.dtype) {
        (VmathOp::Unary(op), DType::F64) => linker.func_wrap(m, name, move |a: V128| {
            from_f64x2(<f64 as Lanes<2>>::unary_lanes(op, f64x2(a)))
        }),
        (VmathOp::Unary(op), _) => linker.func_wrap(m, name, move |a: V128| {
            from_f32x4(<f32 as Lanes<4>>::unary_lanes(op, f32x4(a)))
        }),
        (VmathOp::Binary(op), DType::F64) => linker.func_wrap(m, name, move |a: V128, b: V128| {
            from_f64x2(<f64 as Lanes<2>>::binary_lanes(op, f64x2(a), f64x2(b)))
        }),
        (VmathOp::Binary(op), _) => linker.func_wrap(m, name, move |a: V128, b: V128| {
            from_f32x4(<f32 as Lanes<4>>::binary_lanes(op, f32x4(a), f32x4(b)))
        }),
        (VmathOp::PowConst, DType::F64) => linker.func_wrap(m, name, |a: V128, k: f64| {
            from_f64x2(<f64 as Lanes<2>>::pow_const_lanes(f64x2(a), k))
        }),
        (VmathOp::PowConst, _) => linker.func_wrap(m, name, |a: V128, k: f32| {
            from_f32x4(<f32 as Lanes<4>>::pow_const_lanes(f32x4(a), k))
        }),
    };
    defined.expect("define a lane function");
}

/// Defines the engine's block vmath (`nw_vblock_f64`, `nw_vblock_f32`: each strip through
/// the same `vmath::block_*` the engine exports run) and its per-thread scratch
/// (`nw_vscratch`: here one block of memory per instance, grown when asked for more, so
/// that a test shows a loop reuses it).
thread_local! {
    /// How many strips the harness's block functions have run on this thread.
    pub static BLOCKS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

fn define_blocks(linker: &mut wasmi::Linker<()>, memory: wasmi::Memory) {
    /// Copies the strip's operands out of the memory, runs `f`, writes the result back.
    fn run<T: Copy + Default>(
        mem: &mut [u8],
        (a, b, o, n): (i32, i32, i32, i32),
        size: usize,
        read: impl Fn(&[u8]) -> T,
        write: impl Fn(T, &mut [u8]),
        f: impl Fn(*const T, *const T, *mut T, usize),
    ) {
        BLOCKS.with(|b| b.set(b.get() + 1));
        let n = n as usize;
        let load = |mem: &[u8], at: i32| -> Vec<T> {
            (0..n)
                .map(|i| {
                    let p = at as usize + i * size;
                    mem.get(p..p + size).map_or_else(T::default, &read)
                })
                .collect()
        };
        let (xa, xb) = (load(mem, a), load(mem, b));
        let mut out = vec![T::default(); n];
        f(xa.as_ptr(), xb.as_ptr(), out.as_mut_ptr(), n);
        for (i, v) in out.into_iter().enumerate() {
            let p = o as usize + i * size;
            write(v, &mut mem[p..p + size]);
        }
    }
    macro_rules! block {
        ($import:expr, $t:ty, $size:literal, $block:ident) => {
            linker
                .func_wrap(
                    wasm::VMATH_MODULE,
                    $import,
                    move |mut caller: wasmi::Caller<'_, ()>,
                          code: i32,
                          a: i32,
                          b: i32,
                          k: $t,
                          o: i32,
                          n: i32| {
                        let op = wasm::VMATH_IMPORTS[code as usize].op;
                        run(
                            memory.data_mut(&mut caller),
                            (a, b, o, n),
                            $size,
                            |s| <$t>::from_le_bytes(s.try_into().expect("element bytes")),
                            |v, d| d.copy_from_slice(&v.to_le_bytes()),
                            // SAFETY: the vectors hold n elements each.
                            |a, b, o, n| unsafe { vmath::$block(op, a, b, k, o, n) },
                        );
                    },
                )
                .expect("define a block function");
        };
    }
    block!(wasm::BLOCK_IMPORT_F64, f64, 8, block_f64);
    block!(wasm::BLOCK_IMPORT_F32, f32, 4, block_f32);
    let held = std::sync::Arc::new(std::sync::Mutex::new((0usize, 0usize)));
    linker
        .func_wrap(
            wasm::VMATH_MODULE,
            wasm::SCRATCH_IMPORT,
            move |mut caller: wasmi::Caller<'_, ()>, bytes: i32| -> i32 {
                let mut held = held.lock().expect("scratch");
                let bytes = bytes as usize;
                if held.1 < bytes {
                    let end = memory.data(&caller).len();
                    let at = align(end, 16);
                    let pages = (at + bytes).div_ceil(65536) - end / 65536;
                    memory
                        .grow(&mut caller, pages as u64)
                        .expect("the memory grows");
                    *held = (at, bytes);
                }
                held.0 as i32
            },
        )
        .expect("define the scratch");
}

thread_local! {
    /// The most bytes the harness's allocator hands out in one run.
    static ALLOC_LIMIT: std::cell::Cell<usize> = const { std::cell::Cell::new(64 << 20) };
}

/// Runs `f` with the allocator limited to `bytes` in all (0 after that: MemoryError).
pub fn with_alloc_limit<T>(bytes: usize, f: impl FnOnce() -> T) -> T {
    let old = ALLOC_LIMIT.with(|l| l.replace(bytes));
    let r = f();
    ALLOC_LIMIT.with(|l| l.set(old));
    r
}

/// Defines the engine's allocator, `numwasm.nw_kernel_alloc(size, align) -> address`, if
/// the module imports it: zeroed memory bumped from the end of the memory (which grows
/// for it), 0 once the run has taken more than [`with_alloc_limit`]'s bytes.
fn define_alloc(linker: &mut wasmi::Linker<()>, memory: wasmi::Memory) {
    let limit = ALLOC_LIMIT.with(std::cell::Cell::get);
    let used = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    linker
        .func_wrap(
            wasm::VMATH_MODULE,
            wasm::ALLOC_IMPORT,
            move |mut caller: wasmi::Caller<'_, ()>, size: i32, align_to: i32| -> i32 {
                let (Ok(size), Ok(align_to)) = (usize::try_from(size), usize::try_from(align_to))
                else {
                    return 0;
                };
                let align_to = align_to & !(wasm::ALLOC_UNZEROED as usize);
                assert!(align_to.is_power_of_two(), "alignment {align_to}");
                let ordering = std::sync::atomic::Ordering::Relaxed;
                if used.load(ordering) + size > limit {
                    return 0;
                }
                used.fetch_add(size, ordering);
                let end = memory.data(&caller).len();
                let at = align(end, align_to.max(16));
                let pages = (at + size).div_ceil(65536) - end / 65536;
                memory
                    .grow(&mut caller, pages as u64)
                    .expect("the memory grows");
                at as i32
            },
        )
        .expect("define the allocator");
}

/// Defines the engine's parallel loop runner and `nw_kernel_free` (a no-op here: the
/// harness's allocator only bumps). The runner splits the loop as the engine's does and
/// runs the chunks on the same instance in reverse order, so a test shows that the result
/// does not depend on the order chunks run in; loops flagged `PAR_MERGE` run as spans of
/// three chunks (counted in [`MERGED`]), so the tests show that merging changes nothing
/// either.
/// How many merged spans (of more than one chunk) the harness's runner has run.
pub static MERGED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn define_parallel(linker: &mut wasmi::Linker<()>, memory: wasmi::Memory) {
    linker
        .func_wrap(
            wasm::VMATH_MODULE,
            wasm::PARALLEL_FOR_IMPORT,
            move |mut caller: wasmi::Caller<'_, ()>,
                  function: i32,
                  env: i32,
                  cost: f64,
                  flags: i32|
                  -> i32 {
                let env = env as usize;
                let mem = memory.data(&caller);
                let trips = i64::from_le_bytes(mem[env..env + 8].try_into().expect("8 bytes"));
                let (chunk, count) = numwasm::kir::parallel::chunk_plan(trips as u64, cost);
                memory.data_mut(&mut caller)[env + 8..env + 16]
                    .copy_from_slice(&(chunk as i64).to_le_bytes());
                let name = wasm::chunk_export(function as usize);
                let f = caller
                    .get_export(&name)
                    .and_then(wasmi::Extern::into_func)
                    .expect("the chunk trampoline is exported");
                // Where the loop allows it, chunks run three at a time (the last span
                // shorter), still in reverse order, as the engine merges them.
                let span = if flags & wasm::PAR_MERGE != 0 { 3 } else { 1 };
                let starts: Vec<u64> = (0..count).step_by(span).collect();
                for &c in starts.iter().rev() {
                    let n = (count - c).min(span as u64);
                    MERGED.fetch_add(u64::from(n > 1), std::sync::atomic::Ordering::Relaxed);
                    f.call(
                        &mut caller,
                        &[
                            wasmi::Val::I32(env as i32),
                            wasmi::Val::I32(c as i32),
                            wasmi::Val::I32(n as i32),
                        ],
                        &mut [],
                    )
                    .expect("a chunk runs");
                }
                count as i32
            },
        )
        .expect("define the parallel loop runner");
    linker
        .func_wrap(wasm::VMATH_MODULE, wasm::FREE_IMPORT, |_: i32| {})
        .expect("define the release");
}

/// The elements in C order of the array whose descriptor is at `addr`, or the argument
/// whose layout it has.
fn read_array(mem: &[u8], addr: usize, ty: &Ty, placed: &[Placed], arrays: &[usize]) -> Ret {
    let Ty::Array(at) = ty else {
        panic!("an array result typed {ty}");
    };
    let word = |o: usize| i32::from_le_bytes(mem[o..o + 4].try_into().expect("4 bytes"));
    let nd = usize::from(at.ndim);
    let data = word(addr) as u32 as usize;
    let shape: Vec<usize> = (0..nd)
        .map(|k| word(addr + 4 + 4 * k) as u32 as usize)
        .collect();
    let strides: Vec<isize> = (0..nd)
        .map(|k| word(addr + 4 + 4 * (nd + k)) as isize)
        .collect();
    // A view with an argument's layout is that argument, as the executor sees it.
    for (j, p) in placed.iter().enumerate() {
        let desc = |k: usize| word(p.descriptor + 4 * k);
        if p.dtype == at.dtype
            && p.ndim == nd
            && desc(0) as u32 as usize == data
            && (0..nd).all(|k| desc(1 + k) as u32 as usize == shape[k])
            && (0..nd).all(|k| desc(1 + nd + k) as isize == strides[k])
        {
            return Ret::Array(arrays[j]);
        }
    }
    let size: usize = shape.iter().product();
    let mut items = Vec::with_capacity(size);
    let mut idx = vec![0usize; nd];
    for _ in 0..size {
        let off: isize = idx
            .iter()
            .zip(&strides)
            .map(|(&i, &s)| i as isize * s)
            .sum();
        let o = (data as isize + off * at.dtype.size() as isize) as usize;
        items.push(scalar_at(at.dtype, &mem[o..o + at.dtype.size()]));
        for k in (0..nd).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    Ret::New(shape, items)
}

/// Reads a result of type `ty` from the trampoline's slots `k..` as the engine does: a
/// scalar is its wasm value, an array its descriptor's address, a list its header's
/// (`data`, `len`, `capacity`), a tuple its items in order, None nothing.
fn read_ret(
    ty: &Ty,
    k: &mut usize,
    slot: &dyn Fn(usize) -> u64,
    mem: &[u8],
    placed: &[Placed],
    arrays: &[usize],
) -> Ret {
    let mut next = || {
        *k += 1;
        slot(*k - 1)
    };
    match ty {
        Ty::Scalar(d) => {
            let r = next();
            let t = wasm::val_type(*d);
            let v = if t == wasm::val_type(DType::I64) {
                WasmValue::I64(r as i64)
            } else if t == wasm::val_type(DType::F32) {
                WasmValue::F32(r as u32)
            } else if t == wasm::val_type(DType::F64) {
                WasmValue::F64(r)
            } else {
                WasmValue::I32(r as u32 as i32)
            };
            Ret::Scalar(wasm::from_wasm(*d, v).expect("a result of its dtype"))
        }
        Ty::Array(_) => {
            let addr = next() as u32 as usize;
            match placed.iter().position(|p| p.descriptor == addr) {
                Some(j) => Ret::Array(arrays[j]),
                None => read_array(mem, addr, ty, placed, arrays),
            }
        }
        Ty::List(d) => {
            let h = next() as u32 as usize;
            let word = |o: usize| u32::from_le_bytes(mem[o..o + 4].try_into().expect("4 bytes"));
            let (data, len, cap) = (word(h) as usize, word(h + 4) as usize, word(h + 8) as usize);
            assert!(
                len <= cap,
                "a list of {len} elements in a capacity of {cap}"
            );
            let s = d.size();
            Ret::List(
                (0..len)
                    .map(|i| scalar_at(*d, &mem[data + i * s..data + (i + 1) * s]))
                    .collect(),
            )
        }
        Ty::Tuple(items) => Ret::Tuple(
            items
                .iter()
                .map(|t| read_ret(t, k, slot, mem, placed, arrays))
                .collect(),
        ),
        Ty::None => Ret::None,
    }
}

/// Runs the compiled module's entry in wasmi. A trap fails the test: compiled kernels
/// report every error through the error globals.
pub fn compiled(m: &Module, args: &[Value]) -> Outcome {
    compiled_fuel(m, args).0
}

/// [`compiled`], with the fuel the call consumed (wasmi's count of the instructions it
/// executed), which tells a vector loop from the scalar one.
pub fn compiled_fuel(m: &Module, args: &[Value]) -> (Outcome, u64) {
    // Arrays from byte 64 on (address 0 is never a descriptor), each buffer 16-byte
    // aligned with its descriptor after it; arguments that share a buffer share its place.
    let mut at = 64;
    let mut placed: Vec<Placed> = Vec::new();
    let mut buffers: Vec<(&Rc<RefCell<Buffer>>, usize)> = Vec::new();
    for a in args.iter().filter_map(Value::array) {
        let buf = a.data.borrow();
        let d = buf.dtype();
        let shared = buffers.iter().find(|(b, _)| Rc::ptr_eq(b, &a.data));
        let (base, descriptor) = match shared {
            Some(&(_, base)) => (base, align(at, 4)),
            None => {
                let base = align(at, 16);
                (base, align(base + buf.len() * d.size(), 4))
            }
        };
        if shared.is_none() {
            buffers.push((&a.data, base));
        }
        at = descriptor + 4 + 8 * a.shape.len();
        placed.push(Placed {
            base,
            dtype: d,
            len: buf.len(),
            descriptor,
            ndim: a.shape.len(),
        });
    }
    // The trampoline's block after the arrays: the header, then one slot per argument.
    let block = align(at, 8);
    let n_results = result_values(&m.functions[0].ret);
    at = block + 8 * wasm::Block::slots(args.len(), n_results.max(1));
    let pages = (at / 65536 + 1) as u32;

    let mut config = wasmi::Config::default();
    config.consume_fuel(true);
    let engine = wasmi::Engine::new(&config);
    let module = wasmi::Module::new(&engine, &m.bytes).expect("wasmi takes the module");
    let mut store = wasmi::Store::new(&engine, ());
    const FUEL: u64 = u64::MAX / 2;
    store.set_fuel(FUEL).expect("fuel is on");
    let memory =
        wasmi::Memory::new(&mut store, wasmi::MemoryType::new(pages, None)).expect("a memory");
    let mut linker = <wasmi::Linker<()>>::new(&engine);
    linker
        .define("env", "memory", memory)
        .expect("define the memory");
    define_vmath(&mut linker, &module);
    define_alloc(&mut linker, memory);
    define_parallel(&mut linker, memory);
    define_blocks(&mut linker, memory);
    let instance = linker
        .instantiate_and_start(&mut store, &module)
        .expect("instantiate");

    let mut k = 0;
    {
        let mem = memory.data_mut(&mut store);
        for (i, v) in args.iter().enumerate() {
            let slot = block + wasm::Block::param(i) as usize;
            let bits: u64 = match v {
                Value::Scalar(s) => match wasm::to_wasm(*s) {
                    WasmValue::I32(x) => u64::from(x as u32),
                    WasmValue::I64(x) => x as u64,
                    WasmValue::F32(x) => u64::from(x),
                    WasmValue::F64(x) => x,
                },
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
                    p.descriptor as u64
                }
                other => panic!("an argument the compiled subset has no ABI for: {other:?}"),
            };
            // Garbage in the unused high bytes: the trampoline must read only its value's.
            let bits = match v {
                Value::Scalar(s) if wasm::val_type(s.dtype()) == wasm::val_type(DType::I32) => {
                    bits | 0xdead_beef_0000_0000
                }
                Value::Array(_) => bits | 0xdead_beef_0000_0000,
                _ => bits,
            };
            mem[slot..slot + 8].copy_from_slice(&bits.to_le_bytes());
        }
        // A stale error code from an earlier call must not survive into this one.
        let e = block + wasm::Block::ERROR as usize;
        mem[e..e + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    }

    let entry = &m.functions[0];
    let run = instance
        .get_func(&store, wasm::RUN_EXPORT)
        .expect("the trampoline is exported");
    if let Err(e) = run.call(&mut store, &[wasmi::Val::I32(block as i32)], &mut []) {
        panic!(
            "the compiled kernel trapped: {e}\n{}",
            wasmprinter::print_bytes(&m.bytes).unwrap_or_default()
        );
    }
    let fuel = FUEL - store.get_fuel().expect("fuel is on");
    let mem = memory.data(&store);
    let word = |at: u64| {
        let o = block + at as usize;
        u64::from_le_bytes(mem[o..o + 8].try_into().expect("8 bytes"))
    };
    let code = word(wasm::Block::ERROR) as u32 as i32;
    let result = if code == 0 {
        let arrays: Vec<usize> = args
            .iter()
            .enumerate()
            .filter(|(_, v)| v.array().is_some())
            .map(|(i, _)| i)
            .collect();
        let mut k = 0;
        let slot = |k: usize| word(wasm::Block::result(args.len(), k));
        Ok(read_ret(&entry.ret, &mut k, &slot, mem, &placed, &arrays))
    } else {
        let a = word(wasm::Block::ERROR_A) as i64;
        let b = word(wasm::Block::ERROR_B) as i64;
        Err(m.error(code, a, b).expect("the error code names a site"))
    };
    // The trampoline clears the error, so the next call through it starts clean.
    let global = instance
        .get_global(&store, wasm::ERROR_GLOBAL)
        .expect("an error global")
        .get(&store);
    assert!(
        matches!(global, wasmi::Val::I32(0)),
        "the error global is {global:?} after the trampoline"
    );
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
    (Outcome { result, arrays }, fuel)
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

/// A host that runs nothing: `inspect` and `tier_with` only compile with it.
pub struct Inspector;

impl numwasm::api::WasmHost for Inspector {
    fn options(&self) -> wasm::Options {
        wasm::Options {
            shared_memory: false,
        }
    }

    fn run(&self, _: u64, _: &[u8], _: u32) -> Result<(), String> {
        Err("the inspector runs nothing".to_owned())
    }
}
