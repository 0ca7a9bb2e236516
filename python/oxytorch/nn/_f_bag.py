"""nn.functional.embedding_bag: per-bag sums, means or maxima of embedding rows, without materialising the
per-index embeddings' graph (one EmbeddingBagBackward0 node, as torch records)."""
from .. import _C
from ._f_nnfn import _C_no_grad, _record

__all__ = ["embedding_bag"]

_MODES = {"sum": 0, "mean": 1, "max": 2}


def _check(input, weight, offsets, mode, per_sample_weights, scale_grad_by_freq, sparse):
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it must have the "
            f"same shape as the input ({input.shape})")
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length "
                f"sequences. However, found offsets of type {type(offsets)}")
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in _MODES:
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if sparse:
        raise NotImplementedError("embedding_bag(sparse=True) is not supported by oxytorch")
    if str(input.dtype) not in ("torch.int64", "torch.int32"):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
            f"but got {input.type()} instead (while checking arguments for embedding_bag)")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    _check(input, weight, offsets, mode, per_sample_weights, scale_grad_by_freq, sparse)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub.")
    n_rows, dim = weight.shape
    if padding_idx is not None:
        if not -n_rows <= padding_idx < n_rows:
            raise RuntimeError(
                f"padding_idx must be within the number of embeddings, -{n_rows} through {n_rows - 1}, but got {padding_idx}")
        padding_idx = padding_idx % n_rows if n_rows else padding_idx
    if input.dim() == 2:
        offsets = _C.arange(0, input.numel(), max(input.shape[1], 1), dtype=_C.int64)
        if input.shape[1] == 0:
            offsets = _C.zeros(input.shape[0], dtype=_C.int64)
        input = input.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    idx = input.to(_C.int64)
    offs = offsets.to(_C.int64)
    n = idx.numel()
    if offs.numel() and int(offs[0]) != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
            f"However, got {int(offs[0])}\n[ {offsets.type()}{{}} ]")
    if offs.numel() and int(offs[-1]) > n:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {n}, but got offsets[-1] of {int(offs[-1])}")
    if n:
        lo, hi = int(idx.min()), int(idx.max())
        if lo < 0 or hi >= n_rows:
            bad = int(((idx < 0) | (idx >= n_rows)).nonzero()[0, 0])
            raise RuntimeError(f"Index {bad} of input takes value {int(idx[bad])} which is not in the valid range [0, {n_rows})")
    if max_norm is not None:
        with _C_no_grad():
            _C.embedding_renorm_(weight, idx.contiguous(), float(max_norm), float(norm_type))
    with _C_no_grad():
        out, backward = _forward(idx, offs, weight.detach(), mode, per_sample_weights, include_last_offset,
                                 padding_idx, scale_grad_by_freq)
    return _record("EmbeddingBagBackward0", [weight, per_sample_weights], out, backward)


def _forward(idx, offs, w, mode, psw, include_last_offset, padding_idx, scale_grad_by_freq):
    n, (n_rows, dim) = idx.numel(), w.shape
    starts = offs[:-1] if include_last_offset else offs
    bags = starts.numel()
    end = n  # torch's last bag runs to the end of the input, even when include_last_offset names an earlier end
    ends = _C.cat([starts[1:], _C.tensor([end], dtype=_C.int64)]) if bags else starts
    pos = _C.arange(n, dtype=_C.int64)
    # the bag of each position; positions before the first or after the last offset belong to none
    bag_of = (_C.searchsorted(starts, pos, right=True) - 1) if bags else _C.full((n,), -1, dtype=_C.int64)
    used = (bag_of >= 0) & (pos < end)
    if padding_idx is not None:
        used = used & (idx != padding_idx)
    sel = used.nonzero().reshape(-1)
    sidx, sbag = idx[sel], bag_of[sel]
    rows = w.index_select(0, sidx)
    counts = _C.zeros(bags, dtype=w.dtype).index_add_(0, sbag, _C.ones(sel.numel(), dtype=w.dtype))
    if mode in ("sum", "mean"):
        scale = _C.ones(sel.numel(), dtype=w.dtype)
        if psw is not None:
            scale = psw.detach()[sel].to(w.dtype)
        if mode == "mean":
            scale = scale / counts.clamp_min(1)[sbag]
        out = _C.zeros((bags, dim), dtype=w.dtype).index_add_(0, sbag, rows * scale.reshape(-1, 1))
        gscale = scale
        if scale_grad_by_freq:
            freq = _C.zeros(n_rows, dtype=w.dtype).index_add_(0, idx, _C.ones(n, dtype=w.dtype))
            gscale = scale / freq[sidx]

        def backward(g):
            gw = _C.zeros((n_rows, dim), dtype=g.dtype).index_add_(0, sidx, g[sbag] * gscale.reshape(-1, 1))
            gp = None
            if psw is not None:
                gp = _C.zeros(n, dtype=g.dtype)
                gp[sel] = (g[sbag] * rows).sum(1)
            return gw, gp

        return out, backward
    # max: pad each bag to the longest one, then take the first maximum per column
    lens = (ends - starts).clamp_min(0)
    width = int(lens.max()) if bags else 0
    grid = starts.reshape(-1, 1) + _C.arange(width, dtype=_C.int64).reshape(1, -1)
    ok = grid < ends.reshape(-1, 1)
    gpos = grid.clamp(0, max(n - 1, 0))
    ok = ok & used[gpos] if n else ok
    vals = w.index_select(0, idx[gpos].reshape(-1)).reshape(bags, width, dim) if n else _C.zeros((bags, width, dim), dtype=w.dtype)
    vals = vals.masked_fill(~ok.reshape(bags, width, 1), float("-inf"))
    if width:
        best, arg = vals.max(1)
    else:
        best, arg = _C.zeros((bags, dim), dtype=w.dtype), _C.zeros((bags, dim), dtype=_C.int64)
    nonempty = counts > 0
    out = best.masked_fill(~nonempty.reshape(-1, 1), 0)
    src_row = idx[gpos.gather(1, arg.reshape(bags, -1).clamp(0, max(width - 1, 0)))] if width and n else arg

    def backward(g):
        flat = (src_row * dim + _C.arange(dim, dtype=_C.int64).reshape(1, -1))[nonempty].reshape(-1)
        gw = _C.zeros(n_rows * dim, dtype=g.dtype).index_add_(0, flat, g[nonempty].reshape(-1))
        return gw.reshape(n_rows, dim), None

    return out, backward
