"""Forward/backward parity of the nn modules whose functionals land with the conv and nnfn work
(F.conv*, pad, pools, batch/layer/group/rms norm, embedding, losses, softmax autograd).

Not collected by pytest (the file name does not start with ``test_``): rename it to
``tests/test_nn_layers_forward.py`` after merging wip-conv and wip-nnfn.

Every case builds the module in torch and in oxytorch, loads torch's state into oxytorch,
runs the same input through both and compares the output, the input gradient, every parameter
gradient and (for BatchNorm) the updated buffers."""
import math
from collections import OrderedDict

import numpy as np
import pytest
import torch

import oxytorch as ot

from test_nn_module import assert_close, copy_params, ot_from, raises_both

TOL = {"float32": dict(rtol=2e-5, atol=2e-5), "float64": dict(rtol=1e-10, atol=1e-10)}


def run_module(make, inputs, dtype="float32", train=True, grad=True, tol=None, out_index=None,
               compare_buffers=True):
    """make(nn) -> module; inputs: list of torch tensors (float ones get requires_grad)."""
    tol = tol or TOL[dtype]
    tdt, odt = getattr(torch, dtype), getattr(ot, dtype)
    torch.manual_seed(0)
    t = make(torch.nn).to(tdt)
    o = make(ot.nn).to(odt)
    copy_params(t, o)
    t.train(train)
    o.train(train)
    tin, oin = [], []
    for x in inputs:
        if x.is_floating_point():
            x = x.to(tdt)
            xt = x.clone().requires_grad_(grad)
            xo = ot_from(x).requires_grad_(grad)
        else:
            xt, xo = x, ot_from(x)
        tin.append(xt)
        oin.append(xo)
    yt, yo = t(*tin), o(*oin)
    if out_index is not None:
        yt, yo = yt[out_index], yo[out_index]
    if isinstance(yt, tuple):
        for a, b in zip(yo, yt):
            assert_close(a, b, exact=not b.is_floating_point(), **({} if not b.is_floating_point() else tol))
        yt, yo = yt[0], yo[0]
    assert_close(yo, yt, **tol)
    if compare_buffers:
        for (n, a), (_, b) in zip(o.named_buffers(), t.named_buffers()):
            assert_close(a, b, **tol)
    if not grad:
        return t, o
    torch.manual_seed(1)
    g = torch.randn(yt.shape, dtype=yt.dtype)
    yt.backward(g)
    yo.backward(ot_from(g))
    for a, b in zip(oin, tin):
        if b.is_floating_point():
            assert_close(a.grad, b.grad, **tol)
    for (n, a), (_, b) in zip(o.named_parameters(), t.named_parameters()):
        if b.grad is None:
            assert a.grad is None, n
        else:
            assert_close(a.grad, b.grad, **tol)
    return t, o


def randn(*shape):
    return torch.randn(*shape)


