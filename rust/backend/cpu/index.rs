//! Index kernels: gathers and scatters through precomputed element offsets, dim-wise
//! gather/scatter, mask compaction and nonzero. Pure data movement goes by element size, so one
//! instantiation serves every dtype of that width.
use crate::dispatch;
use crate::dtype::DType;
use crate::element::{Element, Pivot};
use crate::layout::Layout;

use super::iter::{coalesce, for_each_row};
use super::num::{Num, Stored};
use super::parallel::{PAR_THRESHOLD, num_threads, run_chunks};

/// Element offsets of every position of a (shape, strides) block, row-major, from `base`.
pub fn block_offsets(shape: &[usize], strides: &[isize], base: isize) -> Vec<isize> {
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(n);
    for_each_row(shape, [strides], [base], |[o], len, [s]| {
        for i in 0..len as isize {
            out.push(o + i * s);
        }
    });
    out
}

/// An advanced-indexing plan on a source layout: the result is `pre ++ b_shape ++ post`, and
/// result element (p, b, q) lives at `pre_offs[p] + offsets[b] + post_offs[q]` in the source.
pub struct AdvPlan {
    pub pre_shape: Vec<usize>,
    pub pre_offs: Vec<isize>,
    pub b_shape: Vec<usize>,
    pub offsets: Vec<isize>,
    pub post_shape: Vec<usize>,
    pub post_strides: Vec<isize>,
}

impl AdvPlan {
    pub fn out_shape(&self) -> Vec<usize> {
        let mut s = self.pre_shape.clone();
        s.extend_from_slice(&self.b_shape);
        s.extend_from_slice(&self.post_shape);
        s
    }
    fn post_offs(&self) -> Vec<isize> {
        block_offsets(&self.post_shape, &self.post_strides, 0)
    }
    /// The post block as one contiguous run of this many elements, if it is one.
    fn post_run(&self) -> Option<usize> {
        let n: usize = self.post_shape.iter().product();
        let (cs, cst) = coalesce(&self.post_shape, [&self.post_strides]);
        (cs.len() == 1 && (cst[0][0] == 1 || cs[0] == 1)).then_some(n)
    }
}

#[derive(Clone, Copy)]
struct SendPtr(usize);

macro_rules! by_width {
    ($isz:expr, $T:ident => $body:expr) => {
        match $isz {
            1 => { type $T = u8; $body }
            2 => { type $T = u16; $body }
            4 => { type $T = u32; $body }
            8 => { type $T = u64; $body }
            _ => { type $T = u128; $body }
        }
    };
}

/// Writes the plan's result, row-major and contiguous, to `out`.
///
/// # Safety
/// `src` must be valid for every offset the plan reaches; `out` for `plan.out_shape()` elements.
pub unsafe fn gather_plan(src: *const u8, isz: usize, plan: &AdvPlan, out: *mut u8) {
    by_width!(isz, T => unsafe { gather_typed::<T>(src as *const T, plan, out as *mut T) })
}

