//! The table of vmath imports (`back::wasm::VMATH_IMPORTS`), which the engine's wasm
//! exports are made from, checked against the generator: every name is
//! `nw_vmath_<op>_<f64|f32>` and unique, a program using an entry's operation imports
//! exactly that name with the entry's signature and agrees with the executor, and every
//! float operation compiles (through an import or inline). That the wasm build exports
//! every name is checked on the built module by `tests/node/vmath_exports.test.mjs`.

use numwasm::back::wasm::{self, VMATH_IMPORTS, VmathImport, VmathOp};
use numwasm::kir::exec::Value;
use numwasm::kir::{Expr, Function, Program, Stmt, Ty};
use numwasm::syntax::Span;
use numwasm::types::{BinaryOp, DType, Scalar, UnaryOp, binary_signature, unary_signature};
use wasmparser::{Parser, Payload, TypeRef, ValType};

use crate::harness;

const UNARY: [UnaryOp; 37] = [
    UnaryOp::Neg,
    UnaryOp::Invert,
    UnaryOp::Abs,
    UnaryOp::Sqrt,
    UnaryOp::Sin,
    UnaryOp::Cos,
    UnaryOp::Tan,
    UnaryOp::Arcsin,
    UnaryOp::Arccos,
    UnaryOp::Arctan,
    UnaryOp::Sinh,
    UnaryOp::Cosh,
    UnaryOp::Tanh,
    UnaryOp::Arcsinh,
    UnaryOp::Arccosh,
    UnaryOp::Arctanh,
    UnaryOp::Log,
    UnaryOp::Log1p,
    UnaryOp::Log10,
    UnaryOp::Log2,
    UnaryOp::Exp,
    UnaryOp::Exp2,
    UnaryOp::Expm1,
    UnaryOp::Cbrt,
    UnaryOp::Ceil,
    UnaryOp::Floor,
    UnaryOp::Trunc,
    UnaryOp::Rint,
    UnaryOp::Sign,
    UnaryOp::IsNan,
    UnaryOp::IsFinite,
    UnaryOp::IsInf,
    UnaryOp::Signbit,
    UnaryOp::Square,
    UnaryOp::Reciprocal,
    UnaryOp::One,
    UnaryOp::Zero,
];

const BINARY: [BinaryOp; 27] = [
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::TrueDiv,
    BinaryOp::FloorDiv,
    BinaryOp::Mod,
    BinaryOp::Pow,
    BinaryOp::Shl,
    BinaryOp::Shr,
    BinaryOp::And,
    BinaryOp::Or,
    BinaryOp::Xor,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::Ge,
    BinaryOp::Gt,
    BinaryOp::Maximum,
    BinaryOp::Minimum,
    BinaryOp::Fmax,
    BinaryOp::Fmin,
    BinaryOp::Fmod,
    BinaryOp::Arctan2,
    BinaryOp::Hypot,
    BinaryOp::Nextafter,
    BinaryOp::Copysign,
];

fn sp(k: u32) -> Span {
    Span {
        start: k,
        end: k + 1,
    }
}

/// `fn f(x: d[, y: d]) -> result { return <op> }`, the second operand a constant `k`
/// when given.
fn program(d: DType, result: DType, arity: usize, k: Option<Scalar>, op: VmathOp) -> Program {
    let mut f = Function::new("f", Ty::Scalar(result));
    let t = Ty::Scalar(d);
    let x = f.param("x", t.clone());
    let ex = f.expr(Expr::Local(x), t.clone(), sp(1));
    let ey = (arity == 2).then(|| {
        if let Some(k) = k {
            f.expr(Expr::Const(k), t.clone(), sp(2))
        } else {
            let y = f.param("y", t.clone());
            f.expr(Expr::Local(y), t.clone(), sp(2))
        }
    });
    let e = match (op, ey) {
        (VmathOp::Unary(u), _) => Expr::Unary(u, ex),
        (VmathOp::Binary(b), Some(ey)) => Expr::Binary(b, ex, ey),
        (VmathOp::PowConst, Some(ey)) => Expr::Binary(BinaryOp::Pow, ex, ey),
        _ => panic!("{op:?} with {arity} operands"),
    };
    let r = f.expr(e, Ty::Scalar(result), sp(3));
    f.body = vec![Stmt::Return(Some(r))];
    let mut p = Program::default();
    p.add(f);
    p
}

/// A module's function imports from the vmath module, with their signatures.
fn imports(bytes: &[u8]) -> Vec<(String, Vec<ValType>, Vec<ValType>)> {
    let mut types = Vec::new();
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.expect("a well-formed module") {
            Payload::TypeSection(section) => {
                for ty in section.into_iter_err_on_gc_types() {
                    let ty = ty.expect("a function type");
                    types.push((ty.params().to_vec(), ty.results().to_vec()));
                }
            }
            Payload::ImportSection(section) => {
                for import in section.into_imports() {
                    let import = import.expect("an import");
                    if import.module != wasm::VMATH_MODULE {
                        continue;
                    }
                    let TypeRef::Func(t) = import.ty else {
                        panic!("{} is not a function", import.name);
                    };
                    let (params, results) = types[t as usize].clone();
                    out.push((import.name.to_owned(), params, results));
                }
            }
            _ => {}
        }
    }
    out
}

