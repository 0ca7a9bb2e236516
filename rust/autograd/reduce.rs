//! Autograd for reductions, scans and value-selecting ops (max/min, amax/amin, var/std, prod,
//! logsumexp, cumsum/cumprod/logcumsumexp, cummax/cummin, norm, sort/topk/kthvalue/median/mode,
//! trace, diff). Formulas follow torch's derivatives (one-line derivation per node); where a
//! formula is written with autograd-aware ops it is itself differentiable (double backward).
use super::formulas::{add, div, gr, mul, scale, sub, sum_mean, un};
use super::pick::pick;
use super::{SavedTensor, record, should_record};
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::layout::{Layout, wrap_dim};
use crate::ops::binary::{self as b, Arg, BinaryOp};
use crate::ops::reduce as r;
use crate::ops::unary::UnaryOp;
use crate::tensor::Tensor;

fn differentiable(dt: DType) -> bool {
    dt.is_floating_point() || dt.is_complex()
}

/// A 0/1 mask of `op(a, b)` in `like`'s dtype (not differentiable).
fn mask(op: BinaryOp, a: &Tensor, bb: &Tensor, like: DType) -> Result<Tensor> {
    b::binary(op, Arg::T(&a.detached()), Arg::T(&bb.detached()), None, None)?.to_dtype(like, false)
}

fn isnan_mask(a: &Tensor, like: DType) -> Result<Tensor> {
    mask(BinaryOp::Ne, a, a, like)
}

/// The reduced dims of a mask, as a list.
fn dim_list(m: &[bool]) -> Vec<i64> {
    m.iter().enumerate().filter(|(_, x)| **x).map(|(d, _)| d as i64).collect()
}

/// `g`, reduced over `mask` (keepdim or not), with the reduced dims restored as size 1.
fn restore(g: &Tensor, m: &[bool], keepdim: bool) -> Result<Tensor> {
    let mut g = g.clone();
    if !keepdim {
        for (d, x) in m.iter().enumerate() {
            if *x {
                g = crate::ops::shape::unsqueeze(&g, d as i64)?;
            }
        }
    }
    Ok(g)
}

/// `restore` then broadcast to `shape` (differentiable).
fn expand_back(g: &Tensor, m: &[bool], keepdim: bool, shape: &[usize]) -> Result<Tensor> {
    restore(g, m, keepdim)?.expand_to(shape)
}

fn zeros(shape: &[usize], dt: DType) -> Result<Tensor> {
    Tensor::zeros(shape, dt, crate::device::Device::Cpu)
}

fn sum_keep(t: &Tensor, dims: &[i64]) -> Result<Tensor> {
    sum_mean(t, Some(dims), true, None, false, false)
}

fn all_dims(n: usize) -> Vec<bool> {
    vec![true; n]
}

// ----- amax/amin, max/min, median (whole tensor) -----

/// amax/amin: the gradient is split evenly among the elements equal to the result (AmaxBackward0).
pub fn amax(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, is_max: bool, op: &str) -> Result<Tensor> {
    if !should_record(&[t]) || !differentiable(t.dtype) {
        return r::amax(t, dims, keepdim, is_max, op);
    }
    let mut out = r::amax(&t.detached(), dims, keepdim, is_max, op)?;
    let m = r::dim_mask(t.ndim(), dims)?;
    let name = if is_max { "AmaxBackward0" } else { "AminBackward0" };
    let saved = vec![SavedTensor::input(t), SavedTensor::output(&out, 0)];
    record(name, &[t], &mut [&mut out], saved, move |ctx, g| {
        let (x, res) = (ctx.saved(0)?, ctx.saved(1)?);
        Ok(vec![Some(split_among(gr(g)?, &x, &res, &m, keepdim)?)])
    });
    Ok(out)
}

