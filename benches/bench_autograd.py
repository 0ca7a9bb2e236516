"""Autograd benchmarks, side by side with torch in one process (medians; ratio = oxytorch / torch).

Run after a release build: ``python benches/bench_autograd.py``."""
import gc
import statistics
import timeit

import numpy as np
import torch

import oxytorch as ot


def median(fn, number, repeat=7):
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number


def workloads():
    w = {}
    a1, b1 = ot.ones(1, requires_grad=True), ot.ones(1, requires_grad=True)
    ta1, tb1 = torch.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)
    w["a + b (1 elem, requires_grad)"] = (lambda: a1 + b1, lambda: ta1 + tb1, 20000)

    def small_backward(mod, x, y):
        def run():
            (x * y).sum().backward()
        return run

    xs, ys = ot.ones(16, requires_grad=True), ot.ones(16, requires_grad=True)
    txs, tys = torch.ones(16, requires_grad=True), torch.ones(16, requires_grad=True)
    if hasattr(ot.Tensor, "sum"):
        w["(a * b).sum().backward() (16)"] = (small_backward(ot, xs, ys), small_backward(torch, txs, tys), 2000)

    def chain(mod, x):
        def run():
            y = x
            for _ in range(10_000):
                y = y * 1.0
            y.backward(mod.ones(1))
        return run

    cx, tcx = ot.ones(1, requires_grad=True), torch.ones(1, requires_grad=True)
    w["chain of 10k muls + backward"] = (chain(ot, cx), chain(torch, tcx), 3)

    if hasattr(ot, "matmul") and hasattr(ot.Tensor, "sum"):
        rng = np.random.default_rng(0)
        shapes = [(784, 512), (512, 512), (512, 10)]
        npw = [rng.standard_normal(s).astype(np.float32) * 0.05 for s in shapes]
        x = rng.standard_normal((256, 784)).astype(np.float32)
        ow = [ot.from_numpy(p.copy()).requires_grad_() for p in npw]
        tw = [torch.from_numpy(p.copy()).requires_grad_() for p in npw]
        ox, tx = ot.from_numpy(x), torch.from_numpy(x)

        def mlp(mod, ws, inp):
            def run():
                h = inp
                for i, wt in enumerate(ws):
                    h = h @ wt
                    if i < len(ws) - 1:
                        h = mod.relu(h)
                h.sum().backward()
            return run

        w["MLP 784-512-512-10 fwd+bwd (b=256)"] = (mlp(ot, ow, ox), mlp(torch, tw, tx), 20)
    return w


def main():
    print(f"torch {torch.__version__}; medians per call")
    print(f"{'workload':40s} {'oxytorch':>12s} {'torch':>12s} {'ot/torch':>9s}")
    for name, (fo, ft, n) in workloads().items():
        to, tt = median(fo, n), median(ft, n)
        print(f"{name:40s} {to * 1e6:10.2f}us {tt * 1e6:10.2f}us {to / tt:9.2f}")
    gc.collect()


if __name__ == "__main__":
    main()
