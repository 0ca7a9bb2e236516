"""Conversions (to/type/shortcut methods/clone/contiguous/copy_), Python protocol methods
(item/tolist/len/iter/bool/float/int/index), tensor metadata and basic views/indexing vs PyTorch."""
import math
import operator
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

import oxytorch as ot
from parity import (DTYPE_NAMES, LAYOUT_NAMES, assert_raises_same, assert_same, layout_pair, make_pair,
                    odt, tdt)

pytestmark = pytest.mark.filterwarnings("ignore:Casting complex values to real discards")

CONV_LAYOUTS = ["contiguous", "transposed_t", "column", "step2", "permute", "empty_2d", "empty_2d_T",
                "zero_d", "offset_slice"]


def _quiet(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn()


# ---------------------------------------------------------------------------------------------
# to(dtype) / shortcut methods across all dtype pairs
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dst", DTYPE_NAMES)
@pytest.mark.parametrize("src", DTYPE_NAMES)
def test_to_dtype_all_pairs(src, dst):
    o, t = make_pair(src, (3, 4), seed=1)
    assert_same(_quiet(lambda: o.to(odt(dst))), _quiet(lambda: t.to(tdt(dst))))


@pytest.mark.parametrize("layout", CONV_LAYOUTS)
@pytest.mark.parametrize("dst", ["float64", "int32", "bool", "complex64", "bfloat16"])
@pytest.mark.parametrize("src", ["float32", "int64", "uint8", "float16"])
def test_to_dtype_layouts(src, dst, layout):
    o, t = layout_pair(src, layout)
    assert_same(o.to(odt(dst)), t.to(tdt(dst)))


SHORTCUTS = ["int", "long", "float", "double", "half", "bfloat16", "bool", "char", "byte", "short",
             "cfloat", "cdouble"]


@pytest.mark.parametrize("method", SHORTCUTS)
@pytest.mark.parametrize("src", DTYPE_NAMES)
def test_shortcut_methods(src, method):
    o, t = make_pair(src, (2, 5), seed=2)
    ro = _quiet(lambda: getattr(o, method)())
    rt = _quiet(lambda: getattr(t, method)())
    assert_same(ro, rt)
    assert (ro is o) == (rt is t)


@pytest.mark.parametrize("method", SHORTCUTS)
@pytest.mark.parametrize("layout", ["transposed_t", "column", "zero_d", "empty_2d"])
def test_shortcut_methods_layouts(method, layout):
    o, t = layout_pair("float32", layout)
    assert_same(_quiet(lambda: getattr(o, method)()), _quiet(lambda: getattr(t, method)()))


SPECIAL_CASTS = {
    "byte_truncate_wrap": lambda lib: lib.tensor([300.7, -1.5]).byte(),
    "int_overflow": lambda lib: lib.tensor([3e9]).int(),
    "int_neg_overflow": lambda lib: lib.tensor([-3e9]).int(),
    "long_from_big_double": lambda lib: lib.tensor([1e19, -1e19], dtype=lib.float64).long(),
    "trunc_toward_zero": lambda lib: lib.tensor([2.9, -2.9, 0.5, -0.5, 1e-30]).int(),
    "nan_inf_to_long": lambda lib: lib.tensor([float("nan"), float("inf"), -float("inf")]).long(),
    "nan_inf_to_int": lambda lib: lib.tensor([float("nan"), float("inf"), -float("inf")]).int(),
    "nan_to_bool": lambda lib: lib.tensor([float("nan"), 0.0, -0.0, 0.1]).bool(),
    "short_overflow": lambda lib: lib.tensor([1e10, -1e10, 40000.0]).short(),
    "char_wrap": lambda lib: lib.tensor([200.0, -200.0, 127.9]).char(),
    "int64_to_int8_wrap": lambda lib: lib.tensor([200, -200, 256, 2**40 + 3]).char(),
    "int64_to_uint8_wrap": lambda lib: lib.tensor([-1, 256, 257, -256]).byte(),
    "int64_to_int16_wrap": lambda lib: lib.tensor([2**15, -2**15 - 1, 2**31]).short(),
    "int64_to_int32_wrap": lambda lib: lib.tensor([2**31, 2**32 + 5, -2**31 - 1]).int(),
    "int64_to_float_rounding": lambda lib: lib.tensor([2**53 + 1, 2**24 + 1, -(2**62) - 1]).float(),
    "int64_to_half_overflow": lambda lib: lib.tensor([70000, -70000, 65519, 65520]).half(),
    "float_to_half_overflow": lambda lib: lib.tensor([1e5, -1e5, 65504.0, 1e-8]).half(),
    "float_to_bf16_rounding": lambda lib: lib.tensor([1.00390625, 1.01171875, 3.4e38, 1e-40]).bfloat16(),
    "double_to_float_overflow": lambda lib: lib.tensor([1e300, -1e300, 1e-300], dtype=lib.float64).float(),
    "complex_to_real": lambda lib: lib.tensor([1 + 2j, -3.5 - 1j]).float(),
    "complex_to_int": lambda lib: lib.tensor([1.7 + 2j, -3.5 - 1j]).int(),
    "complex_to_bool": lambda lib: lib.tensor([0j, 1j, 1 + 0j]).bool(),
    "bool_to_everything": lambda lib: lib.tensor([True, False]).cdouble(),
    "negative_zero_to_half": lambda lib: lib.tensor([-0.0]).half(),
    "uint8_to_int8": lambda lib: lib.tensor([255, 128, 127], dtype=lib.uint8).char(),
    "int8_to_uint8": lambda lib: lib.tensor([-1, -128], dtype=lib.int8).byte(),
}


@pytest.mark.parametrize("case", list(SPECIAL_CASTS))
def test_special_casts_match_torch_on_this_machine(case):
    fn = SPECIAL_CASTS[case]
    assert_same(fn(ot), fn(torch), exact=True)


def test_complex_to_real_warns_like_torch():
    # torch warns once per process, so compare in fresh interpreters: the first cast warns, the second not.
    import subprocess
    import sys

    code = (
        "import warnings, {lib} as t\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    t.tensor([1 + 2j]).float(); t.tensor([1 + 2j]).double()\n"
        "print([str(x.message).split(' (Triggered')[0] for x in w])\n"
    )
    outs = [subprocess.run([sys.executable, "-c", code.format(lib=lib)], capture_output=True, text=True).stdout for lib in ("torch", "oxytorch")]
    assert outs[0] == outs[1]
    assert "Casting complex values to real discards the imaginary part" in outs[1]


# ---------------------------------------------------------------------------------------------
# to(device) / to(other) / identity rules / type()
# ---------------------------------------------------------------------------------------------

TO_FORMS = {
    "dtype": lambda lib, x: x.to(lib.float64),
    "dtype_kw": lambda lib, x: x.to(dtype=lib.int32),
    "device_str": lambda lib, x: x.to("cpu"),
    "device_obj": lambda lib, x: x.to(lib.device("cpu")),
    "device_kw": lambda lib, x: x.to(device="cpu"),
    "device_dtype": lambda lib, x: x.to("cpu", lib.float16),
    "device_dtype_kw": lambda lib, x: x.to(device="cpu", dtype=lib.bfloat16),
    "other_tensor": lambda lib, x: x.to(lib.zeros(1, dtype=lib.int16)),
    "copy_true": lambda lib, x: x.to(lib.float32, copy=True),
    "non_blocking": lambda lib, x: x.to(lib.float64, non_blocking=True),
    "same_dtype": lambda lib, x: x.to(lib.float32),
}


@pytest.mark.parametrize("form", list(TO_FORMS))
@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "column"])
def test_to_forms(form, layout):
    o, t = layout_pair("float32", layout)
    ro, rt = TO_FORMS[form](ot, o), TO_FORMS[form](torch, t)
    assert_same(ro, rt)
    assert (ro is o) == (rt is t), f"identity: oxytorch {ro is o}, torch {rt is t}"
    if ro is not o and ro.numel():
        assert ro.data_ptr() != o.data_ptr()


