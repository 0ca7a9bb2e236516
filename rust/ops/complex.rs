//! Complex-number ops: `complex`, `polar`, `view_as_real`/`view_as_complex` (views) and the
//! real/imaginary part views, each with its autograd node (torch's conjugate Wirtinger convention).
use crate::autograd::formulas::{self as f, gr};
use crate::autograd::{record, should_record};
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::layout::{Layout, broadcast_shapes};
use crate::ops::binary::{self as b, Arg, BinaryOp};
use crate::ops::unary::{self as u, UnaryOp};
use crate::tensor::Tensor;

/// `view_as_real(x)`: the complex tensor seen as real pairs (shape `[..., 2]`, strides doubled).
pub fn view_as_real(x: &Tensor) -> Result<Tensor> {
    if !x.dtype.is_complex() {
        bail!(type_error, "view_as_real is only supported for complex tensors");
    }
    if x.conj {
        bail!(
            runtime,
            "view_as_real doesn't work on unresolved conjugated tensors.  To resolve the conjugate tensor so you can view it as real, use self.resolve_conj(); however, be warned that the resulting tensor will NOT alias the original."
        );
    }
    view_as_real_raw(x)
}

/// [`view_as_real`] without the conjugate-bit check; the view keeps the negative bit.
pub(crate) fn view_as_real_raw(x: &Tensor) -> Result<Tensor> {
    let l = &x.layout;
    let mut shape = l.shape.clone();
    shape.push(2);
    let mut strides: Vec<isize> = l.strides.iter().map(|s| s * 2).collect();
    strides.push(1);
    let layout = Layout { shape, strides, offset: l.offset * 2 };
    let mut r = Tensor::from_storage(x.storage.clone(), layout, x.dtype.to_real());
    r.neg = x.neg;
    if should_record(&[x]) {
        record("ViewAsRealBackward0", &[x], &mut [&mut r], vec![], |_, g| {
            // grad.contiguous(), recorded (CloneBackward0) so double backward sees it
            let g = gr(g)?;
            let g = if g.is_contiguous() && !g.has_bits() { g.clone() } else { f::clone(g, |t| t.contiguous_copy())? };
            Ok(vec![Some(view_as_complex(&g)?)])
        });
        return Ok(crate::autograd::inplace::mark_view(x, r));
    }
    if x.ag.is_some() {
        return Ok(crate::autograd::inplace::track_view(x, r));
    }
    Ok(r)
}

/// `view_as_complex(x)`: real pairs in the last dim (size 2, stride 1) seen as complex numbers.
pub fn view_as_complex(x: &Tensor) -> Result<Tensor> {
    let cdt = match x.dtype {
        DType::F16 => DType::C32,
        DType::F32 => DType::C64,
        DType::F64 => DType::C128,
        d => bail!(
            not_implemented,
            "view_as_complex is only supported for half, float and double tensors, but got a tensor of scalar type: {}",
            d.scalar_name()
        ),
    };
    let l = &x.layout;
    let n = l.ndim();
    if n == 0 {
        bail!(runtime, "Input tensor must have one or more dimensions");
    }
    if l.shape[n - 1] != 2 {
        bail!(runtime, "Tensor must have a last dimension of size 2");
    }
    if l.strides[n - 1] != 1 {
        bail!(runtime, "Tensor must have a last dimension with stride 1");
    }
    if l.strides[..n - 1].iter().any(|s| s % 2 != 0) {
        bail!(runtime, "Tensor must have a stride divisible by 2 for all but last dimension");
    }
    if l.offset % 2 != 0 {
        bail!(runtime, "Tensor must have a storage_offset divisible by 2");
    }
    let layout = Layout {
        shape: l.shape[..n - 1].to_vec(),
        strides: l.strides[..n - 1].iter().map(|s| s / 2).collect(),
        offset: l.offset / 2,
    };
    let mut r = Tensor::from_storage(x.storage.clone(), layout, cdt);
    r.neg = x.neg;
    if should_record(&[x]) {
        record("ViewAsComplexBackward0", &[x], &mut [&mut r], vec![], |_, g| Ok(vec![Some(view_as_real(gr(g)?)?)]));
        return Ok(crate::autograd::inplace::mark_view(x, r));
    }
    if x.ag.is_some() {
        return Ok(crate::autograd::inplace::track_view(x, r));
    }
    Ok(r)
}

