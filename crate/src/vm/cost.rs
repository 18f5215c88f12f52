//! A loop's estimated serial cost per element, which decides whether a call is worth
//! handing to the thread pool (`par::effective_threads`).
//!
//! The figures are nanoseconds per float64 element of one thread in Chromium on the 2-core
//! development machine (docs/vmath-speed.md for the functions; plain instructions ~1 ns per
//! element with their loads and stores), halved for 4-byte and smaller dtypes (four lanes per
//! vector instead of two). They only need to be right within a factor of two or so: the
//! threshold they feed sits well away from the break-even point (docs/threads.md).

use super::bytecode::{BlockLoop, Insn, Sink, StepOp};
use crate::types::{BinaryOp, DType, UnaryOp};

impl BlockLoop {
    /// Estimated nanoseconds per element of running this loop on one thread.
    #[must_use]
    pub fn cost_ns(&self) -> f64 {
        let mut total: f64 = self.code.iter().map(insn_ns).sum();
        if matches!(self.sink, Sink::ReduceAll { .. }) {
            total += 1.0;
        }
        total.max(1.0)
    }
}

/// The per-element cost of one instruction.
fn insn_ns(insn: &Insn) -> f64 {
    match insn {
        Insn::Gather { dt, .. } => scaled(*dt, 2.0),
        Insn::Copy { dt, .. } => scaled(*dt, 0.5),
        Insn::Cast { to, .. } => scaled(*to, 1.0),
        Insn::Unary { op, dt, .. } => scaled(*dt, unary_ns(*op, *dt)),
        // A constant integer or half-integer exponent runs the integer-power lane function
        // (Chromium: x**3 10 ns per float64 element, x**1.5 12, x**-2 12; exponents
        // without an unrolled loop about three times that).
        Insn::BinaryK {
            op: BinaryOp::Pow,
            dt,
            k,
            ..
        } if dt.is_float()
            && let Some(twice) = crate::types::math::int_exponent(k.to_f64()) =>
        {
            scaled(
                *dt,
                if crate::types::math::POWI_UNROLLED.contains(&twice) {
                    12.0
                } else {
                    30.0
                },
            )
        }
        Insn::Binary { op, dt, .. }
        | Insn::BinaryK { op, dt, .. }
        | Insn::KBinary { op, dt, .. } => scaled(*dt, binary_ns(*op, *dt)),
        Insn::MulAdd { dt, .. } | Insn::MulAddK { dt, .. } | Insn::MulAddC { dt, .. } => {
            scaled(*dt, 1.5)
        }
        Insn::Select { dt, .. } => scaled(*dt, 1.0),
        Insn::CmpSelect { dt, .. } => scaled(*dt, 1.5),
        Insn::Chain { dt, steps, .. } => {
            let steps: f64 = steps
                .iter()
                .map(|s| match s.op {
                    StepOp::Div | StepOp::RDiv | StepOp::Sqrt => 1.5,
                    _ => 0.5,
                })
                .sum();
            scaled(*dt, 1.0 + steps)
        }
    }
}

/// Halves the cost for dtypes of four bytes or fewer.
pub(super) fn scaled(dt: DType, ns: f64) -> f64 {
    if dt.size() <= 4 { ns / 2.0 } else { ns }
}

fn unary_ns(op: UnaryOp, dt: DType) -> f64 {
    use UnaryOp as U;
    if !dt.is_float() {
        return 1.0;
    }
    match op {
        U::Exp | U::Exp2 | U::Cosh => 9.0,
        U::Log | U::Log2 | U::Log10 | U::Log1p | U::Expm1 => 13.0,
        U::Arcsin | U::Arccos | U::Arctan => 14.0,
        U::Sin | U::Cos | U::Sinh => 19.0,
        U::Tan | U::Tanh | U::Arcsinh | U::Arccosh | U::Arctanh | U::Cbrt => 27.0,
        U::Sqrt | U::Reciprocal => 1.5,
        _ => 1.0,
    }
}

fn binary_ns(op: BinaryOp, dt: DType) -> f64 {
    use BinaryOp as B;
    if !dt.is_float() {
        return match op {
            B::TrueDiv | B::FloorDiv | B::Mod | B::Pow => 4.0,
            _ => 1.0,
        };
    }
    match op {
        B::Pow => 37.0,
        B::Arctan2 => 30.0,
        B::Hypot => 14.0,
        B::Fmod | B::Mod | B::FloorDiv => 7.0,
        B::TrueDiv => 1.5,
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use crate::api::{DType, InputKind, Signature, compile};
    use crate::vm::Step;

    /// The summed per-element cost of the loops of `src` over float arrays a and b.
    fn cost(src: &str, dtype: DType) -> f64 {
        let arr = InputKind::Array {
            dtype,
            shape: vec![1000],
        };
        let sig = Signature {
            inputs: vec![("a".into(), arr.clone()), ("b".into(), arr)],
        };
        let c = compile(src, &sig).expect("compiles");
        c.program()
            .steps
            .iter()
            .map(|s| match s {
                Step::Loop(k) => k.cost_ns(),
                Step::ReduceAxis { .. } => 0.0,
            })
            .sum()
    }

    #[test]
    fn costs_follow_the_work() {
        let f64_ = DType::F64;
        let add = cost("a + 1", f64_);
        let axpb = cost("2*a + 3*b", f64_);
        let exp = cost("exp(a)", f64_);
        let sincos = cost("sin(a)**2 + cos(b)**2", f64_);
        let pow = cost("a ** b", f64_);
        let cube = cost("a ** 3", f64_);
        assert!((1.0..=2.0).contains(&add), "{add}");
        assert!(axpb > add && axpb < 5.0, "{axpb}");
        assert!(exp > 4.0 * add, "{exp} vs {add}");
        assert!(sincos > 3.0 * exp, "{sincos} vs {exp}");
        assert!(pow > exp, "{pow} vs {exp}");
        // A constant integer exponent: the integer-power lane function, cheaper than pow.
        assert!(cube > exp && 2.0 * cube < pow, "{cube} vs {exp}, {pow}");
        // Four-byte lanes: half the float64 cost.
        assert!((cost("exp(a)", DType::F32) - exp / 2.0).abs() < 1e-9);
        // A reduction adds its combining step.
        assert!(cost("sum(a)", f64_) >= 1.0);
    }
}
