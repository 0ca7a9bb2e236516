//! Reference-counted byte buffers. A storage owns a 64-byte aligned allocation, or borrows memory
//! that another object (a NumPy array, a DLPack producer) keeps alive until the storage drops.
use std::alloc::Layout as AllocLayout;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::bail;
use crate::device::Device;
use crate::error::Result;

pub const ALIGN: usize = 64;

/// Keeps borrowed memory alive; dropped when the storage is.
pub trait Keeper: Send + Sync {}
impl<T: Send + Sync> Keeper for T {}

enum Owner {
    Aligned(AllocLayout),
    Empty,
    Borrowed(#[allow(dead_code)] Box<dyn Keeper>),
}

pub struct Storage {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
    device: Device,
    writable: bool,
    /// Bumped by every in-place write; autograd compares it with the value saved at record time.
    version: AtomicU64,
    #[allow(dead_code)]
    cuda: Option<crate::cuda::CudaBuffer>,
}

// SAFETY: the buffer is plain memory with no thread affinity. Concurrent writes through aliasing
// views are a user-level data race, exactly as in torch; the storage itself is never reallocated.
unsafe impl Send for Storage {}
unsafe impl Sync for Storage {}

impl Storage {
    /// A zero-filled CPU buffer of `nbytes`, aligned to 64 bytes.
    pub fn new_cpu(nbytes: usize) -> Result<Storage> {
        Storage::alloc_cpu(nbytes, true)
    }

    /// A CPU buffer whose every byte the caller overwrites before anyone reads it.
    pub fn new_cpu_for_overwrite(nbytes: usize) -> Result<Storage> {
        Storage::alloc_cpu(nbytes, false)
    }

    fn alloc_cpu(nbytes: usize, zeroed: bool) -> Result<Storage> {
        if nbytes == 0 {
            return Ok(Storage {
                ptr: NonNull::new(std::ptr::without_provenance_mut(ALIGN)).unwrap_or(NonNull::dangling()),
                nbytes: 0,
                owner: Owner::Empty,
                device: Device::Cpu,
                writable: true,
                version: AtomicU64::new(0),
                cuda: None,
            });
        }
        let Some(layout) = crate::alloc_cache::layout_for(nbytes, ALIGN) else {
            bail!(runtime, "Trying to create tensor with negative dimension or too large size: {nbytes} bytes")
        };
        // SAFETY: layout has a non-zero size.
        let raw = unsafe { crate::alloc_cache::allocate(layout, zeroed) };
        let Some(ptr) = NonNull::new(raw) else {
            bail!(
                runtime,
                "[enforce fail at alloc_cpu.cpp:117] data. DefaultCPUAllocator: not enough memory: you tried to allocate {nbytes} bytes."
            )
        };
        Ok(Storage {
            ptr,
            nbytes,
            owner: Owner::Aligned(layout),
            device: Device::Cpu,
            writable: true,
            version: AtomicU64::new(0),
            cuda: None,
        })
    }

    /// Wraps memory owned by `keeper`.
    ///
    /// # Safety
    /// `ptr` must point to `nbytes` bytes that stay valid while `keeper` lives.
    pub unsafe fn from_borrowed(ptr: *mut u8, nbytes: usize, writable: bool, keeper: Box<dyn Keeper>) -> Storage {
        let ptr = NonNull::new(ptr).unwrap_or(NonNull::dangling());
        Storage {
            ptr,
            nbytes,
            owner: Owner::Borrowed(keeper),
            device: Device::Cpu,
            writable,
            version: AtomicU64::new(0),
            cuda: None,
        }
    }

    pub fn from_cuda(buf: crate::cuda::CudaBuffer, nbytes: usize, device: Device) -> Storage {
        let ptr = NonNull::new(buf.device_ptr() as *mut u8).unwrap_or(NonNull::dangling());
        Storage {
            ptr,
            nbytes,
            owner: Owner::Empty,
            device,
            writable: true,
            version: AtomicU64::new(0),
            cuda: Some(buf),
        }
    }

    #[inline]
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }
    #[inline]
    pub fn nbytes(&self) -> usize {
        self.nbytes
    }
    #[inline]
    pub fn device(&self) -> Device {
        self.device
    }
    pub fn writable(&self) -> bool {
        self.writable
    }
    pub fn cuda_buffer(&self) -> Option<&crate::cuda::CudaBuffer> {
        self.cuda.as_ref()
    }
    pub fn version(&self) -> u64 {
        self.version.load(Ordering::Relaxed)
    }
    pub fn bump_version(&self) {
        self.version.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        if let Owner::Aligned(layout) = self.owner {
            // SAFETY: allocated in `alloc_cpu` with this exact layout, released once.
            unsafe { crate::alloc_cache::release(self.ptr.as_ptr(), layout) }
        }
    }
}
