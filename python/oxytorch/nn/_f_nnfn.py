"""torch.nn.functional: losses, normalisation layers, embedding and attention helpers.

The fused ops (nll_loss, layer/group/batch norm, embedding, softmax) run in Rust with their
torch-named autograd nodes; the pointwise losses compute their forward without a graph and
record one node under torch's name (``MseLossBackward0``, ...) whose backward is written here.
Losses that torch itself composes from smaller ops (l1_loss, kl_div, cross_entropy with label
smoothing or probabilities, cosine_similarity, ...) are composed the same way, so their
``grad_fn`` names match torch's.
"""
import math as _math
import warnings as _warnings  # noqa: F401

from .. import _C
from .._home import keep_home as _keep_home

# The losses and the reduction/graph helpers live in _f_loss.py; they stay importable from here,
# their home (``__module__``).
from ._f_loss import (  # noqa: F401
    binary_cross_entropy, binary_cross_entropy_with_logits, _C_no_grad, _check_sizes, _class_dim, cross_entropy,
    _grad_scale, huber_loss, kl_div, l1_loss, _legacy_reduction, _logsigmoid, mse_loss, _needs_graph, nll_loss,
    _pointwise_loss, _record, _reduce_out, _reduction_enum, _REDUCTIONS, _resolve, smooth_l1_loss, _sum_to,
    _weight_view, _xlogy_self,
)

__all__ = [
    "nll_loss", "cross_entropy", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "layer_norm", "batch_norm", "group_norm", "rms_norm", "instance_norm",
    "embedding", "one_hot", "normalize", "cosine_similarity", "pairwise_distance",
    "scaled_dot_product_attention", "glu", "hardshrink", "softshrink", "threshold", "threshold_",
    "rrelu", "rrelu_", "prelu",
]


# ----------------------------------------------------------------------------------------------
# normalisation
# ----------------------------------------------------------------------------------------------

def _shape_tuple(s):
    if isinstance(s, int):
        return (s,)
    return tuple(int(v) for v in s)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    return _C.native_layer_norm(input, list(_shape_tuple(normalized_shape)), weight, bias, float(eps))[0]


def _verify_batch_size(size):
    n = size[0]
    for i in range(len(size) - 2):
        n *= size[i + 2]
    if n == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    if training:
        _verify_batch_size(input.size())
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    return _C.native_batch_norm(input, weight, bias, running_mean, running_var, bool(training),
                                float(momentum) if momentum is not None else 0.0, float(eps))[0]


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    if use_input_stats:
        _verify_spatial_size(input.size())
    n, c = input.shape[0], input.shape[1]
    if use_input_stats:
        out = group_norm(input.reshape((1, n * c) + tuple(input.shape[2:])), n * c, None, None, eps)
        out = out.reshape(tuple(input.shape))
        if running_mean is not None or running_var is not None:
            with _C_no_grad():
                x = input.detach()
                dims = list(range(2, input.dim()))
                m = x.mean(dims).mean(0)
                cnt = 1
                for s in input.shape[2:]:
                    cnt *= s
                v = (x.var(dims, unbiased=True) if cnt > 1 else x.mean(dims) * float("nan")).mean(0)
                if running_mean is not None:
                    running_mean.copy_(running_mean * (1 - momentum) + m * momentum)
                if running_var is not None:
                    running_var.copy_(running_var * (1 - momentum) + v * momentum)
    else:
        shape = [1, c] + [1] * (input.dim() - 2)
        out = (input - running_mean.reshape(shape)) / (running_var.reshape(shape) + eps).sqrt()
    if weight is not None or bias is not None:
        shape = [1, c] + [1] * (input.dim() - 2)
        if weight is not None:
            out = out * weight.reshape(shape)
        if bias is not None:
            out = out + bias.reshape(shape)
    return out


def _verify_spatial_size(size):
    n = 1
    for s in size[2:]:
        n *= s
    if n == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    return _C._group_norm(input, int(num_groups), weight, bias, float(eps))[0]


