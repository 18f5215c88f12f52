//! The stable text form of kernel IR: snapshot tests and the playground's typed-IR panel.
//!
//! ```text
//! fn ssum(a: array(int64, 1d, C)) -> int64 {
//!   let s: int64
//!   let x: int64
//!   s = 0:i64
//!   for $i: int64 in range(0:i64, dim0(a), 1:i64) {
//!     x = load(a, $i)
//!     s = add(s, x)
//!   }
//!   return s
//! }
//! ```
//!
//! Expressions print as nested calls of their operation's name; constants carry their
//! dtype (`2.5:f64`), locals their source name.

use std::fmt::{self, Write as _};

use super::{Expr, ExprId, Function, Index, Program, Stmt};

impl Function {
    /// One expression as text.
    #[must_use]
    pub fn expr_text(&self, e: ExprId) -> String {
        let mut s = String::new();
        self.write_expr(&mut s, e);
        s
    }

    fn write_expr(&self, s: &mut String, e: ExprId) {
        let list = |f: &Self, s: &mut String, items: &[ExprId]| {
            for (i, &x) in items.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                f.write_expr(s, x);
            }
        };
        match self.get(e) {
            Expr::Const(c) => {
                let _ = write!(s, "{c}:{}", c.dtype().short_name());
            }
            Expr::Local(l) => s.push_str(&self.local_decl(*l).name),
            Expr::NoneVal => s.push_str("None"),
            Expr::Cast(a, d) => {
                let _ = write!(s, "cast.{}(", d.short_name());
                self.write_expr(s, *a);
                s.push(')');
            }
            Expr::Unary(op, a) => {
                let _ = write!(s, "{}(", op.name());
                self.write_expr(s, *a);
                s.push(')');
            }
            Expr::Binary(op, a, b) => {
                let _ = write!(s, "{}(", op.name());
                list(self, s, &[*a, *b]);
                s.push(')');
            }
            Expr::PyDiv(op, a, b) => {
                let _ = write!(s, "py.{}(", op.name());
                list(self, s, &[*a, *b]);
                s.push(')');
            }
            Expr::Cond(c, a, b) => {
                s.push_str("cond(");
                list(self, s, &[*c, *a, *b]);
                s.push(')');
            }
            Expr::Load(a, idx) => {
                s.push_str(if self.is_in_bounds(e) {
                    "load.inbounds("
                } else {
                    "load("
                });
                self.write_expr(s, *a);
                for &i in idx {
                    s.push_str(", ");
                    self.write_expr(s, i);
                }
                s.push(')');
            }
            Expr::View(a, idx) => {
                s.push_str("view(");
                self.write_expr(s, *a);
                s.push_str(", [");
                for (k, i) in idx.iter().enumerate() {
                    if k > 0 {
                        s.push_str(", ");
                    }
                    match i {
                        Index::At(x) => self.write_expr(s, *x),
                        Index::Slice { start, stop, step } => {
                            for (j, part) in [start, stop, step].into_iter().enumerate() {
                                if j > 0 {
                                    s.push(':');
                                }
                                if let Some(x) = part {
                                    self.write_expr(s, *x);
                                }
                            }
                        }
                    }
                }
                s.push_str("])");
            }
            Expr::Dim(a, axis) => {
                let _ = write!(s, "dim{axis}(");
                self.write_expr(s, *a);
                s.push(')');
            }
            Expr::Tuple(items) => {
                s.push('(');
                list(self, s, items);
                if items.len() == 1 {
                    s.push(',');
                }
                s.push(')');
            }
            Expr::TupleGet(t, i) => {
                self.write_expr(s, *t);
                let _ = write!(s, ".{i}");
            }
            Expr::ListLen(l) => {
                s.push_str("len(");
                self.write_expr(s, *l);
                s.push(')');
            }
            Expr::ListGet(l, i) => {
                s.push_str("list_get(");
                list(self, s, &[*l, *i]);
                s.push(')');
            }
            Expr::Call(f, args) => {
                let _ = write!(s, "call f{}(", f.index());
                list(self, s, args);
                s.push(')');
            }
            Expr::Intrinsic(op, args) => {
                let _ = write!(s, "np.{op:?}(");
                list(self, s, args);
                let _ = write!(s, ") : {}", self.ty(e));
            }
        }
    }

    fn write_body(&self, s: &mut String, body: &[Stmt], depth: usize) {
        for st in body {
            let pad = "  ".repeat(depth);
            match st {
                Stmt::Assign(l, e) => {
                    let _ = writeln!(
                        s,
                        "{pad}{} = {}",
                        self.local_decl(*l).name,
                        self.expr_text(*e)
                    );
                }
                Stmt::Store {
                    array,
                    index,
                    value,
                    ..
                } => {
                    let idx: Vec<String> = index.iter().map(|&i| self.expr_text(i)).collect();
                    let _ = writeln!(
                        s,
                        "{pad}{}({}, {}) = {}",
                        if self.is_in_bounds(*array) {
                            "store.inbounds"
                        } else {
                            "store"
                        },
                        self.expr_text(*array),
                        idx.join(", "),
                        self.expr_text(*value)
                    );
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    let _ = writeln!(s, "{pad}if {} {{", self.expr_text(*cond));
                    self.write_body(s, then, depth + 1);
                    if !otherwise.is_empty() {
                        let _ = writeln!(s, "{pad}}} else {{");
                        self.write_body(s, otherwise, depth + 1);
                    }
                    let _ = writeln!(s, "{pad}}}");
                }
                Stmt::For {
                    var,
                    start,
                    stop,
                    step,
                    body,
                    parallel,
                    ..
                } => {
                    let v = self.local_decl(*var);
                    let _ = writeln!(
                        s,
                        "{pad}for {}: {} in {}({}, {}, {}) {{",
                        v.name,
                        v.ty,
                        if *parallel { "prange" } else { "range" },
                        self.expr_text(*start),
                        self.expr_text(*stop),
                        self.expr_text(*step)
                    );
                    self.write_body(s, body, depth + 1);
                    let _ = writeln!(s, "{pad}}}");
                }
                Stmt::While { cond, body } => {
                    let _ = writeln!(s, "{pad}while {} {{", self.expr_text(*cond));
                    self.write_body(s, body, depth + 1);
                    let _ = writeln!(s, "{pad}}}");
                }
                Stmt::Break => {
                    let _ = writeln!(s, "{pad}break");
                }
                Stmt::Continue => {
                    let _ = writeln!(s, "{pad}continue");
                }
                Stmt::Return(None) => {
                    let _ = writeln!(s, "{pad}return");
                }
                Stmt::Return(Some(e)) => {
                    let _ = writeln!(s, "{pad}return {}", self.expr_text(*e));
                }
                Stmt::Raise { kind, message, .. } => {
                    let _ = writeln!(s, "{pad}raise {}({message:?})", kind.name());
                }
                Stmt::Append { list, value } => {
                    let _ = writeln!(
                        s,
                        "{pad}append({}, {})",
                        self.expr_text(*list),
                        self.expr_text(*value)
                    );
                }
                Stmt::Eval(e) => {
                    let _ = writeln!(s, "{pad}{}", self.expr_text(*e));
                }
                Stmt::ParFor(p) => {
                    let [start, stop, step] = p.bounds.map(|b| self.expr_text(b));
                    let partials: Vec<&str> = p
                        .partials
                        .iter()
                        .map(|&l| self.local_decl(l).name.as_str())
                        .collect();
                    let _ = writeln!(
                        s,
                        "{pad}parallel for chunks of range({start}, {stop}, {step}) -> ({}) = {} {{",
                        partials.join(", "),
                        self.expr_text(p.call)
                    );
                    self.write_body(s, &p.combine, depth + 1);
                    let _ = writeln!(s, "{pad}}}");
                }
            }
        }
    }
}

impl fmt::Display for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<String> = self
            .params()
            .map(|p| {
                let l = self.local_decl(p);
                format!("{}: {}", l.name, l.ty)
            })
            .collect();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "fn {}({}) -> {} {{",
            self.name,
            params.join(", "),
            self.ret
        );
        for l in &self.locals[self.n_params..] {
            let _ = writeln!(s, "  let {}: {}", l.name, l.ty);
        }
        self.write_body(&mut s, &self.body, 1);
        s.push('}');
        f.write_str(&s)
    }
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, func) in self.functions.iter().enumerate() {
            if i > 0 {
                f.write_str("\n\n")?;
            }
            write!(f, "// f{i}\n{func}")?;
        }
        Ok(())
    }
}
