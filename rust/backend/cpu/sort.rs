//! Stable sorting of contiguous rows. Elements map to unsigned keys whose order is torch's order
//! (NaN after +inf, -0 equal to +0), then an LSD radix sort (long rows) or a merge sort (short
//! rows) orders the row's indices by key.
use half::{bf16, f16};

use super::elementwise::SendPtr;
use super::parallel::{num_threads, run_chunks};
use super::stdsort;
use crate::element::Element;

pub trait RadixKey: Copy + Ord + Send + Sync + 'static {
    const BITS: u32;
    fn digit(self, shift: u32) -> usize;
    fn flip(self) -> Self;
    /// The whole key as a u64.
    fn digit_all(self) -> u64;
    /// The inverse of `digit_all`.
    fn from_u64(v: u64) -> Self;
}
impl RadixKey for u32 {
    const BITS: u32 = 32;
    #[inline(always)]
    fn digit(self, shift: u32) -> usize {
        ((self >> shift) & 0x7ff) as usize
    }
    #[inline(always)]
    fn flip(self) -> Self {
        !self
    }
    #[inline(always)]
    fn digit_all(self) -> u64 {
        self as u64
    }
    #[inline(always)]
    fn from_u64(v: u64) -> Self {
        v as u32
    }
}
impl RadixKey for u64 {
    const BITS: u32 = 64;
    #[inline(always)]
    fn digit(self, shift: u32) -> usize {
        ((self >> shift) & 0x7ff) as usize
    }
    #[inline(always)]
    fn flip(self) -> Self {
        !self
    }
    #[inline(always)]
    fn digit_all(self) -> u64 {
        self
    }
    #[inline(always)]
    fn from_u64(v: u64) -> Self {
        v
    }
}

/// An element with a sort key that orders as torch sorts (ascending, NaN last).
pub trait SortKey: Element {
    type K: RadixKey;
    fn key(self) -> Self::K;
    /// The one element whose key is `k`, or None where a key stands for several bit patterns
    /// (±0 and NaN) or the type does not say.
    #[inline(always)]
    fn unkey(_k: Self::K) -> Option<Self> {
        None
    }
}

#[inline(always)]
fn f32_key(x: f32) -> u32 {
    if x.is_nan() {
        return u32::MAX;
    }
    let b = (x + 0.0).to_bits(); // -0 + 0 = +0
    if b >> 31 == 1 { !b } else { b | 0x8000_0000 }
}
#[inline(always)]
fn f64_key(x: f64) -> u64 {
    if x.is_nan() {
        return u64::MAX;
    }
    let b = (x + 0.0).to_bits();
    if b >> 63 == 1 { !b } else { b | 0x8000_0000_0000_0000 }
}

macro_rules! int_key {
    ($($t:ty, $k:ty, $bias:expr);*) => {$(
        impl SortKey for $t {
            type K = $k;
            #[inline(always)]
            fn key(self) -> $k { (self as $k) ^ $bias }
            #[inline(always)]
            fn unkey(k: $k) -> Option<$t> { Some((k ^ $bias) as $t) }
        }
    )*};
}
int_key!(u8, u32, 0; i8, u32, 0xffff_ff80; i16, u32, 0xffff_8000; i32, u32, 0x8000_0000; i64, u64, 0x8000_0000_0000_0000;
    u16, u32, 0; u32, u32, 0; u64, u64, 0);
impl SortKey for bool {
    type K = u32;
    fn key(self) -> u32 {
        self as u32
    }
}
impl SortKey for f32 {
    type K = u32;
    #[inline(always)]
    fn key(self) -> u32 {
        f32_key(self)
    }
    #[inline(always)]
    fn unkey(k: u32) -> Option<f32> {
        // Keys of +0 (which -0 shares) and NaN name several values.
        if k == u32::MAX || k == 0x8000_0000 {
            return None;
        }
        Some(f32::from_bits(if k >> 31 == 1 { k & 0x7fff_ffff } else { !k }))
    }
}
impl SortKey for f64 {
    type K = u64;
    #[inline(always)]
    fn key(self) -> u64 {
        f64_key(self)
    }
}
impl SortKey for f16 {
    type K = u32;
    fn key(self) -> u32 {
        f32_key(self.to_f32())
    }
}
impl SortKey for crate::element::F8E4M3 {
    type K = u32;
    fn key(self) -> u32 {
        f32_key(self.to_f32())
    }
}
impl SortKey for crate::element::F8E5M2 {
    type K = u32;
    fn key(self) -> u32 {
        f32_key(self.to_f32())
    }
}
impl SortKey for bf16 {
    type K = u32;
    fn key(self) -> u32 {
        f32_key(self.to_f32())
    }
}

