//! Expressions through their generated loop (`front::expr::kernel`, the expression tier):
//! the kernel of each expression, compiled and run in wasmi on the expression's inputs,
//! must write the VM's result to the bit (NaNs as NaNs), and the executor must agree with
//! it. Random element-wise expressions over every input kind the tier takes (arrays of the
//! result's size in several dtypes, one-element arrays read once, Python scalars folded
//! into constants), fixed cases for casts, integer division by zero and `where`, and the
//! expressions the tier refuses, with the reason the engine gives.

use std::cell::RefCell;
use std::rc::Rc;

use numwasm::api::{Array, Engine, ExprTier, Input};
use numwasm::back::wasm;
use numwasm::kir::exec::{ArrayValue, Value};
use numwasm::types::{Buffer, Scalar};

use super::common::Rng;
use super::harness;

const N: usize = 1003; // not a multiple of any lane count

/// A random element-wise expression over the inputs of [`inputs`].
fn random_expr(rng: &mut Rng, depth: u32) -> String {
    let leaves = ["a", "b", "i", "u", "k", "o", "s", "2", "3.5", "0.5", "True"];
    if depth == 0 || rng.below(10) < 2 {
        return leaves[rng.below(leaves.len() as u64) as usize].to_string();
    }
    let x = random_expr(rng, depth - 1);
    let y = random_expr(rng, depth - 1);
    match rng.below(24) {
        0 => format!("-{x}"),
        1 => format!("sqrt(abs({x}))"),
        2 => format!("sin({x})"),
        3 => format!("exp({x} / 8)"),
        4 => format!("({x})**2"),
        5 => format!("({x})**3"),
        6 => format!("abs({x})**1.5"),
        7 => format!("where({x} > {y}, {x}, {})", random_expr(rng, depth - 1)),
        8 => format!("floor({x})"),
        9 => format!("({x}) // ({y})"),
        10 => format!("({x}) % ({y})"),
        11 => format!("maximum({x}, {y})"),
        12 => format!("({x}) / ({y})"),
        13 => format!("({x}) < ({y})"),
        14 => format!("minimum({x}, {y})"),
        15 => format!("arctan2({x}, {y})"),
        16 => format!("({x}) == ({y})"),
        17 => format!("abs({x})"),
        _ => {
            let ops = ["+", "-", "*", "+", "*"];
            format!("({x} {} {y})", ops[rng.below(ops.len() as u64) as usize])
        }
    }
}

struct Data {
    a: Vec<f64>,
    b: Vec<f32>,
    i: Vec<i32>,
    u: Vec<u8>,
    k: Vec<i64>,
    o: Vec<f64>,
}

fn data(rng: &mut Rng, n: usize) -> Data {
    Data {
        a: (0..n).map(|_| rng.float() * 6.0 - 3.0).collect(),
        b: (0..n).map(|_| (rng.float() * 6.0 - 3.0) as f32).collect(),
        i: (0..n).map(|_| rng.below(101) as i32 - 50).collect(),
        u: (0..n).map(|_| rng.below(256) as u8).collect(),
        k: (0..n).map(|_| rng.next() as i64 >> rng.below(64)).collect(),
        o: vec![rng.float() * 4.0 - 2.0],
    }
}

fn inputs<'a>(d: &'a Data, shape: &'a [usize]) -> Vec<(&'static str, Input<'a>)> {
    vec![
        ("a", Input::array(&d.a[..], shape)),
        ("b", Input::array(&d.b[..], shape)),
        ("i", Input::array(&d.i[..], shape)),
        ("u", Input::array(&d.u[..], shape)),
        ("k", Input::array(&d.k[..], shape)),
        ("o", Input::array(&d.o[..], &[1])),
        ("s", Input::float(0.25)),
    ]
}

fn flat(buf: Buffer) -> Value {
    let n = buf.len();
    Value::Array(ArrayValue::from_buffer(buf, vec![n]))
}

fn same(a: &Scalar, b: &Scalar) -> bool {
    match (a, b) {
        (Scalar::F64(x), Scalar::F64(y)) => x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan(),
        (Scalar::F32(x), Scalar::F32(y)) => x.to_bits() == y.to_bits() || x.is_nan() && y.is_nan(),
        _ => a == b,
    }
}

