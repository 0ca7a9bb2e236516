//! Special functions and distance ops with autograd: xlogy, xlog1py, lgamma, digamma,
//! polygamma, sinc, logaddexp, logaddexp2, erfcx, dist, cdist, renorm, trapezoid,
//! cumulative_trapezoid. Forward values are computed in f64 and rounded to the result dtype;
//! gradients are written with autograd-aware ops (so second derivatives work).
use super::formulas::{add, add_scalar, div, gr, mul, neg, scale, sub, sum_to, un};
use super::{SavedTensor, record, should_record};
use crate::bail;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::ops::binary::{self as b, Arg, BinaryOp};
use crate::ops::unary::UnaryOp;
use crate::tensor::Tensor;

// libm's lgamma and erfc take and return plain doubles and touch no caller memory.
unsafe extern "C" {
    safe fn lgamma(x: f64) -> f64;
    safe fn erfc(x: f64) -> f64;
}

// ----- scalar kernels -----

fn lgamma_f(x: f64) -> f64 {
    lgamma(x)
}

fn erfc_f(x: f64) -> f64 {
    erfc(x)
}

/// psi(x): recurrence up to x >= 6, then the asymptotic series; reflection for x < 0.
pub fn digamma_f(x: f64) -> f64 {
    if x == 0.0 {
        return if x.is_sign_negative() { f64::INFINITY } else { f64::NEG_INFINITY };
    }
    if x.is_nan() || x == f64::NEG_INFINITY {
        return f64::NAN;
    }
    if x == f64::INFINITY {
        return f64::INFINITY;
    }
    if x < 0.0 {
        if x == x.floor() {
            return f64::NAN;
        }
        // psi(1 - x) - psi(x) = pi / tan(pi x)
        let r = (std::f64::consts::PI * x).tan();
        return digamma_f(1.0 - x) - std::f64::consts::PI / r;
    }
    let mut v = x;
    let mut acc = 0.0;
    while v < 6.0 {
        acc -= 1.0 / v;
        v += 1.0;
    }
    let f = 1.0 / (v * v);
    let series = f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f * (1.0 / 132.0 - f * (691.0 / 32760.0 - f / 12.0))))));
    acc + v.ln() - 0.5 / v - series
}

/// The Hurwitz zeta function zeta(s, q) by Euler-Maclaurin summation (s > 1).
fn zeta_f(s: f64, q: f64) -> f64 {
    const A: [f64; 12] = [
        12.0,
        -720.0,
        30240.0,
        -1209600.0,
        47900160.0,
        -1.8924375803183791606e9,
        7.47242496e10,
        -2.950130727918164224e12,
        1.1646782814350067249e14,
        -4.5979787224074726105e15,
        1.8152105401943546773e17,
        -7.1661652561756670113e18,
    ];
    if s == 1.0 {
        return f64::INFINITY;
    }
    if q <= 0.0 && q == q.floor() {
        return f64::INFINITY;
    }
    let mut sum = q.powf(-s);
    let mut a = q;
    let mut bb = 0.0;
    let mut i = 0;
    while i < 9 || a <= 9.0 {
        i += 1;
        a += 1.0;
        bb = a.powf(-s);
        sum += bb;
        if (bb / sum).abs() < 1e-17 {
            return sum;
        }
    }
    let w = a;
    sum += bb * w / (s - 1.0);
    sum -= 0.5 * bb;
    let mut fac = 1.0;
    let mut k = 0.0;
    for c in A {
        fac *= s + k;
        bb /= w;
        let t = fac * bb / c;
        sum += t;
        if (t / sum).abs() < 1e-17 {
            break;
        }
        k += 1.0;
        fac *= s + k;
        bb /= w;
        k += 1.0;
    }
    sum
}

/// polygamma(n, x) = (-1)^(n+1) n! zeta(n+1, x) for n >= 1.
pub fn polygamma_f(n: i64, x: f64) -> f64 {
    if n == 0 {
        return digamma_f(x);
    }
    let mut fact = 1.0;
    for k in 2..=n {
        fact *= k as f64;
    }
    let sign = if n % 2 == 0 { -1.0 } else { 1.0 };
    sign * fact * zeta_f(n as f64 + 1.0, x)
}

