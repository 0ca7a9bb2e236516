"""Shared helpers for the PyTorch-parity suite: compare an oxytorch result against real torch.

``assert_same(o, t)`` checks dtype name, shape, strides, device type, requires_grad and values
(exact for bool/int, ``torch.testing.assert_close`` for floating/complex with nan == nan).
``assert_raises_same(fn_ot, fn_torch)`` checks both calls raise and the exception types agree.
"""
import builtins

import numpy as np
import pytest
import torch

import oxytorch as ot

# Every dtype the foundation issue covers, by torch name.
DTYPE_NAMES = [
    "bool", "uint8", "int8", "int16", "int32", "int64",
    "float16", "bfloat16", "float32", "float64", "complex64", "complex128",
]
INT_DTYPE_NAMES = ["uint8", "int8", "int16", "int32", "int64"]
FLOAT_DTYPE_NAMES = ["float16", "bfloat16", "float32", "float64"]
COMPLEX_DTYPE_NAMES = ["complex64", "complex128"]

# dtypes that numpy can represent natively
NUMPY_DTYPE_NAMES = [n for n in DTYPE_NAMES if n != "bfloat16"]


def tdt(name):
    """torch dtype by name."""
    return getattr(torch, name)


def odt(name):
    """oxytorch dtype by name."""
    return getattr(ot, name)


def dtype_pair(name):
    return odt(name), tdt(name)


def _widen_ot(o):
    o = o.detach()
    if str(o.dtype) == "torch.bfloat16":
        o = o.to(ot.float32)
    elif str(o.dtype) == "torch.complex32":
        o = o.to(ot.complex64)
    return np.array(o.numpy(), copy=True)


def _widen_torch(t):
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        t = t.to(torch.float32)
    elif t.dtype == torch.complex32:
        t = t.to(torch.complex64)
    return np.array(t.numpy(), copy=True)


def ot_values(o):
    """The values of an oxytorch tensor as a fresh numpy array (bfloat16 widened to float32)."""
    return _widen_ot(o)


def torch_values(t):
    return _widen_torch(t)


def assert_same(o, t, *, check_stride=True, check_repr=False, exact=False, rtol=None, atol=None,
                check_requires_grad=True):
    """Asserts an oxytorch tensor matches a torch tensor in dtype, shape, stride and values."""
    assert isinstance(o, ot.Tensor), f"expected an oxytorch tensor, got {type(o)!r}"
    assert isinstance(t, torch.Tensor), f"expected a torch tensor, got {type(t)!r}"
    assert str(o.dtype) == str(t.dtype), f"dtype: oxytorch {o.dtype} vs torch {t.dtype}"
    assert tuple(o.shape) == tuple(t.shape), f"shape: oxytorch {tuple(o.shape)} vs torch {tuple(t.shape)}"
    assert isinstance(o.shape, ot.Size), f"shape type {type(o.shape)!r} is not oxytorch.Size"
    if check_stride:
        assert tuple(o.stride()) == tuple(t.stride()), \
            f"stride: oxytorch {tuple(o.stride())} vs torch {tuple(t.stride())} (shape {tuple(t.shape)})"
    assert o.device.type == t.device.type, f"device: {o.device} vs {t.device}"
    if check_requires_grad:
        assert o.requires_grad == t.requires_grad, \
            f"requires_grad: oxytorch {o.requires_grad} vs torch {t.requires_grad}"
    a = ot_values(o)
    b = torch_values(t)
    assert a.shape == b.shape
    if t.dtype == torch.bool or not (t.dtype.is_floating_point or t.dtype.is_complex):
        np.testing.assert_array_equal(a, b, err_msg=f"values differ for dtype {t.dtype}")
    elif exact:
        # bitwise identity (nan payloads aside): compare as values with nan == nan and signed zeros
        np.testing.assert_array_equal(a, b, err_msg=f"values differ for dtype {t.dtype}")
        if a.dtype.kind == "f":
            np.testing.assert_array_equal(np.signbit(a), np.signbit(b), err_msg="sign bits differ")
    else:
        ta = torch.from_numpy(a).to(t.dtype)
        tb = torch.from_numpy(b).to(t.dtype)
        torch.testing.assert_close(ta, tb, equal_nan=True, rtol=rtol, atol=atol,
                                   msg=lambda m: f"values differ for dtype {t.dtype}: {m}")
    if check_repr:
        assert repr(o) == repr(t), f"repr:\noxytorch: {o!r}\ntorch:    {t!r}"


def _builtin_base(tp):
    for base in tp.__mro__:
        if getattr(builtins, base.__name__, None) is base:
            return base
    return BaseException


