//! Shape, strides (in elements) and offset: all view math lives here, so views never copy.
use crate::bail;
use crate::error::Result;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Layout {
    pub shape: Vec<usize>,
    pub strides: Vec<isize>,
    pub offset: usize,
}

pub fn contiguous_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut acc = 1isize;
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        acc *= shape[i].max(1) as isize;
    }
    strides
}

/// Wraps a possibly negative dim into `0..ndim`, with torch's IndexError text.
pub fn wrap_dim(dim: i64, ndim: usize) -> Result<usize> {
    let n = ndim.max(1) as i64;
    if dim < -n || dim >= n {
        bail!(index, "Dimension out of range (expected to be in range of [{}, {}], but got {})", -n, n - 1, dim);
    }
    Ok(if dim < 0 { (dim + n) as usize } else { dim as usize })
}

/// Wraps a dim list, refusing repeats as torch's dim bitset does; a 0-d tensor still has the one
/// wrappable dim 0, so `(0, -1)` repeats there too.
pub fn wrap_dims_unique(dims: &[i64], ndim: usize) -> Result<Vec<usize>> {
    let mut seen = vec![false; ndim.max(1)];
    let mut out = Vec::with_capacity(dims.len());
    for &d in dims {
        let w = wrap_dim(d, ndim)?;
        if seen[w] {
            bail!(runtime, "dim {} appears multiple times in the list of dims", w);
        }
        seen[w] = true;
        out.push(w);
    }
    Ok(out)
}

impl Layout {
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout { shape: shape.to_vec(), strides: contiguous_strides(shape), offset: 0 }
    }
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }
    /// torch's definition: strides of size-1 dims are ignored, and empty tensors are contiguous.
    pub fn is_contiguous(&self) -> bool {
        if self.numel() == 0 {
            return true;
        }
        let mut expected = 1isize;
        for i in (0..self.shape.len()).rev() {
            if self.shape[i] != 1 {
                if self.strides[i] != expected {
                    return false;
                }
                expected *= self.shape[i] as isize;
            }
        }
        true
    }
    /// torch's is_non_overlapping_and_dense: some permutation of the dims is contiguous.
    pub fn is_non_overlapping_and_dense(&self) -> bool {
        let (shape, strides) = (&self.shape, &self.strides);
        if shape.len() == 1 {
            return shape[0] < 2 || strides[0] == 1;
        }
        let mut perm: Vec<usize> = (0..shape.len()).collect();
        // Size-0 and size-1 dims go last; the rest by increasing stride.
        perm.sort_by_key(|&d| (shape[d] < 2, strides[d]));
        let mut require = 1isize;
        for &d in &perm {
            if shape[d] < 2 {
                return true;
            }
            if strides[d] != require {
                return false;
            }
            require *= shape[d] as isize;
        }
        true
    }

    /// torch's infer_dense_strides: dense strides that keep this layout's dim order.
    pub fn infer_dense_strides(&self) -> Vec<isize> {
        let (shape, strides) = (&self.shape, &self.strides);
        let n = shape.len();
        let mut perm: Vec<usize> = (0..n).rev().collect();
        let should_swap = |a: usize, b: usize| -> i32 {
            if strides[a] == 0 || strides[b] == 0 {
                0
            } else if strides[a] < strides[b] {
                -1
            } else if strides[a] > strides[b] || shape[a] > shape[b] {
                1
            } else {
                0
            }
        };
        torch_dim_order(&mut perm, should_swap);
        let mut out = vec![0isize; n];
        let mut cur = 1isize;
        for &d in &perm {
            out[d] = cur;
            if shape[d] > 1 {
                cur *= shape[d] as isize;
            }
        }
        out
    }

    /// Smallest and one-past-largest element offsets this layout touches (for bounds checks).
    pub fn extent(&self) -> (isize, isize) {
        if self.numel() == 0 {
            return (self.offset as isize, self.offset as isize);
        }
        let (mut lo, mut hi) = (self.offset as isize, self.offset as isize);
        for (&n, &s) in self.shape.iter().zip(&self.strides) {
            let span = (n as isize - 1) * s;
            if span < 0 {
                lo += span
            } else {
                hi += span
            }
        }
        (lo, hi + 1)
    }
    pub fn transpose(&self, d0: usize, d1: usize) -> Layout {
        let mut l = self.clone();
        // A 0-d tensor wraps both dims to 0 and has nothing to swap.
        if d0 != d1 {
            l.shape.swap(d0, d1);
            l.strides.swap(d0, d1);
        }
        l
    }
    pub fn permute(&self, dims: &[usize]) -> Layout {
        Layout {
            shape: dims.iter().map(|&d| self.shape[d]).collect(),
            strides: dims.iter().map(|&d| self.strides[d]).collect(),
            offset: self.offset,
        }
    }
    pub fn narrow(&self, dim: usize, start: usize, len: usize) -> Layout {
        let mut l = self.clone();
        l.offset = (self.offset as isize + start as isize * self.strides[dim]) as usize;
        l.shape[dim] = len;
        l
    }
    pub fn select(&self, dim: usize, index: usize) -> Layout {
        let mut l = self.narrow(dim, index, 1);
        l.shape.remove(dim);
        l.strides.remove(dim);
        l
    }
    /// Broadcast this layout to `shape` (stride 0 on expanded dims), or None if incompatible.
    pub fn expand(&self, shape: &[usize]) -> Option<Layout> {
        if shape.len() < self.ndim() {
            return None;
        }
        let lead = shape.len() - self.ndim();
        let mut strides = vec![0isize; shape.len()];
        for i in (0..shape.len()).rev() {
            if i < lead {
                // torch's inferExpandGeometry: a new dim of size 1 gets the stride of the dim
                // after it times that dim's size; a broadcast one gets 0
                if shape[i] == 1 && i + 1 < shape.len() {
                    strides[i] = shape[i + 1] as isize * strides[i + 1];
                }
                continue;
            }
            let (n, s) = (self.shape[i - lead], self.strides[i - lead]);
            if n == shape[i] {
                strides[i] = s;
            } else if n != 1 {
                return None;
            }
        }
        Some(Layout { shape: shape.to_vec(), strides, offset: self.offset })
    }
    /// Strides for viewing this layout as `shape` without copying (torch's computeStride), if possible.
    pub fn view_strides(&self, shape: &[usize]) -> Option<Vec<isize>> {
        let numel = self.numel();
        if numel == 0 {
            return Some(contiguous_strides(shape));
        }
        let mut new_strides = vec![0isize; shape.len()];
        let mut view_d = shape.len() as isize - 1;
        let mut chunk_base_stride = *self.strides.last().unwrap_or(&1);
        let mut tensor_numel = 1usize;
        let mut view_numel = 1usize;
        for tensor_d in (0..self.ndim()).rev() {
            tensor_numel *= self.shape[tensor_d];
            let boundary = tensor_d == 0
                || (self.shape[tensor_d - 1] != 1
                    && self.strides[tensor_d - 1] != tensor_numel as isize * chunk_base_stride);
            if boundary {
                while view_d >= 0 && (view_numel < tensor_numel || shape[view_d as usize] == 1) {
                    new_strides[view_d as usize] = view_numel as isize * chunk_base_stride;
                    view_numel *= shape[view_d as usize];
                    view_d -= 1;
                }
                if view_numel != tensor_numel {
                    return None;
                }
                if tensor_d > 0 {
                    chunk_base_stride = self.strides[tensor_d - 1];
                    tensor_numel = 1;
                    view_numel = 1;
                }
            }
        }
        if view_d != -1 {
            return None;
        }
        Some(new_strides)
    }
}

