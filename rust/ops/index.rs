//! Indexing ops: advanced indexing (`index`, `index_put_`), index_select/add/copy/fill, dim-wise
//! gather/scatter, masks, nonzero and take. Validation happens here, before any write, so a failed
//! op leaves its inputs unchanged.
use std::sync::Arc;

use crate::backend::cpu::index::{self as k, AdvPlan, Combine, Reduce};
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::layout::{Layout, broadcast_shapes, wrap_dim};
use crate::storage::Storage;
use crate::tensor::Tensor;

pub(super) fn cpu(t: &Tensor, op: &str) -> Result<()> {
    if t.device() != Device::Cpu {
        bail!(not_implemented, "[{op}] is not implemented for CUDA tensors yet; move the tensor to the CPU with .cpu() first");
    }
    Ok(())
}

/// Checks an index tensor's dtype and returns it as int64.
pub fn long_index(t: &Tensor) -> Result<Tensor> {
    match t.dtype {
        DType::I64 => Ok(t.clone()),
        DType::I32 | DType::I16 | DType::I8 => t.to_dtype(DType::I64, false),
        _ => bail!(index, "tensors used as indices must be long, int, byte or bool tensors"),
    }
}

pub(super) fn fmt_shape<T: std::fmt::Display>(s: &[T]) -> String {
    format!("[{}]", s.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

/// Plans `src[indices]` where `indices[d]` (None = whole dim) indexes dim `d` of `src`; bool
/// tensors consume as many dims as they have.
pub fn plan(src: &Tensor, indices: &[Option<Tensor>]) -> Result<AdvPlan> {
    let l = &src.layout;
    // Expand masks into per-dim long indices (or keep a lone mask as direct offsets).
    let mut adv: Vec<(usize, Tensor)> = Vec::new();
    let mut lone_mask: Option<(usize, Tensor)> = None;
    let mut d = 0usize;
    let n_adv = indices.iter().filter(|i| i.is_some()).count();
    for ix in indices {
        match ix {
            None => d += 1,
            Some(t) if t.dtype == DType::Bool || t.dtype == DType::U8 => {
                let kd = t.ndim();
                if d + kd > l.ndim() {
                    bail!(index, "too many indices for tensor of dimension {}", l.ndim());
                }
                for j in 0..kd {
                    if t.shape()[j] != l.shape[d + j] {
                        bail!(
                            index,
                            "The shape of the mask {} at index {} does not match the shape of the indexed tensor {} at index {}",
                            fmt_shape(t.shape()),
                            j,
                            fmt_shape(&l.shape),
                            d + j
                        );
                    }
                }
                if n_adv == 1 {
                    lone_mask = Some((d, t.clone()));
                } else {
                    let nz = nonzero(t)?;
                    for j in 0..kd {
                        adv.push((d + j, nz.with_layout(nz.layout.select(1, j))));
                    }
                }
                d += kd;
            }
            Some(t) => {
                if d >= l.ndim() {
                    bail!(index, "too many indices for tensor of dimension {}", l.ndim());
                }
                adv.push((d, long_index(t)?));
                d += 1;
            }
        }
    }
    if let Some((d0, m)) = lone_mask {
        let kd = m.ndim();
        let m = m.contiguous()?;
        // SAFETY: m is a valid CPU bool/uint8 tensor.
        let offsets = unsafe { k::mask_offsets(m.storage.as_ptr(), &m.layout, &l.strides[d0..d0 + kd], 0) };
        let count = offsets.len();
        return Ok(AdvPlan {
            pre_shape: l.shape[..d0].to_vec(),
            pre_offs: k::block_offsets(&l.shape[..d0], &l.strides[..d0], l.offset as isize),
            b_shape: vec![count],
            offsets,
            post_shape: l.shape[d0 + kd..].to_vec(),
            post_strides: l.strides[d0 + kd..].to_vec(),
        });
    }
    let mut b_shape: Vec<usize> = Vec::new();
    for (_, t) in &adv {
        b_shape = broadcast_shapes(&b_shape, t.shape()).map_err(|_| {
            crate::error::index(format!(
                "shape mismatch: indexing tensors could not be broadcast together with shapes {}",
                adv.iter().map(|(_, t)| fmt_shape(t.shape())).collect::<Vec<_>>().join(", ")
            ))
        })?;
    }
    let nb: usize = b_shape.iter().product();
    let mut offsets = vec![0isize; nb];
    for (dim, t) in &adv {
        let Some(el) = t.layout.expand(&b_shape) else { bail!(index, "shape mismatch in indexing tensors") };
        // SAFETY: t is an int64 CPU tensor; el is a broadcast of its layout.
        let offs = unsafe { k::index_offsets(t.storage.as_ptr() as *const i64, &el, l.shape[*dim], l.strides[*dim]) };
        match offs {
            Ok(o) => {
                if adv.len() == 1 {
                    offsets = o;
                } else {
                    offsets.iter_mut().zip(&o).for_each(|(a, b)| *a += b);
                }
            }
            Err(v) => return Err(out_of_bounds(v, *dim, l.shape[*dim])),
        }
    }
    let dims: Vec<usize> = adv.iter().map(|(d, _)| *d).collect();
    let adjacent = dims.windows(2).all(|w| w[1] == w[0] + 1);
    let rest: Vec<usize> = (0..l.ndim()).filter(|d| !dims.contains(d)).collect();
    let (pre, post): (Vec<usize>, Vec<usize>) = match (adjacent, dims.first()) {
        (true, Some(&f)) => rest.iter().partition(|&&d| d < f),
        _ => (vec![], rest),
    };
    let pre_shape: Vec<usize> = pre.iter().map(|&d| l.shape[d]).collect();
    let pre_strides: Vec<isize> = pre.iter().map(|&d| l.strides[d]).collect();
    Ok(AdvPlan {
        pre_offs: k::block_offsets(&pre_shape, &pre_strides, l.offset as isize),
        pre_shape,
        b_shape,
        offsets,
        post_shape: post.iter().map(|&d| l.shape[d]).collect(),
        post_strides: post.iter().map(|&d| l.strides[d]).collect(),
    })
}

/// `src[indices]` (aten::index): a new contiguous tensor.
pub fn index(src: &Tensor, indices: &[Option<Tensor>]) -> Result<Tensor> {
    crate::resolve_bits!(src);
    cpu(src, "index")?;
    let l = &src.layout;
    let mut some = indices.iter().enumerate().filter_map(|(d, i)| i.as_ref().map(|t| (d, t)));
    if let (Some((d, t)), None) = (some.next(), some.next()) {
        if matches!(t.dtype, DType::Bool | DType::U8) {
            // x[mask] with a mask over every dim: one compaction pass, as masked_select.
            if d == 0 && t.ndim() >= 1 && t.shape() == src.shape() {
                return compact_by_mask(src, &src.layout, t, &t.layout);
            }
        } else if d < l.ndim() && l.shape.iter().enumerate().all(|(j, &n)| j == d || n == 1) {
            // One integer index and nothing else to iterate over: a fused check-and-gather.
            let idx = long_index(t)?.contiguous()?;
            let mut shape = l.shape[..d].to_vec();
            shape.extend_from_slice(idx.shape());
            shape.extend_from_slice(&l.shape[d + 1..]);
            return match gather_1d(src, d, &idx, &shape, true)? {
                Ok(out) => Ok(out),
                Err(v) => Err(out_of_bounds(v, d, l.shape[d])),
            };
        }
    }
    let p = plan(src, indices)?;
    gather(src, &p)
}

/// torch's IndexError for an index out of range of dim `d` (worded apart for an empty dim).
fn out_of_bounds(v: i64, d: usize, size: usize) -> crate::error::Error {
    if size == 0 {
        crate::error::index("index is out of bounds for dimension with size 0".to_string())
    } else {
        crate::error::index(format!("index {v} is out of bounds for dimension {d} with size {size}"))
    }
}

/// `src` gathered along dim `d` (every other dim of size 1) by a contiguous int64 index, as a
/// tensor of `shape`; Ok(Err(v)) names the first index out of range.
fn gather_1d(src: &Tensor, d: usize, idx: &Tensor, shape: &[usize], wrap: bool) -> Result<std::result::Result<Tensor, i64>> {
    let l = &src.layout;
    let out = Tensor::for_overwrite(shape, src.dtype)?;
    let isz = src.dtype.itemsize();
    // SAFETY: idx is contiguous int64 from its offset; every read of src is range-checked against
    // l.shape[d] inside the kernel; out holds idx.numel() elements.
    let r = unsafe {
        k::gather_index(
            src.storage.as_ptr(),
            isz,
            l.offset as isize,
            l.strides[d],
            l.shape[d],
            (idx.storage.as_ptr() as *const i64).add(idx.layout.offset),
            idx.numel(),
            wrap,
            out.storage.as_ptr(),
        )
    };
    Ok(r.map(|_| out))
}

/// The elements of `src` (seen through `sl`) where `mask` (seen through `ml`, same shape) is set.
fn compact_by_mask(src: &Tensor, sl: &Layout, mask: &Tensor, ml: &Layout) -> Result<Tensor> {
    // SAFETY: ml is a valid layout (or broadcast) of mask's storage.
    let n = unsafe { k::count_true(mask.storage.as_ptr(), ml) };
    let out = with_spare(n, src.dtype)?;
    // SAFETY: out has n + 1 slots; layouts are valid for their storages.
    unsafe { k::compact(src.storage.as_ptr(), src.dtype.itemsize(), sl, mask.storage.as_ptr(), ml, out.storage.as_ptr()) };
    Ok(out)
}

pub fn gather(src: &Tensor, p: &AdvPlan) -> Result<Tensor> {
    let out = Tensor::for_overwrite(&p.out_shape(), src.dtype)?;
    // SAFETY: the plan's offsets are in bounds of src; out was sized from the plan.
    unsafe { k::gather_plan(src.storage.as_ptr(), src.dtype.itemsize(), p, out.storage.as_ptr()) };
    Ok(out)
}

/// Values to write through a plan: `values` broadcast to the plan's shape, cast, contiguous.
fn plan_values(dst: &Tensor, p: &AdvPlan, values: &Tensor, op: &str) -> Result<Tensor> {
    let shape = p.out_shape();
    let Some(el) = values.layout.expand(&shape) else {
        bail!(
            runtime,
            "shape mismatch: value tensor of shape {} cannot be broadcast to indexing result of shape {}",
            fmt_shape(values.shape()),
            fmt_shape(&shape)
        );
    };
    let _ = op;
    let v = values.to_device(Device::Cpu)?;
    let v = v.with_layout(el).to_dtype(dst.dtype, false)?;
    // A snapshot when the values share dst's storage, so writes do not feed later reads.
    if Arc::ptr_eq(&v.storage, &dst.storage) { v.contiguous_copy() } else { v.contiguous() }
}

/// `dst[indices] = values` or `+=` with `accumulate` (aten::index_put_).
pub fn index_put_(dst: &Tensor, indices: &[Option<Tensor>], values: &Tensor, accumulate: bool) -> Result<()> {
    if dst.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = dst.resolve_bits(true, true)?;
        index_put_(&tmp, indices, values, accumulate)?;
        return dst.copy_(&tmp);
    }
    crate::resolve_bits!(values);
    cpu(dst, "index_put_")?;
    crate::ops::newdt::reject(dst.dtype, "index_put", crate::ops::newdt::Refuse::Uints)?;
    dst.check_writable()?;
    let p = plan(dst, indices)?;
    if values.numel() == 1 && values.ndim() == 0 && !accumulate {
        // SAFETY: plan offsets are in bounds.
        unsafe { k::fill_plan(dst.storage.as_ptr(), dst.dtype, &p, values.item()?) };
    } else {
        let v = plan_values(dst, &p, values, "index_put_")?;
        let how = if accumulate { Combine::Add(Pivot::I(1)) } else { Combine::Copy };
        // SAFETY: as above; v is contiguous with the plan's shape.
        unsafe { k::scatter_plan(dst.storage.as_ptr(), dst.dtype, &p, v.storage.as_ptr().add(v.layout.offset * v.dtype.itemsize()), how) };
    }
    dst.storage.bump_version();
    Ok(())
}

/// Fills `dst[indices]` with a scalar.
pub fn index_fill_plan(dst: &Tensor, indices: &[Option<Tensor>], value: Pivot) -> Result<()> {
    if dst.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = dst.resolve_bits(true, true)?;
        index_fill_plan(&tmp, indices, value)?;
        return dst.copy_(&tmp);
    }
    cpu(dst, "index_put_")?;
    dst.check_writable()?;
    let p = plan(dst, indices)?;
    // SAFETY: plan offsets are in bounds.
    unsafe { k::fill_plan(dst.storage.as_ptr(), dst.dtype, &p, value) };
    dst.storage.bump_version();
    Ok(())
}