/// Runs `src`'s kernel in wasmi (serial and parallel forms) and asserts it wrote the VM's
/// result; returns why not when the expression does not compile or has no kernel form.
fn check(engine: &Engine, src: &str, d: &Data, shape: &[usize]) -> Result<(), String> {
    let ins = inputs(d, shape);
    let prog = engine
        .compile(src, &ins)
        .map_err(|e| format!("{}: {}", e.kind.name(), e.message))?;
    let vm: Array = prog.run(&ins, None, Some(1)).unwrap().unwrap();
    for parallel in [false, true] {
        let kernel = prog.kernel(parallel)?;
        let program = kernel.program;
        let (out_dtype, out_len) = match &kernel.reduction {
            Some(r) => (r.dtype, r.partials_len()),
            None => (vm.dtype, vm.data.len()),
        };
        let mut args = vec![flat(Buffer::zeros(out_dtype, out_len))];
        for (_, v) in &ins {
            if let Input::Array { data, .. } = v {
                args.push(flat(data.to_owned()));
            }
        }
        let m = match harness::compile(&program) {
            Ok(m) => m,
            Err(u) => panic!("{src}: the generator refused {u}\n{program}"),
        };
        let got = harness::compiled(&m, &args);
        assert!(got.result.is_ok(), "{src}: {:?}", got.result);
        let want: Vec<Scalar> = (0..vm.data.len()).map(|j| vm.data.get(j)).collect();
        // A whole reduction's loop writes partial values, which the host finishes.
        let values = match &kernel.reduction {
            Some(r) => {
                let partials = Buffer::from_scalars(r.dtype, got.arrays[0].iter().copied());
                vec![numwasm::api::finish_reduction(r, partials.as_ref())]
            }
            None => got.arrays[0].clone(),
        };
        let wrong = values.iter().zip(&want).position(|(g, w)| !same(g, w));
        if let Some(j) = wrong {
            panic!(
                "{src} (parallel {parallel}): element {j}: generated {:?}, VM {:?}\n{program}",
                values[j], want[j]
            );
        }
        // The executor agrees with the generated code.
        harness::differential(&program, &args);
    }
    Ok(())
}

#[test]
fn random_expressions_match_the_vm_to_the_bit() {
    let mut rng = Rng::new(0xe4b2_7c11);
    let d = data(&mut rng, N);
    let engine = Engine::new();
    let mut ran = 0;
    for _ in 0..220 {
        let src = random_expr(&mut rng, 3);
        match check(&engine, &src, &d, &[N]) {
            Ok(()) => ran += 1,
            Err(e) => eprintln!("no kernel for {src}: {e}"),
        }
    }
    // Only the expressions the front end rejects (bool arithmetic) have no kernel.
    assert!(ran >= 180, "only {ran} of 220 expressions ran");
}

#[test]
fn fixed_expressions_match_the_vm() {
    let mut rng = Rng::new(7);
    let shape = [17, 59];
    let d = data(&mut rng, 17 * 59);
    let engine = Engine::new();
    for src in [
        "a + (a**2 + (b*a + 1)*3)",
        "(2*a + 3*a)/a",
        "exp(2.1*a + 3.2*b)",
        "sin(a)**2 + cos(b)**2",
        "i // (u - 100)",
        "i % (i - i)",
        "k // 0",
        "where(a > o, a, o * s)",
        "a * o + s",
        "a > b",
        "(i < 3) & (u > 7)",
        "~i ^ u",
        "k >> (u % 70)",
        "b + k",
        "u + i",
        "b * 2 + o",
        "u / i",
        "(u > 3) + u",
        "a ** k",
        "i ** 3",
        "isnan(a / (a - a))",
        "fmax(a / (a - a), b)",
    ] {
        if let Err(e) = check(&engine, src, &d, &shape) {
            panic!("{src}: {e}");
        }
    }
}

#[test]
fn whole_reductions_match_the_vm_to_the_bit() {
    let mut rng = Rng::new(0x51d3_a0b7);
    let engine = Engine::new();
    // Fewer than eight elements, one partial block, whole blocks only, blocks and a
    // partial one, and several chunks of 32 blocks (the VM's order at every level).
    for n in [5, 1003, 2048, 36_000] {
        let d = data(&mut rng, n);
        let mut ran = 0;
        let mut wrapped = vec![
            "sum(a)".to_string(),
            "sum(a * a - 2.5)".into(),
            "sum(b)".into(),
            "sum(i)".into(),
            "sum(u * u)".into(),
            "sum(k)".into(),
            "prod(a / 2 + 1)".into(),
            "prod(b)".into(),
            "prod(i % 3 + 1)".into(),
            "min(a)".into(),
            "max(b - a)".into(),
            "min(k)".into(),
            "max(u)".into(),
            "any(a > 2.9)".into(),
            "all(a > -2.9)".into(),
            "mean(a * o)".into(),
            "sum(a) / 3 + 1".into(),
            "max(where(a > 0, a / (a - a), a))".into(),
            "min(a / (a - a))".into(),
            "sum(a * s)".into(),
        ];
        for _ in 0..12 {
            let e = random_expr(&mut rng, 2);
            let r = ["sum", "prod", "min", "max", "mean"][rng.below(5) as usize];
            wrapped.push(format!("{r}({e})"));
        }
        for src in &wrapped {
            match check(&engine, src, &d, &[n]) {
                Ok(()) => ran += 1,
                Err(e) => eprintln!("no kernel for {src}: {e}"),
            }
        }
        assert!(
            ran >= 26,
            "n = {n}: only {ran} of {} reductions ran",
            wrapped.len()
        );
    }
}

