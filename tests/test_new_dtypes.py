"""uint16/uint32/uint64 and float8_e4m3fn/float8_e5m2 against real torch: dtype objects, iinfo/finfo,
creation, conversions in both directions with every other dtype (edge values included), NumPy,
printing, views and copies, which ops work and which raise torch's NotImplementedError, type
promotion, and torch.save / safetensors files read and written by the real libraries."""
import io
import math
import os
import pickle

import numpy as np
import pytest
import safetensors.torch as sref
import torch

import oxytorch as ot
import oxytorch.safetensors as st

NEW = ["uint16", "uint32", "uint64", "float8_e4m3fn", "float8_e5m2"]
UINTS = ["uint16", "uint32", "uint64"]
F8 = ["float8_e4m3fn", "float8_e5m2"]
OLD = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64",
       "complex64", "complex128"]
ALL = OLD + NEW


def T(n):
    return getattr(torch, n)


def O(n):
    return getattr(ot, n)


def tbytes(t):
    """The logical elements of a torch tensor as little-endian bytes."""
    t = t.detach().reshape(-1).contiguous()
    return bytes(t.view(torch.uint8).numpy().tobytes()) if t.numel() else b""


def obytes(o):
    o = o.detach().reshape(-1).contiguous()
    return bytes(o.view(ot.uint8).numpy().tobytes()) if o.numel() else b""


def same(o, t, *, bits=True):
    assert isinstance(o, ot.Tensor), type(o)
    assert str(o.dtype) == str(t.dtype)
    assert tuple(o.shape) == tuple(t.shape)
    assert tuple(o.stride()) == tuple(t.stride())
    if bits:
        assert obytes(o) == tbytes(t), (o, t)


def raises_same(fo, ft, message=True):
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(Exception) as eo:
        fo()
    assert type(eo.value).__name__ == type(et.value).__name__, (eo.value, et.value)
    if message:
        assert str(eo.value) == str(et.value)


def both(f, *, message=True, bits=True):
    """Runs f(torch) and f(ot); both succeed with the same result or both raise the same error."""
    try:
        r = f(torch)
    except Exception as e:
        with pytest.raises(Exception) as eo:
            f(ot)
        assert type(eo.value).__name__ == type(e).__name__, (eo.value, e)
        if message:
            assert str(eo.value) == str(e)
        return None
    o = f(ot)
    if isinstance(r, torch.Tensor):
        same(o, r, bits=bits)
    elif isinstance(r, tuple) and r and isinstance(r[0], torch.Tensor):
        for a, b in zip(o, r):
            same(a, b, bits=bits)
    elif isinstance(r, (torch.dtype, torch.Size)):
        assert str(o) == str(r) if isinstance(r, torch.dtype) else tuple(o) == tuple(r)
    else:
        assert type(o) is type(r) and o == r
    return o


# ---------------------------------------------------------------------------------------------
# dtype objects, iinfo, finfo


@pytest.mark.parametrize("name", NEW)
def test_dtype_objects(name):
    o, t = O(name), T(name)
    assert repr(o) == repr(t) and str(o) == str(t)
    assert o.itemsize == t.itemsize
    assert o.is_floating_point == t.is_floating_point
    assert o.is_signed == t.is_signed
    assert o.is_complex == t.is_complex
    assert o is getattr(ot, name) and o != ot.float32
    assert pickle.loads(pickle.dumps(o)) is o
    assert ot.zeros(1, dtype=o).dtype is o
    assert ot.zeros(2, dtype=o).element_size() == torch.zeros(2, dtype=t).element_size()


