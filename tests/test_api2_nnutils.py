"""nn.utils fusion / skip_init / stateless.functional_call / spectral_norm, torch.func and
linalg.tensorinv/tensorsolve (api2) against real torch."""
import numpy as np
import pytest
import torch

import oxytorch as ot

RNG = np.random.default_rng(11)


def _np(t):
    return np.asarray(t.detach().numpy())


def _copy_module(mo, mt):
    with ot.no_grad():
        for (n, po), (_, pt) in zip(mo.state_dict().items(), mt.state_dict().items()):
            po.copy_(ot.tensor(pt.detach().numpy()))


def _bn_pair(lib, n, dim):
    bn = getattr(lib.nn, f"BatchNorm{dim}d")(n)
    return bn


@pytest.mark.parametrize("kind", ["conv1", "conv2", "convT2", "linear", "conv2_nobias"])
def test_fuse(kind):
    mods = []
    for lib in (torch, ot):
        if kind == "conv1":
            m, bn = lib.nn.Conv1d(3, 4, 3), lib.nn.BatchNorm1d(4)
        elif kind in ("conv2", "conv2_nobias"):
            m, bn = lib.nn.Conv2d(3, 4, 3, bias=kind == "conv2"), lib.nn.BatchNorm2d(4)
        elif kind == "convT2":
            m, bn = lib.nn.ConvTranspose2d(3, 4, 3), lib.nn.BatchNorm2d(4)
        else:
            m, bn = lib.nn.Linear(5, 4), lib.nn.BatchNorm1d(4)
        mods.append((m, bn))
    (mt, bt), (mo, bo) = mods
    with torch.no_grad():
        bt.running_mean.copy_(torch.randn(4))
        bt.running_var.copy_(torch.rand(4) + 0.5)
        bt.weight.copy_(torch.randn(4))
        bt.bias.copy_(torch.randn(4))
    _copy_module(mo, mt)
    _copy_module(bo, bt)
    for m in (mt, bt, mo, bo):
        m.eval()
    if kind == "linear":
        ft, fo = torch.nn.utils.fuse_linear_bn_eval(mt, bt), ot.nn.utils.fuse_linear_bn_eval(mo, bo)
        x = RNG.standard_normal((2, 5)).astype(np.float32)
    else:
        tr = kind == "convT2"
        ft = torch.nn.utils.fuse_conv_bn_eval(mt, bt, transpose=tr)
        fo = ot.nn.utils.fuse_conv_bn_eval(mo, bo, transpose=tr)
        x = RNG.standard_normal((2, 3, 6) if kind == "conv1" else (2, 3, 6, 6)).astype(np.float32)
    assert isinstance(fo.weight, ot.nn.Parameter) and isinstance(fo.bias, ot.nn.Parameter)
    np.testing.assert_allclose(_np(fo.weight), _np(ft.weight), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_np(fo.bias), _np(ft.bias), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(_np(fo(ot.tensor(x))), _np(ft(torch.tensor(x))), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(_np(fo(ot.tensor(x))), _np(bo(mo(ot.tensor(x)))), rtol=1e-4, atol=1e-5)
    mo.train()
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        (ot.nn.utils.fuse_linear_bn_eval if kind == "linear" else ot.nn.utils.fuse_conv_bn_eval)(mo, bo)


def test_fuse_weights_fn():
    w, rm, rv = RNG.standard_normal((4, 3)), RNG.standard_normal(4), RNG.random(4) + 0.5
    bw, bb = RNG.standard_normal(4), RNG.standard_normal(4)
    rt = torch.nn.utils.fuse_linear_bn_weights(*[torch.tensor(a) if a is not None else None for a in (w, None, rm, rv)],
                                               1e-5, torch.tensor(bw), torch.tensor(bb))
    ro = ot.nn.utils.fuse_linear_bn_weights(*[ot.tensor(a) if a is not None else None for a in (w, None, rm, rv)],
                                            1e-5, ot.tensor(bw), ot.tensor(bb))
    for a, b in zip(ro, rt):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12)
        assert a.requires_grad == b.requires_grad
    rt = torch.nn.utils.fuse_conv_bn_weights(torch.tensor(w).reshape(4, 3, 1), None, torch.tensor(rm),
                                             torch.tensor(rv), 1e-5, None, None)
    ro = ot.nn.utils.fuse_conv_bn_weights(ot.tensor(w).reshape(4, 3, 1), None, ot.tensor(rm), ot.tensor(rv),
                                          1e-5, None, None)
    for a, b in zip(ro, rt):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12)


