//! Errors are values: every fallible core function returns `Result<T>`, and the binding layer maps
//! each kind to the Python exception type PyTorch raises for the same mistake.
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    Runtime,
    Index,
    Type,
    Value,
    NotImplemented,
}

#[derive(Clone, Debug)]
pub struct Error {
    pub kind: ErrorKind,
    pub msg: String,
}

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.msg)
    }
}

impl std::error::Error for Error {}

macro_rules! ctor {
    ($name:ident, $kind:ident) => {
        pub fn $name(msg: impl Into<String>) -> Error {
            Error { kind: ErrorKind::$kind, msg: msg.into() }
        }
    };
}
ctor!(runtime, Runtime);
ctor!(index, Index);
ctor!(type_error, Type);
ctor!(value, Value);
ctor!(not_implemented, NotImplemented);

/// `bail!(runtime, "...")` returns early with an error of that kind.
#[macro_export]
macro_rules! bail {
    ($kind:ident, $($fmt:tt)*) => {
        return Err($crate::error::$kind(format!($($fmt)*)))
    };
}
