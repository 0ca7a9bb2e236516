//! Strided copy with dtype conversion, and fills: the kernels behind `contiguous`, `to(dtype)`,
//! `copy_`, `clone` and the creation functions.
use crate::dispatch;
use crate::dtype::DType;
use crate::element::{Element, Pivot, cast};
use crate::layout::Layout;

use super::elementwise::SendPtr;
use super::iter::for_each_row;
use super::parallel::{PAR_THRESHOLD, par_for_each_row, run_chunks};

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
    if dl.numel() >= TILED_MIN {
        if let Some((a, b)) = transposed_pair(sl, dl) {
            // SAFETY: forwarded from the caller.
            return unsafe { copy_tiled::<S, D>(src, sl, dst, dl, a, b) };
        }
    }
    let (sp, dp) = (SendPtr(src as *mut S), SendPtr(dst));
    par_for_each_row(
        &dl.shape,
        [&sl.strides, &dl.strides],
        [sl.offset as isize, dl.offset as isize],
        move |[so, do_], n, [ss, ds]| {
            let (sp, dp) = (sp, dp);
            let (src, dst) = (sp.0 as *const S, dp.0);
            // SAFETY: offsets come from layouts the caller vouched for; rows are disjoint in dst.
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
                    for i in 0..n as isize {
                        *d.offset(i * ds) = elem::<S, D>(s.offset(i * ss));
                    }
                }
            }
        },
    );
}

/// One element converted (same dtype: its bits).
///
/// # Safety
/// `s` must point to a valid `S`.
#[inline(always)]
unsafe fn elem<S: Element, D: Element>(s: *const S) -> D {
    // SAFETY: forwarded from the caller; same dtype means same type.
    unsafe { if S::DTYPE as u8 == D::DTYPE as u8 { std::ptr::read(s as *const D) } else { cast::<S, D>(*s) } }
}

/// Copies at least this large look for a transposition to tile.
const TILED_MIN: usize = 1 << 12;
/// Side of the square tiles a transposing copy moves at a time.
const TB: usize = 32;

/// `(a, b)` when the copy transposes: dst is contiguous along `a`, src along `b`, both long.
fn transposed_pair(sl: &Layout, dl: &Layout) -> Option<(usize, usize)> {
    let a = (0..dl.shape.len()).find(|&d| dl.strides[d] == 1 && dl.shape[d] >= 8)?;
    let b = (0..sl.shape.len()).find(|&d| sl.strides[d] == 1 && sl.shape[d] >= 8)?;
    (a != b).then_some((a, b))
}

/// A transposing copy in `TB`×`TB` tiles of the (a, b) planes, so both sides stay in cache:
/// each tile writes rows of dst along `a` while reading `TB` rows of src along `b`.
///
/// # Safety
/// As `copy_cast`.
unsafe fn copy_tiled<S: Element, D: Element>(src: *const S, sl: &Layout, dst: *mut D, dl: &Layout, a: usize, b: usize) {
    let (na, nb) = (dl.shape[a], dl.shape[b]);
    let (ssa, dsb) = (sl.strides[a], dl.strides[b]);
    let mut plane = dl.shape.clone();
    plane[a] = 1;
    plane[b] = 1;
    let mut starts: Vec<(isize, isize)> = Vec::new();
    for_each_row(&plane, [&sl.strides, &dl.strides], [sl.offset as isize, dl.offset as isize], |[so, do_], n, [ss, ds]| {
        starts.extend((0..n as isize).map(|i| (so + i * ss, do_ + i * ds)));
    });
    let (bt, at) = (nb.div_ceil(TB), na.div_ceil(TB));
    let units = starts.len() * bt;
    let (sp, dp, starts) = (SendPtr(src as *mut S), SendPtr(dst), &starts);
    let job = move |u: usize| {
        let (sp, dp) = (sp, dp);
        let (src, dst) = (sp.0 as *const S, dp.0);
        let (so, do_) = starts[u / bt];
        let b0 = (u % bt) * TB;
        for ta in 0..at {
            let a0 = ta * TB;
            for bb in b0..(b0 + TB).min(nb) {
                // SAFETY: every (a, b) of the plane at this start is in bounds of both layouts.
                unsafe {
                    let s = src.offset(so + bb as isize);
                    let d = dst.offset(do_ + bb as isize * dsb);
                    for aa in a0 as isize..(a0 + TB).min(na) as isize {
                        *d.offset(aa) = elem::<S, D>(s.offset(aa * ssa));
                    }
                }
            }
        }
    };
    if dl.numel() >= PAR_THRESHOLD {
        run_chunks(units, job);
    } else {
        (0..units).for_each(job);
    }
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
