//! Sorting and order statistics: every op here sorts rows (the chosen dim moved last, contiguous)
//! with the stable kernel in `backend::cpu::sort`, then reads what it needs off the permutation.
use crate::backend::cpu::sort::{argsort_rows, kth_rows, mode_rows, sort_rows_into, topk_rows};
use crate::bail;
use crate::dtype::DType;
use crate::element::{Element, Pivot, cast};
use crate::error::Result;
use crate::layout::{Layout, wrap_dim};
use crate::tensor::Tensor;

use super::reduce::{dim_mask, require_cpu, rows};

/// Runs `$body` with `$T` bound to a real element type; complex dtypes get torch's sort error.
macro_rules! dispatch_real {
    ($dtype:expr, $T:ident => $body:expr) => {{
        use crate::dtype::DType as __D;
        match $dtype {
            __D::Bool => { type $T = bool; $body }
            __D::U8 => { type $T = u8; $body }
            __D::I8 => { type $T = i8; $body }
            __D::I16 => { type $T = i16; $body }
            __D::I32 => { type $T = i32; $body }
            __D::I64 => { type $T = i64; $body }
            __D::F16 => { type $T = half::f16; $body }
            __D::BF16 => { type $T = half::bf16; $body }
            __D::F32 => { type $T = f32; $body }
            __D::F64 => { type $T = f64; $body }
            __D::U16 => { type $T = u16; $body }
            __D::U32 => { type $T = u32; $body }
            __D::U64 => { type $T = u64; $body }
            d @ (__D::F8E4M3 | __D::F8E5M2) => bail!(not_implemented, "\"sorting_kernel_method_name\" not implemented for '{}'", d.scalar_name()),
            __D::C32 | __D::C64 | __D::C128 => bail!(type_error, "Sort does not support complex dtypes on CPU"),
        }
    }};
}
pub(super) use dispatch_real;

/// `t` with `dim` moved last as contiguous rows: (rows, m, k, permuted shape, inverse permutation).
fn dim_rows(t: &Tensor, dim: usize) -> Result<(Tensor, usize, usize, Vec<usize>, Vec<usize>)> {
    let nd = t.ndim();
    if nd == 0 {
        return Ok((t.contiguous()?, 1, 1, vec![], vec![]));
    }
    let perm: Vec<usize> = (0..nd).filter(|&d| d != dim).chain([dim]).collect();
    let mut inv = vec![0; nd];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    let k = t.shape()[dim];
    let m = if k == 0 { 0 } else { t.numel() / k };
    let pshape = perm.iter().map(|&d| t.shape()[d]).collect();
    Ok((t.with_layout(t.layout.permute(&perm)).contiguous()?, m, k, pshape, inv))
}

fn unpermute(out: Tensor, inv: &[usize]) -> Result<Tensor> {
    if inv.is_empty() {
        return Ok(out);
    }
    out.with_layout(out.layout.permute(inv)).contiguous()
}

/// Like `unpermute`, but laid out as torch's `empty_like(like)` (dense strides in `like`'s dim order).
fn unpermute_like(out: Tensor, inv: &[usize], like: &Tensor) -> Result<Tensor> {
    let lay = like.preserved_layout(true);
    if inv.is_empty() || lay.is_contiguous() {
        return unpermute(out, inv);
    }
    let view = out.with_layout(out.layout.permute(inv));
    let dst = Tensor::for_overwrite_layout(lay, out.dtype)?;
    dst.copy_(&view)?;
    Ok(dst)
}

pub(super) fn slice_of<T>(t: &Tensor, n: usize) -> &[T] {
    // SAFETY: `t` is contiguous with n elements.
    unsafe { std::slice::from_raw_parts(t.data_ptr() as *const T, n) }
}

/// Fresh tensors of `shape` filled by `f(i) -> (value, index)`.
pub(super) fn pair_from<T: Element>(shape: &[usize], n: usize, f: impl Fn(usize) -> (T, i64)) -> Result<(Tensor, Tensor)> {
    let v = Tensor::for_overwrite(shape, T::DTYPE)?;
    let ix = Tensor::for_overwrite(shape, DType::I64)?;
    let (pv, pi) = (v.storage.as_ptr() as *mut T, ix.storage.as_ptr() as *mut i64);
    for i in 0..n {
        let (a, b) = f(i);
        // SAFETY: both were allocated with n elements.
        unsafe {
            pv.add(i).write(a);
            pi.add(i).write(b);
        }
    }
    Ok((v, ix))
}