fn wasm_type(d: DType) -> ValType {
    if d == DType::F64 {
        ValType::F64
    } else {
        ValType::F32
    }
}

fn expected_name(f: &VmathImport) -> String {
    let op = match f.op {
        VmathOp::Unary(u) => u.name(),
        VmathOp::Binary(b) => b.name(),
        VmathOp::PowConst => "pow_const",
    };
    let t = if f.dtype == DType::F64 { "f64" } else { "f32" };
    let lanes = if f.lanes == 1 {
        String::new()
    } else {
        f.lanes.to_string()
    };
    format!("nw_vmath{lanes}_{op}_{t}")
}

#[test]
fn the_table_names_each_function_once_by_its_operation_and_dtype() {
    for (i, f) in VMATH_IMPORTS.iter().enumerate() {
        assert_eq!(f.name, expected_name(f));
        assert!(f.dtype.is_float(), "{f:?}");
        assert!(
            VMATH_IMPORTS[..i]
                .iter()
                .all(|g| g.name != f.name && (g.op, g.dtype, g.lanes) != (f.op, f.dtype, f.lanes)),
            "{} twice",
            f.name
        );
        // Each operation in both float dtypes, one element and one vector at a time.
        let other = if f.dtype == DType::F64 {
            DType::F32
        } else {
            DType::F64
        };
        assert!(wasm::vmath::find(f.op, other).is_some(), "{f:?}");
        assert!(wasm::vmath::find_lanes(f.op, other).is_some(), "{f:?}");
        assert!(wasm::vmath::find_lanes(f.op, f.dtype).is_some(), "{f:?}");
        let (params, results) = f.signature();
        assert_eq!(params.len(), f.arity());
        assert_eq!(results.len(), 1);
        let t = wasm::val_type(f.dtype);
        if f.lanes == 1 {
            assert!(params.iter().chain(&results).all(|&p| p == t));
        } else {
            assert_eq!(f.lanes, 16 / f.dtype.size() as u32, "{f:?}");
            // A vector in and out; the constant power's exponent stays one scalar.
            let v = wasm_encoder::ValType::V128;
            assert_eq!(results, [v]);
            assert_eq!(params[0], v);
            let second = if f.op == VmathOp::PowConst { t } else { v };
            assert!(params[1..].iter().all(|&p| p == second), "{f:?}");
        }
    }
}

/// A program using an entry's operation imports exactly that function, with the table's
/// signature, and computes what the executor computes.
#[test]
fn each_entry_is_what_the_generator_imports_for_its_operation() {
    let values = [
        1.5,
        -0.0,
        0.5,
        -2.5,
        3.0,
        1e300,
        5e-324,
        f64::INFINITY,
        f64::NAN,
    ];
    for f in VMATH_IMPORTS.iter().filter(|f| f.lanes == 1) {
        let d = f.dtype;
        let k = (f.op == VmathOp::PowConst).then_some(Scalar::F64(3.0).cast(d));
        let p = program(d, d, f.arity(), k, f.op);
        let m = harness::compile(&p).unwrap_or_else(|u| panic!("{}: {u}", f.name));
        let t = wasm_type(d);
        assert_eq!(
            imports(&m.bytes),
            [(f.name.to_owned(), vec![t; f.arity()], vec![t])],
            "{p}"
        );
        for &x in &values {
            let x = Value::Scalar(Scalar::F64(x).cast(d));
            if f.arity() == 1 || k.is_some() {
                harness::differential(&p, &[x]);
            } else {
                for &y in &values {
                    let y = Value::Scalar(Scalar::F64(y).cast(d));
                    harness::differential(&p, &[x.clone(), y]);
                }
            }
        }
    }
}

/// Every unary and binary operation compiles on the float dtypes it computes in: what
/// wasm has no instruction for is in the table, and nothing else is imported.
#[test]
fn every_float_operation_compiles() {
    for d in [DType::F64, DType::F32] {
        let ops = UNARY
            .iter()
            .filter(|&&op| matches!(unary_signature(op, d), Ok((c, _)) if c == d))
            .map(|&op| {
                (
                    VmathOp::Unary(op),
                    if op.is_predicate() { DType::Bool } else { d },
                    1,
                )
            })
            .chain(
                BINARY
                    .iter()
                    .filter(|&&op| matches!(binary_signature(op, d), Ok((c, _)) if c == d))
                    .map(|&op| {
                        let result = if op.is_comparison() { DType::Bool } else { d };
                        (VmathOp::Binary(op), result, 2)
                    }),
            );
        for (op, result, arity) in ops {
            let p = program(d, result, arity, None, op);
            let m = harness::compile(&p).unwrap_or_else(|u| panic!("{op:?} on {d}: {u}"));
            let imported: Vec<String> = imports(&m.bytes).into_iter().map(|i| i.0).collect();
            match wasm::vmath::find(op, d) {
                Some(k) => assert_eq!(imported, [VMATH_IMPORTS[k].name]),
                None => assert!(imported.is_empty(), "{op:?} on {d} imports {imported:?}"),
            }
        }
    }
}
