//! Unblocked LAPACK-style kernels for small matrices (at most `SMALL` rows and columns): LU with
//! partial pivoting (getf2) and its solve (getrs), Cholesky (potf2), Householder QR (geqr2 +
//! org2r). Each matrix is factored in place in its column-major output (or one per-thread
//! scratch buffer), with the batch split across rayon's pool and no per-matrix allocation. The
//! operation order follows the reference LAPACK routines, so exact-zero pivots, the partial
//! factors left on failure and the inf/nan pattern of singular solves come out as torch's.
use std::ops::{Add, Div, Mul, Neg, Sub};

use num_complex::Complex;
use num_traits::{Float, NumCast, ToPrimitive, Zero};
use rayon::prelude::*;

use super::{Mats, Out, OutVec};

/// Matrices with both sizes at most this take the unblocked kernels.
pub const SMALL: usize = 32;

/// The arithmetic the small kernels need, on f32/f64 and their complex types.
pub trait Lk:
    Copy
    + Send
    + Sync
    + 'static
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
{
    type R: Float + Send + Sync + 'static;
    fn zero() -> Self;
    fn one() -> Self;
    fn re(self) -> Self::R;
    fn im(self) -> Self::R;
    fn from_re(r: Self::R) -> Self;
    fn from_parts(re: Self::R, im: Self::R) -> Self;
    fn conj(self) -> Self;
    /// |re| + |im| (LAPACK's i?amax measure).
    fn abs1(self) -> Self::R;
    fn abs2(self) -> Self::R;
    fn scale(self, r: Self::R) -> Self;
    /// 1 / self, overflow-safe for complex numbers (Smith's method).
    fn recip(self) -> Self;
    /// self / d, Smith's method for complex numbers.
    fn quot(self, d: Self) -> Self;
}

macro_rules! real_lk {
    ($t:ty) => {
        impl Lk for $t {
            type R = $t;
            #[inline(always)]
            fn zero() -> Self {
                0.0
            }
            #[inline(always)]
            fn one() -> Self {
                1.0
            }
            #[inline(always)]
            fn re(self) -> $t {
                self
            }
            #[inline(always)]
            fn im(self) -> $t {
                0.0
            }
            #[inline(always)]
            fn from_re(r: $t) -> Self {
                r
            }
            #[inline(always)]
            fn from_parts(re: $t, _im: $t) -> Self {
                re
            }
            #[inline(always)]
            fn conj(self) -> Self {
                self
            }
            #[inline(always)]
            fn abs1(self) -> $t {
                self.abs()
            }
            #[inline(always)]
            fn abs2(self) -> $t {
                self * self
            }
            #[inline(always)]
            fn scale(self, r: $t) -> Self {
                self * r
            }
            #[inline(always)]
            fn recip(self) -> Self {
                1.0 / self
            }
            #[inline(always)]
            fn quot(self, d: Self) -> Self {
                self / d
            }
        }
    };
}
real_lk!(f32);
real_lk!(f64);

macro_rules! complex_lk {
    ($r:ty) => {
        impl Lk for Complex<$r> {
            type R = $r;
            #[inline(always)]
            fn zero() -> Self {
                Complex::new(0.0, 0.0)
            }
            #[inline(always)]
            fn one() -> Self {
                Complex::new(1.0, 0.0)
            }
            #[inline(always)]
            fn re(self) -> $r {
                self.re
            }
            #[inline(always)]
            fn im(self) -> $r {
                self.im
            }
            #[inline(always)]
            fn from_re(r: $r) -> Self {
                Complex::new(r, 0.0)
            }
            #[inline(always)]
            fn from_parts(re: $r, im: $r) -> Self {
                Complex::new(re, im)
            }
            #[inline(always)]
            fn conj(self) -> Self {
                Complex::new(self.re, -self.im)
            }
            #[inline(always)]
            fn abs1(self) -> $r {
                self.re.abs() + self.im.abs()
            }
            #[inline(always)]
            fn abs2(self) -> $r {
                self.re * self.re + self.im * self.im
            }
            #[inline(always)]
            fn scale(self, r: $r) -> Self {
                Complex::new(self.re * r, self.im * r)
            }
            #[inline(always)]
            fn recip(self) -> Self {
                Self::one().quot(self)
            }
            #[inline(always)]
            fn quot(self, d: Self) -> Self {
                let (a, b, c, e) = (self.re, self.im, d.re, d.im);
                if c.abs() >= e.abs() {
                    if c == 0.0 && e == 0.0 {
                        // As MKL's ztrsm (torch's singular solves): nan in both parts, not
                        // C99's inf.
                        return Complex::new(<$r>::NAN, <$r>::NAN);
                    }
                    let r = e / c;
                    let den = c + e * r;
                    Complex::new((a + b * r) / den, (b - a * r) / den)
                } else {
                    let r = c / e;
                    let den = c * r + e;
                    Complex::new((a * r + b) / den, (b * r - a) / den)
                }
            }
        }
    };
}
complex_lk!(f32);
complex_lk!(f64);

