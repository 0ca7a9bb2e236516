//! f64 lane kernels for erf/erfc/erfinv/gelu, atan and friends, and the f32 trig functions.
//! erf and atan follow fdlibm (Sun Microsystems, "Permission to use, copy, modify, and distribute
//! this software is freely granted, provided that this notice is preserved"); the f32 trig kernels
//! follow FreeBSD's k_sinf/k_cosf/k_tanf, rewritten branch-free.
use super::core64::{MAGIC, exp_dd, exp_g, expf, log, rint};
use super::sel;

const INF: f64 = f64::INFINITY;

/// c[0] + t (c[1] + t (c[2] + ...)), Horner's rule.
#[inline(always)]
fn horner<const N: usize>(t: f64, c: &[f64; N]) -> f64 {
    let mut acc = 0.0;
    for &ci in c.iter().rev() {
        acc = acc * t + ci;
    }
    acc
}

/// Horner's rule with coefficients chosen per lane from `a` or `b`.
#[inline(always)]
fn horner_sel<const N: usize>(t: f64, pick_a: bool, a: &[f64; N], b: &[f64; N]) -> f64 {
    let mut acc = 0.0;
    for (&ai, &bi) in a.iter().zip(b).rev() {
        acc = acc * t + sel(pick_a, ai, bi);
    }
    acc
}

const ERX: f64 = 0.845_062_911_510_467_5; // erf(1) rounded to 24 bits
// erf(x) = x + x PP(x^2) / (1 + x^2 QQ(x^2)) on [0, 0.84375]
const PP: [f64; 5] = [
    0.128_379_167_095_512_56,
    -0.325_042_107_247_001_5,
    -0.028_481_749_575_598_51,
    -0.005_770_270_296_489_442,
    -2.376_301_665_665_016_3e-5,
];
const QQ: [f64; 5] = [
    0.397_917_223_959_155_35,
    0.065_022_249_988_767_3,
    0.005_081_306_281_875_766,
    1.324_947_380_043_216_4e-4,
    -3.960_228_278_775_368e-6,
];
// erf(1 + s) = ERX + PA(s) / (1 + s QA(s)) on [0.84375, 1.25]
const PA: [f64; 7] = [
    -0.002_362_118_560_752_659_4,
    0.414_856_118_683_748_33,
    -0.372_207_876_035_701_3,
    0.318_346_619_901_161_75,
    -0.110_894_694_282_396_68,
    0.035_478_304_325_618_236,
    -0.002_166_375_594_868_791,
];
const QA: [f64; 6] = [
    0.106_420_880_400_844_23,
    0.540_397_917_702_171,
    0.071_828_654_414_196_27,
    0.126_171_219_808_761_64,
    0.013_637_083_912_029_05,
    0.011_984_499_846_799_107,
];
// erfc(x) = exp(-x^2 - 0.5625 + R(1/x^2) / S(1/x^2)) / x: RA/SA on [1.25, 1/0.35], RB/SB above
// (padded with a zero so both have the same length; S is stored with its leading 1).
const RA: [f64; 8] = [
    -0.009_864_944_034_847_148,
    -0.693_858_572_707_181_8,
    -10.558_626_225_323_291,
    -62.375_332_450_326_006,
    -162.396_669_462_573_47,
    -184.605_092_906_711_04,
    -81.287_435_506_306_6,
    -9.814_329_344_169_145,
];
const SA: [f64; 9] = [
    1.0,
    19.651_271_667_439_257,
    137.657_754_143_519_04,
    434.565_877_475_229_23,
    645.387_271_733_267_9,
    429.008_140_027_567_83,
    108.635_005_541_779_44,
    6.570_249_770_319_282,
    -0.060_424_415_214_858_1,
];
const RB: [f64; 8] = [
    -0.009_864_942_924_700_1,
    -0.799_283_237_680_523,
    -17.757_954_917_754_752,
    -160.636_384_855_821_92,
    -637.566_443_368_389_6,
    -1_025.095_131_611_077_2,
    -483.519_191_608_651_4,
    0.0,
];
const SB: [f64; 9] = [
    1.0,
    30.338_060_743_482_46,
    325.792_512_996_573_9,
    1_536.729_586_084_437,
    3_199.858_219_508_595_5,
    2_553.050_406_433_164_4,
    474.528_541_206_955_37,
    -22.440_952_446_585_82,
    0.0,
];

