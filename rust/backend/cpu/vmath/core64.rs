//! f64 lane kernels for the exp/log family and the activations. They serve the f64 ops and, by
//! evaluating in f64 and rounding once, most f32 ops. Algorithms follow fdlibm (Sun Microsystems,
//! "Permission to use, copy, modify, and distribute this software is freely granted, provided that
//! this notice is preserved"), rewritten branch-free.
use super::sel;

/// 1.5 * 2^52: `(x + MAGIC) - MAGIC` rounds |x| < 2^51 to an integer, and the low mantissa bits
/// of `x + MAGIC` hold that integer in two's complement.
pub(super) const MAGIC: f64 = 6_755_399_441_055_744.0;
const LN2_HI: f64 = 0.693_147_180_369_123_8; // 32 significant bits, so k * LN2_HI is exact
const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
const INF: f64 = f64::INFINITY;

#[inline(always)]
pub(super) fn rint(x: f64) -> f64 {
    (x + MAGIC) - MAGIC
}

/// 2^k for integer-valued k in [-1022, 1023]: the low bits of `k + MAGIC + 1023` are the biased exponent.
#[inline(always)]
fn pow2i(k: f64) -> f64 {
    f64::from_bits((k + (MAGIC + 1023.0)).to_bits() << 52)
}

/// y * 2^k for integer-valued k in [-1096, 1025], in two steps so subnormal results round once.
#[inline(always)]
fn scale(y: f64, k: f64) -> f64 {
    let k1 = rint(k * 0.5);
    y * pow2i(k1) * pow2i(k - k1)
}

/// exp(hi + lo) = y 2^k, |lo| small next to |hi| (fdlibm e_exp, with lo folded into its own
/// low part): hi = k ln2 + r, |r| <= ln2/2, y = exp(r) = 1 + r + r c / (2 - c) with
/// c = r - r^2 P(r^2). hi is clamped just past the overflow/underflow thresholds (NaN passes).
#[inline(always)]
fn exp_yk(hi: f64, lo: f64) -> (f64, f64) {
    const P1: f64 = 1.666_666_666_666_660_2e-1;
    const P2: f64 = -2.777_777_777_701_559_3e-3;
    const P3: f64 = 6.613_756_321_437_934e-5;
    const P4: f64 = -1.653_390_220_546_525_2e-6;
    const P5: f64 = 4.138_136_797_057_238_5e-8;
    let x = sel(hi > 710.0, 710.0, sel(hi < -760.0, -760.0, hi));
    let k = rint(x * std::f64::consts::LOG2_E);
    let hi = x - k * LN2_HI; // exact
    let lo = k * LN2_LO - lo;
    let r = hi - lo;
    let t = r * r;
    let c = r - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
    (1.0 - ((lo - (r * c) / (2.0 - c)) - hi), k)
}

/// exp; the two-step scaling makes subnormal results round once and overflow happen at the true threshold.
#[inline(always)]
pub(super) fn exp(x: f64) -> f64 {
    let (y, k) = exp_yk(x, 0.0);
    scale(y, k)
}

/// exp(hi + lo) for a double-double argument (erfc's exp(-x^2 ...)).
#[inline(always)]
pub(super) fn exp_dd(hi: f64, lo: f64) -> f64 {
    let (y, k) = exp_yk(hi, lo);
    scale(y, k)
}

/// exp to about 1e-11 relative for results that are rounded to f32: [`exp`]'s reduction, then a
/// degree-9 Taylor polynomial instead of fdlibm's division.
#[inline(always)]
pub(super) fn exp_g(x: f64) -> f64 {
    // Beyond e^+-708 every f32 use of the result has overflowed or flushed to zero, so those
    // arguments return inf and 0; the clamp keeps k in [-1021, 1023] for one power of two.
    let (over, under) = (x > 709.0, x < -708.0);
    let x = sel(over, 709.0, sel(under, -708.0, x));
    let k = rint(x * std::f64::consts::LOG2_E);
    let r = (x - k * LN2_HI) - k * LN2_LO;
    const C: [f64; 8] =
        [1.0 / 2.0, 1.0 / 6.0, 1.0 / 24.0, 1.0 / 120.0, 1.0 / 720.0, 1.0 / 5040.0, 1.0 / 40320.0, 1.0 / 362880.0];
    let mut p = C[7];
    for &c in C[..7].iter().rev() {
        p = p * r + c;
    }
    sel(over, INF, sel(under, 0.0, (1.0 + (r + r * r * p)) * pow2i(k)))
}

/// [`exp`] for f64 results (`F`), [`exp_g`] for results rounded to f32.
#[inline(always)]
pub(super) fn expf<const F: bool>(x: f64) -> f64 {
    if F { exp(x) } else { exp_g(x) }
}

