//! Complex elementwise math evaluated the way torch's CPU kernels evaluate it, so that infinite
//! and NaN parts (C99 Annex G) and the last bits of finite results agree.
//!
//! torch calls the C library (`std::asin(std::complex)` is glibc's `casin`) for most functions,
//! so those go straight to libm here. The rest are c10 formulas built on real libm functions;
//! torch's compiler contracts `x * y + z` into fused multiply-adds in them, reproduced with
//! `mul_add` where it changes the rounding.
use num_complex::Complex;
use num_traits::Float;

// C99 complex functions. `double complex` / `float complex` are passed and returned exactly like a
// `#[repr(C)]` pair of their part type (the x86-64 and AArch64 ABIs define them so), which is
// what `num_complex::Complex` is. SAFETY: pure functions of their by-value arguments.
unsafe extern "C" {
    safe fn casin(z: Complex<f64>) -> Complex<f64>;
    safe fn casinf(z: Complex<f32>) -> Complex<f32>;
    safe fn cacosf(z: Complex<f32>) -> Complex<f32>;
    safe fn catan(z: Complex<f64>) -> Complex<f64>;
    safe fn catanf(z: Complex<f32>) -> Complex<f32>;
    safe fn casinh(z: Complex<f64>) -> Complex<f64>;
    safe fn casinhf(z: Complex<f32>) -> Complex<f32>;
    safe fn cacosh(z: Complex<f64>) -> Complex<f64>;
    safe fn cacoshf(z: Complex<f32>) -> Complex<f32>;
    safe fn catanh(z: Complex<f64>) -> Complex<f64>;
    safe fn catanhf(z: Complex<f32>) -> Complex<f32>;
    safe fn csin(z: Complex<f64>) -> Complex<f64>;
    safe fn csinf(z: Complex<f32>) -> Complex<f32>;
    safe fn ccos(z: Complex<f64>) -> Complex<f64>;
    safe fn ccosf(z: Complex<f32>) -> Complex<f32>;
    safe fn ctan(z: Complex<f64>) -> Complex<f64>;
    safe fn ctanf(z: Complex<f32>) -> Complex<f32>;
    safe fn csinh(z: Complex<f64>) -> Complex<f64>;
    safe fn csinhf(z: Complex<f32>) -> Complex<f32>;
    safe fn ccosh(z: Complex<f64>) -> Complex<f64>;
    safe fn ccoshf(z: Complex<f32>) -> Complex<f32>;
    safe fn ctanh(z: Complex<f64>) -> Complex<f64>;
    safe fn ctanhf(z: Complex<f32>) -> Complex<f32>;
    safe fn cexp(z: Complex<f64>) -> Complex<f64>;
    safe fn cexpf(z: Complex<f32>) -> Complex<f32>;
    safe fn clog(z: Complex<f64>) -> Complex<f64>;
    safe fn clogf(z: Complex<f32>) -> Complex<f32>;
    safe fn csqrt(z: Complex<f64>) -> Complex<f64>;
    safe fn csqrtf(z: Complex<f32>) -> Complex<f32>;
    safe fn cpow(x: Complex<f64>, y: Complex<f64>) -> Complex<f64>;
    safe fn cpowf(x: Complex<f32>, y: Complex<f32>) -> Complex<f32>;
}

/// The part type of a complex dtype, with the C library's complex functions for it.
pub trait CFloat: Float + Send + Sync + 'static {
    const PI: Self;
    const LN_2: Self;
    const LN_10: Self;
    fn casin(z: Complex<Self>) -> Complex<Self>;
    fn cacos(z: Complex<Self>) -> Complex<Self>;
    fn catan(z: Complex<Self>) -> Complex<Self>;
    fn casinh(z: Complex<Self>) -> Complex<Self>;
    fn cacosh(z: Complex<Self>) -> Complex<Self>;
    fn catanh(z: Complex<Self>) -> Complex<Self>;
    fn csin(z: Complex<Self>) -> Complex<Self>;
    fn ccos(z: Complex<Self>) -> Complex<Self>;
    fn ctan(z: Complex<Self>) -> Complex<Self>;
    fn csinh(z: Complex<Self>) -> Complex<Self>;
    fn ccosh(z: Complex<Self>) -> Complex<Self>;
    fn ctanh(z: Complex<Self>) -> Complex<Self>;
    fn cexp(z: Complex<Self>) -> Complex<Self>;
    fn clog(z: Complex<Self>) -> Complex<Self>;
    fn csqrt(z: Complex<Self>) -> Complex<Self>;
    fn cpow(x: Complex<Self>, y: Complex<Self>) -> Complex<Self>;
}

