//! The column layout of an order-free reduction (sum, mean, max/min values): when the input is
//! dense and, in memory order, its reduced dims form one run with kept dims inside it, it reads as
//! a contiguous `[a, r, n]` block reduced over `r` (`x.sum(0)`, a bias gradient, a batch mean).
//! Such inputs go to the column kernels instead of being transposed into rows first.
use crate::error::Result;
use crate::layout::Layout;
use crate::tensor::Tensor;

pub struct Cols {
    _keep: Tensor,
    ptr: *const u8,
    pub a: usize,
    pub r: usize,
    pub n: usize,
    /// Kept dims of size > 1, in memory order (the order the kernels write results in).
    kept: Vec<usize>,
}

impl Cols {
    pub fn slice<T>(&self) -> &[T] {
        // SAFETY: `ptr` addresses a*r*n dense elements of the kept-alive tensor.
        unsafe { std::slice::from_raw_parts(self.ptr as *const T, self.a * self.r * self.n) }
    }

    /// Shape of the kernels' result (kept dims in memory order).
    pub fn mem_shape(&self, t_shape: &[usize]) -> Vec<usize> {
        self.kept.iter().map(|&d| t_shape[d]).collect()
    }

    /// The kernels' result `res` (shaped `mem_shape`) as the reduction's contiguous result of
    /// `out_shape`: kept dims back in their original order.
    pub fn finish(&self, res: Tensor, out_shape: &[usize]) -> Result<Tensor> {
        let mut order: Vec<usize> = (0..self.kept.len()).collect();
        order.sort_by_key(|&i| self.kept[i]);
        let res = if order.iter().enumerate().all(|(i, &o)| i == o) {
            res
        } else {
            res.with_layout(res.layout.permute(&order)).contiguous()?
        };
        Ok(res.with_layout(Layout::contiguous(out_shape)))
    }
}

/// `Some` when `t` (reduced over `mask`) has the column layout described above.
pub fn cols(t: &Tensor, mask: &[bool]) -> Option<Cols> {
    let shape = t.shape();
    if t.numel() == 0 || !t.layout.is_non_overlapping_and_dense() {
        return None;
    }
    // Dims of size > 1 from outermost to innermost in memory.
    let mut order: Vec<usize> = (0..shape.len()).filter(|&d| shape[d] > 1).collect();
    order.sort_by_key(|&d| std::cmp::Reverse(t.layout.strides[d]));
    let red: Vec<bool> = order.iter().map(|&d| mask[d]).collect();
    if red.last().is_none_or(|&r| r) {
        return None;
    }
    let f = red.iter().position(|&r| r)?;
    let l = red.iter().rposition(|&r| r)?;
    if red[f..=l].iter().any(|&r| !r) {
        return None;
    }
    let size = |ds: &[usize]| ds.iter().map(|&d| shape[d]).product::<usize>();
    let (a, r, n) = (size(&order[..f]), size(&order[f..=l]), size(&order[l + 1..]));
    let kept: Vec<usize> = order[..f].iter().chain(&order[l + 1..]).copied().collect();
    let (lo, _) = t.layout.extent();
    // SAFETY: a dense layout's elements span exactly [lo, lo + numel) of its storage.
    let ptr = unsafe { t.storage.as_ptr().offset(lo * t.dtype.itemsize() as isize) } as *const u8;
    Some(Cols { _keep: t.clone(), ptr, a, r, n, kept })
}
