//! The optimization passes. Each rebuilds the function node by node: `rewrite` maps
//! operands to the new function and lets a rule replace a node by any value it builds.

use crate::ir::{Function, Node, Value};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, Scalar, UnaryOp};

/// Rebuilds `f`, offering each node (operands already mapped) to `rule`, which may return
/// a replacement built in the new function.
fn rewrite(
    f: &Function,
    mut rule: impl FnMut(&mut Function, Node, Span, Value) -> Option<Value>,
) -> Function {
    let mut out = Function::new(f.params.clone());
    let mut map: Vec<Value> = Vec::with_capacity(f.len());
    for h in f.handles() {
        let node = f.node(h).map(|x| map[x.index()]);
        let span = f.span(h);
        let v = match rule(&mut out, node, span, h) {
            Some(v) => v,
            None => out.fetch_or_append(node, span),
        };
        map.push(v);
    }
    out.root = Some(map[f.root().index()]);
    out.compact();
    out
}

fn is_const(f: &Function, h: Value, v: f64) -> bool {
    f.as_const(h).is_some_and(|c| {
        c.to_f64() == v && !(v == 0.0 && c.dtype().is_float() && c.to_f64().is_sign_negative())
    })
}

/// Identities that hold bit for bit: `x*1`, `x/1`, `x-0`, integer `x+0`, `--x`, `~~b`.
pub fn algebra(f: &Function) -> Function {
    rewrite(f, |g, node, _, _| match node {
        Node::Binary(BinaryOp::Mul, a, b) if is_const(g, b, 1.0) && g.shape(b).is_empty() => {
            Some(a)
        }
        Node::Binary(BinaryOp::Mul, a, b) if is_const(g, a, 1.0) && g.shape(a).is_empty() => {
            Some(b)
        }
        Node::Binary(BinaryOp::TrueDiv, a, b) if is_const(g, b, 1.0) => Some(a),
        Node::Binary(BinaryOp::Sub, a, b) if is_const(g, b, 0.0) && g.dtype(a).is_int() => Some(a),
        Node::Binary(BinaryOp::Add, a, b) if is_const(g, b, 0.0) && g.dtype(a).is_int() => Some(a),
        Node::Binary(BinaryOp::Add, a, b) if is_const(g, a, 0.0) && g.dtype(b).is_int() => Some(b),
        Node::Unary(UnaryOp::Neg, a) => match *g.node(a) {
            Node::Unary(UnaryOp::Neg, x) => Some(x),
            _ => None,
        },
        Node::Unary(UnaryOp::Invert, a) if g.dtype(a) == DType::Bool => match *g.node(a) {
            Node::Unary(UnaryOp::Invert, x) => Some(x),
            _ => None,
        },
        _ => None,
    })
}

/// `x**n` for a constant exponent becomes cheaper operations where that gives NumPy's
/// bits: for integers, any `0 <= n <= 50` by binary powering (wrapping products are exact
/// in any order, as NumPy's own integer power); for floats only the exponents NumPy itself
/// computes that way, `0` (ones), `1`, `2` (`x*x`), `0.5` (`sqrt`) and `-1` (`1/x`).
/// Other float exponents stay `pow`: a chain of roundings drifts from it (x**50 by
/// products was 38 ULP off NumPy's), and `x*sqrt(x)` gets `(-inf)**1.5` and `(-0)**2.5`
/// wrong.
pub fn pow_strength_reduction(f: &Function) -> Function {
    rewrite(f, |g, node, span, _| {
        let Node::Binary(BinaryOp::Pow, x, e) = node else {
            return None;
        };
        let c = g.as_const(e)?;
        let d = g.dtype(x);
        let ev = c.to_f64();
        if !ev.is_finite() || ev.abs() > 50.0 || (ev * 2.0).fract() != 0.0 {
            return None;
        }
        if d.is_float() && ![0.0, 1.0, 2.0, 0.5, -1.0].contains(&ev) {
            return None;
        }
        let whole = ev.trunc().abs() as u32;
        let half = ev.fract() != 0.0;
        if d.is_int() && (half || ev < 0.0) {
            return None;
        }
        let one = g.constant(Scalar::one(d), span);
        if ev == 0.0 {
            return Some(g.fetch_or_append(Node::Unary(UnaryOp::One, x), span));
        }
        let mut acc: Option<Value> = None;
        let mut base = x;
        let mut k = whole;
        while k > 0 {
            if k & 1 == 1 {
                acc = Some(match acc {
                    None => base,
                    Some(a) => g.fetch_or_append(Node::Binary(BinaryOp::Mul, a, base), span),
                });
            }
            k >>= 1;
            if k > 0 {
                base = g.fetch_or_append(Node::Binary(BinaryOp::Mul, base, base), span);
            }
        }
        if half {
            let s = g.fetch_or_append(Node::Unary(UnaryOp::Sqrt, x), span);
            acc = Some(match acc {
                None => s,
                Some(a) => g.fetch_or_append(Node::Binary(BinaryOp::Mul, a, s), span),
            });
        }
        let acc = acc?;
        if ev < 0.0 {
            return Some(g.fetch_or_append(Node::Binary(BinaryOp::TrueDiv, one, acc), span));
        }
        Some(acc)
    })
}

