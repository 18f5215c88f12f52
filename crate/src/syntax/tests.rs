//! Module mode, end to end: source in, `Module::dump` (or the error with its span) out.
//! Expression mode's tests are in `parser.rs`, the lexer's in `lexer.rs`.

use super::{ExprId, ExprKind, MAX_DEPTH, MAX_MODULE_LEN, Module, StmtId, StmtKind, parse_module};

/// The dump of `src`, or `error: message @start..end`.
fn m(src: &str) -> String {
    parse_module(src).map_or_else(
        |e| format!("error: {} @{}..{}", e.message, e.span.start, e.span.end),
        |m| m.dump(),
    )
}

/// The dump of the one expression statement `src`.
fn e(src: &str) -> String {
    let out = m(&format!("{src}\n"));
    out.strip_prefix("expr ")
        .map_or(out.clone(), |s| s.trim_end().to_string())
}

/// `if x:` nested `k` deep around a `pass`, one space of indentation per level.
fn if_ladder(k: usize) -> String {
    let mut s = String::new();
    for i in 0..k {
        s += &" ".repeat(i);
        s += "if x:\n";
    }
    s + &" ".repeat(k) + "pass\n"
}

/// The text of a span.
fn text(src: &str, span: super::Span) -> &str {
    &src[span.start as usize..span.end as usize]
}

const KERNEL: &str = r#"import numpy as np
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
"#;

#[test]
fn a_realistic_kernel_module() {
    let want = r#"import numpy as np
from numba import njit, prange
assign GAMMA = 2.2
@(njit parallel=True)
def normalize (x)
  expr "Row normalisation."
  assign ret = ((.empty_like np) x)
  for i in (prange ([] (.shape x) 0))
    assign acc = 0.0
    for j in (range ([] (.shape x) 1))
      augassign acc += (** ([] x (tuple i j)) 2)
    assign norm = ((.sqrt np) acc)
    assign ([] ret (tuple i (slice _ _ _))) = (if (cmp norm != 0) (/ ([] x (tuple i (slice _ _ _))) norm) 0.0)
  return ret
def band (n)
  def inner (i j)
    return (if (cmp (abs (- i j)) <= 1) 1.0 0.0)
  return ((.array np) (listcomp (listcomp (inner i j) (for j in (range n))) (for i in (range n))))
"#;
    assert_eq!(m(KERNEL), want);
}

#[test]
fn function_definitions_have_spans() {
    let module = parse_module(KERNEL).unwrap();
    let fs: Vec<_> = module.functions().collect();
    assert_eq!(fs.len(), 2);
    let (id, f) = fs[0];
    assert_eq!(f.name, "normalize");
    assert_eq!(text(KERNEL, f.name_span), "normalize");
    assert_eq!(text(KERNEL, f.params[0].span), "x");
    assert_eq!(
        text(KERNEL, module.expr(f.decorators[0]).span),
        "njit(parallel=True)"
    );
    let span = text(KERNEL, module.stmt(id).span);
    assert!(span.starts_with("def normalize(x):") && span.ends_with("return ret"));
    assert_eq!(fs[1].1.name, "band");
    // The nested def is a statement of band's body.
    let inner = fs[1].1.body[0];
    assert!(matches!(&module.stmt(inner).kind, StmtKind::FunctionDef(d) if d.name == "inner"));
}

/// Every expression and statement span lies inside the source, and a parent's span
/// covers its children's.
#[test]
fn spans_nest() {
    let module = parse_module(KERNEL).unwrap();
    let len = KERNEL.len() as u32;
    for (k, ex) in module.exprs.iter().enumerate() {
        assert!(ex.span.start <= ex.span.end && ex.span.end <= len);
        ex.kind.for_each_child(|c| {
            let cs = module.expr(c).span;
            assert!(
                ex.span.start <= cs.start && cs.end <= ex.span.end,
                "{k}: {:?} does not cover {:?}",
                ex.kind,
                module.expr(c).kind
            );
        });
    }
    for s in &module.stmts {
        assert!(s.span.start < s.span.end && s.span.end <= len);
    }
    let stmt = |id: StmtId| module.stmt(id);
    let (_, f) = module.functions().next().unwrap();
    let StmtKind::For { iter, body, .. } = &stmt(f.body[2]).kind else {
        panic!("not a for loop");
    };
    assert_eq!(text(KERNEL, module.expr(*iter).span), "prange(x.shape[0])");
    assert_eq!(text(KERNEL, stmt(body[0]).span), "acc = 0.0");
    let StmtKind::Assign { targets, value } = &stmt(body[3]).kind else {
        panic!("not an assignment");
    };
    assert_eq!(text(KERNEL, module.expr(targets[0]).span), "ret[i, :]");
    let ExprKind::Subscript { index, .. } = &module.expr(targets[0]).kind else {
        panic!("not a subscript");
    };
    assert_eq!(text(KERNEL, module.expr(*index).span), "i, :");
    assert_eq!(
        text(KERNEL, module.expr(*value).span),
        "x[i, :] / norm if norm != 0 else 0.0"
    );
}

