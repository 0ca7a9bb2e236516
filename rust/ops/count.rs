//! Counting ops: `unique` (flat, consecutive and along a dim), `bincount`, `histc` and
//! `histogram`. `unique` sorts with the stable kernel in `backend::cpu::sort`; the histograms read
//! the values as f64.
use crate::backend::cpu::sort::{SortKey, argsort_rows};
use crate::bail;
use crate::dtype::DType;
use crate::element::{Element, Pivot, cast};
use crate::error::Result;
use crate::layout::wrap_dim;
use crate::tensor::Tensor;

use super::reduce::require_cpu;
use super::sort::{dispatch_real, pair_from, slice_of};

/// `unique(sorted, return_inverse, return_counts)` over the flattened input:
/// (values, inverse indices in the input's shape, counts).
pub fn unique(t: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    flat_runs(t, "unique", true)
}

/// `unique_consecutive` over the flattened input: (values, inverse, counts).
pub fn unique_consecutive(t: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
    flat_runs(t, "unique_consecutive", false)
}

/// The runs of equal values of the flattened input, taken in sorted order when `sorted`, else in
/// input order.
fn flat_runs(t: &Tensor, op: &str, sorted: bool) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(t);
    require_cpu(t, op)?;
    if t.dtype.is_complex() {
        bail!(not_implemented, "\"unique\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let n = t.numel();
    let c = t.contiguous()?;
    dispatch_real!(t.dtype, T => {
        let xs: &[T] = slice_of(&c, n);
        if sorted {
            let p = argsort_rows(xs, 1, n, false, false);
            group_runs(t, xs, p.iter().map(|&j| j as usize))
        } else {
            group_runs(t, xs, 0..n)
        }
    })
}

/// Groups the elements of `xs`, visited in `order`, into runs of equal values (each NaN a run of
/// its own, as torch keeps NaN != NaN): (the runs' values, each element's run in `t`'s shape, the
/// runs' lengths).
#[allow(clippy::eq_op)] // `v != v`: NaN
fn group_runs<T: SortKey + PartialEq>(t: &Tensor, xs: &[T], order: impl Iterator<Item = usize>) -> Result<(Tensor, Tensor, Tensor)> {
    let mut vals: Vec<T> = vec![];
    let mut counts: Vec<i64> = vec![];
    let mut inverse = vec![0i64; xs.len()];
    for j in order {
        let v = xs[j];
        if vals.last().is_none_or(|l: &T| l.key() != v.key()) || v != v {
            vals.push(v);
            counts.push(0);
        }
        if let Some(cnt) = counts.last_mut() {
            *cnt += 1;
        }
        inverse[j] = vals.len() as i64 - 1;
    }
    let u = vals.len();
    let (vt, ct) = pair_from::<T>(&[u], u, |i| (vals[i], counts[i]))?;
    let inv = Tensor::for_overwrite(t.shape(), DType::I64)?;
    let pi = inv.storage.as_ptr() as *mut i64;
    for (i, v) in inverse.into_iter().enumerate() {
        // SAFETY: inv has xs.len() == t.numel() elements.
        unsafe { pi.add(i).write(v) };
    }
    Ok((vt, inv, ct))
}

/// `unique(dim=)` / `unique_consecutive(dim=)`: distinct slices along `dim` (sorted lexicographically
/// unless `consecutive`), the slice each input slice maps to, and the counts.
pub fn unique_dim(t: &Tensor, dim: i64, consecutive: bool) -> Result<(Tensor, Tensor, Tensor)> {
    crate::resolve_bits!(t);
    let op = if consecutive { "unique_consecutive" } else { "unique" };
    require_cpu(t, op)?;
    if t.dtype.is_complex() {
        bail!(not_implemented, "\"unique_dim\" not implemented for '{}'", t.dtype.scalar_name());
    }
    if t.ndim() == 0 {
        bail!(index, "Dimension specified as {dim} but tensor has no dimensions");
    }
    let d = wrap_dim(dim, t.ndim())?;
    if t.dtype.is_complex() {
        bail!(not_implemented, "\"unique_dim\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let n = t.shape()[d];
    if t.numel() == 0 && n != 0 {
        bail!(runtime, "There are 0 sized dimensions, and they aren't selected, so {op} cannot be applied");
    }
    // Slices as rows: dim moved first, contiguous.
    let perm: Vec<usize> = [d].into_iter().chain((0..t.ndim()).filter(|&x| x != d)).collect();
    let rows_t = t.with_layout(t.layout.permute(&perm)).contiguous()?;
    let w = if n == 0 { 0 } else { rows_t.numel() / n };
    let (order, groups): (Vec<usize>, Vec<(usize, usize)>) = dispatch_real!(t.dtype, T => {
        let xs: &[T] = slice_of(&rows_t, n * w);
        let row = |i: usize| &xs[i * w..(i + 1) * w];
        let mut order: Vec<usize> = (0..n).collect();
        if !consecutive {
            // torch's lexicographic `<`: a NaN compares neither less nor greater, so the next column decides
            let less = |a: usize, b: usize| {
                for (x, y) in row(a).iter().zip(row(b)) {
                    if x < y {
                        return true;
                    }
                    if y < x {
                        return false;
                    }
                }
                false
            };
            merge_sort_by(&mut order, &less);
        }
        // Runs of equal slices (NaN never equals anything, as torch's ==).
        let mut groups: Vec<(usize, usize)> = vec![];
        for (pos, &i) in order.iter().enumerate() {
            let same = pos > 0 && row(order[pos - 1]).iter().zip(row(i)).all(|(a, b)| a == b);
            match groups.last_mut() {
                Some(g) if same => g.1 += 1,
                _ => groups.push((pos, 1)),
            }
        }
        (order, groups)
    });
    let u = groups.len();
    let mut inverse = vec![0i64; n];
    let mut firsts = Vec::with_capacity(u);
    let mut counts = Vec::with_capacity(u);
    for (g, &(start, len)) in groups.iter().enumerate() {
        firsts.push(order[start] as i64);
        counts.push(len as i64);
        for &i in &order[start..start + len] {
            inverse[i] = g as i64;
        }
    }
    let idx = crate::tensor::create::from_pivots(&firsts.iter().map(|&v| Pivot::I(v)).collect::<Vec<_>>(), &[u], DType::I64)?;
    let values = if t.numel() == 0 {
        super::index::index_select(t, d as i64, &idx)?
    } else {
        // torch selects from the dim-first copy and moves the dim back, so the result keeps that
        // memory order (dim outermost).
        let picked = super::index::index_select(&rows_t, 0, &idx)?;
        let mut back = vec![0; perm.len()];
        for (i, &p) in perm.iter().enumerate() {
            back[p] = i;
        }
        picked.with_layout(picked.layout.permute(&back))
    };
    let inv = crate::tensor::create::from_pivots(&inverse.iter().map(|&v| Pivot::I(v)).collect::<Vec<_>>(), &[n], DType::I64)?;
    let cnt = crate::tensor::create::from_pivots(&counts.iter().map(|&v| Pivot::I(v)).collect::<Vec<_>>(), &[u], DType::I64)?;
    Ok((values, inv, cnt))
}

/// A stable merge sort on `less`, which may be inconsistent (NaN): it never panics, unlike `sort_by`.
fn merge_sort_by(v: &mut Vec<usize>, less: &dyn Fn(usize, usize) -> bool) {
    let n = v.len();
    let mut buf = v.clone();
    let mut width = 1;
    while width < n {
        let mut lo = 0;
        while lo < n {
            let mid = (lo + width).min(n);
            let hi = (lo + 2 * width).min(n);
            let (mut i, mut j, mut k) = (lo, mid, lo);
            while i < mid && j < hi {
                if less(v[j], v[i]) {
                    buf[k] = v[j];
                    j += 1;
                } else {
                    buf[k] = v[i];
                    i += 1;
                }
                k += 1;
            }
            buf[k..k + mid - i].copy_from_slice(&v[i..mid]);
            k += mid - i;
            buf[k..k + hi - j].copy_from_slice(&v[j..hi]);
            lo = hi;
        }
        std::mem::swap(v, &mut buf);
        width *= 2;
    }
}

/// Reads a tensor's values as f64 (contiguous order).
fn as_f64(t: &Tensor) -> Result<Vec<f64>> {
    let c = t.contiguous()?;
    let n = c.numel();
    Ok(crate::dispatch!(c.dtype, T => slice_of::<T>(&c, n).iter().map(|&x| cast::<T, f64>(x)).collect()))
}

fn from_f64(shape: &[usize], dt: DType, vals: &[f64]) -> Result<Tensor> {
    let out = Tensor::for_overwrite(shape, dt)?;
    crate::dispatch!(dt, O => {
        let p = out.storage.as_ptr() as *mut O;
        for (i, &v) in vals.iter().enumerate() {
            // SAFETY: out holds vals.len() elements.
            unsafe { p.add(i).write(O::from_pivot(Pivot::F(v))) };
        }
    });
    Ok(out)
}

/// `bincount(input, weights, minlength)`: counts (int64), or summed weights.
pub fn bincount(t: &Tensor, weights: Option<&Tensor>, minlength: i64) -> Result<Tensor> {
    crate::resolve_bits!(t);
    crate::resolve_opt_bits!(weights);
    require_cpu(t, "bincount")?;
    if !t.dtype.is_integral(false) || t.dtype.is_big_unsigned() {
        bail!(not_implemented, "\"bincount_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    if minlength < 0 {
        bail!(runtime, "minlength should be >= 0");
    }
    let idx: Vec<i64> = t.to_pivots()?.into_iter().map(|p| if let Pivot::I(i) = p { i } else { -1 }).collect();
    if t.ndim() != 1 || idx.iter().any(|&i| i < 0) {
        bail!(runtime, "bincount only supports 1-d non-negative integral inputs.");
    }
    let len = (idx.iter().max().map_or(0, |&m| m as usize + 1)).max(minlength as usize);
    // torch answers an empty input with int64 zeros, weights or not
    let weights = if idx.is_empty() { None } else { weights };
    match weights {
        None => {
            let mut c = vec![0i64; len];
            for &i in &idx {
                c[i as usize] += 1;
            }
            let out = Tensor::for_overwrite(&[len], DType::I64)?;
            let p = out.storage.as_ptr() as *mut i64;
            for (j, v) in c.into_iter().enumerate() {
                // SAFETY: out has len elements.
                unsafe { p.add(j).write(v) };
            }
            Ok(out)
        }
        Some(w) => {
            if w.ndim() != 1 || w.numel() != idx.len() {
                bail!(runtime, "weights should be 1-d and have the same length as input");
            }
            let wv = as_f64(w)?;
            let mut c = vec![0.0f64; len];
            for (&i, &x) in idx.iter().zip(&wv) {
                c[i as usize] += x;
            }
            let dt = if w.dtype.is_floating_point() { w.dtype } else { DType::F64 };
            from_f64(&[len], dt, &c)
        }
    }
}

/// `histc(input, bins, min, max)`: equal-width bins over [min, max] (the data range when equal).
pub fn histc(t: &Tensor, bins: i64, min: f64, max: f64) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, "histc")?;
    if bins <= 0 {
        bail!(runtime, "torch.histogram(): bins must be > 0, but got {bins} for dimension 0");
    }
    crate::ops::newdt::reject(t.dtype, "linspace_cpu", crate::ops::newdt::Refuse::All)?;
    let (mut lo, mut hi) = (min, max);
    if lo == hi && t.numel() > 0 {
        if t.dtype.is_complex() {
            bail!(type_error, "aminmax not implemented for {}", t.dtype.scalar_name());
        }
        let x = as_f64(t)?;
        if x.iter().any(|v| v.is_nan()) {
            // torch's aminmax of the data is NaN then, which fails the finiteness check below
            bail!(runtime, "torch.histc: range of [nan, nan] is not finite");
        }
        lo = x.iter().copied().fold(f64::INFINITY, f64::min);
        hi = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    }
    if lo == hi {
        lo -= 1.0;
        hi += 1.0;
    }
    if !lo.is_finite() || !hi.is_finite() {
        bail!(runtime, "torch.histc: range of [{lo}, {hi}] is not finite");
    }
    if lo >= hi {
        bail!(runtime, "torch.histc: max must be larger than min");
    }
    // torch writes the bin edges with linspace in the input's dtype before its histogram kernel
    // refuses non-float inputs: bool has no linspace, and the range must fit the dtype.
    if t.dtype == DType::Bool {
        bail!(not_implemented, "\"linspace_cpu\" not implemented for 'Bool'");
    }
    linspace_bound_fits(lo, t.dtype)?;
    linspace_bound_fits(hi, t.dtype)?;
    if !t.dtype.is_floating_point() {
        bail!(not_implemented, "\"histogram_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let nb = bins as usize;
    let mut h = vec![0.0; nb];
    // torch's linspace steps in float for the 16-bit floats: an infinite step makes NaN edges,
    // which no element falls between.
    let op = |v: f64| if t.dtype == DType::F64 { v } else { v as f32 as f64 };
    if !op(hi - lo).is_finite() {
        return from_f64(&[nb], t.dtype, &h);
    }
    // The kernel works in the input's own arithmetic, rounding after each operation.
    let rnd = |v: f64| match t.dtype {
        DType::F16 => half::f16::from_f32(v as f32).to_f64(),
        DType::BF16 => half::bf16::from_f32(v as f32).to_f64(),
        _ => op(v),
    };
    let (lo, hi) = (rnd(lo), rnd(hi));
    let width = rnd(hi - lo);
    for v in as_f64(t)? {
        if !(v >= lo && v <= hi) {
            continue;
        }
        let pos = rnd(rnd(rnd(v - lo) * nb as f64) / width);
        // A NaN or out-of-range position casts to i64::MIN, whose byte offset wraps to bin 0.
        let b = if pos.is_finite() && pos.abs() < 9.2e18 { (pos as usize).min(nb - 1) } else { 0 };
        h[b] += 1.0;
    }
    from_f64(&[nb], t.dtype, &h)
}

/// torch converts linspace's bounds to the dtype with an overflow check (from a double, so
/// unsigned types refuse negatives).
fn linspace_bound_fits(v: f64, dt: DType) -> Result<()> {
    let (lo, hi, name) = match dt {
        DType::U8 => (0.0, 255.0, "uint8_t"),
        DType::I8 => (-128.0, 127.0, "int8_t"),
        DType::I16 => (-32768.0, 32767.0, "int16_t"),
        DType::I32 => (-2147483648.0, 2147483647.0, "int"),
        DType::I64 => (i64::MIN as f64, i64::MAX as f64, "int64_t"),
        DType::F16 => (-65504.0, 65504.0, "c10::Half"),
        DType::BF16 => (-3.3895313892515355e38, 3.3895313892515355e38, "c10::BFloat16"),
        DType::F32 => (-f32::MAX as f64, f32::MAX as f64, "float"),
        DType::C32 => (-65504.0, 65504.0, "c10::complex<c10::Half>"),
        DType::C64 => (-f32::MAX as f64, f32::MAX as f64, "c10::complex<float>"),
        _ => return Ok(()),
    };
    if v < lo || v > hi {
        bail!(runtime, "value cannot be converted to type {name} without overflow");
    }
    Ok(())
}

/// `histogram(input, bins, range, weight, density)`: (hist, bin_edges); `edges` given or
/// `nbins` equal-width edges over `range` (default the data range).
pub fn histogram(t: &Tensor, nbins: usize, edges: Option<&Tensor>, range: Option<(f64, f64)>, weight: Option<&Tensor>, density: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(t);
    crate::resolve_opt_bits!(edges);
    crate::resolve_opt_bits!(weight);
    require_cpu(t, "histogram")?;
    if !t.dtype.is_floating_point() {
        bail!(not_implemented, "\"histogram_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let x = as_f64(t)?;
    let e: Vec<f64> = match edges {
        Some(e) => as_f64(e)?,
        None => {
            if nbins == 0 {
                bail!(runtime, "torch.histogram(): bins must be > 0, but got 0 for dimension 0");
            }
            let (mut lo, mut hi) = range.unwrap_or_else(|| {
                if x.is_empty() {
                    (0.0, 0.0)
                } else {
                    (x.iter().copied().fold(f64::INFINITY, f64::min), x.iter().copied().fold(f64::NEG_INFINITY, f64::max))
                }
            });
            if lo > hi {
                bail!(runtime, "torch.histogram(): min should not exceed max, but got min {lo} max {hi}");
            }
            if lo == hi {
                lo -= 0.5;
                hi += 0.5;
            }
            // Edges are computed in the input dtype, as torch's linspace does.
            let lin = crate::tensor::create::linspace(lo, hi, nbins as i64 + 1, t.dtype, t.device())?;
            as_f64(&lin)?
        }
    };
    let nb = e.len().saturating_sub(1);
    let w = match weight {
        Some(w) => Some(as_f64(w)?),
        None => None,
    };
    let mut h = vec![0.0; nb];
    if nb > 0 {
        let (lo, hi) = (e[0], e[nb]);
        for (i, &v) in x.iter().enumerate() {
            if !(v >= lo && v <= hi) {
                continue;
            }
            let b = if v == hi { nb - 1 } else { e.partition_point(|&b| b <= v).saturating_sub(1).min(nb - 1) };
            h[b] += w.as_ref().map_or(1.0, |w| w[i]);
        }
        if density {
            let total: f64 = h.iter().sum();
            for b in 0..nb {
                h[b] /= total * (e[b + 1] - e[b]);
            }
        }
    }
    Ok((from_f64(&[nb], t.dtype, &h)?, from_f64(&[e.len()], t.dtype, &e)?))
}
