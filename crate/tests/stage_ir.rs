//! The ir stage on hand-built functions: hash-consing, constant folding while building,
//! the stable text form, the JSON form and the reference evaluator.
#![cfg(not(target_arch = "wasm32"))]

use numwasm::api::Span;
use numwasm::ir::reference::evaluate;
use numwasm::ir::{Function, Node, Param, Value};
use numwasm::types::{BinaryOp, Buffer, BufferRef, DType, ReduceOp, Scalar, UnaryOp};

fn param(name: &str, dtype: DType, shape: &[usize]) -> Param {
    Param {
        name: name.to_string(),
        dtype,
        shape: shape.to_vec(),
    }
}

fn sp(start: usize, end: usize) -> Span {
    Span::new(start, end)
}

fn bin(f: &mut Function, op: BinaryOp, a: Value, b: Value) -> Value {
    f.fetch_or_append(Node::Binary(op, a, b), Span::default())
}

fn konst(f: &mut Function, s: Scalar) -> Value {
    f.constant(s, Span::default())
}

#[test]
fn the_same_node_twice_is_one_handle() {
    let mut f = Function::new(vec![
        param("x", DType::F64, &[4]),
        param("y", DType::F64, &[4]),
    ]);
    let x = f.fetch_or_append(Node::Input(0), sp(0, 1));
    let y = f.fetch_or_append(Node::Input(1), sp(4, 5));
    assert_eq!(f.fetch_or_append(Node::Input(0), sp(9, 10)), x);
    let p = f.fetch_or_append(Node::Binary(BinaryOp::Mul, x, y), sp(0, 5));
    let q = f.fetch_or_append(Node::Binary(BinaryOp::Mul, x, y), sp(20, 25));
    assert_eq!(p, q);
    assert_eq!(f.len(), 3, "{f}");
    // The node keeps the span of its first occurrence.
    assert_eq!(f.span(p), sp(0, 5));
    assert_eq!(f.span(x), sp(0, 1));
    // A different operation on the same operands is a different node.
    let s = bin(&mut f, BinaryOp::Add, x, y);
    assert_ne!(s, p);
    // Users of equal nodes are equal too: sqrt(x*y) built twice is one node.
    let r1 = f.fetch_or_append(Node::Unary(UnaryOp::Sqrt, p), Span::default());
    let r2 = f.fetch_or_append(Node::Unary(UnaryOp::Sqrt, q), Span::default());
    assert_eq!(r1, r2);
    assert_eq!(f.len(), 5, "{f}");
}

#[test]
fn constants_are_unique_by_dtype_and_bits() {
    let mut f = Function::new(vec![]);
    let two = konst(&mut f, Scalar::F64(2.0));
    assert_eq!(konst(&mut f, Scalar::F64(2.0)), two);
    // Another dtype, or another bit pattern of an equal float, is another constant:
    // merging 0.0 with -0.0 would change `1/x` and `x + c`.
    assert_ne!(konst(&mut f, Scalar::F32(2.0)), two);
    assert_ne!(konst(&mut f, Scalar::I64(2)), two);
    let zero = konst(&mut f, Scalar::F64(0.0));
    let neg_zero = konst(&mut f, Scalar::F64(-0.0));
    assert_ne!(zero, neg_zero);
    // NaN equals itself by bits, so one NaN constant serves every use.
    let nan = konst(&mut f, Scalar::F64(f64::NAN));
    assert_eq!(konst(&mut f, Scalar::F64(f64::NAN)), nan);
    assert_eq!(f.len(), 6, "{f}");
}