/// `x.real` of a complex tensor: a view (torch's `select(view_as_real(x), -1, 0)`).
pub fn real_part(x: &Tensor) -> Result<Tensor> {
    part(x, 0)
}

/// `x.imag` of a complex tensor: a view (torch's `select(view_as_real(x), -1, 1)`).
pub fn imag_part(x: &Tensor) -> Result<Tensor> {
    part(x, 1)
}

fn part(x: &Tensor, which: usize) -> Result<Tensor> {
    // As torch: a conjugate view is conjugated back first (`_conj`, a view of the stored values),
    // and the imaginary part of a conjugate view is then a negative view (`_neg_view`).
    let stored = if x.conj { conj_view(x, "ConjBackward0")? } else { x.clone() };
    let mut v = view_as_real_raw(&stored)?;
    if which == 1 && x.conj {
        v = neg_view(&v)?;
    }
    let last = v.ndim() - 1;
    v.view_op("SelectBackward0", move |l| Ok(l.select(last, which)))
}

/// The complex dtype for a pair of real parts, with torch's checks for `complex`/`polar`.
fn pair_dtype(a: &Tensor, b: &Tensor) -> Result<DType> {
    let ok = |d: DType| matches!(d, DType::F16 | DType::F32 | DType::F64);
    if !ok(a.dtype) || !ok(b.dtype) {
        bail!(
            not_implemented,
            "Expected both inputs to be Half, Float or Double tensors but got {} and {}",
            a.dtype.scalar_name(),
            b.dtype.scalar_name()
        );
    }
    if a.dtype != b.dtype {
        bail!(
            runtime,
            "Expected object of scalar type {} but got scalar type {} for second argument",
            a.dtype.scalar_name(),
            b.dtype.scalar_name()
        );
    }
    for t in [a, b] {
        if t.device() != Device::Cpu {
            bail!(not_implemented, "[complex] CUDA kernels are not implemented yet");
        }
    }
    Ok(a.dtype.to_complex())
}

/// Checks an `out=` tensor of `complex`/`polar`: torch wants exactly the result dtype.
pub fn check_out(out: &Tensor, dt: DType) -> Result<()> {
    if out.dtype != dt {
        bail!(
            runtime,
            "Expected object of scalar type {} but got scalar type {} for argument 'out'",
            dt.scalar_name(),
            out.dtype.scalar_name()
        );
    }
    Ok(())
}

/// Builds a complex tensor from real and imaginary parts (already of the part dtype).
fn assemble(re: &Tensor, im: &Tensor, cdt: DType, la: &Layout, lb: &Layout) -> Result<Tensor> {
    let shape = broadcast_shapes(re.shape(), im.shape())?;
    let layout = if shape.len() <= 1 { Layout::contiguous(&shape) } else { super::iter_layout::iter_output_layout(&shape, &[la, lb]) };
    let out = Tensor::for_overwrite_layout(layout, cdt)?;
    let (ro, io) = (real_part(&out)?, imag_part(&out)?);
    ro.copy_(&re.detached())?;
    io.copy_(&im.detached())?;
    Ok(out)
}

/// `torch.complex(real, imag)`.
pub fn complex(re: &Tensor, im: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(re);
    crate::resolve_bits!(im);
    let cdt = pair_dtype(re, im)?;
    let mut r = assemble(re, im, cdt, &re.layout, &im.layout)?;
    if should_record(&[re, im]) {
        let (sa, sb) = (re.shape().to_vec(), im.shape().to_vec());
        record("ComplexBackward0", &[re, im], &mut [&mut r], vec![], move |ctx, g| {
            let g = gr(g)?;
            let ga = if ctx.needs(0) { Some(f::sum_to(&real_of(g)?, &sa)?) } else { None };
            let gb = if ctx.needs(1) { Some(f::sum_to(&imag_of(g)?, &sb)?) } else { None };
            Ok(vec![ga, gb])
        });
    }
    Ok(r)
}

