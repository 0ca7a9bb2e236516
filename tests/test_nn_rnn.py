"""RNN/LSTM/GRU and their cells against real torch: parameters, names, seeded initialisation,
repr, outputs, final states, input/state/parameter gradients."""
import warnings

import numpy as np
import pytest
import torch

import oxytorch as ot

from test_nn_module import assert_close, copy_params, ot_from, raises_both

CASES = [
    ("rnn", lambda nn: nn.RNN(3, 4), (5, 2, 3)),
    ("rnn_relu_bi2", lambda nn: nn.RNN(3, 4, 2, nonlinearity="relu", bidirectional=True), (5, 2, 3)),
    ("rnn_nobias_bf", lambda nn: nn.RNN(3, 4, bias=False, batch_first=True), (2, 5, 3)),
    ("lstm", lambda nn: nn.LSTM(3, 4), (5, 2, 3)),
    ("lstm_bi2_bf", lambda nn: nn.LSTM(3, 4, 2, batch_first=True, bidirectional=True), (2, 5, 3)),
    ("lstm_proj", lambda nn: nn.LSTM(3, 4, proj_size=2), (5, 2, 3)),
    ("lstm_proj_bi", lambda nn: nn.LSTM(3, 5, 2, proj_size=3, bidirectional=True), (4, 2, 3)),
    ("lstm_unbatched", lambda nn: nn.LSTM(3, 4, 2), (5, 3)),
    ("gru", lambda nn: nn.GRU(3, 4, 2), (5, 2, 3)),
    ("gru_bi_nobias_unbatched", lambda nn: nn.GRU(3, 4, bias=False, bidirectional=True), (5, 3)),
    ("gru_bf", lambda nn: nn.GRU(3, 4, batch_first=True), (2, 6, 3)),
]


def _build(make):
    mods = []
    for lib in (torch, ot):
        lib.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mods.append(make(lib.nn))
    return mods


