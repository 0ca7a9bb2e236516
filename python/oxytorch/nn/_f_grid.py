"""torch.nn.functional.affine_grid and grid_sample (2-D bilinear/nearest, zeros/border/reflection
padding), composed from differentiable ops."""
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
    if input.dim() != 4 or grid.dim() != 4 or mode == "bicubic":
        raise NotImplementedError("grid_sample: only 4-D input with mode 'bilinear' or 'nearest' is supported")
    if grid.shape[0] != input.shape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(input.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != 2:
        raise RuntimeError("grid_sampler(): expected grid to have size 2 in last dimension, but got grid with "
                           f"sizes {list(grid.shape)}")
    n, c, h, w = input.shape
    ho, wo = grid.shape[1], grid.shape[2]
    ix = _source_index(grid[..., 0], w, padding_mode, align_corners)
    iy = _source_index(grid[..., 1], h, padding_mode, align_corners)
    flat = input.reshape(n, c, h * w)

    def tap(xi, yi, wt):
        valid = (xi >= 0) & (xi <= w - 1) & (yi >= 0) & (yi <= h - 1)
        lin = (_C.clamp(yi, 0, h - 1) * w + _C.clamp(xi, 0, w - 1)).to(_C.int64).reshape(n, 1, ho * wo)
        vals = flat.gather(2, lin.expand(n, c, ho * wo)).reshape(n, c, ho, wo)
        wt = _C.where(valid, wt, _C.zeros_like(wt))
        return vals * wt.unsqueeze(1)

    if mode == "nearest":
        xn = _C.round(ix.detach())
        yn = _C.round(iy.detach())
        return tap(xn, yn, _C.ones_like(ix))
    x0 = _C.floor(ix.detach())
    y0 = _C.floor(iy.detach())
    x1, y1 = x0 + 1, y0 + 1
    out = tap(x0, y0, (x1 - ix) * (y1 - iy))
    out = out + tap(x1, y0, (ix - x0) * (y1 - iy))
    out = out + tap(x0, y1, (x1 - ix) * (iy - y0))
    out = out + tap(x1, y1, (ix - x0) * (iy - y0))
    return out