def test_to_same_dtype_is_identity():
    for name in DTYPE_NAMES:
        x = ot.zeros(3, dtype=odt(name))
        assert x.to(x.dtype) is x
        assert x.to("cpu") is x
        assert x.to(x) is x
        assert x.cpu() is x
        assert x.to(x.dtype, copy=True) is not x


TO_ERRORS = {
    "bad_device": lambda lib: lib.ones(2).to("gpu"),
    "bad_type": lambda lib: lib.ones(2).to([1]),
    "string_dtype": lambda lib: lib.ones(2).to("float64"),
    "too_many_args": lambda lib: lib.ones(2).to("cpu", lib.float32, False, False, 1),
}


@pytest.mark.parametrize("case", list(TO_ERRORS))
def test_to_errors_same_exception(case):
    fn = TO_ERRORS[case]
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


@pytest.mark.parametrize("name", DTYPE_NAMES + ["complex32"])
def test_type_name(name):
    o = _quiet(lambda: ot.zeros(2, dtype=odt(name)))
    t = _quiet(lambda: torch.zeros(2, dtype=tdt(name)))
    assert o.type() == t.type()
    assert ot.typename(o) == torch.typename(t)


TYPE_CONVERSIONS = {
    "type_str_int": lambda lib, x: x.type("torch.IntTensor"),
    "type_str_double": lambda lib, x: x.type("torch.DoubleTensor"),
    "type_str_bool": lambda lib, x: x.type("torch.BoolTensor"),
    "type_str_byte": lambda lib, x: x.type("torch.ByteTensor"),
    "type_str_half": lambda lib, x: x.type("torch.HalfTensor"),
    "type_str_bf16": lambda lib, x: x.type("torch.BFloat16Tensor"),
    "type_str_cfloat": lambda lib, x: x.type("torch.ComplexFloatTensor"),
    "type_dtype": lambda lib, x: x.type(lib.float64),
    "type_dtype_int": lambda lib, x: x.type(lib.int16),
    "type_legacy_class": lambda lib, x: x.type(lib.IntTensor),
    "type_same": lambda lib, x: x.type("torch.FloatTensor"),
    "type_dtype_kw": lambda lib, x: x.type(dtype=lib.int8),
}


