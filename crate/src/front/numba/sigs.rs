//! Numba's type signatures: `"float64(float64[:], int64)"`, `"void(f8[:, ::1])"`,
//! `int32(int32, int32)` written with type objects, `"(int64, float64)"` tuples, and the
//! layouts of `@guvectorize` (`"(n),()->(n)"`, parsed by [`layout`]).
//!
//! A signature given as a string and one given with type objects are the same text, so
//! both go through [`signature`]: the front end passes the string's contents, or the
//! source text of the decorator argument.

use crate::kir::{ArrayTy, Layout, Ty};
use crate::types::DType;

/// A parsed signature: argument types, and the return type (None for `void`; absent when
/// only argument types were given, `"(float64[:],)"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Sig {
    pub args: Vec<Ty>,
    pub ret: Option<Option<Ty>>,
}

/// The scalar type of a Numba type name, including the short forms.
#[must_use]
pub fn scalar_type(name: &str) -> Option<DType> {
    Some(match name {
        "boolean" | "bool_" | "b1" | "bool" => DType::Bool,
        "int8" | "i1" | "byte" => DType::I8,
        "int16" | "i2" => DType::I16,
        "int32" | "i4" => DType::I32,
        "int64" | "i8" | "intp" | "intc" | "int_" => DType::I64,
        "uint8" | "u1" | "uchar" => DType::U8,
        "uint16" | "u2" => DType::U16,
        "uint32" | "u4" => DType::U32,
        "uint64" | "u8" | "uintp" | "uintc" => DType::U64,
        "float32" | "f4" | "float" => DType::F32,
        "float64" | "f8" | "double" => DType::F64,
        _ => return None,
    })
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn name(&mut self) -> Option<String> {
        self.ws();
        let start = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric()
                || self.s[self.i] == b'_'
                || self.s[self.i] == b'.')
        {
            self.i += 1;
        }
        (self.i > start).then(|| String::from_utf8_lossy(&self.s[start..self.i]).into_owned())
    }

    /// `name`, `name[:, ::1]`, `(t, t)`, or a tuple type `UniTuple(t, n)`.
    fn ty(&mut self, depth: usize) -> Result<Option<Ty>, String> {
        if depth > 32 {
            return Err("signature nested too deeply".into());
        }
        if self.eat(b'(') {
            let items = self.list(b')', depth)?;
            return Ok(Some(Ty::Tuple(items)));
        }
        let name = self.name().ok_or("expected a type name")?;
        let base = name.rsplit('.').next().unwrap_or(&name).to_owned();
        if base == "void" || base == "none" {
            return Ok(None);
        }
        if base == "Tuple" {
            // `Tuple((int64, float64))` or `Tuple(int64, float64)`.
            if !self.eat(b'(') {
                return Err("Tuple needs (types)".into());
            }
            let items = if self.eat(b'(') {
                let items = self.list(b')', depth + 1)?;
                if !self.eat(b')') {
                    return Err("expected ')'".into());
                }
                items
            } else {
                self.list(b')', depth + 1)?
            };
            return Ok(Some(Ty::Tuple(items)));
        }
        if base == "UniTuple" {
            if !self.eat(b'(') {
                return Err("UniTuple needs (type, count)".into());
            }
            let t = self.ty(depth + 1)?.ok_or("UniTuple of void")?;
            if !self.eat(b',') {
                return Err("UniTuple needs (type, count)".into());
            }
            self.ws();
            let start = self.i;
            while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                self.i += 1;
            }
            let n: usize = std::str::from_utf8(&self.s[start..self.i])
                .ok()
                .and_then(|t| t.parse().ok())
                .filter(|&n| n <= 64)
                .ok_or("UniTuple count must be a small integer")?;
            if !self.eat(b')') {
                return Err("expected ')'".into());
            }
            return Ok(Some(Ty::Tuple(vec![t; n])));
        }
        let d = scalar_type(&base).ok_or_else(|| format!("unknown type '{name}'"))?;
        if !self.eat(b'[') {
            return Ok(Some(Ty::Scalar(d)));
        }
        // Dimensions: `:` each, the last may be `::1` (C-contiguous).
        let mut ndim = 0u8;
        let mut contiguous = false;
        loop {
            self.ws();
            if !self.eat(b':') {
                return Err("array dimensions are written ':' (or '::1' last)".into());
            }
            ndim = ndim.checked_add(1).ok_or("too many dimensions")?;
            if self.eat(b':') {
                self.ws();
                if self.s.get(self.i) == Some(&b'1') {
                    self.i += 1;
                    contiguous = true;
                } else {
                    return Err("only '::1' may follow a dimension".into());
                }
            }
            if self.eat(b']') {
                break;
            }
            if !self.eat(b',') {
                return Err("expected ',' or ']' in array dimensions".into());
            }
            if contiguous {
                return Err("'::1' may only mark the last dimension".into());
            }
        }
        if ndim > 32 {
            return Err("too many dimensions".into());
        }
        Ok(Some(Ty::Array(ArrayTy {
            dtype: d,
            ndim,
            layout: if contiguous { Layout::C } else { Layout::Any },
        })))
    }

    fn list(&mut self, close: u8, depth: usize) -> Result<Vec<Ty>, String> {
        let mut items = Vec::new();
        if self.eat(close) {
            return Ok(items);
        }
        loop {
            let t = self.ty(depth + 1)?.ok_or("void is only a return type")?;
            items.push(t);
            if self.eat(close) {
                return Ok(items);
            }
            if !self.eat(b',') {
                return Err(format!("expected ',' or '{}'", close as char));
            }
            if self.eat(close) {
                return Ok(items);
            }
        }
    }
}