/// (erf(x), erfc(x)) following fdlibm's four ranges of |x| (< 0.84375, < 1.25, < 1/0.35, above),
/// all evaluated and blended per lane. The tail needs exp(-x^2 - 0.5625 + R/S) with -x^2 exact:
/// the caller passes it as `nsq_hi + nsq_lo` (see [`erf_pair`]), and exp takes the sum in two parts.
#[inline(always)]
fn erf_pair_sq(x: f64, nsq_hi: f64, nsq_lo: f64) -> (f64, f64) {
    let a = x.abs();
    let z = a * a;
    let s = a - 1.0;
    let r1 = a < 0.84375;
    let r2 = a < 1.25;
    let y = sel(r1, horner(z, &PP), horner(s, &PA)) / sel(r1, 1.0 + z * horner(z, &QQ), 1.0 + s * horner(s, &QA));
    let ac = sel(a > 28.0, 28.0, sel(a < 1.25, 1.25, a)); // NaN stays NaN
    let u = 1.0 / (ac * ac);
    let ra = ac < f64::from_bits(0x4006_db6e_0000_0000); // ~1/0.35
    let big_r = horner_sel(u, ra, &RA, &RB);
    let big_s = horner_sel(u, ra, &SA, &SB);
    // |R/S| < 0.3 < |nsq_hi - 0.5625|, so Fast2Sum gives the exponent's low part exactly.
    let (hi, lo) = (nsq_hi - 0.5625, nsq_lo + big_r / big_s);
    let e = hi + lo;
    let q = exp_dd(e, (hi - e) + lo) / ac;
    let q = sel(a > 28.0, 0.0, q); // erfc(28) underflows (and this keeps +-inf away from NaN)
    let erf = sel(r1, a + a * y, sel(r2, ERX + y, 1.0 - q)).copysign(x);
    let erfc_small = sel(x < 0.25, 1.0 - (x + x * y), 0.5 - ((x - 0.5) + x * y));
    let erfc_mid = sel(x > 0.0, (1.0 - ERX) - y, 1.0 + (ERX + y));
    let erfc = sel(r1, erfc_small, sel(r2, erfc_mid, sel(x > 0.0, q, 2.0 - q)));
    (erf, erfc)
}

/// -x^2 as hi + lo: with xh = x with its low 32 bits cleared, x^2 = xh^2 (exact) + (x - xh)(x + xh).
#[inline(always)]
fn neg_square(x: f64) -> (f64, f64) {
    let xh = f64::from_bits(x.to_bits() & 0xffff_ffff_0000_0000);
    (-(xh * xh), -((x - xh) * (x + xh)))
}

/// (erf(x), erfc(x)) for f64 results (fdlibm s_erf, rewritten branch-free).
#[inline(always)]
pub(super) fn erf_pair(x: f64) -> (f64, f64) {
    let (hi, lo) = neg_square(x);
    erf_pair_sq(x, hi, lo)
}

/// erfc(v) for v >= 0 to 3e-9 relative, for results rounded to f32: t exp(-v^2 + Q(t)) with
/// t = 1 / (1 + v/2), the Numerical Recipes form refitted (least squares, degree 11, v <= 10.5).
#[inline(always)]
fn erfc_pos_g(v: f64) -> f64 {
    const Q: [f64; 12] = [
        -1.265_540_798_398_613_8,
        1.000_822_962_100_604_2,
        0.364_780_164_068_076_9,
        0.155_451_451_935_824_3,
        -0.404_404_542_937_544_96,
        0.764_229_754_912_733_6,
        -1.731_961_391_987_282_7,
        1.714_734_356_807_216_9,
        -0.422_282_194_702_477_5,
        -0.460_772_698_910_361_4,
        0.364_043_355_887_824_8,
        -0.079_100_421_337_244_17,
    ];
    let big = v > 10.5; // erfc(10.5) ~ 1e-49: zero for every f32 use, gelu's x * erfc included
    let v = sel(big, 10.5, v);
    let t = 1.0 / (1.0 + 0.5 * v);
    sel(big, 0.0, t * exp_g(horner(t, &Q) - v * v))
}

