//! Spatial ops without autograd: convolution (and its transpose), max/avg/adaptive pooling,
//! padding, nearest/linear interpolation and im2col/col2im. Inputs are made contiguous in the
//! compute dtype (float32 for half types, float64 for float64 and integers), results are cast back.
use crate::backend::cpu::conv::{self as k, Fl, Geom, Taps, Win, Windows};
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// The dtype a kernel computes in for inputs of `dt`.
pub fn compute_dtype(dt: DType, op: &str) -> Result<DType> {
    use DType::*;
    Ok(match dt {
        F16 | BF16 | F32 => F32,
        F64 | U8 | I8 | I16 | I32 | I64 => F64,
        d => bail!(not_implemented, "\"{op}\" not implemented for '{}'", d.scalar_name()),
    })
}

fn prep(t: &Tensor, cdt: DType) -> Result<Tensor> {
    if t.device() != Device::Cpu {
        bail!(not_implemented, "spatial ops are not implemented for CUDA tensors yet; move the tensor to the CPU with .cpu() first");
    }
    t.detached().to_dtype(cdt, false)?.contiguous()
}

/// The elements of a contiguous tensor of element type T.
fn sl<T>(t: &Tensor) -> &[T] {
    // SAFETY: callers pass contiguous tensors whose dtype has element type T.
    unsafe { std::slice::from_raw_parts(t.data_ptr() as *const T, t.numel()) }
}

#[allow(clippy::mut_from_ref)]
fn sl_mut<T>(t: &Tensor) -> &mut [T] {
    // SAFETY: callers pass freshly allocated contiguous tensors of element type T that no one else reads.
    unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut T, t.numel()) }
}

macro_rules! float_dispatch {
    ($dt:expr, $T:ident => $body:expr) => {{
        match $dt {
            DType::F32 => {
                type $T = f32;
                $body
            }
            DType::F64 => {
                type $T = f64;
                $body
            }
            d => crate::bail!(not_implemented, "\"{}\" not implemented for '{}'", "conv", d.scalar_name()),
        }
    }};
}

fn lift(v: &[usize], fill: usize) -> [usize; 3] {
    let mut r = [fill; 3];
    let off = 3 - v.len().min(3);
    for (i, x) in v.iter().take(3).enumerate() {
        r[off + i] = *x;
    }
    r
}

// ----- convolution -----

/// Convolution parameters, one entry per spatial dim. `pad_hi` differs from `pad` only for
/// padding='same' with an even effective kernel.
#[derive(Clone, Debug)]
pub struct ConvSpec {
    pub stride: Vec<usize>,
    pub pad: Vec<usize>,
    pub pad_hi: Vec<usize>,
    pub dil: Vec<usize>,
    pub groups: usize,
    pub transposed: bool,
    pub out_pad: Vec<usize>,
}

/// The kernel geometry of `x` (batched) with weight `w`. For a transposed convolution the
/// geometry is that of the forward convolution it is the gradient of.
fn geom(x: &[usize], w: &[usize], s: &ConvSpec) -> Geom {
    let d = x.len() - 2;
    let ks: Vec<usize> = w[2..].to_vec();
    let xs: Vec<usize> = x[2..].to_vec();
    if !s.transposed {
        let outs: Vec<usize> = (0..d)
            .map(|i| (xs[i] + s.pad[i] + s.pad_hi[i] - s.dil[i] * (ks[i] - 1) - 1) / s.stride[i] + 1)
            .collect();
        Geom {
            n: x[0],
            cin: x[1],
            cout: w[0],
            groups: s.groups,
            ins: lift(&xs, 1),
            k: lift(&ks, 1),
            outs: lift(&outs, 1),
            stride: lift(&s.stride, 1),
            pad: lift(&s.pad, 0),
            dil: lift(&s.dil, 1),
        }
    } else {
        let ys: Vec<usize> = (0..d)
            .map(|i| ((xs[i].max(1) - 1) * s.stride[i] + s.dil[i] * (ks[i].max(1) - 1) + s.out_pad[i] + 1).saturating_sub(2 * s.pad[i]))
            .collect();
        Geom {
            n: x[0],
            cin: w[1] * s.groups,
            cout: w[0],
            groups: s.groups,
            ins: lift(&ys, 1),
            k: lift(&ks, 1),
            outs: lift(&xs, 1),
            stride: lift(&s.stride, 1),
            pad: lift(&s.pad, 0),
            dil: lift(&s.dil, 1),
        }
    }
}