# ----------------------------------------------------------------------------- conv
CONV_CASES = [
    (lambda nn: nn.Conv1d(3, 4, 3), (2, 3, 10)),
    (lambda nn: nn.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2), (2, 4, 11)),
    (lambda nn: nn.Conv1d(3, 4, 4, padding="same"), (2, 3, 9)),
    (lambda nn: nn.Conv1d(3, 4, 3, padding=1, padding_mode="reflect"), (2, 3, 8)),
    (lambda nn: nn.Conv1d(3, 4, 3, padding=2, padding_mode="circular", bias=False), (3, 8)),
    (lambda nn: nn.Conv2d(1, 16, 5), (2, 1, 12, 12)),
    (lambda nn: nn.Conv2d(3, 6, 3, padding=1), (2, 3, 8, 8)),
    (lambda nn: nn.Conv2d(3, 6, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)), (2, 3, 9, 7)),
    (lambda nn: nn.Conv2d(4, 4, 3, groups=4, bias=False), (1, 4, 6, 6)),
    (lambda nn: nn.Conv2d(3, 5, (4, 3), padding="same", dilation=2), (2, 3, 9, 8)),
    (lambda nn: nn.Conv2d(3, 5, 3, padding="valid"), (3, 7, 7)),
    (lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"), (2, 2, 5, 6)),
    (lambda nn: nn.Conv2d(2, 3, 3, padding=(2, 1), padding_mode="reflect"), (2, 2, 5, 6)),
    (lambda nn: nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular"), (2, 2, 5, 6)),
    (lambda nn: nn.Conv3d(2, 3, 3, padding=1), (2, 2, 5, 5, 5)),
    (lambda nn: nn.Conv3d(2, 4, (2, 3, 1), stride=2, groups=2, padding_mode="replicate", padding=1), (1, 2, 5, 6, 4)),
]


@pytest.mark.parametrize("i", range(len(CONV_CASES)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_conv_modules(i, dtype):
    make, shape = CONV_CASES[i]
    run_module(make, [randn(*shape)], dtype, tol=dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else None)


def test_mynet_cnn_training_step_matches_torch():
    """The issue's CNN (conv 1->16 5x5, ReLU, maxpool 2, conv 16->32 5x5, ReLU, maxpool 2, linear)
    trained for three SGD steps from the same seed gives the same weights."""
    def build(lib):
        nn = lib.nn
        return nn.Sequential(nn.Conv2d(1, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(16, 32, 5),
                             nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(512, 10))

    torch.manual_seed(0)
    ot.manual_seed(0)
    t, o = build(torch), build(ot)
    for (k, a), (_, b) in zip(o.state_dict().items(), t.state_dict().items()):
        assert_close(a, b, exact=True)
    x = torch.randn(4, 1, 28, 28)
    y = torch.randint(0, 10, (4,))
    for _ in range(3):
        for m, lib, xx, yy in ((t, torch, x, y), (o, ot, ot_from(x), ot_from(y))):
            m.zero_grad()
            loss = lib.nn.functional.cross_entropy(m(xx), yy)
            loss.backward()
            with lib.no_grad():
                for p in m.parameters():
                    p.sub_(p.grad * 0.05)
    for (k, a), (_, b) in zip(o.state_dict().items(), t.state_dict().items()):
        assert_close(a, b, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------- pooling
POOL_CASES = [
    (lambda nn: nn.MaxPool1d(3), (2, 3, 10)),
    (lambda nn: nn.MaxPool1d(3, 2, 1, ceil_mode=True), (2, 3, 10)),
    (lambda nn: nn.MaxPool2d(2), (2, 3, 8, 8)),
    (lambda nn: nn.MaxPool2d(3, 2, 1, dilation=2, ceil_mode=True), (2, 3, 9, 9)),
    (lambda nn: nn.MaxPool2d((2, 3), return_indices=True), (3, 8, 9)),
    (lambda nn: nn.MaxPool3d(2), (1, 2, 4, 4, 4)),
    (lambda nn: nn.AvgPool1d(3, 2, 1), (2, 3, 10)),
    (lambda nn: nn.AvgPool1d(3, 2, 1, ceil_mode=True, count_include_pad=False), (2, 3, 10)),
    (lambda nn: nn.AvgPool2d(2), (2, 3, 8, 8)),
    (lambda nn: nn.AvgPool2d(3, 2, 1, count_include_pad=False), (2, 3, 9, 9)),
    (lambda nn: nn.AvgPool2d(2, divisor_override=3), (2, 3, 6, 6)),
    (lambda nn: nn.AvgPool3d(2, padding=1), (1, 2, 4, 5, 4)),
    (lambda nn: nn.AdaptiveAvgPool1d(4), (2, 3, 10)),
    (lambda nn: nn.AdaptiveAvgPool2d((3, 5)), (2, 3, 7, 11)),
    (lambda nn: nn.AdaptiveAvgPool2d(1), (2, 3, 7, 7)),
    (lambda nn: nn.AdaptiveAvgPool2d((None, 2)), (2, 3, 5, 7)),
    (lambda nn: nn.AdaptiveMaxPool2d(3), (2, 3, 8, 7)),
    (lambda nn: nn.AdaptiveMaxPool2d((2, 4), return_indices=True), (2, 3, 8, 7)),
]


@pytest.mark.parametrize("i", range(len(POOL_CASES)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pool_modules(i, dtype):
    make, shape = POOL_CASES[i]
    run_module(make, [randn(*shape)], dtype)


# ----------------------------------------------------------------------------- normalisation
@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.BatchNorm1d(4), (8, 4)),
    (lambda nn: nn.BatchNorm1d(4), (8, 4, 5)),
    (lambda nn: nn.BatchNorm2d(3), (4, 3, 5, 5)),
    (lambda nn: nn.BatchNorm2d(3, momentum=None), (4, 3, 5, 5)),
    (lambda nn: nn.BatchNorm2d(3, affine=False), (4, 3, 5, 5)),
    (lambda nn: nn.BatchNorm2d(3, track_running_stats=False), (4, 3, 5, 5)),
    (lambda nn: nn.BatchNorm3d(2, eps=1e-3, momentum=0.3), (2, 2, 3, 4, 5)),
])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_batchnorm(make, shape, train, dtype):
    t, o = run_module(make, [randn(*shape) * 3 + 1], dtype, train=train)
    if train and t.track_running_stats:
        # a second step updates the running statistics again (and the counter)
        x = randn(*shape)
        t(x.to(getattr(torch, dtype)))
        o(ot_from(x.to(getattr(torch, dtype))))
        for (n, a), (_, b) in zip(o.named_buffers(), t.named_buffers()):
            assert_close(a, b, **TOL[dtype])


def test_batchnorm_errors():
    raises_both(lambda lib: lib.nn.BatchNorm2d(3)(lib.ones(2, 3)))
    raises_both(lambda lib: lib.nn.BatchNorm1d(3)(lib.ones(2, 3, 4, 5)))
    raises_both(lambda lib: lib.nn.BatchNorm3d(3)(lib.ones(2, 3, 4, 5)))


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.LayerNorm(5), (3, 5)),
    (lambda nn: nn.LayerNorm([4, 5]), (2, 3, 4, 5)),
    (lambda nn: nn.LayerNorm(5, elementwise_affine=False), (3, 5)),
    (lambda nn: nn.LayerNorm(5, bias=False), (3, 5)),
    (lambda nn: nn.GroupNorm(2, 4), (3, 4, 5)),
    (lambda nn: nn.GroupNorm(1, 6, affine=False), (2, 6, 3, 3)),
    (lambda nn: nn.GroupNorm(3, 6, eps=1e-3), (2, 6, 4)),
    (lambda nn: nn.RMSNorm(5), (3, 5)),
    (lambda nn: nn.RMSNorm([4, 5], eps=1e-6), (2, 4, 5)),
    (lambda nn: nn.RMSNorm(5, elementwise_affine=False), (3, 5)),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_layer_group_rms_norm(make, shape, dtype):
    run_module(make, [randn(*shape) * 2 + 0.5], dtype)


# ----------------------------------------------------------------------------- embedding
@pytest.mark.parametrize("kw", [{}, {"padding_idx": 1}, {"padding_idx": -1}, {"max_norm": 1.0}])
def test_embedding(kw):
    idx = torch.tensor([[0, 1, 2], [4, 1, 9]])
    t, o = run_module(lambda nn: nn.Embedding(10, 3, **kw), [idx], grad=False)
    torch.manual_seed(0)
    t = torch.nn.Embedding(10, 3, **kw)
    o = ot.nn.Embedding(10, 3, **kw)
    copy_params(t, o)
    t(idx).sum().backward()
    o(ot_from(idx)).sum().backward()
    assert_close(o.weight.grad, t.weight.grad)
    if "max_norm" in kw:  # renormalised in place, as torch does
        assert_close(o.weight, t.weight)


def test_embedding_from_pretrained_forward():
    w = torch.randn(5, 2)
    t = torch.nn.Embedding.from_pretrained(w)
    o = ot.nn.Embedding.from_pretrained(ot_from(w))
    idx = torch.tensor([3, 0, 3])
    assert_close(o(ot_from(idx)), t(idx), exact=True)


# ----------------------------------------------------------------------------- losses
def _ce_inputs():
    torch.manual_seed(0)
    return torch.randn(6, 4), torch.tensor([0, 3, 1, 1, 2, 0])


LOSS_CASES = [
    ("ce", lambda nn: nn.CrossEntropyLoss(), lambda: _ce_inputs()),
    ("ce_sum", lambda nn: nn.CrossEntropyLoss(reduction="sum"), lambda: _ce_inputs()),
    ("ce_none", lambda nn: nn.CrossEntropyLoss(reduction="none"), lambda: _ce_inputs()),
    ("ce_weight", lambda nn: nn.CrossEntropyLoss(weight=_lib_tensor(nn, [1.0, 2.0, 0.5, 1.5])), lambda: _ce_inputs()),
    ("ce_ignore", lambda nn: nn.CrossEntropyLoss(ignore_index=1), lambda: _ce_inputs()),
    ("ce_smooth", lambda nn: nn.CrossEntropyLoss(label_smoothing=0.1), lambda: _ce_inputs()),
    ("ce_probs", lambda nn: nn.CrossEntropyLoss(), lambda: (torch.randn(5, 3), torch.softmax(torch.randn(5, 3), 1))),
    ("ce_probs_smooth", lambda nn: nn.CrossEntropyLoss(label_smoothing=0.2),
     lambda: (torch.randn(5, 3), torch.softmax(torch.randn(5, 3), 1))),
    ("ce_spatial", lambda nn: nn.CrossEntropyLoss(), lambda: (torch.randn(2, 3, 4, 4), torch.randint(0, 3, (2, 4, 4)))),
    ("nll", lambda nn: nn.NLLLoss(), lambda: (torch.log_softmax(torch.randn(6, 4), 1), torch.tensor([0, 3, 1, 1, 2, 0]))),
    ("nll_weight_ignore", lambda nn: nn.NLLLoss(weight=_lib_tensor(nn, [1.0, 2.0, 0.5, 1.5]), ignore_index=0),
     lambda: (torch.log_softmax(torch.randn(6, 4), 1), torch.tensor([0, 3, 1, 1, 2, 0]))),
    ("mse", lambda nn: nn.MSELoss(), lambda: (torch.randn(4, 5), torch.randn(4, 5))),
    ("mse_sum", lambda nn: nn.MSELoss(reduction="sum"), lambda: (torch.randn(4, 5), torch.randn(4, 5))),
    ("l1", lambda nn: nn.L1Loss(reduction="none"), lambda: (torch.randn(4, 5), torch.randn(4, 5))),
    ("smoothl1", lambda nn: nn.SmoothL1Loss(beta=0.5), lambda: (torch.randn(4, 5), torch.randn(4, 5))),
    ("huber", lambda nn: nn.HuberLoss(delta=0.7), lambda: (torch.randn(4, 5) * 2, torch.randn(4, 5))),
    ("bce", lambda nn: nn.BCELoss(), lambda: (torch.rand(4, 5) * 0.9 + 0.05, torch.rand(4, 5))),
    ("bce_weight", lambda nn: nn.BCELoss(weight=_lib_tensor(nn, [1.0, 2.0, 3.0, 0.5, 1.0])),
     lambda: (torch.rand(4, 5) * 0.9 + 0.05, torch.rand(4, 5))),
    ("bcel", lambda nn: nn.BCEWithLogitsLoss(), lambda: (torch.randn(4, 5) * 3, torch.rand(4, 5))),
    ("bcel_pos", lambda nn: nn.BCEWithLogitsLoss(pos_weight=_lib_tensor(nn, [1.0, 2.0, 3.0, 0.5, 1.0])),
     lambda: (torch.randn(4, 5) * 3, torch.rand(4, 5))),
    ("kl", lambda nn: nn.KLDivLoss(reduction="batchmean"),
     lambda: (torch.log_softmax(torch.randn(4, 5), 1), torch.softmax(torch.randn(4, 5), 1))),
    ("kl_log", lambda nn: nn.KLDivLoss(reduction="sum", log_target=True),
     lambda: (torch.log_softmax(torch.randn(4, 5), 1), torch.log_softmax(torch.randn(4, 5), 1))),
]


def _lib_tensor(nn, values):
    lib = torch if nn is torch.nn else ot
    return lib.tensor(values)


@pytest.mark.parametrize("name,make,data", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_loss_modules(name, make, data, dtype):
    torch.manual_seed(0)
    inp, target = data()
    tdt = getattr(torch, dtype)
    inp = inp.to(tdt)
    if target.is_floating_point():
        target = target.to(tdt)
    t, o = make(torch.nn), make(ot.nn)
    if getattr(t, "weight", None) is not None:
        t.weight = t.weight.to(tdt)
        o.weight = o.weight.to(getattr(ot, dtype))
    if getattr(t, "pos_weight", None) is not None:
        t.pos_weight = t.pos_weight.to(tdt)
        o.pos_weight = o.pos_weight.to(getattr(ot, dtype))
    xt = inp.clone().requires_grad_()
    xo = ot_from(inp).requires_grad_()
    yt, yo = t(xt, target), o(xo, ot_from(target))
    assert_close(yo, yt, **TOL[dtype])
    g = torch.randn(yt.shape, dtype=tdt)
    yt.backward(g)
    yo.backward(ot_from(g))
    assert_close(xo.grad, xt.grad, **TOL[dtype])


# ----------------------------------------------------------------------------- activations with autograd
ACT_MODULES = [
    lambda nn: nn.ReLU(), lambda nn: nn.ReLU6(), lambda nn: nn.LeakyReLU(0.2), lambda nn: nn.ELU(0.7),
    lambda nn: nn.SELU(), lambda nn: nn.CELU(0.5), lambda nn: nn.GELU(), lambda nn: nn.GELU("tanh"),
    lambda nn: nn.SiLU(), lambda nn: nn.Mish(), lambda nn: nn.Sigmoid(), lambda nn: nn.Tanh(),
    lambda nn: nn.Softsign(), lambda nn: nn.Softplus(2.0, 5.0), lambda nn: nn.Hardtanh(-0.5, 0.7),
    lambda nn: nn.Hardsigmoid(), lambda nn: nn.Hardswish(), lambda nn: nn.LogSigmoid(),
    lambda nn: nn.Softmax(dim=1), lambda nn: nn.LogSoftmax(dim=-1), lambda nn: nn.Softmin(dim=0),
    lambda nn: nn.Softmax2d(), lambda nn: nn.PReLU(4), lambda nn: nn.Threshold(0.1, -2.0),
    lambda nn: nn.Tanhshrink(), lambda nn: nn.GLU(1), lambda nn: nn.Hardshrink(), lambda nn: nn.Softshrink(0.3),
]


@pytest.mark.parametrize("i", range(len(ACT_MODULES)))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activation_modules_forward_backward(i, dtype):
    run_module(ACT_MODULES[i], [randn(3, 4, 2, 2) * 3], dtype)


# ----------------------------------------------------------------------------- attention
@pytest.mark.parametrize("kw,fkw", [
    ({}, {}),
    ({"batch_first": True}, {}),
    ({"kdim": 3, "vdim": 5}, {}),
    ({}, {"average_attn_weights": False}),
    ({"bias": False}, {"need_weights": False}),
    ({"add_bias_kv": True}, {}),
    ({"add_zero_attn": True}, {}),
    ({"dropout": 0.0}, {"attn_mask": "causal"}),
])
def test_multihead_attention_backward(kw, fkw):
    torch.manual_seed(0)
    t = torch.nn.MultiheadAttention(6, 2, **kw)
    o = ot.nn.MultiheadAttention(6, 2, **kw)
    copy_params(t, o)
    bf = kw.get("batch_first", False)
    L, S, N = 4, 5, 3
    q = torch.randn((N, L, 6) if bf else (L, N, 6))
    k = torch.randn((N, S, kw.get("kdim", 6)) if bf else (S, N, kw.get("kdim", 6)))
    v = torch.randn((N, S, kw.get("vdim", 6)) if bf else (S, N, kw.get("vdim", 6)))
    tf, of = dict(fkw), dict(fkw)
    if fkw.get("attn_mask") == "causal":
        m = torch.triu(torch.ones(L, S, dtype=torch.bool), 1)
        tf["attn_mask"], of["attn_mask"] = m, ot.from_numpy(m.numpy())
    qt, kt, vt = (x.clone().requires_grad_() for x in (q, k, v))
    qo, ko, vo = (ot_from(x).requires_grad_() for x in (q, k, v))
    at, wt = t(qt, kt, vt, **tf)
    ao, wo = o(qo, ko, vo, **of)
    assert_close(ao, at, rtol=1e-5, atol=1e-6)
    if wt is not None:
        assert_close(wo, wt, rtol=1e-5, atol=1e-6)
    g = torch.randn(at.shape)
    at.backward(g)
    ao.backward(ot_from(g))
    for a, b in ((qo, qt), (ko, kt), (vo, vt)):
        assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-6)
    for (n, a), (_, b) in zip(o.named_parameters(), t.named_parameters()):
        assert_close(a.grad, b.grad, rtol=1e-4, atol=1e-6)


# ----------------------------------------------------------------------------- padding, resampling, fold
@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.ZeroPad2d((1, 2, 0, 3)), (2, 3, 4, 4)),
    (lambda nn: nn.ConstantPad1d(2, 1.5), (2, 3, 5)),
    (lambda nn: nn.ConstantPad3d(1, -1.0), (1, 2, 2, 3, 3)),
    (lambda nn: nn.ReflectionPad1d((2, 1)), (2, 3, 5)),
    (lambda nn: nn.ReflectionPad2d(2), (2, 3, 4, 5)),
    (lambda nn: nn.ReplicationPad2d((1, 0, 2, 1)), (2, 3, 4, 5)),
    (lambda nn: nn.ReplicationPad3d(1), (1, 2, 3, 3, 3)),
    (lambda nn: nn.CircularPad2d(1), (2, 3, 4, 5)),
    (lambda nn: nn.Upsample(scale_factor=2), (2, 3, 4, 5)),
    (lambda nn: nn.Upsample(size=(7, 9), mode="bilinear"), (2, 3, 4, 5)),
    (lambda nn: nn.Upsample(scale_factor=1.5, mode="bilinear", align_corners=True), (2, 3, 4, 5)),
    (lambda nn: nn.UpsamplingNearest2d(size=6), (1, 2, 3, 3)),
    (lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), (1, 2, 3, 3)),
    (lambda nn: nn.Unfold(2), (2, 3, 4, 5)),
    (lambda nn: nn.Unfold((2, 3), dilation=1, padding=1, stride=2), (2, 3, 5, 6)),
    (lambda nn: nn.Fold((4, 5), 2), (2, 12, 12)),
])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_padding_resampling_fold_modules(make, shape, dtype):
    run_module(make, [randn(*shape)], dtype)