/// Sorts `idx` (initially 0..n) stably by `keys`, using `tk`/`ti` as scratch.
fn radix<K: RadixKey>(keys: &mut Vec<K>, idx: &mut Vec<u32>, tk: &mut Vec<K>, ti: &mut Vec<u32>) {
    let n = keys.len();
    let passes = K::BITS.div_ceil(11) as usize;
    let mut hist = vec![[0usize; 2048]; passes];
    for &k in keys.iter() {
        for (p, h) in hist.iter_mut().enumerate() {
            h[k.digit(p as u32 * 11)] += 1;
        }
    }
    tk.resize(n, keys[0]);
    ti.resize(n, 0);
    for (p, h) in hist.iter_mut().enumerate() {
        if h.iter().any(|&c| c == n) {
            continue; // every key has the same digit here
        }
        let mut sum = 0;
        for c in h.iter_mut() {
            let v = *c;
            *c = sum;
            sum += v;
        }
        let shift = p as u32 * 11;
        for i in 0..n {
            let k = keys[i];
            let d = k.digit(shift);
            let at = h[d];
            h[d] += 1;
            tk[at] = k;
            ti[at] = idx[i];
        }
        std::mem::swap(keys, tk);
        std::mem::swap(idx, ti);
    }
}

/// Writes into `out` the stable sorting permutation of `row` (descending flips the keys, which
/// keeps equal elements in input order and puts NaN first, as torch does).
pub fn argsort_row<T: SortKey>(row: &[T], descending: bool, out: &mut [u32]) {
    argsort_row_keys(row, descending, out);
}

/// [`argsort_row`], also returning the sorted keys (each shifted into the high half of a u64) when
/// the row took the packed radix path, so callers can rebuild values without a random gather.
fn argsort_row_keys<T: SortKey>(row: &[T], descending: bool, out: &mut [u32]) -> Option<Vec<u64>> {
    let n = row.len();
    let key = |v: &T| if descending { v.key().flip() } else { v.key() };
    if n < 256 {
        let keys: Vec<T::K> = row.iter().map(key).collect();
        for (i, o) in out.iter_mut().enumerate() {
            *o = i as u32;
        }
        out.sort_by_key(|&i| keys[i as usize]);
        return None;
    }
    let segments = num_threads().min(n / PAR_SORT_MIN).max(1);
    if T::K::BITS == 32 {
        let v = packed_sorted(row, descending);
        for (o, x) in out.iter_mut().zip(&v) {
            *o = *x as u32;
        }
        return Some(v);
    }
    let mut keys: Vec<T::K> = row.iter().map(key).collect();
    let mut idx: Vec<u32> = (0..n as u32).collect();
    let (mut tk, mut ti) = (Vec::new(), Vec::new());
    if segments > 1 {
        radix_par(&mut keys, &mut idx, &mut tk, &mut ti, segments);
    } else {
        radix(&mut keys, &mut idx, &mut tk, &mut ti);
    }
    out.copy_from_slice(&idx);
    None
}

