//! Matrix products with torch's shape rules, dtype checks and messages: mm, bmm, mv, dot, vdot,
//! matmul (1-D/2-D/batched broadcast), the add* family with beta/alpha, and trace. Every product
//! ends in one strided batched kernel (`backend::cpu::gemm`), so views are never copied.
use crate::backend::cpu::gemm::{self as kgemm, Mat, Scale};
use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::layout::{Layout, broadcast_shapes};
use crate::ops::binary::{Arg, BinaryOp, binary_};
use crate::tensor::Tensor;

/// The C++ type name torch prints in "expected m1 and m2 to have the same dtype" messages.
pub fn cxx_name(dt: DType) -> &'static str {
    use DType::*;
    match dt {
        Bool => "bool",
        U8 => "unsigned char",
        I8 => "signed char",
        I16 => "short int",
        I32 => "int",
        I64 => "long int",
        F16 => "c10::Half",
        BF16 => "c10::BFloat16",
        F32 => "float",
        F64 => "double",
        C32 => "c10::complex<c10::Half>",
        C64 => "c10::complex<float>",
        C128 => "c10::complex<double>",
        U16 => "unsigned short",
        U32 => "unsigned int",
        U64 => "unsigned long",
        F8E4M3 => "c10::Float8_e4m3fn",
        F8E5M2 => "c10::Float8_e5m2",
    }
}

fn require_cpu(op: &str, ts: &[&Tensor]) -> Result<()> {
    if ts.iter().any(|t| t.device() != Device::Cpu) {
        bail!(not_implemented, "[{op}] CUDA kernels are not implemented yet");
    }
    Ok(())
}

fn unsqueeze(t: &Tensor, dim: usize) -> Tensor {
    let mut l = t.layout.clone();
    let s = if dim < l.ndim() { l.strides[dim] * l.shape[dim] as isize } else { 1 };
    l.shape.insert(dim, 1);
    l.strides.insert(dim, s);
    t.with_layout(l)
}

fn squeeze(t: &Tensor, dim: usize) -> Tensor {
    let mut l = t.layout.clone();
    l.shape.remove(dim);
    l.strides.remove(dim);
    t.with_layout(l)
}

/// Converts a Python-number coefficient to `dt` (integers truncate, as torch does); complex
/// coefficients are refused for real dtypes.
fn coef(p: Option<Pivot>, dt: DType) -> Result<Pivot> {
    let p = p.unwrap_or(Pivot::I(1));
    let p = match p {
        Pivot::C(re, im) if !dt.is_complex() => {
            if im != 0.0 {
                bail!(runtime, "value cannot be converted to type {} without overflow", cxx_name(dt));
            }
            Pivot::F(re)
        }
        p => p,
    };
    Ok(match (p, dt) {
        (Pivot::F(f), d) if d.is_integral(true) => Pivot::I(f as i64),
        (Pivot::B(b), _) => Pivot::I(b as i64),
        (p, _) => p,
    })
}

fn is_zero(p: Pivot) -> bool {
    match p {
        Pivot::B(b) => !b,
        Pivot::I(i) => i == 0,
        Pivot::F(f) => f == 0.0,
        Pivot::C(r, i) => r == 0.0 && i == 0.0,
    }
}

