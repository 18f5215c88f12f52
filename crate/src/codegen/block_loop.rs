//! One loop: instruction selection and register allocation over a subgraph.

use std::collections::HashMap;

use crate::ir::{Function, Node, Value};
use crate::types::{BinaryOp, DType, ReduceOp, Scalar, UnaryOp, broadcast_strides, size_of};
use crate::vm::{BlockLoop, Dest, Insn, Opd, Reg, Sink, Src};

/// What the loop does with its root value (the VM's [`Sink`] says how, once registers are known).
pub enum RootUse {
    Store(Dest),
    Reduce(ReduceOp, Dest),
}

/// Where a value lives during a block.
#[derive(Clone, Copy)]
enum Loc {
    Opd(Opd),
    Const(Scalar),
}

struct Builder {
    shape: Vec<usize>,
    srcs: Vec<Src>,
    consts: Vec<(Reg, Scalar)>,
    splats: Vec<(Reg, DType, Src)>,
    code: Vec<Insn>,
    free: Vec<Reg>,
    n_regs: usize,
    pinned: HashMap<Scalar, Reg>,
}

impl Builder {
    fn alloc(&mut self) -> Reg {
        if let Some(r) = self.free.pop() {
            return r;
        }
        self.n_regs += 1;
        (self.n_regs - 1) as Reg
    }

    fn src_index(&mut self, s: Src) -> u16 {
        if let Some(i) = self.srcs.iter().position(|x| *x == s) {
            return i as u16;
        }
        self.srcs.push(s);
        (self.srcs.len() - 1) as u16
    }

    /// A leaf source: read in place, splatted once, or gathered per block.
    fn leaf(&mut self, s: Src, dt: DType, shape: &[usize]) -> Loc {
        if shape == self.shape.as_slice() {
            let i = self.src_index(s);
            return Loc::Opd(Opd::Mem(i));
        }
        if size_of(shape) == 1 {
            // Pinned: filled once per task, so never a register reused within the block.
            self.n_regs += 1;
            let r = (self.n_regs - 1) as Reg;
            self.splats.push((r, dt, s));
            return Loc::Opd(Opd::Reg(r));
        }
        let i = self.src_index(s);
        let r = self.alloc();
        let strides = broadcast_strides(shape, &self.shape);
        self.code.push(Insn::Gather {
            dt,
            dst: r,
            src: i,
            strides,
        });
        Loc::Opd(Opd::Reg(r))
    }

    /// A constant as a register operand (pinned, filled once per task).
    fn const_reg(&mut self, c: Scalar) -> Opd {
        b_const(&mut self.consts, &mut self.pinned, &mut self.n_regs, c)
    }

    fn opd(&mut self, l: Loc) -> Opd {
        match l {
            Loc::Opd(o) => o,
            Loc::Const(c) => self.const_reg(c),
        }
    }
}

