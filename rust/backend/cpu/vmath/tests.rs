//! Accuracy sweeps against f64 libm references, bit-identity of the ISA variants, and an ignored
//! throughput report (`cargo test --release --lib vmath_speed -- --ignored --nocapture`).
use super::kernels::*;
use super::*;
use rayon::prelude::*;

// SAFETY: C99 libm functions on plain doubles, no preconditions (references only).
unsafe extern "C" {
    safe fn erf(x: f64) -> f64;
    safe fn erfc(x: f64) -> f64;
    safe fn asinh(x: f64) -> f64;
    safe fn acosh(x: f64) -> f64;
    safe fn atanh(x: f64) -> f64;
}

/// Error of `got` in units of the f32 ulp at the (near-exact) f64 reference `want`;
/// `None` when NaN-ness or the sign of a zero result disagrees.
fn ulp32(got: f32, want: f64) -> Option<f64> {
    if want.is_nan() || got.is_nan() {
        return (want.is_nan() && got.is_nan()).then_some(0.0);
    }
    let w = want as f32;
    if got == 0.0 && want == 0.0 && got.is_sign_negative() != want.is_sign_negative() {
        return None; // exact zeros must agree in sign (underflowed ones may take either)
    }
    if got.is_infinite() || want.is_infinite() {
        return (got == w).then_some(0.0).or(Some(f64::INFINITY));
    }
    let e = ((want.abs().to_bits() >> 52) as i64 - 1023).clamp(-126, 127);
    Some((got as f64 - want).abs() / 2f64.powi(e as i32 - 23))
}

/// Same for f64 results against an f64 reference (itself within ~1 ulp).
fn ulp64(got: f64, want: f64) -> Option<f64> {
    if want.is_nan() || got.is_nan() {
        return (want.is_nan() && got.is_nan()).then_some(0.0);
    }
    if got == 0.0 && want == 0.0 && got.is_sign_negative() != want.is_sign_negative() {
        return None;
    }
    if got.is_infinite() || want.is_infinite() {
        return (got == want).then_some(0.0).or(Some(f64::INFINITY));
    }
    let e = ((want.abs().to_bits() >> 52) as i64 - 1023).max(-1022) - 52; // ulp = 2^e, subnormal below -1022
    let ulp = if e >= -1022 { f64::from_bits(((e + 1023) as u64) << 52) } else { f64::from_bits(1u64 << (e + 1074)) };
    Some((got - want).abs() / ulp)
}

/// Every 997th f32 bit pattern, plus the specials and +-2000 ulps around the points where the
/// kernels switch formulas, overflow, underflow or saturate.
fn inputs32() -> Vec<f32> {
    let mut v: Vec<f32> = (0..=u32::MAX / 997).map(|i| f32::from_bits(i * 997)).collect();
    let points = [
        0.0,
        1e-30,
        1e-7,
        0.25,
        0.4375,
        0.5,
        0.625,
        0.6875,
        0.7,
        0.84375,
        1.0,
        1.1875,
        1.25,
        2.4375,
        2.857_143,
        3.0,
        6.0,
        9.0,
        9.2,
        10.05,
        20.0,
        22.0,
        28.0,
        87.3,
        88.722_84,
        89.415_99,
        103.97,
        150.0,
        1e30,
        4.2e8,
        0.999_999_9,
        std::f32::consts::FRAC_PI_4,
        std::f32::consts::FRAC_PI_2,
        std::f32::consts::PI,
    ];
    for p in points {
        for s in [1.0f32, -1.0] {
            let b = (p * s).to_bits() as i64;
            v.extend((-2000..=2000).filter_map(|d| u32::try_from(b + d).ok()).map(f32::from_bits));
        }
    }
    v.extend([f32::INFINITY, f32::NEG_INFINITY, f32::NAN, -f32::NAN, f32::MAX, f32::MIN, f32::MIN_POSITIVE]);
    v
}

fn sigmoid_ref(x: f64) -> f64 {
    if x >= 0.0 { 1.0 / (1.0 + (-x).exp()) } else { x.exp() / (1.0 + x.exp()) }
}