/// Fresh tensors of `shape` (`m` rows of `k`) filled by `f(row, col) -> (value, index)`, split
/// across the pool when large.
fn pair_rows<T: Element>(shape: &[usize], m: usize, k: usize, f: impl Fn(usize, usize) -> (T, i64) + Sync) -> Result<(Tensor, Tensor)> {
    use crate::backend::cpu::elementwise::SendPtr;
    use crate::backend::cpu::parallel::{PAR_THRESHOLD, num_threads, run_chunks};
    let v = Tensor::for_overwrite(shape, T::DTYPE)?;
    let ix = Tensor::for_overwrite(shape, DType::I64)?;
    let n = m * k;
    if n == 0 {
        return Ok((v, ix));
    }
    let (pv, pi) = (SendPtr(v.storage.as_ptr() as *mut T), SendPtr(ix.storage.as_ptr() as *mut i64));
    let threads = num_threads();
    let chunks = if n >= PAR_THRESHOLD && threads > 1 { threads * 4 } else { 1 };
    let step = n.div_ceil(chunks);
    run_chunks(chunks, |c| {
        let (pv, pi) = (pv, pi);
        let (s, e) = ((c * step).min(n), ((c + 1) * step).min(n));
        let (mut r, mut col) = (s / k, s % k);
        for i in s..e {
            let (a, b) = f(r, col);
            // SAFETY: both were allocated with n elements; chunks write disjoint ranges.
            unsafe {
                pv.0.add(i).write(a);
                pi.0.add(i).write(b);
            }
            col += 1;
            if col == k {
                col = 0;
                r += 1;
            }
        }
    });
    Ok((v, ix))
}

/// Where torch's CPU sort takes its stable radix path even when `stable=False`: ascending 1-D
/// integer tensors of at least 2^15 elements.
fn radix_stable(t: &Tensor, descending: bool) -> bool {
    !descending && t.ndim() == 1 && t.numel() >= 1 << 15 && t.dtype.is_integral(false)
}

/// `sort(dim, descending, stable)`: values and indices. Ties come out in input order with
/// `stable`, and in the order torch's unstable sort gives them without (see `torch_tie_order`).
pub fn sort(t: &Tensor, dim: i64, descending: bool, stable: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(t);
    require_cpu(t, "sort")?;
    let d = wrap_dim(dim, t.ndim())?;
    let (x, m, k, pshape, inv) = dim_rows(t, d)?;
    dispatch_real!(t.dtype, T => {
        let xs: &[T] = slice_of(&x, m * k);
        let v = Tensor::for_overwrite(&pshape, T::DTYPE)?;
        let i = Tensor::for_overwrite(&pshape, DType::I64)?;
        if m * k > 0 {
            // SAFETY: both are fresh tensors of m * k elements, written only here.
            let (vs, is) = unsafe {
                (std::slice::from_raw_parts_mut(v.storage.as_ptr() as *mut T, m * k),
                 std::slice::from_raw_parts_mut(i.storage.as_ptr() as *mut i64, m * k))
            };
            sort_rows_into(xs, m, k, descending, !stable && !radix_stable(t, descending), vs, is);
        }
        Ok((unpermute_like(v, &inv, t)?, unpermute_like(i, &inv, t)?))
    })
}

/// `topk(k, dim, largest, sorted)`, choosing among ties as torch's CPU kernel does.
pub fn topk(t: &Tensor, kk: i64, dim: i64, largest: bool, sorted: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(t);
    require_cpu(t, "topk")?;
    if t.dtype == DType::Bool {
        bail!(not_implemented, "topk does not support bool dtypes on CPU");
    }
    crate::ops::newdt::reject(t.dtype, "topk_cpu", crate::ops::newdt::Refuse::All)?;
    let d = wrap_dim(dim, t.ndim())?;
    let n = if t.ndim() == 0 { 1 } else { t.shape()[d] };
    if kk < 0 || kk as usize > n {
        bail!(runtime, "selected index k out of range");
    }
    let kk = kk as usize;
    let (x, m, k, mut pshape, inv) = dim_rows(t, d)?;
    if let Some(last) = pshape.last_mut() {
        *last = kk;
    }
    let m = if k == 0 { t.numel() / 1.max(n) } else { m };
    dispatch_real!(t.dtype, T => {
        let xs: &[T] = slice_of(&x, m * k);
        let p = if kk == 0 { Vec::new() } else { topk_rows(xs, m, k, kk, largest, sorted) };
        let (v, i) = pair_rows::<T>(&pshape, m, kk, |r, c| {
            let at = p[r * kk + c] as usize;
            (xs[r * k + at], at as i64)
        })?;
        Ok((unpermute(v, &inv)?, unpermute(i, &inv)?))
    })
}