#[test]
fn constants_fold_while_building() {
    let mut f = Function::new(vec![param("x", DType::F64, &[3])]);
    let x = f.fetch_or_append(Node::Input(0), Span::default());

    // int8 arithmetic wraps as NumPy's does.
    let (a, b) = (konst(&mut f, Scalar::I8(127)), konst(&mut f, Scalar::I8(1)));
    let sum = bin(&mut f, BinaryOp::Add, a, b);
    assert_eq!(f.as_const(sum), Some(Scalar::I8(-128)));
    // The folded value is hash-consed with an equal constant built before or after.
    assert_eq!(konst(&mut f, Scalar::I8(-128)), sum);

    let four = konst(&mut f, Scalar::F64(4.0));
    let root = f.fetch_or_append(Node::Unary(UnaryOp::Sqrt, four), Span::default());
    assert_eq!(f.as_const(root), Some(Scalar::F64(2.0)));

    let c = konst(&mut f, Scalar::F64(-2.7));
    let cast = f.fetch_or_append(Node::Cast(c, DType::I32), Span::default());
    assert_eq!(f.as_const(cast), Some(Scalar::I32(-2)));
    // A cast to the operand's own dtype builds nothing.
    assert_eq!(f.cast(x, DType::F64, Span::default()), x);

    let (one, three) = (
        konst(&mut f, Scalar::F64(1.0)),
        konst(&mut f, Scalar::F64(3.0)),
    );
    let lt = bin(&mut f, BinaryOp::Lt, one, three);
    assert_eq!(f.as_const(lt), Some(Scalar::Bool(true)));
    assert_eq!(f.dtype(lt), DType::Bool);

    let sel = f.fetch_or_append(Node::Select(lt, one, three), Span::default());
    assert_eq!(sel, one);

    let fma = f.fetch_or_append(Node::MulAdd(three, four, one), Span::default());
    assert_eq!(f.as_const(fma), Some(Scalar::F64(13.0)));

    let red = f.fetch_or_append(Node::Reduce(ReduceOp::Sum, three, None), Span::default());
    assert_eq!(red, three);

    // Not folded: an operand that is not constant, and an integer to a negative
    // constant power (an error that the lowering reports, with its span).
    let xp = bin(&mut f, BinaryOp::Add, x, one);
    assert!(matches!(f.node(xp), Node::Binary(BinaryOp::Add, _, _)));
    let (base, exp) = (
        konst(&mut f, Scalar::I64(2)),
        konst(&mut f, Scalar::I64(-1)),
    );
    let pow = bin(&mut f, BinaryOp::Pow, base, exp);
    assert!(
        matches!(f.node(pow), Node::Binary(BinaryOp::Pow, _, _)),
        "{f}"
    );
}

/// A function exercising every printed form: a cast, a constant, a broadcast binary op,
/// an axis reduction, a select and a muladd.
fn sample() -> Function {
    let mut f = Function::new(vec![
        param("m", DType::F64, &[2, 3]),
        param("n", DType::I32, &[3]),
    ]);
    let m = f.fetch_or_append(Node::Input(0), Span::default());
    let n = f.fetch_or_append(Node::Input(1), Span::default());
    let nf = f.cast(n, DType::F64, Span::default());
    let two = konst(&mut f, Scalar::F64(2.0));
    let t = bin(&mut f, BinaryOp::Mul, m, two);
    let s = bin(&mut f, BinaryOp::Add, t, nf);
    let r = f.fetch_or_append(Node::Reduce(ReduceOp::Sum, s, Some(0)), Span::default());
    let c = bin(&mut f, BinaryOp::Gt, r, nf);
    let w = f.fetch_or_append(Node::Select(c, r, nf), Span::default());
    let root = f.fetch_or_append(Node::MulAdd(w, two, nf), Span::default());
    f.root = Some(root);
    f
}

#[test]
fn text_form_is_stable() {
    let want = "\
fn(m: f64[2,3], n: i32[3]) -> f64[3] {
  v0 = input m : f64[2,3]
  v1 = input n : i32[3]
  v2 = cast.f64 v1 : f64[3]
  v3 = const 2.0 : f64[]
  v4 = mul v0, v3 : f64[2,3]
  v5 = add v4, v2 : f64[2,3]
  v6 = reduce.sum v5, axis=0 : f64[3]
  v7 = gt v6, v2 : bool[3]
  v8 = select v7, v6, v2 : f64[3]
  v9 = muladd v8, v3, v2 : f64[3]
  return v9
}";
    assert_eq!(sample().to_string(), want);
    // Printing twice, or printing a clone, gives the same text.
    let f = sample();
    assert_eq!(f.to_string(), f.clone().to_string());
    // Without a root there is no result type and no return line.
    let mut g = Function::new(vec![param("x", DType::Bool, &[])]);
    g.fetch_or_append(Node::Input(0), Span::default());
    assert_eq!(g.to_string(), "fn(x: bool[]) {\n  v0 = input x : bool[]\n}");
}

