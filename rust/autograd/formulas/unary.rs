//! Unary ops in the derivative table: node names, which ops differentiate and whether their
//! backward reads the input or the result, and each backward formula.
use super::*;

fn unary_name(op: UnaryOp) -> &'static str {
    use UnaryOp::*;
    match op {
        Neg => "NegBackward0",
        Abs => "AbsBackward0",
        Sign => "SignBackward0",
        Sgn => "SgnBackward0",
        Square => "PowBackward0",
        Reciprocal => "ReciprocalBackward0",
        Floor => "FloorBackward0",
        Ceil => "CeilBackward0",
        Round => "RoundBackward0",
        Trunc => "TruncBackward0",
        Frac => "FracBackward0",
        Relu => "ReluBackward0",
        Sqrt => "SqrtBackward0",
        Rsqrt => "RsqrtBackward0",
        Exp => "ExpBackward0",
        Exp2 => "Exp2Backward0",
        Expm1 => "Expm1Backward0",
        Log => "LogBackward0",
        Log2 => "Log2Backward0",
        Log10 => "Log10Backward0",
        Log1p => "Log1PBackward0",
        Sin => "SinBackward0",
        Cos => "CosBackward0",
        Tan => "TanBackward0",
        Asin => "AsinBackward0",
        Acos => "AcosBackward0",
        Atan => "AtanBackward0",
        Sinh => "SinhBackward0",
        Cosh => "CoshBackward0",
        Tanh => "TanhBackward0",
        Asinh => "AsinhBackward0",
        Acosh => "AcoshBackward0",
        Atanh => "AtanhBackward0",
        Sigmoid => "SigmoidBackward0",
        Erf => "ErfBackward0",
        Erfc => "ErfcBackward0",
        Erfinv => "ErfinvBackward0",
        Silu => "SiluBackward0",
        Gelu | GeluTanh => "GeluBackward0",
        Mish => "MishBackward0",
        LogSigmoid => "LogSigmoidBackward0",
        _ => "NotDifferentiable",
    }
}

/// Whether `op`'s output is differentiable (float/complex results of float/complex inputs).
fn differentiable_unary(op: UnaryOp) -> bool {
    unary_name(op) != "NotDifferentiable"
}

/// Whether the formula reads the result rather than the input.
fn uses_result(op: UnaryOp) -> bool {
    use UnaryOp::*;
    matches!(op, Reciprocal | Relu | Sqrt | Rsqrt | Exp | Exp2 | Expm1 | Tan | Tanh | Sigmoid | Erfinv)
}

pub fn unary(op: UnaryOp, a: &Tensor, out: Option<&Tensor>) -> Result<Tensor> {
    if !should_record(&[a]) || !differentiable_unary(op) {
        return u::unary(op, a, out);
    }
    if out.is_some() {
        bail!(
            runtime,
            "{}(): functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad.",
            op.name()
        );
    }
    let mut r = u::unary(op, &a.detached(), None)?;
    if !(r.dtype.is_floating_point() || r.dtype.is_complex()) {
        return Ok(r);
    }
    let saved = if uses_result(op) { SavedTensor::output(&r, 0) } else { SavedTensor::input(a) };
    record(unary_name(op), &[a], &mut [&mut r], vec![saved], move |ctx, g| {
        let g = gr(g)?;
        let s = ctx.saved(0)?;
        Ok(vec![Some(unary_backward(op, g, &s)?)])
    });
    Ok(r)
}