/// exp(x^2) erfc(x), with the asymptotic expansion where erfc underflows.
pub fn erfcx_f(x: f64) -> f64 {
    if x.is_nan() {
        return f64::NAN;
    }
    if x < 0.0 {
        if x < -26.7 {
            return f64::INFINITY;
        }
        return 2.0 * (x * x).exp() - erfcx_f(-x);
    }
    if x < 25.0 {
        return (x * x).exp() * erfc_f(x);
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    // 1/(x sqrt(pi)) * sum_k (-1)^k (2k-1)!! / (2x^2)^k
    let inv = 1.0 / (2.0 * x * x);
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..8 {
        term *= -((2 * k - 1) as f64) * inv;
        sum += term;
    }
    sum / (x * std::f64::consts::PI.sqrt())
}

fn sinc_f(x: f64) -> f64 {
    if x == 0.0 {
        return 1.0;
    }
    let px = std::f64::consts::PI * x;
    px.sin() / px
}

fn sinc_f32(x: f64) -> f64 {
    let x = x as f32;
    if x == 0.0 {
        return 1.0;
    }
    let px = std::f32::consts::PI * x;
    (px.sin() / px) as f64
}

fn xlogy_f(x: f64, y: f64) -> f64 {
    if y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 { 0.0 } else { x * y.ln() }
}

fn xlog1py_f(x: f64, y: f64) -> f64 {
    if y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 { 0.0 } else { x * y.ln_1p() }
}

fn logaddexp_f(a: f64, bb: f64) -> f64 {
    if a.is_infinite() && a == bb {
        return a;
    }
    let m = a.max(bb);
    if m.is_nan() || a.is_nan() || bb.is_nan() {
        return f64::NAN;
    }
    m + (-(a - bb).abs()).exp().ln_1p()
}

fn logaddexp2_f(a: f64, bb: f64) -> f64 {
    if a.is_infinite() && a == bb {
        return a;
    }
    if a.is_nan() || bb.is_nan() {
        return f64::NAN;
    }
    let m = a.max(bb);
    m + (-(a - bb).abs()).exp2().ln_1p() / std::f64::consts::LN_2
}

// ----- f64 maps -----

/// The result dtype of a float function of `dt` (integers and bool give the default float).
fn float_of(dt: DType) -> DType {
    if dt.is_floating_point() { dt } else { crate::dtype::default_dtype() }
}

fn f64_values(t: &Tensor, shape: &[usize]) -> Result<Tensor> {
    t.detached().to_dtype(DType::F64, false)?.expand_to(shape)?.contiguous()
}

fn slice(t: &Tensor) -> &[f64] {
    // SAFETY: `t` is a contiguous f64 tensor (made by f64_values / for_overwrite).
    unsafe { std::slice::from_raw_parts(t.data_ptr() as *const f64, t.numel()) }
}

fn check_real(t: &Tensor, name: &str) -> Result<()> {
    if t.dtype.is_complex() {
        bail!(not_implemented, "\"{name}_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    Ok(())
}

fn map1(x: &Tensor, name: &str, f: impl Fn(f64) -> f64) -> Result<Tensor> {
    check_real(x, name)?;
    let c = f64_values(x, x.shape())?;
    let out = Tensor::for_overwrite(x.shape(), DType::F64)?;
    // SAFETY: out is fresh, contiguous, f64, of c's numel.
    let o = unsafe { std::slice::from_raw_parts_mut(out.data_ptr() as *mut f64, out.numel()) };
    for (d, &v) in o.iter_mut().zip(slice(&c)) {
        *d = f(v);
    }
    place(out, x.preserved_layout(false), float_of(x.dtype))
}

/// The contiguous f64 result `out` in dtype `dt` laid out as `layout` (torch's TensorIterator
/// output: the inputs' memory order, so a transposed input gives a transposed result).
fn place(out: Tensor, layout: crate::layout::Layout, dt: DType) -> Result<Tensor> {
    if layout.strides == crate::layout::Layout::contiguous(&layout.shape).strides {
        return out.to_dtype(dt, false);
    }
    let r = Tensor::for_overwrite_layout(layout, dt)?;
    r.copy_(&out)?;
    Ok(r)
}

fn arg_t(a: &Arg) -> Result<Tensor> {
    match a {
        Arg::T(t) => Ok((*t).clone()),
        Arg::S(p) => Tensor::full(&[], *p, b::arg_dtype(a), crate::device::Device::Cpu),
    }
}

fn map2(a: Arg, bb: Arg, name: &str, f: impl Fn(f64, f64) -> f64) -> Result<Tensor> {
    let (_, out_dt) = b::binary_dtypes(BinaryOp::Div, &a, &bb)?;
    let (ta, tb) = (arg_t(&a)?, arg_t(&bb)?);
    check_real(&ta, name)?;
    check_real(&tb, name)?;
    let shape = crate::layout::broadcast_shapes(ta.shape(), tb.shape())?;
    let (ca, cb) = (f64_values(&ta, &shape)?, f64_values(&tb, &shape)?);
    let out = Tensor::for_overwrite(&shape, DType::F64)?;
    // SAFETY: out is fresh, contiguous, f64, of the broadcast numel.
    let o = unsafe { std::slice::from_raw_parts_mut(out.data_ptr() as *mut f64, out.numel()) };
    for ((d, &x), &y) in o.iter_mut().zip(slice(&ca)).zip(slice(&cb)) {
        *d = f(x, y);
    }
    let layout = if shape.len() <= 1 {
        crate::layout::Layout::contiguous(&shape)
    } else {
        let scalar = crate::layout::Layout::contiguous(&[]);
        let la = if matches!(a, Arg::T(_)) { &ta.layout } else { &scalar };
        let lb = if matches!(bb, Arg::T(_)) { &tb.layout } else { &scalar };
        crate::ops::iter_layout::iter_output_layout(&shape, &[la, lb])
    };
    place(out, layout, out_dt)
}

fn fl(t: &Tensor) -> bool {
    t.dtype.is_floating_point()
}

fn boolmask(op: BinaryOp, a: &Tensor, s: f64) -> Result<Tensor> {
    b::binary(op, Arg::T(&a.detached()), Arg::S(Pivot::F(s)), None, None)
}

fn and(a: &Tensor, c: &Tensor) -> Result<Tensor> {
    b::binary(BinaryOp::LogicalAnd, Arg::T(a), Arg::T(c), None, None)
}

fn fill0(t: &Tensor, m: &Tensor) -> Result<Tensor> {
    super::act::masked_fill(t, m, Arg::S(Pivot::F(0.0)))
}

// ----- unary families -----

/// lgamma (k = -1), digamma (k = 0), polygamma(k, x) (k >= 1); d/dx of each is the next one.
pub fn gamma_family(k: i64, x: &Tensor) -> Result<Tensor> {
    let (name, node) = match k {
        -1 => ("lgamma", "LgammaBackward0"),
        0 => ("digamma", "DigammaBackward0"),
        _ => ("polygamma", "PolygammaBackward0"),
    };
    if k < -1 {
        bail!(runtime, "polygamma(n, x) does not support negative n.");
    }
    let mut r = map1(x, name, |v| match k {
        -1 => lgamma_f(v),
        0 => digamma_f(v),
        n => polygamma_f(n, v),
    })?;
    if should_record(&[x]) && fl(x) {
        record(node, &[x], &mut [&mut r], vec![SavedTensor::input(x)], move |ctx, g| {
            Ok(vec![Some(mul(gr(g)?, &gamma_family(k + 1, &ctx.saved(0)?)?)?)])
        });
    }
    Ok(r)
}

/// sinc(x) = sin(pi x) / (pi x); d/dx = (cos(pi x) pi x - sin(pi x)) / (pi x^2), 0 at x = 0.
pub fn sinc(x: &Tensor) -> Result<Tensor> {
    let cplx = x.dtype.is_complex();
    // a conjugate/negative view is read through its bits (resolved copies keep the graph)
    crate::resolve_bits!(x);
    // torch computes real sinc below double in float: pi x overflows to inf (sin gives NaN) and a
    // huge argument is reduced as the float it rounded to.
    let single = !cplx && float_of(x.dtype) != DType::F64;
    let mut r = if cplx {
        crate::ops::unary::complex_named("sinc", &x.detached())?
    } else if single {
        map1(x, "sinc", sinc_f32)?
    } else {
        map1(x, "sinc", sinc_f)?
    };
    if should_record(&[x]) && (fl(x) || cplx) {
        record("SincBackward0", &[x], &mut [&mut r], vec![SavedTensor::input(x)], move |ctx, g| {
            let x = ctx.saved(0)?;
            let px = scale(&x, std::f64::consts::PI)?;
            let num = sub(&mul(&un(UnaryOp::Cos, &px)?, &px)?, &un(UnaryOp::Sin, &px)?)?;
            let d = div(&num, &mul(&px, &x)?)?;
            let d = if cplx { super::formulas::conj(&d)? } else { d };
            Ok(vec![Some(mul(gr(g)?, &fill0(&d, &boolmask(BinaryOp::Eq, &x, 0.0)?)?)?)])
        });
    }
    Ok(r)
}

/// erfcx(x) = exp(x^2) erfc(x); d/dx = 2 x erfcx(x) - 2 / sqrt(pi).
pub fn erfcx(x: &Tensor) -> Result<Tensor> {
    let mut r = map1(x, "special_erfcx", erfcx_f)?;
    if should_record(&[x]) && fl(x) {
        record("SpecialErfcxBackward0", &[x], &mut [&mut r], vec![SavedTensor::input(x)], move |ctx, g| {
            let x = ctx.saved(0)?;
            let d = add_scalar(&scale(&mul(&x, &erfcx(&x)?)?, 2.0)?, -2.0 / std::f64::consts::PI.sqrt())?;
            Ok(vec![Some(mul(gr(g)?, &d)?)])
        });
    }
    Ok(r)
}

// ----- binary functions -----

fn arg_tensor<'a>(a: &Arg<'a>) -> Option<&'a Tensor> {
    match a {
        Arg::T(t) => Some(t),
        Arg::S(_) => None,
    }
}

fn tensors<'a>(a: &Arg<'a>, bb: &Arg<'a>) -> Vec<&'a Tensor> {
    [arg_tensor(a), arg_tensor(bb)].into_iter().flatten().collect()
}

fn pass<'a>(a: &Arg<'a>) -> Arg<'a> {
    match a {
        Arg::T(t) => Arg::T(t),
        Arg::S(p) => Arg::S(*p),
    }
}

