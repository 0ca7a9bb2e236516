//! Reductions: validate dims and dtypes once, lay the input out as contiguous `[kept, reduced]`
//! rows (no copy when it already is), then call one row kernel.
use crate::backend::cpu::num::{Num, Stored};
use crate::backend::cpu::reduce as k;
use crate::backend::cpu::reduce_cols as kcols;
use crate::ops::reduce_cols as kc;
use crate::bail;
use crate::device::Device;
use crate::dispatch;
use crate::dtype::{DType, default_dtype};
use crate::element::{C64, C128, Element, Pivot, cast};
use crate::error::Result;
use crate::layout::{Layout, wrap_dim};
use crate::tensor::Tensor;

pub fn require_cpu(t: &Tensor, op: &str) -> Result<()> {
    if t.device() != Device::Cpu {
        bail!(not_implemented, "[{op}] CUDA kernels are not implemented yet");
    }
    Ok(())
}

/// Which dims are reduced: all when `dims` is None or empty, with torch's errors for repeats.
pub fn dim_mask(ndim: usize, dims: Option<&[i64]>) -> Result<Vec<bool>> {
    let mut mask = vec![false; ndim];
    match dims {
        None => mask.iter_mut().for_each(|m| *m = true),
        Some([]) => mask.iter_mut().for_each(|m| *m = true),
        Some(ds) => {
            for w in crate::layout::wrap_dims_unique(ds, ndim)? {
                if ndim > 0 {
                    mask[w] = true;
                }
            }
        }
    }
    Ok(mask)
}

/// The input as `m` contiguous rows of `k` reduced elements, and the result's shape.
pub struct Rows {
    _keep: Tensor,
    ptr: *const u8,
    pub m: usize,
    pub k: usize,
    pub out_shape: Vec<usize>,
}

impl Rows {
    /// The rows as one slice.
    pub fn slice<T>(&self) -> &[T] {
        // SAFETY: `ptr` addresses m*k contiguous elements of the kept-alive tensor.
        unsafe { std::slice::from_raw_parts(self.ptr as *const T, self.m * self.k) }
    }
}

/// A reduction's result shape.
fn out_shape(shape: &[usize], mask: &[bool], keepdim: bool) -> Vec<usize> {
    if keepdim {
        shape.iter().zip(mask).map(|(&n, &r)| if r { 1 } else { n }).collect()
    } else {
        shape.iter().zip(mask).filter(|(_, r)| !**r).map(|(&n, _)| n).collect()
    }
}

/// Lays `t` out as rows. `order_free` reductions (sums, extrema values) read a dense tensor in
/// memory order whatever its strides.
pub fn rows(t: &Tensor, mask: &[bool], keepdim: bool, order_free: bool) -> Result<Rows> {
    let shape = t.shape();
    let out_shape = out_shape(shape, mask, keepdim);
    let kept: Vec<usize> = (0..shape.len()).filter(|&d| !mask[d]).collect();
    let m: usize = kept.iter().map(|&d| shape[d]).product();
    let kk: usize = (0..shape.len()).filter(|&d| mask[d]).map(|d| shape[d]).product();
    let isz = t.dtype.itemsize() as isize;
    if order_free && kept.is_empty() && t.layout.is_non_overlapping_and_dense() {
        let (lo, _) = t.layout.extent();
        let ptr = unsafe { t.storage.as_ptr().offset(lo * isz) } as *const u8;
        return Ok(Rows { _keep: t.clone(), ptr, m, k: kk, out_shape });
    }
    let perm: Vec<usize> = kept.iter().copied().chain((0..shape.len()).filter(|&d| mask[d])).collect();
    let p = t.with_layout(t.layout.permute(&perm)).contiguous()?;
    let ptr = p.data_ptr() as *const u8;
    Ok(Rows { _keep: p, ptr, m, k: kk, out_shape })
}

/// A fresh tensor of `shape` holding `vals` (converted to `dtype`'s element type `O`).
fn tensor_from<O: Element>(shape: &[usize], vals: impl Iterator<Item = O>) -> Result<Tensor> {
    let out = Tensor::for_overwrite(shape, O::DTYPE)?;
    let n = out.numel();
    let p = out.storage.as_ptr() as *mut O;
    for (i, v) in vals.take(n).enumerate() {
        // SAFETY: the tensor was just allocated with n elements.
        unsafe { p.add(i).write(v) };
    }
    Ok(out)
}

/// torch's reductions over uint16/32/64 (where `uint_ok` is false) and float8 raise "not implemented".
fn barebones(t: &Tensor, kernel: &str, uint_ok: bool) -> Result<()> {
    if t.dtype.is_float8() || (t.dtype.is_big_unsigned() && !uint_ok) {
        bail!(not_implemented, "\"{kernel}\" not implemented for '{}'", t.dtype.scalar_name());
    }
    Ok(())
}

