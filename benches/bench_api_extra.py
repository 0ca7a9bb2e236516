"""Side-by-side timings of the Python-composed API-sweep ops (oxytorch vs torch vs NumPy where it
has the op), medians over repeats, printing ratios (oxytorch / other; below 1.0 means faster).
Run: PYTHONPATH=python python3 benches/bench_api_extra.py (with a release extension)."""
import statistics
import timeit

import numpy as np
import torch

import oxytorch as ot


def _med(fn, number, repeat=5):
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number


def main():
    rng = np.random.default_rng(0)
    ia, ib = rng.integers(-10**6, 10**6, 10**6), rng.integers(-10**6, 10**6, 10**6)
    x = (rng.standard_normal(10**6) * 10).astype(np.float32)
    m = rng.standard_normal((200, 2000)).astype(np.float32)
    v = rng.standard_normal((100000, 3)).astype(np.float32)
    O = {k: ot.from_numpy(a) for k, a in dict(ia=ia, ib=ib, x=x, m=m, v=v).items()}
    T = {k: torch.from_numpy(a) for k, a in dict(ia=ia, ib=ib, x=x, m=m, v=v).items()}
    small = (ot.arange(3.0), torch.arange(3.0))
    rows = [
        ("meshgrid 3x3 (overhead)", lambda L, d: L.meshgrid(d["s"], d["s"], indexing="ij"), None, 2000),
        ("isin 1e6 in 1e4", lambda L, d: L.isin(d["ia"], d["ib"][:10000]), lambda: np.isin(ia, ib[:10000]), 3),
        ("cross 1e5x3", lambda L, d: L.cross(d["v"], d["v"].flip(0), dim=1), lambda: np.cross(v, v[::-1]), 10),
        ("cov 200x2000", lambda L, d: L.cov(d["m"]), lambda: np.cov(m), 10),
        ("gcd 1e6 int64", lambda L, d: L.gcd(d["ia"], d["ib"]), lambda: np.gcd(ia, ib), 3),
        ("i0 1e6 f32", lambda L, d: L.i0(d["x"]), lambda: np.i0(x), 3),
        ("frexp 1e6 f32", lambda L, d: L.frexp(d["x"]), lambda: np.frexp(x), 3),
        ("nextafter 1e6 f32", lambda L, d: L.nextafter(d["x"], d["x"] * 2), lambda: np.nextafter(x, x * 2), 5),
        ("kaiser_window 1e5", lambda L, d: L.kaiser_window(100000), lambda: np.kaiser(100001, 12.0), 5),
        ("hann_window 1e5", lambda L, d: L.hann_window(100000), lambda: np.hanning(100001), 20),
        ("put 1e5 into 1e6", lambda L, d: L.put(d["x"], d["ia"][:100000].abs() % 1000000, d["x"][:100000]), None, 5),
    ]
    O["s"], T["s"] = small
    print(f"{'workload':28s} {'oxytorch':>11s} {'torch':>11s} {'numpy':>11s} {'ot/torch':>9s} {'ot/numpy':>9s}")
    for name, fn, npfn, number in rows:
        to = _med(lambda: fn(ot, O), number)
        tt = _med(lambda: fn(torch, T), number)
        tn = _med(npfn, number) if npfn else None
        ns = f"{tn * 1e3:9.3f}ms" if tn else f"{'-':>11s}"
        rn = f"{to / tn:9.2f}" if tn else f"{'-':>9s}"
        print(f"{name:28s} {to * 1e3:9.3f}ms {tt * 1e3:9.3f}ms {ns} {to / tt:9.2f} {rn}")


if __name__ == "__main__":
    main()