/// 2^x = 2^k * exp((x - k) ln2) for f32 results; x - k is exact.
#[inline(always)]
pub(super) fn exp2(x: f64) -> f64 {
    let x = sel(x > 1030.0, 1030.0, sel(x < -1080.0, -1080.0, x));
    let k = rint(x);
    scale(exp_g((x - k) * std::f64::consts::LN_2), k)
}

/// log (fdlibm e_log): x = 2^k m with m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f / (2 + f),
/// log(m) = f - f^2/2 + s (f^2/2 + R(s^2)); ln2 split so k * LN2_HI is exact.
#[inline(always)]
pub(super) fn log(x: f64) -> f64 {
    const LG1: f64 = 6.666_666_666_666_735e-1;
    const LG2: f64 = 3.999_999_999_940_942e-1;
    const LG3: f64 = 2.857_142_874_366_239e-1;
    const LG4: f64 = 2.222_219_843_214_978_4e-1;
    const LG5: f64 = 1.818_357_216_161_805e-1;
    const LG6: f64 = 1.531_383_769_920_937_3e-1;
    const LG7: f64 = 1.479_819_860_511_658_6e-1;
    let sub = x < f64::MIN_POSITIVE; // subnormals are scaled by 2^54 first
    let xs = sel(sub, x * 18_014_398_509_481_984.0, x);
    let bits = xs.to_bits();
    // Biased exponent as a float: OR it into the mantissa of 2^52, then subtract 2^52 + 1023.
    let e = f64::from_bits(0x4330_0000_0000_0000 | (bits >> 52)) - 4_503_599_627_371_519.0;
    let m0 = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3ff0_0000_0000_0000);
    let big = m0 >= f64::from_bits(0x3ff6_a09c_0000_0000); // ~sqrt(2), fdlibm's exact cut
    let m = sel(big, m0 * 0.5, m0);
    let dk = e + sel(big, 1.0, 0.0) - sel(sub, 54.0, 0.0);
    let f = m - 1.0;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let r = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7))) + w * (LG2 + w * (LG4 + w * LG6));
    let hfsq = 0.5 * f * f;
    // fdlibm uses the f^2/2 form only for mantissas in this band, where it is the more accurate one.
    let band = m0 >= f64::from_bits(0x3ff6_147a_0000_0000) && m0 <= f64::from_bits(0x3ff6_b851_0000_0000);
    let a = dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    let b = dk * LN2_HI - ((s * (f - r) - dk * LN2_LO) - f);
    let y = sel(band, a, b);
    let special = sel(x == 0.0, -INF, sel(x < 0.0, f64::NAN, x));
    sel(x > 0.0 && x < INF, y, special)
}

/// log2 / log10 for f32 results: log(x) times the constant, under 2^-52 relative error.
#[inline(always)]
pub(super) fn log2(x: f64) -> f64 {
    log(x) * std::f64::consts::LOG2_E
}

#[inline(always)]
pub(super) fn log10(x: f64) -> f64 {
    log(x) * std::f64::consts::LOG10_E
}

/// expm1 (fdlibm s_expm1): r = x - k ln2 with its rounding error c, expm1(r) from a rational
/// form in r^2/2, then recombined with 2^k by the case (k = 0, +-1, 2..56, other) that stays exact.
#[inline(always)]
pub(super) fn expm1(x: f64) -> f64 {
    const Q1: f64 = -3.333_333_333_333_313e-2;
    const Q2: f64 = 1.587_301_587_254_814_6e-3;
    const Q3: f64 = -7.936_507_578_674_88e-5;
    const Q4: f64 = 4.008_217_827_329_362e-6;
    const Q5: f64 = -2.010_992_181_836_243_7e-7;
    let xc = sel(x > 710.0, 710.0, sel(x < -60.0, -60.0, x));
    let k = rint(xc * std::f64::consts::LOG2_E);
    let hi = xc - k * LN2_HI;
    let lo = k * LN2_LO;
    let r = hi - lo;
    let c = (hi - r) - lo;
    let hfx = 0.5 * r;
    let hxs = r * hfx;
    let r1 = 1.0 + hxs * (Q1 + hxs * (Q2 + hxs * (Q3 + hxs * (Q4 + hxs * Q5))));
    let t = 3.0 - r1 * hfx;
    let e = hxs * ((r1 - t) / (6.0 - r * t));
    let y0 = r - (r * e - hxs); // k == 0 (then c == 0)
    let e = (r * (e - c) - c) - hxs;
    let ym1 = 0.5 * (r - e) - 0.5;
    let yp1 = sel(r < -0.25, -2.0 * (e - (r + 0.5)), 1.0 + 2.0 * (r - e));
    let yfar = scale(1.0 - (e - r), k) - 1.0; // k <= -2 or k > 56: the -1 barely matters
    let km = sel(k > 56.0, 56.0, sel(k < 2.0, 2.0, k)); // keeps 2^k, 2^-k finite in unused lanes
    let (p, pinv) = (pow2i(km), pow2i(-km));
    let ymid = sel(km < 20.0, ((1.0 - pinv) - (e - r)) * p, ((r - (e + pinv)) + 1.0) * p);
    let y = sel(k == 0.0, y0, sel(k == -1.0, ym1, sel(k == 1.0, yp1, sel(k <= -2.0 || k > 56.0, yfar, ymid))));
    sel(x == 0.0, x, y) // keeps expm1(-0) = -0
}

