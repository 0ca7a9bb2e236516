#![allow(unused_comparisons)]
//! The arithmetic that elementwise kernels apply, per math type. float16 and bfloat16 are stored
//! as themselves but computed in float32 (rounded once on store), as torch does; complex32 in complex64.
use half::{bf16, f16};
use num_complex::Complex;

use crate::element::{C32, C64, C128, Element};

/// How a stored element type is computed with.
pub trait Stored: Element {
    type M: Num;
    fn load(self) -> Self::M;
    fn store(m: Self::M) -> Self;
}

macro_rules! stored_identity {
    ($($t:ty),*) => {$(
        impl Stored for $t {
            type M = $t;
            #[inline(always)]
            fn load(self) -> $t { self }
            #[inline(always)]
            fn store(m: $t) -> $t { m }
        }
    )*};
}
stored_identity!(bool, u8, i8, i16, i32, i64, f32, f64, C64, C128, u16, u32, u64);

// float8 values are computed with in float32 and rounded once on store.
macro_rules! stored_f8 {
    ($($t:ty),*) => {$(
        impl Stored for $t {
            type M = f32;
            #[inline(always)]
            fn load(self) -> f32 { self.to_f32() }
            #[inline(always)]
            fn store(m: f32) -> $t { <$t>::from_f32(m) }
        }
    )*};
}
stored_f8!(crate::element::F8E4M3, crate::element::F8E5M2);

impl Stored for f16 {
    type M = f32;
    #[inline(always)]
    fn load(self) -> f32 {
        self.to_f32()
    }
    #[inline(always)]
    fn store(m: f32) -> f16 {
        f16::from_f32(m)
    }
}
impl Stored for bf16 {
    type M = f32;
    #[inline(always)]
    fn load(self) -> f32 {
        self.to_f32()
    }
    #[inline(always)]
    fn store(m: f32) -> bf16 {
        bf16::from_f32(m)
    }
}
impl Stored for C32 {
    type M = C64;
    #[inline(always)]
    fn load(self) -> C64 {
        Complex::new(self.re.to_f32(), self.im.to_f32())
    }
    #[inline(always)]
    fn store(m: C64) -> C32 {
        Complex::new(f16::from_f32(m.re), f16::from_f32(m.im))
    }
}

/// Scalar arithmetic with torch's semantics. Ops a type does not support are never dispatched
/// to it (the op front end rejects them), so their defaults only need to be harmless.
pub trait Num: Element + PartialEq {
    fn add(self, b: Self) -> Self;
    fn sub(self, b: Self) -> Self;
    fn mul(self, b: Self) -> Self;
    /// True division (floats and complex only).
    fn div(self, b: Self) -> Self;
    fn floor_div(self, b: Self) -> Self {
        self.div(b)
    }
    fn trunc_div(self, b: Self) -> Self {
        self.div(b)
    }
    /// Python-style remainder: the sign follows the divisor.
    fn rem(self, b: Self) -> Self {
        let _ = b;
        self
    }
    /// C-style remainder: the sign follows the dividend.
    fn fmod(self, b: Self) -> Self {
        let _ = b;
        self
    }
    fn pow(self, b: Self) -> Self;
    fn neg(self) -> Self;
    fn abs(self) -> Self;
    fn lt(self, b: Self) -> bool;
    fn le(self, b: Self) -> bool;
    fn is_nan(self) -> bool {
        false
    }
    /// NaN-propagating maximum and minimum.
    // `|` rather than `||`: no branches, so loops over these vectorise.
    fn maximum(self, b: Self) -> Self {
        if self.is_nan() | b.lt(self) { self } else { b }
    }
    fn minimum(self, b: Self) -> Self {
        if self.is_nan() | self.lt(b) { self } else { b }
    }
    /// NaN-ignoring maximum and minimum.
    fn fmax(self, b: Self) -> Self {
        if b.is_nan() | b.lt(self) { self } else { b }
    }
    fn fmin(self, b: Self) -> Self {
        if b.is_nan() | self.lt(b) { self } else { b }
    }
    fn bitand(self, b: Self) -> Self {
        let _ = b;
        self
    }
    fn bitor(self, b: Self) -> Self {
        let _ = b;
        self
    }
    fn bitxor(self, b: Self) -> Self {
        let _ = b;
        self
    }
    fn shl(self, b: Self) -> Self {
        let _ = b;
        self
    }
    fn shr(self, b: Self) -> Self {
        let _ = b;
        self
    }
    fn not(self) -> Self {
        self
    }
    fn truthy(self) -> bool;
    fn is_zero(self) -> bool {
        !self.truthy()
    }
    fn from_bool(b: bool) -> Self;
    /// `self * b + c`; floats round once (a fused multiply-add), as torch's vectorised kernels do.
    #[inline(always)]
    fn fma(self, b: Self, c: Self) -> Self {
        self.mul(b).add(c)
    }
    /// `c - self * b`; floats round once.
    #[inline(always)]
    fn fms(self, b: Self, c: Self) -> Self {
        c.sub(self.mul(b))
    }
}

