"""nn.functional: linear, bilinear and the dropout family.

Dropout draws its mask with ``bernoulli_`` from oxytorch's default generator, exactly as torch's
CPU kernel does (``empty_like(input).bernoulli_(1 - p)``), so the same seed gives torch's mask."""
import math as _math
import warnings as _warnings

from .. import _C

__all__ = [
    "linear",
    "bilinear",
    "dropout",
    "dropout1d",
    "dropout2d",
    "dropout3d",
    "alpha_dropout",
    "feature_alpha_dropout",
    "pixel_shuffle",
    "pixel_unshuffle",
    "channel_shuffle",
]

_Tensor = _C.Tensor


def linear(input, weight, bias=None):
    """``y = input @ weight.T + bias``: ``addmm`` for 2-D input (AddmmBackward0, as torch)."""
    if not isinstance(input, _Tensor):
        raise TypeError(
            f"linear(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    if not isinstance(weight, _Tensor):
        raise TypeError(
            f"linear(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}"
        )
    wt = weight.t()
    if bias is None:
        return _C.matmul(input, wt)
    if input.dim() == 2:
        return _C.addmm(bias, input, wt)
    if input.dim() > 2 and weight.dim() == 2 and bias.dim() <= 1 and input.is_contiguous():
        shape = tuple(input.shape)
        out = _C.addmm(bias, input.reshape(-1, shape[-1]), wt)
        return out.view(shape[:-1] + (out.shape[-1],))
    return _C.matmul(input, wt) + bias


def bilinear(input1, input2, weight, bias=None):
    """``y[b, o] = sum_ij input1[b, i] * weight[o, i, j] * input2[b, j] + bias[o]``."""
    if input1.dim() != input2.dim():
        raise RuntimeError(
            f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}"
        )
    for i in range(input1.dim() - 1):
        if input1.shape[i] != input2.shape[i]:
            raise RuntimeError(
                f"bilinear(): input batch dimensions do not match: got {tuple(input1.shape)} and "
                f"{tuple(input2.shape)}"
            )
    if input1.shape[-1] != weight.shape[1]:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but "
            f"expected {weight.shape[1]}"
        )
    if input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but "
            f"expected {weight.shape[2]}"
        )
    if bias is not None and bias.shape[0] != weight.shape[0]:
        raise RuntimeError(
            f"bilinear(): bias size does not match weight size: got {bias.shape[0]} but "
            f"expected {weight.shape[0]}"
        )
    batch = tuple(input1.shape[:-1])
    n_in1, n_in2, n_out = weight.shape[1], weight.shape[2], weight.shape[0]
    # (reshape of a non-contiguous tensor does not record autograd yet: make it contiguous first)
    x1 = input1.contiguous().reshape(-1, n_in1)
    x2 = input2.contiguous().reshape(-1, n_in2)
    # (B, I) @ (I, O*J) -> (B, O, J), then contract J with input2
    w = weight.permute(1, 0, 2).contiguous().reshape(n_in1, n_out * n_in2)
    t = _C.matmul(x1, w).reshape(-1, n_out, n_in2)
    y = _C.matmul(t, x2.reshape(-1, n_in2, 1)).reshape(-1, n_out)
    if bias is not None:
        y = y + bias
    return y.reshape(batch + (n_out,))


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _dropout_impl(input, p, training, inplace, feature, alpha):
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        z = _C.zeros((), dtype=input.dtype, device=input.device)
        return input.mul_(z) if inplace else input * z
    if feature:
        shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
        noise = _C.empty(shape, dtype=input.dtype, device=input.device)
    else:
        noise = _C.empty_like(input)
    noise.bernoulli_(1 - p)
    if alpha:
        a_coef = 1.7580993408473766
        a = 1.0 / _math.sqrt((a_coef * a_coef * p + 1) * (1 - p))
        b = noise.add(-1).mul_(a_coef * a).add_(a_coef * a * p)
        noise.mul_(a)
        out = input.mul_(noise) if inplace else input * noise
        return out.add_(b)
    noise.div_(1 - p)
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes each element with probability ``p`` and scales the rest by ``1 / (1 - p)``."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalising mean and variance."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, False, True)


