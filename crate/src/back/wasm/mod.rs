//! back::wasm: the kernel IR compiled to a WebAssembly module at run time, which the
//! browser compiles to machine code. It computes what the reference executor
//! (`kir::exec`) computes, bit for bit, errors included.
//!
//! ```text
//! kir::Program ──check (handles, calls, nesting, definite assignment)──▶ facts
//!              ──func (one wasm function per kir function)──▶ code
//!              ──assemble──▶ Module { bytes, functions (ABI), error sites }
//! ```
//!
//! # The module
//! It imports its memory as `env.memory` (the engine's: kernels read and write the
//! engine's arrays in place), shared with a maximum of 65536 pages for the threads build
//! or not shared and without a maximum for the simd build ([`Options::shared_memory`]),
//! and the vmath functions it calls from the import module `numwasm` (the engine's own
//! wasm exports, [`VMATH_IMPORTS`]: `nw_vmath_exp_f64: (f64) -> f64`, ...), only those it
//! uses, in the order of first use. Imported functions come first in wasm's function
//! index space; the program's functions follow, then the helpers and the trampoline.
//! It exports one function per kir function, in the program's order, as `f0` (the entry),
//! `f1`, ..., and three mutable globals that report errors: `error`, `error_a` and
//! `error_b`. Integer `**` calls an internal helper (square and multiply), not exported.
//!
//! # The ABI
//! * A scalar is one wasm value: `bool` and the integers up to 32 bits an `i32`, kept
//!   normalized (signed types sign-extended, unsigned and `bool` zero-extended, so `bool`
//!   is 0 or 1), `int64` and `uint64` an `i64` (the bits), `float32` an `f32` and `float64`
//!   an `f64`. Narrow integers wrap after every operation, as `types::elem` computes them
//!   in their own width; arguments are normalized on entry, so a caller may pass any bits.
//! * An array is the `i32` address of a descriptor in memory, 4-byte aligned: the byte
//!   address of element `(0, 0, ...)`, then `ndim` extents, then `ndim` strides counted in
//!   elements (negative for reversed views), each an `i32`. A C-typed array must have C
//!   strides. One value per array, whatever its rank, lets locals hold arrays, calls pass
//!   them, `Cond` choose between them and functions return them, with one code path for
//!   all of these. A function reads the descriptor once where an array is bound (on entry
//!   for a parameter, at each assignment for a local) into wasm locals, so element access
//!   reads no descriptor from memory, and the engine's optimizing compiler can keep the
//!   extents and strides in registers (a store to an element cannot alias a wasm local,
//!   where it could alias a descriptor in memory). Separate parameters for the data
//!   pointer, extents and strides would have saved the one load per field on entry but
//!   made every array a variable number of values everywhere else.
//! * A function's result is its scalar's wasm value, an array's descriptor address (of
//!   an array passed in, or of one the call made: a new array or a view, its descriptor
//!   in memory from the engine's allocator), or nothing for `None`.
//! * A list is the `i32` address of a header of three `i32` words (the elements' byte
//!   address, the length, the capacity) from the engine's allocator ([`ALLOC_IMPORT`]),
//!   its elements packed at their dtype's size; `append` past the capacity doubles it
//!   into a new block and copies the elements. Every reference shares the header, so an
//!   append through one is seen through all, as with the executor's shared list.
//! * A tuple is its items' wasm values in order, flattened (a nested tuple's items, none
//!   for `None`): as many wasm locals, parameters and results (multi-value), so tuples
//!   never touch memory. Only the entry's parameters are never tuples or lists.
//! * Errors never trap and never touch memory outside an array, given descriptors of
//!   arrays that lie inside the memory (the engine's to guarantee, as `kir::exec::run`
//!   checks its arguments). A failing operation sets
//!   the global `error` to its site's index plus one ([`Module::sites`]; 0 means no
//!   error), an IndexError also `error_a` (the index as written, the bits of an `i64` or
//!   `u64`) and `error_b` (the axis's extent), and returns a zero; every caller checks
//!   `error` after a call and returns at once. [`Module::error`] rebuilds the
//!   executor's `RunError` (kind, message and span) from the three globals. The engine
//!   reads `error` after each call of an export and sets it back to 0 after an error.
//!
//! # Semantics
//! Every element operation is `types::elem`'s, as the executor folds it: integer
//! arithmetic wraps, `//` and `%` floor, a zero divisor gives 0 outside `PyDiv`, shifts
//! past the width give 0 (or -1), `maximum`/`minimum` propagate NaN and `fmax`/`fmin`
//! ignore it (selects on the operands rather than `f64.max`, so a NaN keeps its bits and
//! equal zeros of opposite signs give the operand elem gives: the second for `maximum`,
//! the first for `fmax`), `rint` rounds half to even (`f64.nearest`). The float operations
//! wasm has no instruction for (the transcendentals, float `//`, `%`, `**`, `fmod`,
//! `arctan2`, `hypot`, `nextafter`) call the engine's functions that compute them as the
//! executor does (the vmath lane functions, one element at a time; [`vmath`]), float32 in
//! float32; a float `**` whose exponent is a constant runs the constant-power kernel, as
//! in the executor. `Cast` follows the
//! executor: a float to an integer narrower than 64 bits truncates to int64 with
//! saturation (NaN giving 0: `i64.trunc_sat_f64_s`) and wraps; to `uint64` it saturates,
//! and `PyDiv`'s operand casts saturate to the target's range as `Scalar::cast`. Division never
//! reaches a trapping instruction: a zero divisor is tested first, and `MIN // -1` is
//! computed as a negation. Array accesses evaluate every index, then wrap a negative one
//! once and check it against its extent, axis by axis, before the address is formed.
//! `for` over `range` computes its trip count once (with unsigned arithmetic, so bounds
//! near the ends of int64 cannot overflow), as Python's `range` does.
//!
//! Innermost counted loops over floats may run two `float64` or four `float32`
//! iterations at a time on simd128 lanes before the scalar loop finishes the range
//! (`func/simd.rs` says which loops, and the run-time checks that choose the vector part
//! or leave the whole range to the scalar loop); the lanes compute each element with the
//! scalar operation's instruction, so the results are the scalar loop's to the bit. Both
//! builds' engines have simd128.
//!
//! A local that may be read before it is assigned (the definite-assignment analysis of
//! `check` cannot prove otherwise) gets a flag, so the read raises the executor's
//! RuntimeError; the front end assigns every local on every path, so kernels have none.
//!
//! # What is compiled, and what is not yet
//! Compiled: scalar locals of every dtype, arrays of any rank passed as arguments (and
//! locals holding them), `Const`, `Local`, `Cast`, every `Unary` and `Binary` operation
//! (arithmetic, comparisons, bit operations, `maximum`/`minimum`/`fmax`/`fmin`, `abs`,
//! `negative`, `sign`, `square`, `reciprocal`, `sqrt`, `copysign`,
//! `floor`/`ceil`/`trunc`/`rint`, the predicates (`isnan`, ...), and through the engine's
//! vmath the transcendentals and float `//`, `%`, `**`, `fmod`, `arctan2`, `hypot`,
//! `nextafter`), `PyDiv` (ZeroDivisionError and Numba's integer power), `Cond`, `Load`,
//! `Store`, `Dim`, `If`, `For` (any step; 0 is a ValueError), `While`, `Break`,
//! `Continue`, `Return`, `Raise`, `Eval` and `Call` between the program's functions;
//! tuples (`Tuple`, `TupleGet`, tuple locals, parameters, results and `Cond`) and lists
//! (`NewList`, `Append`, `ListLen`, `ListGet` with Python's IndexError); views
//! (`View`, `Transpose`, `Reshape`: a new descriptor over the same data; a `View` that an
//! operation only reads, as the operand of a reduction, `Load`, `Dim` or `Size`, has its
//! fields computed into wasm locals instead, with the same checks and errors and no
//! descriptor, so `a[i:i + w].mean()` in a loop allocates nothing) and the
//! intrinsics that make arrays (`Zeros`, `Full`, `Copy`, `Astype`, `Map1`, `Map2`,
//! `Where`, `Dot`, `Arange`, `Linspace`, `FromList`, `Stack`, `CumSum`, `CumProd`: one
//! allocation from the engine's allocator, descriptor then data, C-contiguous) or reduce
//! them (`Size`, `Reduce`, `Mean`, `ArgMin`, `ArgMax`, `ReduceAxis`), and `Assign`, all
//! as loops in the generated code (`func/intrinsic.rs` says which errors limit their rank).
//!
//! [`Unsupported`], so that the engine runs the program on the reference executor:
//! arrays made with more dimensions than their errors can report;
//! `None` parameters; recursion; programs nested deeper than [`MAX_NESTING`]
//! levels (the executor's stack budget is where its own recursion limit lies, so a
//! compiled program must stay far from it to behave the same); functions too large for
//! V8 (over 50000 locals or 600000 instructions); and programs that break the IR's typing
//! rules (a front-end bug the executor reports as an internal error).
//!
//! # Later
//! Bounds checks are made on every access; hoisting them out of loops whose range proves
//! them, keeping C strides as constants, and `prange` loops split into chunk calls on the
//! pool are the next steps.