fn sp(g: &[usize; 3], d: usize) -> Vec<usize> {
    g[3 - d..].to_vec()
}

fn fmt_types(dt: DType) -> String {
    format!("torch.{}Tensor", dt.scalar_name())
}

/// torch's shape checks for a (batched) convolution; `name` is e.g. "conv2d".
pub fn check_conv(x: &Tensor, w: &Tensor, b: Option<&Tensor>, s: &ConvSpec) -> Result<()> {
    if x.dtype != w.dtype {
        bail!(
            runtime,
            "Input type ({}) and weight type ({}) should be the same or input should be a MKLDNN tensor and weight is a dense tensor",
            fmt_types(x.dtype),
            fmt_types(w.dtype)
        );
    }
    if let Some(b) = b
        && b.dtype != x.dtype
    {
        bail!(runtime, "Input type ({}) and bias type ({}) should be the same", cxx(x.dtype), cxx(b.dtype));
    }
    let (xs, ws) = (x.shape(), w.shape());
    if ws.len() != xs.len() {
        bail!(
            runtime,
            "Expected {}-dimensional input for {}-dimensional weight {:?}, but got {}-dimensional input of size {:?} instead",
            ws.len(),
            ws.len(),
            ws,
            xs.len(),
            xs
        );
    }
    let g = s.groups;
    if ws[0] < g {
        bail!(runtime, "Given groups={g}, expected weight to be at least {g} at dimension 0, but got weight of size {ws:?} instead");
    }
    if ws[0] % g != 0 {
        bail!(runtime, "Given groups={g}, expected weight to be divisible by {g} at dimension 0, but got weight of size [{ws:?}] instead");
    }
    if !s.transposed {
        if xs[1] != ws[1] * g {
            bail!(
                runtime,
                "Given groups={g}, weight of size {ws:?}, expected input{xs:?} to have {} channels, but got {} channels instead",
                ws[1] * g,
                xs[1]
            );
        }
        if let Some(b) = b
            && (b.ndim() != 1 || b.shape()[0] != ws[0])
        {
            bail!(
                runtime,
                "Given weight of size {ws:?}, expected bias to be 1-dimensional with {} elements, but got bias of size {:?} instead",
                ws[0],
                b.shape()
            );
        }
        let d = xs.len() - 2;
        let inp: Vec<usize> = (0..d).map(|i| xs[2 + i] + s.pad[i] + s.pad_hi[i]).collect();
        let ker: Vec<usize> = (0..d).map(|i| s.dil[i] * (ws[2 + i].max(1) - 1) + 1).collect();
        if ws[2..].contains(&0) || inp.iter().zip(&ker).any(|(a, b)| a < b) {
            let j = |v: &[usize]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" x ");
            bail!(
                runtime,
                "Calculated padded input size per channel: ({}). Kernel size: ({}). Kernel size can't be greater than actual input size",
                j(&inp),
                j(&ker)
            );
        }
    } else {
        if xs[1] != ws[0] {
            bail!(
                runtime,
                "Given transposed=1, weight of size {ws:?}, expected input{xs:?} to have {} channels, but got {} channels instead",
                ws[0],
                xs[1]
            );
        }
        if let Some(b) = b
            && (b.ndim() != 1 || b.shape()[0] != ws[1] * g)
        {
            bail!(
                runtime,
                "Given transposed=1, weight of size {ws:?}, expected bias to be 1-dimensional with {} elements, but got bias of size {:?} instead",
                ws[1] * g,
                b.shape()
            );
        }
        let d = xs.len() - 2;
        for i in 0..d {
            let full = (xs[i + 2].max(1) - 1) * s.stride[i] + s.dil[i] * (ws[2 + i].max(1) - 1) + s.out_pad[i] + 1;
            if full < 2 * s.pad[i] + 1 || ws[2 + i] == 0 {
                let v: Vec<i64> = (0..d)
                    .map(|i| {
                        (xs[i + 2] as i64 - 1) * s.stride[i] as i64 + s.dil[i] as i64 * (ws[2 + i] as i64 - 1) + s.out_pad[i] as i64 + 1
                            - 2 * s.pad[i] as i64
                    })
                    .collect();
                bail!(runtime, "Given input size per channel: {:?}. Calculated output size per channel: {:?}. Output size is too small", &xs[2..], v);
            }
        }
    }
    Ok(())
}

