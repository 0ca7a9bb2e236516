"""oxytorch.save / oxytorch.load against real PyTorch, in both directions: interop vectors, byte-level
format, storage sharing, map_location, the weights-only allowlist and its errors, the legacy format,
mmap, atomic writes and hostile inputs."""
import argparse
import collections
import io
import json
import os
import pickle
import struct
import zipfile

import numpy as np
import pytest
import torch

import oxytorch as ot

DATA = os.path.join(os.path.dirname(__file__), "data", "interop")
MANIFEST = {e["file"]: e for e in json.load(open(os.path.join(DATA, "manifest.json")))["files"]}


def vec(name):
    return os.path.join(DATA, name)


# ---------------------------------------------------------------------------------------------
# Structural comparison of an oxytorch object tree with a torch one


def _np(t):
    if isinstance(t, torch.Tensor):
        t = t.detach().resolve_conj().resolve_neg()
        if t.dtype in (torch.bfloat16, torch.float8_e4m3fn, torch.float8_e5m2):
            t = t.float()
        return t.numpy()
    t = t.detach().resolve_conj().resolve_neg()
    if t.dtype in (ot.bfloat16, ot.float8_e4m3fn, ot.float8_e5m2):
        t = t.to(ot.float32)
    return t.numpy()


def same_tree(o, r, storages=None):
    """Asserts that oxytorch object o mirrors torch object r (values, dtypes, shapes, strides,
    storage offsets, requires_grad, container types, OrderedDict _metadata, storage sharing)."""
    if storages is None:
        storages = {}
    if isinstance(r, torch.Tensor):
        assert isinstance(o, ot.Tensor), type(o)
        assert str(o.dtype) == str(r.dtype)
        assert tuple(o.shape) == tuple(r.shape)
        assert bool(o.requires_grad) == bool(r.requires_grad)
        # lazy conjugate / negative bits are restored as in torch
        assert o.is_conj() == r.is_conj() and o.is_neg() == r.is_neg()
        if True:
            assert tuple(o.stride()) == tuple(r.stride())
            assert o.storage_offset() == r.storage_offset()
            # Sharing: tensors that share a storage in torch share one in oxytorch, and only those.
            rk = r.untyped_storage().data_ptr()
            if r.untyped_storage().nbytes():
                storages.setdefault(rk, []).append(o)
        a, b = _np(o), _np(r)
        assert a.shape == b.shape
        assert np.array_equal(a, b, equal_nan=True) and a.tobytes() == b.tobytes() or np.array_equal(a, b, equal_nan=True)
        return storages
    if isinstance(r, torch.Size):
        assert isinstance(o, ot.Size) and tuple(o) == tuple(r)
    elif isinstance(r, torch.dtype):
        assert o is getattr(ot, str(r).split(".")[1])
    elif isinstance(r, torch.device):
        assert isinstance(o, ot.device) and str(o) == str(r)
    elif isinstance(r, dict):
        assert type(o) is type(r), (type(o), type(r))
        assert list(o.keys()) == list(r.keys())
        for k in r:
            same_tree(o[k], r[k], storages)
        if hasattr(r, "_metadata"):
            assert o._metadata == r._metadata
    elif isinstance(r, (list, tuple)):
        assert type(o) is type(r) and len(o) == len(r)
        for a, b in zip(o, r):
            same_tree(a, b, storages)
    elif isinstance(r, float) and r != r:
        assert o != o
    else:
        assert type(o) is type(r) and o == r, (o, r)
    return storages


def check_sharing(storages):
    groups = list(storages.values())
    for g in groups:
        for t in g[1:]:
            assert g[0]._shares_storage(t)
    for i, g in enumerate(groups):
        for h in groups[i + 1 :]:
            assert not g[0]._shares_storage(h[0]) or g[0]._storage_nbytes() == 0


def assert_mirror(o, r):
    check_sharing(same_tree(o, r))


# ---------------------------------------------------------------------------------------------
# Reading the interop vectors (written by real PyTorch)

ZIP_OK = sorted(f for f, e in MANIFEST.items() if e["format"] == "torch_zip" and e["expect"] == "ok")
UNSUPPORTED_DTYPES = set()  # every dtype of the vectors loads (uint16/32/64 and float8 included)


