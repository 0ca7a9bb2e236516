//! Shape ops: views that only rewrite the layout (squeeze, unsqueeze, expand, movedim, diagonal,
//! unfold, view(dtype)) and the copying ones (cat, flip, roll, repeat, tril/triu).
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::layout::{Layout, wrap_dim};
use crate::tensor::Tensor;

fn fmt_shape<T: std::fmt::Display>(s: &[T]) -> String {
    format!("[{}]", s.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", "))
}

/// Removes the size-1 dims among `dims` (all size-1 dims when None).
pub fn squeeze(t: &Tensor, dims: Option<&[usize]>, name: &'static str) -> Result<Tensor> {
    let l = &t.layout;
    let keep = |d: usize| l.shape[d] != 1 || dims.is_some_and(|ds| !ds.contains(&d));
    let ds: Vec<usize> = (0..l.ndim()).filter(|&d| keep(d)).collect();
    t.view_op(name, move |l| {
        Ok(Layout { shape: ds.iter().map(|&d| l.shape[d]).collect(), strides: ds.iter().map(|&d| l.strides[d]).collect(), offset: l.offset })
    })
}

/// Inserts a size-1 dim at `dim` (already wrapped into 0..=ndim).
pub fn unsqueeze_layout(l: &Layout, dim: usize) -> Layout {
    let mut l = l.clone();
    let st = if dim < l.ndim() { l.shape[dim] as isize * l.strides[dim] } else { 1 };
    l.shape.insert(dim, 1);
    l.strides.insert(dim, st);
    l
}

pub fn unsqueeze(t: &Tensor, dim: i64) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim() + 1)?;
    t.view_op("UnsqueezeBackward0", |l| Ok(unsqueeze_layout(l, d)))
}

/// `expand(*sizes)` with -1 keeping a dim, after torch's checks (the count check is the binding's).
pub fn expand(t: &Tensor, sizes: &[i64]) -> Result<Tensor> {
    let n = sizes.len();
    let lead = n - t.ndim();
    let mut shape = Vec::with_capacity(n);
    for (i, &s) in sizes.iter().enumerate() {
        if i < lead {
            if s < 0 {
                bail!(runtime, "The expanded size of the tensor ({}) isn't allowed in a leading, non-existing dimension {}", s, i);
            }
            shape.push(s as usize);
            continue;
        }
        let cur = t.shape()[i - lead];
        if s == -1 {
            shape.push(cur);
        } else if s < -1 {
            bail!(runtime, "Trying to create tensor with negative dimension {}: {}", s, fmt_shape(sizes));
        } else if cur as i64 == s || cur == 1 {
            shape.push(s as usize);
        } else {
            bail!(
                runtime,
                "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {}.  Tensor sizes: {}",
                s,
                cur,
                i,
                fmt_shape(sizes),
                fmt_shape(t.shape())
            );
        }
    }
    // Layout::expand gives torch's strides, new leading size-1 dims included
    t.view_op("ExpandBackward0", move |l| l.expand(&shape).ok_or_else(|| crate::error::runtime("expand: shapes do not broadcast")))
}

/// `movedim(source, destination)` with wrapped, checked dims.
pub fn movedim(t: &Tensor, src: &[i64], dst: &[i64]) -> Result<Tensor> {
    let n = t.ndim();
    if n == 0 {
        for &d in src.iter().chain(dst) {
            wrap_dim(d, 0)?;
        }
        return t.view_op("PermuteBackward0", |l| Ok(l.clone()));
    }
    if src.len() != dst.len() {
        bail!(
            runtime,
            "movedim: Invalid source or destination dims: source ({} dims) should contain the same number of dims as destination ({} dims)",
            fmt_shape(src),
            fmt_shape(dst)
        );
    }
    let s: Vec<usize> = src.iter().map(|&d| wrap_dim(d, n)).collect::<Result<_>>()?;
    let d: Vec<usize> = dst.iter().map(|&x| wrap_dim(x, n)).collect::<Result<_>>()?;
    for (v, name, orig) in [(&s, "source", src), (&d, "destination", dst)] {
        let mut seen = vec![false; n.max(1)];
        for &x in v.iter() {
            if seen[x] {
                bail!(runtime, "movedim: repeated dim in `{}` ({})", name, fmt_shape(orig));
            }
            seen[x] = true;
        }
    }
    let mut order = vec![usize::MAX; n];
    for (&a, &b) in s.iter().zip(&d) {
        order[b] = a;
    }
    let mut rest = (0..n).filter(|x| !s.contains(x));
    for o in order.iter_mut() {
        if *o == usize::MAX {
            *o = rest.next().unwrap_or(0);
        }
    }
    t.view_op("PermuteBackward0", move |l| Ok(l.permute(&order)))
}

