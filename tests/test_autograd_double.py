"""Second-order autograd against real torch (issue #8):

- the graph of a first-order gradient computed with ``create_graph=True``: ``grad_fn`` names and
  the ``next_functions`` structure (torch's double-backward nodes such as TanhBackwardBackward0,
  ExpandBackward0 for sum/mean, PowBackward0 + MulBackward1 for a scalar exponent, TBackward0 for
  mm), its values and the second derivatives, plus ``gradgradcheck`` in float64;
- the edges of ops with a Python scalar operand (``x + 2`` has two next_functions in torch);
- in-place ops through views whose grad_fn is regenerated (conj / neg / real-imag view chains),
  and views of a base with no autograd state that receive a value requiring grad (CopySlices).
"""
import numpy as np
import pytest
import torch

import oxytorch as ot

LIBS = (ot, torch)
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def walk(fn, depth=0, maxd=5):
    """The graph below `fn` as a string: names and next_functions, to depth `maxd`."""
    if fn is None:
        return "None"
    n = fn.name().replace("torch::autograd::", "")
    if depth >= maxd:
        return n
    nf = fn.next_functions
    if not nf:
        return n
    return n + "(" + ",".join(walk(f, depth + 1, maxd) for f, _ in nf) + ")"


def _np(t):
    if isinstance(t, torch.Tensor) and t._is_zerotensor():
        # torch's efficient zero tensor (e.g. sgn's gradient) has no storage to read
        t = torch.zeros_like(t).add(t)
    return np.array(t.detach().resolve_conj().resolve_neg().tolist())


rng = np.random.default_rng(0)
X = rng.random((3, 4)) + 0.5
XN = rng.standard_normal((3, 4))
W = rng.random((4, 5)) - 0.3
V = rng.random(4) + 0.2
C = rng.standard_normal((3, 4))


def inputs(L, dt=None):
    dt = dt or L.float64
    x = L.tensor(X, dtype=dt, requires_grad=True)
    xn = L.tensor(XN, dtype=dt, requires_grad=True)
    w = L.tensor(W, dtype=dt, requires_grad=True)
    v = L.tensor(V, dtype=dt, requires_grad=True)
    return x, xn, w, v


