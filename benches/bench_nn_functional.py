"""nn.functional benchmarks (cross_entropy, layer_norm, batch_norm forward + backward), side by side
with torch in one process: medians, ratio = oxytorch / torch (lower is better).

Run after a release build (``OXY_TARGET=... wt-build2.sh --release``):
``PYTHONPATH=python python3 benches/bench_nn_functional.py``"""
import statistics
import timeit

import numpy as np
import torch
import torch.nn.functional as TF

import oxytorch as ot
import oxytorch.nn.functional as OF


def median(fn, number, repeat=7):
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number


def pair(a, grad=True):
    o = ot.from_numpy(a.copy())
    t = torch.from_numpy(a.copy())
    if grad:
        o.requires_grad_()
        t.requires_grad_()
    return o, t


def workloads():
    rng = np.random.default_rng(0)
    w = {}
    for n, c, number in [(256, 10, 500), (64, 1000, 200)]:
        xo, xt = pair(rng.standard_normal((n, c)).astype(np.float32))
        tgt = rng.integers(0, c, size=n)
        to, tt = ot.tensor(tgt), torch.tensor(tgt)

        def ce(F, x, t):
            def run():
                F.cross_entropy(x, t).backward()
            return run

        w[f"cross_entropy fwd+bwd {n}x{c}"] = (ce(OF, xo, to), ce(TF, xt, tt), number)

        def ce_f(F, x, t):
            return lambda: F.cross_entropy(x.detach(), t)

        w[f"cross_entropy fwd {n}x{c}"] = (ce_f(OF, xo, to), ce_f(TF, xt, tt), number)

    xo, xt = pair(rng.standard_normal((64, 128, 256)).astype(np.float32))
    wo, wt = pair(rng.standard_normal(256).astype(np.float32))
    bo, bt = pair(rng.standard_normal(256).astype(np.float32))

    def ln(F, x, wgt, b):
        def run():
            F.layer_norm(x, (256,), wgt, b).sum().backward()
        return run

    w["layer_norm fwd+bwd 64x128x256"] = (ln(OF, xo, wo, bo), ln(TF, xt, wt, bt), 5)

    xo, xt = pair(rng.standard_normal((64, 32, 28, 28)).astype(np.float32))
    wo, wt = pair(rng.standard_normal(32).astype(np.float32))
    bo, bt = pair(rng.standard_normal(32).astype(np.float32))
    rmo, rmt = pair(np.zeros(32, np.float32), grad=False)
    rvo, rvt = pair(np.ones(32, np.float32), grad=False)

    def bn(F, x, wgt, b, rm, rv):
        def run():
            F.batch_norm(x, rm, rv, wgt, b, True, 0.1, 1e-5).sum().backward()
        return run

    w["batch_norm train fwd+bwd 64x32x28x28"] = (bn(OF, xo, wo, bo, rmo, rvo), bn(TF, xt, wt, bt, rmt, rvt), 5)
    return w


def main():
    # one thread each: the shared machine makes multi-threaded timings noisy
    torch.set_num_threads(1)
    ot.set_num_threads(1)
    print(f"{'workload':44s} {'oxytorch':>12s} {'torch':>12s} {'ratio':>7s}")
    for name, (fo, ft, number) in workloads().items():
        fo()
        ft()
        to = median(fo, number)
        tt = median(ft, number)
        print(f"{name:44s} {to * 1e6:10.1f}us {tt * 1e6:10.1f}us {to / tt:7.2f}")


if __name__ == "__main__":
    main()
