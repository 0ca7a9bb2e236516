"""repr/str of real oxytorch tensors, Size, dtype and device, identical to PyTorch's."""
import warnings

import numpy as np
import pytest
import torch

import oxytorch as ot
from parity import DTYPE_NAMES, LAYOUT_NAMES, layout_pair, make_pair, odt, tdt

pytestmark = pytest.mark.filterwarnings("ignore:ComplexHalf support is experimental")


def check_repr(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        o, t = fn(ot), fn(torch)
    assert repr(o) == repr(t), f"\noxytorch:\n{o!r}\ntorch:\n{t!r}"
    assert str(o) == str(t)


def test_acceptance_example():
    o = ot.tensor([[5.5, 3], [2, 3]], dtype=ot.float32)
    t = torch.tensor([[5.5, 3], [2, 3]], dtype=torch.float32)
    assert repr(o) == repr(t) == "tensor([[5.5000, 3.0000],\n        [2.0000, 3.0000]])"
    assert str(o) == str(t)


CASES = {
    # integers and bools
    "int_1d": lambda lib: lib.tensor([1, 2, 3]),
    "int_neg": lambda lib: lib.tensor([-1, 20, -300]),
    "int_big": lambda lib: lib.tensor([2**62, -2**63]),
    "int_2d": lambda lib: lib.arange(12).reshape(3, 4),
    "int_3d": lambda lib: lib.arange(24).reshape(2, 3, 4),
    "int32": lambda lib: lib.tensor([1, 2], dtype=lib.int32),
    "int16": lambda lib: lib.tensor([1, -2], dtype=lib.int16),
    "int8": lambda lib: lib.tensor([127, -128], dtype=lib.int8),
    "uint8": lambda lib: lib.tensor([0, 255], dtype=lib.uint8),
    "bool": lambda lib: lib.tensor([True, False, True]),
    "bool_2d": lambda lib: lib.tensor([[True], [False]]),
    # floats
    "float_simple": lambda lib: lib.tensor([1.0, 2.0, 3.0]),
    "float_frac": lambda lib: lib.tensor([1.5, 2.25, -3.125]),
    "float_int_valued": lambda lib: lib.tensor([1.0, -2.0, 100.0]),
    "float_sci_big": lambda lib: lib.tensor([1e10, 1.0]),
    "float_sci_small": lambda lib: lib.tensor([1e-5, 1.0]),
    "float_sci_both": lambda lib: lib.tensor([1e-8, 1e8]),
    "float_tiny": lambda lib: lib.tensor([1e-40]),
    "float_nan_inf": lambda lib: lib.tensor([float("nan"), float("inf"), -float("inf"), 1.5]),
    "float_all_nan": lambda lib: lib.tensor([float("nan"), float("nan")]),
    "float_neg_zero": lambda lib: lib.tensor([-0.0, 0.0]),
    "float_2d": lambda lib: lib.tensor([[0.0, 1 / 3, 2 / 3], [1.0, 4 / 3, 5 / 3]]),
    "float_3d": lambda lib: lib.tensor([[[1.5, 2.0], [3.0, 4.0]], [[5.0, 6.0], [7.0, 8.25]]]),
    "float64": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.float64),
    "float64_precise": lambda lib: lib.tensor([1 / 3, 2 / 3], dtype=lib.float64),
    "float16": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.float16),
    "float16_max": lambda lib: lib.tensor([65504.0, -1.0], dtype=lib.float16),
    "bfloat16": lambda lib: lib.tensor([1.5, 2.0], dtype=lib.bfloat16),
    "bfloat16_rounded": lambda lib: lib.tensor([1 / 3, 3.14159], dtype=lib.bfloat16),
    "float_wide": lambda lib: lib.tensor([123456.789, 0.001]),
    "float_line_wrap": lambda lib: lib.linspace(0, 1, 30),
    # complex
    "complex64": lambda lib: lib.tensor([1 + 2j, -3.5 - 1j]),
    "complex128": lambda lib: lib.tensor([1 + 2j, 0.5j], dtype=lib.complex128),
    "complex_int_valued": lambda lib: lib.tensor([1 + 1j, 2 - 2j]),
    "complex_nan": lambda lib: lib.tensor([complex(float("nan"), 1), complex(1, float("inf"))]),
    "complex_sci": lambda lib: lib.tensor([1e10 + 1j, 1e-10j]),
    "complex_2d": lambda lib: lib.tensor([[1j, 2], [3, 4 + 0.5j]]),
    "complex32": lambda lib: lib.tensor([1 + 2j, 3.5], dtype=lib.complex32),
    # 0-d
    "zero_d_int": lambda lib: lib.tensor(5),
    "zero_d_float": lambda lib: lib.tensor(5.5),
    "zero_d_float_round": lambda lib: lib.tensor(3.0),
    "zero_d_bool": lambda lib: lib.tensor(True),
    "zero_d_complex": lambda lib: lib.tensor(1 + 2j),
    "zero_d_f16": lambda lib: lib.tensor(1.5, dtype=lib.float16),
    "zero_d_u8": lambda lib: lib.tensor(7, dtype=lib.uint8),
    "zero_d_nan": lambda lib: lib.tensor(float("nan")),
    # empty
    "empty_float": lambda lib: lib.tensor([]),
    "empty_2d": lambda lib: lib.zeros(2, 0),
    "empty_0x3": lambda lib: lib.zeros(0, 3),
    "empty_int": lambda lib: lib.zeros(0, dtype=lib.int64),
    "empty_int32": lambda lib: lib.zeros(0, dtype=lib.int32),
    "empty_bool": lambda lib: lib.zeros(0, dtype=lib.bool),
    "empty_f64": lambda lib: lib.zeros(0, 2, dtype=lib.float64),
    "empty_c64": lambda lib: lib.zeros(0, dtype=lib.complex64),
    # large (summarised)
    "large_1d_int": lambda lib: lib.arange(2000),
    "large_1d_float": lambda lib: lib.arange(1001.0),
    "large_2d": lambda lib: lib.arange(40000).reshape(200, 200),
    "large_2d_float": lambda lib: lib.ones(1000, 3),
    "large_3d": lambda lib: lib.zeros(20, 20, 20),
    "large_bool": lambda lib: lib.ones(2000, dtype=lib.bool),
    "large_f16": lambda lib: lib.ones(1500, dtype=lib.float16),
    "at_threshold": lambda lib: lib.arange(1000),
    "over_threshold": lambda lib: lib.arange(1001),
    # autograd suffix
    "requires_grad": lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    "requires_grad_f64": lambda lib: lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True),
    "requires_grad_0d": lambda lib: lib.tensor(1.5, requires_grad=True),
    "requires_grad_empty": lambda lib: lib.zeros(0, requires_grad=True),
    "requires_grad_complex": lambda lib: lib.zeros(2, dtype=lib.complex64, requires_grad=True),
    # views
    "transposed": lambda lib: lib.tensor([[1.5, 2.0, 3.0], [4.0, 5.0, 6.0]]).t(),
    "column": lambda lib: lib.arange(12).reshape(3, 4)[:, 1],
    "stepped": lambda lib: lib.arange(10.0)[::3],
}