fn sum_dtype(dt: DType) -> DType {
    if dt.is_integral(true) { DType::I64 } else { dt }
}

/// `sum(dim, keepdim, dtype)`; `skip_nan` gives `nansum`.
pub fn sum(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>, skip_nan: bool) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, "sum")?;
    barebones(t, if skip_nan { "nansum_cpu" } else { "sum_cpu" }, !skip_nan)?;
    let t = match dtype {
        Some(d) => t.to_dtype(d, false)?,
        None => t.clone(),
    };
    if skip_nan && t.dtype.is_complex() {
        bail!(not_implemented, "nansum on CPU does not support complex inputs");
    }
    let mask = dim_mask(t.ndim(), dims)?;
    if let Some(c) = kc::cols(&t, &mask) {
        let out_shape = out_shape(t.shape(), &mask, keepdim);
        return dispatch!(t.dtype, T => {
            let v = kcols::sum_cols::<T>(c.slice(), c.a, c.r, c.n, skip_nan);
            let res = tensor_from(&c.mem_shape(t.shape()), v.into_iter().map(cast::<<T as k::Reducible>::Acc, <T as k::Reducible>::SumOut>))?;
            c.finish(res, &out_shape)
        });
    }
    let r = rows(&t, &mask, keepdim, true)?;
    dispatch!(t.dtype, T => {
        let v = k::sum_rows::<T>(r.slice(), r.m, r.k, skip_nan);
        tensor_from(&r.out_shape, v.into_iter().map(cast::<<T as k::Reducible>::Acc, <T as k::Reducible>::SumOut>))
    })
}

pub fn prod(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, "prod")?;
    barebones(t, "prod_out_cpu", true)?;
    let t = match dtype {
        Some(d) => t.to_dtype(d, false)?,
        None => t.clone(),
    };
    let mask = dim_mask(t.ndim(), dims)?;
    if let Some(r) = super::cprod::prod(&t, &mask, keepdim)? {
        return Ok(r);
    }
    let r = rows(&t, &mask, keepdim, true)?;
    dispatch!(t.dtype, T => {
        let v = k::prod_rows::<T>(r.slice(), r.m, r.k);
        tensor_from(&r.out_shape, v.into_iter().map(cast::<<T as k::Reducible>::Acc, <T as k::Reducible>::SumOut>))
    })
}

fn float_input(op: &str, t: &Tensor, dtype: Option<DType>) -> Result<Tensor> {
    let dt = dtype.unwrap_or(t.dtype);
    if !dt.is_floating_point() && !dt.is_complex() {
        let which = if dtype.is_some() { "Optional dtype" } else { "Input dtype" };
        bail!(
            not_implemented,
            "{op}(): could not infer output dtype. {which} must be either a floating point or complex dtype. Got: {}",
            dt.scalar_name()
        );
    }
    t.to_dtype(dt, false)
}

/// `mean`; `skip_nan` gives `nanmean` (NaNs neither summed nor counted).
pub fn mean(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>, skip_nan: bool) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, "mean")?;
    barebones(t, "sum_cpu", true)?;
    if skip_nan && !t.dtype.is_floating_point() && !t.dtype.is_complex() {
        bail!(
            not_implemented,
            "nanmean(): expected input to have floating point or complex dtype but got {}",
            t.dtype.scalar_name()
        );
    }
    let t = float_input("mean", t, dtype)?;
    let mask = dim_mask(t.ndim(), dims)?;
    if let Some(c) = kc::cols(&t, &mask) {
        let out_shape = out_shape(t.shape(), &mask, keepdim);
        return dispatch!(t.dtype, T => {
            let s = kcols::sum_cols::<T>(c.slice(), c.a, c.r, c.n, skip_nan);
            let counts = if skip_nan { kcols::count_cols::<T>(c.slice(), c.a, c.r, c.n) } else { vec![c.r as i64; s.len()] };
            let res = tensor_from(&c.mem_shape(t.shape()), s.into_iter().zip(counts).map(|(s, n)| {
                let n = <<T as k::Reducible>::Acc as Element>::from_pivot(Pivot::I(n));
                cast::<<T as k::Reducible>::Acc, T>(s.div(n))
            }))?;
            c.finish(res, &out_shape)
        });
    }
    let r = rows(&t, &mask, keepdim, true)?;
    dispatch!(t.dtype, T => {
        let s = k::sum_rows::<T>(r.slice(), r.m, r.k, skip_nan);
        let counts: Vec<i64> = if skip_nan {
            k::reduce_rows(r.slice::<T>(), r.m, r.k,
                |row, _| k::fold(row, 0i64, |v: T| (!v.load().is_nan()) as i64, |a, b| a + b), |a, b| a + b)
        } else {
            vec![r.k as i64; r.m]
        };
        tensor_from(&r.out_shape, s.into_iter().zip(counts).map(|(s, n)| {
            let n = <<T as k::Reducible>::Acc as Element>::from_pivot(Pivot::I(n));
            cast::<<T as k::Reducible>::Acc, T>(s.div(n))
        }))
    })
}

