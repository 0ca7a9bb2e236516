//! Random fills and samplers that draw from a generator exactly as torch's CPU kernels do
//! (docs/RNG.md), so a seed or a loaded state reproduces torch's values bit for bit.
// Checks are written `!(x > 0.0)` on purpose: NaN must fail them, as in torch's TORCH_CHECKs.
#![allow(clippy::neg_cmp_op_on_partial_ord)]
mod multinomial;

use half::{bf16, f16};

use crate::backend::cpu::iter::for_each_row;
use crate::bail;
use crate::device::Device;
use crate::dispatch;
use crate::dtype::DType;
use crate::element::{Element, Pivot};
use crate::error::Result;
use crate::layout::Layout;
use crate::random::{GenState, Generator, normal};
use crate::tensor::Tensor;
pub use multinomial::multinomial;

// ----- element access -----

/// `layout` with its dims ordered outermost-first by |stride|: the loop order TensorIterator
/// gives an output, so draws go to elements in memory order, not logical order.
fn memory_order(layout: &Layout) -> Vec<usize> {
    let mut dims: Vec<usize> = (0..layout.ndim()).collect();
    dims.sort_by_key(|&d| std::cmp::Reverse(layout.strides[d].unsigned_abs()));
    dims
}

/// Calls `f` on each element of the CPU tensor `t` in memory order.
fn for_each_elem<T: Element>(t: &Tensor, mut f: impl FnMut(&mut T)) {
    let l = t.layout.permute(&memory_order(&t.layout));
    let base = t.storage.as_ptr() as *mut T;
    for_each_row(&l.shape, [&l.strides], [l.offset as isize], |[o], n, [s]| {
        for i in 0..n as isize {
            // SAFETY: every offset lies inside the tensor's layout, which lies inside its storage.
            unsafe { f(&mut *base.offset(o + i * s)) }
        }
    });
}

/// Like `for_each_elem`, also passing the matching element of `p` (a CPU tensor of `t`'s shape,
/// possibly broadcast), read as f64. The loop order is still `t`'s memory order.
fn for_each_elem_with<T: Element, P: Element>(t: &Tensor, p: &Tensor, mut f: impl FnMut(&mut T, f64)) {
    let dims = memory_order(&t.layout);
    let (lt, lp) = (t.layout.permute(&dims), p.layout.permute(&dims));
    let (out, inp) = (t.storage.as_ptr() as *mut T, p.storage.as_ptr() as *const P);
    let base = [lt.offset as isize, lp.offset as isize];
    for_each_row(&lt.shape, [&lt.strides, &lp.strides], base, |[o, q], n, [so, sq]| {
        for i in 0..n as isize {
            // SAFETY: both layouts have the same shape and lie inside their storages.
            let pv = match unsafe { *inp.offset(q + i * sq) }.to_pivot() {
                Pivot::F(v) => v,
                _ => f64::NAN,
            };
            // SAFETY: as above, for the output.
            unsafe { f(&mut *out.offset(o + i * so), pv) }
        }
    });
}

/// Runs `f` on the elements of a contiguous CPU tensor as one mutable slice.
///
/// # Safety
/// `t` must be contiguous with element type `T`, and nothing else may access its elements
/// while `f` runs.
unsafe fn with_contiguous<T, R>(t: &Tensor, f: impl FnOnce(&mut [T]) -> R) -> R {
    // SAFETY: the caller guarantees the contiguous layout, the element type and exclusivity.
    f(unsafe { std::slice::from_raw_parts_mut(t.data_ptr() as *mut T, t.numel()) })
}

/// `static_cast<T>` as torch's kernels apply it: double -> float16/bfloat16 rounds through
/// float (c10's half types only convert from float). The rounding is done here with
/// `from_f32`, so `from_pivot` (whose f64 path is not correctly rounded) gets an exact value.
#[inline]
fn cast<T: Element>(p: Pivot) -> T {
    match (p, T::DTYPE) {
        (Pivot::F(v), DType::F16) => T::from_pivot(Pivot::F(f16::from_f32(v as f32).to_f64())),
        (Pivot::F(v), DType::BF16) => T::from_pivot(Pivot::F(bf16::from_f32(v as f32).to_f64())),
        (p, _) => T::from_pivot(p),
    }
}

/// Fills `t` in memory order with one `draw` per element.
fn fill_with(t: &Tensor, s: &mut GenState, mut draw: impl FnMut(&mut GenState) -> Pivot) {
    dispatch!(t.dtype, T => for_each_elem::<T>(t, |v| *v = cast::<T>(draw(s))));
}

