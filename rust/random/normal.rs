//! The block Box-Muller transforms behind torch's `normal_fill` (contiguous tensors of 16+
//! elements): `NormalFill16<double>` with glibc's log/sin/cos, and the AVX2 float kernel, whose
//! `avx_mathfun.h` polynomials are emulated lane by lane, including the FMA contractions found in
//! PyTorch's binary (docs/RNG.md section 3 (C)).

/// `f32` rounding of the `double` literals in avx_mathfun.h (the header writes them as doubles;
/// they are copied verbatim, hence the lint allowances on the constants).
const fn c(x: f64) -> f32 {
    x as f32
}

#[allow(clippy::excessive_precision, clippy::approx_constant)]
const LOG_P: [f32; 9] = [
    c(7.0376836292E-2),
    c(-1.1514610310E-1),
    c(1.1676998740E-1),
    c(-1.2420140846E-1),
    c(1.4249322787E-1),
    c(-1.6668057665E-1),
    c(2.0000714765E-1),
    c(-2.4999993993E-1),
    c(3.3333331174E-1),
];
const LOG_Q1: f32 = c(-2.12194440e-4);
const LOG_Q2: f32 = c(0.693359375);
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const SQRTHF: f32 = c(0.707106781186547524);
const MIN_NORM_POS: u32 = 0x0080_0000;
const DP1: f32 = c(-0.78515625);
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const DP2: f32 = c(-2.4187564849853515625e-4);
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const DP3: f32 = c(-3.77489497744594108e-8);
const SINCOF: [f32; 3] = [c(-1.9515295891E-4), c(8.3321608736E-3), c(-1.6666654611E-1)];
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const COSCOF: [f32; 3] = [c(2.443315711809948E-005), c(-1.388731625493765E-003), c(4.166664568298827E-002)];
#[allow(clippy::excessive_precision, clippy::approx_constant)]
const FOPI: f32 = c(1.27323954473516);
/// `_mm256_set1_ps(2.0f * c10::pi<double>)`: the double product rounded to float.
const TWO_PI_F: f32 = c(2.0 * std::f64::consts::PI);

/// `log256_ps` for one lane. Horner steps and `y*z + e*q1` are fused as in torch's build.
#[inline(always)]
pub fn log256(x: f32) -> f32 {
    // As `_CMP_LE_OS` and `_mm256_max_ps`: a NaN lane is neither invalid nor kept.
    let invalid = x <= 0.0;
    let x = x.max(f32::from_bits(MIN_NORM_POS));
    let bits = x.to_bits();
    let imm0 = (bits >> 23) as i32 - 0x7f;
    let mut x = f32::from_bits((bits & !0x7f80_0000) | 0.5f32.to_bits());
    let mut e = imm0 as f32 + 1.0;
    let below = x < SQRTHF;
    let tmp = if below { x } else { 0.0 };
    x -= 1.0;
    e -= if below { 1.0 } else { 0.0 };
    x += tmp;
    let z = x * x;
    let mut y = LOG_P[0];
    for &p in &LOG_P[1..] {
        y = y.mul_add(x, p);
    }
    y *= x;
    y = y.mul_add(z, e * LOG_Q1);
    y -= z * 0.5;
    x += y;
    x += e * LOG_Q2;
    if invalid { f32::NAN } else { x }
}

/// `_mm256_cvttps_epi32` for one lane: truncation, with the "integer indefinite" on overflow.
#[inline(always)]
fn cvtt(v: f32) -> i32 {
    if v.is_nan() || !(-2147483648.0..2147483648.0).contains(&v) { i32::MIN } else { v as i32 }
}

/// `sincos256_ps` for one lane, returning (sin, cos). The reduction and both polynomials are
/// fused as in torch's build; the selection arithmetic is kept verbatim (it moves signed zeros).
#[inline(always)]
pub fn sincos256(x: f32) -> (f32, f32) {
    let sign_in = x.to_bits() & 0x8000_0000;
    let mut x = x.abs();
    let mut j = cvtt(x * FOPI);
    j = j.wrapping_add(1) & !1;
    let y = j as f32;
    let swap_sin = ((j & 4) as u32) << 29;
    let poly_mask = j & 2 == 0;
    x = y.mul_add(DP1, x);
    x = y.mul_add(DP2, x);
    x = y.mul_add(DP3, x);
    let sign_cos = ((!j.wrapping_sub(2) & 4) as u32) << 29;
    let sign_sin = sign_in ^ swap_sin;
    let z = x * x;
    let mut yc = COSCOF[0].mul_add(z, COSCOF[1]);
    yc = yc.mul_add(z, COSCOF[2]);
    yc *= z;
    yc = yc.mul_add(z, -(z * 0.5));
    yc += 1.0;
    let mut ys = SINCOF[0].mul_add(z, SINCOF[1]);
    ys = ys.mul_add(z, SINCOF[2]);
    ys *= z;
    ys = ys.mul_add(x, x);
    let ysin2 = if poly_mask { ys } else { 0.0 };
    let ysin1 = if poly_mask { 0.0 } else { yc };
    let ys = ys - ysin2;
    let yc = yc - ysin1;
    let s = ysin1 + ysin2;
    let c = yc + ys;
    (f32::from_bits(s.to_bits() ^ sign_sin), f32::from_bits(c.to_bits() ^ sign_cos))
}

