//! The intrinsics (`np.*` and whole-array operations): each use gets a helper function of
//! its own (`$sN`) with the element operation, the casts and the storage conversions of its
//! dtypes inline, over the array objects `{ d, o, s, t }`. Semantics as
//! `kir::exec::intrinsic`: NumPy's broadcasting and unsafe casts, Numba's sequential
//! reduction order, results built in the expression's dtype.

use std::fmt::Write as _;

use super::{Cx, R, js_string, scalar};
use crate::kir::{Intrinsic, Ty};
use crate::types::{BinaryOp, DType, ReduceOp, promote};

/// An operand of an element-wise site: a scalar value or an array object.
#[derive(Clone, Copy)]
enum Opnd {
    Scalar(DType),
    Array(DType),
}

impl Opnd {
    fn of(ty: &Ty) -> R<Opnd> {
        match ty {
            Ty::Scalar(d) => Ok(Opnd::Scalar(*d)),
            Ty::Array(a) => Ok(Opnd::Array(a.dtype)),
            other => Err(format!(
                "internal: an operand of type {other} where an array goes"
            )),
        }
    }

    fn dtype(self) -> DType {
        match self {
            Opnd::Scalar(d) | Opnd::Array(d) => d,
        }
    }
}

/// The dtype of the result (the element type of an array or list, or the scalar's).
fn result_dtype(ty: &Ty) -> R<DType> {
    match ty {
        Ty::Scalar(d) | Ty::List(d) => Ok(*d),
        Ty::Array(a) => Ok(a.dtype),
        other => Err(format!("internal: an intrinsic typed {other}")),
    }
}

fn ra(out: &str, shape: &str) -> String {
    format!("return {{ d: {out}, o: 0, s: {shape}, t: $cstr({shape}) }};")
}

