//! `back::wasm::to_text`, the printer behind `inspect`'s wasm panel, held to wasmprinter
//! (it must print the same text) and wat (which must read the text back to the same
//! module). [`check`] runs on every module the other tests generate, as
//! `harness::validate` calls it; here: every instruction by opcode, the SIMD opcodes it has
//! no name for, malformed modules, every prefix of real modules, random bit flips, and
//! `inspect` itself.

use std::collections::BTreeSet;
use std::sync::{Mutex, PoisonError};

use numwasm::api::{Array, KernelArg, Kernels};
use numwasm::back::wasm::{self, Options};
use numwasm::front::numba::Module;
use numwasm::kir::Ty;
use numwasm::kir::exec::{self, ArrayValue, Value};
use numwasm::types::{Buffer, DType, Scalar};
use wasm_encoder::{
    CodeSection, ConstExpr, Encode, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, ImportSection, MemoryType, TypeSection, ValType,
};
use wasmparser::Payload;

use crate::common::{Rng, snapshot::line_diff};

/// `to_text` prints `bytes` exactly as wasmprinter does, and wat reads the text back to
/// the same module: the same sections byte for byte, custom sections aside, with each
/// function's locals compared one by one (the generator declares each local on its own,
/// wat groups runs of one type). Each distinct module is checked once: the tests compile
/// about a hundred times as many modules as there are distinct ones.
pub fn check(bytes: &[u8]) {
    static CHECKED: Mutex<BTreeSet<Vec<u8>>> = Mutex::new(BTreeSet::new());
    let checked = || CHECKED.lock().unwrap_or_else(PoisonError::into_inner);
    if checked().contains(bytes) {
        return;
    }
    let want = wasmprinter::print_bytes(bytes).expect("wasmprinter prints the module");
    let text = wasm::to_text(bytes).unwrap_or_else(|e| panic!("{e}\n{want}"));
    assert!(
        text == want,
        "to_text (-) and wasmprinter (+) differ:\n{}",
        line_diff(&text, &want)
    );
    let back = wat::parse_str(&text).unwrap_or_else(|e| panic!("wat does not read it: {e}"));
    assert_eq!(parts(&back), parts(bytes), "wat reads back another module");
    checked().insert(bytes.to_vec());
}

/// A module's sections, custom ones left out, and its function bodies with their locals
/// one by one.
#[derive(Debug, PartialEq)]
enum Part<'a> {
    Section(u8, &'a [u8]),
    Body(Vec<wasmparser::ValType>, &'a [u8]),
}

fn parts(bytes: &[u8]) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    for payload in wasmparser::Parser::new(0).parse_all(bytes) {
        match payload.expect("wasmparser reads the module") {
            Payload::CodeSectionEntry(body) => {
                let mut locals = Vec::new();
                for local in body.get_locals_reader().expect("locals") {
                    let (n, t) = local.expect("a local");
                    locals.extend(std::iter::repeat_n(t, n as usize));
                }
                let ops = body.get_operators_reader().expect("code");
                let (start, end) = (ops.original_position(), body.range().end);
                parts.push(Part::Body(locals, &bytes[start as usize..end as usize]));
            }
            Payload::CustomSection(_) | Payload::CodeSectionStart { .. } => {}
            other => {
                if let Some((id, range)) = other.as_section() {
                    let (start, end) = (range.start as usize, range.end as usize);
                    parts.push(Part::Section(id, &bytes[start..end]));
                }
            }
        }
    }
    parts
}

/// A module shaped like the generator's, around one function whose code is `code` (its
/// closing `end` included) and which has an `i32` and two `v128` locals.
fn module(code: &[u8]) -> Vec<u8> {
    let mut f = Function::new([(1, ValType::I32), (2, ValType::V128)]);
    f.raw(code.iter().copied());
    module_with(&f)
}

