//! kir::parallel: the `prange` loops of `parallel=True` kernels made into parallel loops
//! (Numba's ParallelAccelerator for explicit loops).
//!
//! ```text
//! Stmt::For { parallel: true }  ──parallelize──▶  Stmt::ParFor { call: chunk(captures…) }
//!                                                 + a chunk function appended to the program
//! ```
//!
//! A parallel loop runs its iterations in chunks. The chunk function takes the values the
//! body reads from outside (its captures), then `start`, `step` (int64) and the chunk's
//! iteration range `lo..hi` (counted from 0), runs the body for those iterations, and
//! returns the partial value of each reduction variable. The statement that replaces the
//! loop evaluates the range, splits its trip count into chunks ([`chunk_plan`], which
//! depends on the trip count and the loop's estimated cost only, never on the thread
//! count), runs the chunks (the code generator hands them to the pool; the reference
//! executor runs them in order), and then, chunk by chunk in order, assigns the chunk's
//! partials to the statement's `partials` locals and runs `combine`, which folds them into
//! the reduction variables. So a parallel kernel's result is bit-identical for any number
//! of threads, and the same on both tiers.
//!
//! Reductions (as Numba infers them): a variable assigned in the body only by
//! `v += x`, `v -= x` (also spelled `v = v + x`, `v = x + v`, `v = v - x`), `v *= x`,
//! `v /= x`, `v = max(v, x)` or `v = min(v, x)`, one kind per variable (`+=` and `-=` mix),
//! and read in the body only there. A chunk starts `+`/`-` reductions at zero (`-0.0`
//! for floats, which adds exactly) and `*`/`/` at one, and combines with `+` and `*`;
//! `max`/`min` start at the variable's value before the loop and combine with themselves.
//!
//! Every other variable the body assigns is private to an iteration. That is only sound
//! when no iteration can see another's value: a private variable read before it is
//! assigned in the iteration, or read outside the loop, is a [`SafetyError`] (Numba's
//! TypingError for a race), pointing at the line. A loop that returns, breaks, appends to
//! a list made outside it or updates a whole array from itself (an array reduction) stays
//! a serial loop, and the [`Report`] says why. A `prange` inside a parallel loop's body
//! runs serially, as in Numba.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use super::copy::Copier;
use super::{Expr, ExprId, Function, Intrinsic, LocalId, Program, Stmt, Ty};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, Scalar};

/// The most chunks a loop is split into: enough to balance 16 threads.
pub const MAX_CHUNKS: u64 = 64;

/// The least estimated work of a chunk, in nanoseconds: a chunk costs one call on a pool
/// thread (about a microsecond), which this keeps small beside its work.
pub const MIN_CHUNK_NS: f64 = 20_000.0;

/// The chunk length and the number of chunks of a loop of `trips` iterations whose
/// estimated cost is `cost_ns` per iteration. Depends on nothing else (not on threads).
#[must_use]
pub fn chunk_plan(trips: u64, cost_ns: f64) -> (u64, u64) {
    if trips == 0 {
        return (1, 0);
    }
    let by_count = trips.div_ceil(MAX_CHUNKS);
    let by_cost = if cost_ns.is_finite() && cost_ns > 0.0 {
        (MIN_CHUNK_NS / cost_ns).ceil().min(1e18) as u64
    } else {
        1
    };
    let chunk = by_count.max(by_cost).max(1);
    (chunk, trips.div_ceil(chunk))
}

/// The bounds of chunk `c` of a loop split into chunks of `chunk` iterations.
#[must_use]
pub fn chunk_bounds(c: u64, chunk: u64, trips: u64) -> (u64, u64) {
    let lo = c.saturating_mul(chunk).min(trips);
    (lo, lo.saturating_add(chunk).min(trips))
}

/// A parallel loop (see the module's documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct ParLoop {
    /// `Expr::Call(chunk, captures)`: the chunk function and the values it reads from
    /// outside; each chunk's call appends `start`, `step`, `lo`, `hi` (int64).
    pub call: ExprId,
    /// The range's `start`, `stop`, `step`, as in [`Stmt::For`].
    pub bounds: [ExprId; 3],
    /// The locals a chunk's partials are assigned to before `combine` runs (the items of
    /// the chunk function's result, in order).
    pub partials: Vec<LocalId>,
    /// Folds the partials into the reduction variables, once per chunk in chunk order.
    pub combine: Vec<Stmt>,
    /// The estimated cost of one iteration in nanoseconds (for [`chunk_plan`]).
    pub cost_ns: f64,
    /// Whether a chunk's partials include arrays (array reductions), which the chunk
    /// allocates and the caller combines after every chunk has run: what chunks allocate
    /// is then kept until the call ends rather than freed with the chunk.
    pub keeps_allocations: bool,
    pub span: Span,
}

/// Whether consecutive chunks of loop `p`, whose chunk function is `chunk`, may run as
/// one call: the chunks leave no partials (so nothing is combined per chunk) and the chunk
/// function allocates nothing (a merged call would hold what each chunk frees). Chunks
/// that only load, compute and store give the same memory whichever way their iterations
/// are grouped, and the first error in iteration order is the first recorded.
#[must_use]
pub fn chunks_merge(p: &ParLoop, chunk: &Function) -> bool {
    if !p.partials.is_empty() || p.keeps_allocations {
        return false;
    }
    let pure = chunk.exprs().all(|e| {
        !matches!(
            e,
            Expr::Call(..) | Expr::Intrinsic(..) | Expr::View(..) | Expr::Tuple(..)
        )
    });
    let mut plain = true;
    each_stmt(&chunk.body, &mut |st| {
        if matches!(st, Stmt::Append { .. } | Stmt::ParFor(_)) {
            plain = false;
        }
    });
    pure && plain
}

/// A `prange` body that would race: a TypingError at `span`.
#[derive(Debug, Clone, PartialEq)]
pub struct SafetyError {
    pub message: String,
    pub span: Span,
}

/// What the pass did, for the parallel diagnostics.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub loops: Vec<LoopReport>,
    /// Whole-array operations of the parallel kernel's functions (they run serially).
    pub array_exprs: Vec<(String, Span, String)>,
    /// Whole-array operations made into prange loops (`kir::parfor`): the function, the
    /// expression's span and the operations fused into one loop.
    pub fused: Vec<(String, Span, Vec<String>)>,
}

/// One `prange` loop.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopReport {
    /// Numbered from 0 in the order the loops were found.
    pub id: usize,
    pub function: String,
    pub span: Span,
    /// `None`: a parallel loop; otherwise why it runs serially.
    pub serial: Option<String>,
    /// `(variable, operator)`: `+`, `*`, `max`, `min`.
    pub reductions: Vec<(String, &'static str)>,
    pub private: Vec<String>,
    pub captured: Vec<String>,
    /// `prange` loops nested in this one's body, which run serially.
    pub nested: Vec<Span>,
    pub cost_ns: f64,
}

