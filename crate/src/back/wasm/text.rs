//! back::wasm::text: a generated module in the WebAssembly text format, for `inspect`
//! (the playground's wasm panel).
//!
//! ```text
//! bytes ──header──▶ sections: type, import, function, global, export, code ──▶ (module ...)
//! ```
//!
//! It decodes what [`super::compile_with`] writes (function types; imports of the
//! memory, shared or not, and of functions; mutable globals with a constant; exports;
//! code of the MVP instructions, the saturating truncations, sign extension,
//! `memory.copy`/`memory.fill` and SIMD) and prints it the way `wasmprinter` prints by
//! default: flat instructions indented by block depth, unnamed indices in `(;N;)`
//! comments, each block's label as `;; label = @N` and each branch's target as
//! `(;@N;)`, floats in hexadecimal with their value in a comment. A general printer adds
//! most of a megabyte to the shipped wasm for this one panel; this one knows only what
//! the generator writes.
//!
//! Custom sections are skipped. A SIMD opcode it has no name for (unassigned, or from a
//! proposal newer than relaxed SIMD) prints as a `;; unknown opcode 0xfd N` comment, and
//! decoding goes on as if it took no immediate: the panel still shows the rest, and were
//! there an immediate, what follows would most likely fail to decode. Any other byte it
//! does not understand is an `Err` that names its offset, never a panic or a hang: every
//! read is bounds-checked, LEB128 numbers are held to their widths, every count is
//! bounded by the bytes left, and a function declares at most [`MAX_LOCALS`] locals.

use std::fmt::{Display, Write};

/// The most locals a function may declare, as wasmparser counts them: a corrupt count
/// could otherwise ask for billions of lines of text.
const MAX_LOCALS: u64 = 50_000;

/// Indentation stops deepening here, as wasmprinter's does, so that blocks nested
/// thousands deep cannot make the text grow with the square of the module.
const MAX_INDENT: usize = 50;

/// The module `bytes` as text (WAT), or why it cannot be printed (with the offset of the
/// byte at fault).
///
/// ```
/// let bytes = [0, b'a', b's', b'm', 1, 0, 0, 0];
/// assert_eq!(numwasm::back::wasm::to_text(&bytes).unwrap(), "(module)\n");
/// assert!(numwasm::back::wasm::to_text(&bytes[..5]).is_err());
/// ```
pub fn to_text(bytes: &[u8]) -> Result<String, String> {
    let mut r = Reader {
        bytes,
        at: 0,
        end: bytes.len(),
    };
    if r.take(8).ok() != Some(b"\0asm\x01\0\0\0".as_slice()) {
        return Err("not a WebAssembly module (version 1)".to_owned());
    }
    let mut p = Printer::default();
    p.out.push_str("(module");
    let mut last = 0;
    while !r.done() {
        let id = r.byte()?;
        let len = r.u32()? as usize;
        let mut s = r.sub(len)?;
        // The sections read here have ids in their required order.
        if id != 0 && id <= last {
            return s.err(format_args!("section {id} after section {last}"));
        }
        match id {
            // Custom sections (names, producers) hold nothing the panel shows.
            0 => continue,
            1 => p.types(&mut s)?,
            2 => p.imports(&mut s)?,
            3 => p.functions(&mut s)?,
            6 => p.globals(&mut s)?,
            7 => p.exports(&mut s)?,
            10 => p.code(&mut s)?,
            _ => {
                return s.err(format_args!(
                    "section {id}, which back::wasm does not write"
                ));
            }
        }
        s.finished()?;
        last = id;
    }
    let defined = p.funcs.len() - p.imported;
    if p.bodies != defined {
        return r.err(format_args!("{defined} functions but {} bodies", p.bodies));
    }
    p.out.push_str(if p.out.len() > "(module".len() {
        "\n)\n"
    } else {
        ")\n"
    });
    Ok(p.out)
}

/// A function type: parameter and result types.
type Signature = (Vec<&'static str>, Vec<&'static str>);

/// What has been printed so far and what later sections refer to.
#[derive(Default)]
struct Printer {
    out: String,
    types: Vec<Signature>,
    /// The type of every function, the imported ones first.
    funcs: Vec<u32>,
    imported: usize,
    memories: u32,
    globals: u32,
    /// The function bodies printed.
    bodies: usize,
}