# name -> (loss(L, x, xn, w, v), which input to differentiate: 0 = x, 1 = xn, 2 = w, 3 = v)
CASES = {
    # unary ops with torch's dedicated double-backward nodes
    "tanh": (lambda L, x, xn, w, v: xn.tanh().sum(), 1),
    "tanh_sq": (lambda L, x, xn, w, v: (xn.tanh() ** 2).sum(), 1),
    "sigmoid": (lambda L, x, xn, w, v: xn.sigmoid().sum(), 1),
    "sigmoid_w": (lambda L, x, xn, w, v: (xn.sigmoid() * x).sum(), 1),
    "relu": (lambda L, x, xn, w, v: xn.relu().sum(), 1),
    "relu_sq": (lambda L, x, xn, w, v: (xn.relu() ** 2).sum(), 1),
    "relu_fn": (lambda L, x, xn, w, v: (L.nn.functional.relu(xn) * x).sum(), 1),
    "gelu": (lambda L, x, xn, w, v: L.nn.functional.gelu(xn).sum(), 1),
    "gelu_tanh": (lambda L, x, xn, w, v: L.nn.functional.gelu(xn, approximate="tanh").sum(), 1),
    "gelu_w": (lambda L, x, xn, w, v: (L.nn.functional.gelu(xn) * x).sum(), 1),
    "softmax": (lambda L, x, xn, w, v: (xn.softmax(1) * L.arange(4.0, dtype=L.float64)).sum(), 1),
    "softmax0": (lambda L, x, xn, w, v: (xn.softmax(0) ** 2).sum(), 1),
    "log_softmax": (lambda L, x, xn, w, v: (xn.log_softmax(1) * L.arange(4.0, dtype=L.float64)).sum(), 1),
    "log_softmax_sq": (lambda L, x, xn, w, v: (xn.log_softmax(-1) ** 2).sum(), 1),
    "F.softmax": (lambda L, x, xn, w, v: (L.nn.functional.softmax(xn, dim=1) * x).sum(), 1),
    # pow with a Python scalar exponent: PowBackward0 + MulBackward1
    "pow2": (lambda L, x, xn, w, v: (x**2).sum(), 0),
    "pow3": (lambda L, x, xn, w, v: (x**3).sum(), 0),
    "pow_half": (lambda L, x, xn, w, v: (x**0.5).sum(), 0),
    "pow_neg": (lambda L, x, xn, w, v: x.pow(-1.5).sum(), 0),
    "square": (lambda L, x, xn, w, v: x.square().sum(), 0),
    "pow_tensor": (lambda L, x, xn, w, v: (x ** (v + 1)).sum(), 0),
    # sum / mean: ExpandBackward0 (UnsqueezeBackward0 for reduced dims, DivBackward1 for mean)
    "sum_sq": (lambda L, x, xn, w, v: x.sum() ** 2, 0),
    "mean_sq": (lambda L, x, xn, w, v: x.mean() ** 2, 0),
    "sum_dim": (lambda L, x, xn, w, v: (x.sum(1) ** 2).sum(), 0),
    "sum_dim0": (lambda L, x, xn, w, v: (x.sum(0) ** 3).sum(), 0),
    "sum_dims": (lambda L, x, xn, w, v: (x.sum((0, 1)) ** 2), 0),
    "sum_keep": (lambda L, x, xn, w, v: (x.sum(1, keepdim=True) ** 2).sum(), 0),
    "mean_dim": (lambda L, x, xn, w, v: (x.mean(0) ** 2).sum(), 0),
    "mean_keep": (lambda L, x, xn, w, v: (x.mean(0, keepdim=True) ** 2).sum(), 0),
    "mean_neg_dim": (lambda L, x, xn, w, v: (x.mean(-1) ** 2).sum(), 0),
    # matrix products
    "mm": (lambda L, x, xn, w, v: (x @ w).sum(), 0),
    "mm_w": (lambda L, x, xn, w, v: (x @ w).sum(), 2),
    "mm_sq": (lambda L, x, xn, w, v: ((x @ w) ** 2).sum(), 0),
    "mm_sq_w": (lambda L, x, xn, w, v: ((x @ w) ** 2).sum(), 2),
    "mm_fn": (lambda L, x, xn, w, v: (L.mm(x, w) ** 2).sum(), 0),
    # elementwise unary / binary
    "exp": (lambda L, x, xn, w, v: x.exp().sum(), 0),
    "sin": (lambda L, x, xn, w, v: x.sin().sum(), 0),
    "cos_sq": (lambda L, x, xn, w, v: (x.cos() ** 2).sum(), 0),
    "log": (lambda L, x, xn, w, v: x.log().sum(), 0),
    "sqrt": (lambda L, x, xn, w, v: x.sqrt().sum(), 0),
    "abs": (lambda L, x, xn, w, v: (xn.abs() * x).sum(), 1),
    "mul": (lambda L, x, xn, w, v: (x * x).sum(), 0),
    "mul_bcast": (lambda L, x, xn, w, v: (x * v * x).sum(), 0),
    "mul_scalar": (lambda L, x, xn, w, v: ((x * 3) ** 2).sum(), 0),
    "add_scalar": (lambda L, x, xn, w, v: ((x + 3) ** 2).sum(), 0),
    "sub_scalar": (lambda L, x, xn, w, v: ((x - 3) ** 2).sum(), 0),
    "rsub_scalar": (lambda L, x, xn, w, v: ((3 - x) ** 2).sum(), 0),
    "div_scalar": (lambda L, x, xn, w, v: ((x / 3) ** 2).sum(), 0),
    "div": (lambda L, x, xn, w, v: (x / (v + 3)).sum(), 0),
    "div_v": (lambda L, x, xn, w, v: (x / (v + 3)).sum(), 3),
}


