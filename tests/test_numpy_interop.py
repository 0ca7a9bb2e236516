"""NumPy and DLPack interop: zero-copy sharing both ways, strides, dtype mapping and errors."""
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import oxytorch as ot
from parity import (DTYPE_NAMES, LAYOUT_NAMES, NUMPY_DTYPE_NAMES, assert_raises_same, assert_same,
                    layout_pair, make_pair, odt, tdt)

NP_DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64",
             "complex64", "complex128"]


def _addr(a):
    return a.__array_interface__["data"][0]


# ---------------------------------------------------------------------------------------------
# from_numpy: zero copy, strides, dtype mapping
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("np_dtype", NP_DTYPES)
def test_from_numpy_dtype_mapping(np_dtype):
    a = (np.arange(6) % 3).astype(np_dtype).reshape(2, 3)
    o, t = ot.from_numpy(a), torch.from_numpy(a)
    assert str(o.dtype) == str(t.dtype)
    assert_same(o, t)
    assert o.numpy().dtype == a.dtype == t.numpy().dtype


@pytest.mark.parametrize("np_dtype", NP_DTYPES)
def test_from_numpy_shares_memory_both_ways(np_dtype):
    a = np.zeros(4, dtype=np_dtype)
    o = ot.from_numpy(a)
    assert o.data_ptr() == _addr(a)
    a[1] = 1
    assert o[1].item() == 1
    o[2] = 1
    assert a[2] == 1
    o.fill_(1)
    assert (a == 1).all()
    o.copy_(ot.zeros(4, dtype=o.dtype))
    assert (a == 0).all()


NONCONTIG = {
    "transposed": lambda a: a.T,
    "col_slice": lambda a: a[:, 1],
    "row_step": lambda a: a[::2],
    "col_step": lambda a: a[:, ::3],
    "both_step": lambda a: a[::2, 1::2],
    "offset": lambda a: a[1:, 2:],
    "permuted_3d": lambda a: a.reshape(2, 3, 4).transpose(2, 0, 1),
    "broadcast_zero_stride": lambda a: np.broadcast_to(a[0, :4], (3, 4)),
    "newaxis": lambda a: a[None, 1, :, None],
    "empty_slice": lambda a: a[:, :0],
    "empty_rows": lambda a: a[3:3],
    "zero_d": lambda a: a[1:2, 2:3].reshape(()),
    "reinterpret_view": lambda a: a[1:].view(np.float32)[:, 1:],
}


@pytest.mark.parametrize("case", list(NONCONTIG))
def test_from_numpy_noncontiguous(case):
    base = np.arange(24, dtype=np.float64).reshape(4, 6)
    a = NONCONTIG[case](base)
    o, t = ot.from_numpy(a), torch.from_numpy(a)
    assert_same(o, t)
    assert o.storage_offset() == t.storage_offset()
    assert o.is_contiguous() == t.is_contiguous()
    if a.size:
        assert o.data_ptr() == t.data_ptr() == _addr(a)


@pytest.mark.parametrize("case", ["transposed", "col_slice", "row_step", "both_step", "offset", "permuted_3d"])
def test_from_numpy_noncontiguous_shares_memory(case):
    base = np.arange(24, dtype=np.float32).reshape(4, 6)
    a = NONCONTIG[case](base)
    o = ot.from_numpy(a)
    idx = (0,) * a.ndim
    a[idx] = -7
    assert o[idx].item() == -7
    o[idx] = 42
    assert a[idx] == 42
    assert base.reshape(-1)[np.argmax(base.reshape(-1) == 42)] == 42


def test_from_numpy_negative_stride_raises_value_error():
    for a in (np.arange(4)[::-1], np.arange(12).reshape(3, 4)[:, ::-1], np.arange(12).reshape(3, 4)[::-1]):
        o_exc, _ = assert_raises_same(lambda: ot.from_numpy(a), lambda: torch.from_numpy(a))
        assert isinstance(o_exc, ValueError)
        assert_raises_same(lambda: ot.as_tensor(a), lambda: torch.as_tensor(a))
    # torch.tensor() rejects them too
    a = np.arange(4)[::-1]
    assert_raises_same(lambda: ot.tensor(a), lambda: torch.tensor(a))


