//! CPU kernels for convolution (im2col + gemm), pooling and separable resampling (pad, nearest and
//! linear interpolation). Every kernel sees contiguous f32/f64 data whose spatial part is lifted to
//! three dims (1-D and 2-D problems get leading spatial sizes of 1), so one code path serves every
//! rank. The op front end (`ops::conv`) validated shapes and chose the compute dtype.
use std::ops::{Add, Mul};

use gemm::Parallelism;

use super::gemm::{Mat, Scale, single};
use super::parallel::{num_threads, run_chunks};
use crate::dtype::DType;
use crate::element::Pivot;

/// The float types the kernels compute in.
pub trait Fl: Copy + Send + Sync + 'static + Add<Output = Self> + Mul<Output = Self> + PartialOrd {
    const DT: DType;
    const ZERO: Self;
    const ONE: Self;
    const NEG_INF: Self;
    fn from_f64(x: f64) -> Self;
    fn is_nan(self) -> bool;
}

impl Fl for f32 {
    const DT: DType = DType::F32;
    const ZERO: f32 = 0.0;
    const ONE: f32 = 1.0;
    const NEG_INF: f32 = f32::NEG_INFINITY;
    #[inline(always)]
    fn from_f64(x: f64) -> f32 {
        x as f32
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        self.is_nan()
    }
}

impl Fl for f64 {
    const DT: DType = DType::F64;
    const ZERO: f64 = 0.0;
    const ONE: f64 = 1.0;
    const NEG_INF: f64 = f64::NEG_INFINITY;
    #[inline(always)]
    fn from_f64(x: f64) -> f64 {
        x
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        self.is_nan()
    }
}

/// A raw pointer that may cross into pool tasks (each task writes a disjoint region).
#[derive(Clone, Copy)]
struct P<T>(*mut T);
// SAFETY: used only for disjoint writes / shared reads, as documented at each use.
unsafe impl<T> Send for P<T> {}
unsafe impl<T> Sync for P<T> {}

/// Geometry of one convolution, spatial dims lifted to 3.
#[derive(Clone, Debug)]
pub struct Geom {
    pub n: usize,
    pub cin: usize,
    pub cout: usize,
    pub groups: usize,
    pub ins: [usize; 3],
    pub k: [usize; 3],
    pub outs: [usize; 3],
    pub stride: [usize; 3],
    pub pad: [usize; 3],
    pub dil: [usize; 3],
}

impl Geom {
    pub fn in_plane(&self) -> usize {
        self.ins.iter().product()
    }
    pub fn out_plane(&self) -> usize {
        self.outs.iter().product()
    }
    pub fn kvol(&self) -> usize {
        self.k.iter().product()
    }
    /// True when the columns are the input itself (1x1 kernel, stride 1, no padding).
    pub fn is_pointwise(&self) -> bool {
        self.k == [1, 1, 1] && self.stride == [1, 1, 1] && self.pad == [0, 0, 0] && self.ins == self.outs
    }
}

