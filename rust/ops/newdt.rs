//! torch's kernels for the barebones dtypes (uint16/uint32/uint64 and float8_e4m3fn/float8_e5m2)
//! cover only a few ops; the rest raise its "not implemented" error. Op entry points call
//! [`reject`] with the set of these dtypes that torch refuses for the op.
use crate::bail;
use crate::dtype::DType;
use crate::error::Result;

/// Which barebones dtypes an op refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refuse {
    /// uint16, uint32, uint64.
    Uints,
    /// float8_e4m3fn, float8_e5m2.
    F8,
    /// All five.
    All,
}

/// `NotImplementedError: "<kernel>" not implemented for '<dtype>'` when `dt` is in `which`.
pub fn reject(dt: DType, kernel: &str, which: Refuse) -> Result<()> {
    let hit = match which {
        Refuse::Uints => dt.is_big_unsigned(),
        Refuse::F8 => dt.is_float8(),
        Refuse::All => dt.is_barebones(),
    };
    if hit {
        bail!(not_implemented, "\"{kernel}\" not implemented for '{}'", dt.scalar_name());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_exactly_the_named_set() {
        assert!(reject(DType::U16, "k", Refuse::Uints).is_err());
        assert!(reject(DType::F8E4M3, "k", Refuse::Uints).is_ok());
        assert!(reject(DType::F8E5M2, "k", Refuse::F8).is_err());
        assert!(reject(DType::U64, "k", Refuse::F8).is_ok());
        assert!(reject(DType::U32, "k", Refuse::All).is_err());
        assert!(reject(DType::F32, "k", Refuse::All).is_ok());
        assert!(reject(DType::U8, "k", Refuse::All).is_ok());
    }
}
