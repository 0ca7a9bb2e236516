"""LocalResponseNorm, LPPool1d/2d/3d and MaxUnpool1d/2d/3d (forward through nn.functional)."""
from .. import functional as F
from .module import Module
from .utils import _pair, _single, _triple

__all__ = ["LocalResponseNorm", "LPPool1d", "LPPool2d", "LPPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d"]


class LocalResponseNorm(Module):
    __constants__ = ["size", "alpha", "beta", "k"]

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        return F.local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


class _LPPoolNd(Module):
    __constants__ = ["norm_type", "kernel_size", "stride", "ceil_mode"]

    def __init__(self, norm_type, kernel_size, stride=None, ceil_mode=False):
        super().__init__()
        if norm_type == 0:
            raise ValueError(f"norm_type must be a non-zero value, but got {norm_type}")
        self.norm_type = norm_type
        self.kernel_size = kernel_size
        self.stride = stride
        self.ceil_mode = ceil_mode

    def extra_repr(self):
        return ("norm_type={norm_type}, kernel_size={kernel_size}, stride={stride}, "
                "ceil_mode={ceil_mode}".format(**self.__dict__))

    def forward(self, input):
        return getattr(F, self._fn)(input, float(self.norm_type), self.kernel_size, self.stride, self.ceil_mode)


class LPPool1d(_LPPoolNd):
    _fn = "lp_pool1d"


class LPPool2d(_LPPoolNd):
    _fn = "lp_pool2d"


class LPPool3d(_LPPoolNd):
    _fn = "lp_pool3d"


class _MaxUnpoolNd(Module):
    def __init__(self, kernel_size, stride=None, padding=0):
        super().__init__()
        self.kernel_size = self._tup(kernel_size)
        self.stride = self._tup(stride if stride is not None else kernel_size)
        self.padding = self._tup(padding)

    def extra_repr(self):
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"

    def forward(self, input, indices, output_size=None):
        return getattr(F, self._fn)(input, indices, self.kernel_size, self.stride, self.padding, output_size)


class MaxUnpool1d(_MaxUnpoolNd):
    _fn = "max_unpool1d"
    _tup = staticmethod(_single)


class MaxUnpool2d(_MaxUnpoolNd):
    _fn = "max_unpool2d"
    _tup = staticmethod(_pair)


class MaxUnpool3d(_MaxUnpoolNd):
    _fn = "max_unpool3d"
    _tup = staticmethod(_triple)


class _FractionalMaxPoolNd(Module):
    __constants__ = ["kernel_size", "return_indices", "output_size", "output_ratio"]

    def __init__(self, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                 _random_samples=None):
        super().__init__()
        tup = self._tup
        self.kernel_size = tup(kernel_size)
        self.return_indices = return_indices
        self.register_buffer("_random_samples", _random_samples)
        self.output_size = tup(output_size) if output_size is not None else None
        self.output_ratio = tup(output_ratio) if output_ratio is not None else None
        if output_size is None and output_ratio is None:
            raise ValueError(f"{type(self).__name__} requires specifying either an output size, or a pooling ratio")
        if output_size is not None and output_ratio is not None:
            raise ValueError("only one of output_size and output_ratio may be specified")
        if self.output_ratio is not None and not all(0 < r < 1 for r in self.output_ratio):
            raise ValueError(f"output_ratio must be between 0 and 1 (got {output_ratio})")

    def forward(self, input):
        return getattr(F, self._fn)(input, self.kernel_size, self.output_size, self.output_ratio,
                                    self.return_indices, _random_samples=self._random_samples)


class FractionalMaxPool2d(_FractionalMaxPoolNd):
    _fn = "fractional_max_pool2d"
    _tup = staticmethod(_pair)


class FractionalMaxPool3d(_FractionalMaxPoolNd):
    _fn = "fractional_max_pool3d"
    _tup = staticmethod(_triple)


__all__ += ["FractionalMaxPool2d", "FractionalMaxPool3d"]


