"""oxytorch.safetensors against the reference safetensors library (real torch + safetensors.torch):
byte-identical files, identical rejections and error messages, interop vectors, zero-copy loading,
atomic writes and hostile headers."""
import json
import os
import struct

import numpy as np
import pytest
import safetensors.torch as ref
import torch

import oxytorch as ot
from oxytorch import safetensors as st

DATA = os.path.join(os.path.dirname(__file__), "data", "interop")
MANIFEST = {e["file"]: e for e in json.load(open(os.path.join(DATA, "manifest.json")))["files"]}

DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64", "complex64"]


def vec(name):
    return os.path.join(DATA, name)


def np_of(t):
    """Values of a torch or oxytorch tensor as a NumPy array (bfloat16 via float32)."""
    if isinstance(t, torch.Tensor):
        if t.dtype in (torch.bfloat16, torch.float8_e4m3fn, torch.float8_e5m2):
            t = t.float()
        return t.detach().numpy()
    if t.dtype in (ot.bfloat16, ot.float8_e4m3fn, ot.float8_e5m2):
        t = t.to(ot.float32)
    return t.numpy()


def assert_same(o, r):
    assert str(o.dtype) == str(r.dtype)
    assert tuple(o.shape) == tuple(r.shape)
    a, b = np_of(o), np_of(r)
    assert a.tobytes() == b.tobytes() or np.array_equal(a, b, equal_nan=True)


