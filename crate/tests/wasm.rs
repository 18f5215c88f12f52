//! Tests that run inside Chromium through `wasm-pack test --headless --chrome`: the engine
//! code compiled to wasm32 with simd128, without a thread pool.
#![cfg(target_arch = "wasm32")]
#![feature(portable_simd)]

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

/// The wasm build rounds with simd128's own floor/ceil/trunc (native builds use the 2^52
/// trick) and runs fmod, `%` and `//` as lane kernels: check them against scalar Rust in wasm.
#[wasm_bindgen_test]
fn rounding_and_remainders_match_scalar_in_wasm() {
    use numwasm::vmath::{
        ceil_f32x4, ceil_f64x2, floor_f64x2, floordiv_f64x2, fmod_f64x2, remainder_f64x2,
        trunc_f32x4, trunc_f64x2,
    };
    use std::simd::{f32x4, f64x2};
    let vals = [
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.5,
        -2.5,
        7.0,
        -7.0,
        3.3,
        1e17,
        -1e-300,
        4503599627370497.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
    ];
    let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
    for &a in &vals {
        let v = f64x2::splat(a);
        assert!(same(floor_f64x2(v)[0], a.floor()), "floor {a}");
        assert!(same(ceil_f64x2(v)[0], a.ceil()), "ceil {a}");
        assert!(same(trunc_f64x2(v)[0], a.trunc()), "trunc {a}");
        let w = f32x4::splat(a as f32);
        assert_eq!(
            ceil_f32x4(w)[0].to_bits(),
            (a as f32).ceil().to_bits(),
            "ceil {a}"
        );
        assert_eq!(
            trunc_f32x4(w)[0].to_bits(),
            (a as f32).trunc().to_bits(),
            "trunc {a}"
        );
        for &b in &vals {
            let (x, y) = (f64x2::splat(a), f64x2::splat(b));
            let m = a % b;
            assert!(same(fmod_f64x2(x, y)[0], m), "fmod({a}, {b})");
            // NumPy's divmod (npy_divmod) written out in scalar code.
            let (q, r) = if b == 0.0 {
                (a / b, m)
            } else {
                let mut r = m;
                let mut div = (a - m) / b;
                if r == 0.0 {
                    r = 0.0f64.copysign(b);
                } else if (b < 0.0) != (r < 0.0) {
                    r += b;
                    div -= 1.0;
                }
                let q = if div != 0.0 {
                    let f = div.floor();
                    if div - f > 0.5 { f + 1.0 } else { f }
                } else {
                    0.0f64.copysign(a / b)
                };
                (q, r)
            };
            assert!(same(remainder_f64x2(x, y)[0], r), "{a} % {b}");
            assert!(same(floordiv_f64x2(x, y)[0], q), "{a} // {b}");
        }
    }
}
