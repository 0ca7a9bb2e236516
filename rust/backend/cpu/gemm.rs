//! Matrix products on the CPU. float16/32/64 and complex64/128 go through the `gemm` crate with the
//! operands' strides passed through (no copies for transposed or sliced views); integer types use a
//! row-streaming kernel that wraps on overflow as torch does. The op front end validated everything.
use gemm::Parallelism;

use crate::dispatch;
use crate::dtype::DType;
use crate::element::{C64, C128, Element, Pivot};

use super::parallel::{num_threads, run_chunks};

/// One strided matrix operand: element strides between rows and columns.
#[derive(Clone, Copy)]
pub struct Mat {
    pub ptr: *mut u8,
    pub rs: isize,
    pub cs: isize,
}

/// `dst = beta * dst + alpha * op(a) @ b` for each batch; `beta = None` never reads dst (so NaN
/// there is ignored, as torch does for beta == 0). `conj_a` conjugates `a` (vdot).
#[derive(Clone, Copy)]
pub struct Scale {
    pub beta: Option<Pivot>,
    pub alpha: Pivot,
    pub conj_a: bool,
}

/// Below this many multiply-adds per matrix, a batch runs one matrix per task instead of
/// letting gemm split each matrix across threads.
const SMALL_MATRIX_WORK: usize = 192 * 192 * 192;

/// Runs the product for every batch; `offsets[i]` are the element offsets of (dst, a, b) of batch `i`.
///
/// # Safety
/// Every offset/stride combination must address valid elements of `dt` for the given m, n, k, and
/// dst matrices of different batches must not overlap.
pub unsafe fn batched(
    dt: DType,
    m: usize,
    n: usize,
    k: usize,
    dst: Mat,
    a: Mat,
    b: Mat,
    offsets: &[[isize; 3]],
    scale: Scale,
) {
    if m == 0 || n == 0 || offsets.is_empty() {
        return;
    }
    let threads = num_threads();
    let work = m * n * k.max(1);
    struct Send3(Mat, Mat, Mat);
    // SAFETY: the raw pointers are only used for disjoint dst matrices (caller's contract).
    unsafe impl Sync for Send3 {}
    impl Send3 {
        fn get(&self) -> (Mat, Mat, Mat) {
            (self.0, self.1, self.2)
        }
    }
    let ops = Send3(dst, a, b);
    let one = |i: usize, par: Parallelism| {
        let [od, oa, ob] = offsets[i];
        let isz = dt.itemsize() as isize;
        let at = |x: Mat, o: isize| Mat { ptr: x.ptr.wrapping_offset(o * isz), ..x };
        let (d, a, b) = ops.get();
        let (d, a, b) = (at(d, od), at(a, oa), at(b, ob));
        // SAFETY: forwarded from the caller's contract.
        unsafe { single(dt, m, n, k, d, a, b, scale, par) }
    };
    if offsets.len() > 1 && threads > 1 && work < SMALL_MATRIX_WORK {
        let per = offsets.len().div_ceil(threads * 4).max(1);
        run_chunks(offsets.len().div_ceil(per), |c| {
            for i in c * per..((c + 1) * per).min(offsets.len()) {
                one(i, Parallelism::None);
            }
        });
    } else {
        let par = if threads > 1 { Parallelism::Rayon(threads) } else { Parallelism::None };
        for i in 0..offsets.len() {
            one(i, par);
        }
    }
}

