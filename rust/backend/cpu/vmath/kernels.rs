//! The public kernels: one marker type per op binds its f32 and f64 lane functions, and
//! `unary_api!` stamps the slice, in-place and scalar entry points for each dtype.
use super::core64 as c;
use super::fast32 as f;
use super::special as s;
use super::{Binary, Unary, UnaryP, binary_inplace_with, binary_with, isa, unary_inplace_with, unary_with};
use super::{unaryp_inplace_with, unaryp_with};

// C99 functions Rust's std does not forward to libm (std computes asinh/acosh/atanh with its own
// formulas). SAFETY: they take and return plain doubles, have no preconditions and touch no memory.
unsafe extern "C" {
    safe fn asinh(x: f64) -> f64;
    safe fn acosh(x: f64) -> f64;
    safe fn atanh(x: f64) -> f64;
}

/// Declares marker `$k` with lane functions for both dtypes. `via64` lanes evaluate the f32
/// op in f64 and round once.
macro_rules! kernel {
    ($k:ident, f32: $f32:path, f64: $f64:path) => {
        pub(super) struct $k;
        impl Unary<f32> for $k {
            #[inline(always)]
            fn lane(x: f32) -> f32 {
                $f32(x)
            }
        }
        impl Unary<f64> for $k {
            #[inline(always)]
            fn lane(x: f64) -> f64 {
                $f64(x)
            }
        }
    };
    ($k:ident, via64: $core:path, f64: $f64:path) => {
        pub(super) struct $k;
        impl Unary<f32> for $k {
            #[inline(always)]
            fn lane(x: f32) -> f32 {
                $core(x as f64) as f32
            }
        }
        impl Unary<f64> for $k {
            #[inline(always)]
            fn lane(x: f64) -> f64 {
                $f64(x)
            }
        }
    };
}

kernel!(Exp, f32: f::exp, f64: c::exp);
kernel!(Exp2, via64: c::exp2, f64: f64::exp2);
kernel!(Expm1, via64: c::expm1_g, f64: c::expm1);
kernel!(Log, f32: f::log, f64: c::log);
kernel!(Log2, via64: c::log2, f64: f64::log2);
kernel!(Log10, via64: c::log10, f64: f64::log10);
kernel!(Log1p, via64: c::log1p_g, f64: c::log1p);
kernel!(Sqrt, f32: f32::sqrt, f64: f64::sqrt);
kernel!(Rsqrt, f32: f::rsqrt, f64: c::rsqrt);
kernel!(Tanh, f32: f::tanh, f64: c::tanh);
kernel!(Sigmoid, f32: f::sigmoid, f64: c::sigmoid);
kernel!(Erf, via64: s::erf::<false>, f64: s::erf::<true>);
kernel!(Erfc, via64: s::erfc::<false>, f64: s::erfc::<true>);
kernel!(Erfinv, via64: s::erfinv::<1, false>, f64: s::erfinv::<2, true>);
kernel!(Atan, via64: s::atan, f64: s::atan);
kernel!(Asin, via64: s::asin, f64: f64::asin);
kernel!(Acos, via64: s::acos, f64: f64::acos);
kernel!(Sinh, via64: c::sinh, f64: f64::sinh);
kernel!(Cosh, via64: c::cosh, f64: f64::cosh);
kernel!(Asinh, via64: c::asinh, f64: asinh);
kernel!(Acosh, via64: c::acosh, f64: acosh);
kernel!(Atanh, via64: c::atanh, f64: atanh);
kernel!(Gelu, via64: s::gelu::<false>, f64: s::gelu::<true>);
kernel!(GeluTanh, f32: f::gelu_tanh, f64: c::gelu_tanh);
kernel!(Silu, f32: f::silu, f64: c::silu);
kernel!(Mish, via64: c::mish::<false>, f64: c::mish::<true>);
kernel!(LogSigmoid, via64: c::logsigmoid::<false>, f64: c::logsigmoid::<true>);

