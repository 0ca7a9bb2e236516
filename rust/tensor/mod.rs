//! The device-agnostic tensor: a storage, a layout and a dtype. Views share the storage.
pub mod create;

use std::sync::Arc;

use crate::backend::cpu::copy as kcopy;
use crate::bail;
use crate::cuda::CudaBuffer;
use crate::device::Device;
use crate::dtype::DType;
use crate::element::Pivot;
use crate::error::Result;
use crate::layout::Layout;
use crate::storage::Storage;

#[derive(Clone)]
pub struct Tensor {
    pub storage: Arc<Storage>,
    pub layout: Layout,
    pub dtype: DType,
    /// Autograd state (requires_grad, grad, grad_fn); None for plain tensors, the common case.
    pub ag: Option<Arc<crate::autograd::AutogradMeta>>,
    /// torch's lazy conjugate bit: the logical values are the conjugates of the stored ones.
    pub conj: bool,
    /// torch's lazy negative bit: the logical values are the negatives of the stored ones.
    pub neg: bool,
}

/// Checks creation sizes the way torch does before any allocation.
pub fn checked_numel(shape: &[usize], dtype: DType) -> Result<usize> {
    let mut n: usize = 1;
    for &d in shape {
        n = match n.checked_mul(d) {
            Some(v) => v,
            None => bail!(runtime, "Storage size calculation overflowed with sizes={:?}", shape),
        };
    }
    if n.checked_mul(dtype.itemsize()).is_none_or(|b| b > isize::MAX as usize) {
        bail!(runtime, "Storage size calculation overflowed with sizes={:?}", shape);
    }
    Ok(n)
}

impl Tensor {
    pub fn from_storage(storage: Arc<Storage>, layout: Layout, dtype: DType) -> Tensor {
        Tensor { storage, layout, dtype, ag: None, conj: false, neg: false }
    }

    /// True when a lazy conjugate or negative bit is set (then raw storage reads need resolving).
    #[inline(always)]
    pub fn has_bits(&self) -> bool {
        self.conj | self.neg
    }