/// grad / count * (x == result), over the reduced dims `m` (torch's scale_grad_by_count).
fn split_among(g: &Tensor, x: &Tensor, res: &Tensor, m: &[bool], keepdim: bool) -> Result<Tensor> {
    let sel = mask(BinaryOp::Eq, x, &expand_back(res, m, keepdim, x.shape())?, g.dtype)?;
    let count = sum_keep(&sel, &dim_list(m))?;
    mul(&div(&restore(g, m, keepdim)?, &count)?.expand_to(x.shape())?, &sel)
}

/// torch's evenly_distribute_backward: the gradient of a whole-tensor max/min/median is shared by
/// every element equal to the result (the NaN elements when the result is NaN).
fn evenly(g: &Tensor, x: &Tensor, value: &Tensor) -> Result<Tensor> {
    let v = value.detached().item()?;
    let is_nan = matches!(v, Pivot::F(f) if f.is_nan());
    let sel = if is_nan { isnan_mask(x, g.dtype)? } else { mask(BinaryOp::Eq, x, value, g.dtype)? };
    let count = r::sum(&sel, None, false, None, false)?;
    mul(&sel, &div(g, &count)?.expand_to(x.shape())?)
}

fn record_evenly(name: &'static str, t: &Tensor, mut out: Tensor) -> Tensor {
    let saved = vec![SavedTensor::input(t), SavedTensor::output(&out, 0)];
    record(name, &[t], &mut [&mut out], saved, move |ctx, g| Ok(vec![Some(evenly(gr(g)?, &ctx.saved(0)?, &ctx.saved(1)?)?)]));
    out
}

/// `max()` / `min()` over everything (MaxBackward1 / MinBackward1).
pub fn max_all(t: &Tensor, is_max: bool) -> Result<Tensor> {
    let op = if is_max { "max" } else { "min" };
    if !should_record(&[t]) || !differentiable(t.dtype) {
        return r::amax(t, None, false, is_max, op);
    }
    let out = r::amax(&t.detached(), None, false, is_max, op)?;
    Ok(record_evenly(if is_max { "MaxBackward1" } else { "MinBackward1" }, t, out))
}

/// `median()` / `nanmedian()` over everything (MedianBackward0 / NanmedianBackward0).
pub fn median_all(t: &Tensor, ignore_nan: bool) -> Result<Tensor> {
    if !should_record(&[t]) || !differentiable(t.dtype) {
        return crate::ops::sort::median_all(t, ignore_nan);
    }
    let out = crate::ops::sort::median_all(&t.detached(), ignore_nan)?;
    Ok(record_evenly(if ignore_nan { "NanmedianBackward0" } else { "MedianBackward0" }, t, out))
}

// ----- value-selecting ops: values = gather(x, dim, indices) -----

/// The values of a value-selecting op (max/min/sort/topk/kthvalue/median/mode/cummax/cummin along
/// `dim`) as a gather of `x` at `idx` (shaped like the values; `keepdim` false when the op dropped
/// `dim`), recorded as `name` so the gradient scatters back to the selected elements.
pub fn select_values(name: &'static str, x: &Tensor, dim: i64, idx: &Tensor, keepdim: bool, values: Tensor) -> Result<Tensor> {
    if !should_record(&[x]) || !differentiable(x.dtype) {
        return Ok(values);
    }
    if x.ndim() == 0 {
        return pick(name, x, |x| x.clone_tensor());
    }
    let d = wrap_dim(dim, x.ndim())?;
    let idx = if keepdim { idx.detached() } else { crate::ops::shape::unsqueeze(&idx.detached(), d as i64)? };
    pick(name, x, move |x| {
        let v = crate::ops::index::gather_dim(x, d as i64, &idx)?;
        if keepdim { Ok(v) } else { crate::ops::shape::squeeze(&v, Some(&[d]), "SqueezeBackward1") }
    })
}

/// `max(dim)` / `min(dim)` with autograd (MaxBackward0 / MinBackward0 on the values).
pub fn max_dim(t: &Tensor, dim: i64, keepdim: bool, is_max: bool, op: &str) -> Result<(Tensor, Tensor)> {
    let (v, i) = r::max_dim(&t.detached(), dim, keepdim, is_max, op)?;
    let name = if is_max { "MaxBackward0" } else { "MinBackward0" };
    Ok((select_values(name, t, dim, &i, keepdim, v)?, i))
}

