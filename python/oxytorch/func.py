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


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """Forward-mode product J(primals) @ tangents, computed with the double-backward trick."""
    import oxytorch
    if not isinstance(primals, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    if not isinstance(tangents, tuple):
        raise RuntimeError("jvp(f, primals, tangents): Expected tangents to be a tuple. E.g. it should be valid "
                           "to call f(*primals).")
    if len(primals) != len(tangents):
        raise RuntimeError("jvp(f, primals, tangents): Expected primals and tangents to have the same python "
                           f"structure. For example, if primals is a tuple of 3 tensors, tangents also must be. "
                           f"Got primals with structure {len(primals)} and tangents with structure {len(tangents)}")
    aux = []

    def f(*args):
        out = func(*args)
        if has_aux:
            out, a = out
            aux.append(a)
        return out
    from .autograd.functional import jvp as _jvp
    out, tangent_out = _jvp(f, primals, tangents)
    res = (out, tangent_out)
    return res + (aux[0],) if has_aux else res


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """Same values as jacrev (computed in reverse mode here)."""
    if has_aux:
        raise NotImplementedError("jacfwd(has_aux=True) is not supported")
    return jacrev(func, argnums)


def stack_module_state(models):
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    t0 = type(models[0])
    if not all(type(m) is t0 for m in models):
        raise RuntimeError(f"stack_module_state: Expected all models to be of the same class, got "
                           f"{[type(m) for m in models]}")
    import oxytorch

    def stack(name, tensors, leaf):
        rg = [t.requires_grad for t in tensors]
        if leaf and any(rg) and not all(rg):
            raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
        r = oxytorch.stack([t.detach() for t in tensors])
        if leaf and all(rg):
            r = r.requires_grad_()
        return r
    params = {k: stack(k, [dict(m.named_parameters())[k] for m in models], True)
              for k, _ in models[0].named_parameters()}
    buffers = {k: stack(k, [dict(m.named_buffers())[k] for m in models], False)
               for k, _ in models[0].named_buffers()}
    return params, buffers


__all__ += ["jvp", "jacfwd", "stack_module_state"]