fn check_nonempty(op: &str, t: &Tensor, mask: &[bool], all: bool) -> Result<()> {
    if t.numel() > 0 {
        return Ok(());
    }
    if all {
        bail!(
            runtime,
            "{op}(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument."
        );
    }
    if let Some(d) = (0..t.ndim()).find(|&d| mask[d] && t.shape()[d] == 0) {
        bail!(index, "{op}(): Expected reduction dim {d} to have non-zero size.");
    }
    Ok(())
}

/// `amax`/`amin` (also the bare `max()`/`min()`): NaN propagates.
pub fn amax(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, is_max: bool, op: &str) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, op)?;
    let kernel = match (op, dims.is_none()) {
        ("max", true) => "max_all",
        ("min", true) => "min_all",
        _ if is_max => "max_values_cpu",
        _ => "min_values_cpu",
    };
    barebones(t, kernel, false)?;
    let mask = dim_mask(t.ndim(), dims)?;
    // torch checks the reduced sizes before the dtype.
    check_nonempty(op, t, &mask, dims.is_none_or(|d| d.is_empty()))?;
    if t.dtype.is_complex() && t.numel() > 0 {
        let kernel = if is_max { "max_values_cpu" } else { "min_values_cpu" };
        bail!(not_implemented, "\"{kernel}\" not implemented for '{}'", t.dtype.scalar_name());
    }
    if let Some(c) = kc::cols(t, &mask) {
        let out_shape = out_shape(t.shape(), &mask, keepdim);
        return dispatch!(t.dtype, T => {
            let v = kcols::extreme_cols::<T>(c.slice(), c.a, c.r, c.n, is_max);
            c.finish(tensor_from(&c.mem_shape(t.shape()), v.into_iter().map(T::store))?, &out_shape)
        });
    }
    let r = rows(t, &mask, keepdim, true)?;
    dispatch!(t.dtype, T => {
        let v = k::extreme_rows::<T>(r.slice(), r.m, r.k, is_max);
        tensor_from(&r.out_shape, v.into_iter().map(T::store))
    })
}

/// `max(dim)`/`min(dim)`: values and the first index of each extreme (NaN wins).
pub fn max_dim(t: &Tensor, dim: i64, keepdim: bool, is_max: bool, op: &str) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(t);
    require_cpu(t, op)?;
    barebones(t, if is_max { "max_cpu" } else { "min_cpu" }, false)?;
    let mask = dim_mask(t.ndim(), Some(&[dim]))?;
    check_nonempty(op, t, &mask, false)?;
    if t.dtype.is_complex() {
        bail!(type_error, "{op}(): does not support complex input");
    }
    let r = rows(t, &mask, keepdim, false)?;
    dispatch!(t.dtype, T => {
        let v = k::arg_extreme_rows::<T>(r.slice(), r.m, r.k, is_max);
        Ok((
            tensor_from(&r.out_shape, v.iter().map(|p| T::store(p.0)))?,
            tensor_from(&r.out_shape, v.iter().map(|p| p.1 as i64))?,
        ))
    })
}

/// `argmax`/`argmin`: over the flattened input when `dim` is None.
pub fn argmax(t: &Tensor, dim: Option<i64>, keepdim: bool, is_max: bool) -> Result<Tensor> {
    crate::resolve_bits!(t);
    let op = if is_max { "argmax" } else { "argmin" };
    require_cpu(t, op)?;
    barebones(t, if is_max { "argmax_cpu" } else { "argmin_cpu" }, false)?;
    if t.dtype.is_complex() {
        bail!(type_error, "{op}(): does not support complex input");
    }
    if t.dtype == DType::Bool {
        bail!(not_implemented, "{op}(): does not support bool input");
    }
    match dim {
        Some(d) => Ok(max_dim(t, d, keepdim, is_max, op)?.1),
        None => {
            if t.numel() == 0 {
                bail!(index, "{op}(): Expected reduction dim to be specified for input.numel() == 0.");
            }
            let flat = t.contiguous()?;
            let flat = flat.with_layout(Layout { shape: vec![t.numel()], strides: vec![1], offset: flat.layout.offset });
            let (_, i) = max_dim(&flat, 0, false, is_max, op)?;
            if keepdim {
                let shape = vec![1; t.ndim()];
                return Ok(i.with_layout(Layout::contiguous(&shape)));
            }
            Ok(i)
        }
    }
}