mod check;
mod code;
mod func;
mod scalar;
mod text;
pub mod vmath;

/// How a parallel loop's trip count is split into chunks (hosts run [`PARALLEL_FOR_IMPORT`]
/// with it).
pub use crate::kir::parallel::chunk_plan;
pub use text::to_text;
pub use vmath::{VMATH_IMPORTS, VMATH_MODULE, VMATH_PREFIX, VmathImport, VmathOp};

use std::fmt;

use wasm_encoder::{
    CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, FunctionSection, GlobalSection,
    GlobalType, ImportSection, MemoryType, ValType,
};

use crate::kir::exec::RunError;
use crate::kir::{Program, RaiseKind, Ty};
use crate::syntax::Span;
use crate::types::{DType, Scalar};

/// How deeply a program may nest, summed along its deepest chain of calls: each call
/// counts [`CALL_COST`] levels, each statement body and each expression level one. The
/// executor recurses through all of these on the native stack and raises `maximum
/// recursion depth exceeded` where its budget runs out; a program under this bound is far
/// from that point, so both tiers run it the same. Kernels written by people nest a few
/// dozen levels.
pub const MAX_NESTING: usize = 256;

/// The levels of [`MAX_NESTING`] one call counts: a call frame of the executor uses about
/// three times the stack of one level of expression.
pub const CALL_COST: usize = 3;

