//! `prod` of complex64/complex128 tensors in torch's own multiplication order.
//!
//! Complex products are not associative once a part is infinite or NaN (`1 * (inf + 0i)` is
//! `inf + nan i`, `(a * inf) * 1` need not be `a * inf`), nor in the last bit for finite values, so
//! the result depends on how torch's reduction walks the input. That walk is reproduced here:
//! TensorIterator's dimension order and coalescing, then one of its three loops per 2-d block —
//! a contiguous inner reduction (vector lanes folded, then combined into the identity), an outer
//! reduction down contiguous columns, or the plain sequential loop. Vector lanes multiply without
//! fused multiply-adds, torch's scalar loops with them (cmath::mul).
use num_complex::Complex;

use crate::backend::cpu::cmath::{self, CFloat};
use crate::dtype::DType;
use crate::error::Result;
use crate::tensor::Tensor;

/// `t.prod(dims)` for complex64/complex128 `t` (`mask`: the reduced dims); None for other dtypes.
pub fn prod(t: &Tensor, mask: &[bool], keepdim: bool) -> Result<Option<Tensor>> {
    let wide = cmath::torch_avx512();
    Ok(Some(match t.dtype {
        DType::C64 => run::<f32>(t, mask, keepdim, if wide { 8 } else { 4 })?,
        DType::C128 => run::<f64>(t, mask, keepdim, if wide { 4 } else { 2 })?,
        _ => return Ok(None),
    }))
}

/// The plain product of torch's vector lanes.
#[inline]
fn vmul<T: CFloat>(x: Complex<T>, y: Complex<T>) -> Complex<T> {
    Complex::new(x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re)
}