/// `aminmax` (AminmaxBackward0: each output's gradient split among its ties).
pub fn aminmax(t: &Tensor, dim: Option<i64>, keepdim: bool) -> Result<(Tensor, Tensor)> {
    if !should_record(&[t]) || !differentiable(t.dtype) {
        return r::aminmax(t, dim, keepdim);
    }
    let (mut lo, mut hi) = r::aminmax(&t.detached(), dim, keepdim)?;
    let dims = dim.map(|d| vec![d]);
    let m = r::dim_mask(t.ndim(), dims.as_deref())?;
    let saved = vec![SavedTensor::input(t), SavedTensor::output(&lo, 0), SavedTensor::output(&hi, 1)];
    record("AminmaxBackward0", &[t], &mut [&mut lo, &mut hi], saved, move |ctx, g| {
        let x = ctx.saved(0)?;
        let mut acc: Option<Tensor> = None;
        for (k, gk) in g.iter().enumerate() {
            if let Some(gk) = gk {
                let part = split_among(gk, &x, &ctx.saved(1 + k)?, &m, keepdim)?;
                acc = Some(match acc {
                    Some(a) => add(&a, &part)?,
                    None => part,
                });
            }
        }
        Ok(vec![acc])
    });
    Ok((lo, hi))
}

// ----- var / std -----

/// d var / dx = 2 / (N - correction) * (x - mean), times the restored gradient.
fn var_backward(g: &Tensor, x: &Tensor, m: &[bool], corr: f64, keepdim: bool) -> Result<Tensor> {
    let dims = dim_list(m);
    let n: usize = x.shape().iter().zip(m).filter(|(_, k)| **k).map(|(s, _)| *s).product();
    let mean = sum_mean(x, Some(&dims), true, None, false, true)?;
    let centered = sub(x, &mean.expand_to(x.shape())?)?;
    let gi = mul(&expand_back(g, m, keepdim, x.shape())?, &centered)?;
    scale(&gi, 2.0 / (n as f64 - corr))
}

/// The gradient of std as a gradient of var: g / (2 std), 0 where std is 0.
fn std_to_var(g: &Tensor, std: &Tensor) -> Result<Tensor> {
    let gv = div(g, &scale(std, 2.0)?)?;
    let zero = mask(BinaryOp::Eq, std, &Tensor::zeros(&[], std.dtype, std.device())?, DType::Bool)?;
    super::act::masked_fill(&gv, &zero, Arg::S(Pivot::F(0.0)))
}

/// `var`/`std` (VarBackward0/StdBackward0) and `var_mean`/`std_mean` (VarMeanBackward0/StdMeanBackward0).
pub fn var(t: &Tensor, dims: Option<&[i64]>, corr: f64, keepdim: bool, sqrt: bool, with_mean: bool) -> Result<(Tensor, Option<Tensor>)> {
    let rec = should_record(&[t]) && differentiable(t.dtype) && !t.dtype.is_complex();
    let src = if rec { t.detached() } else { t.clone() };
    let (mut v, mut mn) = r::var_mean(&src, dims, corr, keepdim, sqrt, with_mean)?;
    if !rec {
        return Ok((v, mn));
    }
    let m = r::dim_mask(t.ndim(), dims)?;
    let n: usize = t.shape().iter().zip(&m).filter(|(_, k)| **k).map(|(s, _)| *s).product();
    let name = match (sqrt, with_mean) {
        (false, false) => "VarBackward0",
        (true, false) => "StdBackward0",
        (false, true) => "VarMeanBackward0",
        (true, true) => "StdMeanBackward0",
    };
    let saved = vec![SavedTensor::input(t), SavedTensor::output(&v, 0)];
    let back = move |ctx: &super::Ctx<'_>, g: &[Option<Tensor>]| -> Result<Vec<Option<Tensor>>> {
        let x = ctx.saved(0)?;
        let mut acc: Option<Tensor> = None;
        if let Some(Some(gv)) = g.first() {
            let gv = if sqrt { std_to_var(gv, &ctx.saved(1)?)? } else { gv.clone() };
            acc = Some(var_backward(&gv, &x, &m, corr, keepdim)?);
        }
        if let Some(Some(gm)) = g.get(1) {
            let part = scale(&expand_back(gm, &m, keepdim, x.shape())?, 1.0 / n.max(1) as f64)?;
            acc = Some(match acc {
                Some(a) => add(&a, &part)?,
                None => part,
            });
        }
        Ok(vec![acc])
    };
    match &mut mn {
        Some(mm) => record(name, &[t], &mut [&mut v, mm], saved, back),
        None => record(name, &[t], &mut [&mut v], saved, back),
    }
    Ok((v, mn))
}