#[test]
fn simple_statements() {
    let src = "def f(a):
    a
    a = b = 0
    n, m = a.shape
    [p, *q] = r
    a.x = a[0] = 1
    a += 1
    a[1:n] -= 2
    a.b **= 3
    x: int = 1
    y: float
    pass
    assert a
    assert a, 'msg'
    raise
    raise E('x')
    raise E from c
    global g, h
    return
";
    let want = r#"def f (a)
  expr a
  assign a = b = 0
  assign (tuple n m) = (.shape a)
  assign (list p (* q)) = r
  assign (.x a) = ([] a 0) = 1
  augassign a += 1
  augassign ([] a (slice 1 n _)) -= 2
  augassign (.b a) **= 3
  annassign x : int = 1
  annassign y : float
  pass
  assert a
  assert a, "msg"
  raise
  raise (E "x")
  raise E from c
  global g, h
  return
"#;
    assert_eq!(m(src), want);
    assert_eq!(
        m("def f():\n  return a, b\n  return (a, b)\n  return\n"),
        "def f ()\n  return (tuple a b)\n  return (tuple a b)\n  return\n"
    );
    assert_eq!(
        m("x = 1; y = 2;\nz = 3\n"),
        "assign x = 1\nassign y = 2\nassign z = 3\n"
    );
    let aug: Vec<String> = [
        "+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "@",
    ]
    .iter()
    .map(|op| m(&format!("a {op}= b\n")))
    .collect();
    for (op, d) in [
        "+", "-", "*", "/", "//", "%", "**", "&", "|", "^", "<<", ">>", "@",
    ]
    .iter()
    .zip(aug)
    {
        assert_eq!(d, format!("augassign a {op}= b\n"));
    }
}

#[test]
fn compound_statements() {
    let src = "def f(x):
    if a:
        pass
    elif b: return 1
    elif c:
        return 2
    else:
        return 3
    while x < 3:
        x += 1
        if x: break
        continue
    else:
        pass
    for i, (j, k) in enumerate(x):
        continue
    else:
        pass
    for i in 1, 2:
        pass
";
    let want = r"def f (x)
  if a
    pass
  else
    if b
      return 1
    else
      if c
        return 2
      else
        return 3
  while (cmp x < 3)
    augassign x += 1
    if x
      break
    continue
  else
    pass
  for (tuple i (tuple j k)) in (enumerate x)
    continue
  else
    pass
  for i in (tuple 1 2)
    pass
";
    assert_eq!(m(src), want);
}

#[test]
fn definitions_and_decorators() {
    let src = r#"@njit
@jit(nopython=True, parallel=True)
def f(a, b=2):
    def g(c, *args, d, e=1, **kw) -> int:
        nonlocal a
        return c
    return g

@njit("float64(float64[:])")
def h(x): return x

@vectorize(['int64(int64, int64)'], target='parallel')
def add(x, y):
    return x + y

@guvectorize([(float64[:], float64, float64[:])], '(n),()->(n)')
def g2(x, y, res):
    pass

@stencil(neighborhood=((-1, 1),))
def k(a):
    return a[-1] + a[1]

@a.b[0](1)
def p(x, /, y, *, z):
    ...
"#;
    let want = r#"@njit
@(jit nopython=True parallel=True)
def f (a b=2)
  def g (c *args d e=1 **kw) -> int
    nonlocal a
    return c
  return g
@(njit "float64(float64[:])")
def h (x)
  return x
@(vectorize (list "int64(int64, int64)") target="parallel")
def add (x y)
  return (+ x y)
@(guvectorize (list (tuple ([] float64 (slice _ _ _)) float64 ([] float64 (slice _ _ _)))) "(n),()->(n)")
def g2 (x y res)
  pass
@(stencil neighborhood=(tuple (tuple (neg 1) 1)))
def k (a)
  return (+ ([] a (neg 1)) ([] a 1))
@(([] (.b a) 0) 1)
def p (x / y * z)
  expr ...
"#;
    assert_eq!(m(src), want);
    assert_eq!(
        m("def f(a: int, b: float = 1.0):\n pass\n"),
        "def f (a:int b:float=1.0)\n  pass\n"
    );
}