@pytest.mark.parametrize("case", list(TYPE_CONVERSIONS))
def test_type_conversion(case):
    fn = TYPE_CONVERSIONS[case]
    o, t = make_pair("float32", (2, 3), seed=3)
    ro, rt = _quiet(lambda: fn(ot, o)), _quiet(lambda: fn(torch, t))
    assert_same(ro, rt)
    assert (ro is o) == (rt is t)


TYPE_ERRORS = {
    "unknown_name": lambda lib: lib.ones(2).type("torch.NopeTensor"),
    "cuda_type": lambda lib: lib.ones(2).type("torch.cuda.FloatTensor"),
    "bad_arg": lambda lib: lib.ones(2).type(5),
}


@pytest.mark.parametrize("case", list(TYPE_ERRORS))
def test_type_errors_same_exception(case):
    fn = TYPE_ERRORS[case]
    if case == "cuda_type" and torch.cuda.is_available():
        o, t = fn(ot), fn(torch)
        assert o.is_cuda and t.is_cuda and o.dtype == ot.float32 and o.cpu().tolist() == t.cpu().tolist()
        return
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


# ---------------------------------------------------------------------------------------------
# cpu / clone / contiguous / copy_
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_clone(name, layout):
    o, t = layout_pair(name, layout)
    co, ct = o.clone(), t.clone()
    assert_same(co, ct)
    assert co is not o
    if o.numel():
        assert co.data_ptr() != o.data_ptr()
        # new storage: writing to the clone leaves the source alone
        before = o.tolist()
        co.fill_(0)
        assert o.tolist() == before


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", ["bool", "int32", "float32", "bfloat16", "complex128"])
def test_clone_memory_format_contiguous(name, layout):
    o, t = layout_pair(name, layout)
    assert_same(o.clone(memory_format=ot.contiguous_format), t.clone(memory_format=torch.contiguous_format))


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_contiguous(name, layout):
    o, t = layout_pair(name, layout)
    co, ct = o.contiguous(), t.contiguous()
    assert_same(co, ct)
    assert (co is o) == (ct is t), f"identity: oxytorch {co is o}, torch {ct is t}"
    assert o.is_contiguous() == t.is_contiguous()
    assert co.is_contiguous()


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
def test_cpu_returns_self(layout):
    o, t = layout_pair("float32", layout)
    assert (o.cpu() is o) == (t.cpu() is t) is True


COPY_CASES = {
    "same_shape": lambda lib: (lib.zeros(2, 3), lib.arange(6.).reshape(2, 3)),
    "broadcast_row": lambda lib: (lib.zeros(2, 3), lib.tensor([1., 2., 3.])),
    "broadcast_col": lambda lib: (lib.zeros(2, 3), lib.tensor([[1.], [2.]])),
    "broadcast_scalar_tensor": lambda lib: (lib.zeros(2, 3), lib.tensor(7.)),
    "float_into_int": lambda lib: (lib.zeros(4, dtype=lib.int32), lib.tensor([1.9, -1.9, 2.5, -0.5])),
    "int_into_float": lambda lib: (lib.zeros(3), lib.tensor([1, 2, 3])),
    "float_into_bool": lambda lib: (lib.zeros(3, dtype=lib.bool), lib.tensor([0.0, 0.5, -1.0])),
    "double_into_half": lambda lib: (lib.zeros(3, dtype=lib.float16), lib.tensor([1e5, 1 / 3, -2.0], dtype=lib.float64)),
    "float_into_bf16": lambda lib: (lib.zeros(2, dtype=lib.bfloat16), lib.tensor([1.00390625, 3.3])),
    "real_into_complex": lambda lib: (lib.zeros(2, dtype=lib.complex64), lib.tensor([1.5, -2.0])),
    "complex_into_real": lambda lib: (lib.zeros(2), lib.tensor([1 + 2j, 3 - 1j])),
    "int_wrap": lambda lib: (lib.zeros(3, dtype=lib.uint8), lib.tensor([256, -1, 300])),
    "into_transposed": lambda lib: (lib.zeros(3, 2).t(), lib.arange(6.).reshape(2, 3)),
    "from_transposed": lambda lib: (lib.zeros(2, 3), lib.arange(6.).reshape(3, 2).t()),
    "into_column_view": lambda lib: (lib.zeros(3, 4)[:, 1], lib.tensor([1., 2., 3.])),
    "into_stepped_view": lambda lib: (lib.zeros(6)[::2], lib.tensor([1., 2., 3.])),
    "empty": lambda lib: (lib.zeros(0, 3), lib.ones(3)),
    "zero_d": lambda lib: (lib.tensor(0.), lib.tensor(5.)),
    "one_elem_from_0d": lambda lib: (lib.tensor([0.]), lib.tensor(5.)),
}


