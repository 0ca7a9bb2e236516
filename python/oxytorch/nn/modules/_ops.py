"""cat/stack with autograd for the nn modules (works before and after the views work lands)."""
from ... import _C

# --------------------------------------------------------------------------------- helpers
_CAT = None


def _cat_fn():
    global _CAT
    if _CAT is None:
        from ...autograd.function import Function

        class CatBackward(Function):
            @staticmethod
            def forward(ctx, dim, *tensors):
                ctx.dim = dim
                ctx.sizes = [t.shape[dim] for t in tensors]
                shape = list(tensors[0].shape)
                shape[dim] = sum(ctx.sizes)
                out = _C.empty(tuple(shape), dtype=tensors[0].dtype)
                off = 0
                for t, n in zip(tensors, ctx.sizes):
                    out.narrow(dim, off, n).copy_(t)
                    off += n
                return out

            @staticmethod
            def backward(ctx, g):
                grads, off = [], 0
                for n in ctx.sizes:
                    grads.append(g.narrow(ctx.dim, off, n))
                    off += n
                return (None,) + tuple(grads)

        _CAT = CatBackward
    return _CAT


def _needs_grad(tensors):
    return _C.is_grad_enabled() and any(t.requires_grad for t in tensors)


def _cat(tensors, dim):
    """cat with autograd: oxytorch.cat when it exists and records the graph, else a Function."""
    tensors = list(tensors)
    cat = getattr(__import__("oxytorch"), "cat", None)
    if cat is not None:
        out = cat(tensors, dim)
        if out.grad_fn is not None or not _needs_grad(tensors):
            return out
    if len(tensors) == 1:
        return tensors[0]
    return _cat_fn().apply(dim, *tensors)


def _stack(tensors, dim=0):
    tensors = list(tensors)
    stack = getattr(__import__("oxytorch"), "stack", None)
    if stack is not None:
        out = stack(tensors, dim)
        if out.grad_fn is not None or not _needs_grad(tensors):
            return out
    expanded = []
    for t in tensors:
        shape = tuple(t.shape)
        expanded.append(t.reshape(shape[:dim] + (1,) + shape[dim:]))
    return _cat(expanded, dim)


