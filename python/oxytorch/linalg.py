"""``torch.linalg`` (so far only multi_dot; the rest of linalg is wired by issue #4's linalg work)."""
from ._matmul import multi_dot  # noqa: F401
