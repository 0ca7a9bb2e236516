//! libstdc++'s `std::partial_sort`, `std::nth_element` and `std::sort`, and ATen's quickselect,
//! step for step. torch's CPU topk, unstable sort, kthvalue and mode (and multinomial without
//! replacement) leave equal keys in whatever order these algorithms produce, so reproducing its
//! tie order takes the same algorithms, not just any correct sort.
//! The "unguarded" loops of the original carry index guards, which only matter (and only avoid
//! a panic) if the comparator is not a strict weak order.

/// libstdc++'s `_S_threshold`: introsort leaves partitions this small to insertion sort.
const THRESHOLD: usize = 16;

/// `std::__lg`: floor(log2(n)) for n > 0.
fn lg(n: usize) -> usize {
    (usize::BITS - 1 - n.max(1).leading_zeros()) as usize
}

fn push_heap<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], mut hole: usize, top: usize, value: T, comp: &C) {
    while hole > top {
        let parent = (hole - 1) / 2;
        if !comp(&a[parent], &value) {
            break;
        }
        a[hole] = a[parent];
        hole = parent;
    }
    a[hole] = value;
}

/// `std::__adjust_heap` over `a[..len]`.
fn adjust_heap<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], mut hole: usize, len: usize, value: T, comp: &C) {
    let top = hole;
    let mut second = hole;
    while second < len.saturating_sub(1) / 2 {
        second = 2 * (second + 1);
        if comp(&a[second], &a[second - 1]) {
            second -= 1;
        }
        a[hole] = a[second];
        hole = second;
    }
    if len >= 2 && len.is_multiple_of(2) && second == (len - 2) / 2 {
        second = 2 * (second + 1);
        a[hole] = a[second - 1];
        hole = second - 1;
    }
    push_heap(a, hole, top, value, comp);
}

fn make_heap<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], comp: &C) {
    let len = a.len();
    if len < 2 {
        return;
    }
    for parent in (0..=(len - 2) / 2).rev() {
        adjust_heap(a, parent, len, a[parent], comp);
    }
}

/// `std::__pop_heap(first, first + len, first + result)`.
fn pop_heap<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], len: usize, result: usize, comp: &C) {
    let value = a[result];
    a[result] = a[0];
    adjust_heap(a, 0, len, value, comp);
}

fn heap_select<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], middle: usize, comp: &C) {
    make_heap(&mut a[..middle], comp);
    for i in middle..a.len() {
        if comp(&a[i], &a[0]) {
            pop_heap(a, middle, i, comp);
        }
    }
}

fn sort_heap<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], comp: &C) {
    for last in (1..a.len()).rev() {
        pop_heap(a, last, last, comp);
    }
}

/// `std::partial_sort(a, a + middle, a + len)`.
pub fn partial_sort<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], middle: usize, comp: &C) {
    let middle = middle.min(a.len());
    heap_select(a, middle, comp);
    sort_heap(&mut a[..middle], comp);
}

fn move_median_to_first<T: Copy, C: Fn(&T, &T) -> bool>(
    a: &mut [T],
    result: usize,
    x: usize,
    y: usize,
    z: usize,
    comp: &C,
) {
    let pick = if comp(&a[x], &a[y]) {
        if comp(&a[y], &a[z]) {
            y
        } else if comp(&a[x], &a[z]) {
            z
        } else {
            x
        }
    } else if comp(&a[x], &a[z]) {
        x
    } else if comp(&a[y], &a[z]) {
        z
    } else {
        y
    };
    a.swap(result, pick);
}

/// `std::__unguarded_partition_pivot` on `a[lo..hi]` (hi - lo > 3): median of three to `lo`,
/// then Hoare partition of the rest around it. Returns the cut.
fn partition_pivot<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], lo: usize, hi: usize, comp: &C) -> usize {
    let mid = lo + (hi - lo) / 2;
    move_median_to_first(a, lo, lo + 1, mid, hi - 1, comp);
    let (mut first, mut last) = (lo + 1, hi);
    loop {
        while first < hi && comp(&a[first], &a[lo]) {
            first += 1;
        }
        last -= 1;
        while last > lo && comp(&a[lo], &a[last]) {
            last -= 1;
        }
        if first >= last {
            return first;
        }
        a.swap(first, last);
        first += 1;
    }
}

/// `std::__unguarded_linear_insert`: sinks `a[last]` leftwards to its place.
fn linear_insert<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], mut last: usize, comp: &C) {
    let value = a[last];
    while last > 0 && comp(&value, &a[last - 1]) {
        a[last] = a[last - 1];
        last -= 1;
    }
    a[last] = value;
}

fn insertion_sort<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], lo: usize, hi: usize, comp: &C) {
    for i in lo + 1..hi {
        if comp(&a[i], &a[lo]) {
            let value = a[i];
            a.copy_within(lo..i, lo + 1);
            a[lo] = value;
        } else {
            linear_insert(a, i, comp);
        }
    }
}

