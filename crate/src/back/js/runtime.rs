//! The helper functions the generated JS may call, each emitted only when the program uses
//! it (with the helpers it calls itself). Arrays between functions are plain objects
//! `{ d, o, s, t }`: the typed array, the offset of element 0, the extents and the element
//! strides (the form of `kir::exec::ArrayValue`).

// Every text is a raw string with hashes, whether or not it holds a quote.
#![allow(clippy::needless_raw_string_hashes)]

/// A helper: its name (called as `$name`), the helpers it calls, and its text.
pub(super) struct Helper {
    pub name: &'static str,
    pub deps: &'static [&'static str],
    pub text: &'static str,
}

pub(super) const HELPERS: &[Helper] = &[
    Helper {
        name: "err",
        deps: &[],
        text: r#"function $err(kind, message) { throw new Error(kind + ": " + message); }"#,
    },
    Helper {
        name: "w",
        deps: &["err"],
        text: r#"// A negative index counts from the end, once (Python's wrap).
function $w(i, n, axis) {
  if (i < 0) {
    const j = i + n;
    if (j < 0) $err("IndexError", "index " + i + " is out of bounds for axis " + axis + " with size " + n);
    return j;
  }
  return i;
}"#,
    },
    Helper {
        name: "lw",
        deps: &["err"],
        text: r#"function $lw(i, n) {
  const j = i < 0 ? i + n : i;
  if (j < 0 || j >= n) $err("IndexError", "list index out of range");
  return j;
}"#,
    },
    Helper {
        name: "cstr",
        deps: &[],
        text: r#"function $cstr(s) {
  const t = new Array(s.length);
  let k = 1;
  for (let i = s.length - 1; i >= 0; i--) { t[i] = k; k *= s[i]; }
  return t;
}"#,
    },
    Helper {
        name: "size",
        deps: &[],
        text: r#"function $size(s) { let n = 1; for (let i = 0; i < s.length; i++) n *= s[i]; return n; }"#,
    },
    Helper {
        name: "arg",
        deps: &["cstr"],
        text: r#"// An argument array { data, shape, dtype, stride?, offset? } (or a bare typed array).
function $arg(x) {
  if (ArrayBuffer.isView(x)) return { d: x, o: 0, s: [x.length], t: [1] };
  const s = Array.from(x.shape, Number);
  const t = x.stride === undefined || x.stride === null ? $cstr(s) : Array.from(x.stride, Number);
  return { d: x.data, o: x.offset === undefined || x.offset === null ? 0 : Number(x.offset), s, t };
}"#,
    },
    Helper {
        name: "argc",
        deps: &["arg", "contig", "dense"],
        text: r#"// An argument for a C-contiguous parameter: a view that is not is copied (see $back).
function $argc(x) {
  const a = $arg(x);
  if ($contig(a)) return a;
  const c = { d: $dense(a), o: 0, s: a.s, t: [] };
  for (let k = a.s.length - 1, n = 1; k >= 0; k--) { c.t[k] = n; n *= a.s[k]; }
  c.src = a;
  return c;
}
// Writes a copy made by $argc back into the view it came from.
function $back(c) {
  const a = c.src;
  if (a === undefined) return;
  const nd = a.s.length, ix = new Array(nd).fill(0), n = c.d.length;
  let p = a.o;
  for (let k = 0; k < n; k++) {
    a.d[p] = c.d[k];
    for (let j = nd - 1; j >= 0; j--) {
      p += a.t[j];
      if (++ix[j] < a.s[j]) break;
      p -= a.t[j] * a.s[j];
      ix[j] = 0;
    }
  }
}"#,
    },
    Helper {
        name: "contig",
        deps: &[],
        text: r#"// NumPy's C-contiguity (extents of 1 ignored; an empty array is contiguous).
function $contig(a) {
  let k = 1;
  for (let i = a.s.length - 1; i >= 0; i--) {
    if (a.s[i] === 0) return true;
    if (a.s[i] !== 1) { if (a.t[i] !== k) return false; k *= a.s[i]; }
  }
  return true;
}"#,
    },
    Helper {
        name: "dense",
        deps: &["contig", "size"],
        text: r#"// The elements in C order: the array's own memory when contiguous, else a copy.
function $dense(a) {
  const n = $size(a.s);
  if ($contig(a)) return a.d.subarray(a.o, a.o + n);
  const out = new a.d.constructor(n);
  const nd = a.s.length, ix = new Array(nd).fill(0);
  let p = a.o;
  for (let k = 0; k < n; k++) {
    out[k] = a.d[p];
    for (let j = nd - 1; j >= 0; j--) {
      p += a.t[j];
      if (++ix[j] < a.s[j]) break;
      p -= a.t[j] * a.s[j];
      ix[j] = 0;
    }
  }
  return out;
}"#,
    },
    Helper {
        name: "out",
        deps: &["dense"],
        text: r#"// A result array: { data, shape, dtype }, C-contiguous.
function $out(a, dtype) {
  let data = $dense(a);
  if (data.buffer === a.d.buffer && !(data.byteOffset === a.d.byteOffset && data.length === a.d.length)) data = data.slice();
  return { data, shape: a.s.slice(), dtype };
}"#,
    },
    Helper {
        name: "shapestr",
        deps: &[],
        text: r#"function $shapestr(s) { return s.length === 1 ? "(" + s[0] + ",)" : "(" + s.join(", ") + ")"; }"#,
    },
    Helper {
        name: "alloc",
        deps: &["err", "cstr", "size"],
        text: r#"// A new zero-filled C-contiguous array of the typed array class C.
function $alloc(C, s) {
  for (let i = 0; i < s.length; i++) {
    if (s[i] < 0) $err("ValueError", "negative dimensions are not allowed");
  }
  return { d: new C($size(s)), o: 0, s, t: $cstr(s) };
}"#,
    },
    Helper {
        name: "bshape",
        deps: &["err", "shapestr"],
        text: r#"// NumPy's broadcast of several shapes.
function $bshape(shapes) {
  let nd = 0;
  for (const s of shapes) nd = Math.max(nd, s.length);
  const out = new Array(nd).fill(1);
  for (const s of shapes) {
    for (let k = 0; k < s.length; k++) {
      const d = nd - s.length + k;
      if (out[d] === 1) out[d] = s[k];
      else if (s[k] !== 1 && s[k] !== out[d]) {
        $err("ValueError", "operands could not be broadcast together with shapes " + shapes.map($shapestr).join(" "));
      }
    }
  }
  return out;
}"#,
    },
    Helper {
        name: "bstr",
        deps: &[],
        text: r#"// The strides that read array a as broadcast to shape sh (0 along repeated axes).
function $bstr(a, sh) {
  const lead = sh.length - a.s.length, t = new Array(sh.length).fill(0);
  for (let k = 0; k < a.s.length; k++) if (a.s[k] !== 1) t[lead + k] = a.t[k];
  return t;
}"#,
    },
    Helper {
        name: "flat",
        deps: &["contig"],
        text: r#"// Whether array a has shape sh and is C-contiguous (read at a.o + k).
function $flat(a, sh) {
  if (a.s.length !== sh.length) return false;
  for (let k = 0; k < sh.length; k++) if (a.s[k] !== sh[k]) return false;
  return $contig(a);
}"#,
    },
    Helper {
        name: "view",
        deps: &["w", "err"],
        text: r#"// A view: an integer subscript (a number) drops its axis, a slice ([start, stop, step],
// absent parts undefined) keeps it with Python's slice rules.
function $view(a, ix) {
  let o = a.o;
  const s = [], t = [];
  for (let k = 0; k < a.s.length; k++) {
    const n = a.s[k], st = a.t[k], x = k < ix.length ? ix[k] : null;
    if (x === null) { s.push(n); t.push(st); }
    else if (typeof x === "number") o += $w(x, n, k) * st;
    else {
      const step = x[2] === undefined ? 1 : x[2];
      if (step === 0) $err("ValueError", "slice step cannot be zero");
      const lower = step < 0 ? -1 : 0, upper = step < 0 ? n - 1 : n;
      const clamp = (v, dflt) => v === undefined ? dflt : v < 0 ? Math.max(v + n, lower) : Math.min(v, upper);
      const start = clamp(x[0], step < 0 ? upper : lower), stop = clamp(x[1], step < 0 ? lower : upper);
      let count = 0;
      if (step > 0 && stop > start) count = Math.floor((stop - start - 1) / step) + 1;
      else if (step < 0 && start > stop) count = Math.floor((start - stop - 1) / -step) + 1;
      if (count > 0) o += start * st;
      s.push(count);
      t.push(count > 1 ? st * step : st);
    }
  }
  return { d: a.d, o, s, t };
}"#,
    },
    Helper {
        name: "transpose",
        deps: &[],
        text: r#"function $transpose(a) { return { d: a.d, o: a.o, s: a.s.slice().reverse(), t: a.t.slice().reverse() }; }"#,
    },
    Helper {
        name: "reshape",
        deps: &["err", "contig", "size", "cstr"],
        text: r#"// a.reshape(...) of a C-contiguous array (one extent may be -1), sharing its memory.
function $reshape(a, ex) {
  if (!$contig(a)) $err("ValueError", "reshape() supports contiguous array only");
  let unknown = 0, known = 1;
  for (const n of ex) {
    if (n === -1) unknown++;
    else if (n < -1) $err("ValueError", "negative dimensions not allowed");
    else known *= n;
  }
  if (unknown > 1) $err("ValueError", "can only specify one unknown dimension");
  const size = $size(a.s);
  let inferred = 0;
  if (unknown === 1 && known !== 0 && size % known === 0) inferred = size / known;
  else if (!(unknown === 0 && known === size)) {
    const parts = ex.map((n) => (n === -1 ? "newaxis" : String(n)));
    const text = parts.length === 1 ? "(" + parts[0] + ",)" : "(" + parts.join(",") + ")";
    $err("ValueError", "cannot reshape array of size " + size + " into shape " + text);
  }
  const s = ex.map((n) => (n === -1 ? inferred : n));
  return { d: a.d, o: a.o, s, t: $cstr(s) };
}"#,
    },
    Helper {
        name: "chunk",
        deps: &[],
        text: r#"// kir::parallel::chunk_plan: the chunk length of a loop of `trips` iterations.
function $chunk(trips, byCost) { return Math.max(Math.ceil(trips / 64), byCost, 1); }"#,
    },
    Helper {
        name: "zerostep",
        deps: &["err"],
        text: r#"function $zerostep() { $err("ValueError", "range() arg 3 must not be zero"); }"#,
    },
    Helper {
        name: "zde",
        deps: &["err"],
        text: r#"function $zde(message) { $err("ZeroDivisionError", message); }"#,
    },
    Helper {
        name: "pydiv",
        deps: &["zde"],
        text: r#"// A divisor under Python's error model: zero raises.
function $pydiv(b, message) { if (b === 0) $zde(message); return b; }"#,
    },
    Helper {
        name: "pypow",
        deps: &["zde"],
        text: r#"// Numba's integer power with a negative exponent (NaN: computed as usual).
function $pypow(b, e) {
  if (e >= 0) return NaN;
  if (b === 0) $zde("0 cannot be raised to a negative power");
  if (b === 1) return 1;
  if (b === -1) return e % 2 === 0 ? 1 : -1;
  return 0;
}"#,
    },
    Helper {
        name: "npow",
        deps: &["err"],
        text: r#"function $npow(e) { if (e < 0) $err("ValueError", "Integers to negative integer powers are not allowed."); return e; }"#,
    },
    Helper {
        name: "f2i",
        deps: &[],
        text: r#"// A float to int64 as Numba converts it before wrapping to a narrower integer.
function $f2i(x) { return x !== x ? 0 : x >= 9223372036854775808 ? -1 : x < -9223372036854775808 ? 0 : Math.trunc(x) + 0; }"#,
    },
    Helper {
        name: "sat",
        deps: &[],
        text: r#"// A float to an integer, saturating (NaN gives 0).
function $sat(x, lo, hi) { return x !== x ? 0 : x <= lo ? lo : x >= hi ? hi : Math.trunc(x) + 0; }"#,
    },
    Helper {
        name: "u2i64",
        deps: &[],
        text: r#"function $u2i64(x) { return x >= 9223372036854775808 ? x - 18446744073709551616 : x; }"#,
    },
    Helper {
        name: "i2u64",
        deps: &[],
        text: r#"function $i2u64(x) { return x < 0 ? x + 18446744073709551616 : x; }"#,
    },
    Helper {
        name: "isnan",
        deps: &[],
        text: r#"function $isnan(x) { return x !== x; }"#,
    },
    Helper {
        name: "isinf",
        deps: &[],
        text: r#"function $isinf(x) { return x === Infinity || x === -Infinity; }"#,
    },
    Helper {
        name: "signbit",
        deps: &[],
        text: r#"function $signbit(x) { return x < 0 || (x === 0 && 1 / x < 0); }"#,
    },
    Helper {
        name: "sq",
        deps: &[],
        text: r#"function $sq(x) { return x * x; }"#,
    },
    Helper {
        name: "isq32",
        deps: &[],
        text: r#"function $isq32(x) { return Math.imul(x, x); }"#,
    },
    Helper {
        name: "rint",
        deps: &[],
        text: r#"// Round half to even, keeping the sign of zero.
function $rint(x) {
  const f = Math.floor(x), d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  return r === 0 && (x < 0 || 1 / x < 0) ? -0 : r;
}"#,
    },
    Helper {
        name: "fsign",
        deps: &[],
        text: r#"function $fsign(x) { return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x; }"#,
    },
    Helper {
        name: "maximum",
        deps: &[],
        text: r#"function $maximum(a, b) { return a !== a ? a : b !== b ? b : a > b ? a : b; }"#,
    },
    Helper {
        name: "minimum",
        deps: &[],
        text: r#"function $minimum(a, b) { return a !== a ? a : b !== b ? b : a < b ? a : b; }"#,
    },
    Helper {
        name: "fmax",
        deps: &[],
        text: r#"function $fmax(a, b) { return b !== b || a >= b ? a : b; }"#,
    },
    Helper {
        name: "fmin",
        deps: &[],
        text: r#"function $fmin(a, b) { return b !== b || a <= b ? a : b; }"#,
    },
    Helper {
        name: "copysign",
        deps: &["signbit"],
        text: r#"function $copysign(a, b) { const m = Math.abs(a); return $signbit(b) ? -m : m; }"#,
    },
    Helper {
        name: "nextafter",
        deps: &[],
        text: r#"const $nb = new Float64Array(1), $nbi = new BigInt64Array($nb.buffer);
function $nextafter(x, y) {
  if (x !== x || y !== y) return x + y;
  if (x === y) return y;
  if (x === 0) return y > 0 ? 5e-324 : -5e-324;
  $nb[0] = x;
  $nbi[0] += (y > x) === (x > 0) ? 1n : -1n;
  return $nb[0];
}"#,
    },
    Helper {
        name: "nextafter32",
        deps: &[],
        text: r#"const $nf = new Float32Array(1), $nfi = new Int32Array($nf.buffer);
function $nextafter32(x, y) {
  if (x !== x || y !== y) return Math.fround(x + y);
  if (x === y) return y;
  if (x === 0) return y > 0 ? 1.401298464324817e-45 : -1.401298464324817e-45;
  $nf[0] = x;
  $nfi[0] += (y > x) === (x > 0) ? 1 : -1;
  return $nf[0];
}"#,
    },
    Helper {
        name: "fdiv",
        deps: &[],
        text: r#"// NumPy's npy_divmod: the floor quotient of floats.
function $fdiv(a, b) {
  if (b === 0) return a / b;
  const m = a % b;
  let div = (a - m) / b;
  if (m !== 0 && (b < 0) !== (m < 0)) div -= 1;
  if (div !== 0) { const f = Math.floor(div); return div - f > 0.5 ? f + 1 : f; }
  const q = a / b;
  return q < 0 || (q === 0 && 1 / q < 0) ? -0 : 0;
}"#,
    },
    Helper {
        name: "fmod",
        deps: &[],
        text: r#"// NumPy's npy_divmod: the modulus of floats, with the sign of the divisor.
function $fmod(a, b) {
  if (b === 0) return a % b;
  let m = a % b;
  if (m === 0) return b < 0 ? -0 : 0;
  if ((b < 0) !== (m < 0)) m += b;
  return m;
}"#,
    },
    Helper {
        name: "fdiv32",
        deps: &[],
        text: r#"// npy_divmod in float32 (every step rounded to float32).
function $fdiv32(a, b) {
  const f = Math.fround;
  if (b === 0) return f(a / b);
  const m = f(a % b);
  let div = f(f(a - m) / b);
  if (m !== 0 && (b < 0) !== (m < 0)) div = f(div - 1);
  if (div !== 0) { const fl = Math.floor(div); return f(div - fl) > 0.5 ? f(fl + 1) : fl; }
  const q = f(a / b);
  return q < 0 || (q === 0 && 1 / q < 0) ? -0 : 0;
}"#,
    },
    Helper {
        name: "fmod32",
        deps: &[],
        text: r#"function $fmod32(a, b) {
  if (b === 0) return NaN;
  let m = Math.fround(a % b);
  if (m === 0) return b < 0 ? -0 : 0;
  if ((b < 0) !== (m < 0)) m = Math.fround(m + b);
  return m;
}"#,
    },
    Helper {
        name: "ifdiv",
        deps: &[],
        text: r#"// Integer // as NumPy: floor, 0 for a zero divisor.
function $ifdiv(a, b) { return b === 0 ? 0 : Math.floor(a / b) + 0; }"#,
    },
    Helper {
        name: "imod",
        deps: &[],
        text: r#"// Integer % as NumPy: the sign of the divisor, 0 for a zero divisor.
function $imod(a, b) {
  if (b === 0) return 0;
  const r = a % b;
  return r !== 0 && (r < 0) !== (b < 0) ? r + b : r + 0;
}"#,
    },
    Helper {
        name: "ifmod",
        deps: &[],
        text: r#"function $ifmod(a, b) { return b === 0 ? 0 : (a % b) + 0; }"#,
    },
    Helper {
        name: "ipow64",
        deps: &[],
        text: r#"// Integer ** by squaring (a negative exponent gives 0), in doubles.
function $ipow64(a, e) {
  if (e < 0) return 0;
  let acc = 1;
  while (e > 0) { if (e % 2 === 1) acc *= a; a *= a; e = Math.floor(e / 2); }
  return acc + 0;
}"#,
    },
    Helper {
        name: "ipow32",
        deps: &[],
        text: r#"// Integer ** by squaring modulo 2^32 (the caller wraps to its width).
function $ipow32(a, e) {
  if (e < 0) return 0;
  let acc = 1;
  while (e > 0) { if (e % 2 === 1) acc = Math.imul(acc, a); a = Math.imul(a, a); e = Math.floor(e / 2); }
  return acc;
}"#,
    },
    Helper {
        name: "irecip",
        deps: &[],
        text: r#"function $irecip(a, zero) { return a === 0 ? zero : a === 1 ? 1 : a === -1 ? -1 : 0; }"#,
    },
    Helper {
        name: "shl",
        deps: &[],
        text: r#"function $shl(a, b, bits) { return b >= 0 && b < bits ? a * Math.pow(2, b) : 0; }"#,
    },
    Helper {
        name: "shr",
        deps: &[],
        text: r#"function $shr(a, b, bits) { return b >= 0 && b < bits ? Math.floor(a / Math.pow(2, b)) + 0 : a < 0 ? -1 : 0; }"#,
    },
    Helper {
        name: "band",
        deps: &[],
        text: r#"function $band(a, b) { return (a | 0) === a && (b | 0) === b ? a & b : Number(BigInt.asIntN(64, BigInt(a) & BigInt(b))); }"#,
    },
    Helper {
        name: "bor",
        deps: &[],
        text: r#"function $bor(a, b) { return (a | 0) === a && (b | 0) === b ? a | b : Number(BigInt.asIntN(64, BigInt(a) | BigInt(b))); }"#,
    },
    Helper {
        name: "bxor",
        deps: &[],
        text: r#"function $bxor(a, b) { return (a | 0) === a && (b | 0) === b ? a ^ b : Number(BigInt.asIntN(64, BigInt(a) ^ BigInt(b))); }"#,
    },
];

/// The helper named `name`.
pub(super) fn find(name: &str) -> Option<&'static Helper> {
    HELPERS.iter().find(|h| h.name == name)
}