def _unbatched(input, fn):
    # run a channel-wise dropout on an input without its batch dimension
    shape = tuple(input.shape)
    out = fn(input.reshape((1,) + shape))
    return out.reshape(shape) if out is not input else out


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout for (N, C, L) or (C, L) inputs."""
    _check_p(p)
    d = input.dim()
    if d not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {d}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs)."
        )
    if d == 2:
        if inplace:
            _dropout_impl(input.view((1,) + tuple(input.shape)), p, training, True, True, False)
            return input
        return _unbatched(input, lambda x: _dropout_impl(x, p, training, False, True, False))
    return _dropout_impl(input, p, training, inplace, True, False)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout for (N, C, H, W) inputs (3-D inputs are treated as (N, C, L))."""
    _check_p(p)
    d = input.dim()
    if d not in (3, 4):
        _warnings.warn(
            f"dropout2d: Received a {d}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
            stacklevel=2,
        )
    if d == 3:
        _warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.",
            stacklevel=2,
        )
    return _dropout_impl(input, p, training, inplace, True, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout for (N, C, D, H, W) or (C, D, H, W) inputs."""
    _check_p(p)
    d = input.dim()
    if d not in (4, 5):
        _warnings.warn(
            f"dropout3d: Received a {d}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).",
            stacklevel=2,
        )
    if d != 5:
        if inplace:
            _dropout_impl(input.view((1,) + tuple(input.shape)), p, training, True, True, False)
            return input
        return _unbatched(input, lambda x: _dropout_impl(x, p, training, False, True, False))
    return _dropout_impl(input, p, training, inplace, True, False)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Alpha dropout that masks whole channels."""
    _check_p(p)
    return _dropout_impl(input, p, training, inplace, True, True)


# ---------------------------------------------------------------------------------------------
# Pure-view reshuffles and pairwise_distance, composed from autograd-aware ops.

def pixel_shuffle(input, upscale_factor):
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r)."""
    if input.dim() < 3:
        raise RuntimeError(
            "pixel_shuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    r = int(upscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    shape = tuple(input.shape)
    c, h, w = shape[-3:]
    if c % (r * r) != 0:
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
            f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}"
        )
    batch = shape[:-3]
    nb = len(batch)
    oc = c // (r * r)
    x = input.reshape(batch + (oc, r, r, h, w))
    perm = tuple(range(nb)) + (nb, nb + 3, nb + 1, nb + 4, nb + 2)
    return x.permute(*perm).contiguous().reshape(batch + (oc, h * r, w * r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W)."""
    if input.dim() < 3:
        raise RuntimeError(
            "pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
            f"{input.dim()} dimension(s)"
        )
    r = int(downscale_factor)
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    shape = tuple(input.shape)
    c, h, w = shape[-3:]
    if h % r != 0:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)="
            f"{h} is not divisible by {r}"
        )
    if w % r != 0:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)="
            f"{w} is not divisible by {r}"
        )
    batch = shape[:-3]
    nb = len(batch)
    x = input.contiguous().reshape(batch + (c, h // r, r, w // r, r))
    perm = tuple(range(nb)) + (nb, nb + 2, nb + 4, nb + 1, nb + 3)
    return x.permute(*perm).contiguous().reshape(batch + (c * r * r, h // r, w // r))


def channel_shuffle(input, groups):
    """Splits the channels (dim 1) into ``groups`` and interleaves them."""
    if input.dim() <= 2:
        raise RuntimeError(
            f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(input.shape)}"
        )
    g = int(groups)
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    shape = tuple(input.shape)
    c = shape[1]
    if c % g != 0:
        raise RuntimeError(
            f"Number of channels must be divisible by groups. Got {c} channels and {g} groups."
        )
    x = input.contiguous().reshape((shape[0], g, c // g) + shape[2:])
    return x.transpose(1, 2).contiguous().reshape(shape)