@pytest.mark.parametrize("name", ALL)
def test_iinfo_finfo(name):
    for info in ("iinfo", "finfo"):
        try:
            r = getattr(torch, info)(T(name))
        except TypeError as e:
            with pytest.raises(TypeError) as eo:
                getattr(ot, info)(O(name))
            assert str(eo.value) == str(e)
            continue
        o = getattr(ot, info)(O(name))
        assert repr(o) == repr(r) and str(o) == str(r)
        attrs = ["bits", "min", "max", "dtype"]
        if info == "finfo":
            attrs += ["eps", "tiny", "smallest_normal", "resolution"]
        for a in attrs:
            assert getattr(o, a) == getattr(r, a), a
            assert type(getattr(o, a)) is type(getattr(r, a)), a


def test_finfo_default_and_errors():
    assert repr(ot.finfo()) == repr(torch.finfo())
    assert ot.finfo(ot.float8_e4m3fn) == ot.finfo(ot.float8_e4m3fn)
    raises_same(lambda: ot.finfo("x"), lambda: torch.finfo("x"), message=False)


# ---------------------------------------------------------------------------------------------
# Creation


CREATION = [
    ([0, 1, 2, 65535], None), ([[1, 2], [3, 4]], None), ([], None), (7, None), ([True, False], None),
    ([1.5, 2.7, 0.0], None), ([65536], None), ([-1], None), ([-1.5], None), ([2 ** 32 - 1], None),
    ([2 ** 32], None), ([2 ** 63 - 1], None), ([2 ** 63], None), ([2 ** 64 - 1], None), ([2 ** 64], None),
    (2 ** 64 - 1, None), (-1, None), (1.5, None), ([448.0, 500.0, -1e6, float("inf"), float("nan"), -0.0], None),
    ([57344.0, 61440.0, 61439.0, 1e-5, 2.0 ** -16, 2.0 ** -17], None), ([1 + 2j], None),
]


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("case", range(len(CREATION)))
def test_tensor_creation(name, case):
    data, _ = CREATION[case]
    both(lambda m: m.tensor(data, dtype=getattr(m, name)))


@pytest.mark.parametrize("name", NEW)
def test_factories(name):
    for f in (
        lambda m: m.zeros(2, 3, dtype=getattr(m, name)),
        lambda m: m.ones(4, dtype=getattr(m, name)),
        lambda m: m.full((2, 2), 3, dtype=getattr(m, name)),
        lambda m: m.full((2,), -1, dtype=getattr(m, name)),
        lambda m: m.full((2,), 1e9, dtype=getattr(m, name)),
        lambda m: m.full((2,), 500.0, dtype=getattr(m, name)),
        lambda m: m.full((2,), 2 ** 32, dtype=getattr(m, name)),
        lambda m: m.zeros_like(m.ones(3), dtype=getattr(m, name)),
        lambda m: m.ones_like(m.ones(3, dtype=getattr(m, name))),
        lambda m: m.arange(5, dtype=getattr(m, name)),
        lambda m: m.empty(2, 3, dtype=getattr(m, name)).shape,
        lambda m: m.ones(2, dtype=getattr(m, name)).fill_(5),
        lambda m: m.ones(2, dtype=getattr(m, name)).zero_(),
    ):
        o = both(f)
        if isinstance(o, ot.Tensor):
            assert o.dtype is O(name)


# ---------------------------------------------------------------------------------------------
# Conversions: every pair with the existing dtypes, with edge values


