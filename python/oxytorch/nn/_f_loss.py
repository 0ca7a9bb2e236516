"""torch.nn.functional's losses (served from ``oxytorch.nn.functional``), with the reduction
and graph-recording helpers the functional modules share: the pointwise losses compute their
forward without a graph and record one node under torch's name whose backward is written here."""
import warnings as _warnings

from .. import _C

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