/// The name of the exported global that holds the error site plus one (0: no error).
pub const ERROR_GLOBAL: &str = "error";
/// The exported global with an IndexError's index as written.
pub const ERROR_A_GLOBAL: &str = "error_a";
/// The exported global with an IndexError's axis extent.
pub const ERROR_B_GLOBAL: &str = "error_b";

/// The engine's allocator, imported from [`VMATH_MODULE`] by modules that make arrays or
/// lists: `(size: i32, align: i32) -> i32`, zeroed memory that the engine frees when the
/// call ends, 0 when the memory is exhausted (the site raises MemoryError).
pub const ALLOC_IMPORT: &str = "nw_kernel_alloc";

/// A flag of the allocator's `align` argument: the block need not be zeroed (a list's
/// block of elements, read only up to its length).
pub const ALLOC_UNZEROED: i32 = 0x100;

/// The engine's parallel loop runner, imported from [`VMATH_MODULE`] by modules with
/// parallel loops: `(function: i32, env: i32, cost_ns: f64, flags: i32) -> i32`. It reads
/// the trip count from the loop's [`ParEnv`], splits it with `kir::parallel::chunk_plan`
/// (writing the chunk length into the env), calls the export [`chunk_export`]`(function)`
/// as `(env, chunk, 1)` once per chunk, on as many pool threads as it decides (each with
/// its own instance of this module, over the same memory), and returns the number of
/// chunks, or -1 when it could not run them (the loop raises RuntimeError). What a chunk
/// allocates is freed when it returns, unless `flags` has [`PAR_KEEP`]. With
/// [`PAR_MERGE`] the runner may run `n` consecutive chunks as one call `(env, chunk, n)`.
pub const PARALLEL_FOR_IMPORT: &str = "nw_parallel_for";

/// A flag of [`PARALLEL_FOR_IMPORT`]: a loop whose partials are arrays, which the chunks
/// allocate and the caller combines after every chunk has run: what chunks allocate stays
/// until the call ends.
pub const PAR_KEEP: i32 = 1;

/// A flag of [`PARALLEL_FOR_IMPORT`]: consecutive chunks may run as one call (see
/// `kir::parallel::chunks_merge`), which saves the runner a call per chunk where a
/// chunk is a few microseconds of work.
pub const PAR_MERGE: i32 = 2;

/// The engine's block form of its vmath functions, imported from [`VMATH_MODULE`] by
/// loops that run their calls over strips of elements (`func/simd.rs`): `(code: i32, a:
/// i32, b: i32, k: f64, out: i32, n: i32)`, `out[i] = op(a[i])` (`op(a[i], b[i])`,
/// `a[i] ** k`) for `n` float64 elements, a multiple of 2, at byte addresses `a`, `b`,
/// `out` (`out` may be `a`), `op` the operation of `VMATH_IMPORTS[code]`; every vector
/// of two as the lane function computes it ([`vmath::block_f64`]). `nw_vblock_f32` takes
/// float32 elements (a multiple of 4) and an f32 `k`.
pub const BLOCK_IMPORT_F64: &str = "nw_vblock_f64";
pub const BLOCK_IMPORT_F32: &str = "nw_vblock_f32";

/// Scratch memory of the calling thread for those strips: `(bytes: i32) -> i32`, the
/// address of at least `bytes` bytes aligned to 16, the thread's own until its next
/// call; 0 when the memory is exhausted.
pub const SCRATCH_IMPORT: &str = "nw_vscratch";

/// The engine's release of one allocation of [`ALLOC_IMPORT`]: `(address: i32)`.
pub const FREE_IMPORT: &str = "nw_kernel_free";

/// The export that runs chunks of the parallel loop whose chunk function is the program's
/// function `function`: `(env: i32, chunk: i32, count: i32) -> ()` runs chunks `chunk ..
/// chunk + count` as one call, recording its outcome in chunk `chunk`'s record.
#[must_use]
pub fn chunk_export(function: usize) -> String {
    format!("chunk{function}")
}

/// The memory a parallel loop shares with its chunks, 8-byte aligned, in 8-byte slots:
/// the trip count (written by the loop), the chunk length (written by the runner), the
/// range's start and step (`i64`), the captured values (one slot per wasm value, as in
/// [`Block`]), then [`kir::parallel::MAX_CHUNKS`](crate::kir::parallel::MAX_CHUNKS)
/// records, one per chunk: the chunk's error code and two error values (as the error
/// globals after its call) and its partials' wasm values.
pub struct ParEnv;

impl ParEnv {
    pub const TRIPS: u64 = 0;
    pub const CHUNK: u64 = 8;
    pub const START: u64 = 16;
    pub const STEP: u64 = 24;
    /// Slots before the captures.
    pub const HEADER: u64 = 4;