/// A module around `f`: types `(i32) -> i32`, `()` and `(f64) -> f64`, the shared memory
/// and a function imported, a mutable global, exports of the function and the global.
fn module_with(f: &Function) -> Vec<u8> {
    let mut types = TypeSection::new();
    types.ty().function([ValType::I32], [ValType::I32]);
    types.ty().function([], []);
    types.ty().function([ValType::F64], [ValType::F64]);
    let mut imports = ImportSection::new();
    imports.import(
        "env",
        "memory",
        EntityType::Memory(MemoryType {
            minimum: 1,
            maximum: Some(65536),
            memory64: false,
            shared: true,
            page_size_log2: None,
        }),
    );
    imports.import("numwasm", "nw_vmath_exp_f64", EntityType::Function(2));
    let mut functions = FunctionSection::new();
    functions.function(0);
    let mut globals = GlobalSection::new();
    let ty = GlobalType {
        val_type: ValType::I64,
        mutable: true,
        shared: false,
    };
    globals.global(ty, &ConstExpr::i64_const(-7));
    let mut exports = ExportSection::new();
    exports.export("f0", ExportKind::Func, 1);
    exports.export("error \"\u{e9}\"", ExportKind::Global, 0);
    let mut bodies = CodeSection::new();
    bodies.function(f);
    let mut m = wasm_encoder::Module::new();
    m.section(&types)
        .section(&imports)
        .section(&functions)
        .section(&globals)
        .section(&exports)
        .section(&bodies);
    m.finish()
}

fn leb(v: impl Encode) -> Vec<u8> {
    let mut b = Vec::new();
    v.encode(&mut b);
    b
}

/// Every instruction outside SIMD that the printer names, with the immediates that
/// exercise its printing: each kind of block type, branches to blocks and to the
/// function, memory arguments with and without an offset and their natural alignment,
/// and the constants whose text is special (signed extremes, zeros, infinities, NaNs with
/// and without a payload, subnormals).
fn every_instruction() -> Vec<u8> {
    let mut c = vec![0x00, 0x01];
    // block, loop (result i32), if (type 1) ... else ... end, with branches.
    c.extend([0x02, 0x40, 0x03, 0x7f, 0x20, 0x00, 0x04, 0x01]);
    c.extend([0x0c, 0x00, 0x0c, 0x02, 0x0c, 0x03, 0x0d, 0x01, 0x05]);
    c.extend([0x0e, 0x03, 0x00, 0x01, 0x02, 0x03, 0x0f, 0x0b, 0x0b, 0x0b]);
    c.extend([0x10, 0x00, 0x10, 0x01, 0x1a, 0x1b, 0x1c, 0x01, 0x7e]);
    c.extend([0x20, 0x00, 0x21, 0x01, 0x22, 0x02, 0x23, 0x00, 0x24, 0x00]);
    for op in 0x28..=0x3e {
        c.extend([op, 0x00, 0x00, op, 0x03, 0x80, 0x01, op, 0x02, 0x10]);
    }
    c.extend([0x3f, 0x00, 0x40, 0x00]);
    for v in [0, -1, 63, 64, i32::MIN, i32::MAX] {
        c.push(0x41);
        c.extend(leb(v));
    }
    for v in [0, -1, -65, 1 << 40, i64::MIN, i64::MAX] {
        c.push(0x42);
        c.extend(leb(v));
    }
    for bits in [
        0u32,
        0x8000_0000,
        0x3fc0_0000,
        0x4049_0fdb,
        0x7f80_0000,
        0xff80_0000,
        0x7fc0_0000,
        0xffc0_0000,
        0x7fa0_0001,
        0x0000_0001,
        0x007f_ffff,
        0x7f7f_ffff,
        0x0080_0000,
    ] {
        c.push(0x43);
        c.extend(bits.to_le_bytes());
    }
    for bits in [
        0u64,
        0x8000_0000_0000_0000,
        0x3ff8_0000_0000_0000,
        0x4009_21fb_5444_2d18,
        0x7ff0_0000_0000_0000,
        0xfff0_0000_0000_0000,
        0x7ff8_0000_0000_0000,
        0x7ff0_0000_0000_0001,
        0xfff8_0000_0000_0abc,
        0x0000_0000_0000_0001,
        0x000f_ffff_ffff_ffff,
        0x7fef_ffff_ffff_ffff,
        0x3cb0_0000_0000_0000,
        0x7e37_e43c_8800_759c,
    ] {
        c.push(0x44);
        c.extend(bits.to_le_bytes());
    }
    c.extend(0x45..=0xc4);
    for sub in 0..=7 {
        c.extend([0xfc, sub]);
    }
    c.extend([0xfc, 10, 0, 0, 0xfc, 11, 0, 0x0b]);
    c
}

/// SIMD instruction `sub` with immediates of the shape its opcode takes, by the
/// proposal's table.
fn simd(sub: u32) -> Vec<u8> {
    let mut c = vec![0xfd];
    c.extend(leb(sub));
    match sub {
        0..=11 | 92 | 93 => c.extend([0x01, 0x10]),
        84..=91 => c.extend([0x00, 0x08, 0x01]),
        12 => c.extend((0..16).map(|i| 0x11 * i)),
        13 => c.extend((0..16).rev()),
        21..=34 => c.push(1),
        _ => {}
    }
    c
}

