//! The Numba kernel cases of `tests/kernels/cases.json` (written by `tests/kernels/gen.py`
//! with real Numba 0.68 and NumPy 2) through `api::Kernels` on the reference executor:
//! the result's kind, dtype, shape and values, every array argument the kernel wrote, or
//! the error kind. Integers and bools exactly; floats to the bit unless the case allows
//! ULPs (results of transcendental functions, where Numba's libm and numwasm's vector math
//! may differ by an ULP per call), NaN equal to NaN, the sign of zero respected.
//!
//! `KERNEL_CASES_FILE=path` runs another case file.
//!
//! `tests/kernels/known_failures.txt` lists the cases numwasm does not match yet, each
//! with the reason. The test fails on a failing case that is not listed, and on a listed
//! case that passes (so the list stays true). `KERNEL_CASE=name` runs one case and prints
//! its typed IR.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use numwasm::api::{Array, KernelArg, KernelValue, Kernels};
use numwasm::types::{Buffer, DType, Scalar};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/kernels")
}

fn float_of(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) if s == "nan" => Some(f64::NAN),
        Value::String(s) if s == "-nan" => Some(-f64::NAN),
        Value::String(s) if s == "inf" => Some(f64::INFINITY),
        Value::String(s) if s == "-inf" => Some(f64::NEG_INFINITY),
        Value::Number(n) => n.as_f64(),
        Value::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    }
}

fn int_of(v: &Value) -> Option<i128> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from)),
        Value::Bool(b) => Some(i128::from(*b)),
        _ => None,
    }
}

fn scalar_of(d: DType, v: &Value) -> Option<Scalar> {
    Some(match d {
        DType::Bool => Scalar::Bool(v.as_bool().or_else(|| int_of(v).map(|i| i != 0))?),
        DType::F32 => Scalar::F32(float_of(v)? as f32),
        DType::F64 => Scalar::F64(float_of(v)?),
        d => Scalar::from_i128(int_of(v)?, d),
    })
}

fn buffer(d: DType, data: &[Value]) -> Option<Buffer> {
    let items: Vec<Scalar> = data
        .iter()
        .map(|v| scalar_of(d, v))
        .collect::<Option<_>>()?;
    Some(Buffer::from_scalars(d, items))
}

fn dtype(v: &Value) -> Option<DType> {
    DType::from_name(v.get("dtype")?.as_str()?)
}

fn shape(v: &Value) -> Option<Vec<usize>> {
    v.get("shape")?
        .as_array()?
        .iter()
        .map(|x| x.as_u64().map(|n| n as usize))
        .collect()
}

/// An argument as the API takes it. Strided arguments are gathered into C order.
fn arg(v: &Value) -> Result<KernelArg, String> {
    let bad = || format!("unreadable argument {v}");
    Ok(
        match v.get("kind").and_then(Value::as_str).ok_or_else(bad)? {
            "array" => {
                let d = dtype(v).ok_or_else(bad)?;
                let shape = shape(v).ok_or_else(bad)?;
                let base = buffer(d, v.get("data").and_then(Value::as_array).ok_or_else(bad)?)
                    .ok_or_else(bad)?;
                let data = match v.get("strides").and_then(Value::as_array) {
                    None => base,
                    Some(strides) => {
                        let strides: Vec<i64> = strides.iter().filter_map(Value::as_i64).collect();
                        let offset = v.get("offset").and_then(Value::as_i64).unwrap_or(0);
                        gather(&base, &shape, &strides, offset).ok_or_else(bad)?
                    }
                };
                KernelArg::Array(Array {
                    dtype: d,
                    shape,
                    data,
                })
            }
            "int" => KernelArg::Int(int_of(&v["value"]).ok_or_else(bad)?),
            "float" => KernelArg::Float(float_of(&v["value"]).ok_or_else(bad)?),
            "bool" => KernelArg::Bool(v["value"].as_bool().ok_or_else(bad)?),
            "scalar" => KernelArg::Scalar(
                scalar_of(dtype(v).ok_or_else(bad)?, &v["value"]).ok_or_else(bad)?,
            ),
            k => return Err(format!("argument kind {k} not supported by the harness")),
        },
    )
}

