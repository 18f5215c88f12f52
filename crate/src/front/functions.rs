//! The functions of the expression language, as data: one row per name.
//!
//! ```text
//! FUNCTIONS ──lookup(name)──▶ &FunctionDef ──▶ front::expr (name check, did-you-mean,
//!                                               arity, keywords, what it lowers to)
//!           ──api::function_table_json──▶ the npm package's functions() ──▶ the
//!                                               playground's completions and JS baseline
//! ```
//!
//! A row says what a name lowers to, how many positional arguments it takes, which
//! keywords it accepts and which of the dtype rules of [`crate::types`] its result
//! follows. The rules are those that `types::promote` and the lowering apply; the table
//! names them for documentation and tools, and this file's tests hold every row's result
//! dtypes to its rule; the lowering itself gets the dtypes from the op, through `types`,
//! except that a one-operand [`Rule::Float`] row first casts its operand to its float dtype:
//! `rint` and `round` share the op, whose integer loop keeps the dtype as `np.round` does,
//! while `np.rint` of an integer is a float.
//! The rows are in the order the did-you-mean suggestions break ties in.

use Accuracy::{Exact, Ulp};

use crate::types::{BinaryOp, BinaryOp as B, ReduceOp, UnaryOp, UnaryOp as U};

/// What a call lowers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lowering {
    /// One element-wise IR operation on the argument.
    Unary(UnaryOp),
    /// One element-wise IR operation on the two arguments, NumPy-promoted.
    Binary(BinaryOp),
    /// A reduction over all elements or along `axis`.
    Reduce(ReduceOp),
    /// `mean`: a sum reduction divided by the element count (float64 unless float).
    Mean,
    /// Lowered by its own code in `front::expr`.
    Special(Special),
}

/// The functions the lowering builds by hand rather than as one IR operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Special {
    /// The argument as an array: no node of its own (values are immutable); a Python scalar
    /// becomes a constant of its default dtype.
    Copy,
    /// The real part: the argument itself (no complex dtypes); a Python scalar stays one.
    Real,
    /// The imaginary part: zeros of the argument's dtype; a Python scalar stays one.
    Imag,
    /// The complex conjugate: the argument itself, bool as int8.
    Conj,
    /// `where(c, a, b)`: a select node.
    Where,
    /// `clip(a, lo, hi)`: maximum and minimum nodes; a Python int bound at or beyond an
    /// integer dtype's limit is dropped.
    Clip,
}

/// The kind of dtype rule a function's result follows (see `types::promote`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// NumPy promotion of the operands (NEP 50: a Python scalar takes the array's kind, and
    /// a Python int outside the array dtype's range is an OverflowError); the function
    /// computes in and returns the promoted dtype.
    Promote,
    /// As [`Rule::Promote`], but bool, which has no loop, computes as int8.
    PromoteBoolAsInt8,
    /// A float function: float dtypes stay, bool and integers of up to 16 bits compute in
    /// float32 (NumPy: float16 for bool and 8 bits), wider integers in float64
    /// (`types::float_of`).
    /// Two operands promote first, except that two integer arrays that both fit float32 give
    /// float32 (`arctan2(u16, i16)`).
    Float,
    /// The operand's dtype (a Python scalar: its default dtype, int64, float64 or bool).
    /// Where NumPy has no loop for a dtype (sign of bool) the result is NumPy's TypeError.
    Same,
    /// The operand's dtype, bool as int8.
    SameBoolAsInt8,
    /// Integers and floats keep their dtype; bool computes in float32 (NumPy: float16).
    SameOrFloat,
    /// bool, whatever the operand.
    Bool,
    /// A sum or product: bool and signed integers accumulate in int64, unsigned integers in
    /// uint64, floats in their own dtype (`types::reduce_signature`).
    Accumulate,
    /// Float dtypes stay, anything else computes in float64.
    Float64,
    /// `where`: the condition as bool (a Python scalar by its truth), the two branches
    /// promoted as by [`Rule::Promote`] except that a Python int outside the dtype wraps.
    Select,
    /// `clip`: the first argument as an array (a Python scalar gets its default dtype), the
    /// bounds promoted with it as by [`Rule::Promote`]; a Python int bound at or beyond an
    /// integer dtype's limit is dropped.
    Clip,
}