#[test]
fn every_instruction_prints_as_wasmprinter_prints_it() {
    check(&module(&every_instruction()));
}

#[test]
fn every_simd_opcode_prints_or_is_a_comment() {
    let mut known = 0;
    for sub in 0..300 {
        let mut code = simd(sub);
        code.push(0x0b);
        let m = module(&code);
        if wasmprinter::print_bytes(&m).is_ok() {
            check(&m);
            known += 1;
        } else {
            let text = wasm::to_text(&m).expect("an unknown SIMD opcode prints");
            assert!(
                text.contains(&format!("\n    ;; unknown opcode 0xfd {sub}\n  )")),
                "{text}"
            );
        }
    }
    // SIMD's 236 opcodes and relaxed SIMD's 20.
    assert_eq!(known, 256);
}

/// Malformed modules, each with the start of its error.
#[test]
fn malformed_modules_are_errors() {
    let header = b"\0asm\x01\0\0\0".to_vec();
    let with = |tail: &[u8]| [header.clone(), tail.to_vec()].concat();
    let body = |code: &[u8]| module(&[code, &[0x0b]].concat());
    let mut unsorted = module(&[0x0b]);
    unsorted.extend([1, 1, 0]);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (Vec::new(), "not a WebAssembly module"),
        (b"\0asm\x02\0\0\0".to_vec(), "not a WebAssembly module"),
        (with(&[11, 1, 0]), "at byte 10: section 11, which"),
        (
            with(&[1, 2, 1, 0x5f]),
            "at byte 11: a type that is not a function type",
        ),
        (
            with(&[1, 5, 1, 0x60, 1, 0x70, 0]),
            "at byte 13: value type 0x70",
        ),
        (
            with(&[1, 0x80, 0x80, 0x80, 0x80, 0x10]),
            "at byte 9: a number over 32 bits",
        ),
        (
            with(&[1, 3, 0xff, 0x0f, 0]),
            "at byte 10: 2047 items in 1 bytes",
        ),
        (with(&[1, 9, 0]), "at byte 10: 9 bytes wanted, 1 left"),
        (with(&[1, 2, 0, 0]), "at byte 11: 1 bytes left over"),
        (with(&[3, 2, 1, 0]), "at byte 11: type 0 does not exist"),
        (
            with(&[2, 7, 1, 0, 1, 0xc3, 0, 0, 0]),
            "at byte 13: a name that is not UTF-8",
        ),
        (
            with(&[2, 5, 1, 0, 0, 1, 0]),
            "at byte 13: an import of kind 1",
        ),
        (
            with(&[2, 6, 1, 0, 0, 2, 7, 1]),
            "at byte 14: memory flags 0x7",
        ),
        (unsorted, "section 1 after section 10"),
        (body(&[0x06]), "unknown opcode 0x06"),
        (body(&[0xfe, 0x00]), "unknown opcode 0xfe"),
        (body(&[0xfc, 0x08, 0, 0]), "unknown opcode 0xfc 8"),
        (body(&[0x0c, 0x01]), "a branch out of 1 blocks inside 0"),
        (body(&[0x0b, 0x01]), "code after the function's end"),
        (body(&[0x05]), "else outside a block"),
        (body(&[0x02, 0x40]), "unexpected end"),
        (body(&[0x28, 0x40, 0x00, 0x00]), "memory access flags 0x40"),
        (body(&[0x3f, 0x01]), "memory 1"),
        (body(&[0x02, 0x05]), "type 5 does not exist"),
        (
            body(&[0x1c, 0x02, 0x7f, 0x7f]),
            "a typed select of other than one type",
        ),
        (
            body(&[0x41, 0x80, 0x80, 0x80, 0x80, 0x70]),
            "a number over 32 bits",
        ),
    ];
    for (bytes, want) in cases {
        match wasm::to_text(&bytes) {
            Ok(text) => panic!("no error ({want}) for {bytes:?}:\n{text}"),
            Err(e) => assert!(e.contains(want), "`{e}` is not `{want}` for {bytes:?}"),
        }
    }
    // A function that declares more locals than wasmparser allows.
    let mut f = Function::new([(50_001, ValType::I32)]);
    f.instruction(&wasm_encoder::Instruction::End);
    let e = wasm::to_text(&module_with(&f)).expect_err("too many locals");
    assert!(e.contains("more than 50000 locals"), "{e}");
}

