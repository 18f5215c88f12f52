//! The stable text form of the AST: s-expressions for expressions, one line per statement
//! with blocks indented for modules. Snapshot tests compare it, so a change here is a
//! change of every snapshot.
//!
//! ```text
//! def f (x n=2)                       <- `def f(x, n=2):`
//!   for i in (range n)                <- `for i in range(n):`
//!     augassign ([] x i) *= 2         <- `x[i] *= 2`
//!   return (tuple x ((.sum x)))       <- `return x, x.sum()`
//! ```
//!
//! Recursion follows the AST, whose height the parser bounds (`MAX_DEPTH`), so dumping
//! cannot overflow the stack.

use std::fmt::Write as _;

use super::ast::{
    Alias, Comprehension, Expr, ExprId, ExprKind, Module, Param, ParamKind, StmtId, StmtKind, UnOp,
};

/// Appends the s-expression of `id` to `s`.
pub(super) fn expr(exprs: &[Expr], id: ExprId, s: &mut String) {
    let e = |id: ExprId, s: &mut String| expr(exprs, id, s);
    let list = |head: &str, items: &[ExprId], s: &mut String| {
        s.push('(');
        s.push_str(head);
        for &i in items {
            s.push(' ');
            e(i, s);
        }
        s.push(')');
    };
    match &exprs[id.0 as usize].kind {
        ExprKind::Int(Some(v)) => {
            let _ = write!(s, "{v}");
        }
        ExprKind::Int(None) => s.push_str("<huge int>"),
        ExprKind::Float(v) => {
            let _ = write!(s, "{v:?}");
        }
        ExprKind::Bool(v) => s.push_str(if *v { "True" } else { "False" }),
        ExprKind::NoneLit => s.push_str("None"),
        ExprKind::Name(n) => s.push_str(n),
        ExprKind::Unary(op, a) => {
            s.push_str(match op {
                UnOp::Neg => "(neg ",
                UnOp::Pos => "(pos ",
                UnOp::Invert => "(~ ",
            });
            e(*a, s);
            s.push(')');
        }
        ExprKind::Binary(op, a, b) => list(op.symbol(), &[*a, *b], s),
        ExprKind::Compare(op, a, b) => list(op.symbol(), &[*a, *b], s),
        ExprKind::Call { func, args, kwargs } => {
            // A called name prints bare, `(sum x)`; any other callee prints as its own
            // s-expression in the head, `((.zeros np) n)`.
            s.push('(');
            e(*func, s);
            for &a in args {
                s.push(' ');
                e(a, s);
            }
            for (k, _, v) in kwargs {
                let _ = write!(s, " {k}=");
                e(*v, s);
            }
            s.push(')');
        }
        ExprKind::Attr { base, name, .. } => list(&format!(".{name}"), &[*base], s),
        ExprKind::Str(v) => {
            let _ = write!(s, "{v:?}");
        }
        ExprKind::Bytes(v) => {
            s.push_str("b\"");
            for &c in v {
                match c {
                    b'"' => s.push_str("\\\""),
                    b'\\' => s.push_str("\\\\"),
                    b' '..=b'~' => s.push(c as char),
                    _ => {
                        let _ = write!(s, "\\x{c:02x}");
                    }
                }
            }
            s.push('"');
        }
        ExprKind::Ellipsis => s.push_str("..."),
        ExprKind::Comparison { left, ops } => {
            s.push_str("(cmp ");
            e(*left, s);
            for (op, right) in ops {
                let _ = write!(s, " {} ", op.symbol());
                e(*right, s);
            }
            s.push(')');
        }
        ExprKind::BoolOp { op, values } => list(op.symbol(), values, s),
        ExprKind::Not(a) => list("not", &[*a], s),
        ExprKind::IfExp { test, body, orelse } => list("if", &[*test, *body, *orelse], s),
        ExprKind::Subscript { base, index } => list("[]", &[*base, *index], s),
        ExprKind::Slice { lower, upper, step } => {
            s.push_str("(slice");
            for part in [lower, upper, step] {
                s.push(' ');
                match part {
                    Some(p) => e(*p, s),
                    None => s.push('_'),
                }
            }
            s.push(')');
        }
        ExprKind::Tuple(items) => list("tuple", items, s),
        ExprKind::List(items) => list("list", items, s),
        ExprKind::ListComp { elt, generators } => {
            comprehension(exprs, "listcomp", *elt, generators, s);
        }
        ExprKind::GeneratorExp { elt, generators } => {
            comprehension(exprs, "genexp", *elt, generators, s);
        }
        ExprKind::Starred(a) => list("*", &[*a], s),
        ExprKind::Lambda { params: ps, body } => {
            s.push_str("(lambda ");
            params(exprs, ps, s);
            s.push(' ');
            e(*body, s);
            s.push(')');
        }
        ExprKind::Unsupported { what } => {
            let _ = write!(s, "(unsupported {what:?})");
        }
    }
}

