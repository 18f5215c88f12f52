//! The intrinsics of the reference executor: NumPy's array operations as Numba implements
//! them, computed on dense copies of the operands (so an operand that shares memory with
//! the destination behaves as if copied first).
//!
//! Rules that hold for all of them:
//! * Results are built in the dtype of the expression's type: every element (fill value,
//!   list item, stacked row element) is cast to it with NumPy's unsafe cast.
//! * `Map1`: a predicate (`isnan`, `isfinite`, `isinf`, `signbit`) looks at the operand in
//!   its own dtype; any other operation casts the operand to the result's dtype and
//!   computes in it (so `np.sqrt` of an int64 array computes in float64).
//! * `Map2`: a comparison compares in the promoted dtype of its operands
//!   (`types::promote`, NumPy's table) and gives bool; any other operation casts both
//!   operands to the result's dtype and computes in it. A float `**` with a constant
//!   exponent runs the constant-power kernel, as the expression engine does; an integer
//!   `**` with a negative exponent is NumPy's ValueError.
//! * Extents (`Zeros`, `Full`, `Reshape`) are integer scalars or tuples of them, taken in
//!   order: `np.zeros((n, m))` and `np.zeros(n)` are both fine.
//! * Reductions follow Numba's loops: sequential in C order, accumulating in the result's
//!   dtype from 0 (sum) or 1 (prod); min and max keep the first of equal values and return
//!   the first NaN they meet; `mean` accumulates integers in float64 and floats in their
//!   own dtype, divides in float64 and is NaN for an empty array; `argmin`/`argmax` give
//!   the first extreme, or the first NaN.
//! * New arrays that do not fit are a MemoryError, never an abort.

use super::array::{ArrayValue, Dense, broadcast_each, broadcast_shapes, no_memory, try_vec};
use super::{ListValue, RunError, Value, bad_op, binary, binary_in, unary_in};
use crate::ir::{fold_binary, fold_unary};
use crate::kir::{Intrinsic, RaiseKind, Ty};
use crate::syntax::Span;
use crate::types::{BinaryOp, DType, ReduceOp, Scalar, checked_size, promote, shape_str};