fn erfinv_ref(y: f64, start: f64) -> f64 {
    // Halley iterations with libm erf/erfc from a finite start; exact at the special points.
    if y.abs() >= 1.0 || y == 0.0 || y.is_nan() {
        return if y.abs() == 1.0 {
            f64::INFINITY.copysign(y)
        } else if y == 0.0 {
            y
        } else {
            f64::NAN
        };
    }
    let a = y.abs();
    let mut x = if start.is_finite() { start.abs() } else { 1.0 };
    for _ in 0..8 {
        let r = if a > 0.5 { (1.0 - a) - erfc(x) } else { erf(x) - a };
        let u = r / (std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp());
        x -= u / (1.0 + x * u);
    }
    x.copysign(y)
}

type K32 = fn(&[f32], &mut [f32]);
type K64 = fn(&[f64], &mut [f64]);
type B32 = fn(&[f32], &[f32], &mut [f32]);
/// (name, kernel, f64 reference, allowed max ulp).
type Case<K> = (&'static str, K, fn(f64) -> f64, f64);

/// The f32 unary ops.
fn table32() -> Vec<Case<K32>> {
    vec![
        ("exp", exp_f32, f64::exp, 1.0),
        ("exp2", exp2_f32, f64::exp2, 1.0),
        ("expm1", expm1_f32, f64::exp_m1, 1.0),
        ("log", log_f32, f64::ln, 1.0),
        ("log2", log2_f32, f64::log2, 1.0),
        ("log10", log10_f32, f64::log10, 1.0),
        ("log1p", log1p_f32, f64::ln_1p, 1.0),
        ("sqrt", sqrt_f32, f64::sqrt, 0.5),
        ("rsqrt", rsqrt_f32, |x| 1.0 / x.sqrt(), 1.5), // torch's 1 / sqrt(x), two roundings
        ("sin", sin_f32, f64::sin, 1.0),
        ("cos", cos_f32, f64::cos, 1.0),
        ("tan", tan_f32, f64::tan, 1.0),
        ("tanh", tanh_f32, f64::tanh, 2.0),
        ("sigmoid", sigmoid_f32, sigmoid_ref, 2.0),
        ("erf", erf_f32, |x| erf(x), 1.0),
        ("erfc", erfc_f32, |x| erfc(x), 1.0),
        ("atan", atan_f32, f64::atan, 1.0),
        ("asin", asin_f32, f64::asin, 1.0),
        ("acos", acos_f32, f64::acos, 1.0),
        ("sinh", sinh_f32, f64::sinh, 1.0),
        ("cosh", cosh_f32, f64::cosh, 1.0),
        ("asinh", asinh_f32, |x| asinh(x), 1.0),
        ("acosh", acosh_f32, |x| acosh(x), 1.0),
        ("atanh", atanh_f32, |x| atanh(x), 1.0),
        ("gelu", gelu_f32, |x| 0.5 * x * erfc(-x * std::f64::consts::FRAC_1_SQRT_2), 1.0),
        (
            "gelu_tanh",
            gelu_tanh_f32,
            |x| x * sigmoid_ref(2.0 * 0.797_884_560_802_865_4 * (x + 0.044_715 * x * x * x)),
            2.0,
        ),
        ("silu", silu_f32, |x| x * sigmoid_ref(x), 2.0),
        ("mish", mish_f32, |x| x * x.exp().ln_1p().tanh(), 1.0),
        ("logsigmoid", logsigmoid_f32, |x| x.min(0.0) - (-x.abs()).exp().ln_1p(), 1.0),
    ]
}

/// Runs `f` on every supported variant and checks they agree bit for bit (NaNs only as NaNs),
/// with each other, with the in-place form and with the scalar function.
fn check_variants<T: Copy + Default + PartialEq + std::fmt::Debug>(
    name: &str,
    x: &[T],
    run: impl Fn(Isa, &[T], &mut [T]),
    scalar: impl Fn(T) -> T,
    same: impl Fn(T, T) -> bool,
) {
    let mut base = vec![T::default(); x.len()];
    run(Isa::Generic, x, &mut base);
    for (i, (&a, &b)) in x.iter().zip(&base).enumerate() {
        assert!(same(scalar(a), b), "{name}: scalar differs at {i}: {a:?} -> {:?} vs {b:?}", scalar(a));
    }
    for isa in Isa::ALL.into_iter().filter(|i| i.supported()) {
        let mut out = vec![T::default(); x.len()];
        run(isa, x, &mut out);
        for (i, (&a, &b)) in out.iter().zip(&base).enumerate() {
            assert!(same(a, b), "{name}: {isa:?} differs at {i} (x = {:?}): {a:?} vs {b:?}", x[i]);
        }
    }
}

fn same32(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

fn same64(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn vmath_dispatch_picks_widest() {
    let want = if Isa::Avx512.supported() {
        Isa::Avx512
    } else if Isa::Avx2.supported() {
        Isa::Avx2
    } else {
        Isa::Generic
    };
    assert_eq!(isa(), want);
    assert_eq!(isa(), want); // cached path
    println!("vmath dispatch: {:?}", isa());
}

#[test]
fn vmath_accuracy_f32() {
    let x = inputs32();
    let rows: Vec<(&str, f64, usize, f32, f64)> = table32()
        .into_par_iter()
        .map(|(name, k, r, bound)| {
            let mut out = vec![0.0f32; x.len()];
            k(&x, &mut out);
            let (mut worst, mut at, mut bad) = (0.0f64, 0.0f32, 0usize);
            for (&xi, &yi) in x.iter().zip(&out) {
                match ulp32(yi, r(xi as f64)) {
                    Some(e) if e > worst => (worst, at) = (e, xi),
                    Some(_) => {}
                    None => {
                        bad += 1;
                        at = xi;
                    }
                }
            }
            (name, worst, bad, at, bound)
        })
        .collect();
    let mut ok = true;
    for (name, worst, bad, at, bound) in rows {
        println!("f32 {name:<11} max {worst:.3} ulp (at {at:e}), special-value mismatches {bad}");
        ok &= worst <= bound && bad == 0;
    }
    assert!(ok, "f32 accuracy bound exceeded (see the table above)");
}

#[test]
fn vmath_accuracy_f32_erfinv_softplus() {
    let x = inputs32();
    let mut out = vec![0.0f32; x.len()];
    erfinv_f32(&x, &mut out);
    let worst = x.iter().zip(&out).map(|(&a, &b)| ulp32(b, erfinv_ref(a as f64, b as f64)).unwrap_or(f64::INFINITY));
    let worst = worst.fold(0.0, f64::max);
    println!("f32 erfinv      max {worst:.3} ulp");
    assert!(worst <= 1.0);
    for (beta, threshold) in [(1.0f32, 20.0f32), (2.0, 5.0), (0.5, 30.0)] {
        softplus_f32(&x, beta, threshold, &mut out);
        let worst = x.iter().zip(&out).map(|(&a, &b)| {
            let want =
                if a * beta > threshold { a as f64 } else { ((a as f64 * beta as f64).exp()).ln_1p() / beta as f64 };
            ulp32(b, want).unwrap_or(f64::INFINITY)
        });
        let worst = worst.fold(0.0, f64::max);
        println!("f32 softplus({beta}, {threshold}) max {worst:.3} ulp");
        assert!(worst <= 1.0);
    }
}

/// A grid of operand pairs: 2000 spread-out values each, plus the C99 special operands.
fn pairs32() -> (Vec<f32>, Vec<f32>) {
    let mut vals: Vec<f32> = (0..2000u32).map(|i| f32::from_bits(i.wrapping_mul(2_147_483) ^ (i << 31))).collect();
    vals.extend([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN]);
    vals.extend([1e-40, -1e-40, 16_777_216.0, -16_777_217.0, 1.000_000_1, 0.999_999_94, 1e10, 128.0, -149.0]);
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for &p in &vals {
        for &q in &vals {
            a.push(p);
            b.push(q);
        }
    }
    (a, b)
}

#[test]
fn vmath_accuracy_f32_binary() {
    let (a, b) = pairs32();
    let mut out = vec![0.0f32; a.len()];
    let cases: [(&str, B32); 2] = [("pow", pow_f32), ("atan2", atan2_f32)];
    for (name, k) in cases {
        let r = if name == "pow" { f64::powf } else { f64::atan2 };
        k(&a, &b, &mut out);
        let mut worst = 0.0f64;
        for i in 0..a.len() {
            let e = ulp32(out[i], r(a[i] as f64, b[i] as f64));
            assert!(
                e.is_some(),
                "{name}({:e}, {:e}) = {:e}, want {:e}",
                a[i],
                b[i],
                out[i],
                r(a[i] as f64, b[i] as f64)
            );
            worst = worst.max(e.unwrap_or(0.0));
        }
        println!("f32 {name:<11} max {worst:.3} ulp over {} pairs", a.len());
        assert!(worst <= 1.0, "{name}");
    }
}

/// f64 sample: 2M bit patterns spread over the whole range plus specials and small/large magnitudes.
fn inputs64() -> Vec<f64> {
    let mut v: Vec<f64> = (0..2_000_000u64).map(|i| f64::from_bits(i.wrapping_mul(0x9e37_79b9_7f4a_7c15))).collect();
    let mut s = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..500_000 {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let u = (s >> 11) as f64 / (1u64 << 53) as f64;
        v.push((u - 0.5) * 60.0); // dense in the interesting middle range
    }
    v.extend([0.0, -0.0, 1.0, -1.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, f64::MIN_POSITIVE, 5e-324]);
    v.extend([709.782712893384, 709.79, -745.13, -745.14, 0.84375, 1.25, 2.857142857, 6.0, 22.0, 28.0, 0.9999999999]);
    v
}

#[test]
fn vmath_accuracy_f64() {
    let x = inputs64();
    let cases: Vec<Case<K64>> = vec![
        ("exp", exp_f64, f64::exp, 1.0),
        ("expm1", expm1_f64, f64::exp_m1, 1.0),
        ("log", log_f64, f64::ln, 1.0),
        ("log1p", log1p_f64, f64::ln_1p, 1.0),
        ("tanh", tanh_f64, f64::tanh, 3.0),
        ("erf", erf_f64, |x| erf(x), 1.0),
        ("erfc", erfc_f64, |x| erfc(x), 3.0),
        ("atan", atan_f64, f64::atan, 1.0),
        ("sigmoid", sigmoid_f64, sigmoid_ref, 2.0),
        ("silu", silu_f64, |x| x * sigmoid_ref(x), 4.0),
        ("logsigmoid", logsigmoid_f64, |x| x.min(0.0) - (-x.abs()).exp().ln_1p(), 3.0),
        ("rsqrt", rsqrt_f64, |x| 1.0 / x.sqrt(), 0.0),
    ];
    let rows: Vec<(&str, f64, usize, f64, f64)> = cases
        .into_par_iter()
        .map(|(name, k, r, bound)| {
            let mut out = vec![0.0f64; x.len()];
            k(&x, &mut out);
            let (mut worst, mut at, mut bad) = (0.0f64, 0.0f64, 0usize);
            for (&xi, &yi) in x.iter().zip(&out) {
                let want = r(xi);
                if want.abs() < 1e-300 && yi.abs() < 1e-300 && (want != 0.0 || xi != 0.0) {
                    continue; // the libm formulas lose their own precision through subnormal intermediates
                }
                match ulp64(yi, want) {
                    Some(e) if e > worst => (worst, at) = (e, xi),
                    Some(_) => {}
                    None => {
                        bad += 1;
                        at = xi;
                    }
                }
            }
            (name, worst, bad, at, bound)
        })
        .collect();
    let mut ok = true;
    for (name, worst, bad, at, bound) in rows {
        println!("f64 {name:<11} max {worst:.3} ulp vs libm formula (at {at:e}), special-value mismatches {bad}");
        ok &= worst <= bound && bad == 0;
    }
    let mut out = vec![0.0f64; x.len()];
    erfinv_f64(&x, &mut out);
    let worst =
        x.iter().zip(&out).map(|(&a, &b)| ulp64(b, erfinv_ref(a, b)).unwrap_or(f64::INFINITY)).fold(0.0, f64::max);
    println!("f64 erfinv      max {worst:.3} ulp vs Halley-refined libm");
    ok &= worst <= 2.0;
    assert!(ok, "f64 accuracy bound exceeded (see the table above)");
}

#[test]
fn vmath_specials() {
    let s = |f: fn(f32) -> f32, x: f32| f(x).to_bits();
    assert_eq!(s(exp_f32_scalar, 88.722_83), 0x7f7f_ff84); // largest finite result
    assert!(exp_f32_scalar(88.722_84).is_infinite());
    assert_eq!(exp_f32_scalar(-103.972_08), f32::from_bits(1)); // smallest subnormal
    assert_eq!(exp_f32_scalar(-104.0), 0.0);
    assert_eq!(s(tanh_f32_scalar, -0.0), (-0.0f32).to_bits());
    assert_eq!(s(expm1_f32_scalar, -0.0), (-0.0f32).to_bits());
    assert_eq!(s(log1p_f32_scalar, -0.0), (-0.0f32).to_bits());
    assert_eq!(log_f32_scalar(0.0), f32::NEG_INFINITY);
    assert_eq!(log_f32_scalar(-0.0), f32::NEG_INFINITY);
    assert!(log_f32_scalar(-1.0).is_nan() && log_f64_scalar(-1.0).is_nan());
    assert_eq!(log_f64_scalar(0.0), f64::NEG_INFINITY);
    for f in [tanh_f64_scalar, expm1_f64_scalar, log1p_f64_scalar, erf_f64_scalar, atan_f64_scalar, silu_f64_scalar] {
        assert_eq!(f(-0.0).to_bits(), (-0.0f64).to_bits());
    }
    for f in [gelu_f64_scalar, gelu_tanh_f64_scalar, mish_f64_scalar, erfinv_f64_scalar] {
        assert_eq!(f(-0.0).to_bits(), (-0.0f64).to_bits());
    }
    assert!(silu_f64_scalar(f64::NEG_INFINITY).is_nan() && silu_f64_scalar(-1e300) == 0.0);
    assert!(exp_f64_scalar(709.79).is_infinite() && exp_f64_scalar(-745.2) == 0.0);
    assert_eq!(exp_f64_scalar(-745.0), 5e-324);
    assert_eq!(sigmoid_f32_scalar(f32::INFINITY), 1.0);
    assert_eq!(sigmoid_f32_scalar(f32::NEG_INFINITY), 0.0);
    assert_eq!(sigmoid_f32_scalar(100.0), 1.0);
    assert_eq!(tanh_f32_scalar(10.0), 1.0);
    assert_eq!(tanh_f64_scalar(-30.0), -1.0);
    assert!(silu_f32_scalar(f32::NEG_INFINITY).is_nan()); // torch: x * sigmoid(x)
    assert_eq!(erfinv_f32_scalar(1.0), f32::INFINITY);
    assert_eq!(s(erfinv_f32_scalar, -0.0), (-0.0f32).to_bits());
    assert!(erfinv_f64_scalar(1.5).is_nan());
    assert_eq!(pow_f32_scalar(-0.0, -1.0), f32::NEG_INFINITY);
    assert_eq!(pow_f32_scalar(f32::NAN, 0.0), 1.0);
    assert_eq!(pow_f32_scalar(1.0, f32::NAN), 1.0);
    assert_eq!(pow_f32_scalar(-1.0, f32::INFINITY), 1.0);
    assert!(pow_f32_scalar(-8.0, 1.0 / 3.0).is_nan());
    assert_eq!(pow_f32_scalar(-2.0, 3.0), -8.0);
    assert_eq!(softplus_f32_scalar(30.0, 1.0, 20.0), 30.0);
    assert_eq!(atan2_f32_scalar(-0.0, -0.0), -std::f32::consts::PI);
    assert_eq!(sin_f32_scalar(1e30), (1e30f32 as f64).sin() as f32); // libm reduction for huge arguments
    assert!(sin_f32_scalar(f32::INFINITY).is_nan());
}

#[test]
fn vmath_variants_identical() {
    // An odd length exercises the scalar tail; the specials and huge trig arguments the fix-ups.
    let mut x32: Vec<f32> = inputs32().into_iter().step_by(37).collect();
    x32.truncate(x32.len() / 16 * 16 + 7);
    let x64: Vec<f64> = inputs64().into_iter().step_by(7).chain([1e300, -3.0]).collect();
    macro_rules! both {
        ($($k:ident),*) => {$(
            check_variants(stringify!($k), &x32, unary_with::<f32, $k>, <$k as Unary<f32>>::scalar, same32);
            check_variants(stringify!($k), &x64, unary_with::<f64, $k>, <$k as Unary<f64>>::scalar, same64);
            let mut buf = x32.clone();
            unary_inplace_with::<f32, $k>(isa(), &mut buf);
            let mut out = vec![0.0f32; x32.len()];
            unary_with::<f32, $k>(isa(), &x32, &mut out);
            assert!(buf.iter().zip(&out).all(|(&a, &b)| same32(a, b)), "{} in place", stringify!($k));
        )*};
    }
    both!(Exp, Exp2, Expm1, Log, Log2, Log10, Log1p, Sqrt, Rsqrt, Sin, Cos, Tan, Tanh, Sigmoid, Erf, Erfc, Erfinv);
    both!(Atan, Asin, Acos, Sinh, Cosh, Asinh, Acosh, Atanh, Gelu, GeluTanh, Silu, Mish, LogSigmoid);
    let y32: Vec<f32> = x32.iter().rev().copied().collect();
    for isa in Isa::ALL.into_iter().filter(|i| i.supported()) {
        let mut out = vec![0.0f32; x32.len()];
        binary_with::<f32, Pow>(isa, &x32, &y32, &mut out);
        assert!(
            out.iter().zip(x32.iter().zip(&y32)).all(|(&o, (&a, &b))| same32(o, pow_f32_scalar(a, b))),
            "pow {isa:?}"
        );
        binary_with::<f32, Atan2>(isa, &x32, &y32, &mut out);
        assert!(
            out.iter().zip(x32.iter().zip(&y32)).all(|(&o, (&a, &b))| same32(o, atan2_f32_scalar(a, b))),
            "atan2 {isa:?}"
        );
        unaryp_with::<f32, Softplus>(isa, &x32, &mut out, (1.5, 10.0));
        assert!(out.iter().zip(&x32).all(|(&o, &a)| same32(o, softplus_f32_scalar(a, 1.5, 10.0))), "softplus {isa:?}");
    }
}

/// Throughput over 16M f32 against a plain copy (bytes read + written per second).
#[test]
#[ignore]
fn vmath_speed() {
    use std::time::Instant;
    let n = 16 << 20;
    let x: Vec<f32> = (0..n).map(|i| ((i as f32) * 1e-6).sin() * 8.0).collect();
    let mut out = vec![0.0f32; n];
    let gbs = |secs: f64| (2 * 4 * n) as f64 / secs / 1e9;
    let best = |f: &mut dyn FnMut()| {
        f();
        (0..5)
            .map(|_| {
                let t = Instant::now();
                f();
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    println!("vmath_speed: isa {:?}, {n} f32, GB/s = (read + written) / time, best of 5", isa());
    let copy = best(&mut || out.copy_from_slice(&x));
    println!("  {:<10} {:>7.2} GB/s  (1 thread)", "copy", gbs(copy));
    // (name, kernel, the plain std loop it replaces where std has the function)
    type Bench = (&'static str, K32, Option<fn(f32) -> f32>);
    let ops: [Bench; 10] = [
        ("exp", exp_f32, Some(f32::exp)),
        ("log", log_f32, Some(f32::ln)),
        ("tanh", tanh_f32, Some(f32::tanh)),
        ("sigmoid", sigmoid_f32, Some(|v| 1.0 / (1.0 + (-v).exp()))),
        ("silu", silu_f32, Some(|v| v / (1.0 + (-v).exp()))),
        ("gelu", gelu_f32, None),
        ("gelu_tanh", gelu_tanh_f32, None),
        ("erf", erf_f32, None),
        ("sin", sin_f32, Some(f32::sin)),
        ("log1p", log1p_f32, Some(f32::ln_1p)),
    ];
    for (name, k, std_fn) in ops {
        let t = best(&mut || k(&x, &mut out));
        let tp = best(&mut || out.par_chunks_mut(1 << 16).zip(x.par_chunks(1 << 16)).for_each(|(o, i)| k(i, o)));
        let std_gbs = std_fn.map_or(String::from("-"), |f| {
            format!("{:.2}", gbs(best(&mut || out.iter_mut().zip(&x).for_each(|(o, &v)| *o = f(v)))))
        });
        println!(
            "  {name:<10} {:>6.2} GB/s ({:>3.0}% of copy) | {:>6.2} GB/s on {} threads | std loop {std_gbs} GB/s",
            gbs(t),
            100.0 * copy / t,
            gbs(tp),
            rayon::current_num_threads(),
        );
    }
}