def pair(dtype, shape, seed=0):
    """The same values as a torch tensor and an oxytorch tensor."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape)) if shape else 1
    if dtype == "bool":
        a = rng.integers(0, 2, n).astype(np.bool_)
    elif dtype in ("uint8", "int8", "int16", "int32", "int64"):
        info = np.iinfo(dtype)
        a = rng.integers(info.min, info.max, n, dtype=dtype, endpoint=True)
    elif dtype == "complex64":
        a = (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(np.complex64)
    else:
        a = rng.standard_normal(n).astype(np.float32 if dtype == "bfloat16" else dtype)
        if n >= 4:
            a[:4] = [np.inf, -np.inf, np.nan, -0.0]
    a = a.reshape(shape)
    r = torch.from_numpy(a.copy())
    o = ot.from_numpy(a.copy())
    if dtype == "bfloat16":
        # Same bits on both sides (the float32 -> bfloat16 cast of NaN differs between the libraries).
        r = r.to(torch.bfloat16)
        bits = r.reshape(-1).view(torch.int16).numpy().view(np.uint8).copy()
        o = ot._C._from_buffer(ot.from_numpy(bits.reshape(-1)), ot.bfloat16, list(shape), list(r.stride()), 0)
    return r, o


# ---------------------------------------------------------------------------------------------
# Writer: byte-identical to the reference


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (5,), (2, 3), (2, 1, 3)])
def test_save_bytes_identical_per_dtype(dtype, shape):
    r, o = pair(dtype, shape)
    assert st.save({"x": o}) == ref.save({"x": r})
    assert st.save({"x": o}, metadata={"format": "pt"}) == ref.save({"x": r}, metadata={"format": "pt"})


def test_save_order_and_names_identical():
    names = ["c", "B", "a10", "a9", "b", "a", "a2", "é✓", "z\x01\"\\", "A"]
    rt, ox = {}, {}
    for i, n in enumerate(names):
        r, o = pair(DTYPES[i % len(DTYPES)], (i % 3 + 1, 2), seed=i)
        rt[n], ox[n] = r, o
    for meta in (None, {}, {"format": "pt"}, {"k\n\x02é": "v\"\\\t"}):
        assert st.save(ox, metadata=meta) == ref.save(rt, metadata=meta)


def test_save_file_identical_and_mode(tmp_path):
    r, o = pair("float32", (4, 4))
    st.save_file({"w": o, "b": o[0].clone()}, tmp_path / "a.safetensors", metadata={"format": "pt"})
    ref.save_file({"w": r, "b": r[0].clone()}, str(tmp_path / "b.safetensors"), metadata={"format": "pt"})
    assert (tmp_path / "a.safetensors").read_bytes() == (tmp_path / "b.safetensors").read_bytes()
    assert os.stat(tmp_path / "a.safetensors").st_mode & 0o777 == os.stat(tmp_path / "b.safetensors").st_mode & 0o777
    assert sorted(os.listdir(tmp_path)) == ["a.safetensors", "b.safetensors"]


def test_save_views_with_offset_and_disjoint_slices():
    base_r, base_o = pair("float32", (12,))
    r = {"a": base_r[:5], "b": base_r[5:], "c": base_r.view(3, 4)[1]}
    o = {"a": base_o[:5], "b": base_o[5:]}
    assert st.save(o) == ref.save({"a": r["a"], "b": r["b"]})
    assert st.save({"c": base_o.view(3, 4)[1]}) == ref.save({"c": r["c"]})


def test_multikey_metadata_parses_the_same():
    r, o = pair("float32", (2,))
    meta = {"b": "1", "a": "2", "c": "é"}
    ours = st.save({"x": o}, metadata=meta)
    n = struct.unpack("<Q", ours[:8])[0]
    assert json.loads(ours[8 : 8 + n]) == json.loads(ref.save({"x": r}, metadata=meta)[8 : 8 + n])
    assert ref.load(ours)["x"].tolist() == r.tolist()


def test_reference_reads_what_we_write(tmp_path):
    ox, rt = {}, {}
    for i, d in enumerate(DTYPES):
        rt[d], ox[d] = pair(d, (3, 2), seed=i)
    st.save_file(ox, tmp_path / "m.safetensors")
    back = ref.load_file(str(tmp_path / "m.safetensors"))
    assert list(back) == list(ref.load(ref.save(rt))) or sorted(back) == sorted(rt)
    for k in rt:
        assert torch.equal(back[k], rt[k]) or torch.allclose(back[k].float(), rt[k].float(), equal_nan=True)


# ---------------------------------------------------------------------------------------------
# Writer rejections: same error types and messages


def _err(f):
    try:
        f()
    except BaseException as e:  # noqa: BLE001
        return type(e), str(e)
    return None


def _reject_cases():
    a_r, a_o = torch.zeros(6), ot.zeros(6)
    return [
        ("same tensor twice", lambda m: {"a": m["a"], "b": m["a"]}),
        ("overlap", lambda m: {"a": m["a"][:4], "b": m["a"][3:]}),
        ("non-contiguous", lambda m: {"a": m["a"][::2]}),
        ("transposed", lambda m: {"a": m["a"].view(2, 3).t()}),
        ("not a tensor", lambda m: {"a": 1}),
        ("not a dict", lambda m: [m["a"]]),
        ("non-str key", lambda m: {1: m["a"]}),
    ], {"a": a_r}, {"a": a_o}


@pytest.mark.parametrize("idx", range(7))
def test_save_rejections_match_reference(idx):
    cases, mr, mo = _reject_cases()
    _, build = cases[idx]
    exp = _err(lambda: ref.save(build(mr)))
    got = _err(lambda: st.save(build(mo)))
    assert exp is not None and got == exp


@pytest.mark.parametrize("meta", [{"x": 1}, {1: "x"}, []])
def test_save_metadata_rejections_match_reference(meta):
    exp = _err(lambda: ref.save({"a": torch.zeros(2)}, metadata=meta))
    got = _err(lambda: st.save({"a": ot.zeros(2)}, metadata=meta))
    assert got == exp


def test_save_rejects_complex128_like_reference():
    exp = _err(lambda: ref.save({"a": torch.zeros(2, dtype=torch.complex128)}))
    got = _err(lambda: st.save({"a": ot.zeros(2, dtype=ot.complex128)}))
    assert got[0] is exp[0] is KeyError


def test_save_rejects_reserved_name():
    # The reference writes it and then cannot read the file back; oxytorch refuses up front.
    with pytest.raises(ValueError, match="__metadata__"):
        st.save({"__metadata__": ot.zeros(2)})


def test_save_allows_empty_tensors_sharing_nothing():
    assert st.save({"a": ot.zeros(0), "b": ot.zeros(0)}) == ref.save({"a": torch.zeros(0), "b": torch.zeros(0)})


# ---------------------------------------------------------------------------------------------
# Reader: interop vectors


VALID_ST = [f for f, e in MANIFEST.items() if e["format"] == "safetensors" and e["expect"] == "ok"]
INVALID_ST = [f for f, e in MANIFEST.items() if e["format"] == "safetensors" and e["expect"] == "reject"]


def _manifest_supported(entry):
    return all(t["dtype"] in st._tables()[0] for t in entry["tensors"].values())


@pytest.mark.parametrize("name", sorted(VALID_ST))
def test_vectors_load_like_reference(name):
    entry = MANIFEST[name]
    r = ref.load_file(vec(name))
    with st.safe_open(vec(name), framework="pt") as f:
        assert f.keys() == sorted(entry["tensors"])
        assert f.offset_keys() == entry["order_in_file"]
        assert f.metadata() == entry["metadata"]
        for k, info in entry["tensors"].items():
            if info["dtype"] not in st._tables()[0]:
                with pytest.raises(TypeError, match="not supported by oxytorch"):
                    f.get_tensor(k)
                continue
            t = f.get_tensor(k)
            assert_same(t, r[k])
            assert list(t.shape) == info["shape"]
            raw = bytes(np_of(t).tobytes()) if t.dtype not in (ot.bfloat16, ot.float8_e4m3fn, ot.float8_e5m2) else None
            if raw is not None and t.dtype != ot.bool:
                assert raw.hex() == info["data_hex"]
    if _manifest_supported(entry):
        d = st.load_file(vec(name))
        assert list(d) == list(r) == entry["order_in_file"]
        for k in r:
            assert_same(d[k], r[k])
        data = open(vec(name), "rb").read()
        d2 = st.load(data)
        for k in r:
            assert_same(d2[k], r[k])
        if entry["deterministic"]:
            assert st.save(d, metadata=entry["metadata"]) == data


@pytest.mark.parametrize("name", sorted(INVALID_ST))
def test_invalid_vectors_rejected_like_reference(name):
    data = open(vec(name), "rb").read()
    with pytest.raises(Exception) as exp:
        ref.load(data)
    with pytest.raises(st.SafetensorError) as got:
        st.load(data)
    assert str(got.value) == str(exp.value) == MANIFEST[name]["reference_error"]
    with pytest.raises(Exception) as exp:
        ref.load_file(vec(name))
    with pytest.raises(st.SafetensorError) as got:
        st.load_file(vec(name))
    assert str(got.value) == str(exp.value)


def _hdr(obj, data=b"", pad=True):
    h = json.dumps(obj, separators=(",", ":")).encode()
    if pad:
        h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data


HOSTILE = [
    b"",
    b"\x01\x02",
    struct.pack("<Q", 2**64 - 1) + b"{}",
    struct.pack("<Q", 2**63) + b"{}",
    struct.pack("<Q", 100_000_001) + b"{}",
    struct.pack("<Q", 100_000_000) + b"{}",
    struct.pack("<Q", 64) + b"{}",
    struct.pack("<Q", 2) + b"\xff\xfe",
    struct.pack("<Q", 2) + b"[]",
    _hdr({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}, b"\0" * 4),
    _hdr({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 2**62]}}, b"\0" * 8),
    _hdr({"a": {"dtype": "F32", "shape": [2**62, 2**62], "data_offsets": [0, 8]}}, b"\0" * 8),
    _hdr({"a": {"dtype": "F32", "shape": [2**40, 2**40, 2**40], "data_offsets": [0, 0]}}),
    _hdr({"a": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}}, b"\0" * 4),
    _hdr({"a": {"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}}, b"\0" * 4),
    _hdr({"a": {"dtype": "f32", "shape": [1], "data_offsets": [0, 4]}}, b"\0" * 4),
    _hdr({"__metadata__": {"a": [1]}}),
    _hdr({"__metadata__": None}),
    _hdr({"a": {"dtype": "BOOL", "shape": [3], "data_offsets": [0, 3]}}, b"\x00\x07\xff"),
    _hdr({"a": {"dtype": "U8", "shape": [3], "data_offsets": [0, 3], "extra": 1}}, b"abc"),
    _hdr({"a": {"dtype": "F32", "shape": [1], "data_offsets": [1, 5]}, "b": {"dtype": "U8", "shape": [1], "data_offsets": [0, 1]}}, b"\x01" * 5),
    b" " * 8 + b"{}",
    struct.pack("<Q", 8) + b"  {}    ",
]


@pytest.mark.parametrize("idx", range(len(HOSTILE)))
def test_hostile_buffers_match_reference(idx, tmp_path):
    data = HOSTILE[idx]
    exp = _err(lambda: ref.load(data))
    got = _err(lambda: st.load(data))
    if exp is None:
        assert got is None
        r, o = ref.load(data), st.load(data)
        assert sorted(r) == sorted(o)  # the reference's load(bytes) order is a HashMap's
        for k in r:
            assert_same(o[k], r[k])
    else:
        assert got == (st.SafetensorError, exp[1])
    p = tmp_path / "h.safetensors"
    p.write_bytes(data)
    exp = _err(lambda: ref.load_file(str(p)))
    got = _err(lambda: st.load_file(p))
    assert (got is None) == (exp is None)
    if exp is not None:
        assert got[1] == exp[1]


def test_bool_bytes_are_normalised():
    data = _hdr({"a": {"dtype": "BOOL", "shape": [3], "data_offsets": [0, 3]}}, b"\x00\x07\xff")
    assert st.load(data)["a"].tolist() == [False, True, True]


# ---------------------------------------------------------------------------------------------
# Reader API


def test_safe_open_api_matches_reference(tmp_path):
    rt, ox = {}, {}
    for i, d in enumerate(["float32", "int64", "float16", "bool"]):
        rt[d], ox[d] = pair(d, (4, 5), seed=i)
    p = str(tmp_path / "x.safetensors")
    ref.save_file(rt, p, metadata={"format": "pt"})
    with ref.safe_open(p, framework="pt") as fr, st.safe_open(p, framework="pt", device="cpu") as fo:
        assert fo.keys() == list(fr.keys())
        assert fo.offset_keys() == list(fr.offset_keys())
        assert fo.metadata() == fr.metadata()
        for k in fr.keys():
            assert_same(fo.get_tensor(k), fr.get_tensor(k))
            sr, so = fr.get_slice(k), fo.get_slice(k)
            assert so.get_shape() == sr.get_shape()
            assert so.get_dtype() == sr.get_dtype()
            for idx in [(slice(1, 3),), (slice(None), slice(0, 5, 2)), (2,), (slice(None), 4)]:
                assert_same(so[idx], sr[idx])
        with pytest.raises(Exception) as e1:
            fr.get_tensor("missing")
        with pytest.raises(st.SafetensorError) as e2:
            fo.get_tensor("missing")
        assert str(e1.value) == str(e2.value)


@pytest.mark.parametrize("device", [torch.device("cpu"), "meta", "foo", "cpu:x"])
def test_invalid_devices(device, tmp_path):
    p = tmp_path / "x.safetensors"
    st.save_file({"a": ot.zeros(2)}, p)
    exp = _err(lambda: ref.load_file(str(p), device=device))
    odev = ot.device("cpu") if isinstance(device, torch.device) else device
    got = _err(lambda: st.load_file(p, device=odev))
    assert exp is not None and got is not None and got[0] is st.SafetensorError
    if not isinstance(device, torch.device):
        assert got[1] == exp[1]


def test_missing_file():
    exp = _err(lambda: ref.load_file("/nonexistent/x.safetensors"))
    got = _err(lambda: st.load_file("/nonexistent/x.safetensors"))
    assert got == exp


def test_load_bytes_type_error():
    assert _err(lambda: st.load("abc")) == _err(lambda: ref.load("abc"))


def test_loaded_tensors_are_writable_and_file_unchanged(tmp_path):
    p = tmp_path / "x.safetensors"
    st.save_file({"a": ot.arange(6, dtype=ot.float32)}, p)
    before = p.read_bytes()
    d = st.load_file(p)
    d["a"].add_(1)
    assert d["a"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert p.read_bytes() == before
    assert st.load_file(p)["a"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]


def _rss_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def test_large_file_is_mapped_not_read(tmp_path):
    # A 1 GiB (sparse) file: loading must not read it; memory grows only for touched tensors.
    p = tmp_path / "big.safetensors"
    n_big = 1 << 30
    header = _hdr(
        {
            "big": {"dtype": "F32", "shape": [n_big // 4], "data_offsets": [0, n_big]},
            "small": {"dtype": "F32", "shape": [4], "data_offsets": [n_big, n_big + 16]},
        }
    )
    with open(p, "wb") as f:
        f.write(header)
        f.truncate(len(header) + n_big + 16)
    rss0 = _rss_kb()
    d = st.load_file(p)
    assert d["big"].shape == (n_big // 4,)
    assert d["small"].tolist() == [0.0] * 4
    assert _rss_kb() - rss0 < 64 * 1024
    del d


# ---------------------------------------------------------------------------------------------
# Atomic writes


def test_failed_save_keeps_previous_file(tmp_path, monkeypatch):
    p = tmp_path / "m.safetensors"
    st.save_file({"a": ot.ones(3)}, p)
    before = p.read_bytes()

    def boom(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="No space"):
        st.save_file({"a": ot.zeros(100)}, p)
    monkeypatch.undo()
    assert p.read_bytes() == before
    assert os.listdir(tmp_path) == ["m.safetensors"]


def test_rejected_save_creates_nothing(tmp_path):
    with pytest.raises(ValueError):
        st.save_file({"a": ot.zeros(4)[::2]}, tmp_path / "x.safetensors")
    assert os.listdir(tmp_path) == []


# ---------------------------------------------------------------------------------------------
# save_model / load_model (duck-typed modules until oxytorch.nn lands)


class _FakeModule:
    def __init__(self, sd):
        self._sd = sd

    def state_dict(self):
        return dict(self._sd)

    def load_state_dict(self, sd, strict=True):
        missing = [k for k in self._sd if k not in sd]
        unexpected = [k for k in sd if k not in self._sd]
        for k, v in sd.items():
            if k in self._sd:
                self._sd[k].copy_(v)
        return missing, unexpected


def test_save_model_dedups_shared_tensors(tmp_path):
    w = ot.arange(6, dtype=ot.float32).view(2, 3)
    m = _FakeModule({"emb.weight": w, "head.weight": w, "bias": ot.ones(2)})
    p = tmp_path / "m.safetensors"
    st.save_model(m, p)
    with st.safe_open(p, "pt") as f:
        assert f.keys() == ["bias", "emb.weight"]
        assert f.metadata() == {"head.weight": "emb.weight"}
    target = _FakeModule({"emb.weight": ot.zeros(2, 3), "head.weight": None, "bias": ot.zeros(2)})
    target._sd["head.weight"] = target._sd["emb.weight"]
    missing, unexpected = st.load_model(target, p)
    assert list(missing) == [] and unexpected == []
    assert target._sd["emb.weight"].tolist() == w.tolist()
    with pytest.raises(RuntimeError, match="Missing key"):
        st.load_model(_FakeModule({"other": ot.zeros(1)}), p)
