//! The opt stage, pass by pass on small hand-built functions: what each pass in
//! `opt::PASSES` rewrites, what it must leave alone, and the verifier between passes.
//! Where a pass rewrites, the reference evaluator checks that the new function gives the
//! old one's bits.
#![cfg(not(target_arch = "wasm32"))]

use numwasm::api::Span;
use numwasm::ir::reference::evaluate;
use numwasm::ir::{Function, Node, Param, Value};
use numwasm::opt::{self, PASSES, verify};
use numwasm::types::{BinaryOp, Buffer, BufferRef, DType, Scalar, UnaryOp};

/// The pass called `name` in `opt::PASSES`.
fn pass(name: &str) -> fn(&Function) -> Function {
    PASSES
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("no pass '{name}'"))
        .1
}

/// A function of inputs `x0, x1, ...` of these dtypes, all of shape `[n]` unless given,
/// with the root built by `body` from the input handles.
fn build(
    inputs: &[(DType, &[usize])],
    body: impl FnOnce(&mut Function, &[Value]) -> Value,
) -> Function {
    let params = inputs
        .iter()
        .enumerate()
        .map(|(i, (d, s))| Param {
            name: format!("x{i}"),
            dtype: *d,
            shape: s.to_vec(),
        })
        .collect();
    let mut f = Function::new(params);
    let xs: Vec<Value> = (0..inputs.len() as u32)
        .map(|i| f.fetch_or_append(Node::Input(i), Span::default()))
        .collect();
    let root = body(&mut f, &xs);
    f.root = Some(root);
    verify(&f, "test").unwrap_or_else(|e| panic!("malformed test input: {e:?}\n{f}"));
    f
}

fn node(f: &mut Function, n: Node) -> Value {
    f.fetch_or_append(n, Span::default())
}

fn bin(f: &mut Function, op: BinaryOp, a: Value, b: Value) -> Value {
    node(f, Node::Binary(op, a, b))
}

fn k(f: &mut Function, s: Scalar) -> Value {
    f.constant(s, Span::default())
}

/// Runs `name` on `f`, checks the verifier accepts the result, and returns it.
fn apply(name: &str, f: &Function) -> Function {
    let g = pass(name)(f);
    verify(&g, "test").unwrap_or_else(|e| panic!("{name} broke the function: {e:?}\n{g}"));
    g
}

/// The root node of `f`.
fn root(f: &Function) -> Node {
    *f.node(f.root())
}

/// Float test values with the usual troublemakers.
const F64S: [f64; 12] = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.3,
    -2.5,
    7.0,
    1e-310,
    1e300,
    f64::INFINITY,
    f64::NEG_INFINITY,
    f64::NAN,
];