fn run<T: CFloat>(t: &Tensor, mask: &[bool], keepdim: bool, vs: usize) -> Result<Tensor> {
    let shape = t.shape().to_vec();
    let nd = shape.len();
    let kept_shape: Vec<usize> = if keepdim {
        shape.iter().zip(mask).map(|(&n, &r)| if r { 1 } else { n }).collect()
    } else {
        shape.iter().zip(mask).filter(|(_, r)| !**r).map(|(&n, _)| n).collect()
    };
    let out = Tensor::for_overwrite(&kept_shape, t.dtype)?;
    let po = out.data_ptr() as *mut Complex<T>;
    let one = Complex::new(T::one(), T::zero());
    for i in 0..out.numel() {
        // SAFETY: out was just allocated, contiguous, with numel elements.
        unsafe { po.add(i).write(one) };
    }
    if t.numel() == 0 {
        return Ok(out);
    }
    // Operand strides per input dim: the output's (0 on reduced dims) and the input's.
    let mut os = vec![0isize; nd];
    let mut acc = 1isize;
    for d in (0..nd).rev() {
        if !mask[d] {
            os[d] = acc;
            acc *= shape[d] as isize;
        }
    }
    let is: Vec<isize> = t.strides().to_vec();
    // TensorIterator::reorder_dimensions: reduced dims first, then by stride, ties by size.
    let should_swap = |d0: usize, d1: usize| -> i32 {
        for (k, st) in [&os, &is].into_iter().enumerate() {
            let (s0, s1) = (st[d0], st[d1]);
            if k == 0 && (s0 == 0) != (s1 == 0) {
                return if s1 == 0 { 1 } else { -1 };
            }
            if s0 == 0 || s1 == 0 {
                continue;
            }
            if s0 < s1 {
                return -1;
            }
            if s0 > s1 {
                return 1;
            }
            if shape[d0] > shape[d1] {
                return 1;
            }
        }
        0
    };
    let mut perm: Vec<usize> = (0..nd).rev().collect();
    crate::layout::torch_dim_order(&mut perm, should_swap);
    // coalesce_dimensions
    let mut sh: Vec<usize> = perm.iter().map(|&d| shape[d]).collect();
    let mut so: Vec<isize> = perm.iter().map(|&d| os[d]).collect();
    let mut si: Vec<isize> = perm.iter().map(|&d| is[d]).collect();
    if nd > 0 {
        let mut prev = 0;
        for d in 1..nd {
            let can = sh[prev] == 1 || sh[d] == 1 || (sh[prev] as isize * so[prev] == so[d] && sh[prev] as isize * si[prev] == si[d]);
            if can {
                if sh[prev] == 1 {
                    so[prev] = so[d];
                    si[prev] = si[d];
                }
                sh[prev] *= sh[d];
            } else {
                prev += 1;
                if prev != d {
                    so[prev] = so[d];
                    si[prev] = si[d];
                    sh[prev] = sh[d];
                }
            }
        }
        sh.truncate(prev + 1);
        so.truncate(prev + 1);
        si.truncate(prev + 1);
    }
    while sh.len() < 2 {
        sh.push(1);
        so.push(0);
        si.push(0);
    }
    let pi = t.data_ptr() as *const Complex<T>;
    let outer: usize = sh[2..].iter().product();
    let mut idx = vec![0usize; sh.len()];
    for _ in 0..outer {
        let (mut oo, mut io) = (0isize, 0isize);
        for d in 2..sh.len() {
            oo += idx[d] as isize * so[d];
            io += idx[d] as isize * si[d];
        }
        // SAFETY: the offsets stay inside the input's and the output's layouts (same iteration
        // space as the tensors' shapes).
        unsafe { block(po.offset(oo), pi.offset(io), [so[0], si[0], so[1], si[1]], sh[0], sh[1], vs) };
        for d in 2..sh.len() {
            idx[d] += 1;
            if idx[d] < sh[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    Ok(out)
}

/// One 2-d block of torch's binary_kernel_reduce_vec: `s` = [out stride, in stride] of dim 0, then
/// of dim 1, in elements.
///
/// # Safety
/// `po`/`pi` with the strides address `n0 x n1` valid elements.
unsafe fn block<T: CFloat>(po: *mut Complex<T>, pi: *const Complex<T>, s: [isize; 4], n0: usize, n1: usize, vs: usize) {
    let w = 4 * vs;
    let at = |p: *const Complex<T>, i: isize| unsafe { *p.offset(i) };
    unsafe {
        if s[0] == 0 && s[1] == 1 {
            // contiguous inner reduction, one output per column
            for j in 0..n1 {
                let (o, x) = (po.offset(j as isize * s[2]), pi.offset(j as isize * s[3]));
                let count = n0 / w;
                let mut r = *o;
                if count > 0 {
                    let mut lanes: Vec<Complex<T>> = (0..w).map(|l| at(x, l as isize)).collect();
                    for i in 1..count {
                        for (l, a) in lanes.iter_mut().enumerate() {
                            *a = vmul(*a, at(x, (i * w + l) as isize));
                        }
                    }
                    let v: Vec<Complex<T>> = (0..vs)
                        .map(|l| vmul(vmul(lanes[l], lanes[vs + l]), vmul(lanes[2 * vs + l], lanes[3 * vs + l])))
                        .collect();
                    let b = v[1..].iter().fold(v[0], |b, &c| cmath::mul(b, c));
                    r = cmath::mul(r, b);
                }
                for i in count * w..n0 {
                    r = cmath::mul(r, at(x, i as isize));
                }
                *o = r;
            }
        } else if s[0] == 0 && s[2] == 1 && s[3] == 1 {
            // outer reduction: blocks of w contiguous columns reduced down dim 0 in vector lanes
            let blocks = n1 / w;
            for c in 0..blocks * w {
                let x = pi.add(c);
                let mut a = at(x, 0);
                for i in 1..n0 {
                    a = vmul(a, at(x, i as isize * s[1]));
                }
                let o = po.add(c);
                *o = vmul(*o, a);
            }
            for c in blocks * w..n1 {
                let (o, x) = (po.add(c), pi.add(c));
                let mut r = *o;
                for i in 0..n0 {
                    r = cmath::mul(r, at(x, i as isize * s[1]));
                }
                *o = r;
            }
        } else {
            // torch's build fuses this loop's complex64 products differently (not at all)
            let m: fn(Complex<T>, Complex<T>) -> Complex<T> = if std::mem::size_of::<T>() == 4 { vmul } else { cmath::mul };
            for j in 0..n1 {
                let (o, x) = (po.offset(j as isize * s[2]), pi.offset(j as isize * s[3]));
                let mut r = *o;
                for i in 0..n0 {
                    r = m(r, at(x, i as isize * s[1]));
                }
                *o = r;
            }
        }
    }
}