FROM_NUMPY_ERRORS = {
    "big_endian": lambda lib: lib.from_numpy(np.arange(3, dtype=">f4")),
    "longdouble": lambda lib: lib.from_numpy(np.array([1, 2], dtype=np.longdouble)),
    "object": lambda lib: lib.from_numpy(np.array([1, "a"], dtype=object)),
    "string": lambda lib: lib.from_numpy(np.array(["a", "b"])),
    "datetime": lambda lib: lib.from_numpy(np.array(["2020-01-01"], dtype="datetime64[D]")),
    "np_scalar": lambda lib: lib.from_numpy(np.float64(1.0)),
    "list": lambda lib: lib.from_numpy([1.0]),
    "tensor": lambda lib: lib.from_numpy(lib.ones(2)),
}


@pytest.mark.parametrize("case", list(FROM_NUMPY_ERRORS))
def test_from_numpy_errors_same_exception(case):
    fn = FROM_NUMPY_ERRORS[case]
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


def test_from_numpy_readonly_warns():
    a = np.ones(3)
    a.flags.writeable = False
    with pytest.warns(UserWarning, match="not writable"):
        o = ot.from_numpy(a)
    assert o.tolist() == [1.0, 1.0, 1.0]


def test_from_numpy_0d_and_empty():
    for a in (np.array(5.0), np.array(True), np.zeros((0,)), np.zeros((2, 0), dtype=np.int32), np.zeros((0, 3, 0))):
        assert_same(ot.from_numpy(a), torch.from_numpy(a))


def test_from_numpy_keeps_array_alive():
    o = ot.from_numpy(np.arange(1000, dtype=np.float64))
    import gc
    gc.collect()
    assert o[999].item() == 999.0
    assert o[:3].tolist() == [0.0, 1.0, 2.0]


# ---------------------------------------------------------------------------------------------
# Tensor.numpy(), np.asarray(tensor), __array__, __array_interface__
# ---------------------------------------------------------------------------------------------

def test_seed_example_numpy_shares_memory():
    x = ot.ones(2)
    y = x.numpy()
    x[0] = 2
    assert y.tolist() == [2.0, 1.0]
    xt = torch.ones(2)
    yt = xt.numpy()
    xt[0] = 2
    assert y.tolist() == yt.tolist()
    y[1] = 5
    assert x.tolist() == [2.0, 5.0]
    x.fill_(3)
    assert y.tolist() == [3.0, 3.0]
    x.copy_(ot.tensor([7.0, 8.0]))
    assert y.tolist() == [7.0, 8.0]


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", NUMPY_DTYPE_NAMES)
def test_numpy_method(name, layout):
    o, t = layout_pair(name, layout)
    no, nt = o.numpy(), t.numpy()
    assert no.dtype == nt.dtype
    assert no.shape == nt.shape
    if nt.size:  # strides of zero-size arrays are checked once, in test_numpy_strides_of_empty_tensors
        assert no.strides == nt.strides
    np.testing.assert_array_equal(no, nt)
    if o.numel():
        assert _addr(no) == o.data_ptr()
    assert no.flags.writeable


@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "column", "step2", "permute", "zero_d"])
def test_numpy_view_writes_through(layout):
    o, t = layout_pair("int32", layout)
    no, nt = o.numpy(), t.numpy()
    idx = (0,) * no.ndim
    no[idx] = -99
    nt[idx] = -99
    assert_same(o, t)
    o[idx] = 77
    assert no[idx] == 77