/// `x / c` becomes `x * (1/c)` when `1/c` is exact (a power of two), which gives the same
/// bits; other divisors stay divisions (run by a scalar-operand superinstruction).
pub fn div_by_constant(f: &Function) -> Function {
    rewrite(f, |g, node, span, _| {
        let Node::Binary(BinaryOp::TrueDiv, x, c) = node else {
            return None;
        };
        let k = g.as_const(c)?;
        let v = k.to_f64();
        if v == 0.0 || !v.is_finite() {
            return None;
        }
        let r = 1.0 / v;
        let (m, _) = frexp(v);
        let exact = m.abs() == 0.5
            && r.is_finite()
            && r != 0.0
            && (k.dtype() == DType::F64 || (r as f32) as f64 == r && (r as f32).is_normal());
        if !exact {
            return None;
        }
        let rc = g.constant(Scalar::from_f64(r, k.dtype()), span);
        Some(g.fetch_or_append(Node::Binary(BinaryOp::Mul, x, rc), span))
    })
}

fn frexp(v: f64) -> (f64, i32) {
    if v == 0.0 || !v.is_finite() {
        return (v, 0);
    }
    let bits = v.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        return (v, 0);
    }
    let m = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (m, exp - 1022)
}

/// `where(c, a, a)` is `a`; `where(~c, a, b)` is `where(c, b, a)`; a comparison of an
/// integer value with itself is constant.
pub fn compare_select(f: &Function) -> Function {
    rewrite(f, |g, node, span, _| match node {
        // Only when the condition does not broadcast `a` to a larger shape.
        Node::Select(c, a, b)
            if a == b
                && crate::types::broadcast(g.shape(c), g.shape(a))
                    .ok()
                    .as_deref()
                    == Some(g.shape(a)) =>
        {
            Some(a)
        }
        Node::Select(c, a, b) => match *g.node(c) {
            Node::Unary(UnaryOp::Invert, inner) => {
                Some(g.fetch_or_append(Node::Select(inner, b, a), span))
            }
            _ => None,
        },
        Node::Binary(op, a, b) if a == b && op.is_comparison() && g.dtype(a).is_int() => {
            let r = matches!(op, BinaryOp::Le | BinaryOp::Eq | BinaryOp::Ge);
            let fill = g.fetch_or_append(
                Node::Unary(if r { UnaryOp::One } else { UnaryOp::Zero }, a),
                span,
            );
            Some(g.cast(fill, DType::Bool, span))
        }
        _ => None,
    })
}

/// `a*b + c` (and `c + a*b`) where the product has no other use becomes one `MulAdd`
/// node, which the code generator runs as one pass (two roundings, like NumPy).
pub fn muladd_fusion(f: &Function) -> Function {
    let uses = f.use_counts();
    let single_mul =
        |h: Value| matches!(f.node(h), Node::Binary(BinaryOp::Mul, _, _)) && uses[h.index()] == 1;
    rewrite(f, |g, node, span, old| {
        let (Node::Binary(BinaryOp::Add, a, b), Node::Binary(_, oa, ob)) = (node, *f.node(old))
        else {
            return None;
        };
        if !g.dtype(a).is_float() {
            return None;
        }
        let (prod, addend) = if single_mul(oa) {
            (a, b)
        } else if single_mul(ob) {
            (b, a)
        } else {
            return None;
        };
        let Node::Binary(BinaryOp::Mul, x, y) = *g.node(prod) else {
            return None;
        };
        Some(g.fetch_or_append(Node::MulAdd(x, y, addend), span))
    })
}

/// Drops nodes the root does not use (every pass does it on the way; this one only
/// names it in the pass list).
pub fn dead_code(f: &Function) -> Function {
    let mut g = f.clone();
    g.compact();
    g
}