/// xlogy(x, y) (log1p: xlog1py): d/dx = log(y) (0 where x = 0 and y <= 0), d/dy = x / y
/// (XlogyBackward0/1/2 and SpecialXlog1PyBackward0/1/2 by which side is a number).
pub fn xlogy(a: Arg, bb: Arg, log1p: bool) -> Result<Tensor> {
    let name = if log1p { "special_xlog1py" } else { "xlogy" };
    let mut r = map2(pass(&a), pass(&bb), name, if log1p { xlog1py_f } else { xlogy_f })?;
    let ts = tensors(&a, &bb);
    if !should_record(&ts) || !fl(&r) {
        return Ok(r);
    }
    let prefix = if log1p { "SpecialXlog1PyBackward" } else { "XlogyBackward" };
    let node = match (&a, &bb) {
        (Arg::T(_), Arg::T(_)) => format!("{prefix}0"),
        (Arg::S(_), _) => format!("{prefix}1"),
        _ => format!("{prefix}2"),
    };
    let (ta, tb) = (arg_t(&a)?, arg_t(&bb)?);
    let (a_is_t, b_is_t) = (arg_tensor(&a).is_some(), arg_tensor(&bb).is_some());
    let (sa, sb) = (ta.shape().to_vec(), tb.shape().to_vec());
    let (da, db) = (ta.dtype, tb.dtype);
    let saved = vec![SavedTensor::input(&ta), SavedTensor::input(&tb)];
    let shift = if log1p { 1.0 } else { 0.0 };
    record(node, &ts, &mut [&mut r], saved, move |ctx, g| {
        let g = gr(g)?;
        let (x, y) = (ctx.saved(0)?, ctx.saved(1)?);
        let mut out = Vec::new();
        if a_is_t {
            let slot = 0;
            out.push(if ctx.needs(slot) {
                let gx = xlogy(Arg::T(g), Arg::T(&y), log1p)?;
                let m = and(&boolmask(BinaryOp::Eq, &x, 0.0)?, &boolmask(BinaryOp::Le, &y, -shift)?)?;
                Some(fit(&fill0(&gx, &m)?, &sa, da)?)
            } else {
                None
            });
        }
        if b_is_t {
            let slot = if a_is_t { 1 } else { 0 };
            out.push(if ctx.needs(slot) {
                let den = if log1p { add_scalar(&y, 1.0)? } else { y.clone() };
                Some(fit(&div(&mul(g, &x)?, &den)?, &sb, db)?)
            } else {
                None
            });
        }
        Ok(out)
    });
    Ok(r)
}