/// Evaluates intrinsic `op` on its evaluated operands; `ty` is the expression's type and
/// `const_exponent` tells whether the second operand is a constant of the program.
pub(super) fn eval(
    op: Intrinsic,
    args: Vec<Value>,
    ty: &Ty,
    const_exponent: bool,
    span: Span,
) -> Result<Value, RunError> {
    let cx = Cx { op, ty, span };
    match op {
        Intrinsic::Zeros | Intrinsic::Filled => {
            let shape = cx.shape(&cx.extents(&args)?)?;
            Ok(Value::Array(ArrayValue::zeros(cx.dtype()?, shape, span)?))
        }
        Intrinsic::Full => {
            let Some((fill, exts)) = args.split_last() else {
                return Err(cx.bad("no operands"));
            };
            let fill = cx.scalar(fill)?;
            let shape = cx.shape(&cx.extents(exts)?)?;
            let a = ArrayValue::filled(cx.dtype()?, shape, fill, span)?;
            Ok(Value::Array(a))
        }
        Intrinsic::Copy | Intrinsic::Astype => {
            let [a] = cx.take(args)?;
            let a = cx.dense(&a)?;
            cx.finish(a.shape, &a.data)
        }
        Intrinsic::Map1(u) => {
            let [a] = cx.take(args)?;
            let a = cx.dense(&a)?;
            let rd = cx.dtype()?;
            let cd = if u.is_predicate() { a.dtype } else { rd };
            if !unary_in(u, cd) {
                return Err(bad_op(u.name(), cd, span));
            }
            let mut out = try_vec(a.data.len(), span)?;
            out.extend(a.data.iter().map(|&x| fold_unary(u, x.cast(cd))));
            cx.finish(a.shape, &out)
        }
        Intrinsic::Map2(b) => {
            let [x, y] = cx.take(args)?;
            cx.map2(b, &cx.dense(&x)?, &cx.dense(&y)?, const_exponent)
        }
        Intrinsic::Where => {
            let [c, a, b] = cx.take(args)?;
            let (c, a, b) = (cx.dense(&c)?, cx.dense(&a)?, cx.dense(&b)?);
            let rd = cx.dtype()?;
            let shape = broadcast_shapes(&[&c.shape, &a.shape, &b.shape], span)?;
            let mut out = try_vec(cx.size(&shape, rd)?, span)?;
            broadcast_each(&shape, &[&c, &a, &b], |at| {
                let x = if c.data[at[0]].is_truthy() {
                    a.data[at[1]]
                } else {
                    b.data[at[2]]
                };
                out.push(x.cast(rd));
                Ok(())
            })?;
            cx.finish(shape, &out)
        }
        Intrinsic::Reduce(r) => {
            let [a] = cx.take(args)?;
            let a = cx.dense(&a)?;
            let v = reduce(r, cx.dtype()?, a.data, span)?;
            Ok(Value::Scalar(v))
        }
        Intrinsic::Mean => {
            let [a] = cx.take(args)?;
            cx.mean(&cx.dense(&a)?)
        }
        Intrinsic::ReduceAxis(r) => {
            let [a, axis] = cx.take(args)?;
            let a = cx.dense(&a)?;
            let axis = cx.int(&axis)?;
            cx.reduce_axis(r, &a, axis)
        }
        Intrinsic::ArgMin | Intrinsic::ArgMax => {
            let [a] = cx.take(args)?;
            let a = cx.dense(&a)?;
            let i = arg_extreme(op == Intrinsic::ArgMin, &a.data, span)?;
            Ok(Value::Scalar(Scalar::from_i128(i as i128, cx.dtype()?)))
        }
        Intrinsic::CumSum | Intrinsic::CumProd => {
            let [a] = cx.take(args)?;
            let a = cx.dense(&a)?;
            let rd = cx.dtype()?;
            let (bop, mut acc) = if op == Intrinsic::CumSum {
                (BinaryOp::Add, Scalar::zero(rd))
            } else {
                (BinaryOp::Mul, Scalar::one(rd))
            };
            let n = a.data.len();
            let mut out = try_vec(n, span)?;
            for x in a.data {
                acc = fold_binary(bop, acc, x.cast(rd));
                out.push(acc);
            }
            cx.finish(vec![n], &out)
        }
        Intrinsic::Dot => {
            let [a, b] = cx.take(args)?;
            cx.dot(cx.array(&a)?, cx.array(&b)?)
        }
        Intrinsic::Arange => {
            let [start, stop, step] = cx.take(args)?;
            cx.arange(cx.scalar(&start)?, cx.scalar(&stop)?, cx.scalar(&step)?)
        }
        Intrinsic::Linspace => {
            let [start, stop, num] = cx.take(args)?;
            cx.linspace(cx.scalar(&start)?, cx.scalar(&stop)?, cx.int(&num)?)
        }
        Intrinsic::Transpose => {
            let [a] = cx.take(args)?;
            Ok(Value::Array(cx.array(&a)?.transposed()))
        }
        Intrinsic::Reshape => {
            let Some((a, exts)) = args.split_first() else {
                return Err(cx.bad("no operands"));
            };
            cx.reshape(cx.array(a)?, &cx.extents(exts)?)
        }
        Intrinsic::Size => {
            let [a] = cx.take(args)?;
            Ok(Value::Scalar(Scalar::I64(cx.array(&a)?.size() as i64)))
        }
        Intrinsic::FromList => {
            let [l] = cx.take(args)?;
            let row = cx.row(&l)?;
            cx.finish(vec![row.data.len()], &row.data)
        }
        Intrinsic::Stack => cx.stack(&args),
        Intrinsic::Assign => {
            let [dst, src] = cx.take(args)?;
            cx.assign(cx.array(&dst)?, &cx.dense(&src)?)?;
            Ok(Value::None)
        }
        Intrinsic::NewList => match ty {
            Ty::List(d) => Ok(Value::List(ListValue::new(*d, Vec::new()))),
            _ => Err(cx.bad(format!("typed {ty}"))),
        },
    }
}