@pytest.mark.parametrize("case", list(COPY_CASES))
def test_copy_(case):
    do, so = COPY_CASES[case](ot)
    dt, st_ = COPY_CASES[case](torch)
    ro = _quiet(lambda: do.copy_(so))
    rt = _quiet(lambda: dt.copy_(st_))
    assert ro is do
    assert_same(do, dt)
    assert_same(ro, rt)


def test_copy_into_view_writes_base():
    base_o, base_t = ot.zeros(3, 4), torch.zeros(3, 4)
    base_o[:, 1].copy_(ot.tensor([1., 2., 3.]))
    base_t[:, 1].copy_(torch.tensor([1., 2., 3.]))
    assert_same(base_o, base_t)
    base_o.t()[2].copy_(ot.tensor([7., 8., 9.]))
    base_t.t()[2].copy_(torch.tensor([7., 8., 9.]))
    assert_same(base_o, base_t)


def test_copy_overlapping_self():
    o, t = ot.arange(6.), torch.arange(6.)
    o[1:].copy_(o[:-1].clone())
    t[1:].copy_(t[:-1].clone())
    assert_same(o, t)


COPY_ERRORS = {
    "shape_mismatch": lambda lib: lib.zeros(2).copy_(lib.ones(3)),
    "not_broadcastable": lambda lib: lib.zeros(2, 3).copy_(lib.ones(3, 2)),
    "bigger_src": lambda lib: lib.zeros(3).copy_(lib.ones(2, 3)),
    "src_more_dims_of_one": lambda lib: lib.zeros(2, 3).copy_(lib.ones(1, 1, 3)),
    "zero_d_from_1elem": lambda lib: lib.tensor(0.).copy_(lib.tensor([5.])),
    "non_tensor": lambda lib: lib.zeros(3).copy_([1, 2, 3]),
    "numpy_src": lambda lib: lib.zeros(3).copy_(np.ones(3)),
    "dest_smaller_than_src": lambda lib: lib.zeros(1, 3).t().copy_(lib.ones(3, 3)),
}


@pytest.mark.parametrize("case", list(COPY_ERRORS))
def test_copy_errors_same_exception(case):
    fn = COPY_ERRORS[case]
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


# ---------------------------------------------------------------------------------------------
# item / tolist / Python protocols
# ---------------------------------------------------------------------------------------------

def _same_python(a, b):
    """Python values equal with identical types (nested lists), nan == nan."""
    if isinstance(b, list):
        assert isinstance(a, list) and len(a) == len(b), (a, b)
        for x, y in zip(a, b):
            _same_python(x, y)
        return
    assert type(a) is type(b), f"{a!r} ({type(a).__name__}) vs {b!r} ({type(b).__name__})"
    if isinstance(b, float) and math.isnan(b):
        assert math.isnan(a)
    elif isinstance(b, complex):
        assert (a.real == b.real or (math.isnan(a.real) and math.isnan(b.real))) and \
               (a.imag == b.imag or (math.isnan(a.imag) and math.isnan(b.imag))), (a, b)
    else:
        assert a == b, (a, b)
        if isinstance(b, float):
            assert math.copysign(1, a) == math.copysign(1, b)


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_tolist(name, layout):
    o, t = layout_pair(name, layout)
    _same_python(o.tolist(), t.tolist())


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_tolist_special_values(name):
    data = [0.0, -0.0, float("nan"), float("inf"), -float("inf"), 1e-3, 65504.0]
    o = _quiet(lambda: ot.tensor(data).to(odt(name)))
    t = _quiet(lambda: torch.tensor(data).to(tdt(name)))
    _same_python(o.tolist(), t.tolist())


@pytest.mark.parametrize("name", DTYPE_NAMES)
@pytest.mark.parametrize("shape", [(), (1,), (1, 1)], ids=str)
def test_item(name, shape):
    o, t = make_pair(name, shape, seed=4)
    _same_python(o.item(), t.item())


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_item_of_view(name):
    o, t = layout_pair(name, "select_to_0d")
    _same_python(o.item(), t.item())
    o, t = layout_pair(name, "transposed_t")
    _same_python(o[2, 1].item(), t[2, 1].item())


PROTOCOL_ERRORS = {
    "item_multi": lambda lib: lib.tensor([1, 2]).item(),
    "item_empty": lambda lib: lib.tensor([]).item(),
    "len_0d": lambda lib: len(lib.tensor(1)),
    "iter_0d": lambda lib: iter(lib.tensor(1)),
    "bool_multi": lambda lib: bool(lib.tensor([1, 2])),
    "bool_empty": lambda lib: bool(lib.tensor([])),
    "int_multi": lambda lib: int(lib.tensor([1, 2])),
    "float_multi": lambda lib: float(lib.tensor([1.0, 2.0])),
    "float_empty": lambda lib: float(lib.tensor([])),
    "float_complex": lambda lib: float(lib.tensor(1 + 2j)),
    "int_complex": lambda lib: int(lib.tensor(1 + 2j)),
    "complex_multi": lambda lib: complex(lib.tensor([1, 2])),
    "index_float": lambda lib: operator.index(lib.tensor(2.0)),
    "index_multi": lambda lib: operator.index(lib.tensor([1, 2])),
    "index_bool": lambda lib: [10, 20][lib.tensor(1.5)],
    "index_empty": lambda lib: operator.index(lib.tensor([], dtype=lib.int64)),
    "int_nan": lambda lib: int(lib.tensor(float("nan"))),
    "int_inf": lambda lib: int(lib.tensor(float("inf"))),
}


