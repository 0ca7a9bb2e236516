"""torch.nn.functional.fractional_max_pool2d/3d (and the _with_indices forms): pseudo-random pooling
regions from ``_random_samples`` (drawn with the global RNG like torch when not given)."""
from .. import _C
from .modules.utils import _pair, _triple

__all__ = ["fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
           "fractional_max_pool3d_with_indices"]


def _intervals(sample, in_size, out_size, pool, dtype):
    """Window starts (..., out_size) for one dimension, computed in the input dtype like torch."""
    lead = tuple(sample.shape)
    if out_size <= 0:
        return _C.zeros(lead + (0,), dtype=_C.int64)
    last = _C.full(lead + (1,), in_size - pool, dtype=_C.int64)
    if out_size == 1:
        return last
    alpha = _C.tensor(float(in_size - pool), dtype=dtype) / _C.tensor(float(out_size - 1), dtype=dtype)
    i = _C.arange(out_size - 1, dtype=dtype)
    s = sample.unsqueeze(-1)
    seq = _C.trunc((i + s) * alpha).to(_C.int64) - _C.trunc(s * alpha).to(_C.int64)
    from .. import cat
    return cat([seq, last], -1)


def _frac_pool(nd, input, kernel_size, output_size, output_ratio, _random_samples):
    name = f"fractional_max_pool{nd}d"
    tup = _pair if nd == 2 else _triple
    if output_size is None and output_ratio is None:
        raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if len(output_ratio) > nd:  # as torch: a bare float raises TypeError here
            raise ValueError(f"{name} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = tup(output_ratio)
        output_size = [int(input.size(-nd + d) * ratio[d]) for d in range(nd)]
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(input.shape)}")
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    n, c = x.shape[0], x.shape[1]
    if _random_samples is None:
        from .. import rand
        _random_samples = rand(n, c, nd, dtype=input.dtype)
    ks = tup(kernel_size)
    osz = tup(output_size)
    isz = tuple(x.shape[2:])
    dims = ("time", "height", "width")[3 - nd:]
    for d in range(nd):
        if osz[d] + ks[d] - 1 > isz[d]:
            raise RuntimeError(f"{name}(): pool {dims[d]} {ks[d]} too large relative to input {dims[d]} {isz[d]}")
    # torch: for 2-d, sample[0] drives the width and sample[1] the height; for 3-d, [0]=T, [1]=H, [2]=W
    order = [1, 0] if nd == 2 else [0, 1, 2]
    starts = [_intervals(_random_samples[..., order[d]], isz[d], osz[d], ks[d], input.dtype) for d in range(nd)]
    # linear input index of every window element, ordered like torch's nested loops
    lin = None
    for d in range(nd):
        shape = [n, c] + [1] * nd + [1] * nd
        shape[2 + d] = osz[d]
        st = starts[d].reshape(shape)
        kshape = [1, 1] + [1] * nd + [1] * nd
        kshape[2 + nd + d] = ks[d]
        off = _C.arange(ks[d]).reshape(kshape)
        pos = st + off
        lin = pos if lin is None else lin * isz[d] + pos
    m = 1
    for v in osz:
        m *= v
    k = 1
    for v in ks:
        k *= v
    lin = lin.expand([n, c] + list(osz) + list(ks)).reshape(n, c, m * k)
    flat = x.reshape(n, c, -1)
    with _NoGrad():
        vals = flat.detach().gather(2, lin).reshape(n, c, m, k)
        nan = _C.isnan(vals)
        vals = _C.where(nan, _C.full_like(vals, float("inf")), vals)
        arg = vals.argmax(-1, keepdim=True)
        idx = lin.reshape(n, c, m, k).gather(3, arg).reshape(n, c, m)
    out = flat.gather(2, idx).reshape([n, c] + list(osz))
    idx = idx.reshape([n, c] + list(osz))
    if not batched:
        out, idx = out.squeeze(0), idx.squeeze(0)
    return out, idx


class _NoGrad:
    def __enter__(self):
        self.prev = _C._set_grad_enabled(False)

    def __exit__(self, *a):
        _C._set_grad_enabled(self.prev)


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _frac_pool(2, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    r = _frac_pool(2, input, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    return _frac_pool(3, input, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    r = _frac_pool(3, input, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]
