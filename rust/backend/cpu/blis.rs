//! Packed, cache-blocked float32/float64 matrix products for x86-64 with AVX2 and FMA, laid out as
//! BLIS lays them out: B is packed into KC×NR slivers (one stays in L1 while it is used), A into
//! MR×KC slivers of an MC×KC block (which stays in L2), and an MR×NR tile of C lives in twelve
//! vector registers while the FMAs run over KC.
//!
//! Parallel products pack each KC×NC panel of B once, shared by all threads, then hand out
//! (row block of A × column range of B) work items; each item packs its own A block. Row blocks
//! are sized so the items divide evenly among the threads.
//!
//! Every function here is a raw-pointer kernel whose contract is stated once on `gemm`; the
//! module allows unsafe operations in its unsafe functions instead of wrapping each load.
#![allow(unsafe_op_in_unsafe_fn)]
use std::arch::x86_64::*;
use std::cell::RefCell;
use std::sync::OnceLock;

use super::gemm::Mat;
use super::parallel::{num_threads, run_chunks};

/// Whether this CPU runs the kernels here (checked once).
pub fn available() -> bool {
    static OK: OnceLock<bool> = OnceLock::new();
    *OK.get_or_init(|| is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma"))
}

/// Below this many multiply-adds a product runs on the calling thread.
const PAR_WORK: usize = 128 * 128 * 64;

/// 64-byte aligned scratch, reused by each thread across calls.
#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

thread_local! {
    static PACK_A: RefCell<Vec<Line>> = const { RefCell::new(Vec::new()) };
    static PACK_B: RefCell<Vec<Line>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with a scratch buffer of at least `bytes` bytes taken from `slot` (put back after, so
/// a re-entrant call just allocates its own).
fn with_scratch<R>(slot: &'static std::thread::LocalKey<RefCell<Vec<Line>>>, bytes: usize, f: impl FnOnce(*mut u8) -> R) -> R {
    let mut buf = slot.with(|c| std::mem::take(&mut *c.borrow_mut()));
    let lines = bytes.div_ceil(64);
    if buf.len() < lines {
        buf = vec![Line([0; 64]); lines];
    }
    let r = f(buf.as_mut_ptr() as *mut u8);
    slot.with(|c| *c.borrow_mut() = buf);
    r
}

/// Raw pointers shared by the work items of one product; each item writes a disjoint block of C.
#[derive(Clone, Copy)]
struct Shared<T> {
    c: *mut T,
    a: *const T,
    b: *const T,
    pb: *mut T,
}
// SAFETY: items read a, b and the packed panel, and write disjoint tiles of c (see `gemm`).
unsafe impl<T> Sync for Shared<T> {}
unsafe impl<T> Send for Shared<T> {}

macro_rules! blis {
    ($modname:ident, $t:ty, $v:ty, $lanes:expr, $mc:expr, $nc:expr,
     $zero:ident, $load:ident, $store:ident, $set1:ident, $fma:ident, $mul:ident, $add:ident) => {
        pub mod $modname {
            use super::*;

            const MR: usize = 6;
            const NV: usize = 2;
            const NR: usize = NV * $lanes;
            // Cache blocks, picked by measurement on a 2-core Zen (32 KB L1d, 512 KB L2 per
            // core): smaller row blocks than BLIS's defaults give two threads more even work.
            const MC: usize = $mc;
            const KC: usize = 256;
            const NC: usize = $nc;

            /// `C[..mr, ..nr] = beta * C + alpha * (packed A sliver @ packed B sliver)`, where
            /// `beta = None` writes without reading C.
            #[target_feature(enable = "avx2,fma")]
            unsafe fn kernel(
                kc: usize,
                pa: *const $t,
                pb: *const $t,
                c: *mut $t,
                rs: isize,
                cs: isize,
                mr: usize,
                nr: usize,
                alpha: $t,
                beta: Option<$t>,
            ) {
                // C's rows are far apart in memory; fetching them now hides their latency behind
                // the FMAs (the hardware prefetcher does not follow that stride).
                for i in 0..mr {
                    let q = c.offset(i as isize * rs) as *const i8;
                    _mm_prefetch::<_MM_HINT_T0>(q);
                    _mm_prefetch::<_MM_HINT_T0>(q.offset(((nr - 1) as isize * cs) * std::mem::size_of::<$t>() as isize));
                }
                let mut acc = [[$zero(); NV]; MR];
                let (mut a, mut b) = (pa, pb);
                macro_rules! step {
                    ($o:expr) => {{
                        let mut bv = [$zero(); NV];
                        for j in 0..NV {
                            bv[j] = $load(b.add($o * NR + j * $lanes));
                        }
                        for i in 0..MR {
                            let ai = $set1(*a.add($o * MR + i));
                            for j in 0..NV {
                                acc[i][j] = $fma(ai, bv[j], acc[i][j]);
                            }
                        }
                    }};
                }
                for _ in 0..kc / 4 {
                    step!(0);
                    step!(1);
                    step!(2);
                    step!(3);
                    a = a.add(4 * MR);
                    b = b.add(4 * NR);
                }
                for _ in 0..kc % 4 {
                    step!(0);
                    a = a.add(MR);
                    b = b.add(NR);
                }
                if alpha != 1.0 {
                    let av = $set1(alpha);
                    for row in acc.iter_mut() {
                        for x in row.iter_mut() {
                            *x = $mul(*x, av);
                        }
                    }
                }
                if mr == MR && nr == NR && cs == 1 {
                    for (i, row) in acc.iter().enumerate() {
                        let p = c.offset(i as isize * rs);
                        for (j, &x) in row.iter().enumerate() {
                            let q = p.add(j * $lanes);
                            let r = match beta {
                                None => x,
                                Some(bt) if bt == 1.0 => $add($load(q), x),
                                Some(bt) => $add($mul($load(q), $set1(bt)), x),
                            };
                            $store(q, r);
                        }
                    }
                } else {
                    let mut tmp = [0.0 as $t; MR * NR];
                    for (i, row) in acc.iter().enumerate() {
                        for (j, &x) in row.iter().enumerate() {
                            $store(tmp.as_mut_ptr().add(i * NR + j * $lanes), x);
                        }
                    }
                    for i in 0..mr {
                        for j in 0..nr {
                            let q = c.offset(i as isize * rs + j as isize * cs);
                            let x = tmp[i * NR + j];
                            *q = match beta {
                                None => x,
                                Some(bt) if bt == 1.0 => *q + x,
                                Some(bt) => *q * bt + x,
                            };
                        }
                    }
                }
            }

            /// Packs rows `0..mc`, columns `0..kc` of `a` into MR-row slivers, zero-padded.
            #[inline(always)]
            unsafe fn pack_a(a: *const $t, rs: isize, cs: isize, mc: usize, kc: usize, pa: *mut $t) {
                unsafe { pack::<MR>(a, rs, cs, mc, kc, 0, mc.div_ceil(MR), pa) }
            }

            /// Packs slivers `s0..s1` (NR columns each) of the kc×nc block `b` into `pb`.
            #[inline(always)]
            unsafe fn pack_b(b: *const $t, rs: isize, cs: isize, nc: usize, kc: usize, s0: usize, s1: usize, pb: *mut $t) {
                unsafe { pack::<NR>(b, cs, rs, nc, kc, s0, s1, pb) }
            }

            /// Packs slivers `s0..s1` of W lines each into `dst`, interleaved line by line: line l
            /// starts at `src + l * across` and its `kc` elements are `step` apart; lines past
            /// `len` are zeros. A's rows (MR) and B's columns (NR) are both such lines.
            #[allow(clippy::too_many_arguments)]
            unsafe fn pack<const W: usize>(src: *const $t, across: isize, step: isize, len: usize, kc: usize, s0: usize, s1: usize, dst: *mut $t) {
                for s in s0..s1 {
                    let lines = W.min(len - s * W);
                    let d = dst.add(s * W * kc);
                    let first = src.offset((s * W) as isize * across);
                    if lines == W && across == 1 {
                        for p in 0..kc {
                            std::ptr::copy_nonoverlapping(first.offset(p as isize * step), d.add(p * W), W);
                        }
                        continue;
                    }
                    for l in 0..W {
                        if l < lines {
                            let line = first.offset(l as isize * across);
                            for p in 0..kc {
                                *d.add(p * W + l) = *line.offset(p as isize * step);
                            }
                        } else {
                            for p in 0..kc {
                                *d.add(p * W + l) = 0.0;
                            }
                        }
                    }
                }
            }

            /// One work item: rows `i0..i0+mc` of C against B slivers `s0..s1` of the packed panel.
            #[allow(clippy::too_many_arguments)]
            unsafe fn item(
                sh: Shared<$t>,
                (drs, dcs): (isize, isize),
                (ars, acs): (isize, isize),
                (i0, mc): (usize, usize),
                (j0, nc): (usize, usize),
                (p0, kc): (usize, usize),
                (s0, s1): (usize, usize),
                alpha: $t,
                beta: Option<$t>,
            ) {
                let bytes = mc.div_ceil(MR) * MR * kc * std::mem::size_of::<$t>();
                with_scratch(&PACK_A, bytes, |pa| {
                    let pa = pa as *mut $t;
                    let ablk = sh.a.offset(i0 as isize * ars + p0 as isize * acs);
                    pack_a(ablk, ars, acs, mc, kc, pa);
                    for s in s0..s1 {
                        let nr = NR.min(nc - s * NR);
                        let pbs = sh.pb.add(s * NR * kc);
                        for r in 0..mc.div_ceil(MR) {
                            let mr = MR.min(mc - r * MR);
                            let cp = sh.c.offset((i0 + r * MR) as isize * drs + (j0 + s * NR) as isize * dcs);
                            kernel(kc, pa.add(r * MR * kc), pbs, cp, drs, dcs, mr, nr, alpha, beta);
                        }
                    }
                });
            }

            /// `d = beta * d + alpha * a @ b` (m×k by k×n, any strides; `beta = None` never reads
            /// d). `parallel` lets large products use the pool.
            ///
            /// # Safety
            /// Every operand must address valid elements for its shape and strides, d must not
            /// overlap a or b, and distinct (i, j) of d must be distinct elements.
            #[allow(clippy::too_many_arguments)]
            pub unsafe fn gemm(m: usize, n: usize, k: usize, d: Mat, a: Mat, b: Mat, alpha: $t, beta: Option<$t>, parallel: bool) {
                debug_assert!(available() && k > 0);
                let threads = if parallel && m * n * k >= PAR_WORK { num_threads() } else { 1 };
                // Even row blocks: a multiple of `threads` of them, each at most MC rows.
                let mut mblocks = m.div_ceil(MC).div_ceil(threads) * threads;
                let mc = m.div_ceil(mblocks).div_ceil(MR) * MR;
                mblocks = m.div_ceil(mc);
                let (ds, as_) = ((d.rs, d.cs), (a.rs, a.cs));
                let kblocks = k.div_ceil(KC);
                let kc_even = k.div_ceil(kblocks);
                let nc_max = NC.min(n.div_ceil(NR) * NR);
                let (cp, ap, bp) = (sh_ptr(d.ptr), sh_ptr(a.ptr), sh_ptr(b.ptr));
                let pbytes = nc_max * kc_even * std::mem::size_of::<$t>();
                with_scratch(&PACK_B, pbytes, |pb| {
                    let sh = Shared::<$t> { c: cp, a: ap, b: bp, pb: pb as *mut $t };
                    let mut j0 = 0;
                    while j0 < n {
                        let nc = nc_max.min(n - j0);
                        let slivers = nc.div_ceil(NR);
                        // Column groups per row block, so that there are enough items to share.
                        let ngroups = if mblocks >= threads { 1 } else { (2 * threads).div_ceil(mblocks).min(slivers) };
                        let per_group = slivers.div_ceil(ngroups);
                        let mut p0 = 0;
                        while p0 < k {
                            let kc = kc_even.min(k - p0);
                            let bblk = sh.b.offset(p0 as isize * b.rs + j0 as isize * b.cs);
                            let bt = if p0 == 0 { beta } else { Some(1.0) };
                            if threads == 1 {
                                pack_b(bblk, b.rs, b.cs, nc, kc, 0, slivers, sh.pb);
                                for r in 0..mblocks {
                                    let i0 = r * mc;
                                    item(sh, ds, as_, (i0, mc.min(m - i0)), (j0, nc), (p0, kc), (0, slivers), alpha, bt);
                                }
                            } else {
                                let per = slivers.div_ceil(threads * 2);
                                let bb = Shared::<$t> { b: bblk, ..sh };
                                let (brs, bcs) = (b.rs, b.cs);
                                run_chunks(slivers.div_ceil(per), |c| {
                                    let bb = bb;
                                    // SAFETY: each chunk packs its own slivers of the shared panel.
                                    unsafe { pack_b(bb.b, brs, bcs, nc, kc, c * per, ((c + 1) * per).min(slivers), bb.pb) }
                                });
                                run_chunks(mblocks * ngroups, |w| {
                                    let (r, g) = (w / ngroups, w % ngroups);
                                    let i0 = r * mc;
                                    let s0 = g * per_group;
                                    let s1 = ((g + 1) * per_group).min(slivers);
                                    if s0 < s1 {
                                        // SAFETY: items write disjoint (row block, column range) tiles.
                                        unsafe {
                                            item(sh, ds, as_, (i0, mc.min(m - i0)), (j0, nc), (p0, kc), (s0, s1), alpha, bt)
                                        }
                                    }
                                });
                            }
                            p0 += kc;
                        }
                        j0 += nc;
                    }
                });
            }

            fn sh_ptr(p: *mut u8) -> *mut $t {
                p as *mut $t
            }
        }
    };
}

blis!(f32k, f32, __m256, 8, 96, 4080, _mm256_setzero_ps, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_set1_ps,
    _mm256_fmadd_ps, _mm256_mul_ps, _mm256_add_ps);
blis!(f64k, f64, __m256d, 4, 48, 4080, _mm256_setzero_pd, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_set1_pd,
    _mm256_fmadd_pd, _mm256_mul_pd, _mm256_add_pd);