/// The C++ scalar type name torch prints in some messages ("float", "double").
pub fn cxx(dt: DType) -> &'static str {
    use DType::*;
    match dt {
        Bool => "bool",
        U8 => "unsigned char",
        I8 => "signed char",
        I16 => "short",
        I32 => "int",
        I64 => "long",
        F16 => "c10::Half",
        BF16 => "c10::BFloat16",
        F32 => "float",
        F64 => "double",
        C32 => "c10::complex<c10::Half>",
        C64 => "c10::complex<float>",
        C128 => "c10::complex<double>",
        U16 => "unsigned short",
        U32 => "unsigned int",
        U64 => "unsigned long",
        F8E4M3 => "c10::Float8_e4m3fn",
        F8E5M2 => "c10::Float8_e5m2",
    }
}

/// Convolution (or transposed convolution) of a batched, validated input.
pub fn conv_forward(x: &Tensor, w: &Tensor, b: Option<&Tensor>, s: &ConvSpec) -> Result<Tensor> {
    crate::resolve_bits!(x);
    crate::resolve_bits!(w);
    crate::resolve_opt_bits!(b);
    let dt = x.dtype;
    let cdt = compute_dtype(dt, if s.transposed { "slow_conv_transpose2d" } else { "slow_conv2d" })?;
    let g = geom(x.shape(), w.shape(), s);
    let d = x.ndim() - 2;
    let (xc, wc) = (prep(x, cdt)?, prep(w, cdt)?);
    let bc = match b {
        Some(b) => Some(prep(b, cdt)?),
        None => None,
    };
    let out = if !s.transposed {
        let mut shape = vec![g.n, g.cout];
        shape.extend(sp(&g.outs, d));
        let out = Tensor::for_overwrite(&shape, cdt)?;
        if out.numel() > 0 {
            float_dispatch!(cdt, T => k::conv_forward::<T>(sl(&xc), sl(&wc), bc.as_ref().map(|b| sl::<T>(b)), &g, sl_mut(&out)));
        }
        out
    } else {
        let mut shape = vec![g.n, g.cin];
        shape.extend(sp(&g.ins, d));
        let out = Tensor::zeros(&shape, cdt, Device::Cpu)?;
        if out.numel() > 0 {
            float_dispatch!(cdt, T => {
                k::conv_backward::<T>(&[], sl(&wc), sl(&xc), &g, Some(sl_mut(&out)), None);
                if let Some(bc) = &bc {
                    add_bias::<T>(sl_mut(&out), sl(bc), g.n, g.cin, g.in_plane());
                }
            });
        }
        out
    };
    out.to_dtype(dt, false)
}

fn add_bias<T: Fl>(o: &mut [T], b: &[T], n: usize, c: usize, plane: usize) {
    for ni in 0..n {
        for (ci, bv) in b.iter().enumerate().take(c) {
            for v in &mut o[(ni * c + ci) * plane..][..plane] {
                *v = *v + *bv;
            }
        }
    }
}