#[test]
fn the_tier_and_why() {
    let mut rng = Rng::new(9);
    let d = data(&mut rng, 12);
    let r = vec![1.5; 4];
    let engine = Engine::new();
    let tier = |src: &str, extra: Option<(&str, Input<'_>)>, want: ExprTier| {
        let mut ins = inputs(&d, &[3, 4]);
        ins.extend(extra);
        let prog = engine
            .compile(src, &ins)
            .unwrap_or_else(|e| panic!("{src}: {e:?}"));
        let (got, why) = prog.tier_with(Some(&harness::Inspector), ExprTier::Auto);
        assert_eq!(got, want, "{src}: {why}");
        why
    };
    assert_eq!(
        tier("a*b + i", None, ExprTier::Generated),
        "one fused generated loop"
    );
    assert!(tier("exp(a)", None, ExprTier::Vm).contains("vector math"));
    let why = tier("i ** u", None, ExprTier::Vm);
    assert!(why.contains("integer power"), "{why}");
    assert_eq!(
        tier("i ** 3", None, ExprTier::Generated),
        "one fused generated loop"
    );
    // Whole reductions have a generated loop; measured, the VM sums and takes extremes
    // faster, the generated loop multiplies faster.
    assert!(tier("sum(a * b)", None, ExprTier::Vm).contains("whole reduction"));
    assert_eq!(
        tier("prod(a * b)", None, ExprTier::Generated),
        "one fused generated loop"
    );
    for (src, reason) in [
        ("a - sum(a)", "an array computed from a reduction"),
        ("max(a, axis=0)", "a reduction along an axis"),
        ("sum(a) - min(a)", "more than one reduction"),
    ] {
        let why = tier(src, None, ExprTier::Vm);
        assert!(why.contains(reason), "{src}: {why}");
    }
    let z = [2.0];
    let why = tier(
        "sum(a) + z",
        Some(("z", Input::array(&z[..], &[]))),
        ExprTier::Vm,
    );
    assert!(why.contains("combined with an input"), "{why}");
    // A row broadcast along the first axis runs as rows of the last one.
    assert_eq!(
        tier(
            "a + r",
            Some(("r", Input::array(&r[..], &[4]))),
            ExprTier::Generated,
        ),
        "one fused generated loop"
    );
    // Asked for, the generated loop runs vector math too; natively there is no host.
    let ins = inputs(&d, &[3, 4]);
    let prog = engine.compile("exp(a)", &ins).unwrap();
    assert_eq!(
        prog.tier_with(Some(&harness::Inspector), ExprTier::Generated)
            .0,
        ExprTier::Generated
    );
    assert_eq!(prog.tier_with(None, ExprTier::Auto).0, ExprTier::Vm);
    assert_eq!(
        prog.tier_with(Some(&harness::Inspector), ExprTier::Vm).0,
        ExprTier::Vm
    );
    assert!(prog.disassemble().contains("; tier\n"));
}

#[test]
fn shared_buffers_stay_untouched() {
    // The loop writes only `out`: the inputs come back as they went in.
    let mut rng = Rng::new(11);
    let d = data(&mut rng, 40);
    let engine = Engine::new();
    let ins = inputs(&d, &[40]);
    let prog = engine.compile("a*2 + b", &ins).unwrap();
    let program = prog.kernel_program(true).unwrap();
    let a = Rc::new(RefCell::new(Buffer::F64(d.a.clone())));
    let args = vec![
        flat(Buffer::zeros(numwasm::types::DType::F64, 40)),
        Value::Array(ArrayValue {
            data: Rc::clone(&a),
            offset: 0,
            shape: vec![40],
            strides: vec![1],
        }),
        flat(Buffer::F32(d.b.clone())),
        flat(Buffer::I32(d.i.clone())),
        flat(Buffer::U8(d.u.clone())),
        flat(Buffer::I64(d.k.clone())),
        flat(Buffer::F64(d.o.clone())),
    ];
    let m = harness::compile(&program).unwrap();
    let got = harness::compiled(&m, &args);
    assert_eq!(got.arrays[1].len(), 40);
    for (j, v) in got.arrays[1].iter().enumerate() {
        assert!(same(v, &Scalar::F64(d.a[j])));
    }
    let _ = wasm::VMATH_PREFIX;
}

