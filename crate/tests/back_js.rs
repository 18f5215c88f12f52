#![cfg(not(target_arch = "wasm32"))]
//! back::js (the JS baseline of a kernel): the shape of the generated text for small kernels, and Unsupported (never a panic) for
//! what the generator does not take. tests/node/kernel_js.test.mjs runs the text on every
//! kernel case and compares its results with Numba's.

use numwasm::api::{Array, KernelArg, Kernels};
use numwasm::back::js::generate;
use numwasm::kir::{Expr, Function, LocalId, Program, Stmt, Ty};
use numwasm::syntax::Span;
use numwasm::types::{Buffer, DType, Scalar};

fn f64_array(shape: &[usize]) -> KernelArg {
    let n = shape.iter().product();
    KernelArg::Array(Array {
        dtype: DType::F64,
        shape: shape.to_vec(),
        data: Buffer::F64(vec![0.5; n]),
    })
}

fn js(source: &str, func: &str, args: Vec<KernelArg>) -> Result<String, String> {
    let k = Kernels::new(source).expect("the kernel compiles");
    k.inspect(func, args, Vec::new()).expect("inspect").js
}

#[test]
fn a_loop_over_a_c_array_reads_its_data_directly_without_a_wrap() {
    let src = "from numba import njit\n\n@njit\ndef total(a):\n    s = 0.0\n    for i in range(a.shape[0]):\n        s += a[i]\n    return s\n";
    let text = js(src, "total", vec![f64_array(&[8])]).expect("generated");
    assert!(
        text.starts_with("(function (args) {\n  \"use strict\";"),
        "{text}"
    );
    assert!(text.ends_with("})"), "{text}");
    assert!(text.contains("v_s_1 = v_s_1 + v_a_d[v_i];"), "{text}");
    assert!(
        !text.contains("$w("),
        "no wrap for a counting-up range variable:\n{text}"
    );
    assert!(text.contains("// exact:"), "{text}");
    // The array's variables come from the argument once, at the top of the function.
    assert!(text.contains("v_a_d = v_a_p.o === 0 ? v_a_p.d : v_a_p.d.subarray(v_a_p.o);"));
}

#[test]
fn a_2d_c_array_indexes_with_one_stride_and_negative_indices_wrap() {
    let src = "from numba import njit\n\n@njit\ndef f(a):\n    s = 0.0\n    for i in range(a.shape[0]):\n        for j in range(a.shape[1]):\n            s += a[i, j] * a[i - 1, j]\n    return s\n";
    let text = js(src, "f", vec![f64_array(&[3, 4])]).expect("generated");
    assert!(text.contains("v_a_d[v_i * v_a_t0 + v_j_1]"), "{text}");
    // `i - 1` may be negative: Python's wrap, once.
    assert!(
        text.contains("v_a_d[$w(v_i - 1, v_a_n0, 0) * v_a_t0 + v_j_1]"),
        "{text}"
    );
    assert!(text.contains("function $w(i, n, axis)"), "{text}");
}

#[test]
fn transcendental_functions_are_flagged_and_helpers_come_only_when_used() {
    let src = "import math\nfrom numba import njit\n\n@njit\ndef f(x):\n    return math.exp(x) + x // 2.0\n";
    let text = js(src, "f", vec![KernelArg::Float(1.5)]).expect("generated");
    assert!(
        text.contains("// approximate:") && text.contains("exp"),
        "{text}"
    );
    assert!(text.contains("Math.exp(v_x)"), "{text}");
    assert!(text.contains("function $fdiv("), "{text}");
    assert!(!text.contains("function $view("), "{text}");
    assert!(!text.contains("function $imod("), "{text}");
}

#[test]
fn raise_messages_are_string_literals_and_names_are_sanitized() {
    let src = "from numba import njit\n\n@njit\ndef f_1(n):\n    if n > 3:\n        raise ValueError(\"bad \\\" </script> \\\\ value\")\n    return n\n";
    let text = js(src, "f_1", vec![KernelArg::Int(2)]).expect("generated");
    assert!(
        text.contains(r#"throw new Error("ValueError: bad \" \u003c/script\u003e \\ value");"#),
        "{text}"
    );
    assert!(text.contains("function f0_f_1(v_n)"), "{text}");
}

#[test]
fn what_is_not_taken_is_unsupported_not_a_panic() {
    // A tuple parameter.
    let src = "from numba import njit\n\n@njit\ndef f(t):\n    return t[0] + t[1]\n";
    let k = Kernels::new(src).expect("compiles");
    if let Ok(i) = k.inspect("f", vec![KernelArg::Int(1)], Vec::new()) {
        assert!(i.js.is_ok());
    }
    // A program whose handles point outside it (a front-end bug) and an empty one.
    let mut f = Function::new("broken", Ty::Scalar(DType::I64));
    let bad = f.expr(
        Expr::Local(LocalId::from_index(7)),
        Ty::Scalar(DType::I64),
        Span::default(),
    );
    f.body.push(Stmt::Return(Some(bad)));
    let mut p = Program::default();
    p.add(f);
    let e = generate(&p).expect_err("unsupported");
    assert!(e.0.contains("handle"), "{e}");
    assert!(generate(&Program::default()).is_err());
    // A tuple parameter of a hand-made program.
    let mut g = Function::new("t", Ty::Scalar(DType::I64));
    g.param(
        "t",
        Ty::Tuple(vec![Ty::Scalar(DType::I64), Ty::Scalar(DType::I64)]),
    );
    let c = g.expr(
        Expr::Const(Scalar::I64(1)),
        Ty::Scalar(DType::I64),
        Span::default(),
    );
    g.body.push(Stmt::Return(Some(c)));
    let mut p = Program::default();
    p.add(g);
    let e = generate(&p).expect_err("unsupported");
    assert!(e.0.contains("parameter of type"), "{e}");
}

#[test]
fn a_parallel_loop_runs_numwasm_s_chunks_and_combines_in_order() {
    let src = "from numba import njit, prange\n\n@njit(parallel=True)\ndef psum(a):\n    s = 0.0\n    for i in prange(a.shape[0]):\n        s += a[i]\n    return s\n";
    let text = js(src, "psum", vec![f64_array(&[1000])]).expect("generated");
    assert!(text.contains("function $chunk(trips, byCost)"), "{text}");
    assert!(text.contains("for (const $r of $res1) {"), "{text}");
    // Inside the chunk, the index counts up from a non-negative start: no wrap.
    assert!(!text.contains("$w("), "{text}");
}