fn same_bits(a: &Buffer, b: &Buffer) -> bool {
    match (a, b) {
        (Buffer::F64(x), Buffer::F64(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
        }
        (Buffer::F32(x), Buffer::F32(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.to_bits() == q.to_bits())
        }
        _ => a == b,
    }
}

/// `f` and `g` give the same bits on `inputs`.
fn assert_same_results(f: &Function, g: &Function, inputs: &[BufferRef<'_>]) {
    let a = evaluate(f, inputs).expect("evaluates").to_buffer();
    let b = evaluate(g, inputs).expect("evaluates").to_buffer();
    assert!(
        same_bits(&a, &b),
        "{a:?}\nvs\n{b:?}\nbefore:\n{f}\nafter:\n{g}"
    );
}

const N: &[usize] = &[12];

#[test]
fn algebra_drops_exact_identities() {
    let f64s = [(DType::F64, N)];
    let cases: Vec<(&str, Function)> = vec![
        (
            "x*1",
            build(&f64s, |f, x| {
                let one = k(f, Scalar::F64(1.0));
                bin(f, BinaryOp::Mul, x[0], one)
            }),
        ),
        (
            "1*x",
            build(&f64s, |f, x| {
                let one = k(f, Scalar::F64(1.0));
                bin(f, BinaryOp::Mul, one, x[0])
            }),
        ),
        (
            "x/1",
            build(&f64s, |f, x| {
                let one = k(f, Scalar::F64(1.0));
                bin(f, BinaryOp::TrueDiv, x[0], one)
            }),
        ),
        (
            "--x",
            build(&f64s, |f, x| {
                let n = node(f, Node::Unary(UnaryOp::Neg, x[0]));
                node(f, Node::Unary(UnaryOp::Neg, n))
            }),
        ),
        (
            "~~b",
            build(&[(DType::Bool, N)], |f, x| {
                let n = node(f, Node::Unary(UnaryOp::Invert, x[0]));
                node(f, Node::Unary(UnaryOp::Invert, n))
            }),
        ),
        (
            "int x+0",
            build(&[(DType::I32, N)], |f, x| {
                let zero = k(f, Scalar::I32(0));
                bin(f, BinaryOp::Add, x[0], zero)
            }),
        ),
        (
            "int 0+x",
            build(&[(DType::U8, N)], |f, x| {
                let zero = k(f, Scalar::U8(0));
                bin(f, BinaryOp::Add, zero, x[0])
            }),
        ),
        (
            "int x-0",
            build(&[(DType::I64, N)], |f, x| {
                let zero = k(f, Scalar::I64(0));
                bin(f, BinaryOp::Sub, x[0], zero)
            }),
        ),
    ];
    for (what, f) in cases {
        let g = apply("algebra", &f);
        assert_eq!(root(&g), Node::Input(0), "{what}:\n{g}");
        assert_eq!(g.len(), 1, "{what}: dead nodes are dropped:\n{g}");
    }
}

#[test]
fn algebra_keeps_identities_that_change_bits() {
    // For floats none of these is an identity: -0.0 + 0.0 is 0.0, NaN * 0 and -1 * 0 are
    // not 0.0, inf - inf and 0 / 0 are NaN.
    let cases: [(BinaryOp, bool); 4] = [
        (BinaryOp::Add, false),
        (BinaryOp::Mul, false),
        (BinaryOp::Sub, true),
        (BinaryOp::TrueDiv, true),
    ];
    for (op, self_operand) in cases {
        let f = build(&[(DType::F64, N)], |f, x| {
            let zero = k(f, Scalar::F64(0.0));
            bin(f, op, x[0], if self_operand { x[0] } else { zero })
        });
        let g = apply("algebra", &f);
        assert!(
            matches!(root(&g), Node::Binary(o, _, _) if o == op),
            "{op:?}:\n{g}"
        );
        assert_same_results(&f, &g, &[BufferRef::from(&F64S[..])]);
    }
    // A single negation is not a double one.
    let f = build(&[(DType::F64, N)], |f, x| {
        node(f, Node::Unary(UnaryOp::Neg, x[0]))
    });
    assert_eq!(apply("algebra", &f).len(), 2);
}

/// `x ** e` over `x: dtype[12]` with a constant exponent.
fn power(dtype: DType, e: Scalar) -> Function {
    build(&[(dtype, N)], |f, x| {
        let e = k(f, e);
        bin(f, BinaryOp::Pow, x[0], e)
    })
}

#[test]
fn pow_strength_reduction_rewrites_only_numpys_own_float_shortcuts() {
    let reduce = |e: f64| apply("pow-strength-reduction", &power(DType::F64, Scalar::F64(e)));
    let g = reduce(2.0);
    assert!(
        matches!(root(&g), Node::Binary(BinaryOp::Mul, a, b) if a == b && g.node(a) == &Node::Input(0)),
        "x**2 is x*x:\n{g}"
    );
    let g = reduce(0.5);
    assert!(
        matches!(root(&g), Node::Unary(UnaryOp::Sqrt, _)),
        "x**0.5 is sqrt(x):\n{g}"
    );
    let g = reduce(-1.0);
    assert!(
        matches!(root(&g), Node::Binary(BinaryOp::TrueDiv, one, x)
            if g.as_const(one) == Some(Scalar::F64(1.0)) && g.node(x) == &Node::Input(0)),
        "x**-1 is 1/x:\n{g}"
    );
    let g = reduce(1.0);
    assert_eq!(root(&g), Node::Input(0), "x**1 is x:\n{g}");
    let g = reduce(0.0);
    assert!(
        matches!(root(&g), Node::Unary(UnaryOp::One, _)),
        "x**0 is ones:\n{g}"
    );
    // Every other float exponent stays a power: a chain of products drifts from pow.
    for e in [3.0, 4.0, -2.0, 1.5, 2.5, -0.5, 50.0, 0.25] {
        let g = reduce(e);
        assert!(
            matches!(root(&g), Node::Binary(BinaryOp::Pow, _, _)),
            "float x**{e} must stay pow:\n{g}"
        );
        assert!(
            g.handles()
                .all(|h| !matches!(g.node(h), Node::Binary(BinaryOp::Mul, _, _))),
            "float x**{e} has no products:\n{g}"
        );
    }
    // The rewritten forms give pow's bits, special values included. (Not `x**0.5`:
    // sqrt(-0.0) is -0.0 and sqrt(-inf) NaN where pow gives 0.0 and inf; NumPy's `**`
    // takes the same sqrt shortcut.)
    let xs = F64S;
    for e in [2.0, -1.0, 1.0, 0.0] {
        let f = power(DType::F64, Scalar::F64(e));
        assert_same_results(&f, &reduce(e), &[BufferRef::from(&xs[..])]);
    }
    // float32 follows the same rule.
    let g = apply(
        "pow-strength-reduction",
        &power(DType::F32, Scalar::F32(3.0)),
    );
    assert!(matches!(root(&g), Node::Binary(BinaryOp::Pow, _, _)));
}

#[test]
fn pow_strength_reduction_turns_small_integer_powers_into_products() {
    let xs: Vec<i32> = vec![0, 1, -1, 2, -3, 7, 100, -128, 46341, i32::MAX, i32::MIN, 3];
    for e in [2i64, 3, 5, 13, 50] {
        let f = power(DType::I32, Scalar::I32(e as i32));
        let g = apply("pow-strength-reduction", &f);
        assert!(
            g.handles()
                .all(|h| !matches!(g.node(h), Node::Binary(BinaryOp::Pow, _, _))),
            "int x**{e} is products:\n{g}"
        );
        // Binary powering: at most two products per bit of the exponent.
        let muls = g
            .handles()
            .filter(|&h| matches!(g.node(h), Node::Binary(BinaryOp::Mul, _, _)))
            .count();
        let bits = (64 - e.leading_zeros()) as usize;
        assert!(muls < 2 * bits, "x**{e}: {muls} products\n{g}");
        // Wrapping products give the wrapping power exactly.
        assert_same_results(&f, &g, &[BufferRef::from(&xs[..])]);
    }
    let g = apply("pow-strength-reduction", &power(DType::I32, Scalar::I32(3)));
    assert_eq!(
        g.to_string(),
        "fn(x0: i32[12]) -> i32[12] {\n  v0 = input x0 : i32[12]\n  v1 = mul v0, v0 : i32[12]\n  v2 = mul v0, v1 : i32[12]\n  return v2\n}"
    );
    // Above 50 the power stays (a long chain is no faster than the power kernel).
    let g = apply(
        "pow-strength-reduction",
        &power(DType::I32, Scalar::I32(51)),
    );
    assert!(matches!(root(&g), Node::Binary(BinaryOp::Pow, _, _)));
}

#[test]
fn div_by_constant_multiplies_only_by_exact_reciprocals() {
    let div = |d: DType, c: Scalar| {
        build(&[(d, N)], |f, x| {
            let c = k(f, c);
            bin(f, BinaryOp::TrueDiv, x[0], c)
        })
    };
    for c in [4.0, 0.5, -0.25, 1024.0, 2f64.powi(-1022), 2f64.powi(1023)] {
        let f = div(DType::F64, Scalar::F64(c));
        let g = apply("div-by-constant", &f);
        assert!(
            matches!(root(&g), Node::Binary(BinaryOp::Mul, _, r) if g.as_const(r) == Some(Scalar::F64(1.0 / c))),
            "x/{c:e} is x*{:e}:\n{g}",
            1.0 / c
        );
        assert_same_results(&f, &g, &[BufferRef::from(&F64S[..])]);
    }
    // Inexact reciprocals, zero and infinity stay divisions.
    for c in [3.0, 0.1, 0.0, -0.0, f64::INFINITY] {
        let g = apply("div-by-constant", &div(DType::F64, Scalar::F64(c)));
        assert!(
            matches!(root(&g), Node::Binary(BinaryOp::TrueDiv, _, _)),
            "x/{c:e} stays:\n{g}"
        );
    }
    // float32: 1/2**127 is below float32's normal range, so x / 2**127 stays a division.
    let g = apply(
        "div-by-constant",
        &div(DType::F32, Scalar::F32(2f32.powi(127))),
    );
    assert!(
        matches!(root(&g), Node::Binary(BinaryOp::TrueDiv, _, _)),
        "{g}"
    );
    let f = div(DType::F32, Scalar::F32(8.0));
    let g = apply("div-by-constant", &f);
    assert!(
        matches!(root(&g), Node::Binary(BinaryOp::Mul, _, r) if g.as_const(r) == Some(Scalar::F32(0.125)))
    );
    let xs: Vec<f32> = F64S.iter().map(|&v| v as f32).collect();
    assert_same_results(&f, &g, &[BufferRef::from(&xs[..])]);
}

#[test]
fn compare_select_simplifies_selects_and_integer_self_comparisons() {
    let sh: &[usize] = N;
    // where(c, a, a) is a.
    let f = build(&[(DType::Bool, sh), (DType::F64, sh)], |f, x| {
        node(f, Node::Select(x[0], x[1], x[1]))
    });
    assert_eq!(root(&apply("compare-select", &f)), Node::Input(1));
    // ...but not when the condition broadcasts a to a larger shape.
    let f = build(&[(DType::Bool, &[2, 12]), (DType::F64, sh)], |f, x| {
        node(f, Node::Select(x[0], x[1], x[1]))
    });
    let g = apply("compare-select", &f);
    assert!(matches!(root(&g), Node::Select(..)), "{g}");
    assert_eq!(g.shape(g.root()), &[2, 12]);
    // where(~c, a, b) is where(c, b, a).
    let f = build(
        &[(DType::Bool, sh), (DType::F64, sh), (DType::F64, sh)],
        |f, x| {
            let nc = node(f, Node::Unary(UnaryOp::Invert, x[0]));
            node(f, Node::Select(nc, x[1], x[2]))
        },
    );
    let g = apply("compare-select", &f);
    let Node::Select(c, a, b) = root(&g) else {
        panic!("{g}")
    };
    assert_eq!(
        (g.node(c), g.node(a), g.node(b)),
        (&Node::Input(0), &Node::Input(2), &Node::Input(1)),
        "{g}"
    );
    // An integer compared with itself is constant: x < x false, x <= x true.
    for (op, want) in [
        (BinaryOp::Lt, false),
        (BinaryOp::Le, true),
        (BinaryOp::Eq, true),
        (BinaryOp::Ne, false),
        (BinaryOp::Ge, true),
        (BinaryOp::Gt, false),
    ] {
        let f = build(&[(DType::I16, sh)], |f, x| bin(f, op, x[0], x[0]));
        let g = apply("compare-select", &f);
        assert!(
            g.handles().all(|h| !matches!(g.node(h), Node::Binary(..))),
            "{op:?}:\n{g}"
        );
        let xs: Vec<i16> = vec![0, 1, -1, i16::MIN, i16::MAX, 5, 6, 7, 8, 9, 10, 11];
        let r = evaluate(&g, &[BufferRef::from(&xs[..])])
            .unwrap()
            .to_buffer();
        assert_eq!(r, Buffer::Bool(vec![want; 12]), "{op:?}");
    }
    // A float compared with itself is not constant (NaN == NaN is false).
    for op in [BinaryOp::Eq, BinaryOp::Le, BinaryOp::Ne] {
        let f = build(&[(DType::F64, sh)], |f, x| bin(f, op, x[0], x[0]));
        let g = apply("compare-select", &f);
        assert!(matches!(root(&g), Node::Binary(o, _, _) if o == op), "{g}");
    }
}

#[test]
fn muladd_fusion_fuses_single_use_float_products() {
    let sh: &[usize] = N;
    let three = [(DType::F64, sh), (DType::F64, sh), (DType::F64, sh)];
    let is_fused = |g: &Function| {
        matches!(root(g), Node::MulAdd(a, b, c)
            if (g.node(a), g.node(b), g.node(c)) == (&Node::Input(0), &Node::Input(1), &Node::Input(2)))
    };
    // a*b + c and c + a*b.
    let f = build(&three, |f, x| {
        let p = bin(f, BinaryOp::Mul, x[0], x[1]);
        bin(f, BinaryOp::Add, p, x[2])
    });
    let g = apply("muladd-fusion", &f);
    assert!(is_fused(&g), "{g}");
    let xs = F64S;
    let ins = [
        BufferRef::from(&xs[..]),
        BufferRef::from(&xs[..]),
        BufferRef::from(&xs[..]),
    ];
    assert_same_results(&f, &g, &ins);
    let f = build(&three, |f, x| {
        let p = bin(f, BinaryOp::Mul, x[0], x[1]);
        bin(f, BinaryOp::Add, x[2], p)
    });
    assert!(is_fused(&apply("muladd-fusion", &f)));
    // A product that is also used elsewhere stays, so it is computed once.
    let f = build(&three, |f, x| {
        let p = bin(f, BinaryOp::Mul, x[0], x[1]);
        let s = bin(f, BinaryOp::Add, p, x[2]);
        bin(f, BinaryOp::TrueDiv, s, p)
    });
    let g = apply("muladd-fusion", &f);
    assert!(
        g.handles().all(|h| !matches!(g.node(h), Node::MulAdd(..))),
        "{g}"
    );
    // Integers and subtraction are not fused.
    let f = build(
        &[(DType::I64, sh), (DType::I64, sh), (DType::I64, sh)],
        |f, x| {
            let p = bin(f, BinaryOp::Mul, x[0], x[1]);
            bin(f, BinaryOp::Add, p, x[2])
        },
    );
    assert!(matches!(
        root(&apply("muladd-fusion", &f)),
        Node::Binary(BinaryOp::Add, _, _)
    ));
    let f = build(&three, |f, x| {
        let p = bin(f, BinaryOp::Mul, x[0], x[1]);
        bin(f, BinaryOp::Sub, p, x[2])
    });
    assert!(matches!(
        root(&apply("muladd-fusion", &f)),
        Node::Binary(BinaryOp::Sub, _, _)
    ));
}

#[test]
fn dead_code_drops_what_the_root_does_not_use() {
    let sh: &[usize] = N;
    let f = build(&[(DType::F64, sh), (DType::F64, sh)], |f, x| {
        node(f, Node::Unary(UnaryOp::Sin, x[1]));
        let one = k(f, Scalar::F64(1.0));
        bin(f, BinaryOp::Add, x[0], one)
    });
    assert_eq!(f.len(), 5);
    let g = apply("dead-code", &f);
    assert_eq!(g.len(), 3, "{g}");
    assert_eq!(g.params.len(), 2, "parameters stay, used or not");
    assert!(matches!(root(&g), Node::Binary(BinaryOp::Add, _, _)));
}

#[test]
fn every_pass_is_tested_here() {
    let names: Vec<&str> = PASSES.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "algebra",
            "pow-strength-reduction",
            "div-by-constant",
            "compare-select",
            "muladd-fusion",
            "dead-code"
        ],
        "a new or renamed pass needs its tests in this file"
    );
}

