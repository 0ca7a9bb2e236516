//! torch's type promotion: `promote_types`, `result_type` (dimensioned tensors > zero-dim tensors >
//! Python scalars, within categories bool < integer < floating < complex) and `can_cast`.
use crate::dtype::{DType, default_complex_dtype, default_dtype};

fn category(d: DType) -> u8 {
    if d.is_complex() {
        3
    } else if d.is_floating_point() {
        2
    } else if d == DType::Bool {
        0
    } else {
        1
    }
}

fn promote_float(a: DType, b: DType) -> DType {
    use DType::*;
    match (a, b) {
        _ if a == b => a,
        (F16, BF16) | (BF16, F16) => F32,
        _ if a.itemsize() >= b.itemsize() => a,
        _ => b,
    }
}

fn promote_int(a: DType, b: DType) -> DType {
    use DType::*;
    match (a, b) {
        _ if a == b => a,
        (Bool, x) | (x, Bool) => x,
        (U8, I8) | (I8, U8) => I16,
        (U8, x) | (x, U8) => x,
        _ if a.itemsize() >= b.itemsize() => a,
        _ => b,
    }
}

/// `torch.promote_types(a, b)`.
pub fn promote_types(a: DType, b: DType) -> DType {
    if a == b {
        return a;
    }
    let (ca, cb) = (category(a), category(b));
    if ca == 3 || cb == 3 {
        // The complex result carries the wider of the two real precisions.
        let real = |d: DType| if d.is_complex() { Some(d.to_real()) } else if d.is_floating_point() { Some(d) } else { None };
        let r = match (real(a), real(b)) {
            (Some(x), Some(y)) => promote_float(x, y),
            (Some(x), None) | (None, Some(x)) => x,
            (None, None) => DType::F32,
        };
        return r.to_complex();
    }
    if ca == 2 || cb == 2 {
        return match (ca, cb) {
            (2, 2) => promote_float(a, b),
            (2, _) => a,
            _ => b,
        };
    }
    promote_int(a, b)
}

/// torch refuses to promote the barebones dtypes: uint16/32/64 only with themselves and the
/// floating types, float8 only with itself.
pub fn check_promotable(a: DType, b: DType) -> crate::error::Result<()> {
    use DType::*;
    if a == b {
        return Ok(());
    }
    if a.is_float8() || b.is_float8() {
        crate::bail!(
            runtime,
            "Promotion for Float8 Types is not supported, attempted to promote {} and {}",
            a.scalar_name(),
            b.scalar_name()
        );
    }
    let plain_float = |d: DType| matches!(d, F16 | BF16 | F32 | F64);
    if (a.is_big_unsigned() && !plain_float(b)) || (b.is_big_unsigned() && !plain_float(a)) {
        crate::bail!(
            runtime,
            "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote {} and {}",
            a.scalar_name(),
            b.scalar_name()
        );
    }
    Ok(())
}

/// `promote_types` with torch's refusals for the barebones dtypes.
pub fn try_promote_types(a: DType, b: DType) -> crate::error::Result<DType> {
    check_promotable(a, b)?;
    Ok(promote_types(a, b))
}

/// What an operand is for promotion purposes.
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    /// A tensor with at least one dimension.
    Dim(DType),
    /// A zero-dimensional tensor.
    Zero(DType),
    /// A Python number (bool, int, float or complex), given as the dtype of its kind.
    Scalar(DType),
}

#[derive(Default)]
struct State {
    dim: Option<DType>,
    zero: Option<DType>,
    wrapped: Option<DType>,
}

/// torch's combine_categories: `higher` wins unless `lower` is of a higher category.
fn combine(higher: Option<DType>, lower: Option<DType>) -> Option<DType> {
    let Some(h) = higher else { return lower };
    let Some(l) = lower else { return higher };
    if h.is_complex() {
        return Some(h);
    }
    if l.is_complex() {
        return Some(if h.is_floating_point() { h.to_complex() } else { l });
    }
    if h.is_floating_point() {
        return Some(h);
    }
    if h == DType::Bool || l.is_floating_point() {
        return Some(promote_types(h, l));
    }
    Some(h)
}

