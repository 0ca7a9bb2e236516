//! Private `_C` entry points for the spatial functionals of `oxytorch.nn.functional` (convolution,
//! pooling, pad, interpolate, unfold/fold). The Python layer (`nn/_f_conv.py`) turns ints and
//! tuples into lists; argument checks with torch's messages and the math live here and below.
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::autograd::conv as ac;
use crate::ops::conv::{self as c, AvgKind, ConvSpec, PoolSpec};
use crate::tensor::Tensor;

use super::reduce::tensor_of;
use super::tensor::{PyTensor, wrap};

fn rt(msg: String) -> PyErr {
    PyRuntimeError::new_err(msg)
}

/// Expands a one-element list to `d` entries, or checks that it has `d`.
fn expand(v: &[i64], d: usize, what: &str) -> PyResult<Vec<i64>> {
    if v.len() == 1 {
        return Ok(vec![v[0]; d]);
    }
    if v.len() != d {
        return Err(rt(format!(
            "expected {what} to be a single integer value or a list of {d} values to match the convolution dimensions, but got {what}={v:?}"
        )));
    }
    Ok(v.to_vec())
}

fn us(v: &[i64]) -> Vec<usize> {
    v.iter().map(|x| (*x).max(0) as usize).collect()
}

/// `_conv(input, weight, bias, stride, padding, dilation, groups, dims, name, transposed, output_padding)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (input, weight, bias, stride, padding, dilation, groups, dims, name, transposed=false, output_padding=None))]
fn _conv(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    weight: &Bound<'_, PyAny>,
    bias: Option<&Bound<'_, PyAny>>,
    stride: Vec<i64>,
    padding: &Bound<'_, PyAny>,
    dilation: Vec<i64>,
    groups: i64,
    dims: usize,
    name: &str,
    transposed: bool,
    output_padding: Option<Vec<i64>>,
) -> PyResult<Py<PyTensor>> {
    let x = tensor_of(input, name)?;
    let w = tensor_of(weight, name)?;
    let b = match bias {
        Some(b) if !b.is_none() => Some(tensor_of(b, name)?),
        _ => None,
    };
    if x.ndim() != dims + 1 && x.ndim() != dims + 2 {
        return Err(rt(format!(
            "Expected {}D (unbatched) or {}D (batched) input to {name}, but got input of size: {:?}",
            dims + 1,
            dims + 2,
            x.shape()
        )));
    }
    let d = w.ndim().saturating_sub(2).max(1);
    let stride = expand(&stride, d, "stride")?;
    let dilation = expand(&dilation, d, "dilation")?;
    let (pad_lo, pad_hi) = if padding.is_instance_of::<PyString>() {
        let s: String = padding.extract()?;
        match s.as_str() {
            "valid" => (vec![0; d], vec![0; d]),
            "same" => {
                if stride.iter().any(|v| *v != 1) {
                    return Err(rt("padding='same' is not supported for strided convolutions".into()));
                }
                let mut lo = vec![0; d];
                let mut hi = vec![0; d];
                for i in 0..d {
                    let k = *w.shape().get(2 + i).unwrap_or(&1) as i64;
                    let total = dilation[i] * (k - 1);
                    lo[i] = total / 2;
                    hi[i] = total - lo[i];
                }
                (lo, hi)
            }
            _ => return Err(rt(format!("Invalid padding string: '{s}'"))),
        }
    } else {
        let p: Vec<i64> = padding.extract()?;
        let p = expand(&p, d, "padding")?;
        (p.clone(), p)
    };
    let out_pad = expand(&output_padding.unwrap_or(vec![0]), d, "output_padding")?;
    if pad_lo.iter().any(|v| *v < 0) {
        return Err(rt("negative padding is not supported".into()));
    }
    if out_pad.iter().any(|v| *v < 0) {
        return Err(rt("negative output_padding is not supported".into()));
    }
    if stride.iter().any(|v| *v <= 0) {
        return Err(rt("non-positive stride is not supported".into()));
    }
    if dilation.iter().any(|v| *v <= 0) {
        return Err(rt("non-positive dilation is not supported".into()));
    }
    if groups <= 0 {
        return Err(rt("non-positive groups is not supported".into()));
    }
    if transposed {
        for i in 0..d {
            if out_pad[i] >= stride[i] && out_pad[i] >= dilation[i] {
                return Err(rt(format!(
                    "output padding must be smaller than either stride or dilation, but got output_padding: {out_pad:?}, stride: {stride:?}, dilation: {dilation:?}"
                )));
            }
        }
    }
    if w.ndim() != dims + 2 {
        return Err(rt(format!(
            "Expected {}-dimensional input for {}-dimensional weight {:?}, but got {}-dimensional input of size {:?} instead",
            w.ndim(),
            w.ndim(),
            w.shape(),
            x.ndim(),
            x.shape()
        )));
    }
    let spec = ConvSpec {
        stride: us(&stride),
        pad: us(&pad_lo),
        pad_hi: us(&pad_hi),
        dil: us(&dilation),
        groups: groups as usize,
        transposed,
        out_pad: us(&out_pad),
    };
    let r = py.detach(|| ac::conv(&x, &w, b.as_ref(), &spec, name))?;
    wrap(py, r)
}