def test_skip_init():
    ot.manual_seed(0)
    before = ot.rand(1)
    ot.manual_seed(0)
    m = ot.nn.utils.skip_init(ot.nn.Linear, 5, 3, bias=False)
    assert tuple(m.weight.shape) == (3, 5) and m.bias is None
    assert float(ot.rand(1)) == float(before)  # no random numbers drawn
    with pytest.raises(RuntimeError, match="Module must support a 'device' arg"):
        ot.nn.utils.skip_init(ot.nn.ReLU)


@pytest.mark.parametrize("api", ["stateless", "func"])
def test_functional_call(api):
    mt = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.BatchNorm1d(4))
    mo = ot.nn.Sequential(ot.nn.Linear(3, 4), ot.nn.BatchNorm1d(4))
    _copy_module(mo, mt)
    x = RNG.standard_normal((5, 3)).astype(np.float32)
    w = RNG.standard_normal((4, 3)).astype(np.float32)
    fc_t = torch.nn.utils.stateless.functional_call if api == "stateless" else torch.func.functional_call
    fc_o = ot.nn.utils.stateless.functional_call if api == "stateless" else ot.func.functional_call
    if api == "stateless":
        import warnings
        warnings.simplefilter("ignore", FutureWarning)
    wt = torch.tensor(w, requires_grad=True)
    wo = ot.tensor(w, requires_grad=True)
    rt = fc_t(mt, {"0.weight": wt}, (torch.tensor(x),))
    ro = fc_o(mo, {"0.weight": wo}, (ot.tensor(x),))
    np.testing.assert_allclose(_np(ro), _np(rt), rtol=1e-5, atol=1e-6)
    rt.pow(2).sum().backward()
    ro.pow(2).sum().backward()
    np.testing.assert_allclose(_np(wo.grad), _np(wt.grad), rtol=1e-4, atol=1e-5)
    assert mo[0].weight.grad is None  # the module's own parameter was swapped out
    np.testing.assert_allclose(_np(mo[0].weight), _np(mt[0].weight))  # and restored
    np.testing.assert_allclose(_np(mo[1].running_mean), _np(mt[1].running_mean), rtol=1e-5, atol=1e-6)
    # buffers, kwargs, a list of dicts
    rm = np.ones(4, dtype=np.float32)
    mt.eval()
    mo.eval()
    if api == "func":
        rt = fc_t(mt, [{"1.running_mean": torch.tensor(rm)}, {"0.bias": torch.zeros(4)}], torch.tensor(x))
        ro = fc_o(mo, [{"1.running_mean": ot.tensor(rm)}, {"0.bias": ot.zeros(4)}], ot.tensor(x))
        np.testing.assert_allclose(_np(ro), _np(rt), rtol=1e-5, atol=1e-6)
        with pytest.raises(ValueError):
            fc_o(mo, [{"0.bias": ot.zeros(4)}, {"0.bias": ot.zeros(4)}], ot.tensor(x))
    else:
        with pytest.warns(FutureWarning):
            fc_o(mo, {"0.bias": ot.zeros(4)}, ot.tensor(x))
    with pytest.raises(RuntimeError) as eo:
        fc_o(mo, {"0.bias": ot.zeros(4)}, ot.tensor(x), strict=True)
    with pytest.raises(RuntimeError) as et:
        fc_t(mt, {"0.bias": torch.zeros(4)}, torch.tensor(x), strict=True)
    assert str(eo.value).split(":")[0] == str(et.value).split(":")[0]


