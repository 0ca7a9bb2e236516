"""dtype objects, the default dtype, torch.device parsing and oxytorch.cuda queries vs PyTorch."""
import copy
import operator
import pickle

import pytest
import torch
from hypothesis import given, strategies as st

import oxytorch as ot
from parity import DTYPE_NAMES, assert_raises_same, assert_same

ALL_DTYPES = DTYPE_NAMES + ["complex32"]

ALIASES = [
    ("float", "float32"), ("double", "float64"), ("half", "float16"),
    ("long", "int64"), ("int", "int32"), ("short", "int16"),
    ("cfloat", "complex64"), ("cdouble", "complex128"), ("chalf", "complex32"),
]


# ---------------------------------------------------------------------------------------------
# dtype objects
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("alias,canonical", ALIASES)
def test_dtype_alias_is_same_object(alias, canonical):
    assert getattr(torch, alias) is getattr(torch, canonical)
    assert getattr(ot, alias) is getattr(ot, canonical)
    assert str(getattr(ot, alias)) == str(getattr(torch, alias))


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_dtype_properties(name):
    o, t = getattr(ot, name), getattr(torch, name)
    assert isinstance(o, ot.dtype)
    assert type(o).__name__ == "dtype"
    assert o.is_floating_point == t.is_floating_point
    assert o.is_complex == t.is_complex
    assert o.is_signed == t.is_signed
    assert o.itemsize == t.itemsize
    assert repr(o) == repr(t) == f"torch.{name}"
    assert str(o) == str(t)


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_dtype_to_real(name):
    assert str(getattr(ot, name).to_real()) == str(getattr(torch, name).to_real())


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_dtype_to_complex(name):
    if name == "bfloat16":
        # torch answers torch.bcomplex32, a dtype oxytorch does not have (documented gap).
        return
    o, t = getattr(ot, name), getattr(torch, name)
    try:
        expected = str(t.to_complex())
    except Exception:  # noqa: BLE001
        assert_raises_same(o.to_complex, t.to_complex)
        return
    assert str(o.to_complex()) == expected


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_dtype_equality_hash_pickle_copy(name):
    o = getattr(ot, name)
    assert o == getattr(ot, name)
    assert {o: 1}[getattr(ot, name)] == 1
    assert pickle.loads(pickle.dumps(o)) is o
    assert copy.deepcopy(o) is o
    assert copy.copy(o) is o
    others = [getattr(ot, n) for n in ALL_DTYPES if n != name]
    assert all(o != x for x in others)
    assert o != str(o)  # torch: dtype == "torch.float32" is False


def test_dtype_distinct_objects():
    objs = [getattr(ot, n) for n in ALL_DTYPES]
    assert len({id(x) for x in objs}) == len(objs)
    assert len(set(objs)) == len(objs)


def test_dtype_cannot_be_instantiated():
    assert_raises_same(lambda: ot.dtype(), lambda: torch.dtype())


@pytest.mark.parametrize("name", ALL_DTYPES)
def test_is_floating_point_is_complex_functions(name):
    o = ot.zeros(2, dtype=getattr(ot, name))
    t = torch.zeros(2, dtype=getattr(torch, name))
    assert ot.is_floating_point(o) == torch.is_floating_point(t)
    assert ot.is_complex(o) == torch.is_complex(t)
    assert o.is_floating_point() == t.is_floating_point()
    assert o.is_complex() == t.is_complex()
    assert o.is_signed() == t.is_signed()
    assert o.element_size() == t.element_size()
    assert o.itemsize == t.itemsize


# ---------------------------------------------------------------------------------------------
# default dtype
# ---------------------------------------------------------------------------------------------

def test_default_dtype_is_float32():
    assert ot.get_default_dtype() is ot.float32
    assert str(ot.get_default_dtype()) == str(torch.get_default_dtype())


DEFAULT_DTYPE_PROBES = {
    "tensor_float": lambda lib: lib.tensor([1.5]),
    "tensor_float_0d": lambda lib: lib.tensor(1.5),
    "tensor_int": lambda lib: lib.tensor([1, 2]),
    "tensor_bool": lambda lib: lib.tensor([True]),
    "tensor_mixed": lambda lib: lib.tensor([1, 2.5]),
    "ones": lambda lib: lib.ones(3),
    "zeros": lambda lib: lib.zeros(2, 2),
    "full_float": lambda lib: lib.full((2,), 1.5),
    "full_int": lambda lib: lib.full((2,), 7),
    "arange_float": lambda lib: lib.arange(0., 3),
    "arange_int": lambda lib: lib.arange(3),
    "linspace": lambda lib: lib.linspace(0, 1, 5),
    "logspace": lambda lib: lib.logspace(0, 1, 3),
    "eye": lambda lib: lib.eye(2),
    "empty_shape": lambda lib: lib.empty(2, 3).zero_(),
}


