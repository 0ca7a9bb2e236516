//! Checkpoint I/O primitives: memory-mapped files, storages that borrow a byte range of another
//! storage, tensors reinterpreting raw bytes, and safetensors header validation. The file formats
//! themselves (safetensors layout, PyTorch's zip + pickle) are assembled in Python on top of these.
use std::fs::File;
use std::sync::Arc;

use crate::bail;
use crate::device::Device;
use crate::dtype::DType;
use crate::error::Result;
use crate::layout::Layout;
use crate::storage::Storage;
use crate::tensor::{Tensor, checked_numel};

/// A 1-D uint8 tensor over the whole of `path`, mapped copy-on-write (MAP_PRIVATE): writes through
/// the tensor never reach the file, and pages are read only when touched.
pub fn map_file(path: &str) -> Result<Tensor> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => bail!(runtime, "{path}: {e}"),
    };
    let len = match file.metadata() {
        Ok(m) => m.len(),
        Err(e) => bail!(runtime, "{path}: {e}"),
    };
    if len == 0 {
        return Tensor::zeros(&[0], DType::U8, Device::Cpu);
    }
    if len > isize::MAX as u64 {
        bail!(runtime, "{path}: file too large to map");
    }
    // SAFETY: the mapping is private (copy-on-write); a concurrent truncation of the file by another
    // process is outside what any mmap-based loader (torch's included) can guard against.
    let mut map = match unsafe { memmap2::MmapOptions::new().map_copy(&file) } {
        Ok(m) => m,
        Err(e) => bail!(runtime, "{path}: mmap failed: {e}"),
    };
    let ptr = map.as_mut_ptr();
    let n = map.len();
    // SAFETY: the mapping owns `n` bytes at `ptr` and lives as long as the storage (its keeper).
    let storage = unsafe { Storage::from_borrowed(ptr, n, true, Box::new(map)) };
    Ok(Tensor::from_storage(Arc::new(storage), Layout::contiguous(&[n]), DType::U8))
}

/// A new storage over bytes `[start, start + nbytes)` of `t`'s storage, which it keeps alive.
/// The result is a 1-D uint8 tensor; it is a distinct storage (not aliased for `_shares_storage`).
pub fn sub_storage(t: &Tensor, start: usize, nbytes: usize) -> Result<Tensor> {
    if t.device() != Device::Cpu {
        bail!(not_implemented, "sub_storage needs a CPU storage");
    }
    let total = t.storage.nbytes();
    if start.checked_add(nbytes).is_none_or(|e| e > total) {
        bail!(runtime, "byte range [{start}, {start}+{nbytes}) is out of bounds for a buffer of {total} bytes");
    }
    let parent = t.storage.clone();
    let writable = parent.writable();
    // SAFETY: the range is inside the parent's allocation, which the keeper keeps alive.
    let storage = unsafe { Storage::from_borrowed(parent.as_ptr().add(start), nbytes, writable, Box::new(parent)) };
    Ok(Tensor::from_storage(Arc::new(storage), Layout::contiguous(&[nbytes]), DType::U8))
}

/// Reinterprets the storage of `t` as `dtype` elements and views it with shape/strides/offset
/// (in elements). The storage is shared unless its address is not aligned for `dtype`, in which case
/// the bytes are copied to an aligned buffer first.
pub fn from_buffer(t: &Tensor, dtype: DType, shape: &[usize], strides: &[isize], offset: usize) -> Result<Tensor> {
    if t.device() != Device::Cpu {
        bail!(not_implemented, "from_buffer needs a CPU storage");
    }
    if shape.len() != strides.len() {
        bail!(runtime, "mismatch in length of strides and shape");
    }
    checked_numel(shape, dtype)?;
    let isz = dtype.itemsize();
    let mut storage = t.storage.clone();
    if (storage.as_ptr() as usize) % isz != 0 {
        let n = storage.nbytes();
        let fresh = Storage::new_cpu_for_overwrite(n)?;
        // SAFETY: both buffers hold n bytes and are distinct allocations.
        unsafe { std::ptr::copy_nonoverlapping(storage.as_ptr(), fresh.as_ptr(), n) };
        storage = Arc::new(fresh);
    }
    let cap = storage.nbytes() / isz;
    let base = Tensor::from_storage(storage, Layout::contiguous(&[cap]), dtype);
    // Validate the extent with overflow-safe arithmetic before handing it to as_strided.
    let numel: usize = shape.iter().product();
    if numel > 0 {
        let mut hi: i128 = offset as i128;
        let mut lo: i128 = offset as i128;
        for (&d, &s) in shape.iter().zip(strides) {
            let span = (d as i128 - 1) * s as i128;
            if span >= 0 { hi += span } else { lo += span }
        }
        if lo < 0 || hi >= cap as i128 {
            bail!(
                runtime,
                "setStorage: sizes {:?}, strides {:?}, storage offset {}, and itemsize {} requiring a storage size of {} are out of bounds for storage of size {}",
                shape, strides, offset, isz, (hi + 1) * isz as i128, cap * isz
            );
        }
    }
    base.as_strided(shape, strides, offset)
}