/// Runs `f(scratch, b)` for every matrix `b`, across rayon's pool when the batch has enough
/// work (`per` ~ flops per matrix), with one scratch state per rayon job.
pub(super) fn batch<S>(nb: usize, per: usize, init: impl Fn() -> S + Sync + Send, f: impl Fn(&mut S, usize) + Sync + Send) {
    if nb > 1 && nb.saturating_mul(per) >= 1 << 15 {
        let min_len = ((1usize << 13) / per.max(1)).max(1);
        (0..nb).into_par_iter().with_min_len(min_len).for_each_init(init, f);
    } else {
        let mut s = init();
        (0..nb).for_each(|b| f(&mut s, b));
    }
}

/// Copies matrix `b` of `g` (or its conjugate transpose when `adj`) into the column-major `dst`.
///
/// # Safety
/// `T` is the tensor's element type; `dst` holds `m * n` elements (`n * m` when `adj`).
#[inline]
unsafe fn load<T: Lk>(g: &Mats, b: usize, dst: &mut [T], adj: bool) {
    let (m, n) = (g.m, g.n);
    if m == 0 || n == 0 {
        return;
    }
    let p = (g.base as *const T).wrapping_offset(g.offs[b]);
    if !adj {
        for j in 0..n {
            for i in 0..m {
                dst[i + j * m] = unsafe { *p.offset(i as isize * g.rs + j as isize * g.cs) };
            }
        }
    } else {
        for j in 0..n {
            for i in 0..m {
                dst[j + i * n] = unsafe { *p.offset(i as isize * g.rs + j as isize * g.cs) }.conj();
            }
        }
    }
}

/// The column-major slice of output matrix `b`.
///
/// # Safety
/// As `Out::get`: the element type is `T`, `o` is column-major, and threads touch disjoint `b`s.
#[inline]
unsafe fn out_slice<'a, T>(o: &Out, b: usize) -> &'a mut [T] {
    let len = o.r * o.c;
    if len == 0 {
        return &mut [];
    }
    unsafe { std::slice::from_raw_parts_mut((o.ptr as *mut T).add(b * len), len) }
}

// ----------------------------------------------------------------------------------------------
// LU

/// getf2: LU with partial pivoting of the column-major m x n `a` in place; LAPACK's 1-based
/// pivots in `piv` (min(m, n) of them); returns info (first exactly zero pivot, 1-based).
pub(super) fn getf2<T: Lk>(a: &mut [T], m: usize, n: usize, piv: &mut [i32]) -> i32 {
    assert!(a.len() >= m * n);
    // SAFETY: `a` holds the m x n column-major matrix with leading dimension m.
    unsafe { getf2_raw(a.as_mut_ptr(), m, m, n, piv) }
}

/// getf2 on the m x n matrix at `a` with column stride `ld` (>= m), row stride 1.
///
/// # Safety
/// `a` points to such a matrix that nothing else accesses during the call.
pub(super) unsafe fn getf2_raw<T: Lk>(a: *mut T, ld: usize, m: usize, n: usize, piv: &mut [i32]) -> i32 {
    let k = m.min(n);
    let mut info = 0;
    let sfmin = T::R::min_positive_value();
    // Column j; different columns never overlap (ld >= m).
    let col = |j: usize| unsafe { std::slice::from_raw_parts_mut(a.add(j * ld), m) };
    for j in 0..k {
        let (p, nonzero) = {
            let cj = col(j);
            let mut p = j;
            let mut best = cj[j].abs1();
            for (i, v) in cj.iter().enumerate().skip(j + 1) {
                let v = v.abs1();
                if v > best {
                    best = v;
                    p = i;
                }
            }
            (p, cj[p] != T::zero())
        };
        piv[j] = p as i32 + 1;
        if nonzero {
            if p != j {
                for c in 0..n {
                    col(c).swap(j, p);
                }
            }
            let cj = col(j);
            let d = cj[j];
            if d.abs1() >= sfmin {
                let r = d.recip();
                for v in &mut cj[j + 1..] {
                    *v = *v * r;
                }
            } else {
                for v in &mut cj[j + 1..] {
                    *v = v.quot(d);
                }
            }
        } else if info == 0 {
            info = j as i32 + 1;
        }
        if j + 1 < n {
            let x: &[T] = &col(j)[j + 1..];
            for c in j + 1..n {
                let cc = col(c);
                let u = cc[j];
                if u != T::zero() {
                    let t = -u;
                    for (y, &xv) in cc[j + 1..].iter_mut().zip(x) {
                        *y = *y + xv * t;
                    }
                }
            }
        }
    }
    info
}