    /// The byte offset of capture value `k`.
    #[must_use]
    pub fn capture(k: usize) -> u64 {
        8 * (Self::HEADER + k as u64)
    }

    /// The byte offset of the first record, for `captures` capture values.
    #[must_use]
    pub fn records(captures: usize) -> u64 {
        8 * (Self::HEADER + captures as u64)
    }

    /// The byte offset of partial value `k` in a record (after the error's three slots).
    #[must_use]
    pub fn result(k: usize) -> u64 {
        8 * (3 + k as u64)
    }

    /// A record's size in bytes, for `partials` partial values.
    #[must_use]
    pub fn record(partials: usize) -> u64 {
        8 * (3 + partials as u64)
    }

    /// The env's size in bytes.
    #[must_use]
    pub fn size(captures: usize, partials: usize) -> u64 {
        Self::records(captures) + crate::kir::parallel::MAX_CHUNKS * Self::record(partials)
    }
}

/// The name of the exported trampoline that calls the entry with its arguments read from
/// a block in memory and stores its result and error there (see [`Block`]).
pub const RUN_EXPORT: &str = "run";

/// The layout of the block that [`RUN_EXPORT`] takes, 8-byte aligned, in 8-byte slots:
/// a header of [`Block::HEADER`] slots (the error code, the error's two values), one slot
/// per parameter of the entry, then one per wasm value of its result (a tuple's items in
/// order, none for None). Each slot holds its wasm value in the low bytes
/// (little-endian, as [`to_wasm`] gives it; an array is its descriptor's address, a list
/// its header's). The trampoline resets the error global to 0 after copying it, so every
/// call starts clean. One `i32` argument makes the call the same for every signature,
/// which is what lets a host call any kernel without knowing its types.
pub struct Block;

impl Block {
    /// The header's slots: error code (`i32`), `error_a`, `error_b`.
    pub const HEADER: usize = 3;
    pub const ERROR: u64 = 0;
    pub const ERROR_A: u64 = 8;
    pub const ERROR_B: u64 = 16;

    /// The byte offset of parameter `i`'s slot.
    #[must_use]
    pub fn param(i: usize) -> u64 {
        8 * (Self::HEADER + i) as u64
    }

    /// The byte offset of result value `k`'s slot, for an entry of `n` parameters.
    #[must_use]
    pub fn result(n: usize, k: usize) -> u64 {
        8 * (Self::HEADER + n + k) as u64
    }

    /// The block's size in slots for an entry of `n` parameters and `results` result
    /// values.
    #[must_use]
    pub fn slots(n: usize, results: usize) -> usize {
        Self::HEADER + n + results
    }
}

/// The chunk functions of the program's parallel loops, in function order, with their
/// wasm parameters and results.
fn chunk_functions(
    program: &Program,
    signatures: &[(Vec<ValType>, Vec<ValType>)],
) -> Vec<(usize, Vec<ValType>, Vec<ValType>)> {
    let mut found = std::collections::BTreeSet::new();
    for f in &program.functions {
        crate::kir::parallel::each_stmt(&f.body, &mut |st| {
            if let crate::kir::Stmt::ParFor(p) = st
                && let crate::kir::Expr::Call(id, _) = f.get(p.call)
            {
                found.insert(id.index());
            }
        });
    }
    found
        .into_iter()
        .filter_map(|i| {
            let (params, results) = signatures.get(i)?;
            Some((i, params.clone(), results.clone()))
        })
        .collect()
}

/// A chunk trampoline `(env, chunk, count)`: computes the iterations of chunks `chunk ..
/// chunk + count` from the trip count and chunk length in the env, calls the chunk
/// function `function` with the captures, start and step from the env and those bounds,
/// and stores its partials and the error globals in chunk `chunk`'s record (see
/// [`ParEnv`]), clearing the error.
fn chunk_trampoline(
    function: usize,
    params: &[ValType],
    results: &[ValType],
    imports: u32,
) -> wasm_encoder::Function {
    use wasm_encoder::Instruction as I;
    let (env, chunk, count) = (0, 1, 2);
    let mut c = code::Code::new(vec![ValType::I32, ValType::I32, ValType::I32]);
    let mem = func::memarg;
    let captures = params.len().saturating_sub(4);
    let rec = c.local(ValType::I32);
    let lo = c.local(ValType::I64);
    // rec = env + records(captures) + chunk * record(partials)
    c.push(I::LocalGet(env));
    c.push(I::I32Const(ParEnv::records(captures) as i32));
    c.push(I::I32Add);
    c.push(I::LocalGet(chunk));
    c.push(I::I32Const(ParEnv::record(results.len()) as i32));
    c.push(I::I32Mul);
    c.push(I::I32Add);
    c.push(I::LocalSet(rec));
    for (k, t) in params.iter().take(captures).enumerate() {
        c.push(I::LocalGet(env));
        c.push(load_slot(*t, ParEnv::capture(k)));
    }
    for at in [ParEnv::START, ParEnv::STEP] {
        c.push(I::LocalGet(env));
        c.push(I::I64Load(mem(at, 3)));
    }
    // lo = chunk * length; hi = min(lo + count * length, trips)
    c.push(I::LocalGet(chunk));
    c.push(I::I64ExtendI32U);
    c.push(I::LocalGet(env));
    c.push(I::I64Load(mem(ParEnv::CHUNK, 3)));
    c.push(I::I64Mul);
    c.push(I::LocalTee(lo));
    c.push(I::LocalGet(lo));
    c.push(I::LocalGet(count));
    c.push(I::I64ExtendI32U);
    c.push(I::LocalGet(env));
    c.push(I::I64Load(mem(ParEnv::CHUNK, 3)));
    c.push(I::I64Mul);
    c.push(I::I64Add);
    c.push(I::LocalGet(env));
    c.push(I::I64Load(mem(ParEnv::TRIPS, 3)));
    let (a, b) = (c.local(ValType::I64), c.local(ValType::I64));
    c.push(I::LocalSet(b));
    c.push(I::LocalTee(a));
    c.push(I::LocalGet(b));
    c.push(I::LocalGet(a));
    c.push(I::LocalGet(b));
    c.push(I::I64LtU);
    c.push(I::Select);
    c.call(code::Callee::Defined(function as u32));
    store_outcome(&mut c, rec, results, |k| ParEnv::result(k));
    c.finish(imports)
}

