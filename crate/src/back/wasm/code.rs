//! The pieces a function's code is built from: an instruction buffer that allocates wasm
//! locals and temporaries and counts open blocks (so branches name their targets by
//! level, not by hand-counted depth), the deduplicated function types, and the functions
//! the code calls besides the program's own (the vmath imports and the integer-power
//! helpers).

use wasm_encoder::{BlockType, Function, Instruction, TypeSection, ValType};

use super::vmath::{self, VMATH_IMPORTS, VmathOp};
use crate::types::DType;

/// The globals of every module, by index: the error site plus one, and the two values
/// an IndexError reports.
pub(super) const ERROR: u32 = 0;
pub(super) const ERROR_A: u32 = 1;
pub(super) const ERROR_B: u32 = 2;

/// What a `call` calls. Imported functions come first in wasm's function index space,
/// and how many a module imports is known only once every function is compiled, so a
/// call of a function the module defines (the program's, a helper, the trampoline's call
/// of the entry) is numbered without the imports and offset when the code is finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Callee {
    /// A defined function: `0..` for the program's functions, then the helpers.
    Defined(u32),
    /// An import, by its final index.
    Import(u32),
}

/// One function's instructions and locals.
pub(super) struct Code {
    pub ins: Vec<Instruction<'static>>,
    /// The positions in `ins` of the calls of defined functions.
    defined_calls: Vec<usize>,
    params: Vec<ValType>,
    locals: Vec<ValType>,
    /// Free temporaries by type (`i32`, `i64`, `f32`, `f64`, `v128`).
    free: [Vec<u32>; 5],
    /// How many blocks (`block`, `loop`, `if`) are open.
    depth: u32,
}

fn slot(t: ValType) -> usize {
    match t {
        ValType::I64 => 1,
        ValType::F32 => 2,
        ValType::F64 => 3,
        ValType::V128 => 4,
        _ => 0,
    }
}

/// The level of an open block, for [`Code::br`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Label(u32);

impl Code {
    pub fn new(params: Vec<ValType>) -> Self {
        Code {
            ins: Vec::new(),
            defined_calls: Vec::new(),
            params,
            locals: Vec::new(),
            free: Default::default(),
            depth: 0,
        }
    }

    pub fn push(&mut self, i: Instruction<'static>) {
        self.ins.push(i);
    }

    /// A new wasm local of type `t` for the whole function.
    pub fn local(&mut self, t: ValType) -> u32 {
        self.locals.push(t);
        (self.params.len() + self.locals.len() - 1) as u32
    }

    /// A temporary of type `t`, to give back with [`Code::release`] once its value is
    /// dead. Temporaries are reused, so a function needs as many as are live at once.
    pub fn temp(&mut self, t: ValType) -> u32 {
        match self.free[slot(t)].pop() {
            Some(i) => i,
            None => self.local(t),
        }
    }

    pub fn release(&mut self, t: ValType, i: u32) {
        self.free[slot(t)].push(i);
    }

    /// Opens a `block`, returning its label.
    pub fn block(&mut self, bt: BlockType) -> Label {
        self.push(Instruction::Block(bt));
        self.depth += 1;
        Label(self.depth)
    }

    /// Opens a `loop`; a branch to its label goes back to its start.
    pub fn loop_(&mut self, bt: BlockType) -> Label {
        self.push(Instruction::Loop(bt));
        self.depth += 1;
        Label(self.depth)
    }

    /// Opens an `if` on the `i32` on the stack.
    pub fn if_(&mut self, bt: BlockType) -> Label {
        self.push(Instruction::If(bt));
        self.depth += 1;
        Label(self.depth)
    }

    pub fn else_(&mut self) {
        self.push(Instruction::Else);
    }

    /// Closes the innermost open block.
    pub fn end(&mut self) {
        self.push(Instruction::End);
        self.depth = self.depth.saturating_sub(1);
    }

    /// Branches to an open block's label.
    pub fn br(&mut self, to: Label) {
        self.push(Instruction::Br(self.depth - to.0));
    }

    /// Branches to an open block's label if the `i32` on the stack is not zero.
    pub fn br_if(&mut self, to: Label) {
        self.push(Instruction::BrIf(self.depth - to.0));
    }

    /// How many wasm locals the function declares (parameters included), and how many
    /// instructions it has so far.
    pub fn size(&self) -> (usize, usize) {
        (self.params.len() + self.locals.len(), self.ins.len())
    }

