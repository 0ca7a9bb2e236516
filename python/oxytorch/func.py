"""torch.func (partial): functional_call, and grad / grad_and_value / vjp / jacrev / hessian built on
oxytorch.autograd (no vmap)."""
import functools

from .nn.utils.stateless import _functional_call as functional_call  # noqa: F401

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jacrev", "hessian"]


def _argnums_tuple(argnums):
    return argnums if isinstance(argnums, tuple) else (argnums,)


def grad_and_value(func, argnums=0, has_aux=False):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        import oxytorch
        nums = _argnums_tuple(argnums)
        args = list(args)
        with oxytorch.enable_grad():
            for i in nums:
                args[i] = args[i].detach().requires_grad_(True)
            out = func(*args, **kwargs)
            aux = None
            if has_aux:
                out, aux = out
            if not isinstance(out, oxytorch.Tensor) or out.numel() != 1:
                raise RuntimeError("grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                                   f"tensor with {out.dim() if isinstance(out, oxytorch.Tensor) else 'no'} dims. "
                                   "Maybe you wanted to use the vjp or jacrev APIs instead?")
            gs = oxytorch.autograd.grad(out, [args[i] for i in nums], allow_unused=True, materialize_grads=True)
        g = gs if isinstance(argnums, tuple) else gs[0]
        value = out.detach()
        return (g, (value, aux)) if has_aux else (g, value)
    return wrapper


def grad(func, argnums=0, has_aux=False):
    gv = grad_and_value(func, argnums, has_aux)

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        g, value = gv(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return wrapper


def vjp(func, *primals, has_aux=False):
    import oxytorch
    with oxytorch.enable_grad():
        ps = tuple(p.detach().requires_grad_(True) for p in primals)
        out = func(*ps)
        aux = None
        if has_aux:
            out, aux = out

    def vjp_fn(*cotangents):
        outs = out if isinstance(out, tuple) else (out,)
        cts = cotangents if isinstance(out, tuple) else cotangents[:1]
        return oxytorch.autograd.grad(outs, ps, cts, retain_graph=True, allow_unused=True, materialize_grads=True)

    detached = tuple(o.detach() for o in out) if isinstance(out, tuple) else out.detach()
    return (detached, vjp_fn, aux) if has_aux else (detached, vjp_fn)


def jacrev(func, argnums=0):
    @functools.wraps(func)
    def wrapper(*args):
        from .autograd.functional import jacobian
        nums = _argnums_tuple(argnums)

        def f(*sel):
            full = list(args)
            for i, s in zip(nums, sel):
                full[i] = s
            return func(*full)
        sel = tuple(args[i] for i in nums)
        nested = any(getattr(a, "requires_grad", False) for a in args)  # inside another transform
        res = jacobian(f, sel, create_graph=nested)
        return res if isinstance(argnums, tuple) else res[0]
    return wrapper


def hessian(func, argnums=0):
    return jacrev(jacrev(func, argnums), argnums)
