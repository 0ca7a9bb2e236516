"""Per-op overhead of elementwise calls and throughput of the activation/clamp/where ops:
oxytorch vs torch vs NumPy in one process, medians, ratios (oxytorch / other; below 1 is faster).
Run with a --release build: PYTHONPATH=python python3 benches/bench_elementwise2.py"""
import statistics
import timeit

import numpy as np
import torch
import torch.nn.functional as TF

import oxytorch as ot
import oxytorch.nn.functional as OF


def median(fn, number, repeat=7):
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number


def overhead():
    oa, ob, ta, tb = ot.ones(1), ot.ones(1), torch.ones(1), torch.ones(1)
    na, nb = np.ones(1, np.float32), np.ones(1, np.float32)
    return {
        "a + b (1 elem)": (lambda: oa + ob, lambda: ta + tb, lambda: na + nb),
        "a * 2.0 (1 elem)": (lambda: oa * 2.0, lambda: ta * 2.0, lambda: na * 2.0),
        "a += b (1 elem)": (lambda: oa.add_(ob), lambda: ta.add_(tb), None),
        "a < b (1 elem)": (lambda: oa < ob, lambda: ta < tb, lambda: na < nb),
        "torch.add(a, b)": (lambda: ot.add(oa, ob), lambda: torch.add(ta, tb), lambda: np.add(na, nb)),
        "relu(a) (1 elem)": (lambda: ot.relu(oa), lambda: torch.relu(ta), None),
        "clamp(a,0,1) (1 elem)": (lambda: oa.clamp(0, 1), lambda: ta.clamp(0, 1), lambda: np.clip(na, 0, 1)),
        "where(c,a,b) (1 elem)": (lambda: ot.where(oa > 0, oa, ob), lambda: torch.where(ta > 0, ta, tb), lambda: np.where(na > 0, na, nb)),
    }


def throughput():
    n = 4 * 1024 * 1024
    rng = np.random.default_rng(0)
    na, nb = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    oa, ob, ta, tb = ot.from_numpy(na), ot.from_numpy(nb), torch.from_numpy(na), torch.from_numpy(nb)
    om, tm = oa.reshape(1024, 4096), ta.reshape(1024, 4096)
    return {
        "relu 4M": (lambda: OF.relu(oa), lambda: TF.relu(ta), lambda: np.maximum(na, 0)),
        "gelu 4M": (lambda: OF.gelu(oa), lambda: TF.gelu(ta), None),
        "silu 4M": (lambda: OF.silu(oa), lambda: TF.silu(ta), None),
        "leaky_relu 4M": (lambda: OF.leaky_relu(oa), lambda: TF.leaky_relu(ta), None),
        "elu 4M": (lambda: OF.elu(oa), lambda: TF.elu(ta), None),
        "clamp 4M": (lambda: oa.clamp(-1, 1), lambda: ta.clamp(-1, 1), lambda: np.clip(na, -1, 1)),
        "where 4M": (lambda: ot.where(oa > 0, oa, ob), lambda: torch.where(ta > 0, ta, tb), lambda: np.where(na > 0, na, nb)),
        "softmax(1024x4096, -1)": (lambda: OF.softmax(om, -1), lambda: TF.softmax(tm, -1), None),
    }


def main():
    for title, table, number in (("per-call overhead", overhead(), 20000), ("throughput", throughput(), 5)):
        print(f"\n{title}")
        print(f"{'workload':28s} {'oxytorch':>11s} {'torch':>11s} {'numpy':>11s} {'ot/torch':>9s} {'ot/numpy':>9s}")
        for name, (fo, ft, fn) in table.items():
            to, tt = median(fo, number), median(ft, number)
            tn = median(fn, number) if fn else float("nan")
            print(f"{name:28s} {to * 1e6:9.2f}us {tt * 1e6:9.2f}us {tn * 1e6:9.2f}us {to / tt:9.2f} {to / tn:9.2f}")


if __name__ == "__main__":
    main()