/// Sorted values and sorting positions of each of `m` rows of length `k` (row-major), written to
/// `vals` and `idx`. Values come back from the sorted keys where a key names one value, so a long
/// row is not gathered at random; ±0 and NaN (one key for several bit patterns) are read from the
/// row.
pub fn sort_rows_into<T: SortKey + Sync>(x: &[T], m: usize, k: usize, descending: bool, torch_ties: bool, vals: &mut [T], idx: &mut [i64]) {
    if k == 0 || m == 0 {
        return;
    }
    let (pv, pi) = (SendPtr(vals.as_mut_ptr()), SendPtr(idx.as_mut_ptr()));
    let row_job = move |r: usize, o: &mut Vec<u32>| {
        let (pv, pi) = (pv, pi);
        let row = &x[r * k..(r + 1) * k];
        // SAFETY: row r owns vals[r*k..(r+1)*k] and idx[r*k..(r+1)*k].
        let (dv, di) = unsafe { (std::slice::from_raw_parts_mut(pv.0.add(r * k), k), std::slice::from_raw_parts_mut(pi.0.add(r * k), k)) };
        if k >= 256 && T::K::BITS == 32 && (!torch_ties || k > TORCH_TIES_MAX) {
            // The stable order is the answer: values and positions both come from the keys.
            radix_row(row, descending, Some((dv, di)));
            return;
        }
        o.clear();
        o.resize(k, 0);
        let keys = argsort_row_keys(row, descending, o);
        if torch_ties {
            torch_tie_order(row, descending, o);
        }
        for (d, &p) in di.iter_mut().zip(o.iter()) {
            *d = p as i64;
        }
        match keys {
            // Ties have equal keys, so the key sequence survives `torch_tie_order`.
            Some(keys) => {
                for ((d, &kv), &p) in dv.iter_mut().zip(&keys).zip(o.iter()) {
                    let kk = T::K::from_u64(kv >> 32);
                    let kk = if descending { kk.flip() } else { kk };
                    *d = T::unkey(kk).unwrap_or_else(|| row[p as usize]);
                }
                give_buf(keys);
            }
            None => {
                for (d, &p) in dv.iter_mut().zip(o.iter()) {
                    *d = row[p as usize];
                }
            }
        }
    };
    if m == 1 || m * k < 1 << 15 || num_threads() <= 1 {
        let mut o = Vec::new();
        (0..m).for_each(|r| row_job(r, &mut o));
    } else {
        let step = m.div_ceil(num_threads() * 4).max(1);
        run_chunks(m.div_ceil(step), |c| {
            let mut o = Vec::new();
            (c * step..((c + 1) * step).min(m)).for_each(|r| row_job(r, &mut o));
        });
    }
}

/// Values and positions of a row from its sorted packed keys, split over the pool for long rows.
/// Only ±0 and NaN, where one key stands for several bit patterns, are read back from the row.
fn write_from_keys<T: SortKey>(keys: &[u64], row: &[T], descending: bool, dv: &mut [T], di: &mut [i64]) {
    let n = keys.len();
    let chunks = num_threads().min(n / PAR_SORT_MIN).max(1);
    let step = n.div_ceil(chunks);
    let (pv, pi) = (SendPtr(dv.as_mut_ptr()), SendPtr(di.as_mut_ptr()));
    run_chunks(chunks, |c| {
        let (pv, pi) = (pv, pi);
        for j in c * step..((c + 1) * step).min(n) {
            // SAFETY: chunk c writes only slots c*step..(c+1)*step of outputs of length n.
            unsafe { emit(keys[j], j, row, descending, pv.0, pi.0) };
        }
    });
}

/// Writes the value and position that packed key `kv` stands for to slot `slot` of the outputs.
///
/// # Safety
/// `slot` must be in bounds of both outputs and written by no one else meanwhile.
#[inline(always)]
unsafe fn emit<T: SortKey>(kv: u64, slot: usize, row: &[T], descending: bool, dv: *mut T, di: *mut i64) {
    let p = kv as u32 as usize;
    let kk = T::K::from_u64(kv >> 32);
    let kk = if descending { kk.flip() } else { kk };
    // SAFETY: forwarded from the caller.
    unsafe {
        *dv.add(slot) = T::unkey(kk).unwrap_or_else(|| row[p]);
        *di.add(slot) = p as i64;
    }
}