/// `dst = beta * dst + alpha * a @ b` over matching leading batch dims; `a` is (..., m, k), `b`
/// (..., k, n) and `dst` (..., m, n). `beta = None` (or zero) overwrites dst without reading it.
/// `kernel` names torch's kernel in "not implemented" errors.
fn product(kernel: &str, dst: &Tensor, a: &Tensor, b: &Tensor, beta: Option<Pivot>, alpha: Pivot, conj_a: bool) -> Result<()> {
    let nd = dst.ndim();
    let (m, n) = (dst.shape()[nd - 2], dst.shape()[nd - 1]);
    let k = a.shape()[nd - 1];
    let beta = beta.filter(|b| !is_zero(*b));
    if dst.numel() == 0 {
        return Ok(());
    }
    if k == 0 {
        return scale_only(dst, beta);
    }
    let dt = a.dtype;
    if matches!(dt, DType::Bool | DType::C32) {
        bail!(not_implemented, "\"{}\" not implemented for '{}'", kernel, dt.scalar_name());
    }
    // torch multiplies float8 matrices (mm/addmm only) and no uint16/32/64 ones.
    use crate::ops::newdt::{Refuse, reject};
    reject(dt, kernel, if kernel == "addmm_impl_cpu_" { Refuse::Uints } else { Refuse::All })?;
    if dt == DType::BF16 || dt.is_float8() {
        // bfloat16 and float8 accumulate in float32 and round once, as torch's CPU kernels do.
        let (a32, b32) = (a.to_dtype(DType::F32, false)?, b.to_dtype(DType::F32, false)?);
        let d32 = match beta {
            Some(_) => dst.to_dtype(DType::F32, true)?,
            None => Tensor::for_overwrite(dst.shape(), DType::F32)?,
        };
        product(kernel, &d32, &a32, &b32, beta, alpha, conj_a)?;
        return dst.copy_(&d32);
    }
    let batch_shape = &dst.shape()[..nd - 2];
    let nb: usize = batch_shape.iter().product();
    let mut offsets = Vec::with_capacity(nb);
    let mut idx = vec![0usize; nd - 2];
    for _ in 0..nb {
        let mut o = [dst.layout.offset as isize, a.layout.offset as isize, b.layout.offset as isize];
        for (d, &i) in idx.iter().enumerate() {
            o[0] += i as isize * dst.strides()[d];
            o[1] += i as isize * a.strides()[d];
            o[2] += i as isize * b.strides()[d];
        }
        offsets.push(o);
        for d in (0..idx.len()).rev() {
            idx[d] += 1;
            if idx[d] < batch_shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    let mat = |t: &Tensor| Mat { ptr: t.storage.as_ptr(), rs: t.strides()[nd - 2], cs: t.strides()[nd - 1] };
    dst.check_writable()?;
    // SAFETY: the shapes were validated by the caller, every view is in bounds of its storage, and
    // dst is a fresh (or dense, non-overlapping) tensor so batches write disjoint matrices.
    unsafe {
        kgemm::batched(dt, m, n, k, mat(dst), mat(a), mat(b), &offsets, Scale { beta, alpha, conj_a });
    }
    dst.storage.bump_version();
    Ok(())
}

/// An empty sum: `dst = beta * dst`, or zeros when beta is 0.
fn scale_only(dst: &Tensor, beta: Option<Pivot>) -> Result<()> {
    match beta {
        None => dst.fill_(Pivot::I(0)),
        Some(bt) => binary_(BinaryOp::Mul, dst, Arg::S(bt), None),
    }
}

/// A fresh (..., m, n) result of `a @ b` (batch dims already matching).
fn fresh_product(kernel: &str, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let nd = a.ndim();
    let mut shape = a.shape()[..nd - 1].to_vec();
    shape.push(b.shape()[nd - 1]);
    let out = if a.shape()[nd - 1] == 0 { Tensor::zeros(&shape, a.dtype, Device::Cpu)? } else { Tensor::for_overwrite(&shape, a.dtype)? };
    product(kernel, &out, a, b, None, Pivot::I(1), false)?;
    Ok(out)
}

fn dims_x(t: &Tensor) -> String {
    t.shape().iter().map(|d| d.to_string()).collect::<Vec<_>>().join("x")
}

fn check_mm(op: &str, a: &Tensor, b: &Tensor) -> Result<()> {
    require_cpu(op, &[a, b])?;
    if a.ndim() != 2 {
        bail!(runtime, "{op}: self must be a matrix, got {}-D tensor", a.ndim());
    }
    if b.ndim() != 2 {
        bail!(runtime, "{op}: mat2 must be a matrix, got {}-D tensor", b.ndim());
    }
    if a.shape()[1] != b.shape()[0] {
        bail!(runtime, "{op}: mat1 and mat2 shapes cannot be multiplied ({} and {})", dims_x(a), dims_x(b));
    }
    Ok(())
}

fn check_same_mm_dtype(a: &Tensor, b: &Tensor) -> Result<()> {
    if a.dtype != b.dtype {
        bail!(runtime, "expected m1 and m2 to have the same dtype, but got: {} != {}", cxx_name(a.dtype), cxx_name(b.dtype));
    }
    Ok(())
}

/// `torch.mm(input, mat2)`.
pub fn mm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    check_mm("mm", a, b)?;
    check_same_mm_dtype(a, b)?;
    fresh_product("addmm_impl_cpu_", a, b)
}

fn check_bmm(a: &Tensor, b: &Tensor) -> Result<()> {
    require_cpu("bmm", &[a, b])?;
    if a.ndim() != 3 {
        bail!(runtime, "batch1 must be a 3D tensor");
    }
    if b.ndim() != 3 {
        bail!(runtime, "batch2 must be a 3D tensor");
    }
    let (bs, k) = (a.shape()[0], a.shape()[2]);
    if b.shape()[0] != bs || b.shape()[1] != k {
        bail!(
            runtime,
            "Expected size for first two dimensions of batch2 tensor to be: [{bs}, {k}] but got: [{}, {}].",
            b.shape()[0],
            b.shape()[1]
        );
    }
    Ok(())
}

/// `torch.bmm(input, mat2)`.
pub fn bmm(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    check_bmm(a, b)?;
    if a.dtype != b.dtype {
        bail!(runtime, "expected scalar type {} but found {}", a.dtype.scalar_name(), b.dtype.scalar_name());
    }
    fresh_product("bmm", a, b)
}

fn check_mv(a: &Tensor, v: &Tensor, input: Option<&Tensor>) -> Result<()> {
    require_cpu("mv", &[a, v])?;
    let ind = input.map_or(1, |t| t.ndim());
    if a.ndim() != 2 || v.ndim() != 1 || ind > 1 {
        bail!(runtime, "vector + matrix @ vector expected, got {}, {}, {}", ind, a.ndim(), v.ndim());
    }
    let rows = input.map_or(a.shape()[0], |t| if t.ndim() == 1 { t.shape()[0] } else { a.shape()[0] });
    if a.shape()[1] != v.shape()[0] || (rows != a.shape()[0] && rows != 1) {
        bail!(runtime, "size mismatch, got input ({}), mat ({}), vec ({})", rows, dims_x(a), v.shape()[0]);
    }
    Ok(())
}

/// `torch.mv(input, vec)`.
pub fn mv(a: &Tensor, v: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(a);
    crate::resolve_bits!(v);
    check_mv(a, v, None)?;
    check_addmv_dtypes(v, a, v)?;
    let r = fresh_product("addmv_impl_cpu", a, &unsqueeze(v, 1))?;
    Ok(squeeze(&r, 1))
}

fn check_dot(op: &str, a: &Tensor, b: &Tensor) -> Result<()> {
    require_cpu(op, &[a, b])?;
    if a.ndim() != 1 || b.ndim() != 1 {
        bail!(runtime, "1D tensors expected, but got {}D and {}D tensors", a.ndim(), b.ndim());
    }
    if a.dtype != b.dtype {
        bail!(
            runtime,
            "dot : expected both vectors to have same dtype, but found {} and {}",
            a.dtype.scalar_name(),
            b.dtype.scalar_name()
        );
    }
    let (n, m) = (a.shape()[0], b.shape()[0]);
    if n != m {
        bail!(
            runtime,
            "inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number of elements, but got {n} and {m} elements respectively"
        );
    }
    Ok(())
}

/// `torch.dot` (`conj = false`) and `torch.vdot` (conjugates the first argument).
pub fn dot(a: &Tensor, b: &Tensor, conj: bool) -> Result<Tensor> {
    if conj && a.dtype.is_complex() && a.neg && b.conj && !b.neg {
        // vdot(x, y) with a negative-bit x and a conjugate y is torch's conj(dot(x, conj(y))): a
        // lazy conjugate of the product with y read through its bit (x's bits resolved below).
        check_dot("vdot", a, b)?;
        let r = dot(a, &b.with_bits(false, false), false)?;
        return Ok(r.with_bits(!r.conj, r.neg));
    }
    if a.dtype.is_complex() && (a.conj || b.conj) && !a.neg && !b.neg {
        // torch's conjugate-bit rules: a conjugate operand is read through its bit by swapping
        // dot/vdot (or conjugating the result lazily), so the result may carry the bit. A
        // negative-bit operand instead materialises both (below), as in torch.
        check_dot(if conj { "vdot" } else { "dot" }, a, b)?;
        let raw = |t: &Tensor| t.with_bits(false, t.neg);
        let lazy = |r: Tensor| r.with_bits(!r.conj, r.neg);
        return match (conj, a.conj, b.conj) {
            (false, true, true) => Ok(lazy(dot(&raw(a), &raw(b), false)?)),
            (false, true, false) => dot(&raw(a), b, true),
            (false, false, _) => dot(&raw(b), a, true),
            (true, true, true) => dot(&raw(b), &raw(a), true),
            (true, true, false) => dot(&raw(a), b, false),
            (true, false, _) => Ok(lazy(dot(a, &raw(b), false)?)),
        };
    }
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    let op = if conj { "vdot" } else { "dot" };
    check_dot(op, a, b)?;
    let kernel = if conj && a.dtype == DType::C32 { "vdot" } else { "dot" };
    let out = Tensor::zeros(&[1, 1], a.dtype, Device::Cpu)?;
    product(kernel, &out, &unsqueeze(a, 0), &unsqueeze(b, 1), None, Pivot::I(1), conj && a.dtype.is_complex())?;
    Ok(out.with_layout(Layout::contiguous(&[])))
}

/// `torch.matmul(input, other)` with torch's rules for 1-D, 2-D and broadcast batched operands.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() == 1 && b.ndim() == 1 && a.dtype.is_complex() && (a.conj || b.conj) {
        // 1-D @ 1-D is torch.dot, conjugate-bit rules included (two conjugates give a lazy conjugate).
        require_cpu("matmul", &[a, b])?;
        return dot(a, b, false);
    }
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    require_cpu("matmul", &[a, b])?;
    let (d1, d2) = (a.ndim(), b.ndim());
    if d1 == 0 || d2 == 0 {
        bail!(runtime, "both arguments to matmul need to be at least 1D, but they are {d1}D and {d2}D");
    }
    match (d1, d2) {
        (1, 1) => dot(a, b, false),
        (2, 1) => {
            check_mv(a, b, None)?;
            check_addmv_dtypes(b, a, b)?;
            Ok(squeeze(&fresh_product("addmv_impl_cpu", a, &unsqueeze(b, 1))?, 1))
        }
        (1, 2) => Ok(squeeze(&mm_checked("mm", &unsqueeze(a, 0), b)?, 0)),
        (2, 2) => mm_checked("mm", a, b),
        (_, 1 | 2) if d1 >= 3 => {
            // Fold the batch dims of `a` into its rows (a view when the layout allows; otherwise the
            // batched kernel reads it in place, and only a failing call copies to word its error).
            let k = a.shape()[d1 - 1];
            let rows: usize = a.shape()[..d1 - 1].iter().product();
            let inner = b.shape()[0];
            let a2 = match a.layout.view_strides(&[rows, k]) {
                Some(strides) => a.with_layout(Layout { shape: vec![rows, k], strides, offset: a.layout.offset }),
                None if k == inner && a.dtype == b.dtype => return batched_matmul(a, b),
                None => a.contiguous()?.with_layout(Layout::contiguous(&[rows, k])),
            };
            let mut shape = a.shape()[..d1 - 1].to_vec();
            let r = if d2 == 1 {
                check_mv(&a2, b, None)?;
                check_addmv_dtypes(b, a, b)?;
                fresh_product("addmv_impl_cpu", &a2, &unsqueeze(b, 1))?
            } else {
                shape.push(b.shape()[1]);
                mm_checked("mm", &a2, b)?
            };
            Ok(r.with_layout(Layout::contiguous(&shape)))
        }
        _ => batched_matmul(a, b),
    }
}