@pytest.mark.parametrize("default", ["float32", "float64", "float16", "bfloat16"])
@pytest.mark.parametrize("probe", list(DEFAULT_DTYPE_PROBES))
def test_set_default_dtype_effect(default, probe):
    ot.set_default_dtype(getattr(ot, default))
    torch.set_default_dtype(getattr(torch, default))
    assert str(ot.get_default_dtype()) == f"torch.{default}"
    fn = DEFAULT_DTYPE_PROBES[probe]
    assert_same(fn(ot), fn(torch))


@pytest.mark.parametrize("default", ["float32", "float64", "float16", "bfloat16"])
def test_set_default_dtype_complex_literal(default):
    ot.set_default_dtype(getattr(ot, default))
    torch.set_default_dtype(getattr(torch, default))
    try:
        expected = torch.tensor([1 + 2j])
    except Exception:  # noqa: BLE001
        assert_raises_same(lambda: ot.tensor([1 + 2j]), lambda: torch.tensor([1 + 2j]))
        return
    assert_same(ot.tensor([1 + 2j]), expected)


@pytest.mark.parametrize("default", ["float32", "float64", "float16", "bfloat16"])
def test_set_default_dtype_random(default):
    ot.set_default_dtype(getattr(ot, default))
    torch.set_default_dtype(getattr(torch, default))
    for fn in (lambda lib: lib.rand(3), lambda lib: lib.randn(3)):
        assert str(fn(ot).dtype) == str(fn(torch).dtype)


@pytest.mark.parametrize("name", ["int64", "int32", "bool", "uint8", "complex64", "complex128"])
def test_set_default_dtype_rejects_non_float(name):
    assert_raises_same(lambda: ot.set_default_dtype(getattr(ot, name)),
                       lambda: torch.set_default_dtype(getattr(torch, name)))
    assert ot.get_default_dtype() is ot.float32


def test_set_default_dtype_rejects_string():
    assert_raises_same(lambda: ot.set_default_dtype("float32"),
                       lambda: torch.set_default_dtype("float32"))


def test_set_default_dtype_restores():
    ot.set_default_dtype(ot.float64)
    assert ot.get_default_dtype() is ot.float64
    ot.set_default_dtype(ot.float32)
    assert ot.get_default_dtype() is ot.float32
    assert str(ot.tensor([1.5]).dtype) == "torch.float32"


# ---------------------------------------------------------------------------------------------
# device
# ---------------------------------------------------------------------------------------------

GOOD_DEVICE_STRINGS = ["cpu", "cuda", "cuda:0", "cuda:1", "cuda:15", "cuda:127", "cpu:0", "cpu:1", "meta",
                       "meta:0", "mps"]
BAD_DEVICE_STRINGS = ["", "gpu", "CUDA", "Cpu", "cuda:-1", "cpu:x", "cuda:1:2", "cuda: 1", "cuda:01",
                      " cuda", "cuda ", "cuda:1 ", "cuda:+1", ":0", "cuda:", "cuda0", "cuda-1"]


@pytest.mark.parametrize("s", GOOD_DEVICE_STRINGS)
def test_device_parse(s):
    o, t = ot.device(s), torch.device(s)
    assert isinstance(o, ot.device)
    assert o.type == t.type
    assert o.index == t.index
    assert repr(o) == repr(t)
    assert str(o) == str(t)


@pytest.mark.parametrize("s", BAD_DEVICE_STRINGS)
def test_device_bad_string_same_exception(s):
    assert_raises_same(lambda: ot.device(s), lambda: torch.device(s))


DEVICE_ARGS = [
    (("cuda", 0), {}), (("cuda", 3), {}), (("cpu", 0), {}), (("cpu", None), {}),
    ((1,), {}), ((0,), {}), ((), {"type": "cuda", "index": 2}), ((), {"type": "cpu"}),
]


@pytest.mark.parametrize("args,kwargs", DEVICE_ARGS)
def test_device_constructor_forms(args, kwargs):
    o, t = ot.device(*args, **kwargs), torch.device(*args, **kwargs)
    assert repr(o) == repr(t)
    assert (o.type, o.index) == (t.type, t.index)


BAD_DEVICE_ARGS = [
    ("cuda", -1), (-1,), ("cuda:1", 0), (None,), (1.0,), (True,), ([0],), ("cpu", "0"), ("cuda", 1.5),
]


@pytest.mark.parametrize("args", BAD_DEVICE_ARGS, ids=repr)
def test_device_bad_constructor_same_exception(args):
    assert_raises_same(lambda: ot.device(*args), lambda: torch.device(*args))


def test_device_from_device():
    for s in ["cpu", "cuda:2", "cuda"]:
        assert ot.device(ot.device(s)) == ot.device(s)
        assert repr(ot.device(ot.device(s))) == repr(torch.device(torch.device(s)))