fn fit(g: &Tensor, shape: &[usize], dt: DType) -> Result<Tensor> {
    let s = sum_to(g, shape)?;
    if s.dtype == dt || !dt.is_floating_point() { Ok(s) } else { super::formulas::to_dtype(&s, dt, false) }
}

/// logaddexp (base 2: logaddexp2): d/da = 1 / (1 + e^(b - a)), d/db = 1 / (1 + e^(a - b)).
pub fn logaddexp(a: &Tensor, bb: &Tensor, base2: bool) -> Result<Tensor> {
    let name = if base2 { "logaddexp2" } else { "logaddexp" };
    let common = crate::promote::promote_types(a.dtype, bb.dtype);
    if common.is_integral(true) {
        bail!(not_implemented, "\"{name}_cpu\" not implemented for '{}'", common.scalar_name());
    }
    let out_dt = b::binary_dtypes(BinaryOp::Div, &Arg::T(a), &Arg::T(bb))?.1;
    if out_dt.is_complex() && b::real_part_dtype(&Arg::T(a), &Arg::T(bb)) == DType::BF16 {
        bail!(not_implemented, "\"{name}_cpu\" not implemented for 'BComplex32'");
    }
    let cplx = out_dt.is_complex() && out_dt != DType::C32 && !base2;
    let mut r = if cplx { logaddexp_complex(a, bb, out_dt)? } else { map2(Arg::T(a), Arg::T(bb), name, if base2 { logaddexp2_f } else { logaddexp_f })? };
    if !should_record(&[a, bb]) || !(fl(&r) || cplx) {
        return Ok(r);
    }
    let (sa, sb, da, db) = (a.shape().to_vec(), bb.shape().to_vec(), a.dtype, bb.dtype);
    let node = if base2 { "Logaddexp2Backward0" } else { "LogaddexpBackward0" };
    let saved = vec![SavedTensor::input(a), SavedTensor::input(bb)];
    record(node, &[a, bb], &mut [&mut r], saved, move |ctx, g| {
        let g = gr(g)?;
        let (x, y) = (ctx.saved(0)?, ctx.saved(1)?);
        let e = if base2 { UnaryOp::Exp2 } else { UnaryOp::Exp };
        // complex: the conjugate of the holomorphic derivative (torch's convention)
        let den = |p: &Tensor, q: &Tensor| -> Result<Tensor> {
            let d = add_scalar(&un(e, &sub(p, q)?)?, 1.0)?;
            if cplx { super::formulas::conj(&d) } else { Ok(d) }
        };
        let ga = if ctx.needs(0) { Some(fit(&div(g, &den(&y, &x)?)?, &sa, da)?) } else { None };
        let gb = if ctx.needs(1) { Some(fit(&div(g, &den(&x, &y)?)?, &sb, db)?) } else { None };
        Ok(vec![ga, gb])
    });
    Ok(r)
}