/// `normal_fill_16_AVX2`: 16 uniforms in, 16 normals out (pairs j and j+8).
pub fn fill16_f32(d: &mut [f32], mean: f32, std: f32) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU supports the features the function is compiled for (checked above).
        return unsafe { fill16_f32_avx2(d, mean, std) };
    }
    fill16_f32_lanes(d, mean, std);
}

/// The same code compiled with hardware FMA (and AVX2 for the 8 lanes); without it every
/// `mul_add` is a libm call. Results are identical: `mul_add` is always exactly fused.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn fill16_f32_avx2(d: &mut [f32], mean: f32, std: f32) {
    fill16_f32_lanes(d, mean, std);
}

#[inline(always)]
fn fill16_f32_lanes(d: &mut [f32], mean: f32, std: f32) {
    // Callers pass exactly 16 values. Each step runs over all 8 lanes so the loops vectorize.
    let (lo, hi) = d.split_at_mut(8);
    let (lo, hi): (&mut [f32; 8], &mut [f32; 8]) = match (lo.try_into(), hi.try_into()) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return,
    };
    let mut radius = [0f32; 8];
    let mut theta = [0f32; 8];
    for j in 0..8 {
        radius[j] = (-2.0 * log256(1.0 - lo[j])).sqrt();
        theta[j] = TWO_PI_F * hi[j];
    }
    for j in 0..8 {
        let (s, c) = sincos256(theta[j]);
        lo[j] = (radius[j] * c).mul_add(std, mean);
        hi[j] = (radius[j] * s).mul_add(std, mean);
    }
}

/// `normal_fill_16<double>`: glibc log/cos/sin and an explicit fma.
pub fn fill16_f64(d: &mut [f64], mean: f64, std: f64) {
    for j in 0..8 {
        let u1 = 1.0 - d[j];
        let u2 = d[j + 8];
        let radius = (-2.0 * u1.ln()).sqrt();
        let theta = 2.0 * std::f64::consts::PI * u2;
        d[j] = (radius * theta.cos()).mul_add(std, mean);
        d[j + 8] = (radius * theta.sin()).mul_add(std, mean);
    }
}

/// `normal_fill` for float and double storage: draw every uniform in place, transform each full
/// block, then redo the last 16 elements from 16 fresh uniforms when `n % 16 != 0`.
pub fn fill_in_place<F: Copy>(data: &mut [F], mut draw: impl FnMut() -> F, fill16: impl Fn(&mut [F])) {
    let n = data.len();
    if n < 16 {
        return;
    }
    data.iter_mut().for_each(|v| *v = draw());
    data.chunks_exact_mut(16).for_each(&fill16);
    if !n.is_multiple_of(16) {
        let tail = &mut data[n - 16..];
        tail.iter_mut().for_each(|v| *v = draw());
        fill16(tail);
    }
}

/// `normal_fill` for float16/bfloat16: each block draws its own 16 float uniforms (so the
/// leftover uniforms of the float path are never drawn), then the tail block as above.
pub fn fill_reduced<T>(out: &mut [T], mut draw: impl FnMut() -> f32, mean: f32, std: f32, cast: impl Fn(f32) -> T) {
    let n = out.len();
    if n < 16 {
        return;
    }
    let mut block = [0f32; 16];
    let mut one = |dst: &mut [T]| {
        block.iter_mut().for_each(|v| *v = draw());
        fill16_f32(&mut block, mean, std);
        dst.iter_mut().zip(block).for_each(|(o, v)| *o = cast(v));
    };
    out.chunks_exact_mut(16).for_each(&mut one);
    if !n.is_multiple_of(16) {
        one(&mut out[n - 16..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log256_is_close_to_ln() {
        for k in 1..=1000 {
            let x = k as f32 / 1000.0;
            assert!((log256(x) - x.ln()).abs() <= 2e-7 * (1.0 + x.ln().abs()), "{x}");
        }
        assert!(log256(0.0).is_nan() && log256(-1.0).is_nan());
    }

    #[test]
    fn sincos256_is_close_to_libm() {
        for k in 0..1000 {
            let x = k as f32 * TWO_PI_F / 1000.0;
            let (s, c) = sincos256(x);
            assert!((s - x.sin()).abs() < 1e-6 && (c - x.cos()).abs() < 1e-6, "{x}");
        }
    }

    #[test]
    fn tail_block_is_redrawn() {
        let mut k = 0u32;
        let mut data = [0f64; 17];
        fill_in_place(
            &mut data,
            || {
                k += 1;
                0.5
            },
            |b: &mut [f64]| b.iter_mut().for_each(|v| *v = 1.0),
        );
        assert_eq!(k, 17 + 16);
        assert!(data.iter().all(|&v| v == 1.0));
    }
}