#[test]
fn long_loops_run_merged_chunks_with_the_same_result() {
    // 30,000 elements are a dozen chunks: the harness runs them three at a time, as the
    // engine's runner merges a loop with no partials and no allocation.
    let mut rng = Rng::new(12);
    let n = 30_000;
    let d = data(&mut rng, n);
    let engine = Engine::new();
    let before = harness::MERGED.load(std::sync::atomic::Ordering::Relaxed);
    for src in [
        "a*2 + b",
        "where(a > b, a*i, b - u)",
        "a + (b**2 + (a*b + 1)*3)",
    ] {
        check(&engine, src, &d, &[n]).unwrap();
    }
    assert!(harness::MERGED.load(std::sync::atomic::Ordering::Relaxed) > before);
}

/// Runs `src` on `ins` (arrays of any broadcastable shapes) through the generated loop in
/// wasmi, serially and in chunks, and asserts the VM's result to the bit.
fn check_broadcast(engine: &Engine, src: &str, ins: &[(&str, Input<'_>)]) {
    let prog = engine
        .compile(src, ins)
        .unwrap_or_else(|e| panic!("{src}: {}", e.message));
    let vm: Array = prog.run(ins, None, Some(1)).unwrap().unwrap();
    for parallel in [false, true] {
        let program = prog
            .kernel_program(parallel)
            .unwrap_or_else(|why| panic!("{src}: no kernel: {why}"));
        let mut args = vec![flat(Buffer::zeros(vm.dtype, vm.data.len()))];
        for (_, v) in ins {
            if let Input::Array { data, .. } = v {
                args.push(flat(data.to_owned()));
            }
        }
        let m = harness::compile(&program).unwrap_or_else(|u| panic!("{src}: {u}\n{program}"));
        let got = harness::compiled(&m, &args);
        assert!(got.result.is_ok(), "{src}: {:?}", got.result);
        for (j, g) in got.arrays[0].iter().enumerate() {
            let w = vm.data.get(j);
            assert!(
                same(g, &w),
                "{src} (parallel {parallel}) {:?}: element {j}: generated {g:?}, VM {w:?}\n{program}",
                vm.shape
            );
        }
        harness::differential(&program, &args);
    }
}

#[test]
fn broadcasting_inputs_run_as_rows_with_the_vms_bits() {
    let mut rng = Rng::new(21);
    let mut floats = |n: usize| -> Vec<f64> { (0..n).map(|_| rng.float() * 8.0 - 4.0).collect() };
    let a = floats(17 * 59);
    let r = floats(59);
    let c = floats(17);
    let one = floats(1);
    let engine = Engine::new();
    let two = [
        ("a", Input::array(&a[..], &[17, 59])),
        ("r", Input::array(&r[..], &[59])),
        ("c", Input::array(&c[..], &[17, 1])),
        ("s", Input::array(&one[..], &[1, 1])),
    ];
    for src in [
        "a + r",
        "a*c - r",
        "where(a > r, a, c)",
        "(c*2 + r) / (a + 3) - s",
        "c + r",
        "r * s + c",
    ] {
        check_broadcast(&engine, src, &two);
    }
    // Three axes: every pattern of kept and broadcast axes.
    let x = floats(3 * 4 * 5);
    let b41 = floats(4);
    let b315 = floats(15);
    let b5 = floats(5);
    let b145 = floats(20);
    let b311 = floats(3);
    let three = [
        ("x", Input::array(&x[..], &[3, 4, 5])),
        ("p", Input::array(&b41[..], &[4, 1])),
        ("q", Input::array(&b315[..], &[3, 1, 5])),
        ("w", Input::array(&b5[..], &[5])),
        ("e", Input::array(&b145[..], &[1, 4, 5])),
        ("f", Input::array(&b311[..], &[3, 1, 1])),
    ];
    for src in [
        "x + p",
        "x*q - w",
        "e + f",
        "p + q",
        "x + p*q + w*e - f",
        "where(q > p, e, f)",
    ] {
        check_broadcast(&engine, src, &three);
    }
    // Integers (wrapping) and a last extent of 1.
    let i: Vec<i32> = (0..17 * 59)
        .map(|k| (k as i32).wrapping_mul(2_654_435))
        .collect();
    let ir: Vec<i32> = (0..59).map(|k| 1_000_000_007 - k * 7).collect();
    let ints = [
        ("i", Input::array(&i[..], &[17, 59])),
        ("j", Input::array(&ir[..], &[59])),
    ];
    check_broadcast(&engine, "i * j + i", &ints);
    let col = floats(6);
    let last1 = [
        ("k", Input::array(&col[..], &[6, 1])),
        ("s", Input::array(&one[..], &[1])),
    ];
    check_broadcast(&engine, "k * s + 1", &last1);
}