/// Checks and normalises pooling arguments (`k`, `stride` (empty = k), `pad`, `dil`) for `d` dims.
fn pool_spec(x: &Tensor, name: &str, d: usize, k: &[i64], stride: &[i64], pad: &[i64], dil: &[i64], ceil: bool, avg: bool) -> PyResult<PoolSpec> {
    let words = ["", "a single int", "a tuple of two ints", "a tuple of three ints"];
    let nw = ["", "one", "two", "three"][d];
    let _ = nw;
    if k.len() != 1 && k.len() != d {
        return Err(rt(format!("{name}: kernel_size must either be a single int, or {}", words[d])));
    }
    if !stride.is_empty() && stride.len() != 1 && stride.len() != d {
        return Err(rt(format!("{name}: stride must either be omitted, a single int, or {}", words[d])));
    }
    if pad.len() != 1 && pad.len() != d {
        return Err(rt(format!("{name}: padding must either be a single int, or {}", words[d])));
    }
    if dil.len() != 1 && dil.len() != d {
        return Err(rt(format!("{name}: dilation must be either a single int, or {}", words[d])));
    }
    let e = |v: &[i64]| if v.len() == 1 { vec![v[0]; d] } else { v.to_vec() };
    let k = e(k);
    let stride = if stride.is_empty() { k.clone() } else { e(stride) };
    let pad = e(pad);
    let dil = e(dil);
    if d == 1 && !avg {
        if k[0] <= 0 {
            return Err(rt(format!("max_pool1d() kernel_size must be greater than zero, but got {}", k[0])));
        }
        if stride[0] <= 0 {
            return Err(rt(format!("max_pool1d() stride must be greater than zero, but got {}", stride[0])));
        }
        if pad[0] < 0 {
            return Err(rt(format!("max_pool1d() padding must be non-negative, but got {}", pad[0])));
        }
        if pad[0] > k[0] / 2 {
            return Err(rt(format!("max_pool1d() padding should be at most half of kernel size, but got padding={} and kernel_size={}", pad[0], k[0])));
        }
        if dil[0] <= 0 {
            return Err(rt(format!("max_pool1d() dilation must be greater than zero, but got {}", dil[0])));
        }
        if x.ndim() != 2 && x.ndim() != 3 || x.shape()[x.ndim() - 1] == 0 {
            return Err(rt(format!(
                "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:{:?}",
                x.shape()
            )));
        }
        let o = c::pool_out(x.shape()[x.ndim() - 1], k[0] as usize, pad[0] as usize, stride[0] as usize, dil[0] as usize, ceil);
        if o <= 0 {
            return Err(rt(format!("max_pool1d() Invalid computed output size: {o}")));
        }
        return Ok(PoolSpec { k: us(&k), stride: us(&stride), pad: us(&pad), dil: us(&dil), ceil });
    }
    if d == 3 && x.ndim() != 4 && x.ndim() != 5 {
        return Err(rt("non-empty 4D or 5D (batch mode) tensor expected for input".into()));
    }
    if stride.contains(&0) {
        return Err(rt("stride should not be zero".into()));
    }
    if pad.iter().any(|p| *p < 0) {
        return Err(rt(format!("pad must be non-negative, but got pad: {}", pad.iter().find(|p| **p < 0).unwrap_or(&0))));
    }
    for i in 0..d {
        if pad[i] > ((k[i] - 1) * dil[i] + 1) / 2 {
            return Err(rt(format!(
                "pad should be at most half of effective kernel size, but got pad={}, kernel_size={} and dilation={}",
                pad[i], k[i], dil[i]
            )));
        }
    }
    if k.iter().any(|v| *v <= 0) {
        return Err(rt(format!("kernel size should be greater than zero, but got {k:?}")));
    }
    if stride.iter().any(|v| *v < 0) {
        return Err(rt(format!("stride should be greater than zero, but got {stride:?}")));
    }
    if dil.iter().any(|v| *v <= 0) {
        let names = if d == 2 { vec!["dilationH", "dilationW"] } else { vec!["dilationT", "dilationH", "dilationW"] };
        let parts: Vec<String> = names.iter().zip(&dil).map(|(n, v)| format!("{n}: {v}")).collect();
        return Err(rt(format!("dilation should be greater than zero, but got {}", parts.join(" "))));
    }
    let nd = x.ndim();
    if nd != d + 1 && nd != d + 2 {
        if avg && d == 2 {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "Dimension out of range (expected to be in range of [-{nd}, {}], but got -3)",
                nd as i64 - 1
            )));
        }
        return Err(rt(format!("non-empty {}D or {}D (batch mode) tensor expected for input", d + 1, d + 2)));
    }
    if x.shape()[nd - d - 1..].contains(&0) {
        return Err(rt(format!(
            "Expected {}D or {}D (batch mode) tensor with optional 0 dim batch size for input, but got:{:?}",
            d + 1,
            d + 2,
            x.shape()
        )));
    }
    let ins = &x.shape()[nd - d..];
    let outs: Vec<i64> = (0..d)
        .map(|i| c::pool_out(ins[i], k[i] as usize, pad[i] as usize, stride[i] as usize, dil[i] as usize, ceil))
        .collect();
    if outs.iter().any(|o| *o < 1) {
        let ch = x.shape()[nd - d - 1];
        let j = |v: Vec<String>| v.join("x");
        return Err(rt(format!(
            "Given input size: ({}x{}). Calculated output size: ({}x{}). Output size is too small",
            ch,
            j(ins.iter().map(|v| v.to_string()).collect()),
            ch,
            j(outs.iter().map(|v| v.to_string()).collect())
        )));
    }
    Ok(PoolSpec { k: us(&k), stride: us(&stride), pad: us(&pad), dil: us(&dil), ceil })
}

