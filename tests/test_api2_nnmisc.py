"""gumbel_softmax, local_response_norm, lp_pool, max_unpool, pdist, affine_grid, grid_sample and their
modules (api2) against real torch."""
import warnings

import numpy as np
import pytest
import torch

import oxytorch as ot

RNG = np.random.default_rng(1)


def _pair(shape, lo=-2, hi=2, grad=True):
    a = RNG.uniform(lo, hi, shape)
    return (torch.tensor(a, dtype=torch.float64, requires_grad=grad),
            ot.tensor(a, dtype=ot.float64, requires_grad=grad))


def _same(o, t, rtol=1e-10, atol=1e-12):
    assert tuple(o.shape) == tuple(t.shape)
    assert str(o.dtype) == str(t.dtype)
    np.testing.assert_allclose(np.asarray(o.detach().numpy()), t.detach().numpy(), rtol=rtol, atol=atol)


def _check_grad(ro, rt, xo, xt, rtol=1e-9):
    g = RNG.standard_normal(tuple(rt.shape))
    (rt * torch.tensor(g)).sum().backward()
    (ro * ot.tensor(g)).sum().backward()
    for a, b in zip(xo, xt):
        _same(a.grad, b.grad, rtol, 1e-10)


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("dim", [-1, 0])
def test_gumbel_softmax(hard, dim):
    xt, xo = _pair((3, 5))
    torch.manual_seed(7)
    ot.manual_seed(7)
    rt = torch.nn.functional.gumbel_softmax(xt, tau=0.7, hard=hard, dim=dim)
    ro = ot.nn.functional.gumbel_softmax(xo, tau=0.7, hard=hard, dim=dim)
    _same(ro, rt, 1e-7, 1e-7)
    _check_grad(ro, rt, [xo], [xt], 1e-6)


@pytest.mark.parametrize("shape", [(2, 6, 5), (2, 6, 4, 3), (1, 4, 2, 2, 3)])
@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_local_response_norm(shape, size):
    xt, xo = _pair(shape)
    rt = torch.nn.functional.local_response_norm(xt, size, alpha=0.1, beta=0.6, k=2.0)
    ro = ot.nn.functional.local_response_norm(xo, size, alpha=0.1, beta=0.6, k=2.0)
    _same(ro, rt)
    _check_grad(ro, rt, [xo], [xt])
    m_t, m_o = torch.nn.LocalResponseNorm(size), ot.nn.LocalResponseNorm(size)
    assert repr(m_o) == repr(m_t)
    _same(m_o(xo.detach()), m_t(xt.detach()))


def test_lrn_errors():
    with pytest.raises(ValueError, match=r"Expected 3D or higher dimensionality input \(got 2 dimensions\)"):
        ot.nn.functional.local_response_norm(ot.ones(2, 3), 2)


LP = [(1, (2, 3, 7), 2, None), (1, (2, 3, 7), 3, 2), (2, (2, 2, 5, 6), (2, 3), None), (2, (1, 2, 5, 6), 2, 1),
      (3, (1, 2, 4, 4, 5), 2, None), (3, (1, 1, 4, 5, 5), (2, 1, 3), (1, 2, 2))]


@pytest.mark.parametrize("nd,shape,ks,stride", LP)
@pytest.mark.parametrize("p", [1, 2.0, 3.5, float("inf")])
def test_lp_pool(nd, shape, ks, stride, p):
    xt, xo = _pair(shape, 0.1, 2)
    rt = getattr(torch.nn.functional, f"lp_pool{nd}d")(xt, p, ks, stride)
    ro = getattr(ot.nn.functional, f"lp_pool{nd}d")(xo, p, ks, stride)
    _same(ro, rt)
    _check_grad(ro, rt, [xo], [xt])
    mt = getattr(torch.nn, f"LPPool{nd}d")(p, ks, stride)
    mo = getattr(ot.nn, f"LPPool{nd}d")(p, ks, stride)
    assert repr(mo) == repr(mt)
    _same(mo(xo.detach()), mt(xt.detach()))
    with pytest.raises(ValueError, match="norm_type must be a non-zero value, but got 0"):
        getattr(ot.nn.functional, f"lp_pool{nd}d")(xo, 0, ks)