/// Builds the loop computing `root` over its shape.
pub fn build(f: &Function, root: Value, temps: &HashMap<Value, u32>, sink: RootUse) -> BlockLoop {
    let shape = f.shape(root).to_vec();
    // The subgraph: nodes reachable from the root without crossing a materialized value.
    let is_leaf =
        |h: Value| temps.contains_key(&h) || matches!(f.node(h), Node::Input(_) | Node::Const(_));
    let mut member = vec![false; f.len()];
    let mut stack = vec![root];
    while let Some(h) = stack.pop() {
        if member[h.index()] {
            continue;
        }
        member[h.index()] = true;
        if !is_leaf(h) {
            stack.extend(f.node(h).operands());
        }
    }
    let order: Vec<Value> = f.handles().filter(|h| member[h.index()]).collect();
    // Superinstruction choice first, because it decides which operands are read where.
    let uses = f.use_counts();
    let mut fused_cmp = vec![false; f.len()];
    for &h in &order {
        if let Node::Select(c, _, _) = *f.node(h) {
            let same_float = |x: Value| f.dtype(x) == f.dtype(h) && f.dtype(h).is_float();
            if !is_leaf(c)
                && uses[c.index()] == 1
                && matches!(*f.node(c), Node::Binary(op, x, _) if op.is_comparison() && same_float(x))
            {
                fused_cmp[c.index()] = true;
            }
        }
    }
    let reads = |h: Value| -> Vec<Value> {
        match *f.node(h) {
            Node::Select(c, a, b) if fused_cmp[c.index()] => {
                let Node::Binary(_, x, y) = *f.node(c) else {
                    unreachable!()
                };
                vec![x, y, a, b]
            }
            _ if is_leaf(h) => vec![],
            ref n => n.operands(),
        }
    };
    let mut last_use = vec![0usize; f.len()];
    for (i, &h) in order.iter().enumerate() {
        if !fused_cmp[h.index()] {
            for op in reads(h) {
                last_use[op.index()] = i;
            }
        }
    }
    let mut b = Builder {
        shape: shape.clone(),
        srcs: Vec::new(),
        consts: Vec::new(),
        splats: Vec::new(),
        code: Vec::new(),
        free: Vec::new(),
        n_regs: 0,
        pinned: HashMap::new(),
    };
    let store = matches!(sink, RootUse::Store(_));
    let mut loc: HashMap<Value, Loc> = HashMap::new();
    for (i, &h) in order.iter().enumerate() {
        if fused_cmp[h.index()] {
            continue;
        }
        let node = *f.node(h);
        let dt = f.dtype(h);
        if let Some(&t) = temps.get(&h) {
            let l = b.leaf(Src::Temp(t), dt, f.shape(h));
            loc.insert(h, l);
            continue;
        }
        match node {
            Node::Input(slot) => {
                let l = b.leaf(Src::Input(slot), dt, f.shape(h));
                loc.insert(h, l);
                continue;
            }
            Node::Const(c) => {
                loc.insert(h, Loc::Const(c));
                continue;
            }
            _ => {}
        }
        let dst = if h == root && store {
            Opd::Out
        } else {
            Opd::Reg(b.alloc())
        };
        let insn = select_insn(&mut b, &loc, node, h, dt, dst, f);
        b.code.push(insn);
        for op in reads(h) {
            if last_use[op.index()] == i
                && let Some(Loc::Opd(Opd::Reg(r))) = loc.get(&op)
                && !b.consts.iter().any(|(c, _)| c == r)
                && !b.splats.iter().any(|(s, _, _)| s == r)
                && !b.free.contains(r)
            {
                b.free.push(*r);
            }
        }
        loc.insert(h, Loc::Opd(dst));
    }
    let root_loc = loc
        .get(&root)
        .copied()
        .unwrap_or(Loc::Const(Scalar::zero(f.dtype(root))));
    let out_dtype = f.dtype(root);
    let sink_reads = match (&sink, root_loc) {
        (RootUse::Reduce(..), Loc::Opd(o)) => Some(o),
        _ => None,
    };
    let code = std::mem::take(&mut b.code);
    b.code = super::fuse_chains::fuse(code, sink_reads, &mut |c| {
        b_const(&mut b.consts, &mut b.pinned, &mut b.n_regs, c)
    });
    let vm_sink = match sink {
        RootUse::Store(d) => {
            if !matches!(root_loc, Loc::Opd(Opd::Out)) {
                let a = b.opd(root_loc);
                b.code.push(Insn::Copy {
                    dt: out_dtype,
                    dst: Opd::Out,
                    a,
                });
            }
            Sink::Store(d)
        }
        RootUse::Reduce(op, d) => {
            let src = b.opd(root_loc);
            Sink::ReduceAll {
                op,
                dt: out_dtype,
                src,
                dst: d,
            }
        }
    };
    BlockLoop {
        shape,
        srcs: b.srcs,
        consts: b.consts,
        splats: b.splats,
        n_regs: b.n_regs,
        code: b.code,
        sink: vm_sink,
        out_dtype,
    }
}

/// The pinned register of constant `c`, allocated on first use.
fn b_const(
    consts: &mut Vec<(Reg, Scalar)>,
    pinned: &mut HashMap<Scalar, Reg>,
    n_regs: &mut usize,
    c: Scalar,
) -> Opd {
    if let Some(&r) = pinned.get(&c) {
        return Opd::Reg(r);
    }
    *n_regs += 1;
    let r = (*n_regs - 1) as Reg;
    consts.push((r, c));
    pinned.insert(c, r);
    Opd::Reg(r)
}

