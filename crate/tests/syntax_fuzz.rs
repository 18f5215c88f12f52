//! Fuzz/property tests of the Python front end: random token streams, mutated kernels
//! (tokens and lines deleted, duplicated, swapped, re-indented), random bytes, very deep
//! nesting and very long inputs, through both `parse_module` and `parse`. Every input must
//! give an AST or a `SyntaxError` whose span lies inside the source: never a panic, never a
//! hang, never a stack overflow. Seeded, so every run is the same, and a few seconds long.
//!
//! The inputs run on a worker thread with a 1 MiB stack (the default stack of a wasm32
//! build); the test thread waits for each input with a generous timeout, so a hang fails
//! with the input that caused it instead of stalling the run.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::sync::mpsc;
use std::time::Duration;

use common::Rng;
use numwasm::api::Diagnostic;
use numwasm::syntax::{
    Ast, ExprKind, MAX_DEPTH, MAX_MODULE_LEN, MAX_SOURCE_LEN, Module, SyntaxError, parse,
    parse_module,
};

const KERNELS: &[&str] = &[
    r#"import numpy as np
from numba import njit, prange

GAMMA = 2.2

@njit(parallel=True)
def normalize(x):
    """Row normalisation."""
    ret = np.empty_like(x)
    for i in prange(x.shape[0]):
        acc = 0.0
        for j in range(x.shape[1]):
            acc += x[i, j] ** 2
        norm = np.sqrt(acc)
        ret[i, :] = x[i, :] / norm if norm != 0 else 0.0
    return ret

def band(n):
    def inner(i, j):
        return 1.0 if abs(i - j) <= 1 else 0.0
    return np.array([[inner(i, j) for j in range(n)] for i in range(n)])
"#,
    r#"from numba import vectorize, guvectorize, stencil, jit
import math

@vectorize(['int64(int64, int64)'], target='parallel')
def add(x, y):
    return x + y

@guvectorize([(float64[:], float64, float64[:])], '(n),()->(n)')
def shift(x, y, res):
    for i in range(x.shape[0]):
        res[i] = x[i] + y

@stencil(neighborhood=((-1, 1),))
def blur(a):
    return (a[-1] + a[0] + a[1]) / 3

@jit(nopython=True)
def collatz(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n //= 2
        elif n < 0:
            raise ValueError("negative")
        else:
            n = 3 * n + 1
        steps += 1
    else:
        pass
    assert steps >= 0, 'steps'
    return steps, math.log(n) if n > 0 else -1.0
"#,
    "@njit\ndef f(a, b=2, *args, k=1, **kw) -> float:\n\tglobal G\n\tx: int = 1\n\tn, m = a.shape\n\
     \ta[1:n:2] = a[::-1]; a[:, 0] += 1\n\tg = lambda q, r=1: q + r\n\
     \tk = {1: 2}; s = {x for x in a}\n\tw = a is not b or not c and d in e\n\
     \twith open(p) as h:\n\t\tpass\n\ttry:\n\t\tpass\n\texcept E as e:\n\t\tpass\n\
     \tdel a\n\treturn [t for t in (yield a)]\n",
];

/// Module-mode vocabulary for random token streams, layout included.
const TOKENS: &[&str] = &[
    "x", "a", "np", "range", "njit", "def", "f", "(", ")", "(", ")", "[", "]", "{", "}", ",", ":",
    ":", ";", ".", "=", "==", "+=", "**=", "@", "->", "...", ":=", "+", "-", "*", "**", "/", "//",
    "%", "<<", "&", "|", "^", "~", "<", "<=", "!=", "1", "2.5", "0x1f", "1e", "'s'", "\"t\"",
    "'''u'''", "b'\\x00'", "r'\\d'", "f'{x}'", "'", "\"\"\"", "#c", "\\", "\n", "\n", "\n", "    ",
    "    ", "  ", "\t", "\r\n", "if", "elif", "else", "for", "in", "while", "return", "break",
    "continue", "pass", "lambda", "and", "or", "not", "is", "None", "True", "False", "import",
    "from", "as", "global", "nonlocal", "assert", "raise", "with", "try", "except", "finally",
    "class", "del", "yield", "await", "async", "match", "case", "é", "$",
];

/// What a parse gave, checked for the properties every input must have.
fn check_module(src: &str, r: &Result<Module, SyntaxError>) {
    match r {
        Ok(m) => {
            let _ = m.dump();
            for e in &m.exprs {
                assert!(e.span.start <= e.span.end && e.span.end as usize <= src.len());
                e.kind
                    .for_each_child(|c| assert!((c.0 as usize) < m.exprs.len()));
            }
            for s in &m.stmts {
                assert!(s.span.start <= s.span.end && s.span.end as usize <= src.len());
            }
        }
        Err(e) => check_error(src, e),
    }
}

fn check_expression(src: &str, r: &Result<Ast, SyntaxError>) {
    match r {
        Ok(ast) => {
            let _ = ast.dump();
            for e in &ast.exprs {
                assert!(e.span.end as usize <= src.len());
                // Expression mode builds only the expression language's kinds.
                assert!(
                    matches!(
                        e.kind,
                        ExprKind::Int(_)
                            | ExprKind::Float(_)
                            | ExprKind::Bool(_)
                            | ExprKind::NoneLit
                            | ExprKind::Name(_)
                            | ExprKind::Unary(..)
                            | ExprKind::Binary(..)
                            | ExprKind::Compare(..)
                            | ExprKind::Call { .. }
                            | ExprKind::Attr { .. }
                    ),
                    "{src:?} built {:?}",
                    e.kind
                );
            }
        }
        Err(e) => check_error(src, e),
    }
}

fn check_error(src: &str, e: &SyntaxError) {
    assert!(!e.message.is_empty(), "{src:?}");
    assert!(
        e.span.start <= e.span.end && e.span.end as usize <= src.len(),
        "{src:?}: span {:?} outside the source ({} bytes): {}",
        e.span,
        src.len(),
        e.message
    );
    let _ = Diagnostic::from(e.clone()).render(src);
}

/// Parses every input of `inputs` both ways on a worker thread with a small stack; fails
/// with the input at fault on a panic or a hang. Returns how many parsed as modules.
fn run_all(name: &str, inputs: Vec<String>) -> usize {
    let (tx, rx) = mpsc::channel::<Option<usize>>();
    let shared = std::sync::Arc::new(inputs);
    let work = std::sync::Arc::clone(&shared);
    let worker = std::thread::Builder::new()
        .name(name.into())
        .stack_size(1 << 20)
        .spawn(move || {
            let mut ok = 0;
            for (k, src) in work.iter().enumerate() {
                let _ = tx.send(Some(k));
                let m = parse_module(src);
                ok += usize::from(m.is_ok());
                check_module(src, &m);
                check_expression(src, &parse(src));
            }
            let _ = tx.send(None);
            ok
        })
        .unwrap();
    let mut current = None;
    loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Some(k)) => current = Some(k),
            Ok(None) => break,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let src = current.map(|k| shared[k].chars().take(300).collect::<String>());
                panic!("{name}: no progress for 60 s, parsing {src:?}");
            }
        }
    }
    match worker.join() {
        Ok(ok) => ok,
        Err(_) => {
            let src = current.map(|k| shared[k].chars().take(300).collect::<String>());
            panic!("{name}: panicked on {src:?}");
        }
    }
}

