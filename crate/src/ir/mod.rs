//! ir: typed dataflow IR in an arena with typed handles; hash-consing gives CSE, constants
//! fold while building, and a stable text printer dumps it.
//!
//! ```text
//! Ast + Signature ──lower──▶ Function { nodes (arena), info (dtype, shape), spans, root }
//! ```
//!
//! Nodes are pure element-wise operations over broadcast shapes, plus `Reduce`, which
//! materializes a (partial) reduction; the code generator cuts the graph into one kernel
//! per reduction and one for the result. Every node is unique (`fetch_or_append`), so
//! `x*y + sqrt(x*y)` computes `x*y` once. Types and shapes live in side tables indexed by
//! handle, spans too (the span of the first source expression that made the node).
//! [`reference`](mod@reference) evaluates a function element by element: the obviously-correct oracle
//! of the differential tests.

mod arena;
mod print;
pub mod reference;

pub use arena::Handle;

use std::collections::HashMap;

use crate::syntax::Span;
use crate::types::{BinaryOp, DType, ReduceOp, Scalar, Shape, UnaryOp, broadcast, elem};
use crate::with_dtype;

/// A handle to a node of a [`Function`].
pub type Value = Handle<Node>;

/// One IR operation. Operands of `Binary` have one dtype; `Select`'s two value operands
/// have the result's dtype and its condition is `bool`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Node {
    /// Array input number `slot` of the signature.
    Input(u32),
    /// A 0-d constant.
    Const(Scalar),
    Cast(Value, DType),
    Unary(UnaryOp, Value),
    Binary(BinaryOp, Value, Value),
    /// `where(cond, a, b)`.
    Select(Value, Value, Value),
    /// A reduction over all axes (`None`) or one axis.
    Reduce(ReduceOp, Value, Option<u32>),
    /// `a*b + c` with two roundings (never a fused multiply-add): made by the optimizer.
    MulAdd(Value, Value, Value),
}

impl Node {
    /// The operands, in order.
    #[must_use]
    pub fn operands(&self) -> Vec<Value> {
        match *self {
            Node::Input(_) | Node::Const(_) => vec![],
            Node::Cast(a, _) | Node::Unary(_, a) | Node::Reduce(_, a, _) => vec![a],
            Node::Binary(_, a, b) => vec![a, b],
            Node::Select(a, b, c) | Node::MulAdd(a, b, c) => vec![a, b, c],
        }
    }

    /// The same node with every operand mapped through `f`.
    #[must_use]
    pub fn map(&self, mut f: impl FnMut(Value) -> Value) -> Node {
        match *self {
            Node::Input(_) | Node::Const(_) => *self,
            Node::Cast(a, d) => Node::Cast(f(a), d),
            Node::Unary(op, a) => Node::Unary(op, f(a)),
            Node::Reduce(op, a, ax) => Node::Reduce(op, f(a), ax),
            Node::Binary(op, a, b) => Node::Binary(op, f(a), f(b)),
            Node::Select(a, b, c) => Node::Select(f(a), f(b), f(c)),
            Node::MulAdd(a, b, c) => Node::MulAdd(f(a), f(b), f(c)),
        }
    }
}

/// The dtype and shape of a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Info {
    pub dtype: DType,
    pub shape: Shape,
}

/// An array input of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub dtype: DType,
    pub shape: Shape,
}

/// A typed expression: the node arena with its side tables, the inputs and the root.
#[derive(Debug, Clone)]
pub struct Function {
    nodes: Vec<Node>,
    info: Vec<Info>,
    spans: Vec<Span>,
    unique: HashMap<Node, Value>,
    pub params: Vec<Param>,
    pub root: Option<Value>,
}

impl Function {
    #[must_use]
    pub fn new(params: Vec<Param>) -> Self {
        Self {
            nodes: Vec::new(),
            info: Vec::new(),
            spans: Vec::new(),
            unique: HashMap::new(),
            params,
            root: None,
        }
    }

