"""Top-level ``torch.<name>`` forms of nn.functional ops (torch's own argument orders)."""
from .nn import _f_nnfn as _F

__all__ = [
    "layer_norm", "group_norm", "batch_norm", "instance_norm", "rms_norm", "embedding", "cosine_similarity",
    "pairwise_distance", "prelu", "hardshrink", "threshold", "threshold_", "rrelu", "rrelu_", "kl_div",
    "binary_cross_entropy_with_logits",
]


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True):
    return _F.layer_norm(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True):
    return _F.group_norm(input, num_groups, weight, bias, eps)


def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled):
    return _F._C.native_batch_norm(input, weight, bias, running_mean, running_var, bool(training), float(momentum),
                                   float(eps))[0]


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled):
    return _F.instance_norm(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    return _F.rms_norm(input, normalized_shape, weight, eps)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return _F._C._embedding(weight, indices, int(padding_idx), bool(scale_grad_by_freq))


def cosine_similarity(x1, x2, dim=1, eps=1e-08):
    return _F.cosine_similarity(x1, x2, dim, eps)


def pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    return _F.pairwise_distance(x1, x2, p, eps, keepdim)


def prelu(input, weight):
    return _F.prelu(input, weight)


def hardshrink(input, lambd=0.5):
    return _F.hardshrink(input, lambd)


def threshold(input, threshold, value):
    return _F.threshold(input, threshold, value)


def threshold_(input, threshold, value):
    return _F.threshold(input, threshold, value, inplace=True)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F.rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None):
    return _F.rrelu(input, lower, upper, training, True)


def kl_div(input, target, reduction=1, log_target=False):
    red = {0: "none", 1: "mean", 2: "sum"}.get(reduction, reduction)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _F.kl_div(input, target, reduction=red, log_target=log_target)


def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=1):
    red = {0: "none", 1: "mean", 2: "sum"}.get(reduction, reduction)
    return _F.binary_cross_entropy_with_logits(input, target, weight, reduction=red, pos_weight=pos_weight)