def _first_and_second(L, name):
    f, which = CASES[name]
    ins = inputs(L)
    t = ins[which]
    (g,) = L.autograd.grad(f(L, *ins), t, create_graph=True)
    c = L.tensor(rng_c(g.shape), dtype=L.float64)
    if g.requires_grad:
        (gg,) = L.autograd.grad((g * c).sum(), t, allow_unused=True)
    else:
        gg = None
    return g, gg


def rng_c(shape):
    n = int(np.prod(shape))
    return (np.arange(n, dtype=np.float64).reshape(shape) % 5 - 1.5) / 2


@pytest.mark.parametrize("name", list(CASES))
def test_double_backward_graph(name):
    res = [_first_and_second(L, name) for L in LIBS]
    (go, ggo), (gt, ggt) = res
    assert walk(go.grad_fn) == walk(gt.grad_fn)
    np.testing.assert_allclose(_np(go), _np(gt), rtol=1e-12, atol=1e-12)
    assert (ggo is None) == (ggt is None)
    if ggt is not None:
        np.testing.assert_allclose(_np(ggo), _np(ggt), rtol=1e-10, atol=1e-12)


GG = {
    "tanh": lambda L, t: t.tanh(),
    "sigmoid": lambda L, t: t.sigmoid(),
    "relu": lambda L, t: (t - 0.1).relu() * t,
    "gelu": lambda L, t: L.nn.functional.gelu(t),
    "gelu_tanh": lambda L, t: L.nn.functional.gelu(t, approximate="tanh"),
    "softmax": lambda L, t: t.softmax(-1),
    "softmax0": lambda L, t: t.softmax(0),
    "log_softmax": lambda L, t: t.log_softmax(1),
    "pow3": lambda L, t: t**3,
    "pow_half": lambda L, t: (t * t + 1) ** 0.5,
    "square": lambda L, t: t.square(),
    "sum": lambda L, t: t.sum(1) ** 2,
    "mean": lambda L, t: t.mean() * t,
    "mean_keep": lambda L, t: t.mean(0, keepdim=True) ** 2,
    "mm": lambda L, t: t @ t.t(),
    "abs": lambda L, t: t.abs() * t,
    "div_scalar": lambda L, t: (t / 3) ** 2,
}


@pytest.mark.parametrize("name", list(GG))
@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
def test_gradgradcheck(name, layout):
    t = ot.tensor(XN.T.copy() if layout == "transposed" else XN, dtype=ot.float64)
    if layout == "transposed":
        t = t.t()
    t.requires_grad_(True)
    assert ot.autograd.gradgradcheck(lambda a: GG[name](ot, a), (t,))


def test_gradgradcheck_complex_abs_and_tanh():
    z = ot.tensor([1 + 2j, -0.5 + 3j, 2 - 1j], dtype=ot.complex128, requires_grad=True)
    assert ot.autograd.gradgradcheck(lambda a: (a.abs() * a).sum(), (z,))
    assert ot.autograd.gradgradcheck(lambda a: a.tanh(), (z,))
    assert ot.autograd.gradgradcheck(lambda a: a.sigmoid(), (z,))


@pytest.mark.parametrize("fn", ["tanh", "sigmoid", "abs"])
def test_complex_second_derivative_against_torch(fn):
    res = []
    for L in LIBS:
        z = L.tensor([1 + 2j, -0.5 + 0.3j, 0.2 - 1j], dtype=L.complex128, requires_grad=True)
        y = getattr(z, fn)()
        (g,) = L.autograd.grad((y * y.conj()).real.sum() if fn != "abs" else (y * y * z.real).sum(), z, create_graph=True)
        (gg,) = L.autograd.grad((g * L.tensor([0.3 - 1j, 2 + 0.5j, -1 + 1j], dtype=L.complex128)).real.sum(), z)
        res.append((walk(g.grad_fn), _np(g), _np(gg)))
    if fn != "abs":  # abs's graph goes through select's backward, recorded as AsStridedBackward0 here
        assert res[0][0] == res[1][0]
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12)
    np.testing.assert_allclose(res[0][2], res[1][2], rtol=1e-10)


