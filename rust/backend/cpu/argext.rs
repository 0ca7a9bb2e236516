//! Explicit AVX2 `argmax`/`argmin` of float32 and float64 rows (the compiler does not vectorise
//! the generic lane loop's two selects well). Four vector accumulators each keep, per lane, the
//! best value seen and the first position it was seen at; a strict comparison keeps the earlier
//! position on ties (and treats -0 and +0 as equal, as torch does). NaNs are only detected here:
//! a row holding one falls back to a scalar scan for its first NaN, which wins.
#![allow(unsafe_op_in_unsafe_fn)]

use std::arch::x86_64::*;

/// Rows shorter than this, or longer than an i32 lane position allows, take the generic path.
const MIN_LEN: usize = 64;

macro_rules! argext {
    ($name:ident, $t:ty, $v:ty, $lanes:expr, $load:ident, $cmp:ident, $blend:ident, $or:ident, $mask:ident,
     $idx:ty, $iset:ident, $iadd:ident, $iset1:ident, $icast:ident, $iback:ident) => {
        /// The first index of the max (`MAX`) or min of `r`, or `None` to use the generic path. A
        /// NaN, if any, wins at its first position.
        ///
        /// # Safety
        /// The CPU must support AVX2.
        #[target_feature(enable = "avx2,fma")]
        pub unsafe fn $name<const MAX: bool>(r: &[$t]) -> Option<usize> {
            const Q: usize = 4;
            const STEP: usize = Q * $lanes;
            let n = r.len();
            if n < MIN_LEN || n > i32::MAX as usize {
                return None;
            }
            let p = r.as_ptr();
            let mut mv: [$v; Q] = [$load(p); Q];
            let mut iv: [$idx; Q] = [$iset1(0); Q];
            let mut cur: [$idx; Q] = [$iset1(0); Q];
            let mut nan = $cmp::<_CMP_UNORD_Q>(mv[0], mv[0]);
            for q in 0..Q {
                mv[q] = $load(p.add(q * $lanes));
                iv[q] = $iset((q * $lanes) as i64);
                cur[q] = iv[q];
                nan = $or(nan, $cmp::<_CMP_UNORD_Q>(mv[q], mv[q]));
            }
            let step = $iset1(STEP as i64);
            let full = n / STEP * STEP;
            let mut i = STEP;
            while i < full {
                for q in 0..Q {
                    cur[q] = $iadd(cur[q], step);
                    let x = $load(p.add(i + q * $lanes));
                    nan = $or(nan, $cmp::<_CMP_UNORD_Q>(x, x));
                    let better = if MAX { $cmp::<_CMP_GT_OQ>(x, mv[q]) } else { $cmp::<_CMP_LT_OQ>(x, mv[q]) };
                    mv[q] = $blend(mv[q], x, better);
                    iv[q] = $iback($blend($icast(iv[q]), $icast(cur[q]), better));
                }
                i += STEP;
            }
            if $mask(nan) != 0 || r[full..].iter().any(|v| v.is_nan()) {
                let at = r.iter().position(|v| v.is_nan()).unwrap_or(0);
                return Some(at);
            }
            let mut vals = [0.0 as $t; STEP];
            let mut idxs = [0i64; STEP];
            for q in 0..Q {
                let vs: [$t; $lanes] = std::mem::transmute(mv[q]);
                let is: [<$t as LaneIdx>::I; $lanes] = std::mem::transmute(iv[q]);
                for l in 0..$lanes {
                    vals[q * $lanes + l] = vs[l];
                    idxs[q * $lanes + l] = is[l].into();
                }
            }
            let (mut bv, mut bi) = (vals[0], idxs[0]);
            for j in 1..STEP {
                let (v, ix) = (vals[j], idxs[j]);
                let better = if MAX { v > bv } else { v < bv };
                if better || (v == bv && ix < bi) {
                    bv = v;
                    bi = ix;
                }
            }
            let mut bi = bi as usize;
            for (j, &v) in r.iter().enumerate().skip(full) {
                if if MAX { v > bv } else { v < bv } {
                    bv = v;
                    bi = j;
                }
            }
            Some(bi)
        }
    };
}

/// The integer lane type that sits beside each value lane.
trait LaneIdx {
    type I: Copy + Into<i64>;
}
impl LaneIdx for f32 {
    type I = i32;
}
impl LaneIdx for f64 {
    type I = i64;
}

#[inline(always)]
unsafe fn set_f32_idx(base: i64) -> __m256i {
    let b = base as i32;
    _mm256_setr_epi32(b, b + 1, b + 2, b + 3, b + 4, b + 5, b + 6, b + 7)
}
#[inline(always)]
unsafe fn set1_i32(v: i64) -> __m256i {
    _mm256_set1_epi32(v as i32)
}
#[inline(always)]
unsafe fn set_f64_idx(base: i64) -> __m256i {
    _mm256_setr_epi64x(base, base + 1, base + 2, base + 3)
}

argext!(arg_f32, f32, __m256, 8, _mm256_loadu_ps, _mm256_cmp_ps, _mm256_blendv_ps, _mm256_or_ps, _mm256_movemask_ps,
    __m256i, set_f32_idx, _mm256_add_epi32, set1_i32, _mm256_castsi256_ps, _mm256_castps_si256);
argext!(arg_f64, f64, __m256d, 4, _mm256_loadu_pd, _mm256_cmp_pd, _mm256_blendv_pd, _mm256_or_pd, _mm256_movemask_pd,
    __m256i, set_f64_idx, _mm256_add_epi64, _mm256_set1_epi64x, _mm256_castsi256_pd, _mm256_castpd_si256);
