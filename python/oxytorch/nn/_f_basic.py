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
    "threshold",
    "threshold_",
    "prelu",
    "glu",
    "hardshrink",
    "softshrink",
    "rrelu",
    "rrelu_",
    "pixel_shuffle",
    "pixel_unshuffle",
    "channel_shuffle",
    "pairwise_distance",
    "instance_norm",
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
# Activations not covered by the Rust kernels yet, as autograd Functions over existing ops.

def _function():
    from ..autograd.function import Function

    return Function


def _mask(m, like):
    return m.to(like.dtype)


def _make_fns():
    Function = _function()

    class Threshold(Function):
        @staticmethod
        def forward(ctx, x, th, value):
            keep = x > th
            nan = x != x
            ctx.save_for_backward(keep | nan)
            return _C.where(keep | nan, x, _C.full((), value, dtype=x.dtype))

        @staticmethod
        def backward(ctx, g):
            (keep,) = ctx.saved_tensors
            return g * _mask(keep, g), None, None

    class Prelu(Function):
        @staticmethod
        def forward(ctx, x, w):
            wb = _prelu_weight(x, w)
            ctx.save_for_backward(x, w)
            return _C.where(x > 0, x, wb * x)

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            wb = _prelu_weight(x, w)
            pos = _mask(x > 0, g)
            gx = g * pos + g * wb * (1 - pos)
            gw_full = g * x * (1 - pos)
            if w.numel() == 1:
                gw = gw_full.sum().reshape(tuple(w.shape))
            else:
                dims = [d for d in range(x.dim()) if d != 1]
                gw = gw_full.sum(dim=dims).reshape(tuple(w.shape)) if dims else gw_full
            return gx, gw

    class Glu(Function):
        @staticmethod
        def forward(ctx, x, dim):
            n = x.shape[dim] // 2
            a = x.narrow(dim, 0, n)
            b = x.narrow(dim, n, n)
            sb = _C.sigmoid(b)
            ctx.save_for_backward(a, sb)
            ctx.dim = dim
            ctx.shape = tuple(x.shape)
            return a * sb

        @staticmethod
        def backward(ctx, g):
            a, sb = ctx.saved_tensors
            dim, n = ctx.dim, ctx.shape[ctx.dim] // 2
            out = _C.empty(ctx.shape, dtype=g.dtype)
            out.narrow(dim, 0, n).copy_(g * sb)
            out.narrow(dim, n, n).copy_(g * a * sb * (1 - sb))
            return out, None

    class Hardshrink(Function):
        @staticmethod
        def forward(ctx, x, lambd):
            zero = (x >= -lambd) & (x <= lambd)
            ctx.save_for_backward(zero)
            return x.masked_fill(zero, 0)

        @staticmethod
        def backward(ctx, g):
            (zero,) = ctx.saved_tensors
            return g.masked_fill(zero, 0), None

    class Softshrink(Function):
        @staticmethod
        def forward(ctx, x, lambd):
            zero = (x >= -lambd) & (x <= lambd)
            ctx.save_for_backward(zero)
            return (x - x.clamp(-lambd, lambd)).masked_fill(zero, 0)

        @staticmethod
        def backward(ctx, g):
            (zero,) = ctx.saved_tensors
            return g.masked_fill(zero, 0), None

    class Rrelu(Function):
        @staticmethod
        def forward(ctx, x, noise):
            ctx.save_for_backward(noise)
            return x * noise

        @staticmethod
        def backward(ctx, g):
            (noise,) = ctx.saved_tensors
            return g * noise, None

    return Threshold, Prelu, Glu, Hardshrink, Softshrink, Rrelu


_FNS = None


def _fns():
    global _FNS
    if _FNS is None:
        _FNS = _make_fns()
    return _FNS


def _prelu_weight(x, w):
    channels = x.shape[1] if x.dim() >= 2 else 1
    if w.numel() != 1 and w.numel() != channels:
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. Found parameter numbers = "
            f"{w.numel()} and channel size = {channels}."
        )
    if w.numel() == 1:
        return w.reshape(())
    return w.reshape((channels,) + (1,) * (x.dim() - 2))