# ----------------------------------------------------------------------------------------------
# Python scalar operands: torch wraps them as 0-dim tensors (a second, empty edge)
# ----------------------------------------------------------------------------------------------

SCALAR_EXPRS = ["x + 3", "x * 2", "3 - x", "x - 3", "x / 2", "2 / x", "x ** 2", "2 ** x", "x.pow(2.5)", "x.add(1, alpha=2)",
                "x.sub(1.5)", "x.mul(2)", "x.div(4)", "x.clamp(0, 1)", "x.add(x)", "x * x", "x.remainder(2)", "x.fmod(2)",
                "torch.add(x, 2)", "2 * x", "2 + x", "x + True", "x * (1 + 0j)"]


@pytest.mark.parametrize("expr", SCALAR_EXPRS)
def test_scalar_operand_edges(expr):
    res = []
    for L in LIBS:
        x = L.ones(3, requires_grad=True)
        r = eval(expr, {"x": x, "torch": L})
        res.append(walk(r.grad_fn))
    assert res[0] == res[1]


def test_inplace_scalar_operand_edges():
    res = []
    for L in LIBS:
        x = L.ones(4, requires_grad=True)
        b = x * 1
        b.mul_(2)
        c = x * 1
        c[1:3].add_(5)
        res.append((walk(b.grad_fn), walk(c.grad_fn)))
    assert res[0] == res[1]


# ----------------------------------------------------------------------------------------------
# In-place ops through view chains with lazy bits / dtype changes: the regenerated grad_fn of the
# view replays the chain as torch does (conj, _neg_view, view_as_real/complex as themselves, each
# restride after them as AsStridedBackward0, restrides before them merged into one)
# ----------------------------------------------------------------------------------------------

CHAINS = [
    "b.conj()", "b.conj().conj()", "b.conj()[1:3]", "b[1:3].conj()", "b.conj().t()", "b.t().conj()", "b.conj().imag",
    "b.conj().real", "b.imag", "b.real", "b.imag[1:]", "b.real.t()", "torch.view_as_real(b)", "torch.view_as_real(b)[1:]",
    "torch._neg_view(b)", "torch._neg_view(b.conj())", "torch._neg_view(b).conj()", "torch._neg_view(torch._neg_view(b))",
    "b.conj().imag.t()", "b.conj().view(4, 2)", "b.conj().unsqueeze(0)", "torch.view_as_complex(torch.view_as_real(b))",
    "b.H", "b.mH", "b.adjoint()", "b.conj().reshape(8)", "b.conj().select(0, 1)", "b.conj().diagonal()",
    "b.conj().expand(2, 2, 4)[0]", "b.conj().conj().t()", "b[0].conj()[1:]", "b.conj()[:, ::2]",
]


@pytest.mark.parametrize("chain", CHAINS)
def test_view_chain_regenerated_grad_fn(chain):
    res = []
    for L in LIBS:
        x = L.tensor(np.arange(8).reshape(2, 4) * (0.5 - 0.25j) + 1j, dtype=L.complex128, requires_grad=True)
        b = x * 1
        y = eval(chain, {"b": b, "torch": L})
        before = walk(y.grad_fn)
        y.mul_(2)
        after = walk(y.grad_fn)
        w = L.tensor(np.arange(8).reshape(2, 4) * (0.1 + 0.3j) - 1, dtype=L.complex128)
        (b * w).abs().sum().backward()
        res.append((before, after, walk(b.grad_fn, maxd=2), _np(x.grad), _np(b)))
    assert res[0][:3] == res[1][:3]
    np.testing.assert_allclose(res[0][3], res[1][3], rtol=1e-12)
    np.testing.assert_allclose(res[0][4], res[1][4], rtol=1e-12)


# ----------------------------------------------------------------------------------------------
# Views of a base with no autograd state: writing a value that requires grad into the view gives
# the base a CopySlices history, as in torch
# ----------------------------------------------------------------------------------------------