@pytest.mark.parametrize("case", list(PROTOCOL_ERRORS))
def test_protocol_errors_same_exception(case):
    fn = PROTOCOL_ERRORS[case]
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_scalar_protocols(name):
    o, t = make_pair(name, (), seed=5)
    for conv in (bool, complex):
        _same_python(conv(o), conv(t))
    if not name.startswith("complex"):
        _same_python(float(o), float(t))
        _same_python(int(o), int(t))
    if name in ("bool", "uint8", "int8", "int16", "int32", "int64"):
        _same_python(operator.index(o), operator.index(t))
    else:
        assert_raises_same(lambda: operator.index(o), lambda: operator.index(t))


@pytest.mark.parametrize("value", [2.7, -2.7, 0.5, -0.0, 1e20])
def test_int_float_truncation(value):
    _same_python(int(ot.tensor(value)), int(torch.tensor(value)))
    _same_python(int(ot.tensor([value])), int(torch.tensor([value])))
    _same_python(float(ot.tensor([value])), float(torch.tensor([value])))


@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", ["bool", "int64", "float32", "complex64"])
def test_len_iter(name, layout):
    o, t = layout_pair(name, layout)
    if t.dim() == 0:
        assert_raises_same(lambda: len(o), lambda: len(t))
        assert_raises_same(lambda: list(o), lambda: list(t))
        return
    assert len(o) == len(t)
    rows_o, rows_t = list(o), list(t)
    assert len(rows_o) == len(rows_t)
    for ro, rt in zip(rows_o, rows_t):
        assert_same(ro, rt)


@pytest.mark.parametrize("data", [[0], [1], [0.0], [-0.0], [float("nan")], [0j], [1j], [True], [False],
                                  0, 3, [[0]], [[2.5]]], ids=repr)
def test_bool_single_element(data):
    assert bool(ot.tensor(data)) == bool(torch.tensor(data))


def test_index_protocol_usage():
    items = list(range(10))
    assert items[ot.tensor(3)] == items[torch.tensor(3)] == 3
    assert items[ot.tensor([4])] == 4
    assert items[ot.tensor(2, dtype=ot.int8):ot.tensor(5)] == [2, 3, 4]
    assert operator.index(ot.tensor(True)) == operator.index(torch.tensor(True))
    assert f"{ot.tensor(2.5):.3f}" == f"{torch.tensor(2.5):.3f}"


# ---------------------------------------------------------------------------------------------
# metadata over dtypes and layouts
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", LAYOUT_NAMES)
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_metadata(name, layout):
    o, t = layout_pair(name, layout)
    assert o.size() == t.size()
    assert isinstance(o.size(), ot.Size)
    assert tuple(o.shape) == tuple(t.shape)
    assert o.dim() == t.dim() == o.ndim == o.ndimension()
    assert o.numel() == t.numel() == o.nelement() == ot.numel(o)
    assert o.stride() == t.stride()
    assert isinstance(o.stride(), tuple)
    for d in range(-t.dim(), t.dim()):
        assert o.size(d) == t.size(d)
        assert o.stride(d) == t.stride(d)
    assert o.storage_offset() == t.storage_offset()
    assert o.is_contiguous() == t.is_contiguous()
    assert o.element_size() == t.element_size()
    assert o.itemsize == t.itemsize
    assert o.nbytes == t.nbytes
    assert o.is_cuda == t.is_cuda
    assert o.is_cpu == t.is_cpu
    assert o.device.type == t.device.type
    assert str(o.dtype) == str(t.dtype)
    assert o.is_floating_point() == t.is_floating_point()
    assert o.is_complex() == t.is_complex()
    assert o.requires_grad == t.requires_grad
    assert o.is_leaf == t.is_leaf
    assert o.grad is None and o.grad_fn is None


@pytest.mark.parametrize("layout", [l for l in LAYOUT_NAMES if not l.startswith("empty")])
@pytest.mark.parametrize("name", DTYPE_NAMES)
def test_data_ptr_offsets(name, layout):
    fn, shape = __import__("parity").LAYOUTS[layout]
    bo, bt = make_pair(name, shape)
    vo, vt = fn(bo), fn(bt)
    assert vo.data_ptr() - bo.data_ptr() == vt.data_ptr() - bt.data_ptr()
    assert vo.data_ptr() - bo.data_ptr() == vo.storage_offset() * vo.element_size()