impl CFloat for f64 {
    const PI: f64 = std::f64::consts::PI;
    const LN_2: f64 = std::f64::consts::LN_2;
    const LN_10: f64 = std::f64::consts::LN_10;
    fn casin(z: Complex<f64>) -> Complex<f64> {
        casin(z)
    }
    fn cacos(z: Complex<f64>) -> Complex<f64> {
        // torch's double kernel takes (pi/2 + 0i) - asin(z) as a complex difference (so a zero
        // imaginary part comes out +0), not glibc's cacos.
        let a = casin(z);
        Complex::new(std::f64::consts::FRAC_PI_2 - a.re, 0.0 - a.im)
    }
    fn catan(z: Complex<f64>) -> Complex<f64> {
        catan(z)
    }
    fn casinh(z: Complex<f64>) -> Complex<f64> {
        casinh(z)
    }
    fn cacosh(z: Complex<f64>) -> Complex<f64> {
        cacosh(z)
    }
    fn catanh(z: Complex<f64>) -> Complex<f64> {
        catanh(z)
    }
    fn csin(z: Complex<f64>) -> Complex<f64> {
        csin(z)
    }
    fn ccos(z: Complex<f64>) -> Complex<f64> {
        ccos(z)
    }
    fn ctan(z: Complex<f64>) -> Complex<f64> {
        ctan(z)
    }
    fn csinh(z: Complex<f64>) -> Complex<f64> {
        csinh(z)
    }
    fn ccosh(z: Complex<f64>) -> Complex<f64> {
        ccosh(z)
    }
    fn ctanh(z: Complex<f64>) -> Complex<f64> {
        ctanh(z)
    }
    fn cexp(z: Complex<f64>) -> Complex<f64> {
        cexp(z)
    }
    fn clog(z: Complex<f64>) -> Complex<f64> {
        clog(z)
    }
    fn csqrt(z: Complex<f64>) -> Complex<f64> {
        csqrt(z)
    }
    fn cpow(x: Complex<f64>, y: Complex<f64>) -> Complex<f64> {
        cpow(x, y)
    }
}

impl CFloat for f32 {
    const PI: f32 = std::f32::consts::PI;
    const LN_2: f32 = std::f32::consts::LN_2;
    const LN_10: f32 = std::f32::consts::LN_10;
    fn casin(z: Complex<f32>) -> Complex<f32> {
        casinf(z)
    }
    fn cacos(z: Complex<f32>) -> Complex<f32> {
        cacosf(z)
    }
    fn catan(z: Complex<f32>) -> Complex<f32> {
        catanf(z)
    }
    fn casinh(z: Complex<f32>) -> Complex<f32> {
        casinhf(z)
    }
    fn cacosh(z: Complex<f32>) -> Complex<f32> {
        cacoshf(z)
    }
    fn catanh(z: Complex<f32>) -> Complex<f32> {
        catanhf(z)
    }
    fn csin(z: Complex<f32>) -> Complex<f32> {
        csinf(z)
    }
    fn ccos(z: Complex<f32>) -> Complex<f32> {
        ccosf(z)
    }
    fn ctan(z: Complex<f32>) -> Complex<f32> {
        ctanf(z)
    }
    fn csinh(z: Complex<f32>) -> Complex<f32> {
        csinhf(z)
    }
    fn ccosh(z: Complex<f32>) -> Complex<f32> {
        ccoshf(z)
    }
    fn ctanh(z: Complex<f32>) -> Complex<f32> {
        ctanhf(z)
    }
    fn cexp(z: Complex<f32>) -> Complex<f32> {
        cexpf(z)
    }
    fn clog(z: Complex<f32>) -> Complex<f32> {
        clogf(z)
    }
    fn csqrt(z: Complex<f32>) -> Complex<f32> {
        csqrtf(z)
    }
    fn cpow(x: Complex<f32>, y: Complex<f32>) -> Complex<f32> {
        cpowf(x, y)
    }
}

