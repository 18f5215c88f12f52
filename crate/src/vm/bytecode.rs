//! The bytecode: a program is a list of steps; a loop step runs a straight-line list of
//! typed block instructions over every block of its iteration space.

use std::fmt::{self, Write as _};

use crate::syntax::Span;
use crate::types::{BinaryOp, DType, ReduceOp, Scalar, Shape, UnaryOp, type_str};

/// Elements per block: a block of every register of a loop stays in L1 (512 float64 are
/// 4 KiB per register).
pub const BLOCK: usize = 512;
/// Elements per scheduling chunk. Fixed, so reductions combine the same partials in the
/// same order for any thread count.
pub const CHUNK: usize = 32 * BLOCK;
/// Elements per scheduling chunk of a costly loop that stores element-wise results (any
/// chunking gives the same bits): short enough that a pool thread that starts late still
/// finds chunks left, long enough that claiming one costs nothing next to running it.
pub const STORE_CHUNK: usize = 8 * BLOCK;

/// A block register (`r3`): BLOCK elements of any dtype.
pub type Reg = u16;

/// Where a loop reads array data from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Src {
    /// Array input number `n`.
    Input(u32),
    /// The result of an earlier step.
    Temp(u32),
}

/// An instruction operand, resolved to a pointer once per block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opd {
    Reg(Reg),
    /// A source with the loop's shape, read in place at the block's offset.
    Mem(u16),
    /// The loop's output, written in place at the block's offset (destinations only).
    Out,
}

/// One block instruction. `dt` is the operand dtype.
#[derive(Debug, Clone, PartialEq)]
pub enum Insn {
    /// Reads a source broadcast to the loop's shape (element strides, 0 where broadcast).
    Gather {
        dt: DType,
        dst: Reg,
        src: u16,
        strides: Vec<usize>,
    },
    Copy {
        dt: DType,
        dst: Opd,
        a: Opd,
    },
    Cast {
        from: DType,
        to: DType,
        dst: Opd,
        a: Opd,
    },
    Unary {
        op: UnaryOp,
        dt: DType,
        dst: Opd,
        a: Opd,
    },
    Binary {
        op: BinaryOp,
        dt: DType,
        dst: Opd,
        a: Opd,
        b: Opd,
        span: Span,
    },
    /// `a op k` with a constant `k` (superinstruction: no constant register traffic).
    BinaryK {
        op: BinaryOp,
        dt: DType,
        dst: Opd,
        a: Opd,
        k: Scalar,
    },
    /// `k op a`.
    KBinary {
        op: BinaryOp,
        dt: DType,
        dst: Opd,
        k: Scalar,
        a: Opd,
        span: Span,
    },
    /// `a*b + c`, two roundings.
    MulAdd {
        dt: DType,
        dst: Opd,
        a: Opd,
        b: Opd,
        c: Opd,
    },
    /// `a*k + c`.
    MulAddK {
        dt: DType,
        dst: Opd,
        a: Opd,
        k: Scalar,
        c: Opd,
    },
    /// `a*b + k`.
    MulAddC {
        dt: DType,
        dst: Opd,
        a: Opd,
        b: Opd,
        k: Scalar,
    },
    Select {
        dt: DType,
        dst: Opd,
        c: Opd,
        a: Opd,
        b: Opd,
    },
    /// `where(x cmp y, a, b)`; `cdt` is the dtype of `x` and `y`.
    CmpSelect {
        cmp: BinaryOp,
        cdt: DType,
        dt: DType,
        dst: Opd,
        x: Opd,
        y: Opd,
        a: Opd,
        b: Opd,
    },
    /// A chain of float operations on an accumulator, run in one pass with the accumulator
    /// in SIMD registers: `acc = first; acc = acc op x; ...; dst = acc`.
    Chain {
        dt: DType,
        dst: Opd,
        first: Opd,
        steps: Vec<ChainStep>,
    },
}

/// The most steps one chain may have.
pub const MAX_CHAIN: usize = 16;

/// One step of a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainStep {
    pub op: StepOp,
    /// The operand (unused by the unary steps).
    pub x: Opd,
    /// The second factor of `MulAddAcc` (else unused).
    pub y: Opd,
}

