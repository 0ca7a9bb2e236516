"""torch.nn.functional spatial ops: convolutions, pooling, pad, interpolate, unfold/fold.

Argument normalisation happens here; checks (with torch's messages), the math and autograd are
in Rust (`_C._conv`, `_C._max_pool`, ...)."""
import math as _math

from .. import _C

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "max_pool2d_with_indices",
    "max_pool3d_with_indices", "avg_pool1d", "avg_pool2d", "avg_pool3d", "adaptive_avg_pool1d",
    "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "adaptive_max_pool3d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices", "pad", "interpolate", "upsample", "upsample_nearest",
    "upsample_bilinear", "unfold", "fold",
]


def _ints(v, n, name="argument"):
    """An int (or a one-element sequence) repeated n times, or a sequence as a list of ints."""
    if isinstance(v, bool):
        raise TypeError(f"{name} must be int or tuple of ints, not bool")
    if isinstance(v, int):
        return [v] * n
    if hasattr(v, "__index__") and not hasattr(v, "__len__"):
        return [int(v)] * n
    return [int(x) for x in v]


def _seq(v):
    """An int as a one-element list, a sequence as a list (the Rust side expands singletons)."""
    if v is None:
        return []
    if isinstance(v, int):
        return [v]
    return [int(x) for x in v]


def _conv(name, d, input, weight, bias, stride, padding, dilation, groups):
    pad = padding if isinstance(padding, str) else _ints(padding, d)
    return _C._conv(input, weight, bias, _ints(stride, d), pad, _ints(dilation, d), int(groups), d, name)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


def _conv_t(name, d, input, weight, bias, stride, padding, output_padding, groups, dilation):
    if isinstance(padding, str):
        raise RuntimeError(f"{name}(): argument 'padding' must be tuple of ints, not str")
    return _C._conv(input, weight, bias, _ints(stride, d), _ints(padding, d), _ints(dilation, d), int(groups), d,
                    name, True, _ints(output_padding, d))


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_t("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_t("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    return _conv_t("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups, dilation)


# ----- pooling -----

def _max_pool(d, input, kernel_size, stride, padding, dilation, ceil_mode):
    return _C._max_pool(input, _seq(kernel_size), _seq(stride), _seq(padding), _seq(dilation), bool(ceil_mode), d,
                        f"max_pool{d}d")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r = _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode)
    return r if return_indices else r[0]


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r = _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode)
    return r if return_indices else r[0]


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    r = _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode)
    return r if return_indices else r[0]