@pytest.mark.parametrize("layout", ["contiguous", "transposed_t", "column", "mT", "zero_d", "empty_2d"])
def test_T_mT(layout):
    o, t = layout_pair("float32", layout)
    for attr in ("T", "mT"):
        if t.dim() > 2 and attr == "T":
            continue
        try:
            rt = _quiet(lambda: getattr(t, attr))
        except Exception:  # noqa: BLE001
            assert_raises_same(lambda: getattr(o, attr), lambda: getattr(t, attr))
            continue
        assert_same(_quiet(lambda: getattr(o, attr)), rt)


def test_T_on_3d_warns_and_reverses():
    o, t = make_pair("float32", (2, 3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_T = t.T
    with pytest.warns(UserWarning, match="deprecated"):
        o_T = o.T
    assert_same(o_T, t_T)


METADATA_ERRORS = {
    "size_dim_oob": lambda lib: lib.ones(2, 3).size(2),
    "size_neg_oob": lambda lib: lib.ones(2, 3).size(-3),
    "stride_dim_oob": lambda lib: lib.ones(2, 3).stride(5),
    "size_0d": lambda lib: lib.tensor(1).size(0),
    "size_bad_type": lambda lib: lib.ones(2).size("a"),
}


@pytest.mark.parametrize("case", list(METADATA_ERRORS))
def test_metadata_errors_same_exception(case):
    fn = METADATA_ERRORS[case]
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


def test_size_stride_0d_tensor_dims():
    o, t = ot.tensor(3.0), torch.tensor(3.0)
    assert o.size() == t.size() == ()
    assert o.stride() == t.stride() == ()
    assert_raises_same(lambda: o.size(-1), lambda: t.size(-1))
    assert_raises_same(lambda: o.stride(0), lambda: t.stride(0))


# ---------------------------------------------------------------------------------------------
# basic views
# ---------------------------------------------------------------------------------------------

VIEW_CASES = {
    "select0": lambda x: x.select(0, 1),
    "select1": lambda x: x.select(1, -1),
    "select_neg_dim": lambda x: x.select(-1, 2),
    "narrow": lambda x: x.narrow(0, 1, 2),
    "narrow_neg_start": lambda x: x.narrow(1, -3, 2),
    "narrow_empty": lambda x: x.narrow(1, 4, 0),
    "transpose": lambda x: x.transpose(0, 1),
    "transpose_neg": lambda x: x.transpose(-1, -2),
    "transpose_same": lambda x: x.transpose(1, 1),
    "t": lambda x: x.t(),
    "T": lambda x: x.T,
    "mT": lambda x: x.mT,
    "permute": lambda x: x.permute(1, 0),
    "permute_tuple": lambda x: x.permute((1, 0)),
    "permute_neg": lambda x: x.permute(-1, 0),
    "view": lambda x: x.view(2, 2, 4),
    "view_infer": lambda x: x.view(-1, 8),
    "view_tuple": lambda x: x.view((4, 4)),
    "view_flat": lambda x: x.view(-1),
    "view_Size": lambda x: x.view(x.size()),
    "view_dtype_same": lambda x: x.view(x.dtype),
    "reshape": lambda x: x.reshape(8, 2),
    "reshape_infer": lambda x: x.reshape(-1),
    "reshape_tuple": lambda x: x.reshape((2, -1)),
    "reshape_1": lambda x: x.reshape(1, 16, 1),
    "reshape_T": lambda x: x.t().reshape(16),
    "reshape_T_2d": lambda x: x.t().reshape(2, 8),
    "reshape_slice": lambda x: x[:, ::2].reshape(8),
    "view_of_slice": lambda x: x[1:3].view(8),
    "t_then_select": lambda x: x.t().select(0, 2),
    "chain": lambda x: x.transpose(0, 1)[1:].narrow(1, 0, 3).t(),
}


@pytest.mark.parametrize("case", list(VIEW_CASES))
@pytest.mark.parametrize("name", ["bool", "int16", "float32", "bfloat16", "complex128"])
def test_views(name, case):
    o, t = make_pair(name, (4, 4), seed=6)
    fn = VIEW_CASES[case]
    vo, vt = fn(o), fn(t)
    assert_same(vo, vt)
    assert vo.storage_offset() == vt.storage_offset()
    shares_t = vt.numel() == 0 or vt.data_ptr() - t.data_ptr() == vt.storage_offset() * vt.element_size()
    shares_o = vo.numel() == 0 or vo.data_ptr() - o.data_ptr() == vo.storage_offset() * vo.element_size()
    assert shares_o == shares_t


@pytest.mark.parametrize("case", ["select0", "narrow", "transpose", "t", "permute", "view", "reshape",
                                  "view_of_slice", "chain"])
def test_views_alias_base(case):
    o, t = make_pair("float32", (4, 4), seed=7)
    fn = VIEW_CASES[case]
    vo, vt = fn(o), fn(t)
    vo.fill_(-1)
    vt.fill_(-1)
    assert_same(o, t)


VIEW_ERRORS = {
    "view_noncontiguous": lambda lib: lib.ones(3, 4).t().view(12),
    "view_bad_numel": lambda lib: lib.ones(3).view(-1, 2),
    "view_two_infer": lambda lib: lib.ones(4).view(-1, -1),
    "reshape_bad": lambda lib: lib.ones(6).reshape(4, 2),
    "select_oob": lambda lib: lib.ones(2, 3).select(1, 3),
    "select_dim_oob": lambda lib: lib.ones(2, 3).select(2, 0),
    "select_0d": lambda lib: lib.tensor(1.0).select(0, 0),
    "narrow_oob": lambda lib: lib.ones(2, 3).narrow(1, 2, 2),
    "narrow_neg_len": lambda lib: lib.ones(2, 3).narrow(1, 0, -1),
    "transpose_oob": lambda lib: lib.ones(2, 3).transpose(0, 2),
    "t_3d": lambda lib: lib.ones(2, 3, 4).t(),
    "permute_wrong_len": lambda lib: lib.ones(2, 3).permute(0),
    "permute_repeat": lambda lib: lib.ones(2, 3).permute(0, 0),
    "mT_1d": lambda lib: lib.ones(3).mT,
    "view_neg": lambda lib: lib.ones(3).view(-2),
}


@pytest.mark.parametrize("case", list(VIEW_ERRORS))
def test_view_errors_same_exception(case):
    fn = VIEW_ERRORS[case]
    assert_raises_same(lambda: fn(ot), lambda: fn(torch))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=0, max_size=4), st.data())
