//! The reference evaluator: walks the IR node by node, computing every node as a whole
//! array of scalars, element by element, with broadcasting done by index arithmetic. Slow
//! and obviously correct; the differential tests hold the VM to it.

use super::{Function, Node, fold_binary, fold_unary};
use crate::syntax::Span;
use crate::types::{
    BinaryOp, Buffer, BufferRef, DType, ReduceOp, Scalar, Shape, broadcast_strides, elem, size_of,
};

/// A whole array of scalars.
#[derive(Debug, Clone, PartialEq)]
pub struct Arr {
    pub dtype: DType,
    pub shape: Shape,
    pub data: Vec<Scalar>,
}

impl Arr {
    /// Converts to a typed buffer.
    #[must_use]
    pub fn to_buffer(&self) -> Buffer {
        Buffer::from_scalars(self.dtype, self.data.iter().copied())
    }
}

/// A run-time error (a negative integer power) with the span of the operation.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
}

/// Evaluates `f` on `inputs` (one buffer per parameter, in order).
pub fn evaluate(f: &Function, inputs: &[BufferRef<'_>]) -> Result<Arr, EvalError> {
    let mut vals: Vec<Arr> = Vec::with_capacity(f.len());
    for h in f.handles() {
        let info = f.info(h);
        let shape = info.shape.clone();
        let n = size_of(&shape);
        // Element `i` of operand `a`, broadcast to this node's shape.
        let at = |a: &Arr, i: usize| -> Scalar {
            let strides = broadcast_strides(&a.shape, &shape);
            let mut rem = i;
            let mut off = 0;
            for d in (0..shape.len()).rev() {
                off += (rem % shape[d]) * strides[d];
                rem /= shape[d];
            }
            a.data[off]
        };
        let v = |x: super::Value| &vals[x.index()];
        let data: Vec<Scalar> = match *f.node(h) {
            Node::Input(slot) => {
                let b = &inputs[slot as usize];
                (0..b.len()).map(|i| b.get(i)).collect()
            }
            Node::Const(c) => vec![c],
            Node::Cast(a, d) => (0..n).map(|i| at(v(a), i).cast(d)).collect(),
            Node::Unary(op, a) => (0..n).map(|i| fold_unary(op, at(v(a), i))).collect(),
            Node::Binary(op, a, b) => {
                use crate::types::math::OneLane;
                let mut out = Vec::with_capacity(n);
                // A constant exponent runs the VM's constant-exponent instruction (integer
                // powers through their own kernel): the same here.
                let const_pow = op == BinaryOp::Pow && matches!(f.node(b), Node::Const(_));
                for i in 0..n {
                    let (x, y) = (at(v(a), i), at(v(b), i));
                    if op == BinaryOp::Pow && y.dtype().is_int() && y.to_i128() < 0 {
                        return Err(EvalError {
                            message: "Integers to negative integer powers are not allowed.".into(),
                            span: f.span(h),
                        });
                    }
                    out.push(match (const_pow, x, y) {
                        (true, Scalar::F64(x), Scalar::F64(k)) => {
                            Scalar::F64(f64::pow_const_one(x, k))
                        }
                        (true, Scalar::F32(x), Scalar::F32(k)) => {
                            Scalar::F32(f32::pow_const_one(x, k))
                        }
                        _ => fold_binary(op, x, y),
                    });
                }
                out
            }
            Node::Select(c, a, b) => (0..n)
                .map(|i| {
                    if at(v(c), i).is_truthy() {
                        at(v(a), i)
                    } else {
                        at(v(b), i)
                    }
                })
                .collect(),
            Node::MulAdd(a, b, c) => (0..n)
                .map(|i| {
                    let p = fold_binary(BinaryOp::Mul, at(v(a), i), at(v(b), i));
                    fold_binary(BinaryOp::Add, p, at(v(c), i))
                })
                .collect(),
            Node::Reduce(op, a, axis) => reduce(op, v(a), axis),
        };
        vals.push(Arr {
            dtype: info.dtype,
            shape,
            data,
        });
    }
    Ok(vals.swap_remove(f.root().index()))
}

/// NumPy's reduction order: float sums over all axes, or along the last axis, are
/// pairwise (`pairwise_sum`, NumPy's algorithm) starting from 0; along other axes and for
/// the other reductions, sequential in index order.
fn reduce(op: ReduceOp, a: &Arr, axis: Option<u32>) -> Vec<Scalar> {
    let d = a.dtype;
    let pairwise = |xs: &[Scalar]| -> Scalar {
        crate::with_dtype!(d, T => {
            let v: Vec<T> = xs.iter().map(|x| x.cast_to::<T>()).collect();
            elem::Elem::to_scalar(<T as elem::Elem>::add(<T as elem::Elem>::zero(), elem::pairwise_sum(&v)))
        })
    };
    let last = axis.is_none_or(|ax| ax as usize + 1 == a.shape.len());
    if op == ReduceOp::Sum && d.is_float() && last {
        let len = axis.map_or(a.data.len(), |ax| a.shape[ax as usize]);
        if len == 0 {
            let rows = if axis.is_some() {
                size_of(&a.shape[..a.shape.len() - 1])
            } else {
                1
            };
            return vec![Scalar::zero(d); rows];
        }
        return a.data.chunks(len).map(pairwise).collect();
    }
    let identity = match op {
        ReduceOp::Sum | ReduceOp::Any => Scalar::zero(d),
        ReduceOp::Prod | ReduceOp::All => Scalar::one(d),
        ReduceOp::Min | ReduceOp::Max => Scalar::zero(d),
    };
    let combine = |acc: Option<Scalar>, x: Scalar| -> Scalar {
        let Some(acc) = acc else {
            return match op {
                ReduceOp::Sum | ReduceOp::Prod => fold_binary(
                    if op == ReduceOp::Sum {
                        BinaryOp::Add
                    } else {
                        BinaryOp::Mul
                    },
                    identity,
                    x,
                ),
                _ => x,
            };
        };
        let bop = match op {
            ReduceOp::Sum => BinaryOp::Add,
            ReduceOp::Prod => BinaryOp::Mul,
            ReduceOp::Min => BinaryOp::Minimum,
            ReduceOp::Max => BinaryOp::Maximum,
            ReduceOp::Any => BinaryOp::Or,
            ReduceOp::All => BinaryOp::And,
        };
        fold_binary(bop, acc, x)
    };
    match axis {
        None => vec![
            a.data
                .iter()
                .fold(None, |acc, &x| Some(combine(acc, x)))
                .unwrap_or(identity),
        ],
        Some(ax) => {
            let ax = ax as usize;
            let outer: usize = a.shape[..ax].iter().product();
            let len = a.shape[ax];
            let inner: usize = a.shape[ax + 1..].iter().product();
            let mut out = Vec::with_capacity(outer * inner);
            for o in 0..outer {
                for i in 0..inner {
                    let mut acc = None;
                    for k in 0..len {
                        acc = Some(combine(acc, a.data[(o * len + k) * inner + i]));
                    }
                    out.push(acc.unwrap_or(identity));
                }
            }
            out
        }
    }
}
