"""Parity of nn.functional's losses, normalisations, embedding and attention helpers with torch:
forward values, input and parameter gradients, grad_fn names, running-stat updates and errors."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import oxytorch as ot
import oxytorch.nn.functional as OF

RNG = np.random.default_rng(0)


def arr(*shape, lo=-2.0, hi=2.0, seed=None):
    r = np.random.default_rng(seed) if seed is not None else RNG
    return r.uniform(lo, hi, size=shape)


def pair(a, dtype="float32", grad=False, layout="contig"):
    """(oxytorch, torch) tensors with the same values; layout 'T' makes a transposed view and
    'slice' a strided slice with an offset (both non-contiguous)."""
    a = np.asarray(a)
    if layout == "T":
        base = np.ascontiguousarray(np.swapaxes(a, 0, -1))
    elif layout == "slice":
        base = np.zeros((a.shape[0] * 2 + 1,) + a.shape[1:])
        base[1::2] = a
    else:
        base = a
    o = ot.tensor(base, dtype=getattr(ot, dtype))
    t = torch.tensor(base, dtype=getattr(torch, dtype))
    if layout == "T":
        o, t = o.transpose(0, -1), t.transpose(0, -1)
    elif layout == "slice":
        o, t = o[1::2], t[1::2]
    if grad:
        # leaves: detach the (possibly non-contiguous) views so they are leaves with the same layout
        o = o.detach().requires_grad_()
        t = t.detach().requires_grad_()
    return o, t


def ipair(a):
    a = np.asarray(a, dtype=np.int64)
    return ot.tensor(a), torch.tensor(a)


def tol(dtype):
    return {"float32": dict(rtol=2e-5, atol=2e-6), "float64": dict(rtol=1e-10, atol=1e-12),
            "float16": dict(rtol=2e-3, atol=2e-3), "bfloat16": dict(rtol=2e-2, atol=2e-2)}[dtype]


def close(o, t, dtype="float32", **kw):
    assert tuple(o.shape) == tuple(t.shape), (tuple(o.shape), tuple(t.shape))
    assert str(o.dtype) == str(t.dtype), (o.dtype, t.dtype)
    ov = o.detach().to(ot.float64).numpy() if o.dtype != ot.bool else o.numpy()
    tv = t.detach().to(torch.float64).numpy()
    k = dict(tol(dtype))
    k.update(kw)
    np.testing.assert_allclose(ov, tv, equal_nan=True, **k)


def backward_both(o, t, seed=1):
    g = arr(*tuple(t.shape), seed=seed) if t.dim() else np.array(arr(1, seed=seed)[0])
    go = ot.tensor(g, dtype=o.dtype)
    gt = torch.tensor(g, dtype=t.dtype)
    o.backward(go)
    t.backward(gt)


def check(fo, ft, inputs_o, inputs_t, dtype="float32", name=True, **kw):
    """Runs both, compares outputs, grad_fn names and gradients of every leaf requiring grad."""
    ro, rt = fo(*inputs_o), ft(*inputs_t)
    close(ro, rt, dtype, **kw)
    if rt.requires_grad:
        assert ro.requires_grad
        if name:
            assert type(ro.grad_fn).__name__ == type(rt.grad_fn).__name__ or \
                ro.grad_fn.name() == type(rt.grad_fn).__name__, (ro.grad_fn, rt.grad_fn)
        backward_both(ro, rt)
        for a, b in zip(inputs_o, inputs_t):
            if isinstance(b, torch.Tensor) and b.requires_grad:
                close(a.grad, b.grad, dtype, **kw)
    return ro, rt


def gname(t):
    n = t.grad_fn.name() if hasattr(t.grad_fn, "name") else type(t.grad_fn).__name__
    return n


# ------------------------------------------------------------------------------------------------
# softmax family
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("layout", ["contig", "T"])
def test_softmax_family_grad(fn, dim, dtype, layout):
    a = arr(3, 4, 5)
    xo, xt = pair(a, dtype, grad=True, layout=layout)
    check(lambda x: getattr(OF, fn)(x, dim), lambda x: getattr(TF, fn)(x, dim), [xo], [xt], dtype)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax"])
def test_softmax_dtype_arg_and_names(fn):
    xo, xt = pair(arr(4, 6), "float32", grad=True)
    ro = getattr(OF, fn)(xo, 1, dtype=ot.float64)
    rt = getattr(TF, fn)(xt, 1, dtype=torch.float64)
    close(ro, rt, "float64", rtol=1e-6, atol=1e-7)
    assert gname(ro) == type(rt.grad_fn).__name__
    backward_both(ro, rt)
    close(xo.grad, xt.grad, "float32")
    assert xo.grad.dtype == ot.float32


def test_softmax_0d_and_method_and_double_backward():
    xo, xt = pair(np.array(1.5), "float64", grad=True)
    check(lambda x: OF.softmax(x, 0), lambda x: TF.softmax(x, 0), [xo], [xt], "float64")
    xo, xt = pair(arr(3, 4), "float64", grad=True)
    check(lambda x: x.log_softmax(1), lambda x: x.log_softmax(1), [xo], [xt], "float64")
    # double backward through the composed gradient
    xo, xt = pair(arr(3, 4), "float64", grad=True)
    for mod, x in ((ot, xo), (torch, xt)):
        y = (mod.nn.functional.softmax(x, 1) * mod.arange(4, dtype=mod.float64)).sum()
        (g,) = mod.autograd.grad(y, x, create_graph=True)
        (g * g).sum().backward()
    close(xo.grad, xt.grad, "float64")


# ------------------------------------------------------------------------------------------------
# nll_loss / cross_entropy
# ------------------------------------------------------------------------------------------------

NLL_CASES = [
    # (input shape, target shape, C)
    ((5, 4), (5,), 4),
    ((4,), (), 4),
    ((3, 4, 5), (3, 5), 4),
    ((2, 3, 4, 5), (2, 4, 5), 3),
    ((2, 3, 2, 2, 2), (2, 2, 2, 2), 3),
]


@pytest.mark.parametrize("case", range(len(NLL_CASES)))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore", [False, True])
def test_nll_loss(case, reduction, weighted, ignore):
    ishape, tshape, c = NLL_CASES[case]
    r = np.random.default_rng(case)
    tgt = r.integers(0, c, size=tshape)
    kw = {"reduction": reduction}
    if ignore:
        if tgt.ndim:
            tgt.reshape(-1)[::3] = 1
        kw["ignore_index"] = 1
    to, tt = ipair(tgt)
    wo = wt = None
    if weighted:
        wo, wt = pair(arr(c, lo=0.1, hi=2.0), "float32")
        kw_o, kw_t = dict(kw, weight=wo), dict(kw, weight=wt)
    else:
        kw_o, kw_t = kw, kw
    for dtype in ("float32", "float64"):
        xo, xt = pair(arr(*ishape), dtype, grad=True)
        if weighted:
            kw_o["weight"], kw_t["weight"] = pair(arr(c, lo=0.1, hi=2.0, seed=3), dtype)
        ro, rt = check(lambda x: OF.nll_loss(x, to, **kw_o), lambda x: TF.nll_loss(x, tt, **kw_t), [xo], [xt], dtype,
                       name=False)
        # the top node's name (torch adds view nodes around NllLoss2D for 3-d and 5-d inputs)
        if len(ishape) in (1, 2, 4) and reduction != "none" or len(ishape) <= 2:
            assert gname(ro) == type(rt.grad_fn).__name__


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("ls", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(6, 5), (3, 4, 2, 2), (5,)])
def test_cross_entropy_class_indices(reduction, ls, weighted, shape):
    c = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    tgt = np.random.default_rng(7).integers(0, c, size=tshape)
    if tgt.ndim:
        tgt.reshape(-1)[0] = 2
    to, tt = ipair(tgt)
    for dtype in ("float32", "float64"):
        xo, xt = pair(arr(*shape), dtype, grad=True)
        kw_o = dict(reduction=reduction, label_smoothing=ls, ignore_index=2)
        kw_t = dict(kw_o)
        if weighted:
            kw_o["weight"], kw_t["weight"] = pair(arr(c, lo=0.1, hi=2.0, seed=4), dtype)
        ro, rt = check(lambda x: OF.cross_entropy(x, to, **kw_o), lambda x: TF.cross_entropy(x, tt, **kw_t),
                       [xo], [xt], dtype, name=False)
        if reduction != "none" and len(shape) != 3:
            assert gname(ro) == type(rt.grad_fn).__name__


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("ls", [0.0, 0.1])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_probabilities(reduction, ls, weighted):
    for shape in [(4, 5), (2, 3, 4)]:
        xo, xt = pair(arr(*shape), "float64", grad=True)
        p = np.random.default_rng(1).uniform(0, 1, size=shape)
        po, pt = pair(p / p.sum(1, keepdims=True), "float64")
        kw_o = dict(reduction=reduction, label_smoothing=ls)
        kw_t = dict(kw_o)
        if weighted:
            kw_o["weight"], kw_t["weight"] = pair(arr(shape[1], lo=0.1, hi=2.0), "float64")
        check(lambda x: OF.cross_entropy(x, po, **kw_o), lambda x: TF.cross_entropy(x, pt, **kw_t), [xo], [xt],
              "float64", name=False)


def test_cross_entropy_noncontiguous_and_names():
    to, tt = ipair([0, 1, 2, 3, 4, 0, 1])
    xo2, xt2 = pair(arr(7, 5), "float32", grad=True, layout="T")
    ro, rt = check(lambda x: OF.cross_entropy(x, to), lambda x: TF.cross_entropy(x, tt), [xo2], [xt2])
    assert gname(ro) == "NllLossBackward0"
    assert ro.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"


def test_nll_and_ce_errors():
    xo, xt = pair(arr(4, 5))
    cases = [
        (lambda F, m, x: F.nll_loss(x, m.tensor([0, 1, 2, 7]))),
        (lambda F, m, x: F.nll_loss(x, m.tensor([0, 1, 2, -3]))),
        (lambda F, m, x: F.nll_loss(x, m.tensor([0, 1, 2]))),
        (lambda F, m, x: F.nll_loss(x, m.tensor([0., 1, 2, 3]))),
        (lambda F, m, x: F.nll_loss(x, m.tensor([0, 1, 2, 3]), weight=m.ones(3))),
        (lambda F, m, x: F.nll_loss(x, m.tensor([0, 1, 2, 3]), reduction="foo")),
        (lambda F, m, x: F.nll_loss(x.reshape(2, 5, 2), m.zeros(2, 3, dtype=m.long))),
        (lambda F, m, x: F.nll_loss(x.reshape(2, 5, 2), m.full((2, 2), 9, dtype=m.long))),
        (lambda F, m, x: F.cross_entropy(x, m.tensor([0, 1, 2, 9]))),
        (lambda F, m, x: F.cross_entropy(x, m.tensor([0, 1, 2, 3]), label_smoothing=1.5)),
    ]
    for c in cases:
        with pytest.raises(Exception) as et:
            c(TF, torch, xt)
        with pytest.raises(Exception) as eo:
            c(OF, ot, xo)
        assert type(eo.value) is type(et.value), (et.value, eo.value)
        assert str(eo.value) == str(et.value), (str(et.value), str(eo.value))


def test_nll_all_ignored_is_nan_and_uint8_target():
    xo, xt = pair(arr(3, 4), grad=True)
    to, tt = ipair([1, 1, 1])
    check(lambda x: OF.nll_loss(x, to, ignore_index=1), lambda x: TF.nll_loss(x, tt, ignore_index=1), [xo], [xt])
    xo, xt = pair(arr(3, 4), grad=True)
    check(lambda x: OF.nll_loss(x, to.to(ot.uint8)), lambda x: TF.nll_loss(x, tt.to(torch.uint8)), [xo], [xt])


def test_legacy_size_average_reduce():
    xo, xt = pair(arr(4, 5), grad=True)
    to, tt = ipair([0, 1, 2, 3])
    for sa, rd in [(False, None), (None, False), (True, True), (False, True)]:
        with warnings.catch_warnings(record=True) as wo:
            warnings.simplefilter("always")
            ro = OF.nll_loss(xo, to, size_average=sa, reduce=rd)
        with warnings.catch_warnings(record=True) as wt:
            warnings.simplefilter("always")
            rt = TF.nll_loss(xt, tt, size_average=sa, reduce=rd)
        close(ro, rt)
        assert [str(w.message) for w in wo] == [str(w.message) for w in wt]


# ------------------------------------------------------------------------------------------------
# pointwise losses
# ------------------------------------------------------------------------------------------------

LOSSES = {
    "mse_loss": {},
    "l1_loss": {},
    "smooth_l1_loss": {"beta": 0.7},
    "smooth_l1_loss_b0": {"beta": 0.0},
    "huber_loss": {"delta": 0.8},
}


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_regression_losses(name, reduction, dtype):
    fn = name.replace("_b0", "")
    kw = dict(LOSSES[name], reduction=reduction)
    xo, xt = pair(arr(4, 5), dtype, grad=True)
    yo, yt = pair(arr(4, 5, seed=9), dtype, grad=True)
    check(lambda a, b: getattr(OF, fn)(a, b, **kw), lambda a, b: getattr(TF, fn)(a, b, **kw), [xo, yo], [xt, yt],
          dtype)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_broadcast_warns(name):
    xo, xt = pair(arr(4, 1), grad=True)
    yo, yt = pair(arr(4, seed=2))
    with warnings.catch_warnings(record=True) as wo:
        warnings.simplefilter("always")
        ro = getattr(OF, name)(xo, yo)
    with warnings.catch_warnings(record=True) as wt:
        warnings.simplefilter("always")
        rt = getattr(TF, name)(xt, yt)
    assert [str(w.message) for w in wo] == [str(w.message) for w in wt]
    close(ro, rt)
    backward_both(ro, rt)
    close(xo.grad, xt.grad)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
def test_binary_cross_entropy(reduction, weighted):
    for dtype in ("float32", "float64"):
        p = arr(3, 4, lo=0.01, hi=0.99)
        p[0, 0], p[0, 1] = 0.0, 1.0  # the log clamp at -100
        xo, xt = pair(p, dtype, grad=True)
        yo, yt = pair(arr(3, 4, lo=0, hi=1, seed=5), dtype, grad=True)
        kw_o, kw_t = dict(reduction=reduction), dict(reduction=reduction)
        if weighted:
            kw_o["weight"], kw_t["weight"] = pair(arr(3, 4, lo=0.1, hi=2), dtype)
        ro, rt = OF.binary_cross_entropy(xo, yo, **kw_o), TF.binary_cross_entropy(xt, yt, **kw_t)
        close(ro, rt, dtype)
        assert gname(ro) == type(rt.grad_fn).__name__
        backward_both(ro, rt)
        close(xo.grad, xt.grad, dtype)
        close(yo.grad, yt.grad, dtype)


def test_bce_errors():
    xo, xt = pair(arr(3, 4, lo=0, hi=1))
    for args in [((3,), 1.0), ((3, 4), 1.5)]:
        shape, hi = args
        with pytest.raises(Exception) as et:
            TF.binary_cross_entropy(xt * hi, torch.ones(shape))
        with pytest.raises(Exception) as eo:
            OF.binary_cross_entropy(xo * hi, ot.ones(shape))
        assert type(eo.value) is type(et.value) and str(eo.value) == str(et.value)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos", [False, True])
def test_bce_with_logits(reduction, weighted, pos):
    for dtype in ("float32", "float64"):
        xo, xt = pair(arr(3, 4, lo=-30, hi=30), dtype, grad=True)
        yo, yt = pair(arr(3, 4, lo=0, hi=1, seed=5), dtype, grad=True)
        kw_o, kw_t = dict(reduction=reduction), dict(reduction=reduction)
        if weighted:
            kw_o["weight"], kw_t["weight"] = pair(arr(3, 4, lo=0.1, hi=2), dtype)
        if pos:
            kw_o["pos_weight"], kw_t["pos_weight"] = pair(arr(4, lo=0.1, hi=3, seed=8), dtype)
        check(lambda a, b: OF.binary_cross_entropy_with_logits(a, b, **kw_o),
              lambda a, b: TF.binary_cross_entropy_with_logits(a, b, **kw_t), [xo, yo], [xt, yt], dtype)


@pytest.mark.parametrize("reduction", ["none", "mean", "sum", "batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    for dtype in ("float32", "float64"):
        xo, xt = pair(np.log(arr(3, 4, lo=0.05, hi=1)), dtype, grad=True)
        t = arr(3, 4, lo=0.0, hi=1, seed=6)
        t[0, 0] = 0.0
        if log_target:
            t = np.log(t + 0.1)
        yo, yt = pair(t, dtype, grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            check(lambda a, b: OF.kl_div(a, b, reduction=reduction, log_target=log_target),
                  lambda a, b: TF.kl_div(a, b, reduction=reduction, log_target=log_target), [xo, yo], [xt, yt],
                  dtype)


def test_bad_reduction():
    xo, xt = pair(arr(3))
    for name in ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "kl_div"]:
        with pytest.raises(ValueError) as et:
            getattr(TF, name)(xt, xt, reduction="bad")
        with pytest.raises(ValueError) as eo:
            getattr(OF, name)(xo, xo, reduction="bad")
        assert str(eo.value) == str(et.value)


# ------------------------------------------------------------------------------------------------
# normalisation
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("affine", ["both", "weight", "none"])
@pytest.mark.parametrize("shape,ns", [((4, 6), (6,)), ((2, 3, 4, 5), (4, 5)), ((3, 5), (3, 5))])
@pytest.mark.parametrize("layout", ["contig", "T"])
def test_layer_norm(dtype, affine, shape, ns, layout):
    if layout == "T" and len(ns) > 1:
        layout = "slice"
    xo, xt = pair(arr(*shape), dtype, grad=True, layout=layout)
    ins_o, ins_t = [xo], [xt]
    wo = wt = bo = bt = None
    if affine in ("both", "weight"):
        wo, wt = pair(arr(*ns, seed=2), dtype, grad=True)
        ins_o.append(wo)
        ins_t.append(wt)
    if affine == "both":
        bo, bt = pair(arr(*ns, seed=3), dtype, grad=True)
        ins_o.append(bo)
        ins_t.append(bt)
    check(lambda x, *p: OF.layer_norm(x, ns, wo, bo, 1e-5), lambda x, *p: TF.layer_norm(x, ns, wt, bt, 1e-5),
          ins_o, ins_t, dtype, **({"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {}))


def test_layer_norm_half_and_toplevel_and_errors():
    for dt in ("float16", "bfloat16"):
        xo, xt = pair(arr(3, 8), dt)
        close(OF.layer_norm(xo, (8,)), TF.layer_norm(xt, (8,)), dt)
    xo, xt = pair(arr(3, 8), grad=True)
    ro = ot.layer_norm(xo, [8])
    rt = torch.layer_norm(xt, [8])
    close(ro, rt, rtol=1e-4, atol=1e-5)
    outs_o = ot.native_layer_norm(xo, [8], None, None, 1e-5)
    outs_t = torch.native_layer_norm(xt, [8], None, None, 1e-5)
    for a, b in zip(outs_o, outs_t):
        close(a, b, rtol=1e-4, atol=1e-5)
    for f in [lambda F, m, x: F.layer_norm(x, (7,)), lambda F, m, x: F.layer_norm(x, (8,), m.ones(7))]:
        with pytest.raises(Exception) as et:
            f(TF, torch, xt)
        with pytest.raises(Exception) as eo:
            f(OF, ot, xo)
        assert type(eo.value) is type(et.value) and str(eo.value) == str(et.value), (et.value, eo.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("shape", [(6, 3), (4, 3, 5), (2, 3, 4, 5)])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm(dtype, training, shape, affine):
    xo, xt = pair(arr(*shape), dtype, grad=True)
    c = shape[1]
    rmo, rmt = pair(arr(c, seed=11), dtype)
    rvo, rvt = pair(arr(c, lo=0.5, hi=2, seed=12), dtype)
    ins_o, ins_t = [xo], [xt]
    wo = wt = bo = bt = None
    if affine:
        wo, wt = pair(arr(c, seed=2), dtype, grad=True)
        bo, bt = pair(arr(c, seed=3), dtype, grad=True)
        ins_o += [wo, bo]
        ins_t += [wt, bt]
    k = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {}
    check(lambda *a: OF.batch_norm(xo, rmo, rvo, wo, bo, training, 0.3, 1e-5),
          lambda *a: TF.batch_norm(xt, rmt, rvt, wt, bt, training, 0.3, 1e-5), ins_o, ins_t, dtype, **k)
    close(rmo, rmt, dtype, **k)
    close(rvo, rvt, dtype, **k)


def test_batch_norm_no_running_stats_and_errors():
    xo, xt = pair(arr(5, 3, 4), grad=True)
    check(lambda x: OF.batch_norm(x, None, None, training=True), lambda x: TF.batch_norm(x, None, None, training=True),
          [xo], [xt], rtol=1e-4, atol=1e-5)
    ro = ot.batch_norm(xo, None, None, None, None, True, 0.1, 1e-5, False)
    rt = torch.batch_norm(xt, None, None, None, None, True, 0.1, 1e-5, False)
    close(ro, rt, rtol=1e-4, atol=1e-5)
    cases = [lambda F, m, x: F.batch_norm(x[:1, :, :1], None, None, training=True),
             lambda F, m, x: F.batch_norm(x, m.zeros(4), m.ones(4), training=True)]
    for f in cases:
        with pytest.raises(Exception) as et:
            f(TF, torch, xt)
        with pytest.raises(Exception) as eo:
            f(OF, ot, xo)
        assert type(eo.value) is type(et.value) and str(eo.value) == str(et.value), (et.value, eo.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("groups", [1, 2, 4])
@pytest.mark.parametrize("affine", [True, False])
def test_group_norm(dtype, groups, affine):
    xo, xt = pair(arr(3, 4, 5, 2), dtype, grad=True)
    ins_o, ins_t = [xo], [xt]
    wo = wt = bo = bt = None
    if affine:
        wo, wt = pair(arr(4, seed=2), dtype, grad=True)
        bo, bt = pair(arr(4, seed=3), dtype, grad=True)
        ins_o += [wo, bo]
        ins_t += [wt, bt]
    k = {"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {}
    check(lambda *a: OF.group_norm(xo, groups, wo, bo), lambda *a: TF.group_norm(xt, groups, wt, bt), ins_o, ins_t,
          dtype, **k)


def test_group_norm_errors():
    xo, xt = pair(arr(2, 6, 3))
    for f in [lambda F, m, x: F.group_norm(x, 4), lambda F, m, x: F.group_norm(x, 3, m.ones(5))]:
        with pytest.raises(Exception) as et:
            f(TF, torch, xt)
        with pytest.raises(Exception) as eo:
            f(OF, ot, xo)
        assert type(eo.value) is type(et.value) and str(eo.value) == str(et.value), (et.value, eo.value)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("eps", [None, 1e-3])
@pytest.mark.parametrize("weighted", [True, False])
def test_rms_norm(dtype, eps, weighted):
    xo, xt = pair(arr(3, 4, 6), dtype, grad=True)
    ins_o, ins_t = [xo], [xt]
    wo = wt = None
    if weighted:
        wo, wt = pair(arr(4, 6, seed=2), dtype, grad=True)
        ins_o.append(wo)
        ins_t.append(wt)
    check(lambda *a: OF.rms_norm(xo, (4, 6), wo, eps), lambda *a: TF.rms_norm(xt, (4, 6), wt, eps), ins_o, ins_t,
          dtype, **({"rtol": 1e-4, "atol": 1e-5} if dtype == "float32" else {}))


def test_instance_norm():
    xo, xt = pair(arr(2, 3, 5), "float64", grad=True)
    wo, wt = pair(arr(3, seed=2), "float64", grad=True)
    rmo, rmt = pair(np.zeros(3), "float64")
    rvo, rvt = pair(np.ones(3), "float64")
    check(lambda x, w: OF.instance_norm(x, rmo, rvo, w), lambda x, w: TF.instance_norm(x, rmt, rvt, w), [xo, wo],
          [xt, wt], "float64", name=False)
    close(rmo, rmt, "float64")
    close(rvo, rvt, "float64")


# ------------------------------------------------------------------------------------------------
# embedding, one_hot, distances, attention, small activations
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("padding_idx", [None, 2, -1])
@pytest.mark.parametrize("idx_shape", [(5,), (2, 3), ()])
def test_embedding(padding_idx, idx_shape):
    idx = np.random.default_rng(3).integers(0, 6, size=idx_shape)
    if idx.ndim:
        idx.reshape(-1)[0] = 2
    io, it = ipair(idx)
    wo, wt = pair(arr(6, 4), "float32", grad=True)
    check(lambda w: OF.embedding(io, w, padding_idx), lambda w: TF.embedding(it, w, padding_idx), [wo], [wt])


def test_embedding_max_norm_scale_freq_int32_and_errors():
    io, it = ipair([[0, 1, 1], [3, 1, 0]])
    wo, wt = pair(arr(5, 3, lo=-3, hi=3), "float32", grad=True)
    with ot.no_grad():
        wo2 = wo.detach().clone()
    with torch.no_grad():
        wt2 = wt.detach().clone()
    ro = OF.embedding(io, wo2, max_norm=1.0)
    rt = TF.embedding(it, wt2, max_norm=1.0)
    close(ro, rt)
    close(wo2, wt2)
    check(lambda w: OF.embedding(io, w, scale_grad_by_freq=True), lambda w: TF.embedding(it, w, scale_grad_by_freq=True),
          [wo], [wt])
    close(OF.embedding(io.to(ot.int32), wo), TF.embedding(it.to(torch.int32), wt))
    for f in [lambda F, m, w: F.embedding(m.tensor([5]), w), lambda F, m, w: F.embedding(m.tensor([0.5]), w)]:
        with pytest.raises(Exception) as et:
            f(TF, torch, wt)
        with pytest.raises(Exception) as eo:
            f(OF, ot, wo)
        assert type(eo.value) is type(et.value) and str(eo.value) == str(et.value), (et.value, eo.value)
    close(ot.embedding(wo, io), torch.embedding(wt, it))


def test_one_hot():
    for data, nc in [([0, 2, 1], -1), ([[1, 0], [3, 2]], 5), ([], 3)]:
        o = OF.one_hot(ot.tensor(data, dtype=ot.int64), nc)
        t = TF.one_hot(torch.tensor(data, dtype=torch.int64), nc)
        assert o.dtype == ot.int64 and tuple(o.shape) == tuple(t.shape)
        assert o.tolist() == t.tolist()
    for data, nc in [([0, 3], 3), ([-1], 3), ([], -1)]:
        with pytest.raises(Exception) as et:
            TF.one_hot(torch.tensor(data, dtype=torch.int64), nc)
        with pytest.raises(Exception) as eo:
            OF.one_hot(ot.tensor(data, dtype=ot.int64), nc)
        assert type(eo.value) is type(et.value) and str(eo.value) == str(et.value), (et.value, eo.value)


@pytest.mark.parametrize("p", [2.0, 1.0, 3.0])
@pytest.mark.parametrize("dim", [1, 0, -1])
def test_normalize(p, dim):
    a = arr(3, 4)
    a[1] = 0.0
    xo, xt = pair(a, "float64", grad=True)
    check(lambda x: OF.normalize(x, p, dim), lambda x: TF.normalize(x, p, dim), [xo], [xt], "float64", name=False)


def test_cosine_similarity_and_pairwise_distance():
    for dim in (1, 0, -1):
        ao, at = pair(arr(3, 4), "float64", grad=True)
        bo, bt = pair(arr(3, 4, seed=4), "float64", grad=True)
        check(lambda a, b: OF.cosine_similarity(a, b, dim), lambda a, b: TF.cosine_similarity(a, b, dim), [ao, bo],
              [at, bt], "float64", name=False)
    for p in (2.0, 1.0, 3.0):
        for keepdim in (False, True):
            ao, at = pair(arr(3, 4), "float64", grad=True)
            bo, bt = pair(arr(3, 4, seed=4), "float64", grad=True)
            check(lambda a, b: OF.pairwise_distance(a, b, p, keepdim=keepdim),
                  lambda a, b: TF.pairwise_distance(a, b, p, keepdim=keepdim), [ao, bo], [at, bt], "float64",
                  name=False)


@pytest.mark.parametrize("mask", [None, "bool", "float", "causal"])
@pytest.mark.parametrize("scale", [None, 0.3])
def test_sdpa(mask, scale):
    qo, qt = pair(arr(2, 3, 4, 8), "float64", grad=True)
    ko, kt = pair(arr(2, 3, 5, 8, seed=2), "float64", grad=True)
    vo, vt = pair(arr(2, 3, 5, 6, seed=3), "float64", grad=True)
    kw_o, kw_t = dict(scale=scale), dict(scale=scale)
    if mask == "bool":
        m = np.random.default_rng(1).uniform(size=(4, 5)) > 0.3
        m[:, 0] = True
        kw_o["attn_mask"], kw_t["attn_mask"] = ot.tensor(m), torch.tensor(m)
    elif mask == "float":
        kw_o["attn_mask"], kw_t["attn_mask"] = pair(arr(4, 5, seed=7), "float64")
    elif mask == "causal":
        kw_o["is_causal"] = kw_t["is_causal"] = True
    check(lambda q, k, v: OF.scaled_dot_product_attention(q, k, v, **kw_o),
          lambda q, k, v: TF.scaled_dot_product_attention(q, k, v, **kw_t), [qo, ko, vo], [qt, kt, vt], "float64",
          name=False)


@pytest.mark.parametrize("name,args", [
    ("glu", (1,)), ("glu", (-1,)), ("hardshrink", (0.6,)), ("softshrink", (0.4,)), ("threshold", (0.2, -3.0)),
])
def test_small_activations(name, args):
    xo, xt = pair(arr(3, 4), "float64", grad=True)
    check(lambda x: getattr(OF, name)(x, *args), lambda x: getattr(TF, name)(x, *args), [xo], [xt], "float64")


def test_prelu_and_rrelu_eval():
    for wshape in [(1,), (4,)]:
        xo, xt = pair(arr(3, 4, 2), "float64", grad=True)
        wo, wt = pair(arr(*wshape, lo=0.1, hi=0.5), "float64", grad=True)
        check(lambda x, w: OF.prelu(x, w), lambda x, w: TF.prelu(x, w), [xo, wo], [xt, wt], "float64", name=False)
    xo, xt = pair(arr(3, 4), "float64", grad=True)
    check(lambda x: OF.rrelu(x), lambda x: TF.rrelu(x), [xo], [xt], "float64", name=False)
    xo, xt = pair(arr(3, 4), "float64")
    with pytest.raises(RuntimeError) as et:
        TF.glu(xt[:, :3], 1)
    with pytest.raises(RuntimeError) as eo:
        OF.glu(xo[:, :3], 1)
    assert str(eo.value) == str(et.value)