/// The context of one intrinsic call: what it is, its type and where it is.
struct Cx<'a> {
    op: Intrinsic,
    ty: &'a Ty,
    span: Span,
}

impl Cx<'_> {
    /// An ill-typed call (a front-end bug).
    fn bad(&self, what: impl std::fmt::Display) -> RunError {
        RunError::internal(format!("np.{:?}: {what}", self.op), self.span)
    }

    fn value_error(&self, message: impl Into<String>) -> RunError {
        RunError::new(RaiseKind::ValueError, message, self.span)
    }

    /// Exactly `N` operands.
    fn take<const N: usize>(&self, args: Vec<Value>) -> Result<[Value; N], RunError> {
        let n = args.len();
        args.try_into()
            .map_err(|_| self.bad(format!("{n} operands, expected {N}")))
    }

    /// The dtype of the result (the element type of an array or list result).
    fn dtype(&self) -> Result<DType, RunError> {
        match self.ty {
            Ty::Scalar(d) | Ty::List(d) => Ok(*d),
            Ty::Array(a) => Ok(a.dtype),
            other => Err(self.bad(format!("typed {other}"))),
        }
    }

    fn scalar(&self, v: &Value) -> Result<Scalar, RunError> {
        v.scalar()
            .ok_or_else(|| self.bad(format!("{} where a scalar goes", v.kind())))
    }

    fn int(&self, v: &Value) -> Result<i128, RunError> {
        match v {
            Value::Scalar(s) if s.dtype().is_int() => Ok(s.to_i128()),
            _ => Err(self.bad(format!("{} where an integer goes", v.kind()))),
        }
    }

    fn array<'v>(&self, v: &'v Value) -> Result<&'v ArrayValue, RunError> {
        v.array()
            .ok_or_else(|| self.bad(format!("{} where an array goes", v.kind())))
    }

    /// An array or scalar operand in C order.
    fn dense(&self, v: &Value) -> Result<Dense, RunError> {
        match v {
            Value::Scalar(s) => Ok(Dense::scalar(*s)),
            Value::Array(a) => Dense::of_array(a, self.span),
            _ => Err(self.bad(format!("{} where an array goes", v.kind()))),
        }
    }

    /// A row of `np.array(...)`: a list, a tuple of scalars, an array or a scalar.
    fn row(&self, v: &Value) -> Result<Dense, RunError> {
        match v {
            Value::List(l) => {
                let items = l.to_vec();
                Ok(Dense {
                    dtype: l.dtype,
                    shape: vec![items.len()],
                    data: items,
                })
            }
            Value::Tuple(items) => {
                let data: Vec<Scalar> = items
                    .iter()
                    .map(|x| self.scalar(x))
                    .collect::<Result<_, _>>()?;
                Ok(Dense {
                    dtype: data.first().map_or(DType::F64, |s| s.dtype()),
                    shape: vec![data.len()],
                    data,
                })
            }
            other => self.dense(other),
        }
    }

    /// Extents: integer scalars, or tuples of them, flattened in order.
    fn extents(&self, args: &[Value]) -> Result<Vec<i128>, RunError> {
        let mut out = Vec::new();
        for a in args {
            match a {
                Value::Tuple(items) => {
                    for x in items {
                        out.push(self.int(x)?);
                    }
                }
                other => out.push(self.int(other)?),
            }
        }
        Ok(out)
    }

    /// A shape from extents: a negative one is NumPy's ValueError.
    fn shape(&self, exts: &[i128]) -> Result<Vec<usize>, RunError> {
        if exts.iter().any(|&n| n < 0) {
            return Err(self.value_error("negative dimensions are not allowed"));
        }
        let d = self.dtype()?;
        exts.iter()
            .map(|&n| usize::try_from(n).map_err(|_| no_memory(&[], d, self.span)))
            .collect()
    }

    /// The size of a result of `shape`, or a MemoryError.
    fn size(&self, shape: &[usize], d: DType) -> Result<usize, RunError> {
        checked_size(shape).ok_or_else(|| no_memory(shape, d, self.span))
    }

    /// The value of the expression's type from elements in C order: a scalar when the
    /// type is one (`shape` must then be `()`), else a new array.
    fn finish(&self, shape: Vec<usize>, data: &[Scalar]) -> Result<Value, RunError> {
        let d = self.dtype()?;
        match self.ty {
            Ty::Scalar(_) if shape.is_empty() && data.len() == 1 => {
                Ok(Value::Scalar(data[0].cast(d)))
            }
            Ty::Array(_) => Ok(Value::Array(ArrayValue::from_scalars(
                d, shape, data, self.span,
            )?)),
            other => Err(self.bad(format!(
                "a result of shape {} typed {other}",
                shape_str(&shape)
            ))),
        }
    }

    fn map2(
        &self,
        op: BinaryOp,
        a: &Dense,
        b: &Dense,
        const_exponent: bool,
    ) -> Result<Value, RunError> {
        let rd = self.dtype()?;
        let cd = if op.is_comparison() {
            promote(a.dtype, b.dtype)
        } else {
            rd
        };
        if !binary_in(op, cd) {
            return Err(bad_op(op.name(), cd, self.span));
        }
        let shape = broadcast_shapes(&[&a.shape, &b.shape], self.span)?;
        let mut out = try_vec(self.size(&shape, rd)?, self.span)?;
        broadcast_each(&shape, &[a, b], |at| {
            let (x, y) = (a.data[at[0]].cast(cd), b.data[at[1]].cast(cd));
            if op == BinaryOp::Pow && cd.is_int() && y.to_i128() < 0 {
                return Err(
                    self.value_error("Integers to negative integer powers are not allowed.")
                );
            }
            out.push(binary(op, x, y, const_exponent));
            Ok(())
        })?;
        self.finish(shape, &out)
    }

    fn mean(&self, a: &Dense) -> Result<Value, RunError> {
        let rd = self.dtype()?;
        let n = a.data.len();
        if n == 0 {
            return Ok(Value::Scalar(Scalar::F64(f64::NAN).cast(rd)));
        }
        let ad = if a.dtype.is_float() {
            a.dtype
        } else {
            DType::F64
        };
        let sum = a.data.iter().fold(Scalar::zero(ad), |acc, &x| {
            fold_binary(BinaryOp::Add, acc, x.cast(ad))
        });
        Ok(Value::Scalar(Scalar::F64(sum.to_f64() / n as f64).cast(rd)))
    }

    fn reduce_axis(&self, op: ReduceOp, a: &Dense, axis: i128) -> Result<Value, RunError> {
        let nd = a.shape.len();
        let ax = if axis < 0 { axis + nd as i128 } else { axis };
        if !(0..nd as i128).contains(&ax) {
            return Err(self.value_error(format!(
                "axis {axis} is out of bounds for array of dimension {nd}"
            )));
        }
        let ax = ax as usize;
        let rd = self.dtype()?;
        let len = a.shape[ax];
        if len == 0 && matches!(op, ReduceOp::Min | ReduceOp::Max) {
            return Err(empty_extreme(op, self.span));
        }
        let outer: usize = a.shape[..ax].iter().product();
        let inner: usize = a.shape[ax + 1..].iter().product();
        let mut shape = a.shape.clone();
        shape.remove(ax);
        let mut out = try_vec(outer * inner, self.span)?;
        for o in 0..outer {
            for i in 0..inner {
                let items = (0..len).map(|k| a.data[(o * len + k) * inner + i]);
                out.push(reduce(op, rd, items, self.span)?);
            }
        }
        self.finish(shape, &out)
    }

    /// `np.dot` for 1-d and 2-d operands, each product and sum in the result's dtype, the
    /// sum sequential from 0.
    fn dot(&self, a: &ArrayValue, b: &ArrayValue) -> Result<Value, RunError> {
        let rd = self.dtype()?;
        let (da, db) = (
            Dense::of_array(a, self.span)?,
            Dense::of_array(b, self.span)?,
        );
        // Both as matrices: a vector `a` is one row, a vector `b` one column.
        let (m, ka, out_rows) = match da.shape[..] {
            [k] => (1, k, None),
            [m, k] => (m, k, Some(m)),
            _ => return Err(self.bad(format!("a {}-d operand", da.shape.len()))),
        };
        let (kb, p, out_cols) = match db.shape[..] {
            [k] => (k, 1, None),
            [k, p] => (k, p, Some(p)),
            _ => return Err(self.bad(format!("a {}-d operand", db.shape.len()))),
        };
        if ka != kb {
            return Err(self.value_error(format!(
                "shapes {} and {} not aligned: {ka} (dim {}) != {kb} (dim 0)",
                shape_str(&da.shape),
                shape_str(&db.shape),
                da.shape.len() - 1
            )));
        }
        let mut out = try_vec(self.size(&[m, p], rd)?, self.span)?;
        for i in 0..m {
            for j in 0..p {
                let mut acc = Scalar::zero(rd);
                for k in 0..ka {
                    let x = da.data[i * ka + k].cast(rd);
                    let y = db.data[k * p + j].cast(rd);
                    acc = fold_binary(BinaryOp::Add, acc, fold_binary(BinaryOp::Mul, x, y));
                }
                out.push(acc);
            }
        }
        let shape: Vec<usize> = out_rows.into_iter().chain(out_cols).collect();
        self.finish(shape, &out)
    }

    /// Numba's `np.arange`: `start + i * step` for `i` in `0..ceil((stop - start) / step)`,
    /// with the bounds in the result's dtype; floats compute in float64 (as Numba's
    /// `int * float`), integers wrap in the result's dtype. The length of an integer range
    /// is exact.
    fn arange(&self, start: Scalar, stop: Scalar, step: Scalar) -> Result<Value, RunError> {
        let rd = self.dtype()?;
        let (start, stop, step) = (start.cast(rd), stop.cast(rd), step.cast(rd));
        if !step.is_truthy() {
            return Err(self.value_error("Maximum allowed size exceeded"));
        }
        let too_big = || self.value_error("Maximum allowed size exceeded");
        let n = if rd.is_float() {
            let len = ((stop.to_f64() - start.to_f64()) / step.to_f64()).ceil();
            if len.is_nan() {
                return Err(self.value_error("arange: cannot compute length"));
            }
            if len >= usize::MAX as f64 {
                return Err(too_big());
            }
            if len > 0.0 { len as usize } else { 0 }
        } else {
            let len = ceil_div(stop.to_i128() - start.to_i128(), step.to_i128()).max(0);
            usize::try_from(len).map_err(|_| too_big())?
        };
        let mut out = try_vec(n, self.span)?;
        for i in 0..n {
            out.push(if rd.is_float() {
                Scalar::F64(start.to_f64() + i as f64 * step.to_f64()).cast(rd)
            } else {
                let i = Scalar::from_i128(i as i128, rd);
                fold_binary(BinaryOp::Add, start, fold_binary(BinaryOp::Mul, i, step))
            });
        }
        self.finish(vec![n], &out)
    }

    /// Numba's (and NumPy's) `np.linspace`: `start + i * step` with
    /// `step = (stop - start) / (num - 1)`, the last element exactly `stop`.
    fn linspace(&self, start: Scalar, stop: Scalar, num: i128) -> Result<Value, RunError> {
        if num < 0 {
            return Err(self.value_error("negative dimensions are not allowed"));
        }
        let n = usize::try_from(num).map_err(|_| no_memory(&[], DType::F64, self.span))?;
        let (start, stop) = (start.to_f64(), stop.to_f64());
        let mut out = try_vec(n, self.span)?;
        if n > 1 {
            let step = (stop - start) / (n - 1) as f64;
            out.extend((0..n - 1).map(|i| Scalar::F64(start + i as f64 * step)));
            out.push(Scalar::F64(stop));
        } else if n == 1 {
            out.push(Scalar::F64(start));
        }
        self.finish(vec![n], &out)
    }

    /// `a.reshape(...)` of a C-contiguous array, sharing its buffer; one extent may be
    /// -1, inferred from the size.
    fn reshape(&self, a: &ArrayValue, exts: &[i128]) -> Result<Value, RunError> {
        if !a.is_c_contiguous() {
            return Err(self.value_error("reshape() supports contiguous array only"));
        }
        let unknown = exts.iter().filter(|&&n| n == -1).count();
        if unknown > 1 {
            return Err(self.value_error("can only specify one unknown dimension"));
        }
        if exts.iter().any(|&n| n < -1) {
            return Err(self.value_error("negative dimensions not allowed"));
        }
        let size = a.size() as i128;
        let known = exts
            .iter()
            .filter(|&&n| n >= 0)
            .try_fold(1i128, |acc, &n| acc.checked_mul(n));
        let fail = || {
            let parts: Vec<String> = exts
                .iter()
                .map(|&n| {
                    if n == -1 {
                        "newaxis".to_owned()
                    } else {
                        n.to_string()
                    }
                })
                .collect();
            let text = if parts.len() == 1 {
                format!("({},)", parts[0])
            } else {
                format!("({})", parts.join(","))
            };
            self.value_error(format!(
                "cannot reshape array of size {size} into shape {text}"
            ))
        };
        let inferred = match known {
            Some(k) if unknown == 1 && k != 0 && size % k == 0 => size / k,
            Some(k) if unknown == 0 && k == size => 0,
            _ => return Err(fail()),
        };
        // Every extent divides the size, or the size is 0 and an extent may be anything.
        let shape = exts
            .iter()
            .map(|&n| usize::try_from(if n == -1 { inferred } else { n }))
            .collect::<Result<Vec<usize>, _>>()
            .map_err(|_| fail())?;
        Ok(Value::Array(a.reshaped(shape)))
    }

    /// `np.array([row, row, ...])`: rows of one shape stacked along a new first axis.
    fn stack(&self, rows: &[Value]) -> Result<Value, RunError> {
        let rows: Vec<Dense> = rows.iter().map(|r| self.row(r)).collect::<Result<_, _>>()?;
        let row_shape = match (rows.first(), self.ty) {
            (Some(r), _) => r.shape.clone(),
            (None, Ty::Array(t)) => vec![0; usize::from(t.ndim).saturating_sub(1)],
            (None, other) => return Err(self.bad(format!("typed {other}"))),
        };
        if rows.iter().any(|r| r.shape != row_shape) {
            return Err(self.value_error(format!(
                "setting an array element with a sequence. The requested array has an \
                 inhomogeneous shape after 1 dimensions. The detected shape was ({},) + \
                 inhomogeneous part.",
                rows.len()
            )));
        }
        let mut shape = vec![rows.len()];
        shape.extend(&row_shape);
        let mut data = try_vec(self.size(&shape, self.dtype()?)?, self.span)?;
        for r in rows {
            data.extend(r.data);
        }
        self.finish(shape, &data)
    }

    /// `dst[...] = src`: `src` broadcast to `dst`'s extents (leading extents of 1 of `src`
    /// dropped), cast to its dtype, written through the view.
    fn assign(&self, dst: &ArrayValue, src: &Dense) -> Result<(), RunError> {
        let mut shape: &[usize] = &src.shape;
        while shape.len() > dst.shape.len() && shape[0] == 1 {
            shape = &shape[1..];
        }
        let fits = shape.len() <= dst.shape.len()
            && shape
                .iter()
                .rev()
                .zip(dst.shape.iter().rev())
                .all(|(&s, &d)| s == d || s == 1);
        if !fits {
            return Err(self.value_error(format!(
                "could not broadcast input array from shape {} into shape {}",
                shape_str(&src.shape),
                shape_str(&dst.shape)
            )));
        }
        let src = Dense {
            dtype: src.dtype,
            shape: shape.to_vec(),
            data: src.data.clone(),
        };
        let mut items = try_vec(dst.size(), self.span)?;
        broadcast_each(&dst.shape, &[&src], |at| {
            items.push(src.data[at[0]]);
            Ok(())
        })?;
        dst.write_all(&items, self.span)
    }
}