#[test]
fn imports() {
    let src = "import numpy as np, math
import os.path
from numba import njit, prange as pr
from numba import (njit,
    jit,)
from . import helpers
from ..pkg.mod import x
from m import *
";
    let want = "import numpy as np, math
import os.path
from numba import njit, prange as pr
from numba import njit, jit
from . import helpers
from ..pkg.mod import x
from m import *
";
    assert_eq!(m(src), want);
}

#[test]
fn subscripts_and_slices() {
    assert_eq!(e("a[i]"), "([] a i)");
    assert_eq!(e("a[i, j]"), "([] a (tuple i j))");
    assert_eq!(e("a[i,]"), "([] a (tuple i))");
    assert_eq!(e("a[1:n:2]"), "([] a (slice 1 n 2))");
    assert_eq!(e("a[:, 0]"), "([] a (tuple (slice _ _ _) 0))");
    assert_eq!(e("a[::-1]"), "([] a (slice _ _ (neg 1)))");
    assert_eq!(e("a[:n]"), "([] a (slice _ n _))");
    assert_eq!(e("a[n:]"), "([] a (slice n _ _))");
    assert_eq!(e("a[::]"), "([] a (slice _ _ _))");
    assert_eq!(e("a[..., 0]"), "([] a (tuple ... 0))");
    assert_eq!(e("a[i][j]"), "([] ([] a i) j)");
    assert_eq!(e("a[b[i]]"), "([] a ([] b i))");
    assert_eq!(e("f(x)[0].y"), "(.y ([] (f x) 0))");
}

#[test]
fn displays_and_comprehensions() {
    assert_eq!(e("()"), "(tuple)");
    assert_eq!(e("(1,)"), "(tuple 1)");
    assert_eq!(e("(1, 2)"), "(tuple 1 2)");
    assert_eq!(e("1, 2,"), "(tuple 1 2)");
    assert_eq!(e("(1)"), "1");
    assert_eq!(e("[]"), "(list)");
    assert_eq!(e("[1, 2]"), "(list 1 2)");
    assert_eq!(e("[1, *a,]"), "(list 1 (* a))");
    assert_eq!(
        e("[x * y for x in a if x if x > 0 for y in b]"),
        "(listcomp (* x y) (for x in a if x if (cmp x > 0)) (for y in b))"
    );
    assert_eq!(
        e("[[i for i in r] for r in rows]"),
        "(listcomp (listcomp i (for i in r)) (for r in rows))"
    );
    assert_eq!(
        e("[x for x, y in z]"),
        "(listcomp x (for (tuple x y) in z))"
    );
    assert_eq!(e("(x for x in a)"), "(genexp x (for x in a))");
    assert_eq!(e("sum(x for x in a)"), "(sum (genexp x (for x in a)))");
}

#[test]
fn operators_and_calls() {
    assert_eq!(e("a and b and c"), "(and a b c)");
    assert_eq!(e("a or b and c"), "(or a (and b c))");
    assert_eq!(e("not a == b"), "(not (cmp a == b))");
    assert_eq!(e("not not a"), "(not (not a))");
    assert_eq!(e("a & b"), "(& a b)");
    assert_eq!(e("x if c else y"), "(if c x y)");
    assert_eq!(e("a if b else c if d else e"), "(if b a (if d c e))");
    assert_eq!(e("lambda: 0"), "(lambda () 0)");
    assert_eq!(e("lambda x, y=1: x + y"), "(lambda (x y=1) (+ x y))");
    assert_eq!(e("a < b < c"), "(cmp a < b < c)");
    assert_eq!(
        e("a is b is not c in d not in e"),
        "(cmp a is b is not c in d not in e)"
    );
    assert_eq!(e("-2**2"), "(neg (** 2 2))");
    assert_eq!(e("a @ b * c"), "(* (@ a b) c)");
    assert_eq!(e("np.zeros(n)"), "((.zeros np) n)");
    assert_eq!(e("math.exp(x)"), "((.exp math) x)");
    assert_eq!(e("a.sum()"), "((.sum a))");
    assert_eq!(e("result.append(x)"), "((.append result) x)");
    assert_eq!(
        e("numba.stencil(k, neighborhood=((-1,1),))(x)"),
        "(((.stencil numba) k neighborhood=(tuple (tuple (neg 1) 1))) x)"
    );
    assert_eq!(e("f(*args, k=1)"), "(f (* args) k=1)");
    assert_eq!(e("f(a,)"), "(f a)");
    assert_eq!(e("'a' 'b' \"c\""), "\"abc\"");
    assert_eq!(e("b'a' b'\\x00'"), "b\"a\\x00\"");
    assert_eq!(e("..."), "...");
    assert_eq!(e("None, True, False"), "(tuple None True False)");
    assert_eq!(e("'s'.join(x)"), "((.join \"s\") x)");
}

