"""Checkpoint I/O benchmarks, side by side in one process: oxytorch.safetensors vs safetensors.torch,
and oxytorch.save/load vs torch.save/load, on a float32 state dict (500 MB by default).

Prints medians and ratios (oxytorch time / reference time; below 1.0 means oxytorch is faster).
Run with a release build: ``/work/tools/wt-build.sh --release && PYTHONPATH=python python3 benches/bench_io.py``.
"""
import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import safetensors.torch as ref_st
import torch

import oxytorch as ot
from oxytorch import safetensors as ot_st


def median_time(fn, repeat, setup=None):
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def drop(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=500, help="state dict size in MB")
    ap.add_argument("--tensors", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dir", default=None, help="folder for the files (default: a temp folder)")
    args = ap.parse_args()

    n = args.mb * (1 << 20) // 4 // args.tensors
    rng = np.random.default_rng(0)
    arrays = {f"layer{i}.weight": rng.standard_normal(n, dtype=np.float32) for i in range(args.tensors)}
    th = {k: torch.from_numpy(v) for k, v in arrays.items()}
    ox = {k: ot.from_numpy(v) for k, v in arrays.items()}
    folder = tempfile.mkdtemp(dir=args.dir)
    p_ref, p_ot = os.path.join(folder, "ref.safetensors"), os.path.join(folder, "ot.safetensors")
    c_ref, c_ot = os.path.join(folder, "ref.pt"), os.path.join(folder, "ot.pt")
    key = "layer7.weight"
    rows = []

    def row(name, f_ot, f_ref, setup_ot=None, setup_ref=None):
        t_ot = median_time(f_ot, args.repeat, setup_ot)
        t_ref = median_time(f_ref, args.repeat, setup_ref)
        rows.append((name, t_ot, t_ref))
        print(f"{name:<34} oxytorch {t_ot * 1e3:9.1f} ms   reference {t_ref * 1e3:9.1f} ms   ratio {t_ot / t_ref:5.2f}",
              flush=True)

    print(f"state dict: {args.tensors} float32 tensors, {args.mb} MB total; files in {folder}")
    row("safetensors save_file", lambda: ot_st.save_file(ox, p_ot), lambda: ref_st.save_file(th, p_ref),
        lambda: drop(p_ot), lambda: drop(p_ref))
    row("safetensors load_file", lambda: ot_st.load_file(p_ot), lambda: ref_st.load_file(p_ref))
    row("safetensors load_file + sum(1)", lambda: float(ot_st.load_file(p_ot)[key].numpy().sum()),
        lambda: float(ref_st.load_file(p_ref)[key].sum()))
    row("safetensors load_file + touch all", lambda: [v.numpy().sum() for v in ot_st.load_file(p_ot).values()],
        lambda: [v.sum() for v in ref_st.load_file(p_ref).values()])
    row("torch.save (path)", lambda: ot.save(ox, c_ot), lambda: torch.save(th, c_ref),
        lambda: drop(c_ot), lambda: drop(c_ref))
    # oxytorch fsyncs every save (atomic + durable); the references do not. The rows below show the
    # cost without the fsync, to separate format work from waiting for the disk.
    real_fsync = os.fsync
    os.fsync = lambda fd: None
    try:
        row("safetensors save_file (no fsync)", lambda: ot_st.save_file(ox, p_ot), lambda: ref_st.save_file(th, p_ref),
            lambda: drop(p_ot), lambda: drop(p_ref))
        row("torch.save (path, no fsync)", lambda: ot.save(ox, c_ot), lambda: torch.save(th, c_ref),
            lambda: drop(c_ot), lambda: drop(c_ref))
    finally:
        os.fsync = real_fsync
    row("torch.load (path)", lambda: ot.load(c_ot), lambda: torch.load(c_ref))
    row("torch.load (mmap=True)", lambda: ot.load(c_ot, mmap=True), lambda: torch.load(c_ref, mmap=True))
    for p in (p_ref, p_ot, c_ref, c_ot):
        drop(p)
    os.rmdir(folder)


if __name__ == "__main__":
    main()
