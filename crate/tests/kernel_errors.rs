//! Kernel errors as a user sees them: each case's kind, message, span and notes compared as
//! the rendered diagnostic (`Diagnostic::render`, the caret frame), for errors found when
//! a module is made (syntax, names, typing, unsupported Python, imports, signatures) and
//! when a kernel runs (IndexError, ZeroDivisionError, ValueError, AssertionError). After
//! each error the same module keeps working.
#![cfg(not(target_arch = "wasm32"))]

use numwasm::api::{Array, KernelArg, Kernels};
use numwasm::types::{Buffer, DType};

fn array() -> KernelArg {
    KernelArg::Array(Array {
        dtype: DType::F64,
        shape: vec![3],
        data: Buffer::F64(vec![1.0, 2.0, 3.0]),
    })
}

/// Makes the module, calls `f` with the argument, and gives the rendered error.
fn error_of(source: &str, arg: KernelArg) -> String {
    match Kernels::new(source) {
        Err(e) => e.render(source),
        Ok(k) => match k.call("f", vec![arg], Vec::new()) {
            Err(e) => {
                // The module stays usable after a run-time error.
                assert!(k.names().contains(&"f".to_owned()));
                e.render(source)
            }
            Ok(r) => panic!("no error: {:?}", r.value),
        },
    }
}

macro_rules! cases {
    ($($name:ident: $src:expr, $arg:expr => $want:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let got = error_of($src, $arg);
                assert_eq!(got, $want, "got:\n{got}");
            }
        )*
    };
}

cases! {
    syntax_missing_colon:
        "from numba import njit\n@njit\ndef f(a)\n    return a\n",
        KernelArg::Int(5)
        => "SyntaxError: expected ':'\n --> 3:9\n  |\n3 | def f(a)\n  |         ^\n";
    name_did_you_mean:
        "from numba import njit\n@njit\ndef f(a):\n    total = 0\n    return totl + a\n",
        KernelArg::Int(5)
        => "NameError: name 'totl' is not defined\n --> 5:12\n  |\n5 |     return totl + a\n  |            ^^^^\n  = note: did you mean 'total'?\n";
    unify_int_tuple:
        "from numba import njit\n@njit\ndef f(a):\n    y = 1\n    if a > 0:\n        y = (1, 2)\n    return y\n",
        KernelArg::Int(5)
        => "TypingError: Cannot unify UniTuple(int64, 2) and int64 for 'y'\n --> 5:5\n  |\n5 |     if a > 0:\n  |     ^^^^^^^^^\n";
    unsupported_with:
        "from numba import njit\n@njit\ndef f(a):\n    with a:\n        pass\n    return a\n",
        KernelArg::Int(5)
        => "UnsupportedError: 'with' statements are not supported in kernels\n --> 4:5\n  |\n4 |     with a:\n  |     ^^^^^^^\n";
    unsupported_class:
        "class A:\n    pass\n",
        KernelArg::Int(5)
        => "UnsupportedError: class definitions are not supported in kernel modules\n --> 1:1\n  |\n1 | class A:\n  | ^^^^^^^^\n";
    unsupported_dict:
        "from numba import njit\n@njit\ndef f(a):\n    d = {1: 2}\n    return a\n",
        KernelArg::Int(5)
        => "UnsupportedError: dict displays are not supported in kernels\n --> 4:9\n  |\n4 |     d = {1: 2}\n  |         ^^^^^^\n";
    unsupported_try:
        "from numba import njit\n@njit\ndef f(a):\n    try:\n        a = 1\n    except ValueError:\n        pass\n    return a\n",
        KernelArg::Int(5)
        => "UnsupportedError: 'try' statements are not supported in kernels\n --> 4:5\n  |\n4 |     try:\n  |     ^^^^\n";
    unsupported_generator:
        "from numba import njit\n@njit\ndef f(a):\n    yield a\n",
        KernelArg::Int(5)
        => "UnsupportedError: 'yield' expressions are not supported in kernels\n --> 4:5\n  |\n4 |     yield a\n  |     ^^^^^^^\n";
    import_other:
        "import scipy\nfrom numba import njit\n@njit\ndef f(a):\n    return a\n",
        KernelArg::Int(5)
        => "ImportError: kernel modules may import math, numpy and numba only, not 'scipy'\n --> 1:8\n  |\n1 | import scipy\n  |        ^^^^^\n";
    no_operator:
        "from numba import njit\n@njit\ndef f(a):\n    return (1, 2) + a\n",
        KernelArg::Int(5)
        => "TypingError: No implementation of operator + for (UniTuple(int64, 2), int64)\n --> 4:12\n  |\n4 |     return (1, 2) + a\n  |            ^^^^^^^^^^\n";
    index_error:
        "from numba import njit\n@njit\ndef f(a):\n    return a[10]\n",
        array()
        => "IndexError: index 10 is out of bounds for axis 0 with size 3\n --> 4:12\n  |\n4 |     return a[10]\n  |            ^^^^^\n";
    zero_division:
        "from numba import njit\n@njit\ndef f(a):\n    return 10 // (a - a)\n",
        KernelArg::Int(5)
        => "ZeroDivisionError: integer division by zero\n --> 4:12\n  |\n4 |     return 10 // (a - a)\n  |            ^^^^^^^^^^^^^\n";
    value_error_raise:
        "from numba import njit\n@njit\ndef f(a):\n    if a > 0:\n        raise ValueError(\"a must not be positive\")\n    return a\n",
        KernelArg::Int(5)
        => "ValueError: a must not be positive\n --> 5:9\n  |\n5 |         raise ValueError(\"a must not be positive\")\n  |         ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
    assertion:
        "from numba import njit\n@njit\ndef f(a):\n    assert a < 0, \"negative please\"\n    return a\n",
        KernelArg::Int(5)
        => "AssertionError: negative please\n --> 4:5\n  |\n4 |     assert a < 0, \"negative please\"\n  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n";
    broadcast:
        "from numba import njit\n@njit\ndef f(a):\n    return a + a[:2]\n",
        array()
        => "ValueError: operands could not be broadcast together with shapes (3,) (2,)\n --> 4:12\n  |\n4 |     return a + a[:2]\n  |            ^^^^^^^^^\n";
    bad_signature:
        "from numba import njit\n@njit(\"float64(floaty[:])\")\ndef f(a):\n    return a[0]\n",
        array()
        => "TypingError: invalid signature 'float64(floaty[:])': unknown type 'floaty'\n --> 2:7\n  |\n2 | @njit(\"float64(floaty[:])\")\n  |       ^^^^^^^^^^^^^^^^^^^^\n";
    unknown_np:
        "import numpy as np\nfrom numba import njit\n@njit\ndef f(a):\n    return np.sine(a)\n",
        array()
        => "TypingError: Unknown attribute 'sine' of module np, or not supported in kernels\n --> 5:12\n  |\n5 |     return np.sine(a)\n  |            ^^^^^^^^^^\n  = note: did you mean 'np.sin'?\n";
}

#[test]
fn a_module_works_after_a_run_time_error() {
    let src = "from numba import njit\n@njit\ndef f(a):\n    return a[0] / a[1]\n";
    let k = Kernels::new(src).expect("module");
    let zeros = KernelArg::Array(Array {
        dtype: DType::I64,
        shape: vec![2],
        data: Buffer::I64(vec![1, 0]),
    });
    assert!(k.call("f", vec![zeros], Vec::new()).is_err());
    let r = k.call("f", vec![array()], Vec::new()).expect("second call");
    assert_eq!(format!("{:?}", r.value), "Scalar(F64(0.5))");
}