/// The kind of a reduction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Red {
    Add,
    Mul,
    Max,
    Min,
    /// `v = np.maximum(v, x)` (`acc_first`) or `v = np.maximum(x, v)`: NumPy's maximum,
    /// NaN-propagating, folded and combined with the operands in the body's order (so of
    /// equal values and of NaNs the same one wins as in a serial loop). `kir::parfor`
    /// makes `np.max` one of these.
    Maximum {
        acc_first: bool,
    },
    /// As `Maximum`, for `np.minimum` (and `np.min`).
    Minimum {
        acc_first: bool,
    },
}

impl Red {
    /// Whether each chunk starts from the variable's value before the loop (the extremes,
    /// which have no identity that keeps every value's bits) rather than an identity.
    fn starts_from_value(self) -> bool {
        !matches!(self, Red::Add | Red::Mul)
    }

    fn symbol(self) -> &'static str {
        match self {
            Red::Add => "+",
            Red::Mul => "*",
            Red::Max => "max",
            Red::Min => "min",
            Red::Maximum { .. } => "np.maximum",
            Red::Minimum { .. } => "np.minimum",
        }
    }
}

/// Makes every `prange` loop of `program` a parallel loop where it is safe, or reports
/// why not.
pub fn parallelize(program: &mut Program) -> Result<Report, SafetyError> {
    let mut report = Report::default();
    let n = program.functions.len();
    for fi in 0..n {
        let mut body = std::mem::take(&mut program.functions[fi].body);
        let live = live_after_loops(&program.functions[fi], &body);
        let r = walk(program, fi, &mut body, &live, &mut report);
        program.functions[fi].body = body;
        r?;
        let f = &program.functions[fi];
        each_expr_of(f, &f.body, &mut |e| {
            if let Expr::Intrinsic(op, _) = f.get(e)
                && array_expr(*op)
            {
                report
                    .array_exprs
                    .push((f.name.clone(), f.span(e), format!("{op:?}")));
            }
        });
    }
    Ok(report)
}

/// Whether an intrinsic is a whole-array operation that ParallelAccelerator would run as a
/// parallel loop.
fn array_expr(op: Intrinsic) -> bool {
    matches!(
        op,
        Intrinsic::Map1(_)
            | Intrinsic::Map2(_)
            | Intrinsic::Where
            | Intrinsic::Reduce(_)
            | Intrinsic::Mean
            | Intrinsic::Dot
            | Intrinsic::Assign
    )
}

