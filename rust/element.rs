//! The element trait that every kernel is generic over, and torch's CPU conversion rules between
//! element types (float -> int truncates toward zero and wraps, as x86 `cvtt` + narrowing does).
use half::{bf16, f16};
use num_complex::Complex;

use crate::dtype::DType;

pub type C32 = Complex<f16>;
pub type C64 = Complex<f32>;
pub type C128 = Complex<f64>;

/// A value on its way between two element types. After inlining, the variant is known at compile
/// time, so the match in `from_pivot` folds away inside cast loops.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Pivot {
    B(bool),
    I(i64),
    F(f64),
    C(f64, f64),
}

pub trait Element: Copy + Send + Sync + 'static + std::fmt::Debug {
    const DTYPE: DType;
    fn to_pivot(self) -> Pivot;
    fn from_pivot(p: Pivot) -> Self;
    fn zero() -> Self;
    fn one() -> Self;
    /// From a uint64 value (pivots carry uint64 as its int64 bit pattern).
    #[inline(always)]
    fn from_u64(u: u64) -> Self {
        Self::from_pivot(Pivot::I(u as i64))
    }
}

// Out-of-range and NaN conversions give the "integer indefinite" value, as cvttsd2si does on x86.
#[inline(always)]
fn f64_to_i32_x86(x: f64) -> i32 {
    if x.is_nan() || x >= 2147483648.0 || x <= -2147483649.0 { i32::MIN } else { x as i32 }
}

#[inline(always)]
fn f64_to_i64_x86(x: f64) -> i64 {
    if x.is_nan() || x >= 9.223372036854775807e18 || x < -9.223372036854775807e18 { i64::MIN } else { x as i64 }
}

// torch converts to uint64 as x86 compilers do: values from 2^63 up are offset, so in-range values are
// exact, and out-of-range ones (and NaN) give the "integer indefinite" pattern.
#[inline(always)]
fn f64_to_u64_x86(x: f64) -> u64 {
    if x >= 9.223372036854775808e18 {
        (f64_to_i64_x86(x - 9.223372036854775808e18) as u64) ^ (1u64 << 63)
    } else {
        f64_to_i64_x86(x) as u64
    }
}

macro_rules! int_element {
    ($t:ty, $dt:ident, $via:ident) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            #[inline(always)]
            fn to_pivot(self) -> Pivot {
                Pivot::I(self as i64)
            }
            #[inline(always)]
            fn from_pivot(p: Pivot) -> Self {
                match p {
                    Pivot::B(b) => b as $t,
                    Pivot::I(i) => i as $t,
                    Pivot::F(f) | Pivot::C(f, _) => $via(f) as $t,
                }
            }
            #[inline(always)]
            fn zero() -> Self {
                0
            }
            #[inline(always)]
            fn one() -> Self {
                1
            }
        }
    };
}
int_element!(u8, U8, f64_to_i32_x86);
int_element!(i8, I8, f64_to_i32_x86);
int_element!(i16, I16, f64_to_i32_x86);
int_element!(i32, I32, f64_to_i32_x86);
int_element!(i64, I64, f64_to_i64_x86);
// uint16 converts floats through int32 (like uint8), uint32 through int64 (torch's scalar CPU path).
int_element!(u16, U16, f64_to_i32_x86);
int_element!(u32, U32, f64_to_i64_x86);
int_element!(u64, U64, f64_to_u64_x86);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    #[inline(always)]
    fn to_pivot(self) -> Pivot {
        Pivot::B(self)
    }
    #[inline(always)]
    fn from_pivot(p: Pivot) -> Self {
        match p {
            Pivot::B(b) => b,
            Pivot::I(i) => i != 0,
            Pivot::F(f) => f != 0.0,
            Pivot::C(re, im) => re != 0.0 || im != 0.0,
        }
    }
    fn zero() -> Self {
        false
    }
    fn one() -> Self {
        true
    }
}

