//! A caching allocator for large CPU buffers. Freed buffers of 1 MiB and more are kept (up to a
//! budget) and handed out again for the same size class, so a fresh op output costs no page
//! faults; new large buffers are 2 MiB aligned and advised to use transparent huge pages.
use std::alloc::{Layout, alloc, alloc_zeroed, dealloc};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

const MIN_CACHED: usize = 1 << 20;
const HUGE: usize = 2 << 20;
/// Bytes kept in the cache at most; beyond this, freed buffers go back to the system.
const BUDGET: usize = 1 << 30;

#[derive(Default)]
struct Cache {
    free: HashMap<usize, Vec<usize>>,
    total: usize,
}

fn cache() -> &'static Mutex<Cache> {
    static C: OnceLock<Mutex<Cache>> = OnceLock::new();
    C.get_or_init(|| Mutex::new(Cache::default()))
}

/// The layout actually allocated for a request of `nbytes` (`align` for small buffers).
pub fn layout_for(nbytes: usize, align: usize) -> Option<Layout> {
    if nbytes >= MIN_CACHED {
        Layout::from_size_align(nbytes.checked_next_multiple_of(HUGE)?, HUGE).ok()
    } else {
        Layout::from_size_align(nbytes, align).ok()
    }
}

/// Allocates `layout` (from `layout_for`), zero-filled when `zeroed`. Null on failure.
///
/// # Safety
/// `layout` must have a non-zero size.
pub unsafe fn allocate(layout: Layout, zeroed: bool) -> *mut u8 {
    let size = layout.size();
    if size >= MIN_CACHED {
        let reused = cache().lock().ok().and_then(|mut c| {
            let p = c.free.get_mut(&size)?.pop()?;
            c.total -= size;
            Some(p as *mut u8)
        });
        if let Some(p) = reused {
            if zeroed {
                // SAFETY: p is a live cached buffer of `size` bytes.
                unsafe { std::ptr::write_bytes(p, 0, size) };
            }
            return p;
        }
    }
    // SAFETY: the caller guarantees a non-zero size.
    let p = unsafe { if zeroed { alloc_zeroed(layout) } else { alloc(layout) } };
    if !p.is_null() && size >= MIN_CACHED {
        // SAFETY: advisory only; the range is the allocation we just made.
        unsafe { libc::madvise(p as *mut libc::c_void, size, libc::MADV_HUGEPAGE) };
    }
    p
}

/// Returns a buffer from `allocate` to the cache, or to the system when the cache is full.
///
/// # Safety
/// `p` must come from `allocate(layout, _)` and not be used afterwards.
pub unsafe fn release(p: *mut u8, layout: Layout) {
    let size = layout.size();
    if size >= MIN_CACHED {
        if let Ok(mut c) = cache().lock() {
            if c.total + size <= BUDGET {
                c.total += size;
                c.free.entry(size).or_default().push(p as usize);
                return;
            }
        }
    }
    // SAFETY: forwarded from the caller.
    unsafe { dealloc(p, layout) }
}

/// Gives every cached buffer back to the system (`torch.cuda.empty_cache`-like, for the CPU).
pub fn empty_cache() {
    if let Ok(mut c) = cache().lock() {
        for (size, ptrs) in c.free.drain() {
            for p in ptrs {
                if let Ok(l) = Layout::from_size_align(size, HUGE) {
                    // SAFETY: cached buffers were allocated with exactly this layout.
                    unsafe { dealloc(p as *mut u8, l) };
                }
            }
        }
        c.total = 0;
    }
}