/// log1p = log(u) + e / u, where u = 1 + x rounded and e = (1 + x) - u exactly (2Sum).
#[inline(always)]
pub(super) fn log1p(x: f64) -> f64 {
    let u = 1.0 + x;
    let bb = u - 1.0;
    let err = (1.0 - (u - bb)) + (x - bb);
    let corr = sel(u > 0.0 && u < INF, err / u, 0.0);
    sel(x == 0.0, x, log(u) + corr) // keeps log1p(-0) = -0
}

/// log1p for results rounded to f32: the series below 2^-20, log(1 + x) above, where rounding
/// 1 + x costs at most 2^-33 relative (none at all for f32 arguments).
#[inline(always)]
pub(super) fn log1p_g(x: f64) -> f64 {
    sel(x.abs() < 9.5e-7, x * (1.0 - x * (0.5 - x * (1.0 / 3.0))), log(1.0 + x))
}

/// expm1 for f32 results: Taylor series below 1/2 (no cancellation), exp(x) - 1 above.
#[inline(always)]
pub(super) fn expm1_g(x: f64) -> f64 {
    const C: [f64; 9] = [
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5040.0,
        1.0 / 40320.0,
        1.0 / 362880.0,
        1.0 / 3628800.0,
    ];
    let mut p = C[8];
    for &c in C[..8].iter().rev() {
        p = p * x + c;
    }
    sel(x == 0.0, x, sel(x.abs() < 0.5, x + x * x * p, exp_g(x) - 1.0)) // keeps expm1(-0) = -0
}

/// [`log1p`] for f64 results (`F`), [`log1p_g`] for results rounded to f32.
#[inline(always)]
fn log1pf<const F: bool>(x: f64) -> f64 {
    if F { log1p(x) } else { log1p_g(x) }
}

/// tanh (fdlibm s_tanh): -t / (t + 2) with t = expm1(-2|x|) below 1, 1 - 2 / (expm1(2|x|) + 2)
/// above; |x| >= 22 rounds to 1.
#[inline(always)]
pub(super) fn tanh(x: f64) -> f64 {
    let a = x.abs();
    let a = sel(a > 22.0, 22.0, a);
    let big = a >= 1.0;
    let t = expm1(sel(big, a + a, -(a + a)));
    sel(big, 1.0 - 2.0 / (t + 2.0), -t / (t + 2.0)).copysign(x)
}

/// sigmoid with e = exp(-|x|) <= 1: 1 / (1 + e) for x >= 0, e / (1 + e) below (no overflow).
#[inline(always)]
pub(super) fn sigmoid(x: f64) -> f64 {
    let e = exp(-x.abs());
    sel(x >= 0.0, 1.0, e) / (1.0 + e)
}

/// silu = x * sigmoid(x), split like [`sigmoid`], with e = y 2^k applied last so results near the
/// underflow threshold round once; silu(-inf) is NaN as in torch.
#[inline(always)]
pub(super) fn silu(x: f64) -> f64 {
    let (y, k) = exp_yk(-x.abs(), 0.0);
    let den = 1.0 + scale(y, k);
    // Below -760 (past exp's clamp) silu has underflowed: x * 0 gives -0, or NaN at -inf as in torch.
    sel(x >= 0.0, x / den, sel(x < -760.0, x * 0.0, scale(x * y / den, k)))
}

/// torch's tanh-approximated gelu, 0.5 x (1 + tanh(u)), u = sqrt(2/pi) (x + 0.044715 x^3),
/// written as x * sigmoid(2u) so the negative tail does not cancel.
#[inline(always)]
pub(super) fn gelu_tanh(x: f64) -> f64 {
    const K: f64 = 0.797_884_560_802_865_4; // sqrt(2 / pi)
    let u = K * (x + 0.044_715 * (x * x * x));
    x * sigmoid(u + u)
}

/// The value of torch's softplus below the threshold, log1p(exp(x * beta)) / beta, evaluated as
/// (max(z, 0) + log1p(exp(-|z|))) / beta so it cannot overflow.
#[inline(always)]
pub(super) fn softplus_value<const F: bool>(x: f64, beta: f64) -> f64 {
    let z = x * beta;
    (sel(z > 0.0, z, 0.0) + log1pf::<F>(expf::<F>(-z.abs()))) / beta
}