fn walk(
    program: &mut Program,
    fi: usize,
    body: &mut [Stmt],
    live: &HashMap<LocalId, HashSet<LocalId>>,
    report: &mut Report,
) -> Result<(), SafetyError> {
    for st in body.iter_mut() {
        match st {
            Stmt::If {
                then, otherwise, ..
            } => {
                walk(program, fi, then, live, report)?;
                walk(program, fi, otherwise, live, report)?;
            }
            Stmt::While { body, .. } => walk(program, fi, body, live, report)?,
            Stmt::For {
                parallel: false,
                body,
                ..
            } => walk(program, fi, body, live, report)?,
            Stmt::For { parallel: true, .. } => {
                if let Some(new) = outline(program, fi, st, live, report)? {
                    *st = new;
                } else if let Stmt::For { body, parallel, .. } = st {
                    *parallel = false;
                    walk(program, fi, body, live, report)?;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// How many times the statements `body` of `f` read each local.
pub(crate) fn read_counts(f: &Function, body: &[Stmt]) -> Vec<usize> {
    let mut n = vec![0; f.locals.len()];
    each_expr_of(f, body, &mut |e| {
        if let Expr::Local(l) = f.get(e) {
            n[l.index()] += 1;
        }
    });
    n
}

/// Calls `visit` on every expression the statements reach (an expression shared by two
/// statements, once per statement), operands included.
pub(crate) fn each_expr_of(f: &Function, body: &[Stmt], visit: &mut dyn FnMut(ExprId)) {
    let mut roots = Vec::new();
    each_stmt(body, &mut |st| stmt_roots(st, &mut roots));
    let mut stack = roots;
    while let Some(e) = stack.pop() {
        visit(e);
        f.get(e).each_operand(|x| stack.push(x));
    }
}

/// The expressions a statement names directly (not those of nested statements).
fn stmt_roots(st: &Stmt, out: &mut Vec<ExprId>) {
    match st {
        Stmt::Assign(_, e) | Stmt::Eval(e) | Stmt::Return(Some(e)) => out.push(*e),
        Stmt::Store {
            array,
            index,
            value,
            ..
        } => {
            out.push(*value);
            out.push(*array);
            out.extend(index);
        }
        Stmt::If { cond, .. } | Stmt::While { cond, .. } => out.push(*cond),
        Stmt::For {
            start, stop, step, ..
        } => out.extend([*start, *stop, *step]),
        Stmt::ParFor(p) => {
            out.extend(p.bounds);
            out.push(p.call);
        }
        Stmt::Append { list, value } => out.extend([*list, *value]),
        Stmt::Break | Stmt::Continue | Stmt::Return(None) | Stmt::Raise { .. } => {}
    }
}

/// Calls `visit` on every statement, nested ones included (a parallel loop's `combine`
/// too).
pub(crate) fn each_stmt(body: &[Stmt], visit: &mut dyn FnMut(&Stmt)) {
    let mut stack: Vec<&[Stmt]> = vec![body];
    while let Some(block) = stack.pop() {
        for st in block {
            visit(st);
            match st {
                Stmt::If {
                    then, otherwise, ..
                } => {
                    stack.push(then);
                    stack.push(otherwise);
                }
                Stmt::For { body, .. } | Stmt::While { body, .. } => stack.push(body),
                Stmt::ParFor(p) => stack.push(&p.combine),
                _ => {}
            }
        }
    }
}

/// Whether `e` reads local `l`.
pub(crate) fn reads_local(f: &Function, e: ExprId, l: LocalId) -> bool {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        if *f.get(x) == Expr::Local(l) {
            return true;
        }
        f.get(x).each_operand(|y| stack.push(y));
    }
    false
}

/// `Local(l)` under any casts.
fn is_local(f: &Function, mut e: ExprId, l: LocalId) -> bool {
    loop {
        match f.get(e) {
            Expr::Local(x) => return *x == l,
            Expr::Cast(x, _) => e = *x,
            _ => return false,
        }
    }
}

/// Whether two expressions compute the same thing (the same tree).
fn same(f: &Function, a: ExprId, b: ExprId) -> bool {
    if a == b {
        return true;
    }
    let (x, y) = (f.get(a), f.get(b));
    if std::mem::discriminant(x) != std::mem::discriminant(y) || f.ty(a) != f.ty(b) {
        return false;
    }
    let (mut ox, mut oy) = (Vec::new(), Vec::new());
    x.each_operand(|o| ox.push(o));
    y.each_operand(|o| oy.push(o));
    let shallow = match (x, y) {
        (Expr::Const(p), Expr::Const(q)) => p == q,
        (Expr::Local(p), Expr::Local(q)) => p == q,
        (Expr::Cast(_, p), Expr::Cast(_, q)) => p == q,
        (Expr::Unary(p, _), Expr::Unary(q, _)) => p == q,
        (Expr::Binary(p, ..), Expr::Binary(q, ..)) | (Expr::PyDiv(p, ..), Expr::PyDiv(q, ..)) => {
            p == q
        }
        (Expr::Dim(_, p), Expr::Dim(_, q)) => p == q,
        (Expr::TupleGet(_, p), Expr::TupleGet(_, q)) => p == q,
        (Expr::Call(p, _), Expr::Call(q, _)) => p == q,
        (Expr::Intrinsic(p, _), Expr::Intrinsic(q, _)) => p == q,
        (Expr::View(_, p), Expr::View(_, q)) => p.len() == q.len(),
        _ => true,
    };
    shallow && ox.len() == oy.len() && ox.iter().zip(&oy).all(|(&p, &q)| same(f, p, q))
}

/// A variable's name as written: the front end names versions `s.1`, `s.2`.
fn source_name(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((base, n)) if !base.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => name,
    }
}

/// The candidates grouped into webs: locals joined by copies `a = b` between them.
fn webs(
    f: &Function,
    candidates: &[LocalId],
    assigns: &HashMap<LocalId, Vec<ExprId>>,
) -> Vec<Vec<LocalId>> {
    let index: HashMap<LocalId, usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, &l)| (l, i))
        .collect();
    let mut parent: Vec<usize> = (0..candidates.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, l) in candidates.iter().enumerate() {
        for &v in assigns.get(l).into_iter().flatten() {
            if let Expr::Local(m) = f.get(v)
                && let Some(&j) = index.get(m)
                && f.local_decl(*l).ty == f.local_decl(*m).ty
            {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                parent[a] = b;
            }
        }
    }
    let mut groups: Vec<Vec<LocalId>> = Vec::new();
    let mut at: HashMap<usize, usize> = HashMap::new();
    for (i, &l) in candidates.iter().enumerate() {
        let r = find(&mut parent, i);
        let g = *at.entry(r).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(l);
    }
    groups
}

/// Whether web `web` is a reduction: its operator and the member whose value the loop
/// leaves (the one read after it), or `None` when it is not one. A web that looks like a
/// reduction but mixes operators, or is read in the body outside its reductions, is an
/// error.
fn web_reduction(
    f: &Function,
    web: &[LocalId],
    assigns: &HashMap<LocalId, Vec<ExprId>>,
    live_after: &HashSet<LocalId>,
    body_reads: &[usize],
    body: &[Stmt],
    span: Span,
) -> Result<Option<(Red, LocalId)>, SafetyError> {
    let members: HashSet<LocalId> = web.iter().copied().collect();
    if !web
        .iter()
        .all(|l| matches!(f.local_decl(*l).ty, Ty::Scalar(d) if d != DType::Bool))
    {
        return Ok(None);
    }
    let mut kinds: Vec<(Red, ExprId)> = Vec::new();
    let mut accounted = 0;
    let mut values = Vec::new();
    for l in web {
        for &v in &assigns[l] {
            values.push(v);
            if let Expr::Local(m) = f.get(v)
                && members.contains(m)
            {
                accounted += 1;
                continue;
            }
            match reduction_of(f, &members, v) {
                Some((red, n)) => {
                    kinds.push((red, v));
                    accounted += n;
                }
                None => return Ok(None),
            }
        }
    }
    let Some(&(red, first)) = kinds.first() else {
        return Ok(None);
    };
    let name = source_name(&f.local_decl(web[0]).name);
    if let Some(&(other, _)) = kinds.iter().find(|(r, _)| *r != red) {
        return Err(SafetyError {
            message: format!(
                "variable '{name}' is reduced with both {} and {} in one prange loop; a \
                 reduction variable takes one operator",
                red.symbol(),
                other.symbol()
            ),
            span: f.span(first),
        });
    }
    let read_in_body: usize = web.iter().map(|l| body_reads[l.index()]).sum();
    if read_in_body > accounted {
        let at = web
            .iter()
            .find_map(|&l| first_other_read(f, body, l, &values))
            .unwrap_or(span);
        return Err(SafetyError {
            message: format!(
                "reduction variable '{name}' is read in the prange loop outside its \
                 reduction; its value there would depend on how the iterations are split \
                 between threads"
            ),
            span: at,
        });
    }
    let outside: Vec<LocalId> = web
        .iter()
        .copied()
        .filter(|l| live_after.contains(l))
        .collect();
    if outside.len() > 1 {
        return Ok(None);
    }
    Ok(Some((red, outside.first().copied().unwrap_or(web[0]))))
}

/// The reduction `l = value` is, for `l` any member of `members`, and how many reads of
/// members it makes; `None` if it is not one.
fn reduction_of(f: &Function, members: &HashSet<LocalId>, value: ExprId) -> Option<(Red, usize)> {
    let mut e = value;
    while let Expr::Cast(x, _) = f.get(e) {
        e = *x;
    }
    let other = |x: ExprId| !members.iter().any(|&l| reads_local(f, x, l));
    let is_local = |x: ExprId| members.iter().any(|&l| is_local(f, x, l));
    match f.get(e) {
        Expr::Binary(op @ (BinaryOp::Add | BinaryOp::Mul), a, b) => {
            let red = if *op == BinaryOp::Add {
                Red::Add
            } else {
                Red::Mul
            };
            if (is_local(*a) && other(*b)) || (is_local(*b) && other(*a)) {
                return Some((red, 1));
            }
            None
        }
        Expr::Binary(op @ (BinaryOp::Sub | BinaryOp::TrueDiv), a, b)
        | Expr::PyDiv(op @ BinaryOp::TrueDiv, a, b) => {
            let red = if *op == BinaryOp::Sub {
                Red::Add
            } else {
                Red::Mul
            };
            (is_local(*a) && other(*b)).then_some((red, 1))
        }
        Expr::Binary(op @ (BinaryOp::Maximum | BinaryOp::Minimum), a, b) => {
            let acc_first = if is_local(*a) && other(*b) {
                true
            } else if is_local(*b) && other(*a) {
                false
            } else {
                return None;
            };
            let red = if *op == BinaryOp::Maximum {
                Red::Maximum { acc_first }
            } else {
                Red::Minimum { acc_first }
            };
            Some((red, 1))
        }
        Expr::Cond(c, x, y) => {
            let Expr::Binary(cmp @ (BinaryOp::Gt | BinaryOp::Lt), p, q) = f.get(*c) else {
                return None;
            };
            if !(same(f, *p, *x) && same(f, *q, *y)) {
                return None;
            }
            // `p if p > q else q` is max(p, q), with `<` min, whichever side `l` is on.
            let sides = (is_local(*p), is_local(*q));
            let ok = match sides {
                (true, false) => other(*q),
                (false, true) => other(*p),
                _ => false,
            };
            let red = if *cmp == BinaryOp::Gt {
                Red::Max
            } else {
                Red::Min
            };
            ok.then_some((red, 2))
        }
        _ => None,
    }
}

/// What one walk of a loop body finds.
#[derive(Default)]
struct BodyFacts {
    /// Locals assigned in the body (targets of `Assign`, nested loop variables), in order
    /// of first assignment.
    assigned: Vec<LocalId>,
    /// Every `l = value` of the body, by local.
    assigns: HashMap<LocalId, Vec<ExprId>>,
    /// Why the loop must stay serial.
    serial: Option<String>,
    /// `prange` loops in the body.
    nested: Vec<Span>,
    /// Estimated cost units of one iteration.
    units: f64,
}

fn body_facts(f: &Function, body: &[Stmt], depth: usize, facts: &mut BodyFacts) {
    let scale = 64f64.powi(depth as i32);
    for st in body {
        let mut roots = Vec::new();
        stmt_roots(st, &mut roots);
        for r in roots {
            facts.units += scale * expr_units(f, r);
        }
        match st {
            Stmt::Assign(l, e) => {
                if !facts.assigns.contains_key(l) {
                    facts.assigned.push(*l);
                }
                facts.assigns.entry(*l).or_default().push(*e);
            }
            Stmt::If {
                then, otherwise, ..
            } => {
                body_facts(f, then, depth, facts);
                body_facts(f, otherwise, depth, facts);
            }
            Stmt::For {
                var,
                body,
                parallel,
                span,
                ..
            } => {
                if *parallel {
                    facts.nested.push(*span);
                }
                if !facts.assigns.contains_key(var) {
                    facts.assigned.push(*var);
                    facts.assigns.insert(*var, Vec::new());
                }
                body_facts(f, body, depth + 1, facts);
            }
            Stmt::While { body, .. } => body_facts(f, body, depth + 1, facts),
            Stmt::Return(_) => {
                facts
                    .serial
                    .get_or_insert_with(|| "it returns from inside the loop".into());
            }
            Stmt::Break if depth == 0 => {
                facts
                    .serial
                    .get_or_insert_with(|| "it breaks out of the loop".into());
            }
            _ => {}
        }
    }
}

/// Estimated cost units of evaluating `e` (about half a nanosecond each).
fn expr_units(f: &Function, e: ExprId) -> f64 {
    let mut units = 0.0;
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        units += match f.get(x) {
            Expr::Const(_) | Expr::Local(_) | Expr::NoneVal | Expr::Tuple(_) => 0.0,
            Expr::Cast(..) | Expr::Binary(..) | Expr::Cond(..) | Expr::Dim(..) => 1.0,
            Expr::TupleGet(..) | Expr::ListLen(_) => 0.5,
            Expr::Load(..) | Expr::ListGet(..) | Expr::PyDiv(..) => 3.0,
            Expr::Unary(..) => 6.0,
            Expr::View(..) => 20.0,
            Expr::Call(..) => 60.0,
            Expr::Intrinsic(..) => 2000.0,
        };
        f.get(x).each_operand(|y| stack.push(y));
    }
    units
}