def _apply_inplace(input, result):
    from ..autograd.grad_mode import no_grad

    if input.requires_grad and _C.is_grad_enabled():
        # Python cannot rebase the input's autograd history: return the out-of-place result
        return result
    with no_grad():
        input.copy_(result)
    return input


def threshold(input, threshold, value, inplace=False):
    """``value`` where ``input <= threshold``, else ``input``."""
    out = _fns()[0].apply(input, float(threshold), float(value))
    return _apply_inplace(input, out) if inplace else out


def threshold_(input, threshold, value):
    return globals()["threshold"](input, threshold, value, True)


def prelu(input, weight):
    """``max(0, x) + weight * min(0, x)`` with one weight per channel (dim 1) or a shared one."""
    _prelu_weight(input, weight)
    return _fns()[1].apply(input, weight)


def glu(input, dim=-1):
    """``a * sigmoid(b)`` where ``a, b`` are the halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    n = input.dim()
    d = dim + n if dim < 0 else dim
    if input.shape[d] % 2 != 0:
        raise RuntimeError(
            f"Halving dimension must be even, but dimension {d} is size {input.shape[d]}"
        )
    return _fns()[2].apply(input, d)


def hardshrink(input, lambd=0.5):
    return _fns()[3].apply(input, float(lambd))


def softshrink(input, lambd=0.5):
    if lambd < 0:
        raise RuntimeError(
            f"lambda must be greater or equal to 0, but found to be {lambd}."
        )
    return _fns()[4].apply(input, float(lambd))


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomised leaky ReLU: slopes drawn from U(lower, upper) in training, their mean in eval."""
    if not training:
        from .functional import leaky_relu

        return leaky_relu(input, (lower + upper) / 2, inplace)
    slopes = _C.empty_like(input).uniform_(lower, upper)
    noise = _C.where(input >= 0, _C.ones((), dtype=input.dtype), slopes)
    out = _fns()[5].apply(input, noise)
    return _apply_inplace(input, out) if inplace else out


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, True)


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


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """``||x1 - x2 + eps||_p`` over the last dimension."""
    d = x1 - x2 + eps
    if d.dim() == 0:
        d = d.reshape((1,))
    if p == 2:
        return (d * d).sum(-1, keepdim=keepdim).sqrt()
    if p == 1:
        return d.abs().sum(-1, keepdim=keepdim)
    if p == float("inf"):
        return d.abs().amax(-1, keepdim=keepdim)
    if p == 0:
        return (d != 0).to(d.dtype).sum(-1, keepdim=keepdim)
    return (d.abs() ** p).sum(-1, keepdim=keepdim) ** (1.0 / p)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):
    """Per-sample, per-channel normalisation: batch_norm over the (1, N*C, *) view of ``input``
    (how ATen computes it); running statistics are averaged over the batch."""
    from . import functional as F

    shape = tuple(input.shape)
    if use_input_stats:
        prod = 1
        for s in shape[2:]:
            prod *= s
        if prod == 1:
            raise ValueError(
                f"Expected more than 1 spatial element when training, got input size {input.size()}"
            )
    b, c = shape[0], shape[1]
    x = input.contiguous().reshape((1, b * c) + shape[2:])

    def tile(t):
        if t is None:
            return None
        return (_C.zeros((b, c), dtype=t.dtype) + t.reshape((1, c))).reshape((b * c,))

    rm, rv = tile(running_mean), tile(running_var)
    out = F.batch_norm(x, rm, rv, tile(weight), tile(bias), use_input_stats, momentum, eps)
    if use_input_stats:
        from ..autograd.grad_mode import no_grad

        with no_grad():
            if running_mean is not None:
                running_mean.copy_(rm.reshape((b, c)).mean(0))
            if running_var is not None:
                running_var.copy_(rv.reshape((b, c)).mean(0))
    return out.reshape(shape)