impl Printer {
    /// A new line indented `depth` levels.
    fn line(&mut self, depth: usize) {
        self.out.push('\n');
        for _ in 0..depth.min(MAX_INDENT) {
            self.out.push_str("  ");
        }
    }

    fn types(&mut self, r: &mut Reader) -> Result<(), String> {
        for i in 0..r.count()? {
            if r.byte()? != 0x60 {
                return r.last("a type that is not a function type");
            }
            let sig = (r.valtypes()?, r.valtypes()?);
            self.line(1);
            let _ = write!(self.out, "(type (;{i};) (func");
            signature(&mut self.out, &sig);
            self.out.push_str("))");
            self.types.push(sig);
        }
        Ok(())
    }

    fn imports(&mut self, r: &mut Reader) -> Result<(), String> {
        for _ in 0..r.count()? {
            let (module, name) = (r.name()?, r.name()?);
            self.line(1);
            self.out.push_str("(import ");
            string(&mut self.out, module);
            self.out.push(' ');
            string(&mut self.out, name);
            match r.byte()? {
                0 => {
                    let at = r.at;
                    let t = r.u32()?;
                    let _ = write!(self.out, " (func (;{};) ", self.funcs.len());
                    type_use(&mut self.out, &self.types, t, at)?;
                    self.funcs.push(t);
                }
                2 => {
                    let flags = r.byte()?;
                    if flags > 3 {
                        return r.last(format_args!("memory flags {flags:#x}"));
                    }
                    let _ = write!(self.out, " (memory (;{};) {}", self.memories, r.u32()?);
                    if flags & 1 != 0 {
                        let _ = write!(self.out, " {}", r.u32()?);
                    }
                    if flags & 2 != 0 {
                        self.out.push_str(" shared");
                    }
                    self.memories += 1;
                }
                k => return r.last(format_args!("an import of kind {k}")),
            }
            self.out.push_str("))");
        }
        self.imported = self.funcs.len();
        Ok(())
    }

    fn functions(&mut self, r: &mut Reader) -> Result<(), String> {
        for _ in 0..r.count()? {
            let at = r.at;
            let t = r.u32()?;
            if t as usize >= self.types.len() {
                return fail(at, format_args!("type {t} does not exist"));
            }
            self.funcs.push(t);
        }
        Ok(())
    }

    fn globals(&mut self, r: &mut Reader) -> Result<(), String> {
        for _ in 0..r.count()? {
            let t = r.valtype()?;
            self.line(1);
            let _ = write!(self.out, "(global (;{};) ", self.globals);
            match r.byte()? {
                0 => self.out.push_str(t),
                1 => {
                    let _ = write!(self.out, "(mut {t})");
                }
                m => return r.last(format_args!("global mutability {m}")),
            }
            self.out.push(' ');
            // A constant initializer: one constant or global.get, then `end`.
            if !matches!(r.peek()?, 0x23 | 0x41..=0x44) {
                return r.err("an initializer that is not a constant");
            }
            op(r, 0, &mut self.out)?;
            if r.byte()? != 0x0b {
                return r.last("an initializer of more than one instruction");
            }
            self.out.push(')');
            self.globals += 1;
        }
        Ok(())
    }

    fn exports(&mut self, r: &mut Reader) -> Result<(), String> {
        for _ in 0..r.count()? {
            let name = r.name()?;
            self.line(1);
            self.out.push_str("(export ");
            string(&mut self.out, name);
            let kind = match r.byte()? {
                0 => "func",
                2 => "memory",
                3 => "global",
                k => return r.last(format_args!("an export of kind {k}")),
            };
            let _ = write!(self.out, " ({kind} {}))", r.u32()?);
        }
        Ok(())
    }

    fn code(&mut self, r: &mut Reader) -> Result<(), String> {
        let at = r.at;
        let n = r.count()?;
        let defined = self.funcs.len() - self.imported;
        if n as usize != defined {
            return fail(at, format_args!("{n} bodies for {defined} functions"));
        }
        for _ in 0..n {
            let size = r.u32()? as usize;
            let mut body = r.sub(size)?;
            self.body(&mut body)?;
        }
        Ok(())
    }