def source_values(name):
    """Edge values of a source dtype as a torch tensor."""
    if name == "bool":
        return torch.tensor([True, False, True])
    if name in ("uint8", "int8", "int16", "int32", "int64", "uint16", "uint32"):
        info = torch.iinfo(T(name))
        vals = sorted(v for v in {info.min, info.min + 1, -1 if info.min < 0 else 0, 0, 1, 2, 255, 256, 65535,
                                  65536, 2 ** 31 - 1, info.max - 1, info.max} if info.min <= v <= info.max)
        return torch.tensor(vals, dtype=torch.int64).to(T(name))
    if name == "uint64":
        return torch.tensor([0, 1, 255, 65535, 2 ** 32, 2 ** 53 + 1, 2 ** 63 - 1, 2 ** 63, 2 ** 64 - 1], dtype=torch.uint64)
    if name in F8:
        return torch.arange(256, dtype=torch.uint8).view(T(name))  # every bit pattern
    fl = [0.0, -0.0, 0.5, 1.0, -1.0, 1.5, 2.5, -2.5, 3.75, 255.9, 256.0, 448.0, 464.0, 465.0, 480.0, 57344.0,
          61439.0, 61440.0, 65504.0, 70000.7, 2.0 ** 31, 2.0 ** 31 + 0.5, 2.0 ** 32, 2.0 ** 40, 2.0 ** 63,
          2.0 ** 64 - 2048, 2.0 ** 64, 1e30, -1e30, -2.0 ** 31, -2.0 ** 31 - 5, -2.0 ** 40, -2.0 ** 63,
          2.0 ** -6, 2.0 ** -9, 2.0 ** -10, 3 * 2.0 ** -11, 2.0 ** -14, 2.0 ** -16, 2.0 ** -17, 3 * 2.0 ** -18,
          1e-8, 0.1, 0.3, float("inf"), float("-inf"), float("nan"), -float("nan")]
    if name in ("complex64", "complex128"):
        return torch.tensor([complex(v, 1.0) for v in fl], dtype=T(name))
    return torch.tensor(fl, dtype=torch.float64).to(T(name))


def _ot_from_torch(t):
    """The same elements as an oxytorch tensor, through their bytes (no conversion involved)."""
    raw = t.contiguous().view(torch.uint8).numpy().copy() if t.numel() else np.zeros(0, np.uint8)
    return ot.from_numpy(raw).view(O(str(t.dtype).split(".")[1]))


PAIRS = [(s, d) for s in ALL for d in ALL if s in NEW or d in NEW]


@pytest.mark.parametrize("src,dst", PAIRS)
def test_conversion_pairs(src, dst):
    t = source_values(src)
    if dst in ("uint32",) and src in ("float16", "bfloat16", "float32", "float64", "complex64", "complex128",
                                      "float8_e4m3fn", "float8_e5m2"):
        # torch's contiguous (vectorised) float -> uint32 cast gives other results than its scalar cast
        # for out-of-range values and NaN (undefined behaviour in C++); its strided path is the
        # scalar one, which oxytorch follows everywhere. Compare through a strided source.
        t = torch.stack([t, t], 1)[:, 0]
    o = _ot_from_torch(t.contiguous())
    if not t.is_contiguous():
        o = ot.stack([o, o], 1)[:, 0]
    assert obytes(o) == tbytes(t)
    r = t.to(T(dst))
    got = o.to(O(dst))
    same(got, r)
    # .type() spelling, and the copy_ path
    same(o.type(O(dst)), t.type(T(dst)))
    dest = ot.empty(tuple(o.shape), dtype=O(dst))
    dest.copy_(o)
    assert obytes(dest) == tbytes(r)


@pytest.mark.parametrize("name", F8)
def test_float8_rounding_exhaustive_float16(name):
    # Every float16 value (and, through float32, the bits below) rounds as torch's c10 conversion.
    t = torch.arange(-(2 ** 15), 2 ** 15, dtype=torch.int32).to(torch.int16).view(torch.float16)
    o = _ot_from_torch(t)
    same(o.to(O(name)), t.to(T(name)))
    tf = t.float() * 1.0001  # between representable values
    same(_ot_from_torch(tf).to(O(name)), tf.to(T(name)))
    tf = t.float() * 0.99993
    same(_ot_from_torch(tf).to(O(name)), tf.to(T(name)))


@pytest.mark.parametrize("name", F8)
def test_float8_to_float_every_pattern(name):
    t = torch.arange(256, dtype=torch.uint8).view(T(name))
    o = ot.arange(256, dtype=ot.int64).to(ot.uint8).view(O(name))
    for d in ("float32", "float64", "float16", "bfloat16"):
        same(o.to(O(d)), t.to(T(d)))
    assert [str(x) for x in o.tolist()] == [str(x) for x in t.tolist()]