macro_rules! float_element {
    ($t:ty, $dt:ident, $to:expr, $from:expr, $from_i:expr, $from_u:expr, $zero:expr, $one:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            #[inline(always)]
            fn to_pivot(self) -> Pivot {
                Pivot::F($to(self))
            }
            #[inline(always)]
            fn from_pivot(p: Pivot) -> Self {
                match p {
                    Pivot::B(b) => $from(b as u8 as f64),
                    Pivot::I(i) => $from_i(i),
                    Pivot::F(f) | Pivot::C(f, _) => $from(f),
                }
            }
            #[inline(always)]
            fn zero() -> Self {
                $zero
            }
            #[inline(always)]
            fn one() -> Self {
                $one
            }
            #[inline(always)]
            fn from_u64(u: u64) -> Self {
                $from_u(u)
            }
        }
    };
}
float_element!(f32, F32, |x: f32| x as f64, |x: f64| x as f32, |i: i64| i as f32, |u: u64| u as f32, 0.0, 1.0);
float_element!(f64, F64, |x: f64| x, |x: f64| x, |i: i64| i as f64, |u: u64| u as f64, 0.0, 1.0);
// `half`'s from_f64 drops low bits before rounding; torch converts double -> float -> half.
float_element!(f16, F16, |x: f16| x.to_f64(), |x: f64| f16::from_f32(x as f32), |i: i64| f16::from_f32(i as f32), |u: u64| f16::from_f32(u as f32), f16::ZERO, f16::ONE);
float_element!(bf16, BF16, |x: bf16| x.to_f64(), |x: f64| bf16_from_f32(x as f32), |i: i64| bf16::from_f32(i as f32), |u: u64| bf16::from_f32(u as f32), bf16::ZERO, bf16::ONE);
float_element!(F8E4M3, F8E4M3, |x: F8E4M3| x.to_f32() as f64, |x: f64| F8E4M3::from_f32(x as f32), |i: i64| F8E4M3::from_f32(i as f32), |u: u64| F8E4M3::from_f32(u as f32), F8E4M3(0), F8E4M3(0x38));
float_element!(F8E5M2, F8E5M2, |x: F8E5M2| x.to_f32() as f64, |x: f64| F8E5M2::from_f32(x as f32), |i: i64| F8E5M2::from_f32(i as f32), |u: u64| F8E5M2::from_f32(u as f32), F8E5M2(0), F8E5M2(0x3c));

/// c10::BFloat16 rounds to nearest even and turns every NaN into 0x7FC0.
#[inline(always)]
fn bf16_from_f32(x: f32) -> bf16 {
    if x.is_nan() { bf16::from_bits(0x7fc0) } else { bf16::from_f32(x) }
}

/// Rounds a finite, non-negative f32 to an 8-bit float with `m` mantissa bits and exponent `bias`,
/// to nearest even; returns the unsigned bit pattern, which may run past the largest finite value.
fn f8_round(a: f32, m: u32, bias: i32) -> u32 {
    let emin = 1 - bias;
    let a = a as f64;
    if a < (emin as f64).exp2() {
        // Subnormal: units of 2^(emin - m); rounding up to 2^m lands on the smallest normal.
        return (a * ((m as i32 - emin) as f64).exp2()).round_ties_even() as u32;
    }
    let mut e = a.log2().floor() as i32;
    // log2 can be off by one next to powers of two; fix the exponent exactly.
    if (e as f64).exp2() > a {
        e -= 1;
    } else if ((e + 1) as f64).exp2() <= a {
        e += 1;
    }
    let mut q = (a * ((m as i32 - e) as f64).exp2()).round_ties_even() as u32;
    if q == 2 << m {
        e += 1;
        q = 1 << m;
    }
    (((e + bias) as u32) << m) | (q - (1 << m))
}

/// torch.float8_e4m3fn: 4 exponent bits (bias 7), 3 mantissa bits, no infinities, NaN = S.1111.111.
/// Conversions from float round to nearest even and saturate to +-448 (infinities too), as torch does.
#[derive(Clone, Copy, Debug, Default)]
#[repr(transparent)]
pub struct F8E4M3(pub u8);

impl F8E4M3 {
    pub fn from_f32(x: f32) -> F8E4M3 {
        let sign = ((x.to_bits() >> 24) & 0x80) as u8;
        if x.is_nan() {
            return F8E4M3(sign | 0x7f);
        }
        let a = x.abs();
        if a >= 448.0 {
            return F8E4M3(sign | 0x7e);
        }
        F8E4M3(sign | f8_round(a, 3, 7).min(0x7e) as u8)
    }
    pub fn to_f32(self) -> f32 {
        let sign = ((self.0 as u32) & 0x80) << 24;
        let e = ((self.0 >> 3) & 0xf) as i32;
        let m = (self.0 & 7) as u32;
        if e == 15 && m == 7 {
            return f32::from_bits(sign | 0x7f80_0000 | (m << 20));
        }
        let v = if e == 0 { m as f32 * (-9f32).exp2() } else { (1.0 + m as f32 / 8.0) * ((e - 7) as f32).exp2() };
        f32::from_bits(sign | v.to_bits())
    }
}

/// torch.float8_e5m2: 5 exponent bits (bias 15), 2 mantissa bits, IEEE-style infinities and NaNs.
/// Conversions from float round to nearest even; overflow gives infinity.
#[derive(Clone, Copy, Debug, Default)]
#[repr(transparent)]
pub struct F8E5M2(pub u8);