/// `view_as_real`: a complex tensor as its real dtype with a trailing dim of 2.
fn view_as_real(t: &Tensor) -> Tensor {
    let mut l = t.layout.clone();
    l.strides.iter_mut().for_each(|s| *s *= 2);
    l.shape.push(2);
    l.strides.push(1);
    l.offset *= 2;
    Tensor::from_storage(t.storage.clone(), l, t.dtype.to_real())
}

/// `empty_like(t)` with preserve_format: `t`'s strides when it is non-overlapping and dense
/// (so fills land in the same memory order), else contiguous. Zero-filled, on the CPU.
pub fn empty_like(t: &Tensor, dtype: DType) -> Result<Tensor> {
    let out = Tensor::zeros(t.shape(), dtype, Device::Cpu)?;
    let l = &t.layout;
    let mut dims: Vec<usize> = (0..l.ndim()).filter(|&d| l.shape[d] != 1).collect();
    dims.sort_by_key(|&d| l.strides[d]);
    let mut expected = 1isize;
    for d in dims {
        if l.strides[d] != expected {
            return Ok(out);
        }
        expected *= l.shape[d] as isize;
    }
    Ok(out.with_layout(Layout { shape: l.shape.clone(), strides: l.strides.clone(), offset: 0 }))
}

/// Runs the fill `f` on the stored values of `t`, a conjugate or negative view, then stores the
/// bits' transform of what was drawn, so that reading through the view gives the drawn values
/// (torch's result: the same values a plain tensor gets from the same generator state).
fn through_bits<R>(t: &Tensor, f: impl FnOnce(&Tensor) -> Result<R>) -> Result<R> {
    let raw = t.with_bits(false, false);
    let r = f(&raw)?;
    let logical = t.resolved()?.into_owned();
    raw.copy_(&logical)?;
    Ok(r)
}

/// An in-place fill needs a writable CPU tensor whose elements are distinct (no expanded dims).
fn check_cpu(t: &Tensor, op: &str) -> Result<()> {
    if t.device() != Device::Cpu {
        bail!(not_implemented, "[{op}] random fills on CUDA tensors are not implemented yet");
    }
    if t.shape().iter().zip(t.strides()).any(|(&n, &s)| n > 1 && s == 0) {
        bail!(
            runtime,
            "unsupported operation: more than one element of the written-to tensor refers to a single memory \
             location. Please clone() the tensor before performing the operation."
        );
    }
    t.check_writable()
}

/// Runs a fill under the generator's lock and marks `t` as written.
fn locked<R>(t: &Tensor, g: &Generator, fill: impl FnOnce(&mut GenState) -> R) -> Result<R> {
    let r = fill(&mut *g.lock()?);
    t.storage.bump_version();
    Ok(r)
}

/// Doubles in error messages, printed like C++ streams do for the common cases.
fn num(x: f64) -> String {
    if x.is_nan() { "nan".into() } else { format!("{x}") }
}

/// The C++ type name torch's range errors print.
fn cpp_name(dt: DType) -> &'static str {
    match dt {
        DType::Bool => "bool",
        DType::U8 => "unsigned char",
        DType::I8 => "signed char",
        DType::I16 => "short int",
        DType::I32 => "int",
        DType::I64 => "long int",
        DType::F16 => "c10::Half",
        DType::BF16 => "c10::BFloat16",
        DType::F32 => "float",
        DType::F64 => "double",
        _ => dt.scalar_name(),
    }
}

/// `numeric_limits<T>::lowest()/max()` of a floating dtype.
fn float_limits(dt: DType) -> Option<(f64, f64)> {
    let max = match dt {
        DType::F16 => f16::MAX.to_f64(),
        DType::BF16 => bf16::MAX.to_f64(),
        DType::F32 => f32::MAX as f64,
        DType::F64 => f64::MAX,
        _ => return None,
    };
    Some((-max, max))
}

/// `numeric_limits<T>::digits` of a floating dtype.
fn float_digits(dt: DType) -> u32 {
    match dt {
        DType::F16 => 11,
        DType::BF16 => 8,
        DType::F32 => 24,
        _ => 53,
    }
}

fn check_floating(t: &Tensor, what: &str) -> Result<()> {
    if !t.dtype.is_floating_point() {
        bail!(
            runtime,
            "{what} distribution is a continuous probability distribution. dtype must be a floating point but you specified {}",
            t.dtype.scalar_name()
        );
    }
    Ok(())
}