/// `_max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, dims, name)` → (values, indices).
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _max_pool(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    kernel_size: Vec<i64>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    dilation: Vec<i64>,
    ceil_mode: bool,
    dims: usize,
    name: &str,
) -> PyResult<(Py<PyTensor>, Py<PyTensor>)> {
    let x = tensor_of(input, name)?;
    let s = pool_spec(&x, name, dims, &kernel_size, &stride, &padding, &dilation, ceil_mode, false)?;
    let (r, i) = py.detach(|| -> crate::error::Result<(Tensor, Tensor)> {
        if dims == 1 {
            // torch runs 1-D pooling as 2-D over an inserted dim
            let s2 = PoolSpec {
                k: vec![1, s.k[0]],
                stride: vec![1, s.stride[0]],
                pad: vec![0, s.pad[0]],
                dil: vec![1, s.dil[0]],
                ceil: s.ceil,
            };
            let x2 = ac::unsqueeze(&x, x.ndim() - 1)?;
            let (r, i) = ac::max_pool(&x2, &s2)?;
            let d = r.ndim() - 2;
            Ok((ac::squeeze(&r, d)?, ac::squeeze(&i, d)?))
        } else {
            ac::max_pool(&x, &s)
        }
    })?;
    Ok((wrap(py, r)?, wrap(py, i)?))
}

