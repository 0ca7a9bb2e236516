"""nn.utils.parametrize, nn.utils.parametrizations (weight_norm, spectral_norm), ConvTranspose modules and the
Tensor.new_* factories, against real torch."""
import copy

import numpy as np
import pytest
import torch

import oxytorch as ot


def _np(t):
    return t.detach().numpy()


def _sym(L):
    class Sym(L.nn.Module):
        def forward(self, x):
            return x.triu() + x.triu(1).transpose(-1, -2)

        def right_inverse(self, a):
            return a.triu()

    return Sym()


def _scale(L):
    class Scale(L.nn.Module):
        def forward(self, x):
            return 2 * x

    return Scale()


def test_register_and_remove_parametrization_like_torch():
    out = []
    for L in (ot, torch):
        P = L.nn.utils.parametrize
        L.manual_seed(0)
        m = L.nn.Linear(3, 3)
        P.register_parametrization(m, "weight", _sym(L))
        P.register_parametrization(m, "weight", _scale(L))
        rec = [type(m).__name__, P.is_parametrized(m), P.is_parametrized(m, "bias"), P.is_parametrized(m, "weight"),
               list(m.state_dict().keys()), repr(m), P.type_before_parametrizations(m).__name__]
        y = m(L.ones(2, 3))
        y.sum().backward()
        rec += [_np(y).round(6).tolist(), _np(m.parametrizations.weight.original.grad).round(6).tolist()]
        with P.cached():
            rec.append(m.weight is m.weight)
        rec.append(m.weight is m.weight)
        P.remove_parametrizations(m, "weight", leave_parametrized=True)
        rec += [type(m).__name__, [n for n, _ in m.named_parameters()], isinstance(m.weight, L.nn.Parameter)]
        out.append(rec)
    assert out[0] == out[1]


def test_parametrization_errors_match_torch():
    msgs = []
    for L in (ot, torch):
        P = L.nn.utils.parametrize
        m = L.nn.Linear(3, 2)

        class Shrink(L.nn.Module):
            def forward(self, x):
                return x[:1]

        got = []
        for f in [lambda: P.register_parametrization(m, "nope", _scale(L)),
                  lambda: P.register_parametrization(m, "weight", Shrink()),
                  lambda: P.remove_parametrizations(m, "bias")]:
            with pytest.raises(Exception) as e:
                f()
            got.append((type(e.value).__name__, str(e.value).replace("oxytorch", "torch")))
        msgs.append(got)
    assert msgs[0] == msgs[1]


def test_setter_goes_through_right_inverse():
    for L in (ot, torch):
        m = L.nn.Linear(3, 3)
        L.nn.utils.parametrize.register_parametrization(m, "weight", _sym(L))
        with L.no_grad():
            m.weight = L.arange(9.0).reshape(3, 3)
        assert m.weight.tolist() == [[0.0, 1.0, 2.0], [1.0, 4.0, 5.0], [2.0, 5.0, 8.0]]


def test_setter_without_right_inverse_raises():
    for L in (ot, torch):
        m = L.nn.Linear(2, 2)
        L.nn.utils.parametrize.register_parametrization(m, "weight", _scale(L))
        with pytest.raises(RuntimeError, match="does not implement right_inverse"):
            m.weight = L.zeros(2, 2)


def test_parametrized_module_deepcopy_and_pickle():
    m = ot.nn.Linear(3, 3)
    ot.nn.utils.parametrize.register_parametrization(m, "weight", _sym(ot))
    c = copy.deepcopy(m)
    assert type(c).__name__ == "ParametrizedLinear"
    np.testing.assert_array_equal(_np(c.weight), _np(m.weight))
    import pickle
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        pickle.dumps(m)


@pytest.mark.parametrize("mod", ["linear", "conv", "convT"])
def test_spectral_norm_matches_torch(mod):
    res = []
    for L in (ot, torch):
        L.manual_seed(0)
        m = {"linear": lambda: L.nn.Linear(5, 4), "conv": lambda: L.nn.Conv2d(2, 3, 2),
             "convT": lambda: L.nn.ConvTranspose2d(2, 3, 2)}[mod]()
        m = m.double()
        L.nn.utils.parametrizations.spectral_norm(m)
        x = L.ones((2, 5) if mod == "linear" else (1, 2, 4, 4), dtype=L.float64)
        for _ in range(3):
            y = m(x)
        y.sum().backward()
        sn = m.parametrizations.weight[0]
        res.append((list(m.state_dict().keys()), sn.dim, _np(y), _np(m.parametrizations.weight.original.grad), _np(sn._u),
                    _np(sn._v)))
        m.eval()
        res[-1] += (_np(m(x)),)
    (ko, do, *ao), (kt, dt, *at) = res
    assert ko == kt and do == dt
    for a, b in zip(ao, at):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_weight_norm_parametrization_matches_torch():
    res = []
    for L in (ot, torch):
        L.manual_seed(0)
        c = L.nn.Conv2d(2, 3, 2).double()
        L.nn.utils.parametrizations.weight_norm(c)
        y = c(L.ones(1, 2, 3, 3, dtype=L.float64))
        y.sum().backward()
        p = c.parametrizations.weight
        res.append((list(c.state_dict().keys()), _np(y), _np(p.original0.grad), _np(p.original1.grad), tuple(p.original0.shape)))
    (ko, *ao), (kt, *at) = res
    assert ko == kt
    for a, b in zip(ao, at):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    # old hook-based checkpoints (weight_g / weight_v) load into the parametrized module
    torch.manual_seed(1)
    old = torch.nn.utils.weight_norm(torch.nn.Linear(3, 2))
    sd = {k: ot.tensor(v.detach().numpy()) for k, v in old.state_dict().items()}
    new = ot.nn.utils.parametrizations.weight_norm(ot.nn.Linear(3, 2))
    new.load_state_dict(sd)
    np.testing.assert_allclose(_np(new.weight), _np(old.weight), rtol=1e-6)


