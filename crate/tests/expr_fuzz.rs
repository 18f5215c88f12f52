//! Fuzz/property tests: random token streams, random bytes and random well-formed
//! expressions must give a value or a `Diagnostic`, never a panic or a hang. Small and
//! seeded, so it runs in CI in well under a second.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::Rng;
use numwasm::api::{Engine, Input};

const TOKENS: &[&str] = &[
    "a",
    "b",
    "i",
    "s",
    "x",
    "(",
    ")",
    "(",
    ")",
    ",",
    ".",
    "=",
    "+",
    "-",
    "*",
    "/",
    "//",
    "%",
    "**",
    "<<",
    ">>",
    "&",
    "|",
    "^",
    "~",
    "<",
    "<=",
    "==",
    "!=",
    ">=",
    ">",
    "1",
    "0",
    "2.5",
    ".5",
    "1e308",
    "1e-320",
    "9999999999999999999999",
    "True",
    "False",
    "None",
    "and",
    "or",
    "not",
    "sum",
    "mean",
    "max",
    "where",
    "sqrt",
    "axis",
    "axis=",
    "real",
    "imag",
    "clip",
    "arctan2",
    "1.",
    "0x1f",
    "[",
    "$",
    "'",
    "é",
    "lambda",
    "if",
    "else",
    "sum(",
    "where(",
    "**-",
    "-1",
    "300",
    "nan",
];

fn inputs<'a>(
    a: &'a [f64],
    b: &'a [f32],
    i: &'a [i8],
    sh: &'a [usize],
    sh2: &'a [usize],
) -> Vec<(&'static str, Input<'a>)> {
    vec![
        ("a", Input::array(a, sh)),
        ("b", Input::array(b, sh2)),
        ("i", Input::array(i, sh)),
        ("s", Input::int(3)),
    ]
}

#[test]
fn random_token_streams_never_panic() {
    let mut rng = Rng::new(42);
    let a = [1.0f64, -2.0, 0.0, f64::NAN, 4.0, 5.0];
    let b = [1.0f32, 2.0, 3.0];
    let i = [1i8, -128, 127, 0, 5, 6];
    let (sh, sh2) = ([2, 3], [3]);
    let ins = inputs(&a, &b, &i, &sh, &sh2);
    let engine = Engine::new();
    let (mut ok, mut err) = (0, 0);
    for _ in 0..3000 {
        let n = 1 + rng.below(12) as usize;
        let src: Vec<&str> = (0..n)
            .map(|_| TOKENS[rng.below(TOKENS.len() as u64) as usize])
            .collect();
        let sep = if rng.below(2) == 0 { " " } else { "" };
        let src = src.join(sep);
        match engine.evaluate(&src, &ins, None) {
            Ok(_) => ok += 1,
            Err(e) => {
                let _ = e.render(&src);
                err += 1;
            }
        }
    }
    assert!(ok > 50 && err > 50, "ok {ok}, err {err}");
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng::new(9);
    let a = [1.0f64; 6];
    let b = [1.0f32; 3];
    let i = [1i8; 6];
    let (sh, sh2) = ([2, 3], [3]);
    let ins = inputs(&a, &b, &i, &sh, &sh2);
    let engine = Engine::new();
    let alphabet = b"ab is()+-*/%<>=!&|^~.,0123456789eE_xj \t\n[]\"'\\";
    for _ in 0..2000 {
        let n = rng.below(24) as usize;
        let bytes: Vec<u8> = (0..n)
            .map(|_| alphabet[rng.below(alphabet.len() as u64) as usize])
            .collect();
        let src = String::from_utf8_lossy(&bytes).into_owned();
        if let Err(e) = engine.evaluate(&src, &ins, None) {
            let _ = e.render(&src);
        }
    }
}