/// How close the engine's result is to the correctly rounded one, element by element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accuracy {
    /// Exact, or correctly rounded (a float reduction still rounds in its own order).
    Exact,
    /// Within 1 ULP: the engine's own SIMD math (`vmath`), as NumPy's libm may differ too.
    Ulp,
}

/// One function of the expression language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FunctionDef {
    pub name: &'static str,
    pub lowering: Lowering,
    /// The fewest positional arguments.
    pub min_args: usize,
    /// The most positional arguments. Each keyword is also the last positional parameters'
    /// name (`sum(x, 0)` is `sum(x, axis=0)`), so a keyword given takes one away.
    pub max_args: usize,
    pub rule: Rule,
    /// The keyword arguments it accepts.
    pub keywords: &'static [&'static str],
    pub accuracy: Accuracy,
    /// One line for completions.
    pub doc: &'static str,
    /// The row this name is another spelling of.
    pub alias_of: Option<&'static str>,
}

impl FunctionDef {
    /// A reduction: it takes `axis` and lowers through the reduction path.
    #[must_use]
    pub fn is_reduction(&self) -> bool {
        matches!(self.lowering, Lowering::Reduce(_) | Lowering::Mean)
    }

    const fn alias(mut self, of: &'static str) -> Self {
        self.alias_of = Some(of);
        self
    }

    const fn keywords(mut self, keywords: &'static [&'static str]) -> Self {
        self.keywords = keywords;
        self
    }
}

impl Lowering {
    /// `unary`, `binary`, `reduce` or `special`, as the IR's JSON names node kinds.
    #[must_use]
    pub fn kind_name(self) -> &'static str {
        match self {
            Lowering::Unary(_) => "unary",
            Lowering::Binary(_) => "binary",
            Lowering::Reduce(_) | Lowering::Mean => "reduce",
            Lowering::Special(_) => "special",
        }
    }

    /// The IR operation's name (as in dumps and the IR's JSON), or the special's.
    #[must_use]
    pub fn op_name(self) -> &'static str {
        match self {
            Lowering::Unary(op) => op.name(),
            Lowering::Binary(op) => op.name(),
            Lowering::Reduce(op) => op.name(),
            Lowering::Mean => "mean",
            Lowering::Special(s) => match s {
                Special::Copy => "copy",
                Special::Real => "real",
                Special::Imag => "imag",
                Special::Conj => "conjugate",
                Special::Where => "where",
                Special::Clip => "clip",
            },
        }
    }
}

impl Rule {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Rule::Promote => "promote",
            Rule::PromoteBoolAsInt8 => "promote-bool-as-int8",
            Rule::Float => "float",
            Rule::Same => "same",
            Rule::SameBoolAsInt8 => "same-bool-as-int8",
            Rule::SameOrFloat => "same-or-float",
            Rule::Bool => "bool",
            Rule::Accumulate => "accumulate",
            Rule::Float64 => "float64",
            Rule::Select => "select",
            Rule::Clip => "clip",
        }
    }
}

impl Accuracy {
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Accuracy::Exact => "exact",
            Accuracy::Ulp => "ulp",
        }
    }
}

const fn def(
    name: &'static str,
    lowering: Lowering,
    (min_args, max_args): (usize, usize),
    rule: Rule,
    accuracy: Accuracy,
    doc: &'static str,
) -> FunctionDef {
    FunctionDef {
        name,
        lowering,
        min_args,
        max_args,
        rule,
        keywords: &[],
        accuracy,
        doc,
        alias_of: None,
    }
}

/// A function of one array computed in float, within 1 ULP.
const fn float1(name: &'static str, op: UnaryOp, doc: &'static str) -> FunctionDef {
    def(name, Lowering::Unary(op), (1, 1), Rule::Float, Ulp, doc)
}

const fn unary(name: &'static str, op: UnaryOp, rule: Rule, doc: &'static str) -> FunctionDef {
    def(name, Lowering::Unary(op), (1, 1), rule, Exact, doc)
}

const fn binary(
    name: &'static str,
    op: BinaryOp,
    rule: Rule,
    accuracy: Accuracy,
    doc: &'static str,
) -> FunctionDef {
    def(name, Lowering::Binary(op), (2, 2), rule, accuracy, doc)
}

const fn special(
    name: &'static str,
    s: Special,
    args: usize,
    rule: Rule,
    doc: &'static str,
) -> FunctionDef {
    def(name, Lowering::Special(s), (args, args), rule, Exact, doc)
}