/// What a chain step does to the accumulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepOp {
    Add,
    Sub,
    /// `acc = x - acc`
    RSub,
    Mul,
    Div,
    /// `acc = x / acc`
    RDiv,
    /// NumPy's `maximum(acc, x)`
    Max,
    Min,
    /// `acc = x*y + acc`
    MulAddAcc,
    Square,
    Neg,
    Abs,
    Sqrt,
}

impl StepOp {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            StepOp::Add => "add",
            StepOp::Sub => "sub",
            StepOp::RSub => "rsub",
            StepOp::Mul => "mul",
            StepOp::Div => "div",
            StepOp::RDiv => "rdiv",
            StepOp::Max => "maximum",
            StepOp::Min => "minimum",
            StepOp::MulAddAcc => "muladd",
            StepOp::Square => "square",
            StepOp::Neg => "neg",
            StepOp::Abs => "abs",
            StepOp::Sqrt => "sqrt",
        }
    }

    /// How many operands the step reads.
    #[must_use]
    pub fn arity(self) -> usize {
        match self {
            StepOp::MulAddAcc => 2,
            StepOp::Square | StepOp::Neg | StepOp::Abs | StepOp::Sqrt => 0,
            _ => 1,
        }
    }
}

/// What a loop does with its final value.
#[derive(Debug, Clone, PartialEq)]
pub enum Sink {
    /// Nothing more: the last instruction wrote `Opd::Out`.
    Store(Dest),
    /// Reduce the value in `src` (of dtype `dt`) over the whole iteration space.
    ReduceAll {
        op: ReduceOp,
        dt: DType,
        src: Opd,
        dst: Dest,
    },
}

/// Where results go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dest {
    Output,
    Temp(u32),
}

/// A fused element-wise computation over one iteration space.
#[derive(Debug, Clone, PartialEq)]
pub struct BlockLoop {
    pub shape: Shape,
    /// Sources read in place (`Opd::Mem(i)` or gathered by `Insn::Gather{src: i}`).
    pub srcs: Vec<Src>,
    /// Registers filled once per task with a constant.
    pub consts: Vec<(Reg, Scalar)>,
    /// Registers filled once per task with the single element of a size-1 source.
    pub splats: Vec<(Reg, DType, Src)>,
    pub n_regs: usize,
    pub code: Vec<Insn>,
    pub sink: Sink,
    /// The dtype written by the sink.
    pub out_dtype: DType,
}

/// One step of a program.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Loop(BlockLoop),
    /// Reduce `src` (dtype `dt`, shape `shape`) along `axis` into temp `dst`.
    ReduceAxis {
        op: ReduceOp,
        dt: DType,
        src: Src,
        shape: Shape,
        axis: u32,
        dst: Dest,
    },
}

/// A compiled expression: temps (dtype, shape) and steps.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    pub temps: Vec<(DType, Shape)>,
    pub steps: Vec<Step>,
    pub out_dtype: DType,
    pub out_shape: Shape,
    /// The index of the IR value behind each temp, for dumps (`temp t0: f64[] (v3)`).
    pub temp_values: Vec<usize>,
}

impl Program {
    /// The estimated serial time of the program's block loops, in nanoseconds (what
    /// `par::effective_threads` weighs; axis reductions are not counted).
    #[must_use]
    pub fn loops_cost_ns(&self) -> f64 {
        self.steps
            .iter()
            .map(|s| match s {
                Step::Loop(l) => l.cost_ns() * crate::types::size_of(&l.shape) as f64,
                _ => 0.0,
            })
            .sum()
    }
}

fn d(x: DType) -> &'static str {
    x.short_name()
}

impl fmt::Display for Opd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Opd::Reg(r) => write!(f, "r{r}"),
            Opd::Mem(m) => write!(f, "m{m}"),
            Opd::Out => f.write_str("out"),
        }
    }
}

impl fmt::Display for Src {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Src::Input(i) => write!(f, "in{i}"),
            Src::Temp(t) => write!(f, "t{t}"),
        }
    }
}

impl fmt::Display for Dest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Dest::Output => f.write_str("output"),
            Dest::Temp(t) => write!(f, "t{t}"),
        }
    }
}