@pytest.mark.parametrize("name", ZIP_OK)
@pytest.mark.parametrize("mmap", [False, True])
def test_vectors_load_like_torch(name, mmap):
    kw = {"map_location": "cpu"} if "cuda" in name else {}
    r = torch.load(vec(name), weights_only=True, mmap=mmap, **kw)
    if name in UNSUPPORTED_DTYPES:
        with pytest.raises(NotImplementedError, match="uint16"):
            ot.load(vec(name), mmap=mmap, **kw)
        return
    o = ot.load(vec(name), mmap=mmap, **kw)
    if name == "pt_parameter.pt":
        # nn.Parameter does not exist yet: Parameters load as requires_grad tensors.
        r = {k: (v.data.requires_grad_(v.requires_grad) if isinstance(v, torch.nn.Parameter) else v) for k, v in r.items()}
    assert_mirror(o, r)


def test_vector_manifest_values():
    e = MANIFEST["pt_noncontig_view.pt"]["root"]
    t = ot.load(vec("pt_noncontig_view.pt"))
    assert list(t.shape) == e["shape"] and list(t.stride()) == e["stride"] and t.storage_offset() == e["storage_offset"]
    assert t.tolist() == e["values"]


def test_v3_dtypes_vector_matches_manifest():
    # uint16/32/64 and float8 come as _rebuild_tensor_v3 over UntypedStorage (numel = nbytes).
    items = MANIFEST["pt_v3_dtypes.pt"]["root"]["items"]
    d = ot.load(vec("pt_v3_dtypes.pt"))
    assert list(d) == [k["value"] for k, _ in items]
    for k, e in items:
        t = d[k["value"]]
        assert str(t.dtype) == "torch." + e["dtype"] and e["rebuild"] == "_rebuild_tensor_v3"
        assert list(t.shape) == e["shape"] and list(t.stride()) == e["stride"] and t.storage_offset() == e["storage_offset"]
        assert bytes(t.contiguous().view(ot.uint8).numpy()).hex() == e["data_hex"]
        if not e["dtype"].startswith("float8"):
            assert t.tolist() == e["values"]
        else:
            assert [str(v) for v in t.tolist()] == [str(float(v)) for v in e["values"]]


def test_shared_storage_aliases_after_load():
    d = ot.load(vec("pt_shared_storage.pt"))
    d["b"].fill_(100)
    assert d["a"].tolist() == [0, 1, 100, 100, 100, 5]
    assert d["t"].tolist() == [[0, 100], [1, 100], [100, 5]]


def test_legacy_vector():
    r = torch.load(vec("pt_legacy_format.pt"), weights_only=True)
    assert_mirror(ot.load(vec("pt_legacy_format.pt")), r)
    assert_mirror(ot.load(vec("pt_legacy_format.pt"), weights_only=False), r)


def test_legacy_rejects_mmap_like_torch():
    with pytest.raises(RuntimeError) as exp:
        torch.load(vec("pt_legacy_format.pt"), mmap=True)
    with pytest.raises(RuntimeError) as got:
        ot.load(vec("pt_legacy_format.pt"), mmap=True)
    assert str(got.value) == str(exp.value)


def test_conj_view_values():
    r = torch.load(vec("pt_conj_view.pt"))
    o = ot.load(vec("pt_conj_view.pt"))
    assert o.tolist() == r.resolve_conj().tolist()


@pytest.mark.parametrize("name", ["pt_reject_namespace.pt", "pt_reject_numpy_scalar.pt"])
def test_rejected_vectors_same_message(name):
    with pytest.raises(pickle.UnpicklingError) as exp:
        torch.load(vec(name))
    with pytest.raises(pickle.UnpicklingError) as got:
        ot.load(vec(name))
    assert str(got.value) == str(exp.value)
    assert MANIFEST[name]["torch_error_contains"] in str(got.value)


# ---------------------------------------------------------------------------------------------
# map_location


