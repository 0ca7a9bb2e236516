//! The argument checks of index_add_/index_copy_ and of advanced-index broadcasting, in torch's
//! order: its meta checks (index rank and dtype, dtypes, shapes) before the kernel's bounds check.
use crate::bail;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::layout::{broadcast_shapes, wrap_dim};
use crate::tensor::Tensor;

use super::index::{at_least_1d, cpu, first_bad, fmt_shape, nonzero, vector_index};

/// torch's first check of advanced indices: after masks become their nonzero coordinates, the
/// index shapes must broadcast (IndexError otherwise). A lone mask has nothing to broadcast with.
pub fn check_index_broadcast(indices: &[Option<Tensor>]) -> Result<()> {
    let given: Vec<&Tensor> = indices.iter().flatten().collect();
    if given.len() < 2 {
        return Ok(());
    }
    let mut shapes: Vec<Vec<usize>> = Vec::new();
    for t in given {
        if matches!(t.dtype, DType::Bool | DType::U8) {
            let nnz = nonzero(t)?.shape()[0];
            shapes.extend(std::iter::repeat_n(vec![nnz], t.ndim()));
        } else {
            shapes.push(t.shape().to_vec());
        }
    }
    let mut b: Vec<usize> = Vec::new();
    for sh in &shapes {
        b = broadcast_shapes(&b, sh).map_err(|_| {
            crate::error::index(format!(
                "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                shapes.iter().map(|s| fmt_shape(s)).collect::<Vec<_>>().join(", ")
            ))
        })?;
    }
    Ok(())
}

/// `shape` without dim `d` (unchanged when it has no dims).
fn without_dim(shape: &[usize], d: usize) -> Vec<usize> {
    shape.iter().enumerate().filter(|(i, _)| *i != d).map(|(_, &x)| x).collect()
}

/// torch's index_add meta checks, in its order (index rank and dtype, then dtypes, then shapes;
/// index values only afterwards, in the kernel), and the kernel's bounds check. Returns None when
/// torch's kernel does nothing (an empty index or self with more than one dim).
pub(super) fn index_add_checks(dst: &Tensor, dim: i64, index: &Tensor, source: &Tensor, alpha: Pivot) -> Result<Option<(usize, Tensor)>> {
    cpu(dst, "index_add_")?;
    let d = wrap_dim(dim, dst.ndim())?;
    if index.ndim() > 1 {
        bail!(
            index,
            "index_add_(): Index is supposed to be a vector, but got dim: {} with type: {} and size: {}",
            index.ndim(),
            index.dtype.scalar_name(),
            fmt_shape(index.shape())
        );
    }
    if !matches!(index.dtype, DType::I64 | DType::I32) {
        bail!(runtime, "index_add_(): Expected dtype int32/int64 for index but got: {}", index.dtype.scalar_name());
    }
    if source.dtype != dst.dtype {
        bail!(runtime, "index_add_(): self ({}) and source ({}) must have the same scalar type", dst.dtype.scalar_name(), source.dtype.scalar_name());
    }
    if d != 0 && d >= source.ndim() {
        bail!(runtime, "index_add_(): Indexing dim {} is out of bounds of the source tensor with dim {}", d, source.ndim());
    }
    let numel = index.numel();
    if source.ndim() == 0 && numel != 1 {
        // torch words this check with source.size(dim), which a 0-d source cannot answer.
        bail!(index, "Dimension specified as {} but tensor has no dimensions", d);
    }
    if source.ndim() > 0 && numel != source.shape()[d] {
        bail!(runtime, "index_add_(): Number of indices ({}) should be equal to source.size(dim): ({}), for dim: {}", numel, source.shape()[d], d);
    }
    let same = if source.ndim() != 0 && dst.ndim() != 0 { without_dim(dst.shape(), d) == without_dim(source.shape(), d) } else { dst.shape() == source.shape() };
    if !same {
        bail!(
            runtime,
            "source tensor shape must match self tensor shape, excluding the specified dimension. Got self.shape = {} source.shape = {}",
            fmt_shape(dst.shape()),
            fmt_shape(source.shape())
        );
    }
    let idx = vector_index("index_add_", index)?;
    if dst.ndim() > 1 {
        if numel == 0 || dst.numel() == 0 {
            return Ok(None);
        }
        let n = dst.shape()[d] as i64;
        // torch hands unit-alpha int64 additions along the first or last dim to scatter_add_,
        // whose bounds error differs.
        let unit = matches!(alpha, Pivot::I(1)) || matches!(alpha, Pivot::F(f) if f == 1.0) || matches!(alpha, Pivot::C(re, im) if re == 1.0 && im == 0.0);
        let scatter = (d == 0 || d == dst.ndim() - 1) && unit && index.dtype == DType::I64 && dst.dtype != DType::C32;
        if let Some(v) = first_bad(&idx, 0, n) {
            if scatter {
                bail!(runtime, "index {} is out of bounds for dimension {} with size {}", v, d, n);
            }
            bail!(index, "index out of range in self");
        }
    } else if first_bad(&idx, 0, dst.numel() as i64).is_some() {
        bail!(index, "index out of range in self");
    }
    Ok(Some((d, idx)))
}

