//! What the code generator needs to know about a program before it emits anything, and
//! the programs it must refuse: every handle refers to something that exists (so that
//! indexing the arenas cannot panic), the calls form no cycle (recursion is not compiled),
//! the program nests at most `MAX_NESTING` levels (so that the executor, which recurses on
//! the native stack, cannot run out of it where compiled code would not, and so that
//! the generator's own recursion is bounded), expression trees are of bounded size (an
//! expression used twice is emitted twice), and which reads of a local may come before
//! any assignment (a definite-assignment analysis over the structured statements).

use super::{CALL_COST, MAX_NESTING, Unsupported};
use crate::kir::{Expr, ExprId, Function, Program, Stmt};
use crate::syntax::Span;

/// At most this many expression nodes in the tree of one statement's expressions,
/// counting a shared node once per use, as the generated code evaluates it.
const MAX_TREE: u64 = 1 << 20;

/// The facts of a program, one entry per function.
pub(super) struct Facts {
    pub functions: Vec<FunctionFacts>,
}

/// The facts of one function.
pub(super) struct FunctionFacts {
    /// By expression: a `Local` read that may come before the local is assigned.
    pub checked: Vec<bool>,
    /// By local: whether it needs a flag that says it was assigned.
    pub flagged: Vec<bool>,
}

pub(super) fn program(p: &Program) -> Result<Facts, Unsupported> {
    if p.functions.is_empty() {
        return Err(Unsupported::new(
            "",
            Span::default(),
            "a program without functions",
        ));
    }
    let mut own = Vec::with_capacity(p.functions.len());
    let mut callees = Vec::with_capacity(p.functions.len());
    for f in &p.functions {
        handles(p, f)?;
        let (depth, calls) = expr_depths(f)?;
        own.push(statement_nesting(f, &f.body, &depth, 0)?);
        callees.push(calls);
    }
    nesting(p, &own, &callees)?;
    Ok(Facts {
        functions: p.functions.iter().map(assignment).collect(),
    })
}

fn ill_formed(f: &Function, what: &str) -> Unsupported {
    Unsupported::new(
        &f.name,
        Span::default(),
        format!("an ill-formed program ({what})"),
    )
}

/// Every operand comes before its expression, and every local, function and expression
/// named exists (`Function::dangling_handle`).
fn handles(p: &Program, f: &Function) -> Result<(), Unsupported> {
    match f.dangling_handle(p.functions.len()) {
        Some(what) => Err(ill_formed(f, &what)),
        None => Ok(()),
    }
}

/// The depth of every expression's tree (in one pass over the arena, operands coming
/// first) and the functions the function calls. A tree too large to emit is refused.
fn expr_depths(f: &Function) -> Result<(Vec<usize>, Vec<usize>), Unsupported> {
    let n = f.expr_count();
    let mut depth = vec![0usize; n];
    let mut size = vec![0u64; n];
    let mut calls = Vec::new();
    for i in 0..n {
        let e = f.get(ExprId::from_index(i));
        let (mut d, mut s) = (0usize, 1u64);
        e.each_operand(|x| {
            d = d.max(depth[x.index()]);
            s = s.saturating_add(size[x.index()]);
        });
        depth[i] = d + 1;
        size[i] = s;
        if s > MAX_TREE {
            return Err(Unsupported::new(
                &f.name,
                f.span(ExprId::from_index(i)),
                "an expression too large to compile",
            ));
        }
        if let Expr::Call(g, _) = e {
            calls.push(g.index());
        }
    }
    Ok((depth, calls))
}

/// The deepest nesting of the function's statements plus the expressions in them.
fn statement_nesting(
    f: &Function,
    body: &[Stmt],
    depth: &[usize],
    level: usize,
) -> Result<usize, Unsupported> {
    if level > MAX_NESTING {
        return Err(too_deep(&f.name));
    }
    let d = |e: &ExprId| depth[e.index()];
    let mut deepest = level;
    for st in body {
        let here = match st {
            Stmt::Assign(_, v) | Stmt::Eval(v) | Stmt::Return(Some(v)) => d(v),
            Stmt::Store {
                array,
                index,
                value,
                ..
            } => index.iter().map(d).fold(d(array).max(d(value)), usize::max),
            Stmt::If {
                cond,
                then,
                otherwise,
            } => statement_nesting(f, then, depth, level + 1)?
                .max(statement_nesting(f, otherwise, depth, level + 1)?)
                .max(level + d(cond))
                .saturating_sub(level),
            Stmt::For {
                start,
                stop,
                step,
                body,
                ..
            } => statement_nesting(f, body, depth, level + 1)?
                .max(level + d(start).max(d(stop)).max(d(step)))
                .saturating_sub(level),
            Stmt::While { cond, body } => statement_nesting(f, body, depth, level + 1)?
                .max(level + d(cond))
                .saturating_sub(level),
            Stmt::Append { list, value } => d(list).max(d(value)),
            Stmt::ParFor(p) => statement_nesting(f, &p.combine, depth, level + 1)?
                .max(level + p.bounds.iter().map(d).fold(d(&p.call), usize::max))
                .saturating_sub(level),
            Stmt::Break | Stmt::Continue | Stmt::Return(None) | Stmt::Raise { .. } => 0,
        };
        deepest = deepest.max(level + here);
    }
    Ok(deepest)
}

fn too_deep(function: &str) -> Unsupported {
    Unsupported::new(
        function,
        Span::default(),
        format!("nesting deeper than {MAX_NESTING} levels"),
    )
}

