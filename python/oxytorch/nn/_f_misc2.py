"""More torch.nn.functional: gumbel_softmax, local_response_norm, lp_pool*, max_unpool*, pdist,
affine_grid and grid_sample, composed from differentiable ops."""
import math

from .. import _C
from .modules.utils import _pair, _single, _triple

__all__ = ["gumbel_softmax", "local_response_norm", "lp_pool1d", "lp_pool2d", "lp_pool3d", "max_unpool1d",
           "max_unpool2d", "max_unpool3d", "pdist", "affine_grid", "grid_sample"]


def _F():
    from . import functional
    return functional


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    if eps != 1e-10:
        import warnings
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    gumbels = -_C.empty_like(logits).exponential_().log()
    gumbels = (logits + gumbels) / tau
    y_soft = gumbels.softmax(dim)
    if hard:
        index = y_soft.max(dim, keepdim=True)[1]
        y_hard = _C.zeros_like(logits).scatter_(dim, index, 1.0)
        return y_hard - y_soft.detach() + y_soft
    return y_soft


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    F = _F()
    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    div = input.mul(input)
    if dim == 3:
        div = div.unsqueeze(1)
        div = F.pad(div, (0, 0, size // 2, (size - 1) // 2))
        div = F.avg_pool2d(div, (size, 1), stride=1).squeeze(1)
    else:
        sizes = tuple(input.shape)
        div = div.reshape(sizes[0], 1, sizes[1], sizes[2], -1)
        div = F.pad(div, (0, 0, 0, 0, size // 2, (size - 1) // 2))
        div = F.avg_pool3d(div, (size, 1, 1), stride=1).squeeze(1)
        div = div.reshape(sizes)
    div = div.mul(alpha).add(k).pow(beta)
    return input / div


def _lp_pool(nd, input, norm_type, kernel_size, stride, ceil_mode):
    F = _F()
    ks = (_single, _pair, _triple)[nd - 1](kernel_size)
    mp = getattr(F, f"max_pool{nd}d")
    ap = getattr(F, f"avg_pool{nd}d")
    if isinstance(norm_type, (int, float)):
        if norm_type == 0:
            raise ValueError(f"norm_type must be a non-zero value, but got {norm_type}")
        if norm_type == float("inf"):
            return mp(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -mp(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    if stride is not None:
        out = ap(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    else:
        out = ap(input.pow(norm_type), kernel_size, padding=0, ceil_mode=ceil_mode)
    return (_C.sign(out) * _C.relu(_C.abs(out))).mul(math.prod(ks)).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(1, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(2, input, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    return _lp_pool(3, input, norm_type, kernel_size, stride, ceil_mode)


# ------------------------------------------------------------------------------ max_unpool
def _unpool_output_size(input, kernel_size, stride, padding, output_size):
    input_size = tuple(input.shape)
    n = len(kernel_size)
    default_size = [(input_size[-n + d] - 1) * stride[d] + kernel_size[d] - 2 * padding[d] for d in range(n)]
    if output_size is None:
        return default_size
    if len(output_size) == n + 2:
        output_size = output_size[2:]
    if len(output_size) != n:
        raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for d in range(n):
        lo, hi = default_size[d] - stride[d], default_size[d] + stride[d]
        if not lo < output_size[d] < hi:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {lo} and {hi})')
    return list(output_size)


def _max_unpool(nd, input, indices, kernel_size, stride, padding, output_size):
    tup = (_single, _pair, _triple)[nd - 1]
    kernel_size = tup(kernel_size)
    stride = tup(stride) if stride is not None else kernel_size
    padding = tup(padding)
    out_sp = _unpool_output_size(input, kernel_size, stride, padding, output_size)
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D or {nd + 2}D tensor for input, but got {input.dim()}D")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    if indices.dtype != _C.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: {indices.dtype}")
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    idx = indices if batched else indices.unsqueeze(0)
    n, c = x.shape[0], x.shape[1]
    total = math.prod(out_sp)
    flat_i = idx.reshape(n, c, -1)
    if flat_i.numel():
        bad = (flat_i < 0) | (flat_i >= total)
        if bool(bad.any()):
            v = int(flat_i[bad][0])
            raise RuntimeError(f"Found an invalid max index: {v} (output volumes are of size "
                               f"{'x'.join(str(s) for s in out_sp)}")
    src = x.reshape(n, c, -1)
    prev = _C._set_grad_enabled(False)
    try:
        out = _C.zeros((n, c, total), dtype=x.dtype).scatter(2, flat_i, src.detach())
    finally:
        _C._set_grad_enabled(prev)
    if src.requires_grad and prev:
        def bw(g):
            with_grad = _C._set_grad_enabled(False)
            try:
                return (g.gather(2, flat_i),)
            finally:
                _C._set_grad_enabled(with_grad)
        _C._record_function("MaxUnpool%dDBackward0" % nd, [src], [out], bw)
    out = out.reshape((n, c) + tuple(out_sp))
    return out if batched else out.squeeze(0)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)


def pdist(input, p=2):
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    if not input.is_contiguous():
        raise RuntimeError("pdist only supports contiguous input")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = input.shape[0]
    ii = [i for i in range(n) for _ in range(i + 1, n)]
    jj = [j for i in range(n) for j in range(i + 1, n)]
    if not ii:
        return _C.empty((0,), dtype=input.dtype)
    d = input[_C.tensor(ii)] - input[_C.tensor(jj)]
    from .. import linalg
    return linalg.vector_norm(d, float(p), dim=1)


from ._f_grid import affine_grid, grid_sample  # noqa: E402,F401