/// Resolves one `-1` in a requested shape against `numel`, with torch's errors.
pub fn infer_size(shape: &[i64], numel: usize) -> Result<Vec<usize>> {
    let mut infer = None;
    let mut prod = 1usize;
    for (i, &d) in shape.iter().enumerate() {
        if d == -1 {
            if infer.is_some() {
                bail!(runtime, "only one dimension can be inferred");
            }
            infer = Some(i);
        } else if d < 0 {
            bail!(runtime, "invalid shape dimension {}", d);
        } else {
            prod *= d as usize;
        }
    }
    let fmt = || format!("[{}]", shape.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "));
    match infer {
        Some(i) => {
            if prod == 0 || numel % prod != 0 {
                if prod == 0 {
                    bail!(runtime, "cannot reshape tensor of 0 elements into shape {} because the unspecified dimension size -1 can be any value and is ambiguous", fmt());
                }
                bail!(runtime, "shape '{}' is invalid for input of size {}", fmt(), numel);
            }
            let mut out: Vec<usize> = shape.iter().map(|&d| d.max(0) as usize).collect();
            out[i] = numel / prod;
            Ok(out)
        }
        None => {
            if prod != numel {
                bail!(runtime, "shape '{}' is invalid for input of size {}", fmt(), numel);
            }
            Ok(shape.iter().map(|&d| d as usize).collect())
        }
    }
}

/// The broadcast of two shapes, with torch's error text.
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            bail!(
                runtime,
                "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension {}",
                da,
                db,
                i
            );
        };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_of_transposed_is_refused_when_it_must_copy() {
        let l = Layout::contiguous(&[2, 3]).transpose(0, 1);
        assert!(l.view_strides(&[6]).is_none());
        assert_eq!(l.view_strides(&[3, 2]), Some(vec![1, 3]));
    }

    #[test]
    fn infer_size_fills_minus_one() {
        assert_eq!(infer_size(&[2, -1], 8).unwrap_or_default(), vec![2, 4]);
        assert!(infer_size(&[3, -1], 8).is_err());
    }
}

/// Sorts `perm` (dims, innermost first) by TensorIterator's insertion sort: `should_swap(a, b)` is
/// 1 to move a after b, -1 to keep the order, 0 when undecided (the element moves on past it).
/// The same sort as torch's, so ties resolve the same way.
pub fn torch_dim_order(perm: &mut [usize], should_swap: impl Fn(usize, usize) -> i32) {
    for i in 1..perm.len() {
        let mut d1 = i;
        for d0 in (0..i).rev() {
            let c = should_swap(perm[d0], perm[d1]);
            if c > 0 {
                perm.swap(d0, d1);
                d1 = d0;
            } else if c < 0 {
                break;
            }
        }
    }
}
