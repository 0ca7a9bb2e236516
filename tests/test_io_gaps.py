"""Checkpoint gaps of issue #6: large (multi-chunk) saves stay byte-identical to the reference
writers and pass zip CRC checks; saves through a file path are atomic even when interrupted
mid-tensor; checkpoints resume bit-exactly through files in both directions (torch -> oxytorch ->
torch), and an oxytorch-only resume follows the uninterrupted trajectory bit for bit."""
import io
import os
import zipfile

import numpy as np
import pytest
import safetensors.torch as sref
import torch

import oxytorch as ot
import oxytorch.safetensors as st
from oxytorch import serialization as oser

# Bigger than the writers' 8 MB chunk, with an odd size, so the chunked write path and its
# writeback hints are exercised (and a tensor straddles chunk boundaries).
BIG = (8 << 20) // 4 + 12345


def _arrays(seed=0):
    rng = np.random.default_rng(seed)
    return {
        "a.weight": rng.standard_normal(BIG, dtype=np.float32),
        "b.bias": rng.standard_normal(7, dtype=np.float32),
        "c.half": rng.standard_normal(1000).astype(np.float16),
        "d.idx": rng.integers(-5, 5, 333, dtype=np.int64),
    }


def test_large_safetensors_file_is_byte_identical(tmp_path):
    arrs = _arrays()
    st.save_file({k: ot.from_numpy(v) for k, v in arrs.items()}, tmp_path / "o.safetensors", metadata={"k": "v"})
    sref.save_file({k: torch.from_numpy(v) for k, v in arrs.items()}, tmp_path / "r.safetensors", metadata={"k": "v"})
    assert (tmp_path / "o.safetensors").read_bytes() == (tmp_path / "r.safetensors").read_bytes()
    back = st.load_file(tmp_path / "o.safetensors")
    for k, v in arrs.items():
        assert np.array_equal(back[k].numpy(), v)


def test_large_save_is_valid_zip_and_loads_in_torch(tmp_path):
    arrs = _arrays(1)
    sd = {k: ot.from_numpy(v) for k, v in arrs.items()}
    sd["view"] = sd["a.weight"][100:200]  # shares the big storage
    p = tmp_path / "ck.pt"
    ot.save(sd, p)
    with zipfile.ZipFile(p) as z:
        assert z.testzip() is None  # every record's CRC-32 is right
    back = torch.load(p, weights_only=True)
    for k, v in arrs.items():
        assert np.array_equal(back[k].numpy(), v)
    assert back["view"].untyped_storage().data_ptr() == back["a.weight"].untyped_storage().data_ptr()
    # the same bytes through a file object (no atomic temp file) and back through oxytorch
    buf = io.BytesIO()
    ot.save(sd, buf)
    ot.save(sd, tmp_path / "archive.pt")  # same record prefix as a file object's
    assert buf.getvalue() == (tmp_path / "archive.pt").read_bytes()
    mine = ot.load(p, mmap=True)
    for k, v in arrs.items():
        assert np.array_equal(mine[k].numpy(), v)


@pytest.mark.parametrize("kind", ["save", "save_file"])
def test_interrupted_large_save_keeps_previous_file(tmp_path, monkeypatch, kind):
    p = tmp_path / ("x.pt" if kind == "save" else "x.safetensors")
    p.write_bytes(b"previous")
    arrs = _arrays(2)
    sd = {k: ot.from_numpy(v) for k, v in arrs.items()}
    calls = []

    class Boom(Exception):
        pass

    def failing(real):
        def write(self, b):
            calls.append(1)
            if len(calls) == 5:  # fail after some data went out
                raise Boom()
            return real(self, b)

        return write

    for cls in (oser._Writeback, oser._DirectWriter):
        monkeypatch.setattr(cls, "write", failing(cls.write))
    with pytest.raises(Boom):
        ot.save(sd, p) if kind == "save" else st.save_file(sd, p)
    assert p.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == [p.name]


# ------------------------------------------------------------------------------------------------
# Checkpoint resume through files, bit for bit


def _grad(p, k):
    p = np.asarray(p, dtype=np.float32)
    return (np.tanh(p * np.float32(1.5) + np.float32(0.3 * (k % 5))) * np.float32(0.5)
            + np.float32(0.05) * p).astype(np.float32)


def _params(lib, seed=3):
    rng = np.random.default_rng(seed)
    shapes = [(4, 5), (5,), ()]
    return [lib.from_numpy(rng.standard_normal(s).astype(np.float32)).requires_grad_() for s in shapes]


def _steps(lib, opt, params, n):
    out = []
    for _ in range(n):
        for k, p in enumerate(params):
            p.grad = lib.from_numpy(np.asarray(_grad(p.detach().numpy(), k), dtype=np.float32).reshape(tuple(p.shape)))
        opt.step()
        out.append([np.array(p.detach().numpy(), copy=True) for p in params])
    return out


def _same_bits(a, b):
    for sa, sb in zip(a, b):
        for x, y in zip(sa, sb):
            assert x.dtype == y.dtype and x.shape == y.shape
            assert x.tobytes() == y.tobytes()


