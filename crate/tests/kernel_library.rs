//! The kernel library table (`api::kernel_library_json`, the playground's completions):
//! every decorator option it offers is one the front end accepts, and it names what
//! kernels use.
#![cfg(not(target_arch = "wasm32"))]

use numwasm::api::{Kernels, kernel_library_json};

#[test]
fn offered_options_are_accepted() {
    let json: serde_json::Value = serde_json::from_str(&kernel_library_json()).unwrap();
    let options = json["options"].as_object().unwrap();
    assert_eq!(options.len(), 5);
    for (decorator, list) in options {
        for option in list.as_array().unwrap() {
            let option = option.as_str().unwrap();
            let (sig, def) = match decorator.as_str() {
                "vectorize" => ("['float64(float64)'], ", "def f(a):\n    return a\n"),
                "guvectorize" => (
                    "['void(float64[:], float64[:])'], '(n)->(n)', ",
                    "def f(a, out):\n    out[0] = a[0]\n",
                ),
                "stencil" => ("", "def f(a, b):\n    return a[0] + b[0]\n"),
                _ => ("", "def f(a):\n    return a\n"),
            };
            let source =
                format!("from numba import {decorator}\n@{decorator}({sig}{option})\n{def}");
            if let Err(e) = Kernels::new(&source) {
                panic!("{source}: {e:?}");
            }
        }
    }
    assert!(
        json["numpy"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "arcsin")
    );
    assert!(
        json["math"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "atan2")
    );
    assert!(
        json["numba"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "stencil")
    );
    assert_eq!(json["options"]["stencil"][3], "func_or_mode='wrap'");
}
