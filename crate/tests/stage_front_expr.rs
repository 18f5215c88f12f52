//! The front::expr stage's errors: the exception kind, NumPy's or Python's message, the
//! span of the offending source and the notes (did-you-mean suggestions), as the
//! compilation boundary reports them.
#![cfg(not(target_arch = "wasm32"))]

use numwasm::api::{DType, Diagnostic, ErrorKind, InputKind, Signature, compile};

/// The error of compiling `source` over x: f64[3], y: f64[4], yy: f64[3], m: f64[2,3],
/// u: u8[3], b: bool[3] and i: i16[3].
fn error(source: &str) -> Diagnostic {
    let arr = |dtype, shape: &[usize]| InputKind::Array {
        dtype,
        shape: shape.to_vec(),
    };
    let sig = Signature {
        inputs: vec![
            ("x".into(), arr(DType::F64, &[3])),
            ("y".into(), arr(DType::F64, &[4])),
            ("yy".into(), arr(DType::F64, &[3])),
            ("m".into(), arr(DType::F64, &[2, 3])),
            ("u".into(), arr(DType::U8, &[3])),
            ("b".into(), arr(DType::Bool, &[3])),
            ("i".into(), arr(DType::I16, &[3])),
        ],
    };
    match compile(source, &sig) {
        Ok(_) => panic!("{source} compiled"),
        Err(e) => e,
    }
}

/// The source text a diagnostic's span covers.
fn spanned<'a>(source: &'a str, d: &Diagnostic) -> &'a str {
    &source[d.span.start as usize..d.span.end as usize]
}

/// Checks kind, message, the spanned text and the notes.
fn expect(source: &str, kind: ErrorKind, message: &str, at: &str, notes: &[&str]) {
    let d = error(source);
    assert_eq!(d.kind, kind, "{source}: {}", d.render(source));
    assert_eq!(d.message, message, "{source}");
    assert_eq!(spanned(source, &d), at, "{source}: {:?}", d.span);
    assert_eq!(d.notes, notes, "{source}");
}

#[test]
fn unknown_names_suggest_the_closest_input() {
    expect(
        "x + yy1",
        ErrorKind::NameError,
        "name 'yy1' is not defined",
        "yy1",
        &["did you mean 'yy'?"],
    );
    expect(
        "2 * (xx + 1)",
        ErrorKind::NameError,
        "name 'xx' is not defined",
        "xx",
        &["did you mean 'x'?"],
    );
    // Nothing close: no note.
    expect(
        "x + qqqqq",
        ErrorKind::NameError,
        "name 'qqqqq' is not defined",
        "qqqqq",
        &[],
    );
    // A function used as a value.
    expect(
        "x + sin",
        ErrorKind::NameError,
        "name 'sin' is not defined",
        "sin",
        &["'sin' is a function: call it as sin(...)"],
    );
}

#[test]
fn unknown_functions_suggest_the_closest_function() {
    expect(
        "1 + sinn(x)",
        ErrorKind::NameError,
        "function 'sinn' is not defined",
        "sinn",
        &["did you mean 'sin'?"],
    );
    expect(
        "arctan3(x, x)",
        ErrorKind::NameError,
        "function 'arctan3' is not defined",
        "arctan3",
        &["did you mean 'arctan'?"],
    );
    // Nothing close: a note that the language has no such function.
    expect(
        "frobnicate(x)",
        ErrorKind::NameError,
        "function 'frobnicate' is not defined",
        "frobnicate",
        &["the expression language has no function 'frobnicate'"],
    );
    expect(
        "cumsum(x)",
        ErrorKind::NameError,
        "function 'cumsum' is not defined",
        "cumsum",
        &["the expression language has no function 'cumsum'"],
    );
    expect(
        "x.imagg",
        ErrorKind::NameError,
        "unknown attribute 'imagg'",
        "imagg",
        &["only .real and .imag are supported"],
    );
}

const NO_CASTS: &str = "the expression language has no dtype casts: a result's dtype follows \
                        from its operands' by NumPy's promotion, so pass the input with the \
                        dtype to compute in";

