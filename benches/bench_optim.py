"""Optimizer step benchmark: oxytorch.optim vs torch.optim (foreach=False, torch's CPU default) in
one process, on the parameters of the issue's MLP (784-512-512-10). NumPy has no optimizers, so
there is no NumPy column. Prints medians and the ratio oxytorch/torch (below 1.0: oxytorch faster).
Run against a release build of the extension."""
import argparse
import statistics
import timeit

import numpy as np
import torch

import oxytorch as ot

SHAPES = [(784, 512), (512,), (512, 512), (512,), (512, 10), (10,)]
OPTIMIZERS = ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam"]
OPS = {
    "add_(alpha)": lambda x, y, z: x.add_(y, alpha=0.0),
    "mul_(scalar)": lambda x, y, z: x.mul_(1.0),
    "lerp_(scalar)": lambda x, y, z: x.lerp_(x, 0.1),
    "addcmul_": lambda x, y, z: x.addcmul_(y, y, value=0.0),
    "addcdiv_": lambda x, y, z: x.addcdiv_(y, z, value=0.0),
    "sqrt": lambda x, y, z: z.sqrt(),
    "div(scalar)": lambda x, y, z: z / 0.3,
}


def _median(fn, number, repeat):
    return statistics.median(timeit.repeat(fn, number=number, repeat=repeat)) / number


def _optimizer_step(lib, name):
    rng = np.random.default_rng(0)
    params = [lib.from_numpy(rng.standard_normal(s).astype(np.float32)).requires_grad_() for s in SHAPES]
    for p in params:
        p.grad = lib.from_numpy(rng.standard_normal(tuple(p.shape)).astype(np.float32))
    kw = {"foreach": False} if lib is torch else {}
    opt = getattr(lib.optim, name)(params, lr=1e-3, **kw)
    opt.step()
    return opt.step


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    ot.set_num_threads(args.threads)
    print(f"{'workload':28s} {'oxytorch':>12s} {'torch':>12s} {'ratio':>7s}")
    for name in OPTIMIZERS:
        o, t = _median(_optimizer_step(ot, name), 3, args.repeat), _median(_optimizer_step(torch, name), 3, args.repeat)
        print(f"{name + '.step (MLP params)':28s} {o * 1e3:10.3f}ms {t * 1e3:10.3f}ms {o / t:7.2f}")
    a = np.random.default_rng(1).random(784 * 512).astype(np.float32) + np.float32(0.1)
    for op, fn in OPS.items():
        times = []
        for lib in (ot, torch):
            x, y, z = (lib.from_numpy(a.copy()) for _ in range(3))
            times.append(_median(lambda: fn(x, y, z), 10, args.repeat))
        o, t = times
        print(f"{op + ' (401k f32)':28s} {o * 1e3:10.3f}ms {t * 1e3:10.3f}ms {o / t:7.2f}")


if __name__ == "__main__":
    main()