fn gather(base: &Buffer, shape: &[usize], strides: &[i64], offset: i64) -> Option<Buffer> {
    let n: usize = shape.iter().product();
    let mut items = Vec::with_capacity(n);
    let mut idx = vec![0usize; shape.len()];
    for _ in 0..n {
        let mut at = offset;
        for (i, s) in idx.iter().zip(strides) {
            at += *i as i64 * s;
        }
        items.push(base.get(usize::try_from(at).ok()?));
        for k in (0..shape.len()).rev() {
            idx[k] += 1;
            if idx[k] < shape[k] {
                break;
            }
            idx[k] = 0;
        }
    }
    Some(Buffer::from_scalars(base.dtype(), items))
}

/// How far apart two floats are in ULPs (0 for equal bits; NaN equals NaN).
fn ulps(a: f64, b: f64, f32_: bool) -> u64 {
    if a.is_nan() && b.is_nan() {
        return 0;
    }
    if f32_ {
        let (x, y) = ((a as f32).to_bits() as i64, (b as f32).to_bits() as i64);
        let key = |v: i64| {
            if v & 0x8000_0000 != 0 {
                0x8000_0000 - v
            } else {
                v
            }
        };
        key(x).abs_diff(key(y))
    } else {
        let (x, y) = (a.to_bits() as i128, b.to_bits() as i128);
        let key = |v: i128| if v & (1 << 63) != 0 { (1 << 63) - v } else { v };
        key(x).abs_diff(key(y)) as u64
    }
}

fn same_buffer(got: &Buffer, want: &Buffer, max_ulp: u64) -> Result<(), String> {
    if got.dtype() != want.dtype() {
        return Err(format!("dtype {} vs {}", got.dtype(), want.dtype()));
    }
    if got.len() != want.len() {
        return Err(format!("length {} vs {}", got.len(), want.len()));
    }
    let float = matches!(got.dtype(), DType::F32 | DType::F64);
    for i in 0..got.len() {
        let (g, w) = (got.get(i), want.get(i));
        let ok = if float {
            let (g, w) = (g.to_f64(), w.to_f64());
            // Exact means bit for bit, the sign of zero included; within ULPs the zeros
            // of either sign are 0 apart, as `ulps` counts them.
            if max_ulp == 0 {
                g.to_bits() == w.to_bits() || (g.is_nan() && w.is_nan())
            } else {
                ulps(g, w, got.dtype() == DType::F32) <= max_ulp
            }
        } else {
            g == w
        };
        if !ok {
            return Err(format!("[{i}] got {g}, want {w}"));
        }
    }
    Ok(())
}

fn check_value(got: &KernelValue, want: &Value, max_ulp: u64) -> Result<(), String> {
    let kind = want.get("kind").and_then(Value::as_str).unwrap_or("");
    match (kind, got) {
        ("array", KernelValue::Array(a)) => {
            let (d, s) = (dtype(want), shape(want));
            if Some(a.dtype) != d || Some(&a.shape) != s.as_ref() {
                return Err(format!(
                    "array {}{:?} vs {}{:?}",
                    a.dtype,
                    a.shape,
                    d.map_or("?", DType::name),
                    s.unwrap_or_default()
                ));
            }
            let w = buffer(a.dtype, want["data"].as_array().ok_or("no data")?).ok_or("bad data")?;
            same_buffer(&a.data, &w, max_ulp)
        }
        ("list", KernelValue::List(a)) => {
            let d = dtype(want).ok_or("list without dtype")?;
            let w = buffer(d, want["data"].as_array().ok_or("no data")?).ok_or("bad data")?;
            same_buffer(&a.data, &w, max_ulp)
        }
        ("scalar", KernelValue::Scalar(s)) => {
            let d = dtype(want).ok_or("scalar without dtype")?;
            let w = scalar_of(d, &want["value"]).ok_or("bad value")?;
            same_buffer(
                &Buffer::from_scalars(s.dtype(), [*s]),
                &Buffer::from_scalars(d, [w]),
                max_ulp,
            )
        }
        ("int" | "float" | "bool", KernelValue::Scalar(s)) => {
            let d = match kind {
                "int" => DType::I64,
                "float" => DType::F64,
                _ => DType::Bool,
            };
            let w = scalar_of(d, &want["value"]).ok_or("bad value")?;
            same_buffer(
                &Buffer::from_scalars(s.dtype(), [*s]),
                &Buffer::from_scalars(d, [w]),
                max_ulp,
            )
        }
        ("tuple", KernelValue::Tuple(items)) => {
            let w = want["items"].as_array().ok_or("tuple without items")?;
            if w.len() != items.len() {
                return Err(format!("tuple of {} vs {}", items.len(), w.len()));
            }
            for (i, (g, w)) in items.iter().zip(w).enumerate() {
                check_value(g, w, max_ulp).map_err(|e| format!("item {i}: {e}"))?;
            }
            Ok(())
        }
        ("none", KernelValue::None) => Ok(()),
        _ => Err(format!("got {got:?}, want a {kind}")),
    }
}