fn check_addmv_dtypes(input: &Tensor, a: &Tensor, v: &Tensor) -> Result<()> {
    if input.dtype != a.dtype || a.dtype != v.dtype {
        bail!(
            runtime,
            "addmv input tensors must have the same dtype, but got {}, {}, and {}",
            input.dtype.scalar_name(),
            a.dtype.scalar_name(),
            v.dtype.scalar_name()
        );
    }
    Ok(())
}

fn mm_checked(op: &str, a: &Tensor, b: &Tensor) -> Result<Tensor> {
    check_mm(op, a, b)?;
    check_same_mm_dtype(a, b)?;
    fresh_product("addmm_impl_cpu_", a, b)
}

/// The general case: at least one operand has 3+ dims; batch dims broadcast.
fn batched_matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    let (d1, d2) = (a.ndim(), b.ndim());
    let a3 = if d1 == 1 { unsqueeze(a, 0) } else { a.clone() };
    let b3 = if d2 == 1 { unsqueeze(b, 1) } else { b.clone() };
    let (n, k) = (a3.shape()[a3.ndim() - 2], a3.shape()[a3.ndim() - 1]);
    let (k2, p) = (b3.shape()[b3.ndim() - 2], b3.shape()[b3.ndim() - 1]);
    let ba = &a3.shape()[..a3.ndim() - 2];
    let bb = &b3.shape()[..b3.ndim() - 2];
    let batch = broadcast_shapes(ba, bb)?;
    let nb: usize = batch.iter().product();
    if k != k2 {
        bail!(
            runtime,
            "Expected size for first two dimensions of batch2 tensor to be: [{nb}, {k}] but got: [{nb}, {k2}]."
        );
    }
    if a.dtype != b.dtype {
        bail!(runtime, "expected scalar type {} but found {}", a.dtype.scalar_name(), b.dtype.scalar_name());
    }
    let full = |t: &Tensor, r: usize, c: usize| -> Result<Tensor> {
        let mut s = batch.clone();
        s.extend([r, c]);
        t.expand_to(&s)
    };
    let r = fresh_product("bmm", &full(&a3, n, k)?, &full(&b3, k, p)?)?;
    let mut shape = batch.clone();
    if d1 > 1 {
        shape.push(n);
    }
    if d2 > 1 {
        shape.push(p);
    }
    Ok(r.with_layout(Layout::contiguous(&shape)))
}

