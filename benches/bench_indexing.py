"""Indexing benchmarks, oxytorch vs torch vs NumPy in one process (medians; ratio = oxytorch time /
other time, below 1.0 means oxytorch is faster). Run with a --release build:
``PYTHONPATH=python python3 benches/bench_indexing.py``."""
import statistics
import timeit

import numpy as np
import torch

import oxytorch as ot


def median_time(fn, number, repeat):
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number


def workloads():
    rng = np.random.default_rng(0)
    n = 1 << 20
    nx = rng.standard_normal(n).astype(np.float32)
    ni = rng.integers(0, n, n).astype(np.int64)
    nm = nx > 0
    nx2 = rng.standard_normal((1024, 1024)).astype(np.float32)
    ni2 = rng.integers(0, 1024, 4096).astype(np.int64)
    ox, tx = ot.from_numpy(nx), torch.from_numpy(nx)
    oi, ti = ot.from_numpy(ni), torch.from_numpy(ni)
    om, tm = ot.from_numpy(nm), torch.from_numpy(nm)
    ox2, tx2 = ot.from_numpy(nx2), torch.from_numpy(nx2)
    oi2, ti2 = ot.from_numpy(ni2), torch.from_numpy(ni2)
    oa, ta, na = ot.ones(4), torch.ones(4), np.ones(4, dtype=np.float32)
    ob, tb, nb = ot.ones(3, 4), torch.ones(3, 4), np.ones((3, 4), dtype=np.float32)
    return [
        ("x[idx] 1M int64 -> f32", 20, (lambda: ox[oi], lambda: tx[ti], lambda: nx[ni])),
        ("x[mask] 1M (50%)", 20, (lambda: ox[om], lambda: tx[tm], lambda: nx[nm])),
        ("masked_select 1M", 20, (lambda: ox.masked_select(om), lambda: tx.masked_select(tm), None)),
        ("x2[rows] 4096 of 1024x1024", 20, (lambda: ox2[oi2], lambda: tx2[ti2], lambda: nx2[ni2])),
        ("index_select(1) 4096", 10, (lambda: ox2.index_select(1, oi2), lambda: tx2.index_select(1, ti2), lambda: nx2[:, ni2])),
        ("nonzero 1M", 10, (lambda: om.nonzero(), lambda: tm.nonzero(), lambda: np.argwhere(nm))),
        ("a[0] tiny", 20000, (lambda: oa[0], lambda: ta[0], lambda: na[0:1])),
        ("b[1, 2:] tiny", 20000, (lambda: ob[1, 2:], lambda: tb[1, 2:], lambda: nb[1, 2:])),
        ("b.view(-1) tiny", 20000, (lambda: ob.view(-1), lambda: tb.view(-1), lambda: nb.reshape(-1))),
        ("b.t() tiny", 20000, (lambda: ob.t(), lambda: tb.t(), lambda: nb.T)),
    ]


def main():
    print(f"{'workload':32s} {'oxytorch':>10s} {'torch':>10s} {'numpy':>10s} {'ot/torch':>9s} {'ot/numpy':>9s}")
    for name, number, (fo, ft, fn) in workloads():
        to = median_time(fo, number, 7)
        tt = median_time(ft, number, 7)
        tn = median_time(fn, number, 7) if fn else float("nan")
        print(f"{name:32s} {to * 1e6:9.1f}u {tt * 1e6:9.1f}u {tn * 1e6:9.1f}u {to / tt:9.2f} {to / tn:9.2f}")


if __name__ == "__main__":
    main()