/// `diagonal(offset, dim1, dim2)`: a view whose last dim walks the diagonal.
pub fn diagonal(t: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    let n = t.ndim();
    let (a, b) = (wrap_dim(dim1, n)?, wrap_dim(dim2, n)?);
    if a == b {
        bail!(runtime, "diagonal dimensions cannot be identical {}, {}", dim1, dim2);
    }
    t.view_op("DiagonalBackward0", move |l| {
        let (sa, sb) = (l.shape[a] as i64, l.shape[b] as i64);
        let len = if offset >= 0 { sa.min(sb - offset) } else { (sa + offset).min(sb) }.max(0);
        let off = if offset >= 0 {
            if sa.min(sb - offset) > 0 { offset as isize * l.strides[b] } else { 0 }
        } else if (sa + offset).min(sb) > 0 {
            -offset as isize * l.strides[a]
        } else {
            0
        };
        let keep: Vec<usize> = (0..l.ndim()).filter(|&d| d != a && d != b).collect();
        let mut shape: Vec<usize> = keep.iter().map(|&d| l.shape[d]).collect();
        let mut strides: Vec<isize> = keep.iter().map(|&d| l.strides[d]).collect();
        shape.push(len as usize);
        strides.push(l.strides[a] + l.strides[b]);
        Ok(Layout { shape, strides, offset: (l.offset as isize + off) as usize })
    })
}

/// `unfold(dimension, size, step)`: windows along a dim as a new last dim.
pub fn unfold(t: &Tensor, dim: i64, size: i64, step: i64) -> Result<Tensor> {
    let d = wrap_dim(dim, t.ndim())?;
    let n = if t.ndim() == 0 { 1 } else { t.shape()[d] as i64 };
    if size > n {
        bail!(runtime, "maximum size for tensor at dimension {} is {} but size is {}", d, n, size);
    }
    if size < 0 {
        bail!(runtime, "size is {} but must be >= 0", size);
    }
    if step <= 0 {
        bail!(runtime, "step is {} but must be > 0", step);
    }
    t.view_op("UnfoldBackward0", move |l| {
        let (n, st) = if l.ndim() == 0 { (1, 1) } else { (l.shape[d] as i64, l.strides[d]) };
        let mut shape = l.shape.clone();
        let mut strides = l.strides.clone();
        if l.ndim() > 0 {
            shape[d] = ((n - size) / step + 1) as usize;
            strides[d] = st * step as isize;
        }
        shape.push(size as usize);
        strides.push(st);
        Ok(Layout { shape, strides, offset: l.offset })
    })
}

/// `view(dtype)`: reinterprets the bytes; the last dim scales when the element sizes differ.
pub fn view_dtype(t: &Tensor, dt: DType) -> Result<Tensor> {
    // torch refuses any dtype view of a tensor with a lazy bit, the same dtype included.
    if t.conj {
        bail!(runtime, "torch.Tensor.view is not supported for conjugate view tensors when converting to a different dtype.");
    }
    if t.neg {
        bail!(runtime, "torch.Tensor.view is not supported for tensors with negative bit set when converting to a different dtype.");
    }
    let (a, b) = (t.dtype.itemsize(), dt.itemsize());
    let mut out = t.clone();
    out.ag = None;
    out.dtype = dt;
    if a == b {
        return Ok(out);
    }
    let (from, to) = (t.dtype.scalar_name(), dt.scalar_name());
    let l = &t.layout;
    let n = l.ndim();
    if n == 0 {
        bail!(runtime, "self.dim() cannot be 0 to view {} as {} (different element sizes)", from, to);
    }
    if l.strides[n - 1] != 1 {
        bail!(runtime, "self.stride(-1) must be 1 to view {} as {} (different element sizes), but got {}", from, to, l.strides[n - 1]);
    }
    let mut shape = l.shape.clone();
    let mut strides = l.strides.clone();
    if a > b {
        let r = a / b;
        shape[n - 1] *= r;
        for s in strides[..n - 1].iter_mut() {
            *s *= r as isize;
        }
        out.layout = Layout { shape, strides, offset: l.offset * r };
    } else {
        let r = b / a;
        if l.shape[n - 1] % r != 0 {
            bail!(runtime, "self.size(-1) must be divisible by {} to view {} as {} (different element sizes), but got {}", r, from, to, l.shape[n - 1]);
        }
        if l.offset % r != 0 {
            bail!(runtime, "self.storage_offset() must be divisible by {} to view {} as {} (different element sizes), but got {}", r, from, to, l.offset);
        }
        for (i, s) in strides[..n - 1].iter_mut().enumerate() {
            if *s % r as isize != 0 {
                bail!(runtime, "self.stride({}) must be divisible by {} to view {} as {} (different element sizes), but got {}", i, r, from, to, s);
            }
            *s /= r as isize;
        }
        shape[n - 1] /= r;
        out.layout = Layout { shape, strides, offset: l.offset / r };
    }
    Ok(out)
}