#[test]
fn json_form_lists_params_nodes_and_root() {
    let want = concat!(
        r#"{"params":[{"name":"m","dtype":"float64","shape":[2,3]},{"name":"n","dtype":"int32","shape":[3]}],"#,
        r#""nodes":["#,
        r#"{"id":0,"kind":"other","op":"input","args":[],"dtype":"float64","shape":[2,3],"slot":0},"#,
        r#"{"id":1,"kind":"other","op":"input","args":[],"dtype":"int32","shape":[3],"slot":1},"#,
        r#"{"id":2,"kind":"other","op":"cast","args":[1],"dtype":"float64","shape":[3],"to":"float64"},"#,
        r#"{"id":3,"kind":"other","op":"const","args":[],"dtype":"float64","shape":[],"value":"2.0"},"#,
        r#"{"id":4,"kind":"binary","op":"mul","args":[0,3],"dtype":"float64","shape":[2,3]},"#,
        r#"{"id":5,"kind":"binary","op":"add","args":[4,2],"dtype":"float64","shape":[2,3]},"#,
        r#"{"id":6,"kind":"reduce","op":"sum","args":[5],"dtype":"float64","shape":[3],"axis":0},"#,
        r#"{"id":7,"kind":"binary","op":"gt","args":[6,2],"dtype":"bool","shape":[3]},"#,
        r#"{"id":8,"kind":"other","op":"where","args":[7,6,2],"dtype":"float64","shape":[3]},"#,
        r#"{"id":9,"kind":"other","op":"muladd","args":[8,3,2],"dtype":"float64","shape":[3]}"#,
        r#"],"root":9}"#
    );
    assert_eq!(sample().to_json(), want);
}

#[test]
fn json_form_is_valid_json_with_escaped_names() {
    let mut f = Function::new(vec![param("a\"b\\c", DType::U8, &[])]);
    let a = f.fetch_or_append(Node::Input(0), Span::default());
    let neg = f.fetch_or_append(Node::Unary(UnaryOp::Invert, a), Span::default());
    f.root = Some(neg);
    let v: serde_json::Value = serde_json::from_str(&f.to_json()).expect("valid JSON");
    assert_eq!(v["params"][0]["name"], "a\"b\\c");
    assert_eq!(v["nodes"][1]["kind"], "unary");
    assert_eq!(v["nodes"][1]["op"], "invert");
    assert_eq!(v["nodes"][1]["args"][0], 0);
    assert_eq!(v["root"], 1);
    // An unfinished function says so instead of naming a node.
    let g = Function::new(vec![]);
    let v: serde_json::Value = serde_json::from_str(&g.to_json()).expect("valid JSON");
    assert!(v["root"].is_null());
}