/// A 1-D (or 0-D) index for the `index_*` family, with torch's checks.
pub(super) fn vector_index(op: &str, index: &Tensor) -> Result<Tensor> {
    if index.ndim() > 1 {
        bail!(index, "{op}(): Index is supposed to be a vector");
    }
    if !matches!(index.dtype, DType::I64 | DType::I32) {
        bail!(runtime, "{op}(): Expected dtype int32/int64 for index but got: {}", index.dtype.name());
    }
    let i = long_index(index)?;
    Ok(if i.ndim() == 0 { i.with_layout(Layout { shape: vec![1], strides: vec![1], offset: i.layout.offset }) } else { i })
}

/// Layout helper: `t` seen with at least one dim (0-d tensors index like 1-element vectors).
pub(super) fn at_least_1d(t: &Tensor) -> Tensor {
    if t.ndim() == 0 { t.with_layout(Layout { shape: vec![1], strides: vec![1], offset: t.layout.offset }) } else { t.clone() }
}

fn dim_indices(ndim: usize, dim: usize, idx: Tensor) -> Vec<Option<Tensor>> {
    let mut v: Vec<Option<Tensor>> = vec![None; ndim];
    v[dim] = Some(idx);
    v
}

pub fn index_select(src: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(src);
    crate::resolve_bits!(index);
    cpu(src, "index_select")?;
    let d = wrap_dim(dim, src.ndim())?;
    let idx = vector_index("index_select", index)?;
    if src.ndim() == 0 && idx.numel() != 1 {
        bail!(runtime, "index_select(): Index to scalar can have only 1 value, got {} value(s)", idx.numel());
    }
    let s = at_least_1d(src);
    let n = s.shape()[d] as i64;
    // SAFETY: idx is a valid int64 CPU tensor.
    if let Some(v) = unsafe { k::first_out_of_range(idx.storage.as_ptr() as *const i64, &idx.layout, 0, n) } {
        // torch's dim-1 kernel words this differently (and raises RuntimeError).
        if d == 1 && n == 0 {
            bail!(runtime, "index_select(): self indexing axis dim should be positive");
        }
        if d == 1 {
            bail!(runtime, "INDICES element is out of DATA bounds, id={v} axis_dim={n}");
        }
        bail!(index, "index out of range in self");
    }
    let out = self::index(&s, &dim_indices(s.ndim(), d, idx))?;
    if src.ndim() == 0 {
        return Ok(out.with_layout(Layout { shape: vec![], strides: vec![], offset: 0 }));
    }
    Ok(out)
}

