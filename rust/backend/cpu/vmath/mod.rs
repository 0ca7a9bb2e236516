//! Vectorisable elementwise math kernels for f32 and f64 slices.
//!
//! Design. Each op is a branch-free *lane* function of one value (selects instead of branches, no
//! tables), mapped over the slice by a plain loop that LLVM auto-vectorises. The loop is compiled
//! three times (baseline, AVX2+FMA, AVX-512F) and the widest variant the CPU supports is chosen
//! once per process ([`isa`]; [`set_isa`] overrides it). Lane code never uses `mul_add` and Rust
//! never fuses on its own, so all variants, the vector body, the loop epilogue and the `*_scalar`
//! functions give bit-identical results. The kernels are single-threaded; callers split large
//! tensors across threads.
//!
//! API, for each op `op` and dtype `t` in {f32, f64}:
//! - `op_t(x: &[t], out: &mut [t])`: `out[i] = op(x[i])` for `i < min(x.len(), out.len())`;
//!   elements of the longer slice past that are left alone.
//! - `op_t_inplace(buf: &mut [t])`: `buf[i] = op(buf[i])`.
//! - `op_t_scalar(x: t) -> t`: one value (0-d tensors), bit-identical to the slice kernels.
//!
//! Binary ops (`atan2_t(y, x, out)`, `pow_t(x, y, out)`): the `_inplace` form overwrites the first;
//! `softplus_t(x, beta, threshold, out)` takes torch's parameters.
//!
//! Evaluation and accuracy (max error in ulps against a correctly rounded reference, measured by
//! the tests on every 997th f32 bit pattern plus the break points, and against mpmath for f64):
//! - f32 in f32 arithmetic: exp 0.94, log 0.82, tanh 1.18, sigmoid 1.52, silu 1.58, gelu_tanh 1.73
//!   (its argument 2u is formed in f64), sqrt 0.5, rsqrt 1.47 (torch's 1 / sqrt(x)).
//! - f32 evaluated in f64 and rounded once (<= 0.55 ulp; tan 0.8): exp2, expm1, log2, log10,
//!   log1p, sin, cos, tan, erf, erfc, erfinv, atan, asin, acos, atan2, sinh, cosh, asinh, acosh,
//!   atanh, gelu, mish, logsigmoid, softplus, pow.
//! - f64, vectorised: exp 0.81, expm1 0.78, log 0.79, log1p 1.27, atan 0.78, erf 0.87, erfc 1.82,
//!   erfinv 1.3, tanh 1.95, sigmoid 2.06, silu 2.26, softplus 1.71, logsigmoid 1.73, mish 3.7,
//!   gelu 4.4, sqrt, rsqrt; gelu_tanh loses |2u| * 2^-53 relative in its tail (u's rounding).
//! - f64 through libm, element by element: exp2, log2, log10, sin, cos, tan, asin, acos, atan2,
//!   sinh, cosh, asinh, acosh, atanh, pow. f32 sin/cos/tan also use libm for |x| >= 4.2e8.
//!
//! Special values follow C99 (NaN propagates, signed zeros are kept, overflow and gradual underflow
//! happen at the true thresholds, log(0) = -inf, log(x < 0) = NaN, pow's special cases), and torch
//! where its formula decides: silu, gelu, gelu_tanh and mish give NaN at -inf (x * 0), sigmoid and
//! logsigmoid saturate. Unlike torch's f32 formulas, tiny sigmoid/silu/gelu results are exact
//! subnormals rather than 0, and gelu's negative tail does not cancel.

mod core64;
mod fast32;
mod kernels;
mod special;
#[cfg(test)]
mod tests;

pub use kernels::*;

use std::sync::atomic::{AtomicU8, Ordering};

/// Instruction-set variant a kernel runs with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    Generic,
    Avx2,
    Avx512,
}

impl Isa {
    pub const ALL: [Isa; 3] = [Isa::Generic, Isa::Avx2, Isa::Avx512];