/// d(op)/dx applied to g; `s` is the input, or the result for ops in `uses_result`.
fn unary_backward(op: UnaryOp, g: &Tensor, s: &Tensor) -> Result<Tensor> {
    use UnaryOp::*;
    // g * conj(d), for holomorphic ops.
    let chain = |d: Tensor| -> Result<Tensor> { mul(g, &conj(&d)?) };
    let sq = |x: &Tensor| mul(x, x);
    Ok(match op {
        // d(-x) = -1
        Neg => neg(g)?,
        // d|x| = sgn(x) (0 at 0; x/|x| for complex), kept differentiable for double backward
        Abs => mul(g, &un(Sgn, s)?)?,
        Sign | Sgn if !s.dtype.is_complex() => scale(g, 0.0)?,
        // torch: (g - real(g * conj(sgn)) * sgn) / abs, 0 where abs == 0
        Sgn => crate::ops::complex::sgn_backward(g, &s.detached())?,
        // piecewise constant: 0 almost everywhere
        Floor | Ceil | Round | Trunc => scale(g, 0.0)?,
        // frac(x) = x - trunc(x): slope 1
        Frac => g.clone(),
        // d(x^2) = 2x, written as torch's pow_backward: x^1 * 2
        Square => chain(scalar_op(BinaryOp::Mul, &scalar_op(BinaryOp::Pow, s, Pivot::I(1))?, Pivot::I(2))?)?,
        // d(1/x) = -1/x^2 = -r^2
        Reciprocal => chain(neg(&sq(s)?)?)?,
        // d relu = 1 where r > 0 (torch's threshold_backward: exactly 0 elsewhere)
        Relu => crate::autograd::double::relu_backward(g, s)?,
        // d sqrt(x) = 1/(2 sqrt(x)) = 1/(2r)
        Sqrt => div(g, &conj(&scale(s, 2.0)?)?)?,
        // d x^-1/2 = -x^-3/2 / 2 = -r^3/2
        Rsqrt => chain(scale(&mul(&sq(s)?, s)?, -0.5)?)?,
        // d e^x = e^x = r
        Exp => chain(s.clone())?,
        // d 2^x = 2^x ln 2
        Exp2 => chain(scale(s, std::f64::consts::LN_2)?)?,
        // d (e^x - 1) = e^x = r + 1
        Expm1 => chain(add_scalar(s, 1.0)?)?,
        // d ln x = 1/x
        Log => div(g, &conj(s)?)?,
        // d log2 x = 1/(x ln 2)
        Log2 => div(g, &conj(&scale(s, std::f64::consts::LN_2)?)?)?,
        // d log10 x = 1/(x ln 10)
        Log10 => div(g, &conj(&scale(s, std::f64::consts::LN_10)?)?)?,
        // d ln(1+x) = 1/(1+x)
        Log1p => div(g, &conj(&add_scalar(s, 1.0)?)?)?,
        // d sin = cos
        Sin => chain(un(Cos, s)?)?,
        // d cos = -sin
        Cos => chain(neg(&un(Sin, s)?)?)?,
        // d tan = sec^2 = 1 + tan^2 = 1 + r^2
        Tan => chain(add_scalar(&sq(s)?, 1.0)?)?,
        // d asin = 1/sqrt(1 - x^2)
        Asin => div(g, &conj(&un(Sqrt, &rsub_scalar(&sq(s)?, 1.0)?)?)?)?,
        // d acos = -1/sqrt(1 - x^2)
        Acos => neg(&div(g, &conj(&un(Sqrt, &rsub_scalar(&sq(s)?, 1.0)?)?)?)?)?,
        // d atan = 1/(1 + x^2)
        Atan => div(g, &conj(&add_scalar(&sq(s)?, 1.0)?)?)?,
        // d sinh = cosh
        Sinh => chain(un(Cosh, s)?)?,
        // d cosh = sinh
        Cosh => chain(un(Sinh, s)?)?,
        // d tanh = 1 - tanh^2 = 1 - r^2
        Tanh => crate::autograd::double::tanh_backward(g, s)?,
        // d asinh = 1/sqrt(x^2 + 1)
        Asinh => div(g, &conj(&un(Sqrt, &add_scalar(&sq(s)?, 1.0)?)?)?)?,
        // d acosh = 1/sqrt(x^2 - 1)
        Acosh => div(g, &conj(&un(Sqrt, &add_scalar(&sq(s)?, -1.0)?)?)?)?,
        // d atanh = 1/(1 - x^2)
        Atanh => div(g, &conj(&rsub_scalar(&sq(s)?, 1.0)?)?)?,
        // d sigmoid = s (1 - s), s = r
        Sigmoid => crate::autograd::double::sigmoid_backward(g, s)?,
        // d erf = 2/sqrt(pi) e^(-x^2)
        Erf => chain(scale(&un(Exp, &neg(&sq(s)?)?)?, std::f64::consts::FRAC_2_SQRT_PI)?)?,
        // d erfc = -2/sqrt(pi) e^(-x^2)
        Erfc => chain(scale(&un(Exp, &neg(&sq(s)?)?)?, -std::f64::consts::FRAC_2_SQRT_PI)?)?,
        // d erfinv = sqrt(pi)/2 e^(r^2) (inverse function rule)
        Erfinv => chain(scale(&un(Exp, &sq(s)?)?, std::f64::consts::PI.sqrt() / 2.0)?)?,
        Silu => {
            let sg = un(Sigmoid, s)?;
            // s(x) * (1 + x * (1 - s(x)))
            mul(g, &mul(&sg, &add_scalar(&mul(s, &rsub_scalar(&sg, 1.0)?)?, 1.0)?)?)?
        }
        // d gelu = Phi(x) + x phi(x) (tanh form: see double.rs)
        Gelu => crate::autograd::double::gelu_backward(g, s, false)?,
        GeluTanh => crate::autograd::double::gelu_backward(g, s, true)?,
        Mish => {
            let sp = softplus(s)?;
            let tsp = un(Tanh, &sp)?;
            let sg = un(Sigmoid, s)?;
            let d = add(&tsp, &mul(&mul(s, &sg)?, &rsub_scalar(&sq(&tsp)?, 1.0)?)?)?;
            mul(g, &d)?
        }
        // d log sigmoid(x) = 1 - sigmoid(x) = sigmoid(-x)
        LogSigmoid => mul(g, &un(Sigmoid, &neg(s)?)?)?,
        _ => bail!(runtime, "the derivative for '{}' is not implemented.", op.name()),
    })
}

/// log(1 + exp(x)), computed stably as max(x, 0) + log1p(exp(-|x|)).
fn softplus(x: &Tensor) -> Result<Tensor> {
    let relu = un(UnaryOp::Relu, x)?;
    let t = un(UnaryOp::Log1p, &un(UnaryOp::Exp, &neg(&un(UnaryOp::Abs, x)?)?)?)?;
    add(&relu, &t)
}

/// In-place `a.op_()` with autograd.
pub fn unary_(op: UnaryOp, a: &mut Tensor) -> Result<()> {
    crate::ops::binary::check_no_internal_overlap(a)?;
    if op == UnaryOp::Abs && a.dtype.is_complex() {
        crate::bail!(runtime, "In-place abs is not supported for complex tensors.");
    }
    if !should_record(&[a]) || !differentiable_unary(op) {
        if differentiable_unary(op) {
            crate::autograd::check_inplace(a)?;
        }
        return u::unary_(op, a);
    }
    inplace_with_grad(a, |snap| unary(op, snap, None))
}