/// Gradients of [`conv_forward`] for the inputs flagged in `needs` (input, weight, bias).
pub fn conv_backward(x: &Tensor, w: &Tensor, gout: &Tensor, s: &ConvSpec, needs: [bool; 3]) -> Result<[Option<Tensor>; 3]> {
    let dt = x.dtype;
    let cdt = compute_dtype(dt, "convolution_backward")?;
    let g = geom(x.shape(), w.shape(), s);
    let (xc, wc, gc) = (prep(x, cdt)?, prep(w, cdt)?, prep(gout, cdt)?);
    let gx = if needs[0] { Some(Tensor::zeros(x.shape(), cdt, Device::Cpu)?) } else { None };
    let gw = if needs[1] { Some(Tensor::zeros(w.shape(), cdt, Device::Cpu)?) } else { None };
    let gb_len = gout.shape()[1];
    let gb = if needs[2] { Some(Tensor::zeros(&[gb_len], cdt, Device::Cpu)?) } else { None };
    let gplane: usize = gout.shape()[2..].iter().product();
    if x.numel() > 0 && w.numel() > 0 && gout.numel() > 0 {
        float_dispatch!(cdt, T => {
            if !s.transposed {
                if gx.is_some() || gw.is_some() {
                    k::conv_backward::<T>(sl(&xc), sl(&wc), sl(&gc), &g, gx.as_ref().map(|t| sl_mut::<T>(t)), gw.as_ref().map(|t| sl_mut::<T>(t)));
                }
            } else {
                // x plays the forward convolution's output, gout its input
                if let Some(gx) = &gx {
                    k::conv_forward::<T>(sl(&gc), sl(&wc), None, &g, sl_mut(gx));
                }
                if let Some(gw) = &gw {
                    k::conv_backward::<T>(sl(&gc), sl(&wc), sl(&xc), &g, None, Some(sl_mut(gw)));
                }
            }
            if let Some(gb) = &gb {
                k::bias_grad::<T>(sl(&gc), gout.shape()[0], gb_len, gplane, sl_mut(gb));
            }
        });
    } else if let Some(gb) = &gb
        && gout.numel() > 0
    {
        float_dispatch!(cdt, T => k::bias_grad::<T>(sl(&gc), gout.shape()[0], gb_len, gplane, sl_mut(gb)));
    }
    let cast = |t: Option<Tensor>| -> Result<Option<Tensor>> { t.map(|t| t.to_dtype(dt, false)).transpose() };
    Ok([cast(gx)?, cast(gw)?, cast(gb)?])
}

// ----- pooling -----

/// Pooling output size along one dim (torch's `pooling_output_shape`).
pub fn pool_out(i: usize, k: usize, pad: usize, stride: usize, dil: usize, ceil: bool) -> i64 {
    let (i, k, p, s, d) = (i as i64, k as i64, pad as i64, stride as i64, dil as i64);
    let num = i + 2 * p - d * (k - 1) - 1 + if ceil { s - 1 } else { 0 };
    let mut o = num.div_euclid(s) + 1;
    if ceil && (o - 1) * s >= i + p {
        o -= 1;
    }
    o
}

#[derive(Clone, Debug)]
pub struct PoolSpec {
    pub k: Vec<usize>,
    pub stride: Vec<usize>,
    pub pad: Vec<usize>,
    pub dil: Vec<usize>,
    pub ceil: bool,
}