/// (erf, erfc) for results rounded to f32: the Taylor series of erf below 1/2 (relative error
/// under 1e-12 there), [`erfc_pos_g`] elsewhere (erf = 1 - erfc does not cancel above 1/2).
#[inline(always)]
fn erf_pair_g(x: f64) -> (f64, f64) {
    const T: [f64; 9] = [
        std::f64::consts::FRAC_2_SQRT_PI,
        -0.376_126_389_031_837_54,
        0.112_837_916_709_551_26,
        -0.026_866_170_645_131_252,
        0.005_223_977_625_442_188,
        -8.548_327_023_450_852e-4,
        1.205_533_298_178_966_4e-4,
        -1.492_565_035_840_625e-5,
        1.646_211_436_588_924_6e-6,
    ];
    let a = x.abs();
    let c = erfc_pos_g(a);
    let erf = sel(a < 0.5, a * horner(a * a, &T), 1.0 - c).copysign(x);
    (erf, sel(x >= 0.0, c, 2.0 - c))
}

/// fdlibm's (erf, erfc) for f64 results (`F`), the cheaper pair for results rounded to f32.
#[inline(always)]
fn erf_pairf<const F: bool>(x: f64) -> (f64, f64) {
    if F { erf_pair(x) } else { erf_pair_g(x) }
}

#[inline(always)]
pub(super) fn erf<const F: bool>(x: f64) -> f64 {
    erf_pairf::<F>(x).0
}

#[inline(always)]
pub(super) fn erfc<const F: bool>(x: f64) -> f64 {
    erf_pairf::<F>(x).1
}

/// Exact gelu, 0.5 x (1 + erf(x / sqrt(2))) = 0.5 x erfc(-x / sqrt(2)), so the negative tail does
/// not cancel; gelu(-inf) is NaN as in torch.
#[inline(always)]
pub(super) fn gelu<const F: bool>(x: f64) -> f64 {
    let v = -x * std::f64::consts::FRAC_1_SQRT_2;
    if F {
        // -v^2 = -x^2 / 2 from x itself: the rounding of v would cost 2 v^2 ulps in the tail.
        let (hi, lo) = neg_square(x);
        x * 0.5 * erf_pair_sq(v, 0.5 * hi, 0.5 * lo).1
    } else {
        let c = erfc_pos_g(v.abs());
        x * 0.5 * sel(v >= 0.0, c, 2.0 - c)
    }
}

/// erfinv: torch's starting point (Pavlis' rational approximations, ~1e-7 relative; central
/// range |y| <= 0.7, tail in sqrt(-log((1 - |y|) / 2))), then `STEPS` Halley steps on
/// erf(x) - |y|, using erfc near 1 so the residual keeps its precision. One step gives f32
/// accuracy, two give f64 accuracy.
#[inline(always)]
pub(super) fn erfinv<const STEPS: usize, const F: bool>(y: f64) -> f64 {
    const A: [f64; 4] = [0.886_226_899, -1.645_349_621, 0.914_624_893, -0.140_543_331];
    const B: [f64; 4] = [-2.118_377_725, 1.442_710_462, -0.329_097_515, 0.012_229_801];
    const C: [f64; 4] = [-1.970_840_454, -1.624_906_493, 3.429_567_803, 1.641_345_311];
    const D: [f64; 2] = [3.543_889_2, 1.637_067_8];
    let a = y.abs();
    let zc = a * a;
    let zt = (-log((1.0 - a) * 0.5)).sqrt();
    let central = a <= 0.7;
    let num = sel(central, a * horner(zc, &A), horner(zt, &C));
    let den = sel(central, 1.0 + zc * horner(zc, &B), 1.0 + zt * horner(zt, &D));
    let mut x = num / den;
    for _ in 0..STEPS {
        let (e, ec) = erf_pairf::<F>(x);
        let resid = sel(a > 0.5, (1.0 - a) - ec, e - a);
        let u = resid / (std::f64::consts::FRAC_2_SQRT_PI * expf::<F>(-x * x));
        x -= u / (1.0 + x * u);
    }
    sel(a < 1.0, x, sel(a == 1.0, INF, f64::NAN)).copysign(y)
}