unsafe fn gather_typed<T: Copy + Send + Sync>(src: *const T, plan: &AdvPlan, out: *mut T) {
    let nb = plan.offsets.len();
    let npre = plan.pre_offs.len();
    let post_n: usize = plan.post_shape.iter().product();
    if post_n == 0 || nb == 0 || npre == 0 {
        return;
    }
    let post_offs = plan.post_offs();
    let run = plan.post_run().filter(|_| post_n > 1);
    let pairs = npre * nb;
    let threads = num_threads();
    let chunks = if pairs * post_n >= PAR_THRESHOLD && threads > 1 { (threads * 4).min(pairs) } else { 1 };
    let step = pairs.div_ceil(chunks);
    let (srcp, outp) = (SendPtr(src as usize), SendPtr(out as usize));
    run_chunks(chunks, |c| {
        let (src, out) = (srcp.0 as *const T, outp.0 as *mut T);
        let (s, e) = (c * step, ((c + 1) * step).min(pairs));
        let mut pr = s;
        while pr < e {
            // One source row of the pre block: pairs pr..stop share pre_offs[p].
            let (p, b0) = (pr / nb, pr % nb);
            let stop = e.min((p + 1) * nb);
            let pbase = plan.pre_offs[p];
            let offs = &plan.offsets[b0..b0 + (stop - pr)];
            let mut k = pr * post_n;
            // SAFETY: offsets were bounds-checked when the plan was built; `out` holds
            // pairs * post_n elements and each chunk writes only its own pairs.
            unsafe {
                if post_n == 1 {
                    let q = pbase + post_offs[0];
                    for &o in offs {
                        *out.add(k) = *src.offset(q + o);
                        k += 1;
                    }
                } else if let Some(n) = run {
                    for &o in offs {
                        std::ptr::copy_nonoverlapping(src.offset(pbase + o + post_offs[0]), out.add(k), n);
                        k += n;
                    }
                } else {
                    for &o in offs {
                        for &q in &post_offs {
                            *out.add(k) = *src.offset(pbase + o + q);
                            k += 1;
                        }
                    }
                }
            }
            pr = stop;
        }
    });
}

/// The first value of an int64 index (any layout) outside `lo..hi`, in row-major order.
///
/// # Safety
/// `idx` must be valid for every offset of `il`.
pub unsafe fn first_out_of_range(idx: *const i64, il: &Layout, lo: i64, hi: i64) -> Option<i64> {
    let mut bad = None;
    for_each_row(&il.shape, [&il.strides], [il.offset as isize], |[o], len, [s]| {
        if bad.is_some() {
            return;
        }
        // SAFETY: within the caller's layout.
        let at = |i: usize| unsafe { *idx.offset(o + i as isize * s) };
        // A branch-free min/max pass first; the exact culprit only on failure.
        let (mut mn, mut mx) = (i64::MAX, i64::MIN);
        if s == 1 {
            // SAFETY: a unit-stride row of `len` elements.
            let row = unsafe { std::slice::from_raw_parts(idx.offset(o), len) };
            for &v in row {
                mn = mn.min(v);
                mx = mx.max(v);
            }
        } else {
            for i in 0..len {
                let v = at(i);
                mn = mn.min(v);
                mx = mx.max(v);
            }
        }
        if mn < lo || mx >= hi {
            bad = (0..len).map(at).find(|&v| v < lo || v >= hi);
        }
    });
    bad
}

/// `out[k] = src[base + idx[k] * stride]` for a contiguous int64 index of `n` elements into a dim
/// of `size` (negative indices wrap when `wrap` is set). Err(v) is the first index out of range;
/// `out` may then be partly written.
///
/// # Safety
/// `src` must be valid for `base + j * stride`, j in 0..size; `idx` and `out` for `n` elements.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gather_index(src: *const u8, isz: usize, base: isize, stride: isize, size: usize, idx: *const i64, n: usize, wrap: bool, out: *mut u8) -> Result<(), i64> {
    let threads = num_threads();
    let chunks = if n >= PAR_THRESHOLD && threads > 1 { threads * 4 } else { 1 };
    let step = n.div_ceil(chunks).max(1);
    let bad: Vec<std::sync::Mutex<Option<i64>>> = (0..chunks).map(|_| std::sync::Mutex::new(None)).collect();
    let (srcp, outp, idxp) = (SendPtr(src as usize), SendPtr(out as usize), SendPtr(idx as usize));
    let sz = size as i64;
    by_width!(isz, T => {
        run_chunks(chunks, |c| {
            let (src, out, idx) = (srcp.0 as *const T, outp.0 as *mut T, idxp.0 as *const i64);
            for k in (c * step).min(n)..((c + 1) * step).min(n) {
                // SAFETY: k < n; the index is checked before the read.
                unsafe {
                    let v = *idx.add(k);
                    let w = if wrap && v < 0 { v + sz } else { v };
                    if (w as u64) >= sz as u64 {
                        if let Ok(mut b) = bad[c].lock() {
                            *b = Some(v);
                        }
                        return;
                    }
                    *out.add(k) = *src.offset(base + w as isize * stride);
                }
            }
        });
    });
    match bad.into_iter().find_map(|m| m.into_inner().ok().flatten()) {
        Some(v) => Err(v),
        None => Ok(()),
    }
}