def _checkpoint(lib, opt, params, epoch):
    return {"epoch": epoch, "model_state": {f"p{i}": p.detach() for i, p in enumerate(params)},
            "optim_state": opt.state_dict()}


def _resume(lib, ck, make_opt):
    params = [ck["model_state"][f"p{i}"].clone().requires_grad_() for i in range(3)]
    opt = make_opt(lib, params)
    opt.load_state_dict(ck["optim_state"])
    return opt, params


OPTS = {
    "sgd_momentum": lambda lib, ps: lib.optim.SGD(ps, lr=0.0625, momentum=0.5, **({"foreach": False} if lib is torch else {})),
    "sgd_nesterov_wd": lambda lib, ps: lib.optim.SGD(ps, lr=0.0625, momentum=0.5, nesterov=True, weight_decay=0.125,
                                                     **({"foreach": False} if lib is torch else {})),
}


@pytest.mark.parametrize("name", sorted(OPTS))
def test_resume_torch_checkpoint_in_oxytorch_and_back(tmp_path, name):
    make = OPTS[name]
    tp = _params(torch)
    topt = make(torch, tp)
    _steps(torch, topt, tp, 4)
    torch.save(_checkpoint(torch, topt, tp, 4), tmp_path / "t.pt")
    ref = _steps(torch, topt, tp, 6)  # uninterrupted torch run

    ck = ot.load(tmp_path / "t.pt")  # weights_only=True by default
    assert ck["epoch"] == 4
    oopt, op = _resume(ot, ck, make)
    ours = _steps(ot, oopt, op, 3)
    _same_bits(ours, ref[:3])
    # oxytorch writes the checkpoint at step 7; real torch resumes it
    ot.save(_checkpoint(ot, oopt, op, 7), tmp_path / "o.pt")
    ck2 = torch.load(tmp_path / "o.pt", weights_only=True)
    topt2, tp2 = _resume(torch, ck2, make)
    _same_bits(_steps(torch, topt2, tp2, 3), ref[3:])


@pytest.mark.parametrize("name", sorted(OPTS))
def test_oxytorch_resume_follows_uninterrupted_run(tmp_path, name):
    make = OPTS[name]
    p_full = _params(ot)
    full = _steps(ot, make(ot, p_full), p_full, 8)
    ps = _params(ot)
    opt = make(ot, ps)
    _steps(ot, opt, ps, 3)
    ot.save(_checkpoint(ot, opt, ps, 3), tmp_path / "c.pt")
    del opt, ps
    opt2, ps2 = _resume(ot, ot.load(tmp_path / "c.pt"), make)
    _same_bits(_steps(ot, opt2, ps2, 5), full[3:])
    # and through mmap=True
    opt3, ps3 = _resume(ot, ot.load(tmp_path / "c.pt", mmap=True), make)
    _same_bits(_steps(ot, opt3, ps3, 5), full[3:])


# ------------------------------------------------------------------------------------------------
# The direct (O_DIRECT) write path of large saves and its fallbacks


def _big_sd(seed=4):
    return {k: ot.from_numpy(v) for k, v in _arrays(seed).items()}


def test_direct_and_buffered_paths_write_the_same_bytes(tmp_path, monkeypatch):
    sd = _big_sd()
    (tmp_path / "d").mkdir()
    (tmp_path / "b").mkdir()
    ot.save(sd, tmp_path / "d" / "c.pt")
    st.save_file(sd, tmp_path / "d" / "c.safetensors")
    monkeypatch.setenv("OXYTORCH_SAVE_DIRECT", "0")
    ot.save(sd, tmp_path / "b" / "c.pt")
    st.save_file(sd, tmp_path / "b" / "c.safetensors")
    for name in ("c.pt", "c.safetensors"):
        assert (tmp_path / "d" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_file_system_without_o_direct_falls_back(tmp_path, monkeypatch):
    real_open = os.open

    def no_direct(path, flags, *a, **k):
        if flags & os.O_DIRECT:
            raise OSError(22, "Invalid argument")
        return real_open(path, flags, *a, **k)

    sd = _big_sd()
    st.save_file(sd, tmp_path / "ref.safetensors")
    monkeypatch.setattr(oser._os, "open", no_direct)
    st.save_file(sd, tmp_path / "x.safetensors")
    assert (tmp_path / "x.safetensors").read_bytes() == (tmp_path / "ref.safetensors").read_bytes()


def test_failed_direct_write_keeps_previous_file(tmp_path, monkeypatch):
    p = tmp_path / "m.safetensors"
    p.write_bytes(b"previous")
    real = os.pwrite

    def disk_full(fd, data, off):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(oser._os, "pwrite", disk_full)
    with pytest.raises(OSError, match="No space left"):
        st.save_file(_big_sd(), p)
    monkeypatch.setattr(oser._os, "pwrite", real)
    assert p.read_bytes() == b"previous"
    assert sorted(os.listdir(tmp_path)) == [p.name]
    assert not [t for t in __import__("threading").enumerate() if t.name == "oxytorch-save"]
