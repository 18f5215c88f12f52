//! codegen: IR -> bytecode, with register allocation of block temporaries and
//! superinstructions.
//!
//! In: an optimized `ir::Function`. Out: a `vm::Program`. The graph is cut at reductions:
//! each reduction becomes a step (a loop that reduces its argument over all axes, or a
//! loop that materializes the argument followed by an axis reduction), and the root
//! becomes the last loop. Inside a loop, nodes become block instructions in
//! topological order; sources with the loop's shape are read in place (`m0`), smaller
//! ones are gathered with broadcast strides or splatted once, constants fold into
//! scalar-operand instructions, `a*b + c`, `a*k + c`, `x*x` and `where(x < y, a, b)` become
//! one instruction each, and the result is written straight into the output.

mod block_loop;
mod fuse_chains;

use std::collections::HashMap;

use crate::ir::{Function, Node, Value};
use crate::vm::{Dest, Program, Src, Step};

/// Generates the program of a function.
#[must_use]
pub fn generate(f: &Function) -> Program {
    let mut temps = Vec::new();
    let mut temp_values = Vec::new();
    let mut temp_of: HashMap<Value, u32> = HashMap::new();
    let mut steps = Vec::new();
    for h in f.handles() {
        let Node::Reduce(op, a, axis) = *f.node(h) else {
            continue;
        };
        let t = temps.len() as u32;
        let dt = f.dtype(h);
        match axis {
            None => {
                temps.push((dt, vec![]));
                temp_values.push(h.index());
                steps.push(Step::Loop(block_loop::build(
                    f,
                    a,
                    &temp_of,
                    block_loop::RootUse::Reduce(op, Dest::Temp(t)),
                )));
            }
            Some(ax) => {
                let src = match *f.node(a) {
                    Node::Input(slot) => Src::Input(slot),
                    Node::Reduce(..) => Src::Temp(temp_of[&a]),
                    _ => {
                        let ta = temps.len() as u32;
                        temps.push((f.dtype(a), f.shape(a).to_vec()));
                        temp_values.push(a.index());
                        steps.push(Step::Loop(block_loop::build(
                            f,
                            a,
                            &temp_of,
                            block_loop::RootUse::Store(Dest::Temp(ta)),
                        )));
                        Src::Temp(ta)
                    }
                };
                let t = temps.len() as u32;
                temps.push((dt, f.shape(h).to_vec()));
                temp_values.push(h.index());
                steps.push(Step::ReduceAxis {
                    op,
                    dt,
                    src,
                    shape: f.shape(a).to_vec(),
                    axis: ax,
                    dst: Dest::Temp(t),
                });
            }
        }
        temp_of.insert(h, temps.len() as u32 - 1);
    }
    let root = f.root();
    // A reduction at the root writes the output itself (no copy loop).
    let last_writes_root = temp_of
        .get(&root)
        .is_some_and(|&t| t as usize + 1 == temps.len());
    match steps.last_mut() {
        Some(Step::Loop(k)) if last_writes_root => {
            if let crate::vm::Sink::ReduceAll { dst, .. } = &mut k.sink {
                *dst = Dest::Output;
            }
        }
        Some(Step::ReduceAxis { dst, .. }) if last_writes_root => *dst = Dest::Output,
        _ => steps.push(Step::Loop(block_loop::build(
            f,
            root,
            &temp_of,
            block_loop::RootUse::Store(Dest::Output),
        ))),
    }
    Program {
        temps,
        steps,
        out_dtype: f.dtype(root),
        out_shape: f.shape(root).to_vec(),
        temp_values,
    }
}