def test_reshape_transpose_property(shape, data):
    name = data.draw(st.sampled_from(["int32", "float64", "bool", "complex64"]))
    n = int(np.prod(shape)) if shape else 1
    o, t = make_pair(name, tuple(shape), seed=n)
    # reshape to a random factorisation
    new_shape = list(data.draw(st.permutations(shape))) if shape else []
    if new_shape and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(new_shape) - 1))
        if new_shape.count(0) == 0:
            new_shape[i] = -1
    assert_same(o.reshape(new_shape), t.reshape(new_shape))
    if len(shape) >= 2:
        d0 = data.draw(st.integers(-len(shape), len(shape) - 1))
        d1 = data.draw(st.integers(-len(shape), len(shape) - 1))
        to, tt = o.transpose(d0, d1), t.transpose(d0, d1)
        assert_same(to, tt)
        perm = data.draw(st.permutations(range(len(shape))))
        po, pt = to.permute(*perm), tt.permute(*perm)
        assert_same(po, pt)
        assert_same(po.reshape(-1), pt.reshape(-1))
        assert_same(po.contiguous(), pt.contiguous())
        assert_same(po.clone(), pt.clone())


# ---------------------------------------------------------------------------------------------
# basic indexing and __setitem__
# ---------------------------------------------------------------------------------------------

INDEXES = {
    "int": (0,),
    "neg_int": (-1,),
    "int_int": (1, 2),
    "int_int_int": (1, 2, 3),
    "slice": (slice(1, 3),),
    "slice_step": (slice(None, None, 2),),
    "slice_neg": (slice(-2, None),),
    "slice_oob": (slice(1, 100),),
    "slice_empty": (slice(3, 1),),
    "slice_slice": (slice(None), slice(1, 3)),
    "col": (slice(None), 1),
    "ellipsis": (Ellipsis,),
    "ellipsis_int": (Ellipsis, 1),
    "int_ellipsis": (1, Ellipsis),
    "int_ellipsis_int": (1, Ellipsis, 2),
    "none": (None,),
    "none_mid": (slice(None), None, 1),
    "none_end": (Ellipsis, None),
    "none_int_none": (None, 0, None),
    "all_slices_step": (slice(None, None, 2), slice(1, None, 3), slice(None, None, 2)),
    "full_slice": (slice(None),),
    "two_ellipsis": (Ellipsis, 0, Ellipsis),
}


def _index(lib, key):
    return key


@pytest.mark.parametrize("key", list(INDEXES))
@pytest.mark.parametrize("name", ["bool", "uint8", "int64", "float16", "float32", "bfloat16", "complex64"])
def test_getitem_basic(name, key):
    o, t = make_pair(name, (3, 4, 5), seed=8)
    ko, kt = _index(ot, INDEXES[key]), _index(torch, INDEXES[key])
    ko = ko[0] if len(ko) == 1 else ko
    kt = kt[0] if len(kt) == 1 else kt
    ro, rt = o[ko], t[kt]
    assert_same(ro, rt)
    assert ro.storage_offset() == rt.storage_offset()


@pytest.mark.parametrize("layout", ["transposed_t", "column", "step2", "offset_slice", "permute"])
def test_getitem_on_views(layout):
    o, t = layout_pair("float64", layout)
    for key in [0, -1, (slice(None), 0), (Ellipsis, slice(None, None, 2)), (None, 0)]:
        if t.dim() == 1 and isinstance(key, tuple) and len([k for k in key if k is not None]) > 1:
            continue
        assert_same(o[key], t[key])