NOAG_VIEWS = {
    "conj": lambda L, b: b.conj(),
    "conj.conj": lambda L, b: b.conj().conj(),
    "_conj": lambda L, b: L._conj(b),
    "neg_view": lambda L, b: L._neg_view(b),
    "real": lambda L, b: b.real,
    "imag": lambda L, b: b.imag,
    "conj.imag": lambda L, b: b.conj().imag,
    "view_as_real": lambda L, b: L.view_as_real(b),
    "torch.conj": lambda L, b: L.conj(b),
    "torch.real": lambda L, b: L.real(b),
    "getitem": lambda L, b: b[1:3],
}
NOAG_WRITES = {
    "copy_": lambda L, y, x: y.copy_(x[: y.shape[-1]] if y.dtype.is_complex else x.real[: y.shape[-1]]),
    "mul_": lambda L, y, x: y.mul_(x[: y.shape[-1]] if y.dtype.is_complex else x.real[: y.shape[-1]]),
    "add_": lambda L, y, x: y.add_(x[0] if y.dtype.is_complex else x[0].real),
    "setitem": lambda L, y, x: y.__setitem__(slice(0, 1), x[1] if y.dtype.is_complex else x[1].imag),
}


@pytest.mark.parametrize("wr", list(NOAG_WRITES))
@pytest.mark.parametrize("view", list(NOAG_VIEWS))
def test_view_of_base_without_autograd(view, wr):
    res = []
    for L in LIBS:
        x = L.tensor([1 + 2j, -0.5 + 3j, 2 - 1j, 0.25 - 0.75j], dtype=L.complex128, requires_grad=True)
        b = L.tensor([0.5 - 1j, 1 + 1j, -2 + 0.5j, 3j], dtype=L.complex128)
        y = NOAG_VIEWS[view](L, b)
        if y.dim() == 2:
            y = y.t()
        NOAG_WRITES[wr](L, y, x * 1)
        names = (walk(b.grad_fn, maxd=1), walk(y.grad_fn, maxd=1), b.requires_grad, y.requires_grad)
        (b * L.tensor([0.3 - 1j, 2 + 0.5j, -1 + 1j, 1.5 + 2j], dtype=L.complex128)).abs().sum().backward()
        res.append((names, _np(x.grad), _np(b)))
    assert res[0][0] == res[1][0]
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-12)
    np.testing.assert_allclose(res[0][2], res[1][2], rtol=1e-12)


# ----------------------------------------------------------------------------------------------
# Audit table: differentiable ops checked against torch's gradients (broadcast and non-contiguous
# inputs) and with gradcheck in float64. `a` is 3x4 in (0.1, 0.9), `b` a length-4 row broadcast
# against it; the non-contiguous variant passes `a` as a transposed view.
# ----------------------------------------------------------------------------------------------