/// torch's index_copy meta checks in its order, then the kernel's bounds check, which only runs
/// when the copy has elements. Returns None when there is nothing to copy.
pub(super) fn index_copy_checks(dst: &Tensor, dim: i64, index: &Tensor, source: &Tensor) -> Result<Option<(usize, Tensor)>> {
    cpu(dst, "index_copy_")?;
    let d = wrap_dim(dim, dst.ndim())?;
    if index.ndim() >= 2 {
        bail!(index, "index_copy_(): Index should have dimension 1 or 0 (got {})", index.ndim());
    }
    let numel = index.numel();
    if source.ndim() == 0 && numel != 1 {
        bail!(index, "index_copy_(): When source is scalar, index should have one element (got {})", numel);
    } else if source.ndim() != dst.ndim() && source.ndim() != 0 && dst.ndim() != 0 {
        bail!(
            index,
            "index_copy_(): When source and destination are not scalars, their dimensionality must match. Source dimensionality ({}), destination dimensionality ({})",
            source.ndim(),
            dst.ndim()
        );
    }
    if index.dtype != DType::I64 {
        bail!(runtime, "index_copy_(): Expected a long tensor for index, but got {}", index.dtype.scalar_name());
    }
    if source.dtype != dst.dtype {
        bail!(
            runtime,
            "index_copy_(): self and source expected to have the same dtype, but got (self) {} and (source) {}",
            dst.dtype.scalar_name(),
            source.dtype.scalar_name()
        );
    }
    let (ds, ss) = (without_dim(dst.shape(), d), without_dim(source.shape(), d));
    if ds != ss {
        // torch prints these slice shapes space-separated, without brackets.
        let spaced = |v: &[usize]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" ");
        bail!(
            runtime,
            "index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: {} at dimension {} and source slice shape: {} at dimension 0.",
            spaced(&ds),
            d,
            spaced(&ss)
        );
    }
    if source.ndim() > 0 && numel != source.shape()[d] {
        bail!(index, "index_copy_(): Number of indices ({}) should be equal to source.size(dim) ({})", numel, source.shape()[d]);
    }
    let idx = vector_index("index_copy_", index)?;
    let t = at_least_1d(dst);
    let n = t.shape()[d];
    let mut iter_shape = t.shape().to_vec();
    iter_shape[d] = numel;
    let iter_numel: usize = iter_shape.iter().product();
    if iter_numel == 0 {
        return Ok(None);
    }
    if n == 0 {
        // torch restrides self to the copy's shape with stride 0 along `dim` before any index
        // check, and that view does not fit self's (empty) storage.
        let mut strides = t.strides().to_vec();
        strides[d] = 0;
        let isz = dst.dtype.itemsize();
        let need = isz * (1 + iter_shape.iter().zip(&strides).map(|(&s, &st)| (s - 1) * st.unsigned_abs()).sum::<usize>()) + t.layout.offset * isz;
        bail!(
            runtime,
            "setStorage: sizes {}, strides {}, storage offset {}, and itemsize {} requiring a storage size of {} are out of bounds for storage of size {}",
            fmt_shape(&iter_shape),
            fmt_shape(&strides),
            t.layout.offset,
            isz,
            need,
            dst.storage.nbytes()
        );
    }
    if let Some(i) = first_bad(&idx, 0, n as i64) {
        bail!(index, "index_copy_(): index {} is out of bounds for dimension {} with size {}", i, d, n);
    }
    Ok(Some((d, idx)))
}
