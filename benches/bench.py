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
    o1, t1, n1 = ot.ones(1), torch.ones(1), np.ones(1, dtype=np.float32)
    return {
        "tensor([1.0, 2.0])": (lambda: ot.tensor([1.0, 2.0]), lambda: torch.tensor([1.0, 2.0]), lambda: np.array([1.0, 2.0])),
        "zeros(16)": (lambda: ot.zeros(16), lambda: torch.zeros(16), lambda: np.zeros(16, dtype=np.float32)),
        "t.numpy()": (lambda: ot_t.numpy(), lambda: th_t.numpy(), None),
        "from_numpy(a)": (lambda: ot.from_numpy(arr), lambda: torch.from_numpy(arr), None),
        "t.shape": (lambda: ot_t.shape, lambda: th_t.shape, lambda: arr.shape),
        "t.to(float64)": (lambda: ot_t.to(ot.float64), lambda: th_t.to(torch.float64), lambda: arr.astype(np.float64)),
        # per-op overhead of elementwise calls (many calls per timing, unlike the 16M rows)
        "a + b (1 elem)": (lambda: o1 + o1, lambda: t1 + t1, lambda: n1 + n1),
        "a + 1.0 (1 elem)": (lambda: o1 + 1.0, lambda: t1 + 1.0, lambda: n1 + 1.0),
        "a < b (1 elem)": (lambda: o1 < o1, lambda: t1 < t1, lambda: n1 < n1),
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


def _setup_elementwise():
    n = 16 * 1024 * 1024
    rng = np.random.default_rng(0)
    na, nb, nc = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
    oa, ob, oc = ot.from_numpy(na), ot.from_numpy(nb), ot.from_numpy(nc)
    ta, tb, tc = torch.from_numpy(na), torch.from_numpy(nb), torch.from_numpy(nc)
    m = 4096
    nm1, nm2 = rng.standard_normal((m, m)).astype(np.float32), rng.standard_normal((m, m)).astype(np.float32)
    om1, om2, tm1, tm2 = ot.from_numpy(nm1), ot.from_numpy(nm2), torch.from_numpy(nm1), torch.from_numpy(nm2)
    return {
        "a + b (16M f32)": (lambda: oa + ob, lambda: ta + tb, lambda: na + nb),
        "a * b (16M f32)": (lambda: oa * ob, lambda: ta * tb, lambda: na * nb),
        "a * b + c (16M f32)": (lambda: oa * ob + oc, lambda: ta * tb + tc, lambda: na * nb + nc),
        "exp (16M f32)": (lambda: oa.exp(), lambda: ta.exp(), lambda: np.exp(na)),
        "sqrt (16M f32)": (lambda: oa.abs().sqrt(), lambda: ta.abs().sqrt(), lambda: np.sqrt(np.abs(na))),
        "relu (16M f32)": (lambda: oa.relu(), lambda: ta.relu(), lambda: np.maximum(na, 0)),
        "sigmoid (16M f32)": (lambda: oa.sigmoid(), lambda: ta.sigmoid(), lambda: 1 / (1 + np.exp(-na))),
        "tanh (16M f32)": (lambda: oa.tanh(), lambda: ta.tanh(), lambda: np.tanh(na)),
        "add(b, alpha=.5) (16M f32)": (lambda: oa.add(ob, alpha=0.5), lambda: ta.add(tb, alpha=0.5), lambda: na + 0.5 * nb),
        "addcmul (16M f32)": (lambda: ot.addcmul(oa, ob, oc, value=0.1), lambda: torch.addcmul(ta, tb, tc, value=0.1),
                              lambda: na + 0.1 * nb * nc),
        "lerp(b, .1) (16M f32)": (lambda: ot.lerp(oa, ob, 0.1), lambda: torch.lerp(ta, tb, 0.1), lambda: na + 0.1 * (nb - na)),
        "a.t() + b (4096^2 f32)": (lambda: om1.t() + om2, lambda: tm1.t() + tm2, lambda: nm1.T + nm2),
    }


def bandwidth(repeat=9):
    """The machine's copy bandwidth (NumPy copying 64 MB into a preallocated buffer, bytes read +
    written) and the bandwidth the memory-bound 16M float32 ops reach, as a fraction of it."""
    n = 16 * 1024 * 1024
    rng = np.random.default_rng(0)
    na, nb = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
    dst = np.empty_like(na)
    oa, ob = ot.from_numpy(na), ot.from_numpy(nb)
    copy = _median_time(lambda: np.copyto(dst, na), 3, repeat)
    copy_bw = 2 * na.nbytes / copy
    print(f"\ncopy bandwidth (np.copyto, 64 MB): {copy_bw / 1e9:.1f} GB/s")
    print(f"{'op (16M f32)':28s} {'GB/s':>8s} {'of copy':>8s}")
    for name, fn, arrays in [("a + b", lambda: oa + ob, 3), ("a * b", lambda: oa * ob, 3), ("relu", lambda: oa.relu(), 2),
                             ("a.add_(b)", lambda: oa.add_(ob), 3), ("exp", lambda: oa.exp(), 2)]:
        t = _median_time(fn, 3, repeat)
        bw = arrays * na.nbytes / t
        print(f"{name:28s} {bw / 1e9:8.1f} {bw / copy_bw:8.2f}")


WORKLOADS = {
    "overhead": (_setup_overhead, 2000, 15),
    "bulk": (_setup_bulk, 5, 9),
    "elementwise": (_setup_elementwise, 3, 7),
}


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
    if sys.argv[1:] == ["bandwidth"]:
        torch.set_num_threads(ot.get_num_threads())
        bandwidth()
    else:
        main()