UNPOOL = [(1, (2, 3, 8), 2, None, 0, None), (1, (3, 9), 3, 2, 1, None), (2, (2, 2, 6, 6), 2, None, 0, None),
          (2, (1, 3, 7, 5), 3, 2, 1, None), (2, (2, 2, 7, 7), 2, None, 0, (2, 2, 7, 7)),
          (3, (1, 2, 4, 4, 4), 2, None, 0, None), (2, (2, 5, 5), 2, 2, 0, [5, 5])]


@pytest.mark.parametrize("nd,shape,ks,stride,pad,osize", UNPOOL)
def test_max_unpool(nd, shape, ks, stride, pad, osize):
    a = RNG.standard_normal(shape)
    pt = getattr(torch.nn.functional, f"max_pool{nd}d")(torch.tensor(a), ks, stride, pad, return_indices=True)
    vt = pt[0].detach().clone().requires_grad_(True)
    vo = ot.tensor(vt.detach().numpy(), requires_grad=True)
    io = ot.tensor(pt[1].numpy())
    rt = getattr(torch.nn.functional, f"max_unpool{nd}d")(vt, pt[1], ks, stride, pad, osize)
    ro = getattr(ot.nn.functional, f"max_unpool{nd}d")(vo, io, ks, stride, pad, osize)
    _same(ro, rt)
    _check_grad(ro, rt, [vo], [vt])
    mt = getattr(torch.nn, f"MaxUnpool{nd}d")(ks, stride, pad)
    mo = getattr(ot.nn, f"MaxUnpool{nd}d")(ks, stride, pad)
    assert repr(mo) == repr(mt)
    _same(mo(vo.detach(), io, osize), mt(vt.detach(), pt[1], osize))


def test_max_unpool_errors():
    x = ot.ones(1, 1, 2, 2)
    i = ot.zeros(1, 1, 2, 2, dtype=ot.int64)
    for osize in ([1, 2, 3], [9, 4]):
        with pytest.raises(ValueError) as eo:
            ot.nn.functional.max_unpool2d(x, i, 2, output_size=osize)
        with pytest.raises(ValueError) as et:
            torch.nn.functional.max_unpool2d(torch.ones(1, 1, 2, 2), torch.zeros(1, 1, 2, 2, dtype=torch.long), 2,
                                             output_size=osize)
        assert str(eo.value) == str(et.value)
    with pytest.raises(RuntimeError):
        ot.nn.functional.max_unpool2d(x, i + 100, 2)


@pytest.mark.parametrize("n,m,p", [(5, 3, 2), (4, 6, 1), (6, 2, 3.0), (1, 3, 2), (3, 3, float("inf"))])
def test_pdist(n, m, p):
    xt, xo = _pair((n, m))
    rt = torch.nn.functional.pdist(xt, p)
    ro = ot.nn.functional.pdist(xo, p)
    _same(ro, rt)
    if rt.numel():
        _check_grad(ro, rt, [xo], [xt])


def test_pdist_errors():
    for x, p in ((ot.ones(3), 2), (ot.ones(3, 2), -1)):
        with pytest.raises(RuntimeError):
            ot.nn.functional.pdist(x, p)


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (1, 1, 3, 1), (2, 1, 2, 3, 4)])
@pytest.mark.parametrize("align", [True, False])
def test_affine_grid(size, align):
    th = (2, 3) if len(size) == 4 else (3, 4)
    xt, xo = _pair((size[0],) + th)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rt = torch.nn.functional.affine_grid(xt, size, align_corners=align)
        ro = ot.nn.functional.affine_grid(xo, size, align_corners=align)
    _same(ro, rt)
    _check_grad(ro, rt, [xo], [xt])