/// `all`/`any`: bool results (uint8 for uint8 input, as torch keeps).
pub fn all_any(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, all: bool) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, if all { "all" } else { "any" })?;
    // An explicit empty dim list reduces nothing here (unlike sum's "all dims").
    let mask = if dims.is_some_and(|d| d.is_empty()) { vec![false; t.ndim()] } else { dim_mask(t.ndim(), dims)? };
    let r = rows(t, &mask, keepdim, true)?;
    let v = dispatch!(t.dtype, T => k::all_any_rows::<T>(r.slice(), r.m, r.k, all));
    if t.dtype == DType::U8 {
        tensor_from(&r.out_shape, v.into_iter().map(|b| b as u8))
    } else {
        tensor_from(&r.out_shape, v.into_iter())
    }
}

pub fn count_nonzero(t: &Tensor, dims: Option<&[i64]>) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, "count_nonzero")?;
    barebones(t, "nonzero_count_cpu", false)?;
    let r = rows(t, &dim_mask(t.ndim(), dims)?, false, true)?;
    let v = dispatch!(t.dtype, T => k::reduce_rows(r.slice::<T>(), r.m, r.k,
        |row, _| k::fold(row, 0i64, |v: T| v.load().truthy() as i64, |a, b| a + b), |a, b| a + b));
    tensor_from(&r.out_shape, v.into_iter())
}

/// `var` (and `std` when `sqrt`): sum of squared deviations over `max(0, n - correction)`.
pub fn var(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool, sqrt: bool) -> Result<Tensor> {
    Ok(var_mean(t, dims, correction, keepdim, sqrt, false)?.0)
}

/// `var`/`std` and, with `with_mean`, the mean from the same f64 moments (torch's var_mean takes
/// both from one Welford pass, so its mean does not overflow where a float sum would).
pub fn var_mean(t: &Tensor, dims: Option<&[i64]>, correction: f64, keepdim: bool, sqrt: bool, with_mean: bool) -> Result<(Tensor, Option<Tensor>)> {
    crate::resolve_bits!(t);
    require_cpu(t, "var")?;
    if t.dtype.is_float8() {
        if dims.is_none() {
            bail!(runtime, "std_var_all: Unsupported dtype {}", t.dtype.scalar_name());
        }
        bail!(not_implemented, "\"std_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    if !t.dtype.is_floating_point() && !t.dtype.is_complex() {
        bail!(not_implemented, "std and var only support floating point and complex dtypes");
    }
    let r = rows(t, &dim_mask(t.ndim(), dims)?, keepdim, true)?;
    let fin = |m2: f64, n: f64| {
        let v = m2 / (n - correction).max(0.0);
        if sqrt { v.sqrt() } else { v }
    };
    // An empty row has no mean: nan, as torch's mean of nothing.
    let mean_of = |m: &k::Moments| if m.n == 0.0 { f64::NAN } else { m.mean };
    let (vals, means): (Vec<f64>, Vec<Pivot>) = if t.dtype.is_complex() {
        dispatch!(t.dtype, T => k::complex_moments_rows::<T>(r.slice(), r.m, r.k))
            .into_iter()
            .map(|(a, b)| (fin(a.m2 + b.m2, r.k as f64), Pivot::C(mean_of(&a), mean_of(&b))))
            .unzip()
    } else {
        let mut vm: (Vec<f64>, Vec<Pivot>) =
            dispatch!(t.dtype, T => k::moments_rows::<T>(r.slice(), r.m, r.k)).into_iter().map(|a| (fin(a.m2, r.k as f64), Pivot::F(mean_of(&a)))).unzip();
        if with_mean {
            vm.1 = dispatch!(t.dtype, T => k::welford_mean_rows::<T>(r.slice(), r.m, r.k)).iter().map(|a| Pivot::F(mean_of(a))).collect();
        }
        vm
    };
    let out_dt = t.dtype.to_real();
    let v = dispatch!(out_dt, O => tensor_from(&r.out_shape, vals.into_iter().map(|v| O::from_pivot(Pivot::F(v)))))?;
    if !with_mean {
        return Ok((v, None));
    }
    let m = dispatch!(t.dtype, O => tensor_from(&r.out_shape, means.into_iter().map(O::from_pivot)))?;
    Ok((v, Some(m)))
}

/// `logsumexp`: integers promote to the default float dtype; an empty reduction gives -inf.
pub fn logsumexp(t: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, "logsumexp")?;
    crate::ops::newdt::reject(t.dtype, "max_values_cpu", crate::ops::newdt::Refuse::F8)?;
    let t = if t.dtype.is_integral(true) { t.to_dtype(default_dtype(), false)? } else { t.clone() };
    if t.dtype == DType::C32 {
        bail!(not_implemented, "\"exp_vml_cpu\" not implemented for 'ComplexHalf'");
    }
    if t.dtype.is_complex() {
        // torch shifts by the largest real part (0 when infinite), then logs the sum of exps.
        let r = rows(&t, &dim_mask(t.ndim(), dims)?, keepdim, true)?;
        let v: Vec<Cx> = dispatch!(t.dtype, T => k::reduce_rows(r.slice::<T>(), r.m, r.k, |row, _| complex_lse(row), log_add_exp_c));
        return dispatch!(t.dtype, O => tensor_from(&r.out_shape, v.into_iter().map(|z| O::from_pivot(Pivot::C(z.re, z.im)))));
    }
    let r = rows(&t, &dim_mask(t.ndim(), dims)?, keepdim, true)?;
    let v: Vec<f64> = dispatch!(t.dtype, T => k::reduce_rows(r.slice::<T>(), r.m, r.k, |row, _| lse(row), lse_merge));
    dispatch!(t.dtype, O => tensor_from(&r.out_shape, v.into_iter().map(|v| O::from_pivot(Pivot::F(v)))))
}