/// The real part of a gradient (itself when real).
fn real_of(g: &Tensor) -> Result<Tensor> {
    if g.dtype.is_complex() { real_part(g)?.contiguous() } else { Ok(g.clone()) }
}

fn imag_of(g: &Tensor) -> Result<Tensor> {
    if g.dtype.is_complex() { imag_part(g)?.contiguous() } else { f::scale(g, 0.0) }
}

/// `torch.polar(abs, angle)`: `abs * (cos(angle) + i sin(angle))`.
pub fn polar(abs: &Tensor, angle: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(abs);
    crate::resolve_bits!(angle);
    let cdt = pair_dtype(abs, angle)?;
    let (a, t) = (abs.detached(), angle.detached());
    let re = b::binary(BinaryOp::Mul, Arg::T(&a), Arg::T(&u::unary(UnaryOp::Cos, &t, None)?), None, None)?;
    let im = b::binary(BinaryOp::Mul, Arg::T(&a), Arg::T(&u::unary(UnaryOp::Sin, &t, None)?), None, None)?;
    let mut r = assemble(&re, &im, cdt, &abs.layout, &angle.layout)?;
    if should_record(&[abs, angle]) {
        let (sa, sb) = (abs.shape().to_vec(), angle.shape().to_vec());
        let saved = r.detached();
        record("PolarBackward0", &[abs, angle], &mut [&mut r], vec![], move |ctx, g| {
            // grad_abs = re(conj(g) * sgn(r)), grad_angle = re(conj(g) * i r)
            let gc = f::conj(gr(g)?)?;
            let ga = if ctx.needs(0) {
                let s = u::unary(UnaryOp::Sgn, &saved, None)?;
                Some(f::sum_to(&real_of(&f::mul(&gc, &s)?)?, &sa)?)
            } else {
                None
            };
            let gb = if ctx.needs(1) {
                let ir = b::binary(BinaryOp::Mul, Arg::T(&saved), Arg::S(Pivot::C(0.0, 1.0)), None, None)?;
                Some(f::sum_to(&real_of(&f::mul(&gc, &ir)?)?, &sb)?)
            } else {
                None
            };
            Ok(vec![ga, gb])
        });
    }
    Ok(r)
}

/// `x ** s` for a complex computation with a real-valued Python scalar exponent: torch's fast
/// paths (0 -> ones, 1 -> copy, 2/3/-2 -> products, 0.5/-0.5/-1 -> sqrt/rsqrt/reciprocal).
/// None when the generic kernel applies.
pub fn pow_scalar_special(x: &Tensor, e: Pivot, compute: DType) -> Result<Option<Tensor>> {
    if !compute.is_complex() || compute == DType::C32 {
        return Ok(None);
    }
    let v = match e {
        Pivot::B(b) => b as u8 as f64,
        Pivot::I(i) => i as f64,
        Pivot::F(f) => f,
        Pivot::C(re, im) if im == 0.0 => re,
        _ => return Ok(None),
    };
    let xc = || x.to_dtype(compute, false);
    let mul = |a: &Tensor, c: &Tensor| b::binary(BinaryOp::Mul, Arg::T(a), Arg::T(c), None, None);
    let r = if v == 0.0 {
        let layout = x.preserved_layout(false);
        let t = Tensor::for_overwrite_layout(layout, compute)?;
        t.fill_(Pivot::C(1.0, 0.0))?;
        t
    } else if v == 1.0 {
        let c = xc()?;
        let t = Tensor::for_overwrite_layout(c.preserved_layout(false), compute)?;
        t.copy_(&c)?;
        t
    } else if v == 0.5 {
        u::unary(UnaryOp::Sqrt, &xc()?, None)?
    } else if v == -0.5 {
        u::unary(UnaryOp::Rsqrt, &xc()?, None)?
    } else if v == -1.0 {
        u::unary(UnaryOp::Reciprocal, &xc()?, None)?
    } else if v == 2.0 {
        let c = xc()?;
        mul(&c, &c)?
    } else if v == 3.0 {
        let c = xc()?;
        mul(&mul(&c, &c)?, &c)?
    } else if v == -2.0 {
        let c = xc()?;
        u::unary(UnaryOp::Reciprocal, &mul(&c, &c)?, None)?
    } else {
        return Ok(None);
    };
    Ok(Some(r))
}