impl fmt::Display for Insn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Insn::Gather {
                dt,
                dst,
                src,
                strides,
            } => {
                let s: Vec<String> = strides.iter().map(ToString::to_string).collect();
                write!(
                    f,
                    "r{dst} = gather.{} m{src} strides=[{}]",
                    d(*dt),
                    s.join(",")
                )
            }
            Insn::Copy { dt, dst, a } => write!(f, "{dst} = copy.{} {a}", d(*dt)),
            Insn::Cast { from, to, dst, a } => {
                write!(f, "{dst} = cast.{}.{} {a}", d(*from), d(*to))
            }
            Insn::Unary { op, dt, dst, a } => write!(f, "{dst} = {}.{} {a}", op.name(), d(*dt)),
            Insn::Binary {
                op, dt, dst, a, b, ..
            } => write!(f, "{dst} = {}.{} {a}, {b}", op.name(), d(*dt)),
            Insn::BinaryK { op, dt, dst, a, k } => {
                write!(f, "{dst} = {}k.{} {a}, {k}", op.name(), d(*dt))
            }
            Insn::KBinary {
                op, dt, dst, k, a, ..
            } => write!(f, "{dst} = k{}.{} {k}, {a}", op.name(), d(*dt)),
            Insn::MulAdd { dt, dst, a, b, c } => {
                write!(f, "{dst} = muladd.{} {a}, {b}, {c}", d(*dt))
            }
            Insn::MulAddK { dt, dst, a, k, c } => {
                write!(f, "{dst} = muladdk.{} {a}, {k}, {c}", d(*dt))
            }
            Insn::MulAddC { dt, dst, a, b, k } => {
                write!(f, "{dst} = muladdc.{} {a}, {b}, {k}", d(*dt))
            }
            Insn::Select { dt, dst, c, a, b } => {
                write!(f, "{dst} = select.{} {c}, {a}, {b}", d(*dt))
            }
            Insn::CmpSelect {
                cmp,
                cdt,
                dt,
                dst,
                x,
                y,
                a,
                b,
            } => {
                write!(
                    f,
                    "{dst} = {}select.{}.{} {x}, {y}, {a}, {b}",
                    cmp.name(),
                    d(*cdt),
                    d(*dt)
                )
            }
            Insn::Chain {
                dt,
                dst,
                first,
                steps,
            } => {
                write!(f, "{dst} = chain.{} {first}", d(*dt))?;
                for s in steps {
                    match s.op.arity() {
                        0 => write!(f, " |> {}", s.op.name())?,
                        1 => write!(f, " |> {} {}", s.op.name(), s.x)?,
                        _ => write!(f, " |> {} {}, {}", s.op.name(), s.x, s.y)?,
                    }
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for Program {
    /// The stable bytecode dump.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        for (i, (dt, shape)) in self.temps.iter().enumerate() {
            let _ = writeln!(
                s,
                "temp t{i}: {} (v{})",
                type_str(*dt, shape),
                self.temp_values[i]
            );
        }
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::ReduceAxis {
                    op,
                    dt,
                    src,
                    shape,
                    axis,
                    dst,
                } => {
                    let _ = writeln!(
                        s,
                        "step{i}: {dst} = reduce.{}.{} {src} {} axis={axis}",
                        op.name(),
                        d(*dt),
                        type_str(*dt, shape)
                    );
                }
                Step::Loop(k) => {
                    let srcs: Vec<String> = k
                        .srcs
                        .iter()
                        .enumerate()
                        .map(|(i, x)| format!("m{i}={x}"))
                        .collect();
                    let _ = writeln!(
                        s,
                        "step{i}: loop over {} regs={} srcs=[{}]",
                        type_str(k.out_dtype, &k.shape),
                        k.n_regs,
                        srcs.join(", ")
                    );
                    for (r, c) in &k.consts {
                        let _ = writeln!(s, "  r{r} = splat.{} {c}", d(c.dtype()));
                    }
                    for (r, dt, src) in &k.splats {
                        let _ = writeln!(s, "  r{r} = splat.{} {src}[0]", d(*dt));
                    }
                    let _ = writeln!(s, "  block:");
                    for insn in &k.code {
                        let _ = writeln!(s, "    {insn}");
                    }
                    match &k.sink {
                        Sink::Store(dst) => {
                            let _ = writeln!(s, "  store {dst}");
                        }
                        Sink::ReduceAll { op, dt, src, dst } => {
                            let _ = writeln!(s, "  {dst} = reduce.{}.{} {src}", op.name(), d(*dt));
                        }
                    }
                }
            }
        }
        let _ = write!(s, "output {}", type_str(self.out_dtype, &self.out_shape));
        f.write_str(&s)
    }
}