/// Stores the results of the call just made (on the stack, the last on top) at
/// `base + result_at(k)` and the error globals in the three slots at `base` (the error
/// code, `error_a`, `error_b`: a [`Block`]'s header and a [`ParEnv`] record's), then
/// clears the error, so that every call starts clean.
fn store_outcome(
    c: &mut code::Code,
    base: u32,
    results: &[ValType],
    result_at: impl Fn(usize) -> u64,
) {
    use wasm_encoder::Instruction as I;
    let locals: Vec<(u32, ValType)> = results.iter().map(|&t| (c.local(t), t)).collect();
    for &(r, _) in locals.iter().rev() {
        c.push(I::LocalSet(r));
    }
    for (k, &(r, t)) in locals.iter().enumerate() {
        c.push(I::LocalGet(base));
        c.push(I::LocalGet(r));
        c.push(store_slot(t, result_at(k)));
    }
    for (g, at, t) in [
        (code::ERROR, Block::ERROR, ValType::I32),
        (code::ERROR_A, Block::ERROR_A, ValType::I64),
        (code::ERROR_B, Block::ERROR_B, ValType::I64),
    ] {
        c.push(I::LocalGet(base));
        c.push(I::GlobalGet(g));
        c.push(store_slot(t, at));
    }
    c.push(I::I32Const(0));
    c.push(I::GlobalSet(code::ERROR));
}

/// Loads a wasm value of type `t` from the slot at offset `at` of the address on the
/// stack.
pub(super) fn load_slot(t: ValType, at: u64) -> wasm_encoder::Instruction<'static> {
    use wasm_encoder::Instruction as I;
    let mem = func::memarg;
    match t {
        ValType::I64 => I::I64Load(mem(at, 3)),
        ValType::F32 => I::F32Load(mem(at, 2)),
        ValType::F64 => I::F64Load(mem(at, 3)),
        _ => I::I32Load(mem(at, 2)),
    }
}

/// Stores the wasm value of type `t` on the stack into the slot at offset `at` of the
/// address below it.
pub(super) fn store_slot(t: ValType, at: u64) -> wasm_encoder::Instruction<'static> {
    use wasm_encoder::Instruction as I;
    let mem = func::memarg;
    match t {
        ValType::I64 => I::I64Store(mem(at, 3)),
        ValType::F32 => I::F32Store(mem(at, 2)),
        ValType::F64 => I::F64Store(mem(at, 3)),
        _ => I::I32Store(mem(at, 2)),
    }
}

/// The trampoline's body: loads the entry's parameters from the block, calls it (the
/// first defined function), stores the result values and the error globals, and clears
/// the error.
fn trampoline(params: &[ValType], results: &[ValType], imports: u32) -> wasm_encoder::Function {
    use wasm_encoder::Instruction as I;
    let block = 0;
    let mut c = code::Code::new(vec![ValType::I32]);
    for (i, &t) in params.iter().enumerate() {
        c.push(I::LocalGet(block));
        c.push(load_slot(t, Block::param(i)));
    }
    c.call(code::Callee::Defined(0));
    store_outcome(&mut c, block, results, |k| Block::result(params.len(), k));
    c.finish(imports)
}

/// The maximum of the shared memory the module imports, in 64 KiB pages: 4 GiB, the
/// threads build's `--max-memory`.
pub const SHARED_MAX_PAGES: u64 = 65536;

/// How to build the module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Import a shared memory (the threads build) rather than a plain one (the simd
    /// build, whose memory is not shared).
    pub shared_memory: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            shared_memory: true,
        }
    }
}

/// A compiled program: the module's bytes, its functions' ABI and its error sites.
#[derive(Debug, Clone, PartialEq)]
pub struct Module {
    pub bytes: Vec<u8>,
    /// One per kir function, in the program's order (the entry first).
    pub functions: Vec<FunctionAbi>,
    /// What each error code means: code `k` (the global `error`) is `sites[k - 1]`.
    pub sites: Vec<ErrorSite>,
    /// Whether the imported memory is shared.
    pub shared_memory: bool,
}