/// The windows of max pooling (dilated, clipped to the input) or avg pooling (with divisor factors).
fn pool_windows(ins: &[usize], s: &PoolSpec, avg: bool, count_include_pad: bool) -> Windows {
    let d = ins.len();
    let mut dims: [Vec<Win>; 3] = [vec![Win { start: 0, end: 1, factor: 1 }], vec![Win { start: 0, end: 1, factor: 1 }], vec![Win { start: 0, end: 1, factor: 1 }]];
    let mut step = [1usize; 3];
    for i in 0..d {
        let j = 3 - d + i;
        let o = pool_out(ins[i], s.k[i], s.pad[i], s.stride[i], s.dil[i], s.ceil).max(0) as usize;
        let (n, p, st, dl, kk) = (ins[i] as i64, s.pad[i] as i64, s.stride[i] as i64, s.dil[i] as i64, s.k[i] as i64);
        dims[j] = (0..o as i64)
            .map(|oi| {
                let start = oi * st - p;
                if avg {
                    let end = (start + kk).min(n + p);
                    let pool = (end - start) as usize;
                    let (a, b) = (start.max(0), end.min(n));
                    let cnt = (b - a).max(0) as usize;
                    Win { start: a as usize, end: b.max(a) as usize, factor: if count_include_pad { pool } else { cnt } }
                } else {
                    let end = (start + (kk - 1) * dl + 1).min(n);
                    let mut a = start;
                    while a < 0 {
                        a += dl;
                    }
                    Win { start: a as usize, end: end.max(a) as usize, factor: 1 }
                }
            })
            .collect();
        step[j] = if avg { 1 } else { s.dil[i] };
    }
    Windows { dims, step, ins: lift(ins, 1) }
}

/// Adaptive pooling windows: `[floor(o*I/O), ceil((o+1)*I/O))`.
fn adaptive_windows(ins: &[usize], outs: &[usize]) -> Windows {
    let d = ins.len();
    let mut dims: [Vec<Win>; 3] = [vec![Win { start: 0, end: 1, factor: 1 }], vec![Win { start: 0, end: 1, factor: 1 }], vec![Win { start: 0, end: 1, factor: 1 }]];
    for i in 0..d {
        let (n, o) = (ins[i], outs[i]);
        dims[3 - d + i] = (0..o)
            .map(|oi| {
                let a = oi * n / o;
                let b = ((oi + 1) * n).div_ceil(o);
                Win { start: a, end: b, factor: b - a }
            })
            .collect();
    }
    Windows { dims, step: [1; 3], ins: lift(ins, 1) }
}

fn out_shape(x: &Tensor, d: usize, w: &Windows) -> Vec<usize> {
    let lead = &x.shape()[..x.ndim() - d];
    let mut s = lead.to_vec();
    for j in 3 - d..3 {
        s.push(w.dims[j].len());
    }
    s
}

fn planes(x: &Tensor, d: usize) -> usize {
    x.shape()[..x.ndim() - d].iter().product()
}

fn max_with(x: &Tensor, d: usize, w: &Windows, name: &str) -> Result<(Tensor, Tensor)> {
    let dt = x.dtype;
    let cdt = compute_dtype(dt, name)?;
    let xc = prep(x, cdt)?;
    let shape = out_shape(x, d, w);
    let out = Tensor::for_overwrite(&shape, cdt)?;
    let idx = Tensor::for_overwrite(&shape, DType::I64)?;
    if out.numel() > 0 {
        float_dispatch!(cdt, T => k::max_pool::<T>(sl(&xc), planes(x, d), w, sl_mut(&out), sl_mut(&idx)));
    }
    Ok((out.to_dtype(dt, false)?, idx))
}

/// Max pooling over the last `d` dims: (values, flat indices within each plane).
pub fn max_pool(x: &Tensor, s: &PoolSpec) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(x);
    let d = s.k.len();
    let w = pool_windows(&x.shape()[x.ndim() - d..], s, false, false);
    max_with(x, d, &w, "max_pool2d")
}

pub fn adaptive_max_pool(x: &Tensor, outs: &[usize]) -> Result<(Tensor, Tensor)> {
    crate::resolve_bits!(x);
    let d = outs.len();
    let w = adaptive_windows(&x.shape()[x.ndim() - d..], outs);
    max_with(x, d, &w, "adaptive_max_pool2d")
}