def test_func_grad_vjp_jacrev():
    x = RNG.standard_normal(4)

    def f(lib):
        return lambda t: (t.sin() * t).sum()
    gt = torch.func.grad(f(torch))(torch.tensor(x))
    go = ot.func.grad(f(ot))(ot.tensor(x))
    np.testing.assert_allclose(_np(go), _np(gt), rtol=1e-12)
    g2t, vt = torch.func.grad_and_value(f(torch))(torch.tensor(x))
    g2o, vo = ot.func.grad_and_value(f(ot))(ot.tensor(x))
    np.testing.assert_allclose(float(vo), float(vt), rtol=1e-12)
    jt = torch.func.jacrev(lambda t: t.exp() * t.sum())(torch.tensor(x))
    jo = ot.func.jacrev(lambda t: t.exp() * t.sum())(ot.tensor(x))
    np.testing.assert_allclose(_np(jo), _np(jt), rtol=1e-12)
    ht = torch.func.hessian(f(torch))(torch.tensor(x))
    ho = ot.func.hessian(f(ot))(ot.tensor(x))
    np.testing.assert_allclose(_np(ho), _np(ht), rtol=1e-12, atol=1e-14)
    ot_out, fn = ot.func.vjp(lambda t: t * 2 + t.sin(), ot.tensor(x))
    tt_out, tfn = torch.func.vjp(lambda t: t * 2 + t.sin(), torch.tensor(x))
    np.testing.assert_allclose(_np(fn(ot.ones(4))[0]), _np(tfn(torch.ones(4))[0]), rtol=1e-12)