def test_affine_grid_errors():
    for th, size in ((ot.ones(1, 2, 3, dtype=ot.int64), (1, 1, 2, 2)), (ot.ones(1, 3, 3), (1, 1, 2, 2)),
                     (ot.ones(1, 2, 3), (1, 2, 3)), (ot.ones(1, 2, 3), (1, 1, 0, 2))):
        tt = torch.tensor(th.numpy())
        with pytest.raises(Exception) as et:
            torch.nn.functional.affine_grid(tt, size, align_corners=False)
        with pytest.raises(Exception) as eo:
            ot.nn.functional.affine_grid(th, size, align_corners=False)
        assert type(eo.value) is type(et.value) and str(eo.value) == str(et.value)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [True, False])
def test_grid_sample(mode, padding_mode, align):
    xt, xo = _pair((2, 3, 5, 4))
    gt, go = _pair((2, 6, 7, 2), -1.4, 1.4)
    rt = torch.nn.functional.grid_sample(xt, gt, mode, padding_mode, align)
    ro = ot.nn.functional.grid_sample(xo, go, mode, padding_mode, align)
    _same(ro, rt)
    if mode == "bilinear":
        _check_grad(ro, rt, [xo, go], [xt, gt])
    else:
        _check_grad(ro, rt, [xo], [xt])


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [True, False])
def test_grid_sample_5d(mode, padding_mode, align):
    xt, xo = _pair((2, 2, 3, 4, 5))
    gt, go = _pair((2, 3, 2, 4, 3), -1.3, 1.3)
    rt = torch.nn.functional.grid_sample(xt, gt, mode, padding_mode, align)
    ro = ot.nn.functional.grid_sample(xo, go, mode, padding_mode, align)
    _same(ro, rt)
    _check_grad(ro, rt, [xo, go] if mode == "bilinear" else [xo], [xt, gt] if mode == "bilinear" else [xt])


@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align", [True, False])
def test_grid_sample_bicubic(padding_mode, align):
    xt, xo = _pair((2, 3, 5, 6))
    gt, go = _pair((2, 4, 3, 2), -1.3, 1.3)
    rt = torch.nn.functional.grid_sample(xt, gt, "bicubic", padding_mode, align)
    ro = ot.nn.functional.grid_sample(xo, go, "bicubic", padding_mode, align)
    _same(ro, rt)
    _check_grad(ro, rt, [xo, go], [xt, gt])


def test_grid_sample_errors():
    with pytest.raises(ValueError) as eo:
        ot.nn.functional.grid_sample(ot.ones(1, 1, 2, 2), ot.zeros(1, 2, 2, 2), mode="foo")
    with pytest.raises(ValueError) as et:
        torch.nn.functional.grid_sample(torch.ones(1, 1, 2, 2), torch.zeros(1, 2, 2, 2), mode="foo")
    assert str(eo.value) == str(et.value)
    with pytest.warns(UserWarning):
        ot.nn.functional.grid_sample(ot.ones(1, 1, 2, 2), ot.zeros(1, 2, 2, 2))


FRAC = [(2, (2, 3, 9, 11), 2, (4, 5), None), (2, (3, 10, 10), 3, None, (0.5, 0.6)),
        (3, (1, 2, 7, 8, 9), 2, (3, 4, 5), None), (2, (2, 2, 9, 9), (2, 3), (7, 7), None),
        (3, (2, 7, 8, 9), (1, 2, 3), None, (0.5, 0.5, 0.5)), (2, (1, 1, 5, 5), 2, (1, 1), None)]