/// Runs one case: Ok, or what differs.
fn run_case(case: &Value) -> Result<(), String> {
    let source = case["source"].as_str().ok_or("no source")?;
    let func = case["func"].as_str().ok_or("no func")?;
    let args: Vec<KernelArg> = case["args"]
        .as_array()
        .ok_or("no args")?
        .iter()
        .map(arg)
        .collect::<Result<_, _>>()?;
    let mut kwargs = Vec::new();
    if let Some(kw) = case.get("kwargs").and_then(Value::as_object) {
        for (k, v) in kw {
            kwargs.push((k.clone(), arg(v)?));
        }
    }
    let max_ulp = case
        .get("compare")
        .and_then(|c| c.get("ulp"))
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let want_error = case.get("error").and_then(|e| e["kind"].as_str());
    let outcome = Kernels::new(source).and_then(|k| {
        if std::env::var("KERNEL_CASE").is_ok_and(|n| n == case["name"].as_str().unwrap_or(""))
            && let Ok(i) = k.inspect(func, args.clone(), kwargs.clone())
        {
            println!("{}\n{}", i.signature, i.typed_ir);
        }
        k.call(func, args, kwargs)
    });
    match (outcome, want_error) {
        (Err(e), Some(kind)) if e.kind.name() == kind => Ok(()),
        (Err(e), Some(kind)) => Err(format!(
            "want {kind}, got {}: {}",
            e.kind.name(),
            e.render(source)
        )),
        (Err(e), None) => Err(e.render(source)),
        (Ok(r), Some(kind)) => Err(format!("want {kind}, got {:?}", r.value)),
        (Ok(r), None) => {
            check_value(&r.value, &case["result"], max_ulp).map_err(|e| format!("result: {e}"))?;
            let want_mut = case["mutated"].as_array().cloned().unwrap_or_default();
            let got: BTreeMap<usize, &Buffer> = r.mutated.iter().map(|(i, b)| (*i, b)).collect();
            for m in &want_mut {
                let i = m["arg"].as_u64().ok_or("bad mutated arg")? as usize;
                let w = &m["value"];
                let b = got
                    .get(&i)
                    .ok_or_else(|| format!("argument {i} should have been written"))?;
                let mut wb = buffer(
                    dtype(w).ok_or("bad dtype")?,
                    w["data"].as_array().ok_or("no data")?,
                )
                .ok_or("bad data")?;
                // A strided argument was passed as its elements in C order; Numba's record
                // is the whole base buffer: compare the same elements.
                let a = &case["args"][i];
                if let Some(strides) = a.get("strides").and_then(Value::as_array) {
                    let strides: Vec<i64> = strides.iter().filter_map(Value::as_i64).collect();
                    let offset = a.get("offset").and_then(Value::as_i64).unwrap_or(0);
                    let shape = shape(a).ok_or("bad shape")?;
                    wb = gather(&wb, &shape, &strides, offset).ok_or("bad strides")?;
                }
                same_buffer(b, &wb, max_ulp).map_err(|e| format!("argument {i}: {e}"))?;
            }
            if got.len() != want_mut.len() {
                return Err(format!(
                    "arguments written {:?}, Numba wrote {}",
                    got.keys().collect::<Vec<_>>(),
                    want_mut.len()
                ));
            }
            Ok(())
        }
    }
}