/// The packed sort key of `row[j]`: its 32-bit key (flipped when descending) in the high half, the
/// position in the low half, so one array is scattered per pass instead of two.
#[inline(always)]
fn packed<T: SortKey>(row: &[T], j: usize, descending: bool) -> u64 {
    let k = row[j].key();
    (if descending { k.flip() } else { k }.digit_all() << 32) | j as u64
}

/// The keys of `row` packed with their positions, stably sorted.
fn packed_sorted<T: SortKey>(row: &[T], descending: bool) -> Vec<u64> {
    radix_row(row, descending, None).unwrap_or_default()
}

/// Stable LSD radix sort of a row with 32-bit keys, 8 bits a pass (256 write streams stay within
/// the store buffers and L1), skipping digits that are the same for every element. The last pass
/// writes `out` (values and positions) directly, so a sort costs one packing and counting read of
/// the row plus one scatter per digit. Without `out`, returns the
/// sorted packed keys. Long rows are cut into contiguous segments sorted by several threads: each
/// pass counts digits per segment and every segment scatters to offsets ordered by (digit,
/// segment), which keeps the order stable.
#[allow(clippy::uninit_vec)]
fn radix_row<T: SortKey>(row: &[T], descending: bool, mut out: Option<(&mut [T], &mut [i64])>) -> Option<Vec<u64>> {
    let n = row.len();
    let segments = num_threads().min(n / PAR_SORT_MIN).max(1);
    let step = n.div_ceil(segments);
    let seg = |s: usize| (s * step).min(n)..((s + 1) * step).min(n);
    let (mut a, mut b) = (take_buf(n), take_buf(n));
    // SAFETY: `a` is written in full by the segments below and `b` by the first pass (its buckets
    // partition 0..n) before either is read.
    unsafe {
        a.set_len(n);
        b.set_len(n);
    }
    // One read of the row packs every key with its position and counts the digits of all four
    // passes per segment. (Packing inside the first scatter instead measured slower.)
    let mut counts = vec![[[0usize; 256]; 4]; segments];
    {
        let (pa, pc) = (SendPtr(a.as_mut_ptr()), SendPtr(counts.as_mut_ptr()));
        run_chunks(segments, |s| {
            let (pa, pc) = (pa, pc);
            let mut h = [[0usize; 256]; 4];
            for j in seg(s) {
                let x = packed(row, j, descending);
                for (p, hp) in h.iter_mut().enumerate() {
                    hp[((x >> (32 + 8 * p)) & 0xff) as usize] += 1;
                }
                // SAFETY: segment s writes only its own slots of `a`.
                unsafe { *pa.0.add(j) = x };
            }
            // SAFETY: segment s writes only its own entry.
            unsafe { *pc.0.add(s) = h };
        });
    }
    let passes: Vec<usize> = (0..4).filter(|&p| !(0..256).any(|d| counts.iter().map(|c| c[p][d]).sum::<usize>() == n)).collect();
    let (pv, pi) = match &mut out {
        Some((dv, di)) => (SendPtr(dv.as_mut_ptr()), SendPtr(di.as_mut_ptr())),
        None => (SendPtr(std::ptr::null_mut()), SendPtr(std::ptr::null_mut())),
    };
    // Whether the last pass wrote `out` itself.
    let mut written = false;
    for (i, &p) in passes.iter().enumerate() {
        let shift = 32 + 8 * p as u32;
        let hist: Vec<[usize; 256]> = if i == 0 || segments == 1 {
            counts.iter().map(|c| c[p]).collect()
        } else {
            // Per-segment counts of this digit depend on the order the previous pass left.
            let mut hist = vec![[0usize; 256]; segments];
            let (src, ph) = (&a[..], SendPtr(hist.as_mut_ptr()));
            run_chunks(segments, |s| {
                let ph = ph;
                let mut h = [0usize; 256];
                for &x in &src[seg(s)] {
                    h[((x >> shift) & 0xff) as usize] += 1;
                }
                // SAFETY: segment s writes only its own entry.
                unsafe { *ph.0.add(s) = h };
            });
            hist
        };
        let mut offs = vec![[0usize; 256]; segments];
        let mut sum = 0usize;
        for d in 0..256 {
            for s in 0..segments {
                offs[s][d] = sum;
                sum += hist[s][d];
            }
        }
        let to_out = i + 1 == passes.len() && out.is_some();
        let (src, dst, offs) = (&a[..], SendPtr(b.as_mut_ptr()), &offs);
        run_chunks(segments, |s| {
            let (dst, pv, pi) = (dst, pv, pi);
            // SAFETY: the (digit, segment) ranges partition 0..n, so every slot of the destination
            // (b, or both outputs of length n) is written once, by one segment.
            unsafe {
                if to_out {
                    pass_out(&src[seg(s)], row, descending, pv.0, pi.0, offs[s], shift);
                } else {
                    pass_buf(&src[seg(s)], dst.0, offs[s], shift);
                }
            }
        });
        if to_out {
            written = true;
        } else {
            std::mem::swap(&mut a, &mut b);
        }
    }
    give_buf(b);
    match out {
        None => Some(a),
        Some((dv, di)) => {
            if !written {
                write_from_keys(&a, row, descending, dv, di);
            }
            give_buf(a);
            None
        }
    }
}