/// The locals among `tracked` that `e` reads.
fn reads_in(f: &Function, e: ExprId, tracked: &HashSet<LocalId>, out: &mut HashSet<LocalId>) {
    let mut stack = vec![e];
    while let Some(x) = stack.pop() {
        if let Expr::Local(l) = f.get(x)
            && tracked.contains(l)
        {
            out.insert(*l);
        }
        f.get(x).each_operand(|y| stack.push(y));
    }
}

/// Backward (strong) liveness over structured statements, of the locals among `tracked`: which are
/// live before `body` when `after` are live after it. `loops` holds, for each loop around
/// (innermost last), what is live at its exit and at its head, for `break` and
/// `continue`.
fn live_before(
    f: &Function,
    body: &[Stmt],
    after: &HashSet<LocalId>,
    tracked: &HashSet<LocalId>,
    strong: bool,
    loops: &mut Vec<(HashSet<LocalId>, HashSet<LocalId>)>,
    probe: &mut HashMap<LocalId, HashSet<LocalId>>,
) -> HashSet<LocalId> {
    let mut live = after.clone();
    for st in body.iter().rev() {
        match st {
            // Strong liveness: a value assigned to a tracked local that is dead makes
            // nothing it reads live (the front end copies versions of a variable into
            // each other at loop edges; such a copy of a dead variable is harmless).
            Stmt::Assign(l, e) => {
                let was_live = live.remove(l);
                if !strong || !tracked.contains(l) || was_live {
                    reads_in(f, *e, tracked, &mut live);
                }
            }
            Stmt::If {
                cond,
                then,
                otherwise,
            } => {
                let mut a = live_before(f, then, &live, tracked, strong, loops, probe);
                a.extend(live_before(
                    f, otherwise, &live, tracked, strong, loops, probe,
                ));
                reads_in(f, *cond, tracked, &mut a);
                live = a;
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
                let exit = live.clone();
                if *parallel {
                    probe.entry(*var).or_default().extend(exit.iter().copied());
                }
                let mut head = exit.clone();
                loop {
                    loops.push((exit.clone(), head.clone()));
                    let mut inner = live_before(f, body, &head, tracked, strong, loops, probe);
                    loops.pop();
                    inner.remove(var);
                    inner.extend(exit.iter().copied());
                    if inner == head {
                        break;
                    }
                    head = inner;
                }
                live = head;
                for e in [*start, *stop, *step] {
                    reads_in(f, e, tracked, &mut live);
                }
            }
            Stmt::While { cond, body } => {
                let exit = live.clone();
                let mut head = exit.clone();
                reads_in(f, *cond, tracked, &mut head);
                loop {
                    loops.push((exit.clone(), head.clone()));
                    let mut inner = live_before(f, body, &head, tracked, strong, loops, probe);
                    loops.pop();
                    inner.extend(exit.iter().copied());
                    reads_in(f, *cond, tracked, &mut inner);
                    if inner == head {
                        break;
                    }
                    head = inner;
                }
                live = head;
            }
            Stmt::Break => {
                live = loops
                    .last()
                    .map(|(exit, _)| exit.clone())
                    .unwrap_or_default();
            }
            Stmt::Continue => {
                live = loops
                    .last()
                    .map(|(_, head)| head.clone())
                    .unwrap_or_default();
            }
            Stmt::Return(e) => {
                live = HashSet::new();
                if let Some(e) = e {
                    reads_in(f, *e, tracked, &mut live);
                }
            }
            Stmt::Raise { .. } => live = HashSet::new(),
            other => {
                let mut roots = Vec::new();
                stmt_roots(other, &mut roots);
                for r in roots {
                    reads_in(f, r, tracked, &mut live);
                }
            }
        }
    }
    live
}

