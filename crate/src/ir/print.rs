//! The stable text form of a function (snapshot tests, the playground's IR panel).

use std::fmt::{self, Write as _};

use super::{Function, Node};
use crate::types::DType;

/// Short dtype names for dumps.
#[must_use]
pub fn short(d: DType) -> &'static str {
    match d {
        DType::Bool => "bool",
        DType::I8 => "i8",
        DType::I16 => "i16",
        DType::I32 => "i32",
        DType::I64 => "i64",
        DType::U8 => "u8",
        DType::U16 => "u16",
        DType::U32 => "u32",
        DType::U64 => "u64",
        DType::F32 => "f32",
        DType::F64 => "f64",
    }
}

/// `f64[1000]`, `i8[2,3]`, `bool[]`.
#[must_use]
pub fn ty(d: DType, shape: &[usize]) -> String {
    let dims: Vec<String> = shape.iter().map(ToString::to_string).collect();
    format!("{}[{}]", short(d), dims.join(","))
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<String> = self
            .params
            .iter()
            .map(|p| format!("{}: {}", p.name, ty(p.dtype, &p.shape)))
            .collect();
        let mut s = String::new();
        let _ = write!(s, "fn({})", params.join(", "));
        if let Some(r) = self.root {
            let _ = write!(s, " -> {}", ty(self.dtype(r), self.shape(r)));
        }
        s.push_str(" {\n");
        for h in self.handles() {
            let v = |x: super::Value| format!("v{}", x.index());
            let rhs = match *self.node(h) {
                Node::Input(slot) => format!("input {}", self.params[slot as usize].name),
                Node::Const(c) => format!("const {c}"),
                Node::Cast(a, d) => format!("cast.{} {}", short(d), v(a)),
                Node::Unary(op, a) => format!("{} {}", op.name(), v(a)),
                Node::Binary(op, a, b) => format!("{} {}, {}", op.name(), v(a), v(b)),
                Node::Select(c, a, b) => format!("select {}, {}, {}", v(c), v(a), v(b)),
                Node::MulAdd(a, b, c) => format!("muladd {}, {}, {}", v(a), v(b), v(c)),
                Node::Reduce(op, a, axis) => match axis {
                    None => format!("reduce.{} {}", op.name(), v(a)),
                    Some(ax) => format!("reduce.{} {}, axis={ax}", op.name(), v(a)),
                },
            };
            let _ = writeln!(
                s,
                "  v{} = {rhs} : {}",
                h.index(),
                ty(self.dtype(h), self.shape(h))
            );
        }
        if let Some(r) = self.root {
            let _ = writeln!(s, "  return v{}", r.index());
        }
        s.push('}');
        f.write_str(&s)
    }
}