#[test]
fn deep_and_long_inputs_give_errors() {
    let a = [1.0f64; 6];
    let b = [1.0f32; 3];
    let i = [1i8; 6];
    let (sh, sh2) = ([2, 3], [3]);
    let ins = inputs(&a, &b, &i, &sh, &sh2);
    let engine = Engine::new();
    for src in [
        format!("{}a{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("{}a", "-".repeat(100_000)),
        format!("{}a", "~".repeat(5_000)),
        vec!["a"; 30_000].join("+"),
        format!("a{}", "**a".repeat(1000)),
        format!("{}a{}", "sum(".repeat(1000), ")".repeat(1000)),
        "a".repeat(1 << 20),
    ] {
        let e = engine.evaluate(&src, &ins, None).unwrap_err();
        let _ = e.render(&src);
    }
    // Many inputs: over the limit is an error, not a crash.
    let names: Vec<String> = (0..300).map(|k| format!("v{k}")).collect();
    let many: Vec<(&str, Input<'_>)> = names
        .iter()
        .map(|n| (n.as_str(), Input::float(1.0)))
        .collect();
    assert!(engine.evaluate("v0", &many, None).is_err());
}

#[test]
fn random_typed_expressions_never_panic() {
    // Well-formed expressions over every dtype and odd values: typing may reject them,
    // running must not panic.
    let mut rng = Rng::new(77);
    let bufs_f = [0.0f64, -0.0, 1.5, -2.5, f64::INFINITY, f64::NAN];
    let bufs_u = [0u64, 1, u64::MAX, 7, 8, 9];
    let bufs_i = [i32::MIN, -1, 0, 1, i32::MAX, 3];
    let bufs_b = [true, false, true, false, true, false];
    let sh = [6];
    let sh2 = [2, 3];
    let ins = [
        ("f", Input::array(&bufs_f[..], &sh)),
        ("u", Input::array(&bufs_u[..], &sh)),
        ("i", Input::array(&bufs_i[..], &sh)),
        ("q", Input::array(&bufs_b[..], &sh2)),
        ("w", Input::float(-0.5)),
        ("k", Input::int(-3)),
    ];
    let leaves = [
        "f", "u", "i", "q", "w", "k", "0", "-1", "2", "1e300", "True", "2**63", "-2**63",
    ];
    let unary = [
        "-",
        "~",
        "sqrt",
        "abs",
        "sign",
        "round",
        "floor",
        "log",
        "exp",
        "square",
        "reciprocal",
        "isnan",
        "conj",
        "ones_like",
        "imag",
        "sum",
        "prod",
        "min",
        "any",
        "mean",
    ];
    let binary = [
        "+",
        "-",
        "*",
        "/",
        "//",
        "%",
        "**",
        "<<",
        ">>",
        "&",
        "|",
        "^",
        "<",
        "==",
        "maximum",
        "fmin",
        "fmod",
        "arctan2",
        "copysign",
        "nextafter",
        "hypot",
    ];
    let engine = Engine::new();
    let mut ran = 0;
    for _ in 0..1500 {
        let mut e = leaves[rng.below(leaves.len() as u64) as usize].to_string();
        for _ in 0..rng.below(4) + 1 {
            if rng.below(2) == 0 {
                let op = unary[rng.below(unary.len() as u64) as usize];
                e = if op.len() <= 1 {
                    format!("{op}({e})")
                } else {
                    format!("{op}({e})")
                };
            } else {
                let op = binary[rng.below(binary.len() as u64) as usize];
                let other = leaves[rng.below(leaves.len() as u64) as usize];
                e = if op.chars().all(char::is_alphanumeric) {
                    format!("{op}({e}, {other})")
                } else if rng.below(2) == 0 {
                    format!("({e}) {op} {other}")
                } else {
                    format!("{other} {op} ({e})")
                };
            }
        }
        if engine.evaluate(&e, &ins, Some(2)).is_ok() {
            ran += 1;
        }
    }
    assert!(ran > 300, "only {ran} ran");
}

#[test]
fn absurd_shapes_are_errors() {
    let a = [1.0f64; 4];
    let engine = Engine::new();
    for shape in [
        &[usize::MAX, 4][..],
        &[1usize << 62, 1 << 3][..],
        &[5][..],
        &[2, 3][..],
    ] {
        let e = engine
            .evaluate("a + 1", &[("a", Input::array(&a[..], shape))], None)
            .unwrap_err();
        assert_eq!(e.kind, numwasm::api::ErrorKind::ValueError);
    }
    // Zero-size dimensions are fine, however large the others; a result too big to
    // allocate is a MemoryError, not an abort.
    let empty: [f64; 0] = [];
    let r = engine
        .evaluate(
            "sum(a * 2, axis=0)",
            &[("a", Input::array(&empty[..], &[0, 1usize << 20][..]))],
            None,
        )
        .unwrap();
    assert_eq!(r.shape, vec![1usize << 20]);
    let e = engine
        .evaluate(
            "sum(a * 2, axis=1)",
            &[("a", Input::array(&empty[..], &[1usize << 50, 0][..]))],
            None,
        )
        .unwrap_err();
    assert_eq!(e.kind, numwasm::api::ErrorKind::MemoryError);
}