#[test]
fn unsupported_expressions_keep_their_spans() {
    let cases = [
        ("{}", "dict displays"),
        ("{1: 2, **d}", "dict displays"),
        ("{1, 2}", "set displays"),
        ("{k: v for k, v in x}", "dict comprehensions"),
        ("{k for k in x}", "set comprehensions"),
        ("f'{x}'", "f-strings"),
        ("(yield x)", "'yield' expressions"),
        ("(y := 1)", "assignment expressions (':=')"),
        ("f(**kw)", "'**' arguments"),
        ("await g()", "'await' expressions"),
    ];
    for (src, what) in cases {
        let module = parse_module(&format!("x = {src}\n")).unwrap();
        let found = module
            .exprs
            .iter()
            .find(|e| matches!(e.kind, ExprKind::Unsupported { what: w } if w == what));
        let found = found.unwrap_or_else(|| panic!("{src}: {}", module.dump()));
        let full = format!("x = {src}\n");
        let t = text(&full, found.span);
        assert!(src.contains(t) && !t.is_empty(), "{src}: {t:?}");
    }
}

#[test]
fn unsupported_statements_span_the_construct() {
    let src = "with open(f) as g, h:
    pass
try:
    x = 1
except (ValueError, E) as e:
    pass
except:
    pass
else:
    pass
finally:
    pass
class C(Base, metaclass=M):
    def m(self):
        return 1
del a, b[0]
async def f():
    await x
match command:
    case [x]:
        pass
    case _:
        pass
match = 3
match(x)
";
    let module = parse_module(src).unwrap();
    let got: Vec<(&str, &str)> = module
        .body
        .iter()
        .map(|&id| {
            let s = module.stmt(id);
            let what = match s.kind {
                StmtKind::Unsupported { what } => what,
                _ => "-",
            };
            (what, text(src, s.span))
        })
        .collect();
    let firsts: Vec<(&str, &str)> = got
        .iter()
        .map(|(w, t)| (*w, t.lines().next().unwrap_or("")))
        .collect();
    assert_eq!(
        firsts,
        [
            ("'with' statements", "with open(f) as g, h:"),
            ("'try' statements", "try:"),
            ("class definitions", "class C(Base, metaclass=M):"),
            ("'del' statements", "del a, b[0]"),
            ("async functions", "async def f():"),
            ("match statements", "match command:"),
            ("-", "match = 3"),
            ("-", "match(x)"),
        ]
    );
    // Each span runs to the end of the construct's last block.
    assert!(got[1].1.ends_with("finally:\n    pass"));
    assert!(got[2].1.ends_with("return 1"));
    assert!(got[5].1.ends_with("case _:\n        pass"));
}

#[test]
fn docstrings_and_layout() {
    let src = "\"\"\"Module doc.\"\"\"\n\n\ndef f():\n    '''Doc\n    string.'''\n\n    # comment\n    return (1 +\n            2)\n";
    assert_eq!(
        m(src),
        "expr \"Module doc.\"\ndef f ()\n  expr \"Doc\\n    string.\"\n  return (+ 1 2)\n"
    );
    assert_eq!(m(""), "");
    assert_eq!(m("# only a comment"), "");
    assert_eq!(m("def f():\r\n\treturn 1\r\n"), "def f ()\n  return 1\n");
}