fn comprehension(
    exprs: &[Expr],
    head: &str,
    elt: ExprId,
    generators: &[Comprehension],
    s: &mut String,
) {
    let _ = write!(s, "({head} ");
    expr(exprs, elt, s);
    for g in generators {
        s.push_str(" (for ");
        expr(exprs, g.target, s);
        s.push_str(" in ");
        expr(exprs, g.iter, s);
        for &c in &g.ifs {
            s.push_str(" if ");
            expr(exprs, c, s);
        }
        s.push(')');
    }
    s.push(')');
}

/// `(a b=2 / c * d **kw)`: Python's parameter list with its `/` and `*` markers.
fn params(exprs: &[Expr], ps: &[Param], s: &mut String) {
    s.push('(');
    let mut first = true;
    let mut sep = |s: &mut String| {
        if !first {
            s.push(' ');
        }
        first = false;
    };
    let mut star_seen = false;
    for (k, p) in ps.iter().enumerate() {
        let prev = k.checked_sub(1).map(|j| ps[j].kind);
        if prev == Some(ParamKind::PositionalOnly) && p.kind != ParamKind::PositionalOnly {
            sep(s);
            s.push('/');
        }
        if p.kind == ParamKind::KeywordOnly && !star_seen {
            sep(s);
            s.push('*');
            star_seen = true;
        }
        sep(s);
        match p.kind {
            ParamKind::VarArgs => {
                s.push('*');
                star_seen = true;
            }
            ParamKind::VarKeywords => s.push_str("**"),
            _ => {}
        }
        s.push_str(&p.name);
        if let Some(a) = p.annotation {
            s.push(':');
            expr(exprs, a, s);
        }
        if let Some(d) = p.default {
            s.push('=');
            expr(exprs, d, s);
        }
    }
    if ps
        .last()
        .is_some_and(|p| p.kind == ParamKind::PositionalOnly)
    {
        sep(s);
        s.push('/');
    }
    s.push(')');
}

/// Appends the statements of a block, each on its own line at `indent` levels.
pub(super) fn block(m: &Module, body: &[StmtId], indent: usize, s: &mut String) {
    for &id in body {
        stmt(m, id, indent, s);
    }
}

