//! Chain fusion, a peephole pass over a loop's instructions: a float arithmetic
//! instruction whose result register is read once, by the next instruction, and never
//! again, is merged with it into one `Chain` (the running value then stays in SIMD
//! registers instead of going through a block register). Merging only re-associates
//! nothing: every step rounds exactly where the original instructions did.

use crate::types::{BinaryOp, DType, Scalar, UnaryOp};
use crate::vm::{ChainStep, Insn, MAX_CHAIN, Opd, StepOp};

/// A chain being built.
struct Pending {
    dt: DType,
    dst: Opd,
    first: Opd,
    steps: Vec<ChainStep>,
    /// The instructions it replaces, emitted as they were if nothing was merged.
    originals: Vec<Insn>,
}

fn step(op: StepOp, x: Opd) -> ChainStep {
    ChainStep { op, x, y: x }
}

fn step_op(op: BinaryOp) -> Option<StepOp> {
    Some(match op {
        BinaryOp::Add => StepOp::Add,
        BinaryOp::Sub => StepOp::Sub,
        BinaryOp::Mul => StepOp::Mul,
        BinaryOp::TrueDiv => StepOp::Div,
        BinaryOp::Maximum => StepOp::Max,
        BinaryOp::Minimum => StepOp::Min,
        _ => return None,
    })
}

/// The step when the accumulator is the right operand (`x op acc`), if it has one that
/// gives the same bits. `maximum`/`minimum` pick a side on ties of ±0, so they do not.
fn reversed(op: StepOp) -> Option<StepOp> {
    match op {
        StepOp::Add | StepOp::Mul => Some(op),
        StepOp::Sub => Some(StepOp::RSub),
        StepOp::Div => Some(StepOp::RDiv),
        _ => None,
    }
}

fn unary_step(op: UnaryOp) -> Option<StepOp> {
    Some(match op {
        UnaryOp::Square => StepOp::Square,
        UnaryOp::Neg => StepOp::Neg,
        UnaryOp::Abs => StepOp::Abs,
        UnaryOp::Sqrt => StepOp::Sqrt,
        _ => return None,
    })
}

/// An instruction as a chain on its own: (dtype, dst, first, steps).
fn standalone(
    i: &Insn,
    k: &mut dyn FnMut(Scalar) -> Opd,
) -> Option<(DType, Opd, Opd, Vec<ChainStep>)> {
    let float = |dt: &DType| dt.is_float();
    Some(match i {
        Insn::Binary {
            op, dt, dst, a, b, ..
        } if float(dt) => (*dt, *dst, *a, vec![step(step_op(*op)?, *b)]),
        Insn::BinaryK {
            op,
            dt,
            dst,
            a,
            k: c,
        } if float(dt) => {
            let s = step_op(*op)?;
            (*dt, *dst, *a, vec![step(s, k(*c))])
        }
        Insn::KBinary {
            op,
            dt,
            dst,
            k: c,
            a,
            ..
        } if float(dt) => {
            let s = reversed(step_op(*op)?)?;
            (*dt, *dst, *a, vec![step(s, k(*c))])
        }
        Insn::MulAdd { dt, dst, a, b, c } if float(dt) => (
            *dt,
            *dst,
            *a,
            vec![step(StepOp::Mul, *b), step(StepOp::Add, *c)],
        ),
        Insn::MulAddK {
            dt,
            dst,
            a,
            k: c,
            c: add,
        } if float(dt) => (
            *dt,
            *dst,
            *a,
            vec![step(StepOp::Mul, k(*c)), step(StepOp::Add, *add)],
        ),
        Insn::MulAddC {
            dt,
            dst,
            a,
            b,
            k: c,
        } if float(dt) => (
            *dt,
            *dst,
            *a,
            vec![step(StepOp::Mul, *b), step(StepOp::Add, k(*c))],
        ),
        Insn::Unary { op, dt, dst, a } if float(dt) => (
            *dt,
            *dst,
            *a,
            vec![ChainStep {
                op: unary_step(*op)?,
                x: *a,
                y: *a,
            }],
        ),
        _ => return None,
    })
}