macro_rules! int_num {
    ($($t:ty, $ut:ty);*) => {$(
        impl Num for $t {
            #[inline(always)] fn add(self, b: Self) -> Self { self.wrapping_add(b) }
            #[inline(always)] fn sub(self, b: Self) -> Self { self.wrapping_sub(b) }
            #[inline(always)] fn mul(self, b: Self) -> Self { self.wrapping_mul(b) }
            #[inline(always)] fn div(self, b: Self) -> Self { if b == 0 { 0 } else { self.wrapping_div(b) } }
            #[inline(always)]
            fn floor_div(self, b: Self) -> Self {
                if b == 0 { return 0; }
                let q = self.wrapping_div(b);
                if (self.wrapping_rem(b) != 0) && ((self < 0) != (b < 0)) { q.wrapping_sub(1) } else { q }
            }
            #[inline(always)] fn trunc_div(self, b: Self) -> Self { if b == 0 { 0 } else { self.wrapping_div(b) } }
            #[inline(always)]
            fn rem(self, b: Self) -> Self {
                if b == 0 { return 0; }
                let r = self.wrapping_rem(b);
                if r != 0 && ((r < 0) != (b < 0)) { r.wrapping_add(b) } else { r }
            }
            #[inline(always)] fn fmod(self, b: Self) -> Self { if b == 0 { 0 } else { self.wrapping_rem(b) } }
            #[inline(always)]
            fn pow(self, b: Self) -> Self {
                // Negative exponents are rejected up front, except for bases 1 and -1 as torch allows.
                #[allow(unused_comparisons)]
                if b < 0 {
                    return match self { 1 => 1, _ if self == (0 as $t).wrapping_sub(1) => if b % 2 == 0 { 1 } else { self }, _ => 0 };
                }
                let (mut base, mut e, mut acc) = (self, b as u64, 1 as $t);
                while e > 0 {
                    if e & 1 == 1 { acc = acc.wrapping_mul(base); }
                    base = base.wrapping_mul(base);
                    e >>= 1;
                }
                acc
            }
            #[inline(always)] fn neg(self) -> Self { (0 as $t).wrapping_sub(self) }
            #[inline(always)]
            fn abs(self) -> Self {
                #[allow(unused_comparisons)]
                if self < 0 { self.neg() } else { self }
            }
            #[inline(always)] fn lt(self, b: Self) -> bool { self < b }
            #[inline(always)] fn le(self, b: Self) -> bool { self <= b }
            #[inline(always)] fn bitand(self, b: Self) -> Self { self & b }
            #[inline(always)] fn bitor(self, b: Self) -> Self { self | b }
            #[inline(always)] fn bitxor(self, b: Self) -> Self { self ^ b }
            #[inline(always)]
            fn shl(self, b: Self) -> Self {
                // Shifts past the width give 0, as torch defines them.
                #[allow(unused_comparisons)]
                if b < 0 || (b as u64) >= <$t>::BITS as u64 { 0 } else { ((self as $ut) << (b as u32)) as $t }
            }
            #[inline(always)]
            fn shr(self, b: Self) -> Self {
                #[allow(unused_comparisons)]
                if b < 0 || (b as u64) >= <$t>::BITS as u64 { if self < 0 { (0 as $t).wrapping_sub(1) } else { 0 } } else { self >> (b as u32) }
            }
            #[inline(always)] fn not(self) -> Self { !self }
            #[inline(always)] fn truthy(self) -> bool { self != 0 }
            #[inline(always)] fn from_bool(b: bool) -> Self { b as $t }
        }
    )*};
}
int_num!(u8, u8; i8, u8; i16, u16; i32, u32; i64, u64; u16, u16; u32, u32; u64, u64);

impl Num for bool {
    // torch treats bool arithmetic as logical: add is or, mul is and.
    fn add(self, b: Self) -> Self {
        self | b
    }
    fn sub(self, b: Self) -> Self {
        self ^ b
    }
    fn mul(self, b: Self) -> Self {
        self & b
    }
    fn div(self, b: Self) -> Self {
        self & b
    }
    fn pow(self, b: Self) -> Self {
        self | !b
    }
    fn neg(self) -> Self {
        self
    }
    fn abs(self) -> Self {
        self
    }
    fn lt(self, b: Self) -> bool {
        !self & b
    }
    fn le(self, b: Self) -> bool {
        !self | b
    }
    fn bitand(self, b: Self) -> Self {
        self & b
    }
    fn bitor(self, b: Self) -> Self {
        self | b
    }
    fn bitxor(self, b: Self) -> Self {
        self ^ b
    }
    fn not(self) -> Self {
        !self
    }
    fn truthy(self) -> bool {
        self
    }
    fn from_bool(b: bool) -> Self {
        b
    }
}

