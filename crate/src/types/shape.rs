//! Shapes and NumPy broadcasting.

/// A C-contiguous shape.
pub type Shape = Vec<usize>;

/// The number of elements of a shape.
#[must_use]
pub fn size_of(shape: &[usize]) -> usize {
    shape.iter().product()
}

/// The number of elements, or `None` if it does not fit `usize` (a shape no buffer can
/// have; checked at the boundary so that `size_of` never overflows afterwards).
#[must_use]
pub fn checked_size(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// NumPy's text for a shape: `(2,3)`, `(5,)`, `()`.
#[must_use]
pub fn shape_str(shape: &[usize]) -> String {
    match shape {
        [] => "()".into(),
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
    }
}

/// The broadcast of two shapes, or NumPy's ValueError message naming both.
pub fn broadcast(a: &[usize], b: &[usize]) -> Result<Shape, String> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n {
            a[i + a.len() - n]
        } else {
            1
        };
        let db = if i + b.len() >= n {
            b[i + b.len() - n]
        } else {
            1
        };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(format!(
                "operands could not be broadcast together with shapes {} {}",
                shape_str(a),
                shape_str(b)
            ));
        };
    }
    Ok(out)
}

/// Element strides of a C-contiguous array of `shape`.
#[must_use]
pub fn contiguous_strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// Strides (in elements) that read a C-contiguous `src` array broadcast to `target`
/// (which `src` must broadcast to): 0 along broadcast dimensions.
#[must_use]
pub fn broadcast_strides(src: &[usize], target: &[usize]) -> Vec<usize> {
    let cs = contiguous_strides(src);
    let off = target.len() - src.len();
    (0..target.len())
        .map(|i| {
            if i < off || src[i - off] == 1 {
                0
            } else {
                cs[i - off]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast(&[2, 3], &[3]).unwrap(), vec![2, 3]);
        assert_eq!(broadcast(&[2, 1], &[1, 4]).unwrap(), vec![2, 4]);
        assert_eq!(broadcast(&[], &[5]).unwrap(), vec![5]);
        assert_eq!(broadcast(&[0], &[1]).unwrap(), vec![0]);
        assert_eq!(
            broadcast(&[2, 3], &[4, 3]).unwrap_err(),
            "operands could not be broadcast together with shapes (2,3) (4,3)"
        );
        assert_eq!(broadcast_strides(&[3, 1], &[2, 3, 4]), vec![0, 1, 0]);
    }
}