/// The steps that continue a chain whose value is in `acc`, if `i` reads `acc` exactly
/// once and can take it as the running value.
fn continuation(
    i: &Insn,
    acc: Opd,
    k: &mut dyn FnMut(Scalar) -> Opd,
) -> Option<(DType, Opd, Vec<ChainStep>)> {
    let reads = reads(i);
    if reads.iter().filter(|r| **r == acc).count() != 1 {
        return None;
    }
    Some(match i {
        Insn::Binary {
            op, dt, dst, a, b, ..
        } if dt.is_float() => {
            let s = step_op(*op)?;
            if *a == acc {
                (*dt, *dst, vec![step(s, *b)])
            } else {
                (*dt, *dst, vec![step(reversed(s)?, *a)])
            }
        }
        Insn::BinaryK {
            op, dt, dst, k: c, ..
        } if dt.is_float() => {
            let s = step_op(*op)?;
            (*dt, *dst, vec![step(s, k(*c))])
        }
        Insn::KBinary {
            op, dt, dst, k: c, ..
        } if dt.is_float() => {
            let s = reversed(step_op(*op)?)?;
            (*dt, *dst, vec![step(s, k(*c))])
        }
        Insn::MulAdd { dt, dst, a, b, c } if dt.is_float() => {
            if *c == acc {
                (
                    *dt,
                    *dst,
                    vec![ChainStep {
                        op: StepOp::MulAddAcc,
                        x: *a,
                        y: *b,
                    }],
                )
            } else {
                let other = if *a == acc { *b } else { *a };
                (
                    *dt,
                    *dst,
                    vec![step(StepOp::Mul, other), step(StepOp::Add, *c)],
                )
            }
        }
        Insn::MulAddK {
            dt,
            dst,
            a,
            k: c,
            c: add,
        } if dt.is_float() => {
            let kc = k(*c);
            if *add == acc {
                (
                    *dt,
                    *dst,
                    vec![ChainStep {
                        op: StepOp::MulAddAcc,
                        x: *a,
                        y: kc,
                    }],
                )
            } else {
                (
                    *dt,
                    *dst,
                    vec![step(StepOp::Mul, kc), step(StepOp::Add, *add)],
                )
            }
        }
        Insn::MulAddC {
            dt,
            dst,
            a,
            b,
            k: c,
        } if dt.is_float() => {
            let other = if *a == acc { *b } else { *a };
            (
                *dt,
                *dst,
                vec![step(StepOp::Mul, other), step(StepOp::Add, k(*c))],
            )
        }
        Insn::Unary { op, dt, dst, .. } if dt.is_float() => (
            *dt,
            *dst,
            vec![ChainStep {
                op: unary_step(*op)?,
                x: acc,
                y: acc,
            }],
        ),
        _ => return None,
    })
}

/// The operands an instruction reads.
fn reads(i: &Insn) -> Vec<Opd> {
    match i {
        Insn::Gather { .. } => vec![],
        Insn::Copy { a, .. }
        | Insn::Cast { a, .. }
        | Insn::Unary { a, .. }
        | Insn::BinaryK { a, .. }
        | Insn::KBinary { a, .. } => vec![*a],
        Insn::Binary { a, b, .. } | Insn::MulAddC { a, b, .. } => vec![*a, *b],
        Insn::MulAddK { a, c, .. } => vec![*a, *c],
        Insn::MulAdd { a, b, c, .. }
        | Insn::Select {
            c: a, a: b, b: c, ..
        } => vec![*a, *b, *c],
        Insn::CmpSelect { x, y, a, b, .. } => vec![*x, *y, *a, *b],
        Insn::Chain { first, steps, .. } => {
            let mut v = vec![*first];
            for s in steps {
                if s.op.arity() >= 1 {
                    v.push(s.x);
                }
                if s.op.arity() >= 2 {
                    v.push(s.y);
                }
            }
            v
        }
    }
}

fn writes(i: &Insn) -> Opd {
    match i {
        Insn::Gather { dst, .. } => Opd::Reg(*dst),
        Insn::Copy { dst, .. }
        | Insn::Cast { dst, .. }
        | Insn::Unary { dst, .. }
        | Insn::Binary { dst, .. }
        | Insn::BinaryK { dst, .. }
        | Insn::KBinary { dst, .. }
        | Insn::MulAdd { dst, .. }
        | Insn::MulAddK { dst, .. }
        | Insn::MulAddC { dst, .. }
        | Insn::Select { dst, .. }
        | Insn::CmpSelect { dst, .. }
        | Insn::Chain { dst, .. } => *dst,
    }
}

/// Whether register operand `r` is read by `rest` (or by the sink) before it is written.
fn live_after(r: Opd, rest: &[Insn], sink_reads: Option<Opd>) -> bool {
    for i in rest {
        if reads(i).contains(&r) {
            return true;
        }
        if writes(i) == r {
            return false;
        }
    }
    sink_reads == Some(r)
}

/// Merges chains of float instructions. `k` gives the register of a constant.
pub fn fuse(
    code: Vec<Insn>,
    sink_reads: Option<Opd>,
    k: &mut dyn FnMut(Scalar) -> Opd,
) -> Vec<Insn> {
    let mut out: Vec<Insn> = Vec::with_capacity(code.len());
    let mut pending: Option<Pending> = None;
    let flush = |p: Pending, out: &mut Vec<Insn>| {
        if p.originals.len() >= 2 {
            out.push(Insn::Chain {
                dt: p.dt,
                dst: p.dst,
                first: p.first,
                steps: p.steps,
            });
        } else {
            out.extend(p.originals);
        }
    };
    for (idx, insn) in code.iter().enumerate() {
        if let Some(p) = pending.as_mut()
            && matches!(p.dst, Opd::Reg(_))
            && !live_after(p.dst, &code[idx + 1..], sink_reads)
            && let Some((dt, dst, steps)) = continuation(insn, p.dst, k)
            && dt == p.dt
            && p.steps.len() + steps.len() <= MAX_CHAIN
        {
            p.steps.extend(steps);
            p.dst = dst;
            p.originals.push(insn.clone());
            continue;
        }
        if let Some(p) = pending.take() {
            flush(p, &mut out);
        }
        match standalone(insn, k) {
            Some((dt, dst, first, steps)) => {
                pending = Some(Pending {
                    dt,
                    dst,
                    first,
                    steps,
                    originals: vec![insn.clone()],
                })
            }
            None => out.push(insn.clone()),
        }
    }
    if let Some(p) = pending.take() {
        flush(p, &mut out);
    }
    out
}
