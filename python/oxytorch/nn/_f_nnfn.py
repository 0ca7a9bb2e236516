"""torch.nn.functional: losses, normalisation layers, embedding and attention helpers.

The fused ops (nll_loss, layer/group/batch norm, embedding, softmax) run in Rust with their
torch-named autograd nodes; the pointwise losses compute their forward without a graph and
record one node under torch's name (``MseLossBackward0``, ...) whose backward is written here.
Losses that torch itself composes from smaller ops (l1_loss, kl_div, cross_entropy with label
smoothing or probabilities, cosine_similarity, ...) are composed the same way, so their
``grad_fn`` names match torch's.
"""
import math as _math
import warnings as _warnings

from .. import _C

__all__ = [
    "nll_loss", "cross_entropy", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
    "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "layer_norm", "batch_norm", "group_norm", "rms_norm", "instance_norm",
    "embedding", "one_hot", "normalize", "cosine_similarity", "pairwise_distance",
    "scaled_dot_product_attention", "glu", "hardshrink", "softshrink", "threshold", "threshold_",
    "rrelu", "rrelu_", "prelu",
]

_REDUCTIONS = {"none": 0, "mean": 1, "elementwise_mean": 1, "sum": 2}


def _reduction_enum(reduction):
    if reduction == "elementwise_mean":
        _warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.")
    try:
        return _REDUCTIONS[reduction]
    except (KeyError, TypeError):
        raise ValueError(f"{reduction} is not a valid value for reduction") from None


def _legacy_reduction(size_average, reduce, emit_warning=True):
    """torch's ``_Reduction.legacy_get_string``."""
    warning = "size_average and reduce args will be deprecated, please use reduction='{}' instead."
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        _warnings.warn(warning.format(ret), stacklevel=3)
    return ret


