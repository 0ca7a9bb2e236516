"""Spatial-op benchmarks: the same workload through oxytorch and torch in one process.

Prints medians and ratios (oxytorch time / torch time; below 1.0 means oxytorch is faster).
Run on a release build: ``OXY_TARGET=... /work/tools/wt-build2.sh --release`` then
``PYTHONPATH=python python3 benches/bench_conv.py``. Workloads are interleaved (ox, torch, ox, ...)
so that load from other processes hits both sides alike."""
import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as TF

import oxytorch as ot
import oxytorch.nn.functional as OF


def _pair(shape, rng, requires_grad=False, scale=1.0):
    a = (rng.standard_normal(shape) * scale).astype(np.float32)
    o, t = ot.from_numpy(a.copy()), torch.from_numpy(a.copy())
    if requires_grad:
        o.requires_grad_(True)
        t.requires_grad_(True)
    return o, t


def _workloads():
    rng = np.random.default_rng(0)
    out = []

    # Conv2d forward: batch 32, 3 -> 64, 3x3, 64x64, padding 1
    xo, xt = _pair((32, 3, 64, 64), rng)
    wo, wt = _pair((64, 3, 3, 3), rng, True, 0.2)
    bo, bt = _pair((64,), rng, True)
    with_nograd_o = lambda: OF.conv2d(xo, wo.detach(), bo.detach(), padding=1)  # noqa: E731
    with_nograd_t = lambda: TF.conv2d(xt, wt.detach(), bt.detach(), padding=1)  # noqa: E731
    out.append(("conv2d fwd 32x3x64x64 -> 64 3x3", 10, with_nograd_o, with_nograd_t))

    go = ot.from_numpy(rng.standard_normal((32, 64, 64, 64)).astype(np.float32))
    gt = torch.from_numpy(go.numpy().copy())
    yo = OF.conv2d(xo, wo, bo, padding=1)
    yt = TF.conv2d(xt, wt, bt, padding=1)

    def bwd_o():
        wo.grad = None
        bo.grad = None
        yo.backward(go, retain_graph=True)

    def bwd_t():
        wt.grad = None
        bt.grad = None
        yt.backward(gt, retain_graph=True)

    out.append(("conv2d bwd (weight+bias grads)", 10, bwd_o, bwd_t))

    xo2, xt2 = _pair((32, 3, 64, 64), rng, True)
    yo2 = OF.conv2d(xo2, wo, bo, padding=1)
    yt2 = TF.conv2d(xt2, wt, bt, padding=1)

    def bwd2_o():
        xo2.grad = wo.grad = bo.grad = None
        yo2.backward(go, retain_graph=True)

    def bwd2_t():
        xt2.grad = wt.grad = bt.grad = None
        yt2.backward(gt, retain_graph=True)

    out.append(("conv2d bwd (input+weight+bias)", 10, bwd2_o, bwd2_t))

    # The CNN step of issue #5: conv 1->16 5x5, ReLU, maxpool 2, conv 16->32 5x5, ReLU, maxpool 2,
    # linear 512->10, batch 64, 28x28 (forward + backward; the loss is a plain sum).
    ximg_o, ximg_t = _pair((64, 1, 28, 28), rng)
    ps = {}
    for name, shape, sc in [("w1", (16, 1, 5, 5), 0.2), ("b1", (16,), 0.1), ("w2", (32, 16, 5, 5), 0.05),
                            ("b2", (32,), 0.1), ("w3", (10, 512), 0.05), ("b3", (10,), 0.1)]:
        ps[name] = _pair(shape, rng, True, sc)
    po = {k: v[0] for k, v in ps.items()}
    pt = {k: v[1] for k, v in ps.items()}

    def cnn(F, lib, x, p):
        h = F.max_pool2d(lib.relu(F.conv2d(x, p["w1"], p["b1"])), 2)
        h = F.max_pool2d(lib.relu(F.conv2d(h, p["w2"], p["b2"])), 2)
        h = h.reshape(h.shape[0], 512)
        return (h @ p["w3"].t() + p["b3"]).sum()

    def step_o():
        for v in po.values():
            v.grad = None
        cnn(OF, ot, ximg_o, po).backward()

    def step_t():
        for v in pt.values():
            v.grad = None
        cnn(TF, torch, ximg_t, pt).backward()

    out.append(("CNN fwd+bwd (batch 64, 28x28)", 20, step_o, step_t))

    def fwd_o():
        with ot.no_grad():
            cnn(OF, ot, ximg_o, po)

    def fwd_t():
        with torch.no_grad():
            cnn(TF, torch, ximg_t, pt)

    out.append(("CNN fwd only (no_grad)", 20, fwd_o, fwd_t))

    # pooling / resampling on a mid-size activation
    ao, at = _pair((32, 64, 32, 32), rng)
    out.append(("max_pool2d 2x2 32x64x32x32", 20, lambda: OF.max_pool2d(ao, 2), lambda: TF.max_pool2d(at, 2)))
    out.append(("avg_pool2d 3x3 s2 p1", 20, lambda: OF.avg_pool2d(ao, 3, 2, 1), lambda: TF.avg_pool2d(at, 3, 2, 1)))
    out.append(("adaptive_avg_pool2d -> 7x7", 20, lambda: OF.adaptive_avg_pool2d(ao, 7),
                lambda: TF.adaptive_avg_pool2d(at, 7)))
    out.append(("pad reflect (2,2,2,2)", 20, lambda: OF.pad(ao, (2, 2, 2, 2), mode="reflect"),
                lambda: TF.pad(at, (2, 2, 2, 2), mode="reflect")))
    out.append(("interpolate bilinear x2", 10, lambda: OF.interpolate(ao, scale_factor=2, mode="bilinear"),
                lambda: TF.interpolate(at, scale_factor=2, mode="bilinear")))
    # per-call overhead
    so, st = _pair((1, 1, 4, 4), rng)
    ko, kt = _pair((1, 1, 3, 3), rng)
    out.append(("tiny conv2d 4x4 (overhead)", 2000, lambda: OF.conv2d(so, ko), lambda: TF.conv2d(st, kt)))
    return out


def _time(fn, number):
    t0 = time.perf_counter()
    for _ in range(number):
        fn()
    return (time.perf_counter() - t0) / number


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--filter", default="")
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    print(f"threads: torch {torch.get_num_threads()}, oxytorch {ot._C._get_num_threads()}")
    print(f"{'workload':36s} {'oxytorch':>11s} {'torch':>11s} {'ox/torch':>9s}")
    for name, number, fo, ft in _workloads():
        if args.filter not in name:
            continue
        fo()
        ft()
        to, tt = [], []
        for _ in range(args.repeat):
            to.append(_time(fo, number))
            tt.append(_time(ft, number))
        mo, mt = statistics.median(to), statistics.median(tt)
        print(f"{name:36s} {mo * 1e3:9.3f}ms {mt * 1e3:9.3f}ms {mo / mt:9.2f}")


if __name__ == "__main__":
    main()