def test_cosine_similarity_module():
    run_module(lambda nn: nn.CosineSimilarity(dim=1), [randn(4, 5), randn(4, 5)])
    run_module(lambda nn: nn.CosineSimilarity(dim=0, eps=1e-3), [randn(4, 5), randn(4, 5)], "float64")


# ----------------------------------------------------------------------------- transformer
@pytest.mark.parametrize("make,kind", [
    (lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), "enc"),
    (lambda nn: nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, batch_first=True, norm_first=True,
                                           activation="gelu"), "enc_bf"),
    (lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0), 2, nn.LayerNorm(8)), "enc"),
    (lambda nn: nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), "dec"),
    (lambda nn: nn.TransformerDecoder(nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0), 2), "dec"),
    (lambda nn: nn.Transformer(8, 2, 2, 1, 16, dropout=0.0), "full"),
])
@pytest.mark.parametrize("train", [True, False])
def test_transformer_forward_backward(make, kind, train):
    import warnings

    torch.manual_seed(0)
    x = torch.randn(3, 5, 8) if kind == "enc_bf" else torch.randn(5, 3, 8)
    y = torch.randn(4, 3, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind in ("enc", "enc_bf"):
            run_module(make, [x], train=train, tol=dict(rtol=1e-4, atol=1e-5))
        elif kind == "dec":
            run_module(make, [y, x], train=train, tol=dict(rtol=1e-4, atol=1e-5))
        else:
            run_module(make, [x, y], train=train, tol=dict(rtol=1e-4, atol=1e-5))


@pytest.mark.parametrize("make,shape", [
    (lambda nn: nn.InstanceNorm1d(3), (2, 3, 6)),
    (lambda nn: nn.InstanceNorm1d(3, affine=True), (3, 6)),
    (lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 4, 5)),
    (lambda nn: nn.InstanceNorm3d(2, momentum=0.3, track_running_stats=True), (2, 2, 3, 3, 3)),
])
@pytest.mark.parametrize("train", [True, False])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_instance_norm(make, shape, train, dtype):
    run_module(make, [randn(*shape) * 2 + 1], dtype, train=train)


@pytest.mark.parametrize("attn", [None, "2d", "3d"])
@pytest.mark.parametrize("kpm", [False, True])
def test_mha_merge_masks(attn, kpm):
    b, L, e, h = 2, 3, 4, 2
    rng = np.random.default_rng(0)
    q = rng.standard_normal((b, L, e))
    masks = {"2d": rng.standard_normal((L, L)), "3d": rng.standard_normal((b * h, L, L))}
    outs = []
    for lib in (ot, torch):
        m = lib.nn.MultiheadAttention(e, h, batch_first=True)
        am = None if attn is None else lib.tensor(masks[attn])
        kp = lib.tensor(np.arange(b * L, dtype=float).reshape(b, L)) if kpm else None
        outs.append(m.merge_masks(am, kp, lib.tensor(q)))
    (mo, to_), (mt, tt) = outs
    assert to_ == tt
    if mt is None:
        assert mo is None
    else:
        assert tuple(mo.shape) == tuple(mt.shape)
        np.testing.assert_allclose(mo.numpy(), mt.numpy())
