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
    ($t:ty, $dt:ident, $to:expr, $from:expr, $from_i:expr, $zero:expr, $one:expr) => {
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
        }
    };
}
float_element!(f32, F32, |x: f32| x as f64, |x: f64| x as f32, |i: i64| i as f32, 0.0, 1.0);
float_element!(f64, F64, |x: f64| x, |x: f64| x, |i: i64| i as f64, 0.0, 1.0);
// `half`'s from_f64 drops low bits before rounding; torch converts double -> float -> half.
float_element!(f16, F16, |x: f16| x.to_f64(), |x: f64| f16::from_f32(x as f32), |i: i64| f16::from_f32(i as f32), f16::ZERO, f16::ONE);
float_element!(bf16, BF16, |x: bf16| x.to_f64(), |x: f64| bf16::from_f32(x as f32), |i: i64| bf16::from_f32(i as f32), bf16::ZERO, bf16::ONE);

macro_rules! complex_element {
    ($t:ty, $dt:ident, $to:expr, $from:expr) => {
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
        }
    };
}
complex_element!(C32, C32, |x: f16| x.to_f64(), |x: f64| f16::from_f32(x as f32));
complex_element!(C64, C64, |x: f32| x as f64, |x: f64| x as f32);
complex_element!(C128, C128, |x: f64| x, |x: f64| x);

#[inline(always)]
pub fn cast<S: Element, D: Element>(s: S) -> D {
    D::from_pivot(s.to_pivot())
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
        (ScalarCtx::Fill, _) => "float",
    };
    let overflow = || runtime(format!("value cannot be converted to type {name} without overflow"));
    let integral = dt.is_integral(false);
    match p {
        Pivot::B(_) => Ok(p),
        Pivot::I(i) => {
            let f = i as f64;
            if integral && dt != DType::I64 && (f < lo || f > hi) {
                return Err(overflow());
            }
            Ok(p)
        }
        Pivot::F(f) => {
            if integral {
                // torch accepts [min, max + 1) for floats (they truncate); unsigned types take no negatives.
                let min = if dt == DType::U8 { 0.0 } else { lo };
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
