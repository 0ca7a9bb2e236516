"""Parity of the spatial functionals (conv, pools, pad, interpolate, unfold/fold) with real torch:
forward values, dtypes and shapes, input/weight/bias gradients, grad_fn names and errors."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import oxytorch as ot
import oxytorch.nn.functional as OF

RNG = np.random.default_rng(1234)

TOL = {"float32": (2e-5, 2e-5), "float64": (1e-12, 1e-12), "float16": (5e-3, 5e-3), "bfloat16": (3e-2, 3e-2)}


def make(shape, dtype="float32", layout="contig", requires_grad=False, data=None):
    """The same values as (oxytorch, torch) tensors, in the requested memory layout."""
    a = RNG.standard_normal(shape) if data is None else np.asarray(data, dtype=np.float64)
    if layout == "transposed" and len(shape) >= 2:
        base = np.ascontiguousarray(np.swapaxes(a, -1, -2))
        o = ot.from_numpy(base).to(getattr(ot, dtype)).transpose(-1, -2)
        t = torch.from_numpy(base).to(getattr(torch, dtype)).transpose(-1, -2)
    elif layout == "sliced":
        big = np.zeros(tuple(s + 1 for s in shape))
        big[(slice(1, None),) * len(shape)] = a
        o = ot.from_numpy(big).to(getattr(ot, dtype))
        t = torch.from_numpy(big).to(getattr(torch, dtype))
        idx = (slice(1, None),) * len(shape)
        o, t = o[idx], t[idx]
    else:
        o = ot.from_numpy(np.ascontiguousarray(a)).to(getattr(ot, dtype))
        t = torch.from_numpy(np.ascontiguousarray(a)).to(getattr(torch, dtype))
    if requires_grad:
        o = o.detach().requires_grad_(True)
        t = t.detach().requires_grad_(True)
    return o, t


def npv(x):
    x = x.detach()
    if str(x.dtype) in ("torch.bfloat16", "torch.float16"):
        x = x.float()
    return x.numpy().astype(np.float64)


def close(o, t, dtype="float32", scale=1.0):
    assert tuple(o.shape) == tuple(t.shape), (tuple(o.shape), tuple(t.shape))
    assert str(o.dtype) == str(t.dtype), (o.dtype, t.dtype)
    rtol, atol = TOL[dtype]
    np.testing.assert_allclose(npv(o), npv(t), rtol=rtol, atol=atol * scale, equal_nan=True)


def grad_check(o_out, t_out, pairs, dtype="float32", scale=1.0):
    """Back-propagates the same random gradient through both graphs and compares the input grads."""
    g = RNG.standard_normal(tuple(t_out.shape))
    o_out.backward(ot.from_numpy(g).to(o_out.dtype))
    t_out.backward(torch.from_numpy(g).to(t_out.dtype))
    for o, t in pairs:
        assert (o.grad is None) == (t.grad is None)
        if t.grad is not None:
            close(o.grad, t.grad, dtype, scale)


def node(x):
    """The grad_fn's class name as printed (``<ConvolutionBackward0 object at ...>``)."""
    return repr(x.grad_fn).split(" object")[0].lstrip("<")


def same_error(fo, ft):
    with pytest.raises(Exception) as et:
        ft()
    with pytest.raises(Exception) as eo:
        fo()
    assert type(eo.value).__name__ == type(et.value).__name__, (eo.value, et.value)
    assert str(eo.value) == str(et.value)


# ----- convolution -----