#[test]
fn random_token_streams() {
    let mut rng = Rng::new(7);
    let inputs: Vec<String> = (0..4000)
        .map(|_| {
            let n = 1 + rng.below(30) as usize;
            let sep = [" ", "", " "][rng.below(3) as usize];
            (0..n)
                .map(|_| TOKENS[rng.below(TOKENS.len() as u64) as usize])
                .collect::<Vec<_>>()
                .join(sep)
        })
        .collect();
    let ok = run_all("tokens", inputs);
    assert!(ok > 40, "only {ok} token streams parsed");
}

/// Splits a line into rough tokens: runs of word characters, runs of spaces, and single
/// other characters, so that mutations cut where a person's edit would.
fn rough_tokens(line: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let class = |c: char| {
        if c.is_alphanumeric() || c == '_' {
            0
        } else if c == ' ' {
            1
        } else {
            2
        }
    };
    for c in line.chars() {
        match out.last_mut() {
            Some(last) if class(c) < 2 && last.chars().last().map(class) == Some(class(c)) => {
                last.push(c);
            }
            _ => out.push(c.to_string()),
        }
    }
    out
}

fn mutate(rng: &mut Rng, src: &str) -> String {
    let mut lines: Vec<String> = src.lines().map(str::to_string).collect();
    for _ in 0..=rng.below(3) {
        if lines.is_empty() {
            break;
        }
        let n = lines.len() as u64;
        let i = rng.below(n) as usize;
        match rng.below(8) {
            0 => {
                lines.remove(i);
            }
            1 => {
                let l = lines[i].clone();
                lines.insert(i, l);
            }
            2 => lines.swap(i, rng.below(n) as usize),
            3 => {
                // Random indentation.
                let body = lines[i].trim_start().to_string();
                let indent: String = (0..rng.below(12))
                    .map(|_| [' ', ' ', ' ', '\t'][rng.below(4) as usize])
                    .collect();
                lines[i] = indent + &body;
            }
            _ => {
                let mut toks = rough_tokens(&lines[i]);
                if toks.is_empty() {
                    continue;
                }
                let t = rng.below(toks.len() as u64) as usize;
                match rng.below(4) {
                    0 => {
                        toks.remove(t);
                    }
                    1 => {
                        let x = toks[t].clone();
                        toks.insert(t, x);
                    }
                    2 => {
                        let u = rng.below(toks.len() as u64) as usize;
                        toks.swap(t, u);
                    }
                    _ => toks[t] = TOKENS[rng.below(TOKENS.len() as u64) as usize].to_string(),
                }
                lines[i] = toks.concat();
            }
        }
    }
    let newline = if rng.below(5) == 0 { "\r\n" } else { "\n" };
    lines.join(newline)
}