/// How a scatter combines a value with the destination element.
#[derive(Clone, Copy, PartialEq)]
pub enum Combine {
    Copy,
    Add(Pivot),
    Mul,
}

/// Writes `vals` (contiguous, `plan.out_shape()`, dtype `dt`) into `dst` at the plan's positions.
///
/// # Safety
/// As `gather_plan`, with `dst` writable.
pub unsafe fn scatter_plan(dst: *mut u8, dt: DType, plan: &AdvPlan, vals: *const u8, how: Combine) {
    let post_offs = plan.post_offs();
    dispatch!(dt, T => {
        let (dst, vals) = (dst as *mut T, vals as *const T);
        let alpha = match how { Combine::Add(a) => Some(<T as Stored>::M::from_pivot(a)), _ => None };
        let mut k = 0usize;
        for &p in &plan.pre_offs {
            for &o in &plan.offsets {
                for &q in &post_offs {
                    // SAFETY: offsets are in bounds (checked while planning); k < numel(vals).
                    unsafe {
                        let d = dst.offset(p + o + q);
                        let v = *vals.add(k);
                        *d = match how {
                            Combine::Copy => v,
                            Combine::Add(_) => {
                                let m = match alpha { Some(a) => v.load().mul(a), None => v.load() };
                                T::store((*d).load().add(m))
                            }
                            Combine::Mul => T::store((*d).load().mul(v.load())),
                        };
                    }
                    k += 1;
                }
            }
        }
    })
}

/// Fills `dst` at the plan's positions with `value`.
///
/// # Safety
/// As `scatter_plan`.
pub unsafe fn fill_plan(dst: *mut u8, dt: DType, plan: &AdvPlan, value: Pivot) {
    let post_offs = plan.post_offs();
    dispatch!(dt, T => {
        let v = T::from_pivot(value);
        let dst = dst as *mut T;
        for &p in &plan.pre_offs {
            for &o in &plan.offsets {
                for &q in &post_offs {
                    // SAFETY: offsets are in bounds (checked while planning).
                    unsafe { *dst.offset(p + o + q) = v };
                }
            }
        }
    })
}

/// Element offsets (from `base`) of the true positions of a bool mask laid over a source block
/// with `strides`, in row-major order.
///
/// # Safety
/// `mask` must be valid for every offset of `ml`.
pub unsafe fn mask_offsets(mask: *const u8, ml: &Layout, strides: &[isize], base: isize) -> Vec<isize> {
    let mut out = Vec::new();
    let n = ml.numel();
    if n == 0 {
        return out;
    }
    if ml.is_contiguous() {
        // Flat mask: true positions map back to source offsets through the dims.
        // SAFETY: a contiguous mask covers n bytes from its offset.
        let m = unsafe { std::slice::from_raw_parts(mask.add(ml.offset), n) };
        let (cs, cst) = coalesce(&ml.shape, [strides]);
        if cs.len() == 1 {
            let s = cst[0][0];
            out.reserve(n / 2);
            for (i, &b) in m.iter().enumerate() {
                if b != 0 {
                    out.push(base + i as isize * s);
                }
            }
            return out;
        }
    }
    for_each_row(&ml.shape, [&ml.strides, strides], [ml.offset as isize, base], |[mo, so], len, [ms, ss]| {
        for i in 0..len as isize {
            // SAFETY: mo + i * ms is within the mask layout.
            if unsafe { *mask.offset(mo + i * ms) } != 0 {
                out.push(so + i * ss);
            }
        }
    });
    out
}