    /// One function: its header, its locals, and its instructions, one a line.
    fn body(&mut self, r: &mut Reader) -> Result<(), String> {
        let index = self.imported + self.bodies;
        self.line(1);
        let _ = write!(self.out, "(func (;{index};) ");
        type_use(&mut self.out, &self.types, self.funcs[index], r.at)?;
        let header = self.out.len();
        let mut locals = 0u64;
        for _ in 0..r.count()? {
            let at = r.at;
            let (n, t) = (r.u32()?, r.valtype()?);
            locals += u64::from(n);
            if locals > MAX_LOCALS {
                return fail(at, format_args!("more than {MAX_LOCALS} locals"));
            }
            for _ in 0..n {
                if self.out.len() == header {
                    self.line(2);
                    self.out.push_str("(local");
                }
                self.out.push(' ');
                self.out.push_str(t);
            }
        }
        if self.out.len() > header {
            self.out.push(')');
        }
        // The open blocks; the function's own `end` closes at depth 0 and must be last.
        let mut depth = 0;
        loop {
            match r.peek()? {
                0x0b => {
                    r.byte()?;
                    if depth == 0 {
                        if !r.done() {
                            return r.last("code after the function's end");
                        }
                        break;
                    }
                    depth -= 1;
                    self.line(2 + depth);
                    self.out.push_str("end");
                }
                0x05 => {
                    r.byte()?;
                    if depth == 0 {
                        return r.last("else outside a block");
                    }
                    self.line(1 + depth);
                    self.out.push_str("else");
                }
                code @ 0x02..=0x04 => {
                    r.byte()?;
                    self.line(2 + depth);
                    depth += 1;
                    self.out
                        .push_str(["block", "loop", "if"][usize::from(code - 2)]);
                    self.block_type(r)?;
                    let _ = write!(self.out, " ;; label = @{depth}");
                }
                _ => {
                    self.line(2 + depth);
                    op(r, depth, &mut self.out)?;
                }
            }
        }
        if self.out.len() > header {
            self.line(1);
        }
        self.out.push(')');
        self.bodies += 1;
        Ok(())
    }

    /// A block's type: nothing, one result, or a function type by index.
    fn block_type(&mut self, r: &mut Reader) -> Result<(), String> {
        match r.peek()? {
            0x40 => {
                r.byte()?;
            }
            b if b & 0xc0 == 0x40 => {
                let _ = write!(self.out, " (result {})", r.valtype()?);
            }
            _ => {
                let at = r.at;
                let t = u32::try_from(r.leb(33, true)?).unwrap_or(u32::MAX);
                self.out.push(' ');
                type_use(&mut self.out, &self.types, t, at)?;
            }
        }
        Ok(())
    }
}

/// ` (param ...) (result ...)`, each group only when it has a type.
fn signature(out: &mut String, (params, results): &Signature) {
    for (group, types) in [("param", params), ("result", results)] {
        if !types.is_empty() {
            let _ = write!(out, " ({group}");
            for t in types {
                out.push(' ');
                out.push_str(t);
            }
            out.push(')');
        }
    }
}

/// `(type N)` and the type's signature.
fn type_use(out: &mut String, types: &[Signature], t: u32, at: usize) -> Result<(), String> {
    let Some(sig) = types.get(t as usize) else {
        return fail(at, format_args!("type {t} does not exist"));
    };
    let _ = write!(out, "(type {t})");
    signature(out, sig);
    Ok(())
}

/// A quoted name: printable ASCII as it is, other characters as `\u{..}` escapes.
fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        if (' '..='~').contains(&c) && c != '"' && c != '\\' {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
    out.push('"');
}