/// For each `prange` loop of `body` (by its loop variable), the locals live after it, by
/// strong liveness over the whole function (a version copied into another that is never
/// used does not make a variable live).
fn live_after_loops(f: &Function, body: &[Stmt]) -> HashMap<LocalId, HashSet<LocalId>> {
    let all: HashSet<LocalId> = (0..f.locals.len()).map(LocalId::from_index).collect();
    let mut probe = HashMap::new();
    live_before(
        f,
        body,
        &HashSet::new(),
        &all,
        true,
        &mut Vec::new(),
        &mut probe,
    );
    probe
}

/// The locals among `tracked` whose value one iteration of a loop body (with loop variable
/// `var`) can read from an earlier iteration: those live at the top of the body when
/// the body's own live-in flows round the back edge. With `strong`, a read whose value
/// only reaches dead variables does not count; without, every read before an assignment
/// does (the locals a chunk must start with a value in, which the code never uses).
fn carried(
    f: &Function,
    body: &[Stmt],
    var: LocalId,
    tracked: &HashSet<LocalId>,
    strong: bool,
) -> HashSet<LocalId> {
    let mut end = HashSet::new();
    loop {
        let mut top = live_before(
            f,
            body,
            &end,
            tracked,
            strong,
            &mut Vec::new(),
            &mut HashMap::new(),
        );
        top.remove(&var);
        if top == end {
            return top;
        }
        end = top;
    }
}

/// The local a view or array expression is rooted at.
fn root_local(f: &Function, mut e: ExprId) -> Option<LocalId> {
    loop {
        match f.get(e) {
            Expr::Local(l) => return Some(*l),
            Expr::View(x, _) | Expr::Cast(x, _) => e = *x,
            Expr::Intrinsic(Intrinsic::Transpose | Intrinsic::Reshape, ops) => e = *ops.first()?,
            _ => return None,
        }
    }
}

/// The array reduction statement `e` is (`y += x`, `y -= x`, `y *= x`, `y /= x` on a whole
/// array `y` made outside the loop, as `Assign(view(y), Map2(op)(y, x))`): the array and
/// its reduction, and how many reads of `y` the statement makes.
fn array_reduction(
    f: &Function,
    e: ExprId,
    assigned: &HashSet<LocalId>,
) -> Option<(LocalId, Red, usize)> {
    let Expr::Intrinsic(Intrinsic::Assign, ops) = f.get(e) else {
        return None;
    };
    let [dst, src] = ops.as_slice() else {
        return None;
    };
    let whole = |x: ExprId| match f.get(x) {
        Expr::Local(l) => Some(*l),
        Expr::View(a, ix) if ix.is_empty() => match f.get(*a) {
            Expr::Local(l) => Some(*l),
            _ => None,
        },
        _ => None,
    };
    let y = whole(*dst)?;
    if assigned.contains(&y) {
        return None;
    }
    let Ty::Array(at) = &f.local_decl(y).ty else {
        return None;
    };
    if at.dtype == DType::Bool {
        return None;
    }
    let Expr::Intrinsic(Intrinsic::Map2(op), xs) = f.get(*src) else {
        return None;
    };
    let [a, b] = xs.as_slice() else {
        return None;
    };
    if f.ty(*src).array().map(|t| t.dtype) != Some(at.dtype) {
        return None;
    }
    let red = match op {
        BinaryOp::Add | BinaryOp::Sub => Red::Add,
        BinaryOp::Mul | BinaryOp::TrueDiv => Red::Mul,
        _ => return None,
    };
    let commutes = matches!(op, BinaryOp::Add | BinaryOp::Mul);
    let other = if whole(*a) == Some(y) {
        *b
    } else if commutes && whole(*b) == Some(y) {
        *a
    } else {
        return None;
    };
    (!reads_local(f, other, y)).then_some((y, red, 2))
}

/// Why a loop whose body assigns `assigned` must stay serial, for statements the body
/// facts do not cover: appends to outside lists, whole-array updates that are not array
/// reductions (`reductions`: the statements that are).
fn shared_updates(
    f: &Function,
    body: &[Stmt],
    assigned: &HashSet<LocalId>,
    reductions: &HashSet<ExprId>,
) -> Option<String> {
    let mut why = None;
    each_stmt(body, &mut |st| {
        if why.is_some() {
            return;
        }
        match st {
            Stmt::Append { list, .. } => {
                if let Some(l) = root_local(f, *list)
                    && !assigned.contains(&l)
                {
                    why = Some(format!(
                        "it appends to list '{}', made outside the loop (the appends would race)",
                        f.local_decl(l).name
                    ));
                }
            }
            Stmt::Eval(e) => {
                if let Expr::Intrinsic(Intrinsic::Assign, ops) = f.get(*e)
                    && !reductions.contains(e)
                    && let [dst, src, ..] = ops.as_slice()
                    && let Some(l) = root_local(f, *dst)
                    && !assigned.contains(&l)
                    && reads_local(f, *src, l)
                {
                    why = Some(format!(
                        "it writes array '{}', made outside the loop, from its own elements \
                         (only whole-array +=, -=, *= and /= are array reductions)",
                        source_name(&f.local_decl(l).name)
                    ));
                }
            }
            _ => {}
        }
    });
    why
}

