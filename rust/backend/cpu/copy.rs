//! Strided copy with dtype conversion, and fills: the kernels behind `contiguous`, `to(dtype)`,
//! `copy_`, `clone` and the creation functions.
use crate::dispatch;
use crate::dtype::DType;
use crate::element::{Element, Pivot, cast};
use crate::layout::Layout;

use super::iter::for_each_row;

/// Copies `src` (viewed through `src_l`) into `dst` (viewed through `dst_l`, same shape).
///
/// # Safety
/// Both pointers must be valid for every offset their layouts reach, with the given dtypes.
pub unsafe fn copy_cast(src: *const u8, src_dt: DType, src_l: &Layout, dst: *mut u8, dst_dt: DType, dst_l: &Layout) {
    dispatch!(src_dt, S => dispatch!(dst_dt, D => {
        // SAFETY: forwarded from the caller.
        unsafe { copy_typed::<S, D>(src as *const S, src_l, dst as *mut D, dst_l) }
    }))
}

unsafe fn copy_typed<S: Element, D: Element>(src: *const S, sl: &Layout, dst: *mut D, dl: &Layout) {
    for_each_row(
        &dl.shape,
        [&sl.strides, &dl.strides],
        [sl.offset as isize, dl.offset as isize],
        |[so, do_], n, [ss, ds]| {
            // SAFETY: offsets come from layouts the caller vouched for.
            unsafe {
                let (s, d) = (src.offset(so), dst.offset(do_));
                if ss == 1 && ds == 1 {
                    let (s, d) = (std::slice::from_raw_parts(s, n), std::slice::from_raw_parts_mut(d, n));
                    if S::DTYPE as u8 == D::DTYPE as u8 {
                        // Same dtype: copy the bits (NaN payloads included), as torch does.
                        std::ptr::copy(s.as_ptr() as *const D, d.as_mut_ptr(), n);
                    } else {
                        for (o, &i) in d.iter_mut().zip(s) {
                            *o = cast::<S, D>(i);
                        }
                    }
                } else {
                    if S::DTYPE as u8 == D::DTYPE as u8 {
                        for i in 0..n as isize {
                            *d.offset(i * ds) = std::ptr::read(s.offset(i * ss) as *const D);
                        }
                    } else {
                        for i in 0..n as isize {
                            *d.offset(i * ds) = cast::<S, D>(*s.offset(i * ss));
                        }
                    }
                }
            }
        },
    );
}

/// Writes `value` (converted to `dt`) to every element of `dst` under `l`.
///
/// # Safety
/// `dst` must be valid for every offset `l` reaches.
pub unsafe fn fill(dst: *mut u8, dt: DType, l: &Layout, value: Pivot) {
    dispatch!(dt, T => {
        let v = T::from_pivot(value);
        let dst = dst as *mut T;
        for_each_row(&l.shape, [&l.strides], [l.offset as isize], |[o], n, [s]| {
            // SAFETY: offsets come from the caller's layout.
            unsafe {
                let d = dst.offset(o);
                if s == 1 {
                    std::slice::from_raw_parts_mut(d, n).fill(v);
                } else {
                    for i in 0..n as isize {
                        *d.offset(i * s) = v;
                    }
                }
            }
        });
    })
}

/// Reads one element as a pivot scalar.
///
/// # Safety
/// `ptr` must point to a valid element of type `dt`.
pub unsafe fn read_scalar(ptr: *const u8, dt: DType) -> Pivot {
    // SAFETY: forwarded from the caller.
    dispatch!(dt, T => unsafe { (*(ptr as *const T)).to_pivot() })
}