/// Nonzero count of each `step`-element piece of a contiguous buffer of `n` elements.
///
/// # Safety
/// `src` must hold `n` contiguous elements of `dt`.
pub unsafe fn nonzero_counts(src: *const u8, dt: DType, n: usize, step: usize) -> Vec<usize> {
    let pieces = n.div_ceil(step);
    let counts: Vec<std::sync::atomic::AtomicUsize> = (0..pieces).map(|_| std::sync::atomic::AtomicUsize::new(0)).collect();
    let sp = SendPtr(src as usize);
    dispatch!(dt, T => {
        run_chunks(pieces, |c| {
            let (s, e) = (c * step, ((c + 1) * step).min(n));
            // SAFETY: s..e lies inside the caller's n elements.
            let row = unsafe { std::slice::from_raw_parts((sp.0 as *const T).add(s), e - s) };
            let cnt = row.iter().map(|v| v.load().truthy() as usize).sum::<usize>();
            counts[c].store(cnt, std::sync::atomic::Ordering::Relaxed);
        });
    });
    counts.into_iter().map(|a| a.into_inner()).collect()
}

/// Writes the row-major multi-index of every nonzero element of a contiguous `shape` buffer into
/// `out`, laid out `[ndim, total]` (coordinate j of hit p at `j * total + p`). Piece c (of `step`
/// elements) holds `counts[c]` hits and starts writing at hit `starts[c]`.
///
/// # Safety
/// `src` holds the shape's elements; `out` holds `ndim * total` i64; `starts`/`counts` come from
/// `nonzero_counts` with the same `step`.
pub unsafe fn nonzero_fill(src: *const u8, dt: DType, shape: &[usize], step: usize, starts: &[usize], counts: &[usize], total: usize, out: *mut i64) {
    let n: usize = shape.iter().product();
    let nd = shape.len();
    // Flat positions first (straight into `out` for 1-D), then unravelled.
    let mut flat: Vec<i64> = Vec::new();
    let lin = if nd == 1 {
        out
    } else {
        flat.reserve_exact(total);
        flat.as_mut_ptr()
    };
    let (sp, lp) = (SendPtr(src as usize), SendPtr(lin as usize));
    dispatch!(dt, T => {
        run_chunks(starts.len(), |c| {
            let (s, e) = (c * step, ((c + 1) * step).min(n));
            let (src, lin) = (sp.0 as *const T, lp.0 as *mut i64);
            let (mut pos, end) = (starts[c], starts[c] + counts[c]);
            for i in s..e {
                if pos == end {
                    break;
                }
                // SAFETY: i < n and pos < end <= total. Writing before testing keeps the loop
                // branch-free; a miss is overwritten by the next hit, which must exist while
                // pos < end.
                unsafe {
                    *lin.add(pos) = i as i64;
                    pos += (*src.add(i)).load().truthy() as usize;
                }
            }
        });
    });
    if nd == 1 {
        return;
    }
    // SAFETY: every slot 0..total was written above.
    unsafe { flat.set_len(total) };
    let threads = num_threads();
    let chunks = if total >= PAR_THRESHOLD && threads > 1 { threads * 4 } else { 1 };
    let cstep = total.div_ceil(chunks).max(1);
    let op = SendPtr(out as usize);
    let flat = &flat;
    run_chunks(chunks, |c| {
        let out = op.0 as *mut i64;
        for p in (c * cstep).min(total)..((c + 1) * cstep).min(total) {
            let mut rem = flat[p] as usize;
            for d in (0..nd).rev() {
                // SAFETY: d < nd and p < total index inside the [nd, total] buffer.
                unsafe { *out.add(d * total + p) = (rem % shape[d]) as i64 };
                rem /= shape[d];
            }
        }
    });
}