/// `np.name` and `numpy.name` are the language's functions; a name the language lacks is a
/// NameError naming it as written, with a did-you-mean in the same spelling when close.
#[test]
fn numpy_prefixed_names_the_language_lacks_are_name_errors() {
    expect(
        "1 + np.cumsum(x)",
        ErrorKind::NameError,
        "function 'np.cumsum' is not defined",
        "np.cumsum",
        &["the expression language has no function 'cumsum'"],
    );
    expect(
        "np.sine(x)",
        ErrorKind::NameError,
        "function 'np.sine' is not defined",
        "np.sine",
        &["did you mean 'np.sin'?"],
    );
    expect(
        "numpy.arctan3(x, x)",
        ErrorKind::NameError,
        "function 'numpy.arctan3' is not defined",
        "numpy.arctan3",
        &["did you mean 'numpy.arctan'?"],
    );
    // The prefix changes nothing else: the plain call's errors, on the whole call.
    expect(
        "np.sum(m, axis=2)",
        ErrorKind::ValueError,
        "axis 2 is out of bounds for array of dimension 2",
        "np.sum(m, axis=2)",
        &[],
    );
    expect(
        "np.sin(x, x)",
        ErrorKind::TypeError,
        "sin() takes 1 positional argument but 2 were given",
        "np.sin(x, x)",
        &[],
    );
    // Only functions come from the module.
    expect(
        "np.pi * x",
        ErrorKind::NameError,
        "name 'np.pi' is not defined",
        "np.pi",
        &["the expression language takes only functions from np, called as np.name(...)"],
    );
    expect(
        "x + numpy.sin",
        ErrorKind::NameError,
        "name 'numpy.sin' is not defined",
        "numpy.sin",
        &["'numpy.sin' is a function: call it as numpy.sin(...)"],
    );
}

/// NumPy's casts (`float32(x)`, `np.int8(x)`, `x.astype(...)`) are refused with a note:
/// the language has no cast function.
#[test]
fn casts_are_name_errors_with_a_note_on_dtypes() {
    expect(
        "float32(x)",
        ErrorKind::NameError,
        "function 'float32' is not defined",
        "float32",
        &[NO_CASTS],
    );
    expect(
        "np.int8(i) + 1",
        ErrorKind::NameError,
        "function 'np.int8' is not defined",
        "np.int8",
        &[NO_CASTS],
    );
    expect(
        "float(x)",
        ErrorKind::NameError,
        "function 'float' is not defined",
        "float",
        &[NO_CASTS],
    );
    expect(
        "x.astype(np.float32)",
        ErrorKind::NameError,
        "unknown method 'astype'",
        "astype",
        &[NO_CASTS],
    );
}

/// The method form of the reductions is accepted (tests/expr_api.rs); other methods are
/// refused with the function form in a note.
#[test]
fn methods_other_than_reductions_are_refused_with_the_function_form() {
    expect(
        "x.round() + 1",
        ErrorKind::SyntaxError,
        "the method .round() is not part of the expression language",
        "x.round",
        &["call the function instead: round(x)"],
    );
    expect(
        "(x + 1).clip(0, 1)",
        ErrorKind::SyntaxError,
        "the method .clip() is not part of the expression language",
        "(x + 1).clip",
        &["call the function instead: clip(x, ...)"],
    );
    expect(
        "x.cumsum()",
        ErrorKind::NameError,
        "unknown method 'cumsum'",
        "cumsum",
        &["the expression language has no function 'cumsum'"],
    );
    expect(
        "m.summ(axis=0)",
        ErrorKind::NameError,
        "unknown method 'summ'",
        "summ",
        &["did you mean '.sum'?"],
    );
    expect(
        "m.sum(0, 1)",
        ErrorKind::TypeError,
        "sum() takes at most 1 positional argument but 2 were given",
        "m.sum(0, 1)",
        &["x.sum(axis) is sum(x, axis)"],
    );
    expect(
        "m.mean(0, axis=1)",
        ErrorKind::TypeError,
        "mean() takes at most 0 positional arguments but 1 were given",
        "m.mean(0, axis=1)",
        &["x.mean(axis) is mean(x, axis)"],
    );
    expect(
        "m.max(keepdims=True)",
        ErrorKind::TypeError,
        "max() got an unexpected keyword argument 'keepdims'",
        "keepdims",
        &[],
    );
    // A Python scalar has no methods, as in Python.
    expect(
        "x + (2.5).sum()",
        ErrorKind::NameError,
        "'float' object has no attribute 'sum'",
        "sum",
        &["the function form takes a Python scalar: sum(x)"],
    );
    // Still refused: calling what is neither a name nor an attribute.
    expect(
        "x.sum()(1)",
        ErrorKind::SyntaxError,
        "only function names can be called",
        "(",
        &[],
    );
}

