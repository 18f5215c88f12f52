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
    assert_eq!(one.to_bits(), numwasm::api::selftest::burn(300_000, 4).to_bits());
}