type Cx = num_complex::Complex<f64>;

fn cx<T: Element>(v: T) -> Cx {
    match v.to_pivot() {
        Pivot::C(re, im) => Cx::new(re, im),
        Pivot::F(f) => Cx::new(f, 0.0),
        Pivot::I(i) => Cx::new(i as f64, 0.0),
        Pivot::B(b) => Cx::new(b as u8 as f64, 0.0),
    }
}

fn complex_lse<T: Element>(row: &[T]) -> Cx {
    let mut mx = f64::NEG_INFINITY;
    for &v in row {
        let re = cx(v).re;
        if re.is_nan() || re > mx {
            mx = re;
            if re.is_nan() {
                break;
            }
        }
    }
    if mx.is_infinite() {
        mx = 0.0;
    }
    let sum: Cx = row.iter().map(|&v| (cx(v) - mx).exp()).sum();
    sum.ln() + mx
}

/// log(exp(a) + exp(b)) for complex values, with torch's handling of NaN and infinite real parts.
fn log_add_exp_c(a: Cx, b: Cx) -> Cx {
    let isnan = |z: Cx| z.re.is_nan() || z.im.is_nan();
    let (lo, hi) = if isnan(b) {
        (b, b)
    } else if isnan(a) {
        (a, a)
    } else if a.re < b.re {
        (a, b)
    } else {
        (b, a)
    };
    if isnan(lo) {
        return Cx::new(f64::NAN, f64::NAN);
    }
    if !lo.re.is_finite() && lo.re == hi.re {
        return if lo.re < 0.0 { lo } else { (lo.exp() + hi.exp()).ln() };
    }
    log1p_c((lo - hi).exp()) + hi
}

/// log(1 + z), accurate for small z.
fn log1p_c(z: Cx) -> Cx {
    let (x, y) = (z.re, z.im);
    if z.norm() < 0.5 {
        Cx::new(0.5 * (x * (2.0 + x) + y * y).ln_1p(), y.atan2(1.0 + x))
    } else {
        (z + 1.0).ln()
    }
}

fn lse<T: Element>(row: &[T]) -> f64 {
    let g = |v: T| cast::<T, f64>(v);
    let mx = k::fold(row, f64::NEG_INFINITY, g, |a, b| if a.is_nan() || b.is_nan() { f64::NAN } else { a.max(b) });
    if !mx.is_finite() {
        return mx;
    }
    mx + k::fold(row, 0.0, |v| (g(v) - mx).exp(), |a, b| a + b).ln()
}

