//! Generic unary and binary elementwise kernels over strided operands. The op front end has
//! already broadcast the layouts to the output shape and chosen the element types.
use crate::element::Element;
use crate::layout::Layout;

use super::parallel::par_for_each_row;
use super::vmath::{Isa, isa};

/// A raw pointer that may cross into pool threads; each thread touches disjoint elements.
#[derive(Clone, Copy)]
pub struct SendPtr<T>(pub *mut T);
// SAFETY: kernels partition the output so no two threads write the same element, and inputs are
// only read.
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}

/// `out[i] = f(a[i])`.
///
/// # Safety
/// Pointers must be valid for every offset their layouts reach; `lo.shape == la.shape`.
pub unsafe fn unary<A: Element, O: Element>(a: *const A, la: &Layout, out: *mut O, lo: &Layout, f: impl Fn(A) -> O + Sync) {
    let (pa, po) = (SendPtr(a as *mut A), SendPtr(out));
    par_for_each_row(
        &lo.shape,
        [&la.strides, &lo.strides],
        [la.offset as isize, lo.offset as isize],
        |[oa, oo], n, [sa, so]| {
            let (pa, po) = (pa, po);
            // SAFETY: offsets come from the caller's layouts.
            unsafe {
                let (a, o) = (pa.0.offset(oa) as *const A, po.0.offset(oo));
                if sa == 1 && so == 1 {
                    for i in 0..n {
                        *o.add(i) = f(*a.add(i));
                    }
                } else {
                    for i in 0..n as isize {
                        *o.offset(i * so) = f(*a.offset(i * sa));
                    }
                }
            }
        },
    );
}

/// `out[i] = f(a[i], b[i])`, with fast inner loops for contiguous and scalar-broadcast rows.
///
/// # Safety
/// Pointers must be valid for every offset their layouts reach; all shapes equal `lo.shape`.
pub unsafe fn binary<A: Element, B: Element, O: Element>(
    a: *const A,
    la: &Layout,
    b: *const B,
    lb: &Layout,
    out: *mut O,
    lo: &Layout,
    f: impl Fn(A, B) -> O + Sync,
) {
    // SAFETY: forwarded from the caller.
    unsafe { binary_on(Isa::Generic, a, la, b, lb, out, lo, f) }
}

/// `binary` with its rows compiled for AVX-512F or AVX2+FMA when the CPU has them, so that a
/// closure calling `Num::fma` gets one hardware fused multiply-add per element. (The baseline
/// build calls libm's `fma`: the same bits, more slowly.)
///
/// # Safety
/// As for `binary`.
pub unsafe fn binary_fma<A: Element, B: Element, O: Element>(
    a: *const A,
    la: &Layout,
    b: *const B,
    lb: &Layout,
    out: *mut O,
    lo: &Layout,
    f: impl Fn(A, B) -> O + Sync,
) {
    // SAFETY: forwarded from the caller.
    unsafe { binary_on(isa(), a, la, b, lb, out, lo, f) }
}

#[allow(clippy::too_many_arguments)]
unsafe fn binary_on<A: Element, B: Element, O: Element, F: Fn(A, B) -> O + Sync>(
    isa: Isa,
    a: *const A,
    la: &Layout,
    b: *const B,
    lb: &Layout,
    out: *mut O,
    lo: &Layout,
    f: F,
) {
    let (pa, pb, po) = (SendPtr(a as *mut A), SendPtr(b as *mut B), SendPtr(out));
    par_for_each_row(
        &lo.shape,
        [&la.strides, &lb.strides, &lo.strides],
        [la.offset as isize, lb.offset as isize, lo.offset as isize],
        |[oa, ob, oo], n, [sa, sb, so]| {
            let (pa, pb, po) = (pa, pb, po);
            // SAFETY: offsets come from the caller's layouts.
            unsafe {
                let (a, b, o) = (pa.0.offset(oa) as *const A, pb.0.offset(ob) as *const B, po.0.offset(oo));
                match isa {
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx512 => binary_row_512(a, b, o, n, sa, sb, so, &f),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 => binary_row_256(a, b, o, n, sa, sb, so, &f),
                    _ => binary_row(a, b, o, n, sa, sb, so, &f),
                }
            }
        },
    );
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn binary_row<A: Element, B: Element, O: Element, F: Fn(A, B) -> O>(
    a: *const A,
    b: *const B,
    o: *mut O,
    n: usize,
    sa: isize,
    sb: isize,
    so: isize,
    f: &F,
) {
    // SAFETY: the caller's row is in bounds for n elements at these strides.
    unsafe {
        match (sa, sb, so) {
            (1, 1, 1) => {
                for i in 0..n {
                    *o.add(i) = f(*a.add(i), *b.add(i));
                }
            }
            (1, 0, 1) => {
                let bv = *b;
                for i in 0..n {
                    *o.add(i) = f(*a.add(i), bv);
                }
            }
            (0, 1, 1) => {
                let av = *a;
                for i in 0..n {
                    *o.add(i) = f(av, *b.add(i));
                }
            }
            _ => {
                for i in 0..n as isize {
                    *o.offset(i * so) = f(*a.offset(i * sa), *b.offset(i * sb));
                }
            }
        }
    }
}

/// `out[i] = f(a[i], b[i], c[i])` (where, lerp, addcmul, clamp with tensor bounds).
///
/// # Safety
/// As for `binary`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn ternary<A: Element, B: Element, C: Element, O: Element>(
    a: *const A,
    la: &Layout,
    b: *const B,
    lb: &Layout,
    c: *const C,
    lc: &Layout,
    out: *mut O,
    lo: &Layout,
    f: impl Fn(A, B, C) -> O + Sync,
) {
    // SAFETY: forwarded from the caller.
    unsafe { ternary_on(Isa::Generic, a, la, b, lb, c, lc, out, lo, f) }
}