// ----- row kernels (f64) for prod and the scans -----

/// Applies `f(rows of ins, out row)` along `dim` (all elements as one row when None) over f64
/// copies of `ins` (all of one shape); the result has that shape, in `dtype`.
pub(crate) fn rowwise(ins: &[&Tensor], dim: Option<usize>, dtype: DType, f: impl Fn(&[&[f64]], &mut [f64])) -> Result<Tensor> {
    let shape = ins[0].shape().to_vec();
    let nd = shape.len();
    let perm: Vec<usize> = match dim {
        Some(d) if nd > 0 => (0..nd).filter(|&k| k != d).chain([d]).collect(),
        _ => (0..nd).collect(),
    };
    let total: usize = shape.iter().product();
    let n = match dim {
        Some(d) if nd > 0 => shape[d],
        _ => total,
    };
    let mut datas: Vec<Vec<f64>> = Vec::new();
    for t in ins {
        let p = t.detached().to_dtype(DType::F64, false)?;
        let p = p.with_layout(p.layout.permute(&perm)).contiguous()?;
        // SAFETY: p is a contiguous f64 tensor of `total` elements.
        let s = unsafe { std::slice::from_raw_parts(p.data_ptr() as *const f64, total) };
        datas.push(s.to_vec());
    }
    let pshape: Vec<usize> = perm.iter().map(|&d| shape[d]).collect();
    let out = Tensor::for_overwrite(&pshape, DType::F64)?;
    // SAFETY: out is a fresh contiguous f64 tensor of `total` elements.
    let o = unsafe { std::slice::from_raw_parts_mut(out.data_ptr() as *mut f64, total) };
    if n > 0 {
        for k in 0..total / n {
            let rows: Vec<&[f64]> = datas.iter().map(|d| &d[k * n..(k + 1) * n]).collect();
            f(&rows, &mut o[k * n..(k + 1) * n]);
        }
    }
    let mut inv = vec![0; nd];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    let back = out.with_layout(out.layout.permute(&inv)).contiguous()?;
    back.to_dtype(dtype, false)
}

/// prod over one dim or everything: d/dx_i = product of the others (exact with zeros, via
/// prefix and suffix products) (ProdBackward0 / ProdBackward1).
pub fn prod(t: &Tensor, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    if !should_record(&[t]) {
        return r::prod(t, dims, keepdim, dtype);
    }
    let mut out = r::prod(&t.detached(), dims, keepdim, dtype)?;
    if !out.dtype.is_floating_point() {
        return Ok(out);
    }
    let m = r::dim_mask(t.ndim(), dims)?;
    let dim = match dims {
        Some(d) if !d.is_empty() && t.ndim() > 0 => Some(wrap_dim(d[0], t.ndim())?),
        _ => None,
    };
    let name = if dims.is_some() { "ProdBackward1" } else { "ProdBackward0" };
    let dims_given = dims.is_some();
    let in_dt = t.dtype;
    let m2 = if dims.is_none() { all_dims(t.ndim()) } else { m };
    record(name, &[t], &mut [&mut out], vec![SavedTensor::input(t)], move |ctx, g| {
        let x = ctx.saved(0)?;
        let ge = expand_back(gr(g)?, &m2, keepdim && dims_given, x.shape())?;
        // The product of the other elements, zero-safe and differentiable (double backward).
        Ok(vec![Some(super::gaps::prod_grad(&super::formulas::to_dtype(&ge, in_dt, false)?, &x, dim)?)])
    });
    Ok(out)
}