/// One product `d = beta * d + alpha * op(a) @ b` of element type `dt` (the packed kernels for
/// f32/f64 where the CPU has them, else the `gemm` crate or the integer loop).
///
/// # Safety
/// All strided operands must be in bounds for the given sizes and of element type `dt`.
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn single(dt: DType, m: usize, n: usize, k: usize, d: Mat, a: Mat, b: Mat, s: Scale, par: Parallelism) {
    macro_rules! via_gemm {
        ($t:ty) => {{
            let alpha = <$t>::from_pivot(s.alpha);
            let beta = s.beta.map(<$t>::from_pivot).unwrap_or(<$t>::zero());
            // gemm computes dst = alpha_g * dst + beta_g * lhs @ rhs.
            // SAFETY: the caller guarantees in-bounds strided operands of this element type.
            unsafe { gemm::gemm(
                m,
                n,
                k,
                d.ptr as *mut $t,
                d.cs,
                d.rs,
                s.beta.is_some(),
                a.ptr as *const $t,
                a.cs,
                a.rs,
                b.ptr as *const $t,
                b.cs,
                b.rs,
                beta,
                alpha,
                false,
                s.conj_a,
                false,
                par,
            ) }
        }};
    }
    #[cfg(target_arch = "x86_64")]
    {
        use super::blis;
        let parallel = !matches!(par, Parallelism::None);
        if matches!(dt, DType::F32 | DType::F64) && k > 0 && blis::available() {
            // SAFETY: forwarded from the caller's contract.
            unsafe {
                match dt {
                    DType::F32 => {
                        let beta = s.beta.map(f32::from_pivot);
                        blis::f32k::gemm(m, n, k, d, a, b, f32::from_pivot(s.alpha), beta, parallel)
                    }
                    _ => {
                        let beta = s.beta.map(f64::from_pivot);
                        blis::f64k::gemm(m, n, k, d, a, b, f64::from_pivot(s.alpha), beta, parallel)
                    }
                }
            }
            return;
        }
    }
    match dt {
        DType::F16 => via_gemm!(half::f16),
        DType::F32 => via_gemm!(f32),
        DType::F64 => via_gemm!(f64),
        DType::C64 => via_gemm!(C64),
        DType::C128 => via_gemm!(C128),
        DType::U8 | DType::I8 | DType::I16 | DType::I32 | DType::I64 => {
            // SAFETY: as above.
            dispatch!(dt, T => unsafe { int_gemm::<T>(m, n, k, d, a, b, s) })
        }
        // bfloat16 is computed in float32 by the front end; bool and complex32 are rejected there.
        _ => {}
    }
}

/// Integer product: each output row accumulates in i64 with wrapping arithmetic, which equals
/// torch's wrap-around in the narrow type (the low bits do not depend on the order of the sum).
unsafe fn int_gemm<T: Element>(m: usize, n: usize, k: usize, d: Mat, a: Mat, b: Mat, s: Scale) {
    let ld = |p: *const u8, off: isize| -> i64 {
        // SAFETY: the caller passes in-bounds offsets.
        let v: T = unsafe { *(p as *const T).offset(off) };
        match v.to_pivot() {
            Pivot::I(i) => i,
            _ => 0,
        }
    };
    let alpha = as_i64(s.alpha);
    let beta = s.beta.map(as_i64);
    let mut acc = vec![0i64; n];
    let mut brow = vec![0i64; n];
    let b_rows_contig = b.cs == 1;
    for i in 0..m as isize {
        acc.iter_mut().for_each(|x| *x = 0);
        for p in 0..k as isize {
            let x = ld(a.ptr, i * a.rs + p * a.cs);
            if x == 0 {
                continue;
            }
            let base = p * b.rs;
            if b_rows_contig {
                // SAFETY: row p of b has n contiguous elements.
                let row = unsafe { std::slice::from_raw_parts((b.ptr as *const T).offset(base), n) };
                for (o, v) in acc.iter_mut().zip(row) {
                    *o = o.wrapping_add(x.wrapping_mul(as_i64(v.to_pivot())));
                }
            } else {
                for (j, v) in brow.iter_mut().enumerate() {
                    *v = ld(b.ptr, base + j as isize * b.cs);
                }
                for (o, v) in acc.iter_mut().zip(&brow) {
                    *o = o.wrapping_add(x.wrapping_mul(*v));
                }
            }
        }
        for (j, v) in acc.iter().enumerate() {
            let off = i * d.rs + j as isize * d.cs;
            let mut r = v.wrapping_mul(alpha);
            if let Some(bt) = beta {
                r = r.wrapping_add(ld(d.ptr, off).wrapping_mul(bt));
            }
            // SAFETY: in-bounds destination element.
            unsafe { *(d.ptr as *mut T).offset(off) = T::from_pivot(Pivot::I(r)) };
        }
    }
}

#[inline(always)]
fn as_i64(p: Pivot) -> i64 {
    match p {
        Pivot::I(i) => i,
        Pivot::B(b) => b as i64,
        Pivot::F(f) | Pivot::C(f, _) => f as i64,
    }
}