fn select_insn(
    b: &mut Builder,
    loc: &HashMap<Value, Loc>,
    node: Node,
    h: Value,
    dt: DType,
    dst: Opd,
    f: &Function,
) -> Insn {
    let l = |v: Value| {
        loc.get(&v)
            .copied()
            .unwrap_or(Loc::Const(Scalar::zero(f.dtype(v))))
    };
    match node {
        Node::Cast(a, to) => {
            let a_opd = b.opd(l(a));
            Insn::Cast {
                from: f.dtype(a),
                to,
                dst,
                a: a_opd,
            }
        }
        Node::Unary(op, a) => {
            let a_opd = b.opd(l(a));
            Insn::Unary {
                op,
                dt: f.dtype(a),
                dst,
                a: a_opd,
            }
        }
        Node::Binary(BinaryOp::Mul, a, c) if a == c => {
            let a_opd = b.opd(l(a));
            Insn::Unary {
                op: UnaryOp::Square,
                dt,
                dst,
                a: a_opd,
            }
        }
        Node::Binary(op, a, c) => {
            let odt = f.dtype(a);
            match (l(a), l(c)) {
                (Loc::Opd(x), Loc::Const(k)) => Insn::BinaryK {
                    op,
                    dt: odt,
                    dst,
                    a: x,
                    k,
                },
                (Loc::Const(k), Loc::Opd(x)) if op.is_commutative() => Insn::BinaryK {
                    op,
                    dt: odt,
                    dst,
                    a: x,
                    k,
                },
                (Loc::Const(k), Loc::Opd(x)) if op.is_comparison() => Insn::BinaryK {
                    op: op.swapped(),
                    dt: odt,
                    dst,
                    a: x,
                    k,
                },
                (Loc::Const(k), Loc::Opd(x)) => Insn::KBinary {
                    op,
                    dt: odt,
                    dst,
                    k,
                    a: x,
                    span: f.span(h),
                },
                (x, y) => {
                    let (x, y) = (b.opd(x), b.opd(y));
                    Insn::Binary {
                        op,
                        dt: odt,
                        dst,
                        a: x,
                        b: y,
                        span: f.span(h),
                    }
                }
            }
        }
        Node::Select(c, x, y) => {
            let (xa, ya) = (b.opd(l(x)), b.opd(l(y)));
            if let Node::Binary(cmp, p, q) = *f.node(c)
                && !loc.contains_key(&c)
                && f.dtype(p) == dt
            {
                let (pp, qq) = (b.opd(l(p)), b.opd(l(q)));
                return Insn::CmpSelect {
                    cmp,
                    cdt: f.dtype(p),
                    dt,
                    dst,
                    x: pp,
                    y: qq,
                    a: xa,
                    b: ya,
                };
            }
            let co = b.opd(l(c));
            Insn::Select {
                dt,
                dst,
                c: co,
                a: xa,
                b: ya,
            }
        }
        Node::MulAdd(x, y, z) => match (l(x), l(y), l(z)) {
            (Loc::Opd(p), Loc::Const(k), zz) | (Loc::Const(k), Loc::Opd(p), zz) => {
                let c = b.opd(zz);
                Insn::MulAddK {
                    dt,
                    dst,
                    a: p,
                    k,
                    c,
                }
            }
            (p, q, Loc::Const(k)) => {
                let (p, q) = (b.opd(p), b.opd(q));
                Insn::MulAddC {
                    dt,
                    dst,
                    a: p,
                    b: q,
                    k,
                }
            }
            (p, q, r) => {
                let (p, q, r) = (b.opd(p), b.opd(q), b.opd(r));
                Insn::MulAdd {
                    dt,
                    dst,
                    a: p,
                    b: q,
                    c: r,
                }
            }
        },
        Node::Input(_) | Node::Const(_) | Node::Reduce(..) => {
            unreachable!("leaves are not instructions")
        }
    }
}