/// getrs: solves A X = B in place in the column-major n x nrhs `b` from getf2's factors. Each
/// column sees the reference order of operations; the columns are interleaved step by step so
/// that their divisions and updates overlap instead of forming one serial chain.
pub(super) fn getrs<T: Lk>(lu: &[T], n: usize, piv: &[i32], b: &mut [T], nrhs: usize) {
    for c in 0..nrhs {
        let x = &mut b[c * n..c * n + n];
        for j in 0..n {
            let p = (piv[j] - 1) as usize;
            if p != j && p < n {
                x.swap(j, p);
            }
        }
    }
    // No zero-skipping (as MKL's trsm): a singular U gives LAPACK-via-MKL's inf/nan pattern.
    for k in 0..n {
        let col = &lu[k * n..k * n + n];
        for x in b.chunks_exact_mut(n).take(nrhs) {
            let t = x[k];
            for i in k + 1..n {
                x[i] = x[i] - t * col[i];
            }
        }
    }
    for k in (0..n).rev() {
        let col = &lu[k * n..k * n + n];
        for x in b.chunks_exact_mut(n).take(nrhs) {
            let t = x[k].quot(col[k]);
            x[k] = t;
            for i in 0..k {
                x[i] = x[i] - t * col[i];
            }
        }
    }
}

/// `(LU, pivots, info)` of a batch of small matrices.
pub(super) fn lu_factor<T: Lk>(g: &Mats, lu: &Out, piv: &OutVec, info: &OutVec) {
    let (m, n) = (g.m, g.n);
    batch(g.count(), m * n * m.min(n), || (), |_, b| unsafe {
        let a = out_slice::<T>(lu, b);
        load(g, b, a, false);
        info.get::<i32>(b)[0] = getf2(a, m, n, piv.get::<i32>(b));
    });
}

/// `X` with `A X = B` (B's columns `nrhs`, `b` None: the identity, giving A^-1) and info;
/// a singular A leaves LAPACK's inf/nan pattern in X.
pub(super) fn solve<T: Lk>(ga: &Mats, gb: Option<&Mats>, x: &Out, info: &OutVec) {
    let n = ga.n;
    let nrhs = x.c;
    batch(
        ga.count(),
        n * n * (n + nrhs),
        || (vec![T::zero(); n * n], vec![0i32; n]),
        |(lu, piv): &mut (Vec<T>, Vec<i32>), b: usize| unsafe {
            load(ga, b, lu, false);
            info.get::<i32>(b)[0] = getf2(lu, n, n, piv);
            let xo = out_slice::<T>(x, b);
            match gb {
                Some(gb) => load(gb, b, xo, false),
                None => {
                    xo.fill(T::zero());
                    for i in 0..n {
                        xo[i + i * n] = T::one();
                    }
                }
            }
            getrs(lu, n, piv, xo, nrhs);
        },
    );
}