/// `_avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, dims, name)`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn _avg_pool(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    kernel_size: Vec<i64>,
    stride: Vec<i64>,
    padding: Vec<i64>,
    ceil_mode: bool,
    count_include_pad: bool,
    divisor_override: Option<i64>,
    dims: usize,
    name: &str,
) -> PyResult<Py<PyTensor>> {
    let x = tensor_of(input, name)?;
    if dims == 1 && x.ndim() != 2 && x.ndim() != 3 {
        return Err(rt(format!(
            "Expected 2 to 3 dimensions, but got {}-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)",
            x.ndim()
        )));
    }
    if divisor_override == Some(0) {
        return Err(rt("divisor must be not zero".into()));
    }
    let r = if dims == 1 {
        if kernel_size.len() != 1 {
            return Err(rt(format!("avg_pool1d() argument 'kernel_size' should contain 1 elements, but got {}", kernel_size.len())));
        }
        let st: Vec<i64> = if stride.is_empty() { vec![] } else { vec![1, stride[0]] };
        let x2 = ac::unsqueeze(&x, x.ndim() - 1)?;
        let s = pool_spec(&x2, "avg_pool2d", 2, &[1, kernel_size[0]], &st, &[0, padding[0]], &[1], ceil_mode, true)?;
        let kind = AvgKind::Window { spec: s, count_include_pad, divisor: divisor_override };
        py.detach(|| ac::avg_pool(&x2, kind).and_then(|r| ac::squeeze(&r, r.ndim() - 2)))?
    } else {
        let s = pool_spec(&x, name, dims, &kernel_size, &stride, &padding, &[1], ceil_mode, true)?;
        let kind = AvgKind::Window { spec: s, count_include_pad, divisor: divisor_override };
        py.detach(|| ac::avg_pool(&x, kind))?
    };
    wrap(py, r)
}

/// `_adaptive_pool(input, output_size (None entries = input size), dims, is_max, name)` → (values, indices or None).
#[pyfunction]
fn _adaptive_pool(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output_size: Vec<Option<i64>>,
    dims: usize,
    is_max: bool,
    name: &str,
) -> PyResult<(Py<PyTensor>, Option<Py<PyTensor>>)> {
    let x = tensor_of(input, name)?;
    let nd = x.ndim();
    if dims == 1 && nd != 2 && nd != 3 {
        return Err(rt(format!(
            "Expected 2 to 3 dimensions, but got {nd}-dimensional tensor for argument #1 'self' (while checking arguments for {name})"
        )));
    }
    if dims >= 2 && nd != dims + 1 && nd != dims + 2 {
        let sep = if is_max { ": " } else { " " };
        return Err(rt(format!("{name}(): Expected {}D or {}D tensor, but got{sep}{:?}", dims + 1, dims + 2, x.shape())));
    }
    if output_size.len() != dims {
        return Err(rt(format!("{name}: output_size must be {dims}")));
    }
    let ins = &x.shape()[nd - dims..];
    for (i, s) in ins.iter().enumerate() {
        if *s == 0 {
            return Err(rt(format!(
                "{name}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes {:?} with dimension {} being empty",
                x.shape(),
                nd - dims + i
            )));
        }
    }
    let outs: Vec<usize> = output_size.iter().zip(ins).map(|(o, i)| o.map(|v| v.max(0) as usize).unwrap_or(*i)).collect();
    if let Some(o) = output_size.iter().flatten().find(|o| **o < 0) {
        return Err(rt(format!("{name}: elements of output_size must be greater than or equal to 0 but received {o}")));
    }
    let (r, i) = py.detach(|| -> crate::error::Result<(Tensor, Option<Tensor>)> {
        let (xx, outs2, lift) = if dims == 1 { (ac::unsqueeze(&x, nd - 1)?, vec![1, outs[0]], true) } else { (x.clone(), outs.clone(), false) };
        let (mut r, mut i) = if is_max {
            let (r, i) = ac::adaptive_max_pool(&xx, &outs2)?;
            (r, Some(i))
        } else if outs2.iter().all(|o| *o == 1) && outs2.len() == 2 && !lift {
            (crate::autograd::formulas::sum_mean(&xx, Some(&[-1, -2]), true, None, false, true)?, None)
        } else {
            (ac::avg_pool(&xx, AvgKind::Adaptive(outs2))?, None)
        };
        if lift {
            let d = r.ndim() - 2;
            r = ac::squeeze(&r, d)?;
            i = i.map(|i| ac::squeeze(&i, d)).transpose()?;
        }
        Ok((r, i))
    })?;
    Ok((wrap(py, r)?, i.map(|i| wrap(py, i)).transpose()?))
}