/// `name(a)` or `name(a, axis)`.
const fn reduction(
    name: &'static str,
    lowering: Lowering,
    rule: Rule,
    doc: &'static str,
) -> FunctionDef {
    def(name, lowering, (1, 2), rule, Exact, doc).keywords(&["axis"])
}

/// Every function of the expression language.
// One row per line, so that the table reads as one.
#[rustfmt::skip]
pub static FUNCTIONS: &[FunctionDef] = &[
    special("copy", Special::Copy, 1, Rule::Same, "a copy of the array"),
    unary("ones_like", U::One, Rule::Same, "ones of the operand's shape and dtype"),
    def("sqrt", Lowering::Unary(U::Sqrt), (1, 1), Rule::Float, Exact, "square root, correctly rounded"),
    float1("sin", U::Sin, "sine (radians)"),
    float1("cos", U::Cos, "cosine (radians)"),
    float1("tan", U::Tan, "tangent (radians)"),
    float1("arcsin", U::Arcsin, "inverse sine, in [-pi/2, pi/2]"),
    float1("arccos", U::Arccos, "inverse cosine, in [0, pi]"),
    float1("arctan", U::Arctan, "inverse tangent, in [-pi/2, pi/2]"),
    float1("sinh", U::Sinh, "hyperbolic sine"),
    float1("cosh", U::Cosh, "hyperbolic cosine"),
    float1("tanh", U::Tanh, "hyperbolic tangent"),
    float1("arcsinh", U::Arcsinh, "inverse hyperbolic sine"),
    float1("arccosh", U::Arccosh, "inverse hyperbolic cosine"),
    float1("arctanh", U::Arctanh, "inverse hyperbolic tangent"),
    binary("fmod", B::Fmod, Rule::PromoteBoolAsInt8, Exact, "remainder of a division, with the sign of the dividend (C's fmod)"),
    binary("arctan2", B::Arctan2, Rule::Float, Ulp, "arctan(x1/x2) in the quadrant of (x2, x1)"),
    binary("hypot", B::Hypot, Rule::Float, Ulp, "sqrt(x1**2 + x2**2) without overflow"),
    binary("nextafter", B::Nextafter, Rule::Float, Exact, "the next float after x1 towards x2"),
    binary("copysign", B::Copysign, Rule::Float, Exact, "x1's magnitude with x2's sign"),
    binary("maximum", B::Maximum, Rule::Promote, Exact, "element-wise maximum; NaN if either is NaN"),
    binary("minimum", B::Minimum, Rule::Promote, Exact, "element-wise minimum; NaN if either is NaN"),
    float1("log", U::Log, "natural logarithm"),
    float1("log1p", U::Log1p, "log(1 + x), accurate near 0"),
    float1("log10", U::Log10, "base-10 logarithm"),
    float1("log2", U::Log2, "base-2 logarithm"),
    float1("exp", U::Exp, "e to the power x"),
    float1("exp2", U::Exp2, "2 to the power x"),
    float1("expm1", U::Expm1, "exp(x) - 1, accurate near 0"),
    float1("cbrt", U::Cbrt, "cube root"),
    unary("abs", U::Abs, Rule::Same, "absolute value").alias("absolute"),
    unary("absolute", U::Abs, Rule::Same, "absolute value"),
    unary("ceil", U::Ceil, Rule::Same, "smallest integer not below x"),
    unary("floor", U::Floor, Rule::Same, "largest integer not above x"),
    unary("round", U::Rint, Rule::SameOrFloat, "round to the nearest integer, halves to even; integers stay integers"),
    unary("rint", U::Rint, Rule::Float, "round to the nearest integer, halves to even, as a float"),
    unary("trunc", U::Trunc, Rule::Same, "round towards zero"),
    unary("sign", U::Sign, Rule::Same, "-1, 0 or 1 by the sign (NaN stays NaN)"),
    special("where", Special::Where, 3, Rule::Select, "x where condition is true, else y"),
    unary("isnan", U::IsNan, Rule::Bool, "true where NaN"),
    unary("isfinite", U::IsFinite, Rule::Bool, "true where neither infinite nor NaN"),
    unary("isinf", U::IsInf, Rule::Bool, "true where +inf or -inf"),
    unary("signbit", U::Signbit, Rule::Bool, "true where the sign bit is set (-0.0 included)"),
    special("real", Special::Real, 1, Rule::Same, "the real part: the value itself (no complex dtypes)"),
    special("imag", Special::Imag, 1, Rule::Same, "the imaginary part: zeros (no complex dtypes)"),
    special("conj", Special::Conj, 1, Rule::SameBoolAsInt8, "complex conjugate: the value itself (no complex dtypes)").alias("conjugate"),
    special("conjugate", Special::Conj, 1, Rule::SameBoolAsInt8, "complex conjugate: the value itself (no complex dtypes)"),
    special("clip", Special::Clip, 3, Rule::Clip, "a limited to [a_min, a_max]"),
    unary("square", U::Square, Rule::SameBoolAsInt8, "x * x"),
    unary("reciprocal", U::Reciprocal, Rule::SameBoolAsInt8, "1 / x (integer division for integers)"),
    binary("fmax", B::Fmax, Rule::Promote, Exact, "element-wise maximum, ignoring a NaN"),
    binary("fmin", B::Fmin, Rule::Promote, Exact, "element-wise minimum, ignoring a NaN"),
    reduction("sum", Lowering::Reduce(ReduceOp::Sum), Rule::Accumulate, "sum of the elements, or along axis"),
    reduction("prod", Lowering::Reduce(ReduceOp::Prod), Rule::Accumulate, "product of the elements, or along axis"),
    reduction("min", Lowering::Reduce(ReduceOp::Min), Rule::Same, "smallest element, or along axis; NaN if any is NaN"),
    reduction("max", Lowering::Reduce(ReduceOp::Max), Rule::Same, "largest element, or along axis; NaN if any is NaN"),
    reduction("mean", Lowering::Mean, Rule::Float64, "arithmetic mean, or along axis"),
    reduction("any", Lowering::Reduce(ReduceOp::Any), Rule::Bool, "true if any element is true, or along axis"),
    reduction("all", Lowering::Reduce(ReduceOp::All), Rule::Bool, "true if every element is true, or along axis"),
];

