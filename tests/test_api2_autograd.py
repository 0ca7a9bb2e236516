"""torch.autograd.functional, detect_anomaly/set_detect_anomaly and Variable (api2) against real torch."""
import numpy as np
import pytest
import torch

import oxytorch as ot

RNG = np.random.default_rng(5)
A = RNG.standard_normal((3, 2))
B = RNG.standard_normal(3)
M = RNG.standard_normal((2, 2))


def f_single(lib):
    return lambda x: (x.sin() * x).sum(0) * 2 + x[0] ** 3


def f_pair(lib):
    return lambda x, y: (x.exp() @ y, (x * x).sum() + y.tanh().sum())


def f_scalar(lib):
    return lambda x: (x ** 3).sum() + (x[0] * x[1:]).sum().exp()


def f_scalar2(lib):
    return lambda x, y: (x.sin() ** 2).sum() * y.prod() + (y ** 4).sum()


def _np(x):
    if isinstance(x, tuple):
        return tuple(_np(e) for e in x)
    return np.asarray(x.detach().numpy())


def _same(o, t):
    if isinstance(t, tuple):
        assert isinstance(o, tuple) and len(o) == len(t)
        for a, b in zip(o, t):
            _same(a, b)
        return
    assert tuple(o.shape) == tuple(t.shape)
    assert o.requires_grad == t.requires_grad
    np.testing.assert_allclose(_np(o), _np(t), rtol=1e-10, atol=1e-12)


def _T(a, lib):
    return lib.tensor(a, dtype=lib.float64)


CASES = [
    ("vjp", f_single, lambda lib: (_T(A, lib),), lambda lib: {"v": _T(np.ones(2), lib)}),
    ("vjp", f_pair, lambda lib: ((_T(M, lib), _T(M[0], lib)),), lambda lib: {"v": (_T(B[:2], lib), _T(1.5, lib))}),
    ("vjp", f_scalar, lambda lib: (_T(B, lib),), lambda lib: {}),
    ("jvp", f_single, lambda lib: (_T(A, lib),), lambda lib: {"v": _T(A * 0.5, lib)}),
    ("jvp", f_pair, lambda lib: ((_T(M, lib), _T(M[0], lib)),), lambda lib: {"v": (_T(M, lib), _T(B[:2], lib))}),
    ("jacobian", f_single, lambda lib: (_T(A, lib),), lambda lib: {}),
    ("jacobian", f_pair, lambda lib: ((_T(M, lib), _T(M[0], lib)),), lambda lib: {}),
    ("jacobian", f_pair, lambda lib: ((_T(M, lib), _T(M[0], lib)),), lambda lib: {"vectorize": True}),
    ("hessian", f_scalar, lambda lib: (_T(B, lib),), lambda lib: {}),
    ("hessian", f_scalar2, lambda lib: ((_T(B, lib), _T(B[:2], lib)),), lambda lib: {}),
    ("vhp", f_scalar, lambda lib: (_T(B, lib),), lambda lib: {"v": _T(B[::-1].copy(), lib)}),
    ("hvp", f_scalar, lambda lib: (_T(B, lib),), lambda lib: {"v": _T(B[::-1].copy(), lib)}),
    ("vhp", f_scalar2, lambda lib: ((_T(B, lib), _T(B[:2], lib)),), lambda lib: {"v": (_T(B, lib), _T(B[:2], lib))}),
    ("hvp", f_scalar2, lambda lib: ((_T(B, lib), _T(B[:2], lib)),), lambda lib: {"v": (_T(B, lib), _T(B[:2], lib))}),
]


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_functional(case, create_graph):
    name, fn, args, kw = CASES[case]
    rt = getattr(torch.autograd.functional, name)(fn(torch), *args(torch), create_graph=create_graph, **kw(torch))
    ro = getattr(ot.autograd.functional, name)(fn(ot), *args(ot), create_graph=create_graph, **kw(ot))
    _same(ro, rt)