fn lse_merge(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    if m == f64::NEG_INFINITY || m == f64::INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// The legacy `norm(p)` over dims: p = inf/-inf (max/min of |x|), 0 (count of nonzeros), else
/// `(sum |x|^p)^(1/p)`. The result is real.
pub fn norm(t: &Tensor, p: f64, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, "norm")?;
    crate::ops::newdt::reject(t.dtype, "norm_cpu", crate::ops::newdt::Refuse::F8)?;
    let t = match dtype {
        Some(d) => t.to_dtype(d, false)?,
        None => t.clone(),
    };
    if !t.dtype.is_floating_point() && !t.dtype.is_complex() {
        bail!(
            not_implemented,
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}",
            t.dtype.scalar_name()
        );
    }
    let mask = dim_mask(t.ndim(), dims)?;
    let r = rows(&t, &mask, keepdim, true)?;
    if (p < 0.0 || p == f64::INFINITY) && r.k == 0 && r.m > 0 {
        bail!(runtime, "linalg.vector_norm cannot compute the {p} norm on an empty tensor because the operation does not have an identity");
    }
    let abs = |v: Pivot| match v {
        Pivot::C(a, b) => a.hypot(b),
        Pivot::F(a) => a.abs(),
        _ => 0.0,
    };
    let v: Vec<f64> = dispatch!(t.dtype, T => {
        let g = move |v: T| abs(v.to_pivot());
        if p == f64::INFINITY {
            k::reduce_rows(r.slice::<T>(), r.m, r.k, |row, _| k::fold(row, 0.0, g, nanmax), nanmax)
        } else if p == f64::NEG_INFINITY {
            k::reduce_rows(r.slice::<T>(), r.m, r.k, |row, _| k::fold(row, f64::INFINITY, g, nanmin), nanmin)
        } else {
            let s = k::reduce_rows(r.slice::<T>(), r.m, r.k, |row, _| {
                if p == 0.0 {
                    k::fold(row, 0.0, move |v| (g(v) != 0.0) as u8 as f64, |a, b| a + b)
                } else if p == 1.0 {
                    k::fold(row, 0.0, g, |a, b| a + b)
                } else if p == 2.0 {
                    k::fold(row, 0.0, move |v| { let a = g(v); a * a }, |a, b| a + b)
                } else {
                    k::fold(row, 0.0, move |v| g(v).powf(p), |a, b| a + b)
                }
            }, |a, b| a + b);
            s.into_iter().map(|s| if p == 0.0 || p == 1.0 { s } else if p == 2.0 { s.sqrt() } else { s.powf(1.0 / p) }).collect()
        }
    });
    let out_dt = t.dtype.to_real();
    dispatch!(out_dt, O => tensor_from(&r.out_shape, v.into_iter().map(|v| O::from_pivot(Pivot::F(v)))))
}

fn nanmax(a: f64, b: f64) -> f64 {
    if a.is_nan() || b > a { if a.is_nan() { a } else { b } } else if b.is_nan() { b } else { a }
}
fn nanmin(a: f64, b: f64) -> f64 {
    if a.is_nan() || b < a { if a.is_nan() { a } else { b } } else if b.is_nan() { b } else { a }
}

// Accumulators for scans: float scans run in double as torch's CPU cumsum does.
trait ScanAcc: Element {
    type A: Num;
}
macro_rules! scan_acc {
    ($($t:ty => $a:ty);* $(;)?) => {$( impl ScanAcc for $t { type A = $a; } )*};
}
scan_acc!(bool => i64; u8 => i64; i8 => i64; i16 => i64; i32 => i64; i64 => i64;
    half::f16 => f64; half::bf16 => f64; f32 => f64; f64 => f64;
    crate::element::C32 => C128; C64 => C128; C128 => C128;
    u16 => i64; u32 => i64; u64 => i64; crate::element::F8E4M3 => f64; crate::element::F8E5M2 => f64);

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ScanOp {
    Sum,
    Prod,
    LogSumExp,
}

/// The input with `dim` moved last, as contiguous rows, plus the permutation that undoes it.
fn scan_rows(t: &Tensor, dim: usize) -> Result<(Tensor, Vec<usize>, Vec<usize>)> {
    let nd = t.ndim();
    if nd == 0 {
        return Ok((t.contiguous()?, vec![], vec![]));
    }
    let perm: Vec<usize> = (0..nd).filter(|&d| d != dim).chain([dim]).collect();
    let mut inv = vec![0; nd];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    Ok((t.with_layout(t.layout.permute(&perm)).contiguous()?, perm, inv))
}

/// Undoes `scan_rows`' permutation on a result computed in row order.
fn unpermute(out: Tensor, inv: &[usize]) -> Result<Tensor> {
    if inv.is_empty() {
        return Ok(out);
    }
    if out.numel() == 0 {
        // Nothing to move: just torch's contiguous strides for the final shape.
        let shape: Vec<usize> = inv.iter().map(|&p| out.shape()[p]).collect();
        return Ok(out.with_layout(Layout::contiguous(&shape)));
    }
    out.with_layout(out.layout.permute(inv)).contiguous()
}

