"""Training-step benchmarks from the nn/optim issue, oxytorch against torch in one run (medians of
interleaved repeats; compare the ratios, not the absolute times, on a shared machine):

- MLP 784-512-512-10, batch 256, CrossEntropyLoss, Adam
- CNN conv(1->16, 5x5) ReLU maxpool2 conv(16->32, 5x5) ReLU maxpool2 linear(512->10), batch 64, 28x28, Adam

Run with a release build: `maturin develop --release && python benches/bench_train.py [--threads N]`.
"""
import argparse
import statistics
import time

import torch

import oxytorch


def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(512, 10),
    )


def make_step(lib, build, x_shape, batch):
    lib.manual_seed(0)
    model = build(lib)
    opt = lib.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = lib.nn.CrossEntropyLoss()
    x = lib.randn(*x_shape)
    y = lib.randint(0, 10, (batch,))

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()

    return step


def bench(cases, repeat, number):
    print(f"{'case':40s} {'torch':>11s} {'oxytorch':>11s} {'ratio':>7s}")
    for name, mk in cases:
        fns = {lib.__name__: mk(lib) for lib in (torch, oxytorch)}
        for f in fns.values():
            f()  # warm up
        times = {k: [] for k in fns}
        for _ in range(repeat):
            for k, f in fns.items():
                t0 = time.perf_counter()
                for _ in range(number):
                    f()
                times[k].append((time.perf_counter() - t0) / number)
        t, o = statistics.median(times["torch"]), statistics.median(times["oxytorch"])
        print(f"{name:40s} {t * 1e3:9.2f}ms {o * 1e3:9.2f}ms {o / t:7.2f}")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=0, help="threads for both libraries (0: their defaults)")
    p.add_argument("--repeat", type=int, default=7)
    a = p.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
        oxytorch.set_num_threads(a.threads)
    bench(
        [
            ("MLP 784-512-512-10 Adam step, b256", lambda L: make_step(L, mlp, (256, 784), 256)),
            ("CNN (issue #5) Adam step, b64 28x28", lambda L: make_step(L, cnn, (64, 1, 28, 28), 64)),
        ],
        a.repeat,
        3,
    )


if __name__ == "__main__":
    main()