def rms_norm(input, normalized_shape, weight=None, eps=None):
    shape = _shape_tuple(normalized_shape)
    nd = len(shape)
    if tuple(input.shape[input.dim() - nd:]) != shape or input.dim() < nd:
        expected = "[*" + "".join(f", {s}" for s in shape) + "]"
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape {expected}, but got input of size"
            f"{list(input.shape)}")
    if eps is None:
        eps = _C.finfo(input.dtype).eps if hasattr(_C, "finfo") else _finfo_eps(input.dtype)
    dims = list(range(input.dim() - nd, input.dim()))
    x = input
    up = input.dtype in (_dt("float16"), _dt("bfloat16"))
    if up:
        x = input.float()
    r = (x.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    out = x * r
    if up:
        out = out.to(input.dtype)
    if weight is not None:
        out = out * weight
    return out


def _dt(name):
    import oxytorch
    return getattr(oxytorch, name)


def _finfo_eps(dtype):
    return {"float16": 0.0009765625, "bfloat16": 0.0078125, "float32": 1.1920928955078125e-07,
            "float64": 2.220446049250313e-16}[str(dtype).replace("torch.", "").replace("oxytorch.", "")]


# ----------------------------------------------------------------------------------------------
# embedding and friends
# ----------------------------------------------------------------------------------------------

def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    if sparse:
        raise NotImplementedError("embedding(sparse=True) is not supported by oxytorch")
    if max_norm is not None:
        input = input.contiguous()
        with _C_no_grad():
            _C.embedding_renorm_(weight, input, float(max_norm), float(norm_type))
    return _C._embedding(weight, input, int(padding_idx), bool(scale_grad_by_freq))


def one_hot(tensor, num_classes=-1):
    return _C._one_hot(tensor, int(num_classes))


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    denom = _vector_norm(input, p, dim, keepdim=True).clamp_min(eps) if not _needs_graph(input) else \
        _clamp_min_ad(_vector_norm(input, p, dim, keepdim=True), eps)
    if out is None:
        return input / denom.expand_as(input) if hasattr(denom, "expand_as") else input / denom
    out.copy_(input / denom)
    return out


def _clamp_min_ad(t, lo):
    """clamp_min with autograd (ClampMinBackward0)."""
    with _C_no_grad():
        r = t.detach().clamp_min(lo)
        keep = (t.detach() >= lo).to(t.dtype)
    return _record("ClampMinBackward0", [t], r, lambda g: (g * keep,))


def _vector_norm(x, p, dim, keepdim=False):
    p = float(p)
    if p == 2.0:
        return _norm2(x, dim, keepdim)
    if _math.isinf(p):
        a = x.abs()
        with _C_no_grad():
            m = a.detach().amax(dim, keepdim=True)
            mask = (a.detach() == m).to(x.dtype)
            cnt = mask.sum(dim, keepdim=True)
        r = (a * mask / cnt).sum(dim, keepdim=keepdim) if p > 0 else None
        if p < 0:
            with _C_no_grad():
                m = a.detach().amin(dim, keepdim=True)
                mask = (a.detach() == m).to(x.dtype)
                cnt = mask.sum(dim, keepdim=True)
            r = (a * mask / cnt).sum(dim, keepdim=keepdim)
        return r
    if p == 0:
        with _C_no_grad():
            return (x != 0).to(x.dtype).sum(dim, keepdim=keepdim)
    return _pnorm(x, p, dim, keepdim)


def _pnorm(x, p, dim, keepdim):
    """(sum |x|^p)^(1/p) with torch's LinalgVectorNormBackward0 rule (zero gradient at a zero norm)."""
    with _C_no_grad():
        xd = x.detach()
        r = xd.abs().pow(p).sum(dim, keepdim=keepdim).pow(1.0 / p)
    if not _needs_graph(x):
        return r
    rk = r if keepdim else _unsqueeze(r, dim, x.dim())

    def backward(g):
        gk = g if keepdim else _unsqueeze(g, dim, x.dim())
        nz = (rk != 0).to(rk.dtype)
        safe = rk + (1 - nz)
        if p == 1.0:
            return (xd.sign() * gk,)
        return (xd * xd.abs().pow(p - 2) * (gk / safe.pow(p - 1)) * nz,)

    return _record("LinalgVectorNormBackward0", [x], r, backward)


def _norm2(x, dim, keepdim):
    """sqrt(sum(x^2)) with torch's LinalgVectorNormBackward0 rule (zero gradient at a zero norm)."""
    with _C_no_grad():
        xd = x.detach()
        r = (xd * xd).sum(dim, keepdim=keepdim).sqrt()
    if not _needs_graph(x):
        return r
    rk = r if keepdim else _unsqueeze(r, dim, x.dim())

    def backward(g):
        gk = g if keepdim else _unsqueeze(g, dim, x.dim())
        safe = rk + (rk == 0).to(rk.dtype)
        return (xd * (gk / safe) * (rk != 0).to(rk.dtype),)

    return _record("LinalgVectorNormBackward0", [x], r, backward)


def _unsqueeze(t, dim, ndim):
    dims = [dim] if isinstance(dim, int) else list(dim)
    dims = sorted(d % ndim for d in dims)
    shape = list(t.shape)
    for d in dims:
        shape.insert(d, 1)
    return t.reshape(shape)


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    # torch: sum(x1 * x2) / sqrt(clamp_min(|x1|^2 * |x2|^2, eps^2))
    n1 = (x1 * x1).sum(dim)
    n2 = (x2 * x2).sum(dim)
    prod = n1 * n2
    denom = _clamp_min_ad(prod, eps * eps).sqrt() if _needs_graph(prod) else prod.clamp_min(eps * eps).sqrt()
    return (x1 * x2).sum(dim) / denom


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    d = x1 - x2 + eps
    dim = max(x1.dim(), x2.dim()) - 1
    if max(x1.dim(), x2.dim()) == 0:
        dim = 0
        d = d.reshape(1)
    return _vector_norm(d, p, dim, keepdim=keepdim)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    L, S = query.shape[-2], key.shape[-2]
    scale_factor = 1 / _math.sqrt(query.shape[-1]) if scale is None else scale
    import oxytorch
    bias = None
    if is_causal:
        if attn_mask is not None:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
        with _C_no_grad():
            i = oxytorch.arange(L).reshape(L, 1)
            j = oxytorch.arange(S).reshape(1, S)
            bias = _C.where(j <= i, oxytorch.zeros((), dtype=query.dtype),
                            oxytorch.full((), float("-inf"), dtype=query.dtype))
    if attn_mask is not None:
        if attn_mask.dtype == oxytorch.bool:
            with _C_no_grad():
                bias = _C.where(attn_mask, oxytorch.zeros((), dtype=query.dtype),
                                oxytorch.full((), float("-inf"), dtype=query.dtype))
        else:
            bias = attn_mask
    if enable_gqa:
        hq, hk = query.shape[-3], key.shape[-3]
        if hq != hk:
            rep = hq // hk
            key = _repeat_heads(key, rep)
            value = _repeat_heads(value, rep)
    kt = key.transpose(-2, -1)
    w = (query @ kt) * scale_factor
    if bias is not None:
        w = w + bias
    w = _C.softmax(w, -1)
    if dropout_p > 0.0:
        from . import functional as _F
        w = _F.dropout(w, dropout_p, training=True)
    return w @ value


def _repeat_heads(t, rep):
    shape = list(t.shape)
    h = shape[-3]
    parts = []
    for i in range(h):
        parts.extend([t[..., i:i + 1, :, :]] * rep)
    import oxytorch
    return oxytorch.cat(parts, -3)


# ----------------------------------------------------------------------------------------------
# small activations
# ----------------------------------------------------------------------------------------------

def glu(input, dim=-1):
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = dim % input.dim()
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a = input.narrow(d, 0, n // 2)
    b = input.narrow(d, n // 2, n // 2)
    x = input.detach()
    with _C_no_grad():
        ad, bd = a.detach(), b.detach()
        sb = bd.sigmoid()
        out = ad * sb
    if not _needs_graph(input):
        return out

    def backward(g):
        ga = g * sb
        gb = g * ad * sb * (1 - sb)
        full = _C.zeros(tuple(x.shape), dtype=g.dtype)
        full.narrow(d, 0, n // 2).copy_(ga)
        full.narrow(d, n // 2, n // 2).copy_(gb)
        return (full,)

    return _record("GluBackward0", [input], out, backward)


def _pointwise_act(name, input, fwd, dfwd):
    x = input.detach()
    with _C_no_grad():
        out = fwd(x)
    if not _needs_graph(input):
        return out
    return _record(name, [input], out, lambda g: (g * dfwd(x),))


def hardshrink(input, lambd=0.5):
    lambd = float(lambd)

    def fwd(x):
        return x * ((x > lambd) | (x < -lambd)).to(x.dtype)

    def dfwd(x):
        return ((x > lambd) | (x < -lambd)).to(x.dtype)

    return _pointwise_act("HardshrinkBackward0", input, fwd, dfwd)


def softshrink(input, lambd=0.5):
    lambd = float(lambd)
    if lambd < 0:
        raise RuntimeError(f"lambda must be greater or equal to 0, but found to be {lambd}.")

    def fwd(x):
        return _C.where(x > lambd, x - lambd, _C.where(x < -lambd, x + lambd, x * 0))

    def dfwd(x):
        return ((x > lambd) | (x < -lambd)).to(x.dtype)

    return _pointwise_act("SoftshrinkBackward0", input, fwd, dfwd)


def threshold(input, threshold, value, inplace=False):
    th, val = threshold, value

    def fwd(x):
        # x <= th picks the value, so NaN inputs stay NaN as in torch
        return _C.where(x <= th, _C.full((), val, dtype=x.dtype), x)

    if inplace:
        with _C_no_grad():
            input.copy_(fwd(input.detach()))
        return input
    return _pointwise_act("ThresholdBackward0", input, fwd, lambda x: (x <= th).logical_not().to(x.dtype))


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, inplace=True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    if not training:
        slope = (lower + upper) / 2

        def fwd(x):
            return _C.where(x >= 0, x, x * slope)

        if inplace:
            with _C_no_grad():
                input.copy_(fwd(input.detach()))
            return input
        return _pointwise_act("RreluWithNoiseBackward0", input, fwd,
                              lambda x: _C.where(x >= 0, _C.ones((), dtype=x.dtype), _C.full((), slope, dtype=x.dtype)))
    x = input.detach()
    with _C_no_grad():
        import oxytorch
        r = oxytorch.rand(tuple(x.shape), dtype=x.dtype) * (upper - lower) + lower
        slope = _C.where(x >= 0, oxytorch.ones((), dtype=x.dtype), r)
        out = x * slope
    if inplace:
        with _C_no_grad():
            input.copy_(out)
        return input
    if not _needs_graph(input):
        return out
    return _record("RreluWithNoiseBackward0", [input], out, lambda g: (g * slope,))


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


def prelu(input, weight):
    x, w = input.detach(), weight.detach()
    if x.dtype != w.dtype:
        from .._elementwise import _SCALAR_NAMES as names

        raise RuntimeError(f"prelu: Type promoting not supported. Got {names[str(x.dtype)]} and {names[str(w.dtype)]}")
    # torch counts the channels of a 1-D input as 1, and the weight's elements, whatever its shape
    c = w.numel()
    channels = input.shape[1] if input.dim() >= 2 else 1
    if c != 1 and c != channels:
        raise RuntimeError(
            f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {c} and channel size = {channels}.")
    if w.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.dim()}")
    shape = [1] * max(input.dim(), 1)
    if c != 1:
        shape[1] = c
    wv = w.reshape(shape) if input.dim() else w.reshape(())
    with _C_no_grad():
        pos = (x > 0).to(x.dtype)
        out = x * pos + x * (1 - pos) * wv
    if not _needs_graph(input, weight):
        return out

    def backward(g):
        gi = g * (pos + (1 - pos) * wv)
        gw = _sum_to(g * x * (1 - pos), tuple(wv.shape) if input.dim() else ()).reshape(tuple(w.shape))
        return gi, gw

    return _record("PreluKernelBackward0", [input, weight], out, backward)


_keep_home(globals(), "oxytorch.nn._f_loss")
del _keep_home
