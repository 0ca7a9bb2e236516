"""More torch.nn.functional losses (margin / embedding / Poisson / Gaussian / triplet), composed from
differentiable ops so autograd follows torch's formulas."""
import math

from .. import _C
from ._f_loss import _resolve, _reduction_enum

__all__ = ["cosine_embedding_loss", "gaussian_nll_loss", "hinge_embedding_loss", "margin_ranking_loss",
           "multi_margin_loss", "multilabel_margin_loss", "multilabel_soft_margin_loss", "poisson_nll_loss",
           "soft_margin_loss", "triplet_margin_loss", "triplet_margin_with_distance_loss"]


def _apply(loss, red):
    if red == 1:
        return loss.mean()
    if red == 2:
        return loss.sum()
    return loss


def _red(size_average, reduce, reduction):
    return _reduction_enum(_resolve(size_average, reduce, reduction))


def _sizes(t):
    return "[" + ", ".join(str(s) for s in t.shape) + "]"


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    red = _red(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    loss = _C.clamp_min(-target * (input1 - input2) + margin, 0)
    return _apply(loss, red)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    red = _red(size_average, reduce, reduction)
    zeros = _C.zeros_like(input)
    margin_clamp = _C.clamp_min(margin - input, 0)
    out_margin = _C.where(target != 1, margin_clamp, zeros)
    out_self = _C.where(target != -1, input, zeros)
    return _apply(out_margin + out_self, red)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    red = _red(size_average, reduce, reduction)
    return _apply(_C.log1p(_C.exp(-input * target)), red)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    red = _red(size_average, reduce, reduction)
    td = target.dim()
    if td not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if td == 1:
        if input1.dim() != 2 or input2.dim() != 2:
            raise RuntimeError("1D target tensor expects 2D input tensors, but found inputs with sizes "
                               f"{_sizes(input1)} and {_sizes(input2)}.")
    elif input1.dim() != 1 or input2.dim() != 1:
        raise RuntimeError("0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{_sizes(input1)} and {_sizes(input2)}.")
    eps = 1e-12
    prod = (input1 * input2).sum(td)
    m1 = (input1 * input1).sum(td) + eps
    m2 = (input2 * input2).sum(td) + eps
    cos = prod / _C.sqrt(m1 * m2)
    zeros = _C.zeros_like(cos)
    pos = 1 - cos
    neg = _C.clamp_min(cos - margin, 0)
    out = _C.where(target == 1, pos, zeros) + _C.where(target == -1, neg, zeros)
    return _apply(out, red)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _resolve(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = _C.exp(input) - target * input
    else:
        loss = input - target * _C.log(input + eps)
    if full:
        t = target.detach() if isinstance(target, _C.Tensor) else target
        stirling = target * _C.log(target) - target + 0.5 * _C.log(2 * math.pi * target)
        loss = loss + _C.where(t <= 1, _C.zeros_like(stirling), stirling)
    return _apply(loss, _reduction_enum(reduction))


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = var * _C.ones_like(input)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if tuple(var.shape) != tuple(input.shape):
        if tuple(input.shape)[:-1] == tuple(var.shape):
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(
                y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # clamp without touching the gradient (torch clamps a clone under no_grad)
    var = var + (_C.clamp(var.detach(), min=eps) - var.detach())
    loss = 0.5 * (_C.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    if size_average is not None or reduce is not None:
        reduction = _resolve(size_average, reduce, reduction)
    from .functional import logsigmoid
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    c = input.size(class_dim)
    loss = loss.sum(dim=class_dim) / c
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def _as_2d(input, target, fname):
    nd = input.dim()
    if not ((nd == 1 and input.numel() > 0) or (nd == 2 and input.size(1) > 0) or nd == 0):
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{_sizes(input)}")
    x = input.reshape(1, -1) if nd <= 1 else input
    return x


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    red = _red(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    x = _as_2d(input, target, "multi_margin_loss")
    n, c = x.shape
    if target.numel() != n or target.dim() > 1:
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples "
            f"(batch size). Expected target size [{n}], but got {_sizes(target)}. Input has shape {_sizes(input)}.")
    t = target.reshape(n, 1).to(_C.int64)
    if n and bool(((t < 0) | (t >= c)).any()):
        raise RuntimeError("target out of range")
    xy = x.gather(1, t)
    z = _C.clamp_min(margin - xy + x, 0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * weight[t.reshape(-1)].reshape(n, 1)
    mask = _C.arange(c).reshape(1, c) != t
    z = _C.where(mask, z, _C.zeros_like(z))
    loss = z.sum(1) / c
    if red == 0:
        return loss.reshape(target.shape) if input.dim() <= 1 else loss
    return _apply(loss, red)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    red = _red(size_average, reduce, reduction)
    x = _as_2d(input, target, "multilabel_margin_loss")
    n, c = x.shape
    if tuple(target.shape) != (tuple(input.shape) if input.dim() else (1,)) and not (
            input.dim() <= 1 and target.numel() == c):
        raise RuntimeError(f"inconsistent target size: {_sizes(target)} for input of size: {_sizes(input)}")
    t = target.reshape(n, c).to(_C.int64)
    valid = _C.cumprod((t != -1).to(_C.int64), 1) > 0
    if bool((valid & ((t < 0) | (t >= c))).any()):
        raise RuntimeError("target out of range")
    tc = _C.where(valid, t, _C.zeros_like(t))
    is_target = _C.zeros((n, c), dtype=_C.int64).scatter_add(1, tc, valid.to(_C.int64)) > 0
    xy = x.gather(1, tc)  # (n, c): score of the j-th listed target
    z = _C.clamp_min(1 - xy.unsqueeze(2) + x.unsqueeze(1), 0)  # (n, j, k)
    m = valid.unsqueeze(2) & ~is_target.unsqueeze(1)
    loss = _C.where(m, z, _C.zeros_like(z)).sum((1, 2)) / c
    if red == 0:
        return loss.reshape(()) if input.dim() <= 1 else loss
    return _apply(loss, red)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    red = _red(size_average, reduce, reduction)
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, "
            f"but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    from .functional import pairwise_distance
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = _C.minimum(d_neg, pairwise_distance(positive, negative, p, eps))
    return _apply(_C.clamp_min(margin + d_pos - d_neg, 0), red)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(
            f"The anchor, positive, and negative tensors are expected to have the same number of dimensions, "
            f"but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    if distance_function is None:
        from .functional import pairwise_distance as distance_function
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        dist_neg = _C.minimum(dist_neg, distance_function(positive, negative))
    loss = _C.clamp_min(margin + dist_pos - dist_neg, 0)
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.mean()
    return loss