macro_rules! float_num {
    ($($t:ty),*) => {$(
        impl Num for $t {
            #[inline(always)] fn add(self, b: Self) -> Self { self + b }
            #[inline(always)] fn sub(self, b: Self) -> Self { self - b }
            #[inline(always)] fn mul(self, b: Self) -> Self { self * b }
            #[inline(always)] fn div(self, b: Self) -> Self { self / b }
            /// torch's div_floor_floating: floor of the exact quotient, rounded to the nearest integer.
            fn floor_div(self, b: Self) -> Self {
                if b == 0.0 { return self / b; }
                let m = self % b;
                let mut d = (self - m) / b;
                if m != 0.0 && ((b < 0.0) != (m < 0.0)) { d -= 1.0; }
                if d != 0.0 {
                    let f = d.floor();
                    if d - f > 0.5 { f + 1.0 } else { f }
                } else {
                    (0.0 as $t).copysign(self / b)
                }
            }
            #[inline(always)] fn trunc_div(self, b: Self) -> Self { (self / b).trunc() }
            #[inline(always)]
            fn rem(self, b: Self) -> Self {
                let m = self % b;
                if m != 0.0 && ((b < 0.0) != (m < 0.0)) { m + b } else { m }
            }
            #[inline(always)] fn fmod(self, b: Self) -> Self { self % b }
            #[inline(always)]
            fn pow(self, b: Self) -> Self {
                if b == 2.0 { self * self } else { self.powf(b) }
            }
            #[inline(always)] fn neg(self) -> Self { -self }
            #[inline(always)] fn abs(self) -> Self { self.abs() }
            #[inline(always)] fn lt(self, b: Self) -> bool { self < b }
            #[inline(always)] fn le(self, b: Self) -> bool { self <= b }
            #[inline(always)] fn is_nan(self) -> bool { self.is_nan() }
            #[inline(always)] fn truthy(self) -> bool { self != 0.0 }
            #[inline(always)] fn from_bool(b: bool) -> Self { b as u8 as $t }
            #[inline(always)] fn fma(self, b: Self, c: Self) -> Self { self.mul_add(b, c) }
            #[inline(always)] fn fms(self, b: Self, c: Self) -> Self { (-self).mul_add(b, c) }
        }
    )*};
}
float_num!(f32, f64);

macro_rules! complex_num {
    ($($t:ty, $r:ty);*) => {$(
        impl Num for $t {
            #[inline(always)] fn add(self, b: Self) -> Self { self + b }
            #[inline(always)] fn sub(self, b: Self) -> Self { self - b }
            #[inline(always)] fn mul(self, b: Self) -> Self { self * b }
            #[inline(always)]
            fn div(self, b: Self) -> Self {
                // c10::complex's scaled division (a zero divisor gives inf/nan parts).
                super::cmath::div(self, b)
            }
            // glibc's cpow, as torch's complex pow kernel (every special value included).
            fn pow(self, b: Self) -> Self { super::cmath::pow(self, b) }
            #[inline(always)] fn neg(self) -> Self { -self }
            #[inline(always)] fn abs(self) -> Self { Complex::new(self.norm(), 0.0) }
            // Complex ordering is rejected up front; keep lexicographic order for sorting helpers.
            #[inline(always)] fn lt(self, b: Self) -> bool { self.re < b.re || (self.re == b.re && self.im < b.im) }
            #[inline(always)] fn le(self, b: Self) -> bool { self.re < b.re || (self.re == b.re && self.im <= b.im) }
            #[inline(always)] fn is_nan(self) -> bool { self.re.is_nan() || self.im.is_nan() }
            #[inline(always)] fn truthy(self) -> bool { self.re != 0.0 || self.im != 0.0 }
            #[inline(always)] fn from_bool(b: bool) -> Self { Complex::new(b as u8 as $r, 0.0) }
        }
    )*};
}
complex_num!(C64, f32; C128, f64);

/// Runs `$body` with `$S` bound to the stored element type of `$dtype` (every dtype has math).
#[macro_export]
macro_rules! dispatch_stored {
    ($dtype:expr, $S:ident => $body:expr) => {
        $crate::dispatch!($dtype, $S => $body)
    };
}