def assert_raises_same(fn_ot, fn_torch, *, check_message=False, message_contains=None):
    """Both callables must raise; the exception types must agree.

    When torch raises a builtin exception type, oxytorch must raise exactly that type. When torch
    raises a torch-specific subclass (e.g. ``torch.AcceleratorError``), oxytorch must raise a class
    with the same name deriving from the same builtin base. Returns ``(ot_exc, torch_exc)``.
    """
    with pytest.raises(BaseException) as te:
        fn_torch()
    t_exc = te.value
    try:
        fn_ot()
    except BaseException as e:  # noqa: BLE001
        o_exc = e
    else:
        raise AssertionError(
            f"oxytorch did not raise; torch raised {type(t_exc).__name__}: {t_exc}")
    tt, ott = type(t_exc), type(o_exc)
    if tt.__module__ == "builtins":
        assert ott is tt, (f"exception type: oxytorch {ott.__name__}({o_exc}) vs "
                           f"torch {tt.__name__}({t_exc})")
    else:
        base = _builtin_base(tt)
        assert ott.__name__ == tt.__name__ and issubclass(ott, base), (
            f"exception type: oxytorch {ott.__module__}.{ott.__name__}({o_exc}) vs "
            f"torch {tt.__module__}.{tt.__name__}({t_exc})")
    if check_message:
        assert str(o_exc) == str(t_exc), f"message:\noxytorch: {o_exc}\ntorch:    {t_exc}"
    if message_contains is not None:
        assert message_contains in str(o_exc), f"{message_contains!r} not in {str(o_exc)!r}"
    return o_exc, t_exc


def both(fn, *args, **kwargs):
    """Calls ``fn(lib, *args, **kwargs)`` with oxytorch then torch; returns (ot_result, torch_result).

    Any dtype keyword given by name (``dtype="float32"``) is translated for each library."""
    def tr(lib, v):
        return getattr(lib, v) if isinstance(v, str) and hasattr(torch, v) and isinstance(
            getattr(torch, v), torch.dtype) else v

    okw = {k: (tr(ot, v) if k == "dtype" else v) for k, v in kwargs.items()}
    tkw = {k: (tr(torch, v) if k == "dtype" else v) for k, v in kwargs.items()}
    return fn(ot, *args, **okw), fn(torch, *args, **tkw)


# ----------------------------------------------------------------------------------------------
# Sample data and layouts
# ----------------------------------------------------------------------------------------------

def sample_values(name, n, seed=0):
    """Deterministic numpy sample values representable in dtype ``name`` (bfloat16 values are
    float32 values that are exact in bfloat16)."""
    rng = np.random.default_rng(seed)
    if name == "bool":
        return rng.integers(0, 2, n).astype(np.bool_)
    if name == "uint8":
        return rng.integers(0, 256, n).astype(np.uint8)
    if name in ("int8", "int16", "int32", "int64"):
        info = np.iinfo(getattr(np, name))
        lo, hi = max(info.min, -1000), min(info.max, 1000)
        return rng.integers(lo, hi, n).astype(getattr(np, name))
    if name in ("float16", "float32", "float64"):
        return (rng.standard_normal(n) * 10).astype(getattr(np, name))
    if name == "bfloat16":
        return (rng.integers(-512, 512, n) / 8.0).astype(np.float32)
    if name in ("complex64", "complex128"):
        return (rng.standard_normal(n) + 1j * rng.standard_normal(n)).astype(getattr(np, name))
    raise ValueError(name)


def make_pair(name, shape, seed=0):
    """An oxytorch tensor and a torch tensor with identical contents, built independently from
    the same Python list (not through numpy), contiguous."""
    n = int(np.prod(shape)) if len(shape) else 1
    vals = sample_values(name, n, seed)
    arr = vals.reshape(shape)
    lst = arr.tolist()
    o = ot.tensor(lst, dtype=odt(name))
    t = torch.tensor(lst, dtype=tdt(name))
    if n == 0 and tuple(t.shape) != tuple(shape):
        # a nested list cannot express shapes like (0, 3) or (2, 0, 4)
        o, t = o.reshape(shape), t.reshape(shape)
    return o, t


# layout name -> function applied identically to both tensors (all are views of a base tensor)
LAYOUTS = {
    "contiguous": (lambda x: x, (3, 4)),
    "transposed_t": (lambda x: x.t(), (3, 4)),
    "transposed_T": (lambda x: x.T, (3, 4)),
    "mT": (lambda x: x.mT, (2, 3, 4)),
    "column": (lambda x: x[:, 1], (3, 4)),
    "row": (lambda x: x[1], (3, 4)),
    "step2": (lambda x: x[::2], (5, 3)),
    "step_inner": (lambda x: x[:, ::2], (3, 5)),
    "offset_slice": (lambda x: x[1:, 2:], (4, 5)),
    "narrow": (lambda x: x.narrow(1, 1, 2), (3, 4)),
    "permute": (lambda x: x.permute(2, 0, 1), (2, 3, 4)),
    "empty_1d": (lambda x: x, (0,)),
    "empty_2d": (lambda x: x, (2, 0)),
    "empty_2d_T": (lambda x: x.t(), (2, 0)),
    "zero_d": (lambda x: x, ()),
    "select_to_0d": (lambda x: x[1, 2], (3, 4)),
    "newaxis": (lambda x: x[None, :, None], (3,)),
    "ellipsis": (lambda x: x[..., 1], (2, 3, 4)),
}
LAYOUT_NAMES = list(LAYOUTS)


def layout_pair(dtype_name, layout, seed=0):
    fn, shape = LAYOUTS[layout]
    o, t = make_pair(dtype_name, shape, seed)
    return fn(o), fn(t)
