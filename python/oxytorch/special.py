"""``torch.special``: the special functions (the kernels and their gradients are in the Rust core)."""
from . import _C

xlog1py = _C._special_xlog1py
erfcx = _C._special_erfcx
xlogy = _C.xlogy
digamma = _C.digamma
psi = _C.digamma
gammaln = _C.lgamma
sinc = _C.sinc
logsumexp = _C.logsumexp


def polygamma(n, input, *, out=None):
    return _C.polygamma(n, input, out=out)


from ._special2 import *  # noqa: F401,F403,E402

__all__ = ["xlog1py", "erfcx", "xlogy", "digamma", "psi", "gammaln", "sinc", "logsumexp", "polygamma"]