/// The broadcast of `input` to `shape`, with torch's expand message.
fn expand_input(input: &Tensor, shape: &[usize]) -> Result<Tensor> {
    if let Some(l) = input.layout.expand(shape) {
        return Ok(input.with_layout(l));
    }
    let lead = shape.len().saturating_sub(input.ndim());
    let mut bad = (0, 0, 0);
    for (i, &n) in input.shape().iter().enumerate().rev() {
        let want = shape.get(i + lead).copied().unwrap_or(0);
        if n != 1 && n != want {
            bad = (want, n, i + lead);
            break;
        }
    }
    bail!(
        runtime,
        "The expanded size of the tensor ({}) must match the existing size ({}) at non-singleton dimension {}.  Target sizes: {:?}.  Tensor sizes: {:?}",
        bad.0,
        bad.1,
        bad.2,
        shape,
        input.shape()
    );
}

/// Computes `beta * input + alpha * prod` into a fresh tensor of `shape`, or in place into
/// `input` itself (`inplace`), where `run` writes the product with the given beta.
fn with_input(
    input: &Tensor,
    operands: [&Tensor; 2],
    shape: &[usize],
    beta: Option<Pivot>,
    inplace: bool,
    run: impl FnOnce(&Tensor, Option<Pivot>) -> Result<()>,
) -> Result<Tensor> {
    let dt = input.dtype;
    let beta = coef(beta, dt)?;
    let beta = (!is_zero(beta)).then_some(beta);
    if inplace {
        if input.shape() != shape {
            bail!(
                runtime,
                "Bad in-place call: input tensor size {:?} and output tensor size {:?} should match",
                input.shape(),
                shape
            );
        }
        input.check_writable()?;
        // An in-place update of a view that overlaps itself (or the operands) goes through a temporary.
        let aliased = operands.iter().any(|t| std::sync::Arc::ptr_eq(&t.storage, &input.storage));
        if input.layout.is_non_overlapping_and_dense() && !aliased {
            run(input, beta)?;
        } else {
            let tmp = input.contiguous_copy()?;
            run(&tmp, beta)?;
            input.copy_(&tmp)?;
        }
        return Ok(input.clone());
    }
    let e = expand_input(input, shape)?;
    let out = match beta {
        Some(_) => {
            let o = Tensor::for_overwrite(shape, dt)?;
            o.copy_(&e)?;
            o
        }
        None => Tensor::zeros(shape, dt, Device::Cpu)?,
    };
    run(&out, beta)?;
    Ok(out)
}