/// The row of a function name.
#[must_use]
pub fn lookup(name: &str) -> Option<&'static FunctionDef> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// The function names, in the table's order.
pub fn names() -> impl Iterator<Item = &'static str> + Clone {
    FUNCTIONS.iter().map(|f| f.name)
}

#[cfg(test)]
mod tests {
    //! Every row against the expression front end: it lowers with its documented arity and
    //! keywords to its documented operation, its result dtypes follow its documented rule,
    //! and a wrong arity or keyword is the TypeError the lowering promises.

    use super::*;
    use crate::front::expr::{InputKind, LowerError, LowerErrorKind, Signature, lower};
    use crate::ir::{Function, Node};
    use crate::types::{DType, float_of, promote, reduce_signature};

    const DTYPES: [DType; 11] = [
        DType::Bool,
        DType::I8,
        DType::I16,
        DType::I32,
        DType::I64,
        DType::U8,
        DType::U16,
        DType::U32,
        DType::U64,
        DType::F32,
        DType::F64,
    ];

    /// Array inputs `a0`, `a1`, `a2` of dtype `d` and shape [4], and `m` float64 [2, 3].
    fn signature(ds: [DType; 3]) -> Signature {
        let mut inputs: Vec<(String, InputKind)> = ds
            .iter()
            .enumerate()
            .map(|(i, &dtype)| {
                let shape = vec![4];
                (format!("a{i}"), InputKind::Array { dtype, shape })
            })
            .collect();
        let shape = vec![2, 3];
        let m = InputKind::Array {
            dtype: DType::F64,
            shape,
        };
        inputs.push(("m".into(), m));
        Signature { inputs }
    }

    fn lower_src(src: &str, sig: &Signature) -> Result<Function, LowerError> {
        let ast = crate::syntax::parse(src).unwrap_or_else(|e| panic!("{src}: {e:?}"));
        lower(&ast, sig)
    }