const CMP: [&str; 11] = [
    "eqz", "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
];
const FCMP: [&str; 6] = ["eq", "ne", "lt", "gt", "le", "ge"];
const IARITH: [&str; 18] = [
    "clz", "ctz", "popcnt", "add", "sub", "mul", "div_s", "div_u", "rem_s", "rem_u", "and", "or",
    "xor", "shl", "shr_s", "shr_u", "rotl", "rotr",
];
const FARITH: [&str; 14] = [
    "abs", "neg", "ceil", "floor", "trunc", "nearest", "sqrt", "add", "sub", "mul", "div", "min",
    "max", "copysign",
];
/// Opcodes 0xa7 to 0xc4: conversions and sign extension.
const CONVERT: [&str; 30] = [
    "i32.wrap_i64",
    "i32.trunc_f32_s",
    "i32.trunc_f32_u",
    "i32.trunc_f64_s",
    "i32.trunc_f64_u",
    "i64.extend_i32_s",
    "i64.extend_i32_u",
    "i64.trunc_f32_s",
    "i64.trunc_f32_u",
    "i64.trunc_f64_s",
    "i64.trunc_f64_u",
    "f32.convert_i32_s",
    "f32.convert_i32_u",
    "f32.convert_i64_s",
    "f32.convert_i64_u",
    "f32.demote_f64",
    "f64.convert_i32_s",
    "f64.convert_i32_u",
    "f64.convert_i64_s",
    "f64.convert_i64_u",
    "f64.promote_f32",
    "i32.reinterpret_f32",
    "i64.reinterpret_f64",
    "f32.reinterpret_i32",
    "f64.reinterpret_i64",
    "i32.extend8_s",
    "i32.extend16_s",
    "i64.extend8_s",
    "i64.extend16_s",
    "i64.extend32_s",
];
/// Opcodes 0x28 to 0x3e: loads and stores, with log2 of their natural alignment.
const MEMORY: [(&str, u32); 23] = [
    ("i32.load", 2),
    ("i64.load", 3),
    ("f32.load", 2),
    ("f64.load", 3),
    ("i32.load8_s", 0),
    ("i32.load8_u", 0),
    ("i32.load16_s", 1),
    ("i32.load16_u", 1),
    ("i64.load8_s", 0),
    ("i64.load8_u", 0),
    ("i64.load16_s", 1),
    ("i64.load16_u", 1),
    ("i64.load32_s", 2),
    ("i64.load32_u", 2),
    ("i32.store", 2),
    ("i64.store", 3),
    ("f32.store", 2),
    ("f64.store", 3),
    ("i32.store8", 0),
    ("i32.store16", 1),
    ("i64.store8", 0),
    ("i64.store16", 1),
    ("i64.store32", 2),
];
const VARIABLE: [&str; 5] = [
    "local.get",
    "local.set",
    "local.tee",
    "global.get",
    "global.set",
];
/// The 0xfc opcodes 0 to 7.
const TRUNC_SAT: [&str; 8] = [
    "i32.trunc_sat_f32_s",
    "i32.trunc_sat_f32_u",
    "i32.trunc_sat_f64_s",
    "i32.trunc_sat_f64_u",
    "i64.trunc_sat_f32_s",
    "i64.trunc_sat_f32_u",
    "i64.trunc_sat_f64_s",
    "i64.trunc_sat_f64_u",
];
/// The 0xfd (SIMD) opcodes from 0 on, relaxed SIMD's included, `-` where none is.
const SIMD: &str = "\
    v128.load v128.load8x8_s v128.load8x8_u v128.load16x4_s v128.load16x4_u v128.load32x2_s \
    v128.load32x2_u v128.load8_splat v128.load16_splat v128.load32_splat v128.load64_splat \
    v128.store v128.const i8x16.shuffle i8x16.swizzle i8x16.splat i16x8.splat i32x4.splat \
    i64x2.splat f32x4.splat f64x2.splat i8x16.extract_lane_s i8x16.extract_lane_u \
    i8x16.replace_lane i16x8.extract_lane_s i16x8.extract_lane_u i16x8.replace_lane \
    i32x4.extract_lane i32x4.replace_lane i64x2.extract_lane i64x2.replace_lane \
    f32x4.extract_lane f32x4.replace_lane f64x2.extract_lane f64x2.replace_lane i8x16.eq \
    i8x16.ne i8x16.lt_s i8x16.lt_u i8x16.gt_s i8x16.gt_u i8x16.le_s i8x16.le_u i8x16.ge_s \
    i8x16.ge_u i16x8.eq i16x8.ne i16x8.lt_s i16x8.lt_u i16x8.gt_s i16x8.gt_u i16x8.le_s \
    i16x8.le_u i16x8.ge_s i16x8.ge_u i32x4.eq i32x4.ne i32x4.lt_s i32x4.lt_u i32x4.gt_s \
    i32x4.gt_u i32x4.le_s i32x4.le_u i32x4.ge_s i32x4.ge_u f32x4.eq f32x4.ne f32x4.lt \
    f32x4.gt f32x4.le f32x4.ge f64x2.eq f64x2.ne f64x2.lt f64x2.gt f64x2.le f64x2.ge \
    v128.not v128.and v128.andnot v128.or v128.xor v128.bitselect v128.any_true \
    v128.load8_lane v128.load16_lane v128.load32_lane v128.load64_lane v128.store8_lane \
    v128.store16_lane v128.store32_lane v128.store64_lane v128.load32_zero v128.load64_zero \
    f32x4.demote_f64x2_zero f64x2.promote_low_f32x4 i8x16.abs i8x16.neg i8x16.popcnt \
    i8x16.all_true i8x16.bitmask i8x16.narrow_i16x8_s i8x16.narrow_i16x8_u f32x4.ceil \
    f32x4.floor f32x4.trunc f32x4.nearest i8x16.shl i8x16.shr_s i8x16.shr_u i8x16.add \
    i8x16.add_sat_s i8x16.add_sat_u i8x16.sub i8x16.sub_sat_s i8x16.sub_sat_u f64x2.ceil \
    f64x2.floor i8x16.min_s i8x16.min_u i8x16.max_s i8x16.max_u f64x2.trunc i8x16.avgr_u \
    i16x8.extadd_pairwise_i8x16_s i16x8.extadd_pairwise_i8x16_u \
    i32x4.extadd_pairwise_i16x8_s i32x4.extadd_pairwise_i16x8_u i16x8.abs i16x8.neg \
    i16x8.q15mulr_sat_s i16x8.all_true i16x8.bitmask i16x8.narrow_i32x4_s \
    i16x8.narrow_i32x4_u i16x8.extend_low_i8x16_s i16x8.extend_high_i8x16_s \
    i16x8.extend_low_i8x16_u i16x8.extend_high_i8x16_u i16x8.shl i16x8.shr_s i16x8.shr_u \
    i16x8.add i16x8.add_sat_s i16x8.add_sat_u i16x8.sub i16x8.sub_sat_s i16x8.sub_sat_u \
    f64x2.nearest i16x8.mul i16x8.min_s i16x8.min_u i16x8.max_s i16x8.max_u - i16x8.avgr_u \
    i16x8.extmul_low_i8x16_s i16x8.extmul_high_i8x16_s i16x8.extmul_low_i8x16_u \
    i16x8.extmul_high_i8x16_u i32x4.abs i32x4.neg - i32x4.all_true i32x4.bitmask - - \
    i32x4.extend_low_i16x8_s i32x4.extend_high_i16x8_s i32x4.extend_low_i16x8_u \
    i32x4.extend_high_i16x8_u i32x4.shl i32x4.shr_s i32x4.shr_u i32x4.add - - i32x4.sub - - \
    - i32x4.mul i32x4.min_s i32x4.min_u i32x4.max_s i32x4.max_u i32x4.dot_i16x8_s - \
    i32x4.extmul_low_i16x8_s i32x4.extmul_high_i16x8_s i32x4.extmul_low_i16x8_u \
    i32x4.extmul_high_i16x8_u i64x2.abs i64x2.neg - i64x2.all_true i64x2.bitmask - - \
    i64x2.extend_low_i32x4_s i64x2.extend_high_i32x4_s i64x2.extend_low_i32x4_u \
    i64x2.extend_high_i32x4_u i64x2.shl i64x2.shr_s i64x2.shr_u i64x2.add - - i64x2.sub - - \
    - i64x2.mul i64x2.eq i64x2.ne i64x2.lt_s i64x2.gt_s i64x2.le_s i64x2.ge_s \
    i64x2.extmul_low_i32x4_s i64x2.extmul_high_i32x4_s i64x2.extmul_low_i32x4_u \
    i64x2.extmul_high_i32x4_u f32x4.abs f32x4.neg - f32x4.sqrt f32x4.add f32x4.sub \
    f32x4.mul f32x4.div f32x4.min f32x4.max f32x4.pmin f32x4.pmax f64x2.abs f64x2.neg - \
    f64x2.sqrt f64x2.add f64x2.sub f64x2.mul f64x2.div f64x2.min f64x2.max f64x2.pmin \
    f64x2.pmax i32x4.trunc_sat_f32x4_s i32x4.trunc_sat_f32x4_u f32x4.convert_i32x4_s \
    f32x4.convert_i32x4_u i32x4.trunc_sat_f64x2_s_zero i32x4.trunc_sat_f64x2_u_zero \
    f64x2.convert_low_i32x4_s f64x2.convert_low_i32x4_u i8x16.relaxed_swizzle \
    i32x4.relaxed_trunc_f32x4_s i32x4.relaxed_trunc_f32x4_u \
    i32x4.relaxed_trunc_f64x2_s_zero i32x4.relaxed_trunc_f64x2_u_zero f32x4.relaxed_madd \
    f32x4.relaxed_nmadd f64x2.relaxed_madd f64x2.relaxed_nmadd i8x16.relaxed_laneselect \
    i16x8.relaxed_laneselect i32x4.relaxed_laneselect i64x2.relaxed_laneselect \
    f32x4.relaxed_min f32x4.relaxed_max f64x2.relaxed_min f64x2.relaxed_max \
    i16x8.relaxed_q15mulr_s i16x8.relaxed_dot_i8x16_i7x16_s \
    i32x4.relaxed_dot_i8x16_i7x16_add_s";

