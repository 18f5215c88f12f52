//! Helpers shared by the expression engine's integration tests.
#![allow(dead_code)]

pub mod snapshot;

use numwasm::types::Buffer;

/// A xorshift64* generator: small, seeded, reproducible.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// Uniform in `[0, 1)`.
    pub fn float(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn close_f(x: f64, y: f64, rel: f64) -> bool {
    x.to_bits() == y.to_bits()
        || (x.is_nan() && y.is_nan())
        || x == y
        || (x - y).abs() <= rel * (1.0 + x.abs().max(y.abs()))
}

/// Equal dtypes and values: exact for integers and bools, within `rel` for floats
/// (float32 within `rel * 1e3`; `rel == 0`: to the bit), NaN equal to NaN. Lists the
/// first mismatches.
pub fn close(a: &Buffer, b: &Buffer, rel: f64) -> Result<(), String> {
    let mut bad = Vec::new();
    match (a, b) {
        (Buffer::F64(x), Buffer::F64(y)) => {
            for (k, (p, q)) in x.iter().zip(y).enumerate() {
                if !close_f(*p, *q, rel) {
                    bad.push(format!("[{k}] {p:e} vs {q:e}"));
                }
            }
        }
        (Buffer::F32(x), Buffer::F32(y)) => {
            for (k, (p, q)) in x.iter().zip(y).enumerate() {
                if !close_f(f64::from(*p), f64::from(*q), (rel * 1e3).min(1e-3)) {
                    bad.push(format!("[{k}] {p:e} vs {q:e}"));
                }
            }
        }
        (x, y) if x.dtype() != y.dtype() => {
            return Err(format!("dtype {} vs {}", x.dtype(), y.dtype()));
        }
        (x, y) => {
            if x != y {
                for k in 0..x.len().min(y.len()) {
                    if x.get(k) != y.get(k) {
                        bad.push(format!("[{k}] {} vs {}", x.get(k), y.get(k)));
                    }
                }
            }
        }
    }
    if a.len() != b.len() {
        return Err(format!("length {} vs {}", a.len(), b.len()));
    }
    if bad.is_empty() {
        Ok(())
    } else {
        let n = bad.len();
        bad.truncate(8);
        Err(format!("{n} mismatches: {}", bad.join(", ")))
    }
}