/// c10::complex division (Smith's algorithm; a zero divisor gives inf/nan parts by IEEE division),
/// with the fused multiply-adds torch's build contracts it into.
#[inline]
pub fn div<T: CFloat>(x: Complex<T>, y: Complex<T>) -> Complex<T> {
    let (a, b, c, d) = (x.re, x.im, y.re, y.im);
    let (ac, ad) = (c.abs(), d.abs());
    if ac >= ad {
        if ac == T::zero() && ad == T::zero() {
            return Complex::new(a / ac, b / ad);
        }
        let rat = d / c;
        let scl = T::one() / d.mul_add(rat, c);
        Complex::new(b.mul_add(rat, a) * scl, (-a).mul_add(rat, b) * scl)
    } else {
        let rat = c / d;
        let scl = T::one() / c.mul_add(rat, d);
        Complex::new(a.mul_add(rat, b) * scl, b.mul_add(rat, -a) * scl)
    }
}

/// c10::complex's product `(ac - bd) + (ad + bc)i` as torch's scalar loops compute it: no
/// inf/nan recovery, and contracted to `fma(a, c, -bd)`, `fma(a, d, bc)`.
#[inline]
pub fn mul<T: CFloat>(x: Complex<T>, y: Complex<T>) -> Complex<T> {
    Complex::new(x.re.mul_add(y.re, -(x.im * y.im)), x.re.mul_add(y.im, x.im * y.re))
}

/// `exp(z) - 1` by c10's formula `expm1(x) cos(y) - 2 sin(y/2)^2 + i e^x sin(y)`.
pub fn expm1<T: CFloat>(z: Complex<T>) -> Complex<T> {
    let (x, y) = (z.re, z.im);
    let two = T::one() + T::one();
    let a = (y / two).sin();
    let re = x.exp_m1().mul_add(y.cos(), -(two * a * a));
    Complex::new(re, x.exp() * y.sin())
}

/// `log(1 + z)` by c10's CPU formula: log(u) scaled by z / (u - 1), u = 1 + z, which keeps the
/// digits of tiny z that rounding 1 + z loses.
pub fn log1p<T: CFloat>(z: Complex<T>) -> Complex<T> {
    let u = Complex::new(z.re + T::one(), z.im);
    if u.re == T::one() && u.im == T::zero() {
        return z;
    }
    let lu = T::clog(u);
    let um1 = Complex::new(u.re - T::one(), u.im);
    if um1.re == z.re && um1.im == z.im {
        return lu;
    }
    mul(lu, div(z, um1))
}

fn one<T: CFloat>() -> Complex<T> {
    Complex::new(T::one(), T::zero())
}