# ---------------------------------------------------------------------------------------------
# NumPy, tolist, item, printing


@pytest.mark.parametrize("name", UINTS)
def test_numpy_round_trip_zero_copy(name):
    a = np.array([0, 1, np.iinfo(name).max], dtype=name)
    o, t = ot.from_numpy(a), torch.from_numpy(a.copy())
    same(o, t)
    assert o.data_ptr() == a.__array_interface__["data"][0]
    a[1] = 7
    assert o.tolist() == [0, 7, int(np.iinfo(name).max)]
    back = o.numpy()
    assert back.dtype == np.dtype(name) and back.__array_interface__["data"][0] == a.__array_interface__["data"][0]
    same(ot.tensor(a), torch.tensor(a))
    same(ot.as_tensor(a), torch.as_tensor(a))
    if name != "uint64":  # NumPy uint64 scalars beyond int64 are a known gap (they raise TypeError)
        same(ot.tensor([a[0], a[2]]), torch.tensor([a[0], a[2]]))
        same(ot.tensor(a[2]), torch.tensor(a[2]))
    assert np.asarray(o).dtype == np.dtype(name)


@pytest.mark.parametrize("name", F8)
def test_float8_numpy_refused(name):
    raises_same(lambda: ot.zeros(2, dtype=O(name)).numpy(), lambda: torch.zeros(2, dtype=T(name)).numpy())


@pytest.mark.parametrize("name", NEW)
def test_tolist_item(name):
    t = source_values(name) if name in UINTS else torch.tensor([0.5, -448, 3.0, float("nan"), -0.0]).to(T(name))
    o = _ot_from_torch(t)
    ro, rt = o.tolist(), t.tolist()
    assert [type(x) for x in ro] == [type(x) for x in rt]
    assert str(ro) == str(rt)
    for i in range(len(rt)):
        assert str(o[i].item()) == str(t[i].item())
        assert type(o[i].item()) is type(t[i].item())


REPRS = [
    lambda m, d: m.tensor([1, 2, 3]).to(d),
    lambda m, d: m.zeros(2, 3, dtype=d),
    lambda m, d: m.tensor([[1.5, 2.25], [1e-3, 3]]).to(d),
    # through a strided source: torch's contiguous float -> uint32 cast is vectorised and differs for
    # out-of-range values (see test_conversion_pairs)
    lambda m, d: m.tensor([[v, v] for v in [0.1, 448, 500, 1e6, -1e6, float("inf"), float("-inf"), float("nan"), -0.0,
                                              1e-5]])[:, 0].to(d),
    lambda m, d: m.tensor(7).to(d),
    lambda m, d: m.tensor([], dtype=d),
    lambda m, d: m.ones(1200).to(d),
    lambda m, d: m.tensor([[1, 20000], [3, 4]]).to(d),
    lambda m, d: m.tensor([2 ** 40, 5]).to(d),
]


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("k", range(len(REPRS)))
def test_repr(name, k):
    o, t = REPRS[k](ot, O(name)), REPRS[k](torch, T(name))
    assert repr(o) == repr(t)
    assert str(o) == str(t)


def test_repr_uint64_extremes():
    t = torch.tensor([2 ** 64 - 1, 2 ** 63, 5], dtype=torch.uint64)
    o = ot.tensor([2 ** 64 - 1, 2 ** 63, 5], dtype=ot.uint64)
    assert repr(o) == repr(t)
    assert o.tolist() == t.tolist()
    assert o[0].item() == 2 ** 64 - 1
    same(o.to(ot.float64), t.to(torch.float64))
    same(o.to(ot.float32), t.to(torch.float32))
    same(o.to(ot.int64), t.to(torch.int64))


# ---------------------------------------------------------------------------------------------
# Views, indexing, copies, comparisons