/// One instruction other than the block structure (`block`, `loop`, `if`, `else`,
/// `end`), inside `depth` open blocks.
fn op(r: &mut Reader, depth: usize, out: &mut String) -> Result<(), String> {
    let at = r.at;
    let code = r.byte()?;
    let c = usize::from(code);
    let mut name = |prefix: &str, name: &str| {
        out.push_str(prefix);
        out.push_str(name);
    };
    match code {
        0x00 => name("", "unreachable"),
        0x01 => name("", "nop"),
        0x0c | 0x0d => {
            name("", if code == 0x0c { "br" } else { "br_if" });
            label(r, depth, out)?;
        }
        0x0e => {
            name("", "br_table");
            for _ in 0..r.count()? {
                label(r, depth, out)?;
            }
            label(r, depth, out)?;
        }
        0x0f => name("", "return"),
        0x10 => {
            let _ = write!(out, "call {}", r.u32()?);
        }
        0x1a => name("", "drop"),
        0x1b => name("", "select"),
        0x1c => {
            if r.u32()? != 1 {
                return fail(at, "a typed select of other than one type");
            }
            let _ = write!(out, "select (result {})", r.valtype()?);
        }
        0x20..=0x24 => {
            let _ = write!(out, "{} {}", VARIABLE[c - 0x20], r.u32()?);
        }
        0x28..=0x3e => {
            let (op, align) = MEMORY[c - 0x28];
            out.push_str(op);
            memarg(r, out, align)?;
        }
        0x3f | 0x40 => {
            name("memory.", if code == 0x3f { "size" } else { "grow" });
            memory_zero(r)?;
        }
        0x41 => {
            let _ = write!(out, "i32.const {}", r.leb(32, true)? as i32);
        }
        0x42 => {
            let _ = write!(out, "i64.const {}", r.leb(64, true)? as i64);
        }
        0x43 => {
            let bits = u32::from_le_bytes(r.array()?);
            out.push_str("f32.const ");
            float(out, u64::from(bits), 32, 8, f32::from_bits(bits));
        }
        0x44 => {
            let bits = u64::from_le_bytes(r.array()?);
            out.push_str("f64.const ");
            float(out, bits, 64, 11, f64::from_bits(bits));
        }
        0x45..=0x4f => name("i32.", CMP[c - 0x45]),
        0x50..=0x5a => name("i64.", CMP[c - 0x50]),
        0x5b..=0x60 => name("f32.", FCMP[c - 0x5b]),
        0x61..=0x66 => name("f64.", FCMP[c - 0x61]),
        0x67..=0x78 => name("i32.", IARITH[c - 0x67]),
        0x79..=0x8a => name("i64.", IARITH[c - 0x79]),
        0x8b..=0x98 => name("f32.", FARITH[c - 0x8b]),
        0x99..=0xa6 => name("f64.", FARITH[c - 0x99]),
        0xa7..=0xc4 => name("", CONVERT[c - 0xa7]),
        0xfc => match r.u32()? {
            sub @ 0..=7 => name("", TRUNC_SAT[sub as usize]),
            10 => {
                name("", "memory.copy");
                memory_zero(r)?;
                memory_zero(r)?;
            }
            11 => {
                name("", "memory.fill");
                memory_zero(r)?;
            }
            sub => return fail(at, format_args!("unknown opcode 0xfc {sub}")),
        },
        0xfd => simd(r, out)?,
        _ => return fail(at, format_args!("unknown opcode {code:#04x}")),
    }
    Ok(())
}