def test_cuda_tagged_file_without_map_location():
    with pytest.raises(RuntimeError) as exp:
        torch.load(vec("pt_location_cuda1.pt"))
    with pytest.raises(RuntimeError) as got:
        ot.load(vec("pt_location_cuda1.pt"))
    if ot.cuda.is_available():
        pytest.skip("a CUDA device is present")  # pragma: no cover
    assert str(got.value) == str(exp.value)


@pytest.mark.parametrize(
    "ml", ["cpu", "device", {"cuda:1": "cpu"}, "callable", "callable_none_dict"]
)
def test_map_location_variants(ml):
    if ml == "device":
        mo, mr = ot.device("cpu"), torch.device("cpu")
    elif ml == "callable":
        mo = mr = lambda s, loc: s
    elif ml == "callable_none_dict":
        seen = []

        def mo(s, loc):
            seen.append((loc, s.nbytes()))
            return s.cpu()

        mr = lambda s, loc: s.cpu()  # noqa: E731
    else:
        mo = mr = ml
    r = torch.load(vec("pt_location_cuda1.pt"), map_location=mr)
    o = ot.load(vec("pt_location_cuda1.pt"), map_location=mo)
    assert_mirror(o, r)
    if ml == "callable_none_dict":
        assert seen == [("cuda:1", 8)]


def test_map_location_dict_not_matching():
    with pytest.raises(RuntimeError) as exp:
        torch.load(vec("pt_location_cuda1.pt"), map_location={"cuda:5": "cpu"})
    with pytest.raises(RuntimeError) as got:
        ot.load(vec("pt_location_cuda1.pt"), map_location={"cuda:5": "cpu"})
    assert str(got.value) == str(exp.value)


# ---------------------------------------------------------------------------------------------
# Writing: real torch loads what oxytorch writes (and the bytes are torch's)


def _pair(dtype, shape, seed=0):
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    if dtype == "bool":
        a = rng.integers(0, 2, n).astype(np.bool_)
    elif dtype in ("uint8", "int8", "int16", "int32", "int64"):
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    elif dtype in ("complex64", "complex128"):
        a = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(dtype)
    else:
        a = rng.standard_normal(n).astype("float32" if dtype == "bfloat16" else dtype)
        if n >= 4:
            a[:4] = [np.inf, -np.inf, np.nan, -0.0]
    a = a.reshape(shape)
    r, o = torch.from_numpy(a.copy()), ot.from_numpy(a.copy())
    if dtype == "bfloat16":
        r = r.to(torch.bfloat16)
        bits = r.reshape(-1).view(torch.int16).numpy().view(np.uint8).copy()
        o = ot._C._from_buffer(ot.from_numpy(bits), ot.bfloat16, list(shape), list(r.stride()), 0)
    return r, o


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
          "complex64", "complex128"]

LAYOUTS = {
    "contiguous": lambda t: t,
    "transposed": lambda t: t.t(),
    "sliced_offset": lambda t: t[1:, 1:],
    "strided": lambda t: t[:, ::2],
    "expanded": lambda t: (t[:1].expand(3, 4) if isinstance(t, torch.Tensor)
                           else ot._C._from_buffer(ot._C._storage_bytes(t), t.dtype, [3, 4], [0, 1], 0)),
    "row": lambda t: t[2],
    "scalar": lambda t: t[1, 2],
    "empty": lambda t: t[:0],
}


def _zip_records(data):
    z = zipfile.ZipFile(io.BytesIO(data))
    return {i.filename: z.read(i.filename) for i in z.infolist() if not i.filename.endswith("serialization_id")}


def _save_both(obj_o, obj_r, name="ckpt.pt", tmp_path=None):
    bo, br = io.BytesIO(), io.BytesIO()
    ot.save(obj_o, bo)
    torch.save(obj_r, br)
    return bo.getvalue(), br.getvalue()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_save_matches_torch_bytes_and_loads_in_torch(dtype, layout):
    r, o = _pair(dtype, (3, 4))
    r, o = LAYOUTS[layout](r), LAYOUTS[layout](o)
    ours, theirs = _save_both(o, r)
    assert _zip_records(ours) == _zip_records(theirs)
    assert len(ours) == len(theirs)
    back = torch.load(io.BytesIO(ours), weights_only=True)
    assert back.dtype == r.dtype and back.shape == r.shape and back.stride() == r.stride()
    assert back.storage_offset() == r.storage_offset()
    assert back.untyped_storage().nbytes() == r.untyped_storage().nbytes()
    assert np.array_equal(_np(back), _np(r), equal_nan=True)
    # and back into oxytorch from torch's bytes
    assert_mirror(ot.load(io.BytesIO(theirs)), r)