// ----- uniform and normal -----

/// `uniform_kernel` (docs/RNG.md section 2): opmath f64 for double, f32 otherwise, a fused
/// multiply-add, and for float16/bfloat16 a value that rounds up to `to` becomes `from`.
fn uniform_fill<T: Element>(t: &Tensor, from: f64, to: f64, s: &mut GenState) {
    if T::DTYPE == DType::F64 {
        let span = to - from;
        for_each_elem::<T>(t, |v| *v = cast::<T>(Pivot::F(s.uniform_f64().mul_add(span, from))));
        return;
    }
    let (lo, hi) = (from as f32, to as f32);
    let span = hi - lo;
    let reduced = T::DTYPE != DType::F32;
    let (to_t, from_t) = (cast::<T>(Pivot::F(to)), cast::<T>(Pivot::F(from)));
    for_each_elem::<T>(t, |v| {
        let x = cast::<T>(Pivot::F(s.uniform_f32().mul_add(span, lo) as f64));
        *v = if reduced && x.to_pivot() == to_t.to_pivot() { from_t } else { x };
    });
}

/// `uniform_(from, to)`; complex tensors fill their real and imaginary parts.
pub fn uniform_(t: &Tensor, from: f64, to: f64, g: &Generator) -> Result<()> {
    if t.has_bits() {
        return through_bits(t, |r| uniform_(r, from, to, g));
    }
    check_cpu(t, "uniform_")?;
    if t.dtype.is_complex() {
        return uniform_(&view_as_real(t), from, to, g);
    }
    let Some((min, max)) = float_limits(t.dtype) else {
        bail!(not_implemented, "\"check_uniform_bounds\" not implemented for '{}'", t.dtype.scalar_name());
    };
    for (v, name) in [(from, "from"), (to, "to")] {
        if !(v >= min && v <= max) {
            bail!(runtime, "{name} is out of bounds for {}", cpp_name(t.dtype));
        }
    }
    if from > to {
        bail!(runtime, "uniform_ expects to return a [from, to) range, but found from={} > to={}", num(from), num(to));
    }
    if to - from > max {
        bail!(
            runtime,
            "uniform_ expects to-from <= std::numeric_limits<{}>::max(), but found to={} and from={} which result in to-from to exceed the limit",
            t.dtype.scalar_name(),
            num(to),
            num(from)
        );
    }
    locked(t, g, |s| dispatch!(t.dtype, T => uniform_fill::<T>(t, from, to, s)))
}

/// `normal_kernel` (docs/RNG.md section 3): contiguous tensors of 16+ elements take the block
/// Box-Muller paths, everything else the cached scalar path in memory order.
fn normal_fill(t: &Tensor, mean: f64, std: f64, s: &mut GenState) {
    if t.numel() < 16 || !t.is_contiguous() {
        return fill_with(t, s, |s| Pivot::F(s.normal_f64(mean, std)));
    }
    let (m32, s32) = (mean as f32, std as f32);
    // SAFETY (all arms): `t` is contiguous, the arm matches its dtype, and the fill is the only
    // access to its elements while it runs.
    unsafe {
        match t.dtype {
            DType::F32 => with_contiguous(t, |d: &mut [f32]| {
                normal::fill_in_place(d, || s.uniform_f32(), |b| normal::fill16_f32(b, m32, s32))
            }),
            DType::F64 => with_contiguous(t, |d: &mut [f64]| {
                normal::fill_in_place(d, || s.uniform_f64(), |b| normal::fill16_f64(b, mean, std))
            }),
            DType::F16 => with_contiguous(t, |d| normal::fill_reduced(d, || s.uniform_f32(), m32, s32, f16::from_f32)),
            DType::BF16 => {
                with_contiguous(t, |d| normal::fill_reduced(d, || s.uniform_f32(), m32, s32, bf16::from_f32))
            }
            _ => {}
        }
    }
}

fn check_normal_std(std: f64) -> Result<()> {
    if !(std >= 0.0) {
        bail!(runtime, "normal expects std >= 0.0, but found std {}", num(std));
    }
    Ok(())
}