@pytest.mark.parametrize("nd,shape,ks,osz,ratio", FRAC)
@pytest.mark.parametrize("dt", ["float32", "float64"])
def test_fractional_max_pool(nd, shape, ks, osz, ratio, dt):
    a = RNG.standard_normal(shape)
    torch.manual_seed(1)
    ot.manual_seed(1)
    xt = torch.tensor(a, dtype=getattr(torch, dt), requires_grad=True)
    xo = ot.tensor(a, dtype=getattr(ot, dt), requires_grad=True)
    rt, it = getattr(torch.nn.functional, f"fractional_max_pool{nd}d")(xt, ks, osz, ratio, return_indices=True)
    ro, io = getattr(ot.nn.functional, f"fractional_max_pool{nd}d")(xo, ks, osz, ratio, return_indices=True)
    _same(ro, rt, 0, 0)
    assert str(io.dtype) == str(it.dtype)
    np.testing.assert_array_equal(np.asarray(io.numpy()), it.numpy())
    _check_grad(ro, rt, [xo], [xt])
    assert float(ot.rand(1)) == float(torch.rand(1))  # same RNG consumption
    samples = torch.rand(shape[0] if len(shape) == nd + 2 else 1, shape[-nd - 1], nd, dtype=getattr(torch, dt))
    mt = getattr(torch.nn, f"FractionalMaxPool{nd}d")(ks, osz, ratio, _random_samples=samples)
    mo = getattr(ot.nn, f"FractionalMaxPool{nd}d")(ks, osz, ratio,
                                                   _random_samples=ot.tensor(samples.numpy()))
    assert repr(mo) == repr(mt)
    _same(mo(xo.detach()), mt(xt.detach()), 0, 0)


def test_fractional_max_pool_errors():
    x = ot.ones(1, 1, 5, 5)
    cases = [lambda lib, xx: lib.nn.functional.fractional_max_pool2d(xx, 2),
             lambda lib, xx: lib.nn.functional.fractional_max_pool2d(xx, 3, (4, 4)),
             lambda lib, xx: lib.nn.FractionalMaxPool2d(2),
             lambda lib, xx: lib.nn.FractionalMaxPool2d(2, (2, 2), 0.5),
             lambda lib, xx: lib.nn.FractionalMaxPool3d(2, output_ratio=1.5)]
    for f in cases:
        with pytest.raises(Exception) as et:
            f(torch, torch.ones(1, 1, 5, 5))
        with pytest.raises(Exception) as eo:
            f(ot, x)
        assert type(eo.value) is type(et.value) and str(eo.value) == str(et.value)


@pytest.mark.parametrize("size", [1, 2, 3, 4, 7])
@pytest.mark.parametrize("channels", [1, 3, 9])
def test_cross_map_lrn2d(size, channels):
    xt, xo = _pair((2, channels, 3, 2))
    mt = torch.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.7, k=2)
    mo = ot.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.7, k=2)
    assert repr(mo) == repr(mt)
    rt, ro = mt(xt), mo(xo)
    _same(ro, rt)
    g = RNG.standard_normal(tuple(rt.shape))
    try:  # torch's legacy backward (reproduced, error included)
        (rt * torch.tensor(g)).sum().backward()
    except RuntimeError as e:
        with pytest.raises(RuntimeError) as eo:
            (ro * ot.tensor(g)).sum().backward()
        assert str(eo.value) == str(e)
        return
    (ro * ot.tensor(g)).sum().backward()
    _same(xo.grad, xt.grad)
    with pytest.raises(ValueError, match="CrossMapLRN2d: Expected input to be 4D, got 3D instead."):
        mo(ot.ones(1, 2, 3))


def test_nll_loss_2d():
    with pytest.warns(FutureWarning, match="`NLLLoss2d` has been deprecated"):
        m = ot.nn.NLLLoss2d(reduction="sum")
    assert isinstance(m, ot.nn.NLLLoss)
    x = RNG.standard_normal((2, 3, 4, 4))
    t = RNG.integers(0, 3, (2, 4, 4))
    with pytest.warns(FutureWarning):
        mt = torch.nn.NLLLoss2d(reduction="sum")
    _same(m(ot.tensor(x), ot.tensor(t)), mt(torch.tensor(x), torch.tensor(t)))