/// torch's complex logaddexp kernel (complex64/complex128), laid out as its TensorIterator output.
fn logaddexp_complex(a: &Tensor, bb: &Tensor, dt: DType) -> Result<Tensor> {
    use crate::backend::cpu::cmath;
    let shape = crate::layout::broadcast_shapes(a.shape(), bb.shape())?;
    let ta = a.detached().to_dtype(dt, false)?.expand_to(&shape)?;
    let tb = bb.detached().to_dtype(dt, false)?.expand_to(&shape)?;
    let layout = if shape.len() <= 1 {
        crate::layout::Layout::contiguous(&shape)
    } else {
        crate::ops::iter_layout::iter_output_layout(&shape, &[&a.layout, &bb.layout])
    };
    crate::ops::unary::complex_binary("logaddexp", &ta, &tb, layout, cmath::logaddexp::<f32>, cmath::logaddexp::<f64>)
}

// ----- distances -----

/// `dist(a, b, p)` = ||a - b||_p (DistBackward0).
pub fn dist(a: &Tensor, bb: &Tensor, p: f64) -> Result<Tensor> {
    let d = b::binary(BinaryOp::Sub, Arg::T(&a.detached()), Arg::T(&bb.detached()), None, None)?;
    let mut r = crate::ops::reduce::norm(&d, p, None, false, None)?;
    if !should_record(&[a, bb]) || !fl(&r) {
        return Ok(r);
    }
    let (sa, sb) = (a.shape().to_vec(), bb.shape().to_vec());
    let saved = vec![SavedTensor::input(a), SavedTensor::input(bb), SavedTensor::output(&r, 0)];
    record("DistBackward0", &[a, bb], &mut [&mut r], saved, move |ctx, g| {
        let (x, y, n) = (ctx.saved(0)?, ctx.saved(1)?, ctx.saved(2)?);
        let diff = sub(&x, &y)?;
        let m = vec![true; diff.ndim()];
        let gd = super::reduce::norm_backward(gr(g)?, &diff, &n, p, &m, false)?;
        let ga = if ctx.needs(0) { Some(sum_to(&gd, &sa)?) } else { None };
        let gb = if ctx.needs(1) { Some(sum_to(&neg(&gd)?, &sb)?) } else { None };
        Ok(vec![ga, gb])
    });
    Ok(r)
}