/// Lays the windows of `c` channels of one image (`x`, contiguous [c, ins]) out as columns
/// `col` [c * kvol, out_plane].
pub fn im2col<T: Fl>(x: &[T], c: usize, g: &Geom, col: &mut [T]) {
    let [id, ih, iw] = g.ins;
    let [kd, kh, kw] = g.k;
    let [od, oh, ow] = g.outs;
    let l = od * oh * ow;
    let mut row = 0;
    for ci in 0..c {
        let xc = &x[ci * id * ih * iw..(ci + 1) * id * ih * iw];
        for a in 0..kd {
            for b in 0..kh {
                for e in 0..kw {
                    let dst = &mut col[row * l..(row + 1) * l];
                    row += 1;
                    let (lo, hi) = inner_range(iw, ow, g.stride[2], g.pad[2], e * g.dil[2]);
                    for zd in 0..od {
                        let zi = (zd * g.stride[0] + a * g.dil[0]) as isize - g.pad[0] as isize;
                        for zh in 0..oh {
                            let seg = &mut dst[(zd * oh + zh) * ow..(zd * oh + zh + 1) * ow];
                            let yi = (zh * g.stride[1] + b * g.dil[1]) as isize - g.pad[1] as isize;
                            if zi < 0 || zi >= id as isize || yi < 0 || yi >= ih as isize || lo >= hi {
                                seg.fill(T::ZERO);
                                continue;
                            }
                            let src = &xc[(zi as usize * ih + yi as usize) * iw..][..iw];
                            seg[..lo].fill(T::ZERO);
                            seg[hi..].fill(T::ZERO);
                            let x0 = lo * g.stride[2] + e * g.dil[2] - g.pad[2];
                            if g.stride[2] == 1 {
                                seg[lo..hi].copy_from_slice(&src[x0..x0 + (hi - lo)]);
                            } else {
                                for (j, v) in seg[lo..hi].iter_mut().enumerate() {
                                    *v = src[x0 + j * g.stride[2]];
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The inverse of [`im2col`]: adds the columns back into `x` (which the caller zeroed).
pub fn col2im<T: Fl>(col: &[T], c: usize, g: &Geom, x: &mut [T]) {
    let [id, ih, iw] = g.ins;
    let [kd, kh, kw] = g.k;
    let [od, oh, ow] = g.outs;
    let l = od * oh * ow;
    let mut row = 0;
    for ci in 0..c {
        let xc = &mut x[ci * id * ih * iw..(ci + 1) * id * ih * iw];
        for a in 0..kd {
            for b in 0..kh {
                for e in 0..kw {
                    let src = &col[row * l..(row + 1) * l];
                    row += 1;
                    let (lo, hi) = inner_range(iw, ow, g.stride[2], g.pad[2], e * g.dil[2]);
                    if lo >= hi {
                        continue;
                    }
                    for zd in 0..od {
                        let zi = (zd * g.stride[0] + a * g.dil[0]) as isize - g.pad[0] as isize;
                        if zi < 0 || zi >= id as isize {
                            continue;
                        }
                        for zh in 0..oh {
                            let yi = (zh * g.stride[1] + b * g.dil[1]) as isize - g.pad[1] as isize;
                            if yi < 0 || yi >= ih as isize {
                                continue;
                            }
                            let seg = &src[(zd * oh + zh) * ow..(zd * oh + zh + 1) * ow];
                            let dst = &mut xc[(zi as usize * ih + yi as usize) * iw..][..iw];
                            let x0 = lo * g.stride[2] + e * g.dil[2] - g.pad[2];
                            for (j, v) in seg[lo..hi].iter().enumerate() {
                                let d = &mut dst[x0 + j * g.stride[2]];
                                *d = *d + *v;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The output columns `[lo, hi)` of the innermost dim whose input position
/// `o * stride + off - pad` lies inside `[0, n)`.
fn inner_range(n: usize, out: usize, stride: usize, pad: usize, off: usize) -> (usize, usize) {
    // first o with o*stride + off >= pad
    let lo = if off >= pad { 0 } else { (pad - off).div_ceil(stride) };
    // last o with o*stride + off - pad <= n - 1  →  o <= (n - 1 + pad - off) / stride
    let lim = n as isize - 1 + pad as isize - off as isize;
    let hi = if lim < 0 { 0 } else { (lim as usize / stride + 1).min(out) };
    (lo.min(out), hi.max(lo.min(out)))
}

/// `dst (m x n) = [dst +] a (m x k) @ b (k x n)` with element strides (rows, cols) for each.
///
/// # Safety
/// All strided operands must be in bounds for the given sizes.
#[allow(clippy::too_many_arguments)]
#[inline]
unsafe fn mm<T: Fl>(
    m: usize,
    n: usize,
    k: usize,
    dst: *mut T,
    drs: isize,
    dcs: isize,
    acc: bool,
    a: *const T,
    ars: isize,
    acs: isize,
    b: *const T,
    brs: isize,
    bcs: isize,
    par: Parallelism,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !acc {
            for i in 0..m as isize {
                for j in 0..n as isize {
                    // SAFETY: in bounds by the caller's contract.
                    unsafe { *dst.offset(i * drs + j * dcs) = T::ZERO };
                }
            }
        }
        return;
    }
    let mat = |p: *const T, rs: isize, cs: isize| Mat { ptr: p as *mut u8, rs, cs };
    let scale = Scale { beta: acc.then_some(Pivot::F(1.0)), alpha: Pivot::F(1.0), conj_a: false };
    // SAFETY: forwarded from the caller; T::DT names T's element type.
    unsafe { single(T::DT, m, n, k, mat(dst, drs, dcs), mat(a, ars, acs), mat(b, brs, bcs), scale, par) }
}

/// How work is split: `chunks` tasks over the batch, or one task with gemm-level threads.
fn plan(n: usize, work_per_image: usize) -> (usize, Parallelism) {
    let t = num_threads();
    if t <= 1 || n * work_per_image < 1 << 16 {
        return (1, Parallelism::None);
    }
    if n >= t {
        return (t.min(n), Parallelism::None);
    }
    (1, Parallelism::Rayon(t))
}

fn ranges(n: usize, chunks: usize) -> impl Fn(usize) -> std::ops::Range<usize> {
    move |c| (c * n / chunks)..((c + 1) * n / chunks)
}

/// Convolution forward: `x` [n, cin, ins], `w` [cout, cin/groups, k], `bias` [cout] → `out` [n, cout, outs].
pub fn conv_forward<T: Fl>(x: &[T], w: &[T], bias: Option<&[T]>, g: &Geom, out: &mut [T]) {
    let (ip, op, kv) = (g.in_plane(), g.out_plane(), g.kvol());
    let cig = g.cin / g.groups;
    let cog = g.cout / g.groups;
    let kg = cig * kv;
    let pointwise = g.is_pointwise();
    let (chunks, par) = plan(g.n, g.cout * op * kg);
    let rng = ranges(g.n, chunks);
    let outp = P(out.as_mut_ptr());
    run_chunks(chunks, |c| {
        let outp = outp;
        let mut col: Vec<T> = if pointwise { Vec::new() } else { vec![T::ZERO; kg * op] };
        for ni in rng(c) {
            // SAFETY: image ni's output slab is written only by this task.
            let o = unsafe { std::slice::from_raw_parts_mut(outp.0.add(ni * g.cout * op), g.cout * op) };
            if let Some(b) = bias {
                for (co, row) in o.chunks_mut(op.max(1)).enumerate().take(g.cout) {
                    row.fill(b[co]);
                }
            }
            for gi in 0..g.groups {
                let xs = &x[(ni * g.cin + gi * cig) * ip..][..cig * ip];
                let src: &[T] = if pointwise {
                    xs
                } else {
                    im2col(xs, cig, g, &mut col);
                    &col
                };
                // SAFETY: all operands are in bounds for the sizes given.
                unsafe {
                    mm(
                        cog,
                        op,
                        kg,
                        o.as_mut_ptr().add(gi * cog * op),
                        op as isize,
                        1,
                        bias.is_some(),
                        w.as_ptr().add(gi * cog * kg),
                        kg as isize,
                        1,
                        src.as_ptr(),
                        op as isize,
                        1,
                        par,
                    )
                };
            }
        }
    });
}

/// Convolution backward: gradients for the input (`gx`, [n, cin, ins]) and the weight
/// (`gw`, [cout, cin/groups, k]) from `gout` [n, cout, outs]; either may be skipped.
pub fn conv_backward<T: Fl>(x: &[T], w: &[T], gout: &[T], g: &Geom, gx: Option<&mut [T]>, gw: Option<&mut [T]>) {
    let (ip, op, kv) = (g.in_plane(), g.out_plane(), g.kvol());
    let cig = g.cin / g.groups;
    let cog = g.cout / g.groups;
    let kg = cig * kv;
    let pointwise = g.is_pointwise();
    let (chunks, par) = plan(g.n, g.cout * op * kg * 2);
    let rng = ranges(g.n, chunks);
    let want_w = gw.is_some();
    let gxp = gx.map(|s| P(s.as_mut_ptr()));
    // one weight-gradient accumulator per task, summed at the end
    let wlen = g.cout * kg;
    let mut accs: Vec<T> = if want_w { vec![T::ZERO; wlen * chunks] } else { Vec::new() };
    let accp = P(accs.as_mut_ptr());
    run_chunks(chunks, |c| {
        let (gxp, accp) = (gxp, accp);
        let mut col: Vec<T> = if pointwise { Vec::new() } else { vec![T::ZERO; kg * op] };
        for ni in rng(c) {
            for gi in 0..g.groups {
                let go = &gout[(ni * g.cout + gi * cog) * op..][..cog * op];
                if want_w {
                    let xs = &x[(ni * g.cin + gi * cig) * ip..][..cig * ip];
                    let src: &[T] = if pointwise {
                        xs
                    } else {
                        im2col(xs, cig, g, &mut col);
                        &col
                    };
                    // acc[gi] (cog x kg) += go (cog x op) @ src^T (op x kg)
                    // SAFETY: task c owns accumulator c; operands are in bounds.
                    unsafe {
                        mm(
                            cog,
                            kg,
                            op,
                            accp.0.add(c * wlen + gi * cog * kg),
                            kg as isize,
                            1,
                            true,
                            go.as_ptr(),
                            op as isize,
                            1,
                            src.as_ptr(),
                            1,
                            op as isize,
                            par,
                        )
                    };
                }
                if let Some(gxp) = gxp {
                    // SAFETY: image ni's input-gradient slab is written only by this task.
                    let dst = unsafe { std::slice::from_raw_parts_mut(gxp.0.add((ni * g.cin + gi * cig) * ip), cig * ip) };
                    let wg = &w[gi * cog * kg..][..cog * kg];
                    if pointwise {
                        // dst (cig x op) = wg^T (cig x cog) @ go (cog x op)
                        // SAFETY: in bounds.
                        unsafe {
                            mm(cig, op, cog, dst.as_mut_ptr(), op as isize, 1, false, wg.as_ptr(), 1, kg as isize, go.as_ptr(), op as isize, 1, par)
                        };
                    } else {
                        // SAFETY: in bounds.
                        unsafe {
                            mm(kg, op, cog, col.as_mut_ptr(), op as isize, 1, false, wg.as_ptr(), 1, kg as isize, go.as_ptr(), op as isize, 1, par)
                        };
                        dst.fill(T::ZERO);
                        col2im(&col, cig, g, dst);
                    }
                }
            }
        }
    });
    if let Some(gw) = gw {
        gw.copy_from_slice(&accs[..wlen]);
        for c in 1..chunks {
            for (d, s) in gw.iter_mut().zip(&accs[c * wlen..(c + 1) * wlen]) {
                *d = *d + *s;
            }
        }
    }
}

/// Bias gradient: the sum of `gout` [n, cout, plane] over images and positions.
pub fn bias_grad<T: Fl>(gout: &[T], n: usize, cout: usize, plane: usize, gb: &mut [T]) {
    gb.fill(T::ZERO);
    for ni in 0..n {
        for (co, b) in gb.iter_mut().enumerate() {
            let row = &gout[(ni * cout + co) * plane..][..plane];
            let mut s = T::ZERO;
            for v in row {
                s = s + *v;
            }
            *b = *b + s;
        }
    }
}

// ----- pooling -----

/// One output position's window along one dim: input indices `start, start+step, ..` below `end`,
/// and its divisor factor (avg pooling).
#[derive(Clone, Copy, Debug)]
pub struct Win {
    pub start: usize,
    pub end: usize,
    pub factor: usize,
}

/// Windows along the three lifted dims, plus each dim's step (dilation) and input size.
pub struct Windows {
    pub dims: [Vec<Win>; 3],
    pub step: [usize; 3],
    pub ins: [usize; 3],
}

impl Windows {
    pub fn out_plane(&self) -> usize {
        self.dims.iter().map(|d| d.len()).product()
    }
    pub fn in_plane(&self) -> usize {
        self.ins.iter().product()
    }
}

fn par_planes(planes: usize, per_plane: usize, f: impl Fn(std::ops::Range<usize>) + Sync) {
    let t = num_threads();
    let chunks = if t > 1 && planes * per_plane >= 1 << 15 { (t * 4).min(planes) } else { 1 };
    let r = ranges(planes, chunks.max(1));
    run_chunks(chunks.max(1), |c| f(r(c)));
}

/// Max pooling over `planes` contiguous planes: writes the max and its flat index in the plane.
pub fn max_pool<T: Fl>(x: &[T], planes: usize, w: &Windows, out: &mut [T], idx: &mut [i64]) {
    let (ip, op) = (w.in_plane(), w.out_plane());
    let [_, ih, iw] = w.ins;
    let (outp, idxp) = (P(out.as_mut_ptr()), P(idx.as_mut_ptr()));
    par_planes(planes, ip, |r| {
        let (outp, idxp) = (outp, idxp);
        for p in r {
            let xs = &x[p * ip..][..ip];
            let mut o = p * op;
            for a in &w.dims[0] {
                for b in &w.dims[1] {
                    for e in &w.dims[2] {
                        let mut best = T::NEG_INF;
                        let mut bi = (a.start * ih + b.start) * iw + e.start;
                        let mut zi = a.start;
                        while zi < a.end {
                            let mut yi = b.start;
                            while yi < b.end {
                                let base = (zi * ih + yi) * iw;
                                let mut xi = e.start;
                                while xi < e.end {
                                    let v = xs[base + xi];
                                    if v > best || v.is_nan() {
                                        best = v;
                                        bi = base + xi;
                                    }
                                    xi += w.step[2];
                                }
                                yi += w.step[1];
                            }
                            zi += w.step[0];
                        }
                        // SAFETY: output position o belongs to plane p, owned by this task.
                        unsafe {
                            *outp.0.add(o) = best;
                            *idxp.0.add(o) = bi as i64;
                        }
                        o += 1;
                    }
                }
            }
        }
    });
}

/// Scatters `g` (per output position) into `gx` (zeroed) at the flat plane indices `idx`.
pub fn index_scatter<T: Fl>(g: &[T], idx: &[i64], planes: usize, op: usize, ip: usize, gx: &mut [T]) {
    let gxp = P(gx.as_mut_ptr());
    par_planes(planes, op, |r| {
        let gxp = gxp;
        for p in r {
            for o in p * op..(p + 1) * op {
                let i = idx[o];
                if i >= 0 && (i as usize) < ip {
                    // SAFETY: plane p of gx is owned by this task; i is inside the plane.
                    unsafe {
                        let d = gxp.0.add(p * ip + i as usize);
                        *d = *d + g[o];
                    }
                }
            }
        }
    });
}

/// Average pooling; `divisor` overrides the per-window factor product when given.
pub fn avg_pool<T: Fl>(x: &[T], planes: usize, w: &Windows, divisor: Option<f64>, out: &mut [T]) {
    let (ip, op) = (w.in_plane(), w.out_plane());
    let [_, ih, iw] = w.ins;
    let outp = P(out.as_mut_ptr());
    par_planes(planes, ip, |r| {
        let outp = outp;
        for p in r {
            let xs = &x[p * ip..][..ip];
            let mut o = p * op;
            for a in &w.dims[0] {
                for b in &w.dims[1] {
                    for e in &w.dims[2] {
                        let v = if a.start >= a.end || b.start >= b.end || e.start >= e.end {
                            T::ZERO
                        } else {
                            let mut s = T::ZERO;
                            for zi in a.start..a.end {
                                for yi in b.start..b.end {
                                    let base = (zi * ih + yi) * iw;
                                    for xi in e.start..e.end {
                                        s = s + xs[base + xi];
                                    }
                                }
                            }
                            let d = divisor.unwrap_or((a.factor * b.factor * e.factor) as f64);
                            div(s, d)
                        };
                        // SAFETY: owned output position.
                        unsafe { *outp.0.add(o) = v };
                        o += 1;
                    }
                }
            }
        }
    });
}

#[inline(always)]
fn div<T: Fl>(s: T, d: f64) -> T {
    // division in T (not multiplication by a reciprocal), like torch
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<f32>() {
        // SAFETY: T is f32 here.
        let sf: f32 = unsafe { std::mem::transmute_copy(&s) };
        let r = sf / d as f32;
        unsafe { std::mem::transmute_copy(&r) }
    } else {
        let sf: f64 = unsafe { std::mem::transmute_copy(&s) };
        let r = sf / d;
        unsafe { std::mem::transmute_copy(&r) }
    }
}

/// Backward of [`avg_pool`]: spreads each output gradient over its window into `gx` (zeroed).
pub fn avg_pool_backward<T: Fl>(g: &[T], planes: usize, w: &Windows, divisor: Option<f64>, gx: &mut [T]) {
    let (ip, op) = (w.in_plane(), w.out_plane());
    let [_, ih, iw] = w.ins;
    let gxp = P(gx.as_mut_ptr());
    par_planes(planes, ip, |r| {
        let gxp = gxp;
        for p in r {
            // SAFETY: plane p of gx is owned by this task.
            let d = unsafe { std::slice::from_raw_parts_mut(gxp.0.add(p * ip), ip) };
            let mut o = p * op;
            for a in &w.dims[0] {
                for b in &w.dims[1] {
                    for e in &w.dims[2] {
                        let dv = divisor.unwrap_or((a.factor * b.factor * e.factor) as f64);
                        let v = div(g[o], dv);
                        o += 1;
                        for zi in a.start..a.end {
                            for yi in b.start..b.end {
                                let base = (zi * ih + yi) * iw;
                                for xi in e.start..e.end {
                                    d[base + xi] = d[base + xi] + v;
                                }
                            }
                        }
                    }
                }
            }
        }
    });
}

// ----- separable resampling (pad, nearest, linear) -----

/// Per output index along one dim: up to two (input index, weight) taps; no taps means the fill value.
#[derive(Clone, Copy, Debug, Default)]
pub struct Taps {
    pub n: u8,
    pub i: [usize; 2],
    pub w: [f64; 2],
}

/// `out[p, a, b, c] = sum_a' wa (sum_b' wb (sum_c' wc x[p, ia, ib, ic]))`, or `fill` where any dim has no taps.
pub fn resample<T: Fl>(x: &[T], planes: usize, ins: [usize; 3], taps: &[Vec<Taps>; 3], fill: T, out: &mut [T]) {
    let ip: usize = ins.iter().product();
    let op: usize = taps.iter().map(|t| t.len()).product();
    let [_, ih, iw] = ins;
    let outp = P(out.as_mut_ptr());
    let unit = |t: &Taps| t.n == 0 || (t.n == 1 && t.w[0] == 1.0);
    if taps.iter().all(|d| d.iter().all(unit)) {
        // pure gathers (pad, nearest): one index per inner position, -1 for the fill value
        let cidx: Vec<isize> = taps[2].iter().map(|c| if c.n == 0 { -1 } else { c.i[0] as isize }).collect();
        let ow = cidx.len();
        par_planes(planes, op, |r| {
            let outp = outp;
            for p in r {
                let xs = &x[p * ip..][..ip];
                // SAFETY: plane p of out is owned by this task.
                let o = unsafe { std::slice::from_raw_parts_mut(outp.0.add(p * op), op) };
                let mut row = 0;
                for a in &taps[0] {
                    for b in &taps[1] {
                        let dst = &mut o[row * ow..(row + 1) * ow];
                        row += 1;
                        if a.n == 0 || b.n == 0 {
                            dst.fill(fill);
                            continue;
                        }
                        let src = &xs[(a.i[0] * ih + b.i[0]) * iw..][..iw];
                        for (d, &ci) in dst.iter_mut().zip(&cidx) {
                            *d = if ci < 0 { fill } else { src[ci as usize] };
                        }
                    }
                }
            }
        });
        return;
    }
    par_planes(planes, op, |r| {
        let outp = outp;
        for p in r {
            let xs = &x[p * ip..][..ip];
            let mut o = p * op;
            for a in &taps[0] {
                for b in &taps[1] {
                    for c in &taps[2] {
                        let v = if a.n == 0 || b.n == 0 || c.n == 0 {
                            fill
                        } else {
                            let mut s = T::ZERO;
                            for ka in 0..a.n as usize {
                                let mut sb = T::ZERO;
                                for kb in 0..b.n as usize {
                                    let base = (a.i[ka] * ih + b.i[kb]) * iw;
                                    let mut sc = T::ZERO;
                                    if c.n == 1 && c.w[0] == 1.0 {
                                        sc = xs[base + c.i[0]];
                                    } else {
                                        for kc in 0..c.n as usize {
                                            sc = sc + T::from_f64(c.w[kc]) * xs[base + c.i[kc]];
                                        }
                                    }
                                    sb = if b.n == 1 && b.w[0] == 1.0 { sc } else { sb + T::from_f64(b.w[kb]) * sc };
                                }
                                s = if a.n == 1 && a.w[0] == 1.0 { sb } else { s + T::from_f64(a.w[ka]) * sb };
                            }
                            s
                        };
                        // SAFETY: owned output position.
                        unsafe { *outp.0.add(o) = v };
                        o += 1;
                    }
                }
            }
        }
    });
}

/// Backward of [`resample`]: adds each output gradient, weighted, into its taps in `gx` (zeroed).
pub fn resample_backward<T: Fl>(g: &[T], planes: usize, ins: [usize; 3], taps: &[Vec<Taps>; 3], gx: &mut [T]) {
    let ip: usize = ins.iter().product();
    let op: usize = taps.iter().map(|t| t.len()).product();
    let [_, ih, iw] = ins;
    let gxp = P(gx.as_mut_ptr());
    par_planes(planes, op, |r| {
        let gxp = gxp;
        for p in r {
            // SAFETY: plane p of gx is owned by this task.
            let d = unsafe { std::slice::from_raw_parts_mut(gxp.0.add(p * ip), ip) };
            let mut o = p * op;
            for a in &taps[0] {
                for b in &taps[1] {
                    for c in &taps[2] {
                        let v = g[o];
                        o += 1;
                        for ka in 0..a.n as usize {
                            let va = if a.n == 1 && a.w[0] == 1.0 { v } else { T::from_f64(a.w[ka]) * v };
                            for kb in 0..b.n as usize {
                                let vb = if b.n == 1 && b.w[0] == 1.0 { va } else { T::from_f64(b.w[kb]) * va };
                                let base = (a.i[ka] * ih + b.i[kb]) * iw;
                                for kc in 0..c.n as usize {
                                    let vc = if c.n == 1 && c.w[0] == 1.0 { vb } else { T::from_f64(c.w[kc]) * vb };
                                    let q = &mut d[base + c.i[kc]];
                                    *q = *q + vc;
                                }
                            }
                        }
                    }
                }
            }
        }
    });
}