/// A SIMD instruction, after its 0xfd prefix.
fn simd(r: &mut Reader, out: &mut String) -> Result<(), String> {
    let code = r.u32()?;
    let Some(name) = SIMD.split(' ').nth(code as usize).filter(|&n| n != "-") else {
        let _ = write!(out, ";; unknown opcode 0xfd {code}");
        return Ok(());
    };
    out.push_str(name);
    match code {
        // Loads, splats and zero-extending loads: log2 of their natural alignment.
        0..=11 => memarg(r, out, [4, 3, 3, 3, 3, 3, 3, 0, 1, 2, 3, 4][code as usize])?,
        92 | 93 => memarg(r, out, code - 90)?,
        84..=91 => {
            memarg(r, out, (code - 84) % 4)?;
            let _ = write!(out, " {}", r.byte()?);
        }
        12 => {
            out.push_str(" i32x4");
            for _ in 0..4 {
                let _ = write!(out, " {:#010x}", u32::from_le_bytes(r.array()?));
            }
        }
        13 => {
            for _ in 0..16 {
                let _ = write!(out, " {}", r.byte()?);
            }
        }
        21..=34 => {
            let _ = write!(out, " {}", r.byte()?);
        }
        _ => {}
    }
    Ok(())
}

/// A branch's relative depth, and the label it names when that is a block's.
fn label(r: &mut Reader, depth: usize, out: &mut String) -> Result<(), String> {
    let at = r.at;
    let l = r.u32()? as usize;
    if l > depth {
        return fail(
            at,
            format_args!("a branch out of {l} blocks inside {depth}"),
        );
    }
    let _ = write!(out, " {l}");
    if l < depth {
        let _ = write!(out, " (;@{};)", depth - l);
    }
    Ok(())
}

