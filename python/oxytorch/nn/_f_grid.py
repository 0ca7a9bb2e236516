"""torch.nn.functional.affine_grid and grid_sample (4-D bilinear/nearest/bicubic, 5-D bilinear/nearest;
zeros/border/reflection padding), composed from differentiable ops."""
import warnings

from .. import _C

_ALIGN_WARN = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
               "Please specify align_corners=True if the old behavior is desired. See the documentation of "
               "grid_sample for details.")


def _stack(ts, dim):
    from .. import stack
    return stack(ts, dim)


def _base(n, align_corners, dtype):
    if n <= 1:
        return _C.zeros((max(n, 0),), dtype=dtype)
    r = _C.linspace(-1, 1, n, dtype=dtype)
    return r if align_corners else r * ((n - 1) / n)


def affine_grid(theta, size, align_corners=None):
    if align_corners is None:
        warnings.warn(_ALIGN_WARN, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. "
                             f"Got {theta.shape}.")
        spatial = size[-3:]
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an issue for standard usage. See the documentation of "
                      "affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n = size[0]
    dt = theta.dtype
    if len(size) == 4:
        h, w = size[2], size[3]
        xs = _base(w, align_corners, dt).reshape(1, w).expand(h, w)
        ys = _base(h, align_corners, dt).reshape(h, 1).expand(h, w)
        base = _stack([xs, ys, _C.ones((h, w), dtype=dt)], -1).reshape(1, h * w, 3).expand(n, h * w, 3)
        return base.bmm(theta.transpose(1, 2)).reshape(n, h, w, 2)
    d, h, w = size[2], size[3], size[4]
    xs = _base(w, align_corners, dt).reshape(1, 1, w).expand(d, h, w)
    ys = _base(h, align_corners, dt).reshape(1, h, 1).expand(d, h, w)
    zs = _base(d, align_corners, dt).reshape(d, 1, 1).expand(d, h, w)
    base = _stack([xs, ys, zs, _C.ones((d, h, w), dtype=dt)], -1).reshape(1, d * h * w, 4)
    return base.expand(n, d * h * w, 4).bmm(theta.transpose(1, 2)).reshape(n, d, h, w, 3)


def _reflect(x, twice_low, twice_high):
    if twice_low == twice_high:
        return _C.zeros_like(x)
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    x = (x - lo).abs()
    extra = _C.fmod(x, span)
    flips = _C.floor(x / span).detach()
    even = _C.fmod(flips, 2) == 0
    return _C.where(even, extra + lo, span - extra + lo)


def _source_index(coord, size, padding_mode, align_corners):
    if align_corners:
        x = (coord + 1) / 2 * (size - 1)
    else:
        x = ((coord + 1) * size - 1) / 2
    if padding_mode == "border":
        x = _C.clamp(x, 0, size - 1)
    elif padding_mode == "reflection":
        if align_corners:
            x = _reflect(x, 0, 2 * (size - 1))
        else:
            x = _reflect(x, -1, 2 * size - 1)
        x = _C.clamp(x, 0, size - 1)
    return x


def _pad_coord(x, size, padding_mode, align_corners):
    if padding_mode == "border":
        return _C.clamp(x, 0, size - 1)
    if padding_mode == "reflection":
        x = _reflect(x, 0, 2 * (size - 1)) if align_corners else _reflect(x, -1, 2 * size - 1)
        return _C.clamp(x, 0, size - 1)
    return x


def _unnormalize(coord, size, align_corners):
    if align_corners:
        return (coord + 1) / 2 * (size - 1)
    return ((coord + 1) * size - 1) / 2


def _cubic_weights(t, a=-0.75):
    """Keys cubic-convolution weights of the taps at offsets -1, 0, 1, 2 for fraction ``t``."""
    def near(u):  # |u| <= 1
        return ((a + 2) * u - (a + 3)) * u * u + 1

    def far(u):  # 1 < |u| < 2
        return ((a * u - 5 * a) * u + 8 * a) * u - 4 * a
    return [far(t + 1), near(t), near(1 - t), far(2 - t)]


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', "
                         f"or 'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARN, stacklevel=2)
        align_corners = False
    nd = input.dim() - 2
    if input.dim() not in (4, 5) or grid.dim() != input.dim():
        raise RuntimeError("grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                           f"got input with sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != nd:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {nd} in last dimension, but got grid with "
                           f"sizes {list(grid.shape)}")
    if mode == "bicubic" and nd != 2:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    n, c = input.shape[0], input.shape[1]
    sizes = list(input.shape[2:])  # (H, W) or (D, H, W)
    out_sp = list(grid.shape[1:-1])
    m = 1
    for v in out_sp:
        m *= v
    flat = input.reshape(n, c, -1)
    # grid's last axis is (x, y[, z]) = (W, H[, D])
    coords = [grid[..., nd - 1 - i] for i in range(nd)]  # ordered like sizes

    def tap(idx, wt):
        valid = None
        lin = None
        for d, (ii, sz) in enumerate(zip(idx, sizes)):
            ok = (ii >= 0) & (ii <= sz - 1)
            valid = ok if valid is None else valid & ok
            ic = _C.clamp(ii, 0, sz - 1)
            lin = ic if lin is None else lin * sz + ic
        lin = lin.to(_C.int64).reshape(n, 1, m)
        vals = flat.gather(2, lin.expand(n, c, m)).reshape([n, c] + out_sp)
        wt = _C.where(valid, wt, _C.zeros_like(wt))
        return vals * wt.unsqueeze(1)

    if mode == "bicubic":
        iy, ix = (_unnormalize(cd, sz, align_corners) for cd, sz in zip(coords, sizes))
        y0, x0 = _C.floor(iy.detach()), _C.floor(ix.detach())
        wy, wx = _cubic_weights(iy - y0), _cubic_weights(ix - x0)
        out = None
        for a in range(4):
            yy = _pad_coord(y0 + (a - 1), sizes[0], padding_mode, align_corners).detach()
            for b in range(4):
                xx = _pad_coord(x0 + (b - 1), sizes[1], padding_mode, align_corners).detach()
                t = tap([_C.round(yy), _C.round(xx)], wy[a] * wx[b])
                out = t if out is None else out + t
        return out
    src = [_source_index(cd, sz, padding_mode, align_corners) for cd, sz in zip(coords, sizes)]
    if mode == "nearest":
        return tap([_C.round(v.detach()) for v in src], _C.ones_like(src[0]))
    lo = [_C.floor(v.detach()) for v in src]
    out = None
    for corner in range(2 ** nd):
        idx, wt = [], None
        for d in range(nd):
            hi = (corner >> (nd - 1 - d)) & 1
            i = lo[d] + hi
            w = (src[d] - lo[d]) if hi else (lo[d] + 1 - src[d])
            idx.append(i)
            wt = w if wt is None else wt * w
        t = tap(idx, wt)
        out = t if out is None else out + t
    return out
