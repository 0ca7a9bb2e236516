"""Top-level spatial ops that torch exposes as ``torch.NAME`` (``torch.conv2d``, ``torch.max_pool2d``, ...)."""
from . import _f_conv as _f
from .._C import _pad as _c_pad

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool3d", "max_pool1d_with_indices", "avg_pool1d",
    "adaptive_avg_pool1d", "adaptive_max_pool1d", "constant_pad_nd",
]

conv1d, conv2d, conv3d = _f.conv1d, _f.conv2d, _f.conv3d
conv_transpose1d, conv_transpose2d, conv_transpose3d = _f.conv_transpose1d, _f.conv_transpose2d, _f.conv_transpose3d
adaptive_avg_pool1d = _f.adaptive_avg_pool1d


def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _f.max_pool1d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _f.max_pool2d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _f.max_pool3d(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _f.max_pool1d_with_indices(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True):
    return _f.avg_pool1d(input, kernel_size, stride or None, padding, ceil_mode, count_include_pad)


def adaptive_max_pool1d(input, output_size):
    return _f.adaptive_max_pool1d_with_indices(input, output_size)


def constant_pad_nd(input, pad, value=0):
    return _c_pad(input, [int(p) for p in pad], "constant", float(value))