/// The shared front end of index_add_/index_copy_/index_fill_: wrapped dim, checked vector index.
fn index_dim_args(op: &str, dst: &Tensor, dim: i64, index: &Tensor) -> Result<(usize, Tensor)> {
    cpu(dst, op)?;
    let d = wrap_dim(dim, dst.ndim())?;
    let idx = vector_index(op, index)?;
    let n = at_least_1d(dst).shape()[d] as i64;
    let lo = if op == "index_copy_" { 0 } else { -n };
    // SAFETY: idx is a valid int64 CPU tensor.
    if let Some(i) = unsafe { k::first_out_of_range(idx.storage.as_ptr() as *const i64, &idx.layout, lo, n) } {
        match op {
            "index_add_" => bail!(index, "index out of range in self"),
            "index_copy_" => bail!(index, "index_copy_(): index {} is out of bounds for dimension {} with size {}", i, d, n),
            _ => bail!(index, "index {} is out of bounds for dimension {} with size {}", i, d, n),
        }
    }
    Ok((d, idx))
}

/// The first index outside `lo..hi`, if any.
pub(super) fn first_bad(idx: &Tensor, lo: i64, hi: i64) -> Option<i64> {
    // SAFETY: idx is a valid int64 CPU tensor.
    unsafe { k::first_out_of_range(idx.storage.as_ptr() as *const i64, &idx.layout, lo, hi) }
}