impl F8E5M2 {
    pub fn from_f32(x: f32) -> F8E5M2 {
        let sign = ((x.to_bits() >> 24) & 0x80) as u8;
        if x.is_nan() {
            return F8E5M2(sign | 0x7f);
        }
        let a = x.abs();
        if a >= 61440.0 {
            return F8E5M2(sign | 0x7c);
        }
        F8E5M2(sign | f8_round(a, 2, 15).min(0x7c) as u8)
    }
    pub fn to_f32(self) -> f32 {
        // The top byte of an IEEE half.
        f16::from_bits((self.0 as u16) << 8).to_f32()
    }
}

impl PartialEq for F8E4M3 {
    fn eq(&self, o: &Self) -> bool {
        self.to_f32() == o.to_f32()
    }
}
impl PartialEq for F8E5M2 {
    fn eq(&self, o: &Self) -> bool {
        self.to_f32() == o.to_f32()
    }
}

macro_rules! complex_element {
    ($t:ty, $dt:ident, $to:expr, $from:expr, $from_u:expr) => {
        impl Element for $t {
            const DTYPE: DType = DType::$dt;
            #[inline(always)]
            fn to_pivot(self) -> Pivot {
                Pivot::C($to(self.re), $to(self.im))
            }
            #[inline(always)]
            fn from_pivot(p: Pivot) -> Self {
                match p {
                    Pivot::B(b) => Complex::new($from(b as u8 as f64), $from(0.0)),
                    Pivot::I(i) => Complex::new($from(i as f64), $from(0.0)),
                    Pivot::F(f) => Complex::new($from(f), $from(0.0)),
                    Pivot::C(re, im) => Complex::new($from(re), $from(im)),
                }
            }
            fn zero() -> Self {
                Complex::new($from(0.0), $from(0.0))
            }
            fn one() -> Self {
                Complex::new($from(1.0), $from(0.0))
            }
            fn from_u64(u: u64) -> Self {
                Complex::new($from_u(u), $from(0.0))
            }
        }
    };
}
complex_element!(C32, C32, |x: f16| x.to_f64(), |x: f64| f16::from_f32(x as f32), |u: u64| f16::from_f32(u as f32));
complex_element!(C64, C64, |x: f32| x as f64, |x: f64| x as f32, |u: u64| u as f32);
complex_element!(C128, C128, |x: f64| x, |x: f64| x, |u: u64| u as f64);

#[inline(always)]
pub fn cast<S: Element, D: Element>(s: S) -> D {
    let p = s.to_pivot();
    if S::DTYPE as u8 == DType::U64 as u8 {
        if let Pivot::I(i) = p {
            return D::from_u64(i as u64);
        }
    }
    D::from_pivot(p)
}

/// A pivot value read from an element of `dt` as f64 (uint64 read as unsigned).
pub fn pivot_f64(p: Pivot, dt: DType) -> f64 {
    match p {
        Pivot::B(b) => b as u8 as f64,
        Pivot::I(i) if dt == DType::U64 => i as u64 as f64,
        Pivot::I(i) => i as f64,
        Pivot::F(f) | Pivot::C(f, _) => f,
    }
}