/// Reverse cumulative sum along `dim` (the gradient of cumsum), itself differentiable.
fn rev_cumsum(g: &Tensor, dim: usize) -> Result<Tensor> {
    let mut out = rowwise(&[g], Some(dim), g.dtype, |rows, o| {
        let mut acc = 0.0;
        for i in (0..o.len()).rev() {
            acc += rows[0][i];
            o[i] = acc;
        }
    })?;
    if should_record(&[g]) {
        record("CumsumBackward0", &[g], &mut [&mut out], vec![], move |_, gg| Ok(vec![Some(scan(gr(gg)?, dim as i64, r::ScanOp::Sum, None)?)]));
    }
    Ok(out)
}

/// Complex cumsum / logcumsumexp with autograd, their gradients written with tensor ops:
/// cumsum's is the reversed cumsum of g; logcumsumexp's is
/// conj(exp(revlcse(log(conj(g)) - out) + x)), with revlcse = flip . logcumsumexp . flip.
fn complex_scan(t: &Tensor, dim: i64, op: r::ScanOp, dtype: Option<DType>) -> Result<Tensor> {
    let mut out = r::scan(&t.detached(), dim, op, dtype)?;
    if t.ndim() == 0 {
        let name = if op == r::ScanOp::Sum { "CumsumBackward0" } else { "LogcumsumexpBackward0" };
        let in_dt = t.dtype;
        record(name, &[t], &mut [&mut out], vec![], move |_, g| Ok(vec![Some(super::formulas::to_dtype(gr(g)?, in_dt, false)?)]));
        return Ok(out);
    }
    let d = wrap_dim(dim, t.ndim())? as i64;
    let rev = move |x: &Tensor, op: r::ScanOp| -> Result<Tensor> {
        crate::ops::shape::flip(&r::scan(&crate::ops::shape::flip(x, &[d])?, d, op, None)?, &[d])
    };
    let in_dt = t.dtype;
    if op == r::ScanOp::Sum {
        record("CumsumBackward0", &[t], &mut [&mut out], vec![], move |_, g| {
            let gi = rev(&gr(g)?.detached(), r::ScanOp::Sum)?;
            Ok(vec![Some(super::formulas::to_dtype(&gi, in_dt, false)?)])
        });
    } else {
        let saved = vec![SavedTensor::input(t), SavedTensor::output(&out, 0)];
        record("LogcumsumexpBackward0", &[t], &mut [&mut out], saved, move |ctx, g| {
            let (x, res) = (ctx.saved(0)?.detached(), ctx.saved(1)?.detached());
            let lg = un(UnaryOp::Log, &super::formulas::conj(&gr(g)?.detached())?)?;
            let o = un(UnaryOp::Exp, &add(&rev(&sub(&lg, &res)?, r::ScanOp::LogSumExp)?, &x)?)?;
            Ok(vec![Some(super::formulas::conj(&o)?)])
        });
    }
    Ok(out)
}

