"""oxytorch.utils: mirrors torch.utils (currently the ``data`` package)."""
from . import data  # noqa: F401
