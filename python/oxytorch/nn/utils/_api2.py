"""nn.utils additions (api2): fusion, skip_init, stateless, spectral_norm."""
from . import fusion  # noqa: F401
from . import init  # noqa: F401
from . import stateless  # noqa: F401
from .fusion import fuse_conv_bn_eval, fuse_conv_bn_weights, fuse_linear_bn_eval, fuse_linear_bn_weights  # noqa: F401
from .init import skip_init  # noqa: F401
from ._spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401

__all__ = ["fusion", "init", "stateless", "fuse_conv_bn_eval", "fuse_conv_bn_weights", "fuse_linear_bn_eval",
           "fuse_linear_bn_weights", "skip_init", "remove_spectral_norm", "spectral_norm"]