fn stmt(m: &Module, id: StmtId, indent: usize, s: &mut String) {
    let pad = "  ".repeat(indent);
    let e = |id: ExprId, s: &mut String| expr(&m.exprs, id, s);
    let line = |s: &mut String| s.push_str(&pad);
    match &m.stmt(id).kind {
        StmtKind::FunctionDef(f) => {
            for &d in &f.decorators {
                line(s);
                s.push('@');
                e(d, s);
                s.push('\n');
            }
            line(s);
            let _ = write!(s, "def {} ", f.name);
            params(&m.exprs, &f.params, s);
            if let Some(r) = f.returns {
                s.push_str(" -> ");
                e(r, s);
            }
            s.push('\n');
            block(m, &f.body, indent + 1, s);
            return;
        }
        StmtKind::If { test, body, orelse } => {
            line(s);
            s.push_str("if ");
            e(*test, s);
            s.push('\n');
            block(m, body, indent + 1, s);
            else_block(m, orelse, indent, s);
            return;
        }
        StmtKind::For {
            target,
            iter,
            body,
            orelse,
        } => {
            line(s);
            s.push_str("for ");
            e(*target, s);
            s.push_str(" in ");
            e(*iter, s);
            s.push('\n');
            block(m, body, indent + 1, s);
            else_block(m, orelse, indent, s);
            return;
        }
        StmtKind::While { test, body, orelse } => {
            line(s);
            s.push_str("while ");
            e(*test, s);
            s.push('\n');
            block(m, body, indent + 1, s);
            else_block(m, orelse, indent, s);
            return;
        }
        _ => {}
    }
    line(s);
    match &m.stmt(id).kind {
        StmtKind::Expr(x) => {
            s.push_str("expr ");
            e(*x, s);
        }
        StmtKind::Assign { targets, value } => {
            s.push_str("assign ");
            for &t in targets {
                e(t, s);
                s.push_str(" = ");
            }
            e(*value, s);
        }
        StmtKind::AugAssign { target, op, value } => {
            s.push_str("augassign ");
            e(*target, s);
            let _ = write!(s, " {}= ", op.symbol());
            e(*value, s);
        }
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
        } => {
            s.push_str("annassign ");
            e(*target, s);
            s.push_str(" : ");
            e(*annotation, s);
            if let Some(v) = value {
                s.push_str(" = ");
                e(*v, s);
            }
        }
        StmtKind::Break => s.push_str("break"),
        StmtKind::Continue => s.push_str("continue"),
        StmtKind::Pass => s.push_str("pass"),
        StmtKind::Return(v) => {
            s.push_str("return");
            if let Some(v) = v {
                s.push(' ');
                e(*v, s);
            }
        }
        StmtKind::Assert { test, msg } => {
            s.push_str("assert ");
            e(*test, s);
            if let Some(msg) = msg {
                s.push_str(", ");
                e(*msg, s);
            }
        }
        StmtKind::Raise { exc, cause } => {
            s.push_str("raise");
            if let Some(x) = exc {
                s.push(' ');
                e(*x, s);
            }
            if let Some(c) = cause {
                s.push_str(" from ");
                e(*c, s);
            }
        }
        StmtKind::Import(names) => {
            s.push_str("import ");
            aliases(names, s);
        }
        StmtKind::ImportFrom {
            module,
            level,
            names,
        } => {
            let _ = write!(
                s,
                "from {}{} import ",
                ".".repeat(*level as usize),
                module.as_deref().unwrap_or("")
            );
            aliases(names, s);
        }
        StmtKind::Global(names) | StmtKind::Nonlocal(names) => {
            let kw = if matches!(m.stmt(id).kind, StmtKind::Global(_)) {
                "global "
            } else {
                "nonlocal "
            };
            s.push_str(kw);
            let names: Vec<&str> = names.iter().map(|(n, _)| n.as_str()).collect();
            s.push_str(&names.join(", "));
        }
        StmtKind::Unsupported { what } => {
            let _ = write!(s, "unsupported {what:?}");
        }
        StmtKind::FunctionDef(_)
        | StmtKind::If { .. }
        | StmtKind::For { .. }
        | StmtKind::While { .. } => {}
    }
    s.push('\n');
}

fn else_block(m: &Module, orelse: &[StmtId], indent: usize, s: &mut String) {
    if !orelse.is_empty() {
        s.push_str(&"  ".repeat(indent));
        s.push_str("else\n");
        block(m, orelse, indent + 1, s);
    }
}

fn aliases(names: &[Alias], s: &mut String) {
    for (k, a) in names.iter().enumerate() {
        if k > 0 {
            s.push_str(", ");
        }
        s.push_str(&a.name);
        if let Some(asname) = &a.asname {
            let _ = write!(s, " as {asname}");
        }
    }
}