/// A radix pass: each element of `src` goes to `dst[offs[digit]]`, the digit being the byte at
/// `shift`. A plain store per element: on the machines measured, staging each bucket's elements in
/// a cache-line buffer first ran at half this speed.
///
/// # Safety
/// For every digit d, `dst[offs[d]..offs[d] + count of d in src]` must be valid for writes and
/// written by no one else meanwhile.
#[inline(never)]
unsafe fn pass_buf(src: &[u64], dst: *mut u64, mut offs: [usize; 256], shift: u32) {
    for &x in src {
        let d = ((x >> shift) & 0xff) as usize;
        // SAFETY: forwarded from the caller.
        unsafe { *dst.add(offs[d]) = x };
        offs[d] += 1;
    }
}

/// The last radix pass, writing each element's value and position straight into the outputs.
///
/// # Safety
/// As for [`pass_buf`], for both outputs.
#[inline(never)]
unsafe fn pass_out<T: SortKey>(src: &[u64], row: &[T], descending: bool, dv: *mut T, di: *mut i64, mut offs: [usize; 256], shift: u32) {
    for &x in src {
        let d = ((x >> shift) & 0xff) as usize;
        // SAFETY: forwarded from the caller.
        unsafe { emit(x, offs[d], row, descending, dv, di) };
        offs[d] += 1;
    }
}

/// Buffers of at most this many elements are kept for reuse by the thread that sorted them (2 ×
/// 32 MB); larger ones go back to the allocator.
const KEEP_MAX: usize = 1 << 22;

