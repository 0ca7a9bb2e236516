"""Checkpoint I/O benchmarks, side by side in one process: oxytorch.safetensors vs safetensors.torch,
and oxytorch.save/load vs torch.save/load, on a float32 state dict (500 MB by default).

Each row times oxytorch and the reference alternately (``--repeat`` times each) and prints the
medians and the ratio (oxytorch time / reference time; below 1.0 means oxytorch is faster). Before
every timed save the page cache is flushed (``os.sync``, untimed), so neither side pays for the
other's pending writeback. oxytorch fsyncs every save (atomic and durable); the references do not,
so the "(no fsync)" rows show the same saves through the page cache with fsync disabled on both
sides, which separates the format work from waiting for the disk. Large oxytorch saves write with O_DIRECT by default; the
"(buffered)" rows show the page-cache path instead (``OXYTORCH_SAVE_DIRECT=0``), still fsynced.
``--rounds N`` runs the whole table N times and ends with the median ratio of every row over the
rounds.

Run with a release build:
``OXY_TARGET=... /work/tools/wt-build2.sh --release && PYTHONPATH=python python3 benches/bench_io.py``.
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


def drop(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=500, help="state dict size in MB")
    ap.add_argument("--tensors", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3, help="timings per side and row (median taken)")
    ap.add_argument("--rounds", type=int, default=1, help="runs of the whole table (median ratio reported)")
    ap.add_argument("--dir", default=None, help="folder for the files (default: a temp folder)")
    ap.add_argument("--only", default=None, help="comma-separated substrings of the row names to run")
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
    real_fsync = os.fsync

    def nofsync(fn):
        def g():
            os.fsync = lambda fd: None
            try:
                return fn()
            finally:
                os.fsync = real_fsync
        return g

    def buffered(fn):
        def g():
            os.environ["OXYTORCH_SAVE_DIRECT"] = "0"
            try:
                return fn()
            finally:
                del os.environ["OXYTORCH_SAVE_DIRECT"]
        return g

    def fresh(path):
        def s():
            drop(path)
            os.sync()
        return s

    # Files the load rows read; written once (untimed) so the load rows can run alone.
    def ensure_files():
        if not os.path.exists(p_ot):
            ot_st.save_file(ox, p_ot)
        if not os.path.exists(p_ref):
            ref_st.save_file(th, p_ref)
        if not os.path.exists(c_ot):
            ot.save(ox, c_ot)
        if not os.path.exists(c_ref):
            torch.save(th, c_ref)
        os.sync()

    rows = [
        ("safetensors save_file", lambda: ot_st.save_file(ox, p_ot), lambda: ref_st.save_file(th, p_ref),
         fresh(p_ot), fresh(p_ref)),
        ("safetensors save_file (no fsync)", nofsync(buffered(lambda: ot_st.save_file(ox, p_ot))),
         nofsync(lambda: ref_st.save_file(th, p_ref)), fresh(p_ot), fresh(p_ref)),
        ("safetensors save_file (buffered)", buffered(lambda: ot_st.save_file(ox, p_ot)),
         lambda: ref_st.save_file(th, p_ref), fresh(p_ot), fresh(p_ref)),
        ("safetensors load_file", lambda: ot_st.load_file(p_ot), lambda: ref_st.load_file(p_ref), None, None),
        ("safetensors load_file + sum(1)", lambda: float(ot_st.load_file(p_ot)[key].sum()),
         lambda: float(ref_st.load_file(p_ref)[key].sum()), None, None),
        ("safetensors load_file + sum(all)", lambda: [float(v.sum()) for v in ot_st.load_file(p_ot).values()],
         lambda: [float(v.sum()) for v in ref_st.load_file(p_ref).values()], None, None),
        ("torch.save", lambda: ot.save(ox, c_ot), lambda: torch.save(th, c_ref), fresh(c_ot), fresh(c_ref)),
        ("torch.save (no fsync)", nofsync(buffered(lambda: ot.save(ox, c_ot))), nofsync(lambda: torch.save(th, c_ref)),
         fresh(c_ot), fresh(c_ref)),
        ("torch.save (buffered)", buffered(lambda: ot.save(ox, c_ot)), lambda: torch.save(th, c_ref),
         fresh(c_ot), fresh(c_ref)),
        ("torch.load", lambda: ot.load(c_ot), lambda: torch.load(c_ref), None, None),
        ("torch.load (mmap=True)", lambda: ot.load(c_ot, mmap=True), lambda: torch.load(c_ref, mmap=True), None, None),
    ]
    if args.only:
        keep = args.only.split(",")
        rows = [r for r in rows if any(k in r[0] for k in keep)]

    print(f"state dict: {args.tensors} float32 tensors, {args.mb} MB total; files in {folder}")
    ratios = {r[0]: [] for r in rows}
    try:
        for rnd in range(args.rounds):
            if args.rounds > 1:
                print(f"-- round {rnd + 1}/{args.rounds}")
            for name, f_ot, f_ref, s_ot, s_ref in rows:
                ensure_files()
                t_ot, t_ref = [], []
                for _ in range(args.repeat):
                    for f, s, acc in ((f_ot, s_ot, t_ot), (f_ref, s_ref, t_ref)):
                        if s is not None:
                            s()
                        t0 = time.perf_counter()
                        f()
                        acc.append(time.perf_counter() - t0)
                m_ot, m_ref = statistics.median(t_ot), statistics.median(t_ref)
                ratios[name].append(m_ot / m_ref)
                print(f"{name:<34} oxytorch {m_ot * 1e3:9.1f} ms   reference {m_ref * 1e3:9.1f} ms   "
                      f"ratio {m_ot / m_ref:5.2f}", flush=True)
        if args.rounds > 1:
            print(f"-- median ratio over {args.rounds} rounds (oxytorch / reference)")
            for name, rs in ratios.items():
                print(f"{name:<34} {statistics.median(rs):5.2f}   ({', '.join(f'{r:.2f}' for r in rs)})")
    finally:
        for p in (p_ref, p_ot, c_ref, c_ot):
            drop(p)
        os.rmdir(folder)


if __name__ == "__main__":
    main()