/// `_pad(input, pad, mode, value)`: pad is torch's flat (last dim first) list.
#[pyfunction]
fn _pad(py: Python<'_>, input: &Bound<'_, PyAny>, pad: Vec<i64>, mode: &str, value: f64) -> PyResult<Py<PyTensor>> {
    let x = tensor_of(input, "pad")?;
    let nd = x.ndim();
    if pad.len() % 2 != 0 {
        return Err(rt("Padding length must be divisible by 2".into()));
    }
    let np = pad.len() / 2;
    if np > nd {
        return Err(rt("Padding length should be less than or equal to two times the input dimension but got padding length 6 and input of dimension 2".replace("6", &pad.len().to_string()).replace("dimension 2", &format!("dimension {nd}"))));
    }
    let name = match mode {
        "constant" => "ConstantPadNdBackward0".to_string(),
        "reflect" | "replicate" | "circular" => {
            let ok = matches!((np, nd), (1, 2) | (1, 3) | (2, 3) | (2, 4) | (3, 4) | (3, 5));
            if !ok {
                return Err(pyo3::exceptions::PyNotImplementedError::new_err(format!(
                    "Padding size {} is not supported for {nd}D input tensor.\nSupported combinations for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)",
                    pad.len()
                )));
            }
            match mode {
                "reflect" => format!("ReflectionPad{np}DBackward0"),
                "replicate" => format!("ReplicationPad{np}DBackward0"),
                _ => "torch::autograd::CopySlices".to_string(),
            }
        }
        _ => {
            return Err(PyValueError::new_err(format!(
                "Unrecognised padding mode {mode}"
            )));
        }
    };
    let mut taps = Vec::with_capacity(np);
    for j in 0..np {
        // dim nd-np+j gets pad pair for dim index (np-1-j) in torch's flat list
        let dim = nd - np + j;
        let q = np - 1 - j;
        let (lo, hi) = (pad[2 * q], pad[2 * q + 1]);
        let n = x.shape()[dim] as i64;
        let out = n + lo + hi;
        match mode {
            "constant" => {
                if lo < -n || hi < -n || out < 0 {
                    return Err(rt("narrow(): length must be non-negative.".into()));
                }
            }
            "reflect" => {
                if lo >= n || hi >= n {
                    return Err(rt(format!(
                        "Argument #4: Padding size should be less than the corresponding input dimension, but got: padding ({lo}, {hi}) at dimension {dim} of input {:?}",
                        x.shape()
                    )));
                }
            }
            "circular" => {
                if lo > n || hi > n {
                    return Err(rt("Padding value causes wrapping around more than once.".into()));
                }
            }
            _ => {}
        }
        if mode != "constant" && out < 1 {
            return Err(rt(format!(
                "input (H: {n}) is too small. Calculated output H: {out}"
            )));
        }
        if mode != "constant" && n == 0 {
            return Err(rt(format!("Expected a non-empty input, but got {:?}", x.shape())));
        }
        taps.push(c::pad_taps(n as usize, lo, hi, mode));
    }
    // more than three padded dims: constant mode only; apply three at a time is not supported
    if taps.len() > 3 {
        // pad only the non-trivial trailing dims when the leading pairs are zero
        while taps.len() > 3 {
            let first = &taps[0];
            let n0 = x.shape()[nd - taps.len()];
            if first.len() == n0 && first.iter().enumerate().all(|(i, t)| t.n == 1 && t.i[0] == i) {
                taps.remove(0);
            } else {
                return Err(pyo3::exceptions::PyNotImplementedError::new_err("pad: constant padding of more than 3 dimensions is not supported"));
            }
        }
    }
    let r = py.detach(|| ac::resample(&x, taps, value, name))?;
    wrap(py, r)
}