def _mk(m, name):
    return m.tensor([[1, 2, 3], [4, 5, 6]]).to(getattr(m, name))


VIEW_OPS = {
    "transpose": lambda m, x: x.t(),
    "contiguous": lambda m, x: x.t().contiguous(),
    "clone": lambda m, x: x.t().clone(),
    "reshape": lambda m, x: x.reshape(3, 2),
    "slice": lambda m, x: x[:, 1:],
    "index_int": lambda m, x: x[1],
    "index_tensor": lambda m, x: x[m.tensor([1, 0])],
    "masked_select": lambda m, x: x[m.tensor([[True, False, True], [False, True, True]])],
    "expand": lambda m, x: x[:1].expand(3, 3),
    "cat": lambda m, x: m.cat([x, x], 1),
    "stack": lambda m, x: m.stack([x, x]),
    "flatten": lambda m, x: x.t().flatten(),
    "unsqueeze": lambda m, x: x.unsqueeze(0),
    "squeeze": lambda m, x: x[:1].squeeze(0),
    "narrow": lambda m, x: x.narrow(1, 1, 2),
    "chunk": lambda m, x: m.cat(x.chunk(3, 1)),
    "view_u8": lambda m, x: x.view(m.uint8),
    "copy_": lambda m, x: m.zeros(2, 3, dtype=x.dtype).copy_(x.t().t()),
    "copy_from_f32": lambda m, x: x.clone().copy_(m.full((2, 3), 2.5)),
    "setitem": lambda m, x: _setitem(x.clone()),
    "where": lambda m, x: m.where(m.tensor([[True, False, True]]), x, x.t().contiguous().t()),
    "cat_mixed": lambda m, x: m.cat([x, m.ones(2, 3)]),
    "eq": lambda m, x: x == x.t().contiguous().t(),
    "ne_scalar": lambda m, x: x != 2,
    "eq_scalar": lambda m, x: x == 2,
    "equal": lambda m, x: m.equal(x, x.clone()),
    "roll": lambda m, x: x.roll(1),
    "repeat": lambda m, x: x.repeat(2, 1),
    "flip": lambda m, x: x.flip(0),
    "detach": lambda m, x: x.detach(),
}


def _setitem(x):
    x[0, 1] = 3
    return x


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("op", sorted(VIEW_OPS))
def test_views_and_copies(name, op):
    both(lambda m: VIEW_OPS[op](m, _mk(m, name)))


@pytest.mark.parametrize("name", NEW)
def test_views_share_storage(name):
    x = _mk(ot, name)
    v = x.t()
    assert v.data_ptr() == x.data_ptr()
    assert x[1].data_ptr() == x.data_ptr() + 3 * x.element_size()
    assert x.clone().data_ptr() != x.data_ptr()


# ---------------------------------------------------------------------------------------------
# Which ops work, and torch's NotImplementedError for the rest