/// The signature of one exported function.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionAbi {
    /// The kir function's name (`helper`, `band.inside`).
    pub name: String,
    /// The export's name: `f0`, `f1`, ...
    pub export: String,
    /// The parameters' kir types; a scalar, array or list is one wasm value, a tuple its
    /// items' values ([`val_type`]).
    pub params: Vec<Ty>,
    /// The result's kir type (`Ty::None`: no result).
    pub ret: Ty,
}

/// Where a compiled program can raise, and what.
#[derive(Debug, Clone, PartialEq)]
pub struct ErrorSite {
    /// The kir function (its index in the program).
    pub function: usize,
    /// The span of the expression or statement that raises.
    pub span: Span,
    pub error: SiteError,
}

/// The error of a site.
#[derive(Debug, Clone, PartialEq)]
pub enum SiteError {
    /// NumPy's IndexError for an axis; the index (as written) and the extent are in
    /// `error_a` and `error_b`, the index unsigned when its dtype is.
    IndexOutOfBounds { axis: usize, unsigned: bool },
    /// An error whose message is known when compiling.
    Fixed { kind: RaiseKind, message: String },
    /// The executor's MemoryError for a new array of `dtype` and `ndim` dimensions: its
    /// extents in `error_a` and `error_b` (at most two), or when `packed` (extents read
    /// from descriptors, so under 2^32) two to each, the first in the high half (at most
    /// four).
    NoMemory {
        dtype: DType,
        ndim: u8,
        packed: bool,
    },
    /// A ValueError naming the shapes of operands with `ndims` dimensions, their extents
    /// (at most four in all, each under 2^32) two to each of `error_a` and `error_b`, in
    /// order, the first of a pair in the high half.
    Shapes {
        message: ShapesMessage,
        ndims: Vec<u8>,
    },
    /// `reshape`'s ValueError for `ndim` requested extents (at most two): the array's
    /// size in the low half of `error_a`, the first extent in `error_b`, the second as
    /// an `i32` in the high half of `error_a`; -1 is an inferred extent.
    Reshape { ndim: u8 },
    /// The executor's MemoryError for a result of `error_a` elements that does not fit.
    Elements,
}

/// The message of a [`SiteError::Shapes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShapesMessage {
    /// NumPy's broadcast error, naming every operand's shape.
    Broadcast,
    /// A slice assignment's: the source's shape, then the destination's.
    Assign,
    /// `np.dot`'s for operands whose inner extents differ.
    Dot,
}

impl Module {
    /// The executor's error for the values of the globals `error`, `error_a` and
    /// `error_b` after a call, or `None` when `error` is 0 (or names no site).
    #[must_use]
    pub fn error(&self, code: i32, a: i64, b: i64) -> Option<RunError> {
        let site = self
            .sites
            .get(usize::try_from(code).ok()?.checked_sub(1)?)?;
        Some(match &site.error {
            SiteError::IndexOutOfBounds { axis, unsigned } => {
                let index = if *unsigned {
                    i128::from(a as u64)
                } else {
                    i128::from(a)
                };
                RunError::new(
                    RaiseKind::IndexError,
                    format!("index {index} is out of bounds for axis {axis} with size {b}"),
                    site.span,
                )
            }
            SiteError::Fixed { kind, message } => RunError::new(*kind, message.clone(), site.span),
            SiteError::Elements => RunError::new(
                RaiseKind::MemoryError,
                format!("Unable to allocate {} elements", a as u64),
                site.span,
            ),
            SiteError::Reshape { ndim } => {
                let size = a as u64 & 0xffff_ffff;
                let exts = [b, i64::from((a as u64 >> 32) as u32 as i32)];
                let parts: Vec<String> = exts
                    .iter()
                    .take(usize::from(*ndim))
                    .map(|&n| {
                        if n == -1 {
                            "newaxis".to_owned()
                        } else {
                            n.to_string()
                        }
                    })
                    .collect();
                let text = if parts.len() == 1 {
                    format!("({},)", parts[0])
                } else {
                    format!("({})", parts.join(","))
                };
                RunError::new(
                    RaiseKind::ValueError,
                    format!("cannot reshape array of size {size} into shape {text}"),
                    site.span,
                )
            }
            SiteError::Shapes { message, ndims } => {
                let (a, b) = (a as u64, b as u64);
                let words = [a >> 32, a & 0xffff_ffff, b >> 32, b & 0xffff_ffff];
                let mut at = words.iter().map(|&n| n as usize);
                let shapes: Vec<String> = ndims
                    .iter()
                    .map(|&n| {
                        let shape: Vec<usize> = at.by_ref().take(usize::from(n)).collect();
                        crate::types::shape_str(&shape)
                    })
                    .collect();
                let text = match (message, &shapes[..]) {
                    (ShapesMessage::Assign, [src, dst]) => {
                        format!("could not broadcast input array from shape {src} into shape {dst}")
                    }
                    (ShapesMessage::Dot, [x, y]) => {
                        let nx = usize::from(ndims[0]);
                        let ka = words[nx.saturating_sub(1)];
                        let kb = words.get(nx).copied().unwrap_or(0);
                        format!(
                            "shapes {x} and {y} not aligned: {ka} (dim {}) != {kb} (dim 0)",
                            nx.saturating_sub(1)
                        )
                    }
                    _ => format!(
                        "operands could not be broadcast together with shapes {}",
                        shapes.join(" ")
                    ),
                };
                RunError::new(RaiseKind::ValueError, text, site.span)
            }
            SiteError::NoMemory {
                dtype,
                ndim,
                packed,
            } => {
                let words = if *packed {
                    let (a, b) = (a as u64, b as u64);
                    vec![a >> 32, a & 0xffff_ffff, b >> 32, b & 0xffff_ffff]
                } else {
                    vec![a as u64, b as u64]
                };
                let shape: Vec<usize> = words
                    .iter()
                    .take(usize::from(*ndim))
                    .map(|&n| usize::try_from(n).unwrap_or(usize::MAX))
                    .collect();
                RunError::new(
                    RaiseKind::MemoryError,
                    format!(
                        "Unable to allocate an array with shape {} and data type {}",
                        crate::types::shape_str(&shape),
                        dtype.name()
                    ),
                    site.span,
                )
            }
        })
    }
}