/// `_interpolate(input, out_size, scales (None = from sizes), mode, align_corners)` over the last len(out_size) dims.
#[pyfunction]
fn _interpolate(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    out_size: Vec<i64>,
    scales: Vec<Option<f64>>,
    mode: &str,
    align_corners: bool,
) -> PyResult<Py<PyTensor>> {
    let x = tensor_of(input, "interpolate")?;
    let d = out_size.len();
    let nd = x.ndim();
    if nd < d + 2 {
        return Err(rt("internal: interpolate rank".into()));
    }
    let mut taps = Vec::with_capacity(d);
    for i in 0..d {
        let n = x.shape()[nd - d + i];
        let o = out_size[i];
        if o <= 0 || n == 0 {
            return Err(rt(format!(
                "Input and output sizes should be greater than 0, but got input ({}D: {:?}) output ({}D: {:?})",
                d,
                &x.shape()[nd - d..],
                d,
                out_size
            )));
        }
        let o = o as usize;
        let scale = |ac: bool| -> f64 {
            if ac {
                if o > 1 { (n as f64 - 1.0) / (o as f64 - 1.0) } else { 0.0 }
            } else {
                match scales.get(i).copied().flatten() {
                    Some(s) if s > 0.0 => 1.0 / s,
                    _ => n as f64 / o as f64,
                }
            }
        };
        let t = match mode {
            "nearest" => c::nearest_taps(n, o, f32_round(scale(false)), false),
            "nearest-exact" => c::nearest_taps(n, o, f32_round(scale(false)), true),
            "linear" | "bilinear" | "trilinear" => {
                let s = scale(align_corners);
                let s = if x.dtype == crate::dtype::DType::F64 { s } else { f32_round(s) };
                c::linear_taps(n, o, s, align_corners)
            }
            _ => return Err(pyo3::exceptions::PyNotImplementedError::new_err(format!("interpolate: mode {mode} is not supported"))),
        };
        taps.push(t);
    }
    let name = match mode {
        "nearest" => format!("UpsampleNearest{d}DBackward0"),
        "nearest-exact" => format!("UpsampleNearestExact{d}DBackward0"),
        "linear" => "UpsampleLinear1DBackward0".to_string(),
        "bilinear" => "UpsampleBilinear2DBackward0".to_string(),
        _ => "UpsampleTrilinear3DBackward0".to_string(),
    };
    let r = py.detach(|| ac::resample(&x, taps, 0.0, name))?;
    wrap(py, r)
}

fn f32_round(v: f64) -> f64 {
    v as f32 as f64
}

fn im_spec(d: usize, k: &[i64], dil: &[i64], pad: &[i64], stride: &[i64]) -> ac::ImSpec {
    let e = |v: &[i64]| us(&if v.len() == 1 { vec![v[0]; d] } else { v.to_vec() });
    ac::ImSpec { k: e(k), dil: e(dil), pad: e(pad), stride: e(stride) }
}

/// `_unfold(input, kernel_size, dilation, padding, stride)` (F.unfold on 3-D or 4-D input).
#[pyfunction]
fn _unfold(py: Python<'_>, input: &Bound<'_, PyAny>, kernel_size: Vec<i64>, dilation: Vec<i64>, padding: Vec<i64>, stride: Vec<i64>) -> PyResult<Py<PyTensor>> {
    let x = tensor_of(input, "unfold")?;
    let nd = x.ndim();
    if nd != 3 && nd != 4 {
        return Err(rt(format!(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for input, but got: {:?}",
            x.shape()
        )));
    }
    check_im(&kernel_size, &dilation, &padding, &stride)?;
    let s = im_spec(2, &kernel_size, &dilation, &padding, &stride);
    let ins = &x.shape()[nd - 2..];
    for i in 0..2 {
        let eff = s.dil[i] * (s.k[i] - 1) + 1;
        if ins[i] + 2 * s.pad[i] < eff {
            let o: Vec<i64> = (0..2)
                .map(|j| (ins[j] as i64 + 2 * s.pad[j] as i64 - (s.dil[j] * (s.k[j] - 1)) as i64 - 1) / s.stride[j] as i64 + 1)
                .collect();
            return Err(rt(format!(
                "Given input with spatial size ({}, {}), kernel_size=({}, {}), dilation=({}, {}), padding=({}, {}), calculated shape of the array of sliding blocks as ({}, {}), but its components must be at least one.",
                ins[0], ins[1], s.k[0], s.k[1], s.dil[0], s.dil[1], s.pad[0], s.pad[1], o[0], o[1]
            )));
        }
    }
    let r = py.detach(|| ac::im2col(&x, &s))?;
    wrap(py, r)
}