def _avg(d, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override):
    dv = None if divisor_override is None else int(divisor_override)
    return _C._avg_pool(input, _seq(kernel_size), _seq(stride), _seq(padding), bool(ceil_mode),
                        bool(count_include_pad), dv, d, f"avg_pool{d}d")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    return _avg(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    return _avg(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)


def _out_size(output_size, d):
    if output_size is None or isinstance(output_size, int):
        return [output_size] * d
    return [None if v is None else int(v) for v in output_size]


def adaptive_avg_pool1d(input, output_size):
    return _C._adaptive_pool(input, _out_size(output_size, 1), 1, False, "adaptive_avg_pool1d")[0]


def adaptive_avg_pool2d(input, output_size):
    return _C._adaptive_pool(input, _out_size(output_size, 2), 2, False, "adaptive_avg_pool2d")[0]


def adaptive_avg_pool3d(input, output_size):
    return _C._adaptive_pool(input, _out_size(output_size, 3), 3, False, "adaptive_avg_pool3d")[0]


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return _C._adaptive_pool(input, _out_size(output_size, 1), 1, True, "adaptive_max_pool1d")


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return _C._adaptive_pool(input, _out_size(output_size, 2), 2, True, "adaptive_max_pool2d")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return _C._adaptive_pool(input, _out_size(output_size, 3), 3, True, "adaptive_max_pool3d")


def adaptive_max_pool1d(input, output_size, return_indices=False):
    r = adaptive_max_pool1d_with_indices(input, output_size)
    return r if return_indices else r[0]


def adaptive_max_pool2d(input, output_size, return_indices=False):
    r = adaptive_max_pool2d_with_indices(input, output_size)
    return r if return_indices else r[0]


def adaptive_max_pool3d(input, output_size, return_indices=False):
    r = adaptive_max_pool3d_with_indices(input, output_size)
    return r if return_indices else r[0]


# ----- pad / interpolate -----

def pad(input, pad, mode="constant", value=None):
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if mode != "constant" and value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    pad = [int(p) for p in pad]
    value = 0.0 if value is None else float(value)
    if mode == "constant" and isinstance(input, _C.Tensor) and (input.dtype not in _RESAMPLED or len(pad) > 6):
        return _constant_pad(input, pad, value)
    return _C._pad(input, pad, mode, value)


# Constant padding of these dtypes (up to three padded dims) runs in the resampling kernel, exact
# for them; every other dtype, and more padded dims, use torch's own composition below.
_RESAMPLED = (_C.float16, _C.bfloat16, _C.float32, _C.float64)


def _constant_pad(x, pad, value):
    """torch's constant_pad_nd: a tensor full of `value`, with the (cropped) input copied into its
    middle. Exact in every dtype (no float round trip), for any number of padded dims."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd, npairs = x.dim(), len(pad) // 2
    if npairs > nd:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension "
            f"but got padding length {len(pad)} and input of dimension {nd}"
        )
    shape = list(x.shape)
    src_cut, dst_cut = [], []
    for i in range(npairs):
        d, lo, hi = nd - 1 - i, pad[2 * i], pad[2 * i + 1]
        n = shape[d]
        keep = n - max(-lo, 0) - max(-hi, 0)
        if keep < 0 or n + lo + hi < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        src_cut.append((d, max(-lo, 0), keep))
        dst_cut.append((d, max(lo, 0), keep))
        shape[d] = n + lo + hi
    out = _C.full(shape, value, dtype=x.dtype, device=x.device)
    src, where = x, [slice(None)] * nd
    for (d, s0, k), (_, t0, _) in zip(src_cut, dst_cut):
        src, where[d] = src.narrow(d, s0, k), slice(t0, t0 + k)
    out[tuple(where)] = src
    return out


_LINEAR = {"linear": 3, "bilinear": 4, "trilinear": 5}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {list(input.shape[2:])} and output size of {size}. Please provide input tensor "
                    "in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            output_size = [int(s) for s in size]
        else:
            output_size = [int(size)] * dim
        scales = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                    f"spatial dimensions of {list(input.shape[2:])} and scale_factor of shape {scale_factor}. Please "
                    "provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) "
                    "format.")
            scales = [float(s) for s in scale_factor]
        else:
            scales = [float(scale_factor)] * dim
        output_size = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if output_size is None:
        output_size = [int(_math.floor(float(input.shape[i + 2]) * scales[i])) for i in range(dim)]
        if recompute_scale_factor:
            scales = None
    if antialias:
        raise NotImplementedError("interpolate: antialias=True is not supported")
    if mode in ("nearest", "nearest-exact"):
        if dim not in (1, 2, 3):
            raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                      f"for the modes: nearest | linear | bilinear | bicubic | trilinear | area | "
                                      f"nearest-exact (got {mode})")
        return _C._interpolate(input, output_size, scales or [None] * dim, mode, False)
    if mode == "area":
        return (adaptive_avg_pool1d, adaptive_avg_pool2d, adaptive_avg_pool3d)[dim - 1](input, output_size)
    if mode in _LINEAR:
        need = _LINEAR[mode]
        if input.dim() != need:
            raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {need}D input")
        return _C._interpolate(input, output_size, scales or [None] * dim, mode, bool(align_corners))
    if mode == "bicubic":
        raise NotImplementedError("interpolate: mode 'bicubic' is not supported yet")
    raise NotImplementedError(
        "Input Error: Only 3D, 4D and 5D input Tensors supported"
        f" (got {input.dim()}D) for the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact"
        f" (got {mode})")


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ----- unfold / fold -----

def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    if input.dim() < 3:
        n = input.dim()
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(n, 1)}, {max(n, 1) - 1}], but got 2)")
    return _C._unfold(input, _seq(kernel_size), _seq(dilation), _seq(padding), _seq(stride))


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    return _C._fold(input, _seq(output_size), _seq(kernel_size), _seq(dilation), _seq(padding), _seq(stride))