# (name, batch or None, cin, spatial, cout, kernel, stride, padding, dilation, groups, bias)
CONV_CASES = [
    ("conv2d", 2, 3, (7, 6), 4, (3, 3), 1, 0, 1, 1, True),
    ("conv2d", 2, 4, (8, 8), 6, (3, 2), 2, 1, 1, 2, True),
    ("conv2d", 1, 3, (9, 9), 3, (3, 3), (2, 1), (1, 2), (2, 1), 3, False),
    ("conv2d", 3, 2, (5, 5), 4, (1, 1), 1, 0, 1, 1, True),
    ("conv2d", 2, 2, (6, 6), 2, (2, 2), 1, "same", 2, 1, True),
    ("conv2d", 2, 2, (6, 5), 3, (4, 3), 1, "same", 1, 1, False),
    ("conv2d", 2, 3, (5, 5), 4, (3, 3), 1, "valid", 1, 1, True),
    ("conv2d", None, 3, (6, 6), 2, (3, 3), 1, 1, 1, 1, True),
    ("conv2d", 4, 1, (12, 12), 5, (5, 5), 1, 0, 1, 1, True),
    ("conv2d", 2, 3, (4, 4), 2, (1, 1), 2, 1, 1, 1, True),
    ("conv1d", 2, 3, (10,), 4, (3,), 2, 1, 2, 1, True),
    ("conv1d", None, 2, (7,), 2, (2,), 1, "same", 1, 2, False),
    ("conv3d", 1, 2, (5, 4, 5), 3, (2, 3, 2), (1, 2, 1), (1, 0, 1), 1, 1, True),
    ("conv3d", 2, 2, (3, 3, 3), 2, (1, 1, 1), 1, 0, 1, 2, True),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}-{c[2]}x{c[3]}-k{c[5]}-s{c[6]}-p{c[7]}-d{c[8]}-g{c[9]}")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contig", "transposed", "sliced"])