/// Source offset of each element of `idx` (int64, any layout) along a dim of `size` and `stride`;
/// negative indices wrap. Err(v) carries the first out-of-range index.
///
/// # Safety
/// `idx` must be valid for every offset of `il`.
pub unsafe fn index_offsets(idx: *const i64, il: &Layout, size: usize, stride: isize) -> Result<Vec<isize>, i64> {
    let n = size as i64;
    let mut out = Vec::with_capacity(il.numel());
    let mut bad = None;
    for_each_row(&il.shape, [&il.strides], [il.offset as isize], |[o], len, [s]| {
        for i in 0..len as isize {
            // SAFETY: within the caller's layout.
            let v = unsafe { *idx.offset(o + i * s) };
            if v < -n || v >= n {
                bad.get_or_insert(v);
                out.push(0);
            } else {
                out.push((if v < 0 { v + n } else { v }) as isize * stride);
            }
        }
    });
    match bad {
        Some(v) => Err(v),
        None => Ok(out),
    }
}

/// Dim-wise gather: `out[p] = src[p with dim := idx[p]]` over the index's shape. `src_l` has the
/// index's shape with the source's strides, `dim_stride` the source stride of `dim`.
///
/// # Safety
/// All layouts must be valid for their pointers; indices must be pre-checked in `0..size`.
pub unsafe fn gather_dim(src: *const u8, isz: usize, src_l: &Layout, dim: usize, dim_stride: isize, idx: *const i64, il: &Layout, out: *mut u8, ol: &Layout) {
    let mut sst = src_l.strides.clone();
    sst[dim] = 0;
    by_width!(isz, T => {
        let (src, out) = (src as *const T, out as *mut T);
        for_each_row(&il.shape, [&sst, &il.strides, &ol.strides], [src_l.offset as isize, il.offset as isize, ol.offset as isize], |[so, io, oo], len, [ss, is, os]| {
            for i in 0..len as isize {
                // SAFETY: indices were checked by the caller.
                unsafe {
                    let v = *idx.offset(io + i * is) as isize;
                    *out.offset(oo + i * os) = *src.offset(so + i * ss + v * dim_stride);
                }
            }
        });
    })
}

/// How a dim-wise scatter reduces into the destination.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Reduce {
    Copy,
    Sum,
    Prod,
    Max,
    Min,
}

/// Dim-wise scatter: `dst[p with dim := idx[p]] (op)= src[p]` over the index's shape. `dst_l`
/// has the index's shape with dst's strides. `src` None scatters the scalar `value`.
///
/// # Safety
/// As `gather_dim`; `dst` must be writable.
#[allow(clippy::too_many_arguments)]
pub unsafe fn scatter_dim(dst: *mut u8, dt: DType, dst_l: &Layout, dim: usize, dim_stride: isize, idx: *const i64, il: &Layout, src: Option<(*const u8, &Layout)>, value: Pivot, how: Reduce) {
    let mut dst_st = dst_l.strides.clone();
    dst_st[dim] = 0;
    dispatch!(dt, T => {
        let dst = dst as *mut T;
        let v0 = T::from_pivot(value);
        let (sp, sst, soff) = match src {
            Some((p, l)) => (p as *const T, l.strides.clone(), l.offset as isize),
            None => (std::ptr::null(), vec![0; il.ndim()], 0),
        };
        for_each_row(&il.shape, [&dst_st, &il.strides, &sst], [dst_l.offset as isize, il.offset as isize, soff], |[d0, io, so], len, [ds, is, ss]| {
            for i in 0..len as isize {
                // SAFETY: indices were checked by the caller; layouts are valid.
                unsafe {
                    let v = *idx.offset(io + i * is) as isize;
                    let d = dst.offset(d0 + i * ds + v * dim_stride);
                    let s = if sp.is_null() { v0 } else { *sp.offset(so + i * ss) };
                    *d = match how {
                        Reduce::Copy => s,
                        Reduce::Sum => T::store((*d).load().add(s.load())),
                        Reduce::Prod => T::store((*d).load().mul(s.load())),
                        Reduce::Max => T::store(Num::maximum((*d).load(), s.load())),
                        Reduce::Min => T::store(Num::minimum((*d).load(), s.load())),
                    };
                }
            }
        });
    })
}