/// The f32 trig kernels send huge arguments (and infinities) to libm, whose reduction is exact.
macro_rules! trig_kernel {
    ($k:ident, $lane:path, $libm:path) => {
        pub(super) struct $k;
        impl Unary<f32> for $k {
            #[inline(always)]
            fn lane(x: f32) -> f32 {
                $lane(x)
            }
            const SLOW: bool = true;
            #[inline(always)]
            fn needs_slow(x: f32) -> bool {
                x.abs() >= s::TRIG_BIG
            }
            #[inline(always)]
            fn scalar(x: f32) -> f32 {
                if Self::needs_slow(x) { $libm(x as f64) as f32 } else { $lane(x) }
            }
        }
        impl Unary<f64> for $k {
            #[inline(always)]
            fn lane(x: f64) -> f64 {
                $libm(x)
            }
        }
    };
}

trig_kernel!(Sin, s::sin32, f64::sin);
trig_kernel!(Cos, s::cos32, f64::cos);
trig_kernel!(Tan, s::tan32, f64::tan);

pub(super) struct Atan2;
impl Binary<f32> for Atan2 {
    #[inline(always)]
    fn lane(y: f32, x: f32) -> f32 {
        s::atan2(y as f64, x as f64) as f32
    }
}
impl Binary<f64> for Atan2 {
    #[inline(always)]
    fn lane(y: f64, x: f64) -> f64 {
        y.atan2(x)
    }
}

pub(super) struct Pow;
impl Binary<f32> for Pow {
    #[inline(always)]
    fn lane(x: f32, y: f32) -> f32 {
        c::pow(x as f64, y as f64) as f32
    }
}
impl Binary<f64> for Pow {
    #[inline(always)]
    fn lane(x: f64, y: f64) -> f64 {
        x.powf(y)
    }
}

/// softplus(x; beta, threshold). For f32 the threshold test uses the f32 product `x * beta`, as
/// torch does; the value is computed in f64.
pub(super) struct Softplus;
impl UnaryP<f32> for Softplus {
    type P = (f32, f32);
    #[inline(always)]
    fn lane(x: f32, (beta, threshold): (f32, f32)) -> f32 {
        let v = c::softplus_value::<false>(x as f64, beta as f64) as f32;
        if x * beta > threshold { x } else { v }
    }
}
impl UnaryP<f64> for Softplus {
    type P = (f64, f64);
    #[inline(always)]
    fn lane(x: f64, (beta, threshold): (f64, f64)) -> f64 {
        c::softplus(x, beta, threshold)
    }
}

/// Stamps `op_t`, `op_t_inplace` and `op_t_scalar` for kernel `$k` and dtype `$t`.
macro_rules! unary_api {
    ($k:ident, $op:literal, $t:ty: $slice:ident, $inplace:ident, $scalar:ident) => {
        #[doc = concat!("`out[i] = ", $op, "(x[i])` for `i < min(x.len(), out.len())`.")]
        pub fn $slice(x: &[$t], out: &mut [$t]) {
            unary_with::<$t, $k>(isa(), x, out)
        }
        #[doc = concat!("`buf[i] = ", $op, "(buf[i])`.")]
        pub fn $inplace(buf: &mut [$t]) {
            unary_inplace_with::<$t, $k>(isa(), buf)
        }
        #[doc = concat!("`", $op, "(x)` for one value, bit-identical to the slice kernels.")]
        #[inline]
        pub fn $scalar(x: $t) -> $t {
            <$k as Unary<$t>>::scalar(x)
        }
    };
}