/// The nesting of each function with its callees' (each call counting `CALL_COST`
/// more), found bottom-up: a function whose callees are all known gets its total. A
/// function left without one is on a cycle: recursion, not compiled.
fn nesting(p: &Program, own: &[usize], callees: &[Vec<usize>]) -> Result<(), Unsupported> {
    let n = p.functions.len();
    let mut total: Vec<Option<usize>> = vec![None; n];
    loop {
        let mut progress = false;
        for i in 0..n {
            if total[i].is_some() {
                continue;
            }
            let below: Option<usize> = callees[i]
                .iter()
                .map(|&g| total[g].map(|t| t + CALL_COST))
                .try_fold(0usize, |m, t| t.map(|t| m.max(t)));
            if let Some(below) = below {
                let t = own[i] + below;
                if t > MAX_NESTING {
                    return Err(too_deep(&p.functions[i].name));
                }
                total[i] = Some(t);
                progress = true;
            }
        }
        if !progress {
            break;
        }
    }
    match total.iter().position(Option::is_none) {
        Some(i) => Err(Unsupported::new(
            &p.functions[i].name,
            Span::default(),
            "recursion",
        )),
        None => Ok(()),
    }
}

/// The definite-assignment analysis of one function: which `Local` reads may find their
/// local unassigned (the executor raises there), and so which locals need a flag.
fn assignment(f: &Function) -> FunctionFacts {
    let mut a = Assignment {
        f,
        facts: FunctionFacts {
            checked: vec![false; f.expr_count()],
            flagged: vec![false; f.locals.len()],
        },
        seen: vec![0; f.expr_count()],
        stamp: 0,
        stack: Vec::new(),
    };
    let mut state: Vec<bool> = (0..f.locals.len()).map(|i| i < f.n_params).collect();
    a.body(&f.body, &mut state, 0);
    a.facts
}

struct Assignment<'f> {
    f: &'f Function,
    facts: FunctionFacts,
    /// The walk that last visited each expression, so that a tree with shared nodes is
    /// walked in linear time.
    seen: Vec<u32>,
    stamp: u32,
    stack: Vec<ExprId>,
}

impl Assignment<'_> {
    /// Walks a body from `state` (the locals assigned on every path here), leaving in it
    /// the locals assigned on every path out. Returns whether the body can end by
    /// falling through (not by `return`, `break`, `continue` or `raise`).
    fn body(&mut self, body: &[Stmt], state: &mut Vec<bool>, level: usize) -> bool {
        if level > MAX_NESTING {
            // Refused by `statement_nesting` before the facts are used.
            return true;
        }
        for st in body {
            match st {
                Stmt::Assign(l, e) => {
                    self.reads(*e, state);
                    state[l.index()] = true;
                }
                Stmt::Store {
                    array,
                    index,
                    value,
                    ..
                } => {
                    self.reads(*value, state);
                    self.reads(*array, state);
                    for &i in index {
                        self.reads(i, state);
                    }
                }
                Stmt::If {
                    cond,
                    then,
                    otherwise,
                } => {
                    self.reads(*cond, state);
                    let mut s1 = state.clone();
                    let mut s2 = state.clone();
                    let f1 = self.body(then, &mut s1, level + 1);
                    let f2 = self.body(otherwise, &mut s2, level + 1);
                    match (f1, f2) {
                        (true, true) => {
                            for (x, (a, b)) in state.iter_mut().zip(s1.iter().zip(&s2)) {
                                *x = *a && *b;
                            }
                        }
                        (true, false) => *state = s1,
                        (false, true) => *state = s2,
                        (false, false) => return false,
                    }
                }
                Stmt::For {
                    var,
                    start,
                    stop,
                    step,
                    body,
                    ..
                } => {
                    for e in [start, stop, step] {
                        self.reads(*e, state);
                    }
                    // The body may run zero times: nothing it assigns is certain after.
                    let mut s = state.clone();
                    s[var.index()] = true;
                    self.body(body, &mut s, level + 1);
                }
                Stmt::While { cond, body } => {
                    self.reads(*cond, state);
                    let mut s = state.clone();
                    self.body(body, &mut s, level + 1);
                }
                Stmt::Return(v) => {
                    if let Some(v) = v {
                        self.reads(*v, state);
                    }
                    return false;
                }
                Stmt::Break | Stmt::Continue | Stmt::Raise { .. } => return false,
                Stmt::Append { list, value } => {
                    self.reads(*value, state);
                    self.reads(*list, state);
                }
                Stmt::Eval(e) => self.reads(*e, state),
                Stmt::ParFor(p) => {
                    for &e in &p.bounds {
                        self.reads(e, state);
                    }
                    self.reads(p.call, state);
                    // The combine runs once per chunk, possibly never.
                    let mut s = state.clone();
                    for &q in &p.partials {
                        s[q.index()] = true;
                    }
                    self.body(&p.combine, &mut s, level + 1);
                }
            }
        }
        true
    }

    /// Marks the reads in `e`'s tree of locals not assigned in `state`.
    fn reads(&mut self, e: ExprId, state: &[bool]) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen.fill(0);
            self.stamp = 1;
        }
        self.stack.push(e);
        while let Some(x) = self.stack.pop() {
            if self.seen[x.index()] == self.stamp {
                continue;
            }
            self.seen[x.index()] = self.stamp;
            let f = self.f;
            let ex = f.get(x);
            if let Expr::Local(l) = ex
                && !state[l.index()]
            {
                self.facts.checked[x.index()] = true;
                self.facts.flagged[l.index()] = true;
            }
            ex.each_operand(|o| self.stack.push(o));
        }
    }
}