/// `cdist(x1, x2, p)`: pairwise p-norm distances of the rows (CdistBackward0). `compute_mode`
/// picks torch's path, whose checks differ: the matmul path (p = 2 with more than 25 rows, or
/// when asked) takes float16/bfloat16 and wants equal dtypes; the direct kernel takes only
/// float32/float64 and names the second operand's type.
pub fn cdist(x1: &Tensor, x2: &Tensor, p: f64, compute_mode: Option<&str>) -> Result<Tensor> {
    for (t, n) in [(x1, "X1"), (x2, "X2")] {
        if t.ndim() < 2 {
            bail!(runtime, "cdist only supports at least 2D tensors, {} got: {}D", n, t.ndim());
        }
    }
    let (c1, c2) = (x1.shape()[x1.ndim() - 1], x2.shape()[x2.ndim() - 1]);
    if c1 != c2 {
        bail!(runtime, "X1 and X2 must have the same number of columns. X1: {} X2: {}", c1, c2);
    }
    for (t, n) in [(x1, "X1"), (x2, "X2")] {
        if !t.dtype.is_floating_point() {
            bail!(runtime, "cdist only supports floating-point dtypes, {} got: {}", n, t.dtype.scalar_name());
        }
    }
    if p < 0.0 {
        bail!(runtime, "cdist only supports non-negative p values");
    }
    let (r1, r2) = (x1.shape()[x1.ndim() - 2], x2.shape()[x2.ndim() - 2]);
    let use_mm = p == 2.0
        && match compute_mode {
            Some("use_mm_for_euclid_dist") => true,
            Some("donot_use_mm_for_euclid_dist") => false,
            _ => r1 > 25 || r2 > 25,
        };
    if use_mm {
        if x1.dtype != x2.dtype {
            bail!(
                runtime,
                "expected m1 and m2 to have the same dtype, but got: {} != {}",
                crate::ops::matmul::cxx_name(x1.dtype),
                crate::ops::matmul::cxx_name(x2.dtype)
            );
        }
        if x1.dtype.is_float8() {
            bail!(not_implemented, "\"pow\" not implemented for '{}'", x1.dtype.scalar_name());
        }
    } else {
        if !matches!(x1.dtype, DType::F32 | DType::F64) {
            bail!(not_implemented, "\"cdist\" not implemented for '{}'", x1.dtype.scalar_name());
        }
        if x2.dtype != x1.dtype {
            bail!(runtime, "expected scalar type {} but found {}", x1.dtype.scalar_name(), x2.dtype.scalar_name());
        }
    }
    let pair = |a: &Tensor, c: &Tensor| -> Result<Tensor> {
        let u1 = crate::ops::shape::unsqueeze(a, -2)?;
        let u2 = crate::ops::shape::unsqueeze(c, -3)?;
        super::formulas::sub(&u1, &u2)
    };
    let d = pair(&x1.detached(), &x2.detached())?;
    let mut r = crate::ops::reduce::norm(&d, p, Some(&[-1]), false, None)?;
    if !should_record(&[x1, x2]) || !fl(&r) {
        return Ok(r);
    }
    let (s1, s2) = (x1.shape().to_vec(), x2.shape().to_vec());
    let saved = vec![SavedTensor::input(x1), SavedTensor::input(x2), SavedTensor::output(&r, 0)];
    record("CdistBackward0", &[x1, x2], &mut [&mut r], saved, move |ctx, g| {
        let (a, c, n) = (ctx.saved(0)?, ctx.saved(1)?, ctx.saved(2)?);
        let diff = pair(&a, &c)?;
        let mut m = vec![false; diff.ndim()];
        m[diff.ndim() - 1] = true;
        let gd = super::reduce::norm_backward(gr(g)?, &diff, &n, p, &m, false)?;
        let nd = gd.ndim() as i64;
        let g1 = if ctx.needs(0) { Some(sum_to(&super::formulas::sum_mean(&gd, Some(&[nd - 2]), false, None, false, false)?, &s1)?) } else { None };
        let g2 = if ctx.needs(1) { Some(sum_to(&neg(&super::formulas::sum_mean(&gd, Some(&[nd - 3]), false, None, false, false)?)?, &s2)?) } else { None };
        Ok(vec![g1, g2])
    });
    Ok(r)
}