/// A load's or store's offset and alignment, each printed when it is not the default.
fn memarg(r: &mut Reader, out: &mut String, natural: u32) -> Result<(), String> {
    let at = r.at;
    let align = r.u32()?;
    // Higher bits name another memory or other proposals' immediates.
    if align >= 16 {
        return fail(at, format_args!("memory access flags {align:#x}"));
    }
    let offset = r.u32()?;
    if offset != 0 {
        let _ = write!(out, " offset={offset}");
    }
    if align != natural {
        let _ = write!(out, " align={}", 1u32 << align);
    }
    Ok(())
}

/// The memory index of the memory instructions, always 0 here.
fn memory_zero(r: &mut Reader) -> Result<(), String> {
    match r.byte()? {
        0 => Ok(()),
        m => r.last(format_args!("memory {m}")),
    }
}

/// A float's bits as wasmprinter writes them: hexadecimal (`0x1.8p+1`), `inf` or `nan`
/// with its payload unless canonical, then the value in a comment.
fn float(out: &mut String, mut bits: u64, width: u32, exp_bits: u32, value: impl Display) {
    let mantissa = width - 1 - exp_bits;
    if bits >> (width - 1) != 0 {
        bits ^= 1 << (width - 1);
        out.push('-');
    }
    let exp = (bits >> mantissa) as i64;
    let mut fraction = bits & ((1 << mantissa) - 1);
    let max = (1i64 << exp_bits) - 1;
    if exp == max && fraction == 0 {
        out.push_str("inf");
    } else if exp == max && fraction == 1 << (mantissa - 1) {
        out.push_str("nan");
    } else if exp == max {
        let _ = write!(out, "nan:{fraction:#x}");
    } else if bits == 0 {
        out.push_str("0x0p+0");
    } else {
        let mut e = exp - (max >> 1);
        out.push_str("0x1");
        if fraction > 0 {
            // The fraction's top bit at bit 63; a subnormal's leading 1 becomes implicit.
            fraction <<= 64 - mantissa;
            if exp == 0 {
                let leading = fraction.leading_zeros();
                fraction <<= leading + 1;
                e -= i64::from(leading);
            }
            out.push('.');
            while fraction > 0 {
                let _ = write!(out, "{:x}", fraction >> 60);
                fraction <<= 4;
            }
        }
        let _ = write!(out, "p{e:+}");
    }
    let _ = write!(out, " (;={value};)");
}