@pytest.mark.parametrize("case", list(CASES))
def test_repr_table(case):
    check_repr(CASES[case])


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_repr_dtype_layout_grid(name, layout):
    o, t = layout_pair(name, layout)
    assert repr(o) == repr(t), f"\noxytorch:\n{o!r}\ntorch:\n{t!r}"


@pytest.mark.parametrize("name", DTYPE_NAMES)
@pytest.mark.parametrize("default", ["float64", "float16", "bfloat16"])
def test_repr_under_other_default_dtype(default, name):
    ot.set_default_dtype(getattr(ot, default))
    torch.set_default_dtype(getattr(torch, default))
    o, t = make_pair(name, (2, 2), seed=3)
    assert repr(o) == repr(t)
    check_repr(lambda lib: lib.zeros(0, dtype=getattr(lib, name)))


PRINTOPTIONS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"sci_mode": True},
    {"sci_mode": False},
    {"threshold": 5},
    {"threshold": 5, "edgeitems": 1},
    {"linewidth": 20},
    {"profile": "short"},
    {"profile": "full"},
]


@pytest.mark.parametrize("opts", PRINTOPTIONS, ids=str)
@pytest.mark.parametrize("case", ["float_frac", "float_sci_both", "float_2d", "int_2d", "complex64",
                                  "large_1d_float", "large_2d", "float_line_wrap", "zero_d_float",
                                  "float64_precise", "bfloat16_rounded"])
def test_set_printoptions(case, opts):
    ot.set_printoptions(**opts)
    torch.set_printoptions(**opts)
    check_repr(CASES[case])