@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "column", "zero_d", "empty_2d"])
@pytest.mark.parametrize("name", NUMPY_DTYPE_NAMES)
def test_np_asarray_shares_memory(name, layout):
    o, t = layout_pair(name, layout)
    ao, at = np.asarray(o), np.asarray(t)
    assert ao.dtype == at.dtype and ao.shape == at.shape
    assert ao.strides == at.strides or at.size == 0
    np.testing.assert_array_equal(ao, at)
    if o.numel():
        assert _addr(ao) == o.data_ptr()


ARRAY_CASES = {
    "np_array_copies": lambda lib, x: np.array(x),
    "np_array_dtype": lambda lib, x: np.array(x, dtype=np.float64),
    "asarray_dtype": lambda lib, x: np.asarray(x, dtype=np.int16),
    "dunder_array": lambda lib, x: x.__array__(),
    "dunder_array_dtype": lambda lib, x: x.__array__(np.float64),
    "np_asarray_transposed": lambda lib, x: np.asarray(x.t()),
}


@pytest.mark.parametrize("case", list(ARRAY_CASES))
def test_array_protocol(case):
    fn = ARRAY_CASES[case]
    o, t = make_pair("float32", (3, 4), seed=1)
    ro, rt = fn(ot, o), fn(torch, t)
    assert ro.dtype == rt.dtype and ro.shape == rt.shape
    np.testing.assert_array_equal(ro, rt)
    if case == "np_array_copies":
        assert _addr(ro) != o.data_ptr()
        ro[0, 0] = 1000
        assert o[0, 0].item() != 1000


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3), (2, 0, 3)], ids=str)
def test_numpy_strides_of_empty_tensors(shape):
    o, t = ot.zeros(shape), torch.zeros(shape)
    assert o.numpy().strides == t.numpy().strides
    assert np.asarray(o).strides == np.asarray(t).strides


def test_np_asarray_copy_true_copies():
    o = ot.arange(3.0)
    a = np.asarray(o, copy=True)
    a[0] = 9
    assert o[0].item() == 0.0


@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "column", "step2", "offset_slice",
                                    "zero_d", "empty_2d"])
@pytest.mark.parametrize("name", NUMPY_DTYPE_NAMES)
def test_array_interface(name, layout):
    o, t = layout_pair(name, layout)
    ai = o.__array_interface__
    ref = t.numpy().__array_interface__
    assert ai["version"] == 3
    assert tuple(ai["shape"]) == tuple(ref["shape"])
    assert ai["typestr"] == ref["typestr"]
    assert ai["data"][0] == o.data_ptr() or o.numel() == 0
    assert ai["data"][1] is False
    strides = ai.get("strides")
    expected = t.numpy().strides
    if strides is None:
        assert t.is_contiguous()
    elif t.numel():
        assert tuple(strides) == tuple(expected)
    # numpy understands it the same way
    view = np.asarray(type("A", (), {"__array_interface__": ai, "_keep": o})())
    np.testing.assert_array_equal(view, t.numpy())


NUMPY_ERRORS = {
    "bfloat16": lambda lib: lib.zeros(2, dtype=lib.bfloat16).numpy(),
    "complex32": lambda lib: lib.zeros(2, dtype=lib.complex32).numpy(),
    "requires_grad": lambda lib: lib.ones(2, requires_grad=True).numpy(),
    "asarray_requires_grad": lambda lib: np.asarray(lib.ones(2, requires_grad=True)),
    "bfloat16_asarray": lambda lib: np.asarray(lib.zeros(2, dtype=lib.bfloat16)),
}