const AT_HI: [f64; 4] =
    [0.463_647_609_000_806_1, std::f64::consts::FRAC_PI_4, 0.982_793_723_247_329, std::f64::consts::FRAC_PI_2];
const AT_LO: [f64; 4] =
    [2.269_877_745_296_168_7e-17, 3.061_616_997_868_383e-17, 1.390_331_103_123_099_8e-17, 6.123_233_995_736_766e-17];
const AT: [f64; 11] = [
    0.333_333_333_333_329_3,
    -0.199_999_999_998_764_83,
    0.142_857_142_725_034_66,
    -0.111_111_104_054_623_56,
    0.090_908_871_334_365_07,
    -0.076_918_762_050_448_3,
    0.066_610_731_373_875_31,
    -0.058_335_701_337_905_735,
    0.049_768_779_946_159_324,
    -0.036_531_572_744_216_916,
    0.016_285_820_115_365_782,
];

/// atan (fdlibm s_atan): |x| is mapped to [-7/16, 7/16] through atan(c) + atan((|x| - c) / (1 + c|x|))
/// for c in {0.5, 1, 1.5, inf}, with atan(c) in two parts; an odd polynomial of degree 23 finishes.
#[inline(always)]
pub(super) fn atan(x: f64) -> f64 {
    let a = x.abs();
    let (r0, r1, r2, r3) = (a < 0.4375, a < 0.6875, a < 1.1875, a < 2.4375);
    let num = sel(r0, a, sel(r1, 2.0 * a - 1.0, sel(r2, a - 1.0, sel(r3, a - 1.5, -1.0))));
    let den = sel(r0, 1.0, sel(r1, 2.0 + a, sel(r2, a + 1.0, sel(r3, 1.0 + 1.5 * a, a))));
    let t = num / den;
    let hi = sel(r1, AT_HI[0], sel(r2, AT_HI[1], sel(r3, AT_HI[2], AT_HI[3])));
    let lo = sel(r1, AT_LO[0], sel(r2, AT_LO[1], sel(r3, AT_LO[2], AT_LO[3])));
    let z = t * t;
    let w = z * z;
    let s1 = z * horner(w, &[AT[0], AT[2], AT[4], AT[6], AT[8], AT[10]]);
    let s2 = w * horner(w, &[AT[1], AT[3], AT[5], AT[7], AT[9]]);
    sel(r0, t - t * (s1 + s2), hi - ((t * (s1 + s2) - lo) - t)).copysign(x)
}

/// asin for f32 results: atan(x / sqrt((1 - x)(1 + x))); the factored form is exact-ish near |x| = 1.
#[inline(always)]
pub(super) fn asin(x: f64) -> f64 {
    atan(x / ((1.0 - x) * (1.0 + x)).sqrt())
}

/// acos for f32 results: 2 atan(sqrt((1 - x) / (1 + x))), accurate near both ends.
#[inline(always)]
pub(super) fn acos(x: f64) -> f64 {
    2.0 * atan(((1.0 - x) / (1.0 + x)).sqrt())
}