OPS = {
    "add": lambda m, x: x + x,
    "add_scalar": lambda m, x: x + 1,
    "sub": lambda m, x: x - x,
    "mul": lambda m, x: x * x,
    "mul_scalar": lambda m, x: x * 2,
    "mul_float": lambda m, x: x * 1.5,
    "div": lambda m, x: x / x,
    "floordiv": lambda m, x: x // x,
    "remainder": lambda m, x: x % x,
    "pow": lambda m, x: x ** 2,
    "neg": lambda m, x: -x,
    "abs": lambda m, x: x.abs(),
    "sign": lambda m, x: x.sign(),
    "sqrt": lambda m, x: x.sqrt(),
    "exp": lambda m, x: x.exp(),
    "sin": lambda m, x: x.sin(),
    "reciprocal": lambda m, x: x.reciprocal(),
    "floor": lambda m, x: x.floor(),
    "relu": lambda m, x: m.relu(x),
    "isnan": lambda m, x: x.isnan(),
    "isinf": lambda m, x: x.isinf(),
    "isfinite": lambda m, x: x.isfinite(),
    "lt": lambda m, x: x < x,
    "ge_scalar": lambda m, x: x >= 2,
    "maximum": lambda m, x: m.maximum(x, x),
    "bitand": lambda m, x: x & x,
    "bitnot": lambda m, x: ~x,
    "shift": lambda m, x: x << 1,
    "sum": lambda m, x: x.sum(),
    "sum_dim": lambda m, x: x.sum(0),
    "prod": lambda m, x: x.prod(),
    "mean": lambda m, x: x.mean(),
    "max": lambda m, x: x.max(),
    "amax": lambda m, x: x.amax(1),
    "argmax": lambda m, x: x.argmax(),
    "cumsum": lambda m, x: x.cumsum(1),
    "sort": lambda m, x: x.sort(1),
    "count_nonzero": lambda m, x: x.count_nonzero(),
    "any": lambda m, x: x.any(),
    "all": lambda m, x: x.all(),
    "add_int64": lambda m, x: x + m.ones(3, dtype=m.int64),
    "mul_float32": lambda m, x: x * m.ones(3),
    "eq_int64": lambda m, x: x == m.ones(3, dtype=m.int64),
    "add_other_new": lambda m, x: x * m.ones(3, dtype=m.uint16 if x.dtype != m.uint16 else m.uint32),
}
# Ops where oxytorch succeeds with torch's result but may pick another algorithm's exact bits.
LOOSE = {"div", "sqrt", "exp", "sin", "reciprocal", "mul_float", "mul_float32"}


@pytest.mark.parametrize("name", NEW)
@pytest.mark.parametrize("op", sorted(OPS))
def test_supported_and_unsupported_ops(name, op):
    both(lambda m: OPS[op](m, _mk(m, name)), bits=op not in LOOSE)


# ---------------------------------------------------------------------------------------------
# Type promotion


@pytest.mark.parametrize("a", NEW)
def test_promote_types(a):
    for b in ALL:
        for x, y in ((a, b), (b, a)):
            try:
                r = torch.promote_types(T(x), T(y))
            except RuntimeError as e:
                with pytest.raises(RuntimeError) as eo:
                    ot.promote_types(O(x), O(y))
                assert str(eo.value) == str(e)
                continue
            assert str(ot.promote_types(O(x), O(y))) == str(r)


@pytest.mark.parametrize("a", NEW)
def test_result_type(a):
    for other in (1, 1.5, True, 1j):
        both(lambda m: m.result_type(m.ones(2, dtype=getattr(m, a)), other))
    for b in ("int64", "float32", "float64", "bool", a):
        both(lambda m: m.result_type(m.ones(2, dtype=getattr(m, a)), m.ones(2, dtype=getattr(m, b))))
        both(lambda m: m.result_type(m.ones(2, dtype=getattr(m, a)), m.tensor(1, dtype=getattr(m, b))))


# ---------------------------------------------------------------------------------------------
# Serialization: torch.save / torch.load and safetensors through the real libraries


def _sample_dict(m):
    d = {}
    for n in NEW:
        base = m.tensor([[0.0, 1.0, 3.0], [5.5, 100.0, 448.0]]).to(getattr(m, n)) if n in F8 else \
            m.tensor([[0, 1, 7], [300, 65535, 12]]).to(getattr(m, n))
        d[n] = base
        d[n + "_t"] = base.t()  # a view of the same storage
    d["u64max"] = m.tensor([2 ** 64 - 1, 2 ** 63], dtype=m.uint64)
    d["f32"] = m.ones(2)
    return d


