"""Adadelta, Rprop, ASGD, Adafactor, LBFGS, SparseAdam and swa_utils (api2): trajectories vs real torch."""
import copy

import numpy as np
import pytest
import torch

import oxytorch as ot

RNG = np.random.default_rng(3)
W1 = RNG.standard_normal((6, 4)).astype(np.float32) * 0.5
B1 = RNG.standard_normal(6).astype(np.float32) * 0.1
W2 = RNG.standard_normal((1, 6)).astype(np.float32) * 0.5
X = RNG.standard_normal((16, 4)).astype(np.float32)
Y = RNG.standard_normal((16, 1)).astype(np.float32)


def _model(lib):
    m = lib.nn.Sequential(lib.nn.Linear(4, 6), lib.nn.Tanh(), lib.nn.Linear(6, 1, bias=False))
    with lib.no_grad():
        m[0].weight.copy_(lib.tensor(W1))
        m[0].bias.copy_(lib.tensor(B1))
        m[2].weight.copy_(lib.tensor(W2))
    return m


def _loss(lib, m):
    return ((m(lib.tensor(X)) - lib.tensor(Y)) ** 2).mean()


def _params(m):
    return [np.asarray(p.detach().numpy()) for p in m.parameters()]


OPTS = [
    ("Adadelta", {}), ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "maximize": False}),
    ("Rprop", {}), ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-4, 1.0)}),
    ("ASGD", {"lr": 0.05}), ("ASGD", {"lr": 0.05, "t0": 5, "lambd": 1e-3, "weight_decay": 0.01}),
    ("Adafactor", {}), ("Adafactor", {"lr": 0.05, "weight_decay": 0.1, "d": 2.0, "eps": (1e-20, 1e-3)}),
    ("Adadelta", {"maximize": True}), ("Rprop", {"maximize": True}),
]


@pytest.mark.parametrize("case", range(len(OPTS)))
def test_trajectory(case):
    name, kw = OPTS[case]
    mt, mo = _model(torch), _model(ot)
    ot_opt = getattr(ot.optim, name)(mo.parameters(), **kw)
    tt_opt = getattr(torch.optim, name)(mt.parameters(), **kw)
    for _ in range(20):
        for lib, m, opt in ((torch, mt, tt_opt), (ot, mo, ot_opt)):
            opt.zero_grad()
            loss = _loss(lib, m)
            if kw.get("maximize"):
                loss = -loss
            loss.backward()
            opt.step()
    for a, b in zip(_params(mo), _params(mt)):
        np.testing.assert_allclose(a, b, rtol=2e-4, atol=2e-5)
    # state_dict round trip keeps the same keys
    so, st = ot_opt.state_dict(), tt_opt.state_dict()
    assert sorted(so["state"][0].keys()) == sorted(st["state"][0].keys())
    assert so["param_groups"][0].keys() == st["param_groups"][0].keys()
    ot_opt.load_state_dict(copy.deepcopy(so))


@pytest.mark.parametrize("line_search", [None, "strong_wolfe"])
@pytest.mark.parametrize("history", [100, 3])
def test_lbfgs(line_search, history):
    mt, mo = _model(torch), _model(ot)
    ot_opt = ot.optim.LBFGS(mo.parameters(), lr=0.5, max_iter=5, history_size=history, line_search_fn=line_search)
    tt_opt = torch.optim.LBFGS(mt.parameters(), lr=0.5, max_iter=5, history_size=history,
                               line_search_fn=line_search)
    losses = []
    for _ in range(4):
        row = []
        for lib, m, opt in ((torch, mt, tt_opt), (ot, mo, ot_opt)):
            def closure(m=m, opt=opt, lib=lib):
                opt.zero_grad()
                loss = _loss(lib, m)
                loss.backward()
                return loss
            row.append(float(opt.step(closure)))
        losses.append(row)
    np.testing.assert_allclose([r[1] for r in losses], [r[0] for r in losses], rtol=1e-4)
    for a, b in zip(_params(mo), _params(mt)):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-4)
    assert ot_opt.state_dict()["state"][0]["func_evals"] == tt_opt.state_dict()["state"][0]["func_evals"]
    assert ot_opt.state_dict()["state"][0]["n_iter"] == tt_opt.state_dict()["state"][0]["n_iter"]


BAD = [("Adadelta", {"lr": -1}), ("Adadelta", {"rho": 1.5}), ("Adadelta", {"eps": -1}),
       ("Rprop", {"etas": (1.2, 0.5)}), ("ASGD", {"lambd": -1}), ("ASGD", {"alpha": -1}),
       ("Adafactor", {"beta2_decay": 0.5}), ("Adafactor", {"d": 0.5}), ("Adafactor", {"eps": (-1, 1e-3)}),
       ("SparseAdam", {"lr": 0}), ("SparseAdam", {"betas": (1.0, 0.9)}), ("LBFGS", {"lr": -1})]


@pytest.mark.parametrize("name,kw", BAD)
def test_bad_args(name, kw):
    with pytest.raises(ValueError) as et:
        getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
    with pytest.raises(ValueError) as eo:
        getattr(ot.optim, name)([ot.zeros(2, requires_grad=True)], **kw)
    assert str(eo.value) == str(et.value)


def test_sparse_adam_dense_grad_and_lbfgs_groups():
    p = ot.zeros(3, requires_grad=True)
    opt = ot.optim.SparseAdam([p])
    p.sum().backward()
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
        opt.step()
    with pytest.raises(ValueError, match="LBFGS doesn't support per-parameter options"):
        ot.optim.LBFGS([{"params": [p]}, {"params": [ot.zeros(1, requires_grad=True)]}])