/// Sorts operands into torch's three categories, promoting within each with `promote`. Python
/// floats take the default dtype and complex numbers the default complex dtype.
fn categorize(ops: &[Operand], promote: impl Fn(DType, DType) -> crate::error::Result<DType>) -> crate::error::Result<State> {
    let mut s = State::default();
    let into = |slot: Option<DType>, d: DType| -> crate::error::Result<Option<DType>> {
        Ok(Some(match slot {
            None => d,
            Some(a) => promote(a, d)?,
        }))
    };
    for op in ops {
        match *op {
            Operand::Dim(d) => s.dim = into(s.dim, d)?,
            Operand::Zero(d) => s.zero = into(s.zero, d)?,
            Operand::Scalar(d) => {
                let d = if d.is_complex() {
                    default_complex_dtype()
                } else if d.is_floating_point() {
                    default_dtype()
                } else {
                    d
                };
                s.wrapped = into(s.wrapped, d)?
            }
        }
    }
    Ok(s)
}

/// `torch.result_type` over several operands.
pub fn result_type(ops: &[Operand]) -> DType {
    match categorize(ops, |a, b| Ok(promote_types(a, b))) {
        Ok(s) => combine(s.dim, combine(s.zero, s.wrapped)).unwrap_or_else(default_dtype),
        Err(_) => default_dtype(), // unreachable: promote_types cannot fail
    }
}

/// [`result_type`] with torch's promotion errors for the barebones dtypes.
pub fn try_result_type(ops: &[Operand]) -> crate::error::Result<DType> {
    let s = categorize(ops, try_promote_types)?;
    // combine() promotes only where a lower category meets bool or a floating type; check those.
    let check = |h: Option<DType>, l: Option<DType>| -> crate::error::Result<()> {
        if let (Some(h), Some(l)) = (h, l) {
            if !h.is_complex() && !l.is_complex() && !h.is_floating_point() && (h == DType::Bool || l.is_floating_point()) {
                check_promotable(h, l)?;
            }
        }
        Ok(())
    };
    // A float8 result meeting a complex operand has no complex counterpart in torch.
    let complex_of = |h: Option<DType>, l: Option<DType>| -> crate::error::Result<()> {
        if let (Some(h), Some(l)) = (h, l) {
            if h.is_float8() && l.is_complex() {
                crate::bail!(runtime, "Unknown Complex ScalarType for {}", h.scalar_name());
            }
        }
        Ok(())
    };
    check(s.zero, s.wrapped)?;
    complex_of(s.zero, s.wrapped)?;
    let low = combine(s.zero, s.wrapped);
    check(s.dim, low)?;
    complex_of(s.dim, low)?;
    Ok(combine(s.dim, low).unwrap_or_else(default_dtype))
}

/// `torch.can_cast(from, to)`: no casting to a lower category.
pub fn can_cast(from: DType, to: DType) -> bool {
    category(from) <= category(to)
}

#[cfg(test)]
mod tests {
    use super::*;
    use DType::*;

    #[test]
    fn promotion_table_spots() {
        assert_eq!(promote_types(U8, I8), I16);
        assert_eq!(promote_types(F16, BF16), F32);
        assert_eq!(promote_types(C32, BF16), C64);
        assert_eq!(promote_types(C64, F64), C128);
        assert_eq!(promote_types(Bool, U8), U8);
    }

    #[test]
    fn dimensioned_beats_zero_dim_beats_scalar() {
        assert_eq!(result_type(&[Operand::Dim(I64), Operand::Scalar(F64)]), F32);
        assert_eq!(result_type(&[Operand::Dim(F16), Operand::Zero(F64)]), F16);
        assert_eq!(result_type(&[Operand::Dim(U8), Operand::Zero(I8)]), U8);
        assert_eq!(result_type(&[Operand::Dim(I8), Operand::Scalar(C128)]), C64);
        assert_eq!(result_type(&[Operand::Dim(F16), Operand::Scalar(C128)]), C32);
        assert_eq!(result_type(&[Operand::Zero(I32), Operand::Scalar(F64)]), F32);
    }
}