/// The reference result of `f` with its root set to `root`, as a buffer with its shape.
fn run(f: &mut Function, root: Value, inputs: &[BufferRef<'_>]) -> (Vec<usize>, Buffer) {
    f.root = Some(root);
    let r = evaluate(f, inputs).expect("evaluates");
    (r.shape.clone(), r.to_buffer())
}

#[test]
fn reference_broadcasts_by_index() {
    let mut f = Function::new(vec![
        param("col", DType::I32, &[2, 1]),
        param("row", DType::I32, &[3]),
    ]);
    let col = f.fetch_or_append(Node::Input(0), Span::default());
    let row = f.fetch_or_append(Node::Input(1), Span::default());
    let s = bin(&mut f, BinaryOp::Add, col, row);
    let (c, r) = ([1i32, 2], [10i32, 20, 30]);
    let inputs = [BufferRef::from(&c[..]), BufferRef::from(&r[..])];
    let (shape, out) = run(&mut f, s, &inputs);
    assert_eq!(shape, vec![2, 3]);
    assert_eq!(out, Buffer::I32(vec![11, 21, 31, 12, 22, 32]));
    // A 0-d constant broadcasts against the [2,3] result.
    let k = konst(&mut f, Scalar::I32(-1));
    let m = bin(&mut f, BinaryOp::Mul, s, k);
    let (shape, out) = run(&mut f, m, &inputs);
    assert_eq!(shape, vec![2, 3]);
    assert_eq!(out, Buffer::I32(vec![-11, -21, -31, -12, -22, -32]));
}

#[test]
fn reference_reduces_along_an_axis() {
    let mut f = Function::new(vec![param("m", DType::I64, &[2, 3])]);
    let m = f.fetch_or_append(Node::Input(0), Span::default());
    let data: Vec<i64> = vec![1, 2, 3, 4, 5, 6];
    let inputs = [BufferRef::from(&data[..])];
    let cols = f.fetch_or_append(Node::Reduce(ReduceOp::Sum, m, Some(0)), Span::default());
    assert_eq!(
        run(&mut f, cols, &inputs),
        (vec![3], Buffer::I64(vec![5, 7, 9]))
    );
    let rows = f.fetch_or_append(Node::Reduce(ReduceOp::Sum, m, Some(1)), Span::default());
    assert_eq!(
        run(&mut f, rows, &inputs),
        (vec![2], Buffer::I64(vec![6, 15]))
    );
    let max = f.fetch_or_append(Node::Reduce(ReduceOp::Max, m, Some(0)), Span::default());
    assert_eq!(
        run(&mut f, max, &inputs),
        (vec![3], Buffer::I64(vec![4, 5, 6]))
    );
    let all = f.fetch_or_append(Node::Reduce(ReduceOp::Prod, m, None), Span::default());
    assert_eq!(run(&mut f, all, &inputs), (vec![], Buffer::I64(vec![720])));
}

/// `[1e16, 1, 1, 1, 1, 1, 1, 1]` sums to 1e16 + 6 in NumPy's pairwise order (eight
/// accumulators, each 1 added to 1e16 alone is lost to rounding but the partial sums 2
/// and 4 are not) and to 1e16 in index order; below eight elements NumPy sums in order.
#[test]
fn reference_float_sums_are_pairwise_along_the_last_axis_only() {
    let big = 1e16f64;
    let mut eight = vec![1.0f64; 8];
    eight[0] = big;
    let sum = |shape: &[usize], axis: Option<u32>, data: &[f64]| {
        let mut f = Function::new(vec![param("x", DType::F64, shape)]);
        let x = f.fetch_or_append(Node::Input(0), Span::default());
        let r = f.fetch_or_append(Node::Reduce(ReduceOp::Sum, x, axis), Span::default());
        run(&mut f, r, &[BufferRef::from(data)]).1
    };
    assert_eq!(sum(&[8], None, &eight), Buffer::F64(vec![big + 6.0]));
    assert_eq!(sum(&[7], None, &eight[..7]), Buffer::F64(vec![big]));
    // Two rows of eight, reduced along the last axis: pairwise per row.
    let rows: Vec<f64> = eight.iter().chain(&eight).copied().collect();
    assert_eq!(
        sum(&[2, 8], Some(1), &rows),
        Buffer::F64(vec![big + 6.0, big + 6.0])
    );
    // The same numbers down the columns of an [8, 2] array: along a leading axis NumPy
    // adds row after row, in index order.
    let cols: Vec<f64> = eight.iter().flat_map(|&v| [v, v]).collect();
    assert_eq!(sum(&[8, 2], Some(0), &cols), Buffer::F64(vec![big, big]));
}

#[test]
fn reference_reports_negative_integer_powers_with_their_span() {
    let mut f = Function::new(vec![param("e", DType::I64, &[2])]);
    let e = f.fetch_or_append(Node::Input(0), Span::default());
    let two = konst(&mut f, Scalar::I64(2));
    let p = f.fetch_or_append(Node::Binary(BinaryOp::Pow, two, e), sp(3, 9));
    f.root = Some(p);
    let ok = [3i64, 0];
    assert_eq!(
        evaluate(&f, &[BufferRef::from(&ok[..])])
            .unwrap()
            .to_buffer(),
        Buffer::I64(vec![8, 1])
    );
    let bad = [3i64, -1];
    let err = evaluate(&f, &[BufferRef::from(&bad[..])]).unwrap_err();
    assert_eq!(
        err.message,
        "Integers to negative integer powers are not allowed."
    );
    assert_eq!(err.span, sp(3, 9));
}

#[test]
fn compact_keeps_what_the_root_uses_in_order() {
    let mut f = Function::new(vec![
        param("x", DType::F64, &[2]),
        param("y", DType::F64, &[2]),
    ]);
    let x = f.fetch_or_append(Node::Input(0), Span::default());
    let y = f.fetch_or_append(Node::Input(1), Span::default());
    let _unused = f.fetch_or_append(Node::Unary(UnaryOp::Sin, y), Span::default());
    let one = konst(&mut f, Scalar::F64(1.0));
    let r = bin(&mut f, BinaryOp::Add, x, one);
    f.root = Some(r);
    let map = f.compact();
    assert_eq!(map.len(), 5);
    assert_eq!(map[1], None, "y is dead");
    assert_eq!(map[2], None, "sin(y) is dead");
    assert_eq!(f.len(), 3, "{f}");
    assert_eq!(
        f.to_string(),
        "fn(x: f64[2], y: f64[2]) -> f64[2] {\n  v0 = input x : f64[2]\n  v1 = const 1.0 : f64[]\n  v2 = add v0, v1 : f64[2]\n  return v2\n}"
    );
    assert_eq!(f.use_counts(), vec![1, 1, 1]);
}