def _state_pairs():
    w_r, w_o = _pair("float32", (2, 3), 1)
    b_r, b_o = _pair("float32", (2,), 2)
    sd_r = collections.OrderedDict([("weight", w_r), ("bias", b_r)])
    sd_o = collections.OrderedDict([("weight", w_o), ("bias", b_o)])
    sd_r._metadata = collections.OrderedDict([("", {"version": 1})])
    sd_o._metadata = collections.OrderedDict([("", {"version": 1})])
    base_r, base_o = _pair("int64", (6,), 3)
    step_r, step_o = torch.tensor(1.0), ot.tensor(1.0)
    rg_r, rg_o = _pair("float32", (2,), 4)
    rg_r.requires_grad_(True)
    rg_o.requires_grad_(True)
    common = dict(
        epoch=3, loss=0.25, best=None, name="run-é✓", flags=[True, False], big=2**70, neg=-5,
        hist=(1.5, float("nan"), float("inf")), raw=b"\x00\xff", ba=bytearray(b"ab"), cplx=1 + 2j,
        s={1, 2}, cnt=collections.Counter({"a": 2}), ikeys={0: "a", 7: "b"},
    )
    r = dict(common, model=sd_r, shared=[base_r, base_r[2:5], base_r.view(2, 3).t()],
             optim={"state": {0: {"step": step_r, "exp_avg": w_r.clone()}},
                    "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0]}]},
             dt=torch.float16, dev=torch.device("cpu"), dev1=torch.device("cuda", 1), size=torch.Size([2, 3]),
             layout=torch.strided, rg=rg_r, same=[w_r, w_r])
    o = dict(common, model=sd_o, shared=[base_o, base_o[2:5], base_o.view(2, 3).t()],
             optim={"state": {0: {"step": step_o, "exp_avg": w_o.clone()}},
                    "param_groups": [{"lr": 1e-3, "betas": (0.9, 0.999), "params": [0]}]},
             dt=ot.float16, dev=ot.device("cpu"), dev1=ot.device("cuda", 1), size=ot.Size([2, 3]),
             layout=ot.strided, rg=rg_o, same=[w_o, w_o])
    return o, r


def test_checkpoint_dict_bytes_identical_and_round_trips():
    o, r = _state_pairs()
    ours, theirs = _save_both(o, r)
    assert _zip_records(ours) == _zip_records(theirs)
    back = torch.load(io.BytesIO(ours), weights_only=True)
    assert back["model"]._metadata == r["model"]._metadata
    assert back["same"][0] is back["same"][1]
    sh = back["shared"]
    assert sh[0].untyped_storage().data_ptr() == sh[1].untyped_storage().data_ptr() == sh[2].untyped_storage().data_ptr()
    mine = ot.load(io.BytesIO(theirs))
    assert mine["same"][0] is mine["same"][1]
    assert mine["layout"] is ot.strided
    for k in ("layout",):
        r.pop(k), mine.pop(k)
    assert_mirror(mine, r)
    mine2 = ot.load(io.BytesIO(ours), weights_only=False)
    mine2.pop("layout")
    assert_mirror(mine2, r)


def test_save_to_path_prefix_and_atomic(tmp_path):
    w_r, w_o = _pair("float32", (2, 2))
    for name in ["model.pth.tar", "ckpt", ".hidden.pt", "weights.v2.bin"]:
        ot.save(w_o, tmp_path / name)
        torch.save(w_r, tmp_path / ("t_" + name))
        a = zipfile.ZipFile(tmp_path / name).namelist()
        b = zipfile.ZipFile(tmp_path / ("t_" + name)).namelist()
        expected_prefix = b[0].split("/")[0].replace("t_", "", 1)
        assert a[0].split("/")[0] == expected_prefix
        assert [n.split("/", 1)[1] for n in a] == [n.split("/", 1)[1] for n in b]
        assert os.stat(tmp_path / name).st_mode & 0o777 == os.stat(tmp_path / ("t_" + name)).st_mode & 0o777
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_failed_save_keeps_previous_file(tmp_path, monkeypatch):
    p = tmp_path / "c.pt"
    ot.save({"a": ot.ones(3)}, p)
    before = p.read_bytes()

    class Bad:
        def __reduce__(self):
            raise RuntimeError("cannot pickle this")

    with pytest.raises(RuntimeError, match="cannot pickle"):
        ot.save({"a": ot.zeros(3), "b": Bad()}, p)
    monkeypatch.setattr(os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(28, "No space left on device")))
    with pytest.raises(OSError):
        ot.save({"a": ot.zeros(3)}, p)
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["c.pt"]


