//! Lane kernels evaluated in f32 itself, for the hot ops (exp, log, tanh, sigmoid, silu,
//! gelu_tanh): f32 keeps 16 lanes per AVX-512 register. Other f32 ops are evaluated in f64.
use super::sel;

/// 1.5 * 2^23: `(x + MAGIC) - MAGIC` rounds |x| < 2^22 to an integer (ties to even).
const MAGIC: f32 = 12_582_912.0;

#[inline(always)]
fn rint(x: f32) -> f32 {
    (x + MAGIC) - MAGIC
}

/// 2^k for integer-valued k in [-126, 127]: the low bits of `k + MAGIC + 127` are the biased exponent.
#[inline(always)]
fn pow2i(k: f32) -> f32 {
    f32::from_bits((k + (MAGIC + 127.0)).to_bits() << 23)
}

/// exp(x) = (1 + t) 2^k, returned before 1 + t is rounded (Cephes expf): x = k ln2 + r with ln2
/// split so k * LN2_HI is exact, t = r + r^2 P(r). x is clamped to [-112, 112] (|k| <= 162), past
/// which exp, sigmoid and silu have over/underflowed; NaN passes through.
#[inline(always)]
fn exp_tk(x: f32) -> (f32, f32) {
    const LN2_HI: f32 = 0.693_359_4; // 0.693359375, 9 significant bits
    const LN2_LO: f32 = -2.121_944_4e-4;
    let x = sel(x > 112.0, 112.0, sel(x < -112.0, -112.0, x));
    let k = rint(x * std::f32::consts::LOG2_E);
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let p = ((((1.987_569_1e-4 * r + 1.398_199_9e-3) * r + 8.333_452e-3) * r + 4.166_579_6e-2) * r + 0.166_666_66) * r
        + 0.5;
    (p * (r * r) + r, k)
}

/// 2^k as two factors, each normal for |k| <= 162, so that y * s1 * s2 rounds only once
/// (subnormal results) and overflows exactly when the true product does.
#[inline(always)]
fn pow2_split(k: f32) -> (f32, f32) {
    let k1 = rint(k * 0.5);
    (pow2i(k1), pow2i(k - k1))
}

#[inline(always)]
pub(super) fn exp(x: f32) -> f32 {
    let (t, k) = exp_tk(x);
    let (s1, s2) = pow2_split(k);
    (t + 1.0) * s1 * s2
}

/// log (fdlibm logf): x = 2^k m with m in [sqrt(1/2), sqrt(2)), log(m) = f - f^2/2 + s(f^2/2 + R(s^2))
/// with f = m - 1, s = f / (2 + f); ln2 split in two so k * LN2_HI is exact.
#[inline(always)]
pub(super) fn log(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_138_1;
    const LN2_LO: f32 = 9.058_001e-6;
    const LG1: f32 = 0.666_666_6;
    const LG2: f32 = 0.400_009_72;
    const LG3: f32 = 0.284_987_87;
    const LG4: f32 = 0.242_790_79;
    let sub = x < f32::MIN_POSITIVE; // subnormals are scaled by 2^25 first
    let xs = sel(sub, x * 33_554_432.0, x);
    let bits = xs.to_bits();
    // Biased exponent as a float: OR it into the mantissa of 2^23, then subtract 2^23 + 127.
    let e = f32::from_bits(0x4b00_0000 | (bits >> 23)) - 8_388_735.0;
    let m0 = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    let big = m0 >= f32::from_bits(0x3fb5_04e0); // ~sqrt(2), fdlibm's exact cut
    let m = sel(big, m0 * 0.5, m0);
    let dk = e + sel(big, 1.0, 0.0) - sel(sub, 25.0, 0.0);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let r = z * (LG1 + w * LG3) + w * (LG2 + w * LG4);
    let hfsq = 0.5 * f * f;
    // fdlibm uses the f^2/2 form only for mantissas in this band, where it is the more accurate one.
    let band = m0 >= f32::from_bits(0x3fb0_a3d0) && m0 <= f32::from_bits(0x3fb5_c288);
    let a = dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    let b = dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
    let y = sel(band, a, b);
    // log(+inf) = +inf, log(0) = -inf, log(x < 0) = NaN, NaN propagates.
    let special = sel(x == 0.0, f32::NEG_INFINITY, sel(x < 0.0, f32::NAN, x));
    sel(x > 0.0 && x < f32::INFINITY, y, special)
}