/// `renorm(x, p, dim, maxnorm)`: each slice along `dim` whose p-norm exceeds maxnorm is scaled by
/// maxnorm / (norm + 1e-7) (RenormBackward0).
pub fn renorm(x: &Tensor, p: f64, dim: i64, maxnorm: f64) -> Result<Tensor> {
    if p <= 0.0 {
        bail!(runtime, "renorm: non-positive-norm not supported");
    }
    if maxnorm < 0.0 {
        bail!(runtime, "renorm: expected maxnorm to be >= 0 but got {maxnorm}");
    }
    if x.ndim() <= 1 {
        bail!(runtime, "renorm: input needs at least 2 dimensions, got {} dimensions", x.ndim());
    }
    let d = crate::layout::wrap_dim(dim, x.ndim())? as i64;
    let dims: Vec<i64> = (0..x.ndim() as i64).filter(|&k| k != d).collect();
    let factor = |t: &Tensor| -> Result<(Tensor, Tensor)> {
        let n = super::reduce::norm(t, p, Some(&dims), true, None)?;
        let inv = un(UnaryOp::Reciprocal, &add_scalar(&n, 1e-7)?)?;
        let over = boolmask(BinaryOp::Gt, &n, maxnorm)?;
        let f = super::act::where_(&over, Arg::T(&scale(&inv, maxnorm)?), Arg::S(Pivot::F(1.0)), None)?;
        Ok((f, n))
    };
    let xd = x.detached();
    let (f, _) = factor(&xd)?;
    let mut r = b::binary(BinaryOp::Mul, Arg::T(&xd), Arg::T(&f), None, None)?;
    if !should_record(&[x]) || !fl(x) {
        return Ok(r);
    }
    let dims2 = dims.clone();
    record("RenormBackward0", &[x], &mut [&mut r], vec![SavedTensor::input(x)], move |ctx, g| {
        let g = gr(g)?;
        let x = ctx.saved(0)?;
        let n = super::reduce::norm(&x, p, Some(&dims2), true, None)?;
        let inv = un(UnaryOp::Reciprocal, &add_scalar(&n, 1e-7)?)?;
        let over = boolmask(BinaryOp::Gt, &n, maxnorm)?;
        let m: Vec<bool> = (0..x.ndim() as i64).map(|k| k != d).collect();
        let gx = super::formulas::sum_mean(&mul(&x, g)?, Some(&dims2), true, None, false, false)?;
        let nb = super::reduce::norm_backward(&gx, &x, &n, p, &m, true)?;
        let scaled = sub(&mul(g, &scale(&inv, maxnorm)?.expand_to(x.shape())?)?, &mul(&scale(&mul(&inv, &inv)?, maxnorm)?.expand_to(x.shape())?, &nb)?)?;
        let over_e = over.expand_to(x.shape())?;
        Ok(vec![Some(super::act::where_(&over_e, Arg::T(&scaled), Arg::T(g), None)?)])
    });
    Ok(r)
}