/// `std::nth_element(a, a + nth, a + len)` (introselect).
pub fn nth_element<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], nth: usize, comp: &C) {
    let (mut lo, mut hi) = (0, a.len());
    if nth >= hi {
        return;
    }
    let mut depth = 2 * lg(hi);
    while hi - lo > 3 {
        if depth == 0 {
            heap_select(&mut a[lo..hi], nth + 1 - lo, comp);
            a.swap(lo, nth);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(a, lo, hi, comp);
        if cut <= nth {
            lo = cut;
        } else {
            hi = cut;
        }
    }
    insertion_sort(a, lo, hi, comp);
}

fn introsort_loop<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], lo: usize, mut hi: usize, mut depth: usize, comp: &C) {
    while hi - lo > THRESHOLD {
        if depth == 0 {
            let n = hi - lo;
            partial_sort(&mut a[lo..hi], n, comp);
            return;
        }
        depth -= 1;
        let cut = partition_pivot(a, lo, hi, comp);
        introsort_loop(a, cut, hi, depth, comp);
        hi = cut;
    }
}

/// `std::sort`: introsort, then the final insertion sort (guarded for the first 16 elements).
pub fn sort<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], comp: &C) {
    let n = a.len();
    if n == 0 {
        return;
    }
    introsort_loop(a, 0, n, 2 * lg(n), comp);
    if n > THRESHOLD {
        insertion_sort(a, 0, THRESHOLD, comp);
        for i in THRESHOLD..n {
            linear_insert(a, i, comp);
        }
    } else {
        insertion_sort(a, 0, n, comp);
    }
}

/// ATen's `quick_select_template`: moves the k-th smallest element (by `gt`, "greater or NaN") to
/// position `k`.
pub fn quick_select<T: Copy>(a: &mut [T], k: usize, gt: &impl Fn(&T, &T) -> bool) {
    if a.is_empty() {
        return;
    }
    let (mut l, mut r) = (0usize, a.len() - 1);
    loop {
        if r <= l {
            return;
        }
        if r == l + 1 {
            if gt(&a[l], &a[r]) {
                a.swap(l, r);
            }
            return;
        }
        let p = l + (r - l) / 2;
        a.swap(p, l + 1);
        if gt(&a[l + 1], &a[r]) {
            a.swap(l + 1, r);
        }
        if gt(&a[l], &a[r]) {
            a.swap(l, r);
        }
        if gt(&a[l + 1], &a[l]) {
            a.swap(l + 1, l);
        }
        let (mut i, mut j) = (l + 1, r);
        let piv = a[l];
        loop {
            i += 1;
            while gt(&piv, &a[i]) {
                i += 1;
            }
            j -= 1;
            while gt(&a[j], &piv) {
                j -= 1;
            }
            if j < i {
                break;
            }
            a.swap(i, j);
        }
        a.swap(l, j);
        if j <= k {
            l = i;
        }
        if j >= k {
            // j >= k >= l + ... so j >= 1 here.
            r = j - 1;
        }
    }
}

/// Puts the elements at each of the sorted, distinct positions `ranks` where a sort would, as
/// torch's CPU quantile does: nth_element at the middle requested rank, then the same on the
/// ranks below it (left part) and above it (right part).
pub fn select_ranks<T: Copy, C: Fn(&T, &T) -> bool>(a: &mut [T], ranks: &[usize], comp: &C) {
    if ranks.is_empty() || a.len() <= 1 {
        return;
    }
    let m = ranks.len() / 2;
    let k = ranks[m];
    if k >= a.len() {
        return;
    }
    nth_element(a, k, comp);
    let (left, right) = a.split_at_mut(k);
    select_ranks(left, &ranks[..m], comp);
    let above: Vec<usize> = ranks[m + 1..].iter().map(|&r| r - k - 1).collect();
    select_ranks(&mut right[1..], &above, comp);
}

/// torch's argmax: the first largest value, NaN counting as largest.
pub fn argmax(row: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in row.iter().enumerate().skip(1) {
        let b = row[best];
        if !b.is_nan() && (v.is_nan() || v > b) {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> u64 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *seed >> 33
    }

    #[test]
    fn algorithms_order_like_the_standard_requires() {
        let desc = |x: &(u64, usize), y: &(u64, usize)| x.0 > y.0;
        let mut seed = 1;
        for n in [0usize, 1, 2, 3, 4, 5, 16, 17, 40, 300, 2000] {
            let v: Vec<(u64, usize)> = (0..n).map(|i| (lcg(&mut seed) % 50, i)).collect();
            let mut want: Vec<u64> = v.iter().map(|p| p.0).collect();
            want.sort_by(|a, b| b.cmp(a));
            let mut s = v.clone();
            sort(&mut s, &desc);
            assert_eq!(s.iter().map(|p| p.0).collect::<Vec<_>>(), want);
            for k in [1usize, 2, 7, n / 2, n].into_iter().filter(|&k| k >= 1 && k <= n) {
                let mut p = v.clone();
                partial_sort(&mut p, k, &desc);
                assert_eq!(p[..k].iter().map(|p| p.0).collect::<Vec<_>>(), want[..k]);
                let mut e = v.clone();
                nth_element(&mut e, k - 1, &desc);
                assert_eq!(e[k - 1].0, want[k - 1]);
                assert!(e[..k - 1].iter().all(|p| p.0 >= want[k - 1]));
                assert!(e[k..].iter().all(|p| p.0 <= want[k - 1]));
                let mut idx: Vec<usize> = e.iter().map(|p| p.1).collect();
                idx.sort();
                assert_eq!(idx, (0..n).collect::<Vec<_>>());
            }
        }
    }
}