A0 = rng.random((3, 4)) * 0.8 + 0.1
B0 = rng.random(4) * 0.8 + 0.1
AUDIT = {
    "acos": lambda L, a, b: a.acos(), "asin": lambda L, a, b: a.asin(), "atan": lambda L, a, b: a.atan(),
    "acosh": lambda L, a, b: (a + 1.5).acosh(), "asinh": lambda L, a, b: a.asinh(), "atanh": lambda L, a, b: a.atanh(),
    "cosh": lambda L, a, b: a.cosh(), "sinh": lambda L, a, b: a.sinh(), "tan": lambda L, a, b: a.tan(),
    "erf": lambda L, a, b: a.erf(), "erfc": lambda L, a, b: a.erfc(), "erfinv": lambda L, a, b: a.erfinv(),
    "exp2": lambda L, a, b: a.exp2(), "expm1": lambda L, a, b: a.expm1(), "log10": lambda L, a, b: a.log10(),
    "log1p": lambda L, a, b: a.log1p(), "log2": lambda L, a, b: a.log2(), "rsqrt": lambda L, a, b: a.rsqrt(),
    "reciprocal": lambda L, a, b: a.reciprocal(), "sinc": lambda L, a, b: a.sinc(), "digamma": lambda L, a, b: a.digamma(),
    "lgamma": lambda L, a, b: a.lgamma(), "polygamma": lambda L, a, b: L.polygamma(1, a), "sgn": lambda L, a, b: (a - 0.5).sgn() * a,
    "frac": lambda L, a, b: (a * 3).frac(), "neg": lambda L, a, b: -a, "trunc": lambda L, a, b: (a * 3).trunc() + a,
    "silu": lambda L, a, b: L.nn.functional.silu(a - 0.5), "mish": lambda L, a, b: L.nn.functional.mish(a - 0.5),
    "logsigmoid": lambda L, a, b: L.nn.functional.logsigmoid(a - 0.5),
    "softplus": lambda L, a, b: L.nn.functional.softplus(a - 0.5, beta=2.0), "elu": lambda L, a, b: L.nn.functional.elu(a - 0.5),
    "celu": lambda L, a, b: L.nn.functional.celu(a - 0.5, alpha=0.5), "selu": lambda L, a, b: L.nn.functional.selu(a - 0.5),
    "leaky_relu": lambda L, a, b: L.nn.functional.leaky_relu(a - 0.5, 0.1),
    "hardtanh": lambda L, a, b: L.nn.functional.hardtanh(a * 3 - 1.6), "hardsigmoid": lambda L, a, b: L.nn.functional.hardsigmoid(a * 8 - 4),
    "hardswish": lambda L, a, b: L.nn.functional.hardswish(a * 8 - 4), "erfcx": lambda L, a, b: L.special.erfcx(a),
    "xlog1py": lambda L, a, b: L.special.xlog1py(a, b), "xlogy": lambda L, a, b: L.xlogy(a, b),
    "atan2": lambda L, a, b: L.atan2(a, b), "hypot": lambda L, a, b: L.hypot(a, b), "copysign": lambda L, a, b: L.copysign(a, b - 0.5),
    "fmax": lambda L, a, b: L.fmax(a, b), "fmin": lambda L, a, b: L.fmin(a, b), "maximum": lambda L, a, b: L.maximum(a, b),
    "minimum": lambda L, a, b: L.minimum(a, b), "remainder": lambda L, a, b: L.remainder(a, b), "fmod": lambda L, a, b: L.fmod(a, b),
    "pow_tt": lambda L, a, b: a**b, "rpow": lambda L, a, b: 2.0**a, "sub_alpha": lambda L, a, b: L.sub(a, b, alpha=2),
    "lerp_s": lambda L, a, b: L.lerp(a, b, 0.3), "lerp_t": lambda L, a, b: L.lerp(a, b, a), "addcmul": lambda L, a, b: L.addcmul(a, a, b, value=0.5),
    "addcdiv": lambda L, a, b: L.addcdiv(a, a, b, value=0.5), "logaddexp": lambda L, a, b: L.logaddexp(a, b),
    "logaddexp2": lambda L, a, b: L.logaddexp2(a, b), "clamp": lambda L, a, b: a.clamp(0.3, 0.7), "clamp_t": lambda L, a, b: a.clamp(min=b),
    "clamp_min": lambda L, a, b: a.clamp_min(0.4), "clamp_max": lambda L, a, b: a.clamp_max(0.4), "where": lambda L, a, b: L.where(a > 0.5, a, b),
    "masked_fill": lambda L, a, b: a.masked_fill(a > 0.5, 2.0), "cumsum": lambda L, a, b: a.cumsum(1), "cumprod": lambda L, a, b: a.cumprod(0),
    "logcumsumexp": lambda L, a, b: a.logcumsumexp(1), "cummax": lambda L, a, b: a.cummax(1)[0], "cummin": lambda L, a, b: a.cummin(0)[0],
    "logsumexp": lambda L, a, b: a.logsumexp(1), "prod": lambda L, a, b: a.prod(), "prod_dim": lambda L, a, b: a.prod(1),
    "std": lambda L, a, b: a.std(1), "var": lambda L, a, b: a.var(0, correction=0), "var_mean": lambda L, a, b: L.stack(L.var_mean(a, 1)),
    "std_mean": lambda L, a, b: L.stack(L.std_mean(a, 0)), "amax": lambda L, a, b: a.amax(1), "amin": lambda L, a, b: a.amin(0),
    "aminmax": lambda L, a, b: L.stack(L.aminmax(a, dim=1)), "max_dim": lambda L, a, b: a.max(1)[0], "min_all": lambda L, a, b: a.min(),
    "median": lambda L, a, b: a.median(1)[0], "nanmedian": lambda L, a, b: a.nanmedian(), "kthvalue": lambda L, a, b: a.kthvalue(2, 1)[0],
    "mode": lambda L, a, b: a.mode(1)[0], "sort": lambda L, a, b: a.sort(1)[0], "topk": lambda L, a, b: a.topk(2, 1)[0],
    "norm": lambda L, a, b: a.norm(), "norm_dim": lambda L, a, b: a.norm(p=3, dim=1), "dist": lambda L, a, b: L.dist(a, b),
    "cdist": lambda L, a, b: L.cdist(a, a[:2] + b), "trace": lambda L, a, b: a.trace(), "tril": lambda L, a, b: a.tril(), "triu": lambda L, a, b: a.triu(1),
    "flip": lambda L, a, b: a.flip(0), "roll": lambda L, a, b: a.roll(1, 1), "repeat": lambda L, a, b: a.repeat(2, 1),
    "diag_embed": lambda L, a, b: L.diag_embed(a), "diagonal": lambda L, a, b: a.diagonal(), "cat": lambda L, a, b: L.cat([a, b[None]]),
    "stack": lambda L, a, b: L.stack([a[0], b]), "split": lambda L, a, b: a.split(2, 1)[1], "unbind": lambda L, a, b: a.unbind(1)[2],
    "gather": lambda L, a, b: a.gather(1, L.tensor([[0, 3], [1, 1], [2, 0]])),
    "scatter": lambda L, a, b: a.scatter(1, L.tensor([[0, 3], [1, 2], [2, 0]]), a[:, 1:3] * b[:2]),
    "scatter_value": lambda L, a, b: a.scatter(0, L.tensor([[0, 2, 1, 1]]), 0.5) * b,
    "torch.scatter_add": lambda L, a, b: L.scatter_add(a, 0, L.tensor([[0, 2, 1, 1]]), b[None] * 2),
    "scatter_add_": lambda L, a, b: (a * 1).scatter_add_(1, L.tensor([[0, 3], [1, 1], [2, 0]]), a[:, :2] * b[1]),
    "scatter_": lambda L, a, b: (a * 1).scatter_(1, L.tensor([[3], [1], [0]]), a[:, :1] * b[0]),
    "scatter_add": lambda L, a, b: a.scatter_add(1, L.tensor([[0, 3], [1, 1], [2, 0]]), a[:, :2]),
    "index_select": lambda L, a, b: a.index_select(1, L.tensor([3, 0, 0])), "index_add": lambda L, a, b: a.index_add(0, L.tensor([2, 0]), a[:2] * b),
    "index_copy": lambda L, a, b: a.index_copy(0, L.tensor([2, 0]), a[:2] * b), "index_fill": lambda L, a, b: a.index_fill(1, L.tensor([1]), 0.5),
    "take": lambda L, a, b: a.take(L.tensor([0, 5, 11, 5])), "masked_select": lambda L, a, b: a.masked_select(a > 0.5),
    "masked_scatter": lambda L, a, b: a.masked_scatter(a > 0.5, (b * 2).repeat(3)), "renorm": lambda L, a, b: a.renorm(2, 0, 0.8),
    "mv": lambda L, a, b: L.mv(a, b), "dot": lambda L, a, b: L.dot(a[0], b), "vdot": lambda L, a, b: L.vdot(a[1], b),
    "bmm": lambda L, a, b: L.bmm(a[None], a.t()[None]), "addmm": lambda L, a, b: L.addmm(b, a.t(), a, beta=0.5, alpha=2),
    "addmv": lambda L, a, b: L.addmv(a[:, 0], a, b), "addbmm": lambda L, a, b: L.addbmm(b, a.t()[None], a[None]),
    "baddbmm": lambda L, a, b: L.baddbmm(b, a.t()[None], a[None]), "matmul_b": lambda L, a, b: L.matmul(a.reshape(2, 2, 3), a.reshape(2, 3, 2)),
    "matmul_1d": lambda L, a, b: L.matmul(b, a.t()), "outer": lambda L, a, b: L.outer(a[0], b),
    "pad": lambda L, a, b: L.nn.functional.pad(a, (1, 2)), "embedding": lambda L, a, b: L.nn.functional.embedding(L.tensor([2, 0, 2]), a),
    "layer_norm": lambda L, a, b: L.nn.functional.layer_norm(a, (4,), b, b), "group_norm": lambda L, a, b: L.nn.functional.group_norm(a.reshape(1, 4, 3), 2),
    "batch_norm": lambda L, a, b: L.nn.functional.batch_norm(a, None, None, b, b, training=True),
    "nll_loss": lambda L, a, b: L.nn.functional.nll_loss(a.log_softmax(1), L.tensor([0, 3, 1])),
    "cross_entropy": lambda L, a, b: L.nn.functional.cross_entropy(a, L.tensor([0, 3, 1])),
    "mse_loss": lambda L, a, b: L.nn.functional.mse_loss(a, b.expand(3, 4)),
    "interp_linear": lambda L, a, b: L.nn.functional.interpolate(a[None], scale_factor=2, mode="linear"),
    "interp_bilinear": lambda L, a, b: L.nn.functional.interpolate(a[None, None], size=(4, 5), mode="bilinear"),
    "unfold_im2col": lambda L, a, b: L.nn.functional.unfold(a[None, None], 2), "unfold": lambda L, a, b: a.unfold(1, 2, 1),
    "polar": lambda L, a, b: L.view_as_real(L.polar(a, b)), "complex": lambda L, a, b: L.view_as_real(L.complex(a, b.expand(3, 4))),
    "angle": lambda L, a, b: L.complex(a - 0.5, b.expand(3, 4)).angle() * a, "abs_c": lambda L, a, b: L.complex(a - 0.5, b.expand(3, 4)).abs(),
}