/// `torch.addmm(input, mat1, mat2, *, beta, alpha)` (and `addmm_` when `inplace`).
pub fn addmm(input: &Tensor, a: &Tensor, b: &Tensor, beta: Option<Pivot>, alpha: Option<Pivot>, inplace: bool) -> Result<Tensor> {
    if inplace && input.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = input.resolve_bits(true, true)?;
        addmm(&tmp, a, b, beta, alpha, true)?;
        input.copy_(&tmp)?;
        return Ok(input.clone());
    }
    crate::resolve_bits!(input);
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    require_cpu("addmm", &[input])?;
    check_mm("addmm", a, b)?;
    if input.dtype != b.dtype || a.dtype != b.dtype {
        let other = if input.dtype != b.dtype { b } else { a };
        bail!(
            runtime,
            "self and mat2 must have the same dtype, but got {} and {}",
            input.dtype.scalar_name(),
            other.dtype.scalar_name()
        );
    }
    let alpha = coef(alpha, input.dtype)?;
    let shape = [a.shape()[0], b.shape()[1]];
    with_input(input, [a, b], &shape, beta, inplace, |d, bt| product("addmm_impl_cpu_", d, a, b, bt, alpha, false))
}

/// `torch.addmv(input, mat, vec, *, beta, alpha)`.
pub fn addmv(input: &Tensor, a: &Tensor, v: &Tensor, beta: Option<Pivot>, alpha: Option<Pivot>, inplace: bool) -> Result<Tensor> {
    if inplace && input.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = input.resolve_bits(true, true)?;
        addmv(&tmp, a, v, beta, alpha, true)?;
        input.copy_(&tmp)?;
        return Ok(input.clone());
    }
    crate::resolve_bits!(input);
    crate::resolve_bits!(a);
    crate::resolve_bits!(v);
    require_cpu("addmv", &[input])?;
    check_mv(a, v, Some(input))?;
    check_addmv_dtypes(input, a, v)?;
    let alpha = coef(alpha, input.dtype)?;
    let shape = [a.shape()[0]];
    let vcol = unsqueeze(v, 1);
    with_input(input, [a, v], &shape, beta, inplace, |d, bt| {
        product("addmv_impl_cpu", &unsqueeze(d, 1), a, &vcol, bt, alpha, false)
    })
}