def test_create_graph_is_differentiable():
    for lib in (torch, ot):
        x = lib.tensor(B, dtype=lib.float64, requires_grad=True)
        h = lib.autograd.functional.hessian(f_scalar(lib), x, create_graph=True)
        h.sum().backward()
        if lib is torch:
            ref = x.grad.numpy()
        else:
            np.testing.assert_allclose(np.asarray(x.grad.numpy()), ref, rtol=1e-10)


ERRS = [
    ("vjp", lambda lib: f_single(lib), lambda lib: (_T(A, lib),), {}),
    ("vjp", lambda lib: f_single(lib), lambda lib: (_T(A, lib), _T(np.ones(3), lib)), {}),
    ("jvp", lambda lib: f_single(lib), lambda lib: (_T(A, lib),), {}),
    ("jvp", lambda lib: f_pair(lib), lambda lib: ((_T(M, lib), _T(M[0], lib)), (_T(M, lib),)), {}),
    ("jacobian", lambda lib: (lambda x: lib.ones(2, dtype=lib.float64)), lambda lib: (_T(B, lib),), {"strict": True}),
    ("jacobian", lambda lib: (lambda x, y: x * 2), lambda lib: ((_T(B, lib), _T(B, lib)),), {"strict": True}),
    ("jacobian", lambda lib: f_single(lib), lambda lib: ([1.0],), {}),
    ("hessian", lambda lib: f_single(lib), lambda lib: (_T(A, lib),), {}),
    ("hessian", lambda lib: (lambda x: (x.sum(), x.sum())), lambda lib: (_T(B, lib),), {}),
    ("hessian", lambda lib: (lambda x: (2 * x).sum()), lambda lib: (_T(B, lib),), {"strict": True}),
    ("vhp", lambda lib: f_single(lib), lambda lib: (_T(A, lib), _T(A, lib)), {}),
    ("jacobian", lambda lib: f_single(lib), lambda lib: (_T(A, lib),), {"strategy": "forward-mode"}),
]


@pytest.mark.parametrize("case", range(len(ERRS)))
def test_errors(case):
    name, fn, args, kw = ERRS[case]
    with pytest.raises(Exception) as et:
        getattr(torch.autograd.functional, name)(fn(torch), *args(torch), **kw)
    with pytest.raises(Exception) as eo:
        getattr(ot.autograd.functional, name)(fn(ot), *args(ot), **kw)
    assert type(eo.value) is type(et.value)
    assert str(eo.value).replace("oxytorch", "torch") == str(et.value)


def test_non_strict_zero_fill():
    for lib in (torch, ot):
        j = lib.autograd.functional.jacobian(lambda x, y: x * 2, (_T(B, lib), _T(B[:2], lib)))
        if lib is torch:
            ref = j
        else:
            _same(j, ref)


def test_anomaly_modes():
    assert not ot.is_anomaly_enabled()
    with pytest.warns(UserWarning, match="Anomaly Detection has been enabled"):
        ctx = ot.autograd.detect_anomaly(check_nan=False)
    with ctx:
        assert ot.is_anomaly_enabled() and not ot.is_anomaly_check_nan_enabled()
        x = ot.ones(2, requires_grad=True)
        (x * 2).sum().backward()
    assert not ot.is_anomaly_enabled() and ot.is_anomaly_check_nan_enabled()
    with ot.autograd.set_detect_anomaly(True):
        assert ot.is_anomaly_enabled()
    assert not ot.is_anomaly_enabled()
    ot.autograd.set_detect_anomaly(True)
    assert ot.is_anomaly_enabled()
    ot.autograd.set_detect_anomaly(False)

    with pytest.warns(UserWarning):
        dm = ot.autograd.detect_anomaly()
    with pytest.raises(TypeError):  # not a decorator in torch either
        dm(lambda: None)
    with pytest.raises(TypeError):
        ot.autograd.set_detect_anomaly(False)(lambda: None)


def test_variable():
    for lib in (torch, ot):
        t = lib.ones(3)
        v = lib.autograd.Variable(t, requires_grad=True)
        assert v.requires_grad and v.is_leaf
        assert isinstance(t, lib.autograd.Variable)
        assert not isinstance(3, lib.autograd.Variable)
        v2 = lib.autograd.Variable(t)
        assert not v2.requires_grad
        v2.add_(1)
        assert float(t[0]) == 2.0