def test_torch_loads_what_oxytorch_saves():
    buf = io.BytesIO()
    ot.save(_sample_dict(ot), buf)
    r = torch.load(io.BytesIO(buf.getvalue()), weights_only=True)
    ref = _sample_dict(torch)
    assert list(r) == list(ref)
    for k in ref:
        assert r[k].dtype == ref[k].dtype and r[k].shape == ref[k].shape and r[k].stride() == ref[k].stride()
        assert tbytes(r[k]) == tbytes(ref[k])
    for n in NEW:
        assert r[n + "_t"].untyped_storage().data_ptr() == r[n].untyped_storage().data_ptr()
    # the pickle uses _rebuild_tensor_v3 with UntypedStorage for the new dtypes
    with __import__("zipfile").ZipFile(io.BytesIO(buf.getvalue())) as z:
        pkl = z.read([n for n in z.namelist() if n.endswith("data.pkl")][0])
    assert b"_rebuild_tensor_v3" in pkl and b"UntypedStorage" in pkl


def test_oxytorch_loads_what_torch_saves(tmp_path):
    p = str(tmp_path / "t.pt")
    ref = _sample_dict(torch)
    torch.save(ref, p)
    o = ot.load(p)
    assert list(o) == list(ref)
    for k in ref:
        same(o[k], ref[k])
    for n in NEW:
        assert o[n + "_t"]._shares_storage(o[n])
    p2 = str(tmp_path / "o.pt")
    ot.save(o, p2)
    back = torch.load(p2, weights_only=True)
    for k in ref:
        assert back[k].dtype == ref[k].dtype and back[k].stride() == ref[k].stride()
        assert tbytes(back[k]) == tbytes(ref[k])


def test_safetensors_bytes_identical_to_reference(tmp_path):
    def tensors(m):
        d = {}
        for i, n in enumerate(ALL):
            if n == "complex128":
                continue
            d[f"t{i}_{n}"] = m.ones(2, 3).to(getattr(m, n)) * 1 if n not in NEW else m.ones(2, 3, dtype=getattr(m, n))
        d["z_u64"] = m.tensor([2 ** 64 - 1], dtype=m.uint64)
        d["a_f8"] = m.tensor([0.5, -448.0]).to(m.float8_e4m3fn)
        return d

    data = st.save(tensors(ot), metadata={"format": "pt"})
    ref = sref.save(tensors(torch), metadata={"format": "pt"})
    assert data == ref
    f = str(tmp_path / "x.safetensors")
    st.save_file(tensors(ot), f)
    r = sref.load_file(f)
    for k, v in tensors(torch).items():
        assert r[k].dtype == v.dtype and torch.equal(r[k].view(torch.uint8), v.view(torch.uint8))
    sref.save_file(tensors(torch), f)
    o = st.load_file(f)
    for k, v in tensors(torch).items():
        same(o[k], v)


def test_interop_vectors_new_dtypes():
    here = os.path.join(os.path.dirname(__file__), "data", "interop")
    import json

    man = {e["file"]: e for e in json.load(open(os.path.join(here, "manifest.json")))["files"]}
    e = man["st_all_dtypes.safetensors"]
    o = st.load_file(os.path.join(here, "st_all_dtypes.safetensors"))
    assert list(o) == e["order_in_file"]
    for k, info in e["tensors"].items():
        assert str(o[k].dtype) == "torch." + info["torch_dtype"]
        assert list(o[k].shape) == info["shape"]
        assert obytes(o[k]).hex() == info["data_hex"]
    raw = open(os.path.join(here, "st_all_dtypes.safetensors"), "rb").read()
    assert st.save(o, metadata=e["metadata"]) == raw
    e = man["pt_v3_dtypes.pt"]
    o = ot.load(os.path.join(here, "pt_v3_dtypes.pt"))
    items = e["root"]["items"]
    assert list(o) == [k["value"] for k, _ in items]
    for k, v in items:
        t = o[k["value"]]
        assert str(t.dtype) == "torch." + v["dtype"]
        assert list(t.shape) == v["shape"] and list(t.stride()) == v["stride"]
        assert obytes(t).hex() == v["data_hex"]
        if v["dtype"] in UINTS:
            assert t.tolist() == v["values"]