pub fn index_add_(dst: &Tensor, dim: i64, index: &Tensor, source: &Tensor, alpha: Pivot) -> Result<()> {
    if dst.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = dst.resolve_bits(true, true)?;
        index_add_(&tmp, dim, index, source, alpha)?;
        return dst.copy_(&tmp);
    }
    crate::resolve_bits!(index);
    crate::resolve_bits!(source);
    crate::ops::newdt::reject(dst.dtype, "scatter_gather_tensor_cpu", crate::ops::newdt::Refuse::F8)?;
    let Some((d, idx)) = super::index_checks::index_add_checks(dst, dim, index, source, alpha)? else {
        return dst.check_writable();
    };
    dst.check_writable()?;
    let t = at_least_1d(dst);
    let s = at_least_1d(source);
    let p = plan(&t, &dim_indices(t.ndim(), d, idx))?;
    let v = plan_values(&t, &p, &s, "index_add_")?;
    // SAFETY: plan offsets are in bounds; v matches the plan's shape.
    unsafe { k::scatter_plan(t.storage.as_ptr(), t.dtype, &p, v.data_ptr() as *const u8, Combine::Add(alpha)) };
    dst.storage.bump_version();
    Ok(())
}

pub fn index_copy_(dst: &Tensor, dim: i64, index: &Tensor, source: &Tensor) -> Result<()> {
    if dst.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = dst.resolve_bits(true, true)?;
        index_copy_(&tmp, dim, index, source)?;
        return dst.copy_(&tmp);
    }
    crate::resolve_bits!(index);
    crate::resolve_bits!(source);
    crate::ops::newdt::reject(dst.dtype, "index_copy_cpu", crate::ops::newdt::Refuse::All)?;
    let Some((d, idx)) = super::index_checks::index_copy_checks(dst, dim, index, source)? else {
        return Ok(());
    };
    let t = at_least_1d(dst);
    index_put_(&t, &dim_indices(t.ndim(), d, idx), &at_least_1d(source), false)
}