/// `ternary` compiled for the widest vector ISA the CPU has (see `binary_fma`).
///
/// # Safety
/// As for `binary`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn ternary_fma<A: Element, B: Element, C: Element, O: Element>(
    a: *const A,
    la: &Layout,
    b: *const B,
    lb: &Layout,
    c: *const C,
    lc: &Layout,
    out: *mut O,
    lo: &Layout,
    f: impl Fn(A, B, C) -> O + Sync,
) {
    // SAFETY: forwarded from the caller.
    unsafe { ternary_on(isa(), a, la, b, lb, c, lc, out, lo, f) }
}

#[allow(clippy::too_many_arguments)]
unsafe fn ternary_on<A: Element, B: Element, C: Element, O: Element, F: Fn(A, B, C) -> O + Sync>(
    isa: Isa,
    a: *const A,
    la: &Layout,
    b: *const B,
    lb: &Layout,
    c: *const C,
    lc: &Layout,
    out: *mut O,
    lo: &Layout,
    f: F,
) {
    let (pa, pb, pc, po) = (SendPtr(a as *mut A), SendPtr(b as *mut B), SendPtr(c as *mut C), SendPtr(out));
    par_for_each_row(
        &lo.shape,
        [&la.strides, &lb.strides, &lc.strides, &lo.strides],
        [la.offset as isize, lb.offset as isize, lc.offset as isize, lo.offset as isize],
        |[oa, ob, oc, oo], n, [sa, sb, sc, so]| {
            let (pa, pb, pc, po) = (pa, pb, pc, po);
            // SAFETY: offsets come from the caller's layouts.
            unsafe {
                let (a, b, c, o) =
                    (pa.0.offset(oa) as *const A, pb.0.offset(ob) as *const B, pc.0.offset(oc) as *const C, po.0.offset(oo));
                match isa {
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx512 => ternary_row_512(a, b, c, o, n, sa, sb, sc, so, &f),
                    #[cfg(target_arch = "x86_64")]
                    Isa::Avx2 => ternary_row_256(a, b, c, o, n, sa, sb, sc, so, &f),
                    _ => ternary_row(a, b, c, o, n, sa, sb, sc, so, &f),
                }
            }
        },
    );
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn ternary_row<A: Element, B: Element, C: Element, O: Element, F: Fn(A, B, C) -> O>(
    a: *const A,
    b: *const B,
    c: *const C,
    o: *mut O,
    n: usize,
    sa: isize,
    sb: isize,
    sc: isize,
    so: isize,
    f: &F,
) {
    // SAFETY: the caller's row is in bounds for n elements at these strides.
    unsafe {
        // Contiguous rows, with scalar-broadcast (stride 0) operands held in registers.
        match (sa, sb, sc, so) {
            (1, 1, 1, 1) => {
                for i in 0..n {
                    *o.add(i) = f(*a.add(i), *b.add(i), *c.add(i));
                }
            }
            (1, 1, 0, 1) => {
                let cv = *c;
                for i in 0..n {
                    *o.add(i) = f(*a.add(i), *b.add(i), cv);
                }
            }
            (1, 0, 1, 1) => {
                let bv = *b;
                for i in 0..n {
                    *o.add(i) = f(*a.add(i), bv, *c.add(i));
                }
            }
            (1, 0, 0, 1) => {
                let (bv, cv) = (*b, *c);
                for i in 0..n {
                    *o.add(i) = f(*a.add(i), bv, cv);
                }
            }
            _ => {
                for i in 0..n as isize {
                    *o.offset(i * so) = f(*a.offset(i * sa), *b.offset(i * sb), *c.offset(i * sc));
                }
            }
        }
    }
}

// The rows compiled for wider ISAs. Callers pass `vmath::isa()`, which names only a variant the
// CPU supports, so the target features are present whenever these run.
macro_rules! isa_copies {
    ($row:ident => $r512:ident, $r256:ident, <$($g:ident),*>, Fn($($fa:ident),*), ($($arg:ident: $ty:ty),*)) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f")]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $r512<$($g: Element,)* F: Fn($($fa),*) -> O>($($arg: $ty,)* f: &F) {
            // SAFETY: forwarded from the caller.
            unsafe { $row($($arg,)* f) }
        }

        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        #[allow(clippy::too_many_arguments)]
        unsafe fn $r256<$($g: Element,)* F: Fn($($fa),*) -> O>($($arg: $ty,)* f: &F) {
            // SAFETY: forwarded from the caller.
            unsafe { $row($($arg,)* f) }
        }
    };
}

isa_copies!(binary_row => binary_row_512, binary_row_256, <A, B, O>, Fn(A, B),
    (a: *const A, b: *const B, o: *mut O, n: usize, sa: isize, sb: isize, so: isize));
isa_copies!(ternary_row => ternary_row_512, ternary_row_256, <A, B, C, O>, Fn(A, B, C),
    (a: *const A, b: *const B, c: *const C, o: *mut O, n: usize, sa: isize, sb: isize, sc: isize, so: isize));
