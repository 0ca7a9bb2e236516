//! Materialising torch's lazy conjugate / negative bits on a dense buffer, in place.
use crate::dtype::DType;

/// Flips the sign bit of every `step`-th word starting at `first` (IEEE negation, exact for
/// nan/inf/±0 as torch's `neg` and `conj` are).
///
/// # Safety
/// `p` points to at least `n` words of type `W`.
unsafe fn flip<W: Copy + std::ops::BitXor<Output = W>>(p: *mut W, n: usize, first: usize, step: usize, sign: W) {
    // SAFETY: the caller guarantees `n` words from `p`.
    let s = unsafe { std::slice::from_raw_parts_mut(p, n) };
    let mut i = first;
    while i < n {
        s[i] = s[i] ^ sign;
        i += step;
    }
}

/// Applies `conj` (negate imaginary parts) and `neg` (negate values) to `n` contiguous elements of
/// `dt` at `p`. Bool is unchanged; integers negate with wrap-around, as torch's `neg` does.
///
/// # Safety
/// `p` points to `n` writable, contiguous elements of `dt`.
pub unsafe fn apply_bits(p: *mut u8, dt: DType, n: usize, conj: bool, neg: bool) {
    let conj = conj && dt.is_complex();
    if !(conj || neg) || n == 0 {
        return;
    }
    // For complex data: words 2i are real parts, 2i+1 imaginary parts.
    // conj only: odd words; neg only: all words; both: even words.
    let (first, step) = match (dt.is_complex(), conj, neg) {
        (true, true, false) => (1, 2),
        (true, true, true) => (0, 2),
        _ => (0, 1),
    };
    // SAFETY (all arms): p holds n elements, i.e. n (or 2n for complex) words of the width used.
    unsafe {
        match dt {
            DType::Bool => {}
            DType::U8 | DType::I8 => {
                let s = std::slice::from_raw_parts_mut(p, n);
                s.iter_mut().for_each(|v| *v = v.wrapping_neg());
            }
            DType::I16 => {
                let s = std::slice::from_raw_parts_mut(p as *mut i16, n);
                s.iter_mut().for_each(|v| *v = v.wrapping_neg());
            }
            DType::I32 => {
                let s = std::slice::from_raw_parts_mut(p as *mut i32, n);
                s.iter_mut().for_each(|v| *v = v.wrapping_neg());
            }
            DType::I64 => {
                let s = std::slice::from_raw_parts_mut(p as *mut i64, n);
                s.iter_mut().for_each(|v| *v = v.wrapping_neg());
            }
            DType::F16 | DType::BF16 => flip(p as *mut u16, n, first, step, 0x8000u16),
            DType::F32 => flip(p as *mut u32, n, first, step, 0x8000_0000u32),
            DType::F64 => flip(p as *mut u64, n, first, step, 1u64 << 63),
            DType::C32 => flip(p as *mut u16, 2 * n, first, step, 0x8000u16),
            DType::C64 => flip(p as *mut u32, 2 * n, first, step, 0x8000_0000u32),
            DType::C128 => flip(p as *mut u64, 2 * n, first, step, 1u64 << 63),
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }
}

/// Shadows each `&Tensor` parameter with its resolved form (itself when no lazy bit is set, else
/// a materialised copy): op front ends call this before reading storage, so a conjugate or
/// negative view never reaches a kernel unresolved.
#[macro_export]
macro_rules! resolve_bits {
    ($($x:ident),+ $(,)?) => { $(
        let $x = $x.resolved()?;
        let $x: &$crate::tensor::Tensor = &$x;
    )+ };
}

/// [`resolve_bits!`] for `Option<&Tensor>` parameters.
#[macro_export]
macro_rules! resolve_opt_bits {
    ($($x:ident),+ $(,)?) => { $(
        let $x = match $x { Some(t) => Some(t.resolved()?), None => None };
        let $x: Option<&$crate::tensor::Tensor> = $x.as_deref();
    )+ };
}

/// [`resolve_bits!`] for `Arg` (tensor or number) parameters.
#[macro_export]
macro_rules! resolve_arg_bits {
    ($($x:ident),+ $(,)?) => { $(
        let owned = match $x {
            $crate::ops::binary::Arg::T(t) if t.has_bits() => Some(t.resolved()?.into_owned()),
            _ => None,
        };
        let $x = match &owned { Some(t) => $crate::ops::binary::Arg::T(t), None => $x };
    )+ };
}

/// [`resolve_bits!`] for `&[Tensor]` parameters.
#[macro_export]
macro_rules! resolve_slice_bits {
    ($($x:ident),+ $(,)?) => { $(
        let owned: Option<Vec<$crate::tensor::Tensor>> = if $x.iter().any(|t| t.has_bits()) {
            Some($x.iter().map(|t| t.resolved().map(|c| c.into_owned())).collect::<$crate::error::Result<Vec<_>>>()?)
        } else {
            None
        };
        let $x: &[$crate::tensor::Tensor] = match &owned { Some(v) => v, None => $x };
    )+ };
}