pub fn index_fill_(dst: &Tensor, dim: i64, index: &Tensor, value: Pivot) -> Result<()> {
    if dst.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = dst.resolve_bits(true, true)?;
        index_fill_(&tmp, dim, index, value)?;
        return dst.copy_(&tmp);
    }
    crate::resolve_bits!(index);
    crate::ops::newdt::reject(dst.dtype, "index_fill_cpu", crate::ops::newdt::Refuse::All)?;
    let (d, idx) = index_dim_args("index_fill_", dst, dim, index)?;
    let value = crate::element::checked_scalar(value, dst.dtype, crate::element::ScalarCtx::Fill)?;
    let t = at_least_1d(dst);
    index_fill_plan(&t, &dim_indices(t.ndim(), d, idx), value)
}

/// Checks a dim-wise index against `self` (and `src`) as torch's gather/scatter do.
fn check_dim_index(op: &str, t: &Tensor, d: usize, idx: &Tensor, src: Option<&Tensor>) -> Result<()> {
    check_dim_shapes(op, t, d, idx, src)?;
    check_dim_bounds(t, d, idx)
}

/// The meta checks of a dim-wise index: its dtype and rank, and its size against self and src.
fn check_dim_shapes(op: &str, t: &Tensor, d: usize, idx: &Tensor, src: Option<&Tensor>) -> Result<()> {
    if idx.dtype != DType::I64 {
        bail!(runtime, "{op}(): Expected dtype int64 for index");
    }
    let tn = t.ndim().max(1);
    let inn = idx.ndim().max(1);
    if inn != tn && idx.numel() > 0 {
        bail!(runtime, "Index tensor must have the same number of dimensions as {} tensor", if op == "gather" { "input" } else { "self" });
    }
    if idx.numel() == 0 {
        return Ok(());
    }
    let ts = at_least_1d(t).shape().to_vec();
    let is = at_least_1d(idx).shape().to_vec();
    for i in 0..tn {
        if i != d && is[i] > ts[i] {
            bail!(runtime, "Size does not match at dimension {} expected index {} to be no larger than self {} apart from dimension {}", i, fmt_shape(&is), fmt_shape(&ts), d);
        }
    }
    if let Some(s) = src {
        let ss = at_least_1d(s).shape().to_vec();
        if ss.len() != tn {
            bail!(runtime, "Index tensor must have the same number of dimensions as src tensor");
        }
        for i in 0..tn {
            if is[i] > ss[i] {
                bail!(runtime, "Size does not match at dimension {} expected index {} to be no larger than src {}", i, fmt_shape(&is), fmt_shape(&ss));
            }
        }
    }
    Ok(())
}

/// The kernel's bounds check of a dim-wise index (after the shape and dtype checks).
fn check_dim_bounds(t: &Tensor, d: usize, idx: &Tensor) -> Result<()> {
    if idx.numel() == 0 {
        return Ok(());
    }
    let n = at_least_1d(t).shape()[d] as i64;
    if let Some(i) = first_bad(idx, 0, n) {
        bail!(runtime, "index {} is out of bounds for dimension {} with size {}", i, d, n);
    }
    Ok(())
}