    /// The value the test passes for a keyword parameter.
    fn keyword_value(k: &str) -> &'static str {
        match k {
            "axis" => "0",
            _ => panic!("no test value for keyword '{k}': add one"),
        }
    }

    /// A call of `f` with `n` positional arguments that the front end accepts (a keyword
    /// parameter gets its test value).
    fn call(f: &FunctionDef, n: usize) -> String {
        let first_keyword = f.max_args - f.keywords.len();
        let args: Vec<String> = (0..n)
            .map(|i| {
                if i >= first_keyword {
                    keyword_value(f.keywords[i - first_keyword]).to_owned()
                } else {
                    format!("a{}", i % 3)
                }
            })
            .collect();
        format!("{}({})", f.name, args.join(", "))
    }

    fn has_op(f: &Function, lowering: Lowering) -> bool {
        f.handles().any(|h| match (f.node(h), lowering) {
            (Node::Unary(op, _), Lowering::Unary(want)) => *op == want,
            (Node::Binary(op, _, _), Lowering::Binary(want)) => *op == want,
            (Node::Reduce(op, _, _), Lowering::Reduce(want)) => *op == want,
            (Node::Reduce(ReduceOp::Sum, _, _), Lowering::Mean)
            | (Node::Select(..), Lowering::Special(Special::Where)) => true,
            _ => false,
        })
    }

    #[test]
    fn names_are_unique_and_aliases_are_other_spellings_of_rows() {
        for (i, f) in FUNCTIONS.iter().enumerate() {
            assert!(
                FUNCTIONS[..i].iter().all(|g| g.name != f.name),
                "{} twice",
                f.name
            );
            assert_eq!(lookup(f.name), Some(f));
            if let Some(of) = f.alias_of {
                let target = lookup(of).unwrap_or_else(|| panic!("{}: no row {of}", f.name));
                assert_eq!(target.alias_of, None, "{}: alias of an alias", f.name);
                let same = FunctionDef {
                    name: target.name,
                    doc: target.doc,
                    alias_of: None,
                    ..*f
                };
                assert_eq!(&same, target, "{} differs from {of}", f.name);
            }
        }
        assert_eq!(names().count(), FUNCTIONS.len());
        assert_eq!(lookup("nosuch"), None);
    }

    #[test]
    fn arities_and_keywords_are_consistent() {
        for f in FUNCTIONS {
            assert!(f.min_args <= f.max_args, "{}", f.name);
            // Keywords name trailing optional positional parameters.
            assert!(f.keywords.len() <= f.max_args - f.min_args, "{}", f.name);
            assert_eq!(f.is_reduction(), f.keywords == ["axis"], "{}", f.name);
            match f.lowering {
                Lowering::Unary(op) => {
                    assert_eq!((f.min_args, f.max_args), (1, 1), "{}", f.name);
                    let ulp = op.is_transcendental();
                    assert_eq!(f.accuracy == Accuracy::Ulp, ulp, "{}", f.name);
                }
                Lowering::Binary(_) => assert_eq!((f.min_args, f.max_args), (2, 2), "{}", f.name),
                Lowering::Reduce(_) | Lowering::Mean | Lowering::Special(_) => {
                    assert_eq!(f.accuracy, Accuracy::Exact, "{}", f.name);
                }
            }
            assert!(!f.doc.is_empty() && !f.doc.contains('\n'), "{}", f.name);
        }
    }

    #[test]
    fn every_row_lowers_with_its_arity_and_keywords() {
        let sig = signature([DType::F64; 3]);
        for f in FUNCTIONS {
            for n in f.min_args..=f.max_args {
                let src = call(f, n);
                let ir = lower_src(&src, &sig).unwrap_or_else(|e| panic!("{src}: {e:?}"));
                if !matches!(f.lowering, Lowering::Special(s) if s != Special::Where) {
                    assert!(
                        has_op(&ir, f.lowering),
                        "{src}: no {:?} in\n{ir}",
                        f.lowering
                    );
                }
            }
            for k in f.keywords {
                let src = format!("{}(m, {k}={})", f.name, keyword_value(k));
                lower_src(&src, &sig).unwrap_or_else(|e| panic!("{src}: {e:?}"));
            }
        }
    }

    #[test]
    fn a_wrong_arity_or_keyword_is_a_type_error() {
        let sig = signature([DType::F64; 3]);
        for f in FUNCTIONS {
            let max = f.max_args;
            let wrong = [f.min_args.checked_sub(1), Some(max + 1)];
            for n in wrong.into_iter().flatten() {
                let args: Vec<String> = (0..n).map(|i| format!("a{}", i % 3)).collect();
                let src = format!("{}({})", f.name, args.join(", "));
                let e = lower_src(&src, &sig).expect_err(&src);
                let want = if f.min_args == max {
                    format!("{max}")
                } else {
                    format!("{} to {max}", f.min_args)
                };
                let s = if max == 1 { "" } else { "s" };
                let message = format!(
                    "{}() takes {want} positional argument{s} but {n} were given",
                    f.name
                );
                assert_eq!((e.kind, e.message), (LowerErrorKind::Type, message));
            }
            let src = format!("{}(a0, bogus=1)", f.name);
            let e = lower_src(&src, &sig).expect_err(&src);
            let message = format!("{}() got an unexpected keyword argument 'bogus'", f.name);
            assert_eq!((e.kind, e.message), (LowerErrorKind::Type, message));
        }
        let e = lower_src("nosuch(a0)", &sig).expect_err("nosuch");
        assert_eq!(
            (e.kind, e.message),
            (
                LowerErrorKind::Name,
                "function 'nosuch' is not defined".into()
            )
        );
    }

    /// NumPy's spelling of every row, `np.name(...)` or `numpy.name(...)`, and the method
    /// form of every reduction, `a.name(axis)`, lower to exactly the plain call's IR.
    #[test]
    fn numpy_spellings_lower_as_the_plain_call() {
        let sig = signature([DType::I16, DType::F32, DType::U8]);
        let dump = |src: &str| {
            let ir = lower_src(src, &sig).unwrap_or_else(|e| panic!("{src}: {e:?}"));
            ir.to_string()
        };
        let mut checked = 0;
        for f in FUNCTIONS {
            for n in f.min_args..=f.max_args {
                let plain = call(f, n);
                for module in ["np", "numpy"] {
                    assert_eq!(
                        dump(&format!("{module}.{plain}")),
                        dump(&plain),
                        "{module}."
                    );
                }
                if f.is_reduction() {
                    let tail = if n == 2 { "0" } else { "" };
                    let method = format!("(a0 + 1).{}({tail})", f.name);
                    let function = format!("{}(a0 + 1{})", f.name, if n == 2 { ", 0" } else { "" });
                    assert_eq!(dump(&method), dump(&function), "{method}");
                    let method = format!("m.{}(axis=1)", f.name);
                    assert_eq!(dump(&method), dump(&format!("{}(m, axis=1)", f.name)));
                }
                checked += 1;
            }
        }
        assert!(checked >= FUNCTIONS.len());
    }

    /// What each rule promises for array operands of dtypes `ds` (all of one dtype for the
    /// float, select and clip rules, whose mixed cases have the nuances their docs give).
    fn expected(f: &FunctionDef, ds: &[DType]) -> DType {
        let d = ds.iter().copied().reduce(promote).unwrap_or(DType::F64);
        let bool_as_i8 = |d| if d == DType::Bool { DType::I8 } else { d };
        match f.rule {
            Rule::Promote | Rule::Select | Rule::Clip | Rule::Same => d,
            Rule::PromoteBoolAsInt8 | Rule::SameBoolAsInt8 => bool_as_i8(d),
            Rule::Float => float_of(d),
            Rule::SameOrFloat => {
                if d == DType::Bool {
                    float_of(d)
                } else {
                    d
                }
            }
            Rule::Bool => DType::Bool,
            Rule::Accumulate => reduce_signature(ReduceOp::Sum, d),
            Rule::Float64 => {
                if d.is_float() {
                    d
                } else {
                    DType::F64
                }
            }
        }
    }

    #[test]
    fn result_dtypes_follow_each_rows_rule() {
        let mut checked = 0;
        for f in FUNCTIONS {
            for &d in &DTYPES {
                // Every operand of dtype d; for where, a bool condition and d branches.
                let mut pairs = vec![[d; 3]];
                if matches!(f.rule, Rule::Promote | Rule::PromoteBoolAsInt8) {
                    pairs.extend(DTYPES.iter().map(|&e| [d, e, d]));
                }
                for ds in pairs {
                    let sig = signature(ds);
                    let src = call(f, f.min_args);
                    let operands = if f.lowering == Lowering::Special(Special::Where) {
                        &ds[1..3]
                    } else {
                        &ds[..f.min_args]
                    };
                    match lower_src(&src, &sig) {
                        Ok(ir) => {
                            let root = ir.root.expect("a root");
                            assert_eq!(ir.dtype(root), expected(f, operands), "{src} on {ds:?}");
                            checked += 1;
                        }
                        // Where NumPy has no loop (sign of bool, ...) the rule does not apply.
                        Err(e) => assert_eq!(e.kind, LowerErrorKind::Type, "{src} on {ds:?}"),
                    }
                }
            }
        }
        assert!(checked > FUNCTIONS.len() * DTYPES.len());
    }
}