@pytest.mark.parametrize("cls,kw", [("Linear", (5, 4)), ("Conv2d", (3, 4, 2)), ("ConvTranspose1d", (3, 4, 2))])
def test_spectral_norm(cls, kw):
    torch.manual_seed(3)
    ot.manual_seed(3)
    mt = torch.nn.utils.spectral_norm(getattr(torch.nn, cls)(*kw), n_power_iterations=2)
    mo = ot.nn.utils.spectral_norm(getattr(ot.nn, cls)(*kw), n_power_iterations=2)
    assert sorted(n for n, _ in mo.named_parameters()) == sorted(n for n, _ in mt.named_parameters())
    assert sorted(n for n, _ in mo.named_buffers()) == sorted(n for n, _ in mt.named_buffers())
    for n in ("weight_orig", "weight_u", "weight_v"):
        np.testing.assert_allclose(_np(getattr(mo, n)), _np(getattr(mt, n)), rtol=1e-5, atol=1e-6)
    shape = {"Linear": (2, 5), "Conv2d": (1, 3, 4, 4), "ConvTranspose1d": (1, 3, 5)}[cls]
    x = RNG.standard_normal(shape).astype(np.float32)
    for _ in range(3):
        rt, ro = mt(torch.tensor(x)), mo(ot.tensor(x))
        np.testing.assert_allclose(_np(ro), _np(rt), rtol=1e-4, atol=1e-5)
    rt.sum().backward()
    ro.sum().backward()
    np.testing.assert_allclose(_np(mo.weight_orig.grad), _np(mt.weight_orig.grad), rtol=1e-3, atol=1e-4)
    mt.eval()
    mo.eval()
    np.testing.assert_allclose(_np(mo(ot.tensor(x))), _np(mt(torch.tensor(x))), rtol=1e-4, atol=1e-5)
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        ot.nn.utils.spectral_norm(mo)
    ot.nn.utils.remove_spectral_norm(mo)
    torch.nn.utils.remove_spectral_norm(mt)
    assert sorted(n for n, _ in mo.named_parameters()) == sorted(n for n, _ in mt.named_parameters())
    np.testing.assert_allclose(_np(mo.weight), _np(mt.weight), rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        ot.nn.utils.remove_spectral_norm(mo)


def test_tensorinv_tensorsolve():
    a = RNG.standard_normal((4, 6, 8, 3))
    np.testing.assert_allclose(_np(ot.linalg.tensorinv(ot.tensor(a), ind=2)),
                               _np(torch.linalg.tensorinv(torch.tensor(a), ind=2)), rtol=1e-8, atol=1e-10)
    a1 = RNG.standard_normal((6, 2, 3))
    np.testing.assert_allclose(_np(ot.linalg.tensorinv(ot.tensor(a1), ind=1)),
                               _np(torch.linalg.tensorinv(torch.tensor(a1), ind=1)), rtol=1e-8, atol=1e-10)
    A, B = RNG.standard_normal((2, 3, 6)), RNG.standard_normal((2, 3))
    np.testing.assert_allclose(_np(ot.linalg.tensorsolve(ot.tensor(A), ot.tensor(B))),
                               _np(torch.linalg.tensorsolve(torch.tensor(A), torch.tensor(B))), rtol=1e-8, atol=1e-10)
    A2 = RNG.standard_normal((6, 2, 3))
    np.testing.assert_allclose(_np(ot.linalg.tensorsolve(ot.tensor(A2), ot.tensor(B), dims=(0,))),
                               _np(torch.linalg.tensorsolve(torch.tensor(A2), torch.tensor(B), dims=(0,))),
                               rtol=1e-8, atol=1e-10)
    xt = torch.tensor(A, requires_grad=True)
    xo = ot.tensor(A, requires_grad=True)
    torch.linalg.tensorsolve(xt, torch.tensor(B)).sum().backward()
    ot.linalg.tensorsolve(xo, ot.tensor(B)).sum().backward()
    np.testing.assert_allclose(_np(xo.grad), _np(xt.grad), rtol=1e-7, atol=1e-9)
    for fo, ft in [(lambda: ot.linalg.tensorinv(ot.ones(4, 6, 8, 4), ind=2),
                    lambda: torch.linalg.tensorinv(torch.ones(4, 6, 8, 4), ind=2)),
                   (lambda: ot.linalg.tensorinv(ot.ones(2, 2), ind=0), lambda: torch.linalg.tensorinv(torch.ones(2, 2), ind=0)),
                   (lambda: ot.linalg.tensorsolve(ot.ones(2, 3, 6), ot.ones(2, 2)),
                    lambda: torch.linalg.tensorsolve(torch.ones(2, 3, 6), torch.ones(2, 2)))]:
        with pytest.raises(RuntimeError) as et:
            ft()
        with pytest.raises(RuntimeError) as eo:
            fo()
        assert str(eo.value) == str(et.value)


def test_func_jvp_jacfwd_stack():
    x = RNG.standard_normal(4)
    v = RNG.standard_normal(4)
    ot_out = ot.func.jvp(lambda t: t.sin() * t.sum(), (ot.tensor(x),), (ot.tensor(v),))
    tt_out = torch.func.jvp(lambda t: t.sin() * t.sum(), (torch.tensor(x),), (torch.tensor(v),))
    for a, b in zip(ot_out, tt_out):
        np.testing.assert_allclose(_np(a), _np(b), rtol=1e-12)
    with pytest.raises(RuntimeError, match="Expected primals to be a tuple"):
        ot.func.jvp(lambda t: t, ot.tensor(x), (ot.tensor(v),))
    np.testing.assert_allclose(_np(ot.func.jacfwd(lambda t: t.exp() * t[0])(ot.tensor(x))),
                               _np(torch.func.jacfwd(lambda t: t.exp() * t[0])(torch.tensor(x))), rtol=1e-12)
    torch.manual_seed(0)
    ot.manual_seed(0)
    mts = [torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2)) for _ in range(3)]
    mos = [ot.nn.Sequential(ot.nn.Linear(3, 2), ot.nn.BatchNorm1d(2)) for _ in range(3)]
    pt, bt = torch.func.stack_module_state(mts)
    po, bo = ot.func.stack_module_state(mos)
    assert list(po) == list(pt) and list(bo) == list(bt)
    for k in pt:
        np.testing.assert_allclose(_np(po[k]), _np(pt[k]), rtol=1e-6)
        assert po[k].requires_grad == pt[k].requires_grad and po[k].is_leaf
    for k in bt:
        np.testing.assert_allclose(_np(bo[k]), _np(bt[k]))
    with pytest.raises(RuntimeError, match="Expected at least one model, got 0."):
        ot.func.stack_module_state([])
