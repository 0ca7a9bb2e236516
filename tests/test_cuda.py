"""The CUDA device model. On a machine without a driver every CUDA request is a clean
RuntimeError; with a GPU (set OXYTORCH_EXPECT_CUDA=1 there) tensors move to and from the device."""
import os

import numpy as np
import pytest
import torch

import oxytorch as ot

HAS_CUDA = ot.cuda.is_available()


def test_availability_is_consistent():
    assert ot.cuda.device_count() == (1 if HAS_CUDA else 0) or (HAS_CUDA and ot.cuda.device_count() >= 1)
    if os.environ.get("OXYTORCH_EXPECT_CUDA") == "1":
        assert HAS_CUDA
        assert ot.cuda.device_count() == torch.cuda.device_count()


@pytest.mark.parametrize("make", [
    lambda: ot.zeros(2).to("cuda"),
    lambda: ot.zeros(2).cuda(),
    lambda: ot.zeros(2, device="cuda:0"),
    lambda: ot.tensor([1.0], device=ot.device("cuda")),
    lambda: ot.cuda.current_device(),
])
def test_cuda_requests(make):
    if HAS_CUDA:
        out = make()
        if isinstance(out, ot.Tensor):
            assert out.is_cuda and out.device == ot.device("cuda", 0)
    else:
        with pytest.raises(RuntimeError):
            make()


def test_invalid_ordinal_raises():
    with pytest.raises(RuntimeError):
        ot.zeros(1, device="cuda:99")


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool", "float16", "bfloat16", "complex64"])
def test_roundtrip_values(dtype):
    if not HAS_CUDA:
        return
    x = ot.arange(24).reshape(4, 6).to(getattr(ot, dtype))
    for src in (x, x.t(), x[1:, ::2]):
        y = src.to("cuda")
        assert y.device.type == "cuda" and y.shape == src.shape and y.dtype is src.dtype
        assert y.cpu().tolist() == src.tolist()


def test_cuda_repr_matches_torch():
    if not HAS_CUDA:
        return
    vals = [[1.5, -2.0], [3.25, 4.0]]
    assert repr(ot.tensor(vals, device="cuda")) == repr(torch.tensor(vals, device="cuda"))
    assert repr(ot.tensor([1, 2], device="cuda:0")) == repr(torch.tensor([1, 2], device="cuda:0"))


def test_cuda_tensor_behaviour():
    if not HAS_CUDA:
        return
    y = ot.randn(3, 3, device="cuda")
    assert y.type() == "torch.cuda.FloatTensor"
    assert y.get_device() == 0
    with pytest.raises(TypeError):
        y.numpy()
    z = y.to(ot.float64)
    assert z.is_cuda and z.dtype is ot.float64
    np.testing.assert_allclose(z.cpu().numpy(), y.cpu().numpy().astype(np.float64))
    assert y.to("cuda") is y
    # DLPack from a CUDA tensor reports the device.
    assert y.__dlpack_device__() == (2, 0)