/// `normal_(mean, std)`; complex tensors draw both parts with std / sqrt(2).
pub fn normal_(t: &Tensor, mean: f64, std: f64, g: &Generator) -> Result<()> {
    if t.has_bits() {
        return through_bits(t, |r| normal_(r, mean, std, g));
    }
    check_cpu(t, "normal_")?;
    check_normal_std(std)?;
    if t.dtype.is_complex() {
        return normal_(&view_as_real(t), mean, std / 2f64.sqrt(), g);
    }
    if !t.dtype.is_floating_point() {
        bail!(not_implemented, "\"normal_kernel_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    locked(t, g, |s| normal_fill(t, mean, std, s))
}

/// A `torch.normal` argument: a tensor or a number.
pub enum Param<'a> {
    Tensor(&'a Tensor),
    Scalar(f64),
}

/// `torch.normal` with a tensor mean and/or std: `normal_(0, 1)` over the broadcast shape, then
/// `out.mul_(std).add_(mean)` as two rounded in-place ops (std folded into the fill when it is
/// a number). The result takes the mean tensor's dtype, else the std tensor's.
pub fn normal_tensor(mean: Param<'_>, std: Param<'_>, g: &Generator) -> Result<Tensor> {
    match std {
        Param::Scalar(v) => check_normal_std(v)?,
        Param::Tensor(t) => {
            if t.dtype.is_complex() {
                bail!(runtime, "normal expects standard deviation to be non-complex");
            }
            if floats_of(t)?.iter().any(|&v| !(v >= 0.0)) {
                bail!(runtime, "normal expects all elements of std >= 0.0");
            }
        }
    }
    let (shape, dtype, device) = match (&mean, &std) {
        (Param::Tensor(m), Param::Tensor(s)) => {
            (crate::layout::broadcast_shapes(m.shape(), s.shape())?, m.dtype, m.device())
        }
        (Param::Tensor(t), Param::Scalar(_)) | (Param::Scalar(_), Param::Tensor(t)) => {
            (t.shape().to_vec(), t.dtype, t.device())
        }
        (Param::Scalar(_), Param::Scalar(_)) => {
            bail!(runtime, "normal with tensor arguments needs a tensor mean or std")
        }
    };
    let out = Tensor::zeros(&shape, dtype, Device::Cpu)?;
    normal_(&out, 0.0, if let Param::Scalar(v) = std { v } else { 1.0 }, g)?;
    let mut vals = floats_of(&out)?;
    if let Param::Tensor(s) = std {
        combine(&mut vals, dtype, &shape, s, |a, b| a * b)?;
    }
    match mean {
        Param::Tensor(m) => combine(&mut vals, dtype, &shape, m, |a, b| a + b)?,
        // `full({}, mean, out.options())`: the number is first rounded to the output dtype.
        Param::Scalar(m) => {
            let m = dispatch!(dtype, T => cast::<T>(Pivot::F(m)).to_pivot());
            combine(&mut vals, dtype, &shape, &Tensor::full(&[], m, dtype, Device::Cpu)?, |a, b| a + b)?
        }
    }
    let p: Vec<Pivot> = vals.into_iter().map(Pivot::F).collect();
    crate::tensor::create::from_pivots(&p, &shape, dtype)?.to_device(device)
}

/// Values of `t` in logical order as f64 (exact for every real dtype up to 2^53).
fn floats_of(t: &Tensor) -> Result<Vec<f64>> {
    Ok(t.to_pivots()?
        .into_iter()
        .map(|p| match p {
            Pivot::F(v) | Pivot::C(v, _) => v,
            Pivot::I(i) => i as f64,
            Pivot::B(b) => b as u8 as f64,
        })
        .collect())
}

/// `out.op_(other)` for an output of dtype `dt`: computed in double when either side is double,
/// else in float, then rounded to `dt` (double -> half types through float).
fn combine(out: &mut [f64], dt: DType, shape: &[usize], other: &Tensor, op: impl Fn(f64, f64) -> f64) -> Result<()> {
    let b = floats_of(&other.expand_to(shape)?)?;
    let wide = dt == DType::F64 || other.dtype == DType::F64;
    for (a, &b) in out.iter_mut().zip(&b) {
        // f32 arithmetic done in f64 and rounded once is exact (53 >= 2*24 + 2).
        let r = if wide { op(*a, b) } else { op(*a as f32 as f64, b as f32 as f64) as f32 as f64 };
        *a = dispatch!(dt, T => match cast::<T>(Pivot::F(r)).to_pivot() { Pivot::F(v) => v, _ => r });
    }
    Ok(())
}

// ----- integers -----

/// `numeric_limits<T>::lowest()/max()` of an integral dtype (bool is 0..=1).
fn int_limits(dt: DType) -> Option<(i64, i64)> {
    Some(match dt {
        DType::Bool => (0, 1),
        DType::U8 => (0, u8::MAX as i64),
        DType::I8 => (i8::MIN as i64, i8::MAX as i64),
        DType::I16 => (i16::MIN as i64, i16::MAX as i64),
        DType::I32 => (i32::MIN as i64, i32::MAX as i64),
        DType::I64 => (i64::MIN, i64::MAX),
        _ => return None,
    })
}

/// `check_from_to_in_range`: both ends must fit the dtype. Returns torch's warnings for float
/// bounds beyond 2^digits, where not every integer is representable.
fn check_from_to_in_range(dt: DType, from: i64, to_inc: i64) -> Result<Vec<String>> {
    let fits = |v: i64| match (float_limits(dt), int_limits(dt)) {
        (Some((lo, hi)), _) => Some(v as f64 >= lo && v as f64 <= hi),
        (None, Some((lo, hi))) => Some(v >= lo && v <= hi),
        (None, None) => None,
    };
    let mut warnings = Vec::new();
    for (v, name) in [(from, "from"), (to_inc, "to - 1")] {
        match fits(v) {
            None => bail!(runtime, "check_random_bounds handles only integral, floating-point and boolean types"),
            Some(false) => bail!(runtime, "{name} is out of bounds for {}", cpp_name(dt)),
            Some(true) => {}
        }
        let digits = float_digits(dt);
        if dt.is_floating_point() && v.unsigned_abs() > 1u64 << digits {
            warnings.push(format!(
                "{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision limitations {} can support \
                 discrete uniform distribution only within this range. This warning will become an error in version \
                 1.7 release, please fix the code in advance",
                cpp_name(dt)
            ));
        }
    }
    Ok(warnings)
}

/// `static_cast<int64_t>(static_cast<T>(v))` for a floating dtype.
fn round_trip(dt: DType, v: i64) -> i64 {
    i64::from_pivot(dispatch!(dt, T => T::from_pivot(Pivot::I(v)).to_pivot()))
}

/// floor(log2(|v|)), 0 for |v| <= 1 (torch's shift loop).
fn log2_abs(v: i64) -> i64 {
    63 - (v.unsigned_abs() | 1).leading_zeros() as i64
}

/// `2^k` for the adjustments below; 0 where C++ would shift out of range.
fn pow2(k: i64) -> i64 {
    if (0..63).contains(&k) { 1 << k } else { 0 }
}

/// `update_from<T>`: raises `from` when `(T)(from + 1)` rounds below it.
fn update_from(dt: DType, from: i64) -> i64 {
    let fp1 = round_trip(dt, from.wrapping_add(1));
    if fp1 >= from {
        return from;
    }
    fp1.wrapping_add(pow2(log2_abs(from.wrapping_add(1)) - float_digits(dt) as i64 + 1))
}

/// `update_to<T>`: lowers `to` when `(T)(to - 1)` rounds up to `to` or beyond.
fn update_to(dt: DType, to: i64) -> i64 {
    let tm1 = round_trip(dt, to.wrapping_sub(1));
    if tm1 < to {
        return to;
    }
    tm1.wrapping_sub(pow2(log2_abs(to.wrapping_sub(1)) - float_digits(dt) as i64 + 1))
}

/// `uniform_int_from_to`: 64-bit draws from a range of 2^28 on, u64 arithmetic throughout.
#[inline]
fn draw_in_range(s: &mut GenState, range: u64, base: i64) -> i64 {
    let v = if range >= 1 << 28 { s.random64() } else { s.random() as u64 };
    // A zero range (all 2^64 values) cannot reach here; keep the raw draw rather than trap.
    v.checked_rem(range).unwrap_or(v).wrapping_add(base as u64) as i64
}

/// `random_(from, to)` and `random_(from, None)` (up to the dtype's largest value, inclusive);
/// `from = i64::MIN` with no `to` draws all 64 bits. Float dtypes first move the bounds to
/// representable integers (`update_from`/`update_to`). Returns torch's precision warnings.
pub fn random_from_to_(t: &Tensor, from: i64, to: Option<i64>, g: &Generator) -> Result<Vec<String>> {
    if t.has_bits() {
        return through_bits(t, |r| random_from_to_(r, from, to, g));
    }
    check_cpu(t, "random_")?;
    let dt = t.dtype;
    let float = dt.is_floating_point();
    let (from, to_inc) = match to {
        Some(to) => {
            if from >= to {
                bail!(runtime, "random_ expects 'from' to be less than 'to', but got from={from} >= to={to}");
            }
            let (from, to) = if float { (update_from(dt, from), update_to(dt, to)) } else { (from, to) };
            if from >= to {
                bail!(
                    runtime,
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to dtype, but got from={from} >= to={to}"
                );
            }
            (from, to - 1)
        }
        None if from != i64::MIN => {
            let (from, to_inc) = if float {
                let (from, to_inc) = (update_from(dt, from), 1i64 << float_digits(dt));
                if from >= to_inc {
                    bail!(
                        runtime,
                        "random_ expects 'from' casted to dtype to be less than or equal to 'to_inc' casted to dtype, but got from={from} > to_inc={to_inc}"
                    );
                }
                (from, to_inc)
            } else if let Some((_, max)) = int_limits(dt) {
                (from, max)
            } else {
                bail!(runtime, "random_from_to_impl handles only integral, floating-point and boolean types");
            };
            (from, to_inc)
        }
        None => {
            if t.numel() == 0 {
                return Ok(Vec::new());
            }
            match dt {
                DType::I64 | DType::F64 | DType::F32 | DType::BF16 => {}
                DType::Bool | DType::U8 | DType::I8 | DType::I16 | DType::I32 => {
                    bail!(
                        runtime,
                        "random_full_64_bits_range_kernel_cpu handles only int64, double, float and bfloat16"
                    )
                }
                _ => bail!(
                    not_implemented,
                    "\"random_full_64_bits_range_kernel_cpu\" not implemented for '{}'",
                    dt.scalar_name()
                ),
            }
            locked(t, g, |s| fill_with(t, s, |s| Pivot::I(s.random64() as i64)))?;
            return Ok(Vec::new());
        }
    };
    let warnings = check_from_to_in_range(dt, from, to_inc)?;
    let range = (to_inc as u64).wrapping_sub(from as u64).wrapping_add(1);
    if t.numel() > 0 {
        locked(t, g, |s| fill_with(t, s, |s| Pivot::I(draw_in_range(s, range, from))))?;
    }
    Ok(warnings)
}

/// `random_()`: `uniform_int_distribution<T>`, a draw modulo the dtype's span of exactly
/// representable non-negative integers.
pub fn random_(t: &Tensor, g: &Generator) -> Result<()> {
    if t.has_bits() {
        return through_bits(t, |r| random_(r, g));
    }
    check_cpu(t, "random_")?;
    if t.numel() == 0 {
        return Ok(());
    }
    let (wide, modulus): (bool, u64) = match t.dtype {
        DType::Bool => (false, 2),
        DType::U8 => (false, 1 << 8),
        DType::I8 => (false, 1 << 7),
        DType::I16 => (false, 1 << 15),
        DType::I32 => (false, 1 << 31),
        DType::I64 => (true, 1 << 63),
        DType::F64 => (true, (1 << 53) + 1),
        dt @ (DType::F32 | DType::F16 | DType::BF16) => (false, (1 << float_digits(dt)) + 1),
        dt => bail!(not_implemented, "\"random_kernel_cpu\" not implemented for '{}'", dt.scalar_name()),
    };
    locked(t, g, |s| {
        fill_with(t, s, |s| {
            let v = if wide { s.random64() } else { s.random() as u64 };
            Pivot::I((v % modulus) as i64)
        })
    })
}

/// `randperm(n)`: forward Fisher-Yates with `random() % (n - i)`. From n = 2^32 / 20 torch
/// switches to an inside-out shuffle with 64-bit draws (taken from the source, not verified).
pub fn randperm(n: i64, dtype: DType, device: Device, g: &Generator) -> Result<Tensor> {
    if n < 0 {
        bail!(runtime, "n must be non-negative, got{n}");
    }
    if let Some((_, max)) = int_limits(dtype).filter(|_| dtype != DType::Bool)
        && n.max(1) - 1 > max
    {
        bail!(runtime, "value cannot be converted to type {}_t without overflow", dtype.name());
    }
    let limit = match dtype {
        DType::F16 => Some((2049, "2049 for Half")),
        DType::F32 => Some(((1 << 24) + 1, "2^24+1 for Float")),
        DType::F64 => Some(((1 << 53) + 1, "2^53+1 for Double")),
        _ => None,
    };
    if let Some((_, text)) = limit.filter(|&(l, _)| n > l) {
        bail!(runtime, "n cannot be greater than {text} type.");
    }
    if dtype == DType::Bool || dtype.is_complex() || dtype.is_barebones() {
        bail!(not_implemented, "\"randperm\" not implemented for '{}'", dtype.scalar_name());
    }
    let n = n as usize;
    let mut r: Vec<i64> = (0..n as i64).collect();
    {
        let mut s = g.lock()?;
        if (n as u64) < u64::from(u32::MAX / 20) {
            for i in 0..n.saturating_sub(1) {
                let z = s.random() as usize % (n - i);
                r.swap(i, i + z);
            }
        } else {
            for i in 0..n {
                let z = (s.random64() % (i as u64 + 1)) as usize;
                r[i] = r[z];
                r[z] = i as i64;
            }
        }
    }
    let out = Tensor::for_overwrite(&[n], dtype)?;
    dispatch!(dtype, T => {
        let write = |d: &mut [T]| d.iter_mut().zip(&r).for_each(|(o, &v)| *o = cast::<T>(Pivot::I(v)));
        // SAFETY: `out` was just created contiguous with this dtype and is not shared yet.
        unsafe { with_contiguous(&out, write) }
    });
    out.to_device(device)
}

// ----- bernoulli and the other element-wise distributions (docs/RNG.md section 5) -----

/// `bernoulli_(p)`: one double uniform per element, 1 where it falls below `p`.
pub fn bernoulli_scalar_(t: &Tensor, p: f64, g: &Generator) -> Result<()> {
    if t.has_bits() {
        return through_bits(t, |r| bernoulli_scalar_(r, p, g));
    }
    check_cpu(t, "bernoulli_")?;
    if !(0.0..=1.0).contains(&p) {
        bail!(runtime, "bernoulli_ expects p to be in [0, 1], but got p={}", num(p));
    }
    if t.dtype.is_complex() {
        bail!(not_implemented, "\"bernoulli_scalar_cpu_\" not implemented for '{}'", t.dtype.scalar_name());
    }
    locked(t, g, |s| fill_with(t, s, |s| Pivot::B(s.uniform_f64() < p)))
}

/// `bernoulli_(p_tensor)`: `p` broadcast to `t`; a double `p` is compared with a 53-bit
/// uniform, any other float `p` with a 24-bit one in float. Like torch's kernel, it stops with
/// an error at the first `p` outside [0, 1].
pub fn bernoulli_tensor_(t: &Tensor, p: &Tensor, g: &Generator) -> Result<()> {
    if t.has_bits() {
        return through_bits(t, |r| bernoulli_tensor_(r, p, g));
    }
    check_cpu(t, "bernoulli_")?;
    if t.dtype.is_complex() {
        bail!(not_implemented, "\"bernoulli_tensor_cpu_self_\" not implemented for '{}'", t.dtype.scalar_name());
    }
    if !p.dtype.is_floating_point() {
        bail!(not_implemented, "\"bernoulli_tensor_cpu_p_\" not implemented for '{}'", p.dtype.scalar_name());
    }
    let wide = p.dtype == DType::F64;
    let p = p.to_device(Device::Cpu)?.to_dtype(if wide { DType::F64 } else { DType::F32 }, false)?;
    let p = p.expand_to(t.shape())?;
    let bad = locked(t, g, |s| {
        let mut bad = false;
        dispatch!(t.dtype, T => {
            let step = |v: &mut T, q: f64| {
                if bad || !(0.0..=1.0).contains(&q) {
                    bad = true;
                    return;
                }
                let hit = if wide { s.uniform_f64() < q } else { s.uniform_f32() < q as f32 };
                *v = cast::<T>(Pivot::B(hit));
            };
            if wide { for_each_elem_with::<T, f64>(t, &p, step) } else { for_each_elem_with::<T, f32>(t, &p, step) }
        });
        bad
    })?;
    if bad {
        bail!(runtime, "Expected p_in >= 0 && p_in <= 1 to be true, but got false.");
    }
    Ok(())
}

/// `torch.bernoulli(input)` (each element its own p) or `torch.bernoulli(input, p)`: a fresh
/// contiguous tensor of the input's dtype.
pub fn bernoulli(input: &Tensor, p: Option<f64>, g: &Generator) -> Result<Tensor> {
    let out = Tensor::zeros(input.shape(), input.dtype, Device::Cpu)?;
    match p {
        Some(p) => bernoulli_scalar_(&out, p, g)?,
        None => bernoulli_tensor_(&out, input, g)?,
    }
    out.to_device(input.device())
}

fn exponential_fill(t: &Tensor, lambd: f64, s: &mut GenState) {
    let c = -1.0 / lambd;
    fill_with(t, s, |s| Pivot::F(c * (-s.uniform_f64()).ln_1p()));
}

/// `exponential_(lambd)`: `(-1/lambd) * log1p(-u)`.
pub fn exponential_(t: &Tensor, lambd: f64, g: &Generator) -> Result<()> {
    if t.has_bits() {
        return through_bits(t, |r| exponential_(r, lambd, g));
    }
    check_cpu(t, "exponential_")?;
    if !(lambd > 0.0) {
        bail!(runtime, "exponential_ expects lambda > 0.0, but found lambda={}", num(lambd));
    }
    check_floating(t, "Exponential")?;
    locked(t, g, |s| exponential_fill(t, lambd, s))
}

/// `geometric_(p)`: `ceil(log(u) / log1p(-p))`; integer dtypes take it with C++'s truncation.
pub fn geometric_(t: &Tensor, p: f64, g: &Generator) -> Result<()> {
    if t.has_bits() {
        return through_bits(t, |r| geometric_(r, p, g));
    }
    check_cpu(t, "geometric_")?;
    if !(p > 0.0 && p < 1.0) {
        bail!(runtime, "geometric_ expects p to be in (0, 1), but got p={}", num(p));
    }
    if t.dtype == DType::Bool || t.dtype.is_complex() {
        bail!(not_implemented, "\"geometric_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    let d = (-p).ln_1p();
    locked(t, g, |s| fill_with(t, s, |s| Pivot::F((s.uniform_f64().ln() / d).ceil())))
}

/// `cauchy_(median, sigma)`: `fma(sigma, tan(pi * (u - 0.5)), median)`.
pub fn cauchy_(t: &Tensor, median: f64, sigma: f64, g: &Generator) -> Result<()> {
    if t.has_bits() {
        return through_bits(t, |r| cauchy_(r, median, sigma, g));
    }
    check_cpu(t, "cauchy_")?;
    if !(sigma > 0.0) {
        bail!(runtime, "cauchy_ expects sigma > 0.0, but found sigma={}", num(sigma));
    }
    check_floating(t, "Cauchy")?;
    locked(t, g, |s| {
        fill_with(t, s, |s| Pivot::F(sigma.mul_add((std::f64::consts::PI * (s.uniform_f64() - 0.5)).tan(), median)))
    })
}

/// `log_normal_(mean, std)`: `exp` of the scalar normal path, sharing its cached sample.
pub fn log_normal_(t: &Tensor, mean: f64, std: f64, g: &Generator) -> Result<()> {
    if t.has_bits() {
        return through_bits(t, |r| log_normal_(r, mean, std, g));
    }
    check_cpu(t, "log_normal_")?;
    if !(std > 0.0) {
        bail!(runtime, "log_normal_ expects std > 0.0, but found std={}", num(std));
    }
    if !t.dtype.is_floating_point() {
        bail!(not_implemented, "\"log_normal_cpu\" not implemented for '{}'", t.dtype.scalar_name());
    }
    locked(t, g, |s| fill_with(t, s, |s| Pivot::F(s.normal_f64(mean, std).exp())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expanded_outputs_are_rejected() {
        let g = Generator::new(0);
        let t = Tensor::zeros(&[1], DType::F32, Device::Cpu).and_then(|t| t.expand_to(&[20]));
        assert!(t.is_ok_and(|t| normal_(&t, 0.0, 1.0, &g).is_err() && random_(&t, &g).is_err()));
    }

    #[test]
    fn float_bounds_move_to_representable_integers() {
        // Values from tests/rng_reference.py: float32 rounds 2^28 - 6 up to 2^28, bfloat16
        // rounds -1006 down to -1008.
        assert_eq!(update_to(DType::F32, (1 << 28) - 5), (1 << 28) - 16);
        assert_eq!(update_to(DType::F32, 1000), 1000);
        assert_eq!(update_from(DType::BF16, -1007), -1004);
        assert_eq!(update_from(DType::F32, 5), 5);
    }

    #[test]
    fn empty_like_keeps_dense_strides_only() {
        let base = Tensor::zeros(&[3, 4], DType::F32, Device::Cpu).map(|t| t.with_layout(t.layout.transpose(0, 1)));
        let like = base.as_ref().map(|b| empty_like(b, DType::F64).map(|l| l.strides().to_vec()));
        assert!(matches!(like, Ok(Ok(s)) if s == vec![1, 4]));
        let sliced = base.map(|b| b.with_layout(b.layout.narrow(0, 0, 2)));
        let like = sliced.as_ref().map(|b| empty_like(b, DType::F32).map(|l| l.strides().to_vec()));
        assert!(matches!(like, Ok(Ok(s)) if s == vec![3, 1]));
    }
}

