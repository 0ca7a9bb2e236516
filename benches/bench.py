"""Side-by-side benchmarks: the same workload through oxytorch, torch and NumPy in one process.

Prints medians and ratios (oxytorch time / other time; below 1.0 means oxytorch is faster).
Run with ``make bench`` (a release build). Other issues add workloads to ``WORKLOADS``."""
import argparse
import statistics
import sys
import timeit

import numpy as np
import torch

import oxytorch as ot


def _median_time(fn, number, repeat):
    times = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(times) / number


def _setup_overhead():
    ot_t, th_t = ot.ones(16), torch.ones(16)
    arr = np.ones(16)
    return {
        "tensor([1.0, 2.0])": (lambda: ot.tensor([1.0, 2.0]), lambda: torch.tensor([1.0, 2.0]), lambda: np.array([1.0, 2.0])),
        "zeros(16)": (lambda: ot.zeros(16), lambda: torch.zeros(16), lambda: np.zeros(16, dtype=np.float32)),
        "t.numpy()": (lambda: ot_t.numpy(), lambda: th_t.numpy(), None),
        "from_numpy(a)": (lambda: ot.from_numpy(arr), lambda: torch.from_numpy(arr), None),
        "t.shape": (lambda: ot_t.shape, lambda: th_t.shape, lambda: arr.shape),
        "t.to(float64)": (lambda: ot_t.to(ot.float64), lambda: th_t.to(torch.float64), lambda: arr.astype(np.float64)),
    }


def _setup_bulk():
    n = 1000
    ot_i, th_i, np_i = ot.arange(n * n).reshape(n, n), torch.arange(n * n).reshape(n, n), np.arange(n * n).reshape(n, n)
    ot_f, th_f, np_f = ot.ones(n, n), torch.ones(n, n), np.ones((n, n), dtype=np.float32)
    return {
        "ones(1000,1000)": (lambda: ot.ones(n, n), lambda: torch.ones(n, n), lambda: np.ones((n, n), dtype=np.float32)),
        "rand(1000,1000)": (lambda: ot.rand(n, n), lambda: torch.rand(n, n), lambda: np.random.random((n, n)).astype(np.float32)),
        "randn(1000,1000)": (lambda: ot.randn(n, n), lambda: torch.randn(n, n), lambda: np.random.standard_normal((n, n)).astype(np.float32)),
        "int64->float32 1M": (lambda: ot_i.float(), lambda: th_i.float(), lambda: np_i.astype(np.float32)),
        "transpose.contiguous 1M": (
            lambda: ot_f.t().contiguous(),
            lambda: th_f.t().contiguous(),
            lambda: np.ascontiguousarray(np_f.T),
        ),
        "clone 1M f32": (lambda: ot_f.clone(), lambda: th_f.clone(), lambda: np_f.copy()),
    }


WORKLOADS = {"overhead": (_setup_overhead, 2000, 15), "bulk": (_setup_bulk, 5, 9)}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("groups", nargs="*", default=list(WORKLOADS), help="workload groups to run")
    p.add_argument("--quick", action="store_true", help="fewer repeats")
    args = p.parse_args(argv)
    torch.set_num_threads(ot.get_num_threads())
    print(f"torch {torch.__version__}, numpy {np.__version__}, oxytorch {ot.__version__}; medians per call")
    print(f"{'workload':28s} {'oxytorch':>11s} {'torch':>11s} {'numpy':>11s} {'ot/torch':>9s} {'ot/numpy':>9s}")
    for group in args.groups:
        setup, number, repeat = WORKLOADS[group]
        if args.quick:
            number, repeat = max(1, number // 4), 5
        for name, (f_ot, f_th, f_np) in setup().items():
            t_ot = _median_time(f_ot, number, repeat)
            t_th = _median_time(f_th, number, repeat)
            t_np = _median_time(f_np, number, repeat) if f_np else float("nan")
            fmt = lambda s: f"{s * 1e6:9.2f}us" if s == s else f"{'-':>11s}"  # noqa: E731
            print(f"{name:28s} {fmt(t_ot)} {fmt(t_th)} {fmt(t_np)} {t_ot / t_th:9.2f} {t_ot / t_np if f_np else float('nan'):9.2f}")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
