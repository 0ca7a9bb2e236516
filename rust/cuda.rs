//! The CUDA device model through cudarc. The driver library is loaded at run time: on a machine
//! without one, `is_available()` is false and every CUDA request is a clean RuntimeError.
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, OnceLock};

use cudarc::driver::{CudaContext, CudaSlice, CudaStream, DevicePtr};

use crate::bail;
use crate::error::{Result, runtime};

/// cudarc panics when libcuda is missing or a symbol cannot be resolved; never let that escape.
fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(runtime("CUDA driver call failed (the driver library could not be used)")),
    }
}

fn probe_device_count() -> usize {
    // SAFETY: only tries to dlopen the driver library.
    if !unsafe { cudarc::driver::sys::is_culib_present() } {
        return 0;
    }
    guarded(|| {
        cudarc::driver::result::init().map_err(|e| runtime(format!("{e:?}")))?;
        CudaContext::device_count().map_err(|e| runtime(format!("{e:?}")))
    })
    .map(|n| n.max(0) as usize)
    .unwrap_or(0)
}

pub fn device_count() -> usize {
    static COUNT: OnceLock<usize> = OnceLock::new();
    *COUNT.get_or_init(probe_device_count)
}

pub fn is_available() -> bool {
    device_count() > 0
}

/// Checks that `index` names a usable GPU, with torch's messages otherwise.
pub fn check_device(index: usize) -> Result<()> {
    let n = device_count();
    if n == 0 {
        // SAFETY: only tries to dlopen the driver library.
        if unsafe { cudarc::driver::sys::is_culib_present() } {
            bail!(runtime, "No CUDA GPUs are available");
        }
        bail!(runtime, "Found no NVIDIA driver on your system. Please check that you have an NVIDIA GPU and installed a driver from http://www.nvidia.com/Download/index.aspx");
    }
    if index >= n {
        bail!(runtime, "CUDA error: invalid device ordinal\nCUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.");
    }
    Ok(())
}

fn streams() -> &'static Mutex<Vec<Option<Arc<CudaStream>>>> {
    static S: OnceLock<Mutex<Vec<Option<Arc<CudaStream>>>>> = OnceLock::new();
    S.get_or_init(|| Mutex::new(Vec::new()))
}

/// The default stream of GPU `index`, creating its context on first use.
pub fn stream(index: usize) -> Result<Arc<CudaStream>> {
    check_device(index)?;
    let mut s = streams().lock().map_err(|_| runtime("CUDA stream table poisoned"))?;
    if s.len() <= index {
        s.resize(index + 1, None);
    }
    if let Some(st) = &s[index] {
        return Ok(st.clone());
    }
    let st = guarded(|| {
        let ctx = CudaContext::new(index).map_err(|e| runtime(format!("CUDA error: {e:?}")))?;
        Ok(ctx.default_stream())
    })?;
    s[index] = Some(st.clone());
    Ok(st)
}

/// Device memory owned by a storage.
pub struct CudaBuffer {
    slice: CudaSlice<u8>,
    stream: Arc<CudaStream>,
}

impl CudaBuffer {
    pub fn device_ptr(&self) -> u64 {
        let (p, _sync) = self.slice.device_ptr(&self.stream);
        p
    }
    pub fn zeros(index: usize, nbytes: usize) -> Result<CudaBuffer> {
        let stream = stream(index)?;
        guarded(|| {
            let slice = stream
                .alloc_zeros::<u8>(nbytes.max(1))
                .map_err(|e| runtime(format!("CUDA out of memory or error: {e:?}")))?;
            Ok(CudaBuffer { slice, stream: stream.clone() })
        })
    }
    pub fn from_host(index: usize, bytes: &[u8]) -> Result<CudaBuffer> {
        let stream = stream(index)?;
        guarded(|| {
            let mut slice = stream
                .alloc_zeros::<u8>(bytes.len().max(1))
                .map_err(|e| runtime(format!("CUDA out of memory or error: {e:?}")))?;
            if !bytes.is_empty() {
                stream.memcpy_htod(bytes, &mut slice).map_err(|e| runtime(format!("CUDA error: {e:?}")))?;
            }
            Ok(CudaBuffer { slice, stream: stream.clone() })
        })
    }
    /// Copies `out.len()` bytes starting at byte `offset` back to the host.
    pub fn to_host(&self, offset: usize, out: &mut [u8]) -> Result<()> {
        if out.is_empty() {
            return Ok(());
        }
        guarded(|| {
            let view = self.slice.slice(offset..offset + out.len());
            self.stream.memcpy_dtoh(&view, out).map_err(|e| runtime(format!("CUDA error: {e:?}")))?;
            self.stream.synchronize().map_err(|e| runtime(format!("CUDA error: {e:?}")))
        })
    }
}