fn check_im(k: &[i64], dil: &[i64], pad: &[i64], stride: &[i64]) -> PyResult<()> {
    let e = |v: &[i64]| if v.len() == 1 { vec![v[0]; 2] } else { v.to_vec() };
    let (k, dil, pad, stride) = (e(k), e(dil), e(pad), e(stride));
    if k.len() != 2 || dil.len() != 2 || pad.len() != 2 || stride.len() != 2 {
        return Err(rt("It is expected kernel_size, dilation, padding, stride to be 2-tuples".into()));
    }
    if k.iter().any(|v| *v <= 0) {
        return Err(rt(format!("kernel size should be greater than zero, but got kernel_height: {} kernel_width: {}", k[0], k[1])));
    }
    if dil.iter().any(|v| *v <= 0) {
        return Err(rt(format!("dilation should be greater than zero, but got dilation_height: {} dilation_width: {}", dil[0], dil[1])));
    }
    if pad.iter().any(|v| *v < 0) {
        return Err(rt(format!("padding should be non-negative, but got pad_height: {} pad_width: {}", pad[0], pad[1])));
    }
    if stride.iter().any(|v| *v <= 0) {
        return Err(rt(format!("stride should be greater than zero, but got stride_height: {} stride_width: {}", stride[0], stride[1])));
    }
    Ok(())
}

/// `_fold(input, output_size, kernel_size, dilation, padding, stride)` (F.fold on 2-D or 3-D input).
#[pyfunction]
fn _fold(
    py: Python<'_>,
    input: &Bound<'_, PyAny>,
    output_size: Vec<i64>,
    kernel_size: Vec<i64>,
    dilation: Vec<i64>,
    padding: Vec<i64>,
    stride: Vec<i64>,
) -> PyResult<Py<PyTensor>> {
    let x = tensor_of(input, "fold")?;
    let nd = x.ndim();
    if nd != 2 && nd != 3 {
        return Err(rt(format!(
            "Expected 2D or 3D (batch mode) input tensor with possibly 0 batch size and non-zero dimensions for input, but got: {:?}",
            x.shape()
        )));
    }
    check_im(&kernel_size, &dilation, &padding, &stride)?;
    let os = if output_size.len() == 1 { vec![output_size[0]; 2] } else { output_size.clone() };
    if os.len() != 2 {
        return Err(rt("It is expected output_size equals to 2, but got size ".to_string() + &os.len().to_string()));
    }
    if os.iter().any(|v| *v <= 0) {
        return Err(rt(format!("Expected output spatial size to be positive, but got: output_size=({}, {}).", os[0], os[1])));
    }
    let s = im_spec(2, &kernel_size, &dilation, &padding, &stride);
    let os = us(&os);
    let kv = s.k[0] * s.k[1];
    let c1 = x.shape()[nd - 2];
    if c1 % kv != 0 {
        return Err(rt(format!(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)={c1} and kernel_size=({}, {})",
            s.k[0], s.k[1]
        )));
    }
    let blocks: Vec<i64> = (0..2)
        .map(|i| (os[i] as i64 + 2 * s.pad[i] as i64 - (s.dil[i] * (s.k[i] - 1)) as i64 - 1).div_euclid(s.stride[i] as i64) + 1)
        .collect();
    let l = x.shape()[nd - 1] as i64;
    if blocks.iter().any(|b| *b < 1) || blocks[0] * blocks[1] != l {
        return Err(rt(format!(
            "Given output_size=({}, {}), kernel_size=({}, {}), dilation=({}, {}), padding=({}, {}), stride=({}, {}), expected size of input's dimension 2 to match the calculated number of sliding blocks {} * {} = {}, but got input.size(2)={}.",
            os[0], os[1], s.k[0], s.k[1], s.dil[0], s.dil[1], s.pad[0], s.pad[1], s.stride[0], s.stride[1], blocks[0], blocks[1], blocks[0] * blocks[1], l
        )));
    }
    let r = py.detach(|| ac::col2im(&x, &os, &s))?;
    wrap(py, r)
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_conv, m)?)?;
    m.add_function(wrap_pyfunction!(_max_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_avg_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_adaptive_pool, m)?)?;
    m.add_function(wrap_pyfunction!(_pad, m)?)?;
    m.add_function(wrap_pyfunction!(_interpolate, m)?)?;
    m.add_function(wrap_pyfunction!(_unfold, m)?)?;
    m.add_function(wrap_pyfunction!(_fold, m)?)?;
    Ok(())
}