#[test]
fn mutated_kernels() {
    let mut rng = Rng::new(11);
    let mut inputs: Vec<String> = KERNELS.iter().map(|k| (*k).to_string()).collect();
    for _ in 0..4000 {
        let k = KERNELS[rng.below(KERNELS.len() as u64) as usize];
        inputs.push(mutate(&mut rng, k));
    }
    let ok = run_all("mutations", inputs);
    // The unmutated kernels parse, and some mutations keep a kernel valid.
    assert!(ok > KERNELS.len() + 200, "only {ok} mutated kernels parsed");
    for k in KERNELS {
        parse_module(k).unwrap_or_else(|e| panic!("{}: {k}", e.message));
    }
}

#[test]
fn random_bytes() {
    let mut rng = Rng::new(3);
    let alphabet: Vec<char> =
        "ab fxdei:()[]{}+-*/%<>=!&|^~.,;@#0123456789eEjx_ \t\n\n\n\r\\'\"é\u{feff}\x0c\0"
            .chars()
            .collect();
    let inputs: Vec<String> = (0..4000)
        .map(|_| {
            let n = rng.below(40) as usize;
            (0..n)
                .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
                .collect()
        })
        .collect();
    run_all("bytes", inputs);
}

#[test]
fn deep_nesting() {
    let mut inputs = Vec::new();
    for k in [MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 5_000, 100_000] {
        for (open, close) in [
            ("(", ")"),
            ("[", "]"),
            ("{", "}"),
            ("f(", ")"),
            ("a[", "]"),
            ("[x for x in ", "]"),
            ("(yield ", ")"),
            ("{**", "}"),
            ("[*", "]"),
            ("(x := ", ")"),
            ("lambda: ", ""),
            ("-", ""),
            ("not ", ""),
            ("await ", ""),
            ("x if c else ", ""),
            ("2**", ""),
            ("a.b(", ")"),
        ] {
            inputs.push(format!("x = {}1{}\n", open.repeat(k), close.repeat(k)));
            inputs.push(format!("{}1{}", open.repeat(k), close.repeat(k)));
        }
        let mut blocks = String::new();
        let mut defs = String::new();
        let mut tabs = String::new();
        for i in 0..k.min(1_400) {
            blocks.push_str(&format!("{}for i in x:\n", " ".repeat(i)));
            defs.push_str(&format!("{}def f():\n", " ".repeat(i)));
            tabs.push_str(&format!("{}while x:\n", "\t".repeat(i)));
        }
        inputs.push(blocks + "pass\n");
        inputs.push(defs);
        inputs.push(tabs);
        inputs.push(format!("if a:\n  pass\n{}", "elif b:\n  pass\n".repeat(k)));
        inputs.push(format!("x = {}", vec!["a"; k].join(" + ")));
        inputs.push(format!("x = {}", vec!["a"; k].join(" < ")));
        inputs.push(format!("x = {}", vec!["a"; k].join(" and ")));
    }
    run_all("deep", inputs);
}