GETITEM_ERRORS = {
    "int_oob": lambda x: x[5],
    "neg_oob": lambda x: x[-6],
    "second_dim_oob": lambda x: x[0, 10],
    "too_many": lambda x: x[0, 0, 0, 0],
    "step_zero": lambda x: x[::0],
    "step_neg": lambda x: x[::-1],
    "float_index": lambda x: x[1.5],
    "str_index": lambda x: x["a"],
}


@pytest.mark.parametrize("case", list(GETITEM_ERRORS))
def test_getitem_errors_same_exception(case):
    fn = GETITEM_ERRORS[case]
    o, t = make_pair("float32", (3, 4, 5))
    assert_raises_same(lambda: fn(o), lambda: fn(t))


def test_getitem_0d():
    o, t = ot.tensor(3.5), torch.tensor(3.5)
    assert_same(o[...], t[...])
    assert_same(o[None], t[None])
    assert_same(o[()], t[()])
    assert_raises_same(lambda: o[0], lambda: t[0])


SETITEM_CASES = {
    "int_scalar": lambda lib, x: x.__setitem__(0, 5),
    "neg_int_scalar": lambda lib, x: x.__setitem__(-1, 2.5),
    "elem_scalar": lambda lib, x: x.__setitem__((1, 2), -3),
    "slice_scalar": lambda lib, x: x.__setitem__(slice(1, 3), 7),
    "step_scalar": lambda lib, x: x.__setitem__(slice(None, None, 2), 1),
    "col_scalar": lambda lib, x: x.__setitem__((slice(None), 1), 9),
    "ellipsis_scalar": lambda lib, x: x.__setitem__(Ellipsis, 4),
    "ellipsis_col": lambda lib, x: x.__setitem__((Ellipsis, 0), 8),
    "none_scalar": lambda lib, x: x.__setitem__((None, 0), 6),
    "bool_scalar": lambda lib, x: x.__setitem__(0, True),
    "float_scalar_trunc": lambda lib, x: x.__setitem__(0, 2.9),
    "row_tensor": lambda lib, x: x.__setitem__(0, lib.arange(4)),
    "broadcast_row_tensor": lambda lib, x: x.__setitem__(slice(None), lib.arange(4)),
    "col_tensor": lambda lib, x: x.__setitem__((slice(None), 2), lib.tensor([1, 2, 3])),
    "block_tensor": lambda lib, x: x.__setitem__((slice(1, 3), slice(0, 2)), lib.ones(2, 2)),
    "broadcast_col": lambda lib, x: x.__setitem__(slice(None), lib.tensor([[1], [2], [3]])),
    "tensor_0d_value": lambda lib, x: x.__setitem__((0, 0), lib.tensor(11)),
    "float_tensor_into_int": lambda lib, x: x.__setitem__(1, lib.tensor([1.9, -1.9, 0.5, 7.0])),
    "transposed_value": lambda lib, x: x.__setitem__(slice(0, 3), lib.arange(12).reshape(4, 3).t()),
}


@pytest.mark.parametrize("case", list(SETITEM_CASES))
@pytest.mark.parametrize("name", ["int64", "float32", "float64", "bfloat16", "complex64", "uint8"])
def test_setitem(name, case):
    o, t = make_pair(name, (3, 4), seed=9)
    fn = SETITEM_CASES[case]
    _quiet(lambda: fn(ot, o))
    _quiet(lambda: fn(torch, t))
    assert_same(o, t)


@pytest.mark.parametrize("layout", ["transposed_t", "column", "step2", "offset_slice"])
def test_setitem_through_views(layout):
    fn, shape = __import__("parity").LAYOUTS[layout]
    bo, bt = make_pair("float32", shape)
    vo, vt = fn(bo), fn(bt)
    vo[0] = 100
    vt[0] = 100
    vo[..., -1] = -5
    vt[..., -1] = -5
    assert_same(bo, bt)
    assert_same(vo, vt)


def test_setitem_0d():
    o, t = ot.tensor(1.0), torch.tensor(1.0)
    o[...] = 5
    t[...] = 5
    assert_same(o, t)
    o[()] = 6
    t[()] = 6
    assert_same(o, t)


SETITEM_ERRORS = {
    "shape_mismatch": lambda lib, x: x.__setitem__(0, lib.ones(3)),
    "oob": lambda lib, x: x.__setitem__(10, 1),
    "too_many": lambda lib, x: x.__setitem__((0, 0, 0), 1),
    "bad_value": lambda lib, x: x.__setitem__(0, "a"),
    "list_value": lambda lib, x: x.__setitem__(0, [1, 2, 3, 4]),
    "complex_into_float": lambda lib, x: x.__setitem__(0, 1j),
}


@pytest.mark.parametrize("case", list(SETITEM_ERRORS))
def test_setitem_errors_same_exception(case):
    fn = SETITEM_ERRORS[case]
    o, t = make_pair("float32", (3, 4))
    try:
        fn(torch, t)
    except Exception:  # noqa: BLE001
        assert_raises_same(lambda: fn(ot, o), lambda: fn(torch, make_pair("float32", (3, 4))[1]))
        return
    fn(ot, o)
    assert_same(o, t)