/// `torch.baddbmm(input, batch1, batch2, *, beta, alpha)`.
pub fn baddbmm(input: &Tensor, a: &Tensor, b: &Tensor, beta: Option<Pivot>, alpha: Option<Pivot>, inplace: bool) -> Result<Tensor> {
    if inplace && input.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = input.resolve_bits(true, true)?;
        baddbmm(&tmp, a, b, beta, alpha, true)?;
        input.copy_(&tmp)?;
        return Ok(input.clone());
    }
    crate::resolve_bits!(input);
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    require_cpu("baddbmm", &[input])?;
    check_bmm(a, b)?;
    if input.dtype != a.dtype || a.dtype != b.dtype {
        bail!(
            runtime,
            "Input dtypes must be the same, got: input {}, batch1: {}, batch2: {}",
            cxx_name(input.dtype),
            cxx_name(a.dtype),
            cxx_name(b.dtype)
        );
    }
    let alpha = coef(alpha, input.dtype)?;
    let shape = [a.shape()[0], a.shape()[1], b.shape()[2]];
    with_input(input, [a, b], &shape, beta, inplace, |d, bt| product("bmm", d, a, b, bt, alpha, false))
}

/// `torch.addbmm(input, batch1, batch2, *, beta, alpha)`: the batch products are summed.
pub fn addbmm(input: &Tensor, a: &Tensor, b: &Tensor, beta: Option<Pivot>, alpha: Option<Pivot>, inplace: bool) -> Result<Tensor> {
    if inplace && input.has_bits() {
        // A lazy conjugate/negative target: run on a resolved copy, then store it back.
        let tmp = input.resolve_bits(true, true)?;
        addbmm(&tmp, a, b, beta, alpha, true)?;
        input.copy_(&tmp)?;
        return Ok(input.clone());
    }
    crate::resolve_bits!(input);
    crate::resolve_bits!(a);
    crate::resolve_bits!(b);
    require_cpu("addbmm", &[input, a, b])?;
    if a.ndim() != 3 {
        bail!(runtime, "batch1 must be a 3D tensor");
    }
    if b.ndim() != 3 {
        bail!(runtime, "batch2 must be a 3D tensor");
    }
    if a.shape()[0] != b.shape()[0] {
        bail!(runtime, "batch1 and batch2 must have same number of batches, got {} and {}", a.shape()[0], b.shape()[0]);
    }
    if a.shape()[2] != b.shape()[1] {
        bail!(
            runtime,
            "Incompatible matrix sizes for bmm ({}x{} and {}x{})",
            a.shape()[1],
            a.shape()[2],
            b.shape()[1],
            b.shape()[2]
        );
    }
    for (x, y) in [(input, b), (a, b)] {
        if x.dtype != y.dtype {
            bail!(runtime, "self and mat2 must have the same dtype, but got {} and {}", x.dtype.scalar_name(), y.dtype.scalar_name());
        }
    }
    let alpha = coef(alpha, input.dtype)?;
    let shape = [a.shape()[1], b.shape()[2]];
    with_input(input, [a, b], &shape, beta, inplace, |d, bt| {
        if a.shape()[0] == 0 {
            return scale_only(d, bt);
        }
        let mut bt = bt;
        for i in 0..a.shape()[0] {
            let (ai, bi) = (a.with_layout(a.layout.select(0, i)), b.with_layout(b.layout.select(0, i)));
            product("addbmm", d, &ai, &bi, bt, alpha, false)?;
            bt = Some(Pivot::I(1));
        }
        Ok(())
    })
}