/// Gradient of max pooling: `g` scattered into a zero tensor shaped like `x` at `idx`.
pub fn max_pool_backward(x_shape: &[usize], d: usize, g: &Tensor, idx: &Tensor) -> Result<Tensor> {
    let dt = g.dtype;
    let cdt = compute_dtype(dt, "max_pool2d_with_indices_backward")?;
    let gc = prep(g, cdt)?;
    let ic = idx.contiguous()?;
    let gx = Tensor::zeros(x_shape, cdt, Device::Cpu)?;
    let pl: usize = x_shape[..x_shape.len() - d].iter().product();
    let ip: usize = x_shape[x_shape.len() - d..].iter().product();
    let op: usize = g.shape()[g.ndim() - d..].iter().product();
    if gx.numel() > 0 && g.numel() > 0 {
        float_dispatch!(cdt, T => k::index_scatter::<T>(sl(&gc), sl(&ic), pl, op, ip, sl_mut(&gx)));
    }
    gx.to_dtype(dt, false)
}

pub enum AvgKind {
    Window { spec: PoolSpec, count_include_pad: bool, divisor: Option<i64> },
    Adaptive(Vec<usize>),
}

fn avg_windows(ins: &[usize], kind: &AvgKind) -> (Windows, Option<f64>) {
    match kind {
        AvgKind::Window { spec, count_include_pad, divisor } => (pool_windows(ins, spec, true, *count_include_pad), divisor.map(|v| v as f64)),
        AvgKind::Adaptive(o) => (adaptive_windows(ins, o), None),
    }
}

fn avg_d(kind: &AvgKind) -> usize {
    match kind {
        AvgKind::Window { spec, .. } => spec.k.len(),
        AvgKind::Adaptive(o) => o.len(),
    }
}

pub fn avg_pool(x: &Tensor, kind: &AvgKind) -> Result<Tensor> {
    crate::resolve_bits!(x);
    let d = avg_d(kind);
    let dt = x.dtype;
    let cdt = compute_dtype(dt, "avg_pool2d")?;
    let (w, div) = avg_windows(&x.shape()[x.ndim() - d..], kind);
    let xc = prep(x, cdt)?;
    let out = Tensor::for_overwrite(&out_shape(x, d, &w), cdt)?;
    if out.numel() > 0 {
        float_dispatch!(cdt, T => k::avg_pool::<T>(sl(&xc), planes(x, d), &w, div, sl_mut(&out)));
    }
    out.to_dtype(dt, false)
}

pub fn avg_pool_backward(x_shape: &[usize], g: &Tensor, kind: &AvgKind) -> Result<Tensor> {
    let d = avg_d(kind);
    let dt = g.dtype;
    let cdt = compute_dtype(dt, "avg_pool2d_backward")?;
    let (w, div) = avg_windows(&x_shape[x_shape.len() - d..], kind);
    let gc = prep(g, cdt)?;
    let gx = Tensor::zeros(x_shape, cdt, Device::Cpu)?;
    let pl: usize = x_shape[..x_shape.len() - d].iter().product();
    if gx.numel() > 0 && g.numel() > 0 {
        float_dispatch!(cdt, T => k::avg_pool_backward::<T>(sl(&gc), pl, &w, div, sl_mut(&gx)));
    }
    gx.to_dtype(dt, false)
}

// ----- separable resampling: pad and interpolate -----

/// Per-dim taps over the last `taps.len()` (<= 3) dims.
pub fn resample(x: &Tensor, taps: &[Vec<Taps>], fill: f64) -> Result<Tensor> {
    crate::resolve_bits!(x);
    let d = taps.len();
    let dt = x.dtype;
    let cdt = compute_dtype(dt, "resample")?;
    let xc = prep(x, cdt)?;
    let t3 = lift_taps(taps);
    let ins = lift(&x.shape()[x.ndim() - d..], 1);
    let mut shape = x.shape()[..x.ndim() - d].to_vec();
    shape.extend(taps.iter().map(|t| t.len()));
    let out = Tensor::for_overwrite(&shape, cdt)?;
    if out.numel() > 0 {
        float_dispatch!(cdt, T => k::resample::<T>(sl(&xc), planes(x, d), ins, &t3, T::from_f64(fill), sl_mut(&out)));
    }
    out.to_dtype(dt, false)
}