#[test]
fn errors_have_python_messages_and_spans() {
    let cases = [
        ("if x\n    pass\n", "error: expected ':' @4..5"),
        (
            "if x:\npass\n",
            "error: expected an indented block after 'if' statement on line 1 @6..10",
        ),
        (
            "x = 1\n\ndef f():\n\n# c\nreturn 1\n",
            "error: expected an indented block after function definition on line 3 @21..27",
        ),
        (
            "for i in x:\n    pass\nelse:\n",
            "error: expected an indented block after 'else' statement on line 3 @27..27",
        ),
        ("x = 1\n    y = 2\n", "error: unexpected indent @10..11"),
        (
            "if x:\n        y = 1\n    z = 2\n",
            "error: unindent does not match any outer indentation level @20..24",
        ),
        (
            "x = 'abc\n",
            "error: unterminated string literal (detected at line 1) @4..8",
        ),
        ("x = (1,\n", "error: '(' was never closed @4..5"),
        ("x = 1 2\n", "error: invalid syntax @6..7"),
        ("x = \n", "error: invalid syntax @4..5"),
        ("for x y:\n  pass\n", "error: expected 'in' @6..7"),
        ("def f\n", "error: expected '(' @5..6"),
        ("return 1\n", "error: 'return' outside function @0..6"),
        (
            "while 1:\n  def g():\n    break\n",
            "error: 'break' outside loop @24..29",
        ),
        ("continue\n", "error: 'continue' not properly in loop @0..8"),
        (
            "nonlocal x\n",
            "error: nonlocal declaration not allowed at module level @0..8",
        ),
        ("f() = 1\n", "error: cannot assign to function call @0..3"),
        ("1 = x\n", "error: cannot assign to literal @0..1"),
        ("True = 1\n", "error: cannot assign to True @0..4"),
        ("a + 1 = 2\n", "error: cannot assign to expression @0..5"),
        (
            "for f(x) in y:\n  pass\n",
            "error: cannot assign to function call @4..8",
        ),
        (
            "a, b += 1\n",
            "error: 'tuple' is an illegal expression for augmented assignment @0..4",
        ),
        (
            "a, b: int\n",
            "error: only single target (not tuple) can be annotated @0..4",
        ),
        (
            "*a = b\n",
            "error: starred assignment target must be in a list or tuple @0..2",
        ),
        (
            "*a, *b = c\n",
            "error: multiple starred expressions in assignment @4..6",
        ),
        (
            "x = *a\n",
            "error: cannot use starred expression here @4..6",
        ),
        ("@njit\nx = 1\n", "error: invalid syntax @6..7"),
        (
            "def f(a=1, b):\n  pass\n",
            "error: parameter without a default follows parameter with a default @11..12",
        ),
        (
            "def f(a, a):\n  pass\n",
            "error: duplicate argument 'a' in function definition @9..10",
        ),
        (
            "def f(*):\n  pass\n",
            "error: named arguments must follow bare * @6..7",
        ),
        (
            "def f(**k, a):\n  pass\n",
            "error: arguments cannot follow var-keyword argument @11..12",
        ),
        (
            "def f(/):\n  pass\n",
            "error: at least one argument must precede / @6..7",
        ),
        (
            "f(x for x in y, 1)\n",
            "error: generator expression must be parenthesized @2..14",
        ),
        (
            "f(a=1, b)\n",
            "error: positional argument follows keyword argument @7..8",
        ),
        ("f(a=1, a=2)\n", "error: keyword argument repeated: a @7..8"),
        (
            "x = 1 if y\n",
            "error: expected 'else' after 'if' expression @10..11",
        ),
        (
            "x = 'a' b'b'\n",
            "error: cannot mix bytes and nonbytes literals @4..12",
        ),
        (
            "[*a for a in b]\n",
            "error: iterable unpacking cannot be used in comprehension @1..3",
        ),
        (
            "try:\n  pass\nx = 1\n",
            "error: expected 'except' or 'finally' block @12..13",
        ),
        (
            "from x import a,\n",
            "error: trailing comma not allowed without surrounding parentheses @15..16",
        ),
        ("from x import\n", "error: invalid syntax @13..14"),
        ("x = $\n", "error: invalid character '$' @4..5"),
        ("async x\n", "error: invalid syntax @6..7"),
    ];
    for (src, want) in cases {
        assert_eq!(m(src), want, "{src:?}");
    }
    let e = parse_module("if x = 1:\n  pass\n").unwrap_err();
    assert_eq!(e.message, "expected ':'");
    assert_eq!(e.notes, ["maybe you meant '==' or ':=' instead of '='?"]);
    let e = parse_module("x = 1 +\n").unwrap_err();
    assert_eq!(
        e.notes,
        ["expected an expression, found the end of the line"]
    );
    let e = parse_module("f(x) = 1\n").unwrap_err();
    assert_eq!(e.notes, ["maybe you meant '==' instead of '='?"]);
}