/// Runs `$body` with `$T` bound to the Rust element type of `$dtype`.
#[macro_export]
macro_rules! dispatch {
    ($dtype:expr, $T:ident => $body:expr) => {{
        use $crate::dtype::DType as __D;
        match $dtype {
            __D::Bool => { type $T = bool; $body }
            __D::U8 => { type $T = u8; $body }
            __D::I8 => { type $T = i8; $body }
            __D::I16 => { type $T = i16; $body }
            __D::I32 => { type $T = i32; $body }
            __D::I64 => { type $T = i64; $body }
            __D::F16 => { type $T = half::f16; $body }
            __D::BF16 => { type $T = half::bf16; $body }
            __D::F32 => { type $T = f32; $body }
            __D::F64 => { type $T = f64; $body }
            __D::C32 => { type $T = $crate::element::C32; $body }
            __D::C64 => { type $T = $crate::element::C64; $body }
            __D::C128 => { type $T = $crate::element::C128; $body }
            __D::U16 => { type $T = u16; $body }
            __D::U32 => { type $T = u32; $body }
            __D::U64 => { type $T = u64; $body }
            __D::F8E4M3 => { type $T = $crate::element::F8E4M3; $body }
            __D::F8E5M2 => { type $T = $crate::element::F8E5M2; $body }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_to_uint8_wraps_like_torch() {
        assert_eq!(cast::<f64, u8>(1.1), 1);
        assert_eq!(cast::<f64, u8>(-1.0), 255);
        assert_eq!(cast::<f64, u8>(256.5), 0);
        assert_eq!(cast::<f32, i32>(3e9), i32::MIN);
        assert_eq!(cast::<f64, i64>(f64::NAN), i64::MIN);
        assert_eq!(cast::<f32, i8>(-2.7), -2);
    }

    #[test]
    fn complex_to_real_keeps_real_part() {
        assert_eq!(cast::<C64, f32>(Complex::new(1.5, 2.0)), 1.5);
        assert!(cast::<C64, bool>(Complex::new(0.0, 2.0)));
    }
}

/// Where a Python number is being converted; torch names the C++ type differently in each.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ScalarCtx {
    /// `tensor([...], dtype=...)`: integers are range-checked, floats saturate to inf.
    Creation,
    /// `full` / `fill_`: every type is range-checked.
    Fill,
}

/// Checks that a Python number fits `dt` the way torch's `checked_convert` does. Unsigned types
/// also accept negatives down to -max (two's complement wrap, so `uint8` takes -1 as 255).
pub fn checked_scalar(p: Pivot, dt: DType, ctx: ScalarCtx) -> crate::error::Result<Pivot> {
    use crate::error::{runtime, type_error};
    if matches!(p, Pivot::C(..)) && !dt.is_complex() && dt != DType::Bool {
        if ctx == ScalarCtx::Fill {
            return Err(runtime(format!("value cannot be converted to type {} without overflow", dt.name())));
        }
        if dt.is_integral(false) {
            return Err(type_error("'complex' object cannot be interpreted as an integer"));
        }
        return Err(type_error("must be real number, not complex"));
    }
    let (lo, hi): (f64, f64) = match dt {
        DType::Bool => return Ok(p),
        DType::U8 => (-255.0, 255.0),
        DType::I8 => (-128.0, 127.0),
        DType::I16 => (-32768.0, 32767.0),
        DType::I32 => (-2147483648.0, 2147483647.0),
        DType::I64 => (-9.223372036854775808e18, 9.223372036854775807e18),
        DType::F16 | DType::C32 => (-65504.0, 65504.0),
        DType::BF16 => (-3.3895313892515355e38, 3.3895313892515355e38),
        DType::F32 | DType::C64 => (-f32::MAX as f64, f32::MAX as f64),
        DType::F64 | DType::C128 => return Ok(p),
        DType::U16 => (-65535.0, 65535.0),
        DType::U32 => (-4294967295.0, 4294967295.0),
        DType::U64 => (-1.8446744073709552e19, 1.8446744073709552e19),
        DType::F8E4M3 => (-448.0, 448.0),
        DType::F8E5M2 => (-57344.0, 57344.0),
    };
    let name = match (ctx, dt) {
        (ScalarCtx::Creation, d) => d.name(),
        (ScalarCtx::Fill, DType::U8) => "uint8_t",
        (ScalarCtx::Fill, DType::I8) => "int8_t",
        (ScalarCtx::Fill, DType::I16) => "int16_t",
        (ScalarCtx::Fill, DType::I32) => "int",
        (ScalarCtx::Fill, DType::I64) => "int64_t",
        (ScalarCtx::Fill, DType::F16) => "c10::Half",
        (ScalarCtx::Fill, DType::BF16) => "c10::BFloat16",
        (ScalarCtx::Fill, DType::C32) => "c10::complex<c10::Half>",
        (ScalarCtx::Fill, DType::C64) => "c10::complex<float>",
        (ScalarCtx::Fill, DType::U16) => "uint16_t",
        (ScalarCtx::Fill, DType::U32) => "uint32_t",
        (ScalarCtx::Fill, DType::U64) => "uint64_t",
        (ScalarCtx::Fill, DType::F8E4M3) => "c10::Float8_e4m3fn",
        (ScalarCtx::Fill, DType::F8E5M2) => "c10::Float8_e5m2",
        (ScalarCtx::Fill, _) => "float",
    };
    let overflow = || runtime(format!("value cannot be converted to type {name} without overflow"));
    let integral = dt.is_integral(false);
    match p {
        Pivot::B(_) => Ok(p),
        Pivot::I(i) => {
            let f = i as f64;
            if integral && dt != DType::I64 && dt != DType::U64 && (f < lo || f > hi) {
                return Err(overflow());
            }
            if !integral && ctx == ScalarCtx::Fill && (f < lo || f > hi) {
                return Err(overflow());
            }
            Ok(p)
        }
        Pivot::F(f) => {
            if integral {
                // torch accepts [min, max + 1) for floats (they truncate); unsigned types take no negatives.
                if dt == DType::U64 && ctx == ScalarCtx::Creation {
                    return Err(type_error("an integer is required"));
                }
                let min = if matches!(dt, DType::U8 | DType::U16 | DType::U32 | DType::U64) { 0.0 } else { lo };
                if f.is_nan() || f < min || f >= hi + 1.0 {
                    return Err(overflow());
                }
            } else if ctx == ScalarCtx::Fill && f.is_finite() && (f < lo || f > hi) {
                return Err(overflow());
            }
            Ok(p)
        }
        Pivot::C(..) => Ok(p),
    }
}