    /// Whether this CPU (and OS) can run the variant.
    pub fn supported(self) -> bool {
        match self {
            Isa::Generic => true,
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"),
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512 => is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }
}

static SELECTED: AtomicU8 = AtomicU8::new(u8::MAX);

/// The variant the slice kernels use: the widest one the CPU supports, detected once.
pub fn isa() -> Isa {
    match SELECTED.load(Ordering::Relaxed) {
        0 => Isa::Generic,
        1 => Isa::Avx2,
        2 => Isa::Avx512,
        _ => {
            let best = [Isa::Avx512, Isa::Avx2].into_iter().find(|i| i.supported()).unwrap_or(Isa::Generic);
            SELECTED.store(best as u8, Ordering::Relaxed);
            best
        }
    }
}

/// Overrides the detected variant (benchmarks, debugging); returns false, changing nothing, if
/// the CPU cannot run it. All variants give bit-identical results.
pub fn set_isa(isa: Isa) -> bool {
    if isa.supported() {
        SELECTED.store(isa as u8, Ordering::Relaxed);
    }
    isa.supported()
}

/// Branch-free select; LLVM turns it into a vector blend.
#[inline(always)]
fn sel<T>(c: bool, a: T, b: T) -> T {
    if c { a } else { b }
}

/// A one-input kernel. `lane` must be branch-free. Kernels with `SLOW` have rare inputs (huge trig
/// arguments) that `lane` does not cover: blocks holding one go through `scalar`, element by element.
trait Unary<T: Copy> {
    const SLOW: bool = false;
    fn lane(x: T) -> T;
    #[inline(always)]
    fn needs_slow(_x: T) -> bool {
        false
    }
    #[inline(always)]
    fn scalar(x: T) -> T {
        Self::lane(x)
    }
}

/// A one-input kernel with extra scalar parameters (softplus's beta and threshold).
trait UnaryP<T: Copy> {
    type P: Copy;
    fn lane(x: T, p: Self::P) -> T;
}

/// A two-input kernel.
trait Binary<T: Copy> {
    fn lane(a: T, b: T) -> T;
}

/// Block size for the slow-input scan of `SLOW` kernels (small enough to stay in L1).
const BLOCK: usize = 1024;

// The drivers are plain `for` loops over slices (no closures, which LLVM may leave out of line and
// so compile without the target features): the loop vectorizer turns them into full-width vector
// loops whose epilogue runs the same lane code. Fixed `[T; 16]` chunks were tried first, but LLVM
// then vectorised across chunks with gathers for short bodies.

#[inline(always)]
fn drive_unary<T: Copy, K: Unary<T>>(x: &[T], out: &mut [T]) {
    if K::SLOW {
        for (xb, ob) in x.chunks(BLOCK).zip(out.chunks_mut(BLOCK)) {
            let mut slow = false;
            for &a in xb {
                slow |= K::needs_slow(a);
            }
            if slow {
                for (o, &a) in ob.iter_mut().zip(xb) {
                    *o = K::scalar(a);
                }
            } else {
                for (o, &a) in ob.iter_mut().zip(xb) {
                    *o = K::lane(a);
                }
            }
        }
    } else {
        for (o, &a) in out.iter_mut().zip(x) {
            *o = K::lane(a);
        }
    }
}

#[inline(always)]
fn drive_unary_inplace<T: Copy, K: Unary<T>>(buf: &mut [T]) {
    if K::SLOW {
        for b in buf.chunks_mut(BLOCK) {
            let mut slow = false;
            for &a in b.iter() {
                slow |= K::needs_slow(a);
            }
            if slow {
                for v in b.iter_mut() {
                    *v = K::scalar(*v);
                }
            } else {
                for v in b.iter_mut() {
                    *v = K::lane(*v);
                }
            }
        }
    } else {
        for v in buf.iter_mut() {
            *v = K::lane(*v);
        }
    }
}

#[inline(always)]
fn drive_unaryp<T: Copy, K: UnaryP<T>>(x: &[T], out: &mut [T], p: K::P) {
    for (o, &a) in out.iter_mut().zip(x) {
        *o = K::lane(a, p);
    }
}

#[inline(always)]
fn drive_unaryp_inplace<T: Copy, K: UnaryP<T>>(buf: &mut [T], p: K::P) {
    for v in buf.iter_mut() {
        *v = K::lane(*v, p);
    }
}

#[inline(always)]
fn drive_binary<T: Copy, K: Binary<T>>(a: &[T], b: &[T], out: &mut [T]) {
    for (o, (&x, &y)) in out.iter_mut().zip(a.iter().zip(b)) {
        *o = K::lane(x, y);
    }
}

#[inline(always)]
fn drive_binary_inplace<T: Copy, K: Binary<T>>(a: &mut [T], b: &[T]) {
    for (x, &y) in a.iter_mut().zip(b) {
        *x = K::lane(*x, y);
    }
}

/// Stamps `$name(isa, args)`, which runs `$drive` compiled for AVX-512F or AVX2+FMA when `isa`
/// names one the CPU has, else for the baseline target.
macro_rules! dispatcher {
    ($name:ident, $drive:ident, $tr:ident, ($($arg:ident: $ty:ty),*)) => {
        fn $name<T: Copy, K: $tr<T>>(isa: Isa, $($arg: $ty),*) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                fn v512<T: Copy, K: $tr<T>>($($arg: $ty),*) {
                    $drive::<T, K>($($arg),*)
                }
                #[target_feature(enable = "avx2,fma")]
                fn v256<T: Copy, K: $tr<T>>($($arg: $ty),*) {
                    $drive::<T, K>($($arg),*)
                }
                if isa == Isa::Avx512 && isa.supported() {
                    // SAFETY: the CPU supports AVX-512F (checked just above).
                    return unsafe { v512::<T, K>($($arg),*) };
                }
                if isa == Isa::Avx2 && isa.supported() {
                    // SAFETY: the CPU supports AVX2 and FMA (checked just above).
                    return unsafe { v256::<T, K>($($arg),*) };
                }
            }
            let _ = isa;
            $drive::<T, K>($($arg),*)
        }
    };
}

// Entry points shared by the stamped API and the tests (which pick the variant).
dispatcher!(unary_with, drive_unary, Unary, (x: &[T], out: &mut [T]));
dispatcher!(unary_inplace_with, drive_unary_inplace, Unary, (buf: &mut [T]));
dispatcher!(unaryp_with, drive_unaryp, UnaryP, (x: &[T], out: &mut [T], p: K::P));
dispatcher!(unaryp_inplace_with, drive_unaryp_inplace, UnaryP, (buf: &mut [T], p: K::P));
dispatcher!(binary_with, drive_binary, Binary, (a: &[T], b: &[T], out: &mut [T]));
dispatcher!(binary_inplace_with, drive_binary_inplace, Binary, (a: &mut [T], b: &[T]));
