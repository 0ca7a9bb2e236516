//! Vectorisable elementwise math kernels for f32 and f64 slices.
//!
//! Every function is written once as a branch-free *lane* function of one value (selects instead
//! of branches, no tables, no libm calls), and a driver maps it over the slice in a loop LLVM
//! auto-vectorises. The driver is compiled three times — baseline, AVX2+FMA and AVX-512F — and
//! the widest variant the CPU supports is picked once per process ([`isa`]).
//! Lane code never calls `mul_add`, so the variants, the vector body and the scalar tail all give
//! bit-identical results, and `*_scalar` (used for 0-d tensors) matches the slice kernels exactly.
//!
//! API, for each op `op` and dtype `t` in {f32, f64}:
//! - `op_t(x: &[t], out: &mut [t])`: `out[i] = op(x[i])` for `i < min(x.len(), out.len())`;
//!   elements of the longer slice past that are left alone.
//! - `op_t_inplace(buf: &mut [t])`: `buf[i] = op(buf[i])`.
//! - `op_t_scalar(x: t) -> t`: one value, bit-identical to the slice kernels.
//!
//! Binary ops (`atan2`, `pow`) take two inputs and their in-place form overwrites the first
//! (`pow_f32_inplace(x, y)`: `x[i] = x[i].powf(y[i])`); `softplus` takes torch's `beta` and
//! `threshold` after the input.
//!
//! Accuracy (max ulp against a correctly rounded reference is measured by the tests): exp, log,
//! tanh, sigmoid and silu for f32 are evaluated in f32; every other f32 op is evaluated in f64 and
//! rounded once, which keeps it within about half an ulp. f64 exp, expm1, log, log1p, tanh, sigmoid,
//! erf, erfc, erfinv, atan and the activations are vectorised; the other f64 ops call libm per element.
//! Special values follow C/libm (NaN in, NaN out; signed zeros kept; overflow to inf and gradual
//! underflow at the true thresholds) and torch where torch differs from libm (e.g. `silu(-inf)`
//! is NaN, as `x * sigmoid(x)` gives).

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

/// Stamps `$name(isa, args)`, which runs `$drive` compiled for the baseline, AVX2+FMA or
/// AVX-512F target (the widest of `isa` and what the CPU has).
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