/// A copy of `t` read through a layout that may have negative strides, laid out as torch's
/// `empty_like(t)` (dense strides kept, else contiguous).
fn copy_through(t: &Tensor, l: Layout) -> Result<Tensor> {
    let out = Tensor::for_overwrite_layout(t.preserved_layout(false), t.dtype)?;
    out.copy_(&t.with_layout(l))?;
    Ok(out)
}

/// `flip(dims)`: a copy with the given dims reversed.
pub fn flip(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    crate::resolve_bits!(t);
    if t.dtype.is_float8() {
        for &d in dims {
            if let Ok(w) = wrap_dim(d, t.ndim()) {
                if t.ndim() > 0 && t.shape()[w] > 1 && t.strides()[w] == 1 {
                    crate::bail!(not_implemented, "\"flip_cpu\" not implemented for '{}'", t.dtype.scalar_name());
                }
            }
        }
    }
    let n = t.ndim();
    let mut l = t.layout.clone();
    for w in crate::layout::wrap_dims_unique(dims, n)? {
        if n == 0 || l.shape[w] == 0 {
            continue;
        }
        l.offset = (l.offset as isize + (l.shape[w] as isize - 1) * l.strides[w]) as usize;
        l.strides[w] = -l.strides[w];
    }
    if t.numel() == 0 {
        return t.clone_tensor();
    }
    copy_through(t, l)
}

/// `torch.cat(tensors, dim)` with torch's promotion and the legacy rule that skips 1-D empty tensors.
pub fn cat(ts: &[Tensor], dim: i64) -> Result<Tensor> {
    crate::resolve_slice_bits!(ts);
    if ts.is_empty() {
        bail!(value, "torch.cat(): expected a non-empty list of Tensors");
    }
    for (i, t) in ts.iter().enumerate() {
        if t.ndim() == 0 {
            bail!(runtime, "zero-dimensional tensor (at position {}) cannot be concatenated", i);
        }
        if t.device() != Device::Cpu {
            bail!(not_implemented, "[cat] is not implemented for CUDA tensors yet; move the tensor to the CPU with .cpu() first");
        }
    }
    let mut dt = ts[0].dtype;
    for t in &ts[1..] {
        dt = crate::promote::try_promote_types(dt, t.dtype)?;
    }
    let legacy_empty = |t: &Tensor| t.ndim() == 1 && t.numel() == 0;
    let Some(refi) = ts.iter().position(|t| !legacy_empty(t)) else {
        return Tensor::zeros(&[0], dt, Device::Cpu);
    };
    let r = &ts[refi];
    let d = wrap_dim(dim, r.ndim())?;
    let mut shape = r.shape().to_vec();
    shape[d] = 0;
    for (i, t) in ts.iter().enumerate() {
        if legacy_empty(t) {
            continue;
        }
        if t.ndim() != r.ndim() {
            bail!(
                runtime,
                "Tensors must have same number of dimensions: got {} and {}",
                r.ndim(),
                t.ndim()
            );
        }
        for j in 0..r.ndim() {
            if j != d && t.shape()[j] != r.shape()[j] {
                bail!(
                    runtime,
                    "Sizes of tensors must match except in dimension {}. Expected size {} but got size {} for tensor number {} in the list.",
                    d,
                    r.shape()[j],
                    t.shape()[j],
                    i
                );
            }
        }
        shape[d] += t.shape()[d];
    }
    let out = Tensor::for_overwrite(&shape, dt)?;
    cat_into(ts, d, &out)?;
    Ok(out)
}

/// Copies the pieces of a cat into `out` (already of the cat's shape).
pub fn cat_into(ts: &[Tensor], d: usize, out: &Tensor) -> Result<()> {
    let mut at = 0usize;
    for t in ts {
        if t.ndim() == 1 && t.numel() == 0 && out.ndim() != 1 {
            continue;
        }
        let n = t.shape()[d];
        out.with_layout(out.layout.narrow(d, at, n)).copy_(t)?;
        at += n;
    }
    Ok(())
}