@pytest.mark.parametrize("strategy", ["cos", "linear"])
@pytest.mark.parametrize("anneal", [0, 3])
def test_swalr(strategy, anneal):
    pt, po = torch.zeros(1, requires_grad=True), ot.zeros(1, requires_grad=True)
    ot_opt, tt_opt = ot.optim.SGD([po], lr=0.5), torch.optim.SGD([pt], lr=0.5)
    st = torch.optim.swa_utils.SWALR(tt_opt, swa_lr=0.05, anneal_epochs=anneal, anneal_strategy=strategy)
    so = ot.optim.swa_utils.SWALR(ot_opt, swa_lr=0.05, anneal_epochs=anneal, anneal_strategy=strategy)
    for _ in range(6):
        tt_opt.step()
        ot_opt.step()
        st.step()
        so.step()
        np.testing.assert_allclose(so.get_last_lr(), st.get_last_lr(), rtol=1e-12)
    with pytest.raises(ValueError, match="anneal_strategy must be one of"):
        ot.optim.swa_utils.SWALR(ot_opt, 0.1, anneal_strategy="x")


@pytest.mark.parametrize("kind", ["swa", "ema", "ema_multi", "swa_multi"])
def test_averaged_model(kind):
    res = []
    for lib in (torch, ot):
        su = lib.optim.swa_utils
        m = _model(lib)
        kw = {"swa": {}, "ema": {"avg_fn": su.get_ema_avg_fn(0.9)},
              "ema_multi": {"multi_avg_fn": su.get_ema_multi_avg_fn(0.9)},
              "swa_multi": {"multi_avg_fn": su.get_swa_multi_avg_fn()}}[kind]
        avg = su.AveragedModel(m, **kw)
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        for _ in range(5):
            opt.zero_grad()
            _loss(lib, m).backward()
            opt.step()
            avg.update_parameters(m)
        res.append((_params(avg), int(avg.n_averaged), np.asarray(avg(lib.tensor(X)).detach().numpy())))
    for a, b in zip(res[0][0], res[1][0]):
        np.testing.assert_allclose(b, a, rtol=1e-5, atol=1e-6)
    assert res[0][1] == res[1][1]
    np.testing.assert_allclose(res[1][2], res[0][2], rtol=1e-5, atol=1e-6)


def test_update_bn():
    data = [RNG.standard_normal((8, 3)).astype(np.float32) * 2 + 1 for _ in range(3)]
    out = []
    for lib in (torch, ot):
        m = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.BatchNorm1d(3))
        with lib.no_grad():
            m[0].weight.copy_(lib.tensor(W1[:3, :3]))
            m[0].bias.zero_()
        m.eval()
        lib.optim.swa_utils.update_bn([(lib.tensor(d), 0) for d in data], m)
        assert not m.training
        out.append((np.asarray(m[1].running_mean.numpy()), np.asarray(m[1].running_var.numpy()),
                    int(m[1].num_batches_tracked), m[1].momentum))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-5, atol=1e-6)
    assert out[0][2:] == out[1][2:]


@pytest.mark.parametrize("name,kw", [("Adadelta", {}), ("Rprop", {}), ("ASGD", {"lr": 0.05}),
                                     ("Adadelta", {"foreach": True, "weight_decay": 0.1}),
                                     ("Rprop", {"foreach": True})])
def test_complex_params(name, kw):
    z = (RNG.standard_normal(4) + 1j * RNG.standard_normal(4)).astype(np.complex64)
    res = []
    for lib in (torch, ot):
        p = lib.tensor(z, requires_grad=True)
        opt = getattr(lib.optim, name)([p], **kw)
        for _ in range(10):
            opt.zero_grad()
            (p.abs() ** 2).sum().backward()
            opt.step()
        res.append(np.asarray(p.detach().numpy()))
    np.testing.assert_allclose(res[1], res[0], rtol=1e-5, atol=1e-6)


def test_lbfgs_maximize():
    res = []
    for lib in (torch, ot):
        p = lib.tensor([1.5, -0.5], requires_grad=True)
        opt = lib.optim.LBFGS([p], maximize=True, line_search_fn="strong_wolfe")

        def closure(p=p, opt=opt):
            opt.zero_grad()
            loss = -((p - 1) ** 2).sum() - (p[0] * p[1]) ** 2
            loss.backward()
            return loss
        for _ in range(3):
            opt.step(closure)
        res.append(np.asarray(p.detach().numpy()))
    np.testing.assert_allclose(res[1], res[0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kw", [{}, {"nesterov": False, "adjust_lr_fn": "match_rms_adamw", "lr": 0.01},
                                {"lr": 0.02, "adjust_lr_fn": "spectral_unclamped", "weight_decay": 0.0}])
@pytest.mark.parametrize("shape", [(6, 4), (3, 7)])
def test_muon(kw, shape):
    w = RNG.standard_normal(shape).astype(np.float32)
    x = RNG.standard_normal((5, shape[1])).astype(np.float32)
    res = []
    for lib in (torch, ot):
        p = lib.tensor(w, requires_grad=True)
        opt = lib.optim.Muon([p], **kw)
        for _ in range(10):
            opt.zero_grad()
            ((lib.tensor(x) @ p.T) ** 2).sum().backward()
            opt.step()
        res.append(np.asarray(p.detach().numpy()))
    np.testing.assert_allclose(res[1], res[0], rtol=1e-5, atol=1e-6)


def test_muon_errors():
    for kw, msg in (({"lr": -1}, "Learning rate should be >= 0"), ({"adjust_lr_fn": "x"}, "is not supported")):
        with pytest.raises(ValueError, match=msg):
            ot.optim.Muon([ot.zeros(2, 2, requires_grad=True)], **kw)
    with pytest.raises(ValueError, match="Muon only supports 2D parameters"):
        ot.optim.Muon([ot.zeros(2, requires_grad=True)])