// ----- trapezoid -----

fn narrow(t: &Tensor, d: usize, start: usize, len: usize) -> Result<Tensor> {
    t.view_op("SliceBackward0", move |l| Ok(l.narrow(d, start, len)))
}

/// The spacing tensor for `trapezoid(y, x)`: diff of x along `dim` (x 1-D: broadcast along dim).
fn spacing(y: &Tensor, x: &Tensor, d: usize) -> Result<Tensor> {
    if x.ndim() == 1 {
        let n = x.shape()[0];
        if n != y.shape()[d] {
            bail!(runtime, "trapezoid: There must be one `x` value for each sample point");
        }
        let dx = sub(&narrow(x, 0, 1, n.saturating_sub(1))?, &narrow(x, 0, 0, n.saturating_sub(1))?)?;
        let mut shape = vec![1usize; y.ndim()];
        shape[d] = n.saturating_sub(1);
        let c = dx.contiguous()?;
        let strides = crate::layout::contiguous_strides(&shape);
        let off = c.layout.offset;
        return Ok(c.with_layout(crate::layout::Layout { shape, strides, offset: off }));
    }
    let dd = d as i64 - y.ndim() as i64 + x.ndim() as i64;
    if dd < 0 {
        bail!(runtime, "trapezoid: x must be 1-D or broadcastable along dim");
    }
    let n = x.shape()[dd as usize];
    sub(&narrow(x, dd as usize, 1, n.saturating_sub(1))?, &narrow(x, dd as usize, 0, n.saturating_sub(1))?)
}

/// `trapezoid(y, x=None, dx=1, dim=-1)` and its cumulative form, composed of differentiable ops.
pub fn trapezoid(y: &Tensor, x: Option<&Tensor>, dx: f64, dim: i64, cumulative: bool) -> Result<Tensor> {
    if y.ndim() == 0 {
        bail!(index, "Dimension specified as {dim} but tensor has no dimensions");
    }
    let d = crate::layout::wrap_dim(dim, y.ndim())?;
    let n = y.shape()[d];
    let yf = if y.dtype.is_floating_point() || y.dtype.is_complex() { y.clone() } else { y.to_dtype(crate::dtype::default_dtype(), false)? };
    if n == 0 {
        let mut shape = y.shape().to_vec();
        if cumulative {
            return Tensor::zeros(&shape, yf.dtype, y.device());
        }
        shape.remove(d);
        return Tensor::zeros(&shape, yf.dtype, y.device());
    }
    let pair = add(&narrow(&yf, d, 1, n - 1)?, &narrow(&yf, d, 0, n - 1)?)?;
    match x {
        None => {
            if cumulative {
                let h = scale(&pair, dx / 2.0)?;
                super::reduce::scan(&h, d as i64, crate::ops::reduce::ScanOp::Sum, None)
            } else {
                let ends = add(&narrow(&yf, d, 0, 1)?, &narrow(&yf, d, n - 1, 1)?)?;
                let ends = crate::ops::shape::squeeze(&ends, Some(&[d]), "SqueezeBackward1")?;
                let s = super::formulas::sum_mean(&yf, Some(&[d as i64]), false, None, false, false)?;
                scale(&sub(&s, &scale(&ends, 0.5)?)?, dx)
            }
        }
        Some(xt) => {
            let sp = spacing(&yf, xt, d)?;
            let h = scale(&mul(&sp, &pair)?, 0.5)?;
            if cumulative {
                super::reduce::scan(&h, d as i64, crate::ops::reduce::ScanOp::Sum, None)
            } else {
                super::formulas::sum_mean(&h, Some(&[d as i64]), false, None, false, false)
            }
        }
    }
}