/// tanh: odd polynomial (Cephes tanhf) below 0.625, else 1 - 2 / (e + 1) with e = exp(2|x|) =
/// (1 + t) 2^k, and e + 1 formed as (2^k + 1) + 2^k t with a single rounding. |x| > 10 gives 1;
/// the sign is copied back so tanh(-0) = -0.
#[inline(always)]
pub(super) fn tanh(x: f32) -> f32 {
    let a = x.abs();
    let z = a * a;
    let p = (((-5.704_988_7e-3 * z + 2.063_908_8e-2) * z - 5.373_971_5e-2) * z + 0.133_314_42) * z - 0.333_332_8;
    let small = a + a * (z * p);
    let (t, k) = exp_tk(sel(a > 10.0, 20.0, a + a));
    let e = pow2i(k); // k in [2, 29]
    let large = 1.0 - 2.0 / ((e + 1.0) + e * t);
    sel(a < 0.625, small, large).copysign(x)
}

/// The pieces shared by sigmoid, silu and gelu_tanh, for sigmoid(z) with z = h + l (l a tiny tail,
/// 0 except for gelu_tanh): exp(-z) = (1 + t) 2^k, with exp(-l) = 1 - l folded into t;
/// P = 2^-|k| as two factors (zero below h = -112, where even silu underflows); and the
/// denominator with one significant rounding, 1 + exp(-z) = 1 + P + P t for z >= 0 and
/// (1 + exp(-z)) 2^-k = 1 + P + t below. sigmoid(z) is then 1 / den, or P / den for z < 0.
#[inline(always)]
fn sigmoid_parts(h: f32, l: f32) -> (f32, f32, f32) {
    let (t, k) = exp_tk(-h);
    let t = t - l * (1.0 + t);
    let (s1, s2) = pow2_split(-k.abs());
    let gone = h < -112.0;
    let s1 = sel(gone, 0.0, s1);
    let p = s1 * s2; // it only flushes to zero where it is negligible next to 1
    let u = sel(h >= 0.0, p * t, sel(gone, 0.0, t)); // den = 1 keeps x / den finite for finite x
    // 1 + p is exact for p >= 2^-23; below, p + u is (nearly) exact instead.
    let den = sel(p >= 1.192_092_9e-7, (1.0 + p) + u, 1.0 + (p + u));
    (s1, s2, den)
}

/// sigmoid: torch computes 1 / (1 + exp(-x)) in f32. Here 1 / den for x >= 0 and 2^k / den below
/// (see [`sigmoid_parts`]), so nothing overflows and tiny results round once, down to subnormals.
#[inline(always)]
pub(super) fn sigmoid(x: f32) -> f32 {
    let (s1, s2, den) = sigmoid_parts(x, 0.0);
    let q = 1.0 / den;
    sel(x >= 0.0, q, q * s1 * s2)
}

/// silu = x * sigmoid(x), with the same split; silu(-inf) is NaN as in torch.
#[inline(always)]
pub(super) fn silu(x: f32) -> f32 {
    let (s1, s2, den) = sigmoid_parts(x, 0.0);
    let q = x / den;
    sel(x >= 0.0, q, q * s1 * s2)
}

/// torch's tanh-approximated gelu, 0.5 x (1 + tanh(u)) = x sigmoid(2u), u = sqrt(2/pi) (x + 0.044715 x^3).
/// 2u is formed in f64 (the sigmoid tail multiplies its relative error by |2u|) and passed on as
/// an f32 head and tail; gelu_tanh(-inf) is NaN as in torch.
#[inline(always)]
pub(super) fn gelu_tanh(x: f32) -> f32 {
    let xd = x as f64;
    let z = 1.595_769_121_605_730_8 * (xd + 0.044_715 * (xd * xd * xd)); // 2 sqrt(2/pi) = 1.5957...
    let h = z as f32;
    let l = sel(h.abs() < f32::INFINITY, (z - h as f64) as f32, 0.0);
    let (s1, s2, den) = sigmoid_parts(h, l);
    let q = x / den;
    sel(h >= 0.0, q, q * s1 * s2)
}

/// rsqrt as torch computes it: 1 / sqrt(x).
#[inline(always)]
pub(super) fn rsqrt(x: f32) -> f32 {
    1.0 / x.sqrt()
}