/// Per-row order statistics over `dim`: `pick(sorted_row_values_as_keys...)` chooses a position in
/// the ascending stable order; the result keeps torch's reduction shape.
fn select_rows(
    t: &Tensor,
    dim: i64,
    keepdim: bool,
    op: &str,
    pick: impl Fn(&[u32], &dyn Fn(usize) -> bool) -> usize,
) -> Result<(Tensor, Tensor)> {
    require_cpu(t, op)?;
    let mask = dim_mask(t.ndim(), Some(&[dim]))?;
    let d = wrap_dim(dim, t.ndim())?;
    if t.ndim() > 0 && t.shape()[d] == 0 {
        bail!(index, "{op}(): Expected reduction dim {d} to have non-zero size.");
    }
    if t.dtype == DType::Bool || t.dtype.is_complex() {
        bail!(not_implemented, "\"median_out\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let r = rows(t, &mask, keepdim, false)?;
    dispatch_real!(t.dtype, T => {
        let xs: &[T] = r.slice();
        let p = argsort_rows(xs, r.m, r.k, false, false);
        pair_from::<T>(&r.out_shape, r.m, |i| {
            let row = &xs[i * r.k..(i + 1) * r.k];
            let perm = &p[i * r.k..(i + 1) * r.k];
            let is_nan = |j: usize| cast::<T, f64>(row[perm[j] as usize]).is_nan();
            let j = pick(perm, &is_nan);
            (row[perm[j] as usize], perm[j] as i64)
        })
    })
}

pub fn kthvalue(t: &Tensor, kk: i64, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(t);
    let d = wrap_dim(dim, t.ndim())?;
    let n = if t.ndim() == 0 { 1 } else { t.shape()[d] } as i64;
    crate::ops::newdt::reject(t.dtype, "kthvalue_cpu", crate::ops::newdt::Refuse::All)?;
    if t.dtype.is_complex() {
        bail!(not_implemented, "\"kthvalue_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    if t.ndim() > 0 && n == 0 {
        bail!(index, "kthvalue(): Expected reduction dim {d} to have non-zero size.");
    }
    if kk < 1 || kk > n {
        bail!(runtime, "kthvalue(): selected number k out of range for dimension {d}");
    }
    require_cpu(t, "kthvalue")?;
    // torch answers a 0-d input without running the kernel, so a 0-d bool works
    if t.dtype == DType::Bool && t.ndim() > 0 {
        bail!(not_implemented, "\"kthvalue_cpu\" not implemented for 'Bool'");
    }
    let mask = dim_mask(t.ndim(), Some(&[dim]))?;
    let r = rows(t, &mask, keepdim, false)?;
    dispatch_real!(t.dtype, T => {
        let xs: &[T] = r.slice();
        let p = kth_rows(xs, r.m, r.k, kk as usize - 1);
        pair_from::<T>(&r.out_shape, r.m, |i| {
            let at = p[i] as usize;
            (xs[i * r.k + at], at as i64)
        })
    })
}

/// `median(dim)` (lower median; NaN wins at its first position) or `nanmedian(dim)` (NaNs ignored).
pub fn median_dim(t: &Tensor, dim: i64, keepdim: bool, ignore_nan: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(t);
    let op = if ignore_nan { "nanmedian" } else { "median" };
    crate::ops::newdt::reject(t.dtype, if ignore_nan { "nanmedian_cpu" } else { "median_cpu" }, crate::ops::newdt::Refuse::All)?;
    select_rows(t, dim, keepdim, op, |perm, is_nan| {
        let n = perm.len();
        let valid = (0..n).take_while(|&j| !is_nan(j)).count();
        if valid < n && !ignore_nan {
            return valid; // the first NaN in stable order is its first position
        }
        if valid == 0 { 0 } else { (valid - 1) / 2 }
    })
}

/// `median()` over all elements: a 0-d value.
pub fn median_all(t: &Tensor, ignore_nan: bool) -> Result<Tensor> {
    crate::resolve_bits!(t);
    if t.numel() == 0 {
        // torch fills before its dtype dispatch: NaN cast to any dtype, bool and complex included.
        return Tensor::full(&[], Pivot::F(f64::NAN), t.dtype, t.device());
    }
    crate::ops::newdt::reject(t.dtype, if ignore_nan { "nanmedian_cpu" } else { "median_cpu" }, crate::ops::newdt::Refuse::All)?;
    if t.dtype == DType::Bool || t.dtype.is_complex() {
        bail!(not_implemented, "\"median_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let flat = t.contiguous()?;
    let flat = flat.with_layout(Layout { shape: vec![t.numel()], strides: vec![1], offset: flat.layout.offset });
    Ok(median_dim(&flat, 0, false, ignore_nan)?.0)
}

/// `mode(dim)`: the most frequent value (the smallest among ties) and the index torch reports for it
/// (see `mode_rows`).
pub fn mode(t: &Tensor, dim: i64, keepdim: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(t);
    require_cpu(t, "mode")?;
    crate::ops::newdt::reject(t.dtype, "mode_cpu", crate::ops::newdt::Refuse::All)?;
    if t.dtype.is_complex() {
        bail!(not_implemented, "\"mode_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let mask = dim_mask(t.ndim(), Some(&[dim]))?;
    let d = wrap_dim(dim, t.ndim())?;
    if t.ndim() > 0 && t.shape()[d] == 0 {
        bail!(index, "mode(): Expected reduction dim {d} to have non-zero size.");
    }
    let r = rows(t, &mask, keepdim, false)?;
    dispatch_real!(t.dtype, T => {
        let xs: &[T] = r.slice();
        let p = mode_rows(xs, r.m, r.k);
        pair_from::<T>(&r.out_shape, r.m, |i| {
            let at = p[i] as usize;
            (xs[i * r.k + at], at as i64)
        })
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Interp {
    Linear,
    Lower,
    Higher,
    Midpoint,
    Nearest,
}

/// `quantile(q, dim, keepdim, interpolation)`; `ignore_nan` gives `nanquantile`. A 1-D `q` adds
/// a leading dim to the result.
pub fn quantile(t: &Tensor, q: &[f64], q_is_scalar: bool, dim: Option<i64>, keepdim: bool, interp: Interp, ignore_nan: bool) -> Result<Tensor> {
    crate::resolve_bits!(t);
    let op = if ignore_nan { "nanquantile" } else { "quantile" };
    require_cpu(t, op)?;
    if t.dtype != DType::F32 && t.dtype != DType::F64 {
        bail!(runtime, "{op}() input tensor must be either float or double dtype");
    }
    if t.numel() == 0 {
        bail!(runtime, "{op}() input tensor must be non-empty");
    }
    for &v in q {
        if !(0.0..=1.0).contains(&v) {
            bail!(runtime, "{op}() q must be in the range [0, 1] but got {v}");
        }
    }
    let src = match dim {
        Some(_) => t.clone(),
        None => {
            let c = t.contiguous()?;
            c.with_layout(Layout { shape: vec![t.numel()], strides: vec![1], offset: c.layout.offset })
        }
    };
    let d = dim.unwrap_or(0);
    let mask = dim_mask(src.ndim(), Some(&[d]))?;
    let r = rows(&src, &mask, keepdim && dim.is_some(), false)?;
    let mut out_shape = if dim.is_none() && keepdim { vec![1; t.ndim()] } else { r.out_shape.clone() };
    if !q_is_scalar {
        out_shape.insert(0, q.len());
    }
    let vals: Vec<f64> = dispatch_real!(src.dtype, T => {
        let xs: &[T] = r.slice();
        let p = argsort_rows(xs, r.m, r.k, false, false);
        let mut vals = vec![0.0; q.len() * r.m];
        for i in 0..r.m {
            let row = &xs[i * r.k..(i + 1) * r.k];
            let sorted: Vec<f64> = p[i * r.k..(i + 1) * r.k].iter().map(|&j| cast::<T, f64>(row[j as usize])).collect();
            let valid = sorted.iter().take_while(|v| !v.is_nan()).count();
            for (qi, &qv) in q.iter().enumerate() {
                vals[qi * r.m + i] = if valid == 0 || (valid < sorted.len() && !ignore_nan) {
                    f64::NAN
                } else {
                    interpolate(&sorted[..valid], qv, interp)
                };
            }
        }
        vals
    });
    let out_dt = t.dtype;
    let n = vals.len();
    let out = Tensor::for_overwrite(&out_shape, out_dt)?;
    crate::dispatch!(out_dt, O => {
        let po = out.storage.as_ptr() as *mut O;
        for (i, v) in vals.into_iter().take(n).enumerate() {
            // SAFETY: out holds q.len() * m elements.
            unsafe { po.add(i).write(O::from_pivot(Pivot::F(v))) };
        }
    });
    Ok(out)
}

fn interpolate(s: &[f64], q: f64, interp: Interp) -> f64 {
    let rank = q * (s.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    let (a, b) = (s[lo], s[hi.min(s.len() - 1)]);
    let lerp = |w: f64| if w < 0.5 { a + w * (b - a) } else { b - (b - a) * (1.0 - w) };
    match interp {
        Interp::Linear => lerp(rank - lo as f64),
        Interp::Lower => a,
        Interp::Higher => b,
        Interp::Midpoint => lerp(0.5),
        Interp::Nearest => s[rank.round_ties_even() as usize],
    }
}

/// `searchsorted(sorted_sequence, values, right)`: per value, the first position whose element is
/// >= it (> it when `right`), in the innermost dim of `seq` (a 1-D `seq` serves every value).
pub fn searchsorted(seq: &Tensor, values: &Tensor, right: bool, out_int32: bool) -> Result<Tensor> {
    crate::resolve_bits!(seq);
    crate::resolve_bits!(values);
    require_cpu(seq, "searchsorted")?;
    if seq.ndim() == 0 {
        bail!(runtime, "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension");
    }
    let batched = seq.ndim() > 1;
    if batched && (seq.ndim() != values.ndim() || seq.shape()[..seq.ndim() - 1] != values.shape()[..values.ndim() - 1]) {
        bail!(
            runtime,
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries tensor and input value tensor must match, but we got boundaries tensor {:?} and input value tensor {:?}",
            seq.shape(),
            values.shape()
        );
    }
    let out_dt = if out_int32 { DType::I32 } else { DType::I64 };
    if values.numel() == 0 {
        // torch returns an empty result before its dtype dispatch.
        return Tensor::for_overwrite(values.shape(), out_dt);
    }
    let common = crate::promote::promote_types(seq.dtype, values.dtype);
    if common == DType::Bool || common.is_complex() {
        bail!(not_implemented, "\"searchsorted_out_cpu\" not implemented for '{}'", common.scalar_name());
    }
    for dt in [seq.dtype, values.dtype] {
        crate::ops::newdt::reject(dt, "searchsorted_out_cpu", crate::ops::newdt::Refuse::Uints)?;
        crate::ops::newdt::reject(dt, "sorting_kernel_method_name", crate::ops::newdt::Refuse::F8)?;
    }
    let dt = common;
    let s = seq.to_dtype(dt, false)?.contiguous()?;
    let v = values.to_dtype(dt, false)?.contiguous()?;
    let n = *seq.shape().last().unwrap_or(&0);
    let nv = v.numel();
    let inner = if batched { *values.shape().last().unwrap_or(&1) } else { nv.max(1) };
    let pos: Vec<i64> = dispatch_real!(dt, T => {
        let ss: &[T] = slice_of(&s, s.numel());
        let vs: &[T] = slice_of(&v, nv);
        (0..nv).map(|i| {
            let row = if batched { &ss[(i / inner.max(1)) * n..(i / inner.max(1) + 1) * n] } else { ss };
            torch_bound(row, vs[i], right) as i64
        }).collect()
    });
    if out_int32 {
        let out = Tensor::for_overwrite(values.shape(), DType::I32)?;
        let p = out.storage.as_ptr() as *mut i32;
        for (i, x) in pos.into_iter().enumerate() {
            // SAFETY: out has nv elements.
            unsafe { p.add(i).write(x as i32) };
        }
        return Ok(out);
    }
    let out = Tensor::for_overwrite(values.shape(), DType::I64)?;
    let p = out.storage.as_ptr() as *mut i64;
    for (i, x) in pos.into_iter().enumerate() {
        // SAFETY: out has nv elements.
        unsafe { p.add(i).write(x) };
    }
    Ok(out)
}

/// torch's lower/upper bound: a plain binary search on `!(e >= v)` (`!(e > v)` when `right`), so a NaN
/// value or a NaN in the sequence lands where torch puts it.
fn torch_bound<T: PartialOrd + Copy>(row: &[T], v: T, right: bool) -> usize {
    let (mut lo, mut hi) = (0usize, row.len());
    while lo < hi {
        let mid = lo + ((hi - lo) >> 1);
        let go_right = if right { !(row[mid] > v) } else { !(row[mid] >= v) };
        if go_right {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}