def test_save_rejects_same_storage_different_dtypes():
    a = ot.zeros(4)
    b = ot._C._from_buffer(ot._C._storage_bytes(a), ot.int32, [4], [1], 0)
    with pytest.raises(RuntimeError, match="view the same data as different types"):
        ot.save([a, b], io.BytesIO())


def test_mmap_load_is_writable_private(tmp_path):
    p = tmp_path / "m.pt"
    ot.save({"a": ot.arange(6, dtype=ot.float32), "b": ot.ones(2)}, p)
    before = p.read_bytes()
    d = ot.load(p, mmap=True)
    assert not d["a"]._shares_storage(d["b"])
    d["a"].add_(1)
    assert d["a"].tolist() == [1, 2, 3, 4, 5, 6]
    assert p.read_bytes() == before
    r = torch.load(p, mmap=True)
    assert r["a"].tolist() == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="f must be a file path"):
        ot.load(io.BytesIO(before), mmap=True)


def test_deflated_archive_loads():
    r = torch.load(vec("pt_linear_state_dict.pt"))
    src = zipfile.ZipFile(vec("pt_linear_state_dict.pt"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for n in src.namelist():
            z.writestr(n, src.read(n))
    assert_mirror(ot.load(io.BytesIO(buf.getvalue())), r)


def test_safetensors_path_dispatch(tmp_path):
    from oxytorch import safetensors as st

    p = tmp_path / "x.safetensors"
    st.save_file({"a": ot.ones(2)}, p)
    assert ot.load(str(p))["a"].tolist() == [1.0, 1.0]
    with pytest.raises(RuntimeError, match="dict map_location is not supported"):
        ot.load(str(p), map_location={"a": "b"})


# ---------------------------------------------------------------------------------------------
# weights_only: the allowlist, its errors, and executing nothing


def _ckpt_with_pickle(pkl, prefix="archive"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{prefix}/data.pkl", pkl)
        z.writestr(f"{prefix}/version", "3\n")
    return buf.getvalue()


def _both_errors(data, **kw):
    exp = got = None
    try:
        torch.load(io.BytesIO(data), **kw)
    except Exception as e:  # noqa: BLE001
        exp = e
    try:
        ot.load(io.BytesIO(data), **kw)
    except Exception as e:  # noqa: BLE001
        got = e
    return exp, got


MARKER = "/tmp/oxytorch_pwned_marker"


class _SystemPayload:
    def __reduce__(self):
        return (os.system, (f"touch {MARKER}",))


class _EvalPayload:
    def __reduce__(self):
        return (eval, ("1+1",))


PAYLOADS = {
    "os.system": pickle.dumps(_SystemPayload(), protocol=2),
    "eval": pickle.dumps(_EvalPayload(), protocol=2),
    "namespace": pickle.dumps(argparse.Namespace(a=1), protocol=2),
    "frozenset": pickle.dumps(frozenset([1]), protocol=2),
    "slice": pickle.dumps(slice(1, 2), protocol=2),
    "getattr": b"\x80\x02cbuiltins\ngetattr\nq\x00.",
    "posix": b"\x80\x02cposix\ngetcwd\n)R.",
    "reduce_on_dict": b"\x80\x02}q\x00)R.",
    "build_list": b"\x80\x02]N\x62.",
    "append_dict": b"\x80\x02}Na.",
    "setitem_list": b"\x80\x02]NNs.",
    "persid_str": b"\x80\x02X\x03\x00\x00\x00abcQ.",
    "persid_other": b"\x80\x02X\x03\x00\x00\x00abc\x85Q.",
    "proto4_frame": pickle.dumps({"a": 1}, protocol=4),
    "inst": b"(i__main__\nX\n.",
    "obj": b"\x80\x02(cargparse\nNamespace\no.",
}


@pytest.mark.parametrize("name", list(PAYLOADS))
def test_weights_only_rejections_match_torch(name):
    if os.path.exists(MARKER):
        os.unlink(MARKER)
    exp, got = _both_errors(_ckpt_with_pickle(PAYLOADS[name]))
    assert not os.path.exists(MARKER)
    assert isinstance(exp, pickle.UnpicklingError)
    assert isinstance(got, pickle.UnpicklingError)
    assert str(got) == str(exp)


def test_newobj_on_allowlisted_class():
    data = _ckpt_with_pickle(b"\x80\x02ccollections\nOrderedDict\n)\x81.")
    assert torch.load(io.BytesIO(data)) == ot.load(io.BytesIO(data)) == collections.OrderedDict()


def test_weights_only_false_runs_arbitrary_pickles():
    data = _ckpt_with_pickle(PAYLOADS["namespace"])
    assert ot.load(io.BytesIO(data), weights_only=False) == argparse.Namespace(a=1)


def test_safe_globals_api():
    data = _ckpt_with_pickle(pickle.dumps({"ns": argparse.Namespace(a=1, b=[2])}, protocol=2))
    with pytest.raises(pickle.UnpicklingError):
        ot.load(io.BytesIO(data))
    with ot.serialization.safe_globals([argparse.Namespace]):
        assert ot.serialization.get_safe_globals() == [argparse.Namespace]
        assert ot.load(io.BytesIO(data)) == {"ns": argparse.Namespace(a=1, b=[2])}
    assert ot.serialization.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError):
        ot.load(io.BytesIO(data))
    ot.serialization.add_safe_globals([(argparse.Namespace, "argparse.Namespace")])
    try:
        assert ot.load(io.BytesIO(data))["ns"].b == [2]
    finally:
        ot.serialization.clear_safe_globals()
    assert ot.serialization.get_safe_globals() == []
    with pytest.raises(ValueError, match="tuple of length 2"):
        ot.serialization.add_safe_globals([(argparse.Namespace,)])


def test_blocked_modules_cannot_be_allowlisted():
    ot.serialization.add_safe_globals([os.getcwd])
    try:
        exp, got = _both_errors(_ckpt_with_pickle(b"\x80\x02cposix\ngetcwd\n)R."))
        assert str(got) == str(exp) and "is blocked" in str(got)
    finally:
        ot.serialization.clear_safe_globals()


def test_get_unsafe_globals_in_checkpoint():
    for name in ("pt_reject_namespace.pt", "pt_reject_numpy_scalar.pt", "pt_checkpoint.pt"):
        assert ot.serialization.get_unsafe_globals_in_checkpoint(vec(name)) == sorted(
            torch.serialization.get_unsafe_globals_in_checkpoint(vec(name))
        )


def test_explicit_pickle_module_with_weights_only():
    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit pickle_module"):
        ot.load(vec("pt_dtype_float32.pt"), pickle_module=pickle, weights_only=True)
    assert ot.load(vec("pt_dtype_float32.pt"), pickle_module=pickle).shape == (2, 3)


# ---------------------------------------------------------------------------------------------
# Hostile and malformed inputs


def _raises_cleanly(data, **kw):
    try:
        ot.load(io.BytesIO(data), **kw)
    except (RuntimeError, pickle.UnpicklingError, ValueError, EOFError, TypeError, KeyError,
            NotImplementedError) as e:
        return e
    return None


def test_truncated_files_raise():
    data = open(vec("pt_shared_storage.pt"), "rb").read()
    for n in list(range(0, 64)) + list(range(64, len(data), 37)):
        assert _raises_cleanly(data[:n]) is not None, n
    leg = open(vec("pt_legacy_format.pt"), "rb").read()
    for n in range(0, len(leg), 7):
        assert _raises_cleanly(leg[:n]) is not None, n


def test_storage_size_mismatch_message():
    src = zipfile.ZipFile(vec("pt_dtype_float32.pt"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in src.namelist():
            z.writestr(n, src.read(n)[:8] if n.endswith("data/0") else src.read(n))
    exp, got = _both_errors(buf.getvalue())
    assert isinstance(got, RuntimeError) and "does not match expected size" in str(got) and "does not match expected size" in str(exp)


def test_huge_storage_claim_does_not_allocate():
    pkl = (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
           b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpu\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x10tQK\x00K\x01\x85K\x01\x85"
           b"\x89ccollections\nOrderedDict\n)Rt R.")
    pkl = pkl.replace(b"t R.", b"tR.")
    e = _raises_cleanly(_ckpt_with_pickle(pkl))
    assert isinstance(e, RuntimeError)


def test_view_past_storage_end():
    pkl = (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storagectorch\nFloatStorage\n"
           b"X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x02tQK\x01K\x05\x85K\x01\x85"
           b"\x89ccollections\nOrderedDict\n)RtR.")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", pkl)
        z.writestr("archive/data/0", b"\0" * 8)
        z.writestr("archive/version", "3\n")
    exp, got = _both_errors(buf.getvalue())
    assert isinstance(exp, RuntimeError) and isinstance(got, RuntimeError)
    assert "out of bounds" in str(got)


def test_zip_bomb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", b"\x80\x02N.")
        z.writestr("archive/version", "3\n")
    raw = bytearray(buf.getvalue())
    # Claim a 4 GiB uncompressed data.pkl in the central directory (a bomb's declared size).
    cd = raw.find(b"PK\x01\x02")
    struct.pack_into("<I", raw, cd + 24, 100_000_000)
    e = _raises_cleanly(bytes(raw))
    assert isinstance(e, RuntimeError) and "zip bomb" in str(e)


def test_deeply_nested_pickle():
    depth = 200_000
    pkl = b"\x80\x02" + b"]" * depth + b"a" * (depth - 1) + b"."
    out = ot.load(io.BytesIO(_ckpt_with_pickle(pkl)))
    n = 0
    while out:
        out = out[0]
        n += 1
    assert n == depth - 1
    pkl = b"\x80\x02" + b"(" * depth + b"N."
    assert ot.load(io.BytesIO(_ckpt_with_pickle(pkl))) is None


def test_stack_underflow_and_bad_memo():
    for pkl in [b"\x80\x02a.", b"\x80\x02h\x05.", b"\x80\x02t.", b"\x80\x02.", b"\x80\x02\x86.", b"\x80\x02K"]:
        e = _raises_cleanly(_ckpt_with_pickle(pkl))
        assert isinstance(e, pickle.UnpicklingError), pkl


@pytest.mark.parametrize("version", [b"0", b"11", b"abc"])
def test_bad_versions(version):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02N.")
        z.writestr("archive/version", version)
    exp, got = _both_errors(buf.getvalue())
    assert isinstance(got, RuntimeError) and exp is not None
    if version != b"abc":
        assert str(exp).split("Attempted", 1)[1][:60] in str(got)


def test_archive_without_subdirectory():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data.pkl", b"\x80\x02N.")
        z.writestr("version", "3\n")
    exp, got = _both_errors(buf.getvalue())
    assert "file in archive is not in a subdirectory: data.pkl" in str(exp)
    assert "file in archive is not in a subdirectory: data.pkl" in str(got)


def test_torchscript_archive_rejected_under_weights_only():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02N.")
        z.writestr("archive/constants.pkl", b"\x80\x02N.")
        z.writestr("archive/version", "3\n")
    with pytest.raises(RuntimeError, match="Cannot use ``weights_only=True`` with TorchScript archives"):
        ot.load(io.BytesIO(buf.getvalue()))


def test_legacy_storage_claims_are_bounded_by_file_size():
    class P(pickle.Pickler):
        def persistent_id(self, obj):
            if isinstance(obj, tuple) and obj and obj[0] == "X":
                return ("storage", torch.FloatStorage, str(obj[1]), "cpu", 5000, None)
            return None

    buf = io.BytesIO()
    for o in (0x1950A86A20F9469CFC6C, 1001,
              {"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}}):
        pickle.dump(o, buf, protocol=2)
    P(buf, protocol=2).dump([("X", i) for i in range(2000)])
    with pytest.raises(RuntimeError, match="more than the file holds"):
        ot.load(io.BytesIO(buf.getvalue()))


def test_weights_only_never_imports(tmp_path, monkeypatch):
    marker = tmp_path / "imported"
    (tmp_path / "oxy_evil_mod.py").write_text(
        f"open({str(marker)!r}, 'w').close()\n\ndef f(*a):\n    open({str(marker)!r}, 'w').close()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for pkl in [b"\x80\x02coxy_evil_mod\nf\n)R.", b"\x80\x02coxy_evil_mod\nf\n.", b"\x80\x02(coxy_evil_mod\nf\no."]:
        with pytest.raises(pickle.UnpicklingError, match="oxy_evil_mod.f was not an allowed global"):
            ot.load(io.BytesIO(_ckpt_with_pickle(pkl)))
    import sys

    assert "oxy_evil_mod" not in sys.modules and not marker.exists()
    assert ot.load(io.BytesIO(_ckpt_with_pickle(b"\x80\x02coxy_evil_mod\nf\n)R.")), weights_only=False) is None
    assert marker.exists()


def test_big_endian_archive():
    src = zipfile.ZipFile(vec("pt_dtype_float64.pt"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in src.namelist():
            data = src.read(n)
            if n.endswith("/byteorder"):
                data = b"big"
            elif n.endswith("/data/0"):
                data = np.frombuffer(data, dtype="<f8").astype(">f8").tobytes()
            z.writestr(n, data)
    r = torch.load(io.BytesIO(buf.getvalue()))
    assert_mirror(ot.load(io.BytesIO(buf.getvalue())), r)


def _fast_and_slow(obj):
    ser = ot.serialization
    ser._install_dispatch()
    buf = io.BytesIO()
    ser._Pickler(buf, 2, {}).dump(obj)
    try:
        fast = ser._FastPickler(ser._Pickler(io.BytesIO(), 2, {})).dump(obj)
    except ser._Unsupported:
        fast = None
    return fast, buf.getvalue()


def test_fast_pickler_matches_stdlib_pickler():
    o, _ = _state_pairs()
    w = ot.ones(2)
    s = "shared-string"
    simple = {
        "ints": [0, 1, 255, 256, 65535, 65536, -1, -(2**31), 2**31 - 1, 2**31, -(2**31) - 1, 2**64, -(2**70), 2**2100],
        "floats": [0.0, -0.0, 1.5, float("inf")], "none": None, "b": [True, False],
        "strs": ["", "é✓", "a\udc80", s, s], "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((1,), (1,))],
        "big": list(range(2500)), "bigd": {i: i for i in range(2100)},
        "t": [w, w, w[1:], ot.zeros(0), ot.tensor(3)], "od": collections.OrderedDict(a=w),
        "dt": [ot.float32, ot.float32, ot.int64], "model": o["model"], "optim": o["optim"], "shared": o["shared"],
        "memo256": [str(i) for i in range(300)] + [str(5)],
    }
    fast, slow = _fast_and_slow(simple)
    assert fast == slow
    fast, slow = _fast_and_slow(o)  # contains Size/device/bytes/...: falls back
    assert fast is None


@pytest.mark.parametrize("n", [0, 1, 2, 999, 1000, 1001, 2000, 2001])
def test_large_containers_match_torch_bytes(n):
    r = {"d": {i: i for i in range(n)}, "l": list(range(n)),
         "od": collections.OrderedDict((str(i), i) for i in range(n))}
    ours, theirs = _save_both(r, r)
    assert _zip_records(ours) == _zip_records(theirs)
    fast, slow = _fast_and_slow(r)
    assert fast == slow