@pytest.mark.parametrize("case", list(NUMPY_ERRORS))
def test_numpy_errors_same_exception(case):
    fn = NUMPY_ERRORS[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_same(lambda: fn(ot), lambda: fn(torch))


def test_bfloat16_numpy_raises_type_error():
    with pytest.raises(TypeError):
        ot.zeros(2, dtype=ot.bfloat16).numpy()


def test_requires_grad_numpy_message_matches_torch():
    o_exc, t_exc = assert_raises_same(lambda: ot.ones(2, requires_grad=True).numpy(),
                                      lambda: torch.ones(2, requires_grad=True).numpy(),
                                      check_message=True)
    assert isinstance(o_exc, RuntimeError)


def test_numpy_force_and_detach():
    o, t = ot.ones(2, requires_grad=True), torch.ones(2, requires_grad=True)
    np.testing.assert_array_equal(o.numpy(force=True), t.numpy(force=True))
    np.testing.assert_array_equal(o.detach().numpy(), t.detach().numpy())
    d = o.detach()
    assert d.data_ptr() == o.data_ptr()
    assert d.requires_grad is False


# ---------------------------------------------------------------------------------------------
# DLPack
# ---------------------------------------------------------------------------------------------

def test_dlpack_device():
    o, t = ot.ones(2), torch.ones(2)
    assert tuple(int(v) for v in o.__dlpack_device__()) == tuple(int(v) for v in t.__dlpack_device__())


@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "column", "step2", "offset_slice", "zero_d",
                                    "empty_2d", "permute"])
@pytest.mark.parametrize("name", NUMPY_DTYPE_NAMES)
def test_np_from_dlpack(name, layout):
    o, t = layout_pair(name, layout)
    a = np.from_dlpack(o)
    ref = np.from_dlpack(t)
    assert a.dtype == ref.dtype and a.shape == ref.shape
    assert a.strides == ref.strides or ref.size == 0
    np.testing.assert_array_equal(a, ref)
    if o.numel():
        assert _addr(a) == o.data_ptr()


def test_np_from_dlpack_shares_memory():
    o = ot.zeros(3)
    a = np.from_dlpack(o)
    o[0] = 5
    assert a[0] == 5.0


@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "column", "step2", "offset_slice", "zero_d",
                                    "empty_2d", "permute"])
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_torch_from_dlpack_of_oxytorch(name, layout):
    o, t = layout_pair(name, layout)
    r = torch.from_dlpack(o)
    assert str(r.dtype) == str(t.dtype)
    assert tuple(r.shape) == tuple(t.shape)
    assert r.stride() == t.stride()
    torch.testing.assert_close(r, t, equal_nan=True, rtol=0, atol=0)
    if o.numel():
        assert r.data_ptr() == o.data_ptr()


@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "column", "step2", "offset_slice", "zero_d",
                                    "empty_2d", "permute"])
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_oxytorch_from_dlpack_of_torch(name, layout):
    o, t = layout_pair(name, layout)
    r = ot.from_dlpack(t)
    assert_same(r, t)
    if t.numel():
        assert r.data_ptr() == t.data_ptr()


def test_dlpack_sharing_with_torch_both_ways():
    o = ot.zeros(4)
    t = torch.from_dlpack(o)
    t[1] = 3.0
    assert o[1].item() == 3.0
    o[2] = 4.0
    assert t[2].item() == 4.0

    t2 = torch.zeros(2, 3)
    o2 = ot.from_dlpack(t2)
    o2[1, 2] = 8.0
    assert t2[1, 2].item() == 8.0
    t2[0, 0] = -1.0
    assert o2[0, 0].item() == -1.0


def test_dlpack_round_trips():
    o = ot.arange(6).reshape(2, 3).t()
    back = ot.from_dlpack(torch.from_dlpack(o))
    assert_same(back, torch.arange(6).reshape(2, 3).t())
    assert back.data_ptr() == o.data_ptr()
    a = np.arange(5, dtype=np.int16)[::2]
    o = ot.from_dlpack(a)
    assert_same(o, torch.from_dlpack(a))
    assert o.data_ptr() == _addr(a)
    o[0] = 100
    assert a[0] == 100


def test_from_dlpack_capsule():
    o = ot.from_dlpack(torch.arange(3).__dlpack__())
    assert_same(o, torch.arange(3))
    t = torch.from_dlpack(ot.arange(3).__dlpack__())
    assert t.tolist() == [0, 1, 2]