fn fail<T>(at: usize, what: impl Display) -> Result<T, String> {
    Err(format!("at byte {at}: {what}"))
}

/// A bounds-checked cursor over `bytes[at..end]`; errors name the offset in the module.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    end: usize,
}

impl<'a> Reader<'a> {
    /// An error at the current byte.
    fn err<T>(&self, what: impl Display) -> Result<T, String> {
        fail(self.at, what)
    }

    /// An error at the byte just read.
    fn last<T>(&self, what: impl Display) -> Result<T, String> {
        fail(self.at - 1, what)
    }

    fn done(&self) -> bool {
        self.at >= self.end
    }

    fn finished(&self) -> Result<(), String> {
        if self.done() {
            Ok(())
        } else {
            self.err(format_args!("{} bytes left over", self.end - self.at))
        }
    }

    fn peek(&self) -> Result<u8, String> {
        if self.done() {
            return self.err("unexpected end");
        }
        Ok(self.bytes[self.at])
    }

    fn byte(&mut self) -> Result<u8, String> {
        let b = self.peek()?;
        self.at += 1;
        Ok(b)
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.end - self.at {
            return self.err(format_args!(
                "{n} bytes wanted, {} left",
                self.end - self.at
            ));
        }
        self.at += n;
        Ok(&self.bytes[self.at - n..self.at])
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    /// The next `n` bytes, as a reader of their own.
    fn sub(&mut self, n: usize) -> Result<Reader<'a>, String> {
        let at = self.at;
        self.take(n)?;
        Ok(Reader {
            bytes: self.bytes,
            at,
            end: self.at,
        })
    }

    /// A LEB128 number of at most `bits` bits (sign-extended to 64 when `signed`): at
    /// most `ceil(bits / 7)` bytes, the unused bits of the last one zero or, signed, copies
    /// of the sign.
    fn leb(&mut self, bits: u32, signed: bool) -> Result<u64, String> {
        let start = self.at;
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte()?;
            let low = u64::from(b & 0x7f);
            let left = bits - shift;
            if left <= 7 {
                let rest = low >> (left - u32::from(signed));
                let full = 0x7f >> (left - u32::from(signed));
                if b & 0x80 != 0 || (rest != 0 && !(signed && rest == full)) {
                    return fail(start, format_args!("a number over {bits} bits"));
                }
            }
            value |= low << shift;
            shift += 7;
            if b & 0x80 == 0 {
                if signed && shift < 64 && b & 0x40 != 0 {
                    value |= u64::MAX << shift;
                }
                return Ok(value);
            }
        }
    }

    fn u32(&mut self) -> Result<u32, String> {
        Ok(self.leb(32, false)? as u32)
    }

    /// A vector's length, which cannot exceed the bytes left (each item takes one).
    fn count(&mut self) -> Result<u32, String> {
        let at = self.at;
        let n = self.u32()?;
        if n as usize > self.end - self.at {
            return fail(
                at,
                format_args!("{n} items in {} bytes", self.end - self.at),
            );
        }
        Ok(n)
    }

    fn name(&mut self) -> Result<&'a str, String> {
        let n = self.u32()? as usize;
        let at = self.at;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes).or_else(|_| fail(at, "a name that is not UTF-8"))
    }

    fn valtype(&mut self) -> Result<&'static str, String> {
        Ok(match self.byte()? {
            0x7f => "i32",
            0x7e => "i64",
            0x7d => "f32",
            0x7c => "f64",
            0x7b => "v128",
            t => return self.last(format_args!("value type {t:#04x}")),
        })
    }

    fn valtypes(&mut self) -> Result<Vec<&'static str>, String> {
        (0..self.count()?).map(|_| self.valtype()).collect()
    }
}