@pytest.mark.parametrize("cls,shape,kw", [
    ("ConvTranspose1d", (2, 3, 5), dict(in_channels=3, out_channels=4, kernel_size=3, stride=2, padding=1, output_padding=1)),
    ("ConvTranspose2d", (1, 2, 4, 4), dict(in_channels=2, out_channels=4, kernel_size=3, stride=2, groups=2, dilation=2)),
    ("ConvTranspose2d", (2, 4, 4), dict(in_channels=2, out_channels=1, kernel_size=(2, 3), bias=False)),
    ("ConvTranspose3d", (1, 1, 2, 3, 2), dict(in_channels=1, out_channels=2, kernel_size=2, stride=(1, 2, 1))),
])
def test_conv_transpose_modules(cls, shape, kw):
    res = []
    for L in (ot, torch):
        L.manual_seed(0)
        m = getattr(L.nn, cls)(**kw).double()
        x = L.tensor(np.random.default_rng(0).standard_normal(shape))
        y = m(x)
        y.sum().backward()
        res.append((repr(m), _np(y), _np(m.weight.grad), None if m.bias is None else _np(m.bias.grad)))
    assert res[0][0] == res[1][0]
    for a, b in zip(res[0][1:], res[1][1:]):
        if b is None:
            assert a is None
        else:
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_conv_transpose_output_size_and_errors():
    for L in (ot, torch):
        L.manual_seed(0)
        m = L.nn.ConvTranspose2d(2, 2, 3, stride=2, padding=1)
        x = L.ones(1, 2, 4, 4)
        assert tuple(m(x, output_size=[8, 8]).shape) == (1, 2, 8, 8)
        assert tuple(m(x, output_size=(1, 2, 7, 7)).shape) == (1, 2, 7, 7)
    for f in [lambda L: L.nn.ConvTranspose2d(2, 2, 3, stride=2)(L.ones(1, 2, 4, 4), output_size=[20, 20]),
              lambda L: L.nn.ConvTranspose2d(2, 2, 3)(L.ones(1, 2, 4, 4), output_size=[6]),
              lambda L: L.nn.ConvTranspose1d(2, 2, 3, padding_mode="circular")]:
        with pytest.raises(ValueError) as et:
            f(torch)
        with pytest.raises(ValueError) as eo:
            f(ot)
        assert str(eo.value) == str(et.value)


def test_new_factories_match_torch():
    res = []
    for L in (ot, torch):
        x = L.ones(2, dtype=L.float64)
        r = [x.new_empty(3).dtype, x.new_empty((2, 3), dtype=L.int32).dtype, tuple(x.new_empty(2, 3).shape),
             tuple(x.new_empty([]).shape), x.new_empty(2, requires_grad=True).requires_grad, x.new_zeros(2, 2).tolist(),
             x.new_ones((1,)).tolist(), x.new_full((2,), 7).tolist(), x.new_full([2], 7, dtype=L.int64).dtype,
             x.new_tensor([1, 2]).dtype, x.new_tensor([1, 2], dtype=L.int8).dtype, x.new_empty_strided((2, 3), (1, 2)).stride(),
             tuple(x.new_tensor(3.5).shape), tuple(x.new_zeros(L.Size([2])).shape), L.empty_strided((2, 3), (1, 2)).stride(),
             tuple(L.empty_strided((0, 3), (1, 2)).shape)]
        res.append([str(v) for v in r])
    assert res[0] == res[1]
    src = ot.ones(3, requires_grad=True)
    with pytest.warns(UserWarning, match="recommended to use sourceTensor.detach"):
        c = src.new_tensor(src)
    assert not c.requires_grad and c.data_ptr() != src.data_ptr()
    for f in [lambda L: L.ones(1).new_empty(-1), lambda L: L.empty_strided((2,), (1, 1))]:
        with pytest.raises(RuntimeError) as et:
            f(torch)
        with pytest.raises(RuntimeError) as eo:
            f(ot)
        assert str(eo.value) == str(et.value)


def test_tensor_H_and_mH():
    for shape in [(2, 3), (2, 2, 3), (3,)]:
        a = np.random.default_rng(0).standard_normal(shape) + 1j
        for attr in ("H", "mH"):
            try:
                t = getattr(torch.tensor(a), attr)
            except RuntimeError as e:
                with pytest.raises(RuntimeError, match=str(e)[:30]):
                    getattr(ot.tensor(a), attr)
                continue
            np.testing.assert_array_equal(getattr(ot.tensor(a), attr).resolve_conj().numpy(), t.resolve_conj().numpy())