/// `n` distinct names `{stem}0`, `{stem}1`, ... each followed by `sep`.
fn wide(stem: &str, sep: &str, n: usize) -> String {
    (0..n).map(|k| format!("{stem}{k}{sep}")).collect()
}

#[test]
fn long_inputs() {
    let kernel = KERNELS[0];
    let mut many = String::new();
    while many.len() + kernel.len() <= MAX_MODULE_LEN {
        many.push_str(kernel);
    }
    let inputs = vec![
        many.clone(),
        many.clone() + kernel,
        format!("x = '{}'\n", "s".repeat(MAX_MODULE_LEN - 10)),
        format!("# {}\n", "c".repeat(MAX_MODULE_LEN - 4)),
        "\n".repeat(MAX_MODULE_LEN),
        format!("x = \"\"\"{}", "a\n".repeat(200_000)),
        "x = 1;".repeat(MAX_MODULE_LEN / 6),
        format!("x = [{}]\n", "1, ".repeat(MAX_MODULE_LEN / 4)),
        format!("x = ({}\n", "(".repeat(MAX_MODULE_LEN / 2)),
        "a".repeat(MAX_SOURCE_LEN + 1),
        "a".repeat(MAX_MODULE_LEN + 1),
        format!("x = {}", "a+".repeat(MAX_SOURCE_LEN / 2 - 10) + "a"),
        // Wide rather than deep: every list in the parser must stay linear.
        format!("def f({}):\n pass\n", wide("a", ", ", 120_000)),
        format!("def f({}a0):\n pass\n", wide("a", ", ", 120_000)),
        format!("f({})\n", wide("a", "=1, ", 100_000)),
        format!("f({}a0=2)\n", wide("a", "=1, ", 100_000)),
        format!("x = {}a\n", wide("a", " < ", 100_000)),
        format!("x = {}a\n", wide("a", " and ", 90_000)),
        format!("import {}m\n", wide("m", ", ", 120_000)),
        format!("x = [{}]\n", wide("a", " for a in b if c ", 40_000)),
        format!("def f():\n{}", " x = 1\n".repeat(120_000)),
        format!("if a:\n pass\n{}", "elif b:\n pass\n".repeat(30_000)),
    ];
    assert!(inputs[12..].iter().all(|s| s.len() <= MAX_MODULE_LEN));
    let ok = run_all("long", inputs);
    // The valid ones: the kernels, the long string, comment, blank lines, statements and
    // list, the long name, and the wide parameter list, call, chains, import and body.
    assert_eq!(ok, 13);
    let m = parse_module(&many).unwrap();
    assert!(m.functions().count() > 100);
}

/// The two modes share the expression grammar: an expression without comparisons (which
/// each mode builds its own way) dumps the same from `parse` and as a kernel statement.
#[test]
fn modes_agree_on_shared_expressions() {
    let mut rng = Rng::new(5);
    let leaves = [
        "a", "b", "x1", "1", "2.5", "True", "None", "0x10", "1e-3", "7_0",
    ];
    let ops = [
        "+", "-", "*", "/", "//", "%", "**", "<<", ">>", "&", "|", "^",
    ];
    let mut agreed = 0;
    for _ in 0..2000 {
        let mut e = leaves[rng.below(leaves.len() as u64) as usize].to_string();
        for _ in 0..=rng.below(6) {
            let other = leaves[rng.below(leaves.len() as u64) as usize];
            e = match rng.below(6) {
                0 => format!("-{e}"),
                1 => format!("~({e})"),
                2 => format!("where({e}, {other}, 1)"),
                3 => format!("({e}).real"),
                _ => {
                    let op = ops[rng.below(ops.len() as u64) as usize];
                    if rng.below(2) == 0 {
                        format!("{e} {op} {other}")
                    } else {
                        format!("{other} {op} ({e})")
                    }
                }
            };
        }
        let expr = parse(&e).unwrap_or_else(|err| panic!("{e}: {}", err.message));
        let module = parse_module(&format!("{e}\n")).unwrap();
        assert_eq!(format!("expr {}\n", expr.dump()), module.dump(), "{e}");
        agreed += 1;
    }
    assert_eq!(agreed, 2000);
}

