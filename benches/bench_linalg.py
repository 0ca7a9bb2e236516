"""torch.linalg speed, oxytorch (faer) against torch (LAPACK) in one run: svd, eigh, eig, qr, inv,
solve and cholesky on 256x256 and 1024x1024 float64 and on a batch of 1000 8x8 float32 matrices.
Prints the median time of each (interleaved samples, benches/_timing.py) and the ratio torch/oxytorch (> 1 means oxytorch is faster).

Run with a release build:  /work/tools/wt-build2.sh --release && PYTHONPATH=python python3 benches/bench_linalg.py
Options: --quick (fewer repeats, skips 1024), --threads N (torch.set_num_threads), --runs N (repeat the
whole table N times and print the median of each column over the runs as a final table)."""
import os
import statistics
import sys

import numpy as np
import torch

import oxytorch as ot

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _timing import interleaved  # noqa: E402


def cases(size, batch, dtype):
    rng = np.random.default_rng(0)
    shape = (batch, size, size) if batch else (size, size)
    a = rng.standard_normal(shape).astype(dtype)
    spd = a @ np.swapaxes(a, -1, -2) + size * np.eye(size, dtype=dtype)
    b = rng.standard_normal(shape[:-1] + (4,)).astype(dtype)
    return a, spd, b


OPS = [
    ("svd", lambda L, a, s, b: L.linalg.svd(a, full_matrices=False)),
    ("eigh", lambda L, a, s, b: L.linalg.eigh(s)),
    ("eig", lambda L, a, s, b: L.linalg.eig(a)),
    ("qr", lambda L, a, s, b: L.linalg.qr(a)),
    ("inv", lambda L, a, s, b: L.linalg.inv(a)),
    ("solve", lambda L, a, s, b: L.linalg.solve(a, b)),
    ("cholesky", lambda L, a, s, b: L.linalg.cholesky(s)),
]


def run_once(configs, quick):
    rows = []
    for label, size, batch, dt in configs:
        a, s, b = cases(size, batch, dt)
        ta, ts, tb = torch.tensor(a), torch.tensor(s), torch.tensor(b)
        oa, os_, ob = ot.tensor(a), ot.tensor(s), ot.tensor(b)
        reps = 5 if size >= 1024 else (7 if quick else 21)
        for name, fn in OPS:
            # interleaved: each repetition times both sides back to back (order rotating), so a burst
            # of load on this shared machine hits both alike
            to, tt = interleaved([lambda: fn(ot, oa, os_, ob), lambda: fn(torch, ta, ts, tb)], repeat=reps)
            print(f"{label:<18}{name:<10}{to * 1e3:>13.3f}{tt * 1e3:>11.3f}{tt / to:>11.2f}", flush=True)
            rows.append((label, name, to, tt))
    return rows


def main():
    quick = "--quick" in sys.argv
    runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 1
    if "--threads" in sys.argv:
        torch.set_num_threads(int(sys.argv[sys.argv.index("--threads") + 1]))
    configs = [("256x256 f64", 256, 0, np.float64), ("1000x(8x8) f32", 8, 1000, np.float32)]
    if not quick:
        configs.insert(1, ("1024x1024 f64", 1024, 0, np.float64))
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    header = f"{'case':<18}{'op':<10}{'oxytorch ms':>13}{'torch ms':>11}{'torch/oxy':>11}"
    all_rows = []
    for r in range(runs):
        print(f"run {r + 1}/{runs}\n{header}")
        all_rows.append(run_once(configs, quick))
    if runs > 1:
        print(f"median of {runs} runs (ratio = median of the per-run ratios)\n{header}")
        for i, (label, name, _, _) in enumerate(all_rows[0]):
            to = statistics.median(rows[i][2] for rows in all_rows)
            tt = statistics.median(rows[i][3] for rows in all_rows)
            ratio = statistics.median(rows[i][3] / rows[i][2] for rows in all_rows)
            print(f"{label:<18}{name:<10}{to * 1e3:>13.3f}{tt * 1e3:>11.3f}{ratio:>11.2f}")


if __name__ == "__main__":
    main()