/// cumsum / cumprod / logcumsumexp along `dim` with autograd.
pub fn scan(t: &Tensor, dim: i64, op: r::ScanOp, dtype: Option<DType>) -> Result<Tensor> {
    if !should_record(&[t]) || (t.dtype.is_complex() && op == r::ScanOp::Prod) {
        return r::scan(t, dim, op, dtype);
    }
    if t.dtype.is_complex() || dtype.is_some_and(|d| d.is_complex()) {
        return complex_scan(t, dim, op, dtype);
    }
    let mut out = r::scan(&t.detached(), dim, op, dtype)?;
    if !out.dtype.is_floating_point() {
        return Ok(out);
    }
    let d = if t.ndim() == 0 { 0 } else { wrap_dim(dim, t.ndim())? };
    let in_dt = t.dtype;
    let scalar = t.ndim() == 0;
    match op {
        r::ScanOp::Sum => record("CumsumBackward0", &[t], &mut [&mut out], vec![], move |_, g| {
            let g = gr(g)?;
            let gi = if scalar { g.clone() } else { rev_cumsum(g, d)? };
            Ok(vec![Some(super::formulas::to_dtype(&gi, in_dt, false)?)])
        }),
        r::ScanOp::Prod => {
            let saved = vec![SavedTensor::input(t), SavedTensor::output(&out, 0)];
            record("CumprodBackward0", &[t], &mut [&mut out], saved, move |ctx, g| {
                let x = ctx.saved(0)?;
                if scalar {
                    return Ok(vec![Some(super::formulas::to_dtype(gr(g)?, in_dt, false)?)]);
                }
                // grad_i = (x_0 ... x_{i-1}) * S_i with S_i = g_i + x_{i+1} S_{i+1}: exact with zeros,
                // and differentiable (double backward).
                let gi = super::gaps::cumprod_grad(gr(g)?, &x, Some(d))?;
                Ok(vec![Some(super::formulas::to_dtype(&gi, in_dt, false)?)])
            })
        }
        r::ScanOp::LogSumExp => {
            let saved = vec![SavedTensor::input(t), SavedTensor::output(&out, 0)];
            record("LogcumsumexpBackward0", &[t], &mut [&mut out], saved, move |ctx, g| {
                let (x, res) = (ctx.saved(0)?, ctx.saved(1)?);
                if scalar {
                    return Ok(vec![Some(gr(g)?.clone())]);
                }
                // grad_i = sum_{j>=i} g_j exp(x_i - out_j), summed in log space by the sign of g.
                let gi = rowwise(&[&x, &res, gr(g)?], Some(d), in_dt, |rows, o| {
                    let (xs, rs, gs) = (rows[0], rows[1], rows[2]);
                    let (mut lp, mut ln) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
                    let lae = |a: f64, b: f64| {
                        if a == f64::NEG_INFINITY {
                            b
                        } else if b == f64::NEG_INFINITY {
                            a
                        } else {
                            let m = a.max(b);
                            m + ((a - m).exp() + (b - m).exp()).ln()
                        }
                    };
                    for i in (0..xs.len()).rev() {
                        if gs[i] > 0.0 {
                            lp = lae(lp, gs[i].ln() - rs[i]);
                        } else if gs[i] < 0.0 {
                            ln = lae(ln, (-gs[i]).ln() - rs[i]);
                        } else if gs[i].is_nan() {
                            lp = f64::NAN;
                        }
                        o[i] = (xs[i] + lp).exp() - (xs[i] + ln).exp();
                    }
                })?;
                Ok(vec![Some(gi)])
            })
        }
    }
    Ok(out)
}

/// cummax / cummin (CummaxBackward0 / CumminBackward0 on the values).
pub fn cum_extreme(t: &Tensor, dim: i64, is_max: bool) -> Result<(Tensor, Tensor)> {
    let (v, i) = r::cum_extreme(&t.detached(), dim, is_max)?;
    let name = if is_max { "CummaxBackward0" } else { "CumminBackward0" };
    Ok((select_values(name, t, dim, &i, true, v)?, i))
}

/// logsumexp: d/dx = exp(x - result) (LogsumexpBackward0).
pub fn logsumexp(t: &Tensor, dims: Option<&[i64]>, keepdim: bool) -> Result<Tensor> {
    if !should_record(&[t]) || !differentiable(t.dtype) {
        return r::logsumexp(t, dims, keepdim);
    }
    let mut out = r::logsumexp(&t.detached(), dims, keepdim)?;
    let m = r::dim_mask(t.ndim(), dims)?;
    let saved = vec![SavedTensor::input(t), SavedTensor::output(&out, 0)];
    record("LogsumexpBackward0", &[t], &mut [&mut out], saved, move |ctx, g| {
        let (x, res) = (ctx.saved(0)?, ctx.saved(1)?);
        let e = un(UnaryOp::Exp, &sub(&x, &expand_back(&res, &m, keepdim, x.shape())?)?)?;
        // Complex inputs take the conjugate (torch's conjugate-Wirtinger convention).
        let e = if e.dtype.is_complex() { super::formulas::conj(&e)? } else { e };
        Ok(vec![Some(mul(&expand_back(gr(g)?, &m, keepdim, x.shape())?, &e)?)])
    });
    Ok(out)
}