/// A construct the compiled tier does not compile (yet): the engine runs the program on
/// the reference executor instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported {
    /// The kir function's name (empty for the program as a whole).
    pub function: String,
    /// Where the construct is (the default span when it has none).
    pub span: Span,
    /// What it is: `exp on float64`, `the intrinsic Zeros`, `recursion`.
    pub construct: String,
}

impl Unsupported {
    pub(crate) fn new(function: &str, span: Span, construct: impl Into<String>) -> Self {
        Unsupported {
            function: function.to_owned(),
            span,
            construct: construct.into(),
        }
    }
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.function.is_empty() {
            write!(f, "not compiled to wasm yet: {}", self.construct)
        } else {
            write!(
                f,
                "not compiled to wasm yet: {} (in {})",
                self.construct, self.function
            )
        }
    }
}

impl std::error::Error for Unsupported {}

/// The wasm type of a scalar dtype's values.
#[must_use]
pub fn val_type(d: DType) -> ValType {
    scalar::val_type(d)
}

/// A wasm value as the ABI passes it (floats by their bits, so NaN payloads survive).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmValue {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
}

/// A scalar as the ABI passes it: narrow integers normalized in an `i32`.
#[must_use]
pub fn to_wasm(s: Scalar) -> WasmValue {
    match s {
        Scalar::Bool(v) => WasmValue::I32(i32::from(v)),
        Scalar::I8(v) => WasmValue::I32(i32::from(v)),
        Scalar::I16(v) => WasmValue::I32(i32::from(v)),
        Scalar::I32(v) => WasmValue::I32(v),
        Scalar::U8(v) => WasmValue::I32(i32::from(v)),
        Scalar::U16(v) => WasmValue::I32(i32::from(v)),
        Scalar::U32(v) => WasmValue::I32(v as i32),
        Scalar::I64(v) => WasmValue::I64(v),
        Scalar::U64(v) => WasmValue::I64(v as i64),
        Scalar::F32(v) => WasmValue::F32(v.to_bits()),
        Scalar::F64(v) => WasmValue::F64(v.to_bits()),
    }
}

/// The scalar of dtype `d` that a wasm value returned by the module holds, or `None`
/// when the value is not of `d`'s wasm type.
#[must_use]
pub fn from_wasm(d: DType, v: WasmValue) -> Option<Scalar> {
    Some(match (d, v) {
        (DType::Bool, WasmValue::I32(x)) => Scalar::Bool(x != 0),
        (DType::I8, WasmValue::I32(x)) => Scalar::I8(x as i8),
        (DType::I16, WasmValue::I32(x)) => Scalar::I16(x as i16),
        (DType::I32, WasmValue::I32(x)) => Scalar::I32(x),
        (DType::U8, WasmValue::I32(x)) => Scalar::U8(x as u8),
        (DType::U16, WasmValue::I32(x)) => Scalar::U16(x as u16),
        (DType::U32, WasmValue::I32(x)) => Scalar::U32(x as u32),
        (DType::I64, WasmValue::I64(x)) => Scalar::I64(x),
        (DType::U64, WasmValue::I64(x)) => Scalar::U64(x as u64),
        (DType::F32, WasmValue::F32(x)) => Scalar::F32(f32::from_bits(x)),
        (DType::F64, WasmValue::F64(x)) => Scalar::F64(f64::from_bits(x)),
        _ => return None,
    })
}

/// Compiles a program for the threads build (a shared memory); see [`compile_with`].
pub fn compile(program: &Program) -> Result<Module, Unsupported> {
    compile_with(program, Options::default())
}