def _resolve(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _legacy_reduction(size_average, reduce)
    return reduction


def _needs_graph(*ts):
    return _C.is_grad_enabled() and any(isinstance(t, _C.Tensor) and t.requires_grad for t in ts)


def _record(name, inputs, out, backward):
    """Attaches a node named ``name`` to ``out``; ``backward(g)`` returns one grad per input."""
    diff = [t for t in inputs if isinstance(t, _C.Tensor) and t.requires_grad]
    if not diff or not _C.is_grad_enabled():
        return out
    idx = [i for i, t in enumerate(inputs) if isinstance(t, _C.Tensor) and t.requires_grad]

    def bw(g):
        with _C_no_grad():
            grads = backward(g)
        return tuple(grads[i] for i in idx)

    _C._record_function(name, diff, [out], bw)
    return out


class _C_no_grad:
    def __enter__(self):
        self.prev = _C._set_grad_enabled(False)

    def __exit__(self, *a):
        _C._set_grad_enabled(self.prev)


def _sum_to(g, shape):
    """Sums ``g`` down to ``shape`` (undoing broadcasting)."""
    shape = tuple(shape)
    if tuple(g.shape) == shape:
        return g
    lead = g.dim() - len(shape)
    dims = list(range(lead)) + [lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1]
    if dims:
        g = g.sum(dims, keepdim=True)
    return g.reshape(shape)


def _reduce_out(loss, red):
    if red == 1:
        return loss.mean()
    if red == 2:
        return loss.sum()
    return loss


def _grad_scale(g, red, numel):
    if red == 1:
        return g / numel if numel else g * float("nan")
    return g


# ----------------------------------------------------------------------------------------------
# classification losses
# ----------------------------------------------------------------------------------------------

def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    reduction = _resolve(size_average, reduce, reduction)
    red = _reduction_enum(reduction)
    return _C._nll_loss(input, target, weight, red, int(ignore_index))


def _class_dim(input):
    return 0 if input.dim() == 1 else 1


def _weight_view(weight, input):
    shape = [1] * input.dim()
    shape[_class_dim(input)] = weight.shape[0]
    return weight.reshape(shape)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    reduction = _resolve(size_average, reduce, reduction)
    red = _reduction_enum(reduction)
    if not isinstance(input, _C.Tensor):
        raise TypeError(f"cross_entropy_loss(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(target, _C.Tensor):
        raise TypeError(f"cross_entropy_loss(): argument 'target' (position 2) must be Tensor, not {type(target).__name__}")
    ls = float(label_smoothing)
    if not 0.0 <= ls <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {ls}")
    cdim = _class_dim(input)
    if input.dim() == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    n_classes = input.shape[cdim]
    if target.is_floating_point():
        # class probabilities
        if tuple(target.shape) != tuple(input.shape):
            raise RuntimeError(
                "Expected target size " + str(list(input.shape)).replace(" ", " ") + ", got " + str(list(target.shape)))
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        logp = _C.log_softmax(input, cdim)
        if ls > 0:
            target = target * (1 - ls) + ls / n_classes
        prod = logp * target
        if weight is not None:
            prod = prod * _weight_view(weight, input)
        if red == 0:
            return -prod.sum(cdim)
        if red == 2:
            return -prod.sum()
        if input.numel() == 0:
            return -prod.sum() * float("nan")
        return -prod.sum() / (input.numel() / n_classes)
    logp = _C.log_softmax(input, cdim)
    nll = _C._nll_loss(logp, target, weight, red, int(ignore_index))
    if ls <= 0:
        return nll
    keep = (target != ignore_index).to(logp.dtype)
    if weight is not None:
        smooth = -(logp * _weight_view(weight, input)).sum(cdim)
    else:
        smooth = -logp.sum(cdim)
    smooth = smooth * keep
    if red == 1:
        with _C_no_grad():
            total = _C._nll_loss(_C.full(tuple(input.shape), -1.0, dtype=logp.dtype), target, weight, 2,
                                 int(ignore_index))
        ret = smooth.sum() / total
    elif red == 2:
        ret = smooth.sum()
    else:
        ret = smooth
    return nll * (1 - ls) + ret * (ls / n_classes)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    reduction = _resolve(size_average, reduce, reduction)
    red = _reduction_enum(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is deprecated. "
            "Please ensure they have the same size.")
    x, t = input.detach(), target.detach()
    w = None
    if weight is not None:
        w = weight.detach()
        if tuple(w.shape) != tuple(x.shape):
            w = w.expand(tuple(x.shape)) if hasattr(w, "expand") else w * _C.ones(tuple(x.shape), dtype=w.dtype)
    with _C_no_grad():
        if x.numel() and bool(((x < 0) | (x > 1)).any()):
            raise RuntimeError("all elements of input should be between 0 and 1")
        log_x = x.log().clamp(min=-100)
        log_1mx = (1 - x).log().clamp(min=-100)
        loss = -(t * log_x + (1 - t) * log_1mx)
        if w is not None:
            loss = loss * w
        out = _reduce_out(loss, red)
    n = x.numel()

    def backward(g):
        gi = gt = None
        if input.requires_grad:
            # torch's order: g * (x - t) / max((1 - x) x, eps), then * weight, then / numel
            gi = g * (x - t) / ((1 - x) * x).clamp(min=9.999999960041972e-13)  # float(1e-12f), as torch
            if w is not None:
                gi = gi * w
            if red == 1:
                gi = gi / n
        if target.requires_grad:
            gt = _grad_scale(g, red, n) * ((1 - x).log() - x.log())
            if w is not None:
                gt = gt * w
        return gi, gt

    return _record("BinaryCrossEntropyBackward0", [input, target], out, backward)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    reduction = _resolve(size_average, reduce, reduction)
    red = _reduction_enum(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(
            f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    x, t = input.detach(), target.detach()
    w = weight.detach() if weight is not None else None
    pw = pos_weight.detach() if pos_weight is not None else None
    with _C_no_grad():
        ls = _logsigmoid(x)
        if pw is not None:
            coef = (pw - 1) * t + 1
            loss = (1 - t) * x - coef * ls
        else:
            loss = (1 - t) * x - ls
        if w is not None:
            loss = loss * w
        out = _reduce_out(loss, red)
    n = loss.numel()

    def backward(g):
        gs = _grad_scale(g, red, n)
        gi = gt = None
        sig = x.sigmoid()
        if input.requires_grad:
            d = (((pw - 1) * t + 1) * sig - pw * t) if pw is not None else sig - t
            if w is not None:
                d = d * w
            gi = _sum_to(gs * d, x.shape)
        if target.requires_grad:
            d = -x - (pw - 1) * ls if pw is not None else -x
            if w is not None:
                d = d * w
            gt = _sum_to(gs * d, t.shape)
        return gi, gt

    return _record("BinaryCrossEntropyWithLogitsBackward0", [input, target], out, backward)


def _xlogy_self(t):
    """``xlogy(t, t)`` (0 where t == 0) with torch's XlogyBackward0 gradient (nan at t == 0)."""
    td = t.detach()
    with _C_no_grad():
        nz = (td != 0).to(td.dtype)
        logt = (td + (1 - nz)).log()
        out = td * logt
        out = _C.where(td != td, td, out)
    if not _needs_graph(t):
        return out
    return _record("XlogyBackward0", [t], out, lambda g: (g * (logt * nz) + g * (td / td),))


def _logsigmoid(x):
    return _C._activation("logsigmoid", x, 0.0, 0.0, False)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    if size_average is not None or reduce is not None:
        reduction_enum = _legacy_reduction(size_average, reduce)
    else:
        if reduction == "mean":
            _warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support size."
                "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                stacklevel=2)
        if reduction == "batchmean":
            reduction_enum = "sum"
        else:
            reduction_enum = reduction
    red = _reduction_enum(reduction_enum)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        loss = _xlogy_self(target) - target * input
    out = _reduce_out(loss, red)
    if reduction == "batchmean" and input.dim() != 0:
        out = out / input.shape[0]
    return out


# ----------------------------------------------------------------------------------------------
# regression losses
# ----------------------------------------------------------------------------------------------

def _check_sizes(input, target, stacklevel=3):
    if tuple(target.shape) != tuple(input.shape):
        _warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            stacklevel=stacklevel)


def _pointwise_loss(name, input, target, red, fwd, dfwd):
    """Loss ``fwd(d)`` of ``d = input - target`` with derivative ``dfwd(d)`` w.r.t. input."""
    x, t = input.detach(), target.detach()
    with _C_no_grad():
        d = x - t
        out = _reduce_out(fwd(d), red)
    n = d.numel()

    def backward(g):
        gd = _grad_scale(g, red, n) * dfwd(d)
        gi = _sum_to(gd, x.shape) if input.requires_grad else None
        gt = _sum_to(-gd, t.shape) if isinstance(target, _C.Tensor) and target.requires_grad else None
        return gi, gt

    return _record(name, [input, target], out, backward)


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _check_sizes(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    red = _reduction_enum(reduction)
    if weight is not None:
        loss = (input - target) ** 2 * weight
        return _reduce_out(loss, red)
    return _pointwise_loss("MseLossBackward0", input, target, red, lambda d: d * d, lambda d: d * 2)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    _check_sizes(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    red = _reduction_enum(reduction)
    loss = (input - target).abs()
    if weight is not None:
        loss = loss * weight
    return _reduce_out(loss, red)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    _check_sizes(input, target)
    reduction = _resolve(size_average, reduce, reduction)
    red = _reduction_enum(reduction)
    beta = float(beta)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)

    def fwd(d):
        a = d.abs()
        return _C.where(a < beta, d * d * (0.5 / beta), a - 0.5 * beta)

    def dfwd(d):
        return _C.where(d.abs() < beta, d / beta, d.sign())

    return _pointwise_loss("SmoothL1LossBackward0", input, target, red, fwd, dfwd)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    _check_sizes(input, target)
    red = _reduction_enum(reduction)
    delta = float(delta)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")

    def fwd(d):
        a = d.abs()
        return _C.where(a < delta, d * d * 0.5, (a - 0.5 * delta) * delta)

    def dfwd(d):
        return _C.where(d.abs() < delta, d, d.sign() * delta)

    if weight is not None:
        return _reduce_out(_pointwise_loss("HuberLossBackward0", input, target, 0, fwd, dfwd) * weight, red)
    return _pointwise_loss("HuberLossBackward0", input, target, red, fwd, dfwd)


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
