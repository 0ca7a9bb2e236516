//! Element types, torch's names for them, and the default floating dtype.
use std::sync::atomic::{AtomicU8, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum DType {
    Bool,
    U8,
    I8,
    I16,
    I32,
    I64,
    F16,
    BF16,
    F32,
    F64,
    C32,
    C64,
    C128,
    U16,
    U32,
    U64,
    F8E4M3,
    F8E5M2,
}

pub const ALL_DTYPES: [DType; 18] = [
    DType::Bool,
    DType::U8,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::F16,
    DType::BF16,
    DType::F32,
    DType::F64,
    DType::C32,
    DType::C64,
    DType::C128,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::F8E4M3,
    DType::F8E5M2,
];

impl DType {
    pub fn itemsize(self) -> usize {
        use DType::*;
        match self {
            Bool | U8 | I8 | F8E4M3 | F8E5M2 => 1,
            I16 | F16 | BF16 | U16 => 2,
            I32 | F32 | C32 | U32 => 4,
            I64 | F64 | C64 | U64 => 8,
            C128 => 16,
        }
    }
    pub fn is_floating_point(self) -> bool {
        matches!(self, DType::F16 | DType::BF16 | DType::F32 | DType::F64 | DType::F8E4M3 | DType::F8E5M2)
    }
    pub fn is_complex(self) -> bool {
        matches!(self, DType::C32 | DType::C64 | DType::C128)
    }
    pub fn is_integral(self, include_bool: bool) -> bool {
        use DType::*;
        match self {
            Bool => include_bool,
            U8 | I8 | I16 | I32 | I64 | U16 | U32 | U64 => true,
            _ => false,
        }
    }
    pub fn is_signed(self) -> bool {
        !matches!(self, DType::Bool | DType::U8 | DType::U16 | DType::U32 | DType::U64)
    }
    /// The dtypes torch gives only "barebones" support (copies, views, a few kernels):
    /// uint16/32/64 and the float8 types.
    pub fn is_barebones(self) -> bool {
        matches!(self, DType::U16 | DType::U32 | DType::U64 | DType::F8E4M3 | DType::F8E5M2)
    }
    pub fn is_float8(self) -> bool {
        matches!(self, DType::F8E4M3 | DType::F8E5M2)
    }
    pub fn is_big_unsigned(self) -> bool {
        matches!(self, DType::U16 | DType::U32 | DType::U64)
    }
    /// The name after `torch.` (`torch.float32`).
    pub fn name(self) -> &'static str {
        use DType::*;
        match self {
            Bool => "bool",
            U8 => "uint8",
            I8 => "int8",
            I16 => "int16",
            I32 => "int32",
            I64 => "int64",
            F16 => "float16",
            BF16 => "bfloat16",
            F32 => "float32",
            F64 => "float64",
            C32 => "complex32",
            C64 => "complex64",
            C128 => "complex128",
            U16 => "uint16",
            U32 => "uint32",
            U64 => "uint64",
            F8E4M3 => "float8_e4m3fn",
            F8E5M2 => "float8_e5m2",
        }
    }
    /// torch's ScalarType name, used in messages ("Float", "Long").
    pub fn scalar_name(self) -> &'static str {
        use DType::*;
        match self {
            Bool => "Bool",
            U8 => "Byte",
            I8 => "Char",
            I16 => "Short",
            I32 => "Int",
            I64 => "Long",
            F16 => "Half",
            BF16 => "BFloat16",
            F32 => "Float",
            F64 => "Double",
            C32 => "ComplexHalf",
            C64 => "ComplexFloat",
            C128 => "ComplexDouble",
            U16 => "UInt16",
            U32 => "UInt32",
            U64 => "UInt64",
            F8E4M3 => "Float8_e4m3fn",
            F8E5M2 => "Float8_e5m2",
        }
    }
    /// The NumPy array-interface type string, where NumPy has the type.
    pub fn numpy_typestr(self) -> Option<&'static str> {
        use DType::*;
        Some(match self {
            Bool => "|b1",
            U8 => "|u1",
            I8 => "|i1",
            I16 => "<i2",
            I32 => "<i4",
            I64 => "<i8",
            F16 => "<f2",
            F32 => "<f4",
            F64 => "<f8",
            C64 => "<c8",
            C128 => "<c16",
            U16 => "<u2",
            U32 => "<u4",
            U64 => "<u8",
            BF16 | C32 | F8E4M3 | F8E5M2 => return None,
        })
    }
    pub fn from_numpy_typestr(s: &str) -> Option<DType> {
        use DType::*;
        let (order, code) = s.split_at(1.min(s.len()));
        if order == ">" {
            return None;
        }
        Some(match code {
            "b1" => Bool,
            "u1" => U8,
            "i1" => I8,
            "i2" => I16,
            "i4" => I32,
            "i8" => I64,
            "f2" => F16,
            "f4" => F32,
            "f8" => F64,
            "c8" => C64,
            "c16" => C128,
            "u2" => U16,
            "u4" => U32,
            "u8" => U64,
            _ => return None,
        })
    }
    /// The complex type with this real type's precision (`complex64` for `float32`).
    pub fn to_complex(self) -> DType {
        match self {
            DType::F16 => DType::C32,
            DType::F64 => DType::C128,
            DType::C32 | DType::C64 | DType::C128 => self,
            _ => DType::C64,
        }
    }
    /// The real type of a complex type (`float32` for `complex64`).
    pub fn to_real(self) -> DType {
        match self {
            DType::C32 => DType::F16,
            DType::C64 => DType::F32,
            DType::C128 => DType::F64,
            _ => self,
        }
    }
    pub fn from_u8(v: u8) -> DType {
        ALL_DTYPES[(v as usize).min(ALL_DTYPES.len() - 1)]
    }
}

static DEFAULT_DTYPE: AtomicU8 = AtomicU8::new(DType::F32 as u8);

pub fn default_dtype() -> DType {
    DType::from_u8(DEFAULT_DTYPE.load(Ordering::Relaxed))
}

pub fn set_default_dtype(d: DType) {
    DEFAULT_DTYPE.store(d as u8, Ordering::Relaxed)
}

/// The complex dtype that matches the default float dtype.
pub fn default_complex_dtype() -> DType {
    match default_dtype() {
        DType::F64 => DType::C128,
        DType::F16 => DType::C32,
        _ => DType::C64,
    }
}