pub fn resample_backward(x_shape: &[usize], g: &Tensor, taps: &[Vec<Taps>]) -> Result<Tensor> {
    let d = taps.len();
    let dt = g.dtype;
    let cdt = compute_dtype(dt, "resample_backward")?;
    let gc = prep(g, cdt)?;
    let t3 = lift_taps(taps);
    let ins = lift(&x_shape[x_shape.len() - d..], 1);
    let gx = Tensor::zeros(x_shape, cdt, Device::Cpu)?;
    let pl: usize = x_shape[..x_shape.len() - d].iter().product();
    if gx.numel() > 0 && g.numel() > 0 {
        float_dispatch!(cdt, T => k::resample_backward::<T>(sl(&gc), pl, ins, &t3, sl_mut(&gx)));
    }
    gx.to_dtype(dt, false)
}

fn lift_taps(taps: &[Vec<Taps>]) -> [Vec<Taps>; 3] {
    let one = vec![Taps { n: 1, i: [0, 0], w: [1.0, 0.0] }];
    let d = taps.len();
    let mut r = [one.clone(), one.clone(), one];
    for (i, t) in taps.iter().enumerate() {
        r[3 - d + i] = t.clone();
    }
    r
}

/// Taps of padding one dim of size `n` by (`lo`, `hi`) (negative = crop) in `mode`.
pub fn pad_taps(n: usize, lo: i64, hi: i64, mode: &str) -> Vec<Taps> {
    let n = n as i64;
    let out = n + lo + hi;
    // circular padding wraps around the cropped input (negative pads crop first)
    let (base, m, plo) = if mode == "circular" { ((-lo).max(0), n - (-lo).max(0) - (-hi).max(0), lo.max(0)) } else { (0, n, lo) };
    (0..out.max(0))
        .map(|o| {
            if mode == "circular" {
                let j = base + (o - plo).rem_euclid(m.max(1));
                return Taps { n: 1, i: [j.max(0) as usize, 0], w: [1.0, 0.0] };
            }
            let i = o - lo;
            let src = if (0..n).contains(&i) {
                Some(i)
            } else {
                match mode {
                    "reflect" => {
                        let mut j = i;
                        if j < 0 {
                            j = -j;
                        }
                        if j >= n {
                            j = 2 * (n - 1) - j;
                        }
                        Some(j)
                    }
                    "replicate" => Some(i.clamp(0, n - 1)),
                    "circular" => Some(i.rem_euclid(n)),
                    _ => None,
                }
            };
            match src {
                Some(j) => Taps { n: 1, i: [j as usize, 0], w: [1.0, 0.0] },
                None => Taps::default(),
            }
        })
        .collect()
}

/// Nearest ("nearest" or "nearest-exact") taps; `scale` is input/output (or 1/scale_factor).
pub fn nearest_taps(n: usize, out: usize, scale: f64, exact: bool) -> Vec<Taps> {
    (0..out)
        .map(|o| {
            let src = if exact { ((o as f64 + 0.5) * scale).floor() } else { (o as f32 as f64 * scale).floor() };
            let j = (src.max(0.0) as usize).min(n - 1);
            Taps { n: 1, i: [j, 0], w: [1.0, 0.0] }
        })
        .collect()
}

