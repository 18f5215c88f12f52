//! The stable text form of a function (snapshot tests, the playground's IR panel).

use std::fmt::{self, Write as _};

use super::{Function, Node};
use crate::types::type_str as ty;

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
                Node::Cast(a, d) => format!("cast.{} {}", d.short_name(), v(a)),
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

impl Function {
    /// The IR as JSON, for tools that generate code from it (the playground's JS
    /// baseline): `{ params: [{name, dtype, shape}], nodes: [{id, op, args, dtype, shape,
    /// value?, axis?, to?}], root }`. Constants are exact decimal text (`value`).
    #[must_use]
    pub fn to_json(&self) -> String {
        let f = self;
        let text = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
        let shape = |s: &[usize]| {
            format!(
                "[{}]",
                s.iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        };
        let mut out = String::from("{\"params\":[");
        for (i, p) in f.params.iter().enumerate() {
            let _ = write!(
                out,
                "{}{{\"name\":{},\"dtype\":\"{}\",\"shape\":{}}}",
                if i > 0 { "," } else { "" },
                text(&p.name),
                p.dtype.name(),
                shape(&p.shape)
            );
        }
        out.push_str("],\"nodes\":[");
        for (i, h) in f.handles().enumerate() {
            let node = f.node(h);
            let args: Vec<String> = node
                .operands()
                .iter()
                .map(|a| a.index().to_string())
                .collect();
            let (op, extra) = match *node {
                Node::Input(slot) => ("input".to_owned(), format!(",\"slot\":{slot}")),
                Node::Const(s) => (
                    "const".to_owned(),
                    format!(",\"value\":{}", text(&s.to_string())),
                ),
                Node::Cast(_, d) => ("cast".to_owned(), format!(",\"to\":\"{}\"", d.name())),
                Node::Unary(u, _) => (u.name().to_owned(), String::new()),
                Node::Binary(b, _, _) => (b.name().to_owned(), String::new()),
                Node::Select(..) => ("where".to_owned(), String::new()),
                Node::Reduce(r, _, axis) => (
                    r.name().to_owned(),
                    axis.map_or(String::new(), |a| format!(",\"axis\":{a}")),
                ),
                Node::MulAdd(..) => ("muladd".to_owned(), String::new()),
            };
            let kind = match node {
                Node::Unary(..) => "unary",
                Node::Binary(..) => "binary",
                Node::Reduce(..) => "reduce",
                _ => "other",
            };
            let info = f.info(h);
            let _ = write!(
                out,
                "{}{{\"id\":{},\"kind\":\"{kind}\",\"op\":{},\"args\":[{}],\"dtype\":\"{}\",\"shape\":{}{extra}}}",
                if i > 0 { "," } else { "" },
                h.index(),
                text(&op),
                args.join(","),
                info.dtype.name(),
                shape(&info.shape)
            );
        }
        let root = f.root.map_or("null".to_owned(), |r| r.index().to_string());
        let _ = write!(out, "],\"root\":{root}}}");
        out
    }
}