def test_device_equality_and_hash():
    for lib in (ot, torch):
        d = lib.device
        assert d("cuda:0") == d("cuda", 0)
        assert d("cuda") != d("cuda:0")
        assert d("cuda:1") != d("cuda:2")
        assert d("cpu") != d("cuda")
        assert hash(d("cuda:1")) == hash(d("cuda", 1))
        assert len({d("cpu"), d("cpu"), d("cuda"), d("cuda:0"), d("cuda", 0)}) == 3
        assert (d("cpu") == "cpu") is False
    assert_raises_same(lambda: ot.device("cpu") < ot.device("cuda"),
                       lambda: torch.device("cpu") < torch.device("cuda"))


def test_device_type_index_attributes():
    o = ot.device("cuda:3")
    assert o.type == "cuda" and o.index == 3 and type(o.index) is int
    assert ot.device("cpu").index is None
    assert_raises_same(lambda: setattr(ot.device("cpu"), "type", "cuda"),
                       lambda: setattr(torch.device("cpu"), "type", "cuda"))
    assert_raises_same(lambda: operator.index(ot.device("cuda:1")),
                       lambda: operator.index(torch.device("cuda:1")))


def test_device_pickle_copy():
    for s in ["cpu", "cuda:1", "cuda"]:
        d = ot.device(s)
        assert pickle.loads(pickle.dumps(d)) == d
        assert copy.deepcopy(d) == d


# torch stores the index as int8, so only 0..127 are meaningful indices.
@given(st.sampled_from(["cuda", "meta"]), st.one_of(st.none(), st.integers(0, 127)))
def test_device_roundtrip_property(kind, index):
    s = kind if index is None else f"{kind}:{index}"
    o, t = ot.device(s), torch.device(s)
    assert repr(o) == repr(t)
    assert ot.device(str(o)) == o
    assert ot.device(o.type, o.index) == o


def test_tensor_device_attribute():
    o = ot.zeros(2)
    assert o.device == ot.device("cpu")
    assert repr(o.device) == repr(torch.zeros(2).device)
    assert o.is_cpu and not o.is_cuda
    assert o.get_device() == torch.zeros(2).get_device() == -1
    assert ot.zeros(2, device="cpu").device.type == "cpu"
    assert ot.zeros(2, device=ot.device("cpu")).device.type == "cpu"
    assert ot.zeros(2, device="cpu:0").device.type == "cpu"


# ---------------------------------------------------------------------------------------------
# oxytorch.cuda without a GPU
# ---------------------------------------------------------------------------------------------

def test_cuda_queries_match_torch():
    assert ot.cuda.is_available() == torch.cuda.is_available()
    assert ot.cuda.device_count() == torch.cuda.device_count()


def test_cuda_availability_agrees_with_torch():
    # CI has no GPU; on a GPU machine both libraries see the same devices.
    assert ot.cuda.is_available() is torch.cuda.is_available()
    assert ot.cuda.device_count() == torch.cuda.device_count()


CUDA_MOVES = {
    "to_str": lambda lib: lib.ones(2).to("cuda"),
    "to_str_index": lambda lib: lib.ones(2).to("cuda:0"),
    "to_device": lambda lib: lib.ones(2).to(lib.device("cuda")),
    "to_device_dtype": lambda lib: lib.ones(2).to("cuda", lib.float64),
    "to_kw": lambda lib: lib.ones(2).to(device="cuda"),
    "cuda_method": lambda lib: lib.ones(2).cuda(),
    "factory_ones": lambda lib: lib.ones(2, device="cuda"),
    "factory_zeros": lambda lib: lib.zeros(2, device="cuda:0"),
    "factory_tensor": lambda lib: lib.tensor([1, 2], device="cuda"),
    "factory_arange": lambda lib: lib.arange(3, device="cuda"),
    "factory_empty": lambda lib: lib.empty(3, device=lib.device("cuda")),
    "factory_rand": lambda lib: lib.rand(3, device="cuda"),
    "current_device": lambda lib: lib.cuda.current_device(),
}


@pytest.mark.parametrize("case", list(CUDA_MOVES))
def test_cuda_move_raises_runtime_error_without_gpu(case):
    fn = CUDA_MOVES[case]
    if torch.cuda.is_available():
        o, t = fn(ot), fn(torch)
        if isinstance(t, torch.Tensor):
            assert o.is_cuda and str(o.device) == str(t.device) == "cuda:0"
            assert o.cpu().tolist() == t.cpu().tolist() or case == "factory_empty" or case == "factory_rand"
        else:
            assert o == t
        return
    o_exc, _ = assert_raises_same(lambda: fn(ot), lambda: fn(torch))
    assert isinstance(o_exc, RuntimeError)