/// Outlines the parallel loop `st` of function `fi`: the statement that replaces it, or
/// `None` when it stays serial (the report says why).
fn outline(
    program: &mut Program,
    fi: usize,
    st: &Stmt,
    live: &HashMap<LocalId, HashSet<LocalId>>,
    report: &mut Report,
) -> Result<Option<Stmt>, SafetyError> {
    let Stmt::For {
        var,
        start,
        stop,
        step,
        body,
        span,
        ..
    } = st
    else {
        return Ok(None);
    };
    let f = &program.functions[fi];
    let id = report.loops.len();
    let empty = HashSet::new();
    let live_after = live.get(var).unwrap_or(&empty);
    let mut facts = BodyFacts::default();
    body_facts(f, body, 0, &mut facts);
    let cost_ns = (facts.units * 0.5).max(0.5);
    let mut lr = LoopReport {
        id,
        function: f.name.clone(),
        span: *span,
        serial: None,
        reductions: Vec::new(),
        private: Vec::new(),
        captured: Vec::new(),
        nested: facts.nested.clone(),
        cost_ns,
    };
    let assigned: HashSet<LocalId> = facts.assigned.iter().copied().chain([*var]).collect();
    // Array reductions: whole arrays made outside updated by +=, -=, *=, /=.
    let mut array_reds: Vec<(LocalId, Red)> = Vec::new();
    let mut array_stmts: HashSet<ExprId> = HashSet::new();
    let mut array_reads: HashMap<LocalId, usize> = HashMap::new();
    let mut mixed: Option<LocalId> = None;
    each_stmt(body, &mut |st| {
        if let Stmt::Eval(e) = st
            && let Some((y, red, n)) = array_reduction(f, *e, &assigned)
        {
            array_stmts.insert(*e);
            *array_reads.entry(y).or_default() += n;
            match array_reds.iter().find(|(l, _)| *l == y) {
                Some(&(_, r)) if r != red => mixed = Some(y),
                Some(_) => {}
                None => array_reds.push((y, red)),
            }
        }
    });
    let body_reads_all = read_counts(f, body);
    let mut array_serial = None;
    if let Some(y) = mixed {
        array_serial = Some(format!(
            "array '{}' is reduced with two operators",
            source_name(&f.local_decl(y).name)
        ));
    }
    for (&y, &n) in &array_reads {
        if body_reads_all[y.index()] > n {
            array_serial = Some(format!(
                "it reads array '{}' besides reducing into it",
                source_name(&f.local_decl(y).name)
            ));
        }
    }
    array_reds.sort_by_key(|(l, _)| l.index());
    let serial = facts
        .serial
        .clone()
        .or(array_serial)
        .or_else(|| shared_updates(f, body, &assigned, &array_stmts));
    if let Some(why) = serial {
        lr.serial = Some(why);
        report.loops.push(lr);
        return Ok(None);
    }

    // Reads of each local in the body; reads elsewhere in the function are the rest.
    let body_reads = read_counts(f, body);
    let exposed = carried(f, body, *var, &assigned, true);
    let unused_inputs = carried(f, body, *var, &assigned, false);

    // Versions of one variable (the front end's copies `s.2 = s.1` at loop edges) form a
    // web: a reduction is a web whose every other assignment is a reduction of a member.
    let candidates: Vec<LocalId> = facts
        .assigned
        .iter()
        .copied()
        .filter(|l| l != var)
        .collect();
    let webs = webs(f, &candidates, &facts.assigns);
    let mut reductions: Vec<(LocalId, Red)> = Vec::new();
    let mut in_reduction: HashSet<LocalId> = HashSet::new();
    for web in &webs {
        let Some((red, root)) =
            web_reduction(f, web, &facts.assigns, live_after, &body_reads, body, *span)?
        else {
            continue;
        };
        reductions.push((root, red));
        in_reduction.extend(web.iter().copied());
    }
    let mut private: Vec<LocalId> = Vec::new();
    for &l in &candidates {
        if in_reduction.contains(&l) {
            continue;
        }
        let values = &facts.assigns[&l];
        let name = source_name(&f.local_decl(l).name);
        if exposed.contains(&l) {
            let at = first_other_read(f, body, l, &[]).unwrap_or(*span);
            return Err(SafetyError {
                message: format!(
                    "variable '{name}' is read in the prange loop before the iteration assigns \
                     it, so one iteration would read another's value (a race); assign it \
                     first in the body, or make it a reduction (+=, -=, *=, /=, \
                     {name} = max({name}, ...), {name} = min({name}, ...))"
                ),
                span: at,
            });
        }
        if live_after.contains(&l) {
            let at = values.first().map_or(*span, |&v| f.span(v));
            return Err(SafetyError {
                message: format!(
                    "variable '{name}' is assigned in the prange loop and used after it, \
                     and the assignment is not a reduction (+=, -=, *=, /=, \
                     {name} = max({name}, ...), {name} = min({name}, ...)): its value would \
                     depend on which thread ran last"
                ),
                span: at,
            });
        }
        private.push(l);
    }

    // Captures: what the body reads and does not assign, and max/min reductions (their
    // value before the loop starts each chunk).
    let mut captures: Vec<LocalId> = (0..f.locals.len())
        .map(LocalId::from_index)
        .filter(|l| body_reads[l.index()] > 0 && !assigned.contains(l))
        .collect();
    for &(l, red) in &reductions {
        if red.starts_from_value() {
            captures.push(l);
        }
    }
    // Private locals read before the iteration assigns them, whose values are never used
    // (the strong liveness above proved it), still need a value: the caller's.
    captures.extend(
        private
            .iter()
            .filter(|l| unused_inputs.contains(l))
            .copied(),
    );
    captures.sort_by_key(|l| l.index());

    lr.reductions = reductions
        .iter()
        .map(|&(l, r)| (source_name(&f.local_decl(l).name).to_owned(), r.symbol()))
        .collect();
    let names = |ls: &[LocalId]| {
        let mut v: Vec<String> = ls
            .iter()
            .map(|&l| f.local_decl(l).name.as_str())
            .filter(|n| !n.starts_with('$'))
            .map(|n| source_name(n).to_owned())
            .collect();
        v.dedup();
        v
    };
    lr.private = names(&private);
    lr.captured = names(&captures);

    for &(y, r) in &array_reds {
        lr.reductions.push((
            format!("{} (array)", source_name(&f.local_decl(y).name)),
            r.symbol(),
        ));
    }
    // A chunk's private copy of each reduced array: C-contiguous, of the array's dtype.
    let array_tys: HashMap<LocalId, Ty> = array_reds
        .iter()
        .map(|&(y, _)| {
            let t = match &f.local_decl(y).ty {
                Ty::Array(a) => Ty::Array(super::ArrayTy {
                    dtype: a.dtype,
                    ndim: a.ndim,
                    layout: super::Layout::C,
                }),
                other => other.clone(),
            };
            (y, t)
        })
        .collect();
    let partial_ty = |y: LocalId| array_tys[&y].clone();

    // The chunk function: it returns the scalar reductions' partials, then the arrays'.
    let mut partial_tys: Vec<Ty> = reductions
        .iter()
        .map(|&(l, _)| f.local_decl(l).ty.clone())
        .collect();
    partial_tys.extend(array_reds.iter().map(|&(y, _)| partial_ty(y)));
    let ret = match partial_tys.len() {
        0 => Ty::None,
        1 => partial_tys[0].clone(),
        _ => Ty::Tuple(partial_tys.clone()),
    };
    let mut g = Function::new(format!("{}.prange{id}", f.name), ret.clone());
    let mut map: HashMap<LocalId, LocalId> = HashMap::new();
    for &l in &captures {
        let d = f.local_decl(l);
        map.insert(l, g.param(d.name.clone(), d.ty.clone()));
    }
    let i64t = Ty::Scalar(DType::I64);
    let [p_start, p_step, p_lo, p_hi] =
        ["$start", "$step", "$lo", "$hi"].map(|n| g.param(n, i64t.clone()));
    let mut copier = Copier::new(f, map);
    // Numba compiles a prange body under NumPy's error model.
    copier.numpy_errors = true;
    let mut gbody = Vec::new();
    for &(l, red) in &reductions {
        let Ty::Scalar(d) = f.local_decl(l).ty else {
            continue;
        };
        let init = match red {
            Red::Add if d.is_float() => Scalar::F64(-0.0).cast(d),
            Red::Add => Scalar::zero(d),
            Red::Mul => Scalar::one(d),
            _ => continue,
        };
        let nl = copier.local(&mut g, l);
        let c = g.expr(Expr::Const(init), Ty::Scalar(d), *span);
        gbody.push(Stmt::Assign(nl, c));
    }
    // Each array reduction: a private array of the reduced one's shape, filled with the
    // identity, which the body's statements update instead of the shared array.
    let mut array_privates = Vec::new();
    for &(y, red) in &array_reds {
        let Some(&shared) = copier.map.get(&y) else {
            continue;
        };
        let pty = partial_ty(y);
        let Ty::Array(at) = pty else {
            continue;
        };
        let shared_ty = g.local_decl(shared).ty.clone();
        let base = g.expr(Expr::Local(shared), shared_ty, *span);
        let mut ops: Vec<ExprId> = (0..at.ndim)
            .map(|a| g.expr(Expr::Dim(base, a), i64t.clone(), *span))
            .collect();
        let fill = match red {
            Red::Add if at.dtype.is_float() => Scalar::F64(-0.0).cast(at.dtype),
            Red::Add => Scalar::zero(at.dtype),
            _ => Scalar::one(at.dtype),
        };
        ops.push(g.expr(Expr::Const(fill), Ty::Scalar(at.dtype), *span));
        let full = g.expr(Expr::Intrinsic(Intrinsic::Full, ops), pty.clone(), *span);
        let private = g.local(format!("{}.partial", f.local_decl(y).name), pty);
        gbody.push(Stmt::Assign(private, full));
        copier.map.insert(y, private);
        array_privates.push(private);
    }
    let k = g.local("$k", i64t.clone());
    let loc = |g: &mut Function, l: LocalId| g.expr(Expr::Local(l), i64t.clone(), *span);
    // With the constant step 1 the chunk loops over the prange's own values,
    // `for $k in range($start + $lo, $start + $hi, 1)` with `var = $k`, the form whose
    // bounds checks `kir::bounds` hoists; otherwise over positions, `var = $start + $k *
    // $step`.
    let unit = matches!(f.get(*step), Expr::Const(c)
        if c.dtype().is_int() && *c == Scalar::from_i128(1, c.dtype()));
    let sum = if unit {
        loc(&mut g, k)
    } else {
        let (ks, kstep, kstart) = (loc(&mut g, k), loc(&mut g, p_step), loc(&mut g, p_start));
        let prod = g.expr(Expr::Binary(BinaryOp::Mul, ks, kstep), i64t.clone(), *span);
        g.expr(
            Expr::Binary(BinaryOp::Add, kstart, prod),
            i64t.clone(),
            *span,
        )
    };
    let vty = f.local_decl(*var).ty.clone();
    let value = match vty {
        Ty::Scalar(DType::I64) => sum,
        Ty::Scalar(d) => g.expr(Expr::Cast(sum, d), vty.clone(), *span),
        _ => sum,
    };
    let nvar = copier.local(&mut g, *var);
    let mut inner = vec![Stmt::Assign(nvar, value)];
    inner.extend(copier.body(&mut g, body));
    let (mut lo, mut hi) = (loc(&mut g, p_lo), loc(&mut g, p_hi));
    if unit {
        let offset = |g: &mut Function, x: ExprId| {
            let s0 = loc(g, p_start);
            g.expr(Expr::Binary(BinaryOp::Add, s0, x), i64t.clone(), *span)
        };
        lo = offset(&mut g, lo);
        hi = offset(&mut g, hi);
    }
    let one = g.expr(Expr::Const(Scalar::I64(1)), i64t.clone(), *span);
    gbody.push(Stmt::For {
        var: k,
        start: lo,
        stop: hi,
        step: one,
        body: inner,
        parallel: false,
        span: *span,
    });
    let mut items: Vec<ExprId> = reductions
        .iter()
        .map(|&(l, _)| {
            let nl = copier.local(&mut g, l);
            let t = g.local_decl(nl).ty.clone();
            g.expr(Expr::Local(nl), t, *span)
        })
        .collect();
    for &p in &array_privates {
        let t = g.local_decl(p).ty.clone();
        items.push(g.expr(Expr::Local(p), t, *span));
    }
    let result = match items.len() {
        0 => None,
        1 => Some(items[0]),
        _ => Some(g.expr(Expr::Tuple(items), ret.clone(), *span)),
    };
    gbody.push(Stmt::Return(result));
    g.body = gbody;
    let nested = std::mem::take(&mut copier.nested_spans);
    lr.nested.extend(nested);
    lr.nested.sort_by_key(|s| s.start);
    lr.nested.dedup();

    // The statement in the caller.
    let chunk = program.add(g);
    let f = &mut program.functions[fi];
    let args = captures
        .iter()
        .map(|&l| {
            let t = f.local_decl(l).ty.clone();
            f.expr(Expr::Local(l), t, *span)
        })
        .collect();
    let call = f.expr(Expr::Call(chunk, args), ret, *span);
    let mut partials = Vec::new();
    let mut combine = Vec::new();
    for (j, &(l, red)) in reductions.iter().enumerate() {
        let t = f.local_decl(l).ty.clone();
        let q = f.local(format!("$partial{j}"), t.clone());
        partials.push(q);
        let (lv, qv) = (
            f.expr(Expr::Local(l), t.clone(), *span),
            f.expr(Expr::Local(q), t.clone(), *span),
        );
        let value = match red {
            Red::Add => f.expr(Expr::Binary(BinaryOp::Add, lv, qv), t, *span),
            Red::Mul => f.expr(Expr::Binary(BinaryOp::Mul, lv, qv), t, *span),
            Red::Maximum { acc_first } | Red::Minimum { acc_first } => {
                let op = if matches!(red, Red::Maximum { .. }) {
                    BinaryOp::Maximum
                } else {
                    BinaryOp::Minimum
                };
                let (a, b) = if acc_first { (lv, qv) } else { (qv, lv) };
                f.expr(Expr::Binary(op, a, b), t, *span)
            }
            Red::Max | Red::Min => {
                let cmp = if red == Red::Max {
                    BinaryOp::Gt
                } else {
                    BinaryOp::Lt
                };
                let c = f.expr(Expr::Binary(cmp, qv, lv), Ty::Scalar(DType::Bool), *span);
                let (q2, l2) = (
                    f.expr(Expr::Local(q), t.clone(), *span),
                    f.expr(Expr::Local(l), t.clone(), *span),
                );
                f.expr(Expr::Cond(c, q2, l2), t, *span)
            }
        };
        combine.push(Stmt::Assign(l, value));
    }
    for (j, &(y, red)) in array_reds.iter().enumerate() {
        let yt = f.local_decl(y).ty.clone();
        let pty = partial_ty(y);
        let q = f.local(format!("$array_partial{j}"), pty.clone());
        partials.push(q);
        let whole = f.expr(Expr::Local(y), yt.clone(), *span);
        let dst = f.expr(Expr::View(whole, Vec::new()), yt.clone(), *span);
        let (yv, qv) = (
            f.expr(Expr::Local(y), yt, *span),
            f.expr(Expr::Local(q), pty.clone(), *span),
        );
        let op = if red == Red::Add {
            BinaryOp::Add
        } else {
            BinaryOp::Mul
        };
        let value = f.expr(
            Expr::Intrinsic(Intrinsic::Map2(op), vec![yv, qv]),
            pty,
            *span,
        );
        let assign = f.expr(
            Expr::Intrinsic(Intrinsic::Assign, vec![dst, value]),
            Ty::None,
            *span,
        );
        combine.push(Stmt::Eval(assign));
    }
    report.loops.push(lr);
    Ok(Some(Stmt::ParFor(Box::new(ParLoop {
        call,
        bounds: [*start, *stop, *step],
        partials,
        combine,
        cost_ns,
        keeps_allocations: !array_reds.is_empty(),
        span: *span,
    }))))
}