// ----- norm -----

/// The vector p-norm's gradient (LinalgVectorNormBackward0), torch's norm_backward cases.
pub(crate) fn norm_backward(g: &Tensor, x: &Tensor, norm: &Tensor, p: f64, m: &[bool], keepdim: bool) -> Result<Tensor> {
    let ge = expand_back(g, m, keepdim, x.shape())?;
    let ne = expand_back(norm, m, keepdim, x.shape())?;
    let zero_norm = mask(BinaryOp::Eq, &ne, &Tensor::zeros(&[], ne.dtype, ne.device())?, DType::Bool)?;
    let fill0 = |t: &Tensor, mk: &Tensor| super::act::masked_fill(t, mk, Arg::S(Pivot::F(0.0)));
    if p == 0.0 {
        return Tensor::zeros(x.shape(), x.dtype, x.device());
    }
    if p == 1.0 {
        return mul(&un(UnaryOp::Sgn, x)?, &ge);
    }
    if p == 2.0 {
        return fill0(&mul(x, &div(&ge, &ne)?)?, &zero_norm);
    }
    if p.is_infinite() {
        let ax = un(UnaryOp::Abs, x)?;
        let sel = mask(BinaryOp::Eq, &ax, &ne, x.dtype)?;
        let count = sum_keep(&sel, &dim_list(m))?.expand_to(x.shape())?;
        return mul(&mul(&un(UnaryOp::Sgn, x)?, &sel)?, &div(&ge, &count)?);
    }
    let ax = un(UnaryOp::Abs, x)?;
    let powp = |t: &Tensor, e: f64| super::formulas::binary(BinaryOp::Pow, Arg::T(t), Arg::S(Pivot::F(e)), None, None);
    if p < 1.0 {
        let xz = mask(BinaryOp::Eq, x, &Tensor::zeros(&[], x.dtype, x.device())?, DType::Bool)?;
        let scaled = fill0(&mul(&un(UnaryOp::Sgn, x)?, &powp(&ax, p - 1.0)?)?, &xz)?;
        return mul(&mul(&scaled, &ge)?, &powp(&ne, 1.0 - p)?);
    }
    let scaled = if p < 2.0 { mul(&un(UnaryOp::Sgn, x)?, &powp(&ax, p - 1.0)?)? } else { mul(x, &powp(&ax, p - 2.0)?)? };
    let sv = fill0(&div(&ge, &powp(&ne, p - 1.0)?)?, &zero_norm)?;
    mul(&scaled, &sv)
}

/// `norm(p, dim, keepdim, dtype)` with autograd (LinalgVectorNormBackward0).
pub fn norm(t: &Tensor, p: f64, dims: Option<&[i64]>, keepdim: bool, dtype: Option<DType>) -> Result<Tensor> {
    if !should_record(&[t]) || !t.dtype.is_floating_point() {
        return r::norm(t, p, dims, keepdim, dtype);
    }
    let mut out = r::norm(&t.detached(), p, dims, keepdim, dtype)?;
    let m = r::dim_mask(t.ndim(), dims)?;
    let in_dt = t.dtype;
    let saved = vec![SavedTensor::input(t), SavedTensor::output(&out, 0)];
    record("LinalgVectorNormBackward0", &[t], &mut [&mut out], saved, move |ctx, g| {
        let (x, nrm) = (ctx.saved(0)?, ctx.saved(1)?);
        let g = super::formulas::to_dtype(gr(g)?, in_dt, false)?;
        let nrm = nrm.to_dtype(in_dt, false)?;
        Ok(vec![Some(norm_backward(&g, &x, &nrm, p, &m, keepdim)?)])
    });
    Ok(out)
}

