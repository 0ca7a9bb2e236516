"""Matrix-product benchmarks: the same workload through oxytorch, torch and NumPy in one process.

Prints medians, GFLOP/s and ratios (oxytorch time / other time; below 1.0 means oxytorch is
faster). Run on a release build: ``/work/tools/wt-build.sh --release`` then
``PYTHONPATH=python python3 benches/bench_matmul.py``."""
import argparse

import numpy as np
import torch
from _timing import interleaved

import oxytorch as ot


def _workloads():
    rng = np.random.default_rng(0)
    out = []

    def mat(shape, dt):
        return rng.standard_normal(shape).astype(dt)

    def add(name, sa, sb, dt, flops, number, repeat=7, op="matmul"):
        na, nb = mat(sa, dt), mat(sb, dt)
        oa, ob = ot.from_numpy(na), ot.from_numpy(nb)
        ta, tb = torch.from_numpy(na), torch.from_numpy(nb)
        out.append((name, flops, number, repeat, lambda: oa @ ob, lambda: ta @ tb, lambda: na @ nb))

    for n, number in [(256, 50), (1024, 3), (2048, 1)]:
        add(f"f32 matmul {n}", (n, n), (n, n), np.float32, 2 * n**3, number)
    add("f64 matmul 1024", (1024, 1024), (1024, 1024), np.float64, 2 * 1024**3, 2)
    add("f32 bmm 64x(128x128)", (64, 128, 128), (64, 128, 128), np.float32, 64 * 2 * 128**3, 10)
    # transposed operand: strides are passed through, no copy
    na, nb = mat((1024, 1024), np.float32), mat((1024, 1024), np.float32)
    oa, ob, ta, tb = ot.from_numpy(na), ot.from_numpy(nb), torch.from_numpy(na), torch.from_numpy(nb)
    out.append(("f32 a.T @ b 1024", 2 * 1024**3, 3, 7, lambda oa=oa, ob=ob: oa.t() @ ob, lambda ta=ta, tb=tb: ta.t() @ tb,
                lambda na=na, nb=nb: na.T @ nb))
    # per-call overhead on a tiny product
    na, nb = mat((4, 4), np.float32), mat((4, 4), np.float32)
    oa, ob, ta, tb = ot.from_numpy(na), ot.from_numpy(nb), torch.from_numpy(na), torch.from_numpy(nb)
    out.append(("tiny mm 4x4 (overhead)", 2 * 64, 20000, 7, lambda: ot.mm(oa, ob), lambda: torch.mm(ta, tb), lambda: na @ nb))
    out.append(("tiny a @ b 4x4 (overhead)", 2 * 64, 20000, 7, lambda: oa @ ob, lambda: ta @ tb, lambda: na @ nb))
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--filter", default="")
    args = p.parse_args()
    print(f"threads: torch {torch.get_num_threads()}, oxytorch {ot._C._get_num_threads()}")
    hdr = f"{'workload':28s} {'oxytorch':>10s} {'torch':>10s} {'numpy':>10s}  {'GF/s ox':>8s} {'GF/s th':>8s} {'GF/s np':>8s}  {'ox/torch':>8s} {'ox/numpy':>8s} {'ox/best':>8s}"
    print(hdr)
    for name, flops, number, repeat, fo, ft, fn in _workloads():
        if args.filter not in name:
            continue
        # NumPy's OpenBLAS workers keep spinning for tens of milliseconds after a product, and
        # torch's OpenMP team for milliseconds: a quarter second of untimed calls lets the
        # previous library's threads go idle, so each side is timed in its own steady state.
        to, tt, tn = interleaved([fo, ft, fn], number, repeat, warm=0.25)
        gf = lambda t: flops / t / 1e9  # noqa: E731
        unit = 1e6 if to < 1e-3 else 1e3
        u = "us" if unit == 1e6 else "ms"
        print(
            f"{name:28s} {to*unit:8.2f}{u} {tt*unit:8.2f}{u} {tn*unit:8.2f}{u}  {gf(to):8.1f} {gf(tt):8.1f} {gf(tn):8.1f}"
            f"  {to/tt:8.2f} {to/tn:8.2f} {to/min(tt, tn):8.2f}"
        )


if __name__ == "__main__":
    main()
