//! End-to-end checks of the expression engine through its public API: values, dtypes,
//! errors and their rendering, caller-provided outputs and the compile cache.
#![cfg(not(target_arch = "wasm32"))]

use numwasm::api::{Array, Diagnostic, Engine, ErrorKind, Input, evaluate};
use numwasm::types::{Buffer, BufferMut, DType};

fn eval(src: &str, inputs: &[(&str, Input<'_>)]) -> Result<Array, Diagnostic> {
    evaluate(src, inputs)
}

fn f64s(a: &Array) -> Vec<f64> {
    match &a.data {
        Buffer::F64(v) => v.clone(),
        other => panic!("expected float64, got {:?}", other.dtype()),
    }
}

#[test]
fn poly_matches_a_hand_loop() {
    let n = 100_000;
    let x: Vec<f64> = (0..n).map(|i| i as f64 * 0.001).collect();
    let y: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
    let z: Vec<f64> = (0..n).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let shape = [n];
    let r = eval(
        "x + (y**2 + (z*x + 1)*3)",
        &[
            ("x", Input::array(&x[..], &shape)),
            ("y", Input::array(&y[..], &shape)),
            ("z", Input::array(&z[..], &shape)),
        ],
    )
    .unwrap();
    assert_eq!(r.dtype, DType::F64);
    assert_eq!(r.shape, vec![n]);
    let got = f64s(&r);
    for i in 0..n {
        let want = x[i] + (y[i] * y[i] + (z[i] * x[i] + 1.0) * 3.0);
        assert_eq!(got[i].to_bits(), want.to_bits(), "element {i}");
    }
}

#[test]
fn weak_scalars_follow_nep50() {
    let a = [1i8, 2, 3];
    let sh = [3];
    let r = eval("a + 1", &[("a", Input::array(&a[..], &sh))]).unwrap();
    assert_eq!(r.data, Buffer::I8(vec![2, 3, 4]));
    let e = eval("a + 300", &[("a", Input::array(&a[..], &sh))]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::OverflowError);
    assert_eq!(e.message, "Python integer 300 out of bounds for int8");
    let r = eval("a < 300", &[("a", Input::array(&a[..], &sh))]).unwrap();
    assert_eq!(r.data, Buffer::Bool(vec![true; 3]));
    let r = eval("a / a", &[("a", Input::array(&a[..], &sh))]).unwrap();
    assert_eq!(r.dtype, DType::F64);
    let r = eval("(200 + 100) * 1.5 + a", &[("a", Input::array(&a[..], &sh))]).unwrap();
    assert_eq!(f64s(&r), vec![451.0, 452.0, 453.0]);
    let r = eval(
        "a * s",
        &[("a", Input::array(&a[..], &sh)), ("s", Input::int(2))],
    )
    .unwrap();
    assert_eq!(r.data, Buffer::I8(vec![2, 4, 6]));
    let r = eval("-2**2", &[]).unwrap();
    assert_eq!(r.data, Buffer::I64(vec![-4]));
    assert_eq!(r.shape, Vec::<usize>::new());
}

#[test]
fn reductions_anywhere() {
    let x: Vec<f64> = (0..10).map(f64::from).collect();
    let sh = [10];
    let r = eval("x - mean(x)", &[("x", Input::array(&x[..], &sh))]).unwrap();
    assert_eq!(f64s(&r)[0], -4.5);
    let m: Vec<i32> = (0..6).collect();
    let sh2 = [2, 3];
    let r = eval("sum(m, axis=0)", &[("m", Input::array(&m[..], &sh2))]).unwrap();
    assert_eq!(r.data, Buffer::I64(vec![3, 5, 7]));
    let r = eval("sum(m, axis=-1) * 2", &[("m", Input::array(&m[..], &sh2))]).unwrap();
    assert_eq!(r.data, Buffer::I64(vec![6, 24]));
    let r = eval("max(m) + min(m, 1)", &[("m", Input::array(&m[..], &sh2))]).unwrap();
    assert_eq!(r.data, Buffer::I32(vec![5, 8]));
    let r = eval(
        "m - sum(m, axis=1) / 3",
        &[("m", Input::array(&m[..], &sh2))],
    );
    let e = r.unwrap_err();
    assert_eq!(e.kind, ErrorKind::ValueError, "{e}");
}

#[test]
fn broadcasting_and_output_buffer() {
    let a: Vec<f32> = vec![1.0, 2.0, 3.0];
    let b: Vec<f32> = vec![10.0, 20.0];
    let (sa, sb) = ([1, 3], [2, 1]);
    let mut out = vec![0f32; 6];
    let c = Engine::new()
        .compile(
            "a + b",
            &[
                ("a", Input::array(&a[..], &sa)),
                ("b", Input::array(&b[..], &sb)),
            ],
        )
        .unwrap();
    let r = c.run(
        &[
            ("a", Input::array(&a[..], &sa)),
            ("b", Input::array(&b[..], &sb)),
        ],
        Some(&mut BufferMut::from(&mut out[..])),
        None,
    );
    assert!(r.unwrap().is_none());
    assert_eq!(out, vec![11.0, 12.0, 13.0, 21.0, 22.0, 23.0]);
    let bad = [4];
    let e = eval(
        "a + c",
        &[
            ("a", Input::array(&a[..], &sa)),
            ("c", Input::array(&[1.0f32, 2.0, 3.0, 4.0][..], &bad)),
        ],
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "operands could not be broadcast together with shapes (1,3) (4,)"
    );
}

/// Each NumPy habit and the plain form it stands for, over `m`: int32 [2, 3], `x`:
/// float64 [3] and a Python float `s`: both give the same array.
#[test]
fn numpy_habits_give_the_plain_forms_result() {
    let m: Vec<i32> = vec![3, -1, 4, 1, -5, 9];
    let x = [0.5f64, -2.0, 7.25];
    let (sh2, sh) = ([2, 3], [3]);
    let inputs = [
        ("m", Input::array(&m[..], &sh2)),
        ("x", Input::array(&x[..], &sh)),
        ("s", Input::float(1.5)),
    ];
    let cases = [
        // The module prefix.
        ("np.sin(x)", "sin(x)"),
        ("numpy.exp(x) + np.sqrt(np.abs(x))", "exp(x) + sqrt(abs(x))"),
        ("np.where(m > 1, m, 0)", "where(m > 1, m, 0)"),
        ("np.sum(m, axis=0)", "sum(m, axis=0)"),
        ("np.mean(m, 1) * s", "mean(m, 1) * s"),
        ("np.clip(m, -1, 3)", "clip(m, -1, 3)"),
        // The method form of the reductions.
        ("m.sum()", "sum(m)"),
        ("m.mean(axis=0)", "mean(m, axis=0)"),
        ("m.max()", "max(m)"),
        ("m.min(1)", "min(m, 1)"),
        ("m.prod(axis=-1)", "prod(m, axis=-1)"),
        ("(m > 2).any(axis=1)", "any(m > 2, axis=1)"),
        ("(x < 8).all()", "all(x < 8)"),
        ("x - x.mean()", "x - mean(x)"),
        ("np.sin(m).sum(0) / m.max()", "sum(sin(m), 0) / max(m)"),
        // Comments.
        ("m + 1 # add one\n * 2 # then twice the one", "m + 1 * 2"),
        ("# the mean\nx.mean()", "mean(x)"),
    ];
    for (habit, plain) in cases {
        let got = eval(habit, &inputs).unwrap_or_else(|e| panic!("{habit}: {}", e.render(habit)));
        let want = eval(plain, &inputs).unwrap_or_else(|e| panic!("{plain}: {}", e.render(plain)));
        assert_eq!(got, want, "{habit} against {plain}");
    }
    // An input named np is an array like any other: np.sum() is its method.
    let np_inputs = [("np", Input::array(&m[..], &sh2))];
    let got = eval("np.sum(axis=1) + sin(np).max()", &np_inputs).unwrap();
    let want = eval("sum(np, axis=1) + max(sin(np))", &np_inputs).unwrap();
    assert_eq!(got, want);
    assert_eq!(got.shape, vec![2]);
}

#[test]
fn errors_render_with_a_caret() {
    let x = [1.0f64];
    let sh = [1];
    let e = eval(
        "x + y",
        &[
            ("x", Input::array(&x[..], &sh)),
            ("yy", Input::array(&x[..], &sh)),
        ],
    )
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NameError);
    assert_eq!(
        e.render("x + y"),
        "NameError: name 'y' is not defined\n --> 1:5\n  |\n1 | x + y\n  |     ^\n  = note: did you mean 'yy'?\n"
    );
    let e = eval("sinn(x)", &[("x", Input::array(&x[..], &sh))]).unwrap_err();
    assert_eq!(e.notes, vec!["did you mean 'sin'?".to_string()]);
    let e = eval("x << 1", &[("x", Input::array(&x[..], &sh))]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TypeError);
    let e = eval("x > 1 and x < 2", &[("x", Input::array(&x[..], &sh))]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::SyntaxError);
    let i = [2i64, -1];
    let sh2 = [2];
    let e = eval("i ** i", &[("i", Input::array(&i[..], &sh2))]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ValueError);
    assert_eq!(
        e.message,
        "Integers to negative integer powers are not allowed."
    );
}

#[test]
fn cache_is_keyed_by_source_and_signature() {
    let engine = Engine::new();
    let x = [1.0f64, 2.0];
    let y = [1.0f32, 2.0];
    let sh = [2];
    engine
        .evaluate("x * 2", &[("x", Input::array(&x[..], &sh))], None)
        .unwrap();
    engine
        .evaluate("x * 2", &[("x", Input::array(&x[..], &sh))], None)
        .unwrap();
    assert_eq!(engine.cached(), 1);
    let r = engine
        .evaluate("x * 2", &[("x", Input::array(&y[..], &sh))], None)
        .unwrap();
    assert_eq!(r.dtype, DType::F32);
    assert_eq!(engine.cached(), 2);
}

/// `exp2` and `cbrt` (NumPy's np.exp2, np.cbrt): values and special cases as NumPy 2.4.6
/// gives them, and NumPy's result dtypes (float16 results are computed in float32).
#[test]
fn exp2_and_cbrt_match_numpy() {
    let x = [
        -0.0,
        0.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -8.0,
        27.0,
        1e-310,
        -1100.0,
        1024.0,
        1023.5,
        -1074.0,
        -1075.0,
        0.5,
    ];
    let shape = [x.len()];
    let exp2 = [
        "0x1p+0",
        "0x1p+0",
        "inf",
        "0x0p+0",
        "nan",
        "0x1p-8",
        "0x1p+27",
        "0x1p+0",
        "0x0p+0",
        "inf",
        "0x1.6a09e667f3bcdp+1023",
        "0x1p-1074",
        "0x0p+0",
        "0x1.6a09e667f3bcdp+0",
    ];
    let cbrt = [
        "-0x0p+0",
        "0x0p+0",
        "inf",
        "-inf",
        "nan",
        "-0x1p+1",
        "0x1.8p+1",
        "0x1.a9d1b0b5d7427p-344",
        "-0x1.4a5463163ec8dp+3",
        "0x1.428a2f98d728bp+3",
        "0x1.427cbe9cccf8dp+3",
        "-0x1.47b4cd83f16b2p+3",
        "-0x1.47ced50bc2234p+3",
        "0x1.965fea53d6e3dp-1",
    ];
    let hex = |v: f64| -> f64 {
        match v {
            _ if v.is_nan() => f64::NAN,
            _ => v,
        }
    };
    for (src, want) in [("exp2(a)", exp2), ("cbrt(a)", cbrt)] {
        let r = eval(src, &[("a", Input::array(&x[..], &shape))]).unwrap();
        assert_eq!(r.dtype, DType::F64);
        for (i, (got, w)) in f64s(&r).into_iter().zip(want).enumerate() {
            let w = parse_hex(w);
            assert!(
                got.to_bits() == w.to_bits() || (got.is_nan() && w.is_nan()),
                "{src} of {:e}: got {got:e}, NumPy {w:e} (element {i})",
                hex(x[i])
            );
        }
    }
    // Dtypes: int32 -> float64, int8 -> float16 in NumPy (float32 here), float32 stays.
    let i32s = [0i32, 1, 2, 3];
    let r = eval("exp2(a)", &[("a", Input::array(&i32s[..], &[4]))]).unwrap();
    assert_eq!((r.dtype, f64s(&r)), (DType::F64, vec![1.0, 2.0, 4.0, 8.0]));
    let i8s = [0i8, 1, 8, 27];
    let r = eval("cbrt(a)", &[("a", Input::array(&i8s[..], &[4]))]).unwrap();
    assert_eq!(r.dtype, DType::F32);
    let f32s = [8.0f32, -27.0];
    let r = eval("cbrt(a) + exp2(a)", &[("a", Input::array(&f32s[..], &[2]))]).unwrap();
    assert_eq!(r.dtype, DType::F32);
    match &r.data {
        Buffer::F32(v) => assert_eq!(v, &vec![258.0f32, -3.0 + 2f32.powi(-27)]),
        other => panic!("expected float32, got {:?}", other.dtype()),
    }
}

/// Parses C99 hex float text (`-0x1.8p+1`, `inf`, `nan`).
fn parse_hex(s: &str) -> f64 {
    let (neg, t) = s.strip_prefix('-').map_or((false, s), |t| (true, t));
    let v = match t {
        "inf" => f64::INFINITY,
        "nan" => f64::NAN,
        _ => {
            let t = t.strip_prefix("0x").expect("hex float");
            let (mant, exp) = t.split_once('p').expect("exponent");
            let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
            let mut m = u64::from_str_radix(int, 16).unwrap() as f64;
            let mut scale = 1.0 / 16.0;
            for c in frac.chars() {
                m += f64::from(c.to_digit(16).unwrap()) * scale;
                scale /= 16.0;
            }
            let e: i32 = exp.parse().unwrap();
            // Two steps, so that subnormal results are exact.
            m * 2f64.powi(e / 2) * 2f64.powi(e - e / 2)
        }
    };
    if neg { -v } else { v }
}

/// `Compiled::accepts` is the allocation-free check of the package's fast run path.
#[test]
fn accepts_checks_names_dtypes_shapes_and_scalars() {
    let e = Engine::new();
    let a = [1.0f64, 2.0];
    let b = [1.0f32, 2.0];
    let c = e
        .compile(
            "a * k",
            &[("a", Input::array(&a[..], &[2])), ("k", Input::float(2.0))],
        )
        .unwrap();
    assert!(c.accepts(&[("a", Input::array(&a[..], &[2])), ("k", Input::float(2.0))]));
    assert!(!c.accepts(&[("a", Input::array(&a[..], &[2])), ("k", Input::float(3.0))]));
    assert!(!c.accepts(&[("a", Input::array(&a[..1], &[1])), ("k", Input::float(2.0))]));
    assert!(!c.accepts(&[("a", Input::array(&b[..], &[2])), ("k", Input::float(2.0))]));
    assert!(!c.accepts(&[("b", Input::array(&a[..], &[2])), ("k", Input::float(2.0))]));
    assert!(!c.accepts(&[("a", Input::array(&a[..], &[1])), ("k", Input::float(2.0))]));
    assert!(!c.accepts(&[("a", Input::array(&a[..], &[2]))]));
}

/// `x ** 2.3`, `x % 3.0`, `2.0 // x`, `fmod(x, 0.7)` ... with one constant operand run the
/// same lane kernels as the array-array form, so both agree to the bit (and the scalar
/// folding of two constants too; integer and half-integer powers are rewritten into
/// multiplications and sqrt, as numexpr does, so 2.3 is used here). Float `%` and `//` keep
/// NumPy's signs and zero cases.
#[test]
fn constant_operands_use_the_same_kernels() {
    let n = 1001;
    let x: Vec<f64> = (0..n)
        .map(|i| (i as f64 - 500.0) * 0.0137 + 0.001)
        .collect();
    let shape = [n];
    for (op, k) in [
        ("**", 2.3),
        ("**", -0.7),
        ("%", 3.0),
        ("%", -0.7),
        ("//", 0.3),
        ("//", -2.0),
    ] {
        for (lhs_const, src_k, src_arr) in [
            (false, format!("abs(x) {op} {k}"), format!("abs(x) {op} k")),
            (true, format!("({k}) {op} x"), format!("k {op} x")),
        ] {
            let kv = vec![k; n];
            let a = eval(&src_k, &[("x", Input::array(&x[..], &shape))]).unwrap();
            let b = eval(
                &src_arr,
                &[
                    ("x", Input::array(&x[..], &shape)),
                    ("k", Input::array(&kv[..], &shape)),
                ],
            )
            .unwrap();
            let (a, b) = (f64s(&a), f64s(&b));
            for i in 0..n {
                assert!(
                    a[i].to_bits() == b[i].to_bits() || (a[i].is_nan() && b[i].is_nan()),
                    "{src_k} vs {src_arr} (constant on the left: {lhs_const}) at {i}: {} vs {}",
                    a[i],
                    b[i]
                );
            }
        }
    }
    for (f, k) in [("fmod", 0.7), ("arctan2", -1.5), ("hypot", 3.0)] {
        let kv = vec![k; n];
        let a = eval(
            &format!("{f}(x, {k})"),
            &[("x", Input::array(&x[..], &shape))],
        )
        .unwrap();
        let b = eval(
            &format!("{f}(x, k)"),
            &[
                ("x", Input::array(&x[..], &shape)),
                ("k", Input::array(&kv[..], &shape)),
            ],
        )
        .unwrap();
        assert_eq!(
            f64s(&a).iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            f64s(&b).iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{f}"
        );
    }
    // NumPy: np.array([-7., 7., -0., 5.]) % 3 -> [2., 1., 0., 2.]; // 3 -> [-3., 2., -0., 1.];
    // x % -3 -> [-1., -2., -0., -1.]; 5. % 0. -> nan; 1. // 0. -> inf.
    let v = [-7.0, 7.0, -0.0, 5.0];
    let s = [4];
    let r = f64s(&eval("v % 3", &[("v", Input::array(&v[..], &s))]).unwrap());
    assert_eq!(r, [2.0, 1.0, 0.0, 2.0]);
    assert!(r[2].is_sign_positive());
    let r = f64s(&eval("v // 3", &[("v", Input::array(&v[..], &s))]).unwrap());
    assert_eq!(r, [-3.0, 2.0, -0.0, 1.0]);
    assert!(r[2].is_sign_negative());
    let r = f64s(&eval("v % -3", &[("v", Input::array(&v[..], &s))]).unwrap());
    assert_eq!(r, [-1.0, -2.0, -0.0, -1.0]);
    assert!(r.iter().all(|x| x.is_sign_negative()));
    let r = f64s(&eval("v % 0.0", &[("v", Input::array(&v[..], &s))]).unwrap());
    assert!(r.iter().all(|x| x.is_nan()));
    let r = f64s(&eval("v // 0.0", &[("v", Input::array(&v[..], &s))]).unwrap());
    assert_eq!(r[1], f64::INFINITY);
    assert_eq!(r[0], f64::NEG_INFINITY);
}

#[test]
fn calls_report_how_many_threads_they_used() {
    use numwasm::api::last_run_threads;
    let e = Engine::new();
    let small: Vec<f64> = (0..1000).map(f64::from).collect();
    let shape = [small.len()];
    e.evaluate("a + 1", &[("a", Input::array(&small[..], &shape))], Some(2))
        .unwrap();
    assert_eq!(last_run_threads(), 1, "a 1,000-element add stays serial");
    // sin over 262,144 elements: ~5 ms estimated, far above the parallel threshold.
    let big: Vec<f64> = (0..1 << 18).map(|i| f64::from(i) * 1e-3).collect();
    let shape = [big.len()];
    let inputs = [("a", Input::array(&big[..], &shape))];
    e.evaluate("sin(a)", &inputs, Some(2)).unwrap();
    assert_eq!(last_run_threads(), numwasm::par::pool_size().min(2));
    e.evaluate("sin(a)", &inputs, Some(1)).unwrap();
    assert_eq!(last_run_threads(), 1);
    // A reduction of a costly kernel counts too.
    e.evaluate("sum(sin(a))", &inputs, Some(2)).unwrap();
    assert_eq!(last_run_threads(), numwasm::par::pool_size().min(2));
}

/// Only the buffers a program allocates (its result, the argument and the result of an
/// axis reduction) must fit an array: a reduction over a broadcast too big to store loops
/// over it. Natively the limit is 2^63 bytes; in wasm32 2^31, where `sum(a + b)` over
/// (20000, 1) and (20000,) (4e8 elements) runs (the Node tests run it).
#[test]
fn only_allocated_buffers_must_fit_an_array() {
    use numwasm::api::{InputKind, Signature, compile};
    let signature = |sizes: [usize; 3]| {
        let shapes = [
            vec![sizes[0], 1, 1],
            vec![1, sizes[1], 1],
            vec![1, 1, sizes[2]],
        ];
        let inputs = ["a", "b", "c"].iter().zip(shapes).map(|(n, shape)| {
            let kind = InputKind::Array {
                dtype: DType::F64,
                shape,
            };
            ((*n).to_string(), kind)
        });
        Signature {
            inputs: inputs.collect(),
        }
    };
    // 2^61 elements: they can be indexed, but 2^64 bytes of float64 fit no array.
    let sig = signature([1 << 20, 1 << 20, 1 << 21]);
    for src in [
        "sum(a + b + c)",
        "mean(a * b - c)",
        "max(where(a < b, a, c))",
    ] {
        let c = compile(src, &sig).unwrap_or_else(|e| panic!("{src}: {}", e.message));
        assert_eq!(c.output(), (DType::F64, &[][..]), "{src}");
    }
    let e = compile("a + b + c", &sig).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ValueError);
    assert_eq!(
        e.message,
        "array is too big: the result, float64 with shape (1048576,1048576,2097152), needs more bytes than an array can have"
    );
    assert_eq!((e.span.start, e.span.end), (0, 9));
    // An axis reduction stores its argument.
    let e = compile("1 + sum(a + b + c, axis=0)", &sig).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ValueError);
    assert!(
        e.message.starts_with("array is too big: a temporary"),
        "{}",
        e.message
    );
    // More elements than an index can count are still refused, by the broadcast.
    let e = compile("sum(a + b + c)", &signature([1 << 21, 1 << 21, 1 << 21])).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ValueError);
    assert!(
        e.message.starts_with("iterator is too large"),
        "{}",
        e.message
    );
    // A smaller broadcast runs to the value a hand loop gives.
    let x: Vec<f64> = (0..300).map(f64::from).collect();
    let (col, row) = ([300, 1], [300]);
    let r = eval(
        "sum(a + b)",
        &[
            ("a", Input::array(&x[..], &col)),
            ("b", Input::array(&x[..], &row)),
        ],
    )
    .unwrap();
    assert_eq!(f64s(&r), vec![2.0 * 300.0 * (299.0 * 300.0 / 2.0)]);
}