    /// Self when no lazy bit is set, else a materialised copy with the bits applied (torch's
    /// `resolve_conj().resolve_neg()`). Kernels that read the storage call this first.
    #[inline]
    pub fn resolved(&self) -> Result<std::borrow::Cow<'_, Tensor>> {
        if !self.has_bits() {
            return Ok(std::borrow::Cow::Borrowed(self));
        }
        Ok(std::borrow::Cow::Owned(self.resolve_bits(self.conj, self.neg)?))
    }

    /// A copy (torch's clone layout) with the `conj`/`neg` bits that are set materialised and
    /// cleared; the other bit is kept as a lazy bit of the copy. No autograd.
    pub fn resolve_bits(&self, conj: bool, neg: bool) -> Result<Tensor> {
        let (conj, neg) = (conj && self.conj, neg && self.neg);
        let keep_conj = self.conj && !conj;
        let keep_neg = self.neg && !neg;
        let raw = Tensor { conj, neg, ..self.detached() };
        // torch's empty_like + copy: dense strides in this tensor's dim order.
        let mut r = match self.device() {
            Device::Cpu => raw.cpu_copy_into(self.dtype, self.preserved_layout(true))?,
            _ => raw.clone_tensor()?,
        };
        r.conj = keep_conj;
        r.neg = keep_neg;
        Ok(r)
    }

    /// A view of the same storage and layout with the given bits (no autograd).
    pub fn with_bits(&self, conj: bool, neg: bool) -> Tensor {
        Tensor { conj, neg, ..self.detached() }
    }

    /// A zero-filled contiguous tensor.
    pub fn zeros(shape: &[usize], dtype: DType, device: Device) -> Result<Tensor> {
        let n = checked_numel(shape, dtype)?;
        let nbytes = n * dtype.itemsize();
        let storage = match device {
            Device::Cpu => Storage::new_cpu(nbytes)?,
            Device::Cuda(i) => Storage::from_cuda(CudaBuffer::zeros(i, nbytes)?, nbytes, device),
        };
        Ok(Tensor { storage: Arc::new(storage), layout: Layout::contiguous(shape), dtype, ag: None, conj: false, neg: false })
    }

    /// A contiguous CPU tensor whose elements the caller writes before they are read.
    pub fn for_overwrite(shape: &[usize], dtype: DType) -> Result<Tensor> {
        let n = checked_numel(shape, dtype)?;
        let storage = Storage::new_cpu_for_overwrite(n * dtype.itemsize())?;
        Ok(Tensor { storage: Arc::new(storage), layout: Layout::contiguous(shape), dtype, ag: None, conj: false, neg: false })
    }

    pub fn full(shape: &[usize], value: Pivot, dtype: DType, device: Device) -> Result<Tensor> {
        let t = Tensor::for_overwrite(shape, dtype)?;
        t.fill_(value)?;
        t.to_device(device)
    }

    #[inline]
    pub fn device(&self) -> Device {
        self.storage.device()
    }
    #[inline]
    pub fn shape(&self) -> &[usize] {
        &self.layout.shape
    }
    #[inline]
    pub fn strides(&self) -> &[isize] {
        &self.layout.strides
    }
    #[inline]
    pub fn ndim(&self) -> usize {
        self.layout.ndim()
    }
    #[inline]
    pub fn numel(&self) -> usize {
        self.layout.numel()
    }
    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }
    /// Address of the first element (for CPU tensors a host pointer, for CUDA a device pointer).
    pub fn data_ptr(&self) -> usize {
        self.storage.as_ptr() as usize + self.layout.offset * self.dtype.itemsize()
    }

    /// A view of this tensor's storage with `layout`. Under autograd the view records a node whose
    /// backward maps gradients back through the two layouts (exact when `self` does not overlap
    /// itself; ops that can see overlapping inputs use [`Tensor::view_op`]).
    pub fn with_layout(&self, layout: Layout) -> Tensor {
        let r = Tensor { storage: self.storage.clone(), layout, dtype: self.dtype, ag: None, conj: self.conj, neg: self.neg };
        if self.ag.is_some() {
            if crate::autograd::should_record(&[self]) {
                return crate::autograd::formulas::storage_view(self, r);
            }
            return crate::autograd::inplace::track_view(self, r);
        }
        r
    }

    /// A view given as a layout transform `f`; under autograd its backward applies `f` to a dense
    /// proxy of the input, so it is exact even for overlapping (expanded) inputs.
    pub fn view_op(&self, name: &'static str, f: impl Fn(&Layout) -> Result<Layout>) -> Result<Tensor> {
        let layout = f(&self.layout)?;
        let r = Tensor { storage: self.storage.clone(), layout, dtype: self.dtype, ag: None, conj: self.conj, neg: self.neg };
        if self.ag.is_some() && crate::autograd::should_record(&[self]) {
            let proxy = Layout::contiguous(self.shape());
            let mapped = f(&proxy)?;
            return Ok(crate::autograd::formulas::layout_view(name, self, r, proxy, mapped));
        }
        if self.ag.is_some() {
            return Ok(crate::autograd::inplace::track_view(self, r));
        }
        Ok(r)
    }

    fn require_cpu(&self, op: &str) -> Result<()> {
        if self.device() != Device::Cpu {
            bail!(
                not_implemented,
                "[{op}] is not implemented for CUDA tensors yet; move the tensor to the CPU with .cpu() first"
            );
        }
        Ok(())
    }

    /// The layout torch's preserve_format gives a copy of this tensor: the same strides when they are
    /// dense, else contiguous (`infer`: dense strides in this tensor's dim order, as `to()` does).
    pub fn preserved_layout(&self, infer: bool) -> Layout {
        let l = &self.layout;
        // Empty tensors keep their strides too (torch copies them through).
        if l.is_non_overlapping_and_dense() || l.numel() == 0 {
            Layout { shape: l.shape.clone(), strides: l.strides.clone(), offset: 0 }
        } else if infer {
            Layout { shape: l.shape.clone(), strides: l.infer_dense_strides(), offset: 0 }
        } else {
            Layout::contiguous(&l.shape)
        }
    }

    /// An uninitialised CPU tensor with `layout` (dense, offset 0).
    pub fn for_overwrite_layout(layout: Layout, dtype: DType) -> Result<Tensor> {
        let n = checked_numel(&layout.shape, dtype)?;
        let storage = Storage::new_cpu_for_overwrite(n * dtype.itemsize())?;
        Ok(Tensor { storage: Arc::new(storage), layout, dtype, ag: None, conj: false, neg: false })
    }

    /// A new CPU tensor with this tensor's values in `dtype`, laid out as `layout`.
    fn cpu_copy_into(&self, dtype: DType, layout: Layout) -> Result<Tensor> {
        if self.has_bits() {
            // Resolve in the source dtype first (conj/neg commute with no cast), then cast.
            let raw = Tensor { conj: false, neg: false, ..self.detached() };
            let r = raw.cpu_copy_into(self.dtype, layout.clone())?;
            // SAFETY: r is dense with offset 0, so its storage holds exactly numel elements.
            unsafe { crate::backend::cpu::bits::apply_bits(r.storage.as_ptr(), r.dtype, r.numel(), self.conj, self.neg) };
            return if dtype == self.dtype { Ok(r) } else { r.cpu_copy_into(dtype, layout) };
        }
        let out = Tensor::for_overwrite_layout(layout, dtype)?;
        // SAFETY: both layouts are in bounds of their storages (checked at view creation).
        unsafe {
            kcopy::copy_cast(
                self.storage.as_ptr(),
                self.dtype,
                &self.layout,
                out.storage.as_ptr(),
                dtype,
                &out.layout,
            )
        };
        Ok(out)
    }

    /// Self when already contiguous, else a contiguous copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() && !self.has_bits() {
            return Ok(self.clone());
        }
        match self.device() {
            Device::Cpu => self.cpu_copy_into(self.dtype, Layout::contiguous(self.shape())),
            d => self.to_device(Device::Cpu)?.to_device_copy(d),
        }
    }

    /// A copy with canonical contiguous strides (`clone(memory_format=torch.contiguous_format)`).
    pub fn contiguous_copy(&self) -> Result<Tensor> {
        match self.device() {
            Device::Cpu => self.cpu_copy_into(self.dtype, Layout::contiguous(self.shape())),
            d => self.to_device(Device::Cpu)?.contiguous_copy()?.to_device(d),
        }
    }

    /// A copy with torch's `clone()` layout (same strides when dense, else contiguous).
    pub fn clone_tensor(&self) -> Result<Tensor> {
        match self.device() {
            Device::Cpu => self.cpu_copy_into(self.dtype, self.preserved_layout(false)),
            d => self.to_device(Device::Cpu)?.to_device_copy(d),
        }
    }

    /// Converts to `dtype`; returns self (no copy) when the dtype already matches and `copy` is false.
    pub fn to_dtype(&self, dtype: DType, copy: bool) -> Result<Tensor> {
        if dtype == self.dtype && !copy && !self.has_bits() {
            return Ok(self.clone());
        }
        match self.device() {
            Device::Cpu => self.cpu_copy_into(dtype, self.preserved_layout(true)),
            d => self.to_device(Device::Cpu)?.to_dtype(dtype, false)?.to_device_copy(d),
        }
    }

    /// Moves to `device`; returns self when it is already there.
    pub fn to_device(&self, device: Device) -> Result<Tensor> {
        if device == self.device() {
            return Ok(self.clone());
        }
        self.to_device_copy(device)
    }

    fn to_device_copy(&self, device: Device) -> Result<Tensor> {
        match (self.device(), device) {
            (Device::Cpu, Device::Cuda(i)) => {
                let c = self.contiguous()?;
                let nbytes = c.numel() * c.dtype.itemsize();
                // SAFETY: a contiguous CPU tensor covers exactly nbytes from its data pointer.
                let bytes = unsafe { std::slice::from_raw_parts(c.data_ptr() as *const u8, nbytes) };
                let buf = CudaBuffer::from_host(i, bytes)?;
                Ok(Tensor {
                    storage: Arc::new(Storage::from_cuda(buf, nbytes, device)),
                    layout: Layout::contiguous(self.shape()),
                    dtype: self.dtype,
                    ag: None,
                    conj: false,
                    neg: false,
                })
            }
            (Device::Cuda(_), Device::Cpu) => {
                let Some(buf) = self.storage.cuda_buffer() else { bail!(runtime, "CUDA storage without a buffer") };
                // Fetch the byte range this view touches, then apply the view on the host.
                let (lo, hi) = self.layout.extent();
                let isz = self.dtype.itemsize();
                let host = Storage::new_cpu((hi - lo) as usize * isz)?;
                // SAFETY: host was just allocated with exactly this many bytes.
                let out = unsafe { std::slice::from_raw_parts_mut(host.as_ptr(), (hi - lo) as usize * isz) };
                buf.to_host(lo as usize * isz, out)?;
                let mut layout = self.layout.clone();
                layout.offset = (layout.offset as isize - lo) as usize;
                Tensor { storage: Arc::new(host), layout, dtype: self.dtype, ag: None, conj: self.conj, neg: self.neg }.contiguous()
            }
            (Device::Cuda(_), Device::Cuda(_)) => self.to_device(Device::Cpu)?.to_device_copy(device),
            (Device::Cpu, Device::Cpu) => self.clone_tensor(),
        }
    }

    /// Writes `value` into every element (in place).
    pub fn fill_(&self, value: Pivot) -> Result<()> {
        self.require_cpu("fill_")?;
        self.check_writable()?;
        // A real value written into a complex view gets a +0 imaginary part first, which the bits
        // then transform (conj stores -0, as torch's copy into a conjugate view does).
        let value = match value {
            Pivot::B(b) if self.dtype.is_complex() && self.has_bits() => Pivot::C(b as u8 as f64, 0.0),
            Pivot::I(i) if self.dtype.is_complex() && self.has_bits() => Pivot::C(i as f64, 0.0),
            Pivot::F(f) if self.dtype.is_complex() && self.has_bits() => Pivot::C(f, 0.0),
            v => v,
        };
        let value = bits_pivot(value, self.conj, self.neg);
        // SAFETY: the layout is in bounds of the storage.
        unsafe { kcopy::fill(self.storage.as_ptr(), self.dtype, &self.layout, value) };
        self.storage.bump_version();
        Ok(())
    }

    pub fn check_writable(&self) -> Result<()> {
        if !self.storage.writable() {
            bail!(runtime, "cannot write to a read-only tensor (it borrows a read-only buffer)");
        }
        Ok(())
    }

    /// `self.copy_(src)`: broadcasts src to self's shape and converts its dtype.
    pub fn copy_(&self, src: &Tensor) -> Result<()> {
        self.require_cpu("copy_")?;
        if src.layout.expand(self.shape()).is_none() {
            bail!(
                runtime,
                "output with shape {:?} doesn't match the broadcast shape {:?}",
                self.shape(),
                crate::layout::broadcast_shapes(self.shape(), src.shape()).unwrap_or_else(|_| src.shape().to_vec())
            );
        }
        self.check_writable()?;
        let mut src = src.to_device(Device::Cpu)?;
        if self.has_bits() {
            // Store the inverse transform of the logical values: conj/neg are involutions.
            let tmp = Tensor::for_overwrite(self.shape(), self.dtype)?;
            tmp.copy_(&src)?;
            // SAFETY: tmp is a fresh contiguous tensor of numel elements.
            unsafe { crate::backend::cpu::bits::apply_bits(tmp.storage.as_ptr(), tmp.dtype, tmp.numel(), self.conj, self.neg) };
            let raw = Tensor { conj: false, neg: false, ..self.detached() };
            return raw.copy_(&tmp);
        }
        if src.has_bits() || Arc::ptr_eq(&src.storage, &self.storage) {
            // Overlapping in-place copies read from a snapshot so results do not depend on order.
            src = src.clone_tensor()?;
        }
        let Some(src_l) = src.layout.expand(self.shape()) else { bail!(runtime, "copy_: shapes do not broadcast") };
        // SAFETY: both layouts are in bounds; the storages do not alias (checked above).
        unsafe {
            kcopy::copy_cast(
                src.storage.as_ptr(),
                src.dtype,
                &src_l,
                self.storage.as_ptr(),
                self.dtype,
                &self.layout,
            )
        };
        self.storage.bump_version();
        Ok(())
    }

    /// The value at flat (row-major logical) position `i`.
    pub fn get_flat(&self, i: usize) -> Result<Pivot> {
        if self.device() != Device::Cpu {
            return self.to_device(Device::Cpu)?.get_flat(i);
        }
        let mut rem = i;
        let mut off = self.layout.offset as isize;
        for d in (0..self.ndim()).rev() {
            let n = self.shape()[d];
            off += (rem % n) as isize * self.strides()[d];
            rem /= n;
        }
        // SAFETY: i < numel, so the offset is within the layout's extent.
        let v = unsafe { kcopy::read_scalar(self.storage.as_ptr().offset(off * self.dtype.itemsize() as isize), self.dtype) };
        Ok(bits_pivot(v, self.conj, self.neg))
    }

    /// The single value of a one-element tensor.
    pub fn item(&self) -> Result<Pivot> {
        let n = self.numel();
        if n != 1 {
            bail!(runtime, "a Tensor with {} elements cannot be converted to Scalar", n);
        }
        self.get_flat(0)
    }

    /// All values in row-major order (for `tolist`, printing and tests).
    pub fn to_pivots(&self) -> Result<Vec<Pivot>> {
        let t = self.to_device(Device::Cpu)?.contiguous()?;
        let base = t.data_ptr() as *const u8;
        let isz = t.dtype.itemsize();
        // SAFETY: contiguous CPU tensor with numel elements from base.
        Ok((0..t.numel()).map(|i| unsafe { kcopy::read_scalar(base.add(i * isz), t.dtype) }).collect())
    }

    /// A broadcast view of this tensor with `shape` (stride 0 on expanded dims).
    pub fn expand_to(&self, shape: &[usize]) -> Result<Tensor> {
        match self.layout.expand(shape) {
            Some(l) => Ok(self.with_layout(l)),
            None => bail!(
                runtime,
                "The expanded size of the tensor ({:?}) must match the existing size ({:?}) at non-singleton dimension",
                shape,
                self.shape()
            ),
        }
    }

    /// A view with a new layout after checking that it stays inside the storage.
    pub fn as_strided(&self, shape: &[usize], strides: &[isize], offset: usize) -> Result<Tensor> {
        if shape.len() != strides.len() {
            bail!(runtime, "mismatch in length of strides and shape");
        }
        let layout = Layout { shape: shape.to_vec(), strides: strides.to_vec(), offset };
        let (lo, hi) = layout.extent();
        let cap = (self.storage.nbytes() / self.dtype.itemsize()) as isize;
        if layout.numel() > 0 && (lo < 0 || hi > cap) {
            bail!(
                runtime,
                "setStorage: sizes {:?}, strides {:?}, storage offset {}, and itemsize {} requiring a storage size of {} are out of bounds for storage of size {}",
                shape,
                strides,
                offset,
                self.dtype.itemsize(),
                hi as usize * self.dtype.itemsize(),
                self.storage.nbytes()
            );
        }
        Ok(self.with_layout(layout))
    }
}

/// The logical value of a stored value under the `conj`/`neg` bits (both maps are involutions, so
/// this also gives the stored value of a logical one).
#[inline]
pub fn bits_pivot(v: Pivot, conj: bool, neg: bool) -> Pivot {
    if !(conj | neg) {
        return v;
    }
    let v = match v {
        Pivot::C(re, im) if conj => Pivot::C(re, -im),
        v => v,
    };
    if !neg {
        return v;
    }
    match v {
        Pivot::B(b) => Pivot::B(b),
        Pivot::I(i) => Pivot::I(i.wrapping_neg()),
        Pivot::F(f) => Pivot::F(-f),
        Pivot::C(re, im) => Pivot::C(-re, -im),
    }
}