    #[must_use]
    pub fn node(&self, h: Value) -> &Node {
        &self.nodes[h.index()]
    }

    #[must_use]
    pub fn info(&self, h: Value) -> &Info {
        &self.info[h.index()]
    }

    #[must_use]
    pub fn dtype(&self, h: Value) -> DType {
        self.info[h.index()].dtype
    }

    #[must_use]
    pub fn shape(&self, h: Value) -> &[usize] {
        &self.info[h.index()].shape
    }

    #[must_use]
    pub fn span(&self, h: Value) -> Span {
        self.spans[h.index()]
    }

    /// The root node. Panics only on a function that was never finished, an engine bug.
    #[must_use]
    pub fn root(&self) -> Value {
        self.root.expect("function has a root")
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Every handle, in creation order (operands before users).
    pub fn handles(&self) -> impl Iterator<Item = Value> + use<> {
        (0..self.nodes.len()).map(Handle::from_index)
    }

    #[must_use]
    pub fn as_const(&self, h: Value) -> Option<Scalar> {
        match self.nodes[h.index()] {
            Node::Const(s) => Some(s),
            _ => None,
        }
    }

    /// Returns the existing node equal to `node`, or appends it. Constant operands are
    /// folded first, so the result may be a `Const`.
    pub fn fetch_or_append(&mut self, node: Node, span: Span) -> Value {
        let node = self.fold(node);
        if let Some(&h) = self.unique.get(&node) {
            return h;
        }
        let info = self.infer(&node);
        let h = Handle::from_index(self.nodes.len());
        self.nodes.push(node);
        self.info.push(info);
        self.spans.push(span);
        self.unique.insert(node, h);
        h
    }

    /// A constant.
    pub fn constant(&mut self, s: Scalar, span: Span) -> Value {
        self.fetch_or_append(Node::Const(s), span)
    }

    /// `a` cast to `d`; no node if it already has that dtype.
    pub fn cast(&mut self, a: Value, d: DType, span: Span) -> Value {
        if self.dtype(a) == d {
            a
        } else {
            self.fetch_or_append(Node::Cast(a, d), span)
        }
    }

    fn infer(&self, node: &Node) -> Info {
        let sh = |h: Value| self.shape(h).to_vec();
        let bc =
            |a: Value, b: Value| broadcast(self.shape(a), self.shape(b)).unwrap_or_else(|_| sh(a));
        match *node {
            Node::Input(slot) => {
                let p = &self.params[slot as usize];
                Info {
                    dtype: p.dtype,
                    shape: p.shape.clone(),
                }
            }
            Node::Const(s) => Info {
                dtype: s.dtype(),
                shape: vec![],
            },
            Node::Cast(a, d) => Info {
                dtype: d,
                shape: sh(a),
            },
            Node::Unary(op, a) => Info {
                dtype: if op.is_predicate() {
                    DType::Bool
                } else {
                    self.dtype(a)
                },
                shape: sh(a),
            },
            Node::Binary(op, a, b) => Info {
                dtype: if op.is_comparison() {
                    DType::Bool
                } else {
                    self.dtype(a)
                },
                shape: bc(a, b),
            },
            Node::Select(c, a, b) => {
                let s = broadcast(&bc(a, b), self.shape(c)).unwrap_or_else(|_| sh(a));
                Info {
                    dtype: self.dtype(a),
                    shape: s,
                }
            }
            Node::MulAdd(a, b, c) => {
                let s = broadcast(&bc(a, b), self.shape(c)).unwrap_or_else(|_| sh(a));
                Info {
                    dtype: self.dtype(a),
                    shape: s,
                }
            }
            Node::Reduce(_, a, axis) => {
                let mut s = sh(a);
                match axis {
                    None => s.clear(),
                    Some(ax) => {
                        s.remove(ax as usize);
                    }
                }
                Info {
                    dtype: self.dtype(a),
                    shape: s,
                }
            }
        }
    }

    /// Constant folding: a node whose operands are all constants becomes a constant.
    fn fold(&self, node: Node) -> Node {
        let c = |h: Value| self.as_const(h);
        match node {
            Node::Cast(a, d) => c(a).map_or(node, |s| Node::Const(s.cast(d))),
            Node::Unary(op, a) => c(a).map_or(node, |s| Node::Const(fold_unary(op, s))),
            Node::Binary(op, a, b) => match (c(a), c(b)) {
                // A negative integer power is an error the lowering reports; never fold it.
                (Some(x), Some(y))
                    if !(op == BinaryOp::Pow && y.dtype().is_int() && y.to_i128() < 0) =>
                {
                    Node::Const(fold_binary(op, x, y))
                }
                _ => node,
            },
            Node::Select(k, a, b) => match (c(k), c(a), c(b)) {
                (Some(k), Some(x), Some(y)) => Node::Const(if k.is_truthy() { x } else { y }),
                _ => node,
            },
            Node::MulAdd(a, b, d) => match (c(a), c(b), c(d)) {
                (Some(x), Some(y), Some(z)) => Node::Const(fold_binary(
                    BinaryOp::Add,
                    fold_binary(BinaryOp::Mul, x, y),
                    z,
                )),
                _ => node,
            },
            // The reduction of a 0-d constant over all axes is the constant itself, except
            // that a sum adds it to 0 as NumPy's does: sum(-0.0) is 0.0.
            Node::Reduce(op, a, None) => c(a).map_or(node, |s| {
                Node::Const(if op == ReduceOp::Sum {
                    fold_binary(BinaryOp::Add, Scalar::zero(s.dtype()), s)
                } else {
                    s
                })
            }),
            _ => node,
        }
    }

    /// Replaces the graph by the nodes reachable from the root, renumbered in order.
    /// Returns the new handle of every old one that survived.
    pub fn compact(&mut self) -> Vec<Option<Value>> {
        let root = self.root();
        let mut live = vec![false; self.nodes.len()];
        live[root.index()] = true;
        for i in (0..self.nodes.len()).rev() {
            if live[i] {
                for op in self.nodes[i].operands() {
                    live[op.index()] = true;
                }
            }
        }
        let mut out = Function::new(self.params.clone());
        let mut map: Vec<Option<Value>> = vec![None; self.nodes.len()];
        for i in 0..self.nodes.len() {
            if live[i] {
                let node = self.nodes[i].map(|h| map[h.index()].expect("operands precede users"));
                let h = out.fetch_or_append(node, self.spans[i]);
                map[i] = Some(h);
            }
        }
        out.root = map[root.index()];
        *self = out;
        map
    }

    /// How many nodes use each node as an operand.
    #[must_use]
    pub fn use_counts(&self) -> Vec<u32> {
        let mut uses = vec![0; self.nodes.len()];
        for n in &self.nodes {
            for op in n.operands() {
                uses[op.index()] += 1;
            }
        }
        if let Some(r) = self.root {
            uses[r.index()] += 1;
        }
        uses
    }
}

/// Folds a unary op on a constant.
#[must_use]
pub fn fold_unary(op: UnaryOp, s: Scalar) -> Scalar {
    with_dtype!(s.dtype(), T => {
        let x: T = s.cast_to();
        if op.is_predicate() { Scalar::Bool(elem::predicate(op, x)) } else { elem::unary(op, x).to_scalar_any() }
    })
}

/// Folds a binary op on two constants of one dtype.
#[must_use]
pub fn fold_binary(op: BinaryOp, a: Scalar, b: Scalar) -> Scalar {
    with_dtype!(a.dtype(), T => {
        let (x, y): (T, T) = (a.cast_to(), b.cast_to());
        if op.is_comparison() { Scalar::Bool(elem::compare(op, x, y)) } else { elem::binary(op, x, y).to_scalar_any() }
    })
}

trait ToScalarAny {
    fn to_scalar_any(self) -> Scalar;
}

impl<T: elem::Elem> ToScalarAny for T {
    fn to_scalar_any(self) -> Scalar {
        self.to_scalar()
    }
}