// ----- trace, diff -----

/// `trace` of a matrix: the gradient is g on the diagonal (TraceBackward0).
pub fn trace(t: &Tensor, forward: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    if !should_record(&[t]) || !differentiable(t.dtype) || t.ndim() != 2 {
        return forward(t);
    }
    let mut out = forward(&t.detached())?;
    let shape = t.shape().to_vec();
    let dt = t.dtype;
    record("TraceBackward0", &[t], &mut [&mut out], vec![], move |_, g| {
        let eye = zeros(&shape, dt)?;
        let k = shape[0].min(shape[1]);
        let diag = eye.with_layout(Layout { shape: vec![k], strides: vec![shape[1] as isize + 1], offset: 0 });
        diag.fill_(Pivot::I(1))?;
        Ok(vec![Some(mul(&gr(g)?.expand_to(&shape)?, &eye)?)])
    });
    Ok(out)
}

/// `diff(n, dim, prepend, append)` composed of differentiable slices and subtractions, as torch
/// does (the result's grad_fn is SubBackward0).
pub fn diff(t: &Tensor, n: i64, dim: i64, prepend: Option<&Tensor>, append: Option<&Tensor>) -> Result<Tensor> {
    let any = should_record(&[t]) || prepend.is_some_and(|p| should_record(&[p])) || append.is_some_and(|a| should_record(&[a]));
    if !any || !differentiable(t.dtype) || n <= 0 || t.ndim() == 0 {
        return r::diff(t, n, dim, prepend, append);
    }
    // Validate (and get the result's shape) with the plain op first.
    r::diff(&t.detached(), n, dim, prepend.map(|p| p.detached()).as_ref(), append.map(|a| a.detached()).as_ref())?;
    let d = wrap_dim(dim, t.ndim())?;
    let mut parts = Vec::new();
    if let Some(p) = prepend {
        parts.push(if p.ndim() == 0 { expand_scalar(p, t.shape(), d)? } else { p.clone() });
    }
    parts.push(t.clone());
    if let Some(a) = append {
        parts.push(if a.ndim() == 0 { expand_scalar(a, t.shape(), d)? } else { a.clone() });
    }
    let mut x = if parts.len() == 1 { t.clone() } else { cat_ag(&parts, d)? };
    for _ in 0..n {
        let len = x.shape()[d];
        if len == 0 {
            break;
        }
        let hi = x.view_op("SliceBackward0", move |l| Ok(l.narrow(d, 1, len - 1)))?;
        let lo = x.view_op("SliceBackward0", move |l| Ok(l.narrow(d, 0, len - 1)))?;
        x = sub(&hi, &lo)?;
    }
    Ok(x)
}

fn expand_scalar(p: &Tensor, shape: &[usize], d: usize) -> Result<Tensor> {
    let mut s = shape.to_vec();
    s[d] = 1;
    let mut v = p.clone();
    for _ in 0..s.len() {
        v = crate::ops::shape::unsqueeze(&v, 0)?;
    }
    v.expand_to(&s)
}

fn cat_ag(parts: &[Tensor], d: usize) -> Result<Tensor> {
    super::pick::cat("CatBackward0", parts, d, move |xs| crate::ops::shape::cat(xs, d as i64))
}

/// Runs a value-selecting op `f` (values, indices along `dim`) and records `name` on the values.
pub fn selecting(name: &'static str, x: &Tensor, dim: i64, keepdim: bool, f: impl FnOnce(&Tensor) -> Result<(Tensor, Tensor)>) -> Result<(Tensor, Tensor)> {
    if !should_record(&[x]) {
        return f(x);
    }
    let (v, i) = f(&x.detached())?;
    Ok((select_values(name, x, dim, &i, keepdim, v)?, i))
}