unary_api!(Exp, "exp", f32: exp_f32, exp_f32_inplace, exp_f32_scalar);
unary_api!(Exp, "exp", f64: exp_f64, exp_f64_inplace, exp_f64_scalar);
unary_api!(Exp2, "exp2", f32: exp2_f32, exp2_f32_inplace, exp2_f32_scalar);
unary_api!(Exp2, "exp2", f64: exp2_f64, exp2_f64_inplace, exp2_f64_scalar);
unary_api!(Expm1, "expm1", f32: expm1_f32, expm1_f32_inplace, expm1_f32_scalar);
unary_api!(Expm1, "expm1", f64: expm1_f64, expm1_f64_inplace, expm1_f64_scalar);
unary_api!(Log, "log", f32: log_f32, log_f32_inplace, log_f32_scalar);
unary_api!(Log, "log", f64: log_f64, log_f64_inplace, log_f64_scalar);
unary_api!(Log2, "log2", f32: log2_f32, log2_f32_inplace, log2_f32_scalar);
unary_api!(Log2, "log2", f64: log2_f64, log2_f64_inplace, log2_f64_scalar);
unary_api!(Log10, "log10", f32: log10_f32, log10_f32_inplace, log10_f32_scalar);
unary_api!(Log10, "log10", f64: log10_f64, log10_f64_inplace, log10_f64_scalar);
unary_api!(Log1p, "log1p", f32: log1p_f32, log1p_f32_inplace, log1p_f32_scalar);
unary_api!(Log1p, "log1p", f64: log1p_f64, log1p_f64_inplace, log1p_f64_scalar);
unary_api!(Sqrt, "sqrt", f32: sqrt_f32, sqrt_f32_inplace, sqrt_f32_scalar);
unary_api!(Sqrt, "sqrt", f64: sqrt_f64, sqrt_f64_inplace, sqrt_f64_scalar);
unary_api!(Rsqrt, "rsqrt", f32: rsqrt_f32, rsqrt_f32_inplace, rsqrt_f32_scalar);
unary_api!(Rsqrt, "rsqrt", f64: rsqrt_f64, rsqrt_f64_inplace, rsqrt_f64_scalar);
unary_api!(Sin, "sin", f32: sin_f32, sin_f32_inplace, sin_f32_scalar);
unary_api!(Sin, "sin", f64: sin_f64, sin_f64_inplace, sin_f64_scalar);
unary_api!(Cos, "cos", f32: cos_f32, cos_f32_inplace, cos_f32_scalar);
unary_api!(Cos, "cos", f64: cos_f64, cos_f64_inplace, cos_f64_scalar);
unary_api!(Tan, "tan", f32: tan_f32, tan_f32_inplace, tan_f32_scalar);
unary_api!(Tan, "tan", f64: tan_f64, tan_f64_inplace, tan_f64_scalar);
unary_api!(Tanh, "tanh", f32: tanh_f32, tanh_f32_inplace, tanh_f32_scalar);
unary_api!(Tanh, "tanh", f64: tanh_f64, tanh_f64_inplace, tanh_f64_scalar);
unary_api!(Sigmoid, "sigmoid", f32: sigmoid_f32, sigmoid_f32_inplace, sigmoid_f32_scalar);
unary_api!(Sigmoid, "sigmoid", f64: sigmoid_f64, sigmoid_f64_inplace, sigmoid_f64_scalar);
unary_api!(Erf, "erf", f32: erf_f32, erf_f32_inplace, erf_f32_scalar);
unary_api!(Erf, "erf", f64: erf_f64, erf_f64_inplace, erf_f64_scalar);
unary_api!(Erfc, "erfc", f32: erfc_f32, erfc_f32_inplace, erfc_f32_scalar);
unary_api!(Erfc, "erfc", f64: erfc_f64, erfc_f64_inplace, erfc_f64_scalar);
unary_api!(Erfinv, "erfinv", f32: erfinv_f32, erfinv_f32_inplace, erfinv_f32_scalar);
unary_api!(Erfinv, "erfinv", f64: erfinv_f64, erfinv_f64_inplace, erfinv_f64_scalar);
unary_api!(Atan, "atan", f32: atan_f32, atan_f32_inplace, atan_f32_scalar);
unary_api!(Atan, "atan", f64: atan_f64, atan_f64_inplace, atan_f64_scalar);
unary_api!(Asin, "asin", f32: asin_f32, asin_f32_inplace, asin_f32_scalar);
unary_api!(Asin, "asin", f64: asin_f64, asin_f64_inplace, asin_f64_scalar);
unary_api!(Acos, "acos", f32: acos_f32, acos_f32_inplace, acos_f32_scalar);
unary_api!(Acos, "acos", f64: acos_f64, acos_f64_inplace, acos_f64_scalar);
unary_api!(Sinh, "sinh", f32: sinh_f32, sinh_f32_inplace, sinh_f32_scalar);
unary_api!(Sinh, "sinh", f64: sinh_f64, sinh_f64_inplace, sinh_f64_scalar);
unary_api!(Cosh, "cosh", f32: cosh_f32, cosh_f32_inplace, cosh_f32_scalar);
unary_api!(Cosh, "cosh", f64: cosh_f64, cosh_f64_inplace, cosh_f64_scalar);
unary_api!(Asinh, "asinh", f32: asinh_f32, asinh_f32_inplace, asinh_f32_scalar);
unary_api!(Asinh, "asinh", f64: asinh_f64, asinh_f64_inplace, asinh_f64_scalar);
unary_api!(Acosh, "acosh", f32: acosh_f32, acosh_f32_inplace, acosh_f32_scalar);
unary_api!(Acosh, "acosh", f64: acosh_f64, acosh_f64_inplace, acosh_f64_scalar);
unary_api!(Atanh, "atanh", f32: atanh_f32, atanh_f32_inplace, atanh_f32_scalar);
unary_api!(Atanh, "atanh", f64: atanh_f64, atanh_f64_inplace, atanh_f64_scalar);
unary_api!(Gelu, "gelu", f32: gelu_f32, gelu_f32_inplace, gelu_f32_scalar);
unary_api!(Gelu, "gelu", f64: gelu_f64, gelu_f64_inplace, gelu_f64_scalar);
unary_api!(GeluTanh, "gelu_tanh", f32: gelu_tanh_f32, gelu_tanh_f32_inplace, gelu_tanh_f32_scalar);
unary_api!(GeluTanh, "gelu_tanh", f64: gelu_tanh_f64, gelu_tanh_f64_inplace, gelu_tanh_f64_scalar);
unary_api!(Silu, "silu", f32: silu_f32, silu_f32_inplace, silu_f32_scalar);
unary_api!(Silu, "silu", f64: silu_f64, silu_f64_inplace, silu_f64_scalar);
unary_api!(Mish, "mish", f32: mish_f32, mish_f32_inplace, mish_f32_scalar);
unary_api!(Mish, "mish", f64: mish_f64, mish_f64_inplace, mish_f64_scalar);
unary_api!(LogSigmoid, "logsigmoid", f32: logsigmoid_f32, logsigmoid_f32_inplace, logsigmoid_f32_scalar);
unary_api!(LogSigmoid, "logsigmoid", f64: logsigmoid_f64, logsigmoid_f64_inplace, logsigmoid_f64_scalar);