/// `repeat(*sizes)`: tiles the tensor; `sizes` has at least ndim entries.
pub fn repeat(t: &Tensor, reps: &[i64]) -> Result<Tensor> {
    crate::resolve_bits!(t);
    if reps.len() < t.ndim() {
        bail!(runtime, "Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
    }
    if let Some(&r) = reps.iter().find(|&&r| r < 0) {
        bail!(runtime, "Trying to create tensor with negative dimension {}: {}", r, fmt_shape(reps));
    }
    let lead = reps.len() - t.ndim();
    // View the input as [1, s0, 1, s1, ...], expand to [r0, s0, r1, s1, ...], then copy.
    let mut shape = Vec::new();
    let mut strides = Vec::new();
    let mut out_shape = Vec::new();
    for (i, &r) in reps.iter().enumerate() {
        let (s, st) = if i < lead { (1, 0) } else { (t.shape()[i - lead], t.strides()[i - lead]) };
        shape.extend_from_slice(&[r as usize, s]);
        strides.extend_from_slice(&[0, st]);
        out_shape.push(r as usize * s);
    }
    let src = t.with_layout(Layout { shape: shape.clone(), strides, offset: t.layout.offset });
    let out = Tensor::for_overwrite(&out_shape, t.dtype)?;
    out.with_layout(Layout::contiguous(&shape)).copy_(&src)?;
    Ok(out)
}

/// `tril`/`triu` into a copy (`upper` picks triu).
pub fn tri(t: &Tensor, k: i64, upper: bool) -> Result<Tensor> {
    crate::resolve_bits!(t);
    let out = t.contiguous_copy()?;
    tri_(&out, k, upper, if upper { "triu" } else { "tril" })?;
    Ok(out)
}

/// Zeroes the elements outside the triangle, in place.
pub fn tri_(t: &Tensor, k: i64, upper: bool, op: &str) -> Result<()> {
    if t.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = t.resolve_bits(true, true)?;
        tri_(&tmp, k, upper, op)?;
        return t.copy_(&tmp);
    }
    crate::ops::newdt::reject(t.dtype, op, crate::ops::newdt::Refuse::All)?;
    let n = t.ndim();
    if n < 2 {
        bail!(runtime, "{}: input tensor must have at least 2 dimensions", op);
    }
    let (rows, cols) = (t.shape()[n - 2] as i64, t.shape()[n - 1] as i64);
    let zero = Pivot::I(0);
    for i in 0..rows {
        // tril keeps j <= i + k; triu keeps j >= i + k.
        let (start, len) = if upper { (0, (i + k).clamp(0, cols)) } else { ((i + k + 1).clamp(0, cols), cols - (i + k + 1).clamp(0, cols)) };
        if len <= 0 {
            continue;
        }
        let row = t.layout.select(n - 2, i as usize).narrow(n - 2, start as usize, len as usize);
        t.with_layout(row).fill_(zero)?;
    }
    Ok(())
}

/// `roll(shifts, dims)` for one dim: a copy rotated by `shift`.
pub fn roll_dim(t: &Tensor, shift: i64, dim: usize) -> Result<Tensor> {
    crate::resolve_bits!(t);
    let n = t.shape()[dim] as i64;
    if n == 0 {
        return t.contiguous_copy();
    }
    let s = shift.rem_euclid(n) as usize;
    let out = Tensor::for_overwrite(t.shape(), t.dtype)?;
    let nu = n as usize;
    out.with_layout(out.layout.narrow(dim, s, nu - s)).copy_(&t.with_layout(t.layout.narrow(dim, 0, nu - s)))?;
    out.with_layout(out.layout.narrow(dim, 0, s)).copy_(&t.with_layout(t.layout.narrow(dim, nu - s, s)))?;
    Ok(out)
}

/// `diag_embed(input, offset, dim1, dim2)`: the last dim of the input on the diagonal of new dims.
pub fn diag_embed(t: &Tensor, offset: i64, dim1: i64, dim2: i64) -> Result<Tensor> {
    crate::resolve_bits!(t);
    let nd = t.ndim() + 1;
    let (a, b) = (wrap_dim(dim1, nd)?, wrap_dim(dim2, nd)?);
    if a == b {
        bail!(runtime, "diagonal dimensions cannot be identical {}, {}", dim1, dim2);
    }
    let last = *t.shape().last().unwrap_or(&1);
    let m = last + offset.unsigned_abs() as usize;
    let mut rest: Vec<usize> = t.shape()[..t.ndim().saturating_sub(1)].to_vec();
    let mut shape = Vec::with_capacity(nd);
    for d in 0..nd {
        if d == a || d == b {
            shape.push(m);
        } else {
            shape.push(rest.remove(0));
        }
    }
    let out = Tensor::zeros(&shape, t.dtype, Device::Cpu)?;
    let diag = diagonal(&out, offset, a as i64, b as i64)?;
    diag.copy_(t)?;
    Ok(out)
}
