//! Tests that run inside Chromium through `wasm-pack test --headless --chrome`: the engine
//! code compiled to wasm32 with simd128, without a thread pool.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn without_a_pool_there_is_one_thread() {
    assert_eq!(numwasm::par::pool_size(), 1);
    assert_eq!(numwasm::par::get_num_threads(), 1);
    assert!(numwasm::par::set_num_threads(2).is_err());
    assert!(numwasm::par::set_num_threads(1).is_ok());
}

#[wasm_bindgen_test]
fn selftest_matches_for_any_requested_thread_count() {
    let one = numwasm::api::selftest::burn(300_000, 1);
    assert!(one.is_finite() && one != 0.0);
    assert_eq!(
        one.to_bits(),
        numwasm::api::selftest::burn(300_000, 4).to_bits()
    );
}

#[wasm_bindgen_test]
fn expressions_evaluate_in_wasm_like_natively() {
    use numwasm::api::{Engine, Input};
    use numwasm::types::Buffer;
    let n = 10_000;
    let x: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
    let y: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
    let shape = [n];
    let inputs = [
        ("x", Input::array(&x[..], &shape)),
        ("y", Input::array(&y[..], &shape)),
    ];
    let engine = Engine::new();
    let r = engine
        .evaluate("x + (y**2 + (x*y + 1)*3)", &inputs, None)
        .unwrap();
    let Buffer::F64(v) = &r.data else {
        panic!("float64 expected, got {:?}", r.dtype)
    };
    for i in 0..n {
        assert_eq!(
            v[i],
            x[i] + (y[i] * y[i] + (x[i] * y[i] + 1.0) * 3.0),
            "element {i}"
        );
    }
    // Transcendentals through the SIMD kernels agree with the same kernels run one lane at
    // a time (the reference evaluator), to the bit.
    let c = engine
        .compile("exp(x) * sin(y) + arctan2(x, y)", &inputs)
        .unwrap();
    let vm = c.run(&inputs, None, None).unwrap().unwrap();
    let reference = c.run_reference(&inputs).unwrap();
    assert_eq!(vm.data, reference.data);
    let s = engine.evaluate("sum(x*y)", &inputs, None).unwrap();
    assert!(s.shape.is_empty());
}

#[wasm_bindgen_test]
fn errors_are_diagnostics_not_traps() {
    use numwasm::api::{Engine, ErrorKind, Input};
    let x = [1.0f64, 2.0];
    let shape = [2];
    let engine = Engine::new();
    let inputs = [("x", Input::array(&x[..], &shape))];
    for (src, kind) in [
        ("x +", ErrorKind::SyntaxError),
        ("sinn(x)", ErrorKind::NameError),
        ("x << 1", ErrorKind::TypeError),
    ] {
        let e = engine.evaluate(src, &inputs, None).unwrap_err();
        assert_eq!(e.kind, kind, "{src}");
    }
    assert!(engine.evaluate("x * 2", &inputs, None).is_ok());
}