/// The span of a read of `l` in `body` other than inside its reduction values.
fn first_other_read(f: &Function, body: &[Stmt], l: LocalId, values: &[ExprId]) -> Option<Span> {
    let mut inside = HashSet::new();
    for &v in values {
        let mut stack = vec![v];
        while let Some(x) = stack.pop() {
            inside.insert(x);
            f.get(x).each_operand(|y| stack.push(y));
        }
    }
    let mut found = None;
    each_expr_of(f, body, &mut |e| {
        if found.is_none() && !inside.contains(&e) && *f.get(e) == Expr::Local(l) {
            found = Some(f.span(e));
        }
    });
    found
}

impl Report {
    /// The diagnostics as text, at Numba's `parallel_diagnostics` levels: 1 the loops and
    /// whether each runs in parallel; 2 also why a loop stays serial and what was nested;
    /// 3 also the reductions and private variables; 4 also the captured values and the
    /// chunk plan's cost estimate. `line` gives a span's line number.
    #[must_use]
    pub fn text(&self, level: u8, line: &dyn Fn(Span) -> usize) -> String {
        let mut s = String::new();
        let bar = "=".repeat(72);
        let _ = writeln!(s, "{bar}\n Parallel diagnostics\n{bar}");
        if self.loops.is_empty() {
            s.push_str("parallel=True, but the kernel has no prange loop: it runs serially.\n");
        }
        for l in &self.loops {
            let state = match &l.serial {
                None => "runs in parallel".to_owned(),
                Some(why) if level >= 2 => format!("runs serially: {why}"),
                Some(_) => "runs serially".to_owned(),
            };
            let _ = writeln!(
                s,
                "prange loop #{} in {} at line {}: {state}",
                l.id,
                l.function,
                line(l.span)
            );
            if level >= 2 {
                for n in &l.nested {
                    let _ = writeln!(
                        s,
                        "  the prange loop at line {} inside it runs serially (nested)",
                        line(*n)
                    );
                }
            }
            if level >= 3 && l.serial.is_none() {
                if l.reductions.is_empty() {
                    s.push_str("  reductions: none\n");
                } else {
                    let r: Vec<String> = l
                        .reductions
                        .iter()
                        .map(|(v, op)| format!("{v} ({op})"))
                        .collect();
                    let _ = writeln!(s, "  reductions: {}", r.join(", "));
                }
                let _ = writeln!(s, "  private: {}", list(&l.private));
            }
            if level >= 4 && l.serial.is_none() {
                let _ = writeln!(s, "  captured: {}", list(&l.captured));
                let _ = writeln!(
                    s,
                    "  estimated cost: {:.1} ns per iteration; chunks of at least {} \
                     iterations, at most {MAX_CHUNKS} chunks",
                    l.cost_ns,
                    (MIN_CHUNK_NS / l.cost_ns).ceil()
                );
            }
        }
        for (k, (func, span, ops)) in self.fused.iter().enumerate() {
            // The n-th array expression of a statement is its n-th loop (`a += b`: the
            // sum, then the copy into `a`).
            let nth = self.fused[..k]
                .iter()
                .filter(|(f, s, _)| f == func && s == span)
                .count();
            let loop_id = self
                .loops
                .iter()
                .filter(|l| l.span == *span && l.function == *func)
                .nth(nth)
                .map_or_else(String::new, |l| format!(" (prange loop #{})", l.id));
            if ops.len() > 1 {
                let _ = writeln!(
                    s,
                    "array expression at line {}: {} fused into one parallel loop{loop_id}",
                    line(*span),
                    ops.join(", ")
                );
            } else {
                let _ = writeln!(
                    s,
                    "array expression at line {}: {} as a parallel loop{loop_id}",
                    line(*span),
                    ops.join(", ")
                );
            }
        }
        if !self.array_exprs.is_empty() {
            let _ = writeln!(
                s,
                "{} whole-array operation(s) run serially (only element-wise operations \
                 and np.dot of a matrix with a vector or matrix become parallel loops){}",
                self.array_exprs.len(),
                if level >= 2 { ":" } else { "." }
            );
            if level >= 2 {
                for (func, span, op) in &self.array_exprs {
                    let _ = writeln!(s, "  {op} in {func} at line {}", line(*span));
                }
            }
        }
        s
    }
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_plans_cover_the_trips_and_ignore_threads() {
        for trips in [0u64, 1, 5, 1000, 65_536, 10_000_000, u64::MAX / 3] {
            for cost in [0.5, 3.0, 1000.0, 1e9] {
                let (chunk, count) = chunk_plan(trips, cost);
                assert!(count <= MAX_CHUNKS);
                assert!(chunk >= 1);
                let (_, last) = chunk_bounds(count.saturating_sub(1), chunk, trips);
                assert_eq!(if count == 0 { 0 } else { last }, trips);
                if count > 0 {
                    let (lo, _) = chunk_bounds(count - 1, chunk, trips);
                    assert!(lo < trips);
                }
            }
        }
    }
}