    /// Calls a function.
    pub fn call(&mut self, f: Callee) {
        match f {
            Callee::Defined(i) => {
                self.defined_calls.push(self.ins.len());
                self.push(Instruction::Call(i));
            }
            Callee::Import(i) => self.push(Instruction::Call(i)),
        }
    }

    /// The encoded function (the closing `end` of the body included), in a module that
    /// imports `imports` functions.
    pub fn finish(mut self, imports: u32) -> Function {
        for &at in &self.defined_calls {
            if let Instruction::Call(i) = &mut self.ins[at] {
                *i += imports;
            }
        }
        self.push(Instruction::End);
        let mut f = Function::new(self.locals.iter().map(|&t| (1, t)).collect::<Vec<_>>());
        for i in &self.ins {
            f.instruction(i);
        }
        f
    }
}

/// The function types of a module, each once.
#[derive(Default)]
pub(super) struct Types {
    list: Vec<(Vec<ValType>, Vec<ValType>)>,
}

impl Types {
    pub fn index(&mut self, params: &[ValType], results: &[ValType]) -> u32 {
        if let Some(i) = self
            .list
            .iter()
            .position(|(p, r)| p == params && r == results)
        {
            return i as u32;
        }
        self.list.push((params.to_vec(), results.to_vec()));
        (self.list.len() - 1) as u32
    }

    pub fn section(&self) -> TypeSection {
        let mut s = TypeSection::new();
        for (p, r) in &self.list {
            s.ty().function(p.iter().copied(), r.iter().copied());
        }
        s
    }
}

/// The functions the generated code calls besides the program's: the vmath functions
/// it imports, numbered from 0 in the order first used, and the internal integer power in
/// `i32` and `i64`, defined after the program's functions in the order first used.
pub(super) struct Helpers {
    first: u32,
    /// The helpers in use, by kind (`true`: the `i64` one).
    used: Vec<bool>,
    /// The imports in use, in function index order.
    imports: Vec<Import>,
}

/// A function the module imports from [`super::VMATH_MODULE`] (the engine's exports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Import {
    /// A vmath function, by position in [`VMATH_IMPORTS`].
    Vmath(usize),
    /// The engine's allocator, [`super::ALLOC_IMPORT`]: `(size: i32, align: i32) -> i32`,
    /// zeroed memory owned by the call, 0 when the memory is exhausted.
    Alloc,
    /// The engine's parallel loop runner, [`super::PARALLEL_FOR_IMPORT`]:
    /// `(function: i32, env: i32, cost_ns: f64, keep: i32) -> i32`, the number of chunks run (see
    /// [`super::ParEnv`]), or -1 when the pool could not run them.
    ParallelFor,
    /// The engine's release of one allocation, [`super::FREE_IMPORT`]: `(address: i32)`.
    Free,
    /// The engine's block vmath, [`super::BLOCK_IMPORT_F64`] (`true`) or
    /// [`super::BLOCK_IMPORT_F32`].
    Block(bool),
    /// The calling thread's scratch memory, [`super::SCRATCH_IMPORT`].
    Scratch,
}

impl Import {
    /// The field name and the signature.
    pub fn describe(self) -> (&'static str, Vec<ValType>, Vec<ValType>) {
        match self {
            Import::Vmath(k) => {
                let f = &VMATH_IMPORTS[k];
                let (p, r) = f.signature();
                (f.name, p, r)
            }
            Import::Alloc => (
                super::ALLOC_IMPORT,
                vec![ValType::I32, ValType::I32],
                vec![ValType::I32],
            ),
            Import::ParallelFor => (
                super::PARALLEL_FOR_IMPORT,
                vec![ValType::I32, ValType::I32, ValType::F64, ValType::I32],
                vec![ValType::I32],
            ),
            Import::Free => (super::FREE_IMPORT, vec![ValType::I32], vec![]),
            Import::Block(wide) => {
                let (name, k) = if wide {
                    (super::BLOCK_IMPORT_F64, ValType::F64)
                } else {
                    (super::BLOCK_IMPORT_F32, ValType::F32)
                };
                let i = ValType::I32;
                (name, vec![i, i, i, k, i, i], vec![])
            }
            Import::Scratch => (
                super::SCRATCH_IMPORT,
                vec![ValType::I32],
                vec![ValType::I32],
            ),
        }
    }
}

impl Helpers {
    pub fn new(first: u32) -> Self {
        Helpers {
            first,
            used: Vec::new(),
            imports: Vec::new(),
        }
    }