/// Re-indenting a kernel consistently (another width, or tabs) does not change its AST.
#[test]
fn indentation_width_does_not_matter() {
    for kernel in KERNELS {
        let reference = parse_module(kernel).unwrap().dump();
        for unit in ["  ", "\t", "        ", " "] {
            let reindented: String = kernel
                .lines()
                .map(|l| {
                    let body = l.trim_start_matches(' ');
                    let levels = (l.len() - body.len()) / 4;
                    let tabs = l.len() - l.trim_start_matches('\t').len();
                    if tabs > 0 {
                        format!("{}{}\n", unit.repeat(tabs), l.trim_start_matches('\t'))
                    } else {
                        format!("{}{body}\n", unit.repeat(levels))
                    }
                })
                .collect();
            assert_eq!(
                parse_module(&reindented).unwrap().dump(),
                reference,
                "{unit:?}"
            );
        }
    }
}

/// The expression language's lowering meets module-mode kinds only if someone hands it a
/// module's expression: every subexpression of the kernels (and of mutated kernels) lowers
/// to a value or an error, never a panic, and a kind the expression language lacks is a
/// SyntaxError naming it.
#[test]
fn expression_lowering_rejects_module_kinds_cleanly() {
    use numwasm::api::{DType, ErrorKind, InputKind, PyScalar, Signature};
    use numwasm::front::expr::lower;

    let sig = Signature {
        inputs: vec![
            (
                "x".into(),
                InputKind::Array {
                    dtype: DType::F64,
                    shape: vec![2, 3],
                },
            ),
            ("n".into(), InputKind::Scalar(PyScalar::Int(3))),
            ("a".into(), InputKind::Scalar(PyScalar::Float(0.5))),
        ],
    };
    let expression_kind = |k: &ExprKind| {
        matches!(
            k,
            ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Bool(_)
                | ExprKind::NoneLit
                | ExprKind::Name(_)
                | ExprKind::Unary(..)
                | ExprKind::Binary(..)
                | ExprKind::Compare(..)
                | ExprKind::Call { .. }
                | ExprKind::Attr { .. }
        )
    };
    let mut rng = Rng::new(13);
    let mut sources: Vec<String> = KERNELS.iter().map(|k| (*k).to_string()).collect();
    sources.extend((0..300).map(|_| mutate(&mut rng, KERNELS[1])));
    sources.push("y = a @ x; z = np.sqrt(x)(n); w = a and n; v = x[0]\n".into());
    let (mut lowered, mut rejected) = (0, 0);
    for src in &sources {
        let Ok(module) = parse_module(src) else {
            continue;
        };
        for (k, e) in module.exprs.iter().enumerate() {
            let ast = Ast {
                exprs: module.exprs.clone(),
                root: Some(numwasm::syntax::ExprId(k as u32)),
            };
            let module_only = !expression_kind(&e.kind)
                || matches!(e.kind, ExprKind::Binary(numwasm::syntax::BinOp::MatMul, ..))
                || matches!(&e.kind, ExprKind::Call { func, .. }
                    if !matches!(module.expr(*func).kind, ExprKind::Name(_) | ExprKind::Attr { .. }));
            match lower(&ast, &sig) {
                Ok(_) => {
                    assert!(!module_only, "lowered {:?}", e.kind);
                    lowered += 1;
                }
                Err(err) => {
                    let d = Diagnostic::from(err);
                    let _ = d.render(src);
                    if module_only {
                        assert_eq!(d.kind, ErrorKind::SyntaxError, "{}", d.message);
                        rejected += 1;
                    }
                }
            }
        }
    }
    assert!(
        lowered > 100 && rejected > 100,
        "{lowered} lowered, {rejected} rejected"
    );
}