#[test]
fn numba_cases() {
    // KERNEL_CASES_FILE runs another case file (a larger generated run).
    let path = std::env::var("KERNEL_CASES_FILE")
        .map_or_else(|_| root().join("cases.json"), PathBuf::from);
    let text = std::fs::read_to_string(&path).expect("tests/kernels/cases.json");
    let data: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    let known: BTreeMap<String, String> =
        std::fs::read_to_string(root().join("known_failures.txt"))
            .unwrap_or_default()
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(|l| {
                let (name, why) = l.split_once(' ').unwrap_or((l, ""));
                (name.to_owned(), why.trim().to_owned())
            })
            .collect();
    let only = std::env::var("KERNEL_CASE").ok();
    let cases = data["cases"].as_array().expect("cases");
    let (mut passed, mut report) = (0, String::new());
    let mut listed_but_pass = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        if only.as_deref().is_some_and(|o| o != name) {
            continue;
        }
        // A panic in one case is that case's failure, not the run's.
        let r = std::panic::catch_unwind(|| run_case(case))
            .unwrap_or_else(|_| Err("panicked".to_owned()));
        match (r, known.contains_key(name)) {
            (Ok(()), false) => passed += 1,
            (Ok(()), true) => listed_but_pass.push(name.to_owned()),
            (Err(_), true) => {}
            (Err(e), false) => {
                let _ = writeln!(report, "--- {name}: {e}");
            }
        }
    }
    println!(
        "{passed} of {} kernel cases pass ({} known failures)",
        cases.len(),
        known.len()
    );
    assert!(
        report.is_empty(),
        "kernel cases that differ from Numba (not in known_failures.txt):\n{report}"
    );
    assert!(
        listed_but_pass.is_empty(),
        "cases in known_failures.txt that now pass (remove them): {listed_but_pass:?}"
    );
}

/// Every case's program (for the arguments it is called with) has a JS baseline
/// (`back::js`, in `Inspection::js`) or the reason why not, never a panic; the text is one
/// function expression. tests/node/kernel_js.test.mjs runs the baselines and compares them.
#[test]
fn every_case_has_a_js_baseline_or_says_why() {
    let text =
        std::fs::read_to_string(root().join("cases.json")).expect("tests/kernels/cases.json");
    let data: Value = serde_json::from_str(&text).expect("cases.json is JSON");
    let cases = data["cases"].as_array().expect("cases");
    let (mut inspected, mut generated, mut panics) = (0, 0, Vec::new());
    for case in cases {
        let name = case["name"].as_str().unwrap_or("?");
        let r = std::panic::catch_unwind(|| -> Option<Result<String, String>> {
            let source = case["source"].as_str()?;
            let func = case["func"].as_str()?;
            let args: Vec<KernelArg> = case["args"]
                .as_array()?
                .iter()
                .map(arg)
                .collect::<Result<_, _>>()
                .ok()?;
            let mut kwargs = Vec::new();
            if let Some(kw) = case.get("kwargs").and_then(Value::as_object) {
                for (k, v) in kw {
                    kwargs.push((k.clone(), arg(v).ok()?));
                }
            }
            let k = Kernels::new(source).ok()?;
            Some(k.inspect(func, args, kwargs).ok()?.js)
        });
        match r {
            Err(_) => panics.push(name.to_owned()),
            Ok(None) => {}
            Ok(Some(js)) => {
                inspected += 1;
                if std::env::var("KERNEL_CASE").is_ok_and(|n| n == name) {
                    println!("{}", js.as_deref().unwrap_or_else(|e| e));
                }
                if let Ok(t) = js {
                    generated += 1;
                    assert!(
                        t.starts_with("(function (args) {") && t.ends_with("})"),
                        "{name}: not one function expression"
                    );
                } else if let Err(why) = js {
                    assert!(!why.is_empty(), "{name}: an empty reason");
                }
            }
        }
    }
    println!("{generated} of {inspected} inspected kernel cases have a JS baseline");
    assert!(panics.is_empty(), "generating JS panicked for {panics:?}");
    assert!(inspected > 300, "only {inspected} cases inspected");
}