/// Compiles every function of `program` into one module, or says which construct is not
/// compiled yet.
pub fn compile_with(program: &Program, options: Options) -> Result<Module, Unsupported> {
    let facts = check::program(program)?;
    let mut sites = Vec::new();
    // Each function that returns a value raises "returns none" if it falls off its end;
    // callers turn that into their call's site, as the executor reports it there.
    let fell_off: Vec<Option<u32>> = program
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| {
            (f.ret != Ty::None).then(|| {
                sites.push(ErrorSite {
                    function: i,
                    span: Span::default(),
                    error: func::returns_none(f),
                });
                sites.len() as u32
            })
        })
        .collect();
    let mut helpers = code::Helpers::new(program.functions.len() as u32);
    let mut bodies = Vec::with_capacity(program.functions.len());
    for i in 0..program.functions.len() {
        let ctx = func::Context {
            program,
            index: i,
            facts: &facts.functions[i],
            fell_off: &fell_off,
        };
        bodies.push(func::compile(&ctx, &mut sites, &mut helpers)?);
    }
    let bytes = assemble(program, options, bodies, &helpers);
    let functions = program
        .functions
        .iter()
        .enumerate()
        .map(|(i, f)| FunctionAbi {
            name: f.name.clone(),
            export: format!("f{i}"),
            params: f.params().map(|p| f.local_decl(p).ty.clone()).collect(),
            ret: f.ret.clone(),
        })
        .collect();
    Ok(Module {
        bytes,
        functions,
        sites,
        shared_memory: options.shared_memory,
    })
}

/// The module's sections: types, the imports (the memory, then the vmath functions in
/// use), functions, the error globals, exports and code. Function indices count the
/// imported functions first, then the program's functions, the helpers and the
/// trampoline.
fn assemble(
    program: &Program,
    options: Options,
    bodies: Vec<func::Compiled>,
    helpers: &code::Helpers,
) -> Vec<u8> {
    let mut types = code::Types::default();
    let mut functions = FunctionSection::new();
    let mut code = CodeSection::new();
    let mut imports = ImportSection::new();
    imports.import(
        "env",
        "memory",
        EntityType::Memory(MemoryType {
            minimum: 1,
            maximum: options.shared_memory.then_some(SHARED_MAX_PAGES),
            memory64: false,
            shared: options.shared_memory,
            page_size_log2: None,
        }),
    );
    let mut imported = 0;
    for f in helpers.imports() {
        let (name, params, results) = f.describe();
        imports.import(
            VMATH_MODULE,
            name,
            EntityType::Function(types.index(&params, &results)),
        );
        imported += 1;
    }

    let bodies_len = bodies.len();
    let signatures: Vec<(Vec<ValType>, Vec<ValType>)> = bodies
        .iter()
        .map(|b| (b.params.clone(), b.results.clone()))
        .collect();
    let chunks = chunk_functions(program, &signatures);
    let entry_params = bodies.first().map(|b| b.params.clone()).unwrap_or_default();
    let entry_results = bodies
        .first()
        .map(|b| b.results.clone())
        .unwrap_or_default();
    for body in &bodies {
        functions.function(types.index(&body.params, &body.results));
    }
    for (params, results) in helpers.signatures() {
        functions.function(types.index(&params, &results));
    }
    for body in bodies {
        code.function(&body.code.finish(imported));
    }
    for f in helpers.bodies() {
        code.function(&f.finish(imported));
    }

    let mut globals = GlobalSection::new();
    let global = |val_type| GlobalType {
        val_type,
        mutable: true,
        shared: false,
    };
    globals.global(global(ValType::I32), &ConstExpr::i32_const(0));
    globals.global(global(ValType::I64), &ConstExpr::i64_const(0));
    globals.global(global(ValType::I64), &ConstExpr::i64_const(0));

    // The entry's trampoline comes after the program's functions and the helpers, then
    // the chunk trampolines of the parallel loops.
    let run = imported + (bodies_len + helpers.signatures().len()) as u32;
    functions.function(types.index(&[ValType::I32], &[]));
    code.function(&trampoline(&entry_params, &entry_results, imported));
    for &(fi, ref params, ref results) in &chunks {
        functions.function(types.index(&[ValType::I32, ValType::I32, ValType::I32], &[]));
        code.function(&chunk_trampoline(fi, params, results, imported));
    }

    let mut exports = ExportSection::new();
    for i in 0..program.functions.len() {
        exports.export(&format!("f{i}"), ExportKind::Func, imported + i as u32);
    }
    exports.export(RUN_EXPORT, ExportKind::Func, run);
    for (k, &(fi, ..)) in chunks.iter().enumerate() {
        exports.export(&chunk_export(fi), ExportKind::Func, run + 1 + k as u32);
    }
    exports.export(ERROR_GLOBAL, ExportKind::Global, code::ERROR);
    exports.export(ERROR_A_GLOBAL, ExportKind::Global, code::ERROR_A);
    exports.export(ERROR_B_GLOBAL, ExportKind::Global, code::ERROR_B);

    let mut module = wasm_encoder::Module::new();
    module
        .section(&types.section())
        .section(&imports)
        .section(&functions)
        .section(&globals)
        .section(&exports)
        .section(&code);
    module.finish()
}
