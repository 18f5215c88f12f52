//! Argument reduction modulo pi/2: x = n pi/2 + r, |r| <= pi/4, r as a double-double.
//!
//! Method: for |x| <= 1e6 (so |n| < 2^20) a four-term Cody-Waite reduction in lanes:
//! pi/2 = P1 + P2 + P3 + P4 with 33-bit P1..P3 (n Pi exact) and a 53-bit tail, the
//! partial differences kept exactly with two-sums; 152 bits of pi/2 cover the worst
//! cancellation in that range. Larger finite lanes take a scalar Payne-Hanek reduction
//! ([`rem_pio2_large`]): the 53-bit significand times a 192-bit window of 2/pi (1280 bits
//! in `tables.rs`) in 64-bit limbs, which leaves n mod 4 and about 128 fraction bits.

use std::simd::prelude::*;

use super::tables::{INV_PIO2, PIO2_1, PIO2_2, PIO2_3, PIO2_4, TWO_OVER_PI_BITS};
use super::util::{f64s, fast_two_sum, round_int_f64, two_sum};

/// Lanes at or below this magnitude use the vector Cody-Waite reduction.
pub const CODY_WAITE_MAX: f64 = 1.0e6;

/// Reduce every lane: returns (n, r_hi, r_lo). Infinite and NaN lanes give garbage that
/// callers replace by NaN.
#[inline(always)]
pub fn rem_pio2_f64x2(x: f64x2) -> (i64x2, f64x2, f64x2) {
    let big = x.abs().simd_gt(f64s(CODY_WAITE_MAX)) & x.is_finite();
    let (ni, rh, rl) = rem_pio2_small_f64x2(big.select(f64s(0.0), x));
    if big.any() {
        patch_large(big, x, ni, rh, rl)
    } else {
        (ni, rh, rl)
    }
}

/// The reduction for lanes known to be at most [`CODY_WAITE_MAX`] in magnitude (the common
/// case): the same bits as [`rem_pio2_f64x2`] gives them, without the large-argument path.
#[inline(always)]
pub fn rem_pio2_small_f64x2(x: f64x2) -> (i64x2, f64x2, f64x2) {
    let (nd, ni) = round_int_f64(x * f64s(INV_PIO2));
    let y = x - nd * f64s(PIO2_1);
    let (s, e1) = two_sum(y, -(nd * f64s(PIO2_2)));
    let (s2, e2) = two_sum(s, -(nd * f64s(PIO2_3)));
    let lo = (e1 + e2) - nd * f64s(PIO2_4);
    let (rh, rl) = fast_two_sum(s2, lo);
    (ni, rh, rl)
}

#[inline(never)]
fn patch_large(big: mask64x2, x: f64x2, n: i64x2, rh: f64x2, rl: f64x2) -> (i64x2, f64x2, f64x2) {
    let (mut n, mut rh, mut rl) = (n.to_array(), rh.to_array(), rl.to_array());
    let xs = x.to_array();
    for i in 0..2 {
        if big.test(i) {
            let (q, h, l) = rem_pio2_large(xs[i]);
            n[i] = q;
            rh[i] = h;
            rl[i] = l;
        }
    }
    (
        i64x2::from_array(n),
        f64x2::from_array(rh),
        f64x2::from_array(rl),
    )
}

/// Scalar Dekker product (no fused multiply-add in simd128 or the native baseline).
fn two_prod_scalar(a: f64, b: f64) -> (f64, f64) {
    let p = a * b;
    let split = |v: f64| {
        let c = v * 134_217_729.0;
        let h = c - (c - v);
        (h, v - h)
    };
    let (ah, al) = split(a);
    let (bh, bl) = split(b);
    (p, ((ah * bh - p) + ah * bl + al * bh) + al * bl)
}

/// 64 bits of 2/pi starting at bit `pos` after the binary point (bit 0 is the first).
fn bits_at(pos: usize) -> u64 {
    let (w, b) = (pos / 64, pos % 64);
    let word = |i: usize| TWO_OVER_PI_BITS.get(i).copied().unwrap_or(0);
    if b == 0 {
        word(w)
    } else {
        (word(w) << b) | (word(w + 1) >> (64 - b))
    }
}