/// `masked_select`: copies the elements of `src` where `mask` is true (both laid out over the
/// same broadcast shape) to `out`, in row-major order. Returns how many it wrote.
///
/// # Safety
/// Layouts valid for their pointers; `out` holds at least the number of true mask elements.
pub unsafe fn compact(src: *const u8, isz: usize, sl: &Layout, mask: *const u8, ml: &Layout, out: *mut u8) -> usize {
    by_width!(isz, T => {
        let (src, out) = (src as *const T, out as *mut T);
        let mut k = 0usize;
        for_each_row(&sl.shape, [&sl.strides, &ml.strides], [sl.offset as isize, ml.offset as isize], |[so, mo], len, [ss, ms]| {
            for i in 0..len as isize {
                // SAFETY: within both layouts; k stays below the true count.
                unsafe {
                    let m = *mask.offset(mo + i * ms) != 0;
                    *out.add(k) = *src.offset(so + i * ss);
                    k += m as usize;
                }
            }
        });
        k
    })
}

/// Number of true bytes in a bool layout.
///
/// # Safety
/// `mask` must be valid for every offset of `ml`.
pub unsafe fn count_true(mask: *const u8, ml: &Layout) -> usize {
    let mut n = 0usize;
    for_each_row(&ml.shape, [&ml.strides], [ml.offset as isize], |[o], len, [s]| {
        for i in 0..len as isize {
            // SAFETY: within the layout.
            n += (unsafe { *mask.offset(o + i * s) } != 0) as usize;
        }
    });
    n
}

/// `masked_scatter_`: writes consecutive `source` elements (contiguous) where `mask` is true.
///
/// # Safety
/// Layouts valid; `source` holds at least the number of true mask elements.
pub unsafe fn masked_scatter(dst: *mut u8, isz: usize, dl: &Layout, mask: *const u8, ml: &Layout, source: *const u8) {
    by_width!(isz, T => {
        let (dst, source) = (dst as *mut T, source as *const T);
        let mut k = 0usize;
        for_each_row(&dl.shape, [&dl.strides, &ml.strides], [dl.offset as isize, ml.offset as isize], |[d0, mo], len, [ds, ms]| {
            for i in 0..len as isize {
                // SAFETY: within both layouts; k stays below the true count.
                unsafe {
                    if *mask.offset(mo + i * ms) != 0 {
                        *dst.offset(d0 + i * ds) = *source.add(k);
                        k += 1;
                    }
                }
            }
        });
    })
}

/// Divides each `dst` element under `l` by the matching count (contiguous i64), for mean reductions;
/// integers divide with floor as torch does. Counts of zero leave the element alone.
///
/// # Safety
/// `dst` valid for `l`; `counts` holds numel(l) elements.
pub unsafe fn divide_by_counts(dst: *mut u8, dt: DType, l: &Layout, counts: &[i64]) {
    dispatch!(dt, T => {
        let dst = dst as *mut T;
        let offs = block_offsets(&l.shape, &l.strides, l.offset as isize);
        for (&o, &c) in offs.iter().zip(counts) {
            if c > 0 {
                // SAFETY: o is within the layout.
                unsafe {
                    let d = dst.offset(o);
                    let cm = <T as Stored>::M::from_pivot(Pivot::I(c));
                    *d = if T::DTYPE.is_floating_point() || T::DTYPE.is_complex() {
                        T::store((*d).load().div(cm))
                    } else {
                        T::store((*d).load().floor_div(cm))
                    };
                }
            }
        }
    })
}