/// atan2 for f32 results: atan of min/max of |y|, |x| (in [0, 1]), then reflected into the right
/// octant; zeros and infinities follow C99 (atan2(+-0, -0) = +-pi, atan2(+-inf, -inf) = +-3pi/4, ...).
#[inline(always)]
pub(super) fn atan2(y: f64, x: f64) -> f64 {
    let (ay, ax) = (y.abs(), x.abs());
    let swap = ay > ax;
    let (num, den) = (sel(swap, ax, ay), sel(swap, ay, ax));
    let t = sel(ax == INF && ay == INF, 1.0, sel(num == 0.0 && den == 0.0, 0.0, num / den));
    let th = atan(t);
    let th = sel(swap, std::f64::consts::FRAC_PI_2 - th, th);
    sel(x.is_sign_negative(), std::f64::consts::PI - th, th).copysign(y)
}

const PIO2_1: f64 = 1.570_796_310_901_641_8; // first 33 bits of pi/2
const PIO2_1T: f64 = 1.589_325_477_352_819_6e-8; // pi/2 - PIO2_1
/// f32 arguments at or above this (and infinities) take libm's exact reduction: the two-constant
/// reduction below keeps enough bits only up to about 2^28 * pi/2.
pub(super) const TRIG_BIG: f32 = 421_657_440.0;

/// x = n pi/2 + r with |r| <= ~pi/4 (exact enough for f32 x below TRIG_BIG); returns r and n mod 4.
#[inline(always)]
fn reduce(x: f32) -> (f64, u64) {
    let x = x as f64;
    let n = rint(x * std::f64::consts::FRAC_2_PI);
    let r = (x - n * PIO2_1) - n * PIO2_1T;
    (r, (n + MAGIC).to_bits() & 3)
}

/// sin on [-pi/4, pi/4], |error| < 2^-37.5 relative (k_sinf).
#[inline(always)]
fn ksin(x: f64) -> f64 {
    const S: [f64; 4] =
        [-0.166_666_666_416_265_24, 0.008_333_329_385_889_463, -1.983_933_483_609_663_2e-4, 2.718_311_493_989_822e-6];
    let z = x * x;
    let w = z * z;
    let s = z * x;
    (x + s * (S[0] + z * S[1])) + s * w * (S[2] + z * S[3])
}

/// cos on [-pi/4, pi/4], |error| < 2^-34.1 (k_cosf).
#[inline(always)]
fn kcos(x: f64) -> f64 {
    const C: [f64; 4] =
        [-0.499_999_997_251_031, 0.041_666_623_323_739_06, -0.001_388_676_377_460_993, 2.439_044_879_627_741e-5];
    let z = x * x;
    let w = z * z;
    ((1.0 + z * C[0]) + w * C[1]) + (w * z) * (C[2] + z * C[3])
}

/// tan on [-pi/4, pi/4] (k_tanf).
#[inline(always)]
fn ktan(x: f64) -> f64 {
    const T: [f64; 6] = [
        0.333_331_395_030_791_4,
        0.133_392_002_712_976_74,
        0.053_381_237_844_567_04,
        0.024_528_318_116_654_728,
        0.002_974_357_433_599_673,
        0.009_465_647_849_436_732,
    ];
    let z = x * x;
    let w = z * z;
    let s = z * x;
    (x + s * (T[0] + z * T[1])) + (s * w) * ((T[2] + z * T[3]) + w * (T[4] + z * T[5]))
}

#[inline(always)]
pub(super) fn sin32(x: f32) -> f32 {
    let (r, q) = reduce(x);
    let v = sel(q & 1 == 0, ksin(r), kcos(r));
    let v = sel(q & 2 == 0, v, -v) as f32;
    sel(x == 0.0, x, v) // keeps sin(-0) = -0
}

#[inline(always)]
pub(super) fn cos32(x: f32) -> f32 {
    let (r, q) = reduce(x);
    let v = sel(q & 1 == 0, kcos(r), ksin(r));
    sel((q + 1) & 2 == 0, v, -v) as f32
}

#[inline(always)]
pub(super) fn tan32(x: f32) -> f32 {
    let (r, q) = reduce(x);
    let t = ktan(r);
    let v = sel(q & 1 == 0, t, -1.0 / t) as f32;
    sel(x == 0.0, x, v)
}