@pytest.mark.parametrize("name,make,shape", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("with_state", [False, True])
def test_recurrent_modules(name, make, shape, with_state):
    t, o = _build(make)
    assert repr(o) == repr(t)
    assert list(o.state_dict()) == list(t.state_dict())
    assert o._flat_weights_names == t._flat_weights_names
    for (k, a), (_, b) in zip(o.state_dict().items(), t.state_dict().items()):
        assert_close(a, b, exact=True)  # same seed, same init
    torch.manual_seed(1)
    x = torch.randn(*shape, requires_grad=True)
    xo = ot_from(x).requires_grad_()
    lstm = isinstance(t, torch.nn.LSTM)
    targs, oargs = [x], [xo]
    states_t, states_o = [], []
    if with_state:
        nd = 2 if t.bidirectional else 1
        batch = () if len(shape) == 2 else ((shape[0],) if t.batch_first else (shape[1],))
        hsz = t.proj_size if t.proj_size > 0 else t.hidden_size
        h0 = torch.randn((t.num_layers * nd,) + batch + (hsz,), requires_grad=True)
        states_t.append(h0)
        states_o.append(ot_from(h0).requires_grad_())
        if lstm:
            c0 = torch.randn((t.num_layers * nd,) + batch + (t.hidden_size,), requires_grad=True)
            states_t.append(c0)
            states_o.append(ot_from(c0).requires_grad_())
            targs.append(tuple(states_t))
            oargs.append(tuple(states_o))
        else:
            targs.append(states_t[0])
            oargs.append(states_o[0])
    yt, ht = t(*targs)
    yo, ho = o(*oargs)
    tol = dict(rtol=1e-5, atol=1e-6)
    assert_close(yo, yt, **tol)
    hts = ht if lstm else (ht,)
    hos = ho if lstm else (ho,)
    for a, b in zip(hos, hts):
        assert_close(a, b, **tol)
    loss_t = (yt * torch.linspace(-1, 1, yt.numel()).reshape(yt.shape)).sum() + sum(h.sum() for h in hts)
    gw = ot_from(torch.linspace(-1, 1, yt.numel()).reshape(yt.shape))
    loss_o = (yo * gw).sum()
    for h in hos:
        loss_o = loss_o + h.sum()
    loss_t.backward()
    loss_o.backward()
    assert_close(xo.grad, x.grad, **tol)
    for a, b in zip(states_o, states_t):
        assert_close(a.grad, b.grad, **tol)
    for (n, a), (_, b) in zip(o.named_parameters(), t.named_parameters()):
        assert_close(a.grad, b.grad, rtol=1e-5, atol=1e-5)


def test_multilayer_dropout_is_applied_in_training_only():
    t, o = _build(lambda nn: nn.LSTM(3, 4, 2, dropout=0.5))
    x = ot.randn(5, 2, 3)
    o.eval()
    y1, _ = o(x)
    y2, _ = o(x)
    assert y1.tolist() == y2.tolist()
    o.train()
    ot.manual_seed(0)
    y3, _ = o(x)
    ot.manual_seed(1)
    y4, _ = o(x)
    assert y3.tolist() != y4.tolist()


CELLS = [
    ("rnncell", lambda nn: nn.RNNCell(3, 4), False),
    ("rnncell_relu_nobias", lambda nn: nn.RNNCell(3, 4, bias=False, nonlinearity="relu"), False),
    ("lstmcell", lambda nn: nn.LSTMCell(3, 4), True),
    ("grucell", lambda nn: nn.GRUCell(3, 4), False),
    ("grucell_nobias", lambda nn: nn.GRUCell(3, 4, bias=False), False),
]


@pytest.mark.parametrize("name,make,lstm", CELLS, ids=[c[0] for c in CELLS])
@pytest.mark.parametrize("batched", [True, False])
@pytest.mark.parametrize("with_state", [False, True])
def test_cells(name, make, lstm, batched, with_state):
    t, o = _build(make)
    assert repr(o) == repr(t)
    for (k, a), (_, b) in zip(o.state_dict().items(), t.state_dict().items()):
        assert_close(a, b, exact=True)
    torch.manual_seed(2)
    x = torch.randn((2, 3) if batched else (3,), requires_grad=True)
    xo = ot_from(x).requires_grad_()
    hshape = (2, 4) if batched else (4,)
    if with_state:
        if lstm:
            h = (torch.randn(hshape), torch.randn(hshape))
            ho = tuple(ot_from(v) for v in h)
        else:
            h = torch.randn(hshape)
            ho = ot_from(h)
        yt, yo = t(x, h), o(xo, ho)
    else:
        yt, yo = t(x), o(xo)
    yts = yt if lstm else (yt,)
    yos = yo if lstm else (yo,)
    for a, b in zip(yos, yts):
        assert_close(a, b, rtol=1e-5, atol=1e-6)
    sum(v.sum() for v in yts).backward()
    total = yos[0].sum()
    for v in yos[1:]:
        total = total + v.sum()
    total.backward()
    assert_close(xo.grad, x.grad, rtol=1e-5, atol=1e-6)
    for (n, a), (_, b) in zip(o.named_parameters(), t.named_parameters()):
        assert_close(a.grad, b.grad, rtol=1e-5, atol=1e-6)


RNN_ERRORS = [
    lambda lib: lib.nn.LSTM(3, 4, dropout=1.5),
    lambda lib: lib.nn.LSTM(3, 4, dropout=True),
    lambda lib: lib.nn.GRU(3, 0),
    lambda lib: lib.nn.GRU(0, 3),
    lambda lib: lib.nn.GRU(3, 3, num_layers=0),
    lambda lib: lib.nn.LSTM(3, 4, proj_size=4),
    lambda lib: lib.nn.LSTM(3, 4, proj_size=-1),
    lambda lib: lib.nn.LSTM(3.0, 4),
    lambda lib: lib.nn.LSTM(3, 4, bias=1),
    lambda lib: lib.nn.RNN(3, 4, nonlinearity="gelu"),
    lambda lib: lib.nn.LSTM(3, 4)(lib.ones(2, 2, 2, 3)),
    lambda lib: lib.nn.GRU(3, 4)(lib.ones(5, 2, 3), lib.ones(1, 3, 4)),
    lambda lib: lib.nn.LSTMCell(3, 4)(lib.ones(2, 2, 3)),
    lambda lib: lib.nn.GRUCell(3, 4)(lib.ones(2, 2, 3)),
]


@pytest.mark.parametrize("i", range(len(RNN_ERRORS)))
def test_rnn_errors(i):
    raises_both(RNN_ERRORS[i])


def test_rnn_warning_and_all_weights():
    for lib in (torch, ot):
        with pytest.warns(UserWarning, match="dropout option adds dropout after all but last"):
            lib.nn.GRU(3, 4, dropout=0.2)
    t, o = _build(lambda nn: nn.LSTM(3, 4, 2, bidirectional=True))
    assert [[tuple(w.shape) for w in ws] for ws in o.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in t.all_weights]
    o.flatten_parameters()


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(batch_first, side):
    torch.manual_seed(0)
    seqs = [torch.randn(n, 3, requires_grad=True) for n in (4, 2, 5)]
    oseqs = [ot_from(s).requires_grad_() for s in seqs]
    a = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=batch_first, padding_value=-1.5, padding_side=side)
    b = ot.nn.utils.rnn.pad_sequence(oseqs, batch_first=batch_first, padding_value=-1.5, padding_side=side)
    assert_close(b, a, exact=True)
    w = torch.randn(a.shape)
    (a * w).sum().backward()
    (b * ot_from(w)).sum().backward()
    for x, y in zip(oseqs, seqs):
        assert_close(x.grad, y.grad, exact=True)
    lens = torch.tensor([4, 2, 5])
    if side == "right":
        for x, y in zip(ot.nn.utils.rnn.unpad_sequence(b, ot_from(lens), batch_first),
                        torch.nn.utils.rnn.unpad_sequence(a, lens, batch_first)):
            assert_close(x, y, exact=True)