def test_conv_forward_backward(case, dtype, layout):
    name, n, cin, sp, cout, k, stride, padding, dil, groups, bias = case
    xshape = ((n,) if n is not None else ()) + (cin,) + sp
    xo, xt = make(xshape, dtype, layout, True)
    wo, wt = make((cout, cin // groups) + k, dtype, "contig", True)
    bo, bt = make((cout,), dtype, "contig", True) if bias else (None, None)
    args = dict(stride=stride, padding=padding, dilation=dil, groups=groups)
    ro = getattr(OF, name)(xo, wo, bo, **args)
    rt = getattr(TF, name)(xt, wt, bt, **args)
    close(ro, rt, dtype)
    assert node(ro) == node(rt)
    grad_check(ro, rt, [(xo, xt), (wo, wt)] + ([(bo, bt)] if bias else []), dtype, scale=10)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_conv_half_forward(dtype):
    xo, xt = make((2, 3, 6, 6), dtype)
    wo, wt = make((4, 3, 3, 3), dtype)
    bo, bt = make((4,), dtype)
    close(OF.conv2d(xo, wo, bo, padding=1), TF.conv2d(xt, wt, bt, padding=1), dtype, scale=4)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_conv_half_backward(dtype):
    xo, xt = make((2, 3, 5, 5), dtype, requires_grad=True)
    wo, wt = make((4, 3, 3, 3), dtype, requires_grad=True)
    ro, rt = OF.conv2d(xo, wo, stride=2, padding=1), TF.conv2d(xt, wt, stride=2, padding=1)
    close(ro, rt, dtype, scale=4)
    grad_check(ro, rt, [(xo, xt), (wo, wt)], dtype, scale=8)


def test_conv_integer_dtype():
    a = RNG.integers(-5, 5, (2, 3, 6, 6))
    k = RNG.integers(-3, 3, (4, 3, 3, 3))
    ro = OF.conv2d(ot.from_numpy(a), ot.from_numpy(k), padding=1)
    rt = TF.conv2d(torch.from_numpy(a), torch.from_numpy(k), padding=1)
    assert str(ro.dtype) == str(rt.dtype)
    np.testing.assert_array_equal(ro.numpy(), rt.numpy())


def test_conv_only_needed_grads():
    xo, xt = make((2, 3, 5, 5), "float64")
    wo, wt = make((2, 3, 3, 3), "float64", requires_grad=True)
    ro, rt = OF.conv2d(xo, wo), TF.conv2d(xt, wt)
    grad_check(ro, rt, [(xo, xt), (wo, wt)], "float64")
    xo, xt = make((2, 3, 5, 5), "float64", requires_grad=True)
    wo, wt = make((2, 3, 3, 3), "float64")
    bo, bt = make((2,), "float64")
    ro, rt = OF.conv2d(xo, wo, bo), TF.conv2d(xt, wt, bt)
    grad_check(ro, rt, [(xo, xt), (wo, wt), (bo, bt)], "float64")


def test_conv_zero_batch_and_toplevel():
    xo, xt = make((0, 3, 5, 5))
    wo, wt = make((2, 3, 3, 3))
    close(ot.conv2d(xo, wo), torch.conv2d(xt, wt))
    xo, xt = make((2, 3, 8))
    wo, wt = make((2, 3, 3))
    close(ot.conv1d(xo, wo, None, 2), torch.conv1d(xt, wt, None, 2))


def test_conv_no_grad_mode():
    xo, _ = make((1, 2, 4, 4), requires_grad=True)
    wo, _ = make((1, 2, 3, 3), requires_grad=True)
    with ot.no_grad():
        r = OF.conv2d(xo, wo)
    assert r.grad_fn is None and not r.requires_grad


# (name, input shape, weight shape, kwargs)
TCONV_CASES = [
    ("conv_transpose2d", (2, 4, 5, 5), (4, 3, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ("conv_transpose2d", (1, 4, 3, 4), (4, 2, 2, 3), dict(stride=(1, 2), padding=(0, 1), groups=2, dilation=(2, 1))),
    ("conv_transpose1d", (2, 3, 6), (3, 2, 3), dict(stride=3, padding=2)),
    ("conv_transpose3d", (1, 2, 3, 3, 2), (2, 2, 2, 2, 2), dict(stride=2)),
    ("conv_transpose2d", (3, 5, 5), (3, 2, 3, 3), dict()),
]


@pytest.mark.parametrize("case", TCONV_CASES, ids=lambda c: f"{c[0]}-{c[1]}")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_transpose(case, dtype):
    name, xs, ws, kw = case
    xo, xt = make(xs, dtype, requires_grad=True)
    wo, wt = make(ws, dtype, requires_grad=True)
    cout = ws[1] * kw.get("groups", 1)
    bo, bt = make((cout,), dtype, requires_grad=True)
    ro = getattr(OF, name)(xo, wo, bo, **kw)
    rt = getattr(TF, name)(xt, wt, bt, **kw)
    close(ro, rt, dtype)
    grad_check(ro, rt, [(xo, xt), (wo, wt), (bo, bt)], dtype, scale=10)


CONV_ERRORS = [
    lambda F, x, w: F.conv2d(x[0, 0], w),
    lambda F, x, w: F.conv2d(x[:, :2], w),
    lambda F, x, w: F.conv2d(x, w[:, :2]),
    lambda F, x, w: F.conv2d(x, w, groups=2),
    lambda F, x, w: F.conv2d(x[:, :, :2, :2], w),
    lambda F, x, w: F.conv2d(x, w, stride=0),
    lambda F, x, w: F.conv2d(x, w, padding=-1),
    lambda F, x, w: F.conv2d(x, w, dilation=0),
    lambda F, x, w: F.conv2d(x, w, groups=0),
    lambda F, x, w: F.conv2d(x, w, padding="same", stride=2),
    lambda F, x, w: F.conv2d(x, w, padding="foo"),
    lambda F, x, w: F.conv2d(x, w, stride=(1, 1, 1)),
    lambda F, x, w: F.conv2d(x, w, padding=(1, 1, 1)),
    lambda F, x, w: F.conv2d(x, w[0]),
    lambda F, x, w: F.conv2d(x, w, x[0, 0, 0, :3]),
    lambda F, x, w: F.conv2d(x, w.double()),
    lambda F, x, w: F.conv2d(x, w[:0]),
    lambda F, x, w: F.conv1d(x, w),
    lambda F, x, w: F.conv_transpose2d(x, w),
]


@pytest.mark.parametrize("i", range(len(CONV_ERRORS)))
def test_conv_errors(i):
    xo, xt = make((2, 3, 8, 8))
    wo, wt = make((4, 3, 3, 3))
    same_error(lambda: CONV_ERRORS[i](OF, xo, wo), lambda: CONV_ERRORS[i](TF, xt, wt))


# ----- pooling -----

# (dims, input shape, kernel, stride, padding, dilation, ceil_mode)
MAXPOOL_CASES = [
    (2, (2, 3, 8, 8), 2, None, 0, 1, False),
    (2, (2, 3, 7, 9), 3, 2, 1, 1, False),
    (2, (2, 3, 7, 9), 3, 2, 1, 1, True),
    (2, (1, 2, 10, 9), (3, 2), (2, 3), (1, 1), (2, 3), True),
    (2, (3, 6, 5), 2, 1, 1, 1, False),
    (2, (1, 1, 5, 5), 2, 2, 0, 1, True),
    (2, (1, 1, 6, 6), 4, 3, 2, 1, True),
    (1, (2, 3, 11), 3, 2, 1, 2, False),
    (1, (3, 9), 2, None, 1, 1, True),
    (3, (1, 2, 5, 6, 7), 2, (1, 2, 2), (1, 0, 1), 1, False),
    (3, (2, 4, 4, 5), (2, 3, 2), 2, 0, (1, 1, 2), True),
]


@pytest.mark.parametrize("case", MAXPOOL_CASES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_max_pool(case, dtype):
    d, shape, k, s, p, dil, ceil = case
    xo, xt = make(shape, dtype, "sliced", True)
    kw = dict(stride=s, padding=p, dilation=dil, ceil_mode=ceil, return_indices=True)
    ro, io = getattr(OF, f"max_pool{d}d")(xo, k, **kw)
    rt, it = getattr(TF, f"max_pool{d}d")(xt, k, **kw)
    close(ro, rt, dtype)
    assert str(io.dtype) == "torch.int64"
    np.testing.assert_array_equal(io.numpy(), it.numpy())
    assert node(ro) == node(rt)
    grad_check(ro, rt, [(xo, xt)], dtype)


def test_max_pool_special_values():
    data = np.array([[[[1.0, np.nan, 3.0, -np.inf], [np.inf, 0.0, -0.0, 2.0],
                       [-np.inf, -np.inf, np.nan, np.nan], [5.0, 5.0, 5.0, 5.0]]]])
    for kw in [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1), dict(kernel_size=2, stride=1)]:
        xo, xt = make(data.shape, data=data)
        ro, io = OF.max_pool2d(xo, return_indices=True, **kw)
        rt, it = TF.max_pool2d(xt, return_indices=True, **kw)
        close(ro, rt)
        np.testing.assert_array_equal(io.numpy(), it.numpy())


def test_max_pool_toplevel_and_with_indices():
    xo, xt = make((2, 3, 9))
    a, b = ot.max_pool1d_with_indices(xo, 3), torch.max_pool1d_with_indices(xt, 3)
    close(a[0], b[0])
    np.testing.assert_array_equal(a[1].numpy(), b[1].numpy())
    xo, xt = make((2, 3, 6, 6))
    close(ot.max_pool2d(xo, 2), torch.max_pool2d(xt, 2))
    r = OF.max_pool2d_with_indices(xo, 2)
    assert isinstance(r, tuple) and len(r) == 2


# (dims, shape, kernel, stride, padding, ceil, count_include_pad, divisor)
AVGPOOL_CASES = [
    (2, (2, 3, 8, 8), 2, None, 0, False, True, None),
    (2, (2, 3, 7, 9), 3, 2, 1, False, True, None),
    (2, (2, 3, 7, 9), 3, 2, 1, True, False, None),
    (2, (2, 3, 7, 9), 3, 2, 1, True, True, None),
    (2, (1, 2, 6, 7), (3, 2), (2, 1), (1, 1), False, False, 5),
    (2, (3, 5, 5), 2, 2, 1, True, True, None),
    (1, (2, 3, 11), 3, 2, 1, True, False, None),
    (1, (3, 8), 4, None, 2, False, True, None),
    (3, (1, 2, 5, 6, 7), 2, (1, 2, 2), (1, 0, 1), False, True, None),
    (3, (2, 4, 5, 5), 3, 2, 1, True, False, 3),
]


@pytest.mark.parametrize("case", AVGPOOL_CASES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_avg_pool(case, dtype):
    d, shape, k, s, p, ceil, cip, div = case
    xo, xt = make(shape, dtype, "transposed", True)
    kw = dict(stride=s, padding=p, ceil_mode=ceil, count_include_pad=cip)
    if d > 1:
        kw["divisor_override"] = div
    ro = getattr(OF, f"avg_pool{d}d")(xo, k, **kw)
    rt = getattr(TF, f"avg_pool{d}d")(xt, k, **kw)
    close(ro, rt, dtype)
    assert node(ro) == node(rt)
    grad_check(ro, rt, [(xo, xt)], dtype)


ADAPTIVE_CASES = [
    (2, (2, 3, 8, 8), 3),
    (2, (2, 3, 7, 9), (4, 5)),
    (2, (3, 7, 9), (2, None)),
    (2, (2, 3, 5, 5), 1),
    (2, (1, 2, 4, 4), (6, 7)),
    (1, (2, 3, 10), 4),
    (1, (3, 7), 7),
    (3, (1, 2, 5, 6, 7), (2, 3, 4)),
]


@pytest.mark.parametrize("case", ADAPTIVE_CASES, ids=str)
@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_adaptive_pool(case, kind, dtype):
    d, shape, out = case
    xo, xt = make(shape, dtype, "contig", True)
    if kind == "avg":
        ro = getattr(OF, f"adaptive_avg_pool{d}d")(xo, out)
        rt = getattr(TF, f"adaptive_avg_pool{d}d")(xt, out)
    else:
        ro, io = getattr(OF, f"adaptive_max_pool{d}d")(xo, out, return_indices=True)
        rt, it = getattr(TF, f"adaptive_max_pool{d}d")(xt, out, return_indices=True)
        np.testing.assert_array_equal(io.numpy(), it.numpy())
    close(ro, rt, dtype)
    assert node(ro) == node(rt)
    grad_check(ro, rt, [(xo, xt)], dtype)


POOL_ERRORS = [
    "F.max_pool2d(x, 0)", "F.max_pool2d(x, 2, stride=0)", "F.max_pool2d(x, 2, padding=2)",
    "F.max_pool2d(x, 3, padding=-1)", "F.max_pool2d(x, 2, dilation=0)", "F.max_pool2d(x[0, 0], 2)",
    "F.max_pool2d(x, 9)", "F.max_pool2d(x, (2, 2, 2))", "F.max_pool2d(x[:, :0], 2)",
    "F.max_pool1d(x[0], 0)", "F.max_pool1d(x[0], 2, padding=2)", "F.max_pool1d(x[0], 9)",
    "F.max_pool1d(x[0, 0, 0], 2)", "F.max_pool1d(x, 2)", "F.max_pool3d(x[0], 2, padding=2)",
    "F.avg_pool2d(x, 0)", "F.avg_pool2d(x, 2, padding=2)", "F.avg_pool2d(x, 9)", "F.avg_pool2d(x[0, 0], 2)",
    "F.avg_pool1d(x[0], 9)", "F.avg_pool1d(x[0], 2, padding=2)", "F.avg_pool1d(x, 2)",
    "F.avg_pool2d(x, 2, divisor_override=0)", "F.adaptive_avg_pool2d(x[0, 0], 2)", "F.adaptive_avg_pool1d(x, 2)",
    "F.adaptive_max_pool2d(x[0, 0], 2)", "F.adaptive_avg_pool2d(x, (1, 2, 3))", "F.adaptive_max_pool1d(x, 2)",
]


@pytest.mark.parametrize("expr", POOL_ERRORS)
def test_pool_errors(expr):
    xo, xt = make((2, 3, 8, 8))
    same_error(lambda: eval(expr, {"F": OF, "x": xo}), lambda: eval(expr, {"F": TF, "x": xt}))


def test_pool_zero_batch():
    xo, xt = make((0, 3, 6, 6))
    close(OF.max_pool2d(xo, 2), TF.max_pool2d(xt, 2))
    close(OF.avg_pool2d(xo, 2), TF.avg_pool2d(xt, 2))
    close(OF.adaptive_avg_pool2d(xo, 2), TF.adaptive_avg_pool2d(xt, 2))


# ----- pad -----

PAD_CASES = [
    ((2, 3, 4, 5), (1, 2), "constant"),
    ((2, 3, 4, 5), (1, 2, 0, 3), "constant"),
    ((2, 3, 4, 5), (-1, 2, 1, -2), "constant"),
    ((2, 3, 4, 5), (1, 1, 1, 1, 1, 1), "constant"),
    ((3, 5), (2, 1), "constant"),
    ((2, 3, 4, 5), (2, 3, 1, 2), "reflect"),
    ((2, 3, 6), (5, 4), "reflect"),
    ((2, 2, 3, 4, 5), (1, 2, 2, 1, 1, 1), "reflect"),
    ((2, 3, 4, 5), (2, 3, 1, 4), "replicate"),
    ((3, 5), (2, 1), "replicate"),
    ((2, 2, 3, 4, 5), (1, 2, 2, 1, 1, 1), "replicate"),
    ((2, 3, 4, 5), (2, 3, 1, 4), "circular"),
    ((2, 3, 6), (-1, 2), "circular"),
]


@pytest.mark.parametrize("case", PAD_CASES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pad(case, dtype):
    shape, p, mode = case
    xo, xt = make(shape, dtype, "transposed", True)
    kw = {"value": 1.5} if mode == "constant" else {}
    ro, rt = OF.pad(xo, p, mode=mode, **kw), TF.pad(xt, p, mode=mode, **kw)
    close(ro, rt, dtype)
    assert node(ro) == node(rt)
    grad_check(ro, rt, [(xo, xt)], dtype)


def test_pad_int_dtype_and_constant_pad_nd():
    a = np.arange(12).reshape(3, 4)
    o, t = ot.from_numpy(a), torch.from_numpy(a)
    ro, rt = OF.pad(o, (1, 1, 2, 0), value=7), TF.pad(t, (1, 1, 2, 0), value=7)
    assert str(ro.dtype) == str(rt.dtype)
    np.testing.assert_array_equal(ro.numpy(), rt.numpy())
    np.testing.assert_array_equal(ot.constant_pad_nd(o, (1, 2)).numpy(), torch.constant_pad_nd(t, (1, 2)).numpy())


PAD_ERRORS = [
    "F.pad(x, (1,))", "F.pad(x, (1, 1), mode='reflect')", "F.pad(x, (8, 1, 1, 1), mode='reflect')",
    "F.pad(x, (-9, 0))", "F.pad(x, (1, 1), mode='foo')",
]


@pytest.mark.parametrize("expr", PAD_ERRORS)
def test_pad_errors(expr):
    xo, xt = make((2, 3, 8, 8))
    same_error(lambda: eval(expr, {"F": OF, "x": xo}), lambda: eval(expr, {"F": TF, "x": xt}))


# ----- interpolate -----

INTERP_CASES = [
    ((2, 3, 4, 5), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 4, 5), dict(size=(7, 3), mode="nearest")),
    ((2, 3, 5, 5), dict(scale_factor=1.7, mode="nearest")),
    ((2, 3, 5, 5), dict(scale_factor=(0.5, 2.5), mode="nearest-exact")),
    ((2, 3, 7), dict(size=4, mode="nearest")),
    ((1, 2, 2, 3, 4), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 4, 5), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 4, 5), dict(scale_factor=2, mode="bilinear", align_corners=True)),
    ((2, 3, 6, 5), dict(size=(4, 9), mode="bilinear")),
    ((2, 3, 6, 5), dict(size=(4, 9), mode="bilinear", align_corners=True)),
    ((2, 3, 5, 5), dict(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True)),
    ((2, 3, 5, 5), dict(scale_factor=0.6, mode="bilinear")),
    ((2, 3, 8), dict(scale_factor=1.5, mode="linear")),
    ((1, 2, 3, 4, 3), dict(size=(4, 5, 6), mode="trilinear", align_corners=True)),
    ((2, 3, 6, 6), dict(size=(3, 4), mode="area")),
]


@pytest.mark.parametrize("case", INTERP_CASES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_interpolate(case, dtype):
    shape, kw = case
    xo, xt = make(shape, dtype, "contig", True)
    ro, rt = OF.interpolate(xo, **kw), TF.interpolate(xt, **kw)
    close(ro, rt, dtype)
    assert node(ro) == node(rt)
    grad_check(ro, rt, [(xo, xt)], dtype)


INTERP_ERRORS = [
    "F.interpolate(x)", "F.interpolate(x, size=3, scale_factor=2)", "F.interpolate(x, size=(3,))",
    "F.interpolate(x, scale_factor=2, align_corners=True)", "F.interpolate(x, scale_factor=2, mode='linear')",
    "F.interpolate(x, size=3, recompute_scale_factor=True)",
]


@pytest.mark.parametrize("expr", INTERP_ERRORS)
def test_interpolate_errors(expr):
    xo, xt = make((2, 3, 8, 8))
    same_error(lambda: eval(expr, {"F": OF, "x": xo}), lambda: eval(expr, {"F": TF, "x": xt}))


# ----- unfold / fold -----

UNFOLD_CASES = [
    ((2, 3, 6, 7), dict(kernel_size=3)),
    ((2, 3, 6, 7), dict(kernel_size=(2, 3), dilation=(2, 1), padding=1, stride=(2, 1))),
    ((3, 5, 5), dict(kernel_size=2, stride=2)),
]


@pytest.mark.parametrize("case", UNFOLD_CASES, ids=str)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unfold_fold(case, dtype):
    shape, kw = case
    xo, xt = make(shape, dtype, "sliced", True)
    uo, ut = OF.unfold(xo, **kw), TF.unfold(xt, **kw)
    close(uo, ut, dtype)
    assert node(uo) == node(ut)
    grad_check(uo, ut, [(xo, xt)], dtype)
    co, ct = make(tuple(ut.shape), dtype, "contig", True)
    fo, ft = OF.fold(co, shape[-2:], **kw), TF.fold(ct, shape[-2:], **kw)
    close(fo, ft, dtype)
    assert node(fo) == node(ft)
    grad_check(fo, ft, [(co, ct)], dtype)


FOLD_ERRORS = [
    "F.unfold(x[0, 0], 2)", "F.unfold(x, 9)", "F.unfold(x, 0)", "F.fold(x[0, 0], (4, 4), 2)",
    "F.fold(x[0], (4, 4), 2)", "F.fold(x[:, :, 0], (4, 4), 2)",
]


@pytest.mark.parametrize("expr", FOLD_ERRORS)
def test_fold_errors(expr):
    xo, xt = make((2, 4, 8, 8))
    same_error(lambda: eval(expr, {"F": OF, "x": xo}), lambda: eval(expr, {"F": TF, "x": xt}))


# ----- a small CNN end to end -----

def test_cnn_training_step_matches_torch():
    params = {}
    for name, shape in [("w1", (4, 1, 3, 3)), ("b1", (4,)), ("w2", (6, 4, 3, 3)), ("b2", (6,)),
                        ("w3", (10, 24)), ("b3", (10,))]:
        params[name] = make(shape, "float64", requires_grad=True)
    xo, xt = make((5, 1, 10, 10), "float64")

    def net(F, lib, x, p):
        h = F.max_pool2d(lib.relu(F.conv2d(x, p["w1"], p["b1"], padding=1)), 2)
        h = F.avg_pool2d(lib.relu(F.conv2d(h, p["w2"], p["b2"])), 1)
        h = F.adaptive_max_pool2d(h, 2)
        h = h.reshape(h.shape[0], -1)
        return (h @ p["w3"].t() + p["b3"]).sum()

    lo = net(OF, ot, xo, {k: v[0] for k, v in params.items()})
    lt = net(TF, torch, xt, {k: v[1] for k, v in params.items()})
    lo.backward()
    lt.backward()
    close(lo, lt, "float64")
    for o, t in params.values():
        close(o.grad, t.grad, "float64")