    /// The imported function that computes `op` in dtype `d`, or `None` when there is
    /// none (the generated code computes `op` itself, or nothing does).
    pub fn vmath(&mut self, op: VmathOp, d: DType) -> Option<Callee> {
        let k = vmath::find(op, d)?;
        Some(self.import(Import::Vmath(k)))
    }

    /// The imported lane function that computes `op` on a `v128` of dtype `d`, or `None`
    /// when there is none.
    pub fn vmath_lanes(&mut self, op: VmathOp, d: DType) -> Option<Callee> {
        let k = vmath::find_lanes(op, d)?;
        Some(self.import(Import::Vmath(k)))
    }

    /// The engine's allocator (see [`Import::Alloc`]).
    pub fn alloc(&mut self) -> Callee {
        self.import(Import::Alloc)
    }

    /// The engine's parallel loop runner (see [`Import::ParallelFor`]).
    pub fn parallel_for(&mut self) -> Callee {
        self.import(Import::ParallelFor)
    }

    /// The engine's release of one allocation (see [`Import::Free`]).
    pub fn free(&mut self) -> Callee {
        self.import(Import::Free)
    }

    /// The engine's block vmath for dtype `d` (see [`Import::Block`]).
    pub fn vmath_block(&mut self, d: DType) -> Callee {
        self.import(Import::Block(d == DType::F64))
    }

    /// The calling thread's scratch memory (see [`Import::Scratch`]).
    pub fn scratch(&mut self) -> Callee {
        self.import(Import::Scratch)
    }

    fn import(&mut self, f: Import) -> Callee {
        let at = self
            .imports
            .iter()
            .position(|&i| i == f)
            .unwrap_or_else(|| {
                self.imports.push(f);
                self.imports.len() - 1
            });
        Callee::Import(at as u32)
    }

    /// The imports in use, in function index order.
    pub fn imports(&self) -> impl Iterator<Item = Import> + '_ {
        self.imports.iter().copied()
    }

    /// The function index of `base ** exp` in `i32` (or `i64` when `wide`), the exponent
    /// taken as unsigned, wrapping: square and multiply, as `types::elem` computes it.
    pub fn pow(&mut self, wide: bool) -> Callee {
        let at = self
            .used
            .iter()
            .position(|&w| w == wide)
            .unwrap_or_else(|| {
                self.used.push(wide);
                self.used.len() - 1
            });
        Callee::Defined(self.first + at as u32)
    }

    pub fn signatures(&self) -> Vec<(Vec<ValType>, Vec<ValType>)> {
        self.used
            .iter()
            .map(|&wide| {
                let t = if wide { ValType::I64 } else { ValType::I32 };
                (vec![t, t], vec![t])
            })
            .collect()
    }

    pub fn bodies(&self) -> Vec<Code> {
        self.used.iter().map(|&wide| pow_body(wide)).collect()
    }
}

/// `acc = 1; while e != 0 { if e & 1 { acc *= base } base *= base; e >>= 1 }`, with
/// wrapping multiplication and a logical shift (the exponent is unsigned).
fn pow_body(wide: bool) -> Code {
    use Instruction as I;
    let t = if wide { ValType::I64 } else { ValType::I32 };
    let mut c = Code::new(vec![t, t]);
    let (base, e) = (0, 1);
    let acc = c.local(t);
    let one = if wide { I::I64Const(1) } else { I::I32Const(1) };
    c.push(one.clone());
    c.push(I::LocalSet(acc));
    let exit = c.block(BlockType::Empty);
    let head = c.loop_(BlockType::Empty);
    c.push(I::LocalGet(e));
    c.push(if wide { I::I64Eqz } else { I::I32Eqz });
    c.br_if(exit);
    c.push(I::LocalGet(e));
    c.push(one.clone());
    c.push(if wide { I::I64And } else { I::I32And });
    if wide {
        c.push(I::I32WrapI64);
    }
    c.if_(BlockType::Empty);
    c.push(I::LocalGet(acc));
    c.push(I::LocalGet(base));
    c.push(if wide { I::I64Mul } else { I::I32Mul });
    c.push(I::LocalSet(acc));
    c.end();
    c.push(I::LocalGet(base));
    c.push(I::LocalGet(base));
    c.push(if wide { I::I64Mul } else { I::I32Mul });
    c.push(I::LocalSet(base));
    c.push(I::LocalGet(e));
    c.push(one);
    c.push(if wide { I::I64ShrU } else { I::I32ShrU });
    c.push(I::LocalSet(e));
    c.br(head);
    c.end();
    c.end();
    c.push(I::LocalGet(acc));
    c
}