from torch.nn.utils import rnn as TR  # noqa: E402
from oxytorch.nn.utils import rnn as OR  # noqa: E402

PACKED = [
    ("lstm_bi2", lambda nn: nn.LSTM(2, 3, 2, bidirectional=True), True),
    ("gru", lambda nn: nn.GRU(2, 3), False),
    ("rnn_bi", lambda nn: nn.RNN(2, 3, bidirectional=True), False),
    ("lstm_proj", lambda nn: nn.LSTM(2, 4, proj_size=2), True),
]


@pytest.mark.parametrize("name,make,lstm", PACKED, ids=[p[0] for p in PACKED])
@pytest.mark.parametrize("enforce_sorted,lens", [(False, [5, 2, 4]), (True, [5, 4, 1])])
@pytest.mark.parametrize("with_state", [False, True])
def test_packed_sequences_through_rnn(name, make, lstm, enforce_sorted, lens, with_state):
    torch.manual_seed(0)
    x = torch.randn(5, 3, 2, requires_grad=True)
    xo = ot_from(x).requires_grad_()
    pt = TR.pack_padded_sequence(x, lens, enforce_sorted=enforce_sorted)
    po = OR.pack_padded_sequence(xo, ot.tensor(lens), enforce_sorted=enforce_sorted)
    assert_close(po.data, pt.data, exact=True)
    assert po.batch_sizes.tolist() == pt.batch_sizes.tolist()
    for a, b in ((po.sorted_indices, pt.sorted_indices), (po.unsorted_indices, pt.unsorted_indices)):
        assert (a is None and b is None) or a.tolist() == b.tolist()
    t, o = _build(make)
    args_t, args_o = [pt], [po]
    if with_state:
        nd = 2 if t.bidirectional else 1
        hs = t.proj_size if t.proj_size > 0 else t.hidden_size
        h0 = torch.randn(t.num_layers * nd, 3, hs)
        if lstm:
            c0 = torch.randn(t.num_layers * nd, 3, t.hidden_size)
            args_t.append((h0, c0))
            args_o.append((ot_from(h0), ot_from(c0)))
        else:
            args_t.append(h0)
            args_o.append(ot_from(h0))
    yt, ht = t(*args_t)
    yo, ho = o(*args_o)
    assert isinstance(yo, OR.PackedSequence)
    padt, lt = TR.pad_packed_sequence(yt, batch_first=True, padding_value=0.5, total_length=6)
    pado, lo = OR.pad_packed_sequence(yo, batch_first=True, padding_value=0.5, total_length=6)
    assert lo.tolist() == lt.tolist()
    assert_close(pado, padt, rtol=1e-5, atol=1e-6)
    hts = ht if lstm else (ht,)
    hos = ho if lstm else (ho,)
    for a, b in zip(hos, hts):
        assert_close(a, b, rtol=1e-5, atol=1e-6)
    (padt.sum() + sum(h.sum() for h in hts)).backward()
    total = pado.sum()
    for h in hos:
        total = total + h.sum()
    total.backward()
    assert_close(xo.grad, x.grad, rtol=1e-5, atol=1e-6)
    for (n, a), (_, b) in zip(o.named_parameters(), t.named_parameters()):
        assert_close(a.grad, b.grad, rtol=1e-5, atol=1e-5)


def test_pack_sequence_roundtrip_and_errors():
    torch.manual_seed(0)
    seqs = [torch.randn(n, 2) for n in (3, 1, 2)]
    pt = TR.pack_sequence(seqs, enforce_sorted=False)
    po = OR.pack_sequence([ot_from(s) for s in seqs], enforce_sorted=False)
    assert_close(po.data, pt.data, exact=True)
    for a, b in zip(OR.unpack_sequence(po), TR.unpack_sequence(pt)):
        assert_close(a, b, exact=True)
    raises_both(lambda lib: lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2, 1), [1, 3]))
    raises_both(lambda lib: lib.nn.utils.rnn.pad_packed_sequence(
        lib.nn.utils.rnn.pack_padded_sequence(lib.ones(3, 2, 1), [3, 1]), total_length=2))