#[test]
fn wrong_arity_is_a_type_error_on_the_call() {
    expect(
        "1 + arctan2(x)",
        ErrorKind::TypeError,
        "arctan2() takes 2 positional arguments but 1 were given",
        "arctan2(x)",
        &[],
    );
    expect(
        "sin(x, x)",
        ErrorKind::TypeError,
        "sin() takes 1 positional argument but 2 were given",
        "sin(x, x)",
        &[],
    );
    expect(
        "where(b, x)",
        ErrorKind::TypeError,
        "where() takes 3 positional arguments but 2 were given",
        "where(b, x)",
        &[],
    );
    expect(
        "sum(m, 0, 1)",
        ErrorKind::TypeError,
        "sum() takes 1 to 2 positional arguments but 3 were given",
        "sum(m, 0, 1)",
        &[],
    );
    let d = error("sin(x, axis=0)");
    assert_eq!(d.kind, ErrorKind::TypeError);
    assert_eq!(d.message, "sin() got an unexpected keyword argument 'axis'");
    assert!(
        spanned("sin(x, axis=0)", &d).starts_with("axis"),
        "the span is on the keyword: {:?}",
        d.span
    );
}

#[test]
fn shapes_that_do_not_broadcast_are_a_value_error_on_the_operation() {
    expect(
        "1 + sin(x + y) * 2",
        ErrorKind::ValueError,
        "operands could not be broadcast together with shapes (3,) (4,)",
        "x + y",
        &[],
    );
    expect(
        "m * y",
        ErrorKind::ValueError,
        "operands could not be broadcast together with shapes (2,3) (4,)",
        "m * y",
        &[],
    );
    expect(
        "where(b, x, y)",
        ErrorKind::ValueError,
        "operands could not be broadcast together with shapes (3,) (3,) (4,)",
        "where(b, x, y)",
        &[],
    );
    expect(
        "sum(m, axis=2)",
        ErrorKind::ValueError,
        "axis 2 is out of bounds for array of dimension 2",
        "sum(m, axis=2)",
        &[],
    );
}

#[test]
fn typing_errors_point_at_their_operation() {
    expect(
        "x + sqrt(u + 300)",
        ErrorKind::OverflowError,
        "Python integer 300 out of bounds for uint8",
        "u + 300",
        &[],
    );
    expect(
        "x * abs(b - b)",
        ErrorKind::TypeError,
        "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, the `^` operator, or the logical_xor function instead.",
        "b - b",
        &[],
    );
    // As in NumPy 2: -2 does not fit uint8 at all; it fits int16 but is a negative power.
    expect(
        "u ** -2",
        ErrorKind::OverflowError,
        "Python integer -2 out of bounds for uint8",
        "u ** -2",
        &[],
    );
    expect(
        "x + sqrt(i ** -2)",
        ErrorKind::ValueError,
        "Integers to negative integer powers are not allowed.",
        "i ** -2",
        &[],
    );
}

#[test]
fn rendered_errors_put_the_caret_under_the_span() {
    let src = "x + yy1";
    assert_eq!(
        error(src).render(src),
        "NameError: name 'yy1' is not defined\n --> 1:5\n  |\n1 | x + yy1\n  |     ^^^\n  = note: did you mean 'yy'?\n"
    );
}