/// The complex unary function of torch's op `name` (chosen once, outside the element loop); None
/// for names without a complex kernel here.
pub fn unary_fn<T: CFloat>(name: &str) -> Option<fn(Complex<T>) -> Complex<T>> {
    Some(match name {
        "asin" => T::casin,
        "acos" => T::cacos,
        "atan" => T::catan,
        "asinh" => T::casinh,
        "acosh" => T::cacosh,
        "atanh" => T::catanh,
        "sin" => T::csin,
        "cos" => T::ccos,
        "tan" => T::ctan,
        "sinh" => T::csinh,
        "cosh" => T::ccosh,
        "tanh" => T::ctanh,
        "exp" => T::cexp,
        // torch scales each part by ln 2 (a real product), then takes exp
        "exp2" => |z| T::cexp(Complex::new(z.re * T::LN_2, z.im * T::LN_2)),
        "expm1" => expm1,
        "log" => T::clog,
        // log(z) divided part by part by the real constant
        "log2" => |z| {
            let l = T::clog(z);
            Complex::new(l.re / T::LN_2, l.im / T::LN_2)
        },
        "log10" => |z| {
            let l = T::clog(z);
            Complex::new(l.re / T::LN_10, l.im / T::LN_10)
        },
        "log1p" => log1p,
        "sqrt" => T::csqrt,
        "rsqrt" => |z| div(one(), T::csqrt(z)),
        "reciprocal" => |z| div(one(), z),
        "sigmoid" => |z| {
            let e = T::cexp(Complex::new(-z.re, -z.im));
            div(one(), Complex::new(T::one() + e.re, T::zero() + e.im))
        },
        "sgn" => sgn,
        "sinc" => sinc,
        _ => return None,
    })
}

/// `z / complex(|z|, 0)` by complex division; 0 stays 0.
pub fn sgn<T: CFloat>(z: Complex<T>) -> Complex<T> {
    let zero = T::zero();
    if z.re == zero && z.im == zero { Complex::new(zero, zero) } else { div(z, Complex::new(z.re.hypot(z.im), zero)) }
}

/// `sin(pi z) / (pi z)`, 1 at 0, with `pi z` a complex product by `pi + 0i`.
pub fn sinc<T: CFloat>(z: Complex<T>) -> Complex<T> {
    if z.re == T::zero() && z.im == T::zero() {
        return one();
    }
    let p = mul(Complex::new(T::PI, T::zero()), z);
    div(T::csin(p), p)
}

/// `x ** y` (glibc's cpow, which torch's complex pow kernel calls for every exponent it does not
/// special-case).
#[inline]
pub fn pow<T: CFloat>(x: Complex<T>, y: Complex<T>) -> Complex<T> {
    T::cpow(x, y)
}

/// torch's complex logaddexp: NaN anywhere gives nan+nanj; equal infinite real parts are handled
/// apart; otherwise `log1p(exp(min - max)) + max`, min/max ordered by real part.
pub fn logaddexp<T: CFloat>(x: Complex<T>, y: Complex<T>) -> Complex<T> {
    let nan = |c: Complex<T>| c.re.is_nan() || c.im.is_nan();
    let (mn, mx) = if nan(y) {
        (y, y)
    } else if nan(x) {
        (x, x)
    } else if x.re < y.re {
        (x, y)
    } else {
        (y, x)
    };
    if nan(mn) {
        return Complex::new(T::nan(), T::nan());
    }
    if !mn.re.is_finite() && mn.re == mx.re {
        if mn.re < T::zero() {
            return mn;
        }
        let (a, b) = (T::cexp(mn), T::cexp(mx));
        return T::clog(Complex::new(a.re + b.re, a.im + b.im));
    }
    let l = log1p(T::cexp(Complex::new(mn.re - mx.re, mn.im - mx.im)));
    Complex::new(l.re + mx.re, l.im + mx.im)
}

/// Whether torch runs its AVX-512 kernels on this CPU (its capability needs all four extensions):
/// its complex vectors then hold 8 complex64 / 4 complex128 values instead of 4 / 2.
pub fn torch_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx512f")
            && is_x86_feature_detected!("avx512bw")
            && is_x86_feature_detected!("avx512vl")
            && is_x86_feature_detected!("avx512dq")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// torch's vectorised sgn: each part divided by |z| (a real division, so -0 + 1i keeps its -0 and
/// an infinite part gives nan in that part only), 0 where |z| = 0.
pub fn sgn_vec<T: CFloat>(z: Complex<T>) -> Complex<T> {
    let h = z.re.hypot(z.im);
    if h == T::zero() { Complex::new(T::zero(), T::zero()) } else { Complex::new(z.re / h, z.im / h) }
}