const KERNELS: &str = r#"
import math
from numba import njit

@njit
def half(x):
    if x > 0:
        return x * 0.5
    return -x

@njit
def mix(a, n):
    t = 0.0
    for i in range(n):
        x = a[i % len(a)]
        if x < 0.0:
            continue
        t += math.exp(-x) + half(x) ** 2
        if t > 1e300:
            break
    return t
"#;

fn mix_args() -> Vec<Value> {
    vec![
        Value::Array(ArrayValue::from_buffer(
            Buffer::F64(vec![1.0, -2.0, 3.5]),
            vec![3],
        )),
        Value::Scalar(Scalar::I64(7)),
    ]
}

/// The module `mix` compiles to, with memory shared or not.
fn mix_module(shared_memory: bool) -> wasm::Module {
    let m = Module::parse(KERNELS).unwrap_or_else(|e| panic!("{e:?}"));
    let tys: Vec<Ty> = mix_args().iter().map(exec::type_of).collect();
    let p = m.compile("mix", &tys).unwrap_or_else(|e| panic!("{e:?}"));
    wasm::compile_with(&p, Options { shared_memory }).expect("mix compiles")
}

/// Every prefix of a real module is an error, except one that ends between sections
/// before the functions are declared (their bodies come last); none panics.
#[test]
fn every_prefix_is_an_error_or_whole_sections() {
    for shared in [true, false] {
        let bytes = mix_module(shared).bytes;
        let mut ends = vec![8];
        let mut functions_at = 0;
        for payload in wasmparser::Parser::new(0).parse_all(&bytes) {
            if let Some((id, range)) = payload.expect("a valid module").as_section() {
                ends.push(range.end as usize);
                if id == 3 {
                    functions_at = range.start as usize;
                }
            }
        }
        for n in 0..bytes.len() {
            let printed = wasm::to_text(&bytes[..n]);
            let whole = ends.contains(&n) && n < functions_at;
            assert_eq!(printed.is_ok(), whole, "prefix of {n} bytes: {printed:?}");
            if let Ok(text) = printed {
                assert_eq!(
                    Ok(text),
                    wasmprinter::print_bytes(&bytes[..n]).map_err(drop)
                );
            }
        }
    }
}

/// A real module with random bits flipped prints as wasmprinter prints it or is an
/// error, and never panics. The printer refuses more than wasmprinter does (a branch out
/// of range, a type that does not exist, another memory); it skips custom sections,
/// which wasmprinter prints, so a flip that makes one is not compared.
#[test]
fn flipped_bits_print_as_wasmprinter_or_are_errors() {
    let bytes = mix_module(true).bytes;
    let mut rng = Rng::new(0x7e57);
    let (mut same, mut refused) = (0, 0);
    for _ in 0..3000 {
        let mut m = bytes.clone();
        for _ in 0..=rng.below(2) {
            let at = rng.below(m.len() as u64) as usize;
            m[at] ^= 1 << rng.below(8);
        }
        match (wasm::to_text(&m), wasmprinter::print_bytes(&m)) {
            (Ok(text), Ok(want)) if !want.contains("(@custom") => {
                assert!(text == want, "{m:?}:\n{}", line_diff(&text, &want));
                same += 1;
            }
            (Err(_), _) => refused += 1,
            _ => {}
        }
    }
    println!("of 3000 modules with bits flipped, {same} printed as wasmprinter, {refused} refused");
    // Flips in constants, indices and names still print; flips in opcodes and lengths
    // mostly do not.
    assert!(
        same > 300 && refused > 300,
        "{same} printed, {refused} refused"
    );
}

#[test]
fn inspect_shows_the_module_as_text() {
    let kernels = Kernels::new(KERNELS).unwrap_or_else(|e| panic!("{}", e.render(KERNELS)));
    let a = KernelArg::Array(Array {
        dtype: DType::F64,
        shape: vec![3],
        data: Buffer::F64(vec![1.0, -2.0, 3.5]),
    });
    let i = kernels
        .inspect_with(
            "mix",
            vec![a, KernelArg::Int(7)],
            Vec::new(),
            Some(&crate::harness::Inspector),
        )
        .unwrap_or_else(|e| panic!("{}", e.render(KERNELS)));
    let want = wasmprinter::print_bytes(mix_module(false).bytes).expect("printable");
    assert_eq!(i.wasm.as_deref(), Some(want.as_str()));
    assert!(
        want.contains("(import \"numwasm\" \"nw_vmath_exp_f64\" (func (;0;) (type "),
        "{want}"
    );
}
