"""nn benchmarks: Module-call overhead, Linear forward/backward and an MLP training step (manual
SGD, MSE), oxytorch next to torch in one process.

Prints medians and ratios (oxytorch time / torch time; below 1.0 means oxytorch is faster). Run on
a release build: ``/work/tools/wt-build.sh --release`` then ``PYTHONPATH=python python3 benches/bench_nn.py``."""
import statistics
import timeit

import torch

import oxytorch as ot


def _median(fn, number, repeat=7):
    fn()
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number


def _cases():
    out = []
    for lib in (torch, ot):
        lib.manual_seed(0)
    pairs = {}
    for lib in (torch, ot):
        nn = lib.nn
        small = nn.Linear(8, 8)
        xs = lib.randn(4, 8)
        seq = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 8))
        big = nn.Linear(784, 512)
        xb = lib.randn(256, 784)
        mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
        target = lib.randn(256, 10)

        def step(mlp=mlp, xb=xb, target=target, lib=lib):
            mlp.zero_grad()
            loss = ((mlp(xb) - target) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                for p in mlp.parameters():
                    p.sub_(p.grad * 0.01)

        def fwd_bwd(big=big, xb=xb):
            big.zero_grad()
            big(xb).sum().backward()

        pairs[lib] = [
            ("Linear(8,8) call, 4x8", lambda small=small, xs=xs: small(xs), 2000),
            ("Sequential(3) call, 4x8", lambda seq=seq, xs=xs: seq(xs), 1000),
            ("Linear(784,512) fwd, b256", lambda big=big, xb=xb: big(xb), 20),
            ("Linear(784,512) fwd+bwd, b256", fwd_bwd, 10),
            ("MLP 784-512-512-10 SGD step, b256", step, 5),
            ("state_dict() of the MLP", lambda mlp=mlp: mlp.state_dict(), 500),
        ]
    for (name, ft, n), (_, fo, _) in zip(pairs[torch], pairs[ot]):
        out.append((name, ft, fo, n))
    return out


def main():
    print(f"{'case':40s} {'torch':>10s} {'oxytorch':>10s} {'ratio':>7s}")
    for name, ft, fo, n in _cases():
        tt, to = _median(ft, n), _median(fo, n)
        print(f"{name:40s} {tt * 1e6:9.1f}us {to * 1e6:9.1f}us {to / tt:7.2f}")


if __name__ == "__main__":
    main()
