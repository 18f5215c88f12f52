//! The codegen stage, read through the bytecode dump (`Program`'s Display): register
//! allocation, superinstruction selection, chain fusion and where each step writes.
//! Programs are generated from the optimized IR of small expressions, which is what the
//! code generator is given in the pipeline.
#![cfg(not(target_arch = "wasm32"))]

use numwasm::api::{DType, InputKind, Signature, compile};
use numwasm::{codegen, opt};

/// The bytecode of `source` over named arrays of (dtype, shape).
fn bytecode(source: &str, inputs: &[(&str, DType, &[usize])]) -> String {
    let sig = Signature {
        inputs: inputs
            .iter()
            .map(|(n, dtype, shape)| {
                (
                    (*n).to_string(),
                    InputKind::Array {
                        dtype: *dtype,
                        shape: shape.to_vec(),
                    },
                )
            })
            .collect(),
    };
    let c = compile(source, &sig).unwrap_or_else(|e| panic!("{}", e.render(source)));
    let f = opt::optimize(c.lowered()).expect("verifies");
    codegen::generate(&f).to_string()
}

const N: &[usize] = &[1000];

/// Four float64 arrays a, b, c, d of 1000 elements.
fn f64s(source: &str) -> String {
    let d = DType::F64;
    bytecode(
        source,
        &[("a", d, N), ("b", d, N), ("c", d, N), ("d", d, N)],
    )
}

fn i64s(source: &str) -> String {
    let d = DType::I64;
    bytecode(source, &[("a", d, N), ("b", d, N), ("c", d, N)])
}

/// The block instructions of a dump (the lines under `block:`), trimmed.
fn block(dump: &str) -> Vec<&str> {
    dump.lines()
        .filter(|l| l.starts_with("    "))
        .map(str::trim)
        .collect()
}

/// The `regs=` count of the first loop.
fn regs(dump: &str) -> usize {
    let at = dump.find("regs=").expect("a loop") + 5;
    dump[at..]
        .split(' ')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("a register count")
}

#[test]
fn registers_are_reused_after_their_last_use() {
    let dump = f64s("exp(sin(cos(sin(a))))");
    assert_eq!(
        block(&dump),
        [
            "r0 = sin.f64 m0",
            "r1 = cos.f64 r0",
            "r0 = sin.f64 r1",
            "out = exp.f64 r0",
        ],
        "{dump}"
    );
    assert_eq!(regs(&dump), 2, "{dump}");
    // However deep a chain of calls, two registers suffice.
    let deep = (0..12).fold("a".to_string(), |e, _| format!("sin({e})"));
    let dump = f64s(&deep);
    assert_eq!(block(&dump).len(), 12, "{dump}");
    assert_eq!(regs(&dump), 2, "{dump}");
}

#[test]
fn a_value_read_later_keeps_its_register() {
    // a + b is read twice (by sin and by the product), so it is not overwritten in between
    // and is not folded into a chain.
    let dump = f64s("(a + b) * sin(a + b)");
    assert_eq!(
        block(&dump),
        [
            "r0 = add.f64 m0, m1",
            "r1 = sin.f64 r0",
            "out = mul.f64 r0, r1"
        ],
        "{dump}"
    );
}

#[test]
fn superinstructions_are_selected() {
    let cases = [
        ("a*b + c", "out = muladd.f64 m0, m1, m2"),
        // Sources are numbered by first use: m0 is c here.
        ("c + a*b", "out = muladd.f64 m1, m2, m0"),
        ("a*2.0 + c", "out = muladdk.f64 m0, 2.0, m1"),
        ("a*b + 2.0", "out = muladdc.f64 m0, m1, 2.0"),
        (
            "where(a < b, a, b)",
            "out = ltselect.f64.f64 m0, m1, m0, m1",
        ),
        ("a**2", "out = square.f64 m0"),
        ("a + 1.0", "out = addk.f64 m0, 1.0"),
        // A constant on the left of a commutative op moves to the right...
        ("2.0 * a", "out = mulk.f64 m0, 2.0"),
        // ...a comparison swaps...
        ("1.0 < a", "out = gtk.f64 m0, 1.0"),
        // ...and the others have their own form.
        ("1.0 - a", "out = ksub.f64 1.0, m0"),
        ("3.0 / a", "out = kdiv.f64 3.0, m0"),
    ];
    for (src, want) in cases {
        let dump = f64s(src);
        assert_eq!(block(&dump), [want], "{src}:\n{dump}");
    }
}

#[test]
fn integer_code_has_no_float_superinstructions() {
    // Select with a comparison fuses for floats only; a*b + c is a muladd for floats only.
    let dump = i64s("where(a < b, a, b)");
    assert_eq!(
        block(&dump),
        ["r0 = lt.i64 m0, m1", "out = select.i64 r0, m0, m1"],
        "{dump}"
    );
    let dump = i64s("a*b + c");
    assert_eq!(
        block(&dump),
        ["r0 = mul.i64 m0, m1", "out = add.i64 r0, m2"],
        "{dump}"
    );
}