def test_set_printoptions_precision_2_and_restore():
    o = ot.tensor([1.23456, 2.5])
    ot.set_printoptions(precision=2)
    assert repr(o) == "tensor([1.23, 2.50])"
    ot.set_printoptions(profile="default")
    assert repr(o) == repr(torch.tensor([1.23456, 2.5])) == "tensor([1.2346, 2.5000])"


def test_printoptions_context_manager():
    o, t = ot.tensor([1.23456]), torch.tensor([1.23456])
    with ot.printoptions(precision=1):
        with torch._tensor_str.printoptions(precision=1):
            assert repr(o) == repr(t) == "tensor([1.2])"
    assert repr(o) == repr(t)


def test_get_printoptions_matches_torch():
    # torch keeps get_printoptions in torch._tensor_str
    assert ot.get_printoptions() == torch._tensor_str.get_printoptions()
    ot.set_printoptions(precision=3, threshold=10)
    torch.set_printoptions(precision=3, threshold=10)
    assert ot.get_printoptions() == torch._tensor_str.get_printoptions()


def test_format_of_0d():
    for v in (2.5, 3, True):
        o, t = ot.tensor(v), torch.tensor(v)
        assert f"{o}" == f"{t}"
        assert format(o, "") == format(t, "")
    assert f"{ot.tensor(2.5):.3f}" == f"{torch.tensor(2.5):.3f}"
    assert f"{ot.tensor([1.5])}" == f"{torch.tensor([1.5])}"


# ---------------------------------------------------------------------------------------------
# Size / dtype / device reprs
# ---------------------------------------------------------------------------------------------

SIZES = [(), (0,), (3,), (2, 3), (1, 1, 1, 1)]


@pytest.mark.parametrize("shape", SIZES, ids=str)
def test_size_repr(shape):
    o, t = ot.zeros(shape).shape, torch.zeros(shape).shape
    assert repr(o) == repr(t)
    assert str(o) == str(t)
    assert repr(ot.Size(shape)) == repr(torch.Size(shape))
    assert o == t == shape
    assert isinstance(o, tuple)


def test_size_behaves_like_torch_size():
    o, t = ot.Size([2, 3, 4]), torch.Size([2, 3, 4])
    assert o.numel() == t.numel()
    assert repr(o[1:]) == repr(t[1:])
    assert type(o[1:]) is ot.Size
    assert o[0] == t[0]
    assert repr(o + (5,)) == repr(t + (5,))
    assert repr((1,) + o) == repr((1,) + t)
    assert repr(o * 2) == repr(t * 2)
    assert hash(o) == hash(tuple(t))
    assert repr(ot.Size()) == repr(torch.Size())
    assert repr(ot.Size([np.int64(2)])) == repr(torch.Size([np.int64(2)]))


def test_size_errors_same_exception():
    from parity import assert_raises_same
    assert_raises_same(lambda: ot.Size([1.5]), lambda: torch.Size([1.5]))
    assert_raises_same(lambda: ot.Size(["a"]), lambda: torch.Size(["a"]))
    assert_raises_same(lambda: ot.Size(3), lambda: torch.Size(3))


@pytest.mark.parametrize("name", DTYPE_NAMES + ["complex32"])
def test_dtype_repr(name):
    assert repr(odt(name)) == repr(tdt(name))
    assert str(odt(name)) == str(tdt(name))


@pytest.mark.parametrize("s", ["cpu", "cuda", "cuda:0", "cuda:3", "meta"])
def test_device_repr(s):
    assert repr(ot.device(s)) == repr(torch.device(s))
    assert str(ot.device(s)) == str(torch.device(s))


def test_tensor_device_and_dtype_repr_in_output():
    o, t = ot.zeros(2, dtype=ot.int16), torch.zeros(2, dtype=torch.int16)
    assert repr(o.dtype) == repr(t.dtype)
    assert repr(o.device) == repr(t.device)
    assert repr(o.shape) == repr(t.shape)


def test_print_builtin(capsys):
    print(ot.tensor([[1, 2], [3, 4]]))
    out_o = capsys.readouterr().out
    print(torch.tensor([[1, 2], [3, 4]]))
    out_t = capsys.readouterr().out
    assert out_o == out_t


def test_repr_in_containers():
    o = [ot.tensor([1.5]), ot.tensor(2)]
    t = [torch.tensor([1.5]), torch.tensor(2)]
    assert repr(o) == repr(t)
    assert repr({"a": ot.zeros(1)}) == repr({"a": torch.zeros(1)})