/// Payne-Hanek reduction of a finite |x| >= 2^-1: returns (n mod 4 with the sign of x
/// applied, r_hi, r_lo) with x = n pi/2 + r (mod 2 pi).
#[must_use]
pub fn rem_pio2_large(x: f64) -> (i64, f64, f64) {
    let bits = x.to_bits();
    let neg = bits >> 63 == 1;
    let ex = ((bits >> 52) & 0x7ff) as i64;
    let m = (bits & 0x000f_ffff_ffff_ffff) | (1 << 52);
    let e = ex - 1075; // |x| = m 2^e
    // Bits of 2/pi at weights 2^-(i+1) with i + 1 <= e - 2 only add multiples of 4.
    let i0 = (e - 2).max(0) as usize;
    let (w0, w1, w2) = (bits_at(i0), bits_at(i0 + 64), bits_at(i0 + 128));
    // m * W in four 64-bit limbs (little end first).
    let p2 = m as u128 * w2 as u128;
    let p1 = m as u128 * w1 as u128;
    let p0 = m as u128 * w0 as u128;
    let r0 = p2 as u64;
    let t = (p2 >> 64) + (p1 as u64 as u128);
    let r1 = t as u64;
    let t = (t >> 64) + (p1 >> 64) + (p0 as u64 as u128);
    let r2 = t as u64;
    let r3 = ((t >> 64) + (p0 >> 64)) as u64;
    // The window's last bit has weight 2^-(i0+192); the binary point sits `pt` bits up.
    let pt = (i0 as i64 + 192 - e) as u32; // 192 <= pt <= 192 + 1075
    let limbs = [r0, r1, r2, r3];
    let get = |sh: u32| -> u64 {
        // 64 bits of the 256-bit product starting at bit `sh`.
        let (w, b) = ((sh / 64) as usize, sh % 64);
        let lo = limbs.get(w).copied().unwrap_or(0);
        let hi = limbs.get(w + 1).copied().unwrap_or(0);
        if b == 0 {
            lo
        } else {
            (lo >> b) | (hi << (64 - b))
        }
    };
    let int = get(pt) & 3;
    let frac = ((get(pt - 64) as u128) << 64) | get(pt - 128) as u128;
    // Round to the nearest quadrant: a fraction >= 1/2 counts as the next one, negative r.
    let (mut n, f) = if frac >> 127 == 1 {
        (int as i64 + 1, frac as i128)
    } else {
        (int as i64, frac as i128)
    };
    // f is the signed fraction times 2^128; as a double-double times 2^-128.
    let hi = f as f64;
    let lo = (f - hi as i128) as f64;
    let scale = 2f64.powi(-128);
    let (hi, lo) = (hi * scale, lo * scale);
    // times pi/2 (as a double-double).
    const PIO2_HI: f64 = std::f64::consts::FRAC_PI_2;
    const PIO2_LO: f64 = 6.123_233_995_736_766e-17;
    let (ph, pl) = two_prod_scalar(hi, PIO2_HI);
    let pl = pl + (hi * PIO2_LO + lo * PIO2_HI);
    let s = ph + pl;
    let (mut rh, mut rl) = (s, pl - (s - ph));
    n &= 3;
    if neg {
        n = (4 - n) & 3;
        rh = -rh;
        rl = -rl;
    }
    (n, rh, rl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_matches_cody_waite_in_overlap() {
        for &x in &[1.5e5, 7.0e5, 9.99e5, -8.0e5, 123_456.789] {
            let (n, h, l) = rem_pio2_large(x);
            let (nv, hv, lv) = rem_pio2_f64x2(f64x2::splat(x));
            assert_eq!(n, nv[0] & 3, "{x}");
            assert!(
                (h - hv[0]).abs() <= 1e-30 + hv[0].abs() * 1e-16,
                "{x}: {h} {}",
                hv[0]
            );
            assert!((h + l - (hv[0] + lv[0])).abs() <= 1e-25, "{x}");
        }
    }
}
