//! One strided iterator for all CPU kernels: dims are coalesced where every operand allows it,
//! and the kernel gets one inner row at a time so contiguous rows vectorize.

/// Merges adjacent dims that are contiguous with each other in every operand and drops size-1 dims.
/// Returns (shape, per-operand strides), innermost last; a 0-d input becomes one row of length 1.
pub fn coalesce<const N: usize>(shape: &[usize], strides: [&[isize]; N]) -> (Vec<usize>, [Vec<isize>; N]) {
    let mut out_shape: Vec<usize> = Vec::with_capacity(shape.len());
    let mut out_strides: [Vec<isize>; N] = std::array::from_fn(|_| Vec::with_capacity(shape.len()));
    for d in 0..shape.len() {
        if shape[d] == 1 {
            continue;
        }
        if let Some(&last) = out_shape.last() {
            let mergeable = (0..N).all(|k| *out_strides[k].last().unwrap_or(&0) == strides[k][d] * shape[d] as isize);
            if mergeable {
                let n = out_shape.len() - 1;
                out_shape[n] = last * shape[d];
                for k in 0..N {
                    out_strides[k][n] = strides[k][d];
                }
                continue;
            }
        }
        out_shape.push(shape[d]);
        for k in 0..N {
            out_strides[k].push(strides[k][d]);
        }
    }
    if out_shape.is_empty() {
        out_shape.push(1);
        for s in out_strides.iter_mut() {
            s.push(1);
        }
    }
    (out_shape, out_strides)
}

/// Calls `row(offsets, len, inner_strides)` for every innermost row, in row-major order.
/// Offsets and strides are in elements.
pub fn for_each_row<const N: usize>(
    shape: &[usize],
    strides: [&[isize]; N],
    base: [isize; N],
    mut row: impl FnMut([isize; N], usize, [isize; N]),
) {
    if shape.contains(&0) {
        return;
    }
    let (shape, strides) = coalesce(shape, strides);
    let nd = shape.len();
    let inner_len = shape[nd - 1];
    let inner: [isize; N] = std::array::from_fn(|k| strides[k][nd - 1]);
    let outer: usize = shape[..nd - 1].iter().product();
    let mut idx = vec![0usize; nd.saturating_sub(1)];
    let mut off = base;
    for _ in 0..outer {
        row(off, inner_len, inner);
        // Odometer increment over the outer dims.
        let mut d = nd - 1;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            for k in 0..N {
                off[k] += strides[k][d];
            }
            if idx[d] < shape[d] {
                break;
            }
            for k in 0..N {
                off[k] -= strides[k][d] * shape[d] as isize;
            }
            idx[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contiguous_collapses_to_one_row() {
        let (s, st) = coalesce(&[2, 3, 4], [&[12, 4, 1]]);
        assert_eq!(s, vec![24]);
        assert_eq!(st[0], vec![1]);
    }

    #[test]
    fn transposed_visits_in_logical_order() {
        let mut seen = vec![];
        for_each_row(&[3, 2], [&[1, 3]], [0], |o, n, s| {
            for i in 0..n as isize {
                seen.push(o[0] + i * s[0]);
            }
        });
        assert_eq!(seen, vec![0, 3, 1, 4, 2, 5]);
    }
}