/// Parses `ret(args)`, `(args)` or `ret(args)` with `void`.
pub fn signature(text: &str) -> Result<Sig, String> {
    if text.len() > 4096 {
        return Err("signature too long".into());
    }
    let mut p = P {
        s: text.as_bytes(),
        i: 0,
    };
    p.ws();
    let sig = if p.s.get(p.i) == Some(&b'(') {
        p.i += 1;
        let first = p.list(b')', 0)?;
        if p.eat(b'(') {
            // `(int64, float64)(int64)`: a tuple return type, then the arguments.
            let args = p.list(b')', 0)?;
            Sig {
                args,
                ret: Some(Some(Ty::Tuple(first))),
            }
        } else {
            Sig {
                args: first,
                ret: None,
            }
        }
    } else {
        let ret = p.ty(0)?;
        if !p.eat(b'(') {
            return Err("a signature is 'return_type(argument types)'".into());
        }
        let args = p.list(b')', 0)?;
        Sig {
            args,
            ret: Some(ret),
        }
    };
    p.ws();
    if p.i != p.s.len() {
        return Err(format!(
            "unexpected '{}' after the signature",
            String::from_utf8_lossy(&p.s[p.i..])
        ));
    }
    Ok(sig)
}

/// A `@guvectorize` layout: the core dimension names of each input and of the outputs,
/// `"(m,n),(n,p)->(m,p)"` -> `([["m","n"],["n","p"]], [["m","p"]])`.
pub fn layout(text: &str) -> Result<(Vec<Vec<String>>, Vec<Vec<String>>), String> {
    let (ins, outs) = text
        .split_once("->")
        .ok_or("a layout is '(dims),(dims)->(dims)'")?;
    let groups = |s: &str| -> Result<Vec<Vec<String>>, String> {
        let s = s.trim();
        let mut out = Vec::new();
        let mut rest = s;
        while !rest.is_empty() {
            let r = rest.trim_start();
            let r = r.strip_prefix('(').ok_or("expected '(' in the layout")?;
            let (inner, after) = r.split_once(')').ok_or("expected ')' in the layout")?;
            let dims: Vec<String> = inner
                .split(',')
                .map(|d| d.trim().to_owned())
                .filter(|d| !d.is_empty())
                .collect();
            if let Some(bad) = dims
                .iter()
                .find(|d| !d.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                return Err(format!("'{bad}' is not a dimension name"));
            }
            out.push(dims);
            rest = after.trim_start();
            if let Some(r) = rest.strip_prefix(',') {
                rest = r;
            } else if !rest.is_empty() {
                return Err("expected ',' between layout groups".into());
            }
        }
        Ok(out)
    };
    Ok((groups(ins)?, groups(outs)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr(d: DType, ndim: u8, layout: Layout) -> Ty {
        Ty::Array(ArrayTy {
            dtype: d,
            ndim,
            layout,
        })
    }

    #[test]
    fn signatures_in_every_spelling() {
        let s = signature("float64(float64[:], int64)").unwrap();
        assert_eq!(
            s.args,
            vec![arr(DType::F64, 1, Layout::Any), Ty::Scalar(DType::I64)]
        );
        assert_eq!(s.ret, Some(Some(Ty::Scalar(DType::F64))));
        let s = signature("void(f8[:, ::1], intp)").unwrap();
        assert_eq!(s.args[0], arr(DType::F64, 2, Layout::C));
        assert_eq!(s.ret, Some(None));
        let s = signature("numba.int32(numba.int32, numba.int32)").unwrap();
        assert_eq!(s.args, vec![Ty::Scalar(DType::I32); 2]);
        let s = signature("(int64, float32)").unwrap();
        assert_eq!(s.ret, None);
        let s = signature("UniTuple(int64, 2)(f4)").unwrap();
        assert_eq!(
            s.ret,
            Some(Some(Ty::Tuple(vec![Ty::Scalar(DType::I64); 2])))
        );
        let s = signature("Tuple((int64, float64))(float64[:])").unwrap();
        assert_eq!(
            s.ret,
            Some(Some(Ty::Tuple(vec![
                Ty::Scalar(DType::I64),
                Ty::Scalar(DType::F64)
            ])))
        );
        let s = signature("(int64, float64)(int64)").unwrap();
        assert_eq!(
            s.ret,
            Some(Some(Ty::Tuple(vec![
                Ty::Scalar(DType::I64),
                Ty::Scalar(DType::F64)
            ])))
        );
    }

    #[test]
    fn bad_signatures_say_why() {
        for bad in [
            "float64(",
            "floaty(int64)",
            "int64[1](int64)",
            "f8[:,::1,:](f8)",
            "f8(f8) extra",
            "",
            "UniTuple(int64, 99999)(f8)",
        ] {
            assert!(signature(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn layouts() {
        let (i, o) = layout("(m,n),(n,p)->(m,p)").unwrap();
        assert_eq!(i, vec![vec!["m", "n"], vec!["n", "p"]]);
        assert_eq!(o, vec![vec!["m", "p"]]);
        let (i, o) = layout("(n),()->(n)").unwrap();
        assert_eq!(i, vec![vec!["n".to_owned()], vec![]]);
        assert_eq!(o, vec![vec!["n".to_owned()]]);
        assert!(layout("(n)").is_err());
        assert!(layout("(n+1)->()").is_err());
    }
}