#[test]
fn optimize_runs_every_pass() {
    // (x*1)**2 / 4 + y: algebra, then x*x, then *0.25, then a muladd.
    let f = build(&[(DType::F64, N), (DType::F64, N)], |f, x| {
        let one = k(f, Scalar::F64(1.0));
        let a = bin(f, BinaryOp::Mul, x[0], one);
        let two = k(f, Scalar::F64(2.0));
        let p = bin(f, BinaryOp::Pow, a, two);
        let four = k(f, Scalar::F64(4.0));
        let d = bin(f, BinaryOp::TrueDiv, p, four);
        bin(f, BinaryOp::Add, d, x[1])
    });
    let g = opt::optimize(&f).expect("verifies");
    assert_eq!(
        g.to_string(),
        "fn(x0: f64[12], x1: f64[12]) -> f64[12] {\n  v0 = input x0 : f64[12]\n  v1 = input x1 : f64[12]\n  v2 = mul v0, v0 : f64[12]\n  v3 = const 0.25 : f64[]\n  v4 = muladd v2, v3, v1 : f64[12]\n  return v4\n}"
    );
    let xs = F64S;
    let ys: Vec<f64> = xs.iter().rev().copied().collect();
    assert_same_results(
        &f,
        &g,
        &[BufferRef::from(&xs[..]), BufferRef::from(&ys[..])],
    );
}