/// `cumsum`/`cumprod`/`logcumsumexp` along `dim`.
pub fn scan(t: &Tensor, dim: i64, op: ScanOp, dtype: Option<DType>) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu(t, "cumsum")?;
    barebones(t, if op == ScanOp::Prod { "cumprod_out_cpu" } else { "cumsum_out_cpu" }, op != ScanOp::LogSumExp)?;
    let dim = wrap_dim(dim, t.ndim())?;
    let t = match dtype {
        Some(d) => t.to_dtype(d, false)?,
        None => t.clone(),
    };
    if op == ScanOp::LogSumExp && !t.dtype.is_floating_point() && !t.dtype.is_complex() {
        bail!(not_implemented, "\"logcumsumexp_out_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let (x, perm, inv) = scan_rows(&t, dim)?;
    if op == ScanOp::LogSumExp && t.dtype.is_complex() {
        if t.dtype == DType::C32 {
            bail!(not_implemented, "\"logcumsumexp_out_cpu\" not implemented for 'ComplexHalf'");
        }
        let kk = if t.ndim() == 0 { 1 } else { t.shape()[dim] };
        let m = if kk == 0 { 0 } else { t.numel() / kk };
        let pshape: Vec<usize> = perm.iter().map(|&d| t.shape()[d]).collect();
        let out = Tensor::for_overwrite(&pshape, t.dtype)?;
        dispatch!(t.dtype, T => {
            // SAFETY: x is contiguous with m*kk elements; `out` was just allocated with as many.
            let xs: &[T] = unsafe { std::slice::from_raw_parts(x.data_ptr() as *const T, m * kk) };
            let os: &mut [T] = unsafe { std::slice::from_raw_parts_mut(out.storage.as_ptr() as *mut T, m * kk) };
            // torch folds each element into the running value as helper(x, acc), from -inf.
            for r in 0..m {
                let mut acc = Cx::new(f64::NEG_INFINITY, 0.0);
                for j in r * kk..(r + 1) * kk {
                    acc = log_add_exp_c(cx(xs[j]), acc);
                    os[j] = T::from_pivot(Pivot::C(acc.re, acc.im));
                }
            }
        });
        return unpermute(out, &inv);
    }
    let kk = if t.ndim() == 0 { 1 } else { t.shape()[dim] };
    let m = if kk == 0 { 0 } else { t.numel() / kk };
    let out_dt = sum_dtype(t.dtype);
    let pshape: Vec<usize> = perm.iter().map(|&d| t.shape()[d]).collect();
    let out = Tensor::for_overwrite(&pshape, out_dt)?;
    dispatch!(t.dtype, T => {
        type O = <T as k::Reducible>::SumOut;
        // SAFETY: x is contiguous with m*kk elements; `out` was just allocated with as many.
        let xs: &[T] = unsafe { std::slice::from_raw_parts(x.data_ptr() as *const T, m * kk) };
        let os: &mut [O] = unsafe { std::slice::from_raw_parts_mut(out.storage.as_ptr() as *mut O, m * kk) };
        type A = <T as ScanAcc>::A;
        let g = |v: T| cast::<T, A>(v);
        let store = |a: A| cast::<A, O>(a);
        match op {
            ScanOp::Sum if m == 1 => k::scan_long_row(xs, os, A::zero(), g, |a: A, b: A| a.add(b), store),
            ScanOp::Sum => k::scan_rows(xs, os, m, kk, None, g, |a: A, b: A| a.add(b), store),
            ScanOp::Prod => k::scan_rows(xs, os, m, kk, Some(A::one()), g, |a: A, b: A| a.mul(b), store),
            ScanOp::LogSumExp => {
                let gf = |v: T| cast::<T, f64>(v);
                k::scan_rows(xs, os, m, kk, None, gf, log_add_exp, |a: f64| O::from_pivot(Pivot::F(a)))
            }
        }
    });
    unpermute(out, &inv)
}

fn log_add_exp(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        return f64::NAN;
    }
    let (hi, lo) = if a > b { (a, b) } else { (b, a) };
    if hi == f64::NEG_INFINITY || hi == f64::INFINITY {
        return hi;
    }
    hi + (lo - hi).exp().ln_1p()
}