/// `torch.gather(input, dim, index)`.
pub fn gather_dim(src: &Tensor, dim: i64, index: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(src);
    crate::resolve_bits!(index);
    cpu(src, "gather")?;
    crate::ops::newdt::reject(src.dtype, "scatter_gather_tensor_cpu", crate::ops::newdt::Refuse::F8)?;
    let d = wrap_dim(dim, src.ndim())?;
    check_dim_index("gather", src, d, index, None)?;
    let out = Tensor::for_overwrite(index.shape(), src.dtype)?;
    if index.numel() == 0 {
        return Ok(out);
    }
    let (s, i, o) = (at_least_1d(src), at_least_1d(index), at_least_1d(&out));
    let sl = Layout { shape: i.shape().to_vec(), strides: s.strides().to_vec(), offset: s.layout.offset };
    // SAFETY: indices were checked against src's dim; shapes fit (checked above).
    unsafe {
        k::gather_dim(s.storage.as_ptr(), s.dtype.itemsize(), &sl, d, s.strides()[d], i.storage.as_ptr() as *const i64, &i.layout, o.storage.as_ptr(), &o.layout)
    };
    Ok(out)
}

/// `self.scatter_(dim, index, src|value, reduce=)` and `scatter_reduce_` without `include_self`.
pub fn scatter_(dst: &Tensor, dim: i64, index: &Tensor, src: Option<&Tensor>, value: Pivot, how: Reduce) -> Result<()> {
    if dst.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = dst.resolve_bits(true, true)?;
        scatter_(&tmp, dim, index, src, value, how)?;
        return dst.copy_(&tmp);
    }
    crate::resolve_bits!(index);
    crate::resolve_opt_bits!(src);
    cpu(dst, "scatter_")?;
    crate::ops::newdt::reject(dst.dtype, if src.is_some() { "scatter_gather_tensor_cpu" } else { "scatter_gather_scalar_cpu" }, crate::ops::newdt::Refuse::F8)?;
    let d = wrap_dim(dim, dst.ndim())?;
    check_dim_index("scatter", dst, d, index, src)?;
    if let Some(s) = src {
        if s.dtype != dst.dtype {
            bail!(runtime, "scatter(): Expected self.dtype to be equal to src.dtype");
        }
    }
    dst.check_writable()?;
    if index.numel() == 0 {
        return Ok(());
    }
    let (t, i) = (at_least_1d(dst), at_least_1d(index));
    let src = match src {
        Some(s) => Some(at_least_1d(&s.to_device(Device::Cpu)?)),
        None => None,
    };
    // Reads from a snapshot when src aliases dst.
    let src = match src {
        Some(s) if Arc::ptr_eq(&s.storage, &t.storage) => Some(s.contiguous_copy()?),
        s => s,
    };
    let dl = Layout { shape: i.shape().to_vec(), strides: t.strides().to_vec(), offset: t.layout.offset };
    // SAFETY: indices were checked; src covers the index's shape (checked).
    unsafe {
        k::scatter_dim(
            t.storage.as_ptr(),
            t.dtype,
            &dl,
            d,
            t.strides()[d],
            i.storage.as_ptr() as *const i64,
            &i.layout,
            src.as_ref().map(|s| (s.storage.as_ptr() as *const u8, &s.layout)),
            value,
            how,
        )
    };
    dst.storage.bump_version();
    Ok(())
}

