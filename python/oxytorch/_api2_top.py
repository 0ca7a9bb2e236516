"""api2 glue: torch.func, and torch.linalg.tensorinv / tensorsolve (attached; linalg.py is not edited)."""
import math

from . import func  # noqa: F401
from . import linalg as _linalg


def tensorinv(A, ind=2, *, out=None):
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    front, back = tuple(A.shape[:ind]), tuple(A.shape[ind:])
    pf, pb = math.prod(front), math.prod(back)
    if pf != pb:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {pb} != {pf}")
    r = _linalg.inv(A.reshape(pf, pb)).reshape(back + front)
    if out is not None:
        out.resize_(r.shape)
        out.copy_(r)
        return out
    return r


def tensorsolve(A, B, dims=None, *, out=None):
    if dims is not None:
        nd = A.dim()
        dims = [d % nd for d in dims]
        keep = [d for d in range(nd) if d not in dims]
        A = A.permute(*(keep + list(dims)))
    result_shape = tuple(A.shape[B.dim():])
    pr = math.prod(result_shape)
    pb = B.numel()
    if pr != pb:
        raise RuntimeError("Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {pr} != {pb}")
    r = _linalg.solve(A.reshape(pb, pr), B.reshape(-1)).reshape(result_shape)
    if out is not None:
        out.resize_(r.shape)
        out.copy_(r)
        return out
    return r


for _name, _fn in (("tensorinv", tensorinv), ("tensorsolve", tensorsolve)):
    if not hasattr(_linalg, _name):
        _fn.__module__ = "oxytorch.linalg"
        setattr(_linalg, _name, _fn)