/// `(sign, logabsdet, det)` of each matrix from getf2 (as `super::det`).
pub(super) fn slogdet<T: Lk>(g: &Mats, sign: &OutVec, logabs: &OutVec, det: &OutVec) {
    let n = g.n;
    batch(
        g.count(),
        n * n * n,
        || (vec![T::zero(); n * n], vec![0i32; n]),
        |(lu, piv): &mut (Vec<T>, Vec<i32>), b: usize| unsafe {
            load(g, b, lu, false);
            getf2(lu, n, n, piv);
            let swaps = piv.iter().enumerate().filter(|(i, p)| **p as usize != i + 1).count();
            let p: T = if swaps % 2 == 1 { -T::one() } else { T::one() };
            let mut s = p;
            // torch's det_P * prod(diag(U)), the product taken from 1 (an overflowing complex
            // product then turns to nan as torch's does).
            let mut d = T::one();
            let mut l = 0.0f64;
            for i in 0..n {
                let x = lu[i + i * n];
                d = d * x;
                let ax = x.re().hypot(x.im());
                let axf = ToPrimitive::to_f64(&ax).unwrap_or(f64::NAN);
                l += axf.ln();
                if axf == 0.0 || axf.is_nan() {
                    s = if axf.is_nan() { T::from_re(T::R::nan()) } else { T::zero() };
                } else if axf.is_finite() {
                    s = s * x.scale(ax.recip());
                }
            }
            if s.abs1() == T::R::zero() {
                l = f64::NEG_INFINITY;
            }
            sign.get::<T>(b)[0] = s;
            logabs.get::<T::R>(b)[0] = <T::R as NumCast>::from(l).unwrap_or(T::R::nan());
            det.get::<T>(b)[0] = p * d;
        },
    );
}

// ----------------------------------------------------------------------------------------------
// Cholesky

/// potf2 (lower): factors the lower triangle of the column-major n x n `a` in place; returns
/// info (order of the first non-positive leading minor), leaving its diagonal entry as LAPACK
/// does and the later columns untouched.
pub(super) fn potf2<T: Lk>(a: &mut [T], n: usize) -> i32 {
    for j in 0..n {
        let mut ajj = a[j + j * n].re();
        for k in 0..j {
            ajj = ajj - a[j + k * n].abs2();
        }
        if !(ajj > T::R::zero()) {
            a[j + j * n] = T::from_re(ajj);
            return j as i32 + 1;
        }
        let ajj = ajj.sqrt();
        a[j + j * n] = T::from_re(ajj);
        if j + 1 < n {
            let (left, right) = a.split_at_mut(j * n);
            let colj = &mut right[j + 1..n];
            for k in 0..j {
                let t = -left[j + k * n].conj();
                let colk = &left[k * n + j + 1..k * n + n];
                for (y, &v) in colj.iter_mut().zip(colk) {
                    *y = *y + t * v;
                }
            }
            let r = ajj.recip();
            for y in colj.iter_mut() {
                *y = y.scale(r);
            }
        }
    }
    0
}

/// `(L or U, info)` of a batch of small matrices (as `super::decomp::cholesky`).
pub(super) fn cholesky<T: Lk>(g: &Mats, upper: bool, l: &Out, info: &OutVec) {
    let n = g.n;
    batch(g.count(), n * n * n / 3 + n, || (), |_, b| unsafe {
        let a = out_slice::<T>(l, b);
        // The upper factor of A is the conjugate transpose of the lower factor of A^H.
        load(g, b, a, upper);
        info.get::<i32>(b)[0] = potf2(a, n);
        for j in 0..n {
            for i in 0..j {
                a[i + j * n] = T::zero();
            }
        }
        if upper {
            for j in 0..n {
                for i in j..n {
                    let v = a[i + j * n];
                    a[i + j * n] = T::zero();
                    a[j + i * n] = v.conj();
                }
            }
        }
    });
}

// ----------------------------------------------------------------------------------------------
// QR

fn nrm2<T: Lk>(x: &[T]) -> T::R {
    let mut s = T::R::zero();
    for v in x {
        s = s + v.abs2();
    }
    if s.is_finite() && s > T::R::min_positive_value() {
        return s.sqrt();
    }
    // Scaled against overflow / underflow.
    let mut mx = T::R::zero();
    for v in x {
        mx = mx.max(v.re().abs()).max(v.im().abs());
    }
    if mx == T::R::zero() || !mx.is_finite() {
        return if s.is_nan() { s } else { mx };
    }
    let mut s = T::R::zero();
    for v in x {
        let (a, b) = (v.re() / mx, v.im() / mx);
        s = s + a * a + b * b;
    }
    mx * s.sqrt()
}