DLPACK_ERRORS = {
    "requires_grad_export": lambda lib: lib.ones(2, requires_grad=True).__dlpack__(),
    "requires_grad_from": lambda lib: lib.from_dlpack(lib.ones(2, requires_grad=True)),
    "np_from_dlpack_requires_grad": lambda lib: np.from_dlpack(lib.ones(2, requires_grad=True)),
    "np_from_dlpack_bfloat16": lambda lib: np.from_dlpack(lib.zeros(2, dtype=lib.bfloat16)),
    "from_dlpack_list": lambda lib: lib.from_dlpack([1, 2]),
}


@pytest.mark.parametrize("case", list(DLPACK_ERRORS))
def test_dlpack_errors_same_exception(case):
    fn = DLPACK_ERRORS[case]
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


# ---------------------------------------------------------------------------------------------
# property round trips
# ---------------------------------------------------------------------------------------------

_np_dtypes = st.sampled_from([np.bool_, np.uint8, np.int8, np.int16, np.int32, np.int64, np.float16,
                              np.float32, np.float64, np.complex64, np.complex128])


@settings(max_examples=100, deadline=None)
@given(hnp.arrays(dtype=_np_dtypes, shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)))
def test_numpy_tensor_numpy_roundtrip(a):
    o = ot.from_numpy(a)
    t = torch.from_numpy(a)
    assert_same(o, t, exact=True)
    back = o.numpy()
    assert back.dtype == a.dtype and back.shape == a.shape
    np.testing.assert_array_equal(back, a)
    copied = ot.tensor(a)
    assert_same(copied, torch.tensor(a), exact=True)
    np.testing.assert_array_equal(copied.numpy(), a)


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(dtype=_np_dtypes, shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5)),
       st.data())
def test_numpy_strided_roundtrip(a, data):
    # random positive-step slicing and a random axis permutation
    sl = tuple(slice(data.draw(st.integers(0, n - 1)), None, data.draw(st.integers(1, 3))) for n in a.shape)
    perm = data.draw(st.permutations(range(a.ndim)))
    v = a[sl].transpose(perm)
    o, t = ot.from_numpy(v), torch.from_numpy(v)
    assert_same(o, t, exact=True)
    np.testing.assert_array_equal(o.numpy(), v)
    assert o.numpy().strides == v.strides


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 4), max_size=3), st.sampled_from(DTYPE_NAMES))
def test_tensor_numpy_tensor_roundtrip(shape, name):
    o, t = make_pair(name, tuple(shape), seed=len(shape))
    if name == "bfloat16":
        mid = o.to(ot.float32).numpy()
        back = ot.from_numpy(mid).to(ot.bfloat16)
    else:
        mid = o.numpy()
        back = ot.from_numpy(mid)
        assert back.data_ptr() == o.data_ptr() or o.numel() == 0
    # torch's own round trip is the reference (empty arrays come back with NumPy's zero strides).
    t_back = torch.from_numpy(t.float().numpy()).to(torch.bfloat16) if name == "bfloat16" else torch.from_numpy(t.numpy())
    assert_same(back, t_back, exact=True)


def test_as_tensor_of_numpy_scalars_keeps_its_buffer():
    # A NumPy scalar's buffer lives in a temporary array owned by its __array_interface__ dict;
    # the tensor must keep it alive (this used to read freed memory).
    import gc

    ts = [ot.as_tensor(np.int32(i)) for i in range(50)]
    fs = [ot.as_tensor(np.float64(i) / 3) for i in range(50)]
    gc.collect()
    junk = [np.arange(8, dtype=np.int64) * 7 for _ in range(200)]
    assert [t.item() for t in ts] == list(range(50)) and all(t.dtype == ot.int32 for t in ts)
    assert [f.item() for f in fs] == [i / 3 for i in range(50)] and all(f.dtype == ot.float64 for f in fs)
    del junk
