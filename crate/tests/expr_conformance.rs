//! Conformance against NumPy 2: every case of `tests/data/conformance.jsonl` (written by
//! `tests/conformance/gen.py` with real NumPy) is evaluated and its dtype, shape and
//! values (or error kind) compared. Integers and bools exactly, floats within 4 ULP with
//! NaN equal to NaN and the sign of zero respected (except where NumPy's own choice of
//! zero sign is platform-dependent: maximum/minimum/fmax/fmin/clip ties).
#![cfg(not(target_arch = "wasm32"))]

use std::fmt::Write as _;
use std::path::PathBuf;

use numwasm::api::{Array, Engine, Input};
use numwasm::types::{Buffer, DType};
use serde_json::Value;

const ULPS: u64 = 4;

/// Owned input data, borrowed by `Input`s.
enum Owned {
    Array(Buffer, Vec<usize>),
    Scalar(Input<'static>),
}

fn float_of(v: &Value) -> Option<f64> {
    match v {
        Value::String(s) if s == "nan" => Some(f64::NAN),
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
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| n.as_f64().map(|f| f as i128)),
        Value::Bool(b) => Some(i128::from(*b)),
        _ => None,
    }
}

fn buffer(dtype: DType, data: &[Value]) -> Option<Buffer> {
    Some(match dtype {
        DType::Bool => Buffer::Bool(data.iter().map(Value::as_bool).collect::<Option<_>>()?),
        DType::F32 => Buffer::F32(
            data.iter()
                .map(|v| float_of(v).map(|f| f as f32))
                .collect::<Option<_>>()?,
        ),
        DType::F64 => Buffer::F64(data.iter().map(float_of).collect::<Option<_>>()?),
        d => {
            let ints: Vec<i128> = data.iter().map(int_of).collect::<Option<_>>()?;
            Buffer::from_scalars(
                d,
                ints.iter()
                    .map(|&v| numwasm::types::Scalar::from_i128(v, d)),
            )
        }
    })
}

fn parse_input(v: &Value) -> Option<Owned> {
    if let Some(s) = v.get("scalar") {
        let kind = v.get("kind")?.as_str()?;
        return Some(Owned::Scalar(match kind {
            "int" => Input::int(int_of(s)?),
            "float" => Input::float(float_of(s)?),
            _ => Input::bool(s.as_bool()?),
        }));
    }
    let dtype = DType::from_name(v.get("dtype")?.as_str()?)?;
    let shape: Vec<usize> = v
        .get("shape")?
        .as_array()?
        .iter()
        .map(|x| x.as_u64().map(|n| n as usize))
        .collect::<Option<_>>()?;
    Some(Owned::Array(
        buffer(dtype, v.get("data")?.as_array()?)?,
        shape,
    ))
}

/// Distance in units in the last place between two floats of the same width.
fn ulps(a: f64, b: f64, f32_width: bool) -> u64 {
    let key = |x: f64| -> i64 {
        if f32_width {
            let b = (x as f32).to_bits() as i32;
            i64::from(if b < 0 { i32::MIN.wrapping_sub(b) } else { b })
        } else {
            let b = x.to_bits() as i64;
            if b < 0 { i64::MIN.wrapping_sub(b) } else { b }
        }
    };
    key(a).abs_diff(key(b))
}

fn compare(id: &str, got: &Array, want: &Value) -> Result<(), String> {
    let dtype = want.get("dtype").and_then(Value::as_str).unwrap_or("?");
    if got.dtype.name() != dtype {
        return Err(format!("dtype {} (want {dtype})", got.dtype));
    }
    let shape: Vec<usize> = want["shape"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_u64)
                .map(|n| n as usize)
                .collect()
        })
        .unwrap_or_default();
    if got.shape != shape {
        return Err(format!("shape {:?} (want {shape:?})", got.shape));
    }
    let data = want["data"].as_array().cloned().unwrap_or_default();
    if data.len() != got.data.len() {
        return Err(format!("{} elements (want {})", got.data.len(), data.len()));
    }
    let zero_sign_free = ["maximum", "minimum", "fmax", "fmin", "clip", "max", "min"]
        .iter()
        .any(|p| id.starts_with(&format!("{p}/")));
    let mut bad = Vec::new();
    for (k, w) in data.iter().enumerate() {
        let g = got.data.get(k);
        let ok = if got.dtype.is_float() {
            let (gv, wv) = (g.to_f64(), float_of(w).unwrap_or(f64::NAN));
            if gv.is_nan() || wv.is_nan() {
                gv.is_nan() && wv.is_nan()
            } else if wv == 0.0 && gv == 0.0 {
                zero_sign_free || gv.is_sign_negative() == wv.is_sign_negative()
            } else {
                ulps(gv, wv, got.dtype == DType::F32) <= ULPS
            }
        } else if got.dtype == DType::Bool {
            Some(g.is_truthy()) == w.as_bool()
        } else {
            Some(g.to_i128()) == int_of(w)
        };
        if !ok {
            bad.push(format!("[{k}] got {g} want {w}"));
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        let n = bad.len();
        bad.truncate(4);
        Err(format!("{n} values differ: {}", bad.join(", ")))
    }
}

#[test]
fn numpy_conformance() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/conformance.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!(
            "skipping: {} not found (run tests/conformance/gen.py)",
            path.display()
        );
        return;
    };
    let engine = Engine::new();
    let (mut pass, mut fail) = (0usize, Vec::new());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("valid JSON line");
        let id = case["id"].as_str().unwrap_or("?").to_string();
        let expr = case["expr"].as_str().unwrap_or("").to_string();
        let mut owned: Vec<(String, Owned)> = Vec::new();
        let mut unreadable = false;
        if let Some(obj) = case["inputs"].as_object() {
            for (name, v) in obj {
                match parse_input(v) {
                    Some(o) => owned.push((name.clone(), o)),
                    None => unreadable = true,
                }
            }
        }
        if unreadable {
            fail.push(format!("{id}: `{expr}`: unreadable inputs"));
            continue;
        }
        let inputs: Vec<(&str, Input<'_>)> = owned
            .iter()
            .map(|(n, o)| {
                let input = match o {
                    Owned::Array(b, shape) => Input::Array {
                        data: b.as_ref(),
                        shape,
                    },
                    Owned::Scalar(s) => *s,
                };
                (n.as_str(), input)
            })
            .collect();
        let got = engine.evaluate(&expr, &inputs, Some(1));
        let want = &case["expect"];
        let verdict = match (got, want.get("error").and_then(Value::as_str)) {
            (Err(e), Some(kind)) if e.kind.name() == kind => Ok(()),
            (Err(e), Some(kind)) => Err(format!(
                "error {}: {} (want {kind})",
                e.kind.name(),
                e.message
            )),
            (Err(e), None) => Err(format!("error {}: {}", e.kind.name(), e.message)),
            (Ok(a), Some(kind)) => Err(format!("got {} {:?} (want {kind})", a.dtype, a.shape)),
            (Ok(a), None) => compare(&id, &a, want),
        };
        match verdict {
            Ok(()) => pass += 1,
            Err(m) => fail.push(format!("{id}: `{expr}`: {m}")),
        }
    }
    let mut report = String::new();
    let _ = writeln!(report, "conformance: {pass} passed, {} failed", fail.len());
    for f in &fail {
        let _ = writeln!(report, "  {f}");
    }
    eprintln!("{report}");
    assert!(fail.is_empty(), "{report}");
}