/// `scatter_reduce_(dim, index, src, reduce, include_self)`.
pub fn scatter_reduce_(dst: &Tensor, dim: i64, index: &Tensor, src: &Tensor, reduce: &str, include_self: bool) -> Result<()> {
    if dst.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = dst.resolve_bits(true, true)?;
        scatter_reduce_(&tmp, dim, index, src, reduce, include_self)?;
        return dst.copy_(&tmp);
    }
    crate::resolve_bits!(index);
    crate::resolve_bits!(src);
    crate::ops::newdt::reject(dst.dtype, &format!("scatter_gather_tensor_cpu_reduce_{reduce}"), crate::ops::newdt::Refuse::All)?;
    let how = match reduce {
        "sum" | "mean" => Reduce::Sum,
        "prod" => Reduce::Prod,
        "amax" => Reduce::Max,
        "amin" => Reduce::Min,
        _ => bail!(runtime, "reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"),
    };
    cpu(dst, "scatter_reduce_")?;
    let d = wrap_dim(dim, dst.ndim())?;
    check_dim_shapes("scatter", dst, d, index, Some(src))?;
    if src.dtype != dst.dtype {
        bail!(runtime, "scatter(): Expected self.dtype to be equal to src.dtype");
    }
    dst.check_writable()?;
    if index.numel() == 0 {
        return Ok(());
    }
    if dst.dtype.is_complex() && matches!(how, Reduce::Max | Reduce::Min) {
        bail!(not_implemented, "\"scatter_gather_tensor_cpu_reduce_{reduce}\" not implemented for '{}'", dst.dtype.scalar_name());
    }
    check_dim_bounds(dst, d, index)?;
    let t = at_least_1d(dst);
    // Positions that receive values: counts per destination element (for mean and include_self).
    let ones = Tensor::full(index.shape(), Pivot::I(1), DType::I64, Device::Cpu)?;
    let counts = Tensor::zeros(t.shape(), DType::I64, Device::Cpu)?;
    scatter_(&counts, dim, index, Some(&ones), Pivot::I(0), Reduce::Sum)?;
    if !include_self {
        // Start touched positions from the first scattered value: reset them to the identity.
        let ident = match how {
            Reduce::Sum => Pivot::I(0),
            Reduce::Prod => Pivot::I(1),
            Reduce::Max => Pivot::F(f64::NEG_INFINITY),
            Reduce::Min => Pivot::F(f64::INFINITY),
            Reduce::Copy => Pivot::I(0),
        };
        let ident = match (how, dst.dtype.is_floating_point()) {
            (Reduce::Max, false) | (Reduce::Min, false) => None,
            _ => Some(ident),
        };
        match ident {
            Some(v) => scatter_(&t, dim, index, None, v, Reduce::Copy)?,
            // Integer max/min: seed touched positions with a scattered value itself.
            None => scatter_(&t, dim, index, Some(src), Pivot::I(0), Reduce::Copy)?,
        }
    }
    scatter_(&t, dim, index, Some(src), Pivot::I(0), how)?;
    if reduce == "mean" {
        let mut c = counts.to_pivots()?.into_iter().map(|p| if let Pivot::I(i) = p { i } else { 0 }).collect::<Vec<_>>();
        if include_self {
            c.iter_mut().for_each(|x| *x += 1);
        }
        let cl = Layout { shape: t.shape().to_vec(), strides: t.strides().to_vec(), offset: t.layout.offset };
        // SAFETY: cl is t's own layout; c has one count per element.
        unsafe { k::divide_by_counts(t.storage.as_ptr(), t.dtype, &cl, &c) };
    }
    Ok(())
}

/// Row-major positions of nonzero elements: an `[n, ndim]` int64 tensor.
pub fn nonzero(src: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(src);
    cpu(src, "nonzero")?;
    crate::ops::newdt::reject(src.dtype, "nonzero_count_cpu", crate::ops::newdt::Refuse::All)?;
    let nd = src.ndim();
    if nd == 0 {
        let n = truthy(src.item()?) as usize;
        let out = Tensor::for_overwrite(&[0, n], DType::I64)?;
        return Ok(out.with_layout(Layout { shape: vec![n, 0], strides: vec![1, n as isize], offset: 0 }));
    }
    let c = src.contiguous()?;
    let numel = c.numel();
    let threads = crate::backend::cpu::parallel::num_threads();
    let pieces = if numel >= crate::backend::cpu::parallel::PAR_THRESHOLD && threads > 1 { threads * 4 } else { 1 };
    let step = numel.div_ceil(pieces).max(1);
    // SAFETY: c is contiguous from its offset.
    let base = unsafe { c.storage.as_ptr().add(c.layout.offset * c.dtype.itemsize()) };
    // SAFETY: base addresses numel contiguous elements of c's dtype.
    let counts = if numel == 0 { vec![] } else { unsafe { k::nonzero_counts(base, c.dtype, numel, step) } };
    let mut starts = Vec::with_capacity(counts.len());
    let mut total = 0usize;
    for &n in &counts {
        starts.push(total);
        total += n;
    }
    // torch allocates [ndim, n] and returns its transpose.
    let out = Tensor::for_overwrite(&[nd, total], DType::I64)?;
    if total > 0 {
        // SAFETY: out holds nd * total i64; starts/counts were computed with this step.
        unsafe { k::nonzero_fill(base, c.dtype, c.shape(), step, &starts, &counts, total, out.storage.as_ptr() as *mut i64) };
    }
    Ok(out.with_layout(Layout { shape: vec![total, nd], strides: vec![1, total as isize], offset: 0 }))
}