/// A function built without the checks of the front end.
fn raw(
    params: &[(DType, &[usize])],
    body: impl FnOnce(&mut Function, &[Value]) -> Value,
) -> Function {
    let mut f = Function::new(
        params
            .iter()
            .enumerate()
            .map(|(i, (d, s))| Param {
                name: format!("x{i}"),
                dtype: *d,
                shape: s.to_vec(),
            })
            .collect(),
    );
    let xs: Vec<Value> = (0..params.len() as u32)
        .map(|i| f.fetch_or_append(Node::Input(i), Span::default()))
        .collect();
    let r = body(&mut f, &xs);
    f.root = Some(r);
    f
}

#[test]
fn verifier_rejects_malformed_functions() {
    let sh: &[usize] = N;
    let cases: Vec<(Function, &str)> = vec![
        (
            raw(&[(DType::F64, sh), (DType::I64, sh)], |f, x| {
                bin(f, BinaryOp::Add, x[0], x[1])
            }),
            "v2: binary operands differ in dtype",
        ),
        (
            raw(&[(DType::I32, sh), (DType::I32, sh)], |f, x| {
                bin(f, BinaryOp::TrueDiv, x[0], x[1])
            }),
            "v2: true division of integers",
        ),
        (
            raw(&[(DType::F64, &[3]), (DType::F64, &[4])], |f, x| {
                bin(f, BinaryOp::Mul, x[0], x[1])
            }),
            "v2: operand shapes do not broadcast",
        ),
        (
            raw(&[(DType::I8, sh), (DType::F64, sh)], |f, x| {
                node(f, Node::Select(x[0], x[1], x[1]))
            }),
            "v2: select operand dtypes",
        ),
        (
            raw(&[(DType::F64, sh), (DType::F32, sh)], |f, x| {
                node(f, Node::MulAdd(x[0], x[0], x[1]))
            }),
            "v2: muladd operand dtypes",
        ),
    ];
    for (f, want) in cases {
        let e = verify(&f, "some-pass").expect_err(want);
        assert_eq!(e.pass, "some-pass");
        assert_eq!(e.message, want, "{f}");
        // optimize checks its input before any pass and names it "lower".
        let e = opt::optimize(&f).expect_err(want);
        assert_eq!((e.pass, e.message.as_str()), ("lower", want));
    }
    let mut f = raw(&[(DType::F64, sh)], |_, x| x[0]);
    assert!(verify(&f, "x").is_ok());
    f.root = None;
    assert_eq!(verify(&f, "x").unwrap_err().message, "no root");
}