/// `torch.trace(input)`: the sum of the main diagonal (integers accumulate as int64).
pub fn trace(t: &Tensor) -> Result<Tensor> {
    crate::resolve_bits!(t);
    require_cpu("trace", &[t])?;
    crate::ops::newdt::reject(t.dtype, "trace", crate::ops::newdt::Refuse::All)?;
    if t.ndim() != 2 {
        bail!(runtime, "trace: expected a matrix, but got tensor with dim {}", t.ndim());
    }
    if t.dtype == DType::Bool {
        bail!(not_implemented, "\"trace\" not implemented for 'Bool'");
    }
    let out_dt = if t.dtype.is_integral(false) { DType::I64 } else { t.dtype };
    let n = t.shape()[0].min(t.shape()[1]);
    let diag = t.with_layout(Layout { shape: vec![n], strides: vec![t.strides()[0] + t.strides()[1]], offset: t.layout.offset });
    let mut acc = (0i64, 0f64, 0f64);
    for p in diag.to_pivots()? {
        match p {
            Pivot::I(i) => acc.0 = acc.0.wrapping_add(i),
            Pivot::F(f) => acc.1 += f,
            Pivot::C(r, i) => {
                acc.1 += r;
                acc.2 += i
            }
            Pivot::B(b) => acc.0 += b as i64,
        }
    }
    let v = if out_dt == DType::I64 {
        Pivot::I(acc.0)
    } else if out_dt.is_complex() {
        Pivot::C(acc.1, acc.2)
    } else {
        Pivot::F(acc.1)
    };
    crate::tensor::create::from_pivots(&[v], &[], out_dt)
}
