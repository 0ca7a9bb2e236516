"""api2's torch.nn.functional additions, gathered for a single import line in functional.py."""
from ._f_loss2 import *  # noqa: F401,F403
from ._f_misc2 import *  # noqa: F401,F403
from ._f_fracpool import *  # noqa: F401,F403
from . import _f_fracpool, _f_loss2, _f_misc2

__all__ = list(_f_loss2.__all__) + list(_f_misc2.__all__) + list(_f_fracpool.__all__)