/// `angle(x)` with its autograd node: `g * i z / |z|^2` (0 at z = 0) for complex z, 0 for real x.
pub fn angle(x: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(x);
    let mut r = crate::ops::ternary::angle(&x.detached(), None)?;
    if should_record(&[x]) {
        let saved = x.detached();
        record("AngleBackward0", &[x], &mut [&mut r], vec![], move |_, g| {
            let g = gr(g)?;
            if !saved.dtype.is_complex() {
                return Ok(vec![Some(f::scale(g, 0.0)?)]);
            }
            let a = u::unary(UnaryOp::Abs, &saved, None)?;
            let a2 = f::mul(&a, &a)?;
            let iz = b::binary(BinaryOp::Mul, Arg::T(&saved), Arg::S(Pivot::C(0.0, 1.0)), None, None)?;
            let t = f::div(&f::mul(g, &iz)?, &a2)?;
            let zero = b::binary(BinaryOp::Eq, Arg::T(&saved), Arg::S(Pivot::I(0)), None, None)?;
            Ok(vec![Some(crate::ops::ternary::where_(&zero, Arg::S(Pivot::I(0)), Arg::T(&t), None)?)])
        });
    }
    Ok(r)
}

/// The gradient of `sgn` at complex `x`: `(g - re(g conj(sgn x)) sgn x) / |x|`, 0 where x = 0.
pub fn sgn_backward(g: &Tensor, x: &Tensor) -> Result<Tensor> {
    let sg = u::unary(UnaryOp::Sgn, x, None)?;
    let a = u::unary(UnaryOp::Abs, x, None)?;
    let re = real_of(&f::mul(g, &f::conj(&sg)?)?)?;
    let t = f::div(&f::sub(g, &f::mul(&re, &sg)?)?, &a)?;
    let zero = b::binary(BinaryOp::Eq, Arg::T(&a), Arg::S(Pivot::I(0)), None, None)?;
    crate::ops::ternary::where_(&zero, Arg::S(Pivot::I(0)), Arg::T(&t), None)
}

/// `x.conj()` of a complex tensor: a view of the same storage with the conjugate bit toggled,
/// recorded as `name` under autograd (the gradient is the conjugate of the incoming one).
pub fn conj_view(x: &Tensor, name: &'static str) -> Result<Tensor> {
    let mut r = x.with_bits(!x.conj, x.neg);
    if should_record(&[x]) {
        record(name, &[x], &mut [&mut r], vec![], |_, g| Ok(vec![Some(f::conj(gr(g)?)?)]));
        return Ok(crate::autograd::inplace::mark_view(x, r));
    }
    if x.ag.is_some() {
        return Ok(crate::autograd::inplace::track_view(x, r));
    }
    Ok(r)
}

/// `torch._neg_view(x)`: a view with the negative bit toggled (NegViewBackward0 negates).
pub fn neg_view(x: &Tensor) -> Result<Tensor> {
    let mut r = x.with_bits(x.conj, !x.neg);
    if should_record(&[x]) {
        record("NegViewBackward0", &[x], &mut [&mut r], vec![], |_, g| Ok(vec![Some(f::neg(gr(g)?)?)]));
        return Ok(crate::autograd::inplace::mark_view(x, r));
    }
    if x.ag.is_some() {
        return Ok(crate::autograd::inplace::track_view(x, r));
    }
    Ok(r)
}

/// `resolve_conj()` (`conj = true`) / `resolve_neg()` of a tensor with that bit set: a copy with
/// every bit materialised (torch's copy resolves the other bit too), recorded as CloneBackward0.
pub fn resolve(x: &Tensor, conj: bool) -> Result<Tensor> {
    let _ = conj;
    let mut r = x.resolve_bits(true, true)?;
    if should_record(&[x]) {
        record("CloneBackward0", &[x], &mut [&mut r], vec![], |_, g| Ok(vec![Some(gr(g)?.clone())]));
    }
    Ok(r)
}