/// Blocks, `elif` branches and brackets nest up to `MAX_DEPTH` levels together; past it
/// the error says so instead of overflowing the stack.
#[test]
fn nesting_limits() {
    let blocks = if_ladder;
    assert!(parse_module(&blocks(MAX_DEPTH - 1)).is_ok());
    let err = parse_module(&blocks(MAX_DEPTH + 1)).unwrap_err();
    assert!(err.message.contains("nested too deeply"), "{}", err.message);
    assert!(parse_module(&blocks(10_000)).is_err());

    let elifs = |k: usize| format!("if a:\n  pass\n{}", "elif b:\n  pass\n".repeat(k));
    assert!(parse_module(&elifs(MAX_DEPTH - 1)).is_ok());
    assert!(parse_module(&elifs(50_000)).is_err());

    for (open, close) in [("(", ")"), ("[", "]"), ("{", "}"), ("f(", ")"), ("a[", "]")] {
        let deep = |k: usize| format!("x = {}1{}\n", open.repeat(k), close.repeat(k));
        assert!(parse_module(&deep(MAX_DEPTH - 2)).is_ok(), "{open}");
        let err = parse_module(&deep(MAX_DEPTH + 1)).unwrap_err();
        assert!(
            err.message.contains("nested too deeply"),
            "{open}: {}",
            err.message
        );
        assert!(parse_module(&deep(50_000)).is_err());
    }
    for prefix in [
        "-",
        "not ",
        "lambda: ",
        "await ",
        "x if c else ",
        "[x for x in ",
    ] {
        let close = if prefix.starts_with('[') { "]" } else { "" };
        let src = format!("x = {}1{}\n", prefix.repeat(50_000), close.repeat(50_000));
        assert!(parse_module(&src).is_err(), "{prefix}");
    }
    // Expressions deep inside deep blocks share the limit.
    let src =
        blocks(150) + &" ".repeat(150) + &format!("x = {}1{}\n", "(".repeat(60), ")".repeat(60));
    assert!(parse_module(&src).is_err());
    // Long but flat inputs are fine up to the length limit.
    let long = "x = 1\n".repeat(MAX_MODULE_LEN / 6);
    assert_eq!(parse_module(&long).unwrap().body.len(), MAX_MODULE_LEN / 6);
    let e = parse_module(&"x = 1\n".repeat(MAX_MODULE_LEN / 6 + 1)).unwrap_err();
    assert!(e.message.contains("too long"));
}

/// The deepest inputs the limits accept fit in a 1 MiB stack, the default stack of a
/// wasm32 build, with room to spare.
#[test]
fn deepest_inputs_fit_a_small_stack() {
    let inputs = {
        let d = MAX_DEPTH - 2;
        let mut v: Vec<String> = [
            ("(", ")"),
            ("[", "]"),
            ("f(", ")"),
            ("a[", "]"),
            ("[x for x in ", "]"),
            ("(yield ", ")"),
            ("-", ""),
            ("not ", ""),
            ("lambda: ", ""),
        ]
        .iter()
        .map(|(o, c)| format!("x = {}1{}\n", o.repeat(d), c.repeat(d)))
        .collect();
        v.push(if_ladder(d));
        v
    };
    let parsed = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            inputs
                .iter()
                .filter(|src| parse_module(src).map(|m| m.dump()).is_ok())
                .count()
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(parsed, 10);
}

/// `Module::expr` and the arenas agree with the handles the statements hold.
#[test]
fn handles_point_into_the_arenas() {
    let module: Module = parse_module("x = f(1)\ny = x\n").unwrap();
    let StmtKind::Assign { targets, value } = &module.stmt(module.body[0]).kind else {
        panic!("not an assignment");
    };
    assert!(matches!(module.expr(targets[0]).kind, ExprKind::Name(ref n) if n == "x"));
    assert!(matches!(module.expr(*value).kind, ExprKind::Call { .. }));
    assert_eq!(module.dump_expr(*value), "(f 1)");
    assert_eq!(module.dump_expr(ExprId(0)), "x");
}