#[inline(always)]
pub(super) fn softplus(x: f64, beta: f64, threshold: f64) -> f64 {
    sel(x * beta > threshold, x, softplus_value::<true>(x, beta))
}

/// mish = x tanh(softplus(x)) = x n / (n + 2) with n = e (e + 2), e = exp(x); exact x above 20.
#[inline(always)]
pub(super) fn mish<const F: bool>(x: f64) -> f64 {
    let xc = sel(x > 20.0, 20.0, x);
    let m = if F {
        // n = 2^k y (e + 2): the power of two goes last so tiny results round once.
        let (y, k) = exp_yk(xc, 0.0);
        let e = scale(y, k);
        sel(x < -760.0, x * 0.0, scale(x * y * (e + 2.0) / (e * (e + 2.0) + 2.0), k))
    } else {
        let e = exp_g(xc);
        let n = e * (e + 2.0);
        x * n / (n + 2.0)
    };
    sel(x > 20.0, x, m)
}

/// log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), torch's stable form.
#[inline(always)]
pub(super) fn logsigmoid<const F: bool>(x: f64) -> f64 {
    sel(x < 0.0, x, 0.0) - log1pf::<F>(expf::<F>(-x.abs()))
}

#[inline(always)]
pub(super) fn rsqrt(x: f64) -> f64 {
    1.0 / x.sqrt()
}

/// sinh for f32 results: odd Taylor series below 1/2, (e - 1/e) / 2 above.
#[inline(always)]
pub(super) fn sinh(x: f64) -> f64 {
    let a = x.abs();
    let e = exp_g(sel(a > 100.0, 100.0, a)); // sinh(100) is far past f32 range
    let z = a * a;
    let p = a + a * z * (1.0 / 6.0 + z * (1.0 / 120.0 + z * (1.0 / 5040.0 + z * (1.0 / 362_880.0 + z / 39_916_800.0))));
    sel(a < 0.5, p, 0.5 * (e - 1.0 / e)).copysign(x)
}

/// cosh for f32 results: (e + 1/e) / 2.
#[inline(always)]
pub(super) fn cosh(x: f64) -> f64 {
    let a = x.abs();
    let e = exp_g(sel(a > 100.0, 100.0, a));
    0.5 * (e + 1.0 / e)
}

/// asinh for f32 results: log1p(a + a^2 / (1 + sqrt(1 + a^2))), a = |x| (f32 squares fit in f64).
#[inline(always)]
pub(super) fn asinh(x: f64) -> f64 {
    let a = x.abs();
    let a2 = a * a;
    let y = log1p_g(a + a2 / (1.0 + (1.0 + a2).sqrt()));
    sel(a == INF, INF, y).copysign(x)
}

/// acosh for f32 results: log1p((x - 1) + sqrt((x - 1)(x + 1))); x - 1 is exact near 1.
#[inline(always)]
pub(super) fn acosh(x: f64) -> f64 {
    let t = x - 1.0;
    sel(x >= 1.0, log1p_g(t + (t * (x + 1.0)).sqrt()), f64::NAN) // the formula is not NaN for x << -1
}

/// atanh for f32 results: log1p(2a / (1 - a)) / 2, a = |x|.
#[inline(always)]
pub(super) fn atanh(x: f64) -> f64 {
    let a = x.abs();
    (0.5 * log1p_g((a + a) / (1.0 - a))).copysign(x)
}

/// pow for f32 inputs: exp2(y log2|x|) in f64 (|y log2|x|| is small enough that its rounding is
/// invisible in f32), then C99's sign and special-case rules.
#[inline(always)]
pub(super) fn pow(x: f64, y: f64) -> f64 {
    const TWO52: f64 = 4_503_599_627_370_496.0;
    let ax = x.abs();
    let ay = y.abs();
    let r = exp2(y * log2(ax));
    let is_int = sel(ay < TWO52, rint(ay), ay) == ay; // +-inf count as even integers; NaN as neither
    let odd = is_int && ay < TWO52 && ((ay + TWO52).to_bits() & 1) == 1;
    let r = sel(x.is_sign_negative() && odd, -r, r);
    // Finite negative base to a finite non-integer power is NaN.
    let r = sel(x < 0.0 && x > -INF && !is_int && ay < INF, f64::NAN, r);
    // pow(x, +-0) = 1, pow(1, y) = 1 and pow(-1, +-inf) = 1, even with NaN on the other side.
    sel(y == 0.0 || x == 1.0 || (ax == 1.0 && ay == INF), 1.0, r)
}