/// Linear taps (torch's `area_pixel_compute_source_index`).
pub fn linear_taps(n: usize, out: usize, scale: f64, align_corners: bool) -> Vec<Taps> {
    (0..out)
        .map(|o| {
            let src = if align_corners {
                o as f64 * scale
            } else {
                ((o as f64 + 0.5) * scale - 0.5).max(0.0)
            };
            let i0 = (src.floor() as usize).min(n - 1);
            let i1 = if i0 < n - 1 { i0 + 1 } else { i0 };
            let l1 = src - i0 as f64;
            let l1 = if i1 == i0 { 0.0 } else { l1 };
            Taps { n: 2, i: [i0, i1], w: [1.0 - l1, l1] }
        })
        .collect()
}

// ----- im2col / col2im (F.unfold / F.fold) -----

fn im_geom(c: usize, ins: &[usize], k: &[usize], dil: &[usize], pad: &[usize], stride: &[usize]) -> Geom {
    let outs: Vec<usize> = (0..ins.len()).map(|i| (ins[i] + 2 * pad[i] - dil[i] * (k[i] - 1) - 1) / stride[i] + 1).collect();
    Geom {
        n: 1,
        cin: c,
        cout: c,
        groups: 1,
        ins: lift(ins, 1),
        k: lift(k, 1),
        outs: lift(&outs, 1),
        stride: lift(stride, 1),
        pad: lift(pad, 0),
        dil: lift(dil, 1),
    }
}

/// `x` [n, c, h, w] → [n, c*kh*kw, L] (validated by the caller).
pub fn im2col(x: &Tensor, k: &[usize], dil: &[usize], pad: &[usize], stride: &[usize]) -> Result<Tensor> {
    crate::resolve_bits!(x);
    let dt = x.dtype;
    let cdt = compute_dtype(dt, "im2col")?;
    let xc = prep(x, cdt)?;
    let unb = x.ndim() == 3;
    let xs: Vec<usize> = if unb { [&[1][..], x.shape()].concat() } else { x.shape().to_vec() };
    let (n, c) = (xs[0], xs[1]);
    let g = im_geom(c, &xs[2..], k, dil, pad, stride);
    let rows = c * g.kvol();
    let l = g.out_plane();
    let oshape: Vec<usize> = if unb { vec![rows, l] } else { vec![n, rows, l] };
    let out = Tensor::for_overwrite(&oshape, cdt)?;
    if out.numel() > 0 {
        float_dispatch!(cdt, T => {
            let (xs, os) = (sl::<T>(&xc), sl_mut::<T>(&out));
            for ni in 0..n {
                k::im2col::<T>(&xs[ni * c * g.in_plane()..][..c * g.in_plane()], c, &g, &mut os[ni * rows * l..][..rows * l]);
            }
        });
    }
    out.to_dtype(dt, false)
}

/// `col` [n, c*kh*kw, L] → [n, c, out_h, out_w] (validated by the caller).
pub fn col2im(col: &Tensor, out_size: &[usize], k: &[usize], dil: &[usize], pad: &[usize], stride: &[usize]) -> Result<Tensor> {
    let dt = col.dtype;
    let cdt = compute_dtype(dt, "col2im")?;
    let cc = prep(col, cdt)?;
    let kv: usize = k.iter().product();
    let unb = col.ndim() == 2;
    let cs: Vec<usize> = if unb { [&[1][..], col.shape()].concat() } else { col.shape().to_vec() };
    let n = cs[0];
    let c = cs[1] / kv.max(1);
    let g = im_geom(c, out_size, k, dil, pad, stride);
    let mut shape = if unb { vec![c] } else { vec![n, c] };
    shape.extend_from_slice(out_size);
    let out = Tensor::zeros(&shape, cdt, Device::Cpu)?;
    let (rows, l, ip) = (c * kv, g.out_plane(), g.in_plane());
    if out.numel() > 0 && cc.numel() > 0 {
        float_dispatch!(cdt, T => {
            let (cs, os) = (sl::<T>(&cc), sl_mut::<T>(&out));
            for ni in 0..n {
                k::col2im::<T>(&cs[ni * rows * l..][..rows * l], c, &g, &mut os[ni * c * ip..][..c * ip]);
            }
        });
    }
    out.to_dtype(dt, false)
}