LAZY = [("LazyConvTranspose1d", (4, 3), {"stride": 2}, (2, 5, 7)),
        ("LazyConvTranspose2d", (4, 3), {"groups": 1, "output_padding": 1, "stride": 2}, (2, 3, 5, 6)),
        ("LazyConvTranspose3d", (2, 2), {"bias": False}, (1, 3, 3, 4, 4)),
        ("LazyConvTranspose2d", (4, 3), {}, (3, 5, 6)),
        ("LazyInstanceNorm1d", (), {}, (2, 5, 7)), ("LazyInstanceNorm2d", (), {"affine": False}, (2, 3, 5, 6)),
        ("LazyInstanceNorm3d", (), {"track_running_stats": False}, (1, 3, 3, 4, 4))]


@pytest.mark.parametrize("name,args,kw,shape", LAZY, ids=[f"{c[0]}-{i}" for i, c in enumerate(LAZY)])
def test_lazy_modules(name, args, kw, shape):
    torch.manual_seed(5)
    ot.manual_seed(5)
    mt = getattr(torch.nn, name)(*args, **kw)
    mo = getattr(ot.nn, name)(*args, **kw)
    assert mo.has_uninitialized_params() == mt.has_uninitialized_params()
    x = RNG.standard_normal(shape).astype(np.float32)
    rt, ro = mt(torch.tensor(x)), mo(ot.tensor(x))
    assert type(mo).__name__ == type(mt).__name__
    assert repr(mo) == repr(mt)
    for (no, po), (nt, pt) in zip(mo.state_dict().items(), mt.state_dict().items()):
        assert no == nt
        np.testing.assert_allclose(np.asarray(po.numpy()), pt.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(ro.detach().numpy()), rt.detach().numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cutoffs,head_bias,batched", [([3, 7], False, True), ([2], True, True), ([3, 7], False, False)])
def test_adaptive_log_softmax(cutoffs, head_bias, batched):
    torch.manual_seed(9)
    ot.manual_seed(9)
    mt = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 12, cutoffs, div_value=2.0, head_bias=head_bias)
    mo = ot.nn.AdaptiveLogSoftmaxWithLoss(8, 12, cutoffs, div_value=2.0, head_bias=head_bias)
    assert repr(mo) == repr(mt)
    for (no, po), (nt, pt) in zip(mo.state_dict().items(), mt.state_dict().items()):
        assert no == nt
        np.testing.assert_allclose(np.asarray(po.numpy()), pt.numpy(), rtol=1e-6)
    x = RNG.standard_normal((6, 8)).astype(np.float32)
    t = np.array([0, 11, 4, 2, 7, 9])
    if not batched:
        x, t = x[0], t[1]
    xt, xo = torch.tensor(x, requires_grad=True), ot.tensor(x, requires_grad=True)
    rt, ro = mt(xt, torch.tensor(t)), mo(xo, ot.tensor(t))
    np.testing.assert_allclose(np.asarray(ro.output.detach().numpy()), rt.output.detach().numpy(), rtol=1e-5,
                               atol=1e-6)
    np.testing.assert_allclose(float(ro.loss.detach()), float(rt.loss.detach()), rtol=1e-5)
    rt.loss.backward()
    ro.loss.backward()
    np.testing.assert_allclose(np.asarray(xo.grad.numpy()), xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    for po, pt in zip(mo.parameters(), mt.parameters()):
        assert (po.grad is None) == (pt.grad is None)
        if pt.grad is not None:
            np.testing.assert_allclose(np.asarray(po.grad.numpy()), pt.grad.numpy(), rtol=1e-4, atol=1e-6)
    if batched:
        np.testing.assert_allclose(np.asarray(mo.log_prob(ot.tensor(x)).detach().numpy()),
                                   mt.log_prob(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
        np.testing.assert_array_equal(np.asarray(mo.predict(ot.tensor(x)).numpy()), mt.predict(torch.tensor(x)).numpy())
        with pytest.raises(RuntimeError, match=r"Target values should be in \[0, 11\]"):
            mo(ot.tensor(x), ot.tensor([0, 1, 2, 3, 4, 12]))
    with pytest.raises(ValueError, match="cutoffs should be a sequence of unique"):
        ot.nn.AdaptiveLogSoftmaxWithLoss(8, 12, [7, 3])