def _audit_inputs(L, layout, dt):
    a = L.tensor(A0.T.copy() if layout == "transposed" else A0, dtype=dt)
    if layout == "transposed":
        a = a.t()
    b = L.tensor(B0, dtype=dt)
    return a.requires_grad_(True), b.requires_grad_(True)


@pytest.mark.parametrize("layout", ["contiguous", "transposed"])
@pytest.mark.parametrize("name", list(AUDIT))
def test_audit_grads_against_torch(name, layout):
    res = []
    for L in LIBS:
        a, b = _audit_inputs(L, layout, L.float64)
        out = AUDIT[name](L, a, b)
        c = L.tensor(rng_c(out.shape), dtype=L.float64)
        gs = L.autograd.grad((out * c).sum(), (a, b), allow_unused=True)
        res.append([None if g is None else _np(g) for g in gs])
    # trigamma/tetragamma (the derivatives of digamma/polygamma) are accurate to ~1e-9 relative
    rtol = 1e-8 if name in ("digamma", "polygamma") else 1e-10
    for go, gt in zip(*res):
        assert (go is None) == (gt is None)
        if gt is not None:
            np.testing.assert_allclose(go, gt, rtol=rtol, atol=1e-12)


@pytest.mark.parametrize("name", list(AUDIT))
def test_audit_gradcheck(name):
    a, b = _audit_inputs(ot, "transposed", ot.float64)
    assert ot.autograd.gradcheck(lambda x, y: AUDIT[name](ot, x, y), (a, b))