/// Broadcasts `src` and `mask` as masked_select does.
fn masked_pair(src: &Tensor, mask: &Tensor, op: &str) -> Result<(Layout, Layout)> {
    if mask.dtype != DType::Bool {
        bail!(runtime, "{op}: expected BoolTensor for mask");
    }
    let shape = broadcast_shapes(src.shape(), mask.shape())?;
    let (Some(sl), Some(ml)) = (src.layout.expand(&shape), mask.layout.expand(&shape)) else { bail!(runtime, "{op}: shapes do not broadcast") };
    Ok((sl, ml))
}

/// A 1-D tensor of `n` elements whose storage has one spare slot for branch-free compaction.
fn with_spare(n: usize, dt: DType) -> Result<Tensor> {
    let storage = Storage::new_cpu_for_overwrite((n + 1) * dt.itemsize())?;
    Ok(Tensor::from_storage(Arc::new(storage), Layout::contiguous(&[n]), dt))
}

pub fn masked_select(src: &Tensor, mask: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(src);
    crate::resolve_bits!(mask);
    cpu(src, "masked_select")?;
    let (sl, ml) = masked_pair(src, mask, "masked_select")?;
    compact_by_mask(src, &sl, mask, &ml)
}

pub fn masked_scatter_(dst: &Tensor, mask: &Tensor, source: &Tensor) -> Result<()> {
    if dst.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = dst.resolve_bits(true, true)?;
        masked_scatter_(&tmp, mask, source)?;
        return dst.copy_(&tmp);
    }
    crate::resolve_bits!(mask);
    crate::resolve_bits!(source);
    cpu(dst, "masked_scatter_")?;
    if mask.dtype != DType::Bool {
        bail!(runtime, "masked_scatter_ only supports boolean masks, but got mask with dtype {}", mask.dtype.name());
    }
    if source.dtype != dst.dtype {
        bail!(runtime, "masked_scatter_: expected self and source to have same dtypes but got {} and {}", dst.dtype.name(), source.dtype.name());
    }
    let Some(ml) = mask.layout.expand(dst.shape()) else {
        bail!(runtime, "The size of tensor a ({}) must match the size of tensor b ({}) at non-singleton dimension 0", mask.shape().first().unwrap_or(&0), dst.shape().first().unwrap_or(&0));
    };
    // SAFETY: ml is a valid broadcast of mask.
    let n = unsafe { k::count_true(mask.storage.as_ptr(), &ml) };
    if n > source.numel() {
        bail!(runtime, "masked_scatter: expected source to have at least {} elements, got {}", n, source.numel());
    }
    dst.check_writable()?;
    let s = source.contiguous_copy()?;
    // SAFETY: s holds at least n elements; layouts are valid.
    unsafe { k::masked_scatter(dst.storage.as_ptr(), dst.dtype.itemsize(), &dst.layout, mask.storage.as_ptr(), &ml, s.storage.as_ptr()) };
    dst.storage.bump_version();
    Ok(())
}

/// `torch.take(input, index)`: indexes the flattened input.
pub fn take(src: &Tensor, index: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(src);
    crate::resolve_bits!(index);
    cpu(src, "take")?;
    crate::ops::newdt::reject(src.dtype, "take_cpu", crate::ops::newdt::Refuse::All)?;
    if index.dtype != DType::I64 {
        bail!(runtime, "take(): Expected a long tensor for index, but got {}", index.dtype.name());
    }
    let flat = src.contiguous()?;
    let n = flat.numel();
    let flat = flat.with_layout(Layout { shape: vec![n], strides: vec![1], offset: flat.layout.offset });
    if n == 0 && index.numel() > 0 {
        bail!(index, "take(): tried to take from an empty tensor");
    }
    let idx = index.contiguous()?;
    match gather_1d(&flat, 0, &idx, index.shape(), true)? {
        Ok(out) => Ok(out),
        Err(i) => bail!(index, "out of range: tried to access index {} on a tensor of {} elements.", i, n),
    }
}

fn truthy(p: Pivot) -> bool {
    match p {
        Pivot::B(b) => b,
        Pivot::I(i) => i != 0,
        Pivot::F(f) => f != 0.0,
        Pivot::C(a, b) => a != 0.0 || b != 0.0,
    }
}