/// larfg: turns (alpha, x) into beta e1 with H = I - tau v v^H, v = (1, x'); returns tau.
fn larfg<T: Lk>(alpha: &mut T, x: &mut [T]) -> T {
    let xnorm = nrm2(x);
    let (ar, ai) = (alpha.re(), alpha.im());
    if xnorm == T::R::zero() && ai == T::R::zero() {
        return T::zero();
    }
    let mag = ar.hypot(ai).hypot(xnorm);
    let beta = if ar >= T::R::zero() { -mag } else { mag };
    let tau = T::from_parts((beta - ar) / beta, -ai / beta);
    let r = (*alpha - T::from_re(beta)).recip();
    for v in x.iter_mut() {
        *v = *v * r;
    }
    *alpha = T::from_re(beta);
    tau
}

/// larf (left): C = (I - tau v v^H) C for the column-major rows x cols C (leading dim `ld`)
/// starting at `c0`, v of length `rows`.
fn larf_left<T: Lk>(v: &[T], tau: T, c: &mut [T], c0: usize, ld: usize, cols: usize) {
    if tau == T::zero() {
        return;
    }
    let rows = v.len();
    for j in 0..cols {
        let col = &mut c[c0 + j * ld..c0 + j * ld + rows];
        let mut w = T::zero();
        for (cv, &vv) in col.iter().zip(v) {
            w = w + cv.conj() * vv;
        }
        if w != T::zero() {
            let t = -tau * w.conj();
            for (cv, &vv) in col.iter_mut().zip(v) {
                *cv = *cv + vv * t;
            }
        }
    }
}

/// geqr2 on the column-major m x n `a` with column stride `ld` (reflectors below the diagonal,
/// R on and above); `v` is scratch for m elements.
pub(super) fn geqr2<T: Lk>(a: &mut [T], ld: usize, m: usize, n: usize, tau: &mut [T], v: &mut [T]) {
    for i in 0..m.min(n) {
        let ci = i * ld;
        let (head, tail) = a[ci + i..ci + m].split_at_mut(1);
        tau[i] = larfg(&mut head[0], tail);
        if i + 1 < n {
            let rows = m - i;
            v[0] = T::one();
            v[1..rows].copy_from_slice(&a[ci + i + 1..ci + m]);
            larf_left(&v[..rows], tau[i].conj(), a, (i + 1) * ld + i, ld, n - i - 1);
        }
    }
}

/// org2r: overwrites the column-major m x q `a` (q <= m; its first k columns hold geqr2's
/// reflectors) with the first q columns of Q = H_1 ... H_k.
fn org2r<T: Lk>(a: &mut [T], m: usize, q: usize, k: usize, tau: &[T], v: &mut [T]) {
    for j in k..q {
        a[j * m..j * m + m].fill(T::zero());
        a[j * m + j] = T::one();
    }
    for i in (0..k).rev() {
        let ci = i * m;
        if i + 1 < q {
            let rows = m - i;
            v[0] = T::one();
            v[1..rows].copy_from_slice(&a[ci + i + 1..ci + m]);
            larf_left(&v[..rows], tau[i], a, (i + 1) * m + i, m, q - i - 1);
        }
        let nt = -tau[i];
        for r in i + 1..m {
            a[ci + r] = a[ci + r] * nt;
        }
        a[ci + i] = T::one() - tau[i];
        for r in 0..i {
            a[ci + r] = T::zero();
        }
    }
}

/// `Q` (m x qc, unless None) and `R` (rr x n) of a batch of small matrices (as `super::decomp::qr`).
pub(super) fn qr<T: Lk>(g: &Mats, q: Option<&Out>, r: &Out) {
    let (m, n) = (g.m, g.n);
    let k = m.min(n);
    batch(
        g.count(),
        2 * m * n * k,
        || (vec![T::zero(); m * n], vec![T::zero(); k], vec![T::zero(); m]),
        |(a, tau, v): &mut (Vec<T>, Vec<T>, Vec<T>), b: usize| unsafe {
            load(g, b, a, false);
            geqr2(a, m, m, n, tau, v);
            let ro = out_slice::<T>(r, b);
            let rr = r.r;
            for j in 0..n {
                for i in 0..rr {
                    ro[i + j * rr] = if i <= j && i < k { a[i + j * m] } else { T::zero() };
                }
            }
            if let Some(q) = q {
                let qc = q.c;
                let qo = out_slice::<T>(q, b);
                let cp = qc.min(n);
                qo[..cp * m].copy_from_slice(&a[..cp * m]);
                org2r(qo, m, qc, k, tau, v);
            }
        },
    );
}
