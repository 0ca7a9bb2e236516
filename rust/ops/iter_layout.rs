//! The layout torch's TensorIterator gives a freshly allocated elementwise output, so results keep
//! their inputs' memory order (a transposed input gives a transposed result) exactly as torch.
use crate::layout::Layout;

/// Output layout for inputs `ins` (their own layouts, already in the compute dtype) broadcast to
/// `shape`. Mirrors TensorIterator: the fast setup when every input has the output's shape
/// (contiguous, or dense with identical strides), else the stride-sorted dim permutation.
pub fn iter_output_layout(shape: &[usize], ins: &[&Layout]) -> Layout {
    let n = shape.len();
    if ins.iter().all(|l| l.shape.as_slice() == shape) {
        if ins.iter().all(|l| l.is_contiguous()) {
            return Layout::contiguous(shape);
        }
        if ins.iter().all(|l| l.is_non_overlapping_and_dense()) && ins.windows(2).all(|w| w[0].strides == w[1].strides) {
            if let Some(first) = ins.first() {
                return Layout { shape: shape.to_vec(), strides: first.strides.clone(), offset: 0 };
            }
        }
    }
    if n <= 1 {
        return Layout::contiguous(shape);
    }
    // Broadcast strides: 0 on new and expanded dims.
    let strides: Vec<Vec<isize>> = ins
        .iter()
        .map(|l| {
            let off = n - l.shape.len().min(n);
            (0..n)
                .map(|d| {
                    if d < off {
                        0
                    } else {
                        let k = d - off;
                        if l.shape[k] == 1 && shape[d] != 1 { 0 } else { l.strides[k] }
                    }
                })
                .collect()
        })
        .collect();
    let should_swap = |d0: usize, d1: usize| -> i32 {
        for s in &strides {
            let (s0, s1) = (s[d0], s[d1]);
            if s0 == 0 || s1 == 0 {
                continue;
            }
            if s0 < s1 {
                return -1;
            }
            if s0 > s1 {
                return 1;
            }
            if shape[d0] > shape[d1] {
                return 1;
            }
        }
        0
    };
    let mut perm: Vec<usize> = (0..n).rev().collect();
    crate::layout::torch_dim_order(&mut perm, should_swap);
    // An identity permutation allocates a plain contiguous output, as torch does.
    if perm.iter().enumerate().all(|(i, &d)| d == n - 1 - i) {
        return Layout::contiguous(shape);
    }
    let mut out = vec![0isize; n];
    let mut next = 1isize;
    for &d in &perm {
        out[d] = next;
        next *= shape[d] as isize;
    }
    Layout { shape: shape.to_vec(), strides: out, offset: 0 }
}