#[test]
fn float_arithmetic_fuses_into_chains_of_at_most_max_chain_steps() {
    let dump = f64s("(a + b) * c - d");
    assert_eq!(
        block(&dump),
        ["out = chain.f64 m0 |> add m1 |> mul m2 |> sub m3"],
        "{dump}"
    );
    // A chain ends with a muladd step that takes the running value as the addend.
    let dump = f64s("a*b + a*c");
    assert_eq!(
        block(&dump),
        ["out = chain.f64 m0 |> mul m2 |> muladd m0, m1"],
        "{dump}"
    );
    // Nineteen additions: one chain of MAX_CHAIN steps, then one of the other three.
    let long = (1..=19).fold("a".to_string(), |e, k| format!("{e} + {k}.0"));
    let dump = f64s(&long);
    let code = block(&dump);
    assert_eq!(code.len(), 2, "{dump}");
    let steps = |line: &str| line.matches("|>").count();
    assert_eq!(steps(code[0]), numwasm::vm::MAX_CHAIN, "{dump}");
    assert_eq!(steps(code[1]), 19 - numwasm::vm::MAX_CHAIN, "{dump}");
    assert!(code[1].starts_with("out = chain.f64 r"), "{dump}");
}

#[test]
fn chains_respect_liveness_and_operand_order() {
    // a + b is read again after the product, so the product cannot take over its
    // register: the chain starts at the product.
    let dump = f64s("(a + b) * c - (a + b)");
    assert_eq!(
        block(&dump),
        [
            "r0 = add.f64 m0, m1",
            "out = chain.f64 r0 |> mul m2 |> sub r0"
        ],
        "{dump}"
    );
    // maximum(acc, k) is a chain step; maximum(k, acc) is not (NumPy's maximum picks a
    // side on ties of 0.0 and -0.0, so the operands cannot be swapped).
    let dump = f64s("maximum(a + b, 3.0)");
    let code = block(&dump);
    assert_eq!(code.len(), 1, "{dump}");
    assert!(
        code[0].starts_with("out = chain.f64 m0 |> add m1 |> maximum r"),
        "{dump}"
    );
    let dump = f64s("maximum(3.0, a + b)");
    assert_eq!(
        block(&dump),
        ["r0 = add.f64 m0, m1", "out = kmaximum.f64 3.0, r0"],
        "{dump}"
    );
}

#[test]
fn a_reduction_at_the_root_writes_the_output_directly() {
    let dump = f64s("sum(a)");
    let steps: Vec<&str> = dump.lines().filter(|l| l.starts_with("step")).collect();
    assert_eq!(
        steps,
        ["step0: loop over f64[1000] regs=0 srcs=[m0=in0]"],
        "{dump}"
    );
    assert!(dump.contains("\n  output = reduce.sum.f64 m0\n"), "{dump}");
    assert!(!dump.contains("store"), "{dump}");
    // The reduced argument is computed in a register and reduced from there.
    let dump = f64s("sum(a*b)");
    assert!(
        dump.contains("    r0 = mul.f64 m0, m1\n  output = reduce.sum.f64 r0\n"),
        "{dump}"
    );
    // An axis reduction of an input reads the input in place and writes the output.
    let d = DType::F64;
    let m = [("m", d, &[3usize, 4][..]), ("r", d, &[4][..])];
    let dump = bytecode("sum(m, axis=0)", &m);
    let steps: Vec<&str> = dump.lines().filter(|l| l.starts_with("step")).collect();
    assert_eq!(
        steps,
        ["step0: output = reduce.sum.f64 in0 f64[3,4] axis=0"],
        "{dump}"
    );
    // Of a computed value: a loop materializes it, the reduction writes the output.
    let dump = bytecode("sum(m * 2.0, axis=1)", &m);
    let steps: Vec<&str> = dump.lines().filter(|l| l.starts_with("step")).collect();
    assert_eq!(
        steps,
        [
            "step0: loop over f64[3,4] regs=1 srcs=[m0=in0]",
            "step1: output = reduce.sum.f64 t0 f64[3,4] axis=1"
        ],
        "{dump}"
    );
    assert!(dump.contains("  store t0\n"), "{dump}");
}

#[test]
fn a_reduction_inside_an_expression_goes_through_a_temp() {
    let dump = f64s("a - sum(a)");
    let want = "\
temp t0: f64[] (v1)
step0: loop over f64[1000] regs=0 srcs=[m0=in0]
  block:
  t0 = reduce.sum.f64 m0
step1: loop over f64[1000] regs=1 srcs=[m0=in0]
  r0 = splat.f64 t0[0]
  block:
    out = sub.f64 m0, r0
  store output
output f64[1000]";
    assert_eq!(dump, want);
    let d = DType::F64;
    let m = [("m", d, &[3usize, 4][..]), ("r", d, &[4][..])];
    let dump = bytecode("sum(m, axis=0) + r", &m);
    assert!(
        dump.contains("step0: t0 = reduce.sum.f64 in0 f64[3,4] axis=0\nstep1: loop over f64[4] regs=0 srcs=[m0=t0, m1=in1]\n"),
        "{dump}"
    );
    assert_eq!(block(&dump), ["out = add.f64 m0, m1"], "{dump}");
}

#[test]
fn smaller_sources_are_gathered_or_splatted() {
    let d = DType::F64;
    let ins = [
        ("m", d, &[3usize, 4][..]),
        ("r", d, &[4][..]),
        ("col", d, &[3, 1][..]),
        ("s", d, &[][..]),
    ];
    let dump = bytecode("m + r", &ins);
    assert_eq!(
        block(&dump),
        ["r0 = gather.f64 m1 strides=[0,1]", "out = add.f64 m0, r0"],
        "{dump}"
    );
    let dump = bytecode("m + col", &ins);
    assert_eq!(
        block(&dump),
        ["r0 = gather.f64 m1 strides=[1,0]", "out = add.f64 m0, r0"],
        "{dump}"
    );
    // A one-element source is splatted once per task, outside the block.
    let dump = bytecode("m * s", &ins);
    assert!(dump.contains("\n  r0 = splat.f64 in3[0]\n"), "{dump}");
    assert_eq!(block(&dump), ["out = mul.f64 m0, r0"], "{dump}");
}