/// The JS expression of intrinsic `op` on operands `vals` (JS text) of types `tys`, typed
/// `ty`; `k` is the second operand's value when it is a constant.
pub(super) fn emit(
    cx: &mut Cx,
    op: Intrinsic,
    vals: &[String],
    tys: &[&Ty],
    ty: &Ty,
    k: Option<f64>,
) -> R<String> {
    let call = |name: String| format!("{name}({})", vals.join(", "));
    let want = |n: usize| -> R<()> {
        if vals.len() == n {
            Ok(())
        } else {
            Err(format!("internal: np.{op:?} with {} operands", vals.len()))
        }
    };
    match op {
        Intrinsic::Zeros | Intrinsic::Filled => {
            let d = result_dtype(ty)?;
            let shape = extents(vals, tys)?;
            cx.helper("alloc");
            Ok(format!("$alloc({}, {shape})", scalar::ctor(d)))
        }
        Intrinsic::Full => {
            let d = result_dtype(ty)?;
            let Some((fill, exts)) = vals.split_last() else {
                return Err("internal: np.full without operands".to_owned());
            };
            let Some(fd) = tys.last().and_then(|t| t.scalar()) else {
                return Err("internal: np.full of a non-scalar".to_owned());
            };
            let shape = extents(exts, &tys[..tys.len() - 1])?;
            cx.helper("alloc");
            let v = scalar::cast(cx, fd, d, "f", false);
            let body = format!(
                "const a = $alloc({}, s);\na.d.fill({});\nreturn a;",
                scalar::ctor(d),
                scalar::write(d, &v)
            );
            let name = cx.site(&["s".to_owned(), "f".to_owned()], &body);
            Ok(format!("{name}({shape}, {fill})"))
        }
        Intrinsic::Copy | Intrinsic::Astype => {
            want(1)?;
            let a = Opnd::of(tys[0])?;
            let rd = result_dtype(ty)?;
            let name = elementwise(cx, true, &[a], ty, rd, |cx, x| {
                Ok(scalar::cast(cx, a.dtype(), rd, &x[0], false))
            })?;
            Ok(call(name))
        }
        Intrinsic::Map1(u) => {
            want(1)?;
            let a = Opnd::of(tys[0])?;
            let rd = result_dtype(ty)?;
            let cd = if u.is_predicate() { a.dtype() } else { rd };
            let name = elementwise(cx, false, &[a], ty, rd, |cx, x| {
                let v = scalar::cast(cx, a.dtype(), cd, &x[0], false);
                scalar::unary(cx, u, cd, &v)
            })?;
            Ok(call(name))
        }
        Intrinsic::Map2(b) => {
            want(2)?;
            let (x, y) = (Opnd::of(tys[0])?, Opnd::of(tys[1])?);
            let rd = result_dtype(ty)?;
            let cd = if b.is_comparison() {
                promote(x.dtype(), y.dtype())
            } else {
                rd
            };
            let name = elementwise(cx, false, &[x, y], ty, rd, |cx, v| {
                let a = scalar::cast(cx, x.dtype(), cd, &v[0], false);
                let mut c = scalar::cast(cx, y.dtype(), cd, &v[1], false);
                if b == BinaryOp::Pow && cd.is_int() {
                    cx.helper("npow");
                    c = format!("$npow({c})");
                }
                scalar::binary(cx, b, cd, &a, &c, k)
            })?;
            Ok(call(name))
        }
        Intrinsic::Where => {
            want(3)?;
            let ops = [Opnd::of(tys[0])?, Opnd::of(tys[1])?, Opnd::of(tys[2])?];
            let rd = result_dtype(ty)?;
            let name = elementwise(cx, false, &ops, ty, rd, |cx, v| {
                let c = scalar::truth(ops[0].dtype(), &v[0]);
                let a = scalar::cast(cx, ops[1].dtype(), rd, &v[1], false);
                let b = scalar::cast(cx, ops[2].dtype(), rd, &v[2], false);
                Ok(format!("({c} ? {a} : {b})"))
            })?;
            Ok(call(name))
        }
        Intrinsic::Reduce(r) => {
            want(1)?;
            let a = Opnd::of(tys[0])?;
            let rd = result_dtype(ty)?;
            let red = reducer(cx, r, a.dtype(), rd)?;
            let body = match a {
                Opnd::Array(_) => {
                    cx.helper("dense");
                    format!("const d = $dense(a);\nreturn {red}(d, 0, 1, d.length);")
                }
                Opnd::Scalar(d) => format!("return {red}([{}], 0, 1, 1);", scalar::write(d, "a")),
            };
            let name = cx.site(&["a".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::Mean => {
            want(1)?;
            let a = Opnd::of(tys[0])?;
            let rd = result_dtype(ty)?;
            let ad = if a.dtype().is_float() {
                a.dtype()
            } else {
                DType::F64
            };
            let x = scalar::cast(cx, a.dtype(), ad, &scalar::read(a.dtype(), "d[k]"), false);
            let add = scalar::binary(cx, BinaryOp::Add, ad, "acc", &x, None)?;
            let nan = scalar::cast(cx, DType::F64, rd, "NaN", false);
            let res = scalar::cast(cx, DType::F64, rd, "acc / n", false);
            let dense = match a {
                Opnd::Array(_) => {
                    cx.helper("dense");
                    "const d = $dense(a);".to_owned()
                }
                Opnd::Scalar(d) => format!("const d = [{}];", scalar::write(d, "a")),
            };
            let body = format!(
                "{dense}\nconst n = d.length;\nif (n === 0) return {nan};\nlet acc = 0;\nfor (let k = 0; k < n; k++) acc = {add};\nreturn {res};"
            );
            let name = cx.site(&["a".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::ReduceAxis(r) => {
            want(2)?;
            let Opnd::Array(ad) = Opnd::of(tys[0])? else {
                return Err("internal: a reduction along an axis of a scalar".to_owned());
            };
            let rd = result_dtype(ty)?;
            let red = reducer(cx, r, ad, rd)?;
            cx.helper("dense");
            cx.helper("err");
            cx.helper("cstr");
            let empty = if matches!(r, ReduceOp::Min | ReduceOp::Max) {
                format!(
                    "if (len === 0) $err(\"ValueError\", {});\n",
                    js_string(&format!(
                        "zero-size array to reduction operation {} which has no identity",
                        if r == ReduceOp::Min {
                            "minimum"
                        } else {
                            "maximum"
                        }
                    ))
                )
            } else {
                String::new()
            };
            let finish = if matches!(ty, Ty::Scalar(_)) {
                format!("return {red}(d, 0, 1, len);")
            } else {
                format!(
                    "const out = new {}(outer * inner);\nfor (let o = 0; o < outer; o++) {{\n  for (let i = 0; i < inner; i++) out[o * inner + i] = {};\n}}\n{}",
                    scalar::ctor(rd),
                    scalar::write(rd, &format!("{red}(d, o * len * inner + i, inner, len)")),
                    ra("out", "sh")
                )
            };
            let body = format!(
                "const nd = a.s.length, ax = axis < 0 ? axis + nd : axis;\n\
                 if (ax < 0 || ax >= nd) $err(\"ValueError\", \"axis \" + axis + \" is out of bounds for array of dimension \" + nd);\n\
                 const d = $dense(a), len = a.s[ax];\n\
                 {empty}let outer = 1, inner = 1;\n\
                 for (let k = 0; k < ax; k++) outer *= a.s[k];\n\
                 for (let k = ax + 1; k < nd; k++) inner *= a.s[k];\n\
                 const sh = a.s.filter((_, k) => k !== ax);\n\
                 {finish}"
            );
            let name = cx.site(&["a".to_owned(), "axis".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::ArgMin | Intrinsic::ArgMax => {
            want(1)?;
            let a = Opnd::of(tys[0])?;
            let rd = result_dtype(ty)?;
            let ad = a.dtype();
            let min = op == Intrinsic::ArgMin;
            cx.helper("err");
            let dense = match a {
                Opnd::Array(_) => {
                    cx.helper("dense");
                    "const d = $dense(a);".to_owned()
                }
                Opnd::Scalar(d) => format!("const d = [{}];", scalar::write(d, "a")),
            };
            let nan = if ad.is_float() {
                "if (x !== x) return k;\n  "
            } else {
                ""
            };
            let res = scalar::cast(cx, DType::I64, rd, "at", false);
            let body = format!(
                "{dense}\nconst n = d.length;\n\
                 if (n === 0) $err(\"ValueError\", \"attempt to get {} of an empty sequence\");\n\
                 let best = {}, at = 0;\n\
                 for (let k = 0; k < n; k++) {{\n  const x = {};\n  {nan}if (x {} best) {{ best = x; at = k; }}\n}}\n\
                 return {res};",
                if min { "argmin" } else { "argmax" },
                scalar::read(ad, "d[0]"),
                scalar::read(ad, "d[k]"),
                if min { "<" } else { ">" },
            );
            let name = cx.site(&["a".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::CumSum | Intrinsic::CumProd => {
            want(1)?;
            let a = Opnd::of(tys[0])?;
            let rd = result_dtype(ty)?;
            let (bop, init) = if op == Intrinsic::CumSum {
                (BinaryOp::Add, zero(rd))
            } else {
                (BinaryOp::Mul, one(rd))
            };
            let x = scalar::cast(cx, a.dtype(), rd, &scalar::read(a.dtype(), "d[k]"), false);
            let step = scalar::binary(cx, bop, rd, "acc", &x, None)?;
            cx.helper("cstr");
            let dense = match a {
                Opnd::Array(_) => {
                    cx.helper("dense");
                    "const d = $dense(a);".to_owned()
                }
                Opnd::Scalar(d) => format!("const d = [{}];", scalar::write(d, "a")),
            };
            let body = format!(
                "{dense}\nconst n = d.length, out = new {}(n);\nlet acc = {init};\n\
                 for (let k = 0; k < n; k++) {{\n  acc = {step};\n  out[k] = {};\n}}\n{}",
                scalar::ctor(rd),
                scalar::write(rd, "acc"),
                ra("out", "[n]")
            );
            let name = cx.site(&["a".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::Dot => {
            want(2)?;
            let (Ty::Array(at), Ty::Array(bt)) = (tys[0], tys[1]) else {
                return Err("internal: np.dot of non-arrays".to_owned());
            };
            if !(1..=2).contains(&at.ndim) || !(1..=2).contains(&bt.ndim) {
                return Err("internal: np.dot of arrays other than 1-d and 2-d".to_owned());
            }
            let rd = result_dtype(ty)?;
            let x = scalar::cast(
                cx,
                at.dtype,
                rd,
                &scalar::read(at.dtype, "da[i * ka + k]"),
                false,
            );
            let y = scalar::cast(
                cx,
                bt.dtype,
                rd,
                &scalar::read(bt.dtype, "db[k * p + j]"),
                false,
            );
            let prod = scalar::binary(cx, BinaryOp::Mul, rd, &x, &y, None)?;
            let step = scalar::binary(cx, BinaryOp::Add, rd, "acc", &prod, None)?;
            cx.helper("dense");
            cx.helper("err");
            cx.helper("shapestr");
            cx.helper("cstr");
            let (m, ka) = if at.ndim == 1 {
                ("1", "a.s[0]")
            } else {
                ("a.s[0]", "a.s[1]")
            };
            let (kb, p) = if bt.ndim == 1 {
                ("b.s[0]", "1")
            } else {
                ("b.s[0]", "b.s[1]")
            };
            let shape: Vec<&str> = [(at.ndim == 2).then_some("m"), (bt.ndim == 2).then_some("p")]
                .into_iter()
                .flatten()
                .collect();
            let finish = if shape.is_empty() {
                format!("return {};", scalar::read(rd, "out[0]"))
            } else {
                ra("out", &format!("[{}]", shape.join(", ")))
            };
            let body = format!(
                "const da = $dense(a), db = $dense(b);\n\
                 const m = {m}, ka = {ka}, kb = {kb}, p = {p};\n\
                 if (ka !== kb) $err(\"ValueError\", \"shapes \" + $shapestr(a.s) + \" and \" + $shapestr(b.s) + \" not aligned: \" + ka + \" (dim {}) != \" + kb + \" (dim 0)\");\n\
                 const out = new {}(m * p);\n\
                 for (let i = 0; i < m; i++) {{\n  for (let j = 0; j < p; j++) {{\n    let acc = {};\n    for (let k = 0; k < ka; k++) acc = {step};\n    out[i * p + j] = {};\n  }}\n}}\n{finish}",
                at.ndim - 1,
                scalar::ctor(rd),
                zero(rd),
                scalar::write(rd, "acc"),
            );
            let name = cx.site(&["a".to_owned(), "b".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::Arange => {
            want(3)?;
            let rd = result_dtype(ty)?;
            let mut conv = Vec::new();
            for (i, t) in tys.iter().enumerate() {
                let Some(d) = t.scalar() else {
                    return Err("internal: np.arange of a non-scalar".to_owned());
                };
                conv.push(scalar::cast(cx, d, rd, &format!("x{i}"), false));
            }
            cx.helper("err");
            cx.helper("cstr");
            let fill = if rd.is_float() {
                let v = scalar::cast(cx, DType::F64, rd, "start + i * step", false);
                format!(
                    "let len = Math.ceil((stop - start) / step);\n\
                     if (len !== len) $err(\"ValueError\", \"arange: cannot compute length\");\n\
                     const n = len > 0 ? len : 0, out = new {}(n);\n\
                     for (let i = 0; i < n; i++) out[i] = {};",
                    scalar::ctor(rd),
                    scalar::write(rd, &v)
                )
            } else {
                let i = scalar::cast(cx, DType::I64, rd, "i", false);
                let mul = scalar::binary(cx, BinaryOp::Mul, rd, &i, "step", None)?;
                let v = scalar::binary(cx, BinaryOp::Add, rd, "start", &mul, None)?;
                format!(
                    "const n = Math.max(Math.ceil((stop - start) / step), 0), out = new {}(n);\n\
                     for (let i = 0; i < n; i++) out[i] = {};",
                    scalar::ctor(rd),
                    scalar::write(rd, &v)
                )
            };
            let body = format!(
                "const start = {}, stop = {}, step = {};\n\
                 if (!{}) $err(\"ValueError\", \"Maximum allowed size exceeded\");\n{fill}\n{}",
                conv[0],
                conv[1],
                conv[2],
                scalar::truth(rd, "step"),
                ra("out", "[n]")
            );
            let name = cx.site(&["x0".to_owned(), "x1".to_owned(), "x2".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::Linspace => {
            want(3)?;
            let rd = result_dtype(ty)?;
            let mut conv = Vec::new();
            for (i, t) in tys.iter().take(2).enumerate() {
                let Some(d) = t.scalar() else {
                    return Err("internal: np.linspace of a non-scalar".to_owned());
                };
                conv.push(scalar::cast(cx, d, DType::F64, &format!("x{i}"), false));
            }
            if !matches!(tys[2].scalar(), Some(d) if d.is_int()) {
                return Err("internal: np.linspace with a non-integer count".to_owned());
            }
            cx.helper("err");
            cx.helper("cstr");
            let mut v = |e: &str| scalar::write(rd, &scalar::cast(cx, DType::F64, rd, e, false));
            let (vi, vstop, vstart) = (v("start + i * step"), v("stop"), v("start"));
            let body = format!(
                "if (num < 0) $err(\"ValueError\", \"negative dimensions are not allowed\");\n\
                 const start = {}, stop = {}, n = num, out = new {}(n);\n\
                 if (n > 1) {{\n  const step = (stop - start) / (n - 1);\n  for (let i = 0; i < n - 1; i++) out[i] = {vi};\n  out[n - 1] = {vstop};\n}} else if (n === 1) out[0] = {vstart};\n{}",
                conv[0],
                conv[1],
                scalar::ctor(rd),
                ra("out", "[n]")
            );
            let name = cx.site(&["x0".to_owned(), "x1".to_owned(), "num".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::Transpose => {
            want(1)?;
            cx.helper("transpose");
            Ok(format!("$transpose({})", vals[0]))
        }
        Intrinsic::Reshape => {
            let Some((a, exts)) = vals.split_first() else {
                return Err("internal: reshape without operands".to_owned());
            };
            let shape = extents(exts, &tys[1..])?;
            cx.helper("reshape");
            Ok(format!("$reshape({a}, {shape})"))
        }
        Intrinsic::Size => {
            want(1)?;
            cx.helper("size");
            Ok(format!("$size(({}).s)", vals[0]))
        }
        Intrinsic::FromList => {
            want(1)?;
            let rd = result_dtype(ty)?;
            let body = match tys[0] {
                Ty::List(d) => {
                    let v = scalar::cast(cx, *d, rd, "l[k]", false);
                    format!(
                        "const n = l.length, out = new {}(n);\nfor (let k = 0; k < n; k++) out[k] = {};\n{}",
                        scalar::ctor(rd),
                        scalar::write(rd, &v),
                        ra("out", "[n]")
                    )
                }
                Ty::Tuple(items) => {
                    let mut s = format!("const out = new {}({});\n", scalar::ctor(rd), items.len());
                    for (k, t) in items.iter().enumerate() {
                        let Some(d) = t.scalar() else {
                            return Err("np.array of a tuple of non-scalars is not generated in the JS baseline".to_owned());
                        };
                        let v = scalar::cast(cx, d, rd, &format!("l[{k}]"), false);
                        let _ = writeln!(s, "out[{k}] = {};", scalar::write(rd, &v));
                    }
                    s.push_str(&ra("out", &format!("[{}]", items.len())));
                    s
                }
                Ty::Array(a) => {
                    cx.helper("dense");
                    let v = scalar::cast(cx, a.dtype, rd, &scalar::read(a.dtype, "d[k]"), false);
                    format!(
                        "const d = $dense(l), n = d.length, out = new {}(n);\nfor (let k = 0; k < n; k++) out[k] = {};\n{}",
                        scalar::ctor(rd),
                        scalar::write(rd, &v),
                        ra("out", "[n]")
                    )
                }
                Ty::Scalar(d) => {
                    let v = scalar::cast(cx, *d, rd, "l", false);
                    format!(
                        "const out = new {}(1);\nout[0] = {};\n{}",
                        scalar::ctor(rd),
                        scalar::write(rd, &v),
                        ra("out", "[1]")
                    )
                }
                other @ Ty::None => return Err(format!("internal: np.array of {other}")),
            };
            cx.helper("cstr");
            let name = cx.site(&["l".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::Stack => stack(cx, vals, tys, ty),
        Intrinsic::Assign => {
            want(2)?;
            let Ty::Array(dt) = tys[0] else {
                return Err("internal: an assignment into a non-array".to_owned());
            };
            let src = Opnd::of(tys[1])?;
            let dd = dt.dtype;
            let odometer = "for (let j = nd - 1; j >= 0; j--) {\n    pd += dst.t[j]; ps += ts[j];\n    if (++ix[j] < sh[j]) break;\n    pd -= dst.t[j] * sh[j]; ps -= ts[j] * sh[j];\n    ix[j] = 0;\n  }";
            let body = match src {
                Opnd::Scalar(sd) => {
                    let v = scalar::write(dd, &scalar::cast(cx, sd, dd, "src", false));
                    cx.helper("size");
                    format!(
                        "const v = {v}, sh = dst.s, nd = sh.length, n = $size(sh), ix = new Array(nd).fill(0), ts = new Array(nd).fill(0);\n\
                         let pd = dst.o, ps = 0;\n\
                         for (let k = 0; k < n; k++) {{\n  dst.d[pd] = v;\n  {odometer}\n}}"
                    )
                }
                Opnd::Array(sd) => {
                    let v = if sd == dd {
                        "data[ps]".to_owned()
                    } else {
                        scalar::write(
                            dd,
                            &scalar::cast(cx, sd, dd, &scalar::read(sd, "data[ps]"), false),
                        )
                    };
                    for h in ["size", "dense", "bstr", "cstr", "err", "shapestr"] {
                        cx.helper(h);
                    }
                    format!(
                        "let s = src.s;\n\
                         while (s.length > dst.s.length && s[0] === 1) s = s.slice(1);\n\
                         let fits = s.length <= dst.s.length;\n\
                         for (let k = 1; fits && k <= s.length; k++) {{\n  const a = s[s.length - k], b = dst.s[dst.s.length - k];\n  fits = a === b || a === 1;\n}}\n\
                         if (!fits) $err(\"ValueError\", \"could not broadcast input array from shape \" + $shapestr(src.s) + \" into shape \" + $shapestr(dst.s));\n\
                         let data = $dense(src);\n\
                         if (data.buffer === dst.d.buffer) data = data.slice();\n\
                         const sh = dst.s, nd = sh.length, n = $size(sh), ix = new Array(nd).fill(0);\n\
                         const ts = $bstr({{ s, t: $cstr(s) }}, sh);\n\
                         let pd = dst.o, ps = 0;\n\
                         for (let k = 0; k < n; k++) {{\n  dst.d[pd] = {v};\n  {odometer}\n}}"
                    )
                }
            };
            let name = cx.site(&["dst".to_owned(), "src".to_owned()], &body);
            Ok(call(name))
        }
        Intrinsic::NewList => Ok("[]".to_owned()),
    }
}

fn zero(d: DType) -> &'static str {
    if d == DType::Bool { "false" } else { "0" }
}

fn one(d: DType) -> &'static str {
    if d == DType::Bool { "true" } else { "1" }
}

/// The extents of `np.zeros(...)` and the like as a JS array: integer scalars, or tuples
/// of them, in order.
fn extents(vals: &[String], tys: &[&Ty]) -> R<String> {
    let mut parts = Vec::new();
    for (v, t) in vals.iter().zip(tys) {
        match t {
            Ty::Scalar(d) if d.is_int() => parts.push(v.clone()),
            Ty::Tuple(items)
                if items
                    .iter()
                    .all(|i| matches!(i, Ty::Scalar(d) if d.is_int())) =>
            {
                parts.push(format!("...{v}"));
            }
            other => return Err(format!("internal: an extent of type {other}")),
        }
    }
    Ok(format!("[{}]", parts.join(", ")))
}

/// A site function reducing `n` elements `d[p + k * step]` (storage of dtype `ad`) with
/// `r` in dtype `rd`, Numba's sequential loop; returns its name.
fn reducer(cx: &mut Cx, r: ReduceOp, ad: DType, rd: DType) -> R<String> {
    let x = scalar::cast(cx, ad, rd, &scalar::read(ad, "d[p + k * step]"), false);
    let body = match r {
        ReduceOp::Sum | ReduceOp::Prod => {
            let (bop, init) = if r == ReduceOp::Sum {
                (BinaryOp::Add, zero(rd))
            } else {
                (BinaryOp::Mul, one(rd))
            };
            let step = scalar::binary(cx, bop, rd, "acc", &x, None)?;
            format!("let acc = {init};\nfor (let k = 0; k < n; k++) acc = {step};\nreturn acc;")
        }
        ReduceOp::Any | ReduceOp::All => {
            let t = scalar::truth(ad, &scalar::read(ad, "d[p + k * step]"));
            let mut res = |b: &str| scalar::cast(cx, DType::Bool, rd, b, false);
            let (hit, miss) = if r == ReduceOp::Any {
                (res("true"), res("false"))
            } else {
                (res("false"), res("true"))
            };
            let test = if r == ReduceOp::Any {
                t
            } else {
                format!("!{t}")
            };
            format!("for (let k = 0; k < n; k++) if ({test}) return {hit};\nreturn {miss};")
        }
        ReduceOp::Min | ReduceOp::Max => {
            cx.helper("err");
            let better = if r == ReduceOp::Min {
                BinaryOp::Lt
            } else {
                BinaryOp::Gt
            };
            let cmp = scalar::binary(cx, better, rd, "x", "m", None)?;
            let nan = if rd.is_float() {
                "if (x !== x) return x;\n  "
            } else {
                ""
            };
            let first = x.replace("d[p + k * step]", "d[p]");
            format!(
                "if (n === 0) $err(\"ValueError\", {});\n\
                 let m = {first};\n\
                 if (m !== m) return m;\n\
                 for (let k = 1; k < n; k++) {{\n  const x = {x};\n  {nan}if {cmp} m = x;\n}}\n\
                 return m;",
                js_string(&format!(
                    "zero-size array to reduction operation {} which has no identity",
                    if r == ReduceOp::Min {
                        "minimum"
                    } else {
                        "maximum"
                    }
                ))
            )
        }
    };
    Ok(cx.site(
        &[
            "d".to_owned(),
            "p".to_owned(),
            "step".to_owned(),
            "n".to_owned(),
        ],
        &body,
    ))
}

/// An element-wise site over `ops` with NumPy's broadcasting: `elem` gives the result
/// element (dtype `rd`, scalar form) from the operands' elements (scalar form); returns
/// the site function's name. Its parameters are the operands, in order.
fn elementwise(
    cx: &mut Cx,
    copy: bool,
    ops: &[Opnd],
    ty: &Ty,
    rd: DType,
    elem: impl FnOnce(&mut Cx, &[String]) -> R<String>,
) -> R<String> {
    let params: Vec<String> = (0..ops.len()).map(|i| format!("x{i}")).collect();
    let names: Vec<String> = (0..ops.len()).map(|i| format!("a{i}")).collect();
    let arrays: Vec<usize> = (0..ops.len())
        .filter(|&i| matches!(ops[i], Opnd::Array(_)))
        .collect();
    // A copy in the same dtype moves the stored values as they are.
    let raw = copy && ops[0].dtype() == rd && !arrays.is_empty();
    let e = elem(cx, &names)?;
    if arrays.is_empty() {
        let body = if let Ty::Scalar(_) = ty {
            format!(
                "const {};\nreturn {e};",
                (0..ops.len())
                    .map(|i| format!("a{i} = x{i}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            {
                cx.helper("cstr");
                format!(
                    "const {};\nconst out = new {}(1);\nout[0] = {};\n{}",
                    (0..ops.len())
                        .map(|i| format!("a{i} = x{i}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    scalar::ctor(rd),
                    scalar::write(rd, &e),
                    ra("out", "[]")
                )
            }
        };
        return Ok(cx.site(&params, &body));
    }
    for h in ["size", "flat", "bstr", "cstr"] {
        cx.helper(h);
    }
    let shape = if arrays.len() == 1 {
        format!("x{}.s", arrays[0])
    } else {
        cx.helper("bshape");
        format!(
            "$bshape([{}])",
            arrays
                .iter()
                .map(|i| format!("x{i}.s"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let store = if raw {
        "out[k] = d0[P0];".to_owned()
    } else {
        format!("out[k] = {};", scalar::write(rd, &e))
    };
    let reads = |fast: bool| -> String {
        if raw {
            return String::new();
        }
        let v: Vec<String> = (0..ops.len())
            .map(|i| match ops[i] {
                Opnd::Scalar(_) => format!("a{i} = x{i}"),
                Opnd::Array(d) => {
                    let at = if fast {
                        format!("d{i}[o{i} + k]")
                    } else {
                        format!("d{i}[p{i}]")
                    };
                    format!("a{i} = {}", scalar::read(d, &at))
                }
            })
            .collect();
        format!("const {};\n    ", v.join(", "))
    };
    let hoist: Vec<String> = arrays
        .iter()
        .map(|i| format!("d{i} = x{i}.d, o{i} = x{i}.o"))
        .collect();
    let fast_cond: Vec<String> = arrays.iter().map(|i| format!("$flat(x{i}, sh)")).collect();
    let strides: Vec<String> = arrays
        .iter()
        .map(|i| format!("t{i} = $bstr(x{i}, sh)"))
        .collect();
    let ptrs: Vec<String> = arrays.iter().map(|i| format!("p{i} = x{i}.o")).collect();
    let adv: Vec<String> = arrays.iter().map(|i| format!("p{i} += t{i}[j];")).collect();
    let back: Vec<String> = arrays
        .iter()
        .map(|i| format!("p{i} -= t{i}[j] * sh[j];"))
        .collect();
    let fast_store = store.replace("P0", "o0 + k");
    let slow_store = store.replace("P0", "p0");
    let finish = match ty {
        Ty::Scalar(_) => format!("return {};", scalar::read(rd, "out[0]")),
        _ => ra("out", "sh"),
    };
    let body = format!(
        "const sh = {shape}, n = $size(sh), out = new {ctor}(n);\n\
         const {hoist};\n\
         if ({fast}) {{\n  for (let k = 0; k < n; k++) {{\n    {reads_fast}{fast_store}\n  }}\n}} else {{\n\
         \x20 const nd = sh.length, ix = new Array(nd).fill(0), {strides};\n\
         \x20 let {ptrs};\n\
         \x20 for (let k = 0; k < n; k++) {{\n    {reads_slow}{slow_store}\n    for (let j = nd - 1; j >= 0; j--) {{\n      {adv}\n      if (++ix[j] < sh[j]) break;\n      {back}\n      ix[j] = 0;\n    }}\n  }}\n}}\n\
         {finish}",
        ctor = scalar::ctor(rd),
        hoist = hoist.join(", "),
        fast = fast_cond.join(" && "),
        reads_fast = reads(true),
        reads_slow = reads(false),
        strides = strides.join(", "),
        ptrs = ptrs.join(", "),
        adv = adv.join(" "),
        back = back.join(" "),
    );
    Ok(cx.site(&params, &body))
}

/// `np.array([row, row, ...])`: rows of one shape stacked along a new first axis.
fn stack(cx: &mut Cx, vals: &[String], tys: &[&Ty], ty: &Ty) -> R<String> {
    let Ty::Array(t) = ty else {
        return Err(format!("internal: np.array of rows typed {ty}"));
    };
    let rd = t.dtype;
    let mut rows = Vec::new();
    for (i, rt) in tys.iter().enumerate() {
        let r = format!("r{i}");
        rows.push(match rt {
            Ty::List(d) => {
                let v = scalar::cast(cx, *d, rd, "x", false);
                format!("{{ s: [{r}.length], v: {r}.map((x) => {v}) }}")
            }
            Ty::Tuple(items) => {
                let mut v = Vec::new();
                for (k, it) in items.iter().enumerate() {
                    let Some(d) = it.scalar() else {
                        return Err("np.array of a tuple of non-scalars is not generated in the JS baseline".to_owned());
                    };
                    v.push(scalar::cast(cx, d, rd, &format!("{r}[{k}]"), false));
                }
                format!("{{ s: [{}], v: [{}] }}", items.len(), v.join(", "))
            }
            Ty::Array(a) => {
                cx.helper("dense");
                let v = scalar::cast(cx, a.dtype, rd, &scalar::read(a.dtype, "x"), false);
                format!("{{ s: {r}.s, v: Array.from($dense({r}), (x) => {v}) }}")
            }
            Ty::Scalar(d) => {
                let v = scalar::cast(cx, *d, rd, &r, false);
                format!("{{ s: [], v: [{v}] }}")
            }
            other @ Ty::None => return Err(format!("internal: a row of type {other}")),
        });
    }
    cx.helper("err");
    cx.helper("size");
    cx.helper("cstr");
    let empty_row = vec!["0"; usize::from(t.ndim).saturating_sub(1)].join(", ");
    let body = format!(
        "const rows = [{}];\n\
         const rs = rows.length > 0 ? rows[0].s : [{empty_row}];\n\
         for (const r of rows) {{\n  if (r.s.length !== rs.length || r.s.some((n, k) => n !== rs[k])) $err(\"ValueError\", \"setting an array element with a sequence. The requested array has an inhomogeneous shape after 1 dimensions. The detected shape was (\" + rows.length + \",) + inhomogeneous part.\");\n}}\n\
         const sh = [rows.length, ...rs], out = new {}($size(sh));\n\
         let k = 0;\n\
         for (const r of rows) for (const x of r.v) out[k++] = {};\n\
         {}",
        rows.join(", "),
        scalar::ctor(rd),
        scalar::write(rd, "x"),
        ra("out", "sh")
    );
    let params: Vec<String> = (0..vals.len()).map(|i| format!("r{i}")).collect();
    let name = cx.site(&params, &body);
    Ok(format!("{name}({})", vals.join(", ")))
}