/// A 1-D uint8 tensor over the whole storage of `t` (for writing it out).
pub fn storage_bytes(t: &Tensor) -> Tensor {
    let n = t.storage.nbytes();
    Tensor::from_storage(t.storage.clone(), Layout::contiguous(&[n]), DType::U8)
}

/// An identity for the storage of `t`: equal for tensors that share one storage.
pub fn storage_key(t: &Tensor) -> usize {
    Arc::as_ptr(&t.storage) as usize
}

/// One tensor entry of a safetensors header.
pub struct StEntry {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<usize>,
    pub start: usize,
    pub end: usize,
}

/// A validated safetensors header.
pub struct StHeader {
    pub header_len: usize,
    pub metadata: Option<Vec<(String, String)>>,
    /// Tensors in data-offset order.
    pub entries: Vec<StEntry>,
}

/// Parses and validates a whole safetensors buffer with the reference implementation's checks
/// (header size, UTF-8, JSON schema, dtypes, contiguous non-overlapping offsets, exact coverage).
/// Errors carry the reference message text.
pub fn st_parse(buf: &[u8]) -> std::result::Result<StHeader, String> {
    let (n, meta) = safetensors::SafeTensors::read_metadata(buf).map_err(|e| e.to_string())?;
    let metadata = meta.metadata().as_ref().map(|m| {
        let mut v: Vec<(String, String)> = m.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
        v.sort();
        v
    });
    let mut entries = Vec::new();
    for name in meta.offset_keys() {
        let Some(info) = meta.info(&name) else { continue };
        entries.push(StEntry {
            dtype: info.dtype.to_string(),
            shape: info.shape.clone(),
            start: info.data_offsets.0,
            end: info.data_offsets.1,
            name,
        });
    }
    Ok(StHeader { header_len: n, metadata, entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(n: usize) -> Tensor {
        let t = Tensor::zeros(&[n], DType::U8, Device::Cpu).expect("alloc");
        // SAFETY: fresh contiguous buffer of n bytes.
        let s = unsafe { std::slice::from_raw_parts_mut(t.storage.as_ptr(), n) };
        for (i, b) in s.iter_mut().enumerate() {
            *b = i as u8;
        }
        t
    }

    #[test]
    fn sub_storage_checks_bounds_and_shares_memory() {
        let t = bytes(16);
        let s = sub_storage(&t, 4, 8).expect("in bounds");
        assert_eq!(s.storage.nbytes(), 8);
        assert_eq!(s.storage.as_ptr() as usize, t.storage.as_ptr() as usize + 4);
        assert!(sub_storage(&t, 9, 8).is_err());
        assert!(sub_storage(&t, usize::MAX, 2).is_err());
        assert!(sub_storage(&t, 16, 0).is_ok());
    }

    #[test]
    fn from_buffer_validates_geometry() {
        let t = bytes(16);
        let f = from_buffer(&t, DType::F32, &[2, 2], &[2, 1], 0).expect("fits");
        assert_eq!(f.shape(), &[2, 2]);
        assert!(from_buffer(&t, DType::F32, &[5], &[1], 0).is_err());
        assert!(from_buffer(&t, DType::F32, &[2], &[1], 3).is_err());
        assert!(from_buffer(&t, DType::F32, &[1 << 62, 1 << 62], &[1, 1], 0).is_err());
        assert!(from_buffer(&t, DType::F32, &[2, 2], &[isize::MAX, 1], 0).is_err());
        assert!(from_buffer(&t, DType::F32, &[0, 7], &[7, 1], 0).is_ok());
        // A misaligned view is copied to an aligned buffer.
        let odd = sub_storage(&t, 1, 8).expect("in bounds");
        let g = from_buffer(&odd, DType::F32, &[2], &[1], 0).expect("copied");
        assert_eq!(g.storage.as_ptr() as usize % 4, 0);
    }

    #[test]
    fn st_parse_rejects_hostile_headers() {
        let mut huge = u64::MAX.to_le_bytes().to_vec();
        huge.extend_from_slice(b"{}");
        assert_eq!(st_parse(&huge).err().as_deref(), Some("header too large"));
        assert_eq!(st_parse(b"\x01").err().as_deref(), Some("header too small"));
        let mut ok = 8u64.to_le_bytes().to_vec();
        ok.extend_from_slice(b"{}      ");
        let h = st_parse(&ok).expect("empty file");
        assert!(h.entries.is_empty() && h.metadata.is_none());
    }

    #[test]
    fn map_file_reads_and_is_private() {
        let path = std::env::temp_dir().join(format!("oxytorch-io-test-{}", std::process::id()));
        std::fs::write(&path, b"hello").expect("write");
        let t = map_file(path.to_str().expect("utf8")).expect("map");
        assert_eq!(t.numel(), 5);
        // SAFETY: the mapping covers 5 bytes.
        unsafe { *t.storage.as_ptr() = b'j' };
        assert_eq!(std::fs::read(&path).expect("read"), b"hello");
        drop(t);
        std::fs::write(&path, b"").expect("truncate");
        assert_eq!(map_file(path.to_str().expect("utf8")).expect("empty").numel(), 0);
        let _ = std::fs::remove_file(&path);
        assert!(map_file("/nonexistent/oxytorch").is_err());
    }
}