# ------------------------------------------------------------------------------ legacy / lazy extras
class CrossMapLRN2d(Module):
    """Legacy cross-channel LRN over 4-D input (torch's window keeps channel 0 in every sum, as torch does)."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1):
        super().__init__()
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k

    def forward(self, input):
        from ... import _C, cat
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        c = input.size(1)
        size, alpha, beta = self.size, self.alpha, self.beta
        prev = _C._set_grad_enabled(False)
        try:
            x = input.detach()
            sq = x * x
            pre = int((size - 1) / 2 + 1)
            csum = cat([sq[:, :1] * 0, sq.cumsum(1)], 1)  # csum[:, j] = sum of sq[:, :j]
            parts = []
            for ch in range(c):
                hi = min(ch + pre - 1, c - 1) + 1
                lo = 0 if ch <= pre else ch - pre + 1
                s = csum[:, hi] - csum[:, lo]
                if lo > 0:
                    s = s + sq[:, 0]
                parts.append(s.unsqueeze(1))
            scale = cat(parts, 1) * (alpha / size) + self.k
            out = scale.pow(-beta) * x
        finally:
            _C._set_grad_enabled(prev)
        if input.requires_grad and prev:
            def bw(g):
                # torch's legacy backward formula (not the exact derivative of the forward above)
                ipp = int(size - (size - 1) / 2)
                if ipp + c > c + size - 1:
                    raise RuntimeError(f"start ({ipp}) + length ({c}) exceeds dimension size ({c + size - 1}).")
                was = _C._set_grad_enabled(False)
                try:
                    ratio = g * out / scale
                    n, _, h, w = ratio.shape
                    z = _C.zeros((n, 1, h, w), dtype=ratio.dtype)
                    padded = cat([z.expand(n, ipp, h, w), ratio, z.expand(n, size - 1 - ipp, h, w)], 1)
                    cs = cat([z, padded.cumsum(1)], 1)
                    accum = cs[:, size:size + c] - cs[:, :c]
                    return (scale.pow(-beta) * g - (2 * alpha * beta / size) * x * accum,)
                finally:
                    _C._set_grad_enabled(was)
            _C._record_function("CrossMapLRN2dBackward", [input], [out], bw)
        return out

    def extra_repr(self):
        return "{size}, alpha={alpha}, beta={beta}, k={k}".format(**self.__dict__)


def _nll2d():
    from .loss import NLLLoss

    class NLLLoss2d(NLLLoss):
        def __init__(self, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
            import warnings
            warnings.warn("`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in replacement "
                          "and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for more details.",
                          FutureWarning, stacklevel=2)
            super().__init__(weight, size_average, ignore_index, reduce, reduction)
    NLLLoss2d.__module__ = __name__
    return NLLLoss2d


NLLLoss2d = _nll2d()


def _lazy_classes():
    from ..parameter import UninitializedParameter
    from .batchnorm import _LazyNormBase
    from .conv import ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, _LazyConvXdMixin
    from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d, _InstanceNorm
    from .lazy import LazyModuleMixin

    class _LazyConvTransposeMixin(_LazyConvXdMixin):
        def initialize_parameters(self, input, *args, **kwargs):
            if self.has_uninitialized_params():
                self.in_channels = self._get_in_channels(input)
                if self.in_channels % self.groups != 0:
                    raise ValueError("in_channels must be divisible by groups")
                self.weight.materialize((self.in_channels, self.out_channels // self.groups, *self.kernel_size))
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
                self.reset_parameters()

    out = {}
    for nd, base in ((1, ConvTranspose1d), (2, ConvTranspose2d), (3, ConvTranspose3d)):
        def init(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
            # LazyModuleMixin registers the hooks, then hands on to the ConvTranspose base
            LazyModuleMixin.__init__(self, 0, 0, kernel_size, stride, padding, output_padding, groups, False,
                                     dilation, padding_mode, device=device, dtype=dtype)
            self.weight = UninitializedParameter(device=device, dtype=dtype)
            self.out_channels = out_channels
            if bias:
                self.bias = UninitializedParameter(device=device, dtype=dtype)
        name = f"LazyConvTranspose{nd}d"
        out[name] = type(name, (_LazyConvTransposeMixin, base),
                         {"cls_to_become": base, "_num_spatial": nd, "__init__": init, "__module__": __name__})
    for nd, base in ((1, InstanceNorm1d), (2, InstanceNorm2d), (3, InstanceNorm3d)):
        name = f"LazyInstanceNorm{nd}d"
        out[name] = type(name, (_LazyNormBase, _InstanceNorm),
                         {"cls_to_become": base, "_no_batch_dim": base._no_batch_dim, "__module__": __name__})
    return out


globals().update(_lazy_classes())
from ._adaptive import AdaptiveLogSoftmaxWithLoss  # noqa: E402
__all__ += ["AdaptiveLogSoftmaxWithLoss", "CrossMapLRN2d", "NLLLoss2d", "LazyConvTranspose1d", "LazyConvTranspose2d", "LazyConvTranspose3d",
            "LazyInstanceNorm1d", "LazyInstanceNorm2d", "LazyInstanceNorm3d"]