/// Stamps the binary entry points; the in-place form overwrites the first operand.
macro_rules! binary_api {
    ($k:ident, $op:literal, $t:ty: $slice:ident, $inplace:ident, $scalar:ident) => {
        #[doc = concat!("`out[i] = ", $op, "(a[i], b[i])` for `i` below the shortest length.")]
        pub fn $slice(a: &[$t], b: &[$t], out: &mut [$t]) {
            binary_with::<$t, $k>(isa(), a, b, out)
        }
        #[doc = concat!("`a[i] = ", $op, "(a[i], b[i])`.")]
        pub fn $inplace(a: &mut [$t], b: &[$t]) {
            binary_inplace_with::<$t, $k>(isa(), a, b)
        }
        #[doc = concat!("`", $op, "(a, b)` for one pair, bit-identical to the slice kernels.")]
        #[inline]
        pub fn $scalar(a: $t, b: $t) -> $t {
            <$k as Binary<$t>>::lane(a, b)
        }
    };
}

binary_api!(Atan2, "atan2", f32: atan2_f32, atan2_f32_inplace, atan2_f32_scalar);
binary_api!(Atan2, "atan2", f64: atan2_f64, atan2_f64_inplace, atan2_f64_scalar);
binary_api!(Pow, "pow", f32: pow_f32, pow_f32_inplace, pow_f32_scalar);
binary_api!(Pow, "pow", f64: pow_f64, pow_f64_inplace, pow_f64_scalar);

macro_rules! softplus_api {
    ($t:ty: $slice:ident, $inplace:ident, $scalar:ident) => {
        /// torch's softplus: `x` where `x * beta > threshold`, else `log1p(exp(x * beta)) / beta`.
        pub fn $slice(x: &[$t], beta: $t, threshold: $t, out: &mut [$t]) {
            unaryp_with::<$t, Softplus>(isa(), x, out, (beta, threshold))
        }
        /// In-place softplus.
        pub fn $inplace(buf: &mut [$t], beta: $t, threshold: $t) {
            unaryp_inplace_with::<$t, Softplus>(isa(), buf, (beta, threshold))
        }
        /// softplus of one value, bit-identical to the slice kernels.
        #[inline]
        pub fn $scalar(x: $t, beta: $t, threshold: $t) -> $t {
            <Softplus as UnaryP<$t>>::lane(x, (beta, threshold))
        }
    };
}

softplus_api!(f32: softplus_f32, softplus_f32_inplace, softplus_f32_scalar);
softplus_api!(f64: softplus_f64, softplus_f64_inplace, softplus_f64_scalar);