thread_local! {
    static BUFS: std::cell::RefCell<Vec<Vec<u64>>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An empty buffer with room for `n` elements, reusing one this thread sorted with before: fresh
/// multi-megabyte allocations are page-faulted in on every call, which costs more than a pass.
fn take_buf(n: usize) -> Vec<u64> {
    let mut v = BUFS.with(|b| b.borrow_mut().pop()).unwrap_or_default();
    v.clear();
    v.reserve(n);
    v
}

fn give_buf(v: Vec<u64>) {
    if v.capacity() <= KEEP_MAX {
        BUFS.with(|b| {
            let mut b = b.borrow_mut();
            if b.len() < 2 {
                b.push(v);
            }
        });
    }
}

/// Rows at least this long per thread are radix-sorted by several threads.
const PAR_SORT_MIN: usize = 1 << 16;

/// `radix` split over `segments` threads: each pass counts digits per contiguous segment, then
/// every segment scatters its elements to offsets ordered by (digit, segment), which keeps the
/// sort stable.
fn radix_par<K: RadixKey>(keys: &mut Vec<K>, idx: &mut Vec<u32>, tk: &mut Vec<K>, ti: &mut Vec<u32>, segments: usize) {
    use std::sync::Mutex;
    let n = keys.len();
    let passes = K::BITS.div_ceil(11) as usize;
    let step = n.div_ceil(segments);
    tk.resize(n, keys[0]);
    ti.resize(n, 0);
    for p in 0..passes {
        let shift = p as u32 * 11;
        let hists: Vec<Mutex<Vec<usize>>> = (0..segments).map(|_| Mutex::new(vec![0usize; 2048])).collect();
        {
            let ks: &[K] = keys;
            run_chunks(segments, |s| {
                let mut h = vec![0usize; 2048];
                for &k in &ks[(s * step).min(n)..((s + 1) * step).min(n)] {
                    h[k.digit(shift)] += 1;
                }
                if let Ok(mut slot) = hists[s].lock() {
                    *slot = h;
                }
            });
        }
        let hists: Vec<Vec<usize>> = hists.into_iter().map(|m| m.into_inner().unwrap_or_default()).collect();
        if (0..2048).any(|d| hists.iter().map(|h| h[d]).sum::<usize>() == n) {
            continue; // every key has the same digit here
        }
        // Start of (digit d, segment s): all smaller digits, then this digit in earlier segments.
        let mut offs = vec![vec![0usize; 2048]; segments];
        let mut sum = 0usize;
        for d in 0..2048 {
            for s in 0..segments {
                offs[s][d] = sum;
                sum += hists[s][d];
            }
        }
        {
            let (ks, is): (&[K], &[u32]) = (keys, idx);
            let (pk, pi) = (SendPtr(tk.as_mut_ptr()), SendPtr(ti.as_mut_ptr()));
            let offs = &offs;
            run_chunks(segments, |s| {
                let (pk, pi) = (pk, pi);
                let mut o = offs[s].clone();
                for i in (s * step).min(n)..((s + 1) * step).min(n) {
                    let k = ks[i];
                    let d = k.digit(shift);
                    // SAFETY: the (digit, segment) ranges partition 0..n, so every slot is
                    // written once, by one segment.
                    unsafe {
                        *pk.0.add(o[d]) = k;
                        *pi.0.add(o[d]) = is[i];
                    }
                    o[d] += 1;
                }
            });
        }
        std::mem::swap(keys, tk);
        std::mem::swap(idx, ti);
    }
}

/// The sorting permutation of each of `m` rows of length `k` (row-major, `m * k` entries). With
/// `torch_ties`, rows whose order torch leaves to its unstable sort get torch's order of ties.
pub fn argsort_rows<T: SortKey + Sync>(x: &[T], m: usize, k: usize, descending: bool, torch_ties: bool) -> Vec<u32> {
    let mut out = vec![0u32; m * k];
    for_rows(&mut out, m, k, m * k, |r, o| {
        let row = &x[r * k..(r + 1) * k];
        argsort_row(row, descending, o);
        if torch_ties {
            torch_tie_order(row, descending, o);
        }
    });
    out
}

/// Runs `f(r, out_row)` for each of `m` rows of `out` (`w` entries each), across the pool when the
/// rows hold `work` elements in all.
fn for_rows(out: &mut [u32], m: usize, w: usize, work: usize, f: impl Fn(usize, &mut [u32]) + Sync) {
    if w == 0 || m == 0 {
        return;
    }
    let po = SendPtr(out.as_mut_ptr());
    let f = &f;
    let row = move |r: usize| {
        let po = po;
        // SAFETY: row r owns out[r*w..(r+1)*w].
        f(r, unsafe { std::slice::from_raw_parts_mut(po.0.add(r * w), w) });
    };
    if m == 1 || work < 1 << 15 || num_threads() <= 1 {
        (0..m).for_each(row);
    } else {
        let step = m.div_ceil(num_threads() * 4).max(1);
        run_chunks(m.div_ceil(step), |c| (c * step..((c + 1) * step).min(m)).for_each(row));
    }
}

/// Rows longer than this keep the stable order where torch's unstable sort would permute ties:
/// replaying introsort costs what torch's sort costs, three times NumPy's.
const TORCH_TIES_MAX: usize = 1 << 18;

/// Given the stable permutation `perm` of `row`, puts tied elements in the order torch's unstable
/// CPU sort gives them: `std::sort` of (value, index) pairs from the identity order. Rows without
/// ties, and rows of at most 16 (where `std::sort` is an insertion sort), are already in it.
fn torch_tie_order<T: SortKey>(row: &[T], descending: bool, perm: &mut [u32]) {
    let n = row.len();
    if n <= 16 || n > TORCH_TIES_MAX {
        return;
    }
    let key = |j: u32| {
        let k = row[j as usize].key();
        if descending { k.flip() } else { k }
    };
    if !perm.windows(2).any(|w| key(w[0]) == key(w[1])) {
        return;
    }
    let mut v: Vec<(T::K, u32)> = (0..n as u32).map(|j| (key(j), j)).collect();
    stdsort::sort(&mut v, &|a, b| a.0 < b.0);
    for (o, p) in perm.iter_mut().zip(&v) {
        *o = p.1;
    }
}

/// torch's CPU `topk`: per row, the positions of the `kk` largest (or smallest) elements, NaN
/// counting as the largest, chosen and ordered by the same `std::partial_sort` /
/// `std::nth_element` (+ `std::sort`) steps, so ties come out as in torch.
pub fn topk_rows<T: SortKey + Sync>(x: &[T], m: usize, k: usize, kk: usize, largest: bool, sorted: bool) -> Vec<u32> {
    let mut out = vec![0u32; m * kk];
    for_rows(&mut out, m, kk, m * k, |r, o| o.copy_from_slice(&topk_row(&x[r * k..(r + 1) * k], kk, largest, sorted)));
    out
}

/// [`topk_rows`] for one row (`kk >= 1`): the positions of its `kk` largest (or smallest) elements.
pub fn topk_row<T: SortKey>(row: &[T], kk: usize, largest: bool, sorted: bool) -> Vec<u32> {
    let mut q: Vec<(T::K, u32)> = row.iter().enumerate().map(|(j, v)| (if largest { v.key().flip() } else { v.key() }, j as u32)).collect();
    let less = |a: &(T::K, u32), b: &(T::K, u32)| a.0 < b.0;
    if kk * 64 <= row.len() {
        stdsort::partial_sort(&mut q, kk, &less);
    } else {
        stdsort::nth_element(&mut q, kk - 1, &less);
        if sorted {
            stdsort::sort(&mut q[..kk - 1], &less);
        }
    }
    q[..kk].iter().map(|p| p.1).collect()
}

/// torch's CPU `kthvalue`: per row, the position of the k-th smallest element (0-based `kk`), found
/// by ATen's quickselect, so ties resolve as in torch.
pub fn kth_rows<T: SortKey + Sync>(x: &[T], m: usize, k: usize, kk: usize) -> Vec<u32> {
    let mut out = vec![0u32; m];
    for_rows(&mut out, m, 1, m * k, |r, o| {
        let row = &x[r * k..(r + 1) * k];
        let mut q: Vec<(T::K, u32)> = row.iter().enumerate().map(|(j, v)| (v.key(), j as u32)).collect();
        stdsort::quick_select(&mut q, kk, &|a: &(T::K, u32), b: &(T::K, u32)| a.0 > b.0);
        o[0] = q[kk].1;
    });
    out
}

/// torch's CPU `mode`: per row, `std::sort` of (value, index) pairs by `<` on the values, then the
/// last entry of the first longest run of equal values.
pub fn mode_rows<T: Element + PartialOrd + Sync>(x: &[T], m: usize, k: usize) -> Vec<u32> {
    let mut out = vec![0u32; m];
    for_rows(&mut out, m, 1, m * k, |r, o| {
        let row = &x[r * k..(r + 1) * k];
        let mut q: Vec<(T, u32)> = row.iter().enumerate().map(|(j, &v)| (v, j as u32)).collect();
        stdsort::sort(&mut q, &|a: &(T, u32), b: &(T, u32)| a.0 < b.0);
        let (mut best, mut best_n, mut run) = (0usize, 0usize, 0usize);
        for i in 0..k {
            run += 1;
            if i == k - 1 || q[i].0 != q[i + 1].0 {
                if run > best_n {
                    best = i;
                    best_n = run;
                }
                run = 0;
            }
        }
        o[0] = q[best].1;
    });
    out
}