/// `cummax`/`cummin`: running extreme and the index of its latest occurrence (NaN sticks).
pub fn cum_extreme(t: &Tensor, dim: i64, is_max: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(t);
    let op = if is_max { "cummax" } else { "cummin" };
    require_cpu(t, op)?;
    barebones(t, &format!("{op}_cpu"), false)?;
    let dim = wrap_dim(dim, t.ndim())?;
    // torch returns empty and 0-d inputs before it dispatches on the dtype.
    if t.dtype.is_complex() && t.numel() > 0 && t.ndim() > 0 {
        bail!(not_implemented, "\"{op}_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let (x, perm, inv) = scan_rows(t, dim)?;
    let kk = if t.ndim() == 0 { 1 } else { t.shape()[dim] };
    let m = if kk == 0 { 0 } else { t.numel() / kk };
    let pshape: Vec<usize> = perm.iter().map(|&d| t.shape()[d]).collect();
    let vals = Tensor::for_overwrite(&pshape, t.dtype)?;
    let idx = Tensor::for_overwrite(&pshape, DType::I64)?;
    dispatch!(t.dtype, T => {
        let xs: &[T] = unsafe { std::slice::from_raw_parts(x.data_ptr() as *const T, m * kk) };
        let vs = vals.storage.as_ptr() as *mut T;
        let is = idx.storage.as_ptr() as *mut i64;
        for r in 0..m {
            let row = &xs[r * kk..(r + 1) * kk];
            let (mut best, mut bi) = (row[0].load(), 0usize);
            for (j, v) in row.iter().enumerate() {
                let v = v.load();
                let take = if is_max { v.is_nan() || (!best.is_nan() && best.le(v)) } else { v.is_nan() || (!best.is_nan() && v.le(best)) };
                if take {
                    best = v;
                    bi = j;
                }
                // SAFETY: both outputs hold m*kk elements.
                unsafe {
                    *vs.add(r * kk + j) = T::store(best);
                    *is.add(r * kk + j) = bi as i64;
                }
            }
        }
    });
    Ok((unpermute(vals, &inv)?, unpermute(idx, &inv)?))
}

/// `cat` along `dim` for the few tensors `diff` joins (same dtype, shapes equal off `dim`).
fn cat(ts: &[Tensor], dim: usize) -> Result<Tensor> {
    let mut shape = ts[0].shape().to_vec();
    shape[dim] = ts.iter().map(|t| t.shape()[dim]).sum();
    let out = Tensor::for_overwrite(&shape, ts[0].dtype)?;
    let mut at = 0;
    for t in ts {
        let n = t.shape()[dim];
        out.with_layout(out.layout.narrow(dim, at, n)).copy_(t)?;
        at += n;
    }
    Ok(out)
}

/// `diff(n, dim, prepend, append)`: repeated forward differences (xor for bool).
pub fn diff(t: &Tensor, n: i64, dim: i64, prepend: Option<&Tensor>, append: Option<&Tensor>) -> Result<Tensor> {
    crate::resolve_bits!(t);
    crate::resolve_opt_bits!(prepend);
    crate::resolve_opt_bits!(append);
    require_cpu(t, "diff")?;
    if t.ndim() == 0 {
        bail!(runtime, "diff expects input to be at least one-dimensional");
    }
    if n < 0 {
        bail!(runtime, "order must be non-negative but got {n}");
    }
    let d = wrap_dim(dim, t.ndim())?;
    let mut parts = vec![];
    let fit = |p: &Tensor| -> Result<Tensor> {
        if p.ndim() != t.ndim() {
            bail!(runtime, "diff expects prepend or append to be the same dimension as input");
        }
        for i in 0..t.ndim() {
            if i != d && p.shape()[i] != t.shape()[i] {
                bail!(runtime, "diff expects the shape of tensor to prepend or append to match that of input except along the differencing dimension; input.size({i}) = {}, but got tensor.size({i}) = {}", t.shape()[i], p.shape()[i]);
            }
        }
        Ok(p.clone())
    };
    if let Some(p) = prepend {
        parts.push(fit(p)?);
    }
    parts.push(t.clone());
    if let Some(a) = append {
        parts.push(fit(a)?);
    }
    let mut x = if parts.len() == 1 {
        t.clone()
    } else {
        let dt = parts.iter().skip(1).fold(parts[0].dtype, |a, p| crate::promote::promote_types(a, p.dtype));
        let casted: Vec<Tensor> = parts.iter().map(|p| p.to_dtype(dt, false)).collect::<Result<_>>()?;
        cat(&casted, d)?
    };
    use crate::ops::binary::{Arg, BinaryOp, binary};
    for _ in 0..n {
        let len = x.shape()[d];
        if len == 0 {
            break;
        }
        let hi = x.with_layout(x.layout.narrow(d, 1, len - 1));
        let lo = x.with_layout(x.layout.narrow(d, 0, len - 1));
        let op = if x.dtype == DType::Bool { BinaryOp::LogicalXor } else { BinaryOp::Sub };
        x = binary(op, Arg::T(&hi), Arg::T(&lo), None, None)?;
    }
    if n == 0 {
        return x.clone_tensor();
    }
    Ok(x)
}

/// `aminmax`: (min, max) over `dim` or over everything.
pub fn aminmax(t: &Tensor, dim: Option<i64>, keepdim: bool) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(t);
    barebones(t, "aminmax_cpu", false)?;
    if t.dtype.is_complex() {
        bail!(type_error, "aminmax not implemented for {}", t.dtype.scalar_name());
    }
    if t.numel() == 0 {
        match dim {
            None => bail!(runtime, "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."),
            Some(d) => {
                let w = wrap_dim(d, t.ndim())?;
                if t.ndim() == 0 || t.shape()[w] == 0 {
                    bail!(index, "aminmax: Expected reduction dim {w} to have non-zero size.");
                }
            }
        }
    }
    let dims = dim.map(|d| vec![d]);
    let lo = amax(t, dims.as_deref(), keepdim, false, "aminmax")?;
    let hi = amax(t, dims.as_deref(), keepdim, true, "aminmax")?;
    Ok((lo, hi))
}