/// `ceil(a / b)` for `b != 0`.
fn ceil_div(a: i128, b: i128) -> i128 {
    let (a, b) = if b < 0 { (-a, -b) } else { (a, b) };
    -((-a).div_euclid(b))
}

fn is_nan(s: Scalar) -> bool {
    match s {
        Scalar::F32(x) => x.is_nan(),
        Scalar::F64(x) => x.is_nan(),
        _ => false,
    }
}

fn empty_extreme(op: ReduceOp, span: Span) -> RunError {
    let name = if op == ReduceOp::Min {
        "minimum"
    } else {
        "maximum"
    };
    RunError::new(
        RaiseKind::ValueError,
        format!("zero-size array to reduction operation {name} which has no identity"),
        span,
    )
}

/// A reduction of `items` in order, in dtype `rd`, as Numba's loops compute it.
fn reduce(
    op: ReduceOp,
    rd: DType,
    items: impl IntoIterator<Item = Scalar>,
    span: Span,
) -> Result<Scalar, RunError> {
    let mut items = items.into_iter();
    let fold = |items: &mut dyn Iterator<Item = Scalar>, bop, init| {
        items.fold(init, |acc, x: Scalar| fold_binary(bop, acc, x.cast(rd)))
    };
    Ok(match op {
        ReduceOp::Sum => fold(&mut items, BinaryOp::Add, Scalar::zero(rd)),
        ReduceOp::Prod => fold(&mut items, BinaryOp::Mul, Scalar::one(rd)),
        ReduceOp::Any => Scalar::Bool(items.any(Scalar::is_truthy)).cast(rd),
        ReduceOp::All => Scalar::Bool(items.all(Scalar::is_truthy)).cast(rd),
        ReduceOp::Min | ReduceOp::Max => {
            let better = if op == ReduceOp::Min {
                BinaryOp::Lt
            } else {
                BinaryOp::Gt
            };
            let Some(first) = items.next() else {
                return Err(empty_extreme(op, span));
            };
            let mut m = first.cast(rd);
            if is_nan(m) {
                return Ok(m);
            }
            for x in items {
                let x = x.cast(rd);
                if is_nan(x) {
                    return Ok(x);
                }
                if fold_binary(better, x, m).is_truthy() {
                    m = x;
                }
            }
            m
        }
    })
}

/// The index of the first minimum (`min`) or maximum, or of the first NaN.
fn arg_extreme(min: bool, items: &[Scalar], span: Span) -> Result<usize, RunError> {
    let Some(&first) = items.first() else {
        let name = if min { "argmin" } else { "argmax" };
        return Err(RunError::new(
            RaiseKind::ValueError,
            format!("attempt to get {name} of an empty sequence"),
            span,
        ));
    };
    let better = if min { BinaryOp::Lt } else { BinaryOp::Gt };
    let (mut best, mut at) = (first, 0);
    for (i, &x) in items.iter().enumerate() {
        if is_nan(x) {
            return Ok(i);
        }
        if fold_binary(better, x, best).is_truthy() {
            best = x;
            at = i;
        }
    }
    Ok(at)
}
